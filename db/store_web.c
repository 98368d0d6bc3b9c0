/*
 * db/store_web.c: the web dashboard's queries (views only), login codes
 * and sessions (migration 0009). See db/store_web.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db_internal.h"
#include "db/store.h"
#include "db/store_web.h"

/* Rows of the viewer's chain; admins ($2) see every row. */
#define SCOPE(col)                                                             \
	"($2::boolean OR " col                                                 \
	" IN (SELECT pc.person_id FROM person_chain pc "                       \
	"WHERE pc.ancestor_id = $1::bigint) AND $3::text IS NOT NULL)"
#define LOCALTIME(col)                                                         \
	"to_char(" col " AT TIME ZONE $3::text, 'YYYY-MM-DD HH24:MI')"
#define TODAY_FILTER                                                           \
	" WHERE " SCOPE("r.person_id") " AND ($4::bigint IS NULL OR "          \
				       "r.person_id IN (SELECT pc2.person_id " \
				       "FROM person_chain pc2 WHERE "          \
				       "pc2.ancestor_id = $4::bigint AND "     \
				       "pc2.depth > 0)) AND ($5::text IS "     \
				       "NULL OR r.territory_code = $5::text)"

/* rep_today, a page of it; the last three columns are the totals of the
 * whole selection: reps, missing (not on leave), on leave. */
static const char sql_today[] =
		"SELECT r.person_id, r.name, r.territory_name, "
		"r.territory_code, " LOCALTIME(
				"r.last_checkin_at") ", "
						     "r.last_checkin_verdict, "
						     "r.last_checkin_outlet_"
						     "name, r.checkins_today, "
						     "r.reports_today, "
						     "array_to_string(r.report_"
						     "forms_today, ' '), "
						     "r.on_leave, "
						     "r.missing_checkin, "
						     "r.missing_report, "
						     "count(*) OVER (), "
						     "count(*) FILTER (WHERE "
						     "NOT r.on_leave AND "
						     "(r.missing_checkin "
						     "OR r.missing_report)) "
						     "OVER (), count(*) FILTER "
						     "(WHERE "
						     "r.on_leave) OVER () FROM "
						     "rep_today r" TODAY_FILTER
						     " ORDER BY r.name, "
						     "r.person_id LIMIT "
						     "$6::int OFFSET $7::int";

struct query {
	int nparams;
	const char *sql;
};

