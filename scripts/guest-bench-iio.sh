# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench-iio.sh (busybox sh on the arm test bed, run by
# the initramfs's /init with /etc/harness.sh loaded). Prints its figures as
# "# bench: ..." lines inside one KTAP subtest:
#
#   # bench: latency DRIVER reads N errors E median_ns M p90_ns ...
#   # bench: hrtimer RATE_HZ scans N secs S rate_hz R nonmono X lost L ...
#   # bench: sampling_frequency HZ
#   # bench: own NCHANNELS scans N secs S rate_hz R ...
#
# Latency: BENCH_READS direct reads of in_voltage0_raw (iio_read_latency),
# for the C driver npcm_adc and the Rust driver npcm_adc_rs in turn.
# Buffered rate (Rust only; the C driver has no buffer): channel 0 and the
# timestamp on an hrtimer trigger at each rate of BENCH_RATES for
# BENCH_SECS seconds, read by iio_capture, until a rate loses scans (a
# trigger delivered to the device whose scan user space did not get).

BENCH_READS=${BENCH_READS:-2000}
BENCH_RATES=${BENCH_RATES:-"500 1000 2000 3000 4000 6000 8000 12000 16000"}
BENCH_SECS=${BENCH_SECS:-10}

ktap_plan 4
r=0
host_set "adci[0]" 1001000 || r=1
for drv in npcm_adc npcm_adc_rs; do
	modprobe $drv && dev=$(iio_dev_of_driver $drv) || { r=1; continue; }
	line=$(iio_read_latency "$dev/in_voltage0_raw" "$BENCH_READS") || r=1
	ktap_diag "bench: latency $drv $line"
	rmmod $drv
done
ktap_result $r direct_read_latency

r=0
modprobe npcm_adc_rs && dev=$(iio_dev_of_driver npcm_adc_rs) || r=1
echo monotonic >"$dev/current_timestamp_clock"
iio_scan_channels "$dev" 0
echo 65536 >"$dev/buffer/length"
hrtimer_trigger bench || r=1
for t in /sys/bus/iio/devices/trigger*; do
	[ "$(cat "$t/name")" = bench ] && trig=$t
done
echo bench >"$dev/trigger/current_trigger" || r=1
for rate in $BENCH_RATES; do
	[ $r = 0 ] || break
	echo "$rate" >"$trig/sampling_frequency"
	echo 1 >"$dev/buffer/enable" || { r=1; break; }
	# Scans of 16 bytes: channel 0, padding, the timestamp at byte 8.
	# Lost scans: triggers the core delivered (poll function interrupt
	# count) minus scans read, after slowing the trigger and draining.
	line=$(IIO_CAPTURE_STOP="$trig/sampling_frequency=1" \
		IIO_CAPTURE_IRQ="npcm_adc_consumer${dev##*device}" \
		iio_capture "/dev/${dev##*/}" 16 8 "$BENCH_SECS" $((1000000000 / rate))) || r=1
	echo 0 >"$dev/buffer/enable"
	ktap_diag "bench: hrtimer $rate $line"
	case $line in *" missing 0") ;; *) break ;; esac
done
ktap_result $r hrtimer_rates
echo "" >"$dev/trigger/current_trigger"

# The own trigger runs conversions back to back: its rate against what the
# emulated converter can do (its clock after the divider, in
# in_voltage_sampling_frequency, over the clocks per conversion; the host
# side computes the ratio). One channel (16-byte scans, timestamp at 8),
# then eight (24 bytes, at 16).
r=0
ktap_diag "bench: sampling_frequency $(cat "$dev/in_voltage_sampling_frequency")"
echo npcm-adc-eoc >"$dev/trigger/current_trigger" || r=1
for nch in 1 8; do
	if [ $nch = 1 ]; then
		iio_scan_channels "$dev" 0
		bytes=16 ts=8
	else
		iio_scan_channels "$dev" 0 1 2 3 4 5 6 7
		bytes=24 ts=16
	fi
	echo 1 >"$dev/buffer/enable" || r=1
	line=$(iio_capture "/dev/${dev##*/}" $bytes $ts "$BENCH_SECS" 0) || r=1
	echo 0 >"$dev/buffer/enable"
	ktap_diag "bench: own $nch $line"
done
echo "" >"$dev/trigger/current_trigger"
ktap_result $r own_trigger_rates
rmmod npcm_adc_rs
ktap_result $? unload
ktap_finish
