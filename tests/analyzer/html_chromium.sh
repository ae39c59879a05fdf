#!/usr/bin/env bash
# html_chromium.sh DRMSCOPE GEN_SYNTHETIC: the HTML compare report renders
# in headless Chromium: no JavaScript error, the charts are in the rendered
# DOM (as many as the page announces in <footer data-charts>), and the
# screenshot is not blank (many distinct colours, decoded with the standard
# library's zlib).
set -u
DS=$1
GEN=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
check() {
	local name=$1
	shift
	if "$@"; then passed=$((passed + 1)); echo "ok   - $name"
	else failed=$((failed + 1)); echo "FAIL - $name"; fi
}
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
	echo "FAIL: chromium is not installed (scripts/setup installs it)" >&2
	exit 1
fi
"$GEN" -n 3000 -s 7 -r base -r base,seed=2 -r base,seed=3 -r new,slow=20,seed=4 \
	-r new,slow=20,seed=5 -r new,slow=20,seed=6 "$tmp/s.db" >/dev/null
"$DS" compare -f html -o "$tmp/c.html" "$tmp/s.db:base" "$tmp/s.db:new" >/dev/null
check "compare wrote HTML" test -s "$tmp/c.html"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$tmp/profile" --window-size=1280,2400)
timeout 120 "$chrome" "${flags[@]}" --enable-logging=stderr --v=0 \
	--dump-dom "file://$tmp/c.html" >"$tmp/dom.html" 2>"$tmp/console.txt"
timeout 120 "$chrome" "${flags[@]}" --screenshot="$tmp/shot.png" \
	"file://$tmp/c.html" >/dev/null 2>&1
want=$(sed -n 's/.*data-charts="\([0-9]*\)".*/\1/p' "$tmp/c.html" | head -1)
got=$(grep -o '<svg' "$tmp/dom.html" | wc -l)
check "the page announces charts" test "${want:-0}" -ge 3
check "the rendered DOM holds them ($got svg, $want announced)" test "$got" -ge "${want:-1}"
check "no JavaScript error" sh -c "! grep -Ei 'Uncaught|SyntaxError|TypeError|ReferenceError' '$tmp/console.txt'"
check "screenshot taken" test -s "$tmp/shot.png"
check "screenshot is not blank" python3 - "$tmp/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w, h, ctype = 8, b"", 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw = zlib.decompress(idat)
stride = w * bpp
colours, prev, i = set(), bytearray(stride), 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        for x in range(0, stride, bpp * 4):
            colours.add(bytes(line[x:x + 3]))
    prev = line
print("distinct colours sampled:", len(colours))
sys.exit(0 if len(colours) >= 20 else 1)
PY
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
