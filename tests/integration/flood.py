#!/usr/bin/env python3
"""MQTT flood: bursts of command messages on a real mosquitto
broker, against build/heatpadd in simulation.

Each burst is a realistic mix written as fast as the socket takes it:
starts, stops, setpoint and mode changes, schedule sets (valid and not),
malformed and oversized payloads, commands for a zone that does not exist;
it ends with a known final intent (zone A heats at 39 C for 15 minutes,
zone B stops, a known schedule) followed by refused commands that would
undo it if they were obeyed. The daemon must stay alive and keep
regulating (status lines keep coming, the page answers, no fault), its
memory must stay bounded (VmHWM sampled from /proc before, during and
after; a second burst must not raise it), and afterwards the retained
state topics, the JSON log, the simulated relay's own record and the state
file must agree with each other and with the final intent. Every command
the daemon took is accounted for: a result on the result topic, or a drop
the daemon counted in its log.

    python3 tests/integration/flood.py          # make check: short bursts
    python3 tests/integration/flood.py --long   # make reliability
    HEATPAD_DAEMON=build/asan/heatpadd python3 tests/integration/flood.py \
        --sanitizer   # make check: one mixed burst under ASan and UBSan

Figures go to build/reliability/flood.json (write_figures). Ends with
"flood: N passed, N failed, N skipped".
"""
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import http.client
import harness
from harness import (DAEMON, WEB, run_tests, wait_until, read_relay_record,
                     write_figures, proc_figures)
from mqtt_peer import Broker, Client

TZ = {"TZ": "Europe/Berlin"}
LONG = "--long" in sys.argv
# Under ASan the peak memory says nothing (its quarantine keeps freed
# blocks): one burst, its reports are what fails.
SANITIZER = "--sanitizer" in sys.argv
SPEED = 4               # virtual seconds per real second: keep it low
DEVICE = "flood"
ZONES = ("upper_back", "lower_back")    # A and B
# How much the daemon's peak memory may grow: over the first burst (which
# with the old unbounded queue grew it by ~3.6 MB per 10,000 commands),
# and over each later one (a steady state must not creep).
HWM_FIRST_KB = 1024
HWM_AGAIN_KB = 256


class Daemon(harness.Daemon):
    """build/heatpadd with two simulated zones, MQTT and the page; its JSON
    log collected with the arrival time of each line. Paced in real time:
    the flood is real concurrency."""

    def __init__(self, broker_port, tmp):
        zone = lambda name, seed: {
            "name": name, "sensor": {"type": "sim", "seed": seed},
            "relay": {"type": "sim"},
            "session": {"default_minutes": 20, "default_setpoint_c": 38},
            "limits": {"max_setpoint_c": 42}}
        state = os.path.join(tmp, "state.json")
        cfg = {"device_id": DEVICE, "state_file": state,
               "zones": [zone("upper back", 1), zone("lower back", 2)],
               "mqtt": {"host": "127.0.0.1", "port": broker_port,
                        "keepalive_s": 10},
               "http": {"listen": "127.0.0.1", "port": 0, "web_root": WEB}}
        # A status line per zone at every control tick: their virtual
        # times show how late a tick came. Arrival times on time.time():
        # the bursts are timed on it too.
        super().__init__(cfg, state=False, start="2026-11-24T19:00",
                         speed=SPEED, dir=tmp, status_every=0.001,
                         clock=time.time)
        self.state = state

    def evs(self, event=None, since=0.0):
        return self.log.events(event, since)

    def timed(self, event, since=0.0):
        return self.log.timed(event, since)

    def proc_status(self):
        _, rss, hwm = proc_figures(self.proc.pid)
        return {"VmRSS": rss, "VmHWM": hwm}

    def cpu_s(self):
        return proc_figures(self.proc.pid)[0]

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path, headers={"Host": "127.0.0.1:%d" % self.port})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return r.status, json.loads(body)


# --- the burst --------------------------------------------------------------

