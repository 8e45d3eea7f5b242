/* bench_control: heatpad's real core (safety, heat-up, PID, window) on a
 * matrix of pads it was not developed on (tests/plant/: an independent
 * model with tissue, sensor lag, dead time, DS18B20 noise and steps),
 * against a time-optimal oracle and a perfect-knowledge on/off bound.
 * Prints a table of medians over 5 seeds and writes one SVG per plant into
 * the directory given (build/bench/). A benchmark, not a test: it asserts
 * nothing; `make bench-control` runs it.
 *
 * Per plant: the autotune runs once, through the core, on its own seed and
 * noise draw; every controller is then scored on seeds 1..5.
 * Controllers: heatpad with its defaults and no declared power; heatpad
 * with the plant's power declared (the heat-up that learns the pad, no
 * autotune); heatpad autotuned (gains and the model-aware heat-up); Home Assistant generic_thermostat's hysteresis
 * (0.3 C either side); and the oracle: full power until the true coast of
 * the sensor lands on the setpoint (time-optimal), then a bang-bang that
 * knows the pad's true state and switches where its true coast (off) and
 * true dip (on) land a swing either side of the setpoint, the swing chosen
 * so it switches as often as heatpad autotuned does: the best any on/off
 * controller can do at that switch rate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "plant.h"

/* Local time as the daemon reads it (daemon/systz.c). */
static bool bench_localtime(time_t t, struct tm *ret, void *ctx)
{
        (void)ctx;
        return localtime_r(&t, ret) != NULL;
}

#define SP_C 40.0
#define BAND_C 0.5
#define RUN_S (89 * 60)
#define SEEDS 5
#define TUNE_SEED 1000

enum ctl { C_DEFAULT, C_POWER, C_TUNED, C_LIFE, C_HYST, C_ORACLE,
           C_ORACLE_LIFE, C_ORACLE_POWER, C_N };
static const char *const ctl_name[C_N] = {
        "heatpad default", "heatpad declared power", "heatpad autotuned",
        "heatpad relay_life", "hysteresis 0.3", "oracle",
        "oracle (relay_life rate)", "oracle (declared power rate)",
};
static const char *const ctl_color[C_N] = {
        "#1f77b4", "#9467bd", "#d62728", "#2ca02c", "#ff7f0e", "#7f7f7f",
        "#bbbbbb", "#dddddd",
};
static bool ctl_heatpad(enum ctl c)
{
        return c == C_DEFAULT || c == C_POWER || c == C_TUNED || c == C_LIFE;
}

struct metrics {
        double band_s;          /* start to the first reading in the band */
        double over_s_c, over_p_c;      /* overshoot: sensor, pad node */
        double rms_s_c, rms_p_c;        /* from the band to the end */
        double sw_h, wh;
        double faults;
};

struct run {
        struct plant pl;
        int switches;
        bool heater;
        float trace_s[RUN_S + 1], trace_p[RUN_S + 1];
};

static struct config cfg_default, cfg_life, cfg_power;
static struct zone_tuning tuned;
static bool tuned_ok;
static int tune_s;
static char tune_text[400];

static void load(struct config *cfg, const char *extra)
{
        struct config_errors errs;
        char json[512];
        snprintf(json, sizeof(json), "{\"quiet_hours\":{\"enabled\":false},"
                 "\"zones\":[{\"name\":\"pad\",\"sensor\":{\"type\":\"sim\"},"
                 "\"relay\":{\"type\":\"sim\"}%s}]}", extra);
        if (config_parse(json, cfg, &errs) < 0) {
                fprintf(stderr, "bench: config: %s\n", errs.msg[0]);
                exit(1);
        }
}

/* Where the pad node dips to if the heater goes on now (the oracle's
 * switch-on rule: the heat needs the dead time to arrive). */
static double true_dip_pad(const struct plant *pl)
{
        struct plant c = *pl;
        double low = c.pad_c;
        c.stuck_on = true;
        c.p.noise_c = 0;
        c.p.get_up_s = c.p.lie_down_s = 0;
        for (int i = 0; i < 600; i++) {
                plant_second(&c, 1.0);
                if (c.pad_c < low)
                        low = c.pad_c;
                else if (c.pad_c > low + 0.05)
                        break;
        }
        return low;
}

