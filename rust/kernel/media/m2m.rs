// SPDX-License-Identifier: GPL-2.0

//! Memory-to-memory (mem2mem) devices.
//!
//! C header: [`include/media/v4l2-mem2mem.h`](srctree/include/media/v4l2-mem2mem.h)
//!
//! A mem2mem device (a codec, a scaler) has one video node; every open file
//! of it is a *context* with two queues: OUTPUT (what user space gives the
//! device: raw pictures for an encoder) and CAPTURE (what the device gives
//! back: the coded stream). The V4L2 mem2mem core schedules *jobs*: when
//! both queues of a context stream and each has a buffer waiting (and the
//! driver says it is ready, [`ContextOps::job_ready`]), it runs the job
//! ([`ContextOps::device_run`]); one job runs at a time per device. The
//! driver completes the buffers and ends the job with [`Job::finish`]
//! (from any context, e.g. its worker).
//!
//! The device's driver data `T` implements [`Ops`]: it makes the driver's
//! data of every new context ([`Ops::open`]), of type [`Ops::Context`],
//! which implements [`ContextOps`] (the ioctls that depend on the context,
//! the jobs) and [`vb2::QueueOps`] for both its queues (which one is meant
//! is told by [`vb2::Queue::buf_type`]).
//!
//! Buffers queued by user space wait in their queue's list (the driver
//! implements no `buf_queue`): a job takes one of each with
//! [`Job::take_buffers`]. The mem2mem core's own ready lists are not used
//! (both queues are marked *buffered* for it), so its buffer helpers are
//! not offered.
//!
//! # Lifetime
//!
//! The C objects (the `video_device`, the `v4l2_m2m_dev`) are freed by a
//! release function of this module, not generic, when the last reference
//! to the node goes. A context's C objects (its `v4l2_fh`, its
//! `v4l2_m2m_ctx` and queues) live until its file is closed; the driver's
//! data of the context is dropped at close, or at unregistration if that
//! comes first: unregistration stops the jobs and streaming of every open
//! context, frees their buffers, detaches their queues from the driver and
//! drops the driver's context data, then drops the device's data. Files
//! still open after that reach C code only (closing, polling, mapping;
//! their ioctls fail with `ENODEV`). The close of a file runs this
//! module's code monomorphised for the driver, in the driver's module,
//! which cannot be unloaded while a file of the node is open (the node's
//! character device is owned by the driver's module).

use crate::{
    bindings, container_of,
    error::{from_err_ptr, from_result, to_result},
    ffi::{c_int, c_void},
    media::{
        ctrls,
        entity::Function,
        v4l2_device,
        vb2::{self, ActiveBuffer, Queue, QueueConfig, QueueOps, QueueState},
        video::{Capability, Caps, FmtDesc, Format, FrmSizeEnum},
    },
    prelude::*,
    sync::{aref::ARef, Arc, ArcBorrow},
    types::Opaque,
    ThisModule,
};
use core::{cell::UnsafeCell, marker::PhantomData, ptr::NonNull};

/// How a mem2mem node is set up.
#[derive(Clone, Copy)]
pub struct Config<'a> {
    /// The node's name (and the prefix of its media entities' names).
    pub name: &'a CStr,
    /// Its capabilities (`V4L2_CAP_VIDEO_M2M*` and `V4L2_CAP_STREAMING`).
    pub caps: Caps,
    /// The function of its processing entity in the media graph, e.g.
    /// [`Function::PROC_VIDEO_ENCODER`].
    pub function: Function,
    /// The OUTPUT queue of every context.
    pub output: QueueConfig,
    /// The CAPTURE queue of every context.
    pub capture: QueueConfig,
}

/// The driver's data of a mem2mem device.
#[vtable]
pub trait Ops: Sized + Send + Sync + 'static {
    /// The driver's data of a context (an open file).
    type Context: ContextOps;

    /// Makes the driver's data of a new context, when a file of the node
    /// is opened (with the node's lock held).
    fn open(this: &Arc<Self>) -> Result<impl PinInit<Self::Context, Error>>;
}

/// The driver's data of a mem2mem context: the ioctls that depend on the
/// context, its jobs, and (through [`vb2::QueueOps`]) its two queues.
///
/// Every callback but [`ContextOps::device_run`], [`ContextOps::job_ready`]
/// and [`ContextOps::job_abort`] runs with the node's lock held (the
/// queue operations too).
#[vtable]
pub trait ContextOps: QueueOps {
    /// Fills the driver and card names (`VIDIOC_QUERYCAP`); the
    /// capabilities are filled by the core.
    fn querycap(this: &Self, cap: &mut Capability) -> Result;

