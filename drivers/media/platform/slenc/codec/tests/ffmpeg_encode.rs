// SPDX-License-Identifier: GPL-2.0
//! The codec layer and the virtual engine against ffmpeg: every stream is
//! decoded with `-err_detect explode` and must equal the reconstruction
//! bit for bit.

mod common;
use common::*;
use slenc_codec::controls::{self as ctl, BitrateMode};
use slenc_codec::engine::{BUF_FLAG_KEYFRAME, BUF_FLAG_PFRAME};
use slenc_codec::layout::{InputFormat, Rect, INPUT_FORMATS};
use slenc_codec::rc::Kind;
use slenc_codec::virt::Faults;
use slenc_codec::vui;

fn frames(w: u32, h: u32, n: usize, c: Content) -> Vec<Yuv> {
    (0..n)
        .map(|t| gen(w as usize, h as usize, t, c, 11))
        .collect()
}

/// NV12, NV12M, YUV420 and YUV420M (with padded lines) give the same
/// stream for the same pictures, and it decodes to the reconstruction.
#[test]
fn input_layouts() {
    let (w, h) = (320, 184);
    let pics = frames(w, h, 12, Content::Mixed);
    let mut first: Option<Vec<u8>> = None;
    for f in INPUT_FORMATS {
        let s = stream_info(f, w, h, [w + 64, w + 32, w / 2 + 8]);
        let mut c = Client::new(w, h);
        c.gop = 6;
        let (e, _) = encode_seq(&mut c, s, &pics, false, Faults::default());
        check_decode(&format!("layout-{f:?}"), &e);
        match &first {
            None => first = Some(e.stream.clone()),
            Some(x) => assert!(x == &e.stream, "{f:?}: stream differs from NV12"),
        }
    }
}

/// The driver writing the slice header (the backend resumes its NAL unit
/// at any bit position) gives the same stream as the backend writing it.
#[test]
fn slice_header_by_driver_or_backend() {
    let (w, h) = (176, 144);
    let pics = frames(w, h, 10, Content::Pan);
    let s = stream_info(InputFormat::Nv12, w, h, [0; 3]);
    let (a, _) = encode_seq(&mut Client::new(w, h), s, &pics, false, Faults::default());
    let (b, _) = encode_seq(&mut Client::new(w, h), s, &pics, true, Faults::default());
    assert!(a.stream == b.stream);
    check_decode("sw-slice-header", &b);
}

/// Direct QP per type, AUD, SPS/PPS before IDR pictures, buffer flags.
#[test]
fn direct_qp_aud_prepend() {
    let (w, h) = (160, 96);
    let pics = frames(w, h, 9, Content::Gradient);
    let s = stream_info(InputFormat::Yuv420, w, h, [0; 3]);
    for prepend in [false, true] {
        let mut c = Client::new(w, h);
        c.gop = 4;
        let ct = &mut c.controls;
        ct.set(ctl::CID_MPEG_VIDEO_H264_I_FRAME_QP, 20).unwrap();
        ct.set(ctl::CID_MPEG_VIDEO_H264_P_FRAME_QP, 33).unwrap();
        ct.set(ctl::CID_MPEG_VIDEO_H264_P_FRAME_MAX_QP, 31).unwrap();
        ct.set(ctl::CID_MPEG_VIDEO_AU_DELIMITER, 1).unwrap();
        ct.set(ctl::CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR, prepend as i32)
            .unwrap();
        let (e, _) = encode_seq(&mut c, s, &pics, false, Faults::default());
        check_decode("direct", &e);
        for (i, f) in e.frames.iter().enumerate() {
            let key = i % 4 == 0;
            assert_eq!(f.kind, if key { Kind::I } else { Kind::P });
            assert_eq!(f.qp, if key { 20 } else { 31 }, "frame {i}");
            assert_eq!(
                f.flags,
                if key {
                    BUF_FLAG_KEYFRAME
                } else {
                    BUF_FLAG_PFRAME
                }
            );
        }
        let t = nal_types(&e.stream);
        assert_eq!(
            t.iter().filter(|&&x| x == 9).count(),
            9,
            "one AUD per frame"
        );
        assert_eq!(t[0], 9);
        let sps = t.iter().filter(|&&x| x == 7).count();
        let pps = t.iter().filter(|&&x| x == 8).count();
        // IDR pictures at 0, 4 and 8.
        assert_eq!((sps, pps), if prepend { (3, 3) } else { (1, 1) });
        assert_eq!(t.iter().filter(|&&x| x == 5).count(), 3);
    }
}

