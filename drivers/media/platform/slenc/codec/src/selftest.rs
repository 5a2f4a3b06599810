// SPDX-License-Identifier: GPL-2.0
//! Self tests that need neither `std` nor allocation, written as plain
//! functions so they run both as `cargo test` and as KUnit cases
//! (`slenc_codec_kunit`). Expected values are written out by hand (byte
//! offsets, Exp-Golomb fields read back with a reader of this file, rule
//! tables), not computed with the code under test.

use crate::backend::Caps;
use crate::controls::{self as ctl, BitrateMode, Controls};
use crate::dpb::{Dpb, DpbError};
use crate::engine::{EngineError, H264Engine};
use crate::headers::{write_pps, write_slice_header, write_sps, SliceHeader};
use crate::layout::{self, InputFormat, Rect};
use crate::rc::{cq_qp, qp_range, Kind, RateControl};
use crate::state::{self, SeqParams, State, StateError, StreamInfo};
use crate::uapi::*;
use crate::vui::{self, Colorimetry, VideoSignal, Vui};
use h264::bitstream::BitWriter;

/// A self test: returns `Err(reason)` on failure.
pub type SelfTest = fn() -> Result<(), &'static str>;

/// All self tests with their names (the engine test, which needs caller
/// buffers, is [`engine_rules`]).
pub const ALL: &[(&str, SelfTest)] = &[
    ("encode_params_layout", encode_params_layout),
    ("encode_params_validation", encode_params_validation),
    ("sps_pps_payloads", sps_pps_payloads),
    ("sps_syntax", sps_syntax),
    ("pps_slice_syntax", pps_slice_syntax),
    ("state_constraints", state_constraints),
    ("dpb_sliding_window", dpb_sliding_window),
    ("rate_control_modes", rate_control_modes),
    ("layout_arithmetic", layout_arithmetic),
    ("vui_mapping", vui_mapping),
    ("controls_table", controls_table),
];

fn check(c: bool, msg: &'static str) -> Result<(), &'static str> {
    if c {
        Ok(())
    } else {
        Err(msg)
    }
}

/// Reads an RBSP back: start code and NAL header skipped, emulation
/// prevention bytes dropped.
struct Reader {
    buf: [u8; 256],
    len: usize,
    pos: usize,
    nal: u8,
}

impl Reader {
    fn new(nal: &[u8]) -> Option<Self> {
        let body = nal.strip_prefix(&[0, 0, 0, 1])?;
        let (&hdr, body) = body.split_first()?;
        let mut r = Reader {
            buf: [0; 256],
            len: 0,
            pos: 0,
            nal: hdr,
        };
        let mut zeros = 0;
        for &b in body {
            if zeros >= 2 && b == 3 {
                zeros = 0;
                continue;
            }
            zeros = if b == 0 { zeros + 1 } else { 0 };
            *r.buf.get_mut(r.len)? = b;
            r.len += 1;
        }
        Some(r)
    }

    fn bit(&mut self) -> u32 {
        let b = self.buf.get(self.pos / 8).copied().unwrap_or(0);
        self.pos += 1;
        u32::from(b >> (7 - (self.pos - 1) % 8)) & 1
    }

    fn u(&mut self, n: u32) -> u32 {
        (0..n).fold(0, |v, _| (v << 1) | self.bit())
    }

    fn ue(&mut self) -> u32 {
        let mut z = 0;
        while self.bit() == 0 && z < 32 {
            z += 1;
        }
        ((1u64 << z) - 1 + u64::from(self.u(z))) as u32
    }

    fn se(&mut self) -> i32 {
        let k = self.ue();
        if k & 1 == 1 {
            k.div_ceil(2) as i32
        } else {
            -((k / 2) as i32)
        }
    }

    /// At the rbsp_stop_one_bit, with only alignment zeros after it.
    fn at_trailing_bits(&mut self) -> bool {
        if self.bit() != 1 {
            return false;
        }
        while !self.pos.is_multiple_of(8) {
            if self.bit() != 0 {
                return false;
            }
        }
        self.pos / 8 == self.len
    }
}

/// The byte layout of `struct v4l2_ctrl_h264_encode_params` as posted.
pub fn encode_params_layout() -> Result<(), &'static str> {
    let mut b = [0u8; 44];
    b[0] = 2; // nal_ref_idc
    b[1] = SLICE_TYPE_P; // slice_type
    b[2] = 7; // pic_parameter_set_id
    b[3] = 1; // colour_plane_id
    b[4..6].copy_from_slice(&0x1234u16.to_ne_bytes()); // frame_num
    b[6..8].copy_from_slice(&0x0102u16.to_ne_bytes()); // idr_pic_id
    b[8..10].copy_from_slice(&0x0a0bu16.to_ne_bytes()); // pic_order_cnt_lsb
    b[10] = 0xee; // reserved0
    b[12..16].copy_from_slice(&(-5i32).to_ne_bytes());
    b[16..20].copy_from_slice(&6i32.to_ne_bytes());
    b[20..24].copy_from_slice(&(-7i32).to_ne_bytes());
    b[24] = 3; // num_ref_idx_l0_active_minus1
    b[25] = 4;
    b[26] = 2; // cabac_init_idc
    b[27] = (-9i8) as u8; // slice_qp_delta
    b[28] = 1; // disable_deblocking_filter_idc
    b[29] = (-6i8) as u8;
    b[30] = 6;
    b[31] = 0x11; // reserved1[0]
    b[36] = 0x16; // reserved1[5]
    b[37] = 0x99; // padding
    b[40..44].copy_from_slice(&0x41u32.to_ne_bytes()); // flags
    let p = EncodeParams::from_bytes(&b);
    check(EncodeParams::SIZE == 44, "size")?;
    check(
        p.nal_ref_idc == 2 && p.slice_type == SLICE_TYPE_P,
        "first bytes",
    )?;
    check(p.pic_parameter_set_id == 7 && p.colour_plane_id == 1, "ids")?;
    check(
        p.frame_num == 0x1234 && p.idr_pic_id == 0x0102,
        "u16 fields",
    )?;
    check(
        p.pic_order_cnt_lsb == 0x0a0b && p.reserved0 == [0xee, 0],
        "poc lsb",
    )?;
    check(
        p.delta_pic_order_cnt_bottom == -5
            && p.delta_pic_order_cnt0 == 6
            && p.delta_pic_order_cnt1 == -7,
        "s32 fields",
    )?;
    check(
        p.num_ref_idx_l0_active_minus1 == 3 && p.num_ref_idx_l1_active_minus1 == 4,
        "ref idx",
    )?;
    check(
        p.cabac_init_idc == 2 && p.slice_qp_delta == -9,
        "cabac, qp delta",
    )?;
    check(p.disable_deblocking_filter_idc == 1, "deblocking idc")?;
    check(
        p.slice_alpha_c0_offset_div2 == -6 && p.slice_beta_offset_div2 == 6,
        "offsets",
    )?;
    check(p.reserved1 == [0x11, 0, 0, 0, 0, 0x16], "reserved1")?;
    check(p.padding == [0x99, 0, 0], "padding")?;
    check(p.flags == 0x41, "flags at 40")?;
    check(p.to_bytes() == b, "round trip")?;
    check(
        CID_STATELESS_H264_ENCODE_PARAMS == 0x00a4_0908,
        "control ID",
    )?;
    check(CTRL_TYPE_H264_ENCODE_PARAMS == 0x0206, "control type")
}

