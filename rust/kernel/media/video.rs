// SPDX-License-Identifier: GPL-2.0

//! Video device nodes.
//!
//! C headers: [`include/media/v4l2-dev.h`](srctree/include/media/v4l2-dev.h),
//! [`include/media/v4l2-ioctl.h`](srctree/include/media/v4l2-ioctl.h),
//! [`include/media/v4l2-fh.h`](srctree/include/media/v4l2-fh.h),
//! [`include/media/v4l2-event.h`](srctree/include/media/v4l2-event.h)
//!
//! A video node (`struct video_device`, `/dev/videoN`) is where user space
//! sets the format of a stream and exchanges its buffers. The driver's data
//! `T` of a node implements [`Ops`] (the ioctls it handles itself) and
//! [`vb2::QueueOps`] (its queue); videobuf2 and the V4L2 core implement the
//! file operations, the buffer ioctls, streaming and events.
//!
//! # Lifetime
//!
//! The C objects of a node (the `video_device`, its `vb2_queue`, its pad)
//! are allocated by this module and freed by a release function of this
//! module, which is not generic and runs no driver code, when the last
//! reference goes: at unregistration, or later, at the last close of a file
//! of the node. The driver's data is held by the [`Registration`] and
//! dropped when it is: unregistration first stops streaming and frees the
//! buffers (`vb2_video_unregister_device`), takes the node's lock (so every
//! ioctl in progress has returned; later ones fail with `ENODEV`), and
//! detaches the queue and the media entity from the driver. Files still
//! open then only reach C code (closing, polling and mapping), and the
//! driver's module stays loaded until they are closed, because the node's
//! character device is owned by it.
//!
//! The V4L2 device the node is registered on outlives it (the V4L2 core
//! holds a reference for the node), and so does the lock the node and its
//! queue use, which belongs to the V4L2 device.

use crate::{
    bindings, container_of,
    device::{self, Bound},
    error::{from_result, to_result},
    ffi::{c_int, c_uint, c_void},
    media::{
        device::GraphLock,
        entity::{self, Entity, Link, PadFlags},
        pixfmt::{FourCc, MetaFormat, PixFormat},
        v4l2_device,
        vb2::{self, Queue, QueueConfig, QueueOps, QueueState},
    },
    prelude::*,
    sync::{
        aref::{ARef, AlwaysRefCounted},
        Arc,
    },
    types::Opaque,
    ThisModule,
};
use core::{cell::UnsafeCell, marker::PhantomData, ptr::NonNull};

/// Device capabilities (`V4L2_CAP_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps(u32);

impl Caps {
    /// Single-plane video capture.
    pub const VIDEO_CAPTURE: Self = Self(bindings::V4L2_CAP_VIDEO_CAPTURE);
    /// Single-plane video output.
    pub const VIDEO_OUTPUT: Self = Self(bindings::V4L2_CAP_VIDEO_OUTPUT);
    /// Multi-plane video capture.
    pub const VIDEO_CAPTURE_MPLANE: Self = Self(bindings::V4L2_CAP_VIDEO_CAPTURE_MPLANE);
    /// Multi-plane video output.
    pub const VIDEO_OUTPUT_MPLANE: Self = Self(bindings::V4L2_CAP_VIDEO_OUTPUT_MPLANE);
    /// Single-plane memory-to-memory.
    pub const VIDEO_M2M: Self = Self(bindings::V4L2_CAP_VIDEO_M2M);
    /// Multi-plane memory-to-memory.
    pub const VIDEO_M2M_MPLANE: Self = Self(bindings::V4L2_CAP_VIDEO_M2M_MPLANE);
    /// Metadata capture.
    pub const META_CAPTURE: Self = Self(bindings::V4L2_CAP_META_CAPTURE);
    /// Metadata output.
    pub const META_OUTPUT: Self = Self(bindings::V4L2_CAP_META_OUTPUT);
    /// Streaming I/O.
    pub const STREAMING: Self = Self(bindings::V4L2_CAP_STREAMING);
    /// The node is configured through the media controller (formats of the
    /// pipeline are set on the sub-devices).
    pub const IO_MC: Self = Self(bindings::V4L2_CAP_IO_MC);

    /// The `V4L2_CAP_*` bits.
    pub const fn as_raw(self) -> u32 {
        self.0
    }

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for Caps {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// The direction of a node's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Capture (`VFL_DIR_RX`).
    Rx,
    /// Output (`VFL_DIR_TX`).
    Tx,
    /// Memory to memory (`VFL_DIR_M2M`).
    M2m,
}

/// How a video node is set up.
#[derive(Clone, Copy)]
pub struct Config<'a> {
    /// The node's name (and its media entity's).
    pub name: &'a CStr,
    /// The direction of its data.
    pub direction: Direction,
    /// Its capabilities.
    pub caps: Caps,
    /// Whether its entity is the default one of its kind
    /// (`MEDIA_ENT_FL_DEFAULT`): the node applications open first.
    pub default_entity: bool,
    /// Its queue.
    pub queue: QueueConfig,
}

