#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The proof that grafting works (called by `make check`, see
# Documentation/integration.rst):
#
#   scripts/check-graft.sh OUTDIR
#
# 1. scripts/graft.sh refuses a tree that is not 7.2 and one that already has
#    a kernel crate module with one of our names.
# 2. A copy of the pinned Linux source (the cache's pristine tree) is grafted;
#    grafting it again changes nothing; --undo leaves it identical to the
#    pristine source (every file's checksum, mode, type and link target);
#    then it is grafted again.
# 3. x86_64: a copy of the x86_64 test kernel's build directory is put under
#    the same name inside the grafted copy (the build directory names every
#    source relative to `..`), our options are set to y, and the build is
#    incremental: only what the graft touched rebuilds. Then, in the grafted
#    tree, `tools/testing/kunit/kunit.py run --kunitconfig=tests/kunit
#    --arch=x86_64` reuses that build (its .config satisfies the kunitconfig)
#    and boots it under QEMU, TCG only: every KUnit suite of ours must run
#    built in and pass, with a clean kernel log. `kunit.py config` with the
#    kunitconfig alone, in an empty build directory, must resolve to a
#    configuration with all of it.
# 4. arm: the same with the arm test kernel's build directory (the NPCM7xx
#    ADC driver and our suites built in), booted on QEMU's npcm750-evb:
#    the direct-read checks of the Rust driver (tests/arm/npcm_adc_rs.sh;
#    loading and unloading are skipped as it is built in) and our KUnit
#    suites (tests/arm/kunit.sh).
#
# The grafted tree is cached in $CACHE_DIR/graft/linux-VERSION/ (keyed by
# the kernel version), its build directories by the test kernels' keys, and
# a build is redone only when our sources (or graft.sh) changed: then only
# what changed is rebuilt.
#
# Results: OUTDIR/graft.ktap (the checks above), OUTDIR/kunit-x86_64.ktap
# (the console of the kunit.py run), OUTDIR/arm.ktap (the arm guest), each
# parsed by check.sh with kunit.py; logs and times (OUTDIR/times.txt) beside
# them. Progress goes to stderr. GRAFT_ARM=0 skips the arm part;
# BOOT_TIMEOUT (x86_64, default 900; kunit.py gets twice that, as it counts
# the wait for a QEMU slot) and GRAFT_ARM_TIMEOUT (arm, default 600) are the
# boots' timeouts (seconds).
set -uo pipefail
# kunit.py runs from the grafted tree, which must stay as --undo leaves it.
export PYTHONDONTWRITEBYTECODE=1
. "$(dirname "$0")/lib.sh"
cd "$TOP"

