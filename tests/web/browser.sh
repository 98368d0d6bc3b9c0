#!/bin/sh
# fieldgate-web in a real browser: headless Chromium (Debian's chromium)
# loads the today page and the compliance page of the scripted week
# (tests/web/lib.sh) as supervisor 李主管 and checks what a person would
# see: the missing rep's row is marked (red), a rep named <script> is
# text, the chart has the right bars at the right widths. Screenshots
# are kept in $top_builddir/tests/web/artifacts/. No chromium: FAIL.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/web/lib.sh"
browser=${CHROMIUM:-chromium}
if ! command -v "$browser" >/dev/null 2>&1; then
	echo "***************************************************************" >&2
	echo "FAIL: no '$browser': install Debian's chromium (scripts/install-deps)" >&2
	echo "***************************************************************" >&2
	exit 99
fi
art="$builddir/tests/web/artifacts"
mkdir -p "$art"
seed
sql "INSERT INTO people (id, phone, name, role, supervisor_id) VALUES
     (15, '+8613800000015', '<script>alert(1)</script>', 'rep', 2);
     INSERT INTO people_territories (person_id, territory_id)
       SELECT 15, id FROM territories WHERE code = 'JN';" >/dev/null
start_web main ""
login sup +8613800000002
token=$(awk '$6 == "fg_session" { print $7 }' "$tmp/sup")
[ -n "$token" ] || { echo "FAIL: no session cookie"; exit 1; }
mon=$(sql "SELECT to_char(date_trunc('week', (now() AT TIME ZONE 'Asia/Shanghai')) - interval '7 days', 'YYYY-MM-DD')")
origin="http://127.0.0.1:$port"

# load PAGE-URL NAME JS
load() {
	t0=$(date +%s)
	if timeout 60 python3 "$srcdir/tests/web/cdp.py" --browser "$browser" \
		--cookie "fg_session=$token" --origin "$origin" --url "$origin$1" \
		--png "$art/$2.png" --dom "$art/$2.html" --eval "$3" \
		--eval-out "$tmp/$2.json"; then
		ok "chromium loaded $1 in $(($(date +%s) - t0)) s"
	else
		bad "chromium could not load $1"
	fi
	[ -s "$art/$2.png" ] && ok "screenshot $art/$2.png" || bad "no screenshot of $2"
}
# check NAME PYTHON-ASSERTIONS-ON-v DESCRIPTION
check() {
	if python3 -c "import json,sys; v=json.load(open(sys.argv[1])); $2" "$tmp/$1.json"; then
		ok "$3"
	else
		bad "$3: $(cat "$tmp/$1.json")"
	fi
}

load /today today '(() => {
	const rows = [...document.querySelectorAll("tbody tr")];
	const miss = rows.filter(r => r.classList.contains("missing"));
	return {
		names: rows.map(r => r.cells[0].innerText),
		missing: miss.map(r => r.cells[0].innerText),
		missing_bg: miss.length ? getComputedStyle(miss[0].cells[0]).backgroundColor : "",
		states: rows.map(r => r.cells[r.cells.length - 1].innerText),
		scripts: document.scripts.length,
		title: document.querySelector("h1").innerText,
		summary: document.querySelector(".summary").innerText
	};
})()'
check today 'assert v["title"] == "今日", v' "today page title in Chinese"
check today 'assert sorted(v["names"]) == sorted(["<script>alert(1)</script>", "王一", "王二"]), v' \
	"the supervisor's three reps, 王三 (another team) absent"
check today 'assert "王二" in v["missing"] and "王一" not in v["missing"], v' "王二 marked missing, 王一 not"
check today 'assert v["missing_bg"] == "rgb(255, 221, 221)", v' "the missing row is red"
check today 'assert v["scripts"] == 0, v' "a rep named <script> is text, not a script"
check today 'assert any("缺签到" in s and "缺报告" in s for s in v["states"]), v' "missing badges shown"
check today 'assert "缺失 2" in v["summary"].replace("\n", " ") or "缺失2" in v["summary"].replace(" ", ""), v' \
	"summary: 2 missing"

load "/compliance?week=$mon" compliance '(() => {
	return [...document.querySelectorAll("svg.chart rect.bar")].map(r => ({
		label: r.dataset.label, kind: r.classList[1],
		value: +r.dataset.value,
		width: Math.round(r.getBoundingClientRect().width * 10) / 10
	}));
})()'
# 王一 12 on time of 12 due; 王二 7 on time, 1 late, 4 missing: the
# widest bar (12) is 400 px, so 7 -> 233.3, 1 -> 33.3, 4 -> 133.3.
check compliance '
bars = {(b["label"], b["kind"]): b for b in v}
def w(l, k): return bars[(l, k)]["width"]
assert len(v) == 6, len(v)  # two reps existed last week, three kinds each
assert bars[("王二", "on_time")]["value"] == 7 and abs(w("王二", "on_time") - 233.3) < 1, v
assert bars[("王二", "late")]["value"] == 1 and abs(w("王二", "late") - 33.3) < 1, v
assert bars[("王二", "missing")]["value"] == 4 and abs(w("王二", "missing") - 133.3) < 1, v
assert abs(w("王一", "on_time") - 400) < 1 and w("王一", "missing") == 0, v
' "chart bars: 王一 12/0/0, 王二 7/1/4 at the right widths"
grep -q '王二' "$art/compliance.html" && ok "compliance table rendered" || bad "no 王二 in the compliance DOM"
exit $fail