/// The validation rules of the proposal, and the stricter ones.
pub fn encode_params_validation() -> Result<(), &'static str> {
    let idr = || {
        let mut p = EncodeParams::ZERO;
        p.slice_type = SLICE_TYPE_I;
        p.flags = ENCODE_FLAG_IDR_PIC;
        p.nal_ref_idc = 1;
        p
    };
    // IDR pictures: frame_num and POC fields cleared, idr_pic_id kept,
    // long-term kept with nal_ref_idc != 0, reserved and padding cleared.
    let mut p = idr();
    p.frame_num = 9;
    p.pic_order_cnt_lsb = 3;
    p.delta_pic_order_cnt_bottom = 1;
    p.delta_pic_order_cnt0 = 2;
    p.delta_pic_order_cnt1 = 3;
    p.idr_pic_id = 5;
    p.flags |= ENCODE_FLAG_LONG_TERM_REFERENCE | ENCODE_FLAG_DIRECT_SPATIAL_MV_PRED;
    p.num_ref_idx_l0_active_minus1 = 4;
    p.num_ref_idx_l1_active_minus1 = 4;
    p.reserved0 = [1, 2];
    p.reserved1 = [3; 6];
    p.padding = [4; 3];
    check(validate_encode_params(&mut p).is_ok(), "valid IDR refused")?;
    check(
        p.frame_num == 0 && p.pic_order_cnt_lsb == 0,
        "IDR frame_num/POC",
    )?;
    check(
        p.delta_pic_order_cnt_bottom == 0 && p.delta_pic_order_cnt0 == 0,
        "IDR POC deltas",
    )?;
    check(
        p.delta_pic_order_cnt1 == 0 && p.idr_pic_id == 5,
        "IDR id kept",
    )?;
    check(
        p.flags == ENCODE_FLAG_IDR_PIC | ENCODE_FLAG_LONG_TERM_REFERENCE,
        "IDR flags",
    )?;
    check(
        p.num_ref_idx_l0_active_minus1 == 0 && p.num_ref_idx_l1_active_minus1 == 0,
        "I ref idx",
    )?;
    check(
        p.reserved0 == [0; 2] && p.reserved1 == [0; 6] && p.padding == [0; 3],
        "reserved",
    )?;
    // Long-term needs nal_ref_idc != 0.
    let mut p = idr();
    p.nal_ref_idc = 0;
    p.flags |= ENCODE_FLAG_LONG_TERM_REFERENCE;
    check(validate_encode_params(&mut p).is_ok(), "IDR ref 0")?;
    check(
        p.flags == ENCODE_FLAG_IDR_PIC,
        "long-term without reference",
    )?;
    // Non-IDR: idr_pic_id cleared, long-term cleared, POC kept.
    let mut p = EncodeParams::ZERO;
    p.slice_type = SLICE_TYPE_P;
    p.nal_ref_idc = 2;
    p.idr_pic_id = 3;
    p.frame_num = 4;
    p.pic_order_cnt_lsb = 8;
    p.num_ref_idx_l0_active_minus1 = 31;
    p.num_ref_idx_l1_active_minus1 = 2;
    p.flags = ENCODE_FLAG_LONG_TERM_REFERENCE;
    check(validate_encode_params(&mut p).is_ok(), "valid P refused")?;
    check(p.idr_pic_id == 0 && p.flags == 0, "P idr id / flags")?;
    check(p.frame_num == 4 && p.pic_order_cnt_lsb == 8, "P kept")?;
    check(
        p.num_ref_idx_l0_active_minus1 == 31 && p.num_ref_idx_l1_active_minus1 == 0,
        "P ref idx",
    )?;
    // B keeps direct_spatial and l1.
    let mut p = EncodeParams::ZERO;
    p.slice_type = SLICE_TYPE_B;
    p.flags = ENCODE_FLAG_DIRECT_SPATIAL_MV_PRED;
    p.num_ref_idx_l1_active_minus1 = 1;
    check(validate_encode_params(&mut p).is_ok(), "B refused")?;
    check(
        p.flags == ENCODE_FLAG_DIRECT_SPATIAL_MV_PRED && p.num_ref_idx_l1_active_minus1 == 1,
        "B kept",
    )?;
    // Refusals, one field at a time.
    type Case = (fn(&mut EncodeParams), Invalid);
    const BAD: [Case; 11] = [
        (|p| p.slice_type = SLICE_TYPE_P, Invalid::IdrNotIntra),
        (|p| p.colour_plane_id = 3, Invalid::ColourPlaneId),
        (|p| p.cabac_init_idc = 3, Invalid::CabacInitIdc),
        (
            |p| p.disable_deblocking_filter_idc = 3,
            Invalid::DeblockingFilterIdc,
        ),
        (|p| p.slice_alpha_c0_offset_div2 = 7, Invalid::AlphaOffset),
        (|p| p.slice_alpha_c0_offset_div2 = -7, Invalid::AlphaOffset),
        (|p| p.slice_beta_offset_div2 = -7, Invalid::BetaOffset),
        (|p| p.flags |= 0x80, Invalid::UnknownFlags),
        (|p| p.slice_type = 5, Invalid::SliceType),
        (|p| p.nal_ref_idc = 4, Invalid::NalRefIdc),
        (
            |p| {
                p.flags = 0;
                p.slice_type = SLICE_TYPE_B;
                p.num_ref_idx_l1_active_minus1 = 32;
            },
            Invalid::NumRefIdx,
        ),
    ];
    for (f, why) in BAD {
        let mut p = idr();
        f(&mut p);
        check(validate_encode_params(&mut p) == Err(why), "refusal")?;
    }
    // In place on the payload bytes.
    let mut b = idr().to_bytes();
    b[38] = 0x55; // padding
    b[4] = 1; // frame_num of an IDR picture
    check(validate_encode_params_bytes(&mut b).is_ok(), "bytes")?;
    check(b[38] == 0 && b[4] == 0, "bytes normalised")
}

