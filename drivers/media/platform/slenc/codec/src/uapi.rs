// SPDX-License-Identifier: GPL-2.0
//! Mirror of the stateless H.264 encoding uAPI and its validation.
//!
//! [`EncodeParams`] is `struct v4l2_ctrl_h264_encode_params` of the
//! proposal (see `include/uapi/linux/v4l2-stateless-h264-encode.h`), with
//! the same field order and sizes; [`Sps`] and [`Pps`] mirror the 7.2
//! `struct v4l2_ctrl_h264_sps` and `struct v4l2_ctrl_h264_pps`. Their
//! layouts are checked at compile time. Values travel as the bytes of a
//! control payload ([`EncodeParams::from_bytes`], [`EncodeParams::to_bytes`],
//! native endianness), so no `unsafe` is needed to read them.
//!
//! [`validate_encode_params`] is the control's validation: the rules of the
//! proposal (`std_validate_compound()` for `V4L2_CTRL_TYPE_H264_ENCODE_PARAMS`)
//! plus the stricter checks listed on it.
//!
//! # Examples
//!
//! ```
//! use slenc_codec::uapi::{self, EncodeParams};
//! let mut p = EncodeParams::ZERO;
//! p.slice_type = uapi::SLICE_TYPE_I;
//! p.flags = uapi::ENCODE_FLAG_IDR_PIC;
//! p.nal_ref_idc = 3;
//! p.frame_num = 7; // IDR pictures have frame_num 0: the validation clears it
//! uapi::validate_encode_params(&mut p).unwrap();
//! assert_eq!(p.frame_num, 0);
//! assert_eq!(EncodeParams::from_bytes(&p.to_bytes()), p);
//! ```

use core::mem::{offset_of, size_of};

/// `V4L2_CTRL_CLASS_CODEC`.
pub const CTRL_CLASS_CODEC: u32 = 0x0099_0000;
/// `V4L2_CID_CODEC_BASE`.
pub const CID_CODEC_BASE: u32 = CTRL_CLASS_CODEC | 0x900;
/// `V4L2_CTRL_CLASS_CODEC_STATELESS`.
pub const CTRL_CLASS_CODEC_STATELESS: u32 = 0x00a4_0000;
/// `V4L2_CID_CODEC_STATELESS_BASE`.
pub const CID_CODEC_STATELESS_BASE: u32 = CTRL_CLASS_CODEC_STATELESS | 0x900;

/// `V4L2_CID_STATELESS_H264_START_CODE`.
pub const CID_STATELESS_H264_START_CODE: u32 = CID_CODEC_STATELESS_BASE + 1;
/// `V4L2_CID_STATELESS_H264_SPS`.
pub const CID_STATELESS_H264_SPS: u32 = CID_CODEC_STATELESS_BASE + 2;
/// `V4L2_CID_STATELESS_H264_PPS`.
pub const CID_STATELESS_H264_PPS: u32 = CID_CODEC_STATELESS_BASE + 3;
/// `V4L2_CID_STATELESS_H264_ENCODE_PARAMS` (the proposal).
pub const CID_STATELESS_H264_ENCODE_PARAMS: u32 = CID_CODEC_STATELESS_BASE + 8;

/// `V4L2_CTRL_TYPE_H264_SPS`.
pub const CTRL_TYPE_H264_SPS: u32 = 0x0200;
/// `V4L2_CTRL_TYPE_H264_PPS`.
pub const CTRL_TYPE_H264_PPS: u32 = 0x0201;
/// `V4L2_CTRL_TYPE_H264_ENCODE_PARAMS` (the proposal).
pub const CTRL_TYPE_H264_ENCODE_PARAMS: u32 = 0x0206;

/// `V4L2_STATELESS_H264_START_CODE_NONE`.
pub const START_CODE_NONE: i32 = 0;
/// `V4L2_STATELESS_H264_START_CODE_ANNEX_B`.
pub const START_CODE_ANNEX_B: i32 = 1;

