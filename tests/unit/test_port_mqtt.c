/* The MQTT adapter's handling against a fake port and a fake wire: topics
 * and payloads in, commands to the core, results and publishes out. No
 * broker, no libmosquitto, no sleeping. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "test.h"
#include "fake_port.h"
#include "net/ha_discovery.h"
#include "net/mqtt.h"
#include "net/mqtt_priv.h"

#define CONFIG "{\"quiet_hours\":{\"enabled\":false},\"mqtt\":{\"host\":" \
        "\"127.0.0.1\"},\"zones\":[{\"name\":\"upper back\",\"sensor\":" \
        "{\"type\":\"sim\"},\"relay\":{\"type\":\"sim\"}},{\"name\":" \
        "\"lower back\",\"sensor\":{\"type\":\"sim\"},\"relay\":{\"type\":" \
        "\"sim\"}}]}"

struct pub {
        char topic[TOPIC_MAX];
        char payload[4096];
        int qos;
        bool retain;
};

static struct fake_port fp;
static struct mqtt m;
static struct pub pubs[256];
static int npubs, next_mid;

static int fake_publish(struct mqtt *mm, int *mid, const char *topic, int len,
                        const void *payload, int qos, bool retain)
{
        (void)mm;
        assert_true(npubs < 256);
        struct pub *p = &pubs[npubs++];
        snprintf(p->topic, sizeof(p->topic), "%s", topic);
        snprintf(p->payload, sizeof(p->payload), "%.*s", len,
                 (const char *)payload);
        p->qos = qos;
        p->retain = retain;
        if (mid)
                *mid = ++next_mid;
        return 0;
}

static const char *fake_strerror(int rc)
{
        (void)rc;
        return "fake error";
}

static void fake_sync(struct mqtt *mm)
{
        (void)mm;
}

static const struct mqtt_wire wire = { fake_publish, fake_strerror, fake_sync };

static int setup(void **state)
{
        (void)state;
        fake_port_init(&fp, CONFIG);
        memset(&m, 0, sizeof(m));
        m.port = &fp.port;
        m.wire = &wire;
        m.cfg = &fp.cfg;
        m.version = "test";
        m.fd = -1;
        m.link = LINK_UP;
        m.opened_ms = fp.now_ms;
        m.flow.window_start_ms = (double)fp.real_ms;
        ha_root_topic(&fp.cfg, m.root, sizeof(m.root));
        npubs = 0;
        return 0;
}

/* A message as libmosquitto would hand it over, under the device's root. */
static void deliver(const char *leaf, const char *payload, bool retain)
{
        char topic[TOPIC_MAX];
        snprintf(topic, sizeof(topic), "%s/%s", m.root, leaf);
        struct mqtt_msg msg = { topic, payload, (int)strlen(payload), retain };
        m.reading = true;               /* as inside mosquitto_loop_read */
        mqtt_handle_msg(&m, &msg);
        m.reading = false;
}

/* The end of the loop's batch: the core's events, then what is due. */
static void batch(void)
{
        struct core_event ev;
        while (core_next_event(&fp.core, &ev))
                mqtt_on_event(&m, &ev);
        mqtt_after_batch(&m);
}

static int count(const char *leaf)
{
        char topic[TOPIC_MAX];
        int n = 0;
        snprintf(topic, sizeof(topic), "%s/%s", m.root, leaf);
        for (int i = 0; i < npubs; i++)
                n += strcmp(pubs[i].topic, topic) == 0;
        return n;
}

/* The last message on a topic, parsed (the caller deletes it). */
static cJSON *last(const char *leaf)
{
        char topic[TOPIC_MAX];
        snprintf(topic, sizeof(topic), "%s/%s", m.root, leaf);
        for (int i = npubs - 1; i >= 0; i--)
                if (strcmp(pubs[i].topic, topic) == 0) {
                        cJSON *o = cJSON_Parse(pubs[i].payload);
                        assert_non_null(o);
                        return o;
                }
        fail_msg("nothing published on %s", topic);
        return NULL;
}

static const char *str(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItem(o, key);
        return cJSON_IsString(v) ? v->valuestring : "";
}

