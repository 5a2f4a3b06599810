#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The camera part of `make demo`, inside the x86_64 demo guest (booted with
# the emulated board's register window reserved, see VNG_APPEND in
# scripts/lib.sh): our IMX219 and Unicam drivers on the emulated Raspberry
# Pi camera board. Shows the media graph, configures 640x480 RAW8 through
# it, captures frames of two of the sensor's test patterns and leaves them
# in OUTDIR, which scripts/demo.sh turns into PNG images (ffmpeg's Bayer
# debayering).
#
#   guest-demo-camera.sh OUTDIR
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$top/scripts/lib.sh"
out=${1:?usage: guest-demo-camera.sh OUTDIR}
b=$top/build/x86_64
mkdir -p "$out"

# v4l-utils 1.32 (scripts/bootstrap.sh unpacks it with its own libraries).
root=$TOOLS_DIR/v4l-utils-$V4L_UTILS_VERSION/root
lib=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu
ld=$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
v4l() { # TOOL ARGS...
	local t=$1
	shift
	if [ -x "$ld" ]; then "$ld" --library-path "$lib" "$root/usr/bin/$t" "$@"; else "$t" "$@"; fi
}

# Our pair only: the C drivers for the same hardware must not bind.
mkdir -p /run/modprobe.d
printf 'install imx219 /bin/false\ninstall bcm2835_unicam /bin/false\n' >/run/modprobe.d/demo-camera.conf
echo "== camera: insmod imx219_rs, bcm2835_unicam_rs and the emulated board"
insmod "$b/drivers/media/i2c/imx219_rs.ko" &&
	insmod "$b/drivers/media/platform/broadcom/bcm2835_unicam_rs.ko" &&
	insmod "$b/tests/camera/board/rpi_camera_board.ko" || exit 1

csi=/sys/bus/platform/devices/70001000.csi
client=/sys/bus/i2c/devices/0-0010
media= image= sensor_sd= csi_sd=
for _ in $(seq 200); do
	for v in "$csi"/video4linux/* "$client"/video4linux/*; do
		[ -e "$v" ] || continue
		n=${v##*/}
		case $v in
		"$client"/*) sensor_sd=/dev/$n ;;
		*/v4l-subdev*) csi_sd=/dev/$n ;;
		*/video*) v4l v4l2-ctl -d "/dev/$n" --info 2>/dev/null | grep -q 'Metadata Capture' || image=/dev/$n ;;
		esac
	done
	for m in "$csi"/media*; do [ -e "$m" ] && media=/dev/${m##*/}; done
	[ -n "$media" ] && [ -n "$image" ] && [ -n "$sensor_sd" ] && [ -n "$csi_sd" ] && break
	sleep 0.2
done
[ -n "$image" ] && [ -n "$sensor_sd" ] || { echo "the camera did not come up"; dmesg | tail -n 20; exit 1; }
echo "sensor $(basename "$client") bound to $(basename "$(readlink "$client/driver")"), Unicam $(basename "$csi") to $(basename "$(readlink "$csi/driver")")"

echo "== camera: media-ctl -p -d $media"
v4l media-ctl -p -d "$media"

echo "== camera: 640x480 RAW8 (SRGGB8) through the pipeline"
v4l v4l2-ctl -d "$sensor_sd" --set-subdev-fmt pad=0,width=640,height=480,code=0x3014 &&
	v4l v4l2-ctl -d "$csi_sd" --set-subdev-fmt pad=0,width=640,height=480,code=0x3014,field=none &&
	v4l v4l2-ctl -d "$image" --set-fmt-video=width=640,height=480,pixelformat=RGGB --get-fmt-video || exit 1
echo "640 480 rggb8" >"$out/format"

rc=0
for p in "1 colour-bars" "3 grey-bars"; do
	set -- $p
	echo "== camera: test pattern $2, 5 frames"
	v4l v4l2-ctl -d "$sensor_sd" --set-ctrl "test_pattern=$1" || rc=1
	v4l v4l2-ctl -d "$image" --stream-mmap=4 --stream-count=5 --stream-to="$out/$2.raw" --verbose 2>&1 |
		grep -E 'seq:|fps' | tail -n 5
	[ -s "$out/$2.raw" ] || rc=1
done
v4l v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0
rmmod rpi_camera_board bcm2835_unicam_rs imx219_rs
exit $rc
