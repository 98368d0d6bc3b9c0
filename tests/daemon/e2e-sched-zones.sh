#!/bin/sh
# End to end, per-territory deadlines (timezone = "territory"): a rep in
# a Shanghai territory and a rep in a Kathmandu territory (+05:45, 2 h 15
# min behind), a deadline at the same local time: when the clock passes
# it in Shanghai only the Shanghai rep's supervisor is told; 2 h 15 min
# later the Kathmandu rep's supervisor, with a second claim row.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

now=$(date +%s)
D=$(((now / 60 + 2) * 60))
K=$((D + 8100)) # the same wall-clock time in Kathmandu
R=$T/rules.conf
# The shipped rules without their schedules, holidays and quiet hours.
awk '/^schedules = \(/ { skip = 1 } skip && /^\);/ { skip = 0; next }
	/^ *(holidays|quiet_hours) = / { next } !skip' \
	"$top_srcdir/docs/examples/rules.zh.conf" >"$R"
{
	echo 'schedules = ('
	echo "  { id = \"deadline\"; cron = \"$(TZ=Asia/Shanghai date -d "@$D" '+%M %H') * * *\";"
	echo '    timezone = "territory"; to = "supervisor"; digest = true;'
	echo '    unless = ["checked_in", "on_leave"]; grace = "10m";'
	echo '    template = "未签到({{count}}人):{{names}}"; }'
	echo ');'
} >>"$R"

CLOCK=$T/clock
echo "+0" >"$CLOCK"
chmod 600 "$CLOCK"
export FIELDGATE_CLOCK="$CLOCK"
setclock() {
	echo "+$(($1 - $(date +%s)))" >"$CLOCK.new" && chmod 600 "$CLOCK.new" &&
		mv "$CLOCK.new" "$CLOCK"
}
sup1=+8613900000002 sup2=+8613900000009
rep1=+8613900000003 rep2=+8613900000005

sim_start
gw_config "rules_file = \"$R\";"
gw_start
q "INSERT INTO territories (code, name, time_zone) VALUES
	('SH', '上海', 'Asia/Shanghai'), ('NP', '尼泊尔', ''),
	('KTM', '加德满都', '')"
# the Kathmandu territory inherits its parent's zone
q "UPDATE territories SET time_zone = 'Asia/Kathmandu' WHERE code = 'NP'"
q "UPDATE territories SET parent_id = (SELECT id FROM territories WHERE code = 'NP')
    WHERE code = 'KTM'"
q "INSERT INTO people (phone, name, role) VALUES ('$sup1', '赵主管', 'supervisor'), ('$sup2', '钱主管', 'supervisor')"
q "INSERT INTO people (phone, name, role, supervisor_id) VALUES
	('$rep1', '王芳', 'rep', (SELECT id FROM people WHERE phone = '$sup1')),
	('$rep2', '李娜', 'rep', (SELECT id FROM people WHERE phone = '$sup2'))"
q "INSERT INTO people_territories (person_id, territory_id)
   SELECT p.id, t.id FROM people p, territories t
    WHERE (p.phone = '$rep1' AND t.code = 'SH') OR (p.phone = '$rep2' AND t.code = 'KTM')"
sms_to() { sim sent | grep -F "to=$1 " | sed -n 's/.* text=//p'; }
has_sms() { [ -n "$(sms_to "$1")" ]; }

setclock $((D + 1))
wait_for 20 has_sms "$sup1" || fail "no Shanghai deadline digest"
echo "$(sms_to "$sup1")" | grep -q "王芳" || fail "Shanghai digest: $(sms_to "$sup1")"
sleep 2
has_sms "$sup2" && fail "the Kathmandu supervisor was told at Shanghai's deadline"
setclock $((K + 1))
wait_for 20 has_sms "$sup2" || fail "no Kathmandu deadline digest"
echo "$(sms_to "$sup2")" | grep -q "李娜" || fail "Kathmandu digest: $(sms_to "$sup2")"
echo "$(sms_to "$sup2")" | grep -q "王芳" && fail "the Shanghai rep in the Kathmandu digest"
[ "$(sms_to "$sup1" | grep -c .)" = 1 ] || fail "Shanghai supervisor told twice"
[ "$(q "SELECT count(*) FROM schedule_fires WHERE schedule_id = 'deadline'")" = 2 ] ||
	fail "want two fires (one per zone)"
gw_stop
echo "PASS: e2e-sched-zones"
