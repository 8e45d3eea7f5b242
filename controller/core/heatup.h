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
#include "core/ramp_fit.h"

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
        /* No stored model: the model is learned from this rise
         * (ramp_fit.h), and m holds it once the rise gives one. */
        bool learning;
        bool learned;
        struct ramp_fit fit;
};

/* Starts a heat-up to setpoint_c from the reading temp_c; the phase is
 * HU_DONE at once when it is not far enough below. */
void heatup_begin(struct heatup *h, const struct autotune_model *m,
                  double setpoint_c, double temp_c, uint64_t now_ms);

/* Starts a heat-up with no stored model: full power while ramp_fit learns
 * one from the rise, then the cut and coast as with a stored one. A rise
 * that gives no model before it is HEATUP_MIN_STEP_C from the setpoint
 * hands over to PID as it is (h->learned stays false). */
void heatup_begin_learning(struct heatup *h, double setpoint_c,
                           double temp_c, uint64_t now_ms);

/* A new setpoint during a heat-up. A learning one keeps what it learned
 * (m, used only by a heat-up on a stored model, may then be NULL). */
void heatup_retarget(struct heatup *h, const struct autotune_model *m,
                     double setpoint_c, double temp_c, uint64_t now_ms);

/* A learned model aims the coast this much further under the setpoint:
 * it is fitted to one rise, with no relay cycles to check it against. */
#define HEATUP_LEARNED_AIM_C 0.15
/* A learned model's holding duty is taken at this fraction: its rest was the start's
 * reading, colder than a pad under a person rests at, and the rise of a
 * pad whose losses grow as the skin warms looks slower to level off than
 * it is, so the duty it gives is high (see ramp_fit.h); PID's integral
 * finds the rest from below, where an error costs warmth, not comfort. */
#define HEATUP_LEARNED_HOLD 0.5

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

/* The duty PID starts from at the hand-over: the model's holding duty,
 * HEATUP_LEARNED_HOLD of it for a learned model. */
double heatup_start_duty(const struct heatup *h);

/* The model a learned heat-up leaves for the rest of the session (its
 * window and gains): the rest raised to where it holds the setpoint at
 * HEATUP_LEARNED_WINDOW of the duty the start's reading gave, the end
 * point S kept. That is the best guess, not the low side PID starts from:
 * a window chosen for too low a duty, or too fast a pad, is too short and
 * presses PID's on-times against the relay's minimum. */
#define HEATUP_LEARNED_WINDOW 0.75
void heatup_learned_model(const struct heatup *h,
                          struct autotune_model *ret);

/* The duty that holds setpoint_c in the model, 0..1. */
double heatup_hold_duty(const struct autotune_model *m, double setpoint_c);

#endif
