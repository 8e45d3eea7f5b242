/* ramp_fit.c: see ramp_fit.h. */
#include <math.h>
#include <string.h>

#include "core/ramp_fit.h"

void ramp_fit_begin(struct ramp_fit *f, double temp_c, uint64_t now_ms)
{
        memset(f, 0, sizeof(*f));
        f->on_ms = now_ms;
        f->last_ms = now_ms;
        f->base_sum = temp_c;
        f->base_n = 1;
        f->y0_c = temp_c;
}

void ramp_fit_add(struct ramp_fit *f, double temp_c, uint64_t now_ms)
{
        if (now_ms < f->last_ms + 1000)
                return;
        f->last_ms = now_ms;
        if (now_ms - f->on_ms <= RAMP_BASE_S * 1000ULL) {
                f->base_sum += temp_c;
                f->base_n++;
                f->y0_c = f->base_sum / f->base_n;
                return;
        }
        if (!f->rising) {
                if (temp_c < f->y0_c + RAMP_ONSET_C)
                        return;
                f->rising = true;
                f->onset_ms = now_ms;
        }
        if (!f->onset2_ms && temp_c >= f->y0_c + 2 * RAMP_ONSET_C)
                f->onset2_ms = now_ms;
        double t = (double)(now_ms - f->onset_ms) / 1e6, tk = 1;
        for (int k = 0; k < 5; k++, tk *= t) {
                f->st[k] += tk;
                if (k < 3)
                        f->sy[k] += temp_c * tk;
        }
}

/* y = c0 + c1 t + c2 t^2 by least squares (Cramer's rule on the normal
 * equations; t is in ks, so the sums stay well scaled). */
static bool fit_quadratic(const struct ramp_fit *f, double c[3])
{
        const double *s = f->st;
        double a[3][3] = {
                { s[0], s[1], s[2] },
                { s[1], s[2], s[3] },
                { s[2], s[3], s[4] },
        };
        double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                     a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                     a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
        if (!(fabs(det) > 1e-30))
                return false;
        for (int j = 0; j < 3; j++) {
                double m[3][3];
                memcpy(m, a, sizeof(m));
                for (int i = 0; i < 3; i++)
                        m[i][j] = f->sy[i];
                c[j] = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                        m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                        m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])) /
                       det;
        }
        return true;
}

bool ramp_fit_model(const struct ramp_fit *f, uint64_t now_ms,
                    struct autotune_model *m, double *now_c)
{
        double c[3];

        if (!f->rising || f->st[0] < RAMP_MIN_S || now_ms < f->onset_ms ||
            !fit_quadratic(f, c))
                return false;
        double t = (double)(now_ms - f->onset_ms) / 1e6;
        double y = c[0] + c[1] * t + c[2] * t * t;
        double slope = (c[1] + 2 * c[2] * t) / 1000.0;  /* degC/s */
        double start_slope = c[1] / 1000.0;
        if (!(slope > 0) || !(start_slope > 0) ||
            y - c[0] < RAMP_MIN_RISE_C)
                return false;
        /* y'' = -y' / tau: the slope falls off with the time constant.
         * A quadratic fits an exponential best around the middle of its
         * data, so the ratio is taken there, and the end point S from
         * there too. */
        double tm = f->st[1] / f->st[0];
        double mid_slope = (c[1] + 2 * c[2] * tm) / 1000.0;
        double tau = c[2] < 0 && mid_slope > 0 ?
                     mid_slope / (-2 * c[2] / 1e6) : RAMP_TAU_MAX_S;
        tau = fmin(fmax(tau, RAMP_TAU_MIN_S), RAMP_TAU_MAX_S);
        double end = c[0] + c[1] * tm + c[2] * tm * tm + tau * mid_slope;
        /* Back to the baseline along the line through the first two
         * crossings: the dead time. (The quadratic cannot follow the
         * sensor's curved start, and its slope there is too low.) */
        if (!f->onset2_ms)
                return false;
        double t1 = (double)(f->onset_ms - f->on_ms) / 1000.0;
        double t2 = (double)(f->onset2_ms - f->on_ms) / 1000.0;
        double dead = 2 * t1 - t2;
        m->dead_s = fmin(fmax(dead, 1.0), 300.0);
        m->tau_s = tau;
        m->rest_c = f->y0_c;
        m->gain_c = end - f->y0_c;
        *now_c = y;
        return m->gain_c > 0;
}
