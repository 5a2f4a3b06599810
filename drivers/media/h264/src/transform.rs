// SPDX-License-Identifier: GPL-2.0
//! 4x4 integer transforms, Hadamard DC transforms, quantisation and
//! scaling (dequantisation) as in ITU-T H.264 clause 8.5.

/// Zig-zag scan: scan position -> raster index of a 4x4 block.
pub const ZIGZAG: [usize; 16] = [0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15];

/// normAdjust4x4 values v[m][class] (class 0: both even, 1: both odd, 2: mixed).
const V: [[i32; 3]; 6] = [
    [10, 16, 13],
    [11, 18, 14],
    [13, 20, 16],
    [14, 23, 18],
    [16, 25, 20],
    [18, 29, 23],
];

/// Forward quantisation multipliers MF[m][class].
const MF: [[i32; 3]; 6] = [
    [13107, 5243, 8066],
    [11916, 4660, 7490],
    [10082, 4194, 6554],
    [9362, 3647, 5825],
    [8192, 3355, 5243],
    [7282, 2893, 4559],
];

/// Position class of a raster index in a 4x4 block.
const CLASS: [usize; 16] = [0, 2, 0, 2, 2, 1, 2, 1, 0, 2, 0, 2, 2, 1, 2, 1];

/// Chroma QP as a function of qPI (Table 8-15), for qPI 0..=51.
pub const CHROMA_QP: [u8; 52] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 29, 30, 31, 32, 32, 33, 34, 34, 35, 35, 36, 36, 37, 37, 37, 38, 38, 38, 39, 39,
    39, 39,
];

/// Returns the chroma QP for luma QP `qp` and `chroma_qp_index_offset`.
pub fn chroma_qp(qp: u8, offset: i8) -> u8 {
    let i = (i32::from(qp) + i32::from(offset)).clamp(0, 51) as usize;
    CHROMA_QP.get(i).copied().unwrap_or(39)
}

#[inline]
fn qp_split(qp: u8) -> (usize, u32) {
    let qp = qp.min(51);
    (usize::from(qp % 6), u32::from(qp / 6))
}

/// Forward 4x4 core transform of a residual block (raster order).
pub fn fdct4x4(r: &[i32; 16]) -> [i32; 16] {
    let mut t = [0i32; 16];
    for i in 0..4 {
        let s = &r[i * 4..i * 4 + 4];
        let a = s[0] + s[3];
        let b = s[1] + s[2];
        let c = s[1] - s[2];
        let d = s[0] - s[3];
        t[i * 4] = a + b;
        t[i * 4 + 1] = 2 * d + c;
        t[i * 4 + 2] = a - b;
        t[i * 4 + 3] = d - 2 * c;
    }
    let mut o = [0i32; 16];
    for j in 0..4 {
        let a = t[j] + t[12 + j];
        let b = t[4 + j] + t[8 + j];
        let c = t[4 + j] - t[8 + j];
        let d = t[j] - t[12 + j];
        o[j] = a + b;
        o[4 + j] = 2 * d + c;
        o[8 + j] = a - b;
        o[12 + j] = d - 2 * c;
    }
    o
}

/// Inverse 4x4 core transform (8.5.12.2) including the final (x + 32) >> 6.
pub fn idct4x4(d: &[i32; 16]) -> [i32; 16] {
    let mut t = [0i32; 16];
    for i in 0..4 {
        let s = &d[i * 4..i * 4 + 4];
        let e0 = s[0] + s[2];
        let e1 = s[0] - s[2];
        let e2 = (s[1] >> 1) - s[3];
        let e3 = s[1] + (s[3] >> 1);
        t[i * 4] = e0 + e3;
        t[i * 4 + 1] = e1 + e2;
        t[i * 4 + 2] = e1 - e2;
        t[i * 4 + 3] = e0 - e3;
    }
    let mut o = [0i32; 16];
    for j in 0..4 {
        let e0 = t[j] + t[8 + j];
        let e1 = t[j] - t[8 + j];
        let e2 = (t[4 + j] >> 1) - t[12 + j];
        let e3 = t[4 + j] + (t[12 + j] >> 1);
        o[j] = (e0 + e3 + 32) >> 6;
        o[4 + j] = (e1 + e2 + 32) >> 6;
        o[8 + j] = (e1 - e2 + 32) >> 6;
        o[12 + j] = (e0 - e3 + 32) >> 6;
    }
    o
}

/// Bound on |level| such that the scaled coefficient stays inside 16 bits
/// (decoders keep coefficients in int16).
#[inline]
fn level_limit(scale: i32) -> i32 {
    if scale <= 0 {
        return crate::cavlc::MAX_LEVEL;
    }
    32767i32
        .checked_div(scale)
        .unwrap_or(crate::cavlc::MAX_LEVEL)
        .clamp(1, crate::cavlc::MAX_LEVEL)
}

