// SPDX-License-Identifier: GPL-2.0

//! IIO devices.
//!
//! C header: [`include/linux/iio/iio.h`](srctree/include/linux/iio/iio.h)
//!
//! A [`Device<T>`] is a C `struct iio_dev` whose private area holds the
//! driver's data `T`, initialised in place with pin-init. Its callbacks are
//! the [`Info`] trait of `T` (and [`BufferOps`] for a triggered buffer).
//!
//! [`Device::new`] gives an [`UnregisteredDevice`]: what is only allowed
//! before registration (the initial trigger) is a method of that type.
//! [`UnregisteredDevice::register`] (or `register_buffered`) consumes it and
//! returns the [`Registration`], which the driver keeps in its bus device
//! data for as long as the device should exist. Dropping the registration
//! unregisters the device (`iio_device_unregister()`: after it returns the
//! core calls none of `T`'s callbacks), cleans up the buffer and then drops
//! `T`. If the registration outlives the parent's binding (it was leaked),
//! the parent's unbind unregisters the device, so every callback runs while
//! the parent is bound and gets it as a `&Device<Bound>`.
//!
//! Nothing the C side calls after unregistration is in the driver module:
//! the `struct iio_dev` is released by the core's own `iio_dev_release()`,
//! which only frees memory. In-kernel consumers (iio-hwmon, ...) and open
//! buffer file descriptors may hold references to the device long after
//! that, even after the driver module is gone.

use crate::{
    bindings,
    device::{self, Bound},
    devres::Devres,
    error::{from_result, to_result},
    ffi::{c_int, c_long, c_ulong, c_void},
    iio::{
        channel::{self, ChanInfo, ChanSpec, ScanType},
        scan::{self, ScanMask, ScanStorage, ScanWriter},
        trigger::{Trigger, TriggerOps, TriggerRegistration},
        value::{Available, Value, WriteKind, MAX_ELEMENTS},
    },
    prelude::*,
    types::{NotThreadSafe, Opaque},
    ThisModule,
};
use core::{marker::PhantomData, ops::Deref, ptr::NonNull};

