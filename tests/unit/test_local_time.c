/* Unit tests for local_time.c: the strict local date and time. */
#include <stdlib.h>
#include <time.h>

#include "config/local_time.h"
#include "test.h"

static int ok(const char *s)
{
        struct tm tm;
        return local_time_parse(s, &tm) == 0;
}

static void accepted_and_fields(void **state)
{
        struct tm tm;
        (void)state;
        assert_int_equal(local_time_parse("2026-11-24T20:15:30", &tm), 0);
        assert_int_equal(tm.tm_year, 126);
        assert_int_equal(tm.tm_mon, 10);
        assert_int_equal(tm.tm_mday, 24);
        assert_int_equal(tm.tm_hour, 20);
        assert_int_equal(tm.tm_min, 15);
        assert_int_equal(tm.tm_sec, 30);
        assert_int_equal(tm.tm_isdst, -1);
        assert_true(ok("2026-11-24T20:15"));
        assert_true(ok("2026-01-31T00:00"));
        assert_true(ok("2026-12-31T23:59:59"));
        assert_true(ok("2028-02-29T10:00"));    /* leap year */
        assert_true(ok("2000-02-29T10:00"));    /* divisible by 400 */
}

static void refused(void **state)
{
        (void)state;
        assert_false(ok("2026-11-24T-1:15"));
        assert_false(ok("2026-11-24T1:15"));
        assert_false(ok("2026-02-31T10:00"));
        assert_false(ok("2026-02-29T10:00"));   /* not a leap year */
        assert_false(ok("1900-02-29T10:00"));   /* divisible by 100 */
        assert_false(ok("2026-04-31T10:00"));
        assert_false(ok("2026-11-24T24:00"));
        assert_false(ok("2026-11-24T23:60"));
        assert_false(ok("2026-11-24T23:59:60"));
        assert_false(ok("2026-13-01T10:00"));
        assert_false(ok("2026-00-01T10:00"));
        assert_false(ok("2026-11-00T10:00"));
        assert_false(ok("2026-11-24T20:15x"));  /* trailing junk */
        assert_false(ok("2026-11-24T20:15:30Z"));
        assert_false(ok("2026-11-24T20:15:3"));
        assert_false(ok("2026-11-24 20:15"));
        assert_false(ok("+026-11-24T20:15"));
        assert_false(ok("2026-+1-24T20:15"));
        assert_false(ok("1969-12-31T23:59"));
        assert_false(ok(""));
        assert_false(ok(NULL));
}

static void to_epoch(void **state)
{
        (void)state;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        assert_int_equal(local_time_to_epoch("2026-11-24T20:15:30"),
                         1795547730);
        assert_int_equal(local_time_to_epoch("2026-02-31T10:00"), -1);
        assert_int_equal(local_time_to_epoch("2026-11-24T-1:15"), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(accepted_and_fields),
                cmocka_unit_test(refused),
                cmocka_unit_test(to_epoch),
        };
        return cmocka_run_group_tests_name("local_time", tests, NULL, NULL);
}
