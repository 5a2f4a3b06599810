// SPDX-License-Identifier: GPL-2.0
//! Inter prediction (ITU-T H.264 clause 8.4.2.2: 6-tap luma quarter-sample
//! and bilinear chroma eighth-sample interpolation) and motion search.

use crate::bitstream::se_len;

/// A read-only picture plane. Invariant (checked by [`PlaneRef::new`]):
/// `width <= stride` and `data.len() >= stride * height`, both non-zero.
#[derive(Clone, Copy)]
pub struct PlaneRef<'a> {
    data: &'a [u8],
    stride: usize,
    width: usize,
    height: usize,
}

impl<'a> PlaneRef<'a> {
    /// Wraps a plane if its geometry is consistent.
    pub fn new(data: &'a [u8], stride: usize, width: usize, height: usize) -> Option<Self> {
        if width == 0 || height == 0 || width > stride {
            return None;
        }
        let need = stride.checked_mul(height)?;
        if data.len() < need {
            return None;
        }
        Some(PlaneRef {
            data,
            stride,
            width,
            height,
        })
    }

    /// Sample at clamped coordinates (picture edge extension).
    #[inline]
    pub fn at(&self, x: isize, y: isize) -> u8 {
        let x = x.min(self.width as isize - 1).max(0) as usize;
        let y = y.min(self.height as isize - 1).max(0) as usize;
        self.data.get(y * self.stride + x).copied().unwrap_or(0)
    }

    /// Copies a `w` x `h` window starting at (x, y) with edge clamping into
    /// `out` (stride `w`).
    pub fn window(&self, x: isize, y: isize, w: usize, h: usize, out: &mut [u8]) {
        let inside =
            x >= 0 && y >= 0 && (x as usize) + w <= self.width && (y as usize) + h <= self.height;
        if inside {
            let (x, y) = (x as usize, y as usize);
            for (r, dst) in out.chunks_exact_mut(w).take(h).enumerate() {
                let o = (y + r) * self.stride + x;
                if let Some(src) = self.data.get(o..o + w) {
                    dst.copy_from_slice(src);
                }
            }
        } else {
            for (r, dst) in out.chunks_exact_mut(w).take(h).enumerate() {
                for (c, d) in dst.iter_mut().enumerate() {
                    *d = self.at(x + c as isize, y + r as isize);
                }
            }
        }
    }

    /// Returns the 16-sample row at (x, y) when the whole 16x16 block at
    /// (x, y) lies inside the plane.
    #[inline]
    fn row16(&self, x: usize, y: usize) -> Option<&'a [u8]> {
        let o = y * self.stride + x;
        self.data.get(o..o + 16)
    }

    /// Plane width.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Plane height.
    pub fn height(&self) -> usize {
        self.height
    }
}

/// Side of the sub-sample cache: positions -1..=17 around a block.
const CN: usize = 19;
/// Side of the raw sample window feeding the cache: -3..=20.
const RN: usize = 24;

/// Scratch memory for motion compensation (kept off the stack).
pub struct McScratch {
    win: [u8; 21 * 21],
    b1: [i16; 21 * 16],
    tmp: [u8; 256],
    raw: [u8; RN * RN],
    cb1: [i16; RN * CN],
    /// Integer, horizontal half, vertical half and centre half samples.
    planes: [[u8; CN * CN]; 4],
}

impl McScratch {
    /// Zeroed scratch.
    pub const fn new() -> Self {
        McScratch {
            win: [0; 441],
            b1: [0; 336],
            tmp: [0; 256],
            raw: [0; RN * RN],
            cb1: [0; RN * CN],
            planes: [[0; CN * CN]; 4],
        }
    }

