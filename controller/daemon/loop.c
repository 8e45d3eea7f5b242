/* loop.c: see loop.h. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "daemon/loop.h"

#define LOOP_MAX_FDS 64
#define LOOP_MAX_TIMERS 16
/* The tick, the fault plan and clock steps, two sensors a zone. */
#define LOOP_MAX_VTIMERS 40

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

struct vtimer {
        bool used;
        double due_ms;          /* on the vclock's mono (real: real ms) */
        uint64_t seq;           /* order of adding: ties run in it */
        uint64_t pass;          /* the run_vtimers pass it last ran in */
        loop_timer_fn fn;
        void *ctx;
};

struct loop {
        int epfd;
        struct watch watches[LOOP_MAX_FDS];
        struct timer timers[LOOP_MAX_TIMERS];
        double late_ms;         /* of the timer callback now running */
        struct vclock *clock;   /* NULL or real: vtimers are real */
        struct vtimer vtimers[LOOP_MAX_VTIMERS];
        uint64_t vseq, vpass;
        double pace_real0, pace_mono0;  /* paced: where the pace began */
        bool advancing;                 /* control: inside loop_advance */
        uint64_t advance_to;            /* its end, mono ms */
        loop_done_fn done;
        void *done_ctx;
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

static bool is_virtual(const struct loop *l)
{
        return l->clock && vclock_virtual(l->clock);
}

/* Now on the vtimers' clock. */
static double vnow(const struct loop *l)
{
        return is_virtual(l) ? (double)vclock_mono_ms(l->clock) : now_ms();
}

void loop_set_vclock(struct loop *l, struct vclock *c)
{
        l->clock = c;
        l->pace_real0 = now_ms();
        l->pace_mono0 = c ? (double)vclock_mono_ms(c) : 0;
}

int loop_add_vtimer(struct loop *l, double first_ms, loop_timer_fn fn,
                    void *ctx)
{
        for (int i = 0; i < LOOP_MAX_VTIMERS; i++) {
                struct vtimer *t = &l->vtimers[i];
                if (t->used)
                        continue;
                *t = (struct vtimer){ .used = true,
                                      .due_ms = vnow(l) + first_ms,
                                      .seq = l->vseq++, .pass = l->vpass,
                                      .fn = fn, .ctx = ctx };
                return i;
        }
        return -ENOSPC;
}

void loop_del_vtimer(struct loop *l, int id)
{
        if (id >= 0 && id < LOOP_MAX_VTIMERS)
                l->vtimers[id].used = false;
}

int loop_advance(struct loop *l, double ms, loop_done_fn done, void *ctx)
{
        if (!l->clock || l->clock->mode != VCLOCK_CONTROL || !(ms >= 0) ||
            !isfinite(ms) || ms > 1e15)
                return -EINVAL;
        if (l->advancing)
                return -EBUSY;
        l->advancing = true;
        l->advance_to = vclock_mono_ms(l->clock) + (uint64_t)llround(ms);
        l->done = done;
        l->done_ctx = ctx;
        return 0;
}

/* The earliest vtimer (ties: the first added) not yet run in this pass;
 * -1 if none. */
static int next_vtimer(const struct loop *l, bool this_pass_too)
{
        int best = -1;
        for (int i = 0; i < LOOP_MAX_VTIMERS; i++) {
                const struct vtimer *t = &l->vtimers[i];
                if (!t->used || (!this_pass_too && t->pass == l->vpass))
                        continue;
                if (best < 0 || t->due_ms < l->vtimers[best].due_ms ||
                    (t->due_ms == l->vtimers[best].due_ms &&
                     t->seq < l->vtimers[best].seq))
                        best = i;
        }
        return best;
}

/* Where the pace says virtual time should be now, in mono ms. */
static double pace_target(const struct loop *l, double real_now)
{
        return l->pace_mono0 + l->clock->speed * (real_now - l->pace_real0);
}

static double vtimer_late_ms(const struct loop *l, double due)
{
        if (!is_virtual(l))
                return now_ms() - due;
        if (l->clock->mode != VCLOCK_PACED)
                return 0;
        double real_due = l->pace_real0 + (due - l->pace_mono0) /
                          l->clock->speed;
        double late = now_ms() - real_due;
        return late > 0 ? late : 0;
}

/* Runs every vtimer due by now, earliest first, each at most once. */
static void run_vtimers(struct loop *l)
{
        l->vpass++;
        for (;;) {
                int i = next_vtimer(l, false);
                if (i < 0)
                        break;
                struct vtimer *t = &l->vtimers[i];
                double now = vnow(l);
                if (t->due_ms > now)
                        break;
                t->pass = l->vpass;
                l->late_ms = vtimer_late_ms(l, t->due_ms);
                double next = t->fn(t->ctx);
                if (!t->used)
                        continue;       /* it deleted itself */
                if (next < 0) {
                        t->used = false;
                        continue;
                }
                t->due_ms += next;
                /* Real time: after a stall, keep the cadence without a
                 * burst. Virtual time never stalls past a deadline. */
                if (!is_virtual(l) && t->due_ms < now)
                        t->due_ms = now + next;
        }
}

/* How long the loop may sleep, in real ms, for the vtimers' sake. */
static int vtimer_wait_ms(const struct loop *l, int wait)
{
        int i = next_vtimer(l, true);
        double due = i >= 0 ? l->vtimers[i].due_ms : INFINITY;
        double now = vnow(l), d;

        if (!is_virtual(l)) {
                d = due - now;
        } else if (l->clock->mode == VCLOCK_PACED) {
                d = (due - pace_target(l, now_ms())) / l->clock->speed;
        } else if (l->clock->mode == VCLOCK_MAX) {
                d = i >= 0 ? 0 : INFINITY;
        } else {
                d = l->advancing ? 0 : INFINITY;
        }
        if (d >= wait)
                return wait;
        return d <= 0 ? 0 : (int)ceil(d);
}

/* Moves a virtual clock once: to the next deadline or the pace, never
 * past the deadline; then runs what is due. nready: fds were ready this
 * round (their work came first; max and control do not jump then). */
static void step_virtual(struct loop *l, int nready)
{
        struct vclock *c = l->clock;
        int i = next_vtimer(l, true);
        double due = i >= 0 ? l->vtimers[i].due_ms : INFINITY;
        double now = vnow(l), to = now;

        switch (c->mode) {
        case VCLOCK_PACED: {
                double target = floor(pace_target(l, now_ms()));
                to = due <= target ? due : target;
                break;
        }
        case VCLOCK_MAX:
                if (!nready && i >= 0)
                        to = due;
                break;
        case VCLOCK_CONTROL:
                if (!l->advancing)
                        return;         /* paused: nothing runs */
                if (nready)
                        break;
                if (due <= (double)l->advance_to) {
                        to = due;
                } else if (now < (double)l->advance_to) {
                        to = (double)l->advance_to;
                } else {
                        /* At the end, all due work done, nothing ready. */
                        l->advancing = false;
                        if (l->done)
                                l->done(l->done_ctx);
                        return;
                }
                break;
        default:
                return;
        }
        if (to > now)
                vclock_advance_to(c, (uint64_t)ceil(to));
        run_vtimers(l);
}

/* Paced: a request served between deadlines sees the time the pace says,
 * up to the next deadline and not past it. */
static void follow_pace(struct loop *l)
{
        int i = next_vtimer(l, true);
        double to = floor(pace_target(l, now_ms()));
        if (i >= 0 && l->vtimers[i].due_ms < to)
                to = l->vtimers[i].due_ms;
        if (to > vnow(l))
                vclock_advance_to(l->clock, (uint64_t)to);
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
        wait = vtimer_wait_ms(l, wait);
        int n = epoll_wait(l->epfd, evs, 16, wait);
        if (n < 0 && errno != EINTR)
                return -errno;
        if (is_virtual(l) && l->clock->mode == VCLOCK_PACED)
                follow_pace(l);
        for (int i = 0; i < n; i++) {
                struct watch *w = &l->watches[evs[i].data.u32];
                if (w->fd >= 0)
                        w->fn(w->ctx, w->fd, evs[i].events);
        }
        run_timers(l);
        if (is_virtual(l))
                step_virtual(l, n > 0 ? n : 0);
        else
                run_vtimers(l);
        return 0;
}
