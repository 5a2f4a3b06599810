#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of the stateless encoder's codec layer
# (drivers/media/platform/slenc/codec): self tests, the uAPI layout against
# the C compiler, and the virtual engine's streams decoded by ffmpeg bit for
# bit against the reconstruction, in the four input layouts, with rate
# control accuracy at 720p (CBR within 5 %, VBR under its peak), as KTAP.
# Needs cargo, cc and ffmpeg.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
exec "$TOP/scripts/cargo-ktap.sh" slenc "$TOP/drivers/media/platform/slenc/codec"
