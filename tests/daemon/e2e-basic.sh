#!/bin/sh
# End to end, basic (issue 4): PostgreSQL + modemsim + fieldgated.
# A known rep sends a Chinese SMS and a 3-part SMS delivered out of order
# (one part twice); an unknown number and an operator short code send one
# each. Every message is stored exactly once, the rep gets exactly one
# acknowledgement per message, nobody else gets anything, and everything
# is deleted from the SIM only after it was committed.
# Run by make check inside tests/pg/with-pg.sh (e2e-basic.pg wrapper).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

sim_start
gw_config
gw_start
q "INSERT INTO people (phone, name, role) VALUES
	('+8613912345678', '王芳', 'rep')" || fail "cannot add a person"

long='今天拜访了三家门店，其中两家已经下单，第三家需要下周再跟进。库存方面，A产品剩余十二箱，B产品剩余五箱，请尽快安排补货。另外客户反映包装有破损，需要质检部门关注。'
sim inject from=+8613912345678 enc=ucs2 text=日报 120 箱 >/dev/null ||
	fail "inject 1"
sim inject from=+8613912345678 enc=ucs2 parts=3 order=3,1,2 dup=2 \
	"text=$long" >/dev/null || fail "inject 2"
sim inject from=+8613700000000 text=who is this >/dev/null || fail "inject 3"
sim inject from=10086 enc=ucs2 text=您的余额为 5 元 >/dev/null ||
	fail "inject 4"

wait_for 15 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM inbound_messages
	WHERE state <> '"'stored'"'")" = 4 ]' ||
	fail "4 messages not stored and handled"
wait_for 15 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM outbound_messages
	WHERE state IN ('"'sent','delivered'"')")" = 2 ]' ||
	fail "2 acks not sent"

# Exactly once each, with the right text.
n=$(q "SELECT count(*) FROM inbound_messages WHERE sender = '+8613912345678'
	AND body = '日报 120 箱'")
[ "$n" = 1 ] || fail "single Chinese message stored $n times"
n=$(q "SELECT count(*) FROM inbound_messages WHERE kind = 'assembled'
	AND body = '$long' AND NOT partial AND part_count = 3")
[ "$n" = 1 ] || fail "3-part message stored $n times"
n=$(q "SELECT count(*) FROM inbound_parts")
[ "$n" = 3 ] || fail "expected 3 stored parts (one duplicate absorbed), got $n"
n=$(q "SELECT count(*) FROM inbound_messages")
[ "$n" = 4 ] || fail "expected 4 inbound messages, got $n"
[ "$(q "SELECT state FROM inbound_messages WHERE sender = '10086'")" = \
	ignored ] || fail "short code not marked ignored"

# The acks: exactly one per message from the rep, none for the others.
id1=$(q "SELECT id FROM inbound_messages WHERE body = '日报 120 箱'")
id2=$(q "SELECT id FROM inbound_messages WHERE kind = 'assembled'")
[ "$(sent_count +8613912345678 "text=已收到 #$id1")" = 1 ] ||
	fail "no single ack for message $id1"
[ "$(sent_count +8613912345678 "text=已收到 #$id2")" = 1 ] ||
	fail "no single ack for message $id2"
[ "$(sim sent | grep -c '^sent ')" = 2 ] || fail "more than 2 SMS sent"
[ "$(q "SELECT count(*) FROM outbound_messages WHERE kind = 'ack'
	AND in_reply_to IN ($id1, $id2)")" = 2 ] || fail "ack rows wrong"

# Nothing left on the SIM, each PDU deleted once (7 PDUs incl. the dup).
sim counters | grep -q '^stored SM 0/' || fail "messages left on the SIM"
[ "$(sim counters | sed -n 's/^count +CMGD //p')" = 7 ] ||
	fail "expected 7 deletes (7 PDUs)"

# The shutdown summary counts messages, then what they came in as.
gw_stop
grep -q 'inbound: 4 new messages (3 single-part, 1 assembled from 3 parts), 1 duplicate reads ignored, 0 left on the modem' "$T/gw.log" ||
	fail "shutdown summary: $(grep 'inbound: ' "$T/gw.log")"

# Restart: nothing is stored or acknowledged twice.
gw_start
sim inject from=+8613912345678 enc=ucs2 text=第二天 >/dev/null
wait_for 10 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM outbound_messages
	WHERE state IN ('"'sent','delivered'"')")" = 3 ]' ||
	fail "ack after restart not sent"
[ "$(q "SELECT count(*) FROM inbound_messages")" = 5 ] ||
	fail "restart duplicated messages"
[ "$(sim sent | grep -c '^sent ')" = 3 ] || fail "restart repeated an ack"
gw_stop

# A database migrated by a newer fieldgate: the daemon refuses to run.
q "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')"
"$FIELDGATED" -F -f "$T/fieldgated.conf" >"$T/newer.log" 2>&1 &
gw_pid=$!
wait "$gw_pid"
rc=$?
gw_pid=""
[ $rc = 1 ] || fail "exit status $rc against a newer schema (wanted 1)"
grep -q "cannot run: .*9999.*newer" "$T/newer.log" ||
	fail "no clear message about the newer schema: $(cat "$T/newer.log")"
echo "ok: 4 messages stored once, 2 acks to the rep only, SIM emptied"
