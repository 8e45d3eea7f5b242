/* Unit tests for config_keys.c: the table is consistent, the safety
 * defaults are its own, and the parser reads every row it lists. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config/config.h"
#include "config/config_keys.h"
#include "core/safety.h"
#include "test.h"

static void rows_are_consistent(void **state)
{
        (void)state;
        assert_true(config_nkeys > 50);
        for (size_t i = 0; i < config_nkeys; i++) {
                const struct config_key *k = &config_keys[i];
                assert_non_null(k->path);
                assert_non_null(k->help);
                assert_true(strlen(k->help) > 5);
                assert_ptr_equal(config_key_find(k->path), k);   /* unique */
                if ((k->type == CK_NUMBER || k->type == CK_INTEGER) &&
                    !k->def_doc) {
                        if (!(k->def >= k->min && k->def <= k->max))
                                print_error("%s: default outside range\n",
                                            k->path);
                        assert_true(k->def >= k->min && k->def <= k->max);
                }
                if (k->type == CK_INTEGER)
                        assert_true(k->min == floor(k->min) &&
                                    k->max == floor(k->max));
                if (k->type == CK_STRING)
                        assert_true(k->def_str || k->def_doc);
        }
        assert_null(config_key_find("zones[].limits.cutoff"));
        assert_true(isnan(config_key_default("zones[].name")));
        assert_true(config_key_default("zones[].limits.cutoff_c") == 45);
}

static void safety_defaults_come_from_the_table(void **state)
{
        struct safety_params p;
        (void)state;
        safety_default_params(&p);
        assert_true(p.cutoff_c == config_key_default("zones[].limits.cutoff_c"));
        assert_true(p.sensor_timeout_ms == 1000 *
                    config_key_default("zones[].limits.sensor_timeout_s"));
        assert_true(p.runaway_ms ==
                    1000 * config_key_default("zones[].limits.runaway_s"));
        assert_true(p.holding_drop_c ==
                    config_key_default("zones[].limits.holding_drop_c"));
        assert_true(p.frozen_ms == 1000 *
                    config_key_default("zones[].limits.frozen_reading_s"));
        assert_true(p.disagree_c ==
                    config_key_default("zones[].limits.sensor_disagree_c"));
        assert_true(p.runaway_min_rise_c ==
                    config_key_default("zones[].limits.runaway_min_rise_c"));
        assert_true(p.holding_ms ==
                    1000 * config_key_default("zones[].limits.holding_s"));
        assert_true(p.stuck_ms ==
                    1000 * config_key_default("zones[].limits.stuck_relay_s"));
        assert_true(p.stuck_above_c ==
                    config_key_default("zones[].limits.stuck_relay_above_c"));
        /* A renamed row would give NaN: a cutoff nothing is above. */
        assert_true(p.cutoff_c > 0 && p.runaway_min_rise_c > 0 &&
                    p.holding_drop_c > 0 && p.stuck_above_c > 0 &&
                    p.disagree_c > 0 && p.sensor_timeout_ms > 0 &&
                    p.runaway_ms > 0 && p.holding_ms > 0 && p.stuck_ms > 0 &&
                    p.frozen_ms > 0);
}

/* Between them the three configs hold every kind of sensor and relay. */
static const char *const fixtures[] = {
        "{\"device_id\":\"pad\",\"state_file\":\"/tmp/s.json\","
        "\"quiet_hours\":{\"enabled\":true,\"start\":\"23:00\",\"end\":\"07:00\"},"
        "\"zones\":[{\"name\":\"upper back\",\"id\":\"ub\",\"power_w\":40,"
        "\"sensor\":{\"type\":\"sim\",\"power_w\":40,\"room_c\":22,"
        "\"noise_c\":0.03,\"conversion_ms\":750,\"read_delay_ms\":0,\"seed\":1},"
        "\"relay\":{\"type\":\"sim\"},"
        "\"pid\":{\"kp\":0.4,\"ki\":0.0015,\"kd\":5,\"d_filter_s\":20,"
        "\"i_band_c\":2,\"window_s\":60,\"window_mode\":\"comfort\","
        "\"switches_per_hour\":40,\"min_on_s\":10,\"min_off_s\":10},"
        "\"limits\":{\"cutoff_c\":45,\"max_setpoint_c\":42,\"min_setpoint_c\":30,"
        "\"sensor_timeout_s\":5,\"runaway_s\":120,\"runaway_min_rise_c\":0.3,"
        "\"holding_s\":120,\"holding_drop_c\":4,\"stuck_relay_s\":60,"
        "\"stuck_relay_above_c\":2,\"sensor_disagree_c\":3,"
        "\"frozen_reading_s\":60},"
        "\"session\":{\"default_minutes\":20,\"max_minutes\":90,"
        "\"default_setpoint_c\":38,\"rest_minutes\":30},"
        "\"presets\":{\"low\":37,\"medium\":39,\"high\":41}}],"
        "\"mqtt\":{\"enabled\":true,\"host\":\"localhost\",\"port\":1883,"
        "\"username\":\"u\",\"password\":\"p\",\"tls_ca_file\":\"\","
        "\"client_id\":\"c\",\"base_topic\":\"heatpad\","
        "\"discovery_prefix\":\"homeassistant\",\"keepalive_s\":30},"
        "\"http\":{\"listen\":\"127.0.0.1\",\"port\":8080,\"web_root\":\"web\","
        "\"pin\":\"2468\"}}",

        "{\"zones\":[{\"name\":\"a\","
        "\"sensor\":{\"type\":\"modbus\",\"device\":\"/dev/ttyUSB0\","
        "\"baud\":9600,\"parity\":\"none\",\"data_bits\":8,\"stop_bits\":1,"
        "\"host\":\"\",\"port\":502,\"timeout_ms\":500,\"retries\":1,\"unit\":1,"
        "\"register\":0,\"register_type\":\"input\",\"signed\":true,"
        "\"scale\":0.1,\"offset\":0},"
        "\"sensor2\":{\"type\":\"ds18b20\",\"id\":\"28-0316a2795c9f\"},"
        "\"relay\":{\"type\":\"gpio\",\"chip\":\"gpiochip0\",\"line\":17,"
        "\"active_low\":false},"
        "\"button\":{\"chip\":\"gpiochip0\",\"line\":27,\"active_low\":true,"
        "\"bias\":\"pull-up\"},"
        "\"light\":{\"chip\":\"gpiochip0\",\"line\":22,\"active_low\":false}}],"
        "\"button\":{\"chip\":\"gpiochip0\",\"line\":23,\"active_low\":true,"
        "\"bias\":\"pull-up\"}}",

        "{\"zones\":[{\"name\":\"a\","
        "\"sensor\":{\"type\":\"ds18b20\",\"id\":\"28-0316a2795c9f\","
        "\"w1_root\":\"/sys/bus/w1/devices\",\"retries\":1},"
        "\"relay\":{\"type\":\"modbus\",\"device\":\"\",\"host\":\"10.0.0.2\","
        "\"baud\":9600,\"parity\":\"none\",\"data_bits\":8,\"stop_bits\":1,"
        "\"port\":502,\"timeout_ms\":500,\"retries\":1,\"unit\":1,"
        "\"coil\":0}}]}",
};

