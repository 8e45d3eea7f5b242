/* Unit tests for mqtt_cmd.c (topics, command payloads) and ha_discovery.c
 * (the discovery messages Home Assistant reads). Every refusal must carry a
 * stable code and leave the output untouched. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "ha_discovery.h"
#include "mqtt_cmd.h"
#include "test.h"

static int parse(const char *s, struct mqtt_cmd *cmd, struct core_reply *rep)
{
        return mqtt_cmd_parse(s, strlen(s), cmd, rep);
}

static void refused(const char *payload, const char *code)
{
        struct mqtt_cmd cmd = { .minutes = 77 };
        struct core_reply rep = { 0 };

        if (parse(payload, &cmd, &rep) == 0)
                fail_msg("accepted: %s", payload);
        if (strcmp(rep.code, code) != 0)
                fail_msg("%s: code %s (%s), expected %s", payload, rep.code,
                         rep.message, code);
        assert_int_equal(rep.status, CORE_INVALID);
        assert_true(rep.message[0] != '\0');
        assert_int_equal(cmd.minutes, 77);      /* untouched */
}

static void start_with_values(void **state)
{
        struct mqtt_cmd cmd;
        struct core_reply rep = { 0 };

        (void)state;
        assert_int_equal(parse("{\"action\":\"start\",\"minutes\":20,"
                               "\"setpoint_c\":40.5,\"id\":\"a1\"}", &cmd,
                               &rep), 0);
        assert_int_equal(cmd.action, MQTT_START);
        assert_int_equal(cmd.minutes, 20);
        assert_near(cmd.setpoint_c, 40.5, 1e-9);
        assert_string_equal(cmd.id, "a1");
}

static void start_defaults_stop_clear(void **state)
{
        struct mqtt_cmd cmd;
        struct core_reply rep = { 0 };

        (void)state;
        assert_int_equal(parse("{\"action\":\"start\"}", &cmd, &rep), 0);
        assert_int_equal(cmd.minutes, 0);
        assert_true(isnan(cmd.setpoint_c));
        assert_string_equal(cmd.id, "");
        assert_int_equal(parse(" {\"action\" : \"stop\"}\n", &cmd, &rep), 0);
        assert_int_equal(cmd.action, MQTT_STOP);
        assert_int_equal(parse("{\"action\":\"clear_fault\"}", &cmd, &rep), 0);
        assert_int_equal(cmd.action, MQTT_CLEAR_FAULT);
}

static void malformed_refused(void **state)
{
        (void)state;
        refused("", "bad_json");
        refused("{", "bad_json");
        refused("{\"action\":\"start\"} trailing", "bad_json");
        refused("{\"action\":\"start\",}", "bad_json");
        refused("nul", "bad_json");
        refused("[1,2]", "bad_request");
        refused("\"start\"", "bad_request");
        refused("{}", "bad_request");
        refused("{\"action\":7}", "bad_request");
        refused("{\"action\":\"boil\"}", "unknown_action");
        refused("{\"action\":\"start\",\"minutes\":\"20\"}", "bad_request");
        refused("{\"action\":\"start\",\"minutes\":20.5}", "bad_request");
        refused("{\"action\":\"start\",\"minutes\":0}", "out_of_range");
        refused("{\"action\":\"start\",\"minutes\":-5}", "out_of_range");
        refused("{\"action\":\"start\",\"minutes\":1e300}", "out_of_range");
        refused("{\"action\":\"start\",\"setpoint_c\":\"hot\"}", "bad_request");
        refused("{\"action\":\"start\",\"setpoint_c\":null}", "bad_request");
        refused("{\"action\":\"start\",\"colour\":\"red\"}", "bad_request");
        refused("{\"action\":\"start\",\"id\":5}", "bad_request");
        refused("{\"action\":\"start\",\"id\":\"\"}", "bad_request");
}

static void nul_byte_and_unterminated(void **state)
{
        struct mqtt_cmd cmd;
        struct core_reply rep = { 0 };
        static const char with_nul[] = "{\"action\":\"stop\"}\0xx";
        char exact[17];

        (void)state;
        assert_int_equal(mqtt_cmd_parse(with_nul, sizeof(with_nul) - 1, &cmd,
                                        &rep), -1);
        assert_string_equal(rep.code, "bad_json");
        /* The payload is not NUL-terminated: only len bytes are read. */
        memcpy(exact, "{\"action\":\"stop\"}", 17);
        assert_int_equal(mqtt_cmd_parse(exact, 17, &cmd, &rep), 0);
        assert_int_equal(cmd.action, MQTT_STOP);
}

