// SPDX-License-Identifier: GPL-2.0
//! The stateful codec controls the encoder takes (rate control, access
//! unit delimiters, parameter sets before IDR pictures, VUI sample aspect
//! ratio): their IDs, ranges and defaults for the driver to register
//! ([`STATEFUL_CONTROLS`]), and the snapshot of their values the engine
//! works from ([`RcControls`], [`StreamControls`]).
//!
//! # Examples
//!
//! ```
//! use slenc_codec::controls::{self, BitrateMode, Controls};
//! let mut c = Controls::default();
//! assert!(!c.rc.frame_rc_enable);
//! c.set(controls::CID_MPEG_VIDEO_BITRATE_MODE, BitrateMode::Vbr as i32).unwrap();
//! assert_eq!(c.rc.bitrate_mode, BitrateMode::Vbr);
//! ```

use crate::uapi::{self, CID_CODEC_BASE};

/// `V4L2_CID_MPEG_VIDEO_BITRATE_MODE`.
pub const CID_MPEG_VIDEO_BITRATE_MODE: u32 = CID_CODEC_BASE + 206;
/// `V4L2_CID_MPEG_VIDEO_BITRATE`.
pub const CID_MPEG_VIDEO_BITRATE: u32 = CID_CODEC_BASE + 207;
/// `V4L2_CID_MPEG_VIDEO_BITRATE_PEAK`.
pub const CID_MPEG_VIDEO_BITRATE_PEAK: u32 = CID_CODEC_BASE + 208;
/// `V4L2_CID_MPEG_VIDEO_FRAME_RC_ENABLE`.
pub const CID_MPEG_VIDEO_FRAME_RC_ENABLE: u32 = CID_CODEC_BASE + 215;
/// `V4L2_CID_MPEG_VIDEO_AU_DELIMITER`.
pub const CID_MPEG_VIDEO_AU_DELIMITER: u32 = CID_CODEC_BASE + 231;
/// `V4L2_CID_MPEG_VIDEO_H264_I_FRAME_QP`.
pub const CID_MPEG_VIDEO_H264_I_FRAME_QP: u32 = CID_CODEC_BASE + 350;
/// `V4L2_CID_MPEG_VIDEO_H264_P_FRAME_QP`.
pub const CID_MPEG_VIDEO_H264_P_FRAME_QP: u32 = CID_CODEC_BASE + 351;
/// `V4L2_CID_MPEG_VIDEO_H264_MIN_QP`.
pub const CID_MPEG_VIDEO_H264_MIN_QP: u32 = CID_CODEC_BASE + 353;
/// `V4L2_CID_MPEG_VIDEO_H264_MAX_QP`.
pub const CID_MPEG_VIDEO_H264_MAX_QP: u32 = CID_CODEC_BASE + 354;
/// `V4L2_CID_MPEG_VIDEO_H264_VUI_EXT_SAR_HEIGHT`.
pub const CID_MPEG_VIDEO_H264_VUI_EXT_SAR_HEIGHT: u32 = CID_CODEC_BASE + 364;
/// `V4L2_CID_MPEG_VIDEO_H264_VUI_EXT_SAR_WIDTH`.
pub const CID_MPEG_VIDEO_H264_VUI_EXT_SAR_WIDTH: u32 = CID_CODEC_BASE + 365;
/// `V4L2_CID_MPEG_VIDEO_H264_VUI_SAR_ENABLE`.
pub const CID_MPEG_VIDEO_H264_VUI_SAR_ENABLE: u32 = CID_CODEC_BASE + 366;
/// `V4L2_CID_MPEG_VIDEO_H264_VUI_SAR_IDC`.
pub const CID_MPEG_VIDEO_H264_VUI_SAR_IDC: u32 = CID_CODEC_BASE + 367;
/// `V4L2_CID_MPEG_VIDEO_H264_I_FRAME_MIN_QP`.
pub const CID_MPEG_VIDEO_H264_I_FRAME_MIN_QP: u32 = CID_CODEC_BASE + 385;
/// `V4L2_CID_MPEG_VIDEO_H264_I_FRAME_MAX_QP`.
pub const CID_MPEG_VIDEO_H264_I_FRAME_MAX_QP: u32 = CID_CODEC_BASE + 386;
/// `V4L2_CID_MPEG_VIDEO_H264_P_FRAME_MIN_QP`.
pub const CID_MPEG_VIDEO_H264_P_FRAME_MIN_QP: u32 = CID_CODEC_BASE + 387;
/// `V4L2_CID_MPEG_VIDEO_H264_P_FRAME_MAX_QP`.
pub const CID_MPEG_VIDEO_H264_P_FRAME_MAX_QP: u32 = CID_CODEC_BASE + 388;
/// `V4L2_CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR`.
pub const CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR: u32 = CID_CODEC_BASE + 644;
/// `V4L2_CID_MPEG_VIDEO_CONSTANT_QUALITY`.
pub const CID_MPEG_VIDEO_CONSTANT_QUALITY: u32 = CID_CODEC_BASE + 645;

