// SPDX-License-Identifier: GPL-2.0

//! Nuvoton NPCM7xx ADC driver.
//!
//! Eight single-ended 10-bit channels converted one at a time on request.
//! Same devicetree binding as the C driver `npcm_adc`: one register range,
//! one interrupt (end of conversion), the ADC clock, the ADC reset line and
//! an optional `vref-supply` (else the 2.048 V internal reference).
//!
//! Beyond the C driver: a triggered buffer with timestamps over any subset
//! of the channels, and the device's own trigger, fired by the
//! end-of-conversion interrupt of a free-running conversion; the buffer
//! also works with any other trigger (hrtimer, sysfs).
//!
//! Hardware handling follows the C driver: a conversion that has not ended
//! after 10 ms times out, and if the converter is still busy it is reset.

use kernel::{
    c_str,
    clk::Clk,
    device::{Bound, Core, Device},
    devres::Devres,
    iio::{
        self,
        channel::{self, ChanInfo, ChanSpec, ChanType, InfoMask, ScanType},
        scan::{ScanBuf, ScanWriter},
        Value,
    },
    io::{mem::IoMem, poll::read_poll_timeout_atomic, register, Io},
    irq, of, platform,
    prelude::*,
    regulator::{Enabled, Regulator},
    reset::ResetControl,
    sync::{
        aref::ARef,
        atomic::{Atomic, Relaxed},
        new_mutex, Arc, Mutex,
    },
    time::{delay::fsleep, Delta},
    timed_completion::TimedCompletion,
};

const REGS_SIZE: usize = 8;
const NUM_CHANNELS: usize = 8;
const RESOLUTION_BITS: u8 = 10;
const INTERNAL_VREF_MV: i32 = 2048;
/// How long a conversion may take before it counts as stuck (as C).
const CONV_TIMEOUT: Delta = Delta::from_millis(10);
/// The same limit for polled conversions, in polls 1 µs apart.
const CONV_POLL_TRIES: usize = 10_000;

register! {
    /// ADC control register.
    ADCCON(u32) @ 0x00 {
        /// Channel to convert.
        27:24 ch;
        /// End-of-conversion interrupt enable.
        21:21 int_en => bool;
        /// Reference select: 1 internal, 0 external (vref).
        19:19 refsel => bool;
        /// End-of-conversion status; write 1 to clear.
        18:18 int_st => bool;
        /// ADC enable.
        17:17 adc_en => bool;
        /// ADC reset.
        16:16 adc_rst => bool;
        /// Start a conversion; clears itself when it ends.
        13:13 conv => bool;
        /// Clock divider: the ADC clock is the input clock / ((div + 1) * 2).
        8:1 div;
    }

    /// ADC data register.
    ADCDATA(u32) @ 0x04 {
        /// The last conversion's code.
        9:0 data;
    }
}

const fn chan(ch: i32) -> ChanSpec {
    ChanSpec::new(ChanType::Voltage)
        .indexed(ch)
        .separate(InfoMask::of(ChanInfo::Raw))
        .shared_by_type(InfoMask::of(ChanInfo::Scale).with(ChanInfo::SampFreq))
        .scan(ch, ScanType::unsigned(RESOLUTION_BITS, 16))
}

const CHANNELS: &[ChanSpec] = channel::validate(&[
    chan(0),
    chan(1),
    chan(2),
    chan(3),
    chan(4),
    chan(5),
    chan(6),
    chan(7),
    ChanSpec::soft_timestamp(NUM_CHANNELS as i32),
]);

/// One scan: up to eight `u16` samples (16 bytes) and the timestamp.
type Scan = ScanBuf<24>;

/// What the next end-of-conversion interrupt is for.
const EOC_WAITER: u32 = 0;
/// A conversion started to fire the own trigger.
const EOC_TRIGGER: u32 = 1;

