/* reader.c: see reader.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "daemon/reader.h"
#include "hw/sim.h"

static void post(const struct reader *r, const struct reader_result *res)
{
        /* Under PIPE_BUF, so the write is atomic among readers. */
        ssize_t n;
        do
                n = write(r->out_fd, res, sizeof(*res));
        while (n < 0 && errno == EINTR);
}

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
                post(r, &res);

                pthread_mutex_lock(&r->mu);
        }
        pthread_mutex_unlock(&r->mu);
        return NULL;
}

/* The simulated conversion is done: its answer goes the way a thread's
 * would. */
static double on_conversion(void *ctx)
{
        struct reader *r = ctx;

        r->vtimer = -1;
        post(r, &r->answer);
        return LOOP_TIMER_STOP;
}

static bool request_virtual(struct reader *r)
{
        if (r->busy)
                return false;
        r->busy = true;
        uint64_t after = 0;
        r->answer = (struct reader_result){ .zone = r->zone, .kind = r->kind };
        r->answer.err = sim_sample(r->sim, &r->answer.temp_c, &after);
        r->vtimer = loop_add_vtimer(r->loop, (double)after, on_conversion, r);
        if (r->vtimer < 0) {
                /* No room for the timer: an answer that says so, at once. */
                r->answer.err = r->vtimer;
                post(r, &r->answer);
                r->vtimer = -1;
        }
        return true;
}

int reader_start(struct reader *r, const struct sensor *sensor, int zone,
                 enum io_kind kind, int out_fd, struct loop *loop)
{
        memset(r, 0, sizeof(*r));
        r->sensor = *sensor;
        r->zone = zone;
        r->kind = kind;
        r->out_fd = out_fd;
        r->vtimer = -1;
        r->sim = sim_of_sensor(sensor);
        if (r->sim) {
                if (!loop)
                        return -EINVAL;
                r->loop = loop;
                r->started = true;
                return 0;
        }
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

        if (r->sim)
                return r->started && request_virtual(r);
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
        if (r->sim) {
                r->busy = false;
                return;
        }
        pthread_mutex_lock(&r->mu);
        r->busy = false;
        pthread_mutex_unlock(&r->mu);
}

void reader_stop(struct reader *r)
{
        if (!r->started)
                return;
        if (r->sim) {
                if (r->vtimer >= 0)
                        loop_del_vtimer(r->loop, r->vtimer);
                r->vtimer = -1;
                r->started = false;
                return;
        }
        pthread_mutex_lock(&r->mu);
        r->quit = true;
        pthread_cond_signal(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->thread, NULL);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        r->started = false;
}