/// The callbacks of an IIO device (`struct iio_info`), implemented by the
/// driver's data type.
///
/// `parent` is the device the IIO device was allocated for; it is bound
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

    /// How the core parses what user space writes to attribute `info` of
    /// `chan` before it calls `write_raw` (`write_raw_get_fmt`).
    fn write_kind(_dev: &Device<Self>, _chan: &ChanSpec, _info: ChanInfo) -> WriteKind {
        WriteKind::IntPlusMicro
    }

    /// Writes attribute `info` of channel `chan` (`write_raw`): `value` is
    /// of the kind [`Info::write_kind`] gave.
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
    fn read_avail(_dev: &Device<Self>, _chan: &ChanSpec, _info: ChanInfo) -> Result<Available> {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Accepts or refuses `trig` as the device's trigger
    /// (`validate_trigger`).
    fn validate_trigger(_dev: &Device<Self>, _trig: &Trigger) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// The triggered buffer of an IIO device: what runs on each trigger and
/// around enabling and disabling the buffer (`struct
/// iio_buffer_setup_ops`). The top half of every trigger stores the
/// timestamp ([`Scan::timestamp`]).
#[vtable]
pub trait BufferOps: Info {
    /// The storage of one scan, a [`scan::ScanBuf`]: registration refuses
    /// (`EINVAL`) a storage smaller than the largest scan of the channels
    /// ([`scan::largest_scan`]).
    type Scan: ScanStorage;

    /// Captures one scan: runs in the bottom half (a thread) of each
    /// trigger. Push one sample per enabled channel ([`Scan::channels`])
    /// with [`Scan::push`]; if this returns `Ok` with every sample pushed,
    /// the scan and its timestamp go to the buffers, else the scan is
    /// dropped. The trigger is told the scan is done after this returns.
    fn handle_scan(
        dev: &Device<Self>,
        parent: &device::Device<Bound>,
        scan: &mut Scan<'_>,
    ) -> Result;

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
    /// The channels, checked by [`channel::validate`] (preferably at
    /// compile time, with [`iio_channels!`](crate::iio_channels)).
    pub channels: &'static [ChanSpec],
    /// The sets of scan elements the hardware can scan, in order of
    /// preference, if it cannot scan any set (`available_scan_masks`).
    pub available_scan_masks: Option<&'static [ScanMask]>,
}

/// An IIO device (`struct iio_dev`) with driver data `T`, as callbacks, an
/// [`UnregisteredDevice`] or a [`Registration`] see it.
///
/// # Invariants
///
/// `self.0` is a valid `struct iio_dev` allocated by [`Device::new`],
/// whose private area holds an initialised `T` and whose `info` is
/// `Adapter::<T>::INFO` (or NULL once unregistered). A `&Device<T>` is only
/// handed out while `T` is alive.
#[repr(transparent)]
pub struct Device<T: Info>(Opaque<bindings::iio_dev>, PhantomData<T>);

// SAFETY: Shared access only reaches `T: Sync` and C functions that do
// their own locking.
unsafe impl<T: Info> Sync for Device<T> {}

impl<T: Info> Device<T> {
    fn as_raw(&self) -> *mut bindings::iio_dev {
        self.0.get()
    }

    /// # Safety
    ///
    /// `ptr` must be a valid `struct iio_dev` made by `Device::<T>::new`
    /// whose `T` is alive for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::iio_dev) -> &'a Self {
        // SAFETY: `Device` is transparent; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// Allocates an IIO device below `parent` with driver data `data`, the
    /// channels and name of `spec`, in direct mode (plus triggered buffer
    /// mode once registered with a buffer).
    ///
    /// `EINVAL` (with a message) if the channels or scan masks are not
    /// valid.
    #[allow(clippy::new_ret_no_self)]
    pub fn new<'a>(
        parent: &'a device::Device<Bound>,
        spec: &Spec,
        data: impl PinInit<T, Error>,
    ) -> Result<UnregisteredDevice<'a, T>> {
        build_assert!(core::mem::align_of::<T>() <= bindings::IIO_DMA_MINALIGN);
        channel::validate(spec.channels).inspect_err(|e| {
            dev_err!(parent, "IIO device {}: {}\n", spec.name, e.as_str());
        })?;
        let masks = match spec.available_scan_masks {
            Some(m) => Some(
                scan::masks_table(m, masklength(spec.channels)).inspect_err(|_| {
                    dev_err!(parent, "IIO device {}: invalid scan masks\n", spec.name);
                })?,
            ),
            None => None,
        };
        let size = c_int::try_from(core::mem::size_of::<T>())?;
        let num_channels = c_int::try_from(spec.channels.len())?;
        // SAFETY: `parent` is a valid device.
        let raw = unsafe { bindings::iio_device_alloc(crate::iio::dev_raw(parent), size) };
        let raw = NonNull::new(raw).ok_or(ENOMEM)?;
        // SAFETY: `raw` is a fresh `iio_dev`; its private area is
        // `size_of::<T>()` bytes aligned to `IIO_DMA_MINALIGN`.
        let priv_ = unsafe { bindings::iio_priv(raw.as_ptr()) }.cast::<T>();
        // SAFETY: `priv_` is valid for writes of a `T` and pinned (it lives
        // in the device's allocation until its release).
        if let Err(e) = unsafe { data.__pinned_init(priv_) } {
            // SAFETY: `raw` came from `iio_device_alloc`; `T` was not
            // initialised so there is nothing to drop. Its release is the
            // core's, which frees it.
            unsafe { bindings::iio_device_free(raw.as_ptr()) };
            return Err(e);
        }
        // From here `owned` drops `T` and the reference.
        let owned = Owned::<T>(raw, PhantomData);
        // SAFETY: `raw` is valid and not registered; these are the
        // `[DRIVER]` fields of `struct iio_dev`. `INFO`, the name and the
        // channels are `'static`; the masks live in `UnregisteredDevice`
        // and then in `Registration`, longer than the registration.
        unsafe {
            let raw = raw.as_ptr();
            (*raw).name = spec.name.as_char_ptr();
            (*raw).modes = bindings::INDIO_DIRECT_MODE as c_int;
            (*raw).info = Adapter::<T>::INFO;
            (*raw).channels = spec.channels.as_ptr().cast();
            (*raw).num_channels = num_channels;
            (*raw).available_scan_masks = masks.as_ref().map_or(core::ptr::null(), |m| m.as_ptr());
        }
        Ok(UnregisteredDevice {
            parent,
            initial_trigger: InitialTrigger(raw),
            owned,
            masks,
        })
    }

    /// The driver data.
    pub fn data(&self) -> &T {
        // SAFETY: By the type invariant the private area holds a `T` that is
        // alive while `self` is.
        unsafe { &*bindings::iio_priv(self.as_raw()).cast::<T>() }
    }

    /// The IIO device's `struct device` (`iio:deviceN`).
    pub fn as_dev(&self) -> &device::Device {
        // SAFETY: `dev` is a valid, embedded `struct device`.
        unsafe { device::Device::from_raw(&raw mut (*self.as_raw()).dev) }
    }

    /// Claims direct mode: `EBUSY` while a buffer is enabled. The device
    /// stays in direct mode until the guard is dropped (it holds the
    /// device's mode lock, a mutex: keep the claim short and do not sleep
    /// long in it).
    pub fn claim_direct(&self) -> Result<DirectClaim<'_, T>> {
        // SAFETY: `self` is a valid `iio_dev`.
        if unsafe { bindings::iio_device_claim_direct(self.as_raw()) } {
            // INVARIANT: the claim succeeded.
            Ok(DirectClaim(self, NotThreadSafe))
        } else {
            Err(EBUSY)
        }
    }
}

