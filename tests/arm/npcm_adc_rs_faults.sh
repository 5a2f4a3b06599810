# SPDX-License-Identifier: GPL-2.0
#
# Guest test (busybox sh, run by the arm initramfs's /init with
# /etc/harness.sh loaded): probe of the Rust driver npcm_adc_rs with each
# allocation failing in turn. For N = 1, 2, ... (every FAULTS_STEP-th) the
# N-th fault injection
# point (slab or page allocation) reached by the task that binds the
# device fails (/proc/self/fail-nth: slab allocations, and page
# allocations that do not sleep), until a bind runs with no failure left
# to inject. Every failed bind must leave nothing behind (no IIO
# device, no trigger), every bind that succeeds must give a working
# device, and at the end kmemleak must find nothing. The host fails the
# boot on any oops or warning (scripts/qemu-arm.py).

ADC=f000c000.adc
PDRV=/sys/bus/platform/drivers/npcm_adc_rs
FI=/sys/kernel/debug
KMEMLEAK=$FI/kmemleak
# Every FAULTS_STEP-th fault point: by default a sample of about
# FAULTS_SAMPLES points spread over all of them (make check), every one with
# FAULTS_STEP=1 (the stress run, scripts/stress-iio.sh).
FAULTS_SAMPLES=${FAULTS_SAMPLES:-120}
FAULTS_STEP=${FAULTS_STEP:-}

# trigger_present: the driver's own trigger exists.
trigger_present() {
	for t in /sys/bus/iio/devices/trigger*; do
		[ "$(cat "$t/name" 2>/dev/null)" = npcm-adc-eoc ] && return 0
	done
	return 1
}

ktap_plan 5

if [ ! -w /proc/self/fail-nth ] || [ ! -d $FI/failslab ]; then
	for t in probe_with_each_allocation_failing failures_leave_nothing bound_devices_work working_after_faults kmemleak_clean; do
		ktap_skip $t "no fault injection in this kernel"
	done
	ktap_finish
	exit
fi
# Slab allocations that may sleep (GFP_KERNEL, most of probe's) fail too;
# page allocations keep failslab's companion default (only those that do
# not sleep), as a failed page allocation dumps the whole memory state.
# No stack dump per injected failure.
echo N >$FI/failslab/ignore-gfp-wait
echo 0 >$FI/failslab/verbose
echo 0 >$FI/fail_page_alloc/verbose
[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK

# attempt N: one bind with the N-th fault injection point failing; sets rc
# (the bind's status) and left (what fail-nth reads back after it: 0 if
# the fault was injected, N or less but not 0 if the bind reached fewer
# than N points, i.e. ran with no failure). One subshell per attempt:
# fail-nth applies to the task that writes it, and the bind runs in that
# task (echo is a builtin). Both ends of fail-nth are opened, and stderr
# redirected, before the count starts, so that the only fault points
# counted are the bind's (opening the bind file and the probe).
attempt() {
	local res
	res=$(
		exec 2>/dev/null 3>/proc/self/fail-nth 4</proc/self/fail-nth || exit 1
		echo "$1" >&3 || exit 1
		echo $ADC >$PDRV/bind
		r=$?
		read -r l <&4 || l=-1
		echo "$r $l"
	)
	rc=${res%% *}
	left=${res#* }
}

modprobe npcm_adc_rs && echo $ADC >$PDRV/unbind
# How many fault points a bind passes: a bind with a fault far beyond them
# (what fail-nth reads back is how many were left). The last attempt is a
# little beyond that count, so that the loop ends with a bind that had no
# failure left to inject (the count varies a little between binds).
big=1000000
attempt $big
points=$((big - left))
echo $ADC >$PDRV/unbind 2>/dev/null
MAX_N=$((points + 20))
[ -n "$FAULTS_STEP" ] || FAULTS_STEP=$(((points + FAULTS_SAMPLES - 1) / FAULTS_SAMPLES))
ktap_diag "a bind passes $points fault points; failing every ${FAULTS_STEP}th"
n=1 failed=0 bound=0 leftover=0 broken=0 done=0
while :; do
	[ $n -gt "$MAX_N" ] && n=$MAX_N
	attempt $n
	if iio_dev_of_driver npcm_adc_rs >/dev/null; then
		bound=$((bound + 1))
		dev=$(iio_dev_of_driver npcm_adc_rs)
		if ! cat "$dev/in_voltage2_raw" >/dev/null; then
			ktap_diag "N=$n: bound but the device does not read; the same fault again, with its stack:"
			broken=$((broken + 1))
			echo $ADC >$PDRV/unbind
			echo 2 >$FI/failslab/verbose
			echo 2 >$FI/fail_page_alloc/verbose
			attempt $n
			echo 0 >$FI/failslab/verbose
			echo 0 >$FI/fail_page_alloc/verbose
			dev=$(iio_dev_of_driver npcm_adc_rs) && ! cat "$dev/in_voltage2_raw" >/dev/null &&
				ktap_diag "N=$n: again bound and not reading (rc $rc, left $left)"
		fi
		echo $ADC >$PDRV/unbind 2>/dev/null
		[ "${left:-0}" -gt 0 ] && done=1
	else
		failed=$((failed + 1))
		if trigger_present; then
			ktap_diag "N=$n: bind failed (rc $rc) but the trigger is still there"
			leftover=$((leftover + 1))
		fi
	fi
	[ $done = 1 ] && break
	[ $n = "$MAX_N" ] && break
	n=$((n + FAULTS_STEP))
done
ktap_diag "fault injection: fault points 1..$n every $FAULTS_STEP: $failed failed binds, $bound succeeded (the failure was in something the bind does without, or none was left)"
[ $done = 1 ] && [ $failed -gt 0 ]
ktap_result $? probe_with_each_allocation_failing
ktap_result $leftover failures_leave_nothing
ktap_result $broken bound_devices_work

r=0
echo $ADC >$PDRV/bind && dev=$(iio_dev_of_driver npcm_adc_rs) &&
	cat "$dev/in_voltage1_raw" >/dev/null && rmmod npcm_adc_rs || r=1
ktap_result $r working_after_faults

if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	m=$(grep -c '^unreferenced object' $KMEMLEAK)
	[ "$m" = 0 ] || head -n 40 $KMEMLEAK | sed "s/^/$KTAP_INDENT# /"
	ktap_result "$m" kmemleak_clean
else
	ktap_skip kmemleak_clean "no kmemleak in this kernel"
fi
ktap_finish
