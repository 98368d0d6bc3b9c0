#!/bin/sh
# The dashboard views of migration 0005 (docs/VIEWS.md) over a scripted
# week: last week (Monday to Sunday, Asia/Shanghai) for three reps under
# two supervisors, leave, late and missing reports, check-ins; today for
# rep_today; modem rows for gateway_health. Every expected figure is
# worked out by hand in the comments.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }

# eq "SQL" WANT DESCRIPTION
eq() {
	got=$(sql "$1" 2>&1)
	if [ "$got" = "$2" ]; then ok "$3"; else bad "$3: got '$got', want '$2'"; fi
}

tz=Asia/Shanghai
# Last week's Monday in Shanghai, and local day N (0 = Monday) at HH:MM.
mon=$(sql "SELECT to_char(date_trunc('week', (now() AT TIME ZONE '$tz')) - interval '7 days', 'YYYY-MM-DD')")
at() { echo "(('$mon'::date + $1) + time '$2') AT TIME ZONE '$tz'"; }
day() { sql "SELECT to_char('$mon'::date + $1, 'YYYY-MM-DD')"; }

sql "INSERT INTO territories (code, name, time_zone) VALUES ('JN', '济南', '$tz');
     INSERT INTO territories (code, name, parent_id)
       SELECT 'QD', '青岛', id FROM territories WHERE code = 'JN';
     INSERT INTO outlets (code, name, territory_id)
       SELECT 'JN0231', '华联超市', id FROM territories WHERE code = 'JN';" >/dev/null ||
	bad "territories"
created=$(at -1 "12:00")
sql "INSERT INTO people (id, phone, name, role, supervisor_id, created_at) VALUES
     (1, '+8613800000001', '总部', 'admin', NULL, $created),
     (2, '+8613800000002', '李主管', 'supervisor', 1, $created),
     (3, '+8613800000003', '赵主管', 'supervisor', 1, $created),
     (11, '+8613800000011', '王一', 'rep', 2, $created),
     (12, '+8613800000012', '王二', 'rep', 2, $created),
     (13, '+8613800000013', '王三', 'rep', 3, $created),
     (14, '+8613800000014', '离职', 'rep', 2, $created);
     UPDATE people SET active = false WHERE id = 14;
     INSERT INTO people_territories (person_id, territory_id)
       SELECT p, t.id FROM territories t,
              (VALUES (11, 'JN'), (12, 'JN'), (13, 'QD'), (14, 'JN')) v(p, c)
        WHERE t.code = v.c;" >/dev/null || bad "people"

n=1000
# report PERSON DAY LATE [FORM STATUS]: a daily report for local day DAY.
report() {
	n=$((n + 1))
	sql "INSERT INTO reports (ref, form_id, person_id, sender, raw_text, period,
	       late, rules_hash, received_at, status)
	     VALUES ('R$n', '${4:-daily}', $1, 'x', '日报 1 2 3', '$(day "$2")', $3,
	       'h', $(at "$2" "18:00"), '${5:-received}')" >/dev/null || bad "report R$n"
}
checkin() {
	sql "INSERT INTO checkins (person_id, received_at, outlet_code, outlet_id,
	       verdict, evidence)
	     SELECT $1, $(at "$2" "09:00"), 'JN0231', id, 'in_territory',
	       'outlet_code_only' FROM outlets WHERE code = 'JN0231'" >/dev/null ||
		bad "checkin $1 $2"
}
# leave PERSON FIRST-DAY DAYS STATUS: a leave request report and its days.
leave() {
	n=$((n + 1))
	sql "INSERT INTO reports (ref, form_id, person_id, sender, raw_text, period,
	       rules_hash, received_at, status, needs_approval)
	     VALUES ('R$n', 'leave', $1, 'x', '请假 $3', '', 'h', $(at "$2" "00:01"),
	       '$4', true);
	     INSERT INTO leave_requests (report_id, person_id, first_day, days, reason)
	       SELECT id, $1, '$mon'::date + $2, $3, '家事' FROM reports
	        WHERE ref = 'R$n'" >/dev/null || bad "leave R$n"
}

