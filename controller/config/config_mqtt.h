/* config_mqtt.h: the "mqtt" section of the configuration.
 *
 * No "mqtt" key means MQTT is off. With it, host is required and the rest
 * has defaults (README.md, "MQTT and Home Assistant"). Like the rest of
 * the config, unknown keys are errors and each problem names its key.
 * Pure: no file is opened here (a TLS CA file is checked when the daemon
 * connects). */
#ifndef HEATPAD_CONFIG_MQTT_H
#define HEATPAD_CONFIG_MQTT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#define MQTT_TOPIC_PART_MAX 64

struct config_errors;

struct mqtt_cfg {
        bool enabled;
        char host[128];
        int port;                       /* default 1883, 8883 with TLS */
        char username[64];
        char password[128];
        char tls_ca_file[256];          /* empty: no TLS */
        char client_id[64];             /* default "heatpad-<device_id>" */
        char base_topic[MQTT_TOPIC_PART_MAX];           /* default "heatpad" */
        char discovery_prefix[MQTT_TOPIC_PART_MAX];     /* "homeassistant" */
        int keepalive_s;                /* default 30 */
};

struct config;

/* Parses obj (NULL: MQTT off) into ret, after cfg's device_id (the
 * default client id is "heatpad-<device_id>"; config.c keeps zone ids off
 * the topic words). Problems are appended to errs as "mqtt.<key>: why". */
void config_mqtt_parse(const cJSON *obj, const struct config *cfg,
                       struct mqtt_cfg *ret, struct config_errors *errs);

#endif
