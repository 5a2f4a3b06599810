# SPDX-License-Identifier: GPL-2.0
#
# Guest test (busybox sh, run by the arm initramfs's /init with
# /etc/harness.sh loaded): bad input and teardown for the Rust driver
# npcm_adc_rs. Invalid sysfs writes must fail with an error and change
# nothing; unbinding, unloading and removing the trigger while a buffered
# capture runs must end cleanly; afterwards the driver must still work and
# kmemleak must report nothing. The host fails the boot on any oops or
# warning in the kernel log (scripts/qemu-arm.py).

ADC=f000c000.adc
PDRV=/sys/bus/platform/drivers/npcm_adc_rs
KMEMLEAK=/sys/kernel/debug/kmemleak

# must_fail NAME VALUE FILE: writing VALUE to FILE fails.
must_fail() {
	if (echo "$2" >"$3") 2>/dev/null; then
		ktap_diag "$1: writing '$2' to $3 succeeded"
		return 1
	fi
	return 0
}

# buffer_setup TRIGGER CHANNEL...: channels, timestamp and trigger.
buffer_setup() {
	local trig=$1
	shift
	iio_scan_channels "$dev" "$@"
	echo "$trig" >"$dev/trigger/current_trigger"
}

# start_reader SECONDS: iio_capture on the buffer in the background
# (channels 2 and 5 and the timestamp: 16-byte scans).
start_reader() {
	iio_capture "/dev/${dev##*/}" 16 8 "$1" 0 >/tmp/reader.out 2>&1 &
	reader=$!
	# Until the reader has the device open.
	n=0
	while [ $n -lt 500 ] && ! ls -l /proc/$reader/fd 2>/dev/null | grep -q iio; do
		usleep 2000
		n=$((n + 1))
	done
}

find_dev() { dev=$(iio_dev_of_driver npcm_adc_rs); }

ktap_plan 14

[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK
modprobe npcm_adc_rs && find_dev
ktap_result $? load_module
[ -n "$dev" ] || { ktap_finish; exit 1; }

# 2: read-only attributes refuse writes.
r=0
for a in in_voltage_scale in_voltage_sampling_frequency in_voltage0_raw; do
	must_fail readonly 1 "$dev/$a" || r=1
done
ktap_result $r readonly_attributes_refuse_writes

# 3: a trigger name that does not exist: the core takes it as "no
# trigger" (the device lets go of its trigger), and a buffer without a
# trigger cannot be enabled.
buffer_setup npcm-adc-eoc 2 5
echo no-such-trigger >"$dev/trigger/current_trigger" &&
	[ -z "$(cat "$dev/trigger/current_trigger")" ] &&
	must_fail no_trigger 1 "$dev/buffer/enable"
ktap_result $? unknown_trigger_means_none

# 4: a buffer with no channel enabled.
buffer_setup npcm-adc-eoc
echo 0 >"$dev/scan_elements/in_timestamp_en"
must_fail empty_scan 1 "$dev/buffer/enable" && [ "$(cat "$dev/buffer/enable")" = 0 ]
ktap_result $? empty_scan_refused

# 5: a buffer too large to allocate: refused, and nothing changes.
buffer_setup npcm-adc-eoc 2 5
r=0
echo 1000000000 >"$dev/buffer/length" || r=1
must_fail huge_buffer 1 "$dev/buffer/enable" || r=1
[ "$(cat "$dev/buffer/enable")" = 0 ] || r=1
echo 256 >"$dev/buffer/length" || r=1
ktap_result $r huge_buffer_refused

# 6: with the buffer on, direct reads are refused (EBUSY); off, they work.
r=0
echo 1 >"$dev/buffer/enable" || r=1
cat "$dev/in_voltage0_raw" >/dev/null 2>&1 && { ktap_diag "direct read while buffered succeeded"; r=1; }
echo 0 >"$dev/buffer/enable" || r=1
cat "$dev/in_voltage0_raw" >/dev/null || r=1
ktap_result $r direct_read_busy_while_buffered

# 7: unbind while a capture runs (reader has the device open), own trigger.
buffer_setup npcm-adc-eoc 2 5
echo 1 >"$dev/buffer/enable"
start_reader 30
r=0
echo $ADC >$PDRV/unbind || r=1
iio_dev_of_driver npcm_adc_rs >/dev/null && { ktap_diag "device still there after unbind"; r=1; }
# The reader gets an error (the device is gone) and stops.
wait $reader
ktap_diag "reader after unbind: $(cat /tmp/reader.out | tr '\n' ' ')"
ktap_result $r unbind_while_capturing

# 8: bind again: the device comes back and reads.
r=0
echo $ADC >$PDRV/bind && find_dev && cat "$dev/in_voltage3_raw" >/dev/null || r=1
ktap_result $r rebind

# 9: rmmod while the reader has the device open: refused, device works on.
buffer_setup npcm-adc-eoc 2 5
echo 1 >"$dev/buffer/enable"
start_reader 3
r=0
if rmmod npcm_adc_rs 2>/dev/null; then
	ktap_diag "rmmod succeeded with the device open"
	r=1
fi
wait $reader
grep -q '^scans [1-9]' /tmp/reader.out || { ktap_diag "reader: $(cat /tmp/reader.out)"; r=1; }
ktap_result $r rmmod_refused_while_open

# 10: rmmod with the buffer on (nobody has the device open): refused, as
# the IIO core holds the driver module while a trigger feeds the device;
# once the buffer is off, rmmod works.
r=0
hrtimer_trigger robust || r=1
echo 0 >"$dev/buffer/enable"
buffer_setup robust 2 5
echo 1 >"$dev/buffer/enable" || r=1
rmmod npcm_adc_rs 2>/dev/null && { ktap_diag "rmmod succeeded with the buffer on"; r=1; }
echo 0 >"$dev/buffer/enable" || r=1
echo "" >"$dev/trigger/current_trigger"
rmmod npcm_adc_rs || r=1
iio_dev_of_driver npcm_adc_rs >/dev/null && r=1
ktap_result $r rmmod_refused_while_buffer_on

# 11..12: remove the sysfs trigger the running buffer uses.
modprobe npcm_adc_rs && find_dev
r=0
echo 9 >/sys/bus/iio/devices/iio_sysfs_trigger/add_trigger || r=1
buffer_setup sysfstrig9 2 5
echo 1 >"$dev/buffer/enable" || r=1
for t in /sys/bus/iio/devices/trigger*; do
	[ "$(cat "$t/name" 2>/dev/null)" = sysfstrig9 ] && echo 1 >"$t/trigger_now"
done
echo 9 >/sys/bus/iio/devices/iio_sysfs_trigger/remove_trigger || r=1
ktap_result $r trigger_removed_while_in_use
r=0
echo 0 >"$dev/buffer/enable" || r=1
echo "" >"$dev/trigger/current_trigger" || r=1
cat "$dev/in_voltage1_raw" >/dev/null || r=1
ktap_result $r usable_after_trigger_removal

# 13: unload.
rmmod npcm_adc_rs && ! iio_dev_of_driver npcm_adc_rs >/dev/null
ktap_result $? unload

# 14: kmemleak: nothing unreferenced. Objects younger than 5 s are not
# reported, so scan, wait, scan.
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	n=$(grep -c '^unreferenced object' $KMEMLEAK)
	if [ "$n" = 0 ]; then
		ktap_ok kmemleak_clean
	else
		head -n 40 $KMEMLEAK | sed "s/^/$KTAP_INDENT# /"
		ktap_not_ok kmemleak_clean
	fi
else
	ktap_skip kmemleak_clean "no kmemleak in this kernel"
fi
ktap_finish
