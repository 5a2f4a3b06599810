// SPDX-License-Identifier: GPL-2.0
//! Intra prediction (ITU-T H.264 clause 8.3): 4x4 and 16x16 luma, 8x8 chroma.

/// Neighbouring samples of a block: `top` holds the row above (including
/// the above-right samples for 4x4 blocks), `left` the column to the left.
#[derive(Clone, Copy)]
pub struct Edges<const N: usize> {
    /// Samples above the block (2N wide for 4x4 blocks, N otherwise).
    pub top: [u8; N],
    /// Samples left of the block.
    pub left: [u8; N],
    /// The sample above-left of the block.
    pub top_left: u8,
    /// `top` is available.
    pub has_top: bool,
    /// `left` is available.
    pub has_left: bool,
    /// `top_left` is available.
    pub has_top_left: bool,
}

/// Intra 16x16 prediction modes.
pub const I16_V: u8 = 0;
/// Horizontal.
pub const I16_H: u8 = 1;
/// DC.
pub const I16_DC: u8 = 2;
/// Plane.
pub const I16_PLANE: u8 = 3;

/// Chroma prediction modes.
pub const C_DC: u8 = 0;
/// Horizontal.
pub const C_H: u8 = 1;
/// Vertical.
pub const C_V: u8 = 2;
/// Plane.
pub const C_PLANE: u8 = 3;

#[inline]
fn clip(x: i32) -> u8 {
    x.clamp(0, 255) as u8
}

/// True if 16x16 `mode` can be used with these neighbours.
pub fn i16_mode_ok(mode: u8, e: &Edges<16>) -> bool {
    match mode {
        I16_V => e.has_top,
        I16_H => e.has_left,
        I16_DC => true,
        I16_PLANE => e.has_top && e.has_left && e.has_top_left,
        _ => false,
    }
}

/// Intra 16x16 luma prediction into `out` (raster, stride 16).
pub fn pred16(mode: u8, e: &Edges<16>, out: &mut [u8; 256]) {
    match mode {
        I16_V => {
            for row in out.chunks_exact_mut(16) {
                row.copy_from_slice(&e.top);
            }
        }
        I16_H => {
            for (row, &l) in out.chunks_exact_mut(16).zip(e.left.iter()) {
                row.fill(l);
            }
        }
        I16_PLANE => {
            let p = |x: i32| -> i32 {
                // p[x, -1] for x in -1..=15
                if x < 0 {
                    i32::from(e.top_left)
                } else {
                    i32::from(e.top[x as usize & 15])
                }
            };
            let q = |y: i32| -> i32 {
                if y < 0 {
                    i32::from(e.top_left)
                } else {
                    i32::from(e.left[y as usize & 15])
                }
            };
            let mut h = 0;
            let mut v = 0;
            for i in 0..8 {
                h += (i + 1) * (p(8 + i) - p(6 - i));
                v += (i + 1) * (q(8 + i) - q(6 - i));
            }
            let a = 16 * (q(15) + p(15));
            let b = (5 * h + 32) >> 6;
            let c = (5 * v + 32) >> 6;
            for (y, row) in out.chunks_exact_mut(16).enumerate() {
                for (x, o) in row.iter_mut().enumerate() {
                    *o = clip((a + b * (x as i32 - 7) + c * (y as i32 - 7) + 16) >> 5);
                }
            }
        }
        _ => {
            let st: u32 = e.top.iter().map(|&x| u32::from(x)).sum();
            let sl: u32 = e.left.iter().map(|&x| u32::from(x)).sum();
            let dc = match (e.has_top, e.has_left) {
                (true, true) => (st + sl + 16) >> 5,
                (true, false) => (st + 8) >> 4,
                (false, true) => (sl + 8) >> 4,
                _ => 128,
            };
            out.fill(dc as u8);
        }
    }
}

