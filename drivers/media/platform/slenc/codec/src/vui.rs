// SPDX-License-Identifier: GPL-2.0
//! The SPS video usability information the kernel derives from the stream:
//! colour description from the OUTPUT format's colorimetry, timing from
//! the frame interval (`S_PARM`), the sample aspect ratio from the VUI SAR
//! controls, and the bitstream restriction of an encoder that never
//! reorders.
//!
//! # Examples
//!
//! ```
//! use slenc_codec::vui::{video_signal, Colorimetry, COLORSPACE_REC709};
//! let s = video_signal(&Colorimetry { colorspace: COLORSPACE_REC709, ..Default::default() })
//!     .unwrap();
//! assert_eq!(s.colour, Some((1, 1, 1))); // BT.709 primaries, transfer, matrix
//! assert!(!s.full_range);
//! ```

use crate::controls::{StreamControls, VUI_SAR_IDC_EXTENDED};

/// `V4L2_COLORSPACE_DEFAULT`.
pub const COLORSPACE_DEFAULT: u32 = 0;
/// `V4L2_COLORSPACE_SMPTE170M`.
pub const COLORSPACE_SMPTE170M: u32 = 1;
/// `V4L2_COLORSPACE_SMPTE240M`.
pub const COLORSPACE_SMPTE240M: u32 = 2;
/// `V4L2_COLORSPACE_REC709`.
pub const COLORSPACE_REC709: u32 = 3;
/// `V4L2_COLORSPACE_BT878`.
pub const COLORSPACE_BT878: u32 = 4;
/// `V4L2_COLORSPACE_470_SYSTEM_M`.
pub const COLORSPACE_470_SYSTEM_M: u32 = 5;
/// `V4L2_COLORSPACE_470_SYSTEM_BG`.
pub const COLORSPACE_470_SYSTEM_BG: u32 = 6;
/// `V4L2_COLORSPACE_JPEG`.
pub const COLORSPACE_JPEG: u32 = 7;
/// `V4L2_COLORSPACE_SRGB`.
pub const COLORSPACE_SRGB: u32 = 8;
/// `V4L2_COLORSPACE_OPRGB`.
pub const COLORSPACE_OPRGB: u32 = 9;
/// `V4L2_COLORSPACE_BT2020`.
pub const COLORSPACE_BT2020: u32 = 10;
/// `V4L2_COLORSPACE_RAW`.
pub const COLORSPACE_RAW: u32 = 11;
/// `V4L2_COLORSPACE_DCI_P3`.
pub const COLORSPACE_DCI_P3: u32 = 12;

/// `V4L2_XFER_FUNC_DEFAULT`.
pub const XFER_FUNC_DEFAULT: u32 = 0;
/// `V4L2_XFER_FUNC_709`.
pub const XFER_FUNC_709: u32 = 1;
/// `V4L2_XFER_FUNC_SRGB`.
pub const XFER_FUNC_SRGB: u32 = 2;
/// `V4L2_XFER_FUNC_OPRGB`.
pub const XFER_FUNC_OPRGB: u32 = 3;
/// `V4L2_XFER_FUNC_SMPTE240M`.
pub const XFER_FUNC_SMPTE240M: u32 = 4;
/// `V4L2_XFER_FUNC_NONE`.
pub const XFER_FUNC_NONE: u32 = 5;
/// `V4L2_XFER_FUNC_DCI_P3`.
pub const XFER_FUNC_DCI_P3: u32 = 6;
/// `V4L2_XFER_FUNC_SMPTE2084`.
pub const XFER_FUNC_SMPTE2084: u32 = 7;

