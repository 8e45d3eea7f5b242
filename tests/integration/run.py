#!/usr/bin/env python3
"""Integration tests: build/heatpadd as users run it, in simulation mode.

Each test starts the daemon with --log-format json and a simulated relay
record (--sim-relay-log), then checks what it said against what the relay
itself saw. Ends with "integration: N passed, N failed, N skipped". With test names
as arguments, only those run.
"""
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

import harness
from harness import DAEMON, ROOT, http_request, read_relay_record, run_tests, wait_until

EXAMPLE = os.path.join(ROOT, "examples", "sim.json")
TZ = {"TZ": "Europe/Berlin"}
# Runs that only need time to pass go as fast as the build can: no
# deadline is passed before its work has run.
FAST = "max" if harness.has_control() else "200"


class Run(harness.Daemon):
    """One daemon run in its own temp dir, on the example's config (or the
    given dict or path), that ends by itself: wait() for its exit code."""

    def __init__(self, args, config=None, state=None):
        super().__init__(config or EXAMPLE, at_noon(args), state=state,
                         start=None, speed=None, port=False,
                         prefix="heatpad-it-")
        self.seen = 0           # events wait_for() has looked at


class Live(harness.Daemon):
    """A daemon left running, its page on a port the system picked (the
    example's config with "port": 0), its JSON log read as it comes."""

    def __init__(self, args, state, config=None):
        cfg = config or json.load(open(EXAMPLE))
        cfg["http"] = {"listen": "127.0.0.1", "port": 0,
                       "web_root": os.path.join(ROOT, "web")}
        super().__init__(cfg, at_noon(args), state=state, start=None,
                         speed=None, prefix="heatpad-it-")

    def req(self, method, path, body=None):
        st, _, payload = http_request(self.port, method, path, body)
        return st, payload

    def guidance(self):
        return self.req("GET", "/api/status")[1]["guidance"]


def write_state(path, obj):
    with open(path, "w") as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj))


def last_state(record, zone):
    states = [on for _, z, on in record if z == zone]
    return states[-1] if states else False


def wait_relay(run, zone, on, timeout=5):
    """Waits until the simulated relay itself reports `on` (the daemon logs
    its decision just before it writes the relay)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if last_state(run.relay_record(), zone) == on:
            return
        time.sleep(0.02)
    raise AssertionError("relay %d never went %s" % (zone, on))


def wait_for(run, predicate, timeout=20):
    """Reads events as they come until predicate(event) holds; returns
    those read since the last call, the one that held last."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        evs = run.log.events()
        for i in range(run.seen, len(evs)):
            if predicate(evs[i]):
                seen, run.seen = evs[run.seen:i + 1], i + 1
                return seen
        if run.log.ended.is_set():
            break
        time.sleep(0.02)
    seen = run.log.events()[run.seen:]
    raise AssertionError("event not seen; got %d events, last %r"
                         % (len(seen), seen[-3:]))


def at_noon(args):
    """A run that names no start time begins at noon on a fixed day, so the
    hour the suite runs at (quiet hours 23:00-07:00) changes nothing."""
    if "--sim-start" in args or "--sim-speed" not in args:
        return list(args)
    return ["--sim-start", "2026-11-24T12:00"] + list(args)


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def check_config_ok_and_errors():
    ok = subprocess.run([DAEMON, "--check-config", EXAMPLE], capture_output=True,
                        text=True)
    assert ok.returncode == 0 and ok.stdout.strip() == "configuration OK", ok
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"zones": [{"name": "a", "sensor": {"type": "sim"},
                              "relay": {"type": "sim"}},
                             {"name": "b", "sensor": {"type": "sim"},
                              "relay": {"type": "sim"},
                              "pid": {"window_s": 700},
                              "limits": {"cutoff": 44}}]}, f)
    bad = subprocess.run([DAEMON, "--check-config", f.name], capture_output=True,
                         text=True)
    os.unlink(f.name)
    assert bad.returncode == 2, bad
    lines = bad.stderr.strip().splitlines()
    assert "zones[1].pid.window_s: must be between 5 and 600" in lines, lines
    assert "zones[1].limits.cutoff: unknown key" in lines, lines


@test
def session_ends_by_itself_on_time():
    r = Run(["--sim-speed", "120", "--sim-start", "2026-11-24T20:29",
             "--start", "upper back:2:40", "--run-for", "200"])
    assert r.wait() == 0, r.err
    ev = r.evs()
    start = [e for e in ev if e["event"] == "session_start"][0]
    end = [e for e in ev if e["event"] == "session_end"][0]
    assert end["reason"] == "time_up", end
    took = (end["mono_ms"] - start["mono_ms"]) / 1000
    assert 120 <= took <= 122, took
    assert any(e["event"] == "relay" and e["relay"] for e in ev), "never heated"
    rec = r.relay_record()
    assert any(on for _, z, on in rec if z == 0), rec
    assert not last_state(rec, 0)
    # The relay's own record matches what the daemon said, switch by switch.
    said = [(e["zone_id"] == "lower_back", e["relay"]) for e in ev
            if e["event"] == "relay"]
    seen = [(z == 1, on) for _, z, on in rec]
    assert seen == said, (seen, said)


