/* pid.h: a PID controller on plain numbers.
 *
 * Output is a duty in [out_min, out_max] (0..1 for a heater). The derivative
 * acts on the measurement, not the error, so a setpoint change gives no kick,
 * and it passes through a first-order low-pass filter so sensor quantisation
 * (0.0625 degC on a DS18B20) does not reach the relay. The integral grows only
 * while the output is not clamped (anti-windup) and only inside a band around
 * the setpoint, so a cold start does not wind up and overshoot.
 * No clock, no I/O: the caller supplies dt. */
#ifndef HEATPAD_PID_H
#define HEATPAD_PID_H

#include <stdbool.h>

struct pid_params {
        double kp;              /* duty per degC of error */
        double ki;              /* duty per degC*s */
        double kd;              /* duty per degC/s */
        double d_filter_s;      /* time constant of the derivative's low-pass */
        double i_band_c;        /* integrate only while |error| < this */
        double out_min, out_max;
};

struct pid {
        struct pid_params p;
        double integ;           /* the integral term, already in duty units */
        double d_filt;          /* filtered derivative of the measurement */
        double prev_meas;
        bool primed;            /* prev_meas holds a real measurement */
};

/* Sets the parameters and resets the state. */
void pid_init(struct pid *pid, const struct pid_params *p);

/* Forgets history for a bumpless start: the first update after this gives no
 * derivative kick and starts the integral from `integ` (duty units). */
void pid_reset(struct pid *pid, double integ);

/* One step: returns the duty for the next dt. dt_s <= 0 is treated as no time
 * passing (the integral and derivative do not move). */
double pid_update(struct pid *pid, double setpoint, double meas, double dt_s);

#endif
