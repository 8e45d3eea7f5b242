/* Unit tests for config.c: defaults, and each error names the key path and
 * why. Configs are fed as strings, chrony-style. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfgjson.h"
#include "config/config.h"
#include "daemon/state.h"
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

/* Presets default to 37/39/41 moved into the zone's range; a preset
 * given must lie in it. power_w: the simulated pad's, or as declared. */
static void presets_and_power(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with(""), 0);
        const struct zone_cfg *z = &cfg.zones[0];
        assert_true(z->presets_c[0] == 37 && z->presets_c[1] == 39 &&
                    z->presets_c[2] == 41);
        assert_true(z->power_w == 40);          /* sensor.power_w's default */
        assert_int_equal(parse_zone_with("\"limits\":{\"max_setpoint_c\":40},"
                                         "\"power_w\":60"), 0);
        assert_true(z->presets_c[2] == 40 && z->power_w == 60);
        assert_int_equal(parse_zone_with("\"presets\":{\"high\":44}"), -EINVAL);
        assert_true(has_error("zones[0].presets.high: must be between 30 and 42"));
        assert_int_equal(parse_zone_with("\"presets\":{\"hot\":40}"), -EINVAL);
        assert_true(has_error("zones[0].presets.hot: unknown key"));
        assert_int_equal(parse_zone_with("\"power_w\":-1"), -EINVAL);
        assert_true(has_error("zones[0].power_w: must be between 0 and 5000"));
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

static void window_mode_and_budget(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with(""), 0);
        assert_int_equal(cfg.zones[0].window_mode, WINDOW_COMFORT);
        assert_false(cfg.zones[0].window_set);
        assert_near(cfg.zones[0].switches_per_hour, 40, 1e-9);
        assert_int_equal(parse_zone_with("\"pid\":{\"window_mode\":"
                                         "\"relay_life\",\"switches_per_hour\""
                                         ":20,\"window_s\":90}"), 0);
        assert_int_equal(cfg.zones[0].window_mode, WINDOW_RELAY_LIFE);
        assert_true(cfg.zones[0].window_set);
        assert_near(cfg.zones[0].switches_per_hour, 20, 1e-9);
        assert_int_equal(parse_zone_with("\"pid\":{\"window_mode\":"
                                         "\"quiet\"}"), -EINVAL);
        assert_true(has_error("zones[0].pid.window_mode: must be \"comfort\" "
                              "or \"relay_life\""));
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
        const struct mb_sensor_cfg *m = &z->sensor.modbus;
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

/* cJSON keeps both and every lookup finds the first: 90 would win over
 * the 500 someone meant. */
static void duplicate_keys_are_refused_with_their_path(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with("\"session\":{\"max_minutes\":90,"
                                         "\"max_minutes\":500}"), -EINVAL);
        assert_true(has_error("zones[0].session.max_minutes: duplicate key"));
        assert_int_equal(config_parse("{\"device_id\":\"a\",\"zones\":["
                                      SIM_ZONE("a") "],\"device_id\":\"b\"}",
                                      &cfg, &errs), -EINVAL);
        assert_true(has_error("device_id: duplicate key"));
        assert_int_equal(config_parse("{\"zones\":[" SIM_ZONE("a") ",{\"name\":"
                                      "\"b\",\"name\":\"c\",\"sensor\":{\"type\":"
                                      "\"sim\"},\"relay\":{\"type\":\"sim\"}}]}",
                                      &cfg, &errs), -EINVAL);
        assert_true(has_error("zones[1].name: duplicate key"));
        /* The same key in two objects is no duplicate. */
        assert_int_equal(config_parse("{\"zones\":[" SIM_ZONE("a") ","
                                      SIM_ZONE("b") "]}", &cfg, &errs), 0);
}

static void find_duplicate_paths(void **state)
{
        static const struct { const char *json, *path; } cases[] = {
                { "{\"a\":1,\"b\":2}", NULL },
                { "{\"a\":1,\"a\":2}", "a" },
                { "{\"a\":{\"b\":[1,{\"c\":1,\"d\":2,\"c\":3}]}}", "a.b[1].c" },
                { "[{\"x\":1},{\"x\":1,\"y\":2,\"x\":3}]", "[1].x" },
                { "{\"\":1,\"\":2}", "\"\"" },
                { "{\"a\\nb\":1,\"a\\nb\":2}", "a?b" },
                /* The first key repeated, in the order written. */
                { "{\"z\":1,\"b\":1,\"z\":2,\"b\":2}", "z" },
                { "[[[{\"k\":[{\"k\":1,\"k\":2}]}]]]", "[0][0][0].k[0].k" },
        };
        char path[64];
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                cJSON *j = cJSON_Parse(cases[i].json);
                assert_non_null(j);
                bool found = cfg_find_duplicate(j, path, sizeof(path));
                cJSON_Delete(j);
                if (!cases[i].path) {
                        assert_false(found);
                        continue;
                }
                if (!found || strcmp(path, cases[i].path) != 0)
                        fail_msg("%s: got %s, want %s", cases[i].json,
                                 found ? path : "(none)", cases[i].path);
        }
}

