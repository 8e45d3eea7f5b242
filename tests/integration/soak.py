#!/usr/bin/env python3
"""Soak: the daemon in simulation, its virtual time driven over the control
socket (--sim-control) as fast as the machine runs it, through simulated
weeks of a seeded random mix of sessions (schedules, MQTT, HTTP), every
kind of sensor and relay fault, broker restarts, wall-clock steps of
+/-3 h, DST changes, and restarts by SIGTERM and by SIGKILL. Everything
the daemon's relays did is then checked, from the simulated relay's own
record (--sim-relay-log) and the daemon's JSON log, against the
invariants a person on the pad relies on:

  - the relay is on only inside a session;
  - never during quiet hours, nor in the 48-hour cold window;
  - no session outlives its cap (so no relay is on past it);
  - never on with the pad itself (not only its sensor) at or above the
    cutoff, unless the simulated relay is stuck on;
  - off within one tick of every fault, and not on again until cleared;
  - every session ends (by time, stop, fault, quiet hours, the cold rule,
    or the daemon's own shutdown), and a SIGTERM leaves every relay off;
  - memory does not grow over a long stretch without restarts.

The shipped safety limits throughout: virtual time waits for the daemon,
so a slow machine makes the soak take longer, never a sensor late.
make check: 30 simulated days through the end of summer time, and 4 days
of the ASan/UBSan daemon through its start (--asan; LeakSanitizer must
report nothing at each exit). --long (make reliability): 200 days, both
changes. Prints the figures and leaves them for `make reliability`'s
table. Ends with "soak: N passed, N failed, N skipped"."""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import harness
from harness import proc_figures, read_relay_record, write_figures
from mqtt_peer import Broker, Client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TZNAME = "Europe/Berlin"
TZ = ZoneInfo(TZNAME)
H = 3600
ZONES = [("upper_back", "upper back"), ("lower_back", "lower back")]
CUTOFF_C = 45.0
MAX_MIN = {"upper_back": 120, "lower_back": 90}
QUIET = (23 * 60, 7 * 60)
FAULT_KINDS = ["sensor_disconnect", "relay_stuck_on", "sensor_silent",
               "sensor_power_on", "sensor_stuck"]


def local(wall):
    return datetime.fromtimestamp(wall, TZ)


def in_quiet(wall):
    t = local(wall)
    m = t.hour * 60 + t.minute
    return m >= QUIET[0] or m < QUIET[1]


def to_quiet_s(wall):
    """Seconds from wall until quiet hours begin (0 inside them)."""
    if in_quiet(wall):
        return 0
    t = local(wall)
    start = t.replace(hour=QUIET[0] // 60, minute=QUIET[0] % 60, second=0,
                      microsecond=0)
    return max(0, int(start.timestamp()) - wall)


