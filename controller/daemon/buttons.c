/* buttons.c: see buttons.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/button.h"
#include "core/light.h"
#include "daemon/buttons.h"
#include "hw/button_gpio.h"
#include "hw/gpio.h"
#include "hw/gpio_chip.h"
#include "hw/sim.h"

#define TOP CONFIG_MAX_ZONES            /* the unit of the top-level button */

/* What a button thread posts. */
struct button_msg {
        int unit;
        int err;                        /* 0, or -errno: the thread ends */
        bool pressed;
};

struct button_unit {
        struct buttons *owner;
        bool set;
        int zone;                       /* -1: every zone's */
        const struct button_cfg *cfg;
        struct button b;
        int vt;                         /* the press logic's vtimer, or -1 */
        /* GPIO */
        struct button_line *line;
        pthread_t thread;
        bool started;
};

struct light_unit {
        bool set, failed;
        struct sim *sim;
        struct relay relay;             /* a GPIO line (gpio.c) */
        bool on;
        bool refused;
        uint64_t refused_ms;
};

struct buttons {
        const struct port *port;
        struct loop *loop;
        struct button_unit units[CONFIG_MAX_ZONES + 1];
        struct light_unit lights[CONFIG_MAX_ZONES];
        int pipe_r, pipe_w;             /* threads -> loop */
        int stop_r, stop_w;             /* loop -> threads: closed to stop */
        int light_vt;
        uint64_t light_due;
        const struct options *opt;
        uint64_t start_ms;
        bool press_done[MAX_SIM_PRESSES][2];
        int press_unit[MAX_SIM_PRESSES];
        int press_vt;
};

static uint64_t now_ms(const struct buttons *b)
{
        return port_now_ms(b->port);
}

static const char *unit_name(const struct button_unit *u)
{
        return u->zone < 0 ? "every zone" : u->owner->port->cfg->zones[u->zone].name;
}

/* A refused start: the zone's light blinks three times. */
static void refused(struct buttons *b, int zone)
{
        if (zone >= 0 && b->lights[zone].set) {
                b->lights[zone].refused = true;
                b->lights[zone].refused_ms = now_ms(b);
        }
}

static void submit_start(struct buttons *b, int zone,
                         const struct core_cmd *cmd0)
{
        struct core_cmd cmd = *cmd0;
        struct core_reply rep;

        cmd.zone = zone;
        port_submit(b->port, &cmd, &rep);
        if (rep.status == CORE_OK) {
                port_log(b->port, "info", "%s: button: started",
                         b->port->cfg->zones[zone].name);
                return;
        }
        port_log(b->port, "warning", "%s: button: start refused (%s): %s",
                 b->port->cfg->zones[zone].name, rep.code, rep.message);
        refused(b, zone);
}

static bool any_session(const struct core *core)
{
        for (int i = 0; i < core->nzones; i++)
                if (core->zones[i].session.active)
                        return true;
        return false;
}

static void act(struct button_unit *u, enum button_action a)
{
        struct buttons *b = u->owner;
        const struct core *core = b->port->core;
        struct core_cmd cmd;
        struct core_reply rep;

        if (a == BUTTON_STUCK) {
                port_log(b->port, "warning", "%s: button held for over %d s: "
                         "taken as stuck, ignored until it is released",
                         unit_name(u), BUTTON_STUCK_MS / 1000);
                return;
        }
        if (a == BUTTON_UNSTUCK) {
                port_log(b->port, "info", "%s: button released: it works "
                         "again", unit_name(u));
                return;
        }
        bool heating = u->zone < 0 ? any_session(core) :
                       core->zones[u->zone].session.active;
        if (!button_command(a, u->zone, heating, &cmd))
                return;
        if (cmd.kind == CMD_START) {
                if (u->zone >= 0) {
                        submit_start(b, u->zone, &cmd);
                } else {
                        for (int i = 0; i < core->nzones; i++)
                                submit_start(b, i, &cmd);
                }
                return;
        }
        port_submit(b->port, &cmd, &rep);
        port_log(b->port, "info", "%s: button: %s press: %s", unit_name(u),
                 button_action_name(a), cmd.kind == CMD_STOP_ALL ?
                 "every zone stopped" : "stopped");
}

static double unit_timer(void *ctx);

/* The press logic's next deadline on a vtimer. Not from unit_timer. */
static void rearm(struct button_unit *u, uint64_t now)
{
        uint64_t next = button_next_ms(&u->b);

        if (u->vt >= 0)
                loop_del_vtimer(u->owner->loop, u->vt);
        u->vt = -1;
        if (next == UINT64_MAX)
                return;
        u->vt = loop_add_vtimer(u->owner->loop,
                                next > now ? (double)(next - now) : 0,
                                unit_timer, u);
}