/* The oracle's decision for the next second. */
static double oracle(struct plant *pl, bool *full, bool *on, double swing)
{
        if (*full) {
                if (plant_coast_peak(pl) < SP_C)
                        return 1.0;
                *full = false;
                *on = false;
        }
        if (*on && plant_coast_peak_pad(pl) >= SP_C + swing)
                *on = false;
        else if (!*on && true_dip_pad(pl) <= SP_C - swing)
                *on = true;
        return *on;
}

static void run_one(enum ctl c, const struct plant_params *pp, unsigned seed,
                    double swing, struct run *r, struct metrics *m)
{
        struct core core;
        struct core_reply rep;
        uint64_t t_ms = 1000;
        time_t wall = 1764000000;
        bool hyst_on = false, full = true, oon = false;
        double reading;

        memset(m, 0, sizeof(*m));
        r->switches = 0;
        r->heater = false;
        plant_init(&r->pl, pp, seed);
        core_init(&core, c == C_LIFE ? &cfg_life : c == C_POWER ? &cfg_power :
                  &cfg_default, NULL, NULL, t_ms, wall);
        core_set_localtime(&core, bench_localtime, NULL);
        if ((c == C_TUNED || c == C_LIFE) && tuned_ok)
                core_set_tuning(&core, 0, &tuned);
        reading = plant_second(&r->pl, 0);
        core_post_reading(&core, 0, 0, reading);
        core_tick(&core, t_ms, wall);
        core_start(&core, 0, 90, SP_C, SRC_CLI, t_ms, wall, &rep);

        double band_at = -1, sq_s = 0, sq_p = 0;
        int over_p_at = 0;
        const char *tr = getenv("BENCH_TRACE");
        bool trace_all = tr && !strcmp(tr, "2");
        int n = 0, faults = 0;
        for (int sec = 1; sec <= RUN_S; sec++) {
                double on_s;
                switch (c) {
                case C_HYST:
                        if (reading <= SP_C - 0.3)
                                hyst_on = true;
                        else if (reading >= SP_C + 0.3)
                                hyst_on = false;
                        on_s = hyst_on;
                        break;
                case C_ORACLE:
                case C_ORACLE_LIFE:
                case C_ORACLE_POWER:
                        on_s = oracle(&r->pl, &full, &oon, swing);
                        break;
                default:
                        on_s = core.zones[0].relay_on;
                        break;
                }
                bool heater = on_s > 0.5;
                if (band_at >= 0 && heater != r->heater)
                        r->switches++;
                r->heater = heater;
                reading = plant_second(&r->pl, on_s);
                t_ms += 1000;
                wall += 1;
                core_post_reading(&core, 0, 0, reading);
                core_tick(&core, t_ms, wall);
                if (ctl_heatpad(c) &&
                    core.zones[0].safety.fault != FAULT_NONE) {
                        faults++;
                        fprintf(stderr, "bench: %s, %s, seed %u: fault %s at "
                                "%d s\n", pp->name, ctl_name[c], seed,
                                safety_fault_name(core.zones[0].safety.fault),
                                sec);
                        break;
                }
                double ys = r->pl.sensor_c, yp = r->pl.pad_c;
                if (trace_all && c == C_TUNED && seed == 1)
                        fprintf(stderr, "sec %d pad %.3f sensor %.3f reading "
                                "%.3f relay %d duty %.3f integ %.3f hu %d plan %.1f "
                                "start %.0f carry %.1f\n",
                                sec, yp, ys, reading, heater,
                                core.zones[0].duty, core.zones[0].pid.integ,
                                (int)core.zones[0].heatup.phase,
                                core.zones[0].window.plan_ms / 1000,
                                (double)core.zones[0].window.start_ms / 1000,
                                core.zones[0].window.carry_ms / 1000);
                r->trace_s[sec] = (float)ys;
                r->trace_p[sec] = (float)yp;
                if (band_at < 0 && fabs(ys - SP_C) <= BAND_C)
                        band_at = sec;
                if (ys - SP_C > m->over_s_c)
                        m->over_s_c = ys - SP_C;
                if (yp - SP_C > m->over_p_c) {
                        m->over_p_c = yp - SP_C;
                        over_p_at = sec;
                }
                if (band_at >= 0) {
                        sq_s += (ys - SP_C) * (ys - SP_C);
                        sq_p += (yp - SP_C) * (yp - SP_C);
                        n++;
                }
        }
        if (getenv("BENCH_TRACE") && c == C_POWER) {
                const struct core_zone *z = &core.zones[0];
                fprintf(stderr, "trace: %s, seed %u: learned %s: gain %.1f "
                        "tau %.0f dead %.1f rest %.1f, preset %.3f, window "
                        "%.0f s, kp %.3f ki %.5f kd %.2f\n", pp->name, seed,
                        z->learned.valid ? "yes" : "no",
                        z->heatup.m.gain_c, z->heatup.m.tau_s,
                        z->heatup.m.dead_s, z->heatup.m.rest_c,
                        heatup_start_duty(&z->heatup),
                        (double)z->window.p.window_ms / 1000, z->pid.p.kp,
                        z->pid.p.ki, z->pid.p.kd);
        }
        m->band_s = band_at < 0 ? NAN : band_at;
        m->rms_s_c = n ? sqrt(sq_s / n) : NAN;
        m->rms_p_c = n ? sqrt(sq_p / n) : NAN;
        m->sw_h = n > 600 ? r->switches * 3600.0 / n : NAN;
        m->wh = r->pl.on_s * pp->power_w / 3600.0;
        m->faults = faults;
        /* BENCH_TRACE=1: where each run's pad peak fell (to see whether it
         * is the hand-over or the steady state). */
        if (getenv("BENCH_TRACE") && ctl_heatpad(c))
                fprintf(stderr, "trace: %s, %s, seed %u: pad peak %.2f C at "
                        "%d s (band at %.0f s)\n", pp->name, ctl_name[c], seed,
                        m->over_p_c, over_p_at, band_at);
}

