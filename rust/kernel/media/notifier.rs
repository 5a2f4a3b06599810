// SPDX-License-Identifier: GPL-2.0

//! The asynchronous notifier of a bridge.
//!
//! C header: [`include/media/v4l2-async.h`](srctree/include/media/v4l2-async.h)
//!
//! A bridge (e.g. a CSI-2 receiver) does not probe its sensor: the sensor's
//! own driver registers it whenever it probes. The bridge describes which
//! sub-devices it waits for, from the firmware graph (the remote end of
//! each of its endpoints, [`Unregistered::add_fwnode_remote`]), and the V4L2
//! core calls [`Ops::bound`] when one is registered, [`Ops::complete`] when
//! all are, and [`Ops::unbind`] when one goes away, before it is
//! unregistered: the sensor's driver may be unbound or its module removed
//! at any time, also while the bridge streams.
//!
//! # Using a bound sub-device
//!
//! The bridge must not use a sub-device after its `unbind`. So it never
//! keeps a reference to one: the notifier keeps each bound sub-device in a
//! slot of [`BoundSubdevs`], which the bridge shares ([`Registration::bound`]) and
//! uses through [`BoundSubdevs::with`]. `unbind` empties the slot, waiting for
//! users of the sub-device to finish, before it calls [`Ops::unbind`];
//! from then on [`BoundSubdevs::with`] finds nothing.

use crate::{
    bindings, container_of,
    device::{property::FwNode, Bound, Device},
    error::{from_err_ptr, from_result, to_result},
    ffi::c_int,
    media::{subdev::AnySubdev, v4l2_device},
    prelude::*,
    sync::{aref::ARef, Arc, Mutex},
    types::Opaque,
};
use core::marker::PhantomData;

