// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the pure parts of the IIO abstractions: value encoding
//! and write formats, scan layout and the checks of scan writes, scan masks
//! as the core lays them out, channel table validation, and the guard that
//! closes a trigger's driver data.

use kernel::prelude::*;

#[kunit_tests(rust_iio)]
mod cases {
    use crate::bindings;
    use crate::iio::{
        channel::{
            self, ChanError, ChanInfo, ChanSpec, ChanType, Endian, InfoMask, ScanType, Sign,
        },
        scan::{self, masks_table, select_mask, ScanBuf, ScanMask, ScanStorage, ScanWriter},
        value::{Available, IntList, Value, ValueKind, WriteKind, MAX_ELEMENTS},
    };
    use crate::prelude::*;

    fn enc(v: Value) -> (i32, usize, [i32; MAX_ELEMENTS]) {
        let mut out = [0; MAX_ELEMENTS];
        let (k, n) = v.encode(&mut out);
        (k, n, out)
    }

    #[test]
    fn value_encoding() {
        assert_eq!(enc(Value::Int(-7)), (1, 1, [-7, 0, 0, 0]));
        assert_eq!(
            enc(Value::IntPlusMicro(1, 500_000)),
            (2, 2, [1, 500_000, 0, 0])
        );
        assert_eq!(enc(Value::IntPlusNano(0, -5)), (3, 2, [0, -5, 0, 0]));
        assert_eq!(enc(Value::IntPlusMicroDb(3, 1)), (4, 2, [3, 1, 0, 0]));
        assert_eq!(
            enc(Value::Fractional(2500, 1024)),
            (10, 2, [2500, 1024, 0, 0])
        );
        assert_eq!(
            enc(Value::FractionalLog2(2048, 10)),
            (11, 2, [2048, 10, 0, 0])
        );
        assert_eq!(enc(Value::Int64(0x1_0000_0002)), (6, 2, [2, 1, 0, 0]));
        assert_eq!(enc(Value::Int64(-1)), (6, 2, [-1, -1, 0, 0]));
        // IIO_VAL_CHAR is 12 in include/linux/iio/types.h.
        assert_eq!(enc(Value::Char(b'C')), (12, 1, [67, 0, 0, 0]));
        let l = IntList::new(&[1, 2, 3])
            .unwrap_or(IntList::new(&[]).unwrap_or_else(|_| unreachable!()));
        assert_eq!(enc(Value::IntMultiple(l)), (5, 3, [1, 2, 3, 0]));
        assert!(IntList::new(&[1, 2, 3, 4, 5]).is_err());
        assert_eq!(
            ValueKind::Fractional.code(),
            bindings::IIO_VAL_FRACTIONAL as i32
        );
        assert_eq!(
            ValueKind::FractionalLog2.code(),
            bindings::IIO_VAL_FRACTIONAL_LOG2 as i32
        );
    }

    /// The write formats are exactly the codes `iio_write_channel_info()`
    /// parses (its `switch` on `write_raw_get_fmt`): INT 1, INT_PLUS_MICRO
    /// 2, INT_PLUS_NANO 3, INT_PLUS_MICRO_DB 4, INT_64 6, CHAR 12. Any
    /// other code (FRACTIONAL, FRACTIONAL_LOG2, ...) fails every write.
    #[test]
    fn write_kinds_are_what_the_core_parses() {
        let all = [
            WriteKind::Int,
            WriteKind::IntPlusMicro,
            WriteKind::IntPlusNano,
            WriteKind::IntPlusMicroDb,
            WriteKind::Int64,
            WriteKind::Char,
        ];
        let codes = all.map(WriteKind::code);
        assert_eq!(codes, [1, 2, 3, 4, 6, 12]);
        assert_eq!(WriteKind::Int.decode(5, 9), Value::Int(5));
        assert_eq!(
            WriteKind::IntPlusMicro.decode(1, 2),
            Value::IntPlusMicro(1, 2)
        );
        assert_eq!(
            WriteKind::IntPlusMicroDb.decode(-3, 500_000),
            Value::IntPlusMicroDb(-3, 500_000)
        );
        // INT_64: low 32 bits in val, high in val2 (upper_32_bits()).
        assert_eq!(WriteKind::Int64.decode(2, 1), Value::Int64(0x1_0000_0002));
        assert_eq!(WriteKind::Int64.decode(-1, -1), Value::Int64(-1));
        assert_eq!(WriteKind::Int64.decode(0, i32::MIN), Value::Int64(i64::MIN));
        assert_eq!(
            WriteKind::Char.decode(i32::from(b'x'), 0),
            Value::Char(b'x')
        );
    }

