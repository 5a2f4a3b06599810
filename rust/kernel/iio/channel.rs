// SPDX-License-Identifier: GPL-2.0

//! Channel specifications.
//!
//! C header: [`include/linux/iio/iio.h`](srctree/include/linux/iio/iio.h)
//!
//! A [`ChanSpec`] is a C `struct iio_chan_spec` built with `const fn`s, so
//! that a driver's channel table is a `const` like in C. [`validate`] checks
//! a table for the mistakes the C core only reports at registration (or
//! not at all) and returns a [`ChanError`]; [`iio_channels!`] runs it at
//! compile time, so that a bad table fails the build. Nothing here panics at
//! run time: [`crate::iio::Device::new`] validates the table again and
//! refuses a bad one with `EINVAL`.
//!
//! ```
//! use kernel::iio::channel::{ChanInfo, ChanSpec, ChanType, InfoMask, ScanType};
//!
//! const fn adc(ch: i32) -> ChanSpec {
//!     ChanSpec::new(ChanType::Voltage)
//!         .indexed(ch)
//!         .separate(InfoMask::of(ChanInfo::Raw))
//!         .shared_by_type(InfoMask::of(ChanInfo::Scale))
//!         .scan(ch, ScanType::unsigned(10, 16))
//! }
//!
//! const CHANNELS: &[ChanSpec] =
//!     kernel::iio_channels![adc(0), adc(1), ChanSpec::soft_timestamp(2)];
//! ```
//!
//! [`iio_channels!`]: crate::iio_channels

use crate::{bindings, ffi::c_ulong};
use core::mem::offset_of;

/// What a channel measures (`enum iio_chan_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ChanType {
    /// `IIO_VOLTAGE`.
    Voltage = bindings::iio_chan_type_IIO_VOLTAGE,
    /// `IIO_CURRENT`.
    Current = bindings::iio_chan_type_IIO_CURRENT,
    /// `IIO_POWER`.
    Power = bindings::iio_chan_type_IIO_POWER,
    /// `IIO_ACCEL`.
    Accel = bindings::iio_chan_type_IIO_ACCEL,
    /// `IIO_ANGL_VEL`.
    AnglVel = bindings::iio_chan_type_IIO_ANGL_VEL,
    /// `IIO_LIGHT`.
    Light = bindings::iio_chan_type_IIO_LIGHT,
    /// `IIO_TEMP`.
    Temp = bindings::iio_chan_type_IIO_TEMP,
    /// `IIO_TIMESTAMP`.
    Timestamp = bindings::iio_chan_type_IIO_TIMESTAMP,
    /// `IIO_PRESSURE`.
    Pressure = bindings::iio_chan_type_IIO_PRESSURE,
    /// `IIO_HUMIDITYRELATIVE`.
    HumidityRelative = bindings::iio_chan_type_IIO_HUMIDITYRELATIVE,
    /// `IIO_RESISTANCE`.
    Resistance = bindings::iio_chan_type_IIO_RESISTANCE,
}

/// An attribute of a channel (`enum iio_chan_info_enum`): what
/// `read_raw`/`write_raw` are asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ChanInfo {
    /// `IIO_CHAN_INFO_RAW`: `*_raw`.
    Raw = bindings::iio_chan_info_enum_IIO_CHAN_INFO_RAW,
    /// `IIO_CHAN_INFO_PROCESSED`: `*_input`.
    Processed = bindings::iio_chan_info_enum_IIO_CHAN_INFO_PROCESSED,
    /// `IIO_CHAN_INFO_SCALE`: `*_scale`.
    Scale = bindings::iio_chan_info_enum_IIO_CHAN_INFO_SCALE,
    /// `IIO_CHAN_INFO_OFFSET`: `*_offset`.
    Offset = bindings::iio_chan_info_enum_IIO_CHAN_INFO_OFFSET,
    /// `IIO_CHAN_INFO_CALIBSCALE`.
    CalibScale = bindings::iio_chan_info_enum_IIO_CHAN_INFO_CALIBSCALE,
    /// `IIO_CHAN_INFO_CALIBBIAS`.
    CalibBias = bindings::iio_chan_info_enum_IIO_CHAN_INFO_CALIBBIAS,
    /// `IIO_CHAN_INFO_SAMP_FREQ`: `*_sampling_frequency`.
    SampFreq = bindings::iio_chan_info_enum_IIO_CHAN_INFO_SAMP_FREQ,
    /// `IIO_CHAN_INFO_HARDWAREGAIN`.
    HardwareGain = bindings::iio_chan_info_enum_IIO_CHAN_INFO_HARDWAREGAIN,
    /// `IIO_CHAN_INFO_INT_TIME`.
    IntTime = bindings::iio_chan_info_enum_IIO_CHAN_INFO_INT_TIME,
    /// `IIO_CHAN_INFO_OVERSAMPLING_RATIO`.
    OversamplingRatio = bindings::iio_chan_info_enum_IIO_CHAN_INFO_OVERSAMPLING_RATIO,
}

