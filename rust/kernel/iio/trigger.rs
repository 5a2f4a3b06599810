// SPDX-License-Identifier: GPL-2.0

//! IIO triggers.
//!
//! C header: [`include/linux/iio/trigger.h`](srctree/include/linux/iio/trigger.h)
//!
//! A [`Trigger<D>`] is a C `struct iio_trigger` with driver data `D` and the
//! operations of [`TriggerOps`]. A driver polls it ([`Trigger::poll`]) from
//! its interrupt handler when the event it stands for happens (a conversion
//! ended, data is ready); every device attached to it then runs its
//! triggered buffer handlers.

use crate::{
    bindings, container_of,
    device::{self, Bound},
    devres,
    error::{from_result, to_result},
    ffi::c_int,
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    types::{ForeignOwnable, Opaque},
    ThisModule,
};
use core::{marker::PhantomData, ptr::NonNull};

/// The operations of a trigger (`struct iio_trigger_ops`), implemented by
/// its driver data.
///
/// They may be called after the trigger's parent is unbound (a device that
/// uses the trigger keeps it), so they get no bound device: reach hardware
/// through a [`crate::devres::Devres`] and `try_access()`.
#[vtable]
pub trait TriggerOps: Sized + Send + Sync + 'static {
    /// Only devices with the same parent as the trigger may use it
    /// (`iio_trigger_validate_own_device`): for triggers that only fire
    /// while their own device captures.
    const OWN_DEVICE_ONLY: bool = false;

    /// The first device attached (`true`) or the last detached (`false`).
    fn set_state(_trig: &Trigger<Self>, _enabled: bool) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Every consumer finished with the last poll: re-arm the source if it
    /// needs it (`reenable`). Process context.
    fn reenable(_trig: &Trigger<Self>) {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// Any trigger, as a device sees it in `validate_trigger`.
#[repr(transparent)]
pub struct AnyTrigger(Opaque<bindings::iio_trigger>);

impl AnyTrigger {
    /// # Safety
    ///
    /// `ptr` must be a valid trigger for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::iio_trigger) -> &'a Self {
        // SAFETY: Transparent wrapper; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// The trigger's name.
    pub fn name(&self) -> &CStr {
        // SAFETY: A valid trigger has a valid name.
        unsafe { CStr::from_char_ptr((*self.0.get()).name) }
    }

    /// Whether the trigger has the same parent device as `dev`
    /// (`iio_validate_own_trigger`).
    pub fn has_parent(&self, dev: &device::Device) -> bool {
        // SAFETY: The trigger is valid.
        unsafe { (*self.0.get()).dev.parent == crate::iio::dev_raw(dev) }
    }
}

/// An IIO trigger with driver data `D`.
///
/// # Invariants
///
/// `self.0` was allocated by [`Trigger::new`]: its ops are
/// `Adapter::<D>::OPS`, its drvdata a `Pin<KBox<D>>` from `into_foreign`,
/// dropped by `Adapter::<D>::release` (its `dev.release`). It is
/// reference counted by its `struct device`.
#[repr(transparent)]
pub struct Trigger<D: TriggerOps>(Opaque<bindings::iio_trigger>, PhantomData<D>);

// SAFETY: Reference counted C object, `D: Send`.
unsafe impl<D: TriggerOps> Send for Trigger<D> {}
// SAFETY: Shared access only reaches `D: Sync` and internally locked C.
unsafe impl<D: TriggerOps> Sync for Trigger<D> {}

// SAFETY: The refcount is that of the embedded `struct device`.
unsafe impl<D: TriggerOps> AlwaysRefCounted for Trigger<D> {
    fn inc_ref(&self) {
        // SAFETY: `self` is valid, so its refcount is not zero.
        unsafe { bindings::get_device(&raw mut (*self.as_raw()).dev) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference.
        unsafe {
            bindings::put_device(&raw mut (*obj.as_ptr().cast::<bindings::iio_trigger>()).dev)
        };
    }
}

impl<D: TriggerOps> Trigger<D> {
    pub(crate) fn as_raw(&self) -> *mut bindings::iio_trigger {
        self.0.get()
    }

    /// Allocates a trigger named `name` below `parent`, owned by `module`,
    /// with driver data `data`.
    pub fn new(
        parent: &device::Device<Bound>,
        module: &'static ThisModule,
        name: &CStr,
        data: impl PinInit<D, Error>,
    ) -> Result<ARef<Self>> {
        let data = KBox::pin_init(data, GFP_KERNEL)?;
        // SAFETY: `parent` is valid; the name is copied by the core.
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
        // SAFETY: `raw` is a fresh trigger; `OPS` is `'static`; from here
        // our release hook owns `data`.
        unsafe {
            (*raw).ops = Adapter::<D>::OPS;
            bindings::iio_trigger_set_drvdata(raw, data.into_foreign().cast());
            (*raw).dev.release = Some(Adapter::<D>::release);
        }
        // SAFETY: One reference, handed over. INVARIANT: set up above.
        Ok(unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast())) })
    }

    /// The driver data.
    pub fn data(&self) -> &D {
        // SAFETY: By the type invariant the drvdata is our `Pin<KBox<D>>`,
        // alive until release.
        unsafe {
            <Pin<KBox<D>> as ForeignOwnable>::borrow(
                bindings::iio_trigger_get_drvdata(self.as_raw()).cast(),
            )
        }
        .get_ref()
    }

    /// Registers the trigger for as long as `parent` is bound.
    pub fn register(this: &ARef<Self>, parent: &device::Device<Bound>) -> Result {
        // SAFETY: `this` is a valid, unregistered trigger.
        to_result(unsafe { bindings::iio_trigger_register(this.as_raw()) })?;
        devres::register(parent, TriggerRegistration(this.clone()), GFP_KERNEL)
    }

    pub(crate) fn is_registered(&self) -> bool {
        // SAFETY: The trigger is valid; `list` is initialised at allocation
        // and linked while registered.
        unsafe {
            let list = &raw const (*self.as_raw()).list;
            (*list).next.cast_const() != list
        }
    }

    /// Fires the trigger: runs the top half of every attached device's poll
    /// function now and schedules their bottom halves. For hard interrupt
    /// context (`iio_trigger_poll`).
    pub fn poll(&self) {
        // SAFETY: The trigger is valid; `iio_trigger_poll` may be called
        // from hard IRQ context, whether or not devices are attached.
        unsafe { bindings::iio_trigger_poll(self.as_raw()) };
    }

    /// As [`Trigger::poll`], from a threaded handler
    /// (`iio_trigger_poll_nested`).
    pub fn poll_nested(&self) {
        // SAFETY: As in `poll`, from process context.
        unsafe { bindings::iio_trigger_poll_nested(self.as_raw()) };
    }
}

