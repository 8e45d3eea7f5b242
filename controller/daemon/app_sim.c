/* app_sim.c: virtual time. The control tick and the simulation's plan
 * (--sim-fault, --sim-clock-step) run as virtual-time timers; the control
 * socket (--sim-control) moves the clock. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "daemon/app.h"
#include "daemon/simctl.h"

/* A step of the simulated wall clock (--sim-clock-step, the control
 * socket's step): mono does not move. The schedule's span (last_wall) sees
 * the jump at the next tick, as it would a real one. */
static void sim_clock_step(void *ctx, long long seconds)
{
        struct app *app = ctx;

        vclock_step(&app->clock, seconds);
        sim_note_clock_step(app->relay_log_fd, &app->clock, seconds);
        log_msg(&app->log, app_wall(app), "info", "simulated clock step: "
                "%+lld s", seconds);
}

/* A plan vtimer's next period: virtual ms from now to its next item, due
 * `next` ms after start (INFINITY: none left, the timer stops). */
static double sim_plan_next(const struct app *app, uint64_t now, double next)
{
        if (next == INFINITY)
                return LOOP_TIMER_STOP;
        double d = (double)app->start_ms + next - (double)now;
        return d > 0 ? d : 0;
}

/* --sim-clock-step, a vtimer: each step at its virtual time. */
static double run_sim_steps(void *ctx)
{
        struct app *app = ctx;
        uint64_t now = app_now_ms(app);
        double next = INFINITY;

        for (int i = 0; i < app->opt.nsteps; i++) {
                double at = app->opt.steps[i].at_s * 1000;
                if (app->steps_done[i])
                        continue;
                if (now - app->start_ms < (uint64_t)at) {
                        next = fmin(next, at);
                        continue;
                }
                app->steps_done[i] = true;
                sim_clock_step(app, app->opt.steps[i].seconds);
        }
        return sim_plan_next(app, now, next);
}

/* --sim-fault, a vtimer: each fault at its virtual time. */
static double run_sim_faults(void *ctx)
{
        struct app *app = ctx;
        uint64_t now = app_now_ms(app);
        double next = INFINITY;

        for (int i = 0; i < app->opt.nfaults; i++) {
                struct sim_fault_plan *f = &app->faults[i];
                if (f->done)
                        continue;
                if (now - app->start_ms < f->at_ms) {
                        next = fmin(next, (double)f->at_ms);
                        continue;
                }
                f->done = true;
                struct sim *sim = sim_of_sensor(&app->sensors[f->zone]);
                if (sim) {
                        sim_inject(sim, f->fault);
                        log_msg(&app->log, app_wall(app), "info", "%s: simulated "
                                "fault injected", app->cfg.zones[f->zone].name);
                }
        }
        return sim_plan_next(app, now, next);
}

bool app_all_simulated(const struct config *cfg)
{
        for (int i = 0; i < cfg->nzones; i++)
                if (cfg->zones[i].sensor.type != SENSOR_SIM)
                        return false;
        return true;
}

static void commit_hook(void *ctx)
{
        app_commit_batch(ctx);
}

/* The control tick and the simulation's plan run in virtual time: at the
 * same instant the fault plan first, then clock steps, then the tick.
 * --sim-control: the socket, and a line a harness can wait for. */
int app_start_virtual_time(struct app *app)
{
        if ((app->opt.nfaults &&
             loop_add_vtimer(app->loop, 0, run_sim_faults, app) < 0) ||
            (app->opt.nsteps &&
             loop_add_vtimer(app->loop, 0, run_sim_steps, app) < 0) ||
            loop_add_vtimer(app->loop, 0, app_on_tick, app) < 0) {
                log_msg(&app->log, app_wall(app), "error", "loop: no room "
                        "for the control tick");
                return -ENOSPC;
        }
        if (!app->opt.sim_control)
                return 0;
        struct simctl_hooks hooks = { commit_hook, sim_clock_step, app };
        int rc = simctl_open(app->opt.sim_control, app->loop, &app->clock,
                             &hooks, &app->simctl);
        if (rc < 0) {
                log_msg(&app->log, app_wall(app), "error", "--sim-control %s: "
                        "%s", app->opt.sim_control, strerror(-rc));
                return rc;
        }
        log_sim_control(&app->log, app->opt.sim_control, app_now_ms(app),
                        app_wall(app));
        return 0;
}
