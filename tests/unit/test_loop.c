/* Unit tests for the stepped virtual clock (vclock.c) and the loop's
 * virtual-time timers (loop.c). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "daemon/loop.h"
#include "daemon/vclock.h"

#define START 1795521600        /* 2026-11-24 12:00 UTC */

static double real_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_real_ms(double ms)
{
        struct timespec ts = { (time_t)(ms / 1000),
                               (long)(fmod(ms, 1000.0) * 1e6) };
        nanosleep(&ts, NULL);
}

/* What the timers saw: who ran, and the virtual ms (since set-up) then. */
struct seen {
        struct vclock *clock;
        int n;
        int who[64];
        uint64_t at[64];
};

struct tmr {
        struct seen *seen;
        int id;
        double period;          /* LOOP_TIMER_STOP: once */
        double sleep_first_ms;  /* real ms the first call takes */
        int calls;
};

static double on_tmr(void *ctx)
{
        struct tmr *t = ctx;
        struct seen *s = t->seen;

        if (s->n < 64) {
                s->who[s->n] = t->id;
                s->at[s->n] = vclock_virt_ms(s->clock);
                s->n++;
        }
        if (t->calls++ == 0 && t->sleep_first_ms > 0)
                sleep_real_ms(t->sleep_first_ms);
        return t->period;
}

static void stepped_clock_moves_only_when_told(void **state)
{
        struct vclock c;
        (void)state;

        vclock_init_sim(&c, VCLOCK_MAX, 1, START);
        assert_true(vclock_virtual(&c));
        uint64_t m0 = vclock_mono_ms(&c);
        assert_true(m0 > 0);
        sleep_real_ms(20);
        assert_true(vclock_mono_ms(&c) == m0);  /* the wall does not move it */
        assert_true(vclock_wall(&c) == START);
        vclock_advance_to(&c, m0 + 90500);
        assert_true(vclock_virt_ms(&c) == 90500);
        assert_true(vclock_wall(&c) == START + 90);
        vclock_advance_to(&c, m0 + 1000);       /* never back */
        assert_true(vclock_virt_ms(&c) == 90500);
        vclock_step(&c, -3600);
        assert_true(vclock_wall(&c) == START + 90 - 3600);
        assert_true(vclock_mono_ms(&c) == m0 + 90500);

        struct vclock r;
        vclock_init(&r, 1, -1);
        assert_false(vclock_virtual(&r));
        uint64_t before = vclock_real_ms();
        vclock_advance_to(&r, before + 1000000);        /* no effect */
        assert_true(vclock_mono_ms(&r) < before + 1000);
}

static void deadlines_run_in_order(void **state)
{
        struct vclock c;
        struct seen s = { .clock = &c };
        struct tmr t[4] = {
                { &s, 3, LOOP_TIMER_STOP, 0, 0 },
                { &s, 1, LOOP_TIMER_STOP, 0, 0 },
                { &s, 2, LOOP_TIMER_STOP, 0, 0 },
                { &s, 22, LOOP_TIMER_STOP, 0, 0 },
        };
        (void)state;

        vclock_init_sim(&c, VCLOCK_MAX, 1, START);
        struct loop *l = loop_new();
        loop_set_vclock(l, &c);
        assert_true(loop_add_vtimer(l, 300, on_tmr, &t[0]) >= 0);
        assert_true(loop_add_vtimer(l, 100, on_tmr, &t[1]) >= 0);
        assert_true(loop_add_vtimer(l, 200, on_tmr, &t[2]) >= 0);
        assert_true(loop_add_vtimer(l, 200, on_tmr, &t[3]) >= 0);
        for (int i = 0; i < 10; i++)
                assert_true(loop_run_once(l, 1000) == 0);
        assert_int_equal(s.n, 4);
        int want[] = { 1, 2, 22, 3 };
        uint64_t at[] = { 100, 200, 200, 300 };
        for (int i = 0; i < 4; i++) {
                assert_int_equal(s.who[i], want[i]);
                assert_true(s.at[i] == at[i]);
        }
        loop_free(l);
}

static void max_jumps_to_the_next_deadline_at_once(void **state)
{
        struct vclock c;
        struct seen s = { .clock = &c };
        struct tmr hour = { &s, 1, LOOP_TIMER_STOP, 0, 0 };
        (void)state;

        vclock_init_sim(&c, VCLOCK_MAX, 1, START);
        struct loop *l = loop_new();
        loop_set_vclock(l, &c);
        loop_add_vtimer(l, 3600 * 1000, on_tmr, &hour);
        assert_true(loop_run_once(l, 1000) == 0);
        /* One round of at most a real second ran an hour's timer: the loop
         * did not wait for the wall. */
        assert_int_equal(s.n, 1);
        assert_true(s.at[0] == 3600 * 1000);
        assert_true(vclock_virt_ms(&c) == 3600 * 1000);
        loop_free(l);
}

