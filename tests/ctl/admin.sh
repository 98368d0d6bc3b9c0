#!/bin/sh
# What a new admin tripped over (issue 10 §7), fieldgatectl's side: pdu
# decode without a PDU says what is missing; --help lists every inbox
# filter (--until); a `ussd --id N` that times out does not point at
# itself.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"

"$ctl" pdu decode >"$tmp/o" 2>"$tmp/e"
rc_is $? 2 "pdu decode without HEX"
expect "$tmp/e" "pdu decode: missing HEX" "says HEX is missing"
"$ctl" pdu decode --no-smsc >"$tmp/o" 2>"$tmp/e"
rc_is $? 2 "pdu decode --no-smsc without HEX"
expect "$tmp/e" "missing HEX" "says HEX is missing after an option"

"$ctl" --help >"$tmp/o" 2>&1
expect "$tmp/o" "--until" "--help lists inbox --until"
"$ctl" inbox --help >"$tmp/o" 2>&1
expect "$tmp/o" "[--until TIME]" "inbox --help lists --until"

"$ctl" db migrate >/dev/null 2>&1 || bad "db migrate"
# No daemon: the request stays queued.
"$ctl" ussd --timeout 1 '*100#' >"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "ussd times out without a daemon"
id=$(sed -n 's/.*request \([0-9]*\) is still.*/\1/p' "$tmp/e")
[ -n "$id" ] && ok "timeout names request $id" || { bad "no request id:"; cat "$tmp/e"; }
expect "$tmp/e" "fieldgatectl ussd --id $id" "first timeout points at --id"
"$ctl" ussd --id "$id" --timeout 1 >"$tmp/o" 2>"$tmp/e"
rc_is $? 1 "ussd --id times out"
one_line "$tmp/e" "one line (timeout by id)"
expect_not "$tmp/e" "ussd --id $id" "--id timeout does not point at itself"
expect "$tmp/e" "--timeout" "--id timeout says to wait longer"
exit $fail
