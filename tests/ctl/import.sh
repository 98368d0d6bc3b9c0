#!/bin/sh
# fieldgatectl import/export: every kind of bad row reported with its line
# and nothing written; a good file imported twice gives the same rows;
# export -> import is lossless; --dry-run, stdin, --mcc, header optional.
NEED_PG=1 . "${top_srcdir:-$(dirname "$0")/../..}/tests/ctl/lib.sh"
"$ctl" db migrate >/dev/null || { echo "FAIL: migrate"; exit 1; }

cat >"$tmp/territories.csv" <<'EOF'
code,name,parent,time_zone,lat,lon,radius_m,lacs,neighbour_lacs,tolerance_m
CN,中国,,Asia/Shanghai,,,,,,
SD,山东,CN,,,,,,,
JN-LX,历下区,JN,,36.67,117.08,5000,10783,0x2A20,300
JN,济南,SD,,36.6512,117.1201,30000,0x2A1F;0x2A20,,500
QD,青岛,SD,,36.0671,120.3826,20000,0x3000
EOF
cat >"$tmp/people.csv" <<'EOF'
+86 138 0000 0002,王销售,rep,+8613800000001,JN-LX
+8613800000001,李主管,supervisor,,JN
+8613800000003,"Zhao, Jr.",rep,+8613800000001,JN-LX;QD
EOF
cat >"$tmp/outlets.csv" <<'EOF'
code,name,address,territory,lat,lon,phone
jn0231,华联超市,"历下区 泉城路 1号",JN-LX,36.671,117.081,+8653100000001
QD0001,"利群, ""商厦""",,QD,36.07,120.38,
JN0300,无坐标店,,JN
EOF
printf 'LTE,460,0,10783,15437,,117.081,36.672,1000,12,1,1500000000,1600000000,0\r\nGSM,460,0,12288,100,,120.38,36.07,2000,3,1,1500000000,1600000000,-80\r\nLTE,310,260,5,6,,-122.4,37.7,500,1,0,1500000000,1600000000,\r\n' >"$tmp/cells.csv"

snapshot() { # all place rows, in a stable order
	sql "SELECT t.code, t.name, coalesce(p.code, ''), t.time_zone, t.centre_lat, t.centre_lon, t.radius_m, t.lacs, t.neighbour_lacs, t.tolerance_m FROM territories t LEFT JOIN territories p ON p.id = t.parent_id ORDER BY 1"
	sql "SELECT p.phone, p.name, p.role, coalesce(s.phone, ''), coalesce(p.territory, ''), (SELECT string_agg(t.code, ';' ORDER BY pt.position) FROM people_territories pt JOIN territories t ON t.id = pt.territory_id WHERE pt.person_id = p.id) FROM people p LEFT JOIN people s ON s.id = p.supervisor_id ORDER BY 1"
	sql "SELECT o.code, o.name, o.address, t.code, o.lat, o.lon, o.phone FROM outlets o JOIN territories t ON t.id = o.territory_id ORDER BY 1"
	sql "SELECT radio, mcc, mnc, lac, cid, unit, lon, lat, range_m, samples, changeable, created, updated, average_signal FROM cells ORDER BY mcc, mnc, lac, cid"
}
count_all() {
	sql "SELECT (SELECT count(*) FROM territories) || '/' || (SELECT count(*) FROM people) || '/' || (SELECT count(*) FROM outlets) || '/' || (SELECT count(*) FROM cells) || '/' || (SELECT count(*) FROM people_territories)"
}

# --dry-run checks and writes nothing.
"$ctl" import territories "$tmp/territories.csv" --dry-run >"$tmp/o" 2>&1
rc_is $? 0 "dry run"
expect "$tmp/o" "territories: 5 rows: 5 new, 0 updated, 0 unchanged (dry run: nothing written)" "dry run said"
[ "$(count_all)" = "0/0/0/0/0" ] && ok "dry run wrote nothing" || bad "dry run wrote: $(count_all)"

