// SPDX-License-Identifier: GPL-2.0

//! Media entities, pads and links.
//!
//! C header: [`include/media/media-entity.h`](srctree/include/media/media-entity.h)
//!
//! An entity (`struct media_entity`) is embedded in every sub-device and
//! video device; it has pads (`struct media_pad`), sink or source, and pads
//! are joined by links (`struct media_link`). The abstractions that own a
//! sub-device or video device give out `&Entity` for as long as it lives;
//! the pads are initialised with the entity by those abstractions from a
//! slice of [`PadFlags`].

use crate::{
    bindings,
    error::{from_err_ptr, to_result},
    prelude::*,
    types::Opaque,
};

/// What an entity does (`MEDIA_ENT_F_*`), as user space sees it in
/// `MEDIA_IOC_G_TOPOLOGY`.
///
/// # Examples
///
/// ```
/// use kernel::media::entity::Function;
///
/// assert_eq!(Function::CAM_SENSOR.as_raw(), 0x0002_0001);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Function(u32);

impl Function {
    /// Unknown (`MEDIA_ENT_F_UNKNOWN`); only for entities that cannot say.
    pub const UNKNOWN: Self = Self(bindings::MEDIA_ENT_F_UNKNOWN);
    /// A sub-device of unknown function (`MEDIA_ENT_F_V4L2_SUBDEV_UNKNOWN`).
    pub const V4L2_SUBDEV_UNKNOWN: Self = Self(bindings::MEDIA_ENT_F_V4L2_SUBDEV_UNKNOWN);
    /// A V4L2 data I/O node (`MEDIA_ENT_F_IO_V4L`).
    pub const IO_V4L: Self = Self(bindings::MEDIA_ENT_F_IO_V4L);
    /// A camera sensor (`MEDIA_ENT_F_CAM_SENSOR`).
    pub const CAM_SENSOR: Self = Self(bindings::MEDIA_ENT_F_CAM_SENSOR);
    /// A flash controller (`MEDIA_ENT_F_FLASH`).
    pub const FLASH: Self = Self(bindings::MEDIA_ENT_F_FLASH);
    /// A lens controller (`MEDIA_ENT_F_LENS`).
    pub const LENS: Self = Self(bindings::MEDIA_ENT_F_LENS);
    /// A video interface bridge, e.g. a CSI-2 receiver
    /// (`MEDIA_ENT_F_VID_IF_BRIDGE`).
    pub const VID_IF_BRIDGE: Self = Self(bindings::MEDIA_ENT_F_VID_IF_BRIDGE);
    /// A video multiplexer (`MEDIA_ENT_F_VID_MUX`).
    pub const VID_MUX: Self = Self(bindings::MEDIA_ENT_F_VID_MUX);
    /// A pixel formatter (`MEDIA_ENT_F_PROC_VIDEO_PIXEL_FORMATTER`).
    pub const PROC_VIDEO_PIXEL_FORMATTER: Self =
        Self(bindings::MEDIA_ENT_F_PROC_VIDEO_PIXEL_FORMATTER);
    /// A scaler (`MEDIA_ENT_F_PROC_VIDEO_SCALER`).
    pub const PROC_VIDEO_SCALER: Self = Self(bindings::MEDIA_ENT_F_PROC_VIDEO_SCALER);
    /// An ISP (`MEDIA_ENT_F_PROC_VIDEO_ISP`).
    pub const PROC_VIDEO_ISP: Self = Self(bindings::MEDIA_ENT_F_PROC_VIDEO_ISP);
    /// A video encoder (`MEDIA_ENT_F_PROC_VIDEO_ENCODER`).
    pub const PROC_VIDEO_ENCODER: Self = Self(bindings::MEDIA_ENT_F_PROC_VIDEO_ENCODER);
    /// A video decoder (`MEDIA_ENT_F_PROC_VIDEO_DECODER`).
    pub const PROC_VIDEO_DECODER: Self = Self(bindings::MEDIA_ENT_F_PROC_VIDEO_DECODER);

    /// The function from its `MEDIA_ENT_F_*` value.
    pub const fn from_raw(raw: u32) -> Self {
        Self(raw)
    }

    /// The `MEDIA_ENT_F_*` value.
    pub const fn as_raw(self) -> u32 {
        self.0
    }
}

/// Flags of a pad (`MEDIA_PAD_FL_*`).
///
/// # Examples
///
/// ```
/// use kernel::media::entity::PadFlags;
///
/// let f = PadFlags::SINK | PadFlags::MUST_CONNECT;
/// assert!(f.contains(PadFlags::SINK) && !f.contains(PadFlags::SOURCE));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PadFlags(u32);

