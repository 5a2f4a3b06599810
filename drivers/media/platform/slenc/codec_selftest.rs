// SPDX-License-Identifier: GPL-2.0

//! KUnit suite for the stateless H.264 encoder's codec layer: its self
//! tests (`codec/src/selftest.rs`, which `cargo test` also runs on the
//! host), compiled for the kernel.

use kernel::alloc::flags::GFP_KERNEL;
use kernel::prelude::*;

module! {
    type: SlencCodecSelfTest,
    name: "slenc_codec_kunit",
    authors: ["The iio-media-rs authors"],
    description: "KUnit tests for the Rust stateless H.264 encoder's codec layer",
    license: "GPL",
}

struct SlencCodecSelfTest;

impl kernel::Module for SlencCodecSelfTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(SlencCodecSelfTest)
    }
}

/// Runs the self test called `name`: `Err` names why it failed, or that
/// there is no such test.
fn run(name: &str) -> core::result::Result<(), &'static str> {
    match slenc_codec::selftest::ALL.iter().find(|(n, _)| *n == name) {
        Some((_, test)) => {
            test().inspect_err(|why| pr_err!("slenc codec self test {name}: {why}\n"))
        }
        None => Err("no such self test"),
    }
}

/// The self tests this suite runs, one KUnit case each.
const LISTED: &[&str] = &[
    "encode_params_layout",
    "encode_params_validation",
    "sps_pps_payloads",
    "sps_syntax",
    "pps_slice_syntax",
    "state_constraints",
    "dpb_sliding_window",
    "rate_control_modes",
    "layout_arithmetic",
    "vui_mapping",
    "controls_table",
];

/// Runs `engine_rules` with its buffers (an engine and a CAPTURE buffer,
/// about 1.5 KiB) on the heap.
fn engine_rules() -> core::result::Result<(), &'static str> {
    let mut buf = KBox::new(slenc_codec::selftest::EngineBuffers::new(), GFP_KERNEL)
        .map_err(|_| "out of memory")?;
    slenc_codec::selftest::engine_rules(&mut buf)
        .inspect_err(|why| pr_err!("slenc codec self test engine_rules: {why}\n"))
}

#[kunit_tests(slenc_codec)]
mod tests {
    use super::{engine_rules, run, LISTED};

    #[test]
    fn encode_params_layout() {
        assert_eq!(run("encode_params_layout"), Ok(()));
    }

    #[test]
    fn encode_params_validation() {
        assert_eq!(run("encode_params_validation"), Ok(()));
    }

    #[test]
    fn sps_pps_payloads() {
        assert_eq!(run("sps_pps_payloads"), Ok(()));
    }

    #[test]
    fn sps_syntax() {
        assert_eq!(run("sps_syntax"), Ok(()));
    }

    #[test]
    fn pps_slice_syntax() {
        assert_eq!(run("pps_slice_syntax"), Ok(()));
    }

    #[test]
    fn state_constraints() {
        assert_eq!(run("state_constraints"), Ok(()));
    }

    #[test]
    fn dpb_sliding_window() {
        assert_eq!(run("dpb_sliding_window"), Ok(()));
    }

    #[test]
    fn rate_control_modes() {
        assert_eq!(run("rate_control_modes"), Ok(()));
    }

    #[test]
    fn layout_arithmetic() {
        assert_eq!(run("layout_arithmetic"), Ok(()));
    }

    #[test]
    fn vui_mapping() {
        assert_eq!(run("vui_mapping"), Ok(()));
    }

    #[test]
    fn controls_table() {
        assert_eq!(run("controls_table"), Ok(()));
    }

    #[test]
    fn engine_stream_rules() {
        assert_eq!(engine_rules(), Ok(()));
    }

    /// A self test added to the codec layer but not to this suite is caught
    /// here.
    #[test]
    fn every_self_test_listed() {
        for (name, _) in slenc_codec::selftest::ALL {
            assert!(LISTED.contains(name));
        }
        assert_eq!(LISTED.len(), slenc_codec::selftest::ALL.len());
    }
}
