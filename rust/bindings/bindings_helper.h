/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Header that bindgen reads to generate the bindings for the C APIs our
 * abstractions wrap: IIO, the media controller, V4L2 and videobuf2, plus
 * their uapi headers.
 *
 * Out of tree, only items declared in these headers (and our helpers) are
 * generated (see rust/Kbuild.bindings); everything they refer to (struct
 * device, struct mutex, ...) comes from the kernel crate's own bindings. In
 * a kernel tree, scripts/graft.sh copies this file unchanged to
 * rust/bindings/bindings_helper_ext.h and includes it from the kernel's
 * rust/bindings/bindings_helper.h.
 */

#include <linux/iio/iio.h>
#include <linux/iio/buffer.h>
#include <linux/iio/sysfs.h>
#include <linux/iio/trigger.h>
#include <linux/iio/trigger_consumer.h>
#include <linux/iio/triggered_buffer.h>
#include <linux/iio/types.h>
#include <linux/reset.h>
#include <linux/gpio/consumer.h>
#include <linux/i2c.h>
#include <linux/pm_runtime.h>
#include <linux/regulator/consumer.h>
#include <linux/srcu.h>
#include <linux/workqueue.h>

#include <media/media-device.h>
#include <media/media-entity.h>
#include <media/media-request.h>
#include <media/mipi-csi2.h>
#include <media/v4l2-async.h>
#include <media/v4l2-common.h>
#include <media/v4l2-ctrls.h>
#include <media/v4l2-dev.h>
#include <media/v4l2-device.h>
#include <media/v4l2-event.h>
#include <media/v4l2-fh.h>
#include <media/v4l2-fwnode.h>
#include <media/v4l2-mc.h>
#include <media/v4l2-ioctl.h>
#include <media/v4l2-mem2mem.h>
#include <media/v4l2-subdev.h>
#include <media/videobuf2-core.h>
#include <media/videobuf2-dma-contig.h>
#include <media/videobuf2-v4l2.h>
#include <media/videobuf2-vmalloc.h>

#include <uapi/linux/media.h>
#include <uapi/linux/media-bus-format.h>
#include <uapi/linux/v4l2-controls.h>
#include <uapi/linux/v4l2-mediabus.h>
#include <uapi/linux/v4l2-subdev.h>
#include <uapi/linux/videodev2.h>

#include "../helpers/layout.h"

/* Macros bindgen cannot evaluate by itself, as in the kernel's own header. */
const size_t RUST_CONST_HELPER_IIO_DMA_MINALIGN = IIO_DMA_MINALIGN;
