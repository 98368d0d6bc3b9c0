#!/bin/sh
# End to end (issue 4, SPEC §5): kill -9 fieldgated at random moments
# during a flood, E2E_KILLS times (default 20), restarting it each time.
# The flood (E2E_MESSAGES, default 600) is injected in one batch per kill
# cycle so every kill lands while messages are being read, stored,
# deleted and acknowledged. Then: no message lost, none stored twice,
# every known sender's message acknowledged, at most one repeated
# acknowledgement per kill. E2E_SEED makes the kill moments repeatable.
#
# A kill between "part submitting" and the modem's answer leaves the part
# 'unknown' (SPEC §5). With resend_unknown = "with-reject-duplicates" (the
# default here, E2E_RESEND_UNKNOWN) it is resent with TP-RD, so no
# acknowledgement may be missing and each kill may cost one repeat; with
# "never" an acknowledgement may instead be missing, but only if its
# message is marked 'unknown' - either way at most one doubt per kill.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"
e2e_init kill9 "$@"
E2E_RESEND_UNKNOWN=${E2E_RESEND_UNKNOWN:-with-reject-duplicates}

n=${E2E_MESSAGES:-600}
kills=${E2E_KILLS:-20}
reps=${E2E_REPS:-50}
seed=${E2E_SEED:-$(date +%s)}
e2e_log "delivery \"${E2E_DELIVERY:-stored}\", seed $seed (E2E_SEED=$seed repeats the kill moments)"

e2e_migrate
e2e_people "$reps" 25677200
e2e_sim_start m0 --capacity 30
e2e_config d0 m0
e2e_daemon_start d0
e2e_expect_modem_talk m0

sh "$top_srcdir/tests/e2e/gen-messages.sh" "$n" B 25677200 "$reps" "$E2E_TMP/flood"
# Kill moments after each batch, from the seed, within 5..200 ms: a batch
# of 30 messages takes fieldgated ~150 ms to read, store, delete and
# acknowledge (send_rate 0), so every kill lands in the middle of it.
# With a slower E2E_SEND_RATE, E2E_KILL_MAX_MS can widen the window.
awk -v s="$seed" -v k="$kills" -v max="${E2E_KILL_MAX_MS:-200}" 'BEGIN {
	srand(s);
	for (i = 0; i < k; i++)
		printf "%.3f\n", (5 + (max - 5) * rand()) / 1000 }' \
	>"$E2E_TMP/moments"
batch=$(((n + kills - 1) / kills))
split -l "$batch" "$E2E_TMP/flood.inject" "$E2E_TMP/batch."

i=0
for b in "$E2E_TMP"/batch.*; do
	i=$((i + 1))
	e2e_simctl m0 <"$b" >/dev/null || e2e_fail "injection refused"
	moment=$(sed -n "${i}p" "$E2E_TMP/moments")
	[ -n "$moment" ] || moment=0.5
	# A random moment, on purpose: this sleep picks when to kill, it
	# does not wait for anything.
	sleep "$moment"
	e2e_daemon_alive d0 || e2e_fail "fieldgated died by itself before kill $i"
	e2e_daemon_kill9 d0
	stored=$(e2e_sql "SELECT count(*) FROM inbound_messages
			  WHERE body LIKE '%#B%'")
	e2e_log "kill $i at +${moment}s: $stored stored so far, SIM $(e2e_sim_counter m0 stored-SM)/30, network $(e2e_sim_counter m0 pending)"
	e2e_daemon_start d0
done
[ "$i" -ge "$kills" ] || e2e_fail "only $i kill cycles for $kills kills"

e2e_wait "${E2E_TIMEOUT:-120}" "all $n messages stored and acknowledged after $i kills" \
	e2e_flood_done "$E2E_TMP/flood.expect" B m0
e2e_check_flood "$E2E_TMP/flood.expect" B "$i" m0
e2e_log "$i kills (resend_unknown \"$E2E_RESEND_UNKNOWN\"): $E2E_ACK_REPEATS repeated acknowledgements, $E2E_ACK_UNKNOWN not sent and marked unknown (at most $i doubts allowed)"
unknown=$(e2e_sql "SELECT count(*) FROM outbound_parts WHERE state = 'unknown'")
e2e_log "outbound parts marked unknown: $unknown"
e2e_daemon_stop d0
e2e_log "PASS in $(e2e_elapsed) s"
