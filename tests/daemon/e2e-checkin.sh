#!/bin/sh
# End to end, check-ins (issue 8), the data imported with fieldgatectl
# import: inside its territory -> receipt, nothing to the supervisor;
# outside -> receipt noting it and exactly one alert SMS to the
# supervisor; an unknown outlet -> the precise error; hex, decimal and
# LAC-CID-alone cells through the real parser, stored with the check-in;
# an outlet with a phone is asked, confirms, and the check-in becomes
# outlet_confirmed; a confirmation from another number is refused; after
# the window the check-in stays outlet_code_only.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
CTL="$top_builddir/gateway/fieldgatectl"
R=$T/rules.conf
# The shipped rules with the batch windows at 4 s and the outlets'
# confirmation window at 6 s.
sed -e 's/batch = "[0-9]*[smhd]*";/batch = "4s";/' \
	-e '/confirm = {/s/window = "2h";/window = "6s";/' \
	"$top_srcdir/docs/examples/rules.zh.conf" >"$R" || fail "no shipped rules"
grep -q 'window = "6s";' "$R" || fail "no confirm window to shorten"

sup=+8613900000002 rep=+8613900000003 other=+8613900000009
shop=+8653100000001 shop2=+8653200000002
sim_start
gw_config "rules_file = \"$R\";"
gw_start
ctl() { "$CTL" --db "$FIELDGATE_TEST_CONNINFO" "$@"; }
printf 'JN,济南,,Asia/Shanghai,36.65,117.12,30000,10783\nQD,青岛,,,36.06,120.38,20000,12288\n' |
	ctl import territories - >/dev/null || fail "import territories"
printf '%s,赵主管,supervisor,,JN\n%s,王芳,rep,%s,JN\n%s,钱八,rep,,QD\n' \
	"$sup" "$rep" "$sup" "$other" | ctl import people - >/dev/null || fail "import people"
printf 'JN0231,华联超市,泉城路1号,JN,36.671,117.081,%s\nJN0500,银座商城,,JN,36.668,117.078\nQD0001,利群商厦,,QD,36.07,120.38,%s\n' \
	"$shop" "$shop2" | ctl import outlets - >/dev/null || fail "import outlets"
printf 'GSM,460,0,10783,15437,0,117.082,36.672,1000,10,1,0,0,0\nGSM,460,0,12288,4660,0,120.381,36.071,1000,10,1,0,0,0\n' |
	ctl import cells - >/dev/null || fail "import cells"

# fieldgatectl rules test: the verdict with a database, "not checked"
# without one; nothing stored.
ctl rules test --rules "$R" "$rep" "签到 QD0001" >"$T/rt" 2>&1 || fail "rules test: $(cat "$T/rt")"
grep -qE '^verdict: +outside \([0-9]+ m\), evidence outlet_code_only, the outlet would be asked to confirm$' "$T/rt" ||
	fail "rules test verdict: $(cat "$T/rt")"
grep -qE '^reply: +签到成功 利群商厦 .*\(辖区外 [0-9.]+km\)$' "$T/rt" || fail "rules test reply: $(cat "$T/rt")"
grep -qE '^alert: +checkin_outside -> supervisor' "$T/rt" || fail "rules test alert: $(cat "$T/rt")"
ctl rules test --rules "$R" --json "$rep" "签到 JN0500 L460-00-2A1F-3C4D" >"$T/rj" || fail "rules test --json"
python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["verdict"]; sys.exit(not (v["verdict"]=="in_territory" and v["evidence"]=="cell" and v["distance_m"]==0))' "$T/rj" ||
	fail "rules test --json verdict: $(cat "$T/rj")"
"$CTL" rules test --rules "$R" --as rep "$rep" "签到 QD0001" >"$T/rt" 2>&1 || fail "rules test --as"
grep -qE '^verdict: +not checked$' "$T/rt" || fail "rules test --as: $(cat "$T/rt")"
[ "$(q "SELECT count(*) FROM checkins")" = 0 ] || fail "rules test stored a check-in"
ctl rules test --rules "$R" "$shop" "确认 R1000" >"$T/rt" 2>&1 || fail "rules test outlet"
grep -qE '^sender: +\+8653100000001 \(outlet, 华联超市\)$' "$T/rt" || fail "rules test outlet: $(cat "$T/rt")"

