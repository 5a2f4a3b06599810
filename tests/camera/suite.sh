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

SENSOR=${1:?usage: suite.sh SENSOR RECEIVER [OUTDIR]}
RECEIVER=${2:?usage: suite.sh SENSOR RECEIVER [OUTDIR]}
modname() { local m; m=$(basename "$1" .ko); echo "${m//-/_}"; }
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

# --- Module and device handling -------------------------------------------

load() { # MODULE [ARGS...]
	local m=$1
	shift
	if [[ $m == *.ko ]]; then insmod "$m" "$@"; else modprobe "$m" "$@"; fi
}
unload() { # MODULE
	local n
	n=$(modname "$1")
	grep -q "^$n " /proc/modules || return 0
	rmmod "$n"
}

# The C drivers would be loaded by udev when the overlay creates the
# devices: block that, so each run binds exactly the pair under test
# (modprobe by name still loads them; only alias-based loading is blocked).
block_autoload() {
	mkdir -p /run/modprobe.d
	printf 'blacklist imx219\nblacklist bcm2835_unicam\n' >/run/modprobe.d/rpi-camera-board.conf
	timeout 10 udevadm control --reload 2>/dev/null || true
}

of_dev() { # BUS COMPATIBLE: the device whose DT node is compatible
	local d
	for d in /sys/bus/$1/devices/*; do
		[ -e "$d/of_node/compatible" ] || continue
		if tr '\0' '\n' <"$d/of_node/compatible" | grep -qx "$2"; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

find_devices() {
	client=$(of_dev i2c sony,imx219) || return 1
	csi=$(of_dev platform brcm,bcm2835-unicam) || return 1
	sensor_drv=$(basename "$(readlink "/sys/bus/i2c/devices/$client/driver" 2>/dev/null)" 2>/dev/null)
	csi_drv=$(basename "$(readlink "/sys/bus/platform/devices/$csi/driver" 2>/dev/null)" 2>/dev/null)
	media=$(ls "/sys/bus/platform/devices/$csi" 2>/dev/null | grep -m1 '^media[0-9]') || return 1
	media=/dev/$media
	image= meta= csi_sd= sensor_sd=
	local v
	for v in /sys/bus/platform/devices/$csi/video4linux/*; do
		[ -e "$v" ] || continue
		v=/dev/$(basename "$v")
		case $(basename "$v") in
		v4l-subdev*) csi_sd=$v ;;
		video*)
			if v4l2-ctl -d "$v" --info 2>/dev/null | sed -n '/Device Caps/,$p' | grep -q 'Metadata Capture'; then
				meta=$v
			else
				image=$v
			fi ;;
		esac
	done
	for v in /sys/bus/i2c/devices/$client/video4linux/v4l-subdev*; do
		[ -e "$v" ] && sensor_sd=/dev/$(basename "$v")
	done
	sensor_ent=$(cat "/sys/bus/i2c/devices/$client/video4linux/$(basename "$sensor_sd")/name" 2>/dev/null)
	csi_ent=$(cat "/sys/bus/platform/devices/$csi/video4linux/$(basename "$csi_sd")/name" 2>/dev/null)
	[ -n "$image" ] && [ -n "$meta" ] && [ -n "$csi_sd" ] && [ -n "$sensor_sd" ]
}

# Waits (20 s at most) until both drivers are bound and the nodes exist.
wait_bound() {
	local i
	for i in $(seq 100); do
		find_devices && [ -n "$sensor_drv" ] && [ -n "$csi_drv" ] && return 0
		sleep 0.2
	done
	return 1
}

board_up() { # [BOARD ARGS...]
	block_autoload
	load "$SENSOR" && load "$RECEIVER" && insmod "$BOARD" "$@" && wait_bound
}

board_down() {
	unload "$BOARD"
	unload "$RECEIVER"
	unload "$SENSOR"
}

stats() { cat "$dbg/stats" 2>/dev/null; }
stat() { stats | awk -v k="$1" '$1 == k {print $2}'; }

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
# image node; leaves fmt, bpl, width, height, sizeimage set.
configure() {
	local w=$1 h=$2 depth=$3 hf=$4 vf=$5 unpacked=${6:-} code order
	v4l2-ctl -d "$sensor_sd" --set-ctrl "horizontal_flip=$hf,vertical_flip=$vf" || return 1
	media-ctl -d "$media" -V "'$sensor_ent':0 [fmt:SRGGB${depth}_1X${depth}/${w}x${h}]" || return 1
	code=$(media-ctl -d "$media" --get-v4l2 "'$sensor_ent':0" | sed -n 's/.*fmt:\([A-Z0-9_]*\)\/.*/\1/p')
	order=${code#S}
	order=${order%%[0-9]*}
	media-ctl -d "$media" -V "'$csi_ent':0 [fmt:$code/${w}x${h} field:none]" || return 1
	fmt=$(fourcc "$order" "$depth" "$unpacked")
	v4l2-ctl -d "$image" --set-fmt-video="width=$w,height=$h,pixelformat=$(v4l2_fourcc "$fmt")" || return 1
	bpl=$(v4l2-ctl -d "$image" --get-fmt-video | awk '/Bytes per Line/ {print $NF}')
	sizeimage=$(v4l2-ctl -d "$image" --get-fmt-video | awk '/Size Image/ {print $NF}')
	width=$w height=$h
}

ctrl() { v4l2-ctl -d "$sensor_sd" --get-ctrl "$1" | awk '{print $NF}'; }

# The frame interval the controls promise: (w + hblank) (h + vblank) / rate.
interval_ns() {
	echo $(( ($width + $(ctrl horizontal_blanking)) * ($height + $(ctrl vertical_blanking)) * 1000000000 / $(ctrl pixel_rate) ))
}

# The register values the C driver programs for the current controls: in
# the analogue binning modes (crop twice the output) it halves exposure.
exposure_reg() {
	local cw
	cw=$(v4l2-ctl -d "$sensor_sd" --get-subdev-selection pad=0,target=crop 2>/dev/null | sed -n 's/.*Width \([0-9]*\).*/\1/p')
	if [ -n "$cw" ] && [ "$cw" = $((2 * width)) ]; then echo $(($(ctrl exposure) / 2)); else ctrl exposure; fi
}

# capture N FILE [extra v4l2-ctl args]: streams N frames from the image node.
capture() {
	local n=$1 file=$2
	shift 2
	rm -f "$file"
	timeout 300 v4l2-ctl -d "$image" --stream-mmap=4 --stream-count="$n" \
		--stream-to="$file" --verbose "$@" >"$file.log" 2>&1
}

# --- KTAP ------------------------------------------------------------------

n=0
results=()
run_case() { # NAME
	local name=$1 t0 rc msg
	for s in $SKIP; do
		if [ "$s" = "$name" ]; then
			n=$((n + 1))
			echo "ok $n $name # SKIP excluded by SKIP"
			return
		fi
	done
	t0=$(date +%s%N)
	dmesg -C
	echo "# --- $name"
	# Output goes out as it comes (KTAP diagnostics), so that a hang shows where.
	"case_$name" 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	dmesg >"$tmp/$name.dmesg"
	if grep -E 'Oops|BUG:|WARNING:|Call Trace|possible circular|lockdep|unreferenced object|general protection' "$tmp/$name.dmesg" >"$tmp/$name.problems"; then
		echo "# kernel log:"
		head -n 40 "$tmp/$name.problems" | diag
		rc=1
	fi
	cp "$tmp/$name.dmesg" "$OUT/dmesg-$name.txt"
	n=$((n + 1))
	printf "# %s took %d.%d s\n" "$name" $(( ($(date +%s%N) - t0) / 1000000000 )) $(( ($(date +%s%N) - t0) / 100000000 % 10 ))
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
	# Exactly the pair under test: no other camera driver module got loaded.
	local m
	for m in imx219 bcm2835_unicam; do
		if grep -q "^$m " /proc/modules && [ "$m" != "$(modname "$SENSOR")" ] &&
			[ "$m" != "$(modname "$RECEIVER")" ]; then
			echo "$m was loaded although it is not under test"
			return 1
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
	media-ctl -d "$media" -p | awk -v s="$sensor_ent" -v c="$csi_ent" '
		/^- entity/ { e = index($0, ": " s " (") ? "s" : index($0, ": " c " (") ? "c" : "" }
		/^\tpad[0-9]+:/ { pad = $1 }
		e == "s" && pad == "pad0:" && $0 ~ "-> \"" c "\":0 \\[ENABLED,IMMUTABLE\\]" { ok1 = 1 }
		e == "c" && pad == "pad1:" && /-> ".*":0 \[ENABLED,IMMUTABLE\]/ { ok2 = 1 }
		e == "c" && pad == "pad2:" && /-> ".*":0 \[ENABLED,IMMUTABLE\]/ { ok3 = 1 }
		END { if (!(ok1 && ok2 && ok3)) { print "links missing:", ok1, ok2, ok3; exit 1 } }' || return 1
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

case_compliance() {
	find_devices || return 1
	local rc=0 d name total
	: >"$OUT/compliance-totals.txt"
	v4l2-compliance -m "$media" -s >"$tmp/compliance-media" 2>&1
	normalize <"$tmp/compliance-media" >"$OUT/compliance-media.txt"
	for d in "$image" "$meta" "$sensor_sd" "$csi_sd"; do
		# The name first: the redirection of the case is expanded before
		# its body runs.
		case $d in
		"$image") name=image ;;
		"$meta") name=metadata ;;
		"$sensor_sd") name=sensor-subdev ;;
		"$csi_sd") name=unicam-subdev ;;
		esac
		case $d in
		"$image" | "$meta") v4l2-compliance -d "$d" -s ;;
		*) v4l2-compliance -u "$d" ;;
		esac >"$tmp/compliance-$name" 2>&1
		normalize <"$tmp/compliance-$name" >"$OUT/compliance-$name.txt"
	done
	for name in media image metadata sensor-subdev unicam-subdev; do
		total=$(grep -E '^(Grand )?Total' "$OUT/compliance-$name.txt" | tail -n1)
		[ -n "$total" ] || { echo "$name: v4l2-compliance gave no total"; tail -n 5 "$OUT/compliance-$name.txt"; rc=1; }
		echo "$name: $total" | tee -a "$OUT/compliance-totals.txt"
		grep -E 'fail:|warn:' "$OUT/compliance-$name.txt" | sort | uniq -c | head -n 20
	done
	# The C pair is the yardstick: its totals are recorded, not judged. Other
	# pairs must not fail more than their BASELINE.
	if [ -n "${BASELINE:-}" ]; then
		for name in media image metadata sensor-subdev unicam-subdev; do
			local mine theirs
			mine=$(grep "^$name:" "$OUT/compliance-totals.txt" | sed -n 's/.*Failed: \([0-9]*\).*/\1/p')
			theirs=$(grep "^$name:" "$BASELINE/compliance-totals.txt" | sed -n 's/.*Failed: \([0-9]*\).*/\1/p')
			[ "${mine:-1}" -le "${theirs:-0}" ] || { echo "$name: $mine failures, baseline $theirs"; rc=1; }
		done
	fi
	return $rc
}

