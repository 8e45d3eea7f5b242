/* autotune.c: see autotune.h. */
#include <math.h>
#include <string.h>

#include "core/autotune.h"

/* The fit integrates the model over windows of two blocks. */
#define BLOCK_S 30
/* One sample a second. */
#define SAMPLE_S 1.0
/* Relay output swings between 0 and 1: half of that either side. */
#define RELAY_D 0.5

void autotune_default_params(struct autotune_params *ret, double max_setpoint_c,
                             double window_s, uint64_t min_on_ms,
                             uint64_t min_off_ms)
{
        *ret = (struct autotune_params){
                /* 2 degC of margin under the highest setpoint: the relay
                 * overshoots its band by a few tenths at most. */
                .target_c = max_setpoint_c - 2.0,
                .hyst_c = 0.2,
                .below_c = 5.0,
                .min_cycles = 3,
                .cycles = 8,
                .limit_ms = 120 * 60000,
                .min_on_ms = min_on_ms,
                .min_off_ms = min_off_ms,
                .window_s = window_s,
        };
}

const char *autotune_phase_name(enum autotune_phase ph)
{
        switch (ph) {
        case AT_COOL: return "cooling";
        case AT_HEAT: return "heating";
        case AT_RELAY: return "relay";
        case AT_DONE: return "done";
        default: return "failed";
        }
}

void autotune_begin(struct autotune *a, const struct autotune_params *p,
                    double temp_c, uint64_t now_ms)
{
        memset(a, 0, sizeof(*a));
        a->p = *p;
        a->start_ms = now_ms;
        a->next_sample_ms = now_ms + 1000;
        a->switch_ms = now_ms;
        a->phase = temp_c > p->target_c - p->below_c ? AT_COOL : AT_HEAT;
        a->y_edge[0] = a->y_edge[1] = temp_c - p->target_c;
        a->hyst_c = p->hyst_c;
}

/* The sensor's noise from second differences of the readings (a smooth
 * rise has almost none): for white noise their mean square is 6 sigma^2. */
static void add_noise(struct autotune *a, double y)
{
        if (a->nsamples >= 2) {
                double d2 = y - 2.0 * a->nz_y[1] + a->nz_y[0];
                a->nz_sum += d2 * d2;
                a->nz_n++;
        }
        a->nz_y[0] = a->nz_y[1];
        a->nz_y[1] = y;
}

static double noise_c(const struct autotune *a)
{
        return a->nz_n ? sqrt(a->nz_sum / a->nz_n / 6.0) : 0;
}

static void add_history(struct autotune *a, bool u, double y)
{
        if (a->h_n >= AUTOTUNE_HIST_N)
                return;
        a->h_on[a->h_n] = (uint8_t)(a->h_on[a->h_n] + u);
        a->h_sum += y;
        if (++a->h_k < AUTOTUNE_HIST_S)
                return;
        a->h_y[a->h_n] = (float)(a->h_sum / AUTOTUNE_HIST_S);
        a->h_n++;
        a->h_k = 0;
        a->h_sum = 0;
}

/* Runs the model open-loop over the relay history from the first reading
 * and returns the RMS of its difference from the readings. */
static double check_model(const struct autotune *a,
                          const struct autotune_model *m)
{
        double y = a->h_y[0], sq = 0;
        int n = 0;
        double dead = m->dead_s;
        int total = a->h_n * AUTOTUNE_HIST_S;

        for (int t = 0; t < total; t++) {
                /* The heater at t - dead: on for the first h_on seconds
                 * of its history entry. */
                double td = t - dead;
                double u = 0;
                if (td >= 0) {
                        int k = (int)td / AUTOTUNE_HIST_S;
                        int off = (int)td % AUTOTUNE_HIST_S;
                        u = off < a->h_on[k];
                }
                y += (m->gain_c * u - (y - m->rest_c)) / m->tau_s;
                if ((t + 1) % AUTOTUNE_HIST_S == 0) {
                        double e = y - a->h_y[(t + 1) / AUTOTUNE_HIST_S - 1];
                        sq += e * e;
                        n++;
                }
        }
        return n ? sqrt(sq / n) : INFINITY;
}

/* One second of data: u is what the relay was during it, y the reading at
 * its end (relative to the target, which keeps the normal equations well
 * conditioned). */
