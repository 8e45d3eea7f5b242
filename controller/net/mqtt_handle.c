/* mqtt_handle.c: what arrives on MQTT: zone commands (JSON and the climate
 * entity's mode and temperature), schedules, and their replies. Parsing is
 * mqtt_cmd.c's; here the commands meet the core, and duplicates are caught.
 * A stop (a JSON stop, or the climate mode "off") is never one: it always
 * runs, even with an id seen before, even retained, and its answer and
 * the zone's state after it always go out (mqtt_flow.h). Stopping twice
 * changes nothing, so a redelivered stop costs nothing; a stop taken for a
 * duplicate could leave a pad heating. See mqtt.h for the topics. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "net/mqtt_priv.h"
#include "core/schedule.h"
#include "net/status_json.h"

/* A command's reply on topic, and its refusal in the log. In a flood the
 * reply is dropped while the broker does not read, and only the first
 * refusals of a window are logged one by one (mqtt_flow.h); both are
 * counted. */
static void send_reply(struct mqtt *m, const char *topic, cJSON *o,
                       const struct core_reply *rep, const char *what,
                       bool always)
{
        bool refused = rep->status != CORE_OK;

        if (mqtt_flow_command(&m->flow, refused,
                              (double)port_real_ms(m->port)))
                mqtt_log(m, "info", "%s refused (%s): %s", what, rep->code,
                         rep->message);
        if (always || mqtt_flow_result_room(&m->flow))
                mqtt_publish_result(m, topic, o);
        else {
                mqtt_flow_result_dropped(&m->flow);
                cJSON_Delete(o);
        }
}

/* The reply to a command, on <root>/<zone>/result; a stop's always goes. */
static void publish_result(struct mqtt *m, const char *zone,
                           const struct core_reply *rep, const char *id,
                           bool duplicate, bool stop)
{
        char topic[TOPIC_MAX], what[CONFIG_NAME_MAX + 16];
        cJSON *o = status_reply_json(rep);

        if (id && *id)
                cJSON_AddStringToObject(o, "id", id);
        if (duplicate)
                cJSON_AddBoolToObject(o, "duplicate", true);
        cJSON_AddStringToObject(o, "source", core_source_name(SRC_MQTT));
        snprintf(topic, sizeof(topic), "%s/%s/result", m->root, zone);
        snprintf(what, sizeof(what), "%s:", zone);
        send_reply(m, topic, o, rep, what, stop);
}

/* FNV-1a over topic and payload: recognises a redelivered command. */
static uint64_t hash_msg(const char *topic, const void *payload, size_t len)
{
        uint64_t h = 1469598103934665603ULL;
        for (const char *p = topic; *p; p++)
                h = (h ^ (uint8_t)*p) * 1099511628211ULL;
        for (size_t i = 0; i < len; i++)
                h = (h ^ ((const uint8_t *)payload)[i]) * 1099511628211ULL;
        return h;
}

/* Whether what cmd asked for still holds on the zone. */
static bool in_effect(const struct core_zone *z, const struct mqtt_cmd *cmd)
{
        switch (cmd->action) {
        case MQTT_START: return z->session.active;
        case MQTT_STOP: return !z->session.active;
        case MQTT_AUTOTUNE: return z->autotuning;
        default: return z->safety.fault == FAULT_NONE;
        }
}

/* A start or clear seen before (a stop never asks: see the top). QoS 1
 * may deliver twice; the second must not restart a session's timer. With
 * an id, the same id is the same command, whatever happened since (a
 * redelivered start must not undo a stop made elsewhere). Without one, the
 * same topic and payload as the last successful command within
 * DUP_WINDOW_MS, and only while its effect still holds: a start again
 * after a stop from the page is a new start. */
static bool is_duplicate(const struct mqtt_zone *mz, const struct core_zone *z,
                         const struct mqtt_cmd *cmd, uint64_t h, double now)
{
        if (cmd->id[0]) {
                for (int i = 0; i < IDS_KEPT; i++)
                        if (strcmp(mz->ids[i], cmd->id) == 0)
                                return true;
                return false;
        }
        return mz->last_hash == h && now - mz->last_at_ms < DUP_WINDOW_MS &&
               in_effect(z, cmd);
}

/* The answer to a command seen before: what holds now, not the first
 * answer again (its minutes left would be stale). */
static void describe_zone(struct mqtt *m, int zone, struct core_reply *rep)
{
        const struct core_zone *z = &m->port->core->zones[zone];
        unsigned long long left =
                (session_remaining_ms(&z->session, port_now_ms(m->port)) +
                 59999) / 60000;

        *rep = (struct core_reply){ .status = CORE_OK };
        snprintf(rep->code, sizeof(rep->code), "ok");
        if (z->safety.fault != FAULT_NONE)
                snprintf(rep->message, sizeof(rep->message), "%s has a fault "
                         "(%s)", z->cfg->name, safety_fault_name(z->safety.fault));
        else if (z->autotuning)
                snprintf(rep->message, sizeof(rep->message), "%s is being "
                         "autotuned, %llu min left", z->cfg->name, left);
        else if (z->session.active)
                snprintf(rep->message, sizeof(rep->message), "%s is heating "
                         "to %.1f C, %llu min left", z->cfg->name,
                         z->session.setpoint_c, left);
        else
                snprintf(rep->message, sizeof(rep->message), "%s is off",
                         z->cfg->name);
}

