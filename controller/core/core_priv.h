/* core_priv.h: what core.c, core_record.c and core_autotune.c share and
 * nothing outside the core uses. */
#ifndef HEATPAD_CORE_PRIV_H
#define HEATPAD_CORE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/core.h"

void core_reply(struct core_reply *r, enum core_status st, const char *code,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void core_emit(struct core *core, enum core_event_type type, int zone,
               enum core_source src, const char *reason);
void core_emit_detail(struct core *core, enum core_event_type type, int zone,
                      enum core_source src, const char *reason,
                      const char *detail);
/* The core's time only moves forward. */
void core_saw_time(struct core *core, uint64_t now_ms);
bool core_zone_ok(const struct core *core, int zone, struct core_reply *ret);
bool core_rested(const struct core *core, int zone, uint64_t now_ms,
                 time_t wall, struct core_reply *ret);
void core_end_session(struct core *core, int i, enum core_source src,
                      const char *reason);

void core_apply_tuning(struct core *core, int i);
void core_fit_window(struct core *core, int i, double setpoint_c);
void core_finish_autotune(struct core *core, int i);

#endif
