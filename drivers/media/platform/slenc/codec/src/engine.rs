// SPDX-License-Identifier: GPL-2.0
//! The per-codec engine: what the driver calls for each job.
//!
//! [`H264Engine::start`] at `STREAMON` (it says which reconstruction
//! buffers to allocate), [`H264Engine::prepare`] from `device_run` (builds
//! and constrains the picture's state, decides its QP, plans its
//! references, writes AUD/SPS/PPS — and the slice header unless the
//! hardware writes it — into the CAPTURE buffer, and describes the job for
//! the backend), then [`H264Engine::complete`] when the backend reports the
//! end of the job (commits the references and the rate-control feedback,
//! and gives `bytesused` and the buffer flags). A failed job commits
//! nothing: the DPB, frame_num expectations and rate control stay as they
//! were, and user space can resend the picture, or an IDR picture.
//!
//! The engine lives in the driver's per-file-handle context (about 1 KiB:
//! keep it off the stack).

use crate::backend::{Caps, IrqStatus, JobFailure};
use crate::controls::Controls;
use crate::dpb::{Dpb, DpbError, Plan, MAX_SLOTS};
use crate::headers::{
    write_aud, write_pps, write_slice_header, write_sps, SliceHeader, PRIMARY_PIC_TYPE_I,
    PRIMARY_PIC_TYPE_IP,
};
use crate::layout::{capture_min_size, OutputFormat};
use crate::rc::{Kind, RateControl};
use crate::state::{build, State, StateError, StreamInfo};
use crate::uapi::{EncodeParams, Pps, Sps};
use h264::bitstream::{BitWriter, Suspended};
use h264::PictureParams;

/// `V4L2_BUF_FLAG_KEYFRAME`.
pub const BUF_FLAG_KEYFRAME: u32 = 0x0000_0008;
/// `V4L2_BUF_FLAG_PFRAME`.
pub const BUF_FLAG_PFRAME: u32 = 0x0000_0010;
/// `V4L2_BUF_FLAG_ERROR`.
pub const BUF_FLAG_ERROR: u32 = 0x0000_0040;

/// Motion search range of the encoder, luma samples.
pub const SEARCH_RANGE: u8 = 16;

/// Why a picture cannot be encoded. All are `-EINVAL` for the request,
/// except [`EngineError::OutputTooSmall`] (`-ENOSPC`, the CAPTURE buffer
/// cannot even hold the headers) and [`EngineError::Busy`] (a driver bug).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// [`H264Engine::start`] was not called.
    NotStarted,
    /// A job is already prepared and not completed.
    Busy,
    /// The controls cannot be adapted into a picture.
    State(StateError),
    /// The picture does not fit the references.
    Dpb(DpbError),
    /// The first picture of a stream is not an IDR picture.
    FirstNotIdr,
    /// The SPS changed on a picture that is not an IDR picture.
    SequenceChangeWithoutIdr,
    /// The headers do not fit in the CAPTURE buffer.
    OutputTooSmall,
}

/// What the driver allocates at `STREAMON`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resources {
    /// Reconstruction buffers (slots `0..slots`).
    pub slots: usize,
    /// Bytes of each reconstruction buffer (MB-aligned I420).
    pub recon_size: usize,
    /// Macroblocks per picture (entries of the macroblock state the
    /// virtual engine needs).
    pub mb_count: usize,
    /// Smallest CAPTURE buffer.
    pub capture_min: u32,
}

/// A job for the backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobDesc {
    /// Job number since `start` (wraps).
    pub seq: u32,
    /// How the picture is coded (size, QP, I/P, chroma QP offset,
    /// deblocking): what hardware registers take.
    pub picture: PictureParams,
    /// Layout of the OUTPUT buffer.
    pub input: OutputFormat,
    /// Slice header values (for hardware that writes the header).
    pub slice: SliceHeader,
    /// Bytes before the slice NAL unit (AUD, SPS, PPS) in the CAPTURE
    /// buffer.
    pub header_len: usize,
    /// When the driver wrote the slice header: where the hardware
    /// continues the NAL unit (complete bytes, pending bits, zero run).
    pub resume: Option<Suspended>,
    /// Length of the CAPTURE buffer the job writes.
    pub capture_len: usize,
    /// Reconstruction slot of this picture.
    pub recon_slot: u8,
    /// Reconstruction slot of the reference (P pictures).
    pub ref_slot: Option<u8>,
    /// Picture type.
    pub kind: Kind,
}

