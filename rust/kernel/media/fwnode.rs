// SPDX-License-Identifier: GPL-2.0

//! Firmware description of media links: endpoints and device properties.
//!
//! C header: [`include/media/v4l2-fwnode.h`](srctree/include/media/v4l2-fwnode.h)
//!
//! A device's ports and endpoints (devicetree `port`/`endpoint` nodes, or
//! their ACPI and software-node equivalents) say how it is wired: which
//! bus, how many CSI-2 data lanes in which order, which link frequencies
//! the board allows. [`Endpoint::parse`] reads one endpoint the way
//! `v4l2_fwnode_endpoint_alloc_parse()` does; [`DeviceProperties`] reads
//! a camera's orientation and rotation.
//!
//! # Examples
//!
//! ```ignore
//! use kernel::media::fwnode::{self, BusType, Endpoint};
//!
//! let ep = fwnode::graph_next_endpoint(dev, None).ok_or(EINVAL)?;
//! let ep = Endpoint::parse(&ep, BusType::Csi2Dphy)?;
//! let csi2 = ep.csi2().ok_or(EINVAL)?;
//! pr_info!("{} lanes, {:?} Hz\n", csi2.num_data_lanes(), ep.link_frequencies());
//! ```

use crate::{
    bindings,
    device::{self, property::FwNode},
    error::to_result,
    media::{dev_raw, fwnode_raw},
    prelude::*,
    sync::aref::ARef,
};
use core::ptr::NonNull;

/// The type of a media bus (`enum v4l2_mbus_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum BusType {
    /// Not specified: let the firmware say (`V4L2_MBUS_UNKNOWN`).
    Unknown = bindings::v4l2_mbus_type_V4L2_MBUS_UNKNOWN,
    /// Parallel (`V4L2_MBUS_PARALLEL`).
    Parallel = bindings::v4l2_mbus_type_V4L2_MBUS_PARALLEL,
    /// BT.656 (`V4L2_MBUS_BT656`).
    Bt656 = bindings::v4l2_mbus_type_V4L2_MBUS_BT656,
    /// MIPI CSI-1 (`V4L2_MBUS_CSI1`).
    Csi1 = bindings::v4l2_mbus_type_V4L2_MBUS_CSI1,
    /// SMIA CCP2 (`V4L2_MBUS_CCP2`).
    Ccp2 = bindings::v4l2_mbus_type_V4L2_MBUS_CCP2,
    /// MIPI CSI-2 on a D-PHY (`V4L2_MBUS_CSI2_DPHY`).
    Csi2Dphy = bindings::v4l2_mbus_type_V4L2_MBUS_CSI2_DPHY,
    /// MIPI CSI-2 on a C-PHY (`V4L2_MBUS_CSI2_CPHY`).
    Csi2Cphy = bindings::v4l2_mbus_type_V4L2_MBUS_CSI2_CPHY,
    /// DPI (`V4L2_MBUS_DPI`).
    Dpi = bindings::v4l2_mbus_type_V4L2_MBUS_DPI,
}

impl BusType {
    fn from_raw(raw: u32) -> Option<Self> {
        [
            Self::Unknown,
            Self::Parallel,
            Self::Bt656,
            Self::Csi1,
            Self::Ccp2,
            Self::Csi2Dphy,
            Self::Csi2Cphy,
            Self::Dpi,
        ]
        .into_iter()
        .find(|t| *t as u32 == raw)
    }
}

/// The CSI-2 clock lane may stop between packets
/// (`V4L2_MBUS_CSI2_NONCONTINUOUS_CLOCK`).
pub const CSI2_NONCONTINUOUS_CLOCK: u32 = 1 << 0;

/// The configuration of a MIPI CSI-2 bus (`struct
/// v4l2_mbus_config_mipi_csi2`).
#[repr(transparent)]
pub struct MipiCsi2(bindings::v4l2_mbus_config_mipi_csi2);