static void drain(struct button_unit *u, uint64_t now)
{
        enum button_action a;

        while ((a = button_poll(&u->b, now)) != BUTTON_NONE)
                act(u, a);
}

static double unit_timer(void *ctx)
{
        struct button_unit *u = ctx;
        uint64_t now = now_ms(u->owner);

        drain(u, now);
        uint64_t next = button_next_ms(&u->b);
        if (next == UINT64_MAX) {
                u->vt = -1;
                return LOOP_TIMER_STOP;
        }
        return next > now ? (double)(next - now) : 1;
}

static void feed(struct button_unit *u, bool pressed)
{
        uint64_t now = now_ms(u->owner);
        enum button_action a = button_level(&u->b, pressed, now);

        if (a != BUTTON_NONE)
                act(u, a);
        drain(u, now);
        rearm(u, now);
}

static void on_pipe(void *ctx, int fd, uint32_t events)
{
        struct buttons *b = ctx;
        struct button_msg m;

        (void)events;
        while (read(fd, &m, sizeof(m)) == (ssize_t)sizeof(m)) {
                if (m.unit < 0 || m.unit > TOP || !b->units[m.unit].set)
                        continue;
                struct button_unit *u = &b->units[m.unit];
                if (m.err) {
                        port_log(b->port, "error", "%s: button: %s; the "
                                 "button is out of use until a restart (the "
                                 "page and MQTT still work)", unit_name(u),
                                 strerror(-m.err));
                        continue;
                }
                feed(u, m.pressed);
        }
}

static void post(struct buttons *b, int unit, int err, bool pressed)
{
        struct button_msg m = { unit, err, pressed };
        /* A full pipe drops the message: the next edge says the level. */
        if (write(b->pipe_w, &m, sizeof(m)) < 0) {
                /* nothing to do */
        }
}

/* A button line's thread: blocks on its edge events and the stop pipe. */
static void *button_thread(void *arg)
{
        struct button_unit *u = arg;
        struct buttons *b = u->owner;
        int unit = (int)(u - b->units);

        for (;;) {
                struct pollfd p[2] = {
                        { button_line_fd(u->line), POLLIN, 0 },
                        { b->stop_r, POLLIN, 0 },
                };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        post(b, unit, -errno, false);
                        return NULL;
                }
                if (p[1].revents)
                        return NULL;
                if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
                        post(b, unit, -EIO, false);
                        return NULL;
                }
                bool pressed;
                int rc = button_line_read_events(u->line, &pressed);
                post(b, unit, rc, pressed);
                if (rc < 0)
                        return NULL;
        }
}

/* --sim-press, a vtimer: each press and release at its virtual time. */
static double run_presses(void *ctx)
{
        struct buttons *b = ctx;
        uint64_t now = now_ms(b);
        double next = INFINITY;

        for (int i = 0; i < b->opt->npresses; i++) {
                double at[2] = { b->opt->presses[i].at_s * 1000,
                                 (b->opt->presses[i].at_s +
                                  b->opt->presses[i].hold_s) * 1000 };
                for (int k = 0; k < 2; k++) {
                        if (b->press_done[i][k])
                                continue;
                        if (now - b->start_ms < (uint64_t)llround(at[k])) {
                                next = fmin(next, at[k]);
                                break;
                        }
                        b->press_done[i][k] = true;
                        if (b->press_unit[i] >= 0)
                                feed(&b->units[b->press_unit[i]], k == 0);
                }
        }
        if (next == INFINITY) {
                b->press_vt = -1;
                return LOOP_TIMER_STOP;
        }
        double d = (double)b->start_ms + next - (double)now;
        return d > 0 ? d : 0;
}

static int open_line(const struct button_cfg *c, struct button_line **ret,
                     char *path, size_t len)
{
        const struct gpio_backend *be = gpio_chip_backend();
        int rc = gpio_chip_find(be, GPIO_DEV_DIR, c->chip, path, len);

        if (rc < 0)
                return rc;
        return button_line_open(path, (unsigned)c->line, GPIO_CONSUMER,
                                c->active_low, c->bias, ret);
}

