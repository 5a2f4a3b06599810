// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the media abstractions: media bus code tables, Bayer
//! orders under flips, nearest-size selection, CCI message encoding, and
//! the control framework through our handler (ranges, clamping, menus,
//! tokens of the wrong handler).
//!
//! Expected values are written out by hand from the C headers and the V4L2
//! documentation, not computed with the code under test.

use kernel::prelude::*;

#[kunit_tests(rust_media)]
mod cases {
    use crate::bindings;
    use crate::device::property::FwNode;
    use crate::media::{
        cci::{decode_read, encode_write, AddrWidth, Reg, MAX_MSG},
        ctrls::{self, CtrlRef, Handler, Id, Locked, Menu},
        fwnode::{self, BusType, Endpoint, CSI2_NONCONTINUOUS_CLOCK},
        mbus::{csi2_dt, find_nearest_size, BayerOrder, Code},
    };
    use crate::prelude::*;

    #[test]
    fn media_bus_codes() {
        // media-bus-format.h values.
        assert_eq!(Code::SRGGB10_1X10.as_raw(), 0x300f);
        assert_eq!(Code::SBGGR8_1X8.as_raw(), 0x3001);
        assert_eq!(Code::SGRBG8_1X8.as_raw(), 0x3002);
        assert_eq!(Code::META_10.as_raw(), 0x8002);
        // CSI-2 data types (MIPI CSI-2 spec, table "Data Type").
        assert_eq!(csi2_dt::RAW8, 0x2a);
        assert_eq!(csi2_dt::RAW10, 0x2b);
        assert_eq!(csi2_dt::EMBEDDED_8B, 0x12);
        let i = Code::SGBRG10_1X10.info();
        assert!(
            matches!(i, Some(i) if i.bpp == 10 && i.csi2_dt == 0x2b && i.bayer == Some(BayerOrder::Gbrg))
        );
        let i = Code::SRGGB8_1X8.info();
        assert!(
            matches!(i, Some(i) if i.bpp == 8 && i.csi2_dt == 0x2a && i.bayer == Some(BayerOrder::Rggb))
        );
        assert!(Code::from_raw(0x1234_5678).info().is_none());
        assert_eq!(Code::bayer(BayerOrder::Bggr, 8), Some(Code::SBGGR8_1X8));
        assert_eq!(Code::bayer(BayerOrder::Grbg, 12), Some(Code::SGRBG12_1X12));
        assert_eq!(Code::bayer(BayerOrder::Grbg, 11), None);
    }

    #[test]
    fn bayer_order_flips() {
        use BayerOrder::*;
        // Mirroring swaps the columns of the 2x2 cell, flipping its rows.
        let cases = [
            (Rggb, false, false, Rggb),
            (Rggb, true, false, Grbg),
            (Rggb, false, true, Gbrg),
            (Rggb, true, true, Bggr),
            (Grbg, true, false, Rggb),
            (Grbg, false, true, Bggr),
            (Gbrg, true, false, Bggr),
            (Gbrg, true, true, Grbg),
            (Bggr, false, true, Grbg),
            (Bggr, true, true, Rggb),
        ];
        for (o, h, v, want) in cases {
            assert_eq!(o.flipped(h, v), want);
        }
    }

    #[test]
    fn nearest_size() {
        let modes = [(3280u32, 2464u32), (1920, 1080), (1640, 1232), (640, 480)];
        let f = |w, h| find_nearest_size(&modes, |m| (m.0, m.1), w, h).map(|m| (m.0, m.1));
        assert_eq!(f(3280, 2464), Some((3280, 2464)));
        assert_eq!(f(4000, 3000), Some((3280, 2464)));
        assert_eq!(f(1920, 1080), Some((1920, 1080)));
        // |1640-1800| + |1232-1100| = 292 < |1920-1800| + |1080-1100| = 140? No:
        // 140 is smaller, so 1920x1080.
        assert_eq!(f(1800, 1100), Some((1920, 1080)));
        assert_eq!(f(1700, 1200), Some((1640, 1232)));
        assert_eq!(f(0, 0), Some((640, 480)));
        assert_eq!(f(1, 1), Some((640, 480)));
        // Ties go to the later entry, as in C: (10,10) is 10 from both.
        let tie = [(0u32, 10u32), (10, 0)];
        assert_eq!(find_nearest_size(&tie, |m| (m.0, m.1), 5, 5), Some(&tie[1]));
        let empty: [(u32, u32); 0] = [];
        assert!(find_nearest_size(&empty, |m| (m.0, m.1), 5, 5).is_none());
    }