static void oversized_refused(void **state)
{
        size_t n = MQTT_PAYLOAD_MAX + 1;
        char *big = malloc(n);
        struct mqtt_cmd cmd;
        struct core_reply rep = { 0 };

        (void)state;
        memset(big, ' ', n);
        memcpy(big, "{\"action\":\"stop\"}", 17);
        assert_int_equal(mqtt_cmd_parse(big, n, &cmd, &rep), -1);
        assert_string_equal(rep.code, "too_large");
        /* Exactly the limit is still read. */
        assert_int_equal(mqtt_cmd_parse(big, n - 1, &cmd, &rep), 0);
        free(big);
}

/* A broken payload that says stop is a stop: off is the safe reading, and
 * a stop is never refused. */
static void anything_that_says_stop_stops(void **state)
{
        static const char *const stops[] = {
                "{\"action\":\"stop\",\"minutes\":5}",
                "{\"action\":\"stop\",\"action\":\"start\"}",
                "{\"action\":\"start\",\"action\":\"stop\",\"id\":\"e1\"}",
                "{\"action\":\"stop\",\"colour\":\"red\",\"id\":5}",
        };
        (void)state;
        for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
                struct mqtt_cmd cmd = { .minutes = 77 };
                struct core_reply rep = { 0 };
                assert_int_equal(parse(stops[i], &cmd, &rep), 0);
                assert_int_equal(cmd.action, MQTT_STOP);
                assert_int_equal(cmd.minutes, 0);
        }
        struct mqtt_cmd cmd;
        struct core_reply rep = { 0 };
        assert_int_equal(parse(stops[2], &cmd, &rep), 0);
        assert_string_equal(cmd.id, "e1");
        /* Not an object, or no stop in it: refused as before. */
        refused("[\"stop\"]", "bad_request");
        refused("{\"action\":\"halt\",\"action\":\"start\"}", "bad_request");
}

/* The first of two values would win: refused, naming the key. */
static void duplicate_keys_refused(void **state)
{
        struct mqtt_cmd cmd = { .minutes = 77 };
        struct core_reply rep = { 0 };
        (void)state;
        refused("{\"action\":\"start\",\"setpoint_c\":40,\"setpoint_c\":99}",
                "bad_request");
        assert_int_equal(parse("{\"action\":\"start\",\"minutes\":10,"
                               "\"minutes\":90}", &cmd, &rep), -1);
        assert_string_equal(rep.message, "minutes: duplicate key");
        assert_int_equal(cmd.minutes, 77);
}

static void mode_and_temperature(void **state)
{
        struct mqtt_cmd cmd;
        struct core_reply rep = { 0 };
        double t = 0;

        (void)state;
        assert_int_equal(mqtt_mode_parse("heat", 4, &cmd, &rep), 0);
        assert_int_equal(cmd.action, MQTT_START);
        assert_int_equal(mqtt_mode_parse("off\n", 4, &cmd, &rep), 0);
        assert_int_equal(cmd.action, MQTT_STOP);
        assert_int_equal(mqtt_mode_parse("cool", 4, &cmd, &rep), -1);
        assert_string_equal(rep.code, "unknown_action");
        assert_int_equal(mqtt_mode_parse("", 0, &cmd, &rep), -1);
        assert_int_equal(mqtt_temp_parse("40.5", 4, &t, &rep), 0);
        assert_near(t, 40.5, 1e-9);
        assert_int_equal(mqtt_temp_parse("40x", 3, &t, &rep), -1);
        assert_int_equal(mqtt_temp_parse("nan", 3, &t, &rep), -1);
        assert_int_equal(mqtt_temp_parse("inf", 3, &t, &rep), -1);
        assert_near(t, 40.5, 1e-9);
}

