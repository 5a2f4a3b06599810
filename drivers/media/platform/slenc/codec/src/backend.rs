// SPDX-License-Identifier: GPL-2.0
//! The hardware-backend trait: what the driver core asks of whatever
//! encodes the macroblocks (a SoC encoder's registers, or the virtual
//! engine).
//!
//! A job goes through the same steps on every backend, the way a stateless
//! codec's hardware is driven:
//!
//! 1. [`Backend::program`] from `device_run` (process or workqueue context,
//!    may not sleep for long): the job's parameters and the DMA addresses of
//!    its buffers go to the hardware (registers, or a descriptor for the
//!    virtual engine's worker).
//! 2. [`Backend::start`]: the hardware is kicked (an enable bit).
//! 3. The hardware finishes and raises its interrupt; the driver's handler
//!    calls [`Backend::irq`], which reads and acknowledges the status and
//!    says how the job ended ([`IrqStatus`]).
//! 4. Without an interrupt within [`Backend::timeout_ms`] the driver's
//!    watchdog calls [`Backend::reset`] (the job fails with
//!    [`JobFailure::Timeout`]); the next job starts from a clean engine.
//!
//! The driver serialises these calls (one job in flight per device, the
//! interrupt handler and the watchdog under the lock that protects the
//! hardware), so the trait takes `&mut self`. Nothing here allocates or
//! sleeps; `irq` is safe in hard interrupt context.

use crate::engine::JobDesc;

/// What a backend can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// The hardware writes the slice header itself from
    /// [`JobDesc::slice`]; otherwise the driver writes it into the CAPTURE
    /// buffer and the hardware continues the NAL unit from
    /// [`JobDesc::resume`].
    pub writes_slice_header: bool,
    /// Largest width, luma samples.
    pub max_width: u32,
    /// Largest height, luma samples.
    pub max_height: u32,
}

/// Why a job failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobFailure {
    /// The bitstream did not fit in the CAPTURE buffer.
    BufferFull,
    /// The hardware reported an error (bus error, bad parameters).
    Hardware,
    /// No completion in time; the backend was reset.
    Timeout,
    /// The job was not run (streaming stopped, or the memory given does not
    /// match the job).
    Cancelled,
}

/// The status read by the interrupt handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqStatus {
    /// Not raised by this device (shared line), or no job running.
    NotMine,
    /// The job ended: `slice_bytes` of slice NAL unit were written after
    /// [`JobDesc::header_len`].
    Done {
        /// Bytes written from `header_len` on.
        slice_bytes: usize,
    },
    /// The job failed.
    Failed(JobFailure),
}

/// A hardware backend.
pub trait Backend {
    /// How the job's memory is described to the hardware: DMA addresses
    /// for a SoC encoder, nothing for the virtual engine (whose worker
    /// reads the buffers through the CPU when it runs).
    type Mem: ?Sized;

    /// Capabilities.
    fn caps(&self) -> Caps;

    /// Programs one job. Must not start it.
    fn program(&mut self, job: &JobDesc, mem: &Self::Mem) -> Result<(), JobFailure>;

    /// Starts the programmed job.
    fn start(&mut self);

    /// Reads and acknowledges the interrupt status.
    fn irq(&mut self) -> IrqStatus;

    /// How long `job` may take before the driver gives up, milliseconds.
    fn timeout_ms(&self, job: &JobDesc) -> u32;

    /// Stops whatever runs and returns to idle (after a timeout, at
    /// `STREAMOFF`, before power-down).
    fn reset(&mut self);
}
