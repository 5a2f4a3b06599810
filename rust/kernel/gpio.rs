// SPDX-License-Identifier: GPL-2.0

//! GPIO consumers.
//!
//! C header: [`include/linux/gpio/consumer.h`](srctree/include/linux/gpio/consumer.h)
//!
//! A driver gets the GPIO lines its firmware node names (`reset-gpios`,
//! `enable-gpios`, ...) as [`Desc`]s and drives them with logical values:
//! the firmware's active-low flag is applied by the GPIO core.
//!
//! # Examples
//!
//! ```ignore
//! use kernel::gpio::{Desc, Flags};
//!
//! // An optional reset line, driven high (asserted) at once.
//! if let Some(reset) = Desc::get_optional(dev, c"reset", Flags::OutHigh)? {
//!     reset.set_value_cansleep(false)?;
//! }
//! ```

use crate::{
    bindings,
    device::{Bound, Device},
    error::{from_err_ptr, to_result},
    prelude::*,
};

/// How a line is set up when it is got (`enum gpiod_flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flags {
    /// Left as it is (`GPIOD_ASIS`).
    AsIs,
    /// Input (`GPIOD_IN`).
    In,
    /// Output, logically low (`GPIOD_OUT_LOW`).
    OutLow,
    /// Output, logically high (`GPIOD_OUT_HIGH`).
    OutHigh,
}

impl Flags {
    fn as_raw(self) -> bindings::gpiod_flags {
        match self {
            Self::AsIs => bindings::gpiod_flags_GPIOD_ASIS,
            Self::In => bindings::gpiod_flags_GPIOD_IN,
            Self::OutLow => bindings::gpiod_flags_GPIOD_OUT_LOW,
            Self::OutHigh => bindings::gpiod_flags_GPIOD_OUT_HIGH,
        }
    }
}

/// A GPIO line a device consumes (`struct gpio_desc`), released on drop.
///
/// # Invariants
///
/// `self.0` is a valid descriptor obtained with `gpiod_get_optional()`,
/// owned by us.
pub struct Desc(*mut bindings::gpio_desc);

// SAFETY: GPIO descriptors may be used and released from any task.
unsafe impl Send for Desc {}
// SAFETY: The GPIO core serialises concurrent accesses to a line.
unsafe impl Sync for Desc {}

impl Desc {
    /// Gets the line `con_id` (`<con_id>-gpios` in devicetree) of `dev`,
    /// if the firmware describes one (`gpiod_get_optional()`).
    pub fn get_optional(dev: &Device<Bound>, con_id: &CStr, flags: Flags) -> Result<Option<Self>> {
        let raw = core::ptr::from_ref(dev)
            .cast::<bindings::device>()
            .cast_mut();
        // SAFETY: `dev` is a valid bound device; `con_id` a C string.
        let d = from_err_ptr(unsafe {
            bindings::gpiod_get_optional(raw, con_id.as_char_ptr(), flags.as_raw())
        })?;
        // INVARIANT: a non-NULL result is a descriptor we own; a `Desc` is
        // made only for one (a `Desc` made and dropped would put it).
        Ok(if d.is_null() { None } else { Some(Self(d)) })
    }

    /// Sets the logical value of an output line, from a context that may
    /// sleep (`gpiod_set_value_cansleep()`).
    pub fn set_value_cansleep(&self, value: bool) -> Result {
        // SAFETY: By the type invariant the descriptor is valid.
        to_result(unsafe { bindings::gpiod_set_value_cansleep(self.0, i32::from(value)) })
    }
}

impl Drop for Desc {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own the descriptor.
        unsafe { bindings::gpiod_put(self.0) };
    }
}
