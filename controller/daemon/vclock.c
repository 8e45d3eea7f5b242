/* vclock.c: see vclock.h. */
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "daemon/vclock.h"

uint64_t vclock_real_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void vclock_init_sim(struct vclock *c, enum vclock_mode mode, double speed,
                     time_t sim_start)
{
        c->mode = mode;
        c->speed = speed > 0 ? speed : 1;
        c->mono0_ms = vclock_real_ms();
        c->sim_wall = mode != VCLOCK_REAL || sim_start >= 0;
        c->virt_ms = 0;
        c->step_ms = 0;
        c->wall0_ms = (sim_start >= 0 ? (int64_t)sim_start : (int64_t)time(NULL))
                      * 1000;
}

void vclock_init(struct vclock *c, double speed, time_t sim_start)
{
        bool real = speed == 1 && sim_start < 0;
        vclock_init_sim(c, real ? VCLOCK_REAL : VCLOCK_PACED, speed, sim_start);
}

bool vclock_virtual(const struct vclock *c)
{
        return c->mode != VCLOCK_REAL;
}

uint64_t vclock_virt_ms(const struct vclock *c)
{
        return __atomic_load_n(&c->virt_ms, __ATOMIC_ACQUIRE);
}

uint64_t vclock_mono_ms(const struct vclock *c)
{
        if (c->mode == VCLOCK_REAL)
                return vclock_real_ms();
        return c->mono0_ms + vclock_virt_ms(c);
}

void vclock_advance_to(struct vclock *c, uint64_t mono_ms)
{
        if (c->mode == VCLOCK_REAL || mono_ms <= c->mono0_ms)
                return;
        uint64_t v = mono_ms - c->mono0_ms;
        /* One writer (the loop); others only load. */
        if (v > vclock_virt_ms(c))
                __atomic_store_n(&c->virt_ms, v, __ATOMIC_RELEASE);
}

time_t vclock_wall(const struct vclock *c)
{
        if (!c->sim_wall)
                return time(NULL);
        int64_t step = __atomic_load_n(&c->step_ms, __ATOMIC_RELAXED);
        uint64_t virt = vclock_mono_ms(c) - c->mono0_ms;
        return (time_t)((c->wall0_ms + step + (int64_t)virt) / 1000);
}

void vclock_step(struct vclock *c, int64_t seconds)
{
        /* The crash handler reads the wall clock too (the sim's record). */
        if (c->sim_wall)
                __atomic_add_fetch(&c->step_ms, seconds * 1000, __ATOMIC_RELAXED);
}

/* No clock reading before this release can be right: 2026-11-25 00:00 UTC. */
#define VCLOCK_RELEASE_EPOCH 1795564800

bool vclock_wall_trusted(const struct vclock *c)
{
        struct timex tx = { 0 };

        if (c->sim_wall)
                return true;
        int state = adjtimex(&tx);
        if (state >= 0 && state != TIME_ERROR && !(tx.status & STA_UNSYNC))
                return true;
        /* Without NTP: a battery-backed real-time clock (a Pi 5 with its
         * battery, an RTC hat) set the time at boot; believe it once it is
         * past this release, which a clock that was never set is not. */
        return access("/sys/class/rtc/rtc0", F_OK) == 0 &&
               time(NULL) > VCLOCK_RELEASE_EPOCH;
}

double vclock_real_span_ms(const struct vclock *c, double virt_ms)
{
        return c->mode == VCLOCK_PACED ? virt_ms / c->speed : virt_ms;
}

time_t vclock_parse_local(const char *s)
{
        struct tm tm;
        int n = 0;

        memset(&tm, 0, sizeof(tm));
        if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &n) != 5)
                return -1;
        if (s[n] == ':') {
                int m = 0;
                if (sscanf(s + n, ":%2d%n", &tm.tm_sec, &m) != 1)
                        return -1;
                n += m;
        }
        if (s[n] != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 ||
            tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
            tm.tm_min > 59 || tm.tm_sec > 60)
                return -1;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        tm.tm_isdst = -1;
        return mktime(&tm);
}
