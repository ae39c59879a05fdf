#!/usr/bin/env bash
# tests/simgpu/inject.sh: each injected regression of simgpu is observable.
#
#   tests/simgpu/inject.sh slow|wrong|fail-ioctl|fw-delay
#
#   slow        a DELAY-heavy job (100 ms of DELAY) takes clearly longer with
#               inject_slow_pct=100 than with the default module (medians of
#               3 runs compared within this test, with a wide margin: at
#               least 50 ms longer where 100 ms is expected)
#   wrong       with inject_wrong_cmd=N for each of WRITE_IMM, FILL, COPY and
#               CHECKSUM, simgpu-basic detects a wrong result and exits
#               non-zero, and the job_done hash of a job using the command
#               differs from the default module's
#   fail-ioctl  with inject_fail_ioctl=ID inject_fail_errno=E, ioctl ID fails
#               with E (and ioctl_exit says so) while the others work; every
#               ioctl ID is tried (the parameters are writable at run time)
#   fw-delay    a firmware round trip (synchronous VM_BIND) is at least half
#               the injected inject_fw_delay_us longer than without
#
# Restores the default module at the end, also on failure.
set -u
. "$(dirname "$0")/lib.sh"
[ $# = 1 ] || fail "usage: inject.sh slow|wrong|fail-ioctl|fw-delay"
mode=$1
t_name="inject.sh[$mode]"
require_vm
require_ko
work=$(mktemp -d /tmp/simgpu-inject.XXXXXX)
cleanup() {
	local rc=$?

	trace_cleanup
	rm -rf "$work"
	restore_default "$rc"
}
trap cleanup EXIT
probe=$SIMGPU_TESTBIN/simgpu-probe

# ------------------------------------------------------------ slow
inject_slow() {
	local out base slow
	reload
	out=$("$probe" delay-job -n 20000000 -c 5 -r 3) || fail "delay-job failed"
	base=$(kv median_ns "$out")
	note "default module: a job of 5 x 20 ms DELAY takes $((base / 1000000)) ms"
	[ "$base" -ge 100000000 ] || fail "the job took $base ns, less than the 100 ms of DELAY it asks for"

	reload inject_slow_pct=100
	out=$("$probe" delay-job -n 20000000 -c 5 -r 3) || fail "delay-job failed"
	slow=$(kv median_ns "$out")
	note "inject_slow_pct=100: the same job takes $((slow / 1000000)) ms"
	# +100% of 100 ms expected; half of it is a wide margin for noise.
	[ $((slow - base)) -ge 50000000 ] ||
		fail "inject_slow_pct=100 made the job only $(((slow - base) / 1000000)) ms slower ($((slow * 100 / base))% of the default time; about 200% expected)"
	# Slower, but still right.
	"$SIMGPU_WORKLOADS/simgpu-basic" -i 1 >/dev/null || fail "simgpu-basic failed with inject_slow_pct=100"
}

# ------------------------------------------------------------ wrong
# basic_hashes FILE: run simgpu-basic -i 1 traced; write the job_done
# "seqno hash" lines (seqnos 1..3) to FILE and its exit status to basic_rc.
basic_hashes() {
	trace_start simgpu-inject
	"$SIMGPU_WORKLOADS/simgpu-basic" -i 1 >"$work/basic.out" 2>"$work/basic.err"
	basic_rc=$?
	trace_stop "$work/trace"
	sed -n 's/^.*simgpu_job_done: .* seqno=\([0-9]*\) result=[-0-9]* hash=\(0x[0-9a-f]*\).*/\1 \2/p' \
		"$work/trace" | sort -n >"$1"
}

inject_wrong() {
	local ref got cmd name
	reload
	basic_hashes "$work/ref"
	[ "$basic_rc" = 0 ] || { cat "$work/basic.err" >&2; fail "simgpu-basic fails with the default module"; }
	ref=$(<"$work/ref")
	[ "$(wc -l <"$work/ref")" = 3 ] || fail "expected 3 job_done events, got: $ref"
	for cmd in 2 3 4 5; do
		case $cmd in
		2) name=WRITE_IMM ;; 3) name=FILL ;; 4) name=COPY ;; 5) name=CHECKSUM ;;
		esac
		reload inject_wrong_cmd=$cmd
		basic_hashes "$work/got"
		got=$(<"$work/got")
		[ "$basic_rc" != 0 ] ||
			fail "inject_wrong_cmd=$cmd ($name): simgpu-basic did not notice the wrong result"
		grep -q "wrong result" "$work/basic.err" ||
			fail "inject_wrong_cmd=$cmd ($name): simgpu-basic failed, but not with a wrong result: $(<"$work/basic.err")"
		note "inject_wrong_cmd=$cmd ($name): $(head -n 1 "$work/basic.err")"
		[ -n "$got" ] || fail "inject_wrong_cmd=$cmd ($name): no job_done in the trace"
		[ "$got" != "$ref" ] ||
			fail "inject_wrong_cmd=$cmd ($name): the job_done hashes did not change"
		note "  job_done hashes: $(printf '%s' "$got" | tr '\n' ' ') (default: $(printf '%s' "$ref" | tr '\n' ' '))"
	done
}