@test
def quiet_hours_end_a_session():
    r = Run(["--sim-speed", "120", "--sim-start", "2026-11-24T22:58",
             "--start", "upper back:20:40", "--run-for", "240"])
    assert r.wait() == 0, r.err
    ev = r.evs()
    end = [e for e in ev if e["event"] == "session_end"][0]
    assert end["reason"] == "quiet_hours", end
    assert end["ts"].startswith("2026-11-24T23:00:0"), end["ts"]
    assert not last_state(r.relay_record(), 0)


@test
def start_in_quiet_hours_is_refused():
    r = Run(["--sim-speed", "60", "--sim-start", "2026-11-24T23:30",
             "--start", "upper back:20:40", "--run-for", "30"])
    assert r.wait() == 0, r.err
    ev = r.evs()
    logs = [e["msg"] for e in ev if e["event"] == "log"]
    assert any("quiet hours (23:00-07:00): heat can start again at "
               "Wed 25 Nov 07:00" in m for m in logs), logs
    assert not any(on for _, _, on in r.relay_record())


@test
def sigterm_turns_relays_off():
    r = Run(["--sim-speed", "10", "--start", "upper back:20:40",
             "--start", "lower back:20:39"])
    wait_for(r, lambda e: e["event"] == "relay" and e["relay"]
             and e["zone_id"] == "lower_back")
    wait_relay(r, 1, True)
    r.proc.send_signal(signal.SIGTERM)
    assert r.wait() == 0, r.err
    rec = r.relay_record()
    assert any(on for _, z, on in rec if z == 1), rec
    assert not last_state(rec, 0) and not last_state(rec, 1), rec
    ev = r.evs()
    assert any(e["event"] == "session_end" and e["reason"] == "shutdown"
               for e in ev), ev[-5:]


@test
def sighup_is_ignored_and_said_so():
    # The configuration is read at start only: SIGHUP changes nothing of a
    # running session and says so once in the log.
    d = harness.Daemon(EXAMPLE, args=["--start", "upper back:5:40"],
                       control=True, speed=None, start="2026-11-24T12:00",
                       prefix="heatpad-it-")
    try:
        assert d.ctl, "this build has no --sim-control"
        t0 = d.now()["mono_ms"]
        d.advance(60)
        before = d.relay_record()
        assert any(on for _, z, on in before if z == 0), before
        d.signal(signal.SIGHUP)
        d.wait_event(lambda e: e.get("event") == "log" and
                     "SIGHUP ignored" in e.get("msg", ""), 10)
        d.advance(1)
        assert d.alive(), d.err
        assert not [e for e in d.evs("session_end")], d.evs("session_end")
        # The session still ends on its own time, 5 minutes after it began.
        d.advance(300)
        # The log is read on a thread: its line may come after the reply.
        d.wait_event(lambda e: e.get("event") == "session_end", 10)
        end = d.evs("session_end")
        assert end and end[0]["reason"] == "time_up", end
        assert end[0]["mono_ms"] - t0 <= 301000, (end, t0)
        assert not last_state(d.relay_record(), 0)
        assert len([e for e in d.evs("log")
                    if "SIGHUP" in e.get("msg", "")]) == 1
    finally:
        d.stop()


@test
def crash_leaves_the_relay_off():
    r = Run(["--sim-speed", "10", "--start", "upper back:20:40"])
    wait_for(r, lambda e: e["event"] == "relay" and e["relay"])
    wait_relay(r, 0, True)
    r.proc.send_signal(signal.SIGABRT)
    rc = r.wait()
    assert rc == -signal.SIGABRT, rc
    assert not last_state(r.relay_record(), 0), r.relay_record()


@test
def sensor_read_error_latches_and_turns_off():
    r = Run(["--sim-speed", "60", "--start", "upper back:20:40",
             "--sim-fault", "upper back:sensor_disconnect@120", "--run-for", "300"])
    assert r.wait() == 0, r.err
    ev = r.evs()
    fault = [e for e in ev if e["event"] == "fault"]
    assert fault and fault[0]["reason"] == "sensor_error", fault
    inject = [e for e in ev if e["event"] == "log" and "injected" in e["msg"]][0]
    # The next read after the injection fails (under a second of virtual
    # time); allow for a loaded machine at 60x, where 1 s is 17 ms.
    assert fault[0]["wall"] - inject["wall"] <= 4, (inject, fault[0])
    assert not last_state(r.relay_record(), 0)
    assert fault[0]["relay"] is False and fault[0]["session"] is False


