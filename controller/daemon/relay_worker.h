/* relay_worker.h: relay writes off the loop thread, for blocking relays.
 *
 * A Modbus coil write can wait a timeout (seconds with retries). Such a
 * relay gets one worker thread per zone: the loop states what the relay
 * must be (relay_worker_set, which never blocks), the worker writes the
 * newest wish and posts each failure, and the first success after one, to
 * the same pipe the readers use (struct reader_result, IO_RELAY). A failed
 * write is retried every RELAY_WORKER_RETRY_MS until it lands, so a relay
 * that lost its link hears off as soon as it is back; wishes do not queue,
 * only the newest counts.
 *
 * Why a separate thread and not the reader's: an off write must not wait
 * behind a sensor read that is stuck in a 2 s timeout. Why not for every
 * relay: a GPIO write is a quick ioctl and stays on the loop, synchronous.
 * The off writes at exit do not go through here: relay_worker_stop() joins
 * the thread and hw_close_zone() then writes off synchronously and checks
 * the answer, so off on exit is certain, not merely queued. */
#ifndef HEATPAD_RELAY_WORKER_H
#define HEATPAD_RELAY_WORKER_H

#include <pthread.h>
#include <stdbool.h>

#include "hw/hw.h"
#include "daemon/reader.h"

#define RELAY_WORKER_RETRY_MS 500

struct relay_worker {
        pthread_t thread;
        pthread_mutex_t mu;
        pthread_cond_t cv;
        struct relay relay;
        int zone;
        int out_fd;
        bool want_on;           /* the newest wish */
        bool done_on;           /* what the relay last confirmed */
        bool done_valid;        /* ...and whether that is known */
        bool failing;           /* the last write failed (posted once) */
        bool quit, started;
};

/* Starts the thread. The relay's state counts as unknown, so the worker
 * writes off first. `failing`: the off written at open was not confirmed
 * (a relay fault is latched), so the first success is posted too and lets
 * that fault be cleared. 0 or -errno. */
int relay_worker_start(struct relay_worker *w, const struct relay *relay,
                       int zone, int out_fd, bool failing);

/* States what the relay must be. Never blocks on the relay. */
void relay_worker_set(struct relay_worker *w, bool on);

/* Stops and joins the thread (waits for a write in progress). Accepts a
 * worker that never started. */
void relay_worker_stop(struct relay_worker *w);

#endif
