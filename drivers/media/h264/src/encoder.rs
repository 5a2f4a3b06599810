// SPDX-License-Identifier: GPL-2.0
//! The public encoder: configuration, frame loop, slices, reference and
//! frame_num bookkeeping, IDR insertion and rate control.

use crate::bitstream::BitWriter;
use crate::headers::{self, SliceHeader, SpsParams};
use crate::mb::{MbInfo, Workspace};
use crate::picture::{encode_picture, PictureParams};
use crate::ratecontrol::{RateControl, RateController};

/// Largest supported frame dimension in luma samples.
pub const MAX_DIMENSION: u32 = 4096;

/// Errors returned by the encoder. No input makes the encoder panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The configuration is invalid (size, QP, frame rate, slices, ...).
    InvalidConfig,
    /// A source plane is too small for its stride and the frame size.
    InvalidFrame,
    /// The reconstruction/reference buffers or the macroblock info slice
    /// are smaller than [`Config::picture_size`] / [`Config::mb_count`].
    BufferTooSmall,
    /// The output buffer is too small for the coded frame. Encoder state
    /// is unchanged; retry with a bigger buffer.
    OutputTooSmall,
}

/// Layout of the source frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// Y plane + interleaved CbCr plane (4:2:0).
    Nv12,
    /// Y, Cb and Cr planes (4:2:0).
    I420,
}

/// A source frame. Planes are borrowed; strides are in bytes.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// Pixel format.
    pub format: PixelFormat,
    /// Luma plane.
    pub luma: &'a [u8],
    /// Luma stride.
    pub luma_stride: usize,
    /// Cb plane (I420) or interleaved CbCr plane (NV12).
    pub cb: &'a [u8],
    /// Stride of `cb`.
    pub cb_stride: usize,
    /// Cr plane (I420 only; ignored for NV12).
    pub cr: &'a [u8],
    /// Stride of `cr`.
    pub cr_stride: usize,
}

/// Encoder configuration. Build with [`Config::new`] and adjust fields.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Width in luma samples: even, 2..=[`MAX_DIMENSION`].
    pub width: u32,
    /// Height in luma samples: even, 2..=[`MAX_DIMENSION`].
    pub height: u32,
    /// Frame rate numerator.
    pub fps_num: u32,
    /// Frame rate denominator.
    pub fps_den: u32,
    /// QP for [`RateControl::ConstantQp`]; initial QP otherwise (0..=51).
    pub qp: u8,
    /// Lowest QP the rate controller may use.
    pub min_qp: u8,
    /// Highest QP the rate controller may use.
    pub max_qp: u8,
    /// Rate control mode.
    pub rate_control: RateControl,
    /// Insert an IDR every this many frames (0: only the first frame).
    pub idr_interval: u32,
    /// Number of slices per frame (1..=number of macroblocks).
    pub slices: u32,
    /// Integer motion search range in luma samples (1..=64).
    pub search_range: u8,
    /// Half/quarter-sample motion refinement.
    pub subpel: bool,
    /// Try Intra 4x4 prediction (better quality, slower).
    pub intra4x4: bool,
    /// Apply the in-loop deblocking filter.
    pub deblock: bool,
    /// Emit an access unit delimiter before each frame.
    pub aud: bool,
    /// Emit SPS and PPS before every IDR frame.
    pub headers_on_idr: bool,
    /// chroma_qp_index_offset (-12..=12).
    pub chroma_qp_offset: i8,
    /// Keep a long-term reference picture besides the previous frame
    /// (two reference pictures in the DPB). IDR frames become the
    /// long-term reference; see [`Encoder::mark_long_term`] and
    /// [`Encoder::use_long_term`].
    pub long_term_ref: bool,
}

impl Config {
    /// Default configuration for a `width` x `height` frame at 30 fps,
    /// constant QP 26.
    pub const fn new(width: u32, height: u32) -> Self {
        Config {
            width,
            height,
            fps_num: 30,
            fps_den: 1,
            qp: 26,
            min_qp: 10,
            max_qp: 51,
            rate_control: RateControl::ConstantQp,
            idr_interval: 0,
            slices: 1,
            search_range: 16,
            subpel: true,
            intra4x4: true,
            deblock: true,
            aud: false,
            headers_on_idr: true,
            chroma_qp_offset: 0,
            long_term_ref: false,
        }
    }

    /// Width in macroblocks.
    pub const fn mb_width(&self) -> usize {
        self.width.div_ceil(16) as usize
    }

    /// Height in macroblocks.
    pub const fn mb_height(&self) -> usize {
        self.height.div_ceil(16) as usize
    }

    /// Number of macroblocks per frame (length of the `mb_info` slice).
    pub const fn mb_count(&self) -> usize {
        self.mb_width() * self.mb_height()
    }

