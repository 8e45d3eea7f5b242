/* state_parse.c: the state file read part by part (state.h says how a
 * bad part is set aside); the session logs are in state_parse_log.c. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "config/cfgjson.h"
#include "core/session.h"
#include "daemon/state_priv.h"

/* A whole number of seconds the file may hold, within [min, max]. Anything
 * else (1e80, found by fuzzing) would not fit the cast to time_t, which is
 * undefined behaviour. */
bool state_is_whole(const cJSON *v, double min, double max)
{
        return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
               v->valuedouble == floor(v->valuedouble) &&
               v->valuedouble >= min && v->valuedouble <= max;
}

static bool is_state_time(const cJSON *v)
{
        return state_is_whole(v, (double)GUIDANCE_TIME_MIN,
                              (double)GUIDANCE_TIME_MAX);
}

void state_note(struct state_notes *n, const char *fmt, ...)
{
        size_t used = n->len ? strlen(n->buf) : 0;
        va_list ap;

        if (n->n++ && used + 2 < n->len) {
                memcpy(n->buf + used, "; ", 3);
                used += 2;
        }
        if (used + 1 >= n->len)
                return;
        va_start(ap, fmt);
        vsnprintf(n->buf + used, n->len - used, fmt, ap);
        va_end(ap);
}

/* One zone's tuning; every number must be there and make sense, or it is
 * set aside (a half-read model must not drive a heat-up). */
/* The model's check against its own run, when the file has it (files
 * written before it was kept do not): all four or none, each in range. */
static void parse_check(const cJSON *z, struct zone_tuning *t)
{
        static const char *const keys[] = { "check_rms_c", "confidence",
                "noise_c", "cycles" };
        double v[4];

        for (int i = 0; i < 4; i++) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(z, keys[i]);
                if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
                        return;
                v[i] = n->valuedouble;
        }
        if (!(v[0] >= 0 && v[1] >= 0 && v[1] <= 1 && v[2] >= 0 && v[3] >= 0 &&
              v[3] <= 1000))
                return;
        t->has_check = true;
        t->check = (struct autotune_check){ .rms_c = v[0], .confidence = v[1],
                                            .noise_c = v[2], .cycles = (int)v[3] };
}

static int parse_tuning(const cJSON *z, struct zone_tuning *ret)
{
        static const char *const keys[] = { "gain_c", "tau_s", "dead_s",
                "rest_c", "kp", "ki", "kd", "ku", "tu_s", "when" };
        double v[10];

        if (!cJSON_IsObject(z))
                return -EINVAL;
        for (int i = 0; i < 10; i++) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(z, keys[i]);
                if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
                        return -EINVAL;
                v[i] = n->valuedouble;
        }
        if (!is_state_time(cJSON_GetObjectItemCaseSensitive(z, "when")))
                return -EINVAL;
        *ret = (struct zone_tuning){
                .valid = true,
                .model = { .gain_c = v[0], .tau_s = v[1], .dead_s = v[2],
                           .rest_c = v[3] },
                .kp = v[4], .ki = v[5], .kd = v[6], .ku = v[7], .tu_s = v[8],
                .when = (time_t)v[9],
        };
        parse_check(z, ret);
        /* Optional (older files have none); one out of range is dropped,
         * not the model: the heat-up then trusts the model's own coast. */
        const cJSON *cs = cJSON_GetObjectItemCaseSensitive(z, "coast_scale");
        if (cJSON_IsNumber(cs) && cs->valuedouble >= AUTOTUNE_COAST_MIN &&
            cs->valuedouble <= AUTOTUNE_COAST_MAX)
                ret->model.coast_scale = cs->valuedouble;
        if (!(ret->model.gain_c > 0 && ret->model.tau_s > 0 &&
              ret->model.dead_s >= 0 && ret->kp >= 0 && ret->kp <= 10 &&
              ret->ki >= 0 && ret->ki <= 1 && ret->kd >= 0 && ret->kd <= 1000))
                return -EINVAL;
        return 0;
}

static void parse_tunings(const cJSON *tun, struct state_data *st,
                          struct state_notes *n)
{
        const cJSON *z;

        if (!cJSON_IsObject(tun)) {
                state_note(n, "tuning is not an object: set aside");
                return;
        }
        cJSON_ArrayForEach(z, tun) {
                struct zone_tuning t;
                if (strlen(z->string) >= STATE_ID_MAX ||
                    parse_tuning(z, &t) < 0) {
                        state_note(n, "tuning.%.40s is not a valid tuning: set "
                                   "aside", z->string);
                        continue;
                }
                if (state_put_tuning(st, z->string, &t) < 0)
                        state_note(n, "tuning.%.40s: more than %d tunings: set "
                                   "aside", z->string, STATE_MAX_TUNINGS);
        }
}

/* Entry by entry: one out of range is set aside, the others kept. */
static void parse_schedule(const cJSON *list, struct state_data *st,
                           struct state_notes *n)
{
        const cJSON *e;
        int i = 0;

