#!/bin/sh
# fieldgatectl rules check|test|reload: the shipped rules load clean; a
# broken file gives file:line and exit 1; warnings are printed with exit 0;
# `rules test` prints the form, typed fields, reply, segments and alerts
# (text and --json), looks the sender up when a database is reachable,
# stores and sends nothing; `rules reload` with no daemon says so.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
shipped="$srcdir/docs/examples/rules.zh.conf"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }

# ---- check
"$ctl" rules check "$shipped" >"$tmp/o" 2>"$tmp/e"
rc_is $? 0 "shipped rules check"
expect "$tmp/o" "OK, version zh-" "OK with the version"
[ -s "$tmp/e" ] && { bad "shipped rules print diagnostics"; cat "$tmp/e"; } || ok "no diagnostics"

{ echo "# a typo"; echo "setings = {};"; cat "$shipped"; } >"$tmp/bad.conf"
"$ctl" rules check "$tmp/bad.conf" >"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "broken rules check"
expect "$tmp/e" "$tmp/bad.conf:2:" "file:line of the unknown key"
expect "$tmp/e" "1 error" "error count"

"$ctl" rules check "$tmp/nonexistent.conf" >/dev/null 2>"$tmp/e"
rc_is $? 1 "missing file"
expect "$tmp/e" "cannot read" "missing file said"

# a reply that needs two SMS: a warning, still OK
sed -e 's/max_segments = 1;/max_segments = 3;/' \
	-e 's/reply_ok = "请假{{days}}天已提交,待主管批复。号{{ref}}";/reply_ok = "请假{{days}}天已提交,待主管批复,主管批复之前请不要离开工作岗位,批复结果会以短信通知您,如有疑问请联系主管或者人事部门,谢谢您的配合与支持,祝您工作顺利。号{{ref}}";/' \
	-e 's/{ text = "请假 2 家事"; reply = "请假2天已提交,待主管批复。号R1045"; },/"请假 2 家事",/' \
	"$shipped" >"$tmp/warn.conf"
"$ctl" rules check "$tmp/warn.conf" >"$tmp/o" 2>"$tmp/e"
rc_is $? 0 "a warning only"
expect "$tmp/e" "warning: form 'leave'" "the warning printed"
expect "$tmp/o" "1 warning" "warning counted"

"$ctl" rules check a b >/dev/null 2>&1
rc_is $? 2 "two files"

# ---- test, offline roles
"$ctl" rules test --rules "$shipped" --as rep +8613800000002 '日报120 3500 8' >"$tmp/o"
rc_is $? 0 "rules test daily"
expect "$tmp/o" "form:       daily (keyword 日报)" "form and keyword"
expect "$tmp/o" "sales        int      120" "int field"
expect "$tmp/o" "cash         decimal  3500.00" "decimal field"
expect "$tmp/o" "reply:      日报已收:销量120 回款3500 拜访8 号R1001" "receipt"
expect "$tmp/o" "segments:   1 (UCS-2)" "segments"
expect "$tmp/o" "not checked" "lookups not checked with --as"

"$ctl" rules test --rules "$shipped" --as rep --json +8613800000002 'ＲＢ　１２０，３５００，８' >"$tmp/j"
rc_is $? 0 "rules test --json full-width"
json_ok "$tmp/j" && ok "valid JSON" || { bad "invalid JSON"; cat "$tmp/j"; }
[ "$(json_get "$tmp/j" 'd["outcome"]')" = ok ] && ok "json outcome" || bad "json outcome"
[ "$(json_get "$tmp/j" 'd["form"]')" = daily ] && ok "json form" || bad "json form"
[ "$(json_get "$tmp/j" 'd["fields"]["sales"]')" = 120 ] && ok "json int field" || bad "json sales"
[ "$(json_get "$tmp/j" 'd["fields"]["cash"]')" = 3500.00 ] && ok "json decimal field" || bad "json cash"
[ "$(json_get "$tmp/j" 'd["segments"]')" = 1 ] && ok "json segments" || bad "json segments"
[ "$(json_get "$tmp/j" 'd["alerts"]')" = "[]" ] && ok "json no alerts" || bad "json alerts"

"$ctl" rules test --rules "$shipped" --as rep --json +8613800000002 '日报120' >"$tmp/j"
[ "$(json_get "$tmp/j" 'd["outcome"] + " " + d["error"] + " " + d["error_field"]')" = "error missing cash" ] &&
	ok "json error, reason and field" || { bad "json error"; cat "$tmp/j"; }