# 王一 (11): Mon-Sat reports on time and check-ins; a Sunday report does
# not count -> due 12, on_time 12, late 0, missing 0.
for d in 0 1 2 3 4 5; do report 11 $d false; checkin 11 $d; done
report 11 6 false
# 王二 (12): Mon-Wed on time, Thu late (plus a replaced one), Fri-Sat none;
# check-ins Mon-Thu; a REJECTED leave on Fri does not excuse ->
# reports 3 on time, 1 late, 2 missing; check-ins 4 done, 2 missing:
# due 12, on_time 7, late 1, missing 4.
for d in 0 1 2; do report 12 $d false; done
report 12 3 true
report 12 4 false daily replaced
for d in 0 1 2 3; do checkin 12 $d; done
leave 12 4 2 rejected
# 王三 (13, QD inherits the zone): approved leave Wed-Fri (3 days);
# reports Mon, Tue, Sat; a withdrawn Wed report; no check-ins ->
# due_days 3, due 6, on_time 3, late 0, missing 3.
report 13 0 false; report 13 1 false; report 13 5 false
report 13 2 false daily withdrawn
leave 13 2 3 approved

w="week_start = '$mon'"
eq "SELECT string_agg(person_id || ':' || due || '/' || on_time || '/' || late || '/' || missing, ' ' ORDER BY person_id)
      FROM compliance_week WHERE $w" \
	"11:12/12/0/0 12:12/7/1/4 13:6/3/0/3" "compliance_week per rep"
eq "SELECT due_days || ' ' || reports_missing || ' ' || checkins_missing FROM compliance_week WHERE $w AND person_id = 12" \
	"6 2 2" "compliance_week detail columns"
eq "SELECT count(*) FROM compliance_week WHERE person_id = 14" "0" "inactive rep not counted"
eq "SELECT string_agg(supervisor_id || ':' || supervisor_name || ':' || due || '/' || on_time || '/' || late || '/' || missing, ' ' ORDER BY supervisor_id)
      FROM compliance_week_team WHERE $w" \
	"2:李主管:24/19/1/4 3:赵主管:6/3/0/3" "compliance_week_team"
eq "SELECT string_agg(territory_code || ':' || territory_name || ':' || due || '/' || on_time || '/' || missing, ' ' ORDER BY territory_code)
      FROM compliance_week_territory WHERE $w" \
	"JN:济南:24/19/4 QD:青岛:6/3/3" "compliance_week_territory"

eq "SELECT string_agg(person_id || '@' || depth, ' ' ORDER BY person_id) FROM person_chain WHERE ancestor_id = 1" \
	"1@0 2@1 3@1 11@2 12@2 13@2 14@2" "person_chain from the top"
eq "SELECT string_agg(person_id::text, ' ' ORDER BY person_id) FROM person_chain WHERE ancestor_id = 2" \
	"2 11 12 14" "person_chain of one supervisor"
eq "SELECT count(*) FROM person_chain WHERE ancestor_id = 2 AND person_id = 13" "0" \
	"another team's rep is outside the chain"

# Pending: a leave for today (王二, pending) and a report needing approval.
n=$((n + 1))
sql "INSERT INTO reports (ref, form_id, person_id, sender, raw_text, rules_hash,
       received_at, needs_approval) VALUES ('R$n', 'weekly', 11, 'x', '周报', 'h',
       now() - interval '1 minute', true)" >/dev/null
today=$(sql "SELECT (date_trunc('week', now() AT TIME ZONE '$tz'))::date - '$mon'::date + extract(isodow FROM now() AT TIME ZONE '$tz')::int - 1")
leave 12 "$today" 1 received
eq "SELECT string_agg(supervisor_id || ':' || kind || ':' || form_id || ':' || rep_name, ' ' ORDER BY ref)
      FROM pending_approvals" \
	"2:report:weekly:王一 2:leave:leave:王二" "pending_approvals, kinds"
eq "SELECT bool_and(age > interval '0') FROM pending_approvals" "t" "age positive"
eq "SELECT count(*) FROM compliance_week WHERE person_id = 12 AND $w AND due = 12" "1" \
	"pending leave does not excuse"

