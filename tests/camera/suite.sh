#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end camera suite on the emulated Raspberry Pi camera board, run
# inside the x86_64 test guest (booted with memmap=64K$0x70000000). Prints
# KTAP on stdout.
#
#   suite.sh SENSOR RECEIVER [OUTDIR]
#
# SENSOR and RECEIVER are the drivers under test: a module name for modprobe
# (the C pair: imx219 bcm2835-unicam) or the path of a .ko (our Rust
# modules, e.g. build/x86_64/drivers/media/i2c/imx219_rs.ko). Devices are
# found by their devicetree compatible and by what the nodes are (sysfs,
# capabilities), never by number; the drivers by the links sysfs shows.
# OUTDIR (default /tmp/camera-<sensor>-<receiver>) receives the saved
# topology, formats, controls, error codes and compliance reports, written
# with device numbers removed so that two pairs' directories can be diffed.
#
# Environment:
#   BOARD=path/to/rpi_camera_board.ko (default: beside this repository's build)
#   PRELOAD="a.ko b.ko"   modules to insmod first (e.g. kernel_ext.ko for Rust)
#   CASES="probe topology ..." run only these cases (default: all)
#   SKIP="case ..."       cases to leave out (e.g. a driver's known limitation)
#   FRAMES=100            frames of the long captures
#   BASELINE=dir          an OUTDIR of the C pair: topology, formats, controls
#                         and error codes must equal it
#   CAMERA_MODULES="..."  every implementation of the two drivers; those not
#                         under test are unloaded for the run and reloaded
#                         after it (from build/x86_64 when given as .ko)
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/scripts/lib.sh"
check=$here/framecheck.py
# The distribution's Python, started without site packages: a version
# manager's shim (pyenv's is a shell script running several programs) costs
# seconds a start in a TCG guest. framecheck.py needs the standard library only.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

SENSOR=${1:?usage: suite.sh SENSOR RECEIVER [OUTDIR]}
RECEIVER=${2:?usage: suite.sh SENSOR RECEIVER [OUTDIR]}
modname() { local m=${1##*/}; m=${m%.ko}; echo "${m//-/_}"; }
OUT=${3:-/tmp/camera-$(modname "$SENSOR")-$(modname "$RECEIVER")}
BOARD=${BOARD:-$top/build/x86_64/tests/camera/board/rpi_camera_board.ko}
FRAMES=${FRAMES:-100}
CASES=${CASES:-probe topology formats_controls compliance capture_bars_raw10 capture_pn9_raw8_binned capture_grey_bars_vflip capture_solid_raw8_hvflip capture_unpacked_raw10 capture_1080p capture_full_res ctrl_test_pattern_streaming ctrl_exposure_streaming ctrl_vblank_streaming invalid_requests close_mid_stream load_order sensor_unbind_idle sensor_unbind_streaming board_rmmod_streaming four_lanes kernel_log}
SKIP=${SKIP:-}
mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/camera-suite.XXXXXX)
dbg=/sys/kernel/debug/rpi_camera_board

CAMERA_MODULES=${CAMERA_MODULES:-imx219 bcm2835_unicam imx219_rs bcm2835_unicam_rs}
say() { echo "# $*"; }
diag() { sed 's/^/# /'; }

# --- Tools -----------------------------------------------------------------

# The guest's root file system is the host's over 9p without caching: every
# program start reads its binary and libraries through it again, which for
# v4l-utils (private loader, libstdc++) took seconds in TCG. They are copied
# once into the guest's memory and started from there; the suite calls them
# by their usual names.
setup_tools() {
	local src=$TOOLS_DIR/v4l-utils-$V4L_UTILS_VERSION/root dst=$tmp/v4l-utils lib b
	[ -x "$src/usr/bin/v4l2-ctl" ] || return 0 # not the private copy: use PATH
	mkdir -p "$dst/bin" "$dst/lib" || return 1
	cp "$src/usr/bin/v4l2-ctl" "$src/usr/bin/media-ctl" "$src/usr/bin/v4l2-compliance" "$dst/bin/" || return 1
	for lib in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libgcc_s.so.1 libstdc++.so.6 \
		libudev.so.1 libv4l2.so.0 libv4lconvert.so.0 libjpeg.so.62; do
		for b in "$src/usr/lib/x86_64-linux-gnu" "$src/lib/x86_64-linux-gnu"; do
			[ -e "$b/$lib" ] && { cp -L "$b/$lib" "$dst/lib/" || return 1; break; }
		done
	done
	V4L_RUN=("$dst/lib/ld-linux-x86-64.so.2" --library-path "$dst/lib")
	V4L_BIN=$dst/bin
}
V4L_RUN=()
V4L_BIN=
v4l2-ctl() { if [ -n "$V4L_BIN" ]; then "${V4L_RUN[@]}" "$V4L_BIN/v4l2-ctl" "$@"; else command v4l2-ctl "$@"; fi; }
media-ctl() { if [ -n "$V4L_BIN" ]; then "${V4L_RUN[@]}" "$V4L_BIN/media-ctl" "$@"; else command media-ctl "$@"; fi; }
# v4l2-compliance has a time limit (COMPLIANCE_TIMEOUT seconds, default 600).
v4l2-compliance() {
	timeout "${COMPLIANCE_TIMEOUT:-600}" "${V4L_RUN[@]}" "${V4L_BIN:+$V4L_BIN/}v4l2-compliance" "$@"
}

# --- Module and device handling -------------------------------------------

load() { # MODULE [ARGS...]: loads it, unless it is loaded (make check's guest loads every module first)
	local m=$1
	shift
	loaded "$(modname "$m")" && return 0
	if [[ $m == *.ko ]]; then insmod "$m" "$@"; else modprobe "$m" "$@"; fi
}
loaded() { [ -e "/sys/module/$1/initstate" ]; } # MODULE_NAME: a loaded module
unload() { # MODULE
	local n
	n=$(modname "$1")
	loaded "$n" || return 0
	rmmod "$n"
}

# Only udevd would load a driver by the devices' aliases, and it is stopped
# for the suite (stop_udevd). As a guard, a C driver not under test cannot
# be loaded at all during this run (an install command that fails), whoever
# asks for it; a C driver under test is still loaded by name.
block_autoload() {
	local m conf=/run/modprobe.d/rpi-camera-board.conf
	mkdir -p /run/modprobe.d
	{
		for m in imx219 bcm2835_unicam; do
			echo "blacklist $m"
			[ "$m" = "$(modname "$SENSOR")" ] || [ "$m" = "$(modname "$RECEIVER")" ] ||
				echo "install $m /bin/false"
		done
	} >"$conf"
}

# Process starts are what costs in the TCG guest: the helpers below use
# shell builtins and globs, not one program per question.

of_dev() { # BUS COMPATIBLE: sets REPLY to the device whose DT node is compatible
	local d c compatibles
	for d in /sys/bus/$1/devices/*; do
		[ -e "$d/of_node/compatible" ] || continue
		mapfile -d '' compatibles <"$d/of_node/compatible"
		for c in "${compatibles[@]}"; do
			[ "$c" = "$2" ] && { REPLY=${d##*/}; return 0; }
		done
	done
	return 1
}

