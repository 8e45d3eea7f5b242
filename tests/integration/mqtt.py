#!/usr/bin/env python3
"""MQTT integration tests: build/heatpadd against Debian's real mosquitto.

Each test starts mosquitto on 127.0.0.1 on a free port (one with a password
file for the auth test), runs the daemon in simulation mode against it, and
talks to it through a small MQTT 3.1.1 client written here (python3 stdlib,
QoS 0/1). What the daemon did is checked against the simulated relay's own
record and the daemon's JSON log, not only against what it published.
Ends with "mqtt: N passed, N failed, N skipped".
"""
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import harness
from harness import DAEMON, ROOT, run_tests
from mqtt_peer import Broker, Client, free_port
import ha_check

TZ = {"TZ": "Europe/Berlin"}
TMP = tempfile.mkdtemp(prefix="heatpad-mqtt-")


def zone_cfg(name, seed=1):
    return {"name": name, "sensor": {"type": "sim", "seed": seed},
            "relay": {"type": "sim"},
            "session": {"default_minutes": 20, "default_setpoint_c": 38},
            "limits": {"max_setpoint_c": 42}}


class Daemon(harness.Daemon):
    """build/heatpadd in simulation with an mqtt section (the state file
    named in the config); its JSON log is collected as it comes. The files
    stay in TMP, removed when the whole suite passed."""

    def __init__(self, broker_port, device="pad", zones=("upper back",),
                 args=(), mqtt_extra=None, config_extra=None, state=None,
                 zone_extra=None):
        dir = tempfile.mkdtemp(dir=TMP, prefix=device + "-")
        self.device = device
        self.root = "heatpad/" + device
        state = state or os.path.join(dir, "state.json")
        zs = [zone_cfg(z, i + 1) for i, z in enumerate(zones)]
        for z in zs:
            z.update(zone_extra or {})
        cfg = {"device_id": device, "state_file": state,
               "zones": zs,
               "mqtt": dict({"host": "127.0.0.1", "port": broker_port,
                             "keepalive_s": 10}, **(mqtt_extra or {}))}
        cfg.update(config_extra or {})
        # A run that names no start time begins at 19:00 on a fixed day, so
        # the hour the suite runs at (quiet hours 23:00-07:00) changes
        # nothing.
        super().__init__(cfg, args, state=False, start="2026-11-24T19:00",
                         speed=None, port=False, dir=dir)
        self.state = state

    def stop(self, sig=signal.SIGTERM):
        """Ends it with sig; returns the exit code, which the callers
        check. A sanitizer build (HEATPAD_DAEMON) reports on stderr: any
        report fails the test."""
        if sig == signal.SIGKILL:
            self.kill()
        elif self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = super().stop(expect=None, timeout=10)
        self.err_done.wait(5)
        self.stderr = self.err
        assert "Sanitizer" not in self.stderr and "runtime error" not in \
            self.stderr, self.stderr[-2000:]
        return rc


