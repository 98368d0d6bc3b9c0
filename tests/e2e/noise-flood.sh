#!/bin/sh
# End to end (issue 10 item 2): a flood of E2E_MESSAGES (default 150)
# incoming messages into a 30-slot SIM with line noise: a 0xFF byte in
# every 4th +CMGR/+CMGL data line (PDU) and every 5th header, junk lines
# before responses. Nothing may hand PostgreSQL invalid UTF-8, and no
# message may wait for the periodic sweep (300 s by default, far beyond the
# deadline here): every message stored exactly once, every known sender
# acknowledged exactly once, the SIM empty.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"
e2e_init noise-flood "$@"

n=${E2E_MESSAGES:-150}
reps=${E2E_REPS:-50}

e2e_migrate
e2e_people "$reps" 25677200
e2e_sim_start m0 --capacity 30
e2e_config d0 m0
e2e_daemon_start d0
e2e_expect_modem_talk m0
e2e_simctl m0 "set noise-pdu 4" "set noise-hdr 5" "set garbage 40" >/dev/null ||
	e2e_fail "cannot set the noise faults"

sh "$top_srcdir/tests/e2e/gen-messages.sh" "$n" N 25677200 "$reps" "$E2E_TMP/flood"
pdus=$(e2e_simctl m0 <"$E2E_TMP/flood.inject" | awk '$1 == "queued" { s += $2 } END { print s + 0 }')
[ "$pdus" -gt 0 ] || e2e_fail "the simulator refused the injections"
e2e_log "injected $n messages ($pdus PDUs) into a 30-slot SIM with line noise"
e2e_wait "${E2E_TIMEOUT:-90}" "all $n messages stored and acknowledged" \
	e2e_flood_done "$E2E_TMP/flood.expect" N m0
noisy=$(e2e_sim_counter m0 noise-pdu)
[ "${noisy:-0}" -gt 0 ] || e2e_fail "no noisy PDU line was shown"
e2e_check_flood "$E2E_TMP/flood.expect" N 0 m0
if grep -q "invalid byte sequence" "$E2E_TMP"/d0*.log 2>/dev/null; then
	e2e_fail "PostgreSQL was handed invalid UTF-8"
fi
e2e_log "noisy lines: $noisy PDU, $(e2e_sim_counter m0 noise-hdr) headers"
e2e_daemon_stop d0
e2e_log "PASS in $(e2e_elapsed) s"
