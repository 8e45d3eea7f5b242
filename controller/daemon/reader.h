/* reader.h: sensor reads off the loop thread.
 *
 * One thread per zone waits for a request, calls the sensor's read (which
 * may block for a conversion or a timeout), and posts the result to a pipe
 * the loop watches. The loop asks again only when the last answer came, so
 * a slow sensor never queues reads; the safety supervisor's sensor timeout
 * notices one that never answers.
 *
 * A simulated sensor (hw/sim.h) gets no thread: its conversion is sampled
 * at the request and answered by a vtimer on the loop (loop.h) when the
 * conversion is done in virtual time, through the same pipe, so nothing
 * sleeps and a slow machine cannot make it late. */
#ifndef HEATPAD_READER_H
#define HEATPAD_READER_H

#include <pthread.h>
#include <stdbool.h>

#include "daemon/loop.h"
#include "hw/hw.h"

struct sim;

/* What a zone's I/O threads post to the loop. */
enum io_kind {
        IO_READING,             /* the zone's sensor */
        IO_READING2,            /* its second sensor */
        IO_RELAY,               /* a relay write finished (relay_worker.h) */
};

struct reader_result {
        int zone;
        enum io_kind kind;
        int err;                /* 0 or -errno from the sensor or relay */
        double temp_c;          /* readings */
        bool on;                /* relay: what was written */
};

struct reader {
        pthread_t thread;
        pthread_mutex_t mu;
        pthread_cond_t cv;
        bool want, quit, busy, started;
        struct sensor sensor;
        int zone;
        enum io_kind kind;      /* IO_READING or IO_READING2 */
        int out_fd;             /* write end of the results pipe */
        struct sim *sim;        /* simulated: no thread, vtimers on loop */
        struct loop *loop;
        int vtimer;             /* the conversion in flight, or -1 */
        struct reader_result answer;    /* what it will answer */
};

/* Starts the thread, or for a simulated sensor readies its vtimers on
 * loop. 0 or -errno. */
int reader_start(struct reader *r, const struct sensor *sensor, int zone,
                 enum io_kind kind, int out_fd, struct loop *loop);

/* Asks for a read unless one is in flight; returns whether it asked. */
bool reader_request(struct reader *r);

/* Marks the read answered: call when its result was taken from the pipe. */
void reader_done(struct reader *r);

/* Stops and joins the thread (waits for a read in progress). Accepts a
 * reader that never started. */
void reader_stop(struct reader *r);

#endif