/// The ioctls a video node's driver handles (`struct v4l2_ioctl_ops`), and
/// the validation of the link into its entity.
///
/// The format callbacks are installed for every buffer type; the V4L2 core
/// offers those matching the node's capabilities. Every callback runs with
/// the node's lock held, while the node is registered.
#[vtable]
pub trait Ops: Sized + Send + Sync + 'static {
    /// Fills the driver and card names and the capabilities of the whole
    /// device (`VIDIOC_QUERYCAP`). The bus information and the node's own
    /// capabilities are filled by the core.
    fn querycap(this: &Self, cap: &mut Capability) -> Result;

    /// Enumerates the formats (`VIDIOC_ENUM_FMT`).
    fn enum_fmt(_this: &Self, _fh: &Fh, _f: &mut FmtDesc) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Gets the format (`VIDIOC_G_FMT`).
    fn g_fmt(_this: &Self, _fh: &Fh, _f: &mut Format) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Sets the format (`VIDIOC_S_FMT`), adjusted as `try_fmt` does.
    fn s_fmt(_this: &Self, _fh: &Fh, _f: &mut Format) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Adjusts a format to one the node supports (`VIDIOC_TRY_FMT`).
    fn try_fmt(_this: &Self, _fh: &Fh, _f: &mut Format) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Enumerates the frame sizes of a format (`VIDIOC_ENUM_FRAMESIZES`).
    fn enum_framesizes(_this: &Self, _fh: &Fh, _f: &mut FrmSizeEnum) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Logs the state of the device (`VIDIOC_LOG_STATUS`).
    fn log_status(_this: &Self, _fh: &Fh) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Subscribes to an event (`VIDIOC_SUBSCRIBE_EVENT`), typically with
    /// [`Fh::subscribe`]; `EINVAL` for events the node does not send.
    fn subscribe_event(_this: &Self, _fh: &Fh, _sub: &EventSubscription) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Validates the enabled link into the node's entity when a pipeline
    /// starts (`link_validate` of the entity): `EPIPE` if the formats at
    /// the two ends do not match.
    fn link_validate(_this: &Self, _link: &Link) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// What one allocation holds for a node.
///
/// # Invariants
///
/// - `vdev`, `queue` and `pad` are set up by [`Unregistered::new`]; `vdev`
///   points to `queue` and `pad`, its `release` is [`node_release`];
/// - `drv` is the driver's data (`*const T`) whenever the V4L2 core or the
///   media core may call one of the node's operations, null otherwise; it
///   is only written while none can run.
#[repr(C)]
#[pin_data]
struct Node {
    vdev: Opaque<bindings::video_device>,
    queue: Opaque<bindings::vb2_queue>,
    pad: Opaque<bindings::media_pad>,
    #[pin]
    qstate: QueueState,
    drv: UnsafeCell<*const c_void>,
}

/// Frees a [`Node`]: the `release` of its video device, called by the V4L2
/// core when the last reference goes (before it drops the node's reference
/// on the V4L2 device).
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
    // SAFETY: The node was leaked from a pinned `KBox` by
    // `Unregistered::register`; nothing refers to it any more. Its queue
    // was released (no buffer is left), its entity is out of the graph.
    drop(unsafe { KBox::from_raw(node) });
}

/// The file operations of every node: the V4L2 core's and videobuf2's, no
/// driver code. The owner is given at registration.
struct Fops(bindings::v4l2_file_operations);

// SAFETY: The table is constant; its only pointer (`owner`) is null.
unsafe impl Sync for Fops {}

static FOPS: Fops = Fops(bindings::v4l2_file_operations {
    owner: core::ptr::null_mut(),
    read: None,
    write: None,
    poll: Some(bindings::vb2_fop_poll),
    unlocked_ioctl: Some(bindings::video_ioctl2),
    #[cfg(CONFIG_COMPAT)]
    compat_ioctl32: None,
    get_unmapped_area: None,
    mmap: Some(bindings::vb2_fop_mmap),
    open: Some(bindings::v4l2_fh_open),
    release: Some(bindings::vb2_fop_release),
});

/// A video node, not registered yet.
///
/// # Invariants
///
/// `node` was set up by [`Unregistered::new`] for `T` and is only ours.
pub struct Unregistered<T: Ops + QueueOps> {
    node: NonNull<Node>,
    /// Keeps the V4L2 device (whose lock the node uses) alive until the
    /// node is registered, when the core takes its own reference.
    _v4l2: ARef<v4l2_device::Device>,
    _t: PhantomData<T>,
}

// SAFETY: The allocation is only ours; its C structures may be used from
// any thread.
unsafe impl<T: Ops + QueueOps> Send for Unregistered<T> {}

