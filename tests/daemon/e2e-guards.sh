#!/bin/sh
# End to end, protections and gateway health (issue 9), with the shipped
# Chinese rules and short windows:
#   - an operator notice from 10086 and a 106... enterprise sender: stored,
#     no reply;
#   - an identical resend within the dedupe window: one report, one
#     receipt, the resend marked 'duplicate';
#   - a sender looping the same text stops getting replies and the admin
#     is told once (one alert row, one SMS);
#   - the per-sender daily reply cap holds across a restart and tells the
#     admin once;
#   - a low balance in the USSD balance reply: recorded in sim_balances and
#     exactly one admin alert, also after a restart (same episode);
#   - SIM storage near full: one alert, cleared when emptied;
#   - the modem's daily outbound cap reached: one alert;
#   - the outbound queue's oldest message older than queue_age: one alert,
#     with a second daemon on the same database;
#   - a modem unplugged for longer than modem_down: one alert; cleared when
#     it is back.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
R=$T/rules.conf
awk '
	/^  guard = \{/ { g = 1 } /^  health = \{/ { h = 1 }
	g && /max_replies_day =/ { sub(/= 30;/, "= 3;") }
	g && /batch =/ { sub(/"1m"/, "\"1s\""); g = 0 }
	h && /modem_down =/ { sub(/"10m"/, "\"3s\"") }
	h && /check =/ { sub(/"1m"/, "\"1s\"") }
	h && /# balance_code/ { sub(/# /, "") }
	h && /# balance_pattern/ { sub(/# /, "") }
	h && /balance_below =/ { sub(/10.00/, "20.00") }
	h && /batch =/ { sub(/"1m"/, "\"1s\""); h = 0 }
	{ print }' "$top_srcdir/docs/examples/rules.zh.conf" >"$R" ||
	fail "no shipped rules"
grep -q 'max_replies_day = 3;' "$R" || fail "guard settings not found"
grep -q '^    balance_code = "\*100#";' "$R" || fail "health settings not found"

admin=+8613900000001 loop=+8613900000003 dup=+8613900000005
cap=+8613900000006
sim_start
sim ussd-reply 尊敬的客户，您的账户余额为12.50元，感谢使用。 >/dev/null
gw_config "rules_file = \"$R\";"
gw_start
q "INSERT INTO people (phone, name, role) VALUES ('$admin', '管理员', 'admin')"
q "INSERT INTO people (phone, name, role, supervisor_id) VALUES
	('$loop', '王芳', 'rep', (SELECT id FROM people WHERE phone = '$admin')),
	('$dup', '李娜', 'rep', (SELECT id FROM people WHERE phone = '$admin')),
	('$cap', '张伟', 'rep', (SELECT id FROM people WHERE phone = '$admin'))"

# all of FROM's messages handled, and N of them
all_handled() { # from n
	[ "$(q "SELECT count(*) FILTER (WHERE state <> 'stored') || ' ' ||
		count(*) FROM inbound_messages WHERE sender = '$1'")" = "$2 $2" ]
}
send() { # from text n-after
	sim inject from="$1" enc=ucs2 "text=$2" >/dev/null || fail "inject $2"
	wait_for 15 all_handled "$1" "$3" || fail "'$2' from $1 not handled"
}
replies_to() {
	q "SELECT count(*) FROM outbound_messages WHERE recipient = '$1'
		AND in_reply_to IS NOT NULL"
}
alerts() { # alert_id [like]
	q "SELECT count(*) FROM alerts WHERE alert_id = '$1'
		AND body LIKE '%${2:-}%'"
}

# 1. Operator notice, enterprise sender: stored, no reply.
send 10086 "尊敬的客户，您本月的套餐余量如下：日报120" 1
send 10690012345678 "【某银行】验证码123456" 1
[ "$(q "SELECT state FROM inbound_messages WHERE sender = '10086'")" = ignored ] ||
	fail "the 10086 notice is not ignored"
[ "$(q "SELECT handle_error FROM inbound_messages
	WHERE sender = '10690012345678'")" = "sender enterprise" ] ||
	fail "the 106 sender is not classed enterprise"
[ "$(q "SELECT count(*) FROM outbound_messages WHERE recipient IN
	('10086', '10690012345678')")" = 0 ] || fail "an operator number got a reply"

# 2. Identical resend: one report, one receipt.
# (a second apart: the SMS centre's time stamp differs, as for a phone
# sending again; the same PDU twice is one message already)
send "$dup" "日报120 3500 8" 1
sleep 1.1
send "$dup" "日报120 3500 8" 2
[ "$(q "SELECT count(*) FROM reports r JOIN people p ON p.id = r.person_id
	WHERE p.phone = '$dup'")" = 1 ] || fail "a resend made a second report"
[ "$(replies_to "$dup")" = 1 ] || fail "a resend got a second receipt"
[ "$(q "SELECT state FROM inbound_messages WHERE sender = '$dup'
	ORDER BY id DESC LIMIT 1")" = duplicate ] || fail "resend not marked duplicate"

# 3. A loop: the same text six times.
for i in 1 2 3 4 5 6; do
	send "$loop" "你好" "$i"
	sleep 1.1
done
[ "$(replies_to "$loop")" = 1 ] || fail "the looping sender got $(replies_to "$loop") replies"
[ "$(q "SELECT count(*) FROM inbound_messages WHERE sender = '$loop'
	AND state = 'ignored' AND handle_error = 'loop'")" -ge 1 ] ||
	fail "no message marked as a loop"
[ "$(alerts guard_loop "$loop")" = 1 ] || fail "admins not told once of the loop"
[ "$(q "SELECT count(*) FROM guard_loops WHERE sender = '$loop'")" = 1 ] ||
	fail "the loop's telling not recorded"
wait_for 15 sh -c "\"$SIMCTL\" \"$T/sim.ctl\" sent | grep -F 'to=$admin ' |
	grep -qF '$loop'" || fail "the admin's loop SMS not sent"

# 4. The daily reply cap (3), across a restart.
send "$cap" "帮助" 1
send "$cap" "甲" 2
[ "$(replies_to "$cap")" = 2 ] || fail "want 2 replies before the restart"
gw_stop
gw_start
send "$cap" "乙" 3
send "$cap" "丙" 4
send "$cap" "丁" 5
[ "$(replies_to "$cap")" = 3 ] || fail "the cap of 3 did not hold: $(replies_to "$cap")"
[ "$(alerts guard_cap "$cap")" = 1 ] || fail "admins not told once of the cap"

# 5. The balance (asked at each start): 12.50 < 20.00, one alert.
wait_for 15 sh -c '[ "$(psql -qAt -c "SELECT balance FROM sim_balances
	WHERE modem = '"'sim0'"' ORDER BY id LIMIT 1")" = 12.50 ]' || fail "balance not recorded"
wait_for 15 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM ussd_requests
	WHERE code = '"'*100#'"' AND state = '"'done'"'")" -ge 2 ]' ||
	fail "balance not asked at each start"
[ "$(alerts health "balance 12.50")" = 1 ] ||
	fail "want one balance alert, got $(alerts health "balance 12.50")"
[ "$(q "SELECT active FROM health_conditions WHERE key = 'balance:sim0'")" = t ] ||
	fail "balance condition not active"

# 5b. SIM storage 29/30 as modem_status reports it (>= 90 %): one alert;
# emptied: cleared.
q "UPDATE modem_status SET storage_used = 29, storage_total = 30,
	updated_at = now() + interval '1 hour' WHERE modem = 'sim0'"
wait_for 10 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM alerts
	WHERE body LIKE '"'%storage 29/30%'"'")" = 1 ]' || fail "no storage alert"
