/* state.c: see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config/cfgjson.h"
#include "core/session.h"
#include "config/slurp.h"
#include "daemon/state.h"

#define STATE_MAX_BYTES (1024 * 1024)

static void add_num_or_null(cJSON *o, const char *key, double v, double unit)
{
        if (isnan(v))
                cJSON_AddNullToObject(o, key);
        else
                cJSON_AddNumberToObject(o, key, round(v / unit) * unit);
}

static cJSON *session_to_json(const struct session_rec *r)
{
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "started_at", (double)r->started_at);
        cJSON_AddNumberToObject(o, "ended_at", (double)r->ended_at);
        cJSON_AddNumberToObject(o, "minutes", r->minutes);
        cJSON_AddNumberToObject(o, "setpoint_c", r->setpoint_c);
        add_num_or_null(o, "peak_c", r->peak_c, 0.01);
        cJSON_AddStringToObject(o, "end", r->end);
        cJSON_AddStringToObject(o, "source", r->source);
        cJSON_AddNumberToObject(o, "on_s", (double)r->on_s);
        add_num_or_null(o, "energy_wh", r->energy_wh, 0.0001);
        return o;
}

char *state_to_json(const struct state_data *st)
{
        const struct guidance_record *r = &st->record;
        cJSON *root = cJSON_CreateObject();
        cJSON *rec = cJSON_AddObjectToObject(root, "record");
        char *out;

        cJSON_AddNumberToObject(root, "version", STATE_VERSION);
        cJSON_AddBoolToObject(rec, "acute", r->acute);
        cJSON_AddNumberToObject(rec, "acute_at", (double)r->acute_at);
        cJSON_AddBoolToObject(rec, "injury", r->injury);
        cJSON_AddBoolToObject(rec, "swelling", r->swelling);
        cJSON_AddBoolToObject(rec, "pain_worsening", r->pain_worsening);
        cJSON_AddBoolToObject(rec, "nerve_signs", r->nerve_signs);
        cJSON_AddBoolToObject(rec, "urgent_signs", r->urgent_signs);
        cJSON_AddBoolToObject(rec, "confirm_needed", r->unreadable);
        if (st->hold_left_s >= 0)
                cJSON_AddNumberToObject(rec, "window_left_s",
                                        (double)st->hold_left_s);
        cJSON *tun = cJSON_AddObjectToObject(root, "tuning");
        for (int i = 0; i < st->ntunings; i++) {
                const struct zone_tuning *t = &st->tunings[i].t;
                cJSON *z = cJSON_AddObjectToObject(tun, st->tunings[i].zone_id);
                cJSON_AddNumberToObject(z, "gain_c", t->model.gain_c);
                cJSON_AddNumberToObject(z, "tau_s", t->model.tau_s);
                cJSON_AddNumberToObject(z, "dead_s", t->model.dead_s);
                cJSON_AddNumberToObject(z, "rest_c", t->model.rest_c);
                cJSON_AddNumberToObject(z, "kp", t->kp);
                cJSON_AddNumberToObject(z, "ki", t->ki);
                cJSON_AddNumberToObject(z, "kd", t->kd);
                cJSON_AddNumberToObject(z, "ku", t->ku);
                cJSON_AddNumberToObject(z, "tu_s", t->tu_s);
                cJSON_AddNumberToObject(z, "when", (double)t->when);
                if (t->has_check) {
                        cJSON_AddNumberToObject(z, "check_rms_c", t->check.rms_c);
                        cJSON_AddNumberToObject(z, "confidence", t->check.confidence);
                        cJSON_AddNumberToObject(z, "noise_c", t->check.noise_c);
                        cJSON_AddNumberToObject(z, "cycles", t->check.cycles);
                }
        }
        cJSON_AddItemToObject(root, "schedule", schedule_to_json(&st->schedule));
        cJSON *zones = cJSON_AddObjectToObject(root, "zones");
        for (int i = 0; i < st->nzones; i++) {
                const struct state_zone *sz = &st->zones[i];
                cJSON *z = cJSON_AddObjectToObject(zones, sz->zone_id);
                if (!isnan(sz->target_c))
                        cJSON_AddNumberToObject(z, "target_c", sz->target_c);
                if (sz->minutes > 0)
                        cJSON_AddNumberToObject(z, "minutes", sz->minutes);
                if (!isnan(sz->energy_kwh))
                        cJSON_AddNumberToObject(z, "energy_kwh",
                                                round(sz->energy_kwh * 1e6) / 1e6);
        }
        cJSON *faults = cJSON_AddObjectToObject(root, "faults");
        for (int i = 0; i < st->nfaults; i++)
                cJSON_AddStringToObject(faults, st->faults[i].zone_id,
                                        safety_fault_name(st->faults[i].fault));
        /* Last: whatever happens to the log, the parts before it read the
         * same. */
        cJSON *logs = cJSON_AddObjectToObject(root, "sessions");
        for (int i = 0; i < st->nlogs; i++) {
                cJSON *list = cJSON_AddArrayToObject(logs, st->logs[i].zone_id);
                for (int j = 0; j < st->logs[i].n; j++)
                        cJSON_AddItemToArray(list, session_to_json(
                                                     &st->logs[i].r[j]));
        }
        out = cJSON_Print(root);
        cJSON_Delete(root);
        return out;
}

