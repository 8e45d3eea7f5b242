/* mqtt_out.c: what the MQTT adapter publishes (states, the schedule, the
 * results, event echoes), through the wire (mqtt_priv.h) so that it runs
 * against a fake in the unit tests; mqtt.c holds the link itself. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/schedule.h"
#include "net/ha_state.h"
#include "net/mqtt.h"
#include "net/mqtt_priv.h"
#include "net/status_json.h"

void mqtt_log(struct mqtt *m, const char *level, const char *fmt, ...)
{
        char msg[384];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        /* Messages quote what a broker handed us: no control characters
         * into a text log (a forged line). */
        for (char *p = msg; *p; p++)
                if ((unsigned char)*p < 0x20)
                        *p = '?';
        port_log(m->port, level, "mqtt: %s", msg);
}

bool mqtt_publish(struct mqtt *m, const char *topic, const char *payload,
                  bool retain)
{
        if (m->link != LINK_UP)
                return false;   /* everything is published again on connect */
        int rc = m->wire->publish(m, NULL, topic, (int)strlen(payload),
                                  payload, 1, retain);
        if (rc != 0) {
                mqtt_log(m, "warning", "publish %s: %s", topic,
                         m->wire->strerror(rc));
                return false;
        }
        mqtt_flow_sent(&m->flow);
        return true;
}

bool mqtt_publish_json(struct mqtt *m, const char *topic, cJSON *o,
                       bool retain)
{
        char *s = cJSON_PrintUnformatted(o);
        bool sent = s && mqtt_publish(m, topic, s, retain);
        free(s);
        cJSON_Delete(o);
        return sent;
}


/* A command's answer: QoS 0, as mqtt_flow.h explains. */
bool mqtt_publish_result(struct mqtt *m, const char *topic, cJSON *o)
{
        char *s = cJSON_PrintUnformatted(o);
        int mid = 0, rc = -1;

        cJSON_Delete(o);
        if (s && m->link == LINK_UP)
                rc = m->wire->publish(m, &mid, topic, (int)strlen(s), s, 0,
                                      false);
        free(s);
        if (rc != 0)
                return false;
        mqtt_flow_result_sent(&m->flow, mid);
        return true;
}

static void zone_topic(const struct mqtt *m, char *buf, const char *zone,
                       const char *leaf)
{
        snprintf(buf, TOPIC_MAX, "%s/%s/%s", m->root, zone, leaf);
}

/* The zone's state, as Home Assistant's entities read it (ha_state.h). */
static void send_zone(struct mqtt *m, int i)
{
        const struct core *core = m->port->core;
        uint64_t now = port_now_ms(m->port);
        time_t wall = port_wall(m->port);
        char topic[TOPIC_MAX];
        cJSON *o = ha_state_zone(core, i, now, wall);

        mqtt_steady_end(m, i, o);
        zone_topic(m, topic, core->zones[i].cfg->id, "state");
        if (mqtt_publish_json(m, topic, o, true)) {
                m->zones[i].state_pending = m->zones[i].state_now = false;
                m->zones[i].sig = ha_zone_sig(core, i, now, wall);
                m->zones[i].sent = true;
        }
}

static void send_schedule(struct mqtt *m)
{
        char topic[TOPIC_MAX];

        snprintf(topic, sizeof(topic), "%s/schedule", m->root);
        if (mqtt_publish_json(m, topic, schedule_to_json(
                              &m->port->core->schedule), true))
                m->schedule_pending = false;
}

/* After a (re)start a state without the pad's temperature would be the
 * retained one Home Assistant reads: it waits for the first reading (or
 * the fault of a sensor that gives none). */
static bool state_ready(struct mqtt *m, int i)
{
        const struct core_zone *z = &m->port->core->zones[i];

        return z->safety.have_temp || z->safety.fault != FAULT_NONE ||
               port_now_ms(m->port) - m->opened_ms >= FIRST_READING_MS;
}

/* States, the guidance and the schedule echo are retained: only the newest
 * counts. So a batch of the loop (a read pass of many commands, a tick and
 * the service timer) sends each once, at its end, and while the
 * broker is behind (mqtt_flow.h) they wait, newest only, instead of
 * queueing without bound; a stop's state does not wait. A result is not
 * retained and answers one command, so it is sent at once or dropped
 * (mqtt_handle.c), a stop's at once. */
