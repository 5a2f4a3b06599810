// SPDX-License-Identifier: GPL-2.0
//! Rate control in the kernel, steered by the stateful codec controls.
//!
//! - `FRAME_RC_ENABLE` off: every I picture uses `H264_I_FRAME_QP`, every
//!   P picture `H264_P_FRAME_QP`.
//! - `BITRATE_MODE` CQ: the QP follows `CONSTANT_QUALITY` (100 best,
//!   QP 10 for I pictures; 0 worst, QP 45), P pictures 2 above.
//! - CBR: each picture gets a bit budget from `BITRATE` and the frame
//!   interval, corrected by the deviation accumulated over the stream
//!   (spread over one second), and its QP from a model of the picture's
//!   cost, `bits = 2^(c/256) * 2^(-QP/6)` per picture type, whose
//!   complexity `c` is learnt from the pictures already coded.
//! - VBR (which the proposal does not have): the same with the
//!   deviation spread over four seconds, and a ceiling: over any second
//!   (the last `fps` pictures) the stream stays below `BITRATE_PEAK`.
//!
//! The result is clamped to `H264_MIN_QP`..`H264_MAX_QP` and the per-type
//! limits (`H264_{I,P}_FRAME_{MIN,MAX}_QP`). Integer arithmetic only, no
//! 64-bit division (32-bit kernels have no helper for it).

use crate::controls::{BitrateMode, RcControls};
use h264::ratecontrol::{div_i64, div_u64, log2_q8};

/// Picture type as rate control sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// I picture.
    I,
    /// P picture.
    P,
}

impl Kind {
    fn idx(self) -> usize {
        match self {
            Kind::I => 0,
            Kind::P => 1,
        }
    }
}

/// Longest peak window, pictures.
pub const PEAK_WINDOW_MAX: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Direct,
    Cq,
    Cbr,
    Vbr,
}

fn mode_of(c: &RcControls) -> Mode {
    if !c.frame_rc_enable {
        return Mode::Direct;
    }
    match c.bitrate_mode {
        BitrateMode::Cq => Mode::Cq,
        BitrateMode::Cbr => Mode::Cbr,
        BitrateMode::Vbr => Mode::Vbr,
    }
}

/// The QP range of a picture type: the global and the per-type limits.
pub fn qp_range(c: &RcControls, kind: Kind) -> (u8, u8) {
    let (tmin, tmax) = match kind {
        Kind::I => (c.i_min_qp, c.i_max_qp),
        Kind::P => (c.p_min_qp, c.p_max_qp),
    };
    let hi = c.max_qp.min(tmax).min(51);
    let lo = c.min_qp.max(tmin).min(hi);
    (lo, hi)
}

/// QP of `CONSTANT_QUALITY` `q` (0..=100).
pub fn cq_qp(q: u8, kind: Kind) -> u8 {
    let q = u32::from(q.min(100));
    let i = 45 - (35 * q + 50) / 100;
    match kind {
        Kind::I => i as u8,
        Kind::P => (i + 2).min(51) as u8,
    }
}

/// Rate controller state of one stream.
#[derive(Clone, Copy, Debug)]
pub struct RateControl {
    mode: Option<Mode>,
    /// log2(bits) + QP/6 in Q8, per type.
    cplx: [Option<i32>; 2],
    last_qp: [Option<u8>; 2],
    /// Bits above the nominal budget so far.
    buffer: i64,
    window: [u32; PEAK_WINDOW_MAX],
    win_pos: usize,
    win_sum: u64,
    /// Pictures and bits since the mode was set (statistics).
    frames: u64,
    bits: u64,
}

impl Default for RateControl {
    fn default() -> Self {
        Self::new()
    }
}

/// What rate control decided for a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The QP.
    pub qp: u8,
    /// The bit budget it aimed at (0 without a bitrate).
    pub target_bits: u64,
}

