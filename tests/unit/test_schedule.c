/* Unit tests for schedule.c: parsing with reasons, and entries coming due at
 * the right local minute, once a day, across DST changes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/schedule.h"
#include "test.h"

static struct config cfg;

static time_t local(int y, int mo, int d, int h, int mi, int isdst)
{
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                         .tm_hour = h, .tm_min = mi, .tm_isdst = isdst };
        return mktime(&tm);
}

static int setup(void **state)
{
        struct config_errors errs;
        (void)state;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        assert_int_equal(config_parse("{\"zones\":[{\"name\":\"upper back\","
                "\"sensor\":{\"type\":\"sim\"},\"relay\":{\"type\":\"sim\"}}]}",
                &cfg, &errs), 0);
        return 0;
}

static int parse(const char *text, struct schedule *s, char *err)
{
        return schedule_parse_text(text, strlen(text), &cfg, s, err, 160);
}

static void parses_and_round_trips(void **state)
{
        struct schedule s, back;
        char err[160];
        (void)state;
        assert_int_equal(parse("[{\"zone\":\"upper back\",\"days\":[\"mon\","
                               "\"fri\"],\"start\":\"20:30\",\"minutes\":20,"
                               "\"setpoint_c\":40},{\"zone\":\"upper_back\","
                               "\"days\":\"daily\",\"start\":\"07:15\","
                               "\"minutes\":15,\"setpoint_c\":38,"
                               "\"enabled\":false}]", &s, err), 0);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.e[0].zone_id, "upper_back");
        assert_int_equal(s.e[0].days, 0x11);
        assert_int_equal(s.e[0].start_min, 20 * 60 + 30);
        assert_true(s.e[0].enabled);
        assert_int_equal(s.e[1].days, 0x7f);
        assert_false(s.e[1].enabled);
        cJSON *j = schedule_to_json(&s);
        assert_int_equal(schedule_parse(j, &cfg, &back, err, sizeof(err)), 0);
        cJSON_Delete(j);
        assert_int_equal(back.n, 2);
        assert_int_equal(back.e[0].days, 0x11);
        assert_int_equal(back.e[1].start_min, 7 * 60 + 15);
}

static void refusals_name_entry_and_key(void **state)
{
        static const struct { const char *json, *err; } cases[] = {
                { "{}", "a schedule must be a JSON list of entries" },
                { "[{\"zone\":\"neck\",\"days\":\"daily\",\"start\":\"20:00\","
                  "\"minutes\":20,\"setpoint_c\":40}]", "[0].zone: no zone 'neck'" },
                { "[{\"zone\":\"upper_back\",\"days\":[\"funday\"],\"start\":"
                  "\"20:00\",\"minutes\":20,\"setpoint_c\":40}]",
                  "[0].days: must be \"daily\" or a list of mon, tue, wed, thu, "
                  "fri, sat, sun" },
                { "[{\"zone\":\"upper_back\",\"days\":\"daily\",\"start\":"
                  "\"8pm\",\"minutes\":20,\"setpoint_c\":40}]",
                  "[0].start: must be a local time as HH:MM" },
                { "[{\"zone\":\"upper_back\",\"days\":\"daily\",\"start\":"
                  "\"20:00\",\"minutes\":95,\"setpoint_c\":40}]",
                  "[0].minutes: must be a whole number from 1 to 90" },
                { "[{\"zone\":\"upper_back\",\"days\":\"daily\",\"start\":"
                  "\"20:00\",\"minutes\":20,\"setpoint_c\":50}]",
                  "[0].setpoint_c: must be a number from 30 to 42" },
                { "[{\"zone\":\"upper_back\",\"days\":\"daily\",\"start\":"
                  "\"20:00\",\"minutes\":20,\"setpoint_c\":40,\"when\":1}]",
                  "[0].when: unknown key" },
                { "[1", "not valid JSON" },
                { "[{\"zone\":\"upper_back\",\"days\":\"daily\",\"start\":"
                  "\"20:00\",\"minutes\":20,\"setpoint_c\":40},{\"zone\":"
                  "\"upper_back\",\"days\":\"daily\",\"start\":\"21:00\","
                  "\"minutes\":20,\"minutes\":90,\"setpoint_c\":40}]",
                  "[1].minutes: duplicate key" },
        };
        struct schedule s = { .n = 7 };
        char err[160];
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                assert_int_equal(parse(cases[i].json, &s, err), -EINVAL);
                assert_string_equal(err, cases[i].err);
        }
        assert_int_equal(s.n, 7);       /* untouched */
}