void mqtt_flush_pending(struct mqtt *m)
{
        if (m->link != LINK_UP || m->reading)
                return;
        for (int i = 0; i < m->port->core->nzones; i++)
                if (m->zones[i].state_pending && state_ready(m, i) &&
                    (m->zones[i].state_now || mqtt_flow_room(&m->flow)))
                        send_zone(m, i);
        if (m->guidance_pending)
                mqtt_send_guidance(m);
        if (m->schedule_pending && mqtt_flow_room(&m->flow))
                send_schedule(m);
}

void mqtt_publish_zone(struct mqtt *m, int i)
{
        m->zones[i].state_pending = true;
}

void mqtt_publish_zone_now(struct mqtt *m, int i)
{
        m->zones[i].state_now = true;
        mqtt_publish_zone(m, i);
}

void mqtt_publish_schedule(struct mqtt *m)
{
        m->schedule_pending = true;
}

void mqtt_publish_all_state(struct mqtt *m)
{
        for (int i = 0; i < m->port->core->nzones; i++)
                mqtt_publish_zone(m, i);
        mqtt_publish_guidance(m);
        m->last_publish_ms = port_now_ms(m->port);
        m->last_publish_real_ms = (double)port_real_ms(m->port);
}

void mqtt_on_event(struct mqtt *m, const struct core_event *ev)
{
        char topic[TOPIC_MAX];

        if (!m)
                return;
        switch (ev->type) {
        case EV_SESSION_START:
        case EV_SESSION_END:
        case EV_RELAY:
        case EV_FAULT:
        case EV_FAULT_CLEARED:
        case EV_AUTOTUNE:
                if (ev->zone >= 0)
                        mqtt_publish_zone(m, ev->zone);
                break;
        case EV_GUIDANCE:
        case EV_RECORD:
                mqtt_publish_all_state(m);
                break;
        case EV_SCHEDULE:
                mqtt_publish_schedule(m);
                break;
        case EV_SCHEDULE_RUN: {
                const struct core *core = m->port->core;
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "zone", ev->zone >= 0 ?
                        core->zones[ev->zone].cfg->id : "?");
                cJSON_AddBoolToObject(o, "ok", ev->reason &&
                                      strcmp(ev->reason, "started") == 0);
                cJSON_AddStringToObject(o, "code", ev->reason ? ev->reason : "");
                cJSON_AddStringToObject(o, "message", ev->detail ? ev->detail : "");
                cJSON_AddNumberToObject(o, "time", (double)port_wall(m->port));
                snprintf(topic, sizeof(topic), "%s/schedule/run", m->root);
                mqtt_publish_json(m, topic, o, false);
                break;
        }
        default:        /* the change check and the republish carry the rest */
                break;
        }
        m->wire->sync(m);
}

/* A bedside button's command has no MQTT reply of its own: its result
 * goes on the zone's result topic like an MQTT command's, with source
 * "button", so Home Assistant's result entity shows the press. Other
 * sources answer their own caller (MQTT's in mqtt_handle.c). A stop's
 * always goes; another is dropped while the broker is behind, as a
 * reply is, and while the link is down. */
static void send_results(struct mqtt *m)
{
        const struct core *core = m->port->core;
        char topic[TOPIC_MAX];

        if (m->reading)
                return;
        for (int i = 0; i < core->nzones; i++) {
                const struct core_last_cmd *l = &core->zones[i].last_cmd;
                struct mqtt_zone *mz = &m->zones[i];

                if (l->seq == mz->result_seq)
                        continue;
                mz->result_seq = l->seq;
                if (l->src != SRC_BUTTON || m->link != LINK_UP)
                        continue;
                bool stop = l->kind == CMD_STOP || l->kind == CMD_STOP_ALL;
                cJSON *o = status_last_json(l);
                if (!stop && !mqtt_flow_result_room(&m->flow)) {
                        mqtt_flow_result_dropped(&m->flow);
                        cJSON_Delete(o);
                        continue;
                }
                snprintf(topic, sizeof(topic), "%s/%s/result", m->root,
                         core->zones[i].cfg->id);
                mqtt_publish_result(m, topic, o);
        }
}

void mqtt_after_batch(struct mqtt *m)
{
        if (!m)
                return;
        send_results(m);
        mqtt_flush_pending(m);
        m->wire->sync(m);
}
