#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prints every option our Kconfig files define (rust/, drivers/, tests/),
# one `CONFIG_NAME=VALUE` a line: m for a tristate option, y for a bool.
# The top-level Kbuild turns them on this way out of tree; the graft check
# (scripts/check-graft.sh) sets them all to y in a grafted kernel.
#
#   scripts/our-configs.sh [KERNEL_CONFIG]
#
# With KERNEL_CONFIG (a kernel's .config or include/config/auto.conf), only
# the options whose dependencies that kernel has: every symbol a `depends
# on` line of the option requires (lines with `||` or `!` are not
# evaluated), and every symbol it `select`s (out of tree nothing can select
# it), must be set there, y or m (an out-of-tree build is a module, so
# `=y` is not required), or be an option of ours that is kept. That is what
# Kconfig would allow in a kernel tree with that configuration.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kconfig=${1-}
find "$top/rust" "$top/drivers" "$top/tests" -type f -name 'Kconfig*' -print0 | sort -z |
	xargs -0 -r awk -v kconfig="$kconfig" '
		function flush() { name = ""; }
		/^(menu)?config[ \t]/ { name = $2; order[++n] = name; next }
		name != "" && /^[ \t]+(def_)?(bool|tristate)([ \t]|$)/ {
			t = $1; sub(/^def_/, "", t); type[name] = t; next
		}
		name != "" && /^[ \t]+depends[ \t]+on[ \t]/ {
			l = $0; sub(/^[ \t]+depends[ \t]+on[ \t]+/, "", l); sub(/[ \t]*#.*/, "", l)
			if (l ~ /\|\||!/) next
			gsub(/[()&=]/, " ", l)
			m = split(l, w, /[ \t]+/)
			for (i = 1; i <= m; i++) if (w[i] ~ /^[A-Z][A-Z0-9_]*$/) need[name] = need[name] " " w[i]
			next
		}
		name != "" && /^[ \t]+select[ \t]/ { need[name] = need[name] " " $2; next }
		/^(choice|endchoice|menu|endmenu|if|endif|source|comment)([ \t]|$)/ { flush() }
		END {
			if (kconfig != "") {
				while ((getline line < kconfig) > 0)
					if (line ~ /^CONFIG_[A-Za-z0-9_]+=[ym]$/) {
						split(line, kv, "="); sub(/^CONFIG_/, "", kv[1]); have[kv[1]] = 1
					}
				# Drop options with a missing dependency until nothing changes.
				do {
					changed = 0
					for (i = 1; i <= n; i++) {
						o = order[i]
						if (!(o in type) || (o in dropped)) continue
						m = split(need[o], w, " ")
						for (j = 1; j <= m; j++) {
							s = w[j]
							if (s == "y" || s == "m" || s == "n") continue
							if (s in type) { if (s in dropped) break; continue }
							if (!(s in have)) break
						}
						if (j <= m) { dropped[o] = 1; changed = 1 }
					}
				} while (changed)
			}
			for (i = 1; i <= n; i++) {
				o = order[i]
				if ((o in type) && !(o in dropped))
					print "CONFIG_" o "=" (type[o] == "tristate" ? "m" : "y")
			}
		}
	' | sort -u
