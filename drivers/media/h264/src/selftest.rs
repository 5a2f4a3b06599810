// SPDX-License-Identifier: GPL-2.0
//! Self tests that need neither `std` nor allocation, written as plain
//! functions so they can run both as `cargo test` and as KUnit cases.

use crate::bitstream::BitWriter;
use crate::cavlc;
use crate::transform as tf;

/// A self test: returns `Err(reason)` on failure.
pub type SelfTest = fn() -> Result<(), &'static str>;

/// All self tests with their names.
pub const ALL: &[(&str, SelfTest)] = &[
    ("exp_golomb", exp_golomb),
    ("emulation_prevention", emulation_prevention),
    ("cavlc_tables", cavlc_tables),
    ("cavlc_block", cavlc_block),
    ("transform_roundtrip", transform_roundtrip),
    ("quant_roundtrip", quant_roundtrip),
    ("chroma_qp_map", chroma_qp_map),
    ("zero_threshold", zero_threshold),
    ("div64", div64),
    ("suspend_resume", suspend_resume),
];

/// Caller-owned buffers of [`tiny_encode`] (about 11 KiB, too much for a
/// kernel stack): a 32x32 NV12 source, two pictures, macroblock state,
/// the output and the [`crate::Workspace`]. The all-zero bit pattern is a
/// valid value, so it may be allocated zeroed as well.
pub struct TinyBuffers {
    y: [u8; 1024],
    uv: [u8; 512],
    a: [u8; 32 * 32 * 3 / 2],
    b: [u8; 32 * 32 * 3 / 2],
    info: [crate::MbInfo; 4],
    out: [u8; 4096],
    ws: crate::Workspace,
}

impl TinyBuffers {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        TinyBuffers {
            y: [0; 1024],
            uv: [0; 512],
            a: [0; 32 * 32 * 3 / 2],
            b: [0; 32 * 32 * 3 / 2],
            info: [crate::MbInfo::EMPTY; 4],
            out: [0; 4096],
            ws: crate::Workspace::new(),
        }
    }
}

impl Default for TinyBuffers {
    fn default() -> Self {
        Self::new()
    }
}

fn check(c: bool, msg: &'static str) -> Result<(), &'static str> {
    if c {
        Ok(())
    } else {
        Err(msg)
    }
}

/// ue(v)/se(v) bit patterns.
pub fn exp_golomb() -> Result<(), &'static str> {
    let mut buf = [0u8; 8];
    let mut bw = BitWriter::new(&mut buf);
    // ue(0)=1 ue(1)=010 ue(2)=011 ue(3)=00100 se(-1)=011 se(2)=00100
    bw.ue(0);
    bw.ue(1);
    bw.ue(2);
    bw.ue(3);
    bw.se(-1);
    bw.se(2);
    bw.trailing_bits();
    let n = bw.byte_len();
    // 1 010 011 00100 011 00100 1 -> 1010 0110 0100 0110 0100 1000
    check(n == 3, "exp-golomb length")?;
    check(buf[..3] == [0xa6, 0x46, 0x48], "exp-golomb bits")?;
    check(crate::bitstream::ue_len(7) == 7, "ue_len")
}

/// 00 00 0x (x <= 3) gets escaped inside a NAL unit.
pub fn emulation_prevention() -> Result<(), &'static str> {
    let mut buf = [0u8; 16];
    let mut bw = BitWriter::new(&mut buf);
    bw.begin_nal(3, 5);
    bw.put(24, 0x000001);
    bw.put(8, 0);
    bw.put(8, 0);
    bw.put(8, 3);
    bw.end_nal();
    let n = bw.byte_len();
    let want = [0, 0, 0, 1, 0x65, 0, 0, 3, 1, 0, 0, 3, 3, 0x80];
    check(n == want.len() && buf[..n] == want, "emulation prevention")
}

/// VLC tables are prefix free.
pub fn cavlc_tables() -> Result<(), &'static str> {
    cavlc::check_tables()
}

/// A known residual block from the literature (Richardson's example):
/// 0 3 -1 0 / 0 -1 1 0 / 1 0 0 0 / 0 0 0 0 with nC = 0 codes as
/// 000010001110010111101101.
pub fn cavlc_block() -> Result<(), &'static str> {
    let raster: [i16; 16] = [0, 3, -1, 0, 0, -1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0];
    let mut scan = [0i16; 16];
    for (k, &p) in tf::ZIGZAG.iter().enumerate() {
        scan[k] = raster[p];
    }
    let mut buf = [0u8; 8];
    let mut bw = BitWriter::new(&mut buf);
    let tc = cavlc::write_block(&mut bw, &scan, 0);
    check(tc == 5, "total coeff")?;
    let bits = bw.bit_len();
    check(bits == 24, "cavlc length")?;
    check(cavlc::block_bits(&scan, 0) == 24, "cavlc bit estimate")?;
    bw.trailing_bits();
    check(buf[..3] == [0x08, 0xe5, 0xed], "cavlc bits")
}