bound_driver() { # BUS DEVICE: sets REPLY to the driver bound to it ('' if none)
	local d
	REPLY=
	for d in /sys/bus/$1/drivers/*/"$2"; do
		[ -e "$d" ] || continue
		d=${d%/*}
		REPLY=${d##*/}
	done
}

# The devices of the board and the nodes of the drivers under test; the
# classification of the video nodes (one v4l2-ctl each) is kept until
# forget_devices (the binding changed).
known_nodes=
forget_devices() { known_nodes=; }
find_devices() {
	local v name
	of_dev i2c sony,imx219 || return 1
	client=$REPLY
	of_dev platform brcm,bcm2835-unicam || return 1
	csi=$REPLY
	bound_driver i2c "$client"
	sensor_drv=$REPLY
	bound_driver platform "$csi"
	csi_drv=$REPLY
	media=
	for v in /sys/bus/platform/devices/$csi/media*; do
		[ -e "$v" ] && media=/dev/${v##*/}
	done
	[ -n "$media" ] || return 1
	local nodes=
	for v in /sys/bus/platform/devices/$csi/video4linux/* /sys/bus/i2c/devices/$client/video4linux/*; do
		[ -e "$v" ] && nodes="$nodes ${v##*/}"
	done
	if [ "$nodes" != "$known_nodes" ]; then
		image= meta= csi_sd= sensor_sd=
		for v in /sys/bus/platform/devices/$csi/video4linux/*; do
			[ -e "$v" ] || continue
			name=${v##*/}
			case $name in
			v4l-subdev*) csi_sd=/dev/$name ;;
			video*)
				if v4l2-ctl -d "/dev/$name" --info 2>/dev/null | sed -n '/Device Caps/,$p' | grep -q 'Metadata Capture'; then
					meta=/dev/$name
				else
					image=/dev/$name
				fi ;;
			esac
		done
		for v in /sys/bus/i2c/devices/$client/video4linux/v4l-subdev*; do
			[ -e "$v" ] && sensor_sd=/dev/${v##*/}
		done
		sensor_ent= csi_ent=
		[ -n "$sensor_sd" ] && read -r sensor_ent <"/sys/bus/i2c/devices/$client/video4linux/${sensor_sd#/dev/}/name"
		[ -n "$csi_sd" ] && read -r csi_ent <"/sys/bus/platform/devices/$csi/video4linux/${csi_sd#/dev/}/name"
		[ -n "$image" ] && [ -n "$meta" ] && [ -n "$csi_sd" ] && [ -n "$sensor_sd" ] || return 1
		known_nodes=$nodes
	fi
}

# snooze SECONDS: sleep without starting a program (read times out on a
# pipe nobody writes to).
exec {snooze_fd}<> <(:)
snooze() { read -r -t "$1" -u "$snooze_fd" || :; }

# Waits (BIND_TIMEOUT seconds, default 120) until both drivers are bound and
# the nodes exist. Binding takes well under a second; the bound is for
# loaded TCG hosts.
wait_bound() {
	local end=$((SECONDS + ${BIND_TIMEOUT:-120}))
	forget_devices
	while [ $SECONDS -lt $end ]; do
		find_devices && [ -n "$sensor_drv" ] && [ -n "$csi_drv" ] && return 0
		snooze 0.1
	done
	return 1
}

board_up() { # [BOARD ARGS...]
	block_autoload
	load "$SENSOR" && load "$RECEIVER" && insmod "$BOARD" "$@" && wait_bound
}

board_down() {
	forget_devices
	unload "$BOARD"
	unload "$RECEIVER"
	unload "$SENSOR"
}

stats() { cat "$dbg/stats" 2>/dev/null; }
# board_stat KEY: sets REPLY to the board's counter KEY.
board_stat() {
	local k v
	REPLY=
	while read -r k v; do
		[ "$k" = "$1" ] && REPLY=$v
	done <"$dbg/stats"
}

# --- Pipeline configuration -----------------------------------------------

# Bayer fourccs by media bus order and depth.
fourcc() { # ORDER(RGGB..) DEPTH [unpacked]
	case $2 in
	8) echo "S${1}8" ;;
	10) if [ "${3:-}" = unpacked ]; then echo "S${1}10"; else echo "S${1}10P"; fi ;;
	esac
}
v4l2_fourcc() { # SRGGB10P -> the code v4l2-ctl takes
	case $1 in
	SRGGB8) echo RGGB ;; SGRBG8) echo GRBG ;; SGBRG8) echo GBRG ;; SBGGR8) echo BA81 ;;
	SRGGB10P) echo pRAA ;; SGRBG10P) echo pgAA ;; SGBRG10P) echo pGAA ;; SBGGR10P) echo pBAA ;;
	SRGGB10) echo RG10 ;; SGRBG10) echo BA10 ;; SGBRG10) echo GB10 ;; SBGGR10) echo BG10 ;;
	esac
}

