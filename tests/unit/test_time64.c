/* Unit tests of wall time past 2038-01-19 03:14:07 UTC, where a 32-bit
 * time_t wraps: the 48-hour window, schedules, quiet hours and the state
 * file on every architecture the tests run on (make check-cross runs them
 * under qemu for arm64 and armhf). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "core/quiet.h"
#include "core/schedule.h"
#include "daemon/state.h"
#include "test.h"

/* 2038-01-18 12:00:00 UTC: 15 h before the 32-bit wrap. */
#define BEFORE_WRAP ((time_t)2147428800LL)

static void time_t_is_64_bits(void **state)
{
        (void)state;
        assert_true(sizeof(time_t) >= 8);
        time_t t = BEFORE_WRAP + 48 * 3600;
        assert_true(t > (time_t)INT32_MAX);
}

/* Ticks the core once a second for `s` seconds at a steady 30 C. */
static void run(struct core *core, uint64_t *t, time_t *w, long s)
{
        for (long i = 0; i < s; i++) {
                *t += 1000;
                *w += 1;
                core_post_reading(core, 0, 0, 30);
                core_tick(core, *t, *w);
        }
}

static void cold_window_across_the_wrap(void **state)
{
        struct config cfg;
        struct config_errors errs;
        struct core core;
        struct core_reply rep;
        (void)state;
        setenv("TZ", "UTC", 1);
        tzset();
        assert_int_equal(config_parse("{\"quiet_hours\":{\"enabled\":false},"
                "\"zones\":[{\"name\":\"back\",\"sensor\":{\"type\":\"sim\"},"
                "\"relay\":{\"type\":\"sim\"}}]}", &cfg, &errs), 0);
        uint64_t t = 1000;
        time_t w = BEFORE_WRAP;
        core_init(&core, &cfg, NULL, NULL, t, w);
        core_set_localtime(&core, test_localtime, NULL);
        core_set_wall_trusted(&core, true, t, w);
        core_record_acute(&core, w, true, false, SRC_CLI, t, w, &rep);
        assert_int_equal(rep.status, CORE_OK);
        /* Across the wrap, a day later, still inside the 48 hours. */
        time_t at = w;
        run(&core, &t, &w, 24 * 3600);
        struct guidance g = core_guidance(&core, w);
        assert_true(g.heat_blocked);
        assert_true(g.heat_allowed_at == at + 48 * 3600);
        core_start(&core, 0, 20, NAN, SRC_HTTP, t, w, &rep);
        assert_string_equal(rep.code, "cold_rule");
        /* Wed 20 Jan 2038, not a date in 1901. */
        assert_non_null(strstr(rep.message, "Wed 20 Jan 12:00"));
        run(&core, &t, &w, 24 * 3600);
        g = core_guidance(&core, w);
        assert_false(g.heat_blocked);
        core_start(&core, 0, 20, NAN, SRC_HTTP, t, w, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

static void schedule_due_after_the_wrap(void **state)
{
        struct schedule s;
        char err[128];
        int idx[4];
        (void)state;
        setenv("TZ", "UTC", 1);
        tzset();
        const char *json = "[{\"zone\":\"back\",\"days\":[\"tue\"],"
                           "\"start\":\"20:30\",\"minutes\":20,"
                           "\"setpoint_c\":40}]";
        int rc = schedule_parse_text(json, strlen(json), NULL, &s, err,
                                     sizeof(err));
        if (rc)
                fail_msg("%s", err);
        /* Tue 2038-01-19 20:29 to 20:31 UTC, after the wrap. */
        time_t from = (time_t)2147545740LL, to = from + 120;
        assert_int_equal(schedule_due(&s, TEST_TZ, from, to, idx, 4), 1);
}

static void quiet_hours_after_the_wrap(void **state)
{
        struct quiet_hours q = { true, 23 * 60, 7 * 60 };
        (void)state;
        setenv("TZ", "UTC", 1);
        tzset();
        /* 2038-01-19 23:30 UTC */
        time_t t = (time_t)2147556600LL;
        assert_true(quiet_active(&q, TEST_TZ, t));
        assert_true(quiet_ends_at(&q, TEST_TZ, t) == t + 7 * 3600 + 30 * 60);
}

static void state_file_keeps_times_past_the_wrap(void **state)
{
        struct state_data st = { 0 }, back = { 0 };
        char err[128];
        (void)state;
        st.record.acute = true;
        st.record.injury = true;
        st.record.acute_at = BEFORE_WRAP + 86400;
        char *json = state_to_json(&st);
        assert_non_null(json);
        assert_int_equal(state_from_json(json, &back, err, sizeof(err)), 0);
        assert_true(back.record.acute_at == BEFORE_WRAP + 86400);
        free(json);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(time_t_is_64_bits),
                cmocka_unit_test(cold_window_across_the_wrap),
                cmocka_unit_test(schedule_due_after_the_wrap),
                cmocka_unit_test(quiet_hours_after_the_wrap),
                cmocka_unit_test(state_file_keeps_times_past_the_wrap),
        };
        return cmocka_run_group_tests_name("time64", tests, NULL, NULL);
}