        if (!cJSON_IsArray(list)) {
                state_note(n, "schedule is not a list: set aside");
                return;
        }
        cJSON_ArrayForEach(e, list) {
                cJSON *one = cJSON_CreateArray();
                struct schedule s;
                char why[160];

                cJSON_AddItemReferenceToArray(one, (cJSON *)e);
                if (st->schedule.n >= SCHEDULE_MAX)
                        state_note(n, "schedule[%d]: more than %d entries: "
                                   "set aside", i, SCHEDULE_MAX);
                else if (schedule_parse(one, NULL, &s, why, sizeof(why)) < 0)
                        state_note(n, "schedule[%d]%s: set aside", i, why + 3);
                else
                        st->schedule.e[st->schedule.n++] = s.e[0];
                cJSON_Delete(one);
                i++;
        }
}

/* The record, field by field. Anything it cannot read (a wrong type, a bad
 * time, a key it does not know, a key twice) makes it unreadable: each
 * field that was read is kept, and heat stays blocked until confirmed. */
static void parse_record(const cJSON *rec, struct state_data *st,
                         struct state_notes *n)
{
        static const char *const flags[] = { "acute", "injury", "swelling",
                "pain_worsening", "nerve_signs", "urgent_signs",
                "confirm_needed" };
        struct guidance_record *r = &st->record;
        bool *dest[] = { &r->acute, &r->injury, &r->swelling,
                         &r->pain_worsening, &r->nerve_signs,
                         &r->urgent_signs, &r->unreadable };
        bool have_at = false, have_left = false, confirm = false;
        unsigned seen = 0;
        const cJSON *v;

        if (!rec) {
                state_note(n, "record is missing");
                r->unreadable = true;
                return;
        }
        if (!cJSON_IsObject(rec)) {
                state_note(n, "record is not an object");
                r->unreadable = true;
                return;
        }
        cJSON_ArrayForEach(v, rec) {
                const char *k = v->string;
                int i;

                for (i = 0; i < 7 && strcmp(k, flags[i]); i++)
                        ;
                unsigned bit = 1u << (i < 7 ? i : strcmp(k, "acute_at") == 0 ?
                                      7 : strcmp(k, "window_left_s") == 0 ?
                                      8 : 9);
                if (bit == 1u << 9) {
                        state_note(n, "record.%.40s is not a field this "
                                   "version knows", k);
                        confirm = true;
                        continue;
                }
                if (seen & bit) {
                        state_note(n, "record.%.40s: duplicate key", k);
                        confirm = true;
                        continue;
                }
                seen |= bit;
                if (i < 7) {
                        if (cJSON_IsBool(v)) {
                                *dest[i] = cJSON_IsTrue(v);
                        } else {
                                state_note(n, "record.%s is not true or "
                                           "false", k);
                                confirm = true;
                        }
                } else if (bit == 1u << 7) {
                        if (is_state_time(v)) {
                                r->acute_at = (time_t)v->valuedouble;
                                have_at = true;
                        } else {
                                state_note(n, "record.acute_at is not a time");
                                confirm = true;
                        }
                } else {
                        if (state_is_whole(v, 0,
                                           (double)GUIDANCE_TIME_MAX * 2)) {
                                st->hold_left_s = (long long)v->valuedouble;
                                have_left = true;
                        } else {
                                state_note(n, "record.window_left_s is not "
                                           "a number of seconds");
                                confirm = true;
                        }
                }
        }
        if (r->acute && !have_at && !confirm) {
                state_note(n, "record.acute_at is missing");
                confirm = true;
        }
        if (!have_left)
                st->hold_left_s = -1;
        if (confirm)
                r->unreadable = true;
}

/* One zone's choices, field by field: a bad one is named and set aside,
 * the others kept. */
static void parse_zone(const cJSON *z, struct state_data *st,
                       struct state_notes *n)
{
        struct state_zone sz = { .target_c = NAN, .energy_kwh = NAN };
        const cJSON *v;

        snprintf(sz.zone_id, sizeof(sz.zone_id), "%s", z->string);
        cJSON_ArrayForEach(v, z) {
                const char *k = v->string;
                bool num = cJSON_IsNumber(v) && isfinite(v->valuedouble);
                if (strcmp(k, "target_c") == 0 && num &&
                    v->valuedouble >= 20 && v->valuedouble <= 48)
                        sz.target_c = v->valuedouble;
                else if (strcmp(k, "minutes") == 0 &&
                         state_is_whole(v, 1, SESSION_HARD_CAP_MIN))
                        sz.minutes = (int)v->valuedouble;
                else if (strcmp(k, "energy_kwh") == 0 && num &&
                         v->valuedouble >= 0 && v->valuedouble <= 1e9)
                        sz.energy_kwh = v->valuedouble;
                else
                        state_note(n, "zones.%.40s.%.40s is not a value this "
                                   "version reads: set aside", z->string, k);
        }
        if (state_put_zone(st, &sz) < 0)
                state_note(n, "zones.%.40s: more than %d zones: set aside",
                           z->string, STATE_MAX_ZONES);
}

