// SPDX-License-Identifier: GPL-2.0

//! Binding the sensor: links from the sensor to the Unicam sink pad when it
//! is bound, the video nodes when the notifier completes, and, beyond the C
//! driver, stopping cleanly when the sensor unbinds.
//!
//! The video nodes are registered the first time the notifier completes
//! and stay registered until Unicam itself unbinds: when the sensor goes,
//! open files keep working (streaming stops with an error), and when it
//! comes back the notifier completes again and only the sub-device nodes
//! are created anew.

use kernel::{
    device::{Bound, Device},
    media::{
        entity::{self, LinkFlags},
        notifier::{self, create_fwnode_links_to_pad},
        subdev::AnySubdev,
        v4l2_device,
        vb2::Done,
        video,
    },
    new_mutex,
    prelude::*,
    sync::{aref::ARef, atomic::Relaxed, Arc, Mutex},
    ThisModule,
};

use crate::{
    hw::{Next, Shared},
    node::{self, Node},
    IMAGE, META, PAD_IMAGE, PAD_META, PAD_SINK,
};

/// The notifier's data.
#[pin_data]
pub(crate) struct Notify {
    shared: Arc<Shared>,
    v4l2: ARef<v4l2_device::Device>,
    module: &'static ThisModule,
    /// The video nodes, registered once.
    #[pin]
    nodes: Mutex<KVec<video::Registration<Node>>>,
}

impl Notify {
    pub(crate) fn new(
        shared: Arc<Shared>,
        v4l2: ARef<v4l2_device::Device>,
        module: &'static ThisModule,
    ) -> impl PinInit<Self> {
        pin_init!(Self {
            shared,
            v4l2,
            module,
            nodes <- new_mutex!(KVec::new(), "unicam_nodes"),
        })
    }

    /// Registers node `id` and links the Unicam source pad to it
    /// (`unicam_register_node()`).
    fn register_node(&self, id: usize) -> Result<video::Registration<Node>> {
        let sh = &self.shared;
        let dev = &sh.dev;
        let data = Arc::new(
            Node {
                id,
                shared: sh.clone(),
                vdev: Default::default(),
            },
            GFP_KERNEL,
        )?;
        let cfg = node::config(id);
        let reg = video::Unregistered::<Node>::new(&self.v4l2, &cfg)?
            .register(data, self.module)
            .inspect_err(|_| {
                dev_err!(dev, "Unable to register video device {}\n", cfg.name);
            })?;
        reg.data().vdev.populate(reg.device().clone());
        let old = {
            let mut hw = sh.hw.lock();
            hw.vdev[id].replace(reg.device().clone())
        };
        drop(old);
        let pad = if id == IMAGE { PAD_IMAGE } else { PAD_META };
        let linked = match sh.subdev.lock().as_ref() {
            Some(sd) => entity::create_pad_link(
                sd.entity(),
                pad as u16,
                reg.device().entity(),
                0,
                LinkFlags::ENABLED | LinkFlags::IMMUTABLE,
            ),
            None => Err(ENODEV),
        };
        if let Err(e) = linked {
            dev_err!(dev, "Unable to create pad link for {}\n", cfg.name);
            return Err(e);
        }
        Ok(reg)
    }

    /// Stops streaming because the sensor went away: the hardware stops,
    /// the buffers are returned with errors and the queues fail until user
    /// space stops streaming.
    fn stop_for_unbind(&self, dev: &Device<Bound>, sensor: &AnySubdev) {
        let sh = &self.shared;
        let nodes = self.nodes.lock();
        let Some(first) = nodes.first() else {
            return;
        };
        // The nodes' lock: no ioctl or queue operation runs meanwhile.
        let _lock = first.device().lock();
        let (running, pipe_nodes) = {
            let p = sh.pipe.lock();
            (p.running, p.nodes)
        };
        if running {
            dev_warn!(dev, "sensor {} unbound while streaming\n", sensor.name());
            // Stop the sensor while it is still there.
            let sensor_pad = sh.sensor_pad.load(Relaxed);
            let streams = sh.pipe.lock().enabled_streams;
            let _ = sensor.disable_streams(sensor_pad, streams);
            if let Some(reg) = nodes.iter().find(|r| pipe_nodes & (1 << r.data().id) != 0) {
                reg.data().stop_hw(dev);
            }
        }
        for reg in nodes.iter() {
            let id = reg.data().id;
            let q = reg.device().queue();
            let streaming = sh.hw.lock().node[id].streaming;
            if !streaming {
                continue;
            }
            let (cur, next) = node::take_buffers(sh, id);
            let sequence = sh.hw.lock().sequence;
            if let Some(b) = cur {
                q.buffer_done(b, Done::error(sequence));
            }
            if let Next::Buf(b) = next {
                q.buffer_done(b, Done::error(sequence));
            }
            while let Some(b) = q.next_queued() {
                q.buffer_done(b, Done::error(sequence));
            }
            q.set_error();
        }
    }
}

#[vtable]
impl notifier::Ops for Notify {
    fn bound(this: &Self, _dev: &Device<Bound>, sd: &AnySubdev, _conn: usize) -> Result {
        let sh = &this.shared;
        dev_dbg!(sh.dev, "Using sensor {} for capture\n", sd.name());
        let guard = sh.subdev.lock();
        let ours = guard.as_ref().ok_or(ENODEV)?;
        let sink = ours.entity().pad(PAD_SINK as u16).ok_or(EINVAL)?;
        create_fwnode_links_to_pad(sd, sink, LinkFlags::ENABLED | LinkFlags::IMMUTABLE)?;
        let source = sink.remote_pad_unique().inspect_err(|_| {
            dev_err!(sh.dev, "No connected sensor pad\n");
        })?;
        sh.sensor_pad.store(u32::from(source.index()), Relaxed);
        Ok(())
    }

    fn complete(this: &Self, _dev: &Device<Bound>) -> Result {
        let sh = &this.shared;
        let mut nodes = this.nodes.lock();
        if nodes.is_empty() {
            for (id, what) in [(IMAGE, "image"), (META, "metadata")] {
                match this.register_node(id) {
                    Ok(reg) => nodes.push(reg, GFP_KERNEL)?,
                    Err(e) => {
                        dev_err!(sh.dev, "Unable to register {} video device.\n", what);
                        nodes.clear();
                        return Err(e);
                    }
                }
            }
        }
        drop(nodes);
        this.v4l2.register_subdev_nodes().inspect_err(|_| {
            dev_err!(sh.dev, "Unable to register subdev nodes.\n");
        })
    }

    fn unbind(this: &Self, dev: &Device<Bound>, sd: &AnySubdev, _conn: usize) {
        this.stop_for_unbind(dev, sd);
    }
}
