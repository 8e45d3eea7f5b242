/* schedule.h: sessions that start by themselves at a local time.
 *
 * Schedules live on the device (in the state file), so evening sessions
 * still happen when Home Assistant or the broker is down. The JSON form is
 * one list, the same on MQTT and HTTP:
 *   [{"zone":"upper_back","days":["mon","wed"],"start":"20:30",
 *     "minutes":20,"setpoint_c":40,"enabled":true}, ...]
 * Days are mon..sun (or "daily"); start is local wall-clock time. An entry
 * fires once on each matching day, when the local clock enters its start
 * minute: on a DST change day a start inside the skipped hour does not fire
 * and one inside the repeated hour fires once. Every start goes through
 * core_start, so quiet hours, the cold rule and faults refuse it like any
 * other. Pure: wall time is an argument. */
#ifndef HEATPAD_SCHEDULE_H
#define HEATPAD_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "config/config.h"
#include "core/tz.h"

#define SCHEDULE_MAX 32
/* A wall-clock jump longer than this (a clock step) fires nothing
 * retroactively. */
#define SCHEDULE_MAX_CATCHUP_S 600

struct schedule_entry {
        char zone_id[CONFIG_NAME_MAX];
        uint8_t days;           /* bit 0 Monday .. bit 6 Sunday */
        int start_min;          /* minutes after local midnight */
        int minutes;
        double setpoint_c;
        bool enabled;
        int32_t fired_day;      /* local yyyymmdd it last fired, 0 never */
};

struct schedule {
        int n;
        struct schedule_entry e[SCHEDULE_MAX];
};

/* Parses and validates a JSON list against the zones of cfg (when cfg is
 * not NULL: zone exists, minutes and setpoint within the zone's limits).
 * Returns 0, or -EINVAL with one line naming the entry, key and why in err
 * (ret untouched). */
int schedule_parse(const cJSON *list, const struct config *cfg,
                   struct schedule *ret, char *err, size_t errlen);

/* The same from JSON text (a payload or a body). */
int schedule_parse_text(const char *text, size_t len,
                        const struct config *cfg, struct schedule *ret,
                        char *err, size_t errlen);

/* The JSON list (caller frees with cJSON_Delete). */
cJSON *schedule_to_json(const struct schedule *s);

/* Entries that start in the wall-time span (from, to]: their indexes go
 * into ret_idx (at most max), and each is marked fired for its day. A span
 * longer than SCHEDULE_MAX_CATCHUP_S or going backwards fires nothing.
 * Returns how many. */
int schedule_due(struct schedule *s, const struct tz *tz, time_t from,
                 time_t to, int *ret_idx, int max);

#endif
