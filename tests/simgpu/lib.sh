# tests/simgpu/lib.sh: helpers shared by the simgpu VM test scripts (sourced,
# not run). They run as root inside scripts/vm-run; outside the VM, or with
# simgpu not loaded, they fail loudly instead of skipping.
#
# Environment (set by tests/simgpu/CMakeLists.txt and by vm-run):
#   SIMGPU_WORKLOADS   directory of simgpu-basic, simgpu-frames, ...
#   SIMGPU_TESTBIN     directory of simgpu-probe, simgpu-uapi, simgpu-storm
#   SIMGPU_TESTSRC     this directory (reload.sh)
#   DRMSCOPE_IN_VM     1 inside the VM
#   DRMSCOPE_SIMGPU_KO path of the simgpu.ko that vm-run loaded
#   SIMGPU_PARAMS      parameters vm-run loaded it with (the "default")

t_name=${0##*/}

fail() {
	printf '%s: FAIL: %s\n' "$t_name" "$*" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "$t_name" "$*"
}

# The test must run in the VM with simgpu loaded.
require_vm() {
	[ "${DRMSCOPE_IN_VM:-}" = 1 ] ||
		fail "not inside the test VM (DRMSCOPE_IN_VM is not 1): run it with scripts/vm-run"
	[ "$(id -u)" = 0 ] || fail "must run as root (the VM runs tests as root)"
	[ -d /sys/module/simgpu ] ||
		fail "the simgpu module is not loaded (/sys/module/simgpu is missing)"
	for v in SIMGPU_WORKLOADS SIMGPU_TESTBIN SIMGPU_TESTSRC; do
		[ -n "${!v:-}" ] || fail "$v is not set (run the test through ctest)"
	done
}

# Tests that reload the module also need its path.
require_ko() {
	[ -n "${DRMSCOPE_SIMGPU_KO:-}" ] && [ -f "$DRMSCOPE_SIMGPU_KO" ] ||
		fail "DRMSCOPE_SIMGPU_KO does not name the loaded simgpu.ko (is it set by vm-run?)"
}

# reload PARAMS...: rmmod simgpu and insmod it with PARAMS.
reloaded=0
reload() {
	reloaded=1
	bash "$SIMGPU_TESTSRC/reload.sh" "$@" || fail "could not reload simgpu with: $*"
}

# with_fw_abi ABI: make sure the firmware runs message ABI ABI, reloading
# simgpu only if it does not already (tests start with the default module).
with_fw_abi() {
	[ "$(param fw_abi)" = "$1" ] && return 0
	reload fw_abi="$1"
}

# restore_default [RC]: restore the module as vm-run loaded it (with
# $SIMGPU_PARAMS) if this test reloaded it, then exit with RC (default: the
# status the EXIT trap was entered with). Installed as an EXIT trap, or
# called last by one, by the tests that change parameters, so it runs on
# failure too.
restore_default() {
	local rc=${1:-$?}

	trap - EXIT
	[ "$reloaded" = 1 ] || [ ! -d /sys/module/simgpu ] || exit "$rc"
	# shellcheck disable=SC2086
	if ! bash "$SIMGPU_TESTSRC/reload.sh" ${SIMGPU_PARAMS:-} >/dev/null; then
		printf '%s: FAIL: could not restore the default simgpu module\n' "$t_name" >&2
		rc=1
	fi
	exit "$rc"
}

# Module parameter value.
param() {
	printf '%s\n' "$(</sys/module/simgpu/parameters/"$1")"
}

# dmesg_mark: write a unique marker into the kernel log; dmesg_since prints
# the kernel log lines after it.
dmesg_mark() {
	mark="drmscope-test-mark-$t_name-$$-$RANDOM"
	echo "$mark" >/dev/kmsg || fail "cannot write /dev/kmsg"
}

dmesg_since() {
	dmesg | awk -v m="$mark" 'found { print } index($0, m) { found = 1 }'
}

# Fail if the kernel log since the mark shows a kernel bug or warning.
check_dmesg_clean() {
	local bad
	bad=$(dmesg_since | grep -E 'BUG|WARNING|Oops|lockdep|KASAN|UBSAN|general protection|Call Trace|leaked objects|hung_task|blocked for more than' || true)
	if [ -n "$bad" ]; then
		printf '%s: kernel log since the mark:\n' "$t_name" >&2
		dmesg_since | tail -n 80 >&2
		fail "the kernel log has bug/warning lines: $(printf '%s' "$bad" | head -n 3)"
	fi
}

# trace_start NAME: a tracefs instance with every simgpu event enabled.
trace_start() {
	local tr=/sys/kernel/tracing
	[ -d "$tr/events/simgpu" ] || fail "$tr/events/simgpu is missing (no simgpu tracepoints?)"
	trace_dir=$tr/instances/$1-$$
	mkdir "$trace_dir" || fail "cannot create the tracefs instance $trace_dir"
	echo 8192 >"$trace_dir/buffer_size_kb" || true
	echo 1 >"$trace_dir/events/simgpu/enable" || fail "cannot enable the simgpu events"
	echo 1 >"$trace_dir/tracing_on"
}

# trace_stop FILE: stop tracing, save the trace to FILE, remove the instance.
trace_stop() {
	echo 0 >"$trace_dir/tracing_on"
	cat "$trace_dir/trace" >"$1"
	echo 0 >"$trace_dir/events/simgpu/enable"
	rmdir "$trace_dir" || true
	trace_dir=
}

trace_cleanup() {
	if [ -n "${trace_dir:-}" ] && [ -d "$trace_dir" ]; then
		echo 0 >"$trace_dir/tracing_on" 2>/dev/null
		echo 0 >"$trace_dir/events/simgpu/enable" 2>/dev/null
		rmdir "$trace_dir" 2>/dev/null
	fi
	return 0
}

# kv KEY TEXT: the value of the first KEY=value line of TEXT (builtins
# only: every process started in the VM costs a tenth of a second).
kv() {
	local line
	while IFS= read -r line; do
		case $line in
		"$1="*)
			printf '%s\n' "${line#*=}"
			return 0
			;;
		esac
	done <<<"$2"
	return 1
}
