// SPDX-License-Identifier: GPL-2.0

//! Runtime power management.
//!
//! C header: [`include/linux/pm_runtime.h`](srctree/include/linux/pm_runtime.h)
//!
//! A driver whose device can be powered down when idle implements [`Ops`]
//! (power off, power on) on the data that controls its power (clocks,
//! supplies, reset lines), and enables runtime PM for the device with
//! [`Enabled::new`] in its probe. Code that needs the hardware takes a
//! usage reference ([`resume_and_get`] or [`get_if_in_use`]), which powers
//! the device on if needed; dropping the reference lets it power off,
//! after the autosuspend delay if the driver set one.
//!
//! The PM core finds a device's callbacks in its driver's `dev_pm_ops`.
//! Upstream's bus driver adapters have no PM operations yet, so a driver
//! that uses runtime PM registers through [`WithPm`] (see
//! [`module_i2c_driver_with_pm!`](crate::module_i2c_driver_with_pm)), which
//! points its driver's `dev_pm_ops` to callbacks of this module. Those find
//! the device's [`Ops`] in a device resource that [`Enabled`] adds and
//! removes, so they work from the probe on (runtime PM may suspend the
//! device before the probe returns) and never reach the driver's data
//! after [`Enabled`] is dropped.
//!
//! # Examples
//!
//! ```ignore
//! use kernel::pm_runtime;
//!
//! struct Power { /* clock, supplies, reset GPIO */ }
//!
//! impl pm_runtime::Ops for Power {
//!     fn runtime_suspend(&self, _dev: &Device<Bound>) -> Result { /* off */ Ok(()) }
//!     fn runtime_resume(&self, _dev: &Device<Bound>) -> Result { /* on */ Ok(()) }
//! }
//!
//! // In probe, with the device powered on by hand:
//! let pm = pm_runtime::Enabled::new(dev, Power { }, true)?;
//! pm_runtime::idle(dev);
//! pm_runtime::set_autosuspend_delay(dev, 1000);
//! pm_runtime::use_autosuspend(dev);
//!
//! // Whenever the hardware is needed:
//! let usage = pm_runtime::resume_and_get(dev)?;
//! // ...
//! usage.put_autosuspend();
//! ```

use crate::{
    bindings,
    device::{Bound, Device},
    driver::{DriverLayout, RegistrationOps},
    error::to_result,
    ffi::{c_int, c_void},
    prelude::*,
    types::Opaque,
    ThisModule,
};
use core::marker::PhantomData;

fn raw<Ctx: crate::device::DeviceContext>(dev: &Device<Ctx>) -> *mut bindings::device {
    // Not dereferenced here; `Device` is a transparent wrapper.
    core::ptr::from_ref(dev)
        .cast::<bindings::device>()
        .cast_mut()
}

/// The runtime PM callbacks of a device.
pub trait Ops: Send + Sync {
    /// Powers the device down (`runtime_suspend`).
    fn runtime_suspend(&self, dev: &Device<Bound>) -> Result;

    /// Powers the device up (`runtime_resume`).
    fn runtime_resume(&self, dev: &Device<Bound>) -> Result;
}

/// What the device resource of an [`Enabled`] holds: the data and the
/// callbacks for its type.
#[repr(C)]
struct Node {
    data: *const c_void,
    suspend: unsafe fn(*const c_void, &Device<Bound>) -> Result,
    resume: unsafe fn(*const c_void, &Device<Bound>) -> Result,
}

/// # Safety
///
/// `data` must point to a live `P`.
unsafe fn suspend_fn<P: Ops>(data: *const c_void, dev: &Device<Bound>) -> Result {
    // SAFETY: As required.
    unsafe { &*data.cast::<P>() }.runtime_suspend(dev)
}

/// # Safety
///
/// `data` must point to a live `P`.
unsafe fn resume_fn<P: Ops>(data: *const c_void, dev: &Device<Bound>) -> Result {
    // SAFETY: As required.
    unsafe { &*data.cast::<P>() }.runtime_resume(dev)
}