OVERSIZED = '{"action":"stop","pad":"' + "x" * 17000 + '"}'
MALFORMED = [("{not json", "bad_json"), ("", "bad_json"),
             ("[1,2,3]", "bad_request"), ('{"action":5}', "bad_request"),
             ('{"action":"explode"}', "unknown_action"),
             ('{"action":"start","minutes":"ten"}', "bad_request"),
             ('{"action":"stop"}\x00junk', "bad_json"),
             ('{"action":"start","extra":1}', "bad_request")]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def schedule(rng):
    """A valid schedule whose entries never come due during the test (the
    virtual clock runs from 19:00 for minutes)."""
    return [{"zone": rng.choice(ZONES),
             "days": sorted(rng.sample(DAYS, rng.randint(1, 7)), key=DAYS.index),
             "start": "%02d:%02d" % (rng.randint(8, 11), rng.randint(0, 59)),
             "minutes": rng.randint(5, 60), "setpoint_c": rng.randint(30, 42),
             "enabled": rng.random() < 0.8} for _ in range(rng.randint(1, 4))]


def random_command(rng):
    """(kind, topic under the root, payload): kind says what the daemon
    must answer (a code, or "ok" for what may be accepted)."""
    z = rng.choice(ZONES)
    r = rng.random()
    if r < 0.25:
        return ("ok", z + "/set", json.dumps(
            {"action": "start", "minutes": rng.randint(1, 90),
             "setpoint_c": rng.randint(30, 42)}))
    if r < 0.38:
        return ("ok", z + "/set", '{"action":"stop"}')
    if r < 0.46:
        return ("ok", z + "/temperature/set", "%.1f" % rng.uniform(30, 42))
    if r < 0.52:
        return ("ok", z + "/mode/set", rng.choice(["heat", "off"]))
    if r < 0.55:
        return ("ok", "schedule/set", json.dumps(schedule(rng)))
    if r < 0.57:
        return ("invalid_schedule", "schedule/set",
                rng.choice(["{", '[{"zone":"neck"}]', '[{"zone":"%s","start":"25:00"}]' % z]))
    if r < 0.72:
        payload, code = rng.choice(MALFORMED)
        return (code, z + "/set", payload)
    if r < 0.75:
        return ("too_large", z + "/set", OVERSIZED)
    if r < 0.87:
        return ("unknown_zone", "neck/set", '{"action":"stop"}')
    return ("out_of_range", z + "/set", rng.choice(
        ['{"action":"start","setpoint_c":60}', '{"action":"start","minutes":500}']))


def final_intent(tag, rng):
    """The last commands of a burst: what must hold afterwards, then
    refusals that would undo it if obeyed."""
    sched = schedule(rng)
    intent = [
        ("ok", "schedule/set", json.dumps(sched)),
        ("ok", "upper_back/set", json.dumps(
            {"action": "start", "minutes": 15, "setpoint_c": 39, "id": tag + "-a"})),
        ("ok", "lower_back/set", json.dumps({"action": "stop", "id": tag + "-b"})),
    ]
    undo = [
        ("too_large", "upper_back/set", OVERSIZED),        # a stop, oversized
        ("bad_json", "upper_back/set", '{"action":"stop"}\x00junk'),
        ("unknown_action", "upper_back/mode/set", "cool"),
        ("out_of_range", "upper_back/temperature/set", "55"),
        ("out_of_range", "lower_back/set", '{"action":"start","setpoint_c":60}'),
        ("bad_request", "lower_back/set", '{"action":"start","minutes":2.5}'),
        ("invalid_schedule", "schedule/set", '[{"zone":"neck"}]'),
        ("too_large", "schedule/set", "[" + " " * 17000 + "]"),
        ("unknown_zone", "neck/set", '{"action":"start"}'),
    ]
    return intent + undo, sched


