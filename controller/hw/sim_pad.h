/* sim_pad.h: a thermal model of a heating pad lying on a person.
 *
 * Three nodes: the pad (heating wire, fabric and filling), the skin and
 * tissue under it, and the sensor in its sleeve on the pad. The pad loses
 * heat to the room and to the skin; blood flow pulls the tissue towards core
 * temperature. The sensor follows the pad with a first-order lag. Pure:
 * the caller steps it with dt and reads the state. See sim_pad.c for where
 * the numbers come from. */
#ifndef HEATPAD_SIM_PAD_H
#define HEATPAD_SIM_PAD_H

#include <stdbool.h>

struct sim_pad_params {
        double power_w;         /* heater power when the relay is on */
        double pad_j_per_k;     /* heat capacity of the pad */
        double body_j_per_k;    /* heat capacity of the tissue under it */
        double pad_room_w_per_k;
        double pad_body_w_per_k;
        double body_core_w_per_k;       /* perfusion towards core temp */
        double sensor_tau_s;    /* sensor lag behind the pad */
        double room_c, core_c;
};

struct sim_pad {
        struct sim_pad_params p;
        double pad_c, body_c, sensor_c;
        bool heater_on;
};

/* Typical parameters: a 40 W pad under a resting adult in a 22 degC room. */
void sim_pad_default_params(struct sim_pad_params *ret);

/* Starts with the pad and sensor at room temperature, skin at 33 degC. */
void sim_pad_init(struct sim_pad *s, const struct sim_pad_params *p);

/* Advances the model by dt_s seconds (any length; it sub-steps itself). */
void sim_pad_step(struct sim_pad *s, double dt_s);

/* The first-order-plus-dead-time model a controller sees in this pad, the
 * "truth" an autotune is checked against (derived in sim_pad.c): gain in
 * degC per unit duty, time constant and dead time in seconds, for readings
 * that answer latency_s after they sample and a control tick of tick_s. */
struct sim_pad_fopdt {
        double gain_c, tau_s, dead_s;
};
void sim_pad_fopdt(const struct sim_pad_params *p, double latency_s,
                   double tick_s, struct sim_pad_fopdt *ret);

/* The pad temperature that full power would settle at (for tests). */
double sim_pad_full_power_c(const struct sim_pad_params *p);

#endif
