// SPDX-License-Identifier: GPL-2.0

//! V4L2 controls.
//!
//! C header: [`include/media/v4l2-ctrls.h`](srctree/include/media/v4l2-ctrls.h)
//!
//! A [`Handler`] (`struct v4l2_ctrl_handler`) holds a device's controls and
//! the mutex that serialises them. It is allocated on its own and, once its
//! controls are created, handed to the object that exposes them (a
//! sub-device, a video device): that object owns it from then on, keeps it
//! as long as C may use it (an open device node may outlive the driver) and
//! dispatches the control operations (`s_ctrl`, `try_ctrl`,
//! `g_volatile_ctrl`) to its driver's callbacks, through [`Dispatch`].
//!
//! A [`Ctrl`] is a handle on one control. What reads or changes a control
//! needs the handler's lock, proven by a [`Locked`] token: callbacks get
//! one, [`Handler::lock`] makes one, and a sub-device whose state lock is
//! its control lock gives one with its locked state.
//!
//! # Examples
//!
//! ```ignore
//! use kernel::media::ctrls::{Handler, Id};
//!
//! let mut hdl = Handler::<MySubdev>::new(4, c"my-ctrls", kernel::static_lock_class!())?;
//! let exposure = hdl.new_std(Id::EXPOSURE, 4, 1000, 1, 500)?;
//! let hflip = hdl.new_std(Id::HFLIP, 0, 1, 1, 0)?;
//! {
//!     let locked = hdl.lock();
//!     assert_eq!(exposure.val(&locked)?, 500);
//!     hflip.s_ctrl(&locked, 1)?;
//! }
//! ```

use crate::{
    bindings,
    error::{from_result, to_result},
    ffi::{c_char, c_int, c_void},
    media::fwnode::DeviceProperties,
    prelude::*,
    sync::LockClassKey,
    types::Opaque,
};
use core::{
    marker::PhantomData,
    ptr::NonNull,
    sync::atomic::{AtomicPtr, AtomicU64, Ordering},
};

/// A control ID (`V4L2_CID_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id(u32);

