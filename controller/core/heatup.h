/* heatup.h: a model-aware heat-up, in the manner of Klipper's and Prusa's
 * model predictive control of hot-ends.
 *
 * With an identified model (autotune.h) a session that starts well below its
 * setpoint heats at full power and cuts when the model says the heat already
 * in the pad and on its way to the sensor will carry the reading to just
 * under the setpoint; it then coasts with the heater off until the reading
 * stops rising, and hands over to PID with the integral preset to the duty
 * the model says holds the setpoint, so the hand-over gives no bump.
 * Pure: readings and time come in, the decision goes out. */
#ifndef HEATPAD_HEATUP_H
#define HEATPAD_HEATUP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/autotune.h"

/* Only a start this far below the setpoint is a heat-up; closer, PID alone
 * does it without overshoot. */
#define HEATUP_MIN_STEP_C 1.5
/* Aim the coast this far under the setpoint: the model is a fit, and
 * arriving a little low costs seconds where arriving high costs comfort. */
#define HEATUP_AIM_BELOW_C 0.15

enum heatup_phase {
        HU_DONE,                /* PID is in charge */
        HU_FULL,                /* full power */
        HU_COAST,               /* heater off, waiting for the peak */
};

struct heatup {
        struct autotune_model m;        /* as adapted to this heat-up */
        double base_gain_c;             /* the stored model's gain */
        double y0_c;                    /* the reading the heat-up began at */
        uint64_t began_ms;
        enum heatup_phase phase;
        double setpoint_c;
        double peak_c;          /* highest reading since the cut */
        uint64_t cut_ms;
};

/* Starts a heat-up to setpoint_c from the reading temp_c; the phase is
 * HU_DONE at once when it is not far enough below. */
void heatup_begin(struct heatup *h, const struct autotune_model *m,
                  double setpoint_c, double temp_c, uint64_t now_ms);

/* One step; returns the phase now (HU_FULL: heater on, HU_COAST: off,
 * HU_DONE: hand over to PID, with heatup_hold_duty(&h->m) as its integral).
 * While at full power it compares the rise with the model's and scales the
 * model's gain to match (a weaker pad, a cold room, a thicker cover), so the
 * cut and the hand-over fit the pad as it is today. */
enum heatup_phase heatup_update(struct heatup *h, double temp_c,
                                uint64_t now_ms);

/* Where the reading would peak if the heater, on at full power until now,
 * were switched off now. */
double heatup_coast_peak(const struct autotune_model *m, double temp_c);

/* The most the first PID window after the hand-over may ask, for a window
 * of window_s: the holding duty and on-time that warms the pad no more
 * than HEATUP_FIRST_EXTRA_C beyond it (on a strong pad PID's proportional
 * term would otherwise add a window's worth of overshoot; a heavy one may
 * have all it asks). */
#define HEATUP_FIRST_EXTRA_C 0.15
double heatup_first_duty(const struct autotune_model *m, double setpoint_c,
                         double window_s);

/* The duty that holds setpoint_c in the model, 0..1. */
double heatup_hold_duty(const struct autotune_model *m, double setpoint_c);

#endif