static const struct query queries[DB_WEB_N_QUERIES] = {
		[DB_WEB_TODAY] = {7, sql_today},
		/* Team names are people's names: the one read outside the
		 * views (the viewer's identity is the other). */
		[DB_WEB_TEAMS] = {3,
				"SELECT p.id, p.name FROM people p WHERE "
				"p.role IN ('supervisor', 'admin') AND "
				"p.active "
				"AND EXISTS (SELECT 1 FROM people r WHERE "
				"r.supervisor_id = p.id AND r.role = 'rep') "
				"AND " SCOPE("p.id") " ORDER BY 2, 1"},
		[DB_WEB_TERRITORIES] = {3,
				"SELECT DISTINCT z.territory_code, "
				"z.territory_name FROM person_zone z WHERE "
				"z.territory_code IS NOT NULL AND " SCOPE(
						"z.person_id") " ORDER BY 2, "
							       "1"},
		[DB_WEB_REP] = {4, "SELECT r.person_id, r.name, r.phone, "
				   "r.territory_name, r.timezone, "
				   "r.on_leave FROM rep_today r WHERE "
				   "r.person_id = $4::bigint AND " SCOPE(
						   "r.person_id")},
		[DB_WEB_REP_HISTORY] = {4,
				"SELECT " LOCALTIME(
						"h.at") ", h.kind, h.ref, "
							"h.summary, h.verdict, "
							"h.status FROM "
							"rep_history h "
							"WHERE h.person_id = "
							"$4::bigint AND " SCOPE(
									"h."
									"person"
									"_"
									"id") " ORDER "
									      "BY h.at "
									      "DESC "
									      "LIMIT "
									      "500"},
		[DB_WEB_COMPL_REP] = {4,
				"SELECT c.person_id, c.name, c.territory_code, "
				"c.due, c.on_time, c.late, c.missing FROM "
				"compliance_week c WHERE c.week_start = "
				"$4::date AND " SCOPE("c.person_id") " ORDER "
								     "BY "
								     "c.name, "
								     "c.person_"
								     "id"},
		[DB_WEB_COMPL_TEAM] = {4,
				"SELECT t.supervisor_id, t.supervisor_name, "
				"t.due, t.on_time, t.late, t.missing FROM "
				"compliance_week_team t WHERE t.week_start = "
				"$4::date AND " SCOPE(
						"t.supervisor_id") " "
								   "ORDER "
								   "BY "
								   "2, "
								   "1"},
		/* A supervisor's territories count their own chain only. */
		[DB_WEB_COMPL_TERR] = {4,
				"SELECT t.territory_code, t.territory_name, "
				"t.due, t.on_time, t.late, t.missing FROM "
				"compliance_week_territory t WHERE "
				"$2::boolean AND t.week_start = $4::date "
				"UNION ALL SELECT c.territory_code, "
				"max(c.territory_code), sum(c.due)::int, "
				"sum(c.on_time)::int, sum(c.late)::int, "
				"sum(c.missing)::int FROM compliance_week c "
				"WHERE NOT $2::boolean AND c.week_start = "
				"$4::date AND " SCOPE("c.person_id") " GROUP "
								     "BY "
								     "c."
								     "territory"
								     "_code "
								     "ORDER BY "
								     "1"},
		[DB_WEB_PENDING] = {3,
				"SELECT p.kind, p.ref, p.form_id, "
				"p.person_id, "
				"p.rep_name, " LOCALTIME(
						"p.received_at") ", "
								 "to_char("
								 "p.age, "
								 "'FMDD\"d"
								 "\" "
								 "HH24:MI')"
								 ", "
								 "p.raw_"
								 "text "
								 "FROM "
								 "pending_"
								 "approvals"
								 " p "
								 "WHERE"
								 " " SCOPE("p."
									   "per"
									   "son"
									   "_"
									   "id") " ORDER "
										 "BY "
										 "p."
										 "received"
										 "_at"},
		[DB_WEB_ALERTS] = {3,
				"SELECT a.day::text, sum(a.n)::int FROM "
				"alerts_daily a WHERE " SCOPE(
						"a.recipient_id") " AND a.day "
								  ">= "
								  "current_"
								  "date - 30 "
								  "GROUP BY "
								  "a.day "
								  "ORDER BY "
								  "a.day "
								  "DESC"},
		[DB_WEB_HEALTH] = {3,
				"SELECT g.modem, g.state, g.signal, "
				"g.operator, g.registered, g.queue_queued, "
				"" LOCALTIME("g.queue_oldest_at") ", "
								  "g.sim_"
								  "balance,"
								  " " LOCALTIME("g.balance_at") ", " LOCALTIME(
										  "g.last_rule_reload_at") ", g.last_rule_reload_ok FROM gateway_health g WHERE $2::boolean AND $1::bigint IS NOT NULL AND $3::text IS NOT NULL ORDER BY g.modem"},
		[DB_WEB_THIS_WEEK] = {3,
				"SELECT date_trunc('week', now() AT TIME ZONE "
				"$3::text)::date::text WHERE $1::bigint IS NOT "
				"NULL AND $2::boolean IS NOT NULL"},
};

int db_web_query_nparams(enum db_web_query q)
{
	if ((unsigned) q >= DB_WEB_N_QUERIES)
		return -1;
	return queries[q].nparams;
}

