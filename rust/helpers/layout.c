// SPDX-License-Identifier: GPL-2.0

#include <linux/iio/iio.h>
#include <linux/iio/trigger.h>
#include <linux/iio/trigger_consumer.h>
#include <linux/limits.h>
#include <linux/stddef.h>
#include <media/media-device.h>
#include <media/v4l2-async.h>
#include <media/v4l2-ctrls.h>
#include <media/v4l2-dev.h>
#include <media/v4l2-device.h>
#include <media/v4l2-fh.h>
#include <media/v4l2-fwnode.h>
#include <media/v4l2-mem2mem.h>
#include <media/v4l2-subdev.h>
#include <media/videobuf2-v4l2.h>

#include "layout.h"

/*
 * The C side of the layout checks (see layout.h); SIZE_MAX for an identifier
 * this file does not know.
 */
size_t rust_helper_kext_layout(enum kext_layout what)
{
	switch (what) {
	case KEXT_SIZEOF_IIO_DEV:
		return sizeof(struct iio_dev);
	case KEXT_SIZEOF_IIO_CHAN_SPEC:
		return sizeof(struct iio_chan_spec);
	case KEXT_OFFSETOF_IIO_CHAN_SPEC_SCAN_TYPE:
		return offsetof(struct iio_chan_spec, scan_type);
	case KEXT_SIZEOF_IIO_INFO:
		return sizeof(struct iio_info);
	case KEXT_SIZEOF_IIO_TRIGGER_OPS:
		return sizeof(struct iio_trigger_ops);
	case KEXT_SIZEOF_IIO_BUFFER_SETUP_OPS:
		return sizeof(struct iio_buffer_setup_ops);
	case KEXT_SIZEOF_IIO_POLL_FUNC:
		return sizeof(struct iio_poll_func);
	case KEXT_IIO_DMA_MINALIGN:
		return IIO_DMA_MINALIGN;
	case KEXT_SIZEOF_MEDIA_DEVICE:
		return sizeof(struct media_device);
	case KEXT_SIZEOF_MEDIA_PAD:
		return sizeof(struct media_pad);
	case KEXT_SIZEOF_V4L2_DEVICE:
		return sizeof(struct v4l2_device);
	case KEXT_OFFSETOF_V4L2_DEVICE_MDEV:
		return offsetof(struct v4l2_device, mdev);
	case KEXT_SIZEOF_V4L2_SUBDEV:
		return sizeof(struct v4l2_subdev);
#ifdef CONFIG_MEDIA_CONTROLLER
	case KEXT_OFFSETOF_V4L2_SUBDEV_ENTITY:
		return offsetof(struct v4l2_subdev, entity);
#endif
	case KEXT_SIZEOF_VIDEO_DEVICE:
		return sizeof(struct video_device);
#ifdef CONFIG_MEDIA_CONTROLLER
	case KEXT_OFFSETOF_VIDEO_DEVICE_ENTITY:
		return offsetof(struct video_device, entity);
#endif
	case KEXT_SIZEOF_V4L2_FH:
		return sizeof(struct v4l2_fh);
	case KEXT_SIZEOF_V4L2_CTRL_HANDLER:
		return sizeof(struct v4l2_ctrl_handler);
	case KEXT_SIZEOF_VB2_QUEUE:
		return sizeof(struct vb2_queue);
	case KEXT_SIZEOF_VB2_V4L2_BUFFER:
		return sizeof(struct vb2_v4l2_buffer);
	case KEXT_OFFSETOF_VB2_V4L2_BUFFER_VB2_BUF:
		return offsetof(struct vb2_v4l2_buffer, vb2_buf);
	case KEXT_SIZEOF_V4L2_M2M_BUFFER:
		return sizeof(struct v4l2_m2m_buffer);
	case KEXT_OFFSETOF_V4L2_M2M_BUFFER_VB:
		return offsetof(struct v4l2_m2m_buffer, vb);
	case KEXT_SIZEOF_V4L2_ASYNC_NOTIFIER:
		return sizeof(struct v4l2_async_notifier);
	case KEXT_SIZEOF_V4L2_ASYNC_CONNECTION:
		return sizeof(struct v4l2_async_connection);
	case KEXT_SIZEOF_V4L2_FWNODE_ENDPOINT:
		return sizeof(struct v4l2_fwnode_endpoint);
	default:
		break;
	}
	return SIZE_MAX;
}
