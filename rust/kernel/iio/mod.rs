// SPDX-License-Identifier: GPL-2.0

//! Industrial I/O (IIO).
//!
//! C headers: [`include/linux/iio/`](srctree/include/linux/iio/)
//!
//! - [`device::Device`]: an IIO device with driver data, its callbacks
//!   ([`device::Info`], [`device::BufferOps`]), made unregistered
//!   ([`device::UnregisteredDevice`]) and kept registered by a
//!   [`device::Registration`];
//! - [`channel::ChanSpec`]: `const` channel specifications, checked at
//!   compile time by [`iio_channels!`](crate::iio_channels);
//! - [`value::Value`]: the typed `IIO_VAL_*` values;
//! - [`trigger::Trigger`]: triggers, made with driver data and operations
//!   ([`trigger::UnregisteredTrigger`], [`trigger::TriggerRegistration`]);
//! - [`scan`]: the layout of scans and the scan masks, as the core has them.
//!
//! See `Documentation/iio/rust-abstractions.rst`.

pub mod channel;
pub mod device;
pub mod scan;
pub mod trigger;
pub mod value;

pub use channel::{ChanInfo, ChanSpec, ChanType, InfoMask, ScanType};
pub use device::{
    BufferOps, Device, DirectClaim, Info, Registration, Scan, Spec, UnregisteredDevice,
};
pub use trigger::{Trigger, TriggerOps, TriggerRegistration, UnregisteredTrigger};
pub use value::{Available, Value, ValueKind, WriteKind};

#[cfg(CONFIG_RUST_IIO_KUNIT_TEST)]
mod tests;

use crate::bindings;

/// The C `struct device` of `dev` (the kernel crate's `as_raw()` is
/// private to it).
pub(crate) fn dev_raw<Ctx: crate::device::DeviceContext>(
    dev: &crate::device::Device<Ctx>,
) -> *mut bindings::device {
    // Not dereferenced here. `device::Device` is a transparent wrapper of
    // `Opaque<struct device>`, itself transparent.
    core::ptr::from_ref(dev)
        .cast::<bindings::device>()
        .cast_mut()
}
