#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Encodes a known pattern through the slenc_rs mem2mem node with plain
V4L2 ioctls (MMAP buffers, one OUTPUT and one CAPTURE buffer in flight),
and checks the stream against the pattern once decoded by ffmpeg.

  slenc_encode.py encode DEVICE WIDTH HEIGHT FRAMES STREAM.h264 [GOP]
      (GOP: sets V4L2_CID_MPEG_VIDEO_GOP_SIZE first)
      prints one line per frame: "frame N bytes B flags F sequence S"
  slenc_encode.py nv12 FILE.nv12 WIDTH HEIGHT FRAMES
      writes the pattern as raw NV12 pictures
  slenc_encode.py psnr DECODED.yuv WIDTH HEIGHT FRAMES
      prints "frames N psnr_y Y psnr_u U psnr_v V min_y M" comparing the
      decoded I420 pictures with the pattern (computed here, independently
      of the encoder).
"""
import fcntl
import mmap
import math
import os
import select
import struct
import sys

_IOC_WRITE, _IOC_READ = 1, 2


def _ioc(d, nr, size):
    return (d << 30) | (size << 16) | (ord('V') << 8) | nr


FMT_SIZE = 208  # struct v4l2_format (x86_64)
BUF_SIZE = 88  # struct v4l2_buffer (x86_64)
VIDIOC_S_FMT = _ioc(_IOC_READ | _IOC_WRITE, 5, FMT_SIZE)
VIDIOC_REQBUFS = _ioc(_IOC_READ | _IOC_WRITE, 8, 20)
VIDIOC_QUERYBUF = _ioc(_IOC_READ | _IOC_WRITE, 9, BUF_SIZE)
VIDIOC_QBUF = _ioc(_IOC_READ | _IOC_WRITE, 15, BUF_SIZE)
VIDIOC_DQBUF = _ioc(_IOC_READ | _IOC_WRITE, 17, BUF_SIZE)
VIDIOC_STREAMON = _ioc(_IOC_WRITE, 18, 4)
VIDIOC_STREAMOFF = _ioc(_IOC_WRITE, 19, 4)
VIDIOC_S_CTRL = _ioc(_IOC_READ | _IOC_WRITE, 28, 8)
CID_GOP_SIZE = 0x00990000 | 0x900 | 202  # V4L2_CID_MPEG_VIDEO_GOP_SIZE
CAPTURE, OUTPUT = 1, 2
MEMORY_MMAP = 1
NV12 = struct.unpack('<I', b'NV12')[0]
H264_SLICE = struct.unpack('<I', b'S264')[0]


def pattern(w, h, t):
    """Planes Y, U, V (4:2:0) of picture t: smooth gradients that move, and
    a block of detail. Not what the encoder computes: what it was given."""
    y = bytearray(w * h)
    for j in range(h):
        row = j * w
        for i in range(w):
            v = (i * 2 + j + 3 * t) & 0xFF
            if 16 <= i < 48 and 16 <= j < 48:
                v = 235 if ((i >> 2) + (j >> 2) + t) & 1 else 16
            y[row + i] = v
    cw, ch = w // 2, h // 2
    u = bytearray(cw * ch)
    v = bytearray(cw * ch)
    for j in range(ch):
        for i in range(cw):
            u[j * cw + i] = 64 + ((i + t) % 128)
            v[j * cw + i] = 192 - ((j + 2 * t) % 128)
    return y, u, v


def fmt(dev, buf_type, w, h, fourcc, sizeimage=0):
    b = bytearray(FMT_SIZE)
    struct.pack_into('<I', b, 0, buf_type)
    struct.pack_into('<6I', b, 8, w, h, fourcc, 1, 0, sizeimage)
    fcntl.ioctl(dev, VIDIOC_S_FMT, b)
    return struct.unpack_from('<6I', b, 8)


def reqbufs(dev, buf_type, count):
    b = bytearray(struct.pack('<4IB3x', count, buf_type, MEMORY_MMAP, 0, 0))
    fcntl.ioctl(dev, VIDIOC_REQBUFS, b)
    return struct.unpack_from('<I', b, 0)[0]


def buf(buf_type, index=0, bytesused=0):
    b = bytearray(BUF_SIZE)
    struct.pack_into('<3I', b, 0, index, buf_type, bytesused)
    struct.pack_into('<I', b, 60, MEMORY_MMAP)
    return b


def map_buf(dev, buf_type):
    b = buf(buf_type)
    fcntl.ioctl(dev, VIDIOC_QUERYBUF, b)
    offset = struct.unpack_from('<I', b, 64)[0]
    length = struct.unpack_from('<I', b, 72)[0]
    return mmap.mmap(dev, length, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE,
                     offset=offset), length


def dqbuf(dev, buf_type):
    poller = select.poll()
    poller.register(dev, select.POLLIN | select.POLLOUT | select.POLLPRI)
    if not poller.poll(60000):
        raise TimeoutError('no buffer within 60 s')
    b = buf(buf_type)
    fcntl.ioctl(dev, VIDIOC_DQBUF, b)
    _, _, used, flags = struct.unpack_from('<4I', b, 0)
    seq = struct.unpack_from('<I', b, 56)[0]
    return used, flags, seq


def encode(path, w, h, frames, out, gop=None):
    dev = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    if gop is not None:
        fcntl.ioctl(dev, VIDIOC_S_CTRL, struct.pack('<Ii', CID_GOP_SIZE, gop))
    ow, oh, _, _, bpl, size = fmt(dev, OUTPUT, w, h, NV12)
    if (ow, oh, bpl) != (w, h, w):
        raise ValueError(f'OUTPUT format {ow}x{oh} bpl {bpl}, asked {w}x{h}')
    fmt(dev, CAPTURE, w, h, H264_SLICE)
    reqbufs(dev, OUTPUT, 1)
    reqbufs(dev, CAPTURE, 1)
    src, src_len = map_buf(dev, OUTPUT)
    dst, dst_len = map_buf(dev, CAPTURE)
    fcntl.ioctl(dev, VIDIOC_STREAMON, struct.pack('<I', OUTPUT))
    fcntl.ioctl(dev, VIDIOC_STREAMON, struct.pack('<I', CAPTURE))
    with open(out, 'wb') as f:
        for t in range(frames):
            y, u, v = pattern(w, h, t)
            uv = bytearray(len(u) * 2)
            uv[0::2] = u
            uv[1::2] = v
            src[0:len(y)] = y
            src[len(y):len(y) + len(uv)] = uv
            fcntl.ioctl(dev, VIDIOC_QBUF, buf(CAPTURE))
            fcntl.ioctl(dev, VIDIOC_QBUF, buf(OUTPUT, 0, size))
            used, flags, seq = dqbuf(dev, CAPTURE)
            dqbuf(dev, OUTPUT)
            f.write(dst[0:used])
            print(f'frame {t} bytes {used} flags {flags:#x} sequence {seq}', flush=True)
    fcntl.ioctl(dev, VIDIOC_STREAMOFF, struct.pack('<I', OUTPUT))
    fcntl.ioctl(dev, VIDIOC_STREAMOFF, struct.pack('<I', CAPTURE))
    src.close()
    dst.close()
    os.close(dev)


def psnr_of(a, b):
    se = sum((x - y) * (x - y) for x, y in zip(a, b))
    if se == 0:
        return 99.0
    return 10 * math.log10(255 * 255 * len(a) / se)


def psnr(path, w, h, frames):
    data = open(path, 'rb').read()
    fsz = w * h * 3 // 2
    n = len(data) // fsz
    tot = [0.0, 0.0, 0.0]
    min_y = 99.0
    for t in range(min(n, frames)):
        y, u, v = pattern(w, h, t)
        d = data[t * fsz:(t + 1) * fsz]
        cs = w * h // 4
        py = psnr_of(y, d[:w * h])
        min_y = min(min_y, py)
        tot[0] += py
        tot[1] += psnr_of(u, d[w * h:w * h + cs])
        tot[2] += psnr_of(v, d[w * h + cs:])
    k = max(1, min(n, frames))
    print(f'frames {n} psnr_y {tot[0] / k:.2f} psnr_u {tot[1] / k:.2f} '
          f'psnr_v {tot[2] / k:.2f} min_y {min_y:.2f}')


def write_nv12(path, w, h, frames):
    with open(path, 'wb') as f:
        for t in range(frames):
            y, u, v = pattern(w, h, t)
            uv = bytearray(len(u) * 2)
            uv[0::2] = u
            uv[1::2] = v
            f.write(y)
            f.write(uv)


if __name__ == '__main__':
    if sys.argv[1] == 'nv12':
        write_nv12(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == 'encode':
        gop = int(sys.argv[7]) if len(sys.argv) > 7 else None
        encode(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], gop)
    else:
        psnr(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