impl<T: Ops + QueueOps> Unregistered<T> {
    /// Makes a video node of the V4L2 device `v4l2`, with one sink pad and
    /// its queue, as `cfg` describes.
    pub fn new(v4l2: &v4l2_device::Device, cfg: &Config<'_>) -> Result<Self> {
        let parent = crate::media::dev_raw(v4l2.parent());
        let boxed = KBox::pin_init(
            try_pin_init!(Node {
                vdev: Opaque::zeroed(),
                queue: Opaque::zeroed(),
                pad: Opaque::zeroed(),
                qstate <- QueueState::new(parent, cfg.queue.memory),
                drv: UnsafeCell::new(core::ptr::null()),
            }? Error),
            GFP_KERNEL,
        )?;
        // SAFETY: The node does not move: it stays in this allocation until
        // it is freed.
        let node = KBox::into_raw(unsafe { Pin::into_inner_unchecked(boxed) });
        let this = Self {
            // SAFETY: From a `KBox`, so not null.
            node: unsafe { NonNull::new_unchecked(node) },
            _v4l2: v4l2.into(),
            _t: PhantomData,
        };
        // SAFETY: `node` is valid and only ours; the fields set are those a
        // driver sets before `video_register_device()`; the tables are
        // `'static`. `vdev->lock`, the V4L2 device's lock, lives as long as
        // the V4L2 device, which outlives the node.
        unsafe {
            let vdev = Opaque::cast_into(&raw const (*node).vdev);
            let q = Opaque::cast_into(&raw const (*node).queue);
            let pad = Opaque::cast_into(&raw const (*node).pad);
            let lock = v4l2.video_lock();
            vb2::init::<T>(q, &raw const (*node).qstate, lock, parent, &cfg.queue)?;
            (*vdev).release = Some(node_release);
            (*vdev).fops = &FOPS.0;
            (*vdev).ioctl_ops = &Adapter::<T>::IOCTL_OPS;
            (*vdev).v4l2_dev = v4l2.as_raw();
            (*vdev).vfl_dir = match cfg.direction {
                Direction::Rx => bindings::vfl_devnode_direction_VFL_DIR_RX,
                Direction::Tx => bindings::vfl_devnode_direction_VFL_DIR_TX,
                Direction::M2m => bindings::vfl_devnode_direction_VFL_DIR_M2M,
            };
            (*vdev).queue = q;
            (*vdev).lock = lock;
            (*vdev).device_caps = cfg.caps.as_raw();
            crate::media::copy_name(&mut (*vdev).name, cfg.name);
            (*vdev).entity.ops = &Adapter::<T>::ENTITY_OPS;
            if cfg.default_entity {
                (*vdev).entity.flags |= bindings::MEDIA_ENT_FL_DEFAULT as crate::ffi::c_ulong;
            }
            entity::pads_init(&raw mut (*vdev).entity, pad, &[PadFlags::SINK])?;
        }
        Ok(this)
    }

    fn vdev(&self) -> *mut bindings::video_device {
        // SAFETY: By the type invariant `node` is valid.
        Opaque::cast_into(unsafe { &raw const (*self.node.as_ptr()).vdev })
    }

    /// The node's media entity, to link it to the sub-device that feeds it.
    pub fn entity(&self) -> &Entity {
        // SAFETY: The entity was initialised by `new` and lives as long as
        // the node.
        unsafe { Entity::from_raw(&raw mut (*self.vdev()).entity) }
    }

    /// Registers the node (`/dev/videoN`) with `data` as the driver's data,
    /// `module` (the driver's) owning its character device. The node is
    /// unregistered, and `data` dropped, when the returned
    /// [`Registration`] is.
    pub fn register(self, data: Arc<T>, module: &'static ThisModule) -> Result<Registration<T>> {
        let node = self.node.as_ptr();
        let vdev = self.vdev();
        let drv = Arc::as_ptr(&data).cast::<c_void>();
        // SAFETY: Not registered yet: no operation can run.
        unsafe {
            *(*node).drv.get() = drv;
            (*node).qstate.set_drv(drv);
        }
        // SAFETY: `vdev` is set up; `module` owns the driver's code (the
        // operation tables and `data`'s type), pinned by open files.
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
            // SAFETY: Not registered: no operation runs; `self` frees the
            // node when dropped.
            unsafe {
                *(*node).drv.get() = core::ptr::null();
                (*node).qstate.set_drv(core::ptr::null());
            }
            return Err(Error::from_errno(ret));
        }
        // The node is the core's now (not freed by our `Drop`), and the
        // core holds its own reference to the V4L2 device: drop ours.
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped nor used again: `_v4l2` is moved
        // out of it once.
        drop(unsafe { core::ptr::read(&this._v4l2) });
        // SAFETY: Registered: the core holds a reference to `vdev`'s device
        // until unregistration; we take ours, and from now on the core
        // frees the node through `node_release`.
        let dev: ARef<Device<T>> = unsafe {
            bindings::get_device(&raw mut (*vdev).dev);
            ARef::from_raw(NonNull::new_unchecked(vdev.cast()))
        };
        Ok(Registration { dev, data })
    }
}

impl<T: Ops + QueueOps> Drop for Unregistered<T> {
    fn drop(&mut self) {
        let node = self.node.as_ptr();
        // SAFETY: Never registered: the node is only ours. Its queue was
        // initialised (buffers are never allocated before registration)
        // and its entity is not part of any graph (and needs no cleanup).
        unsafe {
            bindings::vb2_queue_release(Opaque::cast_into(&raw const (*node).queue));
            drop(KBox::from_raw(node));
        }
    }
}

/// A registered video node (`struct video_device`) of driver data `T`.
///
/// Obtained from its [`Registration`]; drivers keep `ARef<Device<T>>` to
/// reach the node (its queue, its events) from elsewhere, e.g. their
/// interrupt handler. Holding one keeps the C objects alive, not the
/// registration nor the driver's data.
///
/// # Invariants
///
/// `self.0` is the `vdev` of a [`Node`] set up for `T` and registered
/// (possibly unregistered since), whose reference count is not zero.
#[repr(transparent)]
pub struct Device<T>(Opaque<bindings::video_device>, PhantomData<T>);

// SAFETY: The C video device may be used from any thread.
unsafe impl<T> Send for Device<T> {}
// SAFETY: Shared access only reaches C functions with their own locking.
unsafe impl<T> Sync for Device<T> {}