    #[test]
    fn available_shapes() {
        assert!(Available::Range(ValueKind::Int, &[0, 1, 10])
            .check()
            .is_ok());
        assert!(Available::Range(ValueKind::Int, &[0, 1]).check().is_err());
        assert!(
            Available::Range(ValueKind::IntPlusMicro, &[0, 0, 0, 1, 1, 0])
                .check()
                .is_ok()
        );
        assert!(Available::List(ValueKind::IntPlusMicro, &[0, 1, 2])
            .check()
            .is_err());
        assert!(Available::List(ValueKind::Int, &[]).check().is_err());
    }

    #[test]
    fn scan_layout_as_core() {
        // Three u16 and a timestamp: 0, 2, 4, ts at 8, 16 bytes.
        let l = scan::layout([2, 2, 2], Some(8));
        assert_eq!((l.bytes, l.timestamp_offset), (16, Some(8)));
        // u8, u32, u16: 0, 4, 8 -> 10, rounded to 4 -> 12.
        let l = scan::layout([1, 4, 2], None);
        assert_eq!((l.bytes, l.timestamp_offset), (12, None));
        // Eight u16 and a timestamp: 16 then ts at 16, 24 bytes.
        let l = scan::layout([2; 8], Some(8));
        assert_eq!((l.bytes, l.timestamp_offset), (24, Some(16)));
        // Timestamp only.
        let l = scan::layout([], Some(8));
        assert_eq!((l.bytes, l.timestamp_offset), (8, Some(0)));
        // Nothing.
        assert_eq!(scan::layout([], None).bytes, 0);
    }

    const fn u(real: u8, storage: u8) -> ScanType {
        ScanType::unsigned(real, storage)
    }

    /// Each push lands where `scan::layout` puts the element; a sample of
    /// the wrong size, one too many, one that does not fit, or a missing
    /// one is refused.
    #[test]
    fn scan_writer_checks_types() {
        let mut buf = ScanBuf::<24>::new();
        let types = [u(12, 16), u(8, 8), u(24, 32)];
        let mut w = ScanWriter::new(buf.bytes_mut(), types.into_iter());
        // A u32 where a 16-bit channel is: refused, and nothing consumed.
        assert_eq!(w.push(0x1122_3344u32), Err(EINVAL));
        assert_eq!(w.len(), 0);
        let mut w = ScanWriter::new(buf.bytes_mut(), types.into_iter());
        assert!(w.push(0x1122u16).is_ok());
        assert!(w.push(0x33u8).is_ok());
        assert!(w.push(0x4455_6677u32).is_ok());
        assert_eq!(w.len(), scan::layout([2, 1, 4], None).bytes);
        // One too many.
        assert_eq!(w.push(1u8), Err(EINVAL));
        assert!(w.finish().is_ok());
        let b = buf.as_bytes();
        assert_eq!(u16::from_ne_bytes([b[0], b[1]]), 0x1122);
        assert_eq!(b[2], 0x33);
        assert_eq!(b[3], 0);
        assert_eq!(u32::from_ne_bytes([b[4], b[5], b[6], b[7]]), 0x4455_6677);
        assert_eq!(core::mem::align_of::<ScanBuf<24>>(), 8);
        // A missing sample.
        let mut buf = ScanBuf::<8>::new();
        let mut w = ScanWriter::new(buf.bytes_mut(), types.into_iter());
        assert!(w.push(1u16).is_ok());
        assert_eq!(w.finish(), Err(EINVAL));
        // Not enough room: an 8-byte element in a 4-byte buffer.
        let mut small = [0u8; 4];
        let mut w = ScanWriter::new(&mut small[..], [u(64, 64)].into_iter());
        assert_eq!(w.push(1u64), Err(EINVAL));
        // Repeated samples: 3 x u16 take 4 x 2 bytes, aligned to 8.
        let rep = ScanType {
            repeat: 3,
            ..u(16, 16)
        };
        assert_eq!(rep.storage_bytes(), 8);
        let mut buf = ScanBuf::<16>::new();
        let mut w = ScanWriter::new(buf.bytes_mut(), [u(8, 8), rep].into_iter());
        assert!(w.push(9u8).is_ok());
        assert_eq!(w.push(1u16), Err(EINVAL));
        let mut w = ScanWriter::new(buf.bytes_mut(), [u(8, 8), rep].into_iter());
        assert!(w.push(9u8).is_ok());
        assert!(w.push_repeated(&[1u16, 2, 3]).is_ok());
        assert_eq!(w.len(), 16);
        let b = buf.as_bytes();
        assert_eq!(
            (
                b[0],
                u16::from_ne_bytes([b[8], b[9]]),
                u16::from_ne_bytes([b[12], b[13]])
            ),
            (9, 1, 3)
        );
    }

