// SPDX-License-Identifier: GPL-2.0
//! Formats of the two queues: the raw input layouts of the OUTPUT queue
//! (NV12, NV12M, YUV420, YUV420M), their plane arithmetic for
//! `TRY_FMT`/`S_FMT`, the crop rectangle of `S_SELECTION`, the size of
//! CAPTURE buffers, and the view of a queued buffer the `h264` core reads.
//!
//! # Examples
//!
//! ```
//! use slenc_codec::layout::{try_output, InputFormat};
//! let f = try_output(InputFormat::Nv12M, 1279, 720, [0; 3]);
//! assert_eq!((f.width, f.height), (1280, 720));
//! assert_eq!(f.planes, 2);
//! assert_eq!(f.bytesperline[1], 1280);
//! assert_eq!(f.sizeimage[1], 1280 * 360);
//! ```

use h264::{Frame, PixelFormat, MAX_DIMENSION};

/// `v4l2_fourcc(a, b, c, d)`.
pub const fn fourcc(a: u8, b: u8, c: u8, d: u8) -> u32 {
    (a as u32) | ((b as u32) << 8) | ((c as u32) << 16) | ((d as u32) << 24)
}

/// `V4L2_PIX_FMT_NV12`.
pub const PIX_FMT_NV12: u32 = fourcc(b'N', b'V', b'1', b'2');
/// `V4L2_PIX_FMT_NV12M`.
pub const PIX_FMT_NV12M: u32 = fourcc(b'N', b'M', b'1', b'2');
/// `V4L2_PIX_FMT_YUV420`.
pub const PIX_FMT_YUV420: u32 = fourcc(b'Y', b'U', b'1', b'2');
/// `V4L2_PIX_FMT_YUV420M`.
pub const PIX_FMT_YUV420M: u32 = fourcc(b'Y', b'M', b'1', b'2');
/// `V4L2_PIX_FMT_H264_SLICE`, the CAPTURE format.
pub const PIX_FMT_H264_SLICE: u32 = fourcc(b'S', b'2', b'6', b'4');

/// Smallest picture accepted, in luma samples.
pub const MIN_DIMENSION: u32 = 16;
/// Alignment of luma lines (and of NV12 chroma lines), bytes.
pub const LINE_ALIGN: u32 = 16;
/// Largest line accepted, bytes.
pub const MAX_BYTESPERLINE: u32 = 4 * MAX_DIMENSION;

/// Raw input layouts of the OUTPUT queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// Y plane then interleaved CbCr plane, in one buffer.
    Nv12,
    /// Y and interleaved CbCr in two buffers.
    Nv12M,
    /// Y, Cb, Cr planes in one buffer.
    Yuv420,
    /// Y, Cb, Cr planes in three buffers.
    Yuv420M,
}

/// The formats in `ENUM_FMT` order (NV12 first: the default).
pub const INPUT_FORMATS: [InputFormat; 4] = [
    InputFormat::Nv12,
    InputFormat::Nv12M,
    InputFormat::Yuv420,
    InputFormat::Yuv420M,
];

impl InputFormat {
    /// V4L2 fourcc.
    pub const fn fourcc(self) -> u32 {
        match self {
            InputFormat::Nv12 => PIX_FMT_NV12,
            InputFormat::Nv12M => PIX_FMT_NV12M,
            InputFormat::Yuv420 => PIX_FMT_YUV420,
            InputFormat::Yuv420M => PIX_FMT_YUV420M,
        }
    }

    /// From a fourcc.
    pub fn from_fourcc(f: u32) -> Option<Self> {
        INPUT_FORMATS.iter().copied().find(|i| i.fourcc() == f)
    }

    /// Number of memory planes (buffers) of a V4L2 buffer.
    pub const fn mem_planes(self) -> usize {
        match self {
            InputFormat::Nv12 | InputFormat::Yuv420 => 1,
            InputFormat::Nv12M => 2,
            InputFormat::Yuv420M => 3,
        }
    }

    /// Layout the `h264` core reads.
    pub const fn core_format(self) -> PixelFormat {
        match self {
            InputFormat::Nv12 | InputFormat::Nv12M => PixelFormat::Nv12,
            InputFormat::Yuv420 | InputFormat::Yuv420M => PixelFormat::I420,
        }
    }
}

/// An OUTPUT format after `TRY_FMT`: sizes, lines and planes.
///
/// # Invariants
///
/// `width` and `height` are even and within
/// [`MIN_DIMENSION`]..=[`MAX_DIMENSION`]; every used plane's
/// `bytesperline` holds a line and `sizeimage` the plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputFormat {
    /// Layout.
    pub format: InputFormat,
    /// Width in luma samples.
    pub width: u32,
    /// Height in luma samples.
    pub height: u32,
    /// Number of memory planes.
    pub planes: usize,
    /// `bytesperline` of each memory plane (for one-buffer formats only
    /// the first is used: the luma line; chroma lines follow from it).
    pub bytesperline: [u32; 3],
    /// `sizeimage` of each memory plane.
    pub sizeimage: [u32; 3],
}

fn even_clamp(v: u32) -> u32 {
    (v.saturating_add(1) & !1).clamp(MIN_DIMENSION, MAX_DIMENSION)
}

fn line(req: u32, min: u32, align: u32) -> u32 {
    // max/min rather than clamp: no assertion on the bounds.
    let v = req.max(min).min(MAX_BYTESPERLINE);
    v.div_ceil(align) * align
}