impl ChanInfo {
    /// The attribute the C core asks for with `mask`, if we know it.
    pub fn from_raw(mask: i64) -> Option<Self> {
        const ALL: [ChanInfo; 10] = [
            ChanInfo::Raw,
            ChanInfo::Processed,
            ChanInfo::Scale,
            ChanInfo::Offset,
            ChanInfo::CalibScale,
            ChanInfo::CalibBias,
            ChanInfo::SampFreq,
            ChanInfo::HardwareGain,
            ChanInfo::IntTime,
            ChanInfo::OversamplingRatio,
        ];
        ALL.into_iter().find(|i| *i as i64 == mask)
    }
}

/// A set of [`ChanInfo`] attributes (`BIT(IIO_CHAN_INFO_*)` ORed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct InfoMask(c_ulong);

impl InfoMask {
    /// No attribute.
    pub const EMPTY: Self = Self(0);

    /// The set of `info` only.
    pub const fn of(info: ChanInfo) -> Self {
        Self(1 << info as u32)
    }

    /// This set and `info`.
    pub const fn with(self, info: ChanInfo) -> Self {
        Self(self.0 | (1 << info as u32))
    }

    /// Whether `info` is in the set.
    pub const fn contains(self, info: ChanInfo) -> bool {
        self.0 & (1 << info as u32) != 0
    }

    /// The C bit mask.
    pub const fn bits(self) -> c_ulong {
        self.0
    }
}

/// Signedness of a sample in a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// `'u'`.
    Unsigned,
    /// `'s'`.
    Signed,
}

/// Byte order of a sample in a scan (`enum iio_endian`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    /// `IIO_CPU`: as the CPU stores it.
    Cpu,
    /// `IIO_BE`.
    Big,
    /// `IIO_LE`.
    Little,
}

/// The format of a channel's samples in a scan (`struct iio_scan_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanType {
    /// Signedness.
    pub sign: Sign,
    /// Valid bits.
    pub realbits: u8,
    /// Bits in storage: 8, 16, 32 or 64.
    pub storagebits: u8,
    /// Right shift to apply before masking `realbits`.
    pub shift: u8,
    /// Repetitions (0 or 1: none).
    pub repeat: u8,
    /// Byte order.
    pub endianness: Endian,
}

impl ScanType {
    /// Unsigned `realbits` in `storagebits`, CPU order, no shift.
    pub const fn unsigned(realbits: u8, storagebits: u8) -> Self {
        Self {
            sign: Sign::Unsigned,
            realbits,
            storagebits,
            shift: 0,
            repeat: 0,
            endianness: Endian::Cpu,
        }
    }

    /// Signed `realbits` in `storagebits`, CPU order, no shift.
    pub const fn signed(realbits: u8, storagebits: u8) -> Self {
        Self {
            sign: Sign::Signed,
            ..Self::unsigned(realbits, storagebits)
        }
    }

    /// The same with a right shift of `shift`.
    pub const fn shifted(self, shift: u8) -> Self {
        Self { shift, ..self }
    }

    /// The same in byte order `endianness`.
    pub const fn endian(self, endianness: Endian) -> Self {
        Self { endianness, ..self }
    }

    /// Bytes one sample takes in a scan, as the IIO core computes it.
    pub const fn storage_bytes(&self) -> usize {
        let b = self.storagebits as usize / 8;
        if self.repeat > 1 {
            b * (self.repeat as usize).next_power_of_two()
        } else {
            b
        }
    }

    /// Whether the core can lay this type out: storage of 8, 16, 32 or 64
    /// bits that holds `realbits` after `shift`.
    pub const fn is_valid(&self) -> bool {
        matches!(self.storagebits, 8 | 16 | 32 | 64)
            && self.realbits > 0
            && self.realbits as u32 + self.shift as u32 <= self.storagebits as u32
    }

