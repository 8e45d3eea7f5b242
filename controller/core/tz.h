/* tz.h: local time for the core, through a function the daemon gives it.
 *
 * The core reads no time zone itself: the daemon hands it a function that
 * breaks a time_t into local time (localtime_r there), and a unit test may
 * hand it a fixed offset. Without one, local time is UTC, computed here. */
#ifndef HEATPAD_TZ_H
#define HEATPAD_TZ_H

#include <stdbool.h>
#include <time.h>

/* Breaks t into local time in *ret; false when it cannot. */
typedef bool (*tz_fn)(time_t t, struct tm *ret, void *ctx);

struct tz {
        tz_fn fn;               /* NULL: UTC */
        void *ctx;
};

/* t as local time through tz (NULL, no function, or a function that
 * fails: UTC). Always fills ret. */
void tz_local(const struct tz *tz, time_t t, struct tm *ret);

/* A tz_fn for a fixed offset east of UTC: ctx points to a long of
 * seconds. No daylight saving time. */
bool tz_fixed_offset(time_t t, struct tm *ret, void *ctx);

#endif
