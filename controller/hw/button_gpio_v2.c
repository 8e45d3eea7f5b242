/* button_gpio_v2.c: see button_gpio.h; libgpiod 2.x (Debian 13): the line
 * is taken through a request (input, both edges, bias, active-low), and
 * edge events are read into a buffer. */
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>

#include "hw/button_gpio.h"

struct button_line {
        struct gpiod_line_request *req;
        struct gpiod_edge_event_buffer *buf;
        unsigned offset;
};

static enum gpiod_line_bias bias_of(enum gpio_bias bias)
{
        switch (bias) {
        case GPIO_BIAS_PULL_UP: return GPIOD_LINE_BIAS_PULL_UP;
        case GPIO_BIAS_PULL_DOWN: return GPIOD_LINE_BIAS_PULL_DOWN;
        case GPIO_BIAS_DISABLED: return GPIOD_LINE_BIAS_DISABLED;
        default: return GPIOD_LINE_BIAS_AS_IS;
        }
}

int button_line_open(const char *path, unsigned offset, const char *consumer,
                     bool active_low, enum gpio_bias bias,
                     struct button_line **ret)
{
        struct button_line *l = calloc(1, sizeof(*l));
        struct gpiod_chip *chip;
        struct gpiod_line_settings *ls = NULL;
        struct gpiod_line_config *lc = NULL;
        struct gpiod_request_config *rc = NULL;
        int e = 0;

        if (!l)
                return -ENOMEM;
        errno = 0;
        chip = gpiod_chip_open(path);
        if (!chip) {
                e = errno ? errno : ENODEV;
                free(l);
                return -e;
        }
        ls = gpiod_line_settings_new();
        lc = gpiod_line_config_new();
        rc = gpiod_request_config_new();
        l->buf = gpiod_edge_event_buffer_new(16);
        if (!ls || !lc || !rc || !l->buf ||
            gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT) < 0 ||
            gpiod_line_settings_set_edge_detection(ls, GPIOD_LINE_EDGE_BOTH) < 0 ||
            gpiod_line_settings_set_bias(ls, bias_of(bias)) < 0) {
                e = errno ? errno : ENOMEM;
        } else {
                gpiod_line_settings_set_active_low(ls, active_low);
                if (gpiod_line_config_add_line_settings(lc, &offset, 1, ls) < 0)
                        e = errno ? errno : ENOMEM;
        }
        if (!e) {
                gpiod_request_config_set_consumer(rc, consumer);
                l->req = gpiod_chip_request_lines(chip, rc, lc);
                if (!l->req)
                        e = errno ? errno : EIO;
        }
        gpiod_request_config_free(rc);
        gpiod_line_config_free(lc);
        gpiod_line_settings_free(ls);
        gpiod_chip_close(chip);
        if (e) {
                gpiod_edge_event_buffer_free(l->buf);
                free(l);
                return -e;
        }
        l->offset = offset;
        *ret = l;
        return 0;
}

int button_line_fd(const struct button_line *l)
{
        return gpiod_line_request_get_fd(l->req);
}

int button_line_read_events(struct button_line *l, bool *ret_pressed)
{
        int n = gpiod_line_request_read_edge_events(l->req, l->buf, 16);

        if (n < 0)
                return errno ? -errno : -EIO;
        if (n == 0)
                return button_line_get(l, ret_pressed);
        struct gpiod_edge_event *ev =
                gpiod_edge_event_buffer_get_event(l->buf, (unsigned long)n - 1);
        *ret_pressed = gpiod_edge_event_get_event_type(ev) ==
                       GPIOD_EDGE_EVENT_RISING_EDGE;
        return 0;
}

int button_line_get(struct button_line *l, bool *ret_pressed)
{
        enum gpiod_line_value v = gpiod_line_request_get_value(l->req,
                                                               l->offset);

        if (v == GPIOD_LINE_VALUE_ERROR)
                return errno ? -errno : -EIO;
        *ret_pressed = v == GPIOD_LINE_VALUE_ACTIVE;
        return 0;
}

void button_line_close(struct button_line *l)
{
        if (!l)
                return;
        gpiod_line_request_release(l->req);
        gpiod_edge_event_buffer_free(l->buf);
        free(l);
}
