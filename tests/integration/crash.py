#!/usr/bin/env python3
"""Crash and power-loss tests: build/heatpadd in simulation mode.

1. SIGKILL at random moments while the daemon writes its state file, many
   rounds: the file is always the old or the new version, never torn, and
   the next start loads it (a leftover "<path>.tmp" is ignored).
2. Truncated, garbage, wrongly typed and empty state files: reported, a
   copy kept, the daemon starts with relays off and no session; where the
   record could not be read a start is refused until a person confirms,
   and then it works.
3. A read-only state directory and a full disk (tmpfs mounts): the failed
   write is logged once, regulation goes on (relay on, auto-off on time),
   and "state file written again" once the write works again.

Ends with "crash: N passed, N failed, N skipped".
"""
import glob
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import harness
from harness import (DAEMON, ROOT, Skip, run_tests, wait_until,
                     write_figures, http_request)

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "200"))


def config():
    zone = {"name": "upper back", "sensor": {"type": "sim", "seed": 1},
            "relay": {"type": "sim"}}
    return {"device_id": "crash",
            "quiet_hours": {"enabled": True, "start": "23:00", "end": "07:00"},
            "http": {"listen": "127.0.0.1", "port": 0,
                     "web_root": os.path.join(ROOT, "web")},
            "zones": [zone]}


class Daemon(harness.Daemon):
    """One daemon on the given state file, its page on a port the system
    picked, stderr in its log (a sanitizer's report is a log line too)."""

    def __init__(self, state, speed=1, args=(), control=False):
        super().__init__(config(), args, state=state, speed=speed,
                         control=control, prefix="heatpad-crash-", merge=True)

    def req(self, method, path, body=None):
        st, _, payload = http_request(self.port, method, path, body)
        return st, payload


# ---- versions the kill loop writes, each one recognisable in the file ----

