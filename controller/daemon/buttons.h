/* buttons.h: the bedside buttons and indicator lights (zones[].button,
 * button, zones[].light).
 *
 * A button on a GPIO line is read on a thread of its own, blocked on the
 * line's edge events (button_gpio.h); the thread posts each level to a
 * pipe the loop watches, so a slow or stuck line never holds the loop.
 * The loop stamps the level with the daemon's clock and runs the pure
 * press logic (core/button.h), its debounce, long press and stuck button
 * on vtimers; a press is submitted like any other command, source
 * "button". A simulated zone's button is pressed by --sim-press at a
 * virtual time. Lights follow the core after each batch (core/light.h):
 * GPIO lines, or for a simulated zone a line in the relay log. A light
 * that fails is logged once and left alone; no relay depends on it. */
#ifndef HEATPAD_BUTTONS_H
#define HEATPAD_BUTTONS_H

#include <stdint.h>
#include <stdio.h>

#include "daemon/loop.h"
#include "daemon/options.h"
#include "net/port.h"

struct sim;
struct buttons;

struct buttons_env {
        const struct port *port;        /* submit, the core, clocks, log */
        struct loop *loop;
        struct sim *sims[CONFIG_MAX_ZONES];     /* simulated zones' pads */
        const struct options *opt;      /* --sim-press */
        uint64_t start_ms;              /* what --sim-press counts from */
};

/* Opens every button and light the config names. NULL and 0 when there
 * are none; -errno when a button cannot be opened (err says which). A
 * light that cannot be opened is logged and left out. */
int buttons_open(const struct buttons_env *env, struct buttons **ret,
                 char *err, size_t errlen);

/* After each batch: the lights follow the core. */
void buttons_after_batch(struct buttons *b);

/* The lights off, the threads stopped, the lines let go. Accepts NULL. */
void buttons_close(struct buttons *b);

/* --probe: each configured button's level now. */
void buttons_probe(const struct config *cfg, FILE *out);

#endif