const struct zone_tuning *state_find_tuning(const struct state_data *st,
                                            const char *zone_id)
{
        for (int i = 0; i < st->ntunings; i++)
                if (strcmp(st->tunings[i].zone_id, zone_id) == 0)
                        return &st->tunings[i].t;
        return NULL;
}

int state_put_tuning(struct state_data *st, const char *zone_id,
                     const struct zone_tuning *t)
{
        int i = 0;

        while (i < st->ntunings && strcmp(st->tunings[i].zone_id, zone_id))
                i++;
        if (i == STATE_MAX_TUNINGS)
                return -ENOSPC;
        if (i == st->ntunings)
                st->ntunings++;
        snprintf(st->tunings[i].zone_id, STATE_ID_MAX, "%s", zone_id);
        st->tunings[i].t = *t;
        st->tunings[i].t.valid = true;
        return 0;
}

const struct state_zone *state_find_zone(const struct state_data *st,
                                         const char *zone_id)
{
        for (int i = 0; i < st->nzones; i++)
                if (strcmp(st->zones[i].zone_id, zone_id) == 0)
                        return &st->zones[i];
        return NULL;
}

int state_put_zone(struct state_data *st, const struct state_zone *z)
{
        int i = 0;

        while (i < st->nzones && strcmp(st->zones[i].zone_id, z->zone_id))
                i++;
        if (i == STATE_MAX_ZONES)
                return -ENOSPC;
        if (i == st->nzones)
                st->nzones++;
        st->zones[i] = *z;
        return 0;
}

const struct state_log *state_find_log(const struct state_data *st,
                                       const char *zone_id)
{
        for (int i = 0; i < st->nlogs; i++)
                if (strcmp(st->logs[i].zone_id, zone_id) == 0)
                        return &st->logs[i];
        return NULL;
}

int state_put_log(struct state_data *st, const struct state_log *l)
{
        int i = 0;

        while (i < st->nlogs && strcmp(st->logs[i].zone_id, l->zone_id))
                i++;
        if (i == STATE_MAX_ZONES)
                return -ENOSPC;
        if (i == st->nlogs)
                st->nlogs++;
        st->logs[i] = *l;
        return 0;
}

/* A whole number of seconds the file may hold, within [min, max]. Anything
 * else (1e80, found by fuzzing) would not fit the cast to time_t, which is
 * undefined behaviour. */
static bool is_whole(const cJSON *v, double min, double max)
{
        return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
               v->valuedouble == floor(v->valuedouble) &&
               v->valuedouble >= min && v->valuedouble <= max;
}

static bool is_state_time(const cJSON *v)
{
        return is_whole(v, (double)GUIDANCE_TIME_MIN, (double)GUIDANCE_TIME_MAX);
}

/* What was set aside, one part after another, into err. */
struct notes {
        char *buf;
        size_t len;
        int n;
};

