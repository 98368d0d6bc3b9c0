# Shared by tests/web/*.sh (sourced): a throwaway PostgreSQL (re-runs the
# test under tests/pg/with-pg.sh), the scripted week of tests/ctl/views.sh
# as seed data, fieldgate-web on 127.0.0.1 (a free port) and a curl-based
# login by SMS code (the code read from the outbound queue).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
ctl="$builddir/gateway/fieldgatectl"
web="$builddir/gateway/fieldgate-web"
if [ -z "${FIELDGATE_TEST_CONNINFO:-}" ]; then
	exec "$srcdir/tests/pg/with-pg.sh" "$0" "$@"
fi
unset FIELDGATE_DB
tmp=$(mktemp -d "${TMPDIR:-/tmp}/web-test.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
sql() { psql -X -qAt -v ON_ERROR_STOP=1 -c "$1"; }
command -v curl >/dev/null || { echo "FAIL: curl is needed" >&2; exit 99; }

# The scripted week (last week, Asia/Shanghai): admin 1, supervisors 2 and
# 3, reps 11 and 12 under 2, rep 13 under 3; 王一 (11) did everything, 王二
# (12) missed reports and check-ins, 王三 (13) was on leave Wed-Fri.
# Today: 王一 checked in and reported, 王二 nothing (missing), 王三 on
# leave.
seed() {
	"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }
	tz=Asia/Shanghai
	mon=$(sql "SELECT to_char(date_trunc('week', (now() AT TIME ZONE '$tz')) - interval '7 days', 'YYYY-MM-DD')")
	sql "INSERT INTO territories (code, name, time_zone) VALUES ('JN', '济南', '$tz');
	     INSERT INTO territories (code, name, parent_id)
	       SELECT 'QD', '青岛', id FROM territories WHERE code = 'JN';
	     INSERT INTO outlets (code, name, territory_id)
	       SELECT 'JN0231', '华联超市', id FROM territories WHERE code = 'JN';" >/dev/null
	created="(('$mon'::date - 1) + time '12:00') AT TIME ZONE '$tz'"
	sql "INSERT INTO people (id, phone, name, role, supervisor_id, created_at) VALUES
	     (1, '+8613800000001', '总部', 'admin', NULL, $created),
	     (2, '+8613800000002', '李主管', 'supervisor', 1, $created),
	     (3, '+8613800000003', '赵主管', 'supervisor', 1, $created),
	     (11, '+8613800000011', '王一', 'rep', 2, $created),
	     (12, '+8613800000012', '王二', 'rep', 2, $created),
	     (13, '+8613800000013', '王三', 'rep', 3, $created);
	     INSERT INTO people_territories (person_id, territory_id)
	       SELECT p, t.id FROM territories t,
	              (VALUES (1, 'JN'), (2, 'JN'), (3, 'QD'), (11, 'JN'), (12, 'JN'), (13, 'QD')) v(p, c)
	        WHERE t.code = v.c;
	     SELECT setval('people_id_seq', 100);" >/dev/null
	sql "
	CREATE FUNCTION pg_temp.at(d int, t time) RETURNS timestamptz LANGUAGE sql AS
	  \$\$ SELECT (('$mon'::date + d) + t) AT TIME ZONE '$tz' \$\$;
	CREATE FUNCTION pg_temp.rep(ref text, p bigint, d int, late bool, st text) RETURNS void LANGUAGE sql AS
	  \$\$ INSERT INTO reports (ref, form_id, person_id, sender, raw_text, period, late, rules_hash, received_at, status)
	       VALUES (ref, 'daily', p, 'x', '日报 1 2 3', to_char('$mon'::date + d, 'YYYY-MM-DD'), late, 'h', pg_temp.at(d, '18:00'), st) \$\$;
	CREATE FUNCTION pg_temp.ci(p bigint, d int) RETURNS void LANGUAGE sql AS
	  \$\$ INSERT INTO checkins (person_id, received_at, outlet_code, outlet_id, verdict, evidence)
	       SELECT p, pg_temp.at(d, '09:00'), 'JN0231', id, 'in_territory', 'outlet_code_only' FROM outlets WHERE code = 'JN0231' \$\$;
	SELECT pg_temp.rep('R10' || d, 11, d, false, 'received'), pg_temp.ci(11, d) FROM generate_series(0, 5) d;
	SELECT pg_temp.rep('R20' || d, 12, d, false, 'received') FROM generate_series(0, 2) d;
	SELECT pg_temp.rep('R203', 12, 3, true, 'received');
	SELECT pg_temp.ci(12, d) FROM generate_series(0, 3) d;
	SELECT pg_temp.rep('R300', 13, 0, false, 'received'), pg_temp.rep('R301', 13, 1, false, 'received'),
	       pg_temp.rep('R305', 13, 5, false, 'received');
	INSERT INTO reports (ref, form_id, person_id, sender, raw_text, period, rules_hash, received_at, status, needs_approval)
	  VALUES ('R390', 'leave', 13, 'x', '请假 3', '', 'h', pg_temp.at(2, '00:01'), 'approved', true);
	INSERT INTO leave_requests (report_id, person_id, first_day, days, reason)
	  SELECT id, 13, '$mon'::date + 2, 3, '家事' FROM reports WHERE ref = 'R390';
	INSERT INTO reports (ref, form_id, person_id, sender, raw_text, rules_hash, received_at, needs_approval)
	  VALUES ('R400', 'weekly', 11, 'x', '周报 <b>', 'h', now() - interval '1 minute', true);
	INSERT INTO checkins (person_id, received_at, outlet_code, outlet_id, verdict, evidence, distance_m)
	  SELECT 11, now() - interval '1 minute', 'JN0231', id, 'outside', 'cell', 1200 FROM outlets WHERE code = 'JN0231';
	INSERT INTO reports (ref, form_id, person_id, sender, raw_text, period, rules_hash, received_at)
	  VALUES ('R9001', 'daily', 11, 'x', '日报', to_char(now() AT TIME ZONE '$tz', 'YYYY-MM-DD'), 'h', now());
	INSERT INTO reports (ref, form_id, person_id, sender, raw_text, period, rules_hash, received_at, status, needs_approval)
	  VALUES ('R391', 'leave', 13, 'x', '请假 2', '', 'h', now() - interval '2 minutes', 'approved', true);
	INSERT INTO leave_requests (report_id, person_id, first_day, days, reason)
	  SELECT id, 13, (now() AT TIME ZONE '$tz')::date, 2, '家事' FROM reports WHERE ref = 'R391';
	INSERT INTO alerts (alert_id, recipient, recipient_id, body, dedupe_key, state)
	  VALUES ('big_sale', '+8613800000002', 2, 'a', 'k1', 'sent');
	INSERT INTO modem_status (modem, registration, operator, signal_dbm) VALUES ('m1', 'home', 'CMCC', -71);
	" >/dev/null || { echo "FAIL: seed"; exit 1; }
}

# start_web NAME [EXTRA-CONFIG]: starts fieldgate-web, sets $port.
start_web() {
	cat >"$tmp/$1.conf" <<CONF
listen = "127.0.0.1:0";
threads = 2;
database = { conninfo = "$FIELDGATE_TEST_CONNINFO"; };
${2:-}
CONF
	rm -f "$tmp/$1.port"
	"$web" -f "$tmp/$1.conf" -p "$tmp/$1.port" 2>"$tmp/$1.log" &
	pids="$pids $!"
	i=0
	while [ ! -s "$tmp/$1.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$tmp/$1.port" ] || { echo "FAIL: $1 did not start"; cat "$tmp/$1.log"; exit 1; }
	port=$(cat "$tmp/$1.port")
}

scheme=http # https for a server with tls_cert (curl -k: self-signed)
# get JAR PATH: body to $tmp/body, prints the HTTP status
get() {
	curl -k -s -o "$tmp/body" -D "$tmp/headers" -b "$tmp/$1" -c "$tmp/$1" \
		-w '%{http_code}' "$scheme://127.0.0.1:$port$2"
}
# post JAR PATH FORM
post() {
	curl -k -s -o "$tmp/body" -D "$tmp/headers" -b "$tmp/$1" -c "$tmp/$1" \
		-w '%{http_code}' --data "$3" "$scheme://127.0.0.1:$port$2"
}
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/body" | head -1; }
last_code() { # PHONE: the code of the newest login SMS to PHONE
	sql "SELECT substring(body from '[0-9]{6}') FROM outbound_messages
	      WHERE recipient = '$1' AND kind = 'web-login' ORDER BY id DESC LIMIT 1"
}
# login JAR PHONE: the whole flow; fails the test unless it ends in /today
login() {
	get "$1" /login >/dev/null
	c=$(csrf_of)
	s=$(post "$1" /login "phone=$(echo "$2" | sed 's/+/%2B/')&csrf=$c")
	[ "$s" = 200 ] || bad "login $2: code request answered $s"
	code=$(last_code "$2")
	[ -n "$code" ] || bad "login $2: no SMS in the outbound queue"
	s=$(post "$1" /login/verify "phone=$(echo "$2" | sed 's/+/%2B/')&code=$code&csrf=$c")
	if [ "$s" = 303 ] && grep -qi '^location: /today' "$tmp/headers"; then
		ok "login $2 by SMS code"
	else
		bad "login $2: verify answered $s"
	fi
}
