#!/bin/sh
# USSD through the database (issue 4): a row in ussd_requests (NOTIFY
# fieldgate_ussd) is run on a READY modem, the decoded reply is stored and
# the request marked done; a request the network refuses is marked failed
# with the error; one for a modem nobody has stays queued; and the modem
# status row is written with the SIM identity and registration.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

sim_start
gw_config 'daemon_id = "ussd-test";'
gw_start

st() { q "SELECT state FROM ussd_requests WHERE id = $1"; }
is_st() { [ "$(st "$1")" = "$2" ]; }

# 1. A balance query answered in UCS-2 (DCS 72): decoded and stored.
sim set ussd-encoding ucs2 >/dev/null
sim ussd-reply 您的余额为12.50元，有效期至2026-12-31。 >/dev/null
id=$(q "INSERT INTO ussd_requests (code) VALUES ('*100#') RETURNING id")
wait_for 10 is_st "$id" done || fail "USSD $id not done ($(st $id))"
reply=$(q "SELECT reply FROM ussd_requests WHERE id = $id")
[ "$reply" = "您的余额为12.50元，有效期至2026-12-31。" ] ||
	fail "USSD reply wrong: '$reply'"
[ "$(sim counters | sed -n 's/^count ussd-request //p')" = 1 ] ||
	fail "expected one USSD request at the modem"

# 2. Requested for this modem by name, answered as plain text (DCS 15).
sim set ussd-encoding text >/dev/null
sim ussd-reply Balance 3.20 USD >/dev/null
id=$(q "INSERT INTO ussd_requests (modem, code) VALUES ('sim0', '*131#')
	RETURNING id")
wait_for 10 is_st "$id" done || fail "USSD $id not done ($(st $id))"
[ "$(q "SELECT reply FROM ussd_requests WHERE id = $id")" = \
	"Balance 3.20 USD" ] || fail "plain reply wrong"

# 3. For a modem this daemon does not have: left for its owner.
other=$(q "INSERT INTO ussd_requests (modem, code) VALUES ('elsewhere',
	'*100#') RETURNING id")

# 4. Not registered: the network refuses (CME 30), the request fails.
sim set creg 0 >/dev/null
id=$(q "INSERT INTO ussd_requests (code) VALUES ('*100#') RETURNING id")
wait_for 10 is_st "$id" failed || fail "USSD $id not failed ($(st $id))"
[ -n "$(q "SELECT error FROM ussd_requests WHERE id = $id")" ] ||
	fail "no error recorded for USSD $id"
is_st "$other" queued || fail "request for another modem was taken"

# 5. A request this daemon was running when it died is failed at restart.
gw_stop
sim set creg 1 >/dev/null
id=$(q "INSERT INTO ussd_requests (code, state, claimed_by) VALUES
	('*100#', 'running', 'ussd-test') RETURNING id")
gw_start
wait_for 5 is_st "$id" failed || fail "interrupted USSD $id not failed"

# Modem status row: SIM identity, operator, and a registration.
row=$(q "SELECT imsi <> '' AND iccid <> '' AND registration <> ''
	FROM modem_status WHERE modem = 'sim0' AND imsi <> ''")
[ "$row" = t ] || fail "modem_status row missing or incomplete"
gw_stop
echo "ok: USSD done (UCS-2, plain), failed, left queued; status row"
