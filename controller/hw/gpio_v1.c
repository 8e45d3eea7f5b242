/* gpio_v1.c: struct gpio_backend over libgpiod 1.6 (Debian 12). See
 * gpio_chip.h. */
#include <errno.h>
#include <gpiod.h>
#include <string.h>

#include "hw/gpio_chip.h"

static int gpio_v1_open(const char *path, unsigned offset,
                        const char *consumer, int initial, void **ret_line)
{
        struct gpiod_chip *chip;
        struct gpiod_line *line;
        int e;

        errno = 0;
        chip = gpiod_chip_open(path);
        if (!chip)
                return errno ? -errno : -ENODEV;
        if (offset >= gpiod_chip_num_lines(chip)) {
                gpiod_chip_close(chip);
                return -EINVAL;
        }
        line = gpiod_chip_get_line(chip, offset);
        if (!line || gpiod_line_request_output(line, consumer, initial) < 0) {
                e = errno ? errno : EIO;
                gpiod_chip_close(chip);
                return -e;
        }
        *ret_line = line;
        return 0;
}

static int gpio_v1_set(void *line, int level)
{
        return gpiod_line_set_value(line, level) < 0 ? -errno : 0;
}

static void gpio_v1_release(void *line)
{
        if (!line)
                return;
        struct gpiod_chip *chip = gpiod_line_get_chip(line);
        gpiod_line_release(line);
        gpiod_chip_close(chip);
}

static int gpio_v1_label(const char *path, char *buf, size_t len)
{
        struct gpiod_chip *chip;

        errno = 0;
        chip = gpiod_chip_open(path);
        if (!chip)
                return errno ? -errno : -ENODEV;
        snprintf(buf, len, "%s", gpiod_chip_label(chip));
        gpiod_chip_close(chip);
        return 0;
}

static int gpio_v1_describe(const char *path, FILE *f)
{
        struct gpiod_chip *chip;
        unsigned lines;

        errno = 0;
        chip = gpiod_chip_open(path);
        if (!chip)
                return errno ? -errno : -ENODEV;
        lines = gpiod_chip_num_lines(chip);
        fprintf(f, "  %s [%s]: %u lines\n", gpiod_chip_name(chip),
                gpiod_chip_label(chip), lines);
        for (unsigned i = 0; i < lines; i++) {
                struct gpiod_line *line = gpiod_chip_get_line(chip, i);
                const char *name = line ? gpiod_line_name(line) : NULL;
                const char *user = line ? gpiod_line_consumer(line) : NULL;
                if (!name && !user)
                        continue;
                fprintf(f, "    line %3u: %s", i, name ? name : "unnamed");
                if (user)
                        fprintf(f, " (in use by %s)", user);
                fputc('\n', f);
        }
        gpiod_chip_close(chip);
        return 0;
}

static const struct gpio_backend gpio_v1_backend = {
        .api = "libgpiod 1.6",
        .open = gpio_v1_open,
        .set = gpio_v1_set,
        .release = gpio_v1_release,
        .label = gpio_v1_label,
        .describe = gpio_v1_describe,
};

const struct gpio_backend *gpio_chip_backend(void)
{
        return &gpio_v1_backend;
}
