// SPDX-License-Identifier: GPL-2.0

//! videobuf2 queues.
//!
//! C headers: [`include/media/videobuf2-core.h`](srctree/include/media/videobuf2-core.h),
//! [`include/media/videobuf2-v4l2.h`](srctree/include/media/videobuf2-v4l2.h),
//! [`include/media/videobuf2-dma-contig.h`](srctree/include/media/videobuf2-dma-contig.h)
//!
//! A [`Queue`] is the C `struct vb2_queue` of a video node: user space
//! allocates (MMAP) or imports (DMABUF) buffers on it, queues them, and the
//! driver fills (capture) or consumes (output) them. The driver implements
//! [`QueueOps`]; videobuf2 implements the buffer ioctls and file operations
//! itself.
//!
//! # Buffers owned by the driver
//!
//! Between `buf_queue` and its completion a buffer belongs to the driver.
//! The driver holds it as an [`ActiveBuffer`], a token it gives back with
//! [`Queue::buffer_done`] (from any context, the interrupt handler
//! included). Unless the driver implements [`QueueOps::buf_queue`], queued
//! buffers wait in a first-in first-out list of the queue, from which the
//! driver takes them with [`Queue::next_queued`].
//!
//! When streaming stops (or fails to start), the abstraction returns every
//! buffer the driver still owns to videobuf2, after the driver's
//! `stop_streaming` (or failed `start_streaming`), as videobuf2 requires.
//! Tokens the driver kept become stale: each belongs to one streaming
//! session (an *epoch*), and [`Queue::buffer_done`] ignores a token of a
//! past session. A driver therefore cannot complete a buffer twice, nor
//! one it does not own, nor one that videobuf2 freed.

use crate::{
    bindings, container_of,
    device::{self, Bound},
    error::from_result,
    ffi::{c_int, c_uint, c_void},
    new_spinlock_irq,
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    sync_ext::SpinLockIrq,
    types::Opaque,
};
use core::{cell::UnsafeCell, marker::PhantomData, ptr::NonNull};

/// The type of the buffers of a queue (`enum v4l2_buf_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum BufType {
    /// Single-plane video capture.
    VideoCapture = bindings::v4l2_buf_type_V4L2_BUF_TYPE_VIDEO_CAPTURE,
    /// Single-plane video output.
    VideoOutput = bindings::v4l2_buf_type_V4L2_BUF_TYPE_VIDEO_OUTPUT,
    /// Multi-plane video capture.
    VideoCaptureMplane = bindings::v4l2_buf_type_V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
    /// Multi-plane video output.
    VideoOutputMplane = bindings::v4l2_buf_type_V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE,
    /// Metadata capture.
    MetaCapture = bindings::v4l2_buf_type_V4L2_BUF_TYPE_META_CAPTURE,
    /// Metadata output.
    MetaOutput = bindings::v4l2_buf_type_V4L2_BUF_TYPE_META_OUTPUT,
}

impl BufType {
    /// The type of the `V4L2_BUF_TYPE_*` value `raw`, if it is one of
    /// these.
    pub fn from_raw(raw: u32) -> Option<Self> {
        [
            Self::VideoCapture,
            Self::VideoOutput,
            Self::VideoCaptureMplane,
            Self::VideoOutputMplane,
            Self::MetaCapture,
            Self::MetaOutput,
        ]
        .into_iter()
        .find(|t| *t as u32 == raw)
    }

    /// Whether buffers of this type go from the device to memory.
    pub const fn is_capture(self) -> bool {
        matches!(
            self,
            Self::VideoCapture | Self::VideoCaptureMplane | Self::MetaCapture
        )
    }
}

/// How user space may get at the buffers of a queue (`VB2_*` I/O modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoModes(u32);

impl IoModes {
    /// Buffers allocated by the driver and mapped by user space.
    pub const MMAP: Self = Self(bindings::vb2_io_modes_VB2_MMAP);
    /// Buffers imported as DMA-BUF file descriptors.
    pub const DMABUF: Self = Self(bindings::vb2_io_modes_VB2_DMABUF);
    /// Buffers in user space memory (`V4L2_MEMORY_USERPTR`).
    pub const USERPTR: Self = Self(bindings::vb2_io_modes_VB2_USERPTR);
    /// `read()` emulated on top of streaming.
    pub const READ: Self = Self(bindings::vb2_io_modes_VB2_READ);

    /// The `VB2_*` bits.
    pub const fn as_raw(self) -> u32 {
        self.0
    }
}

