// SPDX-License-Identifier: GPL-2.0

//! The arguments of sub-device pad operations: formats, selections, code
//! and size enumerations, routes, frame descriptors, bus configurations.
//!
//! C header: [`include/uapi/linux/v4l2-subdev.h`](srctree/include/uapi/linux/v4l2-subdev.h)
//!
//! Each is a transparent wrapper of the C structure the core passes to the
//! operation, with accessors for what the operation reads and writes.

use crate::{
    bindings,
    media::{
        fwnode::{BusType, MipiCsi2},
        mbus::{Code, FrameFormat, Rect},
    },
    prelude::*,
};

/// Which configuration an operation is about (`enum
/// v4l2_subdev_format_whence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// A file handle's trial configuration (`V4L2_SUBDEV_FORMAT_TRY`).
    Try,
    /// The device's configuration (`V4L2_SUBDEV_FORMAT_ACTIVE`).
    Active,
}

impl Which {
    pub(crate) fn from_raw(raw: u32) -> Self {
        if raw == bindings::v4l2_subdev_format_whence_V4L2_SUBDEV_FORMAT_ACTIVE {
            Self::Active
        } else {
            Self::Try
        }
    }

    pub(crate) fn as_raw(self) -> u32 {
        match self {
            Self::Try => bindings::v4l2_subdev_format_whence_V4L2_SUBDEV_FORMAT_TRY,
            Self::Active => bindings::v4l2_subdev_format_whence_V4L2_SUBDEV_FORMAT_ACTIVE,
        }
    }
}

/// The format of a pad's stream, got or set (`struct v4l2_subdev_format`).
#[repr(transparent)]
pub struct Format(bindings::v4l2_subdev_format);

impl Format {
    /// A request for the format of `stream` on `pad` (to call a remote
    /// sub-device).
    pub fn new(which: Which, pad: u32, stream: u32) -> Self {
        let mut f: bindings::v4l2_subdev_format = pin_init::zeroed();
        f.which = which.as_raw();
        f.pad = pad;
        f.stream = stream;
        Self(f)
    }

    /// # Safety
    ///
    /// `ptr` must be valid and not aliased for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::v4l2_subdev_format) -> &'a mut Self {
        // SAFETY: `Format` is transparent; the rest is the caller's promise.
        unsafe { &mut *ptr.cast() }
    }

    pub(crate) fn as_raw(&mut self) -> *mut bindings::v4l2_subdev_format {
        &mut self.0
    }

    /// Try or active.
    pub fn which(&self) -> Which {
        Which::from_raw(self.0.which)
    }

    /// The pad.
    pub fn pad(&self) -> u32 {
        self.0.pad
    }

    /// The stream (0 without streams).
    pub fn stream(&self) -> u32 {
        self.0.stream
    }

    /// The format.
    pub fn format(&self) -> FrameFormat {
        FrameFormat::from_raw(&self.0.format)
    }

    /// Sets the format.
    pub fn set_format(&mut self, f: &FrameFormat) {
        self.0.format = f.clone().0;
    }
}

/// A media bus code enumeration (`struct v4l2_subdev_mbus_code_enum`).
#[repr(transparent)]
pub struct MbusCodeEnum(bindings::v4l2_subdev_mbus_code_enum);

impl MbusCodeEnum {
    /// # Safety
    ///
    /// `ptr` must be valid and not aliased for `'a`.
    pub(crate) unsafe fn from_raw<'a>(
        ptr: *mut bindings::v4l2_subdev_mbus_code_enum,
    ) -> &'a mut Self {
        // SAFETY: `MbusCodeEnum` is transparent; the rest is the caller's
        // promise.
        unsafe { &mut *ptr.cast() }
    }

    /// Try or active.
    pub fn which(&self) -> Which {
        Which::from_raw(self.0.which)
    }

    /// The pad.
    pub fn pad(&self) -> u32 {
        self.0.pad
    }

    /// The stream.
    pub fn stream(&self) -> u32 {
        self.0.stream
    }

    /// The index of the code asked for.
    pub fn index(&self) -> u32 {
        self.0.index
    }

    /// Answers with `code`.
    pub fn set_code(&mut self, code: Code) {
        self.0.code = code.as_raw();
    }

    /// Sets the `V4L2_SUBDEV_MBUS_CODE_*` flags of the answer.
    pub fn set_flags(&mut self, flags: u32) {
        self.0.flags = flags;
    }
}

/// A frame size enumeration (`struct v4l2_subdev_frame_size_enum`).
#[repr(transparent)]
pub struct FrameSizeEnum(bindings::v4l2_subdev_frame_size_enum);

