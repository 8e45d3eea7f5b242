/* Unit tests for state_writer.c: latest wins (a burst while a write is
 * under way costs one more write, of the newest snapshot), a clean stop
 * writes what is still waiting, a failed write is reported (and the next
 * good one too), the file reads back after each write, a reader never sees
 * a torn file while writes go on, and a wait returns once the file is on
 * disk. Each snapshot is marked by its hold_left_s. Uses a fresh temporary
 * directory. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/state_writer.h"
#include "test.h"

static char dir[64], path[128];

static int setup(void **state)
{
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/heatpad-writer-XXXXXX");
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/state.json", dir);
        return 0;
}

static void empty_dir(const char *d_path)
{
        DIR *d = opendir(d_path);
        struct dirent *e;
        char p[300];

        while (d && (e = readdir(d)))
                if (e->d_name[0] != '.') {
                        snprintf(p, sizeof(p), "%s/%s", d_path, e->d_name);
                        unlink(p);
                }
        if (d)
                closedir(d);
}

static int teardown(void **state)
{
        (void)state;
        empty_dir(dir);
        rmdir(dir);
        return 0;
}

/* A snapshot marked k, with a schedule so the file is a few KB. */
static struct state_data snapshot(long long k)
{
        struct state_data st = { .hold_left_s = k,
                                 .record = { .injury = k % 2 != 0 } };
        st.schedule.n = 12;
        for (int i = 0; i < st.schedule.n; i++)
                st.schedule.e[i] = (struct schedule_entry){
                        .zone_id = "neck", .days = 0x7f,
                        .start_min = (int)((k + i) % 1440), .minutes = 20,
                        .setpoint_c = 39.5, .enabled = true };
        return st;
}

/* The mark of the file on disk; fails the test if it does not read. */
static long long mark_on_disk(void)
{
        struct state_data back;
        char err[256];

        assert_int_equal(state_load(path, &back, err, sizeof(err)), 0);
        return back.hold_left_s;
}

/* Waits (at most 10 s) for the result of snapshot seq or a later one. */
static int wait_result(struct state_writer *w, uint64_t seq)
{
        struct pollfd p = { .fd = state_writer_fd(w), .events = POLLIN };
        uint64_t got = 0;
        int rc = 1;

        while (got < seq) {
                assert_int_equal(poll(&p, 1, 10000), 1);
                if (!state_writer_take(w, &got, &rc))
                        continue;
        }
        assert_true(got == seq);
        return rc;
}

/* A save that the test holds open: it says when a write began, and waits
 * for the gate before writing for real. */
static struct {
        pthread_mutex_t mu;
        pthread_cond_t cv;
        bool open;
        int calls;
        long long marks[16];
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0, { 0 } };

static int gated_save(const char *p, const struct state_data *st)
{
        pthread_mutex_lock(&gate.mu);
        if (gate.calls < 16)
                gate.marks[gate.calls] = st->hold_left_s;
        gate.calls++;
        pthread_cond_broadcast(&gate.cv);
        while (!gate.open)
                pthread_cond_wait(&gate.cv, &gate.mu);
        pthread_mutex_unlock(&gate.mu);
        return state_save(p, st);
}

static void gate_reset(void)
{
        gate.open = false;
        gate.calls = 0;
        memset(gate.marks, 0, sizeof(gate.marks));
}

static void gate_wait_calls(int n)
{
        pthread_mutex_lock(&gate.mu);
        while (gate.calls < n)
                pthread_cond_wait(&gate.cv, &gate.mu);
        pthread_mutex_unlock(&gate.mu);
}

static void gate_open(void)
{
        pthread_mutex_lock(&gate.mu);
        gate.open = true;
        pthread_cond_broadcast(&gate.cv);
        pthread_mutex_unlock(&gate.mu);
}

