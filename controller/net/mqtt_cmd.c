/* mqtt_cmd.c: see mqtt_cmd.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config/cfgjson.h"
#include "net/mqtt_cmd.h"
#include "core/session.h"

static int refuse(struct core_reply *r, const char *code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int refuse(struct core_reply *r, const char *code, const char *fmt, ...)
{
        va_list ap;

        r->status = CORE_INVALID;
        snprintf(r->code, sizeof(r->code), "%s", code);
        va_start(ap, fmt);
        vsnprintf(r->message, sizeof(r->message), fmt, ap);
        va_end(ap);
        return -1;
}

enum mqtt_topic_kind mqtt_topic_parse(const char *root, const char *topic,
                                      char *zone, size_t zone_size)
{
        size_t rl = strlen(root);

        if (strncmp(topic, root, rl) != 0 || topic[rl] != '/')
                return TOPIC_NONE;
        const char *seg = topic + rl + 1;
        const char *slash = strchr(seg, '/');
        if (!slash || slash == seg || (size_t)(slash - seg) >= zone_size)
                return TOPIC_NONE;
        for (const char *p = seg; p < slash; p++)
                if ((unsigned char)*p < 0x20)
                        return TOPIC_NONE;      /* echoed into topics, logs */
        memcpy(zone, seg, (size_t)(slash - seg));
        zone[slash - seg] = '\0';
        const char *rest = slash + 1;
        if (strcmp(rest, "set") == 0)
                return strcmp(zone, "schedule") == 0 ? TOPIC_SCHEDULE_SET :
                       TOPIC_ZONE_SET;
        if (strcmp(rest, "mode/set") == 0)
                return TOPIC_ZONE_MODE;
        if (strcmp(rest, "temperature/set") == 0)
                return TOPIC_ZONE_TEMP;
        if (strcmp(rest, "preset/set") == 0)
                return TOPIC_ZONE_PRESET;
        if (strcmp(rest, "minutes/set") == 0)
                return TOPIC_ZONE_MINUTES;
        return TOPIC_NONE;
}

/* The payload as a C string, or NULL (ret_err filled) when it is too large
 * or holds a NUL byte. The caller frees. */
static char *payload_text(const char *payload, size_t len,
                          struct core_reply *ret_err)
{
        char *s;

        if (len > MQTT_PAYLOAD_MAX) {
                refuse(ret_err, "too_large", "payload of %zu bytes is larger "
                       "than %d", len, MQTT_PAYLOAD_MAX);
                return NULL;
        }
        if (len && memchr(payload, '\0', len)) {
                refuse(ret_err, "bad_json", "payload holds a NUL byte");
                return NULL;
        }
        s = malloc(len + 1);
        if (!s) {
                refuse(ret_err, "no_memory", "out of memory");
                return NULL;
        }
        if (len)
                memcpy(s, payload, len);
        s[len] = '\0';
        return s;
}

static const char *const cmd_keys[] = {
        "action", "minutes", "setpoint_c", "id", NULL
};

static int parse_fields(const cJSON *root, struct mqtt_cmd *cmd,
                        struct core_reply *ret_err)
{
        const cJSON *item;

        if (!cJSON_IsObject(root))
                return refuse(ret_err, "bad_request", "a command must be a "
                              "JSON object such as {\"action\":\"stop\"}");
        cJSON_ArrayForEach(item, root) {
                bool known = false;
                for (const char *const *k = cmd_keys; *k; k++)
                        known |= strcmp(item->string, *k) == 0;
                if (!known)
                        return refuse(ret_err, "bad_request", "%.64s: unknown "
                                      "key", item->string);
        }
        const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "action");
        const cJSON *min = cJSON_GetObjectItemCaseSensitive(root, "minutes");
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(root, "setpoint_c");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");

        if (!act)
                return refuse(ret_err, "bad_request", "action is required "
                              "(start, stop or clear_fault)");
        if (!cJSON_IsString(act))
                return refuse(ret_err, "bad_request", "action must be a "
                              "string");
        if (strcmp(act->valuestring, "start") == 0)
                cmd->action = MQTT_START;
        else if (strcmp(act->valuestring, "stop") == 0)
                cmd->action = MQTT_STOP;
        else if (strcmp(act->valuestring, "clear_fault") == 0)
                cmd->action = MQTT_CLEAR_FAULT;
        else if (strcmp(act->valuestring, "autotune") == 0)
                cmd->action = MQTT_AUTOTUNE;
        else
                return refuse(ret_err, "unknown_action", "unknown action "
                              "'%.32s' (start, stop, clear_fault or autotune)",
                              act->valuestring);
        if ((min || sp) && cmd->action != MQTT_START)
                return refuse(ret_err, "bad_request", "minutes and setpoint_c "
                              "only go with start");
        if (min) {
                if (!cJSON_IsNumber(min) || !isfinite(min->valuedouble) ||
                    min->valuedouble != floor(min->valuedouble))
                        return refuse(ret_err, "bad_request", "minutes must "
                                      "be a whole number");
                if (min->valuedouble < 1 || min->valuedouble > SESSION_HARD_CAP_MIN)
                        return refuse(ret_err, "out_of_range", "minutes must "
                                      "be between 1 and %d",
                                      SESSION_HARD_CAP_MIN);
                cmd->minutes = (int)min->valuedouble;
        }
        if (sp) {
                if (!cJSON_IsNumber(sp) || !isfinite(sp->valuedouble))
                        return refuse(ret_err, "bad_request", "setpoint_c must "
                                      "be a number");
                cmd->setpoint_c = sp->valuedouble;
        }
        if (id) {
                if (!cJSON_IsString(id) || !id->valuestring[0] ||
                    strlen(id->valuestring) > MQTT_CMD_ID_MAX)
                        return refuse(ret_err, "bad_request", "id must be a "
                                      "string of 1 to %d characters",
                                      MQTT_CMD_ID_MAX);
                snprintf(cmd->id, sizeof(cmd->id), "%s", id->valuestring);
        }
        return 0;
}

