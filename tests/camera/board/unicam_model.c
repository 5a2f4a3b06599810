// SPDX-License-Identifier: GPL-2.0
/*
 * The Unicam model of the emulated camera board, and the CSI-2 link from the
 * IMX219 model to it.
 *
 * Unicam's registers are plain RAM here (the reserved window), so the model
 * cannot see a write happen: it samples the registers at every event of the
 * CSI-2 stream (frame start, every line written, line count points, frame
 * end), which is when the hardware acts on them too: buffer addresses are
 * latched at frame start, the receiver's enables are checked throughout.
 * The model owns the write-1-to-clear status registers STA and ISTA: it sets
 * the bits of an event, raises the interrupt through the board's irq_sim
 * domain, waits until the handler has run, and clears them.
 *
 * One kernel thread, bound to one CPU, runs the sensor's frame timeline:
 * frame starts every frame_length_lines * line_length_pck / pixel rate.
 * See Documentation/media/emulated-board.rst.
 */

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/irq.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "board.h"

/* Unicam registers and bits (offsets in the "unicam" block). */
#define UC_CTRL			0x000
#define  UC_CTRL_CPE		BIT(0)	/* peripheral enable */
#define  UC_CTRL_CPR		BIT(2)	/* peripheral reset */
#define  UC_CTRL_CPM		BIT(3)	/* 1: CCP2, 0: CSI-2 */
#define  UC_CTRL_SOE		BIT(4)	/* stop output engine */
#define UC_STA			0x004
#define  UC_STA_IS		BIT(14)	/* image interrupt status */
#define  UC_STA_PI0		BIT(15)	/* packet compare 0 interrupt */
#define UC_ANA			0x008
#define  UC_ANA_AR		BIT(2)	/* analogue reset */
#define  UC_ANA_DDL		BIT(3)	/* disable data lanes */
#define UC_CLK			0x010
#define  UC_CLK_CLE		BIT(0)
#define UC_DAT0			0x018	/* DAT0..3 at 0x18, 0x1c, 0x20, 0x24 */
#define  UC_DAT_DLE		BIT(0)
#define UC_CMP0			0x02c
#define  UC_CMP_PCE		BIT(31)
#define  UC_CMP_GI		BIT(9)
#define UC_ICTL			0x100
#define  UC_ICTL_FSIE		BIT(0)
#define  UC_ICTL_FEIE		BIT(1)
#define  UC_ICTL_LIP_MASK	GENMASK(6, 5)
#define  UC_ICTL_LCIE_MASK	GENMASK(28, 16)
#define UC_ISTA			0x104
#define  UC_ISTA_FSI		BIT(0)
#define  UC_ISTA_FEI		BIT(1)
#define  UC_ISTA_LCI		BIT(2)
#define UC_IDI0			0x108
#define UC_IPIPE		0x10c
#define  UC_IPIPE_PUM_MASK	GENMASK(2, 0)
#define  UC_IPIPE_PPM_MASK	GENMASK(9, 7)
#define  UC_PUM_UNPACK10	4
#define  UC_PPM_PACK16		5
#define UC_IBSA0		0x110
#define UC_IBEA0		0x114
#define UC_IBLS			0x118
#define UC_IBWP			0x11c

/* The clock manager's lane clock gate ("cmi"): password, then 2 bits a lane. */
#define CMI_PASSWORD		0x5a000000

#define IRQ_WAIT_NS		(100 * NSEC_PER_MSEC)

/* What Unicam is set up to receive, sampled at frame start. */
struct rx_cfg {
	u32 start, end, stride;
	bool unpack16;
	u32 ictl, cmp0;
	u32 lanes;
};

static u32 uc_read(struct rpi_camera_board *b, u32 reg)
{
	return readl(b->unicam + reg);
}

static void uc_write(struct rpi_camera_board *b, u32 reg, u32 val)
{
	writel(val, b->unicam + reg);
}

/* The receiver runs: peripheral enabled, out of reset, output engine on. */
static bool rx_running(struct rpi_camera_board *b)
{
	u32 ctrl = uc_read(b, UC_CTRL), ana = uc_read(b, UC_ANA);
	u32 cmi = readl(b->cmi);

	return (ctrl & (UC_CTRL_CPE | UC_CTRL_CPR | UC_CTRL_SOE | UC_CTRL_CPM)) ==
		UC_CTRL_CPE &&
	       !(ana & (UC_ANA_AR | UC_ANA_DDL)) &&
	       (cmi & 0xff000000) == CMI_PASSWORD && (cmi & 3) == 1 &&
	       (uc_read(b, UC_CLK) & UC_CLK_CLE);
}

