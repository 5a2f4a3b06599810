// SPDX-License-Identifier: GPL-2.0
/*
 * Static inline functions and macros of the V4L2 sub-device, control and
 * async APIs that rust/kernel/media/ calls, and the calls to a remote
 * sub-device's operations through v4l2_subdev_call() (a macro that also
 * runs the core's argument checks and state locking wrappers).
 */

#if IS_ENABLED(CONFIG_VIDEO_DEV) && IS_ENABLED(CONFIG_MEDIA_CONTROLLER)

struct v4l2_subdev_state *
rust_helper_v4l2_subdev_lock_and_get_active_state(struct v4l2_subdev *sd)
{
	return v4l2_subdev_lock_and_get_active_state(sd);
}

void rust_helper_v4l2_subdev_unlock_state(struct v4l2_subdev_state *state)
{
	v4l2_subdev_unlock_state(state);
}

int rust_helper_v4l2_subdev_call_get_frame_desc(struct v4l2_subdev *sd,
						unsigned int pad,
						struct v4l2_mbus_frame_desc *fd)
{
	return v4l2_subdev_call(sd, pad, get_frame_desc, pad, fd);
}

int rust_helper_v4l2_subdev_call_get_mbus_config(struct v4l2_subdev *sd,
						 unsigned int pad,
						 struct v4l2_mbus_config *config)
{
	return v4l2_subdev_call(sd, pad, get_mbus_config, pad, config);
}

int rust_helper_v4l2_subdev_call_get_fmt_active(struct v4l2_subdev *sd,
						struct v4l2_subdev_format *fmt)
{
	return v4l2_subdev_call_state_active(sd, pad, get_fmt, fmt);
}

bool rust_helper_v4l2_subdev_has_enable_streams(struct v4l2_subdev *sd)
{
	return v4l2_subdev_has_op(sd, pad, enable_streams);
}

#endif /* CONFIG_VIDEO_DEV && CONFIG_MEDIA_CONTROLLER */

/*
 * A delayed work item for the deferred release of a sub-device whose last
 * reference went with its device node; one lockdep class for all of them.
 */
void rust_helper_kext_init_delayed_work(struct delayed_work *dwork,
					work_func_t func)
{
	INIT_DELAYED_WORK(dwork, func);
}

bool rust_helper_kext_schedule_delayed_work(struct delayed_work *dwork,
					    unsigned long delay)
{
	return schedule_delayed_work(dwork, delay);
}

#if IS_ENABLED(CONFIG_I2C)
u32 rust_helper_i2c_get_functionality(struct i2c_adapter *adap)
{
	return i2c_get_functionality(adap);
}
#endif
