/* plant.h: an independent thermal model of a heating pad on a person, for
 * the control benchmark and the tests that drive the real core with it.
 *
 * Written apart from controller/hw/sim_pad.c (which the controller was
 * developed on), with a different structure: heat from the wire reaches the
 * pad after a pure dead time; the pad loses heat to the room by natural
 * convection (a coefficient that grows with the temperature difference),
 * and to the skin, whose blood flow to the body's core rises as it warms;
 * when the person gets up the pad lies on a mattress instead. The sensor
 * follows the pad through two first-order lags (sleeve and contact); a
 * sensor taken off the pad follows the room air instead. Readings are what
 * a DS18B20 answers: sampled 750 ms before they arrive, with Gaussian noise
 * and 0.0625 degC steps. Pure: no clock, no I/O; the caller steps it. */
#ifndef HEATPAD_PLANT_H
#define HEATPAD_PLANT_H

#include <stdbool.h>

#define PLANT_MAX_DEAD_S 60

struct plant_params {
        const char *name;       /* "40 W", "x4 heat capacity", ... */
        double power_w;
        double pad_j_per_k;     /* pad, cover and the bedding it warms */
        double room_w_per_k;    /* convection at a 15 K difference */
        double skin_w_per_k;    /* pad to skin, through the cover */
        double skin_j_per_k;
        double perf_w_per_k;    /* skin to core at 34 degC skin */
        double mattress_w_per_k;        /* pad to mattress, nobody on it */
        double sensor_lag_s;    /* sum of the two sensor lags */
        double dead_s;          /* wire to pad */
        double room_c;
        double noise_c;         /* reading noise, standard deviation */
        /* a person getting up at get_up_s and lying down again at
         * lie_down_s (0: never) */
        int get_up_s, lie_down_s;
};

struct plant {
        struct plant_params p;
        double pad_c, skin_c, s1_c, sensor_c;
        bool person;
        bool sensor_off;        /* the sensor lies in the air, off the pad */
        bool stuck_on;          /* the relay's contacts welded */
        double t_s;
        /* heater input over the last dead time, per 0.25 s */
        unsigned char hist[PLANT_MAX_DEAD_S * 4 + 1];
        int hist_pos;
        unsigned rng;
        double sample_c;        /* the sensor node at the last sample */
        double on_s;            /* heater-on seconds so far */
};

/* The matrix of plants the benchmark and the tests run: n of them. */
int plant_matrix(const struct plant_params **ret);

/* The nominal 40 W pad on a resting adult in a 22 degC room. */
void plant_nominal(struct plant_params *ret);

/* Pad and sensor at room temperature, skin at 33 degC, a person on it. */
void plant_init(struct plant *pl, const struct plant_params *p, unsigned seed);

/* One second with the relay commanded on for its first on_s seconds (0..1;
 * a stuck relay heats regardless). Returns the reading that arrives at the
 * end of it (sampled 750 ms earlier). */
double plant_second(struct plant *pl, double on_s);

/* Where the sensor node would peak if the heater went off now (the true
 * coast, noise-free). */
double plant_coast_peak(const struct plant *pl);

/* The same for the pad node. */
double plant_coast_peak_pad(const struct plant *pl);

/* The pad temperature full power settles at with the skin where it is. */
double plant_full_power_c(const struct plant *pl);

#endif
