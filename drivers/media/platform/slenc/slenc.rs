// SPDX-License-Identifier: GPL-2.0

//! Virtual stateless H.264 encoder (`slenc_rs`).
//!
//! A software reference device, like the kernel's `vicodec` and `visl` test
//! drivers: the module creates a faux device and registers on it a V4L2
//! mem2mem video node (single-plane: OUTPUT NV12 or YUV420 pictures,
//! CAPTURE `V4L2_PIX_FMT_H264_SLICE`) and a media device whose graph has
//! the node's source, encoder (`MEDIA_ENT_F_PROC_VIDEO_ENCODER`) and sink
//! entities. Every job runs the codec layer (`slenc_codec`): the engine
//! writes the parameter sets and slice header, the virtual engine encodes
//! the macroblocks with the H.264 core, and the CAPTURE buffer comes back
//! with the Annex B access unit, its `bytesused` and the `KEYFRAME` or
//! `PFRAME` flag.
//!
//! This first version of the driver chooses the per-picture parameters
//! itself (what user space gives in the proposed
//! `V4L2_CID_STATELESS_H264_ENCODE_PARAMS` control; the control framework
//! is not wired yet): Constrained Baseline, an IDR picture every
//! [`GOP`] pictures, P pictures referring to the previous one, fixed QP
//! [`QP`]. See `Documentation/media/stateless-h264-encoder.rst`.

use kernel::{
    faux,
    faux_ext::RegistrationExt,
    media::{
        ctrls::{self, Ctrl, Handler, NoOps},
        device::Info,
        entity::Function,
        m2m::{self, ContextOps, Job},
        pixfmt::{FourCc, PixFormat},
        v4l2_device,
        vb2::{
            ActiveBuffer, BufType, Done, IoModes, Memory, Prepare, Queue, QueueConfig, QueueOps,
            Setup, Timestamp,
        },
        video::{self, Capability, Caps, FmtDesc, Format, FrmSizeEnum},
    },
    new_mutex,
    prelude::*,
    static_lock_class,
    sync::{Arc, Mutex},
};
use slenc_codec::{
    backend::{Backend, IrqStatus, JobFailure},
    controls::{self as ctl, Controls, CtrlKind, STATEFUL_CONTROLS},
    engine::{H264Engine, BUF_FLAG_KEYFRAME, BUF_FLAG_PFRAME},
    layout::{self, InputFormat, OutputFormat},
    state::StreamInfo,
    uapi::{
        EncodeParams, Pps, Sps, ENCODE_FLAG_IDR_PIC, PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT,
        SLICE_TYPE_I, SLICE_TYPE_P, SPS_FLAG_DIRECT_8X8_INFERENCE, SPS_FLAG_FRAME_MBS_ONLY,
    },
    virt::{DelayModel, Faults, VirtMem, VirtualEngine},
};

module! {
    type: SlencModule,
    name: "slenc_rs",
    authors: ["The iio-media-rs authors"],
    description: "Virtual stateless H.264 encoder (software reference device)",
    license: "GPL",
}

/// Pictures from one IDR picture to the next (default of
/// `V4L2_CID_MPEG_VIDEO_GOP_SIZE`; 0: only the first picture).
const GOP: u32 = 30;
/// The largest GOP size.
const GOP_MAX: i64 = 1 << 16;
/// `V4L2_CID_MPEG_VIDEO_GOP_SIZE`.
const CID_GOP_SIZE: u32 = slenc_codec::uapi::CID_CODEC_BASE + 202;
/// The default QP of I and P pictures (without rate control).
const QP: i32 = 26;
/// Default picture size.
const DEFAULT_WIDTH: u32 = 320;
const DEFAULT_HEIGHT: u32 = 240;
/// Largest CAPTURE buffer user space may ask for.
const MAX_CAPTURE: u32 = 64 << 20;
/// The bus information of the node and the media device (the faux bus has
/// no prefix of its own that user space knows).
const BUS_INFO: &CStr = c"platform:slenc";
/// The OUTPUT formats, in enumeration order (single-plane).
const OUTPUT_FORMATS: [InputFormat; 2] = [InputFormat::Nv12, InputFormat::Yuv420];

struct SlencModule {
    // Dropped in this order: the node (and every context), the V4L2 and
    // media devices, then the faux device they live on.
    _node: m2m::Registration<Slenc>,
    _v4l2: v4l2_device::Registration,
    _faux: faux::Registration,
}

