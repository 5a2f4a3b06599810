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
//! end-of-conversion interrupt of a conversion it starts whenever the
//! previous scan is done; the buffer also works with any other trigger
//! (hrtimer, sysfs).
//!
//! Hardware handling follows the C driver: a conversion that has not ended
//! after 10 ms times out, and if the converter is still busy it is reset.
//!
//! # Concurrency
//!
//! - `Hw::con` (a spinlock taken with interrupts off) serialises every
//!   access to ADCCON between process context and the end-of-conversion
//!   interrupt, and holds what the converter is doing (`Conv`) and whether
//!   the own trigger runs. The interrupt handler writes ADCCON back as it
//!   read it, which clears the status bit (write 1 to clear) and nothing
//!   else.
//! - `Hw::lock` (a mutex) serialises conversions and resets: direct reads,
//!   scans.
//! - Disabling the own trigger waits for the conversion it started, so
//!   that afterwards no conversion runs that direct reads do not know of.

use kernel::{
    c_str,
    clk::Clk,
    device::{Bound, Core, Device},
    devres::Devres,
    iio::{
        self,
        channel::{ChanInfo, ChanSpec, ChanType, InfoMask, ScanType},
        scan::ScanBuf,
        Value,
    },
    io::{
        mem::IoMem,
        poll::{read_poll_timeout, read_poll_timeout_atomic},
        register, Io,
    },
    irq, new_spinlock_irq, of, platform,
    prelude::*,
    regulator::{Enabled, Regulator},
    reset::ResetControl,
    sync::{aref::ARef, new_mutex, Arc, Completion, Mutex},
    sync_ext::{CompletionExt, SpinLockIrq},
    time::{delay::fsleep, Delta},
};

const REGS_SIZE: usize = 8;
const NUM_CHANNELS: usize = 8;
const RESOLUTION_BITS: u8 = 10;
const INTERNAL_VREF_MV: i32 = 2048;
/// How long a conversion may take before it counts as stuck (as C).
const CONV_TIMEOUT: Delta = Delta::from_millis(10);
/// ADC clocks per conversion (as QEMU models the NPCM7xx ADC).
const CONV_CLOCKS: u64 = 20;
/// Sleep between polls once a polled conversion takes longer than it
/// should.
const POLL_SLEEP: Delta = Delta::from_micros(20);

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

const CHANNELS: &[ChanSpec] = kernel::iio_channels![
    chan(0),
    chan(1),
    chan(2),
    chan(3),
    chan(4),
    chan(5),
    chan(6),
    chan(7),
    ChanSpec::soft_timestamp(NUM_CHANNELS as i32),
];

/// What the converter is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conv {
    Idle,
    /// A direct read waits for its end-of-conversion interrupt.
    Waiter,
    /// The own trigger fires on its end-of-conversion interrupt.
    Trigger,
    /// A scan polls for its end (interrupt off).
    Polled,
    /// The converter is being reset.
    Resetting,
}

/// What `Hw::con` protects besides ADCCON itself.
struct ConState {
    busy: Conv,
    /// The own trigger is enabled: keep a conversion going.
    trigger_on: bool,
    /// The channel the own trigger converts (the first of the scan).
    trigger_chan: u32,
}

/// The hardware, shared by the IIO device, its trigger and the interrupt.
#[pin_data]
struct Hw {
    #[pin]
    regs: Devres<IoMem<'static, REGS_SIZE>>,
    reset: ResetControl,
    /// ADCCON accesses and the converter's state.
    #[pin]
    con: SpinLockIrq<ConState>,
    /// End of a direct read's conversion.
    #[pin]
    eoc: Completion,
    /// Serialises conversions (direct reads, scans) and resets.
    #[pin]
    lock: Mutex<()>,
    /// ADCCON as configured at probe (divider, reference, enables): what a
    /// reset restores.
    config: ADCCON,
    vref: Option<Regulator<Enabled>>,
    sample_hz: u32,
}

/// Why a conversion failed.
enum ConvError {
    /// It did not end in time and the converter is still busy: reset it.
    Stuck,
    Other(Error),
}

impl From<Error> for ConvError {
    fn from(e: Error) -> Self {
        ConvError::Other(e)
    }
}