/// The hardware, shared by the IIO device, its trigger and the interrupt.
#[pin_data]
struct Hw {
    #[pin]
    regs: Devres<IoMem<'static, REGS_SIZE>>,
    reset: ResetControl,
    /// Counts end-of-conversion interrupts meant for a waiter.
    #[pin]
    eoc: TimedCompletion,
    /// `EOC_WAITER` or `EOC_TRIGGER`.
    eoc_for: Atomic<u32>,
    /// The own trigger fires: a conversion is kept going.
    trigger_on: Atomic<u32>,
    /// The channel the own trigger converts (the first of the scan).
    trigger_chan: Atomic<u32>,
    /// Serialises conversions (direct reads and bottom halves).
    #[pin]
    lock: Mutex<()>,
    vref: Option<Regulator<Enabled>>,
    sample_hz: u32,
}

impl Hw {
    /// Starts a conversion of `ch`, with the end-of-conversion interrupt
    /// if `irq`. The caller knows what the end of conversion is for
    /// (`eoc_for`).
    fn start(&self, io: &IoMem<'static, REGS_SIZE>, ch: u32, irq: bool) -> Result {
        let con = io
            .read(ADCCON)
            .with_int_st(false)
            .try_with_ch(ch)?
            .with_int_en(irq)
            .with_conv(true);
        io.write_reg(con);
        Ok(())
    }

    /// Converts `ch` and returns its code. Caller holds `lock`.
    fn convert(&self, dev: &Device<Bound>, ch: u32) -> Result<u16> {
        let io = self.regs.access(dev)?;
        self.eoc_for.store(EOC_WAITER, Relaxed);
        self.eoc.drain();
        self.start(io, ch, true)?;
        if let Err(e) = self.eoc.wait_timeout(CONV_TIMEOUT) {
            if io.read(ADCCON).conv() {
                // Stuck converter: reset it, as the C driver does.
                self.reset_adc(dev, io);
            }
            return Err(e);
        }
        Ok(io.read(ADCDATA).data().get() as u16)
    }

    /// Converts `ch` by polling for the end of conversion, for scans: a
    /// conversion takes 20 ADC clocks (tens of microseconds), less than
    /// waking a waiter per channel costs. The interrupt stays off, so that
    /// its handler never rewrites ADCCON under us. Caller holds `lock`.
    fn convert_polled(&self, dev: &Device<Bound>, ch: u32) -> Result<u16> {
        let io = self.regs.access(dev)?;
        self.start(io, ch, false)?;
        // CONV clears itself when the conversion ends (with the interrupt
        // off, the status bit may stay clear).
        if let Err(e) = read_poll_timeout_atomic(
            || Ok(io.read(ADCCON)),
            |con| !con.conv(),
            Delta::from_micros(1),
            CONV_POLL_TRIES,
        ) {
            self.reset_adc(dev, io);
            return Err(e);
        }
        Ok(io.read(ADCDATA).data().get() as u16)
    }

    fn reset_adc(&self, dev: &Device<Bound>, io: &IoMem<'static, REGS_SIZE>) {
        let refsel = self.vref.is_none();
        let _ = self.reset.assert();
        fsleep(Delta::from_millis(100));
        let _ = self.reset.deassert();
        fsleep(Delta::from_millis(100));
        io.write_reg(
            ADCCON::zeroed()
                .with_adc_en(true)
                .with_int_en(true)
                .with_refsel(refsel),
        );
        dev_err!(dev, "conversion stuck: ADC reset\n");
    }

    fn scale(&self) -> Result<Value> {
        let mv = match &self.vref {
            Some(r) => r.get_voltage()?.as_microvolts() / 1000,
            None => INTERNAL_VREF_MV,
        };
        Ok(Value::FractionalLog2(mv, RESOLUTION_BITS))
    }
}

/// The IIO device's data.
struct NpcmAdc {
    hw: Arc<Hw>,
}

#[vtable]
impl iio::Info for NpcmAdc {
    fn read_raw(
        dev: &iio::Device<Self>,
        parent: &Device<Bound>,
        chan: &ChanSpec,
        info: ChanInfo,
    ) -> Result<Value> {
        let hw = &dev.data().hw;
        match info {
            ChanInfo::Raw => {
                let _claim = dev.claim_direct()?;
                let ch = u32::try_from(chan.channel())?;
                let _guard = hw.lock.lock();
                hw.convert(parent, ch).map(|v| Value::Int(v.into()))
            }
            ChanInfo::Scale => hw.scale(),
            ChanInfo::SampFreq => Ok(Value::Int(hw.sample_hz.try_into()?)),
            _ => Err(EINVAL),
        }
    }
}

