#!/bin/sh
# bench_e2e.sh - the end-to-end benchmark (prints numbers; not a test).
# Runs tests/bench/bench_e2e under a throwaway PostgreSQL: steady load with
# the simulator unpaced and paced at 115200 baud, a faster steady load
# (unpaced) for throughput, and the SPEC §7 burst (200 mixed messages =
# 280 PDUs into a 30-slot SIM), unpaced and paced. Environment:
# BENCH_COUNT (steady messages, default 200), BENCH_RATE (offered messages
# per second, default 10), BENCH_FAST_COUNT / BENCH_FAST_RATE (500 at
# 50/s), BENCH_BURST (200), BENCH_SEND_RATE (per-modem send_rate, parts
# per minute; default 0 = as fast as the modem takes them, SPEC §7),
# BENCH_RULES (a rules file: the rules handler parses every message and
# stores real reports; `BENCH_RULES=default` = docs/examples/rules.zh.conf).
# BENCH_SEND_MS (AT+CMGS round trips of the send-time section, default
# "200 2000"), BENCH_SECTIONS (default "steady burst sendtime").
# docs/DEMO.md explains the columns.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"
e2e_init bench_e2e "$@"
bench=$top_builddir/tests/bench/bench_e2e
[ -x "$bench" ] || e2e_fail "$bench is not built (make bench)"

count=${BENCH_COUNT:-200}
rate=${BENCH_RATE:-10}
fast_count=${BENCH_FAST_COUNT:-500}
fast_rate=${BENCH_FAST_RATE:-50}
burst=${BENCH_BURST:-200}
send_rate=${BENCH_SEND_RATE:-0}
senders=100
rules=${BENCH_RULES:-}
[ "$rules" = default ] && rules=$top_srcdir/docs/examples/rules.zh.conf
send_ms_list=${BENCH_SEND_MS:-200 2000}
sections=${BENCH_SECTIONS:-steady burst sendtime}
want() { case " $sections " in *" $1 "*) return 0 ;; esac; return 1; }

e2e_migrate
e2e_people "$senders" 25678800
run() { "$bench" --fieldgated "$FIELDGATED" --dir "$E2E_TMP" \
	--conninfo "$FIELDGATE_TEST_CONNINFO" --prefix 25678800 \
	--senders "$senders" --send-rate "$send_rate" ${rules:+--rules "$rules"} "$@" ||
	e2e_fail "bench_e2e $* failed (daemon log: $E2E_TMP/bench-daemon.log)"; }

echo "fieldgate end-to-end benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, send_rate $send_rate (0: as fast as the modem))"
echo
if want steady; then
echo "steady load, run name = offered msgs/s (every tenth message in 2 parts), latency = injection at the modem -> the ack's AT+CMGS"
run --mode steady --count "$count" --rate "$rate" --tag "steady${rate}-unpaced" --header
run --mode steady --count "$count" --rate "$rate" --baud 115200 --tag "steady${rate}-115200"
run --mode steady --count "$fast_count" --rate "$fast_rate" --tag "steady${fast_rate}-unpaced"
echo
fi
if want burst; then
echo "burst: $burst messages (every fifth in 3 parts) at once into a 30-slot SIM; stored = all acks queued in the database"
run --mode burst --count "$burst" --capacity 30 --tag burst-unpaced --header
run --mode burst --count "$burst" --capacity 30 --baud 115200 --tag burst-115200
echo
fi
if want sendtime; then
echo "burst with a real modem's AT+CMGS time (network round trip +-10 %), one and two modems; stored = all acks queued, all s = the last ack sent"
run --mode burst --count "$burst" --capacity 30 --tag burst-send0 --header
for ms in $send_ms_list; do
	run --mode burst --count "$burst" --capacity 30 --send-ms "$ms" --tag "burst-send${ms}-1modem"
	run --mode burst --count "$burst" --capacity 30 --send-ms "$ms" --modems 2 --tag "burst-send${ms}-2modems"
done
echo
fi
[ -n "$rules" ] && echo "rules handler ($rules): $(e2e_sql "SELECT count(*) FROM reports") reports stored, $(e2e_sql "SELECT count(*) FROM inbound_messages") messages"
echo "SPEC §7 goals: p90 < 0.5 s; burst >= 124 msgs/s stored and queued, <= 0.19 s CPU per 200, <= 3 rx AT commands per message"