handled() {
	s=$(q "SELECT state FROM inbound_messages WHERE sender = '$1' AND body = '$2'")
	[ -n "$s" ] && [ "$s" != stored ]
}
send_and_wait() {
	sim inject from="$1" enc=ucs2 "text=$2" >/dev/null || fail "inject $2"
	wait_for 15 handled "$1" "$2" || fail "'$2' not handled"
}
# The reply to message $2 from $1.
reply_to() {
	q "SELECT o.body FROM outbound_messages o JOIN inbound_messages i
		ON i.id = o.in_reply_to WHERE i.sender = '$1' AND i.body = '$2'
		AND o.kind = 'ack'"
}
# verdict,evidence,cell of the check-in of message $1.
row_of() {
	q "SELECT c.verdict || ',' || c.evidence || ',' || coalesce(c.cell_mcc || '-'
		|| c.cell_mnc || '-' || c.cell_lac || '-' || c.cell_cid, '') || ','
		|| coalesce(c.distance_m::text, '') FROM checkins c JOIN inbound_messages i
		ON i.id = c.message_id WHERE i.sender = '$rep' AND i.body = '$1'"
}
ref_of() {
	q "SELECT c.ref FROM checkins c JOIN inbound_messages i ON i.id = c.message_id
		WHERE i.sender = '$rep' AND i.body = '$1'"
}

# Inside, outlet code only: the receipt, no alert.
send_and_wait "$rep" "签到 JN0500"
reply=$(reply_to "$rep" "签到 JN0500")
echo "$reply" | grep -qE '^签到成功 银座商城 [0-9][0-9]:[0-9][0-9] 号R[0-9]{4}$' ||
	fail "inside receipt: $reply"
[ "$(row_of "签到 JN0500")" = "in_territory,outlet_code_only,,0" ] ||
	fail "inside row: $(row_of "签到 JN0500")"
[ "$(ref_of "签到 JN0500")" = "$(q "SELECT ref FROM reports WHERE inbound_id =
	(SELECT id FROM inbound_messages WHERE body = '签到 JN0500')")" ] ||
	fail "check-in not linked to its report's reference"

# Cells: hex, decimal, LAC-CID alone (the home MCC/MNC), all in JN.
for t in "签到 JN0500 L460-00-2A1F-3C4D" "签到 JN0500 L460-00-10783-15437" \
	"签到 JN0500 2A1F-3C4D"; do
	send_and_wait "$rep" "$t"
	[ "$(row_of "$t")" = "in_territory,cell,460-0-10783-15437,0" ] ||
		fail "cell '$t': $(row_of "$t")"
	reply_to "$rep" "$t" | grep -q '^签到成功 银座商城 .* 号R[0-9]*$' ||
		fail "cell '$t' receipt: $(reply_to "$rep" "$t")"
done
[ "$(q "SELECT count(*) FROM alerts")" = 0 ] || fail "an alert for a check-in inside"

# Outside: the outlet is in QD; the receipt notes it, one alert.
t0=$(date +%s)
send_and_wait "$rep" "签到 QD0001"
reply=$(reply_to "$rep" "签到 QD0001")
echo "$reply" | grep -qE '^签到成功 利群商厦 [0-9:]{5} 号R[0-9]{4}\(辖区外 [0-9]+\.[0-9]km\)$' ||
	fail "outside receipt: $reply"
row=$(row_of "签到 QD0001")
case $row in outside,outlet_code_only,,[1-9]*) ;; *) fail "outside row: $row" ;; esac
dist=${row##*,}
[ "$dist" -gt 250000 ] && [ "$dist" -lt 300000 ] || fail "distance $dist m (Qingdao to the edge of Jinan)"
# A cell in QD with an outlet in JN: the cell wins, outside too (same batch).
send_and_wait "$rep" "签到 JN0500 L460-00-12288-4660"
case $(row_of "签到 JN0500 L460-00-12288-4660") in outside,cell,460-0-12288-4660,*) ;;
*) fail "cell far from the outlet: $(row_of "签到 JN0500 L460-00-12288-4660")" ;; esac
[ "$(q "SELECT count(*) FROM alerts WHERE recipient = '$sup' AND alert_id = 'checkin_outside'")" = 2 ] ||
	fail "want 2 outside alerts for the supervisor"
[ "$(q "SELECT count(*) FROM alerts WHERE recipient <> '$sup'")" = 0 ] || fail "alert to someone else"

# Unknown outlet: the precise error, a row, no report.
send_and_wait "$rep" "签到 XX9999"
reply=$(reply_to "$rep" "签到 XX9999")
[ "$reply" = "门店号XX9999不存在。格式:签到 门店号 [位置]" ] || fail "unknown outlet: $reply"
[ "$(row_of "签到 XX9999")" = "unknown_outlet,outlet_code_only,," ] ||
	fail "unknown outlet row: $(row_of "签到 XX9999")"

