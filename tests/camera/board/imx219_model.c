// SPDX-License-Identifier: GPL-2.0
/*
 * The Sony IMX219 model of the emulated camera board: the register file the
 * sensor shows on its CCI (I2C) interface, and the configuration a frame is
 * sent with. Registers and values follow the IMX219PQH5-C datasheet; see
 * Documentation/media/emulated-board.rst for what is modelled and where the
 * datasheet is silent.
 */

#include <linux/gpio/consumer.h>
#include <linux/gpio/driver.h>
#include <linux/i2c.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "board.h"

/* Registers the model gives a meaning to (datasheet names in comments). */
#define R_MODEL_ID		0x0000	/* 16 bits, read only: 0x0219 */
#define R_FRM_CNT		0x0018	/* frame counter, read only */
#define R_PX_ORDER		0x0019	/* read only */
#define R_MODE_SELECT		0x0100	/* bit 0: streaming */
#define R_SW_RESET		0x0103	/* bit 0: software reset */
#define R_CSI_CH_ID		0x0110	/* bits 1:0: virtual channel */
#define R_CSI_LANE_MODE		0x0114	/* 1: 2 lanes, 3: 4 lanes */
#define R_EXCK_FREQ		0x012a	/* 16 bits, MHz * 256 */
#define R_ANA_GAIN		0x0157
#define R_DIG_GAIN		0x0158	/* 12 bits, 0x100 = 1.0 */
#define R_COARSE_INT		0x015a	/* 16 bits, lines */
#define R_FRM_LENGTH		0x0160	/* 16 bits, lines */
#define R_LINE_LENGTH		0x0162	/* 16 bits, pixel clocks */
#define R_X_ADD_STA		0x0164
#define R_X_ADD_END		0x0166
#define R_Y_ADD_STA		0x0168
#define R_Y_ADD_END		0x016a
#define R_X_OUTPUT_SIZE		0x016c
#define R_Y_OUTPUT_SIZE		0x016e
#define R_IMG_ORIENTATION	0x0172	/* bit 0: h flip, bit 1: v flip */
#define R_BINNING_H		0x0174
#define R_BINNING_V		0x0175
#define R_CSI_DATA_FORMAT	0x018c	/* 16 bits: 0x0a0a RAW10, 0x0808 RAW8 */
#define R_VTPXCK_DIV		0x0301
#define R_PREPLLCK_VT_DIV	0x0304
#define R_PLL_VT_MPY		0x0306	/* 16 bits */
#define R_TEST_PATTERN		0x0600	/* 16 bits */
#define R_TP_RED		0x0602	/* 16 bits each: R, Gr, B, Gb */
#define R_TP_X_OFFSET		0x0620
#define R_TP_Y_OFFSET		0x0622
#define R_TP_WIDTH		0x0624
#define R_TP_HEIGHT		0x0626

/* Defaults the datasheet gives (others reset to 0). */
static const struct {
	u16 reg;
	u8 val;
} imx219_defaults[] = {
	{ 0x0000, 0x02 }, { 0x0001, 0x19 },	/* model id */
	{ R_FRM_CNT, 0xff },
	{ R_PX_ORDER, 0x01 },
	{ R_CSI_LANE_MODE, 0x03 },
	{ 0x0158, 0x01 }, { 0x0159, 0x00 },	/* digital gain 1.0 */
	{ 0x015a, 0x03 }, { 0x015b, 0xe8 },	/* coarse integration 1000 */
	{ 0x018c, 0x0a }, { 0x018d, 0x0a },	/* RAW10 */
	/* Parameter limit registers. */
	{ 0x1004, 0x00 }, { 0x1005, 0x01 },	/* coarse_integration_time_min */
	{ 0x1006, 0x00 }, { 0x1007, 0x04 },	/* ..._max_margin */
	{ 0x1140, 0x01 }, { 0x1141, 0x00 },	/* min_frame_length_lines */
	{ 0x1142, 0xff }, { 0x1143, 0xfe },	/* max_frame_length_lines */
	{ 0x1144, 0x0d }, { 0x1145, 0x78 },	/* min_line_length_pck */
};

static bool imx219_reg_read_only(u16 reg)
{
	/* Status registers and parameter limit registers. */
	return reg <= 0x001b || (reg >= 0x1000 && reg <= 0x1fff);
}

static void imx219_reset_regs(struct rpi_camera_board *b)
{
	unsigned int i;

	memset(b->regs, 0, IMX219_NUM_REGS);
	for (i = 0; i < ARRAY_SIZE(imx219_defaults); i++)
		b->regs[imx219_defaults[i].reg] = imx219_defaults[i].val;
	WRITE_ONCE(b->streaming, false);
	b->ptr = 0;
}