impl MipiCsi2 {
    /// The `V4L2_MBUS_CSI2_*` flags, e.g. [`CSI2_NONCONTINUOUS_CLOCK`].
    pub fn flags(&self) -> u32 {
        self.0.flags
    }

    /// The number of data lanes.
    pub fn num_data_lanes(&self) -> u8 {
        self.0.num_data_lanes
    }

    /// The physical lane of each logical data lane.
    pub fn data_lanes(&self) -> &[u8] {
        let n = usize::from(self.0.num_data_lanes).min(self.0.data_lanes.len());
        &self.0.data_lanes[..n]
    }

    /// The physical clock lane.
    pub fn clock_lane(&self) -> u8 {
        self.0.clock_lane
    }

    /// Whether lane `i` (0: clock, then data lanes) is inverted.
    pub fn lane_polarity(&self, i: usize) -> bool {
        self.0.lane_polarities.get(i).copied().unwrap_or(false)
    }
}

/// A parsed endpoint (`struct v4l2_fwnode_endpoint`), with the link
/// frequencies it lists; freed on drop.
///
/// # Invariants
///
/// `ep` was filled by a successful `v4l2_fwnode_endpoint_alloc_parse()`
/// and is freed with `v4l2_fwnode_endpoint_free()` on drop.
pub struct Endpoint {
    ep: bindings::v4l2_fwnode_endpoint,
}

// SAFETY: The endpoint is plain data plus an allocation it owns.
unsafe impl Send for Endpoint {}
// SAFETY: `&Endpoint` only reads.
unsafe impl Sync for Endpoint {}

impl Endpoint {
    /// Parses endpoint `node` (`v4l2_fwnode_endpoint_alloc_parse()`),
    /// expecting a bus of type `bus` (or whatever the firmware says, for
    /// [`BusType::Unknown`]). `EINVAL` if the properties do not describe
    /// such a bus, as in C.
    pub fn parse(node: &FwNode, bus: BusType) -> Result<Self> {
        let mut ep: bindings::v4l2_fwnode_endpoint = pin_init::zeroed();
        ep.bus_type = bus as u32;
        // SAFETY: `node` is a valid fwnode; `ep` is a zeroed endpoint with
        // the bus type set, as the C API wants it.
        to_result(unsafe {
            bindings::v4l2_fwnode_endpoint_alloc_parse(fwnode_raw(node), &mut ep)
        })?;
        // INVARIANT: parsed successfully.
        Ok(Self { ep })
    }

    /// The bus type found.
    pub fn bus_type(&self) -> Option<BusType> {
        BusType::from_raw(self.ep.bus_type)
    }

    /// The CSI-2 configuration, for a CSI-2 bus.
    pub fn csi2(&self) -> Option<&MipiCsi2> {
        match self.bus_type() {
            Some(BusType::Csi2Dphy | BusType::Csi2Cphy) => {
                let c = &self.ep.bus.mipi_csi2;
                // SAFETY: `MipiCsi2` is a transparent wrapper.
                Some(unsafe { &*core::ptr::from_ref(c).cast::<MipiCsi2>() })
            }
            _ => None,
        }
    }

    /// For a CCP2 (or CSI-1) bus, whether it is data/strobe (rather than
    /// data/clock) signalling (`bus.mipi_csi1.strobe`).
    pub fn csi1_strobe(&self) -> bool {
        match self.bus_type() {
            // `mipi_csi1` is the member of the union for CSI-1 and CCP2.
            Some(BusType::Csi1 | BusType::Ccp2) => self.ep.bus.mipi_csi1.strobe() != 0,
            _ => false,
        }
    }

    /// The port number of the endpoint.
    pub fn port(&self) -> u32 {
        self.ep.base.port
    }

    /// The endpoint number in its port.
    pub fn id(&self) -> u32 {
        self.ep.base.id
    }

