#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark of the drivers/media/h264 encoding core against x264 (through
# ffmpeg, Constrained Baseline, presets ultrafast and veryfast) and OpenH264
# (built from source by the `openh264` crate). Not a test: it prints tables.
#
#   scripts/bench-h264.sh            # defaults
#   FRAMES=60 QPS="22 27 32 37" RD_SIZE=1280x720 scripts/bench-h264.sh
#
# Needs: cargo, ffmpeg (Debian's, with libx264). Content is generated with
# ffmpeg's lavfi `mandelbrot` source plus light temporal noise.
# All encoders run on one thread. Speed is frames per CPU second of the
# encoding process (more robust than wall time on a shared machine).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CRATE=$ROOT/drivers/media/h264
FRAMES=${FRAMES:-30}
QPS=${QPS:-"22 27 32 37"}
SPEED_QP=${SPEED_QP:-28}
SIZES=${SIZES:-"640x480 1280x720 1920x1080"}
RD_SIZES=${RD_SIZES:-"640x480 1280x720"}
WORK=${WORK:-$(mktemp -d /tmp/bench-h264.XXXXXX)}
NICE=${NICE:-"nice -n 10"}
mkdir -p "$WORK"

command -v ffmpeg >/dev/null || { echo "ffmpeg is required" >&2; exit 1; }

echo "building benchmark driver (release)..." >&2
(cd "$CRATE/benches" && $NICE cargo build --release -j1 -q)
BIN=$CRATE/benches/target/release/h264-bench

gen() { # size
	local f=$WORK/in_$1.yuv
	[ -f "$f" ] || $NICE ffmpeg -nostdin -v error -f lavfi \
		-i "mandelbrot=s=$1:rate=30:start_scale=0.5,noise=alls=2:allf=t,format=yuv420p" \
		-frames:v "$FRAMES" -f rawvideo -y "$f"
	echo "$f"
}

# enc NAME SIZE QP [REPEAT] -> prints "cpufps bytes psnr"
# REPEAT > 1 encodes the clip that many times back to back (speed runs);
# PSNR is then not computed.
enc() {
	local name=$1 size=$2 qp=$3 w=${2%x*} h=${2#*x} rep=${4:-1}
	local in out dec fps bytes
	in=$(gen "$size")
	out=$WORK/$name-$size-$qp.h264
	dec=$WORK/dec.yuv
	case $name in
	ours|openh264)
		read -r _ fps bytes < <($NICE "$BIN" "$name" "$in" "$w" "$h" "$FRAMES" "$qp" "$out" "$rep" |
			sed 's/fps=\([0-9.]*\) cpufps=\([0-9.]*\) bytes=\([0-9]*\)/\1 \2 \3/')
		;;
	x264-*)
		local preset=${name#x264-} log=$WORK/ff.log
		# -benchmark prints process CPU time at log level info.
		$NICE ffmpeg -nostdin -v info -benchmark -f rawvideo -pix_fmt yuv420p -s "$size" -r 30 \
			-stream_loop $((rep - 1)) -i "$in" -c:v libx264 -profile:v baseline \
			-preset "$preset" -qp "$qp" -threads 1 -f h264 -y "$out" >"$log" 2>&1
		local ut
		ut=$(sed -n 's/.*utime=\([0-9.]*\)s.*/\1/p' "$log" | tail -n1)
		fps=$(awk -v n="$((FRAMES * rep))" -v t="$ut" 'BEGIN { printf "%.2f", n / (t > 0 ? t : 0.01) }')
		bytes=$(stat -c %s "$out")
		;;
	esac
	if [ "$rep" -gt 1 ]; then
		echo "$fps $bytes -"
		return
	fi
	$NICE ffmpeg -nostdin -v error -i "$out" -f rawvideo -pix_fmt yuv420p -y "$dec"
	echo "$fps $bytes $("$BIN" psnr "$in" "$dec" "$w" "$h")"
}

ENCODERS="ours openh264 x264-ultrafast x264-veryfast"
declare -A FPS720=()

echo
echo "== Speed: frames per CPU second, one thread, QP $SPEED_QP, $FRAMES-frame clip repeated =="
printf "%-12s" "size"; for e in $ENCODERS; do printf "%16s" "$e"; done; echo
for s in $SIZES; do
	printf "%-12s" "$s"
	# About 8 VGA clips worth of pixels per speed run.
	rep=$(awk -v s="$s" 'BEGIN { split(s, d, "x"); r = int(8 * 640 * 480 / (d[1] * d[2]) + 0.5); print (r < 1 ? 1 : r) }')
	for e in $ENCODERS; do
		read -r fps _ _ < <(enc "$e" "$s" "$SPEED_QP" "$rep")
		printf "%16s" "$fps"
		if [ "$s" = 1280x720 ]; then FPS720[$e]=$fps; fi
	done
	echo
done
if [ -n "${FPS720[ours]:-}" ]; then
	echo "720p speed ours/openh264: $(awk -v a="${FPS720[ours]}" -v b="${FPS720[openh264]}" 'BEGIN { printf "%.2f", a / b }') (target >= 1.00)"
fi

for rs in $RD_SIZES; do
	echo
	echo "== Rate/distortion at $rs, $FRAMES frames @30 fps: kbit/s and Y-PSNR (dB) =="
	printf "%-6s" "QP"; for e in $ENCODERS; do printf "%24s" "$e"; done; echo
	declare -A PTS=()
	for q in $QPS; do
		printf "%-6s" "$q"
		for e in $ENCODERS; do
			read -r _ bytes psnr < <(enc "$e" "$rs" "$q")
			kbps=$(awk -v b="$bytes" -v n="$FRAMES" 'BEGIN { printf "%.1f", b * 8 * 30 / n / 1000 }')
			PTS[$e]="${PTS[$e]:-}$kbps:$psnr,"
			printf "%24s" "$kbps / $psnr"
		done
		echo
	done
	echo "BD-rate of ours, Y-PSNR (negative = fewer bits for the same quality; target vs OpenH264 <= +10 %):"
	for e in openh264 x264-ultrafast x264-veryfast; do
		printf "  vs %-16s %8s %%\n" "$e" "$("$BIN" bdrate "${PTS[$e]}" "${PTS[ours]}")"
	done
	unset PTS
done
echo
echo "(work files in $WORK)"
