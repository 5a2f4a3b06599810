// SPDX-License-Identifier: GPL-2.0
//! Host benchmark driver used by scripts/bench-h264.sh.
//!
//! h264-bench ours     IN.yuv W H FRAMES QP OUT.h264 [REPEAT]  (I420 input)
//! h264-bench openh264 IN.yuv W H FRAMES QP OUT.h264
//! h264-bench psnr     REF.yuv DEC.yuv W H             (mean per-frame Y PSNR)
//! h264-bench bdrate   "r1:p1,r2:p2,.." "r1:p1,.."     (BD-rate of B vs A, %)
//!
//! Encoders print `fps=<wall frames/s> cpufps=<frames per CPU second>
//! bytes=<n>`; timing covers encoding only (input is read into memory
//! first), on the calling thread.

use std::time::Instant;

/// CPU time (user + system) of this process in seconds, from /proc.
fn cpu_time() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = s.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn load(path: &str, w: usize, h: usize, frames: usize) -> Vec<Vec<u8>> {
    let data = std::fs::read(path).expect("read input");
    let fsz = w * h * 3 / 2;
    data.chunks_exact(fsz)
        .take(frames)
        .map(|c| c.to_vec())
        .collect()
}

fn ours(frames: &[Vec<u8>], w: usize, h: usize, qp: u8) -> (f64, f64, Vec<u8>) {
    let mut cfg = h264::Config::new(w as u32, h as u32);
    cfg.qp = qp;
    if let Ok(r) = std::env::var("H264_RANGE") {
        cfg.search_range = r.parse().unwrap_or(16);
    }
    if std::env::var("H264_NO_I4").is_ok() {
        cfg.intra4x4 = false;
    }
    let mut enc = h264::Encoder::new(&cfg).expect("config");
    let ps = cfg.picture_size();
    let mut a = vec![0u8; ps];
    let mut b = vec![0u8; ps];
    let mut info = vec![h264::MbInfo::EMPTY; cfg.mb_count()];
    let mut ws = Box::new(h264::Workspace::new());
    let mut out = vec![0u8; ps * 2 + 4096];
    let mut stream = Vec::with_capacity(ps * frames.len());
    let (cw, ch) = (w / 2, h / 2);
    // Touch every buffer once so that first-use page faults stay out of
    // the timed loop (OpenH264 allocates and touches its own at init).
    a.fill(0);
    b.fill(0);
    out.fill(0);
    stream.resize(stream.capacity(), 0);
    stream.clear();
    let c0 = cpu_time();
    let t0 = Instant::now();
    for f in frames {
        let (y, rest) = f.split_at(w * h);
        let (u, v) = rest.split_at(cw * ch);
        let frame = h264::Frame {
            format: h264::PixelFormat::I420,
            luma: y,
            luma_stride: w,
            cb: u,
            cb_stride: cw,
            cr: v,
            cr_stride: cw,
        };
        let r = enc
            .encode_frame(
                &frame,
                &mut h264::FrameBuffers {
                    recon: &mut a,
                    reference: &b,
                    mb_info: &mut info,
                    workspace: &mut ws,
                },
                &mut out,
            )
            .expect("encode");
        stream.extend_from_slice(&out[..r.len]);
        std::mem::swap(&mut a, &mut b);
    }
    (t0.elapsed().as_secs_f64(), cpu_time() - c0, stream)
}