@test
def silent_sensor_times_out():
    r = Run(["--sim-speed", "60", "--start", "upper back:20:40",
             "--sim-fault", "upper back:sensor_silent@120", "--run-for", "300"])
    assert r.wait() == 0, r.err
    ev = r.evs()
    fault = [e for e in ev if e["event"] == "fault"]
    assert fault and fault[0]["reason"] == "sensor_timeout", fault
    inject = [e for e in ev if e["event"] == "log" and "injected" in e["msg"]][0]
    # 5 s without a valid reading, counted from the last one before.
    delay = fault[0]["wall"] - inject["wall"]
    assert 4 <= delay <= 9, delay
    assert not last_state(r.relay_record(), 0)


@test
def stuck_relay_is_reported_loudly():
    # Speeds stay at or below 120 here: above that the 5 s sensor timeout
    # is a few real milliseconds, and a loaded machine trips it.
    r = Run(["--sim-speed", "100", "--start", "upper back:30:40",
             "--sim-fault", "upper back:relay_stuck_on@600", "--run-for", "1000"])
    assert r.wait() == 0, r.err
    faults = [e for e in r.evs() if e["event"] == "fault"]
    assert faults and faults[0]["reason"] == "stuck_relay", faults
    # Off is all software can do; the relay record shows it was told off.
    assert not last_state(r.relay_record(), 0)


@test
def stuck_sensor_below_setpoint_is_caught_before_the_pad_overheats():
    # Stuck at ~39.4 C with the setpoint at 41: within 2 C, so the runaway
    # check is not armed, and PID would heat flat out (before sensor_frozen
    # this session ran its full hour and the pad itself reached 61 C).
    r = Run(["--sim-speed", "100", "--start", "upper back:60:41",
             "--sim-fault", "upper back:sensor_stuck@620", "--run-for", "1200"])
    assert r.wait() == 0, r.err
    faults = [e for e in r.evs() if e["event"] == "fault"]
    assert faults and faults[0]["reason"] == "sensor_frozen", faults
    assert not last_state(r.relay_record(), 0)
    rec = read_relay_record(r.relay_log, full=True)
    hottest = max(x["temp_c"] for x in rec if x["zone"] == 0)
    assert hottest < 43, hottest


@test
def clock_step_into_quiet_hours_ends_the_session():
    # 21:00 plus a +3 h step (NTP setting a Pi's clock) is past 23:00: the
    # session ends at the next tick, on the stepped clock.
    r = Run(["--sim-speed", "20", "--sim-start", "2026-10-24T21:00",
             "--start", "upper back:30:40", "--sim-clock-step", "+10800@60",
             "--run-for", "120"])
    assert r.wait() == 0, r.err
    end = [e for e in r.evs() if e["event"] == "session_end"]
    assert end and end[0]["reason"] == "quiet_hours", end
    rec = read_relay_record(r.relay_log, full=True)
    step = [x for x in rec if x["what"] == "clock"]
    assert step and step[0]["kind"] == "+10800", rec[-3:]
    # Within a tick (and what 50 real ms are at 20x) of the step.
    assert 0 <= end[0]["mono_ms"] - step[0]["mono_ms"] <= 2000, (end, step)
    assert end[0]["ts"].startswith("2026-10-25T00:01"), end
    assert not last_state(r.relay_record(), 0)


@test
def injury_record_survives_restart_and_blocks_heat():
    r1 = Run(["--sim-speed", "10", "--record-swelling", "now", "--run-for", "2"])
    assert r1.wait() == 0, r1.err
    with open(r1.state) as f:
        saved = json.load(f)
    assert saved["version"] == 5 and saved["record"]["swelling"], saved
    assert 0 < saved["record"]["window_left_s"] <= 48 * 3600, saved
    r2 = Run(["--sim-speed", "60", "--start", "upper back:20:40",
              "--run-for", "20"], state=r1.state)
    assert r2.wait() == 0, r2.err
    logs = [e["msg"] for e in r2.evs() if e["event"] == "log"]
    assert any("blocked until" in m and "48-hour cold rule" in m for m in logs), logs
    assert not any(on for _, _, on in r2.relay_record())
    r3 = Run(["--sim-speed", "60", "--clear-record", "--start", "upper back:20:40",
              "--run-for", "20"], state=r1.state)
    assert r3.wait() == 0, r3.err
    assert any(on for _, _, on in r3.relay_record()), "heat after clearing"


