// SPDX-License-Identifier: GPL-2.0
/*
 * The static inline functions and macros of the IIO C API that
 * rust/kernel/iio/ calls (see helpers.c for the naming rule).
 *
 * Reachable only where IIO is: in a grafted kernel tree these helpers are
 * part of vmlinux and need IIO built in; out of tree they are part of a
 * module and IIO may be a module too.
 */

#include <linux/iio/buffer.h>
#include <linux/iio/iio.h>
#include <linux/iio/trigger.h>
#include <linux/iio/trigger_consumer.h>

#if IS_REACHABLE(CONFIG_IIO)

void *rust_helper_iio_priv(const struct iio_dev *indio_dev)
{
	return iio_priv(indio_dev);
}

bool rust_helper_iio_device_claim_direct(struct iio_dev *indio_dev)
{
	return iio_device_claim_direct(indio_dev);
}

void rust_helper_iio_device_release_direct(struct iio_dev *indio_dev)
{
	iio_device_release_direct(indio_dev);
}

unsigned int rust_helper_iio_get_masklength(const struct iio_dev *indio_dev)
{
	return iio_get_masklength(indio_dev);
}

int rust_helper_iio_push_to_buffers_with_ts(struct iio_dev *indio_dev,
					    void *data, size_t data_total_len,
					    s64 timestamp)
{
	return iio_push_to_buffers_with_ts(indio_dev, data, data_total_len,
					   timestamp);
}

struct iio_trigger *rust_helper_iio_trigger_alloc(struct device *parent,
						  struct module *this_mod,
						  const char *name)
{
	return __iio_trigger_alloc(parent, this_mod, "%s", name);
}

void rust_helper_iio_trigger_set_drvdata(struct iio_trigger *trig, void *data)
{
	iio_trigger_set_drvdata(trig, data);
}

void *rust_helper_iio_trigger_get_drvdata(struct iio_trigger *trig)
{
	return iio_trigger_get_drvdata(trig);
}

struct iio_trigger *rust_helper_iio_trigger_get(struct iio_trigger *trig)
{
	return iio_trigger_get(trig);
}

void rust_helper_iio_trigger_put(struct iio_trigger *trig)
{
	iio_trigger_put(trig);
}

/*
 * iio_trigger_poll() demultiplexes to the consumers' interrupts, which
 * needs local interrupts disabled (it is meant for hard interrupt
 * handlers); this makes it callable from any context
 * (rust/kernel/iio/trigger.rs, Trigger::poll).
 */
void rust_helper_iio_trigger_poll_irqs_off(struct iio_trigger *trig)
{
	unsigned long flags;

	local_irq_save(flags);
	iio_trigger_poll(trig);
	local_irq_restore(flags);
}

#endif /* IS_REACHABLE(CONFIG_IIO) */