    /// Enumerates the formats of a queue (`VIDIOC_ENUM_FMT`).
    fn enum_fmt(_this: &Self, _f: &mut FmtDesc) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Gets the format of a queue (`VIDIOC_G_FMT`). `q` is the context's queue of the format's buffer type.
    fn g_fmt(_this: &Self, _q: &Queue, _f: &mut Format) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Sets the format of a queue (`VIDIOC_S_FMT`). `q` is the context's queue of the format's buffer type.
    fn s_fmt(_this: &Self, _q: &Queue, _f: &mut Format) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Adjusts a format to one the queue supports (`VIDIOC_TRY_FMT`). `q` is the context's queue of the format's buffer type.
    fn try_fmt(_this: &Self, _q: &Queue, _f: &mut Format) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Enumerates the frame sizes of a format (`VIDIOC_ENUM_FRAMESIZES`).
    fn enum_framesizes(_this: &Self, _f: &mut FrmSizeEnum) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// The controls of the context, if it has any: the V4L2 core serves
    /// the control ioctls and control events of the context's file from
    /// them (`v4l2_fh.ctrl_handler`). Called once, when the file is opened;
    /// the handler must live as long as the context's data.
    fn controls(_this: &Self) -> Option<&ctrls::Handler<ctrls::NoOps>> {
        None
    }

    /// Whether the context can run a job, beyond having a buffer waiting
    /// in each queue (which the abstraction checks). Atomic context: must
    /// not sleep.
    fn job_ready(_this: &Self) -> bool {
        true
    }

    /// Runs a job of the context (`device_run`): the job ends when `job`
    /// is finished or dropped, which may be later, from another context.
    /// Process context (an ioctl queueing a buffer or starting streaming,
    /// or the mem2mem core's work item after the previous job), no lock of
    /// the mem2mem core held: it may sleep, but holds up the device's
    /// other jobs while it runs.
    fn device_run(this: &Self, job: Job<Self>);

    /// Asks the running job of the context to end soon (`job_abort`),
    /// because streaming stops or the file is closed. Atomic context (a
    /// spinlock of the mem2mem core is held).
    fn job_abort(_this: &Self) {}
}

/// What one allocation holds for a node.
///
/// # Invariants
///
/// - `vdev` is set up by [`Unregistered::new`], its `release` is
///   [`node_release`]; `m2m` is the device's `v4l2_m2m_dev`;
/// - `drv` is the driver's data (`*const T`, of an `Arc<T>`) while the node
///   is registered, null otherwise; it and `ctxs` (the list of open
///   contexts with driver data) are only used with the node's lock held.
#[repr(C)]
struct Node {
    vdev: Opaque<bindings::video_device>,
    m2m: *mut bindings::v4l2_m2m_dev,
    output: QueueConfig,
    capture: QueueConfig,
    drv: UnsafeCell<*const c_void>,
    ctxs: UnsafeCell<*mut Context>,
}

/// Frees a [`Node`]: the `release` of its video device.
///
/// Not generic: it runs no driver code and may run after the driver's
/// module is gone.
///
/// # Safety
///
/// `vdev` is the `vdev` of a [`Node`] allocated by [`Unregistered::new`],
/// whose last reference was just dropped.
unsafe extern "C" fn node_release(vdev: *mut bindings::video_device) {
    // SAFETY: `vdev` is the first field of a `Node` (`repr(C)`).
    let node = unsafe { container_of!(Opaque::cast_from(vdev), Node, vdev) }.cast_mut();
    // SAFETY: The node was leaked from a `KBox` by `Unregistered::new`;
    // nothing refers to it any more: every context (which refers to `m2m`)
    // was released with its file, and the files hold the node.
    unsafe {
        bindings::v4l2_m2m_release((*node).m2m);
        drop(KBox::from_raw(node));
    }
}

/// What one allocation holds for a context (an open file).
///
/// # Invariants
///
/// - `fh` is the file's V4L2 file handle, added to the node, with `m2m_ctx`
///   as its mem2mem context; the queues of `m2m_ctx` have `out_state` and
///   `cap_state` as their `drv_priv`;
/// - `drv` is the driver's data of the context (leaked from a pinned
///   `KBox<T::Context>`) while the context is attached, null after; it is
///   only changed with the node's lock held and no job running;
/// - while attached, the context is in its node's list (`prev`, `next`).
#[repr(C)]
#[pin_data]
struct Context {
    fh: Opaque<bindings::v4l2_fh>,
    node: *mut Node,
    m2m_ctx: *mut bindings::v4l2_m2m_ctx,
    prev: *mut Context,
    next: *mut Context,
    drv: *mut c_void,
    #[pin]
    out_state: QueueState,
    #[pin]
    cap_state: QueueState,
}

/// A mem2mem node, not registered yet.
///
/// # Invariants
///
/// `node` was set up by [`Unregistered::new`] for `T` and is only ours.
pub struct Unregistered<T: Ops> {
    node: NonNull<Node>,
    _v4l2: ARef<v4l2_device::Device>,
    _t: PhantomData<T>,
}

// SAFETY: The allocation is only ours; its C structures may be used from
// any thread.
unsafe impl<T: Ops> Send for Unregistered<T> {}

