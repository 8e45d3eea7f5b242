/* Unit tests for session.c: auto-off to the second on a hand-moved
 * monotonic clock, and the hard cap. */
#include "core/session.h"
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
        session_stop(&s, 0);
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
        /* Without a rest period, a fresh session after a stop starts a
         * fresh cap. */
        session_stop(&s, 90 * 60000);
        left = session_start(&s, 60, 40, 90, 100 * 60000);
        assert_int_equal(left, 60 * 60000);
}

#define MIN 60000ULL

/* Back-to-back sessions with short gaps continue one cap: the minutes
 * already given count until the zone has rested. */
static void chain_continues_the_cap_until_a_rest(void **state)
{
        struct session s = { 0 };
        (void)state;
        session_set_rest(&s, 30 * MIN);
        assert_int_equal(session_start(&s, 40, 40, 90, 0), 40 * MIN);
        session_stop(&s, 40 * MIN);             /* ran its 40 min */
        /* 10 min later: 50 min of the cap are left. */
        assert_int_equal(session_cap_left_ms(&s, 90, 50 * MIN), 50 * MIN);
        assert_int_equal(session_fresh_at_ms(&s, 50 * MIN), 70 * MIN);
        assert_int_equal(session_start(&s, 60, 40, 90, 50 * MIN), 50 * MIN);
        /* Stopped after 5 min, then started again at once: 45 left. */
        session_stop(&s, 55 * MIN);
        assert_int_equal(session_start(&s, 60, 40, 90, 55 * MIN), 45 * MIN);
        assert_true(session_expired(&s, 100 * MIN));
        session_stop(&s, 101 * MIN);            /* ended at 100, seen at 101 */
        /* Used up: nothing starts until 30 min after the end. */
        assert_int_equal(session_cap_left_ms(&s, 90, 110 * MIN), 0);
        assert_int_equal(session_start(&s, 20, 40, 90, 110 * MIN), 0);
        assert_false(s.active);
        assert_int_equal(session_fresh_at_ms(&s, 110 * MIN), 130 * MIN);
        assert_int_equal(session_start(&s, 20, 40, 90, 130 * MIN - 1), 0);
        /* Rested: a fresh cap. */
        assert_int_equal(session_fresh_at_ms(&s, 130 * MIN), 130 * MIN);
        assert_int_equal(session_cap_left_ms(&s, 90, 130 * MIN), 90 * MIN);
        assert_int_equal(session_start(&s, 120, 40, 90, 130 * MIN), 90 * MIN);
}

/* A stop counts only the heat that was given: a session stopped before
 * its minutes were up counts the minutes it ran. */
static void a_rest_between_gives_a_fresh_cap(void **state)
{
        struct session s = { 0 };
        (void)state;
        session_set_rest(&s, 30 * MIN);
        session_start(&s, 90, 40, 90, 0);
        session_stop(&s, 60 * MIN);
        assert_int_equal(session_cap_left_ms(&s, 90, 60 * MIN), 30 * MIN);
        /* While running, what is left is that of the running session's
         * cap, and a fresh one comes a rest after its end. */
        session_start(&s, 10, 40, 90, 70 * MIN);
        assert_int_equal(session_cap_left_ms(&s, 90, 70 * MIN), 30 * MIN);
        assert_int_equal(session_fresh_at_ms(&s, 70 * MIN), 110 * MIN);
        session_stop(&s, 80 * MIN);
        assert_int_equal(session_start(&s, 90, 40, 90, 110 * MIN), 90 * MIN);
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
                cmocka_unit_test(chain_continues_the_cap_until_a_rest),
                cmocka_unit_test(a_rest_between_gives_a_fresh_cap),
        };
        return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
