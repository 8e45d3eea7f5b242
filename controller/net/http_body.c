/* http_body.c: see http_body.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config/cfgjson.h"
#include "config/local_time.h"
#include "net/http_body.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

/* Parses a body that must be one JSON object and nothing after it. An
 * empty (or all-space) body gives an empty object when allowed. */
static cJSON *parse_object(const char *text, size_t len, bool empty_ok,
                           char *err, size_t errlen)
{
        const char *end = NULL;
        size_t i = 0;

        while (i < len && strchr(" \t\r\n", text[i]))
                i++;
        if (i == len) {
                if (empty_ok)
                        return cJSON_CreateObject();
                fail(err, errlen, "the body must be a JSON object");
                return NULL;
        }
        if (len > HTTP_BODY_MAX) {
                fail(err, errlen, "the body is larger than %d bytes",
                     HTTP_BODY_MAX);
                return NULL;
        }
        if (memchr(text, '\0', len)) {
                fail(err, errlen, "the body must not contain NUL bytes");
                return NULL;
        }
        cJSON *o = cJSON_ParseWithLengthOpts(text, len, &end, false);
        if (!o) {
                fail(err, errlen, "malformed JSON");
                return NULL;
        }
        for (const char *p = end; p && p < text + len; p++) {
                if (!strchr(" \t\r\n", *p)) {
                        cJSON_Delete(o);
                        fail(err, errlen, "malformed JSON: text after the "
                             "object");
                        return NULL;
                }
        }
        if (!cJSON_IsObject(o)) {
                cJSON_Delete(o);
                fail(err, errlen, "the body must be a JSON object");
                return NULL;
        }
        if (cfg_refuse_duplicate(o, err, errlen) < 0) {
                cJSON_Delete(o);
                return NULL;
        }
        return o;
}

/* Reports the first key not in the NULL-terminated list. */
static int check_keys(const cJSON *o, const char *const keys[], char *err,
                      size_t errlen)
{
        const cJSON *item;
        cJSON_ArrayForEach(item, o) {
                bool known = false;
                for (const char *const *k = keys; *k; k++)
                        known |= strcmp(item->string, *k) == 0;
                if (!known)
                        return fail(err, errlen, "%.64s: unknown key",
                                    item->string);
        }
        return 0;
}

static int get_bool(const cJSON *o, const char *key, bool *present,
                    bool *ret, char *err, size_t errlen)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        *present = v != NULL;
        if (!v)
                return 0;
        if (!cJSON_IsBool(v))
                return fail(err, errlen, "%s: must be true or false", key);
        *ret = cJSON_IsTrue(v);
        return 0;
}

/* The latest "at": 2100, or where a 32-bit long or time_t ends (2038, on
 * 32-bit Raspberry Pi OS), found by make check-cross. */
#define AT_MAX ((long)(sizeof(long) > 4 && sizeof(time_t) > 4 ? \
                       4102444800LL : 2147483647LL))

static int get_whole(const cJSON *v, const char *key, long min, long max,
                     long *ret, char *err, size_t errlen)
{
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
            v->valuedouble != floor(v->valuedouble))
                return fail(err, errlen, "%s: must be a whole number", key);
        if (v->valuedouble < (double)min || v->valuedouble > (double)max)
                return fail(err, errlen, "%s: must be between %ld and %ld",
                            key, min, max);
        *ret = (long)v->valuedouble;
        return 0;
}

int http_parse_start_body(const char *text, size_t len, int *ret_minutes,
                          double *ret_setpoint, char *err, size_t errlen)
{
        static const char *const keys[] = { "minutes", "setpoint_c", NULL };
        cJSON *o = parse_object(text, len, true, err, errlen);
        long minutes = 0;
        double sp = NAN;
        int rc;

        if (!o)
                return -EINVAL;
        rc = check_keys(o, keys, err, errlen);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "minutes");
        if (!rc && m)
                /* The zone's own cap is the core's to check. */
                rc = get_whole(m, "minutes", 1, 24 * 60, &minutes, err, errlen);
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "setpoint_c");
        if (!rc && s) {
                if (!cJSON_IsNumber(s) || !isfinite(s->valuedouble))
                        rc = fail(err, errlen, "setpoint_c: must be a number");
                else
                        sp = s->valuedouble;
        }
        cJSON_Delete(o);
        if (rc)
                return rc;
        *ret_minutes = (int)minutes;
        *ret_setpoint = sp;
        return 0;
}