#[cfg(feature = "openh264")]
fn oh264(frames: &[Vec<u8>], w: usize, h: usize, qp: u8) -> (f64, f64, Vec<u8>) {
    use openh264::encoder::{
        BitRate, Encoder, EncoderConfig, FrameRate, IntraFramePeriod, RateControlMode,
    };
    use openh264::formats::YUVSlices;
    use openh264::OpenH264API;
    let cfg = EncoderConfig::new()
        .rate_control_mode(RateControlMode::Off)
        .bitrate(BitRate::from_bps(100_000_000))
        .max_frame_rate(FrameRate::from_hz(30.0))
        .skip_frames(false)
        .intra_frame_period(IntraFramePeriod::from_num_frames(0))
        .num_threads(1);
    let mut enc = Encoder::with_api_config(OpenH264API::from_source(), cfg).expect("openh264");
    let (cw, ch) = (w / 2, h / 2);
    // The crate offers no fixed-QP setting: initialise with an untimed
    // warm-up frame, then set iDLayerQp (used in RC_OFF_MODE) through the
    // raw API and restart with an IDR.
    {
        let f = &frames[0];
        let (y, rest) = f.split_at(w * h);
        let (u, v) = rest.split_at(cw * ch);
        let _ = enc
            .encode(&YUVSlices::new((y, u, v), (w, h), (w, cw, cw)))
            .expect("warm-up");
    }
    // SAFETY: `params` is a plain C struct filled in by the encoder; the
    // pointers passed stay valid for the duration of each call.
    unsafe {
        let raw = enc.raw_api();
        let mut params: openh264_sys2::SEncParamExt = std::mem::zeroed();
        let id = openh264_sys2::ENCODER_OPTION_SVC_ENCODE_PARAM_EXT;
        assert_eq!(raw.get_option(id, (&raw mut params).cast()), 0);
        params.iRCMode = openh264_sys2::RC_OFF_MODE;
        params.sSpatialLayers[0].iDLayerQp = i32::from(qp);
        params.iMinQp = i32::from(qp);
        params.iMaxQp = i32::from(qp);
        assert_eq!(raw.set_option(id, (&raw mut params).cast()), 0);
        raw.force_intra_frame(true);
    }
    let mut stream = Vec::with_capacity(w * h * 3 / 2 * frames.len());
    stream.resize(stream.capacity(), 0);
    stream.clear();
    let c0 = cpu_time();
    let t0 = Instant::now();
    for f in frames {
        let (y, rest) = f.split_at(w * h);
        let (u, v) = rest.split_at(cw * ch);
        let src = YUVSlices::new((y, u, v), (w, h), (w, cw, cw));
        let bs = enc.encode(&src).expect("encode");
        bs.write_vec(&mut stream);
    }
    (t0.elapsed().as_secs_f64(), cpu_time() - c0, stream)
}

#[cfg(not(feature = "openh264"))]
fn oh264(_: &[Vec<u8>], _: usize, _: usize, _: u8) -> (f64, f64, Vec<u8>) {
    panic!("built without the openh264 feature");
}

fn psnr(a: &[u8], b: &[u8], w: usize, h: usize) -> f64 {
    let fsz = w * h * 3 / 2;
    let n = (a.len() / fsz).min(b.len() / fsz);
    let mut sum = 0.0;
    for i in 0..n {
        let (fa, fb) = (&a[i * fsz..i * fsz + w * h], &b[i * fsz..i * fsz + w * h]);
        let se: u64 = fa
            .iter()
            .zip(fb)
            .map(|(x, y)| {
                let d = i64::from(*x) - i64::from(*y);
                (d * d) as u64
            })
            .sum();
        let mse = se as f64 / (w * h) as f64;
        sum += if mse == 0.0 {
            100.0
        } else {
            10.0 * (255.0 * 255.0 / mse).log10()
        };
    }
    sum / n.max(1) as f64
}

/// Solves a 4x4 linear system (Gaussian elimination).
fn solve(mut m: [[f64; 5]; 4]) -> [f64; 4] {
    for i in 0..4 {
        let p = (i..4)
            .max_by(|&a, &b| m[a][i].abs().total_cmp(&m[b][i].abs()))
            .unwrap();
        m.swap(i, p);
        let pivot = m[i];
        for (r, row) in m.iter_mut().enumerate() {
            if r != i {
                let f = row[i] / pivot[i];
                for (x, &p) in row.iter_mut().zip(pivot.iter()).skip(i) {
                    *x -= f * p;
                }
            }
        }
    }
    [
        m[0][4] / m[0][0],
        m[1][4] / m[1][1],
        m[2][4] / m[2][2],
        m[3][4] / m[3][3],
    ]
}

