/* status_json.c: see status_json.h. */
#include <math.h>
#include <string.h>

#include "core/quiet.h"
#include "net/status_json.h"

static void add_num_or_null(cJSON *o, const char *key, bool have, double v)
{
        if (have)
                cJSON_AddNumberToObject(o, key, v);
        else
                cJSON_AddNullToObject(o, key);
}

cJSON *status_zone_json(const struct core *core, int zone, uint64_t now_ms,
                        time_t wall)
{
        const struct core_zone *z = &core->zones[zone];
        const struct zone_cfg *c = z->cfg;
        uint64_t left = session_remaining_ms(&z->session, now_ms);
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "id", c->id);
        cJSON_AddStringToObject(o, "name", c->name);
        /* A simulated pad heats nothing: say so wherever the zone shows. */
        cJSON_AddBoolToObject(o, "simulated", c->sensor.type == SENSOR_SIM ||
                              c->relay.type == RELAY_SIM);
        add_num_or_null(o, "temp_c", z->safety.have_temp,
                        round(z->safety.temp_c * 100) / 100);
        add_num_or_null(o, "setpoint_c", z->session.active, z->session.setpoint_c);
        cJSON_AddBoolToObject(o, "heating", z->session.active);
        cJSON_AddBoolToObject(o, "relay", z->relay_on);
        cJSON_AddBoolToObject(o, "session", z->session.active);
        cJSON_AddNumberToObject(o, "remaining_s", (double)(left / 1000));
        add_num_or_null(o, "ends_at", z->session.active,
                        (double)(wall + (time_t)((left + 999) / 1000)));
        cJSON_AddNumberToObject(o, "duty", round(z->duty * 1000) / 1000);
        /* The continuous exposure cap: heat left before a rest, and when a
         * fresh session is possible (null: now). */
        uint64_t cap_left = session_cap_left_ms(&z->session, c->max_minutes,
                                                now_ms);
        uint64_t fresh = session_fresh_at_ms(&z->session, now_ms);
        cJSON_AddNumberToObject(o, "cap_left_s", (double)(cap_left / 1000));
        add_num_or_null(o, "fresh_at", fresh > now_ms,
                        (double)(wall + (time_t)((fresh - now_ms + 999) / 1000)));
        if (z->safety.fault != FAULT_NONE) {
                cJSON_AddStringToObject(o, "fault",
                                        safety_fault_name(z->safety.fault));
                cJSON_AddStringToObject(o, "fault_help",
                                        safety_fault_help(z->safety.fault));
        } else {
                cJSON_AddNullToObject(o, "fault");
                cJSON_AddNullToObject(o, "fault_help");
        }
        cJSON *lim = cJSON_AddObjectToObject(o, "limits");
        cJSON_AddNumberToObject(lim, "min_setpoint_c", c->min_setpoint_c);
        cJSON_AddNumberToObject(lim, "max_setpoint_c", c->max_setpoint_c);
        cJSON_AddNumberToObject(lim, "max_minutes", c->max_minutes);
        cJSON_AddNumberToObject(lim, "cutoff_c", c->safety.cutoff_c);
        cJSON *def = cJSON_AddObjectToObject(o, "defaults");
        cJSON_AddNumberToObject(def, "minutes", c->default_minutes);
        cJSON_AddNumberToObject(def, "setpoint_c", c->default_setpoint_c);
        if (z->last_cmd.seq)
                cJSON_AddItemToObject(o, "last_command",
                                      status_last_json(&z->last_cmd));
        else
                cJSON_AddNullToObject(o, "last_command");
        const struct session_rec *last = session_log_get(&z->log, 0);
        if (last)
                cJSON_AddItemToObject(o, "last_session",
                                      status_session_json(last));
        else
                cJSON_AddNullToObject(o, "last_session");
        cJSON_AddItemToObject(o, "next_schedule",
                              status_next_schedule_json(core, zone, wall));
        return o;
}

cJSON *status_session_json(const struct session_rec *r)
{
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "started_at", (double)r->started_at);
        cJSON_AddNumberToObject(o, "ended_at", (double)r->ended_at);
        cJSON_AddNumberToObject(o, "minutes", r->minutes);
        cJSON_AddNumberToObject(o, "setpoint_c", r->setpoint_c);
        add_num_or_null(o, "peak_c", !isnan(r->peak_c),
                        round(r->peak_c * 100) / 100);
        cJSON_AddStringToObject(o, "end", r->end);
        cJSON_AddStringToObject(o, "source", r->source);
        cJSON_AddNumberToObject(o, "on_s", (double)r->on_s);
        add_num_or_null(o, "energy_wh", !isnan(r->energy_wh),
                        round(r->energy_wh * 100) / 100);
        return o;
}

cJSON *status_sessions_json(const struct core *core, int zone)
{
        const struct session_log *l = &core->zones[zone].log;
        cJSON *a = cJSON_CreateArray();

        for (int i = 0; i < session_log_count(l); i++)
                cJSON_AddItemToArray(a, status_session_json(
                                             session_log_get(l, i)));
        return a;
}

