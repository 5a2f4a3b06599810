// SPDX-License-Identifier: GPL-2.0
//! The NAL units the kernel writes (ITU-T H.264 7.3.2.1, 7.3.2.2, 7.3.2.4,
//! 7.3.3 and E.1.1): access unit delimiter, SPS with VUI, PPS and slice
//! header, from the control values after [`crate::state`] constrained
//! them. They are written with the `h264` core's [`BitWriter`] (Annex B
//! start code, emulation prevention).
//!
//! # Examples
//!
//! ```
//! use h264::bitstream::BitWriter;
//! use slenc_codec::headers::write_aud;
//! let mut buf = [0u8; 8];
//! let mut bw = BitWriter::new(&mut buf);
//! write_aud(&mut bw, 1);
//! assert_eq!(bw.byte_len(), 6);
//! assert_eq!(buf[..6], [0, 0, 0, 1, 0x09, 0x30]);
//! ```

use crate::state::SeqParams;
use crate::uapi::*;
use crate::vui::{Vui, ASPECT_RATIO_IDC_EXTENDED};
use h264::bitstream::BitWriter;

/// nal_unit_type of a non-IDR slice.
pub const NAL_SLICE: u8 = 1;
/// nal_unit_type of an IDR slice.
pub const NAL_IDR: u8 = 5;
/// nal_unit_type of an SPS.
pub const NAL_SPS: u8 = 7;
/// nal_unit_type of a PPS.
pub const NAL_PPS: u8 = 8;
/// nal_unit_type of an access unit delimiter.
pub const NAL_AUD: u8 = 9;

/// primary_pic_type of an access unit with I slices only.
pub const PRIMARY_PIC_TYPE_I: u8 = 0;
/// primary_pic_type of an access unit with I and P slices.
pub const PRIMARY_PIC_TYPE_IP: u8 = 1;

/// Profiles whose SPS carries chroma_format_idc and bit depths
/// (7.3.2.1.1).
pub fn profile_has_chroma_format(profile_idc: u8) -> bool {
    matches!(
        profile_idc,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    )
}

/// Writes an access unit delimiter.
pub fn write_aud(bw: &mut BitWriter<'_>, primary_pic_type: u8) {
    bw.begin_nal(0, NAL_AUD);
    bw.put(3, u32::from(primary_pic_type));
    bw.end_nal();
}

/// Frame cropping offsets (left, right, top, bottom) in crop units.
pub type Crop = (u32, u32, u32, u32);

fn write_vui(bw: &mut BitWriter<'_>, v: &Vui) {
    match v.aspect {
        Some((idc, w, h)) => {
            bw.bit(true);
            bw.put(8, u32::from(idc));
            if idc == ASPECT_RATIO_IDC_EXTENDED {
                bw.put(16, u32::from(w));
                bw.put(16, u32::from(h));
            }
        }
        None => bw.bit(false),
    }
    bw.bit(false); // overscan_info_present_flag
    match v.signal {
        Some(s) => {
            bw.bit(true);
            bw.put(3, u32::from(s.video_format));
            bw.bit(s.full_range);
            match s.colour {
                Some((p, t, m)) => {
                    bw.bit(true);
                    bw.put(8, u32::from(p));
                    bw.put(8, u32::from(t));
                    bw.put(8, u32::from(m));
                }
                None => bw.bit(false),
            }
        }
        None => bw.bit(false),
    }
    bw.bit(false); // chroma_loc_info_present_flag
    match v.timing {
        Some((tick, scale)) => {
            bw.bit(true);
            bw.put(32, tick);
            bw.put(32, scale);
            bw.bit(true); // fixed_frame_rate_flag
        }
        None => bw.bit(false),
    }
    bw.bit(false); // nal_hrd_parameters_present_flag
    bw.bit(false); // vcl_hrd_parameters_present_flag
    bw.bit(false); // pic_struct_present_flag
    bw.bit(true); // bitstream_restriction_flag
    bw.bit(true); // motion_vectors_over_pic_boundaries_flag
    bw.ue(0); // max_bytes_per_pic_denom
    bw.ue(0); // max_bits_per_mb_denom
    bw.ue(15); // log2_max_mv_length_horizontal
    bw.ue(15); // log2_max_mv_length_vertical
    bw.ue(0); // max_num_reorder_frames
    bw.ue(v.max_dec_frame_buffering);
}