/* An fd that stays ready for a few rounds: one byte read a call. */
struct reader_fd {
        struct vclock *clock;
        int reads;
        uint64_t at[8];
};

static void on_byte(void *ctx, int fd, uint32_t events)
{
        struct reader_fd *r = ctx;
        char b;
        (void)events;
        if (read(fd, &b, 1) == 1 && r->reads < 8)
                r->at[r->reads++] = vclock_virt_ms(r->clock);
}

static void max_does_not_jump_while_an_fd_is_ready(void **state)
{
        struct vclock c;
        struct seen s = { .clock = &c };
        struct tmr tick = { &s, 1, LOOP_TIMER_STOP, 0, 0 };
        struct reader_fd r = { .clock = &c };
        int p[2];
        (void)state;

        vclock_init_sim(&c, VCLOCK_MAX, 1, START);
        struct loop *l = loop_new();
        loop_set_vclock(l, &c);
        assert_true(pipe2(p, O_NONBLOCK) == 0);
        assert_true(write(p[1], "abc", 3) == 3);
        assert_true(loop_add_fd(l, p[0], EPOLLIN, on_byte, &r) == 0);
        loop_add_vtimer(l, 1000, on_tmr, &tick);
        for (int i = 0; i < 6; i++)
                loop_run_once(l, 1000);
        assert_int_equal(r.reads, 3);
        for (int i = 0; i < 3; i++)
                assert_true(r.at[i] == 0);      /* served before the jump */
        assert_int_equal(s.n, 1);
        assert_true(s.at[0] == 1000);
        loop_free(l);
        close(p[0]);
        close(p[1]);
}

static void pacing_never_passes_a_deadline_not_yet_run(void **state)
{
        struct vclock c;
        struct seen s = { .clock = &c };
        /* Every 100 virtual ms; the first call takes 100 real ms, which at
         * 1000x is 100 virtual seconds of pace. */
        struct tmr tick = { &s, 1, 100, 100, 0 };
        (void)state;

        vclock_init_sim(&c, VCLOCK_PACED, 1000, START);
        struct loop *l = loop_new();
        loop_set_vclock(l, &c);
        loop_add_vtimer(l, 100, on_tmr, &tick);
        double t0 = real_ms();
        while (s.n < 20)
                assert_true(loop_run_once(l, 1000) == 0);
        double took = real_ms() - t0;
        /* Each tick ran at its own time, none skipped, none early. */
        for (int i = 0; i < s.n; i++)
                assert_true(s.at[i] == (uint64_t)(i + 1) * 100);
        /* Never ahead of the pace: 2000 virtual ms need 2 real ms. */
        assert_true(vclock_virt_ms(&c) <= 1000 * took + 1);
        assert_true(vclock_virt_ms(&c) < 2100);
        loop_free(l);
}

static void pacing_follows_real_time(void **state)
{
        struct vclock c;
        struct seen s = { .clock = &c };
        struct tmr tick = { &s, 1, 1000, 0, 0 };
        (void)state;

        vclock_init_sim(&c, VCLOCK_PACED, 100, START);
        struct loop *l = loop_new();
        loop_set_vclock(l, &c);
        loop_add_vtimer(l, 1000, on_tmr, &tick);
        double t0 = real_ms();
        while (real_ms() - t0 < 200)
                loop_run_once(l, 1000);
        double took = real_ms() - t0;
        uint64_t v = vclock_virt_ms(&c);
        /* 100x for 200 real ms: about 20 virtual s, never more than the
         * pace allows (slack for the loop's own rounding). */
        assert_true(v <= 100 * took + 1000);
        assert_true(v >= 10000);
        assert_true(s.n >= 10 && s.n <= 21);
        loop_free(l);
}

struct done_ctx {
        int calls;
        uint64_t at;
        struct vclock *clock;
        struct reader_fd *fd;
        int fd_reads_then;
};

static void on_done(void *ctx)
{
        struct done_ctx *d = ctx;
        d->calls++;
        d->at = vclock_virt_ms(d->clock);
        d->fd_reads_then = d->fd ? d->fd->reads : 0;
}

