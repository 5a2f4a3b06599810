// SPDX-License-Identifier: GPL-2.0
//! Implicit references: the kernel-side decoded picture buffer.
//!
//! User space names no reference: as in the proposal, the encoder keeps
//! the reconstruction of every reference picture (nal_ref_idc != 0) and
//! marks them the way a decoder does with the sliding window process
//! (H.264 8.2.5.3): IDR pictures empty the buffer (and may become the
//! long-term reference), other reference pictures evict the short-term
//! picture with the smallest FrameNumWrap once `max_num_ref_frames` are
//! held. A P slice predicts from index 0 of the initial reference list
//! (8.2.4.2.1): the short-term picture with the highest PicNum, else the
//! long-term one.
//!
//! Reconstruction buffers are slots `0..MAX_SLOTS` the driver allocates;
//! each picture is reconstructed into a slot no reference uses, and
//! becomes a reference in place (no copy).
//!
//! The DPB also checks the order of the pictures it is given:
//! frame_num must follow the previous reference picture's (no gaps), and
//! picture order counts must increase (the SPS promises no reordering).

use crate::state::{State, MAX_REFS};

/// Number of reconstruction buffers the driver allocates.
pub const MAX_SLOTS: usize = MAX_REFS as usize + 1;

/// A reference picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefPic {
    /// Reconstruction slot.
    pub slot: u8,
    /// frame_num.
    pub frame_num: u16,
    /// Marked "used for long-term reference" (LongTermFrameIdx 0).
    pub long_term: bool,
    /// PicOrderCnt.
    pub poc: i32,
}

/// Where a picture goes and what it references.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Slot receiving the reconstruction.
    pub recon_slot: u8,
    /// Reference of a P picture.
    pub reference: Option<RefPic>,
    /// PicOrderCnt of the picture.
    pub poc: i32,
    /// PicOrderCntMsb of the picture.
    pub poc_msb: i32,
}

/// Why the DPB refuses a picture (`-EINVAL` for the request).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DpbError {
    /// A P picture without any reference picture.
    NoReference,
    /// frame_num is not the previous reference picture's plus one.
    FrameNumGap,
    /// The picture order count does not increase.
    PocOrder,
}

/// The decoded picture buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dpb {
    refs: [Option<RefPic>; MAX_REFS as usize],
    max_refs: u8,
    prev_ref_frame_num: u16,
    prev_poc_msb: i32,
    prev_poc_lsb: u32,
    last_poc: Option<i32>,
}

impl Default for Dpb {
    fn default() -> Self {
        Self::new()
    }
}

impl Dpb {
    /// An empty DPB.
    pub const fn new() -> Self {
        Dpb {
            refs: [None; MAX_REFS as usize],
            max_refs: 0,
            prev_ref_frame_num: 0,
            prev_poc_msb: 0,
            prev_poc_lsb: 0,
            last_poc: None,
        }
    }

    /// The reference pictures held.
    pub fn refs(&self) -> impl Iterator<Item = &RefPic> {
        self.refs.iter().flatten()
    }

    fn frame_num_wrap(fnum: u16, cur: u16, max_frame_num: u32) -> i32 {
        if fnum > cur {
            i32::from(fnum) - max_frame_num as i32
        } else {
            i32::from(fnum)
        }
    }

    /// Plans picture `st`: its POC, its reconstruction slot and, for a P
    /// picture, its reference. Changes nothing.
    pub fn plan(&self, st: &State) -> Result<Plan, DpbError> {
        let e = &st.encode;
        let idr = e.is_idr();
        let max_fn = st.max_frame_num();
        if !idr {
            let expected = (u32::from(self.prev_ref_frame_num) + 1) % max_fn;
            if u32::from(e.frame_num) != expected {
                return Err(DpbError::FrameNumGap);
            }
        }
        // 8.2.1.1, frames: TopFieldOrderCnt = PicOrderCntMsb + lsb and
        // BottomFieldOrderCnt equal to it.
        let max_lsb = st.max_poc_lsb() as i32;
        let (prev_msb, prev_lsb) = if idr {
            (0, 0)
        } else {
            (self.prev_poc_msb, self.prev_poc_lsb as i32)
        };
        let lsb = i32::from(e.pic_order_cnt_lsb);
        let msb = if lsb < prev_lsb && prev_lsb - lsb >= max_lsb / 2 {
            prev_msb.saturating_add(max_lsb)
        } else if lsb > prev_lsb && lsb - prev_lsb > max_lsb / 2 {
            prev_msb.saturating_sub(max_lsb)
        } else {
            prev_msb
        };
        let poc = msb.saturating_add(lsb);
        if !idr && self.last_poc.is_some_and(|l| poc <= l) {
            return Err(DpbError::PocOrder);
        }
        let reference = if st.is_inter() {
            let cur = e.frame_num;
            let short = self
                .refs()
                .filter(|r| !r.long_term)
                .max_by_key(|r| Self::frame_num_wrap(r.frame_num, cur, max_fn));
            let long = self.refs().find(|r| r.long_term);
            Some(*short.or(long).ok_or(DpbError::NoReference)?)
        } else {
            None
        };
        let used = |s: u8| self.refs().any(|r| r.slot == s);
        // MAX_SLOTS slots, at most MAX_REFS in use: one is always free.
        let recon_slot = (0..MAX_SLOTS as u8).find(|s| !used(*s)).unwrap_or(0);
        Ok(Plan {
            recon_slot,
            reference,
            poc,
            poc_msb: msb,
        })
    }

    /// Records that picture `st`, planned as `plan`, was encoded.
    pub fn commit(&mut self, st: &State, plan: &Plan) {
        let e = &st.encode;
        self.last_poc = Some(plan.poc);
        if e.nal_ref_idc == 0 {
            return;
        }
        self.prev_ref_frame_num = e.frame_num;
        self.prev_poc_msb = plan.poc_msb;
        self.prev_poc_lsb = u32::from(e.pic_order_cnt_lsb);
        let pic = RefPic {
            slot: plan.recon_slot,
            frame_num: e.frame_num,
            long_term: e.is_idr() && e.flags & crate::uapi::ENCODE_FLAG_LONG_TERM_REFERENCE != 0,
            poc: plan.poc,
        };
        if e.is_idr() {
            self.refs = [None; MAX_REFS as usize];
            self.max_refs = st.sps.max_num_ref_frames.clamp(1, MAX_REFS);
        }
        let held = self.refs().count();
        if held >= usize::from(self.max_refs.max(1)) {
            // Sliding window: the short-term picture with the smallest
            // FrameNumWrap goes.
            let max_fn = st.max_frame_num();
            let cur = e.frame_num;
            let victim = self
                .refs
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.map(|r| (i, r)))
                .filter(|(_, r)| !r.long_term)
                .min_by_key(|(_, r)| Self::frame_num_wrap(r.frame_num, cur, max_fn))
                .map(|(i, _)| i);
            if let Some(v) = victim.and_then(|v| self.refs.get_mut(v)) {
                *v = None;
            }
        }
        if let Some(free) = self.refs.iter_mut().find(|r| r.is_none()) {
            *free = Some(pic);
        }
    }
}
