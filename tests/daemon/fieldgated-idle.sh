#!/bin/sh
# An idle fieldgated must not wake up (GUIDE §4.10, issue 4): with nothing
# to do it sleeps in one poll() until a signal arrives.  We count the
# context switches of its only thread over 3 s from /proc/PID/status; a
# daemon polling every 100 ms would make ~30, one sleeping makes ~0.
# The bound (5) is generous so scheduler noise cannot make this flaky.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
bin="$top_builddir/gateway/fieldgated"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fieldgated-idle.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

[ -r /proc/self/status ] || { echo "no /proc: skipping"; exit 77; }

"$bin" -F -f "$top_srcdir/tests/data/config/good-minimal.conf" 2>"$tmp/log" &
pid=$!
i=0
until grep -q "started" "$tmp/log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "FAIL: daemon did not start"; cat "$tmp/log"; exit 1
	fi
	sleep 0.1
done

switches() {
	awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { s += $2 } END { print s }' \
		"/proc/$pid/status"
}
before=$(switches)
sleep 3
after=$(switches)
wakeups=$((after - before))
echo "context switches in 3 s while idle: $wakeups"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
[ $rc -eq 0 ] || { echo "FAIL: exit $rc after SIGTERM"; cat "$tmp/log"; exit 1; }
if [ "$wakeups" -gt 5 ]; then
	echo "FAIL: an idle daemon woke up $wakeups times in 3 s"
	exit 1
fi
echo "ok: idle daemon made $wakeups context switches in 3 s"
