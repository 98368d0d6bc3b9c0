#!/bin/sh
# The folder contract (docs/ARCHITECTURE.md): modem/ and rules/ know nothing of
# PostgreSQL, db/ knows no AT command and no rule file, only gateway/ wires
# them together. The build already refuses libpq in modem/ (no CFLAGS); this
# catches the includes that would compile anyway.
srcdir=${top_srcdir:-$(dirname "$0")/..}
fail=0

check() { # folder pattern why
	hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($2)" \
		"$srcdir/$1"/*.[ch] 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "layering: $1/ must not include $2 ($3):"
		echo "$hits"
		fail=1
	fi
}

check modem 'libpq-fe\.h|libconfig\.h|db/|rules/|gateway/' "modem/ is below everything"
check rules 'libpq-fe\.h|libserialport\.h|db/|modem/(at_|modem|transport|ussd)|gateway/' "rules/ knows no database and no AT"
# rules/ is pure: no clock, no logging, no AT command text.
hits=$(grep -nE '\<(time|clock_gettime|gettimeofday|localtime|localtime_r|gmtime|syslog|perror)\(|\<(stderr|stdout)\>|"AT[+^&]' \
	"$srcdir"/rules/*.[ch] 2>/dev/null)
if [ -n "$hits" ]; then
	echo "layering: rules/ reads no clock, logs nothing and knows no AT command:"
	echo "$hits"
	fail=1
fi
# Only the loader files of rules/ read libconfig (the parser and the
# decider work on the compiled set).
for f in "$srcdir"/rules/*.[ch]; do
	[ -e "$f" ] || continue
	case "$(basename "$f")" in load*.[ch] | confwalk.[ch]) continue ;; esac
	if grep -qE '#[[:space:]]*include[[:space:]]*[<"](libconfig\.h|rules/confwalk\.h|rules/load\.h)' "$f"; then
		echo "layering: only rules/load*.c and rules/confwalk.* may include libconfig.h: $f"
		fail=1
	fi
done
check db 'libserialport\.h|libconfig\.h|modem/|rules/|gateway/' "db/ knows no AT command and no rule file"
# libserialport is confined to one file of modem/.
for f in "$srcdir"/modem/*.c "$srcdir"/modem/*.h; do
	[ -e "$f" ] || continue
	case "$(basename "$f")" in transport_serial.c) continue ;; esac
	if grep -q 'libserialport\.h' "$f"; then
		echo "layering: only modem/transport_serial.c may include libserialport.h: $f"
		fail=1
	fi
done
# Internal modem headers stay inside modem/ (and its unit tests).
for f in "$srcdir"/gateway/*.[ch] "$srcdir"/db/*.[ch] "$srcdir"/rules/*.[ch]; do
	[ -e "$f" ] || continue
	if grep -qE '#[[:space:]]*include[[:space:]]*"modem/(at_lexer|at_chan|at_result|modem_parse)\.h"' "$f"; then
		echo "layering: $f includes an internal modem/ header"
		fail=1
	fi
done
# SQL lives in db/ only (named functions in db/store.h, db/store_ctl.h):
# no statement text and no raw db_exec() in gateway/, fieldgatectl's
# ctl_*.c included, and no libpq-level header there either.
hits=$(grep -nE '"[^"]*\<(SELECT|INSERT|UPDATE|DELETE)\>' \
	"$srcdir"/gateway/*.[ch] 2>/dev/null)
if [ -n "$hits" ]; then
	echo "layering: SQL in gateway/ (move it into db/store.h):"
	echo "$hits"
	fail=1
fi
hits=$(grep -nE '\<db_exec[[:space:]]*\(|db/db_internal\.h|libpq-fe\.h' \
	"$srcdir"/gateway/*.[ch] 2>/dev/null)
if [ -n "$hits" ]; then
	echo "layering: gateway/ runs statements itself (use db/store.h):"
	echo "$hits"
	fail=1
fi
[ $fail -eq 0 ] && echo "layering: ok"
exit $fail