def wait_until(pred, timeout=10, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(what + " not reached in %gs" % timeout)


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def online(c, d, since=0, timeout=10):
    return c.wait(d.root + "/availability", lambda v: v == "online", since,
                  timeout)


def discovery(c, d, since=0, timeout=10):
    """The device's discovery message, expanded as Home Assistant reads it
    (ha_check.py): {component id: config}."""
    t = "homeassistant/device/%s/config" % d.device
    msg = c.wait(t, lambda v: isinstance(v, dict), since, timeout)[1]
    bad = ha_check.unknown_keys(msg)
    assert not bad, bad
    return ha_check.expand_device(msg)


@test
def discovery_is_valid_and_the_climate_topics_work():
    b = Broker(parent=TMP)
    d = Daemon(b.port, "disc", ("upper back", "lower back"),
               ["--sim-speed", "10", "--sim-start", "2026-11-24T20:00"])
    c = Client(b.port)
    try:
        c.subscribe("homeassistant/#", d.root + "/#")
        online(c, d)
        comps = discovery(c, d)
        assert len(comps) == 2 * 12 + 5, sorted(comps)
        # Every component as Home Assistant's schemas take it.
        problems = ha_check.check_device(comps)
        assert not problems, problems
        # Retained: a Home Assistant that starts later still finds it.
        late = Client(b.port)
        late.subscribe("homeassistant/#")
        assert late.wait("homeassistant/device/disc/config", None, 0, 5)[2]
        late.close()
        for z in ("upper_back", "lower_back"):
            cl = comps[z]
            assert cl["platform"] == "climate"
            assert cl["modes"] == ["off", "heat"]
            assert cl["min_temp"] == 30 and cl["max_temp"] == 42
            assert cl["device"]["sw_version"] and cl["device"]["identifiers"] == ["disc"]
            assert cl["availability_topic"] == d.root + "/availability"
            assert cl["preset_modes"] == ["low", "medium", "high"]
            fault = comps[z + "_fault"]
            assert fault["device_class"] == "problem" and "json_attributes_topic" in fault
            assert comps[z + "_remaining"]["unit_of_measurement"] == "min"
            assert comps[z + "_energy"]["state_class"] == "total_increasing"
        g = comps["guidance"]
        assert g["options"] == ["heat", "cold", "consult", "urgent"]
        st = c.wait(g["state_topic"])[1]
        assert st["kind"] == "heat", st

        cl = comps["upper_back"]
        state_t = cl["mode_state_topic"]
        st = c.wait(state_t)[1]
        assert st["mode"] == "off" and st["action"] == "off", st
        # The climate entity's own topics, as Home Assistant would use them.
        m = c.mark()
        c.publish(cl["temperature_command_topic"], "39.5")
        c.wait(state_t, lambda v: v["target_c"] == 39.5 and v["mode"] == "off", m)
        assert not d.relay_on(), "a target while off must not heat"
        m = c.mark()
        c.publish(cl["mode_command_topic"], "heat")
        st = c.wait(state_t, lambda v: v["mode"] == "heat" and v["action"] in ("heating", "preheating"), m)[1]
        assert st["setpoint_c"] == 39.5 and st["remaining_min"] == 20, st
        wait_until(d.relay_on, 5, "relay on after mode heat")
        m = c.mark()
        c.publish(cl["temperature_command_topic"], "41")
        st = c.wait(state_t, lambda v: v["setpoint_c"] == 41, m)[1]
        assert st["target_c"] == 41 and st["session"], st
        m = c.mark()
        c.publish(cl["temperature_command_topic"], "44")    # above the range
        r = c.wait(d.root + "/upper_back/result", lambda v: not v["ok"], m)[1]
        assert r["code"] == "out_of_range", r
        m = c.mark()
        c.publish(cl["mode_command_topic"], "off")
        c.wait(state_t, lambda v: v["mode"] == "off" and v["action"] == "off", m)
        wait_until(lambda: not d.relay_on(), 5, "relay off after mode off")
        ends = [e for e in d.evs("session_end") if e["zone_id"] == "upper_back"]
        assert ends and ends[-1]["reason"] == "stopped" and ends[-1]["source"] == "mqtt"
        # A clean exit says offline, retained.
        m = c.mark()
        assert d.stop() == 0
        t, v, _ = c.wait(d.root + "/availability", lambda v: v == "offline", m)
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def target_kept_during_and_between_sessions_and_across_a_restart():
    b = Broker(parent=TMP)
    args = ["--sim-speed", "10", "--sim-start", "2026-11-24T19:00"]
    d = Daemon(b.port, "keep", ("upper back",), args)
    c = Client(b.port)
    state, mode, temp = (d.root + "/upper_back/state",
                         d.root + "/upper_back/mode/set",
                         d.root + "/upper_back/temperature/set")
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        m = c.mark()
        c.publish(mode, "heat")
        st = c.wait(state, lambda v: v["session"], m)[1]
        ends = st["ends_at"]
        assert st["target_c"] == 38, st
        # Three changes while heating: the target follows, the end stays.
        for t in ("41", "39.5", "41"):
            time.sleep(0.7)
            m = c.mark()
            c.publish(temp, t)
            st = c.wait(state, lambda v: v["setpoint_c"] == float(t), m)[1]
            assert abs(st["ends_at"] - ends) <= 1, (st["ends_at"], ends)
        m = c.mark()
        c.publish(mode, "off")
        st = c.wait(state, lambda v: not v["session"], m)[1]
        assert st["target_c"] == 41, st
        assert d.stop() == 0
        m = c.mark()
        d2 = Daemon(b.port, "keep", ("upper back",), args, state=d.state)
        online(c, d2, m)
        st = c.wait(state, lambda v: v["temp_c"] is not None, m)[1]
        assert st["target_c"] == 41 and not st["session"], st
        m = c.mark()
        c.publish(mode, "heat")
        r = c.wait(d.root + "/upper_back/result", None, m)[1]
        assert r["ok"], r
        st = c.wait(state, lambda v: v["session"], m)[1]
        assert st["setpoint_c"] == 41, st
        d2.stop()
    finally:
        d.stop()
        c.close()
        b.stop()


def payloads(c, root):
    """Every JSON payload seen under root, by topic."""
    out = {}
    with c.cv:
        for _, tp, p, _ in c.msgs:
            if tp.startswith(root + "/"):
                try:
                    out.setdefault(tp, []).append(json.loads(p))
                except ValueError:
                    pass
    return out


@test
def discovery_conforms_in_every_state():
    # Each state the daemon can be in, rendered through every template of
    # every component as Home Assistant would: idle, heating, holding (the
    # relay cycling at the setpoint), a fault, the 48-hour rule, quiet
    # hours, a refusal, consult and urgent.
    b = Broker(parent=TMP)
    c = Client(b.port)
    c.subscribe("heatpad/#", "homeassistant/#")
    start = ["--sim-speed", "10", "--sim-start", "2026-11-24T20:00"]
    ds = []
    try:
        d = Daemon(b.port, "conf", ("upper back", "lower back"),
                   start + ["--sim-fault", "lower back:sensor_disconnect@20"])
        ds.append(d)
        online(c, d)
        st = d.root + "/upper_back/state"
        c.wait(st, lambda v: v["temp_c"] is not None)
        c.publish(d.root + "/upper_back/set",
                  {"action": "start", "minutes": 30, "setpoint_c": 30})
        c.wait(st, lambda v: v["action"] in ("heating", "preheating"))
        c.wait(d.root + "/lower_back/state", lambda v: v["fault"], 0, 15)
        c.wait(st, lambda v: v["session"] and v["action"] == "idle", 0, 60)
        # Past the heat-up, PID's window switches the relay on again.
        c.wait(st, lambda v: v["session"] and v["action"] == "heating", 0, 60)
        c.publish(d.root + "/lower_back/set", {"action": "start"})
        c.wait(d.root + "/lower_back/result", lambda v: not v["ok"])
        blocked = Daemon(b.port, "conf-cold", ("upper back",),
                         start + ["--record-injury", "now"],
                         config_extra={"quiet_hours": {"start": "19:00",
                                                       "end": "07:00"}})
        ds.append(blocked)
        online(c, blocked)
        c.wait(blocked.root + "/guidance", lambda v: v["kind"] == "cold" and
               v["quiet_hours"] and v["heat_allowed_at_iso"])
        c.publish(blocked.root + "/upper_back/mode/set", "heat")
        c.wait(blocked.root + "/upper_back/result", lambda v: not v["ok"])
        # A preset starts through the same command, with the same refusal.
        m = c.mark()
        c.publish(blocked.root + "/upper_back/preset/set", "high")
        r = c.wait(blocked.root + "/upper_back/result", None, m)[1]
        assert r["code"] == "cold_rule", r
        assert not blocked.evs("session_start")
        # A schedule entry that comes due in the cold window: skipped.
        c.publish(blocked.root + "/schedule/set",
                  [{"zone": "upper_back", "days": "daily", "start": "20:01",
                    "minutes": 5, "setpoint_c": 40, "enabled": True}])
        c.wait(blocked.root + "/schedule/run", lambda v: not v["ok"], 0, 15)
        for signs, kind in (("pain", "consult"), ("urgent", "urgent")):
            w = Daemon(b.port, "conf-" + signs, ("upper back",),
                       start + ["--warning-signs", signs])
            ds.append(w)
            online(c, w)
            c.wait(w.root + "/guidance", lambda v, k=kind: v["kind"] == k)
        time.sleep(0.5)
        total = 0
        seen = set()
        for x in ds:
            comps = discovery(c, x)
            assert not ha_check.check_device(comps), ha_check.check_device(comps)
            pl = payloads(c, x.root)
            problems, n = ha_check.check_states(comps, pl)
            assert not problems, problems[:5]
            total += n
            for v in pl.get(x.root + "/upper_back/state", []):
                seen.add(v["action"])
            for v in pl.get(x.root + "/guidance", []):
                seen.add(v["kind"])
        assert {"off", "idle", "preheating", "heating", "heat", "cold",
                "consult", "urgent"} <= seen, seen
        print("    %d template renders checked across %d devices" % (total, len(ds)))
    finally:
        for x in ds:
            x.stop()
        c.close()
        b.stop()


def event_of(comps, cid, result):
    """What Home Assistant's event entity makes of a result payload."""
    return json.loads(ha_check.render(comps[cid]["value_template"], result))


@test
def every_new_entity_round_trips():
    # As Home Assistant sends them: the number, the presets, each button;
    # refusals come back as events; energy rises across a restart.
    b = Broker(parent=TMP)
    args = ["--sim-speed", "10", "--sim-start", "2026-11-24T19:00"]
    d = Daemon(b.port, "ents", ("upper back",), args,
               zone_extra={"power_w": 3600})
    c = Client(b.port)
    res = d.root + "/upper_back/result"
    try:
        c.subscribe(d.root + "/#", "homeassistant/#")
        online(c, d)
        comps = discovery(c, d)
        st = comps["upper_back"]["mode_state_topic"]
        c.wait(st, lambda v: v["temp_c"] is not None)
        num, cl = comps["upper_back_minutes"], comps["upper_back"]
        m = c.mark()
        c.publish(num["command_topic"], "25")
        c.wait(st, lambda v: ha_check.render(num["value_template"], v) == "25", m)
        m = c.mark()
        c.publish(num["command_topic"], "500")
        r = c.wait(res, None, m)[1]
        assert not r["ok"] and r["code"] == "bad_request", r
        ev = event_of(comps, "upper_back_result", r)
        assert ev["event_type"] == "refused" and ev["code"] == "bad_request", ev
        m = c.mark()
        c.publish(num["command_topic"], "95")       # above the zone's 90
        r = c.wait(res, None, m)[1]
        assert r["code"] == "out_of_range", r
        assert c.wait(st, None, m)[1]["minutes"] == 25
        # A preset on a zone that is off starts it, for the session length.
        m = c.mark()
        c.publish(cl["preset_mode_command_topic"], "medium")
        v = c.wait(st, lambda v: v["session"], m)[1]
        assert v["setpoint_c"] == 39 and v["preset"] == "medium", v
        assert v["remaining_min"] == 25, v
        ends = v["ends_at"]
        time.sleep(0.5)
        m = c.mark()
        c.publish(cl["preset_mode_command_topic"], "high")
        v = c.wait(st, lambda v: v["setpoint_c"] == 41, m)[1]
        assert v["preset"] == "high" and abs(v["ends_at"] - ends) <= 1, v
        m = c.mark()
        c.publish(cl["preset_mode_command_topic"], "warm")
        assert c.wait(res, None, m)[1]["code"] == "unknown_action"
        # The autotune button: refused while heating, with the reason.
        auto = comps["upper_back_autotune"]
        m = c.mark()
        c.publish(auto["command_topic"], auto["payload_press"])
        r = c.wait(res, None, m)[1]
        assert r["code"] == "busy", r
        assert event_of(comps, "upper_back_result", r)["event_type"] == "refused"
        v = c.wait(st, lambda v: v["energy_kwh"] > 0.01, 0, 15)[1]
        before = v["energy_kwh"]
        m = c.mark()
        c.publish(cl["mode_command_topic"], "off")
        c.wait(st, lambda v: not v["session"], m)
        m = c.mark()
        c.publish(auto["command_topic"], auto["payload_press"])
        r = c.wait(res, None, m)[1]
        assert r["ok"] and "autotune started" in r["message"], r
        c.wait(st, lambda v: v["session"], m)
        m = c.mark()
        c.publish(cl["mode_command_topic"], "off")
        c.wait(st, lambda v: not v["session"], m)
        d.wait_event(lambda e: e["event"] == "autotune", 5)
        # The clear-fault button, with no fault: nothing to clear.
        clear = comps["upper_back_clear_fault"]
        m = c.mark()
        c.publish(clear["command_topic"], clear["payload_press"])
        r = c.wait(res, None, m)[1]
        assert r["ok"] and "no fault" in r["message"], r
        last = c.last(st)["energy_kwh"]
        assert last >= before
        assert d.stop() == 0
        # Energy is kept across the restart, and rises from there.
        m = c.mark()
        d2 = Daemon(b.port, "ents", ("upper back",), args, state=d.state,
                    zone_extra={"power_w": 3600})
        try:
            online(c, d2, m)
            v = c.wait(st, lambda v: v["temp_c"] is not None, m)[1]
            assert v["energy_kwh"] == last and v["minutes"] == 25, (v, last)
            c.publish(cl["mode_command_topic"], "heat")
            v = c.wait(st, lambda v: v["energy_kwh"] > last + 0.005, m, 15)[1]
            print("    energy %.3f kWh before the restart, %.3f after"
                  % (last, v["energy_kwh"]))
        finally:
            d2.stop()
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def removed_and_renamed_zones_leave_no_entities():
    b = Broker(parent=TMP)
    c = Client(b.port)
    try:
        # What an earlier version left: one retained message per entity.
        legacy = "homeassistant/sensor/gone/neck_remaining/config"
        c.publish(legacy, {"name": "neck remaining", "unique_id": "x",
                           "state_topic": "heatpad/gone/neck/state"},
                  retain=True)
        c.subscribe("homeassistant/#")
        d = Daemon(b.port, "gone", ("upper back", "lower back"),
                   ["--sim-speed", "5"])
        first = discovery(c, d)
        assert "lower_back" in first and "lower_back_energy" in first
        # The earlier version's message is cleared, retained.
        c.wait(legacy, lambda v: v == "", 0, 5)
        assert d.stop() == 0
        # lower back removed, upper back renamed "shoulders".
        m = c.mark()
        d = Daemon(b.port, "gone", ("shoulders",), ["--sim-speed", "5"],
                   state=d.state)
        comps = discovery(c, d, m)
        gone = [k for k in first if k.startswith(("upper_back", "lower_back"))]
        for k in gone:
            assert comps[k] == {"platform": first[k]["platform"]}, (k, comps[k])
        assert comps["shoulders"]["platform"] == "climate"
        assert not ha_check.check_device(comps)
        # A Home Assistant that starts now reads the retained message:
        # the removed ones are still marked, nothing of them is created.
        late = Client(b.port)
        late.subscribe("homeassistant/#")
        v = discovery(late, d)
        assert all(v[k] == {"platform": first[k]["platform"]} for k in gone)
        late.close()
        d.stop()
    finally:
        c.close()
        b.stop()


@test
def state_follows_every_change_within_a_second():
    b = Broker(parent=TMP)
    c = Client(b.port)
    c.subscribe("heatpad/#")
    d = Daemon(b.port, "follow", ("upper back",),
               ["--sim-speed", "1", "--sim-start", "2026-11-24T19:00"])
    st = d.root + "/upper_back/state"
    try:
        # The first retained state already has the pad's temperature.
        t0, v, _ = c.wait(st, None, 0, 10)
        assert v["temp_c"] is not None, v
        # A start: relay and session within a second of the command.
        m = c.mark()
        sent = time.time()
        c.publish(d.root + "/upper_back/set",
                  {"action": "start", "minutes": 5, "setpoint_c": 42})
        t, v, _ = c.wait(st, lambda v: v["session"], m)
        assert t - sent <= 1.0, t - sent
        # The relay follows at the next control tick (1 s), its state then.
        t, v, _ = c.wait(st, lambda v: v["relay"], m)
        assert t - sent <= 2.0, t - sent
        # Heating at full power: every 0.1 C the display moves goes out
        # within a second, and nothing goes out more than 10 s apart.
        m = c.mark()

        def seen_since():
            with c.cv:
                return [(t, json.loads(p)) for t, tp, p, _ in c.msgs[m:]
                        if tp == st]
        # 12 s, and on a loaded machine (whose virtual time runs behind
        # real time rather than past a deadline) until the pad warmed.
        time.sleep(12)
        end = time.time() + 30
        while time.time() < end:
            seen = seen_since()
            if seen and seen[-1][1]["temp_c"] - seen[0][1]["temp_c"] >= 0.3:
                break
            time.sleep(0.5)
        seen = seen_since()
        gaps = [b_[0] - a[0] for a, b_ in zip(seen, seen[1:])]
        assert seen and max(gaps) <= 10.5, gaps
        temps = [v["temp_c"] for _, v in seen]
        assert temps[-1] - temps[0] >= 0.3, temps
        shown = [round(x, 1) for x in temps]
        # Each 0.1 C step of the display has its own message.
        assert all(abs(b_ - a) <= 0.15 for a, b_ in zip(shown, shown[1:])), shown
        # A change made elsewhere (the session's end) shows within a second.
        m = c.mark()
        c.publish(d.root + "/upper_back/mode/set", "off")
        t, v, _ = c.wait(st, lambda v: not v["relay"], m)
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def a_repeated_heat_is_answered_with_what_holds_now():
    b = Broker(parent=TMP)
    d = Daemon(b.port, "again", ("upper back",),
               ["--sim-speed", "10", "--sim-start", "2026-11-24T19:00"])
    c = Client(b.port)
    res = d.root + "/upper_back/result"
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        cmd = {"action": "start", "minutes": 5, "setpoint_c": 40}
        m = c.mark()
        c.publish(d.root + "/upper_back/set", cmd)
        r1 = c.wait(res, None, m)[1]
        assert r1["ok"] and "for 5 min" in r1["message"], r1
        time.sleep(3)          # 30 virtual s
        m = c.mark()
        c.publish(d.root + "/upper_back/set", cmd)
        r2 = c.wait(res, None, m)[1]
        assert r2["ok"] and r2["duplicate"], r2
        assert r2["message"] != r1["message"], r2
        assert "heating to 40.0 C, 5 min left" in r2["message"], r2
        assert len(d.evs("session_start")) == 1
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def conformance_checker_catches_what_home_assistant_refuses():
    # The checker itself: each mistake Home Assistant would reject or
    # misread is reported (so a clean report above means something).
    good = {"platform": "sensor", "name": "e", "unique_id": "u1",
            "state_topic": "heatpad/x/z/state", "device_class": "energy",
            "unit_of_measurement": "kWh", "state_class": "total_increasing",
            "value_template": "{{ value_json.energy_kwh }}",
            "device": {"identifiers": ["x"], "name": "heatpad"},
            "origin": {"name": "heatpad"}, "qos": 1}
    assert ha_check.check_component("e", good) == []
    for change in ({"state_class": "measurement"}, {"unit_of_measurement": "W"},
                   {"entity_category": "config"}, {"state_topic": "a/+/b"},
                   {"value_template": "{{ value_json.x "}, {"qos": "1"},
                   {"stat_t": "x"}, {"options": ["a"]}):
        bad = dict(good, **change)
        assert ha_check.check_component("e", bad), change
    cl = {"platform": "climate", "name": "z", "unique_id": "u2",
          "device": good["device"], "origin": good["origin"], "qos": 1,
          "modes": ["off", "heat"], "preset_modes": ["none", "low"],
          "action_topic": "t/state", "action_template": "{{ value_json.a }}"}
    assert any("none" in e for e in ha_check.check_component("z", cl))
    problems, n = ha_check.check_states({"z": cl}, {"t/state": [{"a": "warming"}]})
    assert n == 1 and problems, problems
    problems, _ = ha_check.check_states({"e": good}, {good["state_topic"]:
                                                      [{"energy_kwh": "lots"}]})
    assert problems
    msg = {"dev": {"ids": ["x"]}, "o": {"name": "h"}, "avty_t": "a",
           "cmps": {"c": {"p": "sensor", "stat_tp": "x", "~": "b"}}}
    assert ha_check.unknown_keys(msg) == ["c.stat_tp"]
    assert ha_check.expand_device(msg)["c"]["availability_topic"] == "a"


def entity_id(comp):
    """The entity id Home Assistant gives an MQTT entity of a device: the
    platform and the slug of "<device name> <entity name>"."""
    name = "%s %s" % (comp["device"]["name"], comp["name"])
    return "%s.%s" % (comp["platform"], re.sub(r"[^a-z0-9]+", "_",
                                                 name.lower()).strip("_"))


@test
def names_blueprint_and_readme_match_the_entities():
    import yaml
    b = Broker(parent=TMP)
    page = free_port()
    d = Daemon(b.port, "heatpad", ("upper back",), ["--sim-speed", "5"],
               config_extra={"http": {"listen": "0.0.0.0", "port": page,
                                      "pin": "none"}})
    c = Client(b.port)
    try:
        c.subscribe("homeassistant/#")
        comps = discovery(c, d)
        ids = {cid: entity_id(v) for cid, v in comps.items()}
        # The device links to its status page.
        assert comps["upper_back"]["device"]["configuration_url"] == \
            "http://%s:%d/" % (socket.gethostname(), page), comps["upper_back"]
        # The default device id does not make "heatpad heatpad".
        assert comps["upper_back"]["device"]["name"] == "heatpad"
        assert ids["upper_back"] == "climate.heatpad_upper_back", ids
        assert ids["upper_back_temperature"] == \
            "sensor.heatpad_upper_back_temperature", ids
        assert len(set(ids.values())) == len(ids)
        # The README's entity ids are entities the daemon makes.
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        named = set(re.findall(r"\b(?:climate|sensor|binary_sensor|number|"
                               r"button|event)\.heatpad_[a-z_]+", readme))
        assert named and named <= set(ids.values()), named - set(ids.values())
        # The blueprint: every input it uses is declared and every one
        # declared is used; its presets are the climate's; the entities
        # its descriptions name exist.
        loader = type("L", (yaml.SafeLoader,), {})
        used = []
        loader.add_constructor("!input", lambda l, n: used.append(
            l.construct_scalar(n)) or "!input")
        path = os.path.join(ROOT, "examples", "home-assistant",
                            "heatpad_evening.yaml")
        with open(path) as f:
            bp = yaml.load(f, Loader=loader)
        inputs = bp["blueprint"]["input"]
        assert bp["blueprint"]["domain"] == "automation"
        assert set(used) == set(inputs), (set(used), set(inputs))
        assert inputs["preset"]["selector"]["select"]["options"] == \
            comps["upper_back"]["preset_modes"]
        for v in inputs.values():
            want = v.get("description", "").replace("<zone>", "upper_back")
            if "." in want:
                assert want in ids.values(), want
        for cid in ("upper_back_minutes", "heat_blocked", "upper_back_result"):
            assert any(ids[cid] == v.get("description", "").replace(
                "<zone>", "upper_back") for v in inputs.values()), cid
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def start_stop_and_refusals_on_the_result_topic():
    b = Broker(parent=TMP)
    # 20:00 local; quiet hours from 20:10, so the clock walks into them.
    d = Daemon(b.port, "cmd", ("upper back",),
               ["--sim-speed", "60", "--sim-start", "2026-11-24T20:00",
                "--sim-fault", "upper back:sensor_disconnect@300"],
               config_extra={"quiet_hours": {"start": "20:10", "end": "07:00"}})
    c = Client(b.port)
    res, state = d.root + "/upper_back/result", d.root + "/upper_back/state"
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        m = c.mark()
        c.publish(d.root + "/upper_back/set",
                  {"action": "start", "minutes": 5, "setpoint_c": 40})
        r = c.wait(res, None, m)[1]
        assert r["ok"] and r["code"] == "ok", r
        wait_until(d.relay_on, 5, "relay on after start")
        c.wait(state, lambda v: v["session"] and v["setpoint_c"] == 40, m)
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "stop"})
        assert c.wait(res, None, m)[1]["ok"]
        wait_until(lambda: not d.relay_on(), 5, "relay off after stop")
        c.wait(state, lambda v: not v["session"] and not v["relay"], m)

        # A value out of range: refused, nothing starts.
        n_rel = len(d.relay_record())
        m = c.mark()
        c.publish(d.root + "/upper_back/set",
                  {"action": "start", "minutes": 20, "setpoint_c": 60})
        r = c.wait(res, None, m)[1]
        assert not r["ok"] and r["code"] == "out_of_range", r
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "start", "minutes": 95})
        r = c.wait(res, None, m)[1]
        assert not r["ok"] and r["code"] == "out_of_range", r

        # A latched fault (sensor disconnected at 300 virtual s).
        d.wait_event(lambda e: e["event"] == "fault", 15)
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "start"})
        r = c.wait(res, None, m)[1]
        assert not r["ok"] and r["code"] == "fault_latched", r
        c.wait(state, lambda v: v["fault"] == "sensor_error", 0)
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "clear_fault"})
        r = c.wait(res, None, m)[1]
        assert not r["ok"] and r["code"] == "fault_persists", r

        # Quiet hours from 20:10 virtual (10 s real after start).
        deadline = time.time() + 15
        while True:
            m = c.mark()
            c.publish(d.root + "/upper_back/set", {"action": "start"})
            r = c.wait(res, None, m)[1]
            if r["code"] == "quiet_hours" or time.time() > deadline:
                break
            time.sleep(0.5)
        assert r["code"] == "quiet_hours" and not r["ok"], r
        assert "quiet hours" in r["message"], r
        assert not any(on for ms, z, on in d.relay_record()[n_rel:]), \
            "a refused start switched the relay"
        assert d.alive()
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def cold_rule_and_latched_fault_refusals():
    b = Broker(parent=TMP)
    d = Daemon(b.port, "cold", ("upper back",),
               ["--sim-speed", "20", "--sim-start", "2026-11-24T18:00",
                "--record-injury", "now"])
    c = Client(b.port)
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        g = c.wait(d.root + "/guidance", lambda v: v["kind"] == "cold")[1]
        assert g["heat_blocked"], g
        st = c.wait(d.root + "/upper_back/state")[1]
        assert st["guidance"] == "cold", st
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "start", "id": "c1"})
        r = c.wait(d.root + "/upper_back/result", None, m)[1]
        assert not r["ok"] and r["code"] == "cold_rule" and r["id"] == "c1", r
        assert "48-hour cold rule" in r["message"], r
        # A schedule entry in the cold window is skipped, with the reason.
        m = c.mark()
        c.publish(d.root + "/schedule/set",
                  [{"zone": "upper_back", "days": "daily", "start": "18:01",
                    "minutes": 5, "setpoint_c": 40, "enabled": True}])
        assert c.wait(d.root + "/schedule/result", None, m)[1]["ok"]
        run = c.wait(d.root + "/schedule/run", None, m, 10)[1]
        assert not run["ok"] and run["code"] == "cold_rule", run
        assert not d.evs("session_start")
        assert not any(on for _, _, on in d.relay_record())
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def schedule_set_echoed_stored_and_run_on_time():
    b = Broker(parent=TMP)
    # 20:29:00 virtual; quiet hours 20:34-07:00 make the second entry skip.
    d = Daemon(b.port, "sched", ("upper back",),
               ["--sim-speed", "20", "--sim-start", "2026-11-24T20:29"],
               config_extra={"quiet_hours": {"start": "20:34", "end": "07:00"}})
    c = Client(b.port)
    sched = [{"zone": "upper_back", "days": "daily", "start": "20:30",
              "minutes": 2, "setpoint_c": 40, "enabled": True},
             {"zone": "upper_back", "days": ["tue"], "start": "20:35",
              "minutes": 5, "setpoint_c": 39, "enabled": True}]
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        c.wait(d.root + "/schedule", lambda v: v == [])
        # An invalid one first: refused naming the entry and key, not stored.
        m = c.mark()
        c.publish(d.root + "/schedule/set",
                  [{"zone": "upper_back", "days": "daily", "start": "25:00",
                    "minutes": 2, "setpoint_c": 40, "enabled": True}])
        r = c.wait(d.root + "/schedule/result", None, m)[1]
        assert not r["ok"] and r["code"] == "invalid_schedule", r
        assert r["message"].startswith("[0].start"), r
        m = c.mark()
        c.publish(d.root + "/schedule/set", sched)
        r = c.wait(d.root + "/schedule/result", None, m)[1]
        assert r["ok"], r
        t, echo, retained = c.wait(d.root + "/schedule", lambda v: v != [], m)
        assert len(echo) == 2 and echo[0]["start"] == "20:30", echo
        assert echo[0]["minutes"] == 2 and echo[1]["days"] == ["tue"], echo
        with open(d.state) as f:
            stored = json.load(f)
        assert "20:30" in json.dumps(stored), stored
        # A fresh subscriber gets the schedule retained.
        c2 = Client(b.port)
        c2.subscribe(d.root + "/schedule")
        t, v, retained = c2.wait(d.root + "/schedule")
        assert retained and len(v) == 2
        c2.close()

        start = d.wait_event(lambda e: e["event"] == "session_start", 30)
        assert start["source"] == "schedule", start
        assert start["ts"][11:16] == "20:30", start
        run = c.wait(d.root + "/schedule/run", lambda v: v["ok"], m, 5)[1]
        assert run["code"] == "started" and run["zone"] == "upper_back", run
        wait_until(d.relay_on, 5, "relay on for the scheduled session")
        end = d.wait_event(lambda e: e["event"] == "session_end", 30)
        assert end["reason"] == "time_up", end
        dur = end["mono_ms"] - start["mono_ms"]
        assert 119000 <= dur <= 125000, dur   # a tick late on a loaded machine
        # The 20:35 entry falls in quiet hours: skipped, logged, published.
        skip = c.wait(d.root + "/schedule/run", lambda v: not v["ok"], m, 30)[1]
        assert skip["code"] == "quiet_hours" and "quiet hours" in skip["message"], skip
        d.wait_event(lambda e: e["event"] == "schedule_run" and
                     e.get("reason") == "quiet_hours", 5)
        assert len(d.evs("session_start")) == 1
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def broker_lost_mid_session_the_session_runs_on():
    b = Broker(parent=TMP)
    d = Daemon(b.port, "lost", ("upper back",),
               ["--sim-speed", "10", "--sim-start", "2026-11-24T19:00"])
    c = Client(b.port)
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        m = c.mark()
        c.publish(d.root + "/upper_back/set",
                  {"action": "start", "minutes": 3, "setpoint_c": 40})
        assert c.wait(d.root + "/upper_back/result", None, m)[1]["ok"]
        start = d.wait_event(lambda e: e["event"] == "session_start")
        wait_until(d.relay_on, 5, "relay on")
        c.close()
        b.kill()
        down_at = time.time()
        d.wait_event(lambda e: e["event"] == "log" and
                     "connection lost" in e.get("msg", ""), 5)
        time.sleep(4)          # 40 virtual s without a broker
        assert d.alive() and d.relay_on(), "the session must heat on"
        assert not d.evs("session_end"), "the session must not end with the broker"
        b.start()
        back = time.time()
        c = Client(b.port)
        c.subscribe(d.root + "/#", "homeassistant/#")
        t_on = online(c, d, 0, 8)[0]
        # A state the client had in flight when the broker died may be
        # delivered again first; the one that counts is the current one.
        t_st, st, _ = c.wait(d.root + "/upper_back/state",
                             lambda v: v["session"] and v["remaining_s"] < 180 - 40,
                             0, 8)
        assert st["relay"], st
        delay = max(t_on, t_st) - back
        print("    back online with state %.2f s after the broker returned"
              " (down %.1f s)" % (delay, back - down_at))
        assert delay <= 5, delay
        # Discovery is published again (the broker kept nothing).
        c.wait("homeassistant/device/lost/config", None, 0, 5)
        end = d.wait_event(lambda e: e["event"] == "session_end", 30)
        assert end["reason"] == "time_up", end
        dur = end["mono_ms"] - start["mono_ms"]
        assert 179000 <= dur <= 185000, dur
        wait_until(lambda: not d.relay_on(), 3, "relay off after time up")
        # Subscribed again: commands work over the new connection.
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "start", "minutes": 1})
        assert c.wait(d.root + "/upper_back/result", None, m)[1]["ok"]
        wait_until(d.relay_on, 5, "relay on after a command on the new link")
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def frozen_broker_is_noticed_by_keepalive():
    # A broker that stops answering without closing the socket (a power cut
    # on its host): only the keepalive can tell. keepalive_s 5 here.
    b = Broker(parent=TMP)
    d = Daemon(b.port, "frozen", ("upper back",),
               ["--sim-speed", "5", "--sim-start", "2026-11-24T19:00",
                "--start", "upper back:10:40"],
               mqtt_extra={"keepalive_s": 5})
    c = Client(b.port)
    try:
        c.subscribe(d.root + "/availability")
        online(c, d)
        c.close()
        b.proc.send_signal(signal.SIGSTOP)
        t0 = time.time()
        d.wait_event(lambda e: e["event"] == "log" and
                     "connection lost" in e.get("msg", "") and
                     "keepalive" in e.get("msg", ""), 15)
        print("    frozen broker noticed after %.1f s (keepalive 5 s)"
              % (time.time() - t0))
        assert d.alive() and d.relay_on() and not d.evs("session_end")
        b.proc.send_signal(signal.SIGCONT)
        c = Client(b.port)
        c.subscribe(d.root + "/upper_back/state")
        st = c.wait(d.root + "/upper_back/state",
                    lambda v: v["session"] and v["relay"], 0, 15)[1]
        assert st["remaining_s"] < 600, st
    finally:
        if b.proc.poll() is None:
            b.proc.send_signal(signal.SIGCONT)
        d.stop()
        c.close()
        b.stop()


