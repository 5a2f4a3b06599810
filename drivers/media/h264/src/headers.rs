// SPDX-License-Identifier: GPL-2.0
//! Parameter sets, slice headers and access unit delimiters
//! (ITU-T H.264 clauses 7.3.2 and 7.3.3).

use crate::bitstream::BitWriter;

/// NAL unit types used by the encoder.
pub const NAL_SLICE: u8 = 1;
/// IDR slice.
pub const NAL_IDR: u8 = 5;
/// Sequence parameter set.
pub const NAL_SPS: u8 = 7;
/// Picture parameter set.
pub const NAL_PPS: u8 = 8;
/// Access unit delimiter.
pub const NAL_AUD: u8 = 9;

/// log2_max_frame_num used in the SPS.
pub const LOG2_MAX_FRAME_NUM: u32 = 8;

/// Values that go into the SPS.
#[derive(Clone, Copy, Debug)]
pub struct SpsParams {
    /// Frame width in luma samples (not necessarily a multiple of 16).
    pub width: u32,
    /// Frame height in luma samples.
    pub height: u32,
    /// level_idc.
    pub level_idc: u8,
    /// Frame rate numerator (frames per second = num / den).
    pub fps_num: u32,
    /// Frame rate denominator.
    pub fps_den: u32,
    /// max_num_ref_frames.
    pub num_ref_frames: u32,
}

/// Chooses the lowest level whose frame size and macroblock rate limits
/// fit (Table A-1).
pub fn pick_level(width: u32, height: u32, fps_num: u32, fps_den: u32) -> u8 {
    const LEVELS: [(u8, u32, u32); 16] = [
        (10, 99, 1485),
        (11, 396, 3000),
        (12, 396, 6000),
        (13, 396, 11880),
        (20, 396, 11880),
        (21, 792, 19800),
        (22, 1620, 20250),
        (30, 1620, 40500),
        (31, 3600, 108000),
        (32, 5120, 216000),
        (40, 8192, 245760),
        (41, 8192, 245760),
        (42, 8704, 522240),
        (50, 22080, 589824),
        (51, 36864, 983040),
        (52, 36864, 2073600),
    ];
    let fs = u64::from(width.div_ceil(16)) * u64::from(height.div_ceil(16));
    let mbps = crate::ratecontrol::div_u64(fs * u64::from(fps_num), u64::from(fps_den.max(1)));
    for &(l, maxfs, maxmbps) in LEVELS.iter() {
        if fs <= u64::from(maxfs) && mbps <= u64::from(maxmbps) {
            return l;
        }
    }
    52
}

/// Writes an SPS NAL unit (Constrained Baseline, VUI with timing).
pub fn write_sps(bw: &mut BitWriter<'_>, p: &SpsParams) {
    bw.begin_nal(3, NAL_SPS);
    bw.put(8, 66); // profile_idc: Baseline
    bw.put(8, 0xc0); // constraint_set0_flag = constraint_set1_flag = 1
    bw.put(8, u32::from(p.level_idc));
    bw.ue(0); // seq_parameter_set_id
    bw.ue(LOG2_MAX_FRAME_NUM - 4);
    bw.ue(2); // pic_order_cnt_type
    bw.ue(p.num_ref_frames);
    bw.bit(false); // gaps_in_frame_num_value_allowed_flag
    let mbw = p.width.div_ceil(16);
    let mbh = p.height.div_ceil(16);
    bw.ue(mbw.saturating_sub(1));
    bw.ue(mbh.saturating_sub(1));
    bw.bit(true); // frame_mbs_only_flag
    bw.bit(true); // direct_8x8_inference_flag
    let crop_r = (mbw * 16 - p.width) / 2;
    let crop_b = (mbh * 16 - p.height) / 2;
    if crop_r != 0 || crop_b != 0 {
        bw.bit(true);
        bw.ue(0);
        bw.ue(crop_r);
        bw.ue(0);
        bw.ue(crop_b);
    } else {
        bw.bit(false);
    }
    bw.bit(true); // vui_parameters_present_flag
    bw.bit(false); // aspect_ratio_info_present_flag
    bw.bit(false); // overscan_info_present_flag
    bw.bit(true); // video_signal_type_present_flag
    bw.put(3, 5); // video_format: unspecified
    bw.bit(false); // video_full_range_flag
    bw.bit(true); // colour_description_present_flag
    bw.put(8, 1); // BT.709 primaries
    bw.put(8, 1); // transfer
    bw.put(8, 1); // matrix
    bw.bit(false); // chroma_loc_info_present_flag
    let timing = p.fps_num > 0 && p.fps_den > 0 && p.fps_num <= u32::MAX / 2;
    bw.bit(timing);
    if timing {
        bw.put(32, p.fps_den); // num_units_in_tick
        bw.put(32, p.fps_num * 2); // time_scale
        bw.bit(true); // fixed_frame_rate_flag
    }
    bw.bit(false); // nal_hrd_parameters_present_flag
    bw.bit(false); // vcl_hrd_parameters_present_flag
    bw.bit(false); // pic_struct_present_flag
    bw.bit(true); // bitstream_restriction_flag
    bw.bit(true); // motion_vectors_over_pic_boundaries_flag
    bw.ue(0); // max_bytes_per_pic_denom
    bw.ue(0); // max_bits_per_mb_denom
    bw.ue(13); // log2_max_mv_length_horizontal
    bw.ue(11); // log2_max_mv_length_vertical
    bw.ue(0); // max_num_reorder_frames
    bw.ue(p.num_ref_frames); // max_dec_frame_buffering
    bw.end_nal();
}

