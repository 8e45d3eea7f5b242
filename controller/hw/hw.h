/* hw.h: sensors and relays behind small ops structs.
 *
 * A backend fills in an ops struct and a context. Sensor reads may block
 * (a DS18B20 conversion takes 750 ms, a Modbus timeout seconds): they run on
 * a reader thread (reader.h), never on the loop. A relay whose set() may
 * block (a Modbus coil) says so with `blocking`, and its writes run on the
 * zone's relay worker (relay_worker.h); other relays are set on the loop
 * and must be quick. Every call returns 0 or -errno; close() accepts a
 * half-opened context. */
#ifndef HEATPAD_HW_H
#define HEATPAD_HW_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "daemon/vclock.h"

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
        /* set() may wait on a bus for a timeout: keep it off the loop. */
        bool blocking;
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
struct mb_registry;
struct gpio_backend;

struct hw_env {
        const struct vclock *clock;     /* the (possibly simulated) clocks */
        int relay_log_fd;               /* sim: record of every switch, or -1 */
        struct mb_registry *modbus;     /* shared Modbus links */
        const struct gpio_backend *gpio; /* NULL: libgpiod */
};

/* Opens a zone's sensor, its second sensor (ret_sensor2 left zeroed when
 * the zone has none) and its relay. The relay is driven off before this
 * returns (synchronously, even a blocking one). 0; or 1 when a blocking
 * relay did not confirm off (the zone is open: the caller latches a relay
 * fault and the relay worker keeps writing off; err says why); or -errno
 * with a reason in err. */
int hw_open_zone(const struct zone_cfg *z, int zone_index,
                 const struct hw_env *env, struct sensor *ret_sensor,
                 struct sensor *ret_sensor2, struct relay *ret_relay,
                 char *err, size_t errlen);

/* Opens only a zone's relay, drives it off (tried as hw_close_zone does)
 * and closes it: for --all-off, so a sensor that cannot be opened never
 * stands between a relay and off. 0, or -errno with a reason in err. */
int hw_relay_off(const struct zone_cfg *z, int zone_index,
                 const struct hw_env *env, char *err, size_t errlen);

/* Closes all three; the relay is driven off first, synchronously, and
 * tried again if that fails. Returns 0, or the -errno of the last failed
 * off write (the caller says so: the relay may still be on). Accepts
 * zeroed structs. */
int hw_close_zone(struct sensor *s, struct sensor *s2, struct relay *r);

#endif
