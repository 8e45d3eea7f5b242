/* gpio.h: a relay on a GPIO line.
 *
 * The relay logic (active-high or active-low, off written at open, at close
 * and from the crash handler) sits above a narrow line interface, struct
 * gpio_backend, so it is tested with a fake line where no GPIO chip exists;
 * gpiod_line.c is the thin libgpiod 1.6 implementation. On a Raspberry Pi a
 * line keeps its level after release, which is why off is always written
 * before letting go. */
#ifndef HEATPAD_HW_GPIO_H
#define HEATPAD_HW_GPIO_H

#include "config.h"
#include "hw.h"

/* The consumer label the line carries while we hold it. */
#define GPIO_CONSUMER "heatpad"

struct gpio_backend {
        /* Requests the line as an output at the physical level `initial`
         * (0 or 1). 0 and *ret_line, or -errno. */
        int (*open)(const char *chip, unsigned offset, const char *consumer,
                    int initial, void **ret_line);
        /* Sets the physical level. 0 or -errno. No allocation, no locks, so
         * the crash handler may call it. */
        int (*set)(void *line, int level);
        void (*release)(void *line);     /* accepts NULL */
};

/* Opens the relay with the line at its off level. 0 or -errno. */
int gpio_relay_open(const struct gpio_relay_cfg *cfg,
                    const struct gpio_backend *be, struct relay *ret);

/* The physical level that means `on` for this wiring. */
int gpio_level(bool on, bool active_low);

#endif
