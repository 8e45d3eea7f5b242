/* systz.h: the system's time zone, for the core (core_set_localtime). */
#ifndef HEATPAD_SYSTZ_H
#define HEATPAD_SYSTZ_H

#include <stdbool.h>
#include <time.h>

/* A tz_fn (core/tz.h): t in the process's time zone (TZ, /etc/localtime)
 * through localtime_r. ctx is unused. */
bool systz_localtime(time_t t, struct tm *ret, void *ctx);

#endif
