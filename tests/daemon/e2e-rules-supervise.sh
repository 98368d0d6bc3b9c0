#!/bin/sh
# End to end, supervisors by SMS (issue 9 part A), with the shipped
# Chinese rules: 批 / 驳 / 注 round trips reach the rep with the comment
# (one SMS per rep even for several references), statuses, who and when
# stored; a decided report says so; a supervisor acting on another
# team's report is refused and the attempt logged and recorded; an
# unknown number is ignored; 请假 -> the supervisor is asked -> 批 -> the
# rep told, the leave recorded; 团队 lists the missing reps and the one
# on leave apart; 查 shows a rep's day; 我的 a rep's own.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
R="$top_srcdir/docs/examples/rules.zh.conf"

sup=+8613900000002 other=+8613900000006 rep1=+8613900000003
rep2=+8613900000005 rep3=+8613900000007 rep4=+8613900000008
stranger=+8613900000099
sim_start
gw_config "rules_file = \"$R\";"
gw_start
q "INSERT INTO people (phone, name, role) VALUES
	('$sup', '赵主管', 'supervisor'), ('$other', '钱主管', 'supervisor')"
q "INSERT INTO people (phone, name, role, supervisor_id) VALUES
	('$rep1', '王芳', 'rep', (SELECT id FROM people WHERE phone = '$sup')),
	('$rep2', '李娜', 'rep', (SELECT id FROM people WHERE phone = '$sup')),
	('$rep3', '孙丽', 'rep', (SELECT id FROM people WHERE phone = '$sup')),
	('$rep4', '周强', 'rep', (SELECT id FROM people WHERE phone = '$other'))"

handled() {
	s=$(q "SELECT state FROM inbound_messages WHERE sender = '$1' AND body = '$2'")
	[ -n "$s" ] && [ "$s" != stored ]
}
send_and_wait() {
	sim inject from="$1" enc=ucs2 "text=$2" >/dev/null || fail "inject $2"
	wait_for 15 handled "$1" "$2" || fail "'$2' not handled"
}
# The newest SMS queued to $1 of kind $2.
last_to() {
	q "SELECT body FROM outbound_messages WHERE recipient = '$1' AND kind = '$2'
		ORDER BY id DESC LIMIT 1"
}
ref_of() { q "SELECT ref FROM reports WHERE sender = '$1' AND raw_text = '$2'"; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }

send_and_wait "$rep1" "日报120 3500 8"
send_and_wait "$rep1" "周报 800 20 3 平稳"
send_and_wait "$rep2" "日报90 2000 5"
send_and_wait "$rep4" "日报50 800 2"
a=$(ref_of "$rep1" "日报120 3500 8")
b=$(ref_of "$rep1" "周报 800 20 3 平稳")
c=$(ref_of "$rep2" "日报90 2000 5")
x=$(ref_of "$rep4" "日报50 800 2")
[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ -n "$x" ] || fail "reports not stored"

# Several references in one message: one reply, one SMS per rep.
send_and_wait "$sup" "批 $a $b $c 很好"
expect_eq "$(last_to "$sup" ack)" "${a}已批;${b}已批;${c}已批:很好" "approval reply"
expect_eq "$(last_to "$rep1" decision)" "$a $b已批:很好 —赵主管" "rep1 told once for two refs"
expect_eq "$(q "SELECT count(*) FROM outbound_messages WHERE recipient = '$rep1' AND kind = 'decision'")" 1 \
	"one SMS for rep1"
expect_eq "$(last_to "$rep2" decision)" "${c}已批:很好 —赵主管" "rep2 told"
expect_eq "$(q "SELECT string_agg(status || ':' || coalesce(decision_comment, '') || ':' || (decided_by = (SELECT id FROM people WHERE phone = '$sup')) || ':' || (decided_at IS NOT NULL), ' ' ORDER BY ref) FROM reports WHERE ref IN ('$a', '$b', '$c')")" \
	"approved:很好:true:true approved:很好:true:true approved:很好:true:true" "status, comment, who, when stored"
expect_eq "$(q "SELECT count(*) FROM report_actions WHERE action = 'approve' AND refused IS NULL AND inbound_id IS NOT NULL")" 3 \
	"three approve actions"

# Already decided.
send_and_wait "$sup" "驳 $a 重报"
expect_eq "$(last_to "$sup" ack)" "${a}已处理过(已批)" "already decided"
expect_eq "$(q "SELECT status FROM reports WHERE ref = '$a'")" approved "status kept"

# A note on a decided report is fine and reaches the rep.
send_and_wait "$sup" "注 $a 下周重点华联"
expect_eq "$(last_to "$rep1" decision)" "${a}批注:下周重点华联 —赵主管" "note reaches the rep"
expect_eq "$(q "SELECT count(*) FROM report_actions WHERE action = 'note' AND comment = '下周重点华联'")" 1 \
	"note stored as its own row"