impl core::ops::BitOr for IoModes {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// Where the memory of buffers comes from and how the device reaches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Memory {
    /// Physically contiguous memory mapped for DMA (`vb2_dma_contig`); each
    /// plane has one DMA address ([`ActiveBuffer::dma_addr`]).
    DmaContig,
    /// Virtually contiguous kernel memory (`vb2_vmalloc`), for devices the
    /// CPU feeds.
    Vmalloc,
}

/// Where the timestamps of a queue's buffers come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timestamp {
    /// The driver stamps each buffer with the monotonic clock
    /// (`V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC`), e.g. at frame start.
    Monotonic,
    /// Copied from the output buffer a capture buffer was made from
    /// (`V4L2_BUF_FLAG_TIMESTAMP_COPY`), for memory-to-memory devices.
    Copy,
}

/// The set-up of a queue.
#[derive(Clone, Copy, Debug)]
pub struct QueueConfig {
    /// The buffer type.
    pub buf_type: BufType,
    /// The I/O modes user space may use.
    pub io_modes: IoModes,
    /// The memory allocator.
    pub memory: Memory,
    /// The timestamp source.
    pub timestamp: Timestamp,
    /// Buffers that must be queued before streaming can start (the driver
    /// needs that many to run).
    pub min_queued_buffers: u32,
}

impl QueueConfig {
    /// A capture queue of `buf_type` with MMAP and DMABUF buffers in
    /// DMA-contiguous memory, monotonic timestamps, and `min_queued`
    /// buffers needed to start.
    pub const fn dma_contig_capture(buf_type: BufType, min_queued: u32) -> Self {
        Self {
            buf_type,
            io_modes: IoModes(IoModes::MMAP.0 | IoModes::DMABUF.0),
            memory: Memory::DmaContig,
            timestamp: Timestamp::Monotonic,
            min_queued_buffers: min_queued,
        }
    }
}

/// What the driver does for a queue (`struct vb2_ops`), implemented by the
/// data of the video node the queue belongs to.
///
/// Every callback runs with the node's lock held and gets the parent device
/// of the node, bound while the node is registered. None runs after the
/// node was unregistered.
#[vtable]
pub trait QueueOps: Sized + Send + Sync + 'static {
    /// How many planes a buffer has and their sizes (`queue_setup`): set
    /// them with [`Setup::set_planes`]. For `VIDIOC_CREATE_BUFS` user space
    /// proposes sizes ([`Setup::requested_sizes`]), which must be checked.
    fn queue_setup(this: &Self, q: &Queue, setup: &mut Setup<'_>) -> Result;

    /// Checks a buffer before it is queued (`buf_prepare`), and sets its
    /// payload.
    fn buf_prepare(_this: &Self, _q: &Queue, _buf: &mut Prepare<'_>) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Takes a buffer the driver now owns (`buf_queue`). Without it, the
    /// buffer waits in the queue's list ([`Queue::next_queued`]).
    fn buf_queue(_this: &Self, _q: &Queue, _buf: ActiveBuffer) {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Starts streaming (`start_streaming`); at least the configured
    /// minimum of buffers is queued. On error the buffers the driver owns
    /// are given back to user space as queued.
    fn start_streaming(
        this: &Self,
        q: &Queue,
        parent: &device::Device<Bound>,
        count: u32,
    ) -> Result;

    /// Stops streaming (`stop_streaming`): the hardware must not write any
    /// buffer once this returns. The buffers the driver owns are then
    /// returned to user space as errored.
    fn stop_streaming(this: &Self, q: &Queue, parent: &device::Device<Bound>);
}

/// The number of planes and their sizes, in `queue_setup`.
pub struct Setup<'a> {
    num_buffers: &'a mut c_uint,
    num_planes: &'a mut c_uint,
    sizes: &'a mut [c_uint],
}

impl Setup<'_> {
    /// The number of buffers user space asked for.
    pub fn num_buffers(&self) -> u32 {
        *self.num_buffers
    }

    /// Changes the number of buffers to allocate.
    pub fn set_num_buffers(&mut self, n: u32) {
        *self.num_buffers = n;
    }

    /// The plane sizes user space proposed (`VIDIOC_CREATE_BUFS`), if any.
    pub fn requested_sizes(&self) -> Option<&[u32]> {
        let n = *self.num_planes as usize;
        if n == 0 {
            None
        } else {
            self.sizes.get(..n)
        }
    }

    /// Sets the planes and their sizes in bytes: `EINVAL` for no plane or
    /// more planes than videobuf2 handles.
    pub fn set_planes(&mut self, sizes: &[u32]) -> Result {
        if sizes.is_empty() || sizes.len() > self.sizes.len() {
            return Err(EINVAL);
        }
        self.sizes[..sizes.len()].copy_from_slice(sizes);
        *self.num_planes = sizes.len() as c_uint;
        Ok(())
    }
}

