#!/usr/bin/env bash
# tests/simgpu/tracepoints.sh: the simgpu tracepoints fire with plausible
# fields.
#
#   tests/simgpu/tracepoints.sh FW_ABI
#
# Makes sure simgpu runs with fw_abi=FW_ABI (reloading it if needed),
# enables every simgpu event in a private tracefs instance, runs
# simgpu-basic (2 iterations: 6 jobs on one queue), writes a marker, runs
# `simgpu-probe fault` (three faulting jobs and a good one), and checks the
# trace with tracecheck.awk: every event fired (ioctl enter/exit, GEM
# create/mmap/free, VM create/destroy, VM-bind op/done, firmware message
# send/recv, job submit/run/done, job start on ABI v2, GPU fault); ioctls
# pair up; job_done matches job_submit seqno for seqno with result 0 and a
# real hash; BOs created are bound and freed; every firmware message says
# abi=FW_ABI; the faults are reported at the right VAs. Restores the
# default module at the end, also on failure.
set -u
. "$(dirname "$0")/lib.sh"
[ $# = 1 ] || fail "usage: tracepoints.sh FW_ABI"
abi=$1
t_name="tracepoints.sh[fw_abi=$abi]"
require_vm
require_ko
work=$(mktemp -d /tmp/simgpu-trace.XXXXXX)
cleanup() {
	local rc=$?

	trace_cleanup
	rm -rf "$work"
	restore_default "$rc"
}
trap cleanup EXIT

with_fw_abi "$abi"
dmesg_mark
trace_start simgpu-tp

"$SIMGPU_WORKLOADS/simgpu-basic" -i 2 >"$work/basic.out" 2>&1 &
basic_pid=$!
wait "$basic_pid" || { cat "$work/basic.out" >&2; fail "simgpu-basic failed"; }
echo "SEGMENT-FAULT" >"$trace_dir/trace_marker"
"$SIMGPU_TESTBIN/simgpu-probe" fault >"$work/fault.out" 2>"$work/fault.err" &
fault_pid=$!
wait "$fault_pid" || { cat "$work/fault.err" >&2; fail "simgpu-probe fault failed"; }
# BOs and VMs are freed by the driver's cleanup work after the close.
sleep 1
trace_stop "$work/trace"

out=$(<"$work/fault.out")
awk -f "$SIMGPU_TESTSRC/tracecheck.awk" -v abi="$abi" -v basic_pid="$basic_pid" \
	-v wva="$(kv fault_write_va "$out")" -v rva="$(kv fault_read_va "$out")" \
	-v ova="$(kv fault_readonly_va "$out")" "$work/trace" >"$work/check" ||
	{ cat "$work/check" >&2; fail "the trace does not show the expected events (above)"; }
note "events: $(<"$work/check")"
check_dmesg_clean
note "all simgpu tracepoints fired with plausible fields (fw_abi=$abi)"
