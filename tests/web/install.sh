#!/bin/sh
# fieldgate-web's systemd unit is as hardened as fieldgated's:
# `systemd-analyze security --offline=true` rates it <= 2.0, its settings
# all parse, its paths are substituted; `fieldgate-web -t` checks a config
# and refuses a bad one with "file:line: message".
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fieldgate-web-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
command -v systemd-analyze >/dev/null 2>&1 || {
	echo "FAIL: systemd-analyze missing (scripts/install-deps installs systemd)"
	exit 1
}
${MAKE:-make} -s -C "$top_builddir" gateway/fieldgate-web.service >"$tmp/make.log" 2>&1 ||
	{ cat "$tmp/make.log"; echo "FAIL: make gateway/fieldgate-web.service"; exit 1; }
unit=$tmp/fieldgate-web.service
cp "$top_builddir/gateway/fieldgate-web.service" "$unit"
grep -qx "User=fieldgate" "$unit" && ok "unit runs as fieldgate" || bad "no User=fieldgate"
grep -q '^ExecStart=/.*/fieldgate-web -f /.*/fieldgate/fieldgate-web.conf$' "$unit" &&
	ok "unit paths substituted" || bad "unit paths: $(grep ExecStart= "$unit")"
systemd-analyze security --offline=true "$unit" >"$tmp/sec" 2>&1
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/sec")
if [ -z "$score" ]; then
	cat "$tmp/sec"
	bad "no exposure level from systemd-analyze security"
elif awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	ok "systemd-analyze security: exposure $score (<= 2.0)"
else
	grep '✗' "$tmp/sec"
	bad "systemd-analyze security: exposure $score > 2.0"
fi
timeout 60 systemd-analyze verify "$unit" >"$tmp/verify" 2>&1 || true
if grep -qi "unknown key\|unknown lvalue\|ignoring\|failed to parse" "$tmp/verify"; then
	cat "$tmp/verify"
	bad "systemd-analyze verify complains about the unit"
else
	ok "unit settings all known"
fi

web=$top_builddir/gateway/fieldgate-web
"$web" -t -f "$top_srcdir/gateway/fieldgate-web.conf.example" >"$tmp/out" 2>&1 &&
	ok "example config passes -t" || { cat "$tmp/out"; bad "example config"; }
printf 'listen = "localhost";\nthreads = 0;\ndatabase = { conninfo = "x"; };\nlogin = { max_trys = 3; };\ntls_cert = "/x";\n' >"$tmp/bad.conf"
"$web" -t -f "$tmp/bad.conf" >"$tmp/out" 2>&1
rc=$?
[ $rc -ne 0 ] && ok "bad config refused (exit $rc)" || bad "bad config accepted"
for want in "bad.conf:1:" "bad.conf:2:" "max_trys" "tls_key"; do
	grep -q "$want" "$tmp/out" && ok "diagnostic mentions $want" || { bad "no '$want' in:"; cat "$tmp/out"; }
done
"$web" -t -f "$tmp/missing.conf" >"$tmp/out" 2>&1 && bad "missing config accepted" ||
	ok "missing config refused"
exit $fail
