/* Unit tests for history.c: the chart's ring buffer, sampled on the
 * daemon's monotonic clock. */
#include <math.h>
#include <string.h>

#include "core/history.h"
#include "test.h"

static struct history h;
static struct history_sample out[HISTORY_LEN];

static void sample(int zone, uint64_t ms, double temp)
{
        struct history_sample s = { .mono_ms = ms, .wall = (time_t)(ms / 1000),
                                    .temp_c = (float)temp, .setpoint_c = NAN };
        history_add(&h, zone, &s);
}

static void due_every_step(void **state)
{
        (void)state;
        history_init(&h, 2);
        assert_true(history_due(&h, 5000));
        assert_false(history_due(&h, 5000 + HISTORY_STEP_MS - 1));
        assert_true(history_due(&h, 5000 + HISTORY_STEP_MS + 900));
        /* The cadence stays on whole steps from the first sample. */
        assert_false(history_due(&h, 5000 + 2 * HISTORY_STEP_MS - 1));
        assert_true(history_due(&h, 5000 + 2 * HISTORY_STEP_MS));
        /* After a stall it starts again from now rather than catching up. */
        assert_true(history_due(&h, 5000 + 10 * HISTORY_STEP_MS));
        assert_false(history_due(&h, 5000 + 10 * HISTORY_STEP_MS + 1000));
}

static void since_gives_the_window_oldest_first(void **state)
{
        (void)state;
        history_init(&h, 2);
        for (int i = 0; i < 100; i++)
                sample(0, (uint64_t)i * HISTORY_STEP_MS, 20 + i * 0.1);
        uint64_t now = 99 * HISTORY_STEP_MS;
        int n = history_since(&h, 0, now, 5, out, HISTORY_LEN);
        assert_int_equal(n, 31);          /* 5 minutes of 10 s steps, both ends */
        assert_int_equal(out[0].mono_ms, now - 300000);
        assert_int_equal(out[n - 1].mono_ms, now);
        for (int i = 1; i < n; i++)
                assert_true(out[i].mono_ms > out[i - 1].mono_ms);
        assert_near(out[n - 1].temp_c, 29.9, 1e-4);
        /* The other zone has nothing; a bad zone or span gives nothing. */
        assert_int_equal(history_since(&h, 1, now, 60, out, HISTORY_LEN), 0);
        assert_int_equal(history_since(&h, 2, now, 60, out, HISTORY_LEN), 0);
        assert_int_equal(history_since(&h, -1, now, 60, out, HISTORY_LEN), 0);
        assert_int_equal(history_since(&h, 0, now, 0, out, HISTORY_LEN), 0);
        /* max bounds the copy. */
        assert_int_equal(history_since(&h, 0, now, 60, out, 10), 10);
}

static void ring_keeps_the_newest(void **state)
{
        (void)state;
        history_init(&h, 1);
        int total = HISTORY_LEN + 250;
        for (int i = 0; i < total; i++)
                sample(0, (uint64_t)i * HISTORY_STEP_MS, i);
        uint64_t now = (uint64_t)(total - 1) * HISTORY_STEP_MS;
        int n = history_since(&h, 0, now, HISTORY_MAX_MINUTES, out, HISTORY_LEN);
        assert_int_equal(n, HISTORY_LEN);
        assert_near(out[0].temp_c, 250, 1e-6);
        assert_near(out[n - 1].temp_c, total - 1, 1e-6);
        /* An hour is 361 samples at one every 10 s. */
        assert_int_equal(history_since(&h, 0, now, 60, out, HISTORY_LEN), 361);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(due_every_step),
                cmocka_unit_test(since_gives_the_window_oldest_first),
                cmocka_unit_test(ring_keeps_the_newest),
        };
        return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
