#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the x86_64 test guest (virtme-ng, the host's root file system).
#   guest-run.sh OUTDIR MODULE.ko... -- SCRIPT...
#
# Loads each module in order, keeping what the kernel logs while it loads
# (its KUnit suites run at insmod) as OUTDIR/kunit-<module>.ktap; then runs
# each guest test script, which prints KTAP, into OUTDIR/script-<name>.ktap
# (with OUTDIR in its environment, for files it keeps);
# then unloads the modules in reverse order. Last, the kernel log of the whole run
# must show no oops, BUG, WARNING or leak: that is one more KTAP result.
out=$1
shift
mods=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	mods="$mods $1"
	shift
done
[ "$1" = -- ] && shift

mount -t debugfs none /sys/kernel/debug 2>/dev/null
dmesg -n 1 # keep the console for our own output
# scripts/check.sh's SysRq console (ttyS1): the 8250 driver only receives
# (a break, then the SysRq key) on a port that is open. Hold it open.
holder=
if [ -c /dev/ttyS1 ]; then
	sleep 100000 </dev/ttyS1 >/dev/null 2>&1 &
	holder=$!
fi
dmesg > "$out/boot.log"

loaded=
n=0
results=
for m in $mods; do
	name=$(basename "$m" .ko)
	n=$((n + 1))
	echo "guest: insmod $name"
	dmesg -C
	if insmod "$m"; then
		loaded="$name $loaded"
		results="${results}ok $n insmod_$name\n"
	else
		results="${results}not ok $n insmod_$name\n"
	fi
	dmesg > "$out/$name.log"
	cat "$out/$name.log" >> "$out/kernel.log"
	# Its KUnit suites, if it has any.
	grep -q 'KTAP version' "$out/$name.log" && cp "$out/$name.log" "$out/kunit-$name.ktap"
done
printf "KTAP version 1\n1..$n\n$results" > "$out/insmod.ktap"

for s in "$@"; do
	name=$(basename "$s" .sh)
	echo "guest: running $name"
	dmesg -C
	OUTDIR=$out sh "$s" > "$out/script-$name.ktap" 2>&1
	dmesg >> "$out/kernel.log"
done

dmesg -C
status=ok
for name in $loaded; do
	# A guest script may have unloaded it already (the camera suite
	# unloads the drivers it tested).
	[ -e "/sys/module/$name/initstate" ] || { echo "guest: $name already unloaded"; continue; }
	echo "guest: rmmod $name"
	rmmod "$name" || status="not ok"
done
printf 'KTAP version 1\n1..1\n%s 1 rmmod_all\n' "$status" > "$out/rmmod.ktap"
dmesg >> "$out/kernel.log"

# The kernel log must be clean.
status=ok
if grep -E 'Oops|BUG:|kernel BUG|WARNING:|Call Trace|unreferenced object|general protection' "$out/kernel.log" > "$out/kernel-problems.log"; then
	status="not ok"
fi
printf 'KTAP version 1\n1..1\n%s 1 kernel_log_clean\n' "$status" > "$out/kernel_log.ktap"
[ -n "$holder" ] && kill "$holder"
echo "guest: done"
