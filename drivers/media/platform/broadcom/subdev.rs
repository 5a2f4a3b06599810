// SPDX-License-Identifier: GPL-2.0

//! The Unicam sub-device: a sink pad from the sensor, and an image and a
//! metadata source pad towards the video nodes, with a route per stream
//! (one to one). Formats do not change through it: the source format of a
//! route is its sink format.

use kernel::{
    media::{
        mbus::{Colorspace, Field, FrameFormat, Quantization, XferFunc, YcbcrEnc},
        subdev::{
            self as sd, Format, FrameDescType, FrameSizeEnum, MbusCodeEnum, Route, Routing, State,
            Subdev, Which, ROUTE_FL_ACTIVE,
        },
    },
    prelude::*,
    sync::{atomic::Relaxed, Arc},
};

use crate::{
    formats::{self, Kind},
    hw::{RxConfig, Shared},
    IMAGE, META, PAD_IMAGE, PAD_META, PAD_SINK,
};

/// The driver's data of the Unicam sub-device.
pub(crate) struct UnicamSd {
    pub(crate) shared: Arc<Shared>,
}

/// The kind of data of source pad `pad` (sink pads have none).
fn kind_of(pad: u32) -> Kind {
    if pad == PAD_IMAGE {
        Kind::Image
    } else {
        Kind::Meta
    }
}

fn is_source(pad: u32) -> bool {
    pad != PAD_SINK
}

/// Validates and applies `routes`, then resets the format of every active
/// route to the default of its source pad (`__unicam_subdev_set_routing()`).
fn apply_routing(sd: &Subdev<UnicamSd>, state: &State, routes: &[Route]) -> Result {
    sd::validate_routing(sd, routes, sd::ROUTING_ONLY_1_TO_1)?;
    state.set_routing(routes)?;
    for r in state.routes()?.iter().filter(|r| r.is_active()) {
        let def = if r.source_pad() == PAD_IMAGE {
            formats::default_image_mbus()
        } else {
            formats::default_meta_mbus()
        };
        state.set_format(r.sink_pad(), r.sink_stream(), &def)?;
        state.set_format(r.source_pad(), r.source_stream(), &def)?;
    }
    Ok(())
}

impl UnicamSd {
    /// The virtual channel and data type of the image stream, from the
    /// sensor's frame descriptor (`unicam_get_image_vc_dt()`).
    fn image_vc_dt(&self, state: &State) -> Result<(u8, u8)> {
        let sh = &self.shared;
        let (_, stream) = state.find_opposite_end(PAD_IMAGE, 0)?;
        let pad = sh.sensor_pad.load(Relaxed);
        let fd = sh
            .sensor
            .with(sh.sensor_conn, |s| s.get_frame_desc(pad))
            .ok_or(ENODEV)??;
        // Only CSI-2 has data types.
        if fd.desc_type() != Some(FrameDescType::Csi2) {
            return Err(EINVAL);
        }
        let found = fd
            .entries()
            .find(|e| e.stream == stream)
            .map(|e| (e.vc, e.dt));
        found.ok_or(EINVAL)
    }

    /// Configures and starts the receiver, before the sensor streams.
    fn start(&self, sd: &Subdev<Self>, state: &State) -> Result {
        let sh = &self.shared;
        let dev = sd.dev();
        let fmt = state.format(PAD_IMAGE, 0)?;
        let info = formats::by_code(fmt.code(), Kind::Image).ok_or(EINVAL)?;
        let nodes = sh.pipe.lock().nodes;
        {
            let mut hw = sh.hw.lock();
            hw.sequence = 0;
            hw.frame_started = false;
        }
        if nodes & (1 << META) != 0 {
            sh.start_metadata(dev)?;
        }
        let (pixelformat, bytesperline) = {
            let f = sh.fmt.lock();
            (f.pix.pixelformat, f.pix.bytesperline)
        };
        // Without a frame descriptor: virtual channel 0 and the data type
        // of the format.
        let (vc, dt) = self.image_vc_dt(state).unwrap_or((0, info.csi_dt));
        sh.start_rx(
            dev,
            &RxConfig {
                fmt: info,
                height: fmt.height(),
                unpack: pixelformat != info.fourcc,
                bytesperline,
                vc,
                dt,
            },
        )
    }
}

#[vtable]
impl sd::Ops for UnicamSd {
    fn init_state(sd: &Subdev<Self>, state: &State) -> Result {
        // One route, to the image pad.
        apply_routing(
            sd,
            state,
            &[Route::new(PAD_SINK, 0, PAD_IMAGE, 0, ROUTE_FL_ACTIVE)],
        )
    }

    fn enum_mbus_code(_sd: &Subdev<Self>, state: &State, code: &mut MbusCodeEnum) -> Result {
        let (pad, stream) = state.find_opposite_end(code.pad(), code.stream())?;
        if is_source(code.pad()) {
            // No transcoding: the source code is the sink's.
            let fmt = state.format(pad, stream)?;
            if code.index() > 0 {
                return Err(EINVAL);
            }
            code.set_code(fmt.code());
        } else {
            let f = kind_of(pad)
                .formats()
                .get(code.index() as usize)
                .ok_or(EINVAL)?;
            code.set_code(f.code);
        }
        Ok(())
    }

