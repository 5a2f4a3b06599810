#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks that KDIR is a configured and prepared Linux 7.2 tree with Rust
# enabled, and prints its path. Used by `make KDIR=...`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=${1:?usage: check-kdir.sh KDIR}
[ -d "$kdir" ] || die "KDIR=$kdir is not a directory"
kdir=$(cd "$kdir" && pwd)
[ -f "$kdir/.config" ] ||
	die "KDIR=$kdir is not configured (no .config): configure and build it first, e.g. 'make LLVM=1 olddefconfig all'"
grep -qx 'CONFIG_RUST=y' "$kdir/.config" ||
	die "KDIR=$kdir has no Rust support (CONFIG_RUST is not set): enable it ('make LLVM=1 rustavailable' tells what is missing)"
release=$kdir/include/config/kernel.release
[ -f "$release" ] ||
	die "KDIR=$kdir is not prepared: run 'make LLVM=1 modules_prepare' in it (or build it)"
case $(cat "$release") in
"$KERNEL_SERIES" | "$KERNEL_SERIES".* | "$KERNEL_SERIES"-*) ;;
*) die "KDIR=$kdir is Linux $(cat "$release"); these modules are written for Linux $KERNEL_SERIES" ;;
esac
[ -f "$kdir/rust/libkernel.rmeta" ] ||
	die "KDIR=$kdir has no built kernel crate (rust/libkernel.rmeta): build the kernel first"
echo "$kdir"
