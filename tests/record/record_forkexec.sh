#!/usr/bin/env bash
# record_forkexec.sh DRMSCOPE HELPER: a forked child's ioctls are recorded
# under its own pid (on the fd it inherited), and a program it execs is
# traced too.
set -u
DS=$1
HELPER=$2
. "$(dirname "$0")/lib.sh"
need_vm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dev=
for d in /sys/class/drm/renderD*; do
	grep -qs 'platform:simgpu' "$d/device/uevent" && dev=/dev/dri/$(basename "$d")
done
check "simgpu render node found" test -n "$dev"
rc=0
"$DS" record -q -o "$tmp/f.db" -- "$HELPER" "$dev" >"$tmp/out" 2>&1 || rc=$?
cat "$tmp/out"
db=$tmp/f.db
parent=$(sed -n 's/^parent pid=\([0-9]*\).*/\1/p' "$tmp/out" | head -1)
child=$(sed -n 's/^child pid=\([0-9]*\).*/\1/p' "$tmp/out")
execd=$(sed -n 's/^exec pid=\([0-9]*\).*/\1/p' "$tmp/out")
check "helper succeeded" eq "$rc" 0
check "child and exec share a pid" eq "$child" "$execd"
check "parent's ioctls under its pid" ge "$(sql "$db" \
	"SELECT count(*) FROM ioctl WHERE pid = $parent AND name = 'DRM_IOCTL_VERSION'")" 4
check "child's ioctls under its own pid" ge "$(sql "$db" \
	"SELECT count(*) FROM ioctl WHERE pid = $child AND name = 'DRM_IOCTL_VERSION'")" 4
check "child used the inherited fd (a fork fd row)" ge "$(sql "$db" \
	"SELECT count(*) FROM fd WHERE pid = $child AND how = 'fork'")" 1
check "the exec'd program opened its own fd" ge "$(sql "$db" \
	"SELECT count(*) FROM fd WHERE pid = $child AND how = 'open'")" 1
check "the process row names the exec'd program" ge "$(sql "$db" \
	"SELECT count(*) FROM process WHERE pid = $child AND exe LIKE '%record_forkexec'")" 1
check "every enter has its exit" eq "$(sql "$db" \
	"SELECT count(*) FROM ioctl WHERE end_ns IS NULL OR end_ns = 0")" 0
finish