impl<T: Ops> Unregistered<T> {
    /// Makes a mem2mem node of the V4L2 device `v4l2`, as `cfg` describes.
    pub fn new(v4l2: &v4l2_device::Device, cfg: &Config<'_>) -> Result<Self> {
        // SAFETY: The table is `'static` and has `device_run`.
        let m2m = from_err_ptr(unsafe { bindings::v4l2_m2m_init(&Adapter::<T>::M2M_OPS) })?;
        let node = match KBox::new(
            Node {
                vdev: Opaque::zeroed(),
                m2m,
                output: cfg.output,
                capture: cfg.capture,
                drv: UnsafeCell::new(core::ptr::null()),
                ctxs: UnsafeCell::new(core::ptr::null_mut()),
            },
            GFP_KERNEL,
        ) {
            Ok(b) => KBox::into_raw(b),
            Err(e) => {
                // SAFETY: Made above, not used by anything.
                unsafe { bindings::v4l2_m2m_release(m2m) };
                return Err(e.into());
            }
        };
        // SAFETY: `node` is valid and only ours; the fields set are those a
        // driver sets before `video_register_device()`; the tables are
        // `'static`; the lock is the V4L2 device's, which outlives the node.
        unsafe {
            let vdev = Opaque::cast_into(&raw const (*node).vdev);
            (*vdev).release = Some(node_release);
            (*vdev).fops = &Adapter::<T>::FOPS;
            (*vdev).ioctl_ops = &Adapter::<T>::IOCTL_OPS;
            (*vdev).v4l2_dev = v4l2.as_raw();
            (*vdev).vfl_dir = bindings::vfl_devnode_direction_VFL_DIR_M2M;
            (*vdev).lock = v4l2.video_lock();
            (*vdev).device_caps = cfg.caps.as_raw();
            crate::media::copy_name(&mut (*vdev).name, cfg.name);
            // The function of the processing entity, kept until
            // registration.
            (*vdev).entity.function = cfg.function.as_raw();
        }
        Ok(Self {
            // SAFETY: From a `KBox`, so not null.
            node: unsafe { NonNull::new_unchecked(node) },
            _v4l2: v4l2.into(),
            _t: PhantomData,
        })
    }

    /// Registers the node (`/dev/videoN`) and its entities in the media
    /// graph (source, processing, sink, as `v4l2_m2m_register_media_controller()`
    /// makes them), with `data` as the driver's data, `module` (the
    /// driver's) owning its character device.
    pub fn register(self, data: Arc<T>, module: &'static ThisModule) -> Result<Registration<T>> {
        let node = self.node.as_ptr();
        // SAFETY: By the type invariant `node` is valid.
        let vdev = Opaque::cast_into(unsafe { &raw const (*node).vdev });
        // SAFETY: Not registered yet: nothing reads `drv`.
        unsafe { *(*node).drv.get() = Arc::as_ptr(&data).cast() };
        // SAFETY: `vdev` is set up; `module` owns the driver's code.
        let ret = unsafe {
            bindings::__video_register_device(
                vdev,
                bindings::vfl_devnode_type_VFL_TYPE_VIDEO,
                -1,
                1,
                module.as_ptr(),
            )
        };
        if ret != 0 {
            // SAFETY: Not registered: nothing reads `drv`; `self` frees the
            // node when dropped.
            unsafe { *(*node).drv.get() = core::ptr::null() };
            return Err(Error::from_errno(ret));
        }
        // The node is the core's now (not freed by our `Drop`), and the
        // core holds its own reference to the V4L2 device: drop ours.
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped nor used again: `_v4l2` is moved
        // out of it once.
        drop(unsafe { core::ptr::read(&this._v4l2) });
        // SAFETY: Registered: the core holds a reference until
        // unregistration; from now on the core frees the node through
        // `node_release`, after our reference (taken here) goes too.
        unsafe { bindings::get_device(&raw mut (*vdev).dev) };
        let mut reg = Registration {
            node,
            data,
            mc: false,
        };
        // SAFETY: `m2m` and `vdev` are registered; the function was stored
        // in `new`.
        to_result(unsafe {
            bindings::v4l2_m2m_register_media_controller(
                (*node).m2m,
                vdev,
                (*vdev).entity.function as c_int,
            )
        })?;
        reg.mc = true;
        Ok(reg)
    }
}

impl<T: Ops> Drop for Unregistered<T> {
    fn drop(&mut self) {
        // SAFETY: Never registered: the node and its `m2m` are only ours.
        unsafe {
            let node = self.node.as_ptr();
            bindings::v4l2_m2m_release((*node).m2m);
            drop(KBox::from_raw(node));
        }
    }
}

/// A registered mem2mem node with its driver data; dropping it unregisters
/// the node and drops the data (see the module documentation).
pub struct Registration<T: Ops> {
    node: *mut Node,
    data: Arc<T>,
    mc: bool,
}

// SAFETY: The node's C objects may be used from any thread; its driver
// state is only changed under the node's lock.
unsafe impl<T: Ops> Send for Registration<T> {}
// SAFETY: `&Registration` only gives access to `data` (`Sync`).
unsafe impl<T: Ops> Sync for Registration<T> {}

impl<T: Ops> Registration<T> {
    /// The driver's data.
    pub fn data(&self) -> &Arc<T> {
        &self.data
    }
}

