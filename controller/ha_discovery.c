/* ha_discovery.c: see ha_discovery.h. Key names are those of Home
 * Assistant's MQTT climate, sensor and binary_sensor platforms. */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "ha_discovery.h"

void ha_root_topic(const struct config *cfg, char *buf, size_t size)
{
        snprintf(buf, size, "%s/%s", cfg->mqtt.base_topic, cfg->device_id);
}

static cJSON *device_json(const struct config *cfg, const char *version)
{
        cJSON *d = cJSON_CreateObject();
        cJSON *ids = cJSON_AddArrayToObject(d, "identifiers");
        char name[64];

        cJSON_AddItemToArray(ids, cJSON_CreateString(cfg->device_id));
        snprintf(name, sizeof(name), "heatpad %s", cfg->device_id);
        cJSON_AddStringToObject(d, "name", name);
        cJSON_AddStringToObject(d, "model", "heatpadd");
        cJSON_AddStringToObject(d, "manufacturer", "heatpad");
        cJSON_AddStringToObject(d, "sw_version", version);
        return d;
}

/* What every entity of the device shares: availability and the device. */
static cJSON *entity(const struct config *cfg, const char *version,
                     const char *root, const char *name, const char *uid)
{
        cJSON *o = cJSON_CreateObject();
        char t[200];

        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "unique_id", uid);
        snprintf(t, sizeof(t), "%s/availability", root);
        cJSON_AddStringToObject(o, "availability_topic", t);
        cJSON_AddStringToObject(o, "payload_available", "online");
        cJSON_AddStringToObject(o, "payload_not_available", "offline");
        cJSON_AddItemToObject(o, "device", device_json(cfg, version));
        return o;
}

static void emit(ha_publish_fn fn, void *ctx, const char *topic, cJSON *o)
{
        char *s = cJSON_PrintUnformatted(o);
        if (s)
                fn(ctx, topic, s);
        free(s);
        cJSON_Delete(o);
}

static void climate(const struct config *cfg, const char *version,
                    const char *root, int i, ha_publish_fn fn, void *ctx)
{
        const struct zone_cfg *z = &cfg->zones[i];
        char uid[80], t[240], state[200];

        snprintf(uid, sizeof(uid), "heatpad_%s_%s", cfg->device_id, z->id);
        snprintf(state, sizeof(state), "%s/%s/state", root, z->id);
        cJSON *o = entity(cfg, version, root, z->name, uid);
        cJSON *modes = cJSON_AddArrayToObject(o, "modes");
        cJSON_AddItemToArray(modes, cJSON_CreateString("off"));
        cJSON_AddItemToArray(modes, cJSON_CreateString("heat"));
        snprintf(t, sizeof(t), "%s/%s/mode/set", root, z->id);
        cJSON_AddStringToObject(o, "mode_command_topic", t);
        cJSON_AddStringToObject(o, "mode_state_topic", state);
        cJSON_AddStringToObject(o, "mode_state_template", "{{ value_json.mode }}");
        snprintf(t, sizeof(t), "%s/%s/temperature/set", root, z->id);
        cJSON_AddStringToObject(o, "temperature_command_topic", t);
        cJSON_AddStringToObject(o, "temperature_state_topic", state);
        cJSON_AddStringToObject(o, "temperature_state_template",
                                "{{ value_json.target_c }}");
        cJSON_AddStringToObject(o, "current_temperature_topic", state);
        cJSON_AddStringToObject(o, "current_temperature_template",
                                "{{ value_json.temp_c }}");
        cJSON_AddStringToObject(o, "action_topic", state);
        cJSON_AddStringToObject(o, "action_template", "{{ value_json.action }}");
        /* A simulated pad shows as one in Home Assistant too. */
        cJSON_AddStringToObject(o, "json_attributes_topic", state);
        cJSON_AddStringToObject(o, "json_attributes_template",
                                "{{ {'simulated': value_json.simulated} | "
                                "tojson }}");
        cJSON_AddNumberToObject(o, "min_temp", z->min_setpoint_c);
        cJSON_AddNumberToObject(o, "max_temp", z->max_setpoint_c);
        cJSON_AddNumberToObject(o, "temp_step", 0.5);
        cJSON_AddNumberToObject(o, "precision", 0.1);
        cJSON_AddStringToObject(o, "temperature_unit", "C");
        cJSON_AddNumberToObject(o, "qos", 1);
        snprintf(t, sizeof(t), "%s/climate/%s/%s/config",
                 cfg->mqtt.discovery_prefix, cfg->device_id, z->id);
        emit(fn, ctx, t, o);
}

