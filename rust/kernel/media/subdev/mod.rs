// SPDX-License-Identifier: GPL-2.0

//! V4L2 sub-devices.
//!
//! C header: [`include/media/v4l2-subdev.h`](srctree/include/media/v4l2-subdev.h)
//!
//! A sub-device (`struct v4l2_subdev`) is a block of a media pipeline: a
//! sensor, a CSI-2 receiver, a scaler. It is a media entity with pads, has
//! its configuration in a centrally managed [`State`] (formats, selection
//! rectangles, routes between streams), may have controls, and has a device
//! node (`/dev/v4l-subdevN`) once a bridge registers it on its
//! `v4l2_device`.
//!
//! A driver describes its sub-device with a [`Config`], implements [`Ops`]
//! on its data type `T`, and gets an [`UnregisteredSubdev<T>`] from
//! [`UnregisteredSubdev::new_i2c`] (or [`UnregisteredSubdev::new`]). It then
//! registers it: a sensor with [`UnregisteredSubdev::register_sensor`]
//! (asynchronous registration, so that whichever bridge's notifier matches
//! its firmware node binds it), a bridge on its own `v4l2_device`. The
//! registration object lives in the driver's bound data; dropping it
//! unregisters the sub-device.
//!
//! # Lifetimes
//!
//! The C structure outlives the driver's data: a sub-device node that user
//! space keeps open after the driver unbinds still refers to it, and to its
//! control handler, until the last close. So the abstraction allocates the
//! sub-device (with the control handler and the state) itself and frees it
//! when both the driver's registration object and the core are done with it
//! (`internal_ops->release`); the release path runs only code of this
//! crate, not of the driver's module. The driver's data `T` is dropped when
//! the registration object is: after the sub-device is unregistered and
//! every callback that was already running has returned. Callbacks that C
//! makes later (an ioctl racing with the unregistration, a bridge still
//! holding the sub-device) get `ENODEV` without reaching the driver. See
//! `Documentation/media/rust-abstractions.rst`.
//!
//! # Examples
//!
//! ```ignore
//! use kernel::media::{entity::{Function, PadFlags}, subdev::{self, Config, Flags}};
//!
//! struct Sensor { /* ... */ }
//!
//! #[vtable]
//! impl subdev::Ops for Sensor {
//!     fn enum_mbus_code(sd: &subdev::Subdev<Self>, _state: &subdev::State,
//!                       code: &mut subdev::MbusCodeEnum) -> Result {
//!         if code.index() > 0 { return Err(EINVAL); }
//!         code.set_code(kernel::media::mbus::Code::SRGGB10_1X10);
//!         Ok(())
//!     }
//! }
//!
//! const CONFIG: Config<'static> = Config {
//!     name: c"sensor",
//!     function: Function::CAM_SENSOR,
//!     pads: &[PadFlags::SOURCE],
//!     flags: Flags::HAS_DEVNODE,
//!     entity_ops: subdev::EntityOps::NONE,
//! };
//!
//! let sd = subdev::UnregisteredSubdev::new_i2c(client, &CONFIG, None,
//!                                             kernel::static_lock_class!(), Sensor { })?;
//! let reg = sd.register_sensor(module)?; // keep `reg` in the driver's data
//! ```

pub mod args;
pub mod state;

pub use args::{
    Format, FrameDesc, FrameDescEntry, FrameDescType, FrameSizeEnum, MbusCodeEnum, MbusConfig,
    Route, Routing, SelTarget, Selection, Which, FRAME_DESC_ENTRY_MAX, ROUTE_FL_ACTIVE,
};
pub use state::{
    validate_routing, State, StateGuard, ROUTING_NO_1_TO_N, ROUTING_NO_MULTIPLEXING,
    ROUTING_NO_N_TO_1, ROUTING_NO_STREAM_MIX, ROUTING_ONLY_1_TO_1,
};

use crate::{
    bindings, container_of,
    device::{self, Bound},
    error::to_result,
    ffi::{c_int, c_void},
    i2c::I2cClient,
    media::{
        ctrls::{self, CtrlRef, HandlerCore, Locked},
        entity::{Entity, Function, Link, Pad, PadFlags},
        mbus::FrameFormat,
    },
    prelude::*,
    srcu::Srcu,
    sync::LockClassKey,
    types::Opaque,
    ThisModule,
};
use core::{
    marker::PhantomData,
    ptr::NonNull,
    sync::atomic::{AtomicPtr, AtomicUsize, Ordering},
};

/// The name of every sub-device's SRCU domain in lockdep reports. One static,
/// not a literal in the generic code that initialises the domain: that code is
/// instantiated in each driver module, each with its own copy of a literal,
/// while the lock class key, a static, is one for all; lockdep compares the
/// names of a class by address and warns when they differ.
static SRCU_NAME: &CStr = c"v4l2_subdev";

/// Sub-device flags (`V4L2_SUBDEV_FL_*`) a driver may set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags(u32);

impl Flags {
    /// No flag.
    pub const NONE: Self = Self(0);
    /// The sub-device gets a device node (`V4L2_SUBDEV_FL_HAS_DEVNODE`).
    pub const HAS_DEVNODE: Self = Self(bindings::V4L2_SUBDEV_FL_HAS_DEVNODE);
    /// The sub-device generates events; its controls' change events are
    /// subscribed to through its node (`V4L2_SUBDEV_FL_HAS_EVENTS`).
    pub const HAS_EVENTS: Self = Self(bindings::V4L2_SUBDEV_FL_HAS_EVENTS);
    /// The sub-device has routes and multiplexed streams
    /// (`V4L2_SUBDEV_FL_STREAMS`).
    pub const STREAMS: Self = Self(bindings::V4L2_SUBDEV_FL_STREAMS);

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for Flags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// The media entity operations a sub-device takes from the V4L2 core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntityOps {
    /// Validate links to the sink pads with the formats of both ends
    /// (`v4l2_subdev_link_validate()`, which calls [`Ops::link_validate`]).
    pub link_validate: bool,
    /// Pads depend on each other as the routing table says
    /// (`v4l2_subdev_has_pad_interdep()`).
    pub has_pad_interdep: bool,
    /// Firmware ports map one to one to pads
    /// (`v4l2_subdev_get_fwnode_pad_1_to_1()`).
    pub get_fwnode_pad_1_to_1: bool,
}

