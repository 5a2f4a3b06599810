// SPDX-License-Identifier: GPL-2.0

//! The formats Unicam receives and writes, and the size arithmetic of its
//! image and metadata buffers, as the C driver has them.

use kernel::media::{
    mbus::{self, csi2_dt, Code},
    pixfmt::{align_up, bound_align_image, fourcc, FourCc, MetaFormat, PixFormat},
};

use crate::regs::pipe;

/// Unicam's DMA writes lines aligned to this many bytes.
pub(crate) const DMA_BPL_ALIGNMENT: u32 = 16;
/// Image line stride alignment: the ISP of the same SoC wants 32 bytes.
pub(crate) const IMAGE_BPL_ALIGNMENT: u32 = 32;
/// The largest image stride the 16-bit stride register holds, aligned.
pub(crate) const IMAGE_MAX_BPL: u32 = (1 << 16) - IMAGE_BPL_ALIGNMENT;
/// Image size bounds (the width at 32 bits per pixel fits the stride).
pub(crate) const IMAGE_MIN_WIDTH: u32 = 16;
/// Idem.
pub(crate) const IMAGE_MIN_HEIGHT: u32 = 16;
/// Idem.
pub(crate) const IMAGE_MAX_WIDTH: u32 = IMAGE_MAX_BPL / 4;
/// Idem.
pub(crate) const IMAGE_MAX_HEIGHT: u32 = IMAGE_MAX_WIDTH;
/// Metadata size bounds.
pub(crate) const META_MIN_WIDTH: u32 = 1;
/// Idem.
pub(crate) const META_MIN_HEIGHT: u32 = 1;
/// Idem.
pub(crate) const META_MAX_WIDTH: u32 = IMAGE_MAX_WIDTH;
/// Idem.
pub(crate) const META_MAX_HEIGHT: u32 = IMAGE_MAX_HEIGHT;

/// A format of the image or metadata source pad and its video node.
#[derive(Debug)]
pub(crate) struct FormatInfo {
    /// The pixel format written as received.
    pub(crate) fourcc: FourCc,
    /// The pixel format written unpacked to 16 bits per sample, if any.
    pub(crate) unpacked: Option<FourCc>,
    /// The media bus code.
    pub(crate) code: Code,
    /// Bits per pixel as received.
    pub(crate) depth: u8,
    /// The CSI-2 data type (image formats).
    pub(crate) csi_dt: u8,
    /// The `PUM` value that unpacks to `unpacked`.
    pub(crate) unpack: u32,
}

macro_rules! fmt {
    ($f:ident, $code:ident, $depth:literal, $dt:ident) => {
        FormatInfo {
            fourcc: fourcc::$f,
            unpacked: None,
            code: Code::$code,
            depth: $depth,
            csi_dt: csi2_dt::$dt,
            unpack: pipe::NONE,
        }
    };
    ($f:ident / $u:ident, $code:ident, $depth:literal, $dt:ident, $unpack:ident) => {
        FormatInfo {
            fourcc: fourcc::$f,
            unpacked: Some(fourcc::$u),
            code: Code::$code,
            depth: $depth,
            csi_dt: csi2_dt::$dt,
            unpack: pipe::$unpack,
        }
    };
}

