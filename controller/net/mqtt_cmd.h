/* mqtt_cmd.h: MQTT topics and command payloads, parsed without I/O.
 *
 * Everything a broker hands us is untrusted: this module turns a topic and
 * a payload into a command, or into a refusal with a stable code and a
 * sentence ("bad_json", "bad_request", "unknown_action", "too_large").
 * Nothing here touches the core, a socket or a clock, so it can be unit
 * tested and fuzzed on its own. Payloads need not be NUL-terminated. */
#ifndef HEATPAD_MQTT_CMD_H
#define HEATPAD_MQTT_CMD_H

#include <stddef.h>

#include "core/core.h"

/* Larger payloads are refused before they are parsed. */
#define MQTT_PAYLOAD_MAX (16 * 1024)
#define MQTT_CMD_ID_MAX 64

enum mqtt_action { MQTT_START, MQTT_STOP, MQTT_CLEAR_FAULT, MQTT_AUTOTUNE };

/* {"action":"start","minutes":20,"setpoint_c":40,"id":"abc"} */
struct mqtt_cmd {
        enum mqtt_action action;
        int minutes;                    /* 0: the zone's default */
        double setpoint_c;              /* NAN: the zone's default */
        char id[MQTT_CMD_ID_MAX + 1];   /* optional, "" when absent */
};

/* What a topic under <base>/<device_id>/ asks for. */
enum mqtt_topic_kind {
        TOPIC_NONE,             /* not ours to act on */
        TOPIC_ZONE_SET,         /* <zone>/set: a JSON command */
        TOPIC_ZONE_MODE,        /* <zone>/mode/set: "heat" or "off" (HA) */
        TOPIC_ZONE_TEMP,        /* <zone>/temperature/set: "40.5" (HA) */
        TOPIC_ZONE_PRESET,      /* <zone>/preset/set: "low".."high" (HA) */
        TOPIC_ZONE_MINUTES,     /* <zone>/minutes/set: "25" (HA) */
        TOPIC_SCHEDULE_SET,     /* schedule/set: a JSON schedule list */
};

/* Splits topic after root ("<base>/<device_id>") into its kind and the
 * zone segment (copied into zone, at most zone_size-1 bytes; a longer
 * segment gives TOPIC_NONE). */
enum mqtt_topic_kind mqtt_topic_parse(const char *root, const char *topic,
                                      char *zone, size_t zone_size);

/* A JSON command. 0, or -1 with ret_err filled (CORE_INVALID and a code);
 * ret is untouched on failure. Unknown keys, keys given twice and wrong
 * types are refused, except in an object that says "action":"stop": that
 * is a stop whatever else is wrong with it. */
int mqtt_cmd_parse(const char *payload, size_t len, struct mqtt_cmd *ret,
                   struct core_reply *ret_err);

/* Home Assistant's climate mode: "heat" starts with the defaults, "off"
 * stops. 0 or -1 as above. */
int mqtt_mode_parse(const char *payload, size_t len, struct mqtt_cmd *ret,
                    struct core_reply *ret_err);

/* Home Assistant's target temperature: a plain number. 0 or -1 as above. */
int mqtt_temp_parse(const char *payload, size_t len, double *ret,
                    struct core_reply *ret_err);

/* Home Assistant's preset: the index in config_preset_names, or -1 for
 * "none". 0 or -1 as above. */
int mqtt_preset_parse(const char *payload, size_t len, int *ret,
                      struct core_reply *ret_err);

/* Home Assistant's session length: a whole number of minutes (1..the hard
 * cap; the zone's own limit is the core's). 0 or -1 as above. */
int mqtt_minutes_parse(const char *payload, size_t len, int *ret,
                       struct core_reply *ret_err);

#endif
