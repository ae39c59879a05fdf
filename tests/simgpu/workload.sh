#!/usr/bin/env bash
# tests/simgpu/workload.sh: run one simgpu workload with the firmware booted
# in a given message ABI version.
#
#   tests/simgpu/workload.sh FW_ABI PROGRAM [ARGS...]
#
# Makes sure simgpu runs with fw_abi=FW_ABI (reloading it if it does not),
# checks that the device reports that ABI, runs $SIMGPU_WORKLOADS/PROGRAM (which checks its own results and
# exits non-zero on a wrong one), checks that the kernel log stayed clean,
# and restores the default module at the end, also on failure.
set -u
. "$(dirname "$0")/lib.sh"
[ $# -ge 2 ] || fail "usage: workload.sh FW_ABI PROGRAM [ARGS...]"
abi=$1
prog=$2
shift 2
t_name="workload.sh[$prog fw_abi=$abi]"
require_vm
require_ko
trap restore_default EXIT

with_fw_abi "$abi"
[ "$(param fw_abi)" = "$abi" ] || fail "fw_abi parameter is $(param fw_abi), expected $abi"
info=$("$SIMGPU_TESTBIN/simgpu-probe" info) || fail "simgpu-probe info failed"
got=$(kv fw_abi_version "$info")
[ "$got" = "$abi" ] || fail "the device reports firmware ABI v$got, expected v$abi"

dmesg_mark
"$SIMGPU_WORKLOADS/$prog" "$@"
rc=$?
[ "$rc" = 0 ] || fail "$prog $* exited with status $rc"
check_dmesg_clean
note "$prog passed with firmware ABI v$abi"
