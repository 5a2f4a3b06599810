// SPDX-License-Identifier: GPL-2.0
//! Encodes generated content, decodes it with ffmpeg and checks that the
//! encoder's reconstruction equals ffmpeg's output bit for bit.

mod common;
use common::*;
use h264::{Config, RateControl};

fn run(
    name: &str,
    w: usize,
    h: usize,
    n: usize,
    kind: Content,
    nv12: bool,
    f: impl Fn(&mut Config),
) {
    let mut cfg = Config::new(w as u32, h as u32);
    f(&mut cfg);
    let frames: Vec<_> = (0..n).map(|t| gen(w, h, t, kind, 42)).collect();
    let enc = encode_seq(&cfg, &frames, nv12);
    let dec = ffmpeg_decode(&enc.stream, name);
    assert_matches(name, &dec, &enc.recon);
    let p: f64 = enc
        .recon
        .iter()
        .zip(frames.iter())
        .map(|(a, b)| psnr(a, b))
        .sum::<f64>()
        / n as f64;
    eprintln!("{name}: {} bytes, psnr {:.2}", enc.stream.len(), p);
}

#[test]
fn intra_only_qps() {
    for qp in [0u8, 12, 26, 38, 51] {
        run(
            &format!("intra_qp{qp}"),
            64,
            48,
            2,
            Content::Mixed,
            false,
            |c| {
                c.qp = qp;
                c.idr_interval = 1;
            },
        );
    }
}

#[test]
fn intra_noise() {
    for qp in [0u8, 20, 30] {
        run(
            &format!("intra_noise{qp}"),
            48,
            32,
            1,
            Content::Noise,
            true,
            |c| c.qp = qp,
        );
    }
}

#[test]
fn ip_sizes() {
    for (w, h) in [
        (16, 16),
        (176, 144),
        (100, 58),
        (2, 2),
        (34, 18),
        (320, 240),
    ] {
        run(
            &format!("ip_{w}x{h}"),
            w,
            h,
            6,
            Content::Mixed,
            w % 4 == 0,
            |c| c.qp = 28,
        );
    }
}

#[test]
fn ip_qps() {
    for qp in [0u8, 10, 22, 34, 45, 51] {
        run(
            &format!("ip_qp{qp}"),
            96,
            64,
            5,
            Content::Mixed,
            qp % 2 == 0,
            |c| c.qp = qp,
        );
    }
}

#[test]
fn ip_noise_and_gradient() {
    run("ip_noise", 64, 64, 4, Content::Noise, false, |c| c.qp = 20);
    run("ip_grad", 128, 96, 6, Content::Gradient, true, |c| {
        c.qp = 30
    });
}

#[test]
fn ip_fast_pan() {
    run("ip_pan", 112, 80, 8, Content::Pan, true, |c| c.qp = 24);
    run("ip_pan_range4", 112, 80, 6, Content::Pan, false, |c| {
        c.qp = 33;
        c.search_range = 4;
    });
}

#[test]
fn ip_options() {
    run("ip_slices", 160, 96, 5, Content::Mixed, true, |c| {
        c.slices = 4;
        c.idr_interval = 3;
        c.aud = true;
    });
    run("ip_nodeblock_noi4", 80, 48, 4, Content::Mixed, false, |c| {
        c.deblock = false;
        c.intra4x4 = false;
        c.subpel = false;
    });
    run("ip_chroma_offset", 64, 64, 4, Content::Mixed, true, |c| {
        c.chroma_qp_offset = -5;
        c.qp = 36;
    });
    run("ip_cbr", 176, 144, 10, Content::Mixed, true, |c| {
        c.rate_control = RateControl::Cbr { bitrate: 200_000 };
    });
}

