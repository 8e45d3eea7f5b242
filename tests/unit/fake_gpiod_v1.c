/* fake_gpiod_v1.c: the libgpiod 1.6 calls gpio_v1.c makes, over the fake
 * kernel (fake_gpiod.h), with 1.6's return contract (-1 or NULL and
 * errno). Linked instead of -lgpiod. */
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_gpiod.h"

struct gpiod_line {
        struct gpiod_chip *chip;
        unsigned offset;
        bool requested;
};

struct gpiod_chip {
        struct fake_kchip *k;
        struct gpiod_line lines[FAKE_MAX_LINES];
};

struct gpiod_chip *gpiod_chip_open(const char *path)
{
        struct fake_kchip *k = fake_gpiod_chip(path);
        struct gpiod_chip *c;

        if (!k) {
                errno = ENOENT;
                return NULL;
        }
        c = calloc(1, sizeof(*c));
        c->k = k;
        for (unsigned i = 0; i < FAKE_MAX_LINES; i++)
                c->lines[i] = (struct gpiod_line){ c, i, false };
        fake_kernel.open_handles++;
        return c;
}

void gpiod_line_release(struct gpiod_line *line)
{
        struct fake_kline *kl = &line->chip->k->line[line->offset];

        if (!line->requested)
                return;
        line->requested = false;
        fake_kline_edges_close(kl);
        kl->held = false;
        kl->consumer[0] = '\0';
}

/* 1.6 releases a chip's requested lines when it is closed. */
void gpiod_chip_close(struct gpiod_chip *chip)
{
        for (unsigned i = 0; i < FAKE_MAX_LINES; i++)
                gpiod_line_release(&chip->lines[i]);
        fake_kernel.open_handles--;
        free(chip);
}

const char *gpiod_chip_name(struct gpiod_chip *chip)
{
        return fake_gpiod_chip_name(chip->k);
}

const char *gpiod_chip_label(struct gpiod_chip *chip)
{
        return chip->k->label;
}

unsigned int gpiod_chip_num_lines(struct gpiod_chip *chip)
{
        return chip->k->nlines;
}

struct gpiod_line *gpiod_chip_get_line(struct gpiod_chip *chip,
                                       unsigned int offset)
{
        if (offset >= chip->k->nlines) {
                errno = EINVAL;
                return NULL;
        }
        return &chip->lines[offset];
}

struct gpiod_chip *gpiod_line_get_chip(struct gpiod_line *line)
{
        return line->chip;
}

const char *gpiod_line_name(struct gpiod_line *line)
{
        const char *n = line->chip->k->line[line->offset].name;
        return n[0] ? n : NULL;
}

const char *gpiod_line_consumer(struct gpiod_line *line)
{
        const char *c = line->chip->k->line[line->offset].consumer;
        return c[0] ? c : NULL;
}

int gpiod_line_request_output(struct gpiod_line *line, const char *consumer,
                              int default_val)
{
        struct fake_kline *kl = &line->chip->k->line[line->offset];

        if (kl->held) {
                errno = EBUSY;
                return -1;
        }
        kl->held = true;
        kl->output = true;
        kl->level = kl->requested_level = !!default_val;
        snprintf(kl->consumer, sizeof(kl->consumer), "%s", consumer);
        line->requested = true;
        return 0;
}

int gpiod_line_set_value(struct gpiod_line *line, int value)
{
        struct fake_kline *kl = &line->chip->k->line[line->offset];

        if (!line->requested || !kl->output) {
                errno = EPERM;
                return -1;
        }
        if (fake_kernel.set_errno) {
                errno = fake_kernel.set_errno;
                return -1;
        }
        kl->level = !!value;
        return 0;
}

/* The calls button_gpio_v1.c makes: an input with both edges. */
int gpiod_line_request_both_edges_events_flags(struct gpiod_line *line,
                                               const char *consumer,
                                               int flags)
{
        struct fake_kline *kl = &line->chip->k->line[line->offset];

        if (kl->held) {
                errno = EBUSY;
                return -1;
        }
        kl->held = true;
        kl->output = false;
        kl->active_low = flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
        kl->pull_up = flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
        kl->pull_down = flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
        snprintf(kl->consumer, sizeof(kl->consumer), "%s", consumer);
        fake_kline_edges_open(kl);
        line->requested = true;
        return 0;
}

int gpiod_line_event_get_fd(struct gpiod_line *line)
{
        struct fake_kline *kl = &line->chip->k->line[line->offset];
        return kl->edges ? kl->ev_fd[0] : -1;
}

int gpiod_line_event_read_multiple(struct gpiod_line *line,
                                   struct gpiod_line_event *events,
                                   unsigned int num_events)
{
        struct fake_kline *kl = &line->chip->k->line[line->offset];
        unsigned n = 0;
        int level;

        while (n < num_events && fake_kline_pop_edge(kl, &level) == 0) {
                memset(&events[n], 0, sizeof(events[n]));
                events[n++].event_type = (level ^ kl->active_low) ?
                        GPIOD_LINE_EVENT_RISING_EDGE :
                        GPIOD_LINE_EVENT_FALLING_EDGE;
        }
        return n ? (int)n : -1;
}

int gpiod_line_get_value(struct gpiod_line *line)
{
        struct fake_kline *kl = &line->chip->k->line[line->offset];

        if (!line->requested) {
                errno = EPERM;
                return -1;
        }
        return fake_kline_input_level(kl) ^ kl->active_low;
}