@test
def autotune_stores_its_result_and_is_used():
    # 20 virtual minutes at noon, with the shipped sensor timeout: as fast
    # as the machine runs them (a busy one slows the run, never a sensor).
    r1 = Run(["--sim-speed", FAST, "--sim-start", "2026-11-24T12:00",
              "--autotune", "upper back"])
    assert r1.wait(timeout=120) == 0, r1.err
    ev = r1.evs()
    done = [e for e in ev if e["event"] == "autotune"]
    assert [e["reason"] for e in done] == ["done"], done
    logs = [e["msg"] for e in ev if e["event"] == "log"]
    assert any("plant gain" in m and "gains kp" in m for m in logs), logs
    rec = r1.relay_record()
    assert any(on for _, _, on in rec) and not last_state(rec, 0), rec[-3:]
    assert not [e for e in ev if e["event"] == "fault"]
    with open(r1.state) as f:
        saved = json.load(f)
    t = saved["tuning"]["upper_back"]
    # The simulated 40 W pad: 26.7 C per unit duty, 800 s, 11.25 s
    # (sim_pad_fopdt()); the unit test holds the fit to 20 %.
    assert 21 < t["gain_c"] < 32 and 640 < t["tau_s"] < 960, t
    assert 0 < t["kp"] <= 10 and 0 < t["ki"] <= 1, t
    assert "lower_back" not in saved["tuning"]
    r2 = Run(["--sim-speed", "60", "--sim-start", "2026-11-24T12:30",
              "--start", "upper back:20:40", "--run-for", "5"], state=r1.state)
    assert r2.wait() == 0, r2.err
    logs = [e["msg"] for e in r2.evs() if e["event"] == "log"]
    assert any("upper back: using the stored autotune model and gains" in m
               for m in logs), logs


@test
def autotune_refusals():
    r = Run(["--sim-speed", "60", "--autotune", "middle back"])
    assert r.wait() == 2, r.err
    assert any("no zone 'middle back'" in e.get("msg", "") for e in r.evs())
    r = Run(["--sim-speed", "60", "--sim-start", "2026-11-24T23:30",
             "--autotune", "upper back"])
    assert r.wait() == 2, r.err
    assert any("quiet hours" in e.get("msg", "") for e in r.evs())
    assert not any(on for _, _, on in r.relay_record())
    # A fault during the experiment ends it with the relay off: exit 1.
    r = Run(["--sim-speed", "60", "--sim-start", "2026-11-24T12:00",
             "--autotune", "upper back",
             "--sim-fault", "upper back:sensor_disconnect@60"])
    assert r.wait() == 1, r.err
    ev = r.evs()
    assert [e["reason"] for e in ev if e["event"] == "autotune"] == ["failed"]
    assert any("autotune failed: fault sensor_error" in e.get("msg", "")
               for e in ev), ev[-4:]
    rec = r.relay_record()
    assert any(on for _, _, on in rec) and not last_state(rec, 0), rec


@test
def fault_survives_restart_until_cleared():
    r1 = Run(["--sim-speed", "60", "--start", "upper back:20:40",
              "--sim-fault", "upper back:sensor_power_on@30", "--run-for", "60"])
    assert r1.wait() == 0, r1.err
    with open(r1.state) as f:
        assert json.load(f)["faults"] == {"upper_back": "sensor_power_on"}
    r2 = Run(["--sim-speed", "60", "--start", "upper back:20:40",
              "--run-for", "10"], state=r1.state)
    assert r2.wait() == 0, r2.err
    logs = [e["msg"] for e in r2.evs() if e["event"] == "log"]
    assert any("still latched" in m for m in logs), logs
    assert any("has a fault (sensor_power_on)" in m for m in logs), logs
    assert not any(on for _, _, on in r2.relay_record())
    r3 = Run(["--sim-speed", "60", "--clear-fault", "upper back",
              "--run-for", "10"], state=r1.state)
    assert r3.wait() == 0, r3.err
    logs = [e["msg"] for e in r3.evs() if e["event"] == "log"]
    assert any("fault sensor_power_on cleared" in m for m in logs), logs
    with open(r1.state) as f:
        assert json.load(f)["faults"] == {}
    r4 = Run(["--sim-speed", "60", "--start", "upper back:20:40",
              "--run-for", "10"], state=r1.state)
    assert r4.wait() == 0, r4.err
    assert any(on for _, _, on in r4.relay_record())


@test
def corrupt_state_is_set_aside():
    # A file that cannot be parsed may have held an injury or a stuck relay:
    # heat stays blocked until a person confirms, and a copy is kept.
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    state = os.path.join(d, "state.json")
    with open(state, "w") as f:
        f.write('{"version":1,"record":{"acute":tr')
    r = Run(["--sim-speed", "10", "--start", "upper back:20:40", "--run-for", "10"],
            state=state)
    assert r.wait() == 0, r.err
    assert not any(on for _, _, on in r.relay_record())
    logs = [e["msg"] for e in r.evs() if e["event"] == "log"]
    assert any("not valid JSON" in m and "a copy of the file is kept at" in m
               for m in logs), logs
    assert any(n.startswith("state.json.corrupt-") for n in os.listdir(d))
    assert any("heat is blocked: the stored record could not be read" in m
               for m in logs), logs
    with open(state) as f:
        assert json.load(f)["record"]["confirm_needed"] is True
    # Still blocked after a restart, until --confirm-safe.
    r = Run(["--sim-speed", "10", "--start", "upper back:20:40", "--run-for", "5"],
            state=state)
    assert r.wait() == 0, r.err
    assert not any(on for _, _, on in r.relay_record())
    r = Run(["--sim-speed", "10", "--confirm-safe", "--start", "upper back:20:40",
             "--run-for", "10"], state=state)
    assert r.wait() == 0, r.err
    logs = [e["msg"] for e in r.evs() if e["event"] == "log"]
    assert any("confirmed: no injury or swelling" in m for m in logs), logs
    assert any(on for _, _, on in r.relay_record())


