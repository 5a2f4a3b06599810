// SPDX-License-Identifier: GPL-2.0
//! `slenc-enc`: encodes raw video into an H.264 file with the stateless
//! encoder driver (`--device`), or with the same codec layer and virtual
//! engine in-process (`--host`), reporting every picture and the
//! throughput.
//!
//! ```text
//! slenc-enc --host --size 1280x720 --frames 300 --gop 30 --cbr 2000000 -o out.h264
//! slenc-enc --device /dev/video0 --media /dev/media0 -i in.yuv --size 640x480 -o out.h264
//! ```

mod client;
mod host;
mod source;
mod v4l2;

use client::{Client, Rc};
use slenc_codec::layout::{try_output, InputFormat, OutputFormat, Rect};
use slenc_codec::state::StreamInfo;
use source::{RawLayout, Source};
use std::io::Write;
use std::time::Instant;

/// One coded picture.
pub struct FrameResult {
    /// The access unit.
    pub bytes: Vec<u8>,
    /// Its QP.
    pub qp: u8,
    /// IDR picture.
    pub keyframe: bool,
}

/// Something that encodes pictures.
pub trait Encoder {
    /// The OUTPUT format and the memory to write the next picture into.
    fn output_planes(&mut self) -> (&OutputFormat, &mut [Vec<u8>]);
    /// Encodes the picture in the OUTPUT memory.
    fn encode(
        &mut self,
        client: &Client,
        params: &slenc_codec::uapi::EncodeParams,
    ) -> Result<FrameResult, String>;
}

struct Args {
    device: Option<String>,
    media: String,
    input: Option<String>,
    raw: RawLayout,
    layout: InputFormat,
    width: u32,
    height: u32,
    fps: u32,
    frames: usize,
    gop: u32,
    rc: Rc,
    aud: bool,
    output: String,
    verbose: bool,
}

const USAGE: &str = "usage: slenc-enc (--host | --device /dev/videoN [--media /dev/mediaN])
       [-i FILE.yuv [--nv12]] [--size WxH] [--fps N] [--frames N] [--gop N]
       [--qp N | --cbr BPS | --vbr BPS:PEAK | --cq 0..100] [--aud]
       [--layout nv12|nv12m|yuv420|yuv420m] [-v] -o OUT.h264
Without -i, test content is generated. -v prints one line per picture.";

fn parse() -> Result<Args, String> {
    let mut a = Args {
        device: None,
        media: "/dev/media0".into(),
        input: None,
        raw: RawLayout::I420,
        layout: InputFormat::Nv12,
        width: 1280,
        height: 720,
        fps: 30,
        frames: 300,
        gop: 30,
        rc: Rc::Qp(28),
        aud: false,
        output: String::new(),
        verbose: false,
    };
    let mut host = false;
    let mut it = std::env::args().skip(1);
    let num = |v: Option<String>, what: &str| -> Result<u32, String> {
        v.and_then(|s| s.parse().ok())
            .ok_or(format!("{what}: a number is expected"))
    };
    while let Some(o) = it.next() {
        match o.as_str() {
            "--host" => host = true,
            "--device" => a.device = it.next(),
            "--media" => a.media = it.next().ok_or("--media: a path")?,
            "-i" => a.input = it.next(),
            "--nv12" => a.raw = RawLayout::Nv12,
            "--size" => {
                let s = it.next().ok_or("--size: WxH")?;
                let (w, h) = s.split_once('x').ok_or("--size: WxH")?;
                a.width = w.parse().map_err(|_| "--size: width")?;
                a.height = h.parse().map_err(|_| "--size: height")?;
            }
            "--fps" => a.fps = num(it.next(), "--fps")?,
            "--frames" => a.frames = num(it.next(), "--frames")? as usize,
            "--gop" => a.gop = num(it.next(), "--gop")?,
            "--qp" => a.rc = Rc::Qp(num(it.next(), "--qp")?.min(51) as u8),
            "--cbr" => a.rc = Rc::Cbr(num(it.next(), "--cbr")?),
            "--cq" => a.rc = Rc::Cq(num(it.next(), "--cq")?.min(100) as u8),
            "--vbr" => {
                let s = it.next().ok_or("--vbr: BPS:PEAK")?;
                let (b, p) = s.split_once(':').ok_or("--vbr: BPS:PEAK")?;
                a.rc = Rc::Vbr(
                    b.parse().map_err(|_| "--vbr: rate")?,
                    p.parse().map_err(|_| "--vbr: peak")?,
                );
            }
            "--aud" => a.aud = true,
            "--layout" => {
                a.layout = match it.next().as_deref() {
                    Some("nv12") => InputFormat::Nv12,
                    Some("nv12m") => InputFormat::Nv12M,
                    Some("yuv420") => InputFormat::Yuv420,
                    Some("yuv420m") => InputFormat::Yuv420M,
                    _ => return Err("--layout: nv12, nv12m, yuv420 or yuv420m".into()),
                }
            }
            "-o" => a.output = it.next().ok_or("-o: a path")?,
            "-v" => a.verbose = true,
            "-h" | "--help" => return Err(USAGE.into()),
            x => return Err(format!("unknown option {x}\n{USAGE}")),
        }
    }
    if host == a.device.is_some() || a.output.is_empty() {
        return Err(USAGE.into());
    }
    if !a.width.is_multiple_of(2) || !a.height.is_multiple_of(2) || a.fps == 0 {
        return Err("the size must be even and the frame rate above 0".into());
    }
    Ok(a)
}