/// Crop, colorimetry, frame rate and sample aspect ratio as ffprobe reads
/// them.
#[test]
fn vui_crop_colour_timing_sar() {
    let (w, h) = (320, 240);
    let pics = frames(w, h, 4, Content::Mixed);
    let mut s = stream_info(InputFormat::Nv12, w, h, [0; 3]);
    s.crop = Rect {
        left: 8,
        top: 4,
        width: 300,
        height: 230,
    };
    s.colorimetry.colorspace = vui::COLORSPACE_REC709;
    s.colorimetry.quantization = vui::QUANTIZATION_FULL_RANGE;
    s.timeperframe = (1001, 30000);
    let mut c = Client::new(w, h);
    c.controls
        .set(ctl::CID_MPEG_VIDEO_H264_VUI_SAR_ENABLE, 1)
        .unwrap();
    c.controls
        .set(
            ctl::CID_MPEG_VIDEO_H264_VUI_SAR_IDC,
            ctl::VUI_SAR_IDC_EXTENDED,
        )
        .unwrap();
    c.controls
        .set(ctl::CID_MPEG_VIDEO_H264_VUI_EXT_SAR_WIDTH, 4)
        .unwrap();
    c.controls
        .set(ctl::CID_MPEG_VIDEO_H264_VUI_EXT_SAR_HEIGHT, 3)
        .unwrap();
    let (e, _) = encode_seq(&mut c, s, &pics, false, Faults::default());
    if let Ok(p) = std::env::var("SLENC_DUMP") {
        std::fs::write(p, &e.stream).unwrap();
    }
    check_decode("vui", &e);
    let p = ffprobe(&e.stream, "vui");
    for want in [
        "width=300",
        "height=230",
        "sample_aspect_ratio=4:3",
        "color_range=pc",
        "color_space=bt709",
        "color_transfer=bt709",
        "color_primaries=bt709",
        "r_frame_rate=30000/1001",
        "profile=Constrained Baseline",
        "level=31",
    ] {
        assert!(p.lines().any(|l| l == want), "ffprobe lacks {want}:\n{p}");
    }
    // PSNR of the visible area against the source: the crop took the
    // right samples.
    let cr = slenc_codec::layout::try_crop(w, h, s.crop);
    let q = psnr(&crop_yuv(&pics[0], cr), &e.recon[0]);
    assert!(q > 35.0, "PSNR {q}");
}

/// Non-reference P pictures, a long-term IDR picture, POC wrap.
#[test]
fn references() {
    let (w, h) = (192, 128);
    let pics = frames(w, h, 40, Content::Pan);
    let s = stream_info(InputFormat::Nv12M, w, h, [0; 3]);
    let mut c = Client::new(w, h);
    c.gop = 25;
    c.nonref_every = 3;
    c.ltr = true;
    c.sps.max_num_ref_frames = 2;
    c.poc_step = 2;
    let (e, _) = encode_seq(&mut c, s, &pics, false, Faults::default());
    check_decode("references", &e);
    let nal_ref0 = e
        .stream
        .windows(4)
        .filter(|x| x[..3] == [0, 0, 1] && x[3] == 0x01)
        .count();
    assert!(nal_ref0 >= 10, "non-reference slices: {nal_ref0}");
}