    /// Fills the sub-sample cache for the 16x16 block whose integer
    /// position in the reference is (x, y).
    #[inline(never)]
    fn fill_cache(&mut self, p: &PlaneRef<'_>, x: isize, y: isize) {
        p.window(x - 3, y - 3, RN, RN, &mut self.raw);
        // b1 (unclipped horizontal 6-tap, fits 16 bits) for raw rows
        // -3..=20 and columns -1..=17: column x uses raw columns x..x+5
        // (offset 3).
        for (row, out) in self.raw.chunks_exact(RN).zip(self.cb1.chunks_exact_mut(CN)) {
            let Ok(row) = <&[u8; RN]>::try_from(row) else {
                continue;
            };
            let Ok(out) = <&mut [i16; CN]>::try_from(out) else {
                continue;
            };
            tap_row(
                out,
                [
                    sub19(row, 0),
                    sub19(row, 1),
                    sub19(row, 2),
                    sub19(row, 3),
                    sub19(row, 4),
                    sub19(row, 5),
                ],
            );
        }
        let raw = &self.raw;
        let cb1 = &self.cb1;
        let [g, b, h, j] = &mut self.planes;
        let rows = g
            .chunks_exact_mut(CN)
            .zip(b.chunks_exact_mut(CN))
            .zip(h.chunks_exact_mut(CN).zip(j.chunks_exact_mut(CN)));
        for (cy, ((go, bo), (ho, jo))) in rows.enumerate() {
            let ry = cy + 2; // raw row of y = cy - 1
                             // Rows ry-2..=ry+3, columns -1..=17 (raw columns 2..2 + CN).
            let r = |k: usize| -> &[u8; CN] {
                let o = (ry - 2 + k) * RN + 2;
                raw.get(o..o + CN)
                    .and_then(|s| s.try_into().ok())
                    .unwrap_or(&[0; CN])
            };
            let br = |k: usize| -> &[i16; CN] {
                let o = (ry - 2 + k) * CN;
                cb1.get(o..o + CN)
                    .and_then(|s| s.try_into().ok())
                    .unwrap_or(&[0; CN])
            };
            let (r0, r1, r2, r3, r4, r5) = (r(0), r(1), r(2), r(3), r(4), r(5));
            let (b0, b1, b2, b3, b4, b5) = (br(0), br(1), br(2), br(3), br(4), br(5));
            go.copy_from_slice(r2);
            for (x, v) in bo.iter_mut().zip(b2.iter()) {
                *x = ((*v + 16) >> 5).clamp(0, 255) as u8;
            }
            let mut hv = [0i16; CN];
            tap_row(&mut hv, [r0, r1, r2, r3, r4, r5]);
            for (x, v) in ho.iter_mut().zip(hv.iter()) {
                *x = ((*v + 16) >> 5).clamp(0, 255) as u8;
            }
            for (i, x) in jo.iter_mut().enumerate().take(CN) {
                let v = tap(
                    i32::from(b0[i]),
                    i32::from(b1[i]),
                    i32::from(b2[i]),
                    i32::from(b3[i]),
                    i32::from(b4[i]),
                    i32::from(b5[i]),
                );
                *x = clip((v + 512) >> 10);
            }
        }
    }

    /// Prediction from the cache for a quarter-sample offset (dx, dy) in
    /// -3..=3 relative to the cached integer position.
    #[inline(never)]
    fn cached_pred(&self, dx: i32, dy: i32, out: &mut [u8; 256]) {
        const G: usize = 0;
        const B: usize = 1;
        const H: usize = 2;
        const J: usize = 3;
        let xi = (dx >> 2) as isize;
        let yi = (dy >> 2) as isize;
        // (plane, ox, oy) pairs; equal pairs mean a single sample.
        let (a, bb) = match (dx & 3, dy & 3) {
            (0, 0) => ((G, 0, 0), (G, 0, 0)),
            (1, 0) => ((G, 0, 0), (B, 0, 0)),
            (2, 0) => ((B, 0, 0), (B, 0, 0)),
            (3, 0) => ((G, 1, 0), (B, 0, 0)),
            (0, 1) => ((G, 0, 0), (H, 0, 0)),
            (0, 2) => ((H, 0, 0), (H, 0, 0)),
            (0, 3) => ((G, 0, 1), (H, 0, 0)),
            (1, 1) => ((B, 0, 0), (H, 0, 0)),
            (3, 1) => ((B, 0, 0), (H, 1, 0)),
            (1, 3) => ((H, 0, 0), (B, 0, 1)),
            (3, 3) => ((H, 1, 0), (B, 0, 1)),
            (2, 1) => ((B, 0, 0), (J, 0, 0)),
            (2, 3) => ((J, 0, 0), (B, 0, 1)),
            (1, 2) => ((H, 0, 0), (J, 0, 0)),
            (3, 2) => ((J, 0, 0), (H, 1, 0)),
            _ => ((J, 0, 0), (J, 0, 0)),
        };
        let off = |t: (usize, isize, isize)| -> usize {
            ((yi + t.2 + 1) * CN as isize + xi + t.1 + 1).clamp(0, (CN * CN) as isize) as usize
        };
        let (pa, oa) = (&self.planes[a.0], off(a));
        let (pb, ob) = (&self.planes[bb.0], off(bb));
        for (y, row) in out.chunks_exact_mut(16).enumerate() {
            let ra = pa.get(oa + y * CN..oa + y * CN + 16);
            let rb = pb.get(ob + y * CN..ob + y * CN + 16);
            if let (Some(ra), Some(rb)) = (ra, rb) {
                for ((o, &u), &v) in row.iter_mut().zip(ra.iter()).zip(rb.iter()) {
                    *o = avg(u, v);
                }
            }
        }
    }
}

