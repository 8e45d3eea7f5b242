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
        /* an input requested with edge events (a button) */
        bool edges, active_low, pull_up, pull_down;
        int ev_fd[2];           /* readable while edges wait */
        int queue[32];          /* physical levels after each edge */
        int nq;
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

/* A line requested as an input with both edges: its pipe, its queue. */
void fake_kline_edges_open(struct fake_kline *kl);
void fake_kline_edges_close(struct fake_kline *kl);
/* The physical level of an input: what was driven, else its bias. */
int fake_kline_input_level(const struct fake_kline *kl);
/* Pops the oldest edge (its physical level after it): 0, or -1 when none
 * waits (errno EAGAIN). */
int fake_kline_pop_edge(struct fake_kline *kl, int *ret_level);
/* Drives line `offset` of the chip at path to a physical level, as a
 * button would: an edge event when the level changes and edges are on. */
void fake_gpiod_drive(const char *path, unsigned offset, int level);

#endif