/// Quantises a transformed 4x4 block into scan-ordered levels.
///
/// If `ac_only` is set, the DC (scan position 0) is left as zero. `intra`
/// selects the dead-zone rounding. Returns the number of non-zero levels.
pub fn quant4x4(c: &[i32; 16], qp: u8, intra: bool, ac_only: bool, out: &mut [i16; 16]) -> u8 {
    let (m, e) = qp_split(qp);
    let qbits = 15 + e;
    let f: u32 = if intra {
        (1u32 << qbits) / 3
    } else {
        (1u32 << qbits) / 6
    };
    let mf = &MF16[m];
    // Raster-order pass (vectorisable). |x| <= 16 * 255 * 9 for any 8-bit
    // residual; saturate anyway so that no input can overflow.
    let mut a = [0u32; 16];
    let mut any = 0u32;
    for ((o, &x), &k) in a.iter_mut().zip(c.iter()).zip(mf.iter()) {
        *o = (x.unsigned_abs().min(1 << 17) * k + f) >> qbits;
        any |= *o;
    }
    if ac_only {
        any |= 0;
        a[0] = 0;
    }
    if any == 0 {
        *out = [0; 16];
        return 0;
    }
    let mut nz = 0u8;
    for (&pos, o) in ZIGZAG.iter().zip(out.iter_mut()) {
        let mut v = a[pos] as i32;
        if v > SMALL_LEVEL {
            v = v.min(level_limit(V[m][CLASS[pos]] << e));
        }
        nz += u8::from(v != 0);
        *o = (if c[pos] < 0 { -v } else { v }) as i16;
    }
    nz
}

/// MF per raster position for each QP % 6.
const MF16: [[u32; 16]; 6] = {
    let mut t = [[0u32; 16]; 6];
    let mut m = 0;
    while m < 6 {
        let mut p = 0;
        while p < 16 {
            t[m][p] = MF[m][CLASS[p]] as u32;
            p += 1;
        }
        m += 1;
    }
    t
};

/// Largest sum of absolute residual values of a 4x4 block for which
/// [`quant4x4`] is guaranteed to return all zeros (|coefficient| is at most
/// SAD for even/even positions, 2 SAD for mixed and 4 SAD for odd/odd).
pub fn zero_sad_threshold(qp: u8, intra: bool) -> u32 {
    let (m, e) = qp_split(qp);
    let qbits = 15 + e;
    let f: u32 = if intra {
        (1u32 << qbits) / 3
    } else {
        (1u32 << qbits) / 6
    };
    let lim = (1u32 << qbits) - f - 1;
    let mf = MF[m];
    // `checked_div`: the table has no zero, but a plain `/` would still
    // leave a division-by-zero panic path in the code.
    let t0 = lim.checked_div(mf[0] as u32).unwrap_or(0);
    let t1 = lim.checked_div(4 * mf[1] as u32).unwrap_or(0);
    let t2 = lim.checked_div(2 * mf[2] as u32).unwrap_or(0);
    t0.min(t1).min(t2)
}

/// Levels up to this magnitude never need the 16-bit scaling limit.
const SMALL_LEVEL: i32 = 32767 / (29 << 8);

/// Scales scan-ordered levels back into a raster coefficient block.
/// If `dc` is `Some`, it replaces the (already scaled) DC coefficient.
pub fn dequant4x4(l: &[i16; 16], qp: u8, dc: Option<i32>) -> [i32; 16] {
    let (m, e) = qp_split(qp);
    let vv = V[m];
    let mut d = [0i32; 16];
    for (k, &pos) in ZIGZAG.iter().enumerate() {
        let lv = i32::from(l[k]);
        if lv != 0 {
            d[pos] = (lv * vv[CLASS[pos]]) << e;
        }
    }
    if let Some(x) = dc {
        d[0] = x;
    }
    d
}

/// Forward 4x4 Hadamard of the 16 luma DC values (raster of blocks),
/// including the divide by two, then quantisation into scan order.
/// Returns the number of non-zero levels.
pub fn quant_luma_dc(dc: &[i32; 16], qp: u8, intra: bool, out: &mut [i16; 16]) -> u8 {
    let mut t = [0i32; 16];
    for i in 0..4 {
        let s = &dc[i * 4..i * 4 + 4];
        let a = s[0] + s[1];
        let b = s[2] + s[3];
        let c = s[0] - s[1];
        let d = s[2] - s[3];
        t[i * 4] = a + b;
        t[i * 4 + 1] = a - b;
        t[i * 4 + 2] = c - d;
        t[i * 4 + 3] = c + d;
    }
    let mut h = [0i32; 16];
    for j in 0..4 {
        let a = t[j] + t[4 + j];
        let b = t[8 + j] + t[12 + j];
        let c = t[j] - t[4 + j];
        let d = t[8 + j] - t[12 + j];
        h[j] = (a + b) >> 1;
        h[4 + j] = (a - b) >> 1;
        h[8 + j] = (c - d) >> 1;
        h[12 + j] = (c + d) >> 1;
    }
    let (m, e) = qp_split(qp);
    let qbits = 16 + e;
    let f: u32 = if intra {
        (1u32 << qbits) / 3
    } else {
        (1u32 << qbits) / 6
    };
    let mf = MF[m][0] as u32;
    // Keep the dequantised DC well inside 16 bits.
    let lim = crate::cavlc::MAX_LEVEL.min(level_limit((V[m][0] << e) >> 2).max(1) * 4);
    let mut nz = 0;
    for (k, &pos) in ZIGZAG.iter().enumerate() {
        let x = h[pos];
        let a = (x.unsigned_abs().min(1 << 17) * mf + f) >> qbits;
        let a = a as i32;
        let a = a.min(lim);
        let l = if x < 0 { -a } else { a };
        out[k] = l as i16;
        if l != 0 {
            nz += 1;
        }
    }
    nz
}

