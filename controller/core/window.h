/* window.h: time-proportioning output for a relay.
 *
 * A duty in 0..1 becomes on-time at the start of each window of window_ms.
 * The relay changes at most twice per window, and never stays on for less
 * than min_on_ms or off for less than min_off_ms, so a mechanical relay is
 * not chattered. On-time that is too short to switch for is not lost: it is
 * carried into the next window, or, when one min_on pulse fits in at most
 * three windows, given as one min_on pulse in a window stretched to
 * min_on / duty; either way the average duty is still what PID asked.
 * A window is planned from the mean of the duties asked through the one
 * before (a noisy reading makes PID's duty jitter from tick to tick, and
 * one sample of it would set a whole window's on-time), and cut short only
 * when the duty, smoothed over a few seconds, falls well below its plan.
 * Time is an argument; the module reads no clock. */
#ifndef HEATPAD_WINDOW_H
#define HEATPAD_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

struct window_params {
        uint64_t window_ms, min_on_ms, min_off_ms;
};

struct window {
        struct window_params p;
        uint64_t start_ms;      /* start of the current window */
        uint64_t on_since_ms;   /* when the output last went on */
        uint64_t off_since_ms;  /* when it last went off */
        bool ever_on;
        double plan_ms;         /* on-time planned for this window */
        double plan_duty;       /* the duty it was planned for */
        double carry_ms;        /* on-time owed from earlier windows */
        double duty_sum;        /* the duties asked since the window began */
        int duty_n;
        double duty_ema;        /* the duty smoothed over a few seconds */
        uint64_t ema_ms;
        bool on;
        bool started;
        bool preset;            /* window_preset: the first plan's duty */
        double len_ms;          /* this window's length: window_ms, or
                                 * longer for a single min_on pulse */
        double preset_duty;
        uint64_t off_first_ms;  /* window_preset: an off-time before it */
};

/* What a zone's window is chosen for when its pad has a model and the
 * config gives no window_s. */
enum window_mode {
        WINDOW_COMFORT,         /* the smallest ripple min on/off allow */
        WINDOW_RELAY_LIFE,      /* at most a budget of switches an hour */
};

/* A comfort window is no longer than one whose sawtooth peaks this far
 * above its middle at the pad (a strong or light pad would otherwise
 * overshoot the setpoint by more than the skin should feel). */
#define WINDOW_COMFORT_HALF_C 0.18

/* A switch budget is a ceiling: relay_life plans its windows for this
 * share of it, so the heat-up's cut and the hand-over's extra switch keep
 * a session under it (with windows at the whole budget a session made 41
 * switches an hour against 40). */
#define WINDOW_BUDGET_USE 0.95

/* The window for a pad that warms at rate_c_s (degC/s at full power) and
 * holds its setpoint at duty u: on the physical frontier an on/off pad
 * rides (a sawtooth of r u (1 - u) T peak to peak): for comfort the
 * shortest period in which each on and off time stays twice the relay's
 * minimum (a shorter one ripples less in theory, but PID's on-times then
 * press against the minimum and ride off the frontier), shortened down to
 * on-times of 1.1 times the minimum where the sawtooth would peak more than
 * WINDOW_COMFORT_HALF_C above its middle (a strong or light pad); for
 * relay_life what the switch budget allows, two switches a window at
 * WINDOW_BUDGET_USE of the budget (no longer: a window stretched past the
 * budget on a heavy pad rode off the frontier, 1.20 times the bound at 16
 * switches an hour). 5..600 s. */
uint64_t window_choose(enum window_mode mode, double switches_per_h,
                       double rate_c_s, double u, uint64_t min_on_ms,
                       uint64_t min_off_ms);

/* "comfort", "relay_life". */
const char *window_mode_name(enum window_mode m);

/* Sets the parameters; the output starts off. */
void window_init(struct window *w, const struct window_params *p);

/* Forces the output off now (a stop or a fault) and starts afresh next time. */
void window_reset(struct window *w);

/* After window_reset: the first window is planned at no more than this
 * duty (a hand-over from a heat-up, where PID's proportional term would
 * make the first on-time a window's worth of overshoot on a strong pad),
 * and begins after off_first_ms of off-time. A hand-over comes at a
 * coast's peak, the top of the sawtooth: a pulse at once would put the
 * first peak a whole swing above it, and a long window's sawtooth would
 * ride high until PID's integral pulled it down. */
void window_preset(struct window *w, double duty, uint64_t off_first_ms);

/* The sawtooth a window of window_s gives at duty u on a pad that warms
 * at rate_c_s at full power: r u (1 - u) T peak to peak, degC. */
double window_ripple_c(double window_s, double rate_c_s, double u);

/* The caller switched the output off against the plan (a pad reading
 * clearly above its target): this window's on-time ends now, and the next
 * on waits out min_off like any other, so an override that holds for one
 * tick does not chatter the relay. The time cut is not owed. */
void window_cut(struct window *w, uint64_t now_ms);

/* Returns whether the relay should be on at now_ms for the given duty. */
bool window_update(struct window *w, double duty, uint64_t now_ms);

#endif
