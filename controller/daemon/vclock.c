/* vclock.c: see vclock.h. */
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "config/local_time.h"
#include "daemon/vclock.h"

uint64_t vclock_real_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void vclock_init(struct vclock *c, double speed, time_t sim_start)
{
        c->speed = speed > 0 ? speed : 1;
        c->real0_ms = vclock_real_ms();
        c->sim_wall = sim_start >= 0 || c->speed != 1;
        c->step_ms = 0;
        c->wall0_ms = (sim_start >= 0 ? (int64_t)sim_start : (int64_t)time(NULL))
                      * 1000;
}

uint64_t vclock_mono_ms(const struct vclock *c)
{
        uint64_t real = vclock_real_ms() - c->real0_ms;
        /* Offset by the real start so mono is never 0 (0 means "never"). */
        return c->real0_ms + (uint64_t)((double)real * c->speed);
}

time_t vclock_wall(const struct vclock *c)
{
        if (!c->sim_wall)
                return time(NULL);
        uint64_t virt = vclock_mono_ms(c) - c->real0_ms;
        int64_t step = __atomic_load_n(&c->step_ms, __ATOMIC_RELAXED);
        return (time_t)((c->wall0_ms + step + (int64_t)virt) / 1000);
}

void vclock_step(struct vclock *c, int64_t seconds)
{
        /* The sensor threads read the wall clock too (the sim's record). */
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
        return virt_ms / c->speed;
}

time_t vclock_parse_local(const char *s)
{
        return local_time_to_epoch(s);
}
