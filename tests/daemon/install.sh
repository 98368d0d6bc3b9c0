#!/bin/sh
# Installation and least privilege (issue 10 §7, §8): `make install
# DESTDIR=...` puts the programs, the man pages (man fieldgatectl), the
# example configs, the systemd unit and its sysusers.d file where README
# says; the installed unit runs as the dedicated user "fieldgate" (in
# dialout) and `systemd-analyze security --offline=true` rates it <= 2.0
# (no running systemd needed).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fieldgate-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

command -v systemd-analyze >/dev/null 2>&1 || {
	echo "FAIL: systemd-analyze missing (scripts/install-deps installs systemd)"
	exit 1
}
dest=$tmp/root
# The configured directories (the unit was generated with them at build
# time, so they are not overridden here; distcheck uses its own prefix).
mkvar() { sed -n "s/^$1 = //p" "$top_builddir/Makefile" | head -n 1; }
expand() {
	echo "$1" | sed -e 's|[$]{exec_prefix}|'"$(mkvar exec_prefix)"'|g' \
		-e 's|[$]{prefix}|'"$prefix"'|g'
}
prefix=$(mkvar prefix)
sbindir=$(expand "$(mkvar sbindir)")
sysconfdir=$(expand "$(mkvar sysconfdir)")
[ -n "$prefix" ] && [ -n "$sbindir" ] && [ -n "$sysconfdir" ] || {
	echo "FAIL: cannot read prefix/sbindir/sysconfdir from $top_builddir/Makefile"
	exit 1
}
if ! ${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$dest" \
	>"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	echo "FAIL: make install DESTDIR=$dest"
	exit 1
fi
for f in sbin/fieldgated bin/fieldgatectl share/man/man1/fieldgatectl.1 \
	share/man/man8/fieldgated.8 share/man/man5/fieldgate.conf.5 \
	share/doc/fieldgate/examples/fieldgated.conf.example \
	share/doc/fieldgate/examples/fieldgated.conf.zh.example \
	share/fieldgate/migrations/0001_init.sql \
	lib/systemd/system/fieldgated.service lib/sysusers.d/fieldgate.conf; do
	[ -e "$dest$prefix/$f" ] && ok "installed $prefix/$f" ||
		bad "$prefix/$f not installed"
done
# man fieldgatectl works once MANPATH includes the prefix (it does for
# /usr/local by default).
if command -v man >/dev/null 2>&1; then
	MANPATH=$dest$prefix/share/man man -w fieldgatectl >"$tmp/man" 2>&1 &&
		ok "man -w fieldgatectl: $(cat "$tmp/man")" ||
		bad "man cannot find fieldgatectl: $(cat "$tmp/man")"
fi

unit=$dest$prefix/lib/systemd/system/fieldgated.service
grep -qx "User=fieldgate" "$unit" && ok "unit runs as fieldgate" ||
	bad "unit does not set User=fieldgate"
grep -qx "SupplementaryGroups=dialout" "$unit" && ok "unit in dialout" ||
	bad "unit not in dialout"
grep -qx "ExecStart=$sbindir/fieldgated -F -f $sysconfdir/fieldgate/fieldgated.conf" "$unit" &&
	ok "unit paths substituted" || bad "unit paths: $(grep ExecStart= "$unit")"
grep -qx "u fieldgate - .*" "$dest$prefix/lib/sysusers.d/fieldgate.conf" &&
	grep -qx "m fieldgate dialout" "$dest$prefix/lib/sysusers.d/fieldgate.conf" &&
	ok "sysusers.d: user fieldgate in dialout" || bad "sysusers.d file"

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
# The unit must also parse cleanly (no unknown or misspelt settings);
# verify loads it without a running systemd (it may complain that the
# programs are not at their final path: that is DESTDIR).
timeout 60 systemd-analyze verify "$unit" >"$tmp/verify" 2>&1 || true
if grep -qi "unknown key\|unknown lvalue\|ignoring\|failed to parse" "$tmp/verify"; then
	cat "$tmp/verify"
	bad "systemd-analyze verify complains about the unit"
else
	ok "unit settings all known"
fi
exit $fail
