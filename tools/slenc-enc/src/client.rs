// SPDX-License-Identifier: GPL-2.0
//! What user space decides: the SPS and PPS, the picture types and the
//! ENCODE_PARAMS of every picture (the same choices as the proposal's
//! GStreamer element: pic_order_cnt_type 0, 16-bit frame_num, an IDR picture
//! every `gop` pictures, every picture a reference picture).

use slenc_codec::controls::{self as ctl, BitrateMode, Controls};
use slenc_codec::uapi::*;

/// Rate control choice of the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rc {
    /// Fixed QP per picture type.
    Qp(u8),
    /// Constant bitrate, bits/s.
    Cbr(u32),
    /// Variable bitrate, average and peak bits/s.
    Vbr(u32, u32),
    /// Constant quality 0..=100.
    Cq(u8),
}

/// The encoding session's parameters and counters.
pub struct Client {
    /// SPS control value.
    pub sps: Sps,
    /// PPS control value.
    pub pps: Pps,
    /// Stateful controls.
    pub controls: Controls,
    /// IDR period (0: first picture only).
    pub gop: u32,
    frame_num: u16,
    poc: u16,
    idr_pic_id: u16,
    n: u32,
}

impl Client {
    /// A Constrained Baseline stream of `width` x `height`.
    pub fn new(width: u32, height: u32, gop: u32, rc: Rc, aud: bool) -> Result<Self, String> {
        let mut sps = Sps::ZERO;
        sps.profile_idc = 66;
        sps.constraint_set_flags = 0x3;
        sps.level_idc = 40;
        sps.chroma_format_idc = 1;
        sps.max_num_ref_frames = 1;
        sps.log2_max_frame_num_minus4 = 12;
        sps.log2_max_pic_order_cnt_lsb_minus4 = 4;
        sps.pic_width_in_mbs_minus1 = (width.div_ceil(16) - 1) as u16;
        sps.pic_height_in_map_units_minus1 = (height.div_ceil(16) - 1) as u16;
        sps.flags = SPS_FLAG_FRAME_MBS_ONLY | SPS_FLAG_DIRECT_8X8_INFERENCE;
        let pps = Pps {
            flags: PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT,
            ..Pps::default()
        };
        let mut controls = Controls::default();
        let mut set = |id, v: u32| {
            controls
                .set(id, v as i32)
                .map_err(|_| format!("control {id:#x} value {v} out of range"))
        };
        set(ctl::CID_MPEG_VIDEO_AU_DELIMITER, aud as u32)?;
        match rc {
            Rc::Qp(q) => {
                set(ctl::CID_MPEG_VIDEO_H264_I_FRAME_QP, u32::from(q))?;
                set(ctl::CID_MPEG_VIDEO_H264_P_FRAME_QP, u32::from(q))?;
            }
            Rc::Cbr(b) => {
                set(ctl::CID_MPEG_VIDEO_FRAME_RC_ENABLE, 1)?;
                set(ctl::CID_MPEG_VIDEO_BITRATE_MODE, BitrateMode::Cbr as u32)?;
                set(ctl::CID_MPEG_VIDEO_BITRATE, b)?;
            }
            Rc::Vbr(b, p) => {
                set(ctl::CID_MPEG_VIDEO_FRAME_RC_ENABLE, 1)?;
                set(ctl::CID_MPEG_VIDEO_BITRATE_MODE, BitrateMode::Vbr as u32)?;
                set(ctl::CID_MPEG_VIDEO_BITRATE, b)?;
                set(ctl::CID_MPEG_VIDEO_BITRATE_PEAK, p)?;
            }
            Rc::Cq(q) => {
                set(ctl::CID_MPEG_VIDEO_FRAME_RC_ENABLE, 1)?;
                set(ctl::CID_MPEG_VIDEO_BITRATE_MODE, BitrateMode::Cq as u32)?;
                set(ctl::CID_MPEG_VIDEO_CONSTANT_QUALITY, u32::from(q))?;
            }
        }
        Ok(Client {
            sps,
            pps,
            controls,
            gop,
            frame_num: 0,
            poc: 0,
            idr_pic_id: 0,
            n: 0,
        })
    }

    /// ENCODE_PARAMS of the next picture.
    pub fn next_params(&mut self) -> EncodeParams {
        let mut e = EncodeParams::ZERO;
        let key = self.n == 0 || (self.gop > 0 && self.n.is_multiple_of(self.gop));
        let max_fn = 1u32 << (self.sps.log2_max_frame_num_minus4 + 4);
        let max_poc = 1u32 << (self.sps.log2_max_pic_order_cnt_lsb_minus4 + 4);
        if key {
            e.slice_type = SLICE_TYPE_I;
            e.flags = ENCODE_FLAG_IDR_PIC;
            e.idr_pic_id = self.idr_pic_id;
            self.idr_pic_id = self.idr_pic_id.wrapping_add(1);
            self.frame_num = 0;
            self.poc = 0;
        } else {
            e.slice_type = SLICE_TYPE_P;
            self.poc = ((u32::from(self.poc) + 2) % max_poc) as u16;
        }
        e.nal_ref_idc = if key { 3 } else { 2 };
        e.frame_num = self.frame_num;
        e.pic_order_cnt_lsb = self.poc;
        self.frame_num = ((u32::from(self.frame_num) + 1) % max_fn) as u16;
        self.n += 1;
        e
    }

    /// Undoes [`Client::next_params`] after a picture failed, so that it
    /// is sent again with the same values.
    pub fn retry(&mut self, e: &EncodeParams) {
        let max_poc = 1u32 << (self.sps.log2_max_pic_order_cnt_lsb_minus4 + 4);
        self.n -= 1;
        self.frame_num = e.frame_num;
        if e.is_idr() {
            self.idr_pic_id = self.idr_pic_id.wrapping_sub(1);
        } else {
            self.poc = ((u32::from(e.pic_order_cnt_lsb) + max_poc - 2) % max_poc) as u16;
        }
    }
}
