#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs everything the project needs on a Debian bookworm machine and
# caches what it downloads outside the clone. Safe to run again: each step is
# skipped when its result is already there.
#
#   scripts/bootstrap.sh            # everything
#
# Packages come from bookworm; linux-source-7.2 and a rust-src matching rustc
# come from later suites, which are added with apt pin priority 100 so that
# nothing installed from bookworm is ever upgraded by them. Those two are only
# downloaded and unpacked into the cache, never installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BOOKWORM_PKGS=(
	make flex bison bc cpio kmod rsync xz-utils zstd file python3 python3-venv
	libelf-dev libssl-dev dwarves
	clang-19 lld-19 llvm-19 libclang-19-dev
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	qemu-system-x86 qemu-system-arm busybox-static
	v4l-utils libiio-utils ffmpeg
	device-tree-compiler udev
	gnuplot-nox
)

stamp() { echo "$CACHE_DIR/stamps/$1"; }

# retry CMD...: mirrors are sometimes caught mid-sync; try three times.
retry() {
	local i
	for i in 1 2 3; do
		"$@" && return 0
		warn "'$*' failed (try $i of 3)"
		sleep $((i * 10))
	done
	return 1
}

apt_sources() {
	local src=/etc/apt/sources.list.d/iio-media-rs-later.sources
	local pref=/etc/apt/preferences.d/iio-media-rs-later.pref
	if [ -f "$src" ] && [ -f "$pref" ] && [ -f "$(stamp apt-update)" ]; then
		return
	fi
	say "apt: adding later Debian suites at pin priority 100"
	as_root tee "$src" >/dev/null <<'EOS'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie trixie-backports sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	as_root tee "$pref" >/dev/null <<'EOS'
# Later suites are only used for 'apt-get download' of exact versions.
Package: *
Pin: release n=trixie
Pin-Priority: 100

Package: *
Pin: release n=trixie-backports
Pin-Priority: 100

Package: *
Pin: release n=sid
Pin-Priority: 100
EOS
	say "apt: update"
	retry as_root apt-get update -q >/dev/null
	mkdir -p "$CACHE_DIR/stamps" && touch "$(stamp apt-update)"
}

apt_packages() {
	local missing=()
	for p in "${BOOKWORM_PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	say "apt: installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends -t bookworm "${missing[@]}" >/dev/null
}

