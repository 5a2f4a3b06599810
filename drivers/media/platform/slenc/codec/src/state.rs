// SPDX-License-Identifier: GPL-2.0
//! The state of one picture, built from the control values (SPS and PPS
//! set outside requests, `ENCODE_PARAMS` from the request, the stateful
//! controls) and the OUTPUT format, then constrained to what the encoder
//! codes: the philosophy of the proposal is to adapt user space's
//! parameters where an equivalent stream results, and to refuse only what
//! cannot be adapted. The adapted values are returned to user space.
//!
//! What the `h264` core codes is Constrained Baseline with one reference
//! picture per P slice, so:
//!
//! - SPS: 4:2:0 8-bit frames (`frame_mbs_only`, `direct_8x8_inference`),
//!   the size of the OUTPUT format, `max_num_ref_frames` at most
//!   [`MAX_REFS`]; `pic_order_cnt_type` other than 0 is refused (as in the
//!   proposal).
//! - PPS: CAVLC, no 8x8 transform, no weighted prediction, no constrained
//!   intra prediction, no redundant pictures, no scaling matrix, one
//!   slice group, one active reference by default, the SPS's ID.
//! - `ENCODE_PARAMS`: SI becomes I and SP becomes P (as in the proposal), B
//!   is refused, the PPS's ID, no reference count override, frames only,
//!   `LONG_TERM_REFERENCE` only with room for it in the DPB; an IDR
//!   picture must be a reference picture, frame_num and pic_order_cnt_lsb
//!   must fit their SPS lengths.
//!
//! # Examples
//!
//! ```
//! use slenc_codec::{controls::Controls, state, uapi};
//! let stream = state::StreamInfo::new(slenc_codec::layout::try_output(
//!     slenc_codec::layout::InputFormat::Nv12, 640, 360, [0; 3]));
//! let mut sps = uapi::Sps::ZERO;
//! sps.profile_idc = 100; // High: kept, only tools Constrained Baseline has are used
//! sps.max_num_ref_frames = 4;
//! let mut pps = uapi::Pps::default();
//! pps.flags = uapi::PPS_FLAG_ENTROPY_CODING_MODE;
//! let mut enc = uapi::EncodeParams::ZERO;
//! enc.slice_type = uapi::SLICE_TYPE_I;
//! enc.flags = uapi::ENCODE_FLAG_IDR_PIC;
//! enc.nal_ref_idc = 1;
//! let mut s = state::State::EMPTY;
//! state::build(&mut s, &stream, &sps, &pps, &enc, &Controls::default()).unwrap();
//! assert_eq!(s.sps.max_num_ref_frames, 2);
//! assert_eq!(s.pps.flags & uapi::PPS_FLAG_ENTROPY_CODING_MODE, 0); // CAVLC
//! assert_eq!(s.crop, Some((0, 0, 0, 4))); // 360 lines coded as 368
//! ```

use crate::controls::Controls;
use crate::headers::Crop;
use crate::layout::{OutputFormat, Rect};
use crate::uapi::*;
use crate::vui::{aspect_ratio, timing, video_signal, Colorimetry, Vui};

/// Largest `max_num_ref_frames`: the previous reference picture, and an
/// IDR picture kept as long-term reference.
pub const MAX_REFS: u8 = 2;

/// What the OUTPUT queue was configured with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamInfo {
    /// The OUTPUT format.
    pub format: OutputFormat,
    /// The crop rectangle (`S_SELECTION`), inside the format.
    pub crop: Rect,
    /// Colorimetry of the OUTPUT format.
    pub colorimetry: Colorimetry,
    /// `timeperframe` of `S_PARM` (numerator, denominator): seconds per
    /// frame. (0, 0) when unknown.
    pub timeperframe: (u32, u32),
}

impl StreamInfo {
    /// The defaults for a format: no crop, unknown colorimetry, 30 frames
    /// per second.
    pub fn new(format: OutputFormat) -> Self {
        StreamInfo {
            format,
            crop: Rect::full(format.width, format.height),
            colorimetry: Colorimetry::default(),
            timeperframe: (1, 30),
        }
    }