    #[test]
    fn scan_mask_selection() {
        let avail = [ScanMask(0b0001), ScanMask(0b0011), ScanMask(0b1111)];
        assert_eq!(select_mask(&avail, ScanMask(0b0001), false), Some(0));
        assert_eq!(select_mask(&avail, ScanMask(0b0010), false), Some(1));
        assert_eq!(select_mask(&avail, ScanMask(0b0100), false), Some(2));
        assert_eq!(select_mask(&avail, ScanMask(0b10000), false), None);
        assert_eq!(select_mask(&avail, ScanMask(0b0010), true), None);
        assert_eq!(select_mask(&avail, ScanMask(0b0011), true), Some(1));
        assert_eq!(ScanMask::first(3), ScanMask(0b111));
        assert_eq!(ScanMask::first(64), ScanMask(u64::MAX));
        assert!(ScanMask(0b101).contains(2) && !ScanMask(0b101).contains(1));
        assert!(ScanMask(1 << 40).contains(40));
    }

    /// `available_scan_masks` as the core reads it: `BITS_TO_LONGS(ml)`
    /// longs per mask, a zero first long at the end. 40 elements take two
    /// longs per mask on 32-bit machines, one on 64-bit ones.
    #[test]
    fn scan_masks_table_layout() {
        let bits = bindings::BITS_PER_LONG;
        let longs = 40u32.div_ceil(bits) as usize;
        let masks = [ScanMask(0b11 | 1 << 35), ScanMask(ScanMask::first(40).0)];
        let t = masks_table(&masks, 40);
        assert!(t.is_ok());
        let t = t.unwrap_or_default();
        assert_eq!(t.len(), 3 * longs);
        let word = |m: u64, w: usize| (m >> (w as u32 * bits)) as crate::ffi::c_ulong;
        for (i, m) in masks.iter().enumerate() {
            for w in 0..longs {
                assert_eq!(t[i * longs + w], word(m.0, w));
            }
        }
        assert!(t[2 * longs..].iter().all(|w| *w == 0));
        // An element beyond masklength, an empty mask, more than 64 elements.
        assert_eq!(masks_table(&[ScanMask(1 << 40)], 40).err(), Some(EINVAL));
        assert_eq!(masks_table(&[ScanMask(0)], 40).err(), Some(EINVAL));
        assert_eq!(masks_table(&[ScanMask(1)], 65).err(), Some(EINVAL));
        // Only elements 32.. : the core would see an empty first long (the
        // end of the table) on 32-bit machines.
        let high = masks_table(&[ScanMask(1 << 33)], 40);
        assert_eq!(high.is_err(), bits == 32);
    }

    const fn adc(ch: i32) -> ChanSpec {
        ChanSpec::new(ChanType::Voltage)
            .indexed(ch)
            .separate(InfoMask::of(ChanInfo::Raw))
            .shared_by_type(InfoMask::of(ChanInfo::Scale).with(ChanInfo::SampFreq))
            .scan(
                ch,
                ScanType::unsigned(10, 16).shifted(2).endian(Endian::Big),
            )
    }

    const CHANS: &[ChanSpec] = crate::iio_channels![adc(0), adc(1), ChanSpec::soft_timestamp(2)];

    #[test]
    fn chan_spec_as_c_sees_it() {
        let c = &CHANS[1];
        // SAFETY: Reading the C struct through the bindgen accessors.
        let raw = unsafe { &*c.as_raw() };
        assert_eq!(raw.type_, bindings::iio_chan_type_IIO_VOLTAGE);
        assert_eq!(raw.channel, 1);
        assert_eq!(raw.indexed(), 1);
        assert_eq!(raw.modified(), 0);
        assert_eq!(raw.output(), 0);
        assert_eq!(raw.has_ext_scan_type(), 0);
        assert_eq!(
            raw.info_mask_separate,
            1 << bindings::iio_chan_info_enum_IIO_CHAN_INFO_RAW
        );
        assert_eq!(raw.scan_index, 1);
        // SAFETY: `scan_type` is the active member.
        // Out of tree the union is a structure of `__BindgenUnionField`s, in a
        // kernel tree a Rust `union` (see `media::union_member!`): the member
        // is at the union's address either way.
        let st = unsafe {
            &*core::ptr::addr_of!(raw.__bindgen_anon_1.scan_type).cast::<bindings::iio_scan_type>()
        };
        // SAFETY: `sign` is a `char`.
        assert_eq!(unsafe { st.__bindgen_anon_1.sign }, b'u');
        assert_eq!(
            (st.realbits, st.storagebits, st.shift, st.repeat),
            (10, 16, 2, 0)
        );
        assert_eq!(st.endianness, bindings::iio_endian_IIO_BE);
        assert_eq!(
            c.scan_type(),
            Some(ScanType::unsigned(10, 16).shifted(2).endian(Endian::Big))
        );
        let t = &CHANS[2];
        assert_eq!(t.raw_type(), bindings::iio_chan_type_IIO_TIMESTAMP);
        assert_eq!(t.channel(), -1);
        assert!(!t.is_indexed());
        let ts = t.scan_type();
        assert_eq!(
            ts.map(|s| (s.sign, s.realbits, s.storagebits)),
            Some((Sign::Signed, 64, 64))
        );
        assert_eq!(ChanSpec::new(ChanType::Temp).scan_type(), None);
        assert_eq!(ChanInfo::from_raw(2), Some(ChanInfo::Scale));
        assert_eq!(ChanInfo::from_raw(1000), None);
        // Two u16 and the timestamp at 8: 16 bytes at most.
        assert_eq!(scan::largest_scan(CHANS), 16);
    }

