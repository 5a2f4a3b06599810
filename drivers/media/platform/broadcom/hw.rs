// SPDX-License-Identifier: GPL-2.0

//! The receiver: what the video nodes, the sub-device, the notifier and the
//! interrupt handler share, the programming of the receiver, and the
//! interrupt handler.
//!
//! Every register access, from process context or from the interrupt
//! handler, happens with [`Shared::hw`] held: a spinlock taken with
//! interrupts off, which also protects the DMA state of the nodes (which
//! buffer the hardware writes, which one comes next).

use kernel::{
    clk::{Clk, Hertz},
    device::{self, Bound},
    devres::Devres,
    dma::DmaAddress,
    io::{mem::IoMem, register::Array, Io, Mmio},
    irq::{self, IrqReturn},
    media::{
        notifier::BoundSubdevs,
        pixfmt::{MetaFormat, PixFormat},
        subdev::DeviceRegistration,
        vb2::{self, ActiveBuffer, Done},
        video::{self, Event},
    },
    new_mutex, new_spinlock_irq, pm_runtime,
    prelude::*,
    sync::{aref::ARef, atomic::Atomic, Arc, Mutex},
    sync_ext::SpinLockIrq,
    time::{delay::fsleep, Delta},
};

use crate::{
    formats::{self, FormatInfo},
    node::Node,
    regs::{self, *},
    subdev::UnicamSd,
    IMAGE, META,
};

/// The VPU clock must run at least this fast, or the input FIFOs overrun.
const MIN_VPU_CLOCK_RATE: Hertz = Hertz::from_mhz(250);
/// The rate of the LP clock.
const LP_CLOCK_RATE: Hertz = Hertz::from_mhz(100);

/// The bus of the endpoint.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bus {
    /// CSI-2 D-PHY, else CCP2.
    pub(crate) csi2: bool,
    /// `V4L2_MBUS_CSI2_*` flags (CSI-2), or the strobe (CCP2).
    pub(crate) flags: u32,
    /// The data lanes of the endpoint.
    pub(crate) max_data_lanes: u32,
}

/// What the next frame is written to.
#[derive(Default)]
pub(crate) enum Next {
    /// The dummy buffer.
    #[default]
    Dummy,
    /// The buffer being written now (`cur`), again: no buffer was swapped
    /// in since.
    Cur,
    /// This buffer.
    Buf(ActiveBuffer),
}

/// The DMA state of a node.
#[derive(Default)]
pub(crate) struct NodeDma {
    /// The node streams (its `start_streaming` ran).
    pub(crate) streaming: bool,
    /// The buffer the hardware writes, if not the dummy one.
    pub(crate) cur: Option<ActiveBuffer>,
    /// The frame start time of `cur`.
    pub(crate) cur_ts: u64,
    /// What the hardware writes after this frame.
    pub(crate) next: Next,
    /// The bytes of the node's buffers.
    pub(crate) size: u32,
    /// The field of the node's frames.
    pub(crate) field: u32,
}

/// What the interrupt handler and process context share under
/// [`Shared::hw`].
#[derive(Default)]
pub(crate) struct Dma {
    /// The sequence number of the current frame.
    pub(crate) sequence: u32,
    /// A frame started and has not ended.
    pub(crate) frame_started: bool,
    /// The nodes.
    pub(crate) node: [NodeDma; 2],
    /// The video nodes, once registered.
    pub(crate) vdev: [Option<ARef<video::Device<Node>>>; 2],
}

/// The pipeline of a streaming session (process context, under
/// [`Shared::pipe`]).
#[derive(Default)]
pub(crate) struct Pipe {
    /// The nodes in the pipeline (bit [`IMAGE`], bit [`META`]).
    pub(crate) nodes: u32,
    /// The data lanes the sensor uses.
    pub(crate) num_data_lanes: u32,
    /// The hardware runs (and a runtime PM reference is held): from the
    /// start of the last node of the pipeline to the stop of the first.
    pub(crate) running: bool,
    /// The streams enabled on the sub-device (the sensor's stream mask).
    pub(crate) enabled_streams: u64,
}