// SAFETY: The reference count is that of the video device's `struct
// device`; `node_release` frees the node when it reaches zero.
unsafe impl<T> AlwaysRefCounted for Device<T> {
    fn inc_ref(&self) {
        // SAFETY: `self` is valid, so its count is not zero.
        unsafe { bindings::get_device(&raw mut (*self.as_raw()).dev) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference.
        unsafe {
            bindings::put_device(&raw mut (*obj.as_ptr().cast::<bindings::video_device>()).dev)
        };
    }
}

impl<T> Device<T> {
    fn as_raw(&self) -> *mut bindings::video_device {
        self.0.get()
    }

    fn node(&self) -> *mut Node {
        // SAFETY: By the type invariant `self` is the first field of a
        // `Node`.
        unsafe { container_of!(Opaque::cast_from(self.as_raw()), Node, vdev) }.cast_mut()
    }

    /// The node's queue.
    pub fn queue(&self) -> &Queue {
        // SAFETY: The queue was initialised by `vb2::init` and lives as long
        // as the node.
        unsafe { Queue::from_raw(Opaque::cast_into(&raw const (*self.node()).queue)) }
    }

    /// The node's media entity.
    pub fn entity(&self) -> &Entity {
        // SAFETY: The entity was initialised and lives as long as the node.
        unsafe { Entity::from_raw(&raw mut (*self.as_raw()).entity) }
    }

    /// The node's name.
    pub fn name(&self) -> &CStr {
        // SAFETY: `name` is a NUL-terminated array of the node.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name.as_ptr()) }
    }

    /// Sends `event` to every file of the node subscribed to it
    /// (`v4l2_event_queue()`). Any context.
    pub fn queue_event(&self, event: &Event) {
        // SAFETY: The node is valid; `v4l2_event_queue` takes the node's
        // file handle spinlock with interrupts disabled.
        unsafe { bindings::v4l2_event_queue(self.as_raw(), &event.0) };
    }

    /// Starts the media pipeline of the node (`video_device_pipeline_alloc_start()`):
    /// validates the links of the pipeline the node belongs to the first
    /// time (`EPIPE`, `ENOLINK` on failure), and counts the node as
    /// streaming. The media core owns the pipeline object. Call it from
    /// [`QueueOps::start_streaming`], and [`Device::pipeline_stop`] from
    /// [`QueueOps::stop_streaming`] (or when starting fails afterwards).
    pub fn pipeline_start(&self) -> Result {
        // SAFETY: The node is registered with the media device (it is
        // streaming, so registered); the media core locks the graph.
        to_result(unsafe { bindings::video_device_pipeline_alloc_start(self.as_raw()) })
    }

    /// Stops the node's part of the pipeline started by
    /// [`Device::pipeline_start`].
    pub fn pipeline_stop(&self) {
        // SAFETY: Balanced with `pipeline_start` by the caller; the media
        // core checks an unbalanced stop.
        unsafe { bindings::video_device_pipeline_stop(self.as_raw()) };
    }

    /// How many nodes of the node's pipeline are started, 0 if none.
    pub fn pipeline_start_count(&self) -> u32 {
        let mdev = self.media_device();
        let _g = GraphLock::new(mdev);
        // SAFETY: The pipeline of a started node is valid while the graph
        // mutex is held.
        unsafe {
            let pipe = bindings::video_device_pipeline(self.as_raw());
            if pipe.is_null() {
                0
            } else {
                (*pipe).start_count.max(0) as u32
            }
        }
    }

    /// The pads of `entity` that are part of the node's started pipeline,
    /// as a mask of pad indices.
    pub fn pipeline_pads_of(&self, entity: &Entity) -> u64 {
        let mdev = self.media_device();
        let g = GraphLock::new(mdev);
        // SAFETY: As above; `entity` is an entity of the same device.
        unsafe {
            let pipe = bindings::video_device_pipeline(self.as_raw());
            if pipe.is_null() {
                0
            } else {
                crate::media::device::pipeline_entity_pads(&g, pipe, entity.as_raw())
            }
        }
    }

    /// The V4L2 device the node is registered on.
    pub fn v4l2_device(&self) -> &v4l2_device::Device {
        // SAFETY: The V4L2 device outlives the node (the core holds a
        // reference for it).
        unsafe { v4l2_device::Device::from_raw((*self.as_raw()).v4l2_dev) }
    }

    /// Takes the node's lock (the lock of its ioctls and queue), which
    /// waits for the ioctl or queue operation in progress, if any. Not from
    /// the node's own callbacks, which hold it already.
    pub fn lock(&self) -> LockGuard<'_> {
        // SAFETY: `lock` is the V4L2 device's video lock, which outlives
        // the node.
        let lock = unsafe { (*self.as_raw()).lock };
        // SAFETY: `lock` is an initialised mutex.
        unsafe { bindings::mutex_lock(lock) };
        LockGuard(lock, PhantomData)
    }

    fn media_device(&self) -> &crate::media::device::Device {
        // SAFETY: The V4L2 device outlives the node and has a media device.
        unsafe { v4l2_device::Device::from_raw((*self.as_raw()).v4l2_dev) }.media_device()
    }
}

/// The lock of a node, held; released when dropped.
pub struct LockGuard<'a>(*mut bindings::mutex, PhantomData<&'a ()>);

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: Locked by `Device::lock`, by this thread.
        unsafe { bindings::mutex_unlock(self.0) };
    }
}

