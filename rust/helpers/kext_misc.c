// SPDX-License-Identifier: GPL-2.0
/*
 * Static inline functions outside IIO and media that our kernel-wide
 * additions (rust/kernel/reset.rs, rust/kernel/sync_ext.rs,
 * rust/kernel/io_ext.rs) call.
 */

struct reset_control *rust_helper_reset_control_get_exclusive(struct device *dev,
							     const char *id)
{
	return reset_control_get_exclusive(dev, id);
}

/*
 * spin_lock_irqsave() and friends are macros that write the saved interrupt
 * state into an lvalue; these return it or take it by value
 * (rust/kernel/sync_ext.rs).
 */
unsigned long rust_helper_spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	return flags;
}

bool rust_helper_spin_trylock_irqsave(spinlock_t *lock, unsigned long *flags)
{
	return spin_trylock_irqsave(lock, *flags);
}

void rust_helper_spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	spin_unlock_irqrestore(lock, flags);
}

bool rust_helper_irqs_disabled(void)
{
	return irqs_disabled();
}

/*
 * devm_request_mem_region() is a macro naming iomem_resource
 * (rust/kernel/io_ext.rs): the region is named after the device, as
 * devm_ioremap_resource() names it.
 */
bool rust_helper_kext_devm_request_mem_region(struct device *dev,
					      resource_size_t start,
					      resource_size_t n)
{
	return devm_request_mem_region(dev, start, n, dev_name(dev));
}
