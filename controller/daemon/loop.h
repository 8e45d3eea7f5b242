/* loop.h: the daemon's one event loop (epoll), in the manner of Redis' ae.
 *
 * It waits on file descriptors (signals, sensor results, later MQTT and
 * HTTP) and on timers kept in real monotonic milliseconds, fractional so
 * that a fast simulated clock keeps its cadence and a timer's lateness is
 * seen below a millisecond. A timer callback returns its next period in
 * ms, or LOOP_TIMER_STOP. Callbacks run on the loop's thread, one at a
 * time; they must not block. */
#ifndef HEATPAD_LOOP_H
#define HEATPAD_LOOP_H

#include <stdint.h>

#define LOOP_TIMER_STOP (-1)

struct loop;

typedef void (*loop_fd_fn)(void *ctx, int fd, uint32_t events);
typedef double (*loop_timer_fn)(void *ctx);

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

/* Inside a timer callback: how long after its due time it was called, in
 * real ms to a fraction (>= 0). The loop's own lateness: what the kernel,
 * other callbacks and ready fds cost the timer. */
double loop_timer_late_ms(const struct loop *l);

/* Waits at most max_wait_ms (or until the next timer) and runs what is
 * ready. 0 or -errno. */
int loop_run_once(struct loop *l, int max_wait_ms);

#endif
