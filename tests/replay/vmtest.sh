#!/usr/bin/env bash
# tests/replay/vmtest.sh CASE: the replay's VM tests (label `vm`), run inside
# the test VM by `scripts/vm-run --virtio-gpu -- ctest --test-dir build -L vm`.
# Outside the VM they fail (they never skip).
#
# Captures are made with real ioctls by replay_vmtest (or by `drmscope
# record` and the simgpu workloads, case `workloads`), then replayed with
# `drmscope replay` and the stored run is checked with SQL.
#
#   vgem       GEM, dumb buffers, flink/open, PRIME between two files
#   simgpu     same module: exit 0, no mismatch, every job hash equal; the
#              run's rows (run_call per call, run_job per job, kernel events
#              and firmware messages with run_id); --repeat; -o other.db
#   fw_abi     captured with fw_abi=2, replayed with fw_abi=1; and the same ABI
#   inject     inject_wrong_cmd=2: exit 1 naming the job and the command;
#              inject_fail_ioctl=8 (SUBMIT): exit 1 naming the call and EIO
#   pace       --pace=capture keeps the frame rate, --pace=fast is faster
#   subset     --from-submit/--to-submit replays part, all hashes equal
#   kms        virtio-gpu KMS: resources, dumb buffers, framebuffers,
#              SETCRTC, page flips with events, ids remapped
#   traces     the sample captures in traces/ (kmscube on virtio-gpu, simgpu
#              workloads), replayed from copies on this fresh boot
#   workloads  each simgpu workload recorded with `drmscope record`, then
#              replayed on the same module; simgpu-frames paced and fast
#   workloads_fw_abi  the same recordings (fw_abi=2) replayed with fw_abi=1
#   bufcheck   simgpu-basic recorded with --buffers=results: result snapshots
#              at its syncobj waits (none by default: simgpu has job hashes);
#              same module: exit 0, the result buffers compared, 0 mismatches;
#              inject_wrong_cmd=2: exit 1 and a mismatch at the wait naming
#              the buffer and offset, also with the job check off
#              (--no-kernel); --no-buffer-check turns it off
set -u

case_name=${1:-}
fail() {
	echo "FAIL ($case_name): $*" >&2
	exit 1
}
[ "${DRMSCOPE_IN_VM:-}" = 1 ] || fail "not inside the drmscope test VM; run through scripts/vm-run"
[ -n "$case_name" ] || fail "no case given"
bin=${DRMSCOPE_BIN:?}
mk=${REPLAY_VMTEST:?}
tmp=$(mktemp -d /tmp/replay-vm.XXXXXX)
reloaded=0
cleanup() {
	if [ "$reloaded" = 1 ]; then
		bash "$SIMGPU_TESTSRC/reload.sh" >/dev/null || echo "warning: could not restore simgpu" >&2
	fi
	for p in inject_wrong_cmd inject_fail_ioctl; do
		f=/sys/module/simgpu/parameters/$p
		[ -w "$f" ] || continue
		case $p in
		inject_fail_ioctl) echo -1 >"$f" ;;
		*) echo 0 >"$f" ;;
		esac
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

q() { sqlite3 -batch -noheader "$1" "$2"; }

# reload PARAM=VALUE...: reload simgpu unless it already has these values.
# (Reloads come before any traced replay in a test: simgpu can keep a VM
# alive after traced work, and rmmod then fails; see docs/replay.md.)
reload() {
	local kv need=0
	for kv in "$@"; do
		[ "$(cat "/sys/module/simgpu/parameters/${kv%%=*}" 2>/dev/null)" = "${kv#*=}" ] || need=1
	done
	[ "$need" = 1 ] || return 0
	reloaded=1
	bash "$SIMGPU_TESTSRC/reload.sh" "$@" || fail "reloading simgpu with $*"
}

