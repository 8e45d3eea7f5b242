/* loop.c: see loop.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "daemon/loop.h"

#define LOOP_MAX_FDS 64
#define LOOP_MAX_TIMERS 16

struct watch {
        int fd;
        loop_fd_fn fn;
        void *ctx;
};

struct timer {
        bool used;
        double due_ms;          /* real monotonic ms, fractional for speed */
        loop_timer_fn fn;
        void *ctx;
};

struct loop {
        int epfd;
        struct watch watches[LOOP_MAX_FDS];
        struct timer timers[LOOP_MAX_TIMERS];
        double late_ms;         /* of the timer callback now running */
};

/* The real monotonic clock (as vclock_real_ms), to a fraction of a ms:
 * how late a tick runs is mostly well under one. */
static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

struct loop *loop_new(void)
{
        struct loop *l = calloc(1, sizeof(*l));
        if (!l)
                return NULL;
        l->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (l->epfd < 0) {
                free(l);
                return NULL;
        }
        for (int i = 0; i < LOOP_MAX_FDS; i++)
                l->watches[i].fd = -1;
        return l;
}

void loop_free(struct loop *l)
{
        if (!l)
                return;
        close(l->epfd);
        free(l);
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn,
                void *ctx)
{
        for (int i = 0; i < LOOP_MAX_FDS; i++) {
                struct watch *w = &l->watches[i];
                if (w->fd >= 0)
                        continue;
                struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)i };
                if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
                        return -errno;
                *w = (struct watch){ fd, fn, ctx };
                return 0;
        }
        return -ENOSPC;
}

static int find_fd(struct loop *l, int fd)
{
        for (int i = 0; i < LOOP_MAX_FDS; i++)
                if (l->watches[i].fd == fd)
                        return i;
        return -1;
}

int loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
        int i = find_fd(l, fd);
        if (i < 0)
                return -ENOENT;
        struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)i };
        return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void loop_del_fd(struct loop *l, int fd)
{
        int i = find_fd(l, fd);
        if (i < 0)
                return;
        epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
        l->watches[i].fd = -1;
}

int loop_add_timer(struct loop *l, double first_ms, loop_timer_fn fn,
                   void *ctx)
{
        for (int i = 0; i < LOOP_MAX_TIMERS; i++) {
                struct timer *t = &l->timers[i];
                if (t->used)
                        continue;
                *t = (struct timer){ true, now_ms() + first_ms,
                                     fn, ctx };
                return i;
        }
        return -ENOSPC;
}

void loop_del_timer(struct loop *l, int id)
{
        if (id >= 0 && id < LOOP_MAX_TIMERS)
                l->timers[id].used = false;
}

double loop_timer_late_ms(const struct loop *l)
{
        return l->late_ms;
}

static void run_timers(struct loop *l)
{
        for (int i = 0; i < LOOP_MAX_TIMERS; i++) {
                struct timer *t = &l->timers[i];
                if (!t->used)
                        continue;
                /* Read afresh for each: an earlier callback takes time. */
                double now = now_ms();
                if (t->due_ms > now)
                        continue;
                l->late_ms = now - t->due_ms;
                double next = t->fn(t->ctx);
                if (next < 0) {
                        t->used = false;
                        continue;
                }
                /* Keep the cadence; after a stall, do not fire in a burst. */
                t->due_ms += next;
                if (t->due_ms < now)
                        t->due_ms = now + next;
        }
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
        struct epoll_event evs[16];
        double now = now_ms();
        int wait = max_wait_ms;

        for (int i = 0; i < LOOP_MAX_TIMERS; i++) {
                const struct timer *t = &l->timers[i];
                if (!t->used)
                        continue;
                double d = t->due_ms - now;
                int ms = d <= 0 ? 0 : (int)d + (d > (int)d);
                if (ms < wait)
                        wait = ms;
        }
        int n = epoll_wait(l->epfd, evs, 16, wait);
        if (n < 0 && errno != EINTR)
                return -errno;
        for (int i = 0; i < n; i++) {
                struct watch *w = &l->watches[evs[i].data.u32];
                if (w->fd >= 0)
                        w->fn(w->ctx, w->fd, evs[i].events);
        }
        run_timers(l);
        return 0;
}
