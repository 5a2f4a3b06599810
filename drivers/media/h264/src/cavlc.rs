// SPDX-License-Identifier: GPL-2.0
//! CAVLC residual block coding (ITU-T H.264 clause 9.2) and the VLC tables.

use crate::bitstream::BitWriter;

/// A variable length code: (length in bits, code value).
pub type Vlc = (u8, u16);

/// Parses a code written as a string of '0'/'1' at compile time.
const fn v(s: &str) -> Vlc {
    let b = s.as_bytes();
    let mut i = 0;
    let mut c: u16 = 0;
    while i < b.len() {
        c = (c << 1) | (b[i] - b'0') as u16;
        i += 1;
    }
    (b.len() as u8, c)
}

const X: Vlc = (0, 0);

/// coeff_token for 0 <= nC < 2, indexed `[TotalCoeff][TrailingOnes]`.
pub const COEFF_TOKEN_0: [[Vlc; 4]; 17] = [
    [v("1"), X, X, X],
    [v("000101"), v("01"), X, X],
    [v("00000111"), v("000100"), v("001"), X],
    [v("000000111"), v("00000110"), v("0000101"), v("00011")],
    [v("0000000111"), v("000000110"), v("00000101"), v("000011")],
    [
        v("00000000111"),
        v("0000000110"),
        v("000000101"),
        v("0000100"),
    ],
    [
        v("0000000001111"),
        v("00000000110"),
        v("0000000101"),
        v("00000100"),
    ],
    [
        v("0000000001011"),
        v("0000000001110"),
        v("00000000101"),
        v("000000100"),
    ],
    [
        v("0000000001000"),
        v("0000000001010"),
        v("0000000001101"),
        v("0000000100"),
    ],
    [
        v("00000000001111"),
        v("00000000001110"),
        v("0000000001001"),
        v("00000000100"),
    ],
    [
        v("00000000001011"),
        v("00000000001010"),
        v("00000000001101"),
        v("0000000001100"),
    ],
    [
        v("000000000001111"),
        v("000000000001110"),
        v("00000000001001"),
        v("00000000001100"),
    ],
    [
        v("000000000001011"),
        v("000000000001010"),
        v("000000000001101"),
        v("00000000001000"),
    ],
    [
        v("0000000000001111"),
        v("000000000000001"),
        v("000000000001001"),
        v("000000000001100"),
    ],
    [
        v("0000000000001011"),
        v("0000000000001110"),
        v("0000000000001101"),
        v("000000000001000"),
    ],
    [
        v("0000000000000111"),
        v("0000000000001010"),
        v("0000000000001001"),
        v("0000000000001100"),
    ],
    [
        v("0000000000000100"),
        v("0000000000000110"),
        v("0000000000000101"),
        v("0000000000001000"),
    ],
];

/// coeff_token for 2 <= nC < 4.
pub const COEFF_TOKEN_2: [[Vlc; 4]; 17] = [
    [v("11"), X, X, X],
    [v("001011"), v("10"), X, X],
    [v("000111"), v("00111"), v("011"), X],
    [v("0000111"), v("001010"), v("001001"), v("0101")],
    [v("00000111"), v("000110"), v("000101"), v("0100")],
    [v("00000100"), v("0000110"), v("0000101"), v("00110")],
    [v("000000111"), v("00000110"), v("00000101"), v("001000")],
    [
        v("00000001111"),
        v("000000110"),
        v("000000101"),
        v("000100"),
    ],
    [
        v("00000001011"),
        v("00000001110"),
        v("00000001101"),
        v("0000100"),
    ],
    [
        v("000000001111"),
        v("00000001010"),
        v("00000001001"),
        v("000000100"),
    ],
    [
        v("000000001011"),
        v("000000001110"),
        v("000000001101"),
        v("00000001100"),
    ],
    [
        v("000000001000"),
        v("000000001010"),
        v("000000001001"),
        v("00000001000"),
    ],
    [
        v("0000000001111"),
        v("0000000001110"),
        v("0000000001101"),
        v("000000001100"),
    ],
    [
        v("0000000001011"),
        v("0000000001010"),
        v("0000000001001"),
        v("0000000001100"),
    ],
    [
        v("0000000000111"),
        v("00000000001011"),
        v("0000000000110"),
        v("0000000001000"),
    ],
    [
        v("00000000001001"),
        v("00000000001000"),
        v("00000000001010"),
        v("0000000000001"),
    ],
    [
        v("00000000000111"),
        v("00000000000110"),
        v("00000000000101"),
        v("00000000000100"),
    ],
];

