/* state.h: the state file, what must survive a restart.
 *
 * Holds the person's record (the acute event behind the 48-hour cold rule,
 * the warning signs), the schedule, the faults latched on each zone, so
 * a restart does not clear a fault: it must be cleared on purpose, and, per
 * zone id, what an autotune learned. Written atomically: a temp file beside it, fsync,
 * rename over the old one, fsync of the directory, so a power cut leaves
 * either the old or the new file, never a torn one. The file carries a
 * version; older versions are read. A file that cannot be parsed is renamed
 * aside (".corrupt-<time>") and reported, and the daemon starts from a safe
 * empty state. Relays and sessions are never stored: after a restart
 * nothing resumes on its own. */
#ifndef HEATPAD_STATE_H
#define HEATPAD_STATE_H

#include <stddef.h>

#include "guidance.h"
#include "safety.h"
#include "schedule.h"

#include "autotune.h"

/* Version 2 adds "tuning": what an autotune learned, per zone id. Version 1
 * files are still read (they have no tuning). */
#define STATE_VERSION 2
#define STATE_MAX_TUNINGS 8
#define STATE_ID_MAX 32

struct state_tuning {
        char zone_id[STATE_ID_MAX];
        struct zone_tuning t;
};

/* A fault latched when the state was saved, by zone id. */
struct state_fault {
        char zone_id[CONFIG_NAME_MAX];
        enum safety_fault fault;
};

struct state_data {
        struct guidance_record record;
        int ntunings;
        struct state_tuning tunings[STATE_MAX_TUNINGS];
        int nfaults;
        struct state_fault faults[CONFIG_MAX_ZONES];
        struct schedule schedule;       /* zones not yet checked against
                                         * the config */
};

/* The tuning stored for a zone id, or NULL. */
const struct zone_tuning *state_find_tuning(const struct state_data *st,
                                            const char *zone_id);

/* Stores (or replaces) a zone's tuning. -ENOSPC when full. */
int state_put_tuning(struct state_data *st, const char *zone_id,
                     const struct zone_tuning *t);

/* Serialises to JSON; returns a malloc'd string or NULL. */
char *state_to_json(const struct state_data *st);

/* Parses JSON into ret (untouched on failure). Returns 0 or -EINVAL with a
 * reason in err. */
int state_from_json(const char *json, struct state_data *ret, char *err,
                    size_t errlen);

/* Writes the file atomically. 0 or -errno. */
int state_save(const char *path, const struct state_data *st);

/* Loads the file. 0 with ret filled; -ENOENT when there is none (ret
 * emptied); -EINVAL when it was corrupt (ret emptied, the file renamed
 * aside, err says why and where it went); other -errno on read errors. */
int state_load(const char *path, struct state_data *ret, char *err,
               size_t errlen);

#endif