impl PadFlags {
    /// Data flows into the entity (`MEDIA_PAD_FL_SINK`).
    pub const SINK: Self = Self(bindings::MEDIA_PAD_FL_SINK);
    /// Data flows out of the entity (`MEDIA_PAD_FL_SOURCE`).
    pub const SOURCE: Self = Self(bindings::MEDIA_PAD_FL_SOURCE);
    /// The pad must have an enabled link to start streaming
    /// (`MEDIA_PAD_FL_MUST_CONNECT`).
    pub const MUST_CONNECT: Self = Self(bindings::MEDIA_PAD_FL_MUST_CONNECT);

    /// The `MEDIA_PAD_FL_*` bits.
    pub const fn as_raw(self) -> u32 {
        self.0
    }

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for PadFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// Flags of a link (`MEDIA_LNK_FL_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkFlags(u32);

impl LinkFlags {
    /// No flag: a disabled, mutable link.
    pub const NONE: Self = Self(0);
    /// The link is enabled (`MEDIA_LNK_FL_ENABLED`).
    pub const ENABLED: Self = Self(bindings::MEDIA_LNK_FL_ENABLED);
    /// The link cannot be changed (`MEDIA_LNK_FL_IMMUTABLE`).
    pub const IMMUTABLE: Self = Self(bindings::MEDIA_LNK_FL_IMMUTABLE);
    /// The link can be changed while streaming (`MEDIA_LNK_FL_DYNAMIC`).
    pub const DYNAMIC: Self = Self(bindings::MEDIA_LNK_FL_DYNAMIC);

    /// The `MEDIA_LNK_FL_*` bits.
    pub const fn as_raw(self) -> u32 {
        self.0
    }

    /// The flags from their `MEDIA_LNK_FL_*` bits.
    pub const fn from_raw(raw: u32) -> Self {
        Self(raw)
    }

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for LinkFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// A media entity (`struct media_entity`).
///
/// # Invariants
///
/// `self.0` is a valid, initialised `struct media_entity` (pads included)
/// for the lifetime of the reference.
#[repr(transparent)]
pub struct Entity(Opaque<bindings::media_entity>);

impl Entity {
    /// # Safety
    ///
    /// `ptr` must be a valid, initialised `struct media_entity` for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::media_entity) -> &'a Self {
        // SAFETY: `Entity` is transparent; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// The C `struct media_entity`.
    pub fn as_raw(&self) -> *mut bindings::media_entity {
        self.0.get()
    }

    /// The entity's name.
    pub fn name(&self) -> &CStr {
        // SAFETY: The name of an initialised entity is a C string that lives
        // as long as the entity (it is the name array of its sub-device or
        // video device).
        unsafe { CStr::from_char_ptr((*self.as_raw()).name) }
    }

    /// The entity's function.
    pub fn function(&self) -> Function {
        // SAFETY: By the type invariant `self` is valid.
        Function(unsafe { (*self.as_raw()).function })
    }

    /// The number of pads.
    pub fn num_pads(&self) -> u16 {
        // SAFETY: By the type invariant `self` is valid.
        unsafe { (*self.as_raw()).num_pads }
    }

    /// Pad `index`, if the entity has it.
    pub fn pad(&self, index: u16) -> Option<&Pad> {
        if index >= self.num_pads() {
            return None;
        }
        // SAFETY: `pads` is the array of `num_pads` pads the entity was
        // initialised with, which lives as long as the entity.
        Some(unsafe { Pad::from_raw((*self.as_raw()).pads.add(usize::from(index))) })
    }

    /// Whether the entity is a V4L2 sub-device's.
    pub fn is_v4l2_subdev(&self) -> bool {
        // SAFETY: By the type invariant `self` is valid.
        unsafe {
            (*self.as_raw()).obj_type == bindings::media_entity_type_MEDIA_ENTITY_TYPE_V4L2_SUBDEV
        }
    }

    /// The unique pad at the other end of the enabled link of one of this
    /// entity's sink pads (`media_entity_remote_source_pad_unique()`):
    /// `ENOTUNIQ` if several are enabled, `ENOLINK` if none.
    pub fn remote_source_pad_unique(&self) -> Result<&Pad> {
        // SAFETY: By the type invariant `self` is valid.
        let pad = from_err_ptr(unsafe {
            bindings::media_entity_remote_pad_unique(self.as_raw(), bindings::MEDIA_PAD_FL_SOURCE)
        })?;
        // SAFETY: A pad of the graph lives as long as its entity, which is
        // registered in the same media device as `self` and so not removed
        // while `self` is borrowed (the graph mutex or the caller's
        // binding keeps it).
        Ok(unsafe { Pad::from_raw(pad) })
    }
}

/// A pad of an entity (`struct media_pad`).
///
/// # Invariants
///
/// `self.0` is a valid pad of an initialised entity for the lifetime of the
/// reference.
#[repr(transparent)]
pub struct Pad(Opaque<bindings::media_pad>);

impl Pad {
    /// # Safety
    ///
    /// `ptr` must be a valid pad of an initialised entity for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::media_pad) -> &'a Self {
        // SAFETY: `Pad` is transparent; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// The C `struct media_pad`.
    pub fn as_raw(&self) -> *mut bindings::media_pad {
        self.0.get()
    }

