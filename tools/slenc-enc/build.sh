#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds slenc-enc. v4l2r 0.0.8 generates its bindings from the system's
# <linux/videodev2.h> and needs Linux 6.5 or later headers (its control
# wrappers name the AV1 stateless controls); Debian bookworm ships 6.1. So
# the three V4L2 headers of our 7.2 kernel source are prepared the way
# `make headers_install` prepares them (no kernel build is involved) and
# given to v4l2r's build script through V4L2R_VIDEODEV2_H_PATH.
#   tools/slenc-enc/build.sh [cargo build arguments, e.g. --release]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/scripts/lib.sh"
src=$(kernel_src)
hdr=$CACHE_DIR/uapi-$(basename "$src")
mkdir -p "$hdr/linux"
for h in videodev2.h v4l2-controls.h v4l2-common.h; do
	# What scripts/headers_install.sh does to these files, but unifdef:
	# their __KERNEL__ sections drop out in the preprocessor anyway, user
	# space does not define __KERNEL__.
	sed -E -e '
		s/([[:space:](])(__user|__force|__iomem)[[:space:]]/\1/g
		s@^#include <linux/compiler.h>@@
		s@#(ifndef|define|endif[[:space:]]*/[*])[[:space:]]*_UAPI@#\1 @
	' "$src/include/uapi/linux/$h" >"$hdr/linux/$h.tmp"
	mv "$hdr/linux/$h.tmp" "$hdr/linux/$h"
done
export V4L2R_VIDEODEV2_H_PATH=$hdr
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$CACHE_DIR/cargo-target/slenc-enc}
cd "$HERE"
exec cargo build "$@"