[ "$(json_get "$tmp/j" 'd["reply"]')" = "日报缺回款。格式:日报 销量 回款 拜访 [竞品]" ] &&
	ok "precise error reply" || bad "error reply"

"$ctl" rules test --rules "$shipped" --as rep --json +8613800000002 '日报900 3500 8' >"$tmp/j"
[ "$(json_get "$tmp/j" 'd["alerts"][0]["id"] + " " + d["alerts"][0]["notify"][0]')" = "big_sale supervisor" ] &&
	ok "content alert shown" || { bad "alert"; cat "$tmp/j"; }

"$ctl" rules test --rules "$shipped" --as supervisor --json +8613800000009 '?' >"$tmp/j"
[ "$(json_get "$tmp/j" 'd["outcome"]')" = help ] && ok "supervisor help" || bad "supervisor help"
expect "$tmp/j" "批" "supervisor codes listed"
"$ctl" rules test --rules "$shipped" --as unknown --json +8613800000009 '日报 1 2 3' >"$tmp/j"
[ "$(json_get "$tmp/j" 'd["outcome"] + " " + str(d["reply"])')" = "ignored None" ] &&
	ok "unknown sender ignored" || bad "unknown sender"
"$ctl" rules test --rules "$shipped" --at 2026-06-01T20:30+08:00 --as rep --json \
	+8613800000002 '日报120 3500 8' >"$tmp/j"
[ "$(json_get "$tmp/j" 'str(d["late"]) + " " + d["period"]')" = "True 2026-06-01" ] &&
	ok "--at: late after the deadline" || { bad "--at late"; cat "$tmp/j"; }

# ---- test, sender from the database (nothing stored)
sup=$("$ctl" people add +8613800000001 '李主管' --role supervisor) || bad "add sup"
"$ctl" people add +8613800000002 '王销售' --role rep --supervisor +8613800000001 >/dev/null
"$ctl" rules test --rules "$shipped" --json +8613800000002 '日报900 3500 8' >"$tmp/j"
rc_is $? 0 "rules test with the roster"
[ "$(json_get "$tmp/j" 'd["role"] + " " + str(d["lookups_checked"])')" = "rep True" ] &&
	ok "sender looked up" || { bad "lookup"; cat "$tmp/j"; }
expect "$tmp/j" "王销售日报销量900" "alert text with the rep's name"
"$ctl" rules test --rules "$shipped" --json +8613700000000 '日报 1 2 3' >"$tmp/j"
[ "$(json_get "$tmp/j" 'd["outcome"]')" = ignored ] && ok "unregistered sender ignored" || bad "unregistered"
[ "$(sql 'SELECT count(*) FROM reports') $(sql 'SELECT count(*) FROM outbound_messages')" = "0 0" ] &&
	ok "nothing stored or queued" || bad "rules test stored something"
[ "$(sql "SELECT last_value FROM report_ref_seq")" = 1001 ] &&
	[ "$(sql "SELECT is_called FROM report_ref_seq")" = f ] &&
	ok "no reference used up" || bad "rules test used a reference"

# ---- no database, no --as: the parse alone, as a rep
"$ctl" --db "host=$tmp/nowhere" rules test --rules "$shipped" --json \
	+8613800000002 '日报120 3500 8' >"$tmp/j" 2>"$tmp/e"
rc_is $? 0 "rules test without a database"
[ "$(json_get "$tmp/j" 'd["outcome"] + " " + d["role"] + " " + str(d["lookups_checked"])')" = "ok rep False" ] &&
	ok "parsed as a rep's, lookups not checked" || { bad "no database"; cat "$tmp/j"; }
expect "$tmp/e" "database unreachable" "said the database is unreachable"

# ---- usage
"$ctl" rules test --rules "$shipped" +8613800000002 >/dev/null 2>"$tmp/e"
rc_is $? 2 "missing TEXT"
expect "$tmp/e" "missing TEXT" "missing TEXT said"
"$ctl" rules test --as boss +1 x >/dev/null 2>"$tmp/e"
rc_is $? 2 "bad --as"
"$ctl" rules test --at notatime +1 x >/dev/null 2>"$tmp/e"
rc_is $? 2 "bad --at"
"$ctl" rules frob >/dev/null 2>&1
rc_is $? 2 "unknown subcommand"

# ---- reload with no daemon: recorded, nobody answered
"$ctl" rules reload --wait 1 >"$tmp/o" 2>&1
rc_is $? 0 "reload without daemons"
expect "$tmp/o" "no daemon answered" "said nobody answered"
[ "$(sql 'SELECT count(*) FROM rule_reload_requests')" = 1 ] && ok "request row" || bad "request row"
exit $fail
