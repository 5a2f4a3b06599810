// SPDX-License-Identifier: GPL-2.0

//! Lifetime tests of the Rust IIO abstractions (`kernel::iio`), driven by
//! `tests/guest/iio_lifetime.sh` through debugfs.
//!
//! Writing a command to `/sys/kernel/debug/iio_rs_lifetime/ctl` creates or
//! removes, on faux devices, a trigger and a buffered IIO device built with
//! the abstractions, and polls the triggers; reading it gives counters:
//!
//! - `trig-add`, `trig-del`: a trigger `rs-lifetime-trig` that any device
//!   may use, on its own faux device `iio-rs-lifetime-trig` (removing it is
//!   its driver's unbind);
//! - `trig-poll N`, `trig-poll-nested N`: polls it N times, as a hard
//!   interrupt handler would (`Trigger::poll`, each poll once the previous
//!   one is done) or from this thread (`Trigger::poll_nested`, no top half:
//!   the scan's timestamp comes from the bottom half); `trig-burst N`
//!   polls N times back to back;
//! - `dev-add`, `dev-del`: a buffered IIO device `rs_lifetime` on faux
//!   device `iio-rs-lifetime-dev`, with its own trigger `rs-lifetime-own`
//!   (own device only), `own-poll N` polls that one; its scans are a
//!   running counter (u32), whether the trigger is the device's own (u8)
//!   and the timestamp;
//! - `dev-add-small`: the same device with a scan storage smaller than its
//!   largest scan, which registration must refuse (`EINVAL`).
//!
//! Both triggers' data check on every operation that it was not dropped
//! (a magic value it clears when dropped; freed memory is poisoned in the
//! test kernels), and `reenable` sleeps a little, so that an operation
//! running on dropped data (the core's reenable work after the trigger's
//! driver let go of it) shows as `bad` in the counters, a message, and a
//! KASAN report where KASAN is on.

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use kernel::{
    c_str,
    debugfs::{Dir, File},
    device::{Bound, Device},
    faux,
    faux_ext::RegistrationExt,
    iio::{
        self,
        channel::{ChanInfo, ChanSpec, ChanType, InfoMask, ScanType},
        scan::ScanBuf,
        Value,
    },
    new_mutex,
    prelude::*,
    sync::{aref::ARef, Mutex},
    time::{delay::fsleep, Delta},
    uaccess::UserSliceReader,
};

module! {
    type: LifetimeTest,
    name: "iio_rs_lifetime",
    authors: ["The iio-media-rs authors"],
    description: "Lifetime tests of the Rust IIO abstractions",
    license: "GPL",
}

const MAGIC: u64 = 0x1110_7e57_da7a_c0de;

// Counters. Statics, so that a check on dropped trigger data never
// follows a pointer in that data.
static REENABLE: AtomicU32 = AtomicU32::new(0);
static SET_ON: AtomicU32 = AtomicU32::new(0);
static SET_OFF: AtomicU32 = AtomicU32::new(0);
static SCANS: AtomicU32 = AtomicU32::new(0);
static BAD: AtomicU32 = AtomicU32::new(0);

fn count(c: &AtomicU32) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// The driver data of both triggers.
struct TestTrig {
    magic: AtomicU64,
}

impl TestTrig {
    fn new() -> Self {
        Self {
            magic: AtomicU64::new(MAGIC),
        }
    }

    fn check(&self, what: &str) {
        if self.magic.load(Ordering::Relaxed) != MAGIC {
            count(&BAD);
            pr_err!("iio_rs_lifetime: {} on dropped trigger data\n", what);
        }
    }
}

impl Drop for TestTrig {
    fn drop(&mut self) {
        self.magic.store(0, Ordering::Relaxed);
    }
}

#[vtable]
impl iio::TriggerOps for TestTrig {
    fn set_state(&self, _trig: &iio::Trigger, enabled: bool) -> Result {
        self.check("set_state");
        count(if enabled { &SET_ON } else { &SET_OFF });
        Ok(())
    }

    fn reenable(&self, _trig: &iio::Trigger) {
        self.check("reenable");
        // Widen the window in which the data must stay alive.
        fsleep(Delta::from_millis(1));
        self.check("reenable");
        count(&REENABLE);
    }
}

/// The own trigger of the test device.
struct OwnTrig(TestTrig);

#[vtable]
impl iio::TriggerOps for OwnTrig {
    const OWN_DEVICE_ONLY: bool = true;