static bool is_true(const cJSON *o, const char *key)
{
        return cJSON_IsTrue(cJSON_GetObjectItem(o, key));
}

static void json_start_submits_and_answers(void **state)
{
        (void)state;
        deliver("upper_back/set", "{\"action\":\"start\",\"minutes\":15,"
                "\"setpoint_c\":39,\"id\":\"a1\"}", false);
        assert_int_equal(fp.ncmds, 1);
        assert_int_equal(fp.cmds[0].kind, CMD_START);
        assert_int_equal(fp.cmds[0].src, SRC_MQTT);
        assert_int_equal(fp.cmds[0].zone, 0);
        assert_int_equal(fp.cmds[0].minutes, 15);
        assert_near(fp.cmds[0].setpoint_c, 39, 1e-9);
        /* The result goes at once (QoS 0, not retained), the state after
         * the batch. */
        assert_int_equal(count("upper_back/result"), 1);
        assert_int_equal(count("upper_back/state"), 0);
        cJSON *r = last("upper_back/result");
        assert_true(is_true(r, "ok"));
        assert_string_equal(str(r, "id"), "a1");
        cJSON_Delete(r);
        assert_int_equal(pubs[0].qos, 0);
        assert_false(pubs[0].retain);
        batch();
        assert_int_equal(count("upper_back/state"), 1);
        assert_true(pubs[npubs - 1].retain);
        cJSON *s = last("upper_back/state");
        assert_true(cJSON_GetObjectItem(s, "session") != NULL ||
                    cJSON_GetObjectItem(s, "mode") != NULL);
        cJSON_Delete(s);
        assert_true(fp.core.zones[0].session.active);
}

static void redelivered_start_is_a_duplicate(void **state)
{
        (void)state;
        const char *cmd = "{\"action\":\"start\",\"id\":\"same\"}";
        deliver("upper_back/set", cmd, false);
        batch();
        deliver("upper_back/set", cmd, false);
        assert_int_equal(fp.ncmds, 1);          /* not run again */
        cJSON *r = last("upper_back/result");
        assert_true(is_true(r, "duplicate"));
        assert_true(is_true(r, "ok"));
        cJSON_Delete(r);
}

/* A stop is never a duplicate, even with an id seen before, and is taken
 * even retained. */
static void stop_always_runs(void **state)
{
        (void)state;
        deliver("upper_back/set", "{\"action\":\"start\",\"id\":\"x\"}", false);
        batch();
        deliver("upper_back/set", "{\"action\":\"stop\",\"id\":\"x\"}", false);
        assert_int_equal(fp.ncmds, 2);
        assert_int_equal(fp.cmds[1].kind, CMD_STOP);
        assert_false(fp.core.zones[0].session.active);
        deliver("upper_back/set", "{\"action\":\"stop\",\"id\":\"x\"}", true);
        assert_int_equal(fp.ncmds, 3);
        assert_int_equal(fp.cmds[2].kind, CMD_STOP);
        assert_int_equal(fp.replies[2].status, CORE_OK);
        int before = count("upper_back/state");
        batch();
        /* The stops' state goes out once for the batch. */
        assert_int_equal(count("upper_back/state"), before + 1);
        cJSON *r = last("upper_back/result");
        assert_true(is_true(r, "ok"));
        cJSON_Delete(r);
}

static void retained_start_is_refused(void **state)
{
        (void)state;
        deliver("upper_back/set", "{\"action\":\"start\"}", true);
        assert_int_equal(fp.ncmds, 0);
        cJSON *r = last("upper_back/result");
        assert_false(is_true(r, "ok"));
        assert_string_equal(str(r, "code"), "retained");
        cJSON_Delete(r);
        assert_false(fp.core.zones[0].session.active);
}