fn rc_run(name: &str, rc: RateControl, target: u32) {
    let (w, h, n) = (176usize, 144usize, 90usize);
    let mut cfg = Config::new(w as u32, h as u32);
    cfg.rate_control = rc;
    cfg.qp = 30;
    cfg.min_qp = 4;
    let frames: Vec<_> = (0..n).map(|t| gen(w, h, t, Content::Mixed, 7)).collect();
    let enc = encode_seq(&cfg, &frames, true);
    let dec = ffmpeg_decode(&enc.stream, name);
    assert_matches(name, &dec, &enc.recon);
    // Bit rate over the whole sequence and over the second half.
    let secs = n as f64 / 30.0;
    let rate = enc.stream.len() as f64 * 8.0 / secs;
    let half: usize = enc.sizes[n / 2..].iter().sum();
    let rate2 = half as f64 * 8.0 / (secs / 2.0);
    eprintln!(
        "{name}: target {target} got {rate:.0} (2nd half {rate2:.0}) qps {:?}",
        enc.qps
    );
    let err = (rate - f64::from(target)).abs() / f64::from(target);
    let err2 = (rate2 - f64::from(target)).abs() / f64::from(target);
    assert!(err < 0.10, "{name}: rate {rate} vs target {target}");
    assert!(
        err2 < 0.10,
        "{name}: 2nd half rate {rate2} vs target {target}"
    );
}

#[test]
fn rate_control_cbr_vbr() {
    for target in [150_000u32, 400_000, 1_000_000] {
        rc_run(
            &format!("cbr{target}"),
            RateControl::Cbr { bitrate: target },
            target,
        );
    }
    rc_run("vbr300k", RateControl::Vbr { bitrate: 300_000 }, 300_000);
}

/// Long-term reference: IDR is long-term, frame 3 replaces it, frames 5
/// and 6 predict from it, the others from the previous frame.
#[test]
fn long_term_reference() {
    use h264::{Encoder, Frame, FrameBuffers, MbInfo, PixelFormat, Workspace};
    let (w, h, n) = (96usize, 64usize, 9usize);
    let mut cfg = Config::new(w as u32, h as u32);
    cfg.long_term_ref = true;
    cfg.qp = 30;
    let frames: Vec<_> = (0..n).map(|t| gen(w, h, t, Content::Mixed, 3)).collect();
    let mut enc = Encoder::new(&cfg).unwrap();
    let ps = cfg.picture_size();
    let mut prev = vec![0u8; ps];
    let mut ltr = vec![0u8; ps];
    let mut info = vec![MbInfo::EMPTY; cfg.mb_count()];
    let mut ws = Box::new(Workspace::new());
    let mut out = vec![0u8; ps * 4];
    let mut stream = Vec::new();
    let mut recons = Vec::new();
    for (t, f) in frames.iter().enumerate() {
        if t == 3 {
            enc.mark_long_term().unwrap();
        }
        let use_ltr = t == 5 || t == 6;
        if use_ltr {
            enc.use_long_term().unwrap();
        }
        let mut recon = vec![0u8; ps];
        let reference = if use_ltr { &ltr } else { &prev };
        let frame = Frame {
            format: PixelFormat::I420,
            luma: &f.y,
            luma_stride: w,
            cb: &f.u,
            cb_stride: w / 2,
            cr: &f.v,
            cr_stride: w / 2,
        };
        let r = enc
            .encode_frame(
                &frame,
                &mut FrameBuffers {
                    recon: &mut recon,
                    reference,
                    mb_info: &mut info,
                    workspace: &mut ws,
                },
                &mut out,
            )
            .unwrap();
        assert_eq!(r.used_long_term, use_ltr || t == 1 || t == 4, "frame {t}");
        assert_eq!(r.is_long_term, t == 0 || t == 3, "frame {t}");
        stream.extend_from_slice(&out[..r.len]);
        recons.push(crop_recon(&cfg, &recon));
        if r.is_long_term {
            ltr.copy_from_slice(&recon);
        }
        prev = recon;
    }
    let dec = ffmpeg_decode(&stream, "ltr");
    assert_matches("ltr", &dec, &recons);
}