# replay EXPECTED_STATUS DB ARGS...: run the replay, show its output.
replay() {
	local want=$1 db=$2 rc
	shift 2
	out=$("$bin" replay "$db" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/  | /'
	[ "$rc" = "$want" ] || fail "drmscope replay $* exited $rc, expected $want"
}

last_run() { q "$1" "SELECT max(id) FROM run"; }

# Every call of the capture replayed, none mismatched, every job hash equal.
check_clean_run() {
	local db=$1 run=$2 calls replayed mism jobs equal
	calls=$(q "$db" "SELECT count(*) FROM ioctl")
	replayed=$(q "$db" "SELECT count(*) FROM run_call WHERE run_id = $run")
	mism=$(q "$db" "SELECT count(*) FROM run_call WHERE run_id = $run AND mismatch IS NOT NULL")
	[ "$replayed" = "$calls" ] || fail "run $run replayed $replayed of $calls calls"
	[ "$mism" = 0 ] || fail "run $run has $mism mismatches"
	jobs=$(q "$db" "SELECT count(*) FROM job WHERE result_hash IS NOT NULL")
	equal=$(q "$db" "SELECT count(*) FROM run_job r JOIN job j ON j.id = r.job_id
		WHERE r.run_id = $run AND r.result_hash = j.result_hash AND r.result = j.result")
	if [ "${3:-}" != nojobs ]; then
		[ "$jobs" -gt 0 ] || fail "the capture has no job hashes"
		[ "$equal" = "$jobs" ] || fail "run $run: $equal of $jobs job hashes equal"
	fi
	echo "run $run: $replayed calls, 0 mismatches, $equal/$jobs job hashes equal"
}

case "$case_name" in
vgem)
	"$mk" vgem "$tmp/vgem.db" || fail "making the vgem capture"
	replay 0 "$tmp/vgem.db" --label vgem
	check_clean_run "$tmp/vgem.db" "$(last_run "$tmp/vgem.db")" nojobs
	;;

simgpu)
	"$mk" simgpu "$tmp/cap.db" 12 || fail "making the simgpu capture"
	replay 0 "$tmp/cap.db" --label same
	run=$(last_run "$tmp/cap.db")
	check_clean_run "$tmp/cap.db" "$run"
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM kernel_event WHERE run_id = $run")" -gt 0 ] ||
		fail "no kernel events stored with the run"
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM fw_message WHERE run_id = $run")" -gt 0 ] ||
		fail "no firmware messages stored with the run"
	# simgpu's decoded per firmware ABI, as the capture's are (the run may
	# also hold virtio-gpu messages of the VM's console)
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM fw_message WHERE run_id = $run
		AND abi_version IS NOT NULL
		AND (function_name IS NULL OR json_extract(payload, '\$.p') IS NOT NULL)")" = 0 ] ||
		fail "the run's firmware messages are not decoded: $(q "$tmp/cap.db" "SELECT
			function, function_name, payload FROM fw_message WHERE run_id = $run
			AND abi_version IS NOT NULL AND (function_name IS NULL
			OR json_extract(payload, '\$.p') IS NOT NULL) LIMIT 3")"
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM fw_message WHERE run_id = $run
		AND function_name = 'JOB_SUBMIT' AND json_extract(payload, '\$.queue') IS NOT NULL")" -gt 0 ] ||
		fail "the run's JOB_SUBMIT messages have no decoded queue field"
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM run_job WHERE run_id = $run AND done_ns > run_ns
		AND run_ns >= submit_ns")" -gt 0 ] || fail "run_job rows have no timings"
	[ "$(q "$tmp/cap.db" "SELECT driver_name || ' ' || (module_params LIKE '%fw_abi=%')
		FROM run WHERE id = $run")" = "simgpu 1" ] || fail "the run row lacks driver or parameters"
	printf '%s\n' "$out" | grep -q "0 mismatches" || fail "the summary does not say 0 mismatches"
	# --repeat: one run row each, same label
	replay 0 "$tmp/cap.db" --repeat 3 --label rep
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM run WHERE label = 'rep'")" = 3 ] ||
		fail "--repeat 3 did not store 3 runs"
	for r in $(q "$tmp/cap.db" "SELECT id FROM run WHERE label = 'rep'"); do
		check_clean_run "$tmp/cap.db" "$r"
	done
	# -o: the run goes to another file
	replay 0 "$tmp/cap.db" -o "$tmp/other.db" --label other
	[ "$(q "$tmp/other.db" "SELECT count(*) FROM run_call")" -gt 0 ] || fail "-o stored nothing"
	# --no-kernel: calls compared, jobs not
	replay 0 "$tmp/cap.db" --no-kernel
	;;