/// A buffer being prepared (`buf_prepare`).
pub struct Prepare<'a> {
    vb: *mut bindings::vb2_buffer,
    memory: Memory,
    _p: PhantomData<&'a mut bindings::vb2_buffer>,
}

impl Prepare<'_> {
    /// The buffer's index in its queue.
    pub fn index(&self) -> u32 {
        // SAFETY: `vb` is valid while `self` lives.
        unsafe { (*self.vb).index }
    }

    /// The number of planes.
    pub fn num_planes(&self) -> u32 {
        // SAFETY: `vb` is valid while `self` lives.
        unsafe { (*self.vb).num_planes }
    }

    /// The size in bytes of plane `plane` (0 if there is no such plane).
    pub fn plane_size(&self, plane: u32) -> usize {
        plane_size(self.vb, plane)
    }

    /// Sets the bytes used in plane `plane`: `EINVAL` if there is no such
    /// plane or it is smaller.
    pub fn set_payload(&mut self, plane: u32, bytes: usize) -> Result {
        if plane >= self.num_planes() || bytes > self.plane_size(plane) {
            return Err(EINVAL);
        }
        // SAFETY: `plane` is a plane of `vb`, which is ours while `self`
        // lives; `bytes` fits (so the C helper does not warn).
        unsafe { (*self.vb).planes[plane as usize].bytesused = bytes as c_uint };
        Ok(())
    }

    /// The DMA address of plane `plane`, for DMA-contiguous queues.
    pub fn dma_addr(&self, plane: u32) -> Option<bindings::dma_addr_t> {
        dma_addr(self.vb, self.memory, plane)
    }

    /// The field order (`enum v4l2_field`) user space gave, for buffers of
    /// OUTPUT queues.
    pub fn field(&self) -> u32 {
        // SAFETY: `vb` is valid while `self` lives, and allocated as a
        // `vb2_v4l2_buffer` (every buffer of our queues is a `Buffer`).
        unsafe { (*container_of!(self.vb, bindings::vb2_v4l2_buffer, vb2_buf)).field }
    }

    /// Sets the field order of the buffer, e.g. `FIELD_NONE` for an OUTPUT
    /// buffer queued with `FIELD_ANY` (user space gets it back from
    /// `VIDIOC_QBUF`).
    pub fn set_field(&mut self, field: u32) {
        // SAFETY: As in `field`; the buffer is ours while it is prepared.
        unsafe { (*container_of!(self.vb, bindings::vb2_v4l2_buffer, vb2_buf)).field = field };
    }
}

fn plane_size(vb: *mut bindings::vb2_buffer, plane: u32) -> usize {
    // SAFETY: The caller's `vb` is a valid buffer.
    unsafe {
        if plane < (*vb).num_planes {
            (*vb).planes[plane as usize].length as usize
        } else {
            0
        }
    }
}

fn dma_addr(
    vb: *mut bindings::vb2_buffer,
    memory: Memory,
    plane: u32,
) -> Option<bindings::dma_addr_t> {
    if memory != Memory::DmaContig {
        return None;
    }
    // SAFETY: `vb` is a valid buffer whose memory is allocated or mapped
    // (it is being prepared or queued); the cookie of a `vb2_dma_contig`
    // plane is a pointer to its DMA address (`vb2_dma_contig_plane_dma_addr`).
    unsafe {
        if plane >= (*vb).num_planes {
            return None;
        }
        let cookie = bindings::vb2_plane_cookie(vb, plane).cast::<bindings::dma_addr_t>();
        if cookie.is_null() {
            None
        } else {
            Some(*cookie)
        }
    }
}

/// A buffer the driver owns, from `buf_queue` until it is completed with
/// [`Queue::buffer_done`].
///
/// # Invariants
///
/// `vb` was queued to the driver in the session `epoch` of its queue.
/// While the queue's epoch is `epoch` (checked under the queue's lock),
/// `vb` is active (owned by the driver) and valid.
pub struct ActiveBuffer {
    vb: NonNull<bindings::vb2_buffer>,
    epoch: u64,
    index: u32,
    dma: Option<bindings::dma_addr_t>,
}

// SAFETY: The buffer pointer is only dereferenced under the queue's lock,
// after checking the epoch; the rest is plain data.
unsafe impl Send for ActiveBuffer {}
// SAFETY: `&ActiveBuffer` gives access to plain data only.
unsafe impl Sync for ActiveBuffer {}

