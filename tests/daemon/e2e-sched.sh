#!/bin/sh
# End to end, schedules (issue 9 part B) with the settable clock
# (FIELDGATE_CLOCK) and the simulator:
# - the check-in deadline passes with two reps missing: ONE SMS to their
#   supervisor naming both; the rep who checked in and the rep on leave
#   are not named; the other supervisor (whose rep checked in) gets none;
# - the report reminder reaches the reps who did not report, not those
#   who did, and is caught up exactly once by a restart across it;
# - with two daemons on one database the escalation digest is sent once;
# - a spot check asks the sampled reps and alerts on those who do not
#   answer;
# - the pending approvals reminder lists the reference awaiting the
#   supervisor; the daily digest counts check-ins, reports, missing,
#   outside and pending per supervisor.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

# Keep the whole run inside one UTC day.
while [ "$(date -u +%H%M)" -ge 2350 ]; do sleep 5; done
now=$(date +%s)
D=$(((now / 60 + 2) * 60))
cr() { date -u -d "@$1" '+%M %H'; }
R=$T/rules.conf
# The shipped rules without their schedules, holidays and quiet hours.
awk '/^schedules = \(/ { skip = 1 } skip && /^\);/ { skip = 0; next }
	/^ *(holidays|quiet_hours) = / { next } !skip' \
	"$top_srcdir/docs/examples/rules.zh.conf" >"$R"
{
	echo 'schedules = ('
	echo "  { id = \"deadline\"; cron = \"$(cr $D) * * *\"; timezone = \"UTC\";"
	echo '    to = "supervisor"; digest = true; unless = ["checked_in", "on_leave"];'
	echo '    template = "未签到({{count}}人):{{names}}"; grace = "10m"; },'
	echo "  { id = \"remind\"; cron = \"$(cr $((D + 60))) * * *\"; timezone = \"UTC\";"
	echo '    to = "role:rep"; unless = ["reported:daily", "on_leave"];'
	echo '    template = "提醒:今日日报未交"; spread = "3s"; grace = "10m"; },'
	echo "  { id = \"escalate\"; cron = \"$(cr $((D + 120))) * * *\"; timezone = \"UTC\";"
	echo '    to = "supervisor"; digest = true; unless = ["reported:daily", "on_leave"];'
	echo '    template = "今日未交日报({{count}}人):{{names}}"; grace = "10m"; },'
	echo "  { id = \"spot\"; kind = \"spot\"; cron = \"$(cr $((D + 180))) * * *\"; timezone = \"UTC\";"
	echo '    to = "role:rep"; sample = 99; within = "12s"; grace = "10m";'
	echo '    template = "查岗:请{{within}}分钟内签到"; alert = "查岗未签到({{count}}人):{{names}}"; },'
	echo "  { id = \"pending\"; kind = \"pending\"; cron = \"$(cr $((D + 240))) * * *\"; timezone = \"UTC\";"
	echo '    to = "supervisor"; unless = ["no_pending_approvals"]; grace = "10m";'
	echo '    template = "待批复{{count}}件:{{refs}}"; },'
	echo "  { id = \"daily\"; kind = \"daily\"; cron = \"$(cr $((D + 300))) * * *\"; timezone = \"UTC\";"
	echo '    to = "supervisor"; digest = true; grace = "10m";'
	echo '    template = "签到{{checkins}} 日报{{reports}} 未签到{{missing}} 区域外{{outside}} 待批{{pending}}:{{names}}"; }'
	echo ');'
} >>"$R"
CTL="$top_builddir/gateway/fieldgatectl"
"$CTL" rules check "$R" >/dev/null 2>&1 ||
	fail "test rules refused: $("$CTL" rules check "$R" 2>&1)"

CLOCK=$T/clock
echo "+0" >"$CLOCK"
chmod 600 "$CLOCK"
export FIELDGATE_CLOCK="$CLOCK"
setclock() {
	echo "+$(($1 - $(date +%s)))" >"$CLOCK.new" && chmod 600 "$CLOCK.new" &&
		mv "$CLOCK.new" "$CLOCK"
}

sup1=+8613900000002 sup2=+8613900000009
rep1=+8613900000003 rep2=+8613900000005 rep3=+8613900000006
rep4=+8613900000007 rep5=+8613900000008
sim_start
gw_config "rules_file = \"$R\";"
gw_start
grep -q "TEST CLOCK in force" "$T/gw.log" || fail "the test clock is not announced"
q "INSERT INTO people (phone, name, role) VALUES ('$sup1', '赵主管', 'supervisor'), ('$sup2', '钱主管', 'supervisor')"
q "INSERT INTO people (phone, name, role, supervisor_id) VALUES
	('$rep1', '王芳', 'rep', (SELECT id FROM people WHERE phone = '$sup1')),
	('$rep2', '李娜', 'rep', (SELECT id FROM people WHERE phone = '$sup1')),
	('$rep3', '张伟', 'rep', (SELECT id FROM people WHERE phone = '$sup1')),
	('$rep4', '刘洋', 'rep', (SELECT id FROM people WHERE phone = '$sup1')),
	('$rep5', '陈静', 'rep', (SELECT id FROM people WHERE phone = '$sup2'))"
