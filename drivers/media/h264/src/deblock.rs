// SPDX-License-Identifier: GPL-2.0
//! In-loop deblocking filter (ITU-T H.264 clause 8.7), applied to a whole
//! reconstructed picture after all its macroblocks were coded.

use crate::mb::MbInfo;
use crate::transform::chroma_qp;

/// alpha' (Table 8-16) indexed by indexA.
const ALPHA: [u8; 52] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15, 17, 20,
    22, 25, 28, 32, 36, 40, 45, 50, 56, 63, 71, 80, 90, 101, 113, 127, 144, 162, 182, 203, 226,
    255, 255,
];

/// beta' (Table 8-16) indexed by indexB.
const BETA: [u8; 52] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 6, 6, 7, 7, 8, 8,
    9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 16, 16, 17, 17, 18, 18,
];

/// tC0 (Table 8-17) indexed by [indexA][bS - 1].
const TC0: [[u8; 3]; 52] = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 1],
    [0, 0, 1],
    [0, 0, 1],
    [0, 0, 1],
    [0, 1, 1],
    [0, 1, 1],
    [1, 1, 1],
    [1, 1, 1],
    [1, 1, 1],
    [1, 1, 1],
    [1, 1, 2],
    [1, 1, 2],
    [1, 1, 2],
    [1, 1, 2],
    [1, 2, 3],
    [1, 2, 3],
    [2, 2, 3],
    [2, 2, 4],
    [2, 3, 4],
    [2, 3, 4],
    [3, 3, 5],
    [3, 4, 6],
    [3, 4, 6],
    [4, 5, 7],
    [4, 5, 8],
    [4, 6, 9],
    [5, 7, 10],
    [6, 8, 11],
    [6, 8, 13],
    [7, 10, 14],
    [8, 11, 16],
    [9, 12, 18],
    [10, 13, 20],
    [11, 15, 23],
    [13, 17, 25],
];

/// Picture geometry for the filter.
pub struct Geometry {
    /// Width in macroblocks.
    pub mb_w: usize,
    /// Height in macroblocks.
    pub mb_h: usize,
    /// Slice alpha/c0 offset (FilterOffsetA).
    pub offset_a: i32,
    /// Slice beta offset (FilterOffsetB).
    pub offset_b: i32,
    /// chroma_qp_index_offset.
    pub chroma_offset: i8,
}

#[inline]
fn bs_of(p: &MbInfo, pi: usize, q: &MbInfo, qi: usize, mb_edge: bool) -> u8 {
    if p.is_intra() || q.is_intra() {
        return if mb_edge { 4 } else { 3 };
    }
    let pn = p.nz.get(pi).copied().unwrap_or(0);
    let qn = q.nz.get(qi).copied().unwrap_or(0);
    if pn != 0 || qn != 0 {
        return 2;
    }
    let dx = (i32::from(p.mv.0) - i32::from(q.mv.0)).abs();
    let dy = (i32::from(p.mv.1) - i32::from(q.mv.1)).abs();
    if dx >= 4 || dy >= 4 {
        1
    } else {
        0
    }
}

/// Number of lines filtered together (one macroblock edge of luma, or the
/// two chroma planes' edges side by side).
const L: usize = 16;

