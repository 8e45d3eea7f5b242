/* simctl.h: the simulation's control socket (--sim-control PATH).
 *
 * A unix stream socket served on the loop. Virtual time stands still (the
 * clock is VCLOCK_CONTROL) except as a client commands, so a test talks to
 * the daemon over HTTP or MQTT at a time it chose and checks it to the
 * tick. One request a line, one JSON reply a line, served in the order the
 * requests came, from whichever client:
 *
 *   advance S  runs virtual time S seconds forward (fractions fine), every
 *              deadline on the way in order (loop_advance), then the
 *              daemon's commit; replies {"ok":true,"mono_ms":M,"wall":W}
 *   now        replies {"ok":true,"mono_ms":M,"wall":W}
 *   step S     steps the wall clock S seconds (+ or -), as --sim-clock-step
 *              does; replies as now, with the wall after the step
 *   otherwise  {"ok":false,"error":"..."}
 *
 * While an advance runs, later requests wait their turn. Library style: it
 * says nothing itself; the caller logs. */
#ifndef HEATPAD_SIMCTL_H
#define HEATPAD_SIMCTL_H

#include "daemon/loop.h"
#include "daemon/vclock.h"

struct simctl;

struct simctl_hooks {
        /* After an advance, before the reply: what the daemon does after a
         * batch (relays written, events drained, state saved). */
        void (*commit)(void *ctx);
        /* A wall clock step of `seconds`; the hook steps the clock (and
         * notes it where the daemon notes --sim-clock-step). */
        void (*step)(void *ctx, long long seconds);
        void *ctx;
};

/* Listens on path (a stale socket there is replaced; any other file is
 * not: -EEXIST). The clock must be VCLOCK_CONTROL. 0 or -errno. */
int simctl_open(const char *path, struct loop *l, struct vclock *c,
                const struct simctl_hooks *hooks, struct simctl **ret);

/* Closes every connection and removes the socket. Accepts NULL. */
void simctl_close(struct simctl *s);

#endif
