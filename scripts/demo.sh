#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The main demo: `make demo`. Builds what it needs, boots the x86_64 test
# kernel under QEMU (virtme-ng, TCG) and shows our modules at work, then
# boots the arm (NPCM750) kernel and reads the emulated ADC.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP"

kx86=$(scripts/build-kernel.sh x86_64)
say "demo: building our modules"
make -s
mods=(kernel_ext.ko)
mapfile -t -O 1 mods < <(find drivers tests -name '*.ko' | sort)

say "demo: booting Linux $KERNEL_SERIES (x86_64) under QEMU with virtme-ng"
timeout --foreground -k 10 "${BOOT_TIMEOUT:-600}" vng --run "$kx86/arch/x86/boot/bzImage" \
	--disable-kvm --memory 2G --cpus 2 \
	--exec "sh $TOP/scripts/guest-demo.sh ${mods[*]/#/$TOP/}" </dev/null ||
	die "the x86_64 demo guest failed or timed out"

say "demo: booting the arm (NPCM750 EVB) kernel; the host sets the emulated ADC's inputs over QMP"
scripts/check-arm.sh || die "the arm demo guest failed"