@test
def broker_down_at_start_then_up():
    port = free_port()
    d = Daemon(port, "late", ("upper back",), ["--sim-speed", "5"],
               mqtt_extra={"host": "localhost"})
    try:
        d.wait_event(lambda e: e["event"] == "log" and
                     "cannot reach" in e.get("msg", ""), 5)
        time.sleep(2)
        assert d.alive()
        b = Broker(port=port, parent=TMP)
        back = time.time()
        c = Client(port)
        c.subscribe(d.root + "/#")
        t = online(c, d, 0, 8)[0]
        print("    online %.2f s after the broker came up" % (t - back))
        assert t - back <= 5
        c.close()
        assert d.stop() == 0
        b.stop()
    finally:
        d.stop()


@test
def unresolvable_broker_does_not_stall_the_loop():
    # The lookup runs beside the loop: whatever the resolver does with a
    # name that cannot exist, the session starts, heats and ends on time.
    d = Daemon(1883, "nodns", ("upper back",),
               ["--sim-speed", "20", "--sim-start", "2026-11-24T19:00",
                "--start", "upper back:1:40",
                "--run-for", "90"], mqtt_extra={"host": "broker.invalid"})
    try:
        assert d.proc.wait(30) == 0
        start = d.wait_event(lambda e: e["event"] == "session_start", 1)
        end = d.wait_event(lambda e: e["event"] == "session_end", 1)
        assert end["reason"] == "time_up", end
        assert 59000 <= end["mono_ms"] - start["mono_ms"] <= 65000
        assert any(on for _, _, on in d.relay_record())
        d.wait_event(lambda e: e["event"] == "log" and
                     "cannot resolve" in e.get("msg", ""), 1)
    finally:
        d.stop()