static int local_minute(const struct tm *tm)
{
        return tm->tm_hour * 60 + tm->tm_min;
}

/* Whether the clock reads start_min at t, on the day of month mday. */
static bool reads(const struct tz *tz, time_t t, int mday, int start_min)
{
        struct tm tm;

        tz_local(tz, t, &tm);
        return tm.tm_mday == mday && local_minute(&tm) == start_min;
}

/* When, in the local day that holds ref, the clock first reads
 * start_min:00 (the earlier of a repeated hour's two, when the schedule
 * fires); -1 when it never does that day (a start in the hour DST skips).
 * Corrections cover an offset that changes between ref and the start. */
static time_t local_time_on(const struct tz *tz, time_t ref, int start_min)
{
        struct tm day, tm;

        tz_local(tz, ref, &day);
        time_t t = ref - (time_t)(local_minute(&day) * 60 + day.tm_sec) +
                   (time_t)start_min * 60;
        for (int i = 0; i < 3; i++) {
                tz_local(tz, t, &tm);
                if (tm.tm_mday != day.tm_mday)
                        return -1;
                if (local_minute(&tm) == start_min) {
                        t -= tm.tm_sec;
                        return reads(tz, t - 3600, day.tm_mday, start_min) ?
                               t - 3600 : t;
                }
                t += (time_t)(start_min - local_minute(&tm)) * 60;
        }
        return -1;
}

cJSON *status_next_schedule_json(const struct core *core, int zone,
                                 time_t wall)
{
        const struct schedule *s = &core->schedule;
        const char *id = core->zones[zone].cfg->id;
        const struct schedule_entry *best = NULL;
        time_t best_at = 0;
        struct tm now;

        /* Local noon of each of the next eight days: a DST change moves
         * noon by an hour at most, never into another day. */
        tz_local(&core->tz, wall, &now);
        time_t noon = wall - (time_t)(local_minute(&now) * 60 + now.tm_sec) +
                      12 * 3600;
        for (int d = 0; d < 8; d++) {
                time_t ref = noon + (time_t)d * 86400;
                struct tm day;
                tz_local(&core->tz, ref, &day);
                int wday = (day.tm_wday + 6) % 7;       /* Monday = 0 */
                for (int i = 0; i < s->n; i++) {
                        const struct schedule_entry *e = &s->e[i];
                        if (!e->enabled || !(e->days & (1u << wday)) ||
                            strcmp(e->zone_id, id) != 0)
                                continue;
                        time_t at = local_time_on(&core->tz, ref, e->start_min);
                        if (at > wall && (!best || at < best_at)) {
                                best = e;
                                best_at = at;
                        }
                }
                if (best)
                        break;          /* a later day cannot be sooner */
        }
        if (!best)
                return cJSON_CreateNull();
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "at", (double)best_at);
        cJSON_AddNumberToObject(o, "minutes", best->minutes);
        cJSON_AddNumberToObject(o, "setpoint_c", best->setpoint_c);
        return o;
}

/* End reasons that say something of the person's record. */
static bool private_end(const char *end)
{
        static const char *const words[] = { "cold_rule", "warning_signs",
                "urgent_signs", "record_unreadable", NULL };

        for (const char *const *w = words; *w; w++)
                if (strcmp(end, *w) == 0)
                        return true;
        return false;
}

static void gate_session(cJSON *zone, bool full)
{
        cJSON *l = cJSON_GetObjectItem(zone, "last_session");
        const cJSON *end = cJSON_GetObjectItem(l, "end");

        if (!cJSON_IsObject(l))
                return;
        if (!full && cJSON_IsString(end) && private_end(end->valuestring))
                cJSON_ReplaceItemInObjectCaseSensitive(l, "end",
                                                       cJSON_CreateNull());
        cJSON_DeleteItemFromObjectCaseSensitive(l, "private");
        cJSON_AddBoolToObject(l, "private", !full);
}

void status_session_gate(cJSON *o, bool full)
{
        const cJSON *zones = cJSON_GetObjectItem(o, "zones");
        cJSON *z;

        if (!cJSON_IsObject(o))
                return;
        gate_session(o, full);
        cJSON_ArrayForEach(z, zones)
                gate_session(z, full);
}

