/* main.c: heatpadd, the daemon. Owns the one event loop and every module
 * instance (struct app); turns signals, sensor results and ticks into core
 * calls, and core decisions into relay writes, log lines and the state
 * file. The adapters (net/) reach it only through the port (net/port.h):
 * they submit commands, and after each batch of the loop (what one
 * loop_run_once dispatched) commit_batch writes the relays that changed,
 * drains the core's events to the log and MQTT, and saves the state file
 * once if it changed. See README.md for the command line. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon/alloff.h"
#include "daemon/buttons.h"
#include "config/config.h"
#include "core/core.h"
#include "hw/hw.h"
#include "hw/modbus_link.h"
#include "hw/sim.h"
#include "net/http.h"                   /* the status page */
#include "daemon/log.h"
#include "daemon/loop.h"
#include "net/mqtt.h"                       /* the MQTT adapter */
#include "net/port.h"
#include "daemon/notify.h"
#include "daemon/options.h"
#include "daemon/probe.h"
#include "daemon/reader.h"
#include "daemon/relay_worker.h"
#include "daemon/sandbox.h"
#include "daemon/simctl.h"
#include "daemon/state.h"
#include "daemon/state_writer.h"
#include "daemon/systz.h"
#include "daemon/tickstat.h"
#include "daemon/vclock.h"

#define TICK_MS 1000                    /* control period, virtual ms */

struct sim_fault_plan {
        int zone;
        enum sim_fault fault;
        uint64_t at_ms;                 /* virtual ms after start */
        bool done;
};


struct app {
        struct options opt;
        struct config cfg;
        struct vclock clock;
        struct loop *loop;
        struct log log;
        struct core core;
        struct sensor sensors[CONFIG_MAX_ZONES];
        struct relay relays[CONFIG_MAX_ZONES];
        bool relay_state[CONFIG_MAX_ZONES];     /* last written to the relay */
        struct reader readers[CONFIG_MAX_ZONES];
        /* hardware backends (hw/): second sensors, relay workers for
         * relays that may block, shared Modbus links, and whether each
         * zone's sensors were failing (to log a change once) */
        struct sensor sensors2[CONFIG_MAX_ZONES];
        struct reader readers2[CONFIG_MAX_ZONES];
        struct relay_worker workers[CONFIG_MAX_ZONES];
        struct mb_registry modbus;
        bool relay_unconfirmed[CONFIG_MAX_ZONES];
        int read_err[CONFIG_MAX_ZONES][2];
        int nopen;                              /* zones with hardware open */
        int pipe_r, pipe_w;
        int sig_fd;
        int relay_log_fd;
        uint64_t start_ms, last_status_ms;
        time_t last_wall;                       /* for the schedule's span */
        bool clock_trusted;
        struct sim_fault_plan faults[MAX_SIM_FAULTS];
        bool steps_done[MAX_SIM_STEPS];
        bool quit;
        bool save_failed;
        struct state_data stored;       /* the state file as last read/written */
        int exit_code;                  /* --autotune: 0 done, 1 failed */
        bool clear_pending[CONFIG_MAX_ZONES];   /* --clear-fault, waiting
                                                 * for a fresh reading */
        struct mqtt *mqtt;                      /* NULL when MQTT is off */
        struct http *http;                      /* the page, or NULL */
        struct notify notify;                   /* systemd: sd_notify */
        struct tickstat ticks;                  /* how late the ticks came */
        struct port port;                       /* what the adapters get */
        uint64_t events_dropped_said;           /* core events left out,
                                                 * as last logged */
        /* The crash handler's view: relays from crash_first up to nopen
         * are open (shutdown moves it past each one before freeing it). */
        volatile sig_atomic_t crash_first;
        struct simctl *simctl;                  /* --sim-control, or NULL */
        struct state_writer *writer;    /* writes the state file off the loop */
        uint64_t save_posted;           /* the newest snapshot given to it */
        struct buttons *buttons;                /* buttons and lights */
};

/* The crash handler's way to the relays: the one loop context, set once
 * the relays are open. */
static struct app *volatile crash_app;

/* The state file a run would use: --state-file, or the config's. */
static const char *state_file_origin(const char *state_path)
{
        return state_path ? "--state-file" : "state_file";
}

static int check_config(const char *path, const char *state_path)
{
        struct config cfg;
        struct config_errors errs;
        char why[512];

        int rc = config_load(path, &cfg, &errs);

        if (rc == 0) {
                if (cfg.nzones == 0) {
                        sandbox_not_configured(stderr, path);
                        return 2;
                }
                int src = config_check_state_file(state_path ? state_path :
                                                  cfg.state_file, why,
                                                  sizeof(why));
                /* A missing folder may be made later (systemd's
                 * StateDirectory= makes it as the service starts). */
                if (src == -ENOENT) {
                        fprintf(stderr, "warning: %s: %s; the daemon will "
                                "not start until it does\n",
                                state_file_origin(state_path), why);
                } else if (src < 0) {
                        fprintf(stderr, "%s: %s\n",
                                state_file_origin(state_path), why);
                        return 2;
                }
                /* What the unit's sandbox and user will meet. */
                if (sandbox_check(&cfg, path, stderr) > 0)
                        return 2;
                printf("configuration OK\n");
                return 0;
        }
        for (int i = 0; i < errs.n; i++)
                fprintf(stderr, "%s\n", errs.msg[i]);
        if (errs.truncated)
                fprintf(stderr, "(and more)\n");
        if (rc == -EACCES)
                fprintf(stderr, "(the service's config is root:heatpad 0640: "
                        "run `sudo heatpadd --check-config %s`)\n", path);
        return 2;
}

static uint64_t app_now_ms(const struct app *app)
{
        return vclock_mono_ms(&app->clock);
}

static time_t app_wall(const struct app *app)
{
        return vclock_wall(&app->clock);
}