/// `V4L2_MPEG_VIDEO_H264_VUI_SAR_IDC_EXTENDED` (the V4L2 menu value; the
/// bitstream's Extended_SAR is 255).
pub const VUI_SAR_IDC_EXTENDED: i32 = 17;

/// `enum v4l2_mpeg_video_bitrate_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitrateMode {
    /// Variable bitrate: average `BITRATE`, never above `BITRATE_PEAK`
    /// over any second (the proposal has no VBR).
    Vbr = 0,
    /// Constant bitrate `BITRATE`.
    Cbr = 1,
    /// Constant quality `CONSTANT_QUALITY`.
    Cq = 2,
}

impl BitrateMode {
    /// From the menu value.
    pub fn from_value(v: i32) -> Option<Self> {
        match v {
            0 => Some(BitrateMode::Vbr),
            1 => Some(BitrateMode::Cbr),
            2 => Some(BitrateMode::Cq),
            _ => None,
        }
    }
}

/// Kind of a control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtrlKind {
    /// `V4L2_CTRL_TYPE_INTEGER`.
    Integer,
    /// `V4L2_CTRL_TYPE_BOOLEAN`.
    Boolean,
    /// `V4L2_CTRL_TYPE_MENU` (standard menu of the control ID).
    Menu,
}

/// How the driver registers one stateful control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CtrlSpec {
    /// Control ID.
    pub id: u32,
    /// Type.
    pub kind: CtrlKind,
    /// Minimum.
    pub min: i64,
    /// Maximum.
    pub max: i64,
    /// Step (integers), or the menu skip mask.
    pub step_or_skip: u64,
    /// Default.
    pub def: i64,
}

const fn int(id: u32, min: i64, max: i64, def: i64) -> CtrlSpec {
    CtrlSpec {
        id,
        kind: CtrlKind::Integer,
        min,
        max,
        step_or_skip: 1,
        def,
    }
}

const fn boolean(id: u32, def: i64) -> CtrlSpec {
    CtrlSpec {
        id,
        kind: CtrlKind::Boolean,
        min: 0,
        max: 1,
        step_or_skip: 1,
        def,
    }
}

const fn menu(id: u32, min: i64, max: i64, def: i64) -> CtrlSpec {
    CtrlSpec {
        id,
        kind: CtrlKind::Menu,
        min,
        max,
        step_or_skip: 0,
        def,
    }
}

/// Highest bitrate (and peak) accepted, bits/s (as the proposal's driver).
pub const BITRATE_MAX: i64 = 96_000_000;
/// Lowest bitrate accepted, bits/s.
pub const BITRATE_MIN: i64 = 1000;

