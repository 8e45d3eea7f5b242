/* Unit tests for window.c. */
#include <math.h>
#include <stdlib.h>

#include "test.h"
#include "core/window.h"

static const struct window_params W = { 60000, 10000, 10000 };

/* Runs `seconds` of 1 s ticks at a fixed duty; returns on-seconds and
 * counts switches. */
static int run(struct window *w, double duty, int seconds, uint64_t *t,
               int *switches)
{
        int on = 0;
        bool prev = w->on;
        for (int i = 0; i < seconds; i++, *t += 1000) {
                bool o = window_update(w, duty, *t);
                on += o;
                if (o != prev && switches)
                        (*switches)++;
                prev = o;
        }
        return on;
}

static void half_duty_is_half_on(void **state)
{
        struct window w;
        uint64_t t = 1000;
        int sw = 0;
        (void)state;
        window_init(&w, &W);
        int on = run(&w, 0.5, 600, &t, &sw);
        assert_int_equal(on, 300);
        assert_int_equal(sw, 20);       /* on and off once per window */
}

static void full_duty_never_switches(void **state)
{
        struct window w;
        uint64_t t = 1000;
        int sw = 0;
        (void)state;
        window_init(&w, &W);
        assert_int_equal(run(&w, 1.0, 600, &t, &sw), 600);
        assert_int_equal(sw, 1);        /* the first switch on only */
}

static void near_full_duty_keeps_its_average(void **state)
{
        struct window w;
        uint64_t t = 1000;
        int sw = 0;
        (void)state;
        window_init(&w, &W);
        /* 0.9 leaves 6 s off, less than min_off: a full window, then one
         * that pays the 6 s back, so the average stays 54 s a window. */
        int on = run(&w, 0.9, 600, &t, &sw);
        assert_true(abs(on - 540) <= 12);
        assert_true(sw <= 10);
}

static void small_duty_is_carried_not_lost(void **state)
{
        struct window w;
        uint64_t t = 1000;
        (void)state;
        window_init(&w, &W);
        /* 0.1 x 60 s = 6 s < min_on: a 10 s pulse every 100 s. */
        int on = run(&w, 0.1, 3600, &t, NULL);
        assert_true(abs(on - 360) <= 12);
        /* 0.03: a 10 s pulse would need a 333 s window, more than three:
         * skipped windows carry it instead, and it is still not lost. */
        window_init(&w, &W);
        on = run(&w, 0.03, 3600, &t, NULL);
        assert_true(abs(on - 108) <= 12);
}

/* An on-time too short to switch for becomes a regular train of min_on
 * pulses, never a skipped window followed by a doubled one. */
static void short_on_times_are_a_train_of_min_on_pulses(void **state)
{
        struct window w;
        uint64_t t = 1000;
        int pulses = 0, longest = 0, len = 0, gap = 0, shortest_gap = 1000;
        bool prev = false;
        (void)state;
        window_init(&w, &W);
        /* 0.14 x 60 s = 8.4 s < min_on: 10 s every 71 s. */
        for (int i = 0; i < 3600; i++, t += 1000) {
                bool o = window_update(&w, 0.14, t);
                if (o) {
                        len++;
                        if (!prev && pulses++ && gap < shortest_gap)
                                shortest_gap = gap;
                        gap = 0;
                } else {
                        if (prev && len > longest)
                                longest = len;
                        len = 0;
                        gap++;
                }
                prev = o;
        }
        assert_int_equal(longest, 10);
        assert_true(shortest_gap >= 60);
        assert_true(abs(pulses - 51) <= 1);
}

static void min_on_and_off_hold_for_any_duty(void **state)
{
        struct window w;
        uint64_t t = 1000;
        unsigned seed = 42;
        (void)state;
        window_init(&w, &W);
        bool prev = false;
        uint64_t since = 0;
        for (int i = 0; i < 20000; i++, t += 1000) {
                double duty = (rand_r(&seed) % 1001) / 1000.0;
                bool o = window_update(&w, duty, t);
                if (o != prev) {
                        if (since)
                                assert_true(t - since >= (prev ? W.min_on_ms
                                                               : W.min_off_ms));
                        since = t;
                        prev = o;
                }
        }
}

static void falling_duty_ends_on_time_early(void **state)
{
        struct window w;
        uint64_t t = 1000;
        (void)state;
        window_init(&w, &W);
        /* 48 s planned; the duty falls to 0.1 at 16 s. The cut follows
         * the duty smoothed over 10 s, so one noisy tick cannot end an
         * on-time, but a real fall ends it well before 48 s. */
        int i;
        for (i = 0; i < 16; i++, t += 1000)
                assert_true(window_update(&w, 0.8, t));
        while (window_update(&w, 0.1, t) && i < 60) {
                t += 1000;
                i++;
        }
        assert_true(i <= 30);
}

