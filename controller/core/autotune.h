/* autotune.h: relay-feedback autotune of one zone, and what it learns.
 *
 * The experiment (Astrom-Hagglund, as Marlin's M303 and ESPHome's PID
 * autotune do it): let a cool pad warm at full power to just below a safe
 * target, then switch the relay on below target - hyst and off above
 * target + hyst until the oscillation repeats itself. A pad that starts warm
 * is first left to cool to `below_c` under the target, so the data span a
 * range of temperatures.
 *
 * Its length adapts to the pad: the hysteresis widens to clear the sensor
 * noise measured during the heat-up, and the relay phase ends once two
 * successive cycles agree (period within 15 %, swing within 25 %) after
 * min_cycles, or after `cycles` at most. A heavy pad takes most of an hour
 * to warm, so the only bound is limit_ms: the zone's session cap (the
 * experiment is a session, and that cap exists for the skin).
 *
 * What it learns: a first-order-plus-dead-time model of the pad as the
 * sensor sees it, y' = (K u(t - L) - (y - rest)) / tau, with u the relay
 * (0 or 1). K, tau and rest come from a least-squares fit of that equation,
 * integrated over 60 s windows, to every second of the experiment; L is the
 * delay (searched second by second) whose fit leaves the smallest residual.
 * The relay cycles also give the ultimate gain and period (Ku, Tu), reported
 * beside the model. Gains are then chosen from the model (SIMC rules, with
 * half the control window added to the dead time, since a time-proportioning
 * window delays heat by about that much).
 *
 * Pure: readings and time come in as arguments, the relay decision goes
 * out; no clock, no I/O, no allocation. The caller (core.c) runs it inside
 * a session, so the safety supervisor watches the whole experiment. */
#ifndef HEATPAD_AUTOTUNE_H
#define HEATPAD_AUTOTUNE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* The longest dead time the fit searches, in seconds. */
#define AUTOTUNE_MAX_DEAD_S 60

struct autotune_params {
        double target_c;        /* centre of the relay oscillation */
        double hyst_c;          /* relay hysteresis either side */
        double below_c;         /* start at least this far below target */
        int min_cycles;         /* relay cycles to measure at least... */
        int cycles;             /* ...and at most (after the first) */
        uint64_t limit_ms;      /* give up (relay off) after this */
        uint64_t min_on_ms, min_off_ms;
        double window_s;        /* the control window the gains are for */
};

/* The plant as identified. gain_c is degC per unit duty (full power = 1). */
struct autotune_model {
        double gain_c;          /* K */
        double tau_s;           /* tau */
        double dead_s;          /* L */
        double rest_c;          /* where the pad settles with the heater off */
        /* The rise after the experiment's first cut from full power, as a
         * fraction of the rise the model predicts for it (a sensor behind
         * a lag coasts less than one behind a pure delay); 0: not
         * measured, taken as 1. */
        double coast_scale;
};

/* The model run open-loop over the experiment's own relay history, against
 * its readings: the check a model must pass to be stored. */
struct autotune_check {
        double rms_c;           /* model against readings */
        double noise_c;         /* the sensor noise measured */
        double confidence;      /* 0..1: 1 - rms_c / AUTOTUNE_MAX_RMS_C */
        int cycles;             /* relay cycles measured */
};

/* A model whose open-loop run strays further than this from the readings
 * (RMS) is refused. */
#define AUTOTUNE_MAX_RMS_C 0.4
/* The experiment's history for the check, one entry per this many s. */
#define AUTOTUNE_HIST_S 5
#define AUTOTUNE_HIST_N (120 * 60 / AUTOTUNE_HIST_S)

/* What a zone keeps from a successful run (stored in the state file). */
struct zone_tuning {
        bool valid;
        struct autotune_model model;
        double kp, ki, kd;
        double ku, tu_s;        /* relay ultimate gain and period */
        time_t when;            /* wall time of the run */
        /* How far to trust the model: its check against the run's own
         * data (a tuning stored before this was kept has none). */
        bool has_check;
        struct autotune_check check;
};

