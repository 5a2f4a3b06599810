// SPDX-License-Identifier: GPL-2.0

//! The video nodes: `unicam-image` and `unicam-embedded`, their formats,
//! queues and streaming.

use kernel::{
    device::{self, Bound},
    media::{
        entity::Link,
        pixfmt::{fourcc, MetaFormat, PixFormat},
        subdev as sd,
        vb2::{self, ActiveBuffer, Prepare, Queue, QueueConfig, QueueOps, Setup},
        video::{self, Capability, Caps, EventSubscription, Fh, FmtDesc, Format, FrmSizeEnum},
    },
    pm_runtime,
    prelude::*,
    sync::{aref::ARef, atomic::Relaxed, Arc, SetOnce},
};

use crate::{
    formats::{self, FormatInfo, Kind},
    hw::{Next, Shared},
    subdev::nodes_of_pads,
    IMAGE, META, NAME, PAD_IMAGE, PAD_META,
};

/// The driver's data of a video node.
pub(crate) struct Node {
    /// The node's index, [`IMAGE`] or [`META`].
    pub(crate) id: usize,
    pub(crate) shared: Arc<Shared>,
    /// The registered node.
    pub(crate) vdev: SetOnce<ARef<video::Device<Node>>>,
}

/// How node `id` is set up.
pub(crate) fn config(id: usize) -> video::Config<'static> {
    let (name, caps, buf_type) = if id == IMAGE {
        (
            c"unicam-image",
            Caps::VIDEO_CAPTURE,
            vb2::BufType::VideoCapture,
        )
    } else {
        (
            c"unicam-embedded",
            Caps::META_CAPTURE,
            vb2::BufType::MetaCapture,
        )
    };
    video::Config {
        name,
        direction: video::Direction::Rx,
        caps: caps | Caps::STREAMING | Caps::IO_MC,
        default_entity: id == IMAGE,
        queue: QueueConfig::dma_contig_capture(buf_type, 1),
    }
}

/// Adjusts an image format to one Unicam writes (`__unicam_try_fmt_vid()`).
fn try_pix(pix: &mut PixFormat) {
    // The first format if the one asked for is not supported.
    let info = match formats::by_fourcc(pix.pixelformat, Kind::Image) {
        Some(i) => i,
        None => {
            let i = &formats::IMAGE_FORMATS[0];
            pix.pixelformat = i.fourcc;
            i
        }
    };
    formats::calc_image_size_bpl(info, pix);
    if pix.field == video::FIELD_ANY {
        pix.field = video::FIELD_NONE;
    }
}

/// Adjusts a metadata format (`__unicam_try_fmt_meta()`).
fn try_meta(meta: &mut MetaFormat) {
    let info = match formats::by_fourcc(meta.dataformat, Kind::Meta) {
        Some(i) => i,
        None => {
            let i = &formats::META_FORMATS[0];
            meta.dataformat = i.fourcc;
            i
        }
    };
    formats::calc_meta_size_bpl(info, meta);
}

impl Node {
    fn kind(&self) -> Kind {
        if self.id == IMAGE {
            Kind::Image
        } else {
            Kind::Meta
        }
    }

    fn queue_busy(&self) -> bool {
        self.vdev.as_ref().is_some_and(|v| v.queue().is_busy())
    }

    /// The bytes of a buffer of the node's format.
    fn buffer_size(&self) -> u32 {
        let f = self.shared.fmt.lock();
        if self.id == IMAGE {
            f.pix.sizeimage
        } else {
            f.meta.buffersize
        }
    }

    /// The data lanes the sensor uses (`unicam_num_data_lanes()`).
    fn num_data_lanes(&self, dev: &device::Device<Bound>) -> Result<u32> {
        let sh = &self.shared;
        let max = sh.bus.max_data_lanes;
        if !sh.bus.csi2 {
            return Ok(max);
        }
        let pad = sh.sensor_pad.load(Relaxed);
        let cfg = sh
            .sensor
            .with(sh.sensor_conn, |s| s.get_mbus_config(pad))
            .ok_or(EPIPE)?;
        let cfg = match cfg {
            Err(e) if e == ENOIOCTLCMD => return Ok(max),
            Err(e) => {
                dev_err!(dev, "Failed to get mbus config: {}\n", e.to_errno());
                return Err(e);
            }
            Ok(c) => c,
        };
        let n = u32::from(cfg.csi2().num_data_lanes());
        if !matches!(n, 1 | 2 | 4) {
            dev_err!(dev, "The sensor has requested {} data lanes, invalid\n", n);
            return Err(EINVAL);
        }
        if n > max {
            dev_err!(
                dev,
                "The sensor has requested {} data lanes, >{} configured in DT\n",
                n,
                max
            );
            return Err(EINVAL);
        }
        Ok(n)
    }