impl ActiveBuffer {
    /// The buffer's index in its queue.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The DMA address of the first plane, for DMA-contiguous queues.
    pub fn dma_addr(&self) -> Option<bindings::dma_addr_t> {
        self.dma
    }

    /// The bytes user space says it used in plane `plane` (its payload),
    /// for buffers of OUTPUT queues; 0 if there is no such plane.
    ///
    /// The buffer must be active (the caller's job).
    pub(crate) fn payload(&self, plane: u32) -> usize {
        let vb = self.vb.as_ptr();
        // SAFETY: The token's buffer is valid while it is active; a stale
        // token's buffer may be freed, so this reads only under the
        // invariant's condition, which the callers of this abstraction
        // (the mem2mem job, whose buffers stay allocated while it runs)
        // establish; `bytesused` is set by videobuf2 before `buf_queue`.
        unsafe {
            if plane < (*vb).num_planes {
                (*vb).planes[plane as usize].bytesused as usize
            } else {
                0
            }
        }
    }

    /// The kernel address and length of plane `plane`, if the buffer's
    /// memory is mapped in the kernel (`vb2_plane_vaddr()`).
    ///
    /// The buffer must be active and its queue's memory stay allocated
    /// while the result is used (the caller's job).
    pub(crate) fn cpu_plane(&self, plane: u32) -> Option<(*mut u8, usize)> {
        let vb = self.vb.as_ptr();
        // SAFETY: As in `payload`: the callers use this only for buffers
        // they checked to be active, whose memory stays allocated.
        unsafe {
            if plane >= (*vb).num_planes {
                return None;
            }
            let p = bindings::vb2_plane_vaddr(vb, plane).cast::<u8>();
            if p.is_null() {
                return None;
            }
            Some((p, (*vb).planes[plane as usize].length as usize))
        }
    }

    /// The `struct vb2_v4l2_buffer` of the buffer.
    pub(crate) fn v4l2_raw(&self) -> *mut bindings::vb2_v4l2_buffer {
        // SAFETY: Every buffer of our queues is allocated as a `Buffer`,
        // whose `vb2_buf` is in a `vb2_v4l2_buffer`; this computes an
        // address only.
        unsafe { container_of!(self.vb.as_ptr(), bindings::vb2_v4l2_buffer, vb2_buf) }
    }
}

/// The state a driver gives a buffer back in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoneState {
    /// Filled (capture) or consumed (output).
    Done,
    /// Not (completely) filled or consumed; user space gets it with
    /// `V4L2_BUF_FLAG_ERROR`.
    Error,
}

/// How a buffer is completed: state, sequence number, timestamp and field.
///
/// # Examples
///
/// ```
/// use kernel::media::vb2::{Done, DoneState};
///
/// let d = Done::new(7).timestamp_ns(1_000_000);
/// assert_eq!(d.state, DoneState::Done);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Done {
    /// The state.
    pub state: DoneState,
    /// The frame sequence number.
    pub sequence: u32,
    /// The timestamp in nanoseconds of the queue's clock; `None` leaves the
    /// buffer's (copied) timestamp.
    pub timestamp_ns: Option<u64>,
    /// `enum v4l2_field` of the data.
    pub field: u32,
    /// Bytes used in the first plane, if it changes from what
    /// `buf_prepare` set.
    pub payload: Option<usize>,
    /// Frame type flags to set (`V4L2_BUF_FLAG_KEYFRAME`, `_PFRAME`,
    /// `_BFRAME`; other bits are ignored), for coded streams.
    pub frame_flags: u32,
}

/// The frame type flags [`Done::frame_flags`] may carry.
pub const FRAME_FLAGS: u32 = bindings::V4L2_BUF_FLAG_KEYFRAME
    | bindings::V4L2_BUF_FLAG_PFRAME
    | bindings::V4L2_BUF_FLAG_BFRAME;

impl Done {
    /// A filled buffer of frame `sequence`, progressive.
    pub const fn new(sequence: u32) -> Self {
        Self {
            state: DoneState::Done,
            sequence,
            timestamp_ns: None,
            field: bindings::v4l2_field_V4L2_FIELD_NONE,
            payload: None,
            frame_flags: 0,
        }
    }

    /// An errored buffer of frame `sequence`.
    pub const fn error(sequence: u32) -> Self {
        Self {
            state: DoneState::Error,
            ..Self::new(sequence)
        }
    }

    /// Sets the timestamp.
    pub const fn timestamp_ns(mut self, ns: u64) -> Self {
        self.timestamp_ns = Some(ns);
        self
    }

    /// Sets the field.
    pub const fn field(mut self, field: u32) -> Self {
        self.field = field;
        self
    }