# configure WIDTH HEIGHT DEPTH HFLIP VFLIP [unpacked]: sets flips, then the
# sensor format (its Bayer order follows the flips), Unicam's sink and the
# image node; leaves fmt, bpl, width, height, sizeimage set. Three program
# starts: the sensor's flips, format and the code it chose in one.
configure() {
	local w=$1 h=$2 depth=$3 hf=$4 vf=$5 unpacked=${6:-} code= order key val out
	local mbus=0x300f
	[ "$depth" = 8 ] && mbus=0x3014 # SRGGB8_1X8, else SRGGB10_1X10
	out=$(v4l2-ctl -d "$sensor_sd" --set-ctrl "horizontal_flip=$hf,vertical_flip=$vf" \
		--set-subdev-fmt "pad=0,width=$w,height=$h,code=$mbus" --get-subdev-fmt pad=0) ||
		{ echo "$out"; return 1; }
	while IFS=: read -r key val; do
		case $key in *Mediabus\ Code*) code=${val##*MEDIA_BUS_FMT_}; code=${code%%)*} ;; esac
	done <<<"$out"
	[ -n "$code" ] || { echo "no sensor format: $out"; return 1; }
	order=${code#S}
	order=${order%%[0-9]*}
	v4l2-ctl -d "$csi_sd" --set-subdev-fmt "pad=0,width=$w,height=$h,code=$(mbus_code "$code"),field=none" ||
		return 1
	fmt=$(fourcc "$order" "$depth" "$unpacked")
	out=$(v4l2-ctl -d "$image" --set-fmt-video="width=$w,height=$h,pixelformat=$(v4l2_fourcc "$fmt")" \
		--get-fmt-video) || { echo "$out"; return 1; }
	bpl= sizeimage=
	while IFS=: read -r key val; do
		case $key in
		*Bytes\ per\ Line*) bpl=${val// /} ;;
		*Size\ Image*) sizeimage=${val// /} ;;
		esac
	done <<<"$out"
	width=$w height=$h
}

# Media bus codes of the Bayer formats (uapi media-bus-format.h).
mbus_code() {
	case $1 in
	SBGGR8_1X8) echo 0x3001 ;; SGBRG8_1X8) echo 0x3013 ;; SGRBG8_1X8) echo 0x3002 ;; SRGGB8_1X8) echo 0x3014 ;;
	SBGGR10_1X10) echo 0x3007 ;; SGBRG10_1X10) echo 0x300e ;; SGRBG10_1X10) echo 0x300a ;; SRGGB10_1X10) echo 0x300f ;;
	*) echo 0 ;;
	esac
}

# sensor_state: one v4l2-ctl for what the checks need: hblank, vblank,
# pixel_rate, exposure, again, dgain (control values) and crop_w.
sensor_state() {
	local key val
	hblank= vblank= pixel_rate= exposure= again= dgain= crop_w=
	while IFS=: read -r key val; do
		val=${val# }
		case $key in
		horizontal_blanking) hblank=$val ;;
		vertical_blanking) vblank=$val ;;
		pixel_rate) pixel_rate=$val ;;
		exposure) exposure=$val ;;
		analogue_gain) again=$val ;;
		digital_gain) dgain=$val ;;
		Selection*) val=${val#*Width } crop_w=${val%%,*} ;;
		esac
	done < <(v4l2-ctl -d "$sensor_sd" \
		--get-ctrl horizontal_blanking,vertical_blanking,pixel_rate,exposure,analogue_gain,digital_gain \
		--get-subdev-selection pad=0,target=crop 2>&1)
	[ -n "$hblank" ] && [ -n "$vblank" ] && [ -n "$pixel_rate" ]
}

# The frame interval the controls promise: (w + hblank) (h + vblank) / rate.
interval_ns() {
	sensor_state || return 1
	echo $(( (width + hblank) * (height + vblank) * 1000000000 / pixel_rate ))
}

# capture_cmd N FILE: sets CMD to the command streaming N frames from the
# image node into FILE (its log in FILE.log), with as many buffers as 64 MiB
# hold (4 to 32): the driver numbers every frame, and one it has no buffer
# for is a lost frame, a failure; a loaded TCG host can stall the capture
# program for hundreds of milliseconds.
capture_cmd() {
	local bufs=32
	[ -n "${sizeimage:-}" ] && [ "$sizeimage" -gt 0 ] && bufs=$((64 * 1024 * 1024 / sizeimage))
	[ $bufs -gt 32 ] && bufs=32
	[ $bufs -lt 4 ] && bufs=4
	CMD=("${V4L_RUN[@]}" "${V4L_BIN:+$V4L_BIN/}v4l2-ctl" -d "$image" --stream-mmap=$bufs \
		--stream-count="$1" --stream-to="$2" --verbose)
	rm -f "$2"
}

# capture N FILE: streams N frames into FILE (5 minutes at most).
capture() {
	capture_cmd "$1" "$2"
	timeout 300 "${CMD[@]}" >"$2.log" 2>&1
}

# capture_start N FILE: the same in the background; CAPTURE_PID is the
# capture program itself (a signal reaches it, not a shell).
capture_start() {
	capture_cmd "$1" "$2"
	(exec "${CMD[@]}" >"$2.log" 2>&1) &
	CAPTURE_PID=$!
}

# capture_wait [SECONDS]: waits for the background capture to end, and
# kills it after SECONDS (default 300).
capture_wait() {
	local end=$((SECONDS + ${1:-300}))
	while kill -0 "$CAPTURE_PID" 2>/dev/null; do
		if [ $SECONDS -ge "$end" ]; then
			echo "the capture still ran after ${1:-300} s: killed"
			kill -9 "$CAPTURE_PID"
		fi
		snooze 0.2
	done
	wait "$CAPTURE_PID" 2>/dev/null
}

# wait_streaming LOG: waits (60 s at most) until the capture logging to LOG
# has dequeued its first buffer.
wait_streaming() {
	local end=$((SECONDS + 60)) line
	while [ $SECONDS -lt $end ]; do
		if [ -e "$1" ]; then
			while read -r line; do
				[[ $line == *seq:* ]] && return 0
			done <"$1"
		fi
		snooze 0.05
	done
	echo "no frame within 60 s: $(tail -n 3 "$1" 2>/dev/null)"
	return 1
}

# --- KTAP ------------------------------------------------------------------

