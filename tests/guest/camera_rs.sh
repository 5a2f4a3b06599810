#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The camera suite (tests/camera/suite.sh) for our Rust pair, imx219_rs +
# bcm2835_unicam_rs, on the emulated Raspberry Pi camera board, held to the
# C pair's results (camera.sh runs first and saves them in
# $OUTDIR/camera-c): every case.
here=$(cd "$(dirname "$0")" && pwd)
b=$here/../../build/x86_64/drivers/media
export BASELINE=${OUTDIR:-/tmp}/camera-c
exec bash "$here/../camera/suite.sh" \
	"$b/i2c/imx219_rs.ko" "$b/platform/broadcom/bcm2835_unicam_rs.ko" "${OUTDIR:-/tmp}/camera-rs"