/// The release of the device resource: nothing to do, it holds no
/// reference. Also the resource's identity for `devres_find()`.
///
/// # Safety
///
/// Only called by the C core, with the valid pointers it documents.
unsafe extern "C" fn node_release(_dev: *mut bindings::device, _res: *mut c_void) {}

/// Calls the callback `pick` of `dev`'s [`Enabled`], if it has one.
///
/// # Safety
///
/// `dev` is a valid device; called by the PM core.
unsafe fn call(
    dev: *mut bindings::device,
    pick: impl FnOnce(&Node) -> unsafe fn(*const c_void, &Device<Bound>) -> Result,
) -> c_int {
    // SAFETY: `dev` is valid; the match function is NULL (any resource
    // released by `node_release` matches).
    let node =
        unsafe { bindings::devres_find(dev, Some(node_release), None, core::ptr::null_mut()) };
    if node.is_null() {
        // No `Enabled` (any more): nothing of the driver to call.
        return 0;
    }
    // SAFETY: The resource is a `Node` (see `Enabled::new`), removed only
    // after runtime PM is disabled, which waits for running callbacks.
    let node = unsafe { &*node.cast::<Node>() };
    let f = pick(node);
    // SAFETY: The device is bound while its `Enabled` exists (it lives in
    // the driver's bound data); `node.data` is the `Enabled`'s live data.
    let r = unsafe {
        f(
            node.data,
            Device::<crate::device::Normal>::from_raw(dev).as_bound(),
        )
    };
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Only called by the C core, with the valid pointers it documents.
unsafe extern "C" fn runtime_suspend_callback(dev: *mut bindings::device) -> c_int {
    // SAFETY: Called by the PM core with a valid device.
    unsafe { call(dev, |n| n.suspend) }
}

/// # Safety
///
/// Only called by the C core, with the valid pointers it documents.
unsafe extern "C" fn runtime_resume_callback(dev: *mut bindings::device) -> c_int {
    // SAFETY: Called by the PM core with a valid device.
    unsafe { call(dev, |n| n.resume) }
}

/// The `dev_pm_ops` of drivers registered through [`WithPm`].
struct PmOps(bindings::dev_pm_ops);

// SAFETY: Only read, by the PM core.
unsafe impl Sync for PmOps {}

static PM_OPS: PmOps = PmOps(bindings::dev_pm_ops {
    runtime_suspend: Some(runtime_suspend_callback),
    runtime_resume: Some(runtime_resume_callback),
    ..pin_init::zeroed()
});

/// Runtime PM enabled for a device, with the callbacks of `P`; dropping it
/// disables runtime PM and, if the device is still powered, powers it off
/// with `P`'s `runtime_suspend`.
///
/// # Invariants
///
/// `dev` has runtime PM enabled by us and a `Node` resource pointing to
/// `data`, removed on drop.
pub struct Enabled<'a, P: Ops> {
    dev: &'a Device<Bound>,
    data: Pin<KBox<P>>,
}

impl<'a, P: Ops> Enabled<'a, P> {
    /// Enables runtime PM for `dev` (of a driver registered through
    /// [`WithPm`]) with callbacks `data`, with the device currently
    /// powered (`active`: `pm_runtime_set_active()`) or not.
    pub fn new(dev: &'a Device<Bound>, data: P, active: bool) -> Result<Self> {
        let data = KBox::pin(data, GFP_KERNEL)?;
        // SAFETY: Allocates a resource of `Node`'s size; `node_release` is
        // a valid release function.
        let node = unsafe {
            bindings::__devres_alloc_node(
                Some(node_release),
                core::mem::size_of::<Node>(),
                bindings::GFP_KERNEL,
                bindings::NUMA_NO_NODE,
                c"pm_runtime::Enabled".as_char_ptr(),
            )
        };
        if node.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `node` is a fresh allocation of `Node`'s size, suitably
        // aligned (devres aligns to `ARCH_DMA_MINALIGN`).
        unsafe {
            node.cast::<Node>().write(Node {
                data: core::ptr::from_ref::<P>(&data).cast(),
                suspend: suspend_fn::<P>,
                resume: resume_fn::<P>,
            });
            bindings::devres_add(raw(dev), node);
        }
        if active {
            // SAFETY: `dev` is valid; runtime PM is not enabled yet.
            let ret = unsafe { bindings::pm_runtime_set_active(raw(dev)) };
            if ret != 0 {
                // SAFETY: Added above.
                unsafe {
                    bindings::devres_destroy(
                        raw(dev),
                        Some(node_release),
                        None,
                        core::ptr::null_mut(),
                    )
                };
                return Err(Error::from_errno(ret));
            }
        }
        // SAFETY: `dev` is valid.
        unsafe { bindings::pm_runtime_enable(raw(dev)) };
        // INVARIANT: enabled, resource added.
        Ok(Self { dev, data })
    }