impl EntityOps {
    /// No entity operation, as for most sensors.
    pub const NONE: Self = Self {
        link_validate: false,
        has_pad_interdep: false,
        get_fwnode_pad_1_to_1: false,
    };
}

/// How a sub-device is set up.
pub struct Config<'a> {
    /// The name: for an I2C sub-device, the device name that the adapter
    /// number and address follow (`"imx219"` gives `"imx219 1-0010"`); for
    /// others, the whole name.
    pub name: &'a CStr,
    /// The entity function.
    pub function: Function,
    /// The pads.
    pub pads: &'a [PadFlags],
    /// The flags.
    pub flags: Flags,
    /// The entity operations.
    pub entity_ops: EntityOps,
}

/// The operations of a sub-device, implemented by its driver's data.
///
/// Every callback gets the sub-device (whose [`Subdev::data`] is the
/// driver's data and [`Subdev::dev`] its bound device) and, where the core
/// passes one, the [`State`] it locked: the active state or a file
/// handle's trial state. Callbacks not implemented are left NULL in the C
/// operation tables, so that the core's default applies (`get_fmt` reads
/// the state; a missing `link_validate` uses the default check).
#[vtable]
pub trait Ops: Sized + Send + Sync {
    /// Initialises a new state (active or trial) to the defaults
    /// (`init_state`).
    fn init_state(_sd: &Subdev<Self>, _state: &State) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Enumerates the media bus codes of a pad (`enum_mbus_code`).
    fn enum_mbus_code(_sd: &Subdev<Self>, _state: &State, _code: &mut MbusCodeEnum) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Enumerates the frame sizes of a code on a pad (`enum_frame_size`).
    fn enum_frame_size(_sd: &Subdev<Self>, _state: &State, _fse: &mut FrameSizeEnum) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Gets a format (`get_fmt`); without it, the state's format is
    /// returned (`v4l2_subdev_get_fmt()`).
    fn get_fmt(_sd: &Subdev<Self>, _state: &State, _fmt: &mut Format) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Sets a format, adjusting `fmt` to what is possible (`set_fmt`).
    fn set_fmt(_sd: &Subdev<Self>, _state: &State, _fmt: &mut Format) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Gets a selection rectangle (`get_selection`).
    fn get_selection(_sd: &Subdev<Self>, _state: &State, _sel: &mut Selection) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Sets a selection rectangle (`set_selection`).
    fn set_selection(_sd: &Subdev<Self>, _state: &State, _sel: &mut Selection) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Describes the streams a source pad sends (`get_frame_desc`).
    fn get_frame_desc(_sd: &Subdev<Self>, _pad: u32, _fd: &mut FrameDesc) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Gives the bus configuration of a pad (`get_mbus_config`).
    fn get_mbus_config(_sd: &Subdev<Self>, _pad: u32, _cfg: &mut MbusConfig) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Sets the routing table (`set_routing`), with [`Flags::STREAMS`].
    fn set_routing(
        _sd: &Subdev<Self>,
        _state: &State,
        _which: Which,
        _routing: &Routing,
    ) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Starts `streams` (a mask) on source `pad` (`enable_streams`); called
    /// through [`AnySubdev::enable_streams`] only.
    fn enable_streams(_sd: &Subdev<Self>, _state: &State, _pad: u32, _streams: u64) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Stops `streams` on source `pad` (`disable_streams`).
    fn disable_streams(_sd: &Subdev<Self>, _state: &State, _pad: u32, _streams: u64) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Checks that the formats of both ends of `link` into one of this
    /// sub-device's sink pads match (`link_validate`); see
    /// [`link_validate_default`].
    fn link_validate(
        _sd: &Subdev<Self>,
        _link: &Link,
        _source: &mut Format,
        _sink: &mut Format,
    ) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Applies a control's new value (`s_ctrl`). `state` is the active
    /// state, locked with the controls.
    fn s_ctrl(_sd: &Subdev<Self>, _state: &State, _locked: &Locked<'_>, _ctrl: &CtrlRef) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Checks a control's new value (`try_ctrl`).
    fn try_ctrl(
        _sd: &Subdev<Self>,
        _state: &State,
        _locked: &Locked<'_>,
        _ctrl: &CtrlRef,
    ) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Reads a volatile control from the hardware (`g_volatile_ctrl`).
    fn g_volatile_ctrl(
        _sd: &Subdev<Self>,
        _state: &State,
        _locked: &Locked<'_>,
        _ctrl: &CtrlRef,
    ) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// The default link validation (`v4l2_subdev_link_validate_default()`):
/// same size, code and field (with `V4L2_FIELD_NONE` on the sink for any
/// source field); `EPIPE` otherwise.
pub fn link_validate_default(
    sd: &AnySubdev,
    link: &Link,
    source: &mut Format,
    sink: &mut Format,
) -> Result {
    // SAFETY: All pointers are valid for the call.
    to_result(unsafe {
        bindings::v4l2_subdev_link_validate_default(
            sd.as_raw(),
            link.as_raw(),
            source.as_raw(),
            sink.as_raw(),
        )
    })
}

/// The frequency of the link at `pad`, a source pad of a transmitter
/// sub-device (`v4l2_get_link_freq()`): from its bus configuration, its
/// `V4L2_CID_LINK_FREQ` control, or estimated from `V4L2_CID_PIXEL_RATE`
/// times `mul` over `div`.
pub fn link_freq(pad: &Pad, mul: u32, div: u32) -> Result<i64> {
    if !pad.entity().is_v4l2_subdev() {
        return Err(EINVAL);
    }
    // SAFETY: `pad` is a valid pad of a sub-device's entity.
    let f = unsafe { bindings::v4l2_get_link_freq(pad.as_raw(), mul, div) };
    if f < 0 {
        Err(Error::from_errno(f as i32))
    } else {
        Ok(f)
    }
}

/// Any sub-device (`struct v4l2_subdev`): this driver's, or a remote one a
/// bridge drives.
///
/// # Invariants
///
/// `self.0` is a valid, initialised sub-device for the lifetime of the
/// reference.
#[repr(transparent)]
pub struct AnySubdev(Opaque<bindings::v4l2_subdev>);

// SAFETY: The sub-device API serialises its calls (state lock, control
// lock, the core's own locks).
unsafe impl Sync for AnySubdev {}

impl AnySubdev {
    /// # Safety
    ///
    /// `ptr` must be a valid, initialised sub-device for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::v4l2_subdev) -> &'a Self {
        // SAFETY: `AnySubdev` is transparent; the rest is the caller's
        // promise.
        unsafe { &*ptr.cast() }
    }

    /// The C sub-device.
    pub fn as_raw(&self) -> *mut bindings::v4l2_subdev {
        self.0.get()
    }

    /// The sub-device whose entity `entity` is, if it is a sub-device's
    /// (`media_entity_to_v4l2_subdev()`).
    pub fn from_entity(entity: &Entity) -> Option<&Self> {
        if !entity.is_v4l2_subdev() {
            return None;
        }
        // SAFETY: A sub-device's entity is embedded in it; the sub-device
        // lives as long as its entity, so as long as the borrow.
        Some(unsafe {
            Self::from_raw(container_of!(
                entity.as_raw(),
                bindings::v4l2_subdev,
                entity
            ))
        })
    }

    /// The name.
    pub fn name(&self) -> &CStr {
        // SAFETY: `name` is a NUL-terminated array in the sub-device.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name.as_ptr()) }
    }

    /// The media entity.
    pub fn entity(&self) -> &Entity {
        // SAFETY: The entity is embedded in the sub-device.
        unsafe { Entity::from_raw(&raw mut (*self.as_raw()).entity) }
    }

    /// The device the sub-device is for, if any.
    pub fn device(&self) -> Option<&device::Device> {
        // SAFETY: `dev` is NULL or a device that outlives the sub-device.
        let dev = unsafe { (*self.as_raw()).dev };
        if dev.is_null() {
            None
        } else {
            // SAFETY: As above.
            Some(unsafe { device::Device::from_raw(dev) })
        }
    }

    /// Whether any stream is enabled (`v4l2_subdev_is_streaming()`).
    pub fn is_streaming(&self) -> bool {
        // SAFETY: `self` is valid.
        unsafe { bindings::v4l2_subdev_is_streaming(self.as_raw()) }
    }

    /// Locks and returns the active state, for sub-devices with one.
    ///
    /// For a sub-device whose state lock is its control lock, do not lock
    /// its controls while holding this.
    pub fn lock_active_state(&self) -> Option<StateGuard<'_>> {
        // SAFETY: `self` is valid for the guard's lifetime.
        unsafe { StateGuard::lock(self.as_raw()) }
    }