# Good files (children before parents, LACs in hex, no header, CRLF).
for k in territories people outlets cells; do
	"$ctl" import $k "$tmp/$k.csv" >"$tmp/o.$k" 2>&1
	rc_is $? 0 "import $k"
done
expect "$tmp/o.territories" "territories: 5 rows: 5 new, 0 updated, 0 unchanged" "territories counted"
expect "$tmp/o.people" "people: 3 rows: 3 new" "people counted"
expect "$tmp/o.cells" "cells: 3 rows: 3 new" "cells counted"
[ "$(count_all)" = "5/3/3/3/4" ] && ok "rows stored" || bad "rows: $(count_all)"
[ "$(sql "SELECT p.code FROM territories t JOIN territories p ON p.id = t.parent_id WHERE t.code = 'JN-LX'")" = JN ] &&
	ok "parent defined later in the file" || bad "JN-LX parent"
[ "$(sql "SELECT lacs::text || neighbour_lacs::text FROM territories WHERE code = 'JN'")" = '{10783,10784}{}' ] &&
	ok "hex LACs stored as numbers" || bad "JN lacs"
[ "$(sql "SELECT s.phone FROM people p JOIN people s ON s.id = p.supervisor_id WHERE p.phone = '+8613800000002'")" = +8613800000001 ] &&
	ok "supervisor defined later in the file, phone normalized" || bad "supervisor link"
[ "$(sql "SELECT territory FROM people WHERE phone = '+8613800000003'")" = JN-LX ] &&
	ok "people.territory keeps the first code" || bad "people.territory"
[ "$(sql "SELECT code || '|' || name || '|' || address FROM outlets WHERE code = 'JN0231'")" = 'JN0231|华联超市|历下区 泉城路 1号' ] &&
	ok "outlet code upper-cased, quoted address" || bad "outlet row"
[ "$(sql "SELECT name FROM outlets WHERE code = 'QD0001'")" = '利群, "商厦"' ] &&
	ok "quotes and comma in a name" || bad "QD0001 name"

# Imported twice: the same rows, all unchanged.
snapshot >"$tmp/snap1"
for k in territories people outlets cells; do
	"$ctl" import $k "$tmp/$k.csv" >"$tmp/o.$k" 2>&1 || bad "re-import $k"
	expect "$tmp/o.$k" "0 new, 0 updated" "re-import $k: nothing new"
done
snapshot >"$tmp/snap2"
cmp -s "$tmp/snap1" "$tmp/snap2" && ok "second import: same rows" || { bad "rows changed"; diff "$tmp/snap1" "$tmp/snap2"; }
[ "$(count_all)" = "5/3/3/3/4" ] && ok "no duplicates" || bad "rows: $(count_all)"

# An update by natural key.
printf 'JN0231,华联超市(新),新地址,JN,36.671,117.081,\n' | "$ctl" import outlets - >"$tmp/o" 2>&1
rc_is $? 0 "update from stdin"
expect "$tmp/o" "outlets: 1 rows: 0 new, 1 updated, 0 unchanged" "update counted"
[ "$(sql "SELECT o.name || '|' || t.code || '|' || coalesce(o.phone, 'none') FROM outlets o JOIN territories t ON t.id = o.territory_id WHERE o.code = 'JN0231'")" = '华联超市(新)|JN|none' ] &&
	ok "outlet updated in place" || bad "outlet update"
"$ctl" import outlets "$tmp/outlets.csv" >/dev/null 2>&1 || bad "restore outlets"

# Export -> import round trip: the same text and no change.
for k in territories people outlets cells; do
	"$ctl" export $k >"$tmp/e1.$k" || bad "export $k"
	"$ctl" import $k "$tmp/e1.$k" >"$tmp/o" 2>&1 || { bad "import export $k"; cat "$tmp/o"; }
	expect "$tmp/o" "0 new, 0 updated" "export of $k re-imports unchanged"
	"$ctl" export $k "$tmp/e2.$k" || bad "export $k to a file"
	cmp -s "$tmp/e1.$k" "$tmp/e2.$k" && ok "export $k stable" || bad "export $k differs"
