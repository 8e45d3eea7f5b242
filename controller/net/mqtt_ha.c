/* mqtt_ha.c: what the MQTT adapter publishes for Home Assistant beyond a
 * zone's state: the guidance, the discovery message (after reading the
 * one retained, to remove what is gone; clearing an earlier version's),
 * the change check behind "state within a second", a steady session end,
 * and the status page's address. See mqtt.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/ha_discovery.h"
#include "net/ha_state.h"
#include "net/mqtt_priv.h"

/* The status page, for the device's link in Home Assistant: its address,
 * or this host's name when it listens on every address; none when only
 * this host can reach it (loopback, the default). */
void mqtt_config_url(const struct config *cfg, char *buf, size_t size)
{
        const struct http_cfg *h = &cfg->http;
        char host[128];

        buf[0] = '\0';
        if (!h->enabled || h->port == 0 || strncmp(h->listen, "127.", 4) == 0 ||
            strcmp(h->listen, "::1") == 0)
                return;
        if (!h->listen[0] || strcmp(h->listen, "0.0.0.0") == 0 ||
            strcmp(h->listen, "::") == 0) {
                if (gethostname(host, sizeof(host)) < 0)
                        return;
                host[sizeof(host) - 1] = '\0';
        } else {
                snprintf(host, sizeof(host), "%s", h->listen);
        }
        snprintf(buf, size, strchr(host, ':') ? "http://[%s]:%d/" :
                 "http://%s:%d/", host, h->port);
}

/* The session's end in wall seconds is the monotonic end seen through a
 * wall clock read in whole seconds: it would wobble by a second from one
 * message to the next. The first one stands while the end does not move,
 * unless the wall clock stepped. */
void mqtt_steady_end(struct mqtt *m, int i, cJSON *o)
{
        const struct session *s = &m->port->core->zones[i].session;
        struct mqtt_zone *mz = &m->zones[i];
        cJSON *at = cJSON_GetObjectItem(o, "ends_at");
        char iso[32];

        if (!s->active || !cJSON_IsNumber(at))
                return;
        double v = at->valuedouble;
        if (s->ends_ms == mz->ends_ms && fabs(v - mz->ends_at) <= 2) {
                v = mz->ends_at;
                cJSON_SetNumberValue(at, v);
                ha_iso_time((time_t)v, iso, sizeof(iso));
                cJSON_ReplaceItemInObject(o, "ends_at_iso",
                                          cJSON_CreateString(iso));
        }
        mz->ends_ms = s->ends_ms;
        mz->ends_at = v;
}

void mqtt_publish_guidance(struct mqtt *m)
{
        m->guidance_pending = true;
}

void mqtt_send_guidance(struct mqtt *m)
{
        char topic[TOPIC_MAX];
        const struct core *core = m->port->core;

        snprintf(topic, sizeof(topic), "%s/guidance", m->root);
        if (mqtt_publish_json(m, topic, ha_state_guidance(core,
                              port_wall(m->port)), true)) {
                m->gsig = ha_guidance_sig(core, port_wall(m->port));
                m->guidance_pending = false;
        }
}

/* What changed since the last state (ha_state.h): out within a service
 * period (250 ms). */
void mqtt_publish_changes(struct mqtt *m)
{
        const struct core *core = m->port->core;
        uint64_t now = port_now_ms(m->port);
        time_t wall = port_wall(m->port);

        for (int i = 0; i < core->nzones; i++) {
                struct ha_zone_sig sig = ha_zone_sig(core, i, now, wall);
                if (!m->zones[i].sent || !ha_zone_sig_equal(&sig,
                                                            &m->zones[i].sig))
                        m->zones[i].state_pending = true;
        }
        struct ha_guidance_sig g = ha_guidance_sig(core, wall);
        if (!ha_guidance_sig_equal(&g, &m->gsig))
                mqtt_publish_guidance(m);
}

void mqtt_publish_discovery(struct mqtt *m)
{
        char topic[TOPIC_MAX];
        char *s = ha_discovery_payload(m->cfg, m->version, m->config_url,
                                       m->disc_prev);

        ha_device_topic(m->cfg, topic, sizeof(topic));
        if (s && mqtt_publish(m, topic, s, true))
                m->disc_due = false;
        free(s);
}

bool mqtt_discovery_msg(struct mqtt *m, const struct mqtt_msg *msg)
{
        char topic[TOPIC_MAX];

        ha_device_topic(m->cfg, topic, sizeof(topic));
        if (strcmp(msg->topic, topic) == 0) {
                free(m->disc_prev);
                m->disc_prev = NULL;
                if (msg->payloadlen > 0 && msg->payloadlen <= 1 << 20 &&
                    (m->disc_prev = malloc((size_t)msg->payloadlen + 1))) {
                        memcpy(m->disc_prev, msg->payload,
                               (size_t)msg->payloadlen);
                        m->disc_prev[msg->payloadlen] = '\0';
                }
                return true;
        }
        if (!ha_discovery_is_legacy(m->cfg, msg->topic))
                return false;
        /* One message per entity, as before: cleared, so no entity of a
         * zone that is gone stays behind. The device message replaces the
         * rest. */
        if (msg->payloadlen > 0)
                mqtt_publish(m, msg->topic, "", true);
        return true;
}