    /// Width in macroblocks.
    pub fn mb_width(&self) -> u32 {
        self.format.width.div_ceil(16)
    }

    /// Height in macroblocks.
    pub fn mb_height(&self) -> u32 {
        self.format.height.div_ceil(16)
    }
}

/// The SPS fields the encoder writes: [`Sps`] without the arrays of
/// pic_order_cnt_type 1 (refused), small enough to keep on a stack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeqParams {
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
    /// pic_width_in_mbs_minus1.
    pub pic_width_in_mbs_minus1: u16,
    /// pic_height_in_map_units_minus1.
    pub pic_height_in_map_units_minus1: u16,
    /// `SPS_FLAG_*`.
    pub flags: u32,
}

impl SeqParams {
    /// The fields of `s` this structure has.
    pub fn from_sps(s: &Sps) -> Self {
        SeqParams {
            profile_idc: s.profile_idc,
            constraint_set_flags: s.constraint_set_flags,
            level_idc: s.level_idc,
            seq_parameter_set_id: s.seq_parameter_set_id,
            chroma_format_idc: s.chroma_format_idc,
            bit_depth_luma_minus8: s.bit_depth_luma_minus8,
            bit_depth_chroma_minus8: s.bit_depth_chroma_minus8,
            log2_max_frame_num_minus4: s.log2_max_frame_num_minus4,
            pic_order_cnt_type: s.pic_order_cnt_type,
            log2_max_pic_order_cnt_lsb_minus4: s.log2_max_pic_order_cnt_lsb_minus4,
            max_num_ref_frames: s.max_num_ref_frames,
            pic_width_in_mbs_minus1: s.pic_width_in_mbs_minus1,
            pic_height_in_map_units_minus1: s.pic_height_in_map_units_minus1,
            flags: s.flags,
        }
    }

    /// Writes these fields into `s` (the adapted SPS for user space) and
    /// clears the pic_order_cnt_type 1 fields the encoder does not use.
    pub fn apply_to(&self, s: &mut Sps) {
        s.profile_idc = self.profile_idc;
        s.constraint_set_flags = self.constraint_set_flags;
        s.level_idc = self.level_idc;
        s.seq_parameter_set_id = self.seq_parameter_set_id;
        s.chroma_format_idc = self.chroma_format_idc;
        s.bit_depth_luma_minus8 = self.bit_depth_luma_minus8;
        s.bit_depth_chroma_minus8 = self.bit_depth_chroma_minus8;
        s.log2_max_frame_num_minus4 = self.log2_max_frame_num_minus4;
        s.pic_order_cnt_type = self.pic_order_cnt_type;
        s.log2_max_pic_order_cnt_lsb_minus4 = self.log2_max_pic_order_cnt_lsb_minus4;
        s.max_num_ref_frames = self.max_num_ref_frames;
        s.num_ref_frames_in_pic_order_cnt_cycle = 0;
        s.offset_for_ref_frame = [0; 255];
        s.offset_for_non_ref_pic = 0;
        s.offset_for_top_to_bottom_field = 0;
        s.pic_width_in_mbs_minus1 = self.pic_width_in_mbs_minus1;
        s.pic_height_in_map_units_minus1 = self.pic_height_in_map_units_minus1;
        s.flags = self.flags;
    }
}

/// Why a picture cannot be encoded (`-EINVAL` for the request; the
/// variants say which rule, for the driver's debug messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateError {
    /// `ENCODE_PARAMS` refused by its validation.
    Control(Invalid),
    /// pic_order_cnt_type other than 0.
    PocType,
    /// A field of the SPS out of its range.
    SpsRange,
    /// A field of the PPS out of its range.
    PpsRange,
    /// B slices are not supported.
    Bipred,
    /// IDR picture with nal_ref_idc 0.
    IdrNotReference,
    /// frame_num does not fit log2_max_frame_num.
    FrameNumRange,
    /// pic_order_cnt_lsb does not fit log2_max_pic_order_cnt_lsb.
    PocLsbRange,
    /// A P slice while max_num_ref_frames is 0.
    NoReferenceAllowed,
}