/// `V4L2_YCBCR_ENC_DEFAULT`.
pub const YCBCR_ENC_DEFAULT: u32 = 0;
/// `V4L2_YCBCR_ENC_601`.
pub const YCBCR_ENC_601: u32 = 1;
/// `V4L2_YCBCR_ENC_709`.
pub const YCBCR_ENC_709: u32 = 2;
/// `V4L2_YCBCR_ENC_XV601`.
pub const YCBCR_ENC_XV601: u32 = 3;
/// `V4L2_YCBCR_ENC_XV709`.
pub const YCBCR_ENC_XV709: u32 = 4;
/// `V4L2_YCBCR_ENC_SYCC`.
pub const YCBCR_ENC_SYCC: u32 = 5;
/// `V4L2_YCBCR_ENC_BT2020`.
pub const YCBCR_ENC_BT2020: u32 = 6;
/// `V4L2_YCBCR_ENC_BT2020_CONST_LUM`.
pub const YCBCR_ENC_BT2020_CONST_LUM: u32 = 7;
/// `V4L2_YCBCR_ENC_SMPTE240M`.
pub const YCBCR_ENC_SMPTE240M: u32 = 8;

/// `V4L2_QUANTIZATION_DEFAULT`.
pub const QUANTIZATION_DEFAULT: u32 = 0;
/// `V4L2_QUANTIZATION_FULL_RANGE`.
pub const QUANTIZATION_FULL_RANGE: u32 = 1;
/// `V4L2_QUANTIZATION_LIM_RANGE`.
pub const QUANTIZATION_LIM_RANGE: u32 = 2;

/// Colorimetry fields of the OUTPUT format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Colorimetry {
    /// `colorspace`.
    pub colorspace: u32,
    /// `xfer_func`.
    pub xfer_func: u32,
    /// `ycbcr_enc`.
    pub ycbcr_enc: u32,
    /// `quantization`.
    pub quantization: u32,
}

/// video_signal_type of the VUI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VideoSignal {
    /// video_format (5: unspecified).
    pub video_format: u8,
    /// video_full_range_flag.
    pub full_range: bool,
    /// colour_primaries, transfer_characteristics, matrix_coefficients
    /// (H.264 Tables E-3, E-4, E-5).
    pub colour: Option<(u8, u8, u8)>,
}

/// `V4L2_MAP_XFER_FUNC_DEFAULT()`.
pub fn default_xfer_func(colorspace: u32) -> u32 {
    match colorspace {
        COLORSPACE_OPRGB => XFER_FUNC_OPRGB,
        COLORSPACE_SMPTE240M => XFER_FUNC_SMPTE240M,
        COLORSPACE_DCI_P3 => XFER_FUNC_DCI_P3,
        COLORSPACE_RAW => XFER_FUNC_NONE,
        COLORSPACE_SRGB | COLORSPACE_JPEG => XFER_FUNC_SRGB,
        _ => XFER_FUNC_709,
    }
}

/// `V4L2_MAP_YCBCR_ENC_DEFAULT()`.
pub fn default_ycbcr_enc(colorspace: u32) -> u32 {
    match colorspace {
        COLORSPACE_REC709 | COLORSPACE_DCI_P3 => YCBCR_ENC_709,
        COLORSPACE_BT2020 => YCBCR_ENC_BT2020,
        COLORSPACE_SMPTE240M => YCBCR_ENC_SMPTE240M,
        _ => YCBCR_ENC_601,
    }
}

/// `V4L2_MAP_QUANTIZATION_DEFAULT()` for Y'CbCr.
pub fn default_quantization(colorspace: u32) -> u32 {
    if colorspace == COLORSPACE_JPEG {
        QUANTIZATION_FULL_RANGE
    } else {
        QUANTIZATION_LIM_RANGE
    }
}

fn primaries(cs: u32) -> u8 {
    match cs {
        COLORSPACE_REC709 | COLORSPACE_SRGB | COLORSPACE_JPEG => 1,
        COLORSPACE_470_SYSTEM_M => 4,
        COLORSPACE_470_SYSTEM_BG => 5,
        COLORSPACE_SMPTE170M | COLORSPACE_BT878 => 6,
        COLORSPACE_SMPTE240M => 7,
        COLORSPACE_BT2020 => 9,
        COLORSPACE_DCI_P3 => 11,
        _ => 2,
    }
}

