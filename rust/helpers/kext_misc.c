// SPDX-License-Identifier: GPL-2.0
/*
 * Static inline functions outside IIO and media that our kernel-wide
 * additions (rust/kernel/reset.rs) call.
 */

struct reset_control *rust_helper_reset_control_get_exclusive(struct device *dev,
							     const char *id)
{
	return reset_control_get_exclusive(dev, id);
}

/* rust/kernel/spinlock_irq.rs */
unsigned long rust_helper_kext_spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	return flags;
}

void rust_helper_kext_spin_unlock_irqrestore(spinlock_t *lock,
					     unsigned long flags)
{
	spin_unlock_irqrestore(lock, flags);
}

bool rust_helper_kext_spin_trylock_irqsave(spinlock_t *lock,
					   unsigned long *flags)
{
	return spin_trylock_irqsave(lock, *flags);
}