/* Objects past the pair-by-pair size are sorted: the answer is the same. */
static void find_duplicate_in_a_large_object(void **state)
{
        char path[64], key[16];
        cJSON *o = cJSON_CreateObject();
        (void)state;
        for (int i = 0; i < 2000; i++) {
                snprintf(key, sizeof(key), "k%d", i);
                cJSON_AddNumberToObject(o, key, i);
        }
        assert_false(cfg_find_duplicate(o, path, sizeof(path)));
        cJSON_AddNumberToObject(o, "k1500", 1);
        cJSON_AddNumberToObject(o, "k7", 1);
        assert_true(cfg_find_duplicate(o, path, sizeof(path)));
        assert_string_equal(path, "k1500");
        cJSON_Delete(o);
}

/* The worst an 8 KiB body or a 64 KiB text can do: every key different
 * (no early way out), all in one object. */
static void find_duplicate_cost_is_bounded(void **state)
{
        static const size_t sizes[] = { 8192, 65536 };
        char path[64];
        (void)state;
        for (size_t s = 0; s < 2; s++) {
                size_t cap = sizes[s], n = 1;
                char *text = malloc(cap + 64);
                assert_non_null(text);
                text[0] = '{';
                for (int i = 0; n + 24 < cap; i++)
                        n += (size_t)sprintf(text + n, "%s\"%x\":0", i ? "," :
                                             "", i);
                text[n++] = '}';
                text[n] = '\0';
                cJSON *j = cJSON_Parse(text);
                assert_non_null(j);
                unsigned long compares;
                assert_false(cfg_find_duplicate_counted(j, path, sizeof(path),
                                                        &compares));
                double keys = cJSON_GetArraySize(j);
                double bound = 2 * keys * log2(keys);
                print_message("  %zu bytes, %.0f keys: %lu comparisons "
                              "(n log n bound %.0f, pair by pair %.0f)\n", n,
                              keys, compares, bound, keys * (keys - 1) / 2);
                /* Counted, not timed: an emulated or busy machine must
                 * not fail it. Pair by pair would be n^2/2. */
                assert_true(compares <= bound);
                cJSON_Delete(j);
                free(text);
        }
}

/* The state file is JSON that comes in too. */
static void duplicate_key_in_the_state_file(void **state)
{
        struct state_data st;
        char err[160];
        (void)state;
        assert_int_equal(state_from_json("{\"version\":1,\"record\":{"
                "\"acute\":true,\"acute\":false}}", &st, err, sizeof(err)),
                -EINVAL);
        assert_string_equal(err, "record.acute: duplicate key");
}

/* 23:00 to 23:00 is no quiet hours at all: only on purpose. */
static void quiet_hours_start_equal_to_end(void **state)
{
        (void)state;
        assert_int_equal(config_parse("{\"quiet_hours\":{\"start\":\"22:00\","
                                      "\"end\":\"22:00\"},\"zones\":["
                                      SIM_ZONE("a") "]}", &cfg, &errs), -EINVAL);
        assert_true(has_error("quiet_hours.end: must differ from start "
                              "(22:00): the same time would turn quiet hours "
                              "off; to do that, set \"enabled\": false"));
        assert_int_equal(config_parse("{\"quiet_hours\":{\"enabled\":true,"
                                      "\"start\":\"07:00\"},\"zones\":["
                                      SIM_ZONE("a") "]}", &cfg, &errs), -EINVAL);
        assert_int_equal(config_parse("{\"quiet_hours\":{\"enabled\":false,"
                                      "\"start\":\"22:00\",\"end\":\"22:00\"},"
                                      "\"zones\":[" SIM_ZONE("a") "]}", &cfg,
                                      &errs), 0);
        assert_false(cfg.quiet.enabled);
        assert_int_equal(config_parse("{\"quiet_hours\":{\"start\":\"22:00\","
                                      "\"end\":\"22:01\"},\"zones\":["
                                      SIM_ZONE("a") "]}", &cfg, &errs), 0);
}

