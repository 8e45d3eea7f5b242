/* gpiod_line.h: struct gpio_backend over libgpiod 1.6 (Debian 12's v1
 * API), and the chip listing for --probe. The only file that includes
 * gpiod.h; everything above it is tested with a fake line. */
#ifndef HEATPAD_HW_GPIOD_LINE_H
#define HEATPAD_HW_GPIOD_LINE_H

#include <stdio.h>

#include "gpio.h"

const struct gpio_backend *gpiod_line_backend(void);

/* Prints each GPIO chip with its label, line count and named lines to f.
 * Returns how many chips. */
int gpiod_line_probe(FILE *f);

#endif