/// True if chroma `mode` can be used with these neighbours.
pub fn chroma_mode_ok(mode: u8, e: &Edges<8>) -> bool {
    match mode {
        C_DC => true,
        C_H => e.has_left,
        C_V => e.has_top,
        C_PLANE => e.has_top && e.has_left && e.has_top_left,
        _ => false,
    }
}

/// Intra chroma prediction of one 8x8 plane into `out` (stride 8).
pub fn pred_chroma(mode: u8, e: &Edges<8>, out: &mut [u8; 64]) {
    match mode {
        C_V => {
            for row in out.chunks_exact_mut(8) {
                row.copy_from_slice(&e.top);
            }
        }
        C_H => {
            for (row, &l) in out.chunks_exact_mut(8).zip(e.left.iter()) {
                row.fill(l);
            }
        }
        C_PLANE => {
            let p = |x: i32| -> i32 {
                if x < 0 {
                    i32::from(e.top_left)
                } else {
                    i32::from(e.top[x as usize & 7])
                }
            };
            let q = |y: i32| -> i32 {
                if y < 0 {
                    i32::from(e.top_left)
                } else {
                    i32::from(e.left[y as usize & 7])
                }
            };
            let mut h = 0;
            let mut v = 0;
            for i in 0..4 {
                h += (i + 1) * (p(4 + i) - p(2 - i));
                v += (i + 1) * (q(4 + i) - q(2 - i));
            }
            let a = 16 * (q(7) + p(7));
            let b = (34 * h + 32) >> 6;
            let c = (34 * v + 32) >> 6;
            for (y, row) in out.chunks_exact_mut(8).enumerate() {
                for (x, o) in row.iter_mut().enumerate() {
                    *o = clip((a + b * (x as i32 - 3) + c * (y as i32 - 3) + 16) >> 5);
                }
            }
        }
        _ => {
            for by in 0..2 {
                for bx in 0..2 {
                    let st: u32 = e.top[bx * 4..bx * 4 + 4]
                        .iter()
                        .map(|&x| u32::from(x))
                        .sum();
                    let sl: u32 = e.left[by * 4..by * 4 + 4]
                        .iter()
                        .map(|&x| u32::from(x))
                        .sum();
                    let both = (st + sl + 4) >> 3;
                    let t = (st + 2) >> 2;
                    let l = (sl + 2) >> 2;
                    let dc = if bx == by {
                        match (e.has_top, e.has_left) {
                            (true, true) => both,
                            (true, false) => t,
                            (false, true) => l,
                            _ => 128,
                        }
                    } else if bx == 1 {
                        // top-right block prefers the top row
                        if e.has_top {
                            t
                        } else if e.has_left {
                            l
                        } else {
                            128
                        }
                    } else if e.has_left {
                        l
                    } else if e.has_top {
                        t
                    } else {
                        128
                    };
                    for y in 0..4 {
                        let o = (by * 4 + y) * 8 + bx * 4;
                        out[o..o + 4].fill(dc as u8);
                    }
                }
            }
        }
    }
}

/// 4x4 prediction modes.
pub const I4_V: u8 = 0;
/// Horizontal.
pub const I4_H: u8 = 1;
/// DC.
pub const I4_DC: u8 = 2;
/// Diagonal down left.
pub const I4_DDL: u8 = 3;
/// Diagonal down right.
pub const I4_DDR: u8 = 4;
/// Vertical right.
pub const I4_VR: u8 = 5;
/// Horizontal down.
pub const I4_HD: u8 = 6;
/// Vertical left.
pub const I4_VL: u8 = 7;
/// Horizontal up.
pub const I4_HU: u8 = 8;

/// True if 4x4 `mode` can be used with these neighbours.
pub fn i4_mode_ok(mode: u8, e: &Edges4) -> bool {
    match mode {
        I4_V | I4_DDL | I4_VL => e.has_top,
        I4_H | I4_HU => e.has_left,
        I4_DC => true,
        I4_DDR | I4_VR | I4_HD => e.has_top && e.has_left && e.has_top_left,
        _ => false,
    }
}

