#!/usr/bin/env python3
"""Load and hostile clients on the status page.

build/heatpadd in simulation mode with its page on a free loopback port:

- wrk on /api/status: requests per second, p99, the daemon's CPU and
  memory, and how late the control tick runs while idle and under the load
  (the daemon's own "loop" log lines). Asserted: every request answered
  200, no tick a second late or more, no fault, no "control tick late",
  and the systemd watchdog (a socket of ours as NOTIFY_SOCKET) pinged
  throughout.
- Slowloris: more dribbling connections from 127.0.0.1 than its per-address
  limit, and silent ones from 127.0.0.3. Asserted: the extra ones are
  refused, a client from 127.0.0.2 is answered throughout, a session goes
  on regulating and ends on time, the silent ones are closed by the idle
  timeout.
- Oversized headers, URLs and bodies on the POST/PUT endpoints: refused
  with a status that says why, the connection closed, nothing changed.
- --long only: silent connections from four addresses fill the global
  limit; a client from a fifth waits until the idle timeout frees room.

The short run (make check, about a minute) asserts all of it; --long (make
load-long, for make reliability) runs wrk for 30 s after 30 s idle and
holds the attack longer. Figures go to build/reliability/load.json
(harness.write_figures). Nothing here asserts a speed: the bounds are
seconds apart from what a working daemon does on a loaded machine."""
import argparse
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import harness
from harness import (DAEMON, WEB, run_tests, wait_until, read_relay_record,
                     write_figures, proc_figures)


# What controller/net/http.c gives libmicrohttpd.
PER_IP_LIMIT = 16
GLOBAL_LIMIT = 64
IDLE_TIMEOUT_S = 10

# The daemon runs 10x: a tick every 100 ms of real time, so a period of a
# few seconds holds enough ticks for a p99. Its limits are in virtual
# seconds: a 30 s sensor timeout is 3 real seconds.
SPEED = 10
# A tick a second late is a loop held up by something (a request handled
# too slowly, a blocking call); the machine's own scheduling on a busy
# 2-core runner has been seen to cost up to a quarter of that.
TICK_LATE_BOUND_MS = 1000
WATCHDOG_S = 4

LONG = False
FIGURES = []


def fig(name, value, note=""):
    FIGURES.append((name, value, note))


def config():
    return {"device_id": "load",
            "quiet_hours": {"enabled": False},
            "http": {"listen": "127.0.0.1", "port": 0, "web_root": WEB},
            "zones": [{"name": "upper back", "sensor": {"type": "sim", "seed": 1},
                       "relay": {"type": "sim"}},
                      {"name": "lower back", "sensor": {"type": "sim", "seed": 2},
                       "relay": {"type": "sim"}}]}