/* Data lanes enabled both in Unicam (DATn) and in the clock gate. */
static u32 rx_lanes(struct rpi_camera_board *b)
{
	u32 cmi = readl(b->cmi), n;

	for (n = 0; n < 4; n++) {
		if (!(uc_read(b, UC_DAT0 + 4 * n) & UC_DAT_DLE) ||
		    ((cmi >> (2 + 2 * n)) & 3) != 1)
			break;
	}
	return n;
}

/* Does one of the four packet IDs in IDI0 take this VC/DT? (0: unused) */
static bool rx_accepts(struct rpi_camera_board *b, u8 vc, u8 dt)
{
	u32 idi = uc_read(b, UC_IDI0);
	u8 id = (vc << 6) | dt;
	int i;

	for (i = 0; i < 4; i++) {
		u8 v = idi >> (8 * i);

		if (v && v == id)
			return true;
	}
	return false;
}

static void stat_add(struct rpi_camera_board *b, u64 *counter)
{
	mutex_lock(&b->stats_lock);
	(*counter)++;
	mutex_unlock(&b->stats_lock);
}

/*
 * Raises Unicam's interrupt with the given status bits, waits until the
 * driver has handled it, and clears the bits again (write-1-to-clear does
 * not work on RAM, so the model does it).
 *
 * The handshake does not guess: irq_sim delivers the interrupt from a hard
 * irq_work, and irq_work_queue() queues it on the CPU that calls it, which
 * is this thread's CPU (kthread_bind(); checked below). The irq_work clears
 * the pending bit and runs the flow handler, the driver's hard handler
 * included, in one hard-interrupt section on this CPU: when this thread
 * runs again and reads the bit clear, that section has returned.
 * synchronize_irq() then waits for a threaded handler, if the driver
 * requested one (and for a hard handler on another CPU, were the interrupt
 * ever delivered elsewhere). An interrupt the driver disabled or freed is
 * dropped, as a hardware interrupt nobody listens to would be.
 */
static void raise_irq(struct rpi_camera_board *b, u32 sta, u32 ista)
{
	bool pending = false;
	unsigned int virq;
	u64 t0;

	if (!sta && !ista)
		return;

	uc_write(b, UC_STA, sta);
	uc_write(b, UC_ISTA, ista);

	mutex_lock(&b->intc_lock);
	virq = b->domain ? irq_find_mapping(b->domain, RPI_CAM_UNICAM_HWIRQ) : 0;
	WARN_ON_ONCE(raw_smp_processor_id() != b->cpu);
	if (virq && !irq_set_irqchip_state(virq, IRQCHIP_STATE_PENDING, true)) {
		stat_add(b, &b->stats.irqs);
		t0 = ktime_get_ns();
		for (;;) {
			pending = false;
			if (irq_get_irqchip_state(virq, IRQCHIP_STATE_PENDING, &pending) ||
			    !pending)
				break;
			if (ktime_get_ns() - t0 > IRQ_WAIT_NS) {
				stat_add(b, &b->stats.irq_timeouts);
				break;
			}
			cpu_relax();
		}
		if (!pending)
			synchronize_irq(virq);
	}
	mutex_unlock(&b->intc_lock);

	uc_write(b, UC_STA, 0);
	uc_write(b, UC_ISTA, 0);
}

/* Sleeps until @t (CLOCK_MONOTONIC); false if the thread must stop. */
static bool sleep_until(struct rpi_camera_board *b, ktime_t t)
{
	while (!kthread_should_stop()) {
		if (ktime_compare(ktime_get(), t) >= 0)
			return true;
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_hrtimeout_range(&t, 20 * NSEC_PER_USEC, HRTIMER_MODE_ABS);
		__set_current_state(TASK_RUNNING);
	}
	return false;
}

/*
 * Writes the frame's lines at start + line * stride, never at or past the
 * end address (an end address equal to the start, as for the C driver's
 * dummy buffer, takes nothing). Stops as soon as the receiver is stopped:
 * it looks before every line, so that at most the line in flight lands
 * after a driver disabled the receiver (and may free the buffer).
 */
static bool write_lines(struct rpi_camera_board *b, const struct rx_cfg *rx,
			void *va, u32 *written)
{
	u32 line, n, avail = rx->end - rx->start;
	u32 lb = b->line_bytes;

	for (line = 0; line < b->lines; line++) {
		u64 off = (u64)line * rx->stride;

		if (!rx_running(b))
			return false;
		if (off >= avail)
			break;
		n = min_t(u64, lb, avail - off);
		memcpy(va + off, b->frame + (size_t)line * lb, n);
		*written = line + 1;
	}
	return true;
}

