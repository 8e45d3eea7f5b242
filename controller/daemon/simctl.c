/* simctl.c: see simctl.h. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/simctl.h"

#define SIMCTL_MAX_CLIENTS 8
#define SIMCTL_LINE_MAX 128
#define SIMCTL_QUEUE 32
/* A century of virtual time is more than any test needs. */
#define SIMCTL_MAX_ADVANCE_S (100.0 * 365 * 86400)

struct client {
        int fd;                 /* -1: free */
        unsigned gen;           /* tells a reused slot from the old one */
        char buf[SIMCTL_LINE_MAX];
        size_t len;
};

struct request {
        int client;
        unsigned gen;
        char line[SIMCTL_LINE_MAX];
};

struct simctl {
        int fd;
        char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
        struct loop *loop;
        struct vclock *clock;
        struct simctl_hooks hooks;
        struct client clients[SIMCTL_MAX_CLIENTS];
        struct request queue[SIMCTL_QUEUE];
        int head, count;
        bool busy;              /* an advance runs; its client waits */
        struct request current;
};

static void drop_client(struct simctl *s, int i)
{
        struct client *c = &s->clients[i];
        if (c->fd < 0)
                return;
        loop_del_fd(s->loop, c->fd);
        close(c->fd);
        c->fd = -1;
        c->len = 0;
        c->gen++;
}

static void reply(struct simctl *s, const struct request *rq, const char *text)
{
        struct client *c = &s->clients[rq->client];
        size_t len = strlen(text);

        if (c->fd < 0 || c->gen != rq->gen)
                return;         /* it went away meanwhile */
        /* A reply is short; a client that does not read it is dropped
         * rather than let block the loop. */
        ssize_t n = send(c->fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n != (ssize_t)len)
                drop_client(s, rq->client);
}

static void reply_clock(struct simctl *s, const struct request *rq)
{
        char text[96];
        snprintf(text, sizeof(text), "{\"ok\":true,\"mono_ms\":%llu,"
                 "\"wall\":%lld}\n",
                 (unsigned long long)vclock_mono_ms(s->clock),
                 (long long)vclock_wall(s->clock));
        reply(s, rq, text);
}

static void reply_error(struct simctl *s, const struct request *rq,
                        const char *why)
{
        char text[160];
        snprintf(text, sizeof(text), "{\"ok\":false,\"error\":\"%s\"}\n", why);
        reply(s, rq, text);
}

static void pump(struct simctl *s);

static void on_advanced(void *ctx)
{
        struct simctl *s = ctx;

        if (s->hooks.commit)
                s->hooks.commit(s->hooks.ctx);
        s->busy = false;
        reply_clock(s, &s->current);
        pump(s);
}

/* "advance 1.5" -> 1.5; false unless the whole argument is a number. */
static bool parse_seconds(const char *arg, double *ret)
{
        char *end;
        while (*arg == ' ')
                arg++;
        double v = strtod(arg, &end);
        while (*end == ' ')
                end++;
        if (end == arg || *end || !isfinite(v))
                return false;
        *ret = v;
        return true;
}

static void handle(struct simctl *s, const struct request *rq)
{
        const char *line = rq->line;
        double v;

        if (strcmp(line, "now") == 0) {
                reply_clock(s, rq);
        } else if (strncmp(line, "advance ", 8) == 0) {
                if (!parse_seconds(line + 8, &v) || v < 0 ||
                    v > SIMCTL_MAX_ADVANCE_S) {
                        reply_error(s, rq, "advance: seconds, a number >= 0");
                        return;
                }
                s->current = *rq;
                s->busy = true;
                if (loop_advance(s->loop, v * 1000, on_advanced, s) < 0) {
                        s->busy = false;
                        reply_error(s, rq, "advance: the clock is not under "
                                    "control");
                }
        } else if (strncmp(line, "step ", 5) == 0) {
                /* Whole seconds within a week, as --sim-clock-step. */
                if (!parse_seconds(line + 5, &v) || v != floor(v) || v == 0 ||
                    fabs(v) > 7 * 86400) {
                        reply_error(s, rq, "step: whole seconds, + or -, "
                                    "not 0, within a week");
                        return;
                }
                if (s->hooks.step)
                        s->hooks.step(s->hooks.ctx, (long long)v);
                reply_clock(s, rq);
        } else {
                reply_error(s, rq, "unknown request: advance S, now or "
                            "step S");
        }
}