/// Neighbours of a 4x4 block: `e[0..4]` = left samples bottom-up
/// (p[-1,3]..p[-1,0]), `e[4]` = p[-1,-1], `e[5..13]` = p[0..8,-1].
pub struct Edges4 {
    /// Packed neighbour samples, see the type description.
    pub e: [u8; 13],
    /// Top row available.
    pub has_top: bool,
    /// Left column available.
    pub has_left: bool,
    /// Top-left sample available.
    pub has_top_left: bool,
}

/// Intra 4x4 prediction into `out` (raster, stride 4).
pub fn pred4(mode: u8, ed: &Edges4, out: &mut [u8; 16]) {
    let e = |k: i32| -> i32 { i32::from(ed.e[(k.clamp(0, 12)) as usize]) };
    // p[-1, y] = e(3 - y); p[x, -1] = e(5 + x)
    let l = |y: i32| e(3 - y);
    let t = |x: i32| e(5 + x);
    for y in 0..4i32 {
        for x in 0..4i32 {
            let v = match mode {
                I4_V => t(x),
                I4_H => l(y),
                I4_DDL => {
                    if x == 3 && y == 3 {
                        (t(6) + 3 * t(7) + 2) >> 2
                    } else {
                        (t(x + y) + 2 * t(x + y + 1) + t(x + y + 2) + 2) >> 2
                    }
                }
                I4_DDR => {
                    let k = 4 + x - y;
                    (e(k - 1) + 2 * e(k) + e(k + 1) + 2) >> 2
                }
                I4_VR => {
                    let z = 2 * x - y;
                    if z >= 0 && z & 1 == 0 {
                        (t(x - (y >> 1) - 1) + t(x - (y >> 1)) + 1) >> 1
                    } else if z >= 0 {
                        (t(x - (y >> 1) - 2) + 2 * t(x - (y >> 1) - 1) + t(x - (y >> 1)) + 2) >> 2
                    } else if z == -1 {
                        (l(0) + 2 * l(-1) + t(0) + 2) >> 2
                    } else {
                        (l(y - 1) + 2 * l(y - 2) + l(y - 3) + 2) >> 2
                    }
                }
                I4_HD => {
                    let z = 2 * y - x;
                    if z >= 0 && z & 1 == 0 {
                        (l(y - (x >> 1) - 1) + l(y - (x >> 1)) + 1) >> 1
                    } else if z >= 0 {
                        (l(y - (x >> 1) - 2) + 2 * l(y - (x >> 1) - 1) + l(y - (x >> 1)) + 2) >> 2
                    } else if z == -1 {
                        (l(0) + 2 * l(-1) + t(0) + 2) >> 2
                    } else {
                        (t(x - 1) + 2 * t(x - 2) + t(x - 3) + 2) >> 2
                    }
                }
                I4_VL => {
                    let o = x + (y >> 1);
                    if y & 1 == 0 {
                        (t(o) + t(o + 1) + 1) >> 1
                    } else {
                        (t(o) + 2 * t(o + 1) + t(o + 2) + 2) >> 2
                    }
                }
                I4_HU => {
                    let z = x + 2 * y;
                    let o = y + (x >> 1);
                    if z > 5 {
                        l(3)
                    } else if z == 5 {
                        (l(2) + 3 * l(3) + 2) >> 2
                    } else if z & 1 == 0 {
                        (l(o) + l(o + 1) + 1) >> 1
                    } else {
                        (l(o) + 2 * l(o + 1) + l(o + 2) + 2) >> 2
                    }
                }
                _ => {
                    let st = t(0) + t(1) + t(2) + t(3);
                    let sl = l(0) + l(1) + l(2) + l(3);
                    match (ed.has_top, ed.has_left) {
                        (true, true) => (st + sl + 4) >> 3,
                        (true, false) => (st + 2) >> 2,
                        (false, true) => (sl + 2) >> 2,
                        _ => 128,
                    }
                }
            };
            out[(y * 4 + x) as usize] = v as u8;
        }
    }
}
