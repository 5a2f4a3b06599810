// SPDX-License-Identifier: GPL-2.0
//! `--host`: the driver's codec layer and virtual engine run in this
//! process, with the job loop the driver runs. The stream is what the
//! driver (virtual engine) must produce from the same pictures and
//! controls, bit for bit.

use crate::client::Client;
use crate::{Encoder, FrameResult};
use slenc_codec::backend::{Backend, IrqStatus};
use slenc_codec::engine::H264Engine;
use slenc_codec::layout::OutputFormat;
use slenc_codec::state::StreamInfo;
use slenc_codec::virt::{DelayModel, Faults, VirtMem, VirtualEngine};

/// The in-process encoder.
pub struct HostEncoder {
    engine: Box<H264Engine>,
    backend: VirtualEngine,
    slots: Vec<Vec<u8>>,
    info: Vec<h264::MbInfo>,
    ws: Box<h264::Workspace>,
    out: Vec<u8>,
    mem: Vec<Vec<u8>>,
    format: OutputFormat,
}

impl HostEncoder {
    /// An encoder for `stream`.
    pub fn new(stream: &StreamInfo) -> Self {
        let backend = VirtualEngine::new(DelayModel::NONE, Faults::default());
        let mut engine = Box::new(H264Engine::new(backend.caps()));
        let res = engine.start(stream);
        let f = stream.format;
        HostEncoder {
            engine,
            backend,
            slots: (0..res.slots).map(|_| vec![0u8; res.recon_size]).collect(),
            info: vec![h264::MbInfo::EMPTY; res.mb_count],
            ws: Box::new(h264::Workspace::new()),
            out: vec![0u8; res.capture_min as usize],
            mem: (0..f.planes)
                .map(|i| vec![0u8; f.sizeimage[i] as usize])
                .collect(),
            format: f,
        }
    }
}

impl Encoder for HostEncoder {
    fn output_planes(&mut self) -> (&OutputFormat, &mut [Vec<u8>]) {
        (&self.format, &mut self.mem)
    }

    fn encode(
        &mut self,
        client: &Client,
        params: &slenc_codec::uapi::EncodeParams,
    ) -> Result<FrameResult, String> {
        let p = self
            .engine
            .prepare(
                &client.sps,
                &client.pps,
                params,
                &client.controls,
                &mut self.out,
            )
            .map_err(|e| format!("request refused: {e:?}"))?;
        let d = p.desc;
        self.backend
            .program(&d, &())
            .map_err(|e| format!("program: {e:?}"))?;
        self.backend.start();
        let r = d.recon_slot as usize;
        let (recon, reference): (&mut [u8], &[u8]) = match d.ref_slot.map(usize::from) {
            Some(rs) if rs < r => {
                let (a, b) = self.slots.split_at_mut(r);
                (&mut b[0], &a[rs])
            }
            Some(rs) => {
                let (a, b) = self.slots.split_at_mut(rs);
                (&mut a[r], &b[0])
            }
            None => (&mut self.slots[r], &[]),
        };
        let plane = |i: usize| self.mem.get(i).map(|v| v.as_slice()).unwrap_or(&[]);
        let ex = self.backend.execute(VirtMem {
            src: [plane(0), plane(1), plane(2)],
            out: &mut self.out,
            recon,
            reference,
            mb_info: &mut self.info,
            workspace: &mut self.ws,
        });
        let status = if ex.raise_irq {
            self.backend.irq()
        } else {
            self.backend.reset();
            IrqStatus::Failed(slenc_codec::backend::JobFailure::Timeout)
        };
        let c = self.engine.complete(&d, status, &client.controls);
        if let Some(f) = c.failed {
            return Err(format!("job failed: {f:?}"));
        }
        Ok(FrameResult {
            bytes: self.out[..c.bytesused].to_vec(),
            qp: c.qp,
            keyframe: c.flags & slenc_codec::engine::BUF_FLAG_KEYFRAME != 0,
        })
    }
}