macro_rules! ids {
    ($($(#[$m:meta])* $name:ident = $c:ident;)*) => {
        impl Id {
            $($(#[$m])* pub const $name: Self = Self(bindings::$c);)*
        }
    };
}

ids! {
    /// Brightness.
    BRIGHTNESS = V4L2_CID_BRIGHTNESS;
    /// Contrast.
    CONTRAST = V4L2_CID_CONTRAST;
    /// Saturation.
    SATURATION = V4L2_CID_SATURATION;
    /// Hue.
    HUE = V4L2_CID_HUE;
    /// Gain.
    GAIN = V4L2_CID_GAIN;
    /// Exposure time, in lines for sensors.
    EXPOSURE = V4L2_CID_EXPOSURE;
    /// Horizontal mirror.
    HFLIP = V4L2_CID_HFLIP;
    /// Vertical flip.
    VFLIP = V4L2_CID_VFLIP;
    /// Analogue gain.
    ANALOGUE_GAIN = V4L2_CID_ANALOGUE_GAIN;
    /// Digital gain.
    DIGITAL_GAIN = V4L2_CID_DIGITAL_GAIN;
    /// Vertical blanking, in lines.
    VBLANK = V4L2_CID_VBLANK;
    /// Horizontal blanking, in pixels.
    HBLANK = V4L2_CID_HBLANK;
    /// Test pattern colour component: red.
    TEST_PATTERN_RED = V4L2_CID_TEST_PATTERN_RED;
    /// Test pattern colour component: green next to red.
    TEST_PATTERN_GREENR = V4L2_CID_TEST_PATTERN_GREENR;
    /// Test pattern colour component: blue.
    TEST_PATTERN_BLUE = V4L2_CID_TEST_PATTERN_BLUE;
    /// Test pattern colour component: green next to blue.
    TEST_PATTERN_GREENB = V4L2_CID_TEST_PATTERN_GREENB;
    /// Link frequency (integer menu), Hz.
    LINK_FREQ = V4L2_CID_LINK_FREQ;
    /// Pixel rate, pixels per second.
    PIXEL_RATE = V4L2_CID_PIXEL_RATE;
    /// Test pattern (menu).
    TEST_PATTERN = V4L2_CID_TEST_PATTERN;
    /// Camera orientation (menu), from firmware.
    CAMERA_ORIENTATION = V4L2_CID_CAMERA_ORIENTATION;
    /// Camera sensor rotation, degrees, from firmware.
    CAMERA_SENSOR_ROTATION = V4L2_CID_CAMERA_SENSOR_ROTATION;
}

impl Id {
    /// The ID from its `V4L2_CID_*` value.
    pub const fn from_raw(raw: u32) -> Self {
        Self(raw)
    }

    /// The `V4L2_CID_*` value.
    pub const fn as_raw(self) -> u32 {
        self.0
    }

    /// The ID `n` after this one (`V4L2_CID_TEST_PATTERN_RED + n`, ...).
    pub const fn offset(self, n: u32) -> Self {
        Self(self.0 + n)
    }
}

/// Control flags (`V4L2_CTRL_FLAG_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags(u32);

impl Flags {
    /// Grabbed: cannot change (`V4L2_CTRL_FLAG_GRABBED`).
    pub const GRABBED: Self = Self(bindings::V4L2_CTRL_FLAG_GRABBED);
    /// Read-only (`V4L2_CTRL_FLAG_READ_ONLY`).
    pub const READ_ONLY: Self = Self(bindings::V4L2_CTRL_FLAG_READ_ONLY);
    /// Changing it may change other controls (`V4L2_CTRL_FLAG_UPDATE`).
    pub const UPDATE: Self = Self(bindings::V4L2_CTRL_FLAG_UPDATE);
    /// Inactive (`V4L2_CTRL_FLAG_INACTIVE`).
    pub const INACTIVE: Self = Self(bindings::V4L2_CTRL_FLAG_INACTIVE);
    /// Volatile: read from the hardware with `g_volatile_ctrl`
    /// (`V4L2_CTRL_FLAG_VOLATILE`).
    pub const VOLATILE: Self = Self(bindings::V4L2_CTRL_FLAG_VOLATILE);
    /// Written even if unchanged (`V4L2_CTRL_FLAG_EXECUTE_ON_WRITE`).
    pub const EXECUTE_ON_WRITE: Self = Self(bindings::V4L2_CTRL_FLAG_EXECUTE_ON_WRITE);
    /// Changes the buffer layout, e.g. the Bayer order
    /// (`V4L2_CTRL_FLAG_MODIFY_LAYOUT`).
    pub const MODIFY_LAYOUT: Self = Self(bindings::V4L2_CTRL_FLAG_MODIFY_LAYOUT);

    /// The `V4L2_CTRL_FLAG_*` bits.
    pub const fn as_raw(self) -> u32 {
        self.0
    }
}

impl core::ops::BitOr for Flags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// The names of a menu control's items, as C keeps them: an array of C
/// string pointers that lives as long as the control.
///
/// # Examples
///
/// ```
/// use kernel::media::ctrls::Menu;
///
/// static PATTERNS: Menu<3> = Menu::new([c"Disabled", c"Color Bars", c"PN9"]);
/// assert_eq!(PATTERNS.len(), 3);
/// ```
pub struct Menu<const N: usize>([*const c_char; N]);

// SAFETY: The pointers are to `'static` C strings, only ever read.
unsafe impl<const N: usize> Sync for Menu<N> {}

impl<const N: usize> Menu<N> {
    /// The menu of `items`, in order.
    pub const fn new(items: [&'static CStr; N]) -> Self {
        let mut ptrs = [core::ptr::null(); N];
        let mut i = 0;
        while i < N {
            ptrs[i] = items[i].to_bytes_with_nul().as_ptr().cast();
            i += 1;
        }
        Self(ptrs)
    }

    /// The number of items.
    pub const fn len(&self) -> usize {
        N
    }

    /// Whether the menu is empty.
    pub const fn is_empty(&self) -> bool {
        N == 0
    }
}

/// What owns a [`Handler`] once its controls are created, and runs their
/// operations.
///
/// # Safety
///
/// Implementers must pass to [`Handler::into_owned`] the owner pointer that
/// their `s_ctrl`/`try_ctrl`/`g_volatile_ctrl` expect, and these must only
/// call driver code while the driver's data is alive.
pub unsafe trait Dispatch {
    /// Whether `s_ctrl` is implemented.
    const HAS_S_CTRL: bool;
    /// Whether `try_ctrl` is implemented.
    const HAS_TRY_CTRL: bool;
    /// Whether `g_volatile_ctrl` is implemented.
    const HAS_G_VOLATILE_CTRL: bool;

    /// Applies the new value of `ctrl` (`s_ctrl`).
    ///
    /// # Safety
    ///
    /// `owner` is the pointer the owner gave [`Handler::into_owned`], the
    /// handler of `ctrl` is that handler and its lock is held (`locked`).
    unsafe fn s_ctrl(owner: *mut c_void, locked: &Locked<'_>, ctrl: &CtrlRef) -> Result;

    /// Checks the new value of `ctrl` (`try_ctrl`).
    ///
    /// # Safety
    ///
    /// As for [`Dispatch::s_ctrl`].
    unsafe fn try_ctrl(owner: *mut c_void, locked: &Locked<'_>, ctrl: &CtrlRef) -> Result;

    /// Reads the value of a volatile `ctrl` from the hardware into its new
    /// value (`g_volatile_ctrl`).
    ///
    /// # Safety
    ///
    /// As for [`Dispatch::s_ctrl`].
    unsafe fn g_volatile_ctrl(owner: *mut c_void, locked: &Locked<'_>, ctrl: &CtrlRef) -> Result;
}

/// The dispatch of a handler whose controls have no operations: they hold
/// values set by user space (range-checked by the control core) that the
/// driver reads when it needs them, e.g. the codec controls of a mem2mem
/// context read at the start of each job.
pub enum NoOps {}

// SAFETY: No callback is installed (every `HAS_*` is false), so none is
// ever called with any owner pointer.
unsafe impl Dispatch for NoOps {
    const HAS_S_CTRL: bool = false;
    const HAS_TRY_CTRL: bool = false;
    const HAS_G_VOLATILE_CTRL: bool = false;

    unsafe fn s_ctrl(_owner: *mut c_void, _locked: &Locked<'_>, _ctrl: &CtrlRef) -> Result {
        Err(EINVAL)
    }

    unsafe fn try_ctrl(_owner: *mut c_void, _locked: &Locked<'_>, _ctrl: &CtrlRef) -> Result {
        Err(EINVAL)
    }

    unsafe fn g_volatile_ctrl(
        _owner: *mut c_void,
        _locked: &Locked<'_>,
        _ctrl: &CtrlRef,
    ) -> Result {
        Err(EINVAL)
    }
}

/// The non-generic part of a handler: what its owner frees with it.
///
/// # Invariants
///
/// `hdl` is an initialised control handler; `id` is unique among all
/// handlers ever made; `owner` is null or the pointer of its owner.
#[repr(C)]
#[pin_data(PinnedDrop)]
pub(crate) struct HandlerCore {
    #[pin]
    hdl: Opaque<bindings::v4l2_ctrl_handler>,
    id: u64,
    owner: AtomicPtr<c_void>,
}

static NEXT_HANDLER_ID: AtomicU64 = AtomicU64::new(1);

impl HandlerCore {
    /// The C handler.
    pub(crate) fn as_raw(&self) -> *mut bindings::v4l2_ctrl_handler {
        self.hdl.get()
    }

    /// The mutex of the handler (`hdl->lock`), which sub-devices also use as
    /// their state lock.
    pub(crate) fn lock_ptr(&self) -> *mut bindings::mutex {
        // SAFETY: By the type invariant the handler is initialised.
        unsafe { (*self.as_raw()).lock }
    }

    /// # Safety
    ///
    /// `hdl` must be the handler of a live `HandlerCore`.
    unsafe fn from_hdl<'a>(hdl: *mut bindings::v4l2_ctrl_handler) -> &'a Self {
        // SAFETY: `hdl` is the first field of the `repr(C)` `HandlerCore`.
        unsafe { &*hdl.cast::<Self>() }
    }

    /// A token saying that this handler's lock is held.
    ///
    /// # Safety
    ///
    /// The handler's lock must be held for `'a`.
    pub(crate) unsafe fn locked_unchecked(&self) -> Locked<'_> {
        Locked { core: self }
    }
}

#[pinned_drop]
impl PinnedDrop for HandlerCore {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant the handler is initialised; its
        // owner calls no control operation any more. The return value is the
        // handler's creation error, already reported.
        let _ = unsafe { bindings::v4l2_ctrl_handler_free(self.as_raw()) };
    }
}

/// A control handler whose operations are dispatched by `D`.
///
/// # Invariants
///
/// `core` is initialised and has no owner yet.
pub struct Handler<D: Dispatch> {
    core: Pin<KBox<HandlerCore>>,
    _p: PhantomData<D>,
}

// SAFETY: The C handler is protected by its mutex; `Handler` gives `&mut`
// access only to creation functions, which the exclusive borrow serialises.
unsafe impl<D: Dispatch> Send for Handler<D> {}
// SAFETY: `&Handler` only allows locking the handler.
unsafe impl<D: Dispatch> Sync for Handler<D> {}

impl<D: Dispatch> Handler<D> {
    const OPS: bindings::v4l2_ctrl_ops = bindings::v4l2_ctrl_ops {
        s_ctrl: if D::HAS_S_CTRL {
            Some(s_ctrl_callback::<D>)
        } else {
            None
        },
        try_ctrl: if D::HAS_TRY_CTRL {
            Some(try_ctrl_callback::<D>)
        } else {
            None
        },
        g_volatile_ctrl: if D::HAS_G_VOLATILE_CTRL {
            Some(g_volatile_ctrl_callback::<D>)
        } else {
            None
        },
    };

    fn ops() -> *const bindings::v4l2_ctrl_ops {
        const { &Self::OPS }
    }

    /// Allocates an empty handler sized for about `nr_hint` controls, whose
    /// mutex belongs to lockdep class `key`, called `name`.
    pub fn new(nr_hint: u32, name: &'static CStr, key: Pin<&'static LockClassKey>) -> Result<Self> {
        let core = KBox::pin_init(
            try_pin_init!(HandlerCore {
                hdl <- Opaque::try_ffi_init(|slot: *mut bindings::v4l2_ctrl_handler| {
                    // SAFETY: `slot` is valid and pinned; `key` and `name` are
                    // static. The C init leaves fields (`cached`, ...) to a
                    // zeroed structure, as C drivers embed it in zeroed memory.
                    to_result(unsafe {
                        slot.write_bytes(0, 1);
                        bindings::v4l2_ctrl_handler_init_class(
                            slot,
                            nr_hint,
                            key.as_ptr(),
                            name.as_char_ptr(),
                        )
                    })
                }),
                id: NEXT_HANDLER_ID.fetch_add(1, Ordering::Relaxed),
                owner: AtomicPtr::new(core::ptr::null_mut()),
            }),
            GFP_KERNEL,
        )?;
        // INVARIANT: initialised, no owner.
        Ok(Self {
            core,
            _p: PhantomData,
        })
    }

    fn hdl(&self) -> *mut bindings::v4l2_ctrl_handler {
        self.core.as_raw()
    }

    /// The C handler, for a file handle that serves its controls.
    pub(crate) fn as_raw(&self) -> *mut bindings::v4l2_ctrl_handler {
        self.hdl()
    }

    /// The first error of a control creation, if any; later creations are
    /// no-ops once there was one, as in C.
    pub fn error(&self) -> Result {
        // SAFETY: `hdl()` is initialised; `error` is only written by
        // creation functions, which need `&mut self`.
        to_result(unsafe { (*self.hdl()).error })
    }

    fn wrap(&self, ctrl: *mut bindings::v4l2_ctrl, id: Id) -> Result<Ctrl> {
        match NonNull::new(ctrl) {
            Some(ptr) => Ok(Ctrl {
                ptr,
                hid: self.core.id,
                id,
            }),
            None => {
                self.error()?;
                Err(EINVAL)
            }
        }
    }

    /// Adds the standard integer, boolean, button or 64-bit integer
    /// control `id` (`v4l2_ctrl_new_std()`), with its range and default.
    pub fn new_std(&mut self, id: Id, min: i64, max: i64, step: u64, def: i64) -> Result<Ctrl> {
        // SAFETY: `hdl()` is initialised and we have exclusive access;
        // `ops()` is static.
        let ctrl = unsafe {
            bindings::v4l2_ctrl_new_std(self.hdl(), Self::ops(), id.0, min, max, step, def)
        };
        self.wrap(ctrl, id)
    }

    /// Adds the standard menu control `id` with the standard item names,
    /// items `0..=max` except those in `skip_mask` (`v4l2_ctrl_new_std_menu()`).
    pub fn new_std_menu(&mut self, id: Id, max: u8, skip_mask: u64, def: u8) -> Result<Ctrl> {
        // SAFETY: As for `new_std`.
        let ctrl = unsafe {
            bindings::v4l2_ctrl_new_std_menu(self.hdl(), Self::ops(), id.0, max, skip_mask, def)
        };
        self.wrap(ctrl, id)
    }

    /// Adds the standard menu control `id` with the driver's `items`
    /// (`v4l2_ctrl_new_std_menu_items()`): items `0..items.len()` except
    /// those in `skip_mask`.
    pub fn new_std_menu_items<const N: usize>(
        &mut self,
        id: Id,
        items: &'static Menu<N>,
        skip_mask: u64,
        def: u8,
    ) -> Result<Ctrl> {
        let max = u8::try_from(N.checked_sub(1).ok_or(EINVAL)?)?;
        // SAFETY: As for `new_std`; `items` has `max + 1` static entries.
        let ctrl = unsafe {
            bindings::v4l2_ctrl_new_std_menu_items(
                self.hdl(),
                Self::ops(),
                id.0,
                max,
                skip_mask,
                def,
                items.0.as_ptr(),
            )
        };
        self.wrap(ctrl, id)
    }

    /// Adds the integer menu control `id` of items `items[0..=max]`
    /// (`v4l2_ctrl_new_int_menu()`). Entries past `max` are not shown to
    /// user space.
    pub fn new_int_menu(
        &mut self,
        id: Id,
        max: u8,
        def: u8,
        items: &'static [i64],
    ) -> Result<Ctrl> {
        if usize::from(max) >= items.len() {
            return Err(EINVAL);
        }
        // SAFETY: As for `new_std`; `items` has at least `max + 1` static
        // entries.
        let ctrl = unsafe {
            bindings::v4l2_ctrl_new_int_menu(
                self.hdl(),
                Self::ops(),
                id.0,
                max,
                def,
                items.as_ptr(),
            )
        };
        self.wrap(ctrl, id)
    }

    /// Adds the orientation and rotation controls of `props`, where the
    /// firmware gives them (`v4l2_ctrl_new_fwnode_properties()`).
    pub fn new_fwnode_properties(&mut self, props: &DeviceProperties) -> Result {
        // SAFETY: As for `new_std`; `props` is a valid properties structure.
        to_result(unsafe {
            bindings::v4l2_ctrl_new_fwnode_properties(self.hdl(), Self::ops(), props.as_raw())
        })
    }

    /// Sets `flags` on `ctrl` (`ctrl->flags |= flags`), before the handler
    /// is handed to its owner.
    pub fn add_flags(&mut self, ctrl: &Ctrl, flags: Flags) -> Result {
        self.check(ctrl)?;
        // SAFETY: `ctrl` is a control of this live handler (checked), and
        // the exclusive borrow means no one else uses the handler.
        unsafe { (*ctrl.ptr.as_ptr()).flags |= flags.0 as usize };
        Ok(())
    }

    fn check(&self, ctrl: &Ctrl) -> Result {
        if ctrl.hid == self.core.id {
            Ok(())
        } else {
            Err(EINVAL)
        }
    }

    /// Locks the handler.
    pub fn lock(&self) -> Guard<'_> {
        // SAFETY: `hdl()` is initialised, so is its lock.
        unsafe { bindings::mutex_lock(self.core.lock_ptr()) };
        // INVARIANT: we took the lock.
        Guard { core: &self.core }
    }

    /// Hands the handler to its owner, whose `D` callbacks get `owner`.
    ///
    /// # Safety
    ///
    /// `owner` must be what `D`'s callbacks expect, valid until the returned
    /// handler is dropped.
    pub(crate) unsafe fn into_owned(self, owner: *mut c_void) -> Pin<KBox<HandlerCore>> {
        self.core.owner.store(owner, Ordering::Release);
        self.core
    }
}

/// The lock of a [`Handler`], held until dropped.
///
/// # Invariants
///
/// The lock of `core` is held by us.
pub struct Guard<'a> {
    core: &'a HandlerCore,
}

impl<'a> core::ops::Deref for Guard<'a> {
    type Target = Locked<'a>;

    fn deref(&self) -> &Locked<'a> {
        // SAFETY: `Locked` is a transparent wrapper of the same reference,
        // and the lock is held while `self` lives.
        unsafe { &*core::ptr::from_ref(&self.core).cast::<Locked<'a>>() }
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we hold the lock.
        unsafe { bindings::mutex_unlock(self.core.lock_ptr()) };
    }
}

/// Proof that the lock of a control handler is held, for as long as the
/// token lives.
#[repr(transparent)]
pub struct Locked<'a> {
    core: &'a HandlerCore,
}

impl Locked<'_> {
    /// Applies every control's current value through its `s_ctrl`
    /// (`__v4l2_ctrl_handler_setup()`), e.g. after powering the hardware.
    pub fn setup(&self) -> Result {
        // SAFETY: The handler is live and locked.
        to_result(unsafe { bindings::__v4l2_ctrl_handler_setup(self.core.as_raw()) })
    }

    fn ctrl(&self, ctrl: &Ctrl) -> Result<*mut bindings::v4l2_ctrl> {
        if ctrl.hid == self.core.id {
            // The handler is live (we borrow it) and controls are only freed
            // with their handler.
            Ok(ctrl.ptr.as_ptr())
        } else {
            Err(EINVAL)
        }
    }
}

/// A handle on a control of a [`Handler`].
///
/// The handle may outlive the control; it is only dereferenced with a
/// [`Locked`] token of its own handler (checked: `EINVAL` otherwise).
///
/// # Invariants
///
/// `ptr` is a control created in the handler whose unique ID is `hid`, as
/// control `id`.
#[derive(Clone, Copy)]
pub struct Ctrl {
    ptr: NonNull<bindings::v4l2_ctrl>,
    hid: u64,
    id: Id,
}

// SAFETY: A `Ctrl` is only dereferenced with its handler's lock held.
unsafe impl Send for Ctrl {}
// SAFETY: As above.
unsafe impl Sync for Ctrl {}

impl Ctrl {
    /// The control's ID.
    pub fn id(&self) -> Id {
        self.id
    }

    /// The current value of an integer, boolean or menu control.
    pub fn val(&self, l: &Locked<'_>) -> Result<i32> {
        let c = l.ctrl(self)?;
        // SAFETY: `c` is a live control whose handler lock is held.
        Ok(unsafe { (*c).val })
    }

    /// The current value of a 64-bit integer control.
    pub fn val64(&self, l: &Locked<'_>) -> Result<i64> {
        let c = l.ctrl(self)?;
        // SAFETY: As for `val`; `p_cur` of a 64-bit control points to its
        // value.
        Ok(unsafe { *(*c).p_cur.p_s64 })
    }

    /// The minimum.
    pub fn minimum(&self, l: &Locked<'_>) -> Result<i64> {
        // SAFETY: As for `val`.
        Ok(unsafe { (*l.ctrl(self)?).minimum })
    }

    /// The maximum.
    pub fn maximum(&self, l: &Locked<'_>) -> Result<i64> {
        // SAFETY: As for `val`.
        Ok(unsafe { (*l.ctrl(self)?).maximum })
    }

    /// The step.
    pub fn step(&self, l: &Locked<'_>) -> Result<u64> {
        // SAFETY: As for `val`; `step` is the member of the union used by
        // non-menu controls.
        Ok(unsafe { *union_member!((*l.ctrl(self)?).__bindgen_anon_1.step, u64) })
    }

    /// The default value.
    pub fn default_value(&self, l: &Locked<'_>) -> Result<i64> {
        // SAFETY: As for `val`.
        Ok(unsafe { (*l.ctrl(self)?).default_value })
    }

    /// Changes the range and default (`__v4l2_ctrl_modify_range()`); the
    /// value is clamped into the new range, which may call `s_ctrl`.
    pub fn modify_range(&self, l: &Locked<'_>, min: i64, max: i64, step: u64, def: i64) -> Result {
        let c = l.ctrl(self)?;
        // SAFETY: `c` is a live control whose handler lock is held.
        to_result(unsafe { bindings::__v4l2_ctrl_modify_range(c, min, max, step, def) })
    }

    /// Sets the value of an integer, boolean or menu control
    /// (`__v4l2_ctrl_s_ctrl()`), calling `s_ctrl` if it changed.
    pub fn s_ctrl(&self, l: &Locked<'_>, val: i32) -> Result {
        let c = l.ctrl(self)?;
        // SAFETY: As for `modify_range`.
        to_result(unsafe { bindings::__v4l2_ctrl_s_ctrl(c, val) })
    }

    /// Sets the value of a 64-bit integer control
    /// (`__v4l2_ctrl_s_ctrl_int64()`).
    pub fn s_ctrl_int64(&self, l: &Locked<'_>, val: i64) -> Result {
        let c = l.ctrl(self)?;
        // SAFETY: As for `modify_range`.
        to_result(unsafe { bindings::__v4l2_ctrl_s_ctrl_int64(c, val) })
    }

    /// Grabs (user space cannot change it) or releases the control
    /// (`__v4l2_ctrl_grab()`).
    pub fn grab(&self, l: &Locked<'_>, grabbed: bool) -> Result {
        let c = l.ctrl(self)?;
        // SAFETY: As for `modify_range`.
        unsafe { bindings::__v4l2_ctrl_grab(c, grabbed) };
        Ok(())
    }
}

/// The control an operation is called for, with its new value.
///
/// # Invariants
///
/// `self.0` is a live control whose handler lock is held for the lifetime
/// of the reference.
#[repr(transparent)]
pub struct CtrlRef(Opaque<bindings::v4l2_ctrl>);

impl CtrlRef {
    /// # Safety
    ///
    /// `ptr` must be a live control whose handler lock is held for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::v4l2_ctrl) -> &'a Self {
        // SAFETY: `CtrlRef` is transparent; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    fn as_raw(&self) -> *mut bindings::v4l2_ctrl {
        self.0.get()
    }

    /// The control's ID.
    pub fn id(&self) -> Id {
        // SAFETY: By the type invariant the control is live.
        Id(unsafe { (*self.as_raw()).id })
    }

    /// The new value of an integer, boolean or menu control.
    pub fn val(&self) -> i32 {
        // SAFETY: By the type invariant the control is live and locked.
        unsafe { (*self.as_raw()).val }
    }

    /// Sets the new value (from `g_volatile_ctrl`).
    pub fn set_val(&self, val: i32) {
        // SAFETY: As for `val`; the framework reads it back under the lock.
        unsafe { (*self.as_raw()).val = val };
    }

    /// The new value of a 64-bit integer control.
    pub fn val64(&self) -> i64 {
        // SAFETY: As for `val`; `p_new` of a 64-bit control points to its
        // new value.
        unsafe { *(*self.as_raw()).p_new.p_s64 }
    }

    /// Whether this is the control of `ctrl`.
    pub fn is(&self, ctrl: &Ctrl) -> bool {
        core::ptr::eq(self.as_raw(), ctrl.ptr.as_ptr())
    }
}

/// Calls `f` with the owner of `ctrl`'s handler, a lock token and `ctrl`.
///
/// # Safety
///
/// `ctrl` is a control of a live handler made by [`Handler::new`] with
/// dispatcher `D`, called by the control framework with the lock held.
unsafe fn dispatch(
    ctrl: *mut bindings::v4l2_ctrl,
    f: impl FnOnce(*mut c_void, &Locked<'_>, &CtrlRef) -> Result,
) -> c_int {
    // SAFETY: `ctrl` is live; its handler is embedded in a `HandlerCore`.
    let core = unsafe { HandlerCore::from_hdl((*ctrl).handler) };
    let owner = core.owner.load(Ordering::Acquire);
    if owner.is_null() {
        // Not handed to its owner yet: nothing can apply values.
        return ENODEV.to_errno();
    }
    // SAFETY: The framework holds the handler lock during the call.
    let locked = unsafe { core.locked_unchecked() };
    // SAFETY: As above.
    let ctrl = unsafe { CtrlRef::from_raw(ctrl) };
    from_result(|| f(owner, &locked, ctrl).map(|()| 0))
}

/// # Safety
///
/// Only called by the C core, with the valid pointers it documents.
unsafe extern "C" fn s_ctrl_callback<D: Dispatch>(ctrl: *mut bindings::v4l2_ctrl) -> c_int {
    // SAFETY: Called by the framework for a control made with `Handler<D>`;
    // `owner` was given by `D`'s owner to `into_owned`.
    unsafe { dispatch(ctrl, |o, l, c| D::s_ctrl(o, l, c)) }
}

/// # Safety
///
/// Only called by the C core, with the valid pointers it documents.
unsafe extern "C" fn try_ctrl_callback<D: Dispatch>(ctrl: *mut bindings::v4l2_ctrl) -> c_int {
    // SAFETY: As for `s_ctrl_callback`.
    unsafe { dispatch(ctrl, |o, l, c| D::try_ctrl(o, l, c)) }
}

/// # Safety
///
/// Only called by the C core, with the valid pointers it documents.
unsafe extern "C" fn g_volatile_ctrl_callback<D: Dispatch>(
    ctrl: *mut bindings::v4l2_ctrl,
) -> c_int {
    // SAFETY: As for `s_ctrl_callback`.
    unsafe { dispatch(ctrl, |o, l, c| D::g_volatile_ctrl(o, l, c)) }
}
