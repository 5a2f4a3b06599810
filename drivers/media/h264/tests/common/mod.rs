// SPDX-License-Identifier: GPL-2.0
//! Host-only helpers for the integration tests: synthetic test content,
//! an encode loop that keeps the reconstruction, and ffmpeg decoding.
#![allow(dead_code)]

use h264::{Config, Encoder, Frame, FrameBuffers, MbInfo, PixelFormat, Workspace};
use std::path::PathBuf;
use std::process::Command;

/// A planar I420 picture.
#[derive(Clone)]
pub struct Yuv {
    pub w: usize,
    pub h: usize,
    pub y: Vec<u8>,
    pub u: Vec<u8>,
    pub v: Vec<u8>,
}

/// Small deterministic PRNG (xorshift).
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// Kinds of generated content.
#[derive(Clone, Copy, Debug)]
pub enum Content {
    /// Gradients with moving shapes and a scrolling text band.
    Mixed,
    /// Uniform noise (worst case for the coder).
    Noise,
    /// Smooth gradients panning slowly.
    Gradient,
    /// A detailed texture panning fast (9, -5 samples per frame), so that
    /// motion vectors reach the search range and point outside the picture.
    Pan,
}

fn glyph(c: u32, gx: usize, gy: usize) -> bool {
    // 5x7 pseudo glyph from a hash of the character code.
    let h = c.wrapping_mul(2654435761) ^ (c << 7);
    let bit = (gy * 5 + gx) % 32;
    (h >> bit) & 1 == 1 && gx < 5 && gy < 7
}