    /// Enables `streams` (a mask) on source `pad`
    /// (`v4l2_subdev_enable_streams()`), which locks the sub-device's state
    /// and calls its `enable_streams` (or legacy `s_stream`).
    pub fn enable_streams(&self, pad: u32, streams: u64) -> Result {
        // SAFETY: `self` is valid.
        to_result(unsafe { bindings::v4l2_subdev_enable_streams(self.as_raw(), pad, streams) })
    }

    /// Disables `streams` on source `pad` (`v4l2_subdev_disable_streams()`).
    pub fn disable_streams(&self, pad: u32, streams: u64) -> Result {
        // SAFETY: `self` is valid.
        to_result(unsafe { bindings::v4l2_subdev_disable_streams(self.as_raw(), pad, streams) })
    }

    /// The frame descriptor of source `pad` (`get_frame_desc`);
    /// `ENOIOCTLCMD` if the sub-device does not implement it.
    pub fn get_frame_desc(&self, pad: u32) -> Result<FrameDesc> {
        let mut fd = FrameDesc::default();
        // SAFETY: `self` is valid; `fd` is valid for writes.
        to_result(unsafe {
            bindings::v4l2_subdev_call_get_frame_desc(self.as_raw(), pad, fd.as_raw())
        })?;
        Ok(fd)
    }

    /// The bus configuration of `pad` (`get_mbus_config`); `ENOIOCTLCMD`
    /// if the sub-device does not implement it.
    pub fn get_mbus_config(&self, pad: u32) -> Result<MbusConfig> {
        let mut cfg = MbusConfig::default();
        // SAFETY: `self` is valid; `cfg` is valid for writes.
        to_result(unsafe {
            bindings::v4l2_subdev_call_get_mbus_config(self.as_raw(), pad, cfg.as_raw())
        })?;
        Ok(cfg)
    }

    /// The active format of `stream` on `pad` (`get_fmt` on the active
    /// state, which the core locks).
    pub fn get_fmt_active(&self, pad: u32, stream: u32) -> Result<FrameFormat> {
        let mut f = Format::new(Which::Active, pad, stream);
        // SAFETY: `self` is valid; `f` is valid for the call.
        to_result(unsafe { bindings::v4l2_subdev_call_get_fmt_active(self.as_raw(), f.as_raw()) })?;
        Ok(f.format())
    }
}

/// The non-generic part of a sub-device this abstraction allocated: what
/// C may use until the last reference goes, freed by code of this crate.
///
/// # Invariants
///
/// - `sd` is initialised by `v4l2_subdev_init()`; its entity's pads are
///   `pads`; its control handler, if any, is `ctrls`, whose lock is also
///   the state lock.
/// - `data` is null or points to the live driver data next to the core
///   (in the `Subdev<T>` the core is the first field of).
/// - `refs` counts the owner (the unregistered sub-device or its
///   registration) and each registration on a `v4l2_device` not yet
///   released.
#[repr(C)]
#[pin_data]
struct Core {
    #[pin]
    sd: Opaque<bindings::v4l2_subdev>,
    #[pin]
    srcu: Srcu,
    data: AtomicPtr<c_void>,
    refs: AtomicUsize,
    finalized: bool,
    ctrls: Option<Pin<KBox<HandlerCore>>>,
    pads: KVec<bindings::media_pad>,
    ops: Opaque<bindings::v4l2_subdev_ops>,
    core_ops: Opaque<bindings::v4l2_subdev_core_ops>,
    entity_ops: Opaque<bindings::media_entity_operations>,
    #[pin]
    free_work: Opaque<bindings::delayed_work>,
}

impl Core {
    /// # Safety
    ///
    /// `sd` must be the sub-device of a live `Core`.
    unsafe fn from_sd<'a>(sd: *mut bindings::v4l2_subdev) -> &'a Self {
        // SAFETY: `sd` is the first field of the `repr(C)` `Core`.
        unsafe { &*sd.cast::<Self>() }
    }

    fn sd(&self) -> *mut bindings::v4l2_subdev {
        self.sd.get()
    }

