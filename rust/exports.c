// SPDX-License-Identifier: GPL-2.0
/*
 * Exports the Rust symbols of kernel_ext.ko to the modules built against it,
 * the way the kernel's rust/exports.c exports those of its `kernel` crate
 * (v0 mangling makes them valid C identifiers). GPL-only, as there.
 */

#include <linux/export.h>

#define EXPORT_SYMBOL_RUST_GPL(sym) extern int sym; EXPORT_SYMBOL_GPL(sym)

#include "exports_generated.h"
