// SPDX-License-Identifier: GPL-2.0

//! IIO devices.
//!
//! C header: [`include/linux/iio/iio.h`](srctree/include/linux/iio/iio.h)
//!
//! A [`Device<T>`] is a C `struct iio_dev` whose private area holds the
//! driver's data `T`, initialised in place with pin-init. Its callbacks are
//! the [`Info`] trait of `T` (and [`BufferOps`] for a triggered buffer).
//! [`Device::register`] registers it for as long as its parent device is
//! bound: the registration is a device resource (devres) of the parent, so
//! the IIO core never calls `T` after the parent is unbound, and every
//! callback is given the parent as a `&Device<Bound>`.

use crate::{
    bindings, container_of,
    device::{self, Bound},
    devres,
    error::{from_result, to_result},
    ffi::{c_int, c_long, c_ulong, c_void},
    iio::{
        channel::{ChanInfo, ChanSpec},
        scan::{self, AvailableMasks, ScanBuf, ScanWriter},
        trigger::{AnyTrigger, Trigger, TriggerOps},
        value::{Available, Value, ValueKind, MAX_ELEMENTS},
    },
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
    ThisModule,
};
use core::{marker::PhantomData, ptr::NonNull};

/// The callbacks of an IIO device (`struct iio_info`), implemented by the
/// driver's data type.
///
/// `parent` is the device the IIO device was registered for; it is bound
/// whenever the core calls these.
#[vtable]
pub trait Info: Sized + Send + Sync + 'static {
    /// Reads attribute `info` of channel `chan` (`read_raw`).
    fn read_raw(
        dev: &Device<Self>,
        parent: &device::Device<Bound>,
        chan: &ChanSpec,
        info: ChanInfo,
    ) -> Result<Value>;

    /// The kind of value `write_raw` expects for `info` of `chan`: how the
    /// core parses what user space writes (`write_raw_get_fmt`).
    fn write_kind(_dev: &Device<Self>, _chan: &ChanSpec, _info: ChanInfo) -> ValueKind {
        ValueKind::IntPlusMicro
    }

    /// Writes attribute `info` of channel `chan` (`write_raw`).
    fn write_raw(
        _dev: &Device<Self>,
        _parent: &device::Device<Bound>,
        _chan: &ChanSpec,
        _info: ChanInfo,
        _value: Value,
    ) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// The values attribute `info` of `chan` can take (`read_avail`).
    fn read_avail<'a>(
        _dev: &'a Device<Self>,
        _chan: &ChanSpec,
        _info: ChanInfo,
    ) -> Result<Available<'a>> {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Accepts or refuses `trig` as the device's trigger
    /// (`validate_trigger`).
    fn validate_trigger(_dev: &Device<Self>, _trig: &AnyTrigger) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// The triggered buffer of an IIO device: what runs on each trigger and