@test
def malformed_payloads_refused_state_unchanged():
    b = Broker(parent=TMP)
    d = Daemon(b.port, "bad", ("upper back",),
               ["--sim-speed", "5", "--sim-start", "2026-11-24T19:00"])
    c = Client(b.port)
    res, state = d.root + "/upper_back/result", d.root + "/upper_back/state"
    try:
        c.subscribe(d.root + "/#", "heatpad/bad/+/result")
        online(c, d)
        m = c.mark()
        c.publish(d.root + "/upper_back/set",
                  {"action": "start", "minutes": 30, "setpoint_c": 39})
        assert c.wait(res, None, m)[1]["ok"]
        before = c.wait(state, lambda v: v["session"], m)[1]
        ends_at = before["ends_at"]
        sessions = len(d.evs("session_start"))
        cases = [
            ("upper_back/set", b"{not json", "bad_json"),
            ("upper_back/set", b"", "bad_json"),
            ("upper_back/set", b"[1,2,3]", "bad_request"),
            ("upper_back/set", b'{"action":5}', "bad_request"),
            ("upper_back/set", b'{"action":"start","minutes":"ten"}', "bad_request"),
            ("upper_back/set", b'{"action":"start","setpoint_c":true}', "bad_request"),
            ("upper_back/set", b'{"action":"start","minutes":2.5}', "bad_request"),
            ("upper_back/set", b'{"action":"start","extra":1}', "bad_request"),
            ("upper_back/set", b'{"action":"explode"}', "unknown_action"),
            ("upper_back/set", b'{"action":"stop"}\x00junk', "bad_json"),
            ("upper_back/set", b'{"action":"stop","pad":"' + b"x" * 17000 + b'"}',
             "too_large"),
            ("upper_back/mode/set", b"cool", "unknown_action"),
            ("upper_back/temperature/set", b"warm", "bad_request"),
            ("neck/set", b'{"action":"stop"}', "unknown_zone"),
        ]
        for sub, payload, code in cases:
            zone = sub.split("/")[0]
            m = c.mark()
            c.publish(d.root + "/" + sub, payload)
            r = c.wait(d.root + "/" + zone + "/result", None, m, 5)[1]
            assert not r["ok"] and r["code"] == code, (sub, payload[:40], r)
        # Schedules: malformed and oversized, schedule unchanged.
        for payload, code in ((b"{", "invalid_schedule"),
                              (b'[{"zone":"neck"}]', "invalid_schedule"),
                              (b"[" + b" " * 17000 + b"]", "too_large")):
            m = c.mark()
            c.publish(d.root + "/schedule/set", payload)
            r = c.wait(d.root + "/schedule/result", None, m, 5)[1]
            assert not r["ok"] and r["code"] == code, (payload[:30], r)
        # Nothing changed: same session, same end, same setpoint, still on.
        m = c.mark()
        c.publish(d.root + "/upper_back/mode/set", "heat")   # a no-op
        after = c.wait(state, None, m)[1]
        assert after["session"] and after["setpoint_c"] == 39, after
        assert after["ends_at"] == ends_at, (ends_at, after["ends_at"])
        assert len(d.evs("session_start")) == sessions
        assert not d.evs("session_end")
        assert c.last(d.root + "/schedule") == []
        assert d.alive()

        # Duplicate delivery: the same command id twice starts one session.
        m = c.mark()
        cmd = {"action": "start", "minutes": 10, "setpoint_c": 40, "id": "x-1"}
        c.publish(d.root + "/upper_back/set", cmd)
        r1 = c.wait(res, None, m)[1]
        time.sleep(1.5)        # 7.5 virtual s: a restart would move the end
        s1 = c.last(state)
        m = c.mark()
        c.publish(d.root + "/upper_back/set", cmd)
        r2 = c.wait(res, None, m)[1]
        assert r1["ok"] and r2["ok"] and r2.get("duplicate"), (r1, r2)
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "stop"})
        c.wait(res, None, m)
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "start", "minutes": 5})
        c.wait(res, None, m)
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "start", "minutes": 5})
        r3 = c.wait(res, None, m)[1]
        assert r3.get("duplicate"), r3
        # A start after a stop is a new start, whatever the payloads.
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "stop", "id": "s-1"})
        c.wait(res, None, m)
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "start", "minutes": 5})
        r4 = c.wait(res, None, m)[1]
        assert r4["ok"] and not r4.get("duplicate"), r4
        c.wait(state, lambda v: v["session"], m)
        # x-1 changed the running session once; two stop/start pairs more.
        # (The log line may trail the state on MQTT.)
        wait_until(lambda: len(d.evs("session_start")) - sessions >= 3, 5,
                   "three session starts in the log")
        time.sleep(0.3)
        starts = [e for e in d.evs("session_start")][sessions:]
        assert len(starts) == 3, starts
        assert s1["setpoint_c"] == 40
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def duplicate_keys_in_payloads_are_refused():
    # cJSON keeps both values and the first would win: refused with the key
    # on the result topic, nothing started, the schedule unchanged.
    b = Broker(parent=TMP)
    d = Daemon(b.port, "dup", ("upper back",),
               ["--sim-speed", "5", "--sim-start", "2026-11-24T19:00"])
    c = Client(b.port)
    res = d.root + "/upper_back/result"
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        for payload, words in (
                (b'{"action":"start","minutes":5,"setpoint_c":40,'
                 b'"setpoint_c":99}', "setpoint_c: duplicate key"),
                (b'{"action":"start","minutes":5,"minutes":90}',
                 "minutes: duplicate key"),
                (b'{"action":"start","id":"a","id":"b"}', "id: duplicate key")):
            m = c.mark()
            c.publish(d.root + "/upper_back/set", payload)
            r = c.wait(res, None, m, 5)[1]
            assert not r["ok"] and r["code"] == "bad_request", (payload, r)
            assert words in r["message"], (words, r)
        m = c.mark()
        c.publish(d.root + "/schedule/set",
                  b'[{"zone":"upper_back","days":"daily","start":"19:01",'
                  b'"minutes":5,"setpoint_c":40,"minutes":90}]')
        r = c.wait(d.root + "/schedule/result", None, m, 5)[1]
        assert not r["ok"] and "[0].minutes: duplicate key" in r["message"], r
        time.sleep(1)
        assert c.last(d.root + "/schedule") == []
        assert not d.evs("session_start")
        assert not any(on for _, _, on in d.relay_record())
        assert d.alive()
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def same_start_after_the_session_ended_is_not_a_duplicate():
    # Without an id, the same payload within 5 s is a duplicate only while
    # its effect holds: here the session ends by itself (1 virtual minute =
    # 1 s real) and the same start 1.5 s later must heat again.
    b = Broker(parent=TMP)
    d = Daemon(b.port, "again", ("upper back",), ["--sim-speed", "60"])
    c = Client(b.port)
    res = d.root + "/upper_back/result"
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        cmd = {"action": "start", "minutes": 1, "setpoint_c": 40}
        m = c.mark()
        c.publish(d.root + "/upper_back/set", cmd)
        assert c.wait(res, None, m)[1]["ok"]
        d.wait_event(lambda e: e["event"] == "session_end", 5)
        m = c.mark()
        c.publish(d.root + "/upper_back/set", cmd)
        r = c.wait(res, None, m)[1]
        assert r["ok"] and not r.get("duplicate"), r
        # The result can come back through the broker before the log line
        # is read from the daemon's stdout.
        wait_until(lambda: len(d.evs("session_start")) == 2, 5,
                   "a second session_start event")
    finally:
        d.stop()
        c.close()
        b.stop()