# Today: 王一 checked in and reported; 王三 on approved leave; 王二 nothing.
sql "INSERT INTO checkins (person_id, received_at, outlet_code, outlet_id, verdict,
       evidence, distance_m) SELECT 11, now() - interval '1 minute', 'JN0231', id,
       'outside', 'cell', 1200 FROM outlets WHERE code = 'JN0231';
     INSERT INTO reports (ref, form_id, person_id, sender, raw_text, period,
       rules_hash, received_at) VALUES ('R9001', 'daily', 11, 'x', '日报', to_char(now() AT TIME ZONE '$tz', 'YYYY-MM-DD'), 'h', now())" >/dev/null
leave 13 "$today" 2 approved
eq "SELECT string_agg(person_id || ':' || checkins_today || ':' || reports_today || ':' || on_leave || ':' || missing_checkin || ':' || missing_report, ' ' ORDER BY person_id)
      FROM rep_today" \
	"11:1:2:false:false:false 12:0:0:false:true:true 13:0:0:true:false:false" "rep_today"
eq "SELECT last_checkin_outlet_name || ' ' || last_checkin_verdict || ' ' || last_checkin_evidence || ' ' || last_checkin_distance_m || ' ' || array_to_string(report_forms_today, ',') || ' ' || territory_code || ' ' || timezone
      FROM rep_today WHERE person_id = 11" \
	"华联超市 outside cell 1200 daily,weekly JN Asia/Shanghai" "rep_today check-in columns"
eq "SELECT timezone || ' ' || territory_name FROM rep_today WHERE person_id = 13" \
	"Asia/Shanghai 青岛" "time zone inherited from the parent territory"
eq "SELECT local_date = (now() AT TIME ZONE '$tz')::date FROM rep_today WHERE person_id = 12" "t" "local_date"

# Alerts per day.
sql "INSERT INTO alerts (alert_id, recipient, recipient_id, body, dedupe_key, state)
     VALUES ('big_sale', '+8613800000002', 2, 'a', 'k1', 'sent'),
            ('big_sale', '+8613800000002', 2, 'b', 'k2', 'pending'),
            ('promo', '+8613800000001', 1, 'c', 'k3', 'pending')" >/dev/null
eq "SELECT string_agg(alert_id || ':' || recipient_id || ':' || n || ':' || sent, ' ' ORDER BY alert_id)
      FROM alerts_daily WHERE day = current_date" "big_sale:2:2:1 promo:1:1:0" "alerts_daily"

# Gateway health: the newest status row per modem, queue, balance, reload.
sql "INSERT INTO modem_status (modem, imsi, registration, operator, signal_dbm, updated_at) VALUES
       ('m1', 'old', 'denied', 'X', -101, now() - interval '1 hour'),
       ('m1', 'new', 'home', 'CMCC', -71, now()),
       ('m2', '', 'searching', NULL, NULL, now() - interval '10 minutes');
     INSERT INTO outbound_messages (recipient, body, created_at) VALUES
       ('+8613800000011', 'a', now() - interval '7 minutes'), ('+8613800000012', 'b', now());
     INSERT INTO sim_balances (modem, balance, at) VALUES
       ('m1', 30.00, now() - interval '1 day'), ('m1', 12.50, now());
     INSERT INTO rule_reloads (at, ok) VALUES (now() - interval '1 hour', true), (now(), false)" >/dev/null
eq "SELECT string_agg(modem || ':' || state || ':' || coalesce(signal::text, '-') || ':' || coalesce(operator, '-') || ':' || registered || ':' || queue_queued || ':' || coalesce(sim_balance::text, '-') || ':' || last_rule_reload_ok, ' ' ORDER BY modem)
      FROM gateway_health" "m1:up:-71:CMCC:true:2:12.50:false m2:stale:-:-:false:2:-:false" "gateway_health"
eq "SELECT bool_and(queue_oldest_at < now() - interval '6 minutes') FROM gateway_health" "t" "queue_oldest_at"

# History: 王三's timeline (reports incl. leave; no check-ins).
eq "SELECT count(*) || ' ' || count(*) FILTER (WHERE kind = 'report') || ' ' || count(*) FILTER (WHERE status = 'withdrawn') FROM rep_history WHERE person_id = 13" \
	"6 6 1" "rep_history of 王三"