    /// The bytes of the union of `struct iio_chan_spec` holding this as
    /// its `scan_type` member (every C union member is at offset 0).
    const fn to_union_bytes(self) -> [u8; UNION_SIZE] {
        let sign = match self.sign {
            Sign::Unsigned => b'u',
            Sign::Signed => b's',
        };
        let endianness = match self.endianness {
            Endian::Cpu => bindings::iio_endian_IIO_CPU,
            Endian::Big => bindings::iio_endian_IIO_BE,
            Endian::Little => bindings::iio_endian_IIO_LE,
        };
        let mut b = [0u8; UNION_SIZE];
        b[offset_of!(bindings::iio_scan_type, __bindgen_anon_1)] = sign;
        b[offset_of!(bindings::iio_scan_type, realbits)] = self.realbits;
        b[offset_of!(bindings::iio_scan_type, storagebits)] = self.storagebits;
        b[offset_of!(bindings::iio_scan_type, shift)] = self.shift;
        b[offset_of!(bindings::iio_scan_type, repeat)] = self.repeat;
        let e = endianness.to_ne_bytes();
        let off = offset_of!(bindings::iio_scan_type, endianness);
        let mut i = 0;
        while i < e.len() {
            b[off + i] = e[i];
            i += 1;
        }
        b
    }
}

/// Size of the union of `struct iio_chan_spec` (`scan_type` or
/// `ext_scan_type`).
const UNION_SIZE: usize = core::mem::size_of::<bindings::iio_chan_spec__bindgen_ty_1>();
const _: () = assert!(core::mem::size_of::<bindings::iio_scan_type>() <= UNION_SIZE);

/// Bits of the C bit field `modified:1, indexed:1, output:1,
/// differential:1, has_ext_scan_type:1`.
const BIT_INDEXED: u8 = 1 << 1;
const BIT_OUTPUT: u8 = 1 << 2;

/// A channel specification (`struct iio_chan_spec`).
///
/// # Invariants
///
/// Every pointer in `self.0` is NULL; `scan_type` (not `ext_scan_type`) is
/// the active member of the union and `has_ext_scan_type` is 0.
#[repr(transparent)]
pub struct ChanSpec(bindings::iio_chan_spec);

// SAFETY: By the type invariant a `ChanSpec` holds no pointers; it is plain
// data that the C core only reads.
unsafe impl Sync for ChanSpec {}
// SAFETY: As above.
unsafe impl Send for ChanSpec {}

impl ChanSpec {
    /// A channel of type `ty`, not indexed, with no attributes and not part
    /// of scans (scan index -1).
    pub const fn new(ty: ChanType) -> Self {
        // INVARIANT: all pointers NULL, bit field 0, union holds a
        // zero `scan_type`.
        let mut c: bindings::iio_chan_spec = pin_init::zeroed();
        c.type_ = ty as u32;
        c.scan_index = -1;
        Self(c)
    }

    /// The soft timestamp channel (`IIO_CHAN_SOFT_TIMESTAMP(scan_index)`):
    /// a signed 64-bit nanosecond time, always the last in a scan.
    pub const fn soft_timestamp(scan_index: i32) -> Self {
        let mut c = Self::new(ChanType::Timestamp).scan(scan_index, ScanType::signed(64, 64));
        c.0.channel = -1;
        c
    }

    /// The same, indexed as channel `channel` (`in_voltage<channel>_*`).
    pub const fn indexed(mut self, channel: i32) -> Self {
        self.0.channel = channel;
        self.0._bitfield_1 = bindings::__BindgenBitfieldUnit::new([self.bits() | BIT_INDEXED]);
        self
    }

    /// The same as an output channel (`out_*`).
    pub const fn output(mut self) -> Self {
        self.0._bitfield_1 = bindings::__BindgenBitfieldUnit::new([self.bits() | BIT_OUTPUT]);
        self
    }

    const fn bits(&self) -> u8 {
        // `__BindgenBitfieldUnit` has no const getter; read its bytes.
        let unit = self.0._bitfield_1;
        // SAFETY: `__BindgenBitfieldUnit<[u8; 1]>` is `repr(C)` around a
        // `[u8; 1]`, so both have the same size and every bit pattern is valid.
        let bytes: [u8; 1] = unsafe { core::mem::transmute(unit) };
        bytes[0]
    }

    /// The same with the driver-private `address`.
    pub const fn address(mut self, address: usize) -> Self {
        self.0.address = address as c_ulong;
        self
    }

    /// The same with `mask` as attributes of this channel alone.
    pub const fn separate(mut self, mask: InfoMask) -> Self {
        self.0.info_mask_separate |= mask.bits();
        self
    }

