#!/bin/sh
# Load benchmark of fieldgate-web (not a timed test): 30,000 active reps
# in 100 territories under 50 supervisors (600 each) and one admin; 50
# concurrent sessions on the today page, each sending REQUESTS (20)
# requests one after another. VIEWER=admin (default: every session sees
# all 30,000 reps) or VIEWER=supervisor (each sees their 600).
# REPS changes the number of reps. VIEW_FIX=1 replaces the view
# person_zone by a proposed linear one (tests/bench/person_zone_fast.sql).
# Prints p50/p90/p99 (the goal: p99 < 200 ms). Run from the build dir:
#   make bench && sh ../tests/bench/bench_web.sh
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
if [ -z "${FIELDGATE_TEST_CONNINFO:-}" ]; then
	exec "$srcdir/tests/pg/with-pg.sh" "$0" "$@"
fi
viewer=${VIEWER:-admin}
requests=${REQUESTS:-20}
reps=${REPS:-30000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/web-bench.XXXXXX")
trap 'kill $web_pid 2>/dev/null; rm -rf "$tmp"' EXIT
web_pid=""
sql() { psql -X -qAt -v ON_ERROR_STOP=1 -c "$1"; }
"$builddir/gateway/fieldgatectl" db migrate >/dev/null || exit 1
t0=$(date +%s)
sql "
INSERT INTO territories (code, name, time_zone)
  SELECT 'T' || i, '区域' || i, 'Asia/Shanghai' FROM generate_series(1, 100) i;
INSERT INTO outlets (code, name, territory_id)
  SELECT 'O' || t.id, '网点' || t.id, t.id FROM territories t;
INSERT INTO people (id, phone, name, role) VALUES (1, '+8613900000001', '总部', 'admin');
INSERT INTO people (id, phone, name, role, supervisor_id)
  SELECT 1000 + i, '+86139100' || lpad(i::text, 5, '0'), '主管' || i, 'supervisor', 1
    FROM generate_series(1, 50) i;
INSERT INTO people (id, phone, name, role, supervisor_id, created_at)
  SELECT 100000 + i, '+86139200' || lpad(i::text, 5, '0'), '代表' || i, 'rep',
         1000 + 1 + i % 50, now() - interval '10 days'
    FROM generate_series(1, $reps) i;
INSERT INTO people_territories (person_id, territory_id)
  SELECT p.id, (SELECT min(id) FROM territories) + p.id % 100 FROM people p;
INSERT INTO checkins (person_id, received_at, outlet_code, outlet_id, verdict, evidence)
  SELECT p.id, now() - interval '1 hour', o.code, o.id, 'in_territory', 'outlet_code_only'
    FROM people p JOIN people_territories pt ON pt.person_id = p.id
    JOIN outlets o ON o.territory_id = pt.territory_id
   WHERE p.role = 'rep' AND p.id % 3 <> 0;
INSERT INTO reports (ref, form_id, person_id, sender, raw_text, period, rules_hash, received_at)
  SELECT 'R' || p.id, 'daily', p.id, 'x', '日报 1 2 3',
         to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), 'h', now()
    FROM people p WHERE p.role = 'rep' AND p.id % 4 <> 0;
ANALYZE;
" >/dev/null || { echo "bench: seed failed"; exit 1; }
# 50 sessions (tokens stored hashed, as the server does)
i=0
: >"$tmp/tokens"
while [ $i -lt 50 ]; do
	tok=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	if [ "$viewer" = admin ]; then who=1; else who=$((1001 + i)); fi
	echo "INSERT INTO web_sessions (token_sha256, person_id, csrf, expires_at)
	      VALUES (encode(sha256('$tok'::bytea), 'hex'), $who, '$(printf '%032d' $i)', now() + interval '1 hour');" >>"$tmp/sessions.sql"
	echo "$tok" >>"$tmp/tokens"
	i=$((i + 1))
done
psql -X -q -v ON_ERROR_STOP=1 -f "$tmp/sessions.sql" >/dev/null || exit 1
if [ "${VIEW_FIX:-0}" = 1 ]; then
	psql -X -q -v ON_ERROR_STOP=1 -f "$srcdir/tests/bench/person_zone_fast.sql" >/dev/null || exit 1
	echo "bench: VIEW_FIX=1: person_zone replaced by tests/bench/person_zone_fast.sql"
fi
echo "bench: seeded $reps reps in $(($(date +%s) - t0)) s"
cat >"$tmp/web.conf" <<CONF
listen = "127.0.0.1:0";
threads = ${THREADS:-8};
database = { conninfo = "$FIELDGATE_TEST_CONNINFO"; };
CONF
"$builddir/gateway/fieldgate-web" -f "$tmp/web.conf" -p "$tmp/port" 2>"$tmp/log" &
web_pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port")
# warm-up (plans, caches)
"$builddir/tests/bench/bench_web" "$port" /today "$tmp/tokens" 1 >/dev/null
echo "bench: viewer=$viewer, 50 concurrent sessions, GET /today"
"$builddir/tests/bench/bench_web" "$port" /today "$tmp/tokens" "$requests"
