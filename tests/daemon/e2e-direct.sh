#!/bin/sh
# Direct delivery (+CMT, acknowledged with AT+CNMA; TS 27.005 §3.4.1):
# each PDU is acknowledged only after its row is committed. While the
# database is down nothing is acknowledged, so the network delivers the
# message again; after the reconnect it is stored exactly once.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"


rep=+8613966660000
sim_start --cnma-timeout 1000
# No status reports: the simulator would send a +CDS while a +CMT still
# awaits its +CNMA (TS 27.005 §3.4.1 forbids it), and the +CNMA for that
# report would then acknowledge the +CMT too.
sim set status-reports 0 >/dev/null
gw_config
sed -i 's/send_rate = 600;/send_rate = 600; delivery = "direct";/' \
	"$T/fieldgated.conf"
gw_start
q "INSERT INTO people (phone, name, role) VALUES ('$rep', '韩梅梅', 'rep')" ||
	fail "cannot add a person"
count() { q "SELECT count(*) FROM inbound_messages"; }
is_count() { [ "$(count)" = "$1" ]; }

sim inject from=$rep enc=ucs2 text=直接送达 >/dev/null
sim inject from=$rep enc=ucs2 parts=2 order=2,1 \
	text=直接送达的两部分消息，第二部分先到，第一部分后到，总共要超过七十个字符才能拆成两部分，所以再写几个字。 \
	>/dev/null
wait_for 10 is_count 2 || fail "direct messages not stored ($(count))"
[ "$(sim counters | sed -n 's/^count +CNMA //p')" -ge 3 ] ||
	fail "the 3 PDUs were not acknowledged with +CNMA"

acks() {
	q "SELECT count(*) FROM outbound_messages WHERE state IN ('sent',
		'delivered')"
}
is_acks() { [ "$(acks)" = "$1" ]; }
wait_for 10 is_acks 2 || fail "2 acks not sent ($(acks))"

# Database down: the +CMT is not acknowledged, the network re-delivers.
pg -m fast -w stop || fail "cannot stop PostgreSQL"
sim inject from=$rep enc=ucs2 text=停库期间 >/dev/null
wait_for 10 sh -c "\"$SIMCTL\" \"$T/sim.ctl\" counters | grep -q '^count cmt-redelivered [1-9]'" ||
	fail "the unacknowledged +CMT was not re-delivered"
pg -l "$PGHOST/server.log" -w start || fail "cannot restart PostgreSQL"
wait_for 20 is_count 3 || fail "message not stored after the outage ($(count))"
wait_for 10 is_acks 3 || fail "not 3 acks sent ($(acks))"
[ "$(q "SELECT count(*) FROM inbound_messages WHERE body = '停库期间'")" = 1 ] ||
	fail "re-delivered message stored more than once"
[ "$(sim sent | grep -c '^sent ')" = 3 ] || fail "acks sent more than once"
gw_stop
echo "ok: direct delivery acked after commit; re-delivered during outage, stored once"
