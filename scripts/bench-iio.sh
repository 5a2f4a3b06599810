#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark of the Rust NPCM7xx ADC driver against the C one, from one boot
# of the arm test bed (QEMU -M npcm750-evb, TCG). Not a test: prints figures.
#
#   scripts/bench-iio.sh
#   BENCH_READS=5000 BENCH_SECS=10 BENCH_RATES="1000 2000" scripts/bench-iio.sh
#
# Direct-read latency: median of BENCH_READS reads of in_voltage0_raw, Rust
# vs C. Buffered: the highest hrtimer trigger rate (of BENCH_RATES) the Rust
# driver sustains for BENCH_SECS seconds without a lost scan, against the C
# driver's direct-read rate (1 / its median latency). Own trigger: the
# scan rate with 1 and 8 channels against the emulated converter's maximum
# conversion rate (QEMU's model: 20 ADC clocks per conversion). The guest side is
# scripts/guest-bench-iio.sh. Figures from an emulator: compare the ratios,
# not the absolute values, and keep the host otherwise idle.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP"

"$TOP/scripts/bootstrap.sh" >&2
make -s ARCH=arm >&2
guest=$(mktemp -d)
trap 'rm -rf "$guest"' EXIT
# Environment for the guest script, set at the top of a copy of it.
{
	for v in BENCH_READS BENCH_SECS BENCH_RATES; do
		[ -n "${!v-}" ] && printf '%s="%s"\n' "$v" "${!v}"
	done
	cat scripts/guest-bench-iio.sh
} >"$guest/bench_iio.sh"
out=$guest/bench.ktap
ARM_TESTS=$guest/bench_iio.sh scripts/check-arm.sh --timeout 1800 \
	build/arm/kernel_ext.ko build/arm/drivers/iio/adc/npcm_adc_rs.ko \
	$(scripts/arm-tools.sh) >"$out" || { cat "$out"; die "the benchmark boot failed"; }

python3 - "$out" <<'PY'
import re, sys
lat, rates, own, samp = {}, [], {}, None
for line in open(sys.argv[1]):
    m = re.search(r"# bench: sampling_frequency (\d+)", line)
    if m:
        samp = int(m.group(1))
    m = re.search(r"# bench: own (\d+) (.*)", line)
    if m:
        f = m.group(2).split()
        own[int(m.group(1))] = dict(zip(f[0::2], f[1::2]))
    m = re.search(r"# bench: latency (\S+) (.*)", line)
    if m:
        f = m.group(2).split()
        lat[m.group(1)] = dict(zip(f[0::2], f[1::2]))
    m = re.search(r"# bench: hrtimer (\d+) (.*)", line)
    if m:
        f = m.group(2).split()
        rates.append((int(m.group(1)), dict(zip(f[0::2], f[1::2]))))
c, rs = lat.get("npcm_adc"), lat.get("npcm_adc_rs")
if not c or not rs:
    sys.exit("benchmark: missing latency figures")
print("Direct reads of in_voltage0_raw (median over %s reads)" % rs["reads"])
print("  %-12s %12s %12s %8s" % ("driver", "median µs", "p90 µs", "errors"))
for name, d in (("C npcm_adc", c), ("Rust", rs)):
    print("  %-12s %12.1f %12.1f %8s" % (name, int(d["median_ns"]) / 1e3,
                                         int(d["p90_ns"]) / 1e3, d["errors"]))
ratio = int(rs["median_ns"]) / int(c["median_ns"])
print("  Rust / C latency: %.3f (target <= 1.05)" % ratio)
c_rate = 1e9 / int(c["median_ns"])
print()
print("Rust triggered buffer, hrtimer trigger, channel 0 + timestamp")
print("  %10s %10s %10s %8s %12s %14s" % ("trigger Hz", "scans", "scans/s", "lost",
                                         "max gap µs", "late periods"))
best = best_req = 0
prev_irq = 0
for rate, d in rates:
    # One trigger for every rate: its interrupt count adds up.
    d["missing"] = str(int(d["irq"]) - prev_irq - int(d["scans"]))
    prev_irq = int(d["irq"])
    print("  %10d %10s %10s %8s %12.1f %14s" % (rate, d["scans"], d["rate_hz"], d["missing"],
                                                int(d["max_gap_ns"]) / 1e3, d["lost"]))
    if d["missing"] == "0" and d["nonmono"] == "0" and int(d["rate_hz"]) > best:
        best, best_req = int(d["rate_hz"]), rate
print("  lost: triggers delivered to the device without a scan reaching user space")
print("  late periods: trigger periods with no scan (the emulated timer's lateness)")
print("  highest delivered rate without a lost scan: %d scans/s (hrtimer set to %d Hz)"
      % (best, best_req))
print("  C direct-read rate (1 / median latency): %.0f Hz" % c_rate)
print("  Rust buffered rate / C direct-read rate: %.2f (target >= 1)" % (best / c_rate))
print()
# QEMU's NPCM7xx ADC model (hw/adc/npcm7xx_adc.c) converts in 20 cycles of
# its input clock times the prescaler 2 * (DIV + 1), i.e. 20 cycles of the
# ADC clock the driver reports as in_voltage_sampling_frequency.
CONV_CLOCKS = 20
print("Own trigger (conversions back to back) against the emulated converter")
if samp is None or not own:
    sys.exit("benchmark: missing own-trigger figures")
print("  ADC clock %d Hz, %d clocks per conversion: %.0f conversions/s at most"
      % (samp, CONV_CLOCKS, samp / CONV_CLOCKS))
print("  %9s %10s %12s %14s %8s" % ("channels", "scans/s", "model max/s", "ratio", "nonmono"))
for nch in sorted(own):
    d = own[nch]
    cap = samp / (CONV_CLOCKS * nch)
    print("  %9d %10s %12.0f %14.3f %8s" % (nch, d["rate_hz"], cap, float(d["rate_hz"]) / cap,
                                            d["nonmono"]))
PY
