/* Unit tests for http_body.c: the API's request bodies. Good bodies give
 * their values; every bad one is refused with a sentence naming the key,
 * and leaves the outputs untouched. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_body.h"
#include "test.h"

static char err[200];

static int start(const char *body, int *m, double *sp)
{
        err[0] = '\0';
        return http_parse_start_body(body, strlen(body), m, sp, err, sizeof(err));
}

static void start_body_values_and_defaults(void **state)
{
        int m = -1;
        double sp = -1;
        (void)state;
        assert_int_equal(start("{\"minutes\":25,\"setpoint_c\":40.5}", &m, &sp), 0);
        assert_int_equal(m, 25);
        assert_true(sp == 40.5);
        assert_int_equal(start("", &m, &sp), 0);         /* zone defaults */
        assert_int_equal(m, 0);
        assert_true(isnan(sp));
        assert_int_equal(start("  \n", &m, &sp), 0);
        assert_int_equal(start("{}", &m, &sp), 0);
        assert_int_equal(start("{\"setpoint_c\":38} ", &m, &sp), 0);
        assert_int_equal(m, 0);
        assert_true(sp == 38);
}

static void start_body_refusals(void **state)
{
        static const struct { const char *body, *msg; } bad[] = {
                { "{\"minutes\":\"20\"}", "minutes: must be a whole number" },
                { "{\"minutes\":20.5}", "minutes: must be a whole number" },
                { "{\"minutes\":0}", "minutes: must be between 1 and 1440" },
                { "{\"minutes\":-5}", "minutes: must be between 1 and 1440" },
                { "{\"minutes\":1e300}", "minutes: must be between 1 and 1440" },
                { "{\"setpoint_c\":\"hot\"}", "setpoint_c: must be a number" },
                { "{\"setpoint_c\":null}", "setpoint_c: must be a number" },
                { "{\"minutes\":20,\"setpoint\":40}", "setpoint: unknown key" },
                { "{\"minutes\":20", "malformed JSON" },
                { "{\"minutes\":20} x", "malformed JSON: text after the object" },
                { "[20,40]", "the body must be a JSON object" },
                { "20", "the body must be a JSON object" },
                { "nul", "malformed JSON" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int m = 7;
                double sp = 7;
                assert_int_equal(start(bad[i].body, &m, &sp), -EINVAL);
                if (strcmp(err, bad[i].msg)) {
                        print_error("body %s: got '%s', want '%s'\n", bad[i].body,
                                    err, bad[i].msg);
                        fail();
                }
                assert_int_equal(m, 7);
                assert_true(sp == 7);
        }
}

static void start_body_length_and_nul(void **state)
{
        char *big = malloc(HTTP_BODY_MAX + 10);
        int m = 7;
        double sp = 7;
        (void)state;
        memset(big, ' ', HTTP_BODY_MAX + 10);
        big[0] = '{';
        big[HTTP_BODY_MAX + 8] = '}';
        assert_int_equal(http_parse_start_body(big, HTTP_BODY_MAX + 9, &m, &sp,
                                               err, sizeof(err)), -EINVAL);
        assert_string_equal(err, "the body is larger than 8192 bytes");
        free(big);
        /* The length is what counts, not a NUL: none may hide inside. */
        assert_int_equal(http_parse_start_body("{}\0{\"x\":1}", 10, &m, &sp, err,
                                               sizeof(err)), -EINVAL);
        assert_string_equal(err, "the body must not contain NUL bytes");
        /* Only len bytes are read: a valid prefix of a longer buffer. */
        assert_int_equal(http_parse_start_body("{\"minutes\":5}garbage", 13, &m,
                                               &sp, err, sizeof(err)), 0);
        assert_int_equal(m, 5);
}

static int injury(const char *body, struct injury_report *r)
{
        err[0] = '\0';
        return http_parse_injury_body(body, strlen(body), r, err, sizeof(err));
}

static void injury_bodies(void **state)
{
        struct injury_report r;
        (void)state;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        assert_int_equal(injury("{\"injury\":true}", &r), 0);
        assert_true(r.acute && r.injury && !r.swelling && !r.at_given && !r.signs);
        assert_int_equal(r.minutes_ago, 0);
        assert_int_equal(injury("{\"swelling\":true,\"minutes_ago\":90}", &r), 0);
        assert_true(r.acute && r.swelling && r.minutes_ago == 90);
        assert_int_equal(injury("{\"injury\":true,\"at\":1795550400}", &r), 0);
        assert_true(r.at_given && r.at == 1795550400);
        /* Local time: 24 Nov 2026 20:15 in Berlin is 19:15 UTC. */
        assert_int_equal(injury("{\"injury\":true,\"at\":\"2026-11-24T20:15\"}", &r), 0);
        assert_int_equal(r.at, 1795547700);
        assert_int_equal(injury("{\"pain_worsening\":true,\"nerve_signs\":false}", &r), 0);
        assert_true(!r.acute && r.signs && r.pain_worsening && !r.nerve_signs);
        /* Clearing the warning signs is a report too. */
        assert_int_equal(injury("{\"pain_worsening\":false,\"nerve_signs\":false}", &r), 0);
        assert_true(r.signs && !r.pain_worsening);
        assert_int_equal(injury("{\"injury\":true,\"nerve_signs\":true}", &r), 0);
        assert_true(r.acute && r.signs && r.nerve_signs);
}

static void injury_refusals(void **state)
{
        static const struct { const char *body, *msg; } bad[] = {
                { "{}", "say what happened" },
                { "", "the body must be a JSON object" },
                { "{\"injury\":false}", "say what happened" },
                { "{\"injury\":\"yes\"}", "injury: must be true or false" },
                { "{\"injury\":1}", "injury: must be true or false" },
                { "{\"nerve_signs\":null}", "nerve_signs: must be true or false" },
                { "{\"injury\":true,\"at\":\"yesterday\"}", "at: expected local time" },
                { "{\"injury\":true,\"at\":\"2026-13-01T10:00\"}", "at: expected local time" },
                { "{\"injury\":true,\"at\":-5}", "at: must be between" },
                { "{\"injury\":true,\"at\":12.5}", "at: must be a whole number" },
                { "{\"injury\":true,\"at\":1,\"minutes_ago\":3}", "at: give either" },
                { "{\"injury\":true,\"minutes_ago\":-1}", "minutes_ago: must be between" },
                { "{\"injury\":true,\"minutes_ago\":99999}", "minutes_ago: must be between" },
                { "{\"pain_worsening\":true,\"minutes_ago\":5}", "at: a time needs" },
                { "{\"injury\":true,\"where\":\"back\"}", "where: unknown key" },
                { "{\"injury\":true", "malformed JSON" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct injury_report r = { .minutes_ago = 4242 };
                assert_int_equal(injury(bad[i].body, &r), -EINVAL);
                if (strncmp(err, bad[i].msg, strlen(bad[i].msg))) {
                        print_error("body %s: got '%s', want '%s...'\n",
                                    bad[i].body, err, bad[i].msg);
                        fail();
                }
                assert_int_equal(r.minutes_ago, 4242);
        }
}

static void pin_and_numbers(void **state)
{
        char pin[17] = "untouched";
        long v = 99;
        (void)state;
        assert_int_equal(http_parse_pin_body("{\"pin\":\"2468\"}", 14, pin,
                                             sizeof(pin), err, sizeof(err)), 0);
        assert_string_equal(pin, "2468");
        strcpy(pin, "untouched");
        assert_int_equal(http_parse_pin_body("{\"pin\":2468}", 12, pin,
                                             sizeof(pin), err, sizeof(err)), -EINVAL);
        assert_string_equal(err, "pin: must be a string of digits");
        assert_int_equal(http_parse_pin_body("{\"pin\":\"12345678901234567890\"}",
                                             30, pin, sizeof(pin), err,
                                             sizeof(err)), -EINVAL);
        assert_string_equal(pin, "untouched");

        assert_int_equal(http_parse_int("60", 1, 120, &v), 0);
        assert_int_equal(v, 60);
        assert_int_equal(http_parse_int("0", 1, 120, &v), -EINVAL);
        assert_int_equal(http_parse_int("121", 1, 120, &v), -EINVAL);
        assert_int_equal(http_parse_int("6x", 1, 120, &v), -EINVAL);
        assert_int_equal(http_parse_int("", 1, 120, &v), -EINVAL);
        assert_int_equal(http_parse_int(" 6", 1, 120, &v), -EINVAL);
        assert_int_equal(http_parse_int("+6", 1, 120, &v), -EINVAL);
        assert_int_equal(http_parse_int("99999999999999999999", 1, 120, &v), -EINVAL);
        assert_int_equal(http_parse_int(NULL, 1, 120, &v), -EINVAL);
        assert_int_equal(v, 60);

        assert_int_equal(http_parse_local_time("2026-11-24T20:15:30"), 1795547730);
        assert_int_equal(http_parse_local_time("2026-11-24 20:15"), -1);
        assert_int_equal(http_parse_local_time("2026-11-24T24:00"), -1);
        assert_int_equal(http_parse_local_time("2026-11-24T20:-1"), -1);
        assert_int_equal(http_parse_local_time("2026-11-24T20:15Z"), -1);
}

/* cJSON keeps both values of a key and lookups find the first: a body
 * giving one twice is refused, naming it, whatever it holds. */
static void duplicate_keys_refused(void **state)
{
        struct injury_report r = { .minutes_ago = 4242 };
        char pin[17] = "untouched";
        int m = 7;
        double sp = 7;
        (void)state;
        assert_int_equal(start("{\"setpoint_c\":40,\"setpoint_c\":99}", &m,
                               &sp), -EINVAL);
        assert_string_equal(err, "setpoint_c: duplicate key");
        assert_int_equal(start("{\"minutes\":20,\"setpoint_c\":40,"
                               "\"minutes\":120}", &m, &sp), -EINVAL);
        assert_string_equal(err, "minutes: duplicate key");
        assert_int_equal(m, 7);
        assert_true(sp == 7);
        assert_int_equal(injury("{\"injury\":true,\"injury\":false}", &r),
                         -EINVAL);
        assert_string_equal(err, "injury: duplicate key");
        assert_int_equal(injury("{\"pain_worsening\":false,\"nerve_signs\":"
                                "true,\"pain_worsening\":true}", &r), -EINVAL);
        assert_string_equal(err, "pain_worsening: duplicate key");
        assert_int_equal(r.minutes_ago, 4242);
        assert_int_equal(http_parse_pin_body("{\"pin\":\"2468\",\"pin\":\"1357\"}",
                                             27, pin, sizeof(pin), err,
                                             sizeof(err)), -EINVAL);
        assert_string_equal(err, "pin: duplicate key");
        assert_string_equal(pin, "untouched");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(start_body_values_and_defaults),
                cmocka_unit_test(start_body_refusals),
                cmocka_unit_test(start_body_length_and_nul),
                cmocka_unit_test(injury_bodies),
                cmocka_unit_test(injury_refusals),
                cmocka_unit_test(pin_and_numbers),
                cmocka_unit_test(duplicate_keys_refused),
        };
        return cmocka_run_group_tests_name("http_body", tests, NULL, NULL);
}
