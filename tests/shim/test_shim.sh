#!/bin/sh
# tests/shim/test_shim.sh: the shim under a real LTTng session, on the host.
#
# Usage: test_shim.sh SHIM_SO HELPER
#
# Runs tests/shim/shim_helper three times: without the shim, with the shim
# while no session listens, and with the shim under a private
# lttng-sessiond whose session records drmscope:* into a blocking channel.
# Stand-in devices: /dev/full (a character device), a FIFO and a regular
# file, given to the shim in DRMSCOPE_DEVICES. Then:
#   - the program's stdout and exit status are the same in all runs, and
#     the shim wrote nothing to stderr;
#   - babeltrace2 shows every ioctl_enter with its ioctl_exit, calls without
#     pointers as one ioctl_call event (header words, bytes before and after),
#     the DRM requests with their argument bytes and arrays (ENOTTY
#     recorded), bad pointers survived, dup/dup2/dup3/F_DUPFD fds traced, a
#     closed number reused for a non-device file not traced, mmap/munmap,
#     four threads with their own calls, an ioctl from a signal handler, the
#     fork child under its own pid, the exec'd image with its inherited fd,
#     close_range, and an array stored in the blob file.
#
# As root, lttng-sessiond always uses /var/run/lttng; to stay private (and
# not disturb a user's sessions) the test re-runs itself in a new mount
# namespace with a tmpfs there. It fails (never skips) when that, or LTTng, is
# not available.
set -u

SHIM=$1
HELPER=$2

skip() { echo "FAIL: cannot run: $*" >&2; exit 1; }
command -v lttng-sessiond >/dev/null 2>&1 || skip "lttng-sessiond not installed"
command -v lttng >/dev/null 2>&1 || skip "lttng not installed"
command -v babeltrace2 >/dev/null 2>&1 || skip "babeltrace2 not installed"

if [ "$(id -u)" = 0 ] && [ -z "${DS_SHIM_TEST_NS:-}" ]; then
	command -v unshare >/dev/null 2>&1 || skip "root without unshare(1)"
	DS_SHIM_TEST_NS=1 exec unshare -m sh -c \
		'mkdir -p /var/run/lttng && mount -t tmpfs drmscope-test /var/run/lttng &&
		 exec sh "$0" "$@"' "$0" "$@" || skip "cannot make a mount namespace"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/drmscope-shim-test.XXXXXX")
SESSIOND=
cleanup() {
	if [ -n "$SESSIOND" ]; then
		lttng destroy -a >/dev/null 2>&1
		kill "$SESSIOND" 2>/dev/null
		wait "$SESSIOND" 2>/dev/null
	fi
	if [ -z "${KEEP:-}" ]; then rm -rf "$T"; else echo "kept $T"; fi
}
trap cleanup EXIT

FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok:   $*"; }

export LTTNG_HOME="$T/home"
mkdir -p "$LTTNG_HOME" "$T/blobs"
mkfifo "$T/fifo"
head -c 8192 /dev/zero > "$T/regular"
echo "not a device" > "$T/other"
CHARDEV=/dev/full
ARGS="$CHARDEV $T/fifo $T/regular $T/other"
DEVICES="$CHARDEV:$T/fifo:$T/regular"

# 1. without the shim
"$HELPER" $ARGS > "$T/out_plain" 2> "$T/err_plain"
RC_PLAIN=$?

lttng-sessiond --no-kernel > "$T/sessiond.log" 2>&1 &
SESSIOND=$!
i=0
until lttng list >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && skip "lttng-sessiond did not start: $(cat "$T/sessiond.log")"
	sleep 0.1
done

run_shim() {
	LD_PRELOAD="$SHIM:liblttng-ust-fork.so" \
	LTTNG_UST_ALLOW_BLOCKING=1 LTTNG_UST_REGISTER_TIMEOUT=-1 \
	DRMSCOPE_DEVICES="$DEVICES" DRMSCOPE_BLOB_DIR="$T/blobs" \
	DRMSCOPE_INLINE_MAX=8 HELPER_NOTES="$T/notes_$1" \
		"$HELPER" $ARGS > "$T/out_$1" 2> "$T/err_$1"
}

# 2. with the shim, nobody listening
run_shim idle
RC_IDLE=$?

# 3. with the shim, recorded
lttng create drmscope-shim-test --output="$T/trace" >/dev/null &&
lttng enable-channel -u --blocking-timeout=inf ch >/dev/null &&
lttng add-context -u -c ch -t vpid -t vtid >/dev/null &&
lttng enable-event -u -c ch 'drmscope:*' >/dev/null &&
lttng start >/dev/null || skip "cannot set up the LTTng session"
run_shim traced
RC_TRACED=$?
lttng stop >/dev/null
lttng destroy >/dev/null

# ------------------------------------------------------------ invisibility
[ $RC_PLAIN = 0 ] && pass "helper exits 0 without the shim" || fail "helper failed: $RC_PLAIN"
[ $RC_IDLE = $RC_PLAIN ] && [ $RC_TRACED = $RC_PLAIN ] &&
	pass "same exit status" || fail "exit status $RC_PLAIN/$RC_IDLE/$RC_TRACED"
