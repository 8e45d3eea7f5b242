/* app_batch.c: what ends each batch of the loop. A command goes into
 * the core through app_submit; the core's events come out in order to the
 * log and MQTT, never from inside a core command; then the relays are
 * written as decided, the state file saved once if it changed, and the
 * adapters' answers sent. */
#include <stdio.h>
#include <string.h>

#include "daemon/app.h"
#include "daemon/buttons.h"
#include "daemon/state_writer.h"
#include "net/http.h"
#include "net/mqtt.h"

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
void app_drain_events(struct app *app)
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
void app_submit(struct app *app, const struct core_cmd *cmd,
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

/* After each batch of the loop: the events so far (so the log reads in
 * order), the relays the batch changed, the events that made (a relay
 * that failed), one save of the state file if it changed, and then MQTT's
 * states and echoes and the page's answers (an answer or an echo says the
 * change is kept). */
void app_commit_batch(struct app *app)
{
        uint64_t posted = app->save_posted;

        app_drain_events(app);
        apply_relays(app);
        app_drain_events(app);
        if (app->core.state_dirty)
                app_save_state(app);
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

int app_run_once(struct app *app, int max_wait_ms)
{
        int rc = loop_run_once(app->loop, max_wait_ms);
        app_commit_batch(app);
        return rc;
}
