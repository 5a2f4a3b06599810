// SPDX-License-Identifier: GPL-2.0
//! Macroblock analysis (mode decision, motion search), residual coding,
//! reconstruction and macroblock_layer() syntax.

use crate::bitstream::BitWriter;
use crate::cavlc::write_block;
use crate::inter::{self, McScratch, PlaneRef, Search};
use crate::intra::{self, Edges, Edges4};
use crate::transform::{self as tf};

/// Per-macroblock state kept by the caller for one picture (one entry per
/// macroblock). Used for neighbour prediction and the deblocking filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MbInfo {
    pub(crate) kind: u8,
    pub(crate) nz: [u8; 16],
    pub(crate) nzc: [u8; 8],
    pub(crate) modes: [u8; 16],
    pub(crate) mv: (i16, i16),
    pub(crate) qp: u8,
}

pub(crate) const KIND_NONE: u8 = 0;
pub(crate) const KIND_I4: u8 = 1;
pub(crate) const KIND_I16: u8 = 2;
pub(crate) const KIND_P: u8 = 3;
pub(crate) const KIND_SKIP: u8 = 4;

impl MbInfo {
    /// An unused entry; initialise caller buffers with it.
    pub const EMPTY: MbInfo = MbInfo {
        kind: KIND_NONE,
        nz: [0; 16],
        nzc: [0; 8],
        modes: [2; 16],
        mv: (0, 0),
        qp: 0,
    };

    pub(crate) fn is_intra(&self) -> bool {
        self.kind == KIND_I4 || self.kind == KIND_I16
    }

    fn is_inter(&self) -> bool {
        self.kind == KIND_P || self.kind == KIND_SKIP
    }
}

impl Default for MbInfo {
    fn default() -> Self {
        Self::EMPTY
    }
}

/// Quarter-sample refinement candidates (4: diamond, 8: square).
const QPEL_POINTS: usize = 4;

/// Lagrangian multipliers (SAD domain) per QP.
const LAMBDA: [u32; 52] = [
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8,
    9, 10, 11, 12, 14, 15, 17, 19, 22, 24, 27, 31, 34, 38, 43, 48, 54, 61, 69, 77,
];

/// Returns the mode decision lambda for `qp`.
pub(crate) fn lambda(qp: u8) -> u32 {
    LAMBDA.get(usize::from(qp)).copied().unwrap_or(77)
}

/// blkIdx -> raster index (y * 4 + x) of luma 4x4 blocks.
pub(crate) const BLK_RASTER: [usize; 16] = [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15];
/// raster index -> blkIdx.
const RASTER_BLK: [usize; 16] = [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15];

/// coded_block_pattern -> codeNum for Intra_4x4 (index = cbp).
const CBP_INTRA: [u8; 48] = [
    3, 29, 30, 17, 31, 18, 37, 8, 32, 38, 19, 9, 20, 10, 11, 2, 16, 33, 34, 21, 35, 22, 39, 4, 36,
    40, 23, 5, 24, 6, 7, 1, 41, 42, 43, 25, 44, 26, 46, 12, 45, 47, 27, 13, 28, 14, 15, 0,
];
/// coded_block_pattern -> codeNum for Inter.
const CBP_INTER: [u8; 48] = [
    0, 2, 3, 7, 4, 8, 17, 13, 5, 18, 9, 14, 10, 15, 16, 11, 1, 32, 33, 36, 34, 37, 44, 40, 35, 45,
    38, 41, 39, 42, 43, 19, 6, 24, 25, 20, 26, 21, 46, 28, 27, 47, 22, 29, 23, 30, 31, 12,
];

/// Encoder scratch memory (about 6 KiB), owned by the caller and passed in
/// [`crate::FrameBuffers`]. It holds no state between calls.
///
/// It consists only of integer arrays, so the all-zero bit pattern is a
/// valid value: a kernel driver may allocate it zeroed instead of building
/// it on the stack with [`Workspace::new`].
pub struct Workspace {
    src_y: [u8; 256],
    src_c: [[u8; 64]; 2],
    pred_y: [u8; 256],
    pred_c: [[u8; 64]; 2],
    tmp_y: [u8; 256],
    p16: [u8; 256],
    /// Luma levels per raster 4x4 block, scan order.
    lev: [[i16; 16]; 16],
    dc: [i16; 16],
    cdc: [[i16; 4]; 2],
    cac: [[[i16; 16]; 4]; 2],
    mc: McScratch,
}

impl Workspace {
    /// Zeroed scratch.
    pub const fn new() -> Self {
        Workspace {
            src_y: [0; 256],
            src_c: [[0; 64]; 2],
            pred_y: [0; 256],
            pred_c: [[0; 64]; 2],
            tmp_y: [0; 256],
            p16: [0; 256],
            lev: [[0; 16]; 16],
            dc: [0; 16],
            cdc: [[0; 4]; 2],
            cac: [[[0; 16]; 4]; 2],
            mc: McScratch::new(),
        }
    }

    /// Mutable access to the source block buffers for loading.
    pub(crate) fn src_mut(&mut self) -> (&mut [u8; 256], &mut [[u8; 64]; 2]) {
        (&mut self.src_y, &mut self.src_c)
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

/// Mutable reconstruction picture (MB aligned planes).
pub(crate) struct Recon<'a> {
    pub y: &'a mut [u8],
    pub u: &'a mut [u8],
    pub v: &'a mut [u8],
    pub ys: usize,
    pub cs: usize,
}

/// Reference picture planes.
pub(crate) struct RefPic<'a> {
    pub y: PlaneRef<'a>,
    pub u: PlaneRef<'a>,
    pub v: PlaneRef<'a>,
}

