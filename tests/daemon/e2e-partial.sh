#!/bin/sh
# Incomplete and broken input (issue 4, SPEC §5, LESSONS 2): a 3-part
# message whose part 2 never comes is stored as partial, with the gap
# marked and missing_parts = {2}, once multipart.timeout_s (10 s here) has
# passed; a PDU that does not decode is stored raw with its reason, marked
# failed, and still deleted from the SIM (never dropped, never stuck).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

sim_start
gw_config
gw_start
q "INSERT INTO people (phone, name, role) VALUES ('+8613955550000', '赵', 'rep')" ||
	fail "cannot add a person"

text='第一部分的内容在这里，写得足够长以便拆分。第二部分永远不会到达，因为它丢失了。第三部分在最后，也要足够长才行。'
sim inject from=+8613955550000 enc=ucs2 parts=3 missing=2 "text=$text" \
	>/dev/null || fail "inject partial"
sim inject from=+8613955550001 corrupt=badudl text=broken >/dev/null ||
	fail "inject corrupt"

wait_for 5 sh -c "[ \"\$(psql -qAt -c 'SELECT count(*) FROM inbound_parts')\" = 2 ]" ||
	fail "the 2 parts were not stored"
# Broken PDU: stored raw, marked, deleted.
wait_for 5 sh -c "[ \"\$(psql -qAt -c \"SELECT state FROM inbound_messages WHERE decode_error IS NOT NULL\")\" = failed ]" ||
	fail "undecodable PDU not stored and marked failed"
[ -n "$(q "SELECT pdu_hex FROM inbound_messages WHERE decode_error IS NOT NULL")" ] ||
	fail "raw PDU of the undecodable message not kept"
[ "$(q "SELECT count(*) FROM inbound_messages WHERE kind = 'assembled'")" = 0 ] ||
	fail "assembled before the timeout"

# After the timeout: partial, gap marked, acknowledged like any message.
wait_for 20 sh -c "[ \"\$(psql -qAt -c \"SELECT count(*) FROM inbound_messages WHERE kind = 'assembled'\")\" = 1 ]" ||
	fail "partial message not stored after the timeout"
row=$(q "SELECT partial, missing_parts, part_count FROM inbound_messages
	WHERE kind = 'assembled'")
[ "$row" = "t|{2}|3" ] || fail "partial row wrong: $row"
q "SELECT body FROM inbound_messages WHERE kind = 'assembled'" |
	grep -qF '[…]' || fail "the gap is not marked in the text"
id=$(q "SELECT id FROM inbound_messages WHERE kind = 'assembled'")
wait_for 5 sh -c "\"$SIMCTL\" \"$T/sim.ctl\" sent | grep -qF 'text=已收到 #$id'" ||
	fail "partial message $id not acknowledged"
sim counters | grep -q '^stored SM 0/' || fail "messages left on the SIM"
gw_stop
echo "ok: partial stored after the timeout with {2} missing; raw PDU kept"