/// `V4L2_H264_SLICE_TYPE_P`.
pub const SLICE_TYPE_P: u8 = 0;
/// `V4L2_H264_SLICE_TYPE_B`.
pub const SLICE_TYPE_B: u8 = 1;
/// `V4L2_H264_SLICE_TYPE_I`.
pub const SLICE_TYPE_I: u8 = 2;
/// `V4L2_H264_SLICE_TYPE_SP`.
pub const SLICE_TYPE_SP: u8 = 3;
/// `V4L2_H264_SLICE_TYPE_SI`.
pub const SLICE_TYPE_SI: u8 = 4;

/// `V4L2_H264_REF_LIST_LEN`.
pub const REF_LIST_LEN: u8 = 32;

/// `V4L2_H264_SLICE_FLAG_NUM_REF_IDX_ACTIVE_OVERRIDE`, added to the slice
/// parameter flags by the proposal (not an encode flag: 0x04 is
/// [`ENCODE_FLAG_BOTTOM_FIELD`] there).
pub const SLICE_FLAG_NUM_REF_IDX_ACTIVE_OVERRIDE: u32 = 0x04;

/// `V4L2_H264_ENCODE_FLAG_IDR_PIC`.
pub const ENCODE_FLAG_IDR_PIC: u32 = 0x01;
/// `V4L2_H264_ENCODE_FLAG_FIELD_PIC`.
pub const ENCODE_FLAG_FIELD_PIC: u32 = 0x02;
/// `V4L2_H264_ENCODE_FLAG_BOTTOM_FIELD`.
pub const ENCODE_FLAG_BOTTOM_FIELD: u32 = 0x04;
/// `V4L2_H264_ENCODE_FLAG_DIRECT_SPATIAL_MV_PRED`.
pub const ENCODE_FLAG_DIRECT_SPATIAL_MV_PRED: u32 = 0x08;
/// `V4L2_H264_ENCODE_FLAG_NUM_REF_IDX_ACTIVE_OVERRIDE`.
pub const ENCODE_FLAG_NUM_REF_IDX_ACTIVE_OVERRIDE: u32 = 0x10;
/// `V4L2_H264_ENCODE_FLAG_NO_OUTPUT_OF_PRIOR_PICS`.
pub const ENCODE_FLAG_NO_OUTPUT_OF_PRIOR_PICS: u32 = 0x20;
/// `V4L2_H264_ENCODE_FLAG_LONG_TERM_REFERENCE`.
pub const ENCODE_FLAG_LONG_TERM_REFERENCE: u32 = 0x40;
/// Every flag the proposal defines.
pub const ENCODE_FLAGS_ALL: u32 = 0x7f;

/// `V4L2_H264_SPS_CONSTRAINT_SET0_FLAG` .. `SET5`: bit `n` is
/// constraint_set`n`_flag.
pub const SPS_CONSTRAINT_SET_MASK: u8 = 0x3f;
/// `V4L2_H264_SPS_FLAG_SEPARATE_COLOUR_PLANE`.
pub const SPS_FLAG_SEPARATE_COLOUR_PLANE: u32 = 0x01;
/// `V4L2_H264_SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS`.
pub const SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS: u32 = 0x02;
/// `V4L2_H264_SPS_FLAG_DELTA_PIC_ORDER_ALWAYS_ZERO`.
pub const SPS_FLAG_DELTA_PIC_ORDER_ALWAYS_ZERO: u32 = 0x04;
/// `V4L2_H264_SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED`.
pub const SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED: u32 = 0x08;
/// `V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY`.
pub const SPS_FLAG_FRAME_MBS_ONLY: u32 = 0x10;
/// `V4L2_H264_SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD`.
pub const SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD: u32 = 0x20;
/// `V4L2_H264_SPS_FLAG_DIRECT_8X8_INFERENCE`.
pub const SPS_FLAG_DIRECT_8X8_INFERENCE: u32 = 0x40;

