# SPDX-License-Identifier: GPL-2.0
#
# Guest test (busybox sh, run by the arm initramfs's /init with
# /etc/harness.sh loaded): the upstream C driver npcm_adc against QEMU's
# NPCM7xx ADC model on -M npcm750-evb. Prints one KTAP subtest.
#
# The host sets the model's inputs adci[N] (µV) over QMP when asked
# (host_set). The model converts as code = min(1023, adci * 1024 / ref), with
# ref = iref when the driver selects the internal reference (ADCCON.REFSEL),
# else vref. npcm_adc uses the internal reference unless the devicetree gives
# the ADC a vref-supply, which the EVB devicetree does not; its scale is then
# 2048 mV / 2^10 whatever the model's iref is, so the host must run the model
# with iref = 2048000 µV for scale * raw to match (scripts/qemu-arm.py does).
#
# ADC_DRIVER/ADC_MODULE select the driver under test, so that the same checks
# can be pointed at another driver for the same hardware. A driver built into
# the kernel (modules.builtin; a grafted kernel) is not loaded or unloaded:
# those two checks are skipped, the others are the same. When the ADC is
# bound to another driver built into the kernel, this driver cannot have it:
# every check is skipped.

ADC_DRIVER=${ADC_DRIVER:-npcm_adc}
ADC_MODULE=${ADC_MODULE:-npcm_adc}
builtin_module() { grep -q "/$1\.ko\$" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null; }
builtin=0
builtin_module "$ADC_MODULE" && builtin=1

# Inputs in µV: zero, the smallest steps, code boundaries (for a 2.048 V
# reference one LSB is 2000 µV), mid-scale, just below/at/above full scale.
# Nothing above 4194303 µV: the model computes adci * 1024 in 32 bits.
SWEEP="0 1 1999 2000 2001 500000 1000000 1234567 1999999 2045999 2046000 2047999 2048000 3300000"

ktap_plan 13

holder=
for d in /sys/bus/platform/drivers/*/*.adc; do
	[ -e "$d" ] || continue
	drv=$(basename "$(dirname "$d")")
	[ "$drv" != "$ADC_DRIVER" ] && builtin_module "$drv" && holder=$drv
done
if [ -n "$holder" ]; then
	for t in load_module iio_device scale_matches_reference channel0 channel1 channel2 \
		channel3 channel4 channel5 channel6 channel7 vref_ignored unload; do
		ktap_skip "$t" "the ADC belongs to $holder, built into this kernel"
	done
	ktap_finish
	exit
fi

# 1: the module loads and binds to the EVB's ADC node (built in: it did).
if [ $builtin = 1 ]; then
	ktap_skip load_module "built in"
elif modprobe "$ADC_MODULE"; then
	ktap_ok load_module
else
	ktap_not_ok load_module
fi

# 2: an IIO device appears, bound to the driver, with 8 voltage channels.
dev=$(iio_dev_of_driver "$ADC_DRIVER")
n=0
for c in 0 1 2 3 4 5 6 7; do [ -r "$dev/in_voltage${c}_raw" ] && n=$((n + 1)); done
if [ -n "$dev" ] && [ $n = 8 ]; then
	ktap_diag "$dev: name $(cat "$dev/name"), 8 channels"
	ktap_ok iio_device
else
	ktap_diag "no IIO device of $ADC_DRIVER with 8 channels (found '$dev', $n channels)"
	ktap_not_ok iio_device
	ktap_skip scale_matches_reference "no device"
	for c in 0 1 2 3 4 5 6 7; do ktap_skip "channel$c" "no device"; done
	ktap_skip vref_ignored "no device"
	ktap_skip unload "no device"
	ktap_finish
	exit
fi

# 3: which reference the conversion uses, and the scale the driver reports
# for it (IIO_VAL_FRACTIONAL_LOG2, printed as mV with 9 decimals).
adcnode=$(find /proc/device-tree/ -name 'adc@c000' | head -n 1)
if [ -e "$adcnode/vref-supply" ]; then
	internal=0
	ref=$(cat /sys/class/regulator/*/microvolts 2>/dev/null | head -n 1)
	host_set vref "$ref"