/// The image formats, in the C driver's order (the first is the default).
pub(crate) static IMAGE_FORMATS: [FormatInfo; 27] = [
    fmt!(YUYV, YUYV8_1X16, 16, YUV422_8B),
    fmt!(UYVY, UYVY8_1X16, 16, YUV422_8B),
    fmt!(YVYU, YVYU8_1X16, 16, YUV422_8B),
    fmt!(VYUY, VYUY8_1X16, 16, YUV422_8B),
    fmt!(RGB565, RGB565_1X16, 16, RGB565),
    fmt!(RGB24, BGR888_1X24, 24, RGB888),
    fmt!(BGR24, RGB888_1X24, 24, RGB888),
    fmt!(SBGGR8, SBGGR8_1X8, 8, RAW8),
    fmt!(SGBRG8, SGBRG8_1X8, 8, RAW8),
    fmt!(SGRBG8, SGRBG8_1X8, 8, RAW8),
    fmt!(SRGGB8, SRGGB8_1X8, 8, RAW8),
    fmt!(SBGGR10P / SBGGR10, SBGGR10_1X10, 10, RAW10, UNPACK10),
    fmt!(SGBRG10P / SGBRG10, SGBRG10_1X10, 10, RAW10, UNPACK10),
    fmt!(SGRBG10P / SGRBG10, SGRBG10_1X10, 10, RAW10, UNPACK10),
    fmt!(SRGGB10P / SRGGB10, SRGGB10_1X10, 10, RAW10, UNPACK10),
    fmt!(SBGGR12P / SBGGR12, SBGGR12_1X12, 12, RAW12, UNPACK12),
    fmt!(SGBRG12P / SGBRG12, SGBRG12_1X12, 12, RAW12, UNPACK12),
    fmt!(SGRBG12P / SGRBG12, SGRBG12_1X12, 12, RAW12, UNPACK12),
    fmt!(SRGGB12P / SRGGB12, SRGGB12_1X12, 12, RAW12, UNPACK12),
    fmt!(SBGGR14P / SBGGR14, SBGGR14_1X14, 14, RAW14, UNPACK14),
    fmt!(SGBRG14P / SGBRG14, SGBRG14_1X14, 14, RAW14, UNPACK14),
    fmt!(SGRBG14P / SGRBG14, SGRBG14_1X14, 14, RAW14, UNPACK14),
    fmt!(SRGGB14P / SRGGB14, SRGGB14_1X14, 14, RAW14, UNPACK14),
    fmt!(GREY, Y8_1X8, 8, RAW8),
    fmt!(Y10P / Y10, Y10_1X10, 10, RAW10, UNPACK10),
    fmt!(Y12P / Y12, Y12_1X12, 12, RAW12, UNPACK12),
    fmt!(Y14P / Y14, Y14_1X14, 14, RAW14, UNPACK14),
];

/// The metadata formats (no CSI-2 data type: they follow the sensor's).
pub(crate) static META_FORMATS: [FormatInfo; 4] = [
    FormatInfo {
        fourcc: fourcc::META_GENERIC_8,
        unpacked: None,
        code: Code::META_8,
        depth: 8,
        csi_dt: 0,
        unpack: pipe::NONE,
    },
    FormatInfo {
        fourcc: fourcc::META_GENERIC_CSI2_10,
        unpacked: None,
        code: Code::META_10,
        depth: 10,
        csi_dt: 0,
        unpack: pipe::NONE,
    },
    FormatInfo {
        fourcc: fourcc::META_GENERIC_CSI2_12,
        unpacked: None,
        code: Code::META_12,
        depth: 12,
        csi_dt: 0,
        unpack: pipe::NONE,
    },
    FormatInfo {
        fourcc: fourcc::META_GENERIC_CSI2_14,
        unpacked: None,
        code: Code::META_14,
        depth: 14,
        csi_dt: 0,
        unpack: pipe::NONE,
    },
];

/// Image or metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The image pad and node.
    Image,
    /// The metadata (embedded data) pad and node.
    Meta,
}

impl Kind {
    /// The formats of this kind.
    pub(crate) fn formats(self) -> &'static [FormatInfo] {
        match self {
            Kind::Image => &IMAGE_FORMATS,
            Kind::Meta => &META_FORMATS,
        }
    }
}

/// The format of media bus code `code` for `kind`.
pub(crate) fn by_code(code: Code, kind: Kind) -> Option<&'static FormatInfo> {
    kind.formats().iter().find(|f| f.code == code)
}

/// The format of pixel format `f` (packed or unpacked) for `kind`.
pub(crate) fn by_fourcc(f: FourCc, kind: Kind) -> Option<&'static FormatInfo> {
    kind.formats()
        .iter()
        .find(|i| i.fourcc == f || i.unpacked == Some(f))
}

/// `ALIGN(x, a)` of the C driver: the 32-bit arithmetic wraps.
fn align_wrapping(x: u32, a: u32) -> u32 {
    x.wrapping_add(a - 1) & !(a - 1)
}

/// Bounds and aligns the size of `pix`, and computes its stride (at least
/// what a line needs, aligned, at most what the stride register holds)
/// and image size, as the C driver's `unicam_calc_image_size_bpl()`.
pub(crate) fn calc_image_size_bpl(info: &FormatInfo, pix: &mut PixFormat) {
    let (w, h) = bound_align_image(
        pix.width,
        IMAGE_MIN_WIDTH,
        IMAGE_MAX_WIDTH,
        2,
        pix.height,
        IMAGE_MIN_HEIGHT,
        IMAGE_MAX_HEIGHT,
        0,
        0,
    );
    pix.width = w;
    pix.height = h;
    // Bounded above: at most 16376 pixels of 24 bits, or 2 bytes unpacked.
    let min_bpl = if info.unpacked == Some(pix.pixelformat) {
        w * 2
    } else {
        w * u32::from(info.depth) / 8
    };
    let min_bpl = align_up(min_bpl, IMAGE_BPL_ALIGNMENT).unwrap_or(IMAGE_MAX_BPL);
    pix.bytesperline =
        align_wrapping(pix.bytesperline, IMAGE_BPL_ALIGNMENT).clamp(min_bpl, IMAGE_MAX_BPL);
    pix.sizeimage = h * pix.bytesperline;
}