static void zone_ids_that_topics_and_urls_use(void **state)
{
        static const char *const taken[] = {
                "schedule", "status", "availability", "set", "result",
                "state", "stop", "all", "guidance", "start", "clear-fault",
                "clear_fault", "mode", "temperature", "confirm-safe",
        };
        char want[192];
        (void)state;
        for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
                char zone[96];
                snprintf(zone, sizeof(zone), "\"id\":\"%s\"", taken[i]);
                assert_int_equal(parse_zone_with(zone), -EINVAL);
                snprintf(want, sizeof(want), "zones[0].id: '%s' is taken by ",
                         taken[i]);
                bool found = false;
                for (int e = 0; e < errs.n; e++)
                        found |= strncmp(errs.msg[e], want, strlen(want)) == 0;
                if (!found)
                        fail_msg("id %s: %s", taken[i], errs.n ? errs.msg[0] :
                                 "accepted");
        }
        /* From the name, too. */
        assert_int_equal(config_parse("{\"zones\":[" SIM_ZONE("Status") "]}",
                                      &cfg, &errs), -EINVAL);
        assert_true(has_error("zones[0].id: 'status' is taken by /api/status; "
                              "give the zone another \"id\""));
        assert_int_equal(parse_zone_with("\"id\":\"stop_zone\""), 0);
        assert_int_equal(parse_zone_with("\"id\":\"all_of_back\""), 0);
}

static int parse_http_listen(const char *listen, const char *pin)
{
        char http[160];
        snprintf(http, sizeof(http), "{\"listen\":\"%s\"%s%s%s}", listen,
                 pin ? ",\"pin\":\"" : "", pin ? pin : "", pin ? "\"" : "");
        return parse_http(http);
}

static void guessable_pins_are_refused(void **state)
{
        static const struct { const char *pin, *why; } bad[] = {
                { "0000", "one digit repeated" },
                { "1111", "one digit repeated" },
                { "99999999", "one digit repeated" },
                { "1234", "a run of digits like 1234 or 4321" },
                { "0123", "a run of digits like 1234 or 4321" },
                { "123456", "a run of digits like 1234 or 4321" },
                { "4321", "a run of digits like 1234 or 4321" },
                { "9876", "a run of digits like 1234 or 4321" },
                { "7890", "a run of digits like 1234 or 4321" },
                { "3210", "a run of digits like 1234 or 4321" },
        };
        char want[192];
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(parse_http_listen("127.0.0.1", bad[i].pin),
                                 -EINVAL);
                snprintf(want, sizeof(want), "http.pin: is too easy to guess "
                         "(%s): choose other digits", bad[i].why);
                if (!has_error(want))
                        fail_msg("pin %s", bad[i].pin);
        }
        assert_int_equal(parse_http_listen("127.0.0.1", "123"), -EINVAL);
        assert_true(has_error("http.pin: must be 4 to 16 digits"));
        assert_int_equal(parse_http_listen("127.0.0.1", "2468"), 0);
        assert_int_equal(parse_http_listen("127.0.0.1", "1235"), 0);
        assert_int_equal(parse_http_listen("127.0.0.1", "4711"), 0);
        assert_string_equal(cfg.http.pin, "4711");
}

/* A page other machines reach lets anyone there start heat or change the
 * record: it needs a PIN, or "none" on purpose. */
static void open_page_needs_a_pin_or_none(void **state)
{
        (void)state;
        assert_int_equal(parse_http_listen("0.0.0.0", NULL), -EINVAL);
        assert_true(has_error("http.pin: is needed: the page listens on "
                              "0.0.0.0, beyond this machine; give 4 to 16 "
                              "digits, or \"none\" to go without on purpose"));
        assert_int_equal(parse_http_listen("::", ""), -EINVAL);
        assert_int_equal(parse_http_listen("192.168.1.20", NULL), -EINVAL);
        assert_int_equal(parse_http_listen("0.0.0.0", "2468"), 0);
        assert_int_equal(parse_http_listen("0.0.0.0", "none"), 0);
        assert_string_equal(cfg.http.pin, "");
        assert_true(cfg.http.pin_none);
        /* Only this machine: no PIN is fine. */
        assert_int_equal(parse_http_listen("127.0.0.1", NULL), 0);
        assert_false(cfg.http.pin_none);
        assert_int_equal(parse_http_listen("127.0.0.53", NULL), 0);
        assert_int_equal(parse_http_listen("::1", NULL), 0);
        assert_int_equal(parse_http_listen("::ffff:127.0.0.1", NULL), 0);
        assert_int_equal(parse_http_listen("::1", "none"), 0);
}

