/* Unit tests for config.c: defaults, and each error names the key path and
 * why. Configs are fed as strings, chrony-style. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "test.h"

#define SIM_ZONE(name) \
        "{\"name\":\"" name "\",\"sensor\":{\"type\":\"sim\"}," \
        "\"relay\":{\"type\":\"sim\"}}"

static struct config cfg;
static struct config_errors errs;

/* Parses a config whose one zone has `zone_extra` spliced into it. */
static int parse_zone_with(const char *zone_extra)
{
        char json[2048];
        snprintf(json, sizeof(json), "{\"zones\":[{\"name\":\"upper back\","
                 "\"sensor\":{\"type\":\"sim\"},\"relay\":{\"type\":\"sim\"}%s%s}]}",
                 *zone_extra ? "," : "", zone_extra);
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

static void minimal_config_gets_defaults(void **state)
{
        (void)state;
        assert_int_equal(config_parse("{\"zones\":[" SIM_ZONE("upper back") ","
                                      SIM_ZONE("lower back") "]}", &cfg, &errs), 0);
        assert_int_equal(cfg.nzones, 2);
        assert_string_equal(cfg.device_id, "heatpad");
        assert_string_equal(cfg.zones[0].id, "upper_back");
        assert_string_equal(cfg.zones[1].name, "lower back");
        const struct zone_cfg *z = &cfg.zones[0];
        assert_true(z->safety.cutoff_c == 45);
        assert_true(z->max_setpoint_c == 42);
        assert_int_equal(z->max_minutes, 90);
        assert_int_equal(z->window.window_ms, 60000);
        assert_int_equal(z->window.min_on_ms, 10000);
        assert_int_equal(z->safety.sensor_timeout_ms, 5000);
        assert_int_equal(z->safety.runaway_ms, 120000);
        assert_true(cfg.quiet.enabled);
        assert_int_equal(cfg.quiet.start_min, 23 * 60);
        assert_int_equal(cfg.quiet.end_min, 7 * 60);
        assert_int_equal(config_find_zone(&cfg, "lower back"), 1);
        assert_int_equal(config_find_zone(&cfg, "lower_back"), 1);
        assert_int_equal(config_find_zone(&cfg, "neck"), -1);
}

static void window_out_of_range(void **state)
{
        (void)state;
        /* The issue's own example: zones[1].pid.window_s. */
        char json[1024];
        snprintf(json, sizeof(json), "{\"zones\":[" SIM_ZONE("a") ",{\"name\":"
                 "\"b\",\"sensor\":{\"type\":\"sim\"},\"relay\":{\"type\":"
                 "\"sim\"},\"pid\":{\"window_s\":2}}]}");
        assert_int_equal(config_parse(json, &cfg, &errs), -EINVAL);
        assert_true(has_error("zones[1].pid.window_s: must be between 5 and 600"));
}

static void unknown_keys_are_errors(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with("\"limits\":{\"cutof_c\":44}"), -EINVAL);
        assert_true(has_error("zones[0].limits.cutof_c: unknown key"));
        assert_int_equal(config_parse("{\"zone\":[]}", &cfg, &errs), -EINVAL);
        assert_true(has_error("zone: unknown key"));
        assert_true(has_error("zones: is required (1 to 8 zones)"));
}

static void setpoint_must_stay_below_cutoff(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with("\"limits\":{\"cutoff_c\":44,"
                                         "\"max_setpoint_c\":43}"), -EINVAL);
        assert_true(has_error("zones[0].limits.max_setpoint_c: must be at "
                              "least 2 below cutoff_c (44)"));
}

static void cutoff_cannot_reach_burn_range(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with("\"limits\":{\"cutoff_c\":60}"), -EINVAL);
        assert_true(has_error("zones[0].limits.cutoff_c: must be between 30 and 50"));
}

static void session_cap_is_120(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with("\"session\":{\"max_minutes\":121}"),
                         -EINVAL);
        assert_true(has_error("zones[0].session.max_minutes: must be between 1 and 120"));
        assert_int_equal(parse_zone_with("\"session\":{\"max_minutes\":30,"
                                         "\"default_minutes\":45}"), -EINVAL);
        assert_true(has_error("zones[0].session.default_minutes: must not "
                              "exceed max_minutes (30)"));
}

