#!/bin/sh
# fieldgatectl schedules [--next N] [--at T] and rules test --at: the
# shipped rules' fires in time order, holidays and Sundays skipped, quiet
# hours postponing, a bad --next refused; rules test --at names the
# schedule firing at that minute.  Offline (no database).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
shipped="$srcdir/docs/examples/rules.zh.conf"

"$ctl" schedules --rules "$shipped" --next 8 --at 2026-09-30T20:00+08:00 >"$tmp/o" 2>"$tmp/e"
rc_is $? 0 "schedules --next 8"
[ "$(grep -c CST "$tmp/o")" = 8 ] && ok "eight fires" || bad "want 8 fires: $(cat "$tmp/o")"
expect "$tmp/o" "Wed 2026-09-30 20:30 CST   report_escalation" "first fire"
# 1, 2 October are holidays, the 4th a Sunday: the next deadline is the 3rd
expect "$tmp/o" "Sat 2026-10-03 10:00 CST   checkin_deadline" "holidays skipped"
grep -q "2026-10-0[12]" "$tmp/o" && bad "a holiday fires" || ok "no fire on a holiday"
grep -q "2026-10-04" "$tmp/o" && bad "a Sunday fires" || ok "no fire on Sunday"
# quiet hours postpone: a schedule at 23:00 goes out at 07:30
sed 's/cron = "0 21 \* \* 1-6"/cron = "0 23 * * 1-6"/' "$shipped" >"$tmp/q.conf"
"$ctl" schedules --rules "$tmp/q.conf" --next 3 --at 2026-06-01T22:00+08:00 >"$tmp/o" 2>"$tmp/e"
expect "$tmp/o" "Tue 2026-06-02 07:30 CST   daily_digest" "quiet hours postpone"
expect "$tmp/o" "postponed from Mon 2026-06-01 23:00 CST" "postponed shown"
"$ctl" schedules --rules "$shipped" --next 0 >"$tmp/o" 2>"$tmp/e"
rc_is $? 2 "--next 0 refused"
"$ctl" rules test --rules "$shipped" --as rep --at 2026-06-01T10:00+08:00 13900000003 "日报 1 2 3" >"$tmp/o" 2>"$tmp/e"
rc_is $? 0 "rules test --at"
expect "$tmp/o" "fires:      checkin_deadline" "the deadline at 10:00"
"$ctl" rules test --rules "$shipped" --as rep --at 2026-10-01T10:00+08:00 13900000003 "日报 1 2 3" >"$tmp/o" 2>"$tmp/e"
expect "$tmp/o" "holiday" "a holiday said"
grep -q "fires:" "$tmp/o" && bad "a fire on a holiday" || ok "nothing fires on a holiday"
exit $fail
