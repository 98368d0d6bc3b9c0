#!/bin/sh
# fieldgate-web end to end: a throwaway PostgreSQL with the scripted week,
# the real server on 127.0.0.1. Login by SMS code (read from the outbound
# queue), a supervisor sees their chain only (403 on another team's rep),
# an admin sees all, five wrong codes lock the number, sessions expire,
# hostile requests get clean 4xx and the server lives on.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/web/lib.sh"
seed
sql "INSERT INTO people (id, phone, name, role, supervisor_id) VALUES
     (15, '+8613800000015', '<script>alert(1)</script>', 'rep', 2);
     INSERT INTO people_territories (person_id, territory_id)
       SELECT 15, id FROM territories WHERE code = 'JN';" >/dev/null
start_web main "login = { code_interval_s = 2; max_tries = 5; lock_s = 600; };"

# is GOT WANT WHAT
is() { if [ "$1" = "$2" ]; then ok "$3 ($1)"; else bad "$3: got $1, want $2"; fi; }
has() { if grep -qF -- "$1" "$tmp/body"; then ok "$2"; else bad "$2: no '$1'"; fi; }
hasnt() { if grep -qF -- "$1" "$tmp/body"; then bad "$2: '$1' found"; else ok "$2"; fi; }

is "$(get anon /today)" 303 "no session: redirected"
grep -qi '^location: /login' "$tmp/headers" && ok "to /login" || bad "not to /login"

# --- supervisor 李主管 (2): their chain only -------------------------------
login sup +8613800000002
grep -i '^set-cookie: fg_session=' "$tmp/headers" >"$tmp/cookie"
grep -q 'HttpOnly' "$tmp/cookie" && grep -q 'SameSite=Strict' "$tmp/cookie" &&
	ok "session cookie HttpOnly, SameSite=Strict" || bad "cookie flags: $(cat "$tmp/cookie")"
grep -q 'Secure' "$tmp/cookie" && bad "Secure without TLS" || ok "no Secure flag on plain HTTP"
n=$(sql "SELECT count(*) FROM outbound_messages WHERE recipient = '+8613800000002' AND kind = 'web-login'")
is "$n" 1 "one login SMS queued"
sql "SELECT code_sha256 FROM web_login_codes" | grep -q '^[0-9a-f]\{64\}$' && ok "code stored hashed" || bad "code not hashed"

is "$(get sup /today)" 200 "supervisor today"
has "王一" "own rep 王一 listed"
has "王二" "own rep 王二 listed"
hasnt "王三" "another team's rep not listed"
has '<tr class="missing"><td><a href="/rep?id=12">王二</a>' "王二 marked missing"
has "&lt;script&gt;alert(1)&lt;/script&gt;" "a rep named <script> shows as text"
hasnt "<script>" "no script element"
is "$(get sup '/rep?id=11')" 200 "own rep's page"
has "日报 1 2 3" "report fields on the rep page"
has "R9001" "today's report on the timeline"
is "$(get sup '/rep?id=13')" 403 "another team's rep: 403"
is "$(get sup '/rep?id=99999')" 403 "unknown rep: 403"
is "$(get sup '/health')" 403 "gateway health: admins only"
is "$(get sup '/approvals')" 200 "approvals"
has "周报" "pending weekly report"
is "$(get sup '/compliance?by=team')" 200 "compliance by team"
hasnt "赵主管" "another team not in the team table"
mon=$(sql "SELECT to_char(date_trunc('week', (now() AT TIME ZONE 'Asia/Shanghai')) - interval '7 days', 'YYYY-MM-DD')")
is "$(get sup "/compliance?week=$mon&format=csv")" 200 "compliance CSV"
grep -qi '^content-type: text/csv' "$tmp/headers" && ok "CSV content type" || bad "CSV content type"
grep -q '^王二,JN,12,7,1,4' "$tmp/body" && ok "CSV row of 王二: 12 due, 7 on time, 1 late, 4 missing" ||
	bad "CSV row: $(cat "$tmp/body")"
is "$(get sup "/compliance?week=2026-12-01")" 400 "a week that is not a Monday: 400"
is "$(get sup "/today?format=csv")" 200 "today CSV"
tr -d '\r' <"$tmp/body" | grep -q '^12,王二,JN,.*,1,1$' && ok "today CSV: 王二 missing both" || bad "today CSV: $(cat "$tmp/body")"
is "$(get sup '/today?lang=en')" 200 "English"
has ">Today<" "English title"
is "$(get sup '/today')" 200 "language kept by cookie"
has ">Today<" "still English"
get sup '/today?lang=zh' >/dev/null

