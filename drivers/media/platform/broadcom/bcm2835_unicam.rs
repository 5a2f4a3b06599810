// SPDX-License-Identifier: GPL-2.0

//! Broadcom BCM283x/BCM271x Unicam camera receiver (CSI-2 or CCP2).
//!
//! The receiver of every Raspberry Pi up to the 4, driven directly (not
//! through the VideoCore firmware), with the upstream devicetree binding
//! `brcm,bcm2835-unicam` and the behaviour of the upstream C driver
//! `bcm2835-unicam`: a media device with the Unicam sub-device (one sink
//! pad, an image and a metadata source pad, routes and streams) and two
//! video nodes, `unicam-image` and `unicam-embedded`; the sensor is bound
//! through the asynchronous notifier on the remote end of the one
//! endpoint. Frames go by DMA into videobuf2 DMA-contiguous buffers, or
//! into a dummy buffer while user space has none queued.
//!
//! Beyond the C driver: the sensor may unbind at any time, also while
//! streaming ([`notify`]); register accesses from the interrupt handler and
//! from process context are serialised.
//!
//! - [`regs`]: the registers;
//! - [`formats`]: the format tables and size arithmetic;
//! - [`hw`]: the receiver's hardware state and the interrupt handler;
//! - [`subdev`]: the Unicam sub-device;
//! - [`node`]: the video nodes and their queues;
//! - [`notify`]: the notifier (sensor binding) and the node registration.

use kernel::{
    clk::Clk,
    device::{self, Core},
    dma::CoherentHandle,
    io_ext, irq,
    media::{
        device::Info,
        entity::{Function, PadFlags},
        fwnode::{self, BusType, Endpoint},
        notifier,
        subdev::{self as sd, UnregisteredSubdev},
        v4l2_device,
    },
    of, platform, pm_runtime,
    prelude::*,
    sync::{aref::ARef, Arc},
};

mod formats;
mod hw;
mod node;
mod notify;
mod regs;
mod subdev;

use hw::{Bus, Shared};

/// The name of the driver, of the media device model and of the nodes.
pub(crate) const NAME: &CStr = c"unicam";

/// The pads of the Unicam sub-device.
pub(crate) const PAD_SINK: u32 = 0;
/// The image source pad.
pub(crate) const PAD_IMAGE: u32 = 1;
/// The metadata source pad.
pub(crate) const PAD_META: u32 = 2;

/// The index of the image node.
pub(crate) const IMAGE: usize = 0;
/// The index of the metadata node.
pub(crate) const META: usize = 1;

/// The size of the dummy buffers: any size would do, DMA allocations come
/// in pages.
const DUMMY_BUF_SIZE: usize = kernel::page::PAGE_SIZE;

/// The Unicam sub-device: a video interface bridge with a sink pad and the
/// image and metadata source pads, with routes and streams.
fn subdev_config() -> sd::Config<'static> {
    sd::Config {
        name: NAME,
        function: Function::VID_IF_BRIDGE,
        pads: &[PadFlags::SINK, PadFlags::SOURCE, PadFlags::SOURCE],
        flags: sd::Flags::HAS_DEVNODE | sd::Flags::STREAMS,
        entity_ops: sd::EntityOps {
            link_validate: true,
            has_pad_interdep: true,
            get_fwnode_pad_1_to_1: false,
        },
    }
}

/// The driver's data of a bound Unicam.
///
/// Teardown order (see [`PinnedDrop`]): the notifier first, which unbinds
/// the sensor (stopping streaming) and unregisters the video nodes; then
/// the sub-device; then the V4L2 and media devices; then the interrupt;
/// then the dummy buffers and runtime PM.
#[pin_data(PinnedDrop)]
pub(crate) struct Unicam<'bound> {
    notifier: Option<notifier::Registration<notify::Notify>>,
    irq: Pin<KBox<irq::Registration<hw::Irq>>>,
    v4l2: v4l2_device::Registration,
    _dummy: [CoherentHandle; 2],
    _pm: pm_runtime::Enabled<'bound, hw::Clocks>,
    shared: Arc<Shared>,
}

