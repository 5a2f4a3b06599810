#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of the H.264 encoding core (drivers/media/h264): its cargo
# tests (self tests, and the ffmpeg round trips that decode every stream and
# compare it with the encoder's reconstruction bit for bit), as KTAP.
# Needs cargo and ffmpeg.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
exec "$TOP/scripts/cargo-ktap.sh" h264 "$TOP/drivers/media/h264"
