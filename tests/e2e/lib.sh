# tests/e2e/lib.sh - shared helpers of the end-to-end tests, the benchmark
# script and the demo (sourced, POSIX sh).
#
#   . "$top_srcdir/tests/e2e/lib.sh"
#   e2e_init NAME "$@"     re-runs the script under tests/pg/with-pg.sh when
#                          no database is set up; makes $E2E_TMP; traps exit
#   e2e_sim_start S [modemsim options]   modemsim with --link $E2E_TMP/S.tty
#                          and --control $E2E_TMP/S.ctl
#   e2e_simctl S CMD...    control commands (tests/sim/simctl)
#   e2e_config D S...      writes $E2E_TMP/D.conf: daemon D, modems S...
#   e2e_migrate            fieldgatectl db migrate
#   e2e_daemon_start D / e2e_daemon_kill9 D / e2e_daemon_stop D
#   e2e_pg_stop / e2e_pg_start   the with-pg.sh cluster
#   e2e_sql SQL            one psql query, unaligned, tuples only
#   e2e_wait SECONDS WHAT CMD...   poll CMD until it succeeds or fail
#   e2e_fail MESSAGE       print diagnostics (logs, counters) and exit 1
#
# Every wait has a deadline; nothing sleeps to synchronise. On failure the
# daemon logs and simulator counters are printed; E2E_KEEP=1 keeps the temp
# dir. Tunables (environment): E2E_SEND_RATE (send_rate, parts per minute
# per modem; default 0: as fast as the modem takes them), E2E_DELIVERY
# (stored), E2E_RESEND_UNKNOWN (never), E2E_LOG_LEVEL (info), E2E_LEASE_S
# (claim lease, 60).

e2e_me=e2e

e2e_now_ms() { date +%s%3N; }

e2e_log() { echo "$e2e_me: $*" >&2; }

# Locates the source and build trees and the programs.
e2e_paths()
{
	if [ -z "${top_srcdir:-}" ]; then
		top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
	fi
	if [ -z "${top_builddir:-}" ]; then
		if [ -x "$top_srcdir/build/gateway/fieldgated" ]; then
			top_builddir=$top_srcdir/build
		else
			top_builddir=.
		fi
	fi
	top_srcdir=$(cd "$top_srcdir" && pwd)
	top_builddir=$(cd "$top_builddir" && pwd)
	export top_srcdir top_builddir
	FIELDGATED=$top_builddir/gateway/fieldgated
	FIELDGATECTL=$top_builddir/gateway/fieldgatectl
	MODEMSIM=$top_builddir/tests/sim/modemsim
	SIMCTL=$top_builddir/tests/sim/simctl
	for p in "$FIELDGATED" "$FIELDGATECTL" "$MODEMSIM" "$SIMCTL"; do
		if [ ! -x "$p" ]; then
			echo "$e2e_me: FAIL: $p is not built (make first)" >&2
			exit 99
		fi
	done
}

# e2e_init NAME "$@": call first, with the script's arguments.
e2e_init()
{
	e2e_me=$1
	shift
	e2e_paths
	if [ -z "${FIELDGATE_TEST_CONNINFO:-}" ]; then
		exec "$top_srcdir/tests/pg/with-pg.sh" "$0" "$@"
	fi
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/fieldgate-e2e.XXXXXX") || exit 99
	# The daemon may run as another user? No: as us. The PostgreSQL
	# server (user postgres when we are root) never reads these files.
	E2E_SIMS=""
	E2E_DAEMONS=""
	E2E_PG_DOWN=0
	E2E_T0=$(e2e_now_ms)
	trap 'e2e_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	export PGCONNECT_TIMEOUT=5
}

# Elapsed seconds since e2e_init, with one decimal.
e2e_elapsed()
{
	awk -v a="$E2E_T0" -v b="$(e2e_now_ms)" \
		'BEGIN { printf "%.1f", (b - a) / 1000 }'
}