#[pinned_drop]
impl PinnedDrop for Unicam<'_> {
    fn drop(self: Pin<&mut Self>) {
        let this = self.project();
        // Unbinds the sensor and drops the video nodes.
        drop(this.notifier.take());
        // The sub-device holds the shared state: breaks the cycle.
        drop(this.shared.subdev.lock().take());
    }
}

struct UnicamDriver;

kernel::of_device_table!(
    OF_TABLE,
    MODULE_OF_TABLE,
    <UnicamDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"brcm,bcm2835-unicam"), ())]
);

/// Reads the bus of the one endpoint, as `unicam_async_nf_init()` does:
/// the lane count must be 1, 2 or 4 and within `brcm,num-data-lanes`.
fn parse_bus(dev: &device::Device) -> Result<(Bus, ARef<kernel::device::property::FwNode>)> {
    let fw = dev.fwnode().ok_or(EINVAL)?;
    let max_lanes: u32 = fw
        .property_read(c"brcm,num-data-lanes")
        .required_by(dev)
        .map_err(|_| {
            dev_err!(dev, "Missing brcm,num-data-lanes DT property\n");
            EINVAL
        })?;
    let Some(ep_node) = fwnode::graph_next_endpoint(dev, None) else {
        dev_err!(dev, "No endpoint found\n");
        return Err(ENODEV);
    };
    let ep = Endpoint::parse(&ep_node, BusType::Unknown).inspect_err(|e| {
        dev_err!(dev, "Failed to parse endpoint: {}\n", e.to_errno());
    })?;
    let bus = match ep.bus_type() {
        Some(BusType::Csi2Dphy) => {
            let csi2 = ep.csi2().ok_or(EINVAL)?;
            let lanes = u32::from(csi2.num_data_lanes());
            if !matches!(lanes, 1 | 2 | 4) {
                dev_err!(dev, "{} data lanes not supported\n", lanes);
                return Err(EINVAL);
            }
            if lanes > max_lanes {
                dev_err!(
                    dev,
                    "Endpoint uses {} data lanes when {} are supported\n",
                    lanes,
                    max_lanes
                );
                return Err(EINVAL);
            }
            Bus {
                csi2: true,
                flags: csi2.flags(),
                max_data_lanes: lanes,
            }
        }
        Some(BusType::Ccp2) => Bus {
            csi2: false,
            flags: u32::from(ep.csi1_strobe()),
            max_data_lanes: 1,
        },
        t => {
            dev_err!(dev, "Unsupported bus type {}\n", t.map_or(0, |t| t as u32));
            return Err(EINVAL);
        }
    };
    Ok((bus, ep_node))
}

impl platform::Driver for UnicamDriver {
    type IdInfo = ();
    type Data<'bound> = Unicam<'bound>;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let dev = pdev.as_ref();

        // As `devm_platform_ioremap_resource_byname()`: the region is
        // requested (EBUSY if taken), a missing one is EINVAL.
        let invalid = || {
            dev_err!(dev, "invalid resource\n");
            EINVAL
        };
        io_ext::request_mem_region(dev, pdev.resource_by_name(c"unicam").ok_or_else(invalid)?)?;
        io_ext::request_mem_region(dev, pdev.resource_by_name(c"cmi").ok_or_else(invalid)?)?;
        let regs = pdev
            .io_request_by_name(c"unicam")
            .ok_or_else(invalid)?
            .iomap_sized::<{ regs::UNICAM_SIZE }>()?
            .into_devres()?;
        let cmi = pdev
            .io_request_by_name(c"cmi")
            .ok_or_else(invalid)?
            .iomap_sized::<{ regs::CMI_SIZE }>()?
            .into_devres()?;
        let lp = Clk::get(dev, Some(c"lp")).inspect_err(|_| {
            dev_err!(dev, "Failed to get lp clock\n");
        })?;
        let vpu = Clk::get(dev, Some(c"vpu")).inspect_err(|_| {
            dev_err!(dev, "Failed to get vpu clock\n");
        })?;
        let irq_req = pdev.irq_by_index(0)?;