def packets(root, cmds, qos_of, pid0=1):
    """The MQTT PUBLISH packets of cmds as one buffer; qos_of(i) picks each
    message's QoS. Returns (bytes, packet ids used)."""
    buf, pids, pid = bytearray(), [], pid0
    for i, (_, topic, payload) in enumerate(cmds):
        qos = qos_of(i)
        t = (root + "/" + topic).encode()
        body = struct.pack(">H", len(t)) + t
        if qos:
            body += struct.pack(">H", pid)
            pids.append(pid)
            pid = pid % 65535 + 1
        body += payload.encode()
        n, enc = len(body), bytearray()
        while True:
            d, n = n % 128, n // 128
            enc.append(d | (0x80 if n else 0))
            if not n:
                break
        buf += bytes([0x30 | (qos << 1)]) + enc + body
    return bytes(buf), pids


class Sampler(threading.Thread):
    """Samples the daemon's VmRSS/VmHWM and polls /api/status while a burst
    is under way."""

    def __init__(self, d):
        super().__init__(daemon=True)
        self.d, self.stop_flag = d, threading.Event()
        self.rss_max = 0
        self.http_ok = self.http_fail = 0
        self.http_worst_s = 0.0

    def run(self):
        while not self.stop_flag.is_set():
            try:
                self.rss_max = max(self.rss_max, self.d.proc_status()["VmRSS"])
            except (OSError, KeyError):
                pass
            t0 = time.time()
            try:
                st, body = self.d.get("/api/status")
                assert st == 200 and len(body["zones"]) == 2
                self.http_ok += 1
            except Exception:
                self.http_fail += 1
            self.http_worst_s = max(self.http_worst_s, time.time() - t0)
            self.stop_flag.wait(0.05)


SUMMARY = re.compile(r"flood: (\d+) refusals not logged one by one and (\d+) "
                     r"results dropped")


def log_counts(d, since):
    """Refusals and dropped results as the daemon's log tells them: each
    refusal logged one by one, plus what summary lines say was not."""
    refused = dropped = 0
    for e in d.evs("log", since):
        msg = e.get("msg", "")
        if msg.startswith("mqtt: ") and " refused (" in msg:
            refused += 1
        m = SUMMARY.search(msg)
        if m:
            refused += int(m.group(1))
            dropped += int(m.group(2))
    return refused, dropped


def results(c, root, since):
    """Every result (zone and schedule) since mark: [(topic, payload)]."""
    with c.cv:
        got = c.msgs[since:]
    out = []
    for _, tp, p, _ in got:
        if tp.endswith("/result") and tp.startswith(root + "/"):
            out.append((tp[len(root) + 1:-len("/result")], json.loads(p)))
    return out


def broker_drops(b, client):
    """How often the broker said it began dropping messages for client:
    mosquitto keeps at most max_queued_messages (1000) waiting for each
    subscriber and drops the rest, logging this once each time it starts."""
    with open(os.path.join(b.dir, "broker.log")) as f:
        return f.read().count("Outgoing messages are being dropped for "
                              "client %s." % client)


