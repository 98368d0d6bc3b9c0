#!/bin/sh
# What a new admin tripped over (issue 10 §7, §8), fieldgated's side:
#  - a fatal configuration error is logged as "error:", not "warning:";
#  - -t refuses a rules_file that does not exist or cannot be read;
#  - a device that does not exist is retried for ever, but its warning is
#    not repeated at every retry: once, then after 10 s, 20 s, 40 s ...;
#  - a warning at start when running as root, and when the config file
#    (which may hold the database password) is readable by other users.
# No database and no modem: the daemon retries both in the background.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
bin="$top_builddir/gateway/fieldgated"
data="$top_srcdir/tests/data/config"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fieldgated-admin.XXXXXX")
chmod 755 "$tmp"
pid=""
fail=0
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

sed -e "s|tty:/dev/pts/5|tty:$tmp/no-modem|" \
    -e "s|dbname=fieldgate|host=$tmp port=1 dbname=none|" \
    "$data/good-minimal.conf" >"$tmp/good.conf"
chmod 600 "$tmp/good.conf"

# 1. A fatal configuration error is an error.
printf 'database = { conninfo = 5; };\n' >"$tmp/bad.conf"
"$bin" -F -f "$tmp/bad.conf" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] && ok "bad config: exit 2" || bad "bad config: exit $rc"
grep -q '^error: cannot start: configuration ".*bad.conf" has errors$' "$tmp/out" &&
	ok "logged as error" || { bad "not logged as an error:"; cat "$tmp/out"; }
grep -q '^warning: cannot start' "$tmp/out" && bad "still a warning"

# 2. rules_file: missing, unreadable, a directory; readable is OK.
for case in missing dir; do
	f=$tmp/rules-$case.conf
	[ $case = dir ] && mkdir "$f"
	{ cat "$tmp/good.conf"; printf 'rules_file = "%s";\n' "$f"; } >"$tmp/r.conf"
	"$bin" -t -f "$tmp/r.conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && ok "-t with a $case rules_file: exit 2" ||
		bad "-t with a $case rules_file: exit $rc ($(cat "$tmp/out"))"
	grep -q "rules_file \"$f\": " "$tmp/err" && ok "names the rules file" ||
		{ bad "-t does not name the rules file:"; cat "$tmp/err"; }
	grep -q "configuration OK" "$tmp/out" && bad "-t still says configuration OK"
done
if [ "$(id -u)" != 0 ]; then # root reads everything
	: >"$tmp/rules-unreadable.conf"
	chmod 000 "$tmp/rules-unreadable.conf"
	{ cat "$tmp/good.conf"; printf 'rules_file = "%s";\n' "$tmp/rules-unreadable.conf"; } >"$tmp/r.conf"
	"$bin" -t -f "$tmp/r.conf" >/dev/null 2>&1
	[ $? -eq 2 ] && ok "-t with an unreadable rules_file: exit 2" ||
		bad "-t accepts an unreadable rules_file"
fi
# A readable, valid rules file (the shipped one) passes; an empty one is
# loaded too, and refused with its diagnostics.
cp "$top_srcdir/docs/examples/rules.zh.conf" "$tmp/rules.conf"
{ cat "$tmp/good.conf"; printf 'rules_file = "%s";\n' "$tmp/rules.conf"; } >"$tmp/r.conf"
"$bin" -t -f "$tmp/r.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -qx "configuration OK" "$tmp/out" &&
	ok "-t with a readable rules_file: configuration OK" ||
	{ bad "-t with a readable rules_file: exit $rc"; cat "$tmp/out" "$tmp/err"; }
: >"$tmp/empty-rules.conf"
{ cat "$tmp/good.conf"; printf 'rules_file = "%s";\n' "$tmp/empty-rules.conf"; } >"$tmp/r.conf"
"$bin" -t -f "$tmp/r.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok "-t with an empty rules_file: refused (exit 2)" ||
	{ bad "-t with an empty rules_file: exit $rc"; cat "$tmp/out" "$tmp/err"; }

# docs/SIMULATOR.md's way to open the simulator is a key -t accepts
# (it once documented a `transport = "tty:..."` key the config rejects).
snippet=$(sed -n 's/^ *`\(modems = (.*)\);`$/\1/p' "$top_srcdir/docs/SIMULATOR.md" | head -n 1)
if [ -z "$snippet" ]; then
	bad "docs/SIMULATOR.md shows no modems = (...) line"
else
	{ printf 'database = { conninfo = "dbname=x"; };\n'; printf '%s;\n' "$snippet"; } >"$tmp/simdoc.conf"
	"$bin" -t -f "$tmp/simdoc.conf" >"$tmp/out" 2>&1 &&
		ok "SIMULATOR.md's config line passes -t" ||
		{ bad "SIMULATOR.md's config line is rejected:"; cat "$tmp/out"; }
fi
grep -n 'transport = ' "$top_srcdir/docs/SIMULATOR.md" && bad "SIMULATOR.md still shows a transport key"

# 3 and 4. Start on a missing device, as root with a world-readable config
# (0644): warned; then retried for 8 s with --debug=loop to see each retry.
cp "$tmp/good.conf" "$tmp/world.conf"
chmod 644 "$tmp/world.conf"
: >"$tmp/log"
"$bin" -F -T --debug=loop -f "$tmp/world.conf" >"$tmp/log" 2>&1 &
pid=$!
i=0
until grep -q "started" "$tmp/log" || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 8
kill -TERM "$pid"
wait "$pid"
pid=""
warns=$(grep -c 'warning: modem=[^ ]* down: ' "$tmp/log")
retries=$(grep -c 'debug(loop): modem=[^ ]* down: ' "$tmp/log")
echo "in 8 s: $warns down warnings, $retries more retries logged at debug level"
[ "$warns" -eq 1 ] && ok "one warning for a missing device in 8 s" ||
	{ bad "$warns warnings for a missing device in 8 s (wanted 1)"; grep 'modem=' "$tmp/log"; }
[ "$retries" -ge 2 ] && ok "still retried ($retries times)" ||
	bad "the device was retried only $retries times"
grep -q 'warning: configuration ".*world.conf" is readable by every user (mode 0644)' "$tmp/log" &&
	ok "world-readable config warned" || { bad "no warning for a 0644 config"; head -5 "$tmp/log"; }
if [ "$(id -u)" = 0 ]; then
	grep -q 'warning: running as root' "$tmp/log" && ok "root warned" ||
		bad "no warning when running as root"
fi

# A private config run by an unprivileged user: neither warning.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
	id nobody >/dev/null 2>&1; then
	chown nobody "$tmp/good.conf"
	: >"$tmp/log2"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		"$bin" -F -f "$tmp/good.conf" >"$tmp/log2" 2>&1 &
	pid=$!
	i=0
	until grep -q "started" "$tmp/log2" || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -TERM "$pid"
	wait "$pid"
	pid=""
	grep -q "started" "$tmp/log2" || { bad "did not start as nobody"; cat "$tmp/log2"; }
	grep -q 'running as root\|readable by every user' "$tmp/log2" &&
		bad "warned without reason: $(grep 'root\|every user' "$tmp/log2")" ||
		ok "no privilege warning as nobody with a 0600 config"
fi
exit $fail