static void note(struct notes *n, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void note(struct notes *n, const char *fmt, ...)
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
                .model = { v[0], v[1], v[2], v[3] },
                .kp = v[4], .ki = v[5], .kd = v[6], .ku = v[7], .tu_s = v[8],
                .when = (time_t)v[9],
        };
        parse_check(z, ret);
        if (!(ret->model.gain_c > 0 && ret->model.tau_s > 0 &&
              ret->model.dead_s >= 0 && ret->kp >= 0 && ret->kp <= 10 &&
              ret->ki >= 0 && ret->ki <= 1 && ret->kd >= 0 && ret->kd <= 1000))
                return -EINVAL;
        return 0;
}

static void parse_tunings(const cJSON *tun, struct state_data *st,
                          struct notes *n)
{
        const cJSON *z;

        if (!cJSON_IsObject(tun)) {
                note(n, "tuning is not an object: set aside");
                return;
        }
        cJSON_ArrayForEach(z, tun) {
                struct zone_tuning t;
                if (strlen(z->string) >= STATE_ID_MAX ||
                    parse_tuning(z, &t) < 0) {
                        note(n, "tuning.%.40s is not a valid tuning: set "
                             "aside", z->string);
                        continue;
                }
                if (state_put_tuning(st, z->string, &t) < 0)
                        note(n, "tuning.%.40s: more than %d tunings: set "
                             "aside", z->string, STATE_MAX_TUNINGS);
        }
}

/* Entry by entry: one out of range is set aside, the others kept. */
static void parse_schedule(const cJSON *list, struct state_data *st,
                           struct notes *n)
{
        const cJSON *e;
        int i = 0;

        if (!cJSON_IsArray(list)) {
                note(n, "schedule is not a list: set aside");
                return;
        }
        cJSON_ArrayForEach(e, list) {
                cJSON *one = cJSON_CreateArray();
                struct schedule s;
                char why[160];

                cJSON_AddItemReferenceToArray(one, (cJSON *)e);
                if (st->schedule.n >= SCHEDULE_MAX)
                        note(n, "schedule[%d]: more than %d entries: set aside",
                             i, SCHEDULE_MAX);
                else if (schedule_parse(one, NULL, &s, why, sizeof(why)) < 0)
                        note(n, "schedule[%d]%s: set aside", i, why + 3);
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
                         struct notes *n)
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
                note(n, "record is missing");
                r->unreadable = true;
                return;
        }
        if (!cJSON_IsObject(rec)) {
                note(n, "record is not an object");
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
                        note(n, "record.%.40s is not a field this version "
                             "knows", k);
                        confirm = true;
                        continue;
                }
                if (seen & bit) {
                        note(n, "record.%.40s: duplicate key", k);
                        confirm = true;
                        continue;
                }
                seen |= bit;
                if (i < 7) {
                        if (cJSON_IsBool(v)) {
                                *dest[i] = cJSON_IsTrue(v);
                        } else {
                                note(n, "record.%s is not true or false", k);
                                confirm = true;
                        }
                } else if (bit == 1u << 7) {
                        if (is_state_time(v)) {
                                r->acute_at = (time_t)v->valuedouble;
                                have_at = true;
                        } else {
                                note(n, "record.acute_at is not a time");
                                confirm = true;
                        }
                } else {
                        if (is_whole(v, 0, (double)GUIDANCE_TIME_MAX * 2)) {
                                st->hold_left_s = (long long)v->valuedouble;
                                have_left = true;
                        } else {
                                note(n, "record.window_left_s is not a number "
                                     "of seconds");
                                confirm = true;
                        }
                }
        }
        if (r->acute && !have_at && !confirm) {
                note(n, "record.acute_at is missing");
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
                       struct notes *n)
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
                         is_whole(v, 1, SESSION_HARD_CAP_MIN))
                        sz.minutes = (int)v->valuedouble;
                else if (strcmp(k, "energy_kwh") == 0 && num &&
                         v->valuedouble >= 0 && v->valuedouble <= 1e9)
                        sz.energy_kwh = v->valuedouble;
                else
                        note(n, "zones.%.40s.%.40s is not a value this "
                             "version reads: set aside", z->string, k);
        }
        if (state_put_zone(st, &sz) < 0)
                note(n, "zones.%.40s: more than %d zones: set aside",
                     z->string, STATE_MAX_ZONES);
}

