#!/bin/sh
# End to end (issue 4, SPEC §5): PostgreSQL stopped for E2E_PG_DOWN_S
# (default 10) seconds in the middle of a flood. fieldgated must keep
# running (same process), delete nothing from the SIM while the database
# is down (+CMGD count frozen), reconnect by itself, and in the end have
# stored every message exactly once and acknowledged each known sender's
# message (at most one repeated acknowledgement: the outage is one event).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"
e2e_init pg-outage "$@"

n=${E2E_MESSAGES:-200}
down=${E2E_PG_DOWN_S:-10}
reps=${E2E_REPS:-50}

e2e_migrate
e2e_people "$reps" 25677300
e2e_sim_start m0 --capacity 30
e2e_config d0 m0
e2e_daemon_start d0
e2e_expect_modem_talk m0
pid=$(e2e_daemon_pid d0)

sh "$top_srcdir/tests/e2e/gen-messages.sh" "$n" C 25677300 "$reps" "$E2E_TMP/flood"
half=$((n / 2))
head -n "$half" "$E2E_TMP/flood.inject" >"$E2E_TMP/first"
tail -n +"$((half + 1))" "$E2E_TMP/flood.inject" >"$E2E_TMP/second"

stored_some()
{
	[ "$(e2e_sql "SELECT count(*) FROM inbound_messages
		     WHERE body LIKE '%#C%'")" -ge "$1" ]
}
e2e_simctl m0 <"$E2E_TMP/first" >/dev/null || e2e_fail "injection refused"
e2e_wait 60 "the first messages to be stored" stored_some $((half / 5))

e2e_pg_stop
e2e_log "t=$(e2e_elapsed)s PostgreSQL stopped with $(e2e_sim_counter m0 stored-SM) messages on the SIM"
# Messages keep coming while the database is down.
e2e_simctl m0 <"$E2E_TMP/second" >/dev/null || e2e_fail "injection refused"
# A commit that was in flight when the server went down may still be
# followed by its delete; after 1 s nothing may be deleted any more.
sleep 1
cmgd0=$(e2e_sim_counter m0 +CMGD)
# The outage lasts this long on purpose (this sleep is the fault itself).
sleep $((down - 1))
cmgd1=$(e2e_sim_counter m0 +CMGD)
e2e_daemon_alive d0 || e2e_fail "fieldgated exited while PostgreSQL was down"
[ "$(e2e_daemon_pid d0)" = "$pid" ] || e2e_fail "fieldgated was restarted"
e2e_log "t=$(e2e_elapsed)s during the outage: AT+CMGD $cmgd0 -> $cmgd1, SIM $(e2e_sim_counter m0 stored-SM)/30, network $(e2e_sim_counter m0 pending)"
[ "$cmgd1" -eq "$cmgd0" ] ||
	e2e_fail "$((cmgd1 - cmgd0)) messages deleted from the SIM while the database was down"
e2e_pg_start
e2e_log "t=$(e2e_elapsed)s PostgreSQL started again"

e2e_wait "${E2E_TIMEOUT:-120}" "all $n messages stored and acknowledged after the outage" \
	e2e_flood_done "$E2E_TMP/flood.expect" C m0
e2e_daemon_alive d0 && [ "$(e2e_daemon_pid d0)" = "$pid" ] ||
	e2e_fail "fieldgated did not survive the outage"
e2e_check_flood "$E2E_TMP/flood.expect" C 1 m0
e2e_log "reconnected by itself (same pid $pid); repeated acknowledgements $E2E_ACK_REPEATS"
e2e_daemon_stop d0
e2e_log "PASS in $(e2e_elapsed) s"