/// What a bridge does when the sub-devices it waits for come and go
/// (`struct v4l2_async_notifier_operations`).
///
/// The callbacks run with the V4L2 core's notifier lock held: they must
/// not register or unregister sub-devices or notifiers. They get the
/// bridge's device, bound while the notifier is registered (the
/// registration lives in the bridge's bound data).
#[vtable]
pub trait Ops: Sized + Send + Sync + 'static {
    /// Sub-device `sd` matched connection `conn` (the index
    /// [`Unregistered::add_fwnode_remote`] returned) and was registered on
    /// the bridge's V4L2 device: link it to the bridge's entities. An
    /// error unbinds it again.
    fn bound(this: &Self, dev: &Device<Bound>, sd: &AnySubdev, conn: usize) -> Result;

    /// Every connection is bound: register the video nodes.
    fn complete(_this: &Self, _dev: &Device<Bound>) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Sub-device `sd` of connection `conn` goes away; the slot of `conn`
    /// is already empty. Stop using it: if streaming, stop the hardware
    /// and return the buffers. `sd` may still be called during this
    /// callback.
    fn unbind(_this: &Self, _dev: &Device<Bound>, _sd: &AnySubdev, _conn: usize) {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// The name of the bound sub-devices' lock in lockdep reports: a static, as
/// the generic code that initialises the lock is instantiated in each driver
/// module while its lock class key is one (see `subdev::SRCU_NAME`).
static BOUND_LOCK_NAME: &CStr = c"media_notifier_bound";

/// The sub-devices bound to a notifier, one slot per connection.
///
/// # Invariants
///
/// A non-null slot is a sub-device bound to the notifier, which stays
/// registered (and valid) at least until the slot is emptied.
#[pin_data]
pub struct BoundSubdevs {
    #[pin]
    slots: Mutex<KVec<*mut bindings::v4l2_subdev>>,
}

// SAFETY: The pointers are only used under the mutex, and the sub-devices
// may be called from any thread.
unsafe impl Send for BoundSubdevs {}
// SAFETY: Idem.
unsafe impl Sync for BoundSubdevs {}

impl BoundSubdevs {
    /// Calls `f` with the sub-device bound to connection `conn`, if any,
    /// which cannot be unbound until `f` returns.
    ///
    /// `f` runs with the slots' lock held; it must not wait for something
    /// that unbinding a sub-device of this notifier waits for.
    pub fn with<R>(&self, conn: usize, f: impl FnOnce(&AnySubdev) -> R) -> Option<R> {
        let slots = self.slots.lock();
        let sd = *slots.get(conn)?;
        if sd.is_null() {
            return None;
        }
        // SAFETY: By the type invariant `sd` is registered while the slot
        // holds it, and the slot cannot be emptied while we hold the lock.
        Some(f(unsafe { AnySubdev::from_raw(sd) }))
    }

    /// Whether connection `conn` is bound.
    pub fn is_bound(&self, conn: usize) -> bool {
        self.slots.lock().get(conn).is_some_and(|sd| !sd.is_null())
    }

    fn set(&self, conn: usize, sd: *mut bindings::v4l2_subdev) {
        if let Some(slot) = self.slots.lock().get_mut(conn) {
            *slot = sd;
        }
    }
}

/// A notifier and what the abstraction keeps beside it.
#[repr(C)]
#[pin_data]
struct Block<T> {
    nf: Opaque<bindings::v4l2_async_notifier>,
    /// The connections, in the order they were added.
    conns: KVec<*mut bindings::v4l2_async_connection>,
    bound: Arc<BoundSubdevs>,
    /// The driver's data while registered.
    drv: *const T,
    v4l2: ARef<v4l2_device::Device>,
}

/// A notifier of the V4L2 device of a bridge, not registered yet.
///
/// # Examples
///
/// ```ignore
/// let mut nf = notifier::Unregistered::<MyBridge>::new(v4l2)?;
/// let sensor = nf.add_fwnode_remote(&endpoint)?;
/// let reg = nf.register(data)?;
/// reg.bound().with(sensor, |sd| sd.name().to_owned());
/// ```
pub struct Unregistered<T: Ops> {
    block: Pin<KBox<Block<T>>>,
}

impl<T: Ops> Unregistered<T> {
    /// Makes a notifier for the bridge's V4L2 device `v4l2`
    /// (`v4l2_async_nf_init()`).
    pub fn new(v4l2: &v4l2_device::Device) -> Result<Self> {
        let bound = Arc::pin_init(
            pin_init!(BoundSubdevs {
                slots <- Mutex::new(KVec::new(), BOUND_LOCK_NAME, crate::static_lock_class!()),
            }),
            GFP_KERNEL,
        )?;
        let block = KBox::pin_init(
            pin_init!(Block {
                nf: Opaque::zeroed(),
                conns: KVec::new(),
                bound,
                drv: core::ptr::null(),
                v4l2: v4l2.into(),
            }),
            GFP_KERNEL,
        )?;
        // SAFETY: `nf` is zeroed and pinned; `v4l2` is registered and
        // outlives the notifier (the block holds a reference).
        unsafe { bindings::v4l2_async_nf_init(block.nf.get(), v4l2.as_raw()) };
        Ok(Self { block })
    }

    /// The bound sub-devices, to share with the parts of the driver that
    /// use them (all slots empty until registered and bound).
    pub fn bound(&self) -> &Arc<BoundSubdevs> {
        &self.block.bound
    }

    /// Adds a connection to the remote end of the endpoint `ep` of the
    /// bridge's firmware node (`v4l2_async_nf_add_fwnode_remote()`), and
    /// returns its index. `EEXIST` if the remote is already waited for.
    pub fn add_fwnode_remote(&mut self, ep: &FwNode) -> Result<usize> {
        let index = self.block.conns.len();
        // SAFETY: We do not move the block out of its pin.
        let block = unsafe { self.block.as_mut().get_unchecked_mut() };
        block.conns.reserve(1, GFP_KERNEL)?;
        block
            .bound
            .slots
            .lock()
            .push(core::ptr::null_mut(), GFP_KERNEL)?;
        // SAFETY: `nf` is initialised and not registered; `ep` is a valid
        // node (the core takes its own reference to the remote).
        let asc = from_err_ptr(unsafe {
            bindings::__v4l2_async_nf_add_fwnode_remote(
                block.nf.get(),
                crate::media::fwnode_raw(ep),
                core::mem::size_of::<bindings::v4l2_async_connection>() as u32,
            )
        });
        match asc {
            Ok(asc) => {
                block.conns.push(asc, GFP_KERNEL)?;
                Ok(index)
            }
            Err(e) => {
                block.bound.slots.lock().pop();
                Err(e)
            }
        }
    }

    /// Registers the notifier (`v4l2_async_nf_register()`) with `data` as
    /// the driver's data. Sub-devices already registered are bound (and
    /// `complete` may be called) before this returns. The notifier is
    /// unregistered when the returned [`Registration`] is dropped.
    pub fn register(self, data: Arc<T>) -> Result<Registration<T>> {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again: the block moves
        // into the registration, or is dropped below.
        let mut block = unsafe { core::ptr::read(&this.block) };
        // SAFETY: We do not move the block out of its pin.
        let b = unsafe { block.as_mut().get_unchecked_mut() };
        b.drv = Arc::as_ptr(&data);
        // SAFETY: `nf` is initialised and not registered; the operations
        // are `'static` and find the driver's data in the block, pinned
        // until the registration is dropped.
        let ret = unsafe {
            (*b.nf.get()).ops = &Adapter::<T>::OPS;
            bindings::v4l2_async_nf_register(b.nf.get())
        };
        if ret != 0 {
            // SAFETY: Not registered (the core unbound what it had bound);
            // cleaning up frees the connections.
            unsafe { bindings::v4l2_async_nf_cleanup(b.nf.get()) };
            return Err(Error::from_errno(ret));
        }
        Ok(Registration { block, data })
    }
}

impl<T: Ops> Drop for Unregistered<T> {
    fn drop(&mut self) {
        // SAFETY: Not registered: cleaning up frees the connections.
        unsafe { bindings::v4l2_async_nf_cleanup(self.block.nf.get()) };
    }
}

/// A registered notifier with the driver's data; dropping it unregisters
/// the notifier (unbinding its sub-devices, `Ops::unbind` included), then
/// drops the data.
pub struct Registration<T: Ops> {
    block: Pin<KBox<Block<T>>>,
    data: Arc<T>,
}

// SAFETY: The block is only used by the V4L2 core under its lock, and by
// `Drop`; `T: Send + Sync`.
unsafe impl<T: Ops> Send for Registration<T> {}
// SAFETY: Shared access only reaches `Bound` (`Sync`) and `T` (`Sync`).
unsafe impl<T: Ops> Sync for Registration<T> {}

impl<T: Ops> Registration<T> {
    /// The bound sub-devices, to share with the parts of the driver that
    /// use them.
    pub fn bound(&self) -> &Arc<BoundSubdevs> {
        &self.block.bound
    }

    /// The driver's data.
    pub fn data(&self) -> &Arc<T> {
        &self.data
    }
}

impl<T: Ops> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered by `Unregistered::register`. Unregistering
        // calls `unbind` for every bound sub-device (the driver's data is
        // alive) and returns with no callback running or to come; cleaning
        // up frees the connections.
        unsafe {
            bindings::v4l2_async_nf_unregister(self.block.nf.get());
            bindings::v4l2_async_nf_cleanup(self.block.nf.get());
        }
    }
}

