/* hw.h: sensors and relays behind small ops structs.
 *
 * A backend fills in an ops struct and a context. Sensor reads may block
 * (a DS18B20 conversion takes 750 ms, a Modbus timeout seconds): they run on
 * a reader thread (reader.h), never on the loop. Relay set() runs on the
 * loop and must be quick. Every call returns 0 or -errno; close() accepts a
 * half-opened context. */
#ifndef HEATPAD_HW_H
#define HEATPAD_HW_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "vclock.h"

struct sensor_ops {
        const char *name;
        /* Reads one temperature in degC. May block; called from one reader
         * thread at a time. */
        int (*read)(void *ctx, double *ret_c);
        void (*close)(void *ctx);
};

struct relay_ops {
        const char *name;
        int (*set)(void *ctx, bool on);
        /* Drives the relay off from a crash handler: only async-signal-safe
         * calls. NULL when the backend cannot (then only set() is used). */
        void (*force_off)(void *ctx);
        void (*close)(void *ctx);
};

struct sensor {
        const struct sensor_ops *ops;
        void *ctx;
};

struct relay {
        const struct relay_ops *ops;
        void *ctx;
};

/* What backends may need besides their config. */
struct hw_env {
        const struct vclock *clock;     /* the (possibly simulated) clocks */
        int relay_log_fd;               /* sim: record of every switch, or -1 */
};

/* Opens a zone's sensor and relay. Relays are driven off before this
 * returns. 0, or -errno with a reason in err. */
int hw_open_zone(const struct zone_cfg *z, int zone_index,
                 const struct hw_env *env, struct sensor *ret_sensor,
                 struct relay *ret_relay, char *err, size_t errlen);

/* Closes both; relays are driven off first. Accepts zeroed structs. */
void hw_close_zone(struct sensor *s, struct relay *r);

#endif
