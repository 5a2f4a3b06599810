// SPDX-License-Identifier: GPL-2.0
/*
 * Non-inline versions of the static inline functions and macros of the
 * IIO/media C APIs that our abstractions call, so that Rust can reach them.
 * Like the kernel's rust/helpers/helpers.c, every function is named
 * rust_helper_<name>; the generated bindings drop the prefix.
 *
 * Every helper file includes the headers it needs, as the kernel's own do:
 * in a kernel tree, scripts/graft.sh copies the files included below to
 * its rust/helpers/ and includes them from its helpers.c.
 */

#include "../bindings/bindings_helper.h"

#include "iio.c"
#include "kext_misc.c"
#include "layout.c"
#include "media.c"
#include "media_subdev.c"
#include "pm_gpio.c"
