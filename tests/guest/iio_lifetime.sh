#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test (x86_64 virtme-ng boot, scripts/guest-run.sh; the modules are
# loaded): lifetimes of the Rust IIO abstractions, with the test module
# iio_rs_lifetime (tests/iio/lifetime.rs), which builds a trigger and a
# buffered device with them on faux devices and is driven through
# /sys/kernel/debug/iio_rs_lifetime/ctl. Prints KTAP.
#
# Each case removes a trigger or a device while something still uses it;
# the test module counts operations that ran on dropped trigger data
# ("bad"), and the harness fails the boot on any oops, warning, KASAN or
# kmemleak report in the kernel log.

CTL=/sys/kernel/debug/iio_rs_lifetime/ctl
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
result() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }
diag() { echo "# $*"; }
ctl() { echo "$*" >"$CTL"; }
# counter NAME: a counter of the test module.
counter() { sed -n "s/.*\b$1 \([0-9]*\).*/\1/p" "$CTL"; }
find_dev() {
	for d in /sys/bus/iio/devices/iio:device*; do
		[ "$(cat "$d/name" 2>/dev/null)" = rs_lifetime ] && { echo "$d"; return 0; }
	done
	return 1
}
# setup TRIGGER: both channels and the timestamp, on TRIGGER.
setup() {
	echo 1 >"$dev/scan_elements/in_voltage0_en"
	echo 1 >"$dev/scan_elements/in_voltage1_en"
	echo 1 >"$dev/scan_elements/in_timestamp_en"
	echo 64 >"$dev/buffer/length"
	echo "$1" >"$dev/trigger/current_trigger"
}
# scans N FILE: reads N 16-byte scans (u32 counter, u8 own flag, padding,
# s64 timestamp) into FILE as lines "counter own timestamp".
scans() {
	timeout 20 dd if="/dev/${dev##*/}" bs=16 count="$1" iflag=fullblock 2>/dev/null |
		od -An -v -tu4 -w16 |
		awk '{ printf "%d %d %.0f\n", $1, $2 % 256, $3 + $4 * 4294967296 }' >"$2"
}
# check_scans FILE N OWN: N scans, counters consecutive, own flag OWN,
# timestamps not zero and strictly increasing.
check_scans() {
	awk -v n="$2" -v own="$3" '
	{ k++; if (k > 1 && ($1 != prev + 1 || $3 <= pts)) bad++
	  if ($2 != own || $3 == 0) bad++; prev = $1; pts = $3 }
	END { if (k != n || bad) { printf "# %d scans, %d bad\n", k, bad; exit 1 } }' "$1"
}

[ -w "$CTL" ] || modprobe iio_rs_lifetime 2>/dev/null
if [ ! -w "$CTL" ]; then
	echo "KTAP version 1"
	echo "1..0 # SKIP iio_rs_lifetime not loaded"
	exit 0
fi
echo "KTAP version 1"
echo "1..9"

# 1: registration refuses a scan storage smaller than the largest scan
# (the command succeeds only if register_buffered() failed with EINVAL).
ctl dev-add-small
result $? scan_storage_checked_at_registration

# 2: a trigger polled with no consumer queues the core's reenable work;
# its driver then unbinds at once. The work must never run on dropped
# data: 50 times, half of them after the work ran once (trig-poll waits
# for it) and was queued again.
r=0
i=0
while [ $i -lt 50 ]; do
	ctl trig-add || r=1
	[ $((i % 2)) = 0 ] && { ctl trig-poll 1 || r=1; }
	ctl trig-burst 3 || r=1
	ctl trig-del || r=1
	i=$((i + 1))
done
diag "reenable ran $(counter reenable) times, bad $(counter bad)"
[ "$(counter reenable)" -gt 0 ] && [ "$(counter bad)" = 0 ] || r=1
result $r trigger_polled_without_consumer_then_unbound

# 3: the device's own trigger: scans have consecutive counters, the own
# flag (Scan::using_own_trigger) and increasing timestamps.
ctl dev-add && dev=$(find_dev)
r=$?
if [ $r = 0 ]; then
	setup rs-lifetime-own
	echo 1 >"$dev/buffer/enable" || r=1
	ctl own-poll 10 || r=1
	scans 10 /tmp/own.scans
	check_scans /tmp/own.scans 10 1 || r=1
	echo 0 >"$dev/buffer/enable" || r=1