/* The object of root that row path's key lives in, following the path's
 * objects (list [] as element 0); NULL when this root has no such object
 * or a (type) does not match. */
static cJSON *holder(cJSON *root, const char *path, char *ret_where,
                     size_t size)
{
        char buf[128], *save = NULL;
        cJSON *o = root;
        size_t n = 0;

        snprintf(buf, sizeof(buf), "%s", path);
        ret_where[0] = '\0';
        char *last = strrchr(buf, '.');
        if (!last)
                return root;
        *last = '\0';
        for (char *part = strtok_r(buf, ".", &save); part;
             part = strtok_r(NULL, ".", &save)) {
                char *paren = strchr(part, '('), *list = strstr(part, "[]");
                char variant[16] = "";
                if (paren) {
                        snprintf(variant, sizeof(variant), "%.*s",
                                 (int)strcspn(paren + 1, ")"), paren + 1);
                        *paren = '\0';
                }
                if (list)
                        *list = '\0';
                o = cJSON_GetObjectItemCaseSensitive(o, part);
                if (list)
                        o = cJSON_GetArrayItem(o, 0);
                if (!cJSON_IsObject(o))
                        return NULL;
                if (*variant) {
                        cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
                        if (!cJSON_IsString(t) ||
                            strcmp(t->valuestring, variant) != 0)
                                return NULL;
                }
                n += (size_t)snprintf(ret_where + n, size - n, "%s%s%s",
                                      n ? "." : "", part, list ? "[0]" : "");
        }
        return o;
}

static bool error_starts(const struct config_errors *errs, const char *p)
{
        for (int i = 0; i < errs->n; i++)
                if (strncmp(errs->msg[i], p, strlen(p)) == 0)
                        return true;
        return false;
}

/* Each row's key given a value of the wrong type is refused, naming the
 * key: the parser reads every row the table (and so the man page) lists. */
static void parser_reads_every_row(void **state)
{
        static struct config cfg;
        static struct config_errors errs;
        (void)state;

        for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
                assert_int_equal(config_parse(fixtures[f], &cfg, &errs), 0);
        }
        for (size_t i = 0; i < config_nkeys; i++) {
                const struct config_key *k = &config_keys[i];
                bool found = false;

                if (k->type == CK_LIST)
                        continue;
                for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]);
                     f++) {
                        char where[128], want[192];
                        cJSON *root = cJSON_Parse(fixtures[f]);
                        cJSON *o = holder(root, k->path, where, sizeof(where));
                        const char *name = strrchr(k->path, '.');
                        name = name ? name + 1 : k->path;
                        if (!o || !cJSON_GetObjectItemCaseSensitive(o, name)) {
                                cJSON_Delete(root);
                                continue;
                        }
                        found = true;
                        cJSON_ReplaceItemInObjectCaseSensitive(o, name,
                                k->type == CK_STRING ? cJSON_CreateNumber(1) :
                                cJSON_CreateString("x"));
                        char *text = cJSON_PrintUnformatted(root);
                        assert_int_equal(config_parse(text, &cfg, &errs),
                                         -EINVAL);
                        snprintf(want, sizeof(want), "%s%s%s: must be", where,
                                 *where ? "." : "", name);
                        if (!error_starts(&errs, want)) {
                                print_error("%s: no error '%s...'\n", k->path,
                                            want);
                                for (int e = 0; e < errs.n; e++)
                                        print_error("  got: %s\n",
                                                    errs.msg[e]);
                        }
                        assert_true(error_starts(&errs, want));
                        free(text);
                        cJSON_Delete(root);
                }
                if (!found)
                        print_error("%s: in no fixture\n", k->path);
                assert_true(found);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rows_are_consistent),
                cmocka_unit_test(safety_defaults_come_from_the_table),
                cmocka_unit_test(parser_reads_every_row),
        };
        return cmocka_run_group_tests_name("config_keys", tests, NULL, NULL);
}
