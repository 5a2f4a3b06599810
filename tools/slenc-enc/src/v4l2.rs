// SPDX-License-Identifier: GPL-2.0
//! `--device`: the stateless encoder driver through V4L2 and the request
//! API, with v4l2r.
//!
//! Done: opening the video and media devices, checking the capabilities
//! and the `ENCODE_PARAMS` control (present, 44 bytes), and the ioctl
//! sequence of the uAPI documentation written down step by step. To be
//! finished against the driver (this is the part no driver exists for
//! yet): buffer allocation and mapping, and the per-picture loop, marked
//! `NOT YET` below.

use crate::client::Client;
use crate::{Encoder, FrameResult};
use slenc_codec::layout::OutputFormat;
use slenc_codec::uapi::{self, EncodeParams};
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use v4l2r::bindings;
use v4l2r::controls::AsV4l2ControlSlice;
use v4l2r::ioctl::{self, CtrlWhich, Request};

/// A V4L2 stateless encoder device.
pub struct DeviceEncoder {
    video: File,
    media: File,
    format: OutputFormat,
    mem: Vec<Vec<u8>>,
}

/// One compound control value: id and payload, for `VIDIOC_S_EXT_CTRLS`.
struct Compound<'a> {
    id: u32,
    payload: &'a mut [u8],
}

/// Sets compound controls, in a request or as current values.
fn set_compound(video: &File, which: CtrlWhich, ctrls: &mut [Compound<'_>]) -> Result<(), String> {
    let mut raw: Vec<bindings::v4l2_ext_control> = ctrls
        .iter_mut()
        .map(|c| bindings::v4l2_ext_control {
            id: c.id,
            size: c.payload.len() as u32,
            __bindgen_anon_1: bindings::v4l2_ext_control__bindgen_ty_1 {
                ptr: c.payload.as_mut_ptr().cast(),
            },
            ..Default::default()
        })
        .collect();
    let mut slice: &mut [bindings::v4l2_ext_control] = &mut raw;
    let _ = slice.as_v4l2_control_slice();
    ioctl::s_ext_ctrls(video, which, slice).map_err(|e| format!("VIDIOC_S_EXT_CTRLS: {e}"))
}

impl DeviceEncoder {
    /// Opens `video` and `media`, checks the device and sets up a stream
    /// of `format` (`fps` frames per second) with the client's controls.
    pub fn open(
        video: &str,
        media: &str,
        format: &OutputFormat,
        fps: u32,
        client: &Client,
    ) -> Result<Self, String> {
        let open = |p: &str| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .open(p)
                .map_err(|e| format!("{p}: {e}"))
        };
        let video_f = open(video)?;
        let media_f = open(media)?;
        let caps: v4l2r::ioctl::Capability =
            ioctl::querycap(&video_f).map_err(|e| format!("VIDIOC_QUERYCAP: {e}"))?;
        let dc = caps.device_caps();
        if !dc.contains(ioctl::Capabilities::VIDEO_M2M_MPLANE) {
            return Err(format!(
                "{video}: not a multi-planar memory-to-memory device"
            ));
        }
        // The control the proposal adds, at the size of the proposal.
        let q: bindings::v4l2_query_ext_ctrl = ioctl::query_ext_ctrl(
            &video_f,
            ioctl::CtrlId::new(uapi::CID_STATELESS_H264_ENCODE_PARAMS)
                .map_err(|e| e.to_string())?,
            ioctl::QueryCtrlFlags::empty(),
        )
        .map_err(|e| format!("{video}: no ENCODE_PARAMS control ({e})"))?;
        if q.elem_size as usize != EncodeParams::SIZE {
            return Err(format!(
                "ENCODE_PARAMS is {} bytes, expected 44",
                q.elem_size
            ));
        }
        // NOT YET: S_FMT CAPTURE (H264_SLICE), S_FMT OUTPUT (format),
        // S_SELECTION crop, S_PARM (1/fps): the driver decides the plane
        // sizes, which replace `format`.
        let _ = fps;
        // SPS and PPS as current values (outside requests).
        let mut sps = client.sps.to_bytes();
        let mut pps = client.pps.to_bytes();
        set_compound(
            &video_f,
            CtrlWhich::Current,
            &mut [
                Compound {
                    id: uapi::CID_STATELESS_H264_SPS,
                    payload: &mut sps,
                },
                Compound {
                    id: uapi::CID_STATELESS_H264_PPS,
                    payload: &mut pps,
                },
            ],
        )?;
        // NOT YET: the stateful controls of `client.controls` (one
        // VIDIOC_S_EXT_CTRLS with the integer controls), REQBUFS on both
        // queues (MMAP), mapping, STREAMON.
        Ok(DeviceEncoder {
            video: video_f,
            media: media_f,
            format: *format,
            mem: (0..format.planes)
                .map(|i| vec![0u8; format.sizeimage[i] as usize])
                .collect(),
        })
    }
}

impl Encoder for DeviceEncoder {
    fn output_planes(&mut self) -> (&OutputFormat, &mut [Vec<u8>]) {
        (&self.format, &mut self.mem)
    }

    fn encode(&mut self, _client: &Client, params: &EncodeParams) -> Result<FrameResult, String> {
        // 1. A request from the media device.
        let req =
            Request::alloc(&self.media).map_err(|e| format!("MEDIA_IOC_REQUEST_ALLOC: {e}"))?;
        // 2. ENCODE_PARAMS in it.
        let mut enc = params.to_bytes();
        set_compound(
            &self.video,
            CtrlWhich::Request(req.as_raw_fd()),
            &mut [Compound {
                id: uapi::CID_STATELESS_H264_ENCODE_PARAMS,
                payload: &mut enc,
            }],
        )?;
        // NOT YET: 3. copy `self.mem` into a free mapped OUTPUT buffer and
        // QBUF it with the request fd (v4l2r's QBuffer::set_request);
        // 4. QBUF a CAPTURE buffer; 5. req.queue(); 6. poll the request,
        // DQBUF both, take bytesused and KEYFRAME/PFRAME from the CAPTURE
        // buffer.
        Err("the V4L2 streaming loop needs the slenc driver (not written yet); use --host".into())
    }
}
