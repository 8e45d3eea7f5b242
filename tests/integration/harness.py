"""What the python integration suites share: waiting for a condition and
running a list of test functions to one closing line ("LABEL: N passed,
N failed"), which make check and CI read."""
import http.client
import json
import os
import re
import sys
import threading
import time
import traceback


def wait_until(pred, what, timeout=10, step=0.05):
    """Polls pred() until it holds; fails the test naming `what`."""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


def run_tests(tests, label, select=None):
    """Runs each test (those select(fn) keeps), printing ok/FAIL with its
    time and a traceback on failure; returns the number that failed."""
    passed = failed = 0
    t_all = time.time()
    for fn in tests:
        if select and not select(fn):
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok   %s (%.1f s)" % (fn.__name__, time.time() - t0))
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc()
        sys.stdout.flush()
    print("%s: %d passed, %d failed (%.0f s)" % (label, passed, failed,
                                                 time.time() - t_all))
    return failed


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