static void remaining(const struct config *cfg, const char *version,
                      const char *root, int i, ha_publish_fn fn, void *ctx)
{
        const struct zone_cfg *z = &cfg->zones[i];
        char uid[96], name[64], t[240];

        snprintf(uid, sizeof(uid), "heatpad_%s_%s_remaining", cfg->device_id,
                 z->id);
        snprintf(name, sizeof(name), "%s remaining", z->name);
        cJSON *o = entity(cfg, version, root, name, uid);
        snprintf(t, sizeof(t), "%s/%s/state", root, z->id);
        cJSON_AddStringToObject(o, "state_topic", t);
        cJSON_AddStringToObject(o, "value_template",
                                "{{ value_json.remaining_min }}");
        cJSON_AddStringToObject(o, "unit_of_measurement", "min");
        cJSON_AddStringToObject(o, "device_class", "duration");
        cJSON_AddStringToObject(o, "icon", "mdi:timer-sand");
        snprintf(t, sizeof(t), "%s/sensor/%s/%s_remaining/config",
                 cfg->mqtt.discovery_prefix, cfg->device_id, z->id);
        emit(fn, ctx, t, o);
}

static void fault(const struct config *cfg, const char *version,
                  const char *root, int i, ha_publish_fn fn, void *ctx)
{
        const struct zone_cfg *z = &cfg->zones[i];
        char uid[96], name[64], t[240];

        snprintf(uid, sizeof(uid), "heatpad_%s_%s_fault", cfg->device_id, z->id);
        snprintf(name, sizeof(name), "%s fault", z->name);
        cJSON *o = entity(cfg, version, root, name, uid);
        snprintf(t, sizeof(t), "%s/%s/state", root, z->id);
        cJSON_AddStringToObject(o, "state_topic", t);
        cJSON_AddStringToObject(o, "value_template",
                                "{{ 'ON' if value_json.fault else 'OFF' }}");
        cJSON_AddStringToObject(o, "payload_on", "ON");
        cJSON_AddStringToObject(o, "payload_off", "OFF");
        cJSON_AddStringToObject(o, "device_class", "problem");
        cJSON_AddStringToObject(o, "json_attributes_topic", t);
        cJSON_AddStringToObject(o, "json_attributes_template",
                                "{{ {'fault': value_json.fault, 'help': "
                                "value_json.fault_help} | tojson }}");
        snprintf(t, sizeof(t), "%s/binary_sensor/%s/%s_fault/config",
                 cfg->mqtt.discovery_prefix, cfg->device_id, z->id);
        emit(fn, ctx, t, o);
}

static void guidance(const struct config *cfg, const char *version,
                     const char *root, ha_publish_fn fn, void *ctx)
{
        char uid[80], t[240];

        snprintf(uid, sizeof(uid), "heatpad_%s_guidance", cfg->device_id);
        cJSON *o = entity(cfg, version, root, "guidance", uid);
        snprintf(t, sizeof(t), "%s/guidance", root);
        cJSON_AddStringToObject(o, "state_topic", t);
        cJSON_AddStringToObject(o, "value_template", "{{ value_json.kind }}");
        cJSON_AddStringToObject(o, "device_class", "enum");
        cJSON *opts = cJSON_AddArrayToObject(o, "options");
        cJSON_AddItemToArray(opts, cJSON_CreateString("heat"));
        cJSON_AddItemToArray(opts, cJSON_CreateString("cold"));
        cJSON_AddItemToArray(opts, cJSON_CreateString("consult"));
        cJSON_AddItemToArray(opts, cJSON_CreateString("urgent"));
        cJSON_AddStringToObject(o, "json_attributes_topic", t);
        cJSON_AddStringToObject(o, "icon", "mdi:medical-bag");
        snprintf(t, sizeof(t), "%s/sensor/%s/guidance/config",
                 cfg->mqtt.discovery_prefix, cfg->device_id);
        emit(fn, ctx, t, o);
}

int ha_discovery_each(const struct config *cfg, const char *version,
                      ha_publish_fn fn, void *ctx)
{
        char root[160];

        ha_root_topic(cfg, root, sizeof(root));
        for (int i = 0; i < cfg->nzones; i++) {
                climate(cfg, version, root, i, fn, ctx);
                remaining(cfg, version, root, i, fn, ctx);
                fault(cfg, version, root, i, fn, ctx);
        }
        guidance(cfg, version, root, fn, ctx);
        return 3 * cfg->nzones + 1;
}