impl Hw {
    /// Starts a conversion of `ch` for `purpose` (with the end-of-conversion
    /// interrupt unless `Polled`). The converter must be idle.
    fn start(
        &self,
        io: &IoMem<'static, REGS_SIZE>,
        st: &mut ConState,
        ch: u32,
        purpose: Conv,
    ) -> Result {
        if st.busy != Conv::Idle {
            return Err(EBUSY);
        }
        // A status bit still set here belongs to no one (idle converter):
        // writing it back as read clears it, so that it does not raise the
        // interrupt we enable.
        let con = io
            .read(ADCCON)
            .try_with_ch(ch)?
            .with_int_en(purpose != Conv::Polled)
            .with_conv(true);
        io.write_reg(con);
        st.busy = purpose;
        Ok(())
    }

    /// Stops a conversion that did not end, if any; the converter is idle
    /// afterwards.
    fn stop(&self, io: &IoMem<'static, REGS_SIZE>, st: &mut ConState) {
        let con = io.read(ADCCON);
        if con.conv() {
            io.write_reg(con.with_conv(false));
        }
        st.busy = Conv::Idle;
    }

    /// Waits (sleeping) until no conversion runs.
    fn wait_idle(&self) -> Result {
        read_poll_timeout(
            || Ok(self.con.lock().busy),
            |b| *b == Conv::Idle,
            POLL_SLEEP,
            CONV_TIMEOUT,
        )
        .map(|_| ())
    }

    /// Converts `ch` and returns its code, waiting for the interrupt.
    /// Caller holds `lock`.
    fn convert(&self, dev: &Device<Bound>, ch: u32) -> Result<u16, ConvError> {
        let io = self.regs.access(dev)?;
        self.wait_idle()?;
        self.eoc.drain();
        self.start(io, &mut self.con.lock(), ch, Conv::Waiter)?;
        if self.eoc.wait_timeout(CONV_TIMEOUT).is_err() {
            let mut st = self.con.lock();
            if st.busy == Conv::Waiter {
                let stuck = io.read(ADCCON).conv();
                self.stop(io, &mut st);
                return Err(if stuck {
                    ConvError::Stuck
                } else {
                    ConvError::Other(ETIMEDOUT)
                });
            }
            // The interrupt came just now: the data is there.
        }
        Ok(io.read(ADCDATA).data().get() as u16)
    }

    /// Converts `ch` by polling for the end of conversion, for scans: a
    /// conversion takes 20 ADC clocks, less than waking a waiter per
    /// channel costs. The interrupt stays off. Polls without sleeping for
    /// twice the conversion time, then sleeping. Caller holds `lock`.
    fn convert_polled(&self, dev: &Device<Bound>, ch: u32) -> Result<u16> {
        let io = self.regs.access(dev)?;
        self.wait_idle()?;
        self.start(io, &mut self.con.lock(), ch, Conv::Polled)?;
        // CONV clears itself when the conversion ends.
        let quick_us = (2 * CONV_CLOCKS * 1_000_000).div_ceil(u64::from(self.sample_hz.max(1)));
        let done = read_poll_timeout_atomic(
            || Ok(io.read(ADCCON)),
            |con| !con.conv(),
            Delta::from_micros(1),
            usize::try_from(quick_us.max(1)).unwrap_or(usize::MAX),
        )
        .or_else(|_| {
            read_poll_timeout(
                || Ok(io.read(ADCCON)),
                |con| !con.conv(),
                POLL_SLEEP,
                CONV_TIMEOUT,
            )
        });
        let mut st = self.con.lock();
        self.stop(io, &mut st);
        drop(st);
        done?;
        Ok(io.read(ADCDATA).data().get() as u16)
    }

    /// Starts the own trigger's next conversion, if the trigger is on and
    /// the converter idle (else the scan or reset in progress kicks it
    /// when done).
    fn kick(&self) {
        let Some(io) = self.regs.try_access() else {
            return;
        };
        let mut st = self.con.lock();
        if st.trigger_on && st.busy == Conv::Idle {
            let ch = st.trigger_chan;
            let _ = self.start(&io, &mut st, ch, Conv::Trigger);
        }
    }