/// Filters 16 lines across a luma edge at once (clause 8.7.2.3/8.7.2.4):
/// `s[k][i]` is sample k (p3 p2 p1 p0 q0 q1 q2 q3) of line i. `tc0[i]` is
/// tC0 of line i's boundary, or -1 if the line is not filtered (bS 0).
/// `strong` selects the bS 4 filter for every line. The lanes are
/// independent, so the compiler vectorises the loops.
#[inline]
fn filter_luma16(s: &mut [[u8; L]; 8], tc0: &[i16; L], strong: bool, alpha: i16, beta: i16) {
    let w = |r: &[u8; L]| -> [i16; L] {
        let mut o = [0i16; L];
        for (d, &x) in o.iter_mut().zip(r.iter()) {
            *d = i16::from(x);
        }
        o
    };
    let (p3, p2, p1, p0) = (w(&s[0]), w(&s[1]), w(&s[2]), w(&s[3]));
    let (q0, q1, q2, q3) = (w(&s[4]), w(&s[5]), w(&s[6]), w(&s[7]));
    let mut o = [p2, p1, p0, q0, q1, q2];
    if strong {
        for i in 0..L {
            let on = (tc0[i] >= 0)
                & ((p0[i] - q0[i]).abs() < alpha)
                & ((p1[i] - p0[i]).abs() < beta)
                & ((q1[i] - q0[i]).abs() < beta);
            let st = (p0[i] - q0[i]).abs() < (alpha >> 2) + 2;
            let ap = on & st & ((p2[i] - p0[i]).abs() < beta);
            let aq = on & st & ((q2[i] - q0[i]).abs() < beta);
            let p0s = (p2[i] + 2 * p1[i] + 2 * p0[i] + 2 * q0[i] + q1[i] + 4) >> 3;
            let p1s = (p2[i] + p1[i] + p0[i] + q0[i] + 2) >> 2;
            let p2s = (2 * p3[i] + 3 * p2[i] + p1[i] + p0[i] + q0[i] + 4) >> 3;
            let p0w = (2 * p1[i] + p0[i] + q1[i] + 2) >> 2;
            let q0s = (p1[i] + 2 * p0[i] + 2 * q0[i] + 2 * q1[i] + q2[i] + 4) >> 3;
            let q1s = (p0[i] + q0[i] + q1[i] + q2[i] + 2) >> 2;
            let q2s = (2 * q3[i] + 3 * q2[i] + q1[i] + q0[i] + p0[i] + 4) >> 3;
            let q0w = (2 * q1[i] + q0[i] + p1[i] + 2) >> 2;
            o[0][i] = if ap { p2s } else { p2[i] };
            o[1][i] = if ap { p1s } else { p1[i] };
            o[2][i] = if ap {
                p0s
            } else if on {
                p0w
            } else {
                p0[i]
            };
            o[3][i] = if aq {
                q0s
            } else if on {
                q0w
            } else {
                q0[i]
            };
            o[4][i] = if aq { q1s } else { q1[i] };
            o[5][i] = if aq { q2s } else { q2[i] };
        }
    } else {
        for i in 0..L {
            let on = (tc0[i] >= 0)
                & ((p0[i] - q0[i]).abs() < alpha)
                & ((p1[i] - p0[i]).abs() < beta)
                & ((q1[i] - q0[i]).abs() < beta);
            let ap = (p2[i] - p0[i]).abs() < beta;
            let aq = (q2[i] - q0[i]).abs() < beta;
            let t0 = tc0[i].max(0);
            let tc = t0 + i16::from(ap) + i16::from(aq);
            let d = ((((q0[i] - p0[i]) << 2) + (p1[i] - q1[i]) + 4) >> 3)
                .max(-tc)
                .min(tc);
            let d = if on { d } else { 0 };
            o[2][i] = (p0[i] + d).clamp(0, 255);
            o[3][i] = (q0[i] - d).clamp(0, 255);
            let avg = (p0[i] + q0[i] + 1) >> 1;
            let dp = ((p2[i] + avg - (p1[i] << 1)) >> 1).max(-t0).min(t0);
            let dq = ((q2[i] + avg - (q1[i] << 1)) >> 1).max(-t0).min(t0);
            o[1][i] = p1[i] + if on & ap { dp } else { 0 };
            o[4][i] = q1[i] + if on & aq { dq } else { 0 };
        }
    }
    for (d, r) in s[1..7].iter_mut().zip(o.iter()) {
        for (x, &v) in d.iter_mut().zip(r.iter()) {
            *x = v as u8;
        }
    }
}

/// Filters 16 chroma lines (p1 p0 q0 q1 in `s[0..4]`) at once; `tc0` as
/// for [`filter_luma16`].
#[inline]
fn filter_chroma16(s: &mut [[u8; L]; 4], tc0: &[i16; L], strong: bool, alpha: i16, beta: i16) {
    let w = |r: &[u8; L]| -> [i16; L] {
        let mut o = [0i16; L];
        for (d, &x) in o.iter_mut().zip(r.iter()) {
            *d = i16::from(x);
        }
        o
    };
    let (p1, p0, q0, q1) = (w(&s[0]), w(&s[1]), w(&s[2]), w(&s[3]));
    for i in 0..L {
        let on = (tc0[i] >= 0)
            & ((p0[i] - q0[i]).abs() < alpha)
            & ((p1[i] - p0[i]).abs() < beta)
            & ((q1[i] - q0[i]).abs() < beta);
        let (np0, nq0) = if strong {
            (
                (2 * p1[i] + p0[i] + q1[i] + 2) >> 2,
                (2 * q1[i] + q0[i] + p1[i] + 2) >> 2,
            )
        } else {
            let tc = tc0[i] + 1;
            let d = ((((q0[i] - p0[i]) << 2) + (p1[i] - q1[i]) + 4) >> 3)
                .max(-tc)
                .min(tc);
            ((p0[i] + d).clamp(0, 255), (q0[i] - d).clamp(0, 255))
        };
        s[1][i] = if on { np0 } else { p0[i] } as u8;
        s[2][i] = if on { nq0 } else { q0[i] } as u8;
    }
}

