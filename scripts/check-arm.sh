#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The arm test bed in one command (called by `make check`):
#
#   scripts/check-arm.sh [--timeout SECONDS] [FILE.ko|FILE.sh|FILE ...]
#
# ARM_TESTS="tests/arm/a.sh ..." replaces the default guest scripts
# (tests/arm/*.sh), e.g. to run one suite. ARM_KDIR=DIR boots the kernel
# built in DIR instead of the arm test kernel (a grafted one:
# scripts/check-graft.sh).
#
# Builds (or takes from the cache) the arm kernel, packs an initramfs with
# the kernel's modules (npcm_adc.ko), the guest scripts tests/arm/*.sh and
# any FILEs given (our modules, more guest scripts: see arm-initramfs.sh),
# boots it on QEMU -M npcm750-evb and answers the guest's QMP requests
# (qemu-arm.py). The KTAP results go to stdout, progress to stderr; the exit
# status is non-zero on any failed test, timeout, or kernel crash.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

timeout=300
if [ "${1-}" = --timeout ]; then
	timeout=${2:?--timeout needs seconds}
	shift 2
fi

kdir=${ARM_KDIR:-$("$TOP/scripts/build-kernel.sh" arm)}
# One directory per run (console log, QEMU's own output, the initramfs), so
# that runs at the same time do not mix; runs/arm/latest points to the last.
run=$CACHE_DIR/runs/arm/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$run"
ln -sfn "$run" "$CACHE_DIR/runs/arm/latest"
# Keep the last ten runs.
find "$CACHE_DIR/runs/arm" -mindepth 1 -maxdepth 1 -type d -name '2*' | sort -r |
	tail -n +11 | xargs -r rm -rf
initrd=$run/initramfs.cpio.gz
if [ -n "${ARM_TESTS-}" ]; then
	read -r -a tests <<<"$ARM_TESTS"
else
	tests=("$TOP"/tests/arm/*.sh)
fi
KDIR=$kdir "$TOP/scripts/arm-initramfs.sh" "$initrd" "${tests[@]}" "$@"

say "arm: booting $(cat "$kdir/include/config/kernel.release") on QEMU npcm750-evb (timeout ${timeout} s)"
# The Python side enforces the timeout itself (and kills QEMU), counted from
# when QEMU is up (it waits up to 600 s for that); timeout(1) is the
# backstop should it hang.
status=0
timeout --kill-after=10 $((${timeout%.*} + 600 + 60)) \
	python3 "$TOP/scripts/qemu-arm.py" --quiet --timeout "$timeout" \
	--kernel "$kdir/arch/arm/boot/zImage" \
	--dtb "$kdir/arch/arm/boot/dts/nuvoton/nuvoton-npcm750-evb.dtb" \
	--initrd "$initrd" --log "$run/console.log" || status=$?
case $status in
0) say "arm: all tests passed" ;;
1) warn "arm: some tests failed (console log: $run/console.log)" ;;
2) warn "arm: TIMEOUT (console log: $run/console.log)" ;;
3) warn "arm: the guest kernel crashed or warned (console log: $run/console.log)" ;;
124 | 137) warn "arm: qemu-arm.py did not stop in time and was killed" ;;
*) warn "arm: QEMU failed (status $status; logs: $run/console.log*)" ;;
esac
exit $status