    /// Enables or disables the own trigger. Disabling waits for the
    /// conversion it started (its interrupt polls the trigger), so that no
    /// conversion is left that direct reads do not know of.
    fn set_trigger(&self, on: bool) -> Result {
        self.con.lock().trigger_on = on;
        if on {
            self.kick();
            return Ok(());
        }
        if read_poll_timeout(
            || Ok(self.con.lock().busy),
            |b| *b != Conv::Trigger,
            POLL_SLEEP,
            CONV_TIMEOUT,
        )
        .is_err()
        {
            if let Some(io) = self.regs.try_access() {
                let mut st = self.con.lock();
                if st.busy == Conv::Trigger {
                    self.stop(&io, &mut st);
                }
            }
        }
        Ok(())
    }

    /// Resets a stuck converter, as the C driver does, and restores its
    /// configuration (clock divider, reference, enables). Caller holds
    /// `lock`, not the IIO device's mode lock (this sleeps 200 ms).
    fn reset_adc(&self, dev: &Device<Bound>) {
        self.con.lock().busy = Conv::Resetting;
        let _ = self.reset.assert();
        fsleep(Delta::from_millis(100));
        let _ = self.reset.deassert();
        fsleep(Delta::from_millis(100));
        let mut st = self.con.lock();
        st.busy = Conv::Idle;
        if let Ok(io) = self.regs.access(dev) {
            // A reset sets the status bit: write 1 to clear it.
            io.write_reg(self.config.with_int_st(true));
            if st.trigger_on {
                let ch = st.trigger_chan;
                let _ = self.start(io, &mut st, ch, Conv::Trigger);
            }
        }
        drop(st);
        dev_err!(dev, "conversion stuck: ADC reset\n");
    }

    /// A direct read of channel `ch`.
    fn read(&self, dev: &iio::Device<NpcmAdc>, parent: &Device<Bound>, ch: u32) -> Result<u16> {
        let res = {
            let _claim = dev.claim_direct()?;
            let _guard = self.lock.lock();
            self.convert(parent, ch)
        };
        match res {
            Ok(v) => Ok(v),
            Err(ConvError::Other(e)) => Err(e),
            Err(ConvError::Stuck) => {
                // Outside the mode lock: a buffer enable need not wait
                // for the reset.
                let _guard = self.lock.lock();
                self.reset_adc(parent);
                Err(ETIMEDOUT)
            }
        }
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
                let ch = u32::try_from(chan.channel())?;
                hw.read(dev, parent, ch).map(|v| Value::Int(v.into()))
            }
            ChanInfo::Scale => hw.scale(),
            ChanInfo::SampFreq => Ok(Value::Int(hw.sample_hz.try_into()?)),
            _ => Err(EINVAL),
        }
    }
}

#[vtable]
impl iio::BufferOps for NpcmAdc {
    /// Up to eight `u16` samples (16 bytes) and the timestamp.
    type Scan = ScanBuf<24>;

    fn handle_scan(
        dev: &iio::Device<Self>,
        parent: &Device<Bound>,
        scan: &mut iio::Scan<'_>,
    ) -> Result {
        let hw = &dev.data().hw;
        let own = scan.using_own_trigger();
        let _guard = hw.lock.lock();
        for (i, chan) in scan.channels().enumerate() {
            let ch = u32::try_from(chan.channel())?;
            // With the own trigger, the conversion that fired it (of the
            // first channel of the scan, from the previous scan on) is in
            // ADCDATA.
            let code = if i == 0 && own {
                let mut st = hw.con.lock();
                let kicked = st.trigger_chan;
                st.trigger_chan = ch;
                drop(st);
                if kicked == ch {
                    hw.regs.access(parent)?.read(ADCDATA).data().get() as u16
                } else {
                    hw.convert_polled(parent, ch)?
                }
            } else {
                hw.convert_polled(parent, ch)?
            };
            scan.push(code)?;
        }
        Ok(())
    }
}

/// The own trigger: fires when a conversion it started ends.
struct EocTrigger {
    hw: Arc<Hw>,
}

#[vtable]
impl iio::TriggerOps for EocTrigger {
    const OWN_DEVICE_ONLY: bool = true;

