// SPDX-License-Identifier: GPL-2.0

//! Scans: what a triggered buffer captures per trigger.
//!
//! The IIO core lays out a scan from the active scan mask: every enabled
//! channel in scan-index order, each aligned to its own size, then the
//! timestamp aligned to 8 bytes, the whole rounded up to the largest
//! element. [`layout`] computes that layout exactly as the core's
//! `iio_compute_scan_bytes()`; [`ScanWriter`] fills a scan in that layout,
//! one sample per enabled channel, checking each sample's type against the
//! channel's storage, so that the core can demux it to each buffer.
//!
//! [`ScanMask`] is a set of scan elements (up to 64) and [`masks_table`]
//! lays out `available_scan_masks` as the core reads it.

use crate::{
    alloc::KVec,
    ffi::c_ulong,
    iio::channel::{ChanSpec, ScanType},
    prelude::*,
};

/// The layout of one scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Total bytes (`scan_bytes`).
    pub bytes: usize,
    /// Where the timestamp goes, if there is one.
    pub timestamp_offset: Option<usize>,
}

const fn align(x: usize, a: usize) -> usize {
    if a == 0 {
        x
    } else {
        x.div_ceil(a) * a
    }
}

/// The layout of a scan of elements of `sizes` bytes (in scan-index order)
/// followed, if `timestamp_bytes` is given, by the timestamp; as
/// `iio_compute_scan_bytes()` computes it.
pub fn layout(sizes: impl IntoIterator<Item = usize>, timestamp_bytes: Option<usize>) -> Layout {
    let mut bytes = 0;
    let mut largest = 0;
    for len in sizes {
        bytes = align(bytes, len) + len;
        largest = largest.max(len);
    }
    let timestamp_offset = timestamp_bytes.map(|len| {
        bytes = align(bytes, len);
        let off = bytes;
        bytes += len;
        largest = largest.max(len);
        off
    });
    Layout {
        bytes: align(bytes, largest),
        timestamp_offset,
    }
}

/// The largest scan `channels` can produce: every channel in scans, in
/// scan-index order, and the timestamp. A scan of a subset of the channels
/// is never larger (each element's offset only grows when elements are
/// added before it), so a buffer of this size holds any scan.
pub fn largest_scan(channels: &[ChanSpec]) -> usize {
    // Walk the scan indexes in order (they are unique: `channel::validate`)
    // without allocating.
    let mut bytes = 0;
    let mut largest = 0;
    let mut ts = None;
    let mut next = i32::MIN;
    // The channel with the smallest scan index above the last one.
    while let Some(c) = channels
        .iter()
        .filter(|c| c.scan_index() >= 0 && c.scan_index() > next)
        .min_by_key(|c| c.scan_index())
    {
        next = c.scan_index();
        let Some(st) = c.scan_type() else { continue };
        let len = st.storage_bytes();
        if c.raw_type() == crate::bindings::iio_chan_type_IIO_TIMESTAMP {
            ts = Some(len);
            continue;
        }
        bytes = align(bytes, len) + len;
        largest = largest.max(len);
    }
    if let Some(len) = ts {
        bytes = align(bytes, len) + len;
        largest = largest.max(len);
    }
    align(bytes, largest)
}

/// A set of scan elements, by scan index (`0..64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ScanMask(pub u64);

impl ScanMask {
    /// Elements `0..n`.
    pub const fn first(n: u32) -> Self {
        if n >= u64::BITS {
            Self(u64::MAX)
        } else {
            Self((1 << n) - 1)
        }
    }

    /// Whether element `i` is in the mask.
    pub const fn contains(self, i: u32) -> bool {
        i < u64::BITS && self.0 & (1 << i) != 0
    }

    /// Whether every element of `self` is in `other`.
    pub const fn is_subset_of(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }
}

/// The scan mask the IIO core picks for a request among the masks a device
/// can scan (`available_scan_masks`, in order of preference), as
/// `iio_scan_mask_match()` does: the index of the first that equals
/// `requested` if `strict`, else the first that contains it.
pub fn select_mask(available: &[ScanMask], requested: ScanMask, strict: bool) -> Option<usize> {
    available.iter().position(|m| {
        if strict {
            *m == requested
        } else {
            requested.is_subset_of(*m)
        }
    })
}

/// Bits per mask word, as the C `BITS_PER_LONG`.
pub(crate) const BITS_PER_LONG: u32 = c_ulong::BITS;

