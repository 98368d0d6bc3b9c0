#!/bin/sh
# Parts committed, assembly not (issue 4, SPEC §5): the daemon died or the
# database went away between storing a group's last part and assembling
# it. The parts are in PostgreSQL and off the SIM, so nothing will bring
# them again; the daemon must assemble such complete groups as soon as it
# (re)connects, not after the multipart timeout (600 s here).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

sim_start
gw_config
sed -i 's/timeout_s = 10;/timeout_s = 600;/' "$T/fieldgated.conf"
gw_start
q "INSERT INTO people (phone, name, role) VALUES ('+8613966660000', '钱', 'rep')" ||
	fail "cannot add a person"

text='这是一条很长的消息，需要分成两条短信发送。第一部分先到，第二部分随后到达，网关要把它们拼起来。'
sim inject from=+8613966660000 enc=ucs2 parts=2 "text=$text" >/dev/null ||
	fail "inject"
assembled() { q "SELECT count(*) FROM inbound_messages WHERE kind = 'assembled'"; }
wait_for 10 sh -c "[ \"\$(psql -qAt -c \"SELECT count(*) FROM inbound_messages WHERE kind = 'assembled'\")\" = 1 ]" ||
	fail "the 2-part message was not assembled"
gw_stop

# Put the database back into the crash window: parts stored and linked to
# nothing, no assembled message, no acknowledgement.
id=$(q "SELECT id FROM inbound_messages WHERE kind = 'assembled'")
q "BEGIN;
DELETE FROM outbound_parts WHERE message_id IN
	(SELECT id FROM outbound_messages WHERE in_reply_to = $id);
DELETE FROM outbound_messages WHERE in_reply_to = $id;
UPDATE inbound_parts SET message_id = NULL WHERE message_id = $id;
DELETE FROM inbound_messages WHERE id = $id;
COMMIT;" >/dev/null || fail "cannot rewind the database"
[ "$(assembled)" = 0 ] || fail "rewind left an assembled message"
[ "$(q "SELECT count(*) FROM inbound_parts WHERE message_id IS NULL")" = 2 ] ||
	fail "rewind did not leave 2 waiting parts"

gw_start
wait_for 10 sh -c "[ \"\$(psql -qAt -c \"SELECT count(*) FROM inbound_messages WHERE kind = 'assembled' AND NOT partial\")\" = 1 ]" ||
	fail "complete group not assembled after reconnecting"
[ "$(q "SELECT body FROM inbound_messages WHERE kind = 'assembled'")" = "$text" ] ||
	fail "assembled text differs"
[ "$(q "SELECT count(*) FROM inbound_parts WHERE message_id IS NULL")" = 0 ] ||
	fail "parts left unlinked"
gw_stop
echo "ok: a complete group left unassembled is assembled at reconnect"
