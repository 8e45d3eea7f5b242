#!/usr/bin/env python3
"""Tests of heatpad as a systemd service and as an installed package.

- the unit's key settings, `systemd-analyze verify` (strict: any warning
  fails) and `systemd-analyze security` of it;
- the system calls and address families the daemon really uses (under
  strace) against the unit's SystemCallFilter= and RestrictAddressFamilies=;
- sd_notify: READY=1 after the relays are off, STATUS= lines, watchdog
  pings from the tick and none for a tick that came late, STOPPING=1;
- `heatpadd --all-off` (the unit's ExecStopPost=);
- `make install` / `make uninstall` with DESTDIR and PREFIX, an existing
  config kept;
- the .deb: control fields, contents, and installed into a throwaway root
  with dpkg (user, groups, conffile, enabled-not-started, an upgrade that
  keeps a changed config and the state file, purge).

Ends with "systemd: N passed, N failed, N skipped".
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from harness import Skip, closing, run_tests  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAEMON = os.path.join(ROOT, "build", "heatpadd")
UNIT = os.path.join(ROOT, "systemd", "heatpad.service")
EXAMPLE = os.path.join(ROOT, "examples", "sim.json")
SIM_DIR = tempfile.mkdtemp(prefix="heatpad-systemd-")


def sim_config():
    """examples/sim.json with any status page on a port the system picks
    (other tests may hold a fixed one), and no quiet hours."""
    path = os.path.join(SIM_DIR, "sim.json")
    if not os.path.exists(path):
        cfg = json.load(open(EXAMPLE))
        if "http" in cfg:
            cfg["http"]["port"] = 0
        # Not about quiet hours: must not depend on the hour it runs at.
        cfg["quiet_hours"] = {"enabled": False}
        with open(path, "w") as f:
            json.dump(cfg, f)
    return path
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "state-v1.json")

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def sh(cmd, **kw):
    """Runs a command; returns the CompletedProcess (text, both streams)."""
    kw.setdefault("cwd", ROOT)
    kw.setdefault("timeout", 300)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def parse_unit(path):
    """{section: [(key, value)]}, keeping repeated keys in order."""
    units, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line.strip("[]")
                units.setdefault(section, [])
                continue
            key, _, value = line.partition("=")
            units[section].append((key.strip(), value.strip()))
    return units


def values(unit, section, key):
    return [v for k, v in unit.get(section, []) if k == key]


def one(unit, section, key):
    vs = values(unit, section, key)
    assert len(vs) == 1, "%s=: expected once, found %r" % (key, vs)
    return vs[0]


def make_install(destdir, *extra):
    r = sh(["make", "--no-print-directory", "install", "DESTDIR=" + destdir] +
           list(extra))
    assert r.returncode == 0, r.stdout + r.stderr
    return r


# --- the unit ---------------------------------------------------------------

@test
def unit_key_settings():
    u = parse_unit(UNIT)
    s = "Service"
    assert one(u, s, "Type") == "notify"
    wd = one(u, s, "WatchdogSec")
    assert re.fullmatch(r"\d+s?", wd) and 2 <= int(wd.rstrip("s")) <= 60, wd
    assert one(u, s, "Restart") == "on-failure"
    assert one(u, s, "RestartPreventExitStatus") == "2"
    assert one(u, s, "User") == "heatpad"
    assert one(u, s, "StateDirectory") == "heatpad"
    assert one(u, s, "ConfigurationDirectory") == "heatpad"
    start = one(u, s, "ExecStart")
    stop_post = one(u, s, "ExecStopPost")
    assert start.startswith("/usr/bin/heatpadd --config /etc/heatpad/config.json")
    # ExecStopPost drives off the relays of the config the daemon started
    # with: a copy made at start under /run, not the file as edited since.
    assert values(u, s, "ExecStartPre") == [
        "/bin/cp /etc/heatpad/config.json /run/heatpad/config.json"], \
        values(u, s, "ExecStartPre")
    assert one(u, s, "RuntimeDirectory") == "heatpad"
    assert stop_post == "/usr/bin/heatpadd --config /run/heatpad/config.json " \
        "--all-off", stop_post
    for key, want in [("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                      ("PrivateTmp", "yes"), ("NoNewPrivileges", "yes"),
                      ("ProtectKernelModules", "yes"),
                      ("ProtectKernelTunables", "yes"),
                      ("RestrictNamespaces", "yes"),
                      ("MemoryDenyWriteExecute", "yes"),
                      ("DevicePolicy", "closed"),
                      ("SystemCallArchitectures", "native"),
                      ("CapabilityBoundingSet", "")]:
        assert one(u, s, key) == want, "%s=%r" % (key, one(u, s, key))
    # Only what MQTT and HTTP need: no raw sockets, no netlink.
    fams = " ".join(values(u, s, "RestrictAddressFamilies")).split()
    assert sorted(fams) == ["AF_INET", "AF_INET6", "AF_UNIX"], fams
    filters = values(u, s, "SystemCallFilter")
    assert filters[0] == "@system-service", filters
    # Must not hide what the hardware backends need.
    assert values(u, s, "PrivateDevices") in ([], ["no"])
    allowed = [v.split()[0] for v in values(u, s, "DeviceAllow")]
    for dev in ("char-gpiochip", "char-ttyS", "char-ttyAMA", "char-ttyUSB",
                "char-ttyACM", "char-ttySC"):
        assert dev in allowed, (dev, allowed)
    assert all(v.endswith(" rw") for v in values(u, s, "DeviceAllow"))
    # Groups come from the user (the package adds gpio/dialout where they
    # exist); SupplementaryGroups= on a missing group would fail the start.
    assert values(u, s, "SupplementaryGroups") == []
    assert values(u, s, "DynamicUser") in ([], ["no"])
    assert one(u, "Install", "WantedBy") == "multi-user.target"
    # http.web_root defaults to "web": relative to the installed data.
    assert one(u, s, "WorkingDirectory") == "/usr/share/heatpad"


def installed_unit_for_verify(tmp):
    """The unit as `make install` lays it out, with ExecStart= pointing at
    the installed binary (verify checks that it is executable)."""
    dest = os.path.join(tmp, "dest")
    make_install(dest, "PREFIX=/usr")
    text = open(os.path.join(dest, "usr/lib/systemd/system/heatpad.service")).read()
    text = text.replace("/usr/bin/heatpadd", dest + "/usr/bin/heatpadd")
    path = os.path.join(tmp, "heatpad.service")
    with open(path, "w") as f:
        f.write(text)
    return path


def verify(path):
    return sh(["systemd-analyze", "verify", path], cwd=os.path.dirname(path))


def verify_usable(tmp):
    """Whether `systemd-analyze verify` runs here at all, on a unit known
    to be good."""
    if not shutil.which("systemd-analyze"):
        return "systemd-analyze is not installed"
    good = os.path.join(tmp, "good.service")
    with open(good, "w") as f:
        f.write("[Service]\nExecStart=/bin/true\n")
    r = verify(good)
    if r.returncode != 0 or r.stderr.strip():
        return "verify fails even on a trivial unit here (PID 1 is %s): %s" % (
            open("/proc/1/comm").read().strip(), r.stderr.strip()[:200])
    return None


@test
def systemd_analyze_verify():
    with tempfile.TemporaryDirectory() as tmp:
        why = verify_usable(tmp)
        if why:
            raise Skip(why)
        path = installed_unit_for_verify(tmp)
        r = verify(path)
        assert r.returncode == 0 and not r.stderr.strip(), r.stderr
        # The check can fail: a misspelt key only warns, and that is caught.
        bad = os.path.join(tmp, "bad.service")
        with open(bad, "w") as f:
            f.write(open(path).read().replace("WatchdogSec=", "WatchdogSecs="))
        r = verify(bad)
        assert "Unknown key" in r.stderr, r.stderr


@test
def systemd_analyze_security_exposure():
    if not shutil.which("systemd-analyze"):
        raise Skip("systemd-analyze is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        path = installed_unit_for_verify(tmp)
        r = sh(["systemd-analyze", "security", "--offline=yes", path])
        m = re.search(r"Overall exposure level for \S+: ([\d.]+)", r.stdout + r.stderr)
        if not m:
            raise Skip("systemd-analyze security --offline is not available: " +
                       (r.stdout + r.stderr)[-200:])
        exposure = float(m.group(1))
        print("  systemd-analyze security: exposure %.1f (0 best, 10 worst)" % exposure)
        assert exposure <= 2.0, r.stdout[-2000:]


def syscall_set(spec, seen=None):
    """Expands a systemd syscall group (and the groups it names) into
    system call names."""
    if not spec.startswith("@"):
        return {spec}
    seen = set() if seen is None else seen
    if spec in seen:
        return set()
    seen.add(spec)
    r = sh(["systemd-analyze", "syscall-filter", spec])
    assert r.returncode == 0, r.stderr
    names = set()
    for line in r.stdout.splitlines()[1:]:
        line = line.strip()
        if line and not line.startswith("#"):
            names |= syscall_set(line, seen)
    return names


def start_broker(tmp):
    """Debian's mosquitto on 127.0.0.1 on a free port."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    conf = os.path.join(tmp, "mosquitto.conf")
    import pwd
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\n"
                "persistence false\nuser %s\n" % (
                    port, pwd.getpwuid(os.getuid()).pw_name))
    p = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return p, port
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise AssertionError("mosquitto did not listen")