/// SPS and PPS payload offsets of Linux 7.2.
pub fn sps_pps_payloads() -> Result<(), &'static str> {
    let mut b = [0u8; 1048];
    b[0] = 100;
    b[1] = 0x3;
    b[10] = 2; // max_num_ref_frames
    b[12..16].copy_from_slice(&(-3i32).to_ne_bytes()); // offset_for_ref_frame[0]
    b[1028..1032].copy_from_slice(&9i32.to_ne_bytes()); // offset_for_ref_frame[254]
    b[1040..1042].copy_from_slice(&79u16.to_ne_bytes());
    b[1042..1044].copy_from_slice(&44u16.to_ne_bytes());
    b[1044..1048].copy_from_slice(&0x50u32.to_ne_bytes());
    let s = Sps::from_bytes(&b);
    check(
        s.profile_idc == 100 && s.constraint_set_flags == 3,
        "sps head",
    )?;
    check(s.max_num_ref_frames == 2, "refs")?;
    check(
        s.offset_for_ref_frame[0] == -3 && s.offset_for_ref_frame[254] == 9,
        "offsets",
    )?;
    check(
        s.pic_width_in_mbs_minus1 == 79 && s.pic_height_in_map_units_minus1 == 44,
        "size",
    )?;
    check(
        s.flags == 0x50 && s.to_bytes() == b,
        "sps flags, round trip",
    )?;
    let mut p = [0u8; 12];
    p[6] = (-4i8) as u8;
    p[8] = 3;
    p[9] = (-2i8) as u8;
    p[10..12].copy_from_slice(&0x0009u16.to_ne_bytes());
    let q = Pps::from_bytes(&p);
    check(
        q.pic_init_qp_minus26 == -4 && q.chroma_qp_index_offset == 3,
        "pps",
    )?;
    check(
        q.second_chroma_qp_index_offset == -2 && q.flags == 9,
        "pps tail",
    )?;
    check(q.to_bytes() == p, "pps round trip")
}

fn seq_1280x720() -> SeqParams {
    SeqParams {
        profile_idc: 66,
        constraint_set_flags: 0x3,
        level_idc: 31,
        seq_parameter_set_id: 1,
        chroma_format_idc: 1,
        log2_max_frame_num_minus4: 12,
        pic_order_cnt_type: 0,
        log2_max_pic_order_cnt_lsb_minus4: 2,
        max_num_ref_frames: 1,
        pic_width_in_mbs_minus1: 79,
        pic_height_in_map_units_minus1: 44,
        flags: SPS_FLAG_FRAME_MBS_ONLY | SPS_FLAG_DIRECT_8X8_INFERENCE,
        ..SeqParams::default()
    }
}

/// An SPS read back field by field.
pub fn sps_syntax() -> Result<(), &'static str> {
    let vui = Vui {
        aspect: Some((255, 4, 3)),
        signal: Some(VideoSignal {
            video_format: 5,
            full_range: true,
            colour: Some((1, 13, 6)),
        }),
        timing: Some((1001, 60000)),
        max_dec_frame_buffering: 1,
    };
    let mut out = [0u8; 128];
    let mut bw = BitWriter::new(&mut out);
    write_sps(&mut bw, &seq_1280x720(), Some((1, 2, 3, 4)), &vui);
    let n = bw.byte_len();
    let mut r = Reader::new(out.get(..n).ok_or("len")?).ok_or("nal")?;
    check(r.nal == 0x67, "nal header")?;
    check(r.u(8) == 66, "profile")?;
    check(r.u(8) == 0xc0, "constraint flags")?;
    check(r.u(8) == 31, "level")?;
    check(r.ue() == 1, "sps id")?;
    check(r.ue() == 12, "log2_max_frame_num_minus4")?;
    check(r.ue() == 0, "poc type")?;
    check(r.ue() == 2, "log2_max_poc_lsb_minus4")?;
    check(r.ue() == 1, "max_num_ref_frames")?;
    check(r.u(1) == 0, "gaps")?;
    check(r.ue() == 79 && r.ue() == 44, "size in mbs")?;
    check(r.u(1) == 1 && r.u(1) == 1, "frame_mbs_only, direct_8x8")?;
    check(r.u(1) == 1, "cropping flag")?;
    check(
        r.ue() == 1 && r.ue() == 2 && r.ue() == 3 && r.ue() == 4,
        "crop",
    )?;
    check(r.u(1) == 1, "vui present")?;
    check(r.u(1) == 1 && r.u(8) == 255, "aspect idc")?;
    check(r.u(16) == 4 && r.u(16) == 3, "sar")?;
    check(r.u(1) == 0, "overscan")?;
    check(r.u(1) == 1 && r.u(3) == 5 && r.u(1) == 1, "signal type")?;
    check(
        r.u(1) == 1 && r.u(8) == 1 && r.u(8) == 13 && r.u(8) == 6,
        "colour",
    )?;
    check(r.u(1) == 0, "chroma loc")?;
    check(r.u(1) == 1 && r.u(32) == 1001 && r.u(32) == 60000, "timing")?;
    check(r.u(1) == 1, "fixed frame rate")?;
    check(r.u(1) == 0 && r.u(1) == 0 && r.u(1) == 0, "hrd, pic_struct")?;
    check(r.u(1) == 1 && r.u(1) == 1, "bitstream restriction")?;
    check(r.ue() == 0 && r.ue() == 0, "denoms")?;
    check(r.ue() == 15 && r.ue() == 15, "mv lengths")?;
    check(r.ue() == 0 && r.ue() == 1, "reorder, dpb")?;
    check(r.at_trailing_bits(), "trailing bits")?;
    // A High profile SPS carries the chroma fields.
    let mut s = seq_1280x720();
    s.profile_idc = 100;
    let mut out = [0u8; 128];
    let mut bw = BitWriter::new(&mut out);
    write_sps(&mut bw, &s, None, &Vui::default());
    let n = bw.byte_len();
    let mut r = Reader::new(out.get(..n).ok_or("len")?).ok_or("nal")?;
    check(r.u(24) == (100 << 16) | (0xc0 << 8) | 31, "high head")?;
    check(r.ue() == 1, "high id")?;
    check(r.ue() == 1 && r.ue() == 0 && r.ue() == 0, "chroma, depths")?;
    check(r.u(1) == 0 && r.u(1) == 0, "bypass, scaling")?;
    check(r.ue() == 12, "high log2_max_frame_num")
}

