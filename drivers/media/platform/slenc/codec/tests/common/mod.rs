// SPDX-License-Identifier: GPL-2.0
//! Host-side harness: a user space that drives the engine like the
//! proposal's GStreamer element does (SPS/PPS once, ENCODE_PARAMS per
//! frame, IDR period, frame_num and POC counters), the driver's job loop
//! around the engine and a backend, the four OUTPUT layouts, and ffmpeg.
#![allow(dead_code)]

#[path = "../../../../../h264/tests/common/mod.rs"]
pub mod core;

pub use self::core::{gen, psnr, Content, Yuv};
use slenc_codec::backend::{Backend, Caps, IrqStatus, JobFailure};
use slenc_codec::controls::Controls;
use slenc_codec::engine::{Completion, H264Engine, JobDesc};
use slenc_codec::layout::{self, InputFormat, OutputFormat, Rect};
use slenc_codec::rc::Kind;
use slenc_codec::state::StreamInfo;
use slenc_codec::uapi::*;
use slenc_codec::virt::{DelayModel, Faults, VirtMem, VirtualEngine};
use std::process::Command;

/// Fills the memory planes of one OUTPUT buffer with `f`; padding bytes
/// get a pattern so that reading them shows.
pub fn to_planes(fmt: &OutputFormat, f: &Yuv) -> Vec<Vec<u8>> {
    let mut mem: Vec<Vec<u8>> = (0..fmt.planes)
        .map(|i| vec![0xa5u8; fmt.sizeimage[i] as usize])
        .collect();
    let v = layout::plane_views(fmt);
    let (w, h) = (f.w, f.h);
    for r in 0..h {
        let o = v[0].offset + r * v[0].stride;
        mem[v[0].mem_plane][o..o + w].copy_from_slice(&f.y[r * w..(r + 1) * w]);
    }
    let cw = w / 2;
    for r in 0..h / 2 {
        match fmt.format {
            InputFormat::Nv12 | InputFormat::Nv12M => {
                let o = v[1].offset + r * v[1].stride;
                let p = &mut mem[v[1].mem_plane];
                for x in 0..cw {
                    p[o + 2 * x] = f.u[r * cw + x];
                    p[o + 2 * x + 1] = f.v[r * cw + x];
                }
            }
            InputFormat::Yuv420 | InputFormat::Yuv420M => {
                let o = v[1].offset + r * v[1].stride;
                mem[v[1].mem_plane][o..o + cw].copy_from_slice(&f.u[r * cw..(r + 1) * cw]);
                let o = v[2].offset + r * v[2].stride;
                mem[v[2].mem_plane][o..o + cw].copy_from_slice(&f.v[r * cw..(r + 1) * cw]);
            }
        }
    }
    mem
}

/// The visible rectangle of an MB-aligned I420 reconstruction.
pub fn crop_recon(stream: &StreamInfo, pic: &[u8]) -> Yuv {
    let r = layout::try_crop(stream.format.width, stream.format.height, stream.crop);
    let ys = stream.mb_width() as usize * 16;
    let cs = ys / 2;
    let ysize = ys * stream.mb_height() as usize * 16;
    let csize = cs * stream.mb_height() as usize * 8;
    let (l, t, w, h) = (
        r.left as usize,
        r.top as usize,
        r.width as usize,
        r.height as usize,
    );
    let mut f = Yuv {
        w,
        h,
        y: vec![0; w * h],
        u: vec![0; w * h / 4],
        v: vec![0; w * h / 4],
    };
    for y in 0..h {
        let o = (t + y) * ys + l;
        f.y[y * w..(y + 1) * w].copy_from_slice(&pic[o..o + w]);
    }
    let cw = w / 2;
    for y in 0..h / 2 {
        let o = (t / 2 + y) * cs + l / 2;
        f.u[y * cw..(y + 1) * cw].copy_from_slice(&pic[ysize + o..ysize + o + cw]);
        f.v[y * cw..(y + 1) * cw].copy_from_slice(&pic[ysize + csize + o..ysize + csize + o + cw]);
    }
    f
}

