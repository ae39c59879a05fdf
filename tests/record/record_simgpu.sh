#!/usr/bin/env bash
# record_simgpu.sh DRMSCOPE WORKLOAD_DIR: records each simgpu workload and
# checks the capture against itself: the workload's status and output are
# unchanged, every ioctl is named and returned, GEM, VM-bind, job and
# firmware-message rows agree with the ioctls (every bound BO exists, every
# job belongs to a SUBMIT call and has a result hash).
set -u
DS=$1
WL=$2
. "$(dirname "$0")/lib.sh"
need_vm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for w in simgpu-basic simgpu-frames simgpu-multiqueue simgpu-bindchurn; do
	args=()
	[ "$w" = simgpu-frames ] && args=(-n 20 -r 60)
	rc_plain=0
	"$WL/$w" "${args[@]}" >"$tmp/plain.out" 2>&1 || rc_plain=$?
	rc_rec=0
	"$DS" record -q -o "$tmp/$w.db" -- "$WL/$w" "${args[@]}" >"$tmp/rec.out" 2>"$tmp/rec.err" ||
		rc_rec=$?
	[ -s "$tmp/rec.err" ] && sed 's/^/  stderr| /' "$tmp/rec.err"
	db=$tmp/$w.db
	check "$w: status unchanged ($rc_plain)" eq "$rc_rec" "$rc_plain"
	check "$w: exits 0" eq "$rc_rec" 0
	# output lines without numbers that vary (timings, fps)
	check "$w: output unchanged" bash -c "diff <(sed 's/[0-9.]\\+ *\\(ms\\|us\\|fps\\|s\\)\\b//g' '$tmp/plain.out') \
		<(sed 's/[0-9.]\\+ *\\(ms\\|us\\|fps\\|s\\)\\b//g' '$tmp/rec.out') >/dev/null" 
	check "$w: nothing on stderr from record" test ! -s "$tmp/rec.err"
	check "$w: ioctls recorded" ge "$(sql "$db" "SELECT count(*) FROM ioctl")" 10
	check "$w: every ioctl decoded" eq "$(sql "$db" \
		"SELECT count(*) FROM ioctl WHERE name LIKE '%IOCTL(%'")" 0
	check "$w: every enter has its exit" eq "$(sql "$db" \
		"SELECT count(*) FROM ioctl WHERE end_ns IS NULL OR end_ns = 0")" 0
	check "$w: GEM objects" ge "$(sql "$db" "SELECT count(*) FROM gem_object")" 1
	check "$w: jobs" ge "$(sql "$db" "SELECT count(*) FROM job")" 1
	check "$w: every job belongs to a SUBMIT" eq "$(sql "$db" \
		"SELECT count(*) FROM job j LEFT JOIN ioctl i ON i.id = j.submit_ioctl_id
		 WHERE i.name IS NOT 'DRM_IOCTL_SIMGPU_SUBMIT'")" 0
	check "$w: every job done with a hash" eq "$(sql "$db" \
		"SELECT count(*) FROM job WHERE done_ns IS NULL OR result_hash IS NULL")" 0
	check "$w: jobs match SUBMIT calls' job counts" eq "$(sql "$db" \
		"SELECT count(*) FROM job")" "$(sql "$db" \
		"SELECT count(*) FROM kernel_event WHERE name = 'simgpu_job_submit'")"
	check "$w: VM-bind ops" ge "$(sql "$db" "SELECT count(*) FROM vm_bind_op")" 1
	check "$w: every bound BO exists" eq "$(sql "$db" \
		"SELECT count(*) FROM vm_bind_op WHERE op = 'map' AND gem_id IS NULL")" 0
	check "$w: every bind op belongs to a VM_BIND" eq "$(sql "$db" \
		"SELECT count(*) FROM vm_bind_op b LEFT JOIN ioctl i ON i.id = b.ioctl_id
		 WHERE i.name IS NOT 'DRM_IOCTL_SIMGPU_VM_BIND'")" 0
	check "$w: firmware messages decoded" eq "$(sql "$db" \
		"SELECT count(*) FROM fw_message WHERE function_name IS NULL OR payload = '{}'")" 0
	check "$w: firmware messages" ge "$(sql "$db" "SELECT count(*) FROM fw_message")" 4
	check "$w: kernel ioctl events inside the user ioctls' span" eq "$(sql "$db" \
		"SELECT count(*) FROM kernel_event k WHERE k.name = 'simgpu_ioctl_enter' AND NOT EXISTS
		 (SELECT 1 FROM ioctl i WHERE i.begin_ns <= k.ns AND i.end_ns >= k.ns)")" 0
	check "$w: dma_fence events inside the capture" ge "$(sql "$db" \
		"SELECT count(*) FROM kernel_event k, capture c WHERE k.system = 'dma_fence'
		 AND k.ns BETWEEN c.start_ns AND c.end_ns")" 1
	check "$w: no events lost" eq "$(sql "$db" "SELECT lost_events FROM capture")" 0
done

# the firmware ABI version shows in the firmware messages
RELOAD=$(dirname "$0")/../simgpu/reload.sh
trap '"$RELOAD" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
for abi in 1 2; do
	check "fw_abi=$abi: module reloaded" "$RELOAD" fw_abi=$abi
	"$DS" record -q -o "$tmp/abi$abi.db" -- "$WL/simgpu-basic" >/dev/null 2>&1
	check "fw_abi=$abi: messages carry ABI $abi" eq "$(sql "$tmp/abi$abi.db" \
		"SELECT group_concat(DISTINCT abi_version) FROM fw_message")" "$abi"
done
check "default module restored" "$RELOAD"
finish