def relay_off_since(d, zone, since):
    """The simulated relay's own record: zone switched off after record
    index since, and on no more after that."""
    rec = [on for _, z, on in d.relay_record()[since:] if z == zone]
    return bool(rec) and not rec[-1]


@test
def stop_with_an_id_seen_before_stops_a_session_started_since():
    # An automation that stops the pad every evening with one fixed id:
    # the second evening's stop must stop the session started since, not
    # be answered as a duplicate. Shipped safety defaults, real time.
    b = Broker(parent=TMP)
    d = Daemon(b.port, "evening", ("upper back",),
               ["--sim-start", "2026-11-24T19:00"])
    c = Client(b.port)
    res, state = d.root + "/upper_back/result", d.root + "/upper_back/state"
    setter = d.root + "/upper_back/set"
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        for night in ("mon", "tue"):
            m = c.mark()
            c.publish(setter, {"action": "start", "minutes": 20,
                               "setpoint_c": 40, "id": "start-" + night})
            assert c.wait(res, lambda v: v.get("id") == "start-" + night, m)[1]["ok"]
            wait_until(d.relay_on, 5, "relay on (%s)" % night)
            n = len(d.relay_record())
            m = c.mark()
            c.publish(setter, {"action": "stop", "id": "evening-off"})
            t_res, r, _ = c.wait(res, lambda v: v.get("id") == "evening-off", m)
            assert r["ok"] and r["code"] == "ok" and not r.get("duplicate"), r
            wait_until(lambda: relay_off_since(d, 0, n), 5,
                       "relay off in its own record (%s)" % night)
            # The zone's state follows the answer and says off.
            t_st, st, _ = c.wait(state, lambda v: not v["session"], m)
            assert not st["relay"] and st["mode"] == "off", st
            assert t_st >= t_res, (t_st, t_res)
        ends = [e for e in d.evs("session_end") if e["reason"] == "stopped"]
        assert len(ends) == 2, ends
        # Home Assistant's "off" twice around a new start: stops each time.
        m = c.mark()
        c.publish(d.root + "/upper_back/mode/set", "off")
        c.wait(res, None, m)
        m = c.mark()
        c.publish(setter, {"action": "start", "minutes": 20, "id": "start-wed"})
        c.wait(res, lambda v: v.get("id") == "start-wed", m)
        wait_until(d.relay_on, 5, "relay on (wed)")
        n = len(d.relay_record())
        m = c.mark()
        c.publish(d.root + "/upper_back/mode/set", "off")
        r = c.wait(res, None, m)[1]
        assert r["ok"] and not r.get("duplicate"), r
        wait_until(lambda: relay_off_since(d, 0, n), 5, "relay off after mode off")
        # A stop left retained on the broker is still a stop: off is safe.
        m = c.mark()
        c.publish(setter, {"action": "start", "minutes": 20, "id": "start-thu"})
        c.wait(res, lambda v: v.get("id") == "start-thu", m)
        wait_until(d.relay_on, 5, "relay on (thu)")
        n = len(d.relay_record())
        m = c.mark()
        c.publish(setter, {"action": "stop", "id": "left-over"}, retain=True)
        r = c.wait(res, lambda v: v.get("id") == "left-over", m)[1]
        assert r["ok"], r
        wait_until(lambda: relay_off_since(d, 0, n), 5, "relay off (retained)")
        c.publish(setter, b"", retain=True)     # clear it
        assert d.alive()
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def stop_during_a_flood_still_stops():
    # Thousands of commands written at once, the stop among them with an
    # id used before, and after it commands that must not undo it (a start
    # redelivered with an id already handled, refusals). The stop is run,
    # answered (not as a duplicate) and the relay's own record ends off.
    from flood import packets
    b = Broker(parent=TMP)
    d = Daemon(b.port, "flooded", ("upper back",),
               ["--sim-start", "2026-11-24T19:00"])
    c = Client(b.port)
    pub = Client(b.port, client_id="flooded-pub")
    res, state = d.root + "/upper_back/result", d.root + "/upper_back/state"
    setter = "upper_back/set"
    try:
        c.subscribe(d.root + "/#")
        online(c, d)
        m = c.mark()
        c.publish(d.root + "/" + setter, {"action": "stop", "id": "night"})
        c.wait(res, lambda v: v.get("id") == "night", m)
        c.publish(d.root + "/" + setter, {"action": "start", "minutes": 30,
                                          "setpoint_c": 40, "id": "run"})
        c.wait(res, lambda v: v.get("id") == "run", m)
        wait_until(d.relay_on, 5, "relay on")
        n = len(d.relay_record())
        noise = []
        for i in range(3000):
            k = i % 4
            if k == 0:      # the running start again: a duplicate
                noise.append(("ok", setter, json.dumps(
                    {"action": "start", "minutes": 30, "setpoint_c": 40,
                     "id": "run"})))
            elif k == 1:
                noise.append(("bad_json", setter, "{not json"))
            elif k == 2:
                noise.append(("out_of_range", setter,
                              '{"action":"start","setpoint_c":60}'))
            else:
                noise.append(("ok", "upper_back/temperature/set", "39.5"))
        stop = [("ok", setter, json.dumps({"action": "stop", "id": "night"}))]
        data, _ = packets(d.root, noise + stop + noise, lambda i: 0)
        m = c.mark()
        pub.sock.sendall(data)
        r = c.wait(res, lambda v: v.get("id") == "night" and
                   v.get("code") == "ok", m, 30)[1]
        assert r["ok"] and not r.get("duplicate"), r
        wait_until(lambda: relay_off_since(d, 0, n), 10,
                   "relay off in its own record")
        # Once the flood is read: still off, and the retained state says so.
        time.sleep(3)
        assert relay_off_since(d, 0, n), d.relay_record()[n:]
        fresh = Client(b.port)
        fresh.subscribe(state)
        st = fresh.wait(state, None, 0, 10)[1]
        fresh.close()
        assert not st["session"] and not st["relay"], st
        assert d.alive()
    finally:
        d.stop()
        c.close()
        pub.close()
        b.stop()