impl FrameSizeEnum {
    /// # Safety
    ///
    /// `ptr` must be valid and not aliased for `'a`.
    pub(crate) unsafe fn from_raw<'a>(
        ptr: *mut bindings::v4l2_subdev_frame_size_enum,
    ) -> &'a mut Self {
        // SAFETY: `FrameSizeEnum` is transparent; the rest is the caller's
        // promise.
        unsafe { &mut *ptr.cast() }
    }

    /// Try or active.
    pub fn which(&self) -> Which {
        Which::from_raw(self.0.which)
    }

    /// The pad.
    pub fn pad(&self) -> u32 {
        self.0.pad
    }

    /// The stream.
    pub fn stream(&self) -> u32 {
        self.0.stream
    }

    /// The index of the size asked for.
    pub fn index(&self) -> u32 {
        self.0.index
    }

    /// The code the sizes are asked for.
    pub fn code(&self) -> Code {
        Code::from_raw(self.0.code)
    }

    /// Answers with the size range.
    pub fn set_size(&mut self, min_width: u32, max_width: u32, min_height: u32, max_height: u32) {
        self.0.min_width = min_width;
        self.0.max_width = max_width;
        self.0.min_height = min_height;
        self.0.max_height = max_height;
    }
}

/// A selection target (`V4L2_SEL_TGT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SelTarget(u32);

impl SelTarget {
    /// The crop rectangle (`V4L2_SEL_TGT_CROP`).
    pub const CROP: Self = Self(bindings::V4L2_SEL_TGT_CROP);
    /// The default crop rectangle (`V4L2_SEL_TGT_CROP_DEFAULT`).
    pub const CROP_DEFAULT: Self = Self(bindings::V4L2_SEL_TGT_CROP_DEFAULT);
    /// The crop bounds (`V4L2_SEL_TGT_CROP_BOUNDS`).
    pub const CROP_BOUNDS: Self = Self(bindings::V4L2_SEL_TGT_CROP_BOUNDS);
    /// The native size, e.g. a sensor's whole pixel array
    /// (`V4L2_SEL_TGT_NATIVE_SIZE`).
    pub const NATIVE_SIZE: Self = Self(bindings::V4L2_SEL_TGT_NATIVE_SIZE);
    /// The compose rectangle (`V4L2_SEL_TGT_COMPOSE`).
    pub const COMPOSE: Self = Self(bindings::V4L2_SEL_TGT_COMPOSE);
    /// The default compose rectangle (`V4L2_SEL_TGT_COMPOSE_DEFAULT`).
    pub const COMPOSE_DEFAULT: Self = Self(bindings::V4L2_SEL_TGT_COMPOSE_DEFAULT);
    /// The compose bounds (`V4L2_SEL_TGT_COMPOSE_BOUNDS`).
    pub const COMPOSE_BOUNDS: Self = Self(bindings::V4L2_SEL_TGT_COMPOSE_BOUNDS);
}

/// A selection (`struct v4l2_subdev_selection`).
#[repr(transparent)]
pub struct Selection(bindings::v4l2_subdev_selection);

impl Selection {
    /// # Safety
    ///
    /// `ptr` must be valid and not aliased for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::v4l2_subdev_selection) -> &'a mut Self {
        // SAFETY: `Selection` is transparent; the rest is the caller's
        // promise.
        unsafe { &mut *ptr.cast() }
    }

    /// Try or active.
    pub fn which(&self) -> Which {
        Which::from_raw(self.0.which)
    }

    /// The pad.
    pub fn pad(&self) -> u32 {
        self.0.pad
    }

    /// The stream.
    pub fn stream(&self) -> u32 {
        self.0.stream
    }

    /// The target.
    pub fn target(&self) -> SelTarget {
        SelTarget(self.0.target)
    }

    /// The `V4L2_SEL_FLAG_*` flags.
    pub fn flags(&self) -> u32 {
        self.0.flags
    }

    /// The rectangle.
    pub fn rect(&self) -> Rect {
        Rect::from_raw(&self.0.r)
    }

    /// Sets the rectangle.
    pub fn set_rect(&mut self, r: Rect) {
        self.0.r = r.to_raw();
    }
}

/// The route is active (`V4L2_SUBDEV_ROUTE_FL_ACTIVE`).
pub const ROUTE_FL_ACTIVE: u32 = bindings::V4L2_SUBDEV_ROUTE_FL_ACTIVE;

/// A route from a sink pad's stream to a source pad's stream (`struct
/// v4l2_subdev_route`).
#[repr(transparent)]
pub struct Route(pub(crate) bindings::v4l2_subdev_route);

