#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The main demo: `make demo`. Builds what it needs, boots the x86_64 test
# kernel under QEMU (virtme-ng, TCG) and shows our modules at work, then
# boots the arm (NPCM750) kernel: the C and the Rust ADC drivers read the
# inputs the host sets, and a buffered capture with the Rust driver's own
# trigger records a sine and a ramp the host feeds over QMP, plotted to
# build/demo/adc.png with a table of set vs read voltages.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP"

kx86=$(scripts/build-kernel.sh x86_64)
say "demo: building our modules"
make -s
# Every module but the ADC driver (there is no NPCM7xx ADC on this
# machine), test helpers that show nothing by themselves, and the camera
# drivers with their emulated board, which the camera part loads.
mods=(build/x86_64/kernel_ext.ko)
mapfile -t -O 1 mods < <(find build/x86_64/drivers build/x86_64/tests -name '*.ko' |
	grep -v -e '/npcm_adc_rs\.ko$' -e '/iio_rs_lifetime\.ko$' -e '/tests/camera/' \
		-e '/imx219_rs\.ko$' -e '/bcm2835_unicam_rs\.ko$' | sort)
out=$TOP/build/demo
rm -rf "$out/camera"
mkdir -p "$out/camera"

say "demo: booting Linux $KERNEL_SERIES (x86_64) under QEMU with virtme-ng: our modules, then the camera on the emulated Raspberry Pi camera board"
timeout --foreground -k 10 "${BOOT_TIMEOUT:-900}" vng --run "$kx86/arch/x86/boot/bzImage" \
	--disable-kvm --memory 2G --cpus 2 --rwdir "$out/camera" "${VNG_APPEND[@]}" \
	--exec "sh $TOP/scripts/guest-demo.sh ${mods[*]/#/$TOP/} && bash $TOP/scripts/guest-demo-camera.sh $out/camera" </dev/null ||
	die "the x86_64 demo guest failed or timed out"
say "demo: the camera's frames as images (ffmpeg, Bayer RGGB8 debayered)"
read -r w h pixfmt <"$out/camera/format"
for raw in "$out"/camera/*.raw; do
	png=${raw%.raw}.png
	# The last of the frames captured.
	frame=$((w * h))
	n=$(($(stat -c %s "$raw") / frame))
	ffmpeg -loglevel error -y -f rawvideo -pix_fmt "bayer_$pixfmt" -s "${w}x$h" -i "$raw" \
		-vf "select=eq(n\\,$((n - 1)))" -frames:v 1 "$png" || die "ffmpeg could not convert $raw"
	echo "  $png: $(ffprobe -v error -select_streams v -show_entries stream=width,height,pix_fmt -of csv=p=0 "$png")"
done

say "demo: building our modules for arm"
make -s ARCH=arm
say "demo: booting the arm (NPCM750 EVB) kernel: the C and the Rust ADC drivers read the inputs the host sets over QMP, then a capture with the Rust driver's own trigger while the host feeds a sine (channel 0) and a ramp (channel 1)"
ARM_TESTS="tests/arm/npcm_adc_c.sh tests/arm/npcm_adc_rs.sh scripts/guest-demo-adc.sh" \
	scripts/check-arm.sh build/arm/kernel_ext.ko build/arm/drivers/iio/adc/npcm_adc_rs.ko \
	$(scripts/arm-tools.sh) | tee "$out/arm.ktap" | grep -v '# demo-' ||
	die "the arm demo guest failed"
say "demo: the captured waveform"
python3 scripts/demo-adc-plot.py "$out/arm.ktap" "$out"
