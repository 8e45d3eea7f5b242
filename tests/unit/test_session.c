/* Unit tests for session.c: auto-off to the second on a hand-moved
 * monotonic clock, and the hard cap. */
#include "session.h"
#include "test.h"

static void ends_on_the_second(void **state)
{
        struct session s = { 0 };
        uint64_t t0 = 5000;
        (void)state;
        session_start(&s, 20, 40, 90, t0);
        assert_false(session_expired(&s, t0 + 20 * 60000 - 1));
        assert_int_equal(session_remaining_ms(&s, t0 + 20 * 60000 - 1000), 1000);
        assert_true(session_expired(&s, t0 + 20 * 60000));
        assert_int_equal(session_remaining_ms(&s, t0 + 20 * 60000), 0);
}

static void capped_by_zone_max(void **state)
{
        struct session s = { 0 };
        (void)state;
        uint64_t left = session_start(&s, 200, 40, 90, 0);
        assert_int_equal(left, 90 * 60000);
}

static void hard_cap_beats_any_config(void **state)
{
        struct session s = { 0 };
        (void)state;
        uint64_t left = session_start(&s, 500, 40, 500, 0);
        assert_int_equal(left, SESSION_HARD_CAP_MIN * 60000);
        session_stop(&s);
        left = session_start(&s, 500, 40, 0, 0);
        assert_int_equal(left, SESSION_HARD_CAP_MIN * 60000);
}

static void restarts_cannot_extend_past_cap(void **state)
{
        struct session s = { 0 };
        (void)state;
        session_start(&s, 60, 40, 90, 0);
        /* 50 minutes in, ask for another 60: the cap from the first start
         * (90 min) wins. */
        uint64_t left = session_start(&s, 60, 41, 90, 50 * 60000);
        assert_int_equal(left, 40 * 60000);
        assert_true(s.setpoint_c == 41);
        assert_true(session_expired(&s, 90 * 60000));
        /* A fresh session after a stop starts a fresh cap. */
        session_stop(&s);
        left = session_start(&s, 60, 40, 90, 100 * 60000);
        assert_int_equal(left, 60 * 60000);
}

static void inactive_has_nothing_left(void **state)
{
        struct session s = { 0 };
        (void)state;
        assert_false(session_expired(&s, 1000));
        assert_int_equal(session_remaining_ms(&s, 1000), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ends_on_the_second),
                cmocka_unit_test(capped_by_zone_max),
                cmocka_unit_test(hard_cap_beats_any_config),
                cmocka_unit_test(restarts_cannot_extend_past_cap),
                cmocka_unit_test(inactive_has_nothing_left),
        };
        return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