        let dummy = [
            CoherentHandle::alloc(dev, DUMMY_BUF_SIZE, GFP_KERNEL)?,
            CoherentHandle::alloc(dev, DUMMY_BUF_SIZE, GFP_KERNEL)?,
        ];

        // Runtime PM, whose callbacks manage the clocks; suspended until a
        // stream starts.
        let pm = pm_runtime::Enabled::new(dev, hw::Clocks::new(lp, vpu), false)?;

        let v4l2 = v4l2_device::Unregistered::new(dev, &Info::new(NAME).driver_name(NAME))
            .inspect_err(|_| dev_err!(dev, "Unable to register v4l2 device\n"))?
            .register(&THIS_MODULE)
            .inspect_err(|_| dev_err!(dev, "Unable to register media-controller device\n"))?;

        let (bus, ep) = parse_bus(dev)?;
        let mut nf = notifier::Unregistered::<notify::Notify>::new(v4l2.device())?;
        let sensor_conn = nf.add_fwnode_remote(&ep).inspect_err(|e| {
            dev_err!(dev, "Failed to add entry to notifier: {}\n", e.to_errno());
        })?;
        drop(ep);

        let shared = Arc::pin_init(
            Shared::new(
                dev.into(),
                regs,
                cmi,
                bus,
                nf.bound().clone(),
                sensor_conn,
                [dummy[0].dma_handle(), dummy[1].dma_handle()],
            ),
            GFP_KERNEL,
        )?;

        // The handler only touches the hardware and the nodes through the
        // shared state; nothing streams before the nodes exist.
        let irq = KBox::pin_init(
            irq::Registration::new(
                irq_req,
                irq::Flags::TRIGGER_NONE,
                c"unicam_capture0",
                Ok::<_, Error>(hw::Irq {
                    shared: shared.clone(),
                }),
            ),
            GFP_KERNEL,
        )
        .inspect_err(|_| dev_err!(dev, "Unable to request interrupt\n"))?;

        let sd = UnregisteredSubdev::new(
            dev,
            &THIS_MODULE,
            &subdev_config(),
            None,
            kernel::static_lock_class!(),
            Ok::<_, Error>(subdev::UnicamSd {
                shared: shared.clone(),
            }),
        )
        .inspect_err(|e| dev_err!(dev, "Failed to initialize subdev: {}\n", e.to_errno()))?;
        let sd = v4l2
            .register_subdev(sd)
            .inspect_err(|e| dev_err!(dev, "Failed to register subdev: {}\n", e.to_errno()))?;
        *shared.subdev.lock() = Some(sd);

        let notify = Arc::pin_init(
            notify::Notify::new(shared.clone(), v4l2.device().into(), &THIS_MODULE),
            GFP_KERNEL,
        );
        let notifier = notify
            .and_then(|notify| nf.register(notify))
            .inspect_err(|e| {
                dev_err!(dev, "Error registering device notifier: {}\n", e.to_errno());
                // Breaks the cycle of the sub-device and the shared state.
                drop(shared.subdev.lock().take());
            })?;

        Ok(Unicam {
            notifier: Some(notifier),
            irq,
            v4l2,
            _dummy: dummy,
            _pm: pm,
            shared,
        })
    }
}

kernel::module_platform_driver_with_pm! {
    type: UnicamDriver,
    name: "bcm2835_unicam_rs",
    authors: ["The iio-media-rs authors"],
    description: "BCM2835 Unicam driver (Rust)",
    license: "GPL",
}
