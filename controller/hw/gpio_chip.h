/* gpio_chip.h: the libgpiod backend this build was made with (gpio_v1.c
 * for libgpiod 1.6, gpio_v2.c for 2.x; the Makefile links the one that
 * `pkg-config --modversion libgpiod` names). The only files that include
 * gpiod.h; everything above them is tested with a fake line, and they
 * themselves over a fake libgpiod of each API. */
#ifndef HEATPAD_HW_GPIO_CHIP_H
#define HEATPAD_HW_GPIO_CHIP_H

#include "hw/gpio.h"

const struct gpio_backend *gpio_chip_backend(void);

#endif