/// Inverse Hadamard and scaling of luma DC levels (8.5.10). Returns the
/// scaled DC values in raster order of the 4x4 blocks.
pub fn dequant_luma_dc(l: &[i16; 16], qp: u8) -> [i32; 16] {
    let mut c = [0i32; 16];
    for (k, &pos) in ZIGZAG.iter().enumerate() {
        c[pos] = i32::from(l[k]);
    }
    let mut t = [0i32; 16];
    for i in 0..4 {
        let s = &c[i * 4..i * 4 + 4];
        let a = s[0] + s[1];
        let b = s[2] + s[3];
        let cc = s[0] - s[1];
        let d = s[2] - s[3];
        t[i * 4] = a + b;
        t[i * 4 + 1] = a - b;
        t[i * 4 + 2] = cc - d;
        t[i * 4 + 3] = cc + d;
    }
    let mut f = [0i32; 16];
    for j in 0..4 {
        let a = t[j] + t[4 + j];
        let b = t[8 + j] + t[12 + j];
        let cc = t[j] - t[4 + j];
        let d = t[8 + j] - t[12 + j];
        f[j] = a + b;
        f[4 + j] = a - b;
        f[8 + j] = cc - d;
        f[12 + j] = cc + d;
    }
    let (m, e) = qp_split(qp);
    let ls = 16 * V[m][0];
    let mut o = [0i32; 16];
    for (o, &x) in o.iter_mut().zip(f.iter()) {
        *o = if e >= 6 {
            (x * ls) << (e - 6)
        } else {
            (x * ls + (1 << (5 - e))) >> (6 - e)
        };
    }
    o
}

/// Forward 2x2 Hadamard plus quantisation of chroma DC values.
pub fn quant_chroma_dc(dc: &[i32; 4], qp: u8, intra: bool, out: &mut [i16; 4]) -> u8 {
    let h = [
        dc[0] + dc[1] + dc[2] + dc[3],
        dc[0] - dc[1] + dc[2] - dc[3],
        dc[0] + dc[1] - dc[2] - dc[3],
        dc[0] - dc[1] - dc[2] + dc[3],
    ];
    let (m, e) = qp_split(qp);
    let qbits = 16 + e;
    let f: u32 = if intra {
        (1u32 << qbits) / 3
    } else {
        (1u32 << qbits) / 6
    };
    let mf = MF[m][0] as u32;
    let lim = crate::cavlc::MAX_LEVEL.min(level_limit((V[m][0] << e) >> 1).max(1) * 2);
    let mut nz = 0;
    for (o, &x) in out.iter_mut().zip(h.iter()) {
        let a = (x.unsigned_abs().min(1 << 17) * mf + f) >> qbits;
        let a = a as i32;
        let a = a.min(lim);
        let l = if x < 0 { -a } else { a };
        *o = l as i16;
        if l != 0 {
            nz += 1;
        }
    }
    nz
}

/// Inverse 2x2 Hadamard and scaling of chroma DC levels (8.5.11).
pub fn dequant_chroma_dc(l: &[i16; 4], qp: u8) -> [i32; 4] {
    let c = [
        i32::from(l[0]),
        i32::from(l[1]),
        i32::from(l[2]),
        i32::from(l[3]),
    ];
    let f = [
        c[0] + c[1] + c[2] + c[3],
        c[0] - c[1] + c[2] - c[3],
        c[0] + c[1] - c[2] - c[3],
        c[0] - c[1] - c[2] + c[3],
    ];
    let (m, e) = qp_split(qp);
    let ls = 16 * V[m][0];
    let mut o = [0i32; 4];
    for (o, &x) in o.iter_mut().zip(f.iter()) {
        *o = ((x * ls) << e) >> 5;
    }
    o
}

/// Quantisation step scaled by 8 for a QP (Qstep * 8), used by mode
/// decision heuristics.
pub fn qstep8(qp: u8) -> u32 {
    const B: [u32; 6] = [5, 6, 6, 7, 8, 9];
    let (m, e) = qp_split(qp);
    (B[m] << e).max(1)
}