e2e_cleanup()
{
	rc=$?
	trap - EXIT INT TERM HUP
	for d in $E2E_DAEMONS; do
		pid=$(e2e_daemon_pid "$d")
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	done
	for s in $E2E_SIMS; do
		eval "pid=\${e2e_simpid_$s:-}"
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	# with-pg.sh stops its cluster itself; a stopped one must come back
	# so nothing is left half-done (its stop is harmless either way).
	[ "$E2E_PG_DOWN" = 1 ] && e2e_pg_start >/dev/null 2>&1
	if [ "${E2E_KEEP:-0}" = 1 ] || { [ $rc -ne 0 ] && [ "${E2E_KEEP:-0}" = fail ]; }; then
		echo "$e2e_me: kept $E2E_TMP" >&2
	else
		rm -rf "$E2E_TMP"
	fi
	exit $rc
}

# Prints the last lines of every daemon log and every simulator's counters.
e2e_diagnostics()
{
	for d in $E2E_DAEMONS; do
		echo "----- $d.log (last 40 lines) -----" >&2
		tail -n 40 "$E2E_TMP/$d.log" >&2 2>/dev/null
	done
	if [ "${E2E_PG_DOWN:-0}" = 0 ] && [ -n "${PGHOST:-}" ]; then
		echo "----- database -----" >&2
		e2e_sql "SELECT 'inbound ' || state || ': ' || count(*)
			 FROM inbound_messages GROUP BY state
			 UNION ALL
			 SELECT 'outbound ' || state || ': ' || count(*)
			 FROM outbound_messages GROUP BY state
			 UNION ALL
			 SELECT 'outbound part ' || state || ': ' || count(*)
			 FROM outbound_parts GROUP BY state" 2>&1 | tr '\n' ' ' |
			fold -w 100 >&2
		echo >&2
		e2e_sql "SELECT 'not sent: out=' || m.id || ' ' || m.recipient
			 || ' ' || m.state || ' attempts=' || m.attempts
			 || ' claimed_by=' || coalesce(m.claimed_by, '-')
			 || ' error=' || coalesce(m.last_error, '-') || ' parts='
			 || coalesce((SELECT string_agg(p.seq || ':' || p.state
			     || coalesce('(' || p.last_error || ')', ''), ' ')
			     FROM outbound_parts p WHERE p.message_id = m.id), '-')
			 FROM outbound_messages m
			 WHERE m.state NOT IN ('sent', 'delivered')
			 ORDER BY m.id LIMIT 10" >&2 2>&1
	fi
	for s in $E2E_SIMS; do
		echo "----- simulator $s counters -----" >&2
		e2e_simctl "$s" counters 2>&1 | tr '\n' ' ' | fold -w 100 >&2
		echo >&2
	done
}

e2e_fail()
{
	echo "$e2e_me: FAIL: $*" >&2
	e2e_diagnostics
	exit 1
}

# e2e_wait SECONDS WHAT CMD [ARGS]: polls CMD (every 0.1 s) until it
# succeeds; after SECONDS, fails naming WHAT.
e2e_wait()
{
	_limit=$(($(e2e_now_ms) + $1 * 1000))
	_what=$2
	shift 2
	until "$@"; do
		if [ "$(e2e_now_ms)" -gt "$_limit" ]; then
			e2e_fail "timed out waiting for $_what"
		fi
		sleep 0.1
	done
}

# ---------------------------------------------------------------- database

e2e_sql()
{
	psql -X -qAt -v ON_ERROR_STOP=1 -c "$1"
}

# e2e_queue_bulk N PREFIX EVERY TAG: queues N bulk messages (priority 3) to
# PREFIX followed by the 5-digit message number g; every EVERY-th is a long
# text (two parts). Each body ends in " #TAG<g>".
e2e_queue_bulk()
{
	_long="通知：明天上午九点在城东仓库开月度会议，请各位业务员带好本月的销售报表、客户回访记录和下月的订货计划，会后各片区主管留下讨论新品铺货和促销安排，不得迟到。"
	e2e_sql "INSERT INTO outbound_messages (recipient, body, kind, priority)
	 SELECT '$2' || lpad(g::text, 5, '0'),
		CASE WHEN g % $3 = 0 THEN '$_long' || ' #$4' || g
		     ELSE '今日任务已更新 #$4' || g END,
		'bulk', 3
	   FROM generate_series(1, $1) g" >/dev/null ||
		e2e_fail "cannot queue $1 messages"
}

