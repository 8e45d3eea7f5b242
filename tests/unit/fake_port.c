/* fake_port.c: see fake_port.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_port.h"

static void submit(void *ctx, const struct core_cmd *cmd,
                   struct core_reply *ret)
{
        struct fake_port *f = ctx;

        core_submit(&f->core, cmd, f->now_ms, f->wall, ret);
        if (f->ncmds < FAKE_PORT_MAX) {
                f->cmds[f->ncmds] = *cmd;
                f->replies[f->ncmds++] = *ret;
        }
}

static uint64_t now_ms(void *ctx)
{
        return ((struct fake_port *)ctx)->now_ms;
}

static time_t wall(void *ctx)
{
        return ((struct fake_port *)ctx)->wall;
}

static uint64_t real_ms(void *ctx)
{
        return ((struct fake_port *)ctx)->real_ms;
}

static int add_fd(void *ctx, int fd, uint32_t events, port_fd_fn fn,
                  void *fn_ctx)
{
        (void)fd, (void)events, (void)fn, (void)fn_ctx;
        ((struct fake_port *)ctx)->nfds++;
        return 0;
}

static int mod_fd(void *ctx, int fd, uint32_t events)
{
        (void)ctx, (void)fd, (void)events;
        return 0;
}

static void del_fd(void *ctx, int fd)
{
        (void)fd;
        ((struct fake_port *)ctx)->nfds--;
}

static int add_timer(void *ctx, double first_ms, port_timer_fn fn,
                     void *fn_ctx)
{
        (void)first_ms, (void)fn, (void)fn_ctx;
        return ((struct fake_port *)ctx)->ntimers++;
}

static void del_timer(void *ctx, int id)
{
        (void)id;
        ((struct fake_port *)ctx)->ntimers--;
}

static void log_line(void *ctx, const char *level, const char *msg)
{
        struct fake_port *f = ctx;

        if (f->nlogs < FAKE_PORT_MAX)
                snprintf(f->logs[f->nlogs++], sizeof(f->logs[0]), "%s: %s",
                         level, msg);
}

void fake_port_init(struct fake_port *f, const char *config_json)
{
        struct config_errors errs;

        memset(f, 0, sizeof(*f));
        assert_int_equal(config_parse(config_json, &f->cfg, &errs), 0);
        f->now_ms = 100000;
        f->real_ms = 5000000;
        f->wall = 1795550400;           /* Tue 24 Nov 2026 20:00 UTC */
        core_init(&f->core, &f->cfg, NULL, NULL, f->now_ms, f->wall);
        core_set_wall_trusted(&f->core, true, f->now_ms, f->wall);
        for (int i = 0; i < f->cfg.nzones; i++)
                core_post_reading(&f->core, i, 0, 30.0);
        core_tick(&f->core, f->now_ms, f->wall);
        fake_port_drain(f);
        f->port = (struct port){
                .ctx = f, .core = &f->core, .cfg = &f->cfg,
                .submit = submit, .now_ms = now_ms, .wall = wall,
                .real_ms = real_ms, .add_fd = add_fd, .mod_fd = mod_fd,
                .del_fd = del_fd, .add_timer = add_timer,
                .del_timer = del_timer, .log = log_line,
        };
}

void fake_port_drain(struct fake_port *f)
{
        struct core_event ev;

        while (core_next_event(&f->core, &ev))
                ;
}

bool fake_port_logged(const struct fake_port *f, const char *text)
{
        for (int i = 0; i < f->nlogs; i++)
                if (strstr(f->logs[i], text))
                        return true;
        return false;
}
