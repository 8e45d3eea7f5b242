#!/usr/bin/env python3
"""The bedside button and indicator light, end to end through the daemon in
simulation: simulated buttons pressed at virtual times (--sim-press), time
driven exactly through --sim-control, and the simulated relays' and
lights' own record (--sim-relay-log) checked to the millisecond. Ends with
"button: N passed, N failed". With test names as arguments, only those
run. HEATPAD_DAEMON picks another build."""
import json
import os
import shutil
import sys
import tempfile

import harness
from harness import read_light_record, read_relay_record, run_tests, wait_until


# A press settles 30 ms after its first edge (the debounce), and a short
# press acts when its release has settled.
DEBOUNCE_MS = 30
HOLD_MS = 200           # --sim-press's default hold

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def zone(name, line):
    return {"name": name, "sensor": {"type": "sim", "noise_c": 0},
            "relay": {"type": "sim"},
            "button": {"chip": "gpiochip0", "line": line},
            "light": {"chip": "gpiochip0", "line": line + 10}}


class Daemon(harness.Daemon):
    """A simulated daemon under --sim-control, paused at its start (the
    shared harness's, with the times these tests count from)."""

    def __init__(self, d, zones, args, top=None):
        super().__init__(dict(top or {}, zones=zones), args=args, dir=d,
                         control=True, speed=None)
        assert self.ctl, "this build has no --sim-control"
        self.m0 = self.ask("now")["mono_ms"]

    def ask(self, line):
        return self.command(line)

    def advance_to(self, s):
        """Virtual time to s seconds after the start."""
        now = self.ask("now")["mono_ms"]
        ms = self.m0 + round(s * 1000) - now
        assert ms >= 0, (s, now)
        return self.ask("advance %.3f" % (ms / 1000))

    def relays(self):
        return [(t - self.m0, z, on) for t, z, on in
                read_relay_record(self.relay_log)]

    def lights(self):
        return [(t - self.m0, z, on) for t, z, on in
                read_light_record(self.relay_log)]

    def messages(self, needle):
        return [e for e in self.log.events()
                if needle in json.dumps(e)]

    def wait_log(self, needle):
        """The log is read on a thread: a line may come after the reply."""
        wait_until(lambda: self.messages(needle), "a log line with " + needle, 5)
        return self.messages(needle)

    def wait_kind(self, kind, n=1):
        wait_until(lambda: len(self.log.events(kind)) >= n, kind, 5)
        return self.log.events(kind)


def run_daemon(zones, args, body):
    d = tempfile.mkdtemp(prefix="heatpad-button-")
    dm = Daemon(d, zones, args)
    try:
        body(dm)
    finally:
        dm.stop()
        shutil.rmtree(d, ignore_errors=True)


@test
def short_press_starts_and_short_press_stops():
    def body(dm):
        acted = 10000 + HOLD_MS + DEBOUNCE_MS
        dm.advance_to(10 + HOLD_MS / 1000)
        assert dm.relays() == [] and dm.lights() == [], dm.lights()
        dm.advance_to(20)
        # The light at once, the relay at the next control tick.
        assert dm.lights() == [(acted, 0, True)], dm.lights()
        assert dm.relays() == [(11000, 0, True)], dm.relays()
        starts = dm.wait_kind("session_start")
        assert starts and starts[0]["source"] == "button", starts
        dm.advance_to(120)
        stopped = 100000 + HOLD_MS + DEBOUNCE_MS
        assert dm.relays()[-1] == (stopped, 0, False), dm.relays()
        assert dm.lights() == [(acted, 0, True), (stopped, 0, False)], dm.lights()
        ends = dm.wait_kind("session_end")
        assert ends and ends[0]["reason"] == "stopped" and \
            ends[0]["source"] == "button", ends
    run_daemon([zone("back", 27)], ["--sim-start", "2026-11-24T12:00",
                                    "--sim-press", "back@10",
                                    "--sim-press", "back@100"], body)