static void add_sample(struct autotune *a, bool u, double y)
{
        const int n = AUTOTUNE_MAX_DEAD_S + 1;

        a->uhist[a->nsamples % n] = u;
        for (int d = 0; d < n; d++) {
                /* The relay was off before the experiment began. */
                bool ud = a->nsamples >= (uint32_t)d &&
                          a->uhist[(a->nsamples - (uint32_t)d) % n];
                a->blk_u[d] += ud;
        }
        a->nsamples++;
        a->blk_y += y;
        if (++a->blk_n < BLOCK_S)
                return;

        /* A block ended. With the one before it, it is one window:
         * y(end) - y(start) = a*int(u(t-L)) - b*int(y) + c*T. */
        if (a->nblocks >= 1) {
                double dy = y - a->y_edge[0];
                double iy = a->prev_y + a->blk_y;
                for (int d = 0; d < n; d++) {
                        double row[3] = { a->prev_u[d] + a->blk_u[d], -iy,
                                          2.0 * BLOCK_S };
                        for (int i = 0; i < 3; i++) {
                                a->atb[d][i] += row[i] * dy;
                                for (int j = 0; j < 3; j++)
                                        a->ata[d][i][j] += row[i] * row[j];
                        }
                }
                a->rr += dy * dy;
                a->nrows++;
        }
        a->y_edge[0] = a->y_edge[1];
        a->y_edge[1] = y;
        memcpy(a->prev_u, a->blk_u, sizeof(a->prev_u));
        a->prev_y = a->blk_y;
        memset(a->blk_u, 0, sizeof(a->blk_u));
        a->blk_y = 0;
        a->blk_n = 0;
        a->nblocks++;
}

/* Solves a 3x3 system by Gaussian elimination with partial pivoting.
 * Returns -1 when it is singular. */
static int solve3(const double m_in[3][3], const double b_in[3], double x[3])
{
        double m[3][4];

        for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++)
                        m[i][j] = m_in[i][j];
                m[i][3] = b_in[i];
        }
        for (int c = 0; c < 3; c++) {
                int p = c;
                for (int r = c + 1; r < 3; r++)
                        if (fabs(m[r][c]) > fabs(m[p][c]))
                                p = r;
                if (fabs(m[p][c]) < 1e-12)
                        return -1;
                for (int k = 0; k < 4; k++) {
                        double t = m[c][k];
                        m[c][k] = m[p][k];
                        m[p][k] = t;
                }
                for (int r = 0; r < 3; r++) {
                        if (r == c)
                                continue;
                        double f = m[r][c] / m[c][c];
                        for (int k = c; k < 4; k++)
                                m[r][k] -= f * m[c][k];
                }
        }
        for (int i = 0; i < 3; i++)
                x[i] = m[i][3] / m[i][i];
        return 0;
}

/* Fits the model for a delay of d seconds: 0 with x (a, b, c) and the
 * residual, -1 when it is singular or not a heater at all. */
static int fit_at(const struct autotune *a, int d, double x[3], double *res)
{
        double ax[3] = { 0 };

        if (solve3((const double (*)[3])a->ata[d], a->atb[d], x) < 0 ||
            !(x[0] > 0 && x[1] > 0))
                return -1;
        *res = a->rr;
        for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++)
                        ax[i] += a->ata[d][i][j] * x[j];
                *res += x[i] * ax[i] - 2.0 * x[i] * a->atb[d][i];
        }
        return 0;
}

/* The delay whose least-squares fit leaves the smallest residual, refined
 * between whole seconds by the parabola through its neighbours. */
static int fit_model(struct autotune *a, struct autotune_model *ret)
{
        double res[AUTOTUNE_MAX_DEAD_S + 1], x[3], best_x[3] = { 0 };
        bool ok[AUTOTUNE_MAX_DEAD_S + 1];
        int found = -1;

        for (int d = 0; d <= AUTOTUNE_MAX_DEAD_S; d++) {
                ok[d] = fit_at(a, d, x, &res[d]) == 0;
                if (ok[d] && (found < 0 || res[d] < res[found])) {
                        found = d;
                        memcpy(best_x, x, sizeof(x));
                }
        }
        if (found < 0)
                return -1;
        ret->gain_c = best_x[0] / best_x[1];
        ret->tau_s = 1.0 / best_x[1];
        ret->rest_c = a->p.target_c + best_x[2] / best_x[1];
        ret->dead_s = found;
        if (found > 0 && found < AUTOTUNE_MAX_DEAD_S && ok[found - 1] &&
            ok[found + 1]) {
                double l = res[found - 1], m = res[found], r = res[found + 1];
                double den = l - 2.0 * m + r;
                if (den > 0)
                        ret->dead_s += 0.5 * (l - r) / den;
        }
        /* A sample's u is the relay during the second before it, decided
         * at that second's start: count the delay from the decision, as a
         * controller sees it (one sample period more). */
        ret->dead_s += SAMPLE_S;
        /* A fit outside what any pad can be means the data were bad (a
         * sensor not on the pad, a pad that was moved): refuse it. */
        if (!(ret->gain_c >= 2 && ret->gain_c <= 300 && ret->tau_s >= 30 &&
              ret->tau_s <= 5 * 3600 && ret->rest_c > -20 &&
              ret->rest_c < a->p.target_c && found < AUTOTUNE_MAX_DEAD_S))
                return -1;
        return 0;
}

