// SPDX-License-Identifier: GPL-2.0
/*
 * Static inline functions outside IIO and media that our kernel-wide
 * additions (rust/kernel/reset.rs) call.
 */

#include <linux/reset.h>

struct reset_control *rust_helper_reset_control_get_exclusive(struct device *dev,
							     const char *id)
{
	return reset_control_get_exclusive(dev, id);
}
