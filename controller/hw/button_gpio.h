/* button_gpio.h: a GPIO input line with edge events, for a bedside button.
 *
 * One implementation per libgpiod API, as for the relay: button_gpio_v1.c
 * (libgpiod 1.6) and button_gpio_v2.c (2.x), chosen at build time like
 * gpio_v1.c and gpio_v2.c. The line is requested as an input with both
 * edges, the bias and the polarity the config gives, so a level read here
 * is logical: 1 means pressed. Reading blocks only a thread of its own
 * (daemon/buttons.c): the loop never waits on a line. */
#ifndef HEATPAD_HW_BUTTON_GPIO_H
#define HEATPAD_HW_BUTTON_GPIO_H

#include <stdbool.h>

#include "config/config.h"

struct button_line;

/* Requests line `offset` of the chip at `path` (a device path, see
 * gpio_chip_find) as an input with both edges. 0 or -errno. */
int button_line_open(const char *path, unsigned offset, const char *consumer,
                     bool active_low, enum gpio_bias bias,
                     struct button_line **ret);

/* A file descriptor that is readable when edge events wait. */
int button_line_fd(const struct button_line *l);

/* Reads the waiting edge events (blocks if none); the logical level after
 * the last one in *ret_pressed. 0 or -errno. */
int button_line_read_events(struct button_line *l, bool *ret_pressed);

/* The logical level now. 0 or -errno. */
int button_line_get(struct button_line *l, bool *ret_pressed);

void button_line_close(struct button_line *l);  /* accepts NULL */

#endif