/// The `masklength` the core computes for `channels` (the highest scan
/// index + 1).
fn masklength(channels: &[ChanSpec]) -> u32 {
    channels
        .iter()
        .filter_map(|c| u32::try_from(c.scan_index()).ok())
        .map(|i| i + 1)
        .max()
        .unwrap_or(0)
}

/// The driver data of a device made by [`Device::new`] and our reference
/// to it: dropping it drops `T`, then the reference.
///
/// # Invariants
///
/// `self.0` is a `Device<T>` with an initialised `T`, on which we own a
/// reference; no callback of the core runs any more when it is dropped.
struct Owned<T: Info>(NonNull<bindings::iio_dev>, PhantomData<T>);

// SAFETY: `T: Send`; the reference may be dropped on any thread.
unsafe impl<T: Info> Send for Owned<T> {}
// SAFETY: Shared access only gives `&Device<T>`, which is `Sync`.
unsafe impl<T: Info> Sync for Owned<T> {}

impl<T: Info> Drop for Owned<T> {
    fn drop(&mut self) {
        let raw = self.0.as_ptr();
        // SAFETY: By the type invariant, `T` is initialised and unused; its
        // memory stays allocated until the core releases the device.
        unsafe { core::ptr::drop_in_place(bindings::iio_priv(raw).cast::<T>()) };
        // SAFETY: We own a reference. The release is the core's
        // `iio_dev_release()`, not code of this module.
        unsafe { bindings::iio_device_free(raw) };
    }
}

/// Drops the reference to the initial trigger of a device that was not
/// registered with a buffer (the core only drops it for devices in a
/// triggered mode).
struct InitialTrigger(NonNull<bindings::iio_dev>);

// SAFETY: Only touches the device's `trig` field, which nobody else uses
// before registration.
unsafe impl Send for InitialTrigger {}
// SAFETY: As above.
unsafe impl Sync for InitialTrigger {}

impl InitialTrigger {
    fn put(&mut self) {
        let raw = self.0.as_ptr();
        // SAFETY: The device is valid (`Owned`, dropped after us, holds a
        // reference) and not registered, so nobody else touches `trig`.
        unsafe {
            let trig = (*raw).trig;
            if !trig.is_null() {
                (*raw).trig = core::ptr::null_mut();
                bindings::iio_trigger_put(trig);
            }
        }
    }
}

impl Drop for InitialTrigger {
    fn drop(&mut self) {
        self.put();
    }
}

