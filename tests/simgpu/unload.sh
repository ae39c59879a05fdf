#!/usr/bin/env bash
# tests/simgpu/unload.sh: simgpu cannot be unloaded while a process holds the
# device, can be after, and leaks nothing.
#
# A helper (`simgpu-probe hold`) opens the device, creates a VM, a queue
# and BOs, runs a job and waits. While it lives, `rmmod simgpu` must fail
# and the module stay. After the helper is gone, rmmod must succeed (a few
# retries are allowed while the last fences are released),
# /sys/module/simgpu must disappear, and the kernel log must show the
# driver's "no objects leaked" line and none of its leak warnings. The
# default module is loaded again at the end, also on failure.
set -u
. "$(dirname "$0")/lib.sh"
require_vm
require_ko
work=$(mktemp -d /tmp/simgpu-unload.XXXXXX)
holder=
cleanup() {
	local rc=$?

	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	exec 8>&- 2>/dev/null
	rm -rf "$work"
	restore_default "$rc"
}
trap cleanup EXIT

"$SIMGPU_WORKLOADS/simgpu-basic" -i 1 >/dev/null || fail "simgpu-basic failed"
dmesg_mark

mkfifo "$work/stdin"
"$SIMGPU_TESTBIN/simgpu-probe" hold <"$work/stdin" >"$work/hold.out" 2>&1 &
holder=$!
exec 8>"$work/stdin"		# the holder runs until we close this
for _ in $(seq 1 200); do
	grep -q '^ready' "$work/hold.out" && break
	kill -0 "$holder" 2>/dev/null || fail "the holder died: $(cat "$work/hold.out")"
	sleep 0.1
done
grep -q '^ready' "$work/hold.out" || fail "the holder never became ready"
note "holder $holder has the device open ($(cat /sys/module/simgpu/refcnt) module references)"

if rmmod simgpu 2>"$work/rmmod.err"; then
	fail "rmmod simgpu succeeded while a process holds the device open"
fi
note "rmmod refused while held: $(cat "$work/rmmod.err")"
[ -d /sys/module/simgpu ] || fail "/sys/module/simgpu vanished although rmmod failed"
# The held device still works.
"$SIMGPU_WORKLOADS/simgpu-basic" -i 1 >/dev/null || fail "simgpu-basic fails after the refused rmmod"

exec 8>&-
wait "$holder" || fail "the holder exited with an error: $(cat "$work/hold.out")"
holder=

ok=0
for i in $(seq 1 50); do
	if rmmod simgpu 2>"$work/rmmod.err"; then
		ok=1
		break
	fi
	sleep 0.2
done
[ "$ok" = 1 ] || fail "rmmod simgpu still fails 10 s after the last close: $(cat "$work/rmmod.err")"
note "rmmod succeeded after the close (attempt $i)"
[ -d /sys/module/simgpu ] && fail "/sys/module/simgpu still exists after rmmod"

log=$(dmesg_since)
printf '%s\n' "$log" | grep -q "leaked objects" &&
	fail "the driver reports leaked objects: $(printf '%s\n' "$log" | grep "leaked objects")"
printf '%s\n' "$log" | grep -q "simgpu: unloaded, no objects leaked" ||
	fail "no 'simgpu: unloaded, no objects leaked' line in the kernel log after rmmod"
check_dmesg_clean
note "unload refused while held, succeeded after, nothing leaked"
