/* Unit tests for guidance.c and the 48-hour rule: the window's edges to the
 * second, across a DST change, across wall-clock steps (forward, back, a
 * restart on a stepped clock, a record made on an untrusted clock), after a
 * restart (through the state file's JSON), and both tiers of warning signs. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/guidance.h"
#include "daemon/state.h"
#include "test.h"

#define MS 1000ULL
#define H (3600 * MS)
#define M0 5000000ULL           /* this run's monotonic clock at the start */

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
        struct guidance g = guidance_evaluate(&r, M0, local(2026, 11, 24, 20, 0));
        assert_int_equal(g.kind, GUIDANCE_HEAT);
        assert_false(g.heat_blocked);
}

static void window_edges_to_the_second(void **state)
{
        time_t at = local(2026, 11, 24, 20, 15);
        struct guidance_record r = { .acute = true, .acute_at = at,
                                     .swelling = true };
        (void)state;
        struct guidance g = guidance_evaluate(&r, M0, at);
        assert_int_equal(g.kind, GUIDANCE_COLD);
        assert_true(g.heat_blocked);
        assert_int_equal(g.heat_allowed_at, at + 48 * 3600);
        g = guidance_evaluate(&r, M0, at + 48 * 3600 - 1);
        assert_true(g.heat_blocked);
        g = guidance_evaluate(&r, M0, at + 48 * 3600);
        assert_false(g.heat_blocked);
        assert_int_equal(g.kind, GUIDANCE_HEAT);
        char buf[48];
        guidance_format_local(TEST_TZ, at + 48 * 3600, buf, sizeof(buf));
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
        struct guidance g = guidance_evaluate(&r, M0, at + 3600);
        assert_true(g.heat_blocked);
        assert_int_equal(g.heat_allowed_at, local(2026, 10, 26, 11, 0));
        guidance_format_local(TEST_TZ, g.heat_allowed_at, buf, sizeof(buf));
        assert_string_equal(buf, "Mon 26 Oct 11:00");
        assert_true(guidance_evaluate(&r, M0, local(2026, 10, 26, 10, 59)).heat_blocked);
        assert_false(guidance_evaluate(&r, M0, local(2026, 10, 26, 11, 0)).heat_blocked);
}

static void event_in_the_future_blocks(void **state)
{
        /* A Pi booting with its clock in 1970 sees the event "ahead". */
        struct guidance_record r = { .acute = true,
                                     .acute_at = local(2026, 11, 24, 20, 0),
                                     .injury = true };
        (void)state;
        assert_true(guidance_evaluate(&r, M0, 3600).heat_blocked);
}

static void warning_signs_rank_above_all(void **state)
{
        time_t at = local(2026, 11, 24, 20, 0);
        struct guidance_record r = { .acute = true, .acute_at = at,
                                     .injury = true, .nerve_signs = true };
        (void)state;
        struct guidance g = guidance_evaluate(&r, M0, at + 60);
        assert_int_equal(g.kind, GUIDANCE_CONSULT);
        assert_true(g.heat_blocked);
        assert_int_equal(g.blocked_by, BLOCK_WARNING_SIGNS);
        assert_int_equal(g.heat_allowed_at, 0); /* until cleared */
        r = (struct guidance_record){ .pain_worsening = true };
        assert_int_equal(guidance_evaluate(&r, M0, at).kind, GUIDANCE_CONSULT);
}