impl Clone for Route {
    fn clone(&self) -> Self {
        Self::from_raw(&self.0)
    }
}

impl Route {
    /// The route from `sink_stream` of `sink_pad` to `source_stream` of
    /// `source_pad`, with `V4L2_SUBDEV_ROUTE_FL_*` `flags`.
    pub fn new(
        sink_pad: u32,
        sink_stream: u32,
        source_pad: u32,
        source_stream: u32,
        flags: u32,
    ) -> Self {
        let mut r: bindings::v4l2_subdev_route = pin_init::zeroed();
        r.sink_pad = sink_pad;
        r.sink_stream = sink_stream;
        r.source_pad = source_pad;
        r.source_stream = source_stream;
        r.flags = flags;
        Self(r)
    }

    /// A copy of `r`.
    pub(crate) fn from_raw(r: &bindings::v4l2_subdev_route) -> Self {
        // SAFETY: The structure is plain data (integers only).
        Self(unsafe { core::ptr::read(r) })
    }

    /// The sink pad.
    pub fn sink_pad(&self) -> u32 {
        self.0.sink_pad
    }

    /// The stream on the sink pad.
    pub fn sink_stream(&self) -> u32 {
        self.0.sink_stream
    }

    /// The source pad.
    pub fn source_pad(&self) -> u32 {
        self.0.source_pad
    }

    /// The stream on the source pad.
    pub fn source_stream(&self) -> u32 {
        self.0.source_stream
    }

    /// The `V4L2_SUBDEV_ROUTE_FL_*` flags.
    pub fn flags(&self) -> u32 {
        self.0.flags
    }

    /// Whether the route is active.
    pub fn is_active(&self) -> bool {
        self.0.flags & ROUTE_FL_ACTIVE != 0
    }
}

/// A routing table (`struct v4l2_subdev_krouting`), as user space or the
/// core passes it to `set_routing`.
#[repr(transparent)]
pub struct Routing(bindings::v4l2_subdev_krouting);

impl Routing {
    /// # Safety
    ///
    /// `ptr` must be valid and unchanged for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *const bindings::v4l2_subdev_krouting) -> &'a Self {
        // SAFETY: `Routing` is transparent; the rest is the caller's promise.
        unsafe { &*ptr.cast() }
    }

    /// The routes.
    pub fn routes(&self) -> &[Route] {
        if self.0.num_routes == 0 || self.0.routes.is_null() {
            return &[];
        }
        // SAFETY: `routes` has `num_routes` entries, valid as long as the
        // table; `Route` is transparent.
        unsafe {
            core::slice::from_raw_parts(self.0.routes.cast::<Route>(), self.0.num_routes as usize)
        }
    }
}

/// The type of bus a frame descriptor describes (`enum
/// v4l2_mbus_frame_desc_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameDescType {
    /// Parallel bus.
    Parallel,
    /// CSI-2 bus: entries carry a virtual channel and data type.
    Csi2,
}

/// One stream of a frame descriptor (`struct v4l2_mbus_frame_desc_entry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FrameDescEntry {
    /// The stream on the pad.
    pub stream: u32,
    /// The media bus code of the stream.
    pub pixelcode: Code,
    /// The maximum length of a frame in bytes, if known (0 otherwise).
    pub length: u32,
    /// The CSI-2 virtual channel.
    pub vc: u8,
    /// The CSI-2 data type.
    pub dt: u8,
}

/// The maximum number of entries of a frame descriptor
/// (`V4L2_FRAME_DESC_ENTRY_MAX`).
pub const FRAME_DESC_ENTRY_MAX: usize = bindings::V4L2_FRAME_DESC_ENTRY_MAX as usize;

/// The description of what a source pad sends (`struct
/// v4l2_mbus_frame_desc`).
#[repr(transparent)]
pub struct FrameDesc(bindings::v4l2_mbus_frame_desc);

impl Default for FrameDesc {
    fn default() -> Self {
        Self(pin_init::zeroed())
    }
}