impl RateControl {
    /// A controller without history.
    pub const fn new() -> Self {
        RateControl {
            mode: None,
            cplx: [None, None],
            last_qp: [None, None],
            buffer: 0,
            window: [0; PEAK_WINDOW_MAX],
            win_pos: 0,
            win_sum: 0,
            frames: 0,
            bits: 0,
        }
    }

    /// Pictures and bits coded since the mode was last set.
    pub fn totals(&self) -> (u64, u64) {
        (self.frames, self.bits)
    }

    fn per_frame(bitrate: u32, tpf: (u32, u32)) -> u64 {
        let (num, den) = (u64::from(tpf.0.max(1)), u64::from(tpf.1.max(1)));
        div_u64(u64::from(bitrate) * num, den).max(1)
    }

    fn fps(tpf: (u32, u32)) -> u64 {
        div_u64(
            u64::from(tpf.1.max(1)) + u64::from(tpf.0.max(1)) - 1,
            u64::from(tpf.0.max(1)),
        )
        .max(1)
    }

    fn peak_window(tpf: (u32, u32)) -> usize {
        (Self::fps(tpf) as usize).clamp(1, PEAK_WINDOW_MAX)
    }

    /// Complexity model before any picture of that type was coded: about
    /// 1.2 bits per pixel for an I picture at QP 26, a quarter for P.
    fn initial_cplx(&self, kind: Kind, mbs: u32) -> i32 {
        let i = match self.cplx[0] {
            Some(c) => c,
            None => log2_q8(u64::from(mbs.max(1)) * 300) + 26 * 256 / 6,
        };
        match kind {
            Kind::I => i,
            Kind::P => i - 2 * 256,
        }
    }

    fn qp_for(c: i32, target: u64) -> i32 {
        let d = 6 * (c - log2_q8(target.max(1)));
        (d + if d >= 0 { 128 } else { -128 }) / 256
    }

    /// Chooses the QP of the next picture. `tpf` is the frame interval
    /// (seconds per frame as numerator, denominator), `mbs` the number of
    /// macroblocks.
    pub fn decide(&mut self, c: &RcControls, tpf: (u32, u32), kind: Kind, mbs: u32) -> Decision {
        let mode = mode_of(c);
        if self.mode != Some(mode) {
            // A new mode starts from a clean budget (the model stays: it
            // describes the content, not the mode).
            self.mode = Some(mode);
            self.buffer = 0;
            self.window = [0; PEAK_WINDOW_MAX];
            self.win_pos = 0;
            self.win_sum = 0;
            self.frames = 0;
            self.bits = 0;
        }
        let (lo, hi) = qp_range(c, kind);
        let (qp, target) = match mode {
            Mode::Direct => (
                match kind {
                    Kind::I => c.i_qp,
                    Kind::P => c.p_qp,
                },
                0,
            ),
            Mode::Cq => (cq_qp(c.constant_quality, kind), 0),
            Mode::Cbr | Mode::Vbr => self.bitrate_qp(c, mode, tpf, kind, mbs),
        };
        Decision {
            // max/min rather than clamp: no assertion on the bounds.
            qp: qp.max(lo).min(hi),
            target_bits: target,
        }
    }

