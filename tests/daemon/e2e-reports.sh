#!/bin/sh
# A status report (TS 23.040 §9.2.2.3) that arrives while PostgreSQL is
# down is kept in memory and matched after the reconnect: the part ends
# 'delivered', not stuck at 'submitted'.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

sim_start
gw_config
gw_start
# The report comes 3 s after the +CMGS OK: time to stop the database.
sim set sr-delay 3000 >/dev/null || fail "sim set sr-delay"

part_state() {
	q "SELECT state FROM outbound_parts WHERE message_id = $1"
}
id=$(q "INSERT INTO outbound_messages (recipient, body) VALUES
	('+8613911110001', 'report me') RETURNING id")
wait_for 3 sh -c "[ \"\$(psql -qAt -c 'SELECT state FROM outbound_parts
	WHERE message_id = $id')\" = submitted ]" ||
	fail "message $id not submitted ($(part_state "$id"))"
pg -m fast -w stop || fail "cannot stop PostgreSQL"
wait_for 10 grep -q "status report mr=.* kept until the database is back" \
	"$T/gw.log" || fail "the status report was not kept"
kill -0 "$gw_pid" || fail "fieldgated died while the database was down"
pg -l "$PGHOST/server.log" -w start || fail "cannot restart PostgreSQL"

wait_for 40 sh -c "[ \"\$(psql -qAt -c 'SELECT state FROM outbound_parts
	WHERE message_id = $id')\" = delivered ]" ||
	fail "the kept report was not matched ($(part_state "$id"))"
[ "$(q "SELECT report_status FROM outbound_parts WHERE message_id = $id")" \
	= 0 ] || fail "TP-ST not recorded"
grep -q "status report matched after the reconnect" "$T/gw.log" ||
	fail "replay not logged"
gw_stop
echo "ok: a status report received during an outage matched after it"
