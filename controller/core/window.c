/* window.c: see window.h. */
#include <math.h>

#include "core/window.h"

/* A fall of the duty below its plan this large is PID asking for less
 * (nearing the setpoint), not noise. */
#define CUT_BELOW 0.15
/* ...with the duty smoothed over this long. */
#define CUT_EMA_S 10.0
/* A window stretched for a min_on pulse is at most this many windows long. */
#define PFM_MAX 3.0

uint64_t window_choose(enum window_mode mode, double switches_per_h,
                       double rate_c_s, double u, uint64_t min_on_ms,
                       uint64_t min_off_ms)
{
        double t;

        u = u < 0.05 ? 0.05 : u > 0.95 ? 0.95 : u;
        /* What the relay allows: each on and off period at least its
         * minimum, with a margin so PID's moves about u do not press an
         * on-time against it (snapped or carried, it rides off the
         * frontier). */
        double least = 1.2 * fmax((double)min_on_ms / u,
                                  (double)min_off_ms / (1.0 - u)) / 1000.0;
        double swing = rate_c_s * u * (1.0 - u);        /* degC/s of T */
        if (mode == WINDOW_COMFORT) {
                /* Twice the least: shorter windows ripple less in theory
                 * but ride off the frontier in practice (the bench). A
                 * strong or light pad's sawtooth would then peak well
                 * above the setpoint at the pad: there, as short as keeps
                 * its peak WINDOW_COMFORT_HALF_C above the middle, down to
                 * on-times of 1.1 min_on (the 150 W and x0.5 pads: their
                 * pad node peaked 0.32-0.37 C above the setpoint at 1.5
                 * times the least, 0.25-0.27 C now). On-times that then fall under min_on (the
                 * holding duty drifts down as the tissue warms) become a
                 * train of min_on pulses (plan_window), not skipped and
                 * doubled windows. */
                t = 2.0 * least / 1.2;
                if (swing > 0)
                        t = fmax(least * 1.1 / 1.2,
                                 fmin(t, 2.0 * WINDOW_COMFORT_HALF_C / swing));
        } else {
                /* Two switches a window, at WINDOW_BUDGET_USE of the
                 * budget. */
                t = 2.0 * 3600.0 / ((switches_per_h > 0 ? switches_per_h :
                                     40) * WINDOW_BUDGET_USE);
                t = fmax(t, least);
        }
        t = t < 5 ? 5 : t > 600 ? 600 : t;
        return (uint64_t)(t * 1000.0 + 0.5);
}

const char *window_mode_name(enum window_mode m)
{
        return m == WINDOW_RELAY_LIFE ? "relay_life" : "comfort";
}

void window_init(struct window *w, const struct window_params *p)
{
        w->p = *p;
        window_reset(w);
}

void window_reset(struct window *w)
{
        w->start_ms = 0;
        w->on_since_ms = 0;
        w->off_since_ms = 0;
        w->ever_on = false;
        w->plan_ms = 0;
        w->plan_duty = 0;
        w->carry_ms = 0;
        w->duty_sum = 0;
        w->duty_n = 0;
        w->on = false;
        w->started = false;
        w->preset = false;
        w->off_first_ms = 0;
        w->len_ms = (double)w->p.window_ms;
}

void window_preset(struct window *w, double duty, uint64_t off_first_ms)
{
        if (w->started)
                return;
        w->preset = true;
        w->preset_duty = duty < 0 ? 0 : duty > 1 ? 1 : duty;
        w->off_first_ms = off_first_ms;
}

double window_ripple_c(double window_s, double rate_c_s, double u)
{
        u = u < 0 ? 0 : u > 1 ? 1 : u;
        return rate_c_s > 0 && window_s > 0 ?
               rate_c_s * u * (1.0 - u) * window_s : 0;
}

void window_cut(struct window *w, uint64_t now_ms)
{
        if (!w->started)
                return;
        double elapsed = (double)(now_ms - w->start_ms);
        if (w->plan_ms > elapsed || w->plan_ms >= (double)w->p.window_ms)
                w->plan_ms = elapsed;
        if (w->on)
                w->off_since_ms = now_ms;
        w->on = false;
}

/* On-time for a window: the duty's share plus what earlier windows owe,
 * snapped to 0, to [min_on, window - min_off], or to the whole window. */
