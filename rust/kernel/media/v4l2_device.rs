// SPDX-License-Identifier: GPL-2.0

//! V4L2 devices.
//!
//! C header: [`include/media/v4l2-device.h`](srctree/include/media/v4l2-device.h)
//!
//! A [`Device`] is the C `struct v4l2_device` of a bridge driver, together
//! with its media device ([`crate::media::device::Device`]) and the lock that
//! serialises the ioctls of the video nodes registered on it. Sub-devices,
//! video nodes and the asynchronous notifier are registered on it.
//!
//! # Lifetime
//!
//! The three live in one allocation made by [`Unregistered::new`] and
//! reference counted by the V4L2 device's `ref`. A [`Registration`] holds
//! one reference; so does every video node registered on the device (the
//! V4L2 core takes it at registration and drops it when the node's last
//! user is gone), every sub-device node (idem) and the media device node
//! (`/dev/mediaN`, until its last file is closed). The allocation is freed
//! by a release function of this module, which is not generic and runs no
//! driver code, when the last reference goes: after the driver is unbound
//! and every file of every node is closed. Driver data is never part of it.

use crate::{
    bindings, container_of,
    device::{self, Bound},
    error::to_result,
    media::{
        device::{self as media_device, Info},
        subdev,
    },
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
    ThisModule,
};
use core::ptr::NonNull;

/// What one allocation holds: the V4L2 device, its media device and the
/// video node lock.
///
/// # Invariants
///
/// - `v4l2.mdev` points to `mdev`, `v4l2.release` is [`release`] once the
///   V4L2 device is registered;
/// - `mdev` was initialised with `media_device_init()`, `lock` with
///   `__mutex_init()`;
/// - `parent` holds a reference to the parent device.
#[repr(C)]
struct Inner {
    v4l2: bindings::v4l2_device,
    mdev: bindings::media_device,
    lock: bindings::mutex,
    parent: *mut bindings::device,
}

/// Frees an [`Inner`]: the release callback of the V4L2 device, called by
/// the V4L2 core when the last reference goes.
///
/// Not generic: it runs no driver code and may run after the driver's
/// module is gone.
///
/// # Safety
///
/// `v4l2` is the `v4l2` field of an [`Inner`] allocated by
/// [`Unregistered::new`], whose last reference was just dropped.
unsafe extern "C" fn release(v4l2: *mut bindings::v4l2_device) {
    // SAFETY: `v4l2` is the first field of an `Inner` (by the caller's
    // promise), which has `repr(C)`.
    let inner = unsafe { container_of!(v4l2, Inner, v4l2) };
    // SAFETY: By the caller's promise nothing else refers to `inner`, which
    // was leaked from a `KBox` by `Unregistered::register`.
    unsafe { free(inner) };
}

/// Cleans up and frees an [`Inner`].
///
/// # Safety
///
/// `inner` was made by [`Unregistered::new`] and leaked from its `KBox`;
/// nothing refers to it any more.
unsafe fn free(inner: *mut Inner) {
    // SAFETY: By the invariants of `Inner`, `mdev` and `lock` are
    // initialised and not in use any more; `parent` holds a reference.
    unsafe {
        bindings::media_device_cleanup(&raw mut (*inner).mdev);
        bindings::mutex_destroy(&raw mut (*inner).lock);
        bindings::put_device((*inner).parent);
    }
    // SAFETY: `inner` came from `KBox::into_raw` (by the caller's promise);
    // the C structures in it have no destructor.
    drop(unsafe { KBox::from_raw(inner) });
}

/// The release callback of the media device node: drops the reference the
/// node held on the allocation (see [`Unregistered::register`]).
///
/// # Safety
///
/// `devnode` is the node of the media device of an [`Inner`], which took a
/// reference for it.
unsafe extern "C" fn devnode_release(devnode: *mut bindings::media_devnode) {
    // SAFETY: The node's device's driver data is its media device (set by
    // `media_devnode_register()` and kept after unregistration, unlike
    // `devnode->media_dev`), the `mdev` field of an `Inner`.
    let inner = unsafe {
        let mdev =
            bindings::dev_get_drvdata(&raw mut (*devnode).dev).cast::<bindings::media_device>();
        container_of!(mdev, Inner, mdev)
    };
    // SAFETY: The node held a reference, which we drop.
    unsafe { bindings::v4l2_device_put(&raw mut (*inner).v4l2) };
}

/// A V4L2 device with its media device, not registered yet.
///
/// # Invariants
///
/// `self.0` was made by [`Unregistered::new`] (see [`Inner`]); nothing else
/// refers to it.
pub struct Unregistered(NonNull<Inner>);

// SAFETY: Nothing else refers to the allocation; the C structures in it may
// be used and freed from any thread.
unsafe impl Send for Unregistered {}