# capture_case NAME W H DEPTH HFLIP VFLIP PATTERN COUNT [unpacked] [colour]
capture_case() {
	local name=$1 w=$2 h=$3 depth=$4 hf=$5 vf=$6 pat=$7 count=$8 unpacked=${9:-} colour=${10:-}
	local file=$tmp/$name.raw spec rc=0
	find_devices || return 1
	configure "$w" "$h" "$depth" "$hf" "$vf" "$unpacked" || return 1
	if [ -n "$colour" ]; then
		IFS=: read -r r gr b gb <<<"$colour"
		v4l2-ctl -d "$sensor_sd" --set-ctrl "red_pixel_value=$r,green_red_pixel_value=$gr,blue_pixel_value=$b,green_blue_pixel_value=$gb" || return 1
	fi
	v4l2-ctl -d "$sensor_sd" --set-ctrl "test_pattern=$pat" || return 1
	echo "$w x $h $fmt bytesperline $bpl, flips $hf/$vf, pattern $pat: $count frames"
	echo stats >"$dbg/stats" 2>/dev/null
	capture "$count" "$file" || { tail -n 5 "$file.log"; return 1; }
	# The menu index of the C driver's test_pattern control is not the
	# register value: 1 colour bars (2), 2 solid (1), 3 grey bars (3), 4 PN9 (4).
	local reg
	case $pat in 0) reg=0 ;; 1) reg=2 ;; 2) reg=1 ;; 3) reg=3 ;; 4) reg=4 ;; esac
	spec="pattern=$reg,hflip=$hf,vflip=$vf"
	[ -n "$colour" ] && spec="$spec,colour=$colour"
	if [ "$reg" = 0 ]; then
		spec="$spec,exposure=$(exposure_reg),again=$(ctrl analogue_gain),dgain=$(ctrl digital_gain)"
	fi
	python3 "$check" frames "$file" --width "$w" --height "$h" --fmt "$fmt" --bpl "$bpl" \
		--count "$count" --order --expect "$spec" || rc=1
	python3 "$check" timing "$file.log" --count "$count" --first-seq 0 \
		--interval-ns "$(interval_ns)" || rc=1
	stats | grep -E 'copy_ns|gen_ns|late|aborted|irq_timeouts'
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
	local name=$1 count=$2 delay=$3 file=$tmp/$1.raw i
	shift 3
	rm -f "$file"
	capture "$count" "$file" &
	local pid=$!
	for i in $(seq 200); do
		grep -q 'seq:' "$file.log" 2>/dev/null && break
		sleep 0.05
	done
	sleep "$delay"
	v4l2-ctl -d "$sensor_sd" --set-ctrl "$@" || echo "setting $* failed"
	wait $pid
}

