#!/bin/sh
# fieldgatectl people add/list: roles, supervisors, duplicates, filters.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }

"$ctl" people list >"$tmp/o"
rc_is $? 0 "list when empty"
expect "$tmp/o" "no people registered" "empty said"

sup=$("$ctl" people add '+86 138-0000-0001' '李主管' --role supervisor) ||
	bad "add supervisor"
rep=$("$ctl" people add +8613800000002 '王销售' --role rep \
	--supervisor '0086 13800000001' --territory 'Haidian') || bad "add rep"
adm=$("$ctl" people add --role admin +8613800000009 Admin --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') ||
	bad "add admin --json"
[ "$(sql "SELECT phone, role FROM people WHERE id = $sup")" = '+8613800000001|supervisor' ] &&
	ok "supervisor stored normalized" || bad "supervisor row"
[ "$(sql "SELECT supervisor_id, territory FROM people WHERE id = $rep")" = "$sup|Haidian" ] &&
	ok "rep points at supervisor" || bad "rep row"
[ "$(sql "SELECT role FROM people WHERE id = $adm")" = admin ] &&
	ok "admin stored" || bad "admin row"

# Errors: one clear line, exit 1 (2 for usage), nothing stored.
before=$(sql 'SELECT count(*) FROM people')
"$ctl" people add +8613800000003 '赵' --role rep --supervisor +8613899999999 \
	>/dev/null 2>"$tmp/e"
rc_is $? 1 "missing supervisor"
one_line "$tmp/e" "one line (missing supervisor)"
expect "$tmp/e" "supervisor +8613899999999 is not registered" "missing supervisor said"
"$ctl" people add +8613800000003 '赵' --role rep --supervisor +8613800000002 \
	>/dev/null 2>"$tmp/e"
rc_is $? 1 "supervisor who is a rep"
expect "$tmp/e" "is a rep, not a supervisor" "not a supervisor said"
"$ctl" people add '+86 13800000002' 'Dup' --role rep >/dev/null 2>"$tmp/e"
rc_is $? 1 "duplicate number"
one_line "$tmp/e" "one line (duplicate)"
expect "$tmp/e" "+8613800000002 is already registered (王销售, rep" "duplicate said with the owner"
"$ctl" people add +8613800000004 X --role manager >/dev/null 2>"$tmp/e"
rc_is $? 2 "bad role"
expect "$tmp/e" "bad role 'manager' (rep, supervisor or admin)" "bad role said"
"$ctl" people add 12x X --role rep >/dev/null 2>"$tmp/e"
rc_is $? 1 "bad number"
[ "$(sql 'SELECT count(*) FROM people')" = "$before" ] &&
	ok "no row from failed adds" || bad "a failed add stored a row"

# list, filters, JSON.
"$ctl" people list >"$tmp/o"
expect "$tmp/o" "王销售" "list shows the rep"
expect "$tmp/o" "+8613800000001" "list shows the supervisor's number"
[ "$(grep -c '^[0-9]' "$tmp/o")" -eq 3 ] && ok "3 rows" || bad "rows: $(cat "$tmp/o")"
"$ctl" people list --role rep --json >"$tmp/j" || bad "list --json"
json_ok "$tmp/j" || bad "list --json invalid"
[ "$(json_get "$tmp/j" '[(p["phone"], p["role"], p["supervisor"], p["name"]) for p in d]')" = \
	"[('+8613800000002', 'rep', '+8613800000001', '王销售')]" ] &&
	ok "--role rep --json" || { bad "--role rep --json"; cat "$tmp/j"; }
"$ctl" people list --role supervisor >"$tmp/o"
[ "$(grep -c '^[0-9]' "$tmp/o")" -eq 1 ] && ok "--role supervisor" || bad "--role supervisor"
"$ctl" people list --role chief >/dev/null 2>&1
rc_is $? 2 "list: bad role"

exit $fail
