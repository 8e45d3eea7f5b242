/* state.h: the state file, what must survive a restart.
 *
 * Holds the person's record (the acute event behind the 48-hour cold rule
 * and the real seconds of its window still left, both tiers of warning
 * signs), the schedule, the faults latched on each zone, so a restart does
 * not clear a fault: it must be cleared on purpose, and, per zone id, what
 * an autotune learned. Written atomically: a temp file beside it, fsync,
 * rename over the old one, fsync of the directory, so a power cut leaves
 * either the old or the new file, never a torn one. The file carries a
 * version; older versions are read, and a newer one is read for what this
 * version knows, after a copy of it is kept (<path>.v<N>).
 *
 * Read part by part: a part that is invalid (a tuning, a schedule entry)
 * is named and set aside alone, and every valid part is kept. A record or
 * latched faults that cannot be read (or a file that cannot be parsed)
 * mark the record unreadable: heat stays blocked until a person confirms.
 * Whatever was set aside, a copy of the file is kept (<path>.corrupt-
 * <time>) when it is a regular file. Everything the writer writes, the
 * reader reads back. Relays and running sessions are never stored (only
 * the log of finished ones): after a restart nothing resumes on its own. */
#ifndef HEATPAD_STATE_H
#define HEATPAD_STATE_H

#include <stddef.h>

#include "core/guidance.h"
#include "core/safety.h"
#include "core/schedule.h"

#include "core/autotune.h"
#include "core/session_log.h"

/* Version 2 adds "tuning": what an autotune learned, per zone id. Version 3
 * adds to the record "urgent_signs", "window_left_s" (real seconds of the
 * 48-hour window left when written) and "confirm_needed". Version 4 adds
 * "zones": per zone id, what a person chose and what was given
 * ("target_c", "minutes", "energy_kwh"), read field by field: a bad value
 * is set aside alone (none of it is safety-relevant, so nothing fails
 * closed). Version 5 adds "sessions": per zone id, its last sessions
 * (at most SESSION_LOG_MAX, newest first), read entry by entry: a damaged
 * entry is dropped alone, and nothing there is safety-relevant. Versions 1
 * to 4 are still read. */
#define STATE_VERSION 5
#define STATE_MAX_TUNINGS 8
#define STATE_ID_MAX 32
#define STATE_MAX_ZONES 16        /* configured ones and some removed */

struct state_tuning {
        char zone_id[STATE_ID_MAX];
        struct zone_tuning t;
};

/* A fault latched when the state was saved, by zone id. */
struct state_fault {
        char zone_id[CONFIG_NAME_MAX];
        enum safety_fault fault;
};

/* A zone's kept choices; a field not given is NAN (target, energy) or 0. */
struct state_zone {
        char zone_id[CONFIG_NAME_MAX];
        double target_c;
        int minutes;
        double energy_kwh;
};

/* A zone's last sessions, newest first. */
struct state_log {
        char zone_id[CONFIG_NAME_MAX];
        int n;
        struct session_rec r[SESSION_LOG_MAX];
};

struct state_data {
        int version;                    /* the file's, when read */
        struct guidance_record record;  /* record.unreadable: see above */
        long long hold_left_s;          /* the window's seconds left; -1
                                         * when the file did not say */
        bool keep_file;                 /* a newer version's file of which
                                         * no copy could be kept: not to be
                                         * written over */
        int ntunings;
        struct state_tuning tunings[STATE_MAX_TUNINGS];
        int nfaults;
        struct state_fault faults[CONFIG_MAX_ZONES];
        struct schedule schedule;       /* zones not yet checked against
                                         * the config */
        int nzones;
        struct state_zone zones[STATE_MAX_ZONES];
        int nlogs;
        struct state_log logs[STATE_MAX_ZONES];
};

/* The sessions kept for a zone id, or NULL. */
const struct state_log *state_find_log(const struct state_data *st,
                                       const char *zone_id);

/* Stores (or replaces) a zone's sessions. -ENOSPC when full. */
int state_put_log(struct state_data *st, const struct state_log *l);

/* The kept choices of a zone id, or NULL. */
const struct state_zone *state_find_zone(const struct state_data *st,
                                         const char *zone_id);

/* Stores (or replaces) a zone's choices. -ENOSPC when full. */
int state_put_zone(struct state_data *st, const struct state_zone *z);

/* The tuning stored for a zone id, or NULL. */
const struct zone_tuning *state_find_tuning(const struct state_data *st,
                                            const char *zone_id);

/* Stores (or replaces) a zone's tuning. -ENOSPC when full. */
int state_put_tuning(struct state_data *st, const char *zone_id,
                     const struct zone_tuning *t);

/* Serialises to JSON; returns a malloc'd string or NULL. */
char *state_to_json(const struct state_data *st);

/* Parses JSON into ret, part by part: ret always holds every valid part
 * (record.unreadable set when the record or the faults could not be read).
 * Returns 0, or -EINVAL when a part was invalid, err naming each one. */
int state_from_json(const char *json, struct state_data *ret, char *err,
                    size_t errlen);

/* Writes the file atomically. 0 or -errno; -EPERM when path is there but
 * is not a regular file (a device or a symlink is never replaced). */
int state_save(const char *path, const struct state_data *st);

/* Loads the file. 0 with ret filled; -ENOENT when there is none (ret
 * emptied); -EINVAL when a part was invalid or the file could not be
 * parsed (ret holds the valid parts, err names each invalid one and where
 * the copy went); other -errno on read errors. A file from a newer version
 * is copied to <path>.v<N> first (err says so; 0 if all else was read);
 * when no copy can be kept, ret->keep_file says not to write over it. */
int state_load(const char *path, struct state_data *ret, char *err,
               size_t errlen);

#endif
