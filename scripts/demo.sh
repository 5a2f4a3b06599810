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
mods=(build/x86_64/kernel_ext.ko)
mapfile -t -O 1 mods < <(find build/x86_64/drivers build/x86_64/tests -name '*.ko' | sort)

say "demo: booting Linux $KERNEL_SERIES (x86_64) under QEMU with virtme-ng"
timeout --foreground -k 10 "${BOOT_TIMEOUT:-600}" vng --run "$kx86/arch/x86/boot/bzImage" \
	--disable-kvm --memory 2G --cpus 2 \
	--exec "sh $TOP/scripts/guest-demo.sh ${mods[*]/#/$TOP/}" </dev/null ||
	die "the x86_64 demo guest failed or timed out"

say "demo: building our modules for arm"
make -s ARCH=arm
say "demo: booting the arm (NPCM750 EVB) kernel: the C and the Rust ADC drivers read the inputs the host sets over QMP, then buffered captures with the Rust driver"
ARM_TESTS="tests/arm/npcm_adc_c.sh tests/arm/npcm_adc_rs.sh tests/arm/npcm_adc_rs_buffer.sh" \
	scripts/check-arm.sh build/arm/kernel_ext.ko build/arm/drivers/iio/adc/npcm_adc_rs.ko \
	$(scripts/arm-tools.sh) || die "the arm demo guest failed"
