// SPDX-License-Identifier: GPL-2.0

//! Sub-device state.
//!
//! C header: [`include/media/v4l2-subdev.h`](srctree/include/media/v4l2-subdev.h)
//!
//! A sub-device whose state the core manages (`v4l2_subdev_init_finalize()`)
//! keeps its active configuration, and each open file handle a trial one,
//! in a `struct v4l2_subdev_state`: a format, crop and compose rectangle and
//! frame interval per pad (or per stream, with streams), and the routing
//! table. The core locks the state around every operation that gets one.
//!
//! [`State`] is only ever handed out while its lock is held. Its accessors
//! copy values in and out, so that nested operations (a control change
//! inside `set_fmt` calling `s_ctrl`, which reads the state too) never hold
//! Rust references into it.

use crate::{
    bindings,
    error::to_result,
    media::{
        mbus::{FrameFormat, Rect},
        subdev::{args::Route, AnySubdev},
    },
    prelude::*,
    types::Opaque,
};

/// A locked sub-device state (`struct v4l2_subdev_state`).
///
/// # Invariants
///
/// `self.0` is a valid state whose lock is held for the lifetime of the
/// reference, by the thread that has the reference (`State` is `!Sync` and
/// `!Send`).
#[repr(transparent)]
pub struct State(Opaque<bindings::v4l2_subdev_state>);

impl State {
    /// # Safety
    ///
    /// `ptr` must be a valid state whose lock is held by the current thread
    /// for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::v4l2_subdev_state) -> &'a Self {
        // SAFETY: `State` is transparent; the rest is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// The C state.
    pub fn as_raw(&self) -> *mut bindings::v4l2_subdev_state {
        self.0.get()
    }

    /// The sub-device the state belongs to.
    pub fn subdev(&self) -> &AnySubdev {
        // SAFETY: A state's sub-device outlives it.
        unsafe { AnySubdev::from_raw((*self.as_raw()).sd) }
    }

    /// The mutex that locks the state.
    pub(crate) fn lock_ptr(&self) -> *mut bindings::mutex {
        // SAFETY: By the type invariant `self` is valid.
        unsafe { (*self.as_raw()).lock }
    }

    /// The format of `stream` on `pad` (stream 0 without streams); `EINVAL`
    /// if the state has none there.
    pub fn format(&self, pad: u32, stream: u32) -> Result<FrameFormat> {
        // SAFETY: The state is valid and locked; the core checks `pad` and
        // `stream`.
        let f = unsafe { bindings::__v4l2_subdev_state_get_format(self.as_raw(), pad, stream) };
        if f.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `f` points into the locked state.
        Ok(FrameFormat::from_raw(unsafe { &*f }))
    }

    /// Sets the format of `stream` on `pad`; `EINVAL` if the state has no
    /// such pad or stream.
    pub fn set_format(&self, pad: u32, stream: u32, fmt: &FrameFormat) -> Result {
        // SAFETY: As for `format`.
        let f = unsafe { bindings::__v4l2_subdev_state_get_format(self.as_raw(), pad, stream) };
        if f.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `f` points into the locked state; no Rust reference to it
        // exists (accessors copy).
        unsafe { *f = fmt.clone().0 };
        Ok(())
    }

    /// The crop rectangle of `stream` on `pad`.
    pub fn crop(&self, pad: u32, stream: u32) -> Result<Rect> {
        // SAFETY: As for `format`.
        let r = unsafe { bindings::__v4l2_subdev_state_get_crop(self.as_raw(), pad, stream) };
        if r.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `r` points into the locked state.
        Ok(Rect::from_raw(unsafe { &*r }))
    }

    /// Sets the crop rectangle of `stream` on `pad`.
    pub fn set_crop(&self, pad: u32, stream: u32, rect: Rect) -> Result {
        // SAFETY: As for `format`.
        let r = unsafe { bindings::__v4l2_subdev_state_get_crop(self.as_raw(), pad, stream) };
        if r.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: As for `set_format`.
        unsafe { *r = rect.to_raw() };
        Ok(())
    }

    /// The compose rectangle of `stream` on `pad`.
    pub fn compose(&self, pad: u32, stream: u32) -> Result<Rect> {
        // SAFETY: As for `format`.
        let r = unsafe { bindings::__v4l2_subdev_state_get_compose(self.as_raw(), pad, stream) };
        if r.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `r` points into the locked state.
        Ok(Rect::from_raw(unsafe { &*r }))
    }

    /// Sets the compose rectangle of `stream` on `pad`.
    pub fn set_compose(&self, pad: u32, stream: u32, rect: Rect) -> Result {
        // SAFETY: As for `format`.
        let r = unsafe { bindings::__v4l2_subdev_state_get_compose(self.as_raw(), pad, stream) };
        if r.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: As for `set_format`.
        unsafe { *r = rect.to_raw() };
        Ok(())
    }

    /// A copy of the routing table.
    pub fn routes(&self) -> Result<KVec<Route>> {
        // SAFETY: The state is valid and locked.
        let routing = unsafe { &(*self.as_raw()).routing };
        let mut v = KVec::with_capacity(routing.num_routes as usize, GFP_KERNEL)?;
        if !routing.routes.is_null() {
            for i in 0..routing.num_routes as usize {
                // SAFETY: `routes` has `num_routes` entries.
                let r = unsafe { &*routing.routes.add(i) };
                v.push(Route::from_raw(r), GFP_KERNEL)?;
            }
        }
        Ok(v)
    }