    fn set_state(&self, trig: &iio::Trigger, enabled: bool) -> Result {
        iio::TriggerOps::set_state(&self.0, trig, enabled)
    }

    fn reenable(&self, trig: &iio::Trigger) {
        iio::TriggerOps::reenable(&self.0, trig)
    }
}

const CHANNELS: &[ChanSpec] = kernel::iio_channels![
    ChanSpec::new(ChanType::Voltage)
        .indexed(0)
        .separate(InfoMask::of(ChanInfo::Raw))
        .scan(0, ScanType::unsigned(32, 32)),
    ChanSpec::new(ChanType::Voltage)
        .indexed(1)
        .scan(1, ScanType::unsigned(1, 8)),
    ChanSpec::soft_timestamp(2),
];

/// The test device's data; `N` is its scan storage (16 is enough: u32,
/// u8, padding, timestamp at 8).
struct TestDev<const N: usize> {
    counter: AtomicU32,
}

#[vtable]
impl<const N: usize> iio::Info for TestDev<N> {
    fn read_raw(
        dev: &iio::Device<Self>,
        _parent: &Device<Bound>,
        _chan: &ChanSpec,
        info: ChanInfo,
    ) -> Result<Value> {
        match info {
            ChanInfo::Raw => Ok(Value::Int(dev.data().counter.load(Ordering::Relaxed) as i32)),
            _ => Err(EINVAL),
        }
    }
}

#[vtable]
impl<const N: usize> iio::BufferOps for TestDev<N> {
    type Scan = ScanBuf<N>;

    fn handle_scan(
        dev: &iio::Device<Self>,
        _parent: &Device<Bound>,
        scan: &mut iio::Scan<'_>,
    ) -> Result {
        let d = dev.data();
        let n = d.counter.fetch_add(1, Ordering::Relaxed);
        let own = scan.using_own_trigger();
        for chan in scan.channels() {
            if chan.channel() == 0 {
                scan.push(n)?;
            } else {
                scan.push(u8::from(own))?;
            }
        }
        count(&SCANS);
        Ok(())
    }
}

/// The shared trigger and its faux device (its "driver").
struct TrigSide {
    // Field order is drop order: the trigger before its parent.
    reg: iio::TriggerRegistration<TestTrig>,
    _faux: faux::Registration,
}

/// The test device, its own trigger and their faux device.
struct DevSide {
    _iio: iio::Registration<TestDev<16>>,
    own: iio::TriggerRegistration<OwnTrig>,
    _faux: faux::Registration,
}

#[derive(Default)]
struct State {
    trig: Option<TrigSide>,
    dev: Option<DevSide>,
}

fn trig_add() -> Result<TrigSide> {
    let faux = faux::Registration::new(c_str!("iio-rs-lifetime-trig"), None)?;
    let reg = iio::Trigger::new(
        faux.bound(),
        &THIS_MODULE,
        c_str!("rs-lifetime-trig"),
        Ok::<_, Error>(TestTrig::new()),
    )?
    .register()?;
    Ok(TrigSide { reg, _faux: faux })
}

fn dev_spec() -> iio::Spec {
    iio::Spec {
        name: c"rs_lifetime",
        channels: CHANNELS,
        available_scan_masks: None,
    }
}

fn dev_add() -> Result<DevSide> {
    let faux = faux::Registration::new(c_str!("iio-rs-lifetime-dev"), None)?;
    let parent = faux.bound();
    let own = iio::Trigger::new(
        parent,
        &THIS_MODULE,
        c_str!("rs-lifetime-own"),
        Ok::<_, Error>(OwnTrig(TestTrig::new())),
    )?
    .register()?;
    let dev = iio::Device::new(
        parent,
        &dev_spec(),
        Ok::<_, Error>(TestDev::<16> {
            counter: AtomicU32::new(0),
        }),
    )?;
    let iio = dev.register_buffered(&THIS_MODULE)?;
    Ok(DevSide {
        _iio: iio,
        own,
        _faux: faux,
    })
}

