// SPDX-License-Identifier: GPL-2.0

//! Pixel formats: fourccs, the image and metadata formats of video nodes,
//! and the line and image size arithmetic of raw (Bayer and monochrome)
//! formats as CSI-2 carries them.
//!
//! C header: [`include/uapi/linux/videodev2.h`](srctree/include/uapi/linux/videodev2.h)
//!
//! A CSI-2 receiver writes raw pixels either as they travel on the link
//! (*CSI-2 packed*: RAW10 puts four pixels in five bytes, the four high
//! bytes first and then a byte of the four pairs of low bits; RAW12 two
//! pixels in three bytes; RAW14 four pixels in seven bytes) or unpacked,
//! each pixel in the low bits of a little-endian 16-bit word. [`RawFormat`]
//! describes both, with the fourccs of `videodev2.h`.
//!
//! Everything here is plain arithmetic and tables, usable (and tested) on
//! every architecture, with or without the media subsystem.

use crate::{bindings, fmt};

/// A four-character code naming a pixel or metadata format (`__u32`, as
/// `v4l2_fourcc()` builds it: the first character in the low byte).
///
/// # Examples
///
/// ```
/// use kernel::media::pixfmt::{fourcc, FourCc};
///
/// assert_eq!(fourcc::SBGGR10P, FourCc::new(b"pBAA"));
/// assert_eq!(fourcc::SBGGR10P.as_raw(), 0x4141_4270);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default)]
#[repr(transparent)]
pub struct FourCc(u32);

impl FourCc {
    /// The code of the four characters `c`, first to last.
    pub const fn new(c: &[u8; 4]) -> Self {
        Self(u32::from_le_bytes(*c))
    }

    /// The code `raw` as user space gives it.
    pub const fn from_raw(raw: u32) -> Self {
        Self(raw)
    }

    /// The code as user space sees it.
    pub const fn as_raw(self) -> u32 {
        self.0
    }

    /// Whether this is the "no format" code 0.
    pub const fn is_none(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0.to_le_bytes() {
            // Printable ASCII as is, anything else as '.', as `%p4cc` does.
            let c = if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            };
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)?;
        write!(f, " (0x{:08x})", self.0)
    }
}

/// The fourccs of `videodev2.h` that the media abstractions and drivers
/// use.
pub mod fourcc {
    use super::FourCc;

