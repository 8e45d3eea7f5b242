/* gpio.c: see gpio.h. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/gpio.h"

struct gpio_relay {
        const struct gpio_backend *be;
        void *line;
        bool active_low;
};

int gpio_level(bool on, bool active_low)
{
        return on != active_low;
}

static int gpio_set(void *ctx, bool on)
{
        struct gpio_relay *g = ctx;
        return g->be->set(g->line, gpio_level(on, g->active_low));
}

static void gpio_force_off(void *ctx)
{
        struct gpio_relay *g = ctx;
        g->be->set(g->line, gpio_level(false, g->active_low));
}

static void gpio_close(void *ctx)
{
        struct gpio_relay *g = ctx;

        if (!g)
                return;
        if (g->line) {
                /* The level outlives the release: make it off first. */
                g->be->set(g->line, gpio_level(false, g->active_low));
                g->be->release(g->line);
        }
        free(g);
}

static const struct relay_ops gpio_relay_ops = {
        .name = "gpio",
        .set = gpio_set,
        .force_off = gpio_force_off,
        .close = gpio_close,
        .blocking = false,
};

int gpio_relay_open(const struct gpio_relay_cfg *cfg,
                    const struct gpio_backend *be, struct relay *ret)
{
        struct gpio_relay *g = calloc(1, sizeof(*g));
        int rc;
        char path[CONFIG_PATH_MAX + 16];

        if (!g)
                return -ENOMEM;
        g->be = be;
        g->active_low = cfg->active_low;
        rc = gpio_chip_find(be, GPIO_DEV_DIR, cfg->chip, path, sizeof(path));
        if (rc == 0)
                rc = be->open(path, (unsigned)cfg->line, GPIO_CONSUMER,
                              gpio_level(false, cfg->active_low), &g->line);
        if (rc < 0) {
                free(g);
                return rc;
        }
        /* Requested at the off level already; say it once more, so off is
         * what the line was last told whatever the request did. */
        rc = gpio_set(g, false);
        if (rc < 0) {
                gpio_close(g);
                return rc;
        }
        *ret = (struct relay){ &gpio_relay_ops, g };
        return 0;
}

/* The N of "gpiochipN", or -1. */
static long chip_number(const char *name)
{
        char *end;
        long n;

        if (strncmp(name, "gpiochip", 8) != 0 || !name[8])
                return -1;
        n = strtol(name + 8, &end, 10);
        return *end || n < 0 ? -1 : n;
}

static int is_chip(const struct dirent *d)
{
        return chip_number(d->d_name) >= 0;
}

/* gpiochip2 before gpiochip10. */
static int by_number(const struct dirent **a, const struct dirent **b)
{
        long x = chip_number((*a)->d_name), y = chip_number((*b)->d_name);
        return (x > y) - (x < y);
}

static int path_of(const char *dir, const char *name, char *ret, size_t len)
{
        int n = snprintf(ret, len, "%s/%s", dir, name);
        return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int gpio_chip_find(const struct gpio_backend *be, const char *dir,
                   const char *chip, char *ret_path, size_t len)
{
        struct dirent **names;
        char label[64], buf[4096];
        int n, rc = -ENODEV;

        if (chip[0] == '/') {
                if (strlen(chip) >= len)
                        return -ENAMETOOLONG;
                strcpy(ret_path, chip);
                return 0;
        }
        if (chip_number(chip) >= 0)
                return path_of(dir, chip, ret_path, len);
        if (chip[0] && strspn(chip, "0123456789") == strlen(chip)) {
                snprintf(label, sizeof(label), "gpiochip%.40s", chip);
                return path_of(dir, label, ret_path, len);
        }
        /* A label: the header's chip is gpiochip0 on one Pi and kernel,
         * gpiochip4 on another, but its label stays. */
        if (!be->label)
                return -ENODEV;
        n = scandir(dir, &names, is_chip, by_number);
        if (n < 0)
                return -ENODEV;
        for (int i = 0; i < n; i++) {
                if (rc == -ENODEV &&
                    path_of(dir, names[i]->d_name, buf, sizeof(buf)) == 0 &&
                    be->label(buf, label, sizeof(label)) == 0 &&
                    strcmp(label, chip) == 0)
                        rc = path_of(dir, names[i]->d_name, ret_path, len);
                free(names[i]);
        }
        free(names);
        return rc;
}

int gpio_probe(const struct gpio_backend *be, const char *dir, FILE *f)
{
        struct dirent **names;
        char path[4096];
        int n, found = 0;

        n = scandir(dir, &names, is_chip, by_number);
        if (n < 0)
                return 0;
        for (int i = 0; i < n; i++) {
                if (path_of(dir, names[i]->d_name, path, sizeof(path)) == 0 &&
                    be->describe && be->describe(path, f) == 0)
                        found++;
                free(names[i]);
        }
        free(names);
        return found;
}