/// A device whose scan storage (8 bytes) cannot hold its largest scan
/// (16): registration must fail with `EINVAL`.
fn dev_add_small() -> Result {
    let faux = faux::Registration::new(c_str!("iio-rs-lifetime-small"), None)?;
    let dev = iio::Device::new(
        faux.bound(),
        &dev_spec(),
        Ok::<_, Error>(TestDev::<8> {
            counter: AtomicU32::new(0),
        }),
    )?;
    match dev.register_buffered(&THIS_MODULE) {
        Ok(_) => Err(EEXIST),
        Err(e) if e == EINVAL => Ok(()),
        Err(e) => Err(e),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Poll {
    /// `Trigger::poll`, each after the previous one is done (the core
    /// ignores polls while consumers are busy).
    Paced,
    /// `Trigger::poll`, back to back.
    Burst,
    /// `Trigger::poll_nested`.
    Nested,
}

fn poll_n(trig: ARef<iio::Trigger>, n: u32, how: Poll) {
    for _ in 0..n {
        let before = REENABLE.load(Ordering::Relaxed);
        match how {
            Poll::Nested => trig.poll_nested(),
            _ => trig.poll(),
        }
        if how == Poll::Paced {
            // Done when every consumer is (or, with none, the core's
            // reenable work ran): `reenable` counts that. At most 1 s.
            for _ in 0..10_000 {
                if REENABLE.load(Ordering::Relaxed) != before {
                    break;
                }
                fsleep(Delta::from_micros(100));
            }
        }
    }
}

fn command(data: &TestData, line: &str) -> Result {
    let mut words = line.split_whitespace();
    let cmd = words.next().ok_or(EINVAL)?;
    let n: u32 = match words.next() {
        Some(w) => w.parse().map_err(|_| EINVAL)?,
        None => 1,
    };
    // Polls run without the state lock held (a scan's bottom half may
    // run in this thread); the trigger reference keeps the trigger alive.
    let poll = {
        let mut st = data.state.lock();
        match cmd {
            "trig-add" if st.trig.is_none() => {
                st.trig = Some(trig_add()?);
                None
            }
            "trig-del" => {
                // Unregisters the trigger and drops its data, with devices
                // possibly still using it.
                drop(st.trig.take().ok_or(ENOENT)?);
                None
            }
            "trig-poll" | "trig-burst" | "trig-poll-nested" => {
                let t = st.trig.as_ref().ok_or(ENOENT)?;
                let how = match cmd {
                    "trig-poll" => Poll::Paced,
                    "trig-burst" => Poll::Burst,
                    _ => Poll::Nested,
                };
                Some((t.reg.trigger(), how))
            }
            "dev-add" if st.dev.is_none() => {
                st.dev = Some(dev_add()?);
                None
            }
            "dev-add-small" => {
                dev_add_small()?;
                None
            }
            "dev-del" => {
                drop(st.dev.take().ok_or(ENOENT)?);
                None
            }
            "own-poll" => {
                let d = st.dev.as_ref().ok_or(ENOENT)?;
                Some((d.own.trigger(), Poll::Paced))
            }
            _ => return Err(EINVAL),
        }
    };
    if let Some((trig, how)) = poll {
        poll_n(trig, n, how);
    }
    Ok(())
}

#[pin_data]
struct TestData {
    #[pin]
    state: Mutex<State>,
}

fn ctl_write(data: &TestData, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 64];
    let n = reader.len();
    if n >= buf.len() {
        return Err(EINVAL);
    }
    reader.read_slice(&mut buf[..n])?;
    let line = core::str::from_utf8(&buf[..n]).map_err(|_| EINVAL)?;
    command(data, line.trim())
}

fn ctl_read(_data: &TestData, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
    let get = |c: &AtomicU32| c.load(Ordering::Relaxed);
    writeln!(
        f,
        "reenable {} set_on {} set_off {} scans {} bad {}",
        get(&REENABLE),
        get(&SET_ON),
        get(&SET_OFF),
        get(&SCANS),
        get(&BAD)
    )
}

#[pin_data(PinnedDrop)]
struct LifetimeTest {
    _dir: Dir,
    #[pin]
    ctl: File<TestData>,
}

#[pinned_drop]
impl PinnedDrop for LifetimeTest {
    fn drop(self: Pin<&mut Self>) {
        // Tear down what the script left, device before trigger.
        let mut st = self.ctl.state.lock();
        drop(st.dev.take());
        drop(st.trig.take());
    }
}

impl kernel::InPlaceModule for LifetimeTest {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let dir = Dir::new(c_str!("iio_rs_lifetime"));
        try_pin_init!(Self {
            ctl <- dir.read_write_callback_file(
                c_str!("ctl"),
                pin_init!(TestData {
                    state <- new_mutex!(State::default()),
                }),
                &ctl_read,
                &ctl_write,
            ),
            _dir: dir,
        })
    }
}