#[vtable]
impl iio::BufferOps for NpcmAdc {
    fn handle_scan(
        dev: &iio::Device<Self>,
        parent: &Device<Bound>,
        ctx: &iio::ScanContext<'_, Self>,
    ) {
        let hw = &dev.data().hw;
        let own = ctx.using_own_trigger();
        let mut scan = Scan::new();
        let mut w = ScanWriter::new(&mut scan);
        let guard = hw.lock.lock();
        let kicked = hw.trigger_chan.load(Relaxed);
        let mut ok = true;
        for (i, chan) in ctx.active_channels().enumerate() {
            let Ok(ch) = u32::try_from(chan.channel()) else {
                ok = false;
                break;
            };
            // With the own trigger, the channel it converted (the first of
            // the scan, from the previous scan on) is ready.
            if i == 0 {
                hw.trigger_chan.store(ch, Relaxed);
            }
            let code = if own && i == 0 && kicked == ch {
                hw.regs
                    .access(parent)
                    .map(|io| io.read(ADCDATA).data().get() as u16)
            } else {
                hw.convert_polled(parent, ch)
            };
            match code {
                Ok(c) if w.push(c).is_ok() => {}
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        drop(guard);
        if ok {
            // A full buffer drops the scan; nothing else to do here.
            let _ = ctx.push(w);
        }
    }
}

/// The own trigger: fires when a conversion it started ends.
struct EocTrigger {
    hw: Arc<Hw>,
}

impl EocTrigger {
    fn kick(&self) {
        let hw = &self.hw;
        if hw.trigger_on.load(Relaxed) == 0 {
            return;
        }
        let _guard = hw.lock.lock();
        if let Some(io) = hw.regs.try_access() {
            hw.eoc_for.store(EOC_TRIGGER, Relaxed);
            let _ = hw.start(&io, hw.trigger_chan.load(Relaxed), true);
        }
    }
}

#[vtable]
impl iio::TriggerOps for EocTrigger {
    const OWN_DEVICE_ONLY: bool = true;

    fn set_state(trig: &iio::Trigger<Self>, enabled: bool) -> Result {
        let t = trig.data();
        t.hw.trigger_on.store(u32::from(enabled), Relaxed);
        if enabled {
            t.kick();
        }
        Ok(())
    }

    fn reenable(trig: &iio::Trigger<Self>) {
        trig.data().kick();
    }
}

/// The end-of-conversion interrupt.
struct EocIrq {
    hw: Arc<Hw>,
    trig: ARef<iio::Trigger<EocTrigger>>,
}

impl irq::Handler for EocIrq {
    fn handle(&self, dev: &Device<Bound>) -> irq::IrqReturn {
        let Ok(io) = self.hw.regs.access(dev) else {
            return irq::IrqReturn::None;
        };
        let con = io.read(ADCCON);
        if !con.int_st() {
            return irq::IrqReturn::None;
        }
        // Write the status bit back to clear it (and not restart).
        io.write_reg(con.with_conv(false));
        if self.hw.eoc_for.load(Relaxed) == EOC_TRIGGER {
            self.hw.eoc_for.store(EOC_WAITER, Relaxed);
            self.trig.poll();
        } else {
            self.hw.eoc.complete();
        }
        irq::IrqReturn::Handled
    }
}

#[pin_data]
struct NpcmAdcDriver {
    #[pin]
    irq: irq::Registration<EocIrq>,
    iio: ARef<iio::Device<NpcmAdc>>,
}

kernel::of_device_table!(
    OF_TABLE,
    MODULE_OF_TABLE,
    <NpcmAdcDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"nuvoton,npcm750-adc"), ())]
);

impl platform::Driver for NpcmAdcDriver {
    type IdInfo = ();
    type Data<'bound> = Self;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _id_info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self, Error> + 'bound {
        pin_init::pin_init_scope(move || Self::setup(pdev))
    }
}

