# lib.sh: helpers for the record tests: check NAME CMD..., sql DB QUERY
# (one value), and a closing "N passed, M failed" line.
passed=0
failed=0
check() {
	local name=$1
	shift
	if "$@"; then
		passed=$((passed + 1)); echo "ok   - $name"
	else
		failed=$((failed + 1)); echo "FAIL - $name"
	fi
}
# sql DB QUERY: the first column of the first row (through drmscope query)
sql() {
	"$DS" query "$1" "$2" --format csv | sed -n '2p' | tr -d '\r'
}
eq() { [ "$1" = "$2" ] || { echo "  got '$1', want '$2'"; return 1; }; }
ge() { [ "${1:-0}" -ge "$2" ] 2>/dev/null || { echo "  got '$1', want >= $2"; return 1; }; }
need_vm() {
	if [ "${DRMSCOPE_IN_VM:-}" != 1 ]; then
		echo "FAIL: not inside the drmscope test VM; run through scripts/vm-run" >&2
		exit 1
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