cJSON *status_guidance_json(const struct core *core, time_t wall)
{
        struct guidance g = core_guidance(core, wall);
        const struct guidance_record *r = &core->record;
        cJSON *o = cJSON_CreateObject();
        char when[48];

        cJSON_AddStringToObject(o, "kind", guidance_kind_name(g.kind));
        cJSON_AddStringToObject(o, "title", guidance_title(g.kind));
        cJSON_AddStringToObject(o, "text", guidance_text(g.kind));
        cJSON_AddStringToObject(o, "disclaimer", guidance_disclaimer());
        cJSON_AddBoolToObject(o, "heat_blocked", g.heat_blocked);
        if (g.blocked_by != BLOCK_NONE)
                cJSON_AddStringToObject(o, "blocked_by",
                                        guidance_block_name(g.blocked_by));
        else
                cJSON_AddNullToObject(o, "blocked_by");
        cJSON_AddBoolToObject(o, "confirm_needed", r->unreadable);
        if (r->unreadable)
                cJSON_AddStringToObject(o, "confirm_reason",
                                        guidance_confirm_reason());
        else
                cJSON_AddNullToObject(o, "confirm_reason");
        /* A time only when the cold rule alone blocks: otherwise a person
         * must clear the signs or confirm. */
        bool until = g.blocked_by == BLOCK_COLD_RULE;
        add_num_or_null(o, "heat_allowed_at", until, (double)g.heat_allowed_at);
        if (until) {
                guidance_format_local(&core->tz, g.heat_allowed_at, when,
                                      sizeof(when));
                cJSON_AddStringToObject(o, "heat_allowed_at_local", when);
        } else {
                cJSON_AddNullToObject(o, "heat_allowed_at_local");
        }
        cJSON *rec = cJSON_AddObjectToObject(o, "record");
        cJSON_AddBoolToObject(rec, "acute", r->acute);
        add_num_or_null(rec, "acute_at", r->acute, (double)r->acute_at);
        cJSON_AddBoolToObject(rec, "injury", r->injury);
        cJSON_AddBoolToObject(rec, "swelling", r->swelling);
        cJSON_AddBoolToObject(rec, "pain_worsening", r->pain_worsening);
        cJSON_AddBoolToObject(rec, "nerve_signs", r->nerve_signs);
        cJSON_AddBoolToObject(rec, "urgent_signs", r->urgent_signs);
        return o;
}

/* Kept by name, so a key added to the guidance later stays private
 * until it is listed here. */
void status_guidance_gate(cJSON *g, bool full)
{
        static const char *const open[] = { "heat_blocked", "heat_allowed_at",
                "heat_allowed_at_local", "confirm_needed", "disclaimer", NULL };

        if (!cJSON_IsObject(g))
                return;
        for (cJSON *c = g->child, *next; !full && c; c = next) {
                bool keep = false;
                next = c->next;
                for (const char *const *k = open; *k && !keep; k++)
                        keep = c->string && strcmp(c->string, *k) == 0;
                if (!keep)
                        cJSON_Delete(cJSON_DetachItemViaPointer(g, c));
        }
        cJSON_DeleteItemFromObjectCaseSensitive(g, "private");
        cJSON_AddBoolToObject(g, "private", !full);
}

cJSON *status_json(const struct core *core, uint64_t now_ms, time_t wall)
{
        const struct quiet_hours *q = &core->cfg->quiet;
        cJSON *o = cJSON_CreateObject();
        char hhmm[6];

        cJSON_AddStringToObject(o, "device_id", core->cfg->device_id);
        cJSON_AddNumberToObject(o, "time", (double)wall);
        cJSON *qo = cJSON_AddObjectToObject(o, "quiet_hours");
        cJSON_AddBoolToObject(qo, "enabled", q->enabled);
        quiet_format_hhmm(q->start_min, hhmm);
        cJSON_AddStringToObject(qo, "start", hhmm);
        quiet_format_hhmm(q->end_min, hhmm);
        cJSON_AddStringToObject(qo, "end", hhmm);
        cJSON_AddBoolToObject(qo, "active", quiet_active(q, &core->tz, wall));
        cJSON *zones = cJSON_AddArrayToObject(o, "zones");
        for (int i = 0; i < core->nzones; i++)
                cJSON_AddItemToArray(zones, status_zone_json(core, i, now_ms, wall));
        cJSON_AddItemToObject(o, "guidance", status_guidance_json(core, wall));
        return o;
}

cJSON *status_reply_json(const struct core_reply *rep)
{
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", rep->status == CORE_OK);
        cJSON_AddStringToObject(o, "code", rep->code);
        cJSON_AddStringToObject(o, "message", rep->message);
        return o;
}

cJSON *status_last_json(const struct core_last_cmd *l)
{
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", l->status == CORE_OK);
        cJSON_AddStringToObject(o, "code", l->code);
        cJSON_AddStringToObject(o, "message", l->message);
        cJSON_AddStringToObject(o, "source", core_source_name(l->src));
        cJSON_AddNumberToObject(o, "at", (double)l->at);
        return o;
}

/* A refusal's code and message may name the person's record (the cold
 * rule, warning signs): kept only for a full reader. */
static void gate_last(cJSON *zone, bool full)
{
        cJSON *l = cJSON_GetObjectItem(zone, "last_command");

        if (full || !cJSON_IsObject(l) || cJSON_IsTrue(cJSON_GetObjectItem(l, "ok")))
                return;
        cJSON_DeleteItemFromObjectCaseSensitive(l, "code");
        cJSON_DeleteItemFromObjectCaseSensitive(l, "message");
}

void status_last_gate(cJSON *o, bool full)
{
        const cJSON *zones = cJSON_GetObjectItem(o, "zones");
        cJSON *z;

        if (!cJSON_IsObject(o))
                return;
        gate_last(o, full);
        cJSON_ArrayForEach(z, zones)
                gate_last(z, full);
}
