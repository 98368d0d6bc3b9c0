#!/bin/sh
# PostgreSQL stopped for 10 s in the middle of a flood (SPEC §5, LESSONS 9):
# the daemon keeps running, deletes nothing it has not committed (the
# messages wait on the SIM), reconnects by itself with backoff, then
# stores every message exactly once and acknowledges each exactly once.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"


rep=+8613912340000
sim_start
gw_config
gw_start
q "INSERT INTO people (phone, name, role) VALUES ('$rep', '李雷', 'rep')" ||
	fail "cannot add a person"

inbound() { q "SELECT count(*) FROM inbound_messages"; }
acks_sent() {
	q "SELECT count(*) FROM outbound_messages WHERE kind = 'ack'
		AND state IN ('sent', 'delivered')"
}
i=1
while [ $i -le 8 ]; do
	sim inject from=$rep enc=ucs2 text=日报 第$i条 >/dev/null; i=$((i + 1))
done
wait_for 10 sh -c "[ \"\$(psql -qAt -c 'SELECT count(*) FROM inbound_messages')\" = 8 ]" ||
	fail "first 8 not stored"

# Outage: 10 s, with 8 singles and one 2-part message arriving meanwhile.
pg -m fast -w stop || fail "cannot stop PostgreSQL"
t0=$(date +%s)
while [ $i -le 16 ]; do
	sim inject from=$rep enc=ucs2 text=日报 第$i条 >/dev/null; i=$((i + 1))
done
sim inject from=$rep enc=ucs2 parts=2 order=2,1 \
	text=停电期间发送的长消息，分成两部分，顺序颠倒。第二部分在这里。 >/dev/null
wait_for 5 sh -c "\"$SIMCTL\" \"$T/sim.ctl\" counters | grep -q '^stored SM 10/'" ||
	fail "messages not kept on the SIM while the database is down"
kill -0 "$gw_pid" || fail "fieldgated died while the database was down"
while [ $(($(date +%s) - t0)) -lt 10 ]; do
	# Nothing may be deleted while nothing can be committed.
	sim counters | grep -q '^stored SM 10/' ||
		fail "a message left the SIM while the database was down"
	sleep 0.5
done
pg -l "$PGHOST/server.log" -w start || fail "cannot restart PostgreSQL"

wait_for 40 sh -c "[ \"\$(psql -qAt -c 'SELECT count(*) FROM inbound_messages')\" = 17 ]" ||
	fail "not all 17 messages stored after the outage ($(inbound))"
wait_for 10 sh -c "[ \"\$(psql -qAt -c \"SELECT count(*) FROM outbound_messages WHERE kind = 'ack' AND state IN ('sent','delivered')\")\" = 17 ]" ||
	fail "not all 17 acks sent ($(acks_sent))"
[ "$(q "SELECT count(*) FROM inbound_messages WHERE kind = 'assembled'")" = 1 ] ||
	fail "the 2-part message was not assembled once"
[ "$(sim sent | grep -c '^sent ')" = 17 ] || fail "acks sent more than once"
n=$(q "SELECT count(*) FROM (SELECT body FROM inbound_messages
	GROUP BY body HAVING count(*) > 1) d")
[ "$n" = 0 ] || fail "$n messages stored twice"
sim counters | grep -q '^stored SM 0/' || fail "messages left on the SIM"
[ "$(grep -c 'database connected' "$T/gw.log")" -ge 2 ] ||
	fail "no reconnect logged"
gw_stop
echo "ok: 10 s outage: 17 messages stored once, 17 acks, reconnected"
