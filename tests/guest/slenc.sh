#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test (x86_64 virtme-ng boot, scripts/guest-run.sh; the modules are
# loaded): the virtual stateless H.264 encoder slenc_rs. Prints KTAP.
#
# - its video node passes v4l2-compliance (0 failures), also streaming
#   (-s), and so does its media device;
# - a known pattern (tests/guest/slenc_encode.py, QCIF NV12) encoded
#   through the node decodes with ffmpeg (-err_detect explode) to as many
#   pictures, close to the pattern (PSNR of luma above MIN_PSNR dB), the
#   first CAPTURE buffer flagged KEYFRAME and the others PFRAME, and the
#   stream is bit for bit what the host build of the codec layer
#   (tools/slenc-enc --host) makes of the same pictures;
# - the node can be opened again after that, and the module unloads and
#   loads again.

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# Where scripts/lib.sh (bash; this script is POSIX sh) keeps the tools.
cache=${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iio-media-rs}
[ -d "$cache" ] || cache=/root/.cache/iio-media-rs
TOOLS_DIR=$cache/tools
V4L_UTILS_VERSION=$(sed -n 's/^V4L_UTILS_VERSION=\${V4L_UTILS_VERSION:-\(.*\)}$/\1/p' "$top/scripts/lib.sh")
out=${OUTDIR:-/tmp}/slenc
mkdir -p "$out"
W=176
H=144
FRAMES=${SLENC_FRAMES:-8}
MIN_PSNR=30

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
result() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }
diag() { sed 's/^/# /'; }

# v4l-utils: the private copy of the bootstrap, run with its own loader.
v4l=$TOOLS_DIR/v4l-utils-$V4L_UTILS_VERSION/root
run_v4l() {
	tool=$1
	shift
	if [ -x "$v4l/usr/bin/$tool" ]; then
		libs=$v4l/usr/lib/x86_64-linux-gnu:$v4l/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu
		ld=$v4l/lib64/ld-linux-x86-64.so.2
		[ -e "$ld" ] || ld=$v4l/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
		[ -e "$ld" ] || ld=/lib64/ld-linux-x86-64.so.2
		timeout 600 "$ld" --library-path "$libs" "$v4l/usr/bin/$tool" "$@"
	else
		timeout 600 "$tool" "$@"
	fi
}

find_node() {
	for d in /sys/class/video4linux/video*; do
		[ "$(cat "$d/name" 2>/dev/null)" = slenc ] && { echo "/dev/$(basename "$d")"; return 0; }
	done
	return 1
}
find_media() {
	for d in /sys/bus/media/devices/media*; do
		[ "$(cat "$d/model" 2>/dev/null)" = slenc ] && { echo "/dev/$(basename "$d")"; return 0; }
	done
	return 1
}

echo "KTAP version 1"
echo "1..10"

[ -e /sys/module/slenc_rs ] || insmod "$top/build/x86_64/drivers/media/platform/slenc/slenc_rs.ko"
video=$(find_node)
result $? "video_node_present"
echo "# video node: $video"

# compliance TOOL_ARGS NAME: v4l2-compliance with 0 failures.
compliance() {
	name=$1
	shift
	run_v4l v4l2-compliance "$@" >"$out/$name.txt" 2>&1
	total=$(grep -E '^(Grand )?Total for ' "$out/$name.txt" | tail -n 1)
	echo "# $name: $total"
	grep -E 'fail:|warn:' "$out/$name.txt" | head -n 20 | diag
	case $total in
	*", Failed: 0,"*) return 0 ;;
	*) tail -n 30 "$out/$name.txt" | diag; return 1 ;;
	esac
}
compliance compliance_video -d "$video"
result $? "v4l2_compliance_video_node"
# Streaming on both queues with v4l2-compliance's own buffers (MMAP,
# USERPTR refused, DMABUF: no exporter given), 10 frames.
compliance compliance_streaming -d "$video" -s10
result $? "v4l2_compliance_streaming"
media=$(find_media)
if [ -n "$media" ]; then
	compliance compliance_media -m "$media"
	result $? "v4l2_compliance_media_device"