void db_web_table_free(struct db_web_table *t)
{
	size_t i;

	if (!t)
		return;
	if (t->names)
		for (i = 0; i < t->ncols; i++)
			free(t->names[i]);
	if (t->cells)
		for (i = 0; i < t->nrows * t->ncols; i++)
			free(t->cells[i]);
	free(t->names);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

const char *db_web_cell(const struct db_web_table *t, size_t row, size_t col)
{
	if (!t || row >= t->nrows || col >= t->ncols)
		return NULL;
	return t->cells[row * t->ncols + col];
}

static int table_from(const PGresult *res, struct db_web_table *t)
{
	size_t i, j;

	t->nrows = (size_t) PQntuples(res);
	t->ncols = (size_t) PQnfields(res);
	t->names = calloc(t->ncols ? t->ncols : 1, sizeof(char *));
	t->cells = calloc(t->nrows * t->ncols + 1, sizeof(char *));
	if (!t->names || !t->cells)
		return -ENOMEM;
	for (j = 0; j < t->ncols; j++)
		if (!(t->names[j] = strdup(PQfname(res, (int) j))))
			return -ENOMEM;
	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++) {
			if (PQgetisnull(res, (int) i, (int) j))
				continue;
			t->cells[i * t->ncols + j] = strdup(
					PQgetvalue(res, (int) i, (int) j));
			if (!t->cells[i * t->ncols + j])
				return -ENOMEM;
		}
	return 0;
}

int db_web_query(struct db *db, enum db_web_query q, const char *const *params,
		struct db_web_table *ret, struct db_error *err)
{
	struct db_web_table t = {0};
	PGresult *res = NULL;
	int r;

	db_error_clear(err);
	if (!db || (unsigned) q >= DB_WEB_N_QUERIES || !params || !ret)
		return db_invalid(err, "db_web_query");
	r = db_query(db, queries[q].sql, queries[q].nparams, params, &res, err);
	if (r < 0)
		return r;
	r = table_from(res, &t);
	PQclear(res);
	if (r < 0) {
		db_web_table_free(&t);
		return db_oom(err);
	}
	*ret = t;
	return 0;
}

/* ---- login codes ------------------------------------------------------ */

#define HASH(p) "encode(sha256(convert_to(" p "::text, 'UTF8')), 'hex')"

struct code_state {
	int64_t person_id;
	bool found;
	bool locked;
	bool recent;
};

static int who_row(const PGresult *res, int i, void *elem, struct db_error *err)
{
	return db_get_int64(res, i, 0, elem, err);
}

static int state_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct code_state *s = elem;
	int r;

	s->found = true;
	if ((r = db_get_bool(res, i, 0, &s->locked, err)) < 0)
		return r;
	return db_get_bool(res, i, 1, &s->recent, err);
}

int db_web_code_issue(struct db *db, const struct db_web_code_req *req,
		struct db_error *err)
{
	static const char sql_who[] =
			"SELECT id FROM people WHERE phone = $1 AND active AND "
			"role IN ('supervisor', 'admin')";
	static const char sql_state[] =
			"SELECT coalesce(locked_until > now(), false), sent_at "
			"> now() - make_interval(secs => $2::int) FROM "
			"web_login_codes WHERE phone = $1 FOR UPDATE";
	static const char sql_put[] =
			"INSERT INTO web_login_codes (phone, person_id, "
			"code_sha256, expires_at) VALUES ($1, "
			"$2::bigint, " HASH(
					"$3") ", now() + make_interval(secs => "
					      "$4::int)) ON CONFLICT (phone) "
					      "DO UPDATE SET person_id = "
					      "EXCLUDED.person_id, code_sha256 "
					      "= EXCLUDED.code_sha256, sent_at "
					      "= now(), expires_at = "
					      "EXCLUDED.expires_at, used = "
					      "false";
	char phone[DB_PHONE_MAX], b1[DB_NUM_MAX], b2[DB_NUM_MAX];
	struct code_state st = {0};
	struct db_outbound_new msg = {0};
	int64_t who = 0, out_id = 0;
	int r;

