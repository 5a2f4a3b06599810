// SPDX-License-Identifier: GPL-2.0

//! Media devices.
//!
//! C header: [`include/media/media-device.h`](srctree/include/media/media-device.h)
//!
//! A media device (`struct media_device`, `/dev/mediaN`) holds the graph of
//! a camera pipeline: the entities (sub-devices, video nodes), their pads,
//! the links between pads and the interfaces (device nodes). A bridge
//! driver does not make one by itself: it is part of the bridge's
//! [`v4l2_device`](crate::media::v4l2_device), which owns it and outlives
//! every entity registered on it. Entities are added to the graph when the
//! sub-devices and video nodes that embed them are registered.

use crate::{bindings, container_of, ffi::c_uint, media::copy_name, prelude::*, types::Opaque};

/// Media device operations that need no driver code: the V4L2 core's own
/// implementations.
///
/// Operations with driver code (the request API of stateless codecs) are
/// meant to be added as further variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ops {
    /// No operations.
    None,
    /// `link_notify` is `v4l2_pipeline_link_notify()`: the power of the
    /// entities of a pipeline follows the links user space enables and
    /// disables (drivers whose sub-devices use the `s_power` core op).
    PipelineLinkNotify,
}

/// Describes a media device: what `MEDIA_IOC_DEVICE_INFO` returns.
///
/// # Examples
///
/// ```
/// use kernel::media::device::Info;
///
/// let info = Info::new(c"unicam").hw_revision(0);
/// ```
#[derive(Clone, Copy)]
pub struct Info<'a> {
    model: &'a CStr,
    driver_name: Option<&'a CStr>,
    serial: Option<&'a CStr>,
    bus_info: Option<&'a CStr>,
    hw_revision: u32,
    ops: Ops,
}

impl<'a> Info<'a> {
    /// A media device of the given model name. The driver name is the
    /// parent's driver's, the bus information is derived from the parent
    /// device (as `media_device_init()` does).
    pub const fn new(model: &'a CStr) -> Self {
        Self {
            model,
            driver_name: None,
            serial: None,
            bus_info: None,
            hw_revision: 0,
            ops: Ops::None,
        }
    }

    /// Sets the driver name (else the parent's driver's name), which also
    /// names the V4L2 device (`"<driver name> <device name>"`), as a C
    /// driver whose platform driver has that name would have them.
    pub const fn driver_name(mut self, name: &'a CStr) -> Self {
        self.driver_name = Some(name);
        self
    }

    /// The driver name, if set.
    pub(crate) fn driver(&self) -> Option<&'a CStr> {
        self.driver_name
    }

    /// Sets the serial number.
    pub const fn serial(mut self, serial: &'a CStr) -> Self {
        self.serial = Some(serial);
        self
    }

    /// Sets the bus information (else derived from the parent).
    pub const fn bus_info(mut self, bus_info: &'a CStr) -> Self {
        self.bus_info = Some(bus_info);
        self
    }

    /// Sets the hardware revision.
    pub const fn hw_revision(mut self, rev: u32) -> Self {
        self.hw_revision = rev;
        self
    }

    /// Sets the media device operations.
    pub const fn ops(mut self, ops: Ops) -> Self {
        self.ops = ops;
        self
    }

    /// Fills the fields of `mdev` that are set before
    /// `media_device_init()`.
    pub(crate) fn fill(&self, mdev: &mut bindings::media_device, parent: *mut bindings::device) {
        mdev.dev = parent;
        copy_name(&mut mdev.model, self.model);
        if let Some(name) = self.driver_name {
            copy_name(&mut mdev.driver_name, name);
        }
        if let Some(serial) = self.serial {
            copy_name(&mut mdev.serial, serial);
        }
        if let Some(bus_info) = self.bus_info {
            copy_name(&mut mdev.bus_info, bus_info);
        }
        mdev.hw_revision = self.hw_revision;
        mdev.ops = match self.ops {
            Ops::None => core::ptr::null(),
            Ops::PipelineLinkNotify => &PIPELINE_LINK_NOTIFY_OPS,
        };
    }
}

/// `v4l2_pipeline_link_notify()` as `link_notify`, nothing else.
static PIPELINE_LINK_NOTIFY_OPS: bindings::media_device_ops = bindings::media_device_ops {
    link_notify: Some(bindings::v4l2_pipeline_link_notify),
    req_alloc: None,
    req_free: None,
    req_validate: None,
    req_queue: None,
};

/// A media device (`struct media_device`).
///
/// Obtained from the V4L2 device that owns it
/// ([`crate::media::v4l2_device::Device::media_device`]).
///
/// # Invariants
///
/// `self.0` is a media device initialised with `media_device_init()`,
/// valid for as long as the reference to `Self` is.
#[repr(transparent)]
pub struct Device(Opaque<bindings::media_device>);

// SAFETY: The C media device serialises its users with its own locks.
unsafe impl Send for Device {}
// SAFETY: Idem.
unsafe impl Sync for Device {}

impl Device {
    /// # Safety
    ///
    /// `ptr` is an initialised media device, valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::media_device) -> &'a Self {
        // SAFETY: `Device` is transparent; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// The C `struct media_device`.
    pub(crate) fn as_raw(&self) -> *mut bindings::media_device {
        self.0.get()
    }

    /// The graph's topology version: increases whenever entities, pads,
    /// links or interfaces are added or removed.
    pub fn topology_version(&self) -> u64 {
        let _guard = GraphLock::new(self);
        // SAFETY: Read under the graph mutex, which serialises its updates.
        unsafe { (*self.as_raw()).topology_version }
    }
}

/// Holds the graph mutex of a media device.
pub(crate) struct GraphLock<'a>(&'a Device);

impl<'a> GraphLock<'a> {
    /// Locks the graph mutex of `mdev`.
    pub(crate) fn new(mdev: &'a Device) -> Self {
        // SAFETY: `graph_mutex` was initialised by `media_device_init()`.
        unsafe { bindings::mutex_lock(&raw mut (*mdev.as_raw()).graph_mutex) };
        Self(mdev)
    }
}

impl Drop for GraphLock<'_> {
    fn drop(&mut self) {
        // SAFETY: Locked by `new`.
        unsafe { bindings::mutex_unlock(&raw mut (*self.0.as_raw()).graph_mutex) };
    }
}

/// The pads of `entity` that are part of `pipe`, as a bit mask of pad
/// indices (pads above 63 are not reported).
///
/// # Safety
///
/// `pipe` is a started pipeline of the media device locked by `_lock`,
/// `entity` an entity of that device.
pub(crate) unsafe fn pipeline_entity_pads(
    _lock: &GraphLock<'_>,
    pipe: *mut bindings::media_pipeline,
    entity: *const bindings::media_entity,
) -> u64 {
    let mut mask = 0u64;
    // SAFETY: `pipe` is started, so `pads` is an initialised list of
    // `media_pipeline_pad`, which only changes under the graph mutex (held).
    unsafe {
        let head = &raw mut (*pipe).pads;
        let mut cur = (*head).next;
        while cur != head {
            let ppad = container_of!(cur, bindings::media_pipeline_pad, list);
            let pad = (*ppad).pad;
            if core::ptr::eq((*pad).entity, entity) {
                let index = c_uint::from((*pad).index);
                if index < 64 {
                    mask |= 1 << index;
                }
            }
            cur = (*cur).next;
        }
    }
    mask
}