/// The stateful controls with the ranges and defaults of the proposal's
/// driver (`hantro_drv.c` of the series), plus `BITRATE_PEAK`, VBR in the
/// `BITRATE_MODE` menu, the per-type QP limits and the VUI sample aspect
/// ratio. `START_CODE` is limited to Annex B.
pub const STATEFUL_CONTROLS: &[CtrlSpec] = &[
    menu(
        uapi::CID_STATELESS_H264_START_CODE,
        uapi::START_CODE_ANNEX_B as i64,
        uapi::START_CODE_ANNEX_B as i64,
        uapi::START_CODE_ANNEX_B as i64,
    ),
    boolean(CID_MPEG_VIDEO_AU_DELIMITER, 0),
    boolean(CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR, 0),
    boolean(CID_MPEG_VIDEO_FRAME_RC_ENABLE, 0),
    menu(
        CID_MPEG_VIDEO_BITRATE_MODE,
        BitrateMode::Vbr as i64,
        BitrateMode::Cq as i64,
        BitrateMode::Cbr as i64,
    ),
    int(CID_MPEG_VIDEO_BITRATE, BITRATE_MIN, BITRATE_MAX, 2_000_000),
    int(
        CID_MPEG_VIDEO_BITRATE_PEAK,
        BITRATE_MIN,
        BITRATE_MAX,
        4_000_000,
    ),
    int(CID_MPEG_VIDEO_CONSTANT_QUALITY, 0, 100, 80),
    int(CID_MPEG_VIDEO_H264_MIN_QP, 0, 51, 0),
    int(CID_MPEG_VIDEO_H264_MAX_QP, 0, 51, 51),
    int(CID_MPEG_VIDEO_H264_I_FRAME_QP, 0, 51, 24),
    int(CID_MPEG_VIDEO_H264_P_FRAME_QP, 0, 51, 28),
    int(CID_MPEG_VIDEO_H264_I_FRAME_MIN_QP, 0, 51, 0),
    int(CID_MPEG_VIDEO_H264_I_FRAME_MAX_QP, 0, 51, 51),
    int(CID_MPEG_VIDEO_H264_P_FRAME_MIN_QP, 0, 51, 0),
    int(CID_MPEG_VIDEO_H264_P_FRAME_MAX_QP, 0, 51, 51),
    boolean(CID_MPEG_VIDEO_H264_VUI_SAR_ENABLE, 0),
    menu(
        CID_MPEG_VIDEO_H264_VUI_SAR_IDC,
        0,
        VUI_SAR_IDC_EXTENDED as i64,
        0,
    ),
    int(CID_MPEG_VIDEO_H264_VUI_EXT_SAR_WIDTH, 0, 0xffff, 0),
    int(CID_MPEG_VIDEO_H264_VUI_EXT_SAR_HEIGHT, 0, 0xffff, 0),
];

/// Rate-control controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RcControls {
    /// `FRAME_RC_ENABLE`: off means the per-type QPs are used.
    pub frame_rc_enable: bool,
    /// `BITRATE_MODE`.
    pub bitrate_mode: BitrateMode,
    /// `BITRATE`, bits/s.
    pub bitrate: u32,
    /// `BITRATE_PEAK`, bits/s (VBR; taken as at least `bitrate`).
    pub bitrate_peak: u32,
    /// `CONSTANT_QUALITY`, 0 (lowest) ..= 100 (highest).
    pub constant_quality: u8,
    /// `H264_MIN_QP`.
    pub min_qp: u8,
    /// `H264_MAX_QP`.
    pub max_qp: u8,
    /// `H264_I_FRAME_QP`.
    pub i_qp: u8,
    /// `H264_P_FRAME_QP`.
    pub p_qp: u8,
    /// `H264_I_FRAME_MIN_QP`.
    pub i_min_qp: u8,
    /// `H264_I_FRAME_MAX_QP`.
    pub i_max_qp: u8,
    /// `H264_P_FRAME_MIN_QP`.
    pub p_min_qp: u8,
    /// `H264_P_FRAME_MAX_QP`.
    pub p_max_qp: u8,
}

/// Controls about what the kernel writes around the slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamControls {
    /// `AU_DELIMITER`: an access unit delimiter starts every picture.
    pub au_delimiter: bool,
    /// `PREPEND_SPSPPS_TO_IDR`: SPS and PPS before every IDR picture.
    pub prepend_sps_pps_to_idr: bool,
    /// `H264_VUI_SAR_ENABLE`.
    pub sar_enable: bool,
    /// `H264_VUI_SAR_IDC` (V4L2 menu value, 0..=17).
    pub sar_idc: u8,
    /// `H264_VUI_EXT_SAR_WIDTH`.
    pub ext_sar_width: u16,
    /// `H264_VUI_EXT_SAR_HEIGHT`.
    pub ext_sar_height: u16,
}