/// `TRY_FMT` on the OUTPUT queue: rounds the size to even values within
/// the limits, and each line up to the width (or the requested larger
/// line) aligned to [`LINE_ALIGN`] (chroma lines of YUV420M to half of
/// it). Any input gives a valid format.
pub fn try_output(format: InputFormat, width: u32, height: u32, bpl: [u32; 3]) -> OutputFormat {
    let w = even_clamp(width);
    let h = even_clamp(height);
    let mut f = OutputFormat {
        format,
        width: w,
        height: h,
        planes: format.mem_planes(),
        bytesperline: [0; 3],
        sizeimage: [0; 3],
    };
    let y = line(bpl[0], w, LINE_ALIGN);
    f.bytesperline[0] = y;
    match format {
        InputFormat::Nv12 => f.sizeimage[0] = y * h + y * (h / 2),
        InputFormat::Yuv420 => f.sizeimage[0] = y * h + 2 * (y / 2) * (h / 2),
        InputFormat::Nv12M => {
            let c = line(bpl[1], w, LINE_ALIGN);
            f.bytesperline[1] = c;
            f.sizeimage = [y * h, c * (h / 2), 0];
        }
        InputFormat::Yuv420M => {
            let cb = line(bpl[1], w / 2, LINE_ALIGN / 2);
            let cr = line(bpl[2], w / 2, LINE_ALIGN / 2);
            f.bytesperline[1] = cb;
            f.bytesperline[2] = cr;
            f.sizeimage = [y * h, cb * (h / 2), cr * (h / 2)];
        }
    }
    f
}

/// Where one image plane lies in the buffer's memory planes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaneView {
    /// Memory plane index.
    pub mem_plane: usize,
    /// Byte offset in it.
    pub offset: usize,
    /// Line stride, bytes.
    pub stride: usize,
    /// Bytes the image plane occupies from `offset`.
    pub len: usize,
}

/// Y, Cb (or CbCr) and Cr plane views of a format (Cr is empty for NV12).
pub fn plane_views(f: &OutputFormat) -> [PlaneView; 3] {
    let h = f.height as usize;
    let ch = h / 2;
    let y = f.bytesperline[0] as usize;
    let pv = |mem_plane, offset, stride: usize, rows: usize| PlaneView {
        mem_plane,
        offset,
        stride,
        len: stride * rows,
    };
    let none = PlaneView {
        mem_plane: 0,
        offset: 0,
        stride: 0,
        len: 0,
    };
    match f.format {
        InputFormat::Nv12 => [pv(0, 0, y, h), pv(0, y * h, y, ch), none],
        InputFormat::Yuv420 => [
            pv(0, 0, y, h),
            pv(0, y * h, y / 2, ch),
            pv(0, y * h + (y / 2) * ch, y / 2, ch),
        ],
        InputFormat::Nv12M => [
            pv(0, 0, y, h),
            pv(1, 0, f.bytesperline[1] as usize, ch),
            none,
        ],
        InputFormat::Yuv420M => [
            pv(0, 0, y, h),
            pv(1, 0, f.bytesperline[1] as usize, ch),
            pv(2, 0, f.bytesperline[2] as usize, ch),
        ],
    }
}

/// Buffer memory too small for the format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortBuffer;

/// The picture of a queued OUTPUT buffer as the `h264` core reads it.
/// `mem[i]` is memory plane `i` (from its start; `data_offset` applied).
pub fn frame<'a>(f: &OutputFormat, mem: &[&'a [u8]]) -> Result<Frame<'a>, ShortBuffer> {
    let v = plane_views(f);
    let get = |p: &PlaneView| -> Result<&'a [u8], ShortBuffer> {
        if p.len == 0 {
            return Ok(&[]);
        }
        let m: &'a [u8] = mem.get(p.mem_plane).copied().ok_or(ShortBuffer)?;
        m.get(p.offset..p.offset + p.len).ok_or(ShortBuffer)
    };
    Ok(Frame {
        format: f.format.core_format(),
        luma: get(&v[0])?,
        luma_stride: v[0].stride,
        cb: get(&v[1])?,
        cb_stride: v[1].stride,
        cr: get(&v[2])?,
        cr_stride: v[2].stride,
    })
}

/// A rectangle (`struct v4l2_rect`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub left: u32,
    /// Top edge.
    pub top: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Rect {
    /// The whole `width` x `height` picture.
    pub const fn full(width: u32, height: u32) -> Self {
        Rect {
            left: 0,
            top: 0,
            width,
            height,
        }
    }
}

/// `S_SELECTION(V4L2_SEL_TGT_CROP)` on the OUTPUT queue: the visible part
/// of the picture, written as SPS frame cropping. Adjusted to even
/// positions and sizes (4:2:0 crop units) of at least 2x2 inside the
/// `width` x `height` picture.
pub fn try_crop(width: u32, height: u32, r: Rect) -> Rect {
    let axis = |pos: u32, len: u32, total: u32| -> (u32, u32) {
        let total = total & !1;
        let pos = (pos & !1).min(total.saturating_sub(2));
        let len = (len & !1).max(2).min(total - pos);
        (pos, len)
    };
    let (left, w) = axis(r.left, r.width, width.max(2));
    let (top, h) = axis(r.top, r.height, height.max(2));
    Rect {
        left,
        top,
        width: w,
        height: h,
    }
}

/// Smallest CAPTURE buffer (`sizeimage`) for a `width` x `height` picture:
/// room for the headers and a picture of the coded size at any QP above
/// 10 (512 bytes per macroblock, above the 384 of raw samples plus the
/// macroblock syntax). Smaller buffers are refused; a frame that still
/// overflows fails with the buffer flagged `V4L2_BUF_FLAG_ERROR`.
pub fn capture_min_size(width: u32, height: u32) -> u32 {
    let mbs = width.div_ceil(16) * height.div_ceil(16);
    mbs.saturating_mul(512).saturating_add(64 * 1024)
}
