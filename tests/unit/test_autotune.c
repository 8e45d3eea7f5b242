/* Unit tests for autotune.c and heatup.c, run through core.c against the
 * simulated pad (sim_pad.c) on a virtual clock, with DS18B20-like readings
 * (0.0625 C steps, noise, 750 ms latency) as in test_closed_loop.c.
 * - the identified plant is within 20 % of the model's own first-order
 *   truth (sim_pad_fopdt(), which says how that truth is derived);
 * - the experiment runs under the safety supervisor and ends off;
 * - a stop aborts it, a running session refuses it;
 * - the model-aware heat-up reaches the band sooner than PID alone and
 *   overshoots no more than 0.3 C;
 * - config gains win over tuned ones only when the config gives them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "hw/sim_pad.h"
#include "test.h"

#define LATENCY_S 0.75

struct plant {
        struct sim_pad pad;
        unsigned rng;
};

static double gauss(unsigned *rng)
{
        double u1 = (rand_r(rng) + 1.0) / ((double)RAND_MAX + 2.0);
        double u2 = (rand_r(rng) + 1.0) / ((double)RAND_MAX + 2.0);
        return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void plant_init(struct plant *p, unsigned seed)
{
        struct sim_pad_params pp;
        sim_pad_default_params(&pp);
        sim_pad_init(&p->pad, &pp);
        p->rng = seed;
}

/* One second with the relay as decided, then the reading that answers. */
static void plant_second(struct plant *p, struct core *core)
{
        p->pad.heater_on = core->zones[0].relay_on;
        sim_pad_step(&p->pad, 1.0 - LATENCY_S);
        double sample = p->pad.sensor_c;
        sim_pad_step(&p->pad, LATENCY_S);
        double c = round((sample + 0.03 * gauss(&p->rng)) / 0.0625) * 0.0625;
        core_post_reading(core, 0, 0, c);
}

static struct config cfg;

static void load_config(const char *pid)
{
        struct config_errors errs;
        char json[512];
        snprintf(json, sizeof(json), "{\"quiet_hours\":{\"enabled\":false},"
                 "\"zones\":[{\"name\":\"z\",\"sensor\":{\"type\":\"sim\"},"
                 "\"relay\":{\"type\":\"sim\"}%s}]}", pid);
        assert_int_equal(config_parse(json, &cfg, &errs), 0);
}

struct seen {
        int autotune_done, autotune_failed;
};

static void on_event(void *ctx, const struct core *core,
                     const struct core_event *ev)
{
        struct seen *s = ctx;
        (void)core;
        if (ev->type == EV_AUTOTUNE && strcmp(ev->reason, "done") == 0)
                s->autotune_done++;
        if (ev->type == EV_AUTOTUNE && strcmp(ev->reason, "failed") == 0)
                s->autotune_failed++;
}

/* The core's queued events, as the loop would drain them. */
static struct seen *seen(struct core *core, struct seen *s)
{
        struct core_event ev;

        while (core_next_event(core, &ev))
                on_event(s, core, &ev);
        return s;
}

static struct seen *seen_by_second;

static uint64_t t_ms;
static time_t wall;
static unsigned noise_seed = 11;

static void setup_core(struct core *core, struct plant *p, struct seen *s)
{
        t_ms = 1000;
        wall = 1764000000;
        plant_init(p, noise_seed);
        seen_by_second = s;
        core_init(core, &cfg, NULL, NULL, t_ms, wall);
        core_set_localtime(core, test_localtime, NULL);
        plant_second(p, core);
        core_tick(core, t_ms, wall);
        seen(core, seen_by_second);
}

static void second(struct core *core, struct plant *p)
{
        t_ms += 1000;
        wall += 1;
        plant_second(p, core);
        core_tick(core, t_ms, wall);
        seen(core, seen_by_second);
}

/* Runs an autotune to its end; returns the seconds it took. */
static int run_autotune(struct core *core, struct plant *p,
                        double *max_c)
{
        struct core_reply rep;
        int secs = 0;

        core_autotune_start(core, 0, SRC_CLI, t_ms, wall, &rep);
        assert_int_equal(rep.status, CORE_OK);
        assert_true(core->zones[0].autotuning);
        *max_c = 0;
        while (core->zones[0].autotuning && secs < 90 * 60) {
                second(core, p);
                secs++;
                if (p->pad.sensor_c > *max_c)
                        *max_c = p->pad.sensor_c;
                /* The supervisor watches throughout. */
                assert_int_equal(core->zones[0].safety.fault, FAULT_NONE);
        }
        return secs;
}