static void parse_zones(const cJSON *zones, struct state_data *st,
                        struct notes *n)
{
        const cJSON *z;

        if (!cJSON_IsObject(zones)) {
                note(n, "zones is not an object: set aside");
                return;
        }
        cJSON_ArrayForEach(z, zones) {
                if (!cJSON_IsObject(z) || strlen(z->string) >= CONFIG_NAME_MAX)
                        note(n, "zones.%.40s is not an object: set aside",
                             z->string);
                else
                        parse_zone(z, st, n);
        }
}

static bool is_word(const cJSON *v, char *ret)
{
        if (!cJSON_IsString(v) || strlen(v->valuestring) >= SESSION_LOG_WORD)
                return false;
        snprintf(ret, SESSION_LOG_WORD, "%s", v->valuestring);
        return true;
}

static bool is_num_or_null(const cJSON *v, double *ret)
{
        if (cJSON_IsNull(v)) {
                *ret = NAN;
                return true;
        }
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
                return false;
        *ret = v->valuedouble;
        return true;
}

/* One past session: every key there once, each value sound, or the entry
 * is dropped. A key this version does not know drops it too, unless the
 * file comes from a newer version (which may have added one). */
static int parse_session(const cJSON *e, int version, struct session_rec *ret)
{
        static const char *const keys[] = { "started_at", "ended_at",
                "minutes", "setpoint_c", "peak_c", "end", "source", "on_s",
                "energy_wh" };
        struct session_rec r = { .peak_c = NAN, .energy_wh = NAN };
        unsigned seen = 0;
        const cJSON *v;

        if (!cJSON_IsObject(e))
                return -EINVAL;
        cJSON_ArrayForEach(v, e) {
                int k = 0;
                bool ok = true;

                while (k < 9 && strcmp(v->string, keys[k]))
                        k++;
                if (k == 9) {
                        if (version <= STATE_VERSION)
                                return -EINVAL;
                        continue;
                }
                if (seen & (1u << k))
                        return -EINVAL;         /* which one was meant? */
                seen |= 1u << k;
                switch (k) {
                case 0:
                case 1:
                        ok = is_whole(v, 0, 4102444800.0);
                        if (ok && k == 0)
                                r.started_at = (time_t)v->valuedouble;
                        else if (ok)
                                r.ended_at = (time_t)v->valuedouble;
                        break;
                case 2:
                        ok = is_whole(v, 1, SESSION_HARD_CAP_MIN);
                        if (ok)
                                r.minutes = (int)v->valuedouble;
                        break;
                case 3:
                        ok = cJSON_IsNumber(v) && isfinite(v->valuedouble);
                        if (ok)
                                r.setpoint_c = v->valuedouble;
                        break;
                case 4:
                        ok = is_num_or_null(v, &r.peak_c);
                        break;
                case 5:
                        ok = is_word(v, r.end);
                        break;
                case 6:
                        ok = is_word(v, r.source);
                        break;
                case 7:
                        ok = is_whole(v, 0, 1e9);
                        if (ok)
                                r.on_s = (uint64_t)v->valuedouble;
                        break;
                default:
                        ok = is_num_or_null(v, &r.energy_wh);
                        break;
                }
                if (!ok)
                        return -EINVAL;
        }
        if (seen != (1u << 9) - 1 || !session_rec_valid(&r))
                return -EINVAL;
        *ret = r;
        return 0;
}

/* Entry by entry: a damaged one is dropped alone, the others kept in
 * their order. A zone named twice keeps neither list. */
static void parse_sessions(const cJSON *logs, int ntop, struct state_data *st,
                           struct notes *n)
{
        const cJSON *z;

