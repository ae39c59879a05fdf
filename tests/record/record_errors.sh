#!/usr/bin/env bash
# record_errors.sh DRMSCOPE (host, no kernel events): record's exit status is
# the workload's own (0, 7, 128+signal, 127 for a missing program), usage
# errors are 2, and a truncated or corrupted trace directory, an empty one,
# or a database that is not drmscope's gives a clear error and status 2,
# never a crash, and leaves no half-written capture behind.
set -u
DS=$1
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/t"
export TMPDIR=$tmp/t	# record's temporary folders: ours alone

st() { local rc=0; "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?; echo "$rc"; }
says() { grep -q -- "$1" "$tmp/err" || { echo "  stderr lacks '$1':"; sed 's/^/  | /' "$tmp/err"; return 1; }; }

rec() { "$DS" record --no-kernel -q -d '/dev/null' "$@"; }

check "usage: no -o" eq "$(st "$DS" record -- true)" 2
check "usage: no command" eq "$(st "$DS" record -o "$tmp/x.db")" 2
check "usage: bad --buffers" eq "$(st "$DS" record -o "$tmp/x.db" --buffers=some -- true)" 2
check "status 0" eq "$(st rec -o "$tmp/a.db" -- sh -c ': </dev/null')" 0
check "capture written" test -s "$tmp/a.db"
check "info reads it" eq "$(st "$DS" info "$tmp/a.db")" 0
check "existing output refused" eq "$(st rec -o "$tmp/a.db" -- true)" 2
check "--force replaces it" eq "$(st rec --force -o "$tmp/a.db" -- true)" 0
check "status 7 passed through" eq "$(st rec -o "$tmp/b.db" -- sh -c 'exit 7')" 7
check "signal: 128+15" eq "$(st rec -o "$tmp/c.db" -- sh -c 'kill -TERM $$')" 143
check "missing program: 127" eq "$(st rec -o "$tmp/d.db" -- /nonexistent/program)" 127
check "missing program: message" says "cannot run '/nonexistent/program'"
check "stdout of the workload unchanged" sh -c "[ \"\$('$DS' record --no-kernel -q -d /dev/null \
	-o '$tmp/e.db' -- echo hello)\" = hello ]"

# a real trace directory to damage: keep the recorder's temporary folder
export DRMSCOPE_KEEP_TMP=1
rec -o "$tmp/keep.db" -- sh -c 'for i in 1 2 3; do : </dev/null; done' >/dev/null 2>&1
unset DRMSCOPE_KEEP_TMP
trace=$(ls -d "$TMPDIR"/drmscope-record.*/ust 2>/dev/null | head -1)
check "trace kept" test -d "$trace"
check "import of the good trace" eq "$(st "$DS" import "$trace" -o "$tmp/good.db")" 0

cp -r "$trace" "$tmp/trunc"
find "$tmp/trunc" -type f -name 'drmscope_*' ! -name '*.idx' | while read -r f; do
	truncate -s $(( $(stat -c %s "$f") / 3 )) "$f"
done
check "truncated streams: status 2" eq "$(st "$DS" import "$tmp/trunc" -o "$tmp/t.db")" 2
check "truncated streams: message" says "drmscope import"
check "truncated streams: no file left" test ! -e "$tmp/t.db"

cp -r "$trace" "$tmp/badmeta"
find "$tmp/badmeta" -name metadata | while read -r f; do
	printf '/* CTF 1.8 */ trace { garbage' >"$f"
done
check "corrupt metadata: status 2" eq "$(st "$DS" import "$tmp/badmeta" -o "$tmp/m.db")" 2
check "corrupt metadata: message" says "CTF"

mkdir "$tmp/empty"
check "empty directory: status 2" eq "$(st "$DS" import "$tmp/empty" -o "$tmp/n.db")" 2
check "empty directory: message" says "no CTF trace"
check "not a directory: status 2" eq "$(st "$DS" import "$tmp/good.db" -o "$tmp/o.db")" 2

# databases that are not drmscope's
sqlite3 "$tmp/foreign.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
head -c 65536 /dev/urandom >"$tmp/random.db"
check "foreign SQLite: info 2" eq "$(st "$DS" info "$tmp/foreign.db")" 2
check "foreign SQLite: message" says "not a drmscope"
check "random bytes: info 2" eq "$(st "$DS" info "$tmp/random.db")" 2
check "random bytes: query 2" eq "$(st "$DS" query "$tmp/random.db" "SELECT 1")" 2
finish