# --- admin 总部 (1): everything -------------------------------------------
login adm +8613800000001
is "$(get adm /today)" 200 "admin today"
has "王三" "admin sees 王三"
has "王一" "admin sees 王一"
is "$(get adm '/rep?id=13')" 200 "admin: any rep"
is "$(get adm '/health')" 200 "admin: gateway health"
has "CMCC" "modem row"
is "$(get adm "/compliance?week=$mon&by=territory&format=csv")" 200 "territory CSV"
grep -q '^青岛,6,3,0,3' "$tmp/body" && ok "territory 青岛 6/3/0/3" || bad "territory CSV: $(cat "$tmp/body")"

# --- a rep may not log in; nothing is sent ---------------------------------
get rep /login >/dev/null; c=$(csrf_of)
is "$(post rep /login "phone=%2B8613800000011&csrf=$c")" 200 "rep asks for a code: same page"
is "$(sql "SELECT count(*) FROM outbound_messages WHERE recipient = '+8613800000011'")" 0 "no code for a rep"

# --- CSRF ------------------------------------------------------------------
is "$(post sup /logout "csrf=0000")" 403 "logout without the CSRF token: 403"
is "$(post anon2 /login "phone=%2B8613800000003&csrf=ffff")" 403 "login form without the CSRF cookie: 403"

# --- rate limit and lock ----------------------------------------------------
get lock /login >/dev/null; c=$(csrf_of)
is "$(post lock /login "phone=%2B8613800000003&csrf=$c")" 200 "code for 赵主管"
is "$(post lock /login "phone=%2B8613800000003&csrf=$c")" 429 "second code at once: rate limited"
good=$(last_code +8613800000003)
bad_code=$(printf '%06d' $(( (good + 1) % 1000000 )))
for i in 1 2 3 4; do
	is "$(post lock /login/verify "phone=%2B8613800000003&code=$bad_code&csrf=$c")" 401 "wrong code $i"
done
is "$(post lock /login/verify "phone=%2B8613800000003&code=$bad_code&csrf=$c")" 429 "wrong code 5: locked"
is "$(post lock /login/verify "phone=%2B8613800000003&code=$good&csrf=$c")" 429 "the right code while locked"
sleep 2
is "$(post lock /login "phone=%2B8613800000003&csrf=$c")" 429 "no new code while locked"
is "$(sql "SELECT count(*) FROM outbound_messages WHERE recipient = '+8613800000003'")" 1 "no SMS while locked"
is "$(sql "SELECT locked_until > now() + interval '500 seconds' FROM web_login_codes WHERE phone = '+8613800000003'")" t "locked for lock_s"

# --- hostile requests ---------------------------------------------------------
u="http://127.0.0.1:$port"
big=$(head -c 40000 /dev/zero | tr '\0' a)
s=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: x=$big" "$u/today")
case $s in 4??) ok "40 kB header: $s" ;; *) bad "40 kB header: $s" ;; esac
s=$(head -c 100000 /dev/zero | tr '\0' a | curl -s -o /dev/null -w '%{http_code}' --data-binary @- "$u/login")
is "$s" 413 "100 kB body"
is "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$u/../etc/passwd")" 400 "path with .."
is "$(curl -s -o /dev/null -w '%{http_code}' "$u/today?team=%FF")" 400 "bad UTF-8 in the query"
is "$(get sup "/today?team=1%27%20OR%201=1")" 400 "SQL in a parameter"
is "$(get sup "/rep?id=13%20OR%201=1")" 400 "SQL in the rep id"
is "$(get sup "/today?territory=QD")" 200 "another territory: no rows of another team"
hasnt "王三" "filter cannot widen the chain"
is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Cookie: fg_session' "$u/today")" 400 "malformed cookie"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: fg_session=$(printf 'z%.0s' $(seq 64))" "$u/today")" 303 "bogus session: to login"
is "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$u/today")" 405 "DELETE"
is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data x "$u/login")" 415 "POST that is not a form"
is "$(get sup /today)" 200 "server still serving"

# --- logout ---------------------------------------------------------------
get sup /today >/dev/null; c=$(csrf_of)
is "$(post sup /logout "csrf=$c")" 303 "logout"
is "$(get sup /today)" 303 "after logout: to login"

# --- sessions expire ----------------------------------------------------------
start_web short "login = { session_ttl_s = 1; code_interval_s = 0; };"
login exp +8613800000002
is "$(get exp /today)" 200 "fresh session"
sleep 2
is "$(get exp /today)" 303 "expired session: to login"

# --- TLS: the cookie gets Secure -------------------------------------------
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 \
		-keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
	start_web tls "tls_cert = \"$tmp/cert.pem\"; tls_key = \"$tmp/key.pem\"; login = { code_interval_s = 0; };"
	scheme=https
	login tlsjar +8613800000001
	grep -i '^set-cookie: fg_session=' "$tmp/headers" | grep -q 'Secure' &&
		ok "session cookie Secure under TLS" || bad "no Secure flag under TLS"
	is "$(get tlsjar /today)" 200 "today over HTTPS"
	is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/today")" 000 "plain HTTP on the TLS port: no answer"
	scheme=http
else
	bad "openssl missing: cannot test TLS"
fi

exit $fail
