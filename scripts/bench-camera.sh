#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Camera benchmark: sustained 1920x1080 RAW10 capture on the emulated
# Raspberry Pi camera board, for driver pairs in one x86_64 guest (one
# boot), printed as a table. Not a test: it prints figures.
#
#   scripts/bench-camera.sh [SENSOR,RECEIVER]...
#
# Default: the C pair (imx219, bcm2835-unicam), then the Rust pair
# (imx219_rs, bcm2835_unicam_rs from build/x86_64; the C sensor is used if
# imx219_rs.ko is not built). A driver is a module name or a .ko path.
#
# For each pair: frames dropped (gaps in the sequence numbers), achieved
# against configured frame rate, and the drivers' own cost per frame,
# apart from the emulator's: the time spent in Unicam's interrupt handler
# per frame (irq_handler_entry/exit of its interrupt) and from the entry of
# the frame-end interrupt to the buffer being done (vb2_buf_done), from the
# kernel's trace events. The last column is each pair's handler time over
# the first pair's.
#
# Environment: FRAMES (default 600), BOOT_TIMEOUT (seconds, default 2400),
# KEEP=1 keeps the results directory.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP"

FRAMES=${FRAMES:-600}
b=build/x86_64
if [ $# = 0 ]; then
	rs_sensor=$b/drivers/media/i2c/imx219_rs.ko
	[ -f "$rs_sensor" ] || rs_sensor=imx219
	set -- imx219,bcm2835-unicam "$rs_sensor,$b/drivers/media/platform/broadcom/bcm2835_unicam_rs.ko"
fi
kx86=$(scripts/build-kernel.sh x86_64) || die "no x86_64 kernel"
make >/dev/null || die "make failed"
out=$(mktemp -d /tmp/bench-camera.XXXXXX)

guest=$out/guest.sh
{
	echo 'mount -t debugfs none /sys/kernel/debug 2>/dev/null; dmesg -n 1'
	echo "insmod $TOP/$b/kernel_ext.ko"
	i=0
	for pair in "$@"; do
		s=${pair%%,*} r=${pair#*,}
		[[ $s == */* ]] && s=$TOP/$s
		[[ $r == */* ]] && r=$TOP/$r
		echo "echo 'bench: pair $i ($s, $r)'"
		echo "bash $TOP/tests/camera/bench.sh '$s' '$r' $out/pair$i $FRAMES"
		i=$((i + 1))
	done
	echo "dmesg >$out/dmesg.txt; echo done >$out/done"
} >"$guest"

say "camera benchmark: $# pair(s), $FRAMES frames of 1920x1080 RAW10, results in $out"
timeout --foreground -k 10 "${BOOT_TIMEOUT:-2400}" vng --run "$kx86/arch/x86/boot/bzImage" \
	--disable-kvm --memory 2G --cpus 2 --verbose --rwdir "$out" --append 'memmap=64K$0x70000000' \
	--exec "sh $guest" </dev/null >"$out/console.log" 2>&1
[ -f "$out/done" ] || { tail -n 20 "$out/console.log"; warn "the guest did not finish"; }

python3 - "$out" "$#" <<'EOF'
import re, statistics, sys

out, npairs = sys.argv[1], int(sys.argv[2])

def analyse(d):
    p = {}
    try:
        for line in open(f"{d}/params"):
            k, _, v = line.strip().partition(" ")
            p[k] = v
    except OSError:
        return None
    if "error" in p:
        return {"name": p.get("error"), "error": True}
    seqs, tss = [], []
    for line in open(f"{d}/capture.log", errors="replace"):
        m = re.search(r"seq:\s*(\d+).*?ts:\s*([\d.]+)", line)
        if m:
            seqs.append(int(m.group(1)))
            tss.append(float(m.group(2)))
    drops = sum(b - a - 1 for a, b in zip(seqs, seqs[1:]) if b > a + 1)
    fps = (len(tss) - 1) / (tss[-1] - tss[0]) if len(tss) > 1 and tss[-1] > tss[0] else 0.0
    cfg = 1e9 / int(p["interval_ns"]) if int(p.get("interval_ns", "0")) else 0.0
    # Trace: "... [cpu] flags  123.456789: event: fields"
    ev = re.compile(r"\s(\d+\.\d+):\s+(irq_handler_entry|irq_handler_exit|vb2_buf_done):")
    entry = None
    isr = []          # handler durations, s
    fe_done = []      # from the entry of the handler that completed a buffer, s
    dones = 0
    for line in open(f"{d}/trace.txt", errors="replace"):
        m = ev.search(line)
        if not m:
            continue
        t, name = float(m.group(1)), m.group(2)
        if name == "irq_handler_entry":
            entry = t
        elif name == "irq_handler_exit" and entry is not None:
            isr.append(t - entry)
            entry = None
        elif name == "vb2_buf_done":
            dones += 1
            if entry is not None:
                fe_done.append(t - entry)
    frames = max(dones, 1)
    return {
        "name": f"{p.get('sensor')} + {p.get('receiver')}",
        "frames": len(seqs), "drops": drops, "cfg": cfg, "fps": fps,
        "irqs": len(isr) / frames,
        "isr_frame_us": sum(isr) / frames * 1e6,
        "isr_mean_us": statistics.mean(isr) * 1e6 if isr else 0.0,
        "fe_done_us": statistics.mean(fe_done) * 1e6 if fe_done else 0.0,
        "error": False,
    }

rows = [analyse(f"{out}/pair{i}") for i in range(npairs)]
hdr = ("pair", "frames", "drops", "fps cfg", "fps got", "IRQ/frame",
       "ISR us/frame", "ISR us/IRQ", "FE->done us", "ratio")
print("| " + " | ".join(hdr) + " |")
print("|" + "|".join("---" for _ in hdr) + "|")
base = None
for r in rows:
    if r is None or r["error"]:
        print(f"| {r['name'] if r else '?'} | failed | | | | | | | | |")
        continue
    if base is None:
        base = r["isr_frame_us"] or None
    ratio = f"{r['isr_frame_us'] / base:.3f}" if base else "-"
    print(f"| {r['name']} | {r['frames']} | {r['drops']} | {r['cfg']:.2f} | {r['fps']:.2f} | "
          f"{r['irqs']:.2f} | {r['isr_frame_us']:.1f} | {r['isr_mean_us']:.1f} | "
          f"{r['fe_done_us']:.1f} | {ratio} |")
EOF
if [ -n "${KEEP:-}" ]; then echo "results: $out"; else rm -rf "$out"; fi