impl Default for McScratch {
    fn default() -> Self {
        Self::new()
    }
}

#[inline]
fn clip(x: i32) -> u8 {
    x.clamp(0, 255) as u8
}

/// The `CN` samples of `row` starting at `o` (0..=5).
#[inline]
fn sub19(row: &[u8; RN], o: usize) -> &[u8; CN] {
    row.get(o..o + CN)
        .and_then(|s| s.try_into().ok())
        .unwrap_or(&[0; CN])
}

/// 6-tap filter of six sample rows into 16-bit lanes (range -2550..=10710).
#[inline]
fn tap_row(out: &mut [i16; CN], r: [&[u8; CN]; 6]) {
    for (i, o) in out.iter_mut().enumerate() {
        let v = |k: usize| i16::from(r[k][i]);
        *o = v(0) - 5 * v(1) + 20 * v(2) + 20 * v(3) - 5 * v(4) + v(5);
    }
}

#[inline]
fn tap(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32) -> i32 {
    a - 5 * b + 20 * c + 20 * d - 5 * e + f
}

#[inline]
fn avg(a: u8, b: u8) -> u8 {
    ((u16::from(a) + u16::from(b) + 1) >> 1) as u8
}

/// Luma motion compensation of a 16x16 block whose top-left is at (x0, y0)
/// with quarter-sample motion vector (mvx, mvy). Output stride is 16.
pub fn mc_luma16(
    p: &PlaneRef<'_>,
    x0: usize,
    y0: usize,
    mvx: i32,
    mvy: i32,
    s: &mut McScratch,
    out: &mut [u8; 256],
) {
    const W: usize = 21;
    let xi = x0 as isize + (mvx >> 2) as isize;
    let yi = y0 as isize + (mvy >> 2) as isize;
    let xf = (mvx & 3) as usize;
    let yf = (mvy & 3) as usize;
    if xf == 0 && yf == 0 {
        p.window(xi, yi, 16, 16, out);
        return;
    }
    p.window(xi - 2, yi - 2, W, W, &mut s.win);
    let win = &s.win;
    let g = |x: usize, y: usize| -> i32 { i32::from(win[(y + 2) * W + x + 2]) };
    // Horizontal 6-tap intermediates b1 for window rows 0..21 (y = r - 2).
    let hcalc = |r: usize, x: usize| -> i32 {
        let o = r * W + x;
        tap(
            i32::from(win[o]),
            i32::from(win[o + 1]),
            i32::from(win[o + 2]),
            i32::from(win[o + 3]),
            i32::from(win[o + 4]),
            i32::from(win[o + 5]),
        )
    };
    // Vertical half sample at column x (0..17), between rows y and y+1.
    let vcalc = |x: usize, y: usize| -> i32 {
        let o = y * W + x + 2;
        tap(
            i32::from(win[o]),
            i32::from(win[o + W]),
            i32::from(win[o + 2 * W]),
            i32::from(win[o + 3 * W]),
            i32::from(win[o + 4 * W]),
            i32::from(win[o + 5 * W]),
        )
    };
    if yf == 0 {
        for y in 0..16 {
            for x in 0..16 {
                let b = clip((hcalc(y + 2, x) + 16) >> 5);
                out[y * 16 + x] = match xf {
                    1 => avg(g(x, y) as u8, b),
                    2 => b,
                    _ => avg(g(x + 1, y) as u8, b),
                };
            }
        }
        return;
    }
    if xf == 0 {
        for y in 0..16 {
            for x in 0..16 {
                let h = clip((vcalc(x, y) + 16) >> 5);
                out[y * 16 + x] = match yf {
                    1 => avg(g(x, y) as u8, h),
                    2 => h,
                    _ => avg(g(x, y + 1) as u8, h),
                };
            }
        }
        return;
    }
    // General case: need b1 on all 21 rows for j.
    for r in 0..W {
        for x in 0..16 {
            s.b1[r * 16 + x] = hcalc(r, x) as i16;
        }
    }
    let b1 = &s.b1;
    let jcalc = |x: usize, y: usize| -> u8 {
        let c = |r: usize| i32::from(b1[r * 16 + x]);
        clip((tap(c(y), c(y + 1), c(y + 2), c(y + 3), c(y + 4), c(y + 5)) + 512) >> 10)
    };
    let bh = |x: usize, y: usize| -> u8 { clip((i32::from(b1[(y + 2) * 16 + x]) + 16) >> 5) };
    for y in 0..16 {
        for x in 0..16 {
            let v = match (xf, yf) {
                (2, 2) => jcalc(x, y),
                (2, 1) => avg(bh(x, y), jcalc(x, y)),
                (2, 3) => avg(jcalc(x, y), bh(x, y + 1)),
                (1, 2) => avg(clip((vcalc(x, y) + 16) >> 5), jcalc(x, y)),
                (3, 2) => avg(jcalc(x, y), clip((vcalc(x + 1, y) + 16) >> 5)),
                (1, 1) => avg(bh(x, y), clip((vcalc(x, y) + 16) >> 5)),
                (3, 1) => avg(bh(x, y), clip((vcalc(x + 1, y) + 16) >> 5)),
                (1, 3) => avg(clip((vcalc(x, y) + 16) >> 5), bh(x, y + 1)),
                _ => avg(clip((vcalc(x + 1, y) + 16) >> 5), bh(x, y + 1)),
            };
            out[y * 16 + x] = v;
        }
    }
}

