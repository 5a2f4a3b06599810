// SPDX-License-Identifier: GPL-2.0

//! Sleepable RCU (SRCU).
//!
//! C header: [`include/linux/srcu.h`](srctree/include/linux/srcu.h)
//!
//! An [`Srcu`] domain lets readers sleep inside their read-side critical
//! sections and nest them, and lets an updater wait with
//! [`Srcu::synchronize`] until every reader that started before has left.
//! The media abstractions use it to revoke a driver's data while C may be
//! about to call one of the driver's callbacks: the callback runs inside a
//! read-side section, and the revocation waits for it.

use crate::{bindings, error::to_result, prelude::*, sync::LockClassKey, types::Opaque};

/// An SRCU domain (`struct srcu_struct`).
///
/// # Invariants
///
/// `inner` is an initialised `struct srcu_struct`, cleaned up on drop.
///
/// # Examples
///
/// ```
/// use kernel::{srcu::Srcu, static_lock_class, prelude::*};
///
/// let srcu = KBox::pin_init(Srcu::new(c"example", static_lock_class!()), GFP_KERNEL)?;
/// {
///     let _reader = srcu.read_lock();
///     // Readers may sleep here.
/// }
/// srcu.synchronize();
/// # Ok::<(), Error>(())
/// ```
#[pin_data(PinnedDrop)]
pub struct Srcu {
    #[pin]
    inner: Opaque<bindings::srcu_struct>,
}

// SAFETY: The SRCU API may be used from any task; the domain is internally
// synchronised.
unsafe impl Send for Srcu {}
// SAFETY: As above: readers and updaters on any task, concurrently.
unsafe impl Sync for Srcu {}

impl Srcu {
    /// Initialises an SRCU domain whose lockdep class is `key`, named
    /// `name` in lockdep reports.
    pub fn new(name: &'static CStr, key: Pin<&'static LockClassKey>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            inner <- Opaque::try_ffi_init(|slot: *mut bindings::srcu_struct| {
                // SAFETY: `slot` is valid for writes and pinned; `name` and
                // `key` are static. Zeroed first, as a static one would be.
                to_result(unsafe {
                    slot.write_bytes(0, 1);
                    bindings::kext_init_srcu_struct(slot, name.as_char_ptr(), key.as_ptr())
                })
            }),
        })
    }

    /// Enters a read-side critical section, left when the guard is dropped.
    pub fn read_lock(&self) -> SrcuGuard<'_> {
        // SAFETY: By the type invariant `inner` is initialised.
        let idx = unsafe { bindings::srcu_read_lock(self.inner.get()) };
        // INVARIANT: `idx` is what `srcu_read_lock` returned.
        SrcuGuard { srcu: self, idx }
    }

    /// Waits until every read-side critical section that started before
    /// the call has ended. Sleeps; must not be called inside a read-side
    /// critical section of the same domain.
    pub fn synchronize(&self) {
        // SAFETY: By the type invariant `inner` is initialised.
        unsafe { bindings::synchronize_srcu(self.inner.get()) };
    }
}

#[pinned_drop]
impl PinnedDrop for Srcu {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant `inner` is initialised; no reader can
        // exist since a guard borrows `self`, and we never queue callbacks.
        unsafe { bindings::cleanup_srcu_struct(self.inner.get()) };
    }
}

/// A read-side critical section of an [`Srcu`] domain.
///
/// # Invariants
///
/// `idx` was returned by `srcu_read_lock()` on `srcu` and not yet given back.
pub struct SrcuGuard<'a> {
    srcu: &'a Srcu,
    idx: i32,
}

impl Drop for SrcuGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant, this ends the section `idx` opened.
        unsafe { bindings::srcu_read_unlock(self.srcu.inner.get(), self.idx) };
    }
}
