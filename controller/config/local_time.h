/* local_time.h: the one parser of a local date and time given by a person
 * (the command line's --sim-start and --record-injury, the API's "at").
 *
 * Exactly YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS: fixed-width digits, no
 * sign, no spaces, nothing after. Every field is range-checked (year 1970
 * to 9999, the day valid for its month with leap years, hour 0..23, second
 * 0..59), so "2026-02-31T10:00" or "2026-11-24T-1:15" is refused rather
 * than normalised into another day. */
#ifndef HEATPAD_LOCAL_TIME_H
#define HEATPAD_LOCAL_TIME_H

#include <time.h>

/* Fills ret (tm_isdst = -1) from s. 0, or -1 when s is not such a time.
 * Pure: reads no clock and no time zone. */
int local_time_parse(const char *s, struct tm *ret);

/* s as a time in the process's time zone (mktime); -1 when invalid. */
time_t local_time_to_epoch(const char *s);

#endif