int http_parse_injury_body(const char *text, size_t len,
                           struct injury_report *ret, char *err, size_t errlen)
{
        static const char *const keys[] = { "injury", "swelling", "at",
                "minutes_ago", "pain_worsening", "nerve_signs",
                "urgent_signs", NULL };
        struct injury_report r = { 0 };
        bool has_inj = false, has_sw = false, has_pain = false, has_nerve = false;
        cJSON *o = parse_object(text, len, false, err, errlen);
        int rc;

        if (!o)
                return -EINVAL;
        rc = check_keys(o, keys, err, errlen);
        if (!rc)
                rc = get_bool(o, "injury", &has_inj, &r.injury, err, errlen);
        if (!rc)
                rc = get_bool(o, "swelling", &has_sw, &r.swelling, err, errlen);
        if (!rc)
                rc = get_bool(o, "pain_worsening", &has_pain, &r.pain_worsening,
                              err, errlen);
        if (!rc)
                rc = get_bool(o, "nerve_signs", &has_nerve, &r.nerve_signs, err,
                              errlen);
        if (!rc)
                rc = get_bool(o, "urgent_signs", &r.has_urgent,
                              &r.urgent_signs, err, errlen);
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "at");
        const cJSON *ago = cJSON_GetObjectItemCaseSensitive(o, "minutes_ago");
        if (!rc && at && ago)
                rc = fail(err, errlen, "at: give either at or minutes_ago, "
                          "not both");
        if (!rc && at) {
                long t;
                if (cJSON_IsString(at)) {
                        r.at = http_parse_local_time(at->valuestring);
                        if (r.at < 0)
                                rc = fail(err, errlen, "at: expected local "
                                          "time as 2026-11-24T20:15 or "
                                          "seconds since 1970");
                } else if (!(rc = get_whole(at, "at", 0, AT_MAX, &t,
                                            err, errlen))) {
                        r.at = (time_t)t;
                }
                r.at_given = true;
        }
        if (!rc && ago)
                rc = get_whole(ago, "minutes_ago", 0, 30L * 24 * 60,
                               &r.minutes_ago, err, errlen);
        r.acute = r.injury || r.swelling;
        r.signs = has_pain || has_nerve || r.has_urgent;
        r.has_pain = has_pain;
        r.has_nerve = has_nerve;
        if (!rc && (at || ago) && !r.acute)
                rc = fail(err, errlen, "at: a time needs \"injury\" or "
                          "\"swelling\" set to true");
        if (!rc && !r.acute && !r.signs)
                rc = fail(err, errlen, "say what happened: \"injury\" or "
                          "\"swelling\" true, or the warning signs "
                          "\"pain_worsening\" / \"nerve_signs\" / "
                          "\"urgent_signs\"");
        cJSON_Delete(o);
        if (rc)
                return rc;
        *ret = r;
        return 0;
}

int http_parse_confirm_body(const char *text, size_t len, char *err,
                            size_t errlen)
{
        static const char *const keys[] = { "no_injury_48h", "pad_ok", NULL };
        bool has_inj = false, has_pad = false, no_inj = false, pad = false;
        cJSON *o = parse_object(text, len, false, err, errlen);
        int rc;

        if (!o)
                return -EINVAL;
        rc = check_keys(o, keys, err, errlen);
        if (!rc)
                rc = get_bool(o, "no_injury_48h", &has_inj, &no_inj, err,
                              errlen);
        if (!rc)
                rc = get_bool(o, "pad_ok", &has_pad, &pad, err, errlen);
        if (!rc && !(no_inj && pad))
                rc = fail(err, errlen, "confirm both: \"no_injury_48h\": true "
                          "(no injury or swelling in the last 48 hours) and "
                          "\"pad_ok\": true (the pad is fine)");
        cJSON_Delete(o);
        return rc;
}

int http_parse_pin_body(const char *text, size_t len, char *ret_pin,
                        size_t pinlen, char *err, size_t errlen)
{
        static const char *const keys[] = { "pin", NULL };
        cJSON *o = parse_object(text, len, false, err, errlen);
        int rc;

        if (!o)
                return -EINVAL;
        rc = check_keys(o, keys, err, errlen);
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pin");
        if (!rc && !cJSON_IsString(p))
                rc = fail(err, errlen, "pin: must be a string of digits");
        if (!rc && strlen(p->valuestring) >= pinlen)
                rc = fail(err, errlen, "pin: too long");
        if (!rc)
                snprintf(ret_pin, pinlen, "%s", p->valuestring);
        cJSON_Delete(o);
        return rc;
}

int http_parse_int(const char *s, long min, long max, long *ret)
{
        char *end;
        if (!s || !*s || strchr(" \t+", *s))
                return -EINVAL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

time_t http_parse_local_time(const char *s)
{
        return local_time_to_epoch(s);
}
