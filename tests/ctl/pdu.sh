#!/bin/sh
# fieldgatectl pdu decode/encode: real output checks.
set -u
ctl="${top_builddir:-.}/gateway/fieldgatectl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# expect_line FILE LITERAL-LINE-SUBSTRING DESCRIPTION
expect() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3 (no '$2' in:)"; cat "$1"; fi
}

# 1. The dreamfabric.com "hellohello" SMS-DELIVER, as +CMGR prints it.
"$ctl" pdu decode 07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37 \
	>"$tmp/d1" 2>"$tmp/e1" || bad "decode exit $?"
expect "$tmp/d1" '"type": "deliver"' "type"
expect "$tmp/d1" '"number": "+27381000015"' "smsc"
expect "$tmp/d1" '"number": "27838890001"' "originator"
expect "$tmp/d1" '"tz_quarters": 8' "zone"
# A 1999 vector: the two-digit year nearest to now (issue 10 §3), not 2099.
expect "$tmp/d1" '"local": "1999-03-29T15:16:59+02:00"' "scts local"
expect "$tmp/d1" '"year": 1999' "scts year"
expect "$tmp/d1" '"text": "hellohello"' "text"
expect "$tmp/d1" '"charset": "gsm7"' "charset"
[ -s "$tmp/e1" ] && bad "decode wrote to stderr"

# 2. --no-smsc
"$ctl" pdu decode --no-smsc 11000B916407281553F80000AA0AE8329BFD4697D9EC37 \
	>"$tmp/d2" || bad "decode --no-smsc"
expect "$tmp/d2" '"type": "submit"' "submit type"
expect "$tmp/d2" '"seconds": 345600' "validity 4 days"
expect "$tmp/d2" '"number": "+46708251358"' "destination"

# 3. encode -> decode round trip, multipart, quotes and backslash escaped.
text='Say "hi" \ to [all] for 5€ now. '
long="$text$text$text$text$text$text"
"$ctl" pdu encode --to +256772123456 --report "$long" >"$tmp/enc" ||
	bad "encode exit $?"
parts=$(wc -l <"$tmp/enc")
[ "$parts" -eq 2 ] && ok "2 parts" || bad "parts: $parts"
: >"$tmp/joined"
while read -r seqtot len hex; do
	case "$seqtot" in */2) ;; *) bad "seq/total '$seqtot'" ;; esac
	hexlen=${#hex}
	# AT+CMGS length = octets after the 1-octet "00" SMSC prefix.
	[ $((hexlen / 2 - 1)) -eq "$len" ] && ok "cmgs length $len" ||
		bad "cmgs length $len for $hexlen hex digits"
	"$ctl" pdu decode "$hex" >"$tmp/p" || bad "decode part"
	expect "$tmp/p" '"srr": true' "status report requested"
	expect "$tmp/p" '"number": "+256772123456"' "part destination"
	sed -n 's/^  "text": "\(.*\)",$/\1/p' "$tmp/p" | tr -d '\n' >>"$tmp/joined"
done <"$tmp/enc"
want=$(printf '%s' "$long" | sed 's/\\/\\\\/g; s/"/\\"/g')
got=$(cat "$tmp/joined")
[ "$got" = "$want" ] && ok "round trip text" || bad "round trip: '$got' != '$want'"

# 4. UCS-2 and --json.
"$ctl" pdu encode --json --to 0772000001 '你好 😀' >"$tmp/j" || bad "encode --json"
expect "$tmp/j" '"charset": "ucs2"' "json charset"
expect "$tmp/j" '"cmgs_length": ' "json cmgs length"
hex=$(sed -n 's/.*"pdu": "\([0-9A-F]*\)".*/\1/p' "$tmp/j")
"$ctl" pdu decode "$hex" >"$tmp/u" || bad "decode ucs2"
expect "$tmp/u" '"text": "你好 😀"' "ucs2 text with emoji"

# 5. Errors: bad hex (exit 1, reason on stderr), usage (exit 2).
"$ctl" pdu decode 0011ZZ >"$tmp/o" 2>"$tmp/e"
rc=$?
[ $rc -eq 1 ] && ok "bad hex exit 1" || bad "bad hex exit $rc"
expect "$tmp/e" "non-hex" "bad hex reason"
[ -s "$tmp/o" ] && bad "bad hex wrote stdout"
"$ctl" pdu decode 0011000B916407281553F80000AA0BE8329B >/dev/null 2>"$tmp/e"
[ $? -eq 1 ] && ok "truncated exit 1" || bad "truncated exit"
expect "$tmp/e" "truncated" "truncated reason"
"$ctl" pdu encode --to +1 "$(printf 'a\377b')" >/dev/null 2>"$tmp/e"
[ $? -eq 1 ] && ok "invalid utf-8 exit 1" || bad "invalid utf-8 exit"
expect "$tmp/e" "UTF-8" "invalid utf-8 reason"
"$ctl" pdu encode "no number" >/dev/null 2>&1
[ $? -eq 2 ] && ok "missing --to exit 2" || bad "missing --to exit"
"$ctl" >/dev/null 2>&1
[ $? -eq 2 ] && ok "no args exit 2" || bad "no args exit"
"$ctl" frobnicate >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown command exit 2" || bad "unknown command exit"
"$ctl" --help >"$tmp/h" || bad "--help exit"
expect "$tmp/h" "pdu" "--help lists pdu"

exit $fail
