#!/bin/sh
# with-pg.sh: run one command against a throwaway PostgreSQL cluster.
#
# CONTRACT (other tests rely on it; change with care)
#   tests/pg/with-pg.sh CMD [ARGS...]
#
#   - Creates a fresh temp dir (under $TMPDIR or /tmp), runs initdb there and
#     starts a cluster listening ONLY on a unix socket in that dir
#     (listen_addresses='', no TCP), auth "trust" for local connections.
#   - Creates a database for the command and exports
#       PGHOST      the socket directory (absolute path)
#       PGPORT      the port number in the socket name
#       PGDATABASE  the database (fieldgate_test)
#       PGUSER      a superuser role the command may use
#       FIELDGATE_TEST_CONNINFO  "host=... port=... dbname=... user=..."
#     then runs CMD with ARGS; its exit status is with-pg.sh's exit status.
#   - Always stops the cluster and removes the temp dir afterwards, also when
#     CMD fails or when with-pg.sh gets SIGINT/SIGTERM/SIGHUP.
#   - CMD runs in a process group of its own (setsid; dash's kill takes no "--"): on SIGINT/SIGTERM/
#     SIGHUP the signal is forwarded to that whole group (CMD and whatever
#     it started: daemons, simulators), with-pg.sh waits up to
#     FIELDGATE_PG_GRACE_S (10) seconds for it to go, then SIGKILLs what is
#     left; and whatever CMD left running when it exited is stopped the
#     same way. Nothing outlives with-pg.sh.
#   - Root (CI): initdb refuses to run as root, so the cluster runs as the
#     `postgres` system user (runuser, or setpriv as a fallback) and a
#     superuser role "root" is created so CMD (running as root) connects as
#     itself. As a normal user, initdb runs directly as that user.
#   - If no PostgreSQL can be started (no initdb in /usr/lib/postgresql/*/bin
#     or $PATH, initdb or start fails): exit 77 (automake: SKIP), unless
#     FIELDGATE_REQUIRE_PG=1 is set, then exit 99 (automake: hard ERROR) with a
#     loud message on stderr.
#   - FIELDGATE_PG_BINDIR overrides where initdb/pg_ctl are looked up.
#   - Start-up is tuned for tests (fsync=off, small shared_buffers); the time
#     it took is printed on stderr as "with-pg: cluster up in N ms".
#   - Nothing else on the machine is touched: no service, no TCP port.
set -u

me=with-pg

skip_or_fail() { # message
	if [ "${FIELDGATE_REQUIRE_PG:-0}" = 1 ]; then
		echo "" >&2
		echo "***************************************************************" >&2
		echo "$me: ERROR: $1" >&2
		echo "$me: FIELDGATE_REQUIRE_PG=1, so this is a hard failure (99)." >&2
		echo "***************************************************************" >&2
		exit 99
	fi
	echo "$me: SKIP: $1" >&2
	exit 77
}

if [ $# -lt 1 ]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

now_ms() { date +%s%3N; }
t0=$(now_ms)

# Highest installed server version wins.
bindir=${FIELDGATE_PG_BINDIR:-}
if [ -z "$bindir" ]; then
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4n); do
		[ -x "$d/initdb" ] && bindir=$d
	done
fi
if [ -z "$bindir" ]; then
	p=$(command -v initdb 2>/dev/null) && bindir=$(dirname "$p")
fi
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] && [ -x "$bindir/pg_ctl" ] ||
	skip_or_fail "no PostgreSQL server binaries (initdb, pg_ctl) found"

# As root, the server runs as an unprivileged user.
asuser=""
if [ "$(id -u)" = 0 ]; then
	pguser=${FIELDGATE_PG_OSUSER:-postgres}
	id "$pguser" >/dev/null 2>&1 ||
		skip_or_fail "running as root and no '$pguser' user to run the server"
	if command -v runuser >/dev/null 2>&1; then
		asuser="runuser -u $pguser --"
	elif command -v setpriv >/dev/null 2>&1; then
		asuser="setpriv --reuid=$(id -u "$pguser") --regid=$(id -g "$pguser") --init-groups --"
	else
		skip_or_fail "running as root and neither runuser nor setpriv found"
	fi
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/fieldgate-pg.XXXXXX") ||
	skip_or_fail "cannot create a temp dir"
