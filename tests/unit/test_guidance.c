/* Unit tests for guidance.c and the 48-hour rule: the window's edges to the
 * second, across a DST change, and after a restart (through the state
 * file's JSON). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guidance.h"
#include "state.h"
#include "test.h"

static time_t local(int y, int mo, int d, int h, int mi)
{
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                         .tm_hour = h, .tm_min = mi, .tm_isdst = -1 };
        return mktime(&tm);
}

static int setup_berlin(void **state)
{
        (void)state;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        return 0;
}

static void heat_with_no_record(void **state)
{
        struct guidance_record r = { 0 };
        (void)state;
        struct guidance g = guidance_evaluate(&r, local(2026, 11, 24, 20, 0));
        assert_int_equal(g.kind, GUIDANCE_HEAT);
        assert_false(g.heat_blocked);
}

static void window_edges_to_the_second(void **state)
{
        time_t at = local(2026, 11, 24, 20, 15);
        struct guidance_record r = { .acute = true, .acute_at = at,
                                     .swelling = true };
        (void)state;
        struct guidance g = guidance_evaluate(&r, at);
        assert_int_equal(g.kind, GUIDANCE_COLD);
        assert_true(g.heat_blocked);
        assert_int_equal(g.heat_allowed_at, at + 48 * 3600);
        g = guidance_evaluate(&r, at + 48 * 3600 - 1);
        assert_true(g.heat_blocked);
        g = guidance_evaluate(&r, at + 48 * 3600);
        assert_false(g.heat_blocked);
        assert_int_equal(g.kind, GUIDANCE_HEAT);
        char buf[48];
        guidance_format_local(at + 48 * 3600, buf, sizeof(buf));
        assert_string_equal(buf, "Thu 26 Nov 20:15");
}

static void window_across_dst_is_48_real_hours(void **state)
{
        /* Sat 24 Oct 2026 12:00 CEST; clocks go back on the 25th. 48 real
         * hours later the wall clock reads Mon 26 Oct 11:00 CET. */
        time_t at = local(2026, 10, 24, 12, 0);
        struct guidance_record r = { .acute = true, .acute_at = at,
                                     .injury = true };
        char buf[48];
        (void)state;
        struct guidance g = guidance_evaluate(&r, at + 3600);
        assert_true(g.heat_blocked);
        assert_int_equal(g.heat_allowed_at, local(2026, 10, 26, 11, 0));
        guidance_format_local(g.heat_allowed_at, buf, sizeof(buf));
        assert_string_equal(buf, "Mon 26 Oct 11:00");
        assert_true(guidance_evaluate(&r, local(2026, 10, 26, 10, 59)).heat_blocked);
        assert_false(guidance_evaluate(&r, local(2026, 10, 26, 11, 0)).heat_blocked);
}

static void event_in_the_future_blocks(void **state)
{
        /* A Pi booting with its clock in 1970 sees the event "ahead". */
        struct guidance_record r = { .acute = true,
                                     .acute_at = local(2026, 11, 24, 20, 0),
                                     .injury = true };
        (void)state;
        assert_true(guidance_evaluate(&r, 3600).heat_blocked);
}

static void warning_signs_rank_above_all(void **state)
{
        time_t at = local(2026, 11, 24, 20, 0);
        struct guidance_record r = { .acute = true, .acute_at = at,
                                     .injury = true, .nerve_signs = true };
        (void)state;
        struct guidance g = guidance_evaluate(&r, at + 60);
        assert_int_equal(g.kind, GUIDANCE_CONSULT);
        assert_true(g.heat_blocked);    /* the cold rule still holds */
        r = (struct guidance_record){ .pain_worsening = true };
        assert_int_equal(guidance_evaluate(&r, at).kind, GUIDANCE_CONSULT);
}

static void survives_a_restart(void **state)
{
        time_t at = local(2026, 11, 24, 20, 15);
        struct state_data st = { .record = { .acute = true, .acute_at = at,
                                             .swelling = true } };
        struct state_data back;
        char err[128];
        (void)state;
        char *json = state_to_json(&st);
        assert_non_null(json);
        assert_int_equal(state_from_json(json, &back, err, sizeof(err)), 0);
        free(json);
        assert_int_equal(back.record.acute_at, at);
        assert_true(back.record.swelling);
        assert_true(guidance_evaluate(&back.record, at + 47 * 3600).heat_blocked);
        assert_false(guidance_evaluate(&back.record, at + 48 * 3600).heat_blocked);
}

static void texts_are_there(void **state)
{
        (void)state;
        assert_string_equal(guidance_kind_name(GUIDANCE_COLD), "cold");
        assert_non_null(strstr(guidance_text(GUIDANCE_COLD), "Never put ice"));
        assert_non_null(strstr(guidance_text(GUIDANCE_HEAT), "20 to 30 seconds"));
        assert_non_null(strstr(guidance_disclaimer(), "not medical advice"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(heat_with_no_record),
                cmocka_unit_test(window_edges_to_the_second),
                cmocka_unit_test(window_across_dst_is_48_real_hours),
                cmocka_unit_test(event_in_the_future_blocks),
                cmocka_unit_test(warning_signs_rank_above_all),
                cmocka_unit_test(survives_a_restart),
                cmocka_unit_test(texts_are_there),
        };
        return cmocka_run_group_tests_name("guidance", tests, setup_berlin, NULL);
}
