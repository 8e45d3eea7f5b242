/* ramp_fit.h: a pad's model learned from its own heat-up at full power.
 *
 * A zone that declares its heater's power but has no autotuned model still
 * heats up at full power from a cold start. The rise it shows is a model of
 * that pad: at full power the first-order model's reading follows
 * y' = (S - y) / tau towards S = rest + K, so a quadratic fitted to the
 * readings since the rise began gives the rate now and how fast it falls
 * off (tau), the line back to the starting reading gives the dead time, and
 * together they say where the reading would coast to if the heater went
 * off now. Full power alone cannot tell the rest temperature from the gain
 * (only their sum S shows); the start's reading stands in for the rest,
 * which puts the holding duty on the high side, so the caller presets less.
 * Pure: readings and time come in; no buffer, only running sums. */
#ifndef HEATPAD_RAMP_FIT_H
#define HEATPAD_RAMP_FIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/autotune.h"

/* Readings this long after full power began are the baseline: heat needs
 * the dead time and the sensor's lag to arrive. */
#define RAMP_BASE_S 5
/* The rise has begun once the reading is this far above the baseline (well
 * clear of a DS18B20's steps and noise; the curved start of the sensor's
 * lag is mostly behind it). */
#define RAMP_ONSET_C 0.5
/* A model only from this many seconds of rise and this much of it. */
#define RAMP_MIN_S 60
#define RAMP_MIN_RISE_C 1.0
/* Bounds on the fitted time constant: a rise that does not yet slow down
 * is taken as the slowest (the coast it predicts is then the rate times
 * the dead time, the safe side). */
#define RAMP_TAU_MIN_S 120.0
#define RAMP_TAU_MAX_S 20000.0

struct ramp_fit {
        uint64_t on_ms;         /* full power began */
        uint64_t last_ms;       /* the last sample taken (one a second) */
        double base_sum;
        int base_n;
        double y0_c;            /* the baseline reading */
        bool rising;
        uint64_t onset_ms;
        uint64_t onset2_ms;     /* when it was twice that far above */
        double st[5];           /* sums of t^k, t in ks since the onset */
        double sy[3];           /* sums of y t^k */
};

void ramp_fit_begin(struct ramp_fit *f, double temp_c, uint64_t now_ms);

/* One reading, at full power. */
void ramp_fit_add(struct ramp_fit *f, double temp_c, uint64_t now_ms);

/* Whether the rise so far gives a model; if so fills m (rest_c the
 * baseline, gain_c S minus it) and *now_c with the fitted reading now,
 * which is steadier than the last reading on a noisy sensor. */
bool ramp_fit_model(const struct ramp_fit *f, uint64_t now_ms,
                    struct autotune_model *m, double *now_c);

#endif