impl<T: Ops> Drop for Registration<T> {
    fn drop(&mut self) {
        let node = self.node;
        // SAFETY: Registered by `Unregistered::register`, unregistered only
        // here. After `video_unregister_device` no ioctl or open starts
        // (the core checks the node's registration first); under the
        // node's lock those in progress are finished. Each attached
        // context then stops (its jobs cancelled, waiting for the running
        // one) and is detached; the driver's data goes last.
        unsafe {
            let vdev = Opaque::cast_into(&raw const (*node).vdev);
            if self.mc {
                bindings::v4l2_m2m_unregister_media_controller((*node).m2m);
            }
            bindings::video_unregister_device(vdev);
            let lock = (*vdev).lock;
            bindings::mutex_lock(lock);
            while !(*(*node).ctxs.get()).is_null() {
                let ctx = *(*node).ctxs.get();
                detach::<T>(ctx);
            }
            *(*node).drv.get() = core::ptr::null();
            bindings::mutex_unlock(lock);
            bindings::put_device(&raw mut (*vdev).dev);
        }
        // `self.data` is dropped now.
    }
}

/// Stops context `ctx` (its job cancelled, waiting for a running one,
/// streaming stopped, buffers freed), detaches its queues and drops the
/// driver's data of the context: at unregistration, for the files still
/// open.
///
/// # Safety
///
/// `ctx` is an attached context of a node of `T`; the node's lock is held.
unsafe fn detach<T: Ops>(ctx: *mut Context) {
    // SAFETY: As the caller promises: the context, its mem2mem context and
    // its node are valid.
    unsafe {
        let m2m_ctx = (*ctx).m2m_ctx;
        let out_q = &raw mut (*m2m_ctx).out_q_ctx.q;
        let cap_q = &raw mut (*m2m_ctx).cap_q_ctx.q;
        for q in [out_q, cap_q] {
            bindings::v4l2_m2m_streamoff(core::ptr::null_mut(), m2m_ctx, (*q).type_);
            bindings::vb2_queue_release(q);
        }
        vb2::detach(out_q);
        vb2::detach(cap_q);
        drop_data::<T>(ctx);
    }
}

/// Unlinks context `ctx` from its node and drops the driver's data of the
/// context.
///
/// # Safety
///
/// `ctx` is an attached context of a node of `T` whose queues can no
/// longer call the driver (detached or released); the node's lock is held.
unsafe fn drop_data<T: Ops>(ctx: *mut Context) {
    // SAFETY: As the caller promises: the context and its node are valid
    // and the list is ours under the node's lock.
    unsafe {
        // Control events refer to the controls, which go with the data.
        let fh = Opaque::cast_into(&raw const (*ctx).fh);
        bindings::v4l2_event_unsubscribe_all(fh);
        (*fh).ctrl_handler = core::ptr::null_mut();
        let node = (*ctx).node;
        if (*ctx).prev.is_null() {
            *(*node).ctxs.get() = (*ctx).next;
        } else {
            (*(*ctx).prev).next = (*ctx).next;
        }
        if !(*ctx).next.is_null() {
            (*(*ctx).next).prev = (*ctx).prev;
        }
        (*ctx).prev = core::ptr::null_mut();
        (*ctx).next = core::ptr::null_mut();
        let drv = (*ctx).drv.cast::<T::Context>();
        (*ctx).drv = core::ptr::null_mut();
        drop(Pin::new_unchecked(KBox::from_raw(drv)));
    }
}

/// A job of a context, from [`ContextOps::device_run`] until it is
/// finished (or dropped).
///
/// # Invariants
///
/// `ctx` is an attached context of `C` whose job is running: the mem2mem
/// core does not release the context, stop its streaming nor free its
/// buffers until the job is finished (it waits for it).
pub struct Job<C: ContextOps> {
    ctx: NonNull<Context>,
    _c: PhantomData<C>,
}

// SAFETY: A job may be finished from any thread; the context's driver data
// is `Sync` (`QueueOps`).
unsafe impl<C: ContextOps> Send for Job<C> {}
// SAFETY: Shared access only reads.
unsafe impl<C: ContextOps> Sync for Job<C> {}

impl<C: ContextOps> Job<C> {
    fn raw(&self) -> *mut Context {
        self.ctx.as_ptr()
    }

    /// The driver's data of the job's context.
    pub fn context(&self) -> &C {
        // SAFETY: By the type invariant the context is attached while the
        // job runs, so `drv` is its driver data.
        unsafe { &*(*self.raw()).drv.cast::<C>() }
    }

    /// The OUTPUT queue of the job's context.
    pub fn output_queue(&self) -> &Queue {
        // SAFETY: The queue lives as long as the context, which outlives
        // the job.
        unsafe { Queue::from_raw(&raw mut (*(*self.raw()).m2m_ctx).out_q_ctx.q) }
    }

    /// The CAPTURE queue of the job's context.
    pub fn capture_queue(&self) -> &Queue {
        // SAFETY: As in `output_queue`.
        unsafe { Queue::from_raw(&raw mut (*(*self.raw()).m2m_ctx).cap_q_ctx.q) }
    }

    /// Takes the oldest waiting buffer of each queue, OUTPUT first, if both
    /// queues have one (else takes none).
    pub fn take_buffers(&self) -> Option<(ActiveBuffer, ActiveBuffer)> {
        let (out, cap) = (self.output_queue(), self.capture_queue());
        if !out.has_queued() || !cap.has_queued() {
            return None;
        }
        // Only this job takes buffers of the context while it runs.
        let src = out.next_queued()?;
        match cap.next_queued() {
            Some(dst) => Some((src, dst)),
            None => {
                out.buffer_done(src, vb2::Done::error(0));
                None
            }
        }
    }

