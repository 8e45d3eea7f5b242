/* quiet.c: see quiet.h. */
#include <stdio.h>

#include "core/quiet.h"

static int local_minute(const struct tz *tz, time_t t)
{
        struct tm tm;
        tz_local(tz, t, &tm);
        return tm.tm_hour * 60 + tm.tm_min;
}

static bool inside(const struct quiet_hours *q, int m)
{
        if (q->start_min == q->end_min)
                return false;
        if (q->start_min < q->end_min)
                return m >= q->start_min && m < q->end_min;
        return m >= q->start_min || m < q->end_min;     /* wraps midnight */
}

bool quiet_active(const struct quiet_hours *q, const struct tz *tz,
                  time_t now)
{
        return q->enabled && inside(q, local_minute(tz, now));
}

time_t quiet_ends_at(const struct quiet_hours *q, const struct tz *tz,
                     time_t now)
{
        /* Step a minute at a time from the start of this minute: at most a
         * day of steps, and it cannot be fooled by a DST gap or repeat. */
        time_t t = now - now % 60;
        if (!quiet_active(q, tz, now))
                return now;
        for (int i = 0; i <= 26 * 60; i++, t += 60)
                if (!quiet_active(q, tz, t))
                        return t;
        return now;
}

int quiet_parse_hhmm(const char *s)
{
        /* Exactly two digits, ':', two digits: no sign, no space. */
        for (int i = 0; i < 5; i++)
                if (i == 2 ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
                        return -1;
        if (s[5] != '\0')
                return -1;
        int h = (s[0] - '0') * 10 + (s[1] - '0');
        int m = (s[3] - '0') * 10 + (s[4] - '0');
        if (h < 0 || h > 23 || m < 0 || m > 59)
                return -1;
        return h * 60 + m;
}

void quiet_format_hhmm(int min, char *buf)
{
        unsigned m = (unsigned)min % 1440;
        snprintf(buf, 6, "%02u:%02u", (m / 60) % 24u, m % 60u);
}
