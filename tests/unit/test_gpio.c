/* Unit tests for gpio.c over a fake line: no GPIO chip exists where tests
 * run, so everything above libgpiod is driven here (gpio_v1.c and
 * gpio_v2.c, the thin rest, have test_gpio_chip.c). Off is written at open, at close and by force_off, in the
 * wiring's polarity; failures come back as -errno. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hw/gpio.h"
#include "test.h"

/* The fake line: the levels it was told, in order. */
struct fake {
        int open_rc, set_rc;
        int initial;
        int levels[16];
        int nlevels;
        bool released;
        char consumer[16];
        char path[64];
        unsigned offset;
};

static struct fake line;

static int fake_open(const char *chip, unsigned offset, const char *consumer,
                     int initial, void **ret)
{
        snprintf(line.path, sizeof(line.path), "%s", chip);
        if (line.open_rc)
                return line.open_rc;
        line.offset = offset;
        line.initial = initial;
        strncpy(line.consumer, consumer, sizeof(line.consumer) - 1);
        *ret = &line;
        return 0;
}

static int fake_set(void *l, int level)
{
        struct fake *f = l;
        if (f->set_rc)
                return f->set_rc;
        if (f->nlevels < 16)
                f->levels[f->nlevels++] = level;
        return 0;
}

static void fake_release(void *l)
{
        ((struct fake *)l)->released = true;
}

static const struct gpio_backend fake_backend = {
        .api = "fake", .open = fake_open, .set = fake_set,
        .release = fake_release,
};

static int reset(void **state)
{
        (void)state;
        memset(&line, 0, sizeof(line));
        return 0;
}

static void active_high(void **state)
{
        struct gpio_relay_cfg c = { .chip = "gpiochip0", .line = 17 };
        struct relay r;
        (void)state;
        assert_int_equal(gpio_relay_open(&c, &fake_backend, &r), 0);
        assert_int_equal(line.offset, 17);
        assert_string_equal(line.path, "/dev/gpiochip0");
        assert_string_equal(line.consumer, "heatpad");
        assert_int_equal(line.initial, 0);      /* requested at off */
        assert_int_equal(line.nlevels, 1);      /* and told off again */
        assert_int_equal(line.levels[0], 0);
        assert_int_equal(r.ops->set(r.ctx, true), 0);
        assert_int_equal(r.ops->set(r.ctx, false), 0);
        assert_int_equal(line.levels[1], 1);
        assert_int_equal(line.levels[2], 0);
        assert_false(r.ops->blocking);
        r.ops->set(r.ctx, true);
        r.ops->close(r.ctx);
        /* Off before release: a Pi keeps the level after. */
        assert_int_equal(line.levels[line.nlevels - 1], 0);
        assert_true(line.released);
}

static void active_low(void **state)
{
        struct gpio_relay_cfg c = { .chip = "gpiochip0", .line = 4,
                                    .active_low = true };
        struct relay r;
        (void)state;
        assert_int_equal(gpio_relay_open(&c, &fake_backend, &r), 0);
        assert_int_equal(line.initial, 1);      /* off is high */
        assert_int_equal(line.levels[0], 1);
        r.ops->set(r.ctx, true);
        assert_int_equal(line.levels[1], 0);
        r.ops->force_off(r.ctx);
        assert_int_equal(line.levels[2], 1);
        r.ops->close(r.ctx);
        assert_int_equal(line.levels[line.nlevels - 1], 1);
}

static void failures_are_reported(void **state)
{
        struct gpio_relay_cfg c = { .chip = "gpiochip9", .line = 4 };
        struct relay r = { 0 };
        (void)state;
        line.open_rc = -ENODEV;
        assert_int_equal(gpio_relay_open(&c, &fake_backend, &r), -ENODEV);
        assert_null(r.ops);
        line.open_rc = 0;
        assert_int_equal(gpio_relay_open(&c, &fake_backend, &r), 0);
        line.set_rc = -EIO;
        assert_int_equal(r.ops->set(r.ctx, true), -EIO);
        line.set_rc = 0;
        r.ops->close(r.ctx);
        /* A line that cannot even be told off at open is not kept. */
        memset(&line, 0, sizeof(line));
        line.set_rc = -EPERM;
        assert_int_equal(gpio_relay_open(&c, &fake_backend, &r), -EPERM);
        assert_true(line.released);
}

static void chip_names_become_paths(void **state)
{
        char path[64];
        struct gpio_relay_cfg c = { .chip = "pinctrl-rp1", .line = 4 };
        struct relay r = { 0 };
        (void)state;
        assert_int_equal(gpio_chip_find(&fake_backend, "/dev", "gpiochip4",
                                        path, sizeof(path)), 0);
        assert_string_equal(path, "/dev/gpiochip4");
        assert_int_equal(gpio_chip_find(&fake_backend, "/dev", "4", path,
                                        sizeof(path)), 0);
        assert_string_equal(path, "/dev/gpiochip4");
        assert_int_equal(gpio_chip_find(&fake_backend, "/dev", "/dev/gpiochip4",
                                        path, sizeof(path)), 0);
        assert_string_equal(path, "/dev/gpiochip4");
        assert_int_equal(gpio_chip_find(&fake_backend, "/dev", "/dev/gpiochip4",
                                        path, 8), -ENAMETOOLONG);
        /* A label needs a backend that can read labels. */
        assert_int_equal(gpio_relay_open(&c, &fake_backend, &r), -ENODEV);
        assert_null(r.ops);
        assert_int_equal(line.path[0], '\0');   /* nothing was opened */
}

static void polarity(void **state)
{
        (void)state;
        assert_int_equal(gpio_level(true, false), 1);
        assert_int_equal(gpio_level(false, false), 0);
        assert_int_equal(gpio_level(true, true), 0);
        assert_int_equal(gpio_level(false, true), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(active_high, reset),
                cmocka_unit_test_setup(active_low, reset),
                cmocka_unit_test_setup(failures_are_reported, reset),
                cmocka_unit_test_setup(chip_names_become_paths, reset),
                cmocka_unit_test_setup(polarity, reset),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