    macro_rules! codes {
        ($($(#[$m:meta])* $name:ident = $c:literal;)*) => {
            $($(#[$m])* pub const $name: FourCc = FourCc::new($c);)*
        };
    }

    codes! {
        /// YUV 4:2:2, Y0 U Y1 V.
        YUYV = b"YUYV";
        /// YUV 4:2:2, Y0 V Y1 U.
        YVYU = b"YVYU";
        /// YUV 4:2:2, U Y0 V Y1.
        UYVY = b"UYVY";
        /// YUV 4:2:2, V Y0 U Y1.
        VYUY = b"VYUY";
        /// RGB 5-6-5.
        RGB565 = b"RGBP";
        /// RGB 8-8-8.
        RGB24 = b"RGB3";
        /// BGR 8-8-8.
        BGR24 = b"BGR3";
        /// 8-bit Bayer BGGR.
        SBGGR8 = b"BA81";
        /// 8-bit Bayer GBRG.
        SGBRG8 = b"GBRG";
        /// 8-bit Bayer GRBG.
        SGRBG8 = b"GRBG";
        /// 8-bit Bayer RGGB.
        SRGGB8 = b"RGGB";
        /// 10-bit Bayer BGGR in 16-bit words.
        SBGGR10 = b"BG10";
        /// 10-bit Bayer GBRG in 16-bit words.
        SGBRG10 = b"GB10";
        /// 10-bit Bayer GRBG in 16-bit words.
        SGRBG10 = b"BA10";
        /// 10-bit Bayer RGGB in 16-bit words.
        SRGGB10 = b"RG10";
        /// 10-bit Bayer BGGR, CSI-2 packed.
        SBGGR10P = b"pBAA";
        /// 10-bit Bayer GBRG, CSI-2 packed.
        SGBRG10P = b"pGAA";
        /// 10-bit Bayer GRBG, CSI-2 packed.
        SGRBG10P = b"pgAA";
        /// 10-bit Bayer RGGB, CSI-2 packed.
        SRGGB10P = b"pRAA";
        /// 12-bit Bayer BGGR in 16-bit words.
        SBGGR12 = b"BG12";
        /// 12-bit Bayer GBRG in 16-bit words.
        SGBRG12 = b"GB12";
        /// 12-bit Bayer GRBG in 16-bit words.
        SGRBG12 = b"BA12";
        /// 12-bit Bayer RGGB in 16-bit words.
        SRGGB12 = b"RG12";
        /// 12-bit Bayer BGGR, CSI-2 packed.
        SBGGR12P = b"pBCC";
        /// 12-bit Bayer GBRG, CSI-2 packed.
        SGBRG12P = b"pGCC";
        /// 12-bit Bayer GRBG, CSI-2 packed.
        SGRBG12P = b"pgCC";
        /// 12-bit Bayer RGGB, CSI-2 packed.
        SRGGB12P = b"pRCC";
        /// 14-bit Bayer BGGR in 16-bit words.
        SBGGR14 = b"BG14";
        /// 14-bit Bayer GBRG in 16-bit words.
        SGBRG14 = b"GB14";
        /// 14-bit Bayer GRBG in 16-bit words.
        SGRBG14 = b"GR14";
        /// 14-bit Bayer RGGB in 16-bit words.
        SRGGB14 = b"RG14";
        /// 14-bit Bayer BGGR, CSI-2 packed.
        SBGGR14P = b"pBEE";
        /// 14-bit Bayer GBRG, CSI-2 packed.
        SGBRG14P = b"pGEE";
        /// 14-bit Bayer GRBG, CSI-2 packed.
        SGRBG14P = b"pgEE";
        /// 14-bit Bayer RGGB, CSI-2 packed.
        SRGGB14P = b"pREE";
        /// 16-bit Bayer BGGR.
        SBGGR16 = b"BYR2";
        /// 16-bit Bayer GBRG.
        SGBRG16 = b"GB16";
        /// 16-bit Bayer GRBG.
        SGRBG16 = b"GR16";
        /// 16-bit Bayer RGGB.
        SRGGB16 = b"RG16";
        /// 8-bit greyscale.
        GREY = b"GREY";
        /// 10-bit greyscale in 16-bit words.
        Y10 = b"Y10 ";
        /// 12-bit greyscale in 16-bit words.
        Y12 = b"Y12 ";
        /// 14-bit greyscale in 16-bit words.
        Y14 = b"Y14 ";
        /// 16-bit greyscale.
        Y16 = b"Y16 ";
        /// 10-bit greyscale, CSI-2 packed.
        Y10P = b"Y10P";
        /// 12-bit greyscale, CSI-2 packed.
        Y12P = b"Y12P";
        /// 14-bit greyscale, CSI-2 packed.
        Y14P = b"Y14P";
        /// Generic 8-bit line-based metadata.
        META_GENERIC_8 = b"MET8";
        /// Generic metadata carried as CSI-2 RAW10.
        META_GENERIC_CSI2_10 = b"MC1A";
        /// Generic metadata carried as CSI-2 RAW12.
        META_GENERIC_CSI2_12 = b"MC1C";
        /// Generic metadata carried as CSI-2 RAW14.
        META_GENERIC_CSI2_14 = b"MC1E";
    }
}

/// The colour filter order of a raw format, from its top-left pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BayerOrder {
    /// Blue, green / green, red.
    Bggr,
    /// Green, blue / red, green.
    Gbrg,
    /// Green, red / blue, green.
    Grbg,
    /// Red, green / green, blue.
    Rggb,
    /// No colour filter (greyscale).
    Mono,
}

impl BayerOrder {
    /// The order seen after flipping the image horizontally (`hflip`)
    /// and/or vertically (`vflip`), as sensors report it.
    pub const fn flipped(self, hflip: bool, vflip: bool) -> Self {
        let o = if hflip {
            match self {
                Self::Bggr => Self::Gbrg,
                Self::Gbrg => Self::Bggr,
                Self::Grbg => Self::Rggb,
                Self::Rggb => Self::Grbg,
                Self::Mono => Self::Mono,
            }
        } else {
            self
        };
        if vflip {
            match o {
                Self::Bggr => Self::Grbg,
                Self::Grbg => Self::Bggr,
                Self::Gbrg => Self::Rggb,
                Self::Rggb => Self::Gbrg,
                Self::Mono => Self::Mono,
            }
        } else {
            o
        }
    }
}

/// How the samples of a raw format are stored in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// As on the CSI-2 link: 8- and 16-bit samples one per byte or per
    /// little-endian word, 10-, 12- and 14-bit samples packed in groups
    /// (see the module documentation).
    Csi2,
    /// Each sample in the low bits of a little-endian 16-bit word.
    Unpacked16,
}

/// A raw (Bayer or greyscale) pixel format.
///
/// # Examples
///
/// ```
/// use kernel::media::pixfmt::{fourcc, BayerOrder, RawFormat, Storage};
///
/// let f = RawFormat::from_fourcc(fourcc::SRGGB10P).ok_or(EINVAL)?;
/// assert_eq!((f.order, f.bits, f.storage), (BayerOrder::Rggb, 10, Storage::Csi2));
/// // 1920 pixels of RAW10: 480 groups of 4 pixels in 5 bytes.
/// assert_eq!(f.line_bytes(1920), Some(2400));
/// // Unpacked, two bytes per pixel.
/// assert_eq!(f.unpacked().and_then(|u| u.line_bytes(1920)), Some(3840));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFormat {
    /// The colour filter order.
    pub order: BayerOrder,
    /// Significant bits per sample: 8, 10, 12, 14 or 16.
    pub bits: u8,
    /// How samples are stored.
    pub storage: Storage,
}

use BayerOrder::{Bggr, Gbrg, Grbg, Mono, Rggb};
use Storage::{Csi2, Unpacked16};

/// Every raw format with a fourcc.
const RAW_FORMATS: &[(FourCc, RawFormat)] = &{
    macro_rules! raw {
        ($($f:ident: $o:ident $b:literal $s:ident,)*) => {
            [$((fourcc::$f, RawFormat { order: $o, bits: $b, storage: $s }),)*]
        };
    }
    raw! {
        SBGGR8: Bggr 8 Csi2, SGBRG8: Gbrg 8 Csi2, SGRBG8: Grbg 8 Csi2, SRGGB8: Rggb 8 Csi2,
        SBGGR10P: Bggr 10 Csi2, SGBRG10P: Gbrg 10 Csi2,
        SGRBG10P: Grbg 10 Csi2, SRGGB10P: Rggb 10 Csi2,
        SBGGR10: Bggr 10 Unpacked16, SGBRG10: Gbrg 10 Unpacked16,
        SGRBG10: Grbg 10 Unpacked16, SRGGB10: Rggb 10 Unpacked16,
        SBGGR12P: Bggr 12 Csi2, SGBRG12P: Gbrg 12 Csi2,
        SGRBG12P: Grbg 12 Csi2, SRGGB12P: Rggb 12 Csi2,
        SBGGR12: Bggr 12 Unpacked16, SGBRG12: Gbrg 12 Unpacked16,
        SGRBG12: Grbg 12 Unpacked16, SRGGB12: Rggb 12 Unpacked16,
        SBGGR14P: Bggr 14 Csi2, SGBRG14P: Gbrg 14 Csi2,
        SGRBG14P: Grbg 14 Csi2, SRGGB14P: Rggb 14 Csi2,
        SBGGR14: Bggr 14 Unpacked16, SGBRG14: Gbrg 14 Unpacked16,
        SGRBG14: Grbg 14 Unpacked16, SRGGB14: Rggb 14 Unpacked16,
        SBGGR16: Bggr 16 Unpacked16, SGBRG16: Gbrg 16 Unpacked16,
        SGRBG16: Grbg 16 Unpacked16, SRGGB16: Rggb 16 Unpacked16,
        GREY: Mono 8 Csi2, Y10P: Mono 10 Csi2, Y12P: Mono 12 Csi2, Y14P: Mono 14 Csi2,
        Y10: Mono 10 Unpacked16, Y12: Mono 12 Unpacked16, Y14: Mono 14 Unpacked16,
        Y16: Mono 16 Unpacked16,
    }
};

impl RawFormat {
    /// The raw format of `fourcc`, if it is one.
    pub fn from_fourcc(fourcc: FourCc) -> Option<Self> {
        RAW_FORMATS
            .iter()
            .find(|(f, _)| *f == fourcc)
            .map(|(_, r)| *r)
    }

