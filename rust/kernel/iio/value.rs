// SPDX-License-Identifier: GPL-2.0

//! Typed values of the `read_raw`/`write_raw`/`read_avail` callbacks.
//!
//! C header: [`include/linux/iio/types.h`](srctree/include/linux/iio/types.h)
//!
//! The C callbacks return an `IIO_VAL_*` code and fill one to four `int`s
//! whose meaning depends on the code. [`Value`] is that pair as one type;
//! [`Value::encode`] produces exactly what a C driver would return.

use crate::{bindings, prelude::*};

/// The most integers one value can carry (`INDIO_MAX_RAW_ELEMENTS`).
pub const MAX_ELEMENTS: usize = bindings::INDIO_MAX_RAW_ELEMENTS as usize;

/// A value read from or written to a channel attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// `IIO_VAL_INT`: an integer.
    Int(i32),
    /// `IIO_VAL_INT_PLUS_MICRO`: `integer + micro / 1e6`. For values
    /// between -1 and 0, `integer` is 0 and `micro` is negative.
    IntPlusMicro(i32, i32),
    /// `IIO_VAL_INT_PLUS_NANO`: `integer + nano / 1e9`.
    IntPlusNano(i32, i32),
    /// `IIO_VAL_INT_PLUS_MICRO_DB`: as [`Value::IntPlusMicro`], in dB.
    IntPlusMicroDb(i32, i32),
    /// `IIO_VAL_FRACTIONAL`: `numerator / denominator`.
    Fractional(i32, i32),
    /// `IIO_VAL_FRACTIONAL_LOG2`: `numerator / 2^shift`.
    FractionalLog2(i32, u8),
    /// `IIO_VAL_INT_64`: a 64-bit integer.
    Int64(i64),
    /// `IIO_VAL_INT_MULTIPLE`: up to [`MAX_ELEMENTS`] integers.
    IntMultiple(IntList),
    /// `IIO_VAL_CHAR`: one character (e.g. a unit or a mode letter).
    Char(u8),
}

/// Up to [`MAX_ELEMENTS`] integers, for [`Value::IntMultiple`].
///
/// # Invariants
///
/// `len <= MAX_ELEMENTS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntList {
    vals: [i32; MAX_ELEMENTS],
    len: usize,
}

impl IntList {
    /// The list `vals`, or `EINVAL` if it has more than [`MAX_ELEMENTS`].
    pub fn new(vals: &[i32]) -> Result<Self> {
        let mut list = Self {
            vals: [0; MAX_ELEMENTS],
            len: vals.len(),
        };
        if vals.len() > MAX_ELEMENTS {
            return Err(EINVAL);
        }
        for (d, s) in list.vals.iter_mut().zip(vals) {
            *d = *s;
        }
        // INVARIANT: checked above: `len <= MAX_ELEMENTS`.
        Ok(list)
    }

    /// The integers.
    pub fn as_slice(&self) -> &[i32] {
        self.vals.get(..self.len).unwrap_or(&[])
    }
}

/// The kinds of [`Value`] a `read_avail` list or range holds, as the C
/// `IIO_VAL_*` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ValueKind {
    /// `IIO_VAL_INT`.
    Int = bindings::IIO_VAL_INT,
    /// `IIO_VAL_INT_PLUS_MICRO`.
    IntPlusMicro = bindings::IIO_VAL_INT_PLUS_MICRO,
    /// `IIO_VAL_INT_PLUS_NANO`.
    IntPlusNano = bindings::IIO_VAL_INT_PLUS_NANO,
    /// `IIO_VAL_INT_PLUS_MICRO_DB`.
    IntPlusMicroDb = bindings::IIO_VAL_INT_PLUS_MICRO_DB,
    /// `IIO_VAL_FRACTIONAL`.
    Fractional = bindings::IIO_VAL_FRACTIONAL,
    /// `IIO_VAL_FRACTIONAL_LOG2`.
    FractionalLog2 = bindings::IIO_VAL_FRACTIONAL_LOG2,
}

impl ValueKind {
    /// The C code.
    pub const fn code(self) -> i32 {
        self as i32
    }
}

/// How the core parses what user space writes to an attribute before it
/// calls `write_raw`: exactly the kinds `iio_write_channel_info()` accepts
/// from `write_raw_get_fmt` (any other code makes every write fail with
/// `EINVAL`). Without `write_kind`, the core parses
/// [`WriteKind::IntPlusMicro`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum WriteKind {
    /// `IIO_VAL_INT`: an integer, "12".
    Int = bindings::IIO_VAL_INT,
    /// `IIO_VAL_INT_PLUS_MICRO`: a decimal with up to 6 places, "1.5".
    IntPlusMicro = bindings::IIO_VAL_INT_PLUS_MICRO,
    /// `IIO_VAL_INT_PLUS_NANO`: a decimal with up to 9 places.
    IntPlusNano = bindings::IIO_VAL_INT_PLUS_NANO,
    /// `IIO_VAL_INT_PLUS_MICRO_DB`: as `IntPlusMicro`, with an optional
    /// " dB" suffix.
    IntPlusMicroDb = bindings::IIO_VAL_INT_PLUS_MICRO_DB,
    /// `IIO_VAL_INT_64`: a 64-bit integer (decimal, hex or octal).
    Int64 = bindings::IIO_VAL_INT_64,
    /// `IIO_VAL_CHAR`: the first character written.
    Char = bindings::IIO_VAL_CHAR,
}

