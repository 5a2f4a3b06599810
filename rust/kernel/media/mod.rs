// SPDX-License-Identifier: GPL-2.0

//! Media controller and Video4Linux2 (V4L2).
//!
//! C headers: [`include/media/`](srctree/include/media/),
//! [`include/uapi/linux/videodev2.h`](srctree/include/uapi/linux/videodev2.h),
//! [`include/uapi/linux/v4l2-subdev.h`](srctree/include/uapi/linux/v4l2-subdev.h),
//! [`include/uapi/linux/media.h`](srctree/include/uapi/linux/media.h).
//!
//! - [`entity`]: media entities, pads and links;
//! - [`mbus`]: media bus formats (`struct v4l2_mbus_framefmt`), codes and
//!   the CSI-2 data types they travel as;
//! - [`subdev`]: V4L2 sub-devices with centrally managed state, routing and
//!   streams, their operations, their registration (async for sensors, on
//!   a `v4l2_device` for bridges) and calls to a remote sub-device;
//! - [`ctrls`]: control handlers and controls;
//! - [`fwnode`]: firmware (devicetree/ACPI) endpoint parsing;
//! - [`cci`]: the Camera Control Interface register access of sensors;
//! - [`sensor`]: what every camera sensor driver gets from V4L2 helpers
//!   (its external clock).
//!
//! See `Documentation/media/rust-abstractions.rst` for the lifetime model.

pub mod ctrls;
pub mod entity;
pub mod fwnode;
pub mod mbus;
pub mod sensor;
pub mod subdev;

#[cfg(any(CONFIG_I2C, CONFIG_I2C = "m"))]
pub mod cci;

#[cfg(CONFIG_KUNIT)]
mod tests;

use crate::{bindings, device};

/// The C `struct device` of `dev` (the kernel crate's `as_raw()` is private
/// to it).
pub(crate) fn dev_raw<Ctx: device::DeviceContext>(
    dev: &device::Device<Ctx>,
) -> *mut bindings::device {
    // Not dereferenced here. `device::Device` is a transparent wrapper of
    // `Opaque<struct device>`, itself transparent.
    core::ptr::from_ref(dev)
        .cast::<bindings::device>()
        .cast_mut()
}

/// The C `struct fwnode_handle` of `node`.
pub(crate) fn fwnode_raw(node: &device::property::FwNode) -> *mut bindings::fwnode_handle {
    // Not dereferenced here. `FwNode` is a transparent wrapper of
    // `Opaque<struct fwnode_handle>`.
    core::ptr::from_ref(node)
        .cast::<bindings::fwnode_handle>()
        .cast_mut()
}