/// Forward then inverse transform of a flat and a ramp block with QP 0
/// scaling reproduces the residual.
pub fn transform_roundtrip() -> Result<(), &'static str> {
    let mut r = [0i32; 16];
    for (i, v) in r.iter_mut().enumerate() {
        *v = (i as i32 * 7) % 23 - 11;
    }
    let c = tf::fdct4x4(&r);
    let mut l = [0i16; 16];
    tf::quant4x4(&c, 0, true, false, &mut l);
    let d = tf::dequant4x4(&l, 0, None);
    let o = tf::idct4x4(&d);
    for (a, b) in o.iter().zip(r.iter()) {
        check((a - b).abs() <= 1, "transform roundtrip")?;
    }
    Ok(())
}

/// Quantisation produces zero for small inputs at high QP and keeps signs.
pub fn quant_roundtrip() -> Result<(), &'static str> {
    let mut c = [0i32; 16];
    c[0] = 40;
    c[1] = -40;
    let mut l = [0i16; 16];
    check(
        tf::quant4x4(&c, 51, false, false, &mut l) == 0,
        "high qp zero",
    )?;
    let n = tf::quant4x4(&c, 10, false, false, &mut l);
    check(n == 2 && l[0] > 0 && l[1] < 0, "signs")?;
    let mut dc = [0i16; 4];
    let nz = tf::quant_chroma_dc(&[100, 100, 100, 100], 20, true, &mut dc);
    check(nz == 1 && dc[0] > 0, "chroma dc")?;
    let back = tf::dequant_chroma_dc(&dc, 20);
    check(back[0] == back[3] && back[0] > 0, "chroma dc back")
}

/// Blocks under the zero-SAD threshold really quantise to zero.
pub fn zero_threshold() -> Result<(), &'static str> {
    let mut seed = 12345u32;
    for qp in 0..52u8 {
        let zt = tf::zero_sad_threshold(qp, false);
        for _ in 0..500 {
            let mut r = [0i32; 16];
            let mut sad = 0;
            for v in r.iter_mut() {
                seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
                *v = ((seed >> 16) % 7) as i32 - 3;
                sad += v.unsigned_abs();
            }
            if sad <= zt {
                let c = tf::fdct4x4(&r);
                let mut l = [0i16; 16];
                check(
                    tf::quant4x4(&c, qp, false, false, &mut l) == 0,
                    "zero threshold",
                )?;
            }
        }
    }
    Ok(())
}

/// The libcall-free 64-bit division helpers.
pub fn div64() -> Result<(), &'static str> {
    use crate::ratecontrol::{div_i64, div_u64};
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..200 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let n = x >> (x & 31);
        let d = (x >> 40).max(1) >> (x & 15);
        let d = d.max(1);
        // The quotient by its definition (q * d <= n < (q + 1) * d), without
        // a native 64-bit division: 32-bit targets have none in the kernel.
        let q = div_u64(n, d);
        let lo = q.checked_mul(d).ok_or("div_u64 too large")?;
        check(lo <= n && n - lo < d, "div_u64")?;
    }
    check(div_u64(5, 0) == u64::MAX, "div by zero")?;
    check(
        div_i64(-7, 2) == -3 && div_i64(7, -2) == -3 && div_i64(-8, -2) == 4,
        "div_i64",
    )
}

/// Table 8-15 spot checks.
pub fn chroma_qp_map() -> Result<(), &'static str> {
    check(tf::chroma_qp(29, 0) == 29, "qpc 29")?;
    check(tf::chroma_qp(30, 0) == 29, "qpc 30")?;
    check(tf::chroma_qp(40, 0) == 36, "qpc 40")?;
    check(tf::chroma_qp(51, 0) == 39, "qpc 51")?;
    check(tf::chroma_qp(51, 12) == 39, "qpc clamp")
}

