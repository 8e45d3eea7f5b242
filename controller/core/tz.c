/* tz.c: see tz.h. */
#include <string.h>

#include "core/tz.h"

static bool leap(long long y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* UTC from the count of days since 1970-01-01 in the proleptic Gregorian
 * calendar, by 400-year eras (146097 days each) starting on March 1st, so
 * the leap day falls at the end of an era's year. */
static void utc(time_t t, long long offset_s, struct tm *ret)
{
        static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212,
                                        243, 273, 304, 334 };
        long long s = (long long)t + offset_s;
        long long days = s / 86400, sec = s % 86400;

        if (sec < 0) {
                sec += 86400;
                days--;
        }
        long long z = days + 719468;            /* days since 0000-03-01 */
        long long era = (z >= 0 ? z : z - 146096) / 146097;
        long long doe = z - era * 146097;       /* 0..146096 */
        long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long long mp = (5 * doy + 2) / 153;     /* 0 = March */
        int mday = (int)(doy - (153 * mp + 2) / 5 + 1);
        int mon = (int)(mp < 10 ? mp + 2 : mp - 10);    /* 0 = January */
        long long year = yoe + era * 400 + (mon < 2);
        long long wday = (days + 4) % 7;        /* 1970-01-01: Thursday */

        memset(ret, 0, sizeof(*ret));
        ret->tm_year = (int)(year - 1900);
        ret->tm_mon = mon;
        ret->tm_mday = mday;
        ret->tm_hour = (int)(sec / 3600);
        ret->tm_min = (int)(sec / 60 % 60);
        ret->tm_sec = (int)(sec % 60);
        ret->tm_wday = (int)(wday < 0 ? wday + 7 : wday);
        ret->tm_yday = before[mon] + mday - 1 + (mon > 1 && leap(year));
        ret->tm_isdst = 0;
        ret->tm_gmtoff = (long)offset_s;
}

void tz_local(const struct tz *tz, time_t t, struct tm *ret)
{
        if (tz && tz->fn && tz->fn(t, ret, tz->ctx))
                return;
        utc(t, 0, ret);
}

bool tz_fixed_offset(time_t t, struct tm *ret, void *ctx)
{
        utc(t, ctx ? *(const long *)ctx : 0, ret);
        return true;
}
