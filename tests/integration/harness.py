"""What the python suites share: one Daemon (config, state file, relay
record, JSON log, port wait, the simulation control socket, a stop that
checks the exit code), waiting for a condition, and one runner whose
closing line ("LABEL: N passed, N failed, N skipped") make check and CI
read. A test that cannot run here raises Skip and is counted as a skip,
never as a pass."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# HEATPAD_DAEMON picks another build, e.g. build/asan/heatpadd.
DAEMON = os.environ.get("HEATPAD_DAEMON", os.path.join(ROOT, "build", "heatpadd"))
WEB = os.path.join(ROOT, "web")
# The day most tests start on (a Tuesday, outside quiet hours 23:00-07:00).
START = "2026-11-24T20:00"


class Skip(Exception):
    """A test that cannot run on this machine (no tmpfs, no root, ...):
    counted and printed as a skip."""


def wait_until(pred, what, timeout=10, step=0.05):
    """Polls pred() until it holds; fails the test naming `what`."""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


def run_tests(tests, label, select=None, after=None):
    """Runs each test (those select(fn) keeps), printing ok/FAIL/skip with
    its time and a traceback on failure, after() once after each; ends
    with "LABEL: N passed, N failed, N skipped (T s)" and returns the
    number that failed."""
    passed = failed = skipped = 0
    t_all = time.time()
    for fn in tests:
        if select and not select(fn):
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok   %s (%.1f s)" % (fn.__name__, time.time() - t0))
        except Skip as e:
            skipped += 1
            print("skip %s: %s" % (fn.__name__, e))
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc()
        finally:
            if after:
                after()
        sys.stdout.flush()
    closing(label, passed, failed, skipped, time.time() - t_all)
    return failed


def closing(label, passed, failed, skipped=0, seconds=None):
    """The one closing line every suite prints."""
    print("%s: %d passed, %d failed, %d skipped%s" % (
        label, passed, failed, skipped,
        " (%.0f s)" % seconds if seconds is not None else ""))
    sys.stdout.flush()


def read_relay_record(path, full=False):
    """The simulated relay's own record (--sim-relay-log). Switch lines are
    "MONO_MS ZONE on|off WALL TEMP_C"; fault lines "MONO_MS ZONE fault KIND
    WALL TEMP_C" say what was done to the simulated hardware, and clock
    lines "MONO_MS -1 clock +S WALL" a step of the simulated wall clock
    (--sim-clock-step; WALL is after the step), and light lines "MONO_MS
    ZONE light on|off WALL TEMP_C" a simulated indicator light's changes
    (read_light_record). By default
    [(mono_ms, zone, on)] for the switches; full=True gives every line as a
    dict (mono_ms, zone, what, kind, wall, temp_c)."""
    rows = []
    try:
        f = open(path)
    except FileNotFoundError:
        return rows
    with f:
        for line in f:
            p = line.split()
            if len(p) < 3:
                continue        # a line cut short by SIGKILL
            if full:
                fault = p[2] in ("fault", "clock", "light")
                rest = p[4:] if fault else p[3:]
                rows.append({"mono_ms": int(p[0]), "zone": int(p[1]),
                             "what": p[2], "kind": p[3] if fault else None,
                             "wall": int(rest[0]) if rest else None,
                             "temp_c": float(rest[1]) if len(rest) > 1 else None})
            elif p[2] in ("on", "off"):
                rows.append((int(p[0]), int(p[1]), p[2] == "on"))
    return rows


def read_light_record(path):
    """The simulated indicator lights' changes from the relay log:
    [(mono_ms, zone, on)]."""
    return [(r["mono_ms"], r["zone"], r["kind"] == "on")
            for r in read_relay_record(path, full=True) if r["what"] == "light"]


def write_figures(name, title, rows):
    """Keeps a suite's figures for `make reliability`'s table: rows of
    (figure, value, note) go to build/reliability/NAME.json, and are printed
    here too. Values are what was measured in this run, never constants."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    out = os.path.join(root, "build", "reliability")
    os.makedirs(out, exist_ok=True)
    rows = [[str(r[0]), r[1], str(r[2]) if len(r) > 2 else ""] for r in rows]
    tmp = os.path.join(out, name + ".json.tmp")
    with open(tmp, "w") as f:
        json.dump({"title": title, "rows": rows}, f, indent=1)
    os.replace(tmp, os.path.join(out, name + ".json"))
    print("%s:" % title)
    for fig, val, note in rows:
        print("  %-44s %14s  %s" % (fig, val, note))