static void control_advance_runs_exactly_its_ticks(void **state)
{
        struct vclock c;
        struct seen s = { .clock = &c };
        struct tmr tick = { &s, 1, 1000, 0, 0 };
        struct done_ctx d = { .clock = &c };
        (void)state;

        vclock_init_sim(&c, VCLOCK_CONTROL, 1, START);
        struct loop *l = loop_new();
        loop_set_vclock(l, &c);
        loop_add_vtimer(l, 0, on_tmr, &tick);
        /* Paused: nothing runs, time stands. */
        for (int i = 0; i < 3; i++)
                loop_run_once(l, 10);
        assert_int_equal(s.n, 0);
        assert_true(vclock_virt_ms(&c) == 0);
        /* advance 0: what is due now, the tick at 0. */
        assert_true(loop_advance(l, 0, on_done, &d) == 0);
        while (!d.calls)
                loop_run_once(l, 10);
        assert_int_equal(s.n, 1);
        /* advance 600 s: exactly 600 ticks, the last at 600 s, then done. */
        d.calls = 0;
        assert_true(loop_advance(l, 600 * 1000, on_done, &d) == 0);
        assert_true(loop_advance(l, 1, on_done, &d) == -EBUSY);
        int rounds = 0;
        while (!d.calls && rounds++ < 100000)
                loop_run_once(l, 10);
        assert_int_equal(d.calls, 1);
        assert_int_equal(tick.calls, 601);
        assert_true(d.at == 600 * 1000);
        assert_true(vclock_virt_ms(&c) == 600 * 1000);
        for (int i = 0; i < s.n; i++)
                assert_true(s.at[i] == (uint64_t)i * 1000);
        /* Paused again. */
        for (int i = 0; i < 3; i++)
                loop_run_once(l, 10);
        assert_int_equal(tick.calls, 601);
        assert_true(loop_advance(l, -1, on_done, &d) == -EINVAL);
        assert_true(loop_advance(l, INFINITY, on_done, &d) == -EINVAL);
        loop_free(l);

        struct vclock m;
        vclock_init_sim(&m, VCLOCK_MAX, 1, START);
        l = loop_new();
        loop_set_vclock(l, &m);
        assert_true(loop_advance(l, 1000, on_done, &d) == -EINVAL);
        loop_free(l);
}

/* A vtimer at the end of an advance posts to a pipe (as a simulated
 * conversion does): done comes after the fd was served. */
static int post_fd = -1;

static double post_byte(void *ctx)
{
        (void)ctx;
        if (write(post_fd, "x", 1) != 1)
                return LOOP_TIMER_STOP;
        return LOOP_TIMER_STOP;
}

static void control_done_after_the_last_work_is_served(void **state)
{
        struct vclock c;
        struct reader_fd r = { .clock = &c };
        struct done_ctx d = { .clock = &c, .fd = &r };
        int p[2];
        (void)state;

        vclock_init_sim(&c, VCLOCK_CONTROL, 1, START);
        struct loop *l = loop_new();
        loop_set_vclock(l, &c);
        assert_true(pipe2(p, O_NONBLOCK) == 0);
        post_fd = p[1];
        loop_add_fd(l, p[0], EPOLLIN, on_byte, &r);
        loop_add_vtimer(l, 5000, post_byte, NULL);
        loop_advance(l, 5000, on_done, &d);
        for (int i = 0; i < 20 && !d.calls; i++)
                loop_run_once(l, 10);
        assert_int_equal(d.calls, 1);
        assert_int_equal(r.reads, 1);
        assert_int_equal(d.fd_reads_then, 1);
        assert_true(r.at[0] == 5000);
        loop_free(l);
        close(p[0]);
        close(p[1]);
}

static void real_clock_vtimers_are_real_timers(void **state)
{
        struct vclock c;
        struct seen s = { .clock = &c };
        struct tmr once = { &s, 1, LOOP_TIMER_STOP, 0, 0 };
        (void)state;

        vclock_init(&c, 1, -1);
        struct loop *l = loop_new();
        loop_set_vclock(l, &c);
        double t0 = real_ms();
        loop_add_vtimer(l, 30, on_tmr, &once);
        while (!s.n)
                loop_run_once(l, 1000);
        assert_true(real_ms() - t0 >= 29);
        loop_free(l);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(stepped_clock_moves_only_when_told),
                cmocka_unit_test(deadlines_run_in_order),
                cmocka_unit_test(max_jumps_to_the_next_deadline_at_once),
                cmocka_unit_test(max_does_not_jump_while_an_fd_is_ready),
                cmocka_unit_test(pacing_never_passes_a_deadline_not_yet_run),
                cmocka_unit_test(pacing_follows_real_time),
                cmocka_unit_test(control_advance_runs_exactly_its_ticks),
                cmocka_unit_test(control_done_after_the_last_work_is_served),
                cmocka_unit_test(real_clock_vtimers_are_real_timers),
        };
        return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