case_ctrl_test_pattern_streaming() {
	find_devices || return 1
	configure 640 480 10 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=1 || return 1
	stream_and_change tp_change 30 0.3 test_pattern=4
	python3 "$check" frames "$tmp/tp_change.raw" --width 640 --height 480 --fmt "$fmt" --bpl "$bpl" \
		--count 30 --expect pattern=2 --expect pattern=4 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0
}

case_ctrl_exposure_streaming() {
	find_devices || return 1
	configure 1920 1080 8 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0,exposure=1600,analogue_gain=0,digital_gain=256 || return 1
	stream_and_change exp_change 20 0.3 exposure=400,digital_gain=512
	python3 "$check" frames "$tmp/exp_change.raw" --width 1920 --height 1080 --fmt "$fmt" --bpl "$bpl" \
		--count 20 --expect exposure=1600,dgain=256 --expect exposure=400,dgain=512 || return 1
}

case_ctrl_vblank_streaming() {
	find_devices || return 1
	configure 640 480 10 0 0 || return 1
	local vb t1 t2
	vb=$(ctrl vertical_blanking)
	t1=$(interval_ns)
	# Twice the frame length: (480 + vb') = 2 (480 + vb).
	stream_and_change vb_change 30 0.3 "vertical_blanking=$((480 + 2 * vb))"
	t2=$(interval_ns)
	v4l2-ctl -d "$sensor_sd" --set-ctrl "vertical_blanking=$vb"
	echo "intervals: $t1 ns, then $t2 ns"
	python3 - "$tmp/vb_change.raw.log" "$t1" "$t2" <<'EOF'
import re, sys
ts = [float(m.group(1)) for l in open(sys.argv[1]) if (m := re.search(r'ts:\s*([\d.]+)', l))]
t1, t2 = float(sys.argv[2]), float(sys.argv[3])
iv = [(b - a) * 1e9 for a, b in zip(ts, ts[1:])]
cls = [1 if abs(d - t1) < abs(d - t2) else 2 for d in iv]
print('intervals (ms):', ' '.join(f'{d / 1e6:.1f}' for d in iv))
# One switch from t1 to t2 (one frame may be in between), each close to its class.
switches = [i for i in range(1, len(cls)) if cls[i] != cls[i - 1]]
ok = cls[0] == 1 and cls[-1] == 2 and len(switches) == 1
ok = ok and all(abs(d - (t1 if c == 1 else t2)) < 0.25 * t1 for i, (d, c) in enumerate(zip(iv, cls)) if i + 1 != switches[0])
sys.exit(0 if ok else 1)
EOF
}

