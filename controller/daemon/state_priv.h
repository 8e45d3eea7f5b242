/* state_priv.h: what the state file's reader files share (state_parse.c,
 * state_parse_log.c) and nothing else uses. */
#ifndef HEATPAD_STATE_PRIV_H
#define HEATPAD_STATE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "daemon/state.h"

/* What was set aside, one part after another, into err. */
struct state_notes {
        char *buf;
        size_t len;
        int n;
};

void state_note(struct state_notes *n, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* A whole number of seconds the file may hold, within [min, max]. */
bool state_is_whole(const cJSON *v, double min, double max);

/* The "sessions" object (ntop: how many times the file gives it), entry
 * by entry into st->logs. */
void state_parse_sessions(const cJSON *logs, int ntop, struct state_data *st,
                          struct state_notes *n);

#endif
