#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Frame checker for the emulated Raspberry Pi camera board.

Computes, on its own, the frames an IMX219 sends for a configuration (test
pattern, colours, flips, exposure and gains, output size, RAW8/RAW10
packed/unpacked) from the definitions in
Documentation/media/emulated-board.rst ("Frames"), and compares captured
frames with them bit for bit. It shares no code with the emulator.

It also checks `v4l2-ctl --verbose` streaming logs: sequence numbers without
gaps, timestamps monotonic and spaced by the frame interval.

  framecheck.py frames FILE --width W --height H --fmt F --bpl B
        [--count N] --expect SPEC [--expect SPEC ...]
  framecheck.py timing LOG --interval-ns T [--count N] [--tolerance 0.01]

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


def expected_lines(spec, depth, unpacked, pn9):
    """The frame as a list of output lines (bytes), flips applied."""
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
    t = a.interval_ns
    mean = (ts[-1] - ts[0]) * 1e9 / (n - 1)
    err = mean / t - 1
    if abs(err) > a.tolerance:
        print(f'mean interval {mean:.0f} ns, expected {t:.0f} ns ({err * 100:+.3f}%, limit {a.tolerance * 100}%)')
        rc = 1
    bad = [i for i, d in enumerate(iv) if not 0.5 * t < d < 1.5 * t]
    if bad:
        print(f'{len(bad)} intervals outside 0.5..1.5 x {t:.0f} ns, first at buffer {bad[0] + 1}: {iv[bad[0]]:.0f} ns')
        rc = 1
    print(f'{n} buffers, seq {seqs[0]}..{seqs[-1]}, interval mean {mean:.0f} ns ({err * 100:+.3f}%), '
          f'min {min(iv):.0f} max {max(iv):.0f} ns, expected {t:.0f} ns')
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
    t = sub.add_parser('timing')
    t.add_argument('log')
    t.add_argument('--interval-ns', type=float, required=True)
    t.add_argument('--count', type=int)
    t.add_argument('--first-seq', type=int)
    t.add_argument('--tolerance', type=float, default=0.01)
    a = p.parse_args()
    return cmd_frames(a) if a.cmd == 'frames' else cmd_timing(a)


if __name__ == '__main__':
    sys.exit(main())