static u16 reg16(struct rpi_camera_board *b, u16 reg)
{
	return (b->regs[reg] << 8) | b->regs[(u16)(reg + 1)];
}

/*
 * XCLR, the sensor's reset input, is the board's gpio-sim line 0 (the C
 * driver's "reset" GPIO). While it is low the sensor is in hardware standby:
 * it does not answer on I2C and its registers return to their defaults. The
 * line is read whenever the sensor is accessed and at every frame start.
 * Without the gpio-sim bank (not bound yet) the sensor counts as powered.
 */
static void imx219_update_power(struct rpi_camera_board *b)
{
	struct gpio_device *gdev;
	bool powered = true;
	int val;

	lockdep_assert_held(&b->sensor_lock);

	gdev = gpio_device_find_by_label(RPI_CAM_GPIO_LABEL);
	if (gdev) {
		val = gpiod_get_raw_value_cansleep(gpio_device_get_desc(gdev, RPI_CAM_GPIO_XCLR));
		if (val >= 0)
			powered = val;
		gpio_device_put(gdev);
	}

	if (!powered && b->powered)
		imx219_reset_regs(b);
	b->powered = powered;
}

static void imx219_reg_write(struct rpi_camera_board *b, u16 reg, u8 val)
{
	if (imx219_reg_read_only(reg))
		return;

	switch (reg) {
	case R_SW_RESET:
		if (val & 1)
			imx219_reset_regs(b);
		return;
	case R_MODE_SELECT:
		b->regs[reg] = val & 1;
		if (b->streaming != (val & 1)) {
			WRITE_ONCE(b->streaming, val & 1);
			wake_up(&b->wq);
		}
		return;
	}
	b->regs[reg] = val;
}

static int imx219_model_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs,
			     int num)
{
	struct rpi_camera_board *b = i2c_get_adapdata(adap);
	int i, j, ret = num;

	mutex_lock(&b->sensor_lock);
	b->stats.i2c_xfers++;
	imx219_update_power(b);

	for (i = 0; i < num; i++) {
		struct i2c_msg *m = &msgs[i];

		/* Only the sensor is on this bus; it ignores its address while in reset. */
		if (m->addr != IMX219_I2C_ADDR || (m->flags & I2C_M_TEN) ||
		    !b->powered) {
			b->stats.i2c_nacks++;
			ret = -ENXIO;
			break;
		}

		if (m->flags & I2C_M_RD) {
			/* CCI read: from the address pointer, auto-incrementing. */
			for (j = 0; j < m->len; j++)
				m->buf[j] = b->regs[b->ptr++];
			continue;
		}

		/* CCI write: 16-bit address (MSB first), then data, auto-incrementing. */
		if (m->len == 1) {
			ret = -EIO;
			break;
		}
		if (m->len >= 2)
			b->ptr = (m->buf[0] << 8) | m->buf[1];
		for (j = 2; j < m->len; j++)
			imx219_reg_write(b, b->ptr++, m->buf[j]);
	}

	mutex_unlock(&b->sensor_lock);
	return ret;
}

static u32 imx219_model_func(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
}

const struct i2c_algorithm imx219_model_algo = {
	.xfer = imx219_model_xfer,
	.functionality = imx219_model_func,
};

/*
 * Pixel rate from the video timing PLL: INCK / PREPLLCK_VT_DIV * PLL_VT_MPY
 * gives the PLL output, VTPXCK_DIV divides it into the pixel clock, and the
 * sensor reads two pixels per pixel clock. With the C driver's values (24 MHz,
 * 3, 57, 5) that is 182.4 Mpixel/s, the rate it reports for 2 lanes (88 for 4
 * lanes: 281.6 Mpixel/s).
 */
static u64 imx219_pixel_rate(struct rpi_camera_board *b)
{
	u32 prediv = b->regs[R_PREPLLCK_VT_DIV];
	u32 mpy = reg16(b, R_PLL_VT_MPY) & 0x7ff;
	u32 pxdiv = b->regs[R_VTPXCK_DIV] & 0x1f;

	if (!prediv || !mpy || !pxdiv)
		return 0;
	return div_u64(2ULL * RPI_CAM_XCLK_HZ * mpy, prediv * pxdiv);
}

/*
 * Latches what the sensor sends in the frame starting now (frame bank A
 * registers take effect at frame start). Returns false when the sensor does
 * not stream (software or hardware standby).
 */
bool imx219_model_snapshot(struct rpi_camera_board *b,
			   struct imx219_frame_cfg *cfg)
{
	u16 fmt, lane_mode;
	unsigned int i;