    /// Sets the frame type flags (see [`Done::frame_flags`]).
    pub const fn buf_flags(mut self, flags: u32) -> Self {
        self.frame_flags = flags & FRAME_FLAGS;
        self
    }
}

/// What videobuf2 allocates for every buffer (`buf_struct_size`): the
/// V4L2 buffer and the link of the queue's list.
#[repr(C)]
struct Buffer {
    vb: bindings::vb2_v4l2_buffer,
    next: *mut Buffer,
}

/// The buffers waiting for the driver, and the current session.
struct Waiting {
    epoch: u64,
    head: *mut Buffer,
    tail: *mut Buffer,
}

// SAFETY: The pointers are buffers of the queue, only used under the lock.
unsafe impl Send for Waiting {}

/// Epochs are unique over all queues, so that a token of one queue is
/// never valid for another.
static NEXT_EPOCH: Atomic<u64> = Atomic::new(1);

fn next_epoch() -> u64 {
    NEXT_EPOCH.fetch_add(1, Relaxed)
}

/// What the abstraction keeps for a queue, beside it (its `drv_priv`).
///
/// # Invariants
///
/// `drv` is the driver's data (`*const T` of the [`QueueOps`] the queue was
/// set up with) whenever videobuf2 may call an operation, null otherwise;
/// it is only written while no operation can run.
#[pin_data]
pub(crate) struct QueueState {
    #[pin]
    waiting: SpinLockIrq<Waiting>,
    drv: UnsafeCell<*const c_void>,
    parent: *mut bindings::device,
    memory: Memory,
}

// SAFETY: `waiting` is locked; `drv` is written only while no other thread
// reads it (see the invariants); the rest is constant.
unsafe impl Send for QueueState {}
// SAFETY: Idem.
unsafe impl Sync for QueueState {}

impl QueueState {
    pub(crate) fn new(parent: *mut bindings::device, memory: Memory) -> impl PinInit<Self> {
        pin_init!(Self {
            waiting <- new_spinlock_irq!(
                Waiting {
                    epoch: next_epoch(),
                    head: core::ptr::null_mut(),
                    tail: core::ptr::null_mut(),
                },
                "vb2_waiting"
            ),
            drv: UnsafeCell::new(core::ptr::null()),
            parent,
            memory,
        })
    }

    /// Sets the driver data.
    ///
    /// # Safety
    ///
    /// No queue operation runs or can start (the queue is not reachable
    /// from user space yet, or its lock is held after unregistration).
    pub(crate) unsafe fn set_drv(&self, drv: *const c_void) {
        // SAFETY: No concurrent reader (the caller's promise).
        unsafe { *self.drv.get() = drv };
    }
}

/// The operations of a queue after its node was unregistered: none, so
/// that nothing can reach the driver through a file still open.
static NO_OPS: bindings::vb2_ops = bindings::vb2_ops {
    queue_setup: None,
    buf_out_validate: None,
    buf_init: None,
    buf_prepare: None,
    buf_finish: None,
    buf_cleanup: None,
    prepare_streaming: None,
    start_streaming: None,
    stop_streaming: None,
    unprepare_streaming: None,
    buf_queue: None,
    buf_request_complete: None,
};

/// A videobuf2 queue (`struct vb2_queue`) set up by this module.
///
/// # Invariants
///
/// `self.0` is a queue initialised by [`init`], whose `drv_priv` is a
/// [`QueueState`] that lives as long as the queue.
#[repr(transparent)]
pub struct Queue(Opaque<bindings::vb2_queue>);

// SAFETY: The queue's state is protected by its locks (the node lock for
// what videobuf2 does, the `QueueState` lock for the buffers the driver
// owns).
unsafe impl Send for Queue {}
// SAFETY: Idem.
unsafe impl Sync for Queue {}

impl Queue {
    /// # Safety
    ///
    /// `ptr` is a queue initialised by [`init`], valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::vb2_queue) -> &'a Self {
        // SAFETY: `Queue` is transparent; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// The C `struct vb2_queue`.
    pub(crate) fn as_raw(&self) -> *mut bindings::vb2_queue {
        self.0.get()
    }

    fn state(&self) -> &QueueState {
        // SAFETY: By the type invariant `drv_priv` is a `QueueState` that
        // lives as long as the queue.
        unsafe { &*(*self.as_raw()).drv_priv.cast::<QueueState>() }
    }

    /// The buffer type.
    pub fn buf_type(&self) -> Option<BufType> {
        // SAFETY: `type_` is constant after initialisation.
        BufType::from_raw(unsafe { (*self.as_raw()).type_ })
    }

