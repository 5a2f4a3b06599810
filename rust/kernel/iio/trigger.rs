// SPDX-License-Identifier: GPL-2.0

//! IIO triggers.
//!
//! C header: [`include/linux/iio/trigger.h`](srctree/include/linux/iio/trigger.h)
//!
//! A [`Trigger`] is a C `struct iio_trigger`. A driver makes one with
//! [`Trigger::new`], which gives an [`UnregisteredTrigger`] holding the
//! driver's data `D` (the [`TriggerOps`]); [`UnregisteredTrigger::register`]
//! consumes it and returns the [`TriggerRegistration`] that the driver keeps
//! (in its bus device data) for as long as the trigger should exist. The
//! driver polls the trigger ([`Trigger::poll`]) when the event it stands
//! for happens (a conversion ended, data is ready); every device attached
//! to it then runs its triggered buffer handlers.
//!
//! # Lifetimes
//!
//! Devices that use a trigger (consumers, of any driver) hold a reference
//! to it and to its driver's module, taken when user space selects it
//! (`iio_trigger_get()`), and they call its operations whenever they like:
//! `set_trigger_state` when their buffer is enabled or disabled,
//! `reenable` from `iio_trigger_notify_done()` when their bottom half is
//! done. Both can happen after the trigger's driver unbound (the consumer
//! still holds the trigger, e.g. with its buffer enabled). The core itself
//! queues `reenable` on a work item when the trigger is polled with no
//! consumer attached (`iio_trigger_notify_done_atomic()`), and cancels that
//! work only in the trigger's release, at its last reference.
//!
//! So the C side never points into the driver module: the trigger's
//! `struct iio_trigger_ops` and its `dev.release` are not generic (they
//! live in this crate), and they reach the driver's data through a guard
//! that [`TriggerRegistration`]'s drop closes: it unregisters the trigger,
//! waits for operations running in the driver's data, cancels the reenable
//! work, and only then drops `D`. From then on the operations do nothing
//! (`set_state(true)` fails with `ENODEV`), and the release, which may run
//! after the driver module is gone, only frees memory.

use crate::{
    bindings,
    device::{self, Bound},
    devres::Devres,
    error::{from_result, to_result},
    ffi::{c_int, c_void},
    prelude::*,
    sync::{
        aref::{ARef, AlwaysRefCounted},
        atomic::{Atomic, Full, Relaxed},
        Completion,
    },
    types::{ForeignOwnable, Opaque},
    ThisModule,
};
use core::{marker::PhantomData, ops::Deref, ptr::NonNull};