# apt_fetch PKG VERSION DEST: download the exact .deb and unpack it into DEST.
apt_fetch() {
	local pkg=$1 ver=$2 dest=$3 dl=$CACHE_DIR/debs
	[ -f "$dest/.unpacked" ] && return
	mkdir -p "$dl" "$dest"
	local deb
	deb=$(ls "$dl/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		say "apt: downloading $pkg=$ver"
		(cd "$dl" && retry apt-get -o APT::Sandbox::User=root download -q "$pkg=$ver" >/dev/null) ||
			return 1
		deb=$(ls "$dl/${pkg}_${ver//:/%3a}_"*.deb | head -n1)
	fi
	dpkg-deb -x "$deb" "$dest"
	touch "$dest/.unpacked"
}

# The kernel's Rust needs the library source of exactly the running rustc.
rust_src() {
	local rv want
	rv=$(rustc_version)
	want=$(apt-cache madison rust-src | awk -v rv="$rv" '$3 ~ "^"rv"\\+dfsg" {print $3; exit}')
	if [ -z "$want" ]; then
		die "rustc is $rv but no Debian suite offers rust-src $rv+dfsg*.
Available: $(apt-cache madison rust-src | awk '{print $3}' | tr '\n' ' ')
Install a rustc whose version matches one of these (rustup toolchain install X.Y.Z), or rust-src matching $rv."
	fi
	apt_fetch rust-src "$want" "$SRC_DIR/rust-src-$rv"
	[ -f "$(rust_lib_src)/core/src/lib.rs" ] || die "rust-src $want has no library/core at $(rust_lib_src)"
}

kernel_source() {
	local dir ver=$KERNEL_DEB_VERSION
	dir=$(kernel_src)
	[ -f "$dir/Makefile" ] && return
	if ! apt-cache madison "linux-source-$KERNEL_SERIES" | awk '{print $3}' | grep -qx "$ver"; then
		# Documented fallback: the pinned upload left the archive.
		ver=$(apt-cache madison "linux-source-$KERNEL_SERIES" | awk '{print $3}' | sort -V | tail -n1)
		[ -n "$ver" ] || die "no linux-source-$KERNEL_SERIES in any configured suite"
		warn "linux-source-$KERNEL_SERIES=$KERNEL_DEB_VERSION is gone; using the newest, $ver (set KERNEL_DEB_VERSION=$ver to silence this)"
		KERNEL_DEB_VERSION=$ver
		dir=$(kernel_src)
		[ -f "$dir/Makefile" ] && return
	fi
	local pkgdir=$CACHE_DIR/debs/linux-source-$ver
	apt_fetch "linux-source-$KERNEL_SERIES" "$ver" "$pkgdir"
	say "kernel: unpacking linux-source-$KERNEL_SERIES $ver"
	mkdir -p "$dir.tmp"
	tar -xf "$pkgdir"/usr/src/linux-source-"$KERNEL_SERIES".tar.* -C "$dir.tmp" --strip-components=1
	mv "$dir.tmp" "$dir"
	rm -rf "$pkgdir"
}

# busybox-static for armhf (the arm initramfs), through a private apt state
# so that the host's dpkg never gains a foreign architecture.
armhf_busybox() {
	local dest=$SRC_DIR/busybox-armhf d=$CACHE_DIR/apt-armhf
	[ -x "$dest/bin/busybox" ] && return
	mkdir -p "$d/lists/partial" "$d/archives/partial"
	echo "deb [arch=armhf signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" >"$d/sources.list"
	: >"$d/status"
	local opts=(-o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status"
		-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
		-o "Dir::Cache=$d" -o APT::Architecture=armhf -o APT::Architectures=armhf
		-o APT::Sandbox::User=root)
	say "apt: downloading busybox-static:armhf from bookworm"
	retry apt-get "${opts[@]}" update -q >/dev/null
	rm -f "$d"/busybox-static_*.deb
	(cd "$d" && retry apt-get "${opts[@]}" download -q busybox-static >/dev/null)
	rm -rf "$dest.tmp"
	dpkg-deb -x "$d"/busybox-static_*_armhf.deb "$dest.tmp"
	mv "$dest.tmp" "$dest"
}

bindgen_cli() {
	if bindgen --version 2>/dev/null | grep -q " $BINDGEN_VERSION\$"; then return; fi
	say "cargo: installing bindgen-cli $BINDGEN_VERSION (takes a few minutes)"
	LIBCLANG_PATH=/usr/lib/llvm-19/lib cargo install --quiet --locked \
		--root "$TOOLS_DIR" "bindgen-cli@$BINDGEN_VERSION"
}

virtme_ng() {
	if vng --version 2>/dev/null | grep -q "$VIRTME_NG_VERSION"; then return; fi
	say "pip: installing virtme-ng $VIRTME_NG_VERSION"
	python3 -m venv "$TOOLS_DIR/venv"
	"$TOOLS_DIR/venv/bin/pip" install -q "virtme-ng==$VIRTME_NG_VERSION"
}

# A current v4l2-compliance, v4l2-ctl and media-ctl (bookworm's 1.22 predates
# the streams, routing and client-capability API of 7.2). Debian's source
# archives cannot be fetched from every mirror (deb-src files are missing on
# this project's), so the tools come as the later suite's binary packages,
# downloaded with `apt-get download` and unpacked into the cache together
# with the libraries they need from the same suite. Nothing is installed:
# thin wrappers run them through that suite's own dynamic loader with a
# private library path, so the system's libraries are never touched.
V4L_UTILS_PKGS=(v4l-utils libv4l-0t64 libv4l2rds0t64 libv4lconvert0t64 libc6
	libgcc-s1 libstdc++6 libjson-c5 libudev1 libjpeg62-turbo libcap2)
V4L_UTILS_TOOLS=(v4l2-compliance v4l2-ctl media-ctl)

v4l_utils() {
	local ver=$V4L_UTILS_VERSION suite=$V4L_UTILS_SUITE
	if ! apt-cache madison v4l-utils | awk '{print $3}' | grep -qx "$ver"; then
		local newest
		newest=$(apt-cache madison v4l-utils | awk '{print $3}' | sort -V | tail -n1)
		[ -n "$newest" ] || die "no v4l-utils in any configured suite"
		if [ ! -f "$TOOLS_DIR/v4l-utils-$ver/.ok" ]; then
			warn "v4l-utils $ver is gone; using the newest, $newest (set V4L_UTILS_VERSION=$newest to silence this)"
			ver=$newest
			suite=$(apt-cache madison v4l-utils | awk -v v="$ver" '$3 == v {print $6; exit}' | cut -d/ -f1)
		fi
	fi
	local dest=$TOOLS_DIR/v4l-utils-$ver t
	if [ ! -f "$dest/.ok" ]; then
		local dl=$CACHE_DIR/debs/v4l-utils-$ver p root loader libpath
		say "v4l-utils $ver: downloading ${#V4L_UTILS_PKGS[@]} binary packages from $suite (unpacked into the cache, never installed)"
		rm -rf "$dl" "$dest"
		mkdir -p "$dl" "$dest/bin"
		for p in "${V4L_UTILS_PKGS[@]}"; do
			if [ "$p" = v4l-utils ]; then p="$p=$ver"; else p="$p/$suite"; fi
			(cd "$dl" && retry apt-get -o APT::Sandbox::User=root download -q "$p" >/dev/null) ||
				die "could not download $p"
		done
		root=$dest/root
		for p in "$dl"/*.deb; do dpkg-deb -x "$p" "$root"; done
		loader=$(find "$root" -name 'ld-linux-x86-64.so.2' | head -n1)
		[ -n "$loader" ] || die "v4l-utils: no dynamic loader in the unpacked libc6"
		libpath=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu
		for t in "${V4L_UTILS_TOOLS[@]}"; do
			printf '#!/bin/sh\n# v4l-utils %s from Debian %s, run with its own libraries (scripts/bootstrap.sh)\nexec %s --library-path %s %s "$@"\n' \
				"$ver" "$suite" "$loader" "$libpath" "$root/usr/bin/$t" >"$dest/bin/$t"
			chmod +x "$dest/bin/$t"
			# The loader lists what it resolves; "not found" is a missing library.
			if "$loader" --list --library-path "$libpath" "$root/usr/bin/$t" 2>&1 | grep 'not found'; then
				die "v4l-utils: $t needs a library that V4L_UTILS_PKGS does not bring"
			fi
		done
		"$dest/bin/v4l2-compliance" --version 2>&1 | grep -q "${ver%%-*}" ||
			die "v4l-utils: v4l2-compliance does not report version ${ver%%-*}"
		rm -rf "$dl"
		touch "$dest/.ok"
	fi
	mkdir -p "$TOOLS_DIR/bin"
	for t in "${V4L_UTILS_TOOLS[@]}"; do ln -sfn "$dest/bin/$t" "$TOOLS_DIR/bin/$t"; done
}

mkdir -p "$CACHE_DIR" "$TOOLS_DIR" "$SRC_DIR"
apt_sources
apt_packages
rust_src
kernel_source
armhf_busybox
bindgen_cli
virtme_ng
v4l_utils
rustup component list --installed 2>/dev/null | grep -q '^rust-src' ||
	true # the kernel uses RUST_LIB_SRC from Debian, not rustup's rust-src
say "toolchain ready: rustc $(rustc_version), bindgen $BINDGEN_VERSION, kernel $(kernel_src)"