fw_abi)
	# Captured with each firmware ABI, replayed with the other one, and with
	# the same: the reloads come first, the replays after them.
	reload fw_abi=2
	"$mk" simgpu "$tmp/abi2.db" 12 || fail "capture with fw_abi=2"
	reload fw_abi=1
	"$mk" simgpu "$tmp/abi1.db" 12 || fail "capture with fw_abi=1"
	replay 0 "$tmp/abi2.db" --label fw_abi=1
	check_clean_run "$tmp/abi2.db" "$(last_run "$tmp/abi2.db")"
	[ "$(q "$tmp/abi2.db" "SELECT group_concat(DISTINCT abi_version) FROM fw_message
		WHERE run_id IS NOT NULL")" = 1 ] || fail "the run's firmware messages are not ABI v1"
	[ "$(q "$tmp/abi2.db" "SELECT group_concat(DISTINCT json_extract(fields, '$.abi'))
		FROM kernel_event WHERE run_id IS NULL AND name = 'simgpu_fw_msg_send'")" = 2 ] ||
		fail "the capture's firmware messages are not ABI v2"
	replay 0 "$tmp/abi1.db" --label same
	check_clean_run "$tmp/abi1.db" "$(last_run "$tmp/abi1.db")"
	;;

inject)
	"$mk" simgpu "$tmp/cap.db" 6 || fail "making the simgpu capture"
	echo 2 >/sys/module/simgpu/parameters/inject_wrong_cmd || fail "setting inject_wrong_cmd"
	replay 1 "$tmp/cap.db" --label wrong_cmd
	echo 0 >/sys/module/simgpu/parameters/inject_wrong_cmd
	printf '%s\n' "$out" | grep -E 'call [0-9]+ DRM_IOCTL_SIMGPU_SUBMIT: job [0-9]+ \(queue [0-9]+, seqno [0-9]+\): result hash' >/dev/null ||
		fail "the output does not name the job whose hash differs"
	printf '%s\n' "$out" | grep -q 'first differing command: #[0-9]* WRITE_IMM' ||
		fail "the output does not name the WRITE_IMM command"
	run=$(last_run "$tmp/cap.db")
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM run_job r JOIN job j ON j.id = r.job_id
		WHERE r.run_id = $run AND r.result_hash <> j.result_hash")" -gt 0 ] ||
		fail "run_job does not show the different hashes"

	echo 8 >/sys/module/simgpu/parameters/inject_fail_ioctl || fail "setting inject_fail_ioctl"
	replay 1 "$tmp/cap.db" --label fail_submit
	echo -1 >/sys/module/simgpu/parameters/inject_fail_ioctl
	printf '%s\n' "$out" | grep -E 'call [0-9]+ DRM_IOCTL_SIMGPU_SUBMIT: failed with EIO' >/dev/null ||
		fail "the output does not name the failing call and EIO"
	run=$(last_run "$tmp/cap.db")
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM run_call WHERE run_id = $run AND errno = 5")" -gt 0 ] ||
		fail "run_call does not hold errno 5"
	# --on-error=stop stops at the first failing call
	echo 8 >/sys/module/simgpu/parameters/inject_fail_ioctl
	replay 1 "$tmp/cap.db" --on-error=stop --label stop
	echo -1 >/sys/module/simgpu/parameters/inject_fail_ioctl
	run=$(last_run "$tmp/cap.db")
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM run_call WHERE run_id = $run AND mismatch IS NOT NULL")" = 1 ] ||
		fail "--on-error=stop did not stop at the first mismatch"
	;;