# ------------------------------------------------------------ fail-ioctl
names=(DEV_QUERY BO_CREATE BO_MMAP_OFFSET VM_CREATE VM_DESTROY VM_BIND
       QUEUE_CREATE QUEUE_DESTROY SUBMIT)

# check_only ID ERRNO: ioctl ID fails with ERRNO, every other one works
# (or could not be tried because it needs ioctl ID first).
check_only() {
	local id=$1 err=$2 out line i e name want_skip
	out=$("$probe" ioctl all) || fail "simgpu-probe ioctl all failed"
	want_skip="(no ioctl fails)"
	[ "$id" -ge 0 ] && want_skip="skipped=${names[$id]} prereq_errno=$err"
	for i in "${!names[@]}"; do
		name=${names[$i]}
		line=
		while IFS= read -r l; do
			case $l in "ioctl=$name "*) line=$l ;; esac
		done <<<"$out"
		[ -n "$line" ] || fail "simgpu-probe printed nothing for $name"
		case $line in
		*" errno="*)
			e=${line#* errno=}
			e=${e%% *}
			;;
		*" $want_skip")
			continue	# needs the failing ioctl first
			;;
		*)
			fail "inject_fail_ioctl=$id: $name: $line"
			;;
		esac
		if [ "$i" = "$id" ]; then
			[ "$e" = "$err" ] || fail "inject_fail_ioctl=$id: $name returned errno '$e', expected $err"
		else
			[ "$e" = 0 ] || fail "inject_fail_ioctl=$id: $name also failed (errno '$e')"
		fi
	done
}

inject_fail_ioctl() {
	# Not EINTR or EAGAIN: drmIoctl() retries those for ever.
	local errs=(16 13 28 12 5 22 95 7 28) id
	reload inject_fail_ioctl=8 inject_fail_errno=28
	[ "$(param inject_fail_ioctl)" = 8 ] || fail "inject_fail_ioctl did not take"
	check_only 8 28
	note "inject_fail_ioctl=8 (SUBMIT) inject_fail_errno=28: SUBMIT fails with ENOSPC, the others work"
	# simgpu-basic reports the failing ioctl and its errno.
	if "$SIMGPU_WORKLOADS/simgpu-basic" -i 1 >/dev/null 2>"$work/basic.err"; then
		fail "simgpu-basic succeeded although SUBMIT always fails"
	fi
	grep -q "SUBMIT.*No space left on device" "$work/basic.err" ||
		fail "simgpu-basic did not report the failing SUBMIT: $(cat "$work/basic.err")"
	# The ioctl_exit tracepoint reports the injected errno.
	trace_start simgpu-inject
	"$probe" ioctl SUBMIT >/dev/null
	trace_stop "$work/trace"
	grep -q "simgpu_ioctl_exit: .*name=SUBMIT ret=-28" "$work/trace" ||
		fail "no ioctl_exit name=SUBMIT ret=-28 in the trace"
	# Every ioctl ID, each with another errno, changed at run time.
	for id in "${!names[@]}"; do
		echo "${errs[$id]}" >/sys/module/simgpu/parameters/inject_fail_errno
		echo "$id" >/sys/module/simgpu/parameters/inject_fail_ioctl
		check_only "$id" "${errs[$id]}"
	done
	note "each of the ${#names[@]} ioctls fails alone with its chosen errno"
	# Errnos libdrm would retry forever, and non-errnos, are refused.
	before=$(param inject_fail_errno)
	for bad in 4 11 0 -5 134 512; do
		if echo "$bad" >/sys/module/simgpu/parameters/inject_fail_errno 2>/dev/null; then
			fail "inject_fail_errno accepted $bad"
		fi
	done
	[ "$(param inject_fail_errno)" = "$before" ] ||
		fail "a refused inject_fail_errno changed the value to $(param inject_fail_errno)"
	note "inject_fail_errno refuses 4 (EINTR), 11 (EAGAIN), 0, -5, 134 and 512"
	echo -1 >/sys/module/simgpu/parameters/inject_fail_ioctl
	check_only -1 0
}

# ------------------------------------------------------------ fw-delay
inject_fw_delay() {
	local out base slow delay_us=50000
	reload
	out=$("$probe" roundtrip -r 8) || fail "roundtrip failed"
	base=$(kv median_ns "$out")
	note "default module: a synchronous VM_BIND takes $((base / 1000)) us"
	reload inject_fw_delay_us=$delay_us
	out=$("$probe" roundtrip -r 8) || fail "roundtrip failed"
	slow=$(kv median_ns "$out")
	note "inject_fw_delay_us=$delay_us: it takes $((slow / 1000)) us"
	[ $((slow - base)) -ge $((delay_us * 1000 / 2)) ] ||
		fail "the firmware round trip grew by $(((slow - base) / 1000)) us, less than half of the injected $delay_us us"
	"$SIMGPU_WORKLOADS/simgpu-basic" -i 1 >/dev/null || fail "simgpu-basic failed with inject_fw_delay_us"
}

dmesg_mark
case $mode in
slow) inject_slow ;;
wrong) inject_wrong ;;
fail-ioctl) inject_fail_ioctl ;;
fw-delay) inject_fw_delay ;;
*) fail "unknown mode $mode" ;;
esac
check_dmesg_clean
note "the injected regression ($mode) is observable"
