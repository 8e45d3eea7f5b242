/* Unit tests for mqtt_cmd.c (topics, command payloads) and ha_discovery.c
 * (the discovery messages Home Assistant reads). Every refusal must carry a
 * stable code and leave the output untouched. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config/config.h"
#include "net/ha_discovery.h"
#include "net/mqtt_cmd.h"
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

static const cJSON *get(const cJSON *o, const char *k)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        if (!v)
                fail_msg("no key %s", k);
        return v;
}

/* One device message: the device, the shared availability, every
 * component with its platform and unique id under "cmps". */
static void discovery_message(void **state)
{
        struct config cfg;
        struct config_errors errs;
        char topic[256];

        (void)state;
        assert_int_equal(config_parse("{\"device_id\":\"bed\",\"mqtt\":{\"host\":"
                "\"127.0.0.1\",\"base_topic\":\"home/pads\",\"discovery_prefix\":"
                "\"ha\"},\"zones\":[{\"name\":\"upper back\",\"sensor\":{\"type\":"
                "\"sim\"},\"relay\":{\"type\":\"sim\"},\"limits\":"
                "{\"max_setpoint_c\":41}}]}", &cfg, &errs), 0);
        ha_device_topic(&cfg, topic, sizeof(topic));
        assert_string_equal(topic, "ha/device/bed/config");
        char *s = ha_discovery_payload(&cfg, "9.9.9", "http://pad:8080/", NULL);
        cJSON *o = cJSON_Parse(s);
        assert_non_null(o);
        assert_string_equal(get(o, "avty_t")->valuestring,
                            "home/pads/bed/availability");
        const cJSON *dev = get(o, "dev");
        assert_string_equal(get(dev, "sw")->valuestring, "9.9.9");
        assert_string_equal(get(dev, "name")->valuestring, "heatpad bed");
        assert_string_equal(get(dev, "cu")->valuestring, "http://pad:8080/");
        assert_string_equal(get(get(o, "o"), "name")->valuestring, "heatpad");
        const cJSON *cmps = get(o, "cmps"), *c;
        int n = 0;
        cJSON_ArrayForEach(c, cmps) {
                char uid[96];
                snprintf(uid, sizeof(uid), "heatpad_bed_%s", c->string);
                assert_string_equal(get(c, "uniq_id")->valuestring, uid);
                assert_true(cJSON_IsString(get(c, "p")));
                n++;
        }
        assert_int_equal(n, 17);        /* 12 per zone (sim: with power), 5 */
        const cJSON *cl = get(cmps, "upper_back");
        assert_string_equal(get(cl, "p")->valuestring, "climate");
        assert_string_equal(get(cl, "~")->valuestring, "home/pads/bed/upper_back");
        assert_string_equal(get(cl, "mode_cmd_t")->valuestring, "~/mode/set");
        assert_near(get(cl, "max_temp")->valuedouble, 41, 0);
        assert_int_equal(cJSON_GetArraySize(get(cl, "pr_modes")), 3);
        /* A simulated pad is an attribute in Home Assistant, read from the
         * state's "simulated". */
        assert_string_equal(get(cl, "json_attr_t")->valuestring, "~/state");
        assert_non_null(strstr(get(cl, "json_attr_tpl")->valuestring,
                               "'simulated': value_json.simulated"));
        assert_string_equal(get(get(cmps, "upper_back_energy"), "stat_cla")
                            ->valuestring, "total_increasing");

        /* A zone renamed: the old components are sent as their platform
         * alone, which removes them in Home Assistant. */
        char *prev = s;
        assert_int_equal(config_parse("{\"device_id\":\"heatpad\",\"mqtt\":{\"host\":\"h\"},\"zones\":[{"
                "\"name\":\"neck\",\"sensor\":{\"type\":\"sim\"},\"relay\":"
                "{\"type\":\"sim\"}}]}", &cfg, &errs), 0);
        s = ha_discovery_payload(&cfg, "9.9.9", NULL, prev);
        cJSON_Delete(o);
        o = cJSON_Parse(s);
        cmps = get(o, "cmps");
        assert_string_equal(get(get(o, "dev"), "name")->valuestring, "heatpad");
        assert_null(cJSON_GetObjectItem(get(o, "dev"), "cu"));
        const cJSON *gone = get(cmps, "upper_back");
        assert_int_equal(cJSON_GetArraySize(gone), 1);
        assert_string_equal(get(gone, "p")->valuestring, "climate");
        assert_int_equal(cJSON_GetArraySize(get(cmps, "upper_back_fault")), 1);
        assert_true(cJSON_GetArraySize(get(cmps, "neck")) > 10);
        /* Still there the next time. */
        char *again = ha_discovery_payload(&cfg, "9.9.9", NULL, s);
        assert_non_null(strstr(again, "\"upper_back\":{\"p\":\"climate\"}"));
        assert_true(ha_discovery_is_legacy(&cfg,
                    "homeassistant/climate/heatpad/upper_back/config"));
        assert_false(ha_discovery_is_legacy(&cfg,
                     "homeassistant/climate/other/upper_back/config"));
        assert_false(ha_discovery_is_legacy(&cfg,
                     "homeassistant/device/heatpad/config"));
        free(again);
        /* Whatever someone left retained there: read for what it says,
         * never trusted further. */
        static const char *const junk[] = { "garbage{", "[]", "{\"cmps\":7}",
                "{\"cmps\":{\"a\":{\"p\":5},\"b\":7,\"c\":{}}}",
                "{\"cmps\":{\"neck\":{\"p\":\"sensor\"},"
                "\"x\":{\"platform\":\"button\"}}}" };
        for (size_t i = 0; i < sizeof(junk) / sizeof(*junk); i++) {
                char *t = ha_discovery_payload(&cfg, "9.9.9", NULL, junk[i]);
                cJSON *j = cJSON_Parse(t);
                const cJSON *jc = get(j, "cmps");
                assert_true(cJSON_GetArraySize(get(jc, "neck")) > 10);
                assert_null(cJSON_GetObjectItem(jc, "a"));
                assert_null(cJSON_GetObjectItem(jc, "b"));
                assert_null(cJSON_GetObjectItem(jc, "c"));
                if (i == 4)
                        assert_string_equal(get(get(jc, "x"), "p")->valuestring,
                                            "button");
                cJSON_Delete(j);
                free(t);
        }
        free(prev);
        free(s);
        cJSON_Delete(o);
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
                cmocka_unit_test(discovery_message),
        };
        return cmocka_run_group_tests_name("mqtt_cmd", tests, NULL, NULL);
}