/// Everything the macroblock coder needs about the current slice.
pub(crate) struct SliceCtx<'a, 'b> {
    pub recon: Recon<'a>,
    pub refp: Option<RefPic<'b>>,
    pub info: &'a mut [MbInfo],
    pub mb_w: usize,
    pub slice_start: usize,
    pub qp: u8,
    pub qpc: u8,
    pub lambda: u32,
    pub range: i32,
    pub subpel: bool,
    pub i4: bool,
    pub skip_run: u32,
}

struct Nb {
    a: bool,
    b: bool,
    c: bool,
    d: bool,
    addr: usize,
}

impl SliceCtx<'_, '_> {
    fn nb(&self, mbx: usize, mby: usize) -> Nb {
        let addr = mby * self.mb_w + mbx;
        let ok = |n: Option<usize>| n.is_some_and(|n| n >= self.slice_start && n < addr);
        let up = if mby > 0 {
            Some(addr - self.mb_w)
        } else {
            None
        };
        Nb {
            a: mbx > 0 && ok(Some(addr - 1)),
            b: ok(up),
            c: mbx + 1 < self.mb_w && ok(up.map(|u| u + 1)),
            d: mbx > 0 && ok(up.map(|u| u - 1)),
            addr,
        }
    }

    fn info_at(&self, addr: usize) -> MbInfo {
        self.info.get(addr).copied().unwrap_or(MbInfo::EMPTY)
    }

    #[inline]
    fn ry(&self, x: usize, y: usize) -> u8 {
        self.recon
            .y
            .get(y * self.recon.ys + x)
            .copied()
            .unwrap_or(128)
    }

    #[inline]
    fn rc(&self, c: usize, x: usize, y: usize) -> u8 {
        let p = if c == 0 { &self.recon.u } else { &self.recon.v };
        p.get(y * self.recon.cs + x).copied().unwrap_or(128)
    }

    fn edges16(&self, mbx: usize, mby: usize, nb: &Nb) -> Edges<16> {
        let (x0, y0) = (mbx * 16, mby * 16);
        let mut e = Edges {
            top: [128; 16],
            left: [128; 16],
            top_left: 128,
            has_top: nb.b,
            has_left: nb.a,
            has_top_left: nb.d,
        };
        if nb.b {
            for (i, t) in e.top.iter_mut().enumerate() {
                *t = self.ry(x0 + i, y0 - 1);
            }
        }
        if nb.a {
            for (i, l) in e.left.iter_mut().enumerate() {
                *l = self.ry(x0 - 1, y0 + i);
            }
        }
        if nb.d {
            e.top_left = self.ry(x0 - 1, y0 - 1);
        }
        e
    }

    fn edges_c(&self, c: usize, mbx: usize, mby: usize, nb: &Nb) -> Edges<8> {
        let (x0, y0) = (mbx * 8, mby * 8);
        let mut e = Edges {
            top: [128; 8],
            left: [128; 8],
            top_left: 128,
            has_top: nb.b,
            has_left: nb.a,
            has_top_left: nb.d,
        };
        if nb.b {
            for (i, t) in e.top.iter_mut().enumerate() {
                *t = self.rc(c, x0 + i, y0 - 1);
            }
        }
        if nb.a {
            for (i, l) in e.left.iter_mut().enumerate() {
                *l = self.rc(c, x0 - 1, y0 + i);
            }
        }
        if nb.d {
            e.top_left = self.rc(c, x0 - 1, y0 - 1);
        }
        e
    }

    fn edges4(&self, mbx: usize, mby: usize, nb: &Nb, bx: usize, by: usize) -> Edges4 {
        let x = mbx * 16 + bx * 4;
        let y = mby * 16 + by * 4;
        let has_left = bx > 0 || nb.a;
        let has_top = by > 0 || nb.b;
        let has_top_left = match (bx > 0, by > 0) {
            (true, true) => true,
            (false, true) => nb.a,
            (true, false) => nb.b,
            (false, false) => nb.d,
        };
        let has_tr = if by == 0 {
            if bx < 3 {
                nb.b
            } else {
                nb.c
            }
        } else {
            bx < 3 && RASTER_BLK[(by - 1) * 4 + bx + 1] < RASTER_BLK[by * 4 + bx]
        };
        let mut e = [128u8; 13];
        if has_left {
            for i in 0..4 {
                e[3 - i] = self.ry(x - 1, y + i);
            }
        }
        if has_top_left {
            e[4] = self.ry(x - 1, y - 1);
        }
        if has_top {
            for i in 0..4 {
                e[5 + i] = self.ry(x + i, y - 1);
            }
            for i in 4..8 {
                e[5 + i] = if has_tr { self.ry(x + i, y - 1) } else { e[8] };
            }
        }
        Edges4 {
            e,
            has_top,
            has_left,
            has_top_left,
        }
    }

