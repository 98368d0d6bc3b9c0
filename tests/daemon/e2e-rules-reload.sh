#!/bin/sh
# End to end, rule reloads (issue 7): a broken file is refused on SIGHUP
# and on `fieldgatectl rules reload` (through the database): the old rules
# still answer, the refusal is logged as an error with file:line, recorded
# in rule_reloads with its reasons, and every admin gets one SMS. A good
# file with a new form is then live without a restart, recorded too, and
# new reports carry the new file's hash.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
FIELDGATECTL="$top_builddir/gateway/fieldgatectl"
ctl() { "$FIELDGATECTL" --db "$FIELDGATE_TEST_CONNINFO" "$@"; }
R=$T/rules.conf
shipped=$top_srcdir/docs/examples/rules.zh.conf
cp "$shipped" "$R" || fail "no shipped rules"

admin=+8613900000001 admin2=+8613900000004 rep=+8613900000003
sim_start
gw_config "rules_file = \"$R\";"
gw_start
q "INSERT INTO people (phone, name, role) VALUES ('$admin', '管理员', 'admin'),
	('$admin2', '副管理员', 'admin'), ('$rep', '王芳', 'rep')"
good_hash=$(sha256sum "$R" | cut -c1-64)

handled() {
	s=$(q "SELECT state FROM inbound_messages WHERE sender = '$1' AND body = '$2'")
	[ -n "$s" ] && [ "$s" != stored ]
}
send_and_wait() {
	sim inject from="$1" enc=ucs2 "text=$2" >/dev/null || fail "inject $2"
	wait_for 15 handled "$1" "$2" || fail "'$2' not handled"
}
add_form() { # shipped file -> stdout, with a new form "patrol" (巡店 N)
	awk '{ print }
	/^forms = \($/ {
		print "  { id = \"patrol\"; title = \"巡店\"; keywords = [\"巡店\", \"XD\"];"
		print "    roles = [\"rep\"]; syntax = \"auto\"; period = \"event\";"
		print "    fields = ( { name = \"shops\"; label = \"店数\"; type = \"int\";"
		print "                 min = 0; max = 99; } );"
		print "    reply_ok = \"巡店已收:{{shops}}家 号{{ref}}\"; },"
	}' "$1" | sed 's/可用:日报/可用:巡店 日报/g'
}
NEW_FORM_TEXT='巡店 5' NEW_FORM_ID=patrol
report_of() { # text: form and hash of its report
	q "SELECT r.form_id || ' ' || r.rules_hash FROM reports r JOIN
		inbound_messages i ON i.id = r.inbound_id WHERE i.body = '$1'"
}

# A broken file: an unknown key (the usual admin typo), on line 2.
{ echo "# broken by the test"; echo "bogus_key = 1;"; cat "$shipped"; } >"$R"
kill -HUP "$gw_pid"
wait_for 10 grep -q "refused" "$T/gw.log" || fail "no refusal logged"
grep -q "error: .*rules.conf:2:" "$T/gw.log" ||
	fail "the refusal does not name rules.conf:2 as an error"
wait_for 10 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM rule_reloads
	WHERE NOT ok")" = 1 ]' || fail "refusal not recorded in rule_reloads"
q "SELECT errors FROM rule_reloads WHERE NOT ok" | grep -q "rules.conf:2:" ||
	fail "rule_reloads.errors lacks the reason"
wait_for 10 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM outbound_messages
	WHERE kind = '"'rules_refused'"' AND state IN ('"'sent','delivered'"')")" = 2 ]' ||
	fail "the two admins did not get the refusal SMS"
[ "$(q "SELECT count(*) FROM outbound_messages WHERE kind = 'rules_refused'
	AND recipient = '$rep'")" = 0 ] || fail "a rep got the refusal"

# The old rules still answer.
send_and_wait "$rep" "日报120 3500 8"
[ "$(report_of '日报120 3500 8')" = "daily $good_hash" ] ||
	fail "after the refusal: report '$(report_of '日报120 3500 8')', want the old rules"

# Through the database: refused again, ctl says so and exits 1.
ctl rules reload --wait 10 >"$T/reload.out" 2>&1
rc=$?
[ $rc = 1 ] || { cat "$T/reload.out"; fail "rules reload of a broken file exited $rc"; }
grep -q REFUSED "$T/reload.out" || fail "rules reload did not say REFUSED"
[ "$(q "SELECT count(*) FROM rule_reloads WHERE NOT ok AND request_id IS NOT NULL")" = 1 ] ||
	fail "the request's refusal not recorded with its request id"

# A good file with a new form: live without a restart.
add_form "$shipped" >"$R" || fail "cannot write the new rules"
new_hash=$(sha256sum "$R" | cut -c1-64)
pid_before=$gw_pid
ctl rules reload --wait 10 >"$T/reload.out" 2>&1 ||
	{ cat "$T/reload.out"; fail "rules reload of a good file failed"; }
grep -q "reloaded" "$T/reload.out" || fail "rules reload did not say reloaded"
[ "$(q "SELECT count(*) FROM rule_reloads WHERE ok AND sha256 = '$new_hash'")" = 1 ] ||
	fail "the good reload not recorded"
send_and_wait "$rep" "$NEW_FORM_TEXT"
[ "$(report_of "$NEW_FORM_TEXT")" = "$NEW_FORM_ID $new_hash" ] ||
	fail "new form: report '$(report_of "$NEW_FORM_TEXT")', want '$NEW_FORM_ID $new_hash'"
[ "$gw_pid" = "$pid_before" ] && kill -0 "$gw_pid" || fail "the daemon restarted"
gw_stop
echo "e2e-rules-reload: ok"
