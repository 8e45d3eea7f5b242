/* Unit tests for tz.c: the core's UTC and fixed offsets agree with the C
 * library's gmtime_r on every field, either side of 1970 and past 2038,
 * and a zone given to the core is the one quiet hours follow. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/quiet.h"
#include "core/tz.h"
#include "test.h"

static void same_tm(const struct tm *a, const struct tm *b)
{
        assert_int_equal(a->tm_year, b->tm_year);
        assert_int_equal(a->tm_mon, b->tm_mon);
        assert_int_equal(a->tm_mday, b->tm_mday);
        assert_int_equal(a->tm_hour, b->tm_hour);
        assert_int_equal(a->tm_min, b->tm_min);
        assert_int_equal(a->tm_sec, b->tm_sec);
        assert_int_equal(a->tm_wday, b->tm_wday);
        assert_int_equal(a->tm_yday, b->tm_yday);
}

static void utc_matches_gmtime(void **state)
{
        static const long long fixed[] = {
                0, -1, 59, 86399, 86400, -86400, 951782400 /* 2000-02-29 */,
                951868800, 1795547730, 2147483647, 2147483648LL,
                4107542400LL /* 2100-03-01 */, 4102444800LL, -2208988800LL,
                253402300799LL /* 9999-12-31T23:59:59 */,
        };
        struct tm a, b;
        (void)state;
        for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
                time_t t = (time_t)fixed[i];
                tz_local(NULL, t, &a);
                assert_non_null(gmtime_r(&t, &b));
                same_tm(&a, &b);
        }
        /* Every 7 hours and 13 seconds from 1901 to 2200. */
        for (long long t = -2145916800LL; t < 7258118400LL; t += 25213) {
                time_t tt = (time_t)t;
                tz_local(&(struct tz){ 0 }, tt, &a);
                assert_non_null(gmtime_r(&tt, &b));
                same_tm(&a, &b);
        }
}

static void fixed_offset(void **state)
{
        long east = 5 * 3600 + 30 * 60;         /* +05:30 */
        struct tz tz = { tz_fixed_offset, &east };
        struct tm a, b;
        time_t t = 1795547730, shifted = t + east;
        (void)state;
        tz_local(&tz, t, &a);
        gmtime_r(&shifted, &b);
        same_tm(&a, &b);
        assert_int_equal(a.tm_gmtoff, east);
        assert_int_equal(a.tm_isdst, 0);
}

/* A function that cannot answer leaves the core on UTC, never on
 * uninitialised fields. */
static bool failing(time_t t, struct tm *ret, void *ctx)
{
        (void)t; (void)ret; (void)ctx;
        return false;
}

static void failing_function_falls_back_to_utc(void **state)
{
        struct tz tz = { failing, NULL };
        struct tm a, b;
        time_t t = 1795547730;
        (void)state;
        tz_local(&tz, t, &a);
        gmtime_r(&t, &b);
        same_tm(&a, &b);
}

/* 23:00 to 07:00 in UTC+2 is 21:00 to 05:00 UTC. */
static void quiet_hours_follow_the_zone_given(void **state)
{
        static const struct quiet_hours q = { true, 23 * 60, 7 * 60 };
        long east = 2 * 3600;
        struct tz plus2 = { tz_fixed_offset, &east };
        time_t day = 1795478400;                /* 2026-11-24T00:00Z */
        (void)state;
        assert_false(quiet_active(&q, &plus2, day + 20 * 3600 + 59 * 60));
        assert_true(quiet_active(&q, &plus2, day + 21 * 3600));
        assert_false(quiet_active(&q, NULL, day + 21 * 3600));
        assert_true(quiet_active(&q, NULL, day + 23 * 3600));
        assert_true(quiet_ends_at(&q, &plus2, day + 22 * 3600) ==
                    day + 29 * 3600);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(utc_matches_gmtime),
                cmocka_unit_test(fixed_offset),
                cmocka_unit_test(failing_function_falls_back_to_utc),
                cmocka_unit_test(quiet_hours_follow_the_zone_given),
        };
        return cmocka_run_group_tests_name("tz", tests, NULL, NULL);
}
