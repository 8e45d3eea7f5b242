/* schedule.c: see schedule.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/cfgjson.h"
#include "core/quiet.h"
#include "core/schedule.h"
#include "core/session.h"

static const char *const day_names[7] = {
        "mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

static int parse_days(const cJSON *v, uint8_t *ret)
{
        const cJSON *d;
        uint8_t days = 0;

        if (cJSON_IsString(v) && strcmp(v->valuestring, "daily") == 0) {
                *ret = 0x7f;
                return 0;
        }
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
                return -1;
        cJSON_ArrayForEach(d, v) {
                int i;
                if (!cJSON_IsString(d))
                        return -1;
                for (i = 0; i < 7; i++)
                        if (strcmp(d->valuestring, day_names[i]) == 0)
                                break;
                if (i == 7)
                        return -1;
                days |= (uint8_t)(1u << i);
        }
        *ret = days;
        return 0;
}

static int parse_entry(const cJSON *o, int i, const struct config *cfg,
                       struct schedule_entry *e, char *err, size_t errlen)
{
        static const char *const keys[] = {
                "zone", "days", "start", "minutes", "setpoint_c", "enabled",
                NULL
        };
        const cJSON *item;

        if (!cJSON_IsObject(o)) {
                snprintf(err, errlen, "[%d]: must be an object", i);
                return -EINVAL;
        }
        cJSON_ArrayForEach(item, o) {
                bool known = false;
                for (const char *const *k = keys; *k; k++)
                        known |= strcmp(item->string, *k) == 0;
                if (!known) {
                        snprintf(err, errlen, "[%d].%s: unknown key", i,
                                 item->string);
                        return -EINVAL;
                }
        }
        const cJSON *zone = cJSON_GetObjectItemCaseSensitive(o, "zone");
        const cJSON *days = cJSON_GetObjectItemCaseSensitive(o, "days");
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(o, "start");
        const cJSON *min = cJSON_GetObjectItemCaseSensitive(o, "minutes");
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(o, "setpoint_c");
        const cJSON *en = cJSON_GetObjectItemCaseSensitive(o, "enabled");

        memset(e, 0, sizeof(*e));
        if (!cJSON_IsString(zone) || strlen(zone->valuestring) >= CONFIG_NAME_MAX) {
                snprintf(err, errlen, "[%d].zone: must be a zone id", i);
                return -EINVAL;
        }
        int zi = cfg ? config_find_zone(cfg, zone->valuestring) : -1;
        if (cfg && zi < 0) {
                snprintf(err, errlen, "[%d].zone: no zone '%s'", i,
                         zone->valuestring);
                return -EINVAL;
        }
        /* Stored by id, so a renamed display name does not orphan it. */
        snprintf(e->zone_id, sizeof(e->zone_id), "%s",
                 cfg ? cfg->zones[zi].id : zone->valuestring);
        if (parse_days(days, &e->days) < 0) {
                snprintf(err, errlen, "[%d].days: must be \"daily\" or a list "
                         "of mon, tue, wed, thu, fri, sat, sun", i);
                return -EINVAL;
        }
        e->start_min = cJSON_IsString(start) ?
                       quiet_parse_hhmm(start->valuestring) : -1;
        if (e->start_min < 0) {
                snprintf(err, errlen, "[%d].start: must be a local time as "
                         "HH:MM", i);
                return -EINVAL;
        }
        int max_min = cfg ? cfg->zones[zi].max_minutes : SESSION_HARD_CAP_MIN;
        if (!cJSON_IsNumber(min) || min->valuedouble != floor(min->valuedouble) ||
            min->valuedouble < 1 || min->valuedouble > max_min) {
                snprintf(err, errlen, "[%d].minutes: must be a whole number "
                         "from 1 to %d", i, max_min);
                return -EINVAL;
        }
        e->minutes = (int)min->valuedouble;
        double lo = cfg ? cfg->zones[zi].min_setpoint_c : 20;
        double hi = cfg ? cfg->zones[zi].max_setpoint_c : 48;
        if (!cJSON_IsNumber(sp) || !(sp->valuedouble >= lo &&
                                     sp->valuedouble <= hi)) {
                snprintf(err, errlen, "[%d].setpoint_c: must be a number from "
                         "%g to %g", i, lo, hi);
                return -EINVAL;
        }
        e->setpoint_c = sp->valuedouble;
        if (en && !cJSON_IsBool(en)) {
                snprintf(err, errlen, "[%d].enabled: must be true or false", i);
                return -EINVAL;
        }
        e->enabled = !en || cJSON_IsTrue(en);
        return 0;
}