# pg_ctl of the with-pg.sh cluster. with-pg.sh keeps the data in
# $PGHOST/data (the socket dir is its temp dir) and runs the server as
# "postgres" when we are root; FIELDGATE_PG_DATADIR / FIELDGATE_PG_BINDIR
# override.
e2e_pg_ctl()
{
	_bindir=${FIELDGATE_PG_BINDIR:-}
	if [ -z "$_bindir" ]; then
		for _d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null |
			sort -t/ -k4,4n); do
			[ -x "$_d/pg_ctl" ] && _bindir=$_d
		done
	fi
	[ -z "$_bindir" ] && _bindir=$(dirname "$(command -v pg_ctl)")
	_data=${FIELDGATE_PG_DATADIR:-$PGHOST/data}
	[ -f "$_data/PG_VERSION" ] ||
		e2e_fail "no cluster data dir at $_data (with-pg.sh changed?)"
	_as=""
	if [ "$(id -u)" = 0 ]; then
		if command -v runuser >/dev/null 2>&1; then
			_as="runuser -u ${FIELDGATE_PG_OSUSER:-postgres} --"
		else
			_as="setpriv --reuid=$(id -u postgres) --regid=$(id -g postgres) --init-groups --"
		fi
	fi
	$_as "$_bindir/pg_ctl" -D "$_data" -l "$PGHOST/server.log" -w -t 60 "$@"
}

# A clean, fast shutdown: every committed transaction is on disk (the test
# cluster runs with synchronous_commit=off, so -m immediate could lose the
# last commits and make a correct daemon look guilty).
e2e_pg_stop()
{
	E2E_PG_DOWN=1
	e2e_pg_ctl -m fast stop >/dev/null || e2e_fail "pg_ctl stop failed"
}

e2e_pg_start()
{
	e2e_pg_ctl start >/dev/null || e2e_fail "pg_ctl start failed"
	E2E_PG_DOWN=0
}

# fieldgatectl with the test database (libpq reads PGHOST etc.).
e2e_ctl()
{
	"$FIELDGATECTL" "$@"
}

e2e_migrate()
{
	if ! e2e_ctl db migrate >"$E2E_TMP/migrate.log" 2>&1; then
		cat "$E2E_TMP/migrate.log" >&2
		if grep -q "unknown command" "$E2E_TMP/migrate.log"; then
			e2e_fail "fieldgatectl has no 'db migrate' yet (branch ctl not merged?)"
		fi
		e2e_fail "fieldgatectl db migrate failed"
	fi
}

# e2e_people N PREFIX: N reps +PREFIX000001... (one INSERT), and one
# supervisor +PREFIX999999 over them. Names are Chinese.
e2e_people()
{
	e2e_sql "INSERT INTO people (phone, name, role)
		 VALUES ('+${2}999999', '赵主管', 'supervisor');
		 INSERT INTO people (phone, name, role, supervisor_id)
		 SELECT '+${2}' || lpad(g::text, 6, '0'),
			(ARRAY['王','李','张','刘','陈','杨','黄','周'])[1 + g % 8]
			|| '业务' || g,
			'rep',
			(SELECT id FROM people WHERE phone = '+${2}999999')
		   FROM generate_series(1, $1) g" >/dev/null ||
		e2e_fail "cannot insert people"
}

# --------------------------------------------------------------- simulator