/// A registered video node with its driver data; dropping it unregisters
/// the node and drops the data (see the module documentation).
pub struct Registration<T: Ops + QueueOps> {
    dev: ARef<Device<T>>,
    data: Arc<T>,
}

impl<T: Ops + QueueOps> Registration<T> {
    /// The node.
    pub fn device(&self) -> &ARef<Device<T>> {
        &self.dev
    }

    /// The driver's data.
    pub fn data(&self) -> &Arc<T> {
        &self.data
    }
}

impl<T: Ops + QueueOps> Drop for Registration<T> {
    fn drop(&mut self) {
        let vdev = self.dev.as_raw();
        let node = self.dev.node();
        // SAFETY: Registered by `Unregistered::register`, not unregistered
        // yet. `vb2_video_unregister_device` marks the node unregistered (no
        // ioctl starts any more), then, with the node lock held (so after
        // the ioctls in progress), stops streaming (driver code, `data` is
        // alive) and frees the buffers.
        unsafe { bindings::vb2_video_unregister_device(vdev) };
        {
            let _g = GraphLock::new(self.dev.media_device());
            // SAFETY: The entity is still in the graph of the media device
            // (until it or the node goes); under the graph mutex no
            // pipeline start or link setup uses its operations, and none
            // will after this.
            unsafe { (*vdev).entity.ops = core::ptr::null() };
        }
        // SAFETY: With the node lock held, no ioctl or queue operation
        // runs: detach the driver's data, so that files still open reach
        // nothing of the driver.
        unsafe {
            let lock = (*vdev).lock;
            bindings::mutex_lock(lock);
            vb2::detach(Opaque::cast_into(&raw const (*node).queue));
            *(*node).drv.get() = core::ptr::null();
            bindings::mutex_unlock(lock);
        }
        // `self.data` is dropped now; `self.dev` drops our reference (the
        // node is freed when the last file is closed).
    }
}

/// The driver's data of the node of `file`.
///
/// # Safety
///
/// `file` is a file of a node set up for `T`, and the V4L2 core is calling
/// one of its ioctl operations (so the node is registered, its lock held).
unsafe fn drv_of<'a, T>(file: *mut bindings::file) -> &'a T {
    // SAFETY: As the caller promises: `drv` is set while registered.
    unsafe {
        let vdev = bindings::video_devdata(file);
        let node = container_of!(Opaque::cast_from(vdev), Node, vdev);
        &*(*(*node).drv.get()).cast::<T>()
    }
}

/// The C operation tables of a node of `T`.
struct Adapter<T>(PhantomData<T>);

macro_rules! fmt_ops {
    ($t:ident, $op:ident, $has:ident) => {
        if $t::$has {
            Some(Adapter::<$t>::$op)
        } else {
            None
        }
    };
}

impl<T: Ops + QueueOps> Adapter<T> {
    const IOCTL_OPS: bindings::v4l2_ioctl_ops = {
        // SAFETY: All zeroes is a valid `v4l2_ioctl_ops` (no operations).
        let mut ops: bindings::v4l2_ioctl_ops = unsafe { core::mem::zeroed() };
        ops.vidioc_querycap = Some(Self::querycap);
        ops.vidioc_enum_fmt_vid_cap = fmt_ops!(T, enum_fmt, HAS_ENUM_FMT);
        ops.vidioc_enum_fmt_vid_out = fmt_ops!(T, enum_fmt, HAS_ENUM_FMT);
        ops.vidioc_enum_fmt_meta_cap = fmt_ops!(T, enum_fmt, HAS_ENUM_FMT);
        ops.vidioc_enum_fmt_meta_out = fmt_ops!(T, enum_fmt, HAS_ENUM_FMT);
        ops.vidioc_g_fmt_vid_cap = fmt_ops!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_g_fmt_vid_out = fmt_ops!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_g_fmt_vid_cap_mplane = fmt_ops!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_g_fmt_vid_out_mplane = fmt_ops!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_g_fmt_meta_cap = fmt_ops!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_g_fmt_meta_out = fmt_ops!(T, g_fmt, HAS_G_FMT);
        ops.vidioc_s_fmt_vid_cap = fmt_ops!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_s_fmt_vid_out = fmt_ops!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_s_fmt_vid_cap_mplane = fmt_ops!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_s_fmt_vid_out_mplane = fmt_ops!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_s_fmt_meta_cap = fmt_ops!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_s_fmt_meta_out = fmt_ops!(T, s_fmt, HAS_S_FMT);
        ops.vidioc_try_fmt_vid_cap = fmt_ops!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_try_fmt_vid_out = fmt_ops!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_try_fmt_vid_cap_mplane = fmt_ops!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_try_fmt_vid_out_mplane = fmt_ops!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_try_fmt_meta_cap = fmt_ops!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_try_fmt_meta_out = fmt_ops!(T, try_fmt, HAS_TRY_FMT);
        ops.vidioc_enum_framesizes = fmt_ops!(T, enum_framesizes, HAS_ENUM_FRAMESIZES);
        ops.vidioc_log_status = fmt_ops!(T, log_status, HAS_LOG_STATUS);
        if T::HAS_SUBSCRIBE_EVENT {
            ops.vidioc_subscribe_event = Some(Self::subscribe_event);
            ops.vidioc_unsubscribe_event = Some(bindings::v4l2_event_unsubscribe);
        }
        // The buffer ioctls are videobuf2's.
        ops.vidioc_reqbufs = Some(bindings::vb2_ioctl_reqbufs);
        ops.vidioc_create_bufs = Some(bindings::vb2_ioctl_create_bufs);
        ops.vidioc_prepare_buf = Some(bindings::vb2_ioctl_prepare_buf);
        ops.vidioc_querybuf = Some(bindings::vb2_ioctl_querybuf);
        ops.vidioc_qbuf = Some(bindings::vb2_ioctl_qbuf);
        ops.vidioc_dqbuf = Some(bindings::vb2_ioctl_dqbuf);
        ops.vidioc_expbuf = Some(bindings::vb2_ioctl_expbuf);
        ops.vidioc_streamon = Some(bindings::vb2_ioctl_streamon);
        ops.vidioc_streamoff = Some(bindings::vb2_ioctl_streamoff);
        ops
    };

