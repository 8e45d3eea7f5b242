/* http_body.h: the request bodies and query values of the JSON API, parsed
 * and checked before anything changes.
 *
 * Pure functions over (text, length): no I/O, no state, so they can be unit
 * tested and fuzzed. Each returns 0, or -EINVAL with one sentence in err
 * that names the key and why ("minutes: must be a whole number"). Output
 * parameters are untouched on failure. Ranges that depend on a zone (the
 * setpoint limits) are the core's to check; these check form and type. */
#ifndef HEATPAD_HTTP_BODY_H
#define HEATPAD_HTTP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define HTTP_BODY_MAX 8192              /* larger bodies are refused (413) */

/* POST /api/zones/{zone}/start: {"minutes":20,"setpoint_c":40}, both
 * optional; an empty body takes the zone's defaults. ret_minutes 0 and
 * ret_setpoint NAN mean "the default". */
int http_parse_start_body(const char *text, size_t len, int *ret_minutes,
                          double *ret_setpoint, char *err, size_t errlen);

/* POST /api/injury: what the person reports.
 *   {"injury":true,"swelling":false,"at":1764000000}        acute event
 *   "at" is epoch seconds or local time "2026-11-24T20:15"; or
 *   "minutes_ago":90; neither means now.
 *   {"pain_worsening":true,"nerve_signs":false,"urgent_signs":false}
 *                                            warning signs, either tier
 * Both kinds may come in one body; at least one must. An absent sign keeps
 * its value (has_* says which were given). */
struct injury_report {
        bool acute;                     /* injury or swelling given true */
        bool injury, swelling;
        bool at_given;
        time_t at;                      /* when at_given */
        long minutes_ago;               /* when !at_given */
        bool signs;                     /* a warning-sign key was given */
        bool pain_worsening, nerve_signs, urgent_signs;
        bool has_pain, has_nerve, has_urgent;
};
int http_parse_injury_body(const char *text, size_t len,
                           struct injury_report *ret, char *err, size_t errlen);

/* POST /api/confirm-safe: {"no_injury_48h":true,"pad_ok":true}, both
 * there and true: a person confirms, so nothing else will do. */
int http_parse_confirm_body(const char *text, size_t len, char *err,
                            size_t errlen);

/* POST /api/login: {"pin":"1234"}. ret has room for HTTP_PIN_MAX + 1. */
int http_parse_pin_body(const char *text, size_t len, char *ret_pin,
                        size_t pinlen, char *err, size_t errlen);

/* A whole number in [min, max] from a query value ("60"). */
int http_parse_int(const char *s, long min, long max, long *ret);

/* "2026-11-24T20:15" (optional ":SS") as local time; -1 if malformed. */
time_t http_parse_local_time(const char *s);

#endif