done
expect "$tmp/e1.cells" "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal" "cells header in OpenCellID order"
expect "$tmp/e1.cells" "LTE,460,0,10783,15437,,117.081,36.672,1000,12,1,1500000000,1600000000,0" "cell row as given"
expect "$tmp/e1.outlets" '"利群, ""商厦"""' "RFC 4180 quoting on export"
# into an empty database the export recreates everything
snapshot >"$tmp/snapA"
sql "SET client_min_messages = warning; TRUNCATE checkins, people_territories, outlets, cells, territories, people CASCADE"
for k in territories people outlets cells; do
	"$ctl" import $k "$tmp/e1.$k" >/dev/null 2>&1 || bad "import $k into empty"
done
snapshot >"$tmp/snapB"
cmp -s "$tmp/snapA" "$tmp/snapB" && ok "round trip into an empty database is lossless" ||
	{ bad "round trip lost something"; diff "$tmp/snapA" "$tmp/snapB"; }

# --mcc keeps one country.
sql "SET client_min_messages = warning; TRUNCATE cells CASCADE"
"$ctl" import cells "$tmp/cells.csv" --mcc 460 >"$tmp/o" 2>&1
rc_is $? 0 "--mcc 460"
expect "$tmp/o" "cells: 2 rows: 2 new, 0 updated, 0 unchanged, 1 skipped (mcc)" "--mcc said"
[ "$(sql 'SELECT count(*) FROM cells WHERE mcc <> 460')" = 0 ] && ok "--mcc filtered" || bad "--mcc kept others"