        if (ntop > 1) {
                note(n, "sessions: duplicate key: set aside");
                return;
        }
        if (!logs)
                return;         /* versions 1 to 4 */
        if (!cJSON_IsObject(logs)) {
                note(n, "sessions is not an object: set aside");
                return;
        }
        cJSON_ArrayForEach(z, logs) {
                struct state_log lg = { 0 };
                const cJSON *e;
                int i = 0;

                if (!cJSON_IsArray(z) || strlen(z->string) >= CONFIG_NAME_MAX) {
                        note(n, "sessions.%.40s is not a list: set aside",
                             z->string);
                        continue;
                }
                if (state_find_log(st, z->string)) {
                        note(n, "sessions.%.40s: duplicate key: set aside",
                             z->string);
                        for (int j = 0; j < st->nlogs; j++)
                                if (!strcmp(st->logs[j].zone_id, z->string))
                                        st->logs[j] = st->logs[--st->nlogs];
                        continue;
                }
                snprintf(lg.zone_id, sizeof(lg.zone_id), "%s", z->string);
                cJSON_ArrayForEach(e, z) {
                        if (lg.n == SESSION_LOG_MAX)
                                note(n, "sessions.%.40s[%d]: more than %d "
                                     "sessions: dropped", z->string, i,
                                     SESSION_LOG_MAX);
                        else if (parse_session(e, st->version, &lg.r[lg.n]) < 0)
                                note(n, "sessions.%.40s[%d] is not a valid "
                                     "session: dropped", z->string, i);
                        else
                                lg.n++;
                        i++;
                }
                if (state_put_log(st, &lg) < 0)
                        note(n, "sessions.%.40s: more than %d zones: set "
                             "aside", z->string, STATE_MAX_ZONES);
        }
}

static void parse_faults(const cJSON *faults, struct state_data *st,
                         struct notes *n)
{
        const cJSON *f;