/// The operations of a trigger (`struct iio_trigger_ops`), implemented by
/// its driver data.
///
/// They may be called after the trigger's parent is unbound (a device that
/// uses the trigger keeps it), so they get no bound device: reach hardware
/// through a [`crate::devres::Devres`] and `try_access()`. They are never
/// called once the [`TriggerRegistration`] (or [`UnregisteredTrigger`]) is
/// dropped.
#[vtable]
pub trait TriggerOps: Sized + Send + Sync + 'static {
    /// Only devices with the same parent as the trigger may use it
    /// (`iio_trigger_validate_own_device`): for triggers that only fire
    /// while their own device captures.
    const OWN_DEVICE_ONLY: bool = false;

    /// The first device attached (`true`) or the last detached (`false`).
    /// Process context.
    fn set_state(&self, _trig: &Trigger, _enabled: bool) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Every consumer finished with the last poll: re-arm the source if it
    /// needs it (`reenable`). Process context (consumers call it from their
    /// bottom half, the core from a work item).
    fn reenable(&self, _trig: &Trigger) {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// An IIO trigger (`struct iio_trigger`), of any driver.
///
/// # Invariants
///
/// `self.0` is a valid `struct iio_trigger`, reference counted by its
/// `struct device`.
#[repr(transparent)]
pub struct Trigger(Opaque<bindings::iio_trigger>);

// SAFETY: The C trigger is reference counted and may be used and released
// on any thread.
unsafe impl Send for Trigger {}
// SAFETY: Shared access only calls C functions that do their own locking.
unsafe impl Sync for Trigger {}

// SAFETY: The refcount is that of the embedded `struct device`; the last
// `put_device()` releases the trigger.
unsafe impl AlwaysRefCounted for Trigger {
    fn inc_ref(&self) {
        // SAFETY: `self` is valid, so its refcount is not zero.
        unsafe { bindings::get_device(&raw mut (*self.as_raw()).dev) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference to a valid trigger.
        unsafe {
            bindings::put_device(&raw mut (*obj.as_ptr().cast::<bindings::iio_trigger>()).dev)
        };
    }
}

impl Trigger {
    /// # Safety
    ///
    /// `ptr` must be a valid trigger for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::iio_trigger) -> &'a Self {
        // SAFETY: Transparent wrapper; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::iio_trigger {
        self.0.get()
    }

    /// The trigger's name.
    pub fn name(&self) -> &CStr {
        // SAFETY: A valid trigger has a valid name, freed with it.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name) }
    }

    /// Whether the trigger has the same parent device as `dev`
    /// (`iio_validate_own_trigger`).
    pub fn has_parent(&self, dev: &device::Device) -> bool {
        // SAFETY: The trigger is valid; `parent` is set at allocation.
        unsafe { (*self.as_raw()).dev.parent == crate::iio::dev_raw(dev) }
    }

    /// Fires the trigger (`iio_trigger_poll`): runs the top half of every
    /// attached device's poll function now and wakes their bottom halves;
    /// with no device attached, the core queues `reenable`.
    ///
    /// Meant for the hard interrupt handler of the event the trigger stands
    /// for; callable from any context (local interrupts are disabled around
    /// the call, as the core's interrupt demultiplexing requires).
    pub fn poll(&self) {
        // SAFETY: The trigger is valid; the helper disables local
        // interrupts around `iio_trigger_poll()`.
        unsafe { bindings::iio_trigger_poll_irqs_off(self.as_raw()) };
    }

    /// Fires the trigger from a thread (`iio_trigger_poll_nested`): runs the
    /// bottom half of every attached device's poll function in the caller's
    /// thread (their top halves, which store the timestamp, do not run).
    /// Process context: it sleeps.
    pub fn poll_nested(&self) {
        crate::task::might_sleep();
        // SAFETY: The trigger is valid; we are in process context.
        unsafe { bindings::iio_trigger_poll_nested(self.as_raw()) };
    }

    /// Allocates a trigger named `name` below `parent`, owned by `module`
    /// (devices that use it hold a reference to that module), with driver
    /// data `data`. Register it with [`UnregisteredTrigger::register`].
    #[allow(clippy::new_ret_no_self)]
    pub fn new<'a, D: TriggerOps>(
        parent: &'a device::Device<Bound>,
        module: &'static ThisModule,
        name: &CStr,
        data: impl PinInit<D, Error>,
    ) -> Result<UnregisteredTrigger<'a, D>> {
        let data = KBox::pin_init(data, GFP_KERNEL)?;
        let core = KBox::pin_init(
            Core::new(
                core::ptr::from_ref::<D>(&*data).cast(),
                &Adapter::<D>::VTABLE,
                Adapter::<D>::OPS,
            ),
            GFP_KERNEL,
        )?;
        // SAFETY: `parent` is a valid device; the name is copied.
        let raw = unsafe {
            bindings::iio_trigger_alloc(
                crate::iio::dev_raw(parent),
                module.as_ptr(),
                name.as_char_ptr(),
            )
        };
        if raw.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `raw` is a fresh trigger that nobody else knows yet. The
        // ops live in `core`, whose heap allocation stays put until
        // `release`, which frees it; from here `release` owns `core`.
        unsafe {
            (*raw).ops = &raw const core.ops;
            bindings::iio_trigger_set_drvdata(raw, core.into_foreign().cast());
            (*raw).dev.release = Some(release);
        }
        // SAFETY: `raw` is valid with one reference, which we hand over.
        let trig = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<Trigger>())) };
        Ok(UnregisteredTrigger {
            parent,
            owned: Owned { data, trig },
        })
    }
}

