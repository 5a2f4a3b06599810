#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Grafts our abstractions, bindings, C helpers, drivers and KUnit tests into
# a Linux 7.2 source tree, so that they build as part of it (`make graft`):
#
#   scripts/graft.sh [--dry-run] KDIR       graft, or bring a graft up to date
#   scripts/graft.sh [--dry-run] --undo KDIR
#                                           restore the tree exactly
#
# What it does is derived from this repository, not from a list of files
# (Documentation/integration.rst has the rules a new driver, test or
# abstraction follows to be grafted):
#
# - rust/lib.rs: every module declared with `#[path = "kernel/..."]` is
#   copied to the tree's rust/kernel/ and declared (with its other
#   attributes) in the tree's rust/kernel/lib.rs, after its last `pub mod`.
# - rust/bindings/bindings_helper.h is copied to
#   rust/bindings/bindings_helper_ext.h and included from the tree's
#   rust/bindings/bindings_helper.h.
# - rust/helpers/: every file but helpers.c is copied to the tree's
#   rust/helpers/; the files our helpers.c includes are included from the
#   tree's helpers.c.
# - Every directory below drivers/ and tests/ with a Kbuild file: where the
#   tree has that directory, its other files are copied into it and its
#   Kbuild lines are appended to the tree's Makefile there (lines that only
#   descend into subdirectories are left out: the kernel descends into its
#   own, the graft into ours); where the tree does not, the directory is
#   copied whole and `obj-y += DIR/` is added to the Makefile (or Kbuild)
#   of its nearest ancestor that the tree has. A directory whose Kbuild has
#   a `# graft-skip` line is left out, with everything below it.
# - Every Kconfig file below rust/, drivers/ and tests/: where the tree has
#   that file, our entries go in before its closing endmenu/endif (or before
#   the end of the block named by a `# graft-into: LINE` comment); `source`
#   lines of files the tree has are left out. Where it has not, the file is
#   copied.
#
# Files are copied unchanged: whatever differs between the out-of-tree build
# and a kernel tree is decided by the out-of-tree glue (Kbuild, rust/lib.rs,
# rust/Kbuild.bindings, rust/bindings/mod.rs, rust/exports.c), which is not
# grafted.
#
# Running it again brings the tree up to date with this repository and
# changes nothing if it is (files are only written when their content
# differs). The state (the list of created files and the originals of the
# modified ones) is kept in KDIR/.graft-iio-media-rs/; --undo restores every
# modified file, removes every created file and directory and the state,
# and then checks that the touched paths are as they were before the first
# graft (with the tree's `git status` when it is a git tree, and checksums).
#
# It refuses a tree that is not Linux 7.2, or that already has modules of
# the kernel crate with our names (kernel::iio, kernel::media, ...) or files
# where ours would go, and says which.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { die "usage: graft.sh [--dry-run] [--undo] KDIR"; }
undo=0 dry=0 kdir=
while [ $# -gt 0 ]; do
	case $1 in
	--undo) undo=1 ;;
	--dry-run | -n) dry=1 ;;
	-h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
	-*) usage ;;
	*) [ -z "$kdir" ] || usage; kdir=$1 ;;
	esac
	shift
done
[ -n "$kdir" ] || usage
[ -d "$kdir" ] || die "KDIR=$kdir is not a directory"
kdir=$(cd "$kdir" && pwd)
state=$kdir/.graft-iio-media-rs
export LC_ALL=C

# --- The tree --------------------------------------------------------------

[ -f "$kdir/Makefile" ] && [ -f "$kdir/Kconfig" ] && [ -f "$kdir/Kbuild" ] ||
	die "KDIR=$kdir is not a Linux source tree (no Makefile, Kconfig and Kbuild at its top)"
kver=$(awk '/^VERSION *=/ { v = $3 } /^PATCHLEVEL *=/ { p = $3 } END { print v "." p }' "$kdir/Makefile")
[ "$kver" = "$KERNEL_SERIES" ] ||
	die "KDIR=$kdir is Linux $kver; our code is written for Linux $KERNEL_SERIES (its Rust APIs change between releases)"
for f in rust/kernel/lib.rs rust/helpers/helpers.c rust/bindings/bindings_helper.h; do
	[ -f "$kdir/$f" ] || die "KDIR=$kdir has no $f: not a Linux $KERNEL_SERIES tree with Rust support"