/// Bounds the size of `meta` and computes its stride and buffer size, as
/// the C driver's `unicam_calc_meta_size_bpl()`.
pub(crate) fn calc_meta_size_bpl(info: &FormatInfo, meta: &mut MetaFormat) {
    let (w, h) = bound_align_image(
        meta.width,
        META_MIN_WIDTH,
        META_MAX_WIDTH,
        0,
        meta.height,
        META_MIN_HEIGHT,
        META_MAX_HEIGHT,
        0,
        0,
    );
    meta.width = w;
    meta.height = h;
    meta.bytesperline = align_wrapping(w * u32::from(info.depth) / 8, DMA_BPL_ALIGNMENT);
    meta.buffersize = h * meta.bytesperline;
}

/// The default format of the sink and image source pads (the C driver's
/// `unicam_default_image_format`).
pub(crate) fn default_image_mbus() -> mbus::FrameFormat {
    let mut f = mbus::FrameFormat::default();
    f.set_size(640, 480);
    f.set_code(Code::UYVY8_1X16);
    f.set_field(mbus::Field::NONE);
    f.set_colorspace(mbus::Colorspace::SRGB);
    f.set_ycbcr_enc(mbus::YcbcrEnc::ENC_601);
    f.set_quantization(mbus::Quantization::LIM_RANGE);
    f.set_xfer_func(mbus::XferFunc::SRGB);
    f
}

/// The default format of the metadata pads (`unicam_default_meta_format`).
pub(crate) fn default_meta_mbus() -> mbus::FrameFormat {
    let mut f = mbus::FrameFormat::default();
    f.set_size(640, 2);
    f.set_code(Code::META_8);
    f.set_field(mbus::Field::NONE);
    f
}

/// The default image node format: the default bus format's size and
/// colours with the first pixel format (YUYV, as the C driver has it).
pub(crate) fn default_pix() -> PixFormat {
    let m = default_image_mbus();
    let info = &IMAGE_FORMATS[0];
    let mut pix = PixFormat {
        width: m.width(),
        height: m.height(),
        pixelformat: info.fourcc,
        field: m.field().as_raw(),
        colorspace: m.colorspace().as_raw(),
        ycbcr_enc: u32::from(m.ycbcr_enc().as_raw()),
        quantization: u32::from(m.quantization().as_raw()),
        xfer_func: u32::from(m.xfer_func().as_raw()),
        ..Default::default()
    };
    calc_image_size_bpl(info, &mut pix);
    pix
}

/// The default metadata node format.
pub(crate) fn default_meta() -> MetaFormat {
    let m = default_meta_mbus();
    let info = &META_FORMATS[0];
    let mut meta = MetaFormat {
        dataformat: info.fourcc,
        width: m.width(),
        height: m.height(),
        ..Default::default()
    };
    calc_meta_size_bpl(info, &mut meta);
    meta
}

#[kernel::prelude::kunit_tests(bcm2835_unicam_rs_formats)]
mod tests {
    use super::*;
    use kernel::media::pixfmt::{RawFormat, Storage};

    /// Every raw entry agrees with the pixel format table of the
    /// abstractions: depth, CSI-2 packing, unpacked twin.
    #[test]
    fn raw_entries_consistent() {
        for f in IMAGE_FORMATS.iter() {
            let Some(raw) = RawFormat::from_fourcc(f.fourcc) else {
                // YUV and RGB: not raw, never unpacked.
                assert!(f.unpacked.is_none());
                continue;
            };
            assert_eq!(raw.bits, f.depth);
            assert_eq!(raw.storage, Storage::Csi2);
            match f.unpacked {
                Some(u) => {
                    let ur = RawFormat::from_fourcc(u);
                    assert_eq!(ur, raw.unpacked());
                    assert_ne!(f.unpack, pipe::NONE);
                }
                None => {
                    assert_eq!(f.depth, 8);
                    assert_eq!(f.unpack, pipe::NONE);
                }
            }
            // The PUM value is the depth's: 4 for RAW10, 5 for 12, 6 for 14.
            if f.depth > 8 {
                assert_eq!(f.unpack, u32::from(f.depth) / 2 - 1);
            }
        }
    }