/// A hanging job times out, the engine resets and the frame is encoded
/// again; one failing with a hardware error too.
#[test]
fn timeout_and_error_recovery() {
    let (w, h) = (96, 64);
    let pics = frames(w, h, 12, Content::Mixed);
    let s = stream_info(InputFormat::Nv12, w, h, [0; 3]);
    let faults = Faults {
        hang_every: 5,
        fail_every: 7,
    };
    let (e, drv) = encode_seq(&mut Client::new(w, h), s, &pics, false, faults);
    assert!(drv.timeouts >= 2);
    check_decode("recovery", &e);
    let (clean, _) = encode_seq(&mut Client::new(w, h), s, &pics, false, Faults::default());
    assert!(
        e.stream == clean.stream,
        "a retried frame changed the stream"
    );
}

fn bitrate_run(name: &str, mode: BitrateMode, rate: u32, peak: u32) -> Vec<FrameOut> {
    let (w, h) = (1280, 720);
    let n = 300;
    let pics = frames(w, h, n, Content::Mixed);
    let s = stream_info(InputFormat::Nv12, w, h, [0; 3]);
    let mut c = Client::new(w, h);
    c.gop = 30;
    let ct = &mut c.controls;
    ct.set(ctl::CID_MPEG_VIDEO_FRAME_RC_ENABLE, 1).unwrap();
    ct.set(ctl::CID_MPEG_VIDEO_BITRATE_MODE, mode as i32)
        .unwrap();
    ct.set(ctl::CID_MPEG_VIDEO_BITRATE, rate as i32).unwrap();
    ct.set(ctl::CID_MPEG_VIDEO_BITRATE_PEAK, peak as i32)
        .unwrap();
    let (e, _) = encode_seq(&mut c, s, &pics, false, Faults::default());
    check_decode(name, &e);
    let bits: u64 = e.frames.iter().map(|f| f.bytes as u64 * 8).sum();
    let achieved = bits * 30 / n as u64;
    let qps: Vec<u8> = e.frames.iter().map(|f| f.qp).collect();
    eprintln!(
        "{name}: target {rate} b/s achieved {achieved} b/s ({:+.2} %), QP {}..{}",
        (achieved as f64 / rate as f64 - 1.0) * 100.0,
        qps.iter().min().unwrap(),
        qps.iter().max().unwrap()
    );
    e.frames
}

/// CBR at 720p, 300 frames, I/P with GOP 30: within 5 % of the target.
#[test]
fn cbr_accuracy() {
    for rate in [1_000_000u32, 3_000_000] {
        let f = bitrate_run("cbr", BitrateMode::Cbr, rate, rate);
        let bits: u64 = f.iter().map(|f| f.bytes as u64 * 8).sum();
        let achieved = bits * 30 / f.len() as u64;
        let err = achieved.abs_diff(u64::from(rate)) * 100 / u64::from(rate);
        assert!(err < 5, "CBR {rate}: achieved {achieved}");
    }
}

/// VBR at 720p: the average near the target, and no second (30 frames)
/// above the peak.
#[test]
fn vbr_peak() {
    vbr_case(1_500_000, 2_000_000);
    vbr_case(1_500_000, 1_700_000);
}

fn vbr_case(rate: u32, peak: u32) {
    let f = bitrate_run("vbr", BitrateMode::Vbr, rate, peak);
    let bits: Vec<u64> = f.iter().map(|f| f.bytes as u64 * 8).collect();
    let mut worst = 0;
    for win in bits.windows(30) {
        worst = worst.max(win.iter().sum::<u64>());
    }
    eprintln!("vbr: worst second {worst} bits, peak {peak}");
    assert!(worst <= u64::from(peak), "a second above the peak: {worst}");
    let avg = bits.iter().sum::<u64>() * 30 / bits.len() as u64;
    assert!(
        avg.abs_diff(u64::from(rate)) * 100 / u64::from(rate) < 15,
        "average {avg}"
    );
}
