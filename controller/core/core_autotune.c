/* core_autotune.c: autotune orchestration in the core: starting a run,
 * finishing it into a zone's tuning, the gains and window a tuning gives.
 * See core.h and autotune.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/core_priv.h"

/* An autotuned derivative is filtered over this many windows: the window
 * delays heat by about half its length anyway, and a noisy sensor's slope
 * through a short filter would set each window's on-time at random. */
#define D_FILTER_WINDOWS 0.5

/* The model a zone runs on: its autotune's, else what this session's
 * heat-up learned, else none. */
static const struct zone_tuning *core_zone_model(const struct core_zone *z)
{
        return z->tuning.valid ? &z->tuning :
               z->learned.valid ? &z->learned : NULL;
}

/* Gains from a tuning replace the zone's, unless the config gave its own;
 * they are chosen for the window the zone runs (a chosen window may differ
 * from the one the autotune ran with). */
void core_apply_tuning(struct core *core, int i)
{
        struct core_zone *z = &core->zones[i];
        struct pid_params p = z->cfg->pid;

        const struct zone_tuning *t = core_zone_model(z);

        if (t && !z->cfg->pid_gains_set) {
                struct zone_tuning g = *t;
                double window_s = (double)z->window.p.window_ms / 1000.0;
                if (z->window.p.window_ms != z->cfg->window.window_ms ||
                    t == &z->learned)
                        autotune_choose_gains(&g.model, window_s, &g);
                p.kp = g.kp;
                p.ki = g.ki;
                p.kd = g.kd;
                p.d_filter_s = fmax(p.d_filter_s, D_FILTER_WINDOWS * window_s);
        }
        double integ = z->pid.integ;
        pid_init(&z->pid, &p);
        z->pid.integ = integ;
        /* The safety checks expect the rise this pad's model predicts, or
         * without one what its declared power guarantees. */
        safety_set_power(&z->safety, z->cfg->power_w);
        if (z->tuning.valid)
                safety_set_plant(&z->safety, z->tuning.model.gain_c,
                                 z->tuning.model.tau_s, z->tuning.model.dead_s,
                                 z->tuning.model.rest_c);
}

/* With a model and no window_s in the config, the window comes from the
 * pad for the zone's window_mode and the setpoint (which sets the holding
 * duty), and the gains follow it. */
void core_fit_window(struct core *core, int i, double setpoint_c)
{
        struct core_zone *z = &core->zones[i];
        const struct zone_cfg *c = z->cfg;
        struct window_params wp = c->window;

        const struct zone_tuning *t = core_zone_model(z);

        if (t && !c->window_set) {
                const struct autotune_model *m = &t->model;
                wp.window_ms = window_choose(c->window_mode,
                                             c->switches_per_hour,
                                             m->gain_c / m->tau_s,
                                             heatup_hold_duty(m, setpoint_c),
                                             c->window.min_on_ms,
                                             c->window.min_off_ms);
        }
        if (wp.window_ms != z->window.p.window_ms)
                window_init(&z->window, &wp);
        z->ripple_c = t ? window_ripple_c((double)wp.window_ms / 1000.0,
                                          t->model.gain_c / t->model.tau_s,
                                          heatup_hold_duty(&t->model,
                                                           setpoint_c)) : 0;
        core_apply_tuning(core, i);
}

void core_finish_autotune(struct core *core, int i)
{
        struct core_zone *z = &core->zones[i];
        bool done = z->autotune.phase == AT_DONE;

        z->autotuning = false;
        if (done) {
                z->tuning = z->autotune.result;
                core_fit_window(core, i, z->cfg->default_setpoint_c);
                core->state_dirty = true;
        }
        core_end_session(core, i, SRC_CORE, done ? "autotune_done" :
                    "autotune_failed");
        core_emit(core, EV_AUTOTUNE, i, SRC_CORE, done ? "done" : "failed");
}

void core_set_tuning(struct core *core, int zone, const struct zone_tuning *t)
{
        if (zone < 0 || zone >= core->nzones || !t->valid)
                return;
        struct core_zone *z = &core->zones[zone];
        z->tuning = *t;
        core_fit_window(core, zone, z->session.active ? z->session.setpoint_c :
                   z->cfg->default_setpoint_c);
}

