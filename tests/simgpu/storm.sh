#!/usr/bin/env bash
# tests/simgpu/storm.sh: a random-ioctl storm leaves the kernel clean.
#
# Runs simgpu-storm (several threads, a few thousand random simgpu and DRM
# core ioctls; it checks that the device still runs a job afterwards), then
# unloads simgpu (its leak check runs at unload) and loads it again, and
# fails if the kernel log since the start has any BUG, WARNING, Oops,
# lockdep, KASAN or leak line. SIMGPU_STORM_SEED picks the seed (default:
# time, printed). The default module is restored at the end, also on
# failure.
set -u
. "$(dirname "$0")/lib.sh"
require_vm
require_ko
trap restore_default EXIT

seed=${SIMGPU_STORM_SEED:-$(date +%s)}
dmesg_mark
"$SIMGPU_TESTBIN/simgpu-storm" -t 4 -n 800 -s "$seed"
rc=$?
[ "$rc" = 0 ] || fail "simgpu-storm exited with status $rc (seed $seed)"
check_dmesg_clean
# Unload: the driver checks for leaked objects. This reload restores the
# default module already.
# shellcheck disable=SC2086
reload --force ${SIMGPU_PARAMS:-}
reloaded=0
dmesg_since | grep -q "simgpu: unloaded, no objects leaked" ||
	fail "no 'no objects leaked' line after unloading following the storm (seed $seed)"
check_dmesg_clean
note "the kernel log is clean after the storm (seed $seed)"