static void window_chosen_from_the_pad(void **state)
{
        (void)state;
        /* Comfort: each on and off time twice the 10 s minimum at the
         * holding duty (0.25: on 20 s of an 80 s window). */
        assert_int_equal(window_choose(WINDOW_COMFORT, 40, 0.02, 0.25, 10000,
                                       10000), 80000);
        /* A strong pad (0.06 C/s): an 80 s sawtooth would peak 0.34 C
         * above its middle; shorter, but with on-times of at least 1.1
         * times min_on (44 s). */
        assert_int_equal(window_choose(WINDOW_COMFORT, 40, 0.06, 0.25, 10000,
                                       10000), 44000);
        /* Between: where the peak is 0.18 C (0.03 C/s: 64 s). */
        uint64_t mid = window_choose(WINDOW_COMFORT, 40, 0.03, 0.25, 10000,
                                     10000);
        assert_true(mid > 63500 && mid < 64500);
        /* Relay life: 40 switches an hour, two a window, planned at 95 %
         * of the budget (a ceiling: 2 x 3600 / 38 = 189.5 s)... */
        assert_int_equal(window_choose(WINDOW_RELAY_LIFE, 40, 0.03, 0.25,
                                       10000, 10000), 189474);
        /* ...on a heavy pad too (stretched further, it rode off the
         * frontier), and never so short that an on-time is under twice
         * its minimum's margin. */
        assert_int_equal(window_choose(WINDOW_RELAY_LIFE, 40, 0.005, 0.25,
                                       10000, 10000), 189474);
        assert_int_equal(window_choose(WINDOW_RELAY_LIFE, 400, 0.03, 0.1,
                                       10000, 10000), 120000);
}

/* The caller's override (a reading far above the target) ends the
 * window's on-time: the output does not come back on in the same window,
 * and the next on-time waits out min_off. */
static void cut_ends_the_on_time_without_chatter(void **state)
{
        struct window w;
        uint64_t t = 1000;
        int sw = 0;
        (void)state;
        window_init(&w, &W);
        assert_true(window_update(&w, 0.5, t));         /* 30 s planned */
        t += 12000;
        assert_true(window_update(&w, 0.5, t));
        window_cut(&w, t);
        assert_false(w.on);
        t += 1000;
        /* The rest of this window: off, though 17 s of the plan were left. */
        assert_int_equal(run(&w, 0.5, 47, &t, &sw), 0);
        assert_int_equal(sw, 0);
        /* The next window heats again. */
        assert_true(run(&w, 0.5, 60, &t, NULL) >= 29);
}

/* After a reset, a preset duty caps the first window's plan (PID's
 * proportional term at a hand-over), and only the first. */
static void preset_plans_the_first_window(void **state)
{
        struct window w;
        uint64_t t = 1000;
        (void)state;
        window_init(&w, &W);
        window_reset(&w);
        window_preset(&w, 0.25, 0);
        assert_int_equal(run(&w, 0.5, 60, &t, NULL), 15);
        /* After it, the duty asked. */
        assert_int_equal(run(&w, 0.5, 60, &t, NULL), 30);
}

/* A hand-over at a coast's peak: off first for the time asked, then the
 * preset's window from the start of its own period. */
static void preset_can_begin_with_off_time(void **state)
{
        struct window w;
        uint64_t t = 1000;
        (void)state;
        window_init(&w, &W);
        window_reset(&w);
        window_preset(&w, 0.25, 20000);
        assert_int_equal(run(&w, 0.5, 20, &t, NULL), 0);
        int first_on = -1, on = 0;
        for (int i = 0; i < 60; i++, t += 1000) {
                bool o = window_update(&w, 0.5, t);
                on += o;
                if (o && first_on < 0)
                        first_on = i;
        }
        /* At once, the capped 15 s; then the duty asked. */
        assert_int_equal(first_on, 0);
        assert_int_equal(on, 15);
        assert_int_equal(run(&w, 0.5, 60, &t, NULL), 30);
        /* A reset forgets an off-time not yet begun. */
        window_reset(&w);
        window_preset(&w, 0.25, 20000);
        window_reset(&w);
        assert_true(window_update(&w, 0.5, t));
}

static void reset_turns_off(void **state)
{
        struct window w;
        (void)state;
        window_init(&w, &W);
        assert_true(window_update(&w, 1.0, 1000));
        window_reset(&w);
        assert_false(w.on);
        assert_false(window_update(&w, 0.0, 2000));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(half_duty_is_half_on),
                cmocka_unit_test(cut_ends_the_on_time_without_chatter),
                cmocka_unit_test(preset_plans_the_first_window),
                cmocka_unit_test(preset_can_begin_with_off_time),
                cmocka_unit_test(full_duty_never_switches),
                cmocka_unit_test(near_full_duty_keeps_its_average),
                cmocka_unit_test(small_duty_is_carried_not_lost),
                cmocka_unit_test(short_on_times_are_a_train_of_min_on_pulses),
                cmocka_unit_test(min_on_and_off_hold_for_any_duty),
                cmocka_unit_test(falling_duty_ends_on_time_early),
                cmocka_unit_test(window_chosen_from_the_pad),
                cmocka_unit_test(reset_turns_off),
        };
        return cmocka_run_group_tests_name("window", tests, NULL, NULL);
}