    /// The pad's index in its entity.
    pub fn index(&self) -> u16 {
        // SAFETY: By the type invariant `self` is valid.
        unsafe { (*self.as_raw()).index }
    }

    /// The pad's flags.
    pub fn flags(&self) -> PadFlags {
        // SAFETY: By the type invariant `self` is valid.
        PadFlags(unsafe { (*self.as_raw()).flags } as u32)
    }

    /// The entity the pad belongs to.
    pub fn entity(&self) -> &Entity {
        // SAFETY: A pad's entity outlives it.
        unsafe { Entity::from_raw((*self.as_raw()).entity) }
    }

    /// The pad at the other end of the first enabled link of this pad
    /// (`media_pad_remote_pad_first()`), if any.
    pub fn remote_pad_first(&self) -> Option<&Pad> {
        // SAFETY: By the type invariant `self` is valid.
        let pad = unsafe { bindings::media_pad_remote_pad_first(self.as_raw()) };
        if pad.is_null() {
            None
        } else {
            // SAFETY: See `Entity::remote_source_pad_unique`.
            Some(unsafe { Pad::from_raw(pad) })
        }
    }

    /// The pad at the other end of the only enabled link of this pad
    /// (`media_pad_remote_pad_unique()`): `ENOTUNIQ` if several links are
    /// enabled, `ENOLINK` if none.
    pub fn remote_pad_unique(&self) -> Result<&Pad> {
        // SAFETY: By the type invariant `self` is valid.
        let pad = from_err_ptr(unsafe { bindings::media_pad_remote_pad_unique(self.as_raw()) })?;
        // SAFETY: See `Entity::remote_source_pad_unique`.
        Ok(unsafe { Pad::from_raw(pad) })
    }
}

/// A link between two pads (`struct media_link`), as given to link
/// validation and setup callbacks.
///
/// # Invariants
///
/// `self.0` is a valid data link between two pads for the lifetime of the
/// reference.
#[repr(transparent)]
pub struct Link(Opaque<bindings::media_link>);

impl Link {
    /// # Safety
    ///
    /// `ptr` must be a valid pad-to-pad link for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::media_link) -> &'a Self {
        // SAFETY: `Link` is transparent; validity is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// The C `struct media_link`.
    pub fn as_raw(&self) -> *mut bindings::media_link {
        self.0.get()
    }

    /// The source pad.
    pub fn source(&self) -> &Pad {
        // SAFETY: By the type invariant this is a data link, whose first
        // object is its source pad, valid as long as the link.
        unsafe { Pad::from_raw((*self.as_raw()).__bindgen_anon_1.source) }
    }

    /// The sink pad.
    pub fn sink(&self) -> &Pad {
        // SAFETY: As for `source`, the second object is the sink pad.
        unsafe { Pad::from_raw((*self.as_raw()).__bindgen_anon_2.sink) }
    }

    /// The link's flags.
    pub fn flags(&self) -> LinkFlags {
        // SAFETY: By the type invariant `self` is valid.
        LinkFlags(unsafe { (*self.as_raw()).flags } as u32)
    }
}

/// Initialises the pads of `entity` from `flags` (`media_entity_pads_init`).
///
/// # Safety
///
/// `entity` must be a valid entity not yet registered, and `pads` an array
/// of `flags.len()` pads that lives as long as the entity and does not move.
pub(crate) unsafe fn pads_init(
    entity: *mut bindings::media_entity,
    pads: *mut bindings::media_pad,
    flags: &[PadFlags],
) -> Result {
    let num = u16::try_from(flags.len())?;
    for (i, f) in flags.iter().enumerate() {
        // SAFETY: `pads` has `flags.len()` elements (the caller's promise).
        unsafe { (*pads.add(i)).flags = f.0 as usize };
    }
    // SAFETY: As required by the caller.
    to_result(unsafe { bindings::media_entity_pads_init(entity, num, pads) })
}

/// Creates a link from pad `source_pad` of `source` to pad `sink_pad` of
/// `sink` (`media_create_pad_link()`).
///
/// Both entities must be registered with the same media device and the
/// caller must hold what keeps them registered (typically: called from a
/// notifier's `bound` callback, or the bridge's probe).
pub fn create_pad_link(
    source: &Entity,
    source_pad: u16,
    sink: &Entity,
    sink_pad: u16,
    flags: LinkFlags,
) -> Result {
    // SAFETY: Both entities are valid; the media core checks the pad indices
    // and pad directions.
    to_result(unsafe {
        bindings::media_create_pad_link(
            source.as_raw(),
            source_pad,
            sink.as_raw(),
            sink_pad,
            flags.0,
        )
    })
}