class Notify:
    """A stand-in for systemd's notify socket: keeps (time, message)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.msgs = []
        self.done = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self.done:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            for m in data.decode("utf-8", "replace").split("\n"):
                self.msgs.append((time.monotonic(), m))

    def pings(self, t0, t1):
        return [t for t, m in self.msgs if m == "WATCHDOG=1" and t0 <= t <= t1]

    def close(self):
        self.done = True
        self.sock.close()


class Daemon(harness.Daemon):
    """One daemon under a stand-in notify socket, JSON log lines kept with
    the real time they came; paced in real time, as the load is real."""

    def __init__(self, args=(), status_every=10):
        dir = tempfile.mkdtemp(prefix="heatpad-load-")
        self.notify = Notify(os.path.join(dir, "notify"))
        try:
            super().__init__(config(), args, speed=SPEED, dir=dir, tz="UTC",
                             status_every=status_every,
                             env={"NOTIFY_SOCKET": self.notify.path,
                                  "WATCHDOG_USEC": str(WATCHDOG_S * 1000000)})
        except BaseException:
            self.notify.close()
            shutil.rmtree(dir, ignore_errors=True)
            raise

    def get_status(self, src="127.0.0.1", timeout=10):
        """(status code, parsed body, seconds it took)."""
        t0 = time.monotonic()
        s = socket.create_connection(("127.0.0.1", self.port), timeout,
                                     source_address=(src, 0))
        with s:
            s.sendall(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Connection: close\r\n\r\n")
            data = read_all(s)
        code, _, body = split_response(data)
        return code, json.loads(body) if code == 200 else body, \
            time.monotonic() - t0

    def status(self):
        code, body, _ = self.get_status()
        assert code == 200, (code, body)
        return body

    def proc_stat(self):
        """(utime + stime in seconds, VmRSS kB, VmHWM kB)."""
        return proc_figures(self.proc.pid)

    def assert_healthy(self):
        """No fault, no late tick, still running."""
        assert self.proc.poll() is None, "the daemon exited"
        faults = self.evs("fault")
        assert not faults, faults
        late = [m for m in self.logs() if "control tick late" in m]
        assert not late, late
        for ev in self.evs("loop"):
            assert ev["late_max_ms"] < TICK_LATE_BOUND_MS, ev

    def stop(self, expect=0, timeout=20, keep=False):
        try:
            return super().stop(expect, timeout, keep=True)
        finally:
            self.notify.close()
            if not keep:
                shutil.rmtree(self.dir, ignore_errors=True)


def read_all(s):
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            return data
        data += d


def split_response(data):
    """(status code, headers dict with lower-case names, body text)."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/1."):
        return 0, {}, data.decode("latin-1")
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), hdrs, body.decode("utf-8", "replace")


def closed_by_peer(s, wait):
    """Whether the server closes s within `wait` seconds (reading and
    dropping whatever it sends first)."""
    end = time.monotonic() + wait
    while True:
        left = max(0.0, end - time.monotonic())
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return False
        try:
            if not s.recv(65536):
                return True
        except OSError:
            return True


def with_daemon(fn):
    def run():
        args, every = fn.daemon_args, fn.status_every
        d = Daemon(args=args() if callable(args) else args,
                   status_every=every() if callable(every) else every)
        try:
            fn(d)
        finally:
            d.stop()
    run.__name__ = fn.__name__
    return run


def daemon(args=(), status_every=10):
    def wrap(fn):
        fn.daemon_args, fn.status_every = args, status_every
        return with_daemon(fn)
    return wrap


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# --- wrk ------------------------------------------------------------------

def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out):
    r = {}
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    r["requests"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["rps"] = float(m.group(1))
    for q in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % q, out, re.M)
        r["p" + q] = ms(m.group(1), m.group(2))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    r["socket_errors"] = tuple(int(x) for x in m.groups()) if m else (0, 0, 0, 0)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    return r


def next_loop_line(d, after, timeout):
    """The first "loop" line that came after real time `after`."""
    found = []

    def got():
        found[:] = [(t, e) for t, e in d.log.timed("loop") if t > after]
        return found
    wait_until(got, "a loop line", timeout=timeout)
    return found[0]


def period_s():
    return 30 if LONG else 5


@test
@daemon(args=("--start", "upper back:20:40"),
        status_every=lambda: SPEED * period_s())
