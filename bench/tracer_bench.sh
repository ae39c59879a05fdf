#!/usr/bin/env bash
# bench/tracer_bench.sh [N]: the tracer's costs, measured in one run on this
# machine, as ratios (medians of 7 interleaved runs, 5 for the import;
# these machines are shared and noisy, so only ratios from one run mean
# anything):
#   1. shim overhead per ioctl (no buffer copies) vs a bare LTTng-UST event,
#      and vs `strace -f -e trace=ioctl` on the same loop;
#   2. import rate vs babeltrace2 reading the same trace into a discard sink;
#   3. database bytes per event vs the CTF trace's bytes per event.
# Targets (issue 4): shim/event <= 1.5, strace/shim >= 100, import/bt2 >= 0.5,
# db/ctf <= 1.5. Needs root (record's private LTTng daemon) and a build.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD:-$top/build}
DS=$B/drmscope
LOOP=$B/bench/tracer_loop
N=${1:-200000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/t"
export TMPDIR=$tmp/t	# record's temporary folders
[ -x "$DS" ] && [ -x "$LOOP" ] || { echo "build first (cmake --build build)" >&2; exit 2; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rec() { "$DS" record --no-kernel -q -f -d /dev/full -o "$tmp/r.db" -- "$@"; }

# part 1 times loops of 5N calls: a difference of two short loops is noise
L=$((5 * N))
declare -a bare=() event=() shim=() strace_ns=()
for i in 1 2 3 4 5 6 7; do
	bare+=("$(DRMSCOPE_SHIM=off rec "$LOOP" bare "$L")")
	event+=("$(DRMSCOPE_SHIM=off rec "$LOOP" event "$L")")
	shim+=("$(rec "$LOOP" bare "$L")")
done
for i in 1 2 3; do
	strace_ns+=("$(strace -f -qq -e trace=ioctl -o /dev/null "$LOOP" bare $((N / 10)))")
done
b=$(printf '%s\n' "${bare[@]}" | median)
e=$(printf '%s\n' "${event[@]}" | median)
s=$(printf '%s\n' "${shim[@]}" | median)
st=$(printf '%s\n' "${strace_ns[@]}" | median)
awk -v b="$b" -v e="$e" -v s="$s" -v st="$st" 'BEGIN {
	ev = e - b; sh = s - b; sc = st - b
	printf "ioctl alone                 %8.1f ns\n", b
	printf "+ one bare LTTng-UST event  %8.1f ns\n", ev
	printf "+ drmscope shim (recording) %8.1f ns\n", sh
	printf "+ strace -e trace=ioctl     %8.1f ns\n", sc
	printf "shim / bare event           %8.2f   (target <= 1.5)\n", sh / ev
	printf "strace / shim               %8.1f   (target >= 100)\n", sc / sh
}'

# 2 and 3: one trace of N ioctls, kept, imported and read by babeltrace2
export DRMSCOPE_KEEP_TMP=1
rec "$LOOP" bare "$N" >/dev/null
unset DRMSCOPE_KEEP_TMP
trace=$(ls -d "$TMPDIR"/drmscope-record.*/ust | head -1)
events=$(sqlite3 "$tmp/r.db" "SELECT count(*) FROM ioctl")
declare -a imp=() bt=()
for i in 1 2 3 4 5; do
	t0=$(date +%s.%N)
	"$DS" import -f "$trace" -o "$tmp/i.db" 2>"$tmp/import.log"
	t1=$(date +%s.%N)
	babeltrace2 "$trace" -c sink.utils.dummy
	t2=$(date +%s.%N)
	imp+=("$(echo "$t1 - $t0" | bc -l)")
	bt+=("$(echo "$t2 - $t1" | bc -l)")
done
ti=$(printf '%s\n' "${imp[@]}" | median)
tb=$(printf '%s\n' "${bt[@]}" | median)
ctf=$(du -sb "$trace" | cut -f1)
db=$(stat -c %s "$tmp/i.db")
# CTF events (one ioctl_call per GET_CAP), as the importer counted them
nev=$(sed -nE 's/.*import: ([0-9]+) events.*/\1/p' "$tmp/import.log")
[ -n "$nev" ] || { echo "no event count from drmscope import: $(cat "$tmp/import.log")" >&2; exit 1; }
awk -v ti="$ti" -v tb="$tb" -v n="$nev" -v ev_ioctls="$events" -v ctf="$ctf" -v db="$db" 'BEGIN {
	printf "CTF events                  %8d (%d ioctls)\n", n, ev_ioctls
	printf "drmscope import             %8.0f events/s\n", n / ti
	printf "babeltrace2 -> dummy sink   %8.0f events/s\n", n / tb
	printf "import / babeltrace2        %8.2f   (target >= 0.5)\n", tb / ti
	printf "CTF bytes per event         %8.1f\n", ctf / n
	printf "database bytes per event    %8.1f\n", db / n
	printf "database / CTF              %8.2f   (target <= 1.5)\n", db / ctf
}'