/// `V4L2_H264_PPS_FLAG_ENTROPY_CODING_MODE`.
pub const PPS_FLAG_ENTROPY_CODING_MODE: u16 = 0x0001;
/// `V4L2_H264_PPS_FLAG_BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT`.
pub const PPS_FLAG_BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT: u16 = 0x0002;
/// `V4L2_H264_PPS_FLAG_WEIGHTED_PRED`.
pub const PPS_FLAG_WEIGHTED_PRED: u16 = 0x0004;
/// `V4L2_H264_PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT`.
pub const PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT: u16 = 0x0008;
/// `V4L2_H264_PPS_FLAG_CONSTRAINED_INTRA_PRED`.
pub const PPS_FLAG_CONSTRAINED_INTRA_PRED: u16 = 0x0010;
/// `V4L2_H264_PPS_FLAG_REDUNDANT_PIC_CNT_PRESENT`.
pub const PPS_FLAG_REDUNDANT_PIC_CNT_PRESENT: u16 = 0x0020;
/// `V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE`.
pub const PPS_FLAG_TRANSFORM_8X8_MODE: u16 = 0x0040;
/// `V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT`.
pub const PPS_FLAG_SCALING_MATRIX_PRESENT: u16 = 0x0080;

fn rd_u16(b: &[u8], off: usize) -> u16 {
    let mut a = [0u8; 2];
    if let Some(s) = b.get(off..off + 2) {
        a.copy_from_slice(s);
    }
    u16::from_ne_bytes(a)
}

fn rd_u32(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(off..off + 4) {
        a.copy_from_slice(s);
    }
    u32::from_ne_bytes(a)
}

fn rd_u8(b: &[u8], off: usize) -> u8 {
    b.get(off).copied().unwrap_or(0)
}

fn wr(b: &mut [u8], off: usize, v: &[u8]) {
    if let Some(d) = b.get_mut(off..off + v.len()) {
        d.copy_from_slice(v);
    }
}

/// `struct v4l2_ctrl_h264_encode_params` as proposed: 44 bytes, `flags` at
/// offset 40. The 3 bytes of implicit C padding before `flags` are the
/// explicit [`EncodeParams::padding`] here, so the Rust structure has no
/// padding of its own and the same layout.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeParams {
    /// nal_ref_idc of the slice NAL unit (0..=3).
    pub nal_ref_idc: u8,
    /// `SLICE_TYPE_*`.
    pub slice_type: u8,
    /// pic_parameter_set_id.
    pub pic_parameter_set_id: u8,
    /// colour_plane_id (0..=2).
    pub colour_plane_id: u8,
    /// frame_num.
    pub frame_num: u16,
    /// idr_pic_id.
    pub idr_pic_id: u16,
    /// pic_order_cnt_lsb.
    pub pic_order_cnt_lsb: u16,
    /// Reserved, zero.
    pub reserved0: [u8; 2],
    /// delta_pic_order_cnt_bottom.
    pub delta_pic_order_cnt_bottom: i32,
    /// delta_pic_order_cnt\[0\].
    pub delta_pic_order_cnt0: i32,
    /// delta_pic_order_cnt\[1\].
    pub delta_pic_order_cnt1: i32,
    /// num_ref_idx_l0_active_minus1.
    pub num_ref_idx_l0_active_minus1: u8,
    /// num_ref_idx_l1_active_minus1.
    pub num_ref_idx_l1_active_minus1: u8,
    /// cabac_init_idc (0..=2).
    pub cabac_init_idc: u8,
    /// slice_qp_delta (the driver's rate control sets it).
    pub slice_qp_delta: i8,
    /// disable_deblocking_filter_idc (0..=2).
    pub disable_deblocking_filter_idc: u8,
    /// slice_alpha_c0_offset_div2 (-6..=6).
    pub slice_alpha_c0_offset_div2: i8,
    /// slice_beta_offset_div2 (-6..=6).
    pub slice_beta_offset_div2: i8,
    /// Reserved, zero.
    pub reserved1: [u8; 6],
    /// The implicit padding of the C structure (offsets 37..40); cleared
    /// by the validation.
    pub padding: [u8; 3],
    /// `ENCODE_FLAG_*`.
    pub flags: u32,
}