cmp -s "$T/out_plain" "$T/out_idle" && pass "same stdout, shim idle" ||
	{ fail "stdout differs (idle)"; diff "$T/out_plain" "$T/out_idle"; }
cmp -s "$T/out_plain" "$T/out_traced" && pass "same stdout, traced" ||
	{ fail "stdout differs (traced)"; diff "$T/out_plain" "$T/out_traced"; }
[ ! -s "$T/err_idle" ] && [ ! -s "$T/err_traced" ] && pass "nothing on stderr" ||
	{ fail "stderr:"; cat "$T/err_idle" "$T/err_traced"; }

# ------------------------------------------------------------------ trace
babeltrace2 "$T/trace" > "$T/events" 2> "$T/bt.err" || fail "babeltrace2: $(cat "$T/bt.err")"
. "$T/notes_traced"		# pid=, dev_fd=, dup_fd=, ... (shell syntax)
E="$T/events"

# count EXTENDED-REGEX: number of event lines matching
count() { grep -E -c -- "$1" "$E"; }
expect() {	# expect N REGEX WHAT
	n=$(count "$2")
	[ "$n" = "$1" ] && pass "$3" || fail "$3: $n events, expected $1 (/$2/)"
}
atleast() {	# atleast N REGEX WHAT
	n=$(count "$2")
	[ "$n" -ge "$1" ] && pass "$3" || fail "$3: $n events, expected >= $1 (/$2/)"
}
P="vpid = $pid,"

atleast 1 "drmscope:process_info: .*pid = $pid, .*cause = 0" "process_info at start"
expect 1 "drmscope:fd_open: .*$P.*fd = $dev_fd, path = \"$CHARDEV\", major = 1, minor = 7, flags = 0x2, inherited = 0" \
	"fd_open of the character device with major/minor"

# every enter has its exit: the (vpid, vtid, seq) sets are equal
key() { grep "drmscope:$1:" "$E" | sed -E 's/.*vpid = ([0-9]+), vtid = ([0-9]+).*seq = ([0-9]+),.*/\1 \2 \3/' | sort; }
key ioctl_enter > "$T/enter.keys"
key ioctl_exit > "$T/exit.keys"
if [ -s "$T/enter.keys" ] && cmp -s "$T/enter.keys" "$T/exit.keys"; then
	pass "every ioctl_enter has its ioctl_exit ($(wc -l < "$T/enter.keys") calls)"
else
	fail "enter/exit mismatch"; diff "$T/enter.keys" "$T/exit.keys" | head
fi
[ "$(sort -u "$T/enter.keys" | wc -l)" = "$(wc -l < "$T/enter.keys")" ] &&
	pass "sequence numbers unique per thread" || fail "duplicate sequence numbers"

D="$P vtid = $pid \\}, \\{ fd = $dev_fd,"
# call FD REQUEST: an ioctl_call event's start, up to its first word (fd |
# request << 32, as babeltrace2 prints it: REQUEST as in 0x641E, no 0x)
call() { printf '\\{ _call_length = [0-9]+, call = \\[ \\[0\\] = 0x%s%08X,' "$2" "$1"; }
expect 1 "ioctl_enter: .*$D request = 0xC0406400, seq = [0-9]+, size = 64," "DRM_IOCTL_VERSION recorded with 64 bytes"
expect 1 "ioctl_exit: .*$D request = 0xC0406400, seq = [0-9]+, ret = -1, err = 25, size = 64" "VERSION exit: ret -1, errno ENOTTY"
# GET_CAP (no pointers): one event; result -ENOTTY, 16 bytes before and after
expect 1 "ioctl_call: .*$P vtid = $pid \\}, $(call $dev_fd C010640C) \\[1\\] = 0x[0-9A-F]+, \\[2\\] = 0x10FFFFFFE7, \\[3\\] = 0x13, \\[4\\] = 0x0, \\[5\\] = 0x13, \\[6\\] = 0x0 \\]" \
	"GET_CAP as one ioctl_call: argument bytes before and after as 64-bit words"
expect 1 "ioctl_array_blob: .*fd = $dev_fd, .*field = \"handles\", .*count = 3, .*stride = 4, size = 12, truncated = 0, .*stored = 1" \
	"SYNCOBJ_WAIT handles array deep-copied (to the blob file)"
expect 1 "ioctl_array: .*fd = $dev_fd, .*field = \"handles\", addr = 0xDEAD0000, .*size = 0, truncated = 0, read_err = -14" \
	"unreadable array recorded as such"
expect 1 "ioctl_call: .*$P vtid = $pid \\}, $(call $dev_fd C010640C) \\[1\\] = 0x[0-9A-F]+, \\[2\\] = 0xFFFFFFE7 \\]" \
	"bad argument pointer recorded without bytes"
expect 1 "ioctl_call: .*$P vtid = $pid \\}, $(call $dev_fd 641E) \\[1\\] = 0x[0-9A-F]+, \\[2\\] = 0xFFFFFFE7 \\]" \
	"DRM_IOCTL_SET_MASTER (no argument)"
