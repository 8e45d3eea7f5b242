/* vclock.h: the daemon's two clocks, real or simulated.
 *
 * mono: milliseconds for durations, timeouts and auto-off; never steps.
 * wall: seconds since the epoch for quiet hours, schedules and the 48-hour
 * window. In simulation (--sim-speed N, --sim-start T) both run N times
 * faster than real time, and wall starts at T, so an auto-off or the start
 * of quiet hours can be watched end to end in seconds. Safe to read from
 * any thread once set up. */
#ifndef HEATPAD_VCLOCK_H
#define HEATPAD_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct vclock {
        double speed;           /* virtual seconds per real second */
        bool sim_wall;          /* wall time is simulated */
        uint64_t real0_ms;      /* real monotonic time at set-up */
        int64_t wall0_ms;       /* simulated wall time at set-up */
        int64_t step_ms;        /* simulated clock steps so far (atomic) */
};

/* speed 1 and sim_start < 0 give the real clocks. */
void vclock_init(struct vclock *c, double speed, time_t sim_start);

/* The real monotonic clock, in ms. */
uint64_t vclock_real_ms(void);

uint64_t vclock_mono_ms(const struct vclock *c);
time_t vclock_wall(const struct vclock *c);

/* Steps the simulated wall clock by `seconds`, as NTP or a person setting
 * the time steps a real one; mono does not move. No effect on the real
 * clock. */
void vclock_step(struct vclock *c, int64_t seconds);

/* Whether the wall clock can be trusted for schedules: a Pi has no RTC and
 * may boot with an old time. Trusted when the kernel reports NTP
 * synchronisation (adjtimex: no STA_UNSYNC); or when a real-time clock
 * exists (/sys/class/rtc/rtc0) and the time is past this release; and
 * always for a simulated wall clock. */
bool vclock_wall_trusted(const struct vclock *c);

/* Real milliseconds that `virt_ms` of virtual time take. */
double vclock_real_span_ms(const struct vclock *c, double virt_ms);

/* Parses "2026-11-24T20:29" (local time, optional ":SS"); -1 if malformed. */
time_t vclock_parse_local(const char *s);

#endif
