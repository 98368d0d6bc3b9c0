#!/bin/sh
# fieldgatectl inbox/outbox: filters (number, --since/--until relative and
# ISO, --limit), markers (partial, undecodable), per-part states and
# delivery reports, and --json parsed.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }

sql "INSERT INTO inbound_messages (modem, sender, scts, received_at, pdu_hex,
	body, state) VALUES
 ('gsm1', '+8613800000002', now() - interval '3 days',
  now() - interval '3 days', 'AA01', 'old report', 'handled'),
 ('gsm1', '+8613800000002', now() - interval '1 hour',
  now() - interval '1 hour', 'AA02', 'S 3 5', 'handled'),
 ('gsm2', '+8613800000003', now() - interval '10 minutes',
  now() - interval '10 minutes', 'AA03', E'line1\nline2 \"q\"', 'stored')"
sql "INSERT INTO inbound_messages (modem, sender, pdu_hex, decode_error, state)
	VALUES ('gsm1', '', 'FF', 'truncated TP-UD', 'failed')"
sql "INSERT INTO inbound_messages (kind, modem, sender, scts, pdu_hex, body,
	part_count, partial, missing_parts) VALUES ('assembled', 'gsm1',
	'+8613800000004', now(), NULL, '第一部分…第三部分', 3, true, '{2}')"
"$ctl" people add +8613800000002 '王销售' --role rep >/dev/null || bad "people add"
ids() { json_get "$1" '" ".join(str(m["id"]) for m in d)'; }

# inbox: all, newest first.
"$ctl" inbox >"$tmp/o"
rc_is $? 0 "inbox"
[ "$(grep -c '^[0-9]' "$tmp/o")" -eq 5 ] && ok "5 messages" || { bad "inbox rows"; cat "$tmp/o"; }
expect "$tmp/o" "[undecodable: truncated TP-UD]" "undecodable marked"
expect "$tmp/o" "[partial, 3 parts expected] 第一部分…第三部分" "partial marked"
expect "$tmp/o" 'line1 line2 "q"' "newline flattened in the table"
expect "$tmp/o" "(王销售) S 3 5" "registered sender's name shown"
"$ctl" inbox --json >"$tmp/j"
json_ok "$tmp/j" || bad "inbox --json invalid"
[ "$(ids "$tmp/j")" = "5 4 3 2 1" ] && ok "newest first" || bad "order: $(ids "$tmp/j")"
[ "$(json_get "$tmp/j" 'd[2]["text"]')" = "$(printf 'line1\nline2 "q"')" ] &&
	ok "json keeps the text exactly" || bad "json text"
[ "$(json_get "$tmp/j" 'd[0]["partial"], d[0]["kind"], d[1]["decode_error"], d[1]["text"]')" = \
	"(True, 'assembled', 'truncated TP-UD', None)" ] && ok "json markers" || bad "json markers"
[ "$(json_get "$tmp/j" '[m["sender_name"] for m in d]')" = "[None, None, None, '王销售', '王销售']" ] &&
	ok "json sender_name" || bad "json sender_name"

# filters
"$ctl" inbox --from '0086 138-0000-0002' --json >"$tmp/j"
[ "$(ids "$tmp/j")" = "2 1" ] && ok "--from (normalized)" || bad "--from: $(ids "$tmp/j")"
"$ctl" inbox --since 2h --json >"$tmp/j"
[ "$(ids "$tmp/j")" = "5 4 3 2" ] && ok "--since 2h" || bad "--since 2h: $(ids "$tmp/j")"
"$ctl" inbox --since 30m --from +8613800000003 --json >"$tmp/j"
[ "$(ids "$tmp/j")" = "3" ] && ok "--since 30m --from" || bad "--since 30m --from"
iso=$(date -u -d '2 days ago' +%Y-%m-%dT%H:%M:%SZ)
"$ctl" inbox --since "$iso" --json >"$tmp/j"
[ "$(ids "$tmp/j")" = "5 4 3 2" ] && ok "--since ISO $iso" || bad "--since ISO"
"$ctl" inbox --until 1d --json >"$tmp/j"
[ "$(ids "$tmp/j")" = "1" ] && ok "--until 1d" || bad "--until 1d: $(ids "$tmp/j")"
"$ctl" inbox --limit 2 --json >"$tmp/j"
[ "$(ids "$tmp/j")" = "5 4" ] && ok "--limit 2" || bad "--limit 2"
"$ctl" inbox --from +8613899999999 >"$tmp/o"
expect "$tmp/o" "no messages" "empty result said"

# outbox: two messages, parts written as the daemon would.
a=$("$ctl" send +8613800138000 "$(printf '%0200d' 7)" 2>/dev/null) || bad "send a"
b=$("$ctl" send --priority alert +8613800138009 'B' 2>/dev/null) || bad "send b"
sql "INSERT INTO outbound_parts (message_id, seq, recipient, pdu_hex, tpdu_len,
	state, modem, mr, attempts, submitted_at, delivered_at, report_status)
	VALUES ($a, 1, '+8613800138000', '0011', 2, 'delivered', 'gsm1', 12, 1,
	        now(), now(), 0),
	       ($a, 2, '+8613800138000', '0011', 2, 'submitted', 'gsm1', 13, 1,
	        now(), NULL, NULL)"
sql "INSERT INTO outbound_parts (message_id, seq, recipient, pdu_hex, tpdu_len,
	state, modem, attempts, last_cms_error, last_error) VALUES
	($b, 1, '+8613800138009', '0011', 2, 'failed', 'gsm1', 1, 500,
	 'unknown error')"
"$ctl" outbox >"$tmp/o"
rc_is $? 0 "outbox"
expect "$tmp/o" "part 1: delivered  modem gsm1 mr 12 attempts 1" "part 1 line"
expect "$tmp/o" "report 0x00 (delivered)" "delivery report shown"
expect "$tmp/o" "part 2: submitted  modem gsm1 mr 13" "part 2 line"
expect "$tmp/o" "+CMS ERROR 500 error: unknown error" "part error shown"
expect "$tmp/o" " sent " "message a is sent"
"$ctl" outbox --json >"$tmp/j"
json_ok "$tmp/j" || bad "outbox --json invalid"
[ "$(ids "$tmp/j")" = "$b $a" ] && ok "outbox newest first" || bad "outbox order"
[ "$(json_get "$tmp/j" '[(p["seq"], p["state"], p["mr"], p["report"] and p["report"]["meaning"]) for p in d[1]["parts"]]')" = \
	"[(1, 'delivered', 12, 'delivered'), (2, 'submitted', 13, None)]" ] &&
	ok "json parts of a" || { bad "json parts"; cat "$tmp/j"; }
[ "$(json_get "$tmp/j" 'd[1]["state"], d[1]["parts_delivered"], d[1]["parts_total"], d[0]["state"], d[0]["priority"], d[0]["parts"][0]["cms_error"]')" = \
	"('sent', 1, 2, 'failed', 'alert', 500)" ] && ok "json states" ||
	{ bad "json states"; cat "$tmp/j"; }
"$ctl" outbox --to '+86 138 0013 8009' --json >"$tmp/j"
[ "$(ids "$tmp/j")" = "$b" ] && ok "outbox --to" || bad "outbox --to"
"$ctl" outbox --limit 1 --since 1h --json >"$tmp/j"
[ "$(ids "$tmp/j")" = "$b" ] && ok "outbox --limit --since" || bad "outbox --limit"
"$ctl" outbox --until 1h --json >"$tmp/j"
[ "$(json_get "$tmp/j" 'len(d)')" = 0 ] && ok "outbox --until 1h empty" || bad "outbox --until"

exit $fail
