// SPDX-License-Identifier: GPL-2.0

//! A spinlock that also disables local interrupts while held.
//!
//! C header: [`include/linux/spinlock.h`](srctree/include/linux/spinlock.h)
//!
//! For data shared between a hard interrupt handler and process context:
//! process context takes the lock with `spin_lock_irqsave()`, so that the
//! handler cannot interrupt it on the same CPU and spin forever. In the
//! handler itself interrupts are already off and the same call is cheap.

use crate::{bindings, ffi::c_ulong, sync::lock};

/// Creates a [`SpinLockIrq`] initialiser with the given name and a newly
/// created lock class.
#[macro_export]
macro_rules! new_spinlock_irq {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::spinlock_irq::SpinLockIrq::new(
            $inner, $crate::optional_name!($($name)?), $crate::static_lock_class!())
    };
}
pub use new_spinlock_irq;

/// A spinlock taken with local interrupts disabled (`spin_lock_irqsave()`).
///
/// # Examples
///
/// ```
/// use kernel::{new_spinlock_irq, prelude::*, spinlock_irq::SpinLockIrq, sync::Arc};
///
/// let shared = Arc::pin_init(new_spinlock_irq!(0u32), GFP_KERNEL)?;
/// *shared.lock() += 1;
/// assert_eq!(*shared.lock(), 1);
/// # Ok::<(), Error>(())
/// ```
pub type SpinLockIrq<T> = lock::Lock<T, SpinLockIrqBackend>;

/// A guard of a [`SpinLockIrq`]: interrupts are restored when it is
/// dropped.
pub type SpinLockIrqGuard<'a, T> = lock::Guard<'a, T, SpinLockIrqBackend>;

/// The `spinlock_t` backend of [`SpinLockIrq`].
pub struct SpinLockIrqBackend;

// SAFETY: The kernel's `spinlock_t` ensures mutual exclusion; the saved
// interrupt state is restored by the unlock of the same guard. `relock`
// uses the default implementation, which calls `lock` again and stores the
// new state.
unsafe impl lock::Backend for SpinLockIrqBackend {
    type State = bindings::spinlock_t;
    type GuardState = c_ulong;

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const crate::ffi::c_char,
        key: *mut bindings::lock_class_key,
    ) {
        // SAFETY: The caller guarantees that `ptr` is valid for writes and
        // that `name` and `key` live forever.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The caller guarantees that `ptr` is an initialised lock.
        unsafe { bindings::kext_spin_lock_irqsave(ptr) }
    }

    unsafe fn unlock(ptr: *mut Self::State, guard_state: &Self::GuardState) {
        // SAFETY: The caller owns the lock, taken by `lock`, which returned
        // `guard_state`.
        unsafe { bindings::kext_spin_unlock_irqrestore(ptr, *guard_state) }
    }

    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        let mut flags: c_ulong = 0;
        // SAFETY: The caller guarantees that `ptr` is an initialised lock;
        // `flags` is a valid local.
        if unsafe { bindings::kext_spin_trylock_irqsave(ptr, &mut flags) } {
            Some(flags)
        } else {
            None
        }
    }

    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // SAFETY: The caller guarantees that `ptr` is an initialised lock.
        unsafe { bindings::spin_assert_is_held(ptr) }
    }
}
