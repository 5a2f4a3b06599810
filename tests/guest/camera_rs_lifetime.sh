#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Lifetime cases of our IMX219 driver on the emulated camera board, with
# our Unicam (tests/camera/imx219_lifetime.sh): a sub-device node open
# across the sensor's unbind, rebind cycles, unloading and reloading.
here=$(cd "$(dirname "$0")" && pwd)
b=$here/../../build/x86_64/drivers/media
exec bash "$here/../camera/imx219_lifetime.sh" "$b/i2c/imx219_rs.ko" "$b/platform/broadcom/bcm2835_unicam_rs.ko"
