// SPDX-License-Identifier: GPL-2.0

//! Checks that the generated bindings lay out the C structures that our
//! abstractions embed or reach with `container_of!` exactly as the C compiler
//! does for this kernel: same sizes, same offsets of the embedded members.
//!
//! bindgen runs with `--no-layout-tests` in the kernel, so nothing else would
//! notice a kernel configuration, a compiler flag or a header change that
//! moves a field between the C side and the generated Rust side.

#[::kernel::macros::kunit_tests(kernel_ext_layout)]
mod tests {
    use crate::bindings::{self, kext_layout};
    use core::mem::{offset_of, size_of};

    /// Compares each `(what, rust value)` pair with what C reports for `what`.
    /// Every mismatch is logged, so that one run names all of them.
    fn mismatches(items: &[(kext_layout, usize, &str)]) -> usize {
        let mut bad = 0;
        for &(what, rust, name) in items {
            // SAFETY: `kext_layout` only reads compile-time constants.
            let c = unsafe { bindings::kext_layout(what) };
            if c != rust {
                ::kernel::pr_err!("layout mismatch: {name}: C says {c}, the bindings say {rust}\n");
                bad += 1;
            }
        }
        bad
    }

    macro_rules! layout {
        ($id:ident, sizeof $ty:ident) => {
            (bindings::$id, size_of::<bindings::$ty>(), stringify!(sizeof $ty))
        };
        ($id:ident, offsetof $ty:ident . $($field:ident).+) => {
            (
                bindings::$id,
                offset_of!(bindings::$ty, $($field).+),
                stringify!(offsetof $ty.$($field).+),
            )
        };
    }

    #[test]
    fn iio_structures() {
        assert_eq!(
            mismatches(&[
                layout!(kext_layout_KEXT_SIZEOF_IIO_DEV, sizeof iio_dev),
                layout!(kext_layout_KEXT_SIZEOF_IIO_CHAN_SPEC, sizeof iio_chan_spec),
                layout!(
                    kext_layout_KEXT_OFFSETOF_IIO_CHAN_SPEC_SCAN_TYPE,
                    offsetof iio_chan_spec.__bindgen_anon_1.scan_type
                ),
                layout!(kext_layout_KEXT_SIZEOF_IIO_INFO, sizeof iio_info),
                layout!(kext_layout_KEXT_SIZEOF_IIO_TRIGGER_OPS, sizeof iio_trigger_ops),
                layout!(
                    kext_layout_KEXT_SIZEOF_IIO_BUFFER_SETUP_OPS,
                    sizeof iio_buffer_setup_ops
                ),
                layout!(kext_layout_KEXT_SIZEOF_IIO_POLL_FUNC, sizeof iio_poll_func),
            ]),
            0
        );
    }

    /// The private area of an `iio_dev`, and the scans pushed to IIO
    /// buffers, are aligned to `IIO_DMA_MINALIGN` (bindgen's view of it must
    /// be the compiler's), which is at least the alignment of a timestamp.
    #[test]
    fn iio_dma_minalign() {
        let rust = bindings::IIO_DMA_MINALIGN;
        assert!(rust >= size_of::<i64>());
        assert_eq!(
            mismatches(&[(
                bindings::kext_layout_KEXT_IIO_DMA_MINALIGN,
                rust,
                "IIO_DMA_MINALIGN"
            )]),
            0
        );
    }

    #[test]
    fn media_structures() {
        assert_eq!(
            mismatches(&[
                layout!(kext_layout_KEXT_SIZEOF_MEDIA_DEVICE, sizeof media_device),
                layout!(kext_layout_KEXT_SIZEOF_MEDIA_PAD, sizeof media_pad),
                layout!(kext_layout_KEXT_SIZEOF_V4L2_DEVICE, sizeof v4l2_device),
                layout!(kext_layout_KEXT_OFFSETOF_V4L2_DEVICE_MDEV, offsetof v4l2_device.mdev),
                layout!(kext_layout_KEXT_SIZEOF_V4L2_SUBDEV, sizeof v4l2_subdev),
                layout!(kext_layout_KEXT_SIZEOF_VIDEO_DEVICE, sizeof video_device),
                layout!(kext_layout_KEXT_SIZEOF_V4L2_FH, sizeof v4l2_fh),
                layout!(kext_layout_KEXT_SIZEOF_V4L2_CTRL_HANDLER, sizeof v4l2_ctrl_handler),
                layout!(
                    kext_layout_KEXT_SIZEOF_V4L2_ASYNC_NOTIFIER,
                    sizeof v4l2_async_notifier
                ),
                layout!(
                    kext_layout_KEXT_SIZEOF_V4L2_ASYNC_CONNECTION,
                    sizeof v4l2_async_connection
                ),
                layout!(
                    kext_layout_KEXT_SIZEOF_V4L2_FWNODE_ENDPOINT,
                    sizeof v4l2_fwnode_endpoint
                ),
            ]),
            0
        );
    }

    /// Subdevs and video devices are media entities (`container_of!` from
    /// the entity) when the kernel has the media controller.
    #[test]
    #[cfg(CONFIG_MEDIA_CONTROLLER)]
    fn media_entities() {
        assert_eq!(
            mismatches(&[
                layout!(
                    kext_layout_KEXT_OFFSETOF_V4L2_SUBDEV_ENTITY,
                    offsetof v4l2_subdev.entity
                ),
                layout!(
                    kext_layout_KEXT_OFFSETOF_VIDEO_DEVICE_ENTITY,
                    offsetof video_device.entity
                ),
            ]),
            0
        );
    }

    #[test]
    fn videobuf2_structures() {
        assert_eq!(
            mismatches(&[
                layout!(kext_layout_KEXT_SIZEOF_VB2_QUEUE, sizeof vb2_queue),
                layout!(kext_layout_KEXT_SIZEOF_VB2_V4L2_BUFFER, sizeof vb2_v4l2_buffer),
                layout!(
                    kext_layout_KEXT_OFFSETOF_VB2_V4L2_BUFFER_VB2_BUF,
                    offsetof vb2_v4l2_buffer.vb2_buf
                ),
                layout!(kext_layout_KEXT_SIZEOF_V4L2_M2M_BUFFER, sizeof v4l2_m2m_buffer),
                layout!(
                    kext_layout_KEXT_OFFSETOF_V4L2_M2M_BUFFER_VB,
                    offsetof v4l2_m2m_buffer.vb
                ),
            ]),
            0
        );
    }

    /// The C side answers every identifier of the enumeration, and only
    /// those, so that an entry added to `layout.h` without its C case is
    /// caught.
    #[test]
    fn every_identifier_known() {
        for id in 0..=bindings::kext_layout_KEXT_LAYOUT_COUNT {
            // SAFETY: `kext_layout` only reads compile-time constants.
            let known = unsafe { bindings::kext_layout(id) } != usize::MAX;
            assert_eq!(known, id < bindings::kext_layout_KEXT_LAYOUT_COUNT);
        }
    }
}