static void parse_zones(const cJSON *zones, struct state_data *st,
                        struct state_notes *n)
{
        const cJSON *z;

        if (!cJSON_IsObject(zones)) {
                state_note(n, "zones is not an object: set aside");
                return;
        }
        cJSON_ArrayForEach(z, zones) {
                if (!cJSON_IsObject(z) || strlen(z->string) >= CONFIG_NAME_MAX)
                        state_note(n, "zones.%.40s is not an object: set aside",
                                   z->string);
                else
                        parse_zone(z, st, n);
        }
}

static void parse_faults(const cJSON *faults, struct state_data *st,
                         struct state_notes *n)
{
        const cJSON *f;

        if (!faults)
                return;         /* version 1 */
        if (!cJSON_IsObject(faults)) {
                state_note(n, "faults is not an object");
                st->record.unreadable = true;
                return;
        }
        cJSON_ArrayForEach(f, faults) {
                enum safety_fault fault = cJSON_IsString(f) ?
                        safety_fault_parse(f->valuestring) : FAULT_NONE;
                if (fault == FAULT_NONE || strlen(f->string) >= CONFIG_NAME_MAX) {
                        state_note(n, "faults.%.40s is not a fault this "
                                   "version knows", f->string);
                        st->record.unreadable = true;
                        continue;
                }
                if (st->nfaults >= CONFIG_MAX_ZONES) {
                        state_note(n, "faults.%.40s: more than %d faults",
                                   f->string, CONFIG_MAX_ZONES);
                        st->record.unreadable = true;
                        continue;
                }
                snprintf(st->faults[st->nfaults].zone_id, CONFIG_NAME_MAX, "%s",
                         f->string);
                st->faults[st->nfaults++].fault = fault;
        }
}

int state_from_json(const char *json, struct state_data *ret, char *err,
                    size_t errlen)
{
        struct state_data st = { .hold_left_s = -1 };
        struct state_notes n = { err, errlen, 0 };
        cJSON *root = cJSON_Parse(json);
        const cJSON *ver;

        if (errlen)
                err[0] = '\0';
        if (!cJSON_IsObject(root)) {
                state_note(&n, root ? "not a JSON object" : "not valid JSON");
                cJSON_Delete(root);
                st.record.unreadable = true;
                *ret = st;
                return -EINVAL;
        }
        /* The session log is read on its own: nothing in it may change
         * how the rest is read (a duplicate key in it is its own, and
         * drops only its entry). */
        cJSON *logs = NULL, *more;
        int nlogs = 0;
        while ((more = cJSON_DetachItemFromObjectCaseSensitive(root,
                                                              "sessions"))) {
                cJSON_Delete(logs);
                logs = more;
                nlogs++;
        }
        /* A key given twice: which value was meant cannot be known. In the
         * record, the faults or at the top that fails closed; in a tuning
         * or the schedule, that part is set aside. */
        char dup[160];
        bool skip_tunings = false, skip_schedule = false, skip_zones = false;
        if (cfg_find_duplicate(root, dup, sizeof(dup)) &&
            strncmp(dup, "record.", 7) != 0) {  /* parse_record names those */
                state_note(&n, "%s: duplicate key", dup);
                if (strncmp(dup, "tuning.", 7) == 0)
                        skip_tunings = true;
                else if (strncmp(dup, "schedule[", 9) == 0)
                        skip_schedule = true;
                else if (strncmp(dup, "zones.", 6) == 0)
                        skip_zones = true;
                else
                        st.record.unreadable = true;
        }
        ver = cJSON_GetObjectItemCaseSensitive(root, "version");
        if (!state_is_whole(ver, 1, 1e9)) {
                /* The parts are read as this version writes them, but
                 * what the file meant cannot be known. */
                state_note(&n, "no version number");
                st.record.unreadable = true;
        } else {
                st.version = (int)ver->valuedouble;
        }
        parse_record(cJSON_GetObjectItemCaseSensitive(root, "record"), &st, &n);
        const cJSON *tun = cJSON_GetObjectItemCaseSensitive(root, "tuning");
        if (tun && !skip_tunings)
                parse_tunings(tun, &st, &n);
        const cJSON *sched = cJSON_GetObjectItemCaseSensitive(root, "schedule");
        if (sched && !skip_schedule)
                parse_schedule(sched, &st, &n);
        const cJSON *zones = cJSON_GetObjectItemCaseSensitive(root, "zones");
        if (zones && !skip_zones)
                parse_zones(zones, &st, &n);
        parse_faults(cJSON_GetObjectItemCaseSensitive(root, "faults"), &st, &n);
        state_parse_sessions(logs, nlogs, &st, &n);
        cJSON_Delete(logs);
        cJSON_Delete(root);
        *ret = st;
        return n.n ? -EINVAL : 0;
}
