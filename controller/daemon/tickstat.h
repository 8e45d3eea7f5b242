/* tickstat.h: how late a periodic tick runs, as a few numbers.
 *
 * The control tick is due every second; under load (a flood of page
 * requests, a busy machine) it may run late, and a tick that runs late
 * often is a loop that is not keeping up. This module keeps the lateness
 * of each tick since the last reset: the count, the largest, and a
 * log-spaced histogram (4 bins an octave from 10 us up, so a quantile is
 * within 19 % of the truth) from which it answers quantiles. Fixed size, no
 * allocation, no clock: the caller measures and passes milliseconds in. */
#ifndef HEATPAD_TICKSTAT_H
#define HEATPAD_TICKSTAT_H

#include <stdint.h>

#define TICKSTAT_BINS 96        /* 10 us .. ~140 s; the last bin is open */

struct tickstat {
        uint64_t count;
        double max_ms;
        uint32_t bins[TICKSTAT_BINS];
};

/* Empties it (a zeroed struct is empty too). */
void tickstat_reset(struct tickstat *s);

/* Adds one tick that ran late_ms after it was due; negative or NaN
 * counts as on time (0). */
void tickstat_add(struct tickstat *s, double late_ms);

/* The q-quantile (0..1) of the lateness since the reset, in ms: the upper
 * edge of the bin that holds it, never above the largest sample. 0 when
 * empty. */
double tickstat_quantile(const struct tickstat *s, double q);

#endif