# The supervisor gets exactly one alert SMS, after the batch window.
wait_for 20 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM alerts WHERE state = '"'sent'"'")" = 2 ]' ||
	fail "alerts not sent"
[ "$(q "SELECT count(*) FROM outbound_messages WHERE kind = 'alert' AND recipient = '$sup'")" = 1 ] ||
	fail "not exactly one alert SMS to the supervisor"
body=$(q "SELECT body FROM outbound_messages WHERE kind = 'alert'")
echo "$body" | grep -qF "王芳签到利群商厦(辖区外 " || fail "alert body: $body"
wait_for 10 sh -c "\"$SIMCTL\" \"$T/sim.ctl\" sent | grep -q 'to=$sup '" ||
	fail "the alert SMS did not go out"
[ $(( $(date +%s) - t0 )) -ge 4 ] || fail "alert before its window"

# An outlet with a phone: asked to confirm.
send_and_wait "$rep" "签到 JN0231"
ref=$(ref_of "签到 JN0231")
[ -n "$ref" ] || fail "no reference for the check-in at JN0231"
ask=$(q "SELECT body FROM outbound_messages WHERE kind = 'confirm_ask' AND recipient = '$shop'")
[ "$ask" = "王芳在华联超市签到$(reply_to "$rep" "签到 JN0231" | cut -d' ' -f3),属实请回复:确认 $ref" ] ||
	fail "the question to the outlet: $ask"
wait_for 10 sh -c "\"$SIMCTL\" \"$T/sim.ctl\" sent | grep -q 'to=$shop '" || fail "the outlet was not asked"
# Refused: another outlet's phone, a rep, an unknown number.
send_and_wait "$shop2" "确认 $ref"
[ "$(reply_to "$shop2" "确认 $ref")" = "本号码不能确认$ref。" ] ||
	fail "another outlet's confirmation: $(reply_to "$shop2" "确认 $ref")"
send_and_wait "$other" "QR $ref"
[ "$(reply_to "$other" "QR $ref")" = "确认:您的角色无权使用。" ] ||
	fail "a rep's confirmation: $(reply_to "$other" "QR $ref")"
send_and_wait "+8613700000000" "确认 $ref"
[ "$(q "SELECT count(*) FROM outbound_messages WHERE recipient = '+8613700000000'")" = 0 ] ||
	fail "an unknown number was answered"
[ "$(q "SELECT evidence FROM checkins WHERE ref = '$ref'")" = outlet_code_only ] ||
	fail "a refused confirmation upgraded the check-in"
# The outlet confirms (QR, lower case): upgraded.
send_and_wait "$shop" "qr $ref"
[ "$(reply_to "$shop" "qr $ref")" = "已确认$ref,谢谢" ] ||
	fail "the outlet's confirmation reply"
[ "$(q "SELECT evidence FROM checkins WHERE ref = '$ref'")" = outlet_confirmed ] ||
	fail "not upgraded to outlet_confirmed"
[ "$(q "SELECT count(*) FROM reports WHERE sender IN ('$shop', '$shop2')")" = 0 ] ||
	fail "an outlet's phone created a report"
# An outlet's phone may not report.
send_and_wait "$shop" "签到 JN0231"
[ "$(q "SELECT count(*) FROM checkins c JOIN inbound_messages i ON i.id = c.message_id
	WHERE i.sender = '$shop'")" = 0 ] || fail "an outlet's phone checked in"

# No confirmation within the window: stays outlet_code_only.
send_and_wait "$rep" "QD JN0231"
ref2=$(ref_of "QD JN0231")
wait_for 15 sh -c "[ \$(date +%s) -ge \$(( \$(psql -qAt -c \"SELECT extract(epoch FROM confirm_by)::bigint FROM checkins WHERE ref = '$ref2'\") + 2 )) ]" ||
	fail "window never over"
send_and_wait "$shop" "确认 $ref2"
[ "$(reply_to "$shop" "确认 $ref2")" = "${ref2}已超过确认时限。" ] ||
	fail "late confirmation reply: $(reply_to "$shop" "确认 $ref2")"
[ "$(q "SELECT evidence FROM checkins WHERE ref = '$ref2'")" = outlet_code_only ] ||
	fail "a late confirmation upgraded the check-in"
# Inside check-ins raised nothing more; one alert SMS in all.
[ "$(q "SELECT count(*) FROM outbound_messages WHERE kind = 'alert'")" = 1 ] ||
	fail "more alert SMS than the one batch"
gw_stop
echo "e2e-checkin: ok"