/// Least-squares cubic fit of log-rate as a function of PSNR.
fn fit(pts: &[(f64, f64)]) -> [f64; 4] {
    let mut m = [[0.0; 5]; 4];
    for &(r, p) in pts {
        let lr = r.ln();
        let pw = [1.0, p, p * p, p * p * p];
        for i in 0..4 {
            for j in 0..4 {
                m[i][j] += pw[i] * pw[j];
            }
            m[i][4] += pw[i] * lr;
        }
    }
    solve(m)
}

fn integ(c: &[f64; 4], a: f64, b: f64) -> f64 {
    let f =
        |x: f64| c[0] * x + c[1] * x * x / 2.0 + c[2] * x.powi(3) / 3.0 + c[3] * x.powi(4) / 4.0;
    f(b) - f(a)
}

fn parse_pts(s: &str) -> Vec<(f64, f64)> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|p| {
            let mut it = p.split(':');
            (
                it.next().unwrap().parse().unwrap(),
                it.next().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

/// Bjontegaard delta rate of `b` against `a`, in percent.
fn bdrate(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    let ca = fit(a);
    let cb = fit(b);
    let lo = a
        .iter()
        .map(|x| x.1)
        .fold(f64::MIN, f64::max)
        .min(b.iter().map(|x| x.1).fold(f64::MIN, f64::max));
    let lo2 = a
        .iter()
        .map(|x| x.1)
        .fold(f64::MAX, f64::min)
        .max(b.iter().map(|x| x.1).fold(f64::MAX, f64::min));
    let (lo, hi) = (lo2, lo);
    if hi <= lo {
        return f64::NAN;
    }
    let avg = (integ(&cb, lo, hi) - integ(&ca, lo, hi)) / (hi - lo);
    (avg.exp() - 1.0) * 100.0
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let arg = |i: usize| a.get(i).cloned().unwrap_or_default();
    match arg(1).as_str() {
        "ours" | "openh264" => {
            let (w, h): (usize, usize) = (arg(3).parse().unwrap(), arg(4).parse().unwrap());
            let n: usize = arg(5).parse().unwrap();
            let qp: u8 = arg(6).parse().unwrap();
            let repeat: usize = arg(8).parse().unwrap_or(1).max(1);
            let base = load(&arg(2), w, h, n);
            // Repeating the clip lengthens short speed runs.
            let frames: Vec<Vec<u8>> = (0..repeat).flat_map(|_| base.iter().cloned()).collect();
            // Both encoders are timed over the encoding loop only: set-up
            // (OpenH264's initialisation and warm-up frame, buffer
            // allocation) is excluded from wall and CPU time alike.
            let (t, c, s) = if arg(1) == "ours" {
                ours(&frames, w, h, qp)
            } else {
                oh264(&frames, w, h, qp)
            };
            std::fs::write(arg(7), &s).expect("write output");
            println!(
                "fps={:.2} cpufps={:.2} bytes={}",
                frames.len() as f64 / t,
                frames.len() as f64 / c.max(0.01),
                s.len()
            );
        }
        "psnr" => {
            let r = std::fs::read(arg(2)).unwrap();
            let d = std::fs::read(arg(3)).unwrap();
            println!(
                "{:.3}",
                psnr(&r, &d, arg(4).parse().unwrap(), arg(5).parse().unwrap())
            );
        }
        "bdrate" => {
            println!("{:.2}", bdrate(&parse_pts(&arg(2)), &parse_pts(&arg(3))));
        }
        _ => {
            eprintln!("usage: see source");
            std::process::exit(2);
        }
    }
}
