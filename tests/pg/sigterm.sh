#!/bin/sh
# tests/pg/with-pg.sh on SIGTERM (issue 10 §7): forwards it to the command
# and everything the command started, waits for them, stops the cluster
# and removes its dir; exit 143. Also: what the command leaves running
# when it exits normally is stopped.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/with-pg-sigterm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
gone() { ! kill -0 "$1" 2>/dev/null; }
# wait_gone SECONDS PID...
wait_gone() {
	_n=$(($1 * 10))
	shift
	for _p in "$@"; do
		while ! gone "$_p" && [ $_n -gt 0 ]; do
			sleep 0.1
			_n=$((_n - 1))
		done
		gone "$_p" || return 1
	done
}

# The command: a background "daemon" ignoring nothing, one ignoring TERM
# (it must be SIGKILLed after the grace), and a foreground sleep.
cat >"$tmp/cmd.sh" <<'EOS'
#!/bin/sh
sleep 300 & echo $! >"$1/bg.pid"
sh -c 'trap "" TERM; sleep 300' & echo $! >"$1/stubborn.pid"
echo "$PGHOST" >"$1/pghost"
echo $$ >"$1/cmd.pid"
sleep 300
EOS
chmod +x "$tmp/cmd.sh"
FIELDGATE_PG_GRACE_S=2 "$top_srcdir/tests/pg/with-pg.sh" "$tmp/cmd.sh" "$tmp" \
	>"$tmp/out" 2>&1 &
wp=$!
i=0
while [ ! -s "$tmp/cmd.pid" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/cmd.pid" ] || { cat "$tmp/out"; echo "FAIL: the command never ran"; exit 1; }
cmd=$(cat "$tmp/cmd.pid") bg=$(cat "$tmp/bg.pid") st=$(cat "$tmp/stubborn.pid")
pgdir=$(cat "$tmp/pghost")
kill -TERM "$wp"
wait "$wp"
rc=$?
[ $rc -eq 143 ] && ok "with-pg.sh exited 143 on SIGTERM" || bad "exit $rc"
wait_gone 5 "$cmd" && ok "command stopped" || bad "command $cmd still running"
wait_gone 5 "$bg" && ok "its background child stopped" || bad "child $bg still running"
wait_gone 5 "$st" && ok "a child ignoring SIGTERM killed after the grace" ||
	bad "stubborn child $st still running"
[ ! -e "$pgdir" ] && ok "cluster dir removed" || bad "$pgdir left behind"
for p in "$cmd" "$bg" "$st"; do kill -KILL "$p" 2>/dev/null; done

# A command that exits and leaves a child behind.
cat >"$tmp/leak.sh" <<'EOS'
#!/bin/sh
sleep 300 & echo $! >"$1/leak.pid"
exit 3
EOS
chmod +x "$tmp/leak.sh"
"$top_srcdir/tests/pg/with-pg.sh" "$tmp/leak.sh" "$tmp" >"$tmp/out2" 2>&1
rc=$?
[ $rc -eq 3 ] && ok "exit status of the command kept (3)" || bad "exit $rc, wanted 3"
leak=$(cat "$tmp/leak.pid" 2>/dev/null)
[ -n "$leak" ] && wait_gone 5 "$leak" && ok "what it left running was stopped" ||
	{ bad "left-over child $leak still running"; kill -KILL "$leak" 2>/dev/null; }
exit $fail