    const ENTITY_OPS: bindings::media_entity_operations = bindings::media_entity_operations {
        get_fwnode_pad: None,
        link_setup: None,
        link_validate: if T::HAS_LINK_VALIDATE {
            Some(Self::link_validate)
        } else {
            None
        },
        has_pad_interdep: None,
    };

    /// # Safety
    ///
    /// Called by the V4L2 core as `querycap` of a node set up for `T`.
    unsafe extern "C" fn querycap(
        file: *mut bindings::file,
        _priv: *mut c_void,
        cap: *mut bindings::v4l2_capability,
    ) -> c_int {
        // SAFETY: Called by the V4L2 core for a node of `T`, with a valid
        // capability structure.
        let (this, cap) = unsafe { (drv_of::<T>(file), &mut *cap.cast::<Capability>()) };
        from_result(|| T::querycap(this, cap).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `enum_fmt` of a node set up for `T`.
    unsafe extern "C" fn enum_fmt(
        file: *mut bindings::file,
        _priv: *mut c_void,
        f: *mut bindings::v4l2_fmtdesc,
    ) -> c_int {
        // SAFETY: As in `querycap`; `file` has a `v4l2_fh`.
        let (this, fh, f) = unsafe { (drv_of::<T>(file), Fh::from_file(file), &mut *f.cast()) };
        from_result(|| T::enum_fmt(this, fh, f).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `g_fmt` of a node set up for `T`.
    unsafe extern "C" fn g_fmt(
        file: *mut bindings::file,
        _priv: *mut c_void,
        f: *mut bindings::v4l2_format,
    ) -> c_int {
        // SAFETY: As in `enum_fmt`.
        let (this, fh, f) = unsafe { (drv_of::<T>(file), Fh::from_file(file), &mut *f.cast()) };
        from_result(|| T::g_fmt(this, fh, f).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `s_fmt` of a node set up for `T`.
    unsafe extern "C" fn s_fmt(
        file: *mut bindings::file,
        _priv: *mut c_void,
        f: *mut bindings::v4l2_format,
    ) -> c_int {
        // SAFETY: As in `enum_fmt`.
        let (this, fh, f) = unsafe { (drv_of::<T>(file), Fh::from_file(file), &mut *f.cast()) };
        from_result(|| T::s_fmt(this, fh, f).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `try_fmt` of a node set up for `T`.
    unsafe extern "C" fn try_fmt(
        file: *mut bindings::file,
        _priv: *mut c_void,
        f: *mut bindings::v4l2_format,
    ) -> c_int {
        // SAFETY: As in `enum_fmt`.
        let (this, fh, f) = unsafe { (drv_of::<T>(file), Fh::from_file(file), &mut *f.cast()) };
        from_result(|| T::try_fmt(this, fh, f).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `enum_framesizes` of a node set up for `T`.
    unsafe extern "C" fn enum_framesizes(
        file: *mut bindings::file,
        _priv: *mut c_void,
        f: *mut bindings::v4l2_frmsizeenum,
    ) -> c_int {
        // SAFETY: As in `enum_fmt`.
        let (this, fh, f) = unsafe { (drv_of::<T>(file), Fh::from_file(file), &mut *f.cast()) };
        from_result(|| T::enum_framesizes(this, fh, f).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `log_status` of a node set up for `T`.
    unsafe extern "C" fn log_status(file: *mut bindings::file, _priv: *mut c_void) -> c_int {
        // SAFETY: As in `enum_fmt`.
        let (this, fh) = unsafe { (drv_of::<T>(file), Fh::from_file(file)) };
        from_result(|| T::log_status(this, fh).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `subscribe_event` of a node set up for `T`.
    unsafe extern "C" fn subscribe_event(
        fh: *mut bindings::v4l2_fh,
        sub: *const bindings::v4l2_event_subscription,
    ) -> c_int {
        // SAFETY: Called by the V4L2 core with the node lock held, for a
        // registered node of `T`; `fh` and `sub` are valid.
        let (this, fh, sub) = unsafe {
            let vdev = (*fh).vdev;
            let node = container_of!(Opaque::cast_from(vdev), Node, vdev);
            (
                &*(*(*node).drv.get()).cast::<T>(),
                &*fh.cast::<Fh>(),
                &*sub.cast::<EventSubscription>(),
            )
        };
        from_result(|| T::subscribe_event(this, fh, sub).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `link_validate` of a node set up for `T`.
    unsafe extern "C" fn link_validate(link: *mut bindings::media_link) -> c_int {
        // SAFETY: Called by the media core with the graph mutex held, for a
        // link whose sink is the pad of a node of `T`; the entity's
        // operations are cleared (under the same mutex) before the node's
        // driver data goes, so `drv` is set.
        let (this, link) = unsafe {
            let sink = (*link).__bindgen_anon_2.sink;
            let vdev = container_of!((*sink).entity, bindings::video_device, entity);
            let node = container_of!(Opaque::cast_from(vdev), Node, vdev);
            (&*(*(*node).drv.get()).cast::<T>(), Link::from_raw(link))
        };
        from_result(|| T::link_validate(this, link).map(|()| 0))
    }
}

/// The answer to `VIDIOC_QUERYCAP` (`struct v4l2_capability`).
#[repr(transparent)]
pub struct Capability(bindings::v4l2_capability);

impl Capability {
    /// Sets the driver name.
    pub fn set_driver(&mut self, name: &CStr) {
        copy_u8(&mut self.0.driver, name);
    }

    /// Sets the card (device) name.
    pub fn set_card(&mut self, name: &CStr) {
        copy_u8(&mut self.0.card, name);
    }

    /// Sets the bus information (e.g. `platform:<device name>`), for
    /// devices whose bus the core cannot name.
    pub fn set_bus_info(&mut self, info: &CStr) {
        copy_u8(&mut self.0.bus_info, info);
    }

    /// Adds the capabilities of other nodes of the device to those of the
    /// whole device (`capabilities`).
    pub fn add_capabilities(&mut self, caps: Caps) {
        self.0.capabilities |= caps.as_raw();
    }
}

fn copy_u8(dst: &mut [u8], src: &CStr) {
    let Some(room) = dst.len().checked_sub(1) else {
        return;
    };
    let b = src.to_bytes();
    let n = b.len().min(room);
    dst[..n].copy_from_slice(&b[..n]);
    dst[n..].fill(0);
}

/// A format description for `VIDIOC_ENUM_FMT` (`struct v4l2_fmtdesc`).
#[repr(transparent)]
pub struct FmtDesc(bindings::v4l2_fmtdesc);

impl FmtDesc {
    /// The index asked for.
    pub fn index(&self) -> u32 {
        self.0.index
    }

    /// The buffer type asked for.
    pub fn buf_type(&self) -> Option<vb2::BufType> {
        vb2::BufType::from_raw(self.0.type_)
    }

    /// The media bus code the formats must be compatible with, if user
    /// space restricts the enumeration to one.
    pub fn mbus_code(&self) -> Option<u32> {
        (self.0.mbus_code != 0).then_some(self.0.mbus_code)
    }

    /// Sets the format found.
    pub fn set_pixelformat(&mut self, f: FourCc) {
        self.0.pixelformat = f.as_raw();
    }

    /// Sets the format's flags (`V4L2_FMT_FLAG_*`).
    pub fn set_flags(&mut self, flags: u32) {
        self.0.flags = flags;
    }
}

/// A stream format (`struct v4l2_format`), as `VIDIOC_G/S/TRY_FMT` carry it.
#[repr(transparent)]
pub struct Format(bindings::v4l2_format);

impl Format {
    /// The buffer type.
    pub fn buf_type(&self) -> Option<vb2::BufType> {
        vb2::BufType::from_raw(self.0.type_)
    }

    fn is_pix(&self) -> bool {
        matches!(
            self.buf_type(),
            Some(vb2::BufType::VideoCapture | vb2::BufType::VideoOutput)
        )
    }

    fn is_meta(&self) -> bool {
        matches!(
            self.buf_type(),
            Some(vb2::BufType::MetaCapture | vb2::BufType::MetaOutput)
        )
    }

    /// The image format, for single-plane video types.
    pub fn pix(&self) -> Option<PixFormat> {
        self.is_pix().then(|| {
            // SAFETY: `pix` is the member of the union for these types;
            // every bit pattern is a valid `v4l2_pix_format`.
            let raw = unsafe { &*union_member!(self.0.fmt.pix, bindings::v4l2_pix_format) };
            PixFormat::from_raw(raw)
        })
    }

    /// Sets the image format: `EINVAL` for other types.
    pub fn set_pix(&mut self, p: &PixFormat) -> Result {
        if !self.is_pix() {
            return Err(EINVAL);
        }
        // SAFETY: The union is large enough for any of its members.
        unsafe { *union_member_mut!(self.0.fmt.pix, bindings::v4l2_pix_format) = p.to_raw() };
        Ok(())
    }

    /// The metadata format, for metadata types.
    pub fn meta(&self) -> Option<MetaFormat> {
        self.is_meta().then(|| {
            // SAFETY: `meta` is the member of the union for these types;
            // every bit pattern is a valid `v4l2_meta_format`.
            let raw = unsafe { &*union_member!(self.0.fmt.meta, bindings::v4l2_meta_format) };
            MetaFormat::from_raw(raw)
        })
    }

    /// Sets the metadata format: `EINVAL` for other types.
    pub fn set_meta(&mut self, m: &MetaFormat) -> Result {
        if !self.is_meta() {
            return Err(EINVAL);
        }
        // SAFETY: The union is large enough for any of its members.
        unsafe { *union_member_mut!(self.0.fmt.meta, bindings::v4l2_meta_format) = m.to_raw() };
        Ok(())
    }
}

/// A frame size enumeration (`struct v4l2_frmsizeenum`).
#[repr(transparent)]
pub struct FrmSizeEnum(bindings::v4l2_frmsizeenum);

impl FrmSizeEnum {
    /// The index asked for.
    pub fn index(&self) -> u32 {
        self.0.index
    }

    /// The pixel format asked about.
    pub fn pixel_format(&self) -> FourCc {
        FourCc::from_raw(self.0.pixel_format)
    }

    /// Answers with one size.
    pub fn set_discrete(&mut self, width: u32, height: u32) {
        self.0.type_ = bindings::v4l2_frmsizetypes_V4L2_FRMSIZE_TYPE_DISCRETE;
        // SAFETY: The union is large enough for any of its members.
        unsafe {
            *union_member_mut!(
                self.0.__bindgen_anon_1.discrete,
                bindings::v4l2_frmsize_discrete
            ) = bindings::v4l2_frmsize_discrete { width, height };
        }
    }

    /// Answers with a range of sizes, in steps.
    pub fn set_stepwise(&mut self, width: (u32, u32, u32), height: (u32, u32, u32)) {
        self.0.type_ = bindings::v4l2_frmsizetypes_V4L2_FRMSIZE_TYPE_STEPWISE;
        // SAFETY: The union is large enough for any of its members.
        unsafe {
            *union_member_mut!(
                self.0.__bindgen_anon_1.stepwise,
                bindings::v4l2_frmsize_stepwise
            ) = bindings::v4l2_frmsize_stepwise {
                min_width: width.0,
                max_width: width.1,
                step_width: width.2,
                min_height: height.0,
                max_height: height.1,
                step_height: height.2,
            };
        }
    }
}

/// An event subscription request (`struct v4l2_event_subscription`).
#[repr(transparent)]
pub struct EventSubscription(bindings::v4l2_event_subscription);

impl EventSubscription {
    /// The event type (`V4L2_EVENT_*`).
    pub fn event_type(&self) -> u32 {
        self.0.type_
    }

    /// The id (control id for control events).
    pub fn id(&self) -> u32 {
        self.0.id
    }
}

/// Any field order, let the driver choose (`V4L2_FIELD_ANY`).
pub const FIELD_ANY: u32 = bindings::v4l2_field_V4L2_FIELD_ANY;
/// Progressive frames (`V4L2_FIELD_NONE`).
pub const FIELD_NONE: u32 = bindings::v4l2_field_V4L2_FIELD_NONE;
/// A line-based metadata format (`V4L2_FMT_FLAG_META_LINE_BASED`): its
/// width, height and bytes per line are meaningful.
pub const FMT_FLAG_META_LINE_BASED: u32 = bindings::V4L2_FMT_FLAG_META_LINE_BASED;

/// The event type of frame start events (`V4L2_EVENT_FRAME_SYNC`).
pub const EVENT_FRAME_SYNC: u32 = bindings::V4L2_EVENT_FRAME_SYNC;

/// An event (`struct v4l2_event`).
pub struct Event(bindings::v4l2_event);

impl Event {
    /// A frame start event of frame `sequence`.
    pub fn frame_sync(sequence: u32) -> Self {
        // SAFETY: All zeroes is a valid event.
        let mut ev: bindings::v4l2_event = unsafe { core::mem::zeroed() };
        ev.type_ = bindings::V4L2_EVENT_FRAME_SYNC;
        // SAFETY: The union is large enough for any of its members.
        unsafe {
            (*union_member_mut!(ev.u.frame_sync, bindings::v4l2_event_frame_sync)).frame_sequence =
                sequence
        };
        Self(ev)
    }
}

/// A file handle of a node (`struct v4l2_fh`).
///
/// # Invariants
///
/// `self.0` is the valid file handle of an open file of a node.
#[repr(transparent)]
pub struct Fh(Opaque<bindings::v4l2_fh>);

impl Fh {
    /// # Safety
    ///
    /// `file` is an open file of a node, opened with `v4l2_fh_open()`, and
    /// stays open for `'a`.
    unsafe fn from_file<'a>(file: *mut bindings::file) -> &'a Self {
        // SAFETY: `private_data` of such a file is its `v4l2_fh`.
        unsafe { &*(*file).private_data.cast::<Fh>() }
    }

    /// The parent device of the node, bound while a callback that got
    /// `self` runs (the node is registered).
    pub fn parent(&self) -> &device::Device<Bound> {
        // SAFETY: `self` is only handed to callbacks, which run while the
        // node is registered; `dev_parent` is the parent device, bound
        // while its driver keeps the node registered.
        unsafe {
            let vdev = (*self.0.get()).vdev;
            <device::Device>::from_raw((*vdev).dev_parent).as_bound()
        }
    }

    /// Subscribes the file to the event `sub` asks for, keeping up to
    /// `elems` events not dequeued yet (`v4l2_event_subscribe()`).
    pub fn subscribe(&self, sub: &EventSubscription, elems: u32) -> Result {
        // SAFETY: `self` is a valid file handle; the core serialises
        // subscriptions with the handle's lock.
        to_result(unsafe {
            bindings::v4l2_event_subscribe(self.0.get(), &sub.0, elems as c_uint, core::ptr::null())
        })
    }
}
