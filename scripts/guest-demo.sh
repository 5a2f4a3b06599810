#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo guest: loads our modules and shows what they do.
mount -t debugfs none /sys/kernel/debug 2>/dev/null
dmesg -n 1
echo "== $(uname -sr) on $(uname -m), QEMU TCG guest with the host's tools"
for m in "$@"; do
	echo "== insmod $(basename "$m")"
	dmesg -C
	insmod "$m" || exit 1
	# KUnit suites of the module ran at load time: show their KTAP summary.
	dmesg | sed -n 's/^\[[ 0-9.]*\] //p' | grep -E '^ *(ok|not ok|# Subtest|# Totals)' || true
done
echo "== media devices (v4l2-ctl --list-devices)"
v4l2-ctl --list-devices 2>/dev/null || true
echo "== IIO devices (iio_info -s)"
iio_info -s 2>/dev/null || ls /sys/bus/iio/devices
echo "== loaded modules"
grep -E '^kernel_ext|_rs ' /proc/modules || true