def schedule_at(t):
    """A daily schedule entry for upper back at local time t (epoch s)."""
    return [{"zone": "upper_back", "days": "daily",
             "start": time.strftime("%H:%M", time.localtime(t)),
             "minutes": 20, "setpoint_c": 40}]


@test
def clock_step_forward_then_schedule_does_not_heat():
    # An injury recorded at 20:00; a minute later NTP steps the clock 72 h
    # forward; the stored 20:03 schedule comes due three minutes after the
    # injury. The 48 hours are real hours: no heat.
    os.environ["TZ"] = TZ["TZ"]
    time.tzset()
    start = time.mktime(time.strptime("2026-11-24T20:00", "%Y-%m-%dT%H:%M"))
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    state = os.path.join(d, "state.json")
    write_state(state, {"version": 2, "record": {},
                        "schedule": schedule_at(start + 180)})
    r = Run(["--sim-speed", "10", "--sim-start", "2026-11-24T20:00",
             "--record-injury", "now", "--sim-clock-step", "+259200@60",
             "--run-for", "200"], state=state)
    assert r.wait(timeout=90) == 0, r.err
    ev = r.evs()
    runs = [e for e in ev if e["event"] == "schedule_run"]
    assert runs and runs[0]["reason"] == "cold_rule", runs
    assert runs[0]["ts"].startswith("2026-11-27T20:03"), runs
    assert "48-hour cold rule" in runs[0]["detail"], runs
    rec = read_relay_record(r.relay_log, full=True)
    assert any(x["what"] == "clock" for x in rec), rec
    assert not any(on for _, _, on in r.relay_record())


@test
def restart_on_a_stepped_clock_keeps_the_window():
    # Recorded, then a restart three days later by the wall clock (a Pi
    # whose clock was set while it was off): the seconds left on file hold.
    r1 = Run(["--sim-speed", "10", "--sim-start", "2026-11-24T20:00",
              "--record-injury", "now", "--run-for", "5"])
    assert r1.wait() == 0, r1.err
    r2 = Run(["--sim-speed", "10", "--sim-start", "2026-11-27T20:00",
              "--start", "upper back:20:40", "--run-for", "5"], state=r1.state)
    assert r2.wait() == 0, r2.err
    assert not any(on for _, _, on in r2.relay_record())
    logs = [e["msg"] for e in r2.evs() if e["event"] == "log"]
    assert any("48-hour cold rule" in m for m in logs), logs
    with open(r1.state) as f:
        left = json.load(f)["record"]["window_left_s"]
    # Written at the clean stop of the first run; the second ran 5 s.
    assert 48 * 3600 - 60 <= left <= 48 * 3600, left


@test
def injury_on_a_1970_clock_survives_restart():
    # A Pi that booted at the epoch: "two hours ago" is before 1970. The
    # file must read back, and heat stay blocked.
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    state = os.path.join(d, "state.json")
    live = Live(["--sim-speed", "10", "--sim-start", "1970-01-01T08:00"], state)
    try:
        st, body = live.req("POST", "/api/injury",
                            {"injury": True, "minutes_ago": 600})
        assert st == 200, body
        wait_until(lambda: os.path.exists(state), "state file")
    finally:
        live.stop()
    with open(state) as f:
        saved = json.load(f)
    assert saved["record"]["acute_at"] < 0, saved
    # An hour later, outside quiet hours: the window holds.
    r = Run(["--sim-speed", "10", "--sim-start", "1970-01-01T09:00",
             "--start", "upper back:20:40", "--run-for", "5"], state=state)
    assert r.wait() == 0, r.err
    assert not any(on for _, _, on in r.relay_record())
    logs = [e["msg"] for e in r.evs() if e["event"] == "log"]
    assert not any("could not be read" in m or "corrupt" in m for m in logs), logs
    assert any("48-hour cold rule" in m for m in logs), logs


