#!/usr/bin/env python3
"""The package installed the way a Pi owner installs it, on each suite.

For each SUITE (bookworm, trixie; amd64, the host's architecture): a
debootstrapped root of that suite alone (build/nspawn/SUITE-amd64, made
once, then copied for each run), booted with systemd-nspawn; the package
installed with `apt-get install ./heatpad_*.deb`, so its dependencies must
resolve from that suite's archive; then, inside the booted container:

- the shipped config (no zones): the service starts at boot, says "not
  configured yet", exits 2 and is not restarted;
- a simulated config: the service is active and `systemctl status` shows
  its status line;
- a simulated session (a drop-in adds --sim-speed and --start) heats and
  ends by itself;
- SIGKILL: ExecStopPost switches off the relays of the config the daemon
  started with (the config is edited before the kill), the unit restarts;
- SIGSTOP: the watchdog fires (a drop-in shortens WatchdogSec to 4 s);
- an upgrade keeps an edited config (and its owner and mode) and the
  state file, and restarts the service;
- remove + reinstall keeps the admin's enablement, both ways;
- purge removes what the README says (state, config, unit), the user stays;
- and the suite's own lintian (--pedantic --info) finds no tag.

Needs root, debootstrap and systemd-nspawn (systemd-container); installs
them with apt-get when missing. Ends with "package: N passed, N failed,
N skipped".

    python3 tests/package/run.py [SUITE...]
"""
import json
import os
import shutil
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from harness import closing  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NSPAWN = os.path.join(ROOT, "build", "nspawn")
SIM = os.path.join(ROOT, "examples", "sim.json")


def sh(cmd, **kw):
    kw.setdefault("timeout", 900)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def nice(cmd):
    return ["nice", "-n", "10"] + cmd


def mirror(suite):
    """The host's Debian mirror (its apt sources), for the suite."""
    out = sh(["apt-get", "indextargets", "--format", "$(REPO_URI) $(RELEASE)",
              "Created-By: Packages"]).stdout.split("\n")
    for line in out:
        f = line.split()
        if len(f) == 2 and "-" not in f[1]:
            return f[0]
    raise AssertionError("no Debian mirror in the host's apt sources")


def base_root(suite):
    base = os.path.join(NSPAWN, suite + "-amd64")
    if os.path.exists(os.path.join(base, ".heatpad-base")):
        return base
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(NSPAWN, exist_ok=True)
    print("  debootstrap %s into %s" % (suite, base), flush=True)
    r = sh(nice(["debootstrap", "--variant=minbase",
                 "--include=systemd,systemd-sysv,dbus", suite, base,
                 mirror(suite)]), timeout=1800)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    open(os.path.join(base, ".heatpad-base"), "w").close()
    return base


