#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every test: `make check`. Builds the toolchain, the test kernels and
# our modules; checks clippy and rustfmt; boots the x86_64 kernel under
# virtme-ng (QEMU, TCG) to load every module (their KUnit suites run at
# insmod) and run the guest scripts in tests/guest/; runs the host tests;
# boots the arm kernel on QEMU's npcm750-evb. All results are KTAP, parsed by
# the kernel's tools/testing/kunit/kunit.py. Ends with `N passed, N failed`
# and a non-zero exit status if anything failed.
#
# Environment: BOOT_TIMEOUT (seconds for the x86_64 boot, default 900),
# ARM_TIMEOUT (seconds for the arm boot, default 300; it takes about 60),
# CHECK_ARM=0 to skip the arm boots, CHECK_GRAFT=0 to skip the grafted
# kernels, KEEP=1 to keep the results directory.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP"

BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
results=$(mktemp -d /tmp/iio-media-rs-check.XXXXXX)
passed=0 failed=0 skipped=0
failures=()

# record NAME ok|fail: one host-side check.
record() {
	if [ "$2" = ok ]; then
		passed=$((passed + 1))
		echo "ok - $1"
	else
		failed=$((failed + 1))
		failures+=("$1")
		echo "not ok - $1"
	fi
}

# ktap NAME FILE: parse a KTAP file with kunit.py and add up its results.
ktap() {
	local name=$1 file=$2 p f s
	python3 "$(kernel_src)/tools/testing/kunit/kunit.py" parse \
		--json="$results/$name.json" "$file" >"$results/$name.parsed" 2>&1
	read -r p f s < <(python3 "$TOP/scripts/ktap-count.py" "$results/$name.json")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$f" = 0 ] || failures+=("$name (see $results/$name.parsed)")
	printf '%-40s passed %3d  failed %3d  skipped %3d\n' "$name" "$p" "$f" "$s"
	[ "$f" = 0 ] || grep -E 'FAILED|ERROR|CRASHED' "$results/$name.parsed" | head -n 20
}

finish() {
	echo
	if [ ${#failures[@]} -gt 0 ]; then
		echo "Failed:"
		printf '  %s\n' "${failures[@]}"
	fi
	echo "Results and logs: $results"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit
}

say "check: toolchain"
scripts/bootstrap.sh || { record bootstrap fail; finish; }

say "check: x86_64 test kernel"
kx86=$(scripts/build-kernel.sh x86_64) || { record kernel_x86_64 fail; finish; }

say "check: modules with clippy"
if make CLIPPY=1 >"$results/clippy.log" 2>&1; then
	if grep -E 'warning:|error:|WARNING:' "$results/clippy.log"; then
		record clippy fail
	else
		record clippy ok
	fi
else
	tail -n 30 "$results/clippy.log"
	record clippy fail
fi

say "check: modules"
if make >"$results/build.log" 2>&1 && ! grep -E 'warning:|error:|WARNING:' "$results/build.log"; then
	record build_modules ok
else
	tail -n 30 "$results/build.log"
	record build_modules fail
	finish
fi

say "check: rustfmt"
if scripts/rustfmt.sh --check >"$results/rustfmt.log" 2>&1; then
	record rustfmt ok
else
	head -n 30 "$results/rustfmt.log"
	record rustfmt fail
fi

say "check: host tests"
for t in tests/host/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	timeout 3600 bash "$t" >"$results/host-$name.ktap" 2>"$results/host-$name.err"
	ktap "host-$name" "$results/host-$name.ktap"
done

say "check: x86_64 guest (virtme-ng, TCG, timeout ${BOOT_TIMEOUT}s)"
mapfile -t mods < <(echo build/x86_64/kernel_ext.ko; find build/x86_64/drivers build/x86_64/tests -name '*.ko' 2>/dev/null | sort)
mapfile -t scripts < <([ -d tests/guest ] && find tests/guest -name '*.sh' | sort)
guest_out=$results/guest
mkdir -p "$guest_out"
start=$SECONDS
timeout --foreground -k 10 "$BOOT_TIMEOUT" vng --run "$kx86/arch/x86/boot/bzImage" \
	--disable-kvm --memory 2G --cpus 2 --verbose --rwdir "$guest_out" \
	--exec "sh $TOP/scripts/guest-run.sh $guest_out ${mods[*]/#/$TOP/} -- ${scripts[*]/#/$TOP/}" \
	</dev/null >"$results/guest-console.log" 2>&1
rc=$?
if [ $rc = 124 ] || [ $rc = 137 ]; then
	tail -n 20 "$results/guest-console.log"
	echo "error: the x86_64 guest did not finish within ${BOOT_TIMEOUT}s (BOOT_TIMEOUT)" >&2
	record boot_x86_64 fail
elif [ ! -f "$guest_out/kernel_log.ktap" ]; then
	tail -n 20 "$results/guest-console.log"
	echo "error: the x86_64 guest stopped before finishing its tests (exit status $rc)" >&2
	record boot_x86_64 fail
else
	record boot_x86_64 ok
	say "check: guest finished in $((SECONDS - start)) s"
fi
for f in "$guest_out"/*.ktap; do
	[ -e "$f" ] || continue
	ktap "$(basename "$f" .ktap)" "$f"
done
[ -s "$guest_out/kernel-problems.log" ] && { echo "Kernel log problems:"; head -n 20 "$guest_out/kernel-problems.log"; }

if [ "${CHECK_ARM:-1}" != 0 ]; then
	say "check: arm modules (with clippy)"
	if make ARCH=arm CLIPPY=1 >"$results/build-arm.log" 2>&1 &&
		! grep -E 'warning:|error:|WARNING:' "$results/build-arm.log"; then
		record build_modules_arm ok
		say "check: arm (npcm750-evb)"
		mapfile -t arm_files < <(echo build/arm/kernel_ext.ko
			find build/arm/drivers build/arm/tests -name '*.ko' 2>/dev/null | sort
			scripts/arm-tools.sh)
		if scripts/check-arm.sh --timeout "${ARM_TIMEOUT:-300}" "${arm_files[@]}" \
			>"$results/arm.ktap" 2>"$results/arm.log"; then
			record boot_arm ok
		else
			tail -n 20 "$results/arm.log"
			record boot_arm fail
		fi
		ktap arm "$results/arm.ktap"
	else
		tail -n 30 "$results/build-arm.log"
		record build_modules_arm fail
	fi
fi

# Grafted kernels (scripts/check-graft.sh): our code grafted into a copy of
# the pinned source, built in, booted on x86_64 (kunit.py run) and arm.
check_graft() {
	[ "${CHECK_GRAFT:-1}" != 0 ] || return 0
	say "check: grafted kernels (scripts/check-graft.sh)"
	GRAFT_ARM=${CHECK_ARM:-1} scripts/check-graft.sh "$results/graft" 2> >(tee "$results/graft.log" >&2)
	local f
	for f in graft kunit-x86_64 arm; do
		[ -f "$results/graft/$f.ktap" ] && ktap "graft-$f" "$results/graft/$f.ktap"
	done
	[ -f "$results/graft/graft.ktap" ] || record graft fail
}
check_graft

finish