/* Both tiers block heat until cleared; urgent ranks above everything. */
static void warning_signs_block_heat(void **state)
{
        time_t now = local(2026, 11, 24, 20, 0);
        struct guidance_record r = { .nerve_signs = true };
        (void)state;
        struct guidance g = guidance_evaluate(&r, M0, now);
        assert_true(g.heat_blocked);
        assert_string_equal(guidance_block_name(g.blocked_by), "warning_signs");
        /* Days later, still blocked: only a person clears them. */
        g = guidance_evaluate(&r, M0 + 240 * H, now + 240 * 3600);
        assert_true(g.heat_blocked);
        r = (struct guidance_record){ .urgent_signs = true, .pain_worsening =
                                      true, .acute = true, .acute_at = now,
                                      .injury = true };
        g = guidance_evaluate(&r, M0, now);
        assert_int_equal(g.kind, GUIDANCE_URGENT);
        assert_string_equal(guidance_kind_name(g.kind), "urgent");
        assert_string_equal(guidance_block_name(g.blocked_by), "urgent_signs");
        assert_non_null(strstr(guidance_title(g.kind), "urgent care now"));
        assert_non_null(strstr(guidance_text(g.kind), "bladder or bowel"));
        assert_non_null(strstr(guidance_text(g.kind), "emergency"));
        assert_non_null(strstr(guidance_text(GUIDANCE_CONSULT),
                               "heat is switched off"));
        r = (struct guidance_record){ 0 };
        assert_false(guidance_evaluate(&r, M0, now).heat_blocked);
        assert_null(guidance_block_name(BLOCK_NONE));
}

/* An unreadable record blocks until a person confirms; warning signs that
 * were read stay after the confirmation. */
static void unreadable_record_blocks_until_confirmed(void **state)
{
        time_t now = local(2026, 11, 24, 20, 0);
        struct guidance_record r = { .unreadable = true, .acute = true,
                                     .pain_worsening = true };
        (void)state;
        struct guidance g = guidance_evaluate(&r, M0 + 1000 * H,
                                              now + 1000 * 3600);
        assert_true(g.heat_blocked);
        assert_string_equal(guidance_block_name(g.blocked_by),
                            "record_unreadable");
        assert_int_equal(g.heat_allowed_at, 0);
        guidance_confirm(&r);
        g = guidance_evaluate(&r, M0, now);
        assert_false(r.acute);
        assert_int_equal(g.blocked_by, BLOCK_WARNING_SIGNS);
        r.pain_worsening = false;
        assert_false(guidance_evaluate(&r, M0, now).heat_blocked);
}

/* The window is held on the monotonic clock: NTP stepping the wall clock
 * 72 h forward three minutes after the record does not let heat in. */
static void forward_step_does_not_shorten(void **state)
{
        time_t at = local(2026, 11, 24, 20, 0);
        struct guidance_record r = { .acute = true, .acute_at = at,
                                     .injury = true };
        (void)state;
        guidance_hold(&r, at, true, M0, at);
        time_t stepped = at + 180 + 72 * 3600;
        struct guidance g = guidance_evaluate(&r, M0 + 180 * MS, stepped);
        assert_true(g.heat_blocked);
        assert_int_equal(g.blocked_by, BLOCK_COLD_RULE);
        /* The time it ends at is read on the stepped clock. */
        assert_int_equal(g.heat_allowed_at, stepped + 48 * 3600 - 180);
        assert_true(guidance_evaluate(&r, M0 + 48 * H - 1, stepped).heat_blocked);
        assert_false(guidance_evaluate(&r, M0 + 48 * H, stepped).heat_blocked);
}

/* A step back does not stretch it either: 48 real hours. */
static void back_step_does_not_stretch(void **state)
{
        time_t at = local(2026, 11, 24, 20, 0);
        struct guidance_record r = { .acute = true, .acute_at = at,
                                     .swelling = true };
        (void)state;
        guidance_hold(&r, at - 3600, true, M0, at);     /* an hour ago */
        time_t back = at - 72 * 3600;
        assert_true(guidance_evaluate(&r, M0 + 47 * H - 1, back).heat_blocked);
        struct guidance g = guidance_evaluate(&r, M0 + 47 * H, back + 47 * 3600);
        assert_false(g.heat_blocked);
        assert_int_equal(g.kind, GUIDANCE_HEAT);
}

/* Typed on a clock that is not trusted (1970 after boot), "two hours ago"
 * proves nothing: the full 48 hours from the record are held, and a later
 * step to the right time does not end it. */