    #[test]
    fn cci_encoding() {
        let mut b = [0u8; MAX_MSG];
        let n = encode_write(AddrWidth::Bits16, Reg::reg8(0x0100), 0x01, &mut b);
        assert!(matches!(n, Ok(3)));
        assert_eq!(&b[..3], &[0x01, 0x00, 0x01]);
        let n = encode_write(AddrWidth::Bits16, Reg::reg16(0x015a), 0x0640, &mut b);
        assert!(matches!(n, Ok(4)));
        assert_eq!(&b[..4], &[0x01, 0x5a, 0x06, 0x40]);
        // Values are truncated to the register's width.
        let n = encode_write(AddrWidth::Bits16, Reg::reg16(0x0160), 0x1_2345, &mut b);
        assert!(matches!(n, Ok(4)));
        assert_eq!(&b[..4], &[0x01, 0x60, 0x23, 0x45]);
        let n = encode_write(AddrWidth::Bits16, Reg::reg24_le(0x3000), 0x0a0b0c, &mut b);
        assert!(matches!(n, Ok(5)));
        assert_eq!(&b[..5], &[0x30, 0x00, 0x0c, 0x0b, 0x0a]);
        let n = encode_write(AddrWidth::Bits8, Reg::reg32(0x42), 0xdead_beef, &mut b);
        assert!(matches!(n, Ok(5)));
        assert_eq!(&b[..5], &[0x42, 0xde, 0xad, 0xbe, 0xef]);
        let n = encode_write(
            AddrWidth::Bits16,
            Reg::reg64(0x1234),
            0x0102_0304_0506_0708,
            &mut b,
        );
        assert!(matches!(n, Ok(10)));
        assert_eq!(&b[..10], &[0x12, 0x34, 1, 2, 3, 4, 5, 6, 7, 8]);
        // Width 5 does not exist.
        assert!(encode_write(AddrWidth::Bits16, Reg::from_raw((5 << 16) | 1), 0, &mut b).is_err());
        assert_eq!(decode_read(Reg::reg16(0), &[0x02, 0x19]), 0x0219);
        assert_eq!(decode_read(Reg::reg16_le(0), &[0x02, 0x19]), 0x1902);
        assert_eq!(decode_read(Reg::reg24(0), &[1, 2, 3]), 0x010203);
        // The C encoding of the register descriptions.
        assert_eq!(Reg::reg8(0x0100).as_raw(), 0x0001_0100);
        assert_eq!(Reg::reg16_le(0x0002).as_raw(), 0x0012_0002);
    }

    /// A dispatcher without operations, for controls tested on their own.
    struct NoOps;

    // SAFETY: Never handed to an owner; no operation is implemented.
    unsafe impl ctrls::Dispatch for NoOps {
        const HAS_S_CTRL: bool = false;
        const HAS_TRY_CTRL: bool = false;
        const HAS_G_VOLATILE_CTRL: bool = false;

        unsafe fn s_ctrl(_: *mut c_void, _: &Locked<'_>, _: &CtrlRef) -> Result {
            Err(EINVAL)
        }
        unsafe fn try_ctrl(_: *mut c_void, _: &Locked<'_>, _: &CtrlRef) -> Result {
            Err(EINVAL)
        }
        unsafe fn g_volatile_ctrl(_: *mut c_void, _: &Locked<'_>, _: &CtrlRef) -> Result {
            Err(EINVAL)
        }
    }

    static PATTERNS: Menu<3> = Menu::new([c"Off", c"Bars", c"Noise"]);
    static FREQS: [i64; 2] = [456_000_000, 363_000_000];