n=0
results=()
# Cases a driver under test cannot pass, and why: they are skipped, the
# reason in the KTAP SKIP directive. Only the upstream C drivers, the
# yardstick, may have any; FORCE="case ..." runs them anyway.
known_limitation() { # CASE: sets REPLY to the reason, if the pair has one
	REPLY=
	case $(modname "$RECEIVER")/$1 in
	bcm2835_unicam/sensor_unbind_idle | bcm2835_unicam/sensor_unbind_streaming)
		REPLY=$UNICAM_C_UNBIND ;;
	esac
	[ -n "$REPLY" ]
}
UNICAM_C_UNBIND="C bcm2835-unicam has no notifier unbind op: it keeps the unbound sensor's subdev; when the sensor binds again it registers its video nodes a second time (WARNING in media_device_register_entity), and removing Unicam then oopses"

timings=()
run_case() { # NAME
	local name=$1 t0 rc s
	for s in $SKIP; do
		if [ "$s" = "$name" ]; then
			n=$((n + 1))
			echo "ok $n $name # SKIP excluded by SKIP"
			return
		fi
	done
	if known_limitation "$name" && [[ " ${FORCE:-} " != *" $name "* ]]; then
		n=$((n + 1))
		echo "ok $n $name # SKIP $REPLY"
		return
	fi
	t0=$EPOCHREALTIME
	dmesg -C
	echo "# --- $name"
	# Output goes out as it comes (KTAP diagnostics), so that a hang shows where.
	"case_$name" 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	dmesg >"$tmp/$name.dmesg"
	if grep -E 'Oops|BUG:|WARNING:|Call Trace|possible circular|lockdep|unreferenced object|memory leak|general protection' "$tmp/$name.dmesg" >"$tmp/$name.problems"; then
		echo "# kernel log:"
		head -n 40 "$tmp/$name.problems" | diag
		rc=1
	fi
	cp "$tmp/$name.dmesg" "$OUT/dmesg-$name.txt"
	n=$((n + 1))
	t0=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 100000 ))
	printf "# %s took %d.%d s\n" "$name" $((t0 / 10)) $((t0 % 10))
	timings+=("$(printf '%-28s %6d.%d s' "$name" $((t0 / 10)) $((t0 % 10)))")
	if [ $rc = 0 ]; then echo "ok $n $name"; elif [ $rc = 77 ]; then echo "ok $n $name # SKIP"; else echo "not ok $n $name"; fi
}

# Replaces device numbers, so that two runs can be diffed.
normalize() {
	sed -E 's#/dev/(video|v4l-subdev|media)[0-9]+#/dev/\1N#g; s/(media|video|subdev)[0-9]+/\1N/g; s/[0-9]+-0010/I2C-0010/g; s/entity [0-9]+/entity N/g; s/\(0x[0-9a-f]+\)//g'
}

baseline_diff() { # FILE
	[ -n "${BASELINE:-}" ] || return 0
	if ! diff -u "$BASELINE/$1" "$OUT/$1"; then
		echo "$1 differs from $BASELINE/$1"
		return 1
	fi
}

# --- Cases -----------------------------------------------------------------

case_probe() {
	board_up || { echo "drivers did not bind"; lsmod; dmesg | tail -n 30; return 1; }
	echo "sensor $client bound to $sensor_drv, Unicam $csi bound to $csi_drv"
	echo "media $media image $image metadata $meta subdevs $sensor_sd $csi_sd"
	# Exactly the pair under test is bound (another implementation may be
	# loaded, e.g. one the previous pair left, but must not have the
	# devices).
	local sm cm
	sm=$(readlink "/sys/bus/i2c/drivers/$sensor_drv/module")
	cm=$(readlink "/sys/bus/platform/drivers/$csi_drv/module")
	if [ "${sm##*/}" != "$(modname "$SENSOR")" ] || [ "${cm##*/}" != "$(modname "$RECEIVER")" ]; then
		echo "bound: modules ${sm##*/} and ${cm##*/}, not the pair under test"
		return 1
	fi
	local m
	for m in imx219 bcm2835_unicam; do
		if loaded "$m" && [ "$m" != "$(modname "$SENSOR")" ] &&
			[ "$m" != "$(modname "$RECEIVER")" ]; then
			echo "note: $m is loaded (not under test, not bound)"
		fi
	done
}

case_topology() {
	find_devices || return 1
	media-ctl -d "$media" -p >"$tmp/topo" 2>&1 || { cat "$tmp/topo"; return 1; }
	normalize <"$tmp/topo" >"$OUT/topology.txt"
	cat "$OUT/topology.txt"
	# sensor:0 -> unicam:0 enabled and immutable; unicam:1 -> image node;
	# unicam:2 -> metadata node.
	media-ctl -d "$media" --print-dot | grep -q . || return 1
	awk -v s="$sensor_ent" -v c="$csi_ent" '
		/^- entity/ { e = index($0, ": " s " (") ? "s" : index($0, ": " c " (") ? "c" : "" }
		/^\tpad[0-9]+:/ { pad = $1 }
		e == "s" && pad == "pad0:" && $0 ~ "-> \"" c "\":0 \\[ENABLED,IMMUTABLE\\]" { ok1 = 1 }
		e == "c" && pad == "pad1:" && /-> ".*":0 \[ENABLED,IMMUTABLE\]/ { ok2 = 1 }
		e == "c" && pad == "pad2:" && /-> ".*":0 \[ENABLED,IMMUTABLE\]/ { ok3 = 1 }
		END { if (!(ok1 && ok2 && ok3)) { print "links missing:", ok1, ok2, ok3; exit 1 } }' "$tmp/topo" || return 1
	baseline_diff topology.txt
}

case_formats_controls() {
	find_devices || return 1
	{
		echo "== image node formats"; v4l2-ctl -d "$image" --list-formats-ext
		echo "== metadata node formats"; v4l2-ctl -d "$meta" --list-formats-meta
		echo "== image node default format"; v4l2-ctl -d "$image" --get-fmt-video
		echo "== sensor mbus codes"; v4l2-ctl -d "$sensor_sd" --list-subdev-mbus-codes pad=0
		local c
		for c in 0x300f 0x3014; do # SRGGB10_1X10, SRGGB8_1X8
			echo "== sensor frame sizes $c"
			v4l2-ctl -d "$sensor_sd" --list-subdev-framesizes "pad=0,code=$c"
		done
		echo "== sensor selections"
		for c in crop crop_default crop_bounds native_size; do
			v4l2-ctl -d "$sensor_sd" --get-subdev-selection "pad=0,target=$c"
		done
		echo "== Unicam routing"; v4l2-ctl -d "$csi_sd" --get-routing
		echo "== Unicam mbus codes (image)"; v4l2-ctl -d "$csi_sd" --list-subdev-mbus-codes pad=0
	} 2>&1 | normalize >"$OUT/formats.txt"
	{
		echo "== sensor controls"; v4l2-ctl -d "$sensor_sd" --list-ctrls-menus
		echo "== image node controls"; v4l2-ctl -d "$image" --list-ctrls-menus
	} 2>&1 | normalize >"$OUT/controls.txt"
	cat "$OUT/controls.txt"
	grep -q 'test_pattern' "$OUT/controls.txt" || return 1
	baseline_diff formats.txt && baseline_diff controls.txt
}