/// A prepared job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// The job for the backend.
    pub desc: JobDesc,
    /// Bytes of the rate control's budget for the picture (0 without a
    /// bitrate), for statistics.
    pub target_bits: u64,
}

/// The end of a job, for the CAPTURE buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    /// `bytesused` (0 on error).
    pub bytesused: usize,
    /// `V4L2_BUF_FLAG_KEYFRAME`, `_PFRAME` or `_ERROR`.
    pub flags: u32,
    /// QP used.
    pub qp: u8,
    /// The job failed: both buffers are returned with `ERROR`.
    pub failed: Option<JobFailure>,
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    seq: u32,
    plan: Plan,
    kind: Kind,
    qp: u8,
    header_len: usize,
}

/// The H.264 engine of one encoding context.
pub struct H264Engine {
    caps: Caps,
    stream: Option<StreamInfo>,
    dpb: Dpb,
    rc: RateControl,
    active: State,
    have_active: bool,
    next: State,
    pending: Option<Pending>,
    seq: u32,
}

impl H264Engine {
    /// An engine for a backend with `caps`.
    pub const fn new(caps: Caps) -> Self {
        H264Engine {
            caps,
            stream: None,
            dpb: Dpb::new(),
            rc: RateControl::new(),
            active: State::EMPTY,
            have_active: false,
            next: State::EMPTY,
            pending: None,
            seq: 0,
        }
    }

    /// Starts a stream (`STREAMON`): forgets references, rate-control
    /// history and the last parameter sets; the first picture must be an
    /// IDR picture.
    pub fn start(&mut self, stream: &StreamInfo) -> Resources {
        self.stream = Some(*stream);
        self.dpb = Dpb::new();
        self.rc = RateControl::new();
        self.have_active = false;
        self.pending = None;
        self.seq = 0;
        let mbs = (stream.mb_width() * stream.mb_height()) as usize;
        Resources {
            slots: MAX_SLOTS,
            recon_size: mbs * 384,
            mb_count: mbs,
            capture_min: capture_min_size(stream.format.width, stream.format.height),
        }
    }

    /// Updates the frame interval or crop rectangle while streaming
    /// (`S_PARM`, `S_SELECTION`): they take effect with the next SPS, which
    /// the next IDR picture brings.
    pub fn update_stream(&mut self, stream: &StreamInfo) {
        if let Some(s) = self.stream.as_mut() {
            if s.format == stream.format {
                *s = *stream;
            }
        }
    }

    /// Stops the stream (`STREAMOFF`): a prepared job is dropped.
    pub fn stop(&mut self) {
        self.stream = None;
        self.pending = None;
    }

    /// The state of the prepared (or last) picture: the adapted SPS
    /// fields ([`crate::state::SeqParams::apply_to`] writes them into the
    /// SPS control's value), PPS and `ENCODE_PARAMS` to return to user
    /// space.
    pub fn adapted(&self) -> (&crate::state::SeqParams, &Pps, &EncodeParams) {
        (&self.next.sps, &self.next.pps, &self.next.encode)
    }

