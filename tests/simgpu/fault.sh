#!/usr/bin/env bash
# tests/simgpu/fault.sh: a GPU fault fails its job and nothing else.
#
# `simgpu-probe fault` runs jobs that write an unmapped VA, read one, and
# write a read-only mapping: each job's out-fence must carry -EFAULT (read
# back through the syncobj's sync_file), writes before the fault must have
# landed and none after it; a following job on the same queue must work.
# The trace must show one gpu_fault per faulting job at the VA the probe
# reports (type and access right), and their job_done with result=-14.
# Then the workloads still run. Last, the other job error: with simgpu
# loaded with job_timeout_ms=300 (firmware ABI v2 takes the watchdog from
# the driver), a 600 ms job fails with -ETIMEDOUT and the next job works.
# The kernel log must stay clean. The default module is restored at the
# end, also on failure.
set -u
. "$(dirname "$0")/lib.sh"
require_vm
require_ko
work=$(mktemp -d /tmp/simgpu-fault.XXXXXX)
cleanup() {
	local rc=$?

	trace_cleanup
	rm -rf "$work"
	restore_default "$rc"
}
trap cleanup EXIT

dmesg_mark
trace_start simgpu-fault
out=$("$SIMGPU_TESTBIN/simgpu-probe" fault) || { trace_cleanup; fail "simgpu-probe fault failed"; }
trace_stop "$work/trace"
printf '%s\n' "$out"

wva=$(kv fault_write_va "$out")
rva=$(kv fault_read_va "$out")
ova=$(kv fault_readonly_va "$out")
grep -q "simgpu_gpu_fault: .* va=$wva type=translation access=write" "$work/trace" ||
	fail "no gpu_fault event for the write to unmapped VA $wva"
grep -q "simgpu_gpu_fault: .* va=$rva type=translation access=read" "$work/trace" ||
	fail "no gpu_fault event for the read of unmapped VA $rva"
grep -q "simgpu_gpu_fault: .* va=$ova type=permission access=write" "$work/trace" ||
	fail "no gpu_fault event for the write to read-only VA $ova"
n=$(grep -c "simgpu_job_done: .* result=-14 " "$work/trace")
[ "$n" = 3 ] || fail "$n job_done events with result=-14, expected 3"
grep -q "simgpu_fw_msg_recv: .* name=GPU_FAULT" "$work/trace" ||
	fail "no GPU_FAULT firmware message in the trace"

# Nothing else is hurt: a workload still passes.
"$SIMGPU_WORKLOADS/simgpu-basic" -i 1 >/dev/null || fail "simgpu-basic fails after the GPU faults"
note "GPU faults fail their jobs with -EFAULT, are traced, and later jobs work"

# The watchdog.
reload fw_abi=2 job_timeout_ms=300
out=$("$SIMGPU_TESTBIN/simgpu-probe" timeout) || fail "simgpu-probe timeout failed"
printf '%s\n' "$out"
note "a job running past job_timeout_ms fails with -ETIMEDOUT, later jobs work"
check_dmesg_clean
