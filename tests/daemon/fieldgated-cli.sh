#!/bin/sh
# fieldgated as a program: --version/--help, -t exit codes and messages,
# SIGHUP reload (a broken config is refused and the old one kept), and a
# clean exit 0 on SIGTERM.  Every wait is bounded.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
bin="$top_builddir/gateway/fieldgated"
data="$top_srcdir/tests/data/config"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fieldgated-cli.XXXXXX")
pid=""
fail=0

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# expect_rc WANT DESCRIPTION CMD...
expect_rc() {
	want=$1 what=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else
		bad "$what: exit $rc, wanted $want"
		cat "$tmp/out" "$tmp/err"
	fi
}

# wait_for PATTERN FILE: up to 10 s for a log line to appear.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		grep -q "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

expect_rc 0 "--version" "$bin" --version
grep -qx "fieldgated [0-9][0-9.]*" "$tmp/out" || bad "--version printed '$(cat "$tmp/out")'"
expect_rc 0 "--help" "$bin" --help
grep -q "^usage: fieldgated" "$tmp/out" || bad "--help printed no usage"
expect_rc 2 "unknown option" "$bin" --bogus
expect_rc 2 "unknown debug category" "$bin" --debug=nosuch -t
expect_rc 2 "stray argument" "$bin" -t extra

# The examples name the installed rules file: point them at the shipped
# ones (-t loads and checks the rules file too).
sed "s|\"/etc/fieldgate/rules.conf\"|\"$top_srcdir/docs/examples/rules.en.conf\"|" \
	"$top_srcdir/gateway/fieldgated.conf.example" >"$tmp/en.conf"
sed "s|\"/etc/fieldgate/rules.conf\"|\"$top_srcdir/docs/examples/rules.zh.conf\"|" \
	"$top_srcdir/gateway/fieldgated.conf.zh.example" >"$tmp/zh.conf"
expect_rc 0 "-t on the English example" "$bin" -t -f "$tmp/en.conf"
[ "$(cat "$tmp/out")" = "configuration OK" ] || bad "-t printed '$(cat "$tmp/out")'"
expect_rc 0 "-t on the Chinese example" "$bin" -t -f "$tmp/zh.conf"
expect_rc 0 "-n (alias of -t)" "$bin" -n -f "$tmp/en.conf"
sed "s|\"/etc/fieldgate/rules.conf\"|\"$tmp/no-rules.conf\"|" \
	"$top_srcdir/gateway/fieldgated.conf.example" >"$tmp/norules.conf"
expect_rc 2 "-t with a rules_file that does not exist" "$bin" -t -f "$tmp/norules.conf"
grep -q "no-rules.conf" "$tmp/err" || bad "the missing rules file not named"
expect_rc 2 "-t on a missing file" "$bin" -t -f "$tmp/nonexistent.conf"
grep -q "nonexistent.conf: cannot open" "$tmp/err" || bad "missing file not named"

# -t prints exactly the golden diagnostics (relative names: run from there).
for name in bad-ranges bad-types bad-unknown-keys; do
	(cd "$data" && "$bin" -t -f "$name.conf") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "-t $name.conf: exit $rc, wanted 2"
	[ -s "$tmp/out" ] && bad "-t $name.conf printed on stdout"
	if cmp -s "$tmp/err" "$data/$name.diag"; then ok "-t $name.conf diagnostics"; else
		bad "-t $name.conf diagnostics differ"
		diff "$data/$name.diag" "$tmp/err"
	fi
done

# The daemon: start, reload with a broken file, reload fixed, stop.
# No real modem or database here: a device path and a socket that cannot
# exist, so the daemon just retries in the background.
sed -e "s|tty:/dev/pts/5|tty:$tmp/no-modem|" \
    -e "s|dbname=fieldgate|host=$tmp port=1 dbname=none|" \
    "$data/good-minimal.conf" >"$tmp/good.conf"
cp "$tmp/good.conf" "$tmp/fieldgated.conf"
"$bin" -F -f "$tmp/fieldgated.conf" 2>"$tmp/log" &
pid=$!
if wait_for "info: fieldgated .* started" "$tmp/log"; then ok "daemon started"; else
	bad "daemon did not start"; cat "$tmp/log"; exit 1
fi
grep -q "pid $pid" "$tmp/log" || bad "start line lacks the pid"

cp "$data/bad-ranges.conf" "$tmp/fieldgated.conf"
kill -HUP "$pid"
if wait_for "keeping the current configuration" "$tmp/log"; then
	ok "broken reload refused"
else
	bad "broken reload not reported"
fi
grep -q "^warning: $tmp/fieldgated.conf:3: 'database.statement_timeout_ms'" "$tmp/log" ||
	bad "reload errors not logged as file:line"
kill -0 "$pid" 2>/dev/null || bad "daemon died on a broken reload"

cp "$tmp/good.conf" "$tmp/fieldgated.conf"
kill -HUP "$pid"
if wait_for "configuration .* reloaded: 1 modem" "$tmp/log"; then ok "reload applied"; else
	bad "good reload not applied"
fi

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
grep -q "^info: stopped$" "$tmp/log" || bad "no 'stopped' line"
# A daemon that cannot load its config exits 2 and says why.
expect_rc 2 "start with a broken config" "$bin" -F -f "$data/bad-missing.conf"
grep -q "cannot start" "$tmp/err" || bad "no 'cannot start' line"

[ $fail -eq 0 ] || { echo "--- daemon log"; cat "$tmp/log"; }
exit $fail