    /// Checks the link frequency the sensor reports for its format, which
    /// the receiver's D-PHY timings assume in range; logged only, as the
    /// receiver's fixed settle times do not depend on it.
    fn check_link_freq(&self, dev: &device::Device<Bound>, lanes: u32) {
        let sh = &self.shared;
        let pad = sh.sensor_pad.load(Relaxed);
        let bpp = {
            let f = sh.fmt.lock();
            formats::by_fourcc(f.pix.pixelformat, Kind::Image).map_or(0, |i| u32::from(i.depth))
        };
        let freq = sh.sensor.with(sh.sensor_conn, |s| {
            s.entity()
                .pad(pad as u16)
                .map(|p| sd::link_freq(p, bpp, 2 * lanes))
        });
        match freq {
            Some(Some(Ok(f))) => dev_dbg!(dev, "link frequency {} Hz\n", f),
            _ => dev_dbg!(dev, "link frequency unknown\n"),
        }
    }

    /// Arms the node with its first buffer (the hardware writes it from
    /// the first frame on) and counts it as streaming.
    fn arm(&self, q: &Queue) {
        let size = self.buffer_size();
        let field = if self.id == IMAGE {
            self.shared.fmt.lock().pix.field
        } else {
            video::FIELD_NONE
        };
        let first = q.next_queued();
        let mut hw = self.shared.hw.lock();
        let n = &mut hw.node[self.id];
        n.next = if first.is_some() {
            Next::Cur
        } else {
            Next::Dummy
        };
        n.cur = first;
        n.cur_ts = 0;
        n.size = size;
        n.field = field;
        n.streaming = true;
    }

    /// Forgets the node's buffers (the abstraction returns them) and stops
    /// counting it as streaming.
    fn disarm(&self) {
        let mut hw = self.shared.hw.lock();
        let n = &mut hw.node[self.id];
        n.streaming = false;
        // The tokens go stale: the abstraction returns these buffers.
        n.cur = None;
        n.next = Next::Dummy;
    }

    /// Stops the hardware and the sensor if they run: the first node of
    /// the pipeline to stop does it.
    pub(crate) fn stop_hw(&self, dev: &device::Device<Bound>) {
        let sh = &self.shared;
        let mut pipe = sh.pipe.lock();
        if !pipe.running {
            return;
        }
        pipe.running = false;
        let nodes = pipe.nodes;
        drop(pipe);
        if let Some(sd) = sh.subdev.lock().as_ref() {
            if nodes & (1 << META) != 0 {
                let _ = sd.disable_streams(PAD_META, 1);
            }
            let _ = sd.disable_streams(PAD_IMAGE, 1);
        }
        pm_runtime::put(dev);
    }

    fn start(&self, q: &Queue, dev: &device::Device<Bound>) -> Result {
        let sh = &self.shared;
        let vdev = self.vdev.as_ref().ok_or(ENODEV)?;
        // Validates the links and makes the pipeline.
        vdev.pipeline_start().inspect_err(|e| {
            dev_dbg!(dev, "Failed to start media pipeline: {}\n", e.to_errno());
        })?;
        let started = (|| {
            let count = vdev.pipeline_start_count();
            if count == 1 {
                // The first node: which nodes take part, and the lanes.
                let pads = match sh.subdev.lock().as_ref() {
                    Some(sd) => vdev.pipeline_pads_of(sd.entity()),
                    None => 0,
                };
                let nodes = nodes_of_pads(pads);
                if nodes & (1 << IMAGE) == 0 {
                    dev_dbg!(dev, "Pipeline does not include image node\n");
                    return Err(EPIPE);
                }
                let lanes = self.num_data_lanes(dev)?;
                self.check_link_freq(dev, lanes);
                let mut pipe = sh.pipe.lock();
                pipe.nodes = nodes;
                pipe.num_data_lanes = lanes;
                dev_dbg!(dev, "Running with {} data lanes, nodes {}\n", lanes, nodes);
            }
            self.arm(q);

            // The hardware starts when every node of the pipeline is
            // started: the embedded data and the image of a frame must
            // start together.
            let nodes = sh.pipe.lock().nodes;
            if count < nodes.count_ones() {
                return Ok(());
            }
            pm_runtime::resume_and_get(dev)
                .inspect_err(|e| dev_err!(dev, "PM runtime resume failed: {}\n", e.to_errno()))?
                .keep();
            let enabled = (|| {
                let guard = sh.subdev.lock();
                let sd = guard.as_ref().ok_or(ENODEV)?;
                sd.enable_streams(PAD_IMAGE, 1)
                    .inspect_err(|_| dev_err!(dev, "stream on failed in subdev\n"))?;
                if nodes & (1 << META) != 0 {
                    if let Err(e) = sd.enable_streams(PAD_META, 1) {
                        dev_err!(dev, "stream on failed in subdev\n");
                        let _ = sd.disable_streams(PAD_IMAGE, 1);
                        return Err(e);
                    }
                }
                Ok(())
            })();
            if let Err(e) = enabled {
                pm_runtime::put_sync(dev);
                return Err(e);
            }
            sh.pipe.lock().running = true;
            Ok(())
        })();
        if started.is_err() {
            self.disarm();
            vdev.pipeline_stop();
        }
        started
    }
}