    fn owns(&self, buf: &ActiveBuffer) -> bool {
        self.output_queue().is_current(buf) || self.capture_queue().is_current(buf)
    }

    /// The memory of plane `plane` of `buf`, a buffer of the job's context
    /// (of a queue with CPU-mapped memory, [`vb2::Memory::Vmalloc`]):
    /// `EINVAL` if `buf` is not one of the context's active buffers or has
    /// no such plane or mapping.
    ///
    /// The memory is shared with user space, which may map it: its bytes
    /// are data, never trusted.
    pub fn plane<'a>(&'a self, buf: &'a ActiveBuffer, plane: u32) -> Result<&'a [u8]> {
        if !self.owns(buf) {
            return Err(EINVAL);
        }
        let (ptr, len) = buf.cpu_plane(plane).ok_or(EINVAL)?;
        // SAFETY: `buf` is an active buffer of the job's context (checked
        // above), which stays allocated and mapped while the job runs (the
        // type invariant); the slice is `len` bytes of its plane; it
        // borrows `buf` and `self`.
        Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
    }

    /// The memory of plane `plane` of `buf`, to write (see [`Job::plane`]).
    pub fn plane_mut<'a>(&'a self, buf: &'a mut ActiveBuffer, plane: u32) -> Result<&'a mut [u8]> {
        if !self.owns(buf) {
            return Err(EINVAL);
        }
        let (ptr, len) = buf.cpu_plane(plane).ok_or(EINVAL)?;
        // SAFETY: As in `plane`; `buf` is borrowed mutably, and the driver
        // holds the only token of the buffer, so no other slice of it
        // exists.
        Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
    }

    /// The bytes used in plane `plane` of `buf` (for OUTPUT buffers, what
    /// user space filled): `EINVAL` if `buf` is not one of the context's
    /// active buffers.
    pub fn payload(&self, buf: &ActiveBuffer, plane: u32) -> Result<usize> {
        if !self.owns(buf) {
            return Err(EINVAL);
        }
        Ok(buf.payload(plane))
    }

    /// Copies the timestamp, timecode and their flags of the OUTPUT buffer
    /// `src` to the CAPTURE buffer `dst` (`v4l2_m2m_buf_copy_metadata()`).
    pub fn copy_metadata(&self, src: &ActiveBuffer, dst: &mut ActiveBuffer) -> Result {
        if !self.output_queue().is_current(src) || !self.capture_queue().is_current(dst) {
            return Err(EINVAL);
        }
        // SAFETY: Both are active buffers of the job's context, valid while
        // it runs; `dst` is borrowed mutably.
        unsafe { bindings::v4l2_m2m_buf_copy_metadata(src.v4l2_raw(), dst.v4l2_raw()) };
        Ok(())
    }

    /// Ends the job (`v4l2_m2m_job_finish()`); the next job may run. Any
    /// context but hard interrupt.
    pub fn finish(self) {
        drop(self);
    }
}

impl<C: ContextOps> Drop for Job<C> {
    fn drop(&mut self) {
        // SAFETY: The context's job is running (type invariant); this ends
        // it, once.
        unsafe {
            let m2m_ctx = (*self.raw()).m2m_ctx;
            bindings::v4l2_m2m_job_finish((*m2m_ctx).m2m_dev, m2m_ctx);
        }
    }
}

/// The C operation tables of a node of `T`.
struct Adapter<T>(PhantomData<T>);

/// The context of the file of an ioctl.
///
/// # Safety
///
/// `file` is an open file of a node set up for `T`, and the V4L2 core is
/// calling one of its ioctl operations (so the node is registered, its lock
/// held, the context attached).
unsafe fn ctx_of<'a, T: Ops>(file: *mut bindings::file) -> &'a T::Context {
    // SAFETY: As the caller promises: `private_data` is the `fh`, first
    // field of an attached `Context` of `T`.
    unsafe {
        &*(*(*file).private_data.cast::<Context>())
            .drv
            .cast::<T::Context>()
    }
}

macro_rules! ctx_op {
    ($t:ident, $op:ident, $has:ident) => {
        if <$t::Context as ContextOps>::$has {
            Some(Adapter::<$t>::$op)
        } else {
            None
        }
    };
}

macro_rules! fmt_adapter {
    ($name:ident, $raw:ty, $rust:ty) => {
        /// # Safety
        ///
        /// Called by the V4L2 core as the ioctl operation of a node of `T`.
        unsafe extern "C" fn $name(
            file: *mut bindings::file,
            _p: *mut c_void,
            f: *mut $raw,
        ) -> c_int {
            // SAFETY: As the V4L2 core promises; the argument is valid and
            // `$rust` is a transparent wrapper of it.
            let (ctx, f) = unsafe { (ctx_of::<T>(file), &mut *f.cast::<$rust>()) };
            from_result(|| <T::Context as ContextOps>::$name(ctx, f).map(|()| 0))
        }
    };
}

