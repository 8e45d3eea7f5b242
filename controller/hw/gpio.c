/* gpio.c: see gpio.h. */
#include <errno.h>
#include <stdlib.h>

#include "gpio.h"

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

        if (!g)
                return -ENOMEM;
        g->be = be;
        g->active_low = cfg->active_low;
        rc = be->open(cfg->chip, (unsigned)cfg->line, GPIO_CONSUMER,
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