/// A device allocated by [`Device::new`], not registered yet. Dropping it
/// drops the driver data and frees the device.
pub struct UnregisteredDevice<'a, T: Info> {
    parent: &'a device::Device<Bound>,
    // Field order is drop order: the trigger reference before the device.
    initial_trigger: InitialTrigger,
    owned: Owned<T>,
    masks: Option<KVec<c_ulong>>,
}

impl<T: Info> Deref for UnregisteredDevice<'_, T> {
    type Target = Device<T>;

    fn deref(&self) -> &Device<T> {
        // SAFETY: `T` is alive as long as `self`.
        unsafe { Device::from_raw(self.owned.0.as_ptr()) }
    }
}

impl<'a, T: Info> UnregisteredDevice<'a, T> {
    /// Makes `trig` the device's trigger when it is registered with a
    /// buffer (`register_buffered`; a device without a buffer has no
    /// trigger). `ENODEV` if `trig` is no longer registered.
    ///
    /// The device then holds a reference to `trig` and to the module that
    /// made it until user space selects another trigger: a driver that
    /// makes its own trigger the initial one cannot be unloaded before
    /// that, as in C.
    pub fn set_initial_trigger<D: TriggerOps>(&mut self, trig: &TriggerRegistration<D>) -> Result {
        let raw = self.owned.0.as_ptr();
        trig.with_registered(|t| {
            // SAFETY: The device is not registered, so nothing else reads
            // or writes `trig`; `t` is registered while we are in here, as
            // `iio_trigger_get()` requires. Its reference is dropped by the
            // core (a device in a triggered mode) or by `InitialTrigger`.
            unsafe {
                let old = (*raw).trig;
                (*raw).trig = bindings::iio_trigger_get(t.as_raw());
                if !old.is_null() {
                    bindings::iio_trigger_put(old);
                }
            }
        })
    }

    /// Registers the device with the IIO core, in direct mode only. It
    /// stays registered until the returned registration is dropped, or the
    /// parent is unbound, whichever comes first. `module` is the driver's
    /// (`THIS_MODULE`).
    pub fn register(self, module: &'static ThisModule) -> Result<Registration<T>> {
        self.do_register(module, None)
    }