    /// Drops a reference; frees the core if it was the last one.
    ///
    /// # Safety
    ///
    /// The caller owns a reference and does not use `this` afterwards.
    /// With `deferred`, the core may still write to the sub-device after
    /// the call (see `release_callback`).
    unsafe fn put(this: *const Self, deferred: bool) {
        // SAFETY: The caller owns a reference, so `this` is live.
        let core = unsafe { &*this };
        if core.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        if deferred {
            DEFERRED_FREES.fetch_add(1, Ordering::AcqRel);
            // SAFETY: `free_work` was initialised in `new`; nothing else
            // queues it; the core lives until the work frees it.
            unsafe {
                bindings::kext_schedule_delayed_work(core.free_work.get(), 1);
            }
        } else {
            // SAFETY: That was the last reference.
            unsafe { Self::free(this.cast_mut()) };
        }
    }

    /// Frees the sub-device, its state, controls and pads.
    ///
    /// # Safety
    ///
    /// No reference is left and C uses the sub-device no more; the driver's
    /// data was dropped (or never initialised).
    unsafe fn free(this: *mut Self) {
        // SAFETY: As required, `this` is live and unused.
        unsafe {
            if (*this).finalized {
                bindings::v4l2_subdev_cleanup((*this).sd());
            }
            // Drops the SRCU domain, the control handler and the pads.
            core::ptr::drop_in_place(this);
            // `this` is the start of the `KBox<Subdev<T>>` allocation.
            bindings::kfree(this.cast::<c_void>());
        }
    }
}

/// The `registered` internal operation of every sub-device of ours: the
/// `v4l2_device` it is registered on now holds a reference, dropped by
/// `release_callback`.
///
/// # Safety
///
/// Only called by the C core, with the valid pointers it documents.
unsafe extern "C" fn registered_callback(sd: *mut bindings::v4l2_subdev) -> c_int {
    // SAFETY: Called by the V4L2 core for one of our sub-devices, which is
    // live (its owner holds a reference during registration).
    let core = unsafe { Core::from_sd(sd) };
    core.refs.fetch_add(1, Ordering::AcqRel);
    0
}

/// The `release` internal operation: the core is done with the sub-device
/// registered on a `v4l2_device` (at unregistration, or at the last close
/// of its node).
///
/// `v4l2_subdev_release()` still clears `sd->devnode` after this returns,
/// so if this was the last reference the free is deferred to a work item
/// that waits for that write (`free_work_fn`).
///
/// # Safety
///
/// Only called by the C core, with the valid pointers it documents.
unsafe extern "C" fn release_callback(sd: *mut bindings::v4l2_subdev) {
    // SAFETY: The reference taken in `registered_callback` is ours to drop.
    unsafe { Core::put(Core::from_sd(sd), true) };
}

/// Frees a core whose last reference went in `release_callback`, once the
/// V4L2 core has finished its `sd->devnode = NULL` (it touches the
/// sub-device no more after that).
///
/// # Safety
///
/// Only called by the C core, with the valid pointers it documents.
unsafe extern "C" fn free_work_fn(work: *mut bindings::work_struct) {
    // SAFETY: `work` is the `work` of the `free_work` of a core whose last
    // reference is gone.
    let dwork = unsafe { container_of!(work, bindings::delayed_work, work) };
    // SAFETY: `free_work` is a field of `Core`.
    let core = unsafe { container_of!(Opaque::cast_from(dwork), Core, free_work) }.cast_mut();
    // SAFETY: `core` is live until we free it.
    let devnode = unsafe { core::ptr::read_volatile(&raw const (*(*core).sd()).devnode) };
    if !devnode.is_null() {
        // SAFETY: As in `Core::put`; we requeue ourselves.
        unsafe { bindings::kext_schedule_delayed_work(dwork, 1) };
        return;
    }
    // SAFETY: The last reference is gone and the V4L2 core is done.
    unsafe { Core::free(core) };
    DEFERRED_FREES.fetch_sub(1, Ordering::AcqRel);
}

/// The deferred frees queued and not done yet.
static DEFERRED_FREES: AtomicUsize = AtomicUsize::new(0);

/// Waits until the deferred frees are done: their work items run code of
/// this module, which must not go before them.
pub(crate) fn wait_for_deferred_frees() {
    while DEFERRED_FREES.load(Ordering::Acquire) != 0 {
        crate::time::delay::fsleep(crate::time::Delta::from_millis(1));
    }
}

/// A sub-device with driver data `T`, allocated by this abstraction.
///
/// # Invariants
///
/// A `&Subdev<T>` exists only while `data` holds the live driver data
/// (`core.data` points to it): inside callbacks, or borrowed from the
/// owner object ([`UnregisteredSubdev`], [`SensorRegistration`],
/// [`DeviceRegistration`]).
#[repr(C)]
#[pin_data]
pub struct Subdev<T: Ops> {
    #[pin]
    core: Core,
    data: Opaque<T>,
    _p: PhantomData<T>,
}

// SAFETY: The sub-device API serialises its calls; `T: Sync`.
unsafe impl<T: Ops> Sync for Subdev<T> {}
// SAFETY: As above; `T: Send`.
unsafe impl<T: Ops> Send for Subdev<T> {}

impl<T: Ops> core::ops::Deref for Subdev<T> {
    type Target = AnySubdev;

    fn deref(&self) -> &AnySubdev {
        // SAFETY: The sub-device is initialised and outlives `self`.
        unsafe { AnySubdev::from_raw(self.core.sd()) }
    }
}

impl<T: Ops> Subdev<T> {
    /// The driver's data.
    pub fn data(&self) -> &T {
        // SAFETY: By the type invariant the data is live while `self` is
        // borrowed.
        unsafe { &*self.data.get() }
    }

    /// The device the sub-device belongs to, bound while the driver's data
    /// lives.
    pub fn dev(&self) -> &device::Device<Bound> {
        // SAFETY: `sd->dev` was set at creation to the bound device of the
        // driver; the data (and so `self`) is dropped before it unbinds.
        unsafe { device::Device::<device::Normal>::from_raw((*self.core.sd()).dev).as_bound() }
    }

    /// A token for the control lock, from the locked `state` of this
    /// sub-device, whose state lock is its control lock; `None` if the
    /// sub-device has no controls.
    pub fn ctrls<'a>(&'a self, state: &'a State) -> Option<Locked<'a>> {
        let ctrls = self.core.ctrls.as_ref()?;
        if state.lock_ptr() != ctrls.lock_ptr() {
            return None;
        }
        // SAFETY: `state` is locked (type invariant of `State`) with the
        // handler's lock, for as long as the borrow of `state`.
        Some(unsafe { ctrls.locked_unchecked() })
    }

