#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Frame checker for the emulated Raspberry Pi camera board.

Computes, on its own, the frames an IMX219 sends for a configuration (test
pattern, colours, flips, exposure and gains, output size, RAW8/RAW10
packed/unpacked) from the definitions in
Documentation/media/emulated-board.rst ("Frames"), and compares captured
frames with them bit for bit. It shares no code with the emulator.

It also checks `v4l2-ctl --verbose` streaming logs: sequence numbers without
gaps, timestamps monotonic and spaced by the frame interval (with --log, in
the same run as the frames). `selftest` holds the fast frame builder to the
pixel-by-pixel definition.

  framecheck.py frames FILE --width W --height H --fmt F --bpl B
        [--count N] --expect SPEC [--expect SPEC ...]
        [--log LOG --interval-ns T [--first-seq N] [--tolerance 0.01]
         [--late N --latency-ns L]]
  framecheck.py timing LOG --interval-ns T [--count N] [--first-seq N] [--tolerance 0.01]
        [--late N --latency-ns L]
  framecheck.py selftest

SPEC is comma-separated key=value: pattern (0-4), colour=R:Gr:B:Gb,
hflip, vflip, exposure, again, dgain (register values). With several
--expect, the frames must go through them in order (each frame equals one of
them, never going back), ending at the last: a control changed while
streaming shows in the next frames and stays.
F is the V4L2 pixel format (SRGGB10P, SGRBG8, SBGGR10, ...): its bit depth
and packing; the Bayer order is checked separately with --order.
Prints one line per finding; exit status 0 when everything matches.
"""

import argparse
import math
import re
import sys

BLACK_LEVEL = 64  # RAW10 (datasheet 5-6); RAW8: 16 = 64 >> 2

# Colour bars, left to right: white, yellow, cyan, green, magenta, red, blue,
# black, as (red, green, blue) on/off.
BARS = [(1, 1, 1), (1, 1, 0), (0, 1, 1), (0, 1, 0),
        (1, 0, 1), (1, 0, 0), (0, 0, 1), (0, 0, 0)]

# Colour filter at sensor position (x, y): R Gr / Gb B (0: R, 1: Gr, 2: B, 3: Gb).
def cfa(x, y):
    if y % 2:
        return 2 if x % 2 else 3
    return 1 if x % 2 else 0


def channel_on(bar, c):
    r, g, b = BARS[bar % 8]
    return (r, g, b, g)[c]


def pn9_cycle():
    """The 511 pixel values of the PN9 sequence (x^9 + x^5 + 1, seed 0x1ff,
    10 bits a pixel MSB first); it repeats after 511 pixels."""
    state, bits = 0x1ff, []
    for _ in range(511 * 10):
        out = (state >> 8) & 1
        fb = ((state >> 8) ^ (state >> 4)) & 1
        state = ((state << 1) | fb) & 0x1ff
        bits.append(out)
    vals = []
    for k in range(511):
        v = 0
        for b in bits[10 * k:10 * k + 10]:
            v = (v << 1) | b
        vals.append(v)
    return vals


class Spec:
    def __init__(self, text, width, height):
        kv = dict(p.split('=', 1) for p in text.split(',') if p)
        self.text = text
        self.w, self.h = width, height
        self.pattern = int(kv.get('pattern', 0))
        self.colour = [int(c, 0) & 0x3ff for c in kv.get('colour', '1023:1023:1023:1023').split(':')]
        self.hflip = int(kv.get('hflip', 0))
        self.vflip = int(kv.get('vflip', 0))
        self.exposure = int(kv.get('exposure', '0'), 0)
        self.again = int(kv.get('again', '0'), 0)
        self.dgain = int(kv.get('dgain', '256'), 0)
        # The test pattern window: the C driver programs the output size at
        # offset 0; other windows can be given.
        self.tp_x = int(kv.get('tp_x', 0))
        self.tp_y = int(kv.get('tp_y', 0))
        self.tp_w = int(kv.get('tp_w', width))
        self.tp_h = int(kv.get('tp_h', height))

    def row(self, y, pn9):
        """The 10-bit values of sensor row y, left to right before flips."""
        w = self.w
        if self.pattern == 0:
            flat = BLACK_LEVEL + self.exposure * self.dgain // (8 * (256 - self.again))
            return [min(flat, 1023)] * w
        v = y - self.tp_y
        if not 0 <= v < self.tp_h:
            return [0] * w
        bw = max(self.tp_w // 8, 1)
        out = [0] * w
        first = self.tp_x
        last = min(w, self.tp_x + self.tp_w)
        if self.pattern == 4:
            # The sequence runs over the window's pixels in sensor order.
            start = (v * (last - first)) % 511
            seq = (pn9 * ((last - first) // 511 + 2))[start:start + last - first]
            out[first:last] = seq
            return out
        for x in range(first, last):
            u = x - self.tp_x
            c = cfa(x, y)
            if self.pattern == 1:
                val = self.colour[c]
            elif self.pattern == 2:
                val = 1023 if channel_on(u // bw, c) else 0
            elif self.pattern == 3:
                vv = v & ~15 if bw > 1 and (u % bw) >= bw // 2 else v
                if channel_on(u // bw, c):
                    val = 1023 - 511 * vv // self.tp_h
                else:
                    val = 512 * vv // self.tp_h
            else:
                val = 0
            out[x] = val
        return out

    def row_key(self, y):
        """Rows with equal keys have equal values (saves recomputing)."""
        if self.pattern in (0,):
            return 0
        if self.pattern in (1, 2):
            v = y - self.tp_y
            return ('in', y % 2) if 0 <= v < self.tp_h else ('out',)
        return y


def pack(vals, depth, unpacked):
    if depth == 8:
        return bytes(v >> 2 for v in vals)
    if unpacked:
        out = bytearray()
        for v in vals:
            out += bytes((v & 0xff, v >> 8))
        return bytes(out)
    out = bytearray()
    vals = list(vals) + [0] * (-len(vals) % 4)
    for i in range(0, len(vals), 4):
        p = vals[i:i + 4]
        out += bytes((p[0] >> 2, p[1] >> 2, p[2] >> 2, p[3] >> 2,
                      (p[0] & 3) | (p[1] & 3) << 2 | (p[2] & 3) << 4 | (p[3] & 3) << 6))
    return bytes(out)


def expected_lines_reference(spec, depth, unpacked, pn9):
    """The frame as a list of output lines (bytes), flips applied: pixel by
    pixel from Spec.row(), the definition. Slow; the self-test holds
    expected_lines() to it."""
    cache = {}
    lines = [None] * spec.h
    for y in range(spec.h):
        key = spec.row_key(y)
        if key not in cache:
            vals = spec.row(y, pn9)
            if spec.hflip:
                vals = vals[::-1]
            cache[key] = pack(vals, depth, unpacked)
        out_y = spec.h - 1 - y if spec.vflip else y
        lines[out_y] = cache[key]
    return lines


# The same frames built from runs of pixels with bytes operations (C speed,
# also in a TCG guest): a row is two byte strings, the 8 high bits (v >> 2)
# and the 2 low bits (v & 3) of each 10-bit value.

def _runs_row(spec, y, pn9_hl):
    """Row y as (high, low) bytes of length w, before flips."""
    w = spec.w
    if spec.pattern == 0:
        flat = min(BLACK_LEVEL + spec.exposure * spec.dgain // (8 * (256 - spec.again)), 1023)
        return bytes([flat >> 2]) * w, bytes([flat & 3]) * w
    hi, lo = bytearray(w), bytearray(w)
    v = y - spec.tp_y
    first, last = max(spec.tp_x, 0), min(w, spec.tp_x + spec.tp_w)
    if not 0 <= v < spec.tp_h or first >= last:
        return bytes(hi), bytes(lo)
    if spec.pattern == 4:
        n = last - first
        start = (v * n) % 511
        reps = (start + n) // 511 + 1
        hi[first:last] = (pn9_hl[0] * reps)[start:start + n]
        lo[first:last] = (pn9_hl[1] * reps)[start:start + n]
        return bytes(hi), bytes(lo)
    if spec.pattern not in (1, 2, 3):
        return bytes(hi), bytes(lo)
    def fill(x0, x1, val_of_cfa):
        """Pixels x0..x1-1: even and odd x take the values of their colours."""
        if x0 >= x1:
            return
        ve = val_of_cfa(cfa(0, y))  # colour at even x of this row
        vo = val_of_cfa(cfa(1, y))
        pair_hi = bytes([ve >> 2, vo >> 2]) if x0 % 2 == 0 else bytes([vo >> 2, ve >> 2])
        pair_lo = bytes([ve & 3, vo & 3]) if x0 % 2 == 0 else bytes([vo & 3, ve & 3])
        n = x1 - x0
        hi[x0:x1] = (pair_hi * (n // 2 + 1))[:n]
        lo[x0:x1] = (pair_lo * (n // 2 + 1))[:n]

    if spec.pattern == 1:
        fill(first, last, lambda c: spec.colour[c])
        return bytes(hi), bytes(lo)
    bw = max(spec.tp_w // 8, 1)
    k = 0
    while spec.tp_x + k * bw < last:
        x0 = max(spec.tp_x + k * bw, first)
        x1 = min(spec.tp_x + (k + 1) * bw, last)
        if spec.pattern == 2:
            fill(x0, x1, lambda c, k=k: 1023 if channel_on(k, c) else 0)
        else:
            # Left half of the bar: v; right half: v in 16-line steps.
            xm = min(max(spec.tp_x + k * bw + (bw // 2 if bw > 1 else bw), x0), x1)
            for (a, b2, vv) in ((x0, xm, v), (xm, x1, v & ~15)):
                fill(a, b2, lambda c, k=k, vv=vv: 1023 - 511 * vv // spec.tp_h
                     if channel_on(k, c) else 512 * vv // spec.tp_h)
        k += 1
    return bytes(hi), bytes(lo)


_HI_LOW6 = bytes(((i & 0x3f) << 2) for i in range(256))
_HI_TOP2 = bytes((i >> 6) for i in range(256))


def _pack_hl(hi, lo, depth, unpacked):
    if depth == 8:
        return hi
    w = len(hi)
    if unpacked:
        # Little-endian 16 bits: low byte (v & 0xff), high byte (v >> 8).
        low = (int.from_bytes(hi.translate(_HI_LOW6), 'little') |
               int.from_bytes(lo, 'little')).to_bytes(w, 'little')
        out = bytearray(2 * w)
        out[0::2] = low
        out[1::2] = hi.translate(_HI_TOP2)
        return bytes(out)
    pad = -w % 4
    hi, lo = hi + bytes(pad), lo + bytes(pad)
    groups = (w + pad) // 4
    out = bytearray(5 * groups)
    for i in range(4):
        out[i::5] = hi[i::4]
    # Fifth byte: pixel i's two low bits at bits 2i+1..2i; no carry between
    # bytes since each value is below 4.
    low = 0
    for i in range(4):
        low |= int.from_bytes(lo[i::4], 'little') << (2 * i)
    out[4::5] = low.to_bytes(groups, 'little')
    return bytes(out)


def expected_lines(spec, depth, unpacked, pn9):
    """The frame as a list of output lines (bytes), flips applied."""
    pn9_hl = (bytes(v >> 2 for v in pn9), bytes(v & 3 for v in pn9))
    cache = {}
    lines = [None] * spec.h
    for y in range(spec.h):
        key = spec.row_key(y)
        if key not in cache:
            hi, lo = _runs_row(spec, y, pn9_hl)
            if spec.hflip:
                hi, lo = hi[::-1], lo[::-1]
            cache[key] = _pack_hl(hi, lo, depth, unpacked)
        out_y = spec.h - 1 - y if spec.vflip else y
        lines[out_y] = cache[key]
    return lines


FORMATS = {
    # fourcc: (depth, unpacked)
    **{f'S{o}8': (8, False) for o in ('RGGB', 'GRBG', 'GBRG', 'BGGR')},
    **{f'S{o}10P': (10, False) for o in ('RGGB', 'GRBG', 'GBRG', 'BGGR')},
    **{f'S{o}10': (10, True) for o in ('RGGB', 'GRBG', 'GBRG', 'BGGR')},
}
# pRAA and friends: v4l2-ctl prints fourccs; accept both spellings.
ALIASES = {'RGGB': 'SRGGB8', 'GRBG': 'SGRBG8', 'GBRG': 'SGBRG8', 'BA81': 'SBGGR8',
           'pRAA': 'SRGGB10P', 'pgAA': 'SGRBG10P', 'pGAA': 'SGBRG10P', 'pBAA': 'SBGGR10P',
           'RG10': 'SRGGB10', 'BA10': 'SGRBG10', 'GB10': 'SGBRG10', 'BG10': 'SBGGR10'}


def bayer_order(hflip, vflip):
    """The Bayer order of the output, first two pixels of the first two lines."""
    order = [['R', 'G'], ['G', 'B']]
    if hflip:
        order = [r[::-1] for r in order]
    if vflip:
        order = order[::-1]
    return ''.join(order[0] + order[1])


def cmd_frames(a):
    fmt = ALIASES.get(a.fmt, a.fmt)
    if fmt not in FORMATS:
        print(f'unknown format {a.fmt}')
        return 1
    depth, unpacked = FORMATS[fmt]
    pn9 = pn9_cycle()
    specs = [Spec(t, a.width, a.height) for t in a.expect]
    rc = 0
    if a.order:
        want = bayer_order(specs[-1].hflip, specs[-1].vflip)
        if fmt[1:5] != want:
            print(f'Bayer order: format {fmt} but the flips give {want}')
            rc = 1
    exp = [expected_lines(s, depth, unpacked, pn9) for s in specs]
    line_bytes = len(exp[0][0])
    if a.bpl < line_bytes:
        print(f'bytesperline {a.bpl} < {line_bytes} bytes of pixels')
        return 1
    frame_size = a.bpl * a.height
    data = open(a.file, 'rb').read()
    n = len(data) // frame_size
    if len(data) % frame_size:
        print(f'{len(data)} bytes is not a whole number of {frame_size}-byte frames')
        rc = 1
    if a.count is not None and n != a.count:
        print(f'{n} frames, expected {a.count}')
        rc = 1
    whole = [b''.join(e) if a.bpl == line_bytes else None for e in exp]
    stage = 0
    seen = []
    for i in range(n):
        f = data[i * frame_size:(i + 1) * frame_size]
        match = None
        for j in range(stage, len(exp)):
            if whole[j] is not None:
                ok = f == whole[j]
            else:
                ok = all(f[y * a.bpl:y * a.bpl + line_bytes] == exp[j][y]
                         for y in range(a.height))
            if ok:
                match = j
                break
        if match is None:
            rc = 1
            # Say where it differs from the current expectation.
            e = exp[stage]
            for y in range(a.height):
                got = f[y * a.bpl:y * a.bpl + line_bytes]
                if got != e[y]:
                    x = next(k for k in range(line_bytes) if got[k] != e[y][k])
                    print(f'frame {i}: differs from "{specs[stage].text}" at line {y} byte {x}: '
                          f'{got[x:x + 8].hex()} != {e[y][x:x + 8].hex()}')
                    break
            if len(seen) > 20:
                break
            continue
        stage = match
        seen.append(match)
    if n and rc == 0 and stage != len(exp) - 1:
        print(f'the frames never reached "{specs[-1].text}"')
        rc = 1
    changes = [i for i in range(1, len(seen)) if seen[i] != seen[i - 1]]
    print(f'{n} frames of {frame_size} bytes; {"all match" if rc == 0 else "MISMATCH"}'
          + (f'; changes at frames {changes}' if changes else ''))
    return rc


def cmd_timing(a):
    """Sequence numbers and timestamps of a streaming log.

    The sensor starts frames on a grid of the programmed interval T; the
    driver takes its timestamp in the frame start interrupt, which comes
    late by the board's wake-up latency (0 <= latency <= L, the board's
    late_ns_max, given as --latency-ns) and the interrupt's delivery (up
    to a tenth of T allowed). So every interval is k T give or take that,
    k = 1, or more where the board woke so late that it skipped sensor
    frames (its frames_late, given as --late); and the mean interval over
    the run is T within the tolerance give or take that over the run.
    Without --late and --latency-ns: no skipped frame, intervals within
    0.5..1.5 T, mean within the tolerance.

    Several --interval-ns: the interval changes while streaming (a control
    changed): the intervals go through them in order, ending at the last.
    """
    seqs, ts = [], []
    for line in open(a.log, errors='replace'):
        m = re.search(r'seq:\s*(\d+).*?ts:\s*([\d.]+)', line)
        if m:
            seqs.append(int(m.group(1)))
            ts.append(float(m.group(2)))
    rc = 0
    n = len(seqs)
    if a.count is not None and n != a.count:
        print(f'{n} buffers logged, expected {a.count}')
        rc = 1
    if n < 2:
        print('fewer than 2 buffers')
        return 1
    gaps = [(seqs[i - 1], seqs[i]) for i in range(1, n) if seqs[i] != seqs[i - 1] + 1]
    if gaps:
        print(f'sequence gaps: {gaps[:10]}')
        rc = 1
    if a.first_seq is not None and seqs[0] != a.first_seq:
        print(f'first sequence number {seqs[0]}, expected {a.first_seq}')
        rc = 1
    iv = [(ts[i] - ts[i - 1]) * 1e9 for i in range(1, n)]
    if min(iv) <= 0:
        print('timestamps not increasing')
        rc = 1
    stages = a.interval_ns if isinstance(a.interval_ns, list) else [a.interval_ns]
    late = a.late or 0
    lat = a.latency_ns or 0

    def slack(t):
        # How far a timestamp may lag its frame start: the board's latency,
        # and a tenth of a frame for the interrupt's delivery.
        return lat + 0.1 * t if a.latency_ns is not None else 0.5 * t

    def fit(d, t, step):
        """The number of frame periods k >= step that interval d can span
        (d = k t give or take the slack), the fewest; None if none can."""
        lo = max(step, math.ceil((d - slack(t)) / t))
        return lo if lo * t <= d + slack(t) else None

    # An interval spans the frames the driver counted (the sequence
    # numbers' step: more than one is a frame it lost, a failure above)
    # plus any the board skipped. Each belongs to the current stage, or
    # starts the next one when it fits the next without a skipped frame
    # and not the current.
    stage, per_stage, skipped, bad = 0, [[] for _ in stages], 0, []
    for i, d in enumerate(iv):
        step = max(seqs[i + 1] - seqs[i], 1)
        k = fit(d, stages[stage], step)
        if k != step and stage + 1 < len(stages) and fit(d, stages[stage + 1], step) == step:
            stage += 1
            k = step
        if k is None:
            bad.append((i, d, stages[stage]))
            k = max(step, round(d / stages[stage]))
        skipped += k - step
        per_stage[stage].append((i, k))
    if stage != len(stages) - 1:
        print(f'the intervals never reached {stages[-1]:.0f} ns')
        rc = 1
    if skipped > late:
        print(f'{skipped} frame periods without a frame start; the board skipped {late}')
        rc = 1
    if bad:
        i, d, t = bad[0]
        print(f'{len(bad)} intervals off the frame grid, first at buffer {i + 1}: {d:.0f} ns '
              f'for {t:.0f} ns (slack {slack(t):.0f} ns)')
        rc = 1
    summary = []
    for t, members in zip(stages, per_stage):
        if not members:
            continue
        first, last = members[0][0], members[-1][0]
        periods = sum(k for _, k in members)
        mean = (ts[last + 1] - ts[first]) * 1e9 / periods
        err = mean / t - 1
        limit = a.tolerance + (slack(t) if a.latency_ns is not None else 0) / (periods * t)
        if abs(err) > limit:
            print(f'mean interval {mean:.0f} ns, expected {t:.0f} ns ({err * 100:+.3f}%, limit {limit * 100:.3f}%)')
            rc = 1
        summary.append(f'{len(members)} intervals mean {mean:.0f} ns ({err * 100:+.3f}%) for {t:.0f} ns')
    print(f'{n} buffers, seq {seqs[0]}..{seqs[-1]}, ' + ', then '.join(summary)
          + f', min {min(iv):.0f} max {max(iv):.0f} ns'
          + (f'; {skipped} frames skipped by the board' if skipped else '')
          + (f'; board latency up to {lat / 1e6:.2f} ms' if lat else ''))
    return rc


def cmd_selftest(a):
    """expected_lines() against the pixel-by-pixel definition."""
    pn9 = pn9_cycle()
    rc = 0
    n = 0
    for w, h in ((640, 480), (1640, 1232), (36, 20), (37, 19), (9, 5), (1, 3)):
        for spec in ('pattern=0,exposure=1000,again=100,dgain=300', 'pattern=1,colour=100:200:300:1000',
                     'pattern=2', 'pattern=3', 'pattern=4', 'pattern=7',
                     'pattern=2,tp_x=3,tp_y=2,tp_w=17,tp_h=9', 'pattern=3,tp_x=5,tp_y=1,tp_w=33,tp_h=7',
                     'pattern=4,tp_x=1,tp_y=1,tp_w=1000,tp_h=1000', 'pattern=1,tp_x=2,tp_w=3'):
            for flips in ('', ',hflip=1', ',vflip=1', ',hflip=1,vflip=1'):
                for depth, unpacked in ((8, False), (10, False), (10, True)):
                    if w * h > 100000 and (flips or spec.count(',') > 1):
                        continue
                    sp = Spec(spec + flips, w, h)
                    n += 1
                    if expected_lines(sp, depth, unpacked, pn9) != expected_lines_reference(sp, depth, unpacked, pn9):
                        print(f'{w}x{h} {spec}{flips} depth {depth} unpacked {unpacked}: differs')
                        rc = 1
    print(f'{n} configurations, {"all equal" if rc == 0 else "DIFFERENCES"}')
    return rc


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    f = sub.add_parser('frames')
    f.add_argument('file')
    f.add_argument('--width', type=int, required=True)
    f.add_argument('--height', type=int, required=True)
    f.add_argument('--fmt', required=True)
    f.add_argument('--bpl', type=int, required=True)
    f.add_argument('--count', type=int)
    f.add_argument('--order', action='store_true', help='check the Bayer order against the flips')
    f.add_argument('--expect', action='append', required=True)
    f.add_argument('--log', help='also check this streaming log (as the timing command does)')
    f.add_argument('--interval-ns', type=float, action='append')
    f.add_argument('--first-seq', type=int)
    f.add_argument('--tolerance', type=float, default=0.01)
    f.add_argument('--late', type=int, help="frames the board skipped (its frames_late)")
    f.add_argument('--latency-ns', type=float, help="the board's worst frame start latency (late_ns_max)")
    t = sub.add_parser('timing')
    t.add_argument('log')
    t.add_argument('--interval-ns', type=float, required=True, action='append')
    t.add_argument('--count', type=int)
    t.add_argument('--first-seq', type=int)
    t.add_argument('--tolerance', type=float, default=0.01)
    t.add_argument('--late', type=int, help="frames the board skipped (its frames_late)")
    t.add_argument('--latency-ns', type=float, help="the board's worst frame start latency (late_ns_max)")
    sub.add_parser('selftest')
    a = p.parse_args()
    if a.cmd == 'frames':
        # One program start for both checks: starting Python is slow in a TCG guest.
        rc = cmd_frames(a)
        if a.log:
            if a.interval_ns is None:
                p.error('--log needs --interval-ns')
            rc |= cmd_timing(argparse.Namespace(log=a.log, interval_ns=a.interval_ns, count=a.count,
                                                first_seq=a.first_seq, tolerance=a.tolerance,
                                                late=a.late, latency_ns=a.latency_ns))
        return rc
    return {'timing': cmd_timing, 'selftest': cmd_selftest}[a.cmd](a)


if __name__ == '__main__':
    sys.exit(main())