/// A PPS and slice headers read back field by field.
pub fn pps_slice_syntax() -> Result<(), &'static str> {
    let pps = Pps {
        pic_parameter_set_id: 2,
        seq_parameter_set_id: 1,
        pic_init_qp_minus26: -3,
        chroma_qp_index_offset: 4,
        second_chroma_qp_index_offset: 4,
        flags: PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT,
        ..Pps::default()
    };
    let mut out = [0u8; 64];
    let mut bw = BitWriter::new(&mut out);
    write_pps(&mut bw, &pps, 66);
    let n = bw.byte_len();
    let mut r = Reader::new(out.get(..n).ok_or("len")?).ok_or("nal")?;
    check(r.nal == 0x68, "pps nal")?;
    check(r.ue() == 2 && r.ue() == 1, "ids")?;
    check(r.u(1) == 0 && r.u(1) == 0, "cavlc, bottom field poc")?;
    check(r.ue() == 0 && r.ue() == 0 && r.ue() == 0, "groups, refs")?;
    check(r.u(1) == 0 && r.u(2) == 0, "weighted")?;
    check(r.se() == -3 && r.se() == 0 && r.se() == 4, "qp fields")?;
    check(r.u(1) == 1 && r.u(1) == 0 && r.u(1) == 0, "pps flags")?;
    check(r.at_trailing_bits(), "no extension for baseline")?;
    // P slice, non-reference... then IDR with long-term.
    let seq = seq_1280x720();
    let mut e = EncodeParams::ZERO;
    e.slice_type = SLICE_TYPE_P;
    e.nal_ref_idc = 2;
    e.pic_parameter_set_id = 2;
    e.frame_num = 0x1abc;
    e.pic_order_cnt_lsb = 37;
    e.slice_qp_delta = -5;
    e.disable_deblocking_filter_idc = 0;
    e.slice_alpha_c0_offset_div2 = -2;
    e.slice_beta_offset_div2 = 5;
    let mut out = [0u8; 64];
    let mut bw = BitWriter::new(&mut out);
    write_slice_header(&mut bw, &SliceHeader::new(&seq, &pps, &e));
    bw.put(1, 1);
    bw.end_nal();
    let n = bw.byte_len();
    let mut r = Reader::new(out.get(..n).ok_or("len")?).ok_or("nal")?;
    check(r.nal == 0x41, "P nal header")?;
    check(
        r.ue() == 0 && r.ue() == 0 && r.ue() == 2,
        "first mb, P, pps",
    )?;
    check(r.u(16) == 0x1abc, "frame_num (16 bits)")?;
    check(r.u(6) == 37, "poc lsb (6 bits)")?;
    check(r.u(1) == 0 && r.u(1) == 0, "override, reordering")?;
    check(r.u(1) == 0, "adaptive marking")?;
    check(r.se() == -5, "qp delta")?;
    check(r.ue() == 0 && r.se() == -2 && r.se() == 5, "deblocking")?;
    check(r.u(1) == 1 && r.at_trailing_bits(), "end")?;
    let mut e = EncodeParams::ZERO;
    e.slice_type = SLICE_TYPE_I;
    e.nal_ref_idc = 3;
    e.flags = ENCODE_FLAG_IDR_PIC | ENCODE_FLAG_LONG_TERM_REFERENCE;
    e.pic_parameter_set_id = 2;
    e.idr_pic_id = 6;
    e.disable_deblocking_filter_idc = 1;
    let mut out = [0u8; 64];
    let mut bw = BitWriter::new(&mut out);
    write_slice_header(&mut bw, &SliceHeader::new(&seq, &pps, &e));
    bw.end_nal();
    let n = bw.byte_len();
    let mut r = Reader::new(out.get(..n).ok_or("len")?).ok_or("nal")?;
    check(r.nal == 0x65, "IDR nal header")?;
    check(
        r.ue() == 0 && r.ue() == 2 && r.ue() == 2,
        "first mb, I, pps",
    )?;
    check(
        r.u(16) == 0 && r.ue() == 6 && r.u(6) == 0,
        "frame_num, idr id, poc",
    )?;
    check(r.u(1) == 0 && r.u(1) == 1, "no_output, long-term")?;
    check(r.se() == 0 && r.ue() == 1, "qp, deblocking off")?;
    check(r.at_trailing_bits(), "IDR end")
}

fn stream(w: u32, h: u32) -> StreamInfo {
    StreamInfo::new(layout::try_output(InputFormat::Nv12, w, h, [0; 3]))
}

