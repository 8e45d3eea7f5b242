/* Unit tests for quiet.c: across midnight, and on DST change days. */
#include <stdlib.h>
#include <time.h>

#include "core/quiet.h"
#include "test.h"

static const struct quiet_hours Q = { true, 23 * 60, 7 * 60 };

static time_t local(int y, int mo, int d, int h, int mi, int isdst)
{
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                         .tm_hour = h, .tm_min = mi, .tm_isdst = isdst };
        return mktime(&tm);
}

static int setup_berlin(void **state)
{
        (void)state;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        return 0;
}

static void wraps_midnight(void **state)
{
        (void)state;
        assert_false(quiet_active(&Q, TEST_TZ, local(2026, 11, 24, 22, 59, -1)));
        assert_true(quiet_active(&Q, TEST_TZ, local(2026, 11, 24, 23, 0, -1)));
        assert_true(quiet_active(&Q, TEST_TZ, local(2026, 11, 25, 3, 0, -1)));
        assert_true(quiet_active(&Q, TEST_TZ, local(2026, 11, 25, 6, 59, -1)));
        assert_false(quiet_active(&Q, TEST_TZ, local(2026, 11, 25, 7, 0, -1)));
}

static void daytime_span_and_disabled(void **state)
{
        struct quiet_hours q = { true, 13 * 60, 14 * 60 };
        (void)state;
        assert_true(quiet_active(&q, TEST_TZ, local(2026, 11, 24, 13, 30, -1)));
        assert_false(quiet_active(&q, TEST_TZ, local(2026, 11, 24, 14, 0, -1)));
        q.enabled = false;
        assert_false(quiet_active(&q, TEST_TZ, local(2026, 11, 24, 13, 30, -1)));
}

static void ends_at_seven_local(void **state)
{
        (void)state;
        time_t t = local(2026, 11, 24, 23, 30, -1);
        assert_int_equal(quiet_ends_at(&Q, TEST_TZ, t), local(2026, 11, 25, 7, 0, -1));
        time_t day = local(2026, 11, 24, 12, 0, -1);
        assert_int_equal(quiet_ends_at(&Q, TEST_TZ, day), day);
}

static void autumn_dst_night_is_an_hour_longer(void **state)
{
        (void)state;
        /* Europe/Berlin, 25 Oct 2026: 03:00 CEST becomes 02:00 CET. */
        time_t start = local(2026, 10, 24, 23, 0, -1);
        time_t end = quiet_ends_at(&Q, TEST_TZ, start);
        assert_int_equal(end, local(2026, 10, 25, 7, 0, -1));
        assert_int_equal(end - start, 9 * 3600);
        /* Both 02:30s of the repeated hour are quiet. */
        assert_true(quiet_active(&Q, TEST_TZ, local(2026, 10, 25, 2, 30, 1)));
        assert_true(quiet_active(&Q, TEST_TZ, local(2026, 10, 25, 2, 30, 0)));
        /* The evening after the change: quiet starts at 23:00 CET. */
        assert_false(quiet_active(&Q, TEST_TZ, local(2026, 10, 25, 22, 59, -1)));
        assert_true(quiet_active(&Q, TEST_TZ, local(2026, 10, 25, 23, 0, -1)));
}

static void spring_dst_night_is_an_hour_shorter(void **state)
{
        (void)state;
        /* 29 Mar 2026: 02:00 CET becomes 03:00 CEST. */
        time_t start = local(2026, 3, 28, 23, 0, -1);
        time_t end = quiet_ends_at(&Q, TEST_TZ, start);
        assert_int_equal(end, local(2026, 3, 29, 7, 0, -1));
        assert_int_equal(end - start, 7 * 3600);
}

static void parses_hhmm(void **state)
{
        char buf[6];
        (void)state;
        assert_int_equal(quiet_parse_hhmm("23:00"), 1380);
        assert_int_equal(quiet_parse_hhmm("07:05"), 425);
        assert_int_equal(quiet_parse_hhmm("7:05"), -1);
        assert_int_equal(quiet_parse_hhmm("24:00"), -1);
        assert_int_equal(quiet_parse_hhmm("23:60"), -1);
        assert_int_equal(quiet_parse_hhmm("23:00x"), -1);
        assert_int_equal(quiet_parse_hhmm("+1:30"), -1);
        assert_int_equal(quiet_parse_hhmm(" 1:30"), -1);
        assert_int_equal(quiet_parse_hhmm("-1:30"), -1);
        assert_int_equal(quiet_parse_hhmm("01:+5"), -1);
        assert_int_equal(quiet_parse_hhmm(""), -1);
        quiet_format_hhmm(425, buf);
        assert_string_equal(buf, "07:05");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(wraps_midnight),
                cmocka_unit_test(daytime_span_and_disabled),
                cmocka_unit_test(ends_at_seven_local),
                cmocka_unit_test(autumn_dst_night_is_an_hour_longer),
                cmocka_unit_test(spring_dst_night_is_an_hour_shorter),
                cmocka_unit_test(parses_hhmm),
        };
        return cmocka_run_group_tests_name("quiet", tests, setup_berlin, NULL);
}
