#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The camera suite (tests/camera/suite.sh) for the upstream C pair, imx219 +
# bcm2835-unicam, on the emulated Raspberry Pi camera board: the yardstick
# the Rust pair is held to. Its saved topology, formats, controls, error
# codes and compliance reports go to $OUTDIR/camera-c.
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../camera/suite.sh" imx219 bcm2835-unicam "${OUTDIR:-/tmp}/camera-c"
