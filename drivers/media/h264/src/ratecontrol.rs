// SPDX-License-Identifier: GPL-2.0
//! Frame-level rate control: constant QP, or a CBR/VBR controller that
//! picks each frame's QP from a simple bits ~ 2^(-QP/6) model fed back with
//! the size of the previous frames and a virtual buffer. Integer only.

/// Rate control mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateControl {
    /// Every frame uses the configured QP (I frames use it too).
    ConstantQp,
    /// Constant bit rate: target `bitrate` bits/s, tight buffer (1 s).
    Cbr {
        /// Target bits per second.
        bitrate: u32,
    },
    /// Variable bit rate: average `bitrate` bits/s over a long window,
    /// QP moves slowly.
    Vbr {
        /// Average target bits per second.
        bitrate: u32,
    },
}

/// 64-bit unsigned division by bounded shift-and-subtract (no libcall:
/// 32-bit kernels have no 64-bit division intrinsics). Division by zero
/// returns `u64::MAX`.
pub fn div_u64(n: u64, d: u64) -> u64 {
    if d == 0 {
        return u64::MAX;
    }
    if n < d {
        return 0;
    }
    let mut q = 0u64;
    let mut r = 0u64;
    let mut i = 64;
    while i > 0 {
        i -= 1;
        r = (r << 1) | ((n >> i) & 1);
        if r >= d {
            r -= d;
            q |= 1 << i;
        }
    }
    q
}

/// Signed 64-bit division rounding toward zero, see [`div_u64`].
pub fn div_i64(n: i64, d: i64) -> i64 {
    let q = div_u64(n.unsigned_abs(), d.unsigned_abs()).min(i64::MAX as u64) as i64;
    if (n < 0) != (d < 0) {
        -q
    } else {
        q
    }
}

/// log2(x) in Q8 fixed point (linear interpolation between powers of two).
pub fn log2_q8(x: u64) -> i32 {
    if x == 0 {
        return 0;
    }
    let n = 63 - x.leading_zeros();
    let frac = if n >= 8 {
        ((x >> (n - 8)) & 0xff) as i32
    } else {
        ((x << (8 - n)) & 0xff) as i32
    };
    (n as i32) * 256 + frac
}

/// Rate controller state.
#[derive(Clone, Copy, Debug)]
pub struct RateController {
    mode: RateControl,
    base_qp: u8,
    min_qp: u8,
    max_qp: u8,
    per_frame: u64,
    window: i64,
    buffer: i64,
    last: [Option<(u64, u8)>; 2],
}

impl RateController {
    /// Creates a controller. `fps_num/fps_den` is the frame rate.
    pub fn new(
        mode: RateControl,
        qp: u8,
        min_qp: u8,
        max_qp: u8,
        fps_num: u32,
        fps_den: u32,
    ) -> Self {
        let fps_num = u64::from(fps_num.max(1));
        let fps_den = u64::from(fps_den.max(1));
        let (rate, window_s) = match mode {
            RateControl::ConstantQp => (0u64, 1u64),
            RateControl::Cbr { bitrate } => (u64::from(bitrate), 1),
            RateControl::Vbr { bitrate } => (u64::from(bitrate), 8),
        };
        let per_frame = div_u64(rate * fps_den, fps_num).max(1);
        let fps = div_u64(fps_num, fps_den).max(1);
        RateController {
            mode,
            base_qp: qp.min(51),
            min_qp: min_qp.min(51),
            max_qp: max_qp.max(min_qp.min(51)).min(51),
            per_frame,
            window: (fps * window_s).clamp(1, 10_000) as i64,
            buffer: 0,
            last: [None, None],
        }
    }

    /// Returns the QP for the next frame.
    pub fn frame_qp(&self, intra: bool) -> u8 {
        let t = usize::from(!intra);
        if self.mode == RateControl::ConstantQp {
            return self.base_qp;
        }
        let (bits, qp) = match (self.last[t], self.last[0]) {
            (Some(l), _) => l,
            (None, Some((b, q))) => {
                // First P frame after an I frame: assume it is ~4x smaller.
                (b >> 2, q)
            }
            (None, None) => return self.base_qp.max(self.min_qp).min(self.max_qp),
        };
        let mult: u64 = if intra { 4 } else { 1 };
        let base = (self.per_frame * mult) as i64;
        let corr = div_i64(self.buffer, self.window);
        let target = (base - corr).max(base >> 2).min(base * 2).max(1) as u64;
        let d = 6 * (log2_q8(bits.max(1)) - log2_q8(target));
        let dq = (d + if d >= 0 { 128 } else { -128 }) / 256;
        let maxstep = match self.mode {
            RateControl::Vbr { .. } => 2,
            _ => 4,
        };
        let q = i32::from(qp) + dq.clamp(-maxstep, maxstep);
        q.max(i32::from(self.min_qp)).min(i32::from(self.max_qp)) as u8
    }

    /// Feeds back the size of the frame just coded.
    pub fn update(&mut self, intra: bool, qp: u8, bits: u64) {
        let t = usize::from(!intra);
        self.last[t] = Some((bits.max(1), qp));
        if self.mode != RateControl::ConstantQp {
            let b = self.buffer + bits.min(i64::MAX as u64 / 4) as i64 - self.per_frame as i64;
            let lim = self.per_frame as i64 * self.window * 4;
            self.buffer = b.max(-lim).min(lim);
        }
    }
}