class StalledBroker:
    """Just enough of a broker for one daemon, for what mosquitto cannot be
    made to do: stop reading what the daemon writes while still handing it
    commands. It takes the connection and the subscriptions, then writes
    commands without reading (its receive buffer kept small), then reads
    everything, acknowledging QoS 1."""

    def __init__(self):
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.sock = None
        self.buf, self.pos = b"", 0
        self.publishes = []     # (topic, payload bytes), in order

    def _fill(self, n):
        while len(self.buf) - self.pos < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError
            self.buf = self.buf[self.pos:] + chunk
            self.pos = 0

    def _packet(self):
        self._fill(2)
        i, mult, length = 1, 1, 0
        while True:
            self._fill(i + 1)
            d = self.buf[self.pos + i]
            length += (d & 127) * mult
            mult *= 128
            i += 1
            if not d & 128:
                break
        self._fill(i + length)
        p = self.pos
        self.pos += i + length
        return self.buf[p], self.buf[p + i:p + i + length]

    def _handle(self, first, body):
        kind = first & 0xF0
        if kind == 0x10:                        # CONNECT
            self.sock.sendall(b"\x20\x02\x00\x00")
        elif kind == 0x80:                      # SUBSCRIBE
            self.sock.sendall(b"\x90\x03" + body[:2] + b"\x01")
        elif kind == 0xC0:                      # PINGREQ
            self.sock.sendall(b"\xd0\x00")
        elif kind == 0x30:                      # PUBLISH
            tl = struct.unpack(">H", body[:2])[0]
            pos = 2 + tl
            if (first >> 1) & 3:
                self.sock.sendall(b"\x40\x02" + body[pos:pos + 2])
                pos += 2
            self.publishes.append((body[2:2 + tl].decode(), body[pos:]))
        return kind

    def accept(self, subscriptions, timeout=10):
        self.lsock.settimeout(timeout)
        self.sock, _ = self.lsock.accept()
        self.sock.settimeout(timeout)
        seen = 0
        while seen < subscriptions:
            seen += self._handle(*self._packet()) == 0x80

    def read_until(self, pred, since=0, timeout=20):
        """Reads until a publish from index since satisfies pred(topic,
        payload); returns its index."""
        deadline = time.time() + timeout
        self.sock.settimeout(0.5)
        i = since
        while True:
            for i in range(i, len(self.publishes)):
                if pred(*self.publishes[i]):
                    return i
            i = len(self.publishes)
            if time.time() > deadline:
                raise AssertionError("not seen; last: %r" % self.publishes[-3:])
            try:
                self._handle(*self._packet())
            except socket.timeout:
                pass

    def drain(self, quiet_s):
        """Reads until nothing has come for quiet_s."""
        self.sock.settimeout(quiet_s)
        try:
            while True:
                self._handle(*self._packet())
        except socket.timeout:
            pass

    def close(self):
        for s in (self.sock, self.lsock):
            if s:
                s.close()


