/* fake_gpiod.h: a fake kernel of GPIO chips under a fake libgpiod, one
 * per API (fake_gpiod_v1.c, fake_gpiod_v2.c), so the same backend tests
 * (test_gpio_chip.c) drive gpio_v1.c or gpio_v2.c through the calls each
 * really makes. The kernel side keeps what a real one would: who holds a
 * line, its direction and level (kept after release, as on a Pi). */
#ifndef HEATPAD_TEST_FAKE_GPIOD_H
#define HEATPAD_TEST_FAKE_GPIOD_H

#include <stdbool.h>

#define FAKE_MAX_CHIPS 4
#define FAKE_MAX_LINES 64

struct fake_kline {
        char name[32];          /* "" when unnamed */
        char consumer[32];      /* "" when free */
        bool held, output;
        int level;              /* -1: never driven */
        int requested_level;    /* the level the request itself set */
};

struct fake_kchip {
        char path[256];
        char label[32];
        unsigned nlines;
        struct fake_kline line[FAKE_MAX_LINES];
};

struct fake_kernel {
        struct fake_kchip chip[FAKE_MAX_CHIPS];
        int nchips;
        int open_handles;       /* chips and requests not yet closed */
        int set_errno;          /* set() fails with this when not 0 */
};

extern struct fake_kernel fake_kernel;

void fake_gpiod_reset(void);
/* Adds a chip at path (its name is the path's last part). Its index. */
int fake_gpiod_add_chip(const char *path, const char *label, unsigned nlines);
/* The chip at path, or NULL (what open() of a missing device meets). */
struct fake_kchip *fake_gpiod_chip(const char *path);
/* The chip's name: the last part of its path. */
const char *fake_gpiod_chip_name(const struct fake_kchip *c);

#endif