/// around enabling and disabling the buffer (`struct
/// iio_buffer_setup_ops`). The top half of every trigger stores the
/// timestamp ([`ScanContext::timestamp`]).
#[vtable]
pub trait BufferOps: Info {
    /// Captures one scan: runs in the bottom half (a thread) of each
    /// trigger. Push the scan with [`ScanContext::push`]; the trigger is
    /// told the scan is done when this returns.
    fn handle_scan(dev: &Device<Self>, parent: &device::Device<Bound>, ctx: &ScanContext<'_, Self>);

    /// Before the buffer is enabled.
    fn preenable(_dev: &Device<Self>, _parent: &device::Device<Bound>) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// After the buffer is enabled (and the trigger attached).
    fn postenable(_dev: &Device<Self>, _parent: &device::Device<Bound>) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Before the buffer is disabled.
    fn predisable(_dev: &Device<Self>, _parent: &device::Device<Bound>) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// After the buffer is disabled.
    fn postdisable(_dev: &Device<Self>, _parent: &device::Device<Bound>) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// How a [`Device`] is set up before registration.
pub struct Spec {
    /// The device name (`name` in sysfs).
    pub name: &'static CStr,
    /// The channels (see [`crate::iio::channel::validate`]).
    pub channels: &'static [ChanSpec],
    /// The scan masks the hardware can scan, if restricted.
    pub available_scan_masks: Option<AvailableMasks>,
}

/// An IIO device (`struct iio_dev`) with driver data `T`.
///
/// # Invariants
///
/// `self.0` is a valid `struct iio_dev` allocated by `iio_device_alloc()`
/// by [`Device::new`], whose private area holds an initialised `T`, whose
/// `info` is `Adapter::<T>::INFO` and whose `dev.release` is
/// `Adapter::<T>::release`. It is reference counted by its `struct device`.
#[repr(transparent)]
pub struct Device<T: Info>(Opaque<bindings::iio_dev>, PhantomData<T>);

// SAFETY: The C device is reference counted and may be released on any
// thread; `T: Send`.
unsafe impl<T: Info> Send for Device<T> {}
// SAFETY: Shared access only reaches `T` (`Sync`) and C functions that do
// their own locking.
unsafe impl<T: Info> Sync for Device<T> {}

// SAFETY: The refcount is that of the embedded `struct device`.
unsafe impl<T: Info> AlwaysRefCounted for Device<T> {
    fn inc_ref(&self) {
        // SAFETY: `self` is valid, so its refcount is not zero.
        unsafe { bindings::get_device(&raw mut (*self.as_raw()).dev) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference.
        unsafe { bindings::put_device(&raw mut (*obj.as_ptr().cast::<bindings::iio_dev>()).dev) };
    }
}

impl<T: Info> Device<T> {
    fn as_raw(&self) -> *mut bindings::iio_dev {
        self.0.get()
    }

    /// # Safety
    ///
    /// `ptr` must be a valid `struct iio_dev` made by `Device::<T>::new`,
    /// valid for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::iio_dev) -> &'a Self {
        // SAFETY: `Device` is transparent; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// Allocates an IIO device below `parent` with driver data `data`,
    /// the channels and name of `spec`, in direct mode (plus triggered
    /// buffer mode once registered with a buffer).
    pub fn new(
        parent: &device::Device<Bound>,
        spec: &Spec,
        data: impl PinInit<T, Error>,
    ) -> Result<ARef<Self>> {
        build_assert!(core::mem::align_of::<T>() <= bindings::IIO_DMA_MINALIGN);
        let size = c_int::try_from(core::mem::size_of::<T>())?;
        let num_channels = c_int::try_from(spec.channels.len())?;
        // SAFETY: `parent` is a valid device.
        let raw = unsafe { bindings::iio_device_alloc(crate::iio::dev_raw(parent), size) };
        if raw.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `raw` is a fresh `iio_dev`; its private area is
        // `size_of::<T>()` bytes aligned to `IIO_DMA_MINALIGN`.
        let priv_ = unsafe { bindings::iio_priv(raw) }.cast::<T>();
        // SAFETY: `priv_` is valid for writes of a `T` and pinned (it lives
        // in the device until release).
        if let Err(e) = unsafe { data.__pinned_init(priv_) } {
            // SAFETY: `raw` came from `iio_device_alloc`; `T` was not
            // initialised so there is nothing to drop.
            unsafe { bindings::iio_device_free(raw) };
            return Err(e);
        }
        // SAFETY: `raw` is valid and not registered; these are the
        // `[DRIVER]` fields of `struct iio_dev`. `INFO`, the channels and
        // masks are `'static`.
        unsafe {
            (*raw).dev.release = Some(Adapter::<T>::release);
            (*raw).name = spec.name.as_char_ptr();
            (*raw).modes = bindings::INDIO_DIRECT_MODE as c_int;
            (*raw).info = Adapter::<T>::INFO;
            (*raw).channels = spec.channels.as_ptr().cast();
            (*raw).num_channels = num_channels;
            (*raw).available_scan_masks = spec
                .available_scan_masks
                .map_or(core::ptr::null(), |m| m.as_ptr());
        }
        // SAFETY: `raw` is valid with one reference, which we hand over.
        // INVARIANT: allocated, initialised and set up as required.
        Ok(unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast())) })
    }

    /// The driver data.
    pub fn data(&self) -> &T {
        // SAFETY: By the type invariant the private area holds a `T` that
        // lives as long as the device.
        unsafe { &*bindings::iio_priv(self.as_raw()).cast::<T>() }
    }

    /// The IIO device's `struct device` (`iio:deviceN`).
    pub fn as_dev(&self) -> &device::Device {
        // SAFETY: `dev` is a valid, embedded `struct device`.
        unsafe { device::Device::from_raw(&raw mut (*self.as_raw()).dev) }
    }

