#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress and fault injection of the Rust NPCM7xx ADC driver on the arm test
# bed (QEMU -M npcm750-evb), in one boot, with every debug option of the
# test kernel on (lockdep, debugobjects, slab poisoning, hung task
# detection, kmemleak):
#
#   scripts/stress-iio.sh                      # 200 cycles, then faults
#   STRESS_CYCLES=50 scripts/stress-iio.sh
#
# tests/arm/npcm_adc_rs_stress.sh (STRESS_CYCLES cycles of load, direct
# reads, captures with each trigger kind, trigger switches, unbind/bind
# with a reader, unload) and tests/arm/npcm_adc_rs_faults.sh (probe with
# each allocation failing in turn). A hang ends in the boot timeout
# (STRESS_TIMEOUT seconds) with SysRq-w/-t in the console log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP"

STRESS_CYCLES=${STRESS_CYCLES:-200}
# About 4 s per cycle on this emulated board, plus boot and faults.
STRESS_TIMEOUT=${STRESS_TIMEOUT:-$((STRESS_CYCLES * 8 + 600))}

"$TOP/scripts/bootstrap.sh" >&2
make -s ARCH=arm >&2
guest=$(mktemp -d)
trap 'rm -rf "$guest"' EXIT
{
	printf 'STRESS_CYCLES=%s\n' "$STRESS_CYCLES"
	cat tests/arm/npcm_adc_rs_stress.sh
} >"$guest/npcm_adc_rs_stress.sh"
{
	echo "FAULTS_STEP=1"
	cat tests/arm/npcm_adc_rs_faults.sh
} >"$guest/npcm_adc_rs_faults.sh"
start=$SECONDS
status=0
ARM_TESTS="$guest/npcm_adc_rs_stress.sh $guest/npcm_adc_rs_faults.sh" \
	scripts/check-arm.sh --timeout "$STRESS_TIMEOUT" \
	build/arm/kernel_ext.ko build/arm/drivers/iio/adc/npcm_adc_rs.ko \
	$(scripts/arm-tools.sh) >"$guest/stress.ktap" || status=$?
grep -E '^ *(ok|not ok) |# (stress|fault)' "$guest/stress.ktap" || true
say "stress: $STRESS_CYCLES cycles and fault injection in $((SECONDS - start)) s (status $status)"
exit $status
