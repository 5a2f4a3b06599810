// SPDX-License-Identifier: GPL-2.0
//! Codec layer of the stateless H.264 encoder driver (`slenc`).
//!
//! Everything between the V4L2 glue of the driver and the hardware that
//! does not need the kernel: the uAPI control structures and their
//! validation ([`uapi`]), the per-frame state built from the controls with
//! the constraints of the encoder ([`state`]), the parameter sets and slice
//! headers the kernel writes ([`headers`], [`vui`]), the implicit
//! references ([`dpb`]), rate control over the stateful codec controls
//! ([`rc`]), the per-codec engine the driver calls for each job
//! ([`engine`]), the hardware-backend trait ([`backend`]) and its first
//! implementation, the virtual engine that runs the `h264` core
//! ([`virt`]).
//!
//! `no_std`, no allocation, no floating point, no `unsafe`, no panics on
//! any input: the same source builds into the kernel module and, with its
//! own `Cargo.toml`, as a host crate tested against ffmpeg.
//!
//! ```text
//! let mut eng = H264Engine::new(backend.caps());
//! let res = eng.start(&stream)?;                 // STREAMON: slots to allocate
//! let job = eng.prepare(&inputs, capture_buf)?;  // device_run: headers, RC, refs
//! backend.program(&job.desc, &mem)?; backend.start();
//! // ... interrupt or worker completion:
//! let done = eng.complete(&job.desc, backend.irq());  // bytesused, flags
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backend;
pub mod controls;
pub mod dpb;
pub mod engine;
pub mod headers;
pub mod layout;
pub mod rc;
#[cfg(any(test, feature = "selftest"))]
pub mod selftest;
pub mod state;
pub mod uapi;
pub mod virt;
pub mod vui;

pub use engine::{Completion, EngineError, H264Engine, Prepared};
