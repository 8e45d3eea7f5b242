/* state.c: see state.h. The state's parts kept by zone id, and the file
 * written out as JSON; state_parse.c reads it back, state_file.c puts it
 * on disk and takes it off. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "daemon/state.h"

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
                if (t->model.coast_scale > 0)
                        cJSON_AddNumberToObject(z, "coast_scale",
                                                t->model.coast_scale);
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
