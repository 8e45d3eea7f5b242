/* pid.c: see pid.h. */
#include "core/pid.h"

static double clamp(double v, double lo, double hi)
{
        return v < lo ? lo : v > hi ? hi : v;
}

void pid_init(struct pid *pid, const struct pid_params *p)
{
        pid->p = *p;
        pid_reset(pid, 0.0);
}

void pid_reset(struct pid *pid, double integ)
{
        pid->integ = clamp(integ, pid->p.out_min, pid->p.out_max);
        pid->d_filt = 0.0;
        pid->prev_meas = 0.0;
        pid->primed = false;
}

double pid_update(struct pid *pid, double setpoint, double meas, double dt_s)
{
        const struct pid_params *p = &pid->p;
        double err = setpoint - meas;

        if (!pid->primed) {
                pid->prev_meas = meas;
                pid->primed = true;
        }
        if (dt_s > 0) {
                double slope = (meas - pid->prev_meas) / dt_s;
                double a = dt_s / (p->d_filter_s + dt_s);
                pid->d_filt += a * (slope - pid->d_filt);
        }
        pid->prev_meas = meas;

        double pd = p->kp * err - p->kd * pid->d_filt;
        double out = pd + pid->integ;

        /* Anti-windup in the Klipper manner: keep the new integral only when
         * the output it gives is not clamped, and only near the setpoint. */
        if (dt_s > 0 && err > -p->i_band_c && err < p->i_band_c) {
                double integ = pid->integ + p->ki * err * dt_s;
                double trial = pd + integ;
                if (trial > p->out_min && trial < p->out_max)
                        pid->integ = integ;
                else if ((trial >= p->out_max && err < 0) ||
                         (trial <= p->out_min && err > 0))
                        pid->integ = integ;     /* moving away from the clamp */
                out = pd + pid->integ;
        }
        return clamp(out, p->out_min, p->out_max);
}