    /// Claims direct mode: `EBUSY` while a buffer is enabled. The device
    /// stays in direct mode until the guard is dropped.
    pub fn claim_direct(&self) -> Result<DirectClaim<'_, T>> {
        // SAFETY: `self` is a valid `iio_dev`.
        if unsafe { bindings::iio_device_claim_direct(self.as_raw()) } {
            // INVARIANT: the claim succeeded.
            Ok(DirectClaim(self))
        } else {
            Err(EBUSY)
        }
    }

    /// Whether the device's current trigger is `trig`'s: for a driver
    /// whose own trigger means "data ready".
    pub fn using_own_trigger(&self) -> bool {
        // SAFETY: `self` is valid.
        unsafe { bindings::iio_trigger_using_own(self.as_raw()) }
    }

    /// Makes `trig` (registered) the device's initial trigger. Call it
    /// before the device is registered.
    ///
    /// The device then holds a reference to `trig` and to the module that
    /// allocated it until user space selects another trigger: a driver
    /// that makes its own trigger the initial one cannot be unloaded before
    /// that, as in C.
    pub fn set_initial_trigger<D: TriggerOps>(&self, trig: &Trigger<D>) -> Result {
        if !trig.is_registered() {
            return Err(EINVAL);
        }
        // SAFETY: `self` is valid; `trig` is registered, so
        // `iio_trigger_get()` may take a reference, which the core drops
        // when the trigger changes or the device is unregistered. The old
        // trigger, if any, is released the same way.
        unsafe {
            let old = (*self.as_raw()).trig;
            (*self.as_raw()).trig = bindings::iio_trigger_get(trig.as_raw());
            if !old.is_null() {
                bindings::iio_trigger_put(old);
            }
        }
        Ok(())
    }

    /// Registers the device with the IIO core for as long as `parent`
    /// (the parent it was allocated with) is bound. With `buffered`, it
    /// also gets a triggered buffer run by `T`'s [`BufferOps`].
    pub fn register(
        this: ARef<Self>,
        parent: &device::Device<Bound>,
        module: &'static ThisModule,
    ) -> Result
    where
        T: Info,
    {
        Self::do_register(this, parent, module, None)
    }

    /// As [`Device::register`], with a triggered buffer whose top half
    /// stores the timestamp and whose bottom half is
    /// [`BufferOps::handle_scan`].
    pub fn register_buffered(
        this: ARef<Self>,
        parent: &device::Device<Bound>,
        module: &'static ThisModule,
    ) -> Result
    where
        T: BufferOps,
    {
        let setup: BufferSetup = (
            Some(BufferAdapter::<T>::bottom_half),
            BufferAdapter::<T>::SETUP_OPS,
        );
        Self::do_register(this, parent, module, Some(setup))
    }

    fn do_register(
        this: ARef<Self>,
        parent: &device::Device<Bound>,
        module: &'static ThisModule,
        buffer: Option<BufferSetup>,
    ) -> Result {
        let raw = this.as_raw();
        // SAFETY: `raw` is valid.
        if unsafe { (*raw).dev.parent } != crate::iio::dev_raw(parent) {
            return Err(EINVAL);
        }
        if let Some((thread, ops)) = buffer {
            // SAFETY: `raw` is valid and not registered; the handlers and
            // ops are `'static`.
            to_result(unsafe {
                bindings::iio_triggered_buffer_setup_ext(
                    raw,
                    Some(bindings::iio_pollfunc_store_time),
                    thread,
                    bindings::iio_buffer_direction_IIO_BUFFER_DIRECTION_IN,
                    ops,
                    core::ptr::null_mut(),
                )
            })?;
        }
        let buffered = buffer.is_some();
        // SAFETY: `raw` is fully set up; `module` outlives the device's
        // registration (the driver's module cannot go before its devices
        // are unbound).
        let ret = unsafe { bindings::__iio_device_register(raw, module.as_ptr()) };
        if ret != 0 {
            if buffered {
                // SAFETY: set up above, not registered.
                unsafe { bindings::iio_triggered_buffer_cleanup(raw) };
            }
            return Err(Error::from_errno(ret));
        }
        devres::register(
            parent,
            Registration {
                dev: this,
                buffered,
            },
            GFP_KERNEL,
        )
    }
}