else
	internal=1
	ref=$(host_get iref)
fi
scale=$(cat "$dev/in_voltage_scale")
int=${scale%.*}
frac=${scale#*.}
# Integers only: nscale is the scale in units of 1e-9 mV per LSB, so that
# µV = raw * nscale / 1e6.
frac=$(printf '%s000000000' "$frac" | cut -c1-9)
nscale=$((int * 1000000000 + $(echo "$frac" | sed 's/^0*//;s/^$/0/')))
lsb_uv=$((nscale / 1000000))
ktap_diag "reference: $([ $internal = 1 ] && echo internal || echo external) $ref µV; scale $scale mV ($lsb_uv µV/LSB)"
# The scale must describe the reference the model converts with: 1024 LSB
# span ref, to within one µV per LSB.
span=$((nscale * 1024 / 1000000))
d=$((span - ref))
if [ ${d#-} -le 1024 ]; then
	ktap_ok scale_matches_reference
else
	ktap_diag "1024 * scale = $span µV but the model's reference is $ref µV"
	ktap_not_ok scale_matches_reference
fi

# Expected code for an input in µV.
code_of() {
	local e=$(($1 * 1024 / ref))
	[ $e -gt 1023 ] && e=1023
	echo $e
}

# 4..11: the sweep, one KTAP line per channel. At step k channel c gets the
# ((k + c) mod n)-th input, so at every step the eight channels hold
# different inputs (a driver that reads the wrong channel fails) and every
# channel sees every input.
set -- $SWEEP
nsweep=$#
for c in 0 1 2 3 4 5 6 7; do eval "bad$c=0"; done
k=0
while [ $k -lt $nsweep ]; do
	for c in 0 1 2 3 4 5 6 7; do
		i=$(((k + c) % nsweep + 1))
		eval "v=\${$i}"
		eval "in$c=$v"
		host_set "adci[$c]" "$v" || eval "bad$c=\$((bad$c + 1))"
	done
	for c in 0 1 2 3 4 5 6 7; do
		eval "v=\$in$c"
		want=$(code_of "$v")
		raw=$(read_raw "$dev/in_voltage${c}_raw") || raw=-1
		d=$((raw - want))
		if [ "$raw" -lt 0 ] || [ ${d#-} -gt 1 ]; then
			ktap_diag "channel $c: input $v µV read $raw, model code $want"
			eval "bad$c=\$((bad$c + 1))"
			continue
		fi
		# scale * raw within one LSB of the input, below full scale.
		if [ "$want" -lt 1023 ]; then
			got_uv=$((raw * nscale / 1000000))
			d=$((got_uv - v))
			if [ ${d#-} -gt $lsb_uv ]; then
				ktap_diag "channel $c: input $v µV, raw $raw * scale = $got_uv µV (> 1 LSB off)"
				eval "bad$c=\$((bad$c + 1))"
			fi
		fi
	done
	k=$((k + 1))
done
raw_retries_diag
for c in 0 1 2 3 4 5 6 7; do
	eval "b=\$bad$c"
	[ "$b" = 0 ] || ktap_diag "channel $c: $b of $nsweep sweep points wrong"
	ktap_result "$b" "channel$c"
done

# 12: with the internal reference selected, the model's external reference
# must not matter; with the external one, the code must follow it.
if [ $internal = 1 ]; then
	host_set "adci[0]" 1000000 && host_set vref 1000000
	raw=$(cat "$dev/in_voltage0_raw")
	want=$(code_of 1000000)
	d=$((raw - want))
	if [ ${d#-} -le 1 ]; then ktap_ok vref_ignored; else
		ktap_diag "vref 1 V changed the internal-reference reading: $raw, want $want"
		ktap_not_ok vref_ignored
	fi
else
	ktap_skip vref_ignored "driver uses the external reference"
fi

# 13: unload cleanly, and the device goes away.
if [ $builtin = 1 ]; then
	ktap_skip unload "built in"
elif rmmod "$ADC_MODULE" && ! iio_dev_of_driver "$ADC_DRIVER" >/dev/null; then
	ktap_ok unload
else
	ktap_not_ok unload
fi

ktap_finish