/// The formats of the video nodes.
pub(crate) struct Formats {
    /// The image node's.
    pub(crate) pix: PixFormat,
    /// The metadata node's.
    pub(crate) meta: MetaFormat,
}

/// What the parts of the driver share.
#[pin_data]
pub(crate) struct Shared {
    /// The Unicam platform device.
    pub(crate) dev: ARef<device::Device>,
    regs: Devres<IoMem<'static, { regs::UNICAM_SIZE }>>,
    cmi: Devres<IoMem<'static, { regs::CMI_SIZE }>>,
    /// The bus of the endpoint.
    pub(crate) bus: Bus,
    /// The sensor, while bound.
    pub(crate) sensor: Arc<BoundSubdevs>,
    /// Its notifier connection.
    pub(crate) sensor_conn: usize,
    /// The sensor's source pad linked to our sink pad (set when bound).
    pub(crate) sensor_pad: Atomic<u32>,
    /// The Unicam sub-device, taken out at teardown.
    #[pin]
    pub(crate) subdev: Mutex<Option<DeviceRegistration<UnicamSd>>>,
    /// The pipeline.
    #[pin]
    pub(crate) pipe: Mutex<Pipe>,
    /// The formats of the video nodes.
    #[pin]
    pub(crate) fmt: Mutex<Formats>,
    /// The registers and the DMA state.
    #[pin]
    pub(crate) hw: SpinLockIrq<Dma>,
    /// The DMA addresses of the dummy buffers.
    dummy: [DmaAddress; 2],
}