# e2e_sim_start NAME [modemsim options]
e2e_sim_start()
{
	_s=$1
	shift
	"$MODEMSIM" --link "$E2E_TMP/$_s.tty" --control "$E2E_TMP/$_s.ctl" \
		"$@" >"$E2E_TMP/$_s.out" 2>"$E2E_TMP/$_s.err" &
	eval "e2e_simpid_$_s=$!"
	E2E_SIMS="$E2E_SIMS $_s"
	e2e_wait 10 "modemsim $_s to start" test -S "$E2E_TMP/$_s.ctl"
}

e2e_sim_stop()
{
	eval "_pid=\${e2e_simpid_$1:-}"
	[ -n "$_pid" ] && kill -TERM "$_pid" 2>/dev/null && wait "$_pid"
	eval "e2e_simpid_$1="
}

e2e_simctl()
{
	_s=$1
	shift
	"$SIMCTL" "$E2E_TMP/$_s.ctl" "$@"
}

# e2e_sim_counter SIM NAME: one counter ("+CMGS", "injected", ...), 0 if
# never counted. Also "pending", "sent", "stored-SM" (used count).
e2e_sim_counter()
{
	e2e_simctl "$1" counters | awk -v n="$2" '
		$1 == "count" && $2 == n { v = $3 }
		$1 == n && NF == 2 { v = $2 }
		$1 == "stored" && "stored-" $2 == n { split($3, a, "/"); v = a[1] }
		END { print v + 0 }'
}

# Sum of all AT command counters (the names starting with '+', '^', 'A',
# or a basic command letter; events are lower-case words).
e2e_sim_at_commands()
{
	e2e_simctl "$1" counters | awk '
		$1 == "count" && $2 !~ /^[a-z]/ { s += $3 } END { print s + 0 }'
}

# e2e_sim_sent SIM: "to<TAB>text" per sent part, in order.
e2e_sim_sent()
{
	e2e_simctl "$1" sent | sed -n \
		's/^sent [0-9]* mr=[0-9]* to=\([^ ]*\) .* status=\([a-z]*\) mode=[a-z]* pdu=[^ ]* text=\(.*\)$/\1	\3/p'
}

# ------------------------------------------------------------------ daemon

# e2e_config DAEMON SIM... [-- extra top-level config text]
e2e_config()
{
	_d=$1
	shift
	_f=$E2E_TMP/$_d.conf
	{
		cat <<EOF
database = {
  conninfo = "$FIELDGATE_TEST_CONNINFO";
  statement_timeout_ms = 5000;
  connect_timeout_s = 2;
};
timezone = "Asia/Shanghai";
log = {
  level = "${E2E_LOG_LEVEL:-info}";
  personal_info = true;
  timestamps = true;
};
outbound = {
  max_attempts = 5;
  backoff_base_s = 1;
  backoff_max_s = 5;
  resend_unknown = "${E2E_RESEND_UNKNOWN:-never}";
  lease_s = ${E2E_LEASE_S:-60};
};
multipart = {
  timeout_s = 600;
};
handler = {
  ack_template = "已收到 #%id";
  reply_limit_per_hour = 3600;
};
modems = (
EOF
		_sep=""
		for _s in "$@"; do
			printf '%s  {\n' "$_sep"
			printf '    name = "%s";\n' "$_s"
			printf '    device = "tty:%s";\n' "$E2E_TMP/$_s.tty"
			printf '    storage = "SM";\n'
			printf '    delivery = "%s";\n' "${E2E_DELIVERY:-stored}"
			printf '    send_rate = %s;\n' "${E2E_SEND_RATE:-0}"
			printf '    status_interval_s = 60;\n'
			printf '    sweep_interval_s = %s;\n' "${E2E_SWEEP_S:-30}"
			printf '  }'
			_sep=",
"
		done
		printf '\n);\n'
	} >"$_f"
	"$FIELDGATED" -t -f "$_f" >"$E2E_TMP/$_d.check" 2>&1 || {
		cat "$E2E_TMP/$_d.check" >&2
		e2e_fail "fieldgated -t rejects the generated config $_f"
	}
}

e2e_daemon_pid()
{
	eval "echo \${e2e_dpid_$1:-}"
}

# e2e_daemon_start DAEMON: runs fieldgated -F on $E2E_TMP/DAEMON.conf,
# appending to DAEMON.log, and waits for its "started" line.
e2e_daemon_start()
{
	_d=$1
	case " $E2E_DAEMONS " in
	*" $_d "*) ;;
	*) E2E_DAEMONS="$E2E_DAEMONS $_d" ;;
	esac
	_lines=$(cat "$E2E_TMP/$_d.log" 2>/dev/null | wc -l)
	echo "=== start $(date +%T.%3N)" >>"$E2E_TMP/$_d.log"
	"$FIELDGATED" -F -T -f "$E2E_TMP/$_d.conf" >>"$E2E_TMP/$_d.log" 2>&1 &
	eval "e2e_dpid_$_d=$!"
	e2e_wait 15 "fieldgated $_d to start" e2e_daemon_started "$_d" "$_lines"
}