/// What the client sets: GStreamer's `v4l2slh264enc` values by default.
#[derive(Clone)]
pub struct Client {
    pub sps: Sps,
    pub pps: Pps,
    pub controls: Controls,
    /// IDR every `gop` frames (0: first only).
    pub gop: u32,
    /// Frames with nal_ref_idc 0: every n-th P frame (0: none).
    pub nonref_every: u32,
    /// IDR frames become long-term references.
    pub ltr: bool,
    /// POC lsb step per frame.
    pub poc_step: u16,
    frame_num: u16,
    poc: u16,
    idr_pic_id: u16,
    n: u32,
}

impl Client {
    pub fn new(width: u32, height: u32) -> Self {
        let mut sps = Sps::ZERO;
        sps.profile_idc = 66;
        sps.constraint_set_flags = 0x3; // constrained baseline
        sps.level_idc = 31;
        sps.chroma_format_idc = 1;
        sps.max_num_ref_frames = 1;
        sps.log2_max_frame_num_minus4 = 12;
        sps.pic_order_cnt_type = 0;
        sps.log2_max_pic_order_cnt_lsb_minus4 = 0;
        sps.pic_width_in_mbs_minus1 = (width.div_ceil(16) - 1) as u16;
        sps.pic_height_in_map_units_minus1 = (height.div_ceil(16) - 1) as u16;
        sps.flags = SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED
            | SPS_FLAG_DIRECT_8X8_INFERENCE
            | SPS_FLAG_FRAME_MBS_ONLY;
        let pps = Pps {
            chroma_qp_index_offset: 4,
            second_chroma_qp_index_offset: 4,
            pic_init_qp_minus26: 0,
            flags: PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT,
            ..Default::default()
        };
        Client {
            sps,
            pps,
            controls: Controls::default(),
            gop: 30,
            nonref_every: 0,
            ltr: false,
            poc_step: 1,
            frame_num: 0,
            poc: 0,
            idr_pic_id: 0,
            n: 0,
        }
    }

    /// ENCODE_PARAMS of the next frame (and advances the counters as if it
    /// was encoded; call [`Client::retry`] to undo).
    pub fn next_params(&mut self) -> EncodeParams {
        let mut e = EncodeParams::ZERO;
        let key = self.n == 0 || (self.gop > 0 && self.n.is_multiple_of(self.gop));
        let max_fn = 1u32 << (self.sps.log2_max_frame_num_minus4 + 4);
        let max_poc = 1u32 << (self.sps.log2_max_pic_order_cnt_lsb_minus4 + 4);
        if key {
            e.slice_type = SLICE_TYPE_I;
            e.flags = ENCODE_FLAG_IDR_PIC;
            if self.ltr {
                e.flags |= ENCODE_FLAG_LONG_TERM_REFERENCE;
            }
            e.idr_pic_id = self.idr_pic_id;
            e.nal_ref_idc = 1;
            self.idr_pic_id = self.idr_pic_id.wrapping_add(1);
            self.frame_num = 0;
            self.poc = 0;
        } else {
            e.slice_type = SLICE_TYPE_P;
            e.nal_ref_idc = 2;
            self.poc = ((u32::from(self.poc) + u32::from(self.poc_step)) % max_poc) as u16;
        }
        e.frame_num = self.frame_num;
        e.pic_order_cnt_lsb = self.poc;
        e.slice_alpha_c0_offset_div2 = -2;
        e.slice_beta_offset_div2 = 5;
        let nonref = !key && self.nonref_every > 0 && self.n.is_multiple_of(self.nonref_every);
        if nonref {
            e.nal_ref_idc = 0;
        } else {
            // The next frame follows this reference picture.
            self.frame_num = ((u32::from(self.frame_num) + 1) % max_fn) as u16;
        }
        self.n += 1;
        e
    }
}

/// One encoded frame as the tool reports it.
#[derive(Clone, Debug)]
pub struct FrameOut {
    pub bytes: usize,
    pub qp: u8,
    pub kind: Kind,
    pub flags: u32,
}

