// SPDX-License-Identifier: GPL-2.0

//! Media bus formats.
//!
//! C headers: [`include/uapi/linux/v4l2-mediabus.h`](srctree/include/uapi/linux/v4l2-mediabus.h),
//! [`include/uapi/linux/media-bus-format.h`](srctree/include/uapi/linux/media-bus-format.h),
//! [`include/media/mipi-csi2.h`](srctree/include/media/mipi-csi2.h)
//!
//! A [`FrameFormat`] (`struct v4l2_mbus_framefmt`) describes the frames on
//! a pad: size, media bus [`Code`], field order and colour description.
//! [`CodeInfo`] tells, for the raw formats, the bits per sample, the
//! colour filter array order and the CSI-2 data type the samples travel
//! as; [`BayerOrder::flipped`] is how sensors with flips report the order.

use crate::bindings;

/// A media bus code (`MEDIA_BUS_FMT_*`).
///
/// Codes come from user space as any `u32`; only known codes have a
/// [`CodeInfo`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Code(u32);

macro_rules! codes {
    ($($(#[$m:meta])* $name:ident = $c:ident;)*) => {
        impl Code {
            $($(#[$m])* pub const $name: Self = Self(bindings::$c);)*
        }
    };
}

codes! {
    /// `MEDIA_BUS_FMT_FIXED`.
    FIXED = MEDIA_BUS_FMT_FIXED;
    /// `MEDIA_BUS_FMT_SBGGR8_1X8`.
    SBGGR8_1X8 = MEDIA_BUS_FMT_SBGGR8_1X8;
    /// `MEDIA_BUS_FMT_SGBRG8_1X8`.
    SGBRG8_1X8 = MEDIA_BUS_FMT_SGBRG8_1X8;
    /// `MEDIA_BUS_FMT_SGRBG8_1X8`.
    SGRBG8_1X8 = MEDIA_BUS_FMT_SGRBG8_1X8;
    /// `MEDIA_BUS_FMT_SRGGB8_1X8`.
    SRGGB8_1X8 = MEDIA_BUS_FMT_SRGGB8_1X8;
    /// `MEDIA_BUS_FMT_SBGGR10_1X10`.
    SBGGR10_1X10 = MEDIA_BUS_FMT_SBGGR10_1X10;
    /// `MEDIA_BUS_FMT_SGBRG10_1X10`.
    SGBRG10_1X10 = MEDIA_BUS_FMT_SGBRG10_1X10;
    /// `MEDIA_BUS_FMT_SGRBG10_1X10`.
    SGRBG10_1X10 = MEDIA_BUS_FMT_SGRBG10_1X10;
    /// `MEDIA_BUS_FMT_SRGGB10_1X10`.
    SRGGB10_1X10 = MEDIA_BUS_FMT_SRGGB10_1X10;
    /// `MEDIA_BUS_FMT_SBGGR12_1X12`.
    SBGGR12_1X12 = MEDIA_BUS_FMT_SBGGR12_1X12;
    /// `MEDIA_BUS_FMT_SGBRG12_1X12`.
    SGBRG12_1X12 = MEDIA_BUS_FMT_SGBRG12_1X12;
    /// `MEDIA_BUS_FMT_SGRBG12_1X12`.
    SGRBG12_1X12 = MEDIA_BUS_FMT_SGRBG12_1X12;
    /// `MEDIA_BUS_FMT_SRGGB12_1X12`.
    SRGGB12_1X12 = MEDIA_BUS_FMT_SRGGB12_1X12;
    /// `MEDIA_BUS_FMT_SBGGR14_1X14`.
    SBGGR14_1X14 = MEDIA_BUS_FMT_SBGGR14_1X14;
    /// `MEDIA_BUS_FMT_SGBRG14_1X14`.
    SGBRG14_1X14 = MEDIA_BUS_FMT_SGBRG14_1X14;
    /// `MEDIA_BUS_FMT_SGRBG14_1X14`.
    SGRBG14_1X14 = MEDIA_BUS_FMT_SGRBG14_1X14;
    /// `MEDIA_BUS_FMT_SRGGB14_1X14`.
    SRGGB14_1X14 = MEDIA_BUS_FMT_SRGGB14_1X14;
    /// `MEDIA_BUS_FMT_SBGGR16_1X16`.
    SBGGR16_1X16 = MEDIA_BUS_FMT_SBGGR16_1X16;
    /// `MEDIA_BUS_FMT_SGBRG16_1X16`.
    SGBRG16_1X16 = MEDIA_BUS_FMT_SGBRG16_1X16;
    /// `MEDIA_BUS_FMT_SGRBG16_1X16`.
    SGRBG16_1X16 = MEDIA_BUS_FMT_SGRBG16_1X16;
    /// `MEDIA_BUS_FMT_SRGGB16_1X16`.
    SRGGB16_1X16 = MEDIA_BUS_FMT_SRGGB16_1X16;
    /// `MEDIA_BUS_FMT_Y8_1X8`.
    Y8_1X8 = MEDIA_BUS_FMT_Y8_1X8;
    /// `MEDIA_BUS_FMT_Y10_1X10`.
    Y10_1X10 = MEDIA_BUS_FMT_Y10_1X10;
    /// `MEDIA_BUS_FMT_UYVY8_1X16`.
    UYVY8_1X16 = MEDIA_BUS_FMT_UYVY8_1X16;
    /// `MEDIA_BUS_FMT_YUYV8_1X16`.
    YUYV8_1X16 = MEDIA_BUS_FMT_YUYV8_1X16;
    /// `MEDIA_BUS_FMT_RGB565_1X16`.
    RGB565_1X16 = MEDIA_BUS_FMT_RGB565_1X16;
    /// `MEDIA_BUS_FMT_RGB888_1X24`.
    RGB888_1X24 = MEDIA_BUS_FMT_RGB888_1X24;
    /// `MEDIA_BUS_FMT_YVYU8_1X16`.
    YVYU8_1X16 = MEDIA_BUS_FMT_YVYU8_1X16;
    /// `MEDIA_BUS_FMT_VYUY8_1X16`.
    VYUY8_1X16 = MEDIA_BUS_FMT_VYUY8_1X16;
    /// `MEDIA_BUS_FMT_BGR888_1X24`.
    BGR888_1X24 = MEDIA_BUS_FMT_BGR888_1X24;
    /// `MEDIA_BUS_FMT_Y12_1X12`.
    Y12_1X12 = MEDIA_BUS_FMT_Y12_1X12;
    /// `MEDIA_BUS_FMT_Y14_1X14`.
    Y14_1X14 = MEDIA_BUS_FMT_Y14_1X14;
    /// `MEDIA_BUS_FMT_META_8`.
    META_8 = MEDIA_BUS_FMT_META_8;
    /// `MEDIA_BUS_FMT_META_10`.
    META_10 = MEDIA_BUS_FMT_META_10;
    /// `MEDIA_BUS_FMT_META_12`.
    META_12 = MEDIA_BUS_FMT_META_12;
    /// `MEDIA_BUS_FMT_META_14`.
    META_14 = MEDIA_BUS_FMT_META_14;
    /// `MEDIA_BUS_FMT_META_16`.
    META_16 = MEDIA_BUS_FMT_META_16;
}

impl Code {
    /// The code from its `MEDIA_BUS_FMT_*` value.
    pub const fn from_raw(raw: u32) -> Self {
        Self(raw)
    }

    /// The `MEDIA_BUS_FMT_*` value.
    pub const fn as_raw(self) -> u32 {
        self.0
    }

    /// What is known of this code, if anything.
    pub fn info(self) -> Option<&'static CodeInfo> {
        CODES.iter().find(|i| i.code == self)
    }

    /// The raw (colour filter array) code of `order` with `bpp` bits per
    /// sample, if there is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::media::mbus::{BayerOrder, Code};
    ///
    /// assert_eq!(Code::bayer(BayerOrder::Rggb, 10), Some(Code::SRGGB10_1X10));
    /// assert_eq!(Code::bayer(BayerOrder::Rggb, 9), None);
    /// ```
    pub fn bayer(order: BayerOrder, bpp: u8) -> Option<Self> {
        CODES
            .iter()
            .find(|i| i.bayer == Some(order) && i.bpp == bpp)
            .map(|i| i.code)
    }
}

/// CSI-2 data types (`MIPI_CSI2_DT_*`).
pub mod csi2_dt {
    use crate::bindings;

    /// Embedded 8-bit non-image data.
    pub const EMBEDDED_8B: u8 = bindings::MIPI_CSI2_DT_EMBEDDED_8B as u8;
    /// YUV 4:2:2 8-bit.
    pub const YUV422_8B: u8 = bindings::MIPI_CSI2_DT_YUV422_8B as u8;
    /// RGB565.
    pub const RGB565: u8 = bindings::MIPI_CSI2_DT_RGB565 as u8;
    /// RGB888.
    pub const RGB888: u8 = bindings::MIPI_CSI2_DT_RGB888 as u8;
    /// RAW8.
    pub const RAW8: u8 = bindings::MIPI_CSI2_DT_RAW8 as u8;
    /// RAW10.
    pub const RAW10: u8 = bindings::MIPI_CSI2_DT_RAW10 as u8;
    /// RAW12.
    pub const RAW12: u8 = bindings::MIPI_CSI2_DT_RAW12 as u8;
    /// RAW14.
    pub const RAW14: u8 = bindings::MIPI_CSI2_DT_RAW14 as u8;
    /// RAW16.
    pub const RAW16: u8 = bindings::MIPI_CSI2_DT_RAW16 as u8;
}

/// The order of the colour filter array's 2x2 cell, read left to right and
/// top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BayerOrder {
    /// R G / G B.
    Rggb,
    /// G R / B G.
    Grbg,
    /// G B / R G.
    Gbrg,
    /// B G / G R.
    Bggr,
}

impl BayerOrder {
    /// The order a sensor reads out when its readout is mirrored (`hflip`)
    /// and/or flipped (`vflip`) over a window that keeps the cell aligned.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::media::mbus::BayerOrder;
    ///
    /// assert_eq!(BayerOrder::Rggb.flipped(true, false), BayerOrder::Grbg);
    /// assert_eq!(BayerOrder::Rggb.flipped(true, true), BayerOrder::Bggr);
    /// ```
    pub const fn flipped(self, hflip: bool, vflip: bool) -> Self {
        // Index bits: 0 = column of red in the cell, 1 = row of red.
        let idx = match self {
            Self::Rggb => 0,
            Self::Grbg => 1,
            Self::Gbrg => 2,
            Self::Bggr => 3,
        } ^ (hflip as u8)
            ^ ((vflip as u8) << 1);
        match idx {
            0 => Self::Rggb,
            1 => Self::Grbg,
            2 => Self::Gbrg,
            _ => Self::Bggr,
        }
    }
}

/// What the abstractions know of a media bus code.
#[derive(Debug, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code.
    pub code: Code,
    /// Bits per sample (per pixel for the packed YUV/RGB codes).
    pub bpp: u8,
    /// The CSI-2 data type the code is sent as.
    pub csi2_dt: u8,
    /// The colour filter array order, for raw codes.
    pub bayer: Option<BayerOrder>,
}

macro_rules! info {
    ($code:ident, $bpp:expr, $dt:ident, $order:expr) => {
        CodeInfo {
            code: Code::$code,
            bpp: $bpp,
            csi2_dt: csi2_dt::$dt,
            bayer: $order,
        }
    };
}

use BayerOrder::{Bggr, Gbrg, Grbg, Rggb};

static CODES: [CodeInfo; 28] = [
    info!(SBGGR8_1X8, 8, RAW8, Some(Bggr)),
    info!(SGBRG8_1X8, 8, RAW8, Some(Gbrg)),
    info!(SGRBG8_1X8, 8, RAW8, Some(Grbg)),
    info!(SRGGB8_1X8, 8, RAW8, Some(Rggb)),
    info!(SBGGR10_1X10, 10, RAW10, Some(Bggr)),
    info!(SGBRG10_1X10, 10, RAW10, Some(Gbrg)),
    info!(SGRBG10_1X10, 10, RAW10, Some(Grbg)),
    info!(SRGGB10_1X10, 10, RAW10, Some(Rggb)),
    info!(SBGGR12_1X12, 12, RAW12, Some(Bggr)),
    info!(SGBRG12_1X12, 12, RAW12, Some(Gbrg)),
    info!(SGRBG12_1X12, 12, RAW12, Some(Grbg)),
    info!(SRGGB12_1X12, 12, RAW12, Some(Rggb)),
    info!(SBGGR14_1X14, 14, RAW14, Some(Bggr)),
    info!(SGBRG14_1X14, 14, RAW14, Some(Gbrg)),
    info!(SGRBG14_1X14, 14, RAW14, Some(Grbg)),
    info!(SRGGB14_1X14, 14, RAW14, Some(Rggb)),
    info!(SBGGR16_1X16, 16, RAW16, Some(Bggr)),
    info!(SGBRG16_1X16, 16, RAW16, Some(Gbrg)),
    info!(SGRBG16_1X16, 16, RAW16, Some(Grbg)),
    info!(SRGGB16_1X16, 16, RAW16, Some(Rggb)),
    info!(Y8_1X8, 8, RAW8, None),
    info!(Y10_1X10, 10, RAW10, None),
    info!(UYVY8_1X16, 16, YUV422_8B, None),
    info!(YUYV8_1X16, 16, YUV422_8B, None),
    info!(RGB565_1X16, 16, RGB565, None),
    info!(RGB888_1X24, 24, RGB888, None),
    info!(META_8, 8, RAW8, None),
    info!(META_10, 10, RAW10, None),
];

/// A field order (`enum v4l2_field`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field(u32);

impl Field {
    /// Let the driver choose (`V4L2_FIELD_ANY`).
    pub const ANY: Self = Self(bindings::v4l2_field_V4L2_FIELD_ANY);
    /// Progressive frames (`V4L2_FIELD_NONE`).
    pub const NONE: Self = Self(bindings::v4l2_field_V4L2_FIELD_NONE);

    /// The `V4L2_FIELD_*` value.
    pub const fn as_raw(self) -> u32 {
        self.0
    }
}

/// A colour space (`enum v4l2_colorspace`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colorspace(u32);

impl Colorspace {
    /// Let the driver choose (`V4L2_COLORSPACE_DEFAULT`).
    pub const DEFAULT: Self = Self(bindings::v4l2_colorspace_V4L2_COLORSPACE_DEFAULT);
    /// sRGB (`V4L2_COLORSPACE_SRGB`).
    pub const SRGB: Self = Self(bindings::v4l2_colorspace_V4L2_COLORSPACE_SRGB);
    /// Raw sensor data (`V4L2_COLORSPACE_RAW`).
    pub const RAW: Self = Self(bindings::v4l2_colorspace_V4L2_COLORSPACE_RAW);

    /// The `V4L2_COLORSPACE_*` value.
    pub const fn as_raw(self) -> u32 {
        self.0
    }
}

/// A Y'CbCr encoding (`enum v4l2_ycbcr_encoding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YcbcrEnc(u16);

impl YcbcrEnc {
    /// Let the driver choose (`V4L2_YCBCR_ENC_DEFAULT`).
    pub const DEFAULT: Self = Self(bindings::v4l2_ycbcr_encoding_V4L2_YCBCR_ENC_DEFAULT as u16);
    /// ITU-R 601 (`V4L2_YCBCR_ENC_601`).
    pub const ENC_601: Self = Self(bindings::v4l2_ycbcr_encoding_V4L2_YCBCR_ENC_601 as u16);

    /// The `V4L2_YCBCR_ENC_*` value.
    pub const fn as_raw(self) -> u16 {
        self.0
    }
}

/// A quantization range (`enum v4l2_quantization`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantization(u16);

impl Quantization {
    /// Let the driver choose (`V4L2_QUANTIZATION_DEFAULT`).
    pub const DEFAULT: Self = Self(bindings::v4l2_quantization_V4L2_QUANTIZATION_DEFAULT as u16);
    /// Full range (`V4L2_QUANTIZATION_FULL_RANGE`).
    pub const FULL_RANGE: Self =
        Self(bindings::v4l2_quantization_V4L2_QUANTIZATION_FULL_RANGE as u16);
    /// Limited range (`V4L2_QUANTIZATION_LIM_RANGE`).
    pub const LIM_RANGE: Self =
        Self(bindings::v4l2_quantization_V4L2_QUANTIZATION_LIM_RANGE as u16);

    /// The `V4L2_QUANTIZATION_*` value.
    pub const fn as_raw(self) -> u16 {
        self.0
    }
}

/// A transfer function (`enum v4l2_xfer_func`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XferFunc(u16);

impl XferFunc {
    /// Let the driver choose (`V4L2_XFER_FUNC_DEFAULT`).
    pub const DEFAULT: Self = Self(bindings::v4l2_xfer_func_V4L2_XFER_FUNC_DEFAULT as u16);
    /// Linear (`V4L2_XFER_FUNC_NONE`).
    pub const NONE: Self = Self(bindings::v4l2_xfer_func_V4L2_XFER_FUNC_NONE as u16);
    /// sRGB (`V4L2_XFER_FUNC_SRGB`).
    pub const SRGB: Self = Self(bindings::v4l2_xfer_func_V4L2_XFER_FUNC_SRGB as u16);

    /// The `V4L2_XFER_FUNC_*` value.
    pub const fn as_raw(self) -> u16 {
        self.0
    }
}

/// The format of the frames on a pad (`struct v4l2_mbus_framefmt`).
///
/// A plain value: sub-device states hand out copies and take new values.
///
/// # Examples
///
/// ```
/// use kernel::media::mbus::{Code, Colorspace, Field, FrameFormat};
///
/// let mut f = FrameFormat::default();
/// f.set_size(640, 480);
/// f.set_code(Code::SRGGB10_1X10);
/// f.set_field(Field::NONE);
/// f.set_colorspace(Colorspace::RAW);
/// assert_eq!((f.width(), f.height()), (640, 480));
/// ```
#[repr(transparent)]
pub struct FrameFormat(pub(crate) bindings::v4l2_mbus_framefmt);

impl Clone for FrameFormat {
    fn clone(&self) -> Self {
        Self::from_raw(&self.0)
    }
}

impl Default for FrameFormat {
    fn default() -> Self {
        Self(pin_init::zeroed())
    }
}

impl FrameFormat {
    /// A copy of `f`.
    pub(crate) fn from_raw(f: &bindings::v4l2_mbus_framefmt) -> Self {
        // SAFETY: The structure is plain data (integers only).
        Self(unsafe { core::ptr::read(f) })
    }

    /// The width, in pixels.
    pub fn width(&self) -> u32 {
        self.0.width
    }

    /// The height, in lines.
    pub fn height(&self) -> u32 {
        self.0.height
    }

    /// Sets the size.
    pub fn set_size(&mut self, width: u32, height: u32) {
        self.0.width = width;
        self.0.height = height;
    }

    /// The media bus code.
    pub fn code(&self) -> Code {
        Code(self.0.code)
    }

    /// Sets the media bus code.
    pub fn set_code(&mut self, code: Code) {
        self.0.code = code.0;
    }

    /// The field order.
    pub fn field(&self) -> Field {
        Field(self.0.field)
    }

    /// Sets the field order.
    pub fn set_field(&mut self, field: Field) {
        self.0.field = field.0;
    }

    /// The colour space.
    pub fn colorspace(&self) -> Colorspace {
        Colorspace(self.0.colorspace)
    }

    /// Sets the colour space.
    pub fn set_colorspace(&mut self, c: Colorspace) {
        self.0.colorspace = c.0;
    }

    /// The Y'CbCr encoding.
    pub fn ycbcr_enc(&self) -> YcbcrEnc {
        // SAFETY: Both members of the union are `u16`; any value is valid.
        YcbcrEnc(unsafe { *union_member!(self.0.__bindgen_anon_1.ycbcr_enc, u16) })
    }

    /// Sets the Y'CbCr encoding.
    pub fn set_ycbcr_enc(&mut self, e: YcbcrEnc) {
        // SAFETY: As above.
        unsafe { *union_member_mut!(self.0.__bindgen_anon_1.ycbcr_enc, u16) = e.0 };
    }

    /// The quantization range.
    pub fn quantization(&self) -> Quantization {
        Quantization(self.0.quantization)
    }

    /// Sets the quantization range.
    pub fn set_quantization(&mut self, q: Quantization) {
        self.0.quantization = q.0;
    }

    /// The transfer function.
    pub fn xfer_func(&self) -> XferFunc {
        XferFunc(self.0.xfer_func)
    }

    /// Sets the transfer function.
    pub fn set_xfer_func(&mut self, x: XferFunc) {
        self.0.xfer_func = x.0;
    }

    /// The `V4L2_MBUS_FRAMEFMT_*` flags.
    pub fn flags(&self) -> u16 {
        self.0.flags
    }

    /// Sets the `V4L2_MBUS_FRAMEFMT_*` flags.
    pub fn set_flags(&mut self, flags: u16) {
        self.0.flags = flags;
    }

    /// The C structure.
    pub fn as_raw(&self) -> &bindings::v4l2_mbus_framefmt {
        &self.0
    }
}

/// A rectangle (`struct v4l2_rect`): crop and compose rectangles,
/// selection targets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub left: i32,
    /// Top edge.
    pub top: i32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Rect {
    pub(crate) fn from_raw(r: &bindings::v4l2_rect) -> Self {
        Self {
            left: r.left,
            top: r.top,
            width: r.width,
            height: r.height,
        }
    }

    pub(crate) fn to_raw(self) -> bindings::v4l2_rect {
        bindings::v4l2_rect {
            left: self.left,
            top: self.top,
            width: self.width,
            height: self.height,
        }
    }
}

/// The entry of `sizes` nearest to `width` x `height`
/// (`v4l2_find_nearest_size()`): the one with the smallest sum of the
/// absolute width and height differences; of equal ones, the last. `None`
/// only for an empty slice.
///
/// # Examples
///
/// ```
/// use kernel::media::mbus::find_nearest_size;
///
/// let modes = [(3280, 2464), (1920, 1080), (1640, 1232), (640, 480)];
/// assert_eq!(find_nearest_size(&modes, |m| (m.0, m.1), 1900, 1000), Some(&modes[1]));
/// assert_eq!(find_nearest_size(&modes, |m| (m.0, m.1), 0, 0), Some(&modes[3]));
/// ```
pub fn find_nearest_size<E>(
    sizes: &[E],
    size_of: impl Fn(&E) -> (u32, u32),
    width: u32,
    height: u32,
) -> Option<&E> {
    let mut best = None;
    let mut min_error = u32::MAX;
    for e in sizes {
        let (w, h) = size_of(e);
        // As the C helper: differences of `u32`s taken as `int`, their
        // absolute values summed as `u32`.
        let dw = (w.wrapping_sub(width) as i32).unsigned_abs();
        let dh = (h.wrapping_sub(height) as i32).unsigned_abs();
        let error = dw.wrapping_add(dh);
        if error > min_error {
            continue;
        }
        min_error = error;
        best = Some(e);
        if error == 0 {
            break;
        }
    }
    best
}