	db_error_clear(err);
	if (!db || !req || !req->phone || !req->code || !req->sms_text)
		return db_invalid(err, "db_web_code_issue");
	if (db_phone_normalize(req->phone, phone) < 0)
		return db_invalid(err, "phone");
	if ((r = db_begin(db, err)) < 0)
		return r;
	{
		const char *p[] = {phone};
		r = db_query_one(db, sql_who, 1, p, who_row, &who, err);
		if (r < 0)
			goto fail;
	}
	{
		const char *p[] = {phone, db_param_num(b1, req->interval_s)};
		r = db_query_one(db, sql_state, 2, p, state_row, &st, err);
		if (r < 0 && r != -ENOENT)
			goto fail;
	}
	if (st.locked) {
		r = -ENOLCK;
		db_set_error(err, NULL, "number locked");
		goto fail;
	}
	if (st.recent) {
		r = -EAGAIN;
		db_set_error(err, NULL, "a code was sent recently");
		goto fail;
	}
	{
		char b3[DB_NUM_MAX];
		const char *p[] = {phone, db_param_num(b2, who), req->code,
				db_param_num(b3, req->ttl_s)};
		r = db_exec(db, sql_put, 4, p, err);
		if (r < 0)
			goto fail;
	}
	msg.recipient = phone;
	msg.text = req->sms_text;
	msg.priority = DB_PRIO_ACK;
	msg.kind = "web-login";
	/* a login code is useless once expired: so is its SMS */
	msg.expires_at = (int64_t) time(NULL) + req->ttl_s;
	r = db_outbound_enqueue(db, &msg, &out_id, NULL, err);
	if (r < 0)
		goto fail;
	return db_commit(db, err);
fail:
	db_rollback(db, NULL);
	return r;
}

struct code_row {
	int64_t person_id;
	bool ok, expired, used, locked;
	int tries;
};

static int check_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct code_row *c = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &c->person_id, err)) < 0 ||
			(r = db_get_bool(res, i, 1, &c->ok, err)) < 0 ||
			(r = db_get_bool(res, i, 2, &c->expired, err)) < 0 ||
			(r = db_get_bool(res, i, 3, &c->used, err)) < 0 ||
			(r = db_get_bool(res, i, 4, &c->locked, err)) < 0)
		return r;
	return db_get_int(res, i, 5, &c->tries, err);
}

int db_web_code_check(struct db *db, const char *phone_in, const char *code,
		int max_tries, int lock_s, int64_t *ret_person_id,
		int *ret_tries_left, struct db_error *err)
{
	static const char sql_get[] = "SELECT person_id, code_sha256 = " HASH(
			"$2") ", expires_at <= now(), used, "
			      "coalesce(locked_until > now(), "
			      "false), tries FROM "
			      "web_login_codes WHERE phone = "
			      "$1 FOR UPDATE";
	static const char sql_ok[] =
			"UPDATE web_login_codes SET used = true, tries = 0 "
			"WHERE phone = $1";
	static const char sql_bad[] =
			"UPDATE web_login_codes SET tries = tries + 1 WHERE "
			"phone = $1";
	static const char sql_lock[] =
			"UPDATE web_login_codes SET tries = 0, used = true, "
			"locked_until = now() + make_interval(secs => $2::int) "
			"WHERE phone = $1";
	char phone[DB_PHONE_MAX], b[DB_NUM_MAX];
	struct code_row c = {0};
	int r, rr;

	db_error_clear(err);
	if (!db || !phone_in || !code || max_tries < 1)
		return db_invalid(err, "db_web_code_check");
	if (db_phone_normalize(phone_in, phone) < 0)
		return db_invalid(err, "phone");
	if ((r = db_begin(db, err)) < 0)
		return r;
	{
		const char *p[] = {phone, code};
		r = db_query_one(db, sql_get, 2, p, check_row, &c, err);
		if (r < 0)
			goto fail;
	}
	if (c.locked) {
		r = -ENOLCK;
		db_set_error(err, NULL, "number locked");
		goto fail;
	}
	if (c.ok && !c.expired && !c.used) {
		const char *p[] = {phone};
		if ((r = db_exec(db, sql_ok, 1, p, err)) < 0)
			goto fail;
		if ((r = db_commit(db, err)) < 0)
			return r;
		if (ret_person_id)
			*ret_person_id = c.person_id;
		return 0;
	}
	if (c.tries + 1 >= max_tries) {
		const char *p[] = {phone, db_param_num(b, lock_s)};
		rr = -ENOLCK;
		r = db_exec(db, sql_lock, 2, p, err);
	} else {
		const char *p[] = {phone};
		rr = (c.ok && (c.expired || c.used)) ? -ETIME : -EACCES;
		r = db_exec(db, sql_bad, 1, p, err);
	}
	if (r < 0)
		goto fail;
	if ((r = db_commit(db, err)) < 0)
		return r;
	if (ret_tries_left)
		*ret_tries_left = max_tries - c.tries - 1;
	db_set_error(err, NULL, "%s",
			rr == -ENOLCK ? "locked" : "wrong or expired code");
	return rr;
fail:
	db_rollback(db, NULL);
	return r;
}