# Bad rows: each reported with its line, then a count; nothing written.
before=$(snapshot | md5sum)
bad_import() { # kind file want-substring description
	"$ctl" import "$1" "$2" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	rc_is $rc 1 "$4: refused"
	expect "$tmp/err" "$3" "$4: reported"
	expect "$tmp/err" "nothing imported" "$4: nothing imported said"
	[ "$(snapshot | md5sum)" = "$before" ] && ok "$4: nothing written" || bad "$4: rows changed"
}
printf 'code,name,parent,time_zone,lat,lon,radius_m,lacs\nX1,Name,,,,,,\nX2,Name,,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:3: wrong column count: 4, want 8 to 10" "wrong column count"
printf 'X1,,,,,,,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:1: column 2 (name) is empty" "missing column value"
printf 'X1,N,,,36.6,abc,100,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:1: column 6 (lon): bad number 'abc'" "bad number"
printf 'X1,N,,,36.6,117,100,12;zz9\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:1: column 8 (lacs): bad LAC 'zz9'" "bad LAC"
printf 'X1,N,NOPE,,,,,\nX2,N,X1,,,,,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:1: unknown parent NOPE (not in the file nor the database)" "unknown parent"
printf 'X1,N,X2,,,,,\nX2,N,X3,,,,,\nX3,N,X1,,,,,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:1: cycle in the territory tree: X1 -> X2 -> X3 -> X1" "cycle"
expect "$tmp/err" "b:3: cycle in the territory tree: X3 -> X1 -> X2 -> X3" "every line of the cycle"
expect "$tmp/err" "3 bad rows" "cycle count"
# a cycle through existing rows: CN's parent becomes JN-LX (below it)
printf 'CN,中国,JN-LX,Asia/Shanghai,,,,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:1: cycle in the territory tree: CN -> JN-LX -> JN -> SD -> CN" "cycle through the database"
printf 'X1,N,,Mars/Olympus,,,,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:1: unknown time zone Mars/Olympus" "unknown time zone"
printf 'X1,N,,,,,,\nX2,N,,,,,,\nX1,N2,,,,,,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:3: duplicate code X1 (first on line 1)" "duplicate key"
printf 'X1,N\377\376,,,,,,\nX2,ok,,,,,,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:1: field 2: invalid UTF-8 at byte 2" "bad UTF-8"
printf 'X1,"N,,,,,,\n' >"$tmp/b"
bad_import territories "$tmp/b" "b:1: unterminated quote (opened on line 1)" "unterminated quote"
printf '+8613800000009,A,rep,+8613899999999,\n+8613800000008,B,boss,,\n+8613800000007,C,rep,+8613800000002,\n+8613800000006,D,rep,,NOWHERE\n12x,E,rep,,\n' >"$tmp/b"
bad_import people "$tmp/b" "b:1: supervisor +8613899999999 is not registered" "unknown supervisor"
expect "$tmp/err" "b:2: column 3 (role): 'boss' is not rep, supervisor or admin" "bad role"
expect "$tmp/err" "b:3: supervisor +8613800000002 is a rep, not a supervisor" "supervisor who is a rep"
expect "$tmp/err" "b:4: unknown territory NOWHERE" "unknown territory"
expect "$tmp/err" "b:5: column 1 (phone): bad phone number '12x'" "bad phone"
expect "$tmp/err" "5 bad rows" "all five counted"
printf '+8613800000009,A,rep,,\n0086 13800000009,A2,rep,,\n' >"$tmp/b"
bad_import people "$tmp/b" "b:2: duplicate phone +8613800000009 (first on line 1)" "duplicate phone after normalization"
printf 'JN9999,X,,NOWHERE\nJN,X,,JN\nJN9998,X,,JN,36.6,\n' >"$tmp/b"
bad_import outlets "$tmp/b" "b:1: unknown territory NOWHERE" "outlet in an unknown territory"
expect "$tmp/err" "b:2: column 1 (code): 'JN' needs 2-16 characters and a digit" "outlet code shape"
expect "$tmp/err" "b:3: columns 5 and 6: give both lat and lon or neither" "half a position"
printf 'LTE,460,0,1,2,,117,36,10,1,1,0,0,0\nLTE,460,0,1,2,,117,36,10,1,1,0,0,0\nLTE,460,0,1,2,,117,36,10,1,1,0,0\nWIFI,460,0,1,3,,117,36,10,1,1,0,0,0\nLTE,460,0,1,4,,217,36,10,1,1,0,0,0\n' >"$tmp/b"
bad_import cells "$tmp/b" "b:2: duplicate cell 460-0-1-2 (first on line 1)" "duplicate cell"
expect "$tmp/err" "b:3: wrong column count: 13, want 14" "cell column count"
expect "$tmp/err" "b:4: column 1 (radio): unknown 'WIFI'" "cell radio"
expect "$tmp/err" "b:5: column 7 (lon): bad number '217'" "cell lon out of range"

# The report stops at --max-errors, then counts the rest.
awk 'BEGIN { for (i = 1; i <= 30; i++) printf "LTE,460,0,1,%d,,x,36,10,1,1,0,0,0\n", i }' >"$tmp/b"
"$ctl" import cells "$tmp/b" --max-errors 5 >/dev/null 2>"$tmp/err"
rc_is $? 1 "many bad rows"
[ "$(grep -c 'bad number' "$tmp/err")" -eq 5 ] && ok "5 reported" || bad "reported: $(cat "$tmp/err")"
expect "$tmp/err" "... and 25 more" "rest counted"
expect "$tmp/err" "30 bad rows in" "total said"

# Usage errors.
"$ctl" import places "$tmp/b" >/dev/null 2>&1
rc_is $? 2 "unknown kind"
"$ctl" import outlets "$tmp/b" --mcc 460 >/dev/null 2>&1
rc_is $? 2 "--mcc on outlets"
"$ctl" import cells "$tmp/nonexistent.csv" >/dev/null 2>"$tmp/err"
rc_is $? 1 "missing file"
one_line "$tmp/err" "missing file: one line"

exit $fail