/// Adaptations and refusals of the state.
pub fn state_constraints() -> Result<(), &'static str> {
    let s = stream(1280, 720);
    let mut sps = Sps::ZERO;
    sps.profile_idc = 77;
    sps.max_num_ref_frames = 9;
    sps.flags = SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD | SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED;
    sps.pic_width_in_mbs_minus1 = 3; // replaced by the format's
    let pps = Pps {
        pic_parameter_set_id: 3,
        seq_parameter_set_id: 9,
        num_ref_idx_l0_default_active_minus1: 5,
        weighted_bipred_idc: 2,
        pic_init_qs_minus26: 4,
        chroma_qp_index_offset: -2,
        flags: 0xff,
        ..Pps::default()
    };
    let mut e = EncodeParams::ZERO;
    e.slice_type = SLICE_TYPE_I;
    e.flags = ENCODE_FLAG_IDR_PIC | ENCODE_FLAG_LONG_TERM_REFERENCE;
    e.nal_ref_idc = 1;
    e.cabac_init_idc = 2;
    e.pic_parameter_set_id = 7;
    let c = Controls::default();
    let mut st = State::EMPTY;
    state::build(&mut st, &s, &sps, &pps, &e, &c).map_err(|_| "build")?;
    check(st.sps.max_num_ref_frames == 2, "refs clamped")?;
    check(
        st.sps.pic_width_in_mbs_minus1 == 79 && st.sps.pic_height_in_map_units_minus1 == 44,
        "size",
    )?;
    check(
        st.sps.flags
            == SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED
                | SPS_FLAG_FRAME_MBS_ONLY
                | SPS_FLAG_DIRECT_8X8_INFERENCE,
        "sps flags",
    )?;
    check(st.pps.seq_parameter_set_id == 0, "pps sps id")?;
    check(
        st.pps.flags == PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT,
        "pps flags",
    )?;
    check(
        st.pps.num_ref_idx_l0_default_active_minus1 == 0 && st.pps.weighted_bipred_idc == 0,
        "pps refs",
    )?;
    check(
        st.pps.pic_init_qs_minus26 == 0 && st.pps.second_chroma_qp_index_offset == -2,
        "pps qs, second offset",
    )?;
    check(
        st.encode.pic_parameter_set_id == 3 && st.encode.cabac_init_idc == 0,
        "ids",
    )?;
    check(
        st.encode.flags == ENCODE_FLAG_IDR_PIC | ENCODE_FLAG_LONG_TERM_REFERENCE,
        "long-term kept with 2 refs",
    )?;
    check(
        st.crop.is_none(),
        "720 lines: 45 macroblock rows, no cropping",
    )?;
    check(st.vui.timing == Some((1, 60)), "30 fps")?;
    // SI becomes I, SP becomes P (non-IDR: IDR must be I already).
    let mut si = EncodeParams::ZERO;
    si.slice_type = SLICE_TYPE_SI;
    si.nal_ref_idc = 1;
    state::build(&mut st, &s, &sps, &pps, &si, &c).map_err(|_| "si")?;
    check(st.encode.slice_type == SLICE_TYPE_I, "SI becomes I")?;
    si.slice_type = SLICE_TYPE_SP;
    state::build(&mut st, &s, &sps, &pps, &si, &c).map_err(|_| "sp")?;
    check(st.encode.slice_type == SLICE_TYPE_P, "SP becomes P")?;
    si.flags = ENCODE_FLAG_IDR_PIC;
    let r = state::build(&mut st, &s, &sps, &pps, &si, &c);
    check(
        r == Err(StateError::Control(Invalid::IdrNotIntra)),
        "IDR SP refused by the control validation",
    )?;
    // Refusals.
    let mut bad = sps;
    bad.pic_order_cnt_type = 2;
    let r = state::build(&mut st, &s, &bad, &pps, &e, &c);
    check(r == Err(StateError::PocType), "poc type 2")?;
    let mut b = e;
    b.slice_type = SLICE_TYPE_B;
    b.flags = 0;
    let r = state::build(&mut st, &s, &sps, &pps, &b, &c);
    check(r == Err(StateError::Bipred), "B")?;
    let mut b = e;
    b.nal_ref_idc = 0;
    let r = state::build(&mut st, &s, &sps, &pps, &b, &c);
    check(r == Err(StateError::IdrNotReference), "IDR nal_ref_idc 0")?;
    let mut small = sps;
    small.log2_max_frame_num_minus4 = 0;
    small.max_num_ref_frames = 1;
    let mut b = EncodeParams::ZERO;
    b.slice_type = SLICE_TYPE_P;
    b.nal_ref_idc = 1;
    b.frame_num = 16;
    let r = state::build(&mut st, &s, &small, &pps, &b, &c);
    check(
        r == Err(StateError::FrameNumRange),
        "frame_num 16 in 4 bits",
    )?;
    b.frame_num = 15;
    b.pic_order_cnt_lsb = 16;
    let r = state::build(&mut st, &s, &small, &pps, &b, &c);
    check(r == Err(StateError::PocLsbRange), "poc lsb 16 in 4 bits")?;
    small.max_num_ref_frames = 0;
    b.pic_order_cnt_lsb = 2;
    let r = state::build(&mut st, &s, &small, &pps, &b, &c);
    check(r == Err(StateError::NoReferenceAllowed), "P without refs")?;
    let mut e1 = e;
    let mut one = sps;
    one.max_num_ref_frames = 1;
    e1.slice_type = SLICE_TYPE_I;
    state::build(&mut st, &s, &one, &pps, &e1, &c).map_err(|_| "one ref")?;
    check(
        st.encode.flags == ENCODE_FLAG_IDR_PIC,
        "long-term needs 2 refs",
    )?;
    let mut pp = pps;
    pp.chroma_qp_index_offset = 13;
    let r = state::build(&mut st, &s, &sps, &pp, &e, &c);
    check(r == Err(StateError::PpsRange), "chroma offset 13")
}

fn pic(st: &mut State, idr: bool, nal_ref_idc: u8, frame_num: u16, poc: u16) {
    st.encode = EncodeParams::ZERO;
    st.encode.slice_type = if idr { SLICE_TYPE_I } else { SLICE_TYPE_P };
    st.encode.flags = if idr { ENCODE_FLAG_IDR_PIC } else { 0 };
    st.encode.nal_ref_idc = nal_ref_idc;
    st.encode.frame_num = frame_num;
    st.encode.pic_order_cnt_lsb = poc;
}

/// Sliding window marking, reference choice, order checks.
pub fn dpb_sliding_window() -> Result<(), &'static str> {
    let mut st = State::EMPTY;
    st.sps.log2_max_frame_num_minus4 = 0; // MaxFrameNum 16
    st.sps.log2_max_pic_order_cnt_lsb_minus4 = 0; // MaxPicOrderCntLsb 16
    st.sps.max_num_ref_frames = 2;
    let mut d = Dpb::new();
    pic(&mut st, false, 1, 1, 2);
    check(d.plan(&st) == Err(DpbError::NoReference), "P first")?;
    pic(&mut st, true, 1, 0, 0);
    let p0 = d.plan(&st).map_err(|_| "idr")?;
    check(p0.recon_slot == 0 && p0.reference.is_none(), "idr plan")?;
    d.commit(&st, &p0);
    // P1 references the IDR picture, goes to slot 1.
    pic(&mut st, false, 2, 1, 2);
    let p1 = d.plan(&st).map_err(|_| "p1")?;
    check(p1.recon_slot == 1, "p1 slot")?;
    check(p1.reference.map(|r| r.slot) == Some(0), "p1 ref")?;
    d.commit(&st, &p1);
    // A non-reference picture: frame_num 2, references P1.
    pic(&mut st, false, 0, 2, 4);
    let pn = d.plan(&st).map_err(|_| "pn")?;
    check(pn.reference.map(|r| r.slot) == Some(1), "pn ref")?;
    check(pn.recon_slot == 2, "pn slot")?;
    d.commit(&st, &pn);
    check(d.refs().count() == 2, "non-ref not kept")?;
    // frame_num must still be 2 (PrevRefFrameNum 1 + 1).
    pic(&mut st, false, 2, 3, 6);
    check(d.plan(&st) == Err(DpbError::FrameNumGap), "gap")?;
    pic(&mut st, false, 2, 2, 4);
    check(d.plan(&st) == Err(DpbError::PocOrder), "poc not increasing")?;
    // P2 evicts the IDR picture (smallest FrameNumWrap).
    pic(&mut st, false, 2, 2, 6);
    let p2 = d.plan(&st).map_err(|_| "p2")?;
    check(p2.reference.map(|r| r.slot) == Some(1), "p2 ref")?;
    check(p2.recon_slot == 2, "p2 slot")?;
    d.commit(&st, &p2);
    let slots = d.refs().fold(0u8, |m, r| m | (1 << r.slot));
    check(slots == 0b110, "window after p2")?;
    // frame_num wraps: 15 -> 0 keeps the newest.
    let mut fnum = 2u16;
    let mut poc = 6u16;
    for _ in 0..14 {
        fnum = (fnum + 1) % 16;
        poc = (poc + 2) % 16;
        pic(&mut st, false, 2, fnum, poc);
        let p = d.plan(&st).map_err(|_| "wrap")?;
        d.commit(&st, &p);
    }
    check(fnum == 0, "wrapped")?;
    pic(&mut st, false, 2, 1, (poc + 2) % 16);
    let p = d.plan(&st).map_err(|_| "after wrap")?;
    let newest = d.refs().find(|r| r.frame_num == 0).map(|r| r.slot);
    check(p.reference.map(|r| r.slot) == newest, "newest after wrap")?;
    // POC 6, then 15 pictures 2 apart, through two lsb wraps.
    check(p.poc == 36, "poc keeps increasing across lsb wraps")?;
    // A long-term IDR stays; P pictures reference the newest short-term.
    pic(&mut st, true, 1, 0, 0);
    st.encode.flags |= ENCODE_FLAG_LONG_TERM_REFERENCE;
    let pl = d.plan(&st).map_err(|_| "lt idr")?;
    d.commit(&st, &pl);
    check(d.refs().count() == 1, "idr flushes")?;
    pic(&mut st, false, 1, 1, 2);
    let pa = d.plan(&st).map_err(|_| "pa")?;
    check(
        pa.reference.map(|r| r.long_term) == Some(true),
        "only the long-term",
    )?;
    d.commit(&st, &pa);
    pic(&mut st, false, 1, 2, 4);
    let pb = d.plan(&st).map_err(|_| "pb")?;
    check(
        pb.reference.map(|r| r.slot) == Some(pa.recon_slot),
        "short-term first",
    )?;
    d.commit(&st, &pb);
    check(d.refs().any(|r| r.long_term), "long-term kept")?;
    check(d.refs().count() == 2, "two refs")
}