/// The constrained state of one picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    /// SPS as written.
    pub sps: SeqParams,
    /// PPS as written.
    pub pps: Pps,
    /// Slice header values (slice_qp_delta is set by rate control).
    pub encode: EncodeParams,
    /// VUI as written.
    pub vui: Vui,
    /// Frame cropping of the SPS.
    pub crop: Option<Crop>,
}

impl State {
    /// An all-zero state.
    pub const EMPTY: State = State {
        sps: SeqParams {
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
            pic_width_in_mbs_minus1: 0,
            pic_height_in_map_units_minus1: 0,
            flags: 0,
        },
        pps: Pps {
            pic_parameter_set_id: 0,
            seq_parameter_set_id: 0,
            num_slice_groups_minus1: 0,
            num_ref_idx_l0_default_active_minus1: 0,
            num_ref_idx_l1_default_active_minus1: 0,
            weighted_bipred_idc: 0,
            pic_init_qp_minus26: 0,
            pic_init_qs_minus26: 0,
            chroma_qp_index_offset: 0,
            second_chroma_qp_index_offset: 0,
            flags: 0,
        },
        encode: EncodeParams::ZERO,
        vui: Vui {
            aspect: None,
            signal: None,
            timing: None,
            max_dec_frame_buffering: 0,
        },
        crop: None,
    };

    /// The same sequence: SPS, VUI and cropping equal.
    pub fn same_sequence(&self, o: &State) -> bool {
        self.sps == o.sps && self.vui == o.vui && self.crop == o.crop
    }

    /// MaxFrameNum.
    pub fn max_frame_num(&self) -> u32 {
        1 << (u32::from(self.sps.log2_max_frame_num_minus4) + 4)
    }

    /// MaxPicOrderCntLsb.
    pub fn max_poc_lsb(&self) -> u32 {
        1 << (u32::from(self.sps.log2_max_pic_order_cnt_lsb_minus4) + 4)
    }

    /// P picture (else I).
    pub fn is_inter(&self) -> bool {
        self.encode.slice_type == SLICE_TYPE_P
    }

    /// Slice QP of `slice_qp_delta`.
    pub fn slice_qp(&self) -> i32 {
        26 + i32::from(self.pps.pic_init_qp_minus26) + i32::from(self.encode.slice_qp_delta)
    }
}

/// Frame cropping offsets for the crop rectangle of a picture coded as
/// whole macroblocks.
pub fn crop_offsets(stream: &StreamInfo) -> Option<Crop> {
    let cw = stream.mb_width() * 16;
    let ch = stream.mb_height() * 16;
    let r = crate::layout::try_crop(stream.format.width, stream.format.height, stream.crop);
    let c = (
        r.left / 2,
        (cw - r.left - r.width) / 2,
        r.top / 2,
        (ch - r.top - r.height) / 2,
    );
    if c == (0, 0, 0, 0) {
        None
    } else {
        Some(c)
    }
}

fn constrain_sps(stream: &StreamInfo, s: &mut SeqParams) -> Result<(), StateError> {
    if s.pic_order_cnt_type != 0 {
        return Err(StateError::PocType);
    }
    if s.log2_max_frame_num_minus4 > 12 || s.log2_max_pic_order_cnt_lsb_minus4 > 12 {
        return Err(StateError::SpsRange);
    }
    s.pic_width_in_mbs_minus1 = (stream.mb_width() - 1) as u16;
    s.pic_height_in_map_units_minus1 = (stream.mb_height() - 1) as u16;
    s.chroma_format_idc = 1;
    s.bit_depth_luma_minus8 = 0;
    s.bit_depth_chroma_minus8 = 0;
    s.flags &= !(SPS_FLAG_SEPARATE_COLOUR_PLANE
        | SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS
        | SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD
        | SPS_FLAG_DELTA_PIC_ORDER_ALWAYS_ZERO);
    s.flags |= SPS_FLAG_FRAME_MBS_ONLY | SPS_FLAG_DIRECT_8X8_INFERENCE;
    s.constraint_set_flags &= SPS_CONSTRAINT_SET_MASK;
    s.max_num_ref_frames = s.max_num_ref_frames.min(MAX_REFS);
    Ok(())
}

