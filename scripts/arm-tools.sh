#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static armhf user-space tools for the arm test bed, built once with
# Debian's arm-linux-gnueabihf-gcc and cached (keyed by kernel version and
# source). Prints their paths, one per line, for arm-initramfs.sh:
#
#   iio_generic_buffer   the kernel's tools/iio/iio_generic_buffer
#   iio_read_latency     tests/arm/tools/iio_read_latency.c (benchmark)
#   iio_capture          tests/arm/tools/iio_capture.c (buffer reader)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v arm-linux-gnueabihf-gcc >/dev/null ||
	die "no arm-linux-gnueabihf-gcc: run scripts/bootstrap.sh"
src=$(kernel_src)
key=$(cat "$src/tools/iio/"*.[ch] "$TOP"/tests/arm/tools/*.c | sha256sum | cut -c1-12)
out=$TOOLS_DIR/arm/${KERNEL_DEB_VERSION}-$key
if [ ! -x "$out/iio_capture" ]; then
	say "arm tools: building iio_generic_buffer and our tools (static armhf)"
	rm -rf "$out.tmp"
	mkdir -p "$out.tmp/obj"
	make -s -C "$src/tools/iio" O="$out.tmp/obj/" ARCH=arm \
		CROSS_COMPILE=arm-linux-gnueabihf- LDFLAGS=-static >&2 ||
		die "arm tools: tools/iio build failed"
	cp "$out.tmp/obj/iio_generic_buffer" "$out.tmp/"
	for c in "$TOP"/tests/arm/tools/*.c; do
		arm-linux-gnueabihf-gcc -O2 -Wall -Werror -static -o "$out.tmp/$(basename "$c" .c)" "$c" ||
			die "arm tools: $c failed to build"
	done
	arm-linux-gnueabihf-strip "$out.tmp"/iio_*
	rm -rf "$out.tmp/obj" "$out"
	mv "$out.tmp" "$out"
fi
printf '%s\n' "$out/iio_generic_buffer" "$out/iio_read_latency" "$out/iio_capture"