done

# What a previous graft created and modified.
declare -A created=() created_dir=() modified=()
if [ -d "$state" ]; then
	[ -f "$state/created" ] && [ -f "$state/modified" ] && [ -f "$state/dirs" ] ||
		die "$state is incomplete: remove it only after restoring the tree by hand"
	while IFS= read -r p; do created[$p]=1; done <"$state/created"
	while IFS= read -r p; do created_dir[$p]=1; done <"$state/dirs"
	while IFS= read -r p; do modified[$p]=1; done <"$state/modified"
fi

# kernel_has PATH: the tree has PATH of its own (not created by a graft).
kernel_has() {
	[ -e "$kdir/$1" ] && [ -z "${created[$1]-}" ] && [ -z "${created_dir[$1]-}" ]
}
# pristine PATH: the file holding the tree's own content of PATH.
pristine() {
	if [ -n "${modified[$1]-}" ]; then echo "$state/orig/$1"; else echo "$kdir/$1"; fi
}

# --- Undo ------------------------------------------------------------------

# sums PATH...: a checksum of each path as it is now ("absent" if it is not
# there). Recorded before the graft touches a path, compared after --undo.
sums() {
	local p
	for p in "$@"; do
		if [ -f "$kdir/$p" ]; then
			printf '%s  %s\n' "$(sha256sum <"$kdir/$p" | cut -d' ' -f1)" "$p"
		elif [ -e "$kdir/$p" ]; then
			printf 'present  %s\n' "$p"
		else
			printf 'absent  %s\n' "$p"
		fi
	done
}
# gitstat PATH...: the tree's own `git status` of the paths (nothing when it
# is not a git tree).
gitstat() {
	[ $# -gt 0 ] || return 0
	if git -C "$kdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$kdir" status --porcelain=v1 --untracked-files=all -- "$@" 2>/dev/null | sort
	fi
}

if [ $undo = 1 ]; then
	if [ ! -d "$state" ]; then
		say "graft: nothing to undo in $kdir (no $state)"
		exit 0
	fi
	if [ $dry = 1 ]; then
		echo "would restore: ${!modified[*]}" | fold -s
		echo "would remove ${#created[@]} files and ${#created_dir[@]} directories"
		exit 0
	fi
	for p in "${!modified[@]}"; do
		cp -p "$state/orig/$p" "$kdir/$p.graft-tmp" && mv -f "$kdir/$p.graft-tmp" "$kdir/$p"
	done
	for p in "${!created[@]}"; do rm -f "$kdir/$p"; done
	# Deepest first.
	printf '%s\n' "${!created_dir[@]}" | awk -F/ '{ print NF "\t" $0 }' | sort -rn | cut -f2- |
		while IFS= read -r d; do
			[ -n "$d" ] || continue
			rmdir "$kdir/$d" 2>/dev/null || warn "graft: $d is not empty (files not ours?): left in place"
		done
	mapfile -t touched < <(sed -n 's/^[^ ]*  //p' "$state/before")
	if ! diff -u "$state/before" <(sums "${touched[@]}") >"$state/undo.diff" ||
		! diff -u "$state/before.git" <(gitstat "${touched[@]}") >>"$state/undo.diff"; then
		cat "$state/undo.diff" >&2
		die "graft: the tree differs from its state before the graft (above); $state is kept"
	fi
	rm -rf "$state"
	say "graft: restored ${#modified[@]} files, removed ${#created[@]} files and ${#created_dir[@]} directories; the touched paths are as before the graft"
	exit 0
fi

# --- Our files -------------------------------------------------------------

# Source files of this repository below the given directories: what git
# tracks or would track (not build outputs), or everything without git.
our_files() {
	if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$TOP" ls-files --cached --others --exclude-standard -- "$@" |
			while IFS= read -r f; do [ -f "$TOP/$f" ] && echo "$f"; done
	else
		(cd "$TOP" && find "$@" -type f ! -name '*.o' ! -name '.*.cmd' ! -name '*.ko' \
			! -name '*_generated.*' ! -path '*/target/*')
	fi | sort -u
}
mapfile -t ours < <(our_files rust drivers tests)
# Directories whose Kbuild has a `# graft-skip` line (test infrastructure)
# are left out, with everything below them.
mapfile -t skipped < <(printf '%s\n' "${ours[@]}" | grep -E '^(drivers|tests)/.*/Kbuild$' |
	while IFS= read -r f; do grep -qE '^#[[:space:]]*graft-skip[[:space:]]*$' "$TOP/$f" && dirname "$f"; done)
if [ ${#skipped[@]} -gt 0 ]; then
	mapfile -t ours < <(printf '%s\n' "${ours[@]}" | grep -vE "^($(printf '%s/|' "${skipped[@]}" | sed 's/|$//'))")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The plan: files to create (path -> our file) and modified files' content.
declare -A copy_from=() snippet_end=() kconfig_part=() kconfig_into=()
mkdir -p "$work/mod"

# plan_copy PATH: create KDIR/PATH from our PATH.
plan_copy() {
	if kernel_has "$1"; then
		die "KDIR=$kdir already has $1, where ours would go: graft into a tree without it"
	fi
	copy_from[$1]=$TOP/$1
}
# append_end FILE TEXT: TEXT goes at the end of the tree's FILE.
append_end() { snippet_end[$1]+=$2$'\n'; }
# strip_header: our file without its header (the SPDX line and the comment
# lines and blank lines after it), which speaks of our file.
strip_header() { awk 'NR == 1 && /SPDX-License-Identifier/ { skip = 1; next } skip && /^[ \t]*(#.*)?$/ { next } { skip = 0; print }'; }
# only_comments TEXT: nothing but comments and blank lines.
only_comments() { ! grep -qvE '^[[:space:]]*(#.*)?$' <<<"$1"; }

# 1. The kernel crate's modules: rust/lib.rs.
modlines=$work/modlines
awk '
	function reset() { attrs = ""; path = "" }
	/^[ \t]*#\[path *= *"kernel\/[^"]*" *\][ \t]*$/ {
		p = $0; sub(/^[^"]*"kernel\//, "", p); sub(/".*/, "", p); path = p; next
	}
	/^[ \t]*(#\[|\/\/\/)/ { attrs = attrs $0 "\n"; next }
	/^[ \t]*(pub(\([^)]*\))?[ \t]+)?mod[ \t]+[A-Za-z0-9_]+[ \t]*;/ {
		if (path != "") {
			name = $0; sub(/;.*/, "", name); sub(/.*mod[ \t]+/, "", name)
			printf "MOD %s %s\n%s%s\nEND\n", name, path, attrs, $0
		}
		reset(); next
	}
	{ reset() }
' "$TOP/rust/lib.rs" >"$modlines"
mods=()
lib_block=
while IFS= read -r line; do
	case $line in
	"MOD "*)
		read -r _ name path <<<"$line"
		case $path in
		"$name.rs" | "$name/mod.rs") ;;
		*) die "rust/lib.rs: module $name is at kernel/$path; to be grafted it must be kernel/$name.rs or kernel/$name/mod.rs" ;;
		esac
		mods+=("$name")
		;;
	END) ;;
	*) lib_block+=$line$'\n' ;;
	esac
