// SPDX-License-Identifier: GPL-2.0

//! An extension of [`crate::faux`]: a faux device is bound for as long as
//! its registration exists, so it can be handed to abstractions that need
//! a `&Device<Bound>` (devres, IIO registrations), e.g. in test modules.
//!
//! C header: [`include/linux/device/faux.h`](srctree/include/linux/device/faux.h)
//!
//! In a kernel tree this belongs in `rust/kernel/faux.rs` as a method of
//! `Registration`.

use crate::{
    device::{Bound, Device},
    faux,
};

/// The bound device of a faux device registration.
///
/// # Examples
///
/// ```
/// use kernel::{faux, faux_ext::RegistrationExt};
///
/// let reg = faux::Registration::new(c"faux-ext-example", None)?;
/// let dev = reg.bound();
/// dev_info!(dev, "bound\n");
/// # Ok::<(), Error>(())
/// ```
pub trait RegistrationExt {
    /// The faux device, bound to the faux driver.
    fn bound(&self) -> &Device<Bound>;
}

impl RegistrationExt for faux::Registration {
    fn bound(&self) -> &Device<Bound> {
        let dev: &Device = self.as_ref();
        // SAFETY: `faux_device_create()` returns a device only once the faux
        // driver is bound to it (it checks `dev->driver` after the
        // synchronous probe and destroys the device otherwise). It stays
        // bound until `faux_device_destroy()`, which only the
        // registration's drop calls: the faux driver suppresses the sysfs
        // bind/unbind files. The returned reference borrows `self`.
        unsafe { dev.as_bound() }
    }
}
