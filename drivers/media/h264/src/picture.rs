// SPDX-License-Identifier: GPL-2.0
//! Coding one picture whose parameter sets and slice headers the caller
//! writes itself: the part of the encoder a stateless driver hands to its
//! engine. [`Encoder`](crate::Encoder) is built on it.

use crate::bitstream::BitWriter;
use crate::deblock::{deblock_picture, Geometry};
use crate::encoder::{Error, Frame, FrameBuffers, PixelFormat, MAX_DIMENSION};
use crate::inter::PlaneRef;
use crate::mb::{self, MbInfo, Recon, RefPic, SliceCtx, Workspace};
use crate::transform::chroma_qp;

/// How the coded picture is coded, besides its slice headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PictureParams {
    /// Width in luma samples of the source (even, 2..=[`MAX_DIMENSION`]);
    /// the coded picture is this rounded up to whole macroblocks, the
    /// samples beyond it repeat the last column.
    pub width: u32,
    /// Height in luma samples of the source (even, 2..=[`MAX_DIMENSION`]).
    pub height: u32,
    /// Slice QP (0..=51).
    pub qp: u8,
    /// P picture predicting from [`FrameBuffers::reference`] (else I).
    pub inter: bool,
    /// chroma_qp_index_offset of the PPS (-12..=12).
    pub chroma_qp_offset: i8,
    /// In-loop deblocking (disable_deblocking_filter_idc != 1).
    pub deblock: bool,
    /// FilterOffsetA (slice_alpha_c0_offset_div2 * 2, -12..=12).
    pub filter_offset_a: i8,
    /// FilterOffsetB (slice_beta_offset_div2 * 2, -12..=12).
    pub filter_offset_b: i8,
    /// Number of slices (1..=number of macroblocks).
    pub slices: u32,
    /// Integer motion search range in luma samples (1..=64).
    pub search_range: u8,
    /// Half/quarter-sample motion refinement.
    pub subpel: bool,
    /// Try Intra 4x4 prediction.
    pub intra4x4: bool,
}

impl PictureParams {
    /// Width in macroblocks.
    pub const fn mb_width(&self) -> usize {
        self.width.div_ceil(16) as usize
    }

    /// Height in macroblocks.
    pub const fn mb_height(&self) -> usize {
        self.height.div_ceil(16) as usize
    }

    /// Number of macroblocks.
    pub const fn mb_count(&self) -> usize {
        self.mb_width() * self.mb_height()
    }

    /// Bytes of one reconstruction/reference picture (MB-aligned I420).
    pub const fn picture_size(&self) -> usize {
        self.mb_count() * 384
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), Error> {
        let dim_ok = |d: u32| (2..=MAX_DIMENSION).contains(&d) && d.is_multiple_of(2);
        let off_ok = |o: i8| (-12..=12).contains(&o);
        if !dim_ok(self.width)
            || !dim_ok(self.height)
            || self.qp > 51
            || !(-12..=12).contains(&self.chroma_qp_offset)
            || !off_ok(self.filter_offset_a)
            || !off_ok(self.filter_offset_b)
            || self.slices == 0
            || self.slices as usize > self.mb_count()
            || self.search_range == 0
            || self.search_range > 64
        {
            return Err(Error::InvalidConfig);
        }
        Ok(())
    }
}

/// Checks that the planes of `f` hold a `width` x `height` picture.
pub fn check_frame(width: u32, height: u32, f: &Frame<'_>) -> Result<(), Error> {
    let w = width as usize;
    let h = height as usize;
    if w == 0 || h == 0 {
        return Err(Error::InvalidFrame);
    }
    let (cw, ch) = (w / 2, h / 2);
    let need = |len: usize, stride: usize, row: usize, rows: usize| -> bool {
        stride >= row
            && stride
                .checked_mul(rows.saturating_sub(1))
                .and_then(|x| x.checked_add(row))
                .is_some_and(|n| n <= len)
    };
    if !need(f.luma.len(), f.luma_stride, w, h) {
        return Err(Error::InvalidFrame);
    }
    match f.format {
        PixelFormat::Nv12 => {
            if !need(f.cb.len(), f.cb_stride, 2 * cw, ch) {
                return Err(Error::InvalidFrame);
            }
        }
        PixelFormat::I420 => {
            if !need(f.cb.len(), f.cb_stride, cw, ch) || !need(f.cr.len(), f.cr_stride, cw, ch) {
                return Err(Error::InvalidFrame);
            }
        }
    }
    Ok(())
}

