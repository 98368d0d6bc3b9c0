#!/bin/sh
# fieldgatectl ussd: queued through the database, answered by a fake daemon
# (this script, doing what docs/DATABASE.md says a daemon does: claim the
# row, write the reply, NOTIFY fieldgate_ussd_done with the id). Also the
# timeout path, --id, a failed request and an unknown modem.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }
sql "INSERT INTO modem_status (modem) VALUES ('gsm1')"

now_ms() { date +%s%3N; }

# claim: wait (bounded, 10 s) for a queued request and claim it like
# db_ussd_claim(); prints the id.
claim() {
	n=0
	while [ $n -lt 100 ]; do
		id=$(sql "WITH c AS (SELECT id FROM ussd_requests
			WHERE state = 'queued' ORDER BY id LIMIT 1
			FOR UPDATE SKIP LOCKED)
			UPDATE ussd_requests u SET state = 'running',
			claimed_by = 'fake', ran_on_modem = 'gsm1',
			started_at = now() FROM c WHERE u.id = c.id
			RETURNING u.id")
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
# finish ID STATE REPLY ERROR [notify]: like db_ussd_finish()
finish() {
	sql "WITH u AS (UPDATE ussd_requests SET state = '$2',
		reply = NULLIF('$3', ''), reply_dcs = 72, session_status = 0,
		error = NULLIF('$4', ''), finished_at = now()
		WHERE id = $1 AND state = 'running' RETURNING id)
		SELECT pg_notify('fieldgate_ussd_done', id::text) FROM u" >/dev/null
}

# 1. The daemon answers: the reply is printed, woken by the NOTIFY (well
#    before the 20 s timeout, which would otherwise be the only wake-up).
( id=$(claim) && echo "$id" >"$tmp/id1" && sleep 0.3 &&
	finish "$id" done '余额 12.50 元, 有效期至 2027-01-01' '' ) &
fake=$!
t0=$(now_ms)
"$ctl" ussd --modem gsm1 --timeout 20 '*100#' >"$tmp/o" 2>"$tmp/e"
rc=$?
t1=$(now_ms)
wait $fake || bad "fake daemon found no request"
rc_is $rc 0 "ussd answered"
[ "$(cat "$tmp/o")" = '余额 12.50 元, 有效期至 2027-01-01' ] && ok "reply printed" ||
	{ bad "reply:"; cat "$tmp/o" "$tmp/e"; }
[ $((t1 - t0)) -lt 10000 ] && ok "woken by NOTIFY ($((t1 - t0)) ms)" ||
	bad "took $((t1 - t0)) ms: NOTIFY not seen?"
id1=$(cat "$tmp/id1")
[ "$(sql "SELECT code, modem FROM ussd_requests WHERE id = $id1")" = '*100#|gsm1' ] &&
	ok "request row: code and modem" || bad "request row"

# 2. --json.
( id=$(claim) && finish "$id" done 'Balance: 3.00' '' ) &
fake=$!
"$ctl" ussd --json --timeout 20 '*101#' >"$tmp/j" 2>"$tmp/e"
rc_is $? 0 "ussd --json"
wait $fake
json_ok "$tmp/j" || bad "ussd --json invalid"
[ "$(json_get "$tmp/j" 'd["state"], d["reply"], d["code"], d["session_status"]')" = \
	"('done', 'Balance: 3.00', '*101#', 0)" ] && ok "json reply" ||
	{ bad "json reply"; cat "$tmp/j"; }

# 3. Timeout: nobody answers; the id is given and the request stays queued.
"$ctl" ussd --timeout 1 '*102#' >"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "ussd timeout"
one_line "$tmp/e" "one line (timeout)"
expect "$tmp/e" "no reply within 1 s" "timeout said"
expect "$tmp/e" "the daemon may still answer" "may still answer said"
tid=$(sql "SELECT id FROM ussd_requests WHERE code = '*102#'")
expect "$tmp/e" "request $tid is still queued" "request id given"
[ -s "$tmp/o" ] && bad "timeout wrote stdout"
#    ... the daemon answers later: --id shows it.
id=$(claim) && finish "$id" done 'late reply' ''
"$ctl" ussd --id "$tid" --timeout 5 >"$tmp/o" 2>"$tmp/e"
rc_is $? 0 "ussd --id after a late answer"
[ "$(cat "$tmp/o")" = 'late reply' ] && ok "late reply printed" || bad "late reply"
"$ctl" ussd --id 99999 --timeout 1 >/dev/null 2>"$tmp/e"
rc_is $? 1 "ussd --id unknown"
expect "$tmp/e" "no USSD request 99999" "unknown id said"

# 4. The daemon reports a failure.
( id=$(claim) && finish "$id" failed '' 'network rejected the request' ) &
fake=$!
"$ctl" ussd --timeout 20 '*103#' >"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "failed request"
wait $fake
expect "$tmp/e" "failed: network rejected the request" "failure reason printed"

# 5. A reply written without the NOTIFY is still found, at the deadline.
( id=$(claim) && sql "UPDATE ussd_requests SET state = 'done',
	reply = 'quiet', finished_at = now() WHERE id = $id" >/dev/null ) &
fake=$!
"$ctl" ussd --timeout 2 '*104#' >"$tmp/o" 2>"$tmp/e"
rc_is $? 0 "reply without NOTIFY"
wait $fake
[ "$(cat "$tmp/o")" = quiet ] && ok "found by the last look" || bad "quiet reply"

# 6. Unknown modem: nothing queued.
n0=$(sql 'SELECT count(*) FROM ussd_requests')
"$ctl" ussd --modem gsm9 '*100#' >/dev/null 2>"$tmp/e"
rc_is $? 1 "unknown modem"
one_line "$tmp/e" "one line (unknown modem)"
expect "$tmp/e" "unknown modem 'gsm9' (known: gsm1)" "unknown modem named"
[ "$(sql 'SELECT count(*) FROM ussd_requests')" = "$n0" ] &&
	ok "nothing queued" || bad "queued for an unknown modem"

exit $fail