void autotune_choose_gains(const struct autotune_model *m, double window_s,
                           struct zone_tuning *ret)
{
        /* A window delays heat by about half its length on average. */
        double dead = m->dead_s + window_s / 2.0;
        /* SIMC's tighter choice: on the bench (README) it beats its robust
         * tau_c = dead on every scenario, the weak pad included. */
        double tau_c = 0.5 * dead;
        double kc = m->tau_s / (m->gain_c * (tau_c + dead));
        double ti = fmin(m->tau_s, 4.0 * (tau_c + dead));

        ret->kp = fmin(kc, 10.0);
        ret->ki = fmin(kc / ti, 1.0);
        /* The derivative looks ahead across the sensor's own lag. */
        ret->kd = fmin(kc * m->dead_s, 1000.0);
}

double autotune_coast_rise(const struct autotune_model *m, double temp_c)
{
        /* In y' = (K u(t-L) - (y - rest)) / tau, the heat switched on during
         * the last L seconds still arrives after the cut: for L more seconds
         * the reading goes on towards rest + K. */
        double rise = (m->rest_c + m->gain_c - temp_c) *
                      (1.0 - exp(-m->dead_s / m->tau_s));
        return rise > 0 ? rise : 0;
}

/* The first cut's coast against the model's: the reading at the cut from
 * a line through the four history blocks before it, the peak as the
 * highest block after it (means of AUTOTUNE_HIST_S readings, so noise
 * lifts it little). */
static double measure_coast(const struct autotune *a,
                            const struct autotune_model *m)
{
        int c = a->coast_from;
        if (c < 4 || a->coast_end <= c + 1 || a->coast_end > a->h_n)
                return 0;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = c - 4; i < c; i++) {
                double x = i * AUTOTUNE_HIST_S + (AUTOTUNE_HIST_S + 1) / 2.0;
                double y = a->h_y[i];
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
        }
        double slope = (4 * sxy - sx * sy) / (4 * sxx - sx * sx);
        double y_cut = (sy - slope * sx) / 4 + slope * a->coast_at;
        double peak = -INFINITY;
        for (int i = c + 1; i < a->coast_end; i++)
                peak = fmax(peak, a->h_y[i]);
        double model = autotune_coast_rise(m, y_cut);
        if (!(slope > 0) || model < 0.1)
                return 0;
        return fmin(fmax((peak - y_cut) / model, AUTOTUNE_COAST_MIN),
                    AUTOTUNE_COAST_MAX);
}

static void finish(struct autotune *a, time_t wall)
{
        struct zone_tuning *t = &a->result;

        a->on = false;
        a->check.noise_c = noise_c(a);
        a->check.cycles = a->measured;
        if (fit_model(a, &t->model) < 0) {
                a->phase = AT_FAILED;
                a->why = "the measurements fit no plausible pad model";
                return;
        }
        t->model.coast_scale = measure_coast(a, &t->model);
        a->check.rms_c = check_model(a, &t->model);
        a->check.confidence = fmax(0.0, 1.0 - a->check.rms_c /
                                   AUTOTUNE_MAX_RMS_C);
        if (!(a->check.rms_c <= AUTOTUNE_MAX_RMS_C)) {
                a->phase = AT_FAILED;
                a->why = "the model it found does not follow the pad's own "
                         "readings closely enough to be trusted (something "
                         "moved the pad or its sensor?); nothing was stored";
                return;
        }
        double amp = a->sum_amp_c / a->measured;
        double h = a->hyst_c;
        t->tu_s = a->sum_tu_s / a->measured;
        /* Describing function of a relay with hysteresis. */
        t->ku = 4.0 * RELAY_D / (M_PI * (amp > h ? sqrt(amp * amp - h * h) :
                                         amp));
        t->when = wall;
        t->valid = true;
        t->has_check = true;
        t->check = a->check;
        autotune_choose_gains(&t->model, a->p.window_s, t);
        a->phase = AT_DONE;
}