/// Per-line tC0 (or -1 for bS 0) of an edge whose 4 boundary strengths
/// each cover `L / 4` lines.
#[inline]
fn line_tc0(bs: &[u8; 4], tc0: &[i32; 3]) -> [i16; L] {
    let mut t = [-1i16; L];
    for (seg, &b) in t.chunks_exact_mut(L / 4).zip(bs.iter()) {
        if b != 0 {
            let v = tc0[usize::from(b.min(3)) - 1] as i16;
            seg.fill(v);
        }
    }
    t
}

/// Filters the vertical luma edge whose first q0 sample is at `q0i`
/// (16 rows).
fn vedge_luma(
    pix: &mut [u8],
    q0i: usize,
    stride: usize,
    tc: &[i16; L],
    strong: bool,
    ep: &EdgeParams,
) {
    let Some(base) = q0i.checked_sub(4) else {
        return;
    };
    let mut s = [[0u8; L]; 8];
    for (i, row) in pix
        .get(base..)
        .unwrap_or(&[])
        .chunks(stride)
        .take(L)
        .enumerate()
    {
        let Some(r) = row.get(..8) else {
            return;
        };
        for (k, &x) in r.iter().enumerate() {
            s[k][i] = x;
        }
    }
    filter_luma16(&mut s, tc, strong, ep.alpha as i16, ep.beta as i16);
    for (i, row) in pix
        .get_mut(base..)
        .unwrap_or(&mut [])
        .chunks_mut(stride)
        .take(L)
        .enumerate()
    {
        if let Some(r) = row.get_mut(1..7) {
            for (k, x) in r.iter_mut().enumerate() {
                *x = s[k + 1][i];
            }
        }
    }
}

/// Filters the horizontal luma edge whose first q0 sample is at `q0i`
/// (16 columns).
fn hedge_luma(
    pix: &mut [u8],
    q0i: usize,
    stride: usize,
    tc: &[i16; L],
    strong: bool,
    ep: &EdgeParams,
) {
    let Some(base) = q0i.checked_sub(4 * stride) else {
        return;
    };
    if base + 7 * stride + L > pix.len() {
        return;
    }
    let mut s = [[0u8; L]; 8];
    for (k, r) in s.iter_mut().enumerate() {
        let o = base + k * stride;
        if let Some(src) = pix.get(o..o + L) {
            r.copy_from_slice(src);
        }
    }
    filter_luma16(&mut s, tc, strong, ep.alpha as i16, ep.beta as i16);
    for (k, r) in s.iter().enumerate().take(7).skip(1) {
        let o = base + k * stride;
        if let Some(d) = pix.get_mut(o..o + L) {
            d.copy_from_slice(r);
        }
    }
}

/// Filters a chroma edge of both planes (8 lines each): `step` is the
/// distance between samples across the edge, `next` between the lines.
#[allow(clippy::too_many_arguments)]
fn edge_chroma(
    cb: &mut [u8],
    cr: &mut [u8],
    q0i: usize,
    step: usize,
    next: usize,
    tc: &[i16; L],
    strong: bool,
    ep: &EdgeParams,
) {
    let Some(base) = q0i.checked_sub(2 * step) else {
        return;
    };
    if base + 3 * step + 7 * next >= cb.len().min(cr.len()) {
        return;
    }
    let mut s = [[0u8; L]; 4];
    for (i, pl) in [&*cb, &*cr].iter().enumerate() {
        for l in 0..L / 2 {
            for (k, r) in s.iter_mut().enumerate() {
                r[i * (L / 2) + l] = pl.get(base + l * next + k * step).copied().unwrap_or(0);
            }
        }
    }
    // Chroma lines pair up with luma boundary segments: line l of a plane
    // uses segment l / 2, the same as luma lines 4 * (l / 2) ..
    let mut t = [-1i16; L];
    for l in 0..L / 2 {
        t[l] = tc[(l / 2) * 4];
        t[L / 2 + l] = tc[(l / 2) * 4];
    }
    filter_chroma16(&mut s, &t, strong, ep.alpha as i16, ep.beta as i16);
    for (i, pl) in [cb, cr].into_iter().enumerate() {
        for l in 0..L / 2 {
            for (k, r) in s.iter().enumerate().take(3).skip(1) {
                if let Some(x) = pl.get_mut(base + l * next + k * step) {
                    *x = r[i * (L / 2) + l];
                }
            }
        }
    }
}

