// SPDX-License-Identifier: GPL-2.0
/*
 * gpio-heatpad-sim: a simulated GPIO chip for testing heatpadd's libgpiod
 * relay where no real chip exists (Debian 12's kernel ships neither
 * gpio-mockup nor gpio-sim). Eight lines, no interrupts: outputs keep what
 * they are told, inputs read what they were last told. The chip appears as
 * /dev/gpiochipN with the label "heatpad-sim", and gpiolib's debugfs file
 * (/sys/kernel/debug/gpio) shows each requested line's consumer, direction
 * and level. Built and loaded by scripts/gpio-qemu inside a VM.
 */
#include <linux/gpio/driver.h>
#include <linux/module.h>
#include <linux/spinlock.h>

#define SIM_NGPIO 8

struct sim_chip {
	struct gpio_chip gc;
	spinlock_t lock;
	unsigned long value;	/* bit per line */
	unsigned long output;	/* bit per line: 1 = output */
};

static struct sim_chip sim;

static int sim_get(struct gpio_chip *gc, unsigned int offset)
{
	struct sim_chip *s = gpiochip_get_data(gc);
	return !!test_bit(offset, &s->value);
}

static void sim_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	struct sim_chip *s = gpiochip_get_data(gc);
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	if (value)
		__set_bit(offset, &s->value);
	else
		__clear_bit(offset, &s->value);
	spin_unlock_irqrestore(&s->lock, flags);
}

static int sim_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	struct sim_chip *s = gpiochip_get_data(gc);
	return test_bit(offset, &s->output) ? GPIO_LINE_DIRECTION_OUT :
					      GPIO_LINE_DIRECTION_IN;
}

static int sim_direction_input(struct gpio_chip *gc, unsigned int offset)
{
	struct sim_chip *s = gpiochip_get_data(gc);
	clear_bit(offset, &s->output);
	return 0;
}

static int sim_direction_output(struct gpio_chip *gc, unsigned int offset,
				int value)
{
	struct sim_chip *s = gpiochip_get_data(gc);
	sim_set(gc, offset, value);
	set_bit(offset, &s->output);
	return 0;
}

static int __init sim_init(void)
{
	spin_lock_init(&sim.lock);
	sim.gc.label = "heatpad-sim";
	sim.gc.base = -1;
	sim.gc.ngpio = SIM_NGPIO;
	sim.gc.owner = THIS_MODULE;
	sim.gc.get = sim_get;
	sim.gc.set = sim_set;
	sim.gc.get_direction = sim_get_direction;
	sim.gc.direction_input = sim_direction_input;
	sim.gc.direction_output = sim_direction_output;
	return gpiochip_add_data(&sim.gc, &sim);
}

static void __exit sim_exit(void)
{
	gpiochip_remove(&sim.gc);
}

module_init(sim_init);
module_exit(sim_exit);
MODULE_DESCRIPTION("A simulated GPIO chip for heatpad's tests");
MODULE_LICENSE("GPL");
