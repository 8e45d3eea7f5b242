/* Unit tests for the simulation's control socket (simctl.c) over a loop
 * whose clock is under control. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "test.h"
#include "daemon/loop.h"
#include "daemon/simctl.h"
#include "daemon/vclock.h"

#define START 1795521600

struct world {
        struct vclock clock;
        struct loop *loop;
        struct simctl *ctl;
        int ticks;
        int commits;
        int ticks_at_commit;
        long long stepped;
        char path[64];
};

static double on_tick(void *ctx)
{
        struct world *w = ctx;
        w->ticks++;
        return 1000;
}

static void on_commit(void *ctx)
{
        struct world *w = ctx;
        w->commits++;
        w->ticks_at_commit = w->ticks;
}

static void on_step(void *ctx, long long seconds)
{
        struct world *w = ctx;
        w->stepped += seconds;
        vclock_step(&w->clock, seconds);
}

static void setup(struct world *w)
{
        memset(w, 0, sizeof(*w));
        snprintf(w->path, sizeof(w->path), "/tmp/heatpad-simctl-%d.sock",
                 (int)getpid());
        vclock_init_sim(&w->clock, VCLOCK_CONTROL, 1, START);
        w->loop = loop_new();
        loop_set_vclock(w->loop, &w->clock);
        loop_add_vtimer(w->loop, 0, on_tick, w);
        struct simctl_hooks h = { on_commit, on_step, w };
        assert_true(simctl_open(w->path, w->loop, &w->clock, &h, &w->ctl) == 0);
}

static void teardown(struct world *w)
{
        simctl_close(w->ctl);
        assert_true(access(w->path, F_OK) < 0);         /* removed */
        loop_free(w->loop);
}

static int dial(const char *path)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
        assert_true(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
        fcntl(fd, F_SETFL, O_NONBLOCK);
        return fd;
}

/* Runs the loop until `fd` has `lines` reply lines; returns them. */
static char *replies(struct world *w, int fd, int lines)
{
        static char buf[2048];
        size_t len = 0;
        int seen = 0;

        for (int round = 0; round < 200000 && seen < lines; round++) {
                loop_run_once(w->loop, 5);
                ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
                if (n > 0) {
                        for (ssize_t i = 0; i < n; i++)
                                seen += buf[len + (size_t)i] == '\n';
                        len += (size_t)n;
                }
        }
        buf[len] = '\0';
        assert_int_equal(seen, lines);
        return buf;
}

static void now_advance_step_and_refusals(void **state)
{
        struct world w;
        char want[512];
        (void)state;

        setup(&w);
        uint64_t m0 = vclock_mono_ms(&w.clock);
        int fd = dial(w.path);
        const char *req = "now\nadvance 10\nstep -3600\nwarp 9\nadvance -1\n"
                          "advance 0.5\n";
        assert_true(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
        char *got = replies(&w, fd, 6);
        snprintf(want, sizeof(want),
                 "{\"ok\":true,\"mono_ms\":%llu,\"wall\":%d}\n"
                 "{\"ok\":true,\"mono_ms\":%llu,\"wall\":%d}\n"
                 "{\"ok\":true,\"mono_ms\":%llu,\"wall\":%d}\n",
                 (unsigned long long)m0, START,
                 (unsigned long long)m0 + 10000, START + 10,
                 (unsigned long long)m0 + 10000, START + 10 - 3600);
        assert_true(strncmp(got, want, strlen(want)) == 0);
        assert_non_null(strstr(got + strlen(want), "\"ok\":false"));
        /* The tick at 0 and one a second to 10 s: 11; the half second
         * after runs none. The commit came before each advance's reply. */
        assert_int_equal(w.ticks, 11);
        assert_int_equal(w.commits, 2);
        assert_int_equal(w.ticks_at_commit, 11);
        assert_true(w.stepped == -3600);
        assert_true(vclock_virt_ms(&w.clock) == 10500);
        close(fd);
        teardown(&w);
}

static void a_second_client_waits_its_turn(void **state)
{
        struct world w;
        (void)state;

        setup(&w);
        int a = dial(w.path), b = dial(w.path);
        assert_true(write(a, "advance 600\n", 12) == 12);
        /* Let the advance begin before b asks. */
        loop_run_once(w.loop, 5);
        loop_run_once(w.loop, 5);
        assert_true(write(b, "now\n", 4) == 4);
        char ra[128], rb[128];
        snprintf(ra, sizeof(ra), "%s", replies(&w, a, 1));
        snprintf(rb, sizeof(rb), "%s", replies(&w, b, 1));
        /* b's "now" is answered after a's advance ended, so at its end. */
        assert_string_equal(ra, rb);
        assert_int_equal(w.ticks, 601);
        close(a);
        close(b);
        teardown(&w);
}

static void only_a_socket_is_replaced(void **state)
{
        struct vclock c;
        struct simctl *s;
        struct simctl_hooks h = { 0 };
        char path[64];
        (void)state;

        snprintf(path, sizeof(path), "/tmp/heatpad-simctl-file-%d",
                 (int)getpid());
        FILE *f = fopen(path, "w");
        fclose(f);
        vclock_init_sim(&c, VCLOCK_CONTROL, 1, START);
        struct loop *l = loop_new();
        loop_set_vclock(l, &c);
        assert_true(simctl_open(path, l, &c, &h, &s) == -EEXIST);
        assert_true(access(path, F_OK) == 0);
        unlink(path);
        vclock_init_sim(&c, VCLOCK_MAX, 1, START);
        assert_true(simctl_open(path, l, &c, &h, &s) == -EINVAL);
        loop_free(l);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(now_advance_step_and_refusals),
                cmocka_unit_test(a_second_client_waits_its_turn),
                cmocka_unit_test(only_a_socket_is_replaced),
        };
        return cmocka_run_group_tests_name("simctl", tests, NULL, NULL);
}
