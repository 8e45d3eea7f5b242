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
        return o;
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