fn constrain_pps(sps: &SeqParams, p: &mut Pps) -> Result<(), StateError> {
    if !(-26..=25).contains(&p.pic_init_qp_minus26)
        || !(-12..=12).contains(&p.chroma_qp_index_offset)
    {
        return Err(StateError::PpsRange);
    }
    p.seq_parameter_set_id = sps.seq_parameter_set_id;
    p.num_slice_groups_minus1 = 0;
    p.num_ref_idx_l0_default_active_minus1 = 0;
    p.num_ref_idx_l1_default_active_minus1 = 0;
    p.weighted_bipred_idc = 0;
    p.pic_init_qs_minus26 = 0;
    p.second_chroma_qp_index_offset = p.chroma_qp_index_offset;
    p.flags &= PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT;
    Ok(())
}

fn constrain_encode(sps: &SeqParams, pps: &Pps, e: &mut EncodeParams) -> Result<(), StateError> {
    validate_encode_params(e).map_err(StateError::Control)?;
    match e.slice_type {
        SLICE_TYPE_SI => e.slice_type = SLICE_TYPE_I,
        SLICE_TYPE_SP => e.slice_type = SLICE_TYPE_P,
        SLICE_TYPE_B => return Err(StateError::Bipred),
        _ => {}
    }
    if e.is_idr() && e.nal_ref_idc == 0 {
        return Err(StateError::IdrNotReference);
    }
    if e.slice_type == SLICE_TYPE_P && sps.max_num_ref_frames == 0 {
        return Err(StateError::NoReferenceAllowed);
    }
    if u32::from(e.frame_num) >> (u32::from(sps.log2_max_frame_num_minus4) + 4) != 0 {
        return Err(StateError::FrameNumRange);
    }
    if u32::from(e.pic_order_cnt_lsb) >> (u32::from(sps.log2_max_pic_order_cnt_lsb_minus4) + 4) != 0
    {
        return Err(StateError::PocLsbRange);
    }
    e.pic_parameter_set_id = pps.pic_parameter_set_id;
    e.colour_plane_id = 0;
    e.flags &= !(ENCODE_FLAG_NUM_REF_IDX_ACTIVE_OVERRIDE
        | ENCODE_FLAG_FIELD_PIC
        | ENCODE_FLAG_BOTTOM_FIELD
        | ENCODE_FLAG_DIRECT_SPATIAL_MV_PRED);
    e.num_ref_idx_l0_active_minus1 = 0;
    e.num_ref_idx_l1_active_minus1 = 0;
    e.cabac_init_idc = 0;
    e.delta_pic_order_cnt_bottom = 0;
    e.delta_pic_order_cnt0 = 0;
    e.delta_pic_order_cnt1 = 0;
    if sps.max_num_ref_frames < 2 {
        e.flags &= !ENCODE_FLAG_LONG_TERM_REFERENCE;
    }
    Ok(())
}

/// Builds and constrains the state of one picture into `out`. On error
/// `out` holds a partial state.
pub fn build(
    out: &mut State,
    stream: &StreamInfo,
    sps: &Sps,
    pps: &Pps,
    encode: &EncodeParams,
    controls: &Controls,
) -> Result<(), StateError> {
    out.sps = SeqParams::from_sps(sps);
    constrain_sps(stream, &mut out.sps)?;
    out.pps = *pps;
    constrain_pps(&out.sps, &mut out.pps)?;
    out.encode = *encode;
    constrain_encode(&out.sps, &out.pps, &mut out.encode)?;
    let (num, den) = stream.timeperframe;
    out.vui = Vui {
        aspect: aspect_ratio(&controls.stream),
        signal: video_signal(&stream.colorimetry),
        timing: timing(num, den),
        max_dec_frame_buffering: u32::from(out.sps.max_num_ref_frames),
    };
    out.crop = crop_offsets(stream);
    Ok(())
}
