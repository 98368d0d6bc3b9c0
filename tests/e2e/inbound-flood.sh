#!/bin/sh
# End to end (issue 4): a flood of E2E_MESSAGES (default 500) incoming
# messages - Chinese, multipart with parts out of order, unknown and
# alphanumeric senders - into a 30-slot SIM. Every message must be stored
# exactly once and every message of a known sender acknowledged exactly
# once ("已收到 #<id>"); nothing else acknowledged.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"
e2e_init inbound-flood "$@"

n=${E2E_MESSAGES:-500}
reps=${E2E_REPS:-50}

e2e_migrate
e2e_people "$reps" 25677100
e2e_sim_start m0 --capacity 30
e2e_config d0 m0
e2e_daemon_start d0
e2e_expect_modem_talk m0

sh "$top_srcdir/tests/e2e/gen-messages.sh" "$n" A 25677100 "$reps" "$E2E_TMP/flood"
t0=$(e2e_now_ms)
pdus=$(e2e_simctl m0 <"$E2E_TMP/flood.inject" | awk '$1 == "queued" { s += $2 } END { print s + 0 }')
[ "$pdus" -gt 0 ] || e2e_fail "the simulator refused the injections"
e2e_log "injected $n messages ($pdus PDUs) into a 30-slot SIM"
e2e_wait "${E2E_TIMEOUT:-120}" "all $n messages stored and acknowledged" \
	e2e_flood_done "$E2E_TMP/flood.expect" A m0
t1=$(e2e_now_ms)
e2e_log "done in $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s; AT commands $(e2e_sim_at_commands m0), +CMGS $(e2e_sim_counter m0 +CMGS)"
e2e_check_flood "$E2E_TMP/flood.expect" A 0 m0
e2e_daemon_stop d0
e2e_log "PASS in $(e2e_elapsed) s"
