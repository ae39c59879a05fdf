#!/usr/bin/env bash
# cli_test.sh: the drmscope dispatcher's contract: --version, help, help CMD,
# CMD --help, and exit status 2 with a message for unknown commands, unknown
# options and extra arguments; a write error on stdout is not a success.
set -u
ds=${1:?usage: cli_test.sh PATH/TO/drmscope}
passed=0
failed=0

expect() {	# expect NAME STATUS OUTPUT-REGEX ARGS... (regex matched on stdout+stderr)
	local name=$1 want=$2 re=$3 got=0 out
	shift 3
	out=$("$ds" "$@" 2>&1) || got=$?
	if [ "$got" = "$want" ] && printf '%s\n' "$out" | grep -Eq -- "$re"; then
		passed=$((passed + 1))
		echo "ok   - $name"
	else
		failed=$((failed + 1))
		echo "FAIL - $name: status $got (want $want), output:"
		printf '%s\n' "$out" | sed 's/^/  | /' | head -n 20
	fi
}

expect "--version"            0 '^drmscope [0-9]+\.[0-9]+\.[0-9]+$' --version
expect "version"              0 '^drmscope [0-9]+\.[0-9]+' version
expect "no arguments"         2 'usage: drmscope' 
expect "--help lists commands" 0 'help +show help' --help
expect "help lists version"   0 'version +print' help
expect "help CMD"             0 'usage: drmscope version' help version
expect "CMD --help"           0 'usage: drmscope help' help --help
expect "help unknown"         2 "'nosuch' is not a drmscope command" help nosuch
expect "unknown command"      2 "'frobnicate' is not a drmscope command" frobnicate
expect "unknown global option" 2 "unknown option '--bogus'" --bogus
expect "extra argument"       2 "unexpected argument 'x'" version x

# Every listed command answers --help with its usage and status 0.
for cmd in $("$ds" help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
	expect "$cmd --help" 0 "usage: drmscope $cmd" "$cmd" --help
done

# A full disk on stdout is reported, not silently lost.
if [ -w /dev/full ]; then
	got=0
	"$ds" help >/dev/full 2>/dev/null || got=$?
	if [ "$got" != 0 ]; then
		passed=$((passed + 1)); echo "ok   - write error is reported"
	else
		failed=$((failed + 1)); echo "FAIL - write error to /dev/full gave status 0"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