static void on_core_event(struct app *app, const struct core *core,
                          const struct core_event *ev)
{
        log_event(&app->log, core, ev, app_now_ms(app), app_wall(app));
        /* --autotune: say what was learned (or why not), then exit. */
        if (ev->type == EV_AUTOTUNE && app->opt.autotune) {
                char text[400];
                core_describe_tuning(core, ev->zone, text, sizeof(text));
                log_msg(&app->log, app_wall(app), strcmp(ev->reason, "done") ?
                        "error" : "info", "%s", text);
                app->exit_code = strcmp(ev->reason, "done") ? 1 : 0;
                app->quit = true;
        }
        mqtt_on_event(app->mqtt, ev);           /* MQTT: publish the change */
}

/* The core's events, in order, to the log and MQTT: never from inside a
 * core command, always from the loop. */
static void drain_events(struct app *app)
{
        struct core_event ev;

        while (core_next_event(&app->core, &ev))
                on_core_event(app, &app->core, &ev);
        uint64_t dropped = app->core.events_dropped;
        if (dropped != app->events_dropped_said) {
                log_msg(&app->log, app_wall(app), "warning", "%llu core "
                        "event(s) left out of the log and MQTT for want of "
                        "room (%llu that end heat or report a fault among "
                        "them, ever)",
                        (unsigned long long)(dropped - app->events_dropped_said),
                        (unsigned long long)app->core.events_lost);
                app->events_dropped_said = dropped;
        }
}

/* A command from the command line, a signal or an adapter: the one core
 * entry point, at the daemon's clocks. */
static void submit(struct app *app, const struct core_cmd *cmd,
                   struct core_reply *ret)
{
        core_submit(&app->core, cmd, app_now_ms(app), app_wall(app), ret);
}

/* Makes every relay what the core decided. A relay that fails to switch
 * latches a fault, which decides it off, and off is written again. */
static void apply_relays(struct app *app)
{
        for (int i = 0; i < app->nopen; i++) {
                for (int attempt = 0; attempt < 2; attempt++) {
                        bool want = app->core.zones[i].relay_on;
                        if (want == app->relay_state[i] && attempt == 0)
                                break;
                        struct relay *r = &app->relays[i];
                        if (r->ops->blocking) {
                                /* Written by the zone's worker; a failure
                                 * comes back through on_readings. */
                                relay_worker_set(&app->workers[i], want);
                                app->relay_state[i] = want;
                                break;
                        }
                        int rc = r->ops->set(r->ctx, want);
                        if (rc == 0) {
                                app->relay_state[i] = want;
                                core_relay_ok(&app->core, i);
                                break;
                        }
                        log_msg(&app->log, app_wall(app), "error", "%s: relay: %s",
                                app->cfg.zones[i].name, strerror(-rc));
                        core_relay_failed(&app->core, i, app_now_ms(app));
                }
        }
}

static void save_state(struct app *app)
{
        struct state_data st = { .record = app->core.record,
                                 .schedule = app->core.schedule,
                                 .hold_left_s = core_hold_left_s(&app->core,
                                                        app_now_ms(app)) };
        for (int i = 0; i < app->core.nzones; i++) {
                const struct core_zone *z = &app->core.zones[i];
                if (z->safety.fault == FAULT_NONE)
                        continue;
                snprintf(st.faults[st.nfaults].zone_id, CONFIG_NAME_MAX, "%s",
                         z->cfg->id);
                st.faults[st.nfaults++].fault = z->safety.fault;
        }

        if (!app->core.state_dirty || app->stored.keep_file)
                return;
        /* Tunings of zones no longer configured are kept as they were. */
        st.ntunings = app->stored.ntunings;
        memcpy(st.tunings, app->stored.tunings, sizeof(st.tunings));
        for (int i = 0; i < app->core.nzones; i++)
                if (app->core.zones[i].tuning.valid)
                        state_put_tuning(&st, app->cfg.zones[i].id,
                                         &app->core.zones[i].tuning);
        /* So are the choices of zones no longer configured (a zone taken
         * out and put back keeps its energy). */
        st.nzones = app->stored.nzones;
        memcpy(st.zones, app->stored.zones, sizeof(st.zones));
        for (int i = 0; i < app->core.nzones; i++) {
                const struct core_zone *z = &app->core.zones[i];
                struct state_zone sz = { .target_c = z->target_c,
                                         .minutes = z->minutes,
                                         .energy_kwh = z->energy_wh / 1000 };
                snprintf(sz.zone_id, sizeof(sz.zone_id), "%s", z->cfg->id);
                if (state_put_zone(&st, &sz) < 0)
                        log_msg(&app->log, app_wall(app), "warning", "%s: "
                                "state file: no room for its choices",
                                z->cfg->name);
        }
        /* The session logs too (those of zones no longer configured as
         * they were). */
        st.nlogs = app->stored.nlogs;
        memcpy(st.logs, app->stored.logs, sizeof(st.logs));
        for (int i = 0; i < app->core.nzones; i++) {
                const struct session_log *l = &app->core.zones[i].log;
                struct state_log lg = { .n = session_log_count(l) };
                snprintf(lg.zone_id, sizeof(lg.zone_id), "%s",
                         app->cfg.zones[i].id);
                for (int j = 0; j < lg.n; j++)
                        lg.r[j] = *session_log_get(l, j);
                if (state_put_log(&st, &lg) < 0)
                        log_msg(&app->log, app_wall(app), "warning", "%s: "
                                "state file: no room for its sessions",
                                app->cfg.zones[i].name);
        }
        /* The writer's thread does the file; its result comes back to
         * on_state_written. */
        app->save_posted = state_writer_post(app->writer, &st);
        app->core.state_dirty = false;
        app->stored = st;
}

/* A write of the state file finished. */
static void on_state_written(void *ctx, int fd, uint32_t events)
{
        struct app *app = ctx;
        uint64_t seq;
        int rc;

        (void)fd;
        (void)events;
        if (!state_writer_take(app->writer, &seq, &rc))
                return;
        http_state_written(app->http, seq);     /* answers held for it */
        if (rc < 0) {
                /* Regulation and safety go on; the state is posted again
                 * on the next tick unless a newer snapshot is on its way.
                 * Say so once. */
                if (!app->save_failed)
                        log_msg(&app->log, app_wall(app), "error", "cannot write "
                                "state file %s: %s (will retry)",
                                app->opt.state_path, strerror(-rc));
                app->save_failed = true;
                if (seq == app->save_posted)
                        app->core.state_dirty = true;
                return;
        }
        if (app->save_failed)
                log_msg(&app->log, app_wall(app), "info", "state file written "
                        "again");
        app->save_failed = false;
}

