# Shared by tests/ctl/*.sh (sourced). Sets $ctl, $tmp, ok/bad/expect helpers
# and json_ok. Source it with NEED_PG=1 to re-run the test under
# tests/pg/with-pg.sh (a throwaway cluster; skip 77 without PostgreSQL).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
ctl="$builddir/gateway/fieldgatectl"
if [ "${NEED_PG:-0}" = 1 ] && [ -z "${FIELDGATE_TEST_CONNINFO:-}" ]; then
	exec "$srcdir/tests/pg/with-pg.sh" "$0" "$@"
fi
# A sanitizer report must not pass for an expected "exit 1".
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=87"
export ASAN_OPTIONS UBSAN_OPTIONS
# Never reach a database other than the throwaway one.
unset FIELDGATE_DB
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctl-test.XXXXXX")
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
fail=0

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# expect FILE SUBSTRING DESCRIPTION
expect() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3 (no '$2' in:)"; cat "$1"; fi
}
# expect_not FILE SUBSTRING DESCRIPTION
expect_not() {
	if grep -qF -- "$2" "$1"; then bad "$3 ('$2' found in:)"; cat "$1"; else ok "$3"; fi
}
# rc_is GOT WANT DESCRIPTION
rc_is() {
	if [ "$1" -eq "$2" ]; then ok "$3 (exit $1)"; else bad "$3: exit $1, want $2"; fi
}
# one_line FILE DESCRIPTION: exactly one line (a clear one-line error)
one_line() {
	n=$(wc -l <"$1")
	if [ "$n" -eq 1 ]; then ok "$2"; else bad "$2: $n lines:"; cat "$1"; fi
}

# A JSON validator is required: python3 (Debian 12 base) or jq.
if command -v python3 >/dev/null 2>&1; then
	json_ok() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"; }
	# json_get FILE PYTHON-EXPRESSION-ON-d: prints the value
	json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
else
	echo "FAIL: no python3: cannot validate JSON output" >&2
	exit 99
fi

# psql against the throwaway cluster, tuples only
sql() { psql -X -qAt -v ON_ERROR_STOP=1 -c "$1"; }