#[vtable]
impl video::Ops for Node {
    fn querycap(_this: &Self, cap: &mut Capability) -> Result {
        cap.set_driver(NAME);
        cap.set_card(NAME);
        cap.add_capabilities(Caps::VIDEO_CAPTURE | Caps::META_CAPTURE);
        Ok(())
    }

    fn enum_fmt(this: &Self, _fh: &Fh, f: &mut FmtDesc) -> Result {
        let mut index = 0;
        for info in this.kind().formats() {
            if f.mbus_code().is_some_and(|c| c != info.code.as_raw()) {
                continue;
            }
            for fourcc in [Some(info.fourcc), info.unpacked].into_iter().flatten() {
                if index == f.index() {
                    f.set_pixelformat(fourcc);
                    if this.id == META {
                        f.set_flags(video::FMT_FLAG_META_LINE_BASED);
                    }
                    return Ok(());
                }
                index += 1;
            }
        }
        Err(EINVAL)
    }

    fn g_fmt(this: &Self, _fh: &Fh, f: &mut Format) -> Result {
        let fmt = this.shared.fmt.lock();
        if this.id == IMAGE {
            f.set_pix(&fmt.pix)
        } else {
            f.set_meta(&fmt.meta)
        }
    }

    fn try_fmt(this: &Self, _fh: &Fh, f: &mut Format) -> Result {
        if this.id == IMAGE {
            let mut pix = f.pix().ok_or(EINVAL)?;
            try_pix(&mut pix);
            f.set_pix(&pix)
        } else {
            let mut meta = f.meta().ok_or(EINVAL)?;
            try_meta(&mut meta);
            f.set_meta(&meta)
        }
    }

    fn s_fmt(this: &Self, fh: &Fh, f: &mut Format) -> Result {
        if this.queue_busy() {
            return Err(EBUSY);
        }
        Self::try_fmt(this, fh, f)?;
        let mut fmt = this.shared.fmt.lock();
        if this.id == IMAGE {
            fmt.pix = f.pix().ok_or(EINVAL)?;
        } else {
            fmt.meta = f.meta().ok_or(EINVAL)?;
        }
        Ok(())
    }

    fn enum_framesizes(this: &Self, _fh: &Fh, fsize: &mut FrmSizeEnum) -> Result {
        if fsize.index() > 0 {
            return Err(EINVAL);
        }
        formats::by_fourcc(fsize.pixel_format(), this.kind()).ok_or(EINVAL)?;
        if this.id == IMAGE {
            fsize.set_stepwise(
                (formats::IMAGE_MIN_WIDTH, formats::IMAGE_MAX_WIDTH, 1),
                (formats::IMAGE_MIN_HEIGHT, formats::IMAGE_MAX_HEIGHT, 1),
            );
        } else {
            fsize.set_stepwise(
                (formats::META_MIN_WIDTH, formats::META_MAX_WIDTH, 1),
                (formats::META_MIN_HEIGHT, formats::META_MAX_HEIGHT, 1),
            );
        }
        Ok(())
    }

    fn log_status(this: &Self, fh: &Fh) -> Result {
        let sh = &this.shared;
        let dev = fh.parent();
        if let Some(vdev) = this.vdev.as_ref() {
            vdev.v4l2_device().log_status_all();
        }
        let pix = sh.fmt.lock().pix;
        dev_info!(dev, "-----Receiver status-----\n");
        dev_info!(dev, "V4L2 width/height:   {}x{}\n", pix.width, pix.height);
        dev_info!(
            dev,
            "V4L2 format:         {:08x}\n",
            pix.pixelformat.as_raw()
        );
        let [ipipe, ibls, ihsta, ivsta, ibwp] = sh.status(dev)?;
        dev_info!(
            dev,
            "Unpacking/packing:   {} / {}\n",
            ipipe & 7,
            (ipipe >> 7) & 7
        );
        dev_info!(dev, "----Live data----\n");
        dev_info!(dev, "Programmed stride:   {:4}\n", ibls);
        dev_info!(dev, "Detected resolution: {}x{}\n", ihsta, ivsta);
        dev_info!(dev, "Write pointer:       {:08x}\n", ibwp);
        Ok(())
    }