    /// Prepares the job of one picture from the control values; writes
    /// its headers at the start of `out` (the CAPTURE buffer).
    pub fn prepare(
        &mut self,
        sps: &Sps,
        pps: &Pps,
        encode: &EncodeParams,
        controls: &Controls,
        out: &mut [u8],
    ) -> Result<Prepared, EngineError> {
        let stream = self.stream.ok_or(EngineError::NotStarted)?;
        if self.pending.is_some() {
            return Err(EngineError::Busy);
        }
        let out_len = out.len();
        build(&mut self.next, &stream, sps, pps, encode, controls).map_err(EngineError::State)?;
        let idr = self.next.encode.is_idr();
        if !self.have_active && !idr {
            return Err(EngineError::FirstNotIdr);
        }
        let new_sequence = !self.have_active || !self.next.same_sequence(&self.active);
        if new_sequence && !idr {
            return Err(EngineError::SequenceChangeWithoutIdr);
        }
        let plan = self.dpb.plan(&self.next).map_err(EngineError::Dpb)?;
        let kind = if self.next.is_inter() {
            Kind::P
        } else {
            Kind::I
        };
        let mbs = stream.mb_width() * stream.mb_height();
        let d = self.rc.decide(&controls.rc, stream.timeperframe, kind, mbs);
        self.next.encode.slice_qp_delta =
            (i32::from(d.qp) - 26 - i32::from(self.next.pps.pic_init_qp_minus26)) as i8;

        let st = &self.next;
        let mut bw = BitWriter::new(out);
        if controls.stream.au_delimiter {
            write_aud(
                &mut bw,
                if kind == Kind::I {
                    PRIMARY_PIC_TYPE_I
                } else {
                    PRIMARY_PIC_TYPE_IP
                },
            );
        }
        let pps_changed = !self.have_active || st.pps != self.active.pps;
        let prepend = idr && controls.stream.prepend_sps_pps_to_idr;
        if new_sequence || prepend {
            write_sps(&mut bw, &st.sps, st.crop, &st.vui);
        }
        if new_sequence || prepend || pps_changed {
            write_pps(&mut bw, &st.pps, st.sps.profile_idc);
        }
        let header_len = bw.byte_len();
        let slice = SliceHeader::new(&st.sps, &st.pps, &st.encode);
        let resume = if self.caps.writes_slice_header {
            None
        } else {
            write_slice_header(&mut bw, &slice);
            Some(bw.suspend())
        };
        if bw.overflowed() {
            return Err(EngineError::OutputTooSmall);
        }
        let (fa, fb) = slice.filter_offsets();
        let picture = PictureParams {
            width: stream.format.width,
            height: stream.format.height,
            qp: d.qp,
            inter: kind == Kind::P,
            chroma_qp_offset: st.pps.chroma_qp_index_offset,
            deblock: slice.deblock(),
            filter_offset_a: fa,
            filter_offset_b: fb,
            slices: 1,
            search_range: SEARCH_RANGE,
            subpel: true,
            intra4x4: true,
        };
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        self.pending = Some(Pending {
            seq,
            plan,
            kind,
            qp: d.qp,
            header_len,
        });
        Ok(Prepared {
            desc: JobDesc {
                seq,
                picture,
                input: stream.format,
                slice,
                header_len,
                resume,
                capture_len: out_len,
                recon_slot: plan.recon_slot,
                ref_slot: plan.reference.map(|r| r.slot),
                kind,
            },
            target_bits: d.target_bits,
        })
    }

    /// Completes the job `desc` with the backend's status (or
    /// [`IrqStatus::Failed`] with [`JobFailure::Timeout`] /
    /// [`JobFailure::Cancelled`] from the driver).
    pub fn complete(
        &mut self,
        desc: &JobDesc,
        status: IrqStatus,
        controls: &Controls,
    ) -> Completion {
        let failed = |why, qp| Completion {
            bytesused: 0,
            flags: BUF_FLAG_ERROR,
            qp,
            failed: Some(why),
        };
        let p = match self.pending {
            Some(p) if p.seq == desc.seq => p,
            _ => return failed(JobFailure::Cancelled, 0),
        };
        self.pending = None;
        let slice_bytes = match status {
            IrqStatus::Done { slice_bytes } => slice_bytes,
            IrqStatus::Failed(why) => return failed(why, p.qp),
            IrqStatus::NotMine => return failed(JobFailure::Cancelled, p.qp),
        };
        // What the hardware reports is checked, not trusted.
        let bytes = match p.header_len.checked_add(slice_bytes) {
            Some(b) if b <= desc.capture_len => b,
            _ => return failed(JobFailure::Hardware, p.qp),
        };
        if let Some(stream) = self.stream {
            self.rc.update(
                &controls.rc,
                stream.timeperframe,
                p.kind,
                p.qp,
                (bytes as u64) * 8,
            );
        }
        self.dpb.commit(&self.next, &p.plan);
        self.active = self.next;
        self.have_active = true;
        Completion {
            bytesused: bytes,
            flags: match p.kind {
                Kind::I => BUF_FLAG_KEYFRAME,
                Kind::P => BUF_FLAG_PFRAME,
            },
            qp: p.qp,
            failed: None,
        }
    }

    /// Pictures and bits coded since the rate-control mode was set.
    pub fn rc_totals(&self) -> (u64, u64) {
        self.rc.totals()
    }
}
