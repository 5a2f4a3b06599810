# SPDX-License-Identifier: GPL-2.0
#
# Guest test (busybox sh, run by the arm initramfs's /init with
# /etc/harness.sh loaded): STRESS_CYCLES cycles of the Rust driver
# npcm_adc_rs's whole life: load, direct reads of every channel, a
# buffered capture with each kind of trigger (its own end-of-conversion
# trigger, an hrtimer trigger, a sysfs trigger), trigger switches (refused
# while the buffer runs), unbind and bind while a reader has the buffer
# open, unload. Every value is checked against the inputs the host set.
# make check runs a few cycles; scripts/stress-iio.sh runs 200.
#
# The host fails the boot on any oops, warning, lockdep or hung task report
# (scripts/qemu-arm.py); a hang ends in the boot timeout, with SysRq-w/-t
# in the log. Nothing here waits by sleeping: every wait is for data.

STRESS_CYCLES=${STRESS_CYCLES:-5}
ADC=f000c000.adc
PDRV=/sys/bus/platform/drivers/npcm_adc_rs
KMEMLEAK=/sys/kernel/debug/kmemleak
SCANS=20

# Channel c reads code 100 + 111 c (an LSB is 2000 µV with the 2.048 V
# internal reference; the input is the middle of the code's LSB).
code_of() { echo $((100 + 111 * $1)); }

# read_scans N BYTES NCH OUT: N scans of BYTES bytes from the buffer (NCH
# u16 samples first), as lines of NCH codes.
read_scans() {
	dd if="/dev/${dev##*/}" bs="$2" count="$1" 2>/dev/null |
		od -An -v -tu2 -w"$2" |
		awk -v n="$3" '{ l = ""; for (i = 1; i <= n; i++) l = l $i " "; print l }' >"$4"
}

# check_codes FILE CH...: every line holds the codes of channels CH..., and
# there are SCANS_WANT lines.
check_codes() {
	local f=$1 want=""
	shift
	for c in "$@"; do want="$want$(code_of "$c") "; done
	awk -v want="$want" -v n="$SCANS_WANT" '
	{ k++; split($0, got, " "); split(want, w, " ")
	  for (i in w) { d = got[i] - w[i]; if (d < -1 || d > 1) bad++ } }
	END { if (k != n || bad) { printf "# %d scans (want %d), %d wrong values\n", k, n, bad; exit 1 } }' "$f"
}

# capture NAME TRIGGER CH0 CH1: a buffered capture of two channels and the
# timestamp (16-byte scans) on TRIGGER; sysfs triggers are fired here.
capture() {
	local name=$1 trig=$2 r=0 i
	# Which capture runs, should one stall (the boot's time limit then ends
	# it with the blocked tasks in the log).
	ktap_diag "cycle $k: $name capture, channels $3 $4"
	iio_scan_channels "$dev" "$3" "$4"
	echo "$trig" >"$dev/trigger/current_trigger" || return 1
	echo 1 >"$dev/buffer/enable" || return 1
	if [ "$name" = sysfs ]; then
		: >/tmp/$name.scans
		i=0
		while [ $i -lt 5 ]; do
			echo 1 >"$strig/trigger_now" || r=1
			read_scans 1 16 2 /tmp/one.scans
			cat /tmp/one.scans >>/tmp/$name.scans
			i=$((i + 1))
		done
		SCANS_WANT=5
	else
		read_scans $SCANS 16 2 /tmp/$name.scans
		SCANS_WANT=$SCANS
	fi
	echo 0 >"$dev/buffer/enable" || r=1
	# A scan holds the enabled channels in index order.
	if [ "$3" -lt "$4" ]; then
		check_codes /tmp/$name.scans "$3" "$4" || r=1
	else
		check_codes /tmp/$name.scans "$4" "$3" || r=1
	fi
	return $r
}

ktap_plan 10

r=0
c=0
while [ $c -lt 8 ]; do
	host_set "adci[$c]" $(($(code_of $c) * 2000 + 1000)) || r=1
	c=$((c + 1))
done
hrtimer_trigger stress || r=1
echo 9 >/sys/bus/iio/devices/iio_sysfs_trigger/add_trigger || r=1
for t in /sys/bus/iio/devices/trigger*; do
	case $(cat "$t/name") in
	stress) echo 2000 >"$t/sampling_frequency" || r=1 ;;
	sysfstrig9) strig=$t ;;
	esac