/// What ops of a trigger made by [`Trigger::new`] need, reached through
/// its drvdata: the C ops and the guarded way to the driver's data. Not
/// generic, so that [`release`], which frees it, is not either.
///
/// # Invariants
///
/// While `state` does not have [`REVOKED`], `data` points to the driver
/// data `D` and `vtable` to `Adapter::<D>::VTABLE`, both alive.
#[pin_data]
pub(crate) struct Core {
    ops: bindings::iio_trigger_ops,
    /// [`REVOKED`] and the number of operations running in the data.
    state: Atomic<u32>,
    /// Completed when the data is revoked and no operation runs in it.
    #[pin]
    idle: Completion,
    data: *const c_void,
    vtable: *const VTable,
}

// SAFETY: `data` and `vtable` are only dereferenced under the guard, and
// point to `Send + Sync` data (`D: TriggerOps`) and a static.
unsafe impl Send for Core {}
// SAFETY: As above; `state` and `idle` are thread-safe.
unsafe impl Sync for Core {}

/// Set in [`Core::state`] once the driver data may no longer be used.
const REVOKED: u32 = 1 << 31;

/// The driver data's operations, type-erased.
struct VTable {
    set_state: unsafe fn(*const c_void, &Trigger, bool) -> Result,
    reenable: unsafe fn(*const c_void, &Trigger),
}

/// An operation running in the driver data; ends it on drop.
pub(crate) struct Active<'a>(&'a Core);

impl Drop for Active<'_> {
    fn drop(&mut self) {
        if self.0.state.fetch_sub(1, Full) == REVOKED | 1 {
            // The last operation out after the revocation.
            self.0.idle.complete_all();
        }
    }
}

impl Core {
    fn new(
        data: *const c_void,
        vtable: *const VTable,
        ops: bindings::iio_trigger_ops,
    ) -> impl PinInit<Self> {
        pin_init!(Self {
            ops,
            state: Atomic::new(0),
            idle <- Completion::new(),
            data,
            vtable,
        })
    }

    /// # Safety
    ///
    /// `raw` must be a valid trigger made by [`Trigger::new`], for `'a`.
    unsafe fn of<'a>(raw: *mut bindings::iio_trigger) -> &'a Core {
        // SAFETY: The caller's promise: its drvdata is our `Core`, freed
        // only by `release`.
        unsafe {
            <Pin<KBox<Core>> as ForeignOwnable>::borrow(
                bindings::iio_trigger_get_drvdata(raw).cast(),
            )
        }
        .get_ref()
    }

    /// Starts an operation in the data, unless it is revoked.
    pub(crate) fn enter(&self) -> Option<Active<'_>> {
        let mut s = self.state.load(Relaxed);
        loop {
            if s & REVOKED != 0 {
                return None;
            }
            match self.state.cmpxchg(s, s + 1, Full) {
                Ok(_) => return Some(Active(self)),
                Err(now) => s = now,
            }
        }
    }

    /// Stops new operations in the data and waits for the running ones.
    pub(crate) fn revoke(&self) {
        let mut s = self.state.load(Relaxed);
        loop {
            if s & REVOKED != 0 {
                return;
            }
            match self.state.cmpxchg(s, s | REVOKED, Full) {
                Ok(_) => break,
                Err(now) => s = now,
            }
        }
        if s != 0 {
            // `s` operations were running: the last one completes `idle`.
            self.idle.wait_for_completion();
        }
    }
}

/// A `Core` with no driver data behind it, for the KUnit suite.
#[cfg(CONFIG_RUST_IIO_KUNIT_TEST)]
pub(crate) fn test_core() -> Result<Pin<KBox<Core>>> {
    KBox::pin_init(
        Core::new(core::ptr::null(), core::ptr::null(), pin_init::zeroed()),
        GFP_KERNEL,
    )
}