macro_rules! fmt_q_adapter {
    ($name:ident) => {
        /// # Safety
        ///
        /// Called by the V4L2 core as the ioctl operation of a node of `T`.
        unsafe extern "C" fn $name(
            file: *mut bindings::file,
            _p: *mut c_void,
            f: *mut bindings::v4l2_format,
        ) -> c_int {
            // SAFETY: As the V4L2 core promises; the argument is valid and
            // `Format` is a transparent wrapper of it; the queue (of the
            // format's type, the OUTPUT or else the CAPTURE one) lives as
            // long as the context.
            let (ctx, q, f) = unsafe {
                let c = (*file).private_data.cast::<Context>();
                let q = bindings::v4l2_m2m_get_vq((*c).m2m_ctx, (*f).type_);
                (
                    ctx_of::<T>(file),
                    Queue::from_raw(q),
                    &mut *f.cast::<Format>(),
                )
            };
            from_result(|| <T::Context as ContextOps>::$name(ctx, q, f).map(|()| 0))
        }
    };
}

impl<T: Ops> Adapter<T> {
    const M2M_OPS: bindings::v4l2_m2m_ops = bindings::v4l2_m2m_ops {
        device_run: Some(Self::device_run),
        job_ready: Some(Self::job_ready),
        job_abort: Some(Self::job_abort),
    };

    const FOPS: bindings::v4l2_file_operations = bindings::v4l2_file_operations {
        owner: core::ptr::null_mut(),
        read: None,
        write: None,
        poll: Some(bindings::v4l2_m2m_fop_poll),
        unlocked_ioctl: Some(bindings::video_ioctl2),
        #[cfg(CONFIG_COMPAT)]
        compat_ioctl32: None,
        get_unmapped_area: None,
        mmap: Some(bindings::v4l2_m2m_fop_mmap),
        open: Some(Self::open),
        release: Some(Self::release),
    };

    const IOCTL_OPS: bindings::v4l2_ioctl_ops = {
        // SAFETY: All zeroes is a valid `v4l2_ioctl_ops` (no operations).
        let mut ops: bindings::v4l2_ioctl_ops = unsafe { core::mem::zeroed() };
        ops.vidioc_querycap = Some(Self::querycap);
        ops.vidioc_enum_fmt_vid_cap = ctx_op!(T, enum_fmt, HAS_ENUM_FMT);
        ops.vidioc_enum_fmt_vid_out = ctx_op!(T, enum_fmt, HAS_ENUM_FMT);
        ops.vidioc_g_fmt_vid_cap = ctx_op!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_g_fmt_vid_out = ctx_op!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_g_fmt_vid_cap_mplane = ctx_op!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_g_fmt_vid_out_mplane = ctx_op!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_s_fmt_vid_cap = ctx_op!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_s_fmt_vid_out = ctx_op!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_s_fmt_vid_cap_mplane = ctx_op!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_s_fmt_vid_out_mplane = ctx_op!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_try_fmt_vid_cap = ctx_op!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_try_fmt_vid_out = ctx_op!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_try_fmt_vid_cap_mplane = ctx_op!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_try_fmt_vid_out_mplane = ctx_op!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_enum_framesizes = ctx_op!(T, enum_framesizes, HAS_ENUM_FRAMESIZES);
        // The buffer ioctls are the mem2mem core's, on the queue of the
        // file's context.
        ops.vidioc_reqbufs = Some(bindings::v4l2_m2m_ioctl_reqbufs);
        ops.vidioc_create_bufs = Some(bindings::v4l2_m2m_ioctl_create_bufs);
        ops.vidioc_prepare_buf = Some(bindings::v4l2_m2m_ioctl_prepare_buf);
        ops.vidioc_querybuf = Some(bindings::v4l2_m2m_ioctl_querybuf);
        ops.vidioc_qbuf = Some(bindings::v4l2_m2m_ioctl_qbuf);
        ops.vidioc_dqbuf = Some(bindings::v4l2_m2m_ioctl_dqbuf);
        ops.vidioc_expbuf = Some(bindings::v4l2_m2m_ioctl_expbuf);
        ops.vidioc_streamon = Some(bindings::v4l2_m2m_ioctl_streamon);
        ops.vidioc_streamoff = Some(bindings::v4l2_m2m_ioctl_streamoff);
        // Control events, of the context's controls (`EINVAL` without).
        ops.vidioc_subscribe_event = Some(bindings::v4l2_ctrl_subscribe_event);
        ops.vidioc_unsubscribe_event = Some(bindings::v4l2_event_unsubscribe);
        ops
    };

    /// # Safety
    ///
    /// Called by the V4L2 core as `open` of a node of `T`.
    unsafe extern "C" fn open(file: *mut bindings::file) -> c_int {
        // SAFETY: `file` is a file of a node of `T` being opened.
        from_result(|| unsafe { Self::do_open(file) }.map(|()| 0))
    }

