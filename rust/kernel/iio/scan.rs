// SPDX-License-Identifier: GPL-2.0

//! Scans: what a triggered buffer captures per trigger.
//!
//! The IIO core lays out a scan from the active scan mask: every enabled
//! channel in scan-index order, each aligned to its own size, then the
//! timestamp aligned to 8 bytes, the whole rounded up to the largest
//! element. [`layout`] computes that layout exactly as the core's
//! `iio_compute_scan_bytes()`; [`ScanBuf`] and [`ScanWriter`] fill a scan in
//! that layout, so that the core can demux it to each buffer's channels.

use crate::{bindings, ffi::c_ulong, prelude::*};

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

/// A scan mask of up to `BITS_PER_LONG` scan elements (one C word).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ScanMask(pub c_ulong);

impl ScanMask {
    /// Elements `0..n`.
    pub const fn first(n: u32) -> Self {
        if n as usize >= c_ulong::BITS as usize {
            Self(c_ulong::MAX)
        } else {
            Self((1 << n) - 1)
        }
    }

    /// Whether element `i` is in the mask.
    pub const fn contains(self, i: u32) -> bool {
        i < c_ulong::BITS && self.0 & (1 << i) != 0
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

/// A zero-terminated table of the scan masks a device can scan, for
/// `available_scan_masks`.
///
/// # Invariants
///
/// The slice is non-empty, ends with a zero mask and has no other zero.
#[derive(Clone, Copy)]
pub struct AvailableMasks(&'static [c_ulong]);

impl AvailableMasks {
    /// The table `masks`, which must end with a 0 (checked, in a `const`
    /// at build time).
    pub const fn new(masks: &'static [c_ulong]) -> Self {
        assert!(!masks.is_empty(), "empty scan mask table");
        let mut i = 0;
        while i + 1 < masks.len() {
            assert!(masks[i] != 0, "zero scan mask before the end");
            i += 1;
        }
        assert!(
            masks[masks.len() - 1] == 0,
            "scan mask table not zero-terminated"
        );
        // INVARIANT: checked above.
        Self(masks)
    }

    pub(crate) fn as_ptr(&self) -> *const c_ulong {
        self.0.as_ptr()
    }
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

    pub(crate) fn as_mut_ptr(&mut self) -> *mut u8 {
        self.bytes.as_mut_ptr()
    }
}

impl<const N: usize> Default for ScanBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes samples into a [`ScanBuf`] in the layout of [`layout`].
pub struct ScanWriter<'a, const N: usize> {
    buf: &'a mut ScanBuf<N>,
    off: usize,
}

impl<'a, const N: usize> ScanWriter<'a, N> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'a mut ScanBuf<N>) -> Self {
        Self { buf, off: 0 }
    }

    /// Appends `v` after aligning to its size; `ENOSPC` if it does not fit.
    pub fn push<S: Sample>(&mut self, v: S) -> Result {
        let len = core::mem::size_of::<S>();
        let start = align(self.off, len);
        let dst = self.buf.bytes.get_mut(start..start + len).ok_or(ENOSPC)?;
        v.to_ne(dst);
        self.off = start + len;
        Ok(())
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.off
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.off == 0
    }

    pub(crate) fn into_buf(self) -> &'a mut ScanBuf<N> {
        self.buf
    }
}

/// Bits per mask word, as the C `BITS_PER_LONG`.
pub(crate) const BITS_PER_LONG: u32 = c_ulong::BITS;

/// The set bits of the first `len` bits of a C bitmap `words`.
pub(crate) fn bitmap_bits(words: &[c_ulong], len: u32) -> impl Iterator<Item = u32> + '_ {
    (0..len).filter(move |i| {
        words
            .get((i / BITS_PER_LONG) as usize)
            .is_some_and(|w| w & (1 << (i % BITS_PER_LONG)) != 0)
    })
}

// The C type of `available_scan_masks` entries must be what we store.
const _: () = assert!(core::mem::size_of::<c_ulong>() == core::mem::size_of::<usize>());
const _: () = assert!(bindings::IIO_VAL_INT == 1);
