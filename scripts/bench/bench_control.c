/* bench_control: every controller on the same simulated pad, the same
 * scenarios and the same seeded sensor noise (0.0625 C steps, 750 ms
 * latency); prints a table of medians over several seeds and writes one SVG
 * chart per scenario (seed 1) into the directory given (build/bench/).
 * A benchmark, not a test: it asserts nothing; `make bench-control` runs it.
 *
 * Controllers: heatpad's core (default gains; autotuned gains; autotuned
 * gains with the model-aware heat-up), Home Assistant generic_thermostat's
 * hysteresis (0.3 C cold and hot tolerance), a plain PID with a 1 s PWM
 * period, and a time-optimal oracle that knows the plant exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "sim_pad.h"

#define LATENCY_S 0.75
#define QUANTUM_C 0.0625
#define NOISE_C 0.03
#define BAND_C 0.5
#define RMS_S (20 * 60)
#define MAX_S (80 * 60)
#define SEEDS 5

enum ctl { C_DEFAULT, C_TUNED, C_MODEL, C_HYST, C_PWM, C_ORACLE, C_N };
static const char *const ctl_name[C_N] = {
        "heatpad default", "heatpad autotuned", "heatpad tuned+model",
        "hysteresis 0.3", "PID 1 s PWM", "oracle",
};
static const char *const ctl_color[C_N] = {
        "#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd", "#7f7f7f",
};

enum scen { S_COLD, S_STEP, S_BLANKET, S_LIEDOWN, S_WEAK, S_N };
static const char *const scen_name[S_N] = {
        "cold start 22->40", "step 38->41", "blanket added", "person lies down",
        "weak pad 60%",
};
static const char *const scen_file[S_N] = {
        "cold_start", "setpoint_step", "blanket", "lie_down", "weak_pad",
};

struct scenario {
        double sp0, sp1;        /* setpoint before and after the event */
        int event_s, end_s;
};

static const struct scenario scen[S_N] = {
        [S_COLD] = { 40, 40, 0, 50 * 60 },
        [S_STEP] = { 38, 41, 40 * 60, 70 * 60 },
        [S_BLANKET] = { 40, 40, 40 * 60, 70 * 60 },
        [S_LIEDOWN] = { 40, 40, 40 * 60, 70 * 60 },
        [S_WEAK] = { 40, 40, 0, 50 * 60 },
};

struct metrics {
        double band_s, over_c, rms_c, sw_h, wh;
};

struct run {
        struct sim_pad pad;
        unsigned rng;
        bool heater;            /* the heater's state at the end of a second */
        int switches;           /* in the RMS window */
        double on_s;
        float trace[MAX_S + 1];
};

static struct config cfg_default, cfg_tuned;
static struct zone_tuning tuned;