/* Starts the state file's writer thread and watches its results. */
static int start_writer(struct app *app)
{
        int rc = state_writer_start(&app->writer, app->opt.state_path, NULL);

        if (rc == 0)
                rc = loop_add_fd(app->loop, state_writer_fd(app->writer),
                                 EPOLLIN, on_state_written, app);
        if (rc < 0)
                log_msg(&app->log, app_wall(app), "error", "cannot start the "
                        "state file's writer: %s", strerror(-rc));
        return rc;
}

/* At exit: the last snapshot posted is on disk (or said not to be)
 * before this returns. */
static void stop_writer(struct app *app)
{
        if (!app->writer)
                return;
        loop_del_fd(app->loop, state_writer_fd(app->writer));
        int rc = state_writer_stop(app->writer);
        app->writer = NULL;
        if (rc < 0)
                log_msg(&app->log, app_wall(app), "error", "cannot write "
                        "state file %s at exit: %s; the last changes are not "
                        "on disk", app->opt.state_path, strerror(-rc));
}

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

/* After each batch of the loop: the events so far (so the log reads in
 * order), the relays the batch changed, the events that made (a relay
 * that failed), one save of the state file if it changed, and then MQTT's
 * states and echoes and the page's answers (an answer or an echo says the
 * change is kept). */
static void commit_batch(struct app *app)
{
        uint64_t posted = app->save_posted;

        drain_events(app);
        apply_relays(app);
        drain_events(app);
        if (app->core.state_dirty)
                save_state(app);
        bool saving = app->save_posted != posted;
        /* libmosquitto may send an answer with the next packet it writes,
         * so MQTT cannot hold one back: the batch waits for the disk
         * instead, as the synchronous save did. */
        if (saving && app->mqtt)
                state_writer_wait(app->writer, app->save_posted);
        mqtt_after_batch(app->mqtt);
        /* The page's answers wait for their snapshot without holding the
         * loop. */
        http_after_batch(app->http, saving ? app->save_posted : 0);
        buttons_after_batch(app->buttons);
}

static int run_once(struct app *app, int max_wait_ms)
{
        int rc = loop_run_once(app->loop, max_wait_ms);
        commit_batch(app);
        return rc;
}

/* The port's calls (net/port.h). */
static void port_submit_cmd(void *ctx, const struct core_cmd *cmd,
                            struct core_reply *ret)
{
        struct app *app = ctx;

        submit(app, cmd, ret);
        /* A flood of commands in one batch must not fill the queue: past
         * half, drain it now (between commands, never inside one). */
        if (core_events_pending(&app->core) > CORE_EVENTS_MAX / 2)
                drain_events(app);
}

static uint64_t port_now(void *ctx)
{
        return app_now_ms(ctx);
}

static time_t port_wall_clock(void *ctx)
{
        return app_wall(ctx);
}

static uint64_t port_real(void *ctx)
{
        (void)ctx;
        return vclock_real_ms();
}

static int port_add_fd(void *ctx, int fd, uint32_t events, port_fd_fn fn,
                       void *fn_ctx)
{
        return loop_add_fd(((struct app *)ctx)->loop, fd, events, fn, fn_ctx);
}

static int port_mod_fd(void *ctx, int fd, uint32_t events)
{
        return loop_mod_fd(((struct app *)ctx)->loop, fd, events);
}

static void port_del_fd(void *ctx, int fd)
{
        loop_del_fd(((struct app *)ctx)->loop, fd);
}

static int port_add_timer(void *ctx, double first_ms, port_timer_fn fn,
                          void *fn_ctx)
{
        return loop_add_timer(((struct app *)ctx)->loop, first_ms, fn, fn_ctx);
}

static void port_del_timer(void *ctx, int id)
{
        loop_del_timer(((struct app *)ctx)->loop, id);
}

static void port_log_line(void *ctx, const char *level, const char *msg)
{
        struct app *app = ctx;
        log_msg(&app->log, app_wall(app), level, "%s", msg);
}

static void init_port(struct app *app)
{
        app->port = (struct port){
                .ctx = app,
                .core = &app->core,
                .cfg = &app->cfg,
                .submit = port_submit_cmd,
                .now_ms = port_now,
                .wall = port_wall_clock,
                .real_ms = port_real,
                .add_fd = port_add_fd,
                .mod_fd = port_mod_fd,
                .del_fd = port_del_fd,
                .add_timer = port_add_timer,
                .del_timer = port_del_timer,
                .log = port_log_line,
        };
}

/* --clear-fault: the clear needs a fresh reading to see the cause gone,
 * so it waits for the zone's first one after start-up. */
static void run_cli_clears(struct app *app, uint64_t now)
{
        for (int i = 0; i < app->nopen; i++) {
                if (!app->clear_pending[i] ||
                    app->core.zones[i].safety.last_valid_ms <= app->start_ms)
                        continue;
                struct core_reply rep = { 0 };
                struct core_cmd cmd = { .kind = CMD_CLEAR_FAULT,
                                        .src = SRC_CLI, .zone = i };
                app->clear_pending[i] = false;
                core_submit(&app->core, &cmd, now, app_wall(app), &rep);
                drain_events(app);
                log_msg(&app->log, app_wall(app), rep.status ? "warning" :
                        "info", "%s", rep.message);
        }
}

/* systemd: a ping while the tick comes on time, and the zones' status. */
static void notify_systemd(struct app *app, uint64_t now)
{
        char status[NOTIFY_STATUS_MAX];
        bool was_late = app->notify.late;

        if (!notify_enabled(&app->notify))
                return;
        notify_tick(&app->notify, vclock_real_ms(),
                    (uint64_t)vclock_real_span_ms(&app->clock, TICK_MS));
        if (app->notify.late && !was_late)
                log_msg(&app->log, app_wall(app), "warning", "control tick "
                        "late: no watchdog ping");
        notify_format_status(&app->core, now, status, sizeof(status));
        notify_status(&app->notify, status);
}

