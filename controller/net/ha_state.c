/* ha_state.c: see ha_state.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "net/ha_state.h"
#include "core/quiet.h"
#include "net/status_json.h"

void ha_iso_time(time_t t, char *buf, size_t size)
{
        struct tm tm;

        if (!gmtime_r(&t, &tm) ||
            !strftime(buf, size, "%Y-%m-%dT%H:%M:%S+00:00", &tm))
                snprintf(buf, size, "None");
}

const char *ha_zone_action(const struct core *core, int zone)
{
        const struct core_zone *z = &core->zones[zone];

        if (!z->session.active)
                return "off";
        if (!z->relay_on)
                return "idle";
        return z->heatup.phase == HU_FULL ? "preheating" : "heating";
}

const char *ha_zone_preset(const struct core *core, int zone)
{
        const struct core_zone *z = &core->zones[zone];
        double t = z->session.active ? z->session.setpoint_c :
                   core_target_c(core, zone);

        for (int i = 0; i < CONFIG_PRESETS; i++)
                if (z->cfg->presets_c[i] == t)
                        return config_preset_names[i];
        return "none";
}

static int remaining_min(const struct core_zone *z, uint64_t now_ms)
{
        uint64_t left = session_remaining_ms(&z->session, now_ms);
        return (int)((left / 1000 + 59) / 60);
}

cJSON *ha_state_zone(const struct core *core, int zone, uint64_t now_ms,
                     time_t wall)
{
        const struct core_zone *z = &core->zones[zone];
        cJSON *o = status_zone_json(core, zone, now_ms, wall);
        const cJSON *ends = cJSON_GetObjectItem(o, "ends_at");
        char iso[32];

        cJSON_AddStringToObject(o, "mode", z->session.active ? "heat" : "off");
        cJSON_AddStringToObject(o, "action", ha_zone_action(core, zone));
        cJSON_AddNumberToObject(o, "target_c", z->session.active ?
                                z->session.setpoint_c : core_target_c(core, zone));
        cJSON_AddStringToObject(o, "preset", ha_zone_preset(core, zone));
        cJSON_AddNumberToObject(o, "minutes", core_minutes(core, zone));
        cJSON_AddNumberToObject(o, "remaining_min", remaining_min(z, now_ms));
        if (cJSON_IsNumber(ends)) {
                ha_iso_time((time_t)ends->valuedouble, iso, sizeof(iso));
                cJSON_AddStringToObject(o, "ends_at_iso", iso);
        } else {
                cJSON_AddNullToObject(o, "ends_at_iso");
        }
        cJSON_AddNumberToObject(o, "power_w", z->relay_on ? z->cfg->power_w : 0);
        cJSON_AddNumberToObject(o, "energy_kwh",
                                round(z->energy_wh) / 1000);
        cJSON_AddNumberToObject(o, "duty_pct", round(z->duty * 1000) / 10);
        cJSON_AddStringToObject(o, "guidance",
                guidance_kind_name(core_guidance(core, wall).kind));
        return o;
}

cJSON *ha_state_guidance(const struct core *core, time_t wall)
{
        cJSON *o = status_guidance_json(core, wall);
        const cJSON *at = cJSON_GetObjectItem(o, "heat_allowed_at");
        char iso[32];

        cJSON_AddBoolToObject(o, "quiet_hours",
                              quiet_active(&core->cfg->quiet, &core->tz, wall));
        if (cJSON_IsNumber(at)) {
                ha_iso_time((time_t)at->valuedouble, iso, sizeof(iso));
                cJSON_AddStringToObject(o, "heat_allowed_at_iso", iso);
        } else {
                cJSON_AddNullToObject(o, "heat_allowed_at_iso");
        }
        return o;
}

struct ha_zone_sig ha_zone_sig(const struct core *core, int zone,
                               uint64_t now_ms, time_t wall)
{
        const struct core_zone *z = &core->zones[zone];

        return (struct ha_zone_sig){
                .have_temp = z->safety.have_temp,
                .relay = z->relay_on,
                .session = z->session.active,
                .fault = z->safety.fault != FAULT_NONE,
                .temp_d = z->safety.have_temp ? lround(z->safety.temp_c * 10) : 0,
                .target_c = z->session.active ? z->session.setpoint_c :
                            core_target_c(core, zone),
                .minutes = core_minutes(core, zone),
                .remaining_min = remaining_min(z, now_ms),
                .action = ha_zone_action(core, zone),
                .guidance = (int)core_guidance(core, wall).kind,
                .energy_wh = lround(z->energy_wh),
        };
}

struct ha_guidance_sig ha_guidance_sig(const struct core *core, time_t wall)
{
        struct guidance g = core_guidance(core, wall);

        return (struct ha_guidance_sig){
                .kind = (int)g.kind,
                .blocked = g.heat_blocked,
                .quiet = quiet_active(&core->cfg->quiet, &core->tz, wall),
                .allowed_at = g.blocked_by == BLOCK_COLD_RULE ?
                              (long long)g.heat_allowed_at : 0,
        };
}

bool ha_zone_sig_equal(const struct ha_zone_sig *a, const struct ha_zone_sig *b)
{
        return a->have_temp == b->have_temp && a->relay == b->relay &&
               a->session == b->session && a->fault == b->fault &&
               a->temp_d == b->temp_d && a->target_c == b->target_c &&
               a->minutes == b->minutes &&
               a->remaining_min == b->remaining_min &&
               strcmp(a->action, b->action) == 0 &&
               a->guidance == b->guidance && a->energy_wh == b->energy_wh;
}

bool ha_guidance_sig_equal(const struct ha_guidance_sig *a,
                           const struct ha_guidance_sig *b)
{
        return a->kind == b->kind && a->blocked == b->blocked &&
               a->quiet == b->quiet && a->allowed_at == b->allowed_at;
}