    fn set_state(&self, _trig: &iio::Trigger, enabled: bool) -> Result {
        self.hw.set_trigger(enabled)
    }

    fn reenable(&self, _trig: &iio::Trigger) {
        self.hw.kick();
    }
}

/// The end-of-conversion interrupt.
struct EocIrq {
    hw: Arc<Hw>,
    trig: ARef<iio::Trigger>,
}

impl irq::Handler for EocIrq {
    fn handle(&self, dev: &Device<Bound>) -> irq::IrqReturn {
        let Ok(io) = self.hw.regs.access(dev) else {
            return irq::IrqReturn::None;
        };
        let mut st = self.hw.con.lock();
        let con = io.read(ADCCON);
        if !con.int_st() {
            return irq::IrqReturn::None;
        }
        // Written back as read: clears the status bit (write 1 to clear),
        // leaves the rest, CONV included, as it is.
        io.write_reg(con);
        let purpose = st.busy;
        if matches!(purpose, Conv::Waiter | Conv::Trigger) {
            st.busy = Conv::Idle;
        }
        drop(st);
        match purpose {
            Conv::Waiter => self.hw.eoc.complete(),
            Conv::Trigger => self.trig.poll(),
            // A stale status (of a conversion that was stopped, or of a
            // reset): nothing waits for it.
            _ => (),
        }
        irq::IrqReturn::Handled
    }
}

/// The driver's data for a bound device.
#[pin_data]
struct NpcmAdcDriver {
    // Field order is drop order, the teardown: the IIO device first (its
    // buffer is disabled, no read or scan runs any more), then the
    // interrupt, then the trigger, then the converter is switched off.
    // Devres (the registers, the clock) goes after all of these.
    iio: iio::Registration<NpcmAdc>,
    #[pin]
    irq: irq::Registration<EocIrq>,
    trig: iio::TriggerRegistration<EocTrigger>,
    off: AdcOff,
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
        let config = con
            .with_refsel(vref.is_none())
            .with_adc_en(true)
            .with_int_en(true)
            .with_conv(false);
        // Writing the status bit back as read clears a stale one.
        iomem.write_reg(config);
        let config = config.with_int_st(false);

        let hw = Arc::pin_init(
            try_pin_init!(Hw {
                regs <- iomem.into_devres()?,
                reset,
                con <- new_spinlock_irq!(ConState {
                    busy: Conv::Idle,
                    trigger_on: false,
                    trigger_chan: 0,
                }),
                eoc <- Completion::new(),
                lock <- new_mutex!(()),
                config,
                vref,
                sample_hz,
            }),
            GFP_KERNEL,
        )?;

        let trig = iio::Trigger::new(
            dev,
            &THIS_MODULE,
            c_str!("npcm-adc-eoc"),
            Ok::<_, Error>(EocTrigger { hw: hw.clone() }),
        )?
        .register()?;

        let spec = iio::Spec {
            name: c"npcm_adc",
            channels: CHANNELS,
            available_scan_masks: None,
        };
        // No initial trigger: the device would hold a reference to its own
        // trigger, which pins this module until user space picks another.
        let indio = iio::Device::new(dev, &spec, Ok::<_, Error>(NpcmAdc { hw: hw.clone() }))?;

        let handler = EocIrq {
            hw: hw.clone(),
            trig: trig.trigger(),
        };
        Ok(try_pin_init!(Self {
            off: AdcOff(hw),
            trig,
            irq <- pdev.request_irq_by_index(irq::Flags::TRIGGER_NONE, 0, c"npcm_adc", Ok::<_, Error>(handler)),
            // Last: user space sees the device once everything it uses is
            // there.
            iio: indio.register_buffered(&THIS_MODULE)?,
        }))
    }
}

/// Disables the converter, as the C driver's remove does, once the IIO
/// device, the interrupt and the trigger are gone.
struct AdcOff(Arc<Hw>);

impl Drop for AdcOff {
    fn drop(&mut self) {
        if let Some(io) = self.0.regs.try_access() {
            let mut st = self.0.con.lock();
            self.0.stop(&io, &mut st);
            io.write_reg(io.read(ADCCON).with_adc_en(false).with_int_en(false));
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