    /// The callbacks' data.
    pub fn data(&self) -> &P {
        &self.data
    }
}

impl<P: Ops> Drop for Enabled<'_, P> {
    fn drop(&mut self) {
        let dev = raw(self.dev);
        // SAFETY: `dev` is valid. Waits for running callbacks.
        unsafe { bindings::pm_runtime_disable(dev) };
        // SAFETY: `dev` is valid.
        if !unsafe { bindings::pm_runtime_status_suspended(dev) } {
            // As C drivers do at remove: the error cannot be acted upon.
            let _ = self.data.runtime_suspend(self.dev);
            // SAFETY: Runtime PM is disabled.
            unsafe { bindings::pm_runtime_set_suspended(dev) };
        }
        // SAFETY: The resource was added in `new`; no callback runs now.
        unsafe { bindings::devres_destroy(dev, Some(node_release), None, core::ptr::null_mut()) };
    }
}

/// A usage reference on a device's runtime PM, which keeps it powered;
/// dropping it drops the reference with `pm_runtime_put()`.
///
/// # Invariants
///
/// We own one usage count of `dev`.
pub struct Usage<'a> {
    dev: &'a Device<Bound>,
}

impl Usage<'_> {
    /// Keeps the usage count past the reference, for a driver that drops
    /// it in another callback with [`put_autosuspend`] (e.g. taken when a
    /// stream starts and dropped when it stops).
    pub fn keep(self) {
        core::mem::forget(self);
    }

    /// Drops the reference and lets the device autosuspend after its delay
    /// (`pm_runtime_put_autosuspend()`).
    pub fn put_autosuspend(self) {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: By the type invariant we own a usage count.
        unsafe { bindings::pm_runtime_put_autosuspend(raw(this.dev)) };
    }
}

impl Drop for Usage<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own a usage count.
        unsafe { bindings::pm_runtime_put(raw(self.dev)) };
    }
}

/// Takes a usage reference and powers the device on if needed
/// (`pm_runtime_resume_and_get()`); on error, no reference is held.
pub fn resume_and_get(dev: &Device<Bound>) -> Result<Usage<'_>> {
    // SAFETY: `dev` is valid.
    to_result(unsafe { bindings::pm_runtime_resume_and_get(raw(dev)) })?;
    // INVARIANT: the call took a usage count.
    Ok(Usage { dev })
}

/// Takes a usage reference only if the device is powered and in use
/// (`pm_runtime_get_if_in_use()`): `None` if it is not, an error if
/// runtime PM is disabled (`EINVAL`).
pub fn get_if_in_use(dev: &Device<Bound>) -> Result<Option<Usage<'_>>> {
    // SAFETY: `dev` is valid.
    let ret = unsafe { bindings::pm_runtime_get_if_in_use(raw(dev)) };
    if ret < 0 {
        return Err(Error::from_errno(ret));
    }
    // INVARIANT: a positive return means a usage count was taken. Only
    // then is a `Usage` made: one made and dropped would put a count that
    // was never taken.
    Ok(if ret > 0 { Some(Usage { dev }) } else { None })
}

/// Drops a usage count kept with [`Usage::keep`] and lets the device
/// autosuspend after its delay (`pm_runtime_put_autosuspend()`).
///
/// An unbalanced call makes the PM core warn of a usage count underflow.
pub fn put_autosuspend(dev: &Device<Bound>) {
    // SAFETY: `dev` is valid.
    unsafe { bindings::pm_runtime_put_autosuspend(raw(dev)) };
}