    fn enum_frame_size(_sd: &Subdev<Self>, state: &State, fse: &mut FrameSizeEnum) -> Result {
        if fse.index() > 0 {
            return Err(EINVAL);
        }
        let (pad, stream) = state.find_opposite_end(fse.pad(), fse.stream())?;
        if is_source(fse.pad()) {
            let fmt = state.format(pad, stream)?;
            if fse.code() != fmt.code() {
                return Err(EINVAL);
            }
            fse.set_size(fmt.width(), fmt.width(), fmt.height(), fmt.height());
        } else {
            formats::by_code(fse.code(), kind_of(pad)).ok_or(EINVAL)?;
            if pad == PAD_IMAGE {
                fse.set_size(
                    formats::IMAGE_MIN_WIDTH,
                    formats::IMAGE_MAX_WIDTH,
                    formats::IMAGE_MIN_HEIGHT,
                    formats::IMAGE_MAX_HEIGHT,
                );
            } else {
                fse.set_size(
                    formats::META_MIN_WIDTH,
                    formats::META_MAX_WIDTH,
                    formats::META_MIN_HEIGHT,
                    formats::META_MAX_HEIGHT,
                );
            }
        }
        Ok(())
    }

    fn set_fmt(sd: &Subdev<Self>, state: &State, fmt: &mut Format) -> Result {
        if fmt.which() == Which::Active && sd.data().shared.pipe.lock().enabled_streams != 0 {
            return Err(EBUSY);
        }
        // No transcoding: the source format is the sink's.
        if is_source(fmt.pad()) {
            let f = state.format(fmt.pad(), fmt.stream())?;
            fmt.set_format(&f);
            return Ok(());
        }
        // The formats the sink takes depend on the source pad the stream
        // is routed to.
        let (source_pad, source_stream) = state.find_opposite_end(fmt.pad(), fmt.stream())?;
        let kind = kind_of(source_pad);
        let mut f: FrameFormat = fmt.format();
        if formats::by_code(f.code(), kind).is_none() {
            f.set_code(kind.formats()[0].code);
        }
        let (wmin, wmax, hmin, hmax) = match kind {
            Kind::Image => (
                formats::IMAGE_MIN_WIDTH,
                formats::IMAGE_MAX_WIDTH,
                formats::IMAGE_MIN_HEIGHT,
                formats::IMAGE_MAX_HEIGHT,
            ),
            Kind::Meta => (
                formats::META_MIN_WIDTH,
                formats::META_MAX_WIDTH,
                formats::META_MIN_HEIGHT,
                formats::META_MAX_HEIGHT,
            ),
        };
        f.set_size(f.width().clamp(wmin, wmax), f.height().clamp(hmin, hmax));
        f.set_field(Field::NONE);
        if kind == Kind::Meta {
            // Colour spaces do not apply to metadata.
            f.set_colorspace(Colorspace::DEFAULT);
            f.set_ycbcr_enc(YcbcrEnc::DEFAULT);
            f.set_quantization(Quantization::DEFAULT);
            f.set_xfer_func(XferFunc::DEFAULT);
        }
        state.set_format(fmt.pad(), fmt.stream(), &f)?;
        state.set_format(source_pad, source_stream, &f)?;
        fmt.set_format(&f);
        Ok(())
    }

    fn set_routing(sd: &Subdev<Self>, state: &State, which: Which, routing: &Routing) -> Result {
        if which == Which::Active && sd.data().shared.pipe.lock().enabled_streams != 0 {
            return Err(EBUSY);
        }
        apply_routing(sd, state, routing.routes())
    }

    fn enable_streams(sd: &Subdev<Self>, state: &State, pad: u32, _streams: u64) -> Result {
        let this = sd.data();
        let sh = &this.shared;
        let first = sh.pipe.lock().enabled_streams == 0;
        if first {
            this.start(sd, state)?;
        }
        let started = (|| {
            let (_, other_stream) = state.find_opposite_end(pad, 0)?;
            let sensor_pad = sh.sensor_pad.load(Relaxed);
            let mask = 1u64 << other_stream.min(63);
            sh.sensor
                .with(sh.sensor_conn, |s| s.enable_streams(sensor_pad, mask))
                .ok_or(ENODEV)?
                .inspect_err(|_| dev_err!(sd.dev(), "stream on failed in subdev\n"))?;
            Ok(mask)
        })();
        match started {
            Ok(mask) => {
                sh.pipe.lock().enabled_streams |= mask;
                Ok(())
            }
            Err(e) => {
                if first {
                    let _ = sh.disable(sd.dev());
                }
                Err(e)
            }
        }
    }

    fn disable_streams(sd: &Subdev<Self>, state: &State, pad: u32, _streams: u64) -> Result {
        let sh = &sd.data().shared;
        let (_, other_stream) = state.find_opposite_end(pad, 0)?;
        let sensor_pad = sh.sensor_pad.load(Relaxed);
        let mask = 1u64 << other_stream.min(63);
        // The sensor may be gone (unbound): then it stopped already.
        let _ = sh
            .sensor
            .with(sh.sensor_conn, |s| s.disable_streams(sensor_pad, mask));
        let idle = {
            let mut pipe = sh.pipe.lock();
            pipe.enabled_streams &= !mask;
            pipe.enabled_streams == 0
        };
        if idle {
            sh.disable(sd.dev())?;
        }
        Ok(())
    }
}

/// The nodes whose pipeline the Unicam source pads `pads` (a mask of pad
/// indices) belong to.
pub(crate) fn nodes_of_pads(pads: u64) -> u32 {
    let mut nodes = 0;
    if pads & (1 << PAD_IMAGE) != 0 {
        nodes |= 1 << IMAGE;
    }
    if pads & (1 << PAD_META) != 0 {
        nodes |= 1 << META;
    }
    nodes
}
