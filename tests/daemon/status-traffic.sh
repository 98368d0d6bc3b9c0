#!/bin/sh
# `fieldgatectl status` shows when a modem last received and sent (issue
# 10 §7): recorded when the traffic happens, not only on the status timer
# (300 s here, so it cannot be what writes them). Cheaply: one write at
# the first message after idle, then at most one per 10 s per modem, the
# trailing one at the end of that window, so a burst's last times land too.
SWEEP_S=300
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
CTL="$top_builddir/gateway/fieldgatectl"

sim_start
gw_config
sed -i 's/status_interval_s = 30/status_interval_s = 300/' "$T/fieldgated.conf"
gw_start
q "INSERT INTO people (phone, name, role) VALUES
	('+8613912345678', '王芳', 'rep')" || fail "cannot add a person"
rx() { q "SELECT coalesce(extract(epoch FROM last_rx_at)::bigint, 0)
	  FROM modem_status WHERE modem = 'sim0'"; }
tx() { q "SELECT coalesce(extract(epoch FROM last_tx_at)::bigint, 0)
	  FROM modem_status WHERE modem = 'sim0'"; }
wait_for 10 sh -c "[ -n \"\$(psql -qAt -c \"SELECT 1 FROM modem_status WHERE modem = 'sim0'\")\" ]" ||
	fail "no status row"
[ "$(rx)" = 0 ] || fail "last received set before any traffic"

t0=$(date +%s)
sim inject from=+8613912345678 text=first >/dev/null || fail "inject"
# Received: written at once (the first after idle); the ack goes out.
wait_for 5 sh -c "[ \"\$(psql -qAt -c \"SELECT last_rx_at IS NOT NULL FROM modem_status WHERE modem = 'sim0'\")\" = t ]" ||
	fail "last received not recorded within 5 s of the message"
wait_for 5 sh -c "[ \"\$(psql -qAt -c \"SELECT last_tx_at IS NOT NULL FROM modem_status WHERE modem = 'sim0'\")\" = t ]" ||
	fail "last sent not recorded within 5 s of the acknowledgement"
r1=$(rx)
[ "$r1" -ge "$t0" ] || fail "last received $r1 before the message ($t0)"
"$CTL" status >"$T/status" 2>&1 || fail "fieldgatectl status"
grep -q "last received: -" "$T/status" && { cat "$T/status"; fail "status shows last received: -"; }
grep -q "last sent: -" "$T/status" && { cat "$T/status"; fail "status shows last sent: -"; }
echo "ok: status after one message: $(grep 'last' "$T/status" | tr -s ' ' | tr '\n' ' ')"

# A second message within the 10 s window: written at the window's end
# (trailing write), not at once, and not only by the 300 s timer.
sleep 2
sim inject from=+8613912345678 text=second >/dev/null || fail "inject 2"
wait_for 20 sh -c "[ \"\$(psql -qAt -c 'SELECT count(*) FROM inbound_messages')\" = 2 ]" ||
	fail "second message not stored"
wait_for 15 sh -c "[ \"\$(psql -qAt -c \"SELECT extract(epoch FROM last_rx_at)::bigint FROM modem_status WHERE modem = 'sim0'\")\" -gt $r1 ]" ||
	fail "last received of the second message never written (trailing write)"
echo "ok: trailing write recorded the second message ($(($(rx) - r1)) s later)"
gw_stop
echo "PASS"
