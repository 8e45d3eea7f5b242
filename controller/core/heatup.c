/* heatup.c: see heatup.h. */
#include <math.h>

#include "core/heatup.h"

/* The peak has passed once the reading falls this far below it (more than
 * one 0.0625 degC step plus noise). */
#define PEAK_PASSED_C 0.1
/* Adapt the gain only on a rise well above the sensor's steps. */
#define ADAPT_MIN_RISE_C 1.0

double heatup_coast_peak(const struct autotune_model *m, double temp_c)
{
        double scale = m->coast_scale > 0 ? m->coast_scale : 1.0;
        return temp_c + scale * autotune_coast_rise(m, temp_c);
}

double heatup_hold_duty(const struct autotune_model *m, double setpoint_c)
{
        double u = (setpoint_c - m->rest_c) / m->gain_c;
        return u < 0 ? 0 : u > 1 ? 1 : u;
}

double heatup_first_duty(const struct autotune_model *m, double setpoint_c,
                         double window_s)
{
        double rate = m->tau_s > 0 ? m->gain_c / m->tau_s : 0;
        double u = heatup_hold_duty(m, setpoint_c);

        if (rate <= 0 || window_s <= 0)
                return 1.0;
        u += HEATUP_FIRST_EXTRA_C / rate / window_s;
        return u > 1 ? 1 : u;
}

/* After the dead time and a clear rise, the ratio of the rise seen to the
 * rise the model predicts for the same time at full power scales its gain. */
static void adapt_gain(struct heatup *h, double temp_c, uint64_t now_ms)
{
        const struct autotune_model *m = &h->m;
        double t = (double)(now_ms - h->began_ms) / 1000.0 - m->dead_s;
        double rise = temp_c - h->y0_c;

        if (t < 2 * m->dead_s || rise < ADAPT_MIN_RISE_C)
                return;
        double model = (m->rest_c + h->base_gain_c - h->y0_c) *
                       (1.0 - exp(-t / m->tau_s));
        if (model <= 0)
                return;
        double scale = rise / model;
        scale = scale < 0.3 ? 0.3 : scale > 2.0 ? 2.0 : scale;
        h->m.gain_c = h->base_gain_c * scale;
}

void heatup_begin_learning(struct heatup *h, double setpoint_c,
                           double temp_c, uint64_t now_ms)
{
        struct autotune_model none = { 0 };

        heatup_begin(h, &none, setpoint_c, temp_c, now_ms);
        h->learning = true;
        ramp_fit_begin(&h->fit, temp_c, now_ms);
}

void heatup_retarget(struct heatup *h, const struct autotune_model *m,
                     double setpoint_c, double temp_c, uint64_t now_ms)
{
        if (!h->learning) {
                heatup_begin(h, m, setpoint_c, temp_c, now_ms);
                return;
        }
        h->setpoint_c = setpoint_c;
        if (h->phase == HU_FULL && !h->learned &&
            temp_c >= setpoint_c - HEATUP_MIN_STEP_C)
                h->phase = HU_DONE;
}

/* At full power with no stored model: learn one, and cut on it. */
static void update_learning(struct heatup *h, double temp_c, uint64_t now_ms)
{
        double now_c;

        ramp_fit_add(&h->fit, temp_c, now_ms);
        h->learned = ramp_fit_model(&h->fit, now_ms, &h->m, &now_c);
        if (!h->learned) {
                if (temp_c >= h->setpoint_c - HEATUP_MIN_STEP_C)
                        h->phase = HU_DONE;
                return;
        }
        /* The fit smooths the noise; a reading already at the aim cuts
         * anyway, so a fit that lags the pad cannot hold the heater on. */
        if (heatup_coast_peak(&h->m, now_c) >= h->setpoint_c -
            HEATUP_AIM_BELOW_C - HEATUP_LEARNED_AIM_C ||
            temp_c >= h->setpoint_c - HEATUP_AIM_BELOW_C) {
                h->phase = HU_COAST;
                h->cut_ms = now_ms;
                h->peak_c = temp_c;
        }
}

void heatup_learned_model(const struct heatup *h, struct autotune_model *ret)
{
        double s = h->m.rest_c + h->m.gain_c;
        double u = HEATUP_LEARNED_WINDOW *
                   heatup_hold_duty(&h->m, h->setpoint_c);

        *ret = h->m;
        if (u > 0 && u < 1 && s > h->setpoint_c) {
                ret->rest_c = (h->setpoint_c - u * s) / (1 - u);
                ret->gain_c = s - ret->rest_c;
        }
}

double heatup_start_duty(const struct heatup *h)
{
        double u = heatup_hold_duty(&h->m, h->setpoint_c);
        return h->learning ? HEATUP_LEARNED_HOLD * u : u;
}

void heatup_begin(struct heatup *h, const struct autotune_model *m,
                  double setpoint_c, double temp_c, uint64_t now_ms)
{
        h->m = *m;
        h->base_gain_c = m->gain_c;
        h->y0_c = temp_c;
        h->began_ms = now_ms;
        h->setpoint_c = setpoint_c;
        h->peak_c = temp_c;
        h->cut_ms = now_ms;
        h->phase = temp_c < setpoint_c - HEATUP_MIN_STEP_C ? HU_FULL : HU_DONE;
        h->learning = false;
        h->learned = false;
}

enum heatup_phase heatup_update(struct heatup *h, double temp_c,
                                uint64_t now_ms)
{
        switch (h->phase) {
        case HU_FULL:
                if (h->learning) {
                        update_learning(h, temp_c, now_ms);
                        break;
                }
                adapt_gain(h, temp_c, now_ms);
                if (heatup_coast_peak(&h->m, temp_c) >=
                    h->setpoint_c - HEATUP_AIM_BELOW_C) {
                        h->phase = HU_COAST;
                        h->cut_ms = now_ms;
                        h->peak_c = temp_c;
                }
                break;
        case HU_COAST:
                if (temp_c > h->peak_c)
                        h->peak_c = temp_c;
                /* Hand over once the peak has passed, at the setpoint, or
                 * when the coast lasts far longer than the model says (a
                 * model that no longer fits this pad). */
                if (temp_c <= h->peak_c - PEAK_PASSED_C ||
                    temp_c >= h->setpoint_c ||
                    now_ms - h->cut_ms >=
                    (uint64_t)(1000 * (4 * h->m.dead_s + 60)))
                        h->phase = HU_DONE;
                break;
        default:
                break;
        }
        return h->phase;
}