class JsonLog:
    """A daemon's --log-format json stdout, read on a thread of its own:
    every line kept with the time it came (clock(), real monotonic seconds
    by default), and the status page's port noted from its "status page on
    http://HOST:PORT/" line. copy: a file each raw line is also written to.
    A line that is not JSON is kept as {"event": "garbage", "line": ...}."""

    PAGE = re.compile(r"status page on http://[^/]*:(\d+)/")

    def __init__(self, stream, copy=None, clock=time.monotonic):
        self.lines = []
        self.lock = threading.Lock()
        self.port = None
        self.ended = threading.Event()
        self.clock = clock
        threading.Thread(target=self._read, args=(stream, copy),
                         daemon=True).start()

    def _read(self, stream, copy):
        for line in stream:
            if copy:
                copy.write(line)
            try:
                ev = json.loads(line)
            except ValueError:
                ev = {"event": "garbage", "line": line}
            msg = ev.get("msg", "")
            m = self.PAGE.match(msg)
            if self.port is None and m:
                self.port = int(m.group(1))
            with self.lock:
                self.lines.append((self.clock(), ev))
        self.ended.set()

    def timed(self, kind=None, t0=0.0, t1=float("inf")):
        """[(time, event)] of that kind (any when None) that came in [t0, t1]."""
        with self.lock:
            return [(t, e) for t, e in self.lines if t0 <= t <= t1 and
                    (kind is None or e.get("event") == kind)]

    def events(self, kind=None, t0=0.0, t1=float("inf")):
        return [e for _, e in self.timed(kind, t0, t1)]

    def wait_port(self, timeout=15):
        """The page's port, once the daemon said it; fails if it did not
        in time or its output ended first."""
        end = time.monotonic() + timeout
        while self.port is None and not self.ended.is_set() and \
                time.monotonic() < end:
            time.sleep(0.01)
        if self.port is None:
            raise AssertionError("no status page line; log so far: %r" %
                                 self.events()[-5:])
        return self.port