    /// Motion vector predictor for a 16x16 partition and the P_Skip vector.
    fn mv_pred(&self, nb: &Nb) -> ((i32, i32), (i32, i32)) {
        let get = |avail: bool, addr: usize| -> Option<(i32, (i32, i32))> {
            if !avail {
                return None;
            }
            let m = self.info_at(addr);
            if m.is_inter() {
                Some((0, (i32::from(m.mv.0), i32::from(m.mv.1))))
            } else {
                Some((-1, (0, 0)))
            }
        };
        let up = nb.addr.wrapping_sub(self.mb_w);
        let a = get(nb.a, nb.addr.wrapping_sub(1));
        let b = get(nb.b, up);
        let c = if nb.c {
            get(true, up.wrapping_add(1))
        } else {
            get(nb.d, up.wrapping_sub(1))
        };
        let pred = match (a, b, c) {
            (Some(a), None, None) => a.1,
            _ => {
                let a = a.unwrap_or((-1, (0, 0)));
                let b = b.unwrap_or((-1, (0, 0)));
                let c = c.unwrap_or((-1, (0, 0)));
                let n = u8::from(a.0 == 0) + u8::from(b.0 == 0) + u8::from(c.0 == 0);
                if n == 1 {
                    if a.0 == 0 {
                        a.1
                    } else if b.0 == 0 {
                        b.1
                    } else {
                        c.1
                    }
                } else {
                    (med(a.1 .0, b.1 .0, c.1 .0), med(a.1 .1, b.1 .1, c.1 .1))
                }
            }
        };
        let skip = match (a, b) {
            (Some(a), Some(b)) => {
                if (a.0 == 0 && a.1 == (0, 0)) || (b.0 == 0 && b.1 == (0, 0)) {
                    (0, 0)
                } else {
                    pred
                }
            }
            _ => (0, 0),
        };
        (pred, skip)
    }

    fn nc_luma(&self, nb: &Nb, cur: &[u8; 16], bx: usize, by: usize) -> i32 {
        let a = if bx > 0 {
            Some(cur[by * 4 + bx - 1])
        } else if nb.a {
            Some(self.info_at(nb.addr - 1).nz[by * 4 + 3])
        } else {
            None
        };
        let b = if by > 0 {
            Some(cur[(by - 1) * 4 + bx])
        } else if nb.b {
            Some(self.info_at(nb.addr - self.mb_w).nz[12 + bx])
        } else {
            None
        };
        nc_of(a, b)
    }

    fn nc_chroma(&self, nb: &Nb, cur: &[u8; 8], c: usize, bx: usize, by: usize) -> i32 {
        let a = if bx > 0 {
            Some(cur[c * 4 + by * 2])
        } else if nb.a {
            Some(self.info_at(nb.addr - 1).nzc[c * 4 + by * 2 + 1])
        } else {
            None
        };
        let b = if by > 0 {
            Some(cur[c * 4 + bx])
        } else if nb.b {
            Some(self.info_at(nb.addr - self.mb_w).nzc[c * 4 + 2 + bx])
        } else {
            None
        };
        nc_of(a, b)
    }

    fn pred_i4_mode(&self, nb: &Nb, cur: &[u8; 16], bx: usize, by: usize) -> u8 {
        let a = if bx > 0 {
            Some(cur[by * 4 + bx - 1])
        } else if nb.a {
            let m = self.info_at(nb.addr - 1);
            Some(if m.kind == KIND_I4 {
                m.modes[by * 4 + 3]
            } else {
                2
            })
        } else {
            None
        };
        let b = if by > 0 {
            Some(cur[(by - 1) * 4 + bx])
        } else if nb.b {
            let m = self.info_at(nb.addr - self.mb_w);
            Some(if m.kind == KIND_I4 {
                m.modes[12 + bx]
            } else {
                2
            })
        } else {
            None
        };
        match (a, b) {
            (Some(a), Some(b)) => a.min(b),
            _ => 2,
        }
    }
}

fn med(a: i32, b: i32, c: i32) -> i32 {
    a.max(b).min(a.min(b).max(c))
}

fn nc_of(a: Option<u8>, b: Option<u8>) -> i32 {
    match (a, b) {
        (Some(a), Some(b)) => (i32::from(a) + i32::from(b) + 1) >> 1,
        (Some(a), None) => i32::from(a),
        (None, Some(b)) => i32::from(b),
        _ => 0,
    }
}

/// Residual of a 4x4 block at (bx, by) of a 16-wide source and prediction.
#[inline]
fn residual4(src: &[u8], pred: &[u8], stride: usize, bx: usize, by: usize) -> [i32; 16] {
    let mut r = [0i32; 16];
    for (y, rr) in r.chunks_exact_mut(4).enumerate() {
        let o = (by * 4 + y) * stride + bx * 4;
        if let (Some(s), Some(p)) = (src.get(o..o + 4), pred.get(o..o + 4)) {
            for ((d, &a), &b) in rr.iter_mut().zip(s.iter()).zip(p.iter()) {
                *d = i32::from(a) - i32::from(b);
            }
        }
    }
    r
}

/// Sum of absolute values of a residual block.
#[inline]
fn sad4(r: &[i32; 16]) -> u32 {
    r.iter().map(|v| v.unsigned_abs()).sum()
}

