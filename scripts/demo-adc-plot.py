#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host side of the ADC part of `make demo`: turns what
scripts/guest-demo-adc.sh printed (the KTAP of the arm boot) into

  OUTDIR/adc-scans.csv   time (s), channel 0 (V), channel 1 (V)
  OUTDIR/adc-steps.csv   step, time set (s), set channel 0 (V), set channel 1 (V)
  OUTDIR/adc.png         the plot (gnuplot)

and prints a table of the voltages set against the voltages read (the
mean of the scans taken while a step's inputs held).

    scripts/demo-adc-plot.py KTAP OUTDIR
"""

import re
import shutil
import subprocess
import sys


def main():
    ktap, out = sys.argv[1], sys.argv[2]
    scale = None
    steps, scans = [], []
    for line in open(ktap, errors="replace"):
        m = re.search(r"# demo-scale ([0-9.]+)", line)
        if m:
            scale = float(m.group(1))  # mV per LSB
        m = re.search(r"# demo-step (\d+) (\d+) (\d+) (\d+) (\d+)", line)
        if m:
            steps.append(tuple(int(x) for x in m.groups()))
        m = re.search(r"# demo-scan (\d+) (\d+) (\d+)", line)
        if m:
            scans.append(tuple(int(x) for x in m.groups()))
    if scale is None or not steps or not scans:
        sys.exit("demo: the guest printed no capture (see the arm console log)")
    t0 = steps[0][1]
    volts = [((t - t0) / 1e9, c0 * scale / 1000, c1 * scale / 1000) for t, c0, c1 in scans]
    with open(f"{out}/adc-scans.csv", "w") as f:
        f.write("# time_s ch0_V ch1_V\n")
        for t, v0, v1 in volts:
            f.write(f"{t:.6f} {v0:.4f} {v1:.4f}\n")
    with open(f"{out}/adc-steps.csv", "w") as f:
        f.write("# step set_time_s set_ch0_V set_ch1_V\n")
        for k, ta, tb, u0, u1 in steps:
            f.write(f"{k} {(tb - t0) / 1e9:.6f} {u0 / 1e6:.4f} {u1 / 1e6:.4f}\n")

    # Set vs read: the scans taken after a step was completely set and
    # before the next one started.
    print("  step   set ch0 V  read ch0 V   set ch1 V  read ch1 V   scans")
    rows = []
    for i, (k, ta, tb, u0, u1) in enumerate(steps):
        end = steps[i + 1][1] if i + 1 < len(steps) else float("inf")
        sel = [(c0, c1) for t, c0, c1 in scans if tb < t < end]
        if not sel:
            continue
        r0 = sum(c for c, _ in sel) / len(sel) * scale / 1000
        r1 = sum(c for _, c in sel) / len(sel) * scale / 1000
        rows.append((k, u0 / 1e6, r0, u1 / 1e6, r1, len(sel)))
    for row in rows[:: max(1, len(rows) // 12)]:
        print("  %4d %11.3f %11.3f %11.3f %11.3f %7d" % row)
    if rows:
        worst = max(max(abs(r[1] - r[2]), abs(r[3] - r[4])) for r in rows)
        print(f"  {len(scans)} scans plotted; largest |set - read| over {len(rows)} steps: "
              f"{worst * 1000:.1f} mV (1 LSB = {scale:.3f} mV)")

    if not shutil.which("gnuplot"):
        print("demo: gnuplot not found (scripts/bootstrap.sh installs gnuplot-nox); no plot")
        return
    script = f"""
set terminal pngcairo size 1200,600 noenhanced
set output '{out}/adc.png'
set title 'npcm_adc_rs on QEMU npcm750-evb: own-trigger capture while the host feeds inputs over QMP'
set xlabel 'time (s)'
set ylabel 'volts'
set key top left
set grid
plot '{out}/adc-scans.csv' using 1:2 with points pt 7 ps 0.3 title 'channel 0 read (sine)', \\
     '{out}/adc-scans.csv' using 1:3 with points pt 7 ps 0.3 title 'channel 1 read (ramp)', \\
     '{out}/adc-steps.csv' using 2:3 with steps lw 1 title 'channel 0 set', \\
     '{out}/adc-steps.csv' using 2:4 with steps lw 1 title 'channel 1 set'
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except subprocess.CalledProcessError:
        # gnuplot-nox has no cairo terminal in some builds: the plain one.
        subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png"), text=True,
                       check=True)
    print(f"  plot: {out}/adc.png; data: {out}/adc-scans.csv, {out}/adc-steps.csv")


if __name__ == "__main__":
    main()