static void state_file_must_be_a_regular_file(void **state)
{
        char dir[] = "/tmp/heatpad-cfgtest-XXXXXX", path[128], err[512];
        (void)state;
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/state.json", dir);
        assert_int_equal(config_check_state_file(path, err, sizeof(err)), 0);
        int fd = open(path, O_WRONLY | O_CREAT, 0600);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(config_check_state_file(path, err, sizeof(err)), 0);
        assert_int_equal(config_check_state_file("/dev/null", err,
                                                 sizeof(err)), -EINVAL);
        assert_string_equal(err, "/dev/null is a character device, not a "
                            "regular file: give the path of a file of its own");
        assert_int_equal(config_check_state_file(dir, err, sizeof(err)),
                         -EINVAL);
        snprintf(path, sizeof(path), "%s/fifo", dir);
        assert_int_equal(mkfifo(path, 0600), 0);
        assert_int_equal(config_check_state_file(path, err, sizeof(err)),
                         -EINVAL);
        assert_non_null(strstr(err, "is a fifo"));
        unlink(path);
        snprintf(path, sizeof(path), "%s/link", dir);
        assert_int_equal(symlink("state.json", path), 0);
        assert_int_equal(config_check_state_file(path, err, sizeof(err)),
                         -EINVAL);
        assert_non_null(strstr(err, "is a symbolic link"));
        unlink(path);
        snprintf(path, sizeof(path), "%s/none/state.json", dir);
        assert_int_equal(config_check_state_file(path, err, sizeof(err)),
                         -ENOENT);
        assert_non_null(strstr(err, "does not exist"));
        snprintf(path, sizeof(path), "%s/state.json/x", dir);
        assert_true(config_check_state_file(path, err, sizeof(err)) < 0);
        assert_int_equal(config_check_state_file("", err, sizeof(err)),
                         -EINVAL);
        snprintf(path, sizeof(path), "%s/state.json", dir);
        unlink(path);
        rmdir(dir);
}

static void button_and_light_defaults_and_line_clashes(void **state)
{
        (void)state;
        assert_int_equal(parse_zone_with("\"button\":{\"line\":27},"
                                         "\"light\":{\"line\":22}"), 0);
        assert_true(cfg.zones[0].button.set);
        assert_string_equal(cfg.zones[0].button.chip, "gpiochip0");
        assert_int_equal(cfg.zones[0].button.line, 27);
        assert_true(cfg.zones[0].button.active_low);
        assert_int_equal(cfg.zones[0].button.bias, GPIO_BIAS_PULL_UP);
        assert_true(cfg.zones[0].light.set);
        assert_false(cfg.zones[0].light.active_low);
        assert_false(cfg.button.set);
        assert_int_equal(parse_zone_with("\"button\":{\"line\":27,"
                                         "\"bias\":\"up\"}"), -EINVAL);
        assert_true(has_error("zones[0].button.bias: must be pull-up, "
                              "pull-down, disabled or as-is"));
        assert_int_equal(parse_zone_with("\"button\":{\"chip\":\"0\","
                                         "\"line\":22},\"light\":{"
                                         "\"chip\":\"/dev/gpiochip0\","
                                         "\"line\":22}"), -EINVAL);
        assert_true(has_error("zones[0].light.line: line 22 of "
                              "/dev/gpiochip0 is already zones[0].button's: "
                              "a relay, a button and a light each need a "
                              "line of their own"));
        assert_int_equal(config_parse("{\"zones\":[{\"name\":\"a\","
                                      "\"sensor\":{\"type\":\"ds18b20\","
                                      "\"id\":\"28-0316a2795c9f\"},"
                                      "\"relay\":{\"type\":\"gpio\","
                                      "\"line\":17}}],\"button\":{"
                                      "\"line\":17}}", &cfg, &errs), -EINVAL);
        assert_true(has_error("button.line: line 17 of gpiochip0 is already "
                              "zones[0].relay's: a relay, a button and a "
                              "light each need a line of their own"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(minimal_config_gets_defaults),
                cmocka_unit_test(window_out_of_range),
                cmocka_unit_test(presets_and_power),
                cmocka_unit_test(window_mode_and_budget),
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
                cmocka_unit_test(duplicate_keys_are_refused_with_their_path),
                cmocka_unit_test(find_duplicate_paths),
                cmocka_unit_test(find_duplicate_in_a_large_object),
                cmocka_unit_test(find_duplicate_cost_is_bounded),
                cmocka_unit_test(duplicate_key_in_the_state_file),
                cmocka_unit_test(quiet_hours_start_equal_to_end),
                cmocka_unit_test(zone_ids_that_topics_and_urls_use),
                cmocka_unit_test(guessable_pins_are_refused),
                cmocka_unit_test(open_page_needs_a_pin_or_none),
                cmocka_unit_test(state_file_must_be_a_regular_file),
                cmocka_unit_test(button_and_light_defaults_and_line_clashes),
        };
        return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