    /// As [`UnregisteredDevice::register`], with a triggered buffer whose
    /// top half stores the timestamp and whose bottom half is
    /// [`BufferOps::handle_scan`]. `EINVAL` if `T::Scan` cannot hold the
    /// largest scan of the channels.
    pub fn register_buffered(self, module: &'static ThisModule) -> Result<Registration<T>>
    where
        T: BufferOps,
    {
        // SAFETY: The device is valid; `channels` was set by `new` from a
        // `'static` slice of `ChanSpec`s.
        let chans = unsafe { channels_of(self.owned.0.as_ptr()) };
        let largest = scan::largest_scan(chans);
        if largest > T::Scan::BYTES {
            dev_err!(
                self.parent,
                "IIO device {}: scans take up to {} bytes, the driver's scan storage {}\n",
                self.name(),
                largest,
                T::Scan::BYTES
            );
            return Err(EINVAL);
        }
        self.do_register(
            module,
            Some((
                Some(BufferAdapter::<T>::bottom_half),
                BufferAdapter::<T>::SETUP_OPS,
            )),
        )
    }

    fn name(&self) -> &CStr {
        // SAFETY: `name` was set by `new` from a `'static` `CStr`.
        unsafe { CStr::from_char_ptr((*self.owned.0.as_ptr()).name) }
    }

    fn do_register(
        mut self,
        module: &'static ThisModule,
        buffer: Option<BufferSetup>,
    ) -> Result<Registration<T>> {
        let raw = self.owned.0.as_ptr();
        let buffered = buffer.is_some();
        if let Some((thread, ops)) = buffer {
            // SAFETY: `raw` is valid and not registered; the handlers and
            // ops are `'static` and only called while the device is
            // registered with its buffer enabled.
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
        } else {
            // The core drops the initial trigger's reference only for a
            // device in a triggered mode: a device without a buffer has no
            // use for one.
            self.initial_trigger.put();
        }
        // SAFETY: `raw` is fully set up and was never registered: this
        // consumes the only `UnregisteredDevice` for it. `module` is the
        // driver's: its devices are unregistered before it is unloaded
        // (`Registration` is dropped at unbind at the latest).
        let ret = unsafe { bindings::__iio_device_register(raw, module.as_ptr()) };
        if ret != 0 {
            if buffered {
                // SAFETY: Set up above, not registered.
                unsafe { bindings::iio_triggered_buffer_cleanup(raw) };
            }
            // `self` drops the trigger reference, `T` and the device.
            return Err(Error::from_errno(ret));
        }
        // The core now owns the initial trigger's reference (a triggered
        // mode device drops it at release); without a buffer there is none.
        core::mem::forget(self.initial_trigger);
        // If this fails, dropping `Registered` unregisters the device.
        let reg = Devres::new(
            self.parent,
            Registered {
                raw: self.owned.0,
                buffered,
            },
        )?;
        Ok(Registration {
            _reg: reg,
            owned: self.owned,
            _masks: self.masks,
        })
    }
}

type BufferSetup = (
    Option<unsafe extern "C" fn(c_int, *mut c_void) -> bindings::irqreturn_t>,
    *const bindings::iio_buffer_setup_ops,
);

/// Unregisters the device (and cleans up its buffer) when dropped.
///
/// # Invariants
///
/// `raw` is a registered device; `Owned` (dropped after us, or leaked with
/// us) holds a reference to it.
struct Registered {
    raw: NonNull<bindings::iio_dev>,
    buffered: bool,
}

// SAFETY: Unregistration may run on any thread.
unsafe impl Send for Registered {}
// SAFETY: No shared access.
unsafe impl Sync for Registered {}

impl Drop for Registered {
    fn drop(&mut self) {
        let raw = self.raw.as_ptr();
        // SAFETY: By the type invariant the device is registered. After
        // `iio_device_unregister()` returns the core calls none of `T`'s
        // callbacks: sysfs is removed and drained (`cdev_device_del()`),
        // the buffers are disabled (the poll function detached, which
        // waits for its bottom half, `free_irq()`), and `info` is NULL,
        // which the character device and in-kernel consumer paths check
        // under `info_exist_lock`.
        unsafe { bindings::iio_device_unregister(raw) };
        if self.buffered {
            // SAFETY: The buffer was set up by `do_register`; the device
            // is unregistered.
            unsafe { bindings::iio_triggered_buffer_cleanup(raw) };
        }
    }
}

/// A registered IIO device with driver data `T`.
///
/// Dropping it unregisters the device (if the parent's unbind did not
/// already), cleans up its buffer, then drops `T`. Keep it in the driver's
/// bus device data, declared before what the callbacks use (interrupt
/// registrations, hardware state), so that it is dropped first.
pub struct Registration<T: Info> {
    // Field order is drop order: unregister, then drop `T`.
    _reg: Devres<Registered>,
    owned: Owned<T>,
    _masks: Option<KVec<c_ulong>>,
}

impl<T: Info> Registration<T> {
    /// The device.
    pub fn device(&self) -> &Device<T> {
        // SAFETY: `T` is alive as long as `self`.
        unsafe { Device::from_raw(self.owned.0.as_ptr()) }
    }
}

/// Direct mode, claimed with [`Device::claim_direct`]; released on drop.
///
/// Not `Send`: it holds the device's mode lock, a mutex, which the task
/// that took it must release.
///
/// # Invariants
///
/// The claim on `self.0` succeeded and has not been released.
pub struct DirectClaim<'a, T: Info>(&'a Device<T>, NotThreadSafe);

impl<T: Info> Drop for DirectClaim<'_, T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant, we hold the claim, on this task.
        unsafe { bindings::iio_device_release_direct(self.0.as_raw()) };
    }
}