static void wrong_types(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with("\"pid\":{\"kp\":\"fast\"},"
                                         "\"session\":{\"max_minutes\":20.5}"),
                         -EINVAL);
        assert_true(has_error("zones[0].pid.kp: must be a number"));
        assert_true(has_error("zones[0].session.max_minutes: must be a whole number"));
        assert_int_equal(config_parse("{\"quiet_hours\":{\"start\":\"11pm\","
                                      "\"enabled\":1},\"zones\":[" SIM_ZONE("a")
                                      "]}", &cfg, &errs), -EINVAL);
        assert_true(has_error("quiet_hours.start: must be a time as HH:MM"));
        assert_true(has_error("quiet_hours.enabled: must be true or false"));
}

static void hardware_is_required(void **state)
{
        (void)state;
        assert_int_equal(config_parse("{\"zones\":[{\"name\":\"a\"}]}", &cfg,
                                      &errs), -EINVAL);
        assert_true(has_error("zones[0].sensor: is required (the zone's sensor)"));
        assert_true(has_error("zones[0].relay: is required (the zone's relay)"));
        assert_int_equal(config_parse("{\"zones\":[{\"name\":\"a\",\"sensor\":"
                                      "{\"type\":\"thermistor\"},\"relay\":"
                                      "{\"type\":\"sim\"}}]}", &cfg, &errs),
                         -EINVAL);
        assert_true(has_error("zones[0].sensor.type: unknown sensor type "
                              "'thermistor' (known: sim, ds18b20, modbus)"));
}

static int parse_hw(const char *sensor, const char *sensor2, const char *relay)
{
        char json[2048];
        snprintf(json, sizeof(json), "{\"zones\":[{\"name\":\"a\","
                 "\"sensor\":%s,%s%s%s\"relay\":%s}]}", sensor,
                 sensor2 ? "\"sensor2\":" : "", sensor2 ? sensor2 : "",
                 sensor2 ? "," : "", relay);
        return config_parse(json, &cfg, &errs);
}

static void hardware_defaults(void **state)
{
        (void)state;
        assert_int_equal(parse_hw("{\"type\":\"ds18b20\",\"id\":"
                                  "\"28-0316a2795c9f\"}", NULL,
                                  "{\"type\":\"gpio\",\"line\":17}"), 0);
        const struct zone_cfg *z = &cfg.zones[0];
        assert_int_equal(z->sensor.type, SENSOR_DS18B20);
        assert_string_equal(z->sensor.ds18b20.w1_root, "/sys/bus/w1/devices");
        assert_int_equal(z->sensor.ds18b20.retries, 1);
        assert_int_equal(z->sensor2.type, SENSOR_NONE);
        assert_false(z->safety.two_sensors);
        assert_int_equal(z->relay.type, RELAY_GPIO);
        assert_string_equal(z->relay.gpio.chip, "gpiochip0");
        assert_int_equal(z->relay.gpio.line, 17);
        assert_false(z->relay.gpio.active_low);

        assert_int_equal(parse_hw("{\"type\":\"modbus\",\"host\":\"10.0.0.5\","
                                  "\"register\":3}",
                                  "{\"type\":\"modbus\",\"device\":\"/dev/ttyUSB0\","
                                  "\"register\":1,\"register_type\":\"holding\","
                                  "\"signed\":false,\"scale\":0.01,\"offset\":-50,"
                                  "\"parity\":\"even\",\"baud\":19200,\"unit\":7}",
                                  "{\"type\":\"modbus\",\"device\":\"/dev/ttyUSB0\","
                                  "\"coil\":2}"), 0);
        const struct modbus_sensor_cfg *m = &z->sensor.modbus;
        assert_string_equal(m->link.host, "10.0.0.5");
        assert_int_equal(m->link.port, 502);
        assert_int_equal(m->link.timeout_ms, 500);
        assert_int_equal(m->link.retries, 1);
        assert_int_equal(m->unit, 1);
        assert_int_equal(m->reg, 3);
        assert_true(m->input && m->is_signed);
        assert_true(m->scale == 0.1 && m->offset == 0);
        m = &z->sensor2.modbus;
        assert_int_equal(z->sensor2.type, SENSOR_MODBUS);
        assert_true(z->safety.two_sensors);
        assert_true(z->safety.disagree_c == 3);
        assert_string_equal(m->link.device, "/dev/ttyUSB0");
        assert_int_equal(m->link.baud, 19200);
        assert_int_equal(m->link.parity, MB_PARITY_EVEN);
        assert_int_equal(m->link.data_bits, 8);
        assert_int_equal(m->link.stop_bits, 1);
        assert_int_equal(m->unit, 7);
        assert_false(m->input || m->is_signed);
        assert_true(m->scale == 0.01 && m->offset == -50);
        assert_int_equal(z->relay.type, RELAY_MODBUS);
        assert_int_equal(z->relay.modbus.coil, 2);
}