/// `set_trigger_state` of every trigger made by [`Trigger::new`].
///
/// # Safety
///
/// Called by the C core with a valid trigger made by [`Trigger::new`].
unsafe extern "C" fn set_trigger_state(raw: *mut bindings::iio_trigger, state: bool) -> c_int {
    // SAFETY: The caller's promise.
    let (core, trig) = unsafe { (Core::of(raw), Trigger::from_raw(raw)) };
    from_result(|| match core.enter() {
        Some(_active) => {
            // SAFETY: Not revoked: by the type invariant of `Core` the
            // vtable and data are alive until `_active` is dropped.
            unsafe { ((*core.vtable).set_state)(core.data, trig, state) }?;
            Ok(0)
        }
        // The driver is gone: nothing can fire.
        None if state => Err(ENODEV),
        None => Ok(0),
    })
}

/// `reenable` of every trigger made by [`Trigger::new`].
///
/// # Safety
///
/// Called by the C core with a valid trigger made by [`Trigger::new`].
unsafe extern "C" fn reenable(raw: *mut bindings::iio_trigger) {
    // SAFETY: The caller's promise.
    let (core, trig) = unsafe { (Core::of(raw), Trigger::from_raw(raw)) };
    if let Some(_active) = core.enter() {
        // SAFETY: As in `set_trigger_state`.
        unsafe { ((*core.vtable).reenable)(core.data, trig) };
    }
}

/// `dev.release` of every trigger made by [`Trigger::new`]: the last
/// reference is gone. Only frees memory; may run after the module that
/// made the trigger was unloaded.
///
/// # Safety
///
/// Called by the driver core with the `struct device` of such a trigger.
unsafe extern "C" fn release(dev: *mut bindings::device) {
    // SAFETY: `dev` is embedded in a trigger.
    let raw = unsafe { crate::container_of!(dev, bindings::iio_trigger, dev) };
    // SAFETY: The trigger is valid until the type's release below. The
    // reenable work may still be queued (polled with no consumer just
    // before the last reference went) and uses the `Core`: cancel it
    // before freeing the `Core`. No one can queue it again: that takes a
    // reference.
    unsafe { bindings::cancel_work_sync(&raw mut (*raw).reenable_work) };
    // SAFETY: The drvdata is the `Pin<KBox<Core>>` set in `Trigger::new`;
    // nothing uses it any more.
    drop(unsafe {
        <Pin<KBox<Core>> as ForeignOwnable>::from_foreign(
            bindings::iio_trigger_get_drvdata(raw).cast(),
        )
    });
    // SAFETY: `iio_trigger_alloc()` set the device type, whose release
    // (`iio_trig_release`) frees the trigger as it would without our hook.
    unsafe {
        if let Some(rel) = (*(*dev).type_).release {
            rel(dev);
        }
    }
}

struct Adapter<D: TriggerOps>(PhantomData<D>);

impl<D: TriggerOps> Adapter<D> {
    const VTABLE: VTable = VTable {
        set_state: Self::set_state,
        reenable: Self::reenable,
    };

    const OPS: bindings::iio_trigger_ops = bindings::iio_trigger_ops {
        set_trigger_state: if D::HAS_SET_STATE {
            Some(set_trigger_state)
        } else {
            None
        },
        reenable: if D::HAS_REENABLE {
            Some(reenable)
        } else {
            None
        },
        validate_device: if D::OWN_DEVICE_ONLY {
            Some(bindings::iio_trigger_validate_own_device)
        } else {
            None
        },
    };

    /// # Safety
    ///
    /// `data` must point to a live `D`.
    unsafe fn set_state(data: *const c_void, trig: &Trigger, enabled: bool) -> Result {
        // SAFETY: The caller's promise.
        unsafe { &*data.cast::<D>() }.set_state(trig, enabled)
    }

    /// # Safety
    ///
    /// `data` must point to a live `D`.
    unsafe fn reenable(data: *const c_void, trig: &Trigger) {
        // SAFETY: The caller's promise.
        unsafe { &*data.cast::<D>() }.reenable(trig)
    }
}

/// A trigger made by [`Trigger::new`] and its driver data: dropping it
/// closes the data to the trigger's operations, then drops it.
struct Owned<D: TriggerOps> {
    data: Pin<KBox<D>>,
    trig: ARef<Trigger>,
}