    /// Stride of the luma plane of reconstruction/reference pictures
    /// (width rounded up to 16). Chroma planes use half of it.
    pub const fn recon_luma_stride(&self) -> usize {
        self.mb_width() * 16
    }

    /// Bytes of one reconstruction/reference picture: an MB-aligned I420
    /// picture (Y, then Cb, then Cr; no padding between planes).
    pub const fn picture_size(&self) -> usize {
        self.mb_count() * 384
    }

    /// Checks the configuration.
    pub fn validate(&self) -> Result<(), Error> {
        let dim_ok = |d: u32| (2..=MAX_DIMENSION).contains(&d) && d.is_multiple_of(2);
        if !dim_ok(self.width) || !dim_ok(self.height) {
            return Err(Error::InvalidConfig);
        }
        if self.fps_num == 0 || self.fps_den == 0 || self.fps_num > u32::MAX / 2 {
            return Err(Error::InvalidConfig);
        }
        if self.qp > 51 || self.min_qp > self.max_qp || self.max_qp > 51 {
            return Err(Error::InvalidConfig);
        }
        if self.slices == 0 || self.slices as usize > self.mb_count() {
            return Err(Error::InvalidConfig);
        }
        if self.search_range == 0 || self.search_range > 64 {
            return Err(Error::InvalidConfig);
        }
        if !(-12..=12).contains(&self.chroma_qp_offset) {
            return Err(Error::InvalidConfig);
        }
        match self.rate_control {
            RateControl::Cbr { bitrate } | RateControl::Vbr { bitrate } if bitrate == 0 => {
                return Err(Error::InvalidConfig)
            }
            _ => {}
        }
        Ok(())
    }
}

/// Caller-owned picture buffers for one [`Encoder::encode_frame`] call.
pub struct FrameBuffers<'a> {
    /// Receives the (deblocked) reconstruction, [`Config::picture_size`]
    /// bytes. It becomes the reference for the next frame.
    pub recon: &'a mut [u8],
    /// The reconstruction of the previous frame (ignored for IDR frames).
    pub reference: &'a [u8],
    /// Per-macroblock state, at least [`Config::mb_count`] entries.
    pub mb_info: &'a mut [MbInfo],
    /// Macroblock scratch memory.
    pub workspace: &'a mut Workspace,
}

/// Frame type of a coded frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameType {
    /// IDR picture (I slices only).
    Idr,
    /// P picture.
    P,
}

/// Description of a coded frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodedFrame {
    /// Bytes written to the output buffer (Annex-B).
    pub len: usize,
    /// Frame type.
    pub frame_type: FrameType,
    /// QP used.
    pub qp: u8,
    /// frame_num written in the slice headers.
    pub frame_num: u32,
    /// This frame predicted from the long-term reference.
    pub used_long_term: bool,
    /// This frame is now the long-term reference: keep its reconstruction
    /// for later [`Encoder::use_long_term`] frames.
    pub is_long_term: bool,
}

/// The encoder: configuration, rate control and reference bookkeeping
/// (a few dozen bytes; all picture-sized memory is the caller's).
pub struct Encoder {
    cfg: Config,
    rc: RateController,
    frame_num: u32,
    idr_pic_id: u32,
    frames_since_idr: u32,
    have_ref: bool,
    force_idr: bool,
    level_idc: u8,
    ltr_valid: bool,
    prev_was_ltr: bool,
    next_use_ltr: bool,
    next_mark_ltr: bool,
}