enum autotune_phase {
        AT_COOL,                /* heater off until below_c under target */
        AT_HEAT,                /* full power up to target - hyst */
        AT_RELAY,               /* the oscillation */
        AT_DONE,
        AT_FAILED,
};

struct autotune {
        struct autotune_params p;
        enum autotune_phase phase;
        const char *why;                /* on AT_FAILED: a short reason */
        uint64_t start_ms, next_sample_ms, switch_ms;
        bool on;
        bool sampled;
        /* relay cycles: from one switch-on to the next */
        int cycles_seen;
        uint64_t cycle_start_ms, cycle_on_ms, on_since_ms;
        double cyc_max, cyc_min;
        double sum_tu_s, sum_amp_c, sum_duty;
        int measured;
        /* the fit: delayed relay history and per-delay normal equations */
        uint8_t uhist[AUTOTUNE_MAX_DEAD_S + 1];
        uint32_t nsamples;
        double blk_u[AUTOTUNE_MAX_DEAD_S + 1], blk_y;
        double prev_u[AUTOTUNE_MAX_DEAD_S + 1], prev_y;
        double y_edge[2];               /* y two and one block edges ago */
        int nblocks, blk_n;
        double ata[AUTOTUNE_MAX_DEAD_S + 1][3][3];
        double atb[AUTOTUNE_MAX_DEAD_S + 1][3];
        double rr;                      /* sum of squared left-hand sides */
        int nrows;
        /* the sensor noise: second differences of the readings */
        double nz_y[2], nz_sum;
        int nz_n;
        double hyst_c;                  /* the hysteresis in use */
        double last_tu_s, last_amp_c;
        /* the check's history: relay-on seconds and mean reading per
         * AUTOTUNE_HIST_S */
        uint8_t h_on[AUTOTUNE_HIST_N];
        float h_y[AUTOTUNE_HIST_N];
        int h_n, h_k;
        double h_sum;
        /* the first cut from full power: the history block it fell in,
         * the sample it fell at, and the block the relay next went on */
        int coast_from, coast_end;
        double coast_at;
        struct autotune_check check;    /* on AT_DONE, and on a refusal */
        struct zone_tuning result;      /* on AT_DONE */
};

/* Defaults for a zone: target 2 degC under max_setpoint_c, 0.2 degC
 * hysteresis at least, 3 to 8 cycles, 120 minutes (the caller cuts it to
 * the zone's session cap). */
void autotune_default_params(struct autotune_params *ret, double max_setpoint_c,
                             double window_s, uint64_t min_on_ms,
                             uint64_t min_off_ms);

/* Starts an experiment at now_ms from the pad's current reading. */
void autotune_begin(struct autotune *a, const struct autotune_params *p,
                    double temp_c, uint64_t now_ms);

/* One step with the latest valid reading; returns whether the relay should
 * be on. Once the phase is AT_DONE or AT_FAILED it returns false. */
bool autotune_update(struct autotune *a, double temp_c, uint64_t now_ms,
                     time_t wall);

/* Gains for a model and a control window (SIMC, tau_c = effective dead
 * time): fills kp, ki, kd of ret. */
void autotune_choose_gains(const struct autotune_model *m, double window_s,
                           struct zone_tuning *ret);

/* How far the reading goes on rising after a cut from full power at
 * temp_c, by the model alone (its dead time's worth of heat still
 * arriving), before coast_scale. */
double autotune_coast_rise(const struct autotune_model *m, double temp_c);

/* The coast_scale is kept within this range: outside it the measurement,
 * not the pad, is at fault. */
#define AUTOTUNE_COAST_MIN 0.5
#define AUTOTUNE_COAST_MAX 1.5

/* "cooling", "heating", "relay", "done", "failed". */
const char *autotune_phase_name(enum autotune_phase ph);

#endif