pace)
	# 30 frames with 30 ms of CPU time between them
	"$mk" simgpu "$tmp/cap.db" 30 30000 || fail "making the simgpu capture"
	replay 0 "$tmp/cap.db" --pace=capture --label capture
	rc_run=$(last_run "$tmp/cap.db")
	replay 0 "$tmp/cap.db" --pace=fast --label fast
	rf_run=$(last_run "$tmp/cap.db")
	span_sql="SELECT max(x) - min(x) FROM (SELECT %s AS x FROM %s
		JOIN ioctl i ON i.id = %s WHERE i.name = 'DRM_IOCTL_SIMGPU_SUBMIT' AND i.ret = 0 %s)"
	cap=$(q "$tmp/cap.db" "SELECT max(begin_ns) - min(begin_ns) FROM ioctl
		WHERE name = 'DRM_IOCTL_SIMGPU_SUBMIT' AND ret = 0")
	pc=$(q "$tmp/cap.db" "$(printf "$span_sql" r.begin_ns "run_call r" r.ioctl_id "AND r.run_id = $rc_run")")
	pf=$(q "$tmp/cap.db" "$(printf "$span_sql" r.begin_ns "run_call r" r.ioctl_id "AND r.run_id = $rf_run")")
	echo "first to last submission: capture $cap ns, --pace=capture $pc ns, --pace=fast $pf ns"
	awk -v c="$cap" -v p="$pc" 'BEGIN { r = p / c; printf "capture pacing ratio %.4f\n", r;
		exit !(r > 0.95 && r < 1.05) }' || fail "--pace=capture is not within 5% of the capture"
	awk -v c="$cap" -v f="$pf" 'BEGIN { r = f / c; printf "fast ratio %.4f\n", r;
		exit !(r < 0.8) }' || fail "--pace=fast is not faster than the capture"
	;;

subset)
	"$mk" simgpu "$tmp/cap.db" 12 || fail "making the simgpu capture"
	replay 0 "$tmp/cap.db" --from-submit 4 --to-submit 9 --label subset
	run=$(last_run "$tmp/cap.db")
	jobs=$(q "$tmp/cap.db" "SELECT count(*) FROM run_job WHERE run_id = $run")
	equal=$(q "$tmp/cap.db" "SELECT count(*) FROM run_job r JOIN job j ON j.id = r.job_id
		WHERE r.run_id = $run AND r.result_hash = j.result_hash")
	total=$(q "$tmp/cap.db" "SELECT count(*) FROM job")
	echo "subset: $jobs jobs replayed, $equal equal, of $total captured"
	[ "$jobs" -gt 0 ] && [ "$jobs" -lt "$total" ] || fail "the subset replayed $jobs of $total jobs"
	[ "$equal" = "$jobs" ] || fail "subset: $equal of $jobs job hashes equal"
	# submissions 4..9: frames 3..8, two jobs on odd frames
	[ "$jobs" = 9 ] || fail "expected 9 jobs in submissions 4 to 9, got $jobs"
	replay 0 "$tmp/cap.db" --from 0s --to 1s --label time
	;;

kms)
	"$mk" kms "$tmp/kms.db" || fail "making the KMS capture"
	replay 0 "$tmp/kms.db" --label kms
	check_clean_run "$tmp/kms.db" "$(last_run "$tmp/kms.db")" nojobs
	replay 0 "$tmp/kms.db" --label kms2 --pace=capture
	;;