static struct schedule one(const char *days, const char *start)
{
        struct schedule s;
        char json[256], err[160];
        snprintf(json, sizeof(json), "[{\"zone\":\"upper_back\",\"days\":%s,"
                 "\"start\":\"%s\",\"minutes\":20,\"setpoint_c\":40}]", days,
                 start);
        assert_int_equal(parse(json, &s, err), 0);
        return s;
}

static void fires_when_the_minute_begins(void **state)
{
        struct schedule s = one("[\"tue\"]", "20:30");
        int idx[4];
        (void)state;
        time_t t = local(2026, 11, 24, 20, 29, -1) + 59;  /* Tue 20:29:59 */
        assert_int_equal(schedule_due(&s, TEST_TZ, t - 1, t, idx, 4), 0);
        assert_int_equal(schedule_due(&s, TEST_TZ, t, t + 1, idx, 4), 1);
        assert_int_equal(idx[0], 0);
        /* Once a day, even if asked again in the same minute. */
        assert_int_equal(schedule_due(&s, TEST_TZ, t, t + 1, idx, 4), 0);
        /* Not on Wednesday. */
        t += 86400;
        assert_int_equal(schedule_due(&s, TEST_TZ, t, t + 1, idx, 4), 0);
        /* Next Tuesday again. */
        t += 6 * 86400;
        assert_int_equal(schedule_due(&s, TEST_TZ, t, t + 1, idx, 4), 1);
}

static void clock_steps_fire_nothing(void **state)
{
        struct schedule s = one("\"daily\"", "20:30");
        int idx[4];
        (void)state;
        time_t t = local(2026, 11, 24, 20, 0, -1);
        assert_int_equal(schedule_due(&s, TEST_TZ, t, t + 3600, idx, 4), 0);
        assert_int_equal(schedule_due(&s, TEST_TZ, t + 3600, t, idx, 4), 0);
        /* A short stall (a few minutes) still catches up. */
        assert_int_equal(schedule_due(&s, TEST_TZ, t + 29 * 60, t + 33 * 60, idx, 4), 1);
}

static void dst_days(void **state)
{
        int idx[4];
        (void)state;
        /* 29 Mar 2026: 02:30 does not exist; nothing fires, no crash. */
        struct schedule s = one("\"daily\"", "02:30");
        time_t t = local(2026, 3, 29, 1, 55, -1);
        int n = 0;
        for (int i = 0; i < 3600; i++)
                n += schedule_due(&s, TEST_TZ, t + i, t + i + 1, idx, 4);
        assert_int_equal(n, 0);
        /* 25 Oct 2026: 02:30 happens twice; it fires once. */
        s = one("\"daily\"", "02:30");
        t = local(2026, 10, 25, 1, 55, 1);
        n = 0;
        for (int i = 0; i < 3 * 3600; i++)
                n += schedule_due(&s, TEST_TZ, t + i, t + i + 1, idx, 4);
        assert_int_equal(n, 1);
        /* 20:30 on the change day is 20:30 on the clock. */
        s = one("\"daily\"", "20:30");
        t = local(2026, 10, 25, 20, 30, -1);
        assert_int_equal(schedule_due(&s, TEST_TZ, t - 1, t, idx, 4), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(parses_and_round_trips),
                cmocka_unit_test(refusals_name_entry_and_key),
                cmocka_unit_test(fires_when_the_minute_begins),
                cmocka_unit_test(clock_steps_fire_nothing),
                cmocka_unit_test(dst_days),
        };
        return cmocka_run_group_tests_name("schedule", tests, setup, NULL);
}