@test
def long_press_stops_every_zone():
    def body(dm):
        dm.advance_to(30)
        assert dm.relays() == [(11000, 0, True), (21000, 1, True)], dm.relays()
        assert dm.lights() == [(10230, 0, True), (20230, 1, True)], dm.lights()
        # Held 3 s from 50 s: every zone stops at 2 s, while still held.
        dm.advance_to(51.999)
        assert len(dm.relays()) == 2, dm.relays()
        dm.advance_to(60)
        assert sorted(dm.relays()[2:]) == [(52000, 0, False),
                                            (52000, 1, False)], dm.relays()
        assert sorted(dm.lights()[2:]) == [(52000, 0, False),
                                            (52000, 1, False)], dm.lights()
        # The release is no second press.
        assert not dm.log.events("session_start")[2:]
    run_daemon([zone("back", 27), zone("neck", 5)],
               ["--sim-start", "2026-11-24T12:00", "--sim-press", "back@10",
                "--sim-press", "neck@20", "--sim-press", "back@50:3"], body)


@test
def refused_start_blinks_three_times_and_changes_no_relay():
    def body(dm):
        dm.advance_to(30)
        assert dm.relays() == [], dm.relays()
        t = 10000 + HOLD_MS + DEBOUNCE_MS
        want = []
        for k in range(3):
            want += [(t + 300 * k, 0, True), (t + 300 * k + 150, 0, False)]
        assert dm.lights() == want, dm.lights()
        assert not dm.log.events("session_start")
        assert dm.wait_log("quiet_hours"), dm.log.events()
    # 23:30 is in quiet hours (23:00-07:00): any start is refused.
    run_daemon([zone("back", 27)], ["--sim-start", "2026-11-24T23:30",
                                    "--sim-press", "back@10"], body)


@test
def stuck_button_is_ignored_until_released_and_said_once():
    def body(dm):
        dm.advance_to(200)
        # At 2 s it was a long press (a stop of every zone, nothing on);
        # after a minute it is stuck: said once, and the release does not
        # start anything.
        assert dm.relays() == [] and dm.lights() == [], dm.lights()
        dm.wait_log("works again")
        assert len(dm.messages("taken as stuck")) == 1, dm.log.events()
        assert not dm.log.events("session_start")
        dm.advance_to(230)
        assert dm.relays() == [(211000, 0, True)], dm.relays()
    run_daemon([zone("back", 27)], ["--sim-start", "2026-11-24T12:00",
                                    "--sim-press", "back@10:90",
                                    "--sim-press", "back@210"], body)


@test
def one_button_for_every_zone_and_a_fault_blinks_fast():
    def body(dm):
        dm.advance_to(10)
        # The top-level button starts every zone.
        assert sorted(dm.relays()) == [(6000, 0, True), (6000, 1, True)], \
            dm.relays()
        # A sensor lost on the first zone: a latched fault, its light
        # blinks fast (125 ms on, 125 ms off), the other stays on.
        dm.advance_to(40)
        faults = dm.wait_kind("fault")
        assert faults, dm.log.events()
        t_fault = faults[0]["mono_ms"] - dm.m0
        blinks = [(t, on) for t, z, on in dm.lights() if z == 0 and t > t_fault]
        assert len(blinks) > 20, dm.lights()
        gaps = {b[0] - a[0] for a, b in zip(blinks, blinks[1:])}
        assert gaps == {125}, gaps
        assert [x for x in dm.lights() if x[1] == 1] == [(5230, 1, True)], \
            dm.lights()
        # A short press while any zone heats stops every zone.
        dm.advance_to(60)
        assert (50230, 1, False) in dm.relays(), dm.relays()
        assert (50230, 1, False) in dm.lights(), dm.lights()
    zones = [zone("back", 27), zone("neck", 5)]
    for z in zones:
        del z["button"]
    d = tempfile.mkdtemp(prefix="heatpad-button-")
    try:
        cfg_top = {"chip": "gpiochip0", "line": 40}
        dm = Daemon(d, zones, ["--sim-start", "2026-11-24T12:00",
                               "--sim-press", "all@5",
                               "--sim-fault", "back:sensor_disconnect@20",
                               "--sim-press", "all@50"], top={"button": cfg_top})
        try:
            body(dm)
        finally:
            dm.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    names = set(sys.argv[1:])
    pick = (lambda fn: fn.__name__ in names) if names else None
    return 1 if run_tests(TESTS, "button", pick) else 0


if __name__ == "__main__":
    sys.exit(main())