struct TriggerRegistration<D: TriggerOps>(ARef<Trigger<D>>);

impl<D: TriggerOps> Drop for TriggerRegistration<D> {
    fn drop(&mut self) {
        // SAFETY: Registered in `Trigger::register`.
        unsafe { bindings::iio_trigger_unregister(self.0.as_raw()) };
    }
}

struct Adapter<D: TriggerOps>(PhantomData<D>);

impl<D: TriggerOps> Adapter<D> {
    const OPS: &'static bindings::iio_trigger_ops = &bindings::iio_trigger_ops {
        set_trigger_state: if D::HAS_SET_STATE {
            Some(Self::set_trigger_state)
        } else {
            None
        },
        reenable: if D::HAS_REENABLE {
            Some(Self::reenable)
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
    /// `raw` must be a valid `Trigger<D>` for `'a`.
    unsafe fn trig<'a>(raw: *mut bindings::iio_trigger) -> &'a Trigger<D> {
        // SAFETY: Transparent wrapper; the caller's promise.
        unsafe { &*raw.cast() }
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn set_trigger_state(raw: *mut bindings::iio_trigger, state: bool) -> c_int {
        // SAFETY: The core calls ops on a valid trigger with our ops.
        let trig = unsafe { Self::trig(raw) };
        from_result(|| D::set_state(trig, state).map(|()| 0))
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn reenable(raw: *mut bindings::iio_trigger) {
        // SAFETY: The core calls ops on a valid trigger with our ops.
        D::reenable(unsafe { Self::trig(raw) });
    }

    /// # Safety
    ///
    /// Only called by the C core, with the valid pointers it documents.
    unsafe extern "C" fn release(dev: *mut bindings::device) {
        // SAFETY: `dev` is embedded in a trigger being released.
        let raw = unsafe { container_of!(dev, bindings::iio_trigger, dev) };
        // SAFETY: The drvdata is the `Pin<KBox<D>>` set in `new`; nothing
        // uses it any more.
        drop(unsafe {
            <Pin<KBox<D>> as ForeignOwnable>::from_foreign(
                bindings::iio_trigger_get_drvdata(raw).cast(),
            )
        });
        // SAFETY: The core's release for the trigger's device type, which
        // frees it.
        unsafe {
            if let Some(rel) = (*(*dev).type_).release {
                rel(dev);
            }
        }
    }
}
