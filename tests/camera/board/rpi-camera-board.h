/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Addresses and names shared by the emulated Raspberry Pi camera board's
 * devicetree overlay (rpi-camera-board.dtsi) and its C model.
 *
 * The guest must be booted with memmap=64K$0x70000000: that RAM window is
 * reserved (Linux leaves it alone), Unicam's two register blocks sit in it at
 * the same offsets as on a BCM2711 (csi1 at 0x7e801000, its clock gate at
 * 0x7e802004), and the model reads and writes them there.
 */
#ifndef RPI_CAMERA_BOARD_H
#define RPI_CAMERA_BOARD_H

#define RPI_CAM_WINDOW_BASE	0x70000000
#define RPI_CAM_WINDOW_SIZE	0x10000
#define RPI_CAM_UNICAM_OFFSET	0x1000
#define RPI_CAM_UNICAM_SIZE	0x800
#define RPI_CAM_CMI_OFFSET	0x2004
#define RPI_CAM_CMI_SIZE	0x4

/* Unicam's interrupt: line 0 of the board's irq_sim domain. */
#define RPI_CAM_UNICAM_HWIRQ	0

/* The sensor's XCLR (reset) line: line 0 of this gpio-sim bank. */
#define RPI_CAM_GPIO_LABEL	"rpi-camera-gpio"
#define RPI_CAM_GPIO_XCLR	0

/* The sensor's 24 MHz external clock (INCK). */
#define RPI_CAM_XCLK_HZ		24000000

#endif
