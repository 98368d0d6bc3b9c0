#!/bin/sh
# fieldgatectl where / checkins: a rep's territories and latest
# check-ins, filters (--since, --verdict, --rep), JSON, errors.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }

printf 'JN,济南,,Asia/Shanghai,36.65,117.12,30000,10783\nJN-LX,历下区,JN,,36.67,117.08,5000,10783\nQD,青岛,,,36.06,120.38,20000,12288\n' |
	"$ctl" import territories - >/dev/null || bad "territories"
printf '+8613800000001,李主管,supervisor,,JN\n+8613800000002,王销售,rep,+8613800000001,JN-LX;QD\n+8613800000003,无区,rep,,\n' |
	"$ctl" import people - >/dev/null || bad "people"
printf 'JN0231,华联超市,,JN-LX,36.671,117.081,+8653100000001\nQD0001,利群商厦,,QD,36.07,120.38\n' |
	"$ctl" import outlets - >/dev/null || bad "outlets"

# Check-ins as the daemon stores them (db_checkin_insert()).
sql "INSERT INTO checkins (person_id, ref, scts, received_at, outlet_code, outlet_id, territory_id, verdict, distance_m, evidence, cell_mcc, cell_mnc, cell_lac, cell_cid, lat, lon)
 SELECT p.id, 'R1043', now() - interval '3 hours', now() - interval '3 hours', 'JN0231', o.id, o.territory_id, 'in_territory', 0, 'cell', 460, 0, 10783, 15437, 36.672, 117.082
   FROM people p, outlets o WHERE p.phone = '+8613800000002' AND o.code = 'JN0231'"
sql "INSERT INTO checkins (person_id, ref, received_at, outlet_code, outlet_id, territory_id, verdict, distance_m, evidence)
 SELECT p.id, 'R1044', now() - interval '30 minutes', 'JN0231', o.id, o.territory_id, 'outside', 12345, 'outlet_code_only'
   FROM people p, outlets o WHERE p.phone = '+8613800000002' AND o.code = 'JN0231'"
sql "INSERT INTO checkins (person_id, received_at, outlet_code, verdict, evidence)
 SELECT id, now() - interval '2 days', 'XX0000', 'unknown_outlet', 'outlet_code_only' FROM people WHERE phone = '+8613800000002'"

"$ctl" where '+86 138 0000 0002' >"$tmp/o" 2>&1
rc_is $? 0 "where"
expect "$tmp/o" "王销售 +8613800000002 (rep), territories: JN-LX;QD" "where: person and territories"
expect "$tmp/o" "R1044" "where: latest check-in"
expect "$tmp/o" "12345" "where: distance"
expect "$tmp/o" "cell 460-0-10783-15437" "where: the cell"
[ "$(grep -n 'R1044' "$tmp/o" | cut -d: -f1)" -lt "$(grep -n 'R1043' "$tmp/o" | cut -d: -f1)" ] &&
	ok "where: newest first" || bad "where: order"
"$ctl" where +8613800000002 --limit 1 >"$tmp/o"
[ "$(grep -c 'JN0231\|XX0000' "$tmp/o")" -eq 1 ] && ok "where --limit 1" || bad "where --limit: $(cat "$tmp/o")"
"$ctl" where +8613800000003 >"$tmp/o"
expect "$tmp/o" "territories: none" "where: no territories"
expect "$tmp/o" "no check-ins" "where: no check-ins"
"$ctl" where +8613800000002 --json >"$tmp/j" || bad "where --json"
json_ok "$tmp/j" || bad "where --json invalid"
[ "$(json_get "$tmp/j" '[(c["ref"], c["verdict"], c["distance_m"], c["evidence"]) for c in d["checkins"]]')" = \
	"[('R1044', 'outside', 12345, 'outlet_code_only'), ('R1043', 'in_territory', 0, 'cell'), (None, 'unknown_outlet', None, 'outlet_code_only')]" ] &&
	ok "where --json rows" || { bad "where --json rows"; cat "$tmp/j"; }
[ "$(json_get "$tmp/j" 'd["checkins"][1]["outlet_name"] + " " + d["checkins"][1]["territory"] + " " + d["checkins"][1]["cell"]')" = "华联超市 JN-LX 460-0-10783-15437" ] &&
	ok "where --json outlet, territory, cell" || bad "where --json fields"
"$ctl" where +8613899999999 >/dev/null 2>"$tmp/e"
rc_is $? 1 "where: unknown number"
one_line "$tmp/e" "where: one line"
"$ctl" where >/dev/null 2>&1
rc_is $? 2 "where: no number"

"$ctl" checkins >"$tmp/o"
rc_is $? 0 "checkins"
[ "$(grep -c '+8613800000002' "$tmp/o")" -eq 3 ] && ok "checkins: all three" || bad "checkins: $(cat "$tmp/o")"
"$ctl" checkins --since 1h >"$tmp/o"
[ "$(grep -c '+8613800000002' "$tmp/o")" -eq 1 ] && ok "--since 1h" || bad "--since: $(cat "$tmp/o")"
expect "$tmp/o" "R1044" "--since keeps the newest"
"$ctl" checkins --verdict outside --json >"$tmp/j"
[ "$(json_get "$tmp/j" '[c["ref"] for c in d]')" = "['R1044']" ] && ok "--verdict outside" || bad "--verdict"
"$ctl" checkins --verdict in_territory --since 1d --json >"$tmp/j"
[ "$(json_get "$tmp/j" '[c["ref"] for c in d]')" = "['R1043']" ] && ok "--verdict and --since" || bad "--verdict --since"
"$ctl" checkins --rep +8613800000003 >"$tmp/o"
expect "$tmp/o" "no check-ins" "--rep with none"
"$ctl" checkins --verdict maybe >/dev/null 2>"$tmp/e"
rc_is $? 2 "bad verdict"
expect "$tmp/e" "bad verdict 'maybe'" "bad verdict said"
"$ctl" checkins --since yesterday >/dev/null 2>&1
rc_is $? 2 "bad --since"

# Counts by evidence strength for views and digests.
[ "$(sql "SELECT evidence || ':' || sum(checkins) FROM checkin_counts WHERE phone = '+8613800000002' GROUP BY evidence ORDER BY evidence")" = "$(printf 'cell:1\noutlet_code_only:2')" ] &&
	ok "checkin_counts by evidence" || bad "checkin_counts: $(sql 'SELECT * FROM checkin_counts')"

# The 0001 free-text territory keeps working next to the tree.
"$ctl" people add +8613800000005 '钱' --role rep --territory 'Old Town' >/dev/null || bad "people add --territory"
"$ctl" people list >"$tmp/o"
expect "$tmp/o" "@Old Town" "people list shows the old territory text"

exit $fail