impl kernel::Module for SlencModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let faux = faux::Registration::new(c"slenc", None)?;
        let v4l2 = v4l2_device::Unregistered::new(
            faux.bound(),
            &Info::new(c"slenc")
                .driver_name(c"slenc_rs")
                .bus_info(BUS_INFO),
        )?
        .register(module)?;
        let queue = |buf_type| QueueConfig {
            buf_type,
            io_modes: IoModes::MMAP | IoModes::DMABUF,
            memory: Memory::Vmalloc,
            timestamp: Timestamp::Copy,
            min_queued_buffers: 0,
        };
        let node = m2m::Unregistered::<Slenc>::new(
            v4l2.device(),
            &m2m::Config {
                name: c"slenc",
                caps: Caps::VIDEO_M2M | Caps::STREAMING,
                function: Function::PROC_VIDEO_ENCODER,
                output: queue(BufType::VideoOutput),
                capture: queue(BufType::VideoCapture),
            },
        )?
        .register(Arc::new(Slenc, GFP_KERNEL)?, module)?;
        pr_info!("virtual stateless H.264 encoder ready\n");
        Ok(Self {
            _node: node,
            _v4l2: v4l2,
            _faux: faux,
        })
    }
}

/// The device's data.
struct Slenc;

#[vtable]
impl m2m::Ops for Slenc {
    type Context = Ctx;

    fn open(this: &Arc<Self>) -> Result<impl PinInit<Ctx, Error>> {
        let st = CtxState::new()?;
        let ctrls = CtxControls::new()?;
        Ok(try_pin_init!(Ctx {
            _dev: this.clone(),
            st <- new_mutex!(st),
            ctrls,
        }? Error))
    }
}

/// A context (an open file).
#[pin_data]
struct Ctx {
    _dev: Arc<Slenc>,
    #[pin]
    st: Mutex<CtxState>,
    ctrls: CtxControls,
}

/// The controls of a context: the stateful codec controls the codec layer
/// reads ([`STATEFUL_CONTROLS`], in `list`) and the GOP size.
struct CtxControls {
    hdl: Handler<NoOps>,
    list: KVec<(u32, Ctrl)>,
    gop: Ctrl,
}

impl CtxControls {
    /// The controls of a new context.
    fn new() -> Result<Self> {
        let n = STATEFUL_CONTROLS.len();
        let mut h = Handler::<NoOps>::new(n as u32 + 1, c"slenc", static_lock_class!())?;
        let mut list = KVec::with_capacity(n, GFP_KERNEL)?;
        for c in STATEFUL_CONTROLS {
            let id = ctrls::Id::from_raw(c.id);
            let def = match c.id {
                ctl::CID_MPEG_VIDEO_H264_I_FRAME_QP | ctl::CID_MPEG_VIDEO_H264_P_FRAME_QP => {
                    i64::from(QP)
                }
                _ => c.def,
            };
            let ctrl = match c.kind {
                CtrlKind::Integer | CtrlKind::Boolean => {
                    h.new_std(id, c.min, c.max, c.step_or_skip, def)?
                }
                CtrlKind::Menu => {
                    let below = (1u64 << c.min.clamp(0, 63)) - 1;
                    let max = u8::try_from(c.max).map_err(|_| EINVAL)?;
                    let def = u8::try_from(def).map_err(|_| EINVAL)?;
                    h.new_std_menu(id, max, c.step_or_skip | below, def)?
                }
            };
            list.push((c.id, ctrl), GFP_KERNEL)?;
        }
        let gop = h.new_std(
            ctrls::Id::from_raw(CID_GOP_SIZE),
            0,
            GOP_MAX,
            1,
            i64::from(GOP),
        )?;
        h.error()?;
        Ok(Self { hdl: h, list, gop })
    }

    /// The values of the controls now: the codec layer's snapshot and the
    /// GOP size.
    fn snapshot(&self) -> Result<(Controls, u32)> {
        let g = self.hdl.lock();
        let mut c = Controls::default();
        for (id, ctrl) in self.list.iter() {
            c.set(*id, ctrl.val(&g)?).map_err(|_| EINVAL)?;
        }
        Ok((c, u32::try_from(self.gop.val(&g)?).unwrap_or(GOP)))
    }
}