fn run(a: Args) -> Result<(), String> {
    let format = try_output(a.layout, a.width, a.height, [0; 3]);
    if (format.width, format.height) != (a.width, a.height) {
        return Err(format!(
            "{}x{} is not a supported size (nearest {}x{})",
            a.width, a.height, format.width, format.height
        ));
    }
    let stream = StreamInfo {
        crop: Rect::full(a.width, a.height),
        timeperframe: (1, a.fps),
        ..StreamInfo::new(format)
    };
    let mut client = Client::new(a.width, a.height, a.gop, a.rc, a.aud)?;
    let mut enc: Box<dyn Encoder> = match &a.device {
        None => Box::new(host::HostEncoder::new(&stream)),
        Some(dev) => Box::new(v4l2::DeviceEncoder::open(
            dev, &a.media, &format, a.fps, &client,
        )?),
    };
    let mut src = match &a.input {
        Some(p) => Source::File(
            std::fs::File::open(p).map_err(|e| format!("{p}: {e}"))?,
            a.raw,
        ),
        None => Source::Pattern,
    };
    let mut out = std::fs::File::create(&a.output).map_err(|e| format!("{}: {e}", a.output))?;
    let (w, h) = (a.width as usize, a.height as usize);
    let start = Instant::now();
    let mut total = 0u64;
    let mut stats = [(0u64, 0u64, 0u64); 2]; // (frames, bytes, qp sum) of I, P
    let mut n = 0;
    while n < a.frames {
        let Some(pic) = src.next(w, h, n).map_err(|e| format!("input: {e}"))? else {
            break;
        };
        {
            let (f, mem) = enc.output_planes();
            let f = *f;
            source::fill_planes(&f, &pic, mem);
        }
        let params = client.next_params();
        let t0 = Instant::now();
        let r = match enc.encode(&client, &params) {
            Ok(r) => r,
            Err(e) => {
                client.retry(&params);
                return Err(format!("frame {n}: {e}"));
            }
        };
        let dt = t0.elapsed();
        out.write_all(&r.bytes)
            .map_err(|e| format!("{}: {e}", a.output))?;
        total += r.bytes.len() as u64;
        let s = &mut stats[usize::from(!r.keyframe)];
        s.0 += 1;
        s.1 += r.bytes.len() as u64;
        s.2 += u64::from(r.qp);
        n += 1;
        let el = start.elapsed().as_secs_f64();
        if a.verbose {
            eprintln!(
                "frame {n:5} {} {:8} bytes QP {:2} {:7.2} ms",
                if r.keyframe { "I" } else { "P" },
                r.bytes.len(),
                r.qp,
                dt.as_secs_f64() * 1e3
            );
        } else {
            eprint!(
                "\rframe {n}/{} {:.1} fps {:.0} kbit/s   ",
                a.frames,
                n as f64 / el.max(1e-9),
                total as f64 * 8.0 * f64::from(a.fps) / n as f64 / 1000.0
            );
        }
    }
    let el = start.elapsed().as_secs_f64();
    eprintln!();
    eprintln!(
        "{n} frames, {total} bytes, {:.0} kbit/s at {} fps, {:.2} s, {:.1} frames/s",
        total as f64 * 8.0 * f64::from(a.fps) / n.max(1) as f64 / 1000.0,
        a.fps,
        el,
        n as f64 / el.max(1e-9)
    );
    for (name, s) in ["I", "P"].iter().zip(stats) {
        if s.0 > 0 {
            eprintln!(
                "  {name}: {} frames, {:.0} bytes and QP {:.1} on average",
                s.0,
                s.1 as f64 / s.0 as f64,
                s.2 as f64 / s.0 as f64
            );
        }
    }
    Ok(())
}

fn main() {
    match parse().and_then(run) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("slenc-enc: {e}");
            std::process::exit(1);
        }
    }
}