/// The driver side: engine, backend and the buffers the driver owns.
pub struct Driver {
    pub engine: Box<H264Engine>,
    pub backend: VirtualEngine,
    pub stream: StreamInfo,
    pub slots: Vec<Vec<u8>>,
    pub info: Vec<h264::MbInfo>,
    pub ws: Box<h264::Workspace>,
    pub out: Vec<u8>,
    /// The driver writes slice headers (exercises the resume path).
    pub sw_slice_header: bool,
    pub timeouts: u32,
}

impl Driver {
    pub fn new(stream: StreamInfo, sw_slice_header: bool, faults: Faults) -> Self {
        let backend = VirtualEngine::new(DelayModel::NONE, faults);
        let mut caps: Caps = backend.caps();
        caps.writes_slice_header = !sw_slice_header;
        let mut engine = Box::new(H264Engine::new(caps));
        let res = engine.start(&stream);
        Driver {
            engine,
            backend,
            stream,
            slots: (0..res.slots).map(|_| vec![0u8; res.recon_size]).collect(),
            info: vec![h264::MbInfo::EMPTY; res.mb_count],
            ws: Box::new(h264::Workspace::new()),
            out: vec![0u8; res.capture_min as usize],
            sw_slice_header,
            timeouts: 0,
        }
    }

    fn run_job(&mut self, desc: &JobDesc, src: &[Vec<u8>]) -> IrqStatus {
        self.backend.program(desc, &()).expect("program");
        self.backend.start();
        let (recon, reference): (&mut [u8], &[u8]) = {
            let r = desc.recon_slot as usize;
            match desc.ref_slot {
                Some(rs) => {
                    let rs = rs as usize;
                    assert_ne!(r, rs);
                    if r < rs {
                        let (a, b) = self.slots.split_at_mut(rs);
                        (&mut a[r], &b[0])
                    } else {
                        let (a, b) = self.slots.split_at_mut(r);
                        (&mut b[0], &a[rs])
                    }
                }
                None => (&mut self.slots[r], &[]),
            }
        };
        let empty: &[u8] = &[];
        let mem = VirtMem {
            src: [
                src.first().map(|v| v.as_slice()).unwrap_or(empty),
                src.get(1).map(|v| v.as_slice()).unwrap_or(empty),
                src.get(2).map(|v| v.as_slice()).unwrap_or(empty),
            ],
            out: &mut self.out,
            recon,
            reference,
            mb_info: &mut self.info,
            workspace: &mut self.ws,
        };
        let ex = self.backend.execute(mem);
        if ex.raise_irq {
            self.backend.irq()
        } else {
            // The watchdog fires.
            self.timeouts += 1;
            self.backend.reset();
            IrqStatus::Failed(JobFailure::Timeout)
        }
    }

    /// Encodes one frame; returns the completion and the bytes.
    pub fn encode(
        &mut self,
        client: &Client,
        e: &EncodeParams,
        src: &[Vec<u8>],
    ) -> Result<(Completion, Vec<u8>, JobDesc), slenc_codec::EngineError> {
        let p =
            self.engine
                .prepare(&client.sps, &client.pps, e, &client.controls, &mut self.out)?;
        let st = self.run_job(&p.desc, src);
        let c = self.engine.complete(&p.desc, st, &client.controls);
        let bytes = self.out[..c.bytesused].to_vec();
        Ok((c, bytes, p.desc))
    }
}

/// Result of [`encode_seq`].
pub struct Encoded {
    pub stream: Vec<u8>,
    pub recon: Vec<Yuv>,
    pub frames: Vec<FrameOut>,
}