/// What the encoder needs while the OUTPUT queue streams.
struct Encoder {
    engine: KBox<H264Engine>,
    backend: VirtualEngine,
    slots: KVec<KVVec<u8>>,
    info: KVec<h264::MbInfo>,
    ws: KBox<h264::Workspace>,
}

impl Encoder {
    fn new(stream: &StreamInfo) -> Result<Self> {
        let backend = VirtualEngine::new(DelayModel::NONE, Faults::default());
        let mut engine = KBox::new(H264Engine::new(backend.caps()), GFP_KERNEL)?;
        let res = engine.start(stream);
        let mut slots = KVec::with_capacity(res.slots, GFP_KERNEL)?;
        for _ in 0..res.slots {
            slots.push(
                KVVec::from_elem(0u8, res.recon_size, GFP_KERNEL)?,
                GFP_KERNEL,
            )?;
        }
        Ok(Self {
            engine,
            backend,
            slots,
            info: KVec::from_elem(h264::MbInfo::EMPTY, res.mb_count, GFP_KERNEL)?,
            ws: KBox::new(h264::Workspace::new(), GFP_KERNEL)?,
        })
    }
}

/// The parameters user space would give (see the module documentation).
struct Params {
    sps: Sps,
    pps: Pps,
    controls: Controls,
    gop: u32,
    frame_num: u16,
    poc: u16,
    idr_pic_id: u16,
    n: u32,
}

impl Params {
    fn new(width: u32, height: u32) -> Result<Self> {
        let mut sps = Sps::ZERO;
        sps.profile_idc = 66;
        sps.constraint_set_flags = 0x3;
        sps.level_idc = 40;
        sps.chroma_format_idc = 1;
        sps.max_num_ref_frames = 1;
        sps.log2_max_frame_num_minus4 = 12;
        sps.log2_max_pic_order_cnt_lsb_minus4 = 4;
        sps.pic_width_in_mbs_minus1 = (width.div_ceil(16) - 1) as u16;
        sps.pic_height_in_map_units_minus1 = (height.div_ceil(16) - 1) as u16;
        sps.flags = SPS_FLAG_FRAME_MBS_ONLY | SPS_FLAG_DIRECT_8X8_INFERENCE;
        let pps = Pps {
            flags: PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT,
            ..Pps::default()
        };
        let mut controls = Controls::default();
        for id in [
            ctl::CID_MPEG_VIDEO_H264_I_FRAME_QP,
            ctl::CID_MPEG_VIDEO_H264_P_FRAME_QP,
        ] {
            controls.set(id, QP).map_err(|_| EINVAL)?;
        }
        Ok(Self {
            sps,
            pps,
            controls,
            gop: GOP,
            frame_num: 0,
            poc: 0,
            idr_pic_id: 0,
            n: 0,
        })
    }

    /// The parameters of the next picture.
    fn next(&mut self) -> EncodeParams {
        let mut e = EncodeParams::ZERO;
        let key = self.n == 0 || (self.gop > 0 && self.n.is_multiple_of(self.gop));
        let max_fn = 1u32 << (self.sps.log2_max_frame_num_minus4 + 4);
        let max_poc = 1u32 << (self.sps.log2_max_pic_order_cnt_lsb_minus4 + 4);
        if key {
            e.slice_type = SLICE_TYPE_I;
            e.flags = ENCODE_FLAG_IDR_PIC;
            e.idr_pic_id = self.idr_pic_id;
            self.idr_pic_id = self.idr_pic_id.wrapping_add(1);
            self.frame_num = 0;
            self.poc = 0;
        } else {
            e.slice_type = SLICE_TYPE_P;
            self.poc = ((u32::from(self.poc) + 2) % max_poc) as u16;
        }
        e.nal_ref_idc = if key { 3 } else { 2 };
        e.frame_num = self.frame_num;
        e.pic_order_cnt_lsb = self.poc;
        self.frame_num = ((u32::from(self.frame_num) + 1) % max_fn) as u16;
        self.n = self.n.wrapping_add(1);
        e
    }

    /// Starts again with an IDR picture (after a failed picture).
    fn restart(&mut self) {
        self.n = 0;
    }
}

/// `V4L2_COLORSPACE_REC709` (uAPI).
const COLORSPACE_REC709: u32 = 3;

/// Colorimetry of a stream (`colorspace`, `xfer_func`, `ycbcr_enc`,
/// `quantization` of `struct v4l2_pix_format`): what user space gives on
/// OUTPUT, reported on CAPTURE too.
#[derive(Clone, Copy)]
struct Colorimetry {
    colorspace: u32,
    xfer_func: u32,
    ycbcr_enc: u32,
    quantization: u32,
}

