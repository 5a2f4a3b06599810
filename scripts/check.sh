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
# Environment: BOOT_TIMEOUT (seconds for the x86_64 boot, default 3000: the
# camera suites take most of it),
# ARM_TIMEOUT (seconds for the arm boot, default 900; it takes about 240),
# CHECK_ARM=0 to skip the arm boot, KASAN=1 to boot the KASAN flavour
# (x86_64-debug) too, KEEP=1 to keep the results directory. A guest that
# times out gets SysRq-w and -t before it is killed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TOP"

BOOT_TIMEOUT=${BOOT_TIMEOUT:-3000}
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

# guest_boot TIMEOUT LOG COMMAND...: runs a QEMU guest (COMMAND, e.g. vng) in
# a process group of its own, output to LOG. After TIMEOUT seconds it sends
# SysRq-w and -t over $sysrq_sock (their output goes to every console,
# LOG included) and kills the group: QEMU too, which timeout(1) would leave
# running. Returns COMMAND's status, 124 on timeout.
guest_boot() {
	local to=$1 log=$2 pid t=0
	shift 2
	setsid "$@" </dev/null >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null && [ $t -lt "$to" ]; do
		sleep 1
		t=$((t + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "check: guest timeout after ${to}s: SysRq-w and -t" >>"$log"
		python3 "$TOP/scripts/sysrq.py" "$sysrq_sock" wt >>"$log.sysrq" 2>&1
		kill -TERM -- "-$pid" 2>/dev/null
		sleep 5
		kill -KILL -- "-$pid" 2>/dev/null
		wait "$pid"
		return 124
	fi
	wait "$pid"
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

# x86_guest FLAVOUR KDIR: one virtme-ng boot of kernel KDIR with our
# modules built for FLAVOUR (build/FLAVOUR/) and every guest script.
x86_guest() {
	local flavour=$1 kdir=$2 tag=${1#x86_64} f rc start=$SECONDS
	local out=$results/guest$tag mods scripts
	say "check: $flavour guest (virtme-ng, TCG, timeout ${BOOT_TIMEOUT}s)"
	mapfile -t mods < <(echo "build/$flavour/kernel_ext.ko"
		find "build/$flavour/drivers" "build/$flavour/tests" -name '*.ko' \
			-not -path '*/tests/camera/*' 2>/dev/null | sort)
	mapfile -t scripts < <([ -d tests/guest ] && find tests/guest -name '*.sh' | sort)
	mkdir -p "$out"
	# The emulated camera board (tests/camera) is loaded by its own suite.
	# A second serial console (ttyS1) on a socket, for SysRq if the guest
	# hangs: scripts/sysrq.py sends a break through QEMU's mux and the key.
	sysrq_sock=$results/sysrq$tag.sock
	guest_boot "$BOOT_TIMEOUT" "$results/guest$tag-console.log" vng --run "$kdir/arch/x86/boot/bzImage" \
		--disable-kvm --memory 2G --cpus 2 --verbose --rwdir "$out" \
		--qemu-opts="-chardev socket,id=sysrq,path=$sysrq_sock,server=on,wait=off,mux=on -serial chardev:sysrq" \
		--append "console=ttyS1 console=ttyS0" "${VNG_APPEND[@]}" \
		--exec "sh $TOP/scripts/guest-run.sh $out ${mods[*]/#/$TOP/} -- ${scripts[*]/#/$TOP/}"
	rc=$?
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		tail -n 20 "$results/guest$tag-console.log"
		echo "error: the $flavour guest did not finish within ${BOOT_TIMEOUT}s (BOOT_TIMEOUT); SysRq-w/-t output in $results/guest$tag-console.log" >&2
		record "boot_$flavour" fail
	elif [ ! -f "$out/kernel_log.ktap" ]; then
		tail -n 20 "$results/guest$tag-console.log"
		echo "error: the $flavour guest stopped before finishing its tests (exit status $rc)" >&2
		record "boot_$flavour" fail
	else
		record "boot_$flavour" ok
		say "check: $flavour guest finished in $((SECONDS - start)) s"
	fi
	for f in "$out"/*.ktap; do
		[ -e "$f" ] || continue
		ktap "${tag:+kasan-}$(basename "$f" .ktap)" "$f"
	done
	[ -s "$out/kernel-problems.log" ] && { echo "Kernel log problems:"; head -n 20 "$out/kernel-problems.log"; }
	return 0
}

x86_guest x86_64 "$kx86"

# KASAN=1: the same boot on the KASAN flavour (x86_64-debug), modules built
# against it into build/x86_64-debug/.
if [ "${KASAN:-0}" != 0 ]; then
	start=$SECONDS
	say "check: x86_64-debug (KASAN) kernel"
	if kdbg=$(scripts/build-kernel.sh x86_64-debug) &&
		make FLAVOUR=x86_64-debug >"$results/build-kasan.log" 2>&1; then
		record build_x86_64_debug ok
		say "check: KASAN kernel and modules ready after $((SECONDS - start)) s"
		x86_guest x86_64-debug "$kdbg"
		say "check: KASAN part took $((SECONDS - start)) s"
	else
		tail -n 30 "$results/build-kasan.log"
		record build_x86_64_debug fail
	fi
fi

if [ "${CHECK_ARM:-1}" != 0 ]; then
	say "check: arm modules (with clippy)"
	if make ARCH=arm CLIPPY=1 >"$results/build-arm.log" 2>&1 &&
		! grep -E 'warning:|error:|WARNING:' "$results/build-arm.log"; then
		record build_modules_arm ok
		say "check: arm (npcm750-evb)"
		mapfile -t arm_files < <(echo build/arm/kernel_ext.ko
			find build/arm/drivers build/arm/tests -name '*.ko' 2>/dev/null | sort
			scripts/arm-tools.sh)
		if scripts/check-arm.sh --timeout "${ARM_TIMEOUT:-900}" "${arm_files[@]}" \
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

finish
