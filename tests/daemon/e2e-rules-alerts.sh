#!/bin/sh
# End to end, content alerts (issue 7): two reps' big daily reports and a
# competitor promotion inside one batch window reach their supervisor as
# ONE SMS listing the four items, once, after the window (not before);
# the promotion also reaches every admin (role:admin) and the competitor
# note in a daily report the supervisor's own supervisor (supervisor:2),
# one SMS for both; each alert row is
# marked sent with the outbound message it went out in; the reps get
# their receipts at once, not held back by the batch.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
R=$T/rules.conf
# The shipped rules with every batch window at 4 s (15 min and 1 h there),
# and the daily report's competitor alert also sent one level up.
sed -e 's/batch = "[0-9]*[smhd]*";/batch = "4s";/' \
	"$top_srcdir/docs/examples/rules.zh.conf" | awk '
	/id = "competitor_promo";/ { promo = 1 }
	promo && /notify = \["supervisor"\];/ {
		sub(/\["supervisor"\]/, "[\"supervisor\", \"supervisor:2\"]"); promo = 0 }
	{ print }' >"$R" || fail "no shipped rules"
grep -q 'batch = "4s";' "$R" || fail "no batch window to shorten"
grep -q '"supervisor:2"' "$R" || fail "no competitor_promo alert to widen"

admin=+8613900000001 sup=+8613900000002 rep1=+8613900000003
rep2=+8613900000005 other=+8613900000006
sim_start
gw_config "rules_file = \"$R\";"
gw_start
q "INSERT INTO people (phone, name, role) VALUES ('$admin', '管理员', 'admin')"
q "INSERT INTO people (phone, name, role, supervisor_id) VALUES
	('$sup', '赵主管', 'supervisor', (SELECT id FROM people WHERE phone = '$admin')),
	('$other', '钱主管', 'supervisor', NULL)"
q "INSERT INTO people (phone, name, role, supervisor_id) VALUES
	('$rep1', '王芳', 'rep', (SELECT id FROM people WHERE phone = '$sup')),
	('$rep2', '李娜', 'rep', (SELECT id FROM people WHERE phone = '$sup'))"

handled() {
	s=$(q "SELECT state FROM inbound_messages WHERE sender = '$1' AND body = '$2'")
	[ -n "$s" ] && [ "$s" != stored ]
}
send_and_wait() {
	sim inject from="$1" enc=ucs2 "text=$2" >/dev/null || fail "inject $2"
	wait_for 15 handled "$1" "$2" || fail "'$2' not handled"
}
sms_to() { sim sent | grep -F "to=$1 " | sed -n 's/.* text=//p'; }

t0=$(date +%s)
send_and_wait "$rep1" "日报900 3500 8"
send_and_wait "$rep2" "日报600 3000 5"
send_and_wait "$rep1" "竞品 某品牌 买一赠一"
send_and_wait "$rep2" "日报100 900 3 对手降价"
[ "$(q "SELECT count(*) FROM alerts WHERE recipient = '$sup'")" = 4 ] ||
	fail "want 4 alerts for the supervisor, got $(q "SELECT count(*) FROM alerts WHERE recipient = '$sup'")"
[ "$(q "SELECT string_agg(alert_id, ' ' ORDER BY alert_id) FROM alerts
	WHERE recipient = '$admin'")" = "competitor_promo promo_report" ] ||
	fail "role:admin / supervisor:2 not resolved to the admin"
[ "$(q "SELECT count(*) FROM alerts WHERE recipient = '$other'")" = 0 ] ||
	fail "another team's supervisor got an alert"
[ "$(q "SELECT count(DISTINCT due_at) FROM alerts WHERE recipient = '$sup'")" = 1 ] ||
	fail "the supervisor's alerts are not one batch"
# The receipts went out at once; the batch has not.
wait_for 10 sh -c "[ \$(\"$SIMCTL\" \"$T/sim.ctl\" sent | grep -c 'to=$rep1 ') -ge 2 ]" ||
	fail "receipts held back"
[ "$(sms_to "$sup" | wc -l)" = 0 ] || fail "the batch went out before its window"

wait_for 15 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM alerts
	WHERE state = '"'sent'"'")" = 6 ]' || fail "alerts not sent"
t1=$(date +%s)
[ $((t1 - t0)) -ge 4 ] || fail "the batch was sent after $((t1 - t0)) s, window 4 s"
wait_for 10 sh -c "[ \$(\"$SIMCTL\" \"$T/sim.ctl\" sent | grep -c 'to=$sup ') -ge 1 ]" ||
	fail "the supervisor got nothing"
[ "$(q "SELECT count(DISTINCT outbound_id) FROM alerts WHERE recipient = '$sup'")" = 1 ] ||
	fail "the supervisor's alerts went out in several messages"
body=$(q "SELECT o.body FROM outbound_messages o WHERE o.kind = 'alert'
	AND o.recipient = '$sup'")
for item in "王芳日报销量900" "李娜日报销量600" "某品牌" "对手降价"; do
	echo "$body" | grep -qF "$item" || fail "batch lacks '$item': $body"
done
[ "$(echo "$body" | wc -l)" = 4 ] || fail "batch is not 4 lines: $body"
[ "$(q "SELECT count(*) FROM outbound_messages WHERE kind = 'alert'
	AND recipient = '$admin'")" = 1 ] || fail "the admin's two alerts not in one SMS"
[ "$(q "SELECT count(*) FROM outbound_messages WHERE kind = 'alert'
	AND recipient = '$sup'")" = 1 ] || fail "more than one alert SMS queued"

# A restart sends nothing again.
gw_stop
gw_start
[ "$(q "SELECT count(*) FROM outbound_messages WHERE kind = 'alert'")" = 2 ] ||
	fail "alerts queued again after a restart"
gw_stop
echo "e2e-rules-alerts: ok"