/// Encodes a 32x32 I frame and a P frame and checks the stream structure.
/// Encodes a 32x32 I frame and a P frame of the same picture, then checks
/// that a too small output buffer is an error. Only `buf` holds memory of
/// any size, so the stack frame stays small (kernel stacks are 8-16 KiB).
/// Any previous content of `buf` is overwritten.
pub fn tiny_encode(buf: &mut TinyBuffers) -> Result<(), &'static str> {
    use crate::{Config, Encoder, Frame, FrameBuffers, PixelFormat};
    let cfg = Config::new(32, 32);
    let mut enc = Encoder::new(&cfg).map_err(|_| "new")?;
    let TinyBuffers {
        y,
        uv,
        a,
        b,
        info,
        out,
        ws,
    } = buf;
    for (i, v) in y.iter_mut().enumerate() {
        *v = ((i % 32) * 4 + (i / 32) * 2) as u8;
    }
    for (i, v) in uv.iter_mut().enumerate() {
        *v = (i * 3) as u8;
    }
    let f = Frame {
        format: PixelFormat::Nv12,
        luma: &y[..],
        luma_stride: 32,
        cb: &uv[..],
        cb_stride: 32,
        cr: &[],
        cr_stride: 0,
    };
    let r = enc
        .encode_frame(
            &f,
            &mut FrameBuffers {
                recon: a,
                reference: b,
                mb_info: info,
                workspace: ws,
            },
            out,
        )
        .map_err(|_| "encode I")?;
    check(r.len > 20, "I size")?;
    check(out[..5] == [0, 0, 0, 1, 0x67], "starts with SPS")?;
    // P frame from the same picture: mostly skipped.
    let r2 = enc
        .encode_frame(
            &f,
            &mut FrameBuffers {
                recon: b,
                reference: a,
                mb_info: info,
                workspace: ws,
            },
            out,
        )
        .map_err(|_| "encode P")?;
    check(r2.frame_type == crate::FrameType::P, "P type")?;
    check(r2.len < r.len, "P smaller")?;
    // Output too small is an error, not a panic.
    let e = enc.encode_frame(
        &f,
        &mut FrameBuffers {
            recon: a,
            reference: b,
            mb_info: info,
            workspace: ws,
        },
        &mut out[..8],
    );
    check(e == Err(crate::Error::OutputTooSmall), "small output")
}

/// A NAL unit written by one writer equals the same NAL unit written by
/// two, the second resuming where the first was suspended (at every bit
/// position, through emulation prevention).
pub fn suspend_resume() -> Result<(), &'static str> {
    // Values chosen to produce zero runs that need escapes.
    const VALS: [(u32, u32); 10] = [
        (8, 0),
        (8, 0),
        (3, 1),
        (13, 0),
        (7, 0x55),
        (16, 0),
        (2, 3),
        (5, 0),
        (11, 0x201),
        (24, 0),
    ];
    let mut whole = [0u8; 64];
    let mut bw = BitWriter::new(&mut whole);
    bw.begin_nal(3, 1);
    for (n, v) in VALS {
        bw.put(n, v);
    }
    bw.end_nal();
    let n = bw.byte_len();
    for split in 0..VALS.len() {
        for extra in 0..8u32 {
            let mut buf = [0u8; 64];
            let mut first = BitWriter::new(&mut buf);
            first.begin_nal(3, 1);
            for &(n, v) in VALS.iter().take(split) {
                first.put(n, v);
            }
            // Move the split point by up to 7 bits inside the next value.
            let (rest_n, rest_v) = VALS.get(split).copied().unwrap_or((0, 0));
            let head = extra.min(rest_n);
            first.put(head, rest_v >> (rest_n - head));
            let s = first.suspend();
            let mut second = BitWriter::resume(&mut buf, &s);
            second.put(rest_n - head, rest_v);
            for &(n, v) in VALS.iter().skip(split + 1) {
                second.put(n, v);
            }
            second.end_nal();
            check(second.byte_len() == n, "resumed length")?;
            check(buf[..n] == whole[..n], "resumed bytes")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::boxed::Box;

    fn run(name: &str) {
        let (_, f) = super::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .expect("no such self test");
        if let Err(e) = f() {
            panic!("selftest {name} failed: {e}");
        }
    }

    #[test]
    fn exp_golomb() {
        run("exp_golomb");
    }

    #[test]
    fn emulation_prevention() {
        run("emulation_prevention");
    }

    #[test]
    fn cavlc_tables() {
        run("cavlc_tables");
    }

    #[test]
    fn cavlc_block() {
        run("cavlc_block");
    }

    #[test]
    fn transform_roundtrip() {
        run("transform_roundtrip");
    }

    #[test]
    fn quant_roundtrip() {
        run("quant_roundtrip");
    }

    #[test]
    fn chroma_qp_map() {
        run("chroma_qp_map");
    }

    #[test]
    fn zero_threshold() {
        run("zero_threshold");
    }

    #[test]
    fn div64() {
        run("div64");
    }

    #[test]
    fn suspend_resume() {
        run("suspend_resume");
    }

    #[test]
    fn every_self_test_has_a_test() {
        assert_eq!(super::ALL.len(), 10);
    }

    #[test]
    fn tiny_encode() {
        let mut b = Box::new(super::TinyBuffers::new());
        super::tiny_encode(&mut b).unwrap();
        // Twice: the buffers need no cleaning between runs.
        super::tiny_encode(&mut b).unwrap();
    }
}
