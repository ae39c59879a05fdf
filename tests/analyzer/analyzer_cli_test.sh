#!/usr/bin/env bash
# analyzer_cli_test.sh: report, compare and export as a user runs them, with
# outside tools as the judges: python3's json module parses the JSON of all
# three (and the Chrome trace's events have the fields Perfetto reads),
# every format of report and compare is produced without error, and the
# exit statuses of compare are the ones a CI job gates on.
#
# usage: analyzer_cli_test.sh PATH/TO/drmscope PATH/TO/gen_synthetic
set -u
ds=${1:?usage: analyzer_cli_test.sh DRMSCOPE GEN_SYNTHETIC}
gen=${2:?usage: analyzer_cli_test.sh DRMSCOPE GEN_SYNTHETIC}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/drmscope-analyzer-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; }

check() {	# check NAME WANT-STATUS CMD...
	local name=$1 want=$2 got=0
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" || got=$?
	if [ "$got" = "$want" ]; then ok "$name"; else
		bad "$name: status $got, want $want"; sed 's/^/  | /' "$tmp/err" | head -n 10
	fi
}

db=$tmp/cap.db
"$gen" -n 4000 -r base -r base -r base -r slow,slow=25 -r slow,slow=25 -r slow,slow=25 \
	"$db" 2>/dev/null || { echo "FAIL - gen_synthetic"; exit 1; }

for f in text json markdown html; do
	check "report -f $f" 0 "$ds" report -f "$f" -o "$tmp/report.$f" "$db"
	check "report --run base -f $f" 0 "$ds" report --run base -f "$f" -o "$tmp/run.$f" "$db"
	check "compare A/A -f $f" 0 "$ds" compare -f "$f" -o "$tmp/aa.$f" "$db:base" "$db:base"
	check "compare slow -f $f" 1 "$ds" compare -f "$f" -o "$tmp/cmp.$f" "$db:base" "$db:slow"
done
check "compare missing file" 2 "$ds" compare "$db:base" "$tmp/none.db"
check "export chrome-json" 0 "$ds" export -f chrome-json -o "$tmp/trace.json" "$db"
check "export chrome-json --run" 0 "$ds" export --run 4 -f chrome-json -o "$tmp/run.json" "$db"
check "export csv" 0 "$ds" export -f csv -o "$tmp/csv" "$db"

if command -v python3 >/dev/null; then
	for j in report.json run.json aa.json cmp.json trace.json; do
		if python3 -m json.tool "$tmp/$j" >/dev/null 2>"$tmp/err"; then
			ok "python3 parses $j"
		else
			bad "python3 cannot parse $j: $(head -c 300 "$tmp/err")"
		fi
	done
	if python3 - "$tmp/trace.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
ev = t["traceEvents"]
ph = {}
for e in ev:
    ph[e["ph"]] = ph.get(e["ph"], 0) + 1
    assert "pid" in e and "name" in e, e
    if e["ph"] != "M":
        assert isinstance(e["ts"], (int, float)) and e["ts"] > 0, e
    if e["ph"] == "X":
        assert "tid" in e and e["dur"] >= 0, e
names = {e["args"]["name"] for e in ev if e["ph"] == "M"}
assert "GPU" in names and "kernel" in names, names
assert ph.get("X", 0) > 4000 and ph.get("i", 0) > 0 and ph.get("b") == ph.get("e"), ph
assert ph.get("s") == ph.get("f"), ph
PY
	then ok "trace events have the fields Perfetto reads"; else bad "trace events"; fi
	if python3 - "$tmp/cmp.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["verdict"] == "regression" and c["exit_status"] == 1
worse = [m for m in c["metrics"] if m["verdict"] == "worse"]
assert any(m["key"].endswith("/job_duration") and m["ci_ns"][0] > 0 for m in worse), worse
PY
	then ok "compare JSON says the job duration got worse"; else bad "compare JSON"; fi
else
	echo "skip - python3 not found"
fi
for h in report.html cmp.html; do
	if grep -Eq 'https?://' "$tmp/$h"; then bad "$h refers to the network"; else ok "$h is offline"; fi
done
[ "$(ls "$tmp/csv" | wc -l)" -ge 17 ] && ok "csv: a file per table" || bad "csv files"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
