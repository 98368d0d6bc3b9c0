#!/bin/sh
# fieldgatectl status: modem rows as a daemon writes them (fresh and stale),
# queue depths by state, configured modems that never reported, --json.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }

"$ctl" status >"$tmp/o"
rc_is $? 0 "status on an empty database"
expect "$tmp/o" "no modem has reported yet" "no modems said"
expect "$tmp/o" "all empty" "queues empty said"

sql "INSERT INTO modem_status (modem, imsi, iccid, daemon_host, device,
	registration, operator, signal_dbm, lac, ci, access_tech,
	storage_used, storage_total, last_error, updated_at) VALUES
 ('gsm1', '460001234567890', '89860012345678901234', 'gw1', '/dev/ttyUSB2',
  'home', 'China Mobile', -71, 6699, 123456789, 'LTE', 3, 50, NULL, now()),
 ('gsm1', '460009999999999', '', 'gw1', '/dev/ttyUSB2', 'home', 'Old SIM',
  -90, NULL, NULL, NULL, NULL, NULL, NULL, now() - interval '2 days'),
 ('gsm2', '', '', 'gw2', 'usb-serial:ABC', 'searching', NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, '+CME ERROR: 10 (SIM not inserted)',
  now() - interval '1 hour')"
"$ctl" send +8613800138000 a >/dev/null
"$ctl" send +8613800138000 b >/dev/null
"$ctl" ussd --timeout 0 '*100#' >/dev/null 2>&1
sql "INSERT INTO inbound_messages (modem, sender, pdu_hex, state) VALUES
	('gsm1', '+8613800000002', 'AA', 'handled')"

"$ctl" status >"$tmp/o"
rc_is $? 0 "status"
expect "$tmp/o" "registration: home  operator: China Mobile  (LTE)" "registration/operator"
expect "$tmp/o" "signal: -71 dBm  LAC: 6699 (0x1A2B)  CI: 123456789 (0x75BCD15)" "signal, LAC/CI"
expect "$tmp/o" "SIM: IMSI 460001234567890  ICCID 89860012345678901234" "SIM identity"
expect "$tmp/o" "storage: 3/50 used" "storage"
expect "$tmp/o" "last error: +CME ERROR: 10 (SIM not inserted)" "last error"
expect "$tmp/o" "signal: unknown" "unknown signal"
expect_not "$tmp/o" "Old SIM" "older SIM row hidden without --all"
grep '^modem gsm1' "$tmp/o" | grep -q STALE && bad "fresh gsm1 flagged stale" || ok "gsm1 not stale"
grep '^modem gsm2' "$tmp/o" | grep -q "updated 60m ago  STALE" && ok "gsm2 stale (1 h)" ||
	{ bad "gsm2 not flagged stale"; cat "$tmp/o"; }
expect "$tmp/o" "outbound        queued 2" "outbound queue depth"
expect "$tmp/o" "ussd            queued 1" "ussd queue depth"
expect "$tmp/o" "inbound         handled 1" "inbound depth"
"$ctl" status --stale-after 7200 >"$tmp/o"
grep -q STALE "$tmp/o" && bad "--stale-after 7200 still stale" || ok "--stale-after"
"$ctl" status --all >"$tmp/o"
expect "$tmp/o" "modem gsm1 (older SIM row)" "--all shows the older SIM row"

"$ctl" status --json >"$tmp/j"
json_ok "$tmp/j" || bad "status --json invalid"
[ "$(json_get "$tmp/j" '[(m["modem"], m["stale"], m["signal_dbm"], m["lac"], m["imsi"], m["storage_used"]) for m in d["modems"]]')" = \
	"[('gsm1', False, -71, 6699, '460001234567890', 3), ('gsm2', True, None, None, None, None)]" ] &&
	ok "json modems" || { bad "json modems"; cat "$tmp/j"; }
[ "$(json_get "$tmp/j" 'd["queues"]["outbound"]["queued"], d["queues"]["ussd"]["queued"], d["queues"]["inbound"]["handled"]')" = \
	"(2, 1, 1)" ] && ok "json queues" || { bad "json queues"; cat "$tmp/j"; }
age=$(json_get "$tmp/j" 'd["modems"][1]["age_s"]')
[ "$age" -ge 3590 ] && [ "$age" -le 3700 ] && ok "age measured on the server clock" ||
	bad "age $age"

# A configured modem that never reported is listed with -f.
cat >"$tmp/gw.conf" <<EOC
database = { conninfo = "$FIELDGATE_TEST_CONNINFO"; };
modems = ( { name = "gsm1"; device = "tty:/dev/pts/5"; },
           { name = "gsm3"; device = "usb-serial:XYZ"; } );
EOC
"$ctl" -f "$tmp/gw.conf" status >"$tmp/o"
expect "$tmp/o" "modem gsm3  [usb-serial:XYZ]  configured, never reported" "unreported configured modem"
"$ctl" status -f "$tmp/gw.conf" --json >"$tmp/j"
[ "$(json_get "$tmp/j" 'd["unreported"]')" = "['gsm3']" ] && ok "json unreported" || bad "json unreported"

exit $fail