impl Colorimetry {
    /// Rec. 709, the rest the default of the colorspace.
    const DEFAULT: Self = Self {
        colorspace: COLORSPACE_REC709,
        xfer_func: 0,
        ycbcr_enc: 0,
        quantization: 0,
    };

    /// The colorimetry of `f`, the default if its colorspace is not set or
    /// not known (values beyond the last `V4L2_COLORSPACE_DCI_P3` = 12,
    /// `V4L2_XFER_FUNC_SMPTE2084` = 7, `V4L2_YCBCR_ENC_SMPTE240M` = 8,
    /// `V4L2_QUANTIZATION_LIM_RANGE` = 2).
    fn of(f: &PixFormat) -> Self {
        if f.colorspace == 0 || f.colorspace > 12 {
            return Self::DEFAULT;
        }
        Self {
            colorspace: f.colorspace,
            xfer_func: if f.xfer_func <= 7 { f.xfer_func } else { 0 },
            ycbcr_enc: if f.ycbcr_enc <= 8 { f.ycbcr_enc } else { 0 },
            quantization: if f.quantization <= 2 {
                f.quantization
            } else {
                0
            },
        }
    }
}

/// The formats of a context's queues.
#[derive(Clone, Copy)]
struct Fmt {
    out: OutputFormat,
    cap_sizeimage: u32,
    color: Colorimetry,
}

impl Fmt {
    fn new(fmt: InputFormat, width: u32, height: u32, bytesperline: u32) -> Self {
        let out = layout::try_output(fmt, width, height, [bytesperline, 0, 0]);
        Self {
            out,
            cap_sizeimage: layout::capture_min_size(out.width, out.height),
            color: Colorimetry::DEFAULT,
        }
    }

    fn output_pix(&self) -> PixFormat {
        PixFormat {
            width: self.out.width,
            height: self.out.height,
            pixelformat: FourCc::from_raw(self.out.format.fourcc()),
            field: video::FIELD_NONE,
            bytesperline: self.out.bytesperline[0],
            sizeimage: self.out.sizeimage[0],
            colorspace: self.color.colorspace,
            flags: 0,
            ycbcr_enc: self.color.ycbcr_enc,
            quantization: self.color.quantization,
            xfer_func: self.color.xfer_func,
        }
    }

    fn capture_pix(&self) -> PixFormat {
        PixFormat {
            pixelformat: FourCc::from_raw(layout::PIX_FMT_H264_SLICE),
            bytesperline: 0,
            sizeimage: self.cap_sizeimage,
            ..self.output_pix()
        }
    }

    /// `f` adjusted to what the queue of `buf_type` supports: the format
    /// it gives and the formats of both queues if it were set.
    fn try_pix(&self, buf_type: BufType, f: &PixFormat) -> Result<(PixFormat, Fmt)> {
        match buf_type {
            BufType::VideoOutput => {
                let fmt = InputFormat::from_fourcc(f.pixelformat.as_raw())
                    .filter(|i| OUTPUT_FORMATS.contains(i))
                    .unwrap_or(InputFormat::Nv12);
                let n = Fmt {
                    color: Colorimetry::of(f),
                    ..Fmt::new(fmt, f.width, f.height, f.bytesperline)
                };
                Ok((n.output_pix(), n))
            }
            BufType::VideoCapture => {
                let min = layout::capture_min_size(self.out.width, self.out.height);
                let n = Fmt {
                    cap_sizeimage: f.sizeimage.clamp(min, MAX_CAPTURE.max(min)),
                    ..*self
                };
                Ok((n.capture_pix(), n))
            }
            _ => Err(EINVAL),
        }
    }

    /// The size of a buffer of the queue of `buf_type`.
    fn size(&self, buf_type: Option<BufType>) -> Result<u32> {
        match buf_type {
            Some(BufType::VideoOutput) => Ok(self.out.sizeimage[0]),
            Some(BufType::VideoCapture) => Ok(self.cap_sizeimage),
            _ => Err(EINVAL),
        }
    }
}

/// A context's state.
struct CtxState {
    fmt: Fmt,
    enc: Option<Encoder>,
    params: Params,
    sequence: u32,
}

