# SPDX-License-Identifier: GPL-2.0
# Common settings for every script under scripts/: versions, cache layout,
# progress and failure helpers. Source it; do not run it.

# Pinned versions. Change them here only.
KERNEL_DEB_VERSION=${KERNEL_DEB_VERSION:-7.2.13-1}   # Debian linux-source-7.2
KERNEL_SERIES=7.2
BINDGEN_VERSION=0.72.1
VIRTME_NG_VERSION=1.42
# v4l-utils that knows the media API of Linux 7.2 (streams, routing, client
# capabilities): taken from this later Debian suite (see scripts/bootstrap.sh).
V4L_UTILS_VERSION=${V4L_UTILS_VERSION:-1.32.0-5}
V4L_UTILS_SUITE=${V4L_UTILS_SUITE:-sid}
LLVM_SUFFIX=-19

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything downloaded or built lives outside the clone, keyed by version.
CACHE_DIR=${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iio-media-rs}
TOOLS_DIR=$CACHE_DIR/tools
SRC_DIR=$CACHE_DIR/src
export PATH="$TOOLS_DIR/bin:$TOOLS_DIR/venv/bin:$PATH"

# Kernel command line of the x86_64 test guests (virtme-ng, TCG), for vng:
# - the register window of the emulated camera board (tests/camera/board);
# - the root file system (the host's, over 9p) cached in the guest: without
#   it every program start reads its binary and libraries over 9p again
#   (a boot took 10 minutes, udev's coldplug most of it, and the camera
#   suite minutes per case); a later rootflags= wins over virtme-ng's, whose
#   options these repeat. The guest does not see host files change after it
#   read them: nothing it uses changes during a boot;
# - the TSC trusted: under TCG it follows the host's clock on every vCPU,
#   and the clocksource watchdog, misled by a loaded host, would switch
#   timekeeping to the emulated HPET, much slower to read.
VNG_APPEND=(--append 'memmap=64K$0x70000000'
	--append 'rootflags=version=9p2000.L,trans=virtio,access=any,msize=524288,cache=loose'
	--append 'tsc=reliable')

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# rustc's version, e.g. 1.95.0.
rustc_version() { rustc --version | awk '{print $2}'; }

# Source tree of the pinned kernel (created by scripts/bootstrap.sh).
kernel_src() {
	local v=${KERNEL_DEB_VERSION%%-*}
	echo "$SRC_DIR/linux-$v"
}

# Library source matching rustc (created by scripts/bootstrap.sh).
rust_lib_src() { echo "$SRC_DIR/rust-src-$(rustc_version)/usr/lib/rustlib/src/rust/library"; }

# Run as root, or through sudo when we are not.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