/* One run with the noise of `seed`. */
static void identify_with_seed(unsigned seed)
{
        struct core core;
        struct plant p;
        struct seen s = { 0 };
        struct sim_pad_fopdt truth;
        char text[320];
        double max_c;

        load_config("");
        noise_seed = seed;
        setup_core(&core, &p, &s);
        noise_seed = 11;
        int secs = run_autotune(&core, &p, &max_c);
        const struct zone_tuning *t = &core.zones[0].tuning;

        sim_pad_fopdt(&p.pad.p, LATENCY_S, 1.0, &truth);
        core_describe_tuning(&core, 0, text, sizeof(text));
        print_message("seed %u: autotune took %d s, peak %.2f C\n%s\n", seed,
                      secs, max_c, text);
        print_message("truth: gain %.1f, tau %.0f s, dead %.2f s\n",
                      truth.gain_c, truth.tau_s, truth.dead_s);
        assert_int_equal(seen(&core, &s)->autotune_done, 1);
        assert_int_equal(seen(&core, &s)->autotune_failed, 0);
        assert_true(t->valid);
        assert_true(core.state_dirty);
        assert_near(t->model.gain_c, truth.gain_c, 0.2 * truth.gain_c);
        assert_near(t->model.tau_s, truth.tau_s, 0.2 * truth.tau_s);
        assert_near(t->model.dead_s, truth.dead_s, 0.2 * truth.dead_s);
        /* Ended off and idle, and never near the cutoff. */
        assert_false(core.zones[0].relay_on);
        assert_false(core.zones[0].session.active);
        assert_true(max_c < cfg.zones[0].max_setpoint_c);
        /* The gains are used from now on (the config gave none), chosen
         * for the window picked from the model (comfort, no window_s). */
        struct zone_tuning g = *t;
        autotune_choose_gains(&t->model,
                              core.zones[0].window.p.window_ms / 1000.0, &g);
        assert_near(core.zones[0].pid.p.kp, g.kp, 1e-12);
        assert_near(core.zones[0].pid.p.ki, g.ki, 1e-12);
        assert_true(t->kp > 0 && t->kp <= 10 && t->ki > 0 && t->ki <= 1);
}

static void identifies_the_pad_within_20_percent(void **state)
{
        (void)state;
        /* Three noise sequences: the fit must not hang on one lucky one. */
        identify_with_seed(3);
        identify_with_seed(11);
        identify_with_seed(19);
}

static void warm_pad_cools_first(void **state)
{
        struct core core;
        struct plant p;
        struct seen s = { 0 };
        struct core_reply rep;
        struct sim_pad_fopdt truth;
        char text[320];
        double max_c;
        (void)state;

        load_config("");
        setup_core(&core, &p, &s);
        core_start(&core, 0, 30, 40, SRC_CLI, t_ms, wall, &rep);
        for (int i = 0; i < 25 * 60; i++)
                second(&core, &p);
        core_stop(&core, 0, SRC_CLI, t_ms, &rep);
        /* Warm: the experiment must first let it cool below 35 C. */
        int secs = run_autotune(&core, &p, &max_c);
        core_describe_tuning(&core, 0, text, sizeof(text));
        sim_pad_fopdt(&p.pad.p, LATENCY_S, 1.0, &truth);
        print_message("from warm: %d s\n%s\n", secs, text);
        assert_int_equal(seen(&core, &s)->autotune_done, 1);
        const struct zone_tuning *t = &core.zones[0].tuning;
        assert_near(t->model.gain_c, truth.gain_c, 0.2 * truth.gain_c);
        assert_near(t->model.tau_s, truth.tau_s, 0.2 * truth.tau_s);
        assert_near(t->model.dead_s, truth.dead_s, 0.2 * truth.dead_s);
}