    /// The same with `mask` as attributes shared by the channels of its type.
    pub const fn shared_by_type(mut self, mask: InfoMask) -> Self {
        self.0.info_mask_shared_by_type |= mask.bits();
        self
    }

    /// The same with `mask` as attributes shared by all channels.
    pub const fn shared_by_all(mut self, mask: InfoMask) -> Self {
        self.0.info_mask_shared_by_all |= mask.bits();
        self
    }

    /// The same with `*_available` files for the separate attributes `mask`.
    pub const fn separate_available(mut self, mask: InfoMask) -> Self {
        self.0.info_mask_separate_available |= mask.bits();
        self
    }

    /// The same with `*_available` files for the shared-by-type attributes
    /// `mask`.
    pub const fn shared_by_type_available(mut self, mask: InfoMask) -> Self {
        self.0.info_mask_shared_by_type_available |= mask.bits();
        self
    }

    /// The same as element `scan_index` of scans, in format `scan_type`. A
    /// negative `scan_index` leaves the channel out of scans, as in C.
    ///
    /// An invalid `scan_type` is reported by [`validate`].
    pub const fn scan(mut self, scan_index: i32, scan_type: ScanType) -> Self {
        self.0.scan_index = scan_index;
        let bytes = scan_type.to_union_bytes();
        // SAFETY: The union is plain integer storage of `UNION_SIZE` bytes;
        // any bytes are valid, and these are a `struct iio_scan_type` at
        // offset 0 followed by zeroes.
        self.0.__bindgen_anon_1 = unsafe {
            core::mem::transmute::<[u8; UNION_SIZE], bindings::iio_chan_spec__bindgen_ty_1>(bytes)
        };
        self
    }

    /// The channel type, as a C `enum iio_chan_type`.
    pub fn raw_type(&self) -> u32 {
        self.0.type_
    }

    /// The channel number (`channel`).
    pub fn channel(&self) -> i32 {
        self.0.channel
    }

    /// The driver-private address.
    pub fn addr(&self) -> usize {
        self.0.address
    }

    /// The scan index; negative for channels that are not in scans.
    pub fn scan_index(&self) -> i32 {
        self.0.scan_index
    }

    /// Whether the channel has a number (`indexed`).
    pub fn is_indexed(&self) -> bool {
        self.bits() & BIT_INDEXED != 0
    }

    /// The scan format, for a channel in scans.
    pub fn scan_type(&self) -> Option<ScanType> {
        if self.0.scan_index < 0 {
            None
        } else {
            Some(self.raw_scan_type())
        }
    }

    /// The `scan_type` member of the union, decoded from its bytes (in a
    /// `const fn`, where the bindgen union accessors cannot be used).
    const fn raw_scan_type(&self) -> ScanType {
        let u = &raw const self.0.__bindgen_anon_1;
        // SAFETY: The union is plain integer storage of `UNION_SIZE` bytes,
        // so it can be read as a byte array (of alignment 1).
        let b = unsafe { &*u.cast::<[u8; UNION_SIZE]>() };
        let off = offset_of!(bindings::iio_scan_type, endianness);
        let mut e = [0u8; core::mem::size_of::<bindings::iio_endian>()];
        let mut i = 0;
        while i < e.len() {
            e[i] = b[off + i];
            i += 1;
        }
        ScanType {
            sign: if b[offset_of!(bindings::iio_scan_type, __bindgen_anon_1)] == b's' {
                Sign::Signed
            } else {
                Sign::Unsigned
            },
            realbits: b[offset_of!(bindings::iio_scan_type, realbits)],
            storagebits: b[offset_of!(bindings::iio_scan_type, storagebits)],
            shift: b[offset_of!(bindings::iio_scan_type, shift)],
            repeat: b[offset_of!(bindings::iio_scan_type, repeat)],
            endianness: match bindings::iio_endian::from_ne_bytes(e) {
                bindings::iio_endian_IIO_BE => Endian::Big,
                bindings::iio_endian_IIO_LE => Endian::Little,
                _ => Endian::Cpu,
            },
        }
    }

    /// The C structure, for the core.
    pub(crate) const fn as_raw(&self) -> *const bindings::iio_chan_spec {
        &self.0
    }

