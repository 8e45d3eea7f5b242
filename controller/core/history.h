/* history.h: the last two hours of temperature and setpoint, per zone.
 *
 * A ring buffer per zone, fed from the control tick: one sample every
 * HISTORY_STEP_MS of the daemon's monotonic clock (virtual in simulation),
 * so the page can draw the last hour without asking the sensors. Pure: time
 * comes in as arguments; no allocation. */
#ifndef HEATPAD_HISTORY_H
#define HEATPAD_HISTORY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"

#define HISTORY_STEP_MS 10000           /* one sample every 10 s */
#define HISTORY_LEN 720                 /* 2 hours of samples */
#define HISTORY_MAX_MINUTES 120

struct history_sample {
        uint64_t mono_ms;
        time_t wall;
        float temp_c;                   /* NAN: no valid reading */
        float setpoint_c;               /* NAN: no session */
        bool relay;
};

struct history_ring {
        int head;                       /* next slot to write */
        int count;
        struct history_sample s[HISTORY_LEN];
};

struct history {
        int nzones;
        uint64_t last_ms;
        bool sampled;
        struct history_ring zones[CONFIG_MAX_ZONES];
};

void history_init(struct history *h, int nzones);

/* Whether a sample is due at now_ms (the first call always is); marks it
 * taken when it is. */
bool history_due(struct history *h, uint64_t now_ms);

/* Appends one sample to a zone's ring, dropping the oldest when full. */
void history_add(struct history *h, int zone,
                 const struct history_sample *sample);

/* Copies the zone's samples of the last `minutes` (oldest first) into ret,
 * at most max. Returns how many. */
int history_since(const struct history *h, int zone, uint64_t now_ms,
                  int minutes, struct history_sample *ret, int max);

#endif
