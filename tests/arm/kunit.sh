# SPDX-License-Identifier: GPL-2.0
#
# Guest test (busybox sh, run by the arm initramfs's /init with
# /etc/harness.sh loaded): the KUnit suites of our modules on 32-bit arm.
# Every module under extra/ that is not a driver is loaded (its suites run
# at load); each suite's result, from /sys/kernel/debug/kunit/SUITE/results,
# is one KTAP line here, with its failed cases as diagnostics.

krel=$(uname -r)
mods=""
for m in /lib/modules/$krel/extra/*.ko; do
	[ -e "$m" ] || continue
	name=$(basename "$m" .ko)
	# Drivers bind to hardware; their own scripts test them.
	modinfo -F alias "$m" 2>/dev/null | grep -q . && continue
	mods="$mods $name"
done
for m in $mods; do modprobe "$m" || echo "# modprobe $m failed"; done

set -- /sys/kernel/debug/kunit/*/results
[ -e "$1" ] || set --
ktap_plan $#
for r in "$@"; do
	suite=$(basename "$(dirname "$r")")
	ktap_diag "$suite: $(tail -n 1 "$r")"
	grep '^ *not ok ' "$r" | sed "s/^ */$KTAP_INDENT# /"
	# The suite's own verdict is its last result line (not indented).
	if tail -n 1 "$r" | grep -q '^ok '; then ktap_ok "$suite"; else ktap_not_ok "$suite"; fi
done
for m in $mods; do rmmod "$m" 2>/dev/null; done
ktap_finish