/// # Safety
///
/// `raw` must be a device made by `Device::new`, valid for `'a`.
unsafe fn channels_of<'a>(raw: *mut bindings::iio_dev) -> &'a [ChanSpec] {
    // SAFETY: `new` set `channels`/`num_channels` from a `'static` slice of
    // `ChanSpec`, a transparent `struct iio_chan_spec`.
    unsafe {
        core::slice::from_raw_parts(
            (*raw).channels.cast::<ChanSpec>(),
            (*raw).num_channels as usize,
        )
    }
}

/// The enabled channels of a scan, in scan order, without the timestamp.
#[derive(Clone)]
pub struct ActiveChannels<'a> {
    chans: &'a [ChanSpec],
    mask: &'a [c_ulong],
    len: u32,
    next: u32,
}

impl<'a> Iterator for ActiveChannels<'a> {
    type Item = &'a ChanSpec;

    fn next(&mut self) -> Option<&'a ChanSpec> {
        while self.next < self.len {
            let si = self.next;
            self.next += 1;
            let word = self.mask.get((si / scan::BITS_PER_LONG) as usize);
            if word.is_none_or(|w| w & (1 << (si % scan::BITS_PER_LONG)) == 0) {
                continue;
            }
            if let Some(c) = self.chans.iter().find(|c| {
                c.scan_index() == si as i32 && c.raw_type() != bindings::iio_chan_type_IIO_TIMESTAMP
            }) {
                return Some(c);
            }
        }
        None
    }
}

type ActiveTypes<'a> = core::iter::FilterMap<ActiveChannels<'a>, fn(&ChanSpec) -> Option<ScanType>>;

/// One scan being captured ([`BufferOps::handle_scan`]): the timestamp of
/// its trigger, the enabled channels, and the samples pushed so far.
pub struct Scan<'a> {
    raw: *mut bindings::iio_dev,
    timestamp: i64,
    channels: ActiveChannels<'a>,
    writer: ScanWriter<'a, ActiveTypes<'a>>,
}

impl<'a> Scan<'a> {
    /// The time (ns, the device's clock) the trigger fired: stored by the
    /// top half, or, for a trigger polled from a thread
    /// ([`Trigger::poll_nested`], no top half), the time the bottom half
    /// started.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// Whether the trigger is the device's own (one with the same parent),
    /// `iio_trigger_using_own()`.
    pub fn using_own_trigger(&self) -> bool {
        // SAFETY: A scan runs while the buffer is enabled in triggered
        // mode, so `trig` is attached: not NULL, and user space cannot
        // change it (`current_trigger` refuses with `EBUSY`).
        unsafe { bindings::iio_trigger_using_own(self.raw) }
    }

    /// The enabled channels, in scan order, without the timestamp (which is
    /// added after [`BufferOps::handle_scan`]).
    pub fn channels(&self) -> ActiveChannels<'a> {
        self.channels.clone()
    }

    /// Pushes the sample of the next enabled channel. `EINVAL` if its size
    /// is not the channel's storage size, or every channel has its sample.
    pub fn push<S: scan::Sample>(&mut self, v: S) -> Result {
        self.writer.push(v)
    }

    /// Pushes the samples of the next enabled channel, which repeats its
    /// sample `v.len()` times (`repeat`).
    pub fn push_repeated<S: scan::Sample>(&mut self, v: &[S]) -> Result {
        self.writer.push_repeated(v)
    }
}

/// The enabled channels of `raw`'s scan.
///
/// # Safety
///
/// `raw` must be a device made by `Device::new` with its buffer enabled
/// for `'a` (then `active_scan_mask` is a bitmap of `masklength` bits and
/// does not change).
unsafe fn active_channels<'a>(raw: *mut bindings::iio_dev) -> ActiveChannels<'a> {
    // SAFETY: `raw` is valid.
    let len = unsafe { bindings::iio_get_masklength(raw) };
    // SAFETY: The caller's promise; NULL (never while enabled) scans
    // nothing.
    let mask: &[c_ulong] = unsafe {
        let p = (*raw).active_scan_mask;
        if p.is_null() {
            &[]
        } else {
            core::slice::from_raw_parts(p, len.div_ceil(scan::BITS_PER_LONG) as usize)
        }
    };
    ActiveChannels {
        // SAFETY: The caller's promise.
        chans: unsafe { channels_of(raw) },
        mask,
        len,
        next: 0,
    }
}