static void topics(void **state)
{
        char zone[32];

        (void)state;
        assert_int_equal(mqtt_topic_parse("heatpad/dev", "heatpad/dev/upper_back/set",
                                          zone, sizeof(zone)), TOPIC_ZONE_SET);
        assert_string_equal(zone, "upper_back");
        assert_int_equal(mqtt_topic_parse("heatpad/dev", "heatpad/dev/a/mode/set",
                                          zone, sizeof(zone)), TOPIC_ZONE_MODE);
        assert_int_equal(mqtt_topic_parse("heatpad/dev",
                                          "heatpad/dev/a/temperature/set",
                                          zone, sizeof(zone)), TOPIC_ZONE_TEMP);
        assert_int_equal(mqtt_topic_parse("heatpad/dev", "heatpad/dev/schedule/set",
                                          zone, sizeof(zone)), TOPIC_SCHEDULE_SET);
        assert_int_equal(mqtt_topic_parse("heatpad/dev", "heatpad/dev/a/state",
                                          zone, sizeof(zone)), TOPIC_NONE);
        assert_int_equal(mqtt_topic_parse("heatpad/dev", "heatpad/device/a/set",
                                          zone, sizeof(zone)), TOPIC_NONE);
        assert_int_equal(mqtt_topic_parse("heatpad/dev", "heatpad/dev//set",
                                          zone, sizeof(zone)), TOPIC_NONE);
        assert_int_equal(mqtt_topic_parse("heatpad/dev", "heatpad/dev/a\nb/set",
                                          zone, sizeof(zone)), TOPIC_NONE);
        assert_int_equal(mqtt_topic_parse("heatpad/dev",
                                          "heatpad/dev/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/set",
                                          zone, sizeof(zone)), TOPIC_NONE);
}

struct seen {
        int n;
        int climates;
        char topics[32][256];
};

static void collect(void *ctx, const char *topic, const char *payload)
{
        struct seen *s = ctx;
        cJSON *o = cJSON_Parse(payload);

        assert_non_null(o);
        assert_true(s->n < 32);
        snprintf(s->topics[s->n++], sizeof(s->topics[0]), "%s", topic);
        assert_non_null(cJSON_GetObjectItem(o, "unique_id"));
        assert_string_equal(cJSON_GetObjectItem(o, "availability_topic")->valuestring,
                            "home/pads/bed/availability");
        const cJSON *dev = cJSON_GetObjectItem(o, "device");
        assert_string_equal(cJSON_GetObjectItem(dev, "sw_version")->valuestring,
                            "9.9.9");
        if (strstr(topic, "/climate/")) {
                s->climates++;
                assert_string_equal(cJSON_GetObjectItem(o, "mode_command_topic")
                                    ->valuestring, "home/pads/bed/upper_back/mode/set");
                assert_string_equal(cJSON_GetObjectItem(o, "temperature_command_topic")
                                    ->valuestring,
                                    "home/pads/bed/upper_back/temperature/set");
                assert_near(cJSON_GetObjectItem(o, "min_temp")->valuedouble, 30, 0);
                assert_near(cJSON_GetObjectItem(o, "max_temp")->valuedouble, 41, 0);
                assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "modes")), 2);
                /* A simulated pad is an attribute in Home Assistant, from
                 * the state's "simulated". */
                assert_string_equal(cJSON_GetObjectItem(o, "json_attributes_topic")
                                    ->valuestring, "home/pads/bed/upper_back/state");
                assert_non_null(strstr(cJSON_GetObjectItem(o,
                                "json_attributes_template")->valuestring,
                                "'simulated': value_json.simulated"));
        }
        cJSON_Delete(o);
}

static void discovery_messages(void **state)
{
        struct config cfg;
        struct config_errors errs;
        struct seen s = { 0 };

        (void)state;
        assert_int_equal(config_parse("{\"device_id\":\"bed\",\"mqtt\":{\"host\":"
                "\"127.0.0.1\",\"base_topic\":\"home/pads\",\"discovery_prefix\":"
                "\"ha\"},\"zones\":[{\"name\":\"upper back\",\"sensor\":{\"type\":"
                "\"sim\"},\"relay\":{\"type\":\"sim\"},\"limits\":"
                "{\"max_setpoint_c\":41}}]}", &cfg, &errs), 0);
        assert_int_equal(ha_discovery_each(&cfg, "9.9.9", collect, &s), 4);
        assert_int_equal(s.n, 4);
        assert_int_equal(s.climates, 1);
        assert_string_equal(s.topics[0], "ha/climate/bed/upper_back/config");
        assert_string_equal(s.topics[1], "ha/sensor/bed/upper_back_remaining/config");
        assert_string_equal(s.topics[2], "ha/binary_sensor/bed/upper_back_fault/config");
        assert_string_equal(s.topics[3], "ha/sensor/bed/guidance/config");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(start_with_values),
                cmocka_unit_test(start_defaults_stop_clear),
                cmocka_unit_test(anything_that_says_stop_stops),
                cmocka_unit_test(malformed_refused),
                cmocka_unit_test(nul_byte_and_unterminated),
                cmocka_unit_test(oversized_refused),
                cmocka_unit_test(duplicate_keys_refused),
                cmocka_unit_test(mode_and_temperature),
                cmocka_unit_test(topics),
                cmocka_unit_test(discovery_messages),
        };
        return cmocka_run_group_tests_name("mqtt_cmd", tests, NULL, NULL);
}
