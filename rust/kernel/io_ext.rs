// SPDX-License-Identifier: GPL-2.0

//! I/O memory: requesting a device's register range the way C drivers do.
//!
//! C header: [`include/linux/ioport.h`](srctree/include/linux/ioport.h)

use crate::{
    bindings,
    device::{Bound, Device},
    io::resource::Resource,
    prelude::*,
};

/// Requests the memory range of `res` for `dev` in the system's I/O memory
/// tree, device-managed (`devm_request_mem_region()`), as
/// `devm_platform_ioremap_resource()` does before it maps a range: `EBUSY`
/// when another driver has it. The range is released when `dev` is
/// unbound.
///
/// Map the range with `IoRequest::iomap_sized()` after this. The kernel
/// crate's `IoRequest::iomap_exclusive*()` requests the range below the
/// device's own resource but releases it from the root of the tree, and the
/// resources of a devicetree platform device are not in the tree: the
/// release does not find the range ("Trying to free nonexistent resource")
/// and the request's resource leaks.
///
/// # Examples
///
/// ```
/// use kernel::{device::{Bound, Device}, io_ext, platform, prelude::*};
///
/// fn claim(pdev: &platform::Device<Bound>) -> Result {
///     let res = pdev.resource_by_name(c"regs").ok_or(EINVAL)?;
///     io_ext::request_mem_region(pdev.as_ref(), res)
/// }
/// ```
pub fn request_mem_region(dev: &Device<Bound>, res: &Resource) -> Result {
    let raw = core::ptr::from_ref(dev)
        .cast::<bindings::device>()
        .cast_mut();
    // SAFETY: `raw` is a valid bound device. The name the region keeps is
    // the device's (C's `devm_ioremap_resource()` does the same), which
    // outlives the request: it is released when the device is unbound.
    let ok = unsafe { bindings::kext_devm_request_mem_region(raw, res.start(), res.size()) };
    if ok {
        Ok(())
    } else {
        dev_err!(
            dev,
            "can't request region for resource {:#x}\n",
            res.start()
        );
        Err(EBUSY)
    }
}