static void latest_wins(void **state)
{
        struct state_writer *w;
        struct state_data st;

        (void)state;
        gate_reset();
        assert_int_equal(state_writer_start(&w, path, gated_save), 0);
        st = snapshot(1);
        assert_true(state_writer_post(w, &st) == 1);
        gate_wait_calls(1);             /* the first is being written */
        for (int k = 2; k <= 50; k++) {
                st = snapshot(k);
                assert_true(state_writer_post(w, &st) == (uint64_t)k);
        }
        gate_open();
        assert_int_equal(wait_result(w, 50), 0);
        /* Two writes: the first, then only the newest of the 49 after it. */
        assert_int_equal(gate.calls, 2);
        assert_int_equal(gate.marks[0], 1);
        assert_int_equal(gate.marks[1], 50);
        assert_int_equal(mark_on_disk(), 50);
        assert_int_equal(state_writer_stop(w), 0);
        assert_int_equal(gate.calls, 2);        /* nothing left to write */
}

/* The post does not wait for a write under way (the loop's point). */
static void post_does_not_wait_for_the_file(void **state)
{
        struct state_writer *w;
        struct state_data st = snapshot(1);
        uint64_t seq;
        int rc;

        (void)state;
        gate_reset();
        assert_int_equal(state_writer_start(&w, path, gated_save), 0);
        state_writer_post(w, &st);
        gate_wait_calls(1);
        st = snapshot(2);
        state_writer_post(w, &st);      /* would hang here if it waited */
        assert_false(state_writer_take(w, &seq, &rc));
        assert_int_equal(access(path, F_OK), -1);
        gate_open();
        assert_int_equal(wait_result(w, 2), 0);
        assert_int_equal(state_writer_stop(w), 0);
}

static void stop_writes_the_last_snapshot(void **state)
{
        struct state_writer *w;
        struct state_data st;

        (void)state;
        /* Held open: at stop, 2 is waiting behind 1. */
        gate_reset();
        assert_int_equal(state_writer_start(&w, path, gated_save), 0);
        st = snapshot(1);
        state_writer_post(w, &st);
        gate_wait_calls(1);
        st = snapshot(2);
        state_writer_post(w, &st);
        gate_open();
        assert_int_equal(state_writer_stop(w), 0);
        assert_int_equal(gate.calls, 2);
        assert_int_equal(mark_on_disk(), 2);

        /* A burst then an immediate stop, with the real save: whatever the
         * thread was doing, the newest is on disk. */
        for (int round = 0; round < 20; round++) {
                assert_int_equal(state_writer_start(&w, path, NULL), 0);
                for (int k = 1; k <= 30; k++) {
                        st = snapshot(round * 100 + k);
                        state_writer_post(w, &st);
                }
                assert_int_equal(state_writer_stop(w), 0);
                assert_int_equal(mark_on_disk(), round * 100 + 30);
        }
        /* No temp file left behind. */
        char tmp[160];
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        assert_int_equal(access(tmp, F_OK), -1);
}

static void stop_without_posts_writes_nothing(void **state)
{
        struct state_writer *w;

        (void)state;
        assert_int_equal(state_writer_start(&w, path, NULL), 0);
        assert_int_equal(state_writer_stop(w), 0);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(state_writer_stop(NULL), 0);
}

static void failure_is_reported_then_recovery(void **state)
{
        char sub[128], in_sub[160];
        struct state_writer *w;
        struct state_data st = snapshot(7);

        (void)state;
        /* A folder that is not there (a read-only one would not stop root,
         * which the tests may run as). */
        snprintf(sub, sizeof(sub), "%s/gone", dir);
        snprintf(in_sub, sizeof(in_sub), "%s/state.json", sub);
        assert_int_equal(state_writer_start(&w, in_sub, NULL), 0);
        assert_int_equal(wait_result(w, state_writer_post(w, &st)), -ENOENT);
        /* Tried again on the next post, and said when it works again. */
        assert_int_equal(wait_result(w, state_writer_post(w, &st)), -ENOENT);
        assert_int_equal(mkdir(sub, 0700), 0);
        st = snapshot(8);
        assert_int_equal(wait_result(w, state_writer_post(w, &st)), 0);
        /* A failure that the loop has not taken comes back from stop. */
        empty_dir(sub);
        assert_int_equal(rmdir(sub), 0);
        state_writer_post(w, &st);
        assert_int_equal(state_writer_stop(w), -ENOENT);
}