@test
def real_syscalls_pass_the_filter():
    """The daemon's own system calls, under strace, against the unit's
    SystemCallFilter= (what a seccomp kill or EPERM would hit on the Pi)."""
    if not shutil.which("strace"):
        raise AssertionError("strace missing: scripts/deps test installs it")
    u = parse_unit(UNIT)
    filters = values(u, "Service", "SystemCallFilter")
    allowed = set()
    for f in filters:
        if f.startswith("~"):
            for g in f[1:].split():
                allowed -= syscall_set(g)
        else:
            for g in f.split():
                allowed |= syscall_set(g)
    assert "openat" in allowed and "setuid" not in allowed
    fams = set(" ".join(values(u, "Service", "RestrictAddressFamilies")).split())
    with tempfile.TemporaryDirectory() as tmp:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(os.path.join(tmp, "notify"))
        env = dict(os.environ, TZ="UTC", NOTIFY_SOCKET=os.path.join(tmp, "notify"),
                   WATCHDOG_USEC="2000000")
        # The status page (on a free port) and MQTT to a real broker, by
        # name, so name lookup and libmosquitto are in the trace too.
        broker, port = start_broker(tmp)
        cfg = json.load(open(sim_config()))
        cfg["mqtt"] = {"host": "localhost", "port": port}
        conf = os.path.join(tmp, "config.json")
        json.dump(cfg, open(conf, "w"))
        trace = os.path.join(tmp, "trace")
        try:
            r = sh(["strace", "-f", "-qq", "-o", trace, DAEMON, "--config", conf,
                    "--state-file", os.path.join(tmp, "state.json"),
                    "--sim-speed", "60", "--run-for", "180", "--start",
                    "upper back:1:40", "--record-injury", "now", "--clear-record",
                    "--log-format", "json"], env=env)
        finally:
            broker.kill()
            broker.wait()
        assert r.returncode == 0, r.stderr
        assert "mqtt" in r.stdout.lower() and "connected" in r.stdout.lower(), r.stdout[-1500:]
        r = sh(["strace", "-f", "-qq", "-o", trace + ".off", DAEMON, "--config",
                EXAMPLE, "--all-off"])
        assert r.returncode == 0, r.stderr
        sock.close()
        used, families = set(), set()
        for name in (trace, trace + ".off"):
            for line in open(name):
                m = re.match(r"\d+\s+([a-z0-9_]+)\(", line)
                if m:
                    used.add(m.group(1))
                m = re.search(r"socket\((AF_[A-Z0-9]+)", line)
                if m:
                    families.add(m.group(1))
        # execve runs before the filter is in place (systemd applies it at
        # exec), and the first one is strace's.
        used.discard("execve")
        outside = sorted(used - allowed)
        print("  %d system calls used, address families %s" % (
            len(used), sorted(families) or "none"))
        assert not outside, "calls the unit's filter refuses: %s" % outside
        assert families <= fams, families - fams
        assert {"AF_UNIX", "AF_INET"} <= families   # notify, page, MQTT