/* The autotune, through the core, on the plant's own seed. */
static void autotune(const struct plant_params *pp)
{
        struct core core;
        struct core_reply rep;
        static struct plant pl;
        uint64_t t_ms = 1000;
        time_t wall = 1764000000;

        plant_init(&pl, pp, TUNE_SEED);
        core_init(&core, &cfg_default, NULL, NULL, t_ms, wall);
        core_set_localtime(&core, bench_localtime, NULL);
        core_post_reading(&core, 0, 0, plant_second(&pl, 0));
        core_tick(&core, t_ms, wall);
        core_autotune_start(&core, 0, SRC_CLI, t_ms, wall, &rep);
        tune_s = 0;
        while (core.zones[0].autotuning && tune_s < 120 * 60) {
                double c = plant_second(&pl, core.zones[0].relay_on);
                t_ms += 1000;
                wall += 1;
                tune_s++;
                core_post_reading(&core, 0, 0, c);
                core_tick(&core, t_ms, wall);
        }
        core_describe_tuning(&core, 0, tune_text, sizeof(tune_text));
        tuned = core.zones[0].tuning;
        tuned_ok = tuned.valid;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        if (isnan(x) || isnan(y))
                return isnan(x) - isnan(y);
        return (x > y) - (x < y);
}

static double median(double *v, int n)
{
        qsort(v, (size_t)n, sizeof(double), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void medians(enum ctl c, const struct plant_params *pp, double swing,
                    struct run *first, struct run *scratch, struct metrics *ret)
{
        double v[8][SEEDS];
        for (unsigned seed = 1; seed <= SEEDS; seed++) {
                struct metrics m;
                run_one(c, pp, seed, swing, seed == 1 ? first : scratch, &m);
                double *f = &m.band_s;
                for (int k = 0; k < 8; k++)
                        v[k][seed - 1] = f[k];
        }
        double *out = &ret->band_s;
        for (int k = 0; k < 8; k++)
                out[k] = median(v[k], SEEDS);
        /* Faults: the total, not the median. */
        ret->faults = 0;
        for (int s = 0; s < SEEDS; s++)
                ret->faults += v[7][s];
}

/* The oracle's swing that switches as often as target_sw per hour, by
 * bisection on seed 1. */
static double match_swing(const struct plant_params *pp, double target_sw,
                          struct run *scratch)
{
        double lo = 0.005, hi = 2.0;
        if (!(target_sw > 0))
                return 0.3;
        for (int i = 0; i < 9; i++) {
                double mid = sqrt(lo * hi);
                struct metrics m;
                run_one(C_ORACLE, pp, 1, mid, scratch, &m);
                if (isnan(m.sw_h))
                        m.sw_h = 0;
                if (m.sw_h > target_sw)
                        lo = mid;
                else
                        hi = mid;
        }
        return sqrt(lo * hi);
}

static void file_name(const char *name, char *buf, size_t len)
{
        size_t j = 0;
        for (size_t i = 0; name[i] && j + 1 < len; i++) {
                char ch = name[i];
                if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
                        buf[j++] = ch;
                else if (ch >= 'A' && ch <= 'Z')
                        buf[j++] = (char)(ch - 'A' + 'a');
                else if (ch == '.')
                        buf[j++] = '_';
                else if (j && buf[j - 1] != '_')
                        buf[j++] = '_';
        }
        while (j && buf[j - 1] == '_')
                j--;
        buf[j] = 0;
}

static void write_svg(const char *dir, const struct plant_params *pp,
                      struct run runs[C_N])
{
        char path[512], base[64];
        const double W = 900, H = 420, L = 60, R = 200, T = 30, B = 40;
        double lo = SP_C - 4, hi = SP_C + 2;

        file_name(pp->name, base, sizeof(base));
        snprintf(path, sizeof(path), "%s/plant_%s.svg", dir, base);
        FILE *f = fopen(path, "w");
        if (!f) {
                perror(path);
                return;
        }
#define X(sec) (L + (W - L - R) * (double)(sec) / RUN_S)
#define Y(c) (T + (H - T - B) * (hi - (c)) / (hi - lo))
        fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" "
                "height=\"%g\" font-family=\"sans-serif\" font-size=\"12\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                "<text x=\"%g\" y=\"18\" font-size=\"14\">%s: sensor node "
                "(solid) and pad node (dotted, heatpad autotuned), C vs min, "
                "seed 1</text>\n", W, H, L, pp->name);
        for (double c = ceil(lo); c <= hi; c += 1)
                fprintf(f, "<line x1=\"%g\" x2=\"%g\" y1=\"%.1f\" y2=\"%.1f\" "
                        "stroke=\"#ddd\"/><text x=\"%g\" y=\"%.1f\" "
                        "text-anchor=\"end\">%g</text>\n", L, W - R, Y(c), Y(c),
                        L - 6, Y(c) + 4, c);
        for (int mnt = 0; mnt * 60 <= RUN_S; mnt += 10)
                fprintf(f, "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">"
                        "%d</text>\n", X(mnt * 60), H - B + 16, mnt);
        fprintf(f, "<rect x=\"%g\" y=\"%.1f\" width=\"%g\" height=\"%.1f\" "
                "fill=\"#2ca02c\" opacity=\"0.08\"/>\n", L, Y(SP_C + BAND_C),
                W - L - R, Y(SP_C - BAND_C) - Y(SP_C + BAND_C));
        for (int c = 0, row = 0; c <= C_N; c++, row++) {
                bool pad = c == C_N;
                /* The bound at the other switch rates only crowds it. */
                if (c == C_ORACLE_LIFE || c == C_ORACLE_POWER) {
                        row--;
                        continue;
                }
                const struct run *r = &runs[pad ? C_TUNED : c];
                fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
                        "stroke-width=\"1.2\"%s points=\"",
                        ctl_color[pad ? C_TUNED : c],
                        pad ? " stroke-dasharray=\"2,2\"" : "");
                /* About a point per pixel: a chart kept beside the
                 * README stays small. */
                for (int sec = 1; sec <= RUN_S; sec += 8) {
                        double y = pad ? r->trace_p[sec] : r->trace_s[sec];
                        y = y < lo ? lo : y > hi ? hi : y;
                        fprintf(f, "%.0f,%.1f ", X(sec), Y(y));
                }
                fprintf(f, "\"/>\n<line x1=\"%g\" x2=\"%g\" y1=\"%d\" y2=\"%d\" "
                        "stroke=\"%s\" stroke-width=\"3\"%s/><text x=\"%g\" "
                        "y=\"%d\">%s%s</text>\n", W - R + 10, W - R + 30,
                        (int)T + 10 + 18 * row, (int)T + 10 + 18 * row,
                        ctl_color[pad ? C_TUNED : c],
                        pad ? " stroke-dasharray=\"2,2\"" : "", W - R + 36,
                        (int)T + 14 + 18 * row, ctl_name[pad ? C_TUNED : c],
                        pad ? " (pad)" : "");
        }
        fprintf(f, "</svg>\n");
#undef X
#undef Y
        fclose(f);
}