# v4l2-compliance -m tests the media device and every interface it has (the
# video nodes with streaming, -s, and the subdev nodes), printing a total
# for each: one run gives them all.
case_compliance() {
	find_devices || return 1
	local rc=0 name dev total line
	: >"$OUT/compliance-totals.txt"
	# A configured pipeline (formats agreeing across the links), so that
	# the image node can stream.
	configure 640 480 10 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=1 || return 1
	# 20 frames a streaming test at 10 frames a second: its buffers (the
	# fewest the driver takes) last through a stall of a loaded host (at
	# 20 a second, v4l2-compliance fell behind now and then, with any pair,
	# and warned of the sequence gap the dropped frame left).
	frame_interval 100 || return 1
	v4l2-compliance -m "$media" -s20 >"$tmp/compliance" 2>&1
	echo "v4l2-compliance exit status $?"
	normalize <"$tmp/compliance" >"$OUT/compliance-media.txt"
	for name in media image metadata sensor-subdev unicam-subdev; do
		case $name in
		media) dev=$media ;; image) dev=$image ;; metadata) dev=$meta ;;
		sensor-subdev) dev=$sensor_sd ;; unicam-subdev) dev=$csi_sd ;;
		esac
		total=
		while read -r line; do
			case $line in
			"Grand Total for "*" device $dev:"*) [ "$name" = media ] && total=${line#*"$dev: "} ;;
			"Total for "*" device $dev:"*|"Total for "*" device $dev "*) [ "$name" != media ] && total=${line#*: } ;;
			esac
		done <"$tmp/compliance"
		[ -n "$total" ] || { echo "$name ($dev): v4l2-compliance gave no total"; rc=1; }
		echo "$name: ${total:-none}" | tee -a "$OUT/compliance-totals.txt"
	done
	grep -E 'fail:|warn:' "$OUT/compliance-media.txt" | sort | uniq -c | head -n 40
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0
	# The C pair is the yardstick: its totals are recorded, not judged.
	# Other pairs may have no failure and no warning beyond the baseline's,
	# interface by interface, and no failed test the baseline passes. The
	# C pair's failures are those of its Unicam driver's design, which ours
	# keeps (Documentation/media/emulated-board.rst): the metadata node
	# streams only with the image node, and Unicam's metadata source pad
	# has no route in the default routing, hence no format.
	if [ -n "${BASELINE:-}" ]; then
		local f w bf bw
		while read -r name line; do
			f=$(sed -n 's/.*Failed: \([0-9]*\).*/\1/p' <<<"$line")
			w=$(sed -n 's/.*Warnings: \([0-9]*\).*/\1/p' <<<"$line")
			line=$(grep "^$name " "$BASELINE/compliance-totals.txt")
			bf=$(sed -n 's/.*Failed: \([0-9]*\).*/\1/p' <<<"$line")
			bw=$(sed -n 's/.*Warnings: \([0-9]*\).*/\1/p' <<<"$line")
			if [ -z "$f" ] || [ -z "$bf" ] || [ "$f" -gt "$bf" ] || [ "${w:-0}" -gt "${bw:-0}" ]; then
				echo "worse than the baseline: $name failed ${f:-?} warnings ${w:-?} (baseline ${bf:-?}, ${bw:-?})"
				rc=1
			fi
		done <"$OUT/compliance-totals.txt"
		# The failed tests themselves: none the baseline passes.
		grep -F 'fail:' "$OUT/compliance-media.txt" | sed 's/^[[:space:]]*//' | sort -u >"$tmp/fails"
		grep -F 'fail:' "$BASELINE/compliance-media.txt" | sed 's/^[[:space:]]*//' | sort -u >"$tmp/fails-base"
		if [ -n "$(comm -23 "$tmp/fails" "$tmp/fails-base")" ]; then
			echo "failures the baseline does not have:"
			comm -23 "$tmp/fails" "$tmp/fails-base"
			rc=1
		fi
	fi
	return $rc
}

