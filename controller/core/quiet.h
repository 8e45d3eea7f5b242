/* quiet.h: overnight quiet hours, in local wall time.
 *
 * No session may start inside them and a running one ends when they begin.
 * The span may wrap midnight (23:00-07:00). Times are minutes after local
 * midnight as the wall clock reads them, so on a DST change day the quiet
 * hours still begin at 23:00 on the clock. Pure: wall time and the time
 * zone (tz.h) are arguments. */
#ifndef HEATPAD_QUIET_H
#define HEATPAD_QUIET_H

#include <stdbool.h>
#include <time.h>

#include "core/tz.h"

struct quiet_hours {
        bool enabled;
        int start_min, end_min;         /* 0..1439 */
};

/* Whether wall time `now` falls inside the quiet hours. */
bool quiet_active(const struct quiet_hours *q, const struct tz *tz,
                  time_t now);

/* The first wall time at or after `now` when the quiet hours are over
 * (now itself when they are not active). */
time_t quiet_ends_at(const struct quiet_hours *q, const struct tz *tz,
                     time_t now);

/* Parses "HH:MM" into minutes after midnight; -1 when malformed. */
int quiet_parse_hhmm(const char *s);

/* Formats minutes after midnight as "HH:MM" into buf (at least 6 bytes). */
void quiet_format_hhmm(int min, char *buf);

#endif