impl Shared {
    pub(crate) fn new(
        dev: ARef<device::Device>,
        regs: Devres<IoMem<'static, { regs::UNICAM_SIZE }>>,
        cmi: Devres<IoMem<'static, { regs::CMI_SIZE }>>,
        bus: Bus,
        sensor: Arc<BoundSubdevs>,
        sensor_conn: usize,
        dummy: [DmaAddress; 2],
    ) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            dev,
            regs,
            cmi,
            bus,
            sensor,
            sensor_conn,
            sensor_pad: Atomic::new(0),
            subdev <- new_mutex!(None, "unicam_subdev"),
            pipe <- new_mutex!(Pipe::default(), "unicam_pipe"),
            fmt <- new_mutex!(
                Formats {
                    pix: formats::default_pix(),
                    meta: formats::default_meta(),
                },
                "unicam_fmt"
            ),
            hw <- new_spinlock_irq!(Dma::default(), "unicam_hw"),
            dummy,
        }? Error)
    }

    /// Writes `val` to the lane clock gate, with the clock manager's
    /// password.
    fn clk_write(&self, dev: &device::Device<Bound>, val: u32) -> Result {
        self.cmi
            .access(dev)?
            .write_reg(CMI_GATE::zeroed().with_value(val | CM_PASSWORD));
        Ok(())
    }

    /// Programs node `i`'s next buffer: `addr` and `size` bytes (the
    /// dummy buffer is programmed with size 0, as the hardware may
    /// overrun it otherwise).
    fn write_dma_addr(io: &Mmio<{ regs::UNICAM_SIZE }>, i: usize, addr: DmaAddress, size: u32) {
        // Unicam addresses 32 bits; its DMA mask keeps buffers below 4 GiB.
        let start = addr as u32;
        let end = start.wrapping_add(size);
        if i == IMAGE {
            io.write_reg(IBSA0::zeroed().with_addr(start));
            io.write_reg(IBEA0::zeroed().with_addr(end));
        } else {
            io.write_reg(DBSA0::zeroed().with_addr(start));
            io.write_reg(DBEA0::zeroed().with_addr(end));
        }
    }

    /// Programs the dummy buffer for node `i`.
    fn write_dummy(&self, io: &Mmio<{ regs::UNICAM_SIZE }>, i: usize) {
        Self::write_dma_addr(io, i, self.dummy[i], 0);
    }

    /// Starts the receiver as `rx` says (the C driver's
    /// `unicam_start_rx()`), writing the image node's first buffer.
    pub(crate) fn start_rx(&self, dev: &device::Device<Bound>, rx: &RxConfig) -> Result {
        let RxConfig {
            fmt,
            height,
            unpack,
            bytesperline,
            vc,
            dt,
        } = *rx;
        let io = self.regs.access(dev)?;
        let lanes = self.pipe.lock().num_data_lanes;
        let bus = self.bus;
        {
            let _hw = self.hw.lock();
            // Lane clocks: 01 for the clock lane and each active data lane.
            let mask = (1u32 << (lanes * 2 + 2)) - 1;
            self.clk_write(dev, 0x155 & mask)?;
            io.write_reg(CTRL::zeroed().with_mem(true));
            // Analogue control enabled, held in reset.
            io.write_reg(
                ANA::zeroed()
                    .with_ar(true)
                    .with_const_ctatadj::<7>()
                    .with_const_ptatadj::<7>(),
            );
        }
        fsleep(Delta::from_millis(1));
        let mut hw = self.hw.lock();
        io.update(ANA, |r| r.with_ar(false));
        // Peripheral reset.
        io.update(CTRL, |r| r.with_cpr(true));
        io.update(CTRL, |r| r.with_cpr(false));
        io.update(CTRL, |r| r.with_cpe(false));
        // Receiver control.
        io.update(CTRL, |r| {
            let r = if bus.csi2 {
                r.with_cpm(false).with_dcm(false)
            } else {
                r.with_cpm(true).with_dcm(bus.flags != 0)
            };
            r.with_const_pft::<0xf>().with_const_oet::<128>()
        });
        io.write_reg(IHWIN::zeroed());
        io.write_reg(IVWIN::zeroed());
        // AXI bus access QoS.
        io.update(PRI, |r| {
            r.with_const_bl::<0>()
                .with_const_bs::<0>()
                .with_const_pp::<0xe>()
                .with_const_np::<8>()
                .with_const_pt::<2>()
                .with_pe(true)
        });
        io.update(ANA, |r| r.with_ddl(false));

        let line_int_freq = (height >> 2).max(128);
        io.write_reg(
            ICTL::zeroed()
                .with_fsie(true)
                .with_feie(true)
                .with_ibob(true)
                .try_with_lcie(line_int_freq)
                .unwrap_or_else(|_| {
                    ICTL::zeroed()
                        .with_fsie(true)
                        .with_feie(true)
                        .with_ibob(true)
                }),
        );
        io.write_reg(STA::zeroed().with_all(STA_MASK_ALL));
        io.write_reg(ISTA::zeroed().with_all(ISTA_MASK_ALL));

        // tclk_term_en, tclk_settle, td_term_en, ths_settle, trx_enable.
        io.update(CLT, |r| r.with_const_clt1::<2>().with_const_clt2::<6>());
        io.update(DLT, |r| {
            r.with_const_dlt1::<2>()
                .with_const_dlt2::<6>()
                .with_const_dlt3::<0>()
        });
        io.update(CTRL, |r| r.with_soe(false));

        // Packet compare: needed not to miss frame ends.
        io.write_reg(
            CMP0::zeroed()
                .with_pce(true)
                .with_gi(true)
                .with_cph(true)
                .with_const_pcvc::<0>()
                .with_const_pcdt::<1>(),
        );

        // Clock lane and data lanes, with terminations.
        let cont = bus.flags & kernel::media::fwnode::CSI2_NONCONTINUOUS_CLOCK == 0;
        let (clk, dat) = if bus.csi2 {
            (
                CLK::zeroed()
                    .with_cle(true)
                    .with_cllpe(true)
                    .with_cltre(cont)
                    .with_clhse(cont),
                DAT::zeroed()
                    .with_dle(true)
                    .with_dllpe(true)
                    .with_dltre(cont)
                    .with_dlhse(cont),
            )
        } else {
            (
                CLK::zeroed()
                    .with_cle(true)
                    .with_clhse(true)
                    .with_cltre(true),
                DAT::zeroed()
                    .with_dle(true)
                    .with_dlhse(true)
                    .with_dltre(true),
            )
        };
        io.write_reg(clk);
        let lanes_present = if bus.max_data_lanes > 2 { 4 } else { 2 };
        for lane in 0..lanes_present {
            let v = if lane < lanes as usize {
                dat
            } else {
                DAT::zeroed()
            };
            if let Some(loc) = DAT::try_at(lane) {
                io.write(loc, v);
            }
        }

        io.write_reg(IBLS::zeroed().with_stride(bytesperline));
        match hw.node[IMAGE].cur.as_ref() {
            Some(b) => Self::write_dma_addr(
                io,
                IMAGE,
                b.dma_addr().unwrap_or(self.dummy[IMAGE]),
                hw.node[IMAGE].size,
            ),
            None => self.write_dummy(io, IMAGE),
        }
        // Packing.
        let (pum, ppm) = if unpack {
            (fmt.unpack, pipe::PACK16)
        } else {
            (pipe::NONE, pipe::NONE)
        };
        io.write_reg(
            IPIPE::zeroed()
                .try_with_pum(pum)
                .unwrap_or_else(|_| IPIPE::zeroed())
                .try_with_ppm(ppm)
                .unwrap_or_else(|_| IPIPE::zeroed()),
        );
        let idi = if bus.csi2 {
            (u32::from(vc) << 6) | u32::from(dt)
        } else {
            0x80 | u32::from(dt)
        };
        io.write_reg(IDI0::zeroed().with_value(idi));
        io.update(MISC, |r| r.with_fl0(true).with_fl1(true));
        // Enable, load the image pointers, trigger on the first frame
        // start only (to synchronise with the source).
        io.update(CTRL, |r| r.with_cpe(true));
        io.update(ICTL, |r| r.with_const_lip::<1>());
        io.update(ICTL, |r| r.with_tfc(true));
        hw.frame_started = false;
        Ok(())
    }

    /// Starts the embedded data DMA (`unicam_start_metadata()`).
    pub(crate) fn start_metadata(&self, dev: &device::Device<Bound>) -> Result {
        let io = self.regs.access(dev)?;
        let hw = self.hw.lock();
        // Two lines of embedded data, no wrap at the end of the buffer.
        io.update(DCS, |r| r.with_const_edl::<2>().with_dbob(false));
        match hw.node[META].cur.as_ref() {
            Some(b) => Self::write_dma_addr(
                io,
                META,
                b.dma_addr().unwrap_or(self.dummy[META]),
                hw.node[META].size,
            ),
            None => self.write_dummy(io, META),
        }
        io.update(DCS, |r| r.with_ldp(true));
        Ok(())
    }

    /// Stops the receiver (`unicam_disable()`).
    pub(crate) fn disable(&self, dev: &device::Device<Bound>) -> Result {
        let io = self.regs.access(dev)?;
        let four = self.bus.max_data_lanes > 2;
        {
            let _hw = self.hw.lock();
            io.update(ANA, |r| r.with_ddl(true));
            io.update(CTRL, |r| r.with_soe(true));
            let lanes = if four { 4 } else { 2 };
            for lane in 0..lanes {
                if let Some(loc) = DAT::try_at(lane) {
                    io.write(loc, DAT::zeroed());
                }
            }
            io.update(CTRL, |r| r.with_cpr(true));
        }
        fsleep(Delta::from_micros(50));
        let _hw = self.hw.lock();
        io.update(CTRL, |r| r.with_cpr(false));
        io.update(CTRL, |r| r.with_cpe(false));
        io.write_reg(DCS::zeroed());
        self.clk_write(dev, 0)?;
        Ok(())
    }

    /// Reads the registers `VIDIOC_LOG_STATUS` prints: `IPIPE`, `IBLS`,
    /// `IHSTA`, `IVSTA`, `IBWP`.
    pub(crate) fn status(&self, dev: &device::Device<Bound>) -> Result<[u32; 5]> {
        let io = self.regs.access(dev)?;
        let _hw = self.hw.lock();
        Ok([
            io.read(IPIPE).into_raw(),
            io.read(IBLS).into_raw(),
            io.read(IHSTA).into_raw(),
            io.read(IVSTA).into_raw(),
            io.read(IBWP).into_raw(),
        ])
    }
}