// The layout of the proposal, checked field by field (and with the C
// compiler by the host test `tests/uapi_layout.rs`).
const _: () = {
    assert!(size_of::<EncodeParams>() == 44);
    assert!(core::mem::align_of::<EncodeParams>() == 4);
    assert!(offset_of!(EncodeParams, nal_ref_idc) == 0);
    assert!(offset_of!(EncodeParams, slice_type) == 1);
    assert!(offset_of!(EncodeParams, pic_parameter_set_id) == 2);
    assert!(offset_of!(EncodeParams, colour_plane_id) == 3);
    assert!(offset_of!(EncodeParams, frame_num) == 4);
    assert!(offset_of!(EncodeParams, idr_pic_id) == 6);
    assert!(offset_of!(EncodeParams, pic_order_cnt_lsb) == 8);
    assert!(offset_of!(EncodeParams, reserved0) == 10);
    assert!(offset_of!(EncodeParams, delta_pic_order_cnt_bottom) == 12);
    assert!(offset_of!(EncodeParams, delta_pic_order_cnt0) == 16);
    assert!(offset_of!(EncodeParams, delta_pic_order_cnt1) == 20);
    assert!(offset_of!(EncodeParams, num_ref_idx_l0_active_minus1) == 24);
    assert!(offset_of!(EncodeParams, num_ref_idx_l1_active_minus1) == 25);
    assert!(offset_of!(EncodeParams, cabac_init_idc) == 26);
    assert!(offset_of!(EncodeParams, slice_qp_delta) == 27);
    assert!(offset_of!(EncodeParams, disable_deblocking_filter_idc) == 28);
    assert!(offset_of!(EncodeParams, slice_alpha_c0_offset_div2) == 29);
    assert!(offset_of!(EncodeParams, slice_beta_offset_div2) == 30);
    assert!(offset_of!(EncodeParams, reserved1) == 31);
    assert!(offset_of!(EncodeParams, padding) == 37);
    assert!(offset_of!(EncodeParams, flags) == 40);
};

impl EncodeParams {
    /// Size of the control payload (`elem_size`).
    pub const SIZE: usize = size_of::<EncodeParams>();

    /// All fields zero (the control's default value).
    pub const ZERO: EncodeParams = EncodeParams {
        nal_ref_idc: 0,
        slice_type: 0,
        pic_parameter_set_id: 0,
        colour_plane_id: 0,
        frame_num: 0,
        idr_pic_id: 0,
        pic_order_cnt_lsb: 0,
        reserved0: [0; 2],
        delta_pic_order_cnt_bottom: 0,
        delta_pic_order_cnt0: 0,
        delta_pic_order_cnt1: 0,
        num_ref_idx_l0_active_minus1: 0,
        num_ref_idx_l1_active_minus1: 0,
        cabac_init_idc: 0,
        slice_qp_delta: 0,
        disable_deblocking_filter_idc: 0,
        slice_alpha_c0_offset_div2: 0,
        slice_beta_offset_div2: 0,
        reserved1: [0; 6],
        padding: [0; 3],
        flags: 0,
    };

    /// Reads a control payload (native endianness).
    pub fn from_bytes(b: &[u8; Self::SIZE]) -> Self {
        let mut r0 = [0u8; 2];
        r0.copy_from_slice(&b[10..12]);
        let mut r1 = [0u8; 6];
        r1.copy_from_slice(&b[31..37]);
        let mut pad = [0u8; 3];
        pad.copy_from_slice(&b[37..40]);
        EncodeParams {
            nal_ref_idc: rd_u8(b, offset_of!(Self, nal_ref_idc)),
            slice_type: rd_u8(b, offset_of!(Self, slice_type)),
            pic_parameter_set_id: rd_u8(b, offset_of!(Self, pic_parameter_set_id)),
            colour_plane_id: rd_u8(b, offset_of!(Self, colour_plane_id)),
            frame_num: rd_u16(b, offset_of!(Self, frame_num)),
            idr_pic_id: rd_u16(b, offset_of!(Self, idr_pic_id)),
            pic_order_cnt_lsb: rd_u16(b, offset_of!(Self, pic_order_cnt_lsb)),
            reserved0: r0,
            delta_pic_order_cnt_bottom: rd_u32(b, offset_of!(Self, delta_pic_order_cnt_bottom))
                as i32,
            delta_pic_order_cnt0: rd_u32(b, offset_of!(Self, delta_pic_order_cnt0)) as i32,
            delta_pic_order_cnt1: rd_u32(b, offset_of!(Self, delta_pic_order_cnt1)) as i32,
            num_ref_idx_l0_active_minus1: rd_u8(b, offset_of!(Self, num_ref_idx_l0_active_minus1)),
            num_ref_idx_l1_active_minus1: rd_u8(b, offset_of!(Self, num_ref_idx_l1_active_minus1)),
            cabac_init_idc: rd_u8(b, offset_of!(Self, cabac_init_idc)),
            slice_qp_delta: rd_u8(b, offset_of!(Self, slice_qp_delta)) as i8,
            disable_deblocking_filter_idc: rd_u8(
                b,
                offset_of!(Self, disable_deblocking_filter_idc),
            ),
            slice_alpha_c0_offset_div2: rd_u8(b, offset_of!(Self, slice_alpha_c0_offset_div2))
                as i8,
            slice_beta_offset_div2: rd_u8(b, offset_of!(Self, slice_beta_offset_div2)) as i8,
            reserved1: r1,
            padding: pad,
            flags: rd_u32(b, offset_of!(Self, flags)),
        }
    }

