#!/bin/sh
# End to end (issue 4): two fieldgated daemons, each with its own
# simulated modem, share one database. E2E_OUTBOUND (default 200) messages
# are queued with one INSERT (the trigger's NOTIFY wakes both); every one,
# each to its own recipient, Chinese, every tenth in two parts, must be
# sent exactly once in total: every part seen exactly once across both
# simulators' sent logs, the parts of a message through one modem, the
# texts equal to the queued bodies. Both daemons must have taken part.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"
e2e_init two-daemons "$@"

n=${E2E_OUTBOUND:-200}

e2e_migrate
e2e_sim_start m0
e2e_sim_start m1
e2e_config d0 m0
e2e_config d1 m1
e2e_daemon_start d0
e2e_daemon_start d1
e2e_expect_modem_talk m0
e2e_expect_modem_talk m1

t0=$(e2e_now_ms)
e2e_queue_bulk "$n" +2567750 10 E
expected_parts=$(e2e_sql "SELECT count(*) + count(*) FILTER (WHERE g % 10 = 0)
			  FROM generate_series(1, $n) g")

all_sent()
{
	[ "$(e2e_sql "SELECT count(*) FROM outbound_messages
		     WHERE state NOT IN ('sent', 'delivered')")" -eq 0 ] ||
		return 1
	[ $(($(e2e_sim_counter m0 sent) + $(e2e_sim_counter m1 sent))) \
		-ge "$expected_parts" ]
}
e2e_wait "${E2E_TIMEOUT:-120}" "all $n queued messages sent" all_sent
t1=$(e2e_now_ms)

# Raw sent logs: "modem to part ref text".
for s in m0 m1; do
	e2e_simctl "$s" sent | sed -n "s/^sent [0-9]* mr=[0-9]* to=\([^ ]*\) part=\([0-9/]*\) ref=\([0-9]*\) .* text=\(.*\)\$/$s	\1	\2	\3	\4/p"
done >"$E2E_TMP/sent"
s0=$(grep -c '^m0	' "$E2E_TMP/sent")
s1=$(grep -c '^m1	' "$E2E_TMP/sent")
total=$(e2e_count "$E2E_TMP/sent")
# Each (recipient, part) once; each recipient through one modem only.
dup_parts=$(cut -f2,3 "$E2E_TMP/sent" | sort | uniq -d | wc -l)
split_msgs=$(cut -f1,2 "$E2E_TMP/sent" | sort -u | cut -f2 | uniq -d | wc -l)
# Reassemble per recipient (parts in order) and compare with the queue.
sort -t'	' -k2,2 -k3,3 "$E2E_TMP/sent" | awk -F'\t' '
	{ if ($2 != to) { if (to != "") print to "\t" body; to = $2; body = "" }
	  body = body $5 }
	END { if (to != "") print to "\t" body }' | sort >"$E2E_TMP/got"
e2e_sql "SELECT recipient || E'\t' || body FROM outbound_messages" |
	sort >"$E2E_TMP/want"
missing=$(comm -23 "$E2E_TMP/want" "$E2E_TMP/got" | wc -l)
wrong=$(comm -13 "$E2E_TMP/want" "$E2E_TMP/got" | wc -l)
e2e_log "sent $total parts for $n messages ($expected_parts parts) in $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s: m0 $s0, m1 $s1; parts sent twice $dup_parts, messages split over both modems $split_msgs, missing $missing, wrong text $wrong"
ok=1
[ "$total" -eq "$expected_parts" ] || ok=0
[ "$dup_parts" -eq 0 ] || { ok=0; cut -f2,3 "$E2E_TMP/sent" | sort | uniq -d | head -5 | sed 's/^/  twice: /' >&2; }
[ "$split_msgs" -eq 0 ] || ok=0
[ "$missing" -eq 0 ] || { ok=0; comm -23 "$E2E_TMP/want" "$E2E_TMP/got" | head -5 | sed 's/^/  missing: /' >&2; }
[ "$wrong" -eq 0 ] || ok=0
[ $ok = 1 ] || e2e_fail "the two daemons did not send every message exactly once"
[ "$s0" -gt 0 ] && [ "$s1" -gt 0 ] ||
	e2e_fail "one daemon sent nothing (m0 $s0, m1 $s1): the queue was not shared"
e2e_daemon_stop d0
e2e_daemon_stop d1
e2e_log "PASS in $(e2e_elapsed) s"