/// coeff_token for 4 <= nC < 8.
pub const COEFF_TOKEN_4: [[Vlc; 4]; 17] = [
    [v("1111"), X, X, X],
    [v("001111"), v("1110"), X, X],
    [v("001011"), v("01111"), v("1101"), X],
    [v("001000"), v("01100"), v("01110"), v("1100")],
    [v("0001111"), v("01010"), v("01011"), v("1011")],
    [v("0001011"), v("01000"), v("01001"), v("1010")],
    [v("0001001"), v("001110"), v("001101"), v("1001")],
    [v("0001000"), v("001010"), v("001001"), v("1000")],
    [v("00001111"), v("0001110"), v("0001101"), v("01101")],
    [v("00001011"), v("00001110"), v("0001010"), v("001100")],
    [v("000001111"), v("00001010"), v("00001101"), v("0001100")],
    [v("000001011"), v("000001110"), v("00001001"), v("00001100")],
    [
        v("000001000"),
        v("000001010"),
        v("000001101"),
        v("00001000"),
    ],
    [
        v("0000001101"),
        v("000000111"),
        v("000001001"),
        v("000001100"),
    ],
    [
        v("0000001001"),
        v("0000001100"),
        v("0000001011"),
        v("0000001010"),
    ],
    [
        v("0000000101"),
        v("0000001000"),
        v("0000000111"),
        v("0000000110"),
    ],
    [
        v("0000000001"),
        v("0000000100"),
        v("0000000011"),
        v("0000000010"),
    ],
];

/// coeff_token for chroma DC (nC == -1, 4:2:0).
pub const COEFF_TOKEN_CDC: [[Vlc; 4]; 5] = [
    [v("01"), X, X, X],
    [v("000111"), v("1"), X, X],
    [v("000100"), v("000110"), v("001"), X],
    [v("000011"), v("0000011"), v("0000010"), v("000101")],
    [v("000010"), v("00000011"), v("00000010"), v("0000000")],
];