static double on_tick(void *ctx)
{
        struct app *app = ctx;
        uint64_t now = app_now_ms(app);
        time_t w = app_wall(app);

        tickstat_add(&app->ticks, loop_timer_late_ms(app->loop));
        bool trusted = vclock_wall_trusted(&app->clock);
        if (trusted != app->clock_trusted)
                log_msg(&app->log, w, "info", trusted ? "wall clock is "
                        "synchronised: schedules run" : "wall clock is not "
                        "synchronised: schedules wait");
        app->clock_trusted = trusted;
        core_set_wall_trusted(&app->core, trusted, now, w);
        core_run_schedule(&app->core, app->last_wall, w, trusted, now);
        app->last_wall = w;
        core_tick(&app->core, now, w);
        run_cli_clears(app, now);
        /* The relays follow, and the state file, after the batch
         * (commit_batch). */
        for (int i = 0; i < app->nopen; i++) {
                reader_request(&app->readers[i]);
                if (app->sensors2[i].ops)
                        reader_request(&app->readers2[i]);
        }
        http_tick(app->http, now, w);           /* the chart's history */

        uint64_t every = (uint64_t)(app->opt.status_every_s * 1000);
        if (every && now - app->last_status_ms >= every) {
                app->last_status_ms = now;
                for (int i = 0; i < app->nopen; i++)
                        log_status(&app->log, &app->core, i, now, w);
                log_loop(&app->log, &app->ticks, now, w);
                tickstat_reset(&app->ticks);
        }
        if (app->opt.run_for_s > 0 &&
            now - app->start_ms >= (uint64_t)(app->opt.run_for_s * 1000))
                app->quit = true;
        /* systemd: the watchdog is fed from here, so a hung loop stops it. */
        notify_systemd(app, now);
        return TICK_MS;
}

static void on_readings(void *ctx, int fd, uint32_t events)
{
        struct app *app = ctx;
        struct reader_result res;

        (void)events;
        while (read(fd, &res, sizeof(res)) == (ssize_t)sizeof(res)) {
                if (res.zone < 0 || res.zone >= app->nopen)
                        continue;
                const char *name = app->cfg.zones[res.zone].name;
                if (res.kind == IO_RELAY) {
                        if (res.err) {
                                log_msg(&app->log, app_wall(app), "error",
                                        "%s: relay: %s", name,
                                        strerror(-res.err));
                                /* Off is written again after the
                                 * batch. */
                                core_relay_failed(&app->core, res.zone,
                                                  app_now_ms(app));
                        } else {
                                log_msg(&app->log, app_wall(app), "info",
                                        "%s: relay answers again (%s)", name,
                                        res.on ? "on" : "off");
                                core_relay_ok(&app->core, res.zone);
                        }
                        continue;
                }
                int k = res.kind == IO_READING2;
                /* The first error of a run, and the first good reading
                 * after, are worth a line: the fault says what it did,
                 * this says why. */
                if (res.err != app->read_err[res.zone][k])
                        log_msg(&app->log, app_wall(app), res.err ? "error" :
                                "info", "%s: sensor%s: %s", name, k ? "2" : "",
                                res.err ? strerror(-res.err) : "reading again");
                app->read_err[res.zone][k] = res.err;
                if (k) {
                        core_post_reading2(&app->core, res.zone, res.err,
                                           res.temp_c);
                        reader_done(&app->readers2[res.zone]);
                } else {
                        core_post_reading(&app->core, res.zone, res.err,
                                          res.temp_c);
                        reader_done(&app->readers[res.zone]);
                }
        }
}

/* SIGUSR1: the operator asks to clear every latched fault (the same
 * command the page and MQTT use; refused while a cause persists). */
static void clear_faults(struct app *app)
{
        for (int i = 0; i < app->nopen; i++) {
                struct core_reply rep = { 0 };
                struct core_cmd cmd = { .kind = CMD_CLEAR_FAULT,
                                        .src = SRC_CLI, .zone = i };
                if (app->core.zones[i].safety.fault == FAULT_NONE)
                        continue;
                submit(app, &cmd, &rep);
                drain_events(app);
                log_msg(&app->log, app_wall(app), rep.status ? "warning" :
                        "info", "%s", rep.message);
        }
}

static void on_signal(void *ctx, int fd, uint32_t events)
{
        struct app *app = ctx;
        struct signalfd_siginfo si;

        (void)events;
        while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
                        log_msg(&app->log, app_wall(app), "info", "%s: all relays "
                                "off, exiting", strsignal((int)si.ssi_signo));
                        app->quit = true;
                } else if (si.ssi_signo == SIGUSR1) {
                        clear_faults(app);
                } else if (si.ssi_signo == SIGHUP) {
                        /* Re-reading the configuration under a running
                         * session would change its limits mid-way; a
                         * restart switches every relay off first. */
                        log_msg(&app->log, app_wall(app), "warn", "SIGHUP "
                                "ignored: the configuration is read at start; "
                                "restart the service to read it again");
                }
        }
}

/* On a crash, while the process can still act: every relay off, then die
 * as the signal would have it. Only async-signal-safe calls. */
static void on_crash(int sig)
{
        struct app *app = crash_app;

        if (app)
                for (int i = app->crash_first; i < app->nopen; i++)
                        if (app->relays[i].ops && app->relays[i].ops->force_off)
                                app->relays[i].ops->force_off(app->relays[i].ctx);
        signal(sig, SIG_DFL);
        raise(sig);
}

static int setup_signals(struct app *app)
{
        static const int crash_signals[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE,
                                             SIGILL };
        sigset_t set;

        /* Blocked before any thread starts, so only the loop sees them. */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGUSR1);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                return -errno;
        app->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        if (app->sig_fd < 0)
                return -errno;
        for (size_t i = 0; i < sizeof(crash_signals) / sizeof(int); i++) {
                struct sigaction sa = { .sa_handler = on_crash };
                sigemptyset(&sa.sa_mask);
                sigaction(crash_signals[i], &sa, NULL);
        }
        signal(SIGPIPE, SIG_IGN);
        return 0;
}