# True once the log has a "started" line after line $2; fails the test if
# the daemon died.
e2e_daemon_started()
{
	_pid=$(e2e_daemon_pid "$1")
	if ! kill -0 "$_pid" 2>/dev/null; then
		e2e_fail "fieldgated $1 exited during start-up"
	fi
	tail -n +"$(($2 + 1))" "$E2E_TMP/$1.log" | grep -q "started"
}

e2e_daemon_alive()
{
	_pid=$(e2e_daemon_pid "$1")
	[ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null
}

e2e_daemon_kill9()
{
	_pid=$(e2e_daemon_pid "$1")
	kill -KILL "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	echo "=== kill -9 $(date +%T.%3N)" >>"$E2E_TMP/$1.log"
	eval "e2e_dpid_$1="
}

# SIGTERM, then up to 15 s for a clean exit (status 0).
e2e_daemon_stop()
{
	_pid=$(e2e_daemon_pid "$1")
	[ -n "$_pid" ] || return 0
	kill -TERM "$_pid" 2>/dev/null
	e2e_wait 15 "fieldgated $1 to exit after SIGTERM" e2e_not_alive "$_pid"
	wait "$_pid"
	_rc=$?
	eval "e2e_dpid_$1="
	[ $_rc -eq 0 ] || e2e_fail "fieldgated $1 exited $_rc after SIGTERM"
}

e2e_not_alive() { ! kill -0 "$1" 2>/dev/null; }

# Fails clearly when the daemon does not drive the modem at all (the
# pipelines are missing): no AT command within SECONDS of its start.
e2e_expect_modem_talk()
{
	_s=$1
	e2e_wait "${2:-10}" "fieldgated to send any AT command to modem $_s (are the daemon's modem pipelines there?)" \
		e2e_sim_talked "$_s"
}

e2e_sim_talked() { [ "$(e2e_sim_at_commands "$1")" -gt 0 ]; }

# -------------------------------------------------------------- assertions

# e2e_count_lines FILE
e2e_count() { wc -l <"$1" | tr -d ' '; }

# e2e_sent_acks SIM...: "to<TAB>text" of every acknowledgement part the
# simulators received (text starting "已收到 #"), from all their sent logs.
e2e_sent_acks()
{
	for _s in "$@"; do
		e2e_sim_sent "$_s"
	done | grep '	已收到 #' || true
}

# Stored messages of a flood: "sender<TAB>body" (tag #TAG).
e2e_stored()
{
	e2e_sql "SELECT sender || E'\t' || body FROM inbound_messages
		 WHERE body LIKE '%#${1}%'"
}

# e2e_flood_done EXPECT TAG SIM...: true when every simulator has
# delivered everything (nothing pending, SIM store empty), all the flood's
# messages are stored, no acknowledgement is queued or being sent, and the
# simulators saw at least as many acknowledgements as known senders' stored
# messages. Silent; for e2e_wait.
e2e_flood_done()
{
	_exp=$1 _tag=$2
	shift 2
	for _s in "$@"; do
		_c=$(e2e_simctl "$_s" counters) || return 1
		echo "$_c" | grep -qx "pending 0" || return 1
		echo "$_c" | grep -q "^stored SM 0/" || return 1
	done
	_n=$(e2e_count "$_exp")
	_r=$(e2e_sql "SELECT count(*) FROM inbound_messages
		      WHERE body LIKE '%#${_tag}%'" 2>/dev/null) || return 1
	[ "$_r" -ge "$_n" ] || return 1
	_r=$(e2e_sql "SELECT count(*) FROM outbound_messages
		      WHERE state IN ('queued', 'sending')" 2>/dev/null) ||
		return 1
	[ "$_r" -eq 0 ] || return 1
	_k=$(e2e_sql "SELECT count(*) FROM inbound_messages i
		      JOIN people p ON p.phone = i.sender
		      WHERE i.body LIKE '%#${_tag}%'" 2>/dev/null) || return 1
	_u=$(e2e_sql "SELECT count(*) FROM outbound_messages
		      WHERE kind = 'ack' AND state = 'unknown'" 2>/dev/null) ||
		return 1
	_a=$(e2e_sent_acks "$@" | sort -u | wc -l)
	[ $((_a + _u)) -ge "$_k" ]
}

# Progress line for long waits: stored / acknowledged so far.
e2e_progress()
{
	_tag=$1
	shift
	_r=$(e2e_sql "SELECT count(*) FROM inbound_messages
		      WHERE body LIKE '%#${_tag}%'" 2>/dev/null || echo '?')
	_a=$(e2e_sent_acks "$@" | wc -l)
	e2e_log "t=$(e2e_elapsed)s stored $_r, acknowledgements sent $_a"
}

# e2e_check_flood EXPECT TAG MAX_DOUBTFUL SIM...: the assertions. Every
# injected message stored exactly once (sender and text equal, multipart
# assembled, not partial, no decode error); every stored message from a
# known sender acknowledged ("已收到 #<its id>" to its sender) exactly once,
# nothing else acknowledged. The only exceptions allowed are the doubtful
# sends of SPEC §5, at most MAX_DOUBTFUL in total: a repeated
# acknowledgement, or one never seen at the modem whose outbound message
# is marked 'unknown' (never silently missing). Prints what it measured;
# fails the test on a mismatch.
e2e_check_flood()
{
	_exp=$1 _tag=$2 _maxrep=$3
	shift 3
	_w=$E2E_TMP/check.$_tag
	mkdir -p "$_w"
	cut -f1,2 "$_exp" | sort >"$_w/expected"
	e2e_stored "$_tag" | sort >"$_w/stored" ||
		e2e_fail "cannot read inbound_messages"
	_n=$(e2e_count "$_w/expected")
	_got=$(e2e_count "$_w/stored")
	_missing=$(comm -23 "$_w/expected" "$_w/stored" | wc -l)
	_dups=$(uniq -d "$_w/stored" | wc -l)
	_dupcopies=$(($(e2e_count "$_w/stored") - $(sort -u "$_w/stored" | wc -l)))
	_unexp=$(sort -u "$_w/stored" | comm -13 "$_w/expected" - | wc -l)
	_multi=$(awk -F'\t' '$4 > 1' "$_exp" | wc -l)
	_assembled=$(e2e_sql "SELECT count(*) FROM inbound_messages
		WHERE body LIKE '%#${_tag}%' AND kind = 'assembled'
		  AND NOT partial AND part_count > 1")
	_bad=$(e2e_sql "SELECT count(*) FROM inbound_messages
		WHERE body LIKE '%#${_tag}%'
		  AND (partial OR decode_error IS NOT NULL)")
	e2e_log "stored: $_got rows for $_n injected messages ($_multi multipart, $_assembled assembled): missing $_missing, duplicated $_dups ($_dupcopies extra rows), unexpected $_unexp, partial/undecoded $_bad"

	e2e_sql "SELECT i.sender || E'\t已收到 #' || i.id
		 FROM inbound_messages i JOIN people p ON p.phone = i.sender
		 WHERE i.body LIKE '%#${_tag}%'" | sort >"$_w/acks.expected"
	e2e_sent_acks "$@" | sort >"$_w/acks.sent"
	_ke=$(e2e_count "$_w/acks.expected")
	_ks=$(e2e_count "$_w/acks.sent")
	_kmiss=$(sort -u "$_w/acks.sent" | comm -23 "$_w/acks.expected" - | wc -l)
	_krep=$((_ks - $(sort -u "$_w/acks.sent" | wc -l)))
	_kunexp=$(sort -u "$_w/acks.sent" | comm -13 "$_w/acks.expected" - | wc -l)
	_known=$(awk -F'\t' '$3 == "known"' "$_exp" | wc -l)
	# Missing ones whose message is marked 'unknown' (SPEC §5).
	sort -u "$_w/acks.sent" | comm -23 "$_w/acks.expected" - |
		sed 's/.*#//' >"$_w/acks.missing"
	_kunk=0
	if [ -s "$_w/acks.missing" ]; then
		_kunk=$(e2e_sql "SELECT count(*) FROM outbound_messages
			WHERE kind = 'ack' AND state = 'unknown'
			  AND in_reply_to IN ($(paste -sd, "$_w/acks.missing"))")
	fi
	_kmiss=$((_kmiss - _kunk))
	e2e_log "acknowledgements: $_ks sent for $_ke stored messages of known senders ($_known injected): missing $_kmiss, repeated $_krep, not sent but marked unknown $_kunk (doubtful allowed $_maxrep), unexpected $_kunexp"

	_ok=1
	[ "$_missing" -eq 0 ] || { _ok=0; comm -23 "$_w/expected" "$_w/stored" | head -5 | sed 's/^/  missing: /' >&2; }
	if [ "$_dups" -ne 0 ]; then
		_ok=0
		uniq -d "$_w/stored" | head -5 | sed 's/^/  stored twice: /' >&2
		# Which part of the natural key differed (SPEC §5).
		uniq -d "$_w/stored" | head -3 | cut -f2 | while IFS= read -r _b; do
			e2e_sql "SELECT '    id=' || id || ' kind=' || kind
				|| ' imsi=' || quote_literal(sim_imsi) || ' scts='
				|| coalesce(scts::text, '-') || ' md5='
				|| coalesce(pdu_md5, '-') || ' received='
				|| received_at FROM inbound_messages
				WHERE body = '$(echo "$_b" | sed "s/'/''/g")'" >&2
		done
	fi
	[ "$_unexp" -eq 0 ] || { _ok=0; sort -u "$_w/stored" | comm -13 "$_w/expected" - | head -5 | sed 's/^/  unexpected: /' >&2; }
	[ "$_got" -eq "$_n" ] || _ok=0
	[ "$_assembled" -eq "$_multi" ] || _ok=0
	[ "$_bad" -eq 0 ] || _ok=0
	[ "$_ke" -eq "$_known" ] || _ok=0
	[ "$_kmiss" -eq 0 ] || { _ok=0; sort -u "$_w/acks.sent" | comm -23 "$_w/acks.expected" - | head -5 | sed 's/^/  not acknowledged: /' >&2; }
	[ $((_krep + _kunk)) -le "$_maxrep" ] || { _ok=0; uniq -d "$_w/acks.sent" | head -5 | sed 's/^/  acknowledged twice: /' >&2; }
	[ "$_kunexp" -eq 0 ] || { _ok=0; sort -u "$_w/acks.sent" | comm -13 "$_w/acks.expected" - | head -5 | sed 's/^/  unexpected ack: /' >&2; }
	[ $_ok = 1 ] || e2e_fail "flood #$_tag: counts above do not match"
	E2E_ACK_REPEATS=$_krep
	E2E_ACK_UNKNOWN=$_kunk
}
