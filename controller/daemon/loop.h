/* loop.h: the daemon's one event loop (epoll), in the manner of Redis' ae.
 *
 * It waits on file descriptors (signals, sensor results, later MQTT and
 * HTTP) and on timers kept in real monotonic milliseconds, fractional so
 * that a fast simulated clock keeps its cadence and a timer's lateness is
 * seen below a millisecond. A timer callback returns its next period in
 * ms, or LOOP_TIMER_STOP. Callbacks run on the loop's thread, one at a
 * time; they must not block.
 *
 * Beside those real timers it keeps virtual-time timers (vtimers), due on
 * the mono clock of the vclock it is given: the control tick, simulated
 * sensor conversions, the fault plan. With the real clocks they are real
 * timers. With a virtual clock the loop moves time itself, one deadline at
 * a time, polling fds between deadlines, so work due at a time (a reading
 * posted to a pipe, a page request) is done before time goes past it:
 *   paced: virtual time follows start + speed x real elapsed, but never
 *          passes a deadline whose callback has not run (a stalled loop
 *          catches up, deadline by deadline, and nothing is late);
 *   max:   when no fd is ready it jumps to the next deadline at once;
 *   control: time stands still except inside loop_advance(). */
#ifndef HEATPAD_LOOP_H
#define HEATPAD_LOOP_H

#include <stdint.h>

#include "daemon/vclock.h"

#define LOOP_TIMER_STOP (-1)

struct loop;

typedef void (*loop_fd_fn)(void *ctx, int fd, uint32_t events);
typedef double (*loop_timer_fn)(void *ctx);
typedef void (*loop_done_fn)(void *ctx);

/* NULL on failure (errno set). */
struct loop *loop_new(void);
void loop_free(struct loop *l);         /* accepts NULL */

/* Watches fd for EPOLLIN/EPOLLOUT. 0 or -errno. */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn,
                void *ctx);
int loop_mod_fd(struct loop *l, int fd, uint32_t events);
void loop_del_fd(struct loop *l, int fd);

/* Calls fn after first_ms (real time), then after each period it returns.
 * Returns a timer id >= 0, or -ENOSPC. */
int loop_add_timer(struct loop *l, double first_ms, loop_timer_fn fn,
                   void *ctx);
void loop_del_timer(struct loop *l, int id);

/* The clock vtimers run on, and the loop moves when it is virtual; set
 * before the first vtimer is added. Without one, vtimers are real timers.
 * Pacing starts from the call. */
void loop_set_vclock(struct loop *l, struct vclock *c);

/* Calls fn first_ms virtual ms from now, then after each period it returns
 * (LOOP_TIMER_STOP ends it). Timers due at the same time run in the order
 * they were added. Returns an id >= 0, or -ENOSPC. */
int loop_add_vtimer(struct loop *l, double first_ms, loop_timer_fn fn,
                    void *ctx);
void loop_del_vtimer(struct loop *l, int id);

/* VCLOCK_CONTROL: runs virtual time forward ms (>= 0), every vtimer due on
 * the way in order (ready fds served between deadlines), then calls
 * done(ctx) on the loop once the clock stands at the end, every timer due
 * by then has run and no fd is ready. 0; -EBUSY while an advance runs;
 * -EINVAL if the clock is not under control or ms is not a finite >= 0. */
int loop_advance(struct loop *l, double ms, loop_done_fn done, void *ctx);

/* Inside a timer callback: how long after its due time it was called, in
 * real ms to a fraction (>= 0). The loop's own lateness: what the kernel,
 * other callbacks and ready fds cost the timer. For a paced vtimer, how
 * far behind the pace it ran; 0 at max speed and under control. */
double loop_timer_late_ms(const struct loop *l);

/* Waits at most max_wait_ms (or until the next timer) and runs what is
 * ready; with a virtual clock, moves it to at most one more deadline. 0 or
 * -errno. */
int loop_run_once(struct loop *l, int max_wait_ms);

#endif