# Another team's report: refused, recorded, logged; nothing to that rep.
send_and_wait "$sup" "批 $x 好"
expect_eq "$(last_to "$sup" ack)" "${x}不在您的团队" "another team refused"
expect_eq "$(q "SELECT status FROM reports WHERE ref = '$x'")" received "another team's report untouched"
expect_eq "$(q "SELECT refused FROM report_actions WHERE ref = '$x'")" not_in_chain "refusal recorded"
expect_eq "$(q "SELECT count(*) FROM outbound_messages WHERE recipient = '$rep4' AND kind = 'decision'")" 0 \
	"the other rep is told nothing"
grep -q "approve $x refused: not_in_chain" "$T/gw.log" || fail "refusal not logged"

# 驳 with a reason goes back to the rep; the other supervisor may act.
send_and_wait "$other" "驳 $x 数字不对"
expect_eq "$(last_to "$rep4" decision)" "${x}已驳回:数字不对 —钱主管" "rejection reaches the rep"
expect_eq "$(q "SELECT status FROM reports WHERE ref = '$x'")" rejected "rejected stored"

# Unknown reference; unknown number never acts (no reply, nothing done).
send_and_wait "$sup" "批 R9999"
expect_eq "$(last_to "$sup" ack)" "R9999无此编号" "unknown reference"
n0=$(q "SELECT count(*) FROM report_actions")
send_and_wait "$stranger" "批 $c 好"
expect_eq "$(q "SELECT count(*) FROM outbound_messages WHERE recipient = '$stranger'")" 0 "stranger gets no reply"
expect_eq "$(q "SELECT count(*) FROM report_actions")" "$n0" "stranger recorded no action"

# Leave: 请假 -> the supervisor asked with the reference -> 批 -> rep told.
send_and_wait "$rep3" "请假 2 家事"
l=$(ref_of "$rep3" "请假 2 家事")
[ -n "$l" ] || fail "leave not stored"
expect_eq "$(last_to "$sup" approval_request)" "孙丽请假2天 家事 回复:批 $l 或 驳 $l 原因" "supervisor asked"
expect_eq "$(q "SELECT kind || ':' || rep_name FROM pending_approvals WHERE ref = '$l'")" "leave:孙丽" "pending leave"
send_and_wait "$sup" "批 $l"
expect_eq "$(last_to "$rep3" decision)" "${l}已批 —赵主管" "rep told of the leave"
expect_eq "$(q "SELECT days || ':' || (first_day = (now() AT TIME ZONE current_setting('TimeZone'))::date) FROM leave_requests l JOIN reports r ON r.id = l.report_id WHERE r.ref = '$l'")" \
	"2:true" "leave recorded with its days"
expect_eq "$(q "SELECT count(*) FROM leave_days WHERE ref = '$l'")" 2 "two leave days"
expect_eq "$(q "SELECT count(*) FROM pending_approvals")" 0 "nothing pending"

# 团队: rep2 and nobody else missing check-ins; rep3 on leave, apart.
send_and_wait "$sup" "团队"
expect_eq "$(last_to "$sup" ack)" "未到(2):李娜(未签到) 王芳(未签到);请假:孙丽" "team list"
q "INSERT INTO checkins (person_id, outlet_code, verdict, evidence)
	SELECT id, 'JN0231', 'outside', 'outlet_code_only' FROM people WHERE phone = '$rep1'" >/dev/null
send_and_wait "$sup" "WHO"
expect_eq "$(last_to "$sup" ack)" "未到(1):李娜(未签到);请假:孙丽" "team after a check-in"

# 查 a rep (by name and by number); another team's rep refused.
send_and_wait "$sup" "查 王芳"
r1=$(last_to "$sup" ack)
echo "$r1" | grep -qF "王芳 今日签到1(JN0231" || fail "lookup: $r1"
echo "$r1" | grep -qF "区域外" || fail "lookup lacks the verdict: $r1"
echo "$r1" | grep -qF "报告2(日报 周报)" || fail "lookup lacks the reports: $r1"
send_and_wait "$sup" "查 13900000005"
echo "$(last_to "$sup" ack)" | grep -qF "李娜 今日签到0" || fail "lookup by number: $(last_to "$sup" ack)"
send_and_wait "$sup" "查 周强"
expect_eq "$(last_to "$sup" ack)" "周强不在您的团队" "lookup outside the chain"
grep -q "lookup outside the chain refused" "$T/gw.log" || fail "lookup refusal not logged"
send_and_wait "$sup" "查 无名氏"
expect_eq "$(last_to "$sup" ack)" "查无此人:无名氏" "lookup of nobody"

# 我的: a rep's own day.
send_and_wait "$rep3" "我的"
echo "$(last_to "$rep3" ack)" | grep -qF "孙丽 今日请假" || fail "my: $(last_to "$rep3" ack)"

gw_stop
echo "e2e-rules-supervise: ok"