    /// Writes the control payload (native endianness).
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0] = self.nal_ref_idc;
        b[1] = self.slice_type;
        b[2] = self.pic_parameter_set_id;
        b[3] = self.colour_plane_id;
        wr(&mut b, 4, &self.frame_num.to_ne_bytes());
        wr(&mut b, 6, &self.idr_pic_id.to_ne_bytes());
        wr(&mut b, 8, &self.pic_order_cnt_lsb.to_ne_bytes());
        wr(&mut b, 10, &self.reserved0);
        wr(&mut b, 12, &self.delta_pic_order_cnt_bottom.to_ne_bytes());
        wr(&mut b, 16, &self.delta_pic_order_cnt0.to_ne_bytes());
        wr(&mut b, 20, &self.delta_pic_order_cnt1.to_ne_bytes());
        b[24] = self.num_ref_idx_l0_active_minus1;
        b[25] = self.num_ref_idx_l1_active_minus1;
        b[26] = self.cabac_init_idc;
        b[27] = self.slice_qp_delta as u8;
        b[28] = self.disable_deblocking_filter_idc;
        b[29] = self.slice_alpha_c0_offset_div2 as u8;
        b[30] = self.slice_beta_offset_div2 as u8;
        wr(&mut b, 31, &self.reserved1);
        wr(&mut b, 37, &self.padding);
        wr(&mut b, 40, &self.flags.to_ne_bytes());
        b
    }

    /// IDR picture.
    pub const fn is_idr(&self) -> bool {
        self.flags & ENCODE_FLAG_IDR_PIC != 0
    }
}

impl Default for EncodeParams {
    fn default() -> Self {
        Self::ZERO
    }
}

/// `struct v4l2_ctrl_h264_sps` (Linux 7.2): 1048 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sps {
    /// profile_idc.
    pub profile_idc: u8,
    /// constraint_set0..5_flag in bits 0..5.
    pub constraint_set_flags: u8,
    /// level_idc.
    pub level_idc: u8,
    /// seq_parameter_set_id.
    pub seq_parameter_set_id: u8,
    /// chroma_format_idc.
    pub chroma_format_idc: u8,
    /// bit_depth_luma_minus8.
    pub bit_depth_luma_minus8: u8,
    /// bit_depth_chroma_minus8.
    pub bit_depth_chroma_minus8: u8,
    /// log2_max_frame_num_minus4.
    pub log2_max_frame_num_minus4: u8,
    /// pic_order_cnt_type.
    pub pic_order_cnt_type: u8,
    /// log2_max_pic_order_cnt_lsb_minus4.
    pub log2_max_pic_order_cnt_lsb_minus4: u8,
    /// max_num_ref_frames.
    pub max_num_ref_frames: u8,
    /// num_ref_frames_in_pic_order_cnt_cycle.
    pub num_ref_frames_in_pic_order_cnt_cycle: u8,
    /// offset_for_ref_frame.
    pub offset_for_ref_frame: [i32; 255],
    /// offset_for_non_ref_pic.
    pub offset_for_non_ref_pic: i32,
    /// offset_for_top_to_bottom_field.
    pub offset_for_top_to_bottom_field: i32,
    /// pic_width_in_mbs_minus1.
    pub pic_width_in_mbs_minus1: u16,
    /// pic_height_in_map_units_minus1.
    pub pic_height_in_map_units_minus1: u16,
    /// `SPS_FLAG_*`.
    pub flags: u32,
}

