#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The camera suite (tests/camera/suite.sh) for the upstream C pair, imx219 +
# bcm2835-unicam, on the emulated Raspberry Pi camera board: the yardstick
# the Rust pair is held to. Its saved topology, formats, controls, error
# codes and compliance reports go to $OUTDIR/camera-c. Its long captures
# are 30 frames (FRAMES); the Rust pair's are 100. The C drivers' own
# load-order and rmmod-while-streaming cases are left out here (SKIP): they
# test the C drivers' life cycle, not the emulator, and take minutes;
# `scripts/camera-suite.sh imx219,bcm2835-unicam` runs them.
here=$(cd "$(dirname "$0")" && pwd)
export FRAMES=${FRAMES:-30} SKIP=${SKIP:-"load_order board_rmmod_streaming"}
exec bash "$here/../camera/suite.sh" imx219 bcm2835-unicam "${OUTDIR:-/tmp}/camera-c"