static void stop_aborts_and_session_refuses(void **state)
{
        struct core core;
        struct plant p;
        struct seen s = { 0 };
        struct core_reply rep;
        (void)state;

        load_config("");
        setup_core(&core, &p, &s);
        core_start(&core, 0, 20, 38, SRC_CLI, t_ms, wall, &rep);
        assert_int_equal(rep.status, CORE_OK);
        core_autotune_start(&core, 0, SRC_CLI, t_ms, wall, &rep);
        assert_int_equal(rep.status, CORE_REFUSED);
        assert_false(core.zones[0].autotuning);
        core_stop(&core, 0, SRC_CLI, t_ms, &rep);

        core_autotune_start(&core, 0, SRC_CLI, t_ms, wall, &rep);
        assert_int_equal(rep.status, CORE_OK);
        for (int i = 0; i < 120; i++)
                second(&core, &p);
        assert_true(core.zones[0].relay_on);    /* heating up */
        core_start(&core, 0, 20, 38, SRC_CLI, t_ms, wall, &rep);
        assert_int_equal(rep.status, CORE_REFUSED);
        core_stop(&core, 0, SRC_CLI, t_ms, &rep);
        assert_false(core.zones[0].relay_on);
        assert_false(core.zones[0].autotuning);
        assert_int_equal(seen(&core, &s)->autotune_failed, 1);
        assert_false(core.zones[0].tuning.valid);
        second(&core, &p);
        assert_false(core.zones[0].relay_on);
}

/* A cold start to 40 C; returns the seconds to the +/-0.5 C band and the
 * overshoot. */
static void cold_start(struct core *core, struct plant *p, int *band_s,
                       double *over_c)
{
        struct core_reply rep;

        core_start(core, 0, 60, 40, SRC_CLI, t_ms, wall, &rep);
        assert_int_equal(rep.status, CORE_OK);
        *band_s = -1;
        *over_c = -100;
        for (int s = 1; s <= 50 * 60; s++) {
                second(core, p);
                double c = p->pad.sensor_c;
                if (*band_s < 0 && fabs(c - 40) <= 0.5)
                        *band_s = s;
                if (c - 40 > *over_c)
                        *over_c = c - 40;
        }
        assert_int_equal(core->zones[0].safety.fault, FAULT_NONE);
}

static void model_heatup_is_faster_without_overshoot(void **state)
{
        struct core core;
        struct plant p;
        struct seen s = { 0 };
        struct zone_tuning tuned;
        double max_c, over_pid, over_model;
        int band_pid, band_model;
        (void)state;

        /* PID alone: no model, no declared power to learn one with. */
        load_config(",\"power_w\":0");
        setup_core(&core, &p, &s);
        cold_start(&core, &p, &band_pid, &over_pid);

        load_config("");
        setup_core(&core, &p, &s);
        run_autotune(&core, &p, &max_c);
        tuned = core.zones[0].tuning;
        assert_true(tuned.valid);
        /* A fresh pad on a fresh person, with the stored tuning. */
        setup_core(&core, &p, &s);
        core_set_tuning(&core, 0, &tuned);
        cold_start(&core, &p, &band_model, &over_model);
        print_message("cold start 22->40 C: PID alone %d s to band, overshoot "
                      "%.2f C; with the model %d s, overshoot %.2f C\n",
                      band_pid, over_pid, band_model, over_model);
        assert_true(band_model > 0 && band_pid > 0);
        assert_true(band_model < band_pid);
        assert_true(over_model <= 0.3);
}

/* A zone that declares its power but was never autotuned learns its pad
 * from the cold start's rise: faster to the band than PID alone and no
 * more overshoot; the window and gains it chose last only for the
 * session, and nothing is stored. */