# --- sd_notify, watchdog, --all-off ------------------------------------------

class Notify:
    """A stand-in for systemd's notify socket, and a daemon under it."""

    def __init__(self, tmp, args, watchdog_s=2):
        self.path = os.path.join(tmp, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.msgs = []                  # (time, message)
        self.relay_log = os.path.join(tmp, "relay.log")
        env = dict(os.environ, TZ="UTC", NOTIFY_SOCKET=self.path)
        if watchdog_s:
            env["WATCHDOG_USEC"] = str(int(watchdog_s * 1e6))
        self.proc = subprocess.Popen(
            [DAEMON, "--config", sim_config(), "--state-file",
             os.path.join(tmp, "state.json"), "--log-format", "json",
             "--status-every", "0", "--sim-relay-log", self.relay_log] + args,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            cwd=ROOT)

    def collect(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            try:
                self.msgs.append((time.time(), self.sock.recv(4096).decode()))
            except socket.timeout:
                pass

    def wait_for(self, pred, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            try:
                m = self.sock.recv(4096).decode()
            except socket.timeout:
                continue
            self.msgs.append((time.time(), m))
            if pred(m):
                return m
        raise AssertionError("no such message; got %r" % [m for _, m in self.msgs])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=20)
        self.collect(0.3)
        self.sock.close()
        return out, err


@test
def notify_ready_status_watchdog_stopping():
    with tempfile.TemporaryDirectory() as tmp:
        n = Notify(tmp, ["--sim-speed", "1", "--start", "upper back:20:40"])
        try:
            ready = n.wait_for(lambda m: "READY=1" in m)
            # The relay record is empty at READY: nothing was switched on
            # before the daemon said it was ready with every relay off.
            assert "STATUS=started, all relays off" in ready, ready
            t_ready = time.time()
            n.collect(3.0)
            pings = [t for t, m in n.msgs if m == "WATCHDOG=1"]
            # WatchdogSec=2: a ping at most every 0.5 s, from the 1 s tick.
            assert len(pings) >= 2, n.msgs
            assert all(b - a >= 0.45 for a, b in zip(pings, pings[1:])), pings
            assert pings[0] - t_ready < 1.5
            status = [m for _, m in n.msgs if m.startswith("STATUS=")]
            assert any("upper back: heating to 40.0 °C, 20 min left, pad" in s
                       and "lower back: off, pad" in s for s in status), status
        finally:
            out, err = n.stop()
        assert n.proc.returncode == 0, err
        assert any(m.startswith("STOPPING=1\nSTATUS=stopping") for _, m in n.msgs)
        lines = [json.loads(l) for l in out.splitlines()]
        assert any("all relays off" in l.get("msg", "") for l in lines), out
        record = open(n.relay_log).read().split("\n")
        assert record[-2].split()[1:3] == ["0", "off"], record


@test
def late_tick_gets_no_ping():
    """A loop that was stuck (here: stopped for 3 s, longer than half the
    2 s watchdog past its 1 s tick) does not ping for that tick, says so,
    and pings again once it runs on time."""
    with tempfile.TemporaryDirectory() as tmp:
        n = Notify(tmp, ["--sim-speed", "1"])
        try:
            n.wait_for(lambda m: m == "WATCHDOG=1")
            n.collect(1.2)
            os.kill(n.proc.pid, signal.SIGSTOP)
            n.collect(3.0)
            t_cont = time.time()
            os.kill(n.proc.pid, signal.SIGCONT)
            n.collect(3.0)
        finally:
            out, err = n.stop()
        after = [t - t_cont for t, m in n.msgs if m == "WATCHDOG=1" and t > t_cont]
        # The tick that ran at once on SIGCONT was late: no ping from it;
        # the next on-time tick (1 s later) pings.
        assert after, n.msgs
        assert after[0] > 0.7, after
        events = [json.loads(l) for l in out.splitlines()]
        assert any(e.get("msg") == "control tick late: no watchdog ping"
                   for e in events), out


@test
def no_watchdog_no_pings():
    with tempfile.TemporaryDirectory() as tmp:
        n = Notify(tmp, ["--sim-speed", "1"], watchdog_s=0)
        try:
            n.wait_for(lambda m: "READY=1" in m)
            n.collect(2.5)
        finally:
            n.stop()
        assert not [m for _, m in n.msgs if "WATCHDOG" in m], n.msgs


@test
def all_off_drives_every_relay_off():
    r = sh([DAEMON, "--config", EXAMPLE, "--all-off"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["upper back: relay off",
                                     "lower back: relay off"], r.stdout
    # It writes no state and needs none.
    with tempfile.TemporaryDirectory() as tmp:
        cfg = json.load(open(EXAMPLE))
        cfg["state_file"] = os.path.join(tmp, "state.json")
        path = os.path.join(tmp, "c.json")
        json.dump(cfg, open(path, "w"))
        r = sh([DAEMON, "--config", path, "--all-off"])
        assert r.returncode == 0 and os.listdir(tmp) == ["c.json"], os.listdir(tmp)


@test
def all_off_with_a_bad_config_fails_loudly():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "c.json")
        with open(path, "w") as f:
            f.write('{"zones": 5}')
        r = sh([DAEMON, "--config", path, "--all-off"])
        assert r.returncode != 0
        assert "not a valid configuration" in r.stderr and "zones" in r.stderr, r.stderr
        r = sh([DAEMON, "--config", os.path.join(tmp, "missing.json"), "--all-off"])
        assert r.returncode != 0 and r.stderr, r.stderr


@test
def no_zones_is_not_configured_yet():
    """The shipped config: the daemon says so in one paragraph and exits 2
    (RestartPreventExitStatus=2: no restart loop); --all-off has nothing to
    do and succeeds."""
    conf = os.path.join(ROOT, "systemd", "config.example.json")
    r = sh([DAEMON, "--config", conf], timeout=20)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and "not configured yet" in r.stderr, r.stderr
    for s in ("heatpadd --probe", "/usr/share/doc/heatpad/examples/pi.json",
              "sudo heatpadd --check-config"):
        assert s in r.stderr, (s, r.stderr)
    assert r.stdout == "", r.stdout        # no start-up line: nothing opened
    r = sh([DAEMON, "--config", conf, "--all-off"])
    assert r.returncode == 0 and "no zones" in r.stdout, r.stdout + r.stderr


@test
def a_missing_gpio_chip_exits_2_naming_it():
    with tempfile.TemporaryDirectory() as tmp:
        cfg = {"state_file": os.path.join(tmp, "state.json"),
               "zones": [{"name": "pad",
                          "sensor": {"type": "ds18b20", "id": "28-0316a2795c9f",
                                     "w1_root": tmp},
                          "relay": {"type": "gpio", "chip": "pinctrl-rp1",
                                    "line": 17}}]}
        path = os.path.join(tmp, "c.json")
        json.dump(cfg, open(path, "w"))
        r = sh([DAEMON, "--config", path], timeout=20)
        assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
        assert 'no GPIO chip "pinctrl-rp1"' in r.stdout + r.stderr, r.stdout + r.stderr
        assert "--probe" in r.stdout + r.stderr


@test
def simulated_zones_are_marked():
    with tempfile.TemporaryDirectory() as tmp:
        r = sh([DAEMON, "--config", sim_config(), "--state-file",
                os.path.join(tmp, "s.json"), "--sim-speed", "60", "--run-for", "2",
                "--log-format", "json", "--status-every", "0"],
               env=dict(os.environ, TZ="UTC"))
        assert r.returncode == 0, r.stderr
        start = [json.loads(l) for l in r.stdout.splitlines()
                 if "zone(s), all relays off" in l]
        assert start and "SIMULATED" in start[0]["msg"], r.stdout
    # The status JSON (the page's banner and MQTT's state read it).
    import urllib.request
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.Popen([DAEMON, "--config", sim_config(), "--state-file",
                              os.path.join(tmp, "s.json")], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        try:
            url = None
            for _ in range(200):
                m = re.search(r"status page on (http://\S+)", p.stdout.readline())
                if m:
                    url = m.group(1)
                    break
            assert url, "no 'status page on' line"
            st = json.load(urllib.request.urlopen(url + "api/status", timeout=10))
            assert [z["simulated"] for z in st["zones"]] == [True, True], st["zones"]
        finally:
            p.send_signal(signal.SIGTERM)
            p.communicate(timeout=20)


# --- make install / uninstall --------------------------------------------------

def tree(root):
    out = set()
    for d, dirs, files in os.walk(root):
        for name in files:
            out.add(os.path.relpath(os.path.join(d, name), root))
    return out


@test
def make_install_layout():
    with tempfile.TemporaryDirectory() as dest:
        r = make_install(dest, "PREFIX=/opt/hp")
        assert "installed example" in r.stdout
        files = tree(dest)
        for f in ["opt/hp/bin/heatpadd", "opt/hp/lib/systemd/system/heatpad.service",
                  "opt/hp/share/heatpad/config.example.json", "etc/heatpad/config.json"]:
            assert f in files, (f, sorted(files))
        assert os.path.isdir(os.path.join(dest, "opt/hp/share/heatpad/web"))
        if os.path.isdir(os.path.join(ROOT, "web")):
            for f in tree(os.path.join(ROOT, "web")):
                if "node_modules" not in f:
                    assert "opt/hp/share/heatpad/web/" + f in files, f
        assert os.access(os.path.join(dest, "opt/hp/bin/heatpadd"), os.X_OK)
        unit = parse_unit(os.path.join(dest, "opt/hp/lib/systemd/system/heatpad.service"))
        assert one(unit, "Service", "ExecStart") == \
            "/opt/hp/bin/heatpadd --config /etc/heatpad/config.json"
        assert one(unit, "Service", "ExecStopPost").startswith("/opt/hp/bin/heatpadd ")
        assert one(unit, "Service", "WorkingDirectory") == "/opt/hp/share/heatpad"
        # The shipped config has no zones: valid, and not configured yet.
        conf = os.path.join(dest, "etc/heatpad/config.json")
        assert json.load(open(conf))["zones"] == []
        r = sh([DAEMON, "--check-config", conf])
        assert r.returncode == 2 and "not configured yet" in r.stderr, r.stderr
        assert "--probe" in r.stderr and "examples/pi.json" in r.stderr, r.stderr


@test
def installed_daemon_serves_the_installed_page():
    """The installed binary, run as the unit runs it (its WorkingDirectory,
    the installed example config), serves the installed web files."""
    import urllib.request
    if not os.path.isfile(os.path.join(ROOT, "web", "index.html")):
        raise Skip("no web/index.html in this tree yet")
    with tempfile.TemporaryDirectory() as dest:
        make_install(dest, "PREFIX=/usr")
        unit = parse_unit(os.path.join(dest, "usr/lib/systemd/system/heatpad.service"))
        workdir = dest + one(unit, "Service", "WorkingDirectory")
        cfg = json.load(open(os.path.join(dest, "etc/heatpad/config.json")))
        assert "web_root" not in cfg.get("http", {}), cfg    # the default
        cfg["zones"] = json.load(open(EXAMPLE))["zones"]     # it has none
        cfg["http"]["port"] = 0
        cfg["state_file"] = os.path.join(dest, "state.json")
        conf = os.path.join(dest, "config.json")
        json.dump(cfg, open(conf, "w"))
        p = subprocess.Popen([dest + "/usr/bin/heatpadd", "--config", conf],
                             cwd=workdir, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            url = None
            for _ in range(200):
                line = p.stdout.readline()
                m = re.search(r"status page on (http://\S+)", line)
                if m:
                    url = m.group(1)
                    break
            assert url, "no 'status page on' line"
            page = urllib.request.urlopen(url, timeout=10).read().decode()
            assert page == open(os.path.join(ROOT, "web", "index.html")).read()
        finally:
            p.send_signal(signal.SIGTERM)
            p.communicate(timeout=20)
        assert p.returncode == 0


@test
def second_install_keeps_a_changed_config_and_uninstall_reverses():
    with tempfile.TemporaryDirectory() as dest:
        make_install(dest)
        conf = os.path.join(dest, "etc/heatpad/config.json")
        with open(conf, "a") as f:
            f.write("\n")               # the person's edit
        changed = open(conf).read()
        r = make_install(dest)
        assert "kept existing" in r.stdout
        assert open(conf).read() == changed
        r = sh(["make", "--no-print-directory", "uninstall", "DESTDIR=" + dest])
        assert r.returncode == 0, r.stderr
        assert "kept changed" in r.stdout
        assert tree(dest) == {"etc/heatpad/config.json"}, tree(dest)
    with tempfile.TemporaryDirectory() as dest:
        make_install(dest)
        r = sh(["make", "--no-print-directory", "uninstall", "DESTDIR=" + dest])
        assert r.returncode == 0, r.stderr
        assert tree(dest) == set(), tree(dest)  # an untouched example goes too


# --- the Debian package ----------------------------------------------------

def build_deb(revision):
    r = sh(["scripts/build-deb", "bookworm", "amd64"],
           env=dict(os.environ, DEB_REVISION=str(revision)))
    assert r.returncode == 0, r.stdout + r.stderr
    return os.path.join(ROOT, r.stdout.strip().splitlines()[-1])


@test
def deb_fields_and_contents():
    if sh(["dpkg", "--print-architecture"]).stdout.strip() != "amd64":
        raise Skip("the test builds the amd64 package on an amd64 host")
    deb = build_deb(1)
    f = lambda field: sh(["dpkg-deb", "-f", deb, field]).stdout.strip()
    assert f("Package") == "heatpad" and f("Architecture") == "amd64"
    assert re.fullmatch(r"\d+\.\d+\.\d+-1~deb12", f("Version")), f("Version")
    deps = [d.strip().split()[0] for d in f("Depends").split(",")]
    for d in ("libc6", "libcjson1", "libgpiod2", "libmicrohttpd12", "systemd"):
        assert d in deps, f("Depends")
    with tempfile.TemporaryDirectory() as tmp:
        sh(["dpkg-deb", "-e", deb, tmp])
        assert open(os.path.join(tmp, "conffiles")).read().split() == \
            ["/etc/heatpad/config.json"]
        for s in ("preinst", "postinst", "prerm", "postrm"):
            assert os.access(os.path.join(tmp, s), os.X_OK), s
        # Enabled through deb-systemd-helper, never started by the package
        # (the config it ships has no zones); restarted on upgrade.
        post = open(os.path.join(tmp, "postinst")).read()
        code = "\n".join(l for l in post.splitlines()
                         if not l.strip().startswith(("#", "echo", '"')))
        assert "deb-systemd-helper enable heatpad.service" in code, code
        assert "systemctl start" not in code and "invoke start" not in code, code
        assert "deb-systemd-invoke try-restart heatpad.service" in code, code
    listing = sh(["dpkg-deb", "-c", deb]).stdout
    for path in ("./usr/bin/heatpadd", "./usr/lib/systemd/system/heatpad.service",
                 "./usr/lib/sysusers.d/heatpad.conf",
                 "./usr/lib/udev/rules.d/60-heatpad-gpio.rules",
                 "./usr/share/doc/heatpad/copyright",
                 "./usr/share/doc/heatpad/changelog.Debian.gz",
                 "./usr/share/man/man8/heatpadd.8.gz",
                 "./usr/share/man/man5/heatpad.json.5.gz",
                 "./usr/share/doc/heatpad/examples/pi.json",
                 "./etc/heatpad/config.json", "./usr/share/heatpad/web/",
                 "./usr/share/heatpad/config.example.json"):
        assert re.search(r" %s$" % re.escape(path), listing, re.M), (path, listing)
    assert re.search(r"^-rwxr-xr-x root/root .* \./usr/bin/heatpadd$", listing, re.M)
    if os.path.isfile(os.path.join(ROOT, "web", "index.html")):
        assert " ./usr/share/heatpad/web/index.html\n" in listing, listing
    unit = sh(["sh", "-c", "dpkg-deb --fsys-tarfile %s | tar -xO "
               "./usr/lib/systemd/system/heatpad.service" % deb]).stdout
    assert "WorkingDirectory=/usr/share/heatpad\n" in unit, unit
    with tempfile.TemporaryDirectory() as tmp:
        sh(["dpkg-deb", "-x", deb, tmp])
        sections = sh(["objdump", "-h", os.path.join(tmp, "usr/bin/heatpadd")]).stdout
        assert ".debug_info" not in sections, "binary not stripped"


def fake_root(root):
    """A root tree with the files useradd and dpkg need, and a gpio and a
    dialout group as on Raspberry Pi OS."""
    os.makedirs(os.path.join(root, "etc"))
    os.makedirs(os.path.join(root, "var/lib/dpkg/info"))
    os.makedirs(os.path.join(root, "var/lib/dpkg/updates"))
    os.makedirs(os.path.join(root, "var/lib/dpkg/triggers"))
    open(os.path.join(root, "var/lib/dpkg/status"), "w").close()
    files = {
        "etc/passwd": "root:x:0:0:root:/root:/bin/bash\n",
        "etc/group": "root:x:0:\ndialout:x:20:\ngpio:x:997:\n",
        "etc/shadow": "root:*:19000:0:99999:7:::\n",
        "etc/gshadow": "root:*::\ndialout:*::\ngpio:!::\n",
    }
    for name, text in files.items():
        with open(os.path.join(root, name), "w") as f:
            f.write(text)
    os.chmod(os.path.join(root, "etc/shadow"), 0o640)
    os.chmod(os.path.join(root, "etc/gshadow"), 0o640)


def dpkg(root, *args):
    return sh(["dpkg", "--root=" + root, "--force-script-chrootless",
               "--force-depends", "--force-confold", "--log=/dev/null"] + list(args),
              env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


@test
def deb_installs_upgrades_and_purges_in_a_throwaway_root():
    if os.geteuid() != 0:
        raise Skip("dpkg --root needs root")
    if sh(["dpkg", "--print-architecture"]).stdout.strip() != "amd64":
        raise Skip("the test builds the amd64 package on an amd64 host")
    deb1, deb2 = build_deb(1), build_deb(2)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "root")
        fake_root(root)
        r = dpkg(root, "-i", deb1)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "not configured yet" in r.stdout, r.stdout
        # The user: a system account in the gpio and dialout groups.
        pw = [l.split(":") for l in open(os.path.join(root, "etc/passwd"))]
        user = [p for p in pw if p[0] == "heatpad"]
        assert user and int(user[0][2]) < 1000, pw
        assert user[0][5] == "/var/lib/heatpad" and user[0][6].strip().endswith("nologin")
        groups = {l.split(":")[0]: l.strip().split(":")[3].split(",")
                  for l in open(os.path.join(root, "etc/group"))}
        assert "heatpad" in groups["gpio"] and "heatpad" in groups["dialout"], groups
        gid = [l.split(":")[2] for l in open(os.path.join(root, "etc/group"))
               if l.startswith("heatpad:")][0]
        conf = os.path.join(root, "etc/heatpad/config.json")
        st = os.stat(conf)
        assert oct(st.st_mode & 0o777) == "0o640" and str(st.st_gid) == gid
        # Enabled (the wants link), not started (nothing runs it here).
        link = os.path.join(root, "etc/systemd/system/multi-user.target.wants/heatpad.service")
        assert os.path.islink(link), "not enabled"
        q = sh(["dpkg-query", "--admindir=" + root + "/var/lib/dpkg", "-W",
                "-f", "${Version} ${Conffiles}", "heatpad"])
        assert re.match(r"\S+-1~deb12 ", q.stdout), q.stdout
        assert "/etc/heatpad/config.json" in q.stdout, q.stdout

        # The person configures it and uses it: a changed config, and a
        # state file written by release 0.1.0 (an injury record).
        cfg = json.load(open(sim_config()))
        cfg["state_file"] = os.path.join(root, "var/lib/heatpad/state.json")
        with open(conf, "w") as f:
            json.dump(cfg, f)
        changed = open(conf).read()
        os.makedirs(os.path.join(root, "var/lib/heatpad"))
        shutil.copy(FIXTURE, os.path.join(root, "var/lib/heatpad/state.json"))

        r = dpkg(root, "-i", deb2)
        assert r.returncode == 0, r.stdout + r.stderr
        q = sh(["dpkg-query", "--admindir=" + root + "/var/lib/dpkg", "-W",
                "-f", "${Version}", "heatpad"])
        assert q.stdout.endswith("-2~deb12"), q.stdout
        assert open(conf).read() == changed, "the upgrade overwrote the config"
        assert open(os.path.join(root, "var/lib/heatpad/state.json")).read() == \
            open(FIXTURE).read()
        # The upgraded binary reads the old state file: the injury record
        # of 2025-11-24 18:55 UTC and its warning signs still block heat an
        # hour later (the signs say why first).
        r = sh([os.path.join(root, "usr/bin/heatpadd"), "--config", conf,
                "--sim-start", "2025-11-24T19:55", "--sim-speed", "60",
                "--run-for", "5", "--start", "upper back:20:40",
                "--log-format", "json", "--status-every", "0"],
               env=dict(os.environ, TZ="UTC"))
        assert r.returncode == 0, r.stderr
        assert "corrupt" not in r.stdout, r.stdout
        assert re.search(r"heat is blocked: .*doctor", r.stdout) and \
            '"session_start"' not in r.stdout, r.stdout

        r = dpkg(root, "--purge", "heatpad")
        assert r.returncode == 0, r.stdout + r.stderr
        assert not os.path.exists(os.path.join(root, "usr/bin/heatpadd"))
        assert not os.path.lexists(link)
        assert not os.path.exists(conf)
        assert not os.path.exists(os.path.join(root, "var/lib/heatpad"))


@test
def deb_remove_and_reinstall_keep_the_admins_enablement():
    """deb-systemd-helper remembers: an enabled service is enabled again
    after remove + reinstall, one the admin disabled stays disabled."""
    if os.geteuid() != 0:
        raise Skip("dpkg --root needs root")
    if sh(["dpkg", "--print-architecture"]).stdout.strip() != "amd64":
        raise Skip("the test builds the amd64 package on an amd64 host")
    deb = build_deb(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "root")
        fake_root(root)
        link = os.path.join(root, "etc/systemd/system/multi-user.target.wants/"
                            "heatpad.service")
        r = dpkg(root, "-i", deb)
        assert r.returncode == 0 and os.path.lexists(link), r.stdout + r.stderr
        for step in ("-r", "-i"):
            r = dpkg(root, step, deb if step == "-i" else "heatpad")
            assert r.returncode == 0, r.stdout + r.stderr
        assert os.path.lexists(link), "remove + reinstall disabled the service"
        os.unlink(link)                 # the admin: systemctl disable heatpad
        for step in ("-r", "-i"):
            r = dpkg(root, step, deb if step == "-i" else "heatpad")
            assert r.returncode == 0, r.stdout + r.stderr
        assert not os.path.lexists(link), "reinstall enabled a disabled service"


@test
def deb_installs_where_a_heatpad_group_exists_already():
    if os.geteuid() != 0:
        raise Skip("dpkg --root needs root")
    if sh(["dpkg", "--print-architecture"]).stdout.strip() != "amd64":
        raise Skip("the test builds the amd64 package on an amd64 host")
    deb = build_deb(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "root")
        fake_root(root)
        # No gpio group either, as on plain Debian: the package makes one.
        for name, line in (("etc/group", "heatpad:x:990:\n"),
                           ("etc/gshadow", "heatpad:!::\n")):
            text = open(os.path.join(root, name)).read()
            text = "".join(l for l in text.splitlines(True)
                           if not l.startswith("gpio:"))
            open(os.path.join(root, name), "w").write(text + line)
        r = dpkg(root, "-i", deb)
        assert r.returncode == 0, r.stdout + r.stderr
        q = sh(["dpkg-query", "--admindir=" + root + "/var/lib/dpkg", "-W",
                "-f", "${Status}", "heatpad"])
        assert q.stdout == "install ok installed", q.stdout
        user = [l.split(":") for l in open(os.path.join(root, "etc/passwd"))
                if l.startswith("heatpad:")]
        assert user and user[0][3] == "990", user
        groups = {l.split(":")[0]: l.strip().split(":")[3].split(",")
                  for l in open(os.path.join(root, "etc/group"))}
        assert "heatpad" in groups.get("gpio", []), groups
        assert os.path.exists(os.path.join(
            root, "usr/lib/udev/rules.d/60-heatpad-gpio.rules"))


@test
def shlibdeps_matches_dpkg_shlibdeps():
    """scripts/shlibdeps (a sysroot's .debs) against dpkg-shlibdeps itself
    (the host's dpkg database), on the bookworm amd64 build where both can
    run: the same Depends."""
    host = sh(["sh", "-c", ". /etc/os-release; echo $VERSION_CODENAME"]).stdout.strip()
    if host != "bookworm" or not shutil.which("dpkg-shlibdeps"):
        raise Skip("needs a bookworm host with dpkg-dev (host: %s)" % host)
    build_deb(1)
    binary = os.path.join(ROOT, "build/cross/bookworm-amd64/out/heatpadd")
    ours = sh(["scripts/shlibdeps", binary,
               os.path.join(ROOT, "build/cross/bookworm-amd64/apt/archives")])
    assert ours.returncode == 0, ours.stderr
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "debian"))
        with open(os.path.join(tmp, "debian", "control"), "w") as f:
            f.write("Source: x\n\nPackage: x\nArchitecture: any\n")
        theirs = sh(["dpkg-shlibdeps", "-O", binary], cwd=tmp)
    assert theirs.returncode == 0, theirs.stderr
    want = theirs.stdout.strip().split("=", 1)[1]
    assert ours.stdout.strip() == want, (ours.stdout, want)


@test
def a_missing_serial_device_exits_2_naming_it():
    """Given 10 s to appear (a USB adapter late at boot), then exit 2 (not
    restarted) with the device and the fix."""
    with tempfile.TemporaryDirectory() as tmp:
        link = {"device": os.path.join(tmp, "ttyUSB9"), "unit": 1}
        cfg = {"state_file": os.path.join(tmp, "state.json"),
               "zones": [{"name": "pad",
                          "sensor": dict(link, type="modbus", register=0),
                          "relay": dict(link, type="modbus", unit=2, coil=0)}]}
        path = os.path.join(tmp, "c.json")
        json.dump(cfg, open(path, "w"))
        t0 = time.time()
        r = sh([DAEMON, "--config", path], timeout=40)
        took = time.time() - t0
        out = r.stdout + r.stderr
        assert r.returncode == 2, (r.returncode, out)
        assert "no serial device %s" % link["device"] in out, out
        assert "/dev/serial/by-id/" in out, out
        assert 9 <= took <= 20, took


def main():
    if not os.path.exists(DAEMON):
        print("build/heatpadd missing: run make first")
        closing("systemd", 0, 1)
        return 1
    failed = run_tests(TESTS, "systemd")
    shutil.rmtree(SIM_DIR, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