eq "SELECT count(*) FILTER (WHERE kind = 'checkin') || ' ' || count(*) FILTER (WHERE verdict = 'outside') FROM rep_history WHERE person_id = 11" \
	"7 1" "rep_history check-ins with verdict"
eq "SELECT string_agg(day::text, ',' ORDER BY day) = (SELECT string_agg(to_char('$mon'::date + i, 'YYYY-MM-DD'), ',') FROM generate_series(2, 4) i) FROM leave_days WHERE person_id = 13 AND day < '$mon'::date + 7" \
	"t" "leave_days of the approved leave"

# A report may now be approved / rejected; other states still refused.
sql "UPDATE reports SET status = 'approved', decided_by = 2, decided_at = now() WHERE ref = 'R1001'" >/dev/null &&
	ok "approved is a status" || bad "approved refused"
if sql "UPDATE reports SET status = 'bogus' WHERE ref = 'R1001'" >/dev/null 2>&1; then
	bad "bogus status accepted"
else ok "unknown status refused"; fi

# fieldgatectl report: the same views as tables, JSON, CSV.
"$ctl" report compliance --week "$mon" >"$tmp/o"
rc_is $? 0 "report compliance"
expect "$tmp/o" "on_time_pct" "compliance header"
grep "王二" "$tmp/o" | grep -q "  12 .*  7 .*  1 .*  4 " && ok "compliance row of 王二" ||
	{ bad "compliance row"; cat "$tmp/o"; }
wk=$(sql "SELECT to_char('$mon'::date, 'IYYY-\"W\"IW')")
"$ctl" report compliance --week "$wk" --team 李主管 --json >"$tmp/j"
rc_is $? 0 "report compliance --week ISO --team --json"
json_ok "$tmp/j" && ok "valid JSON" || { bad "invalid JSON"; cat "$tmp/j"; }
[ "$(json_get "$tmp/j" '" ".join("%s:%d/%d" % (r["rep"], r["due"], r["missing"]) for r in d)')" = "王一:12/0 王二:12/4" ] &&
	ok "--team keeps the chain, numbers typed" || { bad "--team json"; cat "$tmp/j"; }
"$ctl" report compliance --week "$mon" --team +8613800000003 --csv >"$tmp/c"
rc_is $? 0 "report --csv"
[ "$(head -1 "$tmp/c")" = "week,rep,supervisor,territory,due,on_time,late,missing,on_time_pct" ] &&
	ok "csv header" || { bad "csv header"; cat "$tmp/c"; }
[ "$(sed -n 2p "$tmp/c")" = "$mon,王三,赵主管,QD,6,3,0,3,50" ] && ok "csv row" || { bad "csv row"; cat "$tmp/c"; }
"$ctl" report today --team 李主管 >"$tmp/o"
rc_is $? 0 "report today"
grep "王一" "$tmp/o" | grep -q "华联超市  outside" && ok "today shows the check-in" || { bad "today"; cat "$tmp/o"; }
expect_not "$tmp/o" "王三" "today --team leaves other teams out"
"$ctl" report today --json >"$tmp/j"
[ "$(json_get "$tmp/j" '[r["on_leave"] for r in d if r["rep"] == "王三"][0]')" = True ] &&
	ok "today json on_leave" || { bad "today json"; cat "$tmp/j"; }
"$ctl" report approvals >"$tmp/o"
rc_is $? 0 "report approvals"
expect "$tmp/o" "leave" "approvals lists the leave"
[ "$(grep -c 李主管 "$tmp/o")" = 2 ] && ok "two pending for 李主管" || { bad "approvals"; cat "$tmp/o"; }
"$ctl" report compliance --week 2026-13-99x >"$tmp/o" 2>&1
rc_is $? 2 "bad --week refused"
"$ctl" report bogus >"$tmp/o" 2>&1
rc_is $? 2 "unknown report refused"
"$ctl" report today --team 无此人 >"$tmp/o" 2>&1
rc_is $? 1 "unknown supervisor"
one_line "$tmp/o" "unknown supervisor: one line"
exit $fail
