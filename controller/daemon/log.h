/* log.h: one line on stdout for every state change.
 *
 * Text for people ("20:29:05 upper back: relay on, 38.2 C -> 40.0 C, 19:32
 * left") or, with --log-format json, one JSON object per line with the
 * zone, temperature, setpoint, relay, session remaining and fault, for
 * machines and tests. Messages that are not state changes (start-up,
 * errors) go the same way with event "log". */
#ifndef HEATPAD_LOG_H
#define HEATPAD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core/core.h"
#include "daemon/tickstat.h"

struct log {
        bool json;
        FILE *out;
};

/* A core event, with the zone's state as it is after the event. */
void log_event(const struct log *lg, const struct core *core,
               const struct core_event *ev, uint64_t now_ms, time_t wall);

/* A periodic status line for one zone. */
void log_status(const struct log *lg, const struct core *core, int zone,
                uint64_t now_ms, time_t wall);

/* How late the control tick ran since the last such line: event "loop"
 * with ticks, late_p50_ms, late_p99_ms and late_max_ms. */
void log_loop(const struct log *lg, const struct tickstat *ts,
              uint64_t now_ms, time_t wall);

/* --sim-control is listening on path: event "sim_control", so a harness
 * knows when to connect. */
void log_sim_control(const struct log *lg, const char *path, uint64_t now_ms,
                     time_t wall);

/* A message; level is "info", "warning" or "error". */
void log_msg(const struct log *lg, time_t wall, const char *level,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
