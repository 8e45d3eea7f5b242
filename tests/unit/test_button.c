/* Unit tests for button.c: debounce, short and long press, a stuck
 * button, and what a press asks of the core (a refused start included). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/button.h"
#include "core/core.h"
#include "test.h"

/* Every action from feeding levels (at, pressed) and polling until t_end
 * every millisecond; returns how many actions went into out. */
static int run(struct button *b, const uint64_t (*ev)[2], int nev,
               uint64_t t0, uint64_t t_end, enum button_action *out, int max)
{
        int n = 0, k = 0;
        for (uint64_t t = t0; t <= t_end; t++) {
                enum button_action a;
                while (k < nev && ev[k][0] == t) {
                        a = button_level(b, ev[k][1], t);
                        if (a != BUTTON_NONE && n < max)
                                out[n++] = a;
                        k++;
                }
                while ((a = button_poll(b, t)) != BUTTON_NONE)
                        if (n < max)
                                out[n++] = a;
        }
        return n;
}

static void bouncing_short_press_is_one_press(void **state)
{
        struct button b;
        enum button_action out[8];
        /* contacts bounce for 12 ms at press and at release */
        const uint64_t ev[][2] = { { 100, 1 }, { 103, 0 }, { 105, 1 },
                                   { 112, 0 }, { 113, 1 },
                                   { 400, 0 }, { 404, 1 }, { 409, 0 } };
        (void)state;
        button_init(&b, false, 0);
        int n = run(&b, ev, 8, 0, 1000, out, 8);
        assert_int_equal(n, 1);
        assert_int_equal(out[0], BUTTON_SHORT);
}

static void a_glitch_shorter_than_debounce_is_nothing(void **state)
{
        struct button b;
        enum button_action out[8];
        const uint64_t ev[][2] = { { 100, 1 }, { 100 + BUTTON_DEBOUNCE_MS - 1, 0 } };
        (void)state;
        button_init(&b, false, 0);
        assert_int_equal(run(&b, ev, 2, 0, 5000, out, 8), 0);
        assert_false(b.pressed);
}

static void debounce_settles_at_30_ms(void **state)
{
        struct button b;
        (void)state;
        button_init(&b, false, 0);
        button_level(&b, true, 100);
        assert_int_equal(button_next_ms(&b), 100 + BUTTON_DEBOUNCE_MS);
        button_poll(&b, 129);
        assert_false(b.pressed);
        button_poll(&b, 130);
        assert_true(b.pressed);
        /* the long press counts from the first edge of the press */
        assert_int_equal(button_next_ms(&b), 100 + BUTTON_LONG_MS);
}

static void long_press_fires_while_held_and_release_is_nothing(void **state)
{
        struct button b;
        enum button_action out[8];
        const uint64_t ev[][2] = { { 100, 1 }, { 4000, 0 } };
        (void)state;
        button_init(&b, false, 0);
        assert_int_equal(run(&b, ev, 1, 0, 2099, out, 8), 0);
        assert_int_equal(run(&b, ev, 1, 2100, 2100, out, 8), 1);
        assert_int_equal(out[0], BUTTON_LONG);
        assert_int_equal(run(&b, ev + 1, 1, 2101, 6000, out, 8), 0);
}

static void just_under_two_seconds_is_short(void **state)
{
        struct button b;
        enum button_action out[8];
        const uint64_t ev[][2] = { { 100, 1 }, { 100 + BUTTON_LONG_MS - 1, 0 } };
        (void)state;
        button_init(&b, false, 0);
        assert_int_equal(run(&b, ev, 2, 0, 5000, out, 8), 1);
        assert_int_equal(out[0], BUTTON_SHORT);
}

static void stuck_button_reported_once_and_ignored_until_released(void **state)
{
        struct button b;
        enum button_action out[8];
        const uint64_t ev[][2] = { { 100, 1 }, { 200000, 0 },
                                   { 201000, 1 }, { 201300, 0 } };
        (void)state;
        button_init(&b, false, 0);
        int n = run(&b, ev, 4, 0, 202000, out, 8);
        assert_int_equal(n, 4);
        assert_int_equal(out[0], BUTTON_LONG);
        assert_int_equal(out[1], BUTTON_STUCK);
        assert_int_equal(out[2], BUTTON_UNSTUCK);
        /* after release it works again */
        assert_int_equal(out[3], BUTTON_SHORT);
}