    /// Runs `f` with the sub-device if its driver data is live.
    ///
    /// # Safety
    ///
    /// `sd` must be the sub-device of a live `Subdev<T>`.
    unsafe fn with<R>(
        sd: *mut bindings::v4l2_subdev,
        f: impl FnOnce(&Self) -> Result<R>,
    ) -> Result<R> {
        // SAFETY: `sd` is a live core (the caller's promise).
        let core = unsafe { Core::from_sd(sd) };
        let _reader = core.srcu.read_lock();
        if core.data.load(Ordering::Acquire).is_null() {
            return Err(ENODEV);
        }
        // SAFETY: The core is the first field of the `repr(C)` `Subdev<T>`;
        // the data is live until the end of our read-side section, since
        // revocation waits for it.
        f(unsafe { &*sd.cast::<Self>() })
    }
}

/// A sub-device not registered yet; dropping it frees it.
///
/// # Invariants
///
/// `ptr` is a live `Subdev<T>` with live data, of which we own a reference,
/// not registered anywhere.
pub struct UnregisteredSubdev<T: Ops> {
    ptr: NonNull<Subdev<T>>,
}

// SAFETY: See `Subdev`.
unsafe impl<T: Ops> Send for UnregisteredSubdev<T> {}
// SAFETY: See `Subdev`.
unsafe impl<T: Ops> Sync for UnregisteredSubdev<T> {}

impl<T: Ops> core::ops::Deref for UnregisteredSubdev<T> {
    type Target = Subdev<T>;