static int open_unit(struct buttons *b, int unit, int zone,
                     const struct button_cfg *c, bool sim, char *err,
                     size_t errlen)
{
        struct button_unit *u = &b->units[unit];
        char path[CONFIG_PATH_MAX];
        bool pressed = false;

        u->owner = b;
        u->set = true;
        u->zone = zone;
        u->cfg = c;
        u->vt = -1;
        if (!sim) {
                int rc = open_line(c, &u->line, path, sizeof(path));
                if (rc == 0)
                        rc = button_line_get(u->line, &pressed);
                if (rc == 0) {
                        rc = -pthread_create(&u->thread, NULL, button_thread,
                                             u);
                        u->started = rc == 0;
                }
                if (rc < 0) {
                        snprintf(err, errlen, "%s: button (%s line %d): %s",
                                 zone < 0 ? "button" :
                                 b->port->cfg->zones[zone].name, c->chip,
                                 c->line, strerror(-rc));
                        return rc;
                }
        }
        button_init(&u->b, pressed, now_ms(b));
        if (pressed)
                port_log(b->port, "warning", "%s: button is pressed at start: "
                         "ignored until it is released", unit_name(u));
        return 0;
}

static void open_light(struct buttons *b, int zone, struct sim *sim)
{
        const struct light_cfg *c = &b->port->cfg->zones[zone].light;
        struct light_unit *l = &b->lights[zone];

        l->set = true;
        if (sim) {
                l->sim = sim;
                return;
        }
        struct gpio_relay_cfg g = { .line = c->line,
                                    .active_low = c->active_low };
        snprintf(g.chip, sizeof(g.chip), "%s", c->chip);
        int rc = gpio_relay_open(&g, gpio_chip_backend(), &l->relay);
        if (rc < 0) {
                port_log(b->port, "error", "%s: light (%s line %d): %s; going "
                         "on without it", b->port->cfg->zones[zone].name,
                         c->chip, c->line, strerror(-rc));
                l->relay.ops = NULL;
                l->failed = true;
        }
}

int buttons_open(const struct buttons_env *env, struct buttons **ret,
                 char *err, size_t errlen)
{
        const struct config *cfg = env->port->cfg;
        bool any = cfg->button.set;
        int fds[2], stop[2];

        *ret = NULL;
        for (int i = 0; i < cfg->nzones; i++)
                any = any || cfg->zones[i].button.set || cfg->zones[i].light.set;
        if (!any)
                return 0;
        struct buttons *b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->port = env->port;
        b->loop = env->loop;
        b->opt = env->opt;
        b->start_ms = env->start_ms;
        b->light_vt = b->press_vt = -1;
        b->pipe_r = b->pipe_w = b->stop_r = b->stop_w = -1;
        if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0 ||
            (b->pipe_r = fds[0], b->pipe_w = fds[1],
             pipe2(stop, O_CLOEXEC) < 0)) {
                int e = errno;
                snprintf(err, errlen, "buttons: %s", strerror(e));
                buttons_close(b);
                return -e;
        }
        b->stop_r = stop[0];
        b->stop_w = stop[1];
        int rc = loop_add_fd(b->loop, b->pipe_r, EPOLLIN, on_pipe, b);
        for (int i = 0; rc == 0 && i < cfg->nzones; i++) {
                if (cfg->zones[i].button.set)
                        rc = open_unit(b, i, i, &cfg->zones[i].button,
                                       env->sims[i] != NULL, err, errlen);
                if (cfg->zones[i].light.set)
                        open_light(b, i, env->sims[i]);
        }
        if (rc == 0 && cfg->button.set)
                rc = open_unit(b, TOP, -1, &cfg->button,
                               cfg->nzones > 0 && env->sims[0] != NULL, err,
                               errlen);
        if (rc < 0) {
                if (!err[0])
                        snprintf(err, errlen, "buttons: %s", strerror(-rc));
                buttons_close(b);
                return rc;
        }
        /* --sim-press: the simulated buttons' presses. */
        for (int i = 0; i < env->opt->npresses; i++) {
                const char *z = env->opt->presses[i].zone;
                int k = strcmp(z, "all") == 0 ? TOP :
                        config_find_zone(cfg, z);
                b->press_unit[i] = k >= 0 && b->units[k].set &&
                                   !b->units[k].line ? k : -1;
                if (b->press_unit[i] < 0)
                        port_log(b->port, "warning", "--sim-press %s: no "
                                 "simulated button there", z);
        }
        if (env->opt->npresses)
                b->press_vt = loop_add_vtimer(b->loop, 0, run_presses, b);
        *ret = b;
        return 0;
}