    /// # Safety
    ///
    /// `ptr` must point to an element of a `[ChanSpec]` that lives for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *const bindings::iio_chan_spec) -> &'a Self {
        // SAFETY: `ChanSpec` is `repr(transparent)`; the caller guarantees
        // validity and that the element is a `ChanSpec`.
        unsafe { &*ptr.cast() }
    }

    const fn info_overlaps(&self) -> bool {
        let c = &self.0;
        c.info_mask_separate & c.info_mask_shared_by_type != 0
            || c.info_mask_separate & c.info_mask_shared_by_all != 0
            || c.info_mask_shared_by_type & c.info_mask_shared_by_all != 0
    }
}

/// What [`validate`] found wrong with a channel table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChanError {
    /// An attribute is both separate and shared, or shared at two levels.
    InfoOverlap,
    /// A scan type the core cannot lay out (see [`ScanType::is_valid`]).
    ScanType,
    /// Two channels have the same scan index.
    DuplicateScanIndex,
    /// More than one timestamp channel in scans.
    TwoTimestamps,
    /// The timestamp is not the element with the highest scan index.
    TimestampNotLast,
    /// Two indexed channels of the same type, number and direction (the
    /// same sysfs name).
    DuplicateName,
}

impl ChanError {
    /// A sentence for logs and build errors.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InfoOverlap => "an attribute is both separate and shared",
            Self::ScanType => "a scan type the IIO core cannot lay out",
            Self::DuplicateScanIndex => "two channels with the same scan index",
            Self::TwoTimestamps => "more than one timestamp channel",
            Self::TimestampNotLast => "the timestamp must have the highest scan index",
            Self::DuplicateName => "two channels with the same name",
        }
    }
}

impl From<ChanError> for crate::error::Error {
    fn from(_: ChanError) -> Self {
        crate::error::code::EINVAL
    }
}

/// Checks a channel table and returns it:
///
/// - an attribute both separate and shared ([`ChanError::InfoOverlap`]);
/// - scan types the core cannot lay out ([`ScanType::is_valid`]);
/// - two channels with the same scan index;
/// - a timestamp channel that is not the last of the scan, or more than one;
/// - two indexed channels of the same type and number (same sysfs name).
///
/// Use it through [`iio_channels!`](crate::iio_channels) to check a table
/// at compile time.
pub const fn validate(chans: &[ChanSpec]) -> Result<&[ChanSpec], ChanError> {
    let mut ts_index = -1;
    let mut max_index = -1;
    let mut i = 0;
    while i < chans.len() {
        let c = &chans[i];
        if c.info_overlaps() {
            return Err(ChanError::InfoOverlap);
        }
        let si = c.0.scan_index;
        if si >= 0 && !c.raw_scan_type().is_valid() {
            return Err(ChanError::ScanType);
        }
        if c.0.type_ == bindings::iio_chan_type_IIO_TIMESTAMP && si >= 0 {
            if ts_index >= 0 {
                return Err(ChanError::TwoTimestamps);
            }
            ts_index = si;
        }
        if si > max_index {
            max_index = si;
        }
        let mut j = i + 1;
        while j < chans.len() {
            let d = &chans[j];
            if si >= 0 && si == d.0.scan_index {
                return Err(ChanError::DuplicateScanIndex);
            }
            if c.0.type_ == d.0.type_
                && c.0.channel == d.0.channel
                && c.bits() & BIT_INDEXED != 0
                && d.bits() & BIT_INDEXED != 0
                && c.bits() & BIT_OUTPUT == d.bits() & BIT_OUTPUT
            {
                return Err(ChanError::DuplicateName);
            }
            j += 1;
        }
        i += 1;
    }
    if ts_index >= 0 && ts_index != max_index {
        return Err(ChanError::TimestampNotLast);
    }
    Ok(chans)
}

/// A channel table checked by [`validate`] at compile time: a bad table
/// fails the build with the error's sentence.
///
/// ```
/// use kernel::iio::channel::{ChanSpec, ChanType, ScanType};
///
/// const CHANNELS: &[ChanSpec] = kernel::iio_channels![
///     ChanSpec::new(ChanType::Voltage).indexed(0).scan(0, ScanType::unsigned(12, 16)),
///     ChanSpec::soft_timestamp(1),
/// ];
/// ```
#[macro_export]
macro_rules! iio_channels {
    ($($chan:expr),+ $(,)?) => {
        const {
            const TABLE: &[$crate::iio::channel::ChanSpec] = &[$($chan),+];
            match $crate::iio::channel::validate(TABLE) {
                ::core::result::Result::Ok(c) => c,
                ::core::result::Result::Err(e) => ::core::panic!("{}", e.as_str()),
            }
        }
    };
}
