#!/usr/bin/env bash
# record_kmscube.sh DRMSCOPE: records Mesa's kmscube on virtio-gpu (the VM
# boots with --virtio-gpu; card0 is virtio_gpu) and checks that kmscube's
# status and output are unchanged, that every ioctl is decoded by name and
# returned, and that virtio_gpu's firmware messages sit on one timeline with
# the ioctls. (kms_swrast's dumb-buffer flips make no dma_fences on
# virtio-gpu; record_simgpu.sh checks dma_fence events against ioctls.)
set -u
DS=$1
. "$(dirname "$0")/lib.sh"
need_vm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MESA_LOADER_DRIVER_OVERRIDE=kms_swrast

# kmscube stops at the first byte (or EOF) on stdin: give it a quiet pipe
km() { "$@" < <(sleep 3600); }

check "card0 is virtio_gpu" sh -c 'readlink /sys/class/drm/card0/device/driver | grep -q virtio'
rc_plain=0
km kmscube -D /dev/dri/card0 -c 60 >"$tmp/plain.out" 2>&1 || rc_plain=$?
rc_rec=0
km "$DS" record -q -o "$tmp/k.db" -- kmscube -D /dev/dri/card0 -c 60 >"$tmp/rec.out" 2>&1 ||
	rc_rec=$?
db=$tmp/k.db
check "kmscube exits 0 alone" eq "$rc_plain" 0
check "kmscube status unchanged" eq "$rc_rec" "$rc_plain"
# the same lines, but for pointers and the periodic frame-rate lines (how
# many of those are printed depends on how long the run took)
norm() { grep -v '^Rendered [0-9]* frames' "$1" | sed 's/0x[0-9a-fA-F]*/0x/g'; }
check "kmscube output unchanged" diff <(norm "$tmp/plain.out") <(norm "$tmp/rec.out")
check "it ran its frames (no early stop)" sh -c "! grep -q 'user interrupted' '$tmp/rec.out'"
check "ioctls recorded" ge "$(sql "$db" "SELECT count(*) FROM ioctl")" 20
check "every ioctl decoded by name" eq "$(sql "$db" \
	"SELECT count(*) FROM ioctl WHERE name LIKE '%IOCTL(%'")" 0
check "every enter has its exit" eq "$(sql "$db" \
	"SELECT count(*) FROM ioctl WHERE end_ns IS NULL OR end_ns = 0")" 0
check "page flips recorded" ge "$(sql "$db" \
	"SELECT count(*) FROM ioctl WHERE name IN ('DRM_IOCTL_MODE_PAGE_FLIP', 'DRM_IOCTL_MODE_ATOMIC')")" 30
check "the driver is virtio_gpu" eq "$(sql "$db" \
	"SELECT count(*) FROM driver WHERE name = 'virtio_gpu'")" 1
check "framebuffer contents captured" ge "$(sql "$db" "SELECT count(*) FROM buffer_snapshot")" 1
check "virtio_gpu firmware messages" ge "$(sql "$db" \
	"SELECT count(*) FROM fw_message WHERE function_name IS NOT NULL")" 10
# one timeline: the kernel's messages fall inside the capture's span, and
# each page flip's own virtio_gpu messages inside the call
check "firmware messages within the capture's time span" eq "$(sql "$db" \
	"SELECT count(*) FROM fw_message, capture WHERE ns < capture.start_ns OR ns > capture.end_ns")" 0
check "page flips answered by virtio_gpu messages during the call" ge "$(sql "$db" \
	"SELECT count(*) FROM ioctl i WHERE i.name = 'DRM_IOCTL_MODE_PAGE_FLIP' AND EXISTS
	 (SELECT 1 FROM fw_message m WHERE m.ns BETWEEN i.begin_ns AND i.end_ns)")" 1
finish
