/* port.h: all an adapter (MQTT, HTTP) may use of the daemon.
 *
 * An adapter reads the state through const pointers, changes it only by
 * submitting a command (the core's answer comes back at once), and never
 * writes relays or the state file: the loop does that once per batch,
 * after the adapter's callback has returned, and drains the core's events
 * to the log and the adapters then. The clocks and the loop's fds and
 * timers come through the same port, so nothing under net/ includes a
 * daemon/ header, and a unit test can hand an adapter a fake port. */
#ifndef HEATPAD_PORT_H
#define HEATPAD_PORT_H

#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "core/core.h"

#define PORT_TIMER_STOP (-1)

typedef void (*port_fd_fn)(void *ctx, int fd, uint32_t events);
/* Returns the next period in real ms, or PORT_TIMER_STOP. */
typedef double (*port_timer_fn)(void *ctx);

struct port {
        void *ctx;                      /* the daemon's, for every call */
        const struct core *core;        /* read only */
        const struct config *cfg;

        /* Applies cmd at the daemon's clocks; the reply says what the
         * core did. The relays and the state file follow after the
         * batch. */
        void (*submit)(void *ctx, const struct core_cmd *cmd,
                       struct core_reply *ret);

        /* The daemon's clocks (simulated in simulation), and real
         * monotonic ms (PIN waits, backoff, flood windows). */
        uint64_t (*now_ms)(void *ctx);
        time_t (*wall)(void *ctx);
        uint64_t (*real_ms)(void *ctx);

        /* The loop: fds for EPOLLIN/EPOLLOUT (0 or -errno), and real-time
         * timers (an id >= 0, or -errno). */
        int (*add_fd)(void *ctx, int fd, uint32_t events, port_fd_fn fn,
                      void *fn_ctx);
        int (*mod_fd)(void *ctx, int fd, uint32_t events);
        void (*del_fd)(void *ctx, int fd);
        int (*add_timer)(void *ctx, double first_ms, port_timer_fn fn,
                         void *fn_ctx);
        void (*del_timer)(void *ctx, int id);

        /* One line in the daemon's log; level "info", "warning", "error". */
        void (*log)(void *ctx, const char *level, const char *msg);
};

void port_submit(const struct port *p, const struct core_cmd *cmd,
                 struct core_reply *ret);
uint64_t port_now_ms(const struct port *p);
time_t port_wall(const struct port *p);
uint64_t port_real_ms(const struct port *p);
void port_log(const struct port *p, const char *level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
