# SPDX-License-Identifier: GPL-2.0
#
# Guest test (busybox sh, run by the arm initramfs's /init with
# /etc/harness.sh loaded): the Rust driver npcm_adc_rs and the C driver
# npcm_adc, loaded one after the other in the same boot, read the same
# inputs: their raw values must be identical, and both the model's codes.
#
# Step k puts (173000 k + 59000 c + 1000) mod 4000000 µV on channel c: the
# whole range (saturating at code 1023 above 2.048 V; at most 4 V, as the
# model computes µV * 1024 in 32 bits), with codes that differ between
# channels.

STEPS=${COMPARE_STEPS:-6}

input_of() { echo $(((173000 * $1 + 59000 * $2 + 1000) % 4000000)); }

# read_all DRIVER OUT: for every step, set the inputs and append
# "k c raw" for the eight channels to OUT.
read_all() {
	local drv=$1 out=$2 dev k c raw
	: >"$out"
	modprobe "$drv" || return 1
	dev=$(iio_dev_of_driver "$drv") || { rmmod "$drv"; return 1; }
	k=0
	while [ $k -lt "$STEPS" ]; do
		for c in 0 1 2 3 4 5 6 7; do host_set "adci[$c]" "$(input_of $k $c)" || return 1; done
		for c in 0 1 2 3 4 5 6 7; do
			raw=$(read_raw "$dev/in_voltage${c}_raw") || raw=error
			echo "$k $c $raw" >>"$out"
		done
		k=$((k + 1))
	done
	rmmod "$drv"
}

# expected OUT: what the model converts, in the same format.
expected() {
	local out=$1 k c e
	: >"$out"
	k=0
	while [ $k -lt "$STEPS" ]; do
		for c in 0 1 2 3 4 5 6 7; do
			e=$(($(input_of $k $c) * 1024 / 2048000))
			[ $e -gt 1023 ] && e=1023
			echo "$k $c $e" >>"$out"
		done
		k=$((k + 1))
	done
}

ktap_plan 5
read_all npcm_adc /tmp/cmp_c
ktap_result $? c_driver_reads
read_all npcm_adc_rs /tmp/cmp_rs
ktap_result $? rust_driver_reads
raw_retries_diag
expected /tmp/cmp_model

if cmp -s /tmp/cmp_c /tmp/cmp_rs && [ -s /tmp/cmp_c ]; then
	ktap_diag "$(wc -l </tmp/cmp_c) readings identical"
	ktap_ok identical_raw_values
else
	diff /tmp/cmp_c /tmp/cmp_rs | head -n 10 | sed "s/^/$KTAP_INDENT# /"
	ktap_not_ok identical_raw_values
fi
# The model converts exactly; allow the ±1 LSB the sweep tests allow.
within_one() {
	paste "$1" /tmp/cmp_model | awk '{ d = $3 - $6; if (d < -1 || d > 1 || $3 == "error") bad++ }
		END { exit bad > 0 }'
}
within_one /tmp/cmp_c
ktap_result $? c_matches_model
within_one /tmp/cmp_rs
ktap_result $? rust_matches_model
ktap_finish