type BufferSetup = (
    Option<unsafe extern "C" fn(c_int, *mut c_void) -> bindings::irqreturn_t>,
    *const bindings::iio_buffer_setup_ops,
);

/// A registered IIO device; dropping it (at the parent's unbind)
/// unregisters it.
struct Registration<T: Info> {
    dev: ARef<Device<T>>,
    buffered: bool,
}

impl<T: Info> Drop for Registration<T> {
    fn drop(&mut self) {
        let raw = self.dev.as_raw();
        // SAFETY: The device was registered by `do_register`; after
        // `iio_device_unregister` returns the core calls none of `T`'s
        // callbacks (buffers are disabled, sysfs is gone, `info` is NULL).
        unsafe { bindings::iio_device_unregister(raw) };
        if self.buffered {
            // SAFETY: The buffer was set up by `do_register`.
            unsafe { bindings::iio_triggered_buffer_cleanup(raw) };
        }
    }
}

/// Direct mode, claimed with [`Device::claim_direct`]; released on drop.
///
/// # Invariants
///
/// The claim on `self.0` succeeded and has not been released.
pub struct DirectClaim<'a, T: Info>(&'a Device<T>);

impl<T: Info> Drop for DirectClaim<'_, T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant, we hold the claim.
        unsafe { bindings::iio_device_release_direct(self.0.as_raw()) };
    }
}

/// What the bottom half of a trigger works with: the timestamp of the
/// trigger, the active scan mask, and the push of the scan.
pub struct ScanContext<'a, T: Info> {
    dev: &'a Device<T>,
    pf: *mut bindings::iio_poll_func,
}

impl<'a, T: Info> ScanContext<'a, T> {
    /// The time (ns, the device's clock) the top half stored.
    pub fn timestamp(&self) -> i64 {
        // SAFETY: `pf` is the valid poll function of this trigger.
        unsafe { (*self.pf).timestamp }
    }

    /// Whether this trigger is the device's own.
    pub fn using_own_trigger(&self) -> bool {
        self.dev.using_own_trigger()
    }

    /// The channels of the active scan mask, in scan order, without the
    /// timestamp (which [`ScanContext::push`] adds).
    pub fn active_channels(&self) -> impl Iterator<Item = &'a ChanSpec> + 'a {
        active_channels(self.dev)
    }

    /// Pushes the scan written by `w` with this trigger's timestamp to the
    /// device's buffers; the core demuxes it for each buffer.
    pub fn push<const N: usize>(&self, w: ScanWriter<'_, N>) -> Result {
        let ts = self.timestamp();
        push_scan(self.dev, w.into_buf(), ts)
    }
}

/// The channels of `dev`'s active scan mask, in scan order, without the
/// timestamp.
///
/// Only called while the buffer is enabled (from buffer callbacks), when
/// `active_scan_mask` is valid and does not change.
fn active_channels<T: Info>(dev: &Device<T>) -> impl Iterator<Item = &ChanSpec> + '_ {
    let raw = dev.as_raw();
    // SAFETY: `raw` is valid.
    let len = unsafe { bindings::iio_get_masklength(raw) };
    // SAFETY: While the buffer is enabled, `active_scan_mask` is a bitmap of
    // `masklength` bits (or NULL, for which we scan nothing).
    let mask: &[c_ulong] = unsafe {
        let p = (*raw).active_scan_mask;
        if p.is_null() {
            &[]
        } else {
            core::slice::from_raw_parts(p, len.div_ceil(scan::BITS_PER_LONG) as usize)
        }
    };
    // SAFETY: `raw` is valid; the channels are `'static` `ChanSpec`s.
    let chans: &[ChanSpec] = unsafe {
        core::slice::from_raw_parts(
            (*raw).channels.cast::<ChanSpec>(),
            (*raw).num_channels as usize,
        )
    };
    scan::bitmap_bits(mask, len).filter_map(move |si| {
        chans.iter().find(|c| {
            c.scan_index() == si as i32 && c.raw_type() != bindings::iio_chan_type_IIO_TIMESTAMP
        })
    })
}

fn push_scan<T: Info, const N: usize>(dev: &Device<T>, buf: &mut ScanBuf<N>, ts: i64) -> Result {
    // SAFETY: `buf` is valid for writes of `N` bytes and aligned for the
    // timestamp; the core writes at most `scan_bytes` (checked against `N`
    // by the helper, `ENOSPC`) bytes.
    to_result(unsafe {
        bindings::iio_push_to_buffers_with_ts(dev.as_raw(), buf.as_mut_ptr().cast(), N, ts)
    })
}