struct EdgeParams {
    alpha: i32,
    beta: i32,
    tc0: [i32; 3],
}

fn params(qp_p: u8, qp_q: u8, g: &Geometry) -> EdgeParams {
    let qav = (i32::from(qp_p) + i32::from(qp_q) + 1) >> 1;
    let ia = (qav + g.offset_a).clamp(0, 51) as usize;
    let ib = (qav + g.offset_b).clamp(0, 51) as usize;
    let t = TC0.get(ia).copied().unwrap_or([0; 3]);
    EdgeParams {
        alpha: i32::from(ALPHA.get(ia).copied().unwrap_or(0)),
        beta: i32::from(BETA.get(ib).copied().unwrap_or(0)),
        tc0: [i32::from(t[0]), i32::from(t[1]), i32::from(t[2])],
    }
}

/// Deblocks the picture in place. `luma`, `cb`, `cr` are MB-aligned planes
/// with strides `16 * mb_w` and `8 * mb_w`; `info` holds one entry per MB.
pub fn deblock_picture(
    g: &Geometry,
    luma: &mut [u8],
    cb: &mut [u8],
    cr: &mut [u8],
    info: &[MbInfo],
) {
    let ys = g.mb_w * 16;
    let cs = g.mb_w * 8;
    if luma.len() < ys * g.mb_h * 16
        || cb.len() < cs * g.mb_h * 8
        || cr.len() < cs * g.mb_h * 8
        || info.len() < g.mb_w * g.mb_h
    {
        return;
    }
    for mby in 0..g.mb_h {
        for mbx in 0..g.mb_w {
            let addr = mby * g.mb_w + mbx;
            let q = match info.get(addr) {
                Some(q) => q,
                None => return,
            };
            let qcq = chroma_qp(q.qp, g.chroma_offset);
            for dir in 0..2 {
                let vertical = dir == 0;
                for e in 0..4 {
                    let (p, pqp) = if e == 0 {
                        let (avail, pa) = if vertical {
                            (mbx > 0, addr.wrapping_sub(1))
                        } else {
                            (mby > 0, addr.wrapping_sub(g.mb_w))
                        };
                        if !avail {
                            continue;
                        }
                        match info.get(pa) {
                            Some(p) => (p, p.qp),
                            None => continue,
                        }
                    } else {
                        (q, q.qp)
                    };
                    let mut bs = [0u8; 4];
                    for (k, b) in bs.iter_mut().enumerate() {
                        let (qi, pi) = if vertical {
                            (k * 4 + e, if e == 0 { k * 4 + 3 } else { k * 4 + e - 1 })
                        } else {
                            (e * 4 + k, if e == 0 { 12 + k } else { (e - 1) * 4 + k })
                        };
                        *b = bs_of(p, pi, q, qi, e == 0);
                    }
                    if bs == [0; 4] {
                        continue;
                    }
                    // bS 4 only occurs on macroblock edges, for all four
                    // segments at once.
                    let strong = bs[0] == 4;
                    let ep = params(pqp, q.qp, g);
                    if ep.alpha > 0 && ep.beta > 0 {
                        let tc = line_tc0(&bs, &ep.tc0);
                        if vertical {
                            let o = mby * 16 * ys + mbx * 16 + e * 4;
                            vedge_luma(luma, o, ys, &tc, strong, &ep);
                        } else {
                            let o = (mby * 16 + e * 4) * ys + mbx * 16;
                            hedge_luma(luma, o, ys, &tc, strong, &ep);
                        }
                    }
                    if e == 0 || e == 2 {
                        let pcq = chroma_qp(pqp, g.chroma_offset);
                        let cp = params(pcq, qcq, g);
                        if cp.alpha > 0 && cp.beta > 0 {
                            let tc = line_tc0(&bs, &cp.tc0);
                            if vertical {
                                let o = mby * 8 * cs + mbx * 8 + e * 2;
                                edge_chroma(cb, cr, o, 1, cs, &tc, strong, &cp);
                            } else {
                                let o = (mby * 8 + e * 2) * cs + mbx * 8;
                                edge_chroma(cb, cr, o, cs, 1, &tc, strong, &cp);
                            }
                        }
                    }
                }
            }
        }
    }
}