# try DESCRIPTION COMMAND...: the command must fail; records its message.
try_refused() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "$what: accepted (expected a refusal)" | tee -a "$OUT/errors.txt"
		return 1
	fi
	out=$(echo "$out" | grep -oE '(returned -1 \([^)]*\)|Invalid argument|Broken pipe|Device or resource busy|Numerical result out of range|Permission denied|Unable to [^:]*: [^(]*)' | head -n1)
	echo "$what: $out" | tee -a "$OUT/errors.txt"
}

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
	# Formats that cannot change while streaming.
	capture 40 "$tmp/busy.raw" &
	local pid=$! i
	for i in $(seq 200); do grep -q 'seq:' "$tmp/busy.raw.log" 2>/dev/null && break; sleep 0.05; done
	try_refused "image node S_FMT while streaming" \
		v4l2-ctl -d "$image" --set-fmt-video=width=640,height=480,pixelformat=RGGB || rc=1
	try_refused "Unicam sink format while streaming" \
		media-ctl -d "$media" -V "'$csi_ent':0 [fmt:SRGGB8_1X8/640x480]" || rc=1
	try_refused "Unicam routing while streaming" v4l2-ctl -d "$csi_sd" --set-routing '0/0 -> 1/0 [1]' || rc=1
	wait $pid
	normalize <"$OUT/errors.txt" >"$tmp/errors" && mv "$tmp/errors" "$OUT/errors.txt"
	baseline_diff errors.txt || rc=1
	return $rc
}