/// The parent of `raw`, bound while the core calls `T`'s callbacks.
///
/// # Safety
///
/// `raw` must be a registered `Device<T>` and the call must come from the
/// IIO core while it is registered.
unsafe fn bound_parent<'a>(raw: *mut bindings::iio_dev) -> &'a device::Device<Bound> {
    // SAFETY: The parent of a registered device is the device it was
    // registered for (checked in `do_register`), which stays bound as long
    // as the registration (a devres of it) exists.
    unsafe { device::Device::<device::Normal>::from_raw((*raw).dev.parent).as_bound() }
}

struct Adapter<T: Info>(PhantomData<T>);

impl<T: Info> Adapter<T> {
    const INFO: &'static bindings::iio_info = &bindings::iio_info {
        read_raw_multi: Some(Self::read_raw_multi),
        write_raw: if T::HAS_WRITE_RAW {
            Some(Self::write_raw)
        } else {
            None
        },
        write_raw_get_fmt: if T::HAS_WRITE_RAW {
            Some(Self::write_raw_get_fmt)
        } else {
            None
        },
        read_avail: if T::HAS_READ_AVAIL {
            Some(Self::read_avail)
        } else {
            None
        },
        validate_trigger: if T::HAS_VALIDATE_TRIGGER {
            Some(Self::validate_trigger)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn release(dev: *mut bindings::device) {
        // SAFETY: `dev` is embedded in a `Device<T>` being released.
        let raw = unsafe { container_of!(dev, bindings::iio_dev, dev) };
        // SAFETY: The private area holds the `T` initialised in `new`; no
        // one uses it any more.
        unsafe { core::ptr::drop_in_place(bindings::iio_priv(raw).cast::<T>()) };
        // SAFETY: `iio_device_alloc` set `type`; its release frees the
        // device as it would have without our hook.
        unsafe {
            if let Some(rel) = (*(*dev).type_).release {
                rel(dev);
            }
        }
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn read_raw_multi(
        raw: *mut bindings::iio_dev,
        chan: *const bindings::iio_chan_spec,
        max_len: c_int,
        vals: *mut c_int,
        val_len: *mut c_int,
        mask: c_long,
    ) -> c_int {
        from_result(|| {
            // SAFETY: Called by the core on a registered `Device<T>`.
            let (dev, parent) = unsafe { (Device::<T>::from_raw(raw), bound_parent(raw)) };
            // SAFETY: `chan` is one of the device's `ChanSpec`s.
            let chan = unsafe { ChanSpec::from_raw(chan) };
            let info = ChanInfo::from_raw(mask as i64).ok_or(EINVAL)?;
            let value = T::read_raw(dev, parent, chan, info)?;
            let mut out = [0; MAX_ELEMENTS];
            let (kind, n) = value.encode(&mut out);
            if n > usize::try_from(max_len)? {
                return Err(EINVAL);
            }
            // SAFETY: `vals` has room for `max_len >= n` integers, `val_len`
            // for one.
            unsafe {
                core::ptr::copy_nonoverlapping(out.as_ptr(), vals, n);
                *val_len = n as c_int;
            }
            Ok(kind)
        })
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn write_raw_get_fmt(
        raw: *mut bindings::iio_dev,
        chan: *const bindings::iio_chan_spec,
        mask: c_long,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As in `read_raw_multi`.
            let (dev, chan) = unsafe { (Device::<T>::from_raw(raw), ChanSpec::from_raw(chan)) };
            let info = ChanInfo::from_raw(mask as i64).ok_or(EINVAL)?;
            Ok(T::write_kind(dev, chan, info).code())
        })
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn write_raw(
        raw: *mut bindings::iio_dev,
        chan: *const bindings::iio_chan_spec,
        val: c_int,
        val2: c_int,
        mask: c_long,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As in `read_raw_multi`.
            let (dev, parent) = unsafe { (Device::<T>::from_raw(raw), bound_parent(raw)) };
            // SAFETY: As in `read_raw_multi`.
            let chan = unsafe { ChanSpec::from_raw(chan) };
            let info = ChanInfo::from_raw(mask as i64).ok_or(EINVAL)?;
            let value = T::write_kind(dev, chan, info).decode(val, val2);
            T::write_raw(dev, parent, chan, info, value)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn read_avail(
        raw: *mut bindings::iio_dev,
        chan: *const bindings::iio_chan_spec,
        vals: *mut *const c_int,
        type_: *mut c_int,
        length: *mut c_int,
        mask: c_long,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As in `read_raw_multi`.
            let (dev, chan) = unsafe { (Device::<T>::from_raw(raw), ChanSpec::from_raw(chan)) };
            let info = ChanInfo::from_raw(mask as i64).ok_or(EINVAL)?;
            let avail = T::read_avail(dev, chan, info)?;
            avail.check()?;
            let (kind, v, ret) = match avail {
                Available::List(k, v) => (k, v, bindings::iio_available_type_IIO_AVAIL_LIST),
                Available::Range(k, v) => (k, v, bindings::iio_available_type_IIO_AVAIL_RANGE),
            };
            // SAFETY: The out pointers are valid; `v` lives as long as the
            // device's data, longer than the core's use of it.
            unsafe {
                *vals = v.as_ptr();
                *type_ = kind.code();
                *length = c_int::try_from(v.len())?;
            }
            Ok(ret as c_int)
        })
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn validate_trigger(
        raw: *mut bindings::iio_dev,
        trig: *mut bindings::iio_trigger,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As in `read_raw_multi`; `trig` is a valid trigger.
            let (dev, trig) = unsafe { (Device::<T>::from_raw(raw), AnyTrigger::from_raw(trig)) };
            T::validate_trigger(dev, trig)?;
            Ok(0)
        })
    }
}

