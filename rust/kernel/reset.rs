// SPDX-License-Identifier: GPL-2.0

//! Reset controller consumers.
//!
//! C header: [`include/linux/reset.h`](srctree/include/linux/reset.h)
//!
//! The kernel crate has no reset abstraction yet; this is the part of one
//! that drivers need to get an exclusive reset line and pulse it.

use crate::{
    bindings,
    device::{Bound, Device},
    error::{from_err_ptr, to_result},
    prelude::*,
};

/// An exclusive reset control, released on drop.
///
/// # Invariants
///
/// `self.0` is a valid, exclusive `struct reset_control` obtained from
/// `reset_control_get_exclusive()`, owned by this object.
pub struct ResetControl(*mut bindings::reset_control);

// SAFETY: The reset controller API may be called from any thread on an
// exclusive control; `ResetControl` only hands out `&self` methods.
unsafe impl Send for ResetControl {}
// SAFETY: Concurrent assert/deassert calls are serialised by the reset core.
unsafe impl Sync for ResetControl {}

impl ResetControl {
    /// Gets the exclusive reset control `id` (or the only one, for `None`)
    /// of the bound device `dev`.
    pub fn get_exclusive(dev: &Device<Bound>, id: Option<&CStr>) -> Result<Self> {
        let id = id.map_or(core::ptr::null(), |id| id.as_char_ptr());
        // SAFETY: `dev` is a valid, bound device and `id` is NULL or a valid
        // C string for the duration of the call.
        let rstc = from_err_ptr(unsafe {
            bindings::reset_control_get_exclusive(crate::iio::dev_raw(dev), id)
        })?;
        if rstc.is_null() {
            // Only optional controls may be NULL; an exclusive one never is.
            return Err(ENOENT);
        }
        // INVARIANT: `rstc` is a valid exclusive control we now own.
        Ok(Self(rstc))
    }

    /// Asserts the reset line.
    pub fn assert(&self) -> Result {
        // SAFETY: By the type invariant, `self.0` is a valid reset control.
        to_result(unsafe { bindings::reset_control_assert(self.0) })
    }

    /// Deasserts the reset line.
    pub fn deassert(&self) -> Result {
        // SAFETY: By the type invariant, `self.0` is a valid reset control.
        to_result(unsafe { bindings::reset_control_deassert(self.0) })
    }
}

impl Drop for ResetControl {
    fn drop(&mut self) {
        // SAFETY: By the type invariant, we own `self.0`, which is not used
        // after this.
        unsafe { bindings::reset_control_put(self.0) };
    }
}