q "UPDATE modem_status SET storage_used = 0, updated_at = now() +
	interval '2 hours' WHERE modem = 'sim0'"
wait_for 10 sh -c '[ "$(psql -qAt -c "SELECT active FROM health_conditions
	WHERE key = '"'storage:sim0'"'")" = f ]' || fail "storage not cleared"
[ "$(alerts health "storage")" = 1 ] || fail "more than one storage alert"

# 6. The modem's daily cap: reached at the next message; one alert.
parts=$(q "SELECT count(*) FROM outbound_parts WHERE state <> 'queued'")
gw_stop
sed -i "s/send_rate = 600;/send_rate = 600; daily_cap = $parts;/" "$T/fieldgated.conf"
gw_start
q "INSERT INTO outbound_messages (recipient, body) VALUES ('$admin', 'x1'),
	('$admin', 'x2')" >/dev/null
wait_for 15 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM alerts
	WHERE alert_id = '"'health'"' AND body LIKE '"'%daily cap%'"'")" = 1 ]' ||
	fail "no daily cap alert"
sleep 2
[ "$(alerts health "daily cap")" = 1 ] || fail "more than one daily cap alert"

# 7. Unplugged for longer than modem_down (3 s): one alert; back: cleared.
# A second daemon on the same database (its own modem, sim1), so that
# the queue condition below is seen by two daemons: still one alert.
"$MODEMSIM" --link "$T/modem2" --control "$T/sim2.ctl" >"$T/sim2.out" 2>&1 &
sim2_pid=$!
wait_for 10 test -S "$T/sim2.ctl" || fail "second modemsim did not start"
"$SIMCTL" "$T/sim2.ctl" "ussd-reply 您的账户余额为99.00元" >/dev/null
sed -e 's/daemon_id = "[^"]*";//' -e 's/name = "sim0";/name = "sim1";/' \
	-e "s|tty:$T/modem\"|tty:$T/modem2\"|" "$T/fieldgated.conf" >"$T/gw2.conf"