/// What the receiver is started for.
#[derive(Clone, Copy)]
pub(crate) struct RxConfig {
    /// The format received on the image pad.
    pub(crate) fmt: &'static FormatInfo,
    /// Its height, lines.
    pub(crate) height: u32,
    /// Whether the image node wants it unpacked to 16 bits.
    pub(crate) unpack: bool,
    /// The image node's stride.
    pub(crate) bytesperline: u32,
    /// The CSI-2 virtual channel.
    pub(crate) vc: u8,
    /// The CSI-2 data type.
    pub(crate) dt: u8,
}

/// The bits of `STA` cleared at start, as the C driver's
/// `UNICAM_STA_MASK_ALL`.
const STA_MASK_ALL: u32 = (1 << 2)
    | (1 << 3)
    | (1 << 4)
    | (1 << 5)
    | (1 << 6)
    | (1 << 7)
    | (1 << 9)
    | (1 << 10)
    | (1 << 12)
    | (1 << 13)
    | (1 << 15)
    | (1 << 16);
/// The bits of `ISTA` cleared at start.
const ISTA_MASK_ALL: u32 = 0b111;

/// The interrupt handler (`unicam_isr()`).
pub(crate) struct Irq {
    pub(crate) shared: Arc<Shared>,
}

impl Irq {
    /// Completes `buf` of node `vdev` as frame `sequence`.
    fn complete(
        vdev: Option<&ARef<video::Device<Node>>>,
        buf: ActiveBuffer,
        sequence: u32,
        ts: u64,
        field: u32,
    ) {
        if let Some(vdev) = vdev {
            vdev.queue()
                .buffer_done(buf, Done::new(sequence).timestamp_ns(ts).field(field));
        }
    }
}

