// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the pixel format tables and arithmetic. The expected
//! values are worked out by hand from the CSI-2 specification's packing
//! (RAW10: 4 pixels in 5 bytes, RAW12: 2 in 3, RAW14: 4 in 7) and from the
//! character codes of `videodev2.h`, not from the code under test.

#[::kernel::macros::kunit_tests(media_pixfmt)]
mod cases {
    use crate::media::pixfmt::{
        align_up, bound_align_image, fourcc, BayerOrder, FourCc, MetaFormat, PixFormat, RawFormat,
        Storage,
    };

    #[test]
    fn fourcc_codes() {
        // v4l2_fourcc('p', 'B', 'A', 'A') = 0x70 | 0x42 << 8 | 0x41 << 16 | 0x41 << 24.
        assert_eq!(fourcc::SBGGR10P.as_raw(), 0x4141_4270);
        // 'B', 'A', '8', '1'
        assert_eq!(fourcc::SBGGR8.as_raw(), 0x3138_4142);
        // 'Y', '1', '0', ' '
        assert_eq!(fourcc::Y10.as_raw(), 0x2030_3159);
        // 'M', 'E', 'T', '8'
        assert_eq!(fourcc::META_GENERIC_8.as_raw(), 0x3854_454d);
        assert_eq!(FourCc::from_raw(0x4141_4270), fourcc::SBGGR10P);
        assert!(FourCc::from_raw(0).is_none());
    }

    #[test]
    fn raw_table_lookups() {
        let f = RawFormat::from_fourcc(fourcc::SGRBG12P);
        assert_eq!(
            f,
            Some(RawFormat {
                order: BayerOrder::Grbg,
                bits: 12,
                storage: Storage::Csi2
            })
        );
        assert_eq!(RawFormat::from_fourcc(fourcc::YUYV), None);
        assert_eq!(RawFormat::from_fourcc(fourcc::META_GENERIC_8), None);

        // Every packed Bayer format with 10, 12 or 14 bits has an unpacked
        // twin of the same order and back.
        let pairs = [
            (fourcc::SBGGR10P, fourcc::SBGGR10),
            (fourcc::SGBRG10P, fourcc::SGBRG10),
            (fourcc::SGRBG10P, fourcc::SGRBG10),
            (fourcc::SRGGB10P, fourcc::SRGGB10),
            (fourcc::SBGGR12P, fourcc::SBGGR12),
            (fourcc::SRGGB12P, fourcc::SRGGB12),
            (fourcc::SGRBG14P, fourcc::SGRBG14),
            (fourcc::SRGGB14P, fourcc::SRGGB14),
            (fourcc::Y10P, fourcc::Y10),
            (fourcc::Y12P, fourcc::Y12),
            (fourcc::Y14P, fourcc::Y14),
        ];
        for (p, u) in pairs {
            let rp = RawFormat::from_fourcc(p);
            let ru = RawFormat::from_fourcc(u);
            assert!(rp.is_some() && ru.is_some());
            assert_eq!(rp.and_then(|r| r.unpacked()), ru);
            assert_eq!(ru.and_then(|r| r.packed()), rp);
            assert_eq!(rp.and_then(|r| r.fourcc()), Some(p));
        }
        // 8-bit samples have no unpacked format.
        assert_eq!(
            RawFormat::from_fourcc(fourcc::SRGGB8).and_then(|r| r.unpacked()),
            None
        );
        assert_eq!(
            RawFormat::from_fourcc(fourcc::GREY).and_then(|r| r.unpacked()),
            None
        );
    }

    fn bpl(f: FourCc, width: u32) -> Option<u32> {
        RawFormat::from_fourcc(f).and_then(|r| r.line_bytes(width))
    }

    #[test]
    fn line_bytes() {
        // The IMX219 modes in RAW8 and RAW10.
        assert_eq!(bpl(fourcc::SRGGB8, 3280), Some(3280));
        assert_eq!(bpl(fourcc::SRGGB10P, 3280), Some(4100));
        assert_eq!(bpl(fourcc::SRGGB10P, 1920), Some(2400));
        assert_eq!(bpl(fourcc::SRGGB10P, 1640), Some(2050));
        assert_eq!(bpl(fourcc::SRGGB10P, 640), Some(800));
        // Unpacked: two bytes per pixel whatever the depth.
        assert_eq!(bpl(fourcc::SRGGB10, 1920), Some(3840));
        assert_eq!(bpl(fourcc::Y14, 7), Some(14));
        assert_eq!(bpl(fourcc::SBGGR16, 100), Some(200));
        // RAW12 and RAW14.
        assert_eq!(bpl(fourcc::SBGGR12P, 1920), Some(2880));
        assert_eq!(bpl(fourcc::SBGGR14P, 1920), Some(3360));
        // A partial last group takes its whole group's bytes.
        assert_eq!(bpl(fourcc::SBGGR10P, 642), Some(805));
        assert_eq!(bpl(fourcc::SBGGR10P, 1), Some(5));
        assert_eq!(bpl(fourcc::SBGGR12P, 641), Some(963));
        assert_eq!(bpl(fourcc::Y14P, 5), Some(14));
        assert_eq!(bpl(fourcc::GREY, 0), Some(0));
        // Overflow is reported, not wrapped.
        assert_eq!(bpl(fourcc::SBGGR16, u32::MAX), None);
        assert_eq!(bpl(fourcc::SBGGR10P, u32::MAX), None);
    }