static void climate_topics_become_commands(void **state)
{
        (void)state;
        deliver("lower_back/mode/set", "heat", false);
        assert_int_equal(fp.cmds[0].kind, CMD_START);
        assert_int_equal(fp.cmds[0].zone, 1);
        deliver("lower_back/temperature/set", "38.5", false);
        assert_int_equal(fp.cmds[1].kind, CMD_SET_TARGET);
        assert_near(fp.cmds[1].setpoint_c, 38.5, 1e-9);
        deliver("lower_back/minutes/set", "12", false);
        assert_int_equal(fp.cmds[2].kind, CMD_SET_MINUTES);
        assert_int_equal(fp.cmds[2].minutes, 12);
        deliver("lower_back/mode/set", "off", false);
        assert_int_equal(fp.cmds[3].kind, CMD_STOP);
        assert_int_equal(fp.ncmds, 4);
        assert_false(fp.core.zones[1].session.active);
}

static void bad_input_is_answered_not_run(void **state)
{
        (void)state;
        deliver("nowhere/set", "{\"action\":\"start\"}", false);
        cJSON *r = last("nowhere/result");
        assert_string_equal(str(r, "code"), "unknown_zone");
        cJSON_Delete(r);
        deliver("upper_back/set", "{not json", false);
        r = last("upper_back/result");
        assert_string_equal(str(r, "code"), "bad_json");
        cJSON_Delete(r);
        assert_int_equal(fp.ncmds, 0);
}

static void schedule_set_submits_and_echoes(void **state)
{
        (void)state;
        deliver("schedule/set", "[{\"zone\":\"upper_back\",\"days\":\"daily\","
                "\"start\":\"07:00\",\"minutes\":20,\"setpoint_c\":40}]",
                false);
        assert_int_equal(fp.ncmds, 1);
        assert_int_equal(fp.cmds[0].kind, CMD_SET_SCHEDULE);
        cJSON *r = last("schedule/result");
        assert_true(is_true(r, "ok"));
        cJSON_Delete(r);
        assert_int_equal(fp.core.schedule.n, 1);
        batch();
        assert_int_equal(count("schedule"), 1);
        deliver("schedule/set", "[{\"zone\":\"nope\"}]", false);
        r = last("schedule/result");
        assert_string_equal(str(r, "code"), "invalid_schedule");
        cJSON_Delete(r);
        assert_int_equal(fp.ncmds, 1);
}

/* A due schedule entry is published on schedule/run when the loop drains
 * the event, with the core's words. */
static void schedule_run_event_is_published(void **state)
{
        (void)state;
        struct core_event ev = { .type = EV_SCHEDULE_RUN, .zone = 0,
                                 .source = SRC_SCHEDULE, .reason = "quiet_hours",
                                 .detail = "not now" };
        mqtt_on_event(&m, &ev);
        cJSON *r = last("schedule/run");
        assert_string_equal(str(r, "zone"), "upper_back");
        assert_false(is_true(r, "ok"));
        assert_string_equal(str(r, "code"), "quiet_hours");
        assert_string_equal(str(r, "message"), "not now");
        cJSON_Delete(r);
}

/* A tick's change seen both by the service timer's check and by the
 * core's events goes out once, at the end of the batch. */
static void one_state_per_batch(void **state)
{
        (void)state;
        deliver("upper_back/set", "{\"action\":\"start\",\"setpoint_c\":42}",
                false);
        batch();
        int before = count("upper_back/state");
        fp.now_ms += 1000;
        fp.wall += 1;
        core_post_reading(&fp.core, 0, 0, 30.0);
        core_post_reading(&fp.core, 1, 0, 30.0);
        core_tick(&fp.core, fp.now_ms, fp.wall);        /* relay on */
        assert_true(fp.core.zones[0].relay_on);
        mqtt_publish_changes(&m);                       /* the service timer */
        assert_int_equal(count("upper_back/state"), before);
        batch();
        assert_int_equal(count("upper_back/state"), before + 1);
        cJSON *s = last("upper_back/state");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(s, "relay")));
        cJSON_Delete(s);
}

/* Nothing goes out while the link is down (all is sent on connect). */
static void nothing_published_while_down(void **state)
{
        (void)state;
        m.link = LINK_DOWN;
        deliver("upper_back/set", "{\"action\":\"stop\"}", false);
        batch();
        assert_int_equal(fp.ncmds, 1);          /* the stop still ran */
        assert_int_equal(npubs, 0);
}