/// Drops a usage count kept with [`Usage::keep`] (`pm_runtime_put()`): the
/// device suspends once idle.
///
/// An unbalanced call makes the PM core warn of a usage count underflow.
pub fn put(dev: &Device<Bound>) {
    // SAFETY: `dev` is valid.
    unsafe { bindings::pm_runtime_put(raw(dev)) };
}

/// Drops a usage count kept with [`Usage::keep`] and suspends the device
/// now if idle (`pm_runtime_put_sync()`).
pub fn put_sync(dev: &Device<Bound>) {
    // SAFETY: `dev` is valid. The return value says whether it suspended.
    let _ = unsafe { bindings::pm_runtime_put_sync(raw(dev)) };
}

/// Lets the device suspend now if nothing uses it (`pm_runtime_idle()`).
pub fn idle(dev: &Device<Bound>) {
    // SAFETY: `dev` is valid. The return value says whether it suspended.
    let _ = unsafe { bindings::pm_runtime_idle(raw(dev)) };
}

/// Sets the autosuspend delay, ms (`pm_runtime_set_autosuspend_delay()`).
pub fn set_autosuspend_delay(dev: &Device<Bound>, ms: i32) {
    // SAFETY: `dev` is valid.
    unsafe { bindings::pm_runtime_set_autosuspend_delay(raw(dev), ms) };
}

/// Uses autosuspend (`pm_runtime_use_autosuspend()`).
pub fn use_autosuspend(dev: &Device<Bound>) {
    // SAFETY: `dev` is valid.
    unsafe { bindings::pm_runtime_use_autosuspend(raw(dev)) };
}

/// Whether the device is runtime-suspended (`pm_runtime_status_suspended()`).
pub fn status_suspended(dev: &Device<Bound>) -> bool {
    // SAFETY: `dev` is valid.
    unsafe { bindings::pm_runtime_status_suspended(raw(dev)) }
}

/// A bus driver adapter `A` whose driver gets this module's runtime PM
/// operations (`struct device_driver.pm`), for drivers that use
/// [`Enabled`].
pub struct WithPm<A>(PhantomData<A>);

// SAFETY: Same layout and data as `A`.
unsafe impl<A: DriverLayout> DriverLayout for WithPm<A> {
    type DriverType = A::DriverType;
    type DriverData<'bound> = A::DriverData<'bound>;
    const DEVICE_DRIVER_OFFSET: usize = A::DEVICE_DRIVER_OFFSET;
}

// SAFETY: Registration and unregistration are `A`'s; we only set the PM
// operations before registration.
unsafe impl<A: RegistrationOps> RegistrationOps for WithPm<A> {
    unsafe fn register(
        reg: &Opaque<Self::DriverType>,
        name: &'static CStr,
        module: &'static ThisModule,
    ) -> Result {
        // SAFETY: `reg` embeds a `struct device_driver` at
        // `DEVICE_DRIVER_OFFSET` (`DriverLayout`); it is not registered yet.
        unsafe {
            let drv = reg
                .get()
                .cast::<u8>()
                .add(A::DEVICE_DRIVER_OFFSET)
                .cast::<bindings::device_driver>();
            (*drv).pm = &PM_OPS.0;
        }
        // SAFETY: As required by our caller.
        unsafe { A::register(reg, name, module) }
    }

    unsafe fn unregister(reg: &Opaque<Self::DriverType>) {
        // SAFETY: As required by our caller.
        unsafe { A::unregister(reg) }
    }
}

/// Declares a kernel module with a single I2C driver that uses runtime PM
/// ([`Enabled`]); otherwise as `module_i2c_driver!`.
#[macro_export]
macro_rules! module_i2c_driver_with_pm {
    ($($f:tt)*) => {
        $crate::module_driver!(<T>, $crate::pm_runtime::WithPm<$crate::i2c::Adapter<T>>, { $($f)* });
    };
}

/// Declares a kernel module with a single platform driver that uses
/// runtime PM ([`Enabled`]); otherwise as `module_platform_driver!`.
#[macro_export]
macro_rules! module_platform_driver_with_pm {
    ($($f:tt)*) => {
        $crate::module_driver!(<T>, $crate::pm_runtime::WithPm<$crate::platform::Adapter<T>>, { $($f)* });
    };
}