    #[test]
    fn control_ranges() -> Result {
        let mut h = Handler::<NoOps>::new(8, c"kunit", crate::static_lock_class!())?;
        let exp = h.new_std(Id::EXPOSURE, 4, 1759, 1, 1600)?;
        let gain = h.new_std(Id::ANALOGUE_GAIN, 0, 232, 1, 0)?;
        let rate = h.new_std(Id::PIXEL_RATE, 182_400_000, 182_400_000, 1, 182_400_000)?;
        let tp = h.new_std_menu_items(Id::TEST_PATTERN, &PATTERNS, 0, 0)?;
        let lf = h.new_int_menu(Id::LINK_FREQ, 0, 0, &FREQS)?;
        assert!(h.error().is_ok());
        // A bad range is refused (ERANGE in the core) and the error sticks:
        // later creations fail too.
        assert!(h.new_std(Id::GAIN, 10, 5, 1, 7).is_err());
        assert_eq!(h.error(), Err(ERANGE));
        assert!(h.new_std(Id::HFLIP, 0, 1, 1, 0).is_err());
        let mut h2 = Handler::<NoOps>::new(1, c"kunit2", crate::static_lock_class!())?;
        let other = h2.new_std(Id::HFLIP, 0, 1, 1, 0)?;
        assert_eq!(exp.id(), Id::EXPOSURE);
        {
            let l = h.lock();
            assert_eq!(exp.val(&l)?, 1600);
            assert_eq!((exp.minimum(&l)?, exp.maximum(&l)?), (4, 1759));
            assert_eq!(gain.maximum(&l)?, 232);
            assert_eq!(rate.val64(&l)?, 182_400_000);
            assert_eq!((tp.maximum(&l)?, tp.val(&l)?), (2, 0));
            assert_eq!((lf.maximum(&l)?, lf.val(&l)?), (0, 0));
            // Out-of-range values are clamped by __v4l2_ctrl_s_ctrl.
            exp.s_ctrl(&l, 5000)?;
            assert_eq!(exp.val(&l)?, 1759);
            exp.s_ctrl(&l, 1)?;
            assert_eq!(exp.val(&l)?, 4);
            // Narrowing the range clamps the value.
            exp.s_ctrl(&l, 1700)?;
            exp.modify_range(&l, 4, 1000, 1, 1000)?;
            assert_eq!(
                (exp.maximum(&l)?, exp.default_value(&l)?, exp.val(&l)?),
                (1000, 1000, 1000)
            );
            // A bad range is refused with the core's error.
            assert_eq!(exp.modify_range(&l, 10, 5, 1, 7), Err(ERANGE));
            // A handle of another handler is refused without touching it.
            assert_eq!(other.val(&l), Err(EINVAL));
            assert!(tp.s_ctrl(&l, 3).is_err());
        }
        Ok(())
    }

    fn prop<T>(
        name: &'static CStr,
        t: bindings::dev_prop_type,
        v: &[T],
    ) -> bindings::property_entry {
        let mut p: bindings::property_entry = pin_init::zeroed();
        p.name = name.as_char_ptr();
        p.length = core::mem::size_of_val(v);
        p.type_ = t;
        p.__bindgen_anon_1.pointer = v.as_ptr().cast();
        p
    }

    fn prop_bool(name: &'static CStr) -> bindings::property_entry {
        let mut p: bindings::property_entry = pin_init::zeroed();
        p.name = name.as_char_ptr();
        p.is_inline = true;
        p
    }

    /// Parses endpoint `port@<port>/endpoint@0` of a software node graph
    /// whose endpoint has properties `props`, as `bus`.
    fn parse_sw(
        port: &'static CStr,
        props: &[bindings::property_entry],
        bus: BusType,
    ) -> Result<Endpoint> {
        let mut all = KVec::with_capacity(props.len() + 1, GFP_KERNEL)?;
        for p in props {
            all.push(*p, GFP_KERNEL)?;
        }
        all.push(pin_init::zeroed(), GFP_KERNEL)?;
        let mut nodes = KBox::new(
            [pin_init::zeroed::<bindings::software_node>(); 3],
            GFP_KERNEL,
        )?;
        nodes[0].name = c"kunit-camera".as_char_ptr();
        nodes[1].name = port.as_char_ptr();
        nodes[1].parent = &raw const nodes[0];
        nodes[2].name = c"endpoint@0".as_char_ptr();
        nodes[2].parent = &raw const nodes[1];
        nodes[2].properties = all.as_ptr();
        let mut registered = 0;
        let mut ret = Ok(());
        for n in nodes.iter() {
            // SAFETY: `n` and its parent (registered before it), names and
            // properties live until the nodes are unregistered below.
            ret = to_result(unsafe { bindings::software_node_register(n) });
            if ret.is_err() {
                break;
            }
            registered += 1;
        }
        let ep = ret.and_then(|()| {
            // SAFETY: The node is registered; no reference is taken, the
            // node outlives the parse.
            let f = unsafe { bindings::software_node_fwnode(&nodes[2]) };
            // SAFETY: `FwNode` is a transparent wrapper.
            Endpoint::parse(unsafe { &*f.cast::<FwNode>() }, bus)
        });
        for n in nodes[..registered].iter().rev() {
            // SAFETY: Registered above, children first.
            unsafe { bindings::software_node_unregister(n) };
        }
        ep
    }