const _: () = {
    assert!(size_of::<Sps>() == 1048);
    assert!(offset_of!(Sps, num_ref_frames_in_pic_order_cnt_cycle) == 11);
    assert!(offset_of!(Sps, offset_for_ref_frame) == 12);
    assert!(offset_of!(Sps, offset_for_non_ref_pic) == 1032);
    assert!(offset_of!(Sps, offset_for_top_to_bottom_field) == 1036);
    assert!(offset_of!(Sps, pic_width_in_mbs_minus1) == 1040);
    assert!(offset_of!(Sps, pic_height_in_map_units_minus1) == 1042);
    assert!(offset_of!(Sps, flags) == 1044);
};

impl Sps {
    /// Size of the control payload.
    pub const SIZE: usize = size_of::<Sps>();

    /// All fields zero.
    pub const ZERO: Sps = Sps {
        profile_idc: 0,
        constraint_set_flags: 0,
        level_idc: 0,
        seq_parameter_set_id: 0,
        chroma_format_idc: 0,
        bit_depth_luma_minus8: 0,
        bit_depth_chroma_minus8: 0,
        log2_max_frame_num_minus4: 0,
        pic_order_cnt_type: 0,
        log2_max_pic_order_cnt_lsb_minus4: 0,
        max_num_ref_frames: 0,
        num_ref_frames_in_pic_order_cnt_cycle: 0,
        offset_for_ref_frame: [0; 255],
        offset_for_non_ref_pic: 0,
        offset_for_top_to_bottom_field: 0,
        pic_width_in_mbs_minus1: 0,
        pic_height_in_map_units_minus1: 0,
        flags: 0,
    };

    /// Reads a control payload (native endianness).
    pub fn from_bytes(b: &[u8; Self::SIZE]) -> Self {
        let mut s = Sps::ZERO;
        s.profile_idc = b[0];
        s.constraint_set_flags = b[1];
        s.level_idc = b[2];
        s.seq_parameter_set_id = b[3];
        s.chroma_format_idc = b[4];
        s.bit_depth_luma_minus8 = b[5];
        s.bit_depth_chroma_minus8 = b[6];
        s.log2_max_frame_num_minus4 = b[7];
        s.pic_order_cnt_type = b[8];
        s.log2_max_pic_order_cnt_lsb_minus4 = b[9];
        s.max_num_ref_frames = b[10];
        s.num_ref_frames_in_pic_order_cnt_cycle = b[11];
        for (i, o) in s.offset_for_ref_frame.iter_mut().enumerate() {
            *o = rd_u32(b, 12 + 4 * i) as i32;
        }
        s.offset_for_non_ref_pic = rd_u32(b, offset_of!(Sps, offset_for_non_ref_pic)) as i32;
        s.offset_for_top_to_bottom_field =
            rd_u32(b, offset_of!(Sps, offset_for_top_to_bottom_field)) as i32;
        s.pic_width_in_mbs_minus1 = rd_u16(b, offset_of!(Sps, pic_width_in_mbs_minus1));
        s.pic_height_in_map_units_minus1 =
            rd_u16(b, offset_of!(Sps, pic_height_in_map_units_minus1));
        s.flags = rd_u32(b, offset_of!(Sps, flags));
        s
    }

    /// Writes the control payload (native endianness).
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[..12].copy_from_slice(&[
            self.profile_idc,
            self.constraint_set_flags,
            self.level_idc,
            self.seq_parameter_set_id,
            self.chroma_format_idc,
            self.bit_depth_luma_minus8,
            self.bit_depth_chroma_minus8,
            self.log2_max_frame_num_minus4,
            self.pic_order_cnt_type,
            self.log2_max_pic_order_cnt_lsb_minus4,
            self.max_num_ref_frames,
            self.num_ref_frames_in_pic_order_cnt_cycle,
        ]);
        for (i, o) in self.offset_for_ref_frame.iter().enumerate() {
            wr(&mut b, 12 + 4 * i, &o.to_ne_bytes());
        }
        wr(&mut b, 1032, &self.offset_for_non_ref_pic.to_ne_bytes());
        wr(
            &mut b,
            1036,
            &self.offset_for_top_to_bottom_field.to_ne_bytes(),
        );
        wr(&mut b, 1040, &self.pic_width_in_mbs_minus1.to_ne_bytes());
        wr(
            &mut b,
            1042,
            &self.pic_height_in_map_units_minus1.to_ne_bytes(),
        );
        wr(&mut b, 1044, &self.flags.to_ne_bytes());
        b
    }
}

