/* relay_worker.c: see relay_worker.h. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/relay_worker.h"

static void post(struct relay_worker *w, int err, bool on)
{
        struct reader_result res = { .zone = w->zone, .kind = IO_RELAY,
                                     .err = err, .on = on };
        ssize_t n;
        do
                n = write(w->out_fd, &res, sizeof(res));
        while (n < 0 && errno == EINTR);
}

static void wait_retry(struct relay_worker *w, bool target)
{
        struct timespec until;

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += (long)RELAY_WORKER_RETRY_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        /* A new wish or quit cuts the wait short. */
        while (!w->quit && w->want_on == target)
                if (pthread_cond_timedwait(&w->cv, &w->mu, &until) ==
                    ETIMEDOUT)
                        break;
}

static void *worker_main(void *arg)
{
        struct relay_worker *w = arg;

        pthread_mutex_lock(&w->mu);
        for (;;) {
                while (!w->quit && !w->failing && w->done_valid &&
                       w->done_on == w->want_on)
                        pthread_cond_wait(&w->cv, &w->mu);
                if (w->quit)
                        break;
                bool target = w->want_on;
                pthread_mutex_unlock(&w->mu);

                int rc = w->relay.ops->set(w->relay.ctx, target);

                pthread_mutex_lock(&w->mu);
                if (rc == 0) {
                        w->done_on = target;
                        w->done_valid = true;
                        if (w->failing)
                                post(w, 0, target);
                        w->failing = false;
                        continue;
                }
                w->done_valid = false;
                if (!w->failing)
                        post(w, rc, target);
                w->failing = true;
                wait_retry(w, target);
        }
        pthread_mutex_unlock(&w->mu);
        return NULL;
}

int relay_worker_start(struct relay_worker *w, const struct relay *relay,
                       int zone, int out_fd, bool failing)
{
        pthread_condattr_t ca;

        memset(w, 0, sizeof(*w));
        w->relay = *relay;
        w->zone = zone;
        w->out_fd = out_fd;
        w->failing = failing;
        pthread_mutex_init(&w->mu, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&w->cv, &ca);
        pthread_condattr_destroy(&ca);
        int rc = pthread_create(&w->thread, NULL, worker_main, w);
        if (rc != 0)
                return -rc;
        w->started = true;
        return 0;
}

void relay_worker_set(struct relay_worker *w, bool on)
{
        pthread_mutex_lock(&w->mu);
        if (w->want_on != on) {
                w->want_on = on;
                pthread_cond_signal(&w->cv);
        }
        pthread_mutex_unlock(&w->mu);
}

void relay_worker_stop(struct relay_worker *w)
{
        if (!w->started)
                return;
        pthread_mutex_lock(&w->mu);
        w->quit = true;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        w->started = false;
}
