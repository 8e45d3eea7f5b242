/* Unit tests for light.c: each pattern as a function of state and time. */
#include <math.h>
#include <string.h>

#include "core/light.h"
#include "test.h"

/* How many times the light goes on in [from, to), stepping by 1 ms. */
static int ons(const struct light_state *s, uint64_t from, uint64_t to)
{
        int n = 0;
        bool was = light_on(s, from);
        n += was;
        for (uint64_t t = from + 1; t < to; t++) {
                bool on = light_on(s, t);
                n += on && !was;
                was = on;
        }
        return n;
}

static void idle_is_off_heating_is_on(void **state)
{
        struct light_state s = { 0 };
        (void)state;
        assert_false(light_on(&s, 12345));
        assert_int_equal(light_next_ms(&s, 12345), UINT64_MAX);
        s.session = true;
        s.have_temp = true;
        s.temp_c = 30;
        s.setpoint_c = 40;
        assert_int_equal(light_mode(&s), LIGHT_ON);
        assert_true(light_on(&s, 12345));
        assert_int_equal(light_next_ms(&s, 12345), UINT64_MAX);
}

static void holding_at_setpoint_is_a_slow_blink(void **state)
{
        struct light_state s = { .session = true, .have_temp = true,
                                 .temp_c = 39.7, .setpoint_c = 40 };
        (void)state;
        assert_int_equal(light_mode(&s), LIGHT_SLOW);
        assert_true(light_on(&s, 0));
        assert_true(light_on(&s, 999));
        assert_false(light_on(&s, 1000));
        assert_true(light_on(&s, 2000));
        assert_int_equal(light_next_ms(&s, 500), 1000);
        assert_int_equal(ons(&s, 0, 10000), 5);
}

static void a_fault_is_a_fast_blink_even_idle(void **state)
{
        struct light_state s = { .fault = true };
        (void)state;
        assert_int_equal(light_mode(&s), LIGHT_FAST);
        assert_int_equal(ons(&s, 0, 1000), 4);
        assert_int_equal(light_next_ms(&s, 130), 250);
}

static void a_refusal_is_three_short_blinks_then_back(void **state)
{
        struct light_state s = { .refused = true, .refused_ms = 10000 };
        (void)state;
        assert_false(light_on(&s, 9999));
        assert_true(light_on(&s, 10000));
        assert_false(light_on(&s, 10150));
        assert_int_equal(ons(&s, 10000, 20000), 3);
        assert_false(light_on(&s, 10900));
        assert_int_equal(light_next_ms(&s, 10000), 10150);
        assert_int_equal(light_next_ms(&s, 10899), 10900);
        assert_int_equal(light_next_ms(&s, 10900), UINT64_MAX);
        /* over a fault's fast blink, then the fast blink again */
        s.fault = true;
        assert_int_equal(ons(&s, 10000, 10900), 3);
        assert_true(light_on(&s, 11000));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(idle_is_off_heating_is_on),
                cmocka_unit_test(holding_at_setpoint_is_a_slow_blink),
                cmocka_unit_test(a_fault_is_a_fast_blink_even_idle),
                cmocka_unit_test(a_refusal_is_three_short_blinks_then_back),
        };
        return cmocka_run_group_tests_name("light", tests, NULL, NULL);
}
