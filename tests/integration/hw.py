#!/usr/bin/env python3
"""Hardware integration tests: build/heatpadd as users run it, against real
peers. A real libmodbus server (build/tests/mb_server, serving a simulated
pad's temperature and its heater coil) on 127.0.0.1 over TCP, and over a
socat pseudo-terminal pair as Modbus RTU at 9600 8N1; DS18B20s as a
directory shaped like /sys/bus/w1/devices. The daemon runs in real time
(hardware zones have no simulated clock); the pad model runs faster.

Checks what the daemon said (JSON log lines) against what the peer saw
(its coil record). Ends with "hw: N passed, N failed, N skipped".
"""
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import harness
from harness import DAEMON, ROOT, run_tests
SERVER = os.path.join(ROOT, "build", "tests", "mb_server")
PROCS = []


def lines_into(stream, q):
    for line in iter(stream.readline, ""):
        q.put(line.rstrip("\n"))
    q.put(None)


class Server:
    """One mb_server; its stdout is read on a thread into a queue."""

    def __init__(self, args):
        self.proc = subprocess.Popen([SERVER] + args, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        PROCS.append(self.proc)
        self.q = queue.Queue()
        self.seen = []
        threading.Thread(target=lines_into, args=(self.proc.stdout, self.q),
                         daemon=True).start()
        ready = self.expect(lambda l: l.startswith("ready"), 10)
        self.port = int(ready.split("=")[1])

    def drain(self):
        while True:
            try:
                line = self.q.get_nowait()
            except queue.Empty:
                return
            if line is not None:
                self.seen.append(line)

    def expect(self, pred, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = self.q.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
            if pred(line):
                return line
        raise AssertionError("server: not seen; last lines %r" % self.seen[-5:])

    def send(self, cmd):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        self.expect(lambda l: l == "ok " + cmd, 5)

    def coil_record(self):
        self.drain()
        return [l == "coil on" for l in self.seen if l.startswith("coil ")]

    def coil_on(self):
        rec = self.coil_record()
        return rec[-1] if rec else False

    def temps(self):
        self.drain()
        return [float(l.split()[1]) for l in self.seen if l.startswith("temp ")]

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Daemon(harness.Daemon):
    """build/heatpadd with a config dict on the hardware adapters (no
    --sim-* option: those need every zone simulated). `events` holds what
    expect() and drain() have read so far, in order."""

    def __init__(self, config, args=()):
        super().__init__(config, args, start=None, speed=None, tz="UTC",
                         status_every=1, prefix="heatpad-hw-", port=False,
                         relay_log=False)
        PROCS.append(self.proc)
        self.read = []

    @property
    def events(self):
        return self.read

    def expect(self, pred, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            new = self.log.events()[len(self.read):]
            for ev in new:
                self.read.append(ev)
                if pred(ev):
                    return ev
            if not new:
                if self.log.ended.is_set():
                    break
                time.sleep(0.05)
        raise AssertionError("daemon: not seen; log %r; last event %r" % (
            [e.get("msg") for e in self.read if e.get("event") == "log"],
            self.read[-1:]))

    def drain(self):
        self.read.extend(self.log.events()[len(self.read):])

    def stop(self):
        """SIGTERM; the exit code, which the callers check. Under
        HEATPAD_DAEMON=<a sanitizer build>, any report fails the test."""
        rc = super().stop(expect=None)
        self.err_done.wait(5)
        self.drain()
        self.stderr = self.err
        for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            assert bad not in self.stderr, self.stderr[-3000:]
        return rc


def is_fault(ev, zone=None):
    return ev["event"] == "fault" and (zone is None or ev["zone"] == zone)


def relay_on(ev, zone=None):
    return ev["event"] == "relay" and ev["relay"] and \
        (zone is None or ev["zone"] == zone)


def log_has(text):
    return lambda ev: ev["event"] == "log" and text in ev["msg"]


def mb_tcp(port, **kw):
    d = {"host": "127.0.0.1", "port": port, "timeout_ms": 300, "retries": 1}
    d.update(kw)
    return d


def zone(name, sensor, relay, **extra):
    z = {"name": name, "sensor": sensor, "relay": relay,
         # Short windows: the test pad runs fast, and tests are short.
         "pid": {"window_s": 5, "min_on_s": 1, "min_off_s": 1,
                 "kd": 0.5, "ki": 0.01},
         "limits": {"sensor_timeout_s": 5}}
    z.update(extra)
    return z


def config(*zones):
    return {"quiet_hours": {"enabled": False}, "zones": list(zones)}


def tcp_zone(port, name="pad", **extra):
    return zone(name,
                dict(mb_tcp(port), type="modbus", register=0,
                     register_type="input", scale=0.1),
                dict(mb_tcp(port), type="modbus", coil=0), **extra)


def clear_fault(d, timeout=15):
    """Asks the daemon to clear its faults (SIGUSR1) until it does. A clear
    is refused until a fresh valid reading has been through a control tick,
    so the first ask may come too early; returns the fault_cleared event."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        d.signal(signal.SIGUSR1)
        try:
            return d.expect(lambda e: e["event"] == "fault_cleared", 2)
        except AssertionError:
            pass
    raise AssertionError("fault not cleared; log %r, last event %r" % (
        [e["msg"] for e in d.events if e["event"] == "log"], d.events[-1]))


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def regulate(srv, d, zone_name="pad", setpoint=40):
    """Waits until the daemon heated the pad to its setpoint and switched
    the coil off again while the session runs."""
    d.expect(lambda e: relay_on(e, zone_name), 15)
    srv.expect(lambda l: l == "coil on", 10)
    d.expect(lambda e: e["event"] == "status" and e["zone"] == zone_name and
             e["temp_c"] is not None and e["temp_c"] >= setpoint - 1, 40)
    srv.expect(lambda l: l == "coil off", 30)


@test
def tcp_daemon_regulates_the_pad_and_drives_the_coil():
    srv = Server(["--tcp", "0", "--speed", "20", "--start-c", "35"])
    d = Daemon(config(tcp_zone(srv.port)), ["--start", "pad:20:40"])
    try:
        regulate(srv, d)
        d.expect(lambda e: relay_on(e), 30)     # and on again: it regulates
        time.sleep(3)
        d.drain()
        temps = [e["temp_c"] for e in d.events if e["event"] == "status"]
        assert max(temps) < 43, temps           # no runaway past the setpoint
        assert not [e for e in d.events if is_fault(e)], d.events[-3:]
        # What the daemon said it switched is what the coil saw.
        said = [e["relay"] for e in d.events if e["event"] == "relay"]
        seen = srv.coil_record()
        assert seen[:len(said)] == said[:len(seen)] and len(said) >= 3, \
            (said, seen)
    finally:
        rc = d.stop()
    assert rc == 0, d.stderr
    assert not srv.coil_on(), "coil must be off after SIGTERM"
    srv.stop()


@test
def stalled_daemon_is_not_a_broken_cable():
    # Stopped for 7 s (the sensor timeout is 5) on real time (a simulated
    # daemon's virtual time waits for it, so only a real clock can stall):
    # on waking the relay goes off at once and the fault says the
    # controller stalled, not the cable.
    srv = Server(["--tcp", "0", "--speed", "20", "--start-c", "35"])
    d = Daemon(config(tcp_zone(srv.port)), ["--start", "pad:20:40"])
    try:
        d.expect(lambda e: relay_on(e), 15)
        srv.expect(lambda l: l == "coil on", 10)
        d.signal(signal.SIGSTOP)
        time.sleep(7)
        woke = time.monotonic()
        d.signal(signal.SIGCONT)
        f = d.expect(lambda e: is_fault(e), 10)
        assert f["reason"] == "controller_stalled", f
        assert f["relay"] is False and f["session"] is False, f
        srv.expect(lambda l: l == "coil off", 3)
        assert time.monotonic() - woke < 3
    finally:
        if d.alive():
            d.signal(signal.SIGCONT)
        rc = d.stop()
    assert rc == 0, d.stderr
    assert not srv.coil_on()
    srv.stop()


def fault_case(scope, kind, expect_fault):
    srv = Server(["--tcp", "0", "--speed", "20", "--start-c", "35"])
    d = Daemon(config(tcp_zone(srv.port)), ["--start", "pad:20:40"])
    try:
        d.expect(lambda e: relay_on(e), 15)
        srv.expect(lambda l: l == "coil on", 10)
        srv.send("fault %s %s" % (scope, kind))
        f = d.expect(lambda e: is_fault(e), 15)
        assert f["reason"] in expect_fault.split("|"), f
        assert f["relay"] is False and f["session"] is False, f
        if scope == "reg":
            # The coil still answers: it goes off at once.
            srv.expect(lambda l: l == "coil off", 5)
        # A clear is refused while the cause is there...
        if scope != "coil":
            d.signal(signal.SIGUSR1)
            d.expect(log_has("condition is still there"), 10)
        srv.send("fault all none")
        # ...and the relay worker's retried off write lands once it answers.
        if srv.coil_on():
            srv.expect(lambda l: l == "coil off", 10)
        if scope == "reg":
            d.expect(log_has("sensor: reading again"), 10)
        c = clear_fault(d)
        assert c["reason"] == f["reason"], c
        assert not srv.coil_on()
    finally:
        rc = d.stop()
    assert rc == 0, d.stderr
    assert not srv.coil_on()
    srv.stop()


@test
def tcp_sensor_stops_answering():
    fault_case("reg", "silent", "sensor_error")


@test
def tcp_sensor_answers_with_an_exception():
    fault_case("reg", "exception", "sensor_error")


@test
def tcp_sensor_answers_with_a_wrong_unit_id():
    fault_case("reg", "wrong_unit", "sensor_error")


@test
def tcp_relay_answers_with_an_exception():
    fault_case("coil", "exception", "relay_error")


@test
def tcp_relay_read_back_mismatch():
    fault_case("coil", "stuck", "relay_error")


@test
def tcp_whole_device_stops_answering():
    # Whichever of the sensor read and the coil write notices first.
    fault_case("all", "silent", "sensor_error|relay_error")


@test
def tcp_server_goes_away_and_comes_back():
    srv = Server(["--tcp", "0", "--speed", "20", "--start-c", "35"])
    d = Daemon(config(tcp_zone(srv.port)), ["--start", "pad:20:40"])
    try:
        d.expect(lambda e: relay_on(e), 15)
        srv.expect(lambda l: l == "coil on", 10)
        srv.send("down")
        f = d.expect(lambda e: is_fault(e), 15)
        assert f["reason"] in ("sensor_error", "relay_error"), f
        assert f["relay"] is False, f
        time.sleep(3)           # a few reconnects fail, with backoff
        d.drain()
        assert d.proc.poll() is None, "the daemon keeps running"
        srv.send("up")
        # The worker's off write lands on the new connection.
        srv.expect(lambda l: l == "coil off", 15)
        d.expect(log_has("sensor: reading again"), 15)
        clear_fault(d)
        assert not srv.coil_on()
    finally:
        rc = d.stop()
    assert rc == 0, d.stderr
    srv.stop()


@test
def crash_switches_the_modbus_coil_off():
    srv = Server(["--tcp", "0", "--speed", "20", "--start-c", "35"])
    d = Daemon(config(tcp_zone(srv.port)), ["--start", "pad:20:40"])
    try:
        d.expect(lambda e: relay_on(e), 15)
        srv.expect(lambda l: l == "coil on", 10)
        d.signal(signal.SIGABRT)
        rc = d.proc.wait(10)
        assert rc == -signal.SIGABRT, rc
        # The crash handler's prepared frame, written as the process died.
        srv.expect(lambda l: l == "coil off", 5)
    finally:
        d.stop()
    srv.stop()


@test
def relay_board_not_there_at_start():
    srv = Server(["--tcp", "0"])
    srv.send("down")
    d = Daemon(config(tcp_zone(srv.port)), ["--start", "pad:20:40"])
    try:
        # The daemon starts (other zones would run), this zone in its safe
        # state with a relay fault, and heat is refused.
        f = d.expect(lambda e: is_fault(e), 10)
        assert f["reason"] == "relay_error" and not f["relay"], f
        assert any(log_has("off not confirmed yet")(e) for e in d.events)
        d.expect(log_has("has a fault (relay_error)"), 5)
        srv.send("up")
        d.expect(log_has("relay answers again (off)"), 20)
        clear_fault(d)
        assert not srv.coil_on()
    finally:
        rc = d.stop()
    assert rc == 0, d.stderr
    srv.stop()


@test
def second_sensor_disagreeing_is_a_fault():
    srv = Server(["--tcp", "0", "--speed", "20", "--start-c", "35"])
    z = tcp_zone(srv.port)
    z["sensor2"] = dict(mb_tcp(srv.port), type="modbus", register=1,
                        register_type="holding", scale=0.1)
    z["limits"]["sensor_disagree_c"] = 2
    d = Daemon(config(z), ["--start", "pad:20:40"])
    try:
        d.expect(lambda e: relay_on(e), 15)
        srv.send("skew 1.5")                    # within the margin
        time.sleep(2.5)
        d.drain()
        assert not [e for e in d.events if is_fault(e)], d.events[-3:]
        srv.send("skew 3")
        f = d.expect(lambda e: is_fault(e), 10)
        assert f["reason"] == "sensor_disagree", f
        srv.expect(lambda l: l == "coil off", 5)
        srv.send("skew 0")
        clear_fault(d)
    finally:
        d.stop()
    srv.stop()


@test
def second_sensor_hotter_meets_the_cutoff():
    srv = Server(["--tcp", "0", "--speed", "1", "--start-c", "36"])
    z = tcp_zone(srv.port)
    z["sensor2"] = dict(mb_tcp(srv.port), type="modbus", register=1,
                        register_type="input", scale=0.1)
    z["limits"].update(sensor_disagree_c=10, cutoff_c=45)
    d = Daemon(config(z), ["--start", "pad:20:40"])
    try:
        d.expect(lambda e: relay_on(e), 15)
        srv.send("skew 9.5")                    # the second reads 45.5
        f = d.expect(lambda e: is_fault(e), 10)
        assert f["reason"] == "over_temp", f
        assert f["temp_c"] < 40, f              # the first one is cool
        srv.expect(lambda l: l == "coil off", 5)
    finally:
        d.stop()
    srv.stop()


@test
def slow_sensor_does_not_stall_the_loop_or_other_zones():
    # Each answer of the slow peer takes 2 s; the fast zone's pad starts
    # near its setpoint so it switches within the few seconds watched.
    slow = Server(["--tcp", "0", "--speed", "20", "--start-c", "35",
                   "--delay-ms", "2000"])
    fast = Server(["--tcp", "0", "--speed", "20", "--start-c", "38.5"])
    zs = tcp_zone(slow.port, "slow")
    # The link waits long enough for a 2 s answer (and a coil write queued
    # behind one); the sensor timeout stays the shipped one.
    for k in ("sensor", "relay"):
        zs[k]["timeout_ms"] = 3000
    # A status line every tick: their spacing is the loop's tick spacing.
    d = Daemon(config(zs, tcp_zone(fast.port, "fast")),
               ["--start", "slow:20:40", "--start", "fast:20:40",
                "--status-every", "0.5"])
    try:
        d.expect(lambda e: relay_on(e, "slow"), 15)
        t0 = time.time()
        while time.time() - t0 < 12:
            d.expect(lambda e: True, 5)
        ev = d.events
        fast_status = [e for e in ev
                       if e["event"] == "status" and e["zone"] == "fast"]
        gaps = [b["mono_ms"] - a["mono_ms"]
                for a, b in zip(fast_status, fast_status[1:])]
        # Every 1 s tick ran while each slow read took 2 s; allow for a
        # loaded machine, not for a tick that waited on a read.
        assert len(gaps) >= 10 and max(gaps) < 1900, gaps
        print("     tick spacing with a 2 s sensor: median %d ms, max %d ms, "
              "%d ticks" % (sorted(gaps)[len(gaps) // 2], max(gaps), len(gaps)))
        # The fast zone regulated (on and off again) and read often...
        fast_relay = [e["relay"] for e in ev
                      if e["event"] == "relay" and e["zone"] == "fast"]
        assert True in fast_relay and False in fast_relay[1:], fast_relay
        assert len({e["temp_c"] for e in fast_status}) >= 5, fast_status
        # ...while the slow one was read every ~2 s, and heated too.
        slow.expect(lambda l: l == "coil on", 10)
        assert not [e for e in ev if is_fault(e)], [e for e in ev if is_fault(e)]
    finally:
        rc = d.stop()
    assert rc == 0, d.stderr
    assert not slow.coil_on() and not fast.coil_on()
    slow.stop()
    fast.stop()


def socat_pair(dirpath):
    a = os.path.join(dirpath, "ttyA")
    b = os.path.join(dirpath, "ttyB")
    p = subprocess.Popen(["socat", "pty,raw,echo=0,link=%s" % a,
                          "pty,raw,echo=0,link=%s" % b],
                         stderr=subprocess.DEVNULL)
    PROCS.append(p)
    for _ in range(100):
        if os.path.exists(a) and os.path.exists(b):
            return p, a, b
        time.sleep(0.05)
    raise AssertionError("socat did not make the pty pair")


def rtu_zone(dev):
    link = {"device": dev, "baud": 9600, "parity": "none", "data_bits": 8,
            "stop_bits": 1, "unit": 1, "timeout_ms": 300, "retries": 1}
    return zone("pad", dict(link, type="modbus", register=0,
                            register_type="holding", scale=0.1),
                dict(link, type="modbus", coil=0))


@test
def rtu_over_a_pty_pair_regulates_faults_and_recovers():
    tmp = tempfile.mkdtemp(prefix="heatpad-rtu-")
    socat, dev_daemon, dev_server = socat_pair(tmp)
    srv = Server(["--rtu", dev_server, "--baud", "9600", "--speed", "20",
                  "--start-c", "35"])
    d = Daemon(config(rtu_zone(dev_daemon)), ["--start", "pad:20:40"])
    try:
        regulate(srv, d)
        # No answer, an exception answer, an answer naming another slave:
        # each a sensor fault with the relay off, cleared once it is gone.
        for kind in ("wrong_unit", "silent", "exception"):
            srv.send("fault reg %s" % kind)
            f = d.expect(lambda e: is_fault(e), 10)
            assert f["reason"] == "sensor_error" and not f["relay"], (kind, f)
            time.sleep(0.5)
            assert not srv.coil_on(), kind
            srv.send("fault reg none")
            d.expect(log_has("sensor: reading again"), 10)
            clear_fault(d)
        # The serial device goes away (socat ends) and comes back.
        socat.terminate()
        socat.wait()
        d.expect(log_has("sensor: "), 10)
        time.sleep(2)
        socat, _, _ = socat_pair(tmp)
        d.expect(log_has("sensor: reading again"), 20)
        clear_fault(d)
        assert d.proc.poll() is None
        assert not srv.coil_on()
    finally:
        rc = d.stop()
        socat.terminate()
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    assert rc == 0, d.stderr


W1_GOOD = ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n"
           "72 01 4b 46 7f ff 0e 10 57 t=%d\n")
W1_CRC_NO = ("72 01 4b 46 7f ff 0e 10 57 : crc=57 NO\n"
             "72 01 4b 46 7f ff 0e 10 57 t=23125\n")


def w1_write(root, dev, text):
    os.makedirs(os.path.join(root, dev), exist_ok=True)
    path = os.path.join(root, dev, "w1_slave")
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


@test
def ds18b20_good_crc_no_power_on_and_vanishing():
    root = tempfile.mkdtemp(prefix="heatpad-w1-")
    dev = "28-0316a2795c9f"
    srv = Server(["--tcp", "0"])
    z = zone("pad", {"type": "ds18b20", "id": dev, "w1_root": root,
                     "retries": 0},
             dict(mb_tcp(srv.port), type="modbus", coil=0))
    try:
        # Each bad reading mid-session: a fault, the coil off, and a clear
        # once the sensor reads well again.
        for text, want in ((W1_CRC_NO, "sensor_error"),
                           (W1_GOOD % 85000, "sensor_power_on"),
                           (None, "sensor_error")):
            w1_write(root, dev, W1_GOOD % 30125)
            d = Daemon(config(z), ["--start", "pad:20:40"])
            try:
                d.expect(lambda e: relay_on(e), 15)
                st = d.expect(lambda e: e["event"] == "status" and
                              e["temp_c"], 5)
                assert st["temp_c"] == 30.125, st
                srv.expect(lambda l: l == "coil on", 10)
                if text is None:
                    shutil.rmtree(os.path.join(root, dev))  # unplugged
                else:
                    w1_write(root, dev, text)
                f = d.expect(lambda e: is_fault(e), 10)
                assert f["reason"] == want, (f, want)
                srv.expect(lambda l: l == "coil off", 5)
                if text is None:
                    assert any(log_has("No such device")(e)
                               for e in d.events), d.events
                w1_write(root, dev, W1_GOOD % 30000)
                clear_fault(d)
                # Nothing heats by itself after a clear.
                time.sleep(1)
                assert not srv.coil_on()
            finally:
                assert d.stop() == 0, d.stderr
    finally:
        srv.stop()
        shutil.rmtree(root, ignore_errors=True)


@test
def ds18b20_missing_at_start_is_a_sensor_fault():
    root = tempfile.mkdtemp(prefix="heatpad-w1-")
    srv = Server(["--tcp", "0"])
    z = zone("pad", {"type": "ds18b20", "id": "28-000000000001",
                     "w1_root": root},
             dict(mb_tcp(srv.port), type="modbus", coil=0))
    d = Daemon(config(z), ["--start", "pad:20:40"])
    try:
        f = d.expect(lambda e: is_fault(e), 10)
        assert f["reason"] in ("sensor_error", "sensor_timeout"), f
        assert not srv.coil_record() or not any(srv.coil_record())
    finally:
        d.stop()
        srv.stop()
        shutil.rmtree(root, ignore_errors=True)


@test
def probe_lists_what_it_can_see():
    root = tempfile.mkdtemp(prefix="heatpad-w1-")
    w1_write(root, "28-0316a2795c9f", W1_GOOD % 23125)
    w1_write(root, "28-00000a1b2c3d", W1_CRC_NO)
    srv = Server(["--tcp", "0", "--start-c", "31.5"])
    dead = Server(["--tcp", "0"])
    dead_port = dead.port
    dead.stop()
    z1 = tcp_zone(srv.port, "a")
    z1["sensor2"] = {"type": "ds18b20", "id": "28-0316a2795c9f",
                     "w1_root": root}
    z2 = zone("b", dict(mb_tcp(dead_port), type="modbus", register=0),
              dict(mb_tcp(dead_port), type="modbus", coil=3))
    d = tempfile.mkdtemp(prefix="heatpad-hw-")
    cfg = os.path.join(d, "c.json")
    with open(cfg, "w") as f:
        json.dump(config(z1, z2), f)
    try:
        p = subprocess.run([DAEMON, "--probe", "--config", cfg],
                           capture_output=True, text=True, timeout=30)
        out = p.stdout
        assert p.returncode == 0, p.stderr
        assert "DS18B20 sensors under %s:" % root in out, out
        assert "28-0316a2795c9f  23.125 C" in out, out
        assert "28-00000a1b2c3d  no reading: Bad message" in out, out
        assert "GPIO chips:" in out, out
        assert ("sensor (a): tcp 127.0.0.1:%d unit 1 input register 0: "
                "answers, 315 = 31.50 C" % srv.port) in out, out
        assert "relay (a): tcp 127.0.0.1:%d unit 1 coil 0: answers, coil off" \
            % srv.port in out, out
        assert "relay (b): tcp 127.0.0.1:%d unit 1 coil 3: no answer: " \
            "Connection refused" % dead_port in out, out
        bad = subprocess.run([DAEMON, "--probe", "--config",
                              os.path.join(d, "missing.json")],
                             capture_output=True, text=True)
        assert bad.returncode == 2 and "cannot open" in bad.stderr, bad
    finally:
        srv.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(d, ignore_errors=True)


@test
def example_hardware_config_is_valid():
    p = subprocess.run([DAEMON, "--check-config",
                        os.path.join(ROOT, "examples", "pi.json")],
                       capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.strip() == "configuration OK", p


@test
def hardware_config_errors_name_the_key():
    d = tempfile.mkdtemp(prefix="heatpad-hw-")
    cfg = os.path.join(d, "c.json")
    with open(cfg, "w") as f:
        json.dump(config(zone("a", {"type": "ds18b20", "id": "28-XYZ"},
                              {"type": "modbus", "host": "h", "device": "/d",
                               "coil": 1, "parity": "mark"}),
                         zone("b", {"type": "modbus", "host": "h"},
                              {"type": "gpio", "chip": "gpiochip0"})), f)
    p = subprocess.run([DAEMON, "--check-config", cfg], capture_output=True,
                       text=True)
    shutil.rmtree(d, ignore_errors=True)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2, p
    for want in ("zones[0].sensor.id: must be a DS18B20 id",
                 "zones[0].relay.device: give either device",
                 "zones[0].relay.parity: must be none, even or odd",
                 "zones[1].sensor.register: is required",
                 "zones[1].relay.line: is required"):
        assert any(l.startswith(want) for l in lines), (want, lines)


def main():
    for exe in (DAEMON, SERVER):
        if not os.access(exe, os.X_OK):
            print("hw: %s is missing: run make first" % exe)
            harness.closing("hw", 0, 1)
            return 1
    only = sys.argv[1:]
    part = None
    if only and only[0].startswith("--part="):
        # --part=K/N: every N-th test from the K-th, so make -j can run
        # the suite as N processes side by side.
        k, n = (int(x) for x in only.pop(0).split("=", 1)[1].split("/"))
        part = {fn.__name__ for i, fn in enumerate(TESTS) if i % n == k - 1}

    def reap():
        for p in PROCS:
            if p.poll() is None:
                p.kill()
                p.wait()
        PROCS.clear()
    failed = run_tests(TESTS, "hw", lambda fn: (not only or fn.__name__ in only)
                       and (part is None or fn.__name__ in part), after=reap)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