static void light_write(struct buttons *b, int zone, bool on)
{
        struct light_unit *l = &b->lights[zone];

        if (l->failed || on == l->on)
                return;
        l->on = on;
        if (l->sim) {
                sim_light(l->sim, on);
                return;
        }
        int rc = l->relay.ops->set(l->relay.ctx, on);
        if (rc < 0) {
                port_log(b->port, "error", "%s: light: %s; going on without "
                         "it (no relay depends on it)",
                         b->port->cfg->zones[zone].name, strerror(-rc));
                l->failed = true;
        }
}

static double light_timer(void *ctx)
{
        struct buttons *b = ctx;
        /* The lights are set after this batch (buttons_after_batch). */
        b->light_vt = -1;
        return LOOP_TIMER_STOP;
}

void buttons_after_batch(struct buttons *b)
{
        if (!b)
                return;
        const struct core *core = b->port->core;
        uint64_t now = now_ms(b), next = UINT64_MAX;

        for (int i = 0; i < core->nzones; i++) {
                struct light_unit *l = &b->lights[i];
                struct light_state st;
                if (!l->set || l->failed)
                        continue;
                light_state_of(core, i, &st);
                st.refused = l->refused;
                st.refused_ms = l->refused_ms;
                light_write(b, i, light_on(&st, now));
                uint64_t n = light_next_ms(&st, now);
                if (n < next)
                        next = n;
        }
        if (next == b->light_due && b->light_vt >= 0)
                return;
        if (b->light_vt >= 0)
                loop_del_vtimer(b->loop, b->light_vt);
        b->light_vt = -1;
        b->light_due = next;
        if (next != UINT64_MAX)
                b->light_vt = loop_add_vtimer(b->loop, next > now ?
                                              (double)(next - now) : 1,
                                              light_timer, b);
}

void buttons_close(struct buttons *b)
{
        if (!b)
                return;
        if (b->stop_w >= 0)
                close(b->stop_w);       /* every thread's poll wakes */
        b->stop_w = -1;
        for (int i = 0; i <= TOP; i++) {
                struct button_unit *u = &b->units[i];
                if (u->started)
                        pthread_join(u->thread, NULL);
                button_line_close(u->line);
                if (u->vt >= 0)
                        loop_del_vtimer(b->loop, u->vt);
        }
        for (int i = 0; i < CONFIG_MAX_ZONES; i++) {
                struct light_unit *l = &b->lights[i];
                if (!l->set)
                        continue;
                light_write(b, i, false);
                if (l->relay.ops)
                        l->relay.ops->close(l->relay.ctx);
        }
        if (b->light_vt >= 0)
                loop_del_vtimer(b->loop, b->light_vt);
        if (b->press_vt >= 0)
                loop_del_vtimer(b->loop, b->press_vt);
        if (b->pipe_r >= 0) {
                loop_del_fd(b->loop, b->pipe_r);
                close(b->pipe_r);
        }
        if (b->pipe_w >= 0)
                close(b->pipe_w);
        if (b->stop_r >= 0)
                close(b->stop_r);
        free(b);
}

static void probe_one(const char *what, const struct button_cfg *c, FILE *out)
{
        struct button_line *l = NULL;
        char path[CONFIG_PATH_MAX];
        bool pressed;
        int rc = open_line(c, &l, path, sizeof(path));

        if (rc == 0)
                rc = button_line_get(l, &pressed);
        if (rc < 0)
                fprintf(out, "  %s: %s line %d: %s\n", what, c->chip, c->line,
                        strerror(-rc));
        else
                fprintf(out, "  %s: %s line %d: %s (%s level, %s)\n", what,
                        path, c->line, pressed ? "pressed" : "released",
                        pressed != c->active_low ? "high" : "low",
                        c->active_low ? "active low" : "active high");
        button_line_close(l);
}

void buttons_probe(const struct config *cfg, FILE *out)
{
        int n = 0;

        fprintf(out, "Buttons in the config: (press one and probe again to "
                "check the wiring)\n");
        for (int i = 0; cfg && i < cfg->nzones; i++) {
                if (!cfg->zones[i].button.set ||
                    cfg->zones[i].relay.type == RELAY_SIM)
                        continue;
                probe_one(cfg->zones[i].name, &cfg->zones[i].button, out);
                n++;
        }
        if (cfg && cfg->button.set && cfg->nzones > 0 &&
            cfg->zones[0].relay.type != RELAY_SIM) {
                probe_one("button", &cfg->button, out);
                n++;
        }
        if (!n)
                fprintf(out, "  none configured on GPIO\n");
}
