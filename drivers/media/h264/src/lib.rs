// SPDX-License-Identifier: GPL-2.0
//! H.264 (AVC) Constrained Baseline encoding core.
//!
//! `no_std`, no allocation, no floating point, no panics on any input: the
//! caller provides every buffer (source planes, reconstruction and
//! reference pictures, per-macroblock state and the output bitstream).
//! The same source builds into Linux kernel modules and as a host crate.
//!
//! ```text
//! let cfg = Config::new(640, 480);
//! let mut enc = Encoder::new(&cfg)?;
//! let mut bufs = FrameBuffers { recon, reference, mb_info, workspace };
//! let info = enc.encode_frame(&frame, &mut bufs, &mut out)?;
//! // out[..info.len] is Annex-B; swap recon and reference for the next frame.
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bitstream;
pub mod cavlc;
pub mod deblock;
mod encoder;
pub mod headers;
pub mod inter;
pub mod intra;
mod mb;
pub mod picture;
pub mod ratecontrol;
#[cfg(any(test, feature = "selftest"))]
pub mod selftest;
pub mod transform;

pub use encoder::{
    Config, EncodedFrame, Encoder, Error, Frame, FrameBuffers, FrameType, PixelFormat,
    MAX_DIMENSION,
};
pub use mb::{MbInfo, Workspace};
pub use picture::{encode_picture, PictureParams};
pub use ratecontrol::RateControl;