/// The parent of `raw`, bound while the core calls `T`'s callbacks.
///
/// # Safety
///
/// `raw` must be a registered `Device<T>` and the call must come from the
/// IIO core while it is registered.
unsafe fn bound_parent<'a>(raw: *mut bindings::iio_dev) -> &'a device::Device<Bound> {
    // SAFETY: The parent of a device is the bound device given to `new`.
    // While registered, its `Registered` exists, a devres of the parent,
    // so the parent is still bound.
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
    unsafe extern "C" fn read_raw_multi(
        raw: *mut bindings::iio_dev,
        chan: *const bindings::iio_chan_spec,
        max_len: c_int,
        vals: *mut c_int,
        val_len: *mut c_int,
        mask: c_long,
    ) -> c_int {
        from_result(|| {
            // SAFETY: Called by the core on a registered `Device<T>`, whose
            // `T` is alive until after unregistration.
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
            let len = c_int::try_from(v.len())?;
            // SAFETY: The out pointers are valid; `v` is `'static`, so the
            // core and its in-kernel consumers may keep it.
            unsafe {
                *vals = v.as_ptr();
                *type_ = kind.code();
                *length = len;
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
            // SAFETY: As in `read_raw_multi`; `trig` is a valid trigger
            // (the core holds a reference during the call).
            let (dev, trig) = unsafe { (Device::<T>::from_raw(raw), Trigger::from_raw(trig)) };
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

    /// The poll function's bottom half: one scan.
    ///
    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn bottom_half(_irq: c_int, p: *mut c_void) -> bindings::irqreturn_t {
        let pf = p.cast::<bindings::iio_poll_func>();
        // SAFETY: The core passes the device's poll function, attached to
        // a trigger while the device is registered with its buffer enabled
        // (detaching it waits for this handler).
        let raw = unsafe { (*pf).indio_dev };
        // SAFETY: As above.
        let (dev, parent) = unsafe { (Device::<T>::from_raw(raw), bound_parent(raw)) };
        // SAFETY: `pf` is valid. A trigger polled from a thread runs no
        // top half: then there is no stored time (we reset it after each
        // scan), and the time is now. The next top half of this poll
        // function only runs after `iio_trigger_notify_done()` below (the
        // trigger ignores polls while consumers are busy), so nothing
        // writes `timestamp` concurrently.
        let stored = unsafe { (*pf).timestamp };
        let timestamp = if stored != 0 {
            stored
        } else {
            // SAFETY: `raw` is valid.
            unsafe { bindings::iio_get_time_ns(raw) }
        };
        let mut storage = T::Scan::zeroed();
        let complete = {
            // SAFETY: The buffer is enabled while this runs.
            let channels = unsafe { active_channels(raw) };
            let types: ActiveTypes<'_> = channels
                .clone()
                .filter_map(ChanSpec::scan_type as fn(&ChanSpec) -> Option<ScanType>);
            let mut scan = Scan {
                raw,
                timestamp,
                channels,
                writer: ScanWriter::new(storage.bytes_mut(), types),
            };
            T::handle_scan(dev, parent, &mut scan).is_ok() && scan.writer.finish().is_ok()
        };
        if complete {
            let bytes = storage.bytes_mut();
            // SAFETY: `bytes` is valid for `len` bytes and aligned for the
            // timestamp (`ScanBuf` is 8-byte aligned); `len` is at least
            // the largest `scan_bytes` (checked at registration), so the
            // core's own check passes. A full buffer drops the scan.
            let _ = unsafe {
                bindings::iio_push_to_buffers_with_ts(
                    raw,
                    bytes.as_mut_ptr().cast(),
                    bytes.len(),
                    timestamp,
                )
            };
        }
        // SAFETY: `pf` and `raw` are valid; the poll function is attached
        // to `trig` (not NULL, and unchangeable while the buffer is
        // enabled).
        unsafe {
            (*pf).timestamp = 0;
            bindings::iio_trigger_notify_done((*raw).trig);
        }
        bindings::irqreturn_IRQ_HANDLED
    }
}