static void hardware_errors_name_the_key(void **state)
{
        (void)state;
        assert_int_equal(parse_hw("{\"type\":\"ds18b20\",\"id\":\"0316a2795c9f\","
                                  "\"retries\":9}",
                                  "{\"type\":\"sim\"}",
                                  "{\"type\":\"gpio\",\"chip\":\"gpiochip0\","
                                  "\"pin\":4}"), -EINVAL);
        assert_true(has_error("zones[0].sensor.id: must be a DS18B20 id as "
                              "'28-' and 12 lower-case hex digits (see "
                              "heatpadd --probe)"));
        assert_true(has_error("zones[0].sensor.retries: must be between 0 and 5"));
        assert_true(has_error("zones[0].sensor2.type: a second sensor must be "
                              "real hardware (ds18b20 or modbus)"));
        assert_true(has_error("zones[0].relay.pin: unknown key"));
        assert_true(has_error("zones[0].relay.line: is required (the line "
                              "offset on the chip, e.g. 17 for GPIO17 on a Pi)"));

        assert_int_equal(parse_hw("{\"type\":\"modbus\",\"register\":0,"
                                  "\"scale\":0,\"register_type\":\"coil\"}", NULL,
                                  "{\"type\":\"modbus\",\"host\":\"h\","
                                  "\"device\":\"/dev/x\",\"coil\":1,"
                                  "\"parity\":\"mark\",\"unit\":250}"), -EINVAL);
        assert_true(has_error("zones[0].sensor.device: give either device "
                              "(Modbus RTU, e.g. /dev/ttyUSB0) or host (Modbus TCP)"));
        assert_true(has_error("zones[0].sensor.scale: must not be 0"));
        assert_true(has_error("zones[0].sensor.register_type: must be input "
                              "or holding"));
        assert_true(has_error("zones[0].relay.device: give either device "
                              "(Modbus RTU, e.g. /dev/ttyUSB0) or host (Modbus TCP)"));
        assert_true(has_error("zones[0].relay.parity: must be none, even or odd"));
        assert_true(has_error("zones[0].relay.unit: must be between 1 and 247 "
                              "on Modbus RTU"));

        /* A real sensor with a simulated relay is refused too. */
        assert_int_equal(parse_hw("{\"type\":\"ds18b20\",\"id\":"
                                  "\"28-0316a2795c9f\"}", NULL,
                                  "{\"type\":\"sim\"}"), -EINVAL);
        assert_true(has_error("zones[0].relay: a simulated sensor and a "
                              "simulated relay go together (they share one "
                              "simulated pad)"));
        assert_int_equal(parse_zone_with("\"limits\":{\"sensor_disagree_c\":0.1}"),
                         -EINVAL);
        assert_true(has_error("zones[0].limits.sensor_disagree_c: must be "
                              "between 0.5 and 20"));
}

static void zones_count_and_names(void **state)
{
        (void)state;
        /* The shipped config: no zones, valid (the daemon refuses to run
         * it, saying it is not configured yet). */
        assert_int_equal(config_parse("{\"zones\":[]}", &cfg, &errs), 0);
        assert_int_equal(cfg.nzones, 0);
        assert_int_equal(config_parse("{\"zones\":{}}", &cfg, &errs), -EINVAL);
        assert_true(has_error("zones: must be a list of 0 to 8 zones"));
        assert_int_equal(config_parse("{\"zones\":[" SIM_ZONE("Upper Back") ","
                                      SIM_ZONE("upper back") "]}", &cfg, &errs),
                         -EINVAL);
        assert_true(has_error("zones[1].name: zone id 'upper_back' is already "
                              "used by zones[0]"));
        assert_int_equal(parse_zone_with("\"id\":\"Upper Back\""), -EINVAL);
        assert_true(has_error("zones[0].id: must be lower-case letters, digits, "
                              "'_' or '-' (it goes into topics and URLs)"));
}