/// total_zeros for 4x4 blocks, indexed `[TotalCoeff - 1][total_zeros]`.
pub const TOTAL_ZEROS: [[Vlc; 16]; 15] = [
    [
        v("1"),
        v("011"),
        v("010"),
        v("0011"),
        v("0010"),
        v("00011"),
        v("00010"),
        v("000011"),
        v("000010"),
        v("0000011"),
        v("0000010"),
        v("00000011"),
        v("00000010"),
        v("000000011"),
        v("000000010"),
        v("000000001"),
    ],
    [
        v("111"),
        v("110"),
        v("101"),
        v("100"),
        v("011"),
        v("0101"),
        v("0100"),
        v("0011"),
        v("0010"),
        v("00011"),
        v("00010"),
        v("000011"),
        v("000010"),
        v("000001"),
        v("000000"),
        X,
    ],
    [
        v("0101"),
        v("111"),
        v("110"),
        v("101"),
        v("0100"),
        v("0011"),
        v("100"),
        v("011"),
        v("0010"),
        v("00011"),
        v("00010"),
        v("000001"),
        v("00001"),
        v("000000"),
        X,
        X,
    ],
    [
        v("00011"),
        v("111"),
        v("0101"),
        v("0100"),
        v("110"),
        v("101"),
        v("100"),
        v("0011"),
        v("011"),
        v("0010"),
        v("00010"),
        v("00001"),
        v("00000"),
        X,
        X,
        X,
    ],
    [
        v("0101"),
        v("0100"),
        v("0011"),
        v("111"),
        v("110"),
        v("101"),
        v("100"),
        v("011"),
        v("0010"),
        v("00001"),
        v("0001"),
        v("00000"),
        X,
        X,
        X,
        X,
    ],
    [
        v("000001"),
        v("00001"),
        v("111"),
        v("110"),
        v("101"),
        v("100"),
        v("011"),
        v("010"),
        v("0001"),
        v("001"),
        v("000000"),
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("000001"),
        v("00001"),
        v("101"),
        v("100"),
        v("011"),
        v("11"),
        v("010"),
        v("0001"),
        v("001"),
        v("000000"),
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("000001"),
        v("0001"),
        v("00001"),
        v("011"),
        v("11"),
        v("10"),
        v("010"),
        v("001"),
        v("000000"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("000001"),
        v("000000"),
        v("0001"),
        v("11"),
        v("10"),
        v("001"),
        v("01"),
        v("00001"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("00001"),
        v("00000"),
        v("001"),
        v("11"),
        v("10"),
        v("01"),
        v("0001"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("0000"),
        v("0001"),
        v("001"),
        v("010"),
        v("1"),
        v("011"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("0000"),
        v("0001"),
        v("01"),
        v("1"),
        v("001"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("000"),
        v("001"),
        v("1"),
        v("01"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("00"),
        v("01"),
        v("1"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [v("0"), v("1"), X, X, X, X, X, X, X, X, X, X, X, X, X, X],
];

/// total_zeros for chroma DC 2x2, indexed `[TotalCoeff - 1][total_zeros]`.
pub const TOTAL_ZEROS_CDC: [[Vlc; 4]; 3] = [
    [v("1"), v("01"), v("001"), v("000")],
    [v("1"), v("01"), v("00"), X],
    [v("1"), v("0"), X, X],
];

/// run_before, indexed `[min(zerosLeft, 7) - 1][run_before]`.
pub const RUN_BEFORE: [[Vlc; 15]; 7] = [
    [v("1"), v("0"), X, X, X, X, X, X, X, X, X, X, X, X, X],
    [v("1"), v("01"), v("00"), X, X, X, X, X, X, X, X, X, X, X, X],
    [
        v("11"),
        v("10"),
        v("01"),
        v("00"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("11"),
        v("10"),
        v("01"),
        v("001"),
        v("000"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("11"),
        v("10"),
        v("011"),
        v("010"),
        v("001"),
        v("000"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("11"),
        v("000"),
        v("001"),
        v("011"),
        v("010"),
        v("101"),
        v("100"),
        X,
        X,
        X,
        X,
        X,
        X,
        X,
        X,
    ],
    [
        v("111"),
        v("110"),
        v("101"),
        v("100"),
        v("011"),
        v("010"),
        v("001"),
        v("0001"),
        v("00001"),
        v("000001"),
        v("0000001"),
        v("00000001"),
        v("000000001"),
        v("0000000001"),
        v("00000000001"),
    ],
];

/// Largest coefficient level magnitude this encoder ever emits. It keeps
/// level_prefix <= 15 (required outside the High profiles) for every
/// suffixLength.
pub const MAX_LEVEL: i32 = 2063;

#[inline]
fn put(bw: &mut BitWriter<'_>, c: Vlc) {
    bw.put(u32::from(c.0), u32::from(c.1));
}

/// Returns the coeff_token code for `nc` (-1 selects chroma DC).
#[inline]
fn coeff_token(nc: i32, total: usize, t1: usize) -> Vlc {
    let t1 = t1.min(3);
    if nc < 0 {
        return COEFF_TOKEN_CDC
            .get(total)
            .and_then(|r| r.get(t1))
            .copied()
            .unwrap_or(X);
    }
    let tab = match nc {
        0..=1 => &COEFF_TOKEN_0,
        2..=3 => &COEFF_TOKEN_2,
        4..=7 => &COEFF_TOKEN_4,
        _ => {
            // 6-bit fixed length code.
            if total == 0 {
                return (6, 3);
            }
            let c = (((total - 1) << 2) | t1) as u16;
            return (6, c & 63);
        }
    };
    tab.get(total).and_then(|r| r.get(t1)).copied().unwrap_or(X)
}

/// Summary of a residual block used both to write it and to estimate bits.
struct BlockInfo {
    total: usize,
    t1: usize,
    /// Non-zero levels from the highest frequency down.
    levels: [i32; 16],
    /// Zero run preceding each level (same order as `levels`).
    runs: [u8; 16],
    total_zeros: usize,
}

fn analyse(coeffs: &[i16]) -> BlockInfo {
    let mut bi = BlockInfo {
        total: 0,
        t1: 0,
        levels: [0; 16],
        runs: [0; 16],
        total_zeros: 0,
    };
    // Bit i is set for a non-zero coefficient i; levels are then visited
    // from the highest frequency down by the highest set bit.
    let mut mask = 0u32;
    for (i, &c) in coeffs.iter().take(16).enumerate() {
        mask |= u32::from(c != 0) << i;
    }
    if mask == 0 {
        return bi;
    }
    let last = (31 - mask.leading_zeros()) as usize;
    let mut idx = 0usize;
    let mut m = mask;
    while m != 0 {
        let i = 31 - m.leading_zeros();
        m &= !(1u32 << i);
        // Zeros below this level: down to the next level or to the start.
        let run = if m == 0 {
            i
        } else {
            i - (31 - m.leading_zeros()) - 1
        };
        let c = coeffs.get(i as usize).copied().unwrap_or(0);
        if let (Some(l), Some(r)) = (bi.levels.get_mut(idx), bi.runs.get_mut(idx)) {
            *l = i32::from(c).clamp(-MAX_LEVEL, MAX_LEVEL);
            *r = run as u8;
        }
        idx += 1;
    }
    bi.total = idx;
    bi.total_zeros = last + 1 - idx;
    let mut t1 = 0;
    for &l in bi.levels.iter().take(idx) {
        if t1 < 3 && (l == 1 || l == -1) {
            t1 += 1;
        } else {
            break;
        }
    }
    bi.t1 = t1;
    bi
}

/// Encodes one level_prefix/level_suffix pair; returns the bits it takes.
#[inline]
fn level_code_bits(level_code: u32, suffix_len: u32) -> (u32, u32, u32) {
    // Returns (prefix, suffix_size, suffix).
    if suffix_len == 0 {
        if level_code < 14 {
            (level_code, 0, 0)
        } else if level_code < 30 {
            (14, 4, level_code - 14)
        } else {
            (15, 12, (level_code - 30).min(4095))
        }
    } else {
        let lim = 15u32 << suffix_len;
        if level_code < lim {
            (
                level_code >> suffix_len,
                suffix_len,
                level_code & ((1 << suffix_len) - 1),
            )
        } else {
            (15, 12, (level_code - lim).min(4095))
        }
    }
}

/// Writes residual_block_cavlc() for `coeffs` (in scan order; length is
/// maxNumCoeff: 16, 15 or 4). `nc` is the predicted coefficient count, or
/// -1 for chroma DC. Returns TotalCoeff.
pub fn write_block(bw: &mut BitWriter<'_>, coeffs: &[i16], nc: i32) -> u8 {
    let max = coeffs.len().min(16);
    let bi = analyse(coeffs);
    put(bw, coeff_token(nc, bi.total, bi.t1));
    if bi.total == 0 {
        return 0;
    }
    // Trailing ones signs.
    for &l in bi.levels.iter().take(bi.t1) {
        bw.bit(l < 0);
    }
    let mut suffix_len: u32 = if bi.total > 10 && bi.t1 < 3 { 1 } else { 0 };
    for (k, &l) in bi.levels.iter().enumerate().take(bi.total).skip(bi.t1) {
        let mut code: u32 = if l > 0 {
            (2 * l - 2) as u32
        } else {
            (-2 * l - 1) as u32
        };
        if k == bi.t1 && bi.t1 < 3 {
            code = code.saturating_sub(2);
        }
        let (prefix, ssize, suffix) = level_code_bits(code, suffix_len);
        bw.put(prefix + 1, 1);
        bw.put(ssize, suffix);
        if suffix_len == 0 {
            suffix_len = 1;
        }
        if l.unsigned_abs() > (3u32 << (suffix_len - 1)) && suffix_len < 6 {
            suffix_len += 1;
        }
    }
    if bi.total < max {
        let tz = if max == 4 {
            TOTAL_ZEROS_CDC
                .get(bi.total - 1)
                .and_then(|r| r.get(bi.total_zeros))
                .copied()
        } else {
            TOTAL_ZEROS
                .get(bi.total - 1)
                .and_then(|r| r.get(bi.total_zeros))
                .copied()
        };
        put(bw, tz.unwrap_or(X));
    }
    let mut zeros_left = bi.total_zeros;
    for &run in bi.runs.iter().take(bi.total.saturating_sub(1)) {
        if zeros_left == 0 {
            break;
        }
        let run = usize::from(run);
        let tab = zeros_left.min(7) - 1;
        let c = RUN_BEFORE
            .get(tab)
            .and_then(|r| r.get(run))
            .copied()
            .unwrap_or(X);
        put(bw, c);
        zeros_left = zeros_left.saturating_sub(run);
    }
    bi.total as u8
}

/// Estimates the number of bits [`write_block`] would produce.
pub fn block_bits(coeffs: &[i16], nc: i32) -> u32 {
    let max = coeffs.len().min(16);
    let bi = analyse(coeffs);
    let mut bits = u32::from(coeff_token(nc, bi.total, bi.t1).0);
    if bi.total == 0 {
        return bits;
    }
    bits += bi.t1 as u32;
    let mut suffix_len: u32 = if bi.total > 10 && bi.t1 < 3 { 1 } else { 0 };
    for (k, &l) in bi.levels.iter().enumerate().take(bi.total).skip(bi.t1) {
        let mut code: u32 = if l > 0 {
            (2 * l - 2) as u32
        } else {
            (-2 * l - 1) as u32
        };
        if k == bi.t1 && bi.t1 < 3 {
            code = code.saturating_sub(2);
        }
        let (prefix, ssize, _) = level_code_bits(code, suffix_len);
        bits += prefix + 1 + ssize;
        if suffix_len == 0 {
            suffix_len = 1;
        }
        if l.unsigned_abs() > (3u32 << (suffix_len - 1)) && suffix_len < 6 {
            suffix_len += 1;
        }
    }
    if bi.total < max {
        let tz = if max == 4 {
            TOTAL_ZEROS_CDC
                .get(bi.total - 1)
                .and_then(|r| r.get(bi.total_zeros))
        } else {
            TOTAL_ZEROS
                .get(bi.total - 1)
                .and_then(|r| r.get(bi.total_zeros))
        };
        bits += u32::from(tz.map_or(0, |c| c.0));
    }
    let mut zeros_left = bi.total_zeros;
    for &run in bi.runs.iter().take(bi.total.saturating_sub(1)) {
        if zeros_left == 0 {
            break;
        }
        let run = usize::from(run);
        let tab = zeros_left.min(7) - 1;
        bits += u32::from(
            RUN_BEFORE
                .get(tab)
                .and_then(|r| r.get(run))
                .map_or(0, |c| c.0),
        );
        zeros_left = zeros_left.saturating_sub(run);
    }
    bits
}

/// Checks that every VLC table is prefix free and complete enough to be a
/// valid code (Kraft sum <= 1). Used by the self tests.
pub fn check_tables() -> Result<(), &'static str> {
    fn prefix_free(codes: &[Vlc]) -> Result<(), &'static str> {
        let mut kraft: u64 = 0;
        for (i, &a) in codes.iter().enumerate() {
            if a.0 == 0 {
                continue;
            }
            kraft += 1u64 << (20 - a.0);
            for &b in codes.iter().skip(i + 1) {
                if b.0 == 0 {
                    continue;
                }
                let (s, l) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                if (l.1 >> (l.0 - s.0)) == s.1 {
                    return Err("VLC table is not prefix free");
                }
            }
        }
        if kraft > (1 << 20) {
            return Err("VLC table violates Kraft inequality");
        }
        Ok(())
    }
    let mut flat = [X; 68];
    for tab in [&COEFF_TOKEN_0, &COEFF_TOKEN_2, &COEFF_TOKEN_4] {
        for (d, s) in flat.iter_mut().zip(tab.iter().flatten()) {
            *d = *s;
        }
        prefix_free(&flat)?;
    }
    let mut flat = [X; 20];
    for (d, s) in flat.iter_mut().zip(COEFF_TOKEN_CDC.iter().flatten()) {
        *d = *s;
    }
    prefix_free(&flat)?;
    for t in TOTAL_ZEROS.iter() {
        prefix_free(t)?;
    }
    for t in TOTAL_ZEROS_CDC.iter() {
        prefix_free(t)?;
    }
    for t in RUN_BEFORE.iter() {
        prefix_free(t)?;
    }
    Ok(())
}