struct BufferAdapter<T: BufferOps>(PhantomData<T>);

impl<T: BufferOps> BufferAdapter<T> {
    const SETUP_OPS: &'static bindings::iio_buffer_setup_ops = &bindings::iio_buffer_setup_ops {
        preenable: if T::HAS_PREENABLE {
            Some(Self::preenable)
        } else {
            None
        },
        postenable: if T::HAS_POSTENABLE {
            Some(Self::postenable)
        } else {
            None
        },
        predisable: if T::HAS_PREDISABLE {
            Some(Self::predisable)
        } else {
            None
        },
        postdisable: if T::HAS_POSTDISABLE {
            Some(Self::postdisable)
        } else {
            None
        },
        validate_scan_mask: None,
    };

    /// # Safety
    ///
    /// `raw` must be a registered `Device<T>`, called by the core.
    unsafe fn call(
        raw: *mut bindings::iio_dev,
        f: fn(&Device<T>, &device::Device<Bound>) -> Result,
    ) -> c_int {
        // SAFETY: The caller's promise.
        let (dev, parent) = unsafe { (Device::<T>::from_raw(raw), bound_parent(raw)) };
        from_result(|| f(dev, parent).map(|()| 0))
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn preenable(raw: *mut bindings::iio_dev) -> c_int {
        // SAFETY: Called by the core on a registered device.
        unsafe { Self::call(raw, T::preenable) }
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn postenable(raw: *mut bindings::iio_dev) -> c_int {
        // SAFETY: Called by the core on a registered device.
        unsafe { Self::call(raw, T::postenable) }
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn predisable(raw: *mut bindings::iio_dev) -> c_int {
        // SAFETY: Called by the core on a registered device.
        unsafe { Self::call(raw, T::predisable) }
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn postdisable(raw: *mut bindings::iio_dev) -> c_int {
        // SAFETY: Called by the core on a registered device.
        unsafe { Self::call(raw, T::postdisable) }
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn bottom_half(_irq: c_int, p: *mut c_void) -> bindings::irqreturn_t {
        let pf = p.cast::<bindings::iio_poll_func>();
        // SAFETY: The core passes the device's poll function, whose device
        // is a registered `Device<T>` with its buffer enabled.
        let raw = unsafe { (*pf).indio_dev };
        // SAFETY: As above.
        let (dev, parent) = unsafe { (Device::<T>::from_raw(raw), bound_parent(raw)) };
        let ctx = ScanContext { dev, pf };
        T::handle_scan(dev, parent, &ctx);
        // SAFETY: A poll function runs only while a trigger is attached,
        // which is then the device's current trigger.
        unsafe { bindings::iio_trigger_notify_done((*raw).trig) };
        bindings::irqreturn_IRQ_HANDLED
    }
}