/// Adds a reconstructed residual to the prediction and stores it.
#[inline]
#[allow(clippy::too_many_arguments)]
fn store4(
    dst: &mut [u8],
    dstride: usize,
    dx: usize,
    dy: usize,
    pred: &[u8],
    pstride: usize,
    px: usize,
    py: usize,
    res: Option<&[i32; 16]>,
) {
    for y in 0..4 {
        let po = (py + y) * pstride + px;
        let d0 = (dy + y) * dstride + dx;
        let (Some(p), Some(d)) = (pred.get(po..po + 4), dst.get_mut(d0..d0 + 4)) else {
            continue;
        };
        match res {
            Some(r) => {
                for ((o, &pp), &rv) in d.iter_mut().zip(p.iter()).zip(r[y * 4..y * 4 + 4].iter()) {
                    *o = (i32::from(pp) + rv).clamp(0, 255) as u8;
                }
            }
            None => d.copy_from_slice(p),
        }
    }
}

fn satd16(a: &[u8; 256], b: &[u8; 256]) -> u32 {
    inter::satd::<16, 256>(a, b)
}

fn satd8(a: &[u8; 64], b: &[u8; 64]) -> u32 {
    inter::satd::<8, 64>(a, b)
}

/// Reconstructed residual of a block with `nz` AC levels and the scaled
/// DC `dc`: `None` if it is all zero; a DC-only block is flat, so neither
/// needs the full inverse transform.
#[inline]
fn idct_levels(lev: &[i16; 16], nz: u8, qp: u8, dc: i32) -> Option<[i32; 16]> {
    if nz == 0 {
        if dc == 0 {
            return None;
        }
        // Inverse transform of a DC-only block: every sample (dc + 32) >> 6.
        return Some([(dc + 32) >> 6; 16]);
    }
    let d = tf::dequant4x4(lev, qp, Some(dc));
    Some(tf::idct4x4(&d))
}

/// Result of luma coding for the chosen mode.
struct LumaOut {
    cbp: u8,
    nz: [u8; 16],
}

/// Codes luma residual for an inter or I16 prediction already in
/// `w.pred_y`, writing the reconstruction. For I16 `i16` is true.
#[inline(never)]
fn code_luma_pred(
    ctx: &mut SliceCtx<'_, '_>,
    w: &mut Workspace,
    mbx: usize,
    mby: usize,
    i16: bool,
) -> LumaOut {
    let qp = ctx.qp;
    let mut nz = [0u8; 16];
    let mut dcs = [0i32; 16];
    let zt = if i16 {
        0
    } else {
        tf::zero_sad_threshold(qp, false)
    };
    let sads = if i16 {
        [u32::MAX; 16]
    } else {
        inter::sad4x4_all(&w.src_y, &w.pred_y)
    };
    for (r, (dc, n)) in dcs.iter_mut().zip(nz.iter_mut()).enumerate() {
        let (bx, by) = (r & 3, r >> 2);
        if !i16 && sads[r] <= zt {
            *n = 0;
            w.lev[r] = [0; 16];
            continue;
        }
        let res = residual4(&w.src_y, &w.pred_y, 16, bx, by);
        let c = tf::fdct4x4(&res);
        *dc = c[0];
        *n = tf::quant4x4(&c, qp, i16, i16, &mut w.lev[r]);
    }
    let mut out = LumaOut {
        cbp: 0,
        nz: [0; 16],
    };
    if i16 {
        tf::quant_luma_dc(&dcs, qp, true, &mut w.dc);
        let any_ac = nz.iter().any(|&n| n != 0);
        if !any_ac {
            for l in w.lev.iter_mut() {
                *l = [0; 16];
            }
            nz = [0; 16];
        }
        out.cbp = if any_ac { 15 } else { 0 };
        let dcv = tf::dequant_luma_dc(&w.dc, qp);
        for (r, &dc) in dcv.iter().enumerate() {
            let (bx, by) = (r & 3, r >> 2);
            let res = idct_levels(&w.lev[r], nz[r], qp, dc);
            store4(
                ctx.recon.y,
                ctx.recon.ys,
                mbx * 16 + bx * 4,
                mby * 16 + by * 4,
                &w.pred_y,
                16,
                bx * 4,
                by * 4,
                res.as_ref(),
            );
        }
        out.nz = nz;
        return out;
    }
    // Inter: decimate 8x8 blocks holding only a few isolated +-1 levels.
    let mut scores = [0u32; 4];
    for (q8, sc) in scores.iter_mut().enumerate() {
        let (qx, qy) = ((q8 & 1) * 2, (q8 >> 1) * 2);
        for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let r = (qy + dy) * 4 + qx + dx;
            *sc += decimate_score(&w.lev[r]);
        }
    }
    for (q8, &score) in scores.iter().enumerate() {
        let (qx, qy) = ((q8 & 1) * 2, (q8 >> 1) * 2);
        if score < 4 {
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let r = (qy + dy) * 4 + qx + dx;
                w.lev[r] = [0; 16];
                nz[r] = 0;
            }
        }
    }
    for (r, &n) in nz.iter().enumerate() {
        let (bx, by) = (r & 3, r >> 2);
        let q8 = (by >> 1) * 2 + (bx >> 1);
        if n != 0 {
            out.cbp |= 1 << q8;
            let d = tf::dequant4x4(&w.lev[r], qp, None);
            let res = tf::idct4x4(&d);
            store4(
                ctx.recon.y,
                ctx.recon.ys,
                mbx * 16 + bx * 4,
                mby * 16 + by * 4,
                &w.pred_y,
                16,
                bx * 4,
                by * 4,
                Some(&res),
            );
        } else {
            store4(
                ctx.recon.y,
                ctx.recon.ys,
                mbx * 16 + bx * 4,
                mby * 16 + by * 4,
                &w.pred_y,
                16,
                bx * 4,
                by * 4,
                None,
            );
        }
    }
    out.nz = nz;
    out
}

