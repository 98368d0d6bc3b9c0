#!/bin/sh
# A quick measurement (not a test, not the benchmark): 200 inbound messages
# (180 Chinese singles + 20 three-part, out of order = 240 PDUs) from 50
# known reps, injected at once into modemsim (unpaced, 30-slot SIM), with
# send_rate = 0. Prints the time until all are stored and handled and all
# 200 acknowledgements are submitted, the daemon's CPU time, the ack
# latency (stored -> submitted) p50/p90/p99, AT commands by kind, and the
# daemon's peak RSS. Run from the build dir:
#   top_srcdir=.. top_builddir=. ../tests/daemon/flood-measure.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
sim_start
gw_config "handler = { reply_limit_per_hour = 3600; };"
sed -i 's/send_rate = 600;/send_rate = 0;/; s/sweep_interval_s = 5/sweep_interval_s = 60/' $T/fieldgated.conf
gw_start
i=0
{ while [ $i -lt 50 ]; do echo "INSERT INTO people (phone, name, role) VALUES ('+86139000000$(printf %02d $i)', 'p$i', 'rep');"; i=$((i+1)); done; } | psql -q
i=0
while [ $i -lt 200 ]; do
  n=$(printf %02d $((i % 50)))
  if [ $((i % 10)) = 0 ]; then
    echo "inject from=+86139000000$n enc=ucs2 parts=3 order=2,3,1 text=多部分消息第${i}号，这是一条需要分成三部分发送的很长的中文短信，用于测试重组。再加一些文字让它更长一些。还要更长一些才能够分成三部分。"
  else
    echo "inject from=+86139000000$n enc=ucs2 text=日报 第${i}号 销售 12 箱"
  fi
  i=$((i+1))
done > $T/flood.txt
sim counters > $T/c0
cpu0=$(awk '{print $14+$15}' /proc/$gw_pid/stat)
t0=$(date +%s%N)
"$SIMCTL" "$T/sim.ctl" < $T/flood.txt || fail inject
t1=$(date +%s%N)
wait_for 60 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM inbound_messages WHERE state <> '"'stored'"'")" = 200 ]' || fail "not all stored"
t2=$(date +%s%N)
wait_for 60 sh -c '[ "$(psql -qAt -c "SELECT count(*) FROM outbound_messages WHERE state IN ('"'sent','delivered'"')")" = 200 ]' || fail "not all acked"
t3=$(date +%s%N)
cpu1=$(awk '{print $14+$15}' /proc/$gw_pid/stat)
tck=$(getconf CLK_TCK)
echo "inject 200 msgs (240 PDUs): $(( (t1-t0)/1000000 )) ms; all stored+handled: $(( (t2-t0)/1000000 )) ms; all 200 acks sent: $(( (t3-t0)/1000000 )) ms"
echo "daemon CPU: $(echo "scale=2; ($cpu1-$cpu0)/$tck" | bc) s"
q "SELECT percentile_cont(ARRAY[0.5,0.9,0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM p.submitted_at - i.received_at)) FROM outbound_messages o JOIN inbound_messages i ON i.id = o.in_reply_to JOIN outbound_parts p ON p.message_id = o.id"
sim counters > $T/c1
awk '/^count/ {print $2, $3}' $T/c0 | sort > $T/a0; awk '/^count/ {print $2, $3}' $T/c1 | sort > $T/a1
join -a2 $T/a0 $T/a1 | awk 'NF==3 {print $1, $3-$2} NF==2 {print $1, $2}' | grep -E 'CMG|CNMA|CPMS|CSQ|CREG|COPS|AT'
grep VmHWM /proc/$gw_pid/status
gw_stop
