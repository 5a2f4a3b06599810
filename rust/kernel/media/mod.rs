// SPDX-License-Identifier: GPL-2.0

//! Media: the media controller, V4L2 and videobuf2.
//!
//! C headers: [`include/media/`](srctree/include/media/),
//! [`include/uapi/linux/videodev2.h`](srctree/include/uapi/linux/videodev2.h),
//! [`include/uapi/linux/media.h`](srctree/include/uapi/linux/media.h).
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
//! - [`pixfmt`]: pixel formats (`struct v4l2_pix_format`), fourccs and the
//!   line and image size arithmetic of packed and unpacked raw formats;
//! - [`notifier`]: the asynchronous notifier of a bridge, which binds the
//!   remote sub-devices (sensors) described by the firmware graph.
//!
//! See `Documentation/media/rust-abstractions.rst` for the ownership and
//! lifetime model.

pub mod pixfmt;

#[cfg(CONFIG_MEDIA_CONTROLLER)]
pub mod device;
#[cfg(all(CONFIG_MEDIA_CONTROLLER, CONFIG_V4L2_ASYNC))]
pub mod notifier;
#[cfg(all(CONFIG_MEDIA_CONTROLLER, CONFIG_VIDEO_DEV))]
pub mod v4l2_device;
#[cfg(all(CONFIG_MEDIA_CONTROLLER, CONFIG_VIDEO_DEV, CONFIG_VIDEOBUF2_V4L2))]
pub mod vb2;
#[cfg(all(CONFIG_MEDIA_CONTROLLER, CONFIG_VIDEO_DEV, CONFIG_VIDEOBUF2_V4L2))]
pub mod video;

/// The C `struct device` of `dev` (the kernel crate's `as_raw()` is private
/// to it).
#[cfg(CONFIG_MEDIA_CONTROLLER)]
pub(crate) fn dev_raw<Ctx: crate::device::DeviceContext>(
    dev: &crate::device::Device<Ctx>,
) -> *mut crate::bindings::device {
    // Not dereferenced here. `device::Device` is a transparent wrapper of
    // `Opaque<struct device>`, itself transparent.
    core::ptr::from_ref(dev)
        .cast::<crate::bindings::device>()
        .cast_mut()
}

/// Copies `src` into the C character array `dst`, truncated so that it
/// always ends with a NUL (as `strscpy()`).
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
