// SPDX-License-Identifier: GPL-2.0

//! A counting completion with a timed wait.
//!
//! C header: [`include/linux/completion.h`](srctree/include/linux/completion.h)
//!
//! The kernel crate's [`crate::sync::Completion`] has `complete_all()` and
//! an unbounded wait only. Drivers that wait for a hardware event need a
//! bounded wait and a way to drop a stale event before starting a new
//! operation; [`TimedCompletion`] provides them.

use crate::{bindings, prelude::*, time::Delta, types::Opaque};

/// A `struct completion` used as an event counter: `complete()` from any
/// context (including hard IRQ), `wait_timeout()` from process context.
///
/// # Invariants
///
/// `inner` is an initialised `struct completion`.
#[pin_data]
pub struct TimedCompletion {
    #[pin]
    inner: Opaque<bindings::completion>,
}

// SAFETY: A `struct completion` may be used from any task.
unsafe impl Send for TimedCompletion {}
// SAFETY: The completion API is internally synchronised.
unsafe impl Sync for TimedCompletion {}

impl TimedCompletion {
    /// Creates an initializer for a new, not completed [`TimedCompletion`].
    pub fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            // INVARIANT: `init_completion` initialises the completion.
            inner <- Opaque::ffi_init(|slot: *mut bindings::completion| {
                // SAFETY: `slot` is valid for writes of a `struct completion`.
                unsafe { bindings::init_completion(slot) };
            }),
        })
    }

    /// Signals one event, waking one waiter. Usable in any context.
    pub fn complete(&self) {
        // SAFETY: By the type invariant, `inner` is a valid completion.
        unsafe { bindings::complete(self.inner.get()) };
    }

    /// Discards every event signalled so far and not waited for.
    pub fn drain(&self) {
        // SAFETY: By the type invariant, `inner` is a valid completion.
        while unsafe { bindings::try_wait_for_completion(self.inner.get()) } {}
    }

    /// Waits for one event for at most `timeout` (uninterruptibly, like the
    /// hardware it waits for). Returns `ETIMEDOUT` if none came.
    pub fn wait_timeout(&self, timeout: Delta) -> Result {
        let ms = u32::try_from(timeout.as_millis().max(1)).unwrap_or(u32::MAX);
        let jiffies = crate::time::msecs_to_jiffies(ms);
        // SAFETY: By the type invariant, `inner` is a valid completion; we
        // are in process context (callers' requirement, as for any sleep).
        let left = unsafe { bindings::wait_for_completion_timeout(self.inner.get(), jiffies) };
        if left == 0 {
            Err(ETIMEDOUT)
        } else {
            Ok(())
        }
    }
}
