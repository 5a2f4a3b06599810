// SPDX-License-Identifier: GPL-2.0
/*
 * The frames the IMX219 model sends: the sensor's test patterns, or with no
 * pattern a flat grey scene whose level follows exposure and gains, laid out
 * in the bytes Unicam writes to memory (CSI-2 RAW8, CSI-2 RAW10 packed, or
 * RAW10 unpacked to 16 bits). One frame is built per configuration and
 * copied for every frame sent, so that building costs nothing per frame.
 *
 * The definitions are in Documentation/media/emulated-board.rst, section
 * "Frames"; tests/camera/framecheck.py computes the same frames on its own.
 */

#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "board.h"

#define TP_NONE		0
#define TP_SOLID	1
#define TP_BARS		2
#define TP_GREY_BARS	3
#define TP_PN9		4

#define BLACK_LEVEL	64	/* RAW10; RAW8: 16 (datasheet 5-6) */

enum cfa { CFA_R, CFA_GR, CFA_B, CFA_GB };

/* The colour filter at pattern position (x, y): R Gr / Gb B. */
static enum cfa cfa_at(u32 x, u32 y)
{
	if (y & 1)
		return x & 1 ? CFA_B : CFA_GB;
	return x & 1 ? CFA_GR : CFA_R;
}

/* Colour bars, left to right: white, yellow, cyan, green, magenta, red, blue, black. */
static const u8 bar_rgb[8] = {
	/* bit 2: red, bit 1: green, bit 0: blue */
	0x7, 0x6, 0x3, 0x2, 0x5, 0x4, 0x1, 0x0,
};

static bool bar_channel_on(u32 bar, enum cfa c)
{
	u8 rgb = bar_rgb[bar & 7];

	switch (c) {
	case CFA_R:
		return rgb & 4;
	case CFA_B:
		return rgb & 1;
	default:
		return rgb & 2;
	}
}

struct pn9 {
	u16 state;
};

/* PN9: x^9 + x^5 + 1, seed 0x1ff; a pixel is the next 10 bits, MSB first. */
static u16 pn9_next10(struct pn9 *p)
{
	u16 v = 0;
	int i;

	for (i = 0; i < 10; i++) {
		u16 out = (p->state >> 8) & 1;
		u16 fb = ((p->state >> 8) ^ (p->state >> 4)) & 1;

		p->state = ((p->state << 1) | fb) & 0x1ff;
		v = (v << 1) | out;
	}
	return v;
}

/* The 10-bit values of pattern row y, in sensor order (before flips). */
static void pattern_row(const struct frame_key *k, u32 y, u16 *row,
			struct pn9 *pn9)
{
	u32 x, bw = max_t(u32, k->tp_w / 8, 1);
	u32 flat;

	if (k->pattern == TP_NONE) {
		flat = BLACK_LEVEL + (u32)k->exposure * k->dgain /
				     (8 * (256 - k->again));
		flat = min_t(u32, flat, 1023);
		for (x = 0; x < k->width; x++)
			row[x] = flat;
		return;
	}

	for (x = 0; x < k->width; x++) {
		u32 u = x - k->tp_x, v = y - k->tp_y;
		enum cfa c = cfa_at(x, y);
		u16 val = 0;

		/* Outside the test pattern window: 0. */
		if (x < k->tp_x || u >= k->tp_w || y < k->tp_y || v >= k->tp_h) {
			row[x] = 0;
			continue;
		}

		switch (k->pattern) {
		case TP_SOLID:
			val = k->colour[c];
			break;
		case TP_BARS:
			val = bar_channel_on(u / bw, c) ? 1023 : 0;
			break;
		case TP_GREY_BARS: {
			/* Right half of each bar: 16-line steps. */
			u32 vv = (u % bw) >= bw / 2 && bw > 1 ? v & ~15U : v;

			if (bar_channel_on(u / bw, c))
				val = 1023 - 511 * vv / k->tp_h;
			else
				val = 512 * vv / k->tp_h;
			break;
		}
		case TP_PN9:
			val = pn9_next10(pn9);
			break;
		default:
			/* Reserved modes: the model sends black. */
			val = 0;
			break;
		}
		row[x] = val;
	}
}

static void pack_row(const struct frame_key *k, const u16 *row, u8 *out)
{
	u32 x, w = k->width;

	if (k->bpp == 8) {
		for (x = 0; x < w; x++)
			out[x] = row[k->hflip ? w - 1 - x : x] >> 2;
		return;
	}

	if (k->unpack16) {
		for (x = 0; x < w; x++) {
			u16 v = row[k->hflip ? w - 1 - x : x];

			out[2 * x] = v & 0xff;
			out[2 * x + 1] = v >> 8;
		}
		return;
	}

	/* CSI-2 RAW10: 4 pixels in 5 bytes, the 2 LSBs of each in the fifth. */
	for (x = 0; x < w; x += 4) {
		u8 *o = out + x / 4 * 5;
		u8 low = 0;
		u32 i;

		for (i = 0; i < 4; i++) {
			u16 v = x + i < w ? row[k->hflip ? w - 1 - (x + i) : x + i] : 0;

			o[i] = v >> 2;
			low |= (v & 3) << (2 * i);
		}
		o[4] = low;
	}
}

static u32 line_bytes(const struct frame_key *k)
{
	if (k->bpp == 8)
		return k->width;
	if (k->unpack16)
		return k->width * 2;
	return DIV_ROUND_UP(k->width, 4) * 5;
}

/* Builds the frame for @key into b->frame, unless it is already there. */
int pattern_build(struct rpi_camera_board *b, const struct frame_key *key)
{
	struct pn9 pn9 = { .state = 0x1ff };
	u32 lb, y, out_y;
	size_t size;
	u16 *row;
	u64 t0;

	if (b->key_valid && !memcmp(&b->key, key, sizeof(*key)))
		return 0;

	t0 = ktime_get_ns();
	b->key_valid = false;
	lb = line_bytes(key);
	size = (size_t)lb * key->height;
	if (size > b->frame_size) {
		vfree(b->frame);
		b->frame_size = 0;
		b->frame = vmalloc(size);
		if (!b->frame)
			return -ENOMEM;
		b->frame_size = size;
	}

	row = kmalloc_array(key->width, sizeof(*row), GFP_KERNEL);
	if (!row)
		return -ENOMEM;

	for (y = 0; y < key->height; y++) {
		pattern_row(key, y, row, &pn9);
		out_y = key->vflip ? key->height - 1 - y : y;
		pack_row(key, row, b->frame + (size_t)out_y * lb);
		cond_resched();
	}
	kfree(row);

	b->line_bytes = lb;
	b->lines = key->height;
	b->key = *key;
	b->key_valid = true;

	mutex_lock(&b->stats_lock);
	b->stats.gen_ns_last = ktime_get_ns() - t0;
	mutex_unlock(&b->stats_lock);
	return 0;
}

void pattern_free(struct rpi_camera_board *b)
{
	vfree(b->frame);
	b->frame = NULL;
	b->frame_size = 0;
	b->key_valid = false;
}