    #[test]
    fn codes_and_data_types() {
        for f in IMAGE_FORMATS.iter() {
            if let Some(info) = f.code.info() {
                assert_eq!(info.bpp, f.depth);
                assert_eq!(info.csi2_dt, f.csi_dt);
            }
        }
        // No code or fourcc appears twice in a table.
        for t in [&IMAGE_FORMATS[..], &META_FORMATS[..]] {
            for (i, a) in t.iter().enumerate() {
                for b in &t[i + 1..] {
                    assert_ne!(a.code, b.code);
                    assert_ne!(a.fourcc, b.fourcc);
                }
            }
        }
        assert!(by_fourcc(fourcc::SRGGB10, Kind::Image).is_some());
        assert!(by_fourcc(fourcc::SRGGB10, Kind::Meta).is_none());
        assert!(by_code(Code::META_8, Kind::Image).is_none());
    }

    fn image(f: FourCc, w: u32, h: u32, bpl: u32) -> PixFormat {
        let mut p = PixFormat {
            width: w,
            height: h,
            pixelformat: f,
            bytesperline: bpl,
            ..Default::default()
        };
        if let Some(info) = by_fourcc(f, Kind::Image) {
            calc_image_size_bpl(info, &mut p);
        }
        p
    }

    #[test]
    fn image_sizes() {
        // 640x480 RAW10: 800 bytes a line (already a multiple of 32).
        let p = image(fourcc::SRGGB10P, 640, 480, 0);
        assert_eq!((p.bytesperline, p.sizeimage), (800, 384_000));
        // 1920x1080 RAW10: 2400 bytes; unpacked 3840.
        let p = image(fourcc::SRGGB10P, 1920, 1080, 0);
        assert_eq!((p.bytesperline, p.sizeimage), (2400, 2_592_000));
        let p = image(fourcc::SRGGB10, 1920, 1080, 0);
        assert_eq!(p.bytesperline, 3840);
        // 3280 RAW10: 4100 -> 4128; 1640 RAW10: 2050 -> 2080; RAW8 1664.
        assert_eq!(image(fourcc::SRGGB10P, 3280, 2464, 0).bytesperline, 4128);
        assert_eq!(image(fourcc::SRGGB10P, 1640, 1232, 0).bytesperline, 2080);
        assert_eq!(image(fourcc::SRGGB8, 1640, 1232, 0).bytesperline, 1664);
        // A larger stride is kept (aligned); a huge one is clamped.
        assert_eq!(image(fourcc::SRGGB8, 640, 480, 1000).bytesperline, 1024);
        assert_eq!(
            image(fourcc::SRGGB8, 640, 480, 1 << 20).bytesperline,
            IMAGE_MAX_BPL
        );
        // ALIGN() wraps in C: the stride then falls back to the minimum.
        assert_eq!(image(fourcc::SRGGB8, 640, 480, u32::MAX).bytesperline, 640);
        // Sizes are bounded and the width rounded to a multiple of 4.
        let p = image(fourcc::YUYV, 1, 1, 0);
        assert_eq!((p.width, p.height, p.bytesperline), (16, 16, 32));
        let p = image(fourcc::RGB24, 99_999, 99_999, 0);
        assert_eq!((p.width, p.height), (16376, 16376));
        assert_eq!(p.bytesperline, 49_152);
        assert_eq!(image(fourcc::YUYV, 1922, 2, 0).width, 1924);
    }

    #[test]
    fn meta_sizes() {
        let mut m = MetaFormat {
            dataformat: fourcc::META_GENERIC_CSI2_10,
            width: 3280,
            height: 2,
            ..Default::default()
        };
        calc_meta_size_bpl(&META_FORMATS[1], &mut m);
        // 3280 * 10 / 8 = 4100, aligned to 16: 4112.
        assert_eq!((m.bytesperline, m.buffersize), (4112, 8224));
    }

    #[test]
    fn defaults() {
        let p = default_pix();
        assert_eq!(p.pixelformat, fourcc::YUYV);
        assert_eq!(
            (p.width, p.height, p.bytesperline, p.sizeimage),
            (640, 480, 1280, 614_400)
        );
        let m = default_meta();
        assert_eq!(m.dataformat, fourcc::META_GENERIC_8);
        assert_eq!(
            (m.width, m.height, m.bytesperline, m.buffersize),
            (640, 2, 640, 1280)
        );
    }
}