/// Chroma motion compensation of an 8x8 block at chroma position (x0, y0)
/// with the luma quarter-sample vector (eighth-sample in chroma).
pub fn mc_chroma8(
    p: &PlaneRef<'_>,
    x0: usize,
    y0: usize,
    mvx: i32,
    mvy: i32,
    s: &mut McScratch,
    out: &mut [u8; 64],
) {
    let xi = x0 as isize + (mvx >> 3) as isize;
    let yi = y0 as isize + (mvy >> 3) as isize;
    let xf = mvx & 7;
    let yf = mvy & 7;
    if xf == 0 && yf == 0 {
        p.window(xi, yi, 8, 8, out);
        return;
    }
    p.window(xi, yi, 9, 9, &mut s.tmp[..81]);
    let w = &s.tmp;
    // Weights sum to 64, so every sum fits in 16 bits.
    let c00 = ((8 - xf) * (8 - yf)) as u16;
    let c10 = (xf * (8 - yf)) as u16;
    let c01 = ((8 - xf) * yf) as u16;
    let c11 = (xf * yf) as u16;
    for (y, o8) in out.chunks_exact_mut(8).enumerate() {
        let r0 = &w[y * 9..y * 9 + 9];
        let r1 = &w[y * 9 + 9..y * 9 + 18];
        for (x, o) in o8.iter_mut().enumerate() {
            let v = c00 * u16::from(r0[x])
                + c10 * u16::from(r0[x + 1])
                + c01 * u16::from(r1[x])
                + c11 * u16::from(r1[x + 1]);
            *o = ((v + 32) >> 6) as u8;
        }
    }
}

