#!/bin/sh
# An idle fieldgated must not wake up (GUIDE §4.10, issue 4): with its
# modem READY, the database connected (LISTENing) and nothing to do, it
# sleeps in one poll() until a NOTIFY, a modem line, a signal or its own
# configured periodic modem check (status_interval_s / sweep_interval_s,
# 300 s here) wakes it.  We count the context switches of its only thread
# over 3 s from /proc/PID/status; a daemon polling every 100 ms would make
# ~30, one sleeping makes ~0.  The bound (5) absorbs scheduler noise and
# the one-off start-up work (the first partial-assembly check fires once,
# 1 s after connecting, and is not re-armed when no part waits).
# Then one NOTIFY wakes it at once: the queue is not polled.
[ -r /proc/self/status ] || { echo "no /proc: skipping"; exit 77; }
SWEEP_S=300
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

sim_start
gw_config
sed -i 's/status_interval_s = 30/status_interval_s = 300/' "$T/fieldgated.conf"
gw_start
# Let the start-up work (status rows, the one-off checks) settle.
wait_for 5 sh -c "[ \$(grep -c . '$T/gw.log') -ge 8 ]"
sleep 2

switches() {
	awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { s += $2 } END { print s }' \
		"/proc/$gw_pid/status"
}
before=$(switches)
sleep 3
after=$(switches)
wakeups=$((after - before))
echo "context switches in 3 s while idle: $wakeups"
[ "$wakeups" -le 5 ] || fail "an idle daemon woke up $wakeups times in 3 s"

# A NOTIFY (the insert trigger) wakes it and the message goes out.
id=$(q "INSERT INTO outbound_messages (recipient, body) VALUES
	('+8613911112222', 'wake up') RETURNING id")
wait_for 3 sh -c "[ \"\$(psql -qAt -c 'SELECT state FROM outbound_messages WHERE id = $id')\" != queued ]" ||
	fail "NOTIFY did not wake the idle daemon"
gw_stop
echo "ok: idle daemon made $wakeups context switches in 3 s"