/* Serves queued requests in order until one must wait (an advance). */
static void pump(struct simctl *s)
{
        while (!s->busy && s->count > 0) {
                struct request rq = s->queue[s->head];
                s->head = (s->head + 1) % SIMCTL_QUEUE;
                s->count--;
                handle(s, &rq);
        }
}

static void enqueue(struct simctl *s, int i, const char *line)
{
        struct request rq = { .client = i, .gen = s->clients[i].gen };
        snprintf(rq.line, sizeof(rq.line), "%s", line);
        if (s->count == SIMCTL_QUEUE) {
                reply_error(s, &rq, "busy: too many requests waiting");
                return;
        }
        s->queue[(s->head + s->count) % SIMCTL_QUEUE] = rq;
        s->count++;
}

static void on_client(void *ctx, int fd, uint32_t events)
{
        struct simctl *s = ctx;
        int i = 0;

        (void)events;
        while (i < SIMCTL_MAX_CLIENTS && s->clients[i].fd != fd)
                i++;
        if (i == SIMCTL_MAX_CLIENTS)
                return;
        struct client *c = &s->clients[i];
        ssize_t n = read(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                drop_client(s, i);
                return;
        }
        c->len += (size_t)n;
        c->buf[c->len] = '\0';
        char *start = c->buf, *nl;
        while ((nl = strchr(start, '\n'))) {
                *nl = '\0';
                if (nl > start && nl[-1] == '\r')
                        nl[-1] = '\0';
                if (*start)
                        enqueue(s, i, start);
                start = nl + 1;
        }
        c->len -= (size_t)(start - c->buf);
        memmove(c->buf, start, c->len);
        if (c->len == sizeof(c->buf) - 1) {
                /* A line longer than any request. */
                struct request rq = { .client = i, .gen = c->gen };
                reply_error(s, &rq, "request too long");
                drop_client(s, i);
        }
        pump(s);
}

static void on_listen(void *ctx, int fd, uint32_t events)
{
        struct simctl *s = ctx;

        (void)events;
        for (;;) {
                int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0)
                        return;
                int i = 0;
                while (i < SIMCTL_MAX_CLIENTS && s->clients[i].fd >= 0)
                        i++;
                if (i == SIMCTL_MAX_CLIENTS ||
                    loop_add_fd(s->loop, cfd, EPOLLIN, on_client, s) < 0) {
                        close(cfd);
                        continue;
                }
                s->clients[i].fd = cfd;
                s->clients[i].len = 0;
        }
}

int simctl_open(const char *path, struct loop *l, struct vclock *c,
                const struct simctl_hooks *hooks, struct simctl **ret)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        struct stat st;
        int rc;

        if (c->mode != VCLOCK_CONTROL)
                return -EINVAL;
        if (strlen(path) >= sizeof(addr.sun_path))
                return -ENAMETOOLONG;
        /* A socket left by a run that was killed is replaced; a file that
         * is something else is someone's, and left alone. */
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode))
                        return -EEXIST;
                unlink(path);
        }
        struct simctl *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        for (int i = 0; i < SIMCTL_MAX_CLIENTS; i++)
                s->clients[i].fd = -1;
        s->loop = l;
        s->clock = c;
        s->hooks = *hooks;
        snprintf(s->path, sizeof(s->path), "%s", path);
        memcpy(addr.sun_path, path, strlen(path));
        s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->fd < 0) {
                rc = -errno;
                free(s);
                return rc;
        }
        if (bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
            listen(s->fd, SIMCTL_MAX_CLIENTS) < 0) {
                rc = -errno;
                close(s->fd);
                free(s);
                return rc;
        }
        rc = loop_add_fd(l, s->fd, EPOLLIN, on_listen, s);
        if (rc < 0) {
                close(s->fd);
                unlink(path);
                free(s);
                return rc;
        }
        *ret = s;
        return 0;
}

void simctl_close(struct simctl *s)
{
        if (!s)
                return;
        for (int i = 0; i < SIMCTL_MAX_CLIENTS; i++)
                drop_client(s, i);
        loop_del_fd(s->loop, s->fd);
        close(s->fd);
        unlink(s->path);
        free(s);
}
