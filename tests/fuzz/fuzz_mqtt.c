/* Fuzzes what a broker hands us: the JSON command, Home Assistant's mode
 * and temperature payloads (exact-size buffers, no NUL), and the topic
 * parser (input split at the first newline into root and topic). */
#include <math.h>

#include "fuzz.h"
#include "net/mqtt_cmd.h"
#include "core/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct mqtt_cmd cmd;
        struct core_reply err;
        double t;
        char *payload = malloc(size ? size : 1);

        if (!payload)
                abort();
        memcpy(payload, data, size);
        if (mqtt_cmd_parse(payload, size, &cmd, &err) == 0) {
                if (memchr(cmd.id, '\0', sizeof(cmd.id)) == NULL)
                        abort();        /* id not terminated */
        } else if (err.code[0] == '\0') {
                abort();
        }
        (void)mqtt_mode_parse(payload, size, &cmd, &err);
        if (mqtt_temp_parse(payload, size, &t, &err) == 0 && !isfinite(t))
                abort();                /* "nan" or "inf" taken as a setpoint */
        int v;
        if (mqtt_preset_parse(payload, size, &v, &err) == 0 &&
            (v < -1 || v >= CONFIG_PRESETS))
                abort();
        if (mqtt_minutes_parse(payload, size, &v, &err) == 0 &&
            (v < 1 || v > SESSION_HARD_CAP_MIN))
                abort();
        free(payload);

        char *text = fuzz_strndup(data, size);
        char *nl = strchr(text, '\n');
        const char *root = "heatpad/dev", *topic = text;
        char zone[32];
        if (nl) {
                *nl = '\0';
                root = text;
                topic = nl + 1;
        }
        if (mqtt_topic_parse(root, topic, zone, sizeof(zone)) != TOPIC_NONE &&
            memchr(zone, '\0', sizeof(zone)) == NULL)
                abort();
        free(text);
        return 0;
}
