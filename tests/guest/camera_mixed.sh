#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The camera suite (tests/camera/suite.sh) for the mixed pairs on the
# emulated Raspberry Pi camera board: our IMX219 driver with the C Unicam,
# the C IMX219 with our Unicam (binding across implementations through the
# async framework), held to the C pair's results ($OUTDIR/camera-c, saved
# by camera.sh, which runs first). The cases that exercise the binding,
# the formats and controls across the link, compliance, one capture, a
# control change while streaming and the sensor's unbind; the Rust pair
# runs them all (camera_rs.sh). One KTAP subtest per pair.
here=$(cd "$(dirname "$0")" && pwd)
b=$here/../../build/x86_64/drivers/media
out=${OUTDIR:-/tmp}
export BASELINE=$out/camera-c FRAMES=${FRAMES:-30}
export CASES=${MIXED_CASES:-"probe topology formats_controls compliance capture_bars_raw10 ctrl_test_pattern_streaming sensor_unbind_idle kernel_log"}
echo "KTAP version 1"
echo "1..2"
n=0
for pair in "$b/i2c/imx219_rs.ko bcm2835-unicam rs-sensor" "imx219 $b/platform/broadcom/bcm2835_unicam_rs.ko rs-unicam"; do
	set -- $pair
	n=$((n + 1))
	echo "    # Subtest: camera_mixed_$3"
	bash "$here/../camera/suite.sh" "$1" "$2" "$out/camera-mixed-$3" >"$out/camera-mixed-$3.ktap" 2>&1
	sed 's/^/    /' "$out/camera-mixed-$3.ktap" | grep -v '^    KTAP version'
	if grep -q '^not ok' "$out/camera-mixed-$3.ktap" || ! grep -q '^ok' "$out/camera-mixed-$3.ktap"; then
		echo "not ok $n camera_mixed_$3"
	else
		echo "ok $n camera_mixed_$3"
	fi
done