@test
def damaged_state_keeps_the_stuck_relay_and_the_record():
    # A file from a newer version (a downgrade) with a bad tuning and an
    # out-of-range schedule entry: each bad part is set aside alone; the
    # injury and the stuck relay stay, and a copy of the file is kept.
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    state = os.path.join(d, "state.json")
    os.environ["TZ"] = TZ["TZ"]
    time.tzset()
    at = int(time.mktime(time.strptime("2026-11-24T19:00", "%Y-%m-%dT%H:%M")))
    write_state(state, {
        "version": 7,
        "record": {"acute": True, "acute_at": at, "injury": True},
        "faults": {"lower_back": "stuck_relay"},
        "tuning": {"upper_back": {"gain_c": -1}},
        "schedule": [{"zone": "upper_back", "days": "daily", "start": "21:00",
                      "minutes": 9999, "setpoint_c": 40}]})
    r = Run(["--sim-speed", "10", "--sim-start", "2026-11-24T20:00",
             "--start", "upper back:20:40", "--start", "lower back:20:39",
             "--run-for", "5"], state=state)
    assert r.wait() == 0, r.err
    assert not any(on for _, _, on in r.relay_record())
    logs = [e["msg"] for e in r.evs() if e["event"] == "log"]
    said = [m for m in logs if m.startswith("state file ")]
    assert any("tuning.upper_back is not a valid tuning" in m and
               "schedule[0].minutes" in m and "version 7 is newer" in m
               for m in said), said
    assert os.path.exists(state + ".v7"), os.listdir(d)
    assert any("lower_back: fault stuck_relay is still latched" in m
               for m in logs), logs
    assert any("48-hour cold rule" in m for m in logs), logs
    assert not any(on for _, _, on in r.relay_record())
    with open(state) as f:
        saved = json.load(f)
    assert saved["version"] == 5 and saved["faults"] == {"lower_back": "stuck_relay"}
    assert saved["record"]["acute_at"] == at and saved["schedule"] == [], saved


@test
def unreadable_record_blocks_until_confirmed_on_the_page():
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    state = os.path.join(d, "state.json")
    write_state(state, {"version": 3, "record": {"acute": "maybe"},
                        "faults": {"upper_back": "melted"}})
    live = Live(["--sim-speed", "10"], state)
    try:
        g = live.guidance()
        assert g["heat_blocked"] and g["confirm_needed"], g
        assert g["blocked_by"] == "record_unreadable" and g["confirm_reason"], g
        assert g["heat_allowed_at"] is None, g
        st, body = live.req("POST", "/api/zones/upper_back/start", {"minutes": 5})
        assert st == 409 and body["code"] == "record_unreadable", body
        st, body = live.req("POST", "/api/confirm-safe", {"no_injury_48h": True})
        assert st == 400, body
        st, body = live.req("POST", "/api/confirm-safe",
                            {"no_injury_48h": True, "pad_ok": True})
        assert st == 200 and not body["guidance"]["confirm_needed"], body
        st, body = live.req("POST", "/api/zones/upper_back/start", {"minutes": 5})
        assert st == 200, body
        wait_until(lambda: any(on for _, _, on in live.relay_record()),
                   "heat after the confirmation")
    finally:
        live.stop()
    with open(state) as f:
        assert json.load(f)["record"]["confirm_needed"] is False


@test
def symlinked_state_file_is_not_moved():
    # A link to a damaged file: refused at start-up, before anything reads,
    # copies or replaces either of them.
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    target = os.path.join(d, "real.json")
    write_state(target, "{ not json")
    state = os.path.join(d, "state.json")
    os.symlink(target, state)
    r = Run(["--sim-speed", "10", "--start", "upper back:20:40",
             "--run-for", "3"], state=state)
    assert r.wait() == 2, r.err
    assert "is a symbolic link, not a regular file" in r.err, r.err
    assert os.path.islink(state) and open(target).read() == "{ not json"
    assert not any(on for _, _, on in r.relay_record())
    assert sorted(os.listdir(d)) == ["real.json", "state.json"], os.listdir(d)


@test
def warning_signs_of_either_tier_block_heat():
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    state = os.path.join(d, "state.json")
    live = Live(["--sim-speed", "10", "--sim-start", "2026-11-24T20:00"], state)
    try:
        st, body = live.req("POST", "/api/injury", {"urgent_signs": True})
        assert st == 200, body
        g = body["guidance"]
        assert g["kind"] == "urgent" and g["blocked_by"] == "urgent_signs", g
        assert g["record"]["urgent_signs"] and "urgent care" in g["title"], g
        assert g["heat_allowed_at"] is None, g
        st, body = live.req("POST", "/api/zones/upper_back/start", {"minutes": 5})
        assert st == 409 and body["code"] == "urgent_signs", body
        assert "urgent care" in body["message"], body
        assert any(e.get("guidance") == "urgent" for e in
                   live.log.events("guidance")), live.log.events("guidance")
        # Urgent cleared, the other tier still blocks.
        st, body = live.req("POST", "/api/injury",
                            {"urgent_signs": False, "nerve_signs": True})
        assert body["guidance"]["kind"] == "consult", body
        st, body = live.req("POST", "/api/zones/upper_back/start", {"minutes": 5})
        assert st == 409 and body["code"] == "warning_signs", body
    finally:
        live.stop()
    with open(state) as f:
        rec = json.load(f)["record"]
    assert rec["nerve_signs"] and not rec["urgent_signs"], rec
    # Still blocked after a restart, until cleared.
    r = Run(["--sim-speed", "10", "--sim-start", "2026-11-24T20:10",
             "--start", "upper back:20:40", "--run-for", "4"], state=state)
    assert r.wait() == 0, r.err
    assert not any(on for _, _, on in r.relay_record())
    r = Run(["--sim-speed", "10", "--sim-start", "2026-11-24T20:10",
             "--warning-signs", "none", "--start", "upper back:20:40",
             "--run-for", "5"], state=state)
    assert r.wait() == 0, r.err
    assert any(on for _, _, on in r.relay_record())