fi
result $r own_trigger_scans

# 4: another driver's trigger, polled from interrupt context and from a
# thread (poll_nested: no top half, so the timestamp comes from the bottom
# half; it must not be 0 or stale).
r=0
ctl trig-add || r=1
setup rs-lifetime-trig
echo 1 >"$dev/buffer/enable" || r=1
ctl trig-poll 5 || r=1
scans 5 /tmp/hard.scans
check_scans /tmp/hard.scans 5 0 || r=1
ctl trig-poll-nested 5 || r=1
scans 5 /tmp/nested.scans
check_scans /tmp/nested.scans 5 0 || r=1
last_hard=$(tail -n 1 /tmp/hard.scans | cut -d' ' -f3)
first_nested=$(head -n 1 /tmp/nested.scans | cut -d' ' -f3)
[ "${first_nested:-0}" -gt "${last_hard:-0}" ] 2>/dev/null || {
	diag "nested timestamp $first_nested not after $last_hard"
	r=1
}
result $r foreign_trigger_hard_and_nested_timestamps

# 5: the trigger's driver unbinds while our buffer runs on it: nothing
# breaks; disabling afterwards works (the trigger's set_state is then a
# no-op), enabling again is refused (ENODEV), and the device still reads.
r=0
ctl trig-del || r=1
echo 0 >"$dev/buffer/enable" || r=1
if echo 1 >"$dev/buffer/enable" 2>/dev/null; then
	diag "buffer enabled on a trigger whose driver is gone"
	echo 0 >"$dev/buffer/enable"
	r=1
fi
echo "" >"$dev/trigger/current_trigger" || r=1
cat "$dev/in_voltage0_raw" >/dev/null || r=1
result $r trigger_unbound_while_in_use

# 6: the device unbinds with its buffer enabled on another driver's
# trigger, which is then polled without consumer, then unbinds itself.
r=0
ctl trig-add || r=1
setup rs-lifetime-trig
echo 1 >"$dev/buffer/enable" || r=1
ctl dev-del || r=1
find_dev >/dev/null && { diag "device still there"; r=1; }
ctl trig-burst 5 || r=1
ctl trig-del || r=1
result $r trigger_polled_after_consumer_unbound

# 7: the device unbinds while a reader has its buffer open: the reader
# gets an error or end of file and the device goes away.
r=0
ctl dev-add && dev=$(find_dev) || r=1
setup rs-lifetime-own
echo 1 >"$dev/buffer/enable" || r=1
cat "/dev/${dev##*/}" >/tmp/reader.out 2>/tmp/reader.err &
reader=$!
# Until the reader has the device open.
w=0
while ! ls -l /proc/$reader/fd 2>/dev/null | grep -q iio && [ $w -lt 1000 ]; do
	sleep 0.01
	w=$((w + 1))
done
ls -l /proc/$reader/fd 2>/dev/null | grep -q iio || { diag "the reader did not open the device"; r=1; }
ctl own-poll 3 || r=1
ctl dev-del || r=1
w=0
while kill -0 $reader 2>/dev/null && [ $w -lt 500 ]; do sleep 0.01; w=$((w + 1)); done
if kill -0 $reader 2>/dev/null; then
	diag "the reader did not stop"
	kill $reader
	r=1
fi
wait $reader 2>/dev/null
diag "reader got $(stat -c %s /tmp/reader.out) bytes: $(cat /tmp/reader.err)"
result $r unbind_with_open_buffer_fd

# 8: no operation ever ran on dropped trigger data.
diag "counters: $(cat $CTL)"
[ "$(counter bad)" = 0 ]
result $? no_operation_on_dropped_data

# 9: kmemleak, when the kernel has it: nothing unreferenced. Objects
# younger than 5 s are not reported: scan, wait, scan.
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	if grep -q '^unreferenced object' $KMEMLEAK; then
		head -n 30 $KMEMLEAK | sed 's/^/# /'
		not_ok kmemleak_clean
	else
		ok kmemleak_clean
	fi
else
	ok "kmemleak_clean # SKIP no kmemleak"
fi
[ $fail = 0 ]