/// Generates frame `t` of the given content.
pub fn gen(w: usize, h: usize, t: usize, kind: Content, seed: u64) -> Yuv {
    let (cw, ch) = (w / 2, h / 2);
    let mut f = Yuv {
        w,
        h,
        y: vec![0; w * h],
        u: vec![0; cw * ch],
        v: vec![0; cw * ch],
    };
    let mut rng = Rng(seed.wrapping_add(t as u64 * 7919) | 1);
    match kind {
        Content::Noise => {
            for p in f.y.iter_mut().chain(f.u.iter_mut()).chain(f.v.iter_mut()) {
                *p = rng.next() as u8;
            }
        }
        Content::Pan => {
            let tex = |x: i64, y: i64| -> u8 {
                let v = (x * 7 + y * 3) ^ ((x / 4) * (y / 4));
                (128 + ((v & 63) - 32) * 2 + ((x + y) & 15)) as u8
            };
            let (dx, dy) = (t as i64 * 9, -(t as i64) * 5);
            for y in 0..h {
                for x in 0..w {
                    f.y[y * w + x] = tex(x as i64 + dx, y as i64 + dy);
                }
            }
            for y in 0..ch {
                for x in 0..cw {
                    let v = tex(2 * x as i64 + dx, 2 * y as i64 + dy);
                    f.u[y * cw + x] = v / 2 + 64;
                    f.v[y * cw + x] = 255 - v / 2;
                }
            }
        }
        Content::Gradient => {
            for y in 0..h {
                for x in 0..w {
                    f.y[y * w + x] = ((x * 3 + y * 2 + t * 2) % 256) as u8;
                }
            }
            for y in 0..ch {
                for x in 0..cw {
                    f.u[y * cw + x] = (64 + (x + t) % 128) as u8;
                    f.v[y * cw + x] = (192 - (y + t) % 128) as u8;
                }
            }
        }
        Content::Mixed => {
            for y in 0..h {
                for x in 0..w {
                    let g = (x * 255 / w.max(1)) as i32 / 2 + (y * 255 / h.max(1)) as i32 / 3;
                    let n = (rng.next() % 9) as i32 - 4;
                    f.y[y * w + x] = (g + 30 + n).clamp(0, 255) as u8;
                }
            }
            for y in 0..ch {
                for x in 0..cw {
                    f.u[y * cw + x] = (100 + (x * 50 / cw.max(1))) as u8;
                    f.v[y * cw + x] = (150 - (y * 40 / ch.max(1))) as u8;
                }
            }
            // Moving rectangle and circle.
            let rx = (t * 3) % w.max(1);
            let ry = (t * 2) % h.max(1);
            for y in ry..(ry + h / 4).min(h) {
                for x in rx..(rx + w / 5).min(w) {
                    f.y[y * w + x] = 220;
                    f.u[(y / 2) * cw + x / 2] = 60;
                    f.v[(y / 2) * cw + x / 2] = 200;
                }
            }
            let (cx, cy, r) = (
                (w as i64 / 2 + (t as i64 * 5) % (w as i64 / 2 + 1) - w as i64 / 4),
                h as i64 / 2,
                (h.min(w) / 5) as i64,
            );
            for y in 0..h as i64 {
                for x in 0..w as i64 {
                    if (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r {
                        f.y[y as usize * w + x as usize] = 40;
                        f.u[(y as usize / 2) * cw + x as usize / 2] = 180;
                    }
                }
            }
            // Scrolling text band.
            let band = h * 3 / 4;
            for y in band..(band + 10).min(h) {
                for x in 0..w {
                    let sx = x + t * 4;
                    let c = (sx / 6) as u32;
                    let on = glyph(c % 64 + 33, sx % 6, (y - band).min(9));
                    f.y[y * w + x] = if on { 250 } else { 10 };
                }
            }
        }
    }
    f
}

/// Interleaves U and V into an NV12 chroma plane with the given stride.
pub fn to_nv12(f: &Yuv, stride: usize) -> Vec<u8> {
    let (cw, ch) = (f.w / 2, f.h / 2);
    let mut uv = vec![0u8; stride * ch];
    for y in 0..ch {
        for x in 0..cw {
            uv[y * stride + 2 * x] = f.u[y * cw + x];
            uv[y * stride + 2 * x + 1] = f.v[y * cw + x];
        }
    }
    uv
}

/// Output of [`encode_seq`].
pub struct Encoded {
    pub stream: Vec<u8>,
    pub recon: Vec<Yuv>,
    pub sizes: Vec<usize>,
    pub qps: Vec<u8>,
}

/// Encodes `frames` with `cfg`, returning the stream and the cropped
/// reconstructions.
pub fn encode_seq(cfg: &Config, frames: &[Yuv], nv12: bool) -> Encoded {
    let mut enc = Encoder::new(cfg).expect("config");
    let ps = cfg.picture_size();
    let mut a = vec![0u8; ps];
    let mut b = vec![0u8; ps];
    let mut info = vec![MbInfo::EMPTY; cfg.mb_count()];
    let mut ws = Box::new(Workspace::new());
    let mut out = vec![0u8; ps * 4 + 4096];
    let mut res = Encoded {
        stream: Vec::new(),
        recon: Vec::new(),
        sizes: Vec::new(),
        qps: Vec::new(),
    };
    for f in frames {
        // Use padded strides to exercise stride handling.
        let ls = f.w + 8;
        let mut y = vec![0u8; ls * f.h];
        for r in 0..f.h {
            y[r * ls..r * ls + f.w].copy_from_slice(&f.y[r * f.w..(r + 1) * f.w]);
        }
        let cw = f.w / 2;
        let nvbuf;
        let frame = if nv12 {
            nvbuf = to_nv12(f, f.w + 4);
            Frame {
                format: PixelFormat::Nv12,
                luma: &y,
                luma_stride: ls,
                cb: &nvbuf,
                cb_stride: f.w + 4,
                cr: &[],
                cr_stride: 0,
            }
        } else {
            Frame {
                format: PixelFormat::I420,
                luma: &y,
                luma_stride: ls,
                cb: &f.u,
                cb_stride: cw,
                cr: &f.v,
                cr_stride: cw,
            }
        };
        let r = enc
            .encode_frame(
                &frame,
                &mut FrameBuffers {
                    recon: &mut a,
                    reference: &b,
                    mb_info: &mut info,
                    workspace: &mut ws,
                },
                &mut out,
            )
            .expect("encode");
        res.stream.extend_from_slice(&out[..r.len]);
        res.sizes.push(r.len);
        res.qps.push(r.qp);
        res.recon.push(crop_recon(cfg, &a));
        std::mem::swap(&mut a, &mut b);
    }
    res
}

/// Extracts the visible I420 picture from an MB-aligned reconstruction.
pub fn crop_recon(cfg: &Config, pic: &[u8]) -> Yuv {
    let (w, h) = (cfg.width as usize, cfg.height as usize);
    let ys = cfg.recon_luma_stride();
    let cs = ys / 2;
    let ysize = ys * cfg.mb_height() * 16;
    let csize = cs * cfg.mb_height() * 8;
    let mut f = Yuv {
        w,
        h,
        y: vec![0; w * h],
        u: vec![0; w * h / 4],
        v: vec![0; w * h / 4],
    };
    for r in 0..h {
        f.y[r * w..(r + 1) * w].copy_from_slice(&pic[r * ys..r * ys + w]);
    }
    for r in 0..h / 2 {
        let cw = w / 2;
        f.u[r * cw..(r + 1) * cw].copy_from_slice(&pic[ysize + r * cs..ysize + r * cs + cw]);
        f.v[r * cw..(r + 1) * cw]
            .copy_from_slice(&pic[ysize + csize + r * cs..ysize + csize + r * cs + cw]);
    }
    f
}

pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("h264-test-{}-{}", name, std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Decodes an Annex-B stream with ffmpeg; fails on any decoder message.
pub fn ffmpeg_decode(stream: &[u8], name: &str) -> Vec<u8> {
    let d = tmpdir(name);
    let inp = d.join("in.h264");
    let outp = d.join("out.yuv");
    std::fs::write(&inp, stream).unwrap();
    let o = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-threads",
            "1",
            "-err_detect",
            "explode",
            "-f",
            "h264",
            "-i",
        ])
        .arg(&inp)
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-y"])
        .arg(&outp)
        .output()
        .expect("run ffmpeg (apt-get install ffmpeg)");
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        o.status.success() && err.trim().is_empty(),
        "ffmpeg errors for {name}: {err}"
    );
    let data = std::fs::read(&outp).unwrap();
    let _ = std::fs::remove_dir_all(&d);
    data
}

