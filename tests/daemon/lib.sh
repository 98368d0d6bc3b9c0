# tests/daemon/lib.sh - shared by the daemon's end-to-end tests (sourced).
#
# Runs inside tests/pg/with-pg.sh (PGHOST... and FIELDGATE_TEST_CONNINFO are
# set). Provides:
#   sim_start [modemsim options]   modemsim on $T/modem, control $T/sim.ctl
#   sim CMD...                     one control command (prints the reply)
#   gw_config [extra settings]     writes $T/fieldgated.conf
#   gw_start / gw_stop             fieldgated -F, log in $T/gw.log
#   q SQL                          psql -qAt
#   wait_for SECONDS CMD...        retries CMD until it succeeds
#   fail MESSAGE                   prints the logs and exits 1
#   pg ARGS...                     pg_ctl on the test cluster (stop/start)
# Waiting is always for a condition (with a deadline), never a fixed sleep.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
# Not yet inside a throwaway cluster: start one (77 = skip without one).
if [ -z "${FIELDGATE_TEST_CONNINFO:-}" ]; then
	exec "$top_srcdir/tests/pg/with-pg.sh" "$0" "$@"
fi
FIELDGATED="$top_builddir/gateway/fieldgated"
MODEMSIM="$top_builddir/tests/sim/modemsim"
SIMCTL="$top_builddir/tests/sim/simctl"

T=$(mktemp -d "${TMPDIR:-/tmp}/fieldgated-test.XXXXXX")
chmod 755 "$T"
sim_pid=""
gw_pid=""

cleanup() {
	[ -n "$gw_pid" ] && kill -KILL "$gw_pid" 2>/dev/null
	[ -n "$sim_pid" ] && kill -TERM "$sim_pid" 2>/dev/null
	[ -n "$sim_pid" ] && wait "$sim_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	echo "---- fieldgated log (last 60 lines)"
	tail -n 60 "$T/gw.log" 2>/dev/null
	cp "$T/gw.log" "${TMPDIR:-/tmp}/fieldgated-failed.log" 2>/dev/null
	echo "---- simulator counters"
	sim counters 2>/dev/null
	exit 1
}

q() {
	psql -qAt -v ON_ERROR_STOP=1 -c "$1"
}

wait_for() { # seconds cmd...
	_limit=$(($1 * 10))
	shift
	_i=0
	until "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -ge $_limit ] && return 1
		sleep 0.1
	done
	return 0
}

# sim WORD...: one control command (the words joined with spaces).
sim() {
	"$SIMCTL" "$T/sim.ctl" "$*"
}

sim_start() {
	"$MODEMSIM" --link "$T/modem" --control "$T/sim.ctl" "$@" \
		>"$T/sim.out" 2>"$T/sim.err" &
	sim_pid=$!
	wait_for 10 test -S "$T/sim.ctl" || fail "modemsim did not start"
}

gw_config() { # extra top-level settings
	cat >"$T/fieldgated.conf" <<EOF
database = {
  conninfo = "$FIELDGATE_TEST_CONNINFO";
  auto_migrate = true;
  statement_timeout_ms = 5000;
  connect_timeout_s = 2;
};
log = { level = "info"; personal_info = true; timestamps = true; };
modems = ( {
  name = "sim0";
  device = "tty:$T/modem";
  send_rate = 600;
  status_interval_s = 30;
  sweep_interval_s = ${SWEEP_S:-5};
} );
outbound = { max_attempts = 3; backoff_base_s = 1; backoff_max_s = 2; };
multipart = { timeout_s = 10; };
$*
EOF
}

gw_start() {
	# A fresh log per run, so waiting for "ready" sees this run's.
	[ -f "$T/gw.log" ] && cat "$T/gw.log" >>"$T/gw.old.log"
	: >"$T/gw.log"
	"$FIELDGATED" -F -f "$T/fieldgated.conf" >>"$T/gw.log" 2>&1 &
	gw_pid=$!
	wait_for 20 grep -q "modem=sim0 ready" "$T/gw.log" ||
		fail "fieldgated did not get the modem READY"
	wait_for 20 grep -q "database connected" "$T/gw.log" ||
		fail "fieldgated did not connect to the database"
}

gw_stop() {
	kill -TERM "$gw_pid"
	wait "$gw_pid"
	_rc=$?
	gw_pid=""
	[ $_rc -eq 0 ] || fail "fieldgated exited $_rc after SIGTERM"
}

# pg ARGS...: pg_ctl on the cluster with-pg.sh started ($PGHOST/data; as
# the postgres user when root, as with-pg.sh runs it), e.g. `pg -m fast -w
# stop` and `pg -l "$PGHOST/server.log" -w start`.
pg_bindir=${FIELDGATE_PG_BINDIR:-}
if [ -z "$pg_bindir" ]; then
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4n); do
		[ -x "$d/pg_ctl" ] && pg_bindir=$d
	done
fi
[ -n "$pg_bindir" ] || pg_bindir=$(dirname "$(command -v pg_ctl)")
pg_asuser=""
[ "$(id -u)" = 0 ] && pg_asuser="runuser -u ${FIELDGATE_PG_OSUSER:-postgres} --"
pg() { $pg_asuser "$pg_bindir/pg_ctl" -D "$PGHOST/data" "$@" >/dev/null 2>&1; }

# Number of SMS the simulator saw sent to $1 containing text $2.
sent_count() { # number text
	sim sent | grep -F "to=$1 " | grep -cF "$2"
}
