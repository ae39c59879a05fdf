#!/usr/bin/env bash
# tests/simgpu/vmtest.sh: run one VM test program (e.g. simgpu-uapi) after
# checking that we are in the test VM with simgpu loaded; fails loudly
# otherwise instead of skipping.
#
#   tests/simgpu/vmtest.sh PROGRAM [ARGS...]
#
# Exit status: the program's, or 1 when the environment is wrong.
set -u
. "$(dirname "$0")/lib.sh"
t_name=${1##*/}
require_vm
[ $# -ge 1 ] || fail "no program given"
dmesg_mark
"$@"
rc=$?
[ "$rc" = 0 ] || fail "$* exited with status $rc"
check_dmesg_clean
exit 0