/// The C operations of a notifier of `T`.
struct Adapter<T>(PhantomData<T>);

impl<T: Ops> Adapter<T> {
    const OPS: bindings::v4l2_async_notifier_operations =
        bindings::v4l2_async_notifier_operations {
            bound: Some(Self::bound),
            complete: if T::HAS_COMPLETE {
                Some(Self::complete)
            } else {
                None
            },
            unbind: Some(Self::unbind),
            destroy: None,
        };

    /// The block of `nf` and the driver's data.
    ///
    /// # Safety
    ///
    /// `nf` is the notifier of a registered [`Registration<T>`], and the V4L2
    /// core is calling one of its operations.
    unsafe fn block<'a>(
        nf: *mut bindings::v4l2_async_notifier,
    ) -> (&'a Block<T>, &'a T, &'a Device<Bound>) {
        // SAFETY: `nf` is the first field of a pinned `Block<T>` (`repr(C)`),
        // whose `drv` is set while registered (the caller's promise). The
        // registration lives in the bridge's bound data, so the bridge's
        // device (the V4L2 device's parent) is bound while it is.
        unsafe {
            let b = &*container_of!(Opaque::cast_from(nf).cast_mut(), Block<T>, nf);
            (b, &*b.drv, b.v4l2.parent().as_bound())
        }
    }

    fn conn_index(b: &Block<T>, asc: *mut bindings::v4l2_async_connection) -> Option<usize> {
        b.conns.iter().position(|c| core::ptr::eq(*c, asc))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `bound` of a registered notifier of `T`.
    unsafe extern "C" fn bound(
        nf: *mut bindings::v4l2_async_notifier,
        sd: *mut bindings::v4l2_subdev,
        asc: *mut bindings::v4l2_async_connection,
    ) -> c_int {
        // SAFETY: Called by the V4L2 core for a registered notifier of `T`.
        let (b, this, dev) = unsafe { Self::block(nf) };
        let Some(conn) = Self::conn_index(b, asc) else {
            return EINVAL.to_errno();
        };
        from_result(|| {
            // SAFETY: `sd` was just registered on the bridge's V4L2 device
            // and stays valid during the callback.
            T::bound(this, dev, unsafe { AnySubdev::from_raw(sd) }, conn)?;
            // INVARIANT: bound until `unbind` empties the slot.
            b.bound.set(conn, sd);
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `complete` of a registered notifier of `T`.
    unsafe extern "C" fn complete(nf: *mut bindings::v4l2_async_notifier) -> c_int {
        // SAFETY: Called by the V4L2 core for a registered notifier of `T`.
        let (_, this, dev) = unsafe { Self::block(nf) };
        from_result(|| T::complete(this, dev).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the V4L2 core as `unbind` of a registered notifier of `T`.
    unsafe extern "C" fn unbind(
        nf: *mut bindings::v4l2_async_notifier,
        sd: *mut bindings::v4l2_subdev,
        asc: *mut bindings::v4l2_async_connection,
    ) {
        // SAFETY: Called by the V4L2 core for a registered notifier of `T`.
        let (b, this, dev) = unsafe { Self::block(nf) };
        let Some(conn) = Self::conn_index(b, asc) else {
            return;
        };
        // Waits for the users of the sub-device.
        b.bound.set(conn, core::ptr::null_mut());
        if T::HAS_UNBIND {
            // SAFETY: `sd` is still registered during the callback.
            T::unbind(this, dev, unsafe { AnySubdev::from_raw(sd) }, conn);
        }
    }
}

/// Creates links from the source pads of `source` to `sink` along the
/// firmware graph (`v4l2_create_fwnode_links_to_pad()`): typically from a
/// bridge's `bound`, from the sensor to the bridge's sink pad.
pub fn create_fwnode_links_to_pad(
    source: &AnySubdev,
    sink: &crate::media::entity::Pad,
    flags: crate::media::entity::LinkFlags,
) -> Result {
    // SAFETY: `source` is a registered sub-device and `sink` a pad of an
    // entity of the same media device; the core locks the graph.
    to_result(unsafe {
        bindings::v4l2_create_fwnode_links_to_pad(source.as_raw(), sink.as_raw(), flags.as_raw())
    })
}
