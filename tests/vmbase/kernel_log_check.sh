#!/usr/bin/env bash
# kernel_log_check.sh: run last in the test VM's boot (scripts/test), after
# every VM test. Fails when the kernel log of the whole boot has an oops, a
# BUG, a WARNING, a hung task or a simgpu leak report: a test can pass while
# a work item it started crashes later (simgpu's VM teardown once oopsed that
# way, after the test that caused it had already passed), and this is where
# such a crash shows. Prints the lines around the first match.
set -u
if [ "${DRMSCOPE_IN_VM:-}" != 1 ]; then
	echo "kernel_log_check: FAIL: not inside the drmscope test VM" >&2
	exit 1
fi
pattern='BUG:|WARNING:|Oops|general protection|KASAN|UBSAN|lockdep|Call Trace|leaked objects|blocked for more than'
log=$(dmesg) || { echo "kernel_log_check: FAIL: cannot read the kernel log" >&2; exit 1; }
first=$(printf '%s\n' "$log" | grep -nE "$pattern" | head -n 1 | cut -d: -f1)
if [ -n "$first" ]; then
	echo "kernel_log_check: FAIL: the kernel log of this boot has bug/warning lines:" >&2
	printf '%s\n' "$log" | sed -n "$((first > 20 ? first - 20 : 1)),$((first + 60))p" >&2
	exit 1
fi
echo "kernel_log_check: the kernel log of this boot is clean"
