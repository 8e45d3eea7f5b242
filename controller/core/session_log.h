/* session_log.h: the last sessions of one zone, for a person to look back
 * on (when, how long, how warm, how it ended, how much energy).
 *
 * A ring of the SESSION_LOG_MAX newest finished sessions, and the one
 * running now, which joins the ring when it ends. The start's wall time is
 * kept; the end is that plus the monotonic time the session ran, so a
 * clock step during a session does not stretch or fold it. Nothing here
 * decides anything about heat: the log only watches. Pure: time, readings
 * and the relay come in as arguments. */
#ifndef HEATPAD_SESSION_LOG_H
#define HEATPAD_SESSION_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define SESSION_LOG_MAX 30
#define SESSION_LOG_WORD 24     /* an end reason or a source, with its NUL */

/* One finished session. */
struct session_rec {
        time_t started_at, ended_at;    /* wall, s */
        int minutes;            /* planned length, as it last stood */
        double setpoint_c;      /* as it last stood */
        double peak_c;          /* NAN: no reading during the session */
        char end[SESSION_LOG_WORD];     /* the EV_SESSION_END reason */
        char source[SESSION_LOG_WORD];  /* who started it */
        uint64_t on_s;          /* seconds the relay was on */
        double energy_wh;       /* NAN: the zone has no power_w */
};

struct session_log {
        struct session_rec r[SESSION_LOG_MAX];  /* a ring */
        int head;               /* where the next one goes */
        int n;
        /* the running session, if open */
        bool open;
        struct session_rec cur;
        uint64_t began_ms, on_ms;
        double power_w;
};

/* A session began at wall / now_ms, started by source; power_w <= 0: the
 * zone's energy is unknown. A reading at hand counts toward the peak. */
void session_log_begin(struct session_log *l, time_t wall, uint64_t now_ms,
                       const char *source, double power_w, bool have_temp,
                       double temp_c);

/* A reading during the running session (nothing when none runs). */
void session_log_saw(struct session_log *l, double temp_c);

/* The relay was on for on_ms during the running session. */
void session_log_on(struct session_log *l, uint64_t on_ms);

/* The running session ended at now_ms for reason, with its planned
 * minutes and setpoint as they last stood. False when none was open. */
bool session_log_end(struct session_log *l, uint64_t now_ms,
                     const char *reason, int minutes, double setpoint_c);

/* Finished sessions kept (0..SESSION_LOG_MAX). */
int session_log_count(const struct session_log *l);

/* The i-th finished session, 0 the newest; NULL past the end. */
const struct session_rec *session_log_get(const struct session_log *l, int i);

/* Adds a finished session as the newest (the oldest goes when full). */
void session_log_add(struct session_log *l, const struct session_rec *r);

/* Whether a stored record makes sense: times in order and within the
 * session cap, values in range, the words plain ([a-z0-9_], not empty). */
bool session_rec_valid(const struct session_rec *r);

#endif
