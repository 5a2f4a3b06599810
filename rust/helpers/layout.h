/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sizes and offsets of the C structures that our Rust abstractions embed or
 * reach with container_of(), as the C compiler sees them. A KUnit suite
 * compares them with what the generated bindings say, so that a kernel
 * configuration or toolchain that lays the structures out differently from
 * the bindings is caught before any driver runs.
 */
#ifndef KEXT_LAYOUT_H
#define KEXT_LAYOUT_H

enum kext_layout {
	KEXT_SIZEOF_IIO_DEV,
	KEXT_SIZEOF_IIO_CHAN_SPEC,
	KEXT_OFFSETOF_IIO_CHAN_SPEC_SCAN_TYPE,
	KEXT_SIZEOF_IIO_INFO,
	KEXT_SIZEOF_IIO_TRIGGER_OPS,
	KEXT_SIZEOF_IIO_BUFFER_SETUP_OPS,
	KEXT_SIZEOF_IIO_POLL_FUNC,
	KEXT_IIO_DMA_MINALIGN,
	KEXT_SIZEOF_MEDIA_DEVICE,
	KEXT_SIZEOF_MEDIA_PAD,
	KEXT_SIZEOF_V4L2_DEVICE,
	KEXT_OFFSETOF_V4L2_DEVICE_MDEV,
	KEXT_SIZEOF_V4L2_SUBDEV,
	KEXT_SIZEOF_VIDEO_DEVICE,
#ifdef CONFIG_MEDIA_CONTROLLER
	/* The media entities of subdevs and video devices exist only with it. */
	KEXT_OFFSETOF_V4L2_SUBDEV_ENTITY,
	KEXT_OFFSETOF_VIDEO_DEVICE_ENTITY,
#endif
	KEXT_SIZEOF_V4L2_FH,
	KEXT_SIZEOF_V4L2_CTRL_HANDLER,
	KEXT_SIZEOF_VB2_QUEUE,
	KEXT_SIZEOF_VB2_V4L2_BUFFER,
	KEXT_OFFSETOF_VB2_V4L2_BUFFER_VB2_BUF,
	KEXT_SIZEOF_V4L2_M2M_BUFFER,
	KEXT_OFFSETOF_V4L2_M2M_BUFFER_VB,
	KEXT_SIZEOF_V4L2_ASYNC_NOTIFIER,
	KEXT_SIZEOF_V4L2_ASYNC_CONNECTION,
	KEXT_SIZEOF_V4L2_FWNODE_ENDPOINT,
	KEXT_LAYOUT_COUNT,
};

#endif /* KEXT_LAYOUT_H */
