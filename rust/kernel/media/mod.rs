// SPDX-License-Identifier: GPL-2.0

//! Media controller, Video4Linux2 (V4L2) and videobuf2.
//!
//! C headers: [`include/media/`](srctree/include/media/),
//! [`include/uapi/linux/videodev2.h`](srctree/include/uapi/linux/videodev2.h),
//! [`include/uapi/linux/v4l2-subdev.h`](srctree/include/uapi/linux/v4l2-subdev.h),
//! [`include/uapi/linux/media.h`](srctree/include/uapi/linux/media.h).
//!
//! Entities and sub-devices (sensors and bridges alike):
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
//! Bridge side (receivers, video nodes, buffers):
//!
//! - [`device`]: the media device (`struct media_device`) and the graph
//!   queries a bridge needs (pipelines);
//! - [`v4l2_device`]: the V4L2 device (`struct v4l2_device`), which owns the
//!   media device and outlives every node registered on it;
//! - [`video`]: video device nodes (`struct video_device`), their ioctl
//!   operations and file handles;
//! - [`vb2`]: videobuf2 queues (`struct vb2_queue`), buffers handed to the
//!   driver and their completion;
//! - [`m2m`]: memory-to-memory devices (codecs): per-file contexts with an
//!   OUTPUT and a CAPTURE queue, and the jobs the mem2mem core schedules;
//! - [`notifier`]: the asynchronous notifier of a bridge, which binds the
//!   remote sub-devices (sensors) described by the firmware graph;
//! - [`pixfmt`]: pixel formats (`struct v4l2_pix_format`), fourccs and the
//!   line and image size arithmetic of packed and unpacked raw formats
//!   (plain arithmetic, built on every architecture).
//!
//! Everything but [`pixfmt`] needs the media controller, the sub-device API
//! and, as the kernel crate is built in, the V4L2 core built in
//! (`CONFIG_RUST_MEDIA_ABSTRACTIONS`, `drivers/media/Kconfig`; our arm test
//! kernel has no media). See
//! `Documentation/media/rust-abstractions.rst` for the lifetime model.

/// A raw pointer of type `*const $ty` to `$place`, a member of a C union.
///
/// bindgen generates a C union as a Rust `union` where it can tell that
/// every member is `Copy` (always in a kernel tree, where the kernel crate's
/// bindings are generated in one pass), and otherwise as a structure of
/// zero-sized `__BindgenUnionField`s over the union's storage (out of tree,
/// where most member types come from the kernel crate's bindings). Either
/// way every member starts at the union's address, so the pointer is the
/// same: code that reaches union members this way compiles in both builds.
/// Reading or writing through it is unsafe as a union member access is.
macro_rules! union_member {
    ($place:expr, $ty:ty) => {
        ::core::ptr::addr_of!($place).cast::<$ty>()
    };
}

/// As [`union_member!`], a `*mut $ty`.
macro_rules! union_member_mut {
    ($place:expr, $ty:ty) => {
        ::core::ptr::addr_of_mut!($place).cast::<$ty>()
    };
}

pub mod pixfmt;

#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub mod ctrls;
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub mod device;
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub mod entity;
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub mod fwnode;
#[cfg(all(
    CONFIG_RUST_MEDIA_ABSTRACTIONS,
    CONFIG_VIDEOBUF2_V4L2,
    CONFIG_V4L2_MEM2MEM_DEV
))]
pub mod m2m;
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub mod mbus;
#[cfg(all(CONFIG_RUST_MEDIA_ABSTRACTIONS, CONFIG_V4L2_ASYNC))]
pub mod notifier;
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub mod sensor;
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub mod subdev;
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub mod v4l2_device;
#[cfg(all(CONFIG_RUST_MEDIA_ABSTRACTIONS, CONFIG_VIDEOBUF2_V4L2))]
pub mod vb2;
#[cfg(all(CONFIG_RUST_MEDIA_ABSTRACTIONS, CONFIG_VIDEOBUF2_V4L2))]
pub mod video;

#[cfg(all(CONFIG_RUST_MEDIA_ABSTRACTIONS, any(CONFIG_I2C, CONFIG_I2C = "m")))]
pub mod cci;

#[cfg(CONFIG_RUST_MEDIA_KUNIT_TEST)]
mod tests;

#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
use crate::bindings;

/// The C `struct device` of `dev` (the kernel crate's `as_raw()` is private
/// to it).
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub(crate) fn dev_raw<Ctx: crate::device::DeviceContext>(
    dev: &crate::device::Device<Ctx>,
) -> *mut bindings::device {
    // Not dereferenced here. `device::Device` is a transparent wrapper of
    // `Opaque<struct device>`, itself transparent.
    core::ptr::from_ref(dev)
        .cast::<bindings::device>()
        .cast_mut()
}

/// The C `struct fwnode_handle` of `node`.
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub(crate) fn fwnode_raw(node: &crate::device::property::FwNode) -> *mut bindings::fwnode_handle {
    // Not dereferenced here. `FwNode` is a transparent wrapper of
    // `Opaque<struct fwnode_handle>`.
    core::ptr::from_ref(node)
        .cast::<bindings::fwnode_handle>()
        .cast_mut()
}

/// Copies `src` into the C character array `dst`, truncated so that it
/// always ends with a NUL (as `strscpy()`).
#[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
pub(crate) fn copy_name(dst: &mut [crate::ffi::c_char], src: &crate::prelude::CStr) {
    let Some(room) = dst.len().checked_sub(1) else {
        return;
    };
    let bytes = src.to_bytes();
    let n = bytes.len().min(room);
    for (d, s) in dst.iter_mut().zip(&bytes[..n]) {
        *d = crate::ffi::c_char::from_ne_bytes([*s]);
    }
    dst[n] = 0;
}
