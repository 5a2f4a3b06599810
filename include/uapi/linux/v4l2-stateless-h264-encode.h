/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * V4L2 stateless H.264 encoding: the control proposed on linux-media in
 * "media: Add V4L2 H.264 stateless encode and VC8000E support" (22 May
 * 2026, patch 02/14 "media: uapi: Add H.264 stateless encode support"),
 * with the same identifiers, values, field order and sizes, so that its
 * clients work unmodified. Not in Linux 7.2: this header carries it until
 * the kernel does (every definition is skipped when the kernel's
 * <linux/v4l2-controls.h> already has it).
 *
 * Grafted into a kernel tree, the definitions go where the proposal puts
 * them: the flags, the control ID and the structure after struct
 * v4l2_ctrl_h264_decode_params in include/uapi/linux/v4l2-controls.h, and
 * V4L2_CTRL_TYPE_H264_ENCODE_PARAMS = 0x0206 into enum v4l2_ctrl_type in
 * include/uapi/linux/videodev2.h (here a macro, as a header cannot extend
 * an enum).
 *
 * Documentation: Documentation/media/stateless-h264-encoder.rst.
 */
#ifndef _UAPI_LINUX_V4L2_STATELESS_H264_ENCODE_H
#define _UAPI_LINUX_V4L2_STATELESS_H264_ENCODE_H

#include <linux/types.h>
#include <linux/v4l2-controls.h>

#ifndef V4L2_CID_STATELESS_H264_ENCODE_PARAMS

/* Added to the slice parameter flags by the same patch. */
#define V4L2_H264_SLICE_FLAG_NUM_REF_IDX_ACTIVE_OVERRIDE	0x04

#define V4L2_H264_ENCODE_FLAG_IDR_PIC				0x01
#define V4L2_H264_ENCODE_FLAG_FIELD_PIC				0x02
#define V4L2_H264_ENCODE_FLAG_BOTTOM_FIELD			0x04
#define V4L2_H264_ENCODE_FLAG_DIRECT_SPATIAL_MV_PRED		0x08
#define V4L2_H264_ENCODE_FLAG_NUM_REF_IDX_ACTIVE_OVERRIDE	0x10
#define V4L2_H264_ENCODE_FLAG_NO_OUTPUT_OF_PRIOR_PICS		0x20
#define V4L2_H264_ENCODE_FLAG_LONG_TERM_REFERENCE		0x40

#define V4L2_CID_STATELESS_H264_ENCODE_PARAMS	(V4L2_CID_CODEC_STATELESS_BASE + 8)

/**
 * struct v4l2_ctrl_h264_encode_params - H.264 slice header values of one
 *	encoded picture (one slice per picture)
 *
 * @nal_ref_idc: nal_ref_idc of the slice NAL unit (0..3); 0 makes the
 *	picture a non-reference picture.
 * @slice_type: V4L2_H264_SLICE_TYPE_{P,B,I,SP,SI}.
 * @pic_parameter_set_id: see the H.264 specification.
 * @colour_plane_id: see the H.264 specification (0..2).
 * @frame_num: see the H.264 specification.
 * @idr_pic_id: see the H.264 specification (IDR pictures only).
 * @pic_order_cnt_lsb: see the H.264 specification.
 * @reserved0: applications and drivers must set this to zero.
 * @delta_pic_order_cnt_bottom: see the H.264 specification.
 * @delta_pic_order_cnt0: see the H.264 specification.
 * @delta_pic_order_cnt1: see the H.264 specification.
 * @num_ref_idx_l0_active_minus1: see the H.264 specification.
 * @num_ref_idx_l1_active_minus1: see the H.264 specification.
 * @cabac_init_idc: see the H.264 specification (0..2).
 * @slice_qp_delta: see the H.264 specification (set by the driver's rate
 *	control).
 * @disable_deblocking_filter_idc: see the H.264 specification (0..2).
 * @slice_alpha_c0_offset_div2: see the H.264 specification (-6..6).
 * @slice_beta_offset_div2: see the H.264 specification (-6..6).
 * @reserved1: applications and drivers must set this to zero.
 * @flags: V4L2_H264_ENCODE_FLAG_{}.
 *
 * As posted, the structure has 3 bytes of implicit padding between
 * @reserved1 (ending at offset 37) and @flags (offset 40): sizeof is 44 on
 * every architecture Linux supports. The layout is kept as posted; drivers
 * of this repository clear the padding together with the reserved fields.
 */
struct v4l2_ctrl_h264_encode_params {
	__u8 nal_ref_idc;
	__u8 slice_type;
	__u8 pic_parameter_set_id;
	__u8 colour_plane_id;
	__u16 frame_num;
	__u16 idr_pic_id;
	__u16 pic_order_cnt_lsb;
	__u8 reserved0[2];
	__s32 delta_pic_order_cnt_bottom;
	__s32 delta_pic_order_cnt0;
	__s32 delta_pic_order_cnt1;
	__u8 num_ref_idx_l0_active_minus1;
	__u8 num_ref_idx_l1_active_minus1;
	__u8 cabac_init_idc;
	__s8 slice_qp_delta;
	__u8 disable_deblocking_filter_idc;
	__s8 slice_alpha_c0_offset_div2;
	__s8 slice_beta_offset_div2;
	__u8 reserved1[6];
	__u32 flags; /* V4L2_H264_ENCODE_FLAG_ */
};

#endif /* V4L2_CID_STATELESS_H264_ENCODE_PARAMS */

#ifndef V4L2_CTRL_TYPE_H264_ENCODE_PARAMS
/* enum v4l2_ctrl_type member in the proposal. */
#define V4L2_CTRL_TYPE_H264_ENCODE_PARAMS	0x0206
#endif

#endif /* _UAPI_LINUX_V4L2_STATELESS_H264_ENCODE_H */