# capture_case NAME W H DEPTH HFLIP VFLIP PATTERN COUNT [unpacked] [colour]
capture_case() {
	local name=$1 w=$2 h=$3 depth=$4 hf=$5 vf=$6 pat=$7 count=$8 unpacked=${9:-} colour=${10:-}
	local file=$tmp/$name.raw spec rc=0 interval
	find_devices || return 1
	configure "$w" "$h" "$depth" "$hf" "$vf" "$unpacked" || return 1
	local ctrls="test_pattern=$pat"
	if [ -n "$colour" ]; then
		IFS=: read -r r gr b gb <<<"$colour"
		ctrls="$ctrls,red_pixel_value=$r,green_red_pixel_value=$gr,blue_pixel_value=$b,green_blue_pixel_value=$gb"
	fi
	v4l2-ctl -d "$sensor_sd" --set-ctrl "$ctrls" || return 1
	# Long captures at CAPTURE_MS a frame (default 100): at a mode's full
	# rate (up to 60 fps, 2 MB frames), a capture program in a TCG guest on
	# a loaded host falls behind and frames go to the dummy buffer, which
	# tells nothing about the drivers. scripts/bench-camera.sh streams at
	# full rate.
	if [ "$count" -gt 10 ]; then frame_interval "${CAPTURE_MS:-100}" >/dev/null || return 1; fi
	echo "$w x $h $fmt bytesperline $bpl, flips $hf/$vf, pattern $pat: $count frames"
	echo stats >"$dbg/stats" 2>/dev/null
	capture "$count" "$file" || { tail -n 5 "$file.log"; return 1; }
	# The menu index of the C driver's test_pattern control is not the
	# register value: 1 colour bars (2), 2 solid (1), 3 grey bars (3), 4 PN9 (4).
	local reg
	case $pat in 0) reg=0 ;; 1) reg=2 ;; 2) reg=1 ;; 3) reg=3 ;; 4) reg=4 ;; esac
	spec="pattern=$reg,hflip=$hf,vflip=$vf"
	[ -n "$colour" ] && spec="$spec,colour=$colour"
	sensor_state || { echo "cannot read the sensor's controls"; return 1; }
	interval=$(( (w + hblank) * (h + vblank) * 1000000000 / pixel_rate ))
	if [ "$reg" = 0 ]; then
		local e=$exposure
		[ "$crop_w" = $((2 * w)) ] && e=$((exposure / 2))
		spec="$spec,exposure=$e,again=$again,dgain=$dgain"
	fi
	# The board's own account of its lateness (see framecheck.py timing).
	local late latency
	board_stat frames_late
	late=$REPLY
	board_stat late_ns_max
	latency=$REPLY
	"$PYTHON" -S "$check" frames "$file" --width "$w" --height "$h" --fmt "$fmt" --bpl "$bpl" \
		--count "$count" --order --expect "$spec" \
		--log "$file.log" --first-seq 0 --interval-ns "$interval" \
		--late "${late:-0}" --latency-ns "${latency:-0}" || rc=1
	stats | grep -E 'sensor_frames|frames_|copy_ns_avg|gen_ns|late_ns|irq'
	rm -f "$file"
	v4l2-ctl -d "$sensor_sd" --set-ctrl "test_pattern=0,horizontal_flip=0,vertical_flip=0"
	return $rc
}

case_capture_bars_raw10() { capture_case bars_raw10 640 480 10 0 0 1 "$FRAMES"; }
case_capture_pn9_raw8_binned() { capture_case pn9_raw8 1640 1232 8 1 0 4 "$FRAMES"; }
case_capture_grey_bars_vflip() { capture_case grey_vflip 640 480 10 0 1 3 10; }
case_capture_solid_raw8_hvflip() { capture_case solid_hv 640 480 8 1 1 2 10 "" 100:200:300:1000; }
case_capture_unpacked_raw10() { capture_case unpacked 640 480 10 1 0 1 10 unpacked; }
case_capture_1080p() { capture_case p1080 1920 1080 10 0 0 2 5 "" 1023:0:512:64; }
case_capture_full_res() { capture_case full 3280 2464 10 0 0 1 3; }

# stream_and_change NAME COUNT DELAY SETTING...: streams COUNT frames and
# applies the control settings DELAY seconds after the first frame.
stream_and_change() {
	local name=$1 count=$2 delay=$3 file=$tmp/$1.raw
	shift 3
	echo stats >"$dbg/stats" 2>/dev/null
	capture_start "$count" "$file"
	wait_streaming "$file.log"
	snooze "$delay"
	v4l2-ctl -d "$sensor_sd" --set-ctrl "$@" || echo "setting $* failed"
	capture_wait
}

# check_stream NAME COUNT INTERVAL... -- FRAMECHECK ARGS: the frames and the
# timing of the stream stream_and_change recorded (intervals in order).
check_stream() {
	local name=$1 count=$2 iv=() late latency
	shift 2
	while [ "$1" != -- ]; do iv+=(--interval-ns "$1"); shift; done
	shift
	board_stat frames_late
	late=$REPLY
	board_stat late_ns_max
	latency=$REPLY
	"$PYTHON" -S "$check" frames "$tmp/$name.raw" --width "$width" --height "$height" --fmt "$fmt" --bpl "$bpl" \
		--count "$count" "$@" --log "$tmp/$name.raw.log" --first-seq 0 "${iv[@]}" \
		--late "${late:-0}" --latency-ns "${latency:-0}"
}

# frame_interval MS: programs the vertical blanking for frames of MS
# milliseconds (sets vblank). The control tests stream slowly: the change
# must land within the stream although starting the program that makes it
# takes a second or more in a loaded TCG guest.
frame_interval() {
	sensor_state || return 1
	vblank=$(( $1 * pixel_rate / (1000 * (width + hblank)) - height ))
	v4l2-ctl -d "$sensor_sd" --set-ctrl "vertical_blanking=$vblank"
}

case_ctrl_test_pattern_streaming() {
	find_devices || return 1
	configure 640 480 10 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=1 || return 1
	frame_interval 100 || return 1
	local t
	t=$(interval_ns) || return 1
	stream_and_change tp_change 30 0 test_pattern=4
	check_stream tp_change 30 "$t" -- --expect pattern=2 --expect pattern=4 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0
}

case_ctrl_exposure_streaming() {
	find_devices || return 1
	configure 1920 1080 8 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0,analogue_gain=0,digital_gain=256 || return 1
	frame_interval 100 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl exposure=1600 || return 1
	local t
	t=$(interval_ns) || return 1
	# One control: the driver writes each control's registers separately
	# (the C driver uses no grouped parameter hold), so a frame can start
	# between an exposure and a gain write and show one change only.
	stream_and_change exp_change 30 0 exposure=400
	check_stream exp_change 30 "$t" -- \
		--expect exposure=1600,dgain=256 --expect exposure=400,dgain=256 || return 1
}

# The frame length goes to 2.5 times: intervals of a frame skipped by a late
# board (2 T) are not taken for the new ones.
case_ctrl_vblank_streaming() {
	find_devices || return 1
	configure 640 480 10 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=1 || return 1
	frame_interval 100 || return 1
	local vb=$vblank t1 t2
	t1=$(interval_ns) || return 1
	stream_and_change vb_change 24 0 "vertical_blanking=$(( (480 + vb) * 5 / 2 - 480 ))"
	t2=$(interval_ns) || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0
	echo "intervals: $t1 ns, then $t2 ns"
	check_stream vb_change 24 "$t1" "$t2" -- --expect pattern=2
}

