/* local_time.c: see local_time.h. */
#include <stdbool.h>
#include <string.h>

#include "config/local_time.h"

/* n decimal digits at s, or -1 when any is not a digit. */
static int digits(const char *s, int n)
{
        int v = 0;

        for (int i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        return v;
}

static bool leap(int y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
                                      31, 30, 31 };
        return m == 2 && leap(y) ? 29 : days[m - 1];
}

int local_time_parse(const char *s, struct tm *ret)
{
        size_t n = s ? strlen(s) : 0;
        int y, mo, d, h, mi, sec = 0;

        /* "YYYY-MM-DDTHH:MM" is 16 characters, with ":SS" 19. */
        if (n != 16 && n != 19)
                return -1;
        if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
            (n == 19 && s[16] != ':'))
                return -1;
        y = digits(s, 4);
        mo = digits(s + 5, 2);
        d = digits(s + 8, 2);
        h = digits(s + 11, 2);
        mi = digits(s + 14, 2);
        if (n == 19)
                sec = digits(s + 17, 2);
        if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
            d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 ||
            mi > 59 || sec < 0 || sec > 59)
                return -1;
        *ret = (struct tm){ .tm_year = y - 1900, .tm_mon = mo - 1,
                            .tm_mday = d, .tm_hour = h, .tm_min = mi,
                            .tm_sec = sec, .tm_isdst = -1 };
        return 0;
}

time_t local_time_to_epoch(const char *s)
{
        struct tm tm;

        if (local_time_parse(s, &tm) < 0)
                return -1;
        return mktime(&tm);
}
