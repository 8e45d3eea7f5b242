/* app_port.c: the port (net/port.h), all the adapters get of the daemon,
 * and the bedside buttons, which use it as an adapter would. */

#include "daemon/app.h"
#include "daemon/buttons.h"

/* The port's calls (net/port.h). */
static void port_submit_cmd(void *ctx, const struct core_cmd *cmd,
                            struct core_reply *ret)
{
        struct app *app = ctx;

        app_submit(app, cmd, ret);
        /* A flood of commands in one batch must not fill the queue: past
         * half, drain it now (between commands, never inside one). */
        if (core_events_pending(&app->core) > CORE_EVENTS_MAX / 2)
                app_drain_events(app);
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

void app_init_port(struct app *app)
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

/* The bedside buttons and lights (daemon/buttons.c). */
int app_start_buttons(struct app *app)
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