    fn deref(&self) -> &Subdev<T> {
        // SAFETY: By the type invariant the sub-device and its data are live.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: Ops> UnregisteredSubdev<T> {
    /// Creates the sub-device of the I2C device `client`, in its probe,
    /// with the controls of `ctrls` (whose lock becomes the state lock)
    /// and driver data `data`, and initialises its active state
    /// ([`Ops::init_state`]). `key` is the lockdep class of the state lock
    /// of a sub-device without controls.
    pub fn new_i2c<E>(
        client: &I2cClient<device::Core<'_>>,
        cfg: &Config<'_>,
        ctrls: Option<ctrls::Handler<Subdev<T>>>,
        key: Pin<&'static LockClassKey>,
        data: impl PinInit<T, E>,
    ) -> Result<Self>
    where
        Error: From<E>,
    {
        let raw = core::ptr::from_ref(client)
            .cast::<bindings::i2c_client>()
            .cast_mut();
        // SAFETY: `client` is being probed, so `dev.driver` is its driver.
        let drv = unsafe { (*raw).dev.driver };
        if drv.is_null() {
            return Err(EINVAL);
        }
        Self::create(cfg, ctrls, key, data, |sd| {
            // SAFETY: `sd` is a zeroed sub-device being initialised; `raw`
            // is a valid client with a driver. As `v4l2_i2c_subdev_init()`,
            // except that the client's driver data stays the Rust driver's.
            unsafe {
                (*sd).flags |= bindings::V4L2_SUBDEV_FL_IS_I2C;
                (*sd).owner = (*drv).owner;
                (*sd).dev = &raw mut (*raw).dev;
                (*sd).dev_priv = raw.cast();
                bindings::v4l2_i2c_subdev_set_name(
                    sd,
                    raw,
                    cfg.name.as_char_ptr(),
                    core::ptr::null(),
                );
            }
            Ok(())
        })
    }

    /// Creates the sub-device of device `dev` (the driver's bound device,
    /// of module `module`), named `cfg.name`; see [`Self::new_i2c`].
    pub fn new<E>(
        dev: &device::Device<Bound>,
        module: &'static ThisModule,
        cfg: &Config<'_>,
        ctrls: Option<ctrls::Handler<Subdev<T>>>,
        key: Pin<&'static LockClassKey>,
        data: impl PinInit<T, E>,
    ) -> Result<Self>
    where
        Error: From<E>,
    {
        let dev_raw = crate::media::dev_raw(dev);
        Self::create(cfg, ctrls, key, data, |sd| {
            // SAFETY: `sd` is a sub-device being initialised; `name` is a
            // `[c_char; 52]` array that we fill NUL-terminated.
            unsafe {
                (*sd).owner = module.as_ptr();
                (*sd).dev = dev_raw;
                let name = &mut (*sd).name;
                let src = cfg.name.to_bytes();
                let n = src.len().min(name.len() - 1);
                for (d, s) in name.iter_mut().zip(&src[..n]) {
                    *d = *s as crate::ffi::c_char;
                }
                name[n] = 0;
            }
            Ok(())
        })
    }

    fn create<E>(
        cfg: &Config<'_>,
        ctrls: Option<ctrls::Handler<Subdev<T>>>,
        key: Pin<&'static LockClassKey>,
        data: impl PinInit<T, E>,
        setup: impl FnOnce(*mut bindings::v4l2_subdev) -> Result,
    ) -> Result<Self>
    where
        Error: From<E>,
    {
        let mut pads = KVec::with_capacity(cfg.pads.len(), GFP_KERNEL)?;
        for _ in cfg.pads {
            pads.push(pin_init::zeroed::<bindings::media_pad>(), GFP_KERNEL)?;
        }
        let boxed = KBox::pin_init::<Error>(
            try_pin_init!(Subdev::<T> {
                core <- try_pin_init!(Core {
                    sd: Opaque::zeroed(),
                    srcu <- Srcu::new(SRCU_NAME, crate::static_lock_class!()),
                    data: AtomicPtr::new(core::ptr::null_mut()),
                    refs: AtomicUsize::new(1),
                    finalized: false,
                    ctrls: None,
                    pads,
                    ops: Opaque::zeroed(),
                    core_ops: Opaque::zeroed(),
                    entity_ops: Opaque::zeroed(),
                    free_work <- Opaque::ffi_init(|w| {
                        // SAFETY: `w` is valid and pinned.
                        unsafe { bindings::kext_init_delayed_work(w, Some(free_work_fn)) }
                    }),
                }? Error),
                data: Opaque::uninit(),
                _p: PhantomData,
            }? Error),
            GFP_KERNEL,
        )?;
        // SAFETY: We only take the pointer; the allocation stays pinned and
        // is freed by `Core::free` (with `kfree`, as it was `kmalloc`ed).
        let ptr = KBox::into_raw(unsafe { Pin::into_inner_unchecked(boxed) });
        let core = ptr.cast::<Core>();
        // SAFETY: We own the only reference to the fresh allocation.
        match unsafe { Self::init(ptr, cfg, ctrls, key, data, setup) } {
            Ok(()) => Ok(Self {
                // SAFETY: `ptr` came from `KBox::into_raw`.
                ptr: unsafe { NonNull::new_unchecked(ptr) },
            }),
            Err(e) => {
                // SAFETY: Nothing else has the core; `init` left the data
                // unpublished and dropped.
                unsafe { Core::free(core) };
                Err(e)
            }
        }
    }

    /// # Safety
    ///
    /// `ptr` must be a fresh `Subdev<T>` no one else knows. On error, the
    /// data is not initialised (or dropped again) and unpublished.
    unsafe fn init<E>(
        ptr: *mut Subdev<T>,
        cfg: &Config<'_>,
        ctrls: Option<ctrls::Handler<Subdev<T>>>,
        key: Pin<&'static LockClassKey>,
        data: impl PinInit<T, E>,
        setup: impl FnOnce(*mut bindings::v4l2_subdev) -> Result,
    ) -> Result
    where
        Error: From<E>,
    {
        // SAFETY: Exclusive access (the caller's promise).
        let core = unsafe { &mut (*ptr).core };
        let sd = core.sd();
        // SAFETY: The tables live in the core, next to the sub-device.
        unsafe {
            let ops = core.ops.get();
            *ops = Adapter::<T>::OPS;
            if cfg.flags.contains(Flags::HAS_EVENTS) {
                let c = core.core_ops.get();
                (*c).subscribe_event = Some(bindings::v4l2_ctrl_subdev_subscribe_event);
                (*c).unsubscribe_event = Some(bindings::v4l2_event_subdev_unsubscribe);
                (*ops).core = c;
            }
            bindings::v4l2_subdev_init(sd, ops);
        }
        setup(sd)?;
        let eops = cfg.entity_ops;
        // SAFETY: Exclusive access; the tables are static or in the core.
        unsafe {
            (*sd).internal_ops = const { &Adapter::<T>::INTERNAL_OPS };
            (*sd).flags |= cfg.flags.0;
            (*sd).entity.function = cfg.function.as_raw();
            if eops != EntityOps::NONE {
                let e = core.entity_ops.get();
                if eops.link_validate {
                    (*e).link_validate = Some(bindings::v4l2_subdev_link_validate);
                }
                if eops.has_pad_interdep {
                    (*e).has_pad_interdep = Some(bindings::v4l2_subdev_has_pad_interdep);
                }
                if eops.get_fwnode_pad_1_to_1 {
                    (*e).get_fwnode_pad = Some(bindings::v4l2_subdev_get_fwnode_pad_1_to_1);
                }
                (*sd).entity.ops = e;
            }
        }
        if let Some(hdl) = ctrls {
            // SAFETY: The core dispatches the controls of this handler (see
            // `Dispatch for Subdev<T>`) and frees it last.
            let hdl = unsafe { hdl.into_owned(ptr.cast()) };
            // SAFETY: Exclusive access; the handler is pinned in its box,
            // which the core keeps until it is freed.
            unsafe {
                (*sd).ctrl_handler = hdl.as_raw();
                (*sd).state_lock = hdl.lock_ptr();
            }
            core.ctrls = Some(hdl);
        }
        // SAFETY: The pads live in the core, which the entity does not
        // outlive; the vector is never resized.
        unsafe {
            crate::media::entity::pads_init(
                &raw mut (*sd).entity,
                core.pads.as_mut_ptr(),
                cfg.pads,
            )?
        };

        // SAFETY: `data` is a fresh, pinned slot.
        unsafe { data.__pinned_init((*ptr).data.get()) }.map_err(Error::from)?;
        // SAFETY: `ptr` is valid (the caller's promise).
        core.data
            .store(unsafe { (*ptr).data.get() }.cast(), Ordering::Release);

        // SAFETY: The sub-device is fully set up; `key` is static.
        let ret = unsafe {
            bindings::__v4l2_subdev_init_finalize(
                sd,
                c"sd->active_state".as_char_ptr(),
                key.as_ptr(),
            )
        };
        if ret != 0 {
            core.data.store(core::ptr::null_mut(), Ordering::Release);
            // SAFETY: Published above, not shared: no reader exists.
            unsafe { core::ptr::drop_in_place((*ptr).data.get()) };
            return Err(Error::from_errno(ret));
        }
        core.finalized = true;
        Ok(())
    }

    /// Registers the sub-device of a sensor (or lens, flash) for the async
    /// framework (`v4l2_async_register_subdev_sensor()`): the bridge whose
    /// notifier waits for its firmware node binds it. `module` is the
    /// driver's module, which the sub-device pins while a bridge has it.
    pub fn register_sensor(self, module: &'static ThisModule) -> Result<SensorRegistration<T>> {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: The sub-device is set up and not registered.
        let ret = unsafe {
            bindings::__v4l2_async_register_subdev_sensor(this.core.sd(), module.as_ptr())
        };
        if ret != 0 {
            drop(core::mem::ManuallyDrop::into_inner(this));
            return Err(Error::from_errno(ret));
        }
        Ok(SensorRegistration { ptr: this.ptr })
    }

    /// Registers the sub-device on `v4l2_dev` (`v4l2_device_register_subdev()`),
    /// for a bridge's own sub-devices.
    ///
    /// # Safety
    ///
    /// `v4l2_dev` must be a registered `v4l2_device` that outlives the
    /// returned registration.
    // Used by the `v4l2_device` abstraction of bridges.
    #[allow(dead_code)]
    pub(crate) unsafe fn register_on(
        self,
        v4l2_dev: *mut bindings::v4l2_device,
    ) -> Result<DeviceRegistration<T>> {
        let this = core::mem::ManuallyDrop::new(self);
        let sd = this.core.sd();
        // SAFETY: `v4l2_dev` is valid (the caller's promise) and the
        // sub-device is set up and not registered.
        let ret = unsafe { bindings::__v4l2_device_register_subdev(v4l2_dev, sd, (*sd).owner) };
        if ret != 0 {
            drop(core::mem::ManuallyDrop::into_inner(this));
            return Err(Error::from_errno(ret));
        }
        Ok(DeviceRegistration { ptr: this.ptr })
    }
}

/// Revokes the driver's data of `ptr`, waits for running callbacks, drops
/// the data and the owner's reference.
///
/// # Safety
///
/// The caller owns the owner's reference of a live `Subdev<T>` with live
/// data, and C no longer starts new callbacks that matter (the sub-device
/// is unregistered).
unsafe fn teardown<T: Ops>(ptr: NonNull<Subdev<T>>) {
    let ptr = ptr.as_ptr();
    // SAFETY: The sub-device is live (the caller's promise).
    let core = unsafe { &(*ptr).core };
    core.data.store(core::ptr::null_mut(), Ordering::Release);
    // Callbacks that saw the data finish before this returns; later ones
    // see null.
    core.srcu.synchronize();
    // SAFETY: The data is live and unreachable now.
    unsafe { core::ptr::drop_in_place((*ptr).data.get()) };
    // SAFETY: We own the owner's reference; nothing runs after this on our
    // side.
    unsafe { Core::put(ptr.cast::<Core>(), false) };
}

impl<T: Ops> Drop for UnregisteredSubdev<T> {
    fn drop(&mut self) {
        // SAFETY: We own the owner's reference; the sub-device is not
        // registered.
        unsafe { teardown(self.ptr) };
    }
}

/// A sensor sub-device registered with the async framework
/// ([`UnregisteredSubdev::register_sensor`]); dropping it unregisters the
/// sub-device (unbinding it from its bridge), then drops the driver's data.
///
/// # Invariants
///
/// `ptr` is a live `Subdev<T>` with live data, async-registered, of which
/// we own the owner's reference.
pub struct SensorRegistration<T: Ops> {
    ptr: NonNull<Subdev<T>>,
}

// SAFETY: See `Subdev`.
unsafe impl<T: Ops> Send for SensorRegistration<T> {}
// SAFETY: See `Subdev`.
unsafe impl<T: Ops> Sync for SensorRegistration<T> {}

impl<T: Ops> core::ops::Deref for SensorRegistration<T> {
    type Target = Subdev<T>;

