/* Unit tests for config_mqtt.c: MQTT off without the key, defaults, and
 * each error naming mqtt.<key> and why. */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "test.h"

static struct config cfg;
static struct config_errors errs;

static int parse_mqtt(const char *mqtt)
{
        char json[1024];
        snprintf(json, sizeof(json), "{\"device_id\":\"bed\",%s%s\"zones\":"
                 "[{\"name\":\"a\",\"sensor\":{\"type\":\"sim\"},\"relay\":"
                 "{\"type\":\"sim\"}}]}", mqtt ? "\"mqtt\":" : "",
                 mqtt ? mqtt : "");
        return config_parse(json, &cfg, &errs);
}

static bool has_error(const char *line)
{
        for (int i = 0; i < errs.n; i++)
                if (strcmp(errs.msg[i], line) == 0)
                        return true;
        for (int i = 0; i < errs.n; i++)
                print_error("  got: %s\n", errs.msg[i]);
        return false;
}

static void absent_means_off(void **state)
{
        (void)state;
        assert_int_equal(parse_mqtt(NULL), 0);
        assert_false(cfg.mqtt.enabled);
}

static void defaults(void **state)
{
        (void)state;
        assert_int_equal(parse_mqtt("{\"host\":\"broker.lan\"},"), 0);
        assert_true(cfg.mqtt.enabled);
        assert_string_equal(cfg.mqtt.host, "broker.lan");
        assert_int_equal(cfg.mqtt.port, 1883);
        assert_string_equal(cfg.mqtt.client_id, "heatpad-bed");
        assert_string_equal(cfg.mqtt.base_topic, "heatpad");
        assert_string_equal(cfg.mqtt.discovery_prefix, "homeassistant");
        assert_int_equal(cfg.mqtt.keepalive_s, 30);
        assert_string_equal(cfg.mqtt.username, "");
        assert_string_equal(cfg.mqtt.tls_ca_file, "");
}

static void tls_and_everything(void **state)
{
        (void)state;
        assert_int_equal(parse_mqtt("{\"host\":\"10.0.0.2\",\"username\":\"u\","
                "\"password\":\"p\",\"tls_ca_file\":\"/etc/ssl/ca.pem\","
                "\"client_id\":\"x\",\"base_topic\":\"home/pads\","
                "\"discovery_prefix\":\"ha\",\"keepalive_s\":60,"
                "\"enabled\":false},"), 0);
        assert_int_equal(cfg.mqtt.port, 8883);
        assert_false(cfg.mqtt.enabled);
        assert_string_equal(cfg.mqtt.password, "p");
        assert_string_equal(cfg.mqtt.base_topic, "home/pads");
        assert_int_equal(cfg.mqtt.keepalive_s, 60);
}

static void errors_name_the_key(void **state)
{
        (void)state;
        assert_int_equal(parse_mqtt("{\"port\":70000,\"hots\":1,"
                "\"password\":\"p\",\"base_topic\":\"a/+/b\","
                "\"discovery_prefix\":\"ha/\",\"keepalive_s\":1},"), -22);
        assert_true(has_error("mqtt.host: is required"));
        assert_true(has_error("mqtt.hots: unknown key"));
        assert_true(has_error("mqtt.port: must be between 1 and 65535"));
        assert_true(has_error("mqtt.password: needs a username"));
        assert_true(has_error("mqtt.base_topic: must be topic levels without "
                              "'+', '#' or empty levels"));
        assert_true(has_error("mqtt.discovery_prefix: must be topic levels "
                              "without '+', '#' or empty levels"));
        assert_true(has_error("mqtt.keepalive_s: must be between 5 and 600"));
        assert_int_equal(parse_mqtt("\"broker\","), -22);
        assert_true(has_error("mqtt: must be an object"));
}

static void zone_id_schedule_is_taken(void **state)
{
        (void)state;
        assert_int_equal(config_parse("{\"mqtt\":{\"host\":\"h\"},\"zones\":"
                "[{\"name\":\"Schedule\",\"sensor\":{\"type\":\"sim\"},"
                "\"relay\":{\"type\":\"sim\"}}]}", &cfg, &errs), -22);
        assert_true(has_error("zones[0].id: 'schedule' is taken by the MQTT "
                              "schedule topic and /api/schedule; give the "
                              "zone another \"id\""));
        /* Without MQTT too: the page has /api/schedule. */
        assert_int_equal(config_parse("{\"zones\":[{\"name\":\"Schedule\","
                "\"sensor\":{\"type\":\"sim\"},\"relay\":{\"type\":"
                "\"sim\"}}]}", &cfg, &errs), -22);
        /* A name of its own with another id is fine. */
        assert_int_equal(config_parse("{\"mqtt\":{\"host\":\"h\"},\"zones\":"
                "[{\"name\":\"Schedule\",\"id\":\"evening\",\"sensor\":"
                "{\"type\":\"sim\"},\"relay\":{\"type\":\"sim\"}}]}",
                &cfg, &errs), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(absent_means_off),
                cmocka_unit_test(defaults),
                cmocka_unit_test(tls_and_everything),
                cmocka_unit_test(errors_name_the_key),
                cmocka_unit_test(zone_id_schedule_is_taken),
        };
        return cmocka_run_group_tests_name("config_mqtt", tests, NULL, NULL);
}
