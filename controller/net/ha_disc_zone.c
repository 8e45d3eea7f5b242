/* ha_disc_zone.c: a zone's components in the discovery message (see
 * ha_discovery.h). Each reads the zone's retained state, <zone>/state, or
 * its command results, <zone>/result, whose fields ha_state.c writes. */
#include <stdio.h>

#include "net/ha_disc_priv.h"

struct zone_ctx {
        cJSON *cmps;
        const struct config *cfg;
        const struct zone_cfg *z;
        char base[HA_TOPIC_MAX];
};

/* cmps["<zone>_<what>"] (or cmps["<zone>"] when what is NULL), named
 * "<zone name> <label>". */
static cJSON *comp(const struct zone_ctx *c, const char *what,
                   const char *platform, const char *label)
{
        char key[96], name[96];

        snprintf(key, sizeof(key), "%s%s%s", c->z->id, what ? "_" : "",
                 what ? what : "");
        snprintf(name, sizeof(name), "%s%s%s", c->z->name, label ? " " : "",
                 label ? label : "");
        return ha_component(c->cmps, c->cfg, key, platform, name, c->base);
}

/* A sensor of one state field. */
static cJSON *sensor(const struct zone_ctx *c, const char *what,
                     const char *label, const char *tpl)
{
        cJSON *o = comp(c, what, "sensor", label);
        cJSON_AddStringToObject(o, "stat_t", "~/state");
        cJSON_AddStringToObject(o, "val_tpl", tpl);
        return o;
}

static void climate(const struct zone_ctx *c)
{
        static const char *const modes[] = { "off", "heat" };
        cJSON *o = comp(c, NULL, "climate", NULL);

        ha_add_strings(o, "modes", modes, 2);
        cJSON_AddStringToObject(o, "mode_cmd_t", "~/mode/set");
        cJSON_AddStringToObject(o, "mode_stat_t", "~/state");
        cJSON_AddStringToObject(o, "mode_stat_tpl", "{{ value_json.mode }}");
        cJSON_AddStringToObject(o, "temp_cmd_t", "~/temperature/set");
        cJSON_AddStringToObject(o, "temp_stat_t", "~/state");
        cJSON_AddStringToObject(o, "temp_stat_tpl", "{{ value_json.target_c }}");
        cJSON_AddStringToObject(o, "curr_temp_t", "~/state");
        cJSON_AddStringToObject(o, "curr_temp_tpl", "{{ value_json.temp_c }}");
        cJSON_AddStringToObject(o, "act_t", "~/state");
        cJSON_AddStringToObject(o, "act_tpl", "{{ value_json.action }}");
        /* A simulated pad shows as one in Home Assistant too. */
        cJSON_AddStringToObject(o, "json_attr_t", "~/state");
        cJSON_AddStringToObject(o, "json_attr_tpl", "{{ {'simulated': "
                                "value_json.simulated} | tojson }}");
        ha_add_strings(o, "pr_modes", config_preset_names, CONFIG_PRESETS);
        cJSON_AddStringToObject(o, "pr_mode_cmd_t", "~/preset/set");
        cJSON_AddStringToObject(o, "pr_mode_stat_t", "~/state");
        cJSON_AddStringToObject(o, "pr_mode_val_tpl", "{{ value_json.preset }}");
        cJSON_AddNumberToObject(o, "min_temp", c->z->min_setpoint_c);
        cJSON_AddNumberToObject(o, "max_temp", c->z->max_setpoint_c);
        cJSON_AddNumberToObject(o, "temp_step", 0.5);
        cJSON_AddNumberToObject(o, "precision", 0.1);
        cJSON_AddStringToObject(o, "temp_unit", "C");
}

/* What the pad gives: its temperature, and power and energy when the
 * zone declares the heater's power (the Energy dashboard reads energy). */
static void measurements(const struct zone_ctx *c)
{
        cJSON *o = sensor(c, "temperature", "temperature",
                          "{{ value_json.temp_c }}");
        cJSON_AddStringToObject(o, "dev_cla", "temperature");
        cJSON_AddStringToObject(o, "stat_cla", "measurement");
        cJSON_AddStringToObject(o, "unit_of_meas", "°C");
        cJSON_AddNumberToObject(o, "sug_dsp_prc", 1);
        if (c->z->power_w > 0) {
                o = sensor(c, "power", "power", "{{ value_json.power_w }}");
                cJSON_AddStringToObject(o, "dev_cla", "power");
                cJSON_AddStringToObject(o, "stat_cla", "measurement");
                cJSON_AddStringToObject(o, "unit_of_meas", "W");
                o = sensor(c, "energy", "energy", "{{ value_json.energy_kwh }}");
                cJSON_AddStringToObject(o, "dev_cla", "energy");
                cJSON_AddStringToObject(o, "stat_cla", "total_increasing");
                cJSON_AddStringToObject(o, "unit_of_meas", "kWh");
        }
        o = sensor(c, "duty", "duty", "{{ value_json.duty_pct }}");
        cJSON_AddStringToObject(o, "stat_cla", "measurement");
        cJSON_AddStringToObject(o, "unit_of_meas", "%");
        cJSON_AddStringToObject(o, "ent_cat", "diagnostic");
        cJSON_AddStringToObject(o, "ic", "mdi:gauge");
}