static double gauss(unsigned *rng)
{
        double u1 = (rand_r(rng) + 1.0) / ((double)RAND_MAX + 2.0);
        double u2 = (rand_r(rng) + 1.0) / ((double)RAND_MAX + 2.0);
        return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void load(struct config *cfg, const char *pid)
{
        struct config_errors errs;
        char json[512];
        snprintf(json, sizeof(json), "{\"quiet_hours\":{\"enabled\":false},"
                 "\"zones\":[{\"name\":\"pad\",\"sensor\":{\"type\":\"sim\"},"
                 "\"relay\":{\"type\":\"sim\"}%s}]}", pid);
        if (config_parse(json, cfg, &errs) < 0) {
                fprintf(stderr, "bench: config: %s\n", errs.msg[0]);
                exit(1);
        }
}

/* One second of plant: the heater on for the first on_s of it; the sensor
 * samples 0.25 s in and answers at the end. Returns the reading. */
static double plant_second(struct run *r, double on_s, bool count)
{
        const double sample_at = 1.0 - LATENCY_S;
        double cuts[3] = { sample_at, on_s, 1.0 };
        double t = 0, sample = r->pad.sensor_c;

        if (cuts[1] < cuts[0]) {
                cuts[1] = cuts[0];
                cuts[0] = on_s;
        }
        for (int i = 0; i < 3; i++) {
                if (cuts[i] > t) {
                        bool on = t < on_s;
                        if (on != r->heater && count)
                                r->switches++;
                        r->heater = on;
                        r->pad.heater_on = on;
                        sim_pad_step(&r->pad, cuts[i] - t);
                        r->on_s += on ? cuts[i] - t : 0;
                        t = cuts[i];
                }
                if (cuts[i] == sample_at)
                        sample = r->pad.sensor_c;
        }
        return round((sample + NOISE_C * gauss(&r->rng)) / QUANTUM_C) *
               QUANTUM_C;
}

/* Where the sensor would peak if the heater went off now (the oracle). */
static double true_coast_peak(const struct sim_pad *pad)
{
        struct sim_pad c = *pad;
        double peak = c.sensor_c;
        c.heater_on = false;
        for (int i = 0; i < 600; i++) {
                sim_pad_step(&c, 1.0);
                if (c.sensor_c > peak)
                        peak = c.sensor_c;
                else if (c.sensor_c < peak - 0.05)
                        break;
        }
        return peak;
}

/* The exact duty that holds the pad at sp with the tissue where it is. */
static double true_hold_duty(const struct sim_pad *pad, double sp)
{
        const struct sim_pad_params *p = &pad->p;
        double q = p->pad_room_w_per_k * (sp - p->room_c) +
                   p->pad_body_w_per_k * (sp - pad->body_c);
        double u = q / p->power_w;
        return u < 0 ? 0 : u > 1 ? 1 : u;
}

static void scenario_event(enum scen s, struct sim_pad *pad)
{
        if (s == S_BLANKET)
                pad->p.pad_room_w_per_k = 0.2;
        if (s == S_LIEDOWN) {
                pad->p.pad_body_w_per_k = 1.0;
                pad->body_c = 33.0;
        }
}

static void plant_init(struct run *r, enum scen s, unsigned seed)
{
        struct sim_pad_params pp;
        sim_pad_default_params(&pp);
        if (s == S_WEAK)
                pp.power_w *= 0.6;
        if (s == S_LIEDOWN)
                pp.pad_body_w_per_k = 0.05;     /* warmed on an empty bed */
        memset(r, 0, sizeof(*r));
        sim_pad_init(&r->pad, &pp);
        r->rng = seed;
}

/* The least time any controller can take to reach the band from the
 * scenario's event: full power from the state the pad is in then. */
static double full_power_bound(enum scen s, unsigned seed)
{
        static struct run r;
        const struct scenario *sc = &scen[s];
        plant_init(&r, s, seed);
        /* Only where the event is the start (cold pad). */
        if (sc->event_s > 0)
                return NAN;
        for (int sec = 1; sec <= sc->end_s; sec++) {
                plant_second(&r, 1.0, false);
                if (r.pad.sensor_c >= sc->sp1 - BAND_C)
                        return sec;
        }
        return NAN;
}

static void run_one(enum ctl c, enum scen s, unsigned seed, struct run *r,
                    struct metrics *m)
{
        const struct scenario *sc = &scen[s];
        struct core core;
        struct core_reply rep;
        struct pid pid;
        struct window win;
        uint64_t t_ms = 1000;
        time_t wall = 1764000000;
        double reading, sp = sc->sp0;
        bool hyst_on = false, oracle_full = true;

        plant_init(r, s, seed);
        const struct config *cfg = c == C_DEFAULT || c == C_HYST ||
                                   c == C_PWM ? &cfg_default : &cfg_tuned;
        core_init(&core, cfg, NULL, NULL, NULL, NULL, t_ms, wall);
        if (c == C_MODEL)
                core_set_tuning(&core, 0, &tuned);
        pid_init(&pid, &(c == C_ORACLE ? cfg_tuned : cfg_default).zones[0].pid);
        window_init(&win, &cfg_default.zones[0].window);
        reading = plant_second(r, 0, false);
        core_post_reading(&core, 0, 0, reading);
        core_tick(&core, t_ms, wall);
        core_start(&core, 0, 90, sp, SRC_CLI, t_ms, wall, &rep);

        /* Metrics. A start or a step: the first reading in the band after
         * it, then 20 minutes of RMS. A disturbance (in the band when it
         * comes): 20 minutes of RMS from it, and the time to band is when
         * the pad was last outside the band in them (0: never). */
        double band_at = -1, over = 0, sq = 0;
        int nsq = 0, rms_end = -1, last_out = -1;
        int first = sc->event_s > 1 ? sc->event_s : 1;
        bool disturbance = false;
        for (int sec = 1; sec <= sc->end_s; sec++) {
                if (sec == sc->event_s && sec > 0) {
                        sp = sc->sp1;
                        if (sc->sp1 != sc->sp0)
                                core_start(&core, 0, 90, sp, SRC_CLI, t_ms,
                                           wall, &rep);
                        scenario_event(s, &r->pad);
                        oracle_full = true;
                }
                double on_s;
                switch (c) {
                case C_HYST:
                        /* generic_thermostat: on at or below target - cold
                         * tolerance, off at or above target + hot. */
                        if (reading <= sp - 0.3)
                                hyst_on = true;
                        else if (reading >= sp + 0.3)
                                hyst_on = false;
                        on_s = hyst_on;
                        break;
                case C_PWM:
                        /* Quarter seconds: the plant's own step. */
                        on_s = round(pid_update(&pid, sp, reading, 1.0) * 4) /
                               4;
                        break;
                case C_ORACLE:
                        if (oracle_full && reading < sp - 1.5 &&
                            true_coast_peak(&r->pad) < sp) {
                                on_s = 1;
                                break;
                        }
                        if (oracle_full) {
                                oracle_full = false;
                                pid_reset(&pid, true_hold_duty(&r->pad, sp));
                                window_reset(&win);
                        }
                        on_s = window_update(&win, pid_update(&pid, sp, reading,
                                             1.0), t_ms);
                        break;
                default:
                        on_s = core.zones[0].relay_on;
                        break;
                }
                bool in_rms = band_at >= 0 && sec <= rms_end;
                reading = plant_second(r, on_s, in_rms);
                t_ms += 1000;
                wall += 1;
                core_post_reading(&core, 0, 0, reading);
                core_tick(&core, t_ms, wall);
                if (core.zones[0].safety.fault != FAULT_NONE)
                        fprintf(stderr, "bench: %s/%s: fault %s\n", ctl_name[c],
                                scen_name[s],
                                safety_fault_name(core.zones[0].safety.fault));

                double y = r->pad.sensor_c;
                r->trace[sec] = (float)y;
                if (sec < sc->event_s)
                        continue;
                bool in = fabs(y - sp) <= BAND_C;
                if (sec == first && in) {
                        disturbance = true;
                        band_at = sc->event_s;
                        rms_end = sc->event_s + RMS_S;
                }
                if (y - sp > over)
                        over = y - sp;
                if (band_at < 0 && in) {
                        band_at = sec;
                        rms_end = sec + RMS_S;
                }
                if (disturbance && !in && sec <= rms_end)
                        last_out = sec;
                if (band_at >= 0 && sec <= rms_end) {
                        sq += (y - sp) * (y - sp);
                        nsq++;
                }
        }
        if (disturbance)
                m->band_s = last_out < 0 ? 0 : last_out + 1 - sc->event_s;
        else
                m->band_s = band_at < 0 ? NAN : band_at - sc->event_s;
        m->over_c = over;
        m->rms_c = nsq ? sqrt(sq / nsq) : NAN;
        m->sw_h = nsq ? r->switches * 3600.0 / nsq : NAN;
        m->wh = r->on_s * r->pad.p.power_w / 3600.0;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double median(double *v, int n)
{
        qsort(v, (size_t)n, sizeof(double), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void write_svg(const char *dir, enum scen s, struct run runs[C_N])
{
        const struct scenario *sc = &scen[s];
        char path[512];
        const double W = 900, H = 420, L = 60, R = 190, T = 30, B = 40;
        /* The band is what matters; the heat-up from 22 C is cut off. */
        double lo = sc->sp0 - 5, hi = sc->sp1 + 1.5;
        snprintf(path, sizeof(path), "%s/%s.svg", dir, scen_file[s]);
        FILE *f = fopen(path, "w");
        if (!f) {
                perror(path);
                return;
        }
#define X(sec) (L + (W - L - R) * (double)(sec) / sc->end_s)
#define Y(c) (T + (H - T - B) * (hi - (c)) / (hi - lo))
        fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" "
                "height=\"%g\" font-family=\"sans-serif\" font-size=\"12\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                "<text x=\"%g\" y=\"18\" font-size=\"14\">%s: pad sensor "
                "temperature (C) vs time (min), seed 1</text>\n", W, H, L,
                scen_name[s]);
        for (double c = ceil(lo); c <= hi; c += 1) {
                fprintf(f, "<line x1=\"%g\" x2=\"%g\" y1=\"%.1f\" y2=\"%.1f\" "
                        "stroke=\"#ddd\"/><text x=\"%g\" y=\"%.1f\" "
                        "text-anchor=\"end\">%g</text>\n", L, W - R, Y(c), Y(c),
                        L - 6, Y(c) + 4, c);
        }
        for (int mnt = 0; mnt * 60 <= sc->end_s; mnt += 10)
                fprintf(f, "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">"
                        "%d</text>\n", X(mnt * 60), H - B + 16, mnt);
        fprintf(f, "<rect x=\"%g\" y=\"%.1f\" width=\"%g\" height=\"%.1f\" "
                "fill=\"#2ca02c\" opacity=\"0.08\"/>\n", L,
                Y(sc->sp1 + BAND_C), W - L - R, Y(sc->sp1 - BAND_C) -
                Y(sc->sp1 + BAND_C));
        for (int c = 0; c < C_N; c++) {
                fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
                        "stroke-width=\"1.3\" points=\"", ctl_color[c]);
                for (int sec = 1; sec <= sc->end_s; sec += 5) {
                        double y = runs[c].trace[sec];
                        y = y < lo ? lo : y > hi ? hi : y;
                        fprintf(f, "%.1f,%.1f ", X(sec), Y(y));
                }
                fprintf(f, "\"/>\n<line x1=\"%g\" x2=\"%g\" y1=\"%d\" y2=\"%d\" "
                        "stroke=\"%s\" stroke-width=\"3\"/><text x=\"%g\" "
                        "y=\"%d\">%s</text>\n", W - R + 10, W - R + 30,
                        (int)T + 10 + 18 * c, (int)T + 10 + 18 * c,
                        ctl_color[c], W - R + 36, (int)T + 14 + 18 * c,
                        ctl_name[c]);
        }
        fprintf(f, "</svg>\n");
#undef X
#undef Y
        fclose(f);
}

/* The autotune, through the core, on the nominal pad (seed 1). */
static void autotune(void)
{
        struct core core;
        struct core_reply rep;
        struct run *r = calloc(1, sizeof(*r));
        uint64_t t_ms = 1000;
        time_t wall = 1764000000;
        struct sim_pad_fopdt truth;
        char text[400];

        plant_init(r, S_COLD, 1);
        core_init(&core, &cfg_default, NULL, NULL, NULL, NULL, t_ms, wall);
        core_post_reading(&core, 0, 0, plant_second(r, 0, false));
        core_tick(&core, t_ms, wall);
        core_autotune_start(&core, 0, SRC_CLI, t_ms, wall, &rep);
        int secs = 0;
        while (core.zones[0].autotuning && secs < 90 * 60) {
                double c = plant_second(r, core.zones[0].relay_on, false);
                t_ms += 1000;
                wall += 1;
                secs++;
                core_post_reading(&core, 0, 0, c);
                core_tick(&core, t_ms, wall);
        }
        core_describe_tuning(&core, 0, text, sizeof(text));
        sim_pad_fopdt(&r->pad.p, LATENCY_S, 1.0, &truth);
        printf("autotune (%d s): %s\n", secs, text);
        printf("simulator truth: gain %.1f C per unit duty, time constant "
               "%.0f s, dead time %.2f s\n\n", truth.gain_c, truth.tau_s,
               truth.dead_s);
        tuned = core.zones[0].tuning;
        free(r);
        if (!tuned.valid) {
                fprintf(stderr, "bench: the autotune failed\n");
                exit(1);
        }
}

int main(int argc, char **argv)
{
        const char *dir = argc > 1 ? argv[1] : "build/bench";
        static struct run runs[C_N];
        static struct run scratch;
        struct metrics med[S_N][C_N];
        char pid[160];

        load(&cfg_default, "");
        autotune();
        snprintf(pid, sizeof(pid), ",\"pid\":{\"kp\":%.6g,\"ki\":%.6g,"
                 "\"kd\":%.6g}", tuned.kp, tuned.ki, tuned.kd);
        load(&cfg_tuned, pid);
        printf("window %.0f s, min on/off %.0f/%.0f s; medians of %d seeds\n\n",
               cfg_default.zones[0].window.window_ms / 1000.0,
               cfg_default.zones[0].window.min_on_ms / 1000.0,
               cfg_default.zones[0].window.min_off_ms / 1000.0, SEEDS);

        for (int s = 0; s < S_N; s++) {
                for (int c = 0; c < C_N; c++) {
                        double v[5][SEEDS];
                        for (unsigned seed = 1; seed <= SEEDS; seed++) {
                                struct metrics m;
                                run_one(c, s, seed, seed == 1 ? &runs[c] :
                                        &scratch, &m);
                                v[0][seed - 1] = m.band_s;
                                v[1][seed - 1] = m.over_c;
                                v[2][seed - 1] = m.rms_c;
                                v[3][seed - 1] = m.sw_h;
                                v[4][seed - 1] = m.wh;
                        }
                        med[s][c] = (struct metrics){
                                median(v[0], SEEDS), median(v[1], SEEDS),
                                median(v[2], SEEDS), median(v[3], SEEDS),
                                median(v[4], SEEDS),
                        };
                }
                write_svg(dir, s, runs);
        }

        printf("| scenario | controller | to band (s) | overshoot (C) | RMS "
               "(C) | switches/h | energy (Wh) |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (int s = 0; s < S_N; s++)
                for (int c = 0; c < C_N; c++) {
                        const struct metrics *m = &med[s][c];
                        printf("| %s | %s | %.0f | %.2f | %.3f | %.0f | %.1f |\n",
                               scen_name[s], ctl_name[c], m->band_s, m->over_c,
                               m->rms_c, m->sw_h, m->wh);
                }

        printf("\ngoals for heatpad tuned+model (time to band within 10 %% of "
               "the oracle's, overshoot <= 0.3 C, RMS <= 0.2 C, <= 40 "
               "switches/h, better than hysteresis on RMS and switches):\n");
        for (int s = 0; s < S_N; s++) {
                const struct metrics *m = &med[s][C_MODEL];
                const struct metrics *o = &med[s][C_ORACLE];
                const struct metrics *h = &med[s][C_HYST];
                double bound = full_power_bound(s, 1);
                if (!isnan(bound))
                        printf("  %-18s lower bound on time to band (full "
                               "power to its edge): %.0f s; tuned+model takes "
                               "%.0f s (%.0f %% more)\n", scen_name[s], bound,
                               m->band_s, 100.0 * (m->band_s - bound) / bound);
                printf("  %-18s time %s, overshoot %s (%.3f), RMS %s, switches "
                       "%s, vs hysteresis %s\n", scen_name[s],
                       m->band_s <= 1.1 * o->band_s + 1 ? "met" : "MISSED",
                       m->over_c <= 0.3 ? "met" : "MISSED", m->over_c,
                       m->rms_c <= 0.2 ? "met" : "MISSED",
                       m->sw_h <= 40 ? "met" : "MISSED",
                       m->rms_c < h->rms_c && m->sw_h < h->sw_h ? "better on both" :
                       m->rms_c < h->rms_c ? "better RMS only" :
                       m->sw_h < h->sw_h ? "fewer switches only" : "not better");
        }
        /* The trade-off behind the switches goal: a longer window switches
         * less and ripples more. Same pad, tuned+model, cold start and
         * blanket scenarios. */
        printf("\nwindow sweep (heatpad tuned+model, medians of %d seeds):\n"
               "| window (s) | cold start RMS (C) | switches/h | blanket RMS (C) "
               "| switches/h |\n|---:|---:|---:|---:|---:|\n", SEEDS);
        static const int sweep[] = { 60, 90, 120, 180, 240 };
        for (size_t i = 0; i < sizeof(sweep) / sizeof(sweep[0]); i++) {
                double rms[2], sw[2];
                /* Gains chosen for this window (it adds half its length
                 * to the dead time), as an autotune would choose them. */
                struct zone_tuning g = tuned;
                autotune_choose_gains(&tuned.model, sweep[i], &g);
                snprintf(pid, sizeof(pid), ",\"pid\":{\"kp\":%.6g,\"ki\":%.6g,"
                         "\"kd\":%.6g,\"window_s\":%d}", g.kp, g.ki, g.kd,
                         sweep[i]);
                load(&cfg_tuned, pid);
                for (int k = 0; k < 2; k++) {
                        double vr[SEEDS], vs[SEEDS];
                        for (unsigned seed = 1; seed <= SEEDS; seed++) {
                                struct metrics m;
                                run_one(C_MODEL, k ? S_BLANKET : S_COLD, seed,
                                        &scratch, &m);
                                vr[seed - 1] = m.rms_c;
                                vs[seed - 1] = m.sw_h;
                        }
                        rms[k] = median(vr, SEEDS);
                        sw[k] = median(vs, SEEDS);
                }
                printf("| %d | %.3f | %.0f | %.3f | %.0f |\n", sweep[i], rms[0],
                       sw[0], rms[1], sw[1]);
        }
        printf("\ncharts: %s/*.svg\n", dir);
        return 0;
}