static void declared_power_learns_the_heatup(void **state)
{
        struct core core;
        struct plant p;
        struct seen s = { 0 };
        double over_pid, over_learned;
        int band_pid, band_learned;
        (void)state;

        load_config(",\"power_w\":0");
        setup_core(&core, &p, &s);
        cold_start(&core, &p, &band_pid, &over_pid);

        load_config(",\"power_w\":40");
        setup_core(&core, &p, &s);
        uint64_t window_ms = core.zones[0].window.p.window_ms;
        double kp = core.zones[0].pid.p.kp;
        cold_start(&core, &p, &band_learned, &over_learned);
        const struct core_zone *z = &core.zones[0];
        print_message("cold start 22->40 C: PID alone %d s to band, overshoot "
                      "%.2f C; learning the pad %d s, overshoot %.2f C "
                      "(gain %.1f C, tau %.0f s, dead time %.1f s, window "
                      "%.0f s)\n", band_pid, over_pid, band_learned,
                      over_learned, z->learned.model.gain_c,
                      z->learned.model.tau_s, z->learned.model.dead_s,
                      (double)z->window.p.window_ms / 1000.0);
        assert_true(z->heatup.learned);
        assert_true(z->learned.valid);
        assert_false(z->tuning.valid);
        assert_true(band_learned > 0 && band_learned < band_pid);
        assert_true(over_learned <= 0.3);
        /* The simulated pad: K = 26.7 C, tau = 800 s, L = 11.25 s; one rise
         * gives the rate and the dead time, roughly. */
        assert_true(z->learned.model.dead_s > 3 &&
                    z->learned.model.dead_s < 30);
        assert_true(z->learned.model.gain_c / z->learned.model.tau_s >
                    0.5 * 26.7 / 800 &&
                    z->learned.model.gain_c / z->learned.model.tau_s <
                    2.0 * 26.7 / 800);
        assert_true(z->window.p.window_ms != window_ms);

        struct core_reply rep;
        core_stop(&core, 0, SRC_CLI, t_ms, &rep);
        assert_false(core.zones[0].learned.valid);
        assert_int_equal(core.zones[0].window.p.window_ms, window_ms);
        assert_true(core.zones[0].pid.p.kp == kp);
        assert_false(core.zones[0].relay_on);
}

/* A first-order rise with a dead time, sampled once a second in DS18B20
 * steps: the fit gives back its dead time, time constant and end point,
 * and no model from a rise too small to judge. */
static void ramp_fit_recovers_a_first_order_rise(void **state)
{
        struct ramp_fit f;
        struct autotune_model m;
        double now_c = 0;
        const double y0 = 22, s = 52, tau = 800, dead = 12;
        (void)state;

        ramp_fit_begin(&f, y0, 0);
        for (int t = 1; t <= 420; t++) {
                double y = t <= dead ? y0 :
                           s - (s - y0) * exp(-(t - dead) / tau);
                y = round(y / 0.0625) * 0.0625;
                ramp_fit_add(&f, y, (uint64_t)t * 1000);
                if (t == 30)
                        assert_false(ramp_fit_model(&f, 30000, &m, &now_c));
        }
        assert_true(ramp_fit_model(&f, 420000, &m, &now_c));
        print_message("ramp fit: dead %.1f s, tau %.0f s, end %.1f C, now "
                      "%.2f C\n", m.dead_s, m.tau_s, m.rest_c + m.gain_c,
                      now_c);
        assert_true(fabs(m.dead_s - dead) < 3);
        assert_true(fabs(m.tau_s - tau) < 0.2 * tau);
        assert_true(fabs(m.rest_c + m.gain_c - s) < 0.1 * (s - y0));
        assert_true(fabs(now_c - (s - (s - y0) * exp(-(420 - dead) / tau))) <
                    0.1);
        assert_true(m.rest_c == y0);
}

/* Longer or shorter mid-ramp (the page's +10 min): the heat-up goes on
 * learning from the same rise, and still cuts in time. */
static void a_change_mid_ramp_keeps_the_learning(void **state)
{
        struct core core;
        struct plant p;
        struct seen s = { 0 };
        struct core_reply rep;
        double over_c = -100;
        (void)state;

        load_config(",\"power_w\":40");
        setup_core(&core, &p, &s);
        core_start(&core, 0, 60, 40, SRC_CLI, t_ms, wall, &rep);
        assert_int_equal(rep.status, CORE_OK);
        for (int sec = 1; sec <= 50 * 60; sec++) {
                second(&core, &p);
                if (sec == 200) {
                        assert_int_equal(core.zones[0].heatup.phase, HU_FULL);
                        core_set_minutes(&core, 0, 70, SRC_HTTP, t_ms, wall,
                                         &rep);
                        assert_int_equal(rep.status, CORE_OK);
                        assert_true(core.zones[0].heatup.learning);
                        assert_int_equal(core.zones[0].heatup.phase, HU_FULL);
                }
                if (p.pad.sensor_c - 40 > over_c)
                        over_c = p.pad.sensor_c - 40;
        }
        const struct core_zone *z = &core.zones[0];
        print_message("changed mid-ramp: learned dead time %.1f s, overshoot "
                      "%.2f C\n", z->learned.model.dead_s, over_c);
        assert_true(z->learned.valid);
        assert_true(z->learned.model.dead_s > 3);
        assert_true(over_c <= 0.3);
        assert_int_equal(z->safety.fault, FAULT_NONE);
}

