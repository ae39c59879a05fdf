#!/usr/bin/env bash
# vm_env_test.sh: inside the test VM, checks what the other VM tests assume:
# simgpu loaded with a render node named simgpu, its tracepoints in tracefs,
# virtio-gpu as card0 (scripts/test boots with --virtio-gpu), and a writable
# /tmp. Outside the VM it fails with a message instead of skipping.
set -u
passed=0
failed=0
check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then
		passed=$((passed + 1)); echo "ok   - $name"
	else
		failed=$((failed + 1)); echo "FAIL - $name"
	fi
}

if [ "${DRMSCOPE_IN_VM:-}" != 1 ]; then
	echo "FAIL: not inside the drmscope test VM; run through scripts/vm-run" >&2
	exit 1
fi

simgpu_node() {
	local d
	for d in /sys/class/drm/renderD*; do
		[ "$(basename "$(readlink -f "$d/device/driver" 2>/dev/null)")" = simgpu ] && return 0
		grep -qs simgpu "$d/device/uevent" && return 0
	done
	return 1
}

check "simgpu module loaded" test -d /sys/module/simgpu
check "simgpu render node" simgpu_node
check "simgpu tracepoints in tracefs" test -d /sys/kernel/tracing/events/simgpu
check "gpu_scheduler events" test -d /sys/kernel/tracing/events/gpu_scheduler
check "dma_fence events" test -d /sys/kernel/tracing/events/dma_fence
check "virtio-gpu is card0" sh -c 'readlink /sys/class/drm/card0/device/driver | grep -q virtio'
check "tmp is writable" sh -c 'echo x > /tmp/.vm-env && rm /tmp/.vm-env'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