/// `struct v4l2_ctrl_h264_pps` (Linux 7.2): 12 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pps {
    /// pic_parameter_set_id.
    pub pic_parameter_set_id: u8,
    /// seq_parameter_set_id.
    pub seq_parameter_set_id: u8,
    /// num_slice_groups_minus1.
    pub num_slice_groups_minus1: u8,
    /// num_ref_idx_l0_default_active_minus1.
    pub num_ref_idx_l0_default_active_minus1: u8,
    /// num_ref_idx_l1_default_active_minus1.
    pub num_ref_idx_l1_default_active_minus1: u8,
    /// weighted_bipred_idc.
    pub weighted_bipred_idc: u8,
    /// pic_init_qp_minus26.
    pub pic_init_qp_minus26: i8,
    /// pic_init_qs_minus26.
    pub pic_init_qs_minus26: i8,
    /// chroma_qp_index_offset.
    pub chroma_qp_index_offset: i8,
    /// second_chroma_qp_index_offset.
    pub second_chroma_qp_index_offset: i8,
    /// `PPS_FLAG_*`.
    pub flags: u16,
}

const _: () = {
    assert!(size_of::<Pps>() == 12);
    assert!(offset_of!(Pps, second_chroma_qp_index_offset) == 9);
    assert!(offset_of!(Pps, flags) == 10);
};

impl Pps {
    /// Size of the control payload.
    pub const SIZE: usize = size_of::<Pps>();

    /// Reads a control payload (native endianness).
    pub fn from_bytes(b: &[u8; Self::SIZE]) -> Self {
        Pps {
            pic_parameter_set_id: b[0],
            seq_parameter_set_id: b[1],
            num_slice_groups_minus1: b[2],
            num_ref_idx_l0_default_active_minus1: b[3],
            num_ref_idx_l1_default_active_minus1: b[4],
            weighted_bipred_idc: b[5],
            pic_init_qp_minus26: b[6] as i8,
            pic_init_qs_minus26: b[7] as i8,
            chroma_qp_index_offset: b[8] as i8,
            second_chroma_qp_index_offset: b[9] as i8,
            flags: rd_u16(b, 10),
        }
    }

    /// Writes the control payload (native endianness).
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[..10].copy_from_slice(&[
            self.pic_parameter_set_id,
            self.seq_parameter_set_id,
            self.num_slice_groups_minus1,
            self.num_ref_idx_l0_default_active_minus1,
            self.num_ref_idx_l1_default_active_minus1,
            self.weighted_bipred_idc,
            self.pic_init_qp_minus26 as u8,
            self.pic_init_qs_minus26 as u8,
            self.chroma_qp_index_offset as u8,
            self.second_chroma_qp_index_offset as u8,
        ]);
        wr(&mut b, 10, &self.flags.to_ne_bytes());
        b
    }
}

/// Why [`validate_encode_params`] refused a value (`-EINVAL` to user space).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// IDR flag on a slice type other than I.
    IdrNotIntra,
    /// colour_plane_id above 2.
    ColourPlaneId,
    /// cabac_init_idc above 2.
    CabacInitIdc,
    /// disable_deblocking_filter_idc above 2.
    DeblockingFilterIdc,
    /// slice_alpha_c0_offset_div2 outside -6..=6.
    AlphaOffset,
    /// slice_beta_offset_div2 outside -6..=6.
    BetaOffset,
    /// num_ref_idx_l0_active_minus1 or _l1_ above 31.
    NumRefIdx,
    /// A flag the uAPI does not define (stricter than the proposal).
    UnknownFlags,
    /// slice_type above 4 (stricter than the proposal).
    SliceType,
    /// nal_ref_idc above 3 (stricter than the proposal).
    NalRefIdc,
}