/// Sum of absolute differences of two 16x16 blocks (stride 16).
#[inline]
pub fn sad16(a: &[u8; 256], b: &[u8; 256]) -> u32 {
    let mut s = 0u32;
    for (x, y) in a.iter().zip(b.iter()) {
        s += u32::from(x.abs_diff(*y));
    }
    s
}

/// SADs of the sixteen 4x4 blocks of two 16x16 blocks (stride 16), in
/// raster order of the 4x4 blocks.
#[inline]
pub fn sad4x4_all(a: &[u8; 256], b: &[u8; 256]) -> [u32; 16] {
    let mut out = [0u32; 16];
    for (band, (ra, rb)) in out
        .chunks_exact_mut(4)
        .zip(a.chunks_exact(64).zip(b.chunks_exact(64)))
    {
        // Column sums over the band's 4 rows (at most 4 * 255: u16).
        let mut acc = [0u16; 16];
        for (x, y) in ra.chunks_exact(16).zip(rb.chunks_exact(16)) {
            for ((s, &p), &q) in acc.iter_mut().zip(x.iter()).zip(y.iter()) {
                *s += u16::from(p.abs_diff(q));
            }
        }
        for (o, g) in band.iter_mut().zip(acc.chunks_exact(4)) {
            *o = u32::from(g[0]) + u32::from(g[1]) + u32::from(g[2]) + u32::from(g[3]);
        }
    }
    out
}

/// SAD of the 16x16 source block against the plane at integer (x, y); the
/// block must lie inside the plane (else it is clamped, slower).
#[inline]
fn sad16_at(src: &[u8; 256], p: &PlaneRef<'_>, x: isize, y: isize, tmp: &mut [u8; 256]) -> u32 {
    if x >= 0 && y >= 0 && (x as usize) + 16 <= p.width && (y as usize) + 16 <= p.height {
        let mut s = 0u32;
        for (r, srow) in src.chunks_exact(16).enumerate() {
            if let Some(row) = p.row16(x as usize, y as usize + r) {
                for (a, b) in srow.iter().zip(row.iter()) {
                    s += u32::from(a.abs_diff(*b));
                }
            }
        }
        s
    } else {
        p.window(x, y, 16, 16, tmp);
        sad16(src, tmp)
    }
}

/// 4x4 Hadamard SATD of a difference block given as 16 values.
#[inline]
pub fn satd4(d: &[i32; 16]) -> u32 {
    let mut t = [0i32; 16];
    for i in 0..4 {
        let a = d[i * 4] + d[i * 4 + 1];
        let b = d[i * 4] - d[i * 4 + 1];
        let c = d[i * 4 + 2] + d[i * 4 + 3];
        let e = d[i * 4 + 2] - d[i * 4 + 3];
        t[i * 4] = a + c;
        t[i * 4 + 1] = b + e;
        t[i * 4 + 2] = a - c;
        t[i * 4 + 3] = b - e;
    }
    let mut s = 0u32;
    for j in 0..4 {
        let a = t[j] + t[4 + j];
        let b = t[j] - t[4 + j];
        let c = t[8 + j] + t[12 + j];
        let e = t[8 + j] - t[12 + j];
        s += (a + c).unsigned_abs()
            + (b + e).unsigned_abs()
            + (a - c).unsigned_abs()
            + (b - e).unsigned_abs();
    }
    s / 2
}

