#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds a test kernel from the pinned Linux source and our config fragments,
# out of the source tree, cached by (kernel version, fragments, toolchain).
#
#   scripts/build-kernel.sh x86_64|x86_64-debug|arm
#
# Prints the build directory on stdout. Only one kernel build runs at a time
# on the machine (a lock in the cache), because each one uses every core.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:?usage: build-kernel.sh x86_64|x86_64-debug|arm}
case $flavour in
x86_64) arch=x86_64 fragments=(x86_64.config) targets=(bzImage modules) ;;
x86_64-debug) arch=x86_64 fragments=(x86_64.config x86_64-debug.config) targets=(bzImage modules) ;;
arm) arch=arm fragments=(arm.config) targets=(zImage modules nuvoton/nuvoton-npcm750-evb.dtb) ;;
*) die "unknown kernel flavour '$flavour' (x86_64, x86_64-debug or arm)" ;;
esac

src=$(kernel_src)
[ -f "$src/Makefile" ] || die "no kernel source at $src: run scripts/bootstrap.sh"
libsrc=$(rust_lib_src)
[ -d "$libsrc" ] || die "no Rust library source at $libsrc: run scripts/bootstrap.sh"

cfgdir=$TOP/scripts/configs
key=$( {
	echo "$KERNEL_DEB_VERSION $flavour"
	for f in "${fragments[@]}"; do cat "$cfgdir/$f"; done
	rustc --version; "clang$LLVM_SUFFIX" --version | head -n1; bindgen --version
} | sha256sum | cut -c1-12)
# The build directory is a direct subdirectory of the source tree: the kernel
# then names every source file relative to it (srctree is ".."), so a copy of
# source and build directory together (scripts/graft.sh) rebuilds only what
# differs.
out=$src/kbuild-$flavour-$key

kmake() {
	make -C "$src" O="$out" ARCH="$arch" LLVM="$LLVM_SUFFIX" \
		RUST_LIB_SRC="$libsrc" BINDGEN=bindgen "$@"
}

if [ -f "$out/.build-ok" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.kbuild.lock"
if ! flock -n 9; then
	say "kernel: waiting for another kernel build to finish"
	flock 9
fi
if [ -f "$out/.build-ok" ]; then
	echo "$out"
	exit 0
fi

say "kernel: configuring $flavour (Linux $KERNEL_DEB_VERSION) in $out"
mkdir -p "$out"
cat "${fragments[@]/#/$cfgdir/}" >"$out/fragment.config"
kmake -s KCONFIG_ALLCONFIG="$out/fragment.config" allnoconfig >"$out/config.log" 2>&1 ||
	{ cat "$out/config.log" >&2; rm -rf "$out"; die "configuring $flavour failed"; }

# Every option the fragments ask for must be in the result: Kconfig silently
# drops options whose dependencies are not met.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$out/.config" ||
		{ warn "$flavour: '$line' requested but .config has: $(grep -E "^(# )?${line%%=*}[= ]" "$out/.config" || echo 'nothing')"; bad=1; } ;;
	esac
done <"$out/fragment.config"
[ $bad = 0 ] || { rm -rf "$out"; die "$flavour: the config fragments do not apply to Linux $KERNEL_DEB_VERSION (see above)"; }
grep -qx 'CONFIG_RUST=y' "$out/.config" || { kmake rustavailable >&2 || true; die "Rust is not available to this kernel build"; }

say "kernel: building $flavour (${targets[*]}) with $(nproc) jobs; ~10 min on 2 cores"
start=$SECONDS
if ! kmake -j"$(nproc)" "${targets[@]}" >"$out/build.log" 2>&1; then
	grep -E 'error|Error' "$out/build.log" | head -n 40 >&2
	die "building the $flavour kernel failed; full log: $out/build.log"
fi
say "kernel: $flavour built in $((SECONDS - start)) s"
touch "$out/.build-ok"
# Keep the two newest builds of each flavour (a configuration being tried
# and the last good one).
ls -dt "$src/kbuild-$flavour-"???????????? 2>/dev/null | tail -n +3 | xargs -r rm -rf
echo "$out"