impl CtxState {
    fn new() -> Result<Self> {
        let fmt = Fmt::new(InputFormat::Nv12, DEFAULT_WIDTH, DEFAULT_HEIGHT, 0);
        Ok(Self {
            fmt,
            enc: None,
            params: Params::new(fmt.out.width, fmt.out.height)?,
            sequence: 0,
        })
    }

    /// Encodes the picture of `src` into `dst`: the bytes used and the
    /// buffer flags.
    fn encode(
        &mut self,
        job: &Job<Ctx>,
        src: &ActiveBuffer,
        dst: &mut ActiveBuffer,
    ) -> Result<(usize, u32)> {
        let f = self.fmt.out;
        let enc = self.enc.as_mut().ok_or(EINVAL)?;
        let size = f.sizeimage[0] as usize;
        if job.payload(src, 0)? < size {
            return Err(EINVAL);
        }
        let picture = job.plane(src, 0)?.get(..size).ok_or(EINVAL)?;
        let out = job.plane_mut(dst, 0)?;
        let params = self.params.next();
        let p = match enc.engine.prepare(
            &self.params.sps,
            &self.params.pps,
            &params,
            &self.params.controls,
            out,
        ) {
            Ok(p) => p,
            Err(_) => {
                self.params.restart();
                return Err(EINVAL);
            }
        };
        let d = p.desc;
        enc.backend.program(&d, &()).map_err(|_| EIO)?;
        enc.backend.start();
        let r = usize::from(d.recon_slot);
        let (recon, reference): (&mut [u8], &[u8]) = match d.ref_slot.map(usize::from) {
            Some(rs) if rs < r => {
                let (a, b) = enc.slots.split_at_mut(r);
                (
                    b.first_mut().map(|v| &mut v[..]).ok_or(EIO)?,
                    a.get(rs).map(|v| &v[..]).ok_or(EIO)?,
                )
            }
            Some(rs) if rs > r => {
                let (a, b) = enc.slots.split_at_mut(rs);
                (
                    a.get_mut(r).map(|v| &mut v[..]).ok_or(EIO)?,
                    b.first().map(|v| &v[..]).ok_or(EIO)?,
                )
            }
            Some(_) => return Err(EIO),
            None => (enc.slots.get_mut(r).map(|v| &mut v[..]).ok_or(EIO)?, &[]),
        };
        let ex = enc.backend.execute(VirtMem {
            src: [picture, &[], &[]],
            out,
            recon,
            reference,
            mb_info: &mut enc.info,
            workspace: &mut enc.ws,
        });
        let status = if ex.raise_irq {
            enc.backend.irq()
        } else {
            enc.backend.reset();
            IrqStatus::Failed(JobFailure::Timeout)
        };
        let c = enc.engine.complete(&d, status, &self.params.controls);
        if c.failed.is_some() {
            self.params.restart();
            return Err(EIO);
        }
        let flags = c.flags & (BUF_FLAG_KEYFRAME | BUF_FLAG_PFRAME);
        Ok((c.bytesused, flags))
    }
}

#[vtable]
impl ContextOps for Ctx {
    fn querycap(_this: &Self, cap: &mut Capability) -> Result {
        cap.set_driver(c"slenc_rs");
        cap.set_card(c"slenc virtual H.264 encoder");
        cap.set_bus_info(BUS_INFO);
        Ok(())
    }

    fn controls(this: &Self) -> Option<&Handler<NoOps>> {
        Some(&this.ctrls.hdl)
    }

    fn enum_fmt(_this: &Self, f: &mut FmtDesc) -> Result {
        let i = f.index() as usize;
        let fourcc = match f.buf_type() {
            Some(BufType::VideoOutput) => OUTPUT_FORMATS.get(i).ok_or(EINVAL)?.fourcc(),
            Some(BufType::VideoCapture) if i == 0 => layout::PIX_FMT_H264_SLICE,
            _ => return Err(EINVAL),
        };
        f.set_pixelformat(FourCc::from_raw(fourcc));
        Ok(())
    }

    fn g_fmt(this: &Self, _q: &Queue, f: &mut Format) -> Result {
        let st = this.st.lock();
        match f.buf_type() {
            Some(BufType::VideoOutput) => f.set_pix(&st.fmt.output_pix()),
            Some(BufType::VideoCapture) => f.set_pix(&st.fmt.capture_pix()),
            _ => Err(EINVAL),
        }
    }