        if (!faults)
                return;         /* version 1 */
        if (!cJSON_IsObject(faults)) {
                note(n, "faults is not an object");
                st->record.unreadable = true;
                return;
        }
        cJSON_ArrayForEach(f, faults) {
                enum safety_fault fault = cJSON_IsString(f) ?
                        safety_fault_parse(f->valuestring) : FAULT_NONE;
                if (fault == FAULT_NONE || strlen(f->string) >= CONFIG_NAME_MAX) {
                        note(n, "faults.%.40s is not a fault this version "
                             "knows", f->string);
                        st->record.unreadable = true;
                        continue;
                }
                if (st->nfaults >= CONFIG_MAX_ZONES) {
                        note(n, "faults.%.40s: more than %d faults", f->string,
                             CONFIG_MAX_ZONES);
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
        struct notes n = { err, errlen, 0 };
        cJSON *root = cJSON_Parse(json);
        const cJSON *ver;

        if (errlen)
                err[0] = '\0';
        if (!cJSON_IsObject(root)) {
                note(&n, root ? "not a JSON object" : "not valid JSON");
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
                note(&n, "%s: duplicate key", dup);
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
        if (!is_whole(ver, 1, 1e9)) {
                /* The parts are read as this version writes them, but
                 * what the file meant cannot be known. */
                note(&n, "no version number");
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
        parse_sessions(logs, nlogs, &st, &n);
        cJSON_Delete(logs);
        cJSON_Delete(root);
        *ret = st;
        return n.n ? -EINVAL : 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

static int fsync_dir_of(const char *path)
{
        char copy[PATH_MAX];
        int fd, r = 0;

        snprintf(copy, sizeof(copy), "%s", path);
        fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                r = -errno;
        close(fd);
        return r;
}

int state_save(const char *path, const struct state_data *st)
{
        char tmp[PATH_MAX];
        struct stat sb;
        char *json;
        int fd, r;

        /* The rename would replace a device or a symlink itself. */
        if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
                return -EPERM;
        json = state_to_json(st);
        if (!json)
                return -ENOMEM;
        if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
                free(json);
                return -ENAMETOOLONG;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
                r = -errno;
                free(json);
                return r;
        }
        /* A failed write of the last byte must stop the rename too: an
         * unsynced file must never replace the good one. */
        r = write_all(fd, json, strlen(json));
        if (r == 0)
                r = write_all(fd, "\n", 1);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        free(json);
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        return fsync_dir_of(path);
}

/* Copies the file at path to path + suffix, never over an earlier copy
 * (two bad starts in one second: that is someone's evidence too), and only
 * a regular file: a device or a symlink is not this daemon's to take
 * apart. 0 with the copy's name in ret, or -errno (-EPERM: not a regular
 * file). */
static int keep_copy(const char *path, const char *suffix, char *ret,
                     size_t retlen)
{
        struct stat sb;
        char chunk[8192];
        int in, out = -1, r = 0;
        ssize_t n;

        in = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (in < 0)
                return errno == ELOOP ? -EPERM : -errno;
        if (fstat(in, &sb) < 0 || !S_ISREG(sb.st_mode)) {
                close(in);
                return -EPERM;
        }
        for (int i = 0; i < 100 && out < 0; i++) {
                if (i == 0)
                        snprintf(ret, retlen, "%s%s", path, suffix);
                else
                        snprintf(ret, retlen, "%s%s-%d", path, suffix, i);
                out = open(ret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (out < 0 && errno != EEXIST)
                        break;
        }
        if (out < 0) {
                r = -errno;
                close(in);
                return r;
        }
        while (r == 0 && (n = read(in, chunk, sizeof(chunk))) != 0) {
                if (n < 0)
                        r = errno == EINTR ? 0 : -errno;
                else
                        r = write_all(out, chunk, (size_t)n);
        }
        if (r == 0 && fsync(out) < 0)
                r = -errno;
        if (close(out) < 0 && r == 0)
                r = -errno;
        close(in);
        if (r < 0)
                unlink(ret);
        return r;
}

static void append(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void append(char *err, size_t errlen, const char *fmt, ...)
{
        size_t used = strlen(err);
        va_list ap;

        if (used + 1 >= errlen)
                return;
        va_start(ap, fmt);
        vsnprintf(err + used, errlen - used, fmt, ap);
        va_end(ap);
}

int state_load(const char *path, struct state_data *ret, char *err,
               size_t errlen)
{
        char copy[PATH_MAX], suffix[48];
        char *buf;
        int r, c;

        memset(ret, 0, sizeof(*ret));
        ret->hold_left_s = -1;
        err[0] = '\0';
        r = slurp_file(path, STATE_MAX_BYTES, &buf);
        if (r == -EFBIG) {
                snprintf(err, errlen, "larger than %d bytes", STATE_MAX_BYTES);
                ret->record.unreadable = true;
                buf = NULL;
                r = -EINVAL;
        } else if (r < 0) {
                snprintf(err, errlen, "%s", strerror(-r));
                return r;
        } else {
                r = state_from_json(buf, ret, err, errlen);
        }
        if (r == -EINVAL) {
                snprintf(suffix, sizeof(suffix), ".corrupt-%lld",
                         (long long)time(NULL));
                c = keep_copy(path, suffix, copy, sizeof(copy));
                if (c == 0)
                        append(err, errlen, "; a copy of the file is kept "
                               "at %s", copy);
                else
                        append(err, errlen, "; no copy of the file kept: %s",
                               c == -EPERM ? "not a regular file" :
                               strerror(-c));
        }
        if (ret->version > STATE_VERSION) {
                /* Before this version's first write replaces it. */
                snprintf(suffix, sizeof(suffix), ".v%d", ret->version);
                c = keep_copy(path, suffix, copy, sizeof(copy));
                append(err, errlen, "%sversion %d is newer than this daemon "
                       "writes (%d): read what this version knows", err[0] ?
                       "; " : "", ret->version, STATE_VERSION);
                if (c == 0)
                        append(err, errlen, ", the file is kept at %s", copy);
                else
                        append(err, errlen, ", no copy kept (%s), so it is "
                               "not written over", c == -EPERM ?
                               "not a regular file" : strerror(-c));
                ret->keep_file = c < 0;
        }
        free(buf);
        return r;
}