case_close_mid_stream() {
	find_devices || return 1
	configure 640 480 10 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=1
	capture 1000 "$tmp/killed.raw" &
	local pid=$! i
	for i in $(seq 200); do grep -q 'seq:' "$tmp/killed.raw.log" 2>/dev/null && break; sleep 0.05; done
	sleep 0.3
	kill -9 $pid
	wait $pid 2>/dev/null
	sleep 0.2
	echo "killed v4l2-ctl after $(grep -c 'seq:' "$tmp/killed.raw.log") frames"
	# The receiver is stopped and a new stream works.
	capture 5 "$tmp/after.raw" || return 1
	python3 "$check" frames "$tmp/after.raw" --width 640 --height 480 --fmt "$fmt" --bpl "$bpl" \
		--count 5 --expect pattern=2 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0
}

# Streams 5 colour-bar frames at 640x480 RAW10 and checks them.
quick_stream() {
	find_devices || { echo "devices missing"; return 1; }
	configure 640 480 10 0 0 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=1 || return 1
	capture 5 "$tmp/quick.raw" || { tail -n 3 "$tmp/quick.raw.log"; return 1; }
	python3 "$check" frames "$tmp/quick.raw" --width 640 --height 480 --fmt "$fmt" --bpl "$bpl" \
		--count 5 --expect pattern=2 || return 1
	v4l2-ctl -d "$sensor_sd" --set-ctrl test_pattern=0
}