    /// Whether buffers are allocated on the queue (`vb2_is_busy()`): the
    /// format cannot change then. Meaningful with the node's lock held, as
    /// it is in every ioctl and queue operation.
    pub fn is_busy(&self) -> bool {
        // SAFETY: `is_busy` is a bit set and cleared by videobuf2 under the
        // node's lock; reading it is a plain load.
        unsafe { (*self.as_raw()).is_busy() != 0 }
    }

    /// Takes the oldest buffer queued to the driver, if any (for drivers
    /// without their own [`QueueOps::buf_queue`]).
    pub fn next_queued(&self) -> Option<ActiveBuffer> {
        let st = self.state();
        let mut w = st.waiting.lock();
        let b = w.head;
        if b.is_null() {
            return None;
        }
        // SAFETY: Buffers in the list are active and valid in the current
        // epoch (the list is emptied when the epoch changes).
        unsafe {
            w.head = (*b).next;
            if w.head.is_null() {
                w.tail = core::ptr::null_mut();
            }
            (*b).next = core::ptr::null_mut();
        }
        // SAFETY: Idem.
        Some(unsafe { token(b, w.epoch, st.memory) })
    }

    /// Whether `buf` is a buffer of this queue owned by the driver in the
    /// current streaming session.
    pub fn is_current(&self, buf: &ActiveBuffer) -> bool {
        let w = self.state().waiting.lock();
        // SAFETY: While the epoch matches (under the lock), the buffer is
        // valid (type invariant of `ActiveBuffer`).
        w.epoch == buf.epoch && unsafe { (*buf.vb.as_ptr()).vb2_queue } == self.as_raw()
    }

    /// Whether buffers wait in the queue's list.
    pub fn has_queued(&self) -> bool {
        !self.state().waiting.lock().head.is_null()
    }

    /// Completes `buf` as `done` says. Returns `false` (and does nothing)
    /// if the buffer is no longer the driver's: its streaming session
    /// ended.
    pub fn buffer_done(&self, buf: ActiveBuffer, done: Done) -> bool {
        let st = self.state();
        let w = st.waiting.lock();
        if w.epoch != buf.epoch {
            return false;
        }
        let vb = buf.vb.as_ptr();
        // SAFETY: The epoch matches under the lock: by the invariants of
        // `ActiveBuffer` the buffer is active, owned by the driver, valid,
        // and allocated as a `Buffer` (so a `vb2_v4l2_buffer`).
        unsafe {
            let vbuf = container_of!(vb, bindings::vb2_v4l2_buffer, vb2_buf);
            (*vbuf).sequence = done.sequence;
            (*vbuf).field = done.field;
            (*vbuf).flags = ((*vbuf).flags & !FRAME_FLAGS) | (done.frame_flags & FRAME_FLAGS);
            if let Some(ts) = done.timestamp_ns {
                (*vb).timestamp = ts;
            }
            if let Some(bytes) = done.payload {
                if (*vb).num_planes > 0 && bytes <= plane_size(vb, 0) {
                    (*vb).planes[0].bytesused = bytes as c_uint;
                }
            }
            let state = match done.state {
                DoneState::Done => bindings::vb2_buffer_state_VB2_BUF_STATE_DONE,
                DoneState::Error => bindings::vb2_buffer_state_VB2_BUF_STATE_ERROR,
            };
            bindings::vb2_buffer_done(vb, state);
        }
        drop(w);
        true
    }

    /// Marks the queue as failed (`vb2_queue_error()`): waiting and later
    /// `VIDIOC_DQBUF`/`VIDIOC_QBUF` fail with `EIO` until streaming is
    /// stopped. For a device that can no longer deliver, e.g. when its
    /// source went away.
    pub fn set_error(&self) {
        // SAFETY: The queue is valid; `vb2_queue_error` sets a bit and
        // wakes the waiters.
        unsafe { bindings::vb2_queue_error(self.as_raw()) };
    }

    /// Gives every buffer the driver owns back to videobuf2 in `state` and
    /// starts a new epoch. Called with the node lock held, from the
    /// streaming operations.
    fn return_all(&self, state: bindings::vb2_buffer_state) {
        let q = self.as_raw();
        let st = self.state();
        let mut w = st.waiting.lock();
        w.epoch = next_epoch();
        w.head = core::ptr::null_mut();
        w.tail = core::ptr::null_mut();
        // SAFETY: Called by videobuf2's streaming path with the node lock
        // held, so the buffers are not freed meanwhile; active buffers are
        // the driver's, and no token can complete them concurrently (the
        // epoch changed under the lock we hold).
        unsafe {
            for i in 0..(*q).max_num_buffers {
                let vb = bindings::vb2_get_buffer(q, i);
                if !vb.is_null() && (*vb).state == bindings::vb2_buffer_state_VB2_BUF_STATE_ACTIVE {
                    bindings::vb2_buffer_done(vb, state);
                }
            }
        }
    }
}

