#!/bin/sh
# bench_import.sh [ROWS]: `fieldgatectl import cells` of ROWS generated
# OpenCellID rows (default 1000000; no download) into a throwaway
# PostgreSQL. Not a test: prints rows/s and the peak RSS, and the peak RSS
# of a tenth of the rows, to show memory stays flat (the file is
# streamed, never held). Run from the build directory:
#   sh ../tests/bench/bench_import.sh [ROWS]
set -eu
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
ctl=$(cd "$builddir" && pwd)/gateway/fieldgatectl
rows=${1:-1000000}
if [ -z "${FIELDGATE_TEST_CONNINFO:-}" ]; then
	exec "$srcdir/tests/pg/with-pg.sh" sh "$0" "$@"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-import.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

gen() { # N FILE: OpenCellID columns, a header, 4 networks, unique keys
	awk -v n="$1" 'BEGIN {
		srand(42);
		print "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal";
		split("GSM UMTS LTE LTE", radio, " ");
		for (i = 0; i < n; i++) {
			net = (i % 4 == 0) ? 1 : (i % 4 == 1 ? 11 : 0);
			printf "%s,460,%d,%d,%d,,%.6f,%.6f,%d,%d,1,1459692000,1600000000,0\n",
				radio[i % 4 + 1], net, 1 + i % 65000, int(i / 65000) * 7 + i % 7,
				100 + rand() * 22, 22 + rand() * 18, 100 + int(rand() * 5000),
				int(rand() * 200);
		}
	}' >"$2"
}

"$ctl" db migrate >/dev/null
small=$((rows / 10))
gen "$small" "$tmp/small.csv"
gen "$rows" "$tmp/cells.csv"
echo "bench_import: $(wc -c <"$tmp/cells.csv") bytes, $rows rows"

measure() { # FILE LABEL
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$ctl" import cells "$1" \
		>"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
	read -r secs rss <"$tmp/time"
	n=$(sed -n 's/^cells: \([0-9]*\) rows.*/\1/p' "$tmp/out")
	echo "$2: $(cat "$tmp/out")"
	awk -v n="$n" -v s="$secs" -v r="$rss" -v l="$2" 'BEGIN {
		printf "%s: %d rows in %.2f s = %.0f rows/s, peak RSS %.1f MiB\n",
			l, n, s, n / s, r / 1024 }'
}

psql -X -qAt -c "TRUNCATE cells CASCADE" >/dev/null 2>&1
measure "$tmp/small.csv" "import $small (empty table)"
psql -X -qAt -c "TRUNCATE cells CASCADE" >/dev/null 2>&1
measure "$tmp/cells.csv" "import $rows (empty table)"
measure "$tmp/cells.csv" "re-import $rows (all unchanged)"
