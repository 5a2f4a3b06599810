# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the ADC part of `make demo` (busybox sh on the arm test
# bed, run by the initramfs's /init with /etc/harness.sh loaded): a
# buffered capture of channels 0 and 1 with the Rust driver's own trigger
# while the host feeds a waveform over QMP, a sine on channel 0 and a ramp
# on channel 1, one point at a time (host_set). Prints, inside one KTAP
# subtest, what scripts/demo.sh turns into a plot and a table:
#
#   # demo-scale MV_PER_LSB
#   # demo-step K T_BEFORE_NS T_AFTER_NS UV0 UV1     (the inputs set)
#   # demo-scan T_NS CODE0 CODE1                     (the scans read)

DEMO_STEPS=${DEMO_STEPS:-60}
# Scans printed at most (the capture has many more; the plot needs no more).
DEMO_POINTS=${DEMO_POINTS:-4000}

now_ns() { sed -n 's/^now at \([0-9]*\) nsecs/\1/p;3q' /proc/timer_list; }

# The waveform, in µV: a sine of 2 periods around 1 V (0.1 .. 1.9 V) on
# channel 0, a ramp from 0.05 V to 2.0 V on channel 1.
wave() {
	awk -v k="$1" -v n="$DEMO_STEPS" 'BEGIN {
		printf "%d %d\n", 1000000 + 900000 * sin(2 * 3.14159265 * 2 * k / n),
			50000 + 1950000 * k / (n - 1) }'
}

ktap_plan 2
r=0
modprobe npcm_adc_rs && dev=$(iio_dev_of_driver npcm_adc_rs) || r=1
echo monotonic >"$dev/current_timestamp_clock"
ktap_diag "demo-scale $(cat "$dev/in_voltage_scale")"
set -- $(wave 0)
host_set "adci[0]" "$1" && host_set "adci[1]" "$2" || r=1
iio_scan_channels "$dev" 0 1
echo npcm-adc-eoc >"$dev/trigger/current_trigger"
echo 4096 >"$dev/buffer/length"
echo 1 >"$dev/buffer/enable" || r=1
# 16-byte scans: two u16, padding, the timestamp at byte 8.
dd if="/dev/${dev##*/}" of=/tmp/demo.bin bs=16 2>/dev/null &
reader=$!
k=0
: >/tmp/steps
while [ $k -lt "$DEMO_STEPS" ]; do
	set -- $(wave $k)
	t0=$(now_ns)
	host_set "adci[0]" "$1" && host_set "adci[1]" "$2" || r=1
	t1=$(now_ns)
	echo "$k $t0 $t1 $1 $2" >>/tmp/steps
	k=$((k + 1))
done
# A last stretch of scans at the last point.
n=$(($(stat -c %s /tmp/demo.bin) / 16 + 200))
while [ $(($(stat -c %s /tmp/demo.bin) / 16)) -lt $n ]; do usleep 2000; done
kill $reader
wait $reader 2>/dev/null
echo 0 >"$dev/buffer/enable" || r=1
echo "" >"$dev/trigger/current_trigger"
ktap_result $r capture_with_waveform
sed "s/^/$KTAP_INDENT# demo-step /" /tmp/steps
total=$(($(stat -c %s /tmp/demo.bin) / 16))
every=$(((total + DEMO_POINTS - 1) / DEMO_POINTS))
ktap_diag "demo: $total scans, $DEMO_STEPS steps; printing every ${every}th scan"
od -An -v -tu2 -w16 /tmp/demo.bin | awk -v e="$every" -v ind="$KTAP_INDENT" '
	NR % e == 1 || e == 1 {
		printf "%s# demo-scan %.0f %d %d\n", ind, $5 + $6 * 65536 + $7 * 4294967296 + $8 * 281474976710656, $1, $2 }'
rmmod npcm_adc_rs
ktap_result $? unload
ktap_finish
