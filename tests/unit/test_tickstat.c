/* Unit tests for tickstat.c. */
#include <math.h>
#include <stdlib.h>

#include "test.h"
#include "daemon/tickstat.h"

/* A quantile answers the bin's upper edge: at most 19 % above the true
 * value (2^(1/4) = 1.189) and never below it. */
static void assert_quantile_near(const struct tickstat *s, double q,
                                 double truth)
{
        double got = tickstat_quantile(s, q);
        assert_true(got >= truth - 1e-9);
        assert_true(got <= truth * 1.19 + 1e-9);
}

static void empty_answers_zero(void **state)
{
        struct tickstat s = { 0 };
        (void)state;
        assert_true(tickstat_quantile(&s, 0.5) == 0);
        assert_true(tickstat_quantile(&s, 0.99) == 0);
        assert_true(s.count == 0 && s.max_ms == 0);
}

static void uniform_quantiles_within_a_bin(void **state)
{
        struct tickstat s = { 0 };
        (void)state;
        /* 1000 ticks late by 0.1 .. 100 ms. */
        for (int i = 1; i <= 1000; i++)
                tickstat_add(&s, i * 0.1);
        assert_true(s.count == 1000);
        assert_near(s.max_ms, 100.0, 1e-9);
        assert_quantile_near(&s, 0.5, 50.0);
        assert_quantile_near(&s, 0.99, 99.0);
        assert_quantile_near(&s, 0.1, 10.0);
        assert_near(tickstat_quantile(&s, 1.0), 100.0, 1e-9);
}

static void quantile_never_above_max(void **state)
{
        struct tickstat s = { 0 };
        (void)state;
        for (int i = 0; i < 10; i++)
                tickstat_add(&s, 3.0);
        assert_near(tickstat_quantile(&s, 0.5), 3.0, 1e-9);
        assert_near(tickstat_quantile(&s, 0.99), 3.0, 1e-9);
}

static void one_stall_shows_in_p99_and_max_not_p50(void **state)
{
        struct tickstat s = { 0 };
        (void)state;
        for (int i = 0; i < 99; i++)
                tickstat_add(&s, 0.2);
        tickstat_add(&s, 750.0);
        assert_quantile_near(&s, 0.5, 0.2);
        assert_quantile_near(&s, 0.99, 0.2);    /* rank 99 of 100 */
        assert_near(tickstat_quantile(&s, 0.999), 750.0, 1e-9);
        assert_near(s.max_ms, 750.0, 1e-9);
}

static void negative_nan_and_huge(void **state)
{
        struct tickstat s = { 0 };
        (void)state;
        tickstat_add(&s, -5.0);
        tickstat_add(&s, NAN);
        assert_true(s.count == 2 && s.max_ms == 0);
        assert_true(tickstat_quantile(&s, 0.99) == 0);
        /* Beyond the last edge: the open bin answers the max. */
        tickstat_add(&s, 1e9);
        assert_near(tickstat_quantile(&s, 1.0), 1e9, 1e-3);
        /* The on-time ticks are in the first bin: below 10 us. */
        assert_true(tickstat_quantile(&s, 0.5) <= 0.01);
}

static void out_of_range_q_is_clamped(void **state)
{
        struct tickstat s = { 0 };
        (void)state;
        tickstat_add(&s, 1.0);
        tickstat_add(&s, 8.0);
        assert_quantile_near(&s, -1, 1.0);
        assert_quantile_near(&s, NAN, 1.0);
        assert_near(tickstat_quantile(&s, 2), 8.0, 1e-9);
}

static void reset_empties(void **state)
{
        struct tickstat s = { 0 };
        (void)state;
        for (int i = 0; i < 50; i++)
                tickstat_add(&s, 40.0);
        tickstat_reset(&s);
        assert_true(s.count == 0 && s.max_ms == 0);
        assert_true(tickstat_quantile(&s, 0.99) == 0);
        tickstat_add(&s, 0.5);
        assert_quantile_near(&s, 0.99, 0.5);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(empty_answers_zero),
                cmocka_unit_test(uniform_quantiles_within_a_bin),
                cmocka_unit_test(quantile_never_above_max),
                cmocka_unit_test(one_stall_shows_in_p99_and_max_not_p50),
                cmocka_unit_test(negative_nan_and_huge),
                cmocka_unit_test(out_of_range_q_is_clamped),
                cmocka_unit_test(reset_empties),
        };
        return cmocka_run_group_tests_name("tickstat", tests, NULL, NULL);
}
