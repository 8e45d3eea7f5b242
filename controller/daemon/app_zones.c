/* app_zones.c: each zone's threads: the sensor readers and the relay
 * workers started, and their results taken in on the loop. */
#include <string.h>
#include <unistd.h>

#include "daemon/app.h"
#include "daemon/sandbox.h"

void app_on_readings(void *ctx, int fd, uint32_t events)
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

/* Each zone's reader threads and relay worker. A zone whose worker did
 * not start would keep a relay that never switches and raise no fault:
 * the daemon does not start then. */
int app_start_workers(struct app *app)
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

/* A simulated zone in the service's config, or on a Pi, is a pad that
 * someone may think is heating: say so at every start. */
void app_warn_simulated(struct app *app)
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
