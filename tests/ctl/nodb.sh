#!/bin/sh
# fieldgatectl without a database: unreachable servers give one clear line
# and exit 1 (never a crash), usage errors exit 2, local validation happens
# before connecting, and `modems` works on any machine.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"

# 1. Unreachable database, each way of choosing it.
"$ctl" --db "host=$tmp/nosuch port=5" status >"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "--db to a missing socket"
one_line "$tmp/e" "one-line error"
expect "$tmp/e" "database unreachable (conninfo from --db)" "says unreachable"
[ -s "$tmp/o" ] && bad "wrote to stdout"

FIELDGATE_DB="host=127.0.0.1 port=1 password=sekrit" "$ctl" people list \
	>"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "FIELDGATE_DB to a closed TCP port"
one_line "$tmp/e" "one-line error (tcp)"
expect "$tmp/e" 'conninfo from $FIELDGATE_DB' "names FIELDGATE_DB"
expect_not "$tmp/e" "sekrit" "password not printed"

# --db wins over FIELDGATE_DB, after the command too
FIELDGATE_DB="host=127.0.0.1 port=1" "$ctl" outbox --db "host=$tmp/x" \
	>/dev/null 2>"$tmp/e"
rc_is $? 1 "--db after the command"
expect "$tmp/e" "from --db" "--db wins"

# libpq's PG* defaults when nothing else is given
PGHOST=$tmp/pgdefault PGPORT=7 "$ctl" inbox >/dev/null 2>"$tmp/e"
rc_is $? 1 "PG* environment"
expect "$tmp/e" "PG* environment" "names the PG* environment"
expect "$tmp/e" "$tmp/pgdefault" "libpq used PGHOST"

# -f: the daemon's config file provides the conninfo
cat >"$tmp/gw.conf" <<EOC
database = { conninfo = "host=$tmp/fromconf port=9"; };
modems = ( { name = "sim0"; device = "tty:/dev/pts/5"; } );
EOC
"$ctl" -f "$tmp/gw.conf" status >/dev/null 2>"$tmp/e"
rc_is $? 1 "-f config, unreachable"
expect "$tmp/e" "conninfo from $tmp/gw.conf" "names the config"
expect "$tmp/e" "$tmp/fromconf" "used the config's conninfo"
"$ctl" -f "$tmp/nosuch.conf" status >/dev/null 2>"$tmp/e"
rc_is $? 1 "-f missing file"
one_line "$tmp/e" "one line for a missing config"
expect "$tmp/e" "cannot use config" "says the config is unusable"
"$ctl" status --db >/dev/null 2>"$tmp/e"
rc_is $? 2 "--db without a value"

# 2. Validation before any connection (these would reach no database).
export FIELDGATE_DB="host=$tmp/never"
"$ctl" send 12ab "hi" >/dev/null 2>"$tmp/e"
rc_is $? 1 "send: bad number"
expect "$tmp/e" "invalid number '12ab'" "bad number named"
"$ctl" send +8613800138000 "$(printf 'a\377b')" >/dev/null 2>"$tmp/e"
rc_is $? 1 "send: invalid UTF-8"
expect "$tmp/e" "UTF-8" "invalid UTF-8 said"
"$ctl" send +8613800138000 "" >/dev/null 2>"$tmp/e"
rc_is $? 1 "send: empty text"
"$ctl" send --priority urgent +8613800138000 hi >/dev/null 2>"$tmp/e"
rc_is $? 2 "send: bad priority"
expect "$tmp/e" "bad --priority 'urgent'" "bad priority named"
"$ctl" send +8613800138000 >/dev/null 2>&1
rc_is $? 2 "send: missing text"
"$ctl" ussd 'abc' >/dev/null 2>"$tmp/e"
rc_is $? 1 "ussd: bad code"
expect "$tmp/e" "invalid USSD code" "bad code said"
"$ctl" ussd >/dev/null 2>&1
rc_is $? 2 "ussd: no code"
"$ctl" inbox --since yesterday >/dev/null 2>"$tmp/e"
rc_is $? 2 "inbox: bad --since"
expect "$tmp/e" "bad --since 'yesterday'" "bad --since named"
"$ctl" outbox --limit 0 >/dev/null 2>&1
rc_is $? 2 "outbox: --limit 0"
"$ctl" people add +8613800000001 Li --role boss >/dev/null 2>"$tmp/e"
rc_is $? 2 "people add: bad role"
expect "$tmp/e" "bad role 'boss'" "bad role named"
"$ctl" people add +8613800000001 Li >/dev/null 2>"$tmp/e"
rc_is $? 2 "people add: no role"
"$ctl" db frob >/dev/null 2>&1
rc_is $? 2 "db: unknown subcommand"
unset FIELDGATE_DB

# 3. Help is generated from the table: every command listed, each has help.
"$ctl" --help >"$tmp/h" || bad "--help"
for c in send status inbox outbox ussd people modems db pdu; do
	expect "$tmp/h" "  $c " "--help lists $c"
	"$ctl" help "$c" >"$tmp/hc" 2>&1 && [ -s "$tmp/hc" ] &&
		ok "help $c" || bad "help $c"
	"$ctl" "$c" --help >/dev/null 2>&1 || [ "$c" = db ] || [ "$c" = people ] ||
		[ "$c" = pdu ] || bad "$c --help"
done

# 4. modems: ports of this host; exit 0 also with none.
"$ctl" modems >"$tmp/m" 2>"$tmp/e"
rc_is $? 0 "modems"
if grep -q '^no serial ports found' "$tmp/m"; then
	ok "modems: none found said"
else
	expect "$tmp/m" "CONFIG DEVICE" "modems: table header"
fi
"$ctl" modems --json >"$tmp/mj" || bad "modems --json exit"
json_ok "$tmp/mj" && ok "modems --json is JSON" || bad "modems --json invalid"
n=$(json_get "$tmp/mj" 'len(d)')
t=$(grep -c '^/' "$tmp/m")
[ "$n" -eq "$t" ] && ok "json and text list $n ports" || bad "json $n vs text $t"
# every listed device exists and its config spec is a path or usb-serial:
json_get "$tmp/mj" '"\n".join(p["device"]+" "+p["config_device"] for p in d)' |
while read -r dev spec; do
	[ -z "$dev" ] && continue
	[ -e "$dev" ] || echo "FAIL: listed $dev does not exist"
	case "$spec" in /dev/*|usb-serial:?*) ;; *) echo "FAIL: spec '$spec'" ;; esac
done >"$tmp/chk"
[ -s "$tmp/chk" ] && { cat "$tmp/chk"; fail=1; } || ok "ports exist, specs usable"

exit $fail