    /// The fourcc of this format, if `videodev2.h` has one.
    pub fn fourcc(&self) -> Option<FourCc> {
        RAW_FORMATS.iter().find(|(_, r)| r == self).map(|(f, _)| *f)
    }

    /// The same samples stored in 16-bit words; `None` for 8-bit samples,
    /// which have no unpacked format.
    pub fn unpacked(&self) -> Option<Self> {
        let u = Self {
            storage: Unpacked16,
            ..*self
        };
        u.fourcc().map(|_| u)
    }

    /// The same samples stored as on the CSI-2 link.
    pub fn packed(&self) -> Option<Self> {
        let p = Self {
            storage: Csi2,
            ..*self
        };
        // RAW16 is stored the same way both ways.
        if self.bits == 16 {
            return Some(*self);
        }
        p.fourcc().map(|_| p)
    }

    /// Pixels per packing group: the smallest number of pixels that fills
    /// whole bytes.
    pub const fn pixels_per_group(&self) -> u32 {
        match (self.storage, self.bits) {
            (Csi2, 10) | (Csi2, 14) => 4,
            (Csi2, 12) => 2,
            _ => 1,
        }
    }

    /// Bytes per packing group.
    pub const fn bytes_per_group(&self) -> u32 {
        match self.storage {
            Csi2 => self.pixels_per_group() * self.bits as u32 / 8,
            Unpacked16 => 2,
        }
    }