static void remember(struct mqtt_zone *mz, const struct mqtt_cmd *cmd,
                     uint64_t h, double now)
{
        if (cmd->id[0]) {
                snprintf(mz->ids[mz->next_id], sizeof(mz->ids[0]), "%s", cmd->id);
                mz->next_id = (mz->next_id + 1) % IDS_KEPT;
        }
        mz->last_hash = h;
        mz->last_at_ms = now;
}

static void submit(struct mqtt *m, struct core_cmd cmd, int zone,
                   struct core_reply *rep)
{
        cmd.src = SRC_MQTT;
        cmd.zone = zone;
        port_submit(m->port, &cmd, rep);
}

static void run_cmd(struct mqtt *m, int zone, const struct mqtt_cmd *cmd,
                    struct core_reply *rep)
{
        static const enum core_cmd_kind kinds[] = {
                [MQTT_START] = CMD_START, [MQTT_STOP] = CMD_STOP,
                [MQTT_CLEAR_FAULT] = CMD_CLEAR_FAULT,
                [MQTT_AUTOTUNE] = CMD_AUTOTUNE,
        };

        submit(m, (struct core_cmd){ .kind = kinds[cmd->action],
                                     .minutes = cmd->minutes,
                                     .setpoint_c = cmd->setpoint_c },
               zone, rep);
}

/* The climate entity's target temperature: the zone's target, for the
 * running session (its end stays) and the next ones (core_set_target). */
static void set_target(struct mqtt *m, int zone, double sp,
                       struct core_reply *rep)
{
        submit(m, (struct core_cmd){ .kind = CMD_SET_TARGET, .setpoint_c = sp },
               zone, rep);
}

/* The climate entity's preset: heat at its setpoint (a start, with every
 * refusal of one, when the zone is off), "none" changes nothing. */
static void set_preset(struct mqtt *m, int zone, int preset,
                       struct core_reply *rep)
{
        const struct core *core = m->port->core;
        const struct zone_cfg *c = core->zones[zone].cfg;

        if (preset < 0) {
                *rep = (struct core_reply){ .status = CORE_OK };
                snprintf(rep->code, sizeof(rep->code), "ok");
                snprintf(rep->message, sizeof(rep->message), "%s: no preset; "
                         "the target stays %.1f C", c->name,
                         core_target_c(core, zone));
                return;
        }
        submit(m, (struct core_cmd){
                       .kind = core->zones[zone].session.active ?
                               CMD_SET_TARGET : CMD_START,
                       .setpoint_c = c->presets_c[preset] },
               zone, rep);
}

/* A command that arrived retained was left on the broker by someone, and
 * comes again at every subscribe: only a stop is taken from it (off is
 * always safe). */
static void refuse_retained(struct mqtt *m, const char *zname)
{
        struct core_reply rep = { .status = CORE_INVALID };

        snprintf(rep.code, sizeof(rep.code), "retained");
        snprintf(rep.message, sizeof(rep.message), "retained commands are "
                 "ignored: publish commands without retain");
        publish_result(m, zname, &rep, NULL, false, false);
}

static int parse_zone_msg(enum mqtt_topic_kind kind,
                          const struct mqtt_msg *msg,
                          struct mqtt_cmd *cmd, double *target, int *value,
                          struct core_reply *rep)
{
        size_t len = (size_t)msg->payloadlen;

        switch (kind) {
        case TOPIC_ZONE_SET:
                return mqtt_cmd_parse(msg->payload, len, cmd, rep);
        case TOPIC_ZONE_MODE:
                return mqtt_mode_parse(msg->payload, len, cmd, rep);
        case TOPIC_ZONE_TEMP:
                return mqtt_temp_parse(msg->payload, len, target, rep);
        case TOPIC_ZONE_PRESET:
                return mqtt_preset_parse(msg->payload, len, value, rep);
        default:
                return mqtt_minutes_parse(msg->payload, len, value, rep);
        }
}

