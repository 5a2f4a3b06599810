// SPDX-License-Identifier: GPL-2.0

//! Extensions of [`crate::sync`] that drivers talking to hardware need.
//!
//! C headers: [`include/linux/completion.h`](srctree/include/linux/completion.h),
//! [`include/linux/spinlock.h`](srctree/include/linux/spinlock.h)
//!
//! - [`CompletionExt`]: the counting side of the kernel crate's
//!   [`Completion`] (`complete()`, `try_wait_for_completion()`) and a wait
//!   with a timeout, for drivers that wait for a hardware event;
//! - [`SpinLockIrq`]: a spinlock taken with local interrupts disabled
//!   (`spin_lock_irqsave()`), for state shared between process context and
//!   a hard interrupt handler.
//!
//! In a kernel tree these belong in `rust/kernel/sync/` as methods of
//! `Completion` and a lock backend beside `SpinLock`.

use crate::{
    bindings,
    ffi::{c_char, c_ulong},
    prelude::*,
    sync::{lock::Backend, Completion},
    time::Delta,
};

// `Completion` is a single `Opaque<struct completion>` field: if the sizes
// are equal, that field is at offset 0, so a `&Completion` points to its
// `struct completion` (which `CompletionExt::as_raw_completion` relies on).
const _: () =
    assert!(core::mem::size_of::<Completion>() == core::mem::size_of::<bindings::completion>());

/// More of the C completion API for [`Completion`]: one event at a time
/// (`complete()`), discarding stale events, and a bounded wait.
///
/// # Examples
///
/// ```
/// use kernel::{sync::Completion, sync_ext::CompletionExt, time::Delta};
///
/// let done = KBox::pin_init(Completion::new(), GFP_KERNEL)?;
/// done.complete();
/// assert!(done.wait_timeout(Delta::from_millis(10)).is_ok());
/// assert_eq!(done.wait_timeout(Delta::from_millis(1)), Err(ETIMEDOUT));
/// done.complete();
/// done.drain();
/// assert!(!done.try_wait());
/// # Ok::<(), Error>(())
/// ```
pub trait CompletionExt {
    /// Signals one event, waking one waiter (`complete()`). Any context,
    /// including hard interrupt handlers.
    fn complete(&self);

    /// Consumes one signalled event if there is one, without sleeping
    /// (`try_wait_for_completion()`). Any context.
    fn try_wait(&self) -> bool;

    /// Discards every event signalled and not yet waited for. Any context.
    fn drain(&self) {
        while self.try_wait() {}
    }

    /// Waits for one event for at most `timeout`, uninterruptibly
    /// (`wait_for_completion_timeout()`); `ETIMEDOUT` if none came. Process
    /// context (sleeps).
    fn wait_timeout(&self, timeout: Delta) -> Result;
}

fn as_raw_completion(c: &Completion) -> *mut bindings::completion {
    // See the size assertion above: the `struct completion` is at offset 0
    // of `Completion`, which is `Opaque` (interior mutability), so writing
    // through the pointer is allowed.
    core::ptr::from_ref(c)
        .cast::<bindings::completion>()
        .cast_mut()
}

impl CompletionExt for Completion {
    fn complete(&self) {
        // SAFETY: `self` is an initialised completion (a `Completion` is
        // only handed out after its initialiser ran).
        unsafe { bindings::complete(as_raw_completion(self)) };
    }

    fn try_wait(&self) -> bool {
        // SAFETY: As in `complete`.
        unsafe { bindings::try_wait_for_completion(as_raw_completion(self)) }
    }

    fn wait_timeout(&self, timeout: Delta) -> Result {
        let ms = u32::try_from(timeout.as_millis().max(1)).unwrap_or(u32::MAX);
        let jiffies = crate::time::msecs_to_jiffies(ms);
        // SAFETY: As in `complete`; the function sleeps, which is allowed in
        // the process context this method is documented for.
        let left =
            unsafe { bindings::wait_for_completion_timeout(as_raw_completion(self), jiffies) };
        if left == 0 {
            Err(ETIMEDOUT)
        } else {
            Ok(())
        }
    }
}

/// A spinlock taken with local interrupts disabled and restored on unlock
/// (`spin_lock_irqsave()`/`spin_unlock_irqrestore()`): usable from process
/// context and from a hard interrupt handler on the same data.
///
/// Create it with [`new_spinlock_irq!`](crate::new_spinlock_irq).
///
/// # Examples
///
/// ```
/// use kernel::{new_spinlock_irq, sync_ext::SpinLockIrq};
///
/// let reg = KBox::pin_init(new_spinlock_irq!(0u32), GFP_KERNEL)?;
/// *reg.lock() |= 1;
/// assert_eq!(*reg.lock(), 1);
/// # Ok::<(), Error>(())
/// ```
pub type SpinLockIrq<T> = crate::sync::lock::Lock<T, SpinLockIrqBackend>;

/// Creates a [`SpinLockIrq`] initialiser with the given data, a lockdep
/// class of its own and an optional name.
#[macro_export]
macro_rules! new_spinlock_irq {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::sync_ext::SpinLockIrq::new(
            $inner, $crate::optional_name!($($name)?), $crate::static_lock_class!())
    };
}

/// The backend of [`SpinLockIrq`].
pub struct SpinLockIrqBackend;

// SAFETY: `spin_lock_irqsave()` gives mutual exclusion like `spin_lock()`;
// the saved interrupt state is the guard state, restored by the unlock of
// the same guard. `relock` keeps the default (lock again, new state).
unsafe impl Backend for SpinLockIrqBackend {
    type State = bindings::spinlock_t;
    type GuardState = c_ulong;

    unsafe fn init(ptr: *mut Self::State, name: *const c_char, key: *mut bindings::lock_class_key) {
        // SAFETY: The caller guarantees `ptr` is valid for writes and `name`
        // and `key` valid forever.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The caller guarantees `ptr` is an initialised spinlock.
        unsafe { bindings::spin_lock_irqsave(ptr) }
    }

    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        let mut flags: c_ulong = 0;
        // SAFETY: As in `lock`; `flags` is valid for writes.
        if unsafe { bindings::spin_trylock_irqsave(ptr, &mut flags) } {
            Some(flags)
        } else {
            None
        }
    }

    unsafe fn unlock(ptr: *mut Self::State, guard_state: &Self::GuardState) {
        // SAFETY: The caller owns the lock, taken by `lock`/`try_lock`
        // which returned `guard_state`.
        unsafe { bindings::spin_unlock_irqrestore(ptr, *guard_state) }
    }

    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // SAFETY: The caller guarantees `ptr` is an initialised spinlock.
        unsafe { bindings::spin_assert_is_held(ptr) }
    }
}