int main(int argc, char **argv)
{
        const char *dir = argc > 1 ? argv[1] : "build/bench";
        /* A second argument runs only the plants whose name contains it
         * (to look at one quickly; the full table is the benchmark). */
        const char *only = argc > 2 ? argv[2] : NULL;
        const struct plant_params *mx;
        int np = plant_matrix(&mx);
        static struct run runs[C_N], scratch;
        static struct metrics med[32][C_N];
        static double swing[32];
        static bool at_ok[32];

        /* A simulated zone declares its pad's power unless told not to;
         * the default and autotuned rows declare none. */
        load(&cfg_default, ",\"power_w\":0");
        load(&cfg_life, ",\"power_w\":0,\"pid\":{\"window_mode\":"
             "\"relay_life\"}");
        printf("window %.0f s, min on/off %.0f/%.0f s; setpoint %.0f C; "
               "medians of %d seeds; autotune on seed %d, scored on 1..%d\n\n",
               cfg_default.zones[0].window.window_ms / 1000.0,
               cfg_default.zones[0].window.min_on_ms / 1000.0,
               cfg_default.zones[0].window.min_off_ms / 1000.0, SP_C, SEEDS,
               TUNE_SEED, SEEDS);
        for (int p = 0; p < np; p++) {
                if (only && !strstr(mx[p].name, only))
                        continue;
                char power[64];
                snprintf(power, sizeof(power), ",\"power_w\":%g",
                         mx[p].power_w);
                load(&cfg_power, power);
                autotune(&mx[p]);
                at_ok[p] = tuned_ok;
                printf("autotune %s (%d s): %s\n", mx[p].name, tune_s,
                       tune_text);
                for (int c = 0; c < C_N; c++) {
                        if (c >= C_ORACLE)
                                swing[p] = match_swing(&mx[p],
                                                       med[p][c == C_ORACLE ?
                                                       C_TUNED : c ==
                                                       C_ORACLE_LIFE ? C_LIFE :
                                                       C_POWER].sw_h,
                                                       &scratch);
                        medians(c, &mx[p], swing[p], &runs[c], &scratch,
                                &med[p][c]);
                }
                write_svg(dir, &mx[p], runs);
                fflush(stdout);
        }

        printf("\n| plant | controller | to band (s) | x oracle | overshoot "
               "sensor/pad (C) | RMS sensor/pad (C) | switches/h | energy "
               "(Wh) | faults | autotune |\n"
               "|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (int p = 0; p < np; p++)
                for (int c = 0; c < C_N && (!only ||
                                strstr(mx[p].name, only)); c++) {
                        const struct metrics *m = &med[p][c];
                        printf("| %s | %s | %.0f | %.2f | %.2f / %.2f | "
                               "%.3f / %.3f | %.0f | %.1f | %.0f | %s |\n",
                               mx[p].name, ctl_name[c], m->band_s,
                               m->band_s / med[p][C_ORACLE].band_s,
                               m->over_s_c, m->over_p_c, m->rms_s_c,
                               m->rms_p_c, m->sw_h, m->wh, m->faults,
                               c == C_TUNED ? (at_ok[p] ? "ok" : "FAILED") :
                               "");
                }

        for (int k = 0; k < 3; k++) {
                enum ctl hc = k == 2 ? C_POWER : k ? C_LIFE : C_TUNED;
                enum ctl oc = k == 2 ? C_ORACLE_POWER : k == 1 ?
                              C_ORACLE_LIFE : C_ORACLE;
                printf("\n%s against the goals (pad node; the bound is the "
                       "oracle's on/off at %s):\n"
                       "| plant | x oracle | overshoot pad (C) | RMS pad (C) | "
                       "switches/h | RMS x sw/h | bound's | ratio | vs "
                       "hysteresis |\n|---|---:|---:|---:|---:|---:|---:|---:|"
                       "---|\n", ctl_name[hc], "the same switch rate");
                for (int p = 0; p < np; p++) {
                        if (only && !strstr(mx[p].name, only))
                                continue;
                        const struct metrics *m = &med[p][hc];
                        const struct metrics *o = &med[p][oc];
                        const struct metrics *h = &med[p][C_HYST];
                        double prod = m->rms_p_c * m->sw_h;
                        double bprod = o->rms_p_c * o->sw_h;
                        bool rms = m->rms_p_c <= h->rms_p_c;
                        bool sw = m->sw_h <= h->sw_h;
                        printf("| %s | %.2f | %.2f | %.3f | %.0f | %.1f | "
                               "%.1f | %.2f | %s |\n", mx[p].name,
                               m->band_s / med[p][C_ORACLE].band_s,
                               m->over_p_c, m->rms_p_c, m->sw_h, prod, bprod,
                               prod / bprod, rms && sw ? "better on both" :
                               rms ? "better RMS, more switches" :
                               sw ? "fewer switches, more RMS" :
                               "WORSE ON BOTH");
                }
        }
        printf("\ncharts: %s/plant_*.svg\n", dir);
        return 0;
}
