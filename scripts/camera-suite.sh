#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the camera suite (tests/camera/suite.sh) on the emulated Raspberry Pi
# camera board in one x86_64 guest (virtme-ng, TCG), for one or more driver
# pairs, and parses the results with kunit.py.
#
#   scripts/camera-suite.sh [SENSOR,RECEIVER]...
#
# A driver is a module name (modprobe: the C imx219, bcm2835-unicam) or the
# path of a .ko. Default: the C pair only. The first pair's saved topology,
# formats, controls, error codes and compliance totals are the BASELINE the
# following pairs are compared with, e.g.
#
#   scripts/camera-suite.sh imx219,bcm2835-unicam \
#       build/x86_64/drivers/media/i2c/imx219_rs.ko,build/x86_64/drivers/media/platform/bcm2835_unicam_rs.ko
#
# build/x86_64/kernel_ext.ko is loaded first when it exists. Environment:
# CASES, SKIP, FORCE, FRAMES (passed to the suite), BOOT_TIMEOUT (seconds, default
# 1800), KEEP=1 keeps the results directory (printed at the end).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP"

[ $# -gt 0 ] || set -- imx219,bcm2835-unicam
kx86=$(scripts/build-kernel.sh x86_64) || die "no x86_64 kernel"
make >/dev/null || die "make failed"
out=$(mktemp -d /tmp/camera-suite.XXXXXX)

guest=$out/guest.sh
{
	echo 'mount -t debugfs none /sys/kernel/debug 2>/dev/null'
	[ -f build/x86_64/kernel_ext.ko ] && echo "insmod $TOP/build/x86_64/kernel_ext.ko"
	i=0 base=
	for pair in "$@"; do
		s=${pair%%,*} r=${pair#*,}
		[[ $s == */* ]] && s=$TOP/$s
		[[ $r == */* ]] && r=$TOP/$r
		echo "CASES='${CASES:-}' SKIP='${SKIP:-}' FORCE='${FORCE:-}' FRAMES='${FRAMES:-}' BASELINE='$base' \\"
		# Live to the shared directory; the guest's own copy replaces it at
		# the end, should a write over 9p have come short.
		echo "  bash $TOP/tests/camera/suite.sh '$s' '$r' $out/pair$i 2>&1 | tee /tmp/pair$i.ktap >$out/pair$i.ktap"
		echo "cp /tmp/pair$i.ktap $out/pair$i.ktap"
		[ -n "$base" ] || base=$out/pair$i
		i=$((i + 1))
	done
	echo "dmesg >$out/dmesg.txt; echo done >$out/done"
} >"$guest"
sed -i "s/CASES='' //; s/SKIP='' //; s/FORCE='' //; s/FRAMES='' //" "$guest"

say "camera suite: $# pair(s), results in $out"
timeout -k 10 "${BOOT_TIMEOUT:-1800}" vng --run "$kx86/arch/x86/boot/bzImage" \
	--disable-kvm --memory 2G --cpus 2 --verbose --rwdir "$out" "${VNG_APPEND[@]}" \
	--exec "sh $guest" </dev/null >"$out/console.log" 2>&1 &
vng_pid=$!
# The guest goes with us, however we end.
trap 'kill $vng_pid 2>/dev/null' EXIT
trap 'exit 130' INT TERM
wait $vng_pid
[ -f "$out/done" ] || { tail -n 20 "$out/console.log"; warn "the guest did not finish"; }
rc=0
for f in "$out"/pair*.ktap; do
	[ -e "$f" ] || continue
	echo "== $(basename "$f" .ktap): $(head -n 3 "$f" | sed -n 's/^# camera suite: //p')"
	python3 "$(kernel_src)/tools/testing/kunit/kunit.py" parse "$f" | grep -E '^\[|PASSED|FAILED|SKIPPED|Testing complete' | tail -n 40
	d=${f%.ktap}
	[ -f "$d/timings.txt" ] && { echo "-- case timings (s):"; cat "$d/timings.txt"; }
	[ -f "$d/compliance-totals.txt" ] && { echo "-- v4l2-compliance:"; cat "$d/compliance-totals.txt"; }
	grep -q '^not ok' "$f" && rc=1
done
echo "results: $out"
exit $rc
