#!/bin/sh
# Several modems in one daemon (SPEC §6): both receive; a message queued
# for a modem that is down is sent through the healthy one; when the
# unplugged modem is back (same by-id style link), it receives again and
# nothing it held is lost.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

sim_start
"$MODEMSIM" --link "$T/modem1" --control "$T/sim1.ctl" >"$T/sim1.out" \
	2>"$T/sim1.err" &
sim1_pid=$!
trap 'kill -TERM $sim1_pid 2>/dev/null; wait $sim1_pid 2>/dev/null; cleanup' EXIT
wait_for 10 test -S "$T/sim1.ctl" || fail "second modemsim did not start"
sim1() { "$SIMCTL" "$T/sim1.ctl" "$*"; }

gw_config
sed -i "s|^} );|}, { name = \"sim1\"; device = \"tty:$T/modem1\"; send_rate = 600; } );|" \
	"$T/fieldgated.conf"
gw_start
wait_for 20 grep -q "modem=sim1 ready" "$T/gw.log" || fail "sim1 not ready"
q "INSERT INTO people (phone, name, role) VALUES ('+8613977770000', '周', 'rep')" ||
	fail "cannot add a person"

# Both modems receive.
sim inject from=+8613977770000 text=via sim0 >/dev/null
sim1 inject from=+8613977770000 text=via sim1 >/dev/null
wait_for 10 sh -c "[ \"\$(psql -qAt -c \"SELECT count(*) FROM inbound_messages WHERE (modem, body) IN (('sim0', 'via sim0'), ('sim1', 'via sim1'))\")\" = 2 ]" ||
	fail "messages of both modems not stored with their modem"

# sim1 unplugged: a message requested for it goes out through sim0.
sim1 unplug >/dev/null
wait_for 10 grep -q "modem=sim1 down" "$T/gw.log" || fail "sim1 not seen down"
sim1 inject from=+8613977770000 text=while unplugged >/dev/null
id=$(q "INSERT INTO outbound_messages (recipient, body, requested_modem)
	VALUES ('+8613977771111', 'failover', 'sim1') RETURNING id")
wait_for 10 sh -c "[ \"\$(psql -qAt -c \"SELECT state FROM outbound_messages WHERE id = $id\")\" != queued ]" ||
	fail "message $id for the down modem not taken by another"
wait_for 5 sh -c "\"$SIMCTL\" \"$T/sim.ctl\" sent | grep -q 'to=+8613977771111 '" ||
	fail "message $id not sent through sim0"
[ "$(q "SELECT modem FROM outbound_parts WHERE message_id = $id")" = sim0 ] ||
	fail "part of message $id not recorded on sim0"

# Replugged: the message that waited in the network arrives, once.
sim1 replug >/dev/null
wait_for 20 sh -c "[ \"\$(psql -qAt -c \"SELECT count(*) FROM inbound_messages WHERE body = 'while unplugged'\")\" = 1 ]" ||
	fail "message sent while sim1 was unplugged not stored after the replug"
[ "$(q "SELECT count(*) FROM inbound_messages")" = 3 ] ||
	fail "expected 3 inbound messages"
gw_stop
echo "ok: two modems receive; failover of a queued message; replug"
