// SPDX-License-Identifier: GPL-2.0

//! Our extensions of the `kernel` crate: safe abstractions over the IIO and
//! media C APIs.
//!
//! In a kernel tree, the modules declared here live in `rust/kernel/` and
//! are part of the `kernel` crate. Out of tree, this file is the root of a
//! crate that is also named `kernel`: it re-exports the whole of the kernel's
//! own `kernel` crate and adds our modules beside it, and the drivers and
//! tests of this repository are compiled against it. A driver therefore
//! writes `use kernel::prelude::*;` and `use kernel::media;` the same way in
//! both cases.
//!
//! Inside this crate, `crate::` names our crate (upstream items included,
//! through the re-export below) and `::kernel::` names the kernel's own
//! crate; code under `kernel/` only uses `crate::` paths, so that it compiles
//! unchanged as part of the kernel crate. Macros use `$crate::`.

pub use ::kernel::*;

pub mod bindings;

#[cfg(CONFIG_COMMON_CLK)]
#[path = "kernel/clk_ext.rs"]
pub mod clk_ext;
#[path = "kernel/faux_ext.rs"]
pub mod faux_ext;
#[path = "kernel/gpio.rs"]
pub mod gpio;
#[path = "kernel/iio/mod.rs"]
pub mod iio;
#[path = "kernel/io_ext.rs"]
pub mod io_ext;
#[path = "kernel/media/mod.rs"]
pub mod media;
#[path = "kernel/pm_runtime.rs"]
pub mod pm_runtime;
#[path = "kernel/regulator_bulk.rs"]
pub mod regulator_bulk;
#[path = "kernel/reset.rs"]
pub mod reset;
#[path = "kernel/srcu.rs"]
pub mod srcu;
#[path = "kernel/sync_ext.rs"]
pub mod sync_ext;

use ::kernel::prelude::*;

module! {
    type: KernelExt,
    name: "kernel_ext",
    authors: ["The iio-media-rs authors"],
    description: "Rust abstractions for IIO and media drivers",
    license: "GPL",
}

struct KernelExt;

impl ::kernel::Module for KernelExt {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(KernelExt)
    }
}

impl Drop for KernelExt {
    fn drop(&mut self) {
        // Work items of ours that free media objects must run before our
        // code goes.
        #[cfg(all(CONFIG_MEDIA_CONTROLLER, CONFIG_VIDEO_V4L2_SUBDEV_API))]
        media::subdev::wait_for_deferred_frees();
    }
}