class Container:
    """A copy of the base root, booted; commands run in it through
    nsenter (there is no machined to register with here)."""

    def __init__(self, suite, debdir):
        self.dir = os.path.join(NSPAWN, suite + "-run")
        shutil.rmtree(self.dir, ignore_errors=True)
        r = sh(["cp", "-a", base_root(suite), self.dir])
        assert r.returncode == 0, r.stderr
        os.makedirs(os.path.join(self.dir, "debs"))
        for f in os.listdir(debdir):
            shutil.copy(os.path.join(debdir, f), os.path.join(self.dir, "debs", f))
        self.boot()

    def boot(self):
        self.log = open(os.path.join(NSPAWN, "boot.log"), "a")
        self.proc = subprocess.Popen(
            nice(["systemd-nspawn", "-q", "-D", self.dir, "--register=no",
                  "--keep-unit", "-b"]), stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=self.log)
        self.pid = None
        for _ in range(600):
            kids = sh(["pgrep", "-P", str(self.proc.pid)]).stdout.split()
            if kids:
                self.pid = kids[0]
                st = self.run("systemctl", "is-system-running").stdout.strip()
                if st in ("running", "degraded"):
                    return
            time.sleep(0.2)
        raise AssertionError("the container did not boot")

    def run(self, *cmd, check=False, timeout=600):
        r = sh(["nsenter", "-t", self.pid, "-a", "env", "-i",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                "DEBIAN_FRONTEND=noninteractive"] + list(cmd), timeout=timeout)
        if check:
            assert r.returncode == 0, (cmd, r.stdout[-3000:], r.stderr[-3000:])
        return r

    def write(self, path, text):
        with open(self.dir + path, "w") as f:
            f.write(text)

    def read(self, path):
        return open(self.dir + path).read()

    def prop(self, name):
        return self.run("systemctl", "show", "-P", name, "heatpad").stdout.strip()

    def wait(self, pred, what, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            if pred():
                return
            time.sleep(0.3)
        raise AssertionError("timed out waiting for " + what)

    def restart(self, verb="restart"):
        """A test restarts more often than StartLimitBurst= allows in five
        minutes: each manual start begins with a clean count."""
        self.run("systemctl", "reset-failed", "heatpad")
        self.run("systemctl", verb, "heatpad", check=True)

    def journal(self):
        return self.run("journalctl", "-u", "heatpad", "-o", "cat",
                        "--no-pager").stdout

    def stop(self):
        if self.pid:
            self.run("systemctl", "poweroff")
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def sim_config(name="upper back"):
    cfg = json.load(open(SIM))
    cfg["state_file"] = "/var/lib/heatpad/state.json"
    cfg["http"] = {"listen": "127.0.0.1", "port": 0}
    # Not about quiet hours: must not depend on the hour it runs at.
    cfg["quiet_hours"] = {"enabled": False}
    cfg["zones"] = cfg["zones"][:1]
    cfg["zones"][0]["name"] = name
    return json.dumps(cfg, indent=2) + "\n"


DROPIN = """[Service]
ExecStart=
ExecStart=/usr/bin/heatpadd --config /etc/heatpad/config.json --log-format json --sim-speed 30 --start "upper back:2:40"
WatchdogSec=4s
TimeoutStopSec=4s
"""


def check_suite(suite, results):
    debdir = os.path.join(ROOT, "build", "deb", "test-" + suite)
    shutil.rmtree(debdir, ignore_errors=True)
    os.makedirs(debdir)
    debs = []
    for rev in (1, 2):
        r = sh(["scripts/build-deb", suite, "amd64"], cwd=ROOT,
               env=dict(os.environ, DEB_REVISION=str(rev)))
        assert r.returncode == 0, r.stdout + r.stderr
        deb = os.path.join(ROOT, r.stdout.strip().splitlines()[-1])
        shutil.copy(deb, debdir)
        debs.append("/debs/" + os.path.basename(deb))
    c = Container(suite, debdir)

    def step(name, fn):
        t0 = time.time()
        try:
            fn()
        except Exception:
            results.append(False)
            print("FAIL %s: %s" % (suite, name))
            traceback.print_exc(file=sys.stdout)
            print(c.run("systemctl", "status", "--no-pager", "-n", "30",
                        "heatpad").stdout)
            return
        results.append(True)
        print("ok   %s: %s (%.1f s)" % (suite, name, time.time() - t0), flush=True)

    try:
        def install():
            c.run("apt-get", "update", "-q", check=True)
            r = c.run("apt-get", "install", "-y", "--no-install-recommends",
                      debs[0], check=True)
            assert "not configured yet" in r.stdout, r.stdout[-1500:]
            assert c.run("systemctl", "is-enabled", "heatpad").stdout.strip() == "enabled"
            st = os.stat(c.dir + "/etc/heatpad/config.json")
            assert oct(st.st_mode & 0o777) == "0o640", oct(st.st_mode)
            assert c.run("id", "-nG", "heatpad").stdout.split()[:1] == ["heatpad"]
            assert "gpio" in c.run("id", "-nG", "heatpad").stdout.split()
        step("apt-get install ./heatpad_*.deb from %s alone" % suite, install)

        def lintian():
            # The suite's own lintian on the suite's package.
            c.run("apt-get", "install", "-y", "-q", "--no-install-recommends",
                  "lintian", check=True)
            r = c.run("lintian", "--pedantic", "--info", "--allow-root", debs[0])
            tags = [l for l in r.stdout.splitlines() if l[:2] in ("E:", "W:", "I:", "P:", "X:")]
            assert r.returncode == 0 and not tags, r.stdout + r.stderr
        step("lintian --pedantic --info of %s: no tag" % suite, lintian)

        def first_boot():
            # As at boot: the enabled unit starts with the shipped config.
            c.run("systemctl", "start", "heatpad")
            c.wait(lambda: c.prop("ActiveState") in ("failed", "inactive"),
                   "the unit to give up")
            assert c.prop("ExecMainStatus") == "2", c.prop("ExecMainStatus")
            time.sleep(6)               # past RestartSec=5s: no restart
            assert c.prop("NRestarts") == "0", c.prop("NRestarts")
            assert "not configured yet" in c.journal(), c.journal()[-2000:]
        step("no zones: 'not configured yet', exit 2, no restart loop", first_boot)

        def active():
            c.write("/etc/heatpad/config.json", sim_config())
            c.restart()
            c.wait(lambda: c.prop("ActiveState") == "active", "active")
            c.wait(lambda: "upper back:" in c.prop("StatusText"), "a status line")
            out = c.run("systemctl", "status", "--no-pager", "heatpad").stdout
            assert "Status: \"upper back:" in out, out
            assert "SIMULATED" in c.journal(), c.journal()[-2000:]
            assert "simulated zone in /etc/heatpad/config.json" in c.journal()
        step("simulated config: active, status line in systemctl status, "
             "simulated warned", active)

        def check_config():
            good = c.read("/etc/heatpad/config.json")
            r = c.run("heatpadd", "--check-config", "/etc/heatpad/config.json")
            assert r.returncode == 0 and "configuration OK" in r.stdout, r.stdout + r.stderr
            # As a user: the file is root:heatpad 0640, and it says so.
            r = c.run("setpriv", "--reuid=nobody", "--regid=nogroup",
                      "--clear-groups", "heatpadd", "--check-config",
                      "/etc/heatpad/config.json")
            assert r.returncode == 2 and "sudo heatpadd --check-config" in r.stderr, r.stderr
            # A CA file the service cannot see, and one it cannot read.
            os.makedirs(c.dir + "/home/pi", exist_ok=True)
            c.write("/home/pi/ca.pem", "x\n")
            c.write("/etc/heatpad/ca.pem", "x\n")
            os.chmod(c.dir + "/etc/heatpad/ca.pem", 0o600)
            for ca, want in (("/home/pi/ca.pem", "hidden from the service by "
                              "ProtectHome=yes"),
                             ("/etc/heatpad/ca.pem", "is not readable by the "
                              "heatpad user")):
                cfg = json.loads(good)
                cfg["mqtt"] = {"host": "localhost", "tls_ca_file": ca}
                c.write("/etc/heatpad/config.json", json.dumps(cfg))
                r = c.run("heatpadd", "--check-config", "/etc/heatpad/config.json")
                assert r.returncode == 2 and want in r.stderr, (ca, r.stderr)
            c.write("/etc/heatpad/config.json", good)
            os.remove(c.dir + "/etc/heatpad/ca.pem")    # purge keeps a stray file
        step("--check-config: the service user and the sandbox", check_config)

        def session():
            os.makedirs(c.dir + "/etc/systemd/system/heatpad.service.d", exist_ok=True)
            c.write("/etc/systemd/system/heatpad.service.d/test.conf", DROPIN)
            c.run("systemctl", "daemon-reload", check=True)
            c.run("journalctl", "--rotate")
            c.restart()
            c.wait(lambda: '"reason":"time_up"' in c.journal(), "the session's end",
                   timeout=60)
            j = c.journal()
            assert '"event":"session_start","zone":"upper back"' in j, j[-2000:]
            assert '"relay":"on"' in j or '"relay":true' in j, j[-3000:]
        step("a simulated session heats and ends by itself", session)

        def sigkill():
            c.restart()
            c.wait(lambda: c.prop("ActiveState") == "active", "active")
            n0 = int(c.prop("NRestarts") or 0)
            # Edited after the start: the stop must use the started one.
            c.write("/etc/heatpad/config.json", sim_config("edited zone"))
            c.run("systemctl", "kill", "-s", "KILL", "heatpad", check=True)
            c.wait(lambda: int(c.prop("NRestarts") or 0) > n0, "a restart",
                   timeout=30)
            j = c.journal()
            assert "upper back: relay off" in j, j[-3000:]
            assert "edited zone: relay off" not in j, j[-3000:]
            c.wait(lambda: c.prop("ActiveState") == "active", "active again")
            c.write("/etc/heatpad/config.json", sim_config())
        step("SIGKILL: ExecStopPost switches off the started config's relays, "
             "the unit restarts", sigkill)

        def watchdog():
            c.restart()
            c.wait(lambda: c.prop("ActiveState") == "active", "active")
            c.run("systemctl", "kill", "-s", "STOP", "heatpad", check=True)
            c.wait(lambda: "Watchdog timeout" in
                   c.run("journalctl", "-u", "heatpad", "--no-pager").stdout,
                   "the watchdog", timeout=30)
            c.wait(lambda: c.prop("ActiveState") == "active", "active again",
                   timeout=40)
        step("SIGSTOP: the watchdog fires, the unit restarts", watchdog)

        def upgrade():
            os.remove(c.dir + "/etc/systemd/system/heatpad.service.d/test.conf")
            c.run("systemctl", "daemon-reload", check=True)
            # A state file from release 0.1.0 (an injury record) and an edited
            # config with the admin's own owner and mode.
            c.run("systemctl", "stop", "heatpad", check=True)
            shutil.copy(os.path.join(ROOT, "tests", "fixtures", "state-v1.json"),
                        c.dir + "/var/lib/heatpad/state.json")
            c.run("chown", "heatpad:heatpad", "/var/lib/heatpad/state.json", check=True)
            c.restart("start")
            c.wait(lambda: c.prop("ActiveState") == "active", "active")
            conf = c.read("/etc/heatpad/config.json")
            c.run("chmod", "0600", "/etc/heatpad/config.json", check=True)
            c.run("chown", "heatpad:heatpad", "/etc/heatpad/config.json", check=True)
            pid0 = c.prop("MainPID")
            c.run("apt-get", "install", "-y", debs[1], check=True)
            assert c.read("/etc/heatpad/config.json") == conf
            st = os.stat(c.dir + "/etc/heatpad/config.json")
            assert oct(st.st_mode & 0o777) == "0o600", oct(st.st_mode)
            c.wait(lambda: c.prop("ActiveState") == "active" and
                   c.prop("MainPID") != pid0, "a restart on the new binary")
            state = json.loads(c.read("/var/lib/heatpad/state.json"))
            assert state["record"]["acute_at"] == 1764010500, state
        step("upgrade keeps the edited config, its mode and the state file", upgrade)

        def reinstall():
            for want in ("enabled", "disabled"):
                if want == "disabled":
                    c.run("systemctl", "disable", "heatpad", check=True)
                c.run("apt-get", "remove", "-y", "heatpad", check=True)
                c.run("apt-get", "install", "-y", debs[1], check=True)
                got = c.run("systemctl", "is-enabled", "heatpad").stdout.strip()
                assert got == want, (want, got)
        step("remove + reinstall keeps the admin's enablement", reinstall)

        def purge():
            c.run("apt-get", "purge", "-y", "heatpad", check=True)
            for p in ("/var/lib/heatpad", "/etc/heatpad", "/usr/bin/heatpadd",
                      "/usr/lib/systemd/system/heatpad.service"):
                assert not os.path.lexists(c.dir + p), p
            assert c.run("id", "heatpad").returncode == 0   # the user stays
        step("purge removes the state, the config and the unit", purge)
    finally:
        c.stop()


def main():
    if os.geteuid() != 0:
        print("package: needs root (debootstrap, systemd-nspawn)")
        closing("package", 0, 0, 1)
        return 2
    need = [p for p, b in (("debootstrap", "debootstrap"),
                           ("systemd-container", "systemd-nspawn"))
            if not shutil.which(b)]
    if need:
        r = sh(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y",
                "-q", "--no-install-recommends"] + need)
        assert r.returncode == 0, r.stderr
    suites = sys.argv[1:] or ["bookworm", "trixie"]
    t0 = time.time()
    results = []
    for s in suites:
        try:
            check_suite(s, results)
        except Exception:
            results.append(False)
            print("FAIL %s: set-up" % s)
            traceback.print_exc(file=sys.stdout)
    print("check-package took %d s" % (time.time() - t0))
    closing("package", results.count(True), results.count(False), 0,
            time.time() - t0)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