    fn deref(&self) -> &Subdev<T> {
        // SAFETY: By the type invariant the sub-device and data are live.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: Ops> Drop for SensorRegistration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered by `register_sensor`. This unbinds the
        // sub-device from its bridge (the bridge's `unbind` runs, and may
        // still call our operations) and unregisters it from the
        // `v4l2_device` and media device.
        unsafe { bindings::v4l2_async_unregister_subdev(self.core.sd()) };
        // SAFETY: We own the owner's reference; unregistered.
        unsafe { teardown(self.ptr) };
    }
}

/// A sub-device registered on a bridge's `v4l2_device`; dropping it
/// unregisters it, then drops the driver's data.
///
/// # Invariants
///
/// `ptr` is a live `Subdev<T>` with live data, registered on a
/// `v4l2_device` that outlives `self`, of which we own the owner's
/// reference.
pub struct DeviceRegistration<T: Ops> {
    ptr: NonNull<Subdev<T>>,
}

// SAFETY: See `Subdev`.
unsafe impl<T: Ops> Send for DeviceRegistration<T> {}
// SAFETY: See `Subdev`.
unsafe impl<T: Ops> Sync for DeviceRegistration<T> {}

impl<T: Ops> core::ops::Deref for DeviceRegistration<T> {
    type Target = Subdev<T>;

    fn deref(&self) -> &Subdev<T> {
        // SAFETY: By the type invariant the sub-device and data are live.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: Ops> Drop for DeviceRegistration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered by `register_on` on a `v4l2_device` that is
        // still alive (type invariant).
        unsafe { bindings::v4l2_device_unregister_subdev(self.core.sd()) };
        // SAFETY: We own the owner's reference; unregistered.
        unsafe { teardown(self.ptr) };
    }
}

// SAFETY: The owner pointer given to `into_owned` is the `Subdev<T>`, as
// the callbacks below expect, and they only reach `T` while its data is
// live (`Subdev::with`).
unsafe impl<T: Ops> ctrls::Dispatch for Subdev<T> {
    const HAS_S_CTRL: bool = T::HAS_S_CTRL;
    const HAS_TRY_CTRL: bool = T::HAS_TRY_CTRL;
    const HAS_G_VOLATILE_CTRL: bool = T::HAS_G_VOLATILE_CTRL;

    unsafe fn s_ctrl(owner: *mut c_void, locked: &Locked<'_>, ctrl: &CtrlRef) -> Result {
        // SAFETY: `owner` is our live `Subdev<T>`.
        unsafe { Adapter::<T>::ctrl_op(owner, |sd, st| T::s_ctrl(sd, st, locked, ctrl)) }
    }

    unsafe fn try_ctrl(owner: *mut c_void, locked: &Locked<'_>, ctrl: &CtrlRef) -> Result {
        // SAFETY: As above.
        unsafe { Adapter::<T>::ctrl_op(owner, |sd, st| T::try_ctrl(sd, st, locked, ctrl)) }
    }