	mutex_lock(&b->sensor_lock);
	imx219_update_power(b);
	if (!b->powered || !b->streaming) {
		mutex_unlock(&b->sensor_lock);
		return false;
	}

	memset(cfg, 0, sizeof(*cfg));
	cfg->width = reg16(b, R_X_OUTPUT_SIZE) & 0x1fff;
	cfg->height = reg16(b, R_Y_OUTPUT_SIZE) & 0x1fff;
	cfg->x_start = reg16(b, R_X_ADD_STA) & 0x1fff;
	cfg->x_end = reg16(b, R_X_ADD_END) & 0x1fff;
	cfg->y_start = reg16(b, R_Y_ADD_STA) & 0x1fff;
	cfg->y_end = reg16(b, R_Y_ADD_END) & 0x1fff;
	cfg->bin_h = b->regs[R_BINNING_H] & 3;
	cfg->bin_v = b->regs[R_BINNING_V] & 3;

	fmt = reg16(b, R_CSI_DATA_FORMAT);
	if (fmt == 0x0a0a) {
		cfg->bpp = 10;
		cfg->dt = 0x2b;		/* CSI-2 RAW10 */
	} else if (fmt == 0x0808) {
		cfg->bpp = 8;
		cfg->dt = 0x2a;		/* CSI-2 RAW8 */
	}
	cfg->vc = b->regs[R_CSI_CH_ID] & 3;

	lane_mode = b->regs[R_CSI_LANE_MODE] & 3;
	cfg->lanes = lane_mode == 1 ? 2 : lane_mode == 3 ? 4 : 0;

	cfg->hflip = b->regs[R_IMG_ORIENTATION] & 1;
	cfg->vflip = b->regs[R_IMG_ORIENTATION] & 2;

	cfg->pattern = reg16(b, R_TEST_PATTERN) & 0x1ff;
	for (i = 0; i < 4; i++)
		cfg->colour[i] = reg16(b, R_TP_RED + 2 * i) & 0x3ff;
	cfg->tp_x = reg16(b, R_TP_X_OFFSET) & 0x1fff;
	cfg->tp_y = reg16(b, R_TP_Y_OFFSET) & 0x1fff;
	cfg->tp_w = reg16(b, R_TP_WIDTH) & 0x1fff;
	cfg->tp_h = reg16(b, R_TP_HEIGHT) & 0x1fff;

	cfg->exposure = reg16(b, R_COARSE_INT);
	cfg->again = b->regs[R_ANA_GAIN];
	cfg->dgain = reg16(b, R_DIG_GAIN) & 0xfff;

	cfg->llp = reg16(b, R_LINE_LENGTH);
	cfg->fll = reg16(b, R_FRM_LENGTH);
	/* The datasheet: the frame grows when the exposure does not fit in it. */
	if (cfg->exposure + 4 > cfg->fll)
		cfg->fll = cfg->exposure + 4;
	cfg->pixel_rate = imx219_pixel_rate(b);
	/* Analogue (special) 2x2 binning reads two lines per line period. */
	cfg->lines_per_period = cfg->bin_h == 3 && cfg->bin_v == 3 ? 2 : 1;

	mutex_unlock(&b->sensor_lock);
	return true;
}

/* Frame end: the frame counter counts frames sent since streaming started. */
void imx219_model_frame_done(struct rpi_camera_board *b)
{
	mutex_lock(&b->sensor_lock);
	b->regs[R_FRM_CNT]++;
	mutex_unlock(&b->sensor_lock);
}

void imx219_model_dump(struct rpi_camera_board *b, struct seq_file *s)
{
	unsigned int reg, i;

	mutex_lock(&b->sensor_lock);
	seq_printf(s, "powered %d streaming %d\n", b->powered, b->streaming);
	/* Registers 0x0000-0x06ff, the configuration space the drivers use. */
	for (reg = 0; reg < 0x0700; reg += 16) {
		bool any = false;

		for (i = 0; i < 16; i++)
			any |= b->regs[reg + i];
		if (!any)
			continue;
		seq_printf(s, "%04x:", reg);
		for (i = 0; i < 16; i++)
			seq_printf(s, " %02x", b->regs[reg + i]);
		seq_putc(s, '\n');
	}
	mutex_unlock(&b->sensor_lock);
}

int imx219_model_init(struct rpi_camera_board *b)
{
	b->regs = vzalloc(IMX219_NUM_REGS);
	if (!b->regs)
		return -ENOMEM;
	mutex_init(&b->sensor_lock);
	imx219_reset_regs(b);
	b->powered = false;
	return 0;
}

void imx219_model_free(struct rpi_camera_board *b)
{
	vfree(b->regs);
	mutex_destroy(&b->sensor_lock);
}
