/* session.h: one heating session of a zone and its timers.
 *
 * A session ends by itself when its minutes are up, on the monotonic clock
 * (an NTP step cannot stretch it). Its length never exceeds the hard cap:
 * SESSION_HARD_CAP_MIN here, and the zone's own max_minutes under it. A
 * start on a running session changes its setpoint and minutes, but it still
 * ends no later than the cap after it first began, so a chain of starts
 * cannot keep a pad on for hours.
 *
 * The cap is on continuous exposure, not on one session: a session that
 * starts less than rest_ms after the previous one ended continues that
 * one's cap (the minutes already given count), so stop-then-start or
 * back-to-back sessions cannot add up past the cap without a rest. Pure:
 * time is an argument. */
#ifndef HEATPAD_SESSION_H
#define HEATPAD_SESSION_H

#include <stdbool.h>
#include <stdint.h>

/* No config, command or schedule can make a session longer than this. */
#define SESSION_HARD_CAP_MIN 120

struct session {
        bool active;
        uint64_t began_ms;      /* when this session started */
        uint64_t ends_ms;
        uint64_t cap_end_ms;    /* the latest it may end */
        double setpoint_c;
        /* The exposure chain: heat given by sessions that ended less than
         * rest_ms before the next began. */
        uint64_t rest_ms;       /* 0: every session has a fresh cap */
        bool ended_once;
        uint64_t last_end_ms;
        uint64_t chain_used_ms; /* heat of the chain before this session */
};

/* The rest between sessions that gives a fresh cap (set once per zone). */
void session_set_rest(struct session *s, uint64_t rest_ms);

/* Starts (or changes) a session of `minutes` at `setpoint_c`, capped at
 * cap_min (itself capped at SESSION_HARD_CAP_MIN) less what the exposure
 * chain has already given. Returns the milliseconds the session will
 * actually run from now; 0 when the cap is used up (nothing starts then:
 * see session_cap_left_ms). */
uint64_t session_start(struct session *s, int minutes, double setpoint_c,
                       int cap_min, uint64_t now_ms);

/* Ends the session at now_ms (or at its end, if that came first). */
void session_stop(struct session *s, uint64_t now_ms);

/* Whether its time is up at now_ms. */
bool session_expired(const struct session *s, uint64_t now_ms);

/* Milliseconds left (0 when inactive or expired). */
uint64_t session_remaining_ms(const struct session *s, uint64_t now_ms);

/* Milliseconds of heat a session could still give now before the zone
 * must rest: what is left of a running session's cap, or of the chain's. */
uint64_t session_cap_left_ms(const struct session *s, int cap_min,
                             uint64_t now_ms);

/* When a session with a fresh cap becomes possible: now_ms when it already
 * is; for a running session, its end plus the rest. */
uint64_t session_fresh_at_ms(const struct session *s, uint64_t now_ms);

#endif
