/* ha_disc_device.c: the device's own components in the discovery message
 * (see ha_discovery.h): the guidance and what blocks heat, from the
 * retained <root>/guidance topic (ha_state.c), and each schedule entry as
 * it comes due (started or skipped, and why), from <root>/schedule/run. */
#include "net/ha_disc_priv.h"

void ha_device_components(cJSON *cmps, const struct config *cfg,
                          const char *root)
{
        static const char *const kinds[] = { "heat", "cold", "consult",
                                             "urgent" };
        cJSON *o = ha_component(cmps, cfg, "guidance", "sensor", "guidance",
                                root);

        cJSON_AddStringToObject(o, "stat_t", "~/guidance");
        cJSON_AddStringToObject(o, "val_tpl", "{{ value_json.kind }}");
        cJSON_AddStringToObject(o, "dev_cla", "enum");
        ha_add_strings(o, "ops", kinds, 4);
        cJSON_AddStringToObject(o, "json_attr_t", "~/guidance");
        cJSON_AddStringToObject(o, "ic", "mdi:medical-bag");
        o = ha_component(cmps, cfg, "heat_blocked", "binary_sensor",
                         "heat blocked", root);
        cJSON_AddStringToObject(o, "stat_t", "~/guidance");
        cJSON_AddStringToObject(o, "val_tpl", "{{ 'ON' if "
                                "value_json.heat_blocked else 'OFF' }}");
        cJSON_AddStringToObject(o, "ic", "mdi:fire-off");
        o = ha_component(cmps, cfg, "quiet_hours", "binary_sensor",
                         "quiet hours", root);
        cJSON_AddStringToObject(o, "stat_t", "~/guidance");
        cJSON_AddStringToObject(o, "val_tpl", "{{ 'ON' if "
                                "value_json.quiet_hours else 'OFF' }}");
        cJSON_AddStringToObject(o, "ent_cat", "diagnostic");
        cJSON_AddStringToObject(o, "ic", "mdi:weather-night");
        o = ha_component(cmps, cfg, "heat_allowed_at", "sensor",
                         "heat allowed at", root);
        cJSON_AddStringToObject(o, "stat_t", "~/guidance");
        cJSON_AddStringToObject(o, "val_tpl",
                                "{{ value_json.heat_allowed_at_iso or 'None' }}");
        cJSON_AddStringToObject(o, "dev_cla", "timestamp");
        o = ha_component(cmps, cfg, "schedule_run", "event", "schedule",
                         root);
        cJSON_AddStringToObject(o, "stat_t", "~/schedule/run");
        ha_add_strings(o, "evt_typ", (const char *const[]){ "started",
                       "skipped" }, 2);
        cJSON_AddStringToObject(o, "val_tpl", "{{ {'event_type': 'started' "
                                "if value_json.ok else 'skipped', 'zone': "
                                "value_json.zone, 'code': value_json.code, "
                                "'message': value_json.message} | tojson }}");
        cJSON_AddStringToObject(o, "ic", "mdi:calendar-clock");
}