    /// Bits a pixel takes in memory, padding included (10 for CSI-2
    /// RAW10, 16 for unpacked RAW10).
    pub const fn stored_bits(&self) -> u32 {
        match self.storage {
            Csi2 => self.bits as u32,
            Unpacked16 => 16,
        }
    }

    /// Bytes of a line of `width` pixels without padding: whole packing
    /// groups, the last one partly used. `None` on overflow.
    pub fn line_bytes(&self, width: u32) -> Option<u32> {
        width
            .div_ceil(self.pixels_per_group())
            .checked_mul(self.bytes_per_group())
    }
}

/// `value` rounded up to a multiple of `align` (a power of two); `None` on
/// overflow or if `align` is not a power of two.
pub const fn align_up(value: u32, align: u32) -> Option<u32> {
    if !align.is_power_of_two() {
        return None;
    }
    match value.checked_add(align - 1) {
        Some(v) => Some(v & !(align - 1)),
        None => None,
    }
}

/// Clamps `x` to `[min, max]` and rounds it to the nearest multiple of
/// `1 << align`, the way the V4L2 core's `clamp_align()` does, with the
/// same 32-bit wrapping arithmetic.
const fn clamp_align(x: u32, min: u32, max: u32, align: u32) -> u32 {
    let mask = !((1u32 << align).wrapping_sub(1));
    let lo = min.wrapping_add(!mask) & mask;
    let hi = max & mask;
    let mut x = if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    };
    if align != 0 {
        x = x.wrapping_add(1 << (align - 1)) & mask;
    }
    x
}

/// Bounds and aligns an image size, as `v4l_bound_align_image()` does:
/// `w` to `[wmin, wmax]` and a multiple of `1 << walign`, `h` to
/// `[hmin, hmax]` and a multiple of `1 << halign`, then, if `salign` is
/// not zero, `w * h` to a multiple of `1 << salign` by raising the
/// alignment of the less aligned of the two.
///
/// Alignments must be below 32 and `wmin`/`hmin` at least 1 when `salign`
/// is used; out-of-range arguments return the size unchanged.
#[allow(clippy::too_many_arguments)]
pub fn bound_align_image(
    w: u32,
    wmin: u32,
    wmax: u32,
    walign: u32,
    h: u32,
    hmin: u32,
    hmax: u32,
    halign: u32,
    salign: u32,
) -> (u32, u32) {
    if walign >= 32 || halign >= 32 || salign >= 64 {
        return (w, h);
    }
    let mut w = clamp_align(w, wmin, wmax, walign);
    let mut h = clamp_align(h, hmin, hmax, halign);
    if salign == 0 || w == 0 || h == 0 || wmin == 0 || hmin == 0 {
        return (w, h);
    }
    let ffs = |x: u32| x.trailing_zeros();
    let fls = |x: u32| 31 - x.leading_zeros();
    let mut wa = ffs(w);
    let mut ha = ffs(h);
    if wa + ha < salign {
        let (wx, hx) = (wmax ^ (wmin - 1), hmax ^ (hmin - 1));
        if wx == 0 || hx == 0 {
            return (w, h);
        }
        let wmaxa = fls(wx);
        let hmaxa = fls(hx);
        // Bounded: each step raises one alignment; both stop at their
        // maximum (where the clamped value stays fixed).
        for _ in 0..64 {
            if ha >= hmaxa || (wa <= ha && wa < wmaxa) {
                w = clamp_align(w, wmin, wmax, (wa + 1).min(31));
                wa = ffs(w);
            } else {
                h = clamp_align(h, hmin, hmax, (ha + 1).min(31));
                ha = ffs(h);
            }
            if wa + ha >= salign || w == 0 || h == 0 {
                break;
            }
        }
    }
    (w, h)
}