impl<D: TriggerOps> Drop for Owned<D> {
    fn drop(&mut self) {
        let raw = self.trig.as_raw();
        // SAFETY: `trig` was made by `Trigger::new` and we hold a reference.
        let core = unsafe { Core::of(raw) };
        core.revoke();
        // SAFETY: The trigger is valid. A reenable work queued or running
        // now finds the data revoked; cancel it anyway, so that nothing of
        // this trigger runs after its driver let go of it (point of order:
        // revoke and cancel first, drop the data after).
        unsafe { bindings::cancel_work_sync(&raw mut (*raw).reenable_work) };
        // `data` is dropped after this, then our reference.
    }
}

/// A trigger allocated by [`Trigger::new`], not registered yet.
pub struct UnregisteredTrigger<'a, D: TriggerOps> {
    parent: &'a device::Device<Bound>,
    owned: Owned<D>,
}

impl<D: TriggerOps> UnregisteredTrigger<'_, D> {
    /// The driver data.
    pub fn data(&self) -> &D {
        &self.owned.data
    }

    /// A reference to the trigger, e.g. for the interrupt handler that
    /// polls it.
    pub fn trigger(&self) -> ARef<Trigger> {
        self.owned.trig.clone()
    }

    /// Registers the trigger (`iio_trigger_register`), so that devices can
    /// use it. It stays registered until the returned registration is
    /// dropped, or the parent is unbound, whichever comes first.
    pub fn register(self) -> Result<TriggerRegistration<D>> {
        // SAFETY: The trigger is valid and was never registered: this
        // consumes the only `UnregisteredTrigger` for it.
        to_result(unsafe { bindings::iio_trigger_register(self.owned.trig.as_raw()) })?;
        // If this fails, dropping `Registered` unregisters the trigger.
        let reg = Devres::new(self.parent, Registered(self.owned.trig.clone()))?;
        Ok(TriggerRegistration {
            reg,
            owned: self.owned,
        })
    }
}

impl<D: TriggerOps> Deref for UnregisteredTrigger<'_, D> {
    type Target = Trigger;

    fn deref(&self) -> &Trigger {
        &self.owned.trig
    }
}

/// Unregisters the trigger when dropped.
struct Registered(ARef<Trigger>);

impl Drop for Registered {
    fn drop(&mut self) {
        // SAFETY: Made only by `UnregisteredTrigger::register` after the
        // trigger was registered, and dropped once.
        unsafe { bindings::iio_trigger_unregister(self.0.as_raw()) };
    }
}

/// A registered trigger with driver data `D`.
///
/// Dropping it unregisters the trigger (if the parent's unbind did not
/// already), closes `D` to the trigger's operations (waiting for running
/// ones), cancels the core's reenable work and drops `D`. Devices that
/// still use the trigger keep a reference to it; its operations then do
/// nothing. As the drop waits for running operations, do not drop it while
/// holding a lock that `D`'s operations take.
pub struct TriggerRegistration<D: TriggerOps> {
    // Field order is drop order: unregister, then close and drop the data.
    reg: Devres<Registered>,
    owned: Owned<D>,
}

impl<D: TriggerOps> TriggerRegistration<D> {
    /// The driver data.
    pub fn data(&self) -> &D {
        &self.owned.data
    }

    /// A reference to the trigger.
    pub fn trigger(&self) -> ARef<Trigger> {
        self.owned.trig.clone()
    }

    /// Runs `f` on the trigger while it is registered; `ENODEV` if it is
    /// not any more (its parent was unbound).
    pub(crate) fn with_registered<R>(&self, f: impl FnOnce(&Trigger) -> R) -> Result<R> {
        self.reg.try_access_with(|r| f(&r.0)).ok_or(ENODEV)
    }
}

impl<D: TriggerOps> Deref for TriggerRegistration<D> {
    type Target = Trigger;

    fn deref(&self) -> &Trigger {
        &self.owned.trig
    }
}