impl irq::Handler for Irq {
    fn handle(&self, dev: &device::Device<Bound>) -> IrqReturn {
        let sh = &*self.shared;
        let Ok(io) = sh.regs.access(dev) else {
            return IrqReturn::None;
        };
        let mut hw = sh.hw.lock();
        let sequence = hw.sequence;

        // Write the status back to clear it (write 1 to clear).
        let sta = io.read(STA);
        io.write_reg(sta);
        let ista = io.read(ISTA);
        io.write_reg(ista);

        if !(sta.is() || sta.pi0()) {
            return IrqReturn::Handled;
        }

        // A frame end: the frame end interrupt, or the packet capture of a
        // frame end packet.
        let fe = ista.fei() || sta.pi0();

        // Frame end first: with a frame end and a frame start together,
        // the frame start would otherwise drop the buffer scheduled next.
        if fe {
            let mut inc_seq = hw.frame_started;
            for i in [IMAGE, META] {
                let hw = &mut *hw;
                let n = &mut hw.node[i];
                if !n.streaming {
                    continue;
                }
                // The buffer written is done unless the hardware had no
                // other to swap to (it writes the same one again).
                match core::mem::take(&mut n.next) {
                    Next::Cur => n.next = Next::Cur,
                    next => {
                        if let Some(buf) = n.cur.take() {
                            Self::complete(hw.vdev[i].as_ref(), buf, sequence, n.cur_ts, n.field);
                            inc_seq = true;
                        }
                        n.cur_ts = 0;
                        if let Next::Buf(b) = next {
                            n.cur = Some(b);
                            n.next = Next::Cur;
                        }
                    }
                }
            }
            // The sequence counts the sensor's frames, not the buffers.
            if inc_seq {
                hw.sequence = hw.sequence.wrapping_add(1);
                hw.frame_started = false;
            }
        }

        if ista.fsi() {
            // The timestamp is the frame start: when the first byte came.
            let ts = vb2::monotonic_ns();
            for i in [IMAGE, META] {
                let hw = &mut *hw;
                let n = &mut hw.node[i];
                if !n.streaming {
                    continue;
                }
                if n.cur.is_some() {
                    n.cur_ts = ts;
                }
                // Until a buffer is available, the next frame goes to the
                // dummy buffer.
                if let Next::Buf(orphan) = core::mem::take(&mut n.next) {
                    // Scheduled but never written to (no frame end since):
                    // give it back.
                    if let Some(vdev) = hw.vdev[i].as_ref() {
                        vdev.queue().buffer_done(orphan, Done::error(sequence));
                    }
                }
                sh.write_dummy(io, i);
            }
            if let Some(vdev) = hw.vdev[IMAGE].as_ref() {
                vdev.queue_event(&Event::frame_sync(hw.sequence));
            }
            hw.frame_started = true;
        }

        // Swap buffers at frame start or a line count, never at frame end:
        // the hardware may not take the new address if the next frame has
        // already started.
        if (ista.fsi() || ista.lci()) && !fe {
            for i in [IMAGE, META] {
                let hw = &mut *hw;
                if !hw.node[i].streaming || !matches!(hw.node[i].next, Next::Dummy) {
                    continue;
                }
                let Some(vdev) = hw.vdev[i].as_ref() else {
                    continue;
                };
                if let Some(buf) = vdev.queue().next_queued() {
                    let addr = buf.dma_addr().unwrap_or(sh.dummy[i]);
                    Shared::write_dma_addr(io, i, addr, hw.node[i].size);
                    hw.node[i].next = Next::Buf(buf);
                }
            }
        }
        IrqReturn::Handled
    }
}

