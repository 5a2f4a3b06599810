/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated Raspberry Pi camera board: shared state of its models.
 * See Documentation/media/emulated-board.rst.
 */
#ifndef RPI_CAMERA_BOARD_BOARD_H
#define RPI_CAMERA_BOARD_BOARD_H

#include <linux/i2c.h>
#include <linux/irqdomain.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "rpi-camera-board.h"

#define IMX219_I2C_ADDR		0x10
#define IMX219_NUM_REGS		0x10000

/* What the sensor sends during one frame, latched at its frame start. */
struct imx219_frame_cfg {
	u32 width, height;		/* x/y_output_size */
	u32 x_start, x_end, y_start, y_end;
	u8 bin_h, bin_v;
	u8 bpp;				/* 8 or 10; 0: unsupported format */
	u8 dt, vc;			/* CSI-2 data type and virtual channel */
	u8 lanes;			/* 2 or 4; 0: invalid lane mode */
	bool hflip, vflip;
	u16 pattern;
	u16 colour[4];			/* R, Gr, B, Gb (10 bits) */
	u16 tp_x, tp_y, tp_w, tp_h;
	u16 exposure;
	u8 again;
	u16 dgain;
	u32 llp, fll;
	u64 pixel_rate;			/* pixels per second, from the PLL */
	u32 lines_per_period;		/* 2 in analogue binning, else 1 */
};

/* Everything that decides the bytes of a frame; the frame cache's key. */
struct frame_key {
	u32 width, height;
	u8 bpp;
	bool unpack16;
	bool hflip, vflip;
	u16 pattern;
	u16 colour[4];
	u16 tp_x, tp_y, tp_w, tp_h;
	u16 exposure;
	u8 again;
	u16 dgain;
};

struct board_stats {
	u64 sensor_frames;		/* frames the sensor sent */
	u64 frames_received;		/* of those, frames Unicam captured */
	u64 frames_written;		/* ... and wrote completely to memory */
	u64 frames_aborted;		/* receiver stopped in the middle */
	u64 frames_late;		/* sensor frames skipped: model woke too late */
	u64 frames_no_data;		/* data type not accepted by Unicam */
	u64 lane_mismatch;		/* receiver and sensor lane counts differ */
	u64 bad_timing;			/* sensor timing registers unusable */
	u64 bad_dma;			/* buffer address outside RAM */
	u64 irqs;			/* interrupts raised */
	u64 irq_timeouts;		/* handler did not run within 100 ms */
	u64 i2c_xfers, i2c_nacks;
	u64 copy_ns_last, copy_ns_min, copy_ns_max, copy_ns_total;
	u64 gen_ns_last;		/* building the cached frame */
	u64 late_ns_max;		/* worst lateness of a frame start */
};

struct rpi_camera_board {
	/* Sensor model (imx219_model.c). */
	struct mutex sensor_lock;	/* regs, ptr, streaming, powered */
	u8 *regs;			/* IMX219_NUM_REGS bytes */
	u16 ptr;			/* CCI address pointer */
	bool powered;
	bool streaming;
	struct i2c_adapter *adap;

	/* Interrupt controller (board.c). */
	struct mutex intc_lock;		/* domain */
	struct irq_domain *domain;

	/* Unicam model (unicam_model.c). */
	void __iomem *window;		/* the whole reserved window */
	void __iomem *unicam;
	void __iomem *cmi;
	struct task_struct *thread;
	unsigned int cpu;		/* the thread's (bound) */
	wait_queue_head_t wq;

	/* Frame cache (pattern.c). */
	struct frame_key key;
	bool key_valid;
	u8 *frame;			/* vmalloc'ed, line_bytes * lines */
	size_t frame_size;
	u32 line_bytes, lines;

	struct mutex stats_lock;
	struct board_stats stats;
};

/* imx219_model.c */
int imx219_model_init(struct rpi_camera_board *b);
void imx219_model_free(struct rpi_camera_board *b);
extern const struct i2c_algorithm imx219_model_algo;
bool imx219_model_snapshot(struct rpi_camera_board *b,
			   struct imx219_frame_cfg *cfg);
void imx219_model_frame_done(struct rpi_camera_board *b);
void imx219_model_dump(struct rpi_camera_board *b, struct seq_file *s);

/* unicam_model.c */
int unicam_model_start(struct rpi_camera_board *b, unsigned int cpu);
void unicam_model_stop(struct rpi_camera_board *b);

/* pattern.c */
int pattern_build(struct rpi_camera_board *b, const struct frame_key *key);
void pattern_free(struct rpi_camera_board *b);

#endif
