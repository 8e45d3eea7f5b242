/* session.h: one heating session of a zone and its timers.
 *
 * A session ends by itself when its minutes are up, on the monotonic clock
 * (an NTP step cannot stretch it). Its length never exceeds the hard cap:
 * SESSION_HARD_CAP_MIN here, and the zone's own max_minutes under it. A
 * start on a running session changes its setpoint and minutes, but it still
 * ends no later than the cap after it first began, so a chain of starts
 * cannot keep a pad on for hours. Pure: time is an argument. */
#ifndef HEATPAD_SESSION_H
#define HEATPAD_SESSION_H

#include <stdbool.h>
#include <stdint.h>

/* No config, command or schedule can make a session longer than this. */
#define SESSION_HARD_CAP_MIN 120

struct session {
        bool active;
        uint64_t began_ms;      /* first start of this session */
        uint64_t ends_ms;
        double setpoint_c;
};

/* Starts (or changes) a session of `minutes` at `setpoint_c`, capped at
 * cap_min (itself capped at SESSION_HARD_CAP_MIN). Returns the milliseconds
 * the session will actually run from now. */
uint64_t session_start(struct session *s, int minutes, double setpoint_c,
                       int cap_min, uint64_t now_ms);

/* Ends the session. */
void session_stop(struct session *s);

/* Whether its time is up at now_ms. */
bool session_expired(const struct session *s, uint64_t now_ms);

/* Milliseconds left (0 when inactive or expired). */
uint64_t session_remaining_ms(const struct session *s, uint64_t now_ms);

#endif
