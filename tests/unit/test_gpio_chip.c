/* Unit tests of the libgpiod backend this build links (gpio_v1.c or
 * gpio_v2.c), the same cases for both, over a fake libgpiod of the same
 * API (fake_gpiod_v1.c or fake_gpiod_v2.c) on a fake kernel: the relay
 * through the real backend (requested at off, off before release, the
 * polarity), finding a chip by path, name, number and label, --probe's
 * listing, and the errors a Pi owner meets. The real library against a
 * simulated kernel chip is scripts/gpio-qemu. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_gpiod.h"
#include "hw/button_gpio.h"
#include "hw/gpio_chip.h"
#include "test.h"

static char dir[64];
static char pi4[128], pi5[128];

/* A Pi 5 on a recent kernel: the header is gpiochip0 ("pinctrl-rp1");
 * the SoC's own chip is gpiochip10 here, to check number order. */
static int setup(void **state)
{
        (void)state;
        fake_gpiod_reset();
        snprintf(dir, sizeof(dir), "/tmp/heatpad-gpio-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        snprintf(pi5, sizeof(pi5), "%s/gpiochip0", dir);
        snprintf(pi4, sizeof(pi4), "%s/gpiochip10", dir);
        int c = fake_gpiod_add_chip(pi5, "pinctrl-rp1", 54);
        fake_gpiod_add_chip(pi4, "gpio-brcmstb@107d508500", 32);
        snprintf(fake_kernel.chip[c].line[17].name, 32, "GPIO17");
        snprintf(fake_kernel.chip[c].line[4].name, 32, "GPIO4");
        /* The files scandir finds; the fake answers for their paths. */
        for (int i = 0; i < 2; i++) {
                FILE *f = fopen(i ? pi4 : pi5, "w");
                if (!f)
                        return -1;
                fclose(f);
        }
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        unlink(pi4);
        unlink(pi5);
        rmdir(dir);
        return 0;
}

static struct fake_kline *kline(int chip, unsigned off)
{
        return &fake_kernel.chip[chip].line[off];
}

static void relay_active_high(void **state)
{
        const struct gpio_backend *be = gpio_chip_backend();
        struct gpio_relay_cfg c = { .line = 17 };
        struct relay r;
        (void)state;
        snprintf(c.chip, sizeof(c.chip), "%s", pi5);
        assert_int_equal(gpio_relay_open(&c, be, &r), 0);
        assert_true(kline(0, 17)->held);
        assert_true(kline(0, 17)->output);
        assert_string_equal(kline(0, 17)->consumer, "heatpad");
        /* Off from the request itself: no glitch to on in between. */
        assert_int_equal(kline(0, 17)->requested_level, 0);
        assert_int_equal(kline(0, 17)->level, 0);
        assert_int_equal(r.ops->set(r.ctx, true), 0);
        assert_int_equal(kline(0, 17)->level, 1);
        assert_int_equal(r.ops->set(r.ctx, false), 0);
        assert_int_equal(kline(0, 17)->level, 0);
        r.ops->set(r.ctx, true);
        r.ops->close(r.ctx);
        /* Off before release; the level stays, the line is free. */
        assert_int_equal(kline(0, 17)->level, 0);
        assert_false(kline(0, 17)->held);
        assert_int_equal(fake_kernel.open_handles, 0);
}

static void relay_active_low(void **state)
{
        const struct gpio_backend *be = gpio_chip_backend();
        struct gpio_relay_cfg c = { .line = 4, .active_low = true };
        struct relay r;
        (void)state;
        snprintf(c.chip, sizeof(c.chip), "%s", pi5);
        assert_int_equal(gpio_relay_open(&c, be, &r), 0);
        assert_int_equal(kline(0, 4)->requested_level, 1);     /* off is high */
        r.ops->set(r.ctx, true);
        assert_int_equal(kline(0, 4)->level, 0);
        r.ops->force_off(r.ctx);
        assert_int_equal(kline(0, 4)->level, 1);
        r.ops->set(r.ctx, true);
        r.ops->close(r.ctx);
        assert_int_equal(kline(0, 4)->level, 1);
        assert_false(kline(0, 4)->held);
        assert_int_equal(fake_kernel.open_handles, 0);
}

static void finds_chips_by_path_name_number_and_label(void **state)
{
        const struct gpio_backend *be = gpio_chip_backend();
        char path[256];
        (void)state;
        assert_int_equal(gpio_chip_find(be, dir, pi4, path, sizeof(path)), 0);
        assert_string_equal(path, pi4);
        assert_int_equal(gpio_chip_find(be, dir, "gpiochip10", path,
                                        sizeof(path)), 0);
        assert_string_equal(path, pi4);
        assert_int_equal(gpio_chip_find(be, dir, "0", path, sizeof(path)), 0);
        assert_string_equal(path, pi5);
        assert_int_equal(gpio_chip_find(be, dir, "pinctrl-rp1", path,
                                        sizeof(path)), 0);
        assert_string_equal(path, pi5);
        assert_int_equal(gpio_chip_find(be, dir, "gpio-brcmstb@107d508500",
                                        path, sizeof(path)), 0);
        assert_string_equal(path, pi4);
        /* A Pi 4's label on a Pi 5: not there, and said so. */
        assert_int_equal(gpio_chip_find(be, dir, "pinctrl-bcm2711", path,
                                        sizeof(path)), -ENODEV);
        assert_int_equal(fake_kernel.open_handles, 0);
}

static void errors_a_pi_owner_meets(void **state)
{
        const struct gpio_backend *be = gpio_chip_backend();
        struct gpio_relay_cfg c = { .line = 17 };
        struct relay r = { 0 }, r2 = { 0 };
        void *line = NULL;
        char missing[160];
        (void)state;
        snprintf(missing, sizeof(missing), "%s/gpiochip9", dir);
        assert_int_equal(be->open(missing, 17, "heatpad", 0, &line), -ENOENT);
        assert_int_equal(be->open(pi5, 54, "heatpad", 0, &line), -EINVAL);
        assert_null(line);
        /* Another program (or a dtoverlay) holds the line. */
        kline(0, 17)->held = true;
        snprintf(kline(0, 17)->consumer, 32, "w1-gpio");
        snprintf(c.chip, sizeof(c.chip), "%s", pi5);
        assert_int_equal(gpio_relay_open(&c, be, &r), -EBUSY);
        assert_null(r.ops);
        kline(0, 17)->held = false;
        kline(0, 17)->consumer[0] = '\0';
        /* Ours twice: the second is refused, the first kept. */
        assert_int_equal(gpio_relay_open(&c, be, &r), 0);
        assert_int_equal(gpio_relay_open(&c, be, &r2), -EBUSY);
        fake_kernel.set_errno = EIO;
        assert_int_equal(r.ops->set(r.ctx, true), -EIO);
        fake_kernel.set_errno = 0;
        r.ops->close(r.ctx);
        assert_int_equal(fake_kernel.open_handles, 0);
        /* Off cannot be written at open: the line is not kept. */
        fake_kernel.set_errno = EIO;
        assert_int_equal(gpio_relay_open(&c, be, &r), -EIO);
        fake_kernel.set_errno = 0;
        assert_false(kline(0, 17)->held);
        assert_int_equal(fake_kernel.open_handles, 0);
        be->release(NULL);
}

static void probe_lists_chips_labels_and_lines(void **state)
{
        const struct gpio_backend *be = gpio_chip_backend();
        struct gpio_relay_cfg c = { .line = 17 };
        struct relay r;
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        (void)state;
        snprintf(c.chip, sizeof(c.chip), "%s", pi5);
        assert_int_equal(gpio_relay_open(&c, be, &r), 0);
        assert_int_equal(gpio_probe(be, dir, f), 2);
        fclose(f);
        r.ops->close(r.ctx);
        assert_non_null(strstr(text, "  gpiochip0 [pinctrl-rp1]: 54 lines\n"
                               "    line   4: GPIO4\n"
                               "    line  17: GPIO17 (in use by heatpad)\n"
                               "  gpiochip10 [gpio-brcmstb@107d508500]: 32 "
                               "lines\n"));
        free(text);
        assert_non_null(strstr(be->api, "libgpiod"));
        assert_int_equal(fake_kernel.open_handles, 0);
}

static bool readable(int fd)
{
        struct pollfd p = { fd, POLLIN, 0 };
        return poll(&p, 1, 0) == 1;
}

/* A bedside button through button_gpio_v1.c or _v2.c: an input with both
 * edges, its bias and polarity in the request, levels read logically. */
static void button_line_edges_bias_and_polarity(void **state)
{
        struct fake_kline *kl = &fake_kernel.chip[0].line[27];
        struct button_line *l, *again;
        bool pressed = true;
        (void)state;

        assert_int_equal(button_line_open(pi5, 27, GPIO_CONSUMER, true,
                                          GPIO_BIAS_PULL_UP, &l), 0);
        assert_true(kl->held);
        assert_false(kl->output);
        assert_true(kl->pull_up);
        assert_true(kl->active_low);
        assert_string_equal(kl->consumer, GPIO_CONSUMER);
        /* pulled up, to ground when pressed: released now */
        assert_int_equal(button_line_get(l, &pressed), 0);
        assert_false(pressed);
        assert_false(readable(button_line_fd(l)));
        fake_gpiod_drive(pi5, 27, 0);
        assert_true(readable(button_line_fd(l)));
        assert_int_equal(button_line_read_events(l, &pressed), 0);
        assert_true(pressed);
        assert_false(readable(button_line_fd(l)));
        /* a bounce: the level after the last edge counts */
        fake_gpiod_drive(pi5, 27, 1);
        fake_gpiod_drive(pi5, 27, 0);
        fake_gpiod_drive(pi5, 27, 1);
        assert_int_equal(button_line_read_events(l, &pressed), 0);
        assert_false(pressed);
        /* the line is ours alone */
        assert_int_equal(button_line_open(pi5, 27, GPIO_CONSUMER, true,
                                          GPIO_BIAS_PULL_UP, &again), -EBUSY);
        button_line_close(l);
        assert_false(kl->held);
        assert_int_equal(fake_kernel.open_handles, 0);
        /* to 3.3 V with a pull-down, active high */
        kl->level = -1;
        assert_int_equal(button_line_open(pi5, 27, GPIO_CONSUMER, false,
                                          GPIO_BIAS_PULL_DOWN, &l), 0);
        assert_true(kl->pull_down);
        assert_int_equal(button_line_get(l, &pressed), 0);
        assert_false(pressed);
        fake_gpiod_drive(pi5, 27, 1);
        assert_int_equal(button_line_read_events(l, &pressed), 0);
        assert_true(pressed);
        button_line_close(l);
        assert_int_equal(button_line_open(pi5, 60, GPIO_CONSUMER, true,
                                          GPIO_BIAS_PULL_UP, &l), -EINVAL);
        assert_int_equal(fake_kernel.open_handles, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(relay_active_high, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(relay_active_low, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(
                        finds_chips_by_path_name_number_and_label, setup,
                        teardown),
                cmocka_unit_test_setup_teardown(errors_a_pi_owner_meets,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                        probe_lists_chips_labels_and_lines, setup, teardown),
                cmocka_unit_test_setup_teardown(
                        button_line_edges_bias_and_polarity, setup, teardown),
        };
        printf("backend: %s\n", gpio_chip_backend()->api);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