/// Codes the macroblocks of one picture into `bw` and leaves the
/// (deblocked) reconstruction in `bufs.recon`.
///
/// For each slice, `slice_header(bw, first_mb)` must open the slice NAL
/// unit and write its header (the QP it writes must be `p.qp`); this
/// function then writes the slice data and ends the NAL unit. The slices
/// split the picture into runs of equal length in raster order.
///
/// Fails without writing the reconstruction if the parameters, the source
/// or the buffers are invalid, or with [`Error::OutputTooSmall`] if `bw`
/// ran out of space (the reconstruction is then incomplete).
pub fn encode_picture<F>(
    p: &PictureParams,
    src: &Frame<'_>,
    bufs: &mut FrameBuffers<'_>,
    bw: &mut BitWriter<'_>,
    mut slice_header: F,
) -> Result<(), Error>
where
    F: FnMut(&mut BitWriter<'_>, u32),
{
    p.validate()?;
    check_frame(p.width, p.height, src)?;
    let mbs = p.mb_count();
    let psize = p.picture_size();
    if bufs.recon.len() < psize || bufs.mb_info.len() < mbs {
        return Err(Error::BufferTooSmall);
    }
    if p.inter && bufs.reference.len() < psize {
        return Err(Error::BufferTooSmall);
    }
    let mb_w = p.mb_width();
    let mb_h = p.mb_height();
    let ys = mb_w * 16;
    let cs = mb_w * 8;
    let ysize = ys * mb_h * 16;
    let csize = cs * mb_h * 8;

    let (ry, rest) = bufs.recon.split_at_mut(ysize);
    let (ru, rest) = rest.split_at_mut(csize);
    let rv = rest.get_mut(..csize).ok_or(Error::BufferTooSmall)?;
    let refp = if p.inter {
        let r = bufs.reference;
        let (a, b) = r.split_at(ysize);
        let (u, v) = b.split_at(csize);
        Some(RefPic {
            y: PlaneRef::new(a, ys, ys, mb_h * 16).ok_or(Error::BufferTooSmall)?,
            u: PlaneRef::new(u, cs, cs, mb_h * 8).ok_or(Error::BufferTooSmall)?,
            v: PlaneRef::new(v, cs, cs, mb_h * 8).ok_or(Error::BufferTooSmall)?,
        })
    } else {
        None
    };
    let info = bufs.mb_info.get_mut(..mbs).ok_or(Error::BufferTooSmall)?;
    for i in info.iter_mut() {
        *i = MbInfo::EMPTY;
    }
    let qpc = chroma_qp(p.qp, p.chroma_qp_offset);
    let mut ctx = SliceCtx {
        recon: Recon {
            y: ry,
            u: ru,
            v: rv,
            ys,
            cs,
        },
        refp,
        info,
        mb_w,
        slice_start: 0,
        qp: p.qp,
        qpc,
        lambda: mb::lambda(p.qp),
        range: i32::from(p.search_range),
        subpel: p.subpel,
        i4: p.intra4x4,
        skip_run: 0,
    };
    // No panic paths: `clamp` asserts, `/` checks for zero.
    let nslices = (p.slices as usize).max(1).min(mbs.max(1));
    let per = (mbs + nslices - 1).checked_div(nslices).unwrap_or(mbs);
    let mut first = 0usize;
    while first < mbs {
        let last = (first + per).min(mbs);
        slice_header(bw, first as u32);
        ctx.slice_start = first;
        ctx.skip_run = 0;
        for addr in first..last {
            let (mbx, mby) = (
                addr.checked_rem(mb_w).unwrap_or(0),
                addr.checked_div(mb_w).unwrap_or(0),
            );
            load_mb(src, p.width, p.height, mbx, mby, bufs.workspace);
            mb::encode_mb(&mut ctx, bufs.workspace, bw, mbx, mby, p.inter);
            if bw.overflowed() {
                return Err(Error::OutputTooSmall);
            }
        }
        if p.inter && ctx.skip_run > 0 {
            bw.ue(ctx.skip_run);
        }
        bw.end_nal();
        first = last;
    }
    if bw.overflowed() {
        return Err(Error::OutputTooSmall);
    }
    if p.deblock {
        let g = Geometry {
            mb_w,
            mb_h,
            offset_a: i32::from(p.filter_offset_a),
            offset_b: i32::from(p.filter_offset_b),
            chroma_offset: p.chroma_qp_offset,
        };
        let Recon { y, u, v, .. } = ctx.recon;
        deblock_picture(&g, y, u, v, ctx.info);
    }
    Ok(())
}

/// Copies the source samples of one macroblock into the work buffers,
/// replicating the last column/row beyond the frame edge. The frame was
/// validated by [`check_frame`].
fn load_mb(src: &Frame<'_>, width: u32, height: u32, mbx: usize, mby: usize, w: &mut Workspace) {
    let fw = width as usize;
    let fh = height as usize;
    let (sy, sc) = w.src_mut();
    let x0 = mbx * 16;
    let y0 = mby * 16;
    for (r, row) in sy.chunks_exact_mut(16).enumerate() {
        let y = (y0 + r).min(fh - 1);
        let base = y * src.luma_stride;
        if x0 + 16 <= fw {
            if let Some(s) = src.luma.get(base + x0..base + x0 + 16) {
                row.copy_from_slice(s);
            }
        } else {
            for (c, d) in row.iter_mut().enumerate() {
                let x = (x0 + c).min(fw - 1);
                *d = src.luma.get(base + x).copied().unwrap_or(0);
            }
        }
    }
    let cw = fw / 2;
    let ch = fh / 2;
    let cx0 = mbx * 8;
    let cy0 = mby * 8;
    let [su, sv] = sc;
    let inside = cx0 + 8 <= cw;
    for r in 0..8 {
        let y = (cy0 + r).min(ch - 1);
        let (du, dv) = (&mut su[r * 8..r * 8 + 8], &mut sv[r * 8..r * 8 + 8]);
        match src.format {
            PixelFormat::Nv12 => {
                let o = y * src.cb_stride + 2 * cx0;
                if let (true, Some(s)) = (inside, src.cb.get(o..o + 16)) {
                    for ((u, v), p) in du.iter_mut().zip(dv.iter_mut()).zip(s.chunks_exact(2)) {
                        *u = p[0];
                        *v = p[1];
                    }
                    continue;
                }
                for c in 0..8 {
                    let x = (cx0 + c).min(cw - 1);
                    let o = y * src.cb_stride + 2 * x;
                    du[c] = src.cb.get(o).copied().unwrap_or(0);
                    dv[c] = src.cb.get(o + 1).copied().unwrap_or(0);
                }
            }
            PixelFormat::I420 => {
                let ou = y * src.cb_stride + cx0;
                let ov = y * src.cr_stride + cx0;
                if let (true, Some(a), Some(b)) =
                    (inside, src.cb.get(ou..ou + 8), src.cr.get(ov..ov + 8))
                {
                    du.copy_from_slice(a);
                    dv.copy_from_slice(b);
                    continue;
                }
                for c in 0..8 {
                    let x = (cx0 + c).min(cw - 1);
                    du[c] = src.cb.get(y * src.cb_stride + x).copied().unwrap_or(0);
                    dv[c] = src.cr.get(y * src.cr_stride + x).copied().unwrap_or(0);
                }
            }
        }
    }
}
