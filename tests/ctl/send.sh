#!/bin/sh
# fieldgatectl send: the queued row (kind, priority, modem), the NOTIFY a
# listening daemon gets, the multipart warning, unknown modems, and the
# connection through -f CONFIG and FIELDGATE_DB.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }

# 1. A listener (standing in for the daemon) sees fieldgate_outbound once
#    the send commits. psql prints notifications after its next query.
psql -X -qAt -v ON_ERROR_STOP=1 >"$tmp/listen" 2>&1 <<EOF
LISTEN fieldgate_outbound;
SELECT 'before';
\! "$ctl" send '+86 138 0013 8000' '明天上午九点开会' >"$tmp/id" 2>"$tmp/send.err"
SELECT 'after';
SELECT pg_sleep(0.3);
SELECT 'end';
EOF
rc_is $? 0 "psql listener session"
id=$(cat "$tmp/id")
case "$id" in [0-9]*) ok "send printed id $id" ;; *) bad "send printed '$id'"; cat "$tmp/send.err" ;; esac
[ -s "$tmp/send.err" ] && { bad "single SMS warned:"; cat "$tmp/send.err"; }
awk '/^before$/ { exit } { print }' "$tmp/listen" | grep -q 'Asynchronous notification' &&
	bad "notification before the send"
sed -n '/^before$/,$p' "$tmp/listen" |
	grep -q 'Asynchronous notification "fieldgate_outbound" received' &&
	ok "NOTIFY fieldgate_outbound observed after send" ||
	{ bad "no NOTIFY observed:"; cat "$tmp/listen"; }
[ "$(sql "SELECT recipient, body, kind, priority, state, requested_modem IS NULL FROM outbound_messages WHERE id = $id")" = \
	'+8613800138000|明天上午九点开会|manual|2|queued|t' ] &&
	ok "row: recipient normalized, kind manual, priority normal" ||
	bad "row: $(sql "SELECT * FROM outbound_messages WHERE id = $id")"

# 2. Priorities.
for p in ack:0 alert:1 normal:2 bulk:3; do
	i=$("$ctl" send --priority "${p%:*}" +8613800138001 "p ${p%:*}") ||
		bad "send --priority ${p%:*}"
	[ "$(sql "SELECT priority FROM outbound_messages WHERE id = $i")" = "${p#*:}" ] &&
		ok "--priority ${p%:*} stored as ${p#*:}" || bad "--priority ${p%:*}"
done

# 3. Multipart: a warning on stderr, the text stored whole; --json.
long=$(printf '%0200d' 0)
"$ctl" send --json +8613800138002 "$long" >"$tmp/j" 2>"$tmp/e"
rc_is $? 0 "long send"
expect "$tmp/e" "warning: the text needs 2 SMS" "multipart warning"
json_ok "$tmp/j" || bad "send --json invalid"
i=$(json_get "$tmp/j" 'd["id"]')
[ "$(json_get "$tmp/j" 'd["parts"]')" = 2 ] && ok "json parts 2" || bad "json parts"
[ "$(sql "SELECT length(body) FROM outbound_messages WHERE id = $i")" = 200 ] &&
	ok "whole text stored" || bad "stored text"
"$ctl" send +8613800138002 "$(printf '你好%.0s' $(seq 40))" >/dev/null 2>"$tmp/e"
expect "$tmp/e" "needs 2 SMS (ucs2" "UCS-2 multipart warning"

# 4. --modem: unknown is refused; known from modem_status or -f config.
n0=$(sql 'SELECT count(*) FROM outbound_messages')
"$ctl" send --modem nosuch +8613800138003 hi >/dev/null 2>"$tmp/e"
rc_is $? 1 "unknown modem"
one_line "$tmp/e" "one line (unknown modem)"
expect "$tmp/e" "unknown modem 'nosuch'" "unknown modem named"
sql "INSERT INTO modem_status (modem, imsi) VALUES ('gsm1', '460001234567890')"
"$ctl" send --modem nosuch +8613800138003 hi >/dev/null 2>"$tmp/e"
expect "$tmp/e" "(known: gsm1)" "known modems listed"
[ "$(sql 'SELECT count(*) FROM outbound_messages')" = "$n0" ] &&
	ok "nothing queued for an unknown modem" || bad "queued anyway"
i=$("$ctl" send --modem gsm1 +8613800138003 hi) || bad "send --modem gsm1"
[ "$(sql "SELECT requested_modem FROM outbound_messages WHERE id = $i")" = gsm1 ] &&
	ok "requested_modem stored" || bad "requested_modem"

cat >"$tmp/gw.conf" <<EOC
database = { conninfo = "$FIELDGATE_TEST_CONNINFO"; };
modems = ( { name = "cfgmodem"; device = "tty:/dev/pts/5"; } );
EOC
i=$(env -u PGHOST -u PGPORT -u PGDATABASE "$ctl" -f "$tmp/gw.conf" send \
	--modem cfgmodem +8613800138004 "via config") ||
	bad "send -f CONFIG --modem from the config"
[ "$(sql "SELECT requested_modem, body FROM outbound_messages WHERE id = $i")" = 'cfgmodem|via config' ] &&
	ok "-f CONFIG: conninfo and modem names from the config" || bad "-f row"
env -u PGHOST -u PGPORT -u PGDATABASE "$ctl" -f "$tmp/gw.conf" send \
	--modem gsm9 +8613800138004 x >/dev/null 2>"$tmp/e"
rc_is $? 1 "-f CONFIG: unknown modem"
expect "$tmp/e" "unknown modem 'gsm9' (known: gsm1, cfgmodem)" "db and config names listed"
i=$(env -u PGHOST -u PGPORT -u PGDATABASE \
	FIELDGATE_DB="$FIELDGATE_TEST_CONNINFO" "$ctl" send +8613800138005 env) ||
	bad "send via FIELDGATE_DB"
[ "$(sql "SELECT body FROM outbound_messages WHERE id = $i")" = env ] &&
	ok "FIELDGATE_DB used" || bad "FIELDGATE_DB row"

exit $fail