    /// # Safety
    ///
    /// As for `open`.
    unsafe fn do_open(file: *mut bindings::file) -> Result {
        // SAFETY: The V4L2 core opens only registered nodes; the node
        // outlives its files.
        let (vdev, node) = unsafe {
            let vdev = bindings::video_devdata(file);
            (
                vdev,
                container_of!(Opaque::cast_from(vdev), Node, vdev).cast_mut(),
            )
        };
        // SAFETY: The lock is the V4L2 device's, which outlives the node.
        let lock = unsafe { (*vdev).lock };
        // SAFETY: `lock` is an initialised mutex.
        unsafe { bindings::mutex_lock(lock) };
        // SAFETY: Locked above by this thread.
        let _g = unsafe { Unlock::new(lock) };
        // SAFETY: `drv` is read under the node's lock; non-null while
        // registered: an `Arc<T>`'s pointer, alive while the registration
        // holds it (it clears `drv` under this lock before dropping it).
        let data: Arc<T> = unsafe {
            let drv = *(*node).drv.get();
            if drv.is_null() {
                return Err(ENODEV);
            }
            ArcBorrow::<T>::from_raw(drv.cast()).into()
        };
        // SAFETY: `v4l2_dev` outlives the node; its parent is bound while
        // the node is registered (checked above, under the lock that
        // unregistration takes).
        let parent = unsafe { (*(*vdev).v4l2_dev).dev };
        // SAFETY: The queue configurations are constant.
        let (out_mem, cap_mem) = unsafe { ((*node).output.memory, (*node).capture.memory) };
        let drv = KBox::pin_init(T::open(&data)?, GFP_KERNEL)?;
        let ctx = KBox::pin_init(
            try_pin_init!(Context {
                fh: Opaque::zeroed(),
                node,
                m2m_ctx: core::ptr::null_mut(),
                prev: core::ptr::null_mut(),
                next: core::ptr::null_mut(),
                drv: core::ptr::null_mut(),
                out_state <- QueueState::new(parent, out_mem),
                cap_state <- QueueState::new(parent, cap_mem),
            }? Error),
            GFP_KERNEL,
        )?;
        // SAFETY: The context does not move: it stays in this allocation
        // until `release` frees it.
        let ctx = KBox::into_raw(unsafe { Pin::into_inner_unchecked(ctx) });
        // SAFETY: Likewise for the driver's data, freed by `detach`.
        let drv = KBox::into_raw(unsafe { Pin::into_inner_unchecked(drv) });
        // SAFETY: `ctx` is ours; the queue states get the driver's data
        // before any queue operation can run (the queues are set up by
        // `v4l2_m2m_ctx_init` below).
        unsafe {
            (*ctx).drv = drv.cast();
            (*ctx).out_state.set_drv(drv.cast());
            (*ctx).cap_state.set_drv(drv.cast());
            let fh = Opaque::cast_into(&raw const (*ctx).fh);
            bindings::v4l2_fh_init(fh, vdev);
            // The handler lives as long as the driver's data, and the
            // file handle is detached from it before the data goes.
            if let Some(h) = <T::Context as ContextOps>::controls(&*drv) {
                (*fh).ctrl_handler = h.as_raw();
            }
        }
        // SAFETY: `m2m` is the node's; `queue_init` sets up the queues of
        // the new context, whose `priv` is `ctx`.
        let m2m_ctx =
            unsafe { bindings::v4l2_m2m_ctx_init((*node).m2m, ctx.cast(), Some(Self::queue_init)) };
        let m2m_ctx = match from_err_ptr(m2m_ctx) {
            Ok(m) => m,
            Err(e) => {
                // SAFETY: Nothing else refers to the context or the data.
                unsafe {
                    bindings::v4l2_fh_exit(Opaque::cast_into(&raw const (*ctx).fh));
                    drop(Pin::new_unchecked(KBox::from_raw(drv)));
                    drop(KBox::from_raw(ctx));
                }
                return Err(e);
            }
        };
        // SAFETY: The context is ours until added; the list is ours under
        // the node's lock. Both queues are "buffered" for the mem2mem core:
        // their buffers wait in our lists, `job_ready` checks them.
        unsafe {
            (*m2m_ctx).out_q_ctx.buffered = true;
            (*m2m_ctx).cap_q_ctx.buffered = true;
            (*ctx).m2m_ctx = m2m_ctx;
            let fh = Opaque::cast_into(&raw const (*ctx).fh);
            (*fh).m2m_ctx = m2m_ctx;
            let head = *(*node).ctxs.get();
            (*ctx).next = head;
            if !head.is_null() {
                (*head).prev = ctx;
            }
            *(*node).ctxs.get() = ctx;
            bindings::v4l2_fh_add(fh, file);
        }
        Ok(())
    }