impl Unregistered {
    /// Makes a V4L2 device and its media device, whose parent is `parent`,
    /// described by `info`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::{device::{Bound, Device}, media::{device::Info, v4l2_device}, prelude::*};
    ///
    /// fn make(dev: &Device<Bound>) -> Result<v4l2_device::Registration> {
    ///     v4l2_device::Unregistered::new(dev, &Info::new(c"unicam"))?
    ///         .register(&THIS_MODULE)
    /// }
    /// ```
    pub fn new(parent: &device::Device<Bound>, info: &Info<'_>) -> Result<Self> {
        let boxed = KBox::<Inner>::new_uninit(GFP_KERNEL)?;
        let inner: *mut Inner = KBox::into_raw(boxed).cast();
        let parent = crate::media::dev_raw(parent);
        // SAFETY: `inner` is valid for writes of an `Inner`, all of whose
        // fields are C structures for which all zeroes is the state before
        // initialisation.
        unsafe { inner.write_bytes(0, 1) };
        // SAFETY: `inner` is valid, zeroed and ours; `parent` is a valid
        // device, of which we take a reference. The lock class key is
        // static.
        unsafe {
            (*inner).parent = bindings::get_device(parent);
            let mdev = &raw mut (*inner).mdev;
            info.fill(&mut *mdev, parent);
            bindings::media_device_init(mdev);
            bindings::__mutex_init(
                &raw mut (*inner).lock,
                c"media_video_lock".as_char_ptr(),
                crate::sync::static_lock_class!().as_ptr(),
            );
            (*inner).v4l2.mdev = mdev;
            if let Some(driver) = info.driver() {
                // "<driver> <device>", as `v4l2_device_register()` names
                // it from the parent's driver.
                let name = &mut (*inner).v4l2.name;
                let dev_name = CStr::from_char_ptr(bindings::dev_name(parent));
                let mut n = 0;
                let parts: [&[u8]; 3] = [driver.to_bytes(), b" ", dev_name.to_bytes()];
                for b in parts.into_iter().flatten() {
                    if n + 1 >= name.len() {
                        break;
                    }
                    name[n] = crate::ffi::c_char::from_ne_bytes([*b]);
                    n += 1;
                }
                name[n] = 0;
            }
        }
        // INVARIANT: initialised as `Inner` requires; only we refer to it.
        // SAFETY: `inner` is not null (it came from a `KBox`).
        Ok(Self(unsafe { NonNull::new_unchecked(inner) }))
    }

    /// Registers the V4L2 device, then its media device (which creates
    /// `/dev/mediaN`), with `module` as the owner of the media device node.
    /// Both are unregistered when the returned [`Registration`] is dropped.
    pub fn register(self, module: &'static ThisModule) -> Result<Registration> {
        let inner = self.0.as_ptr();
        core::mem::forget(self);
        // SAFETY: By the type invariant `inner` is valid and ours.
        let (v4l2, mdev, parent) = unsafe {
            (
                &raw mut (*inner).v4l2,
                &raw mut (*inner).mdev,
                (*inner).parent,
            )
        };
        // SAFETY: `parent` is a valid device (we hold a reference); `v4l2`
        // is zeroed except for `mdev`, as `v4l2_device_register()` expects.
        let ret = unsafe { bindings::v4l2_device_register(parent, v4l2) };
        if ret != 0 {
            // SAFETY: Not registered: `inner` is still only ours.
            unsafe { free(inner) };
            return Err(Error::from_errno(ret));
        }
        // SAFETY: `parent` and `v4l2` are valid. The V4L2 core makes the
        // V4L2 device the parent's driver data if the parent has none yet;
        // the parent's driver data belongs to its driver, so undo that.
        // From here on the allocation is reference counted and freed by
        // `release`.
        unsafe {
            if bindings::dev_get_drvdata(parent) == v4l2.cast() {
                bindings::dev_set_drvdata(parent, core::ptr::null_mut());
            }
            (*v4l2).release = Some(release);
        }
        // SAFETY: `v4l2` is registered, its reference count is one.
        // INVARIANT: `Device` is only ever referred to once registered.
        let dev: ARef<Device> = unsafe { ARef::from_raw(NonNull::new_unchecked(v4l2.cast())) };

        // SAFETY: `mdev` is initialised and not registered; `module` owns
        // the code of everything the media device node may call.
        to_result(unsafe { bindings::__media_device_register(mdev, module.as_ptr()) })
            .inspect_err(|_| {
                // SAFETY: Registered above; `dev` drops the last reference.
                unsafe { bindings::v4l2_device_unregister(v4l2) };
            })?;
        // SAFETY: The media device is registered, so `devnode` is valid and
        // only released once unregistered (by `Registration::drop`). The
        // node's file operations reach `mdev` as long as one of its files
        // is open: give the node a reference on the allocation, dropped by
        // `devnode_release` when the node goes.
        unsafe {
            bindings::v4l2_device_get(v4l2);
            (*(*mdev).devnode).release = Some(devnode_release);
        }
        Ok(Registration { dev })
    }
}

impl Drop for Unregistered {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the allocation is ours.
        unsafe { free(self.0.as_ptr()) };
    }
}