class Plan:
    """The seeded timeline, in virtual seconds since the soak began (t):
    live actions the harness performs, and hardware events handed to each
    daemon life on its command line (--sim-fault, --sim-clock-step)."""

    def __init__(self, seed, hours, t0_wall):
        rnd = random.Random(seed)
        self.hours = hours
        self.t0 = t0_wall
        end = hours * H
        self.live = []          # (t, kind, args)
        self.hw = []            # (t, "fault", zone_index, kind) | (t, "step", s)
        self.restarts = []      # (t, "term" | "kill")
        self.live.append((30, "schedule", None))
        # Users: about one action every two hours, half of them starts.
        t = 600
        while t < end:
            t += rnd.randint(H // 2, 3 * H)
            z = rnd.randrange(2)
            what = rnd.choice(["start", "start", "stop", "setpoint"])
            via = rnd.choice(["http", "mqtt"])
            self.live.append((t, "user", (via, what, z,
                                          rnd.randint(5, 130),
                                          rnd.choice([36, 38, 39, 40, 41, 42]))))
        # Fault episodes every ~7 h: a session started 5 min before, the
        # fault, a heal 10-30 min later; the janitor clears what is latched.
        t, k = int(1.5 * H), 0
        while t < end - H:
            z = rnd.randrange(2)
            kind = FAULT_KINDS[k % len(FAULT_KINDS)]
            k += 1
            self.live.append((t - 300, "user", (rnd.choice(["http", "mqtt"]),
                                                "start", z, 60, 40)))
            self.hw.append((t, "fault", z, kind))
            self.hw.append((t + rnd.randint(600, 1800), "fault", z, "heal"))
            t += rnd.randint(5 * H, 9 * H)
        # The janitor: latched faults cleared every 20 min, by turns over
        # HTTP, MQTT and SIGUSR1 (refused while the cause is there).
        for t in range(1200, end, 1200):
            self.live.append((t, "janitor", None))
        # The 48-hour rule: an injury that happened 46 h before it is told,
        # so its window ends 2 h later, inside the run.
        self.live.append((int(end * 0.3), "injury", 46 * 60))
        if hours > 48:
            self.live.append((int(end * 0.6), "injury", 5 * 60))
        # Clock steps: forward 3 h, later back 3 h; on a long run another
        # pair every 5 days or so, back a day after forward.
        self.hw.append((int(end * 0.1) + 1234, "step", 3 * H))
        self.hw.append((int(end * 0.7) + 321, "step", -3 * H))
        for i in range(1, hours // 120):
            t = rnd.randint(120 * H * i - 60 * H, 120 * H * i - 26 * H)
            self.hw.append((t, "step", 3 * H))
            self.hw.append((t + 24 * H + rnd.randint(0, H), "step", -3 * H))
        # Broker restarts: down 5-40 virtual minutes.
        for i in range(max(1, hours // 40)):
            t = rnd.randint(int(end * 0.05), int(end * 0.95))
            self.live.append((t, "broker_down", None))
            self.live.append((t + rnd.randint(300, 2400), "broker_up", None))
        # Daemon restarts: every 6-14 h, by turns SIGTERM and SIGKILL, after
        # a first life of up to 3 days (the long stretch memory is watched
        # over; a life takes at most 32 --sim-fault, about 4 days' worth).
        t, k = min(int(end * 0.2), 72 * H), 0
        while t < end - H:
            self.restarts.append((t, "term" if k % 2 == 0 else "kill"))
            k += 1
            t += rnd.randint(6 * H, 14 * H)
        self.live.sort(key=lambda e: e[0])
        self.hw.sort(key=lambda e: e[0])

    def step_offset(self, t):
        return sum(e[2] for e in self.hw if e[1] == "step" and e[0] <= t)


class Life(harness.Daemon):
    """One run of the daemon, from start to SIGTERM or SIGKILL, its virtual
    time moved only by the soak (the control socket): the machine's speed
    changes how long the soak takes, never what the daemon sees."""

    def __init__(self, soak, n, t_start, t_end, how):
        self.soak, self.n, self.t_start, self.t_end, self.how = \
            soak, n, t_start, t_end, how
        d = soak.dir
        self.log_path = os.path.join(d, "daemon-%02d.log" % n)
        wall = soak.plan.t0 + t_start + soak.plan.step_offset(t_start)
        args = []
        for e in soak.plan.hw:
            if not t_start <= e[0] < t_end:
                continue
            at = e[0] - t_start
            if e[1] == "fault":
                args += ["--sim-fault", "%s:%s@%d" % (ZONES[e[2]][1], e[3], at)]
            else:
                args += ["--sim-clock-step", "%+d@%d" % (e[2], at)]
        self.rss = []           # (t, VmRSS kB)
        self.out = open(self.log_path, "w")
        ldir = os.path.join(d, "life-%02d" % n)
        os.mkdir(ldir)
        try:
            super().__init__(soak.config, args, state=False, dir=ldir,
                             start=local(wall).strftime("%Y-%m-%dT%H:%M:%S"),
                             speed=None, control=True, port=True,
                             status_every=600, tz=TZNAME, copy=self.out,
                             daemon=soak.daemon)
        except AssertionError as e:
            raise AssertionError("life %d: %s" % (n, e))
        self.t = t_start        # the soak's time this life has reached

    def rss_kb(self):
        try:
            return proc_figures(self.proc.pid)[1]
        except OSError:
            return None

    def go_to(self, t):
        """Advances this life's virtual time to the soak's time t."""
        while self.t < t:
            # In slices, so a stuck daemon is found within one.
            dt = min(t - self.t, 3600)
            self.advance(dt)
            self.t += dt

    def end(self):
        if self.how == "term":
            self.code = self.stop(expect=None, keep=True)
        else:
            self.kill()
            self.code = self.proc.returncode
        self.err_done.wait(5)
        self.out.close()


class Soak:
    def __init__(self, hours, seed, daemon, t0_local):
        self.dir = tempfile.mkdtemp(prefix="heatpad-soak-")
        self.daemon = daemon
        t0 = int(datetime.strptime(t0_local, "%Y-%m-%dT%H:%M").replace(
            tzinfo=TZ).timestamp())
        self.plan = Plan(seed, hours, t0)
        self.broker = Broker(parent=self.dir)
        self.config = os.path.join(self.dir, "config.json")
        zone = lambda i, zid, name: {
            "name": name, "relay": {"type": "sim"},
            "sensor": {"type": "sim", "power_w": 40 + 10 * i, "seed": i + 1},
            "session": {"default_minutes": 20, "default_setpoint_c": 39,
                        "max_minutes": MAX_MIN[zid]},
            # The shipped sensor timeout: virtual time waits for the daemon.
            "limits": {"cutoff_c": CUTOFF_C, "max_setpoint_c": 42}}
        cfg = {"device_id": "soak", "state_file": os.path.join(self.dir, "state.json"),
               "quiet_hours": {"enabled": True, "start": "23:00", "end": "07:00"},
               "http": {"listen": "127.0.0.1", "port": 0,
                        "web_root": os.path.join(ROOT, "web")},
               "mqtt": {"host": "127.0.0.1", "port": self.broker.port,
                        "keepalive_s": 5},
               "zones": [zone(i, zid, name) for i, (zid, name) in enumerate(ZONES)]}
        with open(self.config, "w") as f:
            json.dump(cfg, f)
        self.root = "heatpad/soak"
        self.mqtt = None
        self.broker_up = True
        self.lives = []
        self.count = {}
        self.injuries = []      # (wall told, wall heat is allowed, life)
        self.janitor_turn = 0
        self.refusals = {}      # HTTP refusals by code

    def bump(self, key, n=1):
        self.count[key] = self.count.get(key, 0) + n

    # --- the actions -------------------------------------------------------
    def http(self, method, path, body=None):
        life = self.lives[-1]
        c = http.client.HTTPConnection("127.0.0.1", life.port, timeout=5)
        try:
            c.request(method, path, body=json.dumps(body) if body is not None
                      else None, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            body = json.loads(r.read() or b"{}")
            if method != "GET" and not body.get("ok", True):
                self.refusals[body.get("code")] = \
                    self.refusals.get(body.get("code"), 0) + 1
            return r.status, body
        finally:
            c.close()

    def mqtt_client(self):
        if self.mqtt is None and self.broker_up:
            try:
                self.mqtt = Client(self.broker.port)
            except OSError:
                self.mqtt = None
        return self.mqtt

    def publish(self, topic, payload):
        c = self.mqtt_client()
        if c is None:
            self.bump("mqtt commands not sent (broker down)")
            return False
        try:
            c.publish(self.root + "/" + topic, payload)
            # Real I/O: let it arrive before virtual time moves on.
            time.sleep(0.02)
            return True
        except (OSError, AssertionError, EOFError):
            self.mqtt = None
            self.bump("mqtt commands not sent (broker down)")
            return False

    def act(self, kind, args):
        if kind == "schedule":
            sched = [{"zone": "upper_back", "days": "daily", "start": "19:30",
                      "minutes": 40, "setpoint_c": 40, "enabled": True},
                     {"zone": "lower_back", "days": "daily", "start": "07:30",
                      "minutes": 20, "setpoint_c": 39, "enabled": True},
                     # runs into quiet hours: must stop at 23:00
                     {"zone": "upper_back", "days": "daily", "start": "22:40",
                      "minutes": 45, "setpoint_c": 41, "enabled": True},
                     # inside quiet hours (and the DST night): refused
                     {"zone": "lower_back", "days": "daily", "start": "02:30",
                      "minutes": 30, "setpoint_c": 38, "enabled": True}]
            # Over MQTT once the daemon is subscribed (its connection is
            # real I/O, slower on a busy machine), checked over HTTP.
            life = self.lives[-1]
            end = time.monotonic() + 15
            while time.monotonic() < end and not any(
                    e.get("msg", "").startswith("mqtt: connected to")
                    for e in life.events):
                time.sleep(0.05)
            if self.publish("schedule/set", sched):
                while time.monotonic() < end and \
                        len(self.http("GET", "/api/schedule")[1] or []) != len(sched):
                    time.sleep(0.05)
            if len(self.http("GET", "/api/schedule")[1] or []) == len(sched):
                self.bump("schedule set over MQTT")
            else:
                code, rep = self.http("PUT", "/api/schedule", sched)
                assert code == 200, rep
                self.bump("schedule set over HTTP")
        elif kind == "user":
            via, what, z, minutes, sp = args
            zid = ZONES[z][0]
            self.bump("user commands")
            if via == "http":
                if what == "start":
                    self.http("POST", "/api/zones/%s/start" % zid,
                              {"minutes": minutes, "setpoint_c": sp})
                elif what == "stop":
                    self.http("POST", "/api/zones/%s/stop" % zid)
                else:
                    self.http("POST", "/api/zones/%s/start" % zid,
                              {"setpoint_c": sp})
            else:
                cmd = {"stop": {"action": "stop"},
                       "start": {"action": "start", "minutes": minutes,
                                 "setpoint_c": sp},
                       "setpoint": {"action": "start", "setpoint_c": sp}}[what]
                self.publish(zid + "/set", cmd)
        elif kind == "injury":
            code, rep = self.http("POST", "/api/injury",
                                  {"injury": True, "minutes_ago": args})
            assert code == 200 and rep["ok"], rep
            g = rep["status"]["guidance"]
            # Binding from when it is told (the daemon's clock then) until
            # heat is allowed again.
            self.injuries.append((rep["status"]["time"], g["heat_allowed_at"],
                                  len(self.lives) - 1))
            self.bump("injuries recorded")
        elif kind == "janitor":
            code, st = self.http("GET", "/api/status")
            for zi, z in enumerate(st["zones"]):
                if not z["fault"]:
                    continue
                how = ["http", "mqtt", "sigusr1"][self.janitor_turn % 3]
                self.janitor_turn += 1
                self.bump("fault clears asked")
                if how == "http":
                    self.http("POST", "/api/zones/%s/clear-fault" % z["id"])
                elif how == "mqtt":
                    self.publish(z["id"] + "/set", {"action": "clear_fault"})
                else:
                    self.lives[-1].proc.send_signal(signal.SIGUSR1)
                    time.sleep(0.02)
        elif kind == "broker_down" and self.broker_up:
            if self.mqtt:
                self.mqtt.close()
                self.mqtt = None
            n = len(self.lives[-1].events)
            self.broker.stop()
            self.broker_up = False
            self.bump("broker restarts")
            self.wait_mqtt(n, ["connection lost", "cannot reach"])
        elif kind == "broker_up" and not self.broker_up:
            self.broker.start()
            self.broker_up = True
            # Not waited for: the daemon's reconnect backoff is real time,
            # and virtual time goes on meanwhile.

    # --- the run ------------------------------------------------------------
    def run(self):
        end = self.plan.hours * H
        bounds = [0] + [t for t, _ in self.plan.restarts] + [end]
        hows = [h for _, h in self.plan.restarts] + ["term"]
        live = list(self.plan.live)
        for n in range(len(hows)):
            t_start, t_end = bounds[n], bounds[n + 1]
            life = Life(self, n, t_start, t_end, hows[n])
            self.lives.append(life)
            next_rss = t_start + H
            while life.t < t_end:
                t = min([t_end, next_rss] + [e[0] for e in live[:1]])
                life.go_to(t)
                while live and live[0][0] <= life.t:
                    _, kind, args = live.pop(0)
                    self.act(kind, args)
                if life.t >= next_rss:
                    life.rss.append((life.t, life.rss_kb()))
                    next_rss += H
                assert life.proc.poll() is None, \
                    "life %d died: %s" % (n, life.err[-2000:])
            life.end()
        self.broker.stop()
        if self.mqtt:
            self.mqtt.close()

    def wait_mqtt(self, n, words):
        """Lets the daemon see the broker go (real I/O, on real time)
        before virtual time moves on: a log line after its n-th event."""
        life = self.lives[-1]
        said = [e["msg"] for e in life.events[:n] if e.get("event") == "log"
                and e.get("msg", "").startswith(("mqtt: connected to",
                                                 "mqtt: connection lost",
                                                 "mqtt: cannot reach"))]
        if not said or not said[-1].startswith("mqtt: connected to"):
            return              # not connected: nothing to notice
        end = time.monotonic() + 15
        while time.monotonic() < end:
            if any(e.get("event") == "log" and
                   any(w in e.get("msg", "") for w in words)
                   for e in life.events[n:]):
                return
            time.sleep(0.01)
        self.bump("broker changes the daemon did not log in 15 s")

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


# --- the checks ---------------------------------------------------------------
class Checker:
    """Reads every life's record and log and checks the invariants; keeps
    the figures."""

    def __init__(self, soak, tol_ms):
        self.soak = soak
        self.tol = tol_ms
        self.bad = []
        self.fig = {"sessions": 0, "relay on-periods": 0, "faults injected": 0,
                    "faults caught": 0, "unplanned faults": 0,
                    "longest fault to relay off (virtual ms)": 0,
                    "sessions cut by SIGKILL": 0, "ended": {}, "caught": {},
                    "detect_ms": {}, "max_on_pad_c": 0, "max_off_pad_c": 0,
                    "max_off_pad_c_stuck_relay": 0, "relay on-hours": 0.0,
                    "unplanned_kinds": {}}

    def fail(self, msg):
        if len(self.bad) < 40:
            self.bad.append(msg)

    def check(self):
        self.windows = self.cold_windows()
        for life in self.soak.lives:
            self.check_life(life)
        return self.bad

    @staticmethod
    def life_steps(life):
        rec = read_relay_record(life.relay_log, full=True)
        return [(r["mono_ms"], int(r["kind"])) for r in rec if r["what"] == "clock"]

    def true_t(self, life, wall, mono, steps):
        """The soak's own timeline (virtual seconds since its start, which
        no clock step moves) of a moment of a life, from its wall time and
        the steps its relay record shows before its mono."""
        plan = self.soak.plan
        wall0 = plan.t0 + life.t_start + plan.step_offset(life.t_start)
        return life.t_start + (wall - wall0) - sum(s for sm, s in steps
                                                   if sm <= mono)

    def cold_windows(self):
        """Each recorded injury as [from, to) on the soak's timeline: 48
        real hours are real, whatever the wall clock did since."""
        out = []
        for told, allowed, n in self.soak.injuries:
            if not allowed:
                continue
            life = self.soak.lives[n]
            # The reply's status and the log line may read the clock a
            # second apart.
            rec = [e for e in life.events if e.get("event") == "record" and
                   e.get("reason") == "acute" and
                   abs(e.get("wall", 0) - told) <= 5]
            if not rec:
                self.fail("life %d: the injury told at %s is not in the log" %
                          (n, local(told)))
                continue
            t = self.true_t(life, told, rec[0]["mono_ms"], self.life_steps(life))
            out.append((t, t + (allowed - told)))
        return out

    def check_life(self, life):
        rec = read_relay_record(life.relay_log, full=True)
        evs = [e for e in life.events if e.get("mono_ms")]
        steps = [(r["mono_ms"], int(r["kind"])) for r in rec if r["what"] == "clock"]
        last_mono = max([e["mono_ms"] for e in evs] + [r["mono_ms"] for r in rec]
                        + [0])
        f = self.fig
        if life.how == "term":
            if life.code != 0:
                self.fail("life %d: exit code %s after SIGTERM" % (life.n, life.code))
            if "Sanitizer" in life.err or "runtime error" in life.err:
                self.fail("life %d: sanitizer: %s" % (life.n, life.err[-1500:]))
        for zi, (zid, name) in enumerate(ZONES):
            zevs = [e for e in evs if e.get("zone_id") == zid]
            sessions, cur = [], None
            for e in zevs:
                if e["event"] == "session_start" and cur is None:
                    cur = [e["mono_ms"], None, None]
                elif e["event"] == "session_end" and cur is not None:
                    cur[1], cur[2] = e["mono_ms"], e.get("reason")
                    sessions.append(cur)
                    cur = None
            if cur is not None:
                if life.how == "term":
                    self.fail("life %d %s: a session never ended" % (life.n, zid))
                f["sessions cut by SIGKILL"] += 1
                cur[1], cur[2] = float("inf"), "killed"
                sessions.append(cur)
            f["sessions"] += len(sessions)
            for s in sessions:
                f["ended"][s[2]] = f["ended"].get(s[2], 0) + 1
                if s[1] != float("inf") and s[1] - s[0] > MAX_MIN[zid] * 60000 + self.tol:
                    self.fail("life %d %s: a session ran %.1f min (cap %d)" %
                              (life.n, zid, (s[1] - s[0]) / 60000, MAX_MIN[zid]))
            # The relay's on-periods, as the relay saw them.
            ons, cur = [], None
            for r in rec:
                if r["zone"] != zi or r["what"] not in ("on", "off"):
                    continue
                if r["what"] == "on":
                    cur = r
                    if r["temp_c"] >= CUTOFF_C:
                        self.fail("life %d %s: switched on with the pad at %.2f C"
                                  % (life.n, zid, r["temp_c"]))
                    f["max_on_pad_c"] = max(f["max_on_pad_c"], r["temp_c"])
                elif cur is not None:
                    ons.append((cur, r))
                    cur = None
            if cur is not None:
                if life.how == "term":
                    self.fail("life %d %s: relay left on at exit" % (life.n, zid))
                ons.append((cur, {"mono_ms": last_mono, "wall": None,
                                  "temp_c": None}))
            f["relay on-periods"] += len(ons)
            for on, off in ons:
                a, b = on["mono_ms"], off["mono_ms"]
                f["relay on-hours"] += (b - a) / 3.6e6
                if not any(s[0] <= a and b <= s[1] + self.tol for s in sessions):
                    self.fail("life %d %s: relay on %d..%d outside a session"
                              % (life.n, zid, a, b))
                self.check_clock_rules(life, zid, on, b, steps)
            # Faults: the relay off within a tick, and not on until cleared.
            stuck_since = None
            for r in rec:
                if r["zone"] == zi and r["what"] == "fault":
                    if r["kind"] == "relay_stuck_on":
                        stuck_since = r["mono_ms"]
                    elif r["kind"] == "heal":
                        stuck_since = None
                elif r["zone"] == zi and r["what"] == "off" and stuck_since:
                    f["max_off_pad_c_stuck_relay"] = max(
                        f["max_off_pad_c_stuck_relay"], r["temp_c"])
                elif r["zone"] == zi and r["what"] == "off":
                    f["max_off_pad_c"] = max(f["max_off_pad_c"], r["temp_c"])
                    # The pad's own temperature, not its sensor's: a sensor
                    # stuck below the setpoint must not let it get there.
                    if r["temp_c"] >= CUTOFF_C:
                        self.fail("life %d %s: relay on until the pad was at "
                                  "%.2f C" % (life.n, zid, r["temp_c"]))
            self.check_faults(life, zi, zid, zevs, rec, ons)

    def check_clock_rules(self, life, zid, on, off_mono, steps):
        """Quiet hours and the cold window, on the daemon's own wall clock:
        from the on-line's (mono, wall), the wall clock runs with mono plus
        the steps the record notes."""
        a, w = on["mono_ms"], on["wall"]
        if in_quiet(w):
            self.fail("life %d %s: relay on at %s, in quiet hours" %
                      (life.n, zid, local(w)))
        # The first moment after `a` the clock says quiet hours.
        m, wall, entry = a, w, None
        for sm, s in [x for x in steps if a < x[0] <= off_mono] + [(off_mono, 0)]:
            q = to_quiet_s(wall)
            if m + q * 1000 <= sm:
                entry = m + q * 1000
                break
            wall += (sm - m) // 1000 + s
            m = sm
        if entry is not None and off_mono > entry + self.tol + 1000:
            self.fail("life %d %s: relay on %.0f s into quiet hours" %
                      (life.n, zid, (off_mono - entry) / 1000))
        # A record made while the relay is on ends the heat at once.
        for e in life.events:
            if e.get("event") == "record" and e.get("guidance") == "cold" and \
                    a < e["mono_ms"] < off_mono - self.tol:
                self.fail("life %d %s: relay still on %d ms after the injury "
                          "was recorded" % (life.n, zid, off_mono - e["mono_ms"]))
        t = self.true_t(life, w, a, steps)
        for t0, t1 in self.windows:
            # An on at the very moment the injury is told came first (the
            # tick ran before the request, at the same virtual instant);
            # the check above holds it to going off at once.
            if t0 < t < t1 - 2:
                self.fail("life %d %s: relay on at %s, %.0f s before the "
                          "cold window's 48 real hours ended"
                          % (life.n, zid, local(w), t1 - t))

    @staticmethod
    def heal_after(rec, zi, inj):
        """When an injected fault was healed, plus 10 min for what it left
        behind (a pad a stuck relay overheated still has to cool)."""
        heals = [r["mono_ms"] for r in rec if r["zone"] == zi and
                 r["what"] == "fault" and r["kind"] == "heal" and
                 r["mono_ms"] > inj["mono_ms"]]
        return heals[0] + 600000 if heals else float("inf")

    def check_faults(self, life, zi, zid, zevs, rec, ons):
        f = self.fig
        injected = [r for r in rec if r["zone"] == zi and r["what"] == "fault"
                    and r["kind"] != "heal"]
        f["faults injected"] += len(injected)
        faults = [e for e in zevs if e["event"] == "fault"]
        for inj in injected:
            hit = [e for e in faults if e["mono_ms"] >= inj["mono_ms"] - 1000]
            nxt_heal = [r["mono_ms"] for r in rec if r["zone"] == zi and
                        r["what"] == "fault" and r["kind"] == "heal" and
                        r["mono_ms"] > inj["mono_ms"]]
            limit = nxt_heal[0] if nxt_heal else float("inf")
            if hit and hit[0]["mono_ms"] <= limit:
                f["faults caught"] += 1
                k = inj["kind"]
                f["caught"][k] = f["caught"].get(k, 0) + 1
                d = hit[0]["mono_ms"] - inj["mono_ms"]
                f["detect_ms"][k] = max(f["detect_ms"].get(k, 0), d)
        for inj in injected:
            for on, off in ons:
                if on["mono_ms"] <= inj["mono_ms"] < off["mono_ms"] and \
                        off["wall"] is not None:
                    k = "injection to relay off (s)"
                    f[k] = max(f.get(k, 0), (off["mono_ms"] - inj["mono_ms"]) / 1000)
        for e in faults:
            m = e["mono_ms"]
            if not any(inj["mono_ms"] - 1000 <= m <= self.heal_after(rec, zi, inj)
                       for inj in injected):
                f["unplanned faults"] += 1
                f["unplanned_kinds"][e["reason"]] = \
                    f["unplanned_kinds"].get(e["reason"], 0) + 1
            for on, off in ons:
                if on["mono_ms"] <= m < off["mono_ms"]:
                    late = off["mono_ms"] - m
                    f["longest fault to relay off (virtual ms)"] = max(
                        f["longest fault to relay off (virtual ms)"], late)
                    if late > self.tol:
                        self.fail("life %d %s: relay on %d ms after fault %s" %
                                  (life.n, zid, late, e["reason"]))
            # Not on again before the fault is cleared.
            cleared = [c["mono_ms"] for c in zevs if c["event"] == "fault_cleared"
                       and c["mono_ms"] > m]
            until = cleared[0] if cleared else float("inf")
            for on, off in ons:
                if m + self.tol < on["mono_ms"] < until:
                    self.fail("life %d %s: relay on at %d with fault %s latched"
                              % (life.n, zid, on["mono_ms"], e["reason"]))


def self_test():
    """The checker catches what it is there to catch: a made-up life whose
    relay breaks each rule once must fail each rule."""
    d = tempfile.mkdtemp(prefix="heatpad-soak-selftest-")
    try:
        t = int(datetime(2026, 10, 24, 12, 0, tzinfo=TZ).timestamp())
        quiet = int(datetime(2026, 10, 24, 23, 30, tzinfo=TZ).timestamp())
        lines = [
            "1000 0 on %d 30.00" % t, "5000 0 off %d 31.00" % (t + 4),   # no session
            "20000 0 on %d 46.00" % (t + 19),                             # hot; in session
            "30000 0 fault sensor_disconnect %d 40.00" % (t + 29),
            "60000 0 off %d 41.00" % (t + 59),                            # 29 s after fault
            "90000 1 on %d 30.00" % quiet, "95000 1 off %d 30.00" % (quiet + 5),
            "100000 0 on %d 40.00" % (t + 99), "110000 0 off %d 46.50" % (t + 109),
        ]
        log = os.path.join(d, "relay-00.log")
        with open(log, "w") as fp:
            fp.write("\n".join(lines) + "\n")
        ev = lambda m, kind, zid, **kw: dict(mono_ms=m, event=kind, zone_id=zid, **kw)
        life = type("Life", (), {})()
        life.n, life.how, life.code, life.err, life.relay_log = 0, "term", 0, "", log
        life.t_start = 0
        life.events = [ev(15000, "session_start", "upper_back"),
                       ev(31000, "fault", "upper_back", reason="sensor_error"),
                       ev(31000, "session_end", "upper_back", reason="fault"),
                       ev(89000, "session_start", "lower_back"),
                       ev(99000, "fault_cleared", "upper_back"),
                       ev(99500, "session_start", "upper_back"),
                       ev(111000, "session_end", "upper_back", reason="time_up"),
                       ev(99000, "session_end", "lower_back", reason="stopped"),
                       # told at t+95, heat allowed from t+200: the on at
                       # t+99 is inside the cold window
                       dict(mono_ms=96000, event="record", reason="acute",
                            wall=t + 95)]
        soak = type("Soak", (), {})()
        soak.plan = type("Plan", (), {"t0": t, "step_offset": lambda _s, x: 0})()
        soak.lives, soak.injuries = [life], [(t + 95, t + 200, 0)]
        bad = Checker(soak, 1000).check()
        want = ["outside a session", "switched on with the pad at 46.00",
                "relay on until the pad was at 46.50",
                "after fault", "in quiet hours",
                "before the cold window's 48 real hours ended"]
        missed = [w for w in want if not any(w in b for b in bad)]
        assert not missed, "checker missed %r; said %r" % (missed, bad)
        print("soak checker self-test: %d violations found as planted" % len(bad))
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--long", action="store_true",
                    help="200 simulated days, through both DST changes")
    ap.add_argument("--asan", action="store_true",
                    help="the ASan/UBSan daemon, 4 days through the start "
                    "of summer time, leak check at each exit")
    ap.add_argument("--hours", type=int)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--keep", action="store_true", help="keep the run's files")
    args = ap.parse_args()
    self_test()
    daemon = harness.DAEMON
    hours = args.hours or (200 * 24 if args.long else 4 * 24 if args.asan
                           else 30 * 24)
    if args.asan:
        daemon = os.path.join(ROOT, "build", "asan", "heatpadd")
        os.environ["ASAN_OPTIONS"] = "detect_leaks=1"
    if not harness.has_control(daemon):
        print("soak: %s has no --sim-control" % daemon)
        harness.closing("soak", 0, 1)
        return 1
    # The short run: 30 days from mid-October, through the end of summer
    # time (03:00 on the last Sunday of October); the ASan run: through its
    # start (02:00 on the last Sunday of March); the long run: both.
    t0 = ("2026-09-20T12:00" if args.long else
          "2026-03-26T12:00" if args.asan else "2026-10-10T12:00")
    # One tick: virtual time waits for the daemon, so no allowance for
    # the machine's scheduling.
    tol = 1000
    label = "soak" + (" (ASan)" if args.asan else "")
    soak = Soak(hours, args.seed, daemon, t0)
    t_real = time.time()
    failed = 0
    ck = Checker(soak, tol)
    try:
        soak.run()
        bad = ck.check()
    except Exception as e:
        bad = ["the run stopped: %r" % e]
        traceback.print_exc()
    real_s = time.time() - t_real
    f = ck.fig
    longest = max(soak.lives, key=lambda l: l.t_end - l.t_start, default=None)
    rss = [kb for _, kb in (longest.rss if longest else []) if kb]
    growth = (rss[-1] - rss[1]) if len(rss) > 2 else None
    if not args.asan and growth is not None and growth > 512:
        bad.append("memory grew %d kB over the longest life" % growth)
    kills = sum(1 for l in soak.lives if l.how == "kill")
    runs = {}
    for life in soak.lives:
        for e in life.events:
            if e.get("event") == "schedule_run":
                runs[e.get("reason")] = runs.get(e.get("reason"), 0) + 1
    loops = [e for life in soak.lives for e in life.events
             if e.get("event") == "loop" and e.get("ticks")]
    if soak.plan.hours >= 12 and not runs.get("started"):
        bad.append("no scheduled session started in %d hours" % soak.plan.hours)
    rows = [
        ("simulated days", "%.1f" % (soak.plan.hours / 24.0),
         "%.0f real s, virtual time from the control socket" % real_s),
        ("daemon lives (restarts survived)", len(soak.lives),
         "%d SIGTERM, %d SIGKILL" % (len(soak.lives) - 1 - kills, kills)),
        ("sessions", f["sessions"], " ".join("%s %d" % kv for kv in sorted(f["ended"].items()))),
        ("scheduled runs", sum(runs.values()),
         " ".join("%s %d" % kv for kv in sorted(runs.items()))),
        ("relay on-periods", f["relay on-periods"], "%.1f relay-hours" % f["relay on-hours"]),
        ("user commands (HTTP, MQTT)", soak.count.get("user commands", 0),
         "%d not sent: broker down" % soak.count.get("mqtt commands not sent (broker down)", 0)),
        ("HTTP refusals", sum(soak.refusals.values()),
         " ".join("%s %d" % kv for kv in sorted(soak.refusals.items()))),
        ("broker restarts", soak.count.get("broker restarts", 0), ""),
        ("clock steps", sum(1 for e in soak.plan.hw if e[1] == "step"), "+3 h and -3 h"),
        ("faults injected", f["faults injected"], ""),
        ("faults caught", f["faults caught"],
         " ".join("%s %d" % kv for kv in sorted(f["caught"].items()))),
        ("longest injection to detection (s)", "", " ".join(
            "%s %.1f" % (k, v / 1000) for k, v in sorted(f["detect_ms"].items()))),
        ("longest injection to relay off (s)",
         "%.1f" % f.get("injection to relay off (s)", 0),
         "faults that came while the relay was on"),
        ("longest fault to relay off (virtual s)",
         "%.2f" % (f["longest fault to relay off (virtual ms)"] / 1000),
         "allowed %.1f (one tick)" % (tol / 1000)),
        ("tick lateness, real ms: worst p99 / max",
         "%.1f / %.1f" % (max([e["late_p99_ms"] for e in loops] or [0]),
                          max([e["late_max_ms"] for e in loops] or [0])),
         "over %d ticks" % sum(e["ticks"] for e in loops)),
        ("unplanned faults", f["unplanned faults"],
         " ".join("%s %d" % kv for kv in sorted(f["unplanned_kinds"].items()))),
        ("hottest pad at switch-on (C)", "%.2f" % f["max_on_pad_c"], "cutoff %g" % CUTOFF_C),
        ("hottest pad at switch-off (C)", "%.2f" % f["max_off_pad_c"],
         "%.2f with a stuck relay" % f["max_off_pad_c_stuck_relay"]),
        ("sessions cut by SIGKILL", f["sessions cut by SIGKILL"], "relay state lost with the process"),
        ("RSS over the longest life (kB)", "%s -> %s" % (rss[1] if len(rss) > 1 else "?",
                                                       rss[-1] if rss else "?"),
         "growth %s kB" % growth),
        ("invariant violations", len(bad), ""),
    ]
    if args.asan:
        write_figures("soak-asan", "Soak of the ASan/UBSan daemon (%d simulated "
                      "days; leak check at every SIGTERM exit)" % (soak.plan.hours // 24), rows)
    else:
        write_figures("soak", "Soak (%d simulated days)" % (soak.plan.hours // 24), rows)
    for b in bad:
        print("FAIL", b)
        failed = 1
    if failed or args.keep:
        print("files kept in", soak.dir)
    else:
        soak.cleanup()
    harness.closing(label, 1 - failed, failed, 0, real_s)
    return failed


if __name__ == "__main__":
    sys.exit(main())