/// SATD between two blocks of `W` x (`N` / `W`) samples (both multiples
/// of 4) stored contiguously with stride `W`: the sum over 4x4 blocks of
/// half the absolute 4x4 Hadamard coefficients. The last butterfly stage
/// uses |a + b| + |a - b| = 2 max(|a|, |b|).
#[inline]
pub fn satd<const W: usize, const N: usize>(a: &[u8; N], b: &[u8; N]) -> u32 {
    // 16-bit lanes: |difference| <= 255, after the vertical butterflies
    // <= 1020 and after the first horizontal stage <= 2040.
    let mut s = 0u32;
    for (ba, bb) in a.chunks_exact(4 * W).zip(b.chunks_exact(4 * W)) {
        // Differences of 4 rows, then vertical butterflies column-wise.
        let mut d = [[0i16; W]; 4];
        for ((dr, ra), rb) in d.iter_mut().zip(ba.chunks_exact(W)).zip(bb.chunks_exact(W)) {
            for ((o, &x), &y) in dr.iter_mut().zip(ra.iter()).zip(rb.iter()) {
                *o = i16::from(x) - i16::from(y);
            }
        }
        let mut v = [[0i16; W]; 4];
        for c in 0..W {
            let s0 = d[0][c] + d[1][c];
            let s1 = d[0][c] - d[1][c];
            let s2 = d[2][c] + d[3][c];
            let s3 = d[2][c] - d[3][c];
            v[0][c] = s0 + s2;
            v[1][c] = s1 + s3;
            v[2][c] = s0 - s2;
            v[3][c] = s1 - s3;
        }
        for row in v.iter() {
            let mut acc = 0u32;
            for x in row.chunks_exact(4) {
                let h0 = x[0] + x[1];
                let h1 = x[0] - x[1];
                let h2 = x[2] + x[3];
                let h3 = x[2] - x[3];
                acc += u32::from(
                    h0.unsigned_abs().max(h2.unsigned_abs())
                        + h1.unsigned_abs().max(h3.unsigned_abs()),
                );
            }
            s += acc;
        }
    }
    s
}

/// Bits to code a motion vector difference.
#[inline]
pub fn mvd_bits(mvx: i32, mvy: i32, px: i32, py: i32) -> u32 {
    se_len(mvx - px) + se_len(mvy - py)
}

/// Motion search parameters.
pub struct Search<'a> {
    /// Reference luma plane.
    pub plane: PlaneRef<'a>,
    /// Block position in luma samples.
    pub x0: usize,
    /// Block position in luma samples.
    pub y0: usize,
    /// Predicted motion vector (quarter sample).
    pub pred: (i32, i32),
    /// Search range in integer samples around the predictor.
    pub range: i32,
    /// Lagrangian multiplier for motion vector bits (SAD domain).
    pub lambda: u32,
    /// Do half/quarter sample refinement.
    pub subpel: bool,
    /// Quarter-sample candidates to test (4: diamond, 8: square).
    pub qpel_points: usize,
}

