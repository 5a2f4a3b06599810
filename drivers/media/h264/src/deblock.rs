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

/// Filters one line of 8 luma samples p3 p2 p1 p0 q0 q1 q2 q3 across an
/// edge (clause 8.7.2.3/8.7.2.4). Returns false if nothing changed.
#[inline(always)]
fn filter_luma(v: &mut [u8; 8], bs: u8, alpha: i32, beta: i32, tc0: i32) -> bool {
    let (p0, q0) = (i32::from(v[3]), i32::from(v[4]));
    if (p0 - q0).abs() >= alpha {
        return false;
    }
    let (p1, q1) = (i32::from(v[2]), i32::from(v[5]));
    if (p1 - p0).abs() >= beta || (q1 - q0).abs() >= beta {
        return false;
    }
    let clip = |x: i32| x.clamp(0, 255) as u8;
    let (p3, p2, q2, q3) = (
        i32::from(v[0]),
        i32::from(v[1]),
        i32::from(v[6]),
        i32::from(v[7]),
    );
    let ap = (p2 - p0).abs();
    let aq = (q2 - q0).abs();
    if bs < 4 {
        let mut tc = tc0;
        if ap < beta {
            tc += 1;
        }
        if aq < beta {
            tc += 1;
        }
        let d = ((((q0 - p0) << 2) + (p1 - q1) + 4) >> 3).clamp(-tc, tc);
        v[3] = clip(p0 + d);
        v[4] = clip(q0 - d);
        if ap < beta {
            v[2] = clip(p1 + ((p2 + ((p0 + q0 + 1) >> 1) - (p1 << 1)) >> 1).clamp(-tc0, tc0));
        }
        if aq < beta {
            v[5] = clip(q1 + ((q2 + ((p0 + q0 + 1) >> 1) - (q1 << 1)) >> 1).clamp(-tc0, tc0));
        }
    } else {
        let strong = (p0 - q0).abs() < ((alpha >> 2) + 2);
        if ap < beta && strong {
            v[3] = clip((p2 + 2 * p1 + 2 * p0 + 2 * q0 + q1 + 4) >> 3);
            v[2] = clip((p2 + p1 + p0 + q0 + 2) >> 2);
            v[1] = clip((2 * p3 + 3 * p2 + p1 + p0 + q0 + 4) >> 3);
        } else {
            v[3] = clip((2 * p1 + p0 + q1 + 2) >> 2);
        }
        if aq < beta && strong {
            v[4] = clip((p1 + 2 * p0 + 2 * q0 + 2 * q1 + q2 + 4) >> 3);
            v[5] = clip((p0 + q0 + q1 + q2 + 2) >> 2);
            v[6] = clip((2 * q3 + 3 * q2 + q1 + q0 + p0 + 4) >> 3);
        } else {
            v[4] = clip((2 * q1 + q0 + p1 + 2) >> 2);
        }
    }
    true
}

/// Filters one line of 4 chroma samples p1 p0 q0 q1 across an edge.
/// Returns false if nothing changed.
#[inline(always)]
fn filter_chroma(v: &mut [u8; 4], bs: u8, alpha: i32, beta: i32, tc0: i32) -> bool {
    let (p1, p0, q0, q1) = (
        i32::from(v[0]),
        i32::from(v[1]),
        i32::from(v[2]),
        i32::from(v[3]),
    );
    if (p0 - q0).abs() >= alpha || (p1 - p0).abs() >= beta || (q1 - q0).abs() >= beta {
        return false;
    }
    let clip = |x: i32| x.clamp(0, 255) as u8;
    if bs < 4 {
        let tc = tc0 + 1;
        let d = ((((q0 - p0) << 2) + (p1 - q1) + 4) >> 3).clamp(-tc, tc);
        v[1] = clip(p0 + d);
        v[2] = clip(q0 - d);
    } else {
        v[1] = clip((2 * p1 + p0 + q1 + 2) >> 2);
        v[2] = clip((2 * q1 + q0 + p1 + 2) >> 2);
    }
    true
}

/// Filters 4 lines across a vertical luma edge (samples of a line are
/// adjacent); `q0i` is the index of the first line's q0 sample.
#[inline]
fn vedge_luma(pix: &mut [u8], q0i: usize, stride: usize, bs: u8, alpha: i32, beta: i32, tc0: i32) {
    for r in 0..4 {
        let Some(o) = (q0i + r * stride).checked_sub(4) else {
            return;
        };
        let Some(s) = pix.get_mut(o..o + 8) else {
            return;
        };
        let Ok(v) = <&mut [u8; 8]>::try_from(s) else {
            return;
        };
        filter_luma(v, bs, alpha, beta, tc0);
    }
}