impl WriteKind {
    /// The C code `write_raw_get_fmt` returns.
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// The value of this kind made of the two integers `write_raw` gets, as
    /// `iio_write_channel_info()` produced them.
    pub fn decode(self, val: i32, val2: i32) -> Value {
        match self {
            Self::Int => Value::Int(val),
            Self::IntPlusMicro => Value::IntPlusMicro(val, val2),
            Self::IntPlusNano => Value::IntPlusNano(val, val2),
            Self::IntPlusMicroDb => Value::IntPlusMicroDb(val, val2),
            // The core passes the low 32 bits in `val`, the high in `val2`.
            Self::Int64 => Value::Int64((i64::from(val2) << 32) | i64::from(val as u32)),
            // The core passes the character as read by `sscanf("%c")`.
            Self::Char => Value::Char(val as u8),
        }
    }
}

impl Value {
    /// The `IIO_VAL_*` code and the integers of this value, as a C
    /// `read_raw_multi` callback returns them: `vals[..n]` where `n` is the
    /// second element of the result.
    pub fn encode(&self, vals: &mut [i32; MAX_ELEMENTS]) -> (i32, usize) {
        let (kind, n) = match *self {
            Self::Int(v) => {
                vals[0] = v;
                (bindings::IIO_VAL_INT, 1)
            }
            Self::IntPlusMicro(a, b) => {
                vals[0] = a;
                vals[1] = b;
                (bindings::IIO_VAL_INT_PLUS_MICRO, 2)
            }
            Self::IntPlusNano(a, b) => {
                vals[0] = a;
                vals[1] = b;
                (bindings::IIO_VAL_INT_PLUS_NANO, 2)
            }
            Self::IntPlusMicroDb(a, b) => {
                vals[0] = a;
                vals[1] = b;
                (bindings::IIO_VAL_INT_PLUS_MICRO_DB, 2)
            }
            Self::Fractional(a, b) => {
                vals[0] = a;
                vals[1] = b;
                (bindings::IIO_VAL_FRACTIONAL, 2)
            }
            Self::FractionalLog2(a, shift) => {
                vals[0] = a;
                vals[1] = i32::from(shift);
                (bindings::IIO_VAL_FRACTIONAL_LOG2, 2)
            }
            Self::Int64(v) => {
                // As the C core reads it back: low word in vals[0].
                vals[0] = v as i32;
                vals[1] = (v >> 32) as i32;
                (bindings::IIO_VAL_INT_64, 2)
            }
            Self::IntMultiple(list) => {
                let s = list.as_slice();
                for (d, v) in vals.iter_mut().zip(s) {
                    *d = *v;
                }
                (bindings::IIO_VAL_INT_MULTIPLE, s.len())
            }
            Self::Char(c) => {
                vals[0] = i32::from(c);
                (bindings::IIO_VAL_CHAR, 1)
            }
        };
        (kind as i32, n)
    }
}

/// The available values of an attribute (`read_avail`).
///
/// The tables are `'static`: the core hands the pointer to in-kernel
/// consumers (`iio_read_avail_channel_attribute()`), which use it after the
/// call, possibly after the device was unregistered and its driver data
/// dropped.
#[derive(Clone, Copy, Debug)]
pub enum Available {
    /// `IIO_AVAIL_LIST`: every value, each made of the number of integers
    /// its kind has (one for `Int`, two for the others).
    List(ValueKind, &'static [i32]),
    /// `IIO_AVAIL_RANGE`: minimum, step and maximum, each made of the
    /// number of integers its kind has.
    Range(ValueKind, &'static [i32]),
}

impl Available {
    /// Integers per value for `kind`.
    pub const fn ints_per_value(kind: ValueKind) -> usize {
        match kind {
            ValueKind::Int => 1,
            _ => 2,
        }
    }

    /// Checks the shape the C core relies on: a whole number of values, and
    /// exactly three of them for a range.
    pub fn check(&self) -> Result {
        let (kind, vals, range) = match *self {
            Self::List(k, v) => (k, v, false),
            Self::Range(k, v) => (k, v, true),
        };
        let per = Self::ints_per_value(kind);
        let ok = if range {
            vals.len() == 3 * per
        } else {
            !vals.is_empty() && vals.len() % per == 0
        };
        if ok {
            Ok(())
        } else {
            Err(EINVAL)
        }
    }
}
