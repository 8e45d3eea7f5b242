/* vclock.h: the daemon's two clocks, real or simulated.
 *
 * mono: milliseconds for durations, timeouts and auto-off; never steps.
 * wall: seconds since the epoch for quiet hours, schedules and the 48-hour
 * window. In simulation both are derived from one counter of virtual
 * milliseconds that the loop advances (loop.h): paced against real time
 * (--sim-speed N), jumping from deadline to deadline (--sim-speed max), or
 * only as a control socket commands (--sim-control); wall starts at
 * --sim-start. Nothing in simulation reads the wall, so a slow machine
 * slows a simulation but never makes it late. Safe to read from any
 * thread: the counter is read and written atomically. */
#ifndef HEATPAD_VCLOCK_H
#define HEATPAD_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum vclock_mode {
        VCLOCK_REAL,            /* the system's clocks */
        VCLOCK_PACED,           /* virtual, paced at speed x real time */
        VCLOCK_MAX,             /* virtual, as fast as the CPU allows */
        VCLOCK_CONTROL,         /* virtual, only as commanded */
};

struct vclock {
        enum vclock_mode mode;
        double speed;           /* VCLOCK_PACED: virtual s per real s */
        bool sim_wall;          /* wall time is simulated */
        uint64_t mono0_ms;      /* mono at set-up: the real clock's then */
        int64_t wall0_ms;       /* simulated wall time at set-up */
        uint64_t virt_ms;       /* virtual ms since set-up (atomic) */
        int64_t step_ms;        /* simulated clock steps so far (atomic) */
};

/* Real clocks for speed 1 and sim_start < 0; otherwise a virtual clock
 * paced at speed (as vclock_init_sim with VCLOCK_PACED). */
void vclock_init(struct vclock *c, double speed, time_t sim_start);

/* A clock in the given mode; speed matters only when paced. The virtual
 * clock starts at the real monotonic time (mono is never 0, which means
 * "never"), its wall at sim_start (now when < 0). */
void vclock_init_sim(struct vclock *c, enum vclock_mode mode, double speed,
                     time_t sim_start);

/* Whether time is virtual (the loop moves it). */
bool vclock_virtual(const struct vclock *c);

/* The real monotonic clock, in ms. */
uint64_t vclock_real_ms(void);

uint64_t vclock_mono_ms(const struct vclock *c);
time_t vclock_wall(const struct vclock *c);

/* Virtual ms since set-up (0 for the real clocks). */
uint64_t vclock_virt_ms(const struct vclock *c);

/* Moves a virtual clock forward to `mono_ms` (never back): for the loop,
 * the only writer. No effect on the real clocks. */
void vclock_advance_to(struct vclock *c, uint64_t mono_ms);

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

/* Real milliseconds that `virt_ms` of virtual time take when paced; as
 * many as virt_ms for the real clocks and for a clock that is not paced
 * (its pace is not known in advance). */
double vclock_real_span_ms(const struct vclock *c, double virt_ms);

/* Parses "2026-11-24T20:29" (local time, optional ":SS"); -1 if malformed. */
time_t vclock_parse_local(const char *s);

#endif
