// SPDX-License-Identifier: GPL-2.0
/*
 * Static inline functions of the media controller, V4L2 device, video
 * device and videobuf2 APIs that the bridge-side abstractions
 * (rust/kernel/media/{device,v4l2_device,video,vb2,notifier}.rs) call.
 */

#if IS_ENABLED(CONFIG_VIDEO_DEV)
void rust_helper_v4l2_device_get(struct v4l2_device *v4l2_dev)
{
	v4l2_device_get(v4l2_dev);
}
#endif

#if IS_ENABLED(CONFIG_VIDEOBUF2_CORE)
struct vb2_buffer *rust_helper_vb2_get_buffer(struct vb2_queue *q,
					      unsigned int index)
{
	return vb2_get_buffer(q, index);
}
#endif

#if IS_ENABLED(CONFIG_VIDEO_DEV)
void rust_helper_kext_v4l2_device_log_status(struct v4l2_device *v4l2_dev)
{
	v4l2_device_call_all(v4l2_dev, 0, core, log_status);
}
#endif

#if IS_ENABLED(CONFIG_VIDEO_DEV)
int rust_helper_v4l2_device_register_subdev_nodes(struct v4l2_device *v4l2_dev)
{
	return v4l2_device_register_subdev_nodes(v4l2_dev);
}
#endif