    /// Bad tables built at run time give an error, never a panic.
    #[test]
    fn chan_table_errors() {
        let bad_type = ChanSpec::new(ChanType::Voltage).scan(0, ScanType::unsigned(17, 16));
        assert_eq!(
            channel::validate(&[bad_type]).err(),
            Some(ChanError::ScanType)
        );
        let odd_storage = ChanSpec::new(ChanType::Voltage).scan(0, ScanType::unsigned(12, 12));
        assert_eq!(
            channel::validate(&[odd_storage]).err(),
            Some(ChanError::ScanType)
        );
        assert_eq!(
            channel::validate(&[adc(0), adc(0)]).err(),
            Some(ChanError::DuplicateScanIndex)
        );
        assert_eq!(
            channel::validate(&[ChanSpec::soft_timestamp(0), adc(1)]).err(),
            Some(ChanError::TimestampNotLast)
        );
        assert_eq!(
            channel::validate(&[
                adc(0),
                ChanSpec::soft_timestamp(1),
                ChanSpec::soft_timestamp(2)
            ])
            .err(),
            Some(ChanError::TwoTimestamps)
        );
        let overlap = ChanSpec::new(ChanType::Voltage)
            .separate(InfoMask::of(ChanInfo::Scale))
            .shared_by_all(InfoMask::of(ChanInfo::Scale));
        assert_eq!(
            channel::validate(&[overlap]).err(),
            Some(ChanError::InfoOverlap)
        );
        let same_name = ChanSpec::new(ChanType::Voltage).indexed(0);
        assert_eq!(
            channel::validate(&[adc(0), same_name]).err(),
            Some(ChanError::DuplicateName)
        );
        // A negative scan index leaves the channel out of scans, as in C.
        let unscanned = || {
            ChanSpec::new(ChanType::Voltage)
                .indexed(3)
                .scan(-1, ScanType::unsigned(12, 16))
        };
        assert!(channel::validate(&[adc(0), unscanned()]).is_ok());
        assert_eq!(unscanned().scan_type(), None);
    }

    /// The guard between a trigger's C operations and its driver data:
    /// open until revoked, closed after, revocation idempotent.
    #[test]
    fn trigger_data_guard() {
        let core = crate::iio::trigger::test_core();
        assert!(core.is_ok());
        let Ok(core) = core else { return };
        {
            let a = core.enter();
            assert!(a.is_some());
            let b = core.enter();
            assert!(b.is_some());
        }
        core.revoke();
        assert!(core.enter().is_none());
        core.revoke();
        assert!(core.enter().is_none());
    }

    #[test]
    fn completion_ext() {
        use crate::sync::Completion;
        use crate::sync_ext::CompletionExt;
        use crate::time::Delta;
        let c = KBox::pin_init(Completion::new(), GFP_KERNEL);
        assert!(c.is_ok());
        let Ok(c) = c else { return };
        assert!(!c.try_wait());
        c.complete();
        c.complete();
        assert!(c.try_wait());
        assert!(c.wait_timeout(Delta::from_millis(10)).is_ok());
        assert_eq!(c.wait_timeout(Delta::from_millis(1)), Err(ETIMEDOUT));
        c.complete();
        c.complete();
        c.drain();
        assert!(!c.try_wait());
    }

    #[test]
    fn spinlock_irq() {
        let l = KBox::pin_init(crate::new_spinlock_irq!(0u32), GFP_KERNEL);
        assert!(l.is_ok());
        let Ok(l) = l else { return };
        {
            let mut g = l.lock();
            *g += 1;
            // Local interrupts are off while the lock is held.
            // SAFETY: Reads the CPU's interrupt state.
            assert!(unsafe { bindings::irqs_disabled() });
        }
        // SAFETY: As above.
        assert!(!unsafe { bindings::irqs_disabled() });
        assert_eq!(*l.lock(), 1);
    }
}