out=${1:?usage: check-graft.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
: >"$out/times.txt"
ktap=()
nres=0
# result NAME ok|fail [DIAGNOSTIC]: one check of graft.ktap.
result() {
	local n=$((++nres)) line
	if [ "$2" = ok ]; then line="ok $n $1"; else line="not ok $n $1"; fi
	ktap+=("$line")
	[ -z "${3-}" ] || ktap+=("# $3")
	echo "graft: $line${3:+ ($3)}" >&2
}
finish() {
	{
		echo "KTAP version 1"
		echo "1..$nres"
		printf '%s\n' "${ktap[@]}"
	} >"$out/graft.ktap"
	cat "$out/times.txt" >&2
	exit 0
}
# timed NAME SECONDS: keep a figure for the report.
timed() { printf '%-40s %5d s\n' "$1" "$2" | tee -a "$out/times.txt" >&2; }

ver=${KERNEL_DEB_VERSION%%-*}
src=$(kernel_src)
libsrc=$(rust_lib_src)
gdir=$CACHE_DIR/graft
G=$gdir/linux-$ver
mkdir -p "$gdir"
kmake_opts=(LLVM="$LLVM_SUFFIX" RUST_LIB_SRC="$libsrc" BINDGEN=bindgen)
jobs=$(nproc)

# --- 1. Refusals --------------------------------------------------------------

fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
mkfake() { # mkfake VERSION PATCHLEVEL [LIB.RS LINE]
	rm -rf "$fake/t"
	mkdir -p "$fake/t/rust/kernel" "$fake/t/rust/helpers" "$fake/t/rust/bindings"
	printf 'VERSION = %s\nPATCHLEVEL = %s\n' "$1" "$2" >"$fake/t/Makefile"
	touch "$fake/t/Kconfig" "$fake/t/Kbuild" "$fake/t/rust/helpers/helpers.c" \
		"$fake/t/rust/bindings/bindings_helper.h"
	printf 'pub mod alloc;\n%s\n' "${3-}" >"$fake/t/rust/kernel/lib.rs"
}
mkfake 7 1
if scripts/graft.sh "$fake/t" 2>"$fake/err"; then
	result graft_refuses_other_release fail "grafted a 7.1 tree"
elif grep -q 'is Linux 7.1' "$fake/err" && [ ! -e "$fake/t/.graft-iio-media-rs" ]; then
	result graft_refuses_other_release ok
else
	result graft_refuses_other_release fail "$(head -n 1 "$fake/err")"
fi
# Every module our crate root declares for the kernel crate (kernel::iio,
# kernel::media, ...).
mapfile -t mods < <(awk '/#\[path *= *"kernel\// { p = 1; next } p && /mod [A-Za-z0-9_]+;/ { sub(/;.*/, ""); sub(/.*mod /, ""); print; p = 0 }' rust/lib.rs)
bad=
for m in "${mods[@]}"; do
	mkfake 7 2 "pub mod $m;"
	if scripts/graft.sh "$fake/t" 2>"$fake/err" || ! grep -q "kernel::$m\\b" "$fake/err" ||
		[ -e "$fake/t/.graft-iio-media-rs" ]; then
		bad+=" $m"
	fi
done
if [ ${#mods[@]} -gt 0 ] && [ -z "$bad" ]; then
	result graft_refuses_conflicting_modules ok "kernel::{$(IFS=,; echo "${mods[*]}")}"
else
	result graft_refuses_conflicting_modules fail "not refused or not named:${bad:- (no modules found)}"
fi

# --- 2. Graft, graft again, undo, graft ----------------------------------------

# treelist: the current directory's tree without build directories: every
# path's type, mode and link target, and every file's checksum.
treelist() {
	find . -path './kbuild-*' -prune -o \( -type f -o -type d -o -type l \) -printf '%y %m %p %l\n' | sort
	find . -path './kbuild-*' -prune -o -type f -print0 | sort -z | xargs -0 -r -P"$jobs" -n 2000 md5sum | sort -k2
}
# Grafted copies of other kernel versions are of no more use.
for d in "$gdir"/linux-*; do
	case $d in "$G" | "$G".pristine) ;; *) rm -rf "$d" ;; esac
done
if [ ! -f "$gdir/linux-$ver.pristine" ] || [ ! -d "$G" ]; then
	start=$SECONDS
	say "graft: copying the Linux $ver source to $G"
	rm -rf "$G" "$G.tmp" "$gdir/linux-$ver.pristine"
	mkdir -p "$G.tmp"
	if ! (cd "$src" && tar -c --exclude='./kbuild-*' .) | tar -x -C "$G.tmp"; then
		rm -rf "$G.tmp"
		result graft_copy fail "copying $src failed"
		finish
	fi
	mv "$G.tmp" "$G"
	# What --undo must give back.
	(cd "$src" && treelist) >"$gdir/linux-$ver.pristine.tmp" &&
		mv "$gdir/linux-$ver.pristine.tmp" "$gdir/linux-$ver.pristine"
	timed "copy of the source" $((SECONDS - start))
fi

state=$G/.graft-iio-media-rs
# grafted_stat: checksum and mtime of every file the graft created or
# modified.
grafted_stat() {
	cat "$state/created" "$state/modified" 2>/dev/null | sort | while IFS= read -r p; do
		printf '%s %s %s\n' "$(md5sum <"$G/$p" | cut -c1-32)" "$(stat -c %.9Y "$G/$p")" "$p"
	done
}
start=$SECONDS
if ! scripts/graft.sh "$G" 2>"$out/graft.log"; then
	cat "$out/graft.log" >&2
	result graft fail "scripts/graft.sh failed"
	finish
fi
cat "$out/graft.log" >&2
result graft ok
timed "graft (or bring up to date)" $((SECONDS - start))
start=$SECONDS
grafted_stat >"$fake/grafted.1"
if scripts/graft.sh "$G" 2>"$out/graft-again.log" && grep -q 'is up to date' "$out/graft-again.log" &&
	grafted_stat | cmp -s - "$fake/grafted.1"; then
	result graft_again_changes_nothing ok
else
	result graft_again_changes_nothing fail "$(tail -n 1 "$out/graft-again.log")"
fi
if scripts/graft.sh --undo "$G" 2>"$out/undo.log" && (cd "$G" && treelist) >"$fake/undone" &&
	cmp -s "$fake/undone" "$gdir/linux-$ver.pristine"; then
	result graft_undo_restores_pristine ok
else
	diff "$gdir/linux-$ver.pristine" "$fake/undone" | head -n 20 >&2
	result graft_undo_restores_pristine fail "see $out/undo.log"
fi
# Graft again; files that come back with the same content get their
# previous times back, so that undoing costs no rebuild.
if ! scripts/graft.sh "$G" 2>>"$out/graft.log"; then
	result graft fail "grafting after --undo failed"
	finish
fi
while read -r sum mtime p; do
	[ "$(md5sum <"$G/$p" | cut -c1-32)" = "$sum" ] && touch -d "@$mtime" "$G/$p"
done <"$fake/grafted.1"
timed "graft, graft again, undo, compare, graft" $((SECONDS - start))

# The hash of what the grafted kernels are built from: every file the graft
# created or modified, as it is in the grafted tree, and our options.
ours=$( {
	cat "$state/created" "$state/modified" | sort | (cd "$G" && xargs -r sha256sum)
	scripts/our-configs.sh
} | sha256sum | cut -c1-16)

# Every KUnit option of ours is in the kunitconfig.
missing=
for o in $(scripts/our-configs.sh | sed 's/=.*//'); do
	case $o in *_KUNIT_TEST) grep -qx "$o=y" tests/kunit/.kunitconfig || missing+=" $o" ;; esac