static time_t parse_when(const struct app *app, const char *s)
{
        return strcmp(s, "now") == 0 ? app_wall(app) : vclock_parse_local(s);
}

/* A command line's command: its events are logged before its answer. */
static void cli_submit(struct app *app, const struct core_cmd *cmd,
                       struct core_reply *ret)
{
        *ret = (struct core_reply){ 0 };
        submit(app, cmd, ret);
        drain_events(app);
}

/* Record changes asked for on the command line, through the same core
 * commands as the page and MQTT. Returns -1 on a refusal. */
static int apply_cli_record(struct app *app)
{
        struct core_reply rep = { 0 };
        time_t w = app_wall(app);

        if (app->opt.confirm_safe) {
                cli_submit(app, &(struct core_cmd){ .kind = CMD_CONFIRM_SAFE,
                                                   .src = SRC_CLI }, &rep);
                log_msg(&app->log, w, "info", "%s", rep.message);
        }
        if (app->opt.clear_record) {
                cli_submit(app, &(struct core_cmd){ .kind = CMD_CLEAR_RECORD,
                                                   .src = SRC_CLI }, &rep);
                log_msg(&app->log, w, "info", "%s", rep.message);
        }
        if (app->opt.injury_at || app->opt.swelling_at) {
                const char *when = app->opt.injury_at ? app->opt.injury_at :
                                   app->opt.swelling_at;
                time_t at = parse_when(app, when);
                /* -1 is the parser's "malformed"; earlier times are fine
                 * (a clock that reads 1970 records before it). */
                if (at == (time_t)-1) {
                        fprintf(stderr, "'%s': expected now or a local time "
                                "as 2026-11-24T20:15\n", when);
                        return -1;
                }
                cli_submit(app, &(struct core_cmd){
                                   .kind = CMD_RECORD_ACUTE, .src = SRC_CLI,
                                   .at = at,
                                   .injury = app->opt.injury_at != NULL,
                                   .swelling = app->opt.swelling_at != NULL },
                           &rep);
                log_msg(&app->log, w, rep.status ? "error" : "info", "%s",
                        rep.message);
                if (rep.status)
                        return -1;
        }
        if (app->opt.warning_signs) {
                const char *ws = app->opt.warning_signs;
                bool both = strcmp(ws, "both") == 0;
                cli_submit(app, &(struct core_cmd){
                                   .kind = CMD_WARNING_SIGNS, .src = SRC_CLI,
                                   .pain_worsening = both ||
                                                     strcmp(ws, "pain") == 0,
                                   .nerve_signs = both ||
                                                  strcmp(ws, "nerve") == 0,
                                   .urgent_signs = strcmp(ws, "urgent") == 0 },
                           &rep);
                log_msg(&app->log, w, "info", "%s", rep.message);
        }
        return 0;
}

static void apply_cli_starts(struct app *app)
{
        for (int i = 0; i < app->opt.nstarts; i++) {
                const struct cli_start *s = &app->opt.starts[i];
                struct core_reply rep = { 0 };
                int z = core_find_zone(&app->core, s->zone);

                cli_submit(app, &(struct core_cmd){
                                   .kind = CMD_START, .src = SRC_CLI,
                                   .zone = z, .minutes = s->minutes,
                                   .setpoint_c = s->setpoint_c }, &rep);
                if (z < 0)
                        snprintf(rep.message, sizeof(rep.message), "--start: "
                                 "no zone '%s'", s->zone);
                log_msg(&app->log, app_wall(app), rep.status ? "warning" : "info",
                        "%s", rep.message);
        }
}

/* --autotune ZONE: through the same core command as the page and MQTT
 * will use. It needs a first reading, which the reader thread posts soon
 * after start: wait for it on the loop (a few seconds at most). */
static int start_autotune(struct app *app)
{
        struct core_reply rep = { 0 };
        int z = core_find_zone(&app->core, app->opt.autotune);

        if (z < 0) {
                log_msg(&app->log, app_wall(app), "error", "--autotune: no "
                        "zone '%s'", app->opt.autotune);
                return -1;
        }
        /* The tick timer takes the first reading in; just run the loop. */
        for (int i = 0; i < 100 && !app->core.zones[z].safety.have_temp &&
             !app->quit; i++)
                run_once(app, 100);
        cli_submit(app, &(struct core_cmd){ .kind = CMD_AUTOTUNE,
                                           .src = SRC_CLI, .zone = z }, &rep);
        log_msg(&app->log, app_wall(app), rep.status ? "error" : "info", "%s",
                rep.message);
        return rep.status == CORE_OK ? 0 : -1;
}

static int resolve_faults(struct app *app)
{
        for (int i = 0; i < app->opt.nclears; i++) {
                int z = config_find_zone(&app->cfg, app->opt.clears[i]);
                if (z < 0) {
                        fprintf(stderr, "--clear-fault: no zone '%s'\n",
                                app->opt.clears[i]);
                        return -1;
                }
                app->clear_pending[z] = true;
        }
        for (int i = 0; i < app->opt.nfaults; i++) {
                int z = config_find_zone(&app->cfg, app->opt.faults[i].zone);
                if (z < 0) {
                        fprintf(stderr, "--sim-fault: no zone '%s'\n",
                                app->opt.faults[i].zone);
                        return -1;
                }
                app->faults[i] = (struct sim_fault_plan){
                        .zone = z,
                        .fault = app->opt.faults[i].fault,
                        .at_ms = (uint64_t)(app->opt.faults[i].at_s * 1000),
                };
        }
        return 0;
}

static bool all_simulated(const struct config *cfg)
{
        for (int i = 0; i < cfg->nzones; i++)
                if (cfg->zones[i].sensor.type != SENSOR_SIM)
                        return false;
        return true;
}

