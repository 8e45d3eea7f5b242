/* main.c: heatpadd, the daemon. Owns the one event loop and the module
 * instances (struct app, app.h); turns signals and ticks into core calls,
 * opens the zones and shuts them down, relays off first. The adapters
 * (net/) reach it only through the port (app_port.c); after each batch of
 * the loop app_commit_batch (app_batch.c) writes the relays that changed,
 * drains the core's events to the log and MQTT, and saves the state file
 * once if it changed. See README.md for the command line. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon/alloff.h"
#include "daemon/app.h"
#include "daemon/buttons.h"
#include "daemon/probe.h"
#include "daemon/sandbox.h"
#include "daemon/simctl.h"
#include "daemon/systz.h"
#include "net/http.h"                   /* the status page */
#include "net/mqtt.h"                       /* the MQTT adapter */

#define TICK_MS 1000                    /* control period, virtual ms */

/* The crash handler's way to the relays: the one loop context, set once
 * the relays are open. */
static struct app *volatile crash_app;

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

double app_on_tick(void *ctx)
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
        app_run_cli_clears(app, now);
        /* The relays follow, and the state file, after the batch
         * (app_commit_batch). */
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
                app_submit(app, &cmd, &rep);
                app_drain_events(app);
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

/* Every exit path after the relays opened goes through here: relays off
 * first, then the rest. */
static void shutdown_app(struct app *app)
{
        notify_stopping(&app->notify, "stopping: all relays off");  /* systemd */
        core_shutdown(&app->core, app_now_ms(app));
        app_commit_batch(app);
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
        app_drain_events(app);
        app_save_state(app);
        app_stop_writer(app);
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

/* The sensor results, the signals (SIGTERM must reach us) and the tick. */
static int watch_loop(struct app *app)
{
        int rc = loop_add_fd(app->loop, app->pipe_r, EPOLLIN, app_on_readings,
                             app);
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
        if (app_load_state(app, &st) < 0) {
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
        if (app_start_writer(app) < 0) {
                app_stop_writer(app);
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
        app_restore_state(app, &st);
        app->core.state_dirty = dirty || app->core.state_dirty;
        app->last_wall = app_wall(app);
        app->clock_trusted = vclock_wall_trusted(&app->clock);
        if (app_start_workers(app) < 0 || watch_loop(app) < 0 ||
            app_start_virtual_time(app) < 0) {
                shutdown_app(app);
                return 1;
        }
        app_init_port(app);
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
        if (app_start_buttons(app) < 0) {
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
        app_warn_simulated(app);
        /* systemd: ready once the config is loaded and every relay is off. */
        notify_ready(&app->notify, "started, all relays off");
        if (app_apply_cli_record(app) < 0) {
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
        app_apply_cli_starts(app);
        if (app->opt.autotune && app_start_autotune(app) < 0) {
                shutdown_app(app);
                return 2;
        }
        app_commit_batch(app);

        while (!app->quit)
                if (app_run_once(app, 1000) < 0)
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
                return app_check_config(app->opt.check_path,
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
                        app_state_file_origin(app->opt.state_path), why);
                return 2;
        }
        if (!app->opt.state_path)
                app->opt.state_path = app->cfg.state_file;
        bool simulated = app->opt.sim_speed != 1 || app->opt.sim_start >= 0 ||
                         app->opt.nfaults || app->opt.relay_log ||
                         app->opt.nsteps || app->opt.sim_max ||
                         app->opt.sim_control;
        if (simulated && !app_all_simulated(&app->cfg)) {
                fprintf(stderr, "heatpadd: --sim-* options need every zone "
                        "simulated (sensor and relay type \"sim\")\n");
                return 2;
        }
        if (app_resolve_faults(app) < 0)
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
