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
