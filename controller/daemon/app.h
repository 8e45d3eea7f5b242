/* app.h: struct app, the daemon's one loop context, and what its files
 * share. main.c owns the loop, the tick, signals, start-up and shut-down;
 * app_batch.c the batch commit; app_state.c the state file; app_sim.c
 * virtual time and the simulation's plan; app_port.c what the adapters
 * and buttons get; app_cli.c the command line's one-shot actions;
 * app_zones.c the zones' readers and workers. Only these files include
 * it. */
#ifndef HEATPAD_APP_H
#define HEATPAD_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "core/core.h"
#include "hw/hw.h"
#include "hw/modbus_link.h"
#include "hw/sim.h"
#include "net/port.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/notify.h"
#include "daemon/options.h"
#include "daemon/reader.h"
#include "daemon/relay_worker.h"
#include "daemon/state.h"
#include "daemon/tickstat.h"
#include "daemon/vclock.h"

struct mqtt;
struct http;
struct simctl;
struct state_writer;
struct buttons;

struct sim_fault_plan {
        int zone;
        enum sim_fault fault;
        uint64_t at_ms;                 /* virtual ms after start */
        bool done;
};

/* The daemon: the one loop context, every module instance. */
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

static inline uint64_t app_now_ms(const struct app *app)
{
        return vclock_mono_ms(&app->clock);
}

static inline time_t app_wall(const struct app *app)
{
        return vclock_wall(&app->clock);
}

/* main.c */
double app_on_tick(void *ctx);

/* app_batch.c: the one core entry point, the events out, the batch. */
void app_submit(struct app *app, const struct core_cmd *cmd,
                struct core_reply *ret);
void app_drain_events(struct app *app);
void app_commit_batch(struct app *app);
int app_run_once(struct app *app, int max_wait_ms);

/* app_state.c */
const char *app_state_file_origin(const char *state_path);
int app_load_state(struct app *app, struct state_data *ret);
void app_restore_state(struct app *app, const struct state_data *st);
void app_save_state(struct app *app);
int app_start_writer(struct app *app);
void app_stop_writer(struct app *app);

/* app_sim.c */
bool app_all_simulated(const struct config *cfg);
int app_start_virtual_time(struct app *app);

/* app_port.c */
void app_init_port(struct app *app);
int app_start_buttons(struct app *app);

/* app_cli.c */
int app_check_config(const char *path, const char *state_path);
int app_resolve_faults(struct app *app);
int app_apply_cli_record(struct app *app);
void app_apply_cli_starts(struct app *app);
int app_start_autotune(struct app *app);
void app_run_cli_clears(struct app *app, uint64_t now);

/* app_zones.c */
void app_on_readings(void *ctx, int fd, uint32_t events);
int app_start_workers(struct app *app);
void app_warn_simulated(struct app *app);

#endif