def proc_figures(pid):
    """A live process's (CPU seconds used, VmRSS kB, VmHWM kB), from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    mem = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, v = line.split(":", 1)
            if k in ("VmRSS", "VmHWM"):
                mem[k] = int(v.split()[0])
    return cpu, mem["VmRSS"], mem["VmHWM"]


def http_request(port, method, path, body=None, headers=None, raw=None,
                 source=None):
    """One request to the daemon's page on 127.0.0.1: body as JSON, or raw
    bytes as they are; source, a local address to send from (127.0.0.2 is
    another client to the daemon). Returns (status, headers, parsed JSON or
    text)."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10,
        source_address=(source, 0) if source else None)
    hdrs = {"Host": "127.0.0.1:%d" % port}
    hdrs.update(headers or {})
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    if data is not None and "Content-Type" not in hdrs:
        hdrs["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
    finally:
        conn.close()
    try:
        payload = json.loads(text)
    except ValueError:
        payload = text
    return r.status, dict(r.getheaders()), payload


def sanitizer_env(daemon, env):
    """A sanitizer build's options where the caller set none: leaks are
    checked at exit and the first UBSan report ends the run."""
    if "/asan/" in daemon:
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


_CONTROL = {}


def has_control(daemon=DAEMON):
    """Whether this build has the simulation control socket
    (--sim-control); a suite asks for it and falls back to pacing at
    --sim-speed on a build without."""
    if daemon not in _CONTROL:
        r = subprocess.run([daemon, "--help"], capture_output=True, text=True)
        _CONTROL[daemon] = "--sim-control" in r.stdout + r.stderr
    return _CONTROL[daemon]


class Daemon:
    """One heatpadd in simulation, in a temp dir of its own.

    cfg: a config dict (written to DIR/config.json) or a config file's path.
    state: the --state-file path (DIR/state.json when None; False passes
    none, for a config that names its own). start / speed: --sim-start and
    --sim-speed (None passes none). control: start with --sim-control
    (where the build has it; then no --sim-speed), so virtual time moves
    only by advance() and until(). port: wait for the status page's
    port (default: when a config dict has an http section). merge: stderr
    into the JSON log (kept as "garbage" lines) rather than self.err.
    clock: what JsonLog stamps lines with. tz: the TZ the daemon runs in.
    relay_log: pass --sim-relay-log (False for a daemon on real hardware,
    where every --sim-* option is refused).
    """

    def __init__(self, cfg, args=(), state=None, start=START, speed=1,
                 control=False, port=None, prefix="heatpad-", dir=None,
                 tz="Europe/Berlin", env=None, status_every=0, merge=False,
                 clock=time.monotonic, copy=None, daemon=None, timeout=15,
                 relay_log=True):
        self.dir = dir or tempfile.mkdtemp(prefix=prefix)
        self.owns_dir = dir is None
        self.daemon = daemon or DAEMON
        self.relay_log = os.path.join(self.dir, "relay.log")
        if isinstance(cfg, dict):
            self.cfg = cfg
            self.config = os.path.join(self.dir, "config.json")
            with open(self.config, "w") as f:
                json.dump(cfg, f)
        else:
            self.cfg, self.config = None, cfg
        if port is None:
            port = bool(self.cfg and "http" in self.cfg)
        self.state = None if state is False else (
            state or os.path.join(self.dir, "state.json"))
        argv = [self.daemon, "--config", self.config, "--log-format", "json"]
        if relay_log:
            argv += ["--sim-relay-log", self.relay_log]
        else:
            self.relay_log = None
        if self.state:
            argv += ["--state-file", self.state]
        if status_every is not None:
            argv += ["--status-every", str(status_every)]
        control = control and has_control(self.daemon)
        self.speed = 1 if speed in (None, "max") else float(speed)
        if speed is not None and not control:
            argv += ["--sim-speed", str(speed)]
        if start is not None and "--sim-start" not in args:
            argv += ["--sim-start", start]
        self.control_path = None
        if control:
            self.control_path = os.path.join(self.dir, "control.sock")
            argv += ["--sim-control", self.control_path]
        self.argv = argv + list(args)
        e = dict(os.environ, **(env or {}))
        if tz:
            e["TZ"] = tz
        self.proc = subprocess.Popen(
            self.argv, stdout=subprocess.PIPE, text=True,
            stderr=subprocess.STDOUT if merge else subprocess.PIPE,
            env=sanitizer_env(self.daemon, e))
        self.err = ""
        self.err_done = threading.Event()
        if merge:
            self.err_done.set()
        else:
            threading.Thread(target=self._read_err, daemon=True).start()
        self.log = JsonLog(self.proc.stdout, copy=copy, clock=clock)
        self.killed = False
        self.stopped = False
        self.ctl = None
        self.port = None
        try:
            if control:
                self._connect(timeout)
            if port:
                self.port = self.log.wait_port(timeout)
        except BaseException:
            self.stop(expect=None)
            raise

    def _read_err(self):
        for line in self.proc.stderr:
            self.err += line
        self.err_done.set()

    # --- the log ---------------------------------------------------------
    @property
    def events(self):
        return self.log.events()

    def evs(self, kind=None, t0=0.0, t1=float("inf")):
        return self.log.events(kind, t0, t1)

    def timed(self, kind=None, t0=0.0, t1=float("inf")):
        return self.log.timed(kind, t0, t1)

    def logs(self):
        """The human log lines, and any line that was not JSON."""
        return [e.get("msg", e.get("line", "")) for e in self.log.events()
                if e.get("event") in ("log", "garbage")]

    def wait_event(self, pred, timeout=20):
        """The first event pred() holds for; fails with the last few when
        none comes in time or the daemon exits first."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for e in self.log.events():
                if pred(e):
                    return e
            if self.proc.poll() is not None and self.log.ended.is_set():
                break
            time.sleep(0.02)
        raise AssertionError("event not seen; last: %r %s" % (
            self.log.events()[-4:], self.err[-400:]))

    # --- the page and the relay ------------------------------------------
    def req(self, method, path, body=None, headers=None, raw=None):
        """(status, headers, parsed JSON or text)."""
        return http_request(self.port, method, path, body, headers, raw)

    def status(self):
        st, _, s = self.req("GET", "/api/status")
        assert st == 200, s
        return s

    def relay_record(self, full=False):
        return read_relay_record(self.relay_log, full)

    def relay_on(self, zone=0):
        states = [on for _, z, on in self.relay_record() if z == zone]
        return bool(states and states[-1])

    # --- virtual time (--sim-control) ------------------------------------
    def _connect(self, timeout):
        self.wait_event(lambda e: e.get("event") == "sim_control", timeout)
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ctl.settimeout(max(timeout, 60))
        self.ctl.connect(self.control_path)
        self.ctl_in = self.ctl.makefile("r")

    def command(self, line):
        """One request on the control socket; its JSON reply, which must
        say ok."""
        assert self.ctl, "daemon started without control=True"
        self.ctl.sendall((line + "\n").encode())
        reply = self.ctl_in.readline()
        assert reply, "control socket closed; %s" % self.err[-400:]
        r = json.loads(reply)
        assert r.get("ok") is True, (line, r)
        return r

    def advance(self, seconds):
        """Runs virtual time forward; returns the clocks after
        ({"mono_ms": M, "wall": W}) once that moment's work is done."""
        return self.command("advance %g" % seconds)

    def now(self):
        return self.command("now")

    def step(self, seconds):
        """Steps the simulated wall clock (as --sim-clock-step)."""
        return self.command("step %+d" % seconds)

    def pass_time(self, virtual_s):
        """Lets virtual_s virtual seconds pass: advanced at once with the
        control socket, slept at the daemon's speed without."""
        if self.ctl:
            return self.advance(virtual_s)
        time.sleep(virtual_s / self.speed)

    def until(self, pred, what, virtual_s, step_s=1.0):
        """Lets virtual time pass until pred() holds; fails naming `what`
        once virtual_s virtual seconds went by without. With the control
        socket time is advanced step_s at a time (a slow machine changes
        nothing); without, it is waited for in real time at the speed
        the daemon runs at, with 10 s to spare."""
        if not self.ctl:
            wait_until(pred, what, timeout=virtual_s / self.speed + 10)
            return
        t = 0.0
        while not pred():
            if t >= virtual_s:
                raise AssertionError("not within %g virtual s: %s" % (virtual_s, what))
            self.advance(step_s)
            t += step_s

    # --- the end ---------------------------------------------------------
    def alive(self):
        return self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def kill(self):
        """SIGKILL, as a crash or power cut; the files stay."""
        self.killed = True
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.log.ended.wait(5)

    def wait(self, timeout=60):
        """Waits for a daemon that ends by itself (--run-for, a refusal),
        and for its output to be read; returns the exit code."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("still running after %d s: %s" % (
                timeout, " ".join(self.argv)))
        self.log.ended.wait(5)
        self.err_done.wait(5)
        return rc

    def stop(self, expect=0, timeout=20, keep=False):
        """SIGTERM and wait; fails unless it exited with `expect` (None:
        any code). Removes the temp dir unless keep. Returns the code."""
        if self.ctl:
            self.ctl.close()
            self.ctl = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("no exit %d s after SIGTERM" % timeout)
        self.log.ended.wait(5)
        first = not self.stopped
        self.stopped = True
        if self.owns_dir and not keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        if first and expect is not None and not self.killed and rc != expect:
            raise AssertionError("daemon exited %d, not %d; %s" % (
                rc, expect, self.err[-1500:]))
        return rc