/// Writes an SPS (with VUI). pic_order_cnt_type 1 is not written (the
/// encoder refuses it).
pub fn write_sps(bw: &mut BitWriter<'_>, sps: &SeqParams, crop: Option<Crop>, vui: &Vui) {
    bw.begin_nal(3, NAL_SPS);
    bw.put(8, u32::from(sps.profile_idc));
    // constraint_set0_flag is the most significant bit, then 2 reserved
    // zero bits.
    let cs = sps.constraint_set_flags & SPS_CONSTRAINT_SET_MASK;
    bw.put(8, u32::from(cs.reverse_bits()));
    bw.put(8, u32::from(sps.level_idc));
    bw.ue(u32::from(sps.seq_parameter_set_id));
    if profile_has_chroma_format(sps.profile_idc) {
        bw.ue(u32::from(sps.chroma_format_idc));
        if sps.chroma_format_idc == 3 {
            bw.bit(sps.flags & SPS_FLAG_SEPARATE_COLOUR_PLANE != 0);
        }
        bw.ue(u32::from(sps.bit_depth_luma_minus8));
        bw.ue(u32::from(sps.bit_depth_chroma_minus8));
        bw.bit(sps.flags & SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS != 0);
        bw.bit(false); // seq_scaling_matrix_present_flag
    }
    bw.ue(u32::from(sps.log2_max_frame_num_minus4));
    bw.ue(u32::from(sps.pic_order_cnt_type));
    if sps.pic_order_cnt_type == 0 {
        bw.ue(u32::from(sps.log2_max_pic_order_cnt_lsb_minus4));
    }
    bw.ue(u32::from(sps.max_num_ref_frames));
    bw.bit(sps.flags & SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED != 0);
    bw.ue(u32::from(sps.pic_width_in_mbs_minus1));
    bw.ue(u32::from(sps.pic_height_in_map_units_minus1));
    let frame_mbs_only = sps.flags & SPS_FLAG_FRAME_MBS_ONLY != 0;
    bw.bit(frame_mbs_only);
    if !frame_mbs_only {
        bw.bit(sps.flags & SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD != 0);
    }
    bw.bit(sps.flags & SPS_FLAG_DIRECT_8X8_INFERENCE != 0);
    match crop {
        Some((l, r, t, b)) => {
            bw.bit(true);
            bw.ue(l);
            bw.ue(r);
            bw.ue(t);
            bw.ue(b);
        }
        None => bw.bit(false),
    }
    bw.bit(true); // vui_parameters_present_flag
    write_vui(bw, vui);
    bw.end_nal();
}

/// Writes a PPS. The fields after redundant_pic_cnt_present_flag
/// (transform_8x8_mode_flag, the scaling matrix flag and
/// second_chroma_qp_index_offset) are written only for the profiles that
/// have them, and only when they differ from their inferred values.
pub fn write_pps(bw: &mut BitWriter<'_>, pps: &Pps, profile_idc: u8) {
    bw.begin_nal(3, NAL_PPS);
    bw.ue(u32::from(pps.pic_parameter_set_id));
    bw.ue(u32::from(pps.seq_parameter_set_id));
    bw.bit(pps.flags & PPS_FLAG_ENTROPY_CODING_MODE != 0);
    bw.bit(pps.flags & PPS_FLAG_BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT != 0);
    bw.ue(u32::from(pps.num_slice_groups_minus1));
    bw.ue(u32::from(pps.num_ref_idx_l0_default_active_minus1));
    bw.ue(u32::from(pps.num_ref_idx_l1_default_active_minus1));
    bw.bit(pps.flags & PPS_FLAG_WEIGHTED_PRED != 0);
    bw.put(2, u32::from(pps.weighted_bipred_idc));
    bw.se(i32::from(pps.pic_init_qp_minus26));
    bw.se(i32::from(pps.pic_init_qs_minus26));
    bw.se(i32::from(pps.chroma_qp_index_offset));
    bw.bit(pps.flags & PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT != 0);
    bw.bit(pps.flags & PPS_FLAG_CONSTRAINED_INTRA_PRED != 0);
    bw.bit(pps.flags & PPS_FLAG_REDUNDANT_PIC_CNT_PRESENT != 0);
    let t8x8 = pps.flags & PPS_FLAG_TRANSFORM_8X8_MODE != 0;
    if profile_has_chroma_format(profile_idc)
        && (t8x8 || pps.second_chroma_qp_index_offset != pps.chroma_qp_index_offset)
    {
        bw.bit(t8x8);
        bw.bit(false); // pic_scaling_matrix_present_flag
        bw.se(i32::from(pps.second_chroma_qp_index_offset));
    }
    bw.end_nal();
}

