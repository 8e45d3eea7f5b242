/* app_state.c: the daemon's side of the state file: reading it at start
 * (and what it kept, given to the core), the snapshot of what must
 * survive a restart, and the writer thread that puts it on disk off the
 * loop. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "daemon/app.h"
#include "daemon/state_writer.h"
#include "net/http.h"

/* The state file a run would use: --state-file, or the config's. */
const char *app_state_file_origin(const char *state_path)
{
        return state_path ? "--state-file" : "state_file";
}

void app_save_state(struct app *app)
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
int app_start_writer(struct app *app)
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
void app_stop_writer(struct app *app)
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

int app_load_state(struct app *app, struct state_data *ret)
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

/* What the state file kept, given to the core after core_init: the
 * latched faults, the tunings, the zones' choices and session logs. */
void app_restore_state(struct app *app, const struct state_data *st)
{
        for (int i = 0; i < st->nfaults; i++) {
                core_restore_fault(&app->core, st->faults[i].zone_id,
                                   st->faults[i].fault);
                log_msg(&app->log, app_wall(app), "warning", "%s: fault %s "
                        "is still latched from before the restart; clear it "
                        "once the cause is fixed", st->faults[i].zone_id,
                        safety_fault_name(st->faults[i].fault));
        }
        for (int i = 0; i < app->nopen; i++) {
                const struct zone_tuning *t =
                        state_find_tuning(st, app->cfg.zones[i].id);
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
                        state_find_zone(st, app->cfg.zones[i].id);
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
                        state_find_log(st, app->cfg.zones[i].id);
                for (int j = lg ? lg->n : 0; j-- > 0;)  /* oldest first */
                        session_log_add(&app->core.zones[i].log, &lg->r[j]);
        }
}