/// Filters 4 columns across a horizontal luma edge at row `q0i / stride`.
#[inline]
fn hedge_luma(pix: &mut [u8], q0i: usize, stride: usize, bs: u8, alpha: i32, beta: i32, tc0: i32) {
    let Some(base) = q0i.checked_sub(4 * stride) else {
        return;
    };
    if base + 7 * stride + 4 > pix.len() {
        return;
    }
    let mut rows = [[0u8; 4]; 8];
    for (k, row) in rows.iter_mut().enumerate() {
        let o = base + k * stride;
        if let Some(s) = pix.get(o..o + 4) {
            row.copy_from_slice(s);
        }
    }
    let mut changed = false;
    for c in 0..4 {
        let mut v = [0u8; 8];
        for (d, row) in v.iter_mut().zip(rows.iter()) {
            *d = row[c];
        }
        if filter_luma(&mut v, bs, alpha, beta, tc0) {
            for (row, &x) in rows.iter_mut().zip(v.iter()) {
                row[c] = x;
            }
            changed = true;
        }
    }
    if changed {
        // p2..q2 are the only samples the filter writes.
        for (k, row) in rows.iter().enumerate().take(7).skip(1) {
            let o = base + k * stride;
            if let Some(d) = pix.get_mut(o..o + 4) {
                d.copy_from_slice(row);
            }
        }
    }
}

/// Filters 2 lines of one chroma plane across an edge: `step` is the
/// distance between samples across the edge, `next` between the lines.
#[inline]
#[allow(clippy::too_many_arguments)]
fn edge_chroma(
    pix: &mut [u8],
    q0i: usize,
    step: usize,
    next: usize,
    bs: u8,
    alpha: i32,
    beta: i32,
    tc0: i32,
) {
    for r in 0..2 {
        let q = q0i + r * next;
        let Some(base) = q.checked_sub(2 * step) else {
            return;
        };
        if base + 3 * step >= pix.len() {
            return;
        }
        let mut v = [0u8; 4];
        for (k, d) in v.iter_mut().enumerate() {
            *d = pix[base + k * step];
        }
        if filter_chroma(&mut v, bs, alpha, beta, tc0) {
            pix[base + step] = v[1];
            pix[base + 2 * step] = v[2];
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
            // Vertical edges.
            for e in 0..4 {
                let (p, pqp) = if e == 0 {
                    if mbx == 0 {
                        continue;
                    }
                    match info.get(addr - 1) {
                        Some(p) => (p, p.qp),
                        None => continue,
                    }
                } else {
                    (q, q.qp)
                };
                let mut bs = [0u8; 4];
                for (k, b) in bs.iter_mut().enumerate() {
                    let qi = k * 4 + e;
                    let pi = if e == 0 { k * 4 + 3 } else { k * 4 + e - 1 };
                    *b = bs_of(p, pi, q, qi, e == 0);
                }
                if bs == [0; 4] {
                    continue;
                }
                let ep = params(pqp, q.qp, g);
                for (k, &b) in bs.iter().enumerate() {
                    if b == 0 {
                        continue;
                    }
                    let tc0 = ep.tc0[usize::from(b.min(3)) - 1];
                    let (y, x) = (mby * 16 + k * 4, mbx * 16 + e * 4);
                    vedge_luma(luma, y * ys + x, ys, b, ep.alpha, ep.beta, tc0);
                }
                if e == 0 || e == 2 {
                    let pcq = chroma_qp(pqp, g.chroma_offset);
                    let cp = params(pcq, qcq, g);
                    for (k, &b) in bs.iter().enumerate() {
                        if b == 0 {
                            continue;
                        }
                        let tc0 = cp.tc0[usize::from(b.min(3)) - 1];
                        let o = (mby * 8 + k * 2) * cs + mbx * 8 + e * 2;
                        edge_chroma(cb, o, 1, cs, b, cp.alpha, cp.beta, tc0);
                        edge_chroma(cr, o, 1, cs, b, cp.alpha, cp.beta, tc0);
                    }
                }
            }
            // Horizontal edges.
            for e in 0..4 {
                let (p, pqp) = if e == 0 {
                    if mby == 0 {
                        continue;
                    }
                    match info.get(addr - g.mb_w) {
                        Some(p) => (p, p.qp),
                        None => continue,
                    }
                } else {
                    (q, q.qp)
                };
                let mut bs = [0u8; 4];
                for (k, b) in bs.iter_mut().enumerate() {
                    let qi = e * 4 + k;
                    let pi = if e == 0 { 12 + k } else { (e - 1) * 4 + k };
                    *b = bs_of(p, pi, q, qi, e == 0);
                }
                if bs == [0; 4] {
                    continue;
                }
                let ep = params(pqp, q.qp, g);
                for (k, &b) in bs.iter().enumerate() {
                    if b == 0 {
                        continue;
                    }
                    let tc0 = ep.tc0[usize::from(b.min(3)) - 1];
                    let (y, x) = (mby * 16 + e * 4, mbx * 16 + k * 4);
                    hedge_luma(luma, y * ys + x, ys, b, ep.alpha, ep.beta, tc0);
                }
                if e == 0 || e == 2 {
                    let pcq = chroma_qp(pqp, g.chroma_offset);
                    let cp = params(pcq, qcq, g);
                    for (k, &b) in bs.iter().enumerate() {
                        if b == 0 {
                            continue;
                        }
                        let tc0 = cp.tc0[usize::from(b.min(3)) - 1];
                        let o = (mby * 8 + e * 2) * cs + mbx * 8 + k * 2;
                        edge_chroma(cb, o, cs, 1, b, cp.alpha, cp.beta, tc0);
                        edge_chroma(cr, o, cs, 1, b, cp.alpha, cp.beta, tc0);
                    }
                }
            }
        }
    }
}