@test
def slow_sensor_does_not_stall_the_loop():
    cfg = json.load(open(EXAMPLE))
    cfg["zones"][0]["sensor"]["read_delay_ms"] = 2000
    cfg["quiet_hours"] = {"enabled": False}     # real time: any hour
    r = Run(["--start", "upper back:20:40", "--start", "lower back:20:39",
             "--run-for", "8"], config=cfg)
    t0 = time.time()
    assert r.wait() == 0, r.err
    took = time.time() - t0
    ev = r.evs()
    # The fast zone heated from its first seconds, the slow one was read and
    # heated too (2.75 s a reading, inside the 5 s timeout), and the run took
    # its 8 s, not 8 ticks of 2 s each.
    on = {e["zone_id"] for e in ev if e["event"] == "relay" and e["relay"]}
    assert on == {"upper_back", "lower_back"}, on
    assert not [e for e in ev if e["event"] == "fault"], "no fault expected"
    assert took < 12, took


@test
def bad_cli_arguments():
    for args, msg in ([["--start", "upper back:20"], "--start: expected"],
                      [["--sim-speed", "0"], "--sim-speed"],
                      [["--sim-fault", "upper back:melt@3"], "--sim-fault"],
                      [["--sim-clock-step", "3h@10"], "--sim-clock-step"],
                      [["--sim-clock-step", "+10800"], "--sim-clock-step"]):
        p = subprocess.run([DAEMON, "--config", EXAMPLE] + args,
                           capture_output=True, text=True)
        assert p.returncode == 2 and msg in p.stderr, (args, p.stderr)


def sim_config(**top):
    """examples/sim.json as a dict, its page on a port the system picks,
    with top-level keys replaced."""
    with open(EXAMPLE) as f:
        cfg = json.load(f)
    cfg["http"]["port"] = 0
    cfg.update(top)
    return cfg


def check_text(text, *args):
    """--check-config on a config given as text: the finished process."""
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    path = os.path.join(d, "config.json")
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run([DAEMON, "--check-config", path] + list(args),
                       capture_output=True, text=True, timeout=20)
    shutil.rmtree(d, ignore_errors=True)
    return p


def refused_naming(p, line):
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "configuration OK" not in p.stdout, p.stdout
    assert line in p.stderr.splitlines(), (line, p.stderr)


@test
def duplicate_key_in_the_config_is_refused():
    # The first of two would win silently: 90 where someone wrote 500.
    text = json.dumps(sim_config()).replace(
        '"session": {', '"session": {"default_minutes": 30, ', 1)
    assert text.count('"default_minutes"') == 3, text
    refused_naming(check_text(text),
                   "zones[0].session.default_minutes: duplicate key")
    text = json.dumps(sim_config()).replace(
        '"http": {', '"http": {"listen": "0.0.0.0", ', 1)
    refused_naming(check_text(text), "http.listen: duplicate key")


@test
def quiet_hours_from_a_time_to_itself_are_refused():
    cfg = sim_config(quiet_hours={"start": "22:00", "end": "22:00"})
    refused_naming(check_text(json.dumps(cfg)),
                   "quiet_hours.end: must differ from start (22:00): the same "
                   "time would turn quiet hours off; to do that, set "
                   "\"enabled\": false")
    cfg["quiet_hours"]["enabled"] = False
    p = check_text(json.dumps(cfg))
    assert p.returncode == 0 and "configuration OK" in p.stdout, p


@test
def zone_ids_that_topics_and_routes_use_are_refused():
    for zid, use in (("status", "/api/status"),
                     ("stop", "/api/stop and /api/zones/<zone>/stop"),
                     ("availability", "the MQTT availability topic"),
                     ("all", "what stopping all zones means (/api/stop)")):
        cfg = sim_config()
        cfg["zones"][1]["id"] = zid
        refused_naming(check_text(json.dumps(cfg)),
                       "zones[1].id: '%s' is taken by %s; give the zone "
                       "another \"id\"" % (zid, use))
    cfg = sim_config()
    cfg["zones"][0]["name"] = "Result"         # the id comes from the name
    refused_naming(check_text(json.dumps(cfg)),
                   "zones[0].id: 'result' is taken by the MQTT <zone>/result "
                   "topic; give the zone another \"id\"")


