// SPDX-License-Identifier: GPL-2.0
/*
 * gpio-heatpad-sim: a simulated GPIO chip for testing heatpadd's libgpiod
 * relay, button and light where no real chip exists (Debian 12's and 13's
 * kernels ship neither gpio-mockup nor gpio-sim, nor the irq_sim they
 * would use). Eight lines: outputs keep what they are told; an input reads
 * the level last driven onto it from outside, and a change of that level
 * raises the line's interrupt (gpiolib's own irqchip, rising and falling
 * edges), so a line requested for edge events sees them as from a real
 * button. The chip appears as /dev/gpiochipN with the label "heatpad-sim",
 * and gpiolib's debugfs file (/sys/kernel/debug/gpio) shows each requested
 * line's consumer, direction and level.
 *
 *   echo "1 0" > /sys/module/gpio_heatpad_sim/parameters/input
 *       drives input line 1 low (refused with EBUSY on an output line);
 *   cat /sys/module/gpio_heatpad_sim/parameters/changes
 *       how many times each line's level changed, line 0 first (an
 *       output's as told by its consumer, an input's as driven).
 *
 * Built and loaded by scripts/gpio-qemu inside a VM.
 */
#include <linux/gpio/driver.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>

#define SIM_NGPIO 8

struct sim_chip {
	struct gpio_chip gc;
	spinlock_t lock;
	bool ready;
	unsigned long value;	/* bit per line */
	unsigned long output;	/* bit per line: 1 = output */
	unsigned long irq_on;	/* bit per line: interrupt unmasked */
	unsigned int irq_type[SIM_NGPIO];
	unsigned int changes[SIM_NGPIO];
};

static struct sim_chip sim;

static int sim_get(struct gpio_chip *gc, unsigned int offset)
{
	struct sim_chip *s = gpiochip_get_data(gc);
	return !!test_bit(offset, &s->value);
}

/* Sets a line's level; whether it changed. */
static bool sim_level(struct sim_chip *s, unsigned int offset, int value)
{
	unsigned long flags;
	bool changed;

	spin_lock_irqsave(&s->lock, flags);
	changed = !!test_bit(offset, &s->value) != !!value;
	if (value)
		__set_bit(offset, &s->value);
	else
		__clear_bit(offset, &s->value);
	if (changed)
		s->changes[offset]++;
	spin_unlock_irqrestore(&s->lock, flags);
	return changed;
}

static void sim_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	sim_level(gpiochip_get_data(gc), offset, value);
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

/* The interrupt side: gpiolib's irqchip (a linear domain, handle_simple_irq),
 * edges only, raised from sim_drive(). */
static void sim_irq_mask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	irq_hw_number_t hw = irqd_to_hwirq(d);

	clear_bit(hw, &sim.irq_on);
	gpiochip_disable_irq(gc, hw);
}

static void sim_irq_unmask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	irq_hw_number_t hw = irqd_to_hwirq(d);

	gpiochip_enable_irq(gc, hw);
	set_bit(hw, &sim.irq_on);
}

static int sim_irq_set_type(struct irq_data *d, unsigned int type)
{
	irq_hw_number_t hw = irqd_to_hwirq(d);

	if (type & ~IRQ_TYPE_EDGE_BOTH)
		return -EINVAL;
	sim.irq_type[hw] = type;
	return 0;
}

static const struct irq_chip sim_irq_chip = {
	.name = "heatpad-sim",
	.irq_mask = sim_irq_mask,
	.irq_unmask = sim_irq_unmask,
	.irq_set_type = sim_irq_set_type,
	.flags = IRQCHIP_IMMUTABLE,
	GPIOCHIP_IRQ_RESOURCE_HELPERS,
};

/* A level driven onto an input line from outside, as a button would. */
static int sim_drive(unsigned int offset, int value)
{
	unsigned int type, irq;

	if (test_bit(offset, &sim.output))
		return -EBUSY;
	if (!sim_level(&sim, offset, value))
		return 0;
	type = sim.irq_type[offset];
	if (!test_bit(offset, &sim.irq_on) ||
	    !((value && (type & IRQ_TYPE_EDGE_RISING)) ||
	      (!value && (type & IRQ_TYPE_EDGE_FALLING))))
		return 0;
	irq = irq_find_mapping(sim.gc.irq.domain, offset);
	if (irq)
		generic_handle_irq_safe(irq);
	return 0;
}

static int input_set(const char *val, const struct kernel_param *kp)
{
	unsigned int line, v;

	if (!sim.ready)
		return -ENODEV;
	if (sscanf(val, "%u %u", &line, &v) != 2 || line >= SIM_NGPIO || v > 1)
		return -EINVAL;
	return sim_drive(line, v);
}

static int input_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%02lx\n", sim.value);
}

static int changes_get(char *buf, const struct kernel_param *kp)
{
	int n = 0;
	unsigned int i;

	for (i = 0; i < SIM_NGPIO; i++)
		n += sysfs_emit_at(buf, n, "%u%c", sim.changes[i],
				   i + 1 < SIM_NGPIO ? ' ' : '\n');
	return n;
}

static const struct kernel_param_ops input_ops = {
	.set = input_set,
	.get = input_get,
};

static const struct kernel_param_ops changes_ops = {
	.get = changes_get,
};

module_param_cb(input, &input_ops, NULL, 0644);
MODULE_PARM_DESC(input, "\"LINE LEVEL\" drives an input line; reads the levels");
module_param_cb(changes, &changes_ops, NULL, 0444);
MODULE_PARM_DESC(changes, "each line's count of level changes");

static int __init sim_init(void)
{
	struct gpio_irq_chip *girq = &sim.gc.irq;
	int ret;

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
	gpio_irq_chip_set_chip(girq, &sim_irq_chip);
	girq->handler = handle_simple_irq;
	girq->default_type = IRQ_TYPE_NONE;
	girq->num_parents = 0;
	girq->parents = NULL;
	girq->parent_handler = NULL;
	ret = gpiochip_add_data(&sim.gc, &sim);
	if (!ret)
		sim.ready = true;
	return ret;
}

static void __exit sim_exit(void)
{
	sim.ready = false;
	gpiochip_remove(&sim.gc);
}

module_init(sim_init);
module_exit(sim_exit);
MODULE_DESCRIPTION("A simulated GPIO chip for heatpad's tests");
MODULE_LICENSE("GPL");