/* Keeps the schedule entries whose zone is still in the config. */
static void drop_orphans(struct app *app, struct schedule *s)
{
        int n = 0;
        for (int i = 0; i < s->n; i++) {
                if (config_find_zone(&app->cfg, s->e[i].zone_id) >= 0) {
                        s->e[n++] = s->e[i];
                        continue;
                }
                log_msg(&app->log, app_wall(app), "warning", "schedule entry "
                        "for zone '%s' dropped: no such zone in the config",
                        s->e[i].zone_id);
                app->core.state_dirty = true;
        }
        s->n = n;
}

static int load_state(struct app *app, struct state_data *ret)
{
        struct state_data st;
        char err[1024];
        int rc = state_load(app->opt.state_path, &st, err, sizeof(err));

        app->stored = st;
        if (rc < 0 && rc != -ENOENT && rc != -EINVAL) {
                log_msg(&app->log, app_wall(app), "error", "cannot read state "
                        "file %s: %s", app->opt.state_path, err);
                return -1;
        }
        /* Each part that could not be read is named; every valid one is
         * kept, and the file is written again without the bad ones. */
        if (err[0])
                log_msg(&app->log, app_wall(app), rc ? "error" : "warning",
                        "state file %s: %s", app->opt.state_path, err);
        if (rc == -EINVAL)
                app->core.state_dirty = true;
        if (st.record.unreadable)
                log_msg(&app->log, app_wall(app), "error", "state file %s: "
                        "the record or the latched faults could not be read; "
                        "heat stays blocked until someone confirms there was "
                        "no injury or swelling in the last 48 hours and the "
                        "pad is fine (--confirm-safe, or the page)",
                        app->opt.state_path);
        drop_orphans(app, &st.schedule);
        *ret = st;
        return 0;
}

/* Every exit path after the relays opened goes through here: relays off
 * first, then the rest. */
static void shutdown_app(struct app *app)
{
        notify_stopping(&app->notify, "stopping: all relays off");  /* systemd */
        core_shutdown(&app->core, app_now_ms(app));
        commit_batch(app);
        http_stop(app->http);
        app->http = NULL;
        buttons_close(app->buttons);
        app->buttons = NULL;
        for (int i = 0; i < app->nopen; i++) {
                reader_stop(&app->readers[i]);
                reader_stop(&app->readers2[i]);
                relay_worker_stop(&app->workers[i]);
        }
        /* Off again, synchronously and checked, whatever a worker did.
         * The crash handler lets go of each relay before it is freed. */
        for (int i = 0; i < app->nopen; i++) {
                app->crash_first = i + 1;
                int rc = hw_close_zone(&app->sensors[i], &app->sensors2[i],
                                       &app->relays[i]);
                if (rc < 0)
                        log_msg(&app->log, app_wall(app), "error", "%s: relay "
                                "did not confirm off at exit: %s; it may still "
                                "be on, unplug the pad", app->cfg.zones[i].name,
                                strerror(-rc));
        }
        crash_app = NULL;
        drain_events(app);
        save_state(app);
        stop_writer(app);
        mqtt_close(app->mqtt);                  /* MQTT: "offline", disconnect */
        app->mqtt = NULL;
        simctl_close(app->simctl);
        app->simctl = NULL;
        loop_free(app->loop);
        if (app->relay_log_fd >= 0)
                close(app->relay_log_fd);
}

/* A device the config names is missing or closed to us: restarting will
 * not bring it (exit 2, RestartPreventExitStatus=), the log says which. */
static int open_failure_status(int rc)
{
        return rc == -ENOENT || rc == -ENODEV || rc == -EACCES ||
               rc == -EPERM ? 2 : 1;
}

static int open_zones(struct app *app)
{
        struct hw_env env = { &app->clock, app->relay_log_fd, &app->modbus,
                              NULL };
        char err[256];

        for (int i = 0; i < app->cfg.nzones; i++) {
                int rc = hw_open_zone(&app->cfg.zones[i], i, &env,
                                      &app->sensors[i], &app->sensors2[i],
                                      &app->relays[i], err, sizeof(err));
                if (rc > 0) {
                        log_msg(&app->log, app_wall(app), "error", "%s: %s",
                                app->cfg.zones[i].name, err);
                        app->relay_unconfirmed[i] = true;
                } else if (rc < 0) {
                        log_msg(&app->log, app_wall(app), "error", "%s: %s",
                                app->cfg.zones[i].name, err);
                        return rc;
                }
                app->nopen = i + 1;
                crash_app = app;
        }
        return 0;
}

/* A simulated zone in the service's config, or on a Pi, is a pad that
 * someone may think is heating: say so at every start. */
static void warn_simulated(struct app *app)
{
        bool pi = access("/proc/device-tree/model", R_OK) == 0;
        bool service = strcmp(app->opt.config_path, SANDBOX_CONFIG) == 0;

        if (!pi && !service)
                return;
        for (int i = 0; i < app->cfg.nzones; i++)
                if (app->cfg.zones[i].sensor.type == SENSOR_SIM)
                        log_msg(&app->log, app_wall(app), "warning", "%s: "
                                "simulated zone in %s: it heats no pad and "
                                "reads no sensor; describe the real one "
                                "(examples/pi.json)", app->cfg.zones[i].name,
                                app->opt.config_path);
}

/* Each zone's reader threads and relay worker. A zone whose worker did
 * not start would keep a relay that never switches and raise no fault:
 * the daemon does not start then. */
static int start_workers(struct app *app)
{
        for (int i = 0; i < app->nopen; i++) {
                const char *name = app->cfg.zones[i].name;
                int rc = reader_start(&app->readers[i], &app->sensors[i], i,
                                      IO_READING, app->pipe_w,
                                      app->loop);
                if (rc == 0 && app->sensors2[i].ops)
                        rc = reader_start(&app->readers2[i], &app->sensors2[i],
                                          i, IO_READING2, app->pipe_w,
                                          app->loop);
                if (rc < 0) {
                        log_msg(&app->log, app_wall(app), "error", "%s: cannot "
                                "start the sensor reader: %s; not starting",
                                name, strerror(-rc));
                        return rc;
                }
                if (app->relays[i].ops->blocking) {
                        rc = relay_worker_start(&app->workers[i],
                                                &app->relays[i], i,
                                                app->pipe_w,
                                                app->relay_unconfirmed[i]);
                        if (rc < 0) {
                                log_msg(&app->log, app_wall(app), "error",
                                        "%s: cannot start the relay worker: "
                                        "%s; not starting", name,
                                        strerror(-rc));
                                return rc;
                        }
                }
                if (app->relay_unconfirmed[i])
                        core_relay_failed(&app->core, i, app->start_ms);
        }
        return 0;
}

