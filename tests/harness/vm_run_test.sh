#!/usr/bin/env bash
# vm_run_test.sh: checks that scripts/vm-run boots the 6.12 kernel, passes a
# command's exit status and output through (0, 1, 7 and a signal), loads the
# DRM modules, mounts tracefs, gives virtio-gpu as card0 with --virtio-gpu,
# and that its timeout fires and a module that does not load is an error.
# Each case is one boot (about 7 s here), so they are few and each asserts
# several things.
set -u
vmrun=${1:?usage: vm_run_test.sh PATH/TO/vm-run}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {	# check NAME CONDITION-COMMAND...
	local name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok   - $name"
	else
		failed=$((failed + 1))
		echo "FAIL - $name"
	fi
}

run() {		# run EXPECTED-STATUS ARGS... : stdout to $tmp/out, stderr to $tmp/err
	local want=$1 got=0
	shift
	"$vmrun" "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
	if [ "$got" != "$want" ]; then
		echo "  vm-run $* exited $got, expected $want; stderr:"
		sed 's/^/  | /' "$tmp/err" | tail -n 20
		return 1
	fi
}

# 1. status 0, stdout and stderr passed through separately, the 6.12 kernel,
#    the modules, tracefs and the writable checkout.
script='uname -r; echo to-stderr >&2; cut -d" " -f1 /proc/modules;
	ls /sys/kernel/tracing/events; touch "$PWD/.vm-run-probe" && echo checkout-writable'
check "status 0 and output" run 0 -- sh -c "$script"
check "kernel is 6.12" grep -q '^6\.12\.' "$tmp/out"
check "stderr is separate" sh -c "grep -qx to-stderr '$tmp/err' && ! grep -q to-stderr '$tmp/out'"
for m in drm drm_shmem_helper gpu_sched drm_gpuvm drm_exec vgem; do
	check "module $m loaded" grep -qx "$m" "$tmp/out"
done
check "tracefs has gpu_scheduler" grep -qx gpu_scheduler "$tmp/out"
check "tracefs has dma_fence" grep -qx dma_fence "$tmp/out"
check "checkout is writable" grep -qx checkout-writable "$tmp/out"
check "write reached the host" test -f "$PWD/.vm-run-probe"
rm -f "$PWD/.vm-run-probe"

# 2. the command's status: 7, 1 (false) and a signal (128 + SIGSEGV).
check "status 7" run 7 -- sh -c 'exit 7'
check "status 1 from false" run 1 -- false
check "signal gives 128+11" run 139 -- sh -c 'kill -SEGV $$'

# 3. virtio-gpu: card0 is virtio_gpu and its events are in tracefs.
check "virtio-gpu boot" run 0 --virtio-gpu -- sh -c \
	'readlink /sys/class/drm/card0/device/driver; ls /sys/kernel/tracing/events/virtio_gpu'
check "card0 is virtio" grep -q 'virtio' "$tmp/out"
check "virtio_gpu events" grep -q 'virtio_gpu_cmd_queue' "$tmp/out"

# 4. a timeout fires: non-zero (124), a clear message, and promptly.
start=$(date +%s)
check "timeout status 124" run 124 --timeout 4 -- sleep 600
check "timeout message" grep -q 'timed out after 4 s' "$tmp/err"
check "timeout is prompt" test $(( $(date +%s) - start )) -lt 120

# 5. a module that does not load is an error with a message (status 125).
top=$(cd "$(dirname "$vmrun")/.." && pwd)
bad=$(mktemp "$top/build/bad-module.XXXXXX.ko" 2>/dev/null || mktemp "$top/bad-module.XXXXXX.ko")
echo "not a module" >"$bad"
SIMGPU_KO="$bad" "$vmrun" -- true >/dev/null 2>"$tmp/err"
st=$?
check "bad module refused" test "$st" = 125
check "bad module message" grep -q 'did not load' "$tmp/err"
rm -f "$bad"

# 6. usage errors are status 2 and boot nothing.
"$vmrun" --bogus -- true >/dev/null 2>&1
check "unknown option is status 2" test $? = 2
"$vmrun" >/dev/null 2>&1
check "no command is status 2" test $? = 2

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