/*
 * Time from frame start until @lines output lines have been sent: the line
 * periods they take (two lines a period in analogue binning), a line period
 * being LINE_LENGTH_A pixel clocks of the pixel rate. Exact to the
 * nanosecond: no rounding error adds up over a frame.
 */
static u64 lines_ns(const struct imx219_frame_cfg *cfg, u32 lines)
{
	u64 periods = DIV_ROUND_UP(lines, cfg->lines_per_period);

	return mul_u64_u64_div_u64(periods * cfg->llp, NSEC_PER_SEC, cfg->pixel_rate);
}

/* One frame of the sensor, from its frame start at @t0. */
static void run_frame(struct rpi_camera_board *b,
		      const struct imx219_frame_cfg *cfg, ktime_t t0)
{
	struct frame_key key;
	struct rx_cfg rx;
	bool data, complete = false;
	u32 lines_done = 0, lci, line, ipipe, sta;
	void *va = NULL;

	if (!rx_running(b))
		return;
	rx.lanes = rx_lanes(b);
	if (rx.lanes != cfg->lanes) {
		/* The receiver cannot lock on the stream: nothing arrives. */
		stat_add(b, &b->stats.lane_mismatch);
		return;
	}
	stat_add(b, &b->stats.frames_received);

	/* Frame start: latch the buffer and the packet filter. */
	rx.start = uc_read(b, UC_IBSA0);
	rx.end = uc_read(b, UC_IBEA0);
	rx.stride = uc_read(b, UC_IBLS) & 0xffff;
	rx.ictl = uc_read(b, UC_ICTL);
	rx.cmp0 = uc_read(b, UC_CMP0);
	ipipe = uc_read(b, UC_IPIPE);
	rx.unpack16 = FIELD_GET(UC_IPIPE_PUM_MASK, ipipe) == UC_PUM_UNPACK10 &&
		      FIELD_GET(UC_IPIPE_PPM_MASK, ipipe) == UC_PPM_PACK16;
	if (rx.end < rx.start)
		rx.end = rx.start;
	/* Image pointers loaded: LIP is a command, it reads back as 0. */
	if (rx.ictl & UC_ICTL_LIP_MASK) {
		u32 ictl = uc_read(b, UC_ICTL);

		uc_write(b, UC_ICTL, ictl & ~UC_ICTL_LIP_MASK);
	}
	uc_write(b, UC_IBWP, rx.start);

	data = cfg->bpp && rx_accepts(b, cfg->vc, cfg->dt);
	if (!data)
		stat_add(b, &b->stats.frames_no_data);

	raise_irq(b, rx.ictl & UC_ICTL_FSIE ? UC_STA_IS : 0,
		  rx.ictl & UC_ICTL_FSIE ? UC_ISTA_FSI : 0);

	if (data && rx.end > rx.start) {
		memset(&key, 0, sizeof(key));
		key.width = cfg->width;
		key.height = cfg->height;
		key.bpp = cfg->bpp;
		key.unpack16 = cfg->bpp == 10 && rx.unpack16;
		key.hflip = cfg->hflip;
		key.vflip = cfg->vflip;
		key.pattern = cfg->pattern;
		memcpy(key.colour, cfg->colour, sizeof(key.colour));
		key.tp_x = cfg->tp_x;
		key.tp_y = cfg->tp_y;
		key.tp_w = cfg->tp_w;
		key.tp_h = cfg->tp_h;
		if (cfg->pattern == 0) {
			key.exposure = cfg->exposure;
			key.again = cfg->again;
			key.dgain = cfg->dgain;
		}

		if (region_intersects(rx.start, rx.end - rx.start,
				      IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
		    REGION_INTERSECTS) {
			stat_add(b, &b->stats.bad_dma);
		} else if (!pattern_build(b, &key)) {
			va = memremap(rx.start, rx.end - rx.start, MEMREMAP_WB);
		}
	}

	if (va) {
		u64 c0 = ktime_get_ns(), dt;

		complete = write_lines(b, &rx, va, &lines_done);
		dt = ktime_get_ns() - c0;
		memunmap(va);
		mutex_lock(&b->stats_lock);
		b->stats.copy_ns_last = dt;
		b->stats.copy_ns_total += dt;
		if (dt > b->stats.copy_ns_max)
			b->stats.copy_ns_max = dt;
		if (!b->stats.copy_ns_min || dt < b->stats.copy_ns_min)
			b->stats.copy_ns_min = dt;
		mutex_unlock(&b->stats_lock);
		if (!complete) {
			stat_add(b, &b->stats.frames_aborted);
			return;
		}
	}

	/*
	 * Line count interrupts, every LCIE lines written (the C driver calls the
	 * value the line interrupt frequency), while that is within the frame.
	 */
	lci = FIELD_GET(UC_ICTL_LCIE_MASK, rx.ictl);
	for (line = lci; lci && line < cfg->height; line += lci) {
		if (!sleep_until(b, ktime_add_ns(t0, lines_ns(cfg, line))) ||
		    !rx_running(b))
			goto aborted;
		uc_write(b, UC_IBWP, rx.start + min_t(u64, (u64)line * rx.stride,
						      rx.end - rx.start));
		raise_irq(b, UC_STA_IS, UC_ISTA_LCI);
	}

	/* Frame end, after the last line. */
	if (!sleep_until(b, ktime_add_ns(t0, lines_ns(cfg, cfg->height))) ||
	    !rx_running(b))
		goto aborted;
	uc_write(b, UC_IBWP, rx.start + min_t(u64, (u64)cfg->height * rx.stride,
					      rx.end - rx.start));
	sta = 0;
	if (rx.ictl & UC_ICTL_FEIE)
		sta |= UC_STA_IS;
	/* Packet compare 0 on the frame end short packet (DT 1) of our VC. */
	if ((rx.cmp0 & UC_CMP_PCE) && (rx.cmp0 & UC_CMP_GI) &&
	    (rx.cmp0 & 0x3f) == 1 && ((rx.cmp0 >> 6) & 3) == cfg->vc)
		sta |= UC_STA_PI0;
	raise_irq(b, sta, rx.ictl & UC_ICTL_FEIE ? UC_ISTA_FEI : 0);
	if (va && lines_done == cfg->height)
		stat_add(b, &b->stats.frames_written);
	return;

aborted:
	stat_add(b, &b->stats.frames_aborted);
}

/* Read without the lock: a wait condition must not sleep. */
static bool sensor_streaming(struct rpi_camera_board *b)
{
	return READ_ONCE(b->streaming);
}

static int unicam_model_thread(void *data)
{
	struct rpi_camera_board *b = data;
	struct imx219_frame_cfg cfg;
	ktime_t next;
	u64 frame_ns, late;

	sched_set_fifo(current);

	while (!kthread_should_stop()) {
		wait_event_interruptible(b->wq, kthread_should_stop() ||
					 sensor_streaming(b));
		if (kthread_should_stop())
			break;

		/* The sensor streams: its first frame starts now. */
		next = ktime_get();
		while (sleep_until(b, next)) {
			if (!imx219_model_snapshot(b, &cfg))
				break;

			if (!cfg.pixel_rate || !cfg.llp || !cfg.fll ||
			    !cfg.width || !cfg.height || !cfg.lanes ||
			    cfg.fll < DIV_ROUND_UP(cfg.height, cfg.lines_per_period)) {
				/* Nothing sensible to send: look again in 10 ms. */
				stat_add(b, &b->stats.bad_timing);
				next = ktime_add_ms(ktime_get(), 10);
				continue;
			}
			/* FRM_LENGTH_A line periods. */
			frame_ns = mul_u64_u64_div_u64((u64)cfg.fll * cfg.llp, NSEC_PER_SEC,
						       cfg.pixel_rate);

			late = ktime_to_ns(ktime_sub(ktime_get(), next));
			mutex_lock(&b->stats_lock);
			b->stats.sensor_frames++;
			if (late > b->stats.late_ns_max)
				b->stats.late_ns_max = late;
			mutex_unlock(&b->stats_lock);

			run_frame(b, &cfg, next);
			imx219_model_frame_done(b);

			/* Keep the sensor's own timeline; skip frames the model missed. */
			next = ktime_add_ns(next, frame_ns);
			while (ktime_compare(ktime_get(), ktime_add_ns(next, frame_ns / 2)) > 0) {
				next = ktime_add_ns(next, frame_ns);
				stat_add(b, &b->stats.frames_late);
			}
		}
	}
	return 0;
}

int unicam_model_start(struct rpi_camera_board *b, unsigned int cpu)
{
	init_waitqueue_head(&b->wq);
	b->cpu = cpu;
	b->thread = kthread_create(unicam_model_thread, b, "rpi-camera-board");
	if (IS_ERR(b->thread))
		return PTR_ERR(b->thread);
	kthread_bind(b->thread, cpu);
	wake_up_process(b->thread);
	return 0;
}

void unicam_model_stop(struct rpi_camera_board *b)
{
	kthread_stop(b->thread);
}