/// Makes the token of `b`.
///
/// # Safety
///
/// `b` is active, owned by the driver in epoch `epoch`.
unsafe fn token(b: *mut Buffer, epoch: u64, memory: Memory) -> ActiveBuffer {
    // SAFETY: `b` is a valid `Buffer` (the caller's promise), whose first
    // field's first field is the `vb2_buffer`.
    let vb = unsafe { &raw mut (*b).vb.vb2_buf };
    // INVARIANT: By the caller's promise.
    ActiveBuffer {
        // SAFETY: `vb` is derived from a valid pointer.
        vb: unsafe { NonNull::new_unchecked(vb) },
        epoch,
        // SAFETY: `vb` is valid.
        index: unsafe { (*vb).index },
        dma: dma_addr(vb, memory, 0),
    }
}

/// The driver data and parent device of queue `q`.
///
/// # Safety
///
/// `q` is a queue set up by [`init`] for `T`, and videobuf2 is calling one
/// of its operations (so the node is registered or being unregistered, and
/// `drv` is set).
unsafe fn context<'a, T>(
    q: *mut bindings::vb2_queue,
) -> (&'a T, &'a Queue, &'a device::Device<Bound>) {
    // SAFETY: As the caller promises; the parent is bound while the node
    // is registered (the node is unregistered from the parent's unbind).
    unsafe {
        let queue = Queue::from_raw(q);
        let st = queue.state();
        let this = &*(*st.drv.get()).cast::<T>();
        let parent = <device::Device>::from_raw(st.parent).as_bound();
        (this, queue, parent)
    }
}

/// The C operations of a queue of `T`.
struct Adapter<T>(PhantomData<T>);

impl<T: QueueOps> Adapter<T> {
    const OPS: bindings::vb2_ops = bindings::vb2_ops {
        queue_setup: Some(Self::queue_setup),
        buf_out_validate: None,
        buf_init: None,
        buf_prepare: if T::HAS_BUF_PREPARE {
            Some(Self::buf_prepare)
        } else {
            None
        },
        buf_finish: None,
        buf_cleanup: None,
        prepare_streaming: None,
        start_streaming: Some(Self::start_streaming),
        stop_streaming: Some(Self::stop_streaming),
        unprepare_streaming: None,
        buf_queue: Some(Self::buf_queue),
        buf_request_complete: None,
    };

