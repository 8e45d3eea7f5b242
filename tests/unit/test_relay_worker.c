/* Unit tests for relay_worker.c with a fake relay whose writes block and
 * fail on command: the loop's wish never waits, only the newest wish is
 * written, a failure is posted once and retried until it lands, the first
 * success after it is posted, and stop joins a write in progress. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/relay_worker.h"
#include "test.h"

struct fake {
        pthread_mutex_t mu;
        int fail;               /* -errno to return, or 0 */
        int delay_ms;           /* each write takes this long */
        bool writes[64];
        int nwrites;
};

static struct fake relay_fake;

static int fake_set(void *ctx, bool on)
{
        struct fake *f = ctx;
        struct timespec ts = { 0, (long)f->delay_ms * 1000000L };
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&f->mu);
        int rc = f->fail;
        if (f->nwrites < 64)
                f->writes[f->nwrites++] = on;
        pthread_mutex_unlock(&f->mu);
        return rc;
}

static void fake_close(void *ctx)
{
        (void)ctx;
}

static const struct relay_ops fake_ops = {
        .name = "fake", .set = fake_set, .close = fake_close,
        .blocking = true,
};

static int pipefd[2];

static int setup(void **state)
{
        (void)state;
        memset(&relay_fake, 0, sizeof(relay_fake));
        pthread_mutex_init(&relay_fake.mu, NULL);
        return pipe2(pipefd, O_NONBLOCK);
}

static int teardown(void **state)
{
        (void)state;
        close(pipefd[0]);
        close(pipefd[1]);
        pthread_mutex_destroy(&relay_fake.mu);
        return 0;
}

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Waits up to 3 s for a posted result. */
static bool take(struct reader_result *ret)
{
        double until = now_ms() + 3000;
        while (now_ms() < until) {
                if (read(pipefd[0], ret, sizeof(*ret)) == sizeof(*ret))
                        return true;
                usleep(2000);
        }
        return false;
}

static int nwrites(void)
{
        pthread_mutex_lock(&relay_fake.mu);
        int n = relay_fake.nwrites;
        pthread_mutex_unlock(&relay_fake.mu);
        return n;
}

static void wait_writes(int n)
{
        double until = now_ms() + 3000;
        while (nwrites() < n && now_ms() < until)
                usleep(2000);
        assert_true(nwrites() >= n);
}

static void writes_off_first_and_newest_wish(void **state)
{
        struct relay r = { &fake_ops, &relay_fake };
        struct relay_worker w;
        struct reader_result res;
        (void)state;

        relay_fake.delay_ms = 100;
        assert_int_equal(relay_worker_start(&w, &r, 3, pipefd[1], false), 0);
        wait_writes(1);                 /* off, before any wish */
        assert_false(relay_fake.writes[0]);
        /* Wishes while a write is in progress: only the newest counts, and
         * stating one never waits for the relay. */
        relay_worker_set(&w, true);
        wait_writes(2);
        double t0 = now_ms();
        relay_worker_set(&w, false);
        relay_worker_set(&w, true);
        relay_worker_set(&w, false);
        assert_true(now_ms() - t0 < 50);
        usleep(400000);
        relay_worker_stop(&w);
        assert_true(relay_fake.nwrites <= 3);
        assert_false(relay_fake.writes[relay_fake.nwrites - 1]);
        /* Successes are not posted: nothing went wrong. */
        assert_false(read(pipefd[0], &res, sizeof(res)) == sizeof(res));
}

static void failure_posted_once_and_retried(void **state)
{
        struct relay r = { &fake_ops, &relay_fake };
        struct relay_worker w;
        struct reader_result res;
        (void)state;

        relay_fake.fail = -ETIMEDOUT;
        assert_int_equal(relay_worker_start(&w, &r, 5, pipefd[1], false), 0);
        assert_true(take(&res));
        assert_int_equal(res.zone, 5);
        assert_int_equal(res.kind, IO_RELAY);
        assert_int_equal(res.err, -ETIMEDOUT);
        assert_false(res.on);
        /* Retried every RELAY_WORKER_RETRY_MS, but said only once. */
        wait_writes(3);
        assert_false(read(pipefd[0], &res, sizeof(res)) == sizeof(res));
        pthread_mutex_lock(&relay_fake.mu);
        relay_fake.fail = 0;            /* the device answers again */
        pthread_mutex_unlock(&relay_fake.mu);
        assert_true(take(&res));
        assert_int_equal(res.err, 0);
        assert_false(res.on);
        relay_worker_stop(&w);
}

static void unconfirmed_start_posts_first_success(void **state)
{
        struct relay r = { &fake_ops, &relay_fake };
        struct relay_worker w;
        struct reader_result res;
        (void)state;

        assert_int_equal(relay_worker_start(&w, &r, 1, pipefd[1], true), 0);
        assert_true(take(&res));
        assert_int_equal(res.err, 0);   /* lets the relay fault clear */
        relay_worker_stop(&w);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(
                        writes_off_first_and_newest_wish, setup, teardown),
                cmocka_unit_test_setup_teardown(
                        failure_posted_once_and_retried, setup, teardown),
                cmocka_unit_test_setup_teardown(
                        unconfirmed_start_posts_first_success, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