/// Direct QP, constant quality, QP limits, CBR step bound.
pub fn rate_control_modes() -> Result<(), &'static str> {
    let mut c = Controls::default();
    let set = |c: &mut Controls, id, v| c.set(id, v).map_err(|_| "set");
    set(&mut c, ctl::CID_MPEG_VIDEO_H264_I_FRAME_QP, 20)?;
    set(&mut c, ctl::CID_MPEG_VIDEO_H264_P_FRAME_QP, 40)?;
    set(&mut c, ctl::CID_MPEG_VIDEO_H264_MAX_QP, 35)?;
    set(&mut c, ctl::CID_MPEG_VIDEO_H264_I_FRAME_MIN_QP, 22)?;
    let mut rc = RateControl::new();
    let tpf = (1, 30);
    check(rc.decide(&c.rc, tpf, Kind::I, 100).qp == 22, "I min")?;
    check(rc.decide(&c.rc, tpf, Kind::P, 100).qp == 35, "P max")?;
    check(qp_range(&c.rc, Kind::I) == (22, 35), "I range")?;
    set(&mut c, ctl::CID_MPEG_VIDEO_H264_MIN_QP, 40)?;
    check(qp_range(&c.rc, Kind::P) == (35, 35), "empty range")?;
    check(
        cq_qp(100, Kind::I) == 10 && cq_qp(0, Kind::I) == 45,
        "cq ends",
    )?;
    check(
        cq_qp(80, Kind::I) == 17 && cq_qp(80, Kind::P) == 19,
        "cq 80",
    )?;
    let mut c = Controls::default();
    set(&mut c, ctl::CID_MPEG_VIDEO_FRAME_RC_ENABLE, 1)?;
    set(
        &mut c,
        ctl::CID_MPEG_VIDEO_BITRATE_MODE,
        BitrateMode::Cq as i32,
    )?;
    set(&mut c, ctl::CID_MPEG_VIDEO_CONSTANT_QUALITY, 100)?;
    check(rc.decide(&c.rc, tpf, Kind::P, 100).qp == 12, "cq P")?;
    // CBR: the QP moves at most 4 between P pictures, however far off the
    // size was.
    set(
        &mut c,
        ctl::CID_MPEG_VIDEO_BITRATE_MODE,
        BitrateMode::Cbr as i32,
    )?;
    set(&mut c, ctl::CID_MPEG_VIDEO_BITRATE, 1_000_000)?;
    let mut rc = RateControl::new();
    let d = rc.decide(&c.rc, tpf, Kind::I, 3600);
    rc.update(&c.rc, tpf, Kind::I, d.qp, 200_000);
    let p = rc.decide(&c.rc, tpf, Kind::P, 3600);
    rc.update(&c.rc, tpf, Kind::P, p.qp, 1_000_000);
    let q = rc.decide(&c.rc, tpf, Kind::P, 3600).qp;
    check(q > p.qp && q <= p.qp + 4, "bounded step up")?;
    // A budget of 1000000 / 30 bits for P pictures.
    check(p.target_bits > 8_000 && p.target_bits <= 66_666, "P target")
}

/// Plane arithmetic of the four layouts, crop rounding, CAPTURE size.
pub fn layout_arithmetic() -> Result<(), &'static str> {
    let f = layout::try_output(InputFormat::Nv12, 1919, 1081, [0; 3]);
    check(f.width == 1920 && f.height == 1082, "nv12 size")?;
    check(f.bytesperline[0] == 1920, "nv12 line")?;
    check(f.sizeimage[0] == 1920 * 1082 + 1920 * 541, "nv12 size")?;
    let f = layout::try_output(InputFormat::Yuv420, 100, 50, [0; 3]);
    check(f.bytesperline[0] == 112, "yuv420 line aligned")?;
    check(f.sizeimage[0] == 112 * 50 + 2 * 56 * 25, "yuv420 size")?;
    let v = layout::plane_views(&f);
    check(v[1].offset == 112 * 50 && v[1].stride == 56, "yuv420 cb")?;
    check(v[2].offset == 112 * 50 + 56 * 25, "yuv420 cr")?;
    let f = layout::try_output(InputFormat::Yuv420M, 64, 32, [100, 0, 40]);
    check(
        f.planes == 3 && f.bytesperline == [112, 32, 40],
        "yuv420m lines",
    )?;
    check(f.sizeimage == [112 * 32, 32 * 16, 40 * 16], "yuv420m sizes")?;
    let f = layout::try_output(InputFormat::Nv12M, 0, 0, [u32::MAX, 1, 0]);
    check(f.width == 16 && f.height == 16, "minimum size")?;
    check(f.bytesperline[0] == 4 * 4096, "line clamp")?;
    check(f.bytesperline[1] == 16, "nv12m chroma line")?;
    let r = layout::try_crop(
        640,
        360,
        Rect {
            left: 7,
            top: 700,
            width: 1000,
            height: 1,
        },
    );
    check(
        r == Rect {
            left: 6,
            top: 358,
            width: 634,
            height: 2,
        },
        "crop rounding",
    )?;
    check(
        layout::capture_min_size(1280, 720) == 3600 * 512 + 65536,
        "capture size",
    )?;
    let mut s = stream(1280, 720);
    s.crop = Rect {
        left: 2,
        top: 4,
        width: 1274,
        height: 714,
    };
    check(
        state::crop_offsets(&s) == Some((1, 2, 2, 1)),
        "crop offsets",
    )?;
    let s = stream(640, 360);
    check(
        state::crop_offsets(&s) == Some((0, 0, 0, 4)),
        "360 lines coded as 368",
    )
}