static void config_gains_win(void **state)
{
        struct core core;
        struct plant p;
        struct seen s = { 0 };
        struct zone_tuning t = {
                .valid = true, .kp = 0.9, .ki = 0.002, .kd = 3,
                .model = { .gain_c = 27, .tau_s = 800, .dead_s = 11,
                           .rest_c = 31 },
        };
        (void)state;

        load_config(",\"pid\":{\"kp\":0.25}");
        assert_true(cfg.zones[0].pid_gains_set);
        setup_core(&core, &p, &s);
        core_set_tuning(&core, 0, &t);
        assert_near(core.zones[0].pid.p.kp, 0.25, 1e-12);
        assert_true(core.zones[0].tuning.valid);   /* the model still used */

        load_config(",\"pid\":{\"window_s\":90}");
        assert_false(cfg.zones[0].pid_gains_set);
        setup_core(&core, &p, &s);
        core_set_tuning(&core, 0, &t);
        assert_near(core.zones[0].pid.p.kp, 0.9, 1e-12);
        assert_near(core.zones[0].pid.p.kd, 3, 1e-12);

        t.valid = false;
        t.kp = 5;
        core_set_tuning(&core, 0, &t);          /* ignored */
        assert_near(core.zones[0].pid.p.kp, 0.9, 1e-12);
}

/* A first-order pad, stepped by the test: the autotune alone, pure. */
static double fo_step(double y, bool on, double dead_on)
{
        (void)on;
        return y + (30.0 + 25.0 * dead_on - y) / 800.0;
}

static int run_pure(struct autotune *a, double jump_at_s, double jump_c)
{
        struct autotune_params p;
        double y = 22, hist[16] = { 0 };
        int t;

        autotune_default_params(&p, 42, 60, 10000, 10000);
        autotune_begin(a, &p, y, 0);
        for (t = 1; t < 120 * 60 && a->phase != AT_DONE &&
             a->phase != AT_FAILED; t++) {
                bool on = autotune_update(a, y + (t > jump_at_s ? jump_c : 0) +
                                          0.0625 * (t % 3 == 0),
                                          (uint64_t)t * 1000, 0);
                double dead = hist[t % 12];
                hist[t % 12] = on;
                y = fo_step(y, on, dead);
        }
        return t;
}

static void autotune_checks_its_model_and_refuses_a_bad_one(void **state)
{
        struct autotune a;
        (void)state;
        /* A clean run: done, with a confidence, the model close to the
         * pad's own readings. */
        run_pure(&a, 1e9, 0);
        assert_int_equal(a.phase, AT_DONE);
        assert_true(a.check.rms_c < 0.2 && a.check.confidence > 0.6);
        assert_true(a.check.cycles >= 3 && a.check.cycles <= 8);
        /* ...and the stored tuning carries it, to be kept with the model. */
        assert_true(a.result.has_check);
        assert_true(a.result.check.confidence == a.check.confidence);
        assert_int_equal(a.result.check.cycles, a.check.cycles);
        /* The sensor slips 3 C out of the pad once the relay cycles: the
         * model that fits best strays from the run's own readings (and is
         * a quarter off the pad's gain), so none is stored. */
        run_pure(&a, 800, -3.0);
        assert_int_equal(a.phase, AT_FAILED);
        assert_non_null(a.why);
        print_message("refused: %s (check RMS %.2f C)\n", a.why,
                      a.check.rms_c);
}