    /// Replaces the routing table with `routes` (`v4l2_subdev_set_routing()`)
    /// and resets the stream configurations (formats) to zero.
    pub fn set_routing(&self, routes: &[Route]) -> Result {
        let routing = krouting(routes)?;
        // SAFETY: The state is valid and locked; `routing` is read during
        // the call only (the core copies the routes).
        to_result(unsafe {
            bindings::v4l2_subdev_set_routing((*self.as_raw()).sd, self.as_raw(), &routing)
        })
    }

    /// Replaces the routing table with `routes` and sets every stream's
    /// format to `fmt` (`v4l2_subdev_set_routing_with_fmt()`).
    pub fn set_routing_with_fmt(&self, routes: &[Route], fmt: &FrameFormat) -> Result {
        let routing = krouting(routes)?;
        // SAFETY: As for `set_routing`.
        to_result(unsafe {
            bindings::v4l2_subdev_set_routing_with_fmt(
                (*self.as_raw()).sd,
                self.as_raw(),
                &routing,
                &raw const fmt.0,
            )
        })
    }

    /// The pad and stream at the other end of the route of `stream` on
    /// `pad` (`v4l2_subdev_routing_find_opposite_end()`); `EINVAL` if none.
    pub fn find_opposite_end(&self, pad: u32, stream: u32) -> Result<(u32, u32)> {
        let (mut opad, mut ostream) = (0u32, 0u32);
        // SAFETY: The state is valid and locked.
        to_result(unsafe {
            bindings::v4l2_subdev_routing_find_opposite_end(
                &(*self.as_raw()).routing,
                pad,
                stream,
                &mut opad,
                &mut ostream,
            )
        })?;
        Ok((opad, ostream))
    }

    /// The streams of `pad1` routed to `streams` of `pad0`
    /// (`v4l2_subdev_state_xlate_streams()`); the bits of `streams` with no
    /// route are cleared.
    pub fn xlate_streams(&self, pad0: u32, pad1: u32, streams: &mut u64) -> u64 {
        // SAFETY: The state is valid and locked.
        unsafe { bindings::v4l2_subdev_state_xlate_streams(self.as_raw(), pad0, pad1, streams) }
    }
}

/// Routes may not share a sink or source stream: one to one
/// (`V4L2_SUBDEV_ROUTING_ONLY_1_TO_1`).
pub const ROUTING_ONLY_1_TO_1: u32 =
    bindings::v4l2_subdev_routing_restriction_V4L2_SUBDEV_ROUTING_ONLY_1_TO_1;

/// A sink stream may not go to several source streams
/// (`V4L2_SUBDEV_ROUTING_NO_1_TO_N`).
pub const ROUTING_NO_1_TO_N: u32 =
    bindings::v4l2_subdev_routing_restriction_V4L2_SUBDEV_ROUTING_NO_1_TO_N;

/// Several sink streams may not go to one source stream
/// (`V4L2_SUBDEV_ROUTING_NO_N_TO_1`).
pub const ROUTING_NO_N_TO_1: u32 =
    bindings::v4l2_subdev_routing_restriction_V4L2_SUBDEV_ROUTING_NO_N_TO_1;

/// Streams of a sink pad may not go to several source pads, nor streams of
/// several sink pads to one source pad (`V4L2_SUBDEV_ROUTING_NO_STREAM_MIX`).
pub const ROUTING_NO_STREAM_MIX: u32 =
    bindings::v4l2_subdev_routing_restriction_V4L2_SUBDEV_ROUTING_NO_STREAM_MIX;

/// A pad may not carry several streams (`V4L2_SUBDEV_ROUTING_NO_MULTIPLEXING`).
pub const ROUTING_NO_MULTIPLEXING: u32 =
    bindings::v4l2_subdev_routing_restriction_V4L2_SUBDEV_ROUTING_NO_MULTIPLEXING;

/// Checks `routes` for sub-device `sd` against the core's rules and the
/// `disallow` restrictions (`v4l2_subdev_routing_validate()`), with the C
/// error codes (`EINVAL`, `EPIPE`).
pub fn validate_routing(sd: &AnySubdev, routes: &[Route], disallow: u32) -> Result {
    let routing = krouting(routes)?;
    // SAFETY: `sd` is valid; `routing` is only read during the call.
    to_result(unsafe { bindings::v4l2_subdev_routing_validate(sd.as_raw(), &routing, disallow) })
}

fn krouting(routes: &[Route]) -> Result<bindings::v4l2_subdev_krouting> {
    let n = u32::try_from(routes.len())?;
    Ok(bindings::v4l2_subdev_krouting {
        len_routes: n,
        num_routes: n,
        // The core only reads through this pointer.
        routes: routes
            .as_ptr()
            .cast::<bindings::v4l2_subdev_route>()
            .cast_mut(),
    })
}

/// The locked active state of a sub-device; unlocked on drop.
///
/// # Invariants
///
/// `state` is the active state of a live sub-device, locked by us.
pub struct StateGuard<'a> {
    state: &'a State,
}

impl<'a> StateGuard<'a> {
    /// # Safety
    ///
    /// `sd` must be a valid sub-device with an active state, live for `'a`.
    pub(crate) unsafe fn lock(sd: *mut bindings::v4l2_subdev) -> Option<Self> {
        // SAFETY: `sd` is valid (the caller's promise).
        let s = unsafe { bindings::v4l2_subdev_lock_and_get_active_state(sd) };
        if s.is_null() {
            return None;
        }
        // SAFETY: `s` is locked by us until drop.
        let state = unsafe { State::from_raw(s) };
        // INVARIANT: locked by the helper.
        Some(Self { state })
    }
}

impl<'a> core::ops::Deref for StateGuard<'a> {
    type Target = State;

    fn deref(&self) -> &State {
        self.state
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we hold the lock.
        unsafe { bindings::v4l2_subdev_unlock_state(self.state.as_raw()) };
    }
}