void core_autotune_start(struct core *core, int zone, enum core_source src,
                         uint64_t now_ms, time_t wall, struct core_reply *ret)
{
        core->now_ms = now_ms;
        if (!core_zone_ok(core, zone, ret))
                return;
        struct core_zone *z = &core->zones[zone];
        const struct zone_cfg *c = z->cfg;
        struct autotune_params p;

        if (z->session.active) {
                core_reply(ret, CORE_REFUSED, "busy", "%s is heating; stop the "
                      "session before an autotune", c->name);
                return;
        }
        if (!core_may_heat(core, zone, wall, ret))
                return;
        core_saw_time(core, now_ms);
        if (!core_rested(core, zone, now_ms, wall, ret))
                return;
        if (!z->safety.have_temp) {
                core_reply(ret, CORE_REFUSED, "no_reading", "%s has no "
                      "temperature reading yet", c->name);
                return;
        }
        autotune_default_params(&p, c->max_setpoint_c,
                                (double)c->window.window_ms / 1000.0,
                                c->window.min_on_ms, c->window.min_off_ms);
        if (p.target_c < c->min_setpoint_c)
                p.target_c = c->min_setpoint_c;
        /* The experiment is a session: it cannot outlast the zone's cap. */
        int minutes = (int)((p.limit_ms + 59999) / 60000);
        if (minutes > c->max_minutes) {
                minutes = c->max_minutes;
                p.limit_ms = (uint64_t)minutes * 60000;
        }
        uint64_t left = session_start(&z->session, minutes, p.target_c,
                                      c->max_minutes, now_ms);
        if (left < p.limit_ms)
                p.limit_ms = left;
        safety_session_started(&z->safety, now_ms);
        pid_reset(&z->pid, 0.0);
        window_reset(&z->window);
        z->heatup.phase = HU_DONE;
        autotune_begin(&z->autotune, &p, z->safety.temp_c, now_ms);
        z->autotuning = true;
        core_reply(ret, CORE_OK, "ok", "%s: autotune started: relay around %.1f C, "
              "at most %d min", c->name, p.target_c, minutes);
        core_emit(core, EV_SESSION_START, zone, src, "autotune");
}

void core_describe_tuning(const struct core *core, int zone, char *buf,
                          size_t len)
{
        const struct core_zone *z;
        const struct zone_tuning *t;

        if (zone < 0 || zone >= core->nzones) {
                snprintf(buf, len, "no such zone");
                return;
        }
        z = &core->zones[zone];
        t = &z->tuning;
        if (z->autotune.phase == AT_FAILED && z->autotune.why) {
                bool fault = z->safety.fault != FAULT_NONE;
                snprintf(buf, len, "%s: autotune failed: %s%s%s", z->cfg->name,
                         z->autotune.why, fault ? " " : "",
                         fault ? safety_fault_name(z->safety.fault) : "");
                return;
        }
        if (!t->valid) {
                snprintf(buf, len, "%s: not autotuned", z->cfg->name);
                return;
        }
        int n = snprintf(buf, len, "%s: plant gain %.1f C per unit duty, "
                 "time constant %.0f s, dead time %.1f s, rests at %.1f C; "
                 "relay Ku %.3f/C, Tu %.0f s; gains kp %.3f ki %.5f kd %.2f%s",
                 z->cfg->name, t->model.gain_c, t->model.tau_s,
                 t->model.dead_s, t->model.rest_c, t->ku, t->tu_s, t->kp,
                 t->ki, t->kd, z->cfg->pid_gains_set ?
                 " (not used: the config sets its own gains)" : "");
        if (n > 0 && (size_t)n < len)
                n += snprintf(buf + n, len - (size_t)n, "; window %.0f s%s",
                              (double)z->window.p.window_ms / 1000.0,
                              z->cfg->window_set ? " (pid.window_s)" :
                              z->cfg->window_mode == WINDOW_RELAY_LIFE ?
                              " (relay_life)" : " (comfort)");
        if (t->model.coast_scale > 0 && n > 0 && (size_t)n < len)
                n += snprintf(buf + n, len - (size_t)n, "; coasts %.2f of "
                              "the model's rise", t->model.coast_scale);
        /* How far the model is to be trusted, kept with it. */
        if (t->has_check && n > 0 && (size_t)n < len)
                snprintf(buf + n, len - (size_t)n, "; model within %.2f C "
                         "RMS of the run's readings (confidence %.0f %%), "
                         "%d cycles, sensor noise %.3f C", t->check.rms_c,
                         100 * t->check.confidence, t->check.cycles,
                         t->check.noise_c);
}