done
if [ -z "$missing" ]; then
	result kunitconfig_has_every_test_option ok
else
	result kunitconfig_has_every_test_option fail "not in tests/kunit/.kunitconfig:$missing"
fi

# --- 3./4. Grafted kernels --------------------------------------------------------

# graft_build FLAVOUR ARCH TESTKERNEL TARGET...: the grafted build directory
# for FLAVOUR (its path on stdout), built with our options y: those whose
# dependencies the test kernel has (scripts/our-configs.sh), and on x86_64
# the kunitconfig (the test kernel's configuration has all it depends on;
# the arm one has no media, so it gets the Rust KUnit tests menu only, and
# KUnit's autorun, which the arm test kernel leaves off as its suites are
# modules that run when loaded; built in, they run at boot).
graft_build() {
	local flavour=$1 arch=$2 tk=$3 b start missing o opts extra
	shift 3
	mapfile -t opts < <(scripts/our-configs.sh "$tk/.config" | sed 's/=.*//')
	if [ "$flavour" = x86_64 ]; then
		extra=tests/kunit/.kunitconfig
	else
		extra=$fake/extra-$flavour.config
		echo CONFIG_KUNIT_AUTORUN_ENABLED=y >"$extra"
	fi
	b=$G/$(basename "$tk")
	if [ -f "$b/.graft-build-ok" ] && [ "$(cat "$b/.graft-build-ok")" = "$ours" ]; then
		say "graft: $flavour: grafted kernel up to date ($b, our sources $ours)"
		printf '%s\n' "${opts[@]}" >"$out/opts-$flavour.txt"
		echo "$b"
		return 0
	fi
	exec 8>"$CACHE_DIR/.kbuild.lock"
	if ! flock -n 8; then
		say "graft: waiting for another kernel build to finish"
		flock 8
	fi
	if [ ! -d "$b" ]; then
		start=$SECONDS
		say "graft: $flavour: copying the test kernel's build directory $tk"
		rm -rf "$G/kbuild-$flavour-"????????????
		cp -a "$tk" "$b.tmp" && mv "$b.tmp" "$b" || { rm -rf "$b.tmp"; flock -u 8; return 1; }
		# Kbuild names every source relative to `..`; only the objtool
		# build and OBJTREE= in the Rust commands are absolute: point them
		# at the copy, in place (no new inode, no directory change) and
		# with the file's time kept, or make would rebuild objtool and then
		# every object.
		grep -rlIZ -F "$src/" "$b" --exclude=build.log | while IFS= read -r -d '' f; do
			t=$(stat -c %.9Y "$f")
			sed "s|$src/|$G/|g" "$f" >"$fake/rebase" && cat "$fake/rebase" >"$f"
			touch -d "@$t" "$f"
		done
		# Its objects were built from the pristine files: whatever the
		# graft wrote must be newer than they are.
		cat "$state/created" "$state/modified" | sed "s,^,$G/," | xargs -r touch
		timed "$flavour: copy of the build directory" $((SECONDS - start))
	fi
	rm -f "$b/.graft-build-ok"
	# Our options and what the kunitconfig needs for them (the Rust KUnit
	# tests menu).
	{ echo CONFIG_RUST_KUNIT_TESTS=y; cat "$extra"; printf '%s=y\n' "${opts[@]}"; } >>"$b/.config"
	if ! make -C "$G" O="$b" ARCH="$arch" "${kmake_opts[@]}" olddefconfig >"$b/graft-config.log" 2>&1; then
		tail -n 20 "$b/graft-config.log" >&2
		flock -u 8
		return 1
	fi
	# An option in a menu the kernel has off cannot be set: the media
	# platform drivers' menu (the stateless encoder's codec suite) is not in
	# a kernel without media (arm). Out of tree it builds all the same.
	missing=
	for o in "${opts[@]}"; do
		grep -qx "$o=y" "$b/.config" && continue
		if ! grep -qx 'CONFIG_MEDIA_SUPPORT=y' "$b/.config" &&
			grep -rqx "config ${o#CONFIG_}" drivers/media --include='Kconfig*'; then
			warn "graft: $flavour: $o is in the media menu, which this kernel has not"
			opts=("${opts[@]/$o/}")
			continue
		fi
		missing+=" $o"
	done
	mapfile -t opts < <(printf '%s\n' "${opts[@]}" | sed '/^$/d')
	if [ -n "$missing" ]; then
		warn "graft: $flavour: not y after olddefconfig:$missing"
		flock -u 8
		return 1
	fi
	start=$SECONDS
	say "graft: $flavour: building the grafted kernel ($*), incrementally"
	if ! make -C "$G" O="$b" ARCH="$arch" "${kmake_opts[@]}" -j"$jobs" "$@" >"$b/graft-build.log" 2>&1; then
		grep -E 'error|Error' "$b/graft-build.log" | head -n 30 >&2
		flock -u 8
		return 1
	fi
	timed "$flavour: incremental build" $((SECONDS - start))
	grep -cE '^  (CC|RUSTC|LD|AR|BINDGEN)' "$b/graft-build.log" |
		xargs printf '%-40s %5d\n' "$flavour: objects built or linked" | tee -a "$out/times.txt" >&2
	echo "$ours" >"$b/.graft-build-ok"
	printf '%s\n' "${opts[@]}" >"$out/opts-$flavour.txt"
	flock -u 8
	echo "$b"
}

