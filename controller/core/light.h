/* light.h: a zone's indicator light, as a function of its state and time.
 *
 * Pure: what the light shows comes from what the zone is doing and the
 * monotonic time, so the loop asks light_on() whenever something changed
 * and again at light_next_ms(). In order of precedence:
 *   three short blinks (LIGHT_REFUSED_BLINKS x 150 ms on, 150 ms off)
 *     after a button press was refused;
 *   fast blink (125 ms on, 125 ms off) while a fault is latched;
 *   slow blink (1 s on, 1 s off) while a session holds at its setpoint
 *     (the reading within LIGHT_HOLD_BAND_C of it);
 *   on while a session heats up;
 *   off when idle. */
#ifndef HEATPAD_CORE_LIGHT_H
#define HEATPAD_CORE_LIGHT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

#define LIGHT_REFUSED_BLINKS 3
#define LIGHT_REFUSED_HALF_MS 150
#define LIGHT_FAST_HALF_MS 125
#define LIGHT_SLOW_HALF_MS 1000
#define LIGHT_HOLD_BAND_C 0.5

enum light_mode { LIGHT_OFF, LIGHT_ON, LIGHT_SLOW, LIGHT_FAST };

struct light_state {
        bool session;           /* a session runs */
        bool fault;             /* a fault is latched */
        bool have_temp;
        double temp_c, setpoint_c;
        bool refused;           /* a press was refused at refused_ms */
        uint64_t refused_ms;
};

/* The steady mode the zone's state gives (refusal blinks aside). */
enum light_mode light_mode(const struct light_state *s);

/* Whether the light is lit at now_ms. */
bool light_on(const struct light_state *s, uint64_t now_ms);

/* When light_on may next change, given the same state; UINT64_MAX: not
 * until the state changes. */
uint64_t light_next_ms(const struct light_state *s, uint64_t now_ms);

/* A zone's light state from the core. */
void light_state_of(const struct core *core, int zone,
                    struct light_state *ret);

#endif