/// Runtime PM of the receiver: its callbacks manage the clocks, as the C
/// driver's `unicam_runtime_resume()`/`suspend()`.
pub(crate) struct Clocks {
    lp: Clk,
    vpu: Clk,
}

impl Clocks {
    pub(crate) fn new(lp: Clk, vpu: Clk) -> Self {
        Self { lp, vpu }
    }
}

impl pm_runtime::Ops for Clocks {
    fn runtime_resume(&self, dev: &device::Device<Bound>) -> Result {
        kernel::clk_ext::set_min_rate(&self.vpu, MIN_VPU_CLOCK_RATE).inspect_err(|_| {
            dev_err!(dev, "failed to set up VPU clock\n");
        })?;
        if let Err(e) = self.vpu.prepare_enable() {
            dev_err!(dev, "Failed to enable VPU clock: {}\n", e.to_errno());
            if kernel::clk_ext::set_min_rate(&self.vpu, Hertz(0)).is_err() {
                dev_err!(dev, "failed to reset the VPU clock\n");
            }
            return Err(e);
        }
        let lp = self
            .lp
            .set_rate(LP_CLOCK_RATE)
            .inspect_err(|_| dev_err!(dev, "failed to set up CSI clock\n"))
            .and_then(|()| {
                self.lp.prepare_enable().inspect_err(|e| {
                    dev_err!(dev, "Failed to enable CSI clock: {}\n", e.to_errno());
                })
            });
        if let Err(e) = lp {
            self.vpu.disable_unprepare();
            if kernel::clk_ext::set_min_rate(&self.vpu, Hertz(0)).is_err() {
                dev_err!(dev, "failed to reset the VPU clock\n");
            }
            return Err(e);
        }
        Ok(())
    }

    fn runtime_suspend(&self, dev: &device::Device<Bound>) -> Result {
        self.lp.disable_unprepare();
        if kernel::clk_ext::set_min_rate(&self.vpu, Hertz(0)).is_err() {
            dev_err!(dev, "failed to reset the VPU clock\n");
        }
        self.vpu.disable_unprepare();
        Ok(())
    }
}