/// Colorimetry to VUI codes (H.264 Tables E-3 to E-5), SAR, timing.
pub fn vui_mapping() -> Result<(), &'static str> {
    let cm = |cs, x, e, q| Colorimetry {
        colorspace: cs,
        xfer_func: x,
        ycbcr_enc: e,
        quantization: q,
    };
    check(
        vui::video_signal(&Colorimetry::default()).is_none(),
        "default",
    )?;
    let s = vui::video_signal(&cm(vui::COLORSPACE_SMPTE170M, 0, 0, 0)).ok_or("170m")?;
    check(s.colour == Some((6, 6, 6)) && !s.full_range, "smpte170m")?;
    let s = vui::video_signal(&cm(vui::COLORSPACE_SRGB, 0, 0, 0)).ok_or("srgb")?;
    check(s.colour == Some((1, 13, 5)), "srgb: sYCC is the 601 matrix")?;
    let s = vui::video_signal(&cm(vui::COLORSPACE_JPEG, 0, 0, 0)).ok_or("jpeg")?;
    check(s.full_range && s.colour == Some((1, 13, 5)), "jpeg")?;
    let s = vui::video_signal(&cm(vui::COLORSPACE_BT2020, 0, 0, 0)).ok_or("2020")?;
    check(s.colour == Some((9, 14, 9)), "bt2020")?;
    let s = vui::video_signal(&cm(
        vui::COLORSPACE_BT2020,
        vui::XFER_FUNC_SMPTE2084,
        vui::YCBCR_ENC_BT2020_CONST_LUM,
        vui::QUANTIZATION_FULL_RANGE,
    ))
    .ok_or("pq")?;
    check(s.colour == Some((9, 16, 10)) && s.full_range, "bt2020 pq")?;
    let s = vui::video_signal(&cm(vui::COLORSPACE_470_SYSTEM_BG, 0, 0, 0)).ok_or("bg")?;
    check(s.colour == Some((5, 5, 5)), "470bg")?;
    let s = vui::video_signal(&cm(vui::COLORSPACE_DCI_P3, 0, 0, 0)).ok_or("p3")?;
    check(s.colour == Some((11, 17, 1)), "dci-p3")?;
    let s = vui::video_signal(&cm(vui::COLORSPACE_OPRGB, 0, 0, 0)).ok_or("oprgb")?;
    check(s.colour == Some((2, 4, 5)), "oprgb")?;
    let mut c = Controls::default();
    check(vui::aspect_ratio(&c.stream).is_none(), "sar off")?;
    c.set(ctl::CID_MPEG_VIDEO_H264_VUI_SAR_ENABLE, 1)
        .map_err(|_| "set")?;
    c.set(ctl::CID_MPEG_VIDEO_H264_VUI_SAR_IDC, 14)
        .map_err(|_| "set")?;
    check(vui::aspect_ratio(&c.stream) == Some((14, 0, 0)), "sar 4:3")?;
    c.set(ctl::CID_MPEG_VIDEO_H264_VUI_SAR_IDC, 17)
        .map_err(|_| "set")?;
    c.set(ctl::CID_MPEG_VIDEO_H264_VUI_EXT_SAR_WIDTH, 64)
        .map_err(|_| "set")?;
    c.set(ctl::CID_MPEG_VIDEO_H264_VUI_EXT_SAR_HEIGHT, 45)
        .map_err(|_| "set")?;
    check(
        vui::aspect_ratio(&c.stream) == Some((255, 64, 45)),
        "ext sar",
    )?;
    check(
        vui::timing(1001, 30000) == Some((1001, 60000)),
        "ntsc timing",
    )?;
    check(
        vui::timing(0, 30).is_none() && vui::timing(1, u32::MAX).is_none(),
        "no timing",
    )
}

/// Control IDs and the registration table.
pub fn controls_table() -> Result<(), &'static str> {
    check(
        ctl::CID_MPEG_VIDEO_BITRATE_MODE == 0x0099_09ce,
        "bitrate mode id",
    )?;
    check(
        ctl::CID_MPEG_VIDEO_FRAME_RC_ENABLE == 0x0099_09d7,
        "rc enable id",
    )?;
    check(
        ctl::CID_MPEG_VIDEO_H264_I_FRAME_QP == 0x0099_0a5e,
        "i qp id",
    )?;
    check(
        ctl::CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR == 0x0099_0b84,
        "prepend id",
    )?;
    check(ctl::CID_MPEG_VIDEO_CONSTANT_QUALITY == 0x0099_0b85, "cq id")?;
    check(
        CID_STATELESS_H264_START_CODE == 0x00a4_0901,
        "start code id",
    )?;
    let c = Controls::default();
    check(
        !c.rc.frame_rc_enable && c.rc.bitrate_mode == BitrateMode::Cbr,
        "defaults",
    )?;
    check(
        c.rc.i_qp == 24 && c.rc.p_qp == 28 && c.rc.max_qp == 51,
        "qp defaults",
    )?;
    check(
        c.rc.bitrate == 2_000_000 && c.rc.constant_quality == 80,
        "rate defaults",
    )?;
    let mut c = Controls::default();
    check(
        c.set(ctl::CID_MPEG_VIDEO_H264_MAX_QP, 52).is_err(),
        "out of range",
    )?;
    check(
        c.set(CID_STATELESS_H264_START_CODE, START_CODE_NONE)
            .is_err(),
        "annex b only",
    )?;
    check(c.set(0x0099_0000, 0).is_err(), "unknown id")?;
    for s in ctl::STATEFUL_CONTROLS {
        check(s.min <= s.def && s.def <= s.max, "default in range")?;
    }
    Ok(())
}

/// Caller-owned memory of [`engine_rules`] (about 2 KiB: an engine and a
/// CAPTURE buffer for the headers).
pub struct EngineBuffers {
    engine: H264Engine,
    out: [u8; 512],
}

impl EngineBuffers {
    /// Fresh buffers.
    pub const fn new() -> Self {
        EngineBuffers {
            engine: H264Engine::new(Caps {
                writes_slice_header: true,
                max_width: 4096,
                max_height: 4096,
            }),
            out: [0; 512],
        }
    }
}

impl Default for EngineBuffers {
    fn default() -> Self {
        Self::new()
    }
}