def burst(d, b, mon, root, n, seed, qos_mode, label):
    """One burst of n commands plus the final intent; checks everything the
    module docstring promises and returns its figures."""
    rng = random.Random(seed)
    tag = "%s-%d" % (label, seed)
    cmds = [random_command(rng) for _ in range(n)]
    tail, sched = final_intent(tag, rng)
    cmds += tail
    if qos_mode == 0:
        qos_of = lambda i: 0
    else:       # a mixture; the final intent at QoS 1
        qos_of = lambda i: 1 if i >= n or (i * 7919) % 3 == 0 else 0
    data, pids = packets(root, cmds, qos_of)
    pub = Client(b.port, client_id="flood-pub-" + tag)

    hwm0 = d.proc_status()
    cpu0 = d.cpu_s()
    daemon_drops0 = broker_drops(b, "heatpad-" + DEVICE)
    monitor_drops0 = broker_drops(b, "flood-monitor")
    mark = mon.mark()
    sampler = Sampler(d)
    sampler.start()
    t0 = time.time()
    pub.sock.sendall(data)
    t_sent = time.time()

    # The final intent answered: both ids on their result topics.
    def answered(ids):
        got = {r.get("id") for _, r in results(mon, root, mark)}
        return all(i in got for i in ids)
    ids = [tag + "-a", tag + "-b"]
    resent = False
    try:
        wait_until(lambda: answered(ids), "the final intent's results", 30)
    except AssertionError:
        # The broker dropped them on the way to the daemon: send the
        # intent (and its refusals) once more. Or on the way to this
        # monitor (a slow python reader on a loaded machine): the retained
        # state below still shows whether they were obeyed.
        if broker_drops(b, "heatpad-" + DEVICE) > daemon_drops0:
            resent = True
            again, _ = packets(root, tail, lambda i: 1, pid0=30000)
            pub.sock.sendall(again)
            wait_until(lambda: answered(ids), "the final intent's results "
                       "(resent)", 30)
        elif broker_drops(b, "flood-monitor") == monitor_drops0:
            raise
    t_final = time.time()
    if pids and not resent:
        with pub.cv:
            acked = pub.cv.wait_for(lambda: set(pids) <= pub.acks, 30)
        assert acked, "the broker did not acknowledge every QoS 1 message"

    # Quiet: no new result for a second.
    def quiet():
        n0 = len(results(mon, root, mark))
        time.sleep(1.0)
        return len(results(mon, root, mark)) == n0
    wait_until(quiet, "the results to stop coming", 60, step=0)
    t_quiet = time.time()
    sampler.stop_flag.set()
    sampler.join()
    cpu = d.cpu_s() - cpu0

    # The retained state is the final intent.
    fresh = Client(b.port, client_id="flood-check-" + tag)
    fresh.subscribe(root + "/+/state", root + "/schedule")
    a = fresh.wait(root + "/upper_back/state", None, 0, 10)
    bst = fresh.wait(root + "/lower_back/state", None, 0, 10)
    sch = fresh.wait(root + "/schedule", None, 0, 10)
    assert a[2] and bst[2] and sch[2], "state and schedule must be retained"
    a, bst, sch = a[1], bst[1], sch[1]
    assert a["session"] and a["setpoint_c"] == 39 and a["mode"] == "heat", a
    assert 0 < a["remaining_s"] <= 900 and a["fault"] is None, a
    assert not bst["session"] and not bst["relay"] and bst["mode"] == "off", bst
    assert bst["fault"] is None, bst
    assert sch == sched, (sch, sched)
    t_settled = time.time()

    # The relay's own record: A heats (its pad is far below 39 C), B is off.
    def last_switch(zone):
        s = [on for _, z, on in read_relay_record(d.relay_log) if z == zone]
        return s[-1] if s else False
    wait_until(lambda: last_switch(0), "zone A's relay on in the relay record", 20)
    assert not last_switch(1), "zone B's relay must be off"

    # The JSON log agrees: A's last session event starts it at 39, B's ends
    # it, and the last relay event of each zone matches the record.
    sess = lambda zid: [e for e in d.evs() if e.get("zone_id") == zid and
                        e["event"] in ("session_start", "session_end")]
    la, lb = sess("upper_back")[-1], sess("lower_back")[-1]
    assert la["event"] == "session_start" and la["setpoint_c"] == 39, la
    assert lb["event"] == "session_end" and not lb["session"], lb
    for zi, zid in enumerate(ZONES):
        rel = [e for e in d.evs("relay") if e.get("zone_id") == zid]
        if rel:
            assert rel[-1]["relay"] == last_switch(zi), (zid, rel[-1])
    assert not d.evs("fault"), d.evs("fault")[:3]

    # The state file: valid JSON, the final schedule, no fault.
    with open(d.state) as f:
        st = json.load(f)
    assert st["schedule"] == sched, (st["schedule"], sched)
    assert not st.get("faults"), st.get("faults")

    # Every command the daemon took got a result, or a drop it counted.
    time.sleep(max(0.0, 11.0 - (time.time() - t_quiet)))   # summaries out
    log_refused, log_dropped = log_counts(d, t0)
    res = results(mon, root, mark)
    sent = len(cmds) + (len(tail) if resent else 0)
    refused_res = [r for _, r in res if not r["ok"]]
    broker_dropped = sent - len(res) - log_dropped
    monitor_lost = broker_drops(b, "flood-monitor") > monitor_drops0
    if not monitor_lost:
        assert broker_dropped >= 0, (sent, len(res), log_dropped)
        assert log_refused >= len(refused_res), (log_refused, len(refused_res))
        assert log_refused - len(refused_res) <= log_dropped, \
            (log_refused, len(refused_res), log_dropped)
    # Refusals carry a reason; each kind of bad command got its own codes.
    for topic, r in res:
        assert r["ok"] or (r["code"] and r["message"]), r
        if topic == "neck":
            assert r["code"] == "unknown_zone", r
    if broker_dropped == 0 and log_dropped == 0 and not monitor_lost:
        # All delivered and answered: per result topic, the codes are what
        # was sent (as many "ok" as valid commands, each refusal's code as
        # many times as its bad command). Across QoS 0 and 1 the broker
        # may reorder, so they are compared as counts.
        want, got = {}, {}
        for kind, topic, _ in cmds:
            key = (topic.split("/")[0], kind)
            want[key] = want.get(key, 0) + 1
        for topic, r in res:
            key = (topic, "ok" if r["ok"] else r["code"])
            got[key] = got.get(key, 0) + 1
        assert got == want, sorted(set(got.items()) ^ set(want.items()))
    assert d.alive()

    # Kept regulating: status lines every tick, the page answered.
    stat = d.timed("status", t0 - 2)
    during = [t for t, _ in stat if t0 <= t <= t_quiet]
    assert during, "no status line during the burst"
    mono = {}
    worst_tick = 0
    for _, e in stat:
        z = e["zone_id"]
        if z in mono:
            worst_tick = max(worst_tick, e["mono_ms"] - mono[z])
        mono[z] = e["mono_ms"]
    assert sampler.http_ok > 0 and sampler.http_fail == 0, \
        (sampler.http_ok, sampler.http_fail)
    hwm1 = d.proc_status()
    pub.close()
    fresh.close()
    codes = {}
    for r in refused_res:
        codes[r["code"]] = codes.get(r["code"], 0) + 1
    return {
        "label": label, "sent": sent, "qos1": len(pids),
        "bytes": len(data), "send_s": t_sent - t0,
        "final_s": t_final - t0, "settled_s": t_settled - t0,
        "results": len(res), "ok": len(res) - len(refused_res),
        "refused": len(refused_res), "codes": codes,
        "log_refused": log_refused, "log_dropped": log_dropped,
        "broker_dropped": broker_dropped, "resent": resent,
        "monitor_lost": monitor_lost,
        "cpu_s": cpu, "rss0": hwm0["VmRSS"], "hwm0": hwm0["VmHWM"],
        "rss_max": sampler.rss_max, "rss1": hwm1["VmRSS"],
        "hwm1": hwm1["VmHWM"], "worst_tick_real_s": worst_tick / 1000.0 / SPEED,
        "http_ok": sampler.http_ok, "http_worst_s": sampler.http_worst_s,
    }