/// A V4L2 device (`struct v4l2_device`) with its media device, registered.
///
/// # Invariants
///
/// `self.0` is the `v4l2` field of an [`Inner`], registered by
/// [`Unregistered::register`] (possibly unregistered since), whose
/// reference count is not zero.
#[repr(transparent)]
pub struct Device(Opaque<bindings::v4l2_device>);

// SAFETY: The C V4L2 device may be used from any thread: its state is
// protected by its own locks.
unsafe impl Send for Device {}
// SAFETY: Idem.
unsafe impl Sync for Device {}

// SAFETY: The reference count is the V4L2 device's `ref`; `release` frees
// the allocation when it reaches zero.
unsafe impl AlwaysRefCounted for Device {
    fn inc_ref(&self) {
        // SAFETY: `self` is valid, so its count is not zero.
        unsafe { bindings::v4l2_device_get(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference.
        unsafe { bindings::v4l2_device_put(obj.as_ptr().cast()) };
    }
}

impl Device {
    /// The C `struct v4l2_device`.
    pub(crate) fn as_raw(&self) -> *mut bindings::v4l2_device {
        self.0.get()
    }

    /// # Safety
    ///
    /// `ptr` is the V4L2 device of an allocation made by
    /// [`Unregistered::new`] and registered, valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::v4l2_device) -> &'a Self {
        // SAFETY: `Device` is transparent; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    fn inner(&self) -> *mut Inner {
        // SAFETY: By the type invariant `self` is the first field of an
        // `Inner`.
        unsafe { container_of!(self.as_raw(), Inner, v4l2) }
    }

    /// The media device of this V4L2 device.
    pub fn media_device(&self) -> &media_device::Device {
        // SAFETY: `mdev` lives as long as `self` (same allocation) and was
        // initialised.
        unsafe { media_device::Device::from_raw(&raw mut (*self.inner()).mdev) }
    }

    /// The lock of the video nodes registered on this device (their
    /// `vdev->lock` and the lock of their queues): one for all of them, as
    /// the C drivers of receivers with several DMA engines do. It lives as
    /// long as the device, so as long as every node.
    pub(crate) fn video_lock(&self) -> *mut bindings::mutex {
        // SAFETY: `lock` is a field of the same allocation.
        unsafe { &raw mut (*self.inner()).lock }
    }

    /// Creates the device nodes (`/dev/v4l-subdevN`) of the sub-devices
    /// registered on this device that want one and have none yet
    /// (`v4l2_device_register_subdev_nodes()`), typically when the
    /// notifier completes. Each node's character device is owned by its
    /// sub-device's module.
    pub fn register_subdev_nodes(&self) -> Result {
        // SAFETY: `self` is registered (or was: the core then finds no
        // sub-device); the core serialises with sub-device registration.
        to_result(unsafe { bindings::v4l2_device_register_subdev_nodes(self.as_raw()) })
    }

    /// Calls the `log_status` core operation of every sub-device registered
    /// on this device (`v4l2_device_call_all(..., core, log_status)`), for
    /// `VIDIOC_LOG_STATUS`.
    pub fn log_status_all(&self) {
        // SAFETY: `self` is valid; the core walks its sub-devices under its
        // lock.
        unsafe { bindings::kext_v4l2_device_log_status(self.as_raw()) };
    }

    /// The device this V4L2 device was made for.
    pub fn parent(&self) -> &device::Device {
        // SAFETY: The allocation holds a reference to its parent for as
        // long as it lives.
        unsafe { device::Device::from_raw((*self.inner()).parent) }
    }
}

/// A registered V4L2 device and media device; dropping it unregisters both
/// (and every sub-device still registered on the V4L2 device).
///
/// Keep it in the driver's data, after (so dropped after) every video node,
/// sub-device and notifier registration made on it.
pub struct Registration {
    dev: ARef<Device>,
}

impl Registration {
    /// The registered V4L2 device.
    pub fn device(&self) -> &Device {
        &self.dev
    }

    /// Registers the bridge's own sub-device `sd` on this device
    /// (`v4l2_device_register_subdev()`); it is unregistered when the
    /// returned registration is dropped, or with this device.
    pub fn register_subdev<T: subdev::Ops>(
        &self,
        sd: subdev::UnregisteredSubdev<T>,
    ) -> Result<subdev::DeviceRegistration<T>> {
        // SAFETY: The device is registered while `self` exists. If it is
        // unregistered before the sub-device's registration is dropped,
        // `v4l2_device_unregister()` unregisters the sub-device first, and
        // the later unregistration of the sub-device finds it unregistered
        // (`sd->v4l2_dev` is null) and touches nothing of this device.
        unsafe { sd.register_on(self.dev.as_raw()) }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let v4l2 = self.dev.as_raw();
        // SAFETY: Registered by `Unregistered::register`, not unregistered
        // yet (only here); `mdev` is its media device.
        unsafe {
            bindings::v4l2_device_unregister(v4l2);
            bindings::media_device_unregister((*v4l2).mdev);
        }
        // `self.dev` drops the registration's reference.
    }
}
