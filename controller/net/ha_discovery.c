/* ha_discovery.c: see ha_discovery.h. The device, the origin, what every
 * component shares, and the removal of components that are gone; the
 * components themselves are ha_disc_zone.c's and ha_disc_device.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "net/ha_disc_priv.h"
#include "net/ha_discovery.h"

void ha_root_topic(const struct config *cfg, char *buf, size_t size)
{
        snprintf(buf, size, "%s/%s", cfg->mqtt.base_topic, cfg->device_id);
}

void ha_device_topic(const struct config *cfg, char *buf, size_t size)
{
        snprintf(buf, size, "%s/device/%s/config", cfg->mqtt.discovery_prefix,
                 cfg->device_id);
}

bool ha_discovery_is_legacy(const struct config *cfg, const char *topic)
{
        static const char *const platforms[] = { "climate/", "sensor/",
                "binary_sensor/", "number/", "button/", "event/" };
        size_t pl = strlen(cfg->mqtt.discovery_prefix);

        if (strncmp(topic, cfg->mqtt.discovery_prefix, pl) || topic[pl] != '/')
                return false;
        const char *p = topic + pl + 1;
        for (size_t i = 0; i < sizeof(platforms) / sizeof(*platforms); i++) {
                size_t n = strlen(platforms[i]), dl = strlen(cfg->device_id);
                if (strncmp(p, platforms[i], n) || strncmp(p + n,
                    cfg->device_id, dl) || p[n + dl] != '/')
                        continue;
                const char *obj = p + n + dl + 1, *slash = strchr(obj, '/');
                return slash && slash > obj && strcmp(slash, "/config") == 0;
        }
        return false;
}

cJSON *ha_component(cJSON *cmps, const struct config *cfg, const char *key,
                    const char *platform, const char *name, const char *base)
{
        cJSON *o = cJSON_AddObjectToObject(cmps, key);
        char uid[128];

        snprintf(uid, sizeof(uid), "heatpad_%s_%s", cfg->device_id, key);
        cJSON_AddStringToObject(o, "p", platform);
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "uniq_id", uid);
        cJSON_AddStringToObject(o, "~", base);
        cJSON_AddNumberToObject(o, "qos", 1);
        return o;
}

void ha_add_strings(cJSON *o, const char *key, const char *const *v, int n)
{
        cJSON *a = cJSON_AddArrayToObject(o, key);
        for (int i = 0; i < n; i++)
                cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
}

/* "heatpad" for the default device id, so entities read
 * climate.heatpad_upper_back, not climate.heatpad_heatpad_upper_back. */
static cJSON *device_json(const struct config *cfg, const char *version,
                          const char *config_url)
{
        cJSON *d = cJSON_CreateObject();
        char name[64];

        ha_add_strings(d, "ids", (const char *const[]){ cfg->device_id }, 1);
        if (strcmp(cfg->device_id, "heatpad") == 0)
                snprintf(name, sizeof(name), "heatpad");
        else
                snprintf(name, sizeof(name), "heatpad %s", cfg->device_id);
        cJSON_AddStringToObject(d, "name", name);
        cJSON_AddStringToObject(d, "mdl", "heatpadd");
        cJSON_AddStringToObject(d, "mf", "heatpad");
        cJSON_AddStringToObject(d, "sw", version);
        if (config_url && *config_url)
                cJSON_AddStringToObject(d, "cu", config_url);
        return d;
}

/* A component of prev not made now: its platform alone removes it in Home
 * Assistant. Kept so in later messages too (a Home Assistant that was
 * down at the removal still learns of it). */
static void mark_removed(cJSON *cmps, const char *prev)
{
        cJSON *old = prev ? cJSON_Parse(prev) : NULL;
        const cJSON *c, *pc = cJSON_GetObjectItemCaseSensitive(old, "cmps");

        cJSON_ArrayForEach(c, pc) {
                const cJSON *p = cJSON_GetObjectItemCaseSensitive(c, "p");
                if (!p)
                        p = cJSON_GetObjectItemCaseSensitive(c, "platform");
                if (!c->string || !cJSON_IsString(p) ||
                    cJSON_GetObjectItemCaseSensitive(cmps, c->string))
                        continue;
                cJSON *gone = cJSON_AddObjectToObject(cmps, c->string);
                cJSON_AddStringToObject(gone, "p", p->valuestring);
        }
        cJSON_Delete(old);
}

char *ha_discovery_payload(const struct config *cfg, const char *version,
                           const char *config_url, const char *prev)
{
        cJSON *o = cJSON_CreateObject();
        char root[160], t[HA_TOPIC_MAX];

        ha_root_topic(cfg, root, sizeof(root));
        cJSON_AddItemToObject(o, "dev", device_json(cfg, version, config_url));
        cJSON *orig = cJSON_AddObjectToObject(o, "o");
        cJSON_AddStringToObject(orig, "name", "heatpad");
        cJSON_AddStringToObject(orig, "sw", version);
        snprintf(t, sizeof(t), "%s/availability", root);
        cJSON_AddStringToObject(o, "avty_t", t);
        cJSON_AddStringToObject(o, "pl_avail", "online");
        cJSON_AddStringToObject(o, "pl_not_avail", "offline");
        cJSON *cmps = cJSON_AddObjectToObject(o, "cmps");
        for (int i = 0; i < cfg->nzones; i++)
                ha_zone_components(cmps, cfg, i, root);
        ha_device_components(cmps, cfg, root);
        mark_removed(cmps, prev);
        char *s = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        return s;
}