TESTS = []
FIGURES = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def bursts_are_processed_or_dropped_memory_bounded_state_consistent():
    n = 10000 if LONG else 1000 if SANITIZER else 2000
    tmp = tempfile.mkdtemp(prefix="heatpad-flood-")
    b = Broker(parent=tmp)
    d = Daemon(b.port, tmp)
    root = "heatpad/" + DEVICE
    mon = Client(b.port, client_id="flood-monitor")
    ok = False
    try:
        mon.subscribe(root + "/+/result", root + "/+/state",
                      root + "/availability")
        mon.wait(root + "/availability", lambda v: v == "online", 0, 15)
        time.sleep(1)
        plan = [("qos0 #1", 0), ("qos0 #2", 0), ("qos0+1", 1)]
        if LONG:
            plan.append(("qos0 #3", 0))
        if SANITIZER:
            plan = [("qos0+1", 1)]
        runs = []
        for i, (label, qos) in enumerate(plan):
            r = burst(d, b, mon, root, n, 1000 + i, qos, label)
            runs.append(r)
            print("  %s: %d sent, %d results (%d refused), %d dropped by the "
                  "daemon, %d by the broker; final intent after %.2f s; "
                  "VmHWM %d -> %d kB" % (label, r["sent"], r["results"],
                                         r["refused"], r["log_dropped"],
                                         r["broker_dropped"], r["final_s"],
                                         r["hwm0"], r["hwm1"]))
            sys.stdout.flush()
        # Memory: bounded over the first burst, flat over the later ones.
        first = runs[0]
        assert SANITIZER or first["hwm1"] - first["hwm0"] <= HWM_FIRST_KB, first
        for r in runs[1:]:
            assert r["hwm1"] - r["hwm0"] <= HWM_AGAIN_KB, r
        if not SANITIZER:
            FIGURES.extend(runs)
        ok = True
    finally:
        mon.close()
        rc = d.stop(expect=None)
        b.stop()
        err = d.err
        assert rc == 0, (rc, err[-2000:])
        assert "Sanitizer" not in err and "runtime error" not in err, err[-2000:]
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)