@test
def stop_is_answered_while_the_broker_is_not_reading():
    # The daemon's answers pile up unwritten: past 64 it drops results
    # (mqtt_flow.h), but never a stop's, nor the zone's state after it.
    from flood import packets
    b = StalledBroker()
    d = Daemon(b.port, "stalled", ("upper back",),
               ["--sim-start", "2026-11-24T19:00", "--start", "upper back:30:40"])
    root = d.root
    try:
        b.accept(3)
        wait_until(d.relay_on, 5, "relay on")
        n = len(d.relay_record())
        # Enough answers to fill the socket's buffers (up to 4 MB with
        # Linux's defaults) and more: an unknown key, quoted in the answer.
        noise = [("bad_request", "upper_back/set",
                  '{"action":"start","%s":1}' % ("k" * 64))] * 40000
        stop = [("ok", "upper_back/set", json.dumps({"action": "stop",
                                                     "id": "stalled-off"}))]
        data, _ = packets(root, noise + stop + noise[:1000], lambda i: 0)
        b.sock.sendall(data)           # and read nothing meanwhile
        wait_until(lambda: relay_off_since(d, 0, n), 10,
                   "relay off in its own record")
        res, state = root + "/upper_back/result", root + "/upper_back/state"

        at = b.read_until(lambda t, p: t == res and b'"stalled-off"' in p)
        r = json.loads(b.publishes[at][1])
        assert r["ok"] and not r.get("duplicate"), r
        # The zone's state after it, saying off.
        b.read_until(lambda t, p: t == state and not json.loads(p)["session"],
                     at)
        # The bound held for the rest: results were dropped.
        b.drain(1.0)
        results = sum(t == res for t, _ in b.publishes)
        print("    %d of %d results written while the broker was not "
              "reading; the stop's among them" % (results, len(noise) + 1001))
        assert results < len(noise), results
        assert relay_off_since(d, 0, n) and d.alive()
    finally:
        d.stop()
        b.close()


@test
def stale_retained_command_is_not_obeyed():
    b = Broker(parent=TMP)
    c = Client(b.port)
    root = "heatpad/stale"
    try:
        # Left retained on the broker by some client, before the daemon runs:
        # at each (re)subscribe the broker hands it over again.
        c.publish(root + "/upper_back/set", {"action": "start"}, retain=True)
        c.subscribe(root + "/#")
        d = Daemon(b.port, "stale", ("upper back",), ["--sim-speed", "5"])
        online(c, d)
        r = c.wait(root + "/upper_back/result", None, 0, 5)[1]
        assert not r["ok"] and r["code"] == "retained", r
        time.sleep(1)
        assert not d.evs("session_start")
        assert not any(on for _, _, on in d.relay_record())
        c.publish(root + "/upper_back/set", b"", retain=True)   # clear it
        d.stop()
    finally:
        c.close()
        b.stop()


def make_certs(d):
    """A CA and a server certificate for localhost / 127.0.0.1."""
    def ossl(*args):
        subprocess.run(["openssl"] + list(args), check=True,
                       capture_output=True, cwd=d)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=heatpad test CA", "-keyout", "ca.key", "-out", "ca.crt")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
         "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey",
         "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf",
         "-out", "server.crt")
    return {k: os.path.join(d, v) for k, v in
            (("ca", "ca.crt"), ("cert", "server.crt"), ("key", "server.key"))}


@test
def tls_with_a_ca_file():
    d = tempfile.mkdtemp(dir=TMP, prefix="tls-")
    certs = make_certs(d)
    tls = Broker(tls=certs, parent=TMP)
    # The small client here speaks no TLS: Debian's mosquitto_sub and
    # mosquitto_pub check the daemon over TLS instead.
    good = Daemon(tls.port, "tlsok", ("upper back",),
                  mqtt_extra={"host": "localhost", "tls_ca_file": certs["ca"]})
    other = tempfile.mkdtemp(dir=TMP, prefix="otherca-")
    wrong = make_certs(other)
    bad = Daemon(tls.port, "tlsbad", ("upper back",),
                 mqtt_extra={"host": "localhost", "tls_ca_file": wrong["ca"]})
    try:
        good.wait_event(lambda e: e["event"] == "log" and
                        "connected to" in e.get("msg", ""), 10)
        sub = subprocess.run(["mosquitto_sub", "-h", "localhost", "-p",
                              str(tls.port), "--cafile", certs["ca"], "-t",
                              good.root + "/availability", "-C", "1", "-W", "5"],
                             capture_output=True, text=True)
        assert sub.stdout.strip() == "online", sub
        subprocess.run(["mosquitto_pub", "-h", "localhost", "-p", str(tls.port),
                        "--cafile", certs["ca"], "-q", "1", "-t",
                        good.root + "/upper_back/set", "-m",
                        '{"action":"start","minutes":5}'], check=True)
        good.wait_event(lambda e: e["event"] == "session_start" and
                        e["source"] == "mqtt", 5)
        wait_until(good.relay_on, 5, "relay on over TLS")
        # A CA that did not sign the broker's certificate: never connected.
        time.sleep(1)
        assert not any("connected to" in e.get("msg", "") for e in bad.evs("log")), \
            bad.evs("log")
        assert bad.alive()
        print("    wrong CA: %s" % [e["msg"] for e in bad.evs("log")][-1])
    finally:
        good.stop()
        bad.stop()
        tls.stop()


@test
def broker_acl_lets_only_heatpad_and_home_assistant_command():
    # The shipped ACL (examples/mosquitto/acl) on a TLS broker with a
    # password file, as examples/mosquitto/heatpad.conf sets it up.
    d0 = tempfile.mkdtemp(dir=TMP, prefix="acl-")
    certs = make_certs(d0)
    acl = os.path.join(d0, "acl")
    shutil.copy(os.path.join(ROOT, "examples", "mosquitto", "acl"), acl)
    users = {"heatpad": "pad-pw", "homeassistant": "ha-pw", "guest": "guest-pw"}
    b = Broker(users=users, tls=certs, acl=acl, parent=TMP)
    d = Daemon(b.port, "acl", ("upper back",), ["--sim-speed", "5"],
               mqtt_extra={"host": "localhost", "tls_ca_file": certs["ca"],
                           "username": "heatpad", "password": "pad-pw"})
    root = d.root

    def pub(user, pw, topic, payload):
        return subprocess.run(
            ["mosquitto_pub", "-h", "localhost", "-p", str(b.port), "--cafile",
             certs["ca"], "-q", "1", "-t", topic, "-m", payload] +
            (["-u", user, "-P", pw] if user else []),
            capture_output=True, text=True, timeout=10)

    def sub(user, pw, topic, wait=3):
        return subprocess.run(
            ["mosquitto_sub", "-h", "localhost", "-p", str(b.port), "--cafile",
             certs["ca"], "-t", topic, "-C", "1", "-W", str(wait),
             "-u", user, "-P", pw], capture_output=True, text=True, timeout=10)
    try:
        d.wait_event(lambda e: e["event"] == "log" and
                     "connected to" in e.get("msg", ""), 10)
        # Home Assistant's user reads the discovery and the state.
        r = sub("homeassistant", "ha-pw", "homeassistant/device/acl/config")
        assert '"cmps"' in r.stdout, r
        r = sub("homeassistant", "ha-pw", root + "/upper_back/state")
        assert '"upper_back"' in r.stdout, r
        # Another user of the broker: its start goes nowhere, and it reads
        # nothing of the pad.
        r = pub("guest", "guest-pw", root + "/upper_back/set",
                '{"action":"start"}')
        r = pub("guest", "guest-pw", root + "/upper_back/mode/set", "heat")
        r = sub("guest", "guest-pw", root + "/#", 2)
        assert r.stdout == "", r
        # Without a user: turned away.
        r = pub(None, None, root + "/upper_back/set", '{"action":"start"}')
        assert r.returncode != 0, r
        time.sleep(1)
        assert not d.evs("session_start"), d.evs("session_start")
        assert not any(on for _, _, on in d.relay_record())
        # Home Assistant's user can.
        r = pub("homeassistant", "ha-pw", root + "/upper_back/mode/set", "heat")
        assert r.returncode == 0, r
        d.wait_event(lambda e: e["event"] == "session_start" and
                     e["source"] == "mqtt", 5)
        wait_until(d.relay_on, 5, "relay on from Home Assistant's user")
    finally:
        d.stop()
        b.stop()


