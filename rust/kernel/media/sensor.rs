// SPDX-License-Identifier: GPL-2.0

//! What camera sensor drivers share: the external clock.
//!
//! C header: [`include/media/v4l2-common.h`](srctree/include/media/v4l2-common.h)

use crate::{
    bindings,
    device::{Bound, Device},
    error::{from_err_ptr, to_result},
    media::dev_raw,
    prelude::*,
};
use core::marker::PhantomData;

/// A sensor's external clock, got the way every V4L2 sensor driver gets it
/// (`devm_v4l2_sensor_clk_get()`): the `clocks` of its firmware node, or on
/// non-devicetree systems a fixed clock of the `clock-frequency` property.
///
/// The clock is a device resource of the bound device: it lives as long as
/// the borrow of the device it was got with.
///
/// # Invariants
///
/// `clk` is a valid clock (or NULL, the "no clock" of the clock API) held
/// by a device resource of a device bound for `'a`.
pub struct SensorClk<'a> {
    clk: *mut bindings::clk,
    _p: PhantomData<&'a Device<Bound>>,
}

// SAFETY: The clock API may be used from any task.
unsafe impl Send for SensorClk<'_> {}
// SAFETY: The clock API does its own locking.
unsafe impl Sync for SensorClk<'_> {}

impl<'a> SensorClk<'a> {
    /// Gets clock `id` (the only one, for `None`) of `dev`.
    pub fn get(dev: &'a Device<Bound>, id: Option<&CStr>) -> Result<Self> {
        let id = id.map_or(core::ptr::null(), |i| i.as_char_ptr());
        // SAFETY: `dev` is a valid bound device; `id` is NULL or a C string.
        let clk = from_err_ptr(unsafe {
            bindings::__devm_v4l2_sensor_clk_get(dev_raw(dev), id, false, false, 0)
        })?;
        // INVARIANT: a device resource of `dev`, bound for `'a`.
        Ok(Self {
            clk,
            _p: PhantomData,
        })
    }

    /// The rate, Hz (`clk_get_rate()`).
    pub fn rate(&self) -> u64 {
        // SAFETY: By the type invariant the clock is valid.
        unsafe { bindings::clk_get_rate(self.clk.cast()) as u64 }
    }

    /// Prepares and enables the clock (`clk_prepare_enable()`).
    pub fn prepare_enable(&self) -> Result {
        // SAFETY: By the type invariant the clock is valid.
        to_result(unsafe { bindings::clk_prepare_enable(self.clk.cast()) })
    }

    /// Disables and unprepares the clock (`clk_disable_unprepare()`).
    pub fn disable_unprepare(&self) {
        // SAFETY: By the type invariant the clock is valid.
        unsafe { bindings::clk_disable_unprepare(self.clk.cast()) };
    }
}