int schedule_parse(const cJSON *list, const struct config *cfg,
                   struct schedule *ret, char *err, size_t errlen)
{
        struct schedule s = { 0 };
        const cJSON *o;

        if (!cJSON_IsArray(list)) {
                snprintf(err, errlen, "a schedule must be a JSON list of entries");
                return -EINVAL;
        }
        if (cJSON_GetArraySize(list) > SCHEDULE_MAX) {
                snprintf(err, errlen, "at most %d entries", SCHEDULE_MAX);
                return -EINVAL;
        }
        cJSON_ArrayForEach(o, list) {
                int r = parse_entry(o, s.n, cfg, &s.e[s.n], err, errlen);
                if (r < 0)
                        return r;
                s.n++;
        }
        *ret = s;
        return 0;
}

int schedule_parse_text(const char *text, size_t len,
                        const struct config *cfg, struct schedule *ret,
                        char *err, size_t errlen)
{
        cJSON *root = cJSON_ParseWithLength(text, len);
        int r;

        if (!root) {
                snprintf(err, errlen, "not valid JSON");
                return -EINVAL;
        }
        r = cfg_refuse_duplicate(root, err, errlen);
        if (r == 0)
                r = schedule_parse(root, cfg, ret, err, errlen);
        cJSON_Delete(root);
        return r;
}

cJSON *schedule_to_json(const struct schedule *s)
{
        cJSON *list = cJSON_CreateArray();
        char hhmm[6];

        for (int i = 0; i < s->n; i++) {
                const struct schedule_entry *e = &s->e[i];
                cJSON *o = cJSON_CreateObject();
                cJSON *days = cJSON_AddArrayToObject(o, "days");
                cJSON_AddStringToObject(o, "zone", e->zone_id);
                for (int d = 0; d < 7; d++)
                        if (e->days & (1u << d))
                                cJSON_AddItemToArray(days,
                                        cJSON_CreateString(day_names[d]));
                quiet_format_hhmm(e->start_min, hhmm);
                cJSON_AddStringToObject(o, "start", hhmm);
                cJSON_AddNumberToObject(o, "minutes", e->minutes);
                cJSON_AddNumberToObject(o, "setpoint_c", e->setpoint_c);
                cJSON_AddBoolToObject(o, "enabled", e->enabled);
                cJSON_AddItemToArray(list, o);
        }
        return list;
}

int schedule_due(struct schedule *s, const struct tz *tz, time_t from,
                 time_t to, int *ret_idx, int max)
{
        int n = 0;

        if (to <= from || to - from > SCHEDULE_MAX_CATCHUP_S)
                return 0;
        /* Each minute boundary in (from, to]; usually none or one. */
        for (time_t t = from - from % 60 + 60; t <= to; t += 60) {
                struct tm tm;
                tz_local(tz, t, &tm);
                int minute = tm.tm_hour * 60 + tm.tm_min;
                int wday = (tm.tm_wday + 6) % 7;        /* Monday = 0 */
                int32_t day = (tm.tm_year + 1900) * 10000 +
                              (tm.tm_mon + 1) * 100 + tm.tm_mday;
                for (int i = 0; i < s->n && n < max; i++) {
                        struct schedule_entry *e = &s->e[i];
                        if (!e->enabled || e->start_min != minute ||
                            !(e->days & (1u << wday)) || e->fired_day == day)
                                continue;
                        e->fired_day = day;
                        ret_idx[n++] = i;
                }
        }
        return n;
}
