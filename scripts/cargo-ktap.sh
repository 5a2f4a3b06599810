#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the cargo tests of one host crate and prints them as KTAP on stdout,
# one test case per cargo test; cargo's own output goes to stderr.
#   scripts/cargo-ktap.sh SUITE_NAME CRATE_DIR
# Needs cargo (rustup, $HOME/.cargo/bin); the crates it runs have no
# dependencies outside this repository, so they build offline.
set -uo pipefail
NAME=$1
CRATE=$2
export PATH=$HOME/.cargo/bin:$PATH
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/iio-media-rs/cargo-target/$NAME}
export CARGO_NET_OFFLINE=true

log=$(mktemp "/tmp/$NAME-host-test.XXXXXX")
trap 'rm -f "$log"' EXIT

# The release profile with the test settings: overflow checks stay on.
(cd "$CRATE" && cargo test --release -j2 --config 'profile.release.overflow-checks=true' \
	-- --test-threads=2) >"$log" 2>&1
status=$?
cat "$log" >&2

# "Running unittests src/lib.rs (...)" / "Running tests/x.rs (...)" name the
# binary; "test NAME ... ok|FAILED|ignored" are the results.
mapfile -t cases < <(awk '
	/^ *Running / {
		bin = $2; if (bin == "unittests") bin = $3
		sub(/^.*\//, "", bin); sub(/\.rs$/, "", bin)
		next
	}
	/^ *Doc-tests / { bin = "doc"; next }
	/^test .* \.\.\. / {
		res = $NF; name = $2; gsub(/::/, ".", name)
		if (res == "ok") s = "ok"
		else if (res == "ignored") s = "skip"
		else s = "fail"
		print s " " bin "." name
	}' "$log")

echo "KTAP version 1"
echo "1..1"
echo "    KTAP version 1"
echo "    # Subtest: ${NAME}_host"
n=${#cases[@]}
fails=0
if [ "$n" = 0 ]; then
	# Nothing ran: the build failed (cargo's output is on stderr).
	echo "    1..1"
	echo "    not ok 1 cargo_test # cargo test exited with status $status"
	fails=1
else
	echo "    1..$n"
	i=0
	for c in "${cases[@]}"; do
		i=$((i + 1))
		case ${c%% *} in
		ok) echo "    ok $i ${c#* }" ;;
		skip) echo "    ok $i ${c#* } # SKIP ignored" ;;
		*) echo "    not ok $i ${c#* }"; fails=$((fails + 1)) ;;
		esac
	done
	# A failure outside any test (e.g. a crashed test binary).
	if [ "$status" != 0 ] && [ "$fails" = 0 ]; then
		fails=1
	fi
fi
if [ "$fails" = 0 ]; then
	echo "ok 1 ${NAME}_host"
else
	echo "not ok 1 ${NAME}_host"
fi
