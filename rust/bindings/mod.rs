// SPDX-License-Identifier: GPL-2.0

//! Bindings for the IIO and media C APIs.
//!
//! Everything the kernel crate's `bindings` has, plus what bindgen generated
//! at build time from `rust/bindings/bindings_helper.h` and the helpers in
//! `rust/helpers/`. As upstream: drivers do not use this module; if a C API
//! is not wrapped yet, wrap it in `rust/kernel/` first.

#![allow(
    clippy::all,
    dead_code,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    clippy::as_underscore,
    clippy::cast_lossless,
    clippy::ptr_as_ptr,
    clippy::ref_as_ptr,
    clippy::undocumented_unsafe_blocks
)]

pub use ::kernel::bindings::*;

use ::kernel::ffi;
use pin_init::{MaybeZeroable, Zeroable};

// The generated items are defined in this module, so they take precedence
// over the glob import above where one of our headers merely forward-declares
// a structure that the kernel crate's bindings define.
include!(concat!(
    env!("KERNEL_EXT_OBJ"),
    "/bindings/bindings_generated.rs"
));

// SAFETY: `__BindgenBitfieldUnit<Storage>` is a newtype around `Storage`.
unsafe impl<Storage> Zeroable for __BindgenBitfieldUnit<Storage> where Storage: Zeroable {}

// SAFETY: `__BindgenUnionField<T>` is a zero-sized `PhantomData<T>`.
unsafe impl<T> Zeroable for __BindgenUnionField<T> {}

/// The C helpers (`rust/helpers/`), without their `rust_helper_` prefix.
mod helpers {
    use super::*;

    include!(concat!(
        env!("KERNEL_EXT_OBJ"),
        "/bindings/bindings_helpers_generated.rs"
    ));
}

pub use helpers::*;