# rep1 and rep5 checked in (the check-in pipeline is another branch's:
# the rows as it writes them); rep4 is on approved leave today.
checkin() {
	q "INSERT INTO checkins (person_id, outlet_code, verdict, evidence)
	   SELECT id, 'JN0231', 'in_territory', 'outlet_code_only' FROM people WHERE phone = '$1'"
}
checkin "$rep1"
checkin "$rep5"
# Approved leave as the supervisors part stores it: a leave report,
# approved, and its days (leave_requests).
q "WITH r AS (INSERT INTO reports (ref, form_id, person_id, sender, raw_text,
	rules_hash, status, needs_approval)
	SELECT 'R9001', 'leave', id, phone, '请假 1', 'test', 'approved', true
	  FROM people WHERE phone = '$rep4' RETURNING id, person_id)
   INSERT INTO leave_requests (report_id, person_id, first_day, days)
   SELECT id, person_id, (now() AT TIME ZONE 'UTC')::date, 1 FROM r"
handled() {
	s=$(q "SELECT state FROM inbound_messages WHERE sender = '$1' AND body = '$2'")
	[ -n "$s" ] && [ "$s" != stored ]
}
send_and_wait() {
	sim inject from="$1" enc=ucs2 "text=$2" >/dev/null || fail "inject $2"
	wait_for 15 handled "$1" "$2" || fail "'$2' not handled"
}
sms_to() { sim sent | grep -F "to=$1 " | sed -n 's/.* text=//p'; }
sent_n() { sim sent | grep -cF "$1"; }
at_least() { [ "$(sent_n "$1")" -ge "$2" ]; }
# rep1 and rep5 send their daily report; rep2 and rep3 do not.
send_and_wait "$rep1" "日报900 3500 8"
send_and_wait "$rep5" "日报600 3000 5"
[ "$(q "SELECT count(*) FROM schedule_fires")" = 0 ] || fail "a fire before its time"

# ---- the deadline -------------------------------------------------------
setclock $((D + 1))
wait_for 20 grep -q "schedule deadline: fired" "$T/gw.log" || fail "the deadline did not fire"
wait_for 20 at_least "to=$sup1 " 1 || fail "no digest reached the supervisor"
d1=$(sms_to "$sup1")
[ "$(echo "$d1" | grep -c .)" = 1 ] || fail "want ONE SMS to the supervisor, got: $d1"
echo "$d1" | grep -q "未签到(2人)" || fail "digest count: $d1"
echo "$d1" | grep -q "李娜" && echo "$d1" | grep -q "张伟" || fail "digest does not name both: $d1"
echo "$d1" | grep -q "王芳" && fail "the rep who checked in is named: $d1"
echo "$d1" | grep -q "刘洋" && fail "the rep on leave is named: $d1"
[ -z "$(sms_to "$sup2")" ] || fail "the other supervisor got a digest: $(sms_to "$sup2")"

# ---- a restart across the reminder: caught up once -------------------------
gw_stop
setclock $((D + 75))
gw_start
wait_for 20 grep -q "schedule remind: fired" "$T/gw.log" || fail "the reminder was not caught up"
wait_for 20 at_least "提醒" 2 || fail "reminders not sent"
gw_stop
gw_start
sleep 3
[ "$(sent_count "$rep2" 提醒)" = 1 ] || fail "rep2 reminded $(sent_count "$rep2" 提醒) times"
[ "$(sent_count "$rep3" 提醒)" = 1 ] || fail "rep3 not reminded once"
[ "$(sent_count "$rep1" 提醒)" = 0 ] || fail "rep1 (reported) was reminded"
[ "$(sent_count "$rep5" 提醒)" = 0 ] || fail "rep5 (reported) was reminded"
[ "$(sent_count "$rep4" 提醒)" = 0 ] || fail "rep4 (on leave) was reminded"
[ "$(q "SELECT count(*) FROM schedule_fires WHERE schedule_id = 'remind'")" = 1 ] ||
	fail "the reminder's fire recorded more than once"
[ "$(q "SELECT count(*) FROM schedule_fires WHERE schedule_id = 'deadline'")" = 1 ] ||
	fail "the deadline fired again after the restarts"

