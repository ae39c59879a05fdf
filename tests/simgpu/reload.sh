#!/usr/bin/env bash
# tests/simgpu/reload.sh: reload the simgpu module with parameters.
#
#   tests/simgpu/reload.sh [--force] [PARAM=VALUE]...
#
# Removes simgpu (retrying for a few seconds while the last fences of closed
# files are released) and inserts $DRMSCOPE_SIMGPU_KO with the given
# parameters, then waits for its render node. Runs inside the test VM as
# root. Exit status: 0 when the module is loaded with the parameters, 1 on
# any failure (explained on stderr).
set -u

prog=reload.sh
die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit 1
}

[ "${DRMSCOPE_IN_VM:-}" = 1 ] || die "not inside the test VM (DRMSCOPE_IN_VM is not 1)"
ko=${DRMSCOPE_SIMGPU_KO:-}
[ -n "$ko" ] && [ -f "$ko" ] || die "DRMSCOPE_SIMGPU_KO ('$ko') is not a simgpu.ko"

# Parameters the module lets us change at run time (the inject_* ones) need
# no reload: when every read-only parameter (fw_abi, ...) already has the
# wanted value, set the others through sysfs. "Wanted" is the boot
# configuration (vm-run saved it) with the arguments on top. --force always
# unloads and loads (for tests that want the driver's leak check at unload).
force=0
if [ "${1:-}" = --force ]; then
	force=1
	shift
fi
params=/sys/module/simgpu/parameters
boot=/run/drmscope-vm/simgpu-params
# (root passes `test -w` on read-only files: look at the mode instead)
writable() { case "$(stat -c %a "$1")" in [2367]*) return 0 ;; esac; return 1; }
if [ "$force" = 0 ] && [ -d "$params" ] && [ -r "$boot" ]; then
	declare -A want=()
	while IFS='=' read -r k v; do want[$k]=$v; done <"$boot"
	inplace=1
	for kv in "$@"; do
		k=${kv%%=*}
		[ -e "$params/$k" ] || inplace=0
		want[$k]=${kv#*=}
	done
	for k in "${!want[@]}"; do
		[ -e "$params/$k" ] || continue
		if ! writable "$params/$k" && [ "$(cat "$params/$k")" != "${want[$k]}" ]; then
			inplace=0
		fi
	done
	if [ "$inplace" = 1 ]; then
		for k in "${!want[@]}"; do
			writable "$params/$k" || continue
			echo "${want[$k]}" >"$params/$k" || die "cannot set $k=${want[$k]}"
		done
		exit 0
	fi
fi

# Tracing simgpu's events holds a module reference: a tracefs instance left
# behind by a killed recorder would pin the module. Turn them off first.
tr=/sys/kernel/tracing
for ev in "$tr"/events/simgpu/enable "$tr"/instances/*/events/simgpu/enable; do
	[ -w "$ev" ] && echo 0 >"$ev" 2>/dev/null
done

if [ -d /sys/module/simgpu ]; then
	ok=0
	for _ in $(seq 1 150); do
		if rmmod simgpu 2>/tmp/reload.err.$$; then
			ok=1
			break
		fi
		sleep 0.2
	done
	if [ "$ok" != 1 ]; then
		err=$(cat /tmp/reload.err.$$)
		rm -f /tmp/reload.err.$$
		echo "$prog: holders: instances=[$(ls "$tr/instances" | tr '\n' ' ')]" \
			"status=[$(cat /sys/kernel/debug/dri/*/simgpu_status 2>/dev/null | head -1)]" \
			"open=[$(ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c /dev/dri)]" >&2
		ps -eo pid,stat,comm | grep -v '\[' >&2
		die "rmmod simgpu failed for 30 s: $err (refcnt $(cat /sys/module/simgpu/refcnt 2>/dev/null))"
	fi
	rm -f /tmp/reload.err.$$
fi
[ -d /sys/module/simgpu ] && die "simgpu is still loaded after rmmod"

insmod "$ko" "$@" || die "insmod $ko $* failed"

# The render node appears with the module (devtmpfs).
for _ in $(seq 1 150); do
	for n in /sys/class/drm/renderD*; do
		# the module's platform device is named simgpu
		case "$(readlink -f "$n/device" 2>/dev/null)" in
		*/simgpu)
			[ -c "/dev/dri/${n##*/}" ] && exit 0
			;;
		esac
	done
	sleep 0.1
done
die "simgpu loaded but no render node appeared"