def sched_entry(seq):
    """Schedule entry number seq: start time and minutes encode it."""
    return {"zone": "upper_back", "days": "daily",
            "start": "%02d:%02d" % ((seq // 60) % 24, seq % 60),
            "minutes": 1 + (seq // 1440) % 100, "setpoint_c": 38,
            "enabled": False}


def sched_seq(sched):
    if not sched:
        return None
    assert isinstance(sched, list) and len(sched) == 1, sched
    e = sched[0]
    h, m = (int(x) for x in e["start"].split(":"))
    return (e["minutes"] - 1) * 1440 + h * 60 + m


class Writer:
    """Changes the record or the schedule, one request after another, each
    of which makes the daemon write its state file. versions[k] is what the
    file holds after request k: (injury, schedule seq)."""

    def __init__(self, d, base_seq, base_injury, base_sched):
        self.d = d
        self.seq = base_seq
        self.injury = base_injury
        self.sched = base_sched
        self.versions = [(base_injury, base_sched)]
        self.acked = 0          # requests answered
        self.sent = 0           # requests started
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        k = 0
        while not self.stop:
            k += 1
            if k % 2:
                self.seq += 1
                self.sched = self.seq
                req = ("PUT", "/api/schedule", [sched_entry(self.seq)])
            else:
                self.injury = not self.injury
                req = (("POST", "/api/injury", {"injury": True}) if self.injury
                       else ("DELETE", "/api/injury", None))
            self.versions.append((self.injury, self.sched))
            self.sent = k
            try:
                st, body = self.d.req(*req)
            except (OSError, http.client.HTTPException):
                return          # killed
            assert st == 200, (req, st, body)
            self.acked = k


def tmp_id(state):
    """Identity of a leftover "<state>.tmp", or None."""
    try:
        st = os.stat(state + ".tmp")
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def file_version(path):
    """(injury, schedule seq) of the state file; raises if it is torn."""
    with open(path, "rb") as f:
        raw = f.read()
    st = json.loads(raw.decode("utf-8"))
    assert st["version"] >= 1, st
    assert raw.endswith(b"}\n"), raw[-20:]
    return bool(st["record"]["injury"]), sched_seq(st["schedule"])


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def sigkill_during_writes_never_tears_the_state_file():
    # On the build tree's disk, not a tmpfs: fsync() and rename() for real.
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    sdir = tempfile.mkdtemp(prefix="crash-state-", dir=os.path.join(ROOT, "build"))
    state = os.path.join(sdir, "state.json")
    rng = random.Random(int(os.environ.get("CRASH_SEED", time.time())))
    injury, sched, seq = False, None, 0
    old = new = stale_rounds = tmp_left = writes = 0
    try:
        for rnd in range(ROUNDS):
            stale = tmp_id(state)
            d = Daemon(state)
            try:
                # It loaded what the last round left, and no complaint.
                bad = [m for m in d.logs() if "corrupt" in m or "cannot read" in m]
                assert not bad, (rnd, bad)
                st, g = d.req("GET", "/api/injury")
                assert st == 200 and g["record"]["injury"] == injury, (rnd, g, injury)
                st, s = d.req("GET", "/api/schedule")
                assert sched_seq(s) == sched, (rnd, s, sched)
                w = Writer(d, seq, injury, sched)
                w.thread.start()
                time.sleep(rng.uniform(0.0, 0.12))
                acked_before = w.acked
                d.kill()
                w.stop = True
                w.thread.join(10)
            finally:
                d.stop()
            if stale:
                # Ignored on load, and the first write went over it.
                stale_rounds += 1
                assert w.acked == 0 or tmp_id(state) != stale, rnd
            try:
                got = file_version(state) if os.path.exists(state) else (False, None)
            except (ValueError, KeyError, AssertionError) as e:
                with open(state, "rb") as f:
                    raise AssertionError("round %d: torn state file (%s): %r" %
                                         (rnd, e, f.read()[:80]))
            k = w.versions.index(got) if got in w.versions else -1
            assert k >= 0, (rnd, got, w.versions[-3:])
            # Old (the last answered request) or new (the one in flight).
            assert acked_before <= k <= w.sent, (rnd, k, acked_before, w.sent)
            if k > w.acked:
                new += 1
            else:
                old += 1
            if tmp_id(state) and tmp_id(state) != stale:
                tmp_left += 1           # killed between open() and rename()
            writes += w.acked
            injury, sched = got
            seq = max(seq, w.seq)
        # A last start on whatever is there: still no complaint.
        d = Daemon(state)
        try:
            assert not [m for m in d.logs() if "corrupt" in m], d.logs()
        finally:
            d.stop()
    finally:
        shutil.rmtree(sdir, ignore_errors=True)
    print("  %d rounds, %d acknowledged writes; killed inside a write (temp "
          "file left behind) %d times; started on a stale temp file %d times; "
          "file found old %d, new %d, torn 0" %
          (ROUNDS, writes, tmp_left, stale_rounds, old, new))
    write_figures("crash", "Crash and power loss (SIGKILL during writes)", [
        ("SIGKILL rounds", ROUNDS, "CRASH_ROUNDS"),
        ("acknowledged state writes", writes, ""),
        ("killed inside a write", tmp_left, "temp file left behind"),
        ("file found old / new", "%d / %d" % (old, new), ""),
        ("torn or unreadable state files", 0, "any would have failed the run"),
    ])


def good_state_bytes():
    sdir = tempfile.mkdtemp(prefix="heatpad-crash-good-")
    state = os.path.join(sdir, "state.json")
    d = Daemon(state)
    try:
        assert d.req("PUT", "/api/schedule", [sched_entry(7)])[0] == 200
        assert d.req("POST", "/api/injury", {"injury": True,
                                             "minutes_ago": 72 * 60})[0] == 200
    finally:
        d.stop()
    with open(state, "rb") as f:
        data = f.read()
    shutil.rmtree(sdir, ignore_errors=True)
    return data


@test
def corrupt_state_files_are_set_aside_and_start_safe():
    good = good_state_bytes()
    json.loads(good)
    cases = [("empty", b""), ("one byte", good[:1]), ("10 bytes", good[:10]),
             ("half", good[:len(good) // 2]), ("all but the brace", good[:-3]),
             ("garbage", bytes(random.Random(1).getrandbits(8) for _ in range(300))),
             ("NUL bytes", b"\0" * 64),
             ("wrong type", b'{"version": 1, "record": {"acute": "yes"}}'),
             ("version a string", b'{"version": "1"}'),
             ("a list", b"[]"),
             ("schedule wrong", b'{"version": 1, "record": {}, "schedule": {"a": 1}}')]
    # Only a bad schedule leaves the record readable: every other case may
    # have lost an injury or a latched fault, and heat waits for a person.
    readable = {"schedule wrong"}
    for name, data in cases:
        sdir = tempfile.mkdtemp(prefix="heatpad-crash-bad-")
        state = os.path.join(sdir, "state.json")
        with open(state, "wb") as f:
            f.write(data)
        d = Daemon(state, speed=30, control=True)
        try:
            logs = d.logs()
            said = [m for m in logs if "a copy of the file is kept at" in m]
            assert len(said) == 1, (name, logs)
            aside = glob.glob(state + ".corrupt-*")
            assert len(aside) == 1 and aside[0] in said[0], (name, aside, said)
            with open(aside[0], "rb") as f:
                assert f.read() == data, name       # kept for a person to read
            st, s = d.req("GET", "/api/status")
            z = s["zones"][0]
            assert not z["session"] and not z["relay"] and z["fault"] is None, (name, z)
            assert not any(on for _, _, on in d.relay_record()), name
            assert d.req("GET", "/api/schedule")[1] == [], name
            g = d.req("GET", "/api/injury")[1]
            assert not g["record"]["injury"], name
            assert g["confirm_needed"] == (name not in readable), (name, g)
            st, r = d.req("POST", "/api/zones/upper_back/start", {"minutes": 5})
            if name not in readable:
                assert st == 409 and r["code"] == "record_unreadable", (name, r)
                st, r = d.req("POST", "/api/confirm-safe",
                              {"no_injury_48h": True, "pad_ok": True})
                assert st == 200, (name, r)
                st, r = d.req("POST", "/api/zones/upper_back/start",
                              {"minutes": 5})
            assert st == 200, (name, r)
            d.until(lambda: any(on for _, _, on in d.relay_record()),
                    "relay on after start (%s)" % name, 60)
        finally:
            d.stop()
            shutil.rmtree(sdir, ignore_errors=True)
    print("  %d corrupt files: each reported, a copy kept intact, started safe"
          % len(cases))


def mount_tmpfs(where, opts):
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", where],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stderr.strip()


def umount(where):
    subprocess.run(["umount", where], capture_output=True)


def regulate_through_write_failure(mnt, break_it, mend_it, what):
    """The daemon's state file on mnt; break_it() makes writes fail."""
    state = os.path.join(mnt, "state.json")
    d = Daemon(state, speed=60, control=True)
    try:
        assert d.req("PUT", "/api/schedule", [sched_entry(1)])[0] == 200
        wait_until(lambda: os.path.exists(state), "first write")
        break_it()
        # Changes are still taken; the write fails and is said once.
        for i in range(5):
            st, _ = d.req("PUT", "/api/schedule", [sched_entry(2 + i)])
            assert st == 200, st
        st, r = d.req("POST", "/api/zones/upper_back/start", {"minutes": 2})
        assert st == 200, r
        d.until(lambda: any(e.get("event") == "session_end" for e in d.events),
                "the session ended by itself", 130)
        fails = [m for m in d.logs() if m.startswith("cannot write state file")]
        assert len(fails) == 1, (what, fails)
        assert "(will retry)" in fails[0], fails
        end = [e for e in d.events if e.get("event") == "session_end"][0]
        start = [e for e in d.events if e.get("event") == "session_start"][0]
        assert end["reason"] == "time_up", end
        took = (end["mono_ms"] - start["mono_ms"]) / 1000
        assert 120 <= took <= 123, took
        rec = [(ms, on) for ms, z, on in d.relay_record() if z == 0]
        assert any(on for _, on in rec) and not rec[-1][1], rec
        # The file still holds the last version written before the failure.
        assert file_version(state)[1] == 1
        mend_it()
        d.until(lambda: "state file written again" in d.logs(),
                "state file written again", 600)
        assert file_version(state)[1] == 6, what
        assert len([m for m in d.logs() if m.startswith("cannot write")]) == 1
        print("  %s: %r logged once, session ran %.0f s and ended on time, "
              "relay on/off %d times, written again after" %
              (what, fails[0].split(": ", 1)[1], took, len(rec)))
    finally:
        d.stop()


@test
def read_only_state_directory_does_not_stop_regulation():
    mnt = tempfile.mkdtemp(prefix="heatpad-crash-ro-")
    ok, err = mount_tmpfs(mnt, "size=1m")
    if not ok:
        os.rmdir(mnt)
        raise Skip("cannot mount a tmpfs here (%s)" % err)

    def remount(opt):
        r = subprocess.run(["mount", "-o", "remount," + opt, mnt],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    try:
        regulate_through_write_failure(mnt, lambda: remount("ro"),
                                       lambda: remount("rw"),
                                       "read-only state directory")
    finally:
        umount(mnt)
        os.rmdir(mnt)


@test
def full_disk_does_not_stop_regulation():
    mnt = tempfile.mkdtemp(prefix="heatpad-crash-full-")
    ok, err = mount_tmpfs(mnt, "size=64k")
    if not ok:
        os.rmdir(mnt)
        raise Skip("cannot mount a tmpfs here (%s)" % err)
    filler = os.path.join(mnt, "filler")

    def fill():
        subprocess.run(["dd", "if=/dev/zero", "of=" + filler, "bs=4k"],
                       capture_output=True)
        assert shutil.disk_usage(mnt).free == 0
    try:
        regulate_through_write_failure(mnt, fill, lambda: os.unlink(filler),
                                       "full disk")
    finally:
        umount(mnt)
        os.rmdir(mnt)


def main():
    if not os.access(DAEMON, os.X_OK):
        sys.exit("crash: %s not built" % DAEMON)
    failed = run_tests(TESTS, "crash")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
