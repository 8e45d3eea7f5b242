/* button_gpio_v1.c: see button_gpio.h; libgpiod 1.6 (Debian 12). */
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>

#include "hw/button_gpio.h"

struct button_line {
        struct gpiod_chip *chip;
        struct gpiod_line *line;
};

static int bias_flags(enum gpio_bias bias)
{
        switch (bias) {
        case GPIO_BIAS_PULL_UP: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
        case GPIO_BIAS_PULL_DOWN: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
        case GPIO_BIAS_DISABLED: return GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
        default: return 0;
        }
}

int button_line_open(const char *path, unsigned offset, const char *consumer,
                     bool active_low, enum gpio_bias bias,
                     struct button_line **ret)
{
        struct button_line *l = calloc(1, sizeof(*l));
        int e;

        if (!l)
                return -ENOMEM;
        errno = 0;
        l->chip = gpiod_chip_open(path);
        if (!l->chip) {
                e = errno ? errno : ENODEV;
                free(l);
                return -e;
        }
        if (offset >= gpiod_chip_num_lines(l->chip)) {
                gpiod_chip_close(l->chip);
                free(l);
                return -EINVAL;
        }
        l->line = gpiod_chip_get_line(l->chip, offset);
        int flags = bias_flags(bias) |
                    (active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0);
        if (!l->line || gpiod_line_request_both_edges_events_flags(
                                l->line, consumer, flags) < 0) {
                e = errno ? errno : EIO;
                gpiod_chip_close(l->chip);
                free(l);
                return -e;
        }
        *ret = l;
        return 0;
}

int button_line_fd(const struct button_line *l)
{
        return gpiod_line_event_get_fd(l->line);
}

int button_line_read_events(struct button_line *l, bool *ret_pressed)
{
        struct gpiod_line_event ev[16];
        int n = gpiod_line_event_read_multiple(l->line, ev, 16);

        if (n < 0)
                return errno ? -errno : -EIO;
        if (n == 0)
                return button_line_get(l, ret_pressed);
        /* Events are logical: a rising edge is a press. */
        *ret_pressed = ev[n - 1].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
        return 0;
}

int button_line_get(struct button_line *l, bool *ret_pressed)
{
        int v = gpiod_line_get_value(l->line);

        if (v < 0)
                return errno ? -errno : -EIO;
        *ret_pressed = v == 1;
        return 0;
}

void button_line_close(struct button_line *l)
{
        if (!l)
                return;
        gpiod_line_release(l->line);
        gpiod_chip_close(l->chip);
        free(l);
}