static void pressed_at_start_is_stuck_until_released(void **state)
{
        struct button b;
        enum button_action out[8];
        const uint64_t ev[][2] = { { 5000, 0 } };
        (void)state;
        button_init(&b, true, 0);
        assert_int_equal(run(&b, ev, 1, 0, 6000, out, 8), 1);
        assert_int_equal(out[0], BUTTON_UNSTUCK);
}

static void commands_are_what_the_page_does_without_a_pin(void **state)
{
        struct core_cmd c;
        (void)state;
        assert_true(button_command(BUTTON_SHORT, 1, false, &c));
        assert_int_equal(c.kind, CMD_START);
        assert_int_equal(c.zone, 1);
        assert_int_equal(c.src, SRC_BUTTON);
        assert_int_equal(c.minutes, 0);
        assert_true(isnan(c.setpoint_c));
        assert_true(button_command(BUTTON_SHORT, 1, true, &c));
        assert_int_equal(c.kind, CMD_STOP);
        assert_true(button_command(BUTTON_LONG, 1, false, &c));
        assert_int_equal(c.kind, CMD_STOP_ALL);
        assert_true(button_command(BUTTON_SHORT, -1, true, &c));
        assert_int_equal(c.kind, CMD_STOP_ALL);
        assert_true(button_command(BUTTON_SHORT, -1, false, &c));
        assert_int_equal(c.kind, CMD_START);
        assert_int_equal(c.zone, -1);
        assert_false(button_command(BUTTON_STUCK, 0, true, &c));
        assert_false(button_command(BUTTON_UNSTUCK, 0, true, &c));
        assert_string_equal(core_source_name(SRC_BUTTON), "button");
}

static time_t local(int y, int mo, int d, int h, int mi)
{
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                         .tm_hour = h, .tm_min = mi, .tm_isdst = -1 };
        return mktime(&tm);
}

static void refused_start_changes_nothing_and_stop_all_runs_in_fault(void **state)
{
        static struct config cfg;
        static struct core core;
        struct config_errors errs;
        struct core_cmd c;
        struct core_reply rep;
        (void)state;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        assert_int_equal(config_parse("{\"zones\":[{\"name\":\"back\",\"sensor\":"
                                      "{\"type\":\"sim\"},\"relay\":{\"type\":"
                                      "\"sim\"}}]}", &cfg, &errs), 0);
        time_t w = local(2026, 11, 24, 23, 30);         /* quiet hours */
        core_init(&core, &cfg, NULL, NULL, 1000, w);
        core_set_localtime(&core, test_localtime, NULL);
        core_set_wall_trusted(&core, true, 1000, w);
        core_post_reading(&core, 0, 0, 30);
        core_tick(&core, 2000, w);
        assert_true(button_command(BUTTON_SHORT, 0, false, &c));
        core_submit(&core, &c, 2000, w, &rep);
        assert_int_equal(rep.status, CORE_REFUSED);
        assert_string_equal(rep.code, "quiet_hours");
        assert_false(core.zones[0].session.active);
        assert_false(core.zones[0].relay_on);
        /* a long press is a stop-all: never refused, fault or not */
        core_restore_fault(&core, cfg.zones[0].id, FAULT_SENSOR_TIMEOUT);
        assert_true(button_command(BUTTON_LONG, 0, false, &c));
        core_submit(&core, &c, 3000, w, &rep);
        assert_int_equal(rep.status, CORE_OK);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(bouncing_short_press_is_one_press),
                cmocka_unit_test(a_glitch_shorter_than_debounce_is_nothing),
                cmocka_unit_test(debounce_settles_at_30_ms),
                cmocka_unit_test(long_press_fires_while_held_and_release_is_nothing),
                cmocka_unit_test(just_under_two_seconds_is_short),
                cmocka_unit_test(stuck_button_reported_once_and_ignored_until_released),
                cmocka_unit_test(pressed_at_start_is_stuck_until_released),
                cmocka_unit_test(commands_are_what_the_page_does_without_a_pin),
                cmocka_unit_test(refused_start_changes_nothing_and_stop_all_runs_in_fault),
        };
        return cmocka_run_group_tests_name("button", tests, NULL, NULL);
}
