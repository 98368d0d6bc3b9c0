#!/bin/sh
# End to end (issue 10 §5): two daemons on one database, each with its own
# simulated modem answering slowly; d0 is killed with -9 in the middle of
# a batch and never restarted. Its claim must not stay claimed: d1 takes
# it over once the lease (E2E_LEASE_S, 3 s here) runs out, sends what was
# still queued, and leaves a part that d0 was handing over 'unknown'
# (never resent blindly). Checks: every message is sent or unknown; no
# part is seen twice across both simulators' sent logs; every part of a
# 'sent' message is in a log; the takeover came within the lease (+2 s
# of scheduling slack).
# Fails without leases: d0's message stays 'sending' for ever.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"
E2E_LEASE_S=${E2E_LEASE_S:-3}
export E2E_LEASE_S
e2e_init takeover "$@"

n=${E2E_OUTBOUND:-60}
lease=$E2E_LEASE_S

e2e_migrate
e2e_sim_start m0
e2e_sim_start m1
# Slow modems (every response delayed), so d0 is mid-batch when killed.
e2e_simctl m0 "set delay 150" >/dev/null || e2e_fail "simctl set delay"
e2e_simctl m1 "set delay 60" >/dev/null || e2e_fail "simctl set delay"
e2e_config d0 m0
e2e_config d1 m1
e2e_daemon_start d0
e2e_daemon_start d1
e2e_expect_modem_talk m0
e2e_expect_modem_talk m1
d0_id=$(hostname):$(cd "$E2E_TMP" && pwd -P)/d0.conf

# Every fifth message in two parts (a long text).
e2e_queue_bulk "$n" +2567751 5 T

# Kill d0 while it holds a claim, after it has sent a few parts.
d0_busy()
{
	[ "$(e2e_sim_counter m0 sent)" -ge 4 ] || return 1
	[ "$(e2e_sql "SELECT count(*) FROM outbound_messages
		     WHERE state = 'sending' AND claimed_by = '$d0_id'")" -gt 0 ]
}
e2e_wait 60 "d0 to send a few parts and hold a claim" d0_busy
e2e_daemon_kill9 d0
t_kill=$(e2e_now_ms)
held=$(e2e_sql "SELECT string_agg(m.id || ' parts ' || (SELECT string_agg(p.seq
		 || ':' || p.state, ',' ORDER BY p.seq) FROM outbound_parts p
		 WHERE p.message_id = m.id), '; ')
		FROM outbound_messages m
		WHERE m.state = 'sending' AND m.claimed_by = '$d0_id'")
e2e_log "killed d0 (-9, not restarted) holding: $held"

released()
{
	[ "$(e2e_sql "SELECT count(*) FROM outbound_messages
		     WHERE state = 'sending' AND claimed_by = '$d0_id'")" -eq 0 ]
}
e2e_wait $((lease * 4 + 10)) "d1 to take over d0's claim" released
t_take=$(e2e_now_ms)
took_ms=$((t_take - t_kill))
e2e_log "d0's claim released $took_ms ms after the kill (lease $lease s)"
grep -q "took over" "$E2E_TMP/d1.log" ||
	e2e_fail "d1 logged no takeover"

finished()
{
	[ "$(e2e_sql "SELECT count(*) FROM outbound_messages
		     WHERE state NOT IN ('sent', 'delivered', 'unknown')")" -eq 0 ]
}
e2e_wait $((n + 60)) "every message sent or unknown" finished

for s in m0 m1; do
	e2e_simctl "$s" sent | sed -n "s/^sent [0-9]* mr=[0-9]* to=\([^ ]*\) part=\([0-9/]*\) .*/$s	\1	\2/p"
done >"$E2E_TMP/sent"
total=$(e2e_count "$E2E_TMP/sent")
dup_parts=$(cut -f2,3 "$E2E_TMP/sent" | sort | uniq -d | wc -l)
# "recipient<TAB>seq/total" of every part of a message that is 'sent'.
e2e_sql "SELECT m.recipient || E'\t' || p.seq || '/' ||
		(SELECT count(*) FROM outbound_parts q WHERE q.message_id = m.id)
	 FROM outbound_messages m JOIN outbound_parts p ON p.message_id = m.id
	 WHERE m.state IN ('sent', 'delivered')" | sort >"$E2E_TMP/want"
cut -f2,3 "$E2E_TMP/sent" | sed 's|/1$|/1|' | sort -u >"$E2E_TMP/got"
# a single-part message is logged part=1/1
missing=$(comm -23 "$E2E_TMP/want" "$E2E_TMP/got" | wc -l)
unknown=$(e2e_sql "SELECT count(*) FROM outbound_messages WHERE state = 'unknown'")
sent=$(e2e_sql "SELECT count(*) FROM outbound_messages WHERE state IN ('sent', 'delivered')")
resent_unknown=$(e2e_sql "SELECT count(*) FROM outbound_parts
		 WHERE state = 'unknown' AND attempts > 1")
e2e_log "$n messages: $sent sent, $unknown unknown; $total parts in the sent logs (m0 $(grep -c '^m0	' "$E2E_TMP/sent"), m1 $(grep -c '^m1	' "$E2E_TMP/sent")); sent twice $dup_parts, missing $missing; takeover after $took_ms ms"
ok=1
[ $((sent + unknown)) -eq "$n" ] || ok=0
[ "$dup_parts" -eq 0 ] || { ok=0; cut -f2,3 "$E2E_TMP/sent" | sort | uniq -d | head -5 | sed 's/^/  twice: /' >&2; }
[ "$missing" -eq 0 ] || { ok=0; comm -23 "$E2E_TMP/want" "$E2E_TMP/got" | head -5 | sed 's/^/  missing: /' >&2; }
[ "$resent_unknown" -eq 0 ] || ok=0
[ $ok = 1 ] || e2e_fail "not every message was sent exactly once or marked unknown"
[ "$took_ms" -le $((lease * 1000 + 2000)) ] ||
	e2e_fail "takeover took $took_ms ms, more than the lease ($lease s) + 2 s"
e2e_daemon_stop d1
e2e_log "PASS in $(e2e_elapsed) s"