case_load_order() {
	local order
	for order in "board receiver sensor" "board sensor receiver" "receiver board sensor" "sensor receiver board"; do
		board_down || return 1
		echo "order: $order"
		block_autoload
		local m
		for m in $order; do
			case $m in
			board) insmod "$BOARD" ;;
			sensor) load "$SENSOR" ;;
			receiver) load "$RECEIVER" ;;
			esac || return 1
			sleep 0.5
		done
		wait_bound || { echo "not bound after loading $order"; return 1; }
		quick_stream || return 1
	done
}

case_sensor_unbind_idle() {
	find_devices || return 1
	local drv=$sensor_drv
	echo "$client" >"/sys/bus/i2c/drivers/$drv/unbind" || return 1
	sleep 0.5
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
	capture 1000 "$tmp/unbind.raw" &
	local pid=$! i
	for i in $(seq 200); do grep -q 'seq:' "$tmp/unbind.raw.log" 2>/dev/null && break; sleep 0.05; done
	echo "$client" >"/sys/bus/i2c/drivers/$drv/unbind"
	echo "unbind while streaming returned $?"
	sleep 1
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	tail -n 2 "$tmp/unbind.raw.log"
	echo "$client" >"/sys/bus/i2c/drivers/$drv/bind" || return 1
	wait_bound || { echo "not bound again"; return 1; }
	quick_stream
}

case_board_rmmod_streaming() {
	find_devices || return 1
	configure 640 480 10 0 0 || return 1
	capture 1000 "$tmp/rmmod.raw" &
	local pid=$! i
	for i in $(seq 200); do grep -q 'seq:' "$tmp/rmmod.raw.log" 2>/dev/null && break; sleep 0.05; done
	# The receiver's and the sensor's modules are in use while bound; the
	# board can go: its devices disappear under the running stream.
	rmmod "$(modname "$SENSOR")" 2>&1 && { echo "sensor module unloaded while bound"; }
	rmmod "$(modname "$BOARD")" || { kill $pid; wait $pid; return 1; }
	sleep 1
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	tail -n 2 "$tmp/rmmod.raw.log"
	board_down
	board_up || { echo "board did not come back"; return 1; }
	quick_stream
}

case_four_lanes() {
	board_down || return 1
	board_up lanes=4 || { echo "4-lane board did not bind"; return 1; }
	echo "pixel rate $(ctrl pixel_rate), link frequency index $(ctrl link_frequency)"
	capture_case four_lanes 640 480 10 0 0 1 10 || return 1
	board_down
	board_up
}

case_kernel_log() {
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		sleep 1
		echo scan >/sys/kernel/debug/kmemleak
		if grep -q . /sys/kernel/debug/kmemleak; then
			head -n 40 /sys/kernel/debug/kmemleak
			return 1
		fi
		echo "kmemleak: no leaks"
	else
		echo "kmemleak not available"
	fi
}

# Other implementations of the two drivers would bind the board's devices:
# unload them for the run (and remember them, to load them again after it).
competitors=()
unload_competitors() {
	local m
	for m in $CAMERA_MODULES; do
		[ "$m" = "$(modname "$SENSOR")" ] || [ "$m" = "$(modname "$RECEIVER")" ] && continue
		grep -q "^$m " /proc/modules || continue
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

say "camera suite: sensor $SENSOR, receiver $RECEIVER, board $BOARD, results in $OUT"
mount -t debugfs none /sys/kernel/debug 2>/dev/null
for m in ${PRELOAD:-}; do insmod "$m"; done
unload_competitors
echo "KTAP version 1"
set -- $CASES
echo "1..$#"
for c in $CASES; do
	run_case "$c"
done
stats >"$OUT/board-stats.txt" 2>/dev/null
board_down
reload_competitors
rm -rf "$tmp"