def wrk_on_status_keeps_the_tick_on_time(d):
    p = period_s()
    connections = 8
    # Periods line up with the daemon's loop lines: the one after L1 is
    # idle throughout, the one after L2 under load throughout.
    t_l0, _ = next_loop_line(d, 0, 3 * p + 10)
    t_l1, idle = next_loop_line(d, t_l0, 3 * p + 10)
    cpu0, rss0, _ = d.proc_stat()
    w0 = time.monotonic()
    wrk = subprocess.run(["wrk", "-t1", "-c%d" % connections, "-d%ds" % (p + 3),
                          "--timeout", "10s", "--latency",
                          "http://127.0.0.1:%d/api/status" % d.port],
                         capture_output=True, text=True, timeout=p + 60)
    w1 = time.monotonic()
    cpu1, rss1, hwm = d.proc_stat()
    assert wrk.returncode == 0, wrk.stderr
    r = parse_wrk(wrk.stdout)
    t_l2, load = next_loop_line(d, t_l1, 3 * p + 10)
    assert t_l2 <= w1, "the load period must end before wrk did"
    print(wrk.stdout)

    assert r["requests"] > 0, wrk.stdout
    assert r["non2xx"] == 0, wrk.stdout
    assert r["socket_errors"] == (0, 0, 0, 0), wrk.stdout
    # Memory stays put: a leak of 64 bytes a request fails this once
    # 65 000 requests ran (the short run makes about 170 000 here).
    assert rss1 - rss0 < 4096, (rss0, rss1)
    for name, ev in (("idle", idle), ("load", load)):
        assert ev["ticks"] > 0, ev
        assert ev["late_max_ms"] < TICK_LATE_BOUND_MS, (name, ev)
    # The watchdog was fed all along: no gap a systemd watchdog would fire on.
    pings = d.notify.pings(w0, w1)
    assert pings, "no watchdog ping under load"
    gaps = [b - a for a, b in zip([w0] + pings, pings + [w1])]
    assert max(gaps) < WATCHDOG_S, gaps
    # Regulation went on: readings came in, the session heats.
    st = [e for e in d.evs("status", w0, w1) if e["zone_id"] == "upper_back"]
    assert len(st) >= 1 and all(e["session"] for e in st), st
    assert st[-1]["temp_c"] > 22.5, st[-1]
    rec = read_relay_record(d.relay_log)
    assert any(z == 0 and on for _, z, on in rec), rec
    code, s, _ = d.get_status()
    assert code == 200 and s["zones"][0]["session"], s
    d.assert_healthy()

    cpu = (cpu1 - cpu0) / (w1 - w0) * 100
    note = "wrk -t1 -c%d, %d s" % (connections, p + 3)
    fig("wrk /api/status: requests/s", "%.0f" % r["rps"], note)
    fig("wrk /api/status: p50 latency", "%.2f ms" % r["p50"], note)
    fig("wrk /api/status: p99 latency", "%.2f ms" % r["p99"], note)
    fig("wrk /api/status: requests, non-2xx", "%d, %d" % (r["requests"],
                                                         r["non2xx"]))
    fig("daemon CPU under wrk", "%.0f %%" % cpu, "of one core, utime+stime")
    fig("daemon RSS before / after wrk", "%d / %d KiB" % (rss0, rss1),
        "VmHWM %d KiB" % hwm)
    for name, ev in (("idle", idle), ("wrk", load)):
        fig("tick lateness %s: p50 / p99 / max" % name,
            "%.2f / %.2f / %.2f ms" % (ev["late_p50_ms"], ev["late_p99_ms"],
                                       ev["late_max_ms"]),
            "%d ticks over %d s" % (ev["ticks"], p))
    fig("watchdog: longest gap between pings under wrk", "%.2f s" % max(gaps),
        "WatchdogSec=%d here" % WATCHDOG_S)


# --- slowloris ------------------------------------------------------------