started=0
child=""
group=0
# stop_child SIGNAL: forwards SIGNAL to CMD's process group (or CMD alone
# without setsid), waits for the group to go, SIGKILLs the rest.
stop_child() {
	if [ $group = 1 ]; then
		kill -"$1" "-$child" 2>/dev/null
	else
		kill -"$1" "$child" 2>/dev/null
	fi
	_i=0
	while [ $_i -lt $((${FIELDGATE_PG_GRACE_S:-10} * 10)) ]; do
		if [ $group = 1 ]; then
			kill -0 "-$child" 2>/dev/null || break
		else
			kill -0 "$child" 2>/dev/null || break
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	if [ $group = 1 ]; then
		kill -KILL "-$child" 2>/dev/null
	else
		kill -KILL "$child" 2>/dev/null
	fi
	wait "$child" 2>/dev/null
}
cleanup() {
	if [ -n "$child" ]; then
		stop_child "${1:-TERM}"
		child=""
	fi
	if [ $started = 1 ]; then
		$asuser "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop \
			>/dev/null 2>&1
		started=0
	fi
	rm -rf "$dir"
}
trap 'cleanup' EXIT
trap 'cleanup INT; trap - EXIT; exit 130' INT
trap 'cleanup TERM; trap - EXIT; exit 143' TERM
trap 'cleanup HUP; trap - EXIT; exit 129' HUP

if [ -n "$asuser" ]; then
	chown "$pguser" "$dir" || skip_or_fail "cannot chown $dir to $pguser"
fi
# The socket dir must be reachable by the client (root or this user).
chmod 755 "$dir"

# A port number only names the socket file (no TCP); pick one unlikely to
# collide with another concurrent with-pg.sh in the same dir (it cannot: each
# has its own dir), so any valid number works.
port=${FIELDGATE_PG_PORT:-54329}

if ! $asuser "$bindir/initdb" -D "$dir/data" -U postgres -A trust \
	-E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log" >&2
	skip_or_fail "initdb failed (log above)"
fi

cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0777
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
autovacuum = off
log_min_messages = warning
timezone = 'UTC'
EOF

if ! $asuser "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	-t 60 start >/dev/null 2>&1; then
	cat "$dir/server.log" >&2 2>/dev/null
	skip_or_fail "pg_ctl start failed (server log above)"
fi
started=1

psql="$bindir/psql"
[ -x "$psql" ] || psql=psql
if [ "$(id -u)" = 0 ]; then
	role=root
	$asuser "$psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt \
		-v ON_ERROR_STOP=1 -c "CREATE ROLE root SUPERUSER LOGIN" \
		>/dev/null || skip_or_fail "cannot create role root"
else
	role=postgres
fi
"$psql" -h "$dir" -p "$port" -U "$role" -d postgres -qAt -v ON_ERROR_STOP=1 \
	-c "CREATE DATABASE fieldgate_test OWNER \"$role\"" >/dev/null ||
	skip_or_fail "cannot create database fieldgate_test"

PGHOST=$dir
PGPORT=$port
PGDATABASE=fieldgate_test
PGUSER=$role
FIELDGATE_TEST_CONNINFO="host=$dir port=$port dbname=fieldgate_test user=$role"
export PGHOST PGPORT PGDATABASE PGUSER FIELDGATE_TEST_CONNINFO
unset PGPASSWORD PGSERVICE PGHOSTADDR 2>/dev/null

echo "$me: cluster up in $(($(now_ms) - t0)) ms ($bindir, $dir)" >&2

# In the background so a signal to us runs the trap at once (a foreground
# child would delay it). Async lists get /dev/null as stdin, and dash
# ignores a plain <&0, so CMD's stdin goes through fd 3.
# setsid: a background job of a script is never a process group leader, so
# setsid does not fork and $! leads the new group.
exec 3<&0
if command -v setsid >/dev/null 2>&1; then
	setsid "$@" <&3 3<&- &
	group=1
else
	"$@" <&3 3<&- &
fi
child=$!
wait "$child"
rc=$?
# CMD is done; anything it left behind in its group goes now.
if [ $group = 1 ] && kill -0 "-$child" 2>/dev/null; then
	echo "$me: stopping what the command left running" >&2
	stop_child TERM
fi
child=""
cleanup
trap - EXIT INT TERM HUP
exit $rc
