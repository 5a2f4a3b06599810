// SPDX-License-Identifier: GPL-2.0

//! A device's set of supplies, switched together.
//!
//! C header: [`include/linux/regulator/consumer.h`](srctree/include/linux/regulator/consumer.h)
//!
//! [`crate::regulator::Regulator`] tracks one supply's state in its type,
//! which suits supplies enabled for as long as the device is bound. A
//! device powered up and down at runtime (runtime PM callbacks get `&self`)
//! switches all its supplies together: [`Bulk`] is `struct
//! regulator_bulk_data[N]` with `regulator_bulk_enable()` (all enabled in
//! parallel, the ones enabled undone on failure) and
//! `regulator_bulk_disable()`.
//!
//! # Examples
//!
//! ```ignore
//! use kernel::regulator_bulk::Bulk;
//!
//! let supplies = KBox::pin_init(Bulk::get(dev, [c"VANA", c"VDIG", c"VDDL"]), GFP_KERNEL)?;
//! supplies.enable()?;
//! supplies.disable()?;
//! ```

use crate::{bindings, device::Device, error::to_result, new_mutex, prelude::*, sync::Mutex};

/// `N` supplies of a device, released on drop. Enabling counts: each
/// [`Bulk::enable`] must be matched by a [`Bulk::disable`].
///
/// # Invariants
///
/// `data` holds `N` supplies got with `regulator_bulk_get()`, owned by us.
#[pin_data(PinnedDrop)]
pub struct Bulk<const N: usize> {
    #[pin]
    data: Mutex<[bindings::regulator_bulk_data; N]>,
}

// SAFETY: The regulator API may be used and released from any task.
unsafe impl<const N: usize> Send for Bulk<N> {}
// SAFETY: The array is behind a mutex; the regulator core has its own
// locking.
unsafe impl<const N: usize> Sync for Bulk<N> {}

impl<const N: usize> Bulk<N> {
    /// Gets the supplies `names` of `dev` (`regulator_bulk_get()`); a
    /// supply the firmware does not describe is a dummy one, as in C.
    pub fn get<'a>(dev: &'a Device, names: [&'static CStr; N]) -> impl PinInit<Self, Error> + 'a {
        try_pin_init!(Self {
            data <- {
                let mut data: [bindings::regulator_bulk_data; N] = pin_init::zeroed();
                for (d, n) in data.iter_mut().zip(names) {
                    d.supply = n.as_char_ptr();
                }
                let raw = core::ptr::from_ref(dev).cast::<bindings::device>().cast_mut();
                let n = i32::try_from(N)?;
                // SAFETY: `dev` is valid; `data` has `N` entries with their
                // supply names set.
                to_result(unsafe { bindings::regulator_bulk_get(raw, n, data.as_mut_ptr()) })?;
                // INVARIANT: `data` holds the supplies we now own; the mutex
                // cannot fail to initialise.
                new_mutex!(data)
            },
        }? Error)
    }

    /// Enables all supplies (`regulator_bulk_enable()`); on failure none
    /// stays enabled by this call.
    pub fn enable(&self) -> Result {
        let mut d = self.data.lock();
        // SAFETY: By the type invariant `d` holds `N` supplies.
        to_result(unsafe { bindings::regulator_bulk_enable(N as i32, d.as_mut_ptr()) })
    }

    /// Disables all supplies (`regulator_bulk_disable()`).
    pub fn disable(&self) -> Result {
        let mut d = self.data.lock();
        // SAFETY: By the type invariant `d` holds `N` supplies.
        to_result(unsafe { bindings::regulator_bulk_disable(N as i32, d.as_mut_ptr()) })
    }
}

#[pinned_drop]
impl<const N: usize> PinnedDrop for Bulk<N> {
    fn drop(self: Pin<&mut Self>) {
        let mut d = self.data.lock();
        // SAFETY: By the type invariant we own the supplies.
        unsafe { bindings::regulator_bulk_free(N as i32, d.as_mut_ptr()) };
    }
}
