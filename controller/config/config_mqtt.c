/* config_mqtt.c: see config_mqtt.h. */
#include <stdio.h>
#include <string.h>

#include "config/cfgjson.h"
#include "config/config.h"
#include "config/config_keys.h"
#include "config/config_mqtt.h"

/* A topic prefix we build on: one or more levels, no wildcards, no empty
 * level, nothing a broker would refuse or a subscription would widen. */
static bool valid_topic_prefix(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || s[0] == '/' || s[n - 1] == '/' || strstr(s, "//"))
                return false;
        for (const char *p = s; *p; p++)
                if (*p == '+' || *p == '#' || (unsigned char)*p < 0x20)
                        return false;
        return true;
}

void config_mqtt_parse(const cJSON *obj, const struct config *cfg,
                       struct mqtt_cfg *ret, struct config_errors *errs)
{
        const char *path = "mqtt";
        char def_id[64];
        struct mqtt_cfg *m = ret;

        memset(m, 0, sizeof(*m));
        if (!obj)
                return;
        cfg_check_table_keys(obj, path, path, errs);
        m->enabled = cfg_key_bool(obj, path, "mqtt.enabled", errs);
        if (cfg_key_string(obj, path, "mqtt.host", m->host, sizeof(m->host),
                           errs) && !m->host[0])
                cfg_error(errs, path, "host", "must not be empty");
        cfg_key_string(obj, path, "mqtt.username", m->username,
                       sizeof(m->username), errs);
        if (cfg_key_string(obj, path, "mqtt.password", m->password,
                           sizeof(m->password), errs) && m->password[0] &&
            !m->username[0])
                cfg_error(errs, path, "password", "needs a username");
        cfg_key_string(obj, path, "mqtt.tls_ca_file", m->tls_ca_file,
                       sizeof(m->tls_ca_file), errs);
        m->port = (int)cfg_key_integer_or(obj, path, "mqtt.port",
                                          m->tls_ca_file[0] ? 8883 : 1883,
                                          errs);
        snprintf(def_id, sizeof(def_id), "heatpad-%s", cfg->device_id);
        if (cfg_key_string_or(obj, path, "mqtt.client_id", def_id,
                              m->client_id, sizeof(m->client_id), errs) &&
            !m->client_id[0])
                cfg_error(errs, path, "client_id", "must not be empty");
        if (cfg_key_string(obj, path, "mqtt.base_topic", m->base_topic,
                           sizeof(m->base_topic), errs) &&
            !valid_topic_prefix(m->base_topic))
                cfg_error(errs, path, "base_topic", "must be topic levels "
                          "without '+', '#' or empty levels");
        if (cfg_key_string(obj, path, "mqtt.discovery_prefix",
                           m->discovery_prefix, sizeof(m->discovery_prefix),
                           errs) && !valid_topic_prefix(m->discovery_prefix))
                cfg_error(errs, path, "discovery_prefix", "must be topic "
                          "levels without '+', '#' or empty levels");
        m->keepalive_s = (int)cfg_key_integer(obj, path, "mqtt.keepalive_s",
                                              errs);
}