/* Whether an object says "action":"stop" anywhere: such a payload is a
 * stop whatever else is wrong with it (a key given twice, one that only
 * goes with start), because off is the safe way to read a broken command
 * and a stop is never refused. */
static bool says_stop(const cJSON *root, struct mqtt_cmd *cmd)
{
        const cJSON *item;
        bool stop = false;

        if (!cJSON_IsObject(root))
                return false;
        cJSON_ArrayForEach(item, root) {
                if (strcmp(item->string, "action") == 0 &&
                    cJSON_IsString(item) &&
                    strcmp(item->valuestring, "stop") == 0)
                        stop = true;
                else if (strcmp(item->string, "id") == 0 &&
                         cJSON_IsString(item) && item->valuestring[0] &&
                         strlen(item->valuestring) <= MQTT_CMD_ID_MAX &&
                         !cmd->id[0])
                        snprintf(cmd->id, sizeof(cmd->id), "%s",
                                 item->valuestring);
        }
        if (stop) {
                cmd->action = MQTT_STOP;
                cmd->minutes = 0;
                cmd->setpoint_c = NAN;
        }
        return stop;
}

int mqtt_cmd_parse(const char *payload, size_t len, struct mqtt_cmd *ret,
                   struct core_reply *ret_err)
{
        struct mqtt_cmd cmd = { .setpoint_c = NAN };
        char *text = payload_text(payload, len, ret_err);
        const char *end = NULL;
        cJSON *root;
        int r;

        if (!text)
                return -1;
        root = cJSON_ParseWithOpts(text, &end, true);
        if (!root) {
                r = refuse(ret_err, "bad_json", "not valid JSON (at byte %td)",
                           end ? end - text : (ptrdiff_t)0);
                free(text);
                return r;
        }
        char dup[160];
        if (cfg_find_duplicate(root, dup, sizeof(dup)))
                r = refuse(ret_err, "bad_request", "%s: duplicate key", dup);
        else
                r = parse_fields(root, &cmd, ret_err);
        if (r != 0) {
                struct mqtt_cmd stop = { .setpoint_c = NAN };
                if (says_stop(root, &stop)) {
                        cmd = stop;
                        r = 0;
                }
        }
        cJSON_Delete(root);
        free(text);
        if (r == 0)
                *ret = cmd;
        return r;
}

/* The payload without surrounding white space, into buf. */
static int plain_word(const char *payload, size_t len, char *buf, size_t size,
                      struct core_reply *ret_err)
{
        while (len && (*payload == ' ' || *payload == '\n' || *payload == '\t'
                       || *payload == '\r')) {
                payload++;
                len--;
        }
        while (len && (payload[len - 1] == ' ' || payload[len - 1] == '\n' ||
                       payload[len - 1] == '\t' || payload[len - 1] == '\r'))
                len--;
        if (len == 0 || len >= size || memchr(payload, '\0', len))
                return refuse(ret_err, "bad_request", "expected a short plain "
                              "value");
        memcpy(buf, payload, len);
        buf[len] = '\0';
        return 0;
}

int mqtt_mode_parse(const char *payload, size_t len, struct mqtt_cmd *ret,
                    struct core_reply *ret_err)
{
        char word[16];

        if (plain_word(payload, len, word, sizeof(word), ret_err) < 0)
                return -1;
        if (strcmp(word, "heat") == 0)
                *ret = (struct mqtt_cmd){ .action = MQTT_START,
                                          .setpoint_c = NAN };
        else if (strcmp(word, "off") == 0)
                *ret = (struct mqtt_cmd){ .action = MQTT_STOP,
                                          .setpoint_c = NAN };
        else
                return refuse(ret_err, "unknown_action", "mode must be heat "
                              "or off");
        return 0;
}

int mqtt_temp_parse(const char *payload, size_t len, double *ret,
                    struct core_reply *ret_err)
{
        char word[32], *end;

        if (plain_word(payload, len, word, sizeof(word), ret_err) < 0)
                return -1;
        double v = strtod(word, &end);
        if (*end || end == word || !isfinite(v))
                return refuse(ret_err, "bad_request", "temperature must be a "
                              "number");
        *ret = v;
        return 0;
}

int mqtt_preset_parse(const char *payload, size_t len, int *ret,
                      struct core_reply *ret_err)
{
        char word[16];

        if (plain_word(payload, len, word, sizeof(word), ret_err) < 0)
                return -1;
        if (strcmp(word, "none") == 0) {
                *ret = -1;
                return 0;
        }
        for (int i = 0; i < CONFIG_PRESETS; i++)
                if (strcmp(word, config_preset_names[i]) == 0) {
                        *ret = i;
                        return 0;
                }
        return refuse(ret_err, "unknown_action", "preset must be low, medium, "
                      "high or none");
}

int mqtt_minutes_parse(const char *payload, size_t len, int *ret,
                       struct core_reply *ret_err)
{
        double v;

        if (mqtt_temp_parse(payload, len, &v, ret_err) < 0 ||
            v != floor(v) || v < 1 || v > SESSION_HARD_CAP_MIN)
                return refuse(ret_err, "bad_request", "minutes must be a "
                              "whole number from 1 to %d", SESSION_HARD_CAP_MIN);
        *ret = (int)v;
        return 0;
}