@test
def missing_ca_file_stops_the_start_with_a_reason():
    d = Daemon(free_port(), "noca", ("upper back",),
               mqtt_extra={"host": "localhost", "tls_ca_file": "/nonexistent/ca.crt"})
    rc = d.proc.wait(10)
    d.stop()
    assert rc == 1, rc
    msg = [e["msg"] for e in d.evs("log") if e.get("level") == "error"]
    assert any("mqtt.tls_ca_file /nonexistent/ca.crt: No such file" in m
               for m in msg), msg
    assert not any(on for _, _, on in d.relay_record())


@test
def auth_broker_with_password_file():
    b = Broker(users={"pad": "s3cret"}, parent=TMP)
    good = Daemon(b.port, "authok", ("upper back",),
                  mqtt_extra={"username": "pad", "password": "s3cret"})
    bad = Daemon(b.port, "authbad", ("upper back",),
                 mqtt_extra={"username": "pad", "password": "wrong"})
    c = Client(b.port, username="pad", password="s3cret")
    try:
        c.subscribe("heatpad/#")
        online(c, good)
        bad.wait_event(lambda e: e["event"] == "log" and
                       "refused the connection" in e.get("msg", ""), 8)
        time.sleep(2)          # several retries by now
        with c.cv:
            assert not any(tp.startswith("heatpad/authbad/") for _, tp, _, _ in c.msgs)
        said = [e for e in bad.evs("log") if "refused" in e.get("msg", "")]
        assert len(said) == 1, said     # once, not at every retry
        assert bad.alive()
        m = c.mark()
        c.publish(good.root + "/upper_back/set", {"action": "start"})
        assert c.wait(good.root + "/upper_back/result", None, m)[1]["ok"]
        # Anonymous clients are turned away by this broker.
        try:
            Client(b.port)
            raise AssertionError("anonymous client accepted")
        except AssertionError as e:
            assert "CONNACK" in str(e), e
    finally:
        good.stop()
        bad.stop()
        c.close()
        b.stop()


@test
def state_republished_at_least_every_10_virtual_seconds():
    b = Broker(parent=TMP)
    d = Daemon(b.port, "tick", ("upper back",), ["--sim-speed", "30"])
    c = Client(b.port)
    try:
        c.subscribe(d.root + "/upper_back/state")
        online_c = Client(b.port)
        online_c.subscribe(d.root + "/availability")
        online(online_c, d)
        online_c.close()
        m = c.mark()
        time.sleep(3)          # 90 virtual s of an idle zone: no events
        with c.cv:
            times = [t for t, tp, _, _ in c.msgs[m:]]
        gaps = [b_ - a for a, b_ in zip(times, times[1:])]
        # 10 virtual s = 0.33 real s at --sim-speed 30.
        assert len(times) >= 6, times
        assert max(gaps) <= 1.0, gaps       # 0.33 s, and slack for load
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def last_will_says_offline_when_the_daemon_dies():
    b = Broker(parent=TMP)
    d = Daemon(b.port, "will", ("upper back",))
    c = Client(b.port)
    try:
        c.subscribe(d.root + "/availability")
        online(c, d)
        m = c.mark()
        d.stop(signal.SIGKILL)
        t, v, _ = c.wait(d.root + "/availability", lambda v: v == "offline", m, 5)
        c2 = Client(b.port)
        c2.subscribe(d.root + "/availability")
        t, v, retained = c2.wait(d.root + "/availability")
        assert v == "offline" and retained
        c2.close()
    finally:
        d.stop()
        c.close()
        b.stop()


@test
def twenty_daemons_on_one_broker():
    b = Broker(parent=TMP)
    c = Client(b.port)
    c.subscribe("heatpad/#", "homeassistant/device/#")
    t0 = time.time()
    ds = [Daemon(b.port, "pad%02d" % i, ("upper back",), ["--sim-speed", "5"])
          for i in range(20)]
    try:
        for d in ds:
            online(c, d, 0, 20)
        for d in ds:
            cl = discovery(c, d)["upper_back"]
            assert cl["unique_id"] == "heatpad_%s_upper_back" % d.device
        print("    20 daemons online and discoverable %.1f s after launch"
              % (time.time() - t0))
        m = c.mark()
        for i, d in enumerate(ds):
            c.publish(d.root + "/upper_back/set",
                      {"action": "start", "minutes": 10, "setpoint_c": 35 + i % 5})
        for i, d in enumerate(ds):
            r = c.wait(d.root + "/upper_back/result", None, m, 10)[1]
            assert r["ok"], (d.device, r)
            c.wait(d.root + "/upper_back/state",
                   lambda v, sp=35 + i % 5: v["session"] and v["setpoint_c"] == sp, m, 10)
        for d in ds:
            wait_until(d.relay_on, 10, d.device + " relay on")
        m = c.mark()
        for d in ds:
            c.publish(d.root + "/upper_back/mode/set", "off")
        for d in ds:
            c.wait(d.root + "/upper_back/state", lambda v: not v["session"], m, 10)
            wait_until(lambda: not d.relay_on(), 10, d.device + " relay off")
        assert all(d.alive() for d in ds)
    finally:
        for d in ds:
            d.proc.send_signal(signal.SIGTERM)
        for d in ds:
            d.stop()
        c.close()
        b.stop()


@test
def a_button_press_result_says_button():
    # A simulated bedside button: its presses' results come on the zone's
    # result topic with source "button", and Home Assistant's result event
    # carries the source. At --sim-speed 10 the presses are 0.5 s and 1 s
    # of real time after the start.
    b = Broker(parent=TMP)
    d = Daemon(b.port, "btn", ("upper back",),
               ["--sim-speed", "10", "--sim-press", "upper back@5",
                "--sim-press", "upper back@10"],
               zone_extra={"button": {"chip": "gpiochip0", "line": 20}})
    c = Client(b.port)
    res = d.root + "/upper_back/result"
    try:
        c.subscribe(d.root + "/#", "homeassistant/#")
        comps = discovery(c, d)
        r = c.wait(res, lambda v: v.get("source") == "button", 0, 20)[1]
        assert r["ok"] and r["code"] == "ok" and "at" in r, r
        ev = event_of(comps, "upper_back_result", r)
        assert ev["event_type"] == "accepted" and ev["source"] == "button", ev
        c.wait(d.root + "/upper_back/state",
               lambda v: (v.get("last_command") or {}).get("source") ==
               "button", 0, 20)
        # The second press stops it.
        at = r["at"]
        r = c.wait(res, lambda v: v.get("source") == "button" and
                   v["at"] > at, 0, 20)[1]
        assert r["ok"], r
        # An MQTT command's result says mqtt.
        m = c.mark()
        c.publish(d.root + "/upper_back/set", {"action": "stop"})
        r = c.wait(res, None, m)[1]
        assert r["source"] == "mqtt", r
    finally:
        d.stop()
        c.close()
        b.stop()


def main():
    if not shutil.which("mosquitto"):
        print("mqtt: mosquitto is not installed (scripts/deps test)")
        harness.closing("mqtt", 0, 1)
        return 1
    only = sys.argv[1:]
    label = "mqtt"
    if only == ["--sanitizer-subset"]:
        # What untrusted input reaches, with the daemon built with ASan and
        # UBSan (make check's second run): the sanitizers' reports fail it.
        only = ["discovery_is_valid_and_the_climate_topics_work",
                "malformed_payloads_refused_state_unchanged",
                "stale_retained_command_is_not_obeyed",
                "removed_and_renamed_zones_leave_no_entities",
                "broker_down_at_start_then_up"]
        label = "mqtt under sanitizers"
    failed = run_tests(TESTS, label,
                       lambda fn: not only or fn.__name__ in only)
    if not failed:
        shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
