#!/bin/sh
# End to end, the rules handler (issue 7): PostgreSQL + modemsim +
# fieldgated with the shipped Chinese rules file.
#   - a daily report -> a typed reports row (fields jsonb, period, rules
#     hash, inbound link) and a receipt carrying its reference;
#   - a malformed one -> the precise error (the reply `fieldgatectl rules
#     test` predicts), no report;
#   - an unknown sender -> stored, no report, no reply;
#   - 帮助 -> the list of codes;
#   - exactly one reply per message, also across a restart.
# Expected replies come from `fieldgatectl rules test` (same engine, same
# file), so the test checks the daemon's plumbing, not the wording.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
FIELDGATECTL="$top_builddir/gateway/fieldgatectl"
R=$T/rules.conf
cp "$top_srcdir/docs/examples/rules.zh.conf" "$R" || fail "no shipped rules"

admin=+8613900000001 sup=+8613900000002 rep=+8613900000003
stranger=+8613700000000
sim_start
gw_config "rules_file = \"$R\";"
"$FIELDGATED" -t -f "$T/fieldgated.conf" >"$T/check.out" 2>&1 ||
	{ cat "$T/check.out"; fail "fieldgated -t refuses the shipped rules"; }
grep -q "configuration OK" "$T/check.out" || fail "-t did not say OK"
# -t checks the rules file: a missing one and a broken one are errors.
sed "s|$R|$T/nonexistent.conf|" "$T/fieldgated.conf" >"$T/missing.conf"
"$FIELDGATED" -t -f "$T/missing.conf" >"$T/check.out" 2>&1
[ $? = 2 ] || fail "-t accepted a missing rules file"
grep -q "nonexistent.conf" "$T/check.out" || fail "-t did not name the missing file"
{ echo "#"; echo "forms = 3;"; } >"$T/broken.conf"
sed "s|$R|$T/broken.conf|" "$T/fieldgated.conf" >"$T/broken-gw.conf"
"$FIELDGATED" -t -f "$T/broken-gw.conf" >"$T/check.out" 2>&1
[ $? = 2 ] || fail "-t accepted a broken rules file"
grep -q "broken.conf:2:" "$T/check.out" || fail "-t did not give file:line: $(cat "$T/check.out")"
gw_start
q "INSERT INTO people (phone, name, role) VALUES ('$admin', '管理员', 'admin')"
q "INSERT INTO people (phone, name, role, supervisor_id) VALUES
	('$sup', '赵主管', 'supervisor', (SELECT id FROM people WHERE phone = '$admin'))"
q "INSERT INTO people (phone, name, role, supervisor_id) VALUES
	('$rep', '王芳', 'rep', (SELECT id FROM people WHERE phone = '$sup'))"

# predict FROM TEXT: the reply the rules give, sender looked up in the DB.
predict() {
	"$FIELDGATECTL" --db "$FIELDGATE_TEST_CONNINFO" rules test --rules "$R" \
		--json "$1" "$2" >"$T/predict.json" 2>"$T/predict.err" ||
		{ cat "$T/predict.err"; fail "rules test $2"; }
	jq -r '.reply // ""' "$T/predict.json"
}
# the body of the ack queued for the message FROM/TEXT
ack_of() {
	q "SELECT o.body FROM outbound_messages o JOIN inbound_messages i
		ON i.id = o.in_reply_to WHERE i.sender = '$1' AND i.body = '$2'
		AND o.kind = 'ack'"
}
handled() { # sender text
	[ "$(q "SELECT state FROM inbound_messages WHERE sender = '$1'
		AND body = '$2'")" != stored ] &&
	[ -n "$(q "SELECT state FROM inbound_messages WHERE sender = '$1'
		AND body = '$2'")" ]
}
send_and_wait() { # from text
	sim inject from="$1" enc=ucs2 "text=$2" >/dev/null || fail "inject $2"
	wait_for 15 handled "$1" "$2" || fail "'$2' from $1 not handled"
}
sms_to() { sim sent | grep -F "to=$1 " | sed -n 's/.* text=//p'; }