static void heatup_pure(void **state)
{
        struct autotune_model m = { .gain_c = 27, .tau_s = 800, .dead_s = 11,
                                    .rest_c = 31 };
        struct heatup h;
        (void)state;

        /* Further from the top, more heat still on its way. */
        assert_true(heatup_coast_peak(&m, 30) - 30 > heatup_coast_peak(&m, 39) - 39);
        assert_true(heatup_coast_peak(&m, 39) > 39);
        assert_near(heatup_hold_duty(&m, 40), 9.0 / 27, 1e-9);
        assert_near(heatup_hold_duty(&m, 20), 0, 1e-12);
        /* The first window after the hand-over: the holding duty and the
         * on-time that warms this pad (27/800 C/s) 0.15 C more. */
        assert_near(heatup_first_duty(&m, 40, 60),
                    9.0 / 27 + 0.15 / (27.0 / 800) / 60, 1e-9);
        assert_near(heatup_first_duty(&m, 40, 1), 1.0, 1e-12);
        heatup_begin(&h, &m, 40, 39, 0);
        assert_int_equal(h.phase, HU_DONE);     /* close: PID alone */
        heatup_begin(&h, &m, 40, 25, 0);
        assert_int_equal(heatup_update(&h, 30, 1000), HU_FULL);
        assert_int_equal(heatup_update(&h, 39.9, 2000), HU_COAST);
        assert_int_equal(heatup_update(&h, 40.0, 3000), HU_DONE);
}

/* Learning: no model from a rise too small, PID once it is close without
 * one; with one, a reading at the aim cuts even where the fit says there
 * is time left. */
static void heatup_learning_pure(void **state)
{
        struct heatup h;
        uint64_t t = 0;
        (void)state;

        heatup_begin_learning(&h, 40, 25, 0);
        assert_int_equal(h.phase, HU_FULL);
        assert_true(h.learning && !h.learned);
        for (t = 1; t <= 300; t++)
                heatup_update(&h, t <= 10 ? 25 : 25 + 0.02 * (t - 10),
                              t * 1000);
        assert_true(h.learned);
        assert_int_equal(h.phase, HU_FULL);
        assert_int_equal(heatup_update(&h, 39.9, 301000), HU_COAST);

        heatup_begin_learning(&h, 40, 38, 0);
        assert_int_equal(heatup_update(&h, 38.2, 1000), HU_FULL);
        assert_int_equal(heatup_update(&h, 38.6, 2000), HU_DONE);
        assert_false(h.learned);
}

static void heatup_adapts_to_a_weaker_pad(void **state)
{
        struct autotune_model m = { .gain_c = 27, .tau_s = 800, .dead_s = 11,
                                    .rest_c = 31 };
        struct heatup h;
        double y = 25;
        (void)state;

        /* The pad today has half the power the model knows. */
        heatup_begin(&h, &m, 40, y, 0);
        for (int s = 1; s <= 300; s++) {
                double t = s - m.dead_s;
                if (t > 0)
                        y = m.rest_c + m.gain_c / 2 + (25 - m.rest_c -
                            m.gain_c / 2) * exp(-t / m.tau_s);
                assert_int_equal(heatup_update(&h, y, (uint64_t)s * 1000),
                                 HU_FULL);
        }
        /* (31 + 13.5 - 25) / (31 + 27 - 25) of the gain. */
        assert_near(h.m.gain_c, 27 * 19.5 / 33, 0.5);
        /* And so a higher duty to hold 40 C than the stored model says. */
        assert_true(heatup_hold_duty(&h.m, 40) > heatup_hold_duty(&m, 40) * 1.5);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(identifies_the_pad_within_20_percent),
                cmocka_unit_test(warm_pad_cools_first),
                cmocka_unit_test(stop_aborts_and_session_refuses),
                cmocka_unit_test(model_heatup_is_faster_without_overshoot),
                cmocka_unit_test(ramp_fit_recovers_a_first_order_rise),
                cmocka_unit_test(declared_power_learns_the_heatup),
                cmocka_unit_test(a_change_mid_ramp_keeps_the_learning),
                cmocka_unit_test(config_gains_win),
                cmocka_unit_test(autotune_checks_its_model_and_refuses_a_bad_one),
                cmocka_unit_test(heatup_pure),
                cmocka_unit_test(heatup_learning_pure),
                cmocka_unit_test(heatup_adapts_to_a_weaker_pad),
        };
        return cmocka_run_group_tests_name("autotune", tests, NULL, NULL);
}