fn transfer(cs: u32, xfer: u32) -> u8 {
    match xfer {
        // One curve, several names: the most specific the colorspace allows.
        XFER_FUNC_709 => match cs {
            COLORSPACE_SMPTE170M | COLORSPACE_BT878 => 6,
            COLORSPACE_470_SYSTEM_M => 4,
            COLORSPACE_470_SYSTEM_BG => 5,
            COLORSPACE_BT2020 => 14,
            _ => 1,
        },
        XFER_FUNC_SRGB => 13,
        XFER_FUNC_OPRGB => 4,
        XFER_FUNC_SMPTE240M => 7,
        XFER_FUNC_NONE => 8,
        XFER_FUNC_SMPTE2084 => 16,
        XFER_FUNC_DCI_P3 => 17,
        _ => 2,
    }
}

fn matrix(cs: u32, enc: u32) -> u8 {
    match enc {
        YCBCR_ENC_601 | YCBCR_ENC_XV601 => match cs {
            COLORSPACE_SMPTE170M | COLORSPACE_BT878 | COLORSPACE_470_SYSTEM_M => 6,
            _ => 5,
        },
        YCBCR_ENC_SYCC => 5,
        YCBCR_ENC_709 | YCBCR_ENC_XV709 => 1,
        YCBCR_ENC_BT2020 => 9,
        YCBCR_ENC_BT2020_CONST_LUM => 10,
        YCBCR_ENC_SMPTE240M => 7,
        _ => 2,
    }
}

/// The video signal description for a colorimetry: none when the
/// colorspace is `DEFAULT` (nothing known); otherwise the colour
/// description with the V4L2 defaults of the colorspace filled in for
/// default transfer function, Y'CbCr encoding and quantization.
pub fn video_signal(c: &Colorimetry) -> Option<VideoSignal> {
    let cs = c.colorspace;
    if cs == COLORSPACE_DEFAULT {
        return None;
    }
    let xfer = match c.xfer_func {
        XFER_FUNC_DEFAULT => default_xfer_func(cs),
        x => x,
    };
    let enc = match c.ycbcr_enc {
        YCBCR_ENC_DEFAULT => default_ycbcr_enc(cs),
        e => e,
    };
    let q = match c.quantization {
        QUANTIZATION_DEFAULT => default_quantization(cs),
        q => q,
    };
    Some(VideoSignal {
        video_format: 5,
        full_range: q == QUANTIZATION_FULL_RANGE,
        colour: Some((primaries(cs), transfer(cs, xfer), matrix(cs, enc))),
    })
}

/// aspect_ratio_idc of Extended_SAR.
pub const ASPECT_RATIO_IDC_EXTENDED: u8 = 255;

/// aspect_ratio_idc, sar_width, sar_height from the VUI SAR controls
/// (none when `VUI_SAR_ENABLE` is off).
pub fn aspect_ratio(st: &StreamControls) -> Option<(u8, u16, u16)> {
    if !st.sar_enable {
        return None;
    }
    if i32::from(st.sar_idc) == VUI_SAR_IDC_EXTENDED {
        Some((
            ASPECT_RATIO_IDC_EXTENDED,
            st.ext_sar_width,
            st.ext_sar_height,
        ))
    } else {
        Some((st.sar_idc, 0, 0))
    }
}

/// num_units_in_tick and time_scale for a frame interval of
/// `num / den` seconds (`timeperframe`): one tick per field.
pub fn timing(num: u32, den: u32) -> Option<(u32, u32)> {
    if num == 0 || den == 0 || den > u32::MAX / 2 {
        return None;
    }
    Some((num, den * 2))
}

/// What the VUI says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vui {
    /// aspect_ratio_idc, sar_width, sar_height.
    pub aspect: Option<(u8, u16, u16)>,
    /// Video signal type.
    pub signal: Option<VideoSignal>,
    /// num_units_in_tick, time_scale (fixed frame rate).
    pub timing: Option<(u32, u32)>,
    /// max_dec_frame_buffering of the bitstream restriction (always
    /// written, with max_num_reorder_frames 0: the encoder never reorders).
    pub max_dec_frame_buffering: u32,
}
