#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench-camera.sh: one sustained capture on the
# emulated camera board with one driver pair, traced.
#
#   bench.sh SENSOR RECEIVER OUTDIR [FRAMES]
#
# SENSOR and RECEIVER: a module name (modprobe) or a .ko path (insmod), as
# for tests/camera/suite.sh. Configures 1920x1080 RAW10 (packed) through the
# pipeline, enables the irq_handler_entry/exit events of Unicam's interrupt
# and vb2_buf_done, captures FRAMES (default 600) frames with v4l2-ctl, and
# leaves in OUTDIR: capture.log (v4l2-ctl --verbose), trace.txt (the raw
# trace), params (configured frame interval and the rest), stats (the
# emulator's counters). Unloads the pair and the board at the end.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
SENSOR=${1:?usage: bench.sh SENSOR RECEIVER OUTDIR [FRAMES]}
RECEIVER=${2:?}
OUT=${3:?}
FRAMES=${4:-600}
BOARD=${BOARD:-$top/build/x86_64/tests/camera/board/rpi_camera_board.ko}
T=/sys/kernel/tracing
mkdir -p "$OUT"

modname() { local m; m=$(basename "$1" .ko); echo "${m//-/_}"; }
load() { [ -e "/sys/module/$(modname "$1")/initstate" ] && return 0; if [[ $1 == *.ko ]]; then insmod "$1"; else modprobe "$1"; fi; }
unload() { grep -q "^$(modname "$1") " /proc/modules && rmmod "$(modname "$1")"; }
fail() { echo "bench: $*" >&2; echo "error $*" >"$OUT/params"; exit 1; }

of_dev() { # BUS COMPATIBLE
	local d
	for d in /sys/bus/$1/devices/*; do
		[ -e "$d/of_node/compatible" ] || continue
		tr '\0' '\n' <"$d/of_node/compatible" | grep -qx "$2" && { basename "$d"; return 0; }
	done
	return 1
}

find_devices() {
	client=$(of_dev i2c sony,imx219) || return 1
	csi=$(of_dev platform brcm,bcm2835-unicam) || return 1
	media=$(ls "/sys/bus/platform/devices/$csi" 2>/dev/null | grep -m1 '^media[0-9]') || return 1
	media=/dev/$media
	image= csi_sd= sensor_sd=
	local v
	for v in /sys/bus/platform/devices/$csi/video4linux/*; do
		[ -e "$v" ] || continue
		case $(basename "$v") in
		v4l-subdev*) csi_sd=/dev/$(basename "$v") ;;
		video*) v4l2-ctl -d "/dev/$(basename "$v")" --info 2>/dev/null |
			sed -n '/Device Caps/,$p' | grep -q 'Video Capture' && image=/dev/$(basename "$v") ;;
		esac
	done
	for v in /sys/bus/i2c/devices/$client/video4linux/v4l-subdev*; do
		[ -e "$v" ] && sensor_sd=/dev/$(basename "$v")
	done
	sensor_ent=$(cat "/sys/bus/i2c/devices/$client/video4linux/$(basename "$sensor_sd")/name" 2>/dev/null)
	csi_ent=$(cat "/sys/bus/platform/devices/$csi/video4linux/$(basename "$csi_sd")/name" 2>/dev/null)
	[ -n "$image" ] && [ -n "$csi_sd" ] && [ -n "$sensor_sd" ]
}

mkdir -p /run/modprobe.d
printf 'blacklist imx219\nblacklist bcm2835_unicam\n' >/run/modprobe.d/rpi-camera-board.conf
load "$SENSOR" || fail "cannot load $SENSOR"
load "$RECEIVER" || fail "cannot load $RECEIVER"
insmod "$BOARD" || fail "cannot load the board"
for _ in $(seq 100); do find_devices && break; sleep 0.2; done
find_devices || fail "the drivers did not bind"

ctrl() { v4l2-ctl -d "$sensor_sd" --get-ctrl "$1" | awk '{print $NF}'; }
w=1920 h=1080
v4l2-ctl -d "$sensor_sd" --set-ctrl horizontal_flip=0,vertical_flip=0,test_pattern=1 || fail "controls"
media-ctl -d "$media" -V "'$sensor_ent':0 [fmt:SRGGB10_1X10/${w}x${h}]" || fail "sensor format"
media-ctl -d "$media" -V "'$csi_ent':0 [fmt:SRGGB10_1X10/${w}x${h} field:none]" || fail "Unicam format"
v4l2-ctl -d "$image" --set-fmt-video="width=$w,height=$h,pixelformat=pRAA" || fail "node format"
interval=$(( (w + $(ctrl horizontal_blanking)) * (h + $(ctrl vertical_blanking)) * 1000000000 / $(ctrl pixel_rate) ))
irq=$(awk '/unicam_capture0/ {sub(":", "", $1); print $1; exit}' /proc/interrupts)
[ -n "$irq" ] || fail "no Unicam interrupt in /proc/interrupts"
{
	echo "sensor $(modname "$SENSOR")"
	echo "receiver $(modname "$RECEIVER")"
	echo "frames $FRAMES"
	echo "interval_ns $interval"
	echo "irq $irq"
	echo "csi_driver $(basename "$(readlink "/sys/bus/platform/devices/$csi/driver")")"
} >"$OUT/params"

mountpoint -q $T || mount -t tracefs nodev $T
echo 0 >$T/tracing_on
echo >$T/trace
echo 16384 >$T/buffer_size_kb
echo mono >$T/trace_clock
echo "irq == $irq" >$T/events/irq/irq_handler_entry/filter
echo "irq == $irq" >$T/events/irq/irq_handler_exit/filter
echo 1 >$T/events/irq/irq_handler_entry/enable
echo 1 >$T/events/irq/irq_handler_exit/enable
echo 1 >$T/events/vb2/vb2_buf_done/enable
echo 1 >$T/tracing_on
timeout 900 v4l2-ctl -d "$image" --stream-mmap=8 --stream-count="$FRAMES" \
	--stream-to=/dev/null --verbose >"$OUT/capture.log" 2>&1
echo $? >"$OUT/capture.rc"
echo 0 >$T/tracing_on
cat $T/trace >"$OUT/trace.txt"
for e in irq/irq_handler_entry irq/irq_handler_exit vb2/vb2_buf_done; do
	echo 0 >$T/events/$e/enable
done
echo 0 >$T/events/irq/irq_handler_entry/filter
echo 0 >$T/events/irq/irq_handler_exit/filter
cat /sys/kernel/debug/rpi_camera_board/stats >"$OUT/stats" 2>/dev/null

unload "$BOARD"
unload "$RECEIVER"
unload "$SENSOR"
exit 0