/// The values of a slice header, as the encoder writes it: one slice per
/// frame, no reordering or marking commands, CAVLC. What a backend whose
/// hardware writes slice headers needs, too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SliceHeader {
    /// nal_ref_idc (0..=3).
    pub nal_ref_idc: u8,
    /// IDR picture (nal_unit_type 5).
    pub idr: bool,
    /// P slice (else I).
    pub p_slice: bool,
    /// pic_parameter_set_id.
    pub pic_parameter_set_id: u8,
    /// frame_num.
    pub frame_num: u16,
    /// log2_max_frame_num (4..=16).
    pub log2_max_frame_num: u8,
    /// idr_pic_id (IDR only).
    pub idr_pic_id: u16,
    /// pic_order_cnt_lsb.
    pub pic_order_cnt_lsb: u16,
    /// log2_max_pic_order_cnt_lsb (4..=16).
    pub log2_max_poc_lsb: u8,
    /// slice_qp_delta.
    pub slice_qp_delta: i8,
    /// The PPS has deblocking_filter_control_present_flag.
    pub deblocking_control: bool,
    /// disable_deblocking_filter_idc.
    pub disable_deblocking_filter_idc: u8,
    /// slice_alpha_c0_offset_div2.
    pub alpha_div2: i8,
    /// slice_beta_offset_div2.
    pub beta_div2: i8,
    /// no_output_of_prior_pics_flag (IDR).
    pub no_output_of_prior_pics: bool,
    /// long_term_reference_flag (IDR).
    pub long_term_reference: bool,
}

impl SliceHeader {
    /// The slice header of a constrained state (see [`crate::state`]).
    pub fn new(sps: &SeqParams, pps: &Pps, e: &EncodeParams) -> Self {
        SliceHeader {
            nal_ref_idc: e.nal_ref_idc & 3,
            idr: e.is_idr(),
            p_slice: e.slice_type == SLICE_TYPE_P,
            pic_parameter_set_id: e.pic_parameter_set_id,
            frame_num: e.frame_num,
            log2_max_frame_num: sps.log2_max_frame_num_minus4.min(12) + 4,
            idr_pic_id: e.idr_pic_id,
            pic_order_cnt_lsb: e.pic_order_cnt_lsb,
            log2_max_poc_lsb: sps.log2_max_pic_order_cnt_lsb_minus4.min(12) + 4,
            slice_qp_delta: e.slice_qp_delta,
            deblocking_control: pps.flags & PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT != 0,
            disable_deblocking_filter_idc: e.disable_deblocking_filter_idc,
            alpha_div2: e.slice_alpha_c0_offset_div2,
            beta_div2: e.slice_beta_offset_div2,
            no_output_of_prior_pics: e.flags & ENCODE_FLAG_NO_OUTPUT_OF_PRIOR_PICS != 0,
            long_term_reference: e.flags & ENCODE_FLAG_LONG_TERM_REFERENCE != 0,
        }
    }

    /// The deblocking filter runs (disable_deblocking_filter_idc != 1).
    pub fn deblock(&self) -> bool {
        !self.deblocking_control || self.disable_deblocking_filter_idc != 1
    }

    /// FilterOffsetA and FilterOffsetB.
    pub fn filter_offsets(&self) -> (i8, i8) {
        if self.deblocking_control {
            (self.alpha_div2 * 2, self.beta_div2 * 2)
        } else {
            (0, 0)
        }
    }
}

/// Opens the slice NAL unit and writes its header (first_mb_in_slice 0,
/// pic_order_cnt_type 0, frames only, no reordering or marking commands,
/// CAVLC). The slice data follows in the same NAL unit.
pub fn write_slice_header(bw: &mut BitWriter<'_>, h: &SliceHeader) {
    bw.begin_nal(h.nal_ref_idc, if h.idr { NAL_IDR } else { NAL_SLICE });
    bw.ue(0); // first_mb_in_slice
    bw.ue(u32::from(if h.p_slice {
        SLICE_TYPE_P
    } else {
        SLICE_TYPE_I
    }));
    bw.ue(u32::from(h.pic_parameter_set_id));
    bw.put(u32::from(h.log2_max_frame_num), u32::from(h.frame_num));
    if h.idr {
        bw.ue(u32::from(h.idr_pic_id));
    }
    bw.put(
        u32::from(h.log2_max_poc_lsb),
        u32::from(h.pic_order_cnt_lsb),
    );
    if h.p_slice {
        bw.bit(false); // num_ref_idx_active_override_flag
        bw.bit(false); // ref_pic_list_modification_flag_l0
    }
    if h.nal_ref_idc != 0 {
        if h.idr {
            bw.bit(h.no_output_of_prior_pics);
            bw.bit(h.long_term_reference);
        } else {
            bw.bit(false); // adaptive_ref_pic_marking_mode_flag
        }
    }
    bw.se(i32::from(h.slice_qp_delta));
    if h.deblocking_control {
        bw.ue(u32::from(h.disable_deblocking_filter_idc));
        if h.disable_deblocking_filter_idc != 1 {
            bw.se(i32::from(h.alpha_div2));
            bw.se(i32::from(h.beta_div2));
        }
    }
}