printf 'daemon_id = "guards-b";\n' >>"$T/gw2.conf"
"$FIELDGATED" -F -f "$T/gw2.conf" >"$T/gw2.log" 2>&1 &
gw2_pid=$!
wait_for 20 grep -q "modem=sim1 ready" "$T/gw2.log" ||
	{ cat "$T/gw2.log"; fail "second daemon did not get sim1 ready"; }

# Meanwhile the queue backs up: a message queued an hour ago (queue_age
# 30 min) is one alert, for the two daemons.
sim unplug >/dev/null
q "UPDATE outbound_messages SET state = 'cancelled' WHERE state = 'queued'"
q "INSERT INTO outbound_messages (recipient, body, requested_modem,
	created_at, not_before) VALUES ('$admin', 'late', 'sim0',
	now() - interval '1 hour', now() - interval '1 hour')" >/dev/null
sleep 7
[ "$(alerts health "queue backing up")" = 1 ] ||
	fail "want one queue alert, got $(alerts health "queue backing up")"
grep -q "health: fieldgate: outbound queue" "$T/gw2.log" &&
	grep -q "health: fieldgate: outbound queue" "$T/gw.log" &&
	fail "both daemons claim to have told the queue condition"
kill -TERM "$gw2_pid"; wait "$gw2_pid" || fail "second daemon exit $?"
kill -TERM "$sim2_pid"; wait "$sim2_pid" 2>/dev/null
[ "$(alerts health "modem sim0 down")" = 1 ] ||
	fail "want one modem-down alert, got $(alerts health "modem sim0 down")"
sim replug >/dev/null
wait_for 20 sh -c '[ "$(psql -qAt -c "SELECT active FROM health_conditions
	WHERE key = '"'modem_down:sim0'"'")" = f ]' || fail "modem-down not cleared"
[ "$(alerts health "modem sim0 down")" = 1 ] || fail "a second modem-down alert"
gw_stop
echo "e2e-guards: ok"