    unsafe fn g_volatile_ctrl(owner: *mut c_void, locked: &Locked<'_>, ctrl: &CtrlRef) -> Result {
        // SAFETY: As above.
        unsafe { Adapter::<T>::ctrl_op(owner, |sd, st| T::g_volatile_ctrl(sd, st, locked, ctrl)) }
    }
}

/// The C return value of `r`.
fn to_ret(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// The C operation tables of `Subdev<T>` and their callbacks.
struct Adapter<T: Ops>(PhantomData<T>);

impl<T: Ops> Adapter<T> {
    const PAD_OPS: bindings::v4l2_subdev_pad_ops = bindings::v4l2_subdev_pad_ops {
        enum_mbus_code: if T::HAS_ENUM_MBUS_CODE {
            Some(Self::enum_mbus_code)
        } else {
            None
        },
        enum_frame_size: if T::HAS_ENUM_FRAME_SIZE {
            Some(Self::enum_frame_size)
        } else {
            None
        },
        get_fmt: if T::HAS_GET_FMT {
            Some(Self::get_fmt)
        } else {
            Some(bindings::v4l2_subdev_get_fmt)
        },
        set_fmt: if T::HAS_SET_FMT {
            Some(Self::set_fmt)
        } else {
            None
        },
        get_selection: if T::HAS_GET_SELECTION {
            Some(Self::get_selection)
        } else {
            None
        },
        set_selection: if T::HAS_SET_SELECTION {
            Some(Self::set_selection)
        } else {
            None
        },
        get_frame_desc: if T::HAS_GET_FRAME_DESC {
            Some(Self::get_frame_desc)
        } else {
            None
        },
        get_mbus_config: if T::HAS_GET_MBUS_CONFIG {
            Some(Self::get_mbus_config)
        } else {
            None
        },
        set_routing: if T::HAS_SET_ROUTING {
            Some(Self::set_routing)
        } else {
            None
        },
        enable_streams: if T::HAS_ENABLE_STREAMS {
            Some(Self::enable_streams)
        } else {
            None
        },
        disable_streams: if T::HAS_DISABLE_STREAMS {
            Some(Self::disable_streams)
        } else {
            None
        },
        link_validate: if T::HAS_LINK_VALIDATE {
            Some(Self::link_validate)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    const VIDEO_OPS: bindings::v4l2_subdev_video_ops = bindings::v4l2_subdev_video_ops {
        // Legacy callers of `s_stream` reach `enable_streams` through the
        // core's helper, as in C drivers.
        s_stream: if T::HAS_ENABLE_STREAMS {
            Some(bindings::v4l2_subdev_s_stream_helper)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    const OPS: bindings::v4l2_subdev_ops = bindings::v4l2_subdev_ops {
        pad: const { &Self::PAD_OPS },
        video: if T::HAS_ENABLE_STREAMS {
            const { &Self::VIDEO_OPS }
        } else {
            core::ptr::null()
        },
        ..pin_init::zeroed()
    };

    const INTERNAL_OPS: bindings::v4l2_subdev_internal_ops = bindings::v4l2_subdev_internal_ops {
        init_state: if T::HAS_INIT_STATE {
            Some(Self::init_state)
        } else {
            None
        },
        registered: Some(registered_callback),
        release: Some(release_callback),
        ..pin_init::zeroed()
    };

    /// Runs a control operation with the active state.
    ///
    /// # Safety
    ///
    /// `owner` is a live `Subdev<T>` whose control lock (its state lock) is
    /// held.
    unsafe fn ctrl_op(owner: *mut c_void, f: impl FnOnce(&Subdev<T>, &State) -> Result) -> Result {
        let sd = owner.cast::<bindings::v4l2_subdev>();
        // SAFETY: `owner` is our live sub-device.
        unsafe {
            Subdev::<T>::with(sd, |s| {
                let st = (*sd).active_state;
                if st.is_null() {
                    return Err(ENODEV);
                }
                // The active state's lock is the control lock, held.
                f(s, State::from_raw(st))
            })
        }
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn init_state(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
    ) -> c_int {
        // SAFETY: Called by the V4L2 core for our sub-device with a locked
        // state.
        let r = unsafe { Subdev::<T>::with(sd, |s| T::init_state(s, State::from_raw(state))) };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn enum_mbus_code(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
        code: *mut bindings::v4l2_subdev_mbus_code_enum,
    ) -> c_int {
        // SAFETY: As for `init_state`; `code` is valid for the call.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::enum_mbus_code(s, State::from_raw(state), MbusCodeEnum::from_raw(code))
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn enum_frame_size(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
        fse: *mut bindings::v4l2_subdev_frame_size_enum,
    ) -> c_int {
        // SAFETY: As for `enum_mbus_code`.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::enum_frame_size(s, State::from_raw(state), FrameSizeEnum::from_raw(fse))
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn get_fmt(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
        fmt: *mut bindings::v4l2_subdev_format,
    ) -> c_int {
        // SAFETY: As for `enum_mbus_code`.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::get_fmt(s, State::from_raw(state), Format::from_raw(fmt))
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn set_fmt(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
        fmt: *mut bindings::v4l2_subdev_format,
    ) -> c_int {
        // SAFETY: As for `enum_mbus_code`.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::set_fmt(s, State::from_raw(state), Format::from_raw(fmt))
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn get_selection(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
        sel: *mut bindings::v4l2_subdev_selection,
    ) -> c_int {
        // SAFETY: As for `enum_mbus_code`.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::get_selection(s, State::from_raw(state), Selection::from_raw(sel))
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn set_selection(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
        sel: *mut bindings::v4l2_subdev_selection,
    ) -> c_int {
        // SAFETY: As for `enum_mbus_code`.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::set_selection(s, State::from_raw(state), Selection::from_raw(sel))
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn get_frame_desc(
        sd: *mut bindings::v4l2_subdev,
        pad: u32,
        fd: *mut bindings::v4l2_mbus_frame_desc,
    ) -> c_int {
        // SAFETY: Called by the V4L2 core (or a bridge through
        // `v4l2_subdev_call`) for our sub-device; `fd` is valid.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| T::get_frame_desc(s, pad, FrameDesc::from_raw(fd)))
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn get_mbus_config(
        sd: *mut bindings::v4l2_subdev,
        pad: u32,
        cfg: *mut bindings::v4l2_mbus_config,
    ) -> c_int {
        // SAFETY: As for `get_frame_desc`.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::get_mbus_config(s, pad, MbusConfig::from_raw(cfg))
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn set_routing(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
        which: bindings::v4l2_subdev_format_whence,
        routing: *mut bindings::v4l2_subdev_krouting,
    ) -> c_int {
        // SAFETY: As for `enum_mbus_code`; `routing` is valid for the call.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::set_routing(
                    s,
                    State::from_raw(state),
                    Which::from_raw(which),
                    Routing::from_raw(routing),
                )
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn enable_streams(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
        pad: u32,
        streams: u64,
    ) -> c_int {
        // SAFETY: As for `init_state`.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::enable_streams(s, State::from_raw(state), pad, streams)
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn disable_streams(
        sd: *mut bindings::v4l2_subdev,
        state: *mut bindings::v4l2_subdev_state,
        pad: u32,
        streams: u64,
    ) -> c_int {
        // SAFETY: As for `init_state`.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::disable_streams(s, State::from_raw(state), pad, streams)
            })
        };
        to_ret(r)
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn link_validate(
        sd: *mut bindings::v4l2_subdev,
        link: *mut bindings::media_link,
        source: *mut bindings::v4l2_subdev_format,
        sink: *mut bindings::v4l2_subdev_format,
    ) -> c_int {
        // SAFETY: Called by `v4l2_subdev_link_validate()` for a link into
        // our sub-device, with the two formats it read.
        let r = unsafe {
            Subdev::<T>::with(sd, |s| {
                T::link_validate(
                    s,
                    Link::from_raw(link),
                    Format::from_raw(source),
                    Format::from_raw(sink),
                )
            })
        };
        to_ret(r)
    }
}