static void set_relay(struct autotune *a, bool on, uint64_t now_ms)
{
        if (on == a->on)
                return;
        if (on) {
                a->on_since_ms = now_ms;
        } else {
                a->cycle_on_ms += now_ms - a->on_since_ms;
        }
        a->on = on;
        a->switch_ms = now_ms;
}

/* A relay cycle runs from one switch-on to the next; the first is the
 * transient out of the heat-up and is not measured. */
static void cycle_boundary(struct autotune *a, double y, uint64_t now_ms)
{
        if (a->cycles_seen == 0)
                a->coast_end = a->h_n;
        if (a->cycles_seen >= 2) {
                double tu = (double)(now_ms - a->cycle_start_ms);
                a->sum_tu_s += tu / 1000.0;
                a->sum_amp_c += (a->cyc_max - a->cyc_min) / 2.0;
                a->sum_duty += (double)a->cycle_on_ms / tu;
                a->measured++;
                a->last_tu_s = tu / 1000.0;
                a->last_amp_c = (a->cyc_max - a->cyc_min) / 2.0;
        }
        a->cycles_seen++;
        a->cycle_start_ms = now_ms;
        a->cycle_on_ms = 0;
        a->cyc_max = a->cyc_min = y;
}

bool autotune_update(struct autotune *a, double temp_c, uint64_t now_ms,
                     time_t wall)
{
        const struct autotune_params *p = &a->p;

        if (a->phase == AT_DONE || a->phase == AT_FAILED)
                return false;
        while (now_ms >= a->next_sample_ms) {
                /* Noise is measured before the relay starts switching. */
                if (a->phase != AT_RELAY)
                        add_noise(a, temp_c);
                add_history(a, a->on, temp_c);
                add_sample(a, a->on, temp_c - p->target_c);
                a->next_sample_ms += 1000;
        }
        if (now_ms - a->start_ms >= p->limit_ms) {
                a->on = false;
                if (a->phase == AT_RELAY && a->measured >= 2) {
                        /* Enough to fit: the check decides. */
                        finish(a, wall);
                        return false;
                }
                a->why = a->phase == AT_RELAY ? "the session cap was reached "
                         "before two relay cycles were measured" :
                         "the session cap was reached before the pad got "
                         "warm (too weak a pad, or a cold room?)";
                a->phase = AT_FAILED;
                return false;
        }

        uint64_t held = now_ms - a->switch_ms;
        switch (a->phase) {
        case AT_COOL:
                if (temp_c <= p->target_c - p->below_c)
                        a->phase = AT_HEAT;
                break;
        case AT_HEAT:
                if (temp_c >= p->target_c - a->hyst_c) {
                        /* Wide enough that noise does not flip the relay:
                         * 2.5 sigma either side. */
                        a->hyst_c = fmax(p->hyst_c, 2.5 * noise_c(a));
                        set_relay(a, false, now_ms);
                        a->phase = AT_RELAY;
                        a->coast_from = a->h_n;
                        a->coast_at = (double)(now_ms - a->start_ms) / 1000.0;
                        a->cyc_max = a->cyc_min = temp_c;
                } else if (held >= p->min_off_ms) {
                        set_relay(a, true, now_ms);
                }
                break;
        case AT_RELAY:
                if (temp_c > a->cyc_max)
                        a->cyc_max = temp_c;
                if (temp_c < a->cyc_min)
                        a->cyc_min = temp_c;
                if (a->on && temp_c >= p->target_c + a->hyst_c &&
                    held >= p->min_on_ms) {
                        set_relay(a, false, now_ms);
                } else if (!a->on && temp_c <= p->target_c - a->hyst_c &&
                           held >= p->min_off_ms) {
                        double tu = a->last_tu_s, amp = a->last_amp_c;
                        set_relay(a, true, now_ms);
                        cycle_boundary(a, temp_c, now_ms);
                        /* Two cycles in a row alike: the oscillation has
                         * settled, more cycles add little. */
                        bool alike = a->measured >= 2 &&
                                     fabs(a->last_tu_s - tu) <= 0.15 * tu &&
                                     fabs(a->last_amp_c - amp) <= 0.25 * amp;
                        if (a->measured >= p->cycles ||
                            (a->measured >= p->min_cycles && alike)) {
                                set_relay(a, false, now_ms);
                                finish(a, wall);
                        }
                }
                break;
        default:
                break;
        }
        return a->on;
}
