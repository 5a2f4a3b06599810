// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the pure parts of the IIO abstractions: value encoding,
//! scan layout, scan mask selection and channel specifications.

use kernel::prelude::*;

#[kunit_tests(rust_iio)]
mod cases {
    use crate::bindings;
    use crate::iio::{
        channel::{self, ChanInfo, ChanSpec, ChanType, Endian, InfoMask, ScanType, Sign},
        scan::{self, select_mask, ScanBuf, ScanMask, ScanWriter},
        value::{Available, IntList, Value, ValueKind, MAX_ELEMENTS},
    };

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
        let l = IntList::new(&[1, 2, 3])
            .unwrap_or(IntList::new(&[]).unwrap_or_else(|_| unreachable!()));
        assert_eq!(enc(Value::IntMultiple(l)), (5, 3, [1, 2, 3, 0]));
        assert!(IntList::new(&[1, 2, 3, 4, 5]).is_err());
        // The codes are the C ones.
        assert_eq!(
            ValueKind::Fractional.code(),
            bindings::IIO_VAL_FRACTIONAL as i32
        );
        assert_eq!(
            ValueKind::FractionalLog2.code(),
            bindings::IIO_VAL_FRACTIONAL_LOG2 as i32
        );
    }

    #[test]
    fn value_decoding() {
        assert_eq!(ValueKind::Int.decode(5, 9), Value::Int(5));
        assert_eq!(
            ValueKind::IntPlusMicro.decode(1, 2),
            Value::IntPlusMicro(1, 2)
        );
        assert_eq!(ValueKind::Int64.decode(2, 1), Value::Int64(0x1_0000_0002));
        assert_eq!(ValueKind::Int64.decode(-1, -1), Value::Int64(-1));
        assert_eq!(
            ValueKind::FractionalLog2.decode(3, 300),
            Value::FractionalLog2(3, 255)
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

    #[test]
    fn scan_writer_matches_layout() {
        let mut buf = ScanBuf::<24>::new();
        let mut w = ScanWriter::new(&mut buf);
        assert!(w.push(0x1122u16).is_ok());
        assert!(w.push(0x33u8).is_ok());
        assert!(w.push(0x4455_6677u32).is_ok());
        assert_eq!(w.len(), 8);
        assert_eq!(scan::layout([2, 1, 4], None).bytes, 8);
        assert!(w.push(1u64).is_ok());
        assert!(w.push(1u64).is_ok());
        assert!(w.push(1u8).is_err());
        let b = buf.as_bytes();
        assert_eq!(u16::from_ne_bytes([b[0], b[1]]), 0x1122);
        assert_eq!(b[2], 0x33);
        assert_eq!(u32::from_ne_bytes([b[4], b[5], b[6], b[7]]), 0x4455_6677);
        assert_eq!(core::mem::align_of::<ScanBuf<24>>(), 8);
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
        assert!(ScanMask(0b101).contains(2) && !ScanMask(0b101).contains(1));
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

    const CHANS: &[ChanSpec] = channel::validate(&[adc(0), adc(1), ChanSpec::soft_timestamp(2)]);

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
        let st = unsafe { raw.__bindgen_anon_1.scan_type.as_ref() };
        // SAFETY: `sign` is a `char`.
        assert_eq!(unsafe { st.__bindgen_anon_1.sign }, b'u');
        assert_eq!(
            (st.realbits, st.storagebits, st.shift, st.repeat),
            (10, 16, 2, 0)
        );
        assert_eq!(st.endianness, bindings::iio_endian_IIO_BE);
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
    }
}