static double plan_window(struct window *w, double duty)
{
        double win = (double)w->p.window_ms;
        double want = duty * win + w->carry_ms;
        double plan;

        w->len_ms = win;
        /* Too short to switch for: one min_on pulse in a window stretched
         * to min_on / duty, so the duty is still what PID asked. A regular
         * train of the shortest pulses the relay allows is the least
         * ripple it can give; skipping a window and owing its on-time
         * instead doubles the next pulse (on a strong pad, 0.4 C above the
         * setpoint at the pad). Stretched at most PFM_MAX windows; below
         * that duty, skipped and carried as before. */
        if (want < (double)w->p.min_on_ms && duty > 0 &&
            (double)w->p.min_on_ms <= PFM_MAX * win * duty) {
                w->len_ms = (double)w->p.min_on_ms / duty;
                w->carry_ms = 0;
                return (double)w->p.min_on_ms;
        }
        if (want < (double)w->p.min_on_ms)
                plan = 0;
        else if (want > win - (double)w->p.min_off_ms)
                plan = win;
        else
                plan = want;
        /* Owe at most one window either way, so a long stretch at one
         * extreme cannot build a debt that distorts what follows. */
        w->carry_ms = want - plan;
        if (w->carry_ms > win)
                w->carry_ms = win;
        if (w->carry_ms < -win)
                w->carry_ms = -win;
        return plan;
}

bool window_update(struct window *w, double duty, uint64_t now_ms)
{
        uint64_t win = w->p.window_ms;

        if (duty < 0)
                duty = 0;
        if (duty > 1)
                duty = 1;
        if (!w->started || now_ms <= w->ema_ms) {
                w->duty_ema = duty;
        } else {
                double dt = (double)(now_ms - w->ema_ms) / 1000.0;
                w->duty_ema += (duty - w->duty_ema) * dt / (CUT_EMA_S + dt);
        }
        w->ema_ms = now_ms;

        if (!w->started && w->off_first_ms > 0) {
                /* A window of off-time only; the preset plans the next. */
                w->started = true;
                w->start_ms = now_ms;
                w->len_ms = (double)w->off_first_ms;
                w->off_first_ms = 0;
                w->plan_ms = 0;
                w->plan_duty = 0;
                w->duty_sum = 0;
                w->duty_n = 0;
        } else if (!w->started ||
                   (double)(now_ms - w->start_ms) >= w->len_ms) {
                /* Next window; after a stall, the one that holds now. */
                double mean = w->duty_n ? (w->duty_sum + duty) /
                              (w->duty_n + 1) : duty;
                if (w->preset && mean > w->preset_duty)
                        w->duty_ema = mean = w->preset_duty;
                w->preset = false;
                uint64_t len = (uint64_t)w->len_ms;
                w->start_ms = !w->started || now_ms - w->start_ms >= 2 * len ?
                              now_ms : w->start_ms + len;
                w->started = true;
                w->plan_ms = plan_window(w, mean);
                w->plan_duty = mean;
                w->duty_sum = 0;
                w->duty_n = 0;
        } else if (w->duty_ema < w->plan_duty - CUT_BELOW) {
                /* PID asks for less than when this window was planned
                 * (nearing the setpoint): take the difference off the
                 * on-time now rather than a window late. The duty smoothed
                 * over a few seconds, not one tick's, which jitters with
                 * the reading's noise. */
                w->plan_ms -= (w->plan_duty - w->duty_ema) * (double)win;
                if (w->plan_ms < 0)
                        w->plan_ms = 0;
                w->plan_duty = w->duty_ema;
        }
        w->duty_sum += duty;
        w->duty_n++;
        double elapsed = (double)(now_ms - w->start_ms);
        bool want = elapsed < w->plan_ms || w->plan_ms >= (double)win;

        /* An on-period lasts at least min_on, however the plan shrank. */
        if (!want && w->on && now_ms - w->on_since_ms < w->p.min_on_ms)
                want = true;
        /* And an off-period lasts at least min_off, even when a late tick
         * ended the last on-time close to a window's end. */
        if (want && !w->on && w->ever_on &&
            now_ms - w->off_since_ms < w->p.min_off_ms)
                want = false;
        if (want && !w->on) {
                w->on_since_ms = now_ms;
                w->ever_on = true;
        }
        if (!want && w->on)
                w->off_since_ms = now_ms;
        w->on = want;
        return w->on;
}