/// Compares decoded frames with the reconstructions bit for bit.
pub fn assert_matches(name: &str, dec: &[u8], recon: &[Yuv]) {
    let (w, h) = (recon[0].w, recon[0].h);
    let fsz = w * h * 3 / 2;
    assert_eq!(dec.len(), fsz * recon.len(), "{name}: decoded frame count");
    for (i, r) in recon.iter().enumerate() {
        let d = &dec[i * fsz..(i + 1) * fsz];
        for (pi, (plane, pw)) in [(&r.y, w), (&r.u, w / 2), (&r.v, w / 2)].iter().enumerate() {
            let off = match pi {
                0 => 0,
                1 => w * h,
                _ => w * h + w * h / 4,
            };
            let dp = &d[off..off + plane.len()];
            if let Some(k) = dp.iter().zip(plane.iter()).position(|(a, b)| a != b) {
                panic!(
                    "{name}: frame {i} plane {pi} mismatch at x={} y={} (ffmpeg {} ours {})",
                    k % pw,
                    k / pw,
                    dp[k],
                    plane[k]
                );
            }
        }
    }
}

/// PSNR (dB * 100) of all planes between two pictures, integer.
pub fn psnr(a: &Yuv, b: &Yuv) -> f64 {
    let mut se = 0u64;
    let mut n = 0u64;
    for (x, y) in
        a.y.iter()
            .chain(a.u.iter())
            .chain(a.v.iter())
            .zip(b.y.iter().chain(b.u.iter()).chain(b.v.iter()))
    {
        let d = i64::from(*x) - i64::from(*y);
        se += (d * d) as u64;
        n += 1;
    }
    if se == 0 {
        return 99.0;
    }
    10.0 * (255.0f64 * 255.0 * n as f64 / se as f64).log10()
}