/* The session: when it ends (Home Assistant counts down to a timestamp),
 * minutes left, and the length of the next one. */
static void session(const struct zone_ctx *c)
{
        cJSON *o = sensor(c, "ends", "session end",
                          "{{ value_json.ends_at_iso or 'None' }}");
        cJSON_AddStringToObject(o, "dev_cla", "timestamp");
        o = sensor(c, "remaining", "remaining", "{{ value_json.remaining_min }}");
        cJSON_AddStringToObject(o, "dev_cla", "duration");
        cJSON_AddStringToObject(o, "unit_of_meas", "min");
        cJSON_AddStringToObject(o, "ic", "mdi:timer-sand");
        o = comp(c, "minutes", "number", "session length");
        cJSON_AddStringToObject(o, "cmd_t", "~/minutes/set");
        cJSON_AddStringToObject(o, "stat_t", "~/state");
        cJSON_AddStringToObject(o, "val_tpl", "{{ value_json.minutes }}");
        cJSON_AddNumberToObject(o, "min", 1);
        cJSON_AddNumberToObject(o, "max", c->z->max_minutes);
        cJSON_AddNumberToObject(o, "step", 1);
        cJSON_AddStringToObject(o, "mode", "box");
        cJSON_AddStringToObject(o, "dev_cla", "duration");
        cJSON_AddStringToObject(o, "unit_of_meas", "min");
        cJSON_AddStringToObject(o, "ent_cat", "config");
}

/* Buttons send the JSON commands of <zone>/set; the fault and each
 * command's result (a refusal with its reason, and where the command came
 * from: "mqtt", or "button" for the bedside button) come back. */
static void commands(const struct zone_ctx *c)
{
        static const char *const kinds[] = { "accepted", "refused" };
        cJSON *o = comp(c, "clear_fault", "button", "clear fault");

        cJSON_AddStringToObject(o, "cmd_t", "~/set");
        cJSON_AddStringToObject(o, "pl_prs", "{\"action\":\"clear_fault\"}");
        cJSON_AddStringToObject(o, "ic", "mdi:alert-remove");
        o = comp(c, "autotune", "button", "autotune");
        cJSON_AddStringToObject(o, "cmd_t", "~/set");
        cJSON_AddStringToObject(o, "pl_prs", "{\"action\":\"autotune\"}");
        cJSON_AddStringToObject(o, "ent_cat", "config");
        cJSON_AddStringToObject(o, "ic", "mdi:tune-variant");
        o = comp(c, "fault", "binary_sensor", "fault");
        cJSON_AddStringToObject(o, "stat_t", "~/state");
        cJSON_AddStringToObject(o, "val_tpl",
                                "{{ 'ON' if value_json.fault else 'OFF' }}");
        cJSON_AddStringToObject(o, "dev_cla", "problem");
        cJSON_AddStringToObject(o, "ent_cat", "diagnostic");
        cJSON_AddStringToObject(o, "json_attr_t", "~/state");
        cJSON_AddStringToObject(o, "json_attr_tpl", "{{ {'fault': "
                                "value_json.fault, 'help': value_json.fault_help}"
                                " | tojson }}");
        o = comp(c, "result", "event", "command");
        cJSON_AddStringToObject(o, "stat_t", "~/result");
        ha_add_strings(o, "evt_typ", kinds, 2);
        cJSON_AddStringToObject(o, "val_tpl", "{{ {'event_type': 'accepted' "
                                "if value_json.ok else 'refused', 'code': "
                                "value_json.code, 'message': "
                                "value_json.message, 'source': "
                                "value_json.source} | tojson }}");
        cJSON_AddStringToObject(o, "ic", "mdi:message-alert");
}

void ha_zone_components(cJSON *cmps, const struct config *cfg, int i,
                        const char *root)
{
        struct zone_ctx c = { cmps, cfg, &cfg->zones[i], "" };

        snprintf(c.base, sizeof(c.base), "%s/%s", root, c.z->id);
        climate(&c);
        measurements(&c);
        session(&c);
        commands(&c);
}