/// Cost of keeping a block's levels: large for any |level| > 1, small for
/// isolated ones (fewer preceding zeros is more expensive to drop).
fn decimate_score(l: &[i16; 16]) -> u32 {
    const RUN_SCORE: [u32; 16] = [3, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut s = 0;
    let mut run = 0usize;
    for &v in l.iter() {
        if v == 0 {
            run += 1;
            continue;
        }
        if v.unsigned_abs() > 1 {
            return 16;
        }
        s += RUN_SCORE[run.min(15)];
        run = 0;
    }
    s
}

/// Codes chroma residual for predictions in `w.pred_c`, writing the
/// reconstruction. Returns (cbp_chroma, nzc).
#[inline(never)]
fn code_chroma(
    ctx: &mut SliceCtx<'_, '_>,
    w: &mut Workspace,
    mbx: usize,
    mby: usize,
    intra: bool,
) -> (u8, [u8; 8]) {
    let qpc = ctx.qpc;
    let mut nzc = [0u8; 8];
    let mut any_dc = false;
    let mut any_ac = false;
    // Inter blocks whose SAD is at most `zt` have no AC levels (and the DC
    // coefficient is the plain sum of the residual).
    let zt = if intra {
        0
    } else {
        tf::zero_sad_threshold(qpc, false)
    };
    for c in 0..2 {
        let mut dcs = [0i32; 4];
        for b in 0..4 {
            let (bx, by) = (b & 1, b >> 1);
            let res = residual4(&w.src_c[c], &w.pred_c[c], 8, bx, by);
            if !intra && sad4(&res) <= zt {
                dcs[b] = res.iter().sum();
                nzc[c * 4 + b] = 0;
                w.cac[c][b] = [0; 16];
                continue;
            }
            let coef = tf::fdct4x4(&res);
            dcs[b] = coef[0];
            nzc[c * 4 + b] = tf::quant4x4(&coef, qpc, intra, true, &mut w.cac[c][b]);
        }
        if tf::quant_chroma_dc(&dcs, qpc, intra, &mut w.cdc[c]) != 0 {
            any_dc = true;
        }
    }
    // Drop chroma AC made only of a few isolated +-1 levels in inter MBs.
    if !intra {
        for c in 0..2 {
            let mut score = 0;
            for b in 0..4 {
                score += decimate_score(&w.cac[c][b]);
            }
            if score < 7 {
                for b in 0..4 {
                    w.cac[c][b] = [0; 16];
                    nzc[c * 4 + b] = 0;
                }
            }
        }
    }
    if nzc.iter().any(|&n| n != 0) {
        any_ac = true;
    }
    let cbp = if any_ac {
        2
    } else if any_dc {
        1
    } else {
        0
    };
    for c in 0..2 {
        let dcv = tf::dequant_chroma_dc(&w.cdc[c], qpc);
        for (b, &dc) in dcv.iter().enumerate() {
            let (bx, by) = (b & 1, b >> 1);
            let res = idct_levels(&w.cac[c][b], nzc[c * 4 + b], qpc, dc);
            let (dst, cs) = if c == 0 {
                (&mut *ctx.recon.u, ctx.recon.cs)
            } else {
                (&mut *ctx.recon.v, ctx.recon.cs)
            };
            store4(
                dst,
                cs,
                mbx * 8 + bx * 4,
                mby * 8 + by * 4,
                &w.pred_c[c],
                8,
                bx * 4,
                by * 4,
                res.as_ref(),
            );
        }
    }
    (cbp, nzc)
}

/// Intra 4x4 analysis + coding; reconstruction is written as it goes.
/// Returns (cost, modes (raster), nz (raster), cbp).
#[inline(never)]
fn code_i4(
    ctx: &mut SliceCtx<'_, '_>,
    w: &mut Workspace,
    nb: &Nb,
    mbx: usize,
    mby: usize,
    bail: u32,
) -> Option<(u32, [u8; 16], [u8; 16], u8)> {
    let lam = ctx.lambda;
    let mut modes = [2u8; 16];
    let mut nz = [0u8; 16];
    let mut total: u32 = 0;
    let mut cbp = 0u8;
    let mut pred = [0u8; 16];
    let mut best_pred = [0u8; 16];
    for &r in BLK_RASTER.iter() {
        let (bx, by) = (r & 3, r >> 2);
        let e = ctx.edges4(mbx, mby, nb, bx, by);
        let pm = ctx.pred_i4_mode(nb, &modes, bx, by);
        let mut src = [0u8; 16];
        for y in 0..4 {
            for x in 0..4 {
                src[y * 4 + x] = w.src_y[(by * 4 + y) * 16 + bx * 4 + x];
            }
        }
        let mut best = u32::MAX;
        let mut bm = 2u8;
        for m in 0..9u8 {
            if !intra::i4_mode_ok(m, &e) {
                continue;
            }
            intra::pred4(m, &e, &mut pred);
            let c = inter::satd::<4, 16>(&src, &pred) + lam * if m == pm { 1 } else { 4 };
            if c < best {
                best = c;
                bm = m;
                best_pred = pred;
            }
        }
        total = total.saturating_add(best);
        if total > bail {
            return None;
        }
        modes[r] = bm;
        let res = residual4(&src, &best_pred, 4, 0, 0);
        let coef = tf::fdct4x4(&res);
        nz[r] = tf::quant4x4(&coef, ctx.qp, true, false, &mut w.lev[r]);
        let x = mbx * 16 + bx * 4;
        let y = mby * 16 + by * 4;
        if nz[r] != 0 {
            cbp |= 1 << ((by >> 1) * 2 + (bx >> 1));
            let d = tf::dequant4x4(&w.lev[r], ctx.qp, None);
            let rr = tf::idct4x4(&d);
            store4(
                ctx.recon.y,
                ctx.recon.ys,
                x,
                y,
                &best_pred,
                4,
                0,
                0,
                Some(&rr),
            );
        } else {
            store4(ctx.recon.y, ctx.recon.ys, x, y, &best_pred, 4, 0, 0, None);
        }
    }
    Some((total, modes, nz, cbp))
}

/// Chooses the chroma intra mode by SATD and fills `w.pred_c`.
#[inline(never)]
fn choose_chroma(ctx: &SliceCtx<'_, '_>, w: &mut Workspace, nb: &Nb, mbx: usize, mby: usize) -> u8 {
    let eu = ctx.edges_c(0, mbx, mby, nb);
    let ev = ctx.edges_c(1, mbx, mby, nb);
    let mut best = u32::MAX;
    let mut bm = intra::C_DC;
    let mut pu = [0u8; 64];
    let mut pv = [0u8; 64];
    for m in 0..4u8 {
        if !intra::chroma_mode_ok(m, &eu) {
            continue;
        }
        intra::pred_chroma(m, &eu, &mut pu);
        intra::pred_chroma(m, &ev, &mut pv);
        let c = satd8(&w.src_c[0], &pu) + satd8(&w.src_c[1], &pv);
        if c < best {
            best = c;
            bm = m;
            w.pred_c[0] = pu;
            w.pred_c[1] = pv;
        }
    }
    bm
}

/// Analyses, codes and writes one macroblock.
pub(crate) fn encode_mb(
    ctx: &mut SliceCtx<'_, '_>,
    w: &mut Workspace,
    bw: &mut BitWriter<'_>,
    mbx: usize,
    mby: usize,
    p_slice: bool,
) {
    let nb = ctx.nb(mbx, mby);
    let lam = ctx.lambda;
    let mut info = MbInfo {
        qp: ctx.qp,
        ..MbInfo::EMPTY
    };

    // ---- Inter analysis ----
    let mut inter_cost = u32::MAX;
    let mut inter_mv = (0, 0);
    let mut mvp = (0, 0);
    if p_slice {
        if let Some(rp) = ctx.refp.as_ref() {
            let (pred, skip) = ctx.mv_pred(&nb);
            mvp = pred;
            // Early P_Skip test: prediction at the skip vector with no
            // residual after quantisation.
            let (rx, ry) = (rp.y, (rp.u, rp.v));
            inter::mc_luma16(
                &rx,
                mbx * 16,
                mby * 16,
                skip.0,
                skip.1,
                &mut w.mc,
                &mut w.pred_y,
            );
            let sad = inter::sad16(&w.src_y, &w.pred_y);
            if sad < 16 * lam.max(2) * 4 && skip_ok(ctx, w, &ry, mbx, mby, skip) {
                // Code as P_Skip: reconstruction = prediction.
                write_skip_recon(ctx, w, mbx, mby);
                info.kind = KIND_SKIP;
                info.mv = (skip.0 as i16, skip.1 as i16);
                if let Some(s) = ctx.info.get_mut(nb.addr) {
                    *s = info;
                }
                ctx.skip_run += 1;
                return;
            }
            let mut cands = [(0i32, 0i32); 4];
            let mut nc = 0;
            for (avail, addr) in [
                (true, usize::MAX),
                (nb.a, nb.addr.wrapping_sub(1)),
                (nb.b, nb.addr.wrapping_sub(ctx.mb_w)),
                (nb.c, nb.addr.wrapping_sub(ctx.mb_w).wrapping_add(1)),
            ] {
                if !avail {
                    continue;
                }
                let mv = if addr == usize::MAX {
                    (0, 0)
                } else {
                    let m = ctx.info_at(addr);
                    (i32::from(m.mv.0), i32::from(m.mv.1))
                };
                if let Some(c) = cands.get_mut(nc) {
                    *c = mv;
                    nc += 1;
                }
            }
            let sp = Search {
                plane: rx,
                x0: mbx * 16,
                y0: mby * 16,
                pred,
                range: ctx.range,
                lambda: lam,
                subpel: ctx.subpel,
                qpel_points: QPEL_POINTS,
            };
            let (mv, cost) = inter::search16(&w.src_y, &sp, &cands[..nc], &mut w.mc, &mut w.tmp_y);
            inter_mv = mv;
            inter_cost = cost.saturating_add(lam);
        }
    }

    // ---- Intra 16x16 analysis ----
    let e16 = ctx.edges16(mbx, mby, &nb);
    // The mode is pre-selected on SAD (cheap); only the winner's SATD is
    // computed for the comparison with the other macroblock types.
    let mut i16_sad = u32::MAX;
    let mut i16_mode = intra::I16_DC;
    for m in 0..4u8 {
        if !intra::i16_mode_ok(m, &e16) {
            continue;
        }
        intra::pred16(m, &e16, &mut w.p16);
        let c = inter::sad16(&w.src_y, &w.p16);
        if c < i16_sad {
            i16_sad = c;
            i16_mode = m;
        }
    }
    intra::pred16(i16_mode, &e16, &mut w.p16);
    let i16_cost = satd16(&w.src_y, &w.p16) + lam * if p_slice { 9 } else { 4 };

    let best_other = inter_cost.min(i16_cost);
    // ---- Intra 4x4 analysis (writes reconstruction as it goes) ----
    let mut chose_i4 = None;
    // In P slices Intra 4x4 is only tried when intra is already competitive.
    if ctx.i4 && (!p_slice || i16_cost < inter_cost) {
        let overhead = lam * if p_slice { 24 } else { 20 };
        let bail = best_other.saturating_sub(overhead);
        if let Some((c, modes, nz, cbp)) = code_i4(ctx, w, &nb, mbx, mby, bail) {
            if c.saturating_add(overhead) < best_other {
                chose_i4 = Some((modes, nz, cbp));
            }
        }
    }

    if let Some((modes, nz, cbp_l)) = chose_i4 {
        let cm = choose_chroma(ctx, w, &nb, mbx, mby);
        let (cbp_c, nzc) = code_chroma(ctx, w, mbx, mby, true);
        info.kind = KIND_I4;
        info.modes = modes;
        info.nz = nz;
        info.nzc = nzc;
        let cbp = cbp_l | (cbp_c << 4);
        begin_coded(ctx, bw, p_slice);
        bw.ue(if p_slice { 5 } else { 0 });
        let mut cur_modes = [2u8; 16];
        for &r in BLK_RASTER.iter() {
            let (bx, by) = (r & 3, r >> 2);
            let pm = ctx.pred_i4_mode(&nb, &cur_modes, bx, by);
            let m = modes[r];
            cur_modes[r] = m;
            if m == pm {
                bw.bit(true);
            } else {
                bw.bit(false);
                bw.put(3, u32::from(if m < pm { m } else { m - 1 }));
            }
        }
        bw.ue(u32::from(cm));
        bw.ue(u32::from(CBP_INTRA[usize::from(cbp)]));
        if cbp != 0 {
            bw.se(0);
        }
        write_luma4x4(ctx, w, bw, &nb, &nz, cbp_l);
        write_chroma(ctx, w, bw, &nb, &nzc, cbp_c);
        store_info(ctx, nb.addr, info);
        return;
    }

    if inter_cost <= i16_cost {
        // ---- P_L0_16x16 ----
        let (rpu, rpv) = match ctx.refp.as_ref() {
            Some(r) => (r.u, r.v),
            None => return,
        };
        // The motion search left the prediction for `inter_mv` in tmp_y.
        w.pred_y = w.tmp_y;
        inter::mc_chroma8(
            &rpu,
            mbx * 8,
            mby * 8,
            inter_mv.0,
            inter_mv.1,
            &mut w.mc,
            &mut w.pred_c[0],
        );
        inter::mc_chroma8(
            &rpv,
            mbx * 8,
            mby * 8,
            inter_mv.0,
            inter_mv.1,
            &mut w.mc,
            &mut w.pred_c[1],
        );
        let lo = code_luma_pred(ctx, w, mbx, mby, false);
        let (cbp_c, nzc) = code_chroma(ctx, w, mbx, mby, false);
        let (_, skip) = ctx.mv_pred(&nb);
        info.mv = (inter_mv.0 as i16, inter_mv.1 as i16);
        info.nz = lo.nz;
        info.nzc = nzc;
        if lo.cbp == 0 && cbp_c == 0 && inter_mv == skip {
            info.kind = KIND_SKIP;
            store_info(ctx, nb.addr, info);
            ctx.skip_run += 1;
            return;
        }
        info.kind = KIND_P;
        let cbp = lo.cbp | (cbp_c << 4);
        begin_coded(ctx, bw, p_slice);
        bw.ue(0);
        bw.se(inter_mv.0 - mvp.0);
        bw.se(inter_mv.1 - mvp.1);
        bw.ue(u32::from(CBP_INTER[usize::from(cbp)]));
        if cbp != 0 {
            bw.se(0);
        }
        write_luma4x4(ctx, w, bw, &nb, &lo.nz, lo.cbp);
        write_chroma(ctx, w, bw, &nb, &nzc, cbp_c);
        store_info(ctx, nb.addr, info);
        return;
    }

    // ---- Intra 16x16 ----
    intra::pred16(i16_mode, &e16, &mut w.pred_y);
    let lo = code_luma_pred(ctx, w, mbx, mby, true);
    let cm = choose_chroma(ctx, w, &nb, mbx, mby);
    let (cbp_c, nzc) = code_chroma(ctx, w, mbx, mby, true);
    info.kind = KIND_I16;
    info.nz = lo.nz;
    info.nzc = nzc;
    begin_coded(ctx, bw, p_slice);
    let t = 1 + u32::from(i16_mode) + 4 * u32::from(cbp_c) + if lo.cbp != 0 { 12 } else { 0 };
    bw.ue(if p_slice { 5 + t } else { t });
    bw.ue(u32::from(cm));
    bw.se(0);
    // DC
    let nc = ctx.nc_luma(&nb, &lo.nz, 0, 0);
    write_block(bw, &w.dc, nc);
    if lo.cbp != 0 {
        for &r in BLK_RASTER.iter() {
            let (bx, by) = (r & 3, r >> 2);
            let nc = ctx.nc_luma(&nb, &lo.nz, bx, by);
            write_block(bw, &w.lev[r][1..16], nc);
        }
    }
    write_chroma(ctx, w, bw, &nb, &nzc, cbp_c);
    store_info(ctx, nb.addr, info);
}

fn store_info(ctx: &mut SliceCtx<'_, '_>, addr: usize, info: MbInfo) {
    if let Some(s) = ctx.info.get_mut(addr) {
        *s = info;
    }
}

fn begin_coded(ctx: &mut SliceCtx<'_, '_>, bw: &mut BitWriter<'_>, p_slice: bool) {
    if p_slice {
        bw.ue(ctx.skip_run);
        ctx.skip_run = 0;
    }
}

fn write_luma4x4(
    ctx: &SliceCtx<'_, '_>,
    w: &Workspace,
    bw: &mut BitWriter<'_>,
    nb: &Nb,
    nz: &[u8; 16],
    cbp_l: u8,
) {
    for (i, &r) in BLK_RASTER.iter().enumerate() {
        if cbp_l & (1 << (i / 4)) == 0 {
            continue;
        }
        let (bx, by) = (r & 3, r >> 2);
        let nc = ctx.nc_luma(nb, nz, bx, by);
        write_block(bw, &w.lev[r], nc);
    }
}

fn write_chroma(
    ctx: &SliceCtx<'_, '_>,
    w: &Workspace,
    bw: &mut BitWriter<'_>,
    nb: &Nb,
    nzc: &[u8; 8],
    cbp_c: u8,
) {
    if cbp_c == 0 {
        return;
    }
    for c in 0..2 {
        write_block(bw, &w.cdc[c], -1);
    }
    if cbp_c == 2 {
        for c in 0..2 {
            for b in 0..4 {
                let nc = ctx.nc_chroma(nb, nzc, c, b & 1, b >> 1);
                write_block(bw, &w.cac[c][b][1..16], nc);
            }
        }
    }
}

/// Checks whether coding the MB as P_Skip leaves no residual; on success
/// `w.pred_y`/`w.pred_c` hold the skip prediction.
#[inline(never)]
fn skip_ok(
    ctx: &SliceCtx<'_, '_>,
    w: &mut Workspace,
    rc: &(PlaneRef<'_>, PlaneRef<'_>),
    mbx: usize,
    mby: usize,
    mv: (i32, i32),
) -> bool {
    let mut lev = [0i16; 16];
    // Blocks whose SAD is at most `zt` quantise to all zeros.
    let zt = tf::zero_sad_threshold(ctx.qp, false);
    let sads = inter::sad4x4_all(&w.src_y, &w.pred_y);
    for (r, &sad) in sads.iter().enumerate() {
        if sad <= zt {
            continue;
        }
        let res = residual4(&w.src_y, &w.pred_y, 16, r & 3, r >> 2);
        let c = tf::fdct4x4(&res);
        if tf::quant4x4(&c, ctx.qp, false, false, &mut lev) != 0 && decimate_score(&lev) >= 4 {
            return false;
        }
    }
    inter::mc_chroma8(
        &rc.0,
        mbx * 8,
        mby * 8,
        mv.0,
        mv.1,
        &mut w.mc,
        &mut w.pred_c[0],
    );
    inter::mc_chroma8(
        &rc.1,
        mbx * 8,
        mby * 8,
        mv.0,
        mv.1,
        &mut w.mc,
        &mut w.pred_c[1],
    );
    let zc = tf::zero_sad_threshold(ctx.qpc, false);
    for c in 0..2 {
        let mut dcs = [0i32; 4];
        for (b, d) in dcs.iter_mut().enumerate() {
            let res = residual4(&w.src_c[c], &w.pred_c[c], 8, b & 1, b >> 1);
            // The DC coefficient is the plain sum of the residual.
            *d = res.iter().sum();
            if sad4(&res) <= zc {
                continue;
            }
            let coef = tf::fdct4x4(&res);
            if tf::quant4x4(&coef, ctx.qpc, false, true, &mut lev) != 0 && decimate_score(&lev) >= 7
            {
                return false;
            }
        }
        let mut l4 = [0i16; 4];
        if tf::quant_chroma_dc(&dcs, ctx.qpc, false, &mut l4) != 0 {
            return false;
        }
    }
    true
}

fn write_skip_recon(ctx: &mut SliceCtx<'_, '_>, w: &Workspace, mbx: usize, mby: usize) {
    let ys = ctx.recon.ys;
    for (y, row) in w.pred_y.chunks_exact(16).enumerate() {
        let o = (mby * 16 + y) * ys + mbx * 16;
        if let Some(d) = ctx.recon.y.get_mut(o..o + 16) {
            d.copy_from_slice(row);
        }
    }
    let cs = ctx.recon.cs;
    for (c, pred) in w.pred_c.iter().enumerate() {
        let plane = if c == 0 {
            &mut *ctx.recon.u
        } else {
            &mut *ctx.recon.v
        };
        for (y, row) in pred.chunks_exact(8).enumerate() {
            let o = (mby * 8 + y) * cs + mbx * 8;
            if let Some(d) = plane.get_mut(o..o + 8) {
                d.copy_from_slice(row);
            }
        }
    }
}