/// `available_scan_masks` as the core reads it for a device of `masklength`
/// scan elements: each mask in `BITS_TO_LONGS(masklength)` C `long`s, then
/// a mask whose first `long` is zero, which ends the table (the core only
/// looks at the first `long` of each mask for the end, see
/// `iio_scan_mask_match()`).
///
/// `EINVAL` for a mask that is empty, names an element at or above
/// `masklength`, or has nothing in its first `long` (which the core would
/// take for the end of the table: on 32-bit machines a mask of elements 32
/// and above only), or for more than 64 elements.
pub fn masks_table(masks: &[ScanMask], masklength: u32) -> Result<KVec<c_ulong>> {
    if masklength == 0 || masklength > u64::BITS {
        return Err(EINVAL);
    }
    let longs = masklength.div_ceil(BITS_PER_LONG) as usize;
    let mut table = KVec::with_capacity((masks.len() + 1) * longs, GFP_KERNEL)?;
    for m in masks {
        if m.0 == 0 || !m.is_subset_of(ScanMask::first(masklength)) {
            return Err(EINVAL);
        }
        for w in 0..longs {
            // `c_ulong` is 32 or 64 bits: take its share of the mask.
            let word = (m.0 >> (w as u32 * BITS_PER_LONG)) as c_ulong;
            if w == 0 && word == 0 {
                return Err(EINVAL);
            }
            table.push(word, GFP_KERNEL)?;
        }
    }
    for _ in 0..longs {
        table.push(0, GFP_KERNEL)?;
    }
    Ok(table)
}

/// A sample type that can be stored in a scan: its size is its storage
/// size and its alignment in the scan.
pub trait Sample: Copy + private::Sealed {
    /// Its bytes in CPU order.
    fn to_ne(self, out: &mut [u8]);
}

mod private {
    pub trait Sealed {}
}

macro_rules! impl_sample {
    ($($t:ty),*) => {$(
        impl private::Sealed for $t {}
        impl Sample for $t {
            fn to_ne(self, out: &mut [u8]) {
                for (d, s) in out.iter_mut().zip(self.to_ne_bytes()) {
                    *d = s;
                }
            }
        }
    )*};
}
impl_sample!(u8, i8, u16, i16, u32, i32, u64, i64);

/// Storage for one scan: a [`ScanBuf`] of some size. A driver names its
/// scan storage in [`crate::iio::BufferOps::Scan`]; registration refuses a
/// storage smaller than the channels' [`largest_scan`].
pub trait ScanStorage: private::Sealed + Sized {
    /// Its size in bytes.
    const BYTES: usize;

    /// Zeroed storage (no padding byte carries old data to user space).
    fn zeroed() -> Self;

    /// The bytes.
    fn bytes_mut(&mut self) -> &mut [u8];
}

/// Storage for one scan of at most `N` bytes, timestamp included,
/// aligned for the timestamp.
#[repr(C, align(8))]
pub struct ScanBuf<const N: usize> {
    bytes: [u8; N],
}

impl<const N: usize> ScanBuf<N> {
    /// A zeroed scan.
    pub const fn new() -> Self {
        Self { bytes: [0; N] }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl<const N: usize> Default for ScanBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> private::Sealed for ScanBuf<N> {}

impl<const N: usize> ScanStorage for ScanBuf<N> {
    const BYTES: usize = N;

    fn zeroed() -> Self {
        Self::new()
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

/// Writes one scan: one sample per element of `elements` (the scan types
/// of the enabled channels, in scan order), each aligned to its storage
/// size as [`layout`] places it.
///
/// A sample whose type does not match the element's storage
/// (`storagebits`, `repeat`), a sample beyond the last element, or one that
/// does not fit in the buffer is refused with `EINVAL`, and nothing is
/// written.
pub struct ScanWriter<'a, I: Iterator<Item = ScanType>> {
    buf: &'a mut [u8],
    off: usize,
    elements: I,
}

impl<'a, I: Iterator<Item = ScanType>> ScanWriter<'a, I> {
    /// A writer at the start of `buf` for a scan of `elements`.
    pub fn new(buf: &'a mut [u8], elements: I) -> Self {
        Self {
            buf,
            off: 0,
            elements,
        }
    }

    fn place(&mut self, sample_bytes: usize, count: usize) -> Result<&mut [u8]> {
        let st = self.elements.next().ok_or(EINVAL)?;
        let repeat = usize::from(st.repeat.max(1));
        if usize::from(st.storagebits) != sample_bytes * 8 || repeat != count {
            return Err(EINVAL);
        }
        let len = st.storage_bytes();
        let start = align(self.off, len);
        let dst = self.buf.get_mut(start..start + len).ok_or(EINVAL)?;
        self.off = start + len;
        Ok(dst)
    }

    /// Writes `v` as the next element, which must be stored in
    /// `size_of::<S>()` bytes without repetition.
    pub fn push<S: Sample>(&mut self, v: S) -> Result {
        let dst = self.place(core::mem::size_of::<S>(), 1)?;
        v.to_ne(dst);
        Ok(())
    }

    /// Writes `v` as the next element, a channel that repeats its sample
    /// `v.len()` times (`repeat`); the padding up to a power of two stays
    /// zero.
    pub fn push_repeated<S: Sample>(&mut self, v: &[S]) -> Result {
        let n = core::mem::size_of::<S>();
        let dst = self.place(n, v.len())?;
        for (d, s) in dst.chunks_mut(n).zip(v) {
            s.to_ne(d);
        }
        Ok(())
    }

    /// Bytes written so far, padding included.
    pub fn len(&self) -> usize {
        self.off
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.off == 0
    }

    /// Ends the scan: `EINVAL` if an element has no sample.
    pub fn finish(mut self) -> Result {
        match self.elements.next() {
            None => Ok(()),
            Some(_) => Err(EINVAL),
        }
    }
}