def figures(runs):
    rows = []
    for r in runs:
        p = r["label"] + ": "
        rows += [
            (p + "messages sent", r["sent"], "%d at QoS 1, %d bytes%s" % (
                r["qos1"], r["bytes"], ", final intent resent" if r["resent"] else "")),
            (p + "burst written in", "%.3f s" % r["send_s"], "one sendall"),
            (p + "results on the result topics", r["results"],
             "%d ok, %d refused" % (r["ok"], r["refused"])),
            (p + "refusals by code", "", ", ".join(
                "%s %d" % kv for kv in sorted(r["codes"].items()))),
            (p + "refusals in the daemon's log", r["log_refused"],
             "one by one or counted in a summary"),
            (p + "results dropped by the daemon", r["log_dropped"],
             "the broker not reading"),
            (p + "commands dropped by the broker", r["broker_dropped"],
             "max_queued_messages" + (" (and some results on the way to "
                                      "the test's monitor)" if r["monitor_lost"] else "")),
            (p + "final intent answered after", "%.2f s" % r["final_s"], ""),
            (p + "final state checked after", "%.2f s" % r["settled_s"],
             "retained state, log, relay record, state file"),
            (p + "daemon CPU during the burst", "%.2f s" % r["cpu_s"], ""),
            (p + "VmRSS before/peak/after", "%d/%d/%d kB" % (
                r["rss0"], r["rss_max"], r["rss1"]), ""),
            (p + "VmHWM before/after", "%d/%d kB" % (r["hwm0"], r["hwm1"]),
             "+%d kB" % (r["hwm1"] - r["hwm0"])),
            (p + "longest control tick interval", "%.2f s" % r["worst_tick_real_s"],
             "real; due every %.2f s" % (1.0 / SPEED)),
            (p + "/api/status answered during it", r["http_ok"],
             "slowest %.3f s" % r["http_worst_s"]),
        ]
    return rows


def main():
    if not shutil.which("mosquitto"):
        print("flood: mosquitto is not installed (scripts/deps test)")
        harness.closing("flood", 0, 1)
        return 1
    failed = run_tests(TESTS, "flood (long)" if LONG else
                       "flood under sanitizers" if SANITIZER else "flood")
    if FIGURES:
        write_figures("flood", "MQTT flood (%s)" % ("long" if LONG else "short"),
                      figures(FIGURES))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
