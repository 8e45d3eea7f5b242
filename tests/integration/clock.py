#!/usr/bin/env python3
"""The stepped virtual clock, end to end: a simulation that a busy machine
slows but never makes late, and a control socket that makes a run exact to
the tick. Ends with "clock: N passed, N failed". With test names as
arguments, only those run. HEATPAD_DAEMON picks another build."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from harness import JsonLog, http_request, read_relay_record, run_tests, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAEMON = os.environ.get("HEATPAD_DAEMON", os.path.join(ROOT, "build", "heatpadd"))
EXAMPLE = os.path.join(ROOT, "examples", "sim.json")
ENV = dict(os.environ, TZ="Europe/Berlin")
os.environ["TZ"] = ENV["TZ"]           # for mktime here too
time.tzset()

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Hogs:
    """Busy loops on every core, for as long as the with block runs."""

    def __init__(self, n=None):
        self.n = n or os.cpu_count() or 2
        self.procs = []

    def __enter__(self):
        self.procs = [subprocess.Popen([sys.executable, "-c", "while 1: pass"])
                      for _ in range(self.n)]
        time.sleep(0.2)                 # running before the daemon starts
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
            p.wait()


def shipped_config(d, **top):
    """examples/sim.json as shipped (no limits raised), with its page on a
    port the system picks."""
    with open(EXAMPLE) as f:
        cfg = json.load(f)
    for z in cfg["zones"]:
        assert "sensor_timeout_s" not in z.get("limits", {}), z
    cfg["http"] = {"listen": "127.0.0.1", "port": 0,
                   "web_root": os.path.join(ROOT, "web")}
    cfg.update(top)
    path = os.path.join(d, "config.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path


@test
def busy_machine_at_600x_keeps_the_shipped_sensor_timeout():
    # Both cores busy; 600x with the shipped 5 s sensor timeout, which on
    # a scaled real clock was 8 real ms: any hiccup latched sensor_timeout.
    # Virtual time waits for every conversion, so none is late.
    d = tempfile.mkdtemp(prefix="heatpad-clock-")
    try:
        relay_log = os.path.join(d, "relay.log")
        argv = [DAEMON, "--config", shipped_config(d), "--state-file",
                os.path.join(d, "state.json"), "--log-format", "json",
                "--sim-relay-log", relay_log, "--status-every", "0",
                "--sim-speed", "600", "--sim-start", "2026-11-24T12:00",
                "--start", "upper back:15:40", "--start", "lower back:15:39",
                "--run-for", "960"]
        with Hogs():
            t0 = time.monotonic()
            p = subprocess.run(argv, capture_output=True, text=True,
                               timeout=300, env=ENV)
            took = time.monotonic() - t0
        assert p.returncode == 0, p.stderr
        ev = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        faults = [e for e in ev if e["event"] == "fault"]
        assert not faults, faults
        ends = [e for e in ev if e["event"] == "session_end"]
        assert sorted(e["zone_id"] for e in ends) == ["lower_back", "upper_back"], ends
        assert all(e["reason"] == "time_up" for e in ends), ends
        starts = {e["zone_id"]: e["mono_ms"] for e in ev
                  if e["event"] == "session_start"}
        for e in ends:
            # 15 minutes to the tick, however the machine was loaded.
            assert e["mono_ms"] - starts[e["zone_id"]] == 15 * 60 * 1000, (e, starts)
        rec = read_relay_record(relay_log)
        heated = [z for _, z, on in rec if on]
        assert 0 in heated and 1 in heated, rec[:4]
        said = [(e["zone_id"] == "lower_back", e["relay"]) for e in ev
                if e["event"] == "relay"]
        assert [(z == 1, on) for _, z, on in rec] == said
        print("     960 virtual s at 600x beside %d busy loops: %.1f real s, "
              "%d switches, no fault" % (os.cpu_count() or 2, took, len(rec)))
    finally:
        shutil.rmtree(d, ignore_errors=True)


class Control:
    """A daemon under --sim-control: its socket, its JSON log, its page."""

    def __init__(self, d, args):
        self.sock_path = os.path.join(d, "sim.sock")
        self.relay_log = os.path.join(d, "relay.log")
        argv = [DAEMON, "--config", shipped_config(d), "--state-file",
                os.path.join(d, "state.json"), "--log-format", "json",
                "--sim-relay-log", self.relay_log, "--sim-control",
                self.sock_path] + args
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=ENV)
        self.log = JsonLog(self.proc.stdout)
        wait_until(lambda: self.log.events("sim_control") or
                   self.proc.poll() is not None, "the sim_control line")
        ctl = self.log.events("sim_control")
        assert ctl and ctl[0]["path"] == self.sock_path, self.proc.stderr.read()
        self.port = self.log.wait_port()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.sock_path)
        self.file = self.sock.makefile("rw")

    def ask(self, line, timeout=60):
        self.sock.settimeout(timeout)
        self.file.write(line + "\n")
        self.file.flush()
        return json.loads(self.file.readline())

    def stop(self):
        self.file.close()
        self.sock.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(20) == 0, self.proc.stderr.read()


@test
def control_socket_advance_is_exact_to_the_tick():
    d = tempfile.mkdtemp(prefix="heatpad-clock-")
    # A 5-minute session: the pad is still heating when it ends, so the
    # end is a switch in the relay's own record.
    c = Control(d, ["--sim-start", "2026-11-24T12:00", "--status-every", "60",
                    "--start", "upper back:5:40"])
    try:
        wall0 = int(time.mktime(time.strptime("2026-11-24T12:00",
                                              "%Y-%m-%dT%H:%M")))
        now = c.ask("now")
        assert now["ok"] and now["wall"] == wall0, now
        m0 = now["mono_ms"]
        # Paused: real time passes, virtual time does not; the page is
        # served all the same.
        time.sleep(0.3)
        assert c.ask("now") == now
        st, _, body = http_request(c.port, "GET", "/api/status")
        assert st == 200, body
        assert c.ask("now") == now
        # Half way, to the millisecond.
        r = c.ask("advance 149.5")
        assert r == {"ok": True, "mono_ms": m0 + 149500, "wall": wall0 + 149}, r
        rec = read_relay_record(c.relay_log)
        assert rec == [(m0 + 1000, 0, True)], rec     # the first tick after
        assert not c.log.events("session_end")        # the first reading
        # The rest of the 5 minutes: the end is in the relay's record when
        # the reply comes, at the tick the session ends on.
        r = c.ask("advance 150.5")
        assert r == {"ok": True, "mono_ms": m0 + 300000, "wall": wall0 + 300}, r
        rec = read_relay_record(c.relay_log)
        assert rec == [(m0 + 1000, 0, True), (m0 + 300000, 0, False)], rec
        wait_until(lambda: c.log.events("session_end"), "session_end", 2)
        end = c.log.events("session_end")[0]
        start = c.log.events("session_start")[0]
        assert end["reason"] == "time_up", end
        assert (start["mono_ms"], end["mono_ms"]) == (m0, m0 + 300000), (start, end)
        # advance 600 in all: exactly 601 ticks (the one at 0 and one a
        # second), as the loop lines count them, one every 60 s.
        r = c.ask("advance 300")
        assert r["mono_ms"] == m0 + 600000, r
        wait_until(lambda: len(c.log.events("loop")) >= 10, "10 loop lines", 2)
        loops = c.log.events("loop")
        assert [e["mono_ms"] - m0 for e in loops] == \
            [60000 * k for k in range(1, 11)], loops
        assert sum(e["ticks"] for e in loops) == 601, loops
        ticks_seen = rec
        # A step of the wall clock moves wall, not mono.
        r = c.ask("step 3600")
        assert r == {"ok": True, "mono_ms": m0 + 600000,
                     "wall": wall0 + 600 + 3600}, r
        full = read_relay_record(c.relay_log, full=True)
        assert full[-1]["what"] == "clock" and full[-1]["kind"] == "+3600", full[-1]
        # Refusals, and the clock untouched by them.
        for bad in ("advance -1", "advance x", "step 0", "jump 5", "advance"):
            r = c.ask(bad)
            assert r["ok"] is False and r["error"], (bad, r)
        assert c.ask("now")["mono_ms"] == m0 + 600000
        # A second client waits its turn behind an advance.
        other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        other.connect(c.sock_path)
        c.file.write("advance 3600\n")
        c.file.flush()
        other.sendall(b"now\n")
        first = json.loads(c.file.readline())
        second = json.loads(other.makefile().readline())
        other.close()
        assert first["mono_ms"] == m0 + 4200000, first
        assert second == first, (first, second)
        assert read_relay_record(c.relay_log) == ticks_seen   # no heat after
    finally:
        c.stop()
        shutil.rmtree(d, ignore_errors=True)


@test
def sim_control_is_refused_outside_simulation_and_with_a_speed():
    d = tempfile.mkdtemp(prefix="heatpad-clock-")
    try:
        with open(EXAMPLE) as f:
            cfg = json.load(f)
        cfg["zones"][0]["sensor"] = {"type": "ds18b20", "id": "28-000000000000"}
        cfg["zones"][0]["relay"] = {"type": "gpio", "chip": "gpiochip0",
                                    "line": 17}
        path = os.path.join(d, "real.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        p = subprocess.run([DAEMON, "--config", path, "--state-file",
                            os.path.join(d, "state.json"), "--sim-control",
                            os.path.join(d, "sim.sock")],
                           capture_output=True, text=True, timeout=20)
        assert p.returncode == 2 and "--sim-* options need every zone " \
            "simulated" in p.stderr, p
        p = subprocess.run([DAEMON, "--config", EXAMPLE, "--sim-speed", "60",
                            "--sim-control", os.path.join(d, "sim.sock")],
                           capture_output=True, text=True, timeout=20)
        assert p.returncode == 2 and "--sim-control" in p.stderr, p
        assert not os.path.exists(os.path.join(d, "sim.sock"))
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test
def max_speed_runs_an_hour_in_well_under_a_second_of_cpu():
    d = tempfile.mkdtemp(prefix="heatpad-clock-")
    try:
        relay_log = os.path.join(d, "relay.log")
        argv = [DAEMON, "--config", shipped_config(d), "--state-file",
                os.path.join(d, "state.json"), "--log-format", "json",
                "--sim-relay-log", relay_log, "--status-every", "0",
                "--sim-speed", "max", "--sim-start", "2026-11-24T12:00",
                "--start", "upper back:30:40",
                "--sim-fault", "upper back:sensor_silent@1200",
                "--run-for", "3600"]
        t0 = time.monotonic()
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                           env=ENV)
        took = time.monotonic() - t0
        assert p.returncode == 0, p.stderr
        ev = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        faults = [e for e in ev if e["event"] == "fault"]
        assert [f["reason"] for f in faults] == ["sensor_timeout"], faults
        inject = [e for e in ev if e["event"] == "log" and "injected" in e["msg"]]
        wall0 = int(time.mktime(time.strptime("2026-11-24T12:00",
                                              "%Y-%m-%dT%H:%M")))
        assert inject[0]["wall"] == wall0 + 1200, inject
        # Silent from 1200 s: the last good reading came at 1199.75 s, the
        # 5 s timeout counts from it, and the tick at 1205 s sees it.
        start = [e for e in ev if e["event"] == "session_start"][0]
        assert faults[0]["mono_ms"] - start["mono_ms"] == 1205000, faults
        assert faults[0]["wall"] == wall0 + 1205, faults
        assert not read_relay_record(relay_log)[-1][2]
        print("     3600 virtual s at max: %.2f real s" % took)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test
def stalled_daemon_on_the_real_clock_is_not_a_broken_cable():
    # Outside simulation a virtual ms is a real ms: a daemon stopped for
    # 7 s (the sensor timeout is 5) still sees it stalled on waking, turns
    # the relay off at once and says the controller stalled. (In
    # simulation a stall only slows virtual time, so this needs the real
    # clock: no --sim-speed; quiet hours off so any hour will do.)
    d = tempfile.mkdtemp(prefix="heatpad-clock-")
    try:
        relay_log = os.path.join(d, "relay.log")
        argv = [DAEMON, "--config",
                shipped_config(d, quiet_hours={"enabled": False}),
                "--state-file", os.path.join(d, "state.json"), "--log-format",
                "json", "--sim-relay-log", relay_log, "--status-every", "0",
                "--start", "upper back:20:40"]
        p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=ENV)
        log = JsonLog(p.stdout)
        try:
            wait_until(lambda: any(on for _, _, on in
                                   read_relay_record(relay_log)), "heat", 10)
            p.send_signal(signal.SIGSTOP)
            time.sleep(7)
            woke = time.monotonic()
            p.send_signal(signal.SIGCONT)
            wait_until(lambda: log.events("fault"), "a fault", 10)
            fault = log.events("fault")[0]
            assert fault["reason"] == "controller_stalled", fault
            wait_until(lambda: not read_relay_record(relay_log)[-1][2],
                       "relay off", 2)
            assert time.monotonic() - woke < 3
            assert fault["relay"] is False and fault["session"] is False, fault
        finally:
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.send_signal(signal.SIGTERM)
            assert p.wait(20) == 0, p.stderr.read()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    names = set(sys.argv[1:])
    pick = (lambda fn: fn.__name__ in names) if names else None
    return 1 if run_tests(TESTS, "clock", pick) else 0


if __name__ == "__main__":
    sys.exit(main())