    use crate::error::to_result;

    // Bus types of the devicetree binding (video-interfaces.yaml).
    const DT_BUS_CSI2_DPHY: [u32; 1] = [4];
    const DT_BUS_PARALLEL: [u32; 1] = [5];

    #[test]
    fn endpoint_parsing() -> Result {
        use bindings::{dev_prop_type_DEV_PROP_U32 as U32, dev_prop_type_DEV_PROP_U64 as U64};
        let lanes2 = [1u32, 2];
        let lanes4 = [1u32, 2, 3, 4];
        let clock = [0u32];
        let freqs = [456_000_000u64];
        let freqs2 = [364_000_000u64, 363_000_000];

        // A Raspberry Pi camera's endpoint: 2 lanes, continuous clock.
        let ep = parse_sw(
            c"port@0",
            &[
                prop(c"bus-type", U32, &DT_BUS_CSI2_DPHY),
                prop(c"clock-lanes", U32, &clock),
                prop(c"data-lanes", U32, &lanes2),
                prop(c"link-frequencies", U64, &freqs),
            ],
            BusType::Csi2Dphy,
        )?;
        assert_eq!(ep.bus_type(), Some(BusType::Csi2Dphy));
        assert_eq!(ep.port(), 0);
        let c = ep.csi2().ok_or(EINVAL)?;
        assert_eq!(c.num_data_lanes(), 2);
        assert_eq!(c.data_lanes(), &[1, 2]);
        assert_eq!(c.clock_lane(), 0);
        assert_eq!(c.flags() & CSI2_NONCONTINUOUS_CLOCK, 0);
        assert_eq!(ep.link_frequencies(), &[456_000_000]);

        // 4 lanes, non-continuous clock, two frequencies, port 1, bus type
        // left to the firmware.
        let ep = parse_sw(
            c"port@1",
            &[
                prop(c"data-lanes", U32, &lanes4),
                prop_bool(c"clock-noncontinuous"),
                prop(c"link-frequencies", U64, &freqs2),
            ],
            BusType::Unknown,
        )?;
        assert_eq!(ep.bus_type(), Some(BusType::Csi2Dphy));
        assert_eq!(ep.port(), 1);
        let c = ep.csi2().ok_or(EINVAL)?;
        assert_eq!(c.data_lanes(), &[1, 2, 3, 4]);
        assert_ne!(c.flags() & CSI2_NONCONTINUOUS_CLOCK, 0);
        assert_eq!(ep.link_frequencies(), &[364_000_000, 363_000_000]);

        // No link frequencies: an empty list.
        let ep = parse_sw(
            c"port@0",
            &[prop(c"data-lanes", U32, &lanes2)],
            BusType::Csi2Dphy,
        )?;
        assert!(ep.link_frequencies().is_empty());

        // A parallel endpoint is not a CSI-2 one: the C parser says ENXIO.
        let r = parse_sw(
            c"port@0",
            &[prop(c"bus-type", U32, &DT_BUS_PARALLEL)],
            BusType::Csi2Dphy,
        );
        assert!(matches!(r, Err(e) if e == ENXIO));

        // Link frequency matching against a driver's list.
        let dev = crate::faux::Registration::new(c"rust-media-kunit", None)?;
        let d = dev.as_ref();
        assert_eq!(
            fwnode::link_freq_to_bitmap(d, &[456_000_000], &[456_000_000])?,
            0b1
        );
        assert_eq!(
            fwnode::link_freq_to_bitmap(d, &[363_000_000, 1], &[364_000_000, 363_000_000])?,
            0b10
        );
        let enodata = Error::from_errno(-(bindings::ENODATA as i32));
        assert_eq!(
            fwnode::link_freq_to_bitmap(d, &[], &[456_000_000]),
            Err(enodata)
        );
        assert_eq!(
            fwnode::link_freq_to_bitmap(d, &[1], &[456_000_000]),
            Err(ENOENT)
        );
        Ok(())
    }
}
