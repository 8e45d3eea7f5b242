/* notify.h: tells systemd how the daemon is doing, through sd_notify(3).
 *
 * READY=1 once the configuration is loaded and every relay has been
 * written off; STATUS= lines a person reads in `systemctl status heatpad`
 * (sent only when they change); WATCHDOG=1 from the control tick, and only
 * while the tick comes on time, so a loop that hangs or falls far behind
 * stops pinging and systemd restarts it (the unit's ExecStopPost= then
 * drives every relay off); STOPPING=1 on the way out.
 *
 * The protocol is written here rather than taken from libsystemd because
 * sd_notify(3) sends on a blocking socket: were the receiver's queue full,
 * the loop would hang in it, deaf even to SIGTERM. Here a datagram that
 * cannot go at once is dropped (-EAGAIN): a status is sent again when it
 * next changes, a ping at the next tick.
 *
 * Outside systemd (no NOTIFY_SOCKET) every call does nothing. The watchdog
 * interval comes from the unit's WatchdogSec= (WATCHDOG_USEC, for this
 * process only when WATCHDOG_PID names it). Calls return 0, or -errno when
 * the message could not be sent; callers may ignore it (the daemon works the
 * same without systemd), except that missed pings eventually mean a
 * restart. */
#ifndef HEATPAD_NOTIFY_H
#define HEATPAD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/core.h"

#define NOTIFY_STATUS_MAX 1024        /* 8 zones with long names fit */

struct notify {
        int fd;                         /* -1: not under systemd */
        struct sockaddr_un addr;
        socklen_t addr_len;
        uint64_t watchdog_ms;           /* WatchdogSec=, 0 when off */
        uint64_t last_ping_ms;          /* real monotonic ms */
        uint64_t last_tick_ms;          /* the previous tick, 0 before one */
        bool late;                      /* the last tick came late */
        char status[NOTIFY_STATUS_MAX]; /* the last STATUS= sent */
};

/* Reads NOTIFY_SOCKET and the watchdog interval and opens the socket;
 * sends nothing. Call before any other notify_ call. */
void notify_init(struct notify *n);

/* Whether the daemon runs under systemd (there is a socket to talk to). */
bool notify_enabled(const struct notify *n);

/* READY=1 together with a first STATUS= line. */
int notify_ready(struct notify *n, const char *status);

/* STATUS=, only when it differs from the last one sent. */
int notify_status(struct notify *n, const char *status);

/* Called at each control tick with the real monotonic clock and the real
 * period the tick was due after. The tick is on time when it came no later
 * than half the watchdog interval after it was due; then WATCHDOG=1 is
 * sent, at most once a quarter interval. Returns 1 when it pinged, 0 when
 * it did not need to or the tick was late, -errno when sending failed. */
int notify_tick(struct notify *n, uint64_t real_now_ms, uint64_t period_ms);

/* STOPPING=1 with a last STATUS= line, then closes the socket: nothing
 * is sent after it. */
int notify_stopping(struct notify *n, const char *status);

/* A line for people about every zone, e.g.
 * "upper back: heating, 38.4 °C to 40.0 °C, 12 min left; lower back: off,
 * 22.1 °C", with a latched fault named; cut to len at a whole UTF-8
 * character. Pure: now_ms is an argument. */
void notify_format_status(const struct core *core, uint64_t now_ms,
                          char *buf, size_t len);

#endif
