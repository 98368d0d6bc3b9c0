#!/bin/sh
# Work queued for later, and limits that survive a restart.
# 1. A row INSERTed by another program with not_before = now() + 5 s is
#    sent when it falls due, not before, with no polling: the daemon's
#    periodic modem checks are 300 s here, so only the dispatcher's timer
#    (armed from db_outbound_next_due()) can wake it.
# 2. handler.reply_limit_per_hour and a modem's daily_cap are counted
#    from the database at start: a restart mid-limit sends no more.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

SWEEP_S=300
rep=+8613912340000
sim_start
gw_config 'handler = { reply_limit_per_hour = 2; };'
sed -i -e 's/status_interval_s = 30/status_interval_s = 300/' \
	-e 's/send_rate = 600;/send_rate = 600; daily_cap = 6;/' \
	"$T/fieldgated.conf"
gw_start

state_of() { q "SELECT state FROM outbound_messages WHERE id = $1"; }
is_state() { # id state...
	_s=$(state_of "$1"); shift
	for _w in "$@"; do [ "$_s" = "$_w" ] && return 0; done
	return 1
}

# 1. Due in 5 s: not sent before, sent within a second after.
id=$(q "INSERT INTO outbound_messages (recipient, body, not_before)
	VALUES ('+8613911110001', 'later', now() + interval '5 s')
	RETURNING id")
# Until 300 ms before it is due, it must stay queued and off the modem.
while [ "$(q "SELECT now() < not_before - interval '300 ms'
	FROM outbound_messages WHERE id = $id")" = t ]; do
	is_state "$id" queued || fail "message $id left the queue early"
	[ "$(sent_count +8613911110001 later)" = 0 ] ||
		fail "message $id sent before its not_before"
	sleep 0.2
done
wait_for 4 is_state "$id" sent delivered ||
	fail "message $id not sent after its not_before ($(state_of "$id"))"
late=$(q "SELECT extract(epoch FROM p.submitted_at - m.not_before)
	FROM outbound_parts p JOIN outbound_messages m ON m.id = p.message_id
	WHERE m.id = $id")
awk -v d="$late" 'BEGIN { exit !(d >= 0 && d < 1.5) }' ||
	fail "message $id submitted $late s after its not_before"
[ "$(sent_count +8613911110001 later)" = 1 ] || fail "not sent once"

# 2. Two reports from a rep: two acks; that is the hourly limit.
q "INSERT INTO people (phone, name, role) VALUES ('$rep', '李雷', 'rep')" ||
	fail "cannot add a person"
sim inject from=$rep enc=ucs2 text=日报 1 >/dev/null
sim inject from=$rep enc=ucs2 text=日报 2 >/dev/null
acks() { q "SELECT count(*) FROM outbound_messages WHERE kind = 'ack'"; }
wait_for 10 sh -c "[ \"\$(psql -qAt -c \"SELECT count(*) FROM outbound_messages
	WHERE kind = 'ack' AND state IN ('sent', 'delivered')\")\" = 2 ]" ||
	fail "2 acks not sent ($(acks))"

# 3 parts handed over today.  Restart: the limits are read back.
gw_stop
gw_start
sim inject from=$rep enc=ucs2 text=日报 3 >/dev/null
wait_for 10 sh -c "[ \"\$(psql -qAt -c \"SELECT count(*) FROM inbound_messages
	WHERE body = '日报 3' AND state = 'handled'\")\" = 1 ]" ||
	fail "third report not handled"
[ "$(acks)" = 2 ] || fail "a restart reset the reply limit: $(acks) acks"
grep -q "reply limit of 2 per hour reached" "$T/gw.log" ||
	fail "reply limit not logged after the restart"

# daily_cap = 6: three more parts go, the fourth waits for tomorrow.
for n in 2 3 4 5; do
	q "INSERT INTO outbound_messages (recipient, body)
		VALUES ('+861391111000$n', 'cap $n')" >/dev/null
done
wait_for 10 sh -c "[ \"\$(psql -qAt -c \"SELECT count(*) FROM outbound_messages
	WHERE body LIKE 'cap %' AND state IN ('sent', 'delivered')\")\" -ge 3 ]" ||
	fail "3 messages under the cap not sent"
wait_for 5 grep -q "daily cap of 6 parts reached" "$T/gw.log" ||
	fail "daily cap not applied after the restart"
sleep 1	# a negative check: give a wrong send the time to happen
[ "$(q "SELECT count(*) FROM outbound_messages WHERE body LIKE 'cap %'
	AND state = 'queued'")" = 1 ] ||
	fail "a restart reset the daily cap: more than 6 parts today"
[ "$(sim sent | grep -c '^sent ')" = 6 ] ||
	fail "the modem saw $(sim sent | grep -c '^sent ') parts, cap is 6"

gw_stop
echo "ok: not_before honoured by the timer (sent ${late} s after it);"
echo "    reply limit and daily cap survive a restart"