    /// # Safety
    ///
    /// Called by the mem2mem core from `v4l2_m2m_ctx_init()` in `do_open`,
    /// `priv_` being the new context.
    unsafe extern "C" fn queue_init(
        priv_: *mut c_void,
        src: *mut bindings::vb2_queue,
        dst: *mut bindings::vb2_queue,
    ) -> c_int {
        let ctx = priv_.cast::<Context>();
        // SAFETY: `ctx` is the context being opened, with its node; the
        // queues are zeroed by the core; the states live as long as the
        // queues (until `release`); the lock is the V4L2 device's; the
        // parent device outlives the node.
        from_result(|| unsafe {
            let node = (*ctx).node;
            let vdev = Opaque::cast_into(&raw const (*node).vdev);
            let lock = (*vdev).lock;
            let parent = (*(*vdev).v4l2_dev).dev;
            vb2::init::<T::Context>(
                src,
                &raw const (*ctx).out_state,
                lock,
                parent,
                &(*node).output,
            )?;
            vb2::init::<T::Context>(
                dst,
                &raw const (*ctx).cap_state,
                lock,
                parent,
                &(*node).capture,
            )?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `release` of a file opened by `open`.
    unsafe extern "C" fn release(file: *mut bindings::file) -> c_int {
        // SAFETY: `private_data` is the `fh`, first field of the context
        // `open` made; the node outlives its files.
        unsafe {
            let ctx = (*file).private_data.cast::<Context>();
            let node = (*ctx).node;
            let lock = (*Opaque::cast_into(&raw const (*node).vdev)).lock;
            bindings::mutex_lock(lock);
            // Cancels the job (waiting for a running one), stops
            // streaming (driver code while attached) and frees the queues
            // and the mem2mem context.
            bindings::v4l2_m2m_ctx_release((*ctx).m2m_ctx);
            (*ctx).m2m_ctx = core::ptr::null_mut();
            (*Opaque::cast_into(&raw const (*ctx).fh)).m2m_ctx = core::ptr::null_mut();
            if !(*ctx).drv.is_null() {
                drop_data::<T>(ctx);
            }
            bindings::mutex_unlock(lock);
            let fh = Opaque::cast_into(&raw const (*ctx).fh);
            bindings::v4l2_fh_del(fh, file);
            bindings::v4l2_fh_exit(fh);
            drop(KBox::from_raw(ctx));
        }
        0
    }

    /// # Safety
    ///
    /// Called by the mem2mem core as `device_run` of a context of `T`.
    unsafe extern "C" fn device_run(priv_: *mut c_void) {
        let ctx = priv_.cast::<Context>();
        // SAFETY: The core runs jobs only of contexts whose queues stream,
        // which are attached (detaching stops streaming first).
        let this = unsafe { &*(*ctx).drv.cast::<T::Context>() };
        // INVARIANT: The job is running until `Job` finishes it.
        let job = Job {
            // SAFETY: `ctx` is not null.
            ctx: unsafe { NonNull::new_unchecked(ctx) },
            _c: PhantomData,
        };
        <T::Context as ContextOps>::device_run(this, job);
    }

    /// # Safety
    ///
    /// Called by the mem2mem core as `job_ready` of a context of `T`.
    unsafe extern "C" fn job_ready(priv_: *mut c_void) -> c_int {
        let ctx = priv_.cast::<Context>();
        // SAFETY: As in `device_run` (the core asks only for contexts whose
        // queues stream).
        unsafe {
            let m2m_ctx = (*ctx).m2m_ctx;
            let out = Queue::from_raw(&raw mut (*m2m_ctx).out_q_ctx.q);
            let cap = Queue::from_raw(&raw mut (*m2m_ctx).cap_q_ctx.q);
            let this = &*(*ctx).drv.cast::<T::Context>();
            c_int::from(
                out.has_queued() && cap.has_queued() && <T::Context as ContextOps>::job_ready(this),
            )
        }
    }

    /// # Safety
    ///
    /// Called by the mem2mem core as `job_abort` of a context of `T`.
    unsafe extern "C" fn job_abort(priv_: *mut c_void) {
        let ctx = priv_.cast::<Context>();
        // SAFETY: Its job is running: it is attached.
        let this = unsafe { &*(*ctx).drv.cast::<T::Context>() };
        <T::Context as ContextOps>::job_abort(this);
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `querycap` of a node of `T`.
    unsafe extern "C" fn querycap(
        file: *mut bindings::file,
        _p: *mut c_void,
        cap: *mut bindings::v4l2_capability,
    ) -> c_int {
        // SAFETY: As the V4L2 core promises.
        let (ctx, cap) = unsafe { (ctx_of::<T>(file), &mut *cap.cast::<Capability>()) };
        from_result(|| <T::Context as ContextOps>::querycap(ctx, cap).map(|()| 0))
    }

    fmt_adapter!(enum_fmt, bindings::v4l2_fmtdesc, FmtDesc);
    fmt_q_adapter!(g_fmt);
    fmt_q_adapter!(s_fmt);
    fmt_q_adapter!(try_fmt);
    fmt_adapter!(enum_framesizes, bindings::v4l2_frmsizeenum, FrmSizeEnum);
}

/// Unlocks a mutex when dropped.
///
/// # Invariants
///
/// The mutex is locked by the thread that holds the guard.
struct Unlock(*mut bindings::mutex);

impl Unlock {
    /// # Safety
    ///
    /// `lock` is a mutex locked by this thread, which this guard is now
    /// responsible for unlocking.
    unsafe fn new(lock: *mut bindings::mutex) -> Self {
        // INVARIANT: As the caller promises.
        Self(lock)
    }
}

impl Drop for Unlock {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the mutex is locked by this thread.
        unsafe { bindings::mutex_unlock(self.0) };
    }
}