impl NpcmAdcDriver {
    fn setup(pdev: &platform::Device<Bound>) -> Result<impl PinInit<Self, Error> + '_> {
        let dev: &Device<Bound> = pdev.as_ref();
        let request = pdev.io_request_by_index(0).ok_or(ENODEV)?;
        let iomem = request.iomap_sized::<REGS_SIZE>()?;

        let reset = ResetControl::get_exclusive(dev, None)?;
        let clk = Clk::get(dev, None)?;
        clk.prepare_enable()?;
        let con = iomem.read(ADCCON);
        let div = con.div().get();
        let sample_hz =
            u32::try_from(clk.rate().as_hz() / ((div as usize + 1) * 2)).unwrap_or(u32::MAX);
        // The clock stays on while the device is bound: forget our handle
        // only after devres owns the disabling.
        kernel::devres::register(dev, ClkOn(clk), GFP_KERNEL)?;

        // An external reference if the devicetree gives one, as
        // devm_regulator_get_optional() decides in the C driver.
        let has_vref = dev
            .fwnode()
            .is_some_and(|n| n.property_present(c"vref-supply"));
        let vref = if has_vref {
            Some(Regulator::<Enabled>::get(dev, c"vref")?)
        } else {
            None
        };
        iomem.write_reg(
            con.with_refsel(vref.is_none())
                .with_adc_en(true)
                .with_int_en(true)
                .with_int_st(false)
                .with_conv(false),
        );

        let hw = Arc::pin_init(
            try_pin_init!(Hw {
                regs <- iomem.into_devres()?,
                reset,
                eoc <- TimedCompletion::new(),
                eoc_for: Atomic::new(EOC_WAITER),
                trigger_on: Atomic::new(0),
                trigger_chan: Atomic::new(0),
                lock <- new_mutex!(()),
                vref,
                sample_hz,
            }),
            GFP_KERNEL,
        )?;

        let name = c_str!("npcm-adc-eoc");
        let trig = iio::Trigger::new(
            dev,
            &THIS_MODULE,
            name,
            Ok::<_, Error>(EocTrigger { hw: hw.clone() }),
        )?;
        iio::Trigger::register(&trig, dev)?;

        let spec = iio::Spec {
            name: c"npcm_adc",
            channels: CHANNELS,
            available_scan_masks: None,
        };
        // No initial trigger: the device would hold a reference to its own
        // trigger, which pins this module until user space picks another.
        let indio = iio::Device::new(dev, &spec, Ok::<_, Error>(NpcmAdc { hw: hw.clone() }))?;
        // Registered before the IIO device, so released after it is gone.
        kernel::devres::register(dev, AdcOff(hw.clone()), GFP_KERNEL)?;

        let handler = EocIrq {
            hw,
            trig: trig.clone(),
        };
        let iio_ref = indio.clone();
        Ok(try_pin_init!(Self {
            irq <- pdev.request_irq_by_index(irq::Flags::TRIGGER_NONE, 0, c"npcm_adc", Ok::<_, Error>(handler)),
            iio: {
                iio::Device::register_buffered(iio_ref, dev, &THIS_MODULE)?;
                indio
            },
        }))
    }
}

/// Disables the converter, as the C driver's remove does, once the IIO
/// device is unregistered (so no read or scan can find it off).
struct AdcOff(Arc<Hw>);

impl Drop for AdcOff {
    fn drop(&mut self) {
        if let Some(io) = self.0.regs.try_access() {
            io.update(ADCCON, |c| c.with_adc_en(false).with_int_st(false));
        }
    }
}

/// Keeps the ADC clock enabled until the device is unbound.
struct ClkOn(Clk);

impl Drop for ClkOn {
    fn drop(&mut self) {
        self.0.disable_unprepare();
    }
}

kernel::module_platform_driver! {
    type: NpcmAdcDriver,
    name: "npcm_adc_rs",
    authors: ["The iio-media-rs authors"],
    description: "Nuvoton NPCM7xx ADC driver (Rust)",
    license: "GPL",
}
