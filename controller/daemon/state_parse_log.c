/* state_parse_log.c: the state file's session logs, read entry by entry:
 * a damaged entry is dropped alone, and nothing here is safety-relevant. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core/session.h"
#include "daemon/state_priv.h"

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
                        ok = state_is_whole(v, 0, 4102444800.0);
                        if (ok && k == 0)
                                r.started_at = (time_t)v->valuedouble;
                        else if (ok)
                                r.ended_at = (time_t)v->valuedouble;
                        break;
                case 2:
                        ok = state_is_whole(v, 1, SESSION_HARD_CAP_MIN);
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
                        ok = state_is_whole(v, 0, 1e9);
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
void state_parse_sessions(const cJSON *logs, int ntop, struct state_data *st,
                          struct state_notes *n)
{
        const cJSON *z;

        if (ntop > 1) {
                state_note(n, "sessions: duplicate key: set aside");
                return;
        }
        if (!logs)
                return;         /* versions 1 to 4 */
        if (!cJSON_IsObject(logs)) {
                state_note(n, "sessions is not an object: set aside");
                return;
        }
        cJSON_ArrayForEach(z, logs) {
                struct state_log lg = { 0 };
                const cJSON *e;
                int i = 0;

                if (!cJSON_IsArray(z) || strlen(z->string) >= CONFIG_NAME_MAX) {
                        state_note(n, "sessions.%.40s is not a list: set aside",
                                   z->string);
                        continue;
                }
                if (state_find_log(st, z->string)) {
                        state_note(n, "sessions.%.40s: duplicate key: set "
                                   "aside", z->string);
                        for (int j = 0; j < st->nlogs; j++)
                                if (!strcmp(st->logs[j].zone_id, z->string))
                                        st->logs[j] = st->logs[--st->nlogs];
                        continue;
                }
                snprintf(lg.zone_id, sizeof(lg.zone_id), "%s", z->string);
                cJSON_ArrayForEach(e, z) {
                        if (lg.n == SESSION_LOG_MAX)
                                state_note(n, "sessions.%.40s[%d]: more "
                                           "than %d sessions: dropped",
                                           z->string, i, SESSION_LOG_MAX);
                        else if (parse_session(e, st->version, &lg.r[lg.n]) < 0)
                                state_note(n, "sessions.%.40s[%d] is not a "
                                           "valid session: dropped",
                                           z->string, i);
                        else
                                lg.n++;
                        i++;
                }
                if (state_put_log(st, &lg) < 0)
                        state_note(n, "sessions.%.40s: more than %d zones: set "
                                   "aside", z->string, STATE_MAX_ZONES);
        }
}