    /// The `link-frequencies` property, Hz (empty if absent).
    pub fn link_frequencies(&self) -> &[u64] {
        let n = self.ep.nr_of_link_frequencies as usize;
        if n == 0 || self.ep.link_frequencies.is_null() {
            return &[];
        }
        // SAFETY: By the type invariant, `link_frequencies` holds
        // `nr_of_link_frequencies` values allocated by the parser, freed on
        // drop.
        unsafe { core::slice::from_raw_parts(self.ep.link_frequencies, n) }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `ep` was allocated by the parser.
        unsafe { bindings::v4l2_fwnode_endpoint_free(&mut self.ep) };
    }
}

/// The first endpoint of `dev`'s firmware node after `prev` (the first of
/// all for `None`) (`fwnode_graph_get_next_endpoint()`).
pub fn graph_next_endpoint(dev: &device::Device, prev: Option<&FwNode>) -> Option<ARef<FwNode>> {
    // SAFETY: `dev` is valid.
    let node = unsafe { bindings::__dev_fwnode(dev_raw(dev)) };
    if node.is_null() {
        return None;
    }
    let prev = prev.map_or(core::ptr::null_mut(), fwnode_raw);
    // SAFETY: `node` and `prev` (if any) are valid fwnodes. The function
    // takes a reference on what it returns and, to step past `prev`, drops
    // one on `prev`, so we give it one.
    let ep = unsafe {
        if !prev.is_null() {
            bindings::fwnode_handle_get(prev);
        }
        bindings::fwnode_graph_get_next_endpoint(node, prev)
    };
    let ep = NonNull::new(ep)?;
    // SAFETY: `ep` has a reference that we now own; `FwNode` is a
    // transparent wrapper of `struct fwnode_handle`.
    Some(unsafe { ARef::from_raw(ep.cast::<FwNode>()) })
}

/// The matches of firmware link frequencies in a driver's list
/// (`v4l2_link_freq_to_bitmap()`): bit `i` set if `driver[i]` is among
/// `firmware`. `ENODATA` (logged) if `firmware` is empty, `ENOENT` (logged)
/// if nothing matches.
pub fn link_freq_to_bitmap(dev: &device::Device, firmware: &[u64], driver: &[i64]) -> Result<u64> {
    let nfw = u32::try_from(firmware.len())?;
    let ndrv = u32::try_from(driver.len())?;
    if ndrv as usize > crate::ffi::c_ulong::BITS as usize {
        return Err(EINVAL);
    }
    let mut bitmap: crate::ffi::c_ulong = 0;
    // SAFETY: Both slices are valid for their lengths; `bitmap` is valid.
    to_result(unsafe {
        bindings::v4l2_link_freq_to_bitmap(
            dev_raw(dev),
            firmware.as_ptr(),
            nfw,
            driver.as_ptr(),
            ndrv,
            &mut bitmap,
        )
    })?;
    Ok(bitmap as u64)
}

/// A camera's mounting, from its firmware node (`struct
/// v4l2_fwnode_device_properties`).
pub struct DeviceProperties(bindings::v4l2_fwnode_device_properties);

impl DeviceProperties {
    /// Reads the `orientation` and `rotation` properties of `dev`
    /// (`v4l2_fwnode_device_parse()`); `EINVAL` (logged) for a value out of
    /// range.
    pub fn parse(dev: &device::Device) -> Result<Self> {
        let mut p: bindings::v4l2_fwnode_device_properties = pin_init::zeroed();
        // SAFETY: `dev` is valid; `p` is valid for writes.
        to_result(unsafe { bindings::v4l2_fwnode_device_parse(dev_raw(dev), &mut p) })?;
        Ok(Self(p))
    }

    /// The rotation in degrees, if the firmware gives it.
    pub fn rotation(&self) -> Option<u32> {
        (self.0.rotation != bindings::V4L2_FWNODE_PROPERTY_UNSET as u32).then_some(self.0.rotation)
    }

    pub(crate) fn as_raw(&self) -> *const bindings::v4l2_fwnode_device_properties {
        &self.0
    }
}
