#!/bin/sh
# fieldgatectl reports: listing, filters (--from --form --since --limit),
# JSON with the stored fields object, usage errors.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }

"$ctl" reports >"$tmp/o"
rc_is $? 0 "list when empty"
expect "$tmp/o" "(no reports)" "empty said"

rep=$("$ctl" people add +8613800000002 '王销售' --role rep) || bad "add rep"
sql "INSERT INTO reports (ref, form_id, person_id, sender, fields, raw_text,
	period, late, rules_hash, received_at) VALUES
	('R1001', 'daily', $rep, '+8613800000002',
	 '{\"sales\": 120, \"cash\": \"3500.00\", \"visits\": 8}',
	 '日报120 3500 8', '2026-06-01', false, 'aa', now() - interval '3 days'),
	('R1002', 'daily', $rep, '+8613800000002', '{\"sales\": 130}',
	 '日报130', '2026-06-02', true, 'aa', now() - interval '1 hour'),
	('R1003', 'weekly', NULL, '+8613800000003', '{\"note\": \"压货\"}',
	 '周报 压货', '2026-W23', false, 'bb', now())" >/dev/null ||
	bad "insert reports"

"$ctl" reports >"$tmp/o"
rc_is $? 0 "list"
[ "$(grep -c '^20' "$tmp/o")" = 3 ] && ok "three rows" || { bad "rows"; cat "$tmp/o"; }
head -2 "$tmp/o" | tail -1 | grep -q R1003 && ok "newest first" || bad "order"
expect "$tmp/o" "LATE" "late flag shown"
expect "$tmp/o" '"cash": "3500.00"' "fields shown"

"$ctl" reports --form daily --from '+86 138 0000 0002' >"$tmp/o"
[ "$(grep -c '^20' "$tmp/o")" = 2 ] && ok "--form --from" || { bad "--form --from"; cat "$tmp/o"; }
"$ctl" reports --since 2d >"$tmp/o"
[ "$(grep -c '^20' "$tmp/o")" = 2 ] && ok "--since 2d" || { bad "--since"; cat "$tmp/o"; }
"$ctl" reports --limit 1 >"$tmp/o"
[ "$(grep -c '^20' "$tmp/o")" = 1 ] && ok "--limit" || bad "--limit"

"$ctl" reports --json >"$tmp/j"
rc_is $? 0 "--json"
json_ok "$tmp/j" && ok "valid JSON" || { bad "invalid JSON"; cat "$tmp/j"; }
[ "$(json_get "$tmp/j" 'len(d)')" = 3 ] && ok "json: 3 reports" || bad "json count"
[ "$(json_get "$tmp/j" 'd[2]["fields"]["sales"]')" = 120 ] &&
	ok "json: fields is the stored object" || bad "json fields"
[ "$(json_get "$tmp/j" 'd[1]["late"]')" = True ] && ok "json: late" || bad "json late"
[ "$(json_get "$tmp/j" 'd[2]["name"]')" = 王销售 ] && ok "json: name" || bad "json name"
[ "$(json_get "$tmp/j" 'd[0]["name"]')" = None ] && ok "json: unknown name null" || bad "json null name"

"$ctl" reports --from nonsense >/dev/null 2>"$tmp/e"
rc_is $? 2 "bad --from"
one_line "$tmp/e" "one line (bad --from)"
"$ctl" reports --since yesterday-ish >/dev/null 2>"$tmp/e"
rc_is $? 2 "bad --since"
"$ctl" reports --bogus >/dev/null 2>"$tmp/e"
rc_is $? 2 "unknown option"
"$ctl" help reports >"$tmp/o"
expect "$tmp/o" "--form ID" "help reports"
exit $fail
