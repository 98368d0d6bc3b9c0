#!/bin/sh
# End to end (issue 4, SPEC §5): the modem is unplugged in the middle of a
# flood and plugged back after E2E_UNPLUG_S (default 5) seconds - the pty
# disappears and the stable link comes back pointing at a new one, as a
# /dev/serial/by-id link does. fieldgated must keep running, find the
# modem again by itself, and lose nothing: every message stored exactly
# once, every known sender's message acknowledged (at most one repeated
# acknowledgement: the unplug is one event). Repeated E2E_UNPLUGS times
# (default 2).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"
e2e_init unplug "$@"

n=${E2E_MESSAGES:-200}
away=${E2E_UNPLUG_S:-5}
times=${E2E_UNPLUGS:-2}
reps=${E2E_REPS:-50}

e2e_migrate
e2e_people "$reps" 25677400
e2e_sim_start m0 --capacity 30
e2e_config d0 m0
e2e_daemon_start d0
e2e_expect_modem_talk m0
pid=$(e2e_daemon_pid d0)

sh "$top_srcdir/tests/e2e/gen-messages.sh" "$n" D 25677400 "$reps" "$E2E_TMP/flood"
batch=$(((n + times) / (times + 1)))
split -l "$batch" "$E2E_TMP/flood.inject" "$E2E_TMP/batch."

stored_at_least()
{
	[ "$(e2e_sql "SELECT count(*) FROM inbound_messages
		     WHERE body LIKE '%#D%'")" -ge "$1" ]
}
at_more_than() { [ "$(e2e_sim_at_commands m0)" -gt "$1" ]; }

i=0
injected=0
for b in "$E2E_TMP"/batch.*; do
	e2e_simctl m0 <"$b" >/dev/null || e2e_fail "injection refused"
	injected=$((injected + $(e2e_count "$b")))
	[ $i -ge "$times" ] && break
	i=$((i + 1))
	# Unplug while the batch is being worked on.
	e2e_wait 60 "messages of batch $i to be stored" \
		stored_at_least $((injected - batch + 1))
	e2e_simctl m0 unplug >/dev/null || e2e_fail "unplug refused"
	e2e_log "t=$(e2e_elapsed)s unplugged ($i/$times), SIM $(e2e_sim_counter m0 stored-SM)/30"
	# Away this long on purpose: the outage is the fault under test.
	sleep "$away"
	e2e_daemon_alive d0 || e2e_fail "fieldgated exited while the modem was away"
	at=$(e2e_sim_at_commands m0)
	e2e_simctl m0 replug >/dev/null || e2e_fail "replug refused"
	e2e_log "t=$(e2e_elapsed)s plugged back in"
	e2e_wait 30 "fieldgated to talk to the replugged modem" at_more_than "$at"
	e2e_log "t=$(e2e_elapsed)s fieldgated talks to the modem again"
done

e2e_wait "${E2E_TIMEOUT:-120}" "all $n messages stored and acknowledged after $i unplugs" \
	e2e_flood_done "$E2E_TMP/flood.expect" D m0
[ "$(e2e_daemon_pid d0)" = "$pid" ] && e2e_daemon_alive d0 ||
	e2e_fail "fieldgated did not survive the unplugs"
e2e_check_flood "$E2E_TMP/flood.expect" D "$i" m0
e2e_log "$i unplugs of ${away}s survived by pid $pid; repeated acknowledgements $E2E_ACK_REPEATS"
e2e_daemon_stop d0
e2e_log "PASS in $(e2e_elapsed) s"
