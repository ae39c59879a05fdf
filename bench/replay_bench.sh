#!/usr/bin/env bash
# bench/replay_bench.sh: what `drmscope replay` costs, against plain C.
#
#   scripts/vm-run -- bench/replay_bench.sh [BUILD_DIR] [RUNS]
#
# Runs inside the test VM (vgem is there). Each measurement is taken RUNS
# times (default 5) in this one invocation and the median is printed, with
# the ratio the issue sets a target for:
#
#   1. per-call cost of replaying cheap ioctls against a C loop making the
#      same ioctls: N DRM_IOCTL_VERSION calls (no arrays), and N
#      MODE_CREATE_DUMB + GEM_CLOSE pairs (a handle to remap each time).
#      Replay time is the span of the run's calls (first begin to last end,
#      from run_call), i.e. the replay loop itself: pacing off, kernel events
#      off (--no-kernel), loading and checking the capture excluded.
#      Target: <= 1.5x.
#   2. buffer restore speed (the replay writing snapshot contents into a
#      mapped BO before the call that reads it) against memcpy() into a fresh
#      BO mapping of the same size. Target: >= 0.5x.
#
# Everything is ~40x slower under TCG than on hardware: read the ratios, not
# the absolute numbers.
set -euo pipefail

build=${1:-build}
runs=${2:-5}
bin=$build/drmscope
helper=$build/bench/replay_bench
[ -x "$bin" ] && [ -x "$helper" ] || { echo "replay_bench: build $build first" >&2; exit 2; }
[ "${DRMSCOPE_IN_VM:-}" = 1 ] || echo "replay_bench: warning: not in the test VM; needs vgem" >&2
tmp=$(mktemp -d /tmp/replay-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

n=20000
restore_k=8
restore_mib=16

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
	else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# replay_span DB: ns per call of the replay loop, from the last run.
replay_per_call() {
	local db=$1 calls=$2
	"$bin" replay "$db" --no-kernel -o "$tmp/runs.db" >"$tmp/replay.out" 2>&1 ||
		{ cat "$tmp/replay.out" >&2; echo "replay_bench: the replay of $db failed" >&2; exit 1; }
	sqlite3 -batch -noheader "$tmp/runs.db" "SELECT (max(end_ns) - min(begin_ns)) * 1.0 / $calls
		FROM run_call WHERE run_id = (SELECT max(id) FROM run)"
}

bench_calls() {	# NAME PLAIN_MODE CAPTURE_MODE CALLS_PER_UNIT
	local name=$1 plain=$2 capture=$3 per=$4 i p r
	"$helper" "$capture" "$n" "$tmp/$name.db"
	: >"$tmp/$name.plain"
	: >"$tmp/$name.replay"
	for i in $(seq "$runs"); do
		# plain ns per unit (a call or a pair) -> per call
		p=$("$helper" "$plain" "$n")
		awk -v p="$p" -v k="$per" 'BEGIN { printf "%.1f\n", p / k }' >>"$tmp/$name.plain"
		replay_per_call "$tmp/$name.db" $((n * per)) >>"$tmp/$name.replay"
	done
	p=$(median <"$tmp/$name.plain")
	r=$(median <"$tmp/$name.replay")
	awk -v n="$name" -v p="$p" -v r="$r" 'BEGIN {
		printf "%-26s C loop %9.0f ns/call   replay %9.0f ns/call   ratio %.2fx (target <= 1.5x)\n",
			n, p, r, r / p }'
}

echo "replay_bench: $runs runs each, medians; $n calls (or pairs) per run"
bench_calls "DRM_IOCTL_VERSION" plain-version capture-version 1
bench_calls "CREATE_DUMB+GEM_CLOSE" plain-dumb capture-dumb 2

"$helper" capture-restore "$restore_k" "$restore_mib" "$tmp/restore.db"
: >"$tmp/memcpy"
: >"$tmp/restore"
for i in $(seq "$runs"); do
	"$helper" memcpy "$restore_k" "$restore_mib" >>"$tmp/memcpy"
	"$bin" replay "$tmp/restore.db" --no-kernel -o "$tmp/runs.db" >"$tmp/replay.out" 2>&1 ||
		{ cat "$tmp/replay.out" >&2; echo "replay_bench: the restore replay failed" >&2; exit 1; }
	sed -n 's/.*restored at \([0-9.]*\) MiB\/s.*/\1/p' "$tmp/replay.out" >>"$tmp/restore"
done
m=$(median <"$tmp/memcpy")
r=$(median <"$tmp/restore")
awk -v m="$m" -v r="$r" -v k="$restore_k" -v s="$restore_mib" 'BEGIN {
	printf "%-26s memcpy %9.0f MiB/s      restore %9.0f MiB/s      ratio %.2fx (target >= 0.5x)\n",
		"buffer restore (" k "x" s " MiB)", m, r, r / m }'
