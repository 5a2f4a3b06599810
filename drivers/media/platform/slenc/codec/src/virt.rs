// SPDX-License-Identifier: GPL-2.0
//! The virtual engine: a [`Backend`] whose "hardware" is the `h264` core
//! run by a worker.
//!
//! It behaves like a register-programmed encoder: [`Backend::program`]
//! latches the job, [`Backend::start`] sets it running, and the driver's
//! worker (a kernel work item; a plain call on the host) runs
//! [`VirtualEngine::execute`] with CPU views of the buffers. Execution
//! leaves the outcome in the status "register" and returns how long the
//! delay model says the hardware would still take; once that has passed
//! the driver raises the completion exactly as an interrupt would, through
//! [`Backend::irq`]. Faults can be injected (a job that never completes, a
//! job that fails) to exercise the driver's timeout, reset and error
//! paths.
//!
//! # Examples
//!
//! ```
//! use slenc_codec::virt::DelayModel;
//! let d = DelayModel { fixed_us: 100, per_mb_ns: 2000 };
//! assert_eq!(d.delay_ns(3600), 100_000 + 3600 * 2000);
//! assert_eq!(d.remaining_ns(3600, 10_000_000), 0);
//! ```

use crate::backend::{Backend, Caps, IrqStatus, JobFailure};
use crate::engine::JobDesc;
use crate::headers::write_slice_header;
use crate::layout;
use h264::bitstream::BitWriter;
use h264::{encode_picture, Error, FrameBuffers, MbInfo, Workspace, MAX_DIMENSION};

/// How long the emulated hardware takes for a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DelayModel {
    /// Setup cost of every job, microseconds.
    pub fixed_us: u32,
    /// Cost per macroblock, nanoseconds.
    pub per_mb_ns: u32,
}

impl DelayModel {
    /// No delay beyond the computation itself.
    pub const NONE: DelayModel = DelayModel {
        fixed_us: 0,
        per_mb_ns: 0,
    };

    /// Modelled duration of a job of `mbs` macroblocks, nanoseconds.
    pub fn delay_ns(&self, mbs: u32) -> u64 {
        u64::from(self.fixed_us) * 1000 + u64::from(self.per_mb_ns) * u64::from(mbs)
    }

    /// What is left of the modelled duration after `elapsed_ns` of
    /// computation.
    pub fn remaining_ns(&self, mbs: u32, elapsed_ns: u64) -> u64 {
        self.delay_ns(mbs).saturating_sub(elapsed_ns)
    }
}

/// Faults to inject (0: never).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Every n-th job hangs: no completion until reset.
    pub hang_every: u32,
    /// Every n-th job fails with a hardware error.
    pub fail_every: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Idle,
    Programmed,
    Running,
    Hung,
    Done(usize),
    Failed(JobFailure),
}

/// CPU views of a job's buffers, for [`VirtualEngine::execute`].
pub struct VirtMem<'a> {
    /// Memory planes of the OUTPUT buffer (`data_offset` applied).
    pub src: [&'a [u8]; 3],
    /// The CAPTURE buffer (headers already at its start).
    pub out: &'a mut [u8],
    /// Reconstruction slot `recon_slot`.
    pub recon: &'a mut [u8],
    /// Reconstruction slot `ref_slot` (empty for I pictures).
    pub reference: &'a [u8],
    /// Macroblock state, `mb_count` entries.
    pub mb_info: &'a mut [MbInfo],
    /// Macroblock scratch.
    pub workspace: &'a mut Workspace,
}

/// What [`VirtualEngine::execute`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Executed {
    /// The completion "interrupt" is to be raised (false: the job hangs).
    pub raise_irq: bool,
    /// Macroblocks of the job, for the delay model.
    pub mbs: u32,
}

/// The virtual engine.
pub struct VirtualEngine {
    /// Delay model.
    pub delay: DelayModel,
    /// Fault injection.
    pub faults: Faults,
    status: Status,
    job: Option<JobDesc>,
    jobs: u32,
}

impl VirtualEngine {
    /// An idle engine.
    pub const fn new(delay: DelayModel, faults: Faults) -> Self {
        VirtualEngine {
            delay,
            faults,
            status: Status::Idle,
            job: None,
            jobs: 0,
        }
    }