static void broken_json_says_where(void **state)
{
        (void)state;
        assert_int_equal(config_parse("{\n\"zones\": [\n  {,}\n]}", &cfg, &errs),
                         -EINVAL);
        assert_true(has_error("(top): not valid JSON (near line 3)"));
}

static void window_fits_min_times(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with("\"pid\":{\"window_s\":15,"
                                         "\"min_on_s\":10}"), -EINVAL);
        assert_true(has_error("zones[0].pid.min_on_s: min_on_s + min_off_s "
                              "must not exceed window_s (15)"));
}

static void missing_file(void **state)
{
        (void)state;
        assert_int_equal(config_load("/nonexistent/heatpad.json", &cfg, &errs),
                         -ENOENT);
        assert_true(has_error("/nonexistent/heatpad.json: cannot open: No such "
                              "file or directory"));
}

/* The "http" section (config_http.c): off when absent, defaults when
 * empty, and every bad key named. */
static int parse_http(const char *http)
{
        char json[1024];
        snprintf(json, sizeof(json), "{\"zones\":[" SIM_ZONE("upper back") "]%s%s}",
                 http ? ",\"http\":" : "", http ? http : "");
        return config_parse(json, &cfg, &errs);
}

static void http_section(void **state)
{
        (void)state;
        assert_int_equal(parse_http(NULL), 0);
        assert_false(cfg.http.enabled);
        assert_int_equal(parse_http("{}"), 0);
        assert_true(cfg.http.enabled);
        assert_string_equal(cfg.http.listen, "127.0.0.1");
        assert_int_equal(cfg.http.port, 8080);
        assert_string_equal(cfg.http.web_root, "web");
        assert_string_equal(cfg.http.pin, "");
        assert_int_equal(parse_http("{\"listen\":\"::\",\"port\":0,"
                                    "\"web_root\":\"/usr/share/heatpad/web\","
                                    "\"pin\":\"2468\"}"), 0);
        assert_string_equal(cfg.http.listen, "::");
        assert_int_equal(cfg.http.port, 0);
        assert_string_equal(cfg.http.pin, "2468");

        assert_int_equal(parse_http("{\"listen\":\"localhost\",\"port\":70000,"
                                    "\"pin\":\"12\",\"web_root\":\"\","
                                    "\"pim\":\"1234\"}"), -EINVAL);
        assert_true(has_error("http.listen: must be an IPv4 or IPv6 address, "
                              "e.g. 127.0.0.1 or 0.0.0.0"));
        assert_true(has_error("http.port: must be between 0 and 65535"));
        assert_true(has_error("http.pin: must be 4 to 16 digits"));
        assert_true(has_error("http.web_root: must not be empty"));
        assert_true(has_error("http.pim: unknown key"));
        assert_int_equal(parse_http("{\"pin\":\"12ab\"}"), -EINVAL);
        assert_true(has_error("http.pin: must be 4 to 16 digits"));
        assert_int_equal(parse_http("{\"pin\":1234}"), -EINVAL);
        assert_true(has_error("http.pin: must be a string"));
        assert_int_equal(parse_http("{\"port\":80.5}"), -EINVAL);
        assert_int_equal(parse_http("[]"), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(minimal_config_gets_defaults),
                cmocka_unit_test(window_out_of_range),
                cmocka_unit_test(unknown_keys_are_errors),
                cmocka_unit_test(setpoint_must_stay_below_cutoff),
                cmocka_unit_test(cutoff_cannot_reach_burn_range),
                cmocka_unit_test(session_cap_is_120),
                cmocka_unit_test(wrong_types),
                cmocka_unit_test(hardware_is_required),
                cmocka_unit_test(zones_count_and_names),
                cmocka_unit_test(broken_json_says_where),
                cmocka_unit_test(window_fits_min_times),
                cmocka_unit_test(missing_file),
                cmocka_unit_test(http_section),
                cmocka_unit_test(hardware_defaults),
                cmocka_unit_test(hardware_errors_name_the_key),
        };
        return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
