#!/bin/sh
# fieldgatectl db migrate/status on a throwaway cluster: from empty, up to
# date, and a database newer than the program.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"

# Empty database: status says to migrate (exit 1); other commands refuse.
"$ctl" db status >"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "db status on an empty database"
expect "$tmp/o" "database schema version: 0" "version 0"
expect "$tmp/o" "run \`fieldgatectl db migrate\`" "tells to migrate"
"$ctl" people list >"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "people list before migrating"
one_line "$tmp/e" "one-line schema error"
expect "$tmp/e" "run \`fieldgatectl db migrate\`" "command tells to migrate"

# Migrate from empty: 0 -> N (the highest NNNN_*.sql; numbers may have
# gaps while branches are in flight), recorded, then a no-op.
want=$(ls "$srcdir"/db/migrations/*.sql | sed 's|.*/0*\([0-9][0-9]*\)_.*|\1|' | sort -n | tail -1)
"$ctl" db migrate >"$tmp/o" 2>"$tmp/e"
rc_is $? 0 "db migrate"
expect "$tmp/o" "schema migrated: 0 -> $want" "prints from -> to"
[ "$(sql 'SELECT max(version) FROM schema_migrations')" = "$want" ] &&
	ok "schema_migrations at $want" || bad "schema_migrations"
[ "$(sql "SELECT to_regclass('outbound_messages') IS NOT NULL")" = t ] &&
	ok "tables created" || bad "tables missing"
"$ctl" db migrate --json >"$tmp/j" || bad "second migrate"
json_ok "$tmp/j" || bad "migrate --json invalid"
[ "$(json_get "$tmp/j" 'd["applied"], d["from"], d["to"]')" = "(0, $want, $want)" ] &&
	ok "second migrate applies nothing" || { bad "second migrate:"; cat "$tmp/j"; }

"$ctl" db status >"$tmp/o"
rc_is $? 0 "db status after migrating"
expect "$tmp/o" "status: up to date" "up to date"
"$ctl" db status --json >"$tmp/j"
json_ok "$tmp/j" || bad "status --json invalid"
[ "$(json_get "$tmp/j" 'd["database_version"] == d["program_version"] == '"$want"' and d["status"]')" = up-to-date ] &&
	ok "status --json" || { bad "status --json"; cat "$tmp/j"; }
"$ctl" people list >/dev/null 2>&1
rc_is $? 0 "commands work after migrating"

# A database newer than the program: status and commands refuse.
sql "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')"
"$ctl" db status >"$tmp/o" 2>&1
rc_is $? 1 "db status on a newer schema"
expect "$tmp/o" "upgrade fieldgate" "says upgrade"
"$ctl" db migrate >"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "db migrate on a newer schema"
expect "$tmp/e" "upgrade fieldgate" "migrate says upgrade"
"$ctl" send +8613800138000 hi >/dev/null 2>"$tmp/e"
rc_is $? 1 "send on a newer schema"
expect "$tmp/e" "newer than this program" "send refuses a newer schema"
[ "$(sql 'SELECT count(*) FROM outbound_messages')" = 0 ] &&
	ok "nothing queued" || bad "queued on an unknown schema"

exit $fail