/* A bedside button's command has no reply of its own: its result goes on
 * the zone's result topic after the batch, source "button", as an MQTT
 * command's carries "mqtt". Other sources answer their own caller. */
static void button_result_carries_its_source(void **state)
{
        struct core_cmd cmd = { .kind = CMD_START, .src = SRC_BUTTON,
                                .zone = 0, .setpoint_c = NAN };
        struct core_reply rep;
        (void)state;
        deliver("upper_back/set", "{\"action\":\"stop\"}", false);
        cJSON *r = last("upper_back/result");
        assert_string_equal(str(r, "source"), "mqtt");
        assert_true(is_true(r, "ok"));
        cJSON_Delete(r);
        batch();
        assert_int_equal(count("upper_back/result"), 1);        /* not twice */

        fp.port.submit(fp.port.ctx, &cmd, &rep);
        assert_int_equal(rep.status, CORE_OK);
        batch();
        assert_int_equal(count("upper_back/result"), 2);
        assert_int_equal(count("lower_back/result"), 0);
        r = last("upper_back/result");
        assert_string_equal(str(r, "source"), "button");
        assert_true(is_true(r, "ok"));
        assert_string_equal(str(r, "code"), rep.code);
        assert_string_equal(str(r, "message"), rep.message);
        assert_non_null(cJSON_GetObjectItem(r, "at"));
        cJSON_Delete(r);
        batch();
        assert_int_equal(count("upper_back/result"), 2);        /* once */

        /* A long press: every zone's result. */
        cmd.kind = CMD_STOP_ALL;
        fp.port.submit(fp.port.ctx, &cmd, &rep);
        batch();
        assert_int_equal(count("upper_back/result"), 3);
        assert_int_equal(count("lower_back/result"), 1);
        r = last("lower_back/result");
        assert_string_equal(str(r, "source"), "button");
        assert_true(is_true(r, "ok"));
        cJSON_Delete(r);

        /* A refused press says why. */
        cmd.kind = CMD_START;
        cmd.zone = 1;
        cmd.setpoint_c = 99;
        fp.port.submit(fp.port.ctx, &cmd, &rep);
        assert_int_not_equal(rep.status, CORE_OK);
        batch();
        r = last("lower_back/result");
        assert_false(is_true(r, "ok"));
        assert_string_equal(str(r, "source"), "button");
        assert_string_equal(str(r, "code"), rep.code);
        cJSON_Delete(r);

        /* The page's own command is answered by HTTP, not here. */
        cmd = (struct core_cmd){ .kind = CMD_STOP, .src = SRC_HTTP, .zone = 0 };
        fp.port.submit(fp.port.ctx, &cmd, &rep);
        batch();
        assert_int_equal(count("upper_back/result"), 3);
}

/* While the link is down a press's result is not kept for later. */
static void button_result_not_kept_while_down(void **state)
{
        struct core_cmd cmd = { .kind = CMD_STOP, .src = SRC_BUTTON, .zone = 0 };
        struct core_reply rep;
        (void)state;
        m.link = LINK_DOWN;
        fp.port.submit(fp.port.ctx, &cmd, &rep);
        batch();
        m.link = LINK_UP;
        batch();
        assert_int_equal(count("upper_back/result"), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(json_start_submits_and_answers, setup),
                cmocka_unit_test_setup(redelivered_start_is_a_duplicate, setup),
                cmocka_unit_test_setup(stop_always_runs, setup),
                cmocka_unit_test_setup(retained_start_is_refused, setup),
                cmocka_unit_test_setup(climate_topics_become_commands, setup),
                cmocka_unit_test_setup(bad_input_is_answered_not_run, setup),
                cmocka_unit_test_setup(schedule_set_submits_and_echoes, setup),
                cmocka_unit_test_setup(schedule_run_event_is_published, setup),
                cmocka_unit_test_setup(one_state_per_batch, setup),
                cmocka_unit_test_setup(nothing_published_while_down, setup),
                cmocka_unit_test_setup(button_result_carries_its_source, setup),
                cmocka_unit_test_setup(button_result_not_kept_while_down, setup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