    fn nth(every: u32, n: u32) -> bool {
        every != 0 && n.is_multiple_of(every)
    }

    /// Runs the started job on the CPU (the driver's worker calls this).
    pub fn execute(&mut self, mem: VirtMem<'_>) -> Executed {
        let job = match (self.status, self.job) {
            (Status::Running, Some(j)) => j,
            _ => {
                return Executed {
                    raise_irq: false,
                    mbs: 0,
                }
            }
        };
        let mbs = job.picture.mb_count() as u32;
        self.jobs = self.jobs.wrapping_add(1);
        if Self::nth(self.faults.hang_every, self.jobs) {
            self.status = Status::Hung;
            return Executed {
                raise_irq: false,
                mbs,
            };
        }
        self.status = if Self::nth(self.faults.fail_every, self.jobs) {
            Status::Failed(JobFailure::Hardware)
        } else {
            match Self::encode(&job, mem) {
                Ok(n) => Status::Done(n),
                Err(e) => Status::Failed(e),
            }
        };
        Executed {
            raise_irq: true,
            mbs,
        }
    }

    fn encode(job: &JobDesc, mem: VirtMem<'_>) -> Result<usize, JobFailure> {
        let frame = layout::frame(&job.input, &mem.src).map_err(|_| JobFailure::Cancelled)?;
        let mut bufs = FrameBuffers {
            recon: mem.recon,
            reference: mem.reference,
            mb_info: mem.mb_info,
            workspace: mem.workspace,
        };
        let header_len = job.header_len;
        let res = match job.resume {
            // The driver wrote the slice header: continue its NAL unit.
            Some(s) => {
                if s.byte_len < header_len {
                    return Err(JobFailure::Cancelled);
                }
                let mut bw = BitWriter::resume(mem.out, &s);
                let r = encode_picture(&job.picture, &frame, &mut bufs, &mut bw, |_, _| {});
                r.map(|()| bw.byte_len())
            }
            // Write it, like hardware that has slice header registers.
            None => {
                let out = mem
                    .out
                    .get_mut(header_len..)
                    .ok_or(JobFailure::BufferFull)?;
                let mut bw = BitWriter::new(out);
                let r = encode_picture(&job.picture, &frame, &mut bufs, &mut bw, |bw, _| {
                    write_slice_header(bw, &job.slice)
                });
                r.map(|()| header_len + bw.byte_len())
            }
        };
        match res {
            Ok(end) => Ok(end - header_len),
            Err(Error::OutputTooSmall) => Err(JobFailure::BufferFull),
            Err(_) => Err(JobFailure::Cancelled),
        }
    }
}

impl Backend for VirtualEngine {
    type Mem = ();

    fn caps(&self) -> Caps {
        Caps {
            writes_slice_header: true,
            max_width: MAX_DIMENSION,
            max_height: MAX_DIMENSION,
        }
    }

    fn program(&mut self, job: &JobDesc, _mem: &()) -> Result<(), JobFailure> {
        match self.status {
            Status::Running | Status::Hung => Err(JobFailure::Hardware),
            _ => {
                self.job = Some(*job);
                self.status = Status::Programmed;
                Ok(())
            }
        }
    }

    fn start(&mut self) {
        if self.status == Status::Programmed {
            self.status = Status::Running;
        }
    }

    fn irq(&mut self) -> IrqStatus {
        let s = match self.status {
            Status::Done(n) => IrqStatus::Done { slice_bytes: n },
            Status::Failed(f) => IrqStatus::Failed(f),
            _ => return IrqStatus::NotMine,
        };
        self.status = Status::Idle;
        self.job = None;
        s
    }

    fn timeout_ms(&self, job: &JobDesc) -> u32 {
        // Four times the model, plus room for a slow CPU running the core
        // (about 5 us per macroblock on an emulated one).
        let mbs = job.picture.mb_count() as u64;
        let ns = self.delay.delay_ns(mbs as u32) * 4 + mbs * 20_000;
        (h264::ratecontrol::div_u64(ns, 1_000_000) + 500).min(u64::from(u32::MAX)) as u32
    }

    fn reset(&mut self) {
        self.status = Status::Idle;
        self.job = None;
    }
}