impl Encoder {
    /// Creates an encoder after validating `cfg`.
    pub fn new(cfg: &Config) -> Result<Self, Error> {
        cfg.validate()?;
        Ok(Encoder {
            cfg: *cfg,
            rc: RateController::new(
                cfg.rate_control,
                cfg.qp,
                cfg.min_qp,
                cfg.max_qp,
                cfg.fps_num,
                cfg.fps_den,
            ),
            frame_num: 0,
            idr_pic_id: 0,
            frames_since_idr: 0,
            have_ref: false,
            force_idr: false,
            level_idc: headers::pick_level(cfg.width, cfg.height, cfg.fps_num, cfg.fps_den),
            ltr_valid: false,
            prev_was_ltr: false,
            next_use_ltr: false,
            next_mark_ltr: false,
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Makes the next frame an IDR frame.
    pub fn request_idr(&mut self) {
        self.force_idr = true;
    }

    /// Makes the next frame (if it is a P frame) predict from the long-term
    /// reference instead of the previous frame. The caller must then pass
    /// the reconstruction of the long-term reference frame as
    /// [`FrameBuffers::reference`]. Fails if [`Config::long_term_ref`] is off
    /// or there is no long-term reference yet.
    pub fn use_long_term(&mut self) -> Result<(), Error> {
        if !self.cfg.long_term_ref || !self.ltr_valid {
            return Err(Error::InvalidConfig);
        }
        self.next_use_ltr = true;
        Ok(())
    }

    /// Makes the next frame the new long-term reference (replacing the old
    /// one). Fails if [`Config::long_term_ref`] is off.
    pub fn mark_long_term(&mut self) -> Result<(), Error> {
        if !self.cfg.long_term_ref {
            return Err(Error::InvalidConfig);
        }
        self.next_mark_ltr = true;
        Ok(())
    }

    fn sps(&self) -> SpsParams {
        SpsParams {
            width: self.cfg.width,
            height: self.cfg.height,
            level_idc: self.level_idc,
            fps_num: self.cfg.fps_num,
            fps_den: self.cfg.fps_den,
            num_ref_frames: if self.cfg.long_term_ref { 2 } else { 1 },
        }
    }

    /// Writes SPS and PPS NAL units (Annex-B) into `out`; returns the
    /// number of bytes written.
    pub fn write_headers(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut bw = BitWriter::new(out);
        headers::write_sps(&mut bw, &self.sps());
        headers::write_pps(&mut bw, self.cfg.chroma_qp_offset);
        if bw.overflowed() {
            return Err(Error::OutputTooSmall);
        }
        Ok(bw.byte_len())
    }

    /// Encodes one frame into `out` (Annex-B byte stream: optional AUD,
    /// SPS/PPS on IDR frames, then the slices).
    ///
    /// On success the reconstruction is in `bufs.recon`; pass it as
    /// `reference` for the next frame. On error nothing of the encoder's
    /// state changes.
    pub fn encode_frame(
        &mut self,
        src: &Frame<'_>,
        bufs: &mut FrameBuffers<'_>,
        out: &mut [u8],
    ) -> Result<EncodedFrame, Error> {
        let cfg = self.cfg;
        let idr = !self.have_ref
            || self.force_idr
            || (cfg.idr_interval > 0 && self.frames_since_idr >= cfg.idr_interval);
        // A picture marked long-term is no longer short-term, so the frame
        // after it reaches it through the long-term list entry too.
        let use_ltr = !idr && self.ltr_valid && (self.next_use_ltr || self.prev_was_ltr);
        let mark_ltr = cfg.long_term_ref && (idr || self.next_mark_ltr);
        let qp = self.rc.frame_qp(idr);
        let frame_num = if idr { 0 } else { self.frame_num };
        let pic = PictureParams {
            width: cfg.width,
            height: cfg.height,
            qp,
            inter: !idr,
            chroma_qp_offset: cfg.chroma_qp_offset,
            deblock: cfg.deblock,
            filter_offset_a: 0,
            filter_offset_b: 0,
            slices: cfg.slices,
            search_range: cfg.search_range,
            subpel: cfg.subpel,
            intra4x4: cfg.intra4x4,
        };

        let mut bw = BitWriter::new(out);
        if cfg.aud {
            headers::write_aud(&mut bw, idr);
        }
        if idr && cfg.headers_on_idr {
            headers::write_sps(&mut bw, &self.sps());
            headers::write_pps(&mut bw, cfg.chroma_qp_offset);
        }
        let idr_pic_id = self.idr_pic_id;
        encode_picture(&pic, src, bufs, &mut bw, |bw, first_mb| {
            let sh = SliceHeader {
                first_mb,
                p_slice: !idr,
                idr,
                frame_num,
                idr_pic_id,
                qp,
                disable_deblock: if cfg.deblock { 0 } else { 1 },
                alpha_div2: 0,
                beta_div2: 0,
                use_long_term: use_ltr,
                mark_long_term: mark_ltr,
            };
            headers::write_slice_header(bw, &sh);
        })?;
        let len = bw.byte_len();
        // Commit state.
        self.rc.update(idr, qp, (len as u64) * 8);
        if idr {
            self.idr_pic_id = (self.idr_pic_id + 1) & 0xffff;
            self.frames_since_idr = 0;
            self.force_idr = false;
        }
        self.frames_since_idr = self.frames_since_idr.saturating_add(1);
        self.frame_num = (frame_num + 1) % (1 << headers::LOG2_MAX_FRAME_NUM);
        self.have_ref = true;
        if mark_ltr {
            self.ltr_valid = true;
        }
        self.prev_was_ltr = mark_ltr;
        self.next_use_ltr = false;
        self.next_mark_ltr = false;
        Ok(EncodedFrame {
            len,
            frame_type: if idr { FrameType::Idr } else { FrameType::P },
            qp,
            frame_num,
            used_long_term: use_ltr,
            is_long_term: mark_ltr,
        })
    }
}
