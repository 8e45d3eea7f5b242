/* reader.c: see reader.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "daemon/reader.h"

static void *reader_main(void *arg)
{
        struct reader *r = arg;

        pthread_mutex_lock(&r->mu);
        for (;;) {
                while (!r->want && !r->quit)
                        pthread_cond_wait(&r->cv, &r->mu);
                if (r->quit)
                        break;
                r->want = false;
                pthread_mutex_unlock(&r->mu);

                struct reader_result res = { .zone = r->zone,
                                             .kind = r->kind };
                res.err = r->sensor.ops->read(r->sensor.ctx, &res.temp_c);
                /* Under PIPE_BUF, so the write is atomic among readers. */
                ssize_t n;
                do
                        n = write(r->out_fd, &res, sizeof(res));
                while (n < 0 && errno == EINTR);

                pthread_mutex_lock(&r->mu);
        }
        pthread_mutex_unlock(&r->mu);
        return NULL;
}

int reader_start(struct reader *r, const struct sensor *sensor, int zone,
                 enum io_kind kind, int out_fd)
{
        memset(r, 0, sizeof(*r));
        r->sensor = *sensor;
        r->zone = zone;
        r->kind = kind;
        r->out_fd = out_fd;
        pthread_mutex_init(&r->mu, NULL);
        pthread_cond_init(&r->cv, NULL);
        int rc = pthread_create(&r->thread, NULL, reader_main, r);
        if (rc != 0)
                return -rc;
        r->started = true;
        return 0;
}

bool reader_request(struct reader *r)
{
        bool asked = false;

        pthread_mutex_lock(&r->mu);
        if (!r->busy) {
                r->busy = true;
                r->want = true;
                asked = true;
                pthread_cond_signal(&r->cv);
        }
        pthread_mutex_unlock(&r->mu);
        return asked;
}

void reader_done(struct reader *r)
{
        pthread_mutex_lock(&r->mu);
        r->busy = false;
        pthread_mutex_unlock(&r->mu);
}

void reader_stop(struct reader *r)
{
        if (!r->started)
                return;
        pthread_mutex_lock(&r->mu);
        r->quit = true;
        pthread_cond_signal(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->thread, NULL);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        r->started = false;
}