# ioctl_call's begin time is before the event's own (CLOCK_MONOTONIC, which
# babeltrace2 prints since the Epoch: compare the trace's cycles instead)
bt_clock=$(babeltrace2 --clock-cycles "$T/trace" 2>/dev/null | grep -E -m1 "$(call $dev_fd 641E)")
ev_ns=$(echo "$bt_clock" | sed -E 's/^\[0*([0-9]+)\].*/\1/')
begin_ns=$(printf '%d' "$(echo "$bt_clock" | sed -E 's/.*\[1\] = (0x[0-9A-F]+).*/\1/')")
[ -n "$ev_ns" ] && [ "$begin_ns" -le "$ev_ns" ] && [ $((ev_ns - begin_ns)) -lt 1000000000 ] &&
	pass "ioctl_call begins before its event, on the same clock" ||
	fail "ioctl_call begin $begin_ns vs event time $ev_ns"
expect 1 "ioctl_exit: .*fd = $fifo_fd, request = 0x541B, seq = [0-9]+, ret = 0, err = 0" "successful ioctl on the FIFO"

for v in dup_fd dup2_fd dupfd_fd dup3_fd; do
	eval fdv=\$$v
	expect 1 "fd_dup: .*$P.*oldfd = $dev_fd, newfd = $fdv \\}" "fd_dup for $v"
	atleast 1 "ioctl_call: .*$P.*$(call $fdv C010640C)" "ioctl on $v traced"
done
atleast 1 "fd_close: .*$P.*fd = $dup_fd \\}" "close of the dup'd fd"
expect 0 "ioctl_enter: .*$P.*fd = $reused_fd, request = 0x541B" "reused number (non-device) not traced"

m=$(echo "$map" | tr a-f A-F | sed 's/^0X/0x/')
expect 1 "drmscope:mmap: .*fd = $reg_fd, offset = 0x0, length = 4096, addr = $m, prot = 0x1, flags = 0x1, handle = 0, err = 0" "mmap of a traced file"
expect 1 "drmscope:munmap: .*addr = $m, length = 4096" "munmap of it"
expect 1 "drmscope:mmap: .*fd = $dev_fd, .*addr = 0xFFFFFFFFFFFFFFFF, .*err = 19" "failed mmap recorded with errno"

# threads: four of them, 50 calls each, thread i asking for capability i
threads=$(grep "ioctl_call: .*$P" "$E" | sed -E 's/.*vtid = ([0-9]+).*/\1/' | sort -u | grep -v "^$pid\$")
nt=0 seen=
for t in $threads; do
	c=$(grep -c "ioctl_call: .*$P vtid = $t }" "$E")
	k=$(grep "ioctl_call: .*$P vtid = $t }" "$E" | sed -E 's/.*\[3\] = (0x[0-9A-F]+),.*/\1/' | sort -u)
	case "$k" in 0x1|0x2|0x3|0x4) [ "$c" = 50 ] && nt=$((nt + 1)) ;; esac
	seen="$seen $k"
done
[ $nt = 4 ] && [ "$(echo $seen | tr ' ' '\n' | sort -u | wc -l)" = 4 ] &&
	pass "4 threads, 50 calls each, each its own argument" || fail "threads: $nt good of: $threads ($seen)"

expect 1 "ioctl_call: .*$P vtid = $pid \\}, $(call $dev_fd 40086409)" "ioctl from a signal handler"

expect 1 "process_info: .*vpid = $child_pid,.*pid = $child_pid, ppid = $pid, .*cause = 1" "fork child announced with its pid"
expect 1 "ioctl_call: .*vpid = $child_pid, vtid = $child_pid \\}, $(call $dev_fd C00864C0)" "fork child's ioctl under its own pid"
expect 1 "process_info: .*pid = $exec_pid, ppid = $pid, .*--exec-child.*cause = 0" "exec'd image announced"
expect 1 "fd_open: .*vpid = $exec_pid,.*fd = $dup2_fd, path = \"$CHARDEV\", .*inherited = 1" "inherited device fd found after exec"
expect 1 "ioctl_call: .*vpid = $exec_pid,.*$(call $dup2_fd C008640A)" "exec'd image's ioctl traced"
expect 1 "fd_close: .*$P.*fd = $dupfd_fd \\}" "close_range closes the traced fd"
expect 1 "ioctl_call: .*$P.*$(call $dupfd_fd C010640C)" "nothing traced on it afterwards"
expect 0 "shim_error|lost" "no shim_error or lost events"

# blob file: one record (magic DSB1, raw size 12) for the 12-byte array
blob=$(ls "$T/blobs"/blobs-"$pid".bin 2>/dev/null)
if [ -n "$blob" ] && [ "$(head -c 4 "$blob")" = "DSB1" ] &&
   [ "$(od -An -tu8 -j8 -N8 "$blob" | tr -d ' ')" = 12 ] &&
   [ "$(stat -c %s "$blob")" = $((40 + 12)) ]; then
	pass "blob file holds the array once"
else
	fail "blob file: $(ls -la "$T/blobs")"
fi

echo "$FAILS failure(s)"
[ $FAILS = 0 ]