/// The format of an image (single-plane) video node: `struct
/// v4l2_pix_format`, with its enumerations as their `u32` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PixFormat {
    /// Width in pixels.
    pub width: u32,
    /// Height in lines.
    pub height: u32,
    /// The pixel format.
    pub pixelformat: FourCc,
    /// `enum v4l2_field`.
    pub field: u32,
    /// Bytes from the start of a line to the start of the next.
    pub bytesperline: u32,
    /// Bytes of the whole image.
    pub sizeimage: u32,
    /// `enum v4l2_colorspace`.
    pub colorspace: u32,
    /// `V4L2_PIX_FMT_FLAG_*`.
    pub flags: u32,
    /// `enum v4l2_ycbcr_encoding` (or `v4l2_hsv_encoding`).
    pub ycbcr_enc: u32,
    /// `enum v4l2_quantization`.
    pub quantization: u32,
    /// `enum v4l2_xfer_func`.
    pub xfer_func: u32,
}

impl PixFormat {
    /// The format as C has it (`priv` is `V4L2_PIX_FMT_PRIV_MAGIC`'s
    /// absence: zero).
    pub fn to_raw(&self) -> bindings::v4l2_pix_format {
        let mut raw = bindings::v4l2_pix_format {
            width: self.width,
            height: self.height,
            pixelformat: self.pixelformat.as_raw(),
            field: self.field,
            bytesperline: self.bytesperline,
            sizeimage: self.sizeimage,
            colorspace: self.colorspace,
            flags: self.flags,
            quantization: self.quantization,
            xfer_func: self.xfer_func,
            ..Default::default()
        };
        // SAFETY: Both members of the union are `u32`; the pointer is to
        // `raw`, which is ours.
        unsafe { *union_member_mut!(raw.__bindgen_anon_1.ycbcr_enc, u32) = self.ycbcr_enc };
        raw
    }

    /// The format `raw` as user space gave it.
    pub fn from_raw(raw: &bindings::v4l2_pix_format) -> Self {
        Self {
            width: raw.width,
            height: raw.height,
            pixelformat: FourCc::from_raw(raw.pixelformat),
            field: raw.field,
            bytesperline: raw.bytesperline,
            sizeimage: raw.sizeimage,
            colorspace: raw.colorspace,
            flags: raw.flags,
            // SAFETY: Both members of the union are `u32`; any value is
            // valid.
            ycbcr_enc: unsafe { *union_member!(raw.__bindgen_anon_1.ycbcr_enc, u32) },
            quantization: raw.quantization,
            xfer_func: raw.xfer_func,
        }
    }
}

/// The format of a metadata video node: `struct v4l2_meta_format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetaFormat {
    /// The metadata format.
    pub dataformat: FourCc,
    /// Bytes of a buffer.
    pub buffersize: u32,
    /// Width, for line-based formats (in data units).
    pub width: u32,
    /// Height (lines), for line-based formats.
    pub height: u32,
    /// Bytes per line, for line-based formats.
    pub bytesperline: u32,
}

impl MetaFormat {
    /// The format as C has it.
    pub fn to_raw(&self) -> bindings::v4l2_meta_format {
        bindings::v4l2_meta_format {
            dataformat: self.dataformat.as_raw(),
            buffersize: self.buffersize,
            width: self.width,
            height: self.height,
            bytesperline: self.bytesperline,
        }
    }

    /// The format `raw` as user space gave it.
    pub fn from_raw(raw: &bindings::v4l2_meta_format) -> Self {
        // Copies: the C structure is packed.
        let (dataformat, buffersize, width, height, bytesperline) = (
            raw.dataformat,
            raw.buffersize,
            raw.width,
            raw.height,
            raw.bytesperline,
        );
        Self {
            dataformat: FourCc::from_raw(dataformat),
            buffersize,
            width,
            height,
            bytesperline,
        }
    }
}

#[cfg(CONFIG_RUST_MEDIA_PIXFMT_KUNIT_TEST)]
#[path = "pixfmt_tests.rs"]
mod tests;