/// Runs the motion search for a 16x16 block; returns the motion vector
/// (quarter sample units) and its SATD-based cost.
pub fn search16(
    src: &[u8; 256],
    sp: &Search<'_>,
    candidates: &[(i32, i32)],
    s: &mut McScratch,
    pred: &mut [u8; 256],
) -> ((i32, i32), u32) {
    let p = &sp.plane;
    let (px, py) = sp.pred;
    let range = sp.range.max(1);
    // Allowed integer vector window: block inside the plane and within
    // `range` of the predictor.
    let cx = (px + 2) >> 2;
    let cy = (py + 2) >> 2;
    // Also keep vectors inside the level limits (|mvy| < 512, |mvx| < 2048).
    let xmin = (-(sp.x0 as i32)).max(cx - range).max(-2040);
    let ymin = (-(sp.y0 as i32)).max(cy - range).max(-504);
    let xmax = (p.width as i32 - 16 - sp.x0 as i32)
        .min(cx + range)
        .min(2040);
    let ymax = (p.height as i32 - 16 - sp.y0 as i32)
        .min(cy + range)
        .min(504);
    if xmin > xmax || ymin > ymax {
        // Degenerate (cannot happen for sane sizes): use the zero vector.
        mc_luma16(p, sp.x0, sp.y0, 0, 0, s, pred);
        return ((0, 0), u32::MAX / 2);
    }
    let lam = sp.lambda;
    let mut tmp = [0u8; 256];
    let cost_int = |mx: i32, my: i32, tmp: &mut [u8; 256]| -> u32 {
        let sad = sad16_at(
            src,
            p,
            sp.x0 as isize + mx as isize,
            sp.y0 as isize + my as isize,
            tmp,
        );
        sad + lam * mvd_bits(mx * 4, my * 4, px, py)
    };
    let mut best = (cx.max(xmin).min(xmax), cy.max(ymin).min(ymax));
    let mut best_cost = cost_int(best.0, best.1, &mut tmp);
    for &(mx, my) in candidates.iter().take(16) {
        let c = (
            ((mx + 2) >> 2).max(xmin).min(xmax),
            ((my + 2) >> 2).max(ymin).min(ymax),
        );
        if c == best {
            continue;
        }
        let k = cost_int(c.0, c.1, &mut tmp);
        if k < best_cost {
            best_cost = k;
            best = c;
        }
    }
    // Small diamond descent, bounded.
    let max_iter = (2 * range).clamp(1, 64);
    for _ in 0..max_iter {
        let mut improved = false;
        let base = best;
        for (dx, dy) in [(0, -1), (-1, 0), (1, 0), (0, 1)] {
            let c = (base.0 + dx, base.1 + dy);
            if c.0 < xmin || c.0 > xmax || c.1 < ymin || c.1 > ymax {
                continue;
            }
            let k = cost_int(c.0, c.1, &mut tmp);
            if k < best_cost {
                best_cost = k;
                best = c;
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
    // Square refinement around the best integer vector.
    let base = best;
    for (dx, dy) in [(-1, -1), (1, -1), (-1, 1), (1, 1)] {
        let c = (base.0 + dx, base.1 + dy);
        if c.0 < xmin || c.0 > xmax || c.1 < ymin || c.1 > ymax {
            continue;
        }
        let k = cost_int(c.0, c.1, &mut tmp);
        if k < best_cost {
            best_cost = k;
            best = c;
        }
    }
    let ibest = (best.0 * 4, best.1 * 4);
    let mut bmv = ibest;
    if !sp.subpel {
        mc_luma16(p, sp.x0, sp.y0, bmv.0, bmv.1, s, pred);
        let bcost = satd::<16, 256>(src, pred) + lam * mvd_bits(bmv.0, bmv.1, px, py);
        return (bmv, bcost);
    }
    s.fill_cache(
        p,
        sp.x0 as isize + best.0 as isize,
        sp.y0 as isize + best.1 as isize,
    );
    let mut cand = [0u8; 256];
    const SQUARE: [(i32, i32); 8] = [
        (0, -1),
        (-1, 0),
        (1, 0),
        (0, 1),
        (-1, -1),
        (1, -1),
        (-1, 1),
        (1, 1),
    ];
    // Half-sample stage on SAD (the integer cost is SAD based too).
    let mut hcost = best_cost;
    for &(dx, dy) in SQUARE.iter() {
        let mv = (ibest.0 + dx * 2, ibest.1 + dy * 2);
        s.cached_pred(dx * 2, dy * 2, &mut cand);
        let k = sad16(src, &cand) + lam * mvd_bits(mv.0, mv.1, px, py);
        if k < hcost {
            hcost = k;
            bmv = mv;
        }
    }
    // Quarter-sample stage on SATD around the best half-sample vector.
    s.cached_pred(bmv.0 - ibest.0, bmv.1 - ibest.1, pred);
    let mut bcost = satd::<16, 256>(src, pred) + lam * mvd_bits(bmv.0, bmv.1, px, py);
    let base = bmv;
    for &(dx, dy) in SQUARE.iter().take(sp.qpel_points) {
        let mv = (base.0 + dx, base.1 + dy);
        let (ox, oy) = (mv.0 - ibest.0, mv.1 - ibest.1);
        if !(-3..=3).contains(&ox) || !(-3..=3).contains(&oy) {
            continue;
        }
        s.cached_pred(ox, oy, &mut cand);
        let k = satd::<16, 256>(src, &cand) + lam * mvd_bits(mv.0, mv.1, px, py);
        if k < bcost {
            bcost = k;
            bmv = mv;
            pred.copy_from_slice(&cand);
        }
    }
    (bmv, bcost)
}