/// Encodes `frames` with a client, the given OUTPUT layout and crop.
pub fn encode_seq(
    client: &mut Client,
    stream: StreamInfo,
    frames: &[Yuv],
    sw_slice_header: bool,
    faults: Faults,
) -> (Encoded, Driver) {
    let mut drv = Driver::new(stream, sw_slice_header, faults);
    let mut res = Encoded {
        stream: Vec::new(),
        recon: Vec::new(),
        frames: Vec::new(),
    };
    for f in frames {
        let mem = to_planes(&stream.format, f);
        let e = client.next_params();
        let mut tries = 0;
        loop {
            let (c, bytes, desc) = drv.encode(client, &e, &mem).expect("prepare");
            if c.failed.is_some() {
                tries += 1;
                assert!(tries < 3, "job failed twice: {:?}", c.failed);
                continue;
            }
            res.stream.extend_from_slice(&bytes);
            res.recon
                .push(crop_recon(&stream, &drv.slots[desc.recon_slot as usize]));
            res.frames.push(FrameOut {
                bytes: c.bytesused,
                qp: c.qp,
                kind: desc.kind,
                flags: c.flags,
            });
            break;
        }
    }
    (res, drv)
}

/// Decodes an Annex-B stream with ffmpeg (`-err_detect explode`, exact
/// cropping even at unaligned left edges); fails on any decoder message.
pub fn ffmpeg_decode_exact(stream: &[u8], name: &str) -> Vec<u8> {
    let d = self::core::tmpdir(name);
    let inp = d.join("in.h264");
    let outp = d.join("out.yuv");
    std::fs::write(&inp, stream).unwrap();
    let o = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-threads",
            "1",
            "-flags",
            "unaligned",
        ])
        .args(["-err_detect", "explode", "-f", "h264", "-i"])
        .arg(&inp)
        // The decoder's own 4:2:0 layout (yuv420p or, for full range,
        // yuvj420p): no conversion.
        .args(["-f", "rawvideo", "-y"])
        .arg(&outp)
        .output()
        .expect("run ffmpeg (apt-get install ffmpeg)");
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        o.status.success() && err.trim().is_empty(),
        "ffmpeg errors for {name}: {err}"
    );
    let data = std::fs::read(&outp).unwrap();
    let _ = std::fs::remove_dir_all(&d);
    data
}

/// Compares ffmpeg's decoding of `enc` with the reconstructions.
pub fn check_decode(name: &str, enc: &Encoded) {
    let dec = ffmpeg_decode_exact(&enc.stream, name);
    self::core::assert_matches(name, &dec, &enc.recon);
}

/// A stream description for a layout and size.
pub fn stream_info(format: InputFormat, w: u32, h: u32, bpl: [u32; 3]) -> StreamInfo {
    StreamInfo::new(layout::try_output(format, w, h, bpl))
}

/// Crops a `Yuv` (for PSNR against the visible area).
pub fn crop_yuv(f: &Yuv, r: Rect) -> Yuv {
    let (l, t, w, h) = (
        r.left as usize,
        r.top as usize,
        r.width as usize,
        r.height as usize,
    );
    let mut o = Yuv {
        w,
        h,
        y: vec![0; w * h],
        u: vec![0; w * h / 4],
        v: vec![0; w * h / 4],
    };
    for y in 0..h {
        o.y[y * w..(y + 1) * w].copy_from_slice(&f.y[(t + y) * f.w + l..(t + y) * f.w + l + w]);
    }
    for y in 0..h / 2 {
        let (cw, fcw) = (w / 2, f.w / 2);
        let s = (t / 2 + y) * fcw + l / 2;
        o.u[y * cw..(y + 1) * cw].copy_from_slice(&f.u[s..s + cw]);
        o.v[y * cw..(y + 1) * cw].copy_from_slice(&f.v[s..s + cw]);
    }
    o
}

/// ffprobe's view of the first video stream (`key=value` lines).
pub fn ffprobe(stream: &[u8], name: &str) -> String {
    let d = self::core::tmpdir(name);
    let inp = d.join("in.h264");
    std::fs::write(&inp, stream).unwrap();
    let o = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_streams",
            "-f",
            "h264",
        ])
        .arg(&inp)
        .output()
        .expect("run ffprobe");
    let _ = std::fs::remove_dir_all(&d);
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// NAL unit types of an Annex-B stream, in order.
pub fn nal_types(s: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    let mut i = 0;
    while i + 3 < s.len() {
        if s[i] == 0 && s[i + 1] == 0 && s[i + 2] == 1 {
            v.push(s[i + 3] & 31);
            i += 3;
        } else {
            i += 1;
        }
    }
    v
}