/// Snapshot of all stateful controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Controls {
    /// Rate control.
    pub rc: RcControls,
    /// Stream structure.
    pub stream: StreamControls,
}

/// A value out of range for [`Controls::set`], or an unknown ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadControl;

impl Default for Controls {
    fn default() -> Self {
        let mut c = Controls {
            rc: RcControls {
                frame_rc_enable: false,
                bitrate_mode: BitrateMode::Cbr,
                bitrate: 0,
                bitrate_peak: 0,
                constant_quality: 0,
                min_qp: 0,
                max_qp: 0,
                i_qp: 0,
                p_qp: 0,
                i_min_qp: 0,
                i_max_qp: 0,
                p_min_qp: 0,
                p_max_qp: 0,
            },
            stream: StreamControls {
                au_delimiter: false,
                prepend_sps_pps_to_idr: false,
                sar_enable: false,
                sar_idc: 0,
                ext_sar_width: 0,
                ext_sar_height: 0,
            },
        };
        for s in STATEFUL_CONTROLS {
            // The table's defaults are in range by construction (tested).
            let _ = c.set(s.id, s.def as i32);
        }
        c
    }
}

impl Controls {
    /// Stores the value of control `id` (the driver calls this from its
    /// `s_ctrl`, or when it snapshots the handler for a job). Values
    /// outside the registered range are refused.
    pub fn set(&mut self, id: u32, val: i32) -> Result<(), BadControl> {
        let spec = STATEFUL_CONTROLS
            .iter()
            .find(|s| s.id == id)
            .ok_or(BadControl)?;
        let v = i64::from(val);
        if v < spec.min || v > spec.max {
            return Err(BadControl);
        }
        let u8v = val as u8;
        let rc = &mut self.rc;
        let st = &mut self.stream;
        match id {
            uapi::CID_STATELESS_H264_START_CODE => {}
            CID_MPEG_VIDEO_AU_DELIMITER => st.au_delimiter = val != 0,
            CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR => st.prepend_sps_pps_to_idr = val != 0,
            CID_MPEG_VIDEO_FRAME_RC_ENABLE => rc.frame_rc_enable = val != 0,
            CID_MPEG_VIDEO_BITRATE_MODE => {
                rc.bitrate_mode = BitrateMode::from_value(val).ok_or(BadControl)?
            }
            CID_MPEG_VIDEO_BITRATE => rc.bitrate = val as u32,
            CID_MPEG_VIDEO_BITRATE_PEAK => rc.bitrate_peak = val as u32,
            CID_MPEG_VIDEO_CONSTANT_QUALITY => rc.constant_quality = u8v,
            CID_MPEG_VIDEO_H264_MIN_QP => rc.min_qp = u8v,
            CID_MPEG_VIDEO_H264_MAX_QP => rc.max_qp = u8v,
            CID_MPEG_VIDEO_H264_I_FRAME_QP => rc.i_qp = u8v,
            CID_MPEG_VIDEO_H264_P_FRAME_QP => rc.p_qp = u8v,
            CID_MPEG_VIDEO_H264_I_FRAME_MIN_QP => rc.i_min_qp = u8v,
            CID_MPEG_VIDEO_H264_I_FRAME_MAX_QP => rc.i_max_qp = u8v,
            CID_MPEG_VIDEO_H264_P_FRAME_MIN_QP => rc.p_min_qp = u8v,
            CID_MPEG_VIDEO_H264_P_FRAME_MAX_QP => rc.p_max_qp = u8v,
            CID_MPEG_VIDEO_H264_VUI_SAR_ENABLE => st.sar_enable = val != 0,
            CID_MPEG_VIDEO_H264_VUI_SAR_IDC => st.sar_idc = u8v,
            CID_MPEG_VIDEO_H264_VUI_EXT_SAR_WIDTH => st.ext_sar_width = val as u16,
            CID_MPEG_VIDEO_H264_VUI_EXT_SAR_HEIGHT => st.ext_sar_height = val as u16,
            _ => return Err(BadControl),
        }
        Ok(())
    }
}