# 1. A daily report.
daily='日报120 3500 8'
want=$(predict "$rep" "$daily")
[ -n "$want" ] || fail "rules test predicts no receipt for '$daily'"
send_and_wait "$rep" "$daily"
row=$(q "SELECT r.ref || '|' || r.form_id || '|' || r.status || '|' ||
	r.rules_hash || '|' || (r.inbound_id = i.id) FROM reports r
	JOIN inbound_messages i ON i.body = '$daily' AND r.inbound_id = i.id")
[ -n "$row" ] || fail "no report row for '$daily'"
ref=${row%%|*}
form=$(jq -r .form "$T/predict.json")
echo "$row" | grep -q "^$ref|$form|received|$(sha256sum "$R" | cut -c1-64)|true$" ||
	fail "report row wrong: $row (want form $form, the file's sha256)"
# typed fields: every field rules test saw, with the same value
for f in $(jq -r '.fields | to_entries[] | select(.value != null) | .key' "$T/predict.json"); do
	w=$(jq -r ".fields[\"$f\"] | tostring" "$T/predict.json")
	g=$(q "SELECT fields->>'$f' FROM reports WHERE ref = '$ref'")
	[ "$w" = "$g" ] || fail "field $f stored as '$g', rules test says '$w'"
done
got=$(ack_of "$rep" "$daily")
echo "$got" | grep -qF "$ref" || fail "receipt '$got' lacks the reference $ref"
[ "$got" = "$(echo "$want" | sed "s/$(jq -r '.ref // "-"' "$T/predict.json")/$ref/")" ] ||
	fail "receipt '$got', rules test said '$want'"
wait_for 10 sh -c "sim_sent() { \"$SIMCTL\" \"$T/sim.ctl\" sent; }; sim_sent | grep -qF '$ref'" ||
	fail "receipt not sent by the modem"

# 2. A malformed one: the precise error, no report.
bad='日报120'
want=$(predict "$rep" "$bad")
[ "$(jq -r .outcome "$T/predict.json")" = error ] || fail "'$bad' is not an error"
send_and_wait "$rep" "$bad"
[ "$(ack_of "$rep" "$bad")" = "$want" ] ||
	fail "error reply '$(ack_of "$rep" "$bad")', want '$want'"
[ "$(q "SELECT count(*) FROM reports")" = 1 ] || fail "malformed report stored"

# 3. An unknown sender: stored, no report, no reply.
send_and_wait "$stranger" "$daily"
[ "$(q "SELECT state FROM inbound_messages WHERE sender = '$stranger'")" = ignored ] ||
	fail "unknown sender's message not 'ignored'"
[ "$(q "SELECT count(*) FROM outbound_messages WHERE recipient = '$stranger'")" = 0 ] ||
	fail "unknown sender got a reply"
[ "$(q "SELECT count(*) FROM reports")" = 1 ] || fail "unknown sender's report stored"

# 4. 帮助: the codes this rep may use.
want=$(predict "$rep" 帮助)
[ "$(jq -r .outcome "$T/predict.json")" = help ] || fail "帮助 is not help"
send_and_wait "$rep" 帮助
[ "$(ack_of "$rep" 帮助)" = "$want" ] || fail "help reply '$(ack_of "$rep" 帮助)', want '$want'"

# Every reply went out once; none twice after a restart.
wait_for 15 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM outbound_messages
	WHERE state IN ('"'sent','delivered'"')")" = 3 ]' || fail "3 replies not sent"
gw_stop
gw_start
sim inject from="$rep" enc=ucs2 "text=日报130 3600 9" >/dev/null
wait_for 15 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM outbound_messages
	WHERE state IN ('"'sent','delivered'"')")" = 4 ]' || fail "reply after restart"
[ "$(sms_to "$rep" | wc -l)" = 4 ] || fail "the rep got $(sms_to "$rep" | wc -l) SMS, want 4"
[ "$(sms_to "$stranger" | wc -l)" = 0 ] || fail "the stranger got an SMS"
gw_stop
echo "e2e-rules: ok"