/// The engine's stream rules: start, first IDR, sequence changes, busy,
/// completions (without running a backend).
pub fn engine_rules(b: &mut EngineBuffers) -> Result<(), &'static str> {
    use crate::backend::{IrqStatus, JobFailure};
    let eng = &mut b.engine;
    let out = &mut b.out;
    let c = Controls::default();
    let mut sps = Sps::ZERO;
    sps.profile_idc = 66;
    sps.max_num_ref_frames = 1;
    let pps = Pps::default();
    let mut idr = EncodeParams::ZERO;
    idr.slice_type = SLICE_TYPE_I;
    idr.flags = ENCODE_FLAG_IDR_PIC;
    idr.nal_ref_idc = 1;
    let mut p = EncodeParams::ZERO;
    p.slice_type = SLICE_TYPE_P;
    p.nal_ref_idc = 1;
    p.frame_num = 1;
    p.pic_order_cnt_lsb = 2;
    let r = eng.prepare(&sps, &pps, &idr, &c, out);
    check(r.err() == Some(EngineError::NotStarted), "not started")?;
    let res = eng.start(&stream(64, 48));
    check(
        res.slots == 3 && res.recon_size == 12 * 384 && res.mb_count == 12,
        "resources",
    )?;
    let r = eng.prepare(&sps, &pps, &p, &c, out);
    check(r.err() == Some(EngineError::FirstNotIdr), "P first")?;
    let j = eng.prepare(&sps, &pps, &idr, &c, out).map_err(|_| "idr")?;
    check(j.desc.header_len > 8, "SPS and PPS written")?;
    check(out[4] == 0x67, "SPS first")?;
    let r = eng.prepare(&sps, &pps, &idr, &c, out);
    check(r.err() == Some(EngineError::Busy), "busy")?;
    // A failed job commits nothing: the P picture still has no reference
    // and the next picture must be an IDR picture again.
    let done = eng.complete(&j.desc, IrqStatus::Failed(JobFailure::Timeout), &c);
    check(
        done.failed == Some(JobFailure::Timeout) && done.bytesused == 0,
        "fail",
    )?;
    check(done.flags == crate::engine::BUF_FLAG_ERROR, "error flag")?;
    let r = eng.prepare(&sps, &pps, &p, &c, out);
    check(r.err() == Some(EngineError::FirstNotIdr), "P after failure")?;
    let j = eng
        .prepare(&sps, &pps, &idr, &c, out)
        .map_err(|_| "idr 2")?;
    let done = eng.complete(&j.desc, IrqStatus::Done { slice_bytes: 100 }, &c);
    check(done.bytesused == j.desc.header_len + 100, "bytesused")?;
    check(done.flags == crate::engine::BUF_FLAG_KEYFRAME, "keyframe")?;
    // A completion for another job is refused.
    let stale = j.desc;
    let j = eng.prepare(&sps, &pps, &p, &c, out).map_err(|_| "p")?;
    check(j.desc.header_len == 0, "no SPS for P")?;
    check(
        j.desc.ref_slot == Some(stale.recon_slot),
        "P references the IDR",
    )?;
    let done = eng.complete(&stale, IrqStatus::Done { slice_bytes: 1 }, &c);
    check(
        done.failed == Some(JobFailure::Cancelled),
        "stale completion",
    )?;
    let done = eng.complete(&j.desc, IrqStatus::Done { slice_bytes: 10 }, &c);
    check(done.flags == crate::engine::BUF_FLAG_PFRAME, "pframe")?;
    // A new SPS needs an IDR picture.
    let mut sps2 = sps;
    sps2.level_idc = 40;
    let mut p2 = p;
    p2.frame_num = 2;
    p2.pic_order_cnt_lsb = 4;
    let r = eng.prepare(&sps2, &pps, &p2, &c, out);
    check(
        r.err() == Some(EngineError::SequenceChangeWithoutIdr),
        "sps change on P",
    )?;
    // A PPS change is fine on any picture, and is written again.
    let mut pps2 = pps;
    pps2.chroma_qp_index_offset = 2;
    let j = eng
        .prepare(&sps, &pps2, &p2, &c, out)
        .map_err(|_| "pps change")?;
    check(j.desc.header_len > 0 && out[4] == 0x68, "PPS written")?;
    let (_, pps_a, enc_a) = eng.adapted();
    check(pps_a.second_chroma_qp_index_offset == 2, "adapted pps")?;
    check(enc_a.slice_qp_delta == 2, "adapted qp delta (P QP 28)")?;
    eng.stop();
    let done = eng.complete(&j.desc, IrqStatus::Done { slice_bytes: 1 }, &c);
    check(done.failed == Some(JobFailure::Cancelled), "after stop")?;
    // Headers that do not fit.
    eng.start(&stream(64, 48));
    let r = eng.prepare(&sps, &pps, &idr, &c, &mut out[..10]);
    check(r.err() == Some(EngineError::OutputTooSmall), "small output")?;
    eng.stop();
    Ok(())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::boxed::Box;

    fn run(name: &str) {
        let (_, f) = super::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .expect("no such self test");
        if let Err(e) = f() {
            panic!("selftest {name} failed: {e}");
        }
    }

    #[test]
    fn encode_params_layout() {
        run("encode_params_layout");
    }

    #[test]
    fn encode_params_validation() {
        run("encode_params_validation");
    }

    #[test]
    fn sps_pps_payloads() {
        run("sps_pps_payloads");
    }

    #[test]
    fn sps_syntax() {
        run("sps_syntax");
    }

    #[test]
    fn pps_slice_syntax() {
        run("pps_slice_syntax");
    }

    #[test]
    fn state_constraints() {
        run("state_constraints");
    }

    #[test]
    fn dpb_sliding_window() {
        run("dpb_sliding_window");
    }

    #[test]
    fn rate_control_modes() {
        run("rate_control_modes");
    }

    #[test]
    fn layout_arithmetic() {
        run("layout_arithmetic");
    }

    #[test]
    fn vui_mapping() {
        run("vui_mapping");
    }

    #[test]
    fn controls_table() {
        run("controls_table");
    }

    #[test]
    fn every_self_test_has_a_test() {
        assert_eq!(super::ALL.len(), 11);
    }

    #[test]
    fn engine_rules() {
        let mut b = Box::new(super::EngineBuffers::new());
        super::engine_rules(&mut b).unwrap();
        // Twice: the buffers need no cleaning between runs.
        super::engine_rules(&mut b).unwrap();
    }

    #[test]
    fn sizes() {
        // Small enough for the kernel: the engine lives in the context,
        // the rest may be on a stack.
        let e = core::mem::size_of::<crate::H264Engine>();
        let j = core::mem::size_of::<crate::engine::JobDesc>();
        let s = core::mem::size_of::<crate::state::State>();
        std::eprintln!("engine {e} job {j} state {s}");
        assert!(e <= 1536 && j <= 192 && s <= 128);
    }
}