static void file_reads_back_after_each_write(void **state)
{
        struct state_writer *w;

        (void)state;
        assert_int_equal(state_writer_start(&w, path, NULL), 0);
        for (int k = 1; k <= 25; k++) {
                struct state_data st = snapshot(k);
                assert_int_equal(wait_result(w, state_writer_post(w, &st)), 0);
                assert_int_equal(mark_on_disk(), k);
        }
        assert_int_equal(state_writer_stop(w), 0);
}

/* wait blocks until the snapshot is on disk, and its result still comes
 * to take. */
static void wait_returns_once_on_disk(void **state)
{
        char in_sub[160];
        struct state_writer *w;
        uint64_t seq;
        int rc;

        (void)state;
        assert_int_equal(state_writer_start(&w, path, NULL), 0);
        for (int k = 1; k <= 10; k++) {
                struct state_data st = snapshot(k);
                assert_int_equal(state_writer_wait(w, state_writer_post(w, &st)), 0);
                assert_int_equal(mark_on_disk(), k);
        }
        assert_true(state_writer_take(w, &seq, &rc));
        assert_true(seq == 10);
        assert_int_equal(rc, 0);
        assert_int_equal(state_writer_wait(w, 99), 0);  /* never posted */
        assert_int_equal(state_writer_stop(w), 0);

        snprintf(in_sub, sizeof(in_sub), "%s/gone/state.json", dir);
        assert_int_equal(state_writer_start(&w, in_sub, NULL), 0);
        struct state_data st = snapshot(1);
        assert_int_equal(state_writer_wait(w, state_writer_post(w, &st)), -ENOENT);
        assert_int_equal(state_writer_stop(w), -ENOENT);
}

/* Reads the file over and over while the writer writes it: every read is
 * a whole file, old or new. */
static struct {
        volatile bool stop;
        int reads, torn;
} rd;

static void *reader_main(void *arg)
{
        (void)arg;
        while (!rd.stop) {
                FILE *f = fopen(path, "rb");
                char buf[16384], err[256];
                struct state_data back;
                size_t n;

                if (!f)
                        continue;       /* before the first write */
                n = fread(buf, 1, sizeof(buf) - 1, f);
                fclose(f);
                buf[n] = '\0';
                rd.reads++;
                if (n < 2 || strcmp(buf + n - 2, "}\n") != 0 ||
                    state_from_json(buf, &back, err, sizeof(err)) != 0)
                        rd.torn++;
        }
        return NULL;
}

static void no_torn_file(void **state)
{
        struct state_writer *w;
        pthread_t t;
        uint64_t last = 0;

        (void)state;
        rd.stop = false;
        rd.reads = rd.torn = 0;
        assert_int_equal(state_writer_start(&w, path, NULL), 0);
        assert_int_equal(pthread_create(&t, NULL, reader_main, NULL), 0);
        for (int k = 1; k <= 300; k++) {
                struct state_data st = snapshot(k);
                last = state_writer_post(w, &st);
                if (k % 10 == 0)
                        assert_int_equal(wait_result(w, last), 0);
        }
        assert_int_equal(state_writer_stop(w), 0);
        rd.stop = true;
        pthread_join(t, NULL);
        assert_true(rd.reads > 0);
        assert_int_equal(rd.torn, 0);
        assert_int_equal(mark_on_disk(), 300);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(latest_wins, setup, teardown),
                cmocka_unit_test_setup_teardown(post_does_not_wait_for_the_file, setup, teardown),
                cmocka_unit_test_setup_teardown(stop_writes_the_last_snapshot, setup, teardown),
                cmocka_unit_test_setup_teardown(stop_without_posts_writes_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(failure_is_reported_then_recovery, setup, teardown),
                cmocka_unit_test_setup_teardown(file_reads_back_after_each_write, setup, teardown),
                cmocka_unit_test_setup_teardown(no_torn_file, setup, teardown),
                cmocka_unit_test_setup_teardown(wait_returns_once_on_disk, setup, teardown),
        };
        return cmocka_run_group_tests_name("state_writer", tests, NULL, NULL);
}