# Every suite of ours: #[kunit_tests(NAME)] in our sources.
mapfile -t suites < <(git ls-files --cached --others --exclude-standard -- \
	':(glob)rust/**/*.rs' ':(glob)drivers/**/*.rs' ':(glob)tests/**/*.rs' |
	xargs -r sed -n 's/^[[:space:]]*#\[\([a-z_]*::\)*kunit_tests(\([a-z0-9_]*\))\].*/\2/p' | sort -u)

# Both builds first (each under the kernel build lock), then the boots
# (which wait for a free QEMU slot on a shared machine).
kx86=$(scripts/build-kernel.sh x86_64) || { result graft_build_x86_64 fail "no x86_64 test kernel"; finish; }
bx=$(graft_build x86_64 x86_64 "$kx86" all)
bx_ok=$?
if [ "${GRAFT_ARM:-1}" != 0 ]; then
	karm=$(scripts/build-kernel.sh arm) || { result graft_build_arm fail "no arm test kernel"; finish; }
	ba=$(graft_build arm arm "$karm" zImage modules nuvoton/nuvoton-npcm750-evb.dtb)
	ba_ok=$?
fi
if [ $bx_ok = 0 ]; then
	result graft_build_x86_64 ok "y: $(tr '\n' ' ' <"$out/opts-x86_64.txt")"

	# Where menuconfig shows our options: as new symbols of the test
	# kernel's configuration (with the Rust KUnit tests menu on).
	{ grep -v '^CONFIG_RUST_KUNIT_TESTS=' "$kx86/.config"; echo CONFIG_RUST_KUNIT_TESTS=y; } >"$bx/graft-helpnew.config"
	make -s -C "$G" O="$bx" ARCH=x86_64 "${kmake_opts[@]}" KCONFIG_CONFIG=graft-helpnew.config \
		helpnewconfig >"$out/menu-locations.txt" 2>&1
	rm -f "$bx/graft-helpnew.config"
	mapfile -t prompted < <(find rust drivers tests -name 'Kconfig*' -type f -print0 | xargs -0 awk '
		/^(menu)?config[ \t]/ { name = $2; next }
		name != "" && /^[ \t]+(bool|tristate)[ \t]+"/ { print name; name = "" }
		/^[ \t]+(bool|tristate)[ \t]*$/ { name = "" }' | sort -u)
	hidden=
	for o in "${prompted[@]}"; do
		# Its location: at least two menus deep.
		awk -v s="Symbol: $o " 'index($0, s) == 1 { on = 1; next } /^Symbol:/ { on = 0 } on && /->/ { n++ } END { exit n < 3 }' \
			"$out/menu-locations.txt" || hidden+=" $o"
	done
	if [ -z "$hidden" ]; then
		result menuconfig_shows_every_option ok "see $out/menu-locations.txt"
	else
		result menuconfig_shows_every_option fail "not in a menu:$hidden"
	fi

	# kunit.py run in the grafted tree, on the grafted build: kunit.py
	# keeps a build directory whose .config has everything the kunitconfig
	# asks for and whose last kunitconfig was this one (else it would start
	# a new configuration from scratch); tell it that it was.
	rel=$(basename "$bx")
	(cd "$G" && python3 - "$rel" <<-'EOF'
		import os, sys
		sys.path.insert(0, 'tools/testing/kunit')
		import kunit_kernel
		build_dir = sys.argv[1]
		tree = kunit_kernel.LinuxSourceTree(build_dir, kunitconfig_paths=['tests/kunit'], arch='x86_64')
		path = kunit_kernel.get_old_kunitconfig_path(build_dir)
		if os.path.exists(path):
		    os.remove(path)
		tree._ops.make_arch_config(tree._kconfig).write_to_file(path)
	EOF
	)
	# kunit.py asks QEMU for -accel kvm, then hvf, then tcg; KVM guests hang
	# on this kind of machine. A qemu-system-x86_64 first on PATH drops the
	# kvm and hvf accelerators and logs the command line it runs.
	wrap=$(mktemp -d)
	real=$(command -v qemu-system-x86_64)
	cat >"$wrap/qemu-system-x86_64" <<-EOF
		#!/usr/bin/env bash
		args=()
		while [ \$# -gt 0 ]; do
			if [ "\$1" = -accel ] && [ "\${2-}" != tcg ]; then shift 2; continue; fi
			args+=("\$1"); shift
		done
		printf '%q ' "$real" "\${args[@]}" >>"$out/kunit-qemu-cmdline.txt"
		echo >>"$out/kunit-qemu-cmdline.txt"
		exec "$real" "\${args[@]}"
	EOF
	chmod +x "$wrap/qemu-system-x86_64"
	: >"$out/kunit-qemu-cmdline.txt"
	start=$SECONDS
	# kunit.py build (make: it has nothing to do) under the kernel build
	# lock; kunit.py run then makes again (nothing to do) and boots, without
	# holding the lock while it waits for a QEMU slot.
	exec 8>"$CACHE_DIR/.kbuild.lock"
	flock -n 8 || { say "graft: waiting for another kernel build to finish"; flock 8; }
	(cd "$G" && python3 tools/testing/kunit/kunit.py build --kunitconfig=tests/kunit --arch=x86_64 \
		--build_dir="$rel" --jobs="$jobs" "${kmake_opts[@]/#/--make_options=}" >"$out/kunit-build.log" 2>&1) ||
		warn "graft: kunit.py build failed (see $out/kunit-build.log)"
	flock -u 8
	# kunit.py's timeout counts the wait for a QEMU slot too.
	kto=$((${BOOT_TIMEOUT:-900} * 2))
	say "graft: kunit.py run --kunitconfig=tests/kunit --arch=x86_64 (QEMU TCG, timeout $kto s)"
	(cd "$G" && PATH="$wrap:$PATH" timeout --foreground -k 10 $((kto + 300)) \
		python3 tools/testing/kunit/kunit.py run --kunitconfig=tests/kunit --arch=x86_64 \
		--build_dir="$rel" --jobs="$jobs" --timeout="$kto" \
		"${kmake_opts[@]/#/--make_options=}" --json="$out/kunit-x86_64.json" \
		>"$out/kunit-run.log" 2>&1)
	rc=$?
	timed "x86_64: kunit.py run (build check + boot)" $((SECONDS - start))
	rm -rf "$wrap"
	cp "$bx/test.log" "$out/kunit-x86_64.ktap" 2>/dev/null || : >"$out/kunit-x86_64.ktap"
	if [ $rc = 0 ]; then
		result kunit_py_run ok
	else
		tail -n 20 "$out/kunit-run.log" >&2
		result kunit_py_run fail "exit status $rc; see $out/kunit-run.log"
	fi
	if [ -s "$out/kunit-qemu-cmdline.txt" ] && ! grep -qE 'accel[ =](kvm|hvf)|enable-kvm' "$out/kunit-qemu-cmdline.txt" &&
		grep -q -- '-accel tcg' "$out/kunit-qemu-cmdline.txt"; then
		result kunit_py_run_tcg_only ok
	else
		result kunit_py_run_tcg_only fail "$(head -c 300 "$out/kunit-qemu-cmdline.txt")"
	fi
	if grep -q "make.*$rel" "$out/kunit-run.log" && grep -qE '^  (CC|RUSTC) ' "$out/kunit-run.log"; then
		warn "graft: kunit.py rebuilt objects (see $out/kunit-run.log)"
	fi
	# Every suite of ours ran and passed; the kernel log is clean.
	ran=$(python3 -c '
import json, sys
with open(sys.argv[1]) as f:
    for g in json.load(f).get("sub_groups", []):
        m = g.get("misc", {})
        ok = m.get("tests", 0) > 0 and m.get("failed", 1) + m.get("crashed", 1) + m.get("errors", 1) == 0
        print(g["name"], "passed" if ok else "failed")
' "$out/kunit-x86_64.json" 2>/dev/null)
	notran=
	for s in "${suites[@]}"; do grep -qx "$s passed" <<<"$ran" || notran+=" $s"; done
	if [ -z "$notran" ] && [ ${#suites[@]} -gt 0 ]; then
		result every_suite_passed_built_in_x86_64 ok "${suites[*]}"
	else
		result every_suite_passed_built_in_x86_64 fail "did not run or failed:${notran:- (no suites found)}"
	fi
	if grep -E 'Oops|BUG:|kernel BUG|WARNING:|Call Trace|unreferenced object|general protection' \
		"$out/kunit-x86_64.ktap" >"$out/kunit-x86_64-problems.log"; then
		head -n 10 "$out/kunit-x86_64-problems.log" >&2
		result kernel_log_clean_x86_64 fail "see $out/kunit-x86_64-problems.log"
	else
		result kernel_log_clean_x86_64 ok
	fi

	# The kunitconfig on its own (a developer's first kunit.py run in a
	# grafted tree): configuring from it alone keeps all of it.
	start=$SECONDS
	rm -rf "$G/kbuild-kunitconfig"
	if (cd "$G" && python3 tools/testing/kunit/kunit.py config --kunitconfig=tests/kunit --arch=x86_64 \
		--build_dir=kbuild-kunitconfig "${kmake_opts[@]/#/--make_options=}" >"$out/kunit-config.log" 2>&1); then
		result kunitconfig_resolves_on_its_own ok
	else
		tail -n 10 "$out/kunit-config.log" >&2
		result kunitconfig_resolves_on_its_own fail "see $out/kunit-config.log"
	fi
	rm -rf "$G/kbuild-kunitconfig"
	timed "x86_64: kunit.py config from scratch" $((SECONDS - start))
else
	result graft_build_x86_64 fail "see the build log in $G/kbuild-x86_64-*/graft-build.log"
fi

if [ "${GRAFT_ARM:-1}" != 0 ]; then
	if [ "$ba_ok" = 0 ]; then
		result graft_build_arm ok "y: $(tr '\n' ' ' <"$out/opts-arm.txt")"
		start=$SECONDS
		say "graft: arm: booting the grafted kernel on npcm750-evb"
		# npcm_adc_c.sh holds the checks that npcm_adc_rs.sh runs; on its
		# own it finds the ADC taken by the built-in Rust driver and skips.
		if ARM_KDIR=$ba ARM_TESTS="tests/arm/npcm_adc_c.sh tests/arm/npcm_adc_rs.sh tests/arm/kunit.sh" \
			scripts/check-arm.sh --timeout "${GRAFT_ARM_TIMEOUT:-600}" >"$out/arm.ktap" 2>"$out/arm.log"; then
			result boot_arm_grafted ok
		else
			tail -n 20 "$out/arm.log" >&2
			result boot_arm_grafted fail "see $out/arm.log"
		fi
		timed "arm: initramfs and boot" $((SECONDS - start))
	else
		result graft_build_arm fail "see the build log in $G/kbuild-arm-*/graft-build.log"
	fi
fi
finish