@test
def guessable_pins_are_refused():
    for pin, why in (("1234", "a run of digits like 1234 or 4321"),
                     ("0000", "one digit repeated"),
                     ("98765", "a run of digits like 1234 or 4321")):
        cfg = sim_config()
        cfg["http"]["pin"] = pin
        p = check_text(json.dumps(cfg))
        refused_naming(p, "http.pin: is too easy to guess (%s): choose other "
                       "digits" % why)
        if pin != "1234":                      # the message's example
            assert pin not in p.stderr, p.stderr   # not echoed into logs
    cfg["http"]["pin"] = "123"
    refused_naming(check_text(json.dumps(cfg)), "http.pin: must be 4 to 16 digits")
    cfg["http"]["pin"] = "2468"
    assert check_text(json.dumps(cfg)).returncode == 0


@test
def page_beyond_loopback_needs_a_pin_or_none():
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    try:
        cfg = sim_config()
        cfg["http"]["listen"] = "0.0.0.0"
        path = os.path.join(d, "open.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        want = ("http.pin: is needed: the page listens on 0.0.0.0, beyond "
                "this machine; give 4 to 16 digits, or \"none\" to go without "
                "on purpose")
        refused_naming(check_text(json.dumps(cfg)), want)
        # At start-up: refused before anything opens.
        p = subprocess.run([DAEMON, "--config", path, "--state-file",
                            os.path.join(d, "state.json"), "--run-for", "1"],
                           capture_output=True, text=True, timeout=20)
        assert p.returncode == 2 and "  " + want in p.stderr.splitlines(), p
        assert not os.path.exists(os.path.join(d, "state.json"))
        cfg["http"]["pin"] = "none"
        assert check_text(json.dumps(cfg)).returncode == 0
        cfg["http"]["listen"] = "::1"
        del cfg["http"]["pin"]
        assert check_text(json.dumps(cfg)).returncode == 0
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test
def state_file_that_is_not_a_regular_file_is_refused():
    # A link to /dev/null (as root the daemon once set /dev/null aside and
    # put a file in its place), a fifo (reading it would block), a folder
    # that is not there. Each in a temp dir: /dev/null itself is only
    # looked at.
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    null_before = os.stat("/dev/null")
    try:
        link = os.path.join(d, "link.json")
        os.symlink("/dev/null", link)
        fifo = os.path.join(d, "fifo.json")
        os.mkfifo(fifo)
        for path, words in ((link, "is a symbolic link, not a regular file"),
                            (fifo, "is a fifo, not a regular file"),
                            (os.path.join(d, "no", "state.json"),
                             "its directory %s does not exist"
                             % os.path.join(d, "no"))):
            p = subprocess.run([DAEMON, "--config", EXAMPLE, "--state-file",
                                path, "--run-for", "1", "--status-every", "0"],
                               capture_output=True, text=True, timeout=20)
            assert p.returncode == 2, (path, p.returncode, p.stderr)
            assert "heatpadd: --state-file: %s %s" % (path, words) in p.stderr \
                or "heatpadd: --state-file: %s: %s" % (path, words) in p.stderr, \
                (path, p.stderr)
        c = subprocess.run([DAEMON, "--check-config", EXAMPLE, "--state-file",
                            link], capture_output=True, text=True, timeout=20)
        assert c.returncode == 2 and "is a symbolic link" in c.stderr, c
        c = subprocess.run([DAEMON, "--check-config", EXAMPLE, "--state-file",
                            "/dev/null"], capture_output=True, text=True,
                           timeout=20)
        assert c.returncode == 2 and "is a character device" in c.stderr, c
        # Nothing was moved aside or written.
        assert os.path.islink(link) and os.readlink(link) == "/dev/null"
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
        assert sorted(os.listdir(d)) == ["fifo.json", "link.json"], os.listdir(d)
        after = os.stat("/dev/null")
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == null_before.st_rdev
        assert after.st_ino == null_before.st_ino
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test
def state_file_with_a_duplicate_key_is_not_believed():
    # "acute": false then true: the first would win and heat would be
    # allowed inside the 48-hour window.
    d = tempfile.mkdtemp(prefix="heatpad-it-")
    try:
        state = os.path.join(d, "state.json")
        with open(state, "w") as f:
            f.write('{"version": 1, "record": {"acute": false, "injury": true, '
                    '"acute_at": %d, "acute": true}}' % int(time.time()))
        r = Run(["--run-for", "1"], state=state)
        assert r.wait() == 0, r.err
        said = [e.get("msg", "") for e in r.evs()]
        assert any("record.acute: duplicate key" in m for m in said), said
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    # python3 run.py NAME...: only the tests named.
    names = set(sys.argv[1:])
    pick = (lambda fn: fn.__name__ in names) if names else None
    return 1 if run_tests(TESTS, "integration", pick) else 0

if __name__ == "__main__":
    sys.exit(main())