traces)
	# The sample captures of traces/ (scripts/make-traces), each replayed on
	# this fresh boot from a copy: kmscube on virtio-gpu (dumb buffers,
	# framebuffers, mode setting, page flips, KMS ids remapped) and simgpu.
	dir=${REPLAY_TRACES:?}
	n=0
	for db in "$dir"/*.db; do
		[ -e "$db" ] || continue
		n=$((n + 1))
		cp "$db" "$tmp/trace.db"
		echo "== $(basename "$db")"
		replay 0 "$tmp/trace.db" --label sample
		case "$(basename "$db")" in
		kmscube-*) check_clean_run "$tmp/trace.db" "$(last_run "$tmp/trace.db")" nojobs ;;
		*) check_clean_run "$tmp/trace.db" "$(last_run "$tmp/trace.db")" ;;
		esac
	done
	[ "$n" -ge 4 ] || fail "expected the 4 sample captures in $dir, found $n"
	;;

workloads|workloads_fw_abi)
	"$bin" help 2>/dev/null | grep -q '^  record ' ||
		fail "drmscope record is not available in this build (needed to record the workloads)"
	wl=${SIMGPU_WORKLOADS:?}
	names="simgpu-basic simgpu-frames simgpu-multiqueue simgpu-bindchurn"
	record_all() {
		local name args
		for name in $names; do
			case $name in
			simgpu-basic) args="-i 3" ;;
			simgpu-frames) args="-n 60 -r 60" ;;
			simgpu-multiqueue) args="-t 4 -q 2 -j 16" ;;
			simgpu-bindchurn) args="-n 200 -s 2" ;;
			esac
			# shellcheck disable=SC2086
			"$bin" record -q -o "$tmp/$name.db" -- "$wl/$name" $args >"$tmp/$name.log" 2>&1 ||
				{ cat "$tmp/$name.log"; fail "recording $name"; }
		done
	}
	reload fw_abi=2
	record_all
	if [ "$case_name" = workloads_fw_abi ]; then
		# recorded with fw_abi=2, replayed with fw_abi=1
		reload fw_abi=1
		for name in $names; do
			replay 0 "$tmp/$name.db" --label fw_abi=1
			check_clean_run "$tmp/$name.db" "$(last_run "$tmp/$name.db")"
		done
	else
		for name in $names; do
			replay 0 "$tmp/$name.db" --label same
			check_clean_run "$tmp/$name.db" "$(last_run "$tmp/$name.db")"
		done
		replay 0 "$tmp/simgpu-frames.db" --pace=capture --label paced
		paced=$(last_run "$tmp/simgpu-frames.db")
		replay 0 "$tmp/simgpu-frames.db" --pace=fast --label fast
		fast=$(last_run "$tmp/simgpu-frames.db")
		span() {	# RUN: first to last submission of the run
			q "$tmp/simgpu-frames.db" "SELECT max(r.begin_ns) - min(r.begin_ns)
				FROM run_call r JOIN ioctl i ON i.id = r.ioctl_id
				WHERE r.run_id = $1 AND i.name = 'DRM_IOCTL_SIMGPU_SUBMIT'"
		}
		cap=$(q "$tmp/simgpu-frames.db" "SELECT max(begin_ns) - min(begin_ns) FROM ioctl
			WHERE name = 'DRM_IOCTL_SIMGPU_SUBMIT'")
		pc=$(span "$paced")
		pf=$(span "$fast")
		echo "simgpu-frames first to last submission: capture $cap, paced $pc, fast $pf (ns)"
		# 10%, not 5% as in case pace: in the single-CPU TCG guest the
		# replay's event reader and restores compete with the firmware
		# thread, and shim captures carry uneven recording overhead.
		awk -v c="$cap" -v p="$pc" 'BEGIN { printf "paced/capture %.4f\n", p / c;
			exit !(p / c > 0.90 && p / c < 1.10) }' ||
			fail "--pace=capture frame rate is not within 10% of the capture's"
		awk -v c="$cap" -v f="$pf" 'BEGIN { printf "fast/capture %.4f\n", f / c;
			exit !(f < c) }' || fail "--pace=fast is not faster"
	fi
	;;

bufcheck)
	"$bin" help 2>/dev/null | grep -q '^  record ' ||
		fail "drmscope record is not available in this build (needed to record simgpu-basic)"
	wl=${SIMGPU_WORKLOADS:?}
	after_at_waits() {	# DB: result snapshots attached to syncobj waits
		q "$1" "SELECT count(*) FROM buffer_snapshot s JOIN ioctl i ON i.id = s.ioctl_id
			WHERE s.phase = 'after' AND i.name = 'DRM_IOCTL_SYNCOBJ_WAIT'"
	}
	"$bin" record -q -o "$tmp/default.db" -- "$wl/simgpu-basic" -i 1 >"$tmp/rec.log" 2>&1 ||
		{ cat "$tmp/rec.log"; fail "recording simgpu-basic"; }
	[ "$(q "$tmp/default.db" "SELECT count(*) FROM buffer_snapshot WHERE phase = 'after'")" = 0 ] ||
		fail "--buffers=submit took result snapshots of simgpu (it has job hashes)"
	"$bin" record -q --buffers=results -o "$tmp/cap.db" -- "$wl/simgpu-basic" -i 3 \
		>"$tmp/rec.log" 2>&1 || { cat "$tmp/rec.log"; fail "recording simgpu-basic"; }
	n=$(after_at_waits "$tmp/cap.db")
	echo "result snapshots at syncobj waits: $n"
	[ "$n" -gt 0 ] || fail "the --buffers=results capture has no result snapshots at its waits"
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM buffer_snapshot s JOIN ioctl i ON i.id = s.ioctl_id
		WHERE s.phase = 'after' AND i.name <> 'DRM_IOCTL_SYNCOBJ_WAIT'")" = 0 ] ||
		fail "result snapshots attached to calls that are not waits"

	replay 0 "$tmp/cap.db" --label same
	check_clean_run "$tmp/cap.db" "$(last_run "$tmp/cap.db")"
	printf '%s\n' "$out" | grep -Eq "[1-9][0-9]* result buffers? \(.*\) compared in .*, 0 differ" ||
		fail "the summary does not say that result buffers were compared and matched"

	echo 2 >/sys/module/simgpu/parameters/inject_wrong_cmd || fail "setting inject_wrong_cmd"
	wait_line='call [0-9]+ DRM_IOCTL_SYNCOBJ_WAIT: .*buffer GEM handle [0-9]+ \(gem_object [0-9]+, created by call [0-9]+.* differ, the first at offset 0x[0-9a-f]+: captured [0-9a-f]+, replayed [0-9a-f]+'
	replay 1 "$tmp/cap.db" --no-diagnose --label wrong_cmd
	printf '%s\n' "$out" | grep -Eq "$wait_line" ||
		fail "no mismatch at the wait naming the buffer and offset"
	# the job hash check off: the buffer check alone catches it
	replay 1 "$tmp/cap.db" --no-diagnose --no-kernel --label wrong_cmd_no_jobs
	printf '%s\n' "$out" | grep -Eq "$wait_line" ||
		fail "with --no-kernel, no mismatch at the wait naming the buffer and offset"
	run=$(last_run "$tmp/cap.db")
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM run_call r JOIN ioctl i ON i.id = r.ioctl_id
		WHERE r.run_id = $run AND i.name = 'DRM_IOCTL_SYNCOBJ_WAIT'
		AND r.mismatch LIKE '%buffer GEM handle%differ, the first at offset 0x%'")" -gt 0 ] ||
		fail "run_call does not store the buffer mismatch with the wait"
	[ "$(q "$tmp/cap.db" "SELECT count(*) FROM run_job WHERE run_id = $run
		AND result_hash IS NOT NULL")" = 0 ] || fail "--no-kernel checked job hashes"
	# both checks off: nothing to find
	replay 0 "$tmp/cap.db" --no-kernel --no-buffer-check --label no_checks
	echo 0 >/sys/module/simgpu/parameters/inject_wrong_cmd
	;;

*)
	fail "unknown case $case_name"
	;;
esac
echo "ok ($case_name)"