# try_refused DESCRIPTION COMMAND...: the command must be refused; records
# how. v4l2-ctl exits 0 after some failed ioctls (STREAMON in its streaming
# loop, an API the kernel does not offer): its words count as well.
try_refused() {
	local what=$1 out msg rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	msg=$(grep -oE "returned -1 \([^)]*\)|failed: [^,(]*|unknown control '[^']*'|Streams API not supported|Unable to [^:]*: [^(]*|Invalid argument|Broken pipe|Device or resource busy|Numerical result out of range|Permission denied|Inappropriate ioctl for device" <<<"$out" | head -n1)
	if [ $rc = 0 ] && [ -z "$msg" ]; then
		echo "$what: accepted (expected a refusal)" | tee -a "$OUT/errors.txt"
		printf '%s\n' "$out" | sed 's/^/    /'
		return 1
	fi
	echo "$what: ${msg:-exit status $rc}" | tee -a "$OUT/errors.txt"
}

# Routing: Linux 7.2 keeps the subdev streams API (routing ioctls, streams)
# disabled for user space (v4l2_subdev_enable_streams_api is false, with no
# switch), so every VIDIOC_SUBDEV_S_ROUTING is refused by the core with
# ENOTTY before a driver sees it ("Streams API not supported"); the routes
# are still tried, so that a kernel with the API on tests the drivers.
case_invalid_requests() {
	find_devices || return 1
	: >"$OUT/errors.txt"
	local rc=0
	configure 640 480 10 0 0 || return 1
	# A format mismatch across the links: link validation at STREAMON.
	v4l2-ctl -d "$image" --set-fmt-video=width=1920,height=1080,pixelformat=pRAA
	try_refused "streamon with image node 1920x1080, sensor 640x480" \
		v4l2-ctl -d "$image" --stream-mmap --stream-count=1 --stream-to=/dev/null || rc=1
	v4l2-ctl -d "$image" --set-fmt-video=width=640,height=480,pixelformat=RGGB
	try_refused "streamon with image node RAW8, sensor RAW10" \
		v4l2-ctl -d "$image" --stream-mmap --stream-count=1 --stream-to=/dev/null || rc=1
	configure 640 480 10 0 0 || return 1
	# Controls.
	try_refused "test_pattern=9 (menu out of range)" v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=9 || rc=1
	try_refused "pixel_rate (read-only)" v4l2-ctl -d "$sensor_sd" --set-ctrl pixel_rate=1 || rc=1
	try_refused "link_frequency (read-only)" v4l2-ctl -d "$sensor_sd" --set-ctrl link_frequency=0 || rc=1
	try_refused "unknown control 0x00980900 on the sensor" v4l2-ctl -d "$sensor_sd" --set-ctrl brightness=1 || rc=1
	# Links.
	try_refused "disable the immutable sensor link" \
		media-ctl -d "$media" -l "'$sensor_ent':0 -> '$csi_ent':0 [0]" || rc=1
	try_refused "link the image node to the metadata pad" \
		media-ctl -d "$media" -l "'$csi_ent':1 -> 'unicam-embedded':0 [1]" || rc=1
	# Routes on Unicam.
	try_refused "route sink to sink" v4l2-ctl -d "$csi_sd" --set-routing '0/0 -> 0/1 [1]' || rc=1
	try_refused "route one sink stream to two sources" \
		v4l2-ctl -d "$csi_sd" --set-routing '0/0 -> 1/0 [1], 0/0 -> 2/0 [1]' || rc=1
	try_refused "route from a source pad" v4l2-ctl -d "$csi_sd" --set-routing '1/0 -> 2/0 [1]' || rc=1
	# Formats that cannot change while streaming (a slow stream, stopped
	# once the requests have been made).
	frame_interval 100 || return 1
	capture_start 1000 "$tmp/busy.raw"
	wait_streaming "$tmp/busy.raw.log"
	try_refused "image node S_FMT while streaming" \
		v4l2-ctl -d "$image" --set-fmt-video=width=640,height=480,pixelformat=RGGB || rc=1
	try_refused "Unicam sink format while streaming" \
		media-ctl -d "$media" -V "'$csi_ent':0 [fmt:SRGGB8_1X8/640x480]" || rc=1
	try_refused "Unicam routing while streaming" v4l2-ctl -d "$csi_sd" --set-routing '0/0 -> 1/0 [1]' || rc=1
	kill "$CAPTURE_PID"
	capture_wait
	echo "the stream ran for $(grep -c 'seq:' "$tmp/busy.raw.log") frames"
	rm -f "$tmp/busy.raw"
	normalize <"$OUT/errors.txt" >"$tmp/errors" && mv "$tmp/errors" "$OUT/errors.txt"
	baseline_diff errors.txt || rc=1
	return $rc
}

# sensor_streaming: whether the sensor model streams (MODE_SELECT).
sensor_streaming() {
	local line
	read -r line <"$dbg/sensor_regs"
	[[ $line == *"streaming 1"* ]]
}

case_close_mid_stream() {
	find_devices || return 1
	configure 640 480 10 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=1
	capture_start 1000 "$tmp/killed.raw"
	wait_streaming "$tmp/killed.raw.log"
	snooze 0.3
	kill -9 "$CAPTURE_PID"
	capture_wait
	echo "killed v4l2-ctl after $(grep -c 'seq:' "$tmp/killed.raw.log") frames"
	rm -f "$tmp/killed.raw"
	# The driver stopped the sensor when the file was closed, and a new
	# stream works.
	if sensor_streaming; then
		echo "the sensor still streams"
		return 1
	fi
	capture 5 "$tmp/after.raw" || return 1
	"$PYTHON" -S "$check" frames "$tmp/after.raw" --width 640 --height 480 --fmt "$fmt" --bpl "$bpl" \
		--count 5 --expect pattern=2 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0
}

# Streams 5 colour-bar frames at 640x480 RAW10 and checks them.
quick_stream() {
	find_devices || { echo "devices missing"; return 1; }
	configure 640 480 10 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=1 || return 1
	capture 5 "$tmp/quick.raw" || { tail -n 3 "$tmp/quick.raw.log"; return 1; }
	"$PYTHON" -S "$check" frames "$tmp/quick.raw" --width 640 --height 480 --fmt "$fmt" --bpl "$bpl" \
		--count 5 --expect pattern=2 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0
}

