// SPDX-License-Identifier: GPL-2.0

//! KUnit suite for the H.264 encoding core: its self tests (`selftest.rs`,
//! which `cargo test` also runs on the host), compiled for the kernel.
//!
//! The core (`drivers/media/h264/src/`) has no module of its own: it is
//! compiled into this one as the crate `h264` (see this directory's
//! `Kbuild`).

use kernel::alloc::flags::{__GFP_ZERO, GFP_KERNEL};
use kernel::prelude::*;

module! {
    type: H264SelfTest,
    name: "h264_kunit",
    authors: ["The iio-media-rs authors"],
    description: "KUnit tests for the Rust H.264 encoding core",
    license: "GPL",
}

struct H264SelfTest;

impl kernel::Module for H264SelfTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(H264SelfTest)
    }
}

/// Runs the self test called `name`: `Err` names why it failed, or that
/// there is no such test.
fn run(name: &str) -> core::result::Result<(), &'static str> {
    match h264::selftest::ALL.iter().find(|(n, _)| *n == name) {
        Some((_, test)) => test().inspect_err(|why| pr_err!("h264 self test {name}: {why}\n")),
        None => Err("no such self test"),
    }
}

/// The self tests this suite runs, one KUnit case each.
const LISTED: &[&str] = &[
    "exp_golomb",
    "emulation_prevention",
    "cavlc_tables",
    "cavlc_block",
    "transform_roundtrip",
    "quant_roundtrip",
    "chroma_qp_map",
    "zero_threshold",
    "div64",
    "suspend_resume",
];

/// Runs `tiny_encode` (two 32x32 frames through the whole encoder) with its
/// buffers (about 11 KiB) on the heap: kernel stacks cannot spare that.
fn tiny_encode() -> core::result::Result<(), &'static str> {
    let buf = KBox::<h264::selftest::TinyBuffers>::new_uninit(GFP_KERNEL | __GFP_ZERO)
        .map_err(|_| "out of memory")?;
    // SAFETY: `__GFP_ZERO` zeroed the allocation, and `TinyBuffers` is made
    // of integer arrays only, for which all-zero is a valid value (as its
    // documentation states).
    let mut buf = unsafe { buf.assume_init() };
    h264::selftest::tiny_encode(&mut buf)
        .inspect_err(|why| pr_err!("h264 self test tiny_encode: {why}\n"))
}

#[kunit_tests(h264_selftest)]
mod tests {
    use super::{run, tiny_encode, LISTED};

    #[test]
    fn exp_golomb() {
        assert_eq!(run("exp_golomb"), Ok(()));
    }

    #[test]
    fn emulation_prevention() {
        assert_eq!(run("emulation_prevention"), Ok(()));
    }

    #[test]
    fn cavlc_tables() {
        assert_eq!(run("cavlc_tables"), Ok(()));
    }

    #[test]
    fn cavlc_block() {
        assert_eq!(run("cavlc_block"), Ok(()));
    }

    #[test]
    fn transform_roundtrip() {
        assert_eq!(run("transform_roundtrip"), Ok(()));
    }

    #[test]
    fn quant_roundtrip() {
        assert_eq!(run("quant_roundtrip"), Ok(()));
    }

    #[test]
    fn chroma_qp_map() {
        assert_eq!(run("chroma_qp_map"), Ok(()));
    }

    #[test]
    fn zero_threshold() {
        assert_eq!(run("zero_threshold"), Ok(()));
    }

    #[test]
    fn div64() {
        assert_eq!(run("div64"), Ok(()));
    }

    #[test]
    fn suspend_resume() {
        assert_eq!(run("suspend_resume"), Ok(()));
    }

    #[test]
    fn tiny_encode_frames() {
        assert_eq!(tiny_encode(), Ok(()));
    }

    /// A self test added to the core but not to this suite is caught here.
    #[test]
    fn every_self_test_listed() {
        for (name, _) in h264::selftest::ALL {
            assert!(LISTED.contains(name));
        }
        assert_eq!(LISTED.len(), h264::selftest::ALL.len());
    }
}
