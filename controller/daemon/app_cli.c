/* app_cli.c: the command line's one-shot actions: --check-config, and the
 * record changes, starts, --autotune and --clear-fault a run begins with,
 * through the same core commands as the page and MQTT. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/app.h"
#include "daemon/sandbox.h"

int app_check_config(const char *path, const char *state_path)
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
                                app_state_file_origin(state_path), why);
                } else if (src < 0) {
                        fprintf(stderr, "%s: %s\n",
                                app_state_file_origin(state_path), why);
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

static time_t parse_when(const struct app *app, const char *s)
{
        return strcmp(s, "now") == 0 ? app_wall(app) : vclock_parse_local(s);
}

/* A command line's command: its events are logged before its answer. */
static void cli_submit(struct app *app, const struct core_cmd *cmd,
                       struct core_reply *ret)
{
        *ret = (struct core_reply){ 0 };
        app_submit(app, cmd, ret);
        app_drain_events(app);
}

/* Record changes asked for on the command line, through the same core
 * commands as the page and MQTT. Returns -1 on a refusal. */
int app_apply_cli_record(struct app *app)
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

void app_apply_cli_starts(struct app *app)
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
int app_start_autotune(struct app *app)
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
                app_run_once(app, 100);
        cli_submit(app, &(struct core_cmd){ .kind = CMD_AUTOTUNE,
                                           .src = SRC_CLI, .zone = z }, &rep);
        log_msg(&app->log, app_wall(app), rep.status ? "error" : "info", "%s",
                rep.message);
        return rep.status == CORE_OK ? 0 : -1;
}

int app_resolve_faults(struct app *app)
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

/* --clear-fault: the clear needs a fresh reading to see the cause gone,
 * so it waits for the zone's first one after start-up. */
void app_run_cli_clears(struct app *app, uint64_t now)
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
                app_drain_events(app);
                log_msg(&app->log, app_wall(app), rep.status ? "warning" :
                        "info", "%s", rep.message);
        }
}
