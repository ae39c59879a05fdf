#!/usr/bin/env bash
# sample_traces.sh DRMSCOPE TRACES_DIR: every sample capture is a sound
# drmscope database (full check) of the current schema (report and replay
# read no other: `drmscope upgrade` them), under 1 MB, with every ioctl
# named and returned; the simgpu ones have jobs with result hashes and
# decoded firmware messages; the kmscube one has virtio_gpu firmware
# messages.
set -u
DS=$1
dir=$2
passed=0
failed=0
check() {
	local name=$1
	shift
	if "$@"; then passed=$((passed + 1)); echo "ok   - $name"
	else failed=$((failed + 1)); echo "FAIL - $name"; fi
}
val() { "$DS" query "$1" "$2" --format csv | sed -n 2p | tr -d '\r'; }
n=0
for db in "$dir"/*.db; do
	[ -e "$db" ] || continue
	n=$((n + 1))
	b=$(basename "$db")
	check "$b: info with a full check" "$DS" info "$db" >/dev/null
	check "$b: the current schema (report reads it)" "$DS" report -o /dev/null "$db"
	check "$b: under 1 MB" test "$(stat -c %s "$db")" -lt 1048576
	check "$b: has ioctls" test "$(val "$db" "SELECT count(*) FROM ioctl")" -gt 10
	check "$b: every ioctl named" test "$(val "$db" \
		"SELECT count(*) FROM ioctl WHERE name LIKE '%IOCTL(%'")" = 0
	check "$b: every call returned" test "$(val "$db" \
		"SELECT count(*) FROM ioctl WHERE end_ns IS NULL OR end_ns = 0")" = 0
	case "$b" in
	simgpu-*)
		check "$b: jobs with hashes" test "$(val "$db" \
			"SELECT count(*) FROM job WHERE result_hash IS NOT NULL")" -gt 0
		check "$b: decoded firmware messages" test "$(val "$db" \
			"SELECT count(*) FROM fw_message WHERE function_name IS NOT NULL")" -gt 0 ;;
	kmscube-*)
		check "$b: virtio_gpu firmware messages" test "$(val "$db" \
			"SELECT count(*) FROM fw_message")" -gt 0 ;;
	esac
done
check "sample captures present" test "$n" -ge 4
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
