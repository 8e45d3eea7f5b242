/* gpio_v2.c: struct gpio_backend over libgpiod 2.x (Debian 13), whose
 * lines are taken through a request: line settings (direction, the
 * initial level) in a line config, a request config for the consumer, and
 * gpiod_chip_request_lines(). The request holds its own file descriptor,
 * so the chip is closed as soon as the line is ours. See gpio_chip.h. */
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>

#include "hw/gpio_chip.h"

struct gpio_v2_line {
        struct gpiod_line_request *req;
        unsigned offset;
};

static int errno_or(int fallback)
{
        return errno ? -errno : -fallback;
}

static struct gpiod_line_request *
gpio_v2_request(struct gpiod_chip *chip, unsigned offset,
                const char *consumer, int initial)
{
        struct gpiod_line_settings *ls = gpiod_line_settings_new();
        struct gpiod_line_config *lc = gpiod_line_config_new();
        struct gpiod_request_config *rc = gpiod_request_config_new();
        struct gpiod_line_request *req = NULL;

        if (!ls || !lc || !rc)
                goto out;
        if (gpiod_line_settings_set_direction(ls,
                        GPIOD_LINE_DIRECTION_OUTPUT) < 0 ||
            gpiod_line_settings_set_output_value(ls, initial ?
                        GPIOD_LINE_VALUE_ACTIVE :
                        GPIOD_LINE_VALUE_INACTIVE) < 0 ||
            gpiod_line_config_add_line_settings(lc, &offset, 1, ls) < 0)
                goto out;
        gpiod_request_config_set_consumer(rc, consumer);
        req = gpiod_chip_request_lines(chip, rc, lc);
out:
        gpiod_request_config_free(rc);
        gpiod_line_config_free(lc);
        gpiod_line_settings_free(ls);
        return req;
}

static int gpio_v2_open(const char *path, unsigned offset,
                        const char *consumer, int initial, void **ret_line)
{
        struct gpio_v2_line *l = calloc(1, sizeof(*l));
        struct gpiod_chip *chip;
        struct gpiod_chip_info *info;
        int rc = 0;

        if (!l)
                return -ENOMEM;
        errno = 0;
        chip = gpiod_chip_open(path);
        if (!chip) {
                free(l);
                return errno_or(ENODEV);
        }
        info = gpiod_chip_get_info(chip);
        if (!info)
                rc = errno_or(EIO);
        else if (offset >= gpiod_chip_info_get_num_lines(info))
                rc = -EINVAL;
        gpiod_chip_info_free(info);
        if (rc == 0) {
                errno = 0;
                l->req = gpio_v2_request(chip, offset, consumer, initial);
                if (!l->req)
                        rc = errno_or(EIO);
        }
        gpiod_chip_close(chip);
        if (rc < 0) {
                free(l);
                return rc;
        }
        l->offset = offset;
        *ret_line = l;
        return 0;
}

/* One ioctl on the request's fd: nothing allocated, safe in the crash
 * handler. Logical values are physical here: the line is not requested
 * active-low (gpio.c owns the polarity). */
static int gpio_v2_set(void *line, int level)
{
        struct gpio_v2_line *l = line;
        return gpiod_line_request_set_value(l->req, l->offset, level ?
                        GPIOD_LINE_VALUE_ACTIVE :
                        GPIOD_LINE_VALUE_INACTIVE) < 0 ? errno_or(EIO) : 0;
}

static void gpio_v2_release(void *line)
{
        struct gpio_v2_line *l = line;

        if (!l)
                return;
        gpiod_line_request_release(l->req);
        free(l);
}

static int gpio_v2_label(const char *path, char *buf, size_t len)
{
        struct gpiod_chip *chip;
        struct gpiod_chip_info *info;

        errno = 0;
        chip = gpiod_chip_open(path);
        if (!chip)
                return errno_or(ENODEV);
        info = gpiod_chip_get_info(chip);
        if (info)
                snprintf(buf, len, "%s", gpiod_chip_info_get_label(info));
        gpiod_chip_info_free(info);
        gpiod_chip_close(chip);
        return info ? 0 : -EIO;
}

static int gpio_v2_describe(const char *path, FILE *f)
{
        struct gpiod_chip *chip;
        struct gpiod_chip_info *info;
        size_t lines;

        errno = 0;
        chip = gpiod_chip_open(path);
        if (!chip)
                return errno_or(ENODEV);
        info = gpiod_chip_get_info(chip);
        if (!info) {
                gpiod_chip_close(chip);
                return -EIO;
        }
        lines = gpiod_chip_info_get_num_lines(info);
        fprintf(f, "  %s [%s]: %zu lines\n", gpiod_chip_info_get_name(info),
                gpiod_chip_info_get_label(info), lines);
        for (unsigned i = 0; i < lines; i++) {
                struct gpiod_line_info *li = gpiod_chip_get_line_info(chip, i);
                const char *name = li ? gpiod_line_info_get_name(li) : NULL;
                const char *user = li && gpiod_line_info_is_used(li) ?
                                   gpiod_line_info_get_consumer(li) : NULL;
                if (name || user) {
                        fprintf(f, "    line %3u: %s", i,
                                name ? name : "unnamed");
                        if (user)
                                fprintf(f, " (in use by %s)",
                                        user[0] ? user : "the kernel");
                        fputc('\n', f);
                }
                gpiod_line_info_free(li);
        }
        gpiod_chip_info_free(info);
        gpiod_chip_close(chip);
        return 0;
}

static const struct gpio_backend gpio_v2_backend = {
        .api = "libgpiod 2",
        .open = gpio_v2_open,
        .set = gpio_v2_set,
        .release = gpio_v2_release,
        .label = gpio_v2_label,
        .describe = gpio_v2_describe,
};

const struct gpio_backend *gpio_chip_backend(void)
{
        return &gpio_v2_backend;
}