    fn try_fmt(this: &Self, _q: &Queue, f: &mut Format) -> Result {
        let st = this.st.lock();
        let (pix, _) = st
            .fmt
            .try_pix(f.buf_type().ok_or(EINVAL)?, &f.pix().ok_or(EINVAL)?)?;
        f.set_pix(&pix)
    }

    fn s_fmt(this: &Self, q: &Queue, f: &mut Format) -> Result {
        let mut st = this.st.lock();
        let (pix, fmt) = st
            .fmt
            .try_pix(f.buf_type().ok_or(EINVAL)?, &f.pix().ok_or(EINVAL)?)?;
        if q.is_busy() {
            return Err(EBUSY);
        }
        st.fmt = fmt;
        st.params = Params::new(fmt.out.width, fmt.out.height)?;
        f.set_pix(&pix)
    }

    fn enum_framesizes(_this: &Self, f: &mut FrmSizeEnum) -> Result {
        let fourcc = f.pixel_format().as_raw();
        let known = fourcc == layout::PIX_FMT_H264_SLICE
            || OUTPUT_FORMATS.iter().any(|i| i.fourcc() == fourcc);
        if f.index() != 0 || !known {
            return Err(EINVAL);
        }
        let (min, max) = (layout::MIN_DIMENSION, h264::MAX_DIMENSION);
        f.set_stepwise((min, max, 2), (min, max, 2));
        Ok(())
    }

    fn device_run(this: &Self, job: Job<Self>) {
        let Some((src, mut dst)) = job.take_buffers() else {
            return;
        };
        let snap = this.ctrls.snapshot();
        let mut st = this.st.lock();
        let res = match snap {
            Ok((controls, gop)) => {
                st.params.controls = controls;
                st.params.gop = gop;
                st.encode(&job, &src, &mut dst)
            }
            Err(e) => Err(e),
        };
        let seq = st.sequence;
        st.sequence = st.sequence.wrapping_add(1);
        drop(st);
        let _ = job.copy_metadata(&src, &mut dst);
        match res {
            Ok((bytes, flags)) => {
                job.output_queue().buffer_done(src, Done::new(seq));
                let done = Done {
                    payload: Some(bytes),
                    ..Done::new(seq).buf_flags(flags)
                };
                job.capture_queue().buffer_done(dst, done);
            }
            Err(e) => {
                pr_warn!("frame {seq} failed: {e:?}\n");
                job.output_queue().buffer_done(src, Done::error(seq));
                job.capture_queue().buffer_done(dst, Done::error(seq));
            }
        }
        job.finish();
    }
}

#[vtable]
impl QueueOps for Ctx {
    fn queue_setup(this: &Self, q: &Queue, setup: &mut Setup<'_>) -> Result {
        let size = this.st.lock().fmt.size(q.buf_type())?;
        if let Some(sizes) = setup.requested_sizes() {
            if sizes.len() != 1 || sizes[0] < size {
                return Err(EINVAL);
            }
            return Ok(());
        }
        setup.set_planes(&[size])
    }

    fn buf_prepare(this: &Self, q: &Queue, buf: &mut Prepare<'_>) -> Result {
        let size = this.st.lock().fmt.size(q.buf_type())?;
        if buf.plane_size(0) < size as usize {
            return Err(EINVAL);
        }
        // Progressive pictures only.
        if q.buf_type() == Some(BufType::VideoOutput) {
            match buf.field() {
                video::FIELD_ANY => buf.set_field(video::FIELD_NONE),
                video::FIELD_NONE => (),
                _ => return Err(EINVAL),
            }
        }
        Ok(())
    }

    fn start_streaming(
        this: &Self,
        q: &Queue,
        _parent: &kernel::device::Device<kernel::device::Bound>,
        _count: u32,
    ) -> Result {
        let mut st = this.st.lock();
        st.sequence = 0;
        if q.buf_type() == Some(BufType::VideoOutput) {
            let stream = StreamInfo::new(st.fmt.out);
            st.enc = Some(Encoder::new(&stream)?);
            st.params = Params::new(st.fmt.out.width, st.fmt.out.height)?;
        }
        Ok(())
    }

    fn stop_streaming(
        this: &Self,
        q: &Queue,
        _parent: &kernel::device::Device<kernel::device::Bound>,
    ) {
        if q.buf_type() == Some(BufType::VideoOutput) {
            this.st.lock().enc = None;
        }
    }
}
