/* Unit tests for pid.c. */
#include <math.h>

#include "core/pid.h"
#include "test.h"

static const struct pid_params P = {
        .kp = 0.4, .ki = 0.01, .kd = 5, .d_filter_s = 10, .i_band_c = 2,
        .out_min = 0, .out_max = 1,
};

static void proportional_only_on_first_step(void **state)
{
        struct pid pid;
        (void)state;
        pid_init(&pid, &P);
        /* err 1 C: P gives 0.4; inside the band the integral adds ki*err*dt. */
        double out = pid_update(&pid, 40, 39, 1.0);
        assert_near(out, 0.4 + 0.01, 1e-9);
}

static void no_derivative_kick_on_setpoint_change(void **state)
{
        struct pid pid;
        (void)state;
        pid_init(&pid, &P);
        pid_update(&pid, 40, 39.5, 1.0);
        double before = pid.d_filt;
        pid_update(&pid, 41.5, 39.5, 1.0);      /* setpoint jumps */
        assert_near(pid.d_filt, before, 1e-12);
}

static void derivative_opposes_rising_measurement(void **state)
{
        struct pid pid, flat;
        (void)state;
        pid_init(&pid, &P);
        pid_init(&flat, &P);
        pid_update(&pid, 40, 39.0, 1.0);
        pid_update(&flat, 40, 39.5, 1.0);
        double rising = pid_update(&pid, 40, 39.5, 1.0);
        double steady = pid_update(&flat, 40, 39.5, 1.0);
        assert_true(rising < steady);
}

static void no_windup_while_clamped(void **state)
{
        struct pid pid;
        (void)state;
        pid_init(&pid, &P);
        /* 1.5 C below: inside the band, but P alone nearly saturates and
         * the integral would push it past 1. */
        for (int i = 0; i < 1000; i++)
                assert_near(pid_update(&pid, 40, 37.0, 1.0), 1.0, 1e-12);
        /* Outside the band (3 C) the integral does not move at all. */
        assert_true(pid.integ <= 1.0);
        pid_reset(&pid, 0);
        for (int i = 0; i < 1000; i++)
                pid_update(&pid, 40, 30.0, 1.0);
        assert_near(pid.integ, 0.0, 1e-12);
}

static void integral_removes_steady_error(void **state)
{
        struct pid pid;
        (void)state;
        pid_init(&pid, &P);
        double out = 0;
        for (int i = 0; i < 100; i++)
                out = pid_update(&pid, 40, 39.5, 1.0);
        /* A held 0.5 C error keeps adding ki*0.5 per second. */
        assert_true(out > 0.2 + 0.4);
        assert_true(out <= 1.0);
}

static void reset_is_bumpless(void **state)
{
        struct pid pid;
        (void)state;
        pid_init(&pid, &P);
        for (int i = 0; i < 50; i++)
                pid_update(&pid, 40, 30 + i * 0.1, 1.0);
        pid_reset(&pid, 0.3);
        assert_false(pid.primed);
        double out = pid_update(&pid, 40, 40, 1.0);
        assert_near(out, 0.3, 1e-9);    /* no derivative from old history */
}

static void output_clamped_low(void **state)
{
        struct pid pid;
        (void)state;
        pid_init(&pid, &P);
        assert_near(pid_update(&pid, 40, 45, 1.0), 0.0, 1e-12);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(proportional_only_on_first_step),
                cmocka_unit_test(no_derivative_kick_on_setpoint_change),
                cmocka_unit_test(derivative_opposes_rising_measurement),
                cmocka_unit_test(no_windup_while_clamped),
                cmocka_unit_test(integral_removes_steady_error),
                cmocka_unit_test(reset_is_bumpless),
                cmocka_unit_test(output_clamped_low),
        };
        return cmocka_run_group_tests_name("pid", tests, NULL, NULL);
}