static void handle_zone_msg(struct mqtt *m, enum mqtt_topic_kind kind,
                            const char *zname, const struct mqtt_msg *msg)
{
        const struct core *core = m->port->core;
        struct core_reply rep = { 0 };
        struct mqtt_cmd cmd = { .setpoint_c = NAN };
        double target = NAN;
        int value = 0;
        int zone = core_find_zone(core, zname);
        int rc;

        if (msg->payloadlen < 0)
                return;
        size_t len = (size_t)msg->payloadlen;
        rc = parse_zone_msg(kind, msg, &cmd, &target, &value, &rep);
        if (rc == 0 && zone < 0) {
                rep = (struct core_reply){ .status = CORE_NOT_FOUND };
                snprintf(rep.code, sizeof(rep.code), "unknown_zone");
                snprintf(rep.message, sizeof(rep.message), "there is no "
                         "zone '%.40s'", zname);
                rc = -1;
        }
        /* Only JSON commands and the climate mode are actions; the
         * target, preset and length are values, never duplicates. */
        bool action = kind == TOPIC_ZONE_SET || kind == TOPIC_ZONE_MODE;
        bool stop = rc == 0 && action && cmd.action == MQTT_STOP;
        if (msg->retain && !stop) {
                refuse_retained(m, zname);
                return;
        }
        if (rc < 0) {
                publish_result(m, zname, &rep, cmd.id, false, false);
                return;
        }

        struct mqtt_zone *mz = &m->zones[zone];
        double now = (double)port_real_ms(m->port);
        uint64_t h = hash_msg(msg->topic, msg->payload, len);
        if (!stop && action &&
            is_duplicate(mz, &core->zones[zone], &cmd, h, now)) {
                describe_zone(m, zone, &rep);
                publish_result(m, zname, &rep, cmd.id, true, false);
                return;
        }
        if (kind == TOPIC_ZONE_TEMP) {
                set_target(m, zone, target, &rep);
        } else if (kind == TOPIC_ZONE_PRESET) {
                set_preset(m, zone, value, &rep);
        } else if (kind == TOPIC_ZONE_MINUTES) {
                submit(m, (struct core_cmd){ .kind = CMD_SET_MINUTES,
                                             .minutes = value }, zone, &rep);
        } else if (kind == TOPIC_ZONE_MODE && cmd.action == MQTT_START &&
                   core->zones[zone].session.active) {
                /* "heat" on a heating zone: nothing to change. */
                describe_zone(m, zone, &rep);
        } else {
                run_cmd(m, zone, &cmd, &rep);
        }
        /* A stop is not kept: nothing asks for it, and it must not push a
         * start's id out of the list. */
        if (rep.status == CORE_OK && action && !stop)
                remember(mz, &cmd, h, now);
        publish_result(m, zname, &rep, cmd.id, false, stop);
        /* A refused or no-op command changes no state, but Home Assistant
         * shows what it asked for until told otherwise: tell it. After a
         * stop, always (an idle zone's stop makes no event), at once. */
        if (stop)
                mqtt_publish_zone_now(m, zone);
        else if (rep.status != CORE_OK || kind != TOPIC_ZONE_SET)
                mqtt_publish_zone(m, zone);
}

static void handle_schedule_msg(struct mqtt *m, const struct mqtt_msg *msg)
{
        struct core_reply rep = { 0 };
        struct schedule s;
        char err[256], topic[TOPIC_MAX];

        snprintf(topic, sizeof(topic), "%s/schedule/result", m->root);
        if (msg->payloadlen > MQTT_PAYLOAD_MAX) {
                rep.status = CORE_INVALID;
                snprintf(rep.code, sizeof(rep.code), "too_large");
                snprintf(rep.message, sizeof(rep.message), "payload of %d "
                         "bytes is larger than %d", msg->payloadlen,
                         MQTT_PAYLOAD_MAX);
        } else if (schedule_parse_text(msg->payload ? msg->payload : "",
                                       (size_t)msg->payloadlen,
                                       m->port->cfg, &s, err,
                                       sizeof(err)) < 0) {
                rep.status = CORE_INVALID;
                snprintf(rep.code, sizeof(rep.code), "invalid_schedule");
                snprintf(rep.message, sizeof(rep.message), "%s", err);
        } else {
                struct core_cmd cmd = { .kind = CMD_SET_SCHEDULE,
                                        .src = SRC_MQTT, .schedule = &s };
                port_submit(m->port, &cmd, &rep);
        }
        send_reply(m, topic, status_reply_json(&rep), &rep, "schedule", false);
}

void mqtt_handle_msg(struct mqtt *m, const struct mqtt_msg *msg)
{
        char zone[CONFIG_NAME_MAX + 8];
        enum mqtt_topic_kind kind = mqtt_topic_parse(m->root, msg->topic, zone,
                                                     sizeof(zone));

        if (kind == TOPIC_NONE) {
                mqtt_discovery_msg(m, msg);
                return;
        }
        if (msg->retain && kind == TOPIC_SCHEDULE_SET) {
                refuse_retained(m, zone);
                return;
        }
        if (kind == TOPIC_SCHEDULE_SET)
                handle_schedule_msg(m, msg);
        else
                handle_zone_msg(m, kind, zone, msg);
}

