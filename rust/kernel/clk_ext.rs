// SPDX-License-Identifier: GPL-2.0

//! Clock operations the kernel crate's [`Clk`](crate::clk::Clk) does not
//! have yet.
//!
//! C header: [`include/linux/clk.h`](srctree/include/linux/clk.h)

use crate::{
    bindings,
    clk::{Clk, Hertz},
    error::to_result,
    prelude::*,
};

/// Sets the minimum rate of `clk` (`clk_set_min_rate()`): the clock
/// framework keeps it at least that fast while the constraint holds; 0
/// drops the constraint.
pub fn set_min_rate(clk: &Clk, rate: Hertz) -> Result {
    // SAFETY: `clk` is a valid clock (or NULL, which the C API accepts).
    to_result(unsafe { bindings::clk_set_min_rate(clk.as_raw().cast(), rate.as_hz()) })
}
