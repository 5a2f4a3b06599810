#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Counts the results in the JSON that `kunit.py parse --json` writes.

Usage: ktap-count.py RESULT.json  ->  prints "PASSED FAILED SKIPPED"

The KTAP itself is parsed by the kernel's tools/testing/kunit/kunit.py; this
only adds up its leaf test cases. A file that kunit.py could not parse, or
with no test case in it, counts as one failure.
"""
import json
import sys


def count(group, totals):
    for case in group.get("test_cases", []):
        status = case.get("status")
        key = {"PASS": 0, "SKIP": 2}.get(status, 1)
        totals[key] += 1
    for sub in group.get("sub_groups", []):
        count(sub, totals)


def main():
    totals = [0, 0, 0]
    try:
        with open(sys.argv[1]) as f:
            count(json.load(f), totals)
    except (OSError, ValueError):
        totals = [0, 1, 0]
    if sum(totals) == 0:
        totals[1] = 1
    print(*totals)


if __name__ == "__main__":
    main()