/* The sensor results, the signals (SIGTERM must reach us) and the tick. */
static int watch_loop(struct app *app)
{
        int rc = loop_add_fd(app->loop, app->pipe_r, EPOLLIN, on_readings, app);
        if (rc < 0) {
                log_msg(&app->log, app_wall(app), "error", "cannot watch the "
                        "sensor results: %s; not starting", strerror(-rc));
                return rc;
        }
        rc = loop_add_fd(app->loop, app->sig_fd, EPOLLIN, on_signal, app);
        if (rc < 0) {
                log_msg(&app->log, app_wall(app), "error", "cannot watch for "
                        "signals: %s; not starting", strerror(-rc));
                return rc;
        }
        return 0;
}

static void commit_hook(void *ctx)
{
        commit_batch(ctx);
}

/* The control tick and the simulation's plan run in virtual time: at the
 * same instant the fault plan first, then clock steps, then the tick.
 * --sim-control: the socket, and a line a harness can wait for. */
static int start_virtual_time(struct app *app)
{
        if ((app->opt.nfaults &&
             loop_add_vtimer(app->loop, 0, run_sim_faults, app) < 0) ||
            (app->opt.nsteps &&
             loop_add_vtimer(app->loop, 0, run_sim_steps, app) < 0) ||
            loop_add_vtimer(app->loop, 0, on_tick, app) < 0) {
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

/* The bedside buttons and lights (daemon/buttons.c). */
static int start_buttons(struct app *app)
{
        struct buttons_env env = { &app->port, app->loop, { NULL },
                                   &app->opt, app->start_ms };
        char err[256] = "";

        for (int i = 0; i < app->nopen; i++)
                env.sims[i] = sim_of_sensor(&app->sensors[i]);
        int rc = buttons_open(&env, &app->buttons, err, sizeof(err));
        if (rc < 0)
                log_msg(&app->log, app_wall(app), "error", "%s", err);
        return rc;
}

static int run(struct app *app)
{
        struct state_data st;
        int fds[2];

        if (setup_signals(app) < 0 || pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
                perror("heatpadd: set-up");
                return 1;
        }
        app->pipe_r = fds[0];
        app->pipe_w = fds[1];
        app->loop = loop_new();
        if (!app->loop)
                return 1;
        loop_set_vclock(app->loop, &app->clock);
        notify_init(&app->notify);              /* systemd: sends nothing yet */
        if (load_state(app, &st) < 0) {
                loop_free(app->loop);
                return 1;
        }
        char why[320];
        /* A serial device that is not there at all: not a link to retry
         * but a missing adapter or a wrong path. */
        if (sandbox_wait_serial(&app->cfg, 10000, why, sizeof(why)) < 0) {
                log_msg(&app->log, app_wall(app), "error", "%s", why);
                loop_free(app->loop);
                return 2;
        }
        if (start_writer(app) < 0) {
                stop_writer(app);
                loop_free(app->loop);
                return 1;
        }
        int orc = open_zones(app);
        if (orc < 0) {
                shutdown_app(app);
                return open_failure_status(orc);
        }
        app->start_ms = app->last_status_ms = app_now_ms(app);
        bool dirty = app->core.state_dirty;
        core_init(&app->core, &app->cfg, &st.record, &st.schedule,
                  app->start_ms, app_wall(app));
        core_set_localtime(&app->core, systz_localtime, NULL);
        /* The 48-hour window, after a restart: the seconds that were left,
         * and the wall-clock rule until the wall clock is trusted. */
        core_restore_hold(&app->core, st.hold_left_s, app->start_ms);
        core_set_wall_trusted(&app->core, vclock_wall_trusted(&app->clock),
                              app->start_ms, app_wall(app));
        for (int i = 0; i < st.nfaults; i++) {
                core_restore_fault(&app->core, st.faults[i].zone_id,
                                   st.faults[i].fault);
                log_msg(&app->log, app_wall(app), "warning", "%s: fault %s "
                        "is still latched from before the restart; clear it "
                        "once the cause is fixed", st.faults[i].zone_id,
                        safety_fault_name(st.faults[i].fault));
        }
        for (int i = 0; i < app->nopen; i++) {
                const struct zone_tuning *t =
                        state_find_tuning(&st, app->cfg.zones[i].id);
                if (!t)
                        continue;
                core_set_tuning(&app->core, i, t);
                log_msg(&app->log, app_wall(app), "info", "%s: using the "
                        "stored autotune%s", app->cfg.zones[i].name,
                        app->cfg.zones[i].pid_gains_set ? " model (the "
                        "config's pid gains win)" : " model and gains");
        }
        for (int i = 0; i < app->nopen; i++) {
                const struct state_zone *sz =
                        state_find_zone(&st, app->cfg.zones[i].id);
                if (sz && core_restore_zone(&app->core, i, sz->target_c,
                                            sz->minutes, isnan(sz->energy_kwh)
                                            ? 0 : sz->energy_kwh * 1000) > 0)
                        log_msg(&app->log, app_wall(app), "warning", "%s: the "
                                "stored target or session length is outside "
                                "the zone's limits now: the defaults are "
                                "used", app->cfg.zones[i].name);
        }
        for (int i = 0; i < app->nopen; i++) {
                const struct state_log *lg =
                        state_find_log(&st, app->cfg.zones[i].id);
                for (int j = lg ? lg->n : 0; j-- > 0;)  /* oldest first */
                        session_log_add(&app->core.zones[i].log, &lg->r[j]);
        }
        app->core.state_dirty = dirty || app->core.state_dirty;
        app->last_wall = app_wall(app);
        app->clock_trusted = vclock_wall_trusted(&app->clock);
        if (start_workers(app) < 0 || watch_loop(app) < 0 ||
            start_virtual_time(app) < 0) {
                shutdown_app(app);
                return 1;
        }
        init_port(app);
        if (app->cfg.mqtt.enabled) {            /* the MQTT adapter */
                char err[256];
                app->mqtt = mqtt_open(&app->port, HEATPAD_VERSION, err,
                                      sizeof(err));
                if (!app->mqtt) {
                        log_msg(&app->log, app_wall(app), "error", "mqtt: %s",
                                err);
                        shutdown_app(app);
                        return 1;
                }
        }
        if (start_buttons(app) < 0) {
                shutdown_app(app);
                return 2;
        }
        {       /* the status page; heat control goes on without it */
                char err[256];
                app->http = http_start(&app->port, err, sizeof(err));
                if (!app->http && err[0])
                        log_msg(&app->log, app_wall(app), "error", "status "
                                "page: %s; going on without it", err);
        }

        log_msg(&app->log, app_wall(app), "info", "heatpadd %s: %d zone(s), all "
                "relays off%s%s", HEATPAD_VERSION, app->nopen,
                app->clock.sim_wall ? ", simulated clock" : "",
                sandbox_any_simulated(&app->cfg) ? "; SIMULATED zones, no "
                "pad is heated" : "");
        warn_simulated(app);
        /* systemd: ready once the config is loaded and every relay is off. */
        notify_ready(&app->notify, "started, all relays off");
        if (apply_cli_record(app) < 0) {
                shutdown_app(app);
                return 2;
        }
        /* A first reading before --start, so the session starts from a
         * real temperature. */
        for (int i = 0; i < app->nopen; i++) {
                reader_request(&app->readers[i]);
                if (app->sensors2[i].ops)
                        reader_request(&app->readers2[i]);
        }
        apply_cli_starts(app);
        if (app->opt.autotune && start_autotune(app) < 0) {
                shutdown_app(app);
                return 2;
        }
        commit_batch(app);

        while (!app->quit)
                if (run_once(app, 1000) < 0)
                        break;
        log_loop(&app->log, &app->ticks, app_now_ms(app), app_wall(app));
        shutdown_app(app);
        return app->exit_code;
}

/* Everything from the command line to the exit code; main() frees app. */
static int heatpadd(struct app *app, int argc, char **argv)
{
        struct config_errors errs;

        app->relay_log_fd = -1;
        int parsed = options_parse(argc, argv, &app->opt);
        if (parsed != 0)
                return parsed < 0 ? 2 : 0;      /* 1: --help or --version */
        if (app->opt.check_path)
                return check_config(app->opt.check_path,
                                    app->opt.state_path);
        if (app->opt.probe) {
                /* Without --config, the default file is used if it is there;
                 * a new user may have none yet. */
                int rc = config_load(app->opt.config_path, &app->cfg, &errs);
                if (rc < 0 && (app->opt.config_given || rc != -ENOENT)) {
                        for (int i = 0; i < errs.n; i++)
                                fprintf(stderr, "%s\n", errs.msg[i]);
                        return 2;
                }
                return probe_run(rc == 0 ? &app->cfg : NULL, stdout);
        }
        if (config_load(app->opt.config_path, &app->cfg, &errs) < 0) {
                fprintf(stderr, "heatpadd: %s is not a valid configuration:\n",
                        app->opt.config_path);
                for (int i = 0; i < errs.n; i++)
                        fprintf(stderr, "  %s\n", errs.msg[i]);
                return 2;
        }
        if (app->cfg.nzones == 0 && app->opt.all_off) {
                printf("no zones configured: no relay to switch off\n");
                return 0;
        }
        if (app->cfg.nzones == 0) {
                sandbox_not_configured(stderr, app->opt.config_path);
                return 2;
        }
        if (app->opt.all_off)                   /* systemd: ExecStopPost= */
                return alloff_run(&app->cfg, stdout, stderr);
        /* Before anything reads it: a device or a fifo taken for a
         * damaged record would be set aside and replaced. */
        char why[512];
        if (config_check_state_file(app->opt.state_path ? app->opt.state_path
                                    : app->cfg.state_file, why,
                                    sizeof(why)) < 0) {
                fprintf(stderr, "heatpadd: %s: %s\n",
                        state_file_origin(app->opt.state_path), why);
                return 2;
        }
        if (!app->opt.state_path)
                app->opt.state_path = app->cfg.state_file;
        bool simulated = app->opt.sim_speed != 1 || app->opt.sim_start >= 0 ||
                         app->opt.nfaults || app->opt.relay_log ||
                         app->opt.nsteps || app->opt.sim_max ||
                         app->opt.sim_control;
        if (simulated && !all_simulated(&app->cfg)) {
                fprintf(stderr, "heatpadd: --sim-* options need every zone "
                        "simulated (sensor and relay type \"sim\")\n");
                return 2;
        }
        if (resolve_faults(app) < 0)
                return 2;
        if (app->opt.relay_log) {
                app->relay_log_fd = open(app->opt.relay_log, O_WRONLY |
                                         O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (app->relay_log_fd < 0) {
                        perror(app->opt.relay_log);
                        return 2;
                }
        }
        app->log = (struct log){ .json = app->opt.json, .out = stdout };
        /* A clock that is to step is a simulated one, from now if unset. */
        if (app->opt.nsteps && app->opt.sim_start < 0)
                app->opt.sim_start = time(NULL);
        if (app->opt.sim_control || app->opt.sim_max)
                vclock_init_sim(&app->clock, app->opt.sim_control ?
                                VCLOCK_CONTROL : VCLOCK_MAX, 1,
                                app->opt.sim_start);
        else
                vclock_init(&app->clock, app->opt.sim_speed,
                            app->opt.sim_start);
        return run(app);
}

int main(int argc, char **argv)
{
        struct app *app = calloc(1, sizeof(*app));
        int rc;

        if (!app)
                return 1;
        rc = heatpadd(app, argc, argv);
        free(app);
        return rc;
}