    #[test]
    fn groups() {
        let r10 = RawFormat {
            order: BayerOrder::Mono,
            bits: 10,
            storage: Storage::Csi2,
        };
        assert_eq!((r10.pixels_per_group(), r10.bytes_per_group()), (4, 5));
        assert_eq!(r10.stored_bits(), 10);
        let u10 = RawFormat {
            storage: Storage::Unpacked16,
            ..r10
        };
        assert_eq!((u10.pixels_per_group(), u10.bytes_per_group()), (1, 2));
        assert_eq!(u10.stored_bits(), 16);
    }

    #[test]
    fn bayer_flips() {
        use BayerOrder::*;
        // The IMX219 reads RGGB unflipped; its C driver's table gives
        // GRBG for hflip, GBRG for vflip, BGGR for both.
        assert_eq!(Rggb.flipped(false, false), Rggb);
        assert_eq!(Rggb.flipped(true, false), Grbg);
        assert_eq!(Rggb.flipped(false, true), Gbrg);
        assert_eq!(Rggb.flipped(true, true), Bggr);
        assert_eq!(Bggr.flipped(true, true), Rggb);
        assert_eq!(Mono.flipped(true, true), Mono);
    }

    #[test]
    fn alignment() {
        assert_eq!(align_up(800, 32), Some(800));
        assert_eq!(align_up(2050, 32), Some(2080));
        assert_eq!(align_up(0, 16), Some(0));
        assert_eq!(align_up(1, 16), Some(16));
        assert_eq!(align_up(u32::MAX, 16), None);
        assert_eq!(align_up(100, 24), None);
    }

    #[test]
    fn bound_align() {
        // Unicam's image bounds: width 16..16376 in steps of 4 (walign 2),
        // height 16..16376.
        let b = |w, h| bound_align_image(w, 16, 16376, 2, h, 16, 16376, 0, 0);
        assert_eq!(b(640, 480), (640, 480));
        // Round to the nearest multiple of 4: 1921 -> 1920, 1922 -> 1924.
        assert_eq!(b(1921, 1081), (1920, 1081));
        assert_eq!(b(1922, 3), (1924, 16));
        assert_eq!(b(0, 0), (16, 16));
        assert_eq!(b(u32::MAX, u32::MAX), (16376, 16376));
        // Image alignment: 2^10 pixels from 31 x 31 with walign 0: the
        // width is raised first while not more aligned than the height.
        let (w, h) = bound_align_image(31, 1, 4096, 0, 31, 1, 4096, 0, 10);
        assert!((w.trailing_zeros() + h.trailing_zeros()) >= 10);
        assert!(w <= 4096 && h <= 4096);
    }

    /// The Rust `bound_align_image` gives what the C
    /// `v4l_bound_align_image` gives, over a grid of inputs.
    #[cfg(CONFIG_RUST_MEDIA_ABSTRACTIONS)]
    #[test]
    fn bound_align_matches_c() {
        /// `(w, wmin, wmax, walign, h, hmin, hmax, halign, salign)`.
        type Case = (u32, u32, u32, u32, u32, u32, u32, u32, u32);
        let cases: [Case; 8] = [
            (640, 16, 16376, 2, 480, 16, 16376, 0, 0),
            (1, 1, 65535, 1, 1, 1, 65535, 1, 0),
            (333, 48, 2048, 3, 777, 32, 2048, 1, 0),
            (31, 1, 4096, 0, 31, 1, 4096, 0, 10),
            (100, 2, 8192, 1, 7, 2, 8192, 0, 12),
            (4095, 16, 4096, 4, 4095, 16, 4096, 4, 0),
            (17, 16, 1920, 3, 9, 8, 1080, 1, 6),
            (u32::MAX, 0, u32::MAX, 0, 5, 1, 9, 0, 0),
        ];
        for (w0, wmin, wmax, wal, h0, hmin, hmax, hal, sal) in cases {
            for dw in 0..5u32 {
                let (mut cw, mut ch) = (w0.wrapping_add(dw), h0);
                // SAFETY: Plain arithmetic on the two locals.
                unsafe {
                    crate::bindings::v4l_bound_align_image(
                        &mut cw, wmin, wmax, wal, &mut ch, hmin, hmax, hal, sal,
                    )
                };
                let r = bound_align_image(
                    w0.wrapping_add(dw),
                    wmin,
                    wmax,
                    wal,
                    h0,
                    hmin,
                    hmax,
                    hal,
                    sal,
                );
                assert_eq!(r, (cw, ch));
            }
        }
    }

    #[test]
    fn format_round_trip() {
        let p = PixFormat {
            width: 1920,
            height: 1080,
            pixelformat: fourcc::SRGGB10P,
            field: 1,
            bytesperline: 2400,
            sizeimage: 2400 * 1080,
            colorspace: 11,
            flags: 0,
            ycbcr_enc: 1,
            quantization: 2,
            xfer_func: 3,
        };
        assert_eq!(PixFormat::from_raw(&p.to_raw()), p);
        let m = MetaFormat {
            dataformat: fourcc::META_GENERIC_8,
            buffersize: 1280,
            width: 640,
            height: 2,
            bytesperline: 640,
        };
        assert_eq!(MetaFormat::from_raw(&m.to_raw()), m);
    }
}
