// SPDX-License-Identifier: GPL-2.0
//! Where pictures come from: a raw file (I420 or NV12, tightly packed), or
//! generated test content; and how a picture is laid out in the OUTPUT
//! buffer's memory planes.

use slenc_codec::layout::{plane_views, InputFormat, OutputFormat};
use std::fs::File;
use std::io::{ErrorKind, Read};

/// A planar 4:2:0 picture.
pub struct Picture {
    /// Width.
    pub w: usize,
    /// Height.
    pub h: usize,
    /// Luma.
    pub y: Vec<u8>,
    /// Cb.
    pub u: Vec<u8>,
    /// Cr.
    pub v: Vec<u8>,
}

/// Layout of a raw input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawLayout {
    /// Y, Cb, Cr planes.
    I420,
    /// Y plane, interleaved CbCr plane.
    Nv12,
}

/// A source of pictures.
pub enum Source {
    /// A raw file.
    File(File, RawLayout),
    /// Generated content: moving gradients, a moving box and a band of
    /// fine detail, deterministic.
    Pattern,
}

impl Source {
    /// Reads or generates picture `t`; `None` at the end of a file.
    pub fn next(&mut self, w: usize, h: usize, t: usize) -> std::io::Result<Option<Picture>> {
        let (cw, ch) = (w / 2, h / 2);
        let mut p = Picture {
            w,
            h,
            y: vec![0; w * h],
            u: vec![0; cw * ch],
            v: vec![0; cw * ch],
        };
        match self {
            Source::File(f, layout) => {
                let mut buf = vec![0u8; w * h + 2 * cw * ch];
                match f.read_exact(&mut buf) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Ok(None),
                    Err(e) => return Err(e),
                }
                p.y.copy_from_slice(&buf[..w * h]);
                let c = &buf[w * h..];
                match layout {
                    RawLayout::I420 => {
                        p.u.copy_from_slice(&c[..cw * ch]);
                        p.v.copy_from_slice(&c[cw * ch..]);
                    }
                    RawLayout::Nv12 => {
                        for i in 0..cw * ch {
                            p.u[i] = c[2 * i];
                            p.v[i] = c[2 * i + 1];
                        }
                    }
                }
            }
            Source::Pattern => {
                let (bx, by) = ((t * 7) % w.max(1), (t * 3) % h.max(1));
                for y in 0..h {
                    for x in 0..w {
                        let g = (x + y + 2 * t) & 0xff;
                        let in_box = x.wrapping_sub(bx) < w / 6 && y.wrapping_sub(by) < h / 6;
                        let detail =
                            y > h / 2 && y < h / 2 + 24 && ((x + t * 4) / 3 + y).is_multiple_of(5);
                        p.y[y * w + x] = if in_box {
                            235
                        } else if detail {
                            16
                        } else {
                            g as u8
                        };
                    }
                }
                for y in 0..ch {
                    for x in 0..cw {
                        p.u[y * cw + x] = (64 + (x + t) % 128) as u8;
                        p.v[y * cw + x] = (192 - (y + t) % 128) as u8;
                    }
                }
            }
        }
        Ok(Some(p))
    }
}

/// Writes `p` into the memory planes of an OUTPUT buffer of format `f`.
pub fn fill_planes(f: &OutputFormat, p: &Picture, mem: &mut [Vec<u8>]) {
    let v = plane_views(f);
    let (w, h, cw) = (p.w, p.h, p.w / 2);
    for r in 0..h {
        let o = v[0].offset + r * v[0].stride;
        mem[v[0].mem_plane][o..o + w].copy_from_slice(&p.y[r * w..(r + 1) * w]);
    }
    for r in 0..h / 2 {
        match f.format {
            InputFormat::Nv12 | InputFormat::Nv12M => {
                let o = v[1].offset + r * v[1].stride;
                let d = &mut mem[v[1].mem_plane][o..o + 2 * cw];
                for x in 0..cw {
                    d[2 * x] = p.u[r * cw + x];
                    d[2 * x + 1] = p.v[r * cw + x];
                }
            }
            InputFormat::Yuv420 | InputFormat::Yuv420M => {
                let o = v[1].offset + r * v[1].stride;
                mem[v[1].mem_plane][o..o + cw].copy_from_slice(&p.u[r * cw..(r + 1) * cw]);
                let o = v[2].offset + r * v[2].stride;
                mem[v[2].mem_plane][o..o + cw].copy_from_slice(&p.v[r * cw..(r + 1) * cw]);
            }
        }
    }
}