    /// # Safety
    ///
    /// Called by videobuf2 as `queue_setup` of a queue set up for `T`.
    unsafe extern "C" fn queue_setup(
        q: *mut bindings::vb2_queue,
        num_buffers: *mut c_uint,
        num_planes: *mut c_uint,
        sizes: *mut c_uint,
        _alloc_devs: *mut *mut bindings::device,
    ) -> c_int {
        // SAFETY: As videobuf2 promises for `queue_setup`.
        let (this, queue, _) = unsafe { context::<T>(q) };
        // SAFETY: videobuf2 passes valid pointers; `sizes` has
        // `VB2_MAX_PLANES` elements.
        let mut setup = unsafe {
            Setup {
                num_buffers: &mut *num_buffers,
                num_planes: &mut *num_planes,
                sizes: core::slice::from_raw_parts_mut(sizes, bindings::VB2_MAX_PLANES as usize),
            }
        };
        from_result(|| {
            T::queue_setup(this, queue, &mut setup)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by videobuf2 as `buf_prepare` of a queue set up for `T`.
    unsafe extern "C" fn buf_prepare(vb: *mut bindings::vb2_buffer) -> c_int {
        // SAFETY: `vb` is a valid buffer of a queue set up for `T`.
        let (this, queue, _) = unsafe { context::<T>((*vb).vb2_queue) };
        let mut prep = Prepare {
            vb,
            memory: queue.state().memory,
            _p: PhantomData,
        };
        from_result(|| {
            T::buf_prepare(this, queue, &mut prep)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by videobuf2 as `buf_queue` of a queue set up for `T`.
    unsafe extern "C" fn buf_queue(vb: *mut bindings::vb2_buffer) {
        // SAFETY: `vb` is a valid buffer of a queue set up for `T`.
        let (this, queue, _) = unsafe { context::<T>((*vb).vb2_queue) };
        let st = queue.state();
        // SAFETY: `vb` is the first field of the `vb2_v4l2_buffer` first in
        // the `Buffer` videobuf2 allocated (`buf_struct_size`).
        let b = unsafe { container_of!(vb, bindings::vb2_v4l2_buffer, vb2_buf) }.cast::<Buffer>();
        let mut w = st.waiting.lock();
        // SAFETY: videobuf2 just made the buffer active and hands it to the
        // driver, in the current epoch.
        let tok = unsafe { token(b, w.epoch, st.memory) };
        if T::HAS_BUF_QUEUE {
            drop(w);
            T::buf_queue(this, queue, tok);
        } else {
            // SAFETY: `b` is active and not in the list; the list is only
            // changed under the lock.
            unsafe {
                (*b).next = core::ptr::null_mut();
                if w.tail.is_null() {
                    w.head = b;
                } else {
                    (*w.tail).next = b;
                }
            }
            w.tail = b;
        }
    }

    /// # Safety
    ///
    /// Called by videobuf2 as `start_streaming` of a queue set up for `T`.
    unsafe extern "C" fn start_streaming(q: *mut bindings::vb2_queue, count: c_uint) -> c_int {
        // SAFETY: As videobuf2 promises for `start_streaming`.
        let (this, queue, parent) = unsafe { context::<T>(q) };
        match T::start_streaming(this, queue, parent, count) {
            Ok(()) => 0,
            Err(e) => {
                queue.return_all(bindings::vb2_buffer_state_VB2_BUF_STATE_QUEUED);
                e.to_errno()
            }
        }
    }

    /// # Safety
    ///
    /// Called by videobuf2 as `stop_streaming` of a queue set up for `T`.
    unsafe extern "C" fn stop_streaming(q: *mut bindings::vb2_queue) {
        // SAFETY: As videobuf2 promises for `stop_streaming`.
        let (this, queue, parent) = unsafe { context::<T>(q) };
        T::stop_streaming(this, queue, parent);
        queue.return_all(bindings::vb2_buffer_state_VB2_BUF_STATE_ERROR);
    }
}

/// Sets up the queue `q` for `T` and initialises it (`vb2_queue_init`).
///
/// # Safety
///
/// `q` is zeroed and does not move; `state` lives as long as `q` and does
/// not move; `lock` is a mutex that lives as long as `q`; `parent` is a
/// device that outlives the queue's buffers (the video node holds a
/// reference).
pub(crate) unsafe fn init<T: QueueOps>(
    q: *mut bindings::vb2_queue,
    state: *const QueueState,
    lock: *mut bindings::mutex,
    parent: *mut bindings::device,
    cfg: &QueueConfig,
) -> Result {
    if cfg.min_queued_buffers > bindings::VB2_MAX_FRAME {
        return Err(EINVAL);
    }
    // SAFETY: `q` is valid and ours (the caller's promise); the operation
    // tables are `'static`.
    unsafe {
        (*q).type_ = cfg.buf_type as c_uint;
        (*q).io_modes = cfg.io_modes.as_raw();
        (*q).dev = parent;
        (*q).drv_priv = state.cast_mut().cast();
        (*q).ops = &Adapter::<T>::OPS;
        (*q).mem_ops = match cfg.memory {
            Memory::DmaContig => &bindings::vb2_dma_contig_memops,
            Memory::Vmalloc => &bindings::vb2_vmalloc_memops,
        };
        (*q).buf_struct_size = core::mem::size_of::<Buffer>() as c_uint;
        (*q).timestamp_flags = match cfg.timestamp {
            Timestamp::Monotonic => bindings::V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC,
            Timestamp::Copy => bindings::V4L2_BUF_FLAG_TIMESTAMP_COPY,
        };
        (*q).min_queued_buffers = cfg.min_queued_buffers;
        (*q).lock = lock;
        crate::error::to_result(bindings::vb2_queue_init(q))
    }
}

/// Detaches the queue `q` from the driver after its node was unregistered:
/// no operation, no driver data.
///
/// # Safety
///
/// `q` was set up by [`init`]; videobuf2 released it (no buffer, not
/// streaming) and the node's lock is held, so no operation runs.
pub(crate) unsafe fn detach(q: *mut bindings::vb2_queue) {
    // SAFETY: As the caller promises.
    unsafe {
        (*q).ops = &NO_OPS;
        Queue::from_raw(q).state().set_drv(core::ptr::null());
    }
}

/// The monotonic clock in nanoseconds (`ktime_get_ns()`), the clock of
/// [`Timestamp::Monotonic`] queues. Any context.
pub fn monotonic_ns() -> u64 {
    // SAFETY: Reads the clock; callable from any context.
    let t = unsafe { bindings::ktime_get() };
    t.max(0) as u64
}