done <"$modlines"
[ ${#mods[@]} -gt 0 ] || die "rust/lib.rs declares no module with #[path = \"kernel/...\"]: nothing to graft"
liborig=$(pristine rust/kernel/lib.rs)
for name in "${mods[@]}"; do
	if grep -qE "^[[:space:]]*(pub(\([^)]*\))?[[:space:]]+)?mod[[:space:]]+$name[[:space:]]*[;{]" "$liborig"; then
		die "KDIR=$kdir already has a module kernel::$name (declared in rust/kernel/lib.rs), which conflicts with ours: graft into a tree without it"
	fi
	for p in "rust/kernel/$name.rs" "rust/kernel/$name"; do
		kernel_has "$p" && die "KDIR=$kdir already has $p (a module kernel::$name), which conflicts with ours: graft into a tree without it"
	done
	for f in "${ours[@]}"; do
		case $f in rust/kernel/"$name".rs | rust/kernel/"$name"/*) plan_copy "$f" ;; esac
	done
done
grep -qE '^pub mod [A-Za-z0-9_]+;' "$liborig" || die "KDIR=$kdir: rust/kernel/lib.rs has no 'pub mod' line to put ours after"
BLOCK="// Grafted from iio-media-rs (scripts/graft.sh):
${lib_block}// End of the grafted modules." awk '
	{ line[NR] = $0 } /^pub mod [A-Za-z0-9_]+;/ { last = NR }
	END { for (i = 1; i <= NR; i++) { print line[i]; if (i == last) print ENVIRON["BLOCK"] } }
' "$liborig" >"$work/mod/lib.rs"

# 2. Bindings: our header, included from the kernel's.
plan_copy_as() { # plan_copy_as KPATH OURPATH
	kernel_has "$1" && die "KDIR=$kdir already has $1, where ours would go: graft into a tree without it"
	copy_from[$1]=$TOP/$2
}
plan_copy_as rust/bindings/bindings_helper_ext.h rust/bindings/bindings_helper.h
append_end rust/bindings/bindings_helper.h $'\n/* Grafted from iio-media-rs (scripts/graft.sh): the IIO and media APIs. */\n#include "bindings_helper_ext.h"'

# 3. C helpers.
for f in "${ours[@]}"; do
	case $f in rust/helpers/helpers.c) ;; rust/helpers/*) plan_copy "$f" ;; esac
done
includes=$(sed -n 's/^#include "\([^./][^"]*\)".*/#include "\1"/p' "$TOP/rust/helpers/helpers.c")
[ -z "$includes" ] ||
	append_end rust/helpers/helpers.c $'\n/* Grafted from iio-media-rs (scripts/graft.sh). */\n'"$includes"

# 4. Directories with a Kbuild file below drivers/ and tests/.
mapfile -t kbuild_dirs < <(printf '%s\n' "${ours[@]}" | sed -n 's,^\(\(drivers\|tests\)/.*\)/Kbuild$,\1,p' | sort)
declare -A is_kbuild_dir=()
for d in "${kbuild_dirs[@]}"; do is_kbuild_dir[$d]=1; done
# kbuild_file DIR: the tree's Kbuild or Makefile of DIR ("" for the top).
kbuild_file() {
	local d=${1:+$1/}
	if kernel_has "${d}Kbuild"; then echo "${d}Kbuild"
	elif kernel_has "${d}Makefile"; then echo "${d}Makefile"
	else die "KDIR=$kdir has ${1:-its top directory} but no Kbuild or Makefile in it"
	fi
}
# has_kbuild_below DIR: one of our Kbuild directories is DIR or below it.
has_kbuild_below() {
	local d
	for d in "${kbuild_dirs[@]}"; do case $d/ in "$1"/*) return 0 ;; esac; done
	return 1
}
for d in "${kbuild_dirs[@]}"; do
	if kernel_has "$d"; then
		# Merged: our other files beside the tree's, our Kbuild lines
		# appended to its Makefile.
		for f in "${ours[@]}"; do
			case $f in "$d"/*) ;; *) continue ;; esac
			rest=${f#"$d"/}
			case $rest in
			Kbuild | Kconfig*) continue ;;
			*/*) has_kbuild_below "$d/${rest%%/*}" && continue ;;
			esac
			plan_copy "$f"
		done
		text=$(strip_header <"$TOP/$d/Kbuild" | grep -vE '^[[:space:]]*obj-[^[:space:]]*[[:space:]]*[:+]?=([[:space:]]+[^[:space:]]+/)+[[:space:]]*$' || true)
		if ! only_comments "$text"; then
			append_end "$(kbuild_file "$d")" $'\n# Grafted from iio-media-rs (scripts/graft.sh): '"$d/Kbuild"$'\n'"$text"
		fi
	else
		# New: copied whole; hooked from the nearest ancestor the tree
		# has, unless its parent is a new directory of ours, whose Kbuild
		# then descends into it.
		parent=$(dirname "$d")
		if [ -n "${is_kbuild_dir[$parent]-}" ] && ! kernel_has "$parent"; then
			grep -qE "[[:space:]]$(basename "$d")/([[:space:]]|$)" "$TOP/$parent/Kbuild" ||
				die "$parent/Kbuild does not descend into $(basename "$d")/"
		else
			a=$parent
			while [ "$a" != . ] && ! kernel_has "$a"; do a=$(dirname "$a"); done
			rel=${d#"$a"/}
			[ "$a" = . ] && { a=; rel=$d; }
			append_end "$(kbuild_file "$a")" $'\n# Grafted from iio-media-rs (scripts/graft.sh):\nobj-y += '"$rel/"
		fi
		for f in "${ours[@]}"; do
			case $f in "$d"/*) case ${f#"$d"/} in Kconfig*) ;; *) plan_copy "$f" ;; esac ;; esac
		done
	fi
done

# 5. Kconfig files below rust/, drivers/ and tests/.
for f in "${ours[@]}"; do
	case $f in rust/* | drivers/* | tests/*) ;; *) continue ;; esac
	case $(basename "$f") in Kconfig | Kconfig.*) ;; *) continue ;; esac
	if ! kernel_has "$f"; then
		plan_copy "$f"
		continue
	fi
	# Merged: drop `source` lines of files the tree has (it sources them).
	text=$(strip_header <"$TOP/$f" | while IFS= read -r line; do
		if [[ $line =~ ^[[:space:]]*(o|r|or)?source[[:space:]]+\"([^\"]+)\" ]]; then
			t=${BASH_REMATCH[2]}
			[[ $t == *'$'* ]] && continue
			kernel_has "$t" && continue
		fi
		printf '%s\n' "$line"
	done)
	into=$(sed -n 's/^# graft-into:[[:space:]]*//p' "$TOP/$f" | head -n 1)
	text=$(grep -v '^# graft-into:' <<<"$text" || true)
	only_comments "$text" && continue
	kconfig_part[$f]=$text
	kconfig_into[$f]=$into
done

# --- The modified files' new content -----------------------------------------

mod_paths=(rust/kernel/lib.rs)
mkdir -p "$work/mod/rust/kernel"
mv "$work/mod/lib.rs" "$work/mod/rust/kernel/lib.rs"
for p in "${!snippet_end[@]}" "${!kconfig_part[@]}"; do
	[ -e "$work/mod/$p" ] && continue
	mkdir -p "$work/mod/$(dirname "$p")"
	cp "$(pristine "$p")" "$work/mod/$p"
	mod_paths+=("$p")
done
for p in "${!kconfig_part[@]}"; do
	# Insert before the end of the block opened by the graft-into line, or
	# before the file's closing endmenu/endif/endchoice (at the end if none).
	INTO=${kconfig_into[$p]} FILE=$p BLOCK="
# Grafted from iio-media-rs (scripts/graft.sh): $p
${kconfig_part[$p]}
# End of the grafted entries.
" awk '
		{ line[NR] = $0 }
		END {
			into = ENVIRON["INTO"]; file = ENVIRON["FILE"]; block = ENVIRON["BLOCK"]
			at = NR + 1
			if (into != "") {
				for (i = 1; i <= NR; i++) { l = line[i]; sub(/[ \t]+$/, "", l); if (l == into) break }
				if (i > NR) { print file ": no line \"" into "\" (graft-into)" > "/dev/stderr"; exit 1 }
				depth = 1
				for (i++; i <= NR; i++) {
					if (line[i] ~ /^[ \t]*(menu|if|choice)([ \t"]|$)/) depth++
					else if (line[i] ~ /^[ \t]*(endmenu|endif|endchoice)([ \t#]|$)/ && --depth == 0) break
				}
				if (i > NR) { print file ": the block of \"" into "\" does not end" > "/dev/stderr"; exit 1 }
				at = i
			} else {
				for (i = NR; i > 0 && line[i] ~ /^[ \t]*(#.*)?$/; i--) ;
				if (i > 0 && line[i] ~ /^[ \t]*(endmenu|endif|endchoice)([ \t#]|$)/) at = i
			}
			for (i = 1; i <= NR + 1; i++) {
				if (i == at) printf "%s\n", block
				if (i <= NR) print line[i]
			}
		}' "$work/mod/$p" >"$work/mod/$p.new" || die "graft: cannot place our entries in $p"
	mv "$work/mod/$p.new" "$work/mod/$p"
done
for p in "${!snippet_end[@]}"; do
	printf '%s' "${snippet_end[$p]}" >>"$work/mod/$p"
done

# --- Apply -----------------------------------------------------------------

declare -A want_mod=() need_dir=()
for p in "${mod_paths[@]}"; do want_mod[$p]=1; done
for p in "${!copy_from[@]}"; do
	d=$(dirname "$p")
	while [ "$d" != . ] && ! kernel_has "$d"; do need_dir[$d]=1; d=$(dirname "$d"); done
done

changes=()
# install_file SRC PATH MODEREF: KDIR/PATH gets SRC's content, with MODEREF's
# mode, if its content differs. Written beside and renamed into place.
install_file() {
	if [ -f "$kdir/$2" ] && cmp -s "$1" "$kdir/$2"; then return; fi
	changes+=("$2")
	[ $dry = 1 ] && return
	mkdir -p "$(dirname "$kdir/$2")"
	cp "$1" "$kdir/$2.graft-tmp"
	chmod --reference="$3" "$kdir/$2.graft-tmp"
	mv -f "$kdir/$2.graft-tmp" "$kdir/$2"
}

if [ $dry = 0 ]; then
	if [ ! -d "$state" ]; then
		mkdir -p "$state/orig"
		: >"$state/created"; : >"$state/dirs"; : >"$state/modified"
		: >"$state/before"; : >"$state/before.git"
	fi
	# Every path this graft touches for the first time, as it is now, for
	# --undo to check.
	mapfile -t fresh < <(printf '%s\n' "${mod_paths[@]}" "${!copy_from[@]}" "${!need_dir[@]}" | sed '/^$/d' | sort -u |
		comm -23 - <(sed -n 's/^[^ ]*  //p' "$state/before" | sort -u))
	if [ ${#fresh[@]} -gt 0 ]; then
		sums "${fresh[@]}" >>"$state/before"
		{ cat "$state/before.git"; gitstat "${fresh[@]}"; } | sort >"$state/before.git.new"
		mv "$state/before.git.new" "$state/before.git"
	fi
fi
# What is no longer ours: files removed from this repository since the last
# graft, files of the tree we no longer modify.
for p in "${!created[@]}"; do
	[ -n "${copy_from[$p]-}" ] && continue
	changes+=("-$p")
	[ $dry = 1 ] || rm -f "$kdir/$p"
done
for p in "${!modified[@]}"; do
	[ -n "${want_mod[$p]-}" ] && continue
	changes+=("$p (restored)")
	[ $dry = 1 ] && continue
	cp -p "$state/orig/$p" "$kdir/$p.graft-tmp" && mv -f "$kdir/$p.graft-tmp" "$kdir/$p"
	rm -f "$state/orig/$p"
done
for p in "${mod_paths[@]}"; do
	if [ $dry = 0 ] && [ -z "${modified[$p]-}" ]; then
		mkdir -p "$(dirname "$state/orig/$p")"
		cp -p "$kdir/$p" "$state/orig/$p"
	fi
	install_file "$work/mod/$p" "$p" "$(pristine "$p")"
done
mapfile -t to_copy < <(printf '%s\n' "${!copy_from[@]}" | sort)
for p in "${to_copy[@]}"; do
	install_file "${copy_from[$p]}" "$p" "${copy_from[$p]}"
done
if [ $dry = 0 ]; then
	# Directories no longer needed, deepest first.
	printf '%s\n' "${!created_dir[@]}" | awk -F/ 'NF { print NF "\t" $0 }' | sort -rn | cut -f2- |
		while IFS= read -r d; do
			[ -n "${need_dir[$d]-}" ] || rmdir "$kdir/$d" 2>/dev/null || true
		done
	printf '%s\n' "${!copy_from[@]}" | sort >"$state/created"
	printf '%s\n' "${!need_dir[@]}" | sed '/^$/d' | sort >"$state/dirs"
	printf '%s\n' "${mod_paths[@]}" | sort >"$state/modified"
	echo "$TOP" >"$state/source"
fi

what="${#copy_from[@]} files of ours, ${#mod_paths[@]} files of the tree modified ($(printf '%s\n' "${mod_paths[@]}" | sort | tr '\n' ' ' | sed 's/ $//'))"
if [ ${#changes[@]} = 0 ]; then
	say "graft: $kdir is up to date ($what)"
elif [ $dry = 1 ]; then
	say "graft: would change ${#changes[@]} files in $kdir:"
	printf '  %s\n' "${changes[@]}"
else
	say "graft: $kdir: ${#changes[@]} files written or removed; grafted: $what"
fi
