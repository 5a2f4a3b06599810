#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rustfmt every Rust file of ours with the kernel's .rustfmt.toml.
#   scripts/rustfmt.sh [--check]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP"
files=$(git ls-files --cached --others --exclude-standard '*.rs' | grep -v '_generated\.rs$' || true)
[ -n "$files" ] || exit 0
config=$(kernel_src)/.rustfmt.toml
[ -f "$config" ] || config=$TOP/.rustfmt.toml
# shellcheck disable=SC2086
rustfmt --edition 2021 --config-path "$config" "$@" $files
