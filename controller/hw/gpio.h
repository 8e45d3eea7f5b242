/* gpio.h: a relay on a GPIO line.
 *
 * The relay logic (active-high or active-low, off written at open, at close
 * and from the crash handler) sits above a narrow chip interface, struct
 * gpio_backend, with one implementation per libgpiod API: gpio_v1.c for
 * libgpiod 1.6 (Debian 12), gpio_v2.c for libgpiod 2.x (Debian 13), chosen
 * at build time. Finding a chip by path, name, number or label and listing
 * chips for --probe are done here, once, over the backend's calls. On a
 * Raspberry Pi a line keeps its level after release, which is why off is
 * always written before letting go. */
#ifndef HEATPAD_HW_GPIO_H
#define HEATPAD_HW_GPIO_H

#include <stdio.h>

#include "config/config.h"
#include "hw/hw.h"

/* The consumer label the line carries while we hold it. */
#define GPIO_CONSUMER "heatpad"
/* Where the kernel puts GPIO character devices. */
#define GPIO_DEV_DIR "/dev"

struct gpio_backend {
        const char *api;                /* "libgpiod 1.6", "libgpiod 2" */
        /* Requests line `offset` of the chip at `path` as an output at the
         * physical level `initial` (0 or 1). 0 and *ret_line, or -errno
         * (-EINVAL: no such line, -EBUSY: another consumer holds it). */
        int (*open)(const char *path, unsigned offset, const char *consumer,
                    int initial, void **ret_line);
        /* Sets the physical level. 0 or -errno. No allocation, no locks, so
         * the crash handler may call it. */
        int (*set)(void *line, int level);
        void (*release)(void *line);     /* accepts NULL */
        /* The label of the chip at `path` into buf. 0 or -errno. NULL
         * where chips cannot be listed (then only paths and names work). */
        int (*label)(const char *path, char *buf, size_t len);
        /* Prints the chip at `path`: its name, label and line count, then
         * each line that has a name or a consumer. 0 or -errno. */
        int (*describe)(const char *path, FILE *f);
};

/* Opens the relay with the line at its off level. cfg->chip is resolved
 * under GPIO_DEV_DIR (gpio_chip_find). 0 or -errno (-ENODEV: no chip of
 * that name or label). */
int gpio_relay_open(const struct gpio_relay_cfg *cfg,
                    const struct gpio_backend *be, struct relay *ret);

/* The physical level that means `on` for this wiring. */
int gpio_level(bool on, bool active_low);

/* The device path of a chip given as a path ("/dev/gpiochip0"), a name
 * ("gpiochip0"), a number ("0") or a label ("pinctrl-rp1": the chip of
 * dir whose label it is, the first in name order). 0, or -ENODEV when no
 * chip has that label, -ENAMETOOLONG. */
int gpio_chip_find(const struct gpio_backend *be, const char *dir,
                   const char *chip, char *ret_path, size_t len);

/* Prints every chip under dir (gpiochip*, in number order) to f through
 * be->describe. Returns how many chips were described. */
int gpio_probe(const struct gpio_backend *be, const char *dir, FILE *f);

#endif