    fn subscribe_event(_this: &Self, fh: &Fh, sub: &EventSubscription) -> Result {
        match sub.event_type() {
            video::EVENT_FRAME_SYNC => fh.subscribe(sub, 2),
            _ => Err(EINVAL),
        }
    }

    fn link_validate(this: &Self, link: &Link) -> Result {
        let sh = &this.shared;
        // The source is the Unicam sub-device.
        let sd = sd::AnySubdev::from_entity(link.source().entity()).ok_or(EINVAL)?;
        let state = sd.lock_active_state().ok_or(EINVAL)?;
        let pad = if this.id == IMAGE {
            PAD_IMAGE
        } else {
            PAD_META
        };
        let mf = state.format(pad, 0)?;
        let fmt = sh.fmt.lock();
        let dev = &sh.dev;
        if this.id == IMAGE {
            let pix = &fmt.pix;
            let info: &FormatInfo = formats::by_code(mf.code(), Kind::Image).ok_or(EPIPE)?;
            if pix.pixelformat != info.fourcc && Some(pix.pixelformat) != info.unpacked {
                // Unicam first associated BGR24 with BGR888_1X24 and RGB24
                // with RGB888_1X24: accept the old combination, warning.
                let legacy = (pix.pixelformat == fourcc::BGR24
                    && mf.code() == kernel::media::mbus::Code::BGR888_1X24)
                    || (pix.pixelformat == fourcc::RGB24
                        && mf.code() == kernel::media::mbus::Code::RGB888_1X24);
                if !legacy {
                    dev_dbg!(
                        dev,
                        "image: format mismatch: 0x{:04x} <=> {}\n",
                        mf.code().as_raw(),
                        pix.pixelformat
                    );
                    return Err(EPIPE);
                }
                dev_warn!(
                    dev,
                    "Incorrect pixel format {} for 0x{:04x}. Fix your application to use {}.\n",
                    pix.pixelformat,
                    mf.code().as_raw(),
                    info.fourcc
                );
            }
            if pix.width != mf.width()
                || pix.height != mf.height()
                || pix.field != mf.field().as_raw()
            {
                dev_dbg!(
                    dev,
                    "image: ({} x {}) {} != ({} x {}) {}\n",
                    pix.width,
                    pix.height,
                    pix.field,
                    mf.width(),
                    mf.height(),
                    mf.field().as_raw()
                );
                return Err(EPIPE);
            }
        } else {
            let meta = &fmt.meta;
            let info = formats::by_fourcc(meta.dataformat, Kind::Meta).ok_or(EPIPE)?;
            if info.code != mf.code() || meta.height != mf.height() || meta.width != mf.width() {
                dev_dbg!(
                    dev,
                    "meta: ({} x {}) 0x{:04x} != ({} x {}) 0x{:04x}\n",
                    meta.width,
                    meta.height,
                    info.code.as_raw(),
                    mf.width(),
                    mf.height(),
                    mf.code().as_raw()
                );
                return Err(EPIPE);
            }
        }
        Ok(())
    }
}

#[vtable]
impl QueueOps for Node {
    fn queue_setup(this: &Self, _q: &Queue, setup: &mut Setup<'_>) -> Result {
        let mut size = this.buffer_size();
        if let Some(sizes) = setup.requested_sizes() {
            let asked = sizes.first().copied().unwrap_or(0);
            if asked < size {
                return Err(EINVAL);
            }
            size = asked;
        }
        setup.set_planes(&[size])
    }

    fn buf_prepare(this: &Self, _q: &Queue, buf: &mut Prepare<'_>) -> Result {
        let size = this.buffer_size() as usize;
        if buf.plane_size(0) < size {
            return Err(EINVAL);
        }
        buf.set_payload(0, size)
    }

    fn start_streaming(this: &Self, q: &Queue, dev: &device::Device<Bound>, _count: u32) -> Result {
        this.start(q, dev)
    }

    fn stop_streaming(this: &Self, _q: &Queue, dev: &device::Device<Bound>) {
        // The first node to stop stops the hardware.
        this.stop_hw(dev);
        this.disarm();
        if let Some(vdev) = this.vdev.as_ref() {
            vdev.pipeline_stop();
        }
    }
}

/// The active buffers of node `id` that the hardware owns, taken out (for
/// an unbind while streaming).
pub(crate) fn take_buffers(sh: &Shared, id: usize) -> (Option<ActiveBuffer>, Next) {
    let mut hw = sh.hw.lock();
    let n = &mut hw.node[id];
    (n.cur.take(), core::mem::take(&mut n.next))
}