/// Validates and normalises `ENCODE_PARAMS`, in the order of the proposal:
///
/// - `DIRECT_SPATIAL_MV_PRED` is cleared unless the slice is B;
///   `LONG_TERM_REFERENCE` is cleared unless the picture is IDR with a
///   non-zero nal_ref_idc;
/// - an IDR picture must be an I slice ([`Invalid::IdrNotIntra`]);
/// - colour_plane_id, cabac_init_idc and disable_deblocking_filter_idc
///   must be 0..=2, the alpha and beta offsets -6..=6;
/// - I and SI slices get num_ref_idx_l0_active_minus1 = 0, all but B get
///   num_ref_idx_l1_active_minus1 = 0;
/// - IDR pictures get frame_num, pic_order_cnt_lsb and the three
///   delta_pic_order_cnt values 0, other pictures idr_pic_id 0;
/// - num_ref_idx_l{0,1}_active_minus1 must be below `V4L2_H264_REF_LIST_LEN`;
/// - the reserved fields are cleared.
///
/// Stricter than the proposal (which accepts and then writes these values
/// into the bitstream truncated): flags outside [`ENCODE_FLAGS_ALL`],
/// slice_type above 4 and nal_ref_idc above 3 are refused; the implicit
/// padding is cleared with the reserved fields.
///
/// On error `p` may be partly normalised (the control framework discards
/// a refused value).
pub fn validate_encode_params(p: &mut EncodeParams) -> Result<(), Invalid> {
    if p.flags & !ENCODE_FLAGS_ALL != 0 {
        return Err(Invalid::UnknownFlags);
    }
    if p.slice_type > SLICE_TYPE_SI {
        return Err(Invalid::SliceType);
    }
    if p.nal_ref_idc > 3 {
        return Err(Invalid::NalRefIdc);
    }
    if p.slice_type != SLICE_TYPE_B {
        p.flags &= !ENCODE_FLAG_DIRECT_SPATIAL_MV_PRED;
    }
    if !p.is_idr() || p.nal_ref_idc == 0 {
        p.flags &= !ENCODE_FLAG_LONG_TERM_REFERENCE;
    }
    if p.is_idr() && p.slice_type != SLICE_TYPE_I {
        return Err(Invalid::IdrNotIntra);
    }
    if p.colour_plane_id > 2 {
        return Err(Invalid::ColourPlaneId);
    }
    if p.cabac_init_idc > 2 {
        return Err(Invalid::CabacInitIdc);
    }
    if p.disable_deblocking_filter_idc > 2 {
        return Err(Invalid::DeblockingFilterIdc);
    }
    if !(-6..=6).contains(&p.slice_alpha_c0_offset_div2) {
        return Err(Invalid::AlphaOffset);
    }
    if !(-6..=6).contains(&p.slice_beta_offset_div2) {
        return Err(Invalid::BetaOffset);
    }
    if p.slice_type == SLICE_TYPE_I || p.slice_type == SLICE_TYPE_SI {
        p.num_ref_idx_l0_active_minus1 = 0;
    }
    if p.slice_type != SLICE_TYPE_B {
        p.num_ref_idx_l1_active_minus1 = 0;
    }
    if p.is_idr() {
        p.frame_num = 0;
        p.pic_order_cnt_lsb = 0;
        p.delta_pic_order_cnt_bottom = 0;
        p.delta_pic_order_cnt0 = 0;
        p.delta_pic_order_cnt1 = 0;
    } else {
        p.idr_pic_id = 0;
    }
    if p.num_ref_idx_l0_active_minus1 > REF_LIST_LEN - 1
        || p.num_ref_idx_l1_active_minus1 > REF_LIST_LEN - 1
    {
        return Err(Invalid::NumRefIdx);
    }
    p.reserved0 = [0; 2];
    p.reserved1 = [0; 6];
    p.padding = [0; 3];
    Ok(())
}

/// Validates an `ENCODE_PARAMS` control payload in place (what the
/// control's `validate` type operation calls): the bytes are rewritten
/// with the normalised value on success.
pub fn validate_encode_params_bytes(b: &mut [u8; EncodeParams::SIZE]) -> Result<(), Invalid> {
    let mut p = EncodeParams::from_bytes(b);
    validate_encode_params(&mut p)?;
    *b = p.to_bytes();
    Ok(())
}