impl FrameDesc {
    /// # Safety
    ///
    /// `ptr` must be valid and not aliased for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::v4l2_mbus_frame_desc) -> &'a mut Self {
        // SAFETY: `FrameDesc` is transparent; the rest is the caller's
        // promise.
        unsafe { &mut *ptr.cast() }
    }

    pub(crate) fn as_raw(&mut self) -> *mut bindings::v4l2_mbus_frame_desc {
        &mut self.0
    }

    /// Sets the bus type.
    pub fn set_type(&mut self, t: FrameDescType) {
        self.0.type_ = match t {
            FrameDescType::Parallel => {
                bindings::v4l2_mbus_frame_desc_type_V4L2_MBUS_FRAME_DESC_TYPE_PARALLEL
            }
            FrameDescType::Csi2 => {
                bindings::v4l2_mbus_frame_desc_type_V4L2_MBUS_FRAME_DESC_TYPE_CSI2
            }
        };
    }

    /// The bus type, if set.
    pub fn desc_type(&self) -> Option<FrameDescType> {
        match self.0.type_ {
            bindings::v4l2_mbus_frame_desc_type_V4L2_MBUS_FRAME_DESC_TYPE_PARALLEL => {
                Some(FrameDescType::Parallel)
            }
            bindings::v4l2_mbus_frame_desc_type_V4L2_MBUS_FRAME_DESC_TYPE_CSI2 => {
                Some(FrameDescType::Csi2)
            }
            _ => None,
        }
    }

    /// Appends an entry; `ENOSPC` past [`FRAME_DESC_ENTRY_MAX`].
    pub fn push(&mut self, e: FrameDescEntry) -> Result {
        let i = usize::from(self.0.num_entries);
        let slot = self.0.entry.get_mut(i).ok_or(ENOSPC)?;
        *slot = pin_init::zeroed();
        slot.stream = e.stream;
        slot.pixelcode = e.pixelcode.as_raw();
        slot.length = e.length;
        if e.length != 0 {
            slot.flags = bindings::v4l2_mbus_frame_desc_flags_V4L2_MBUS_FRAME_DESC_FL_LEN_MAX;
        }
        // SAFETY: `csi2` is the only member of the union.
        let csi2 = unsafe {
            &mut *union_member_mut!(slot.bus.csi2, bindings::v4l2_mbus_frame_desc_entry_csi2)
        };
        csi2.vc = e.vc;
        csi2.dt = e.dt;
        self.0.num_entries += 1;
        Ok(())
    }

    /// The entries.
    pub fn entries(&self) -> impl Iterator<Item = FrameDescEntry> + '_ {
        let n = usize::from(self.0.num_entries).min(FRAME_DESC_ENTRY_MAX);
        self.0.entry[..n].iter().map(|e| FrameDescEntry {
            stream: e.stream,
            pixelcode: Code::from_raw(e.pixelcode),
            length: e.length,
            // SAFETY: `csi2` is the only member of the union; plain bytes.
            vc: unsafe {
                (*union_member!(e.bus.csi2, bindings::v4l2_mbus_frame_desc_entry_csi2)).vc
            },
            // SAFETY: As above.
            dt: unsafe {
                (*union_member!(e.bus.csi2, bindings::v4l2_mbus_frame_desc_entry_csi2)).dt
            },
        })
    }
}

/// The bus configuration of a pad (`struct v4l2_mbus_config`).
#[repr(transparent)]
pub struct MbusConfig(bindings::v4l2_mbus_config);

impl Default for MbusConfig {
    fn default() -> Self {
        Self(pin_init::zeroed())
    }
}

impl MbusConfig {
    /// # Safety
    ///
    /// `ptr` must be valid and not aliased for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::v4l2_mbus_config) -> &'a mut Self {
        // SAFETY: `MbusConfig` is transparent; the rest is the caller's
        // promise.
        unsafe { &mut *ptr.cast() }
    }

    pub(crate) fn as_raw(&mut self) -> *mut bindings::v4l2_mbus_config {
        &mut self.0
    }

    /// Sets the bus type.
    pub fn set_bus_type(&mut self, t: BusType) {
        self.0.type_ = t as u32;
    }

    /// Sets the link frequency, Hz.
    pub fn set_link_freq(&mut self, hz: u64) {
        self.0.link_freq = hz;
    }

    /// Sets the CSI-2 lanes and flags.
    pub fn set_csi2(&mut self, num_data_lanes: u8, flags: u32) {
        // SAFETY: The union members are plain data.
        let c = unsafe {
            &mut *union_member_mut!(self.0.bus.mipi_csi2, bindings::v4l2_mbus_config_mipi_csi2)
        };
        c.num_data_lanes = num_data_lanes;
        c.flags = flags;
    }

    /// The link frequency, Hz (0 if not given).
    pub fn link_freq(&self) -> u64 {
        self.0.link_freq
    }

    /// The CSI-2 configuration.
    pub fn csi2(&self) -> &MipiCsi2 {
        // SAFETY: `MipiCsi2` is a transparent wrapper; the union member is
        // plain data.
        unsafe { &*union_member!(self.0.bus.mipi_csi2, MipiCsi2) }
    }
}