/// Writes a PPS NAL unit.
pub fn write_pps(bw: &mut BitWriter<'_>, chroma_qp_offset: i8) {
    bw.begin_nal(3, NAL_PPS);
    bw.ue(0); // pic_parameter_set_id
    bw.ue(0); // seq_parameter_set_id
    bw.bit(false); // entropy_coding_mode_flag: CAVLC
    bw.bit(false); // bottom_field_pic_order_in_frame_present_flag
    bw.ue(0); // num_slice_groups_minus1
    bw.ue(0); // num_ref_idx_l0_default_active_minus1
    bw.ue(0); // num_ref_idx_l1_default_active_minus1
    bw.bit(false); // weighted_pred_flag
    bw.put(2, 0); // weighted_bipred_idc
    bw.se(0); // pic_init_qp_minus26
    bw.se(0); // pic_init_qs_minus26
    bw.se(i32::from(chroma_qp_offset));
    bw.bit(true); // deblocking_filter_control_present_flag
    bw.bit(false); // constrained_intra_pred_flag
    bw.bit(false); // redundant_pic_cnt_present_flag
    bw.end_nal();
}

/// Writes an access unit delimiter. `intra` selects primary_pic_type 0
/// (I only) instead of 1 (I and P).
pub fn write_aud(bw: &mut BitWriter<'_>, intra: bool) {
    bw.begin_nal(0, NAL_AUD);
    bw.put(3, if intra { 0 } else { 1 });
    bw.end_nal();
}

/// Slice header values.
#[derive(Clone, Copy, Debug)]
pub struct SliceHeader {
    /// first_mb_in_slice.
    pub first_mb: u32,
    /// P slice (else I).
    pub p_slice: bool,
    /// IDR picture.
    pub idr: bool,
    /// frame_num (already reduced modulo MaxFrameNum).
    pub frame_num: u32,
    /// idr_pic_id.
    pub idr_pic_id: u32,
    /// Slice QP.
    pub qp: u8,
    /// disable_deblocking_filter_idc.
    pub disable_deblock: u32,
    /// slice_alpha_c0_offset_div2.
    pub alpha_div2: i32,
    /// slice_beta_offset_div2.
    pub beta_div2: i32,
    /// P slice predicts from the long-term reference (LongTermPicNum 0)
    /// instead of the most recent short-term picture.
    pub use_long_term: bool,
    /// Mark this picture as the long-term reference (LongTermFrameIdx 0).
    pub mark_long_term: bool,
}

/// Opens a slice NAL unit and writes its header.
pub fn write_slice_header(bw: &mut BitWriter<'_>, h: &SliceHeader) {
    bw.begin_nal(3, if h.idr { NAL_IDR } else { NAL_SLICE });
    bw.ue(h.first_mb);
    bw.ue(if h.p_slice { 5 } else { 7 });
    bw.ue(0); // pic_parameter_set_id
    bw.put(LOG2_MAX_FRAME_NUM, h.frame_num);
    if h.idr {
        bw.ue(h.idr_pic_id);
    }
    if h.p_slice {
        bw.bit(false); // num_ref_idx_active_override_flag
        bw.bit(h.use_long_term); // ref_pic_list_modification_flag_l0
        if h.use_long_term {
            bw.ue(2); // modification_of_pic_nums_idc: long_term_pic_num
            bw.ue(0); // long_term_pic_num
            bw.ue(3); // end of modifications
        }
    }
    // dec_ref_pic_marking (nal_ref_idc != 0)
    if h.idr {
        bw.bit(false); // no_output_of_prior_pics_flag
        bw.bit(h.mark_long_term); // long_term_reference_flag
    } else if h.mark_long_term {
        bw.bit(true); // adaptive_ref_pic_marking_mode_flag
        bw.ue(6); // mark the current picture as long-term
        bw.ue(0); // long_term_frame_idx
        bw.ue(0); // end of memory_management_control_operation
    } else {
        bw.bit(false); // adaptive_ref_pic_marking_mode_flag
    }
    bw.se(i32::from(h.qp) - 26);
    bw.ue(h.disable_deblock);
    if h.disable_deblock != 1 {
        bw.se(h.alpha_div2);
        bw.se(h.beta_div2);
    }
}