static void untrusted_record_counts_from_now(void **state)
{
        time_t wall = 1800;                     /* 1970, 00:30 UTC */
        struct guidance_record r = { .acute = true, .acute_at = wall - 7200,
                                     .injury = true };
        (void)state;
        guidance_hold(&r, r.acute_at, false, M0, wall);
        assert_int_equal(guidance_left_s(&r, M0), 48 * 3600);
        time_t synced = local(2026, 11, 24, 20, 0);
        assert_true(guidance_evaluate(&r, M0 + 48 * H - 1, synced).heat_blocked);
        assert_false(guidance_evaluate(&r, M0 + 48 * H, synced).heat_blocked);
        /* On a trusted clock the same "two hours ago" counts. */
        r.hold_until_ms = 0;
        guidance_hold(&r, wall - 7200, true, M0, wall);
        assert_int_equal(guidance_left_s(&r, M0), 46 * 3600);
}

/* After a restart: the seconds left come from the state file, the clock
 * may have stepped (forward: the wall rule alone would allow heat; back:
 * the wall rule is longer, and wins until folded once trusted). */
static void restart_with_a_stepped_clock(void **state)
{
        time_t at = local(2026, 11, 24, 20, 0);
        struct guidance_record run1 = { .acute = true, .acute_at = at,
                                        .injury = true };
        struct state_data st = { 0 }, back;
        char err[256];
        (void)state;
        guidance_hold(&run1, at, true, M0, at);
        /* Saved an hour in, then the power went. */
        st.record = run1;
        st.hold_left_s = guidance_left_s(&run1, M0 + 1 * H);
        char *json = state_to_json(&st);
        assert_int_equal(state_from_json(json, &back, err, sizeof(err)), 0);
        free(json);
        assert_int_equal(back.hold_left_s, 47 * 3600);
        /* The next boot: a new monotonic clock, the wall clock 72 h ahead. */
        uint64_t m2 = 777 * MS;
        time_t fwd = at + 3600 + 72 * 3600;
        struct guidance_record r = back.record;
        guidance_restore(&r, back.hold_left_s, m2);
        guidance_fold_wall(&r, m2, fwd);
        assert_true(guidance_evaluate(&r, m2 + 47 * H - 1, fwd).heat_blocked);
        assert_false(guidance_evaluate(&r, m2 + 47 * H, fwd).heat_blocked);
        /* The same boot with the clock 10 h behind: the wall rule holds
         * live (58 h) until trusted, then it is folded in and no later
         * step changes it. */
        time_t behind = at - 10 * 3600;
        r = back.record;
        guidance_restore(&r, back.hold_left_s, m2);
        struct guidance g = guidance_evaluate(&r, m2, behind);
        assert_int_equal(g.heat_allowed_at, at + 48 * 3600);
        guidance_fold_wall(&r, m2, behind);
        assert_int_equal(guidance_left_s(&r, m2), 58 * 3600);
        assert_true(guidance_evaluate(&r, m2 + 58 * H - 1, fwd).heat_blocked);
        assert_false(guidance_evaluate(&r, m2 + 58 * H, fwd).heat_blocked);
        /* A file that says nothing about the seconds left (version 2):
         * the wall rule alone, as before. */
        r = back.record;
        guidance_restore(&r, -1, m2);
        assert_true(guidance_evaluate(&r, m2, at + 48 * 3600 - 1).heat_blocked);
        assert_false(guidance_evaluate(&r, m2, at + 48 * 3600).heat_blocked);
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
        assert_true(guidance_evaluate(&back.record, M0, at + 47 * 3600).heat_blocked);
        assert_false(guidance_evaluate(&back.record, M0, at + 48 * 3600).heat_blocked);
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
                cmocka_unit_test(warning_signs_block_heat),
                cmocka_unit_test(unreadable_record_blocks_until_confirmed),
                cmocka_unit_test(forward_step_does_not_shorten),
                cmocka_unit_test(back_step_does_not_stretch),
                cmocka_unit_test(untrusted_record_counts_from_now),
                cmocka_unit_test(restart_with_a_stepped_clock),
                cmocka_unit_test(survives_a_restart),
                cmocka_unit_test(texts_are_there),
        };
        return cmocka_run_group_tests_name("guidance", tests, setup_berlin, NULL);
}