    fn bitrate_qp(
        &self,
        c: &RcControls,
        mode: Mode,
        tpf: (u32, u32),
        kind: Kind,
        mbs: u32,
    ) -> (u8, u64) {
        let per = Self::per_frame(c.bitrate, tpf) as i64;
        let fps = Self::fps(tpf) as i64;
        let cplx = self.cplx[kind.idx()].unwrap_or_else(|| self.initial_cplx(kind, mbs));
        // I pictures cost what the model says relative to P pictures, the
        // following P pictures pay it back through the buffer.
        let weight_q8: i64 = match (kind, self.cplx[0], self.cplx[1]) {
            (Kind::P, _, _) => 256,
            (Kind::I, Some(ci), Some(cp)) => {
                let r = ci - cp;
                // 2^(r/256) in Q8, within 2..=10.
                let ip = 1i64 << ((r >> 8).clamp(0, 20) as u32);
                let frac = 256 + i64::from(r & 0xff);
                (ip * frac).clamp(2 * 256, 10 * 256)
            }
            (Kind::I, _, _) => 4 * 256,
        };
        let spread = match mode {
            Mode::Vbr => 4 * fps,
            _ => fps,
        };
        let nominal = per.saturating_mul(weight_q8) >> 8;
        let corr = div_i64(self.buffer, spread.max(1));
        let mut target = nominal
            .saturating_sub(corr)
            .max(per / 4)
            .min(nominal.saturating_mul(2))
            .max(1);
        if mode == Mode::Vbr {
            // Room left under the peak in the window ending with this
            // picture, with a margin for the model's error.
            let n = Self::peak_window(tpf);
            let peak = u64::from(c.bitrate_peak.max(c.bitrate));
            let budget = div_u64(
                peak.saturating_mul(n as u64)
                    .saturating_mul(u64::from(tpf.0.max(1))),
                u64::from(tpf.1.max(1)),
            );
            let oldest = self.window.get(self.win_pos % n).copied().unwrap_or(0);
            let held = self.win_sum.saturating_sub(u64::from(oldest));
            let room = budget.saturating_sub(held);
            // I pictures are predicted from the last I picture, up to a
            // GOP ago: a wider margin.
            let margin = match kind {
                Kind::I => 10,
                Kind::P => 13,
            };
            let cap = ((room * margin) >> 4).max(1) as i64;
            target = target.min(cap);
        }
        let mut qp = Self::qp_for(cplx, target as u64);
        // Keep the QP from jumping between pictures of the same type, and
        // I pictures close to the P pictures around them.
        let step = match mode {
            Mode::Vbr => 3,
            _ => 4,
        };
        match (kind, self.last_qp[kind.idx()], self.last_qp[1]) {
            (Kind::P, Some(l), _) => {
                qp = qp.max(i32::from(l) - step).min(i32::from(l) + step);
            }
            (Kind::I, _, Some(p)) => {
                qp = qp.max(i32::from(p) - 8).min(i32::from(p) + 4);
            }
            _ => {}
        }
        if mode == Mode::Vbr {
            // The ceiling beats smoothness.
            qp = qp.max(Self::qp_for(cplx, target as u64));
        }
        (qp.clamp(0, 51) as u8, target as u64)
    }

    /// Feeds back the size of the picture just coded with `qp`.
    pub fn update(&mut self, c: &RcControls, tpf: (u32, u32), kind: Kind, qp: u8, bits: u64) {
        let bits = bits.max(1);
        let measured = log2_q8(bits) + i32::from(qp) * 256 / 6;
        let k = kind.idx();
        if let Some(slot) = self.cplx.get_mut(k) {
            *slot = Some(match (*slot, kind) {
                (Some(old), Kind::P) => (old + 3 * measured) >> 2,
                _ => measured,
            });
        }
        if let Some(slot) = self.last_qp.get_mut(k) {
            *slot = Some(qp);
        }
        self.frames += 1;
        self.bits = self.bits.saturating_add(bits);
        let mode = mode_of(c);
        if matches!(mode, Mode::Cbr | Mode::Vbr) {
            let per = Self::per_frame(c.bitrate, tpf) as i64;
            let lim = per.saturating_mul(Self::fps(tpf) as i64).saturating_mul(8);
            let b = self
                .buffer
                .saturating_add(bits.min(i64::MAX as u64 >> 2) as i64)
                .saturating_sub(per);
            self.buffer = b.max(-lim).min(lim);
            let n = Self::peak_window(tpf);
            let pos = self.win_pos % n;
            if let Some(w) = self.window.get_mut(pos) {
                self.win_sum = self.win_sum.saturating_sub(u64::from(*w));
                *w = bits.min(u64::from(u32::MAX)) as u32;
                self.win_sum += u64::from(*w);
            }
            self.win_pos = (pos + 1) % n;
        }
    }
}