# ---- two daemons on one database: the escalation once --------------------
sed -e "s|tty:$T/modem|tty:$T/nomodem|" "$T/fieldgated.conf" >"$T/second.conf"
echo 'daemon_id = "second";' >>"$T/second.conf"
"$FIELDGATED" -F -f "$T/second.conf" >"$T/gw2.log" 2>&1 &
gw2_pid=$!
wait_for 20 grep -q "database connected" "$T/gw2.log" || fail "the second daemon did not start"
setclock $((D + 121))
wait_for 20 grep -q "schedule escalate: fired" "$T/gw.log" "$T/gw2.log" ||
	fail "the escalation did not fire"
wait_for 20 at_least "未交日报" 1 || fail "no escalation sent"
sleep 3
[ "$(sent_count "$sup1" 未交日报)" = 1 ] || fail "escalation sent $(sent_count "$sup1" 未交日报) times"
e1=$(sms_to "$sup1" | grep 未交日报)
echo "$e1" | grep -q "李娜" && echo "$e1" | grep -q "张伟" || fail "escalation names: $e1"
echo "$e1" | grep -q "王芳" && fail "escalation names a rep who reported: $e1"
[ "$(sent_count "$sup2" 未交日报)" = 0 ] || fail "the other supervisor got an escalation"
[ "$(q "SELECT count(*) FROM schedule_fires WHERE schedule_id = 'escalate'")" = 1 ] ||
	fail "two claims of one fire"
n_fired=$(cat "$T/gw.log" "$T/gw2.log" | grep -c 'schedule escalate: fired')
[ "$n_fired" = 1 ] || fail "the escalation fired $n_fired times"
kill -TERM "$gw2_pid"
wait "$gw2_pid"

# ---- a spot check -----------------------------------------------------------
setclock $((D + 181))
wait_for 20 grep -q "schedule spot: fired" "$T/gw.log" || fail "the spot check did not fire"
wait_for 20 at_least "查岗:请" 4 || fail "spot asks not sent"
[ "$(sent_count "$rep4" 查岗)" = 0 ] || fail "a rep on leave was spot-checked"
# rep1 answers in time, in territory; the others do not.
checkin "$rep1"
wait_for 30 at_least "查岗未签到" 1 || fail "no spot-check alert"
sleep 2
a1=$(sms_to "$sup1" | grep 查岗未签到)
[ "$(echo "$a1" | grep -c .)" = 1 ] || fail "want one spot alert to sup1: $a1"
echo "$a1" | grep -q "李娜" && echo "$a1" | grep -q "张伟" || fail "spot alert names: $a1"
echo "$a1" | grep -q "王芳" && fail "spot alert names the rep who answered: $a1"
[ "$(q "SELECT outcome FROM spot_asks a JOIN people p ON p.id = a.person_id
	WHERE p.phone = '$rep1'")" = ok ] || fail "rep1's answer not recorded"

# ---- pending approvals and the daily digest -------------------------------
# rep1's daily report awaits sup1's decision (needs_approval, as 0005 marks it)
q "UPDATE reports SET needs_approval = true WHERE person_id =
	(SELECT id FROM people WHERE phone = '$rep1') AND form_id = 'daily'"
ref1=$(q "SELECT ref FROM reports WHERE person_id = (SELECT id FROM people WHERE phone = '$rep1') AND form_id = 'daily'")
setclock $((D + 241))
wait_for 20 at_least "待批复" 1 || fail "no pending approvals reminder"
p1=$(sms_to "$sup1" | grep 待批复)
[ "$p1" = "待批复1件:$ref1" ] || fail "pending reminder: $p1 (want $ref1)"
[ "$(sent_count "$sup2" 待批复)" = 0 ] || fail "a supervisor with nothing pending was reminded"
setclock $((D + 301))
wait_for 20 at_least "待批" 2 || fail "no daily digest"
wait_for 20 sh -c "[ \$($SIMCTL $T/sim.ctl sent | grep -cF '区域外') -ge 2 ]" || fail "not both daily digests"
g1=$(sms_to "$sup1" | grep 区域外)
# sup1: rep1 checked in twice (one rep), one report, 李娜 and 张伟 missing
# (刘洋 on leave), none outside, one pending
echo "$g1" | grep -q "^签到1 日报1 未签到2 区域外0 待批1:" || fail "sup1 daily digest: $g1"
echo "$g1" | grep -q "李娜" && echo "$g1" | grep -q "张伟" || fail "daily digest names: $g1"
g2=$(sms_to "$sup2" | grep 区域外)
echo "$g2" | grep -q "^签到1 日报1 未签到0 区域外0 待批0:" || fail "sup2 daily digest: $g2"
gw_stop
echo "PASS: e2e-sched"