else
	echo "# no media device with model slenc"
	not_ok "v4l2_compliance_media_device"
fi

python3 "$here/slenc_encode.py" encode "$video" $W $H "$FRAMES" "$out/stream.h264" >"$out/encode.txt" 2>&1
rc=$?
diag <"$out/encode.txt"
result $rc "encode_${FRAMES}_frames"

# Frame types: KEYFRAME (0x8) first, PFRAME (0x10) after.
flags_ok=0
i=0
while read -r _ t _ bytes _ flags _ _; do
	want=0x10
	[ "$t" = 0 ] && want=0x8
	[ $((flags & 0x18)) = $((want)) ] && [ "$bytes" -gt 0 ] || flags_ok=1
	i=$((i + 1))
done <"$out/encode.txt"
[ "$i" = "$FRAMES" ] || flags_ok=1
result $flags_ok "frame_types_and_sizes"

ffmpeg -hide_banner -v error -err_detect explode -i "$out/stream.h264" \
	-f rawvideo -pix_fmt yuv420p -y "$out/decoded.yuv" >"$out/ffmpeg.txt" 2>&1
rc=$?
diag <"$out/ffmpeg.txt"
python3 "$here/slenc_encode.py" psnr "$out/decoded.yuv" $W $H "$FRAMES" >"$out/psnr.txt" 2>&1 || rc=1
diag <"$out/psnr.txt"
read -r _ frames _ psnr_y _ _ _ _ _ min_y <"$out/psnr.txt"
[ "$frames" = "$FRAMES" ] || rc=1
awk -v m="$min_y" -v t=$MIN_PSNR 'BEGIN { exit !(m > t) }' || rc=1
result $rc "ffmpeg_decodes_psnr_above_${MIN_PSNR}dB"

# The same pictures through the host build of the codec layer (the
# tools/slenc-enc binary, --host: same engine, virtual engine and H.264
# core, same choices: GOP 30, QP 26): the same bits.
tool=$cache/cargo-target/slenc-enc/release/slenc-enc
if [ -x "$tool" ]; then
	python3 "$here/slenc_encode.py" nv12 "$out/pattern.nv12" $W $H "$FRAMES" &&
		"$tool" --host -i "$out/pattern.nv12" --nv12 --size ${W}x$H --frames "$FRAMES" \
			--gop 30 --qp 26 -o "$out/host.h264" >"$out/host.txt" 2>&1
	rc=$?
	[ $rc = 0 ] || diag <"$out/host.txt"
	if [ $rc = 0 ] && cmp "$out/stream.h264" "$out/host.h264" | diag; then
		echo "# $(wc -c <"$out/stream.h264") bytes, identical to the host build's"
		ok "bitstream_equals_host_build"
	else
		echo "# driver: $(wc -c <"$out/stream.h264") bytes, host build: $(wc -c <"$out/host.h264" 2>/dev/null) bytes"
		not_ok "bitstream_equals_host_build"
	fi
else
	n=$((n + 1))
	echo "ok $n bitstream_equals_host_build # SKIP no host build of tools/slenc-enc ($tool)"
fi

# The GOP size control: with 4, pictures 0 and 4 are IDR (KEYFRAME).
python3 "$here/slenc_encode.py" encode "$video" $W $H 8 "$out/gop4.h264" 4 >"$out/gop4.txt" 2>&1
rc=$?
keys=
while read -r _ t _ _ _ flags _ _; do
	[ $((flags & 0x8)) = 0 ] || keys="$keys$t "
done <"$out/gop4.txt"
echo "# GOP_SIZE 4: keyframes at pictures $keys"
[ $rc = 0 ] && [ "$keys" = "0 4 " ] || { diag <"$out/gop4.txt"; rc=1; }
result $rc "gop_size_control"

rmmod slenc_rs && insmod "$top/build/x86_64/drivers/media/platform/slenc/slenc_rs.ko" && find_node >/dev/null
result $? "unload_reload"

echo "# slenc: $fail of $n failed"