/* ---- sessions --------------------------------------------------------- */

int db_web_session_create(struct db *db, const char *token, const char *csrf,
		int64_t person_id, int ttl_s, struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO web_sessions (token_sha256, person_id, "
			"csrf, expires_at) VALUES (" HASH(
					"$1") ", $2::bigint, $3, now() + "
					      "make_interval(secs => $4::int))";
	char b1[DB_NUM_MAX], b2[DB_NUM_MAX];
	const char *p[] = {token, db_param_num(b1, person_id), csrf,
			db_param_num(b2, ttl_s)};
	int r;

	db_error_clear(err);
	if (!db || !token || !csrf)
		return db_invalid(err, "db_web_session_create");
	r = db_exec(db, sql, 4, p, err);
	return r < 0 ? r : 0;
}

static int viewer_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_web_viewer *v = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &v->id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, v->name, err)) < 0 ||
			(r = db_get_bool(res, i, 2, &v->admin, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 3, v->tz, err)) < 0)
		return r;
	return DB_GET_TEXT(res, i, 4, v->csrf, err);
}

int db_web_session_get(struct db *db, const char *token,
		struct db_web_viewer *ret, struct db_error *err)
{
	/* The viewer's own territory gives the time zone (person_zone). */
	static const char sql[] =
			"SELECT p.id, p.name, p.role = 'admin', "
			"coalesce((SELECT z.timezone FROM person_zone z WHERE "
			"z.person_id = p.id), current_setting('TimeZone')), "
			"s.csrf FROM "
			"web_sessions s JOIN people p ON p.id = s.person_id "
			"WHERE s.token_sha256 = " HASH(
					"$1") " AND s.expires_at > now() AND "
					      "p.active AND p.role IN "
					      "('supervisor', 'admin')";
	struct db_web_viewer v = {0};
	const char *p[] = {token};
	int r;

	db_error_clear(err);
	if (!db || !token || !ret)
		return db_invalid(err, "db_web_session_get");
	r = db_query_one(db, sql, 1, p, viewer_row, &v, err);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int db_web_session_delete(
		struct db *db, const char *token, struct db_error *err)
{
	static const char sql[] =
			"DELETE FROM web_sessions WHERE token_sha256 = " HASH(
					"$1") " OR expires_at < now() - "
					      "interval '1 day'";
	const char *p[] = {token};
	int r;

	db_error_clear(err);
	if (!db || !token)
		return db_invalid(err, "db_web_session_delete");
	r = db_exec(db, sql, 1, p, err);
	return r < 0 ? r : 0;
}
