// SPDX-License-Identifier: GPL-2.0
//! Fuzz target: random sizes, QPs, options, strides, buffer sizes and frame
//! contents. The encoder must never panic; errors are fine.
#![no_main]

use h264::{Config, Encoder, Frame, FrameBuffers, MbInfo, PixelFormat, RateControl, Workspace};
use libfuzzer_sys::fuzz_target;

struct Bytes<'a>(&'a [u8], usize);
impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let v = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        v
    }
    fn u16(&mut self) -> u16 {
        u16::from(self.u8()) | (u16::from(self.u8()) << 8)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data, 0);
    let w = (u32::from(b.u8()) % 80 + 1) * 2;
    let h = (u32::from(b.u8()) % 64 + 1) * 2;
    let mut cfg = Config::new(w, h);
    cfg.qp = b.u8() % 56; // sometimes invalid on purpose
    let flags = b.u8();
    cfg.intra4x4 = flags & 1 != 0;
    cfg.subpel = flags & 2 != 0;
    cfg.deblock = flags & 4 != 0;
    cfg.aud = flags & 8 != 0;
    cfg.slices = u32::from(b.u8() % 5);
    cfg.search_range = b.u8() % 70;
    cfg.idr_interval = u32::from(b.u8() % 4);
    cfg.chroma_qp_offset = (b.u8() % 27) as i8 - 13;
    cfg.rate_control = match b.u8() % 3 {
        0 => RateControl::ConstantQp,
        1 => RateControl::Cbr {
            bitrate: u32::from(b.u16()) * 50,
        },
        _ => RateControl::Vbr {
            bitrate: u32::from(b.u16()) * 50,
        },
    };
    let nv12 = flags & 16 != 0;
    let nframes = usize::from(b.u8() % 4) + 1;
    let out_size = if flags & 32 != 0 {
        usize::from(b.u16())
    } else {
        cfg.picture_size() * 2 + 1024
    };
    let stride_pad = usize::from(b.u8() % 9);
    let short = flags & 64 != 0 && flags & 128 != 0;
    cfg.long_term_ref = flags & 128 != 0;
    let ltr_ops = b.u8();
    let mut enc = match Encoder::new(&cfg) {
        Ok(e) => e,
        Err(_) => return,
    };
    let ps = cfg.picture_size();
    let mut ra = vec![0u8; if short { ps / 2 } else { ps }];
    let mut rb = vec![0u8; ps];
    let mut info = vec![MbInfo::EMPTY; cfg.mb_count()];
    let mut ws = Box::new(Workspace::new());
    let mut out = vec![0u8; out_size];
    let (wu, hu) = (w as usize, h as usize);
    let ls = wu + stride_pad;
    let content = &data[b.1.min(data.len())..];
    let mut ltr = vec![0u8; ps];
    for f in 0..nframes {
        let mut use_ltr = false;
        if ltr_ops >> (2 * f) & 1 != 0 {
            let _ = enc.mark_long_term();
        }
        if ltr_ops >> (2 * f) & 2 != 0 {
            use_ltr = enc.use_long_term().is_ok();
        }
        let gen = |n: usize, salt: usize| -> Vec<u8> {
            (0..n)
                .map(|i| {
                    if content.is_empty() {
                        (i * 7 + f * 13 + salt) as u8
                    } else {
                        content[(i + f * 31 + salt) % content.len()].wrapping_add((f * 3) as u8)
                    }
                })
                .collect()
        };
        let luma_len = if short { ls * hu / 2 } else { ls * hu };
        let y = gen(luma_len, 0);
        let (cw, ch) = (wu / 2, hu / 2);
        let uv;
        let u;
        let v;
        let frame = if nv12 {
            uv = gen((cw * 2 + stride_pad) * ch, 5);
            Frame {
                format: PixelFormat::Nv12,
                luma: &y,
                luma_stride: ls,
                cb: &uv,
                cb_stride: cw * 2 + stride_pad,
                cr: &[],
                cr_stride: 0,
            }
        } else {
            u = gen((cw + stride_pad) * ch, 3);
            v = gen((cw + stride_pad) * ch, 9);
            Frame {
                format: PixelFormat::I420,
                luma: &y,
                luma_stride: ls,
                cb: &u,
                cb_stride: cw + stride_pad,
                cr: &v,
                cr_stride: cw + stride_pad,
            }
        };
        let r = enc.encode_frame(
            &frame,
            &mut FrameBuffers {
                recon: &mut ra,
                reference: if use_ltr { &ltr } else { &rb },
                mb_info: &mut info,
                workspace: &mut ws,
            },
            &mut out,
        );
        if let Ok(r) = r {
            assert!(r.len <= out.len());
            if r.is_long_term {
                ltr.clear();
                ltr.extend_from_slice(&ra);
            }
            std::mem::swap(&mut ra, &mut rb);
        }
    }
});
