/* gpiod_line.c: see gpiod_line.h. */
#include <errno.h>
#include <gpiod.h>

#include "gpiod_line.h"

/* "gpiochip0", "/dev/gpiochip0", a label or a number, as gpiod tools take. */
static int line_open(const char *chip_name, unsigned offset,
                     const char *consumer, int initial, void **ret_line)
{
        struct gpiod_chip *chip = gpiod_chip_open_lookup(chip_name);
        struct gpiod_line *line;
        int e;

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

static int line_set(void *line, int level)
{
        return gpiod_line_set_value(line, level) < 0 ? -errno : 0;
}

static void line_release(void *line)
{
        if (!line)
                return;
        struct gpiod_chip *chip = gpiod_line_get_chip(line);
        gpiod_line_release(line);
        gpiod_chip_close(chip);
}

static const struct gpio_backend gpiod_backend = {
        .open = line_open,
        .set = line_set,
        .release = line_release,
};

const struct gpio_backend *gpiod_line_backend(void)
{
        return &gpiod_backend;
}

int gpiod_line_probe(FILE *f)
{
        struct gpiod_chip_iter *iter = gpiod_chip_iter_new();
        struct gpiod_chip *chip;
        int n = 0;

        if (!iter)
                return 0;
        gpiod_foreach_chip(iter, chip) {
                unsigned lines = gpiod_chip_num_lines(chip);
                fprintf(f, "  %s [%s]: %u lines\n", gpiod_chip_name(chip),
                        gpiod_chip_label(chip), lines);
                for (unsigned i = 0; i < lines; i++) {
                        struct gpiod_line *line = gpiod_chip_get_line(chip, i);
                        const char *name = line ? gpiod_line_name(line) : NULL;
                        const char *user = line ? gpiod_line_consumer(line) : NULL;
                        if (!name && !user)
                                continue;
                        fprintf(f, "    line %3u: %s", i,
                                name ? name : "unnamed");
                        if (user)
                                fprintf(f, " (in use by %s)", user);
                        fputc('\n', f);
                }
                n++;
        }
        gpiod_chip_iter_free(iter);
        return n;
}
