#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prints every option our Kconfig files define (rust/, drivers/, tests/),
# one `CONFIG_NAME=VALUE` a line: m for a tristate option, y for a bool.
# The top-level Kbuild turns them on this way out of tree; the graft check
# (scripts/check-graft.sh) sets them all to y in a grafted kernel.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
find "$top/rust" "$top/drivers" "$top/tests" -type f -name 'Kconfig*' -print0 | sort -z |
	xargs -0 -r awk '
		/^(menu)?config[ \t]/ { name = $2; next }
		name != "" && /^[ \t]+(def_)?(bool|tristate)([ \t]|$)/ {
			type = $1; sub(/^def_/, "", type)
			print "CONFIG_" name "=" (type == "tristate" ? "m" : "y")
			name = ""
		}
		/^(choice|endchoice|menu|endmenu|if|endif|source|comment)([ \t]|$)/ { name = "" }
	' | sort -u