class Dribbler:
    """Connections that send a request a header line at a time, slowly
    enough to hold them, fast enough to stay inside the idle timeout."""

    def __init__(self, n, src, every=2.0):
        self.socks = []
        self.refused = 0
        for i in range(n):
            s = socket.socket()
            s.bind((src, 0))
            s.settimeout(5)
            try:
                s.connect(("127.0.0.1", PORT[0]))
                s.sendall(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            except OSError:
                self.refused += 1
                s.close()
                continue
            self.socks.append(s)
        self.every = every
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        n = 0
        while not self.stop:
            time.sleep(self.every)
            n += 1
            for s in self.socks:
                try:
                    s.send(b"X-Slow-%d: 1\r\n" % n)
                except OSError:
                    pass

    def alive(self):
        """The connections the server still holds open."""
        return [s for s in self.socks if not closed_by_peer(s, 0)]

    def close(self):
        self.stop = True
        self.thread.join()
        for s in self.socks:
            s.close()


PORT = [0]


def silent(n, src):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind((src, 0))
        s.connect(("127.0.0.1", PORT[0]))
        socks.append(s)
    return socks


def slowloris_hold_s():
    return 40 if LONG else 14


def slowloris_session_min():
    """A session that ends inside the attack (at 10x, 6 s a minute)."""
    return (slowloris_hold_s() - 2) * SPEED // 60


@test
@daemon(args=lambda: ("--start", "upper back:%d:40" % slowloris_session_min()),
        status_every=2)
def slowloris_leaves_room_and_regulation(d):
    PORT[0] = d.port
    hold = slowloris_hold_s()
    minutes = slowloris_session_min()
    t0 = time.monotonic()
    drib = Dribbler(3 * PER_IP_LIMIT, "127.0.0.1")
    quiet = silent(PER_IP_LIMIT, "127.0.0.3")
    t_quiet = time.monotonic()
    try:
        time.sleep(2)
        held = drib.alive()
        refused = len(drib.socks) - len(held) + drib.refused
        # The per-address limit: exactly that many kept, the rest closed.
        assert len(held) == PER_IP_LIMIT, (len(held), refused)
        quiet_open = [s for s in quiet if not closed_by_peer(s, 0)]
        assert len(quiet_open) == PER_IP_LIMIT, len(quiet_open)

        # Another address is served, again and again, through the attack;
        # the silent ones are closed by the idle timeout meanwhile.
        waits = []
        quiet_closed_at = {}
        while time.monotonic() - t0 < hold:
            code, s, took = d.get_status(src="127.0.0.2")
            assert code == 200, (code, s)
            waits.append(took)
            for i, q in enumerate(quiet):
                if i not in quiet_closed_at and closed_by_peer(q, 0):
                    quiet_closed_at[i] = time.monotonic() - t_quiet
            time.sleep(0.5)
        still_held = len(drib.alive())
        for i, q in enumerate(quiet):
            if i not in quiet_closed_at and closed_by_peer(
                    q, max(0.0, IDLE_TIMEOUT_S + 10 - (time.monotonic() - t_quiet))):
                quiet_closed_at[i] = time.monotonic() - t_quiet
    finally:
        drib.close()
        for q in quiet:
            q.close()
    t1 = time.monotonic()

    # The dribblers held their places all along: only the limit saved us.
    assert still_held == PER_IP_LIMIT, still_held
    # Every silent one was closed, and by the timeout, not at once.
    assert len(quiet_closed_at) == PER_IP_LIMIT, quiet_closed_at
    assert min(quiet_closed_at.values()) > IDLE_TIMEOUT_S / 2, quiet_closed_at
    assert max(quiet_closed_at.values()) < IDLE_TIMEOUT_S + 10, quiet_closed_at

    # The session regulated and ended on time, under the attack.
    wait_until(lambda: d.evs("session_end"), "the session to end", timeout=30)
    start = [e for e in d.evs("session_start") if e["zone_id"] == "upper_back"][0]
    end = [e for e in d.evs("session_end") if e["zone_id"] == "upper_back"][0]
    assert end["reason"] == "time_up", end
    took = (end["mono_ms"] - start["mono_ms"]) / 1000
    assert minutes * 60 <= took <= minutes * 60 + 3, took
    rec = [(ms_, on) for ms_, z, on in read_relay_record(d.relay_log) if z == 0]
    assert rec and rec[0][1] and not rec[-1][1], rec
    # Status lines kept coming (every 0.2 s real); no gap of seconds.
    times = [t for t, _ in d.log.timed("status", t0, t1)]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert times and max(gaps) < 3, gaps
    d.assert_healthy()

    waits.sort()
    fig("slowloris: dribbling connections from one address",
        "%d held, %d refused" % (len(held), refused),
        "per-address limit %d" % PER_IP_LIMIT)
    fig("slowloris: silent connections closed after",
        "%.1f-%.1f s" % (min(quiet_closed_at.values()),
                         max(quiet_closed_at.values())),
        "idle timeout %d s" % IDLE_TIMEOUT_S)
    fig("slowloris: another address's /api/status, median / max",
        "%.1f / %.1f ms" % (waits[len(waits) // 2] * 1000, waits[-1] * 1000),
        "%d requests in %d s" % (len(waits), hold))
    fig("slowloris: session of %d min ended after" % minutes, "%.0f s" % took,
        "virtual, at %dx" % SPEED)


@test
@daemon(status_every=10)
def global_limit_heals_by_the_idle_timeout(d):
    """--long: what one attacker with many addresses does."""
    PORT[0] = d.port
    addrs = ["127.0.0.%d" % i for i in range(10, 10 + GLOBAL_LIMIT // PER_IP_LIMIT)]
    socks = []
    try:
        t0 = time.monotonic()
        for a in addrs:
            socks += silent(PER_IP_LIMIT, a)
        time.sleep(1)
        code, s, took = d.get_status(src="127.0.0.2", timeout=IDLE_TIMEOUT_S + 20)
        waited = time.monotonic() - t0
    finally:
        for q in socks:
            q.close()
    # The global limit was full: the client waited for the silent ones to
    # be closed, then was answered.
    assert code == 200, (code, s)
    assert took > IDLE_TIMEOUT_S / 2, took
    d.assert_healthy()
    fig("%d silent connections from %d addresses: a fifth waited" %
        (len(socks), len(addrs)), "%.1f s" % took,
        "then answered (connection limit %d)" % GLOBAL_LIMIT)


global_limit_heals_by_the_idle_timeout.long_only = True


# --- oversized requests ---------------------------------------------------

def raw_request(d, head, body=b"", chunks=None):
    """Sends head and body, or chunks until the server answers; reads until
    the server closes (10 s at most). Returns (code, headers, body text,
    whether the server closed the connection)."""
    s = socket.create_connection(("127.0.0.1", d.port), 10)
    with s:
        try:
            s.sendall(head)
            if body:
                s.sendall(body)
            for c in chunks or ():
                if select.select([s], [], [], 0)[0]:
                    break
                s.sendall(c)
        except OSError:
            pass                        # the server stopped reading
        data = b""
        closed = False
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if not select.select([s], [], [], end - time.monotonic())[0]:
                break
            try:
                dd = s.recv(65536)
            except OSError:
                closed = True
                break
            if not dd:
                closed = True
                break
            data += dd
    return split_response(data) + (closed,)


def snapshot(d):
    """What a refused request must not change."""
    s = d.status()
    zones = [(z["id"], z["session"], z["setpoint_c"], z["fault"])
             for z in s["zones"]]
    with open(d.state, "rb") as f:
        state = f.read()
    return zones, s["guidance"], state, len(read_relay_record(d.relay_log))


def host(d):
    return "Host: 127.0.0.1:%d\r\n" % d.port


@test
@daemon(status_every=10)
def oversized_requests_are_refused_and_change_nothing(d):
    # A schedule first, so the state file exists and can be compared.
    entry = {"zone": "upper_back", "days": ["mon"], "start": "06:30",
             "minutes": 20, "setpoint_c": 40, "enabled": True}
    body = json.dumps([entry]).encode()
    code, _, text, _ = raw_request(d, (
        "PUT /api/schedule HTTP/1.1\r\n" + host(d) + "Connection: close\r\n"
        "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        % len(body)).encode(),
        body)
    assert code == 200, text
    wait_until(lambda: os.path.exists(d.state), "the state file")
    before = snapshot(d)
    big = "a" * 65536
    cases = [
        # (what, request head, body, chunks, status, words in the answer)
        ("64 KiB header on a start", "POST /api/zones/upper_back/start "
         "HTTP/1.1\r\n" + host(d) + "X-Big: " + big + "\r\n"
         "Content-Length: 2\r\n\r\n", b"{}", None, 431, "too big"),
        ("64 KiB cookie on a record", "POST /api/injury HTTP/1.1\r\n" + host(d) +
         "Cookie: heatpad_session=" + big + "\r\nContent-Length: 2\r\n\r\n",
         b"{}", None, 431, "too big"),
        ("4000 headers on a schedule", "PUT /api/schedule HTTP/1.1\r\n" + host(d) +
         "".join("X-%d: 1\r\n" % i for i in range(4000)) +
         "Content-Length: 2\r\n\r\n", b"[]", None, 431, "too big"),
        ("64 KiB URL", "POST /api/zones/" + big + "/start HTTP/1.1\r\n" +
         host(d) + "\r\n", b"", None, 414, "too big"),
        ("10 MB declared on a start", "POST /api/zones/upper_back/start "
         "HTTP/1.1\r\n" + host(d) + "Content-Type: application/json\r\n"
         "Content-Length: 10000000\r\n\r\n", b"", [b"{" * 65536] * 16, 413,
         "body_too_large"),
        ("20 KiB chunked on a record", "POST /api/injury HTTP/1.1\r\n" + host(d) +
         "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
         b"", [b"400\r\n" + b" " * 1024 + b"\r\n"] * 20 + [b"0\r\n\r\n"],
         413, "body_too_large"),
        # Past 64 KiB a body that does not end is cut off, unanswered.
        ("endless chunked on a start", "POST /api/zones/upper_back/start "
         "HTTP/1.1\r\n" + host(d) + "Content-Type: application/json\r\n"
         "Transfer-Encoding: chunked\r\n\r\n", b"",
         [b"4000\r\n" + b" " * 16384 + b"\r\n"] * 4096, 0, ""),
        ("9000 bytes on a schedule", "PUT /api/schedule HTTP/1.1\r\n" + host(d) +
         "Content-Type: application/json\r\nContent-Length: 9000\r\n\r\n",
         b"[" + b" " * 8998 + b"]", None, 413, "body_too_large"),
        ("1 MiB declared on a login", "POST /api/login HTTP/1.1\r\n" + host(d) +
         "Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n",
         b"", [b"x" * 65536] * 16, 413, "body_too_large"),
    ]
    rows = []
    for what, head, body, chunks, status, words in cases:
        code, hdrs, text, closed = raw_request(d, head.encode(), body, chunks)
        assert code == status, (what, code, text[:200])
        assert words in text, (what, text[:200])
        assert closed, (what, "the connection must be closed")
        assert status == 0 or hdrs.get("connection", "").lower() == "close", \
            (what, hdrs)
        if status == 413:
            j = json.loads(text)
            assert j["ok"] is False and "8192" in j["message"], j
        # Nothing changed, and the next client is served.
        assert snapshot(d) == before, what
        rows.append("%s: %s" % (what.split(" on ")[0], code or "closed"))
    d.assert_healthy()
    # The tick's lateness is said once more at exit.
    t = time.monotonic()
    d.proc.terminate()
    assert d.proc.wait(10) == 0
    wait_until(lambda: d.evs("loop", t), "a loop line at exit")
    assert d.evs("loop", t)[-1]["ticks"] > 0
    fig("oversized headers / URL / bodies refused", "%d of %d" % (len(rows),
                                                                  len(cases)),
        "; ".join(rows))


def main():
    global LONG
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--long", action="store_true",
                    help="30 s of wrk after 30 s idle; a longer attack")
    ap.add_argument("only", nargs="?", help="run the tests with this in their name")
    a = ap.parse_args()
    LONG = a.long
    if not shutil.which("wrk"):
        print("load: wrk is missing (scripts/deps test installs it)")
        harness.closing("load", 0, 1)
        return 1
    failed = run_tests(TESTS, "load", lambda fn: (
        (not a.only or a.only in fn.__name__) and
        (LONG or not getattr(fn, "long_only", False))))
    if FIGURES:
        write_figures("load", "Load and hostile clients on the page (%s run)"
                      % ("long" if LONG else "short"), FIGURES)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