# Every order binds the pair (nodes and links there); the last one streams.
case_load_order() {
	local order m
	for order in "board receiver sensor" "board sensor receiver" "receiver board sensor" "sensor receiver board"; do
		board_down || return 1
		echo "order: $order"
		block_autoload
		for m in $order; do
			case $m in
			board) insmod "$BOARD" ;;
			sensor) load "$SENSOR" ;;
			receiver) load "$RECEIVER" ;;
			esac || return 1
			snooze 0.5
		done
		wait_bound || { echo "not bound after loading $order"; return 1; }
		echo "bound: sensor $sensor_drv, Unicam $csi_drv, nodes$known_nodes"
	done
	quick_stream
}

case_sensor_unbind_idle() {
	find_devices || return 1
	local drv=$sensor_drv
	echo "$client" >"/sys/bus/i2c/drivers/$drv/unbind" || return 1
	snooze 0.5
	find_devices
	echo "after unbind: sensor driver '${sensor_drv}', image node '${image}'"
	echo "$client" >"/sys/bus/i2c/drivers/$drv/bind" || return 1
	wait_bound || { echo "not bound again"; return 1; }
	quick_stream
}

case_sensor_unbind_streaming() {
	find_devices || return 1
	local drv=$sensor_drv
	configure 640 480 10 0 0 || return 1
	capture_start 1000 "$tmp/unbind.raw"
	wait_streaming "$tmp/unbind.raw.log"
	echo "$client" >"/sys/bus/i2c/drivers/$drv/unbind"
	echo "unbind while streaming returned $?"
	snooze 1
	kill "$CAPTURE_PID" 2>/dev/null
	capture_wait
	tail -n 2 "$tmp/unbind.raw.log"
	rm -f "$tmp/unbind.raw"
	echo "$client" >"/sys/bus/i2c/drivers/$drv/bind" || return 1
	wait_bound || { echo "not bound again"; return 1; }
	quick_stream
}

case_board_rmmod_streaming() {
	find_devices || return 1
	configure 640 480 10 0 0 || return 1
	capture_start 1000 "$tmp/rmmod.raw"
	wait_streaming "$tmp/rmmod.raw.log"
	# The receiver's and the sensor's modules are in use while bound; the
	# board can go: its devices disappear under the running stream.
	rmmod "$(modname "$SENSOR")" 2>&1 && echo "sensor module unloaded while bound"
	if ! rmmod "$(modname "$BOARD")"; then
		kill "$CAPTURE_PID"
		capture_wait
		return 1
	fi
	snooze 1
	kill "$CAPTURE_PID" 2>/dev/null
	capture_wait
	tail -n 2 "$tmp/rmmod.raw.log"
	rm -f "$tmp/rmmod.raw"
	board_down
	board_up || { echo "board did not come back"; return 1; }
	quick_stream
}

case_four_lanes() {
	board_down || return 1
	board_up lanes=4 || { echo "4-lane board did not bind"; return 1; }
	sensor_state
	echo "pixel rate $pixel_rate, $(v4l2-ctl -d "$sensor_sd" --get-ctrl link_frequency)"
	capture_case four_lanes 640 480 10 0 0 1 10 || return 1
	board_down
	board_up
}

# No leak since the suite started (main() clears kmemleak's list first):
# two scans, as kmemleak reports an object only when it saw it
# unreferenced twice.
case_kernel_log() {
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		snooze 1
		echo scan >/sys/kernel/debug/kmemleak
		if grep -q . /sys/kernel/debug/kmemleak; then
			head -n 60 /sys/kernel/debug/kmemleak
			return 1
		fi
		echo "kmemleak: no leaks"
	else
		echo "kmemleak not available"
	fi
}

# udevd is stopped for the suite (and started again after it, if it ran):
# - it would load a C driver when the overlay creates a device;
# - it reads the uevent files of the board's devicetree devices, and
#   of_device_uevent() takes of_mutex inside sysfs (kn->active). With the
#   overlay's removal (of_mutex, then fwnode_link_lock as its nodes are
#   freed) and fw_devlink (fwnode_link_lock, then device_links_lock, under
#   which a device link's sysfs files are removed when a consumer binds),
#   lockdep sees a cycle through the one lock class of every device's
#   uevent file, reports it when the board comes up again, and is off for
#   the rest of the boot. Driver core and OF code, and no deadlock (a
#   device link has no devicetree node); without udevd nothing reads those
#   files.
udevd_was_running=0
stop_udevd() {
	pgrep -x systemd-udevd >/dev/null || return 0
	udevd_was_running=1
	timeout 30 udevadm control --exit && say "udevd stopped for the suite"
}
start_udevd() {
	[ $udevd_was_running = 1 ] || return 0
	/lib/systemd/systemd-udevd --daemon && say "udevd started again"
}

# Other implementations of the two drivers would bind the board's devices:
# unload them for the run (and remember them, to load them again after it).
competitors=()
unload_competitors() {
	local m
	for m in $CAMERA_MODULES; do
		[ "$m" = "$(modname "$SENSOR")" ] || [ "$m" = "$(modname "$RECEIVER")" ] && continue
		loaded "$m" || continue
		rmmod "$m" && competitors+=("$m") && say "unloaded $m (not under test) for the run"
	done
}
reload_competitors() {
	local m ko
	for m in "${competitors[@]}"; do
		ko=$(find "$top/build/x86_64" -name "$m.ko" 2>/dev/null | head -n1)
		if [ -n "$ko" ]; then insmod "$ko"; else modprobe "$m"; fi
	done
}

# --- Main ------------------------------------------------------------------

main() {
	local c m
	say "camera suite: sensor $SENSOR, receiver $RECEIVER, board $BOARD, results in $OUT"
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	setup_tools || say "copying v4l-utils into the guest failed: running them from the host's file system"
	# Leaks from before the suite are not its business.
	[ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
	for m in ${PRELOAD:-}; do insmod "$m"; done
	stop_udevd
	unload_competitors
	echo "KTAP version 1"
	set -- $CASES
	echo "1..$#"
	for c in $CASES; do
		run_case "$c"
	done
	stats >"$OUT/board-stats.txt" 2>/dev/null
	printf '%s\n' "${timings[@]}" >"$OUT/timings.txt"
	say "case timings:"
	printf '# %s\n' "${timings[@]}"
	board_down
	reload_competitors
	start_udevd
	rm -rf "$tmp"
}

# One line: bash has read the whole file before the suite runs (so that
# editing it meanwhile changes nothing).
main; exit
