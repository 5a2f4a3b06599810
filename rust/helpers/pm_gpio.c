// SPDX-License-Identifier: GPL-2.0
/*
 * Static inline functions of runtime PM, GPIO consumers and SRCU that our
 * kernel-wide additions (rust/kernel/pm_runtime.rs, gpio.rs, srcu.rs)
 * call. With CONFIG_PM or CONFIG_GPIOLIB off, the C headers turn these into
 * stubs, which the helpers then call just the same.
 */

int rust_helper_pm_runtime_resume_and_get(struct device *dev)
{
	return pm_runtime_resume_and_get(dev);
}

int rust_helper_pm_runtime_get_if_in_use(struct device *dev)
{
	return pm_runtime_get_if_in_use(dev);
}

void rust_helper_pm_runtime_put(struct device *dev)
{
	pm_runtime_put(dev);
}

int rust_helper_pm_runtime_put_sync(struct device *dev)
{
	return pm_runtime_put_sync(dev);
}

int rust_helper_pm_runtime_put_autosuspend(struct device *dev)
{
	return pm_runtime_put_autosuspend(dev);
}

int rust_helper_pm_runtime_idle(struct device *dev)
{
	return pm_runtime_idle(dev);
}

int rust_helper_pm_runtime_set_active(struct device *dev)
{
	return pm_runtime_set_active(dev);
}

void rust_helper_pm_runtime_set_suspended(struct device *dev)
{
	pm_runtime_set_suspended(dev);
}

void rust_helper_pm_runtime_enable(struct device *dev)
{
	pm_runtime_enable(dev);
}

void rust_helper_pm_runtime_disable(struct device *dev)
{
	pm_runtime_disable(dev);
}

void rust_helper_pm_runtime_use_autosuspend(struct device *dev)
{
	pm_runtime_use_autosuspend(dev);
}

void rust_helper_pm_runtime_dont_use_autosuspend(struct device *dev)
{
	pm_runtime_dont_use_autosuspend(dev);
}

void rust_helper_pm_runtime_set_autosuspend_delay(struct device *dev, int delay)
{
	pm_runtime_set_autosuspend_delay(dev, delay);
}

bool rust_helper_pm_runtime_status_suspended(struct device *dev)
{
	return pm_runtime_status_suspended(dev);
}

struct gpio_desc *rust_helper_gpiod_get_optional(struct device *dev,
						 const char *con_id,
						 enum gpiod_flags flags)
{
	return gpiod_get_optional(dev, con_id, flags);
}

void rust_helper_gpiod_put(struct gpio_desc *desc)
{
	gpiod_put(desc);
}

int rust_helper_gpiod_set_value_cansleep(struct gpio_desc *desc, int value)
{
	return gpiod_set_value_cansleep(desc, value);
}

int rust_helper_kext_init_srcu_struct(struct srcu_struct *ssp, const char *name,
				      struct lock_class_key *key)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	return __init_srcu_struct(ssp, name, key);
#else
	return init_srcu_struct(ssp);
#endif
}

int rust_helper_srcu_read_lock(struct srcu_struct *ssp)
{
	return srcu_read_lock(ssp);
}

void rust_helper_srcu_read_unlock(struct srcu_struct *ssp, int idx)
{
	srcu_read_unlock(ssp, idx);
}