done
[ -n "${strig-}" ] || r=1
[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK
ktap_result $r setup

f_load=0 f_read=0 f_own=0 f_hrt=0 f_sysfs=0 f_switch=0 f_unbind=0 f_unload=0
k=0
while [ $k -lt "$STRESS_CYCLES" ]; do
	# Load.
	if ! modprobe npcm_adc_rs || ! dev=$(iio_dev_of_driver npcm_adc_rs); then
		f_load=$((f_load + 1))
		ktap_diag "cycle $k: load failed"
		k=$((k + 1))
		continue
	fi
	# Direct reads of every channel.
	c=0
	while [ $c -lt 8 ]; do
		v=$(cat "$dev/in_voltage${c}_raw") || v=-9
		d=$((v - $(code_of $c)))
		if [ ${d#-} -gt 1 ]; then
			f_read=$((f_read + 1))
			ktap_diag "cycle $k: channel $c read $v, want $(code_of $c)"
		fi
		c=$((c + 1))
	done
	# Captures on two channels that change with the cycle.
	a=$((k % 8))
	b=$(((k + 3) % 8))
	capture own npcm-adc-eoc $a $b || { f_own=$((f_own + 1)); ktap_diag "cycle $k: own trigger capture failed"; }
	capture hrtimer stress $a $b || { f_hrt=$((f_hrt + 1)); ktap_diag "cycle $k: hrtimer capture failed"; }
	capture sysfs sysfstrig9 $a $b || { f_sysfs=$((f_sysfs + 1)); ktap_diag "cycle $k: sysfs capture failed"; }
	# Trigger switches: refused while the buffer runs, then allowed.
	r=0
	echo npcm-adc-eoc >"$dev/trigger/current_trigger" && echo 1 >"$dev/buffer/enable" || r=1
	(echo stress >"$dev/trigger/current_trigger") 2>/dev/null && r=1
	[ "$(cat "$dev/trigger/current_trigger")" = npcm-adc-eoc ] || r=1
	echo 0 >"$dev/buffer/enable" || r=1
	echo stress >"$dev/trigger/current_trigger" || r=1
	echo sysfstrig9 >"$dev/trigger/current_trigger" || r=1
	[ $r = 0 ] || { f_switch=$((f_switch + 1)); ktap_diag "cycle $k: trigger switch failed"; }
	# Unbind while a reader has the buffer open, on the own trigger; bind.
	r=0
	echo npcm-adc-eoc >"$dev/trigger/current_trigger" && echo 1 >"$dev/buffer/enable" || r=1
	dd if="/dev/${dev##*/}" of=/dev/null bs=16 2>/dev/null &
	reader=$!
	read_scans 2 16 2 /dev/null
	echo $ADC >$PDRV/unbind || r=1
	wait $reader
	iio_dev_of_driver npcm_adc_rs >/dev/null && r=1
	echo $ADC >$PDRV/bind && dev=$(iio_dev_of_driver npcm_adc_rs) || r=1
	cat "$dev/in_voltage0_raw" >/dev/null || r=1
	[ $r = 0 ] || { f_unbind=$((f_unbind + 1)); ktap_diag "cycle $k: unbind/bind failed"; }
	# Unload (the own trigger as current trigger would hold the module).
	echo "" >"$dev/trigger/current_trigger"
	if ! rmmod npcm_adc_rs || iio_dev_of_driver npcm_adc_rs >/dev/null; then
		f_unload=$((f_unload + 1))
		ktap_diag "cycle $k: unload failed"
	fi
	k=$((k + 1))
	[ $((k % 10)) = 0 ] && ktap_diag "stress: $k of $STRESS_CYCLES cycles"
done
ktap_diag "stress: $k cycles; failures: load $f_load read $f_read own $f_own hrtimer $f_hrt sysfs $f_sysfs switch $f_switch unbind $f_unbind unload $f_unload"
ktap_result $f_load load
ktap_result $f_read direct_reads
ktap_result $f_own own_trigger_captures
ktap_result $f_hrt hrtimer_captures
ktap_result $f_sysfs sysfs_captures
ktap_result $f_switch trigger_switches
ktap_result $f_unbind unbind_bind_while_reading
ktap_result $f_unload unload

echo 9 >/sys/bus/iio/devices/iio_sysfs_trigger/remove_trigger
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	n=$(grep -c '^unreferenced object' $KMEMLEAK)
	[ "$n" = 0 ] || head -n 40 $KMEMLEAK | sed "s/^/$KTAP_INDENT# /"
	ktap_result "$n" kmemleak_clean
else
	ktap_skip kmemleak_clean "no kmemleak in this kernel"
fi
ktap_finish
