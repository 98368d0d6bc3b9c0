/*
 * db/store_supervise.c - report decisions, notes, leave requests and the
 * supervisors' team / person lookups (see store_supervise.h).  "Within
 * the chain" is person_chain's definition, started from the actor (CHAIN_OF).
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store_supervise.h"

/*
 * The people under $N, transitively: person_chain's definition (0005)
 * started from the actor, so a command does not build every chain.
 */
#define CHAIN_OF(n)                                                            \
	"WITH RECURSIVE chain (id, depth) AS (SELECT id, 1 FROM people "       \
	"WHERE supervisor_id = " n "::bigint UNION ALL SELECT p.id, "          \
	"c.depth + 1 FROM people p JOIN chain c ON p.supervisor_id = c.id "    \
	"WHERE c.depth < 32) "

static int sup_report_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_sup_report *o = elem;
	int r;

	if ((r = DB_GET_TEXT(res, i, 0, o->rep_name, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, o->rep_phone, err)) < 0 ||
			(r = db_get_bool(res, i, 2, &o->in_chain, err)) < 0 ||
			(r = db_get_bool(res, i, 3, &o->is_leave, err)) < 0)
		return r;
	return 0;
}

int db_sup_report(struct db *db, int64_t report_id, int64_t actor_id, bool all,
		struct db_sup_report *out, struct db_error *err)
{
	static const char sql[] = CHAIN_OF(
			"$2") "SELECT coalesce(p.name, ''), "
			      "coalesce(p.phone, ''), "
			      "$3::boolean OR r.person_id IN (SELECT id FROM "
			      "chain), "
			      "EXISTS (SELECT 1 FROM leave_requests l "
			      "WHERE l.report_id = r.id) "
			      "FROM reports r LEFT JOIN people p ON p.id = "
			      "r.person_id "
			      "WHERE r.id = $1::bigint";
	char a[DB_NUM_MAX], b[DB_NUM_MAX];
	const char *p[3] = {db_param_num(a, report_id),
			db_param_num(b, actor_id), db_param_bool(all)};

	db_error_clear(err);
	memset(out, 0, sizeof(*out));
	return db_query_one(db, sql, 3, p, sup_report_row, out, err);
}

static int bool_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	return db_get_bool(res, i, 0, elem, err);
}

int db_sup_act(struct db *db, const struct db_sup_action *a, bool *ret_done,
		struct db_error *err)
{
	static const char sql[] =
			"WITH upd AS (UPDATE reports SET status = $8::text, "
			"decided_by = $4::bigint, decided_at = now(), "
			"decision_comment = nullif($6, '') "
			"WHERE id = $1::bigint AND $8::text IS NOT NULL AND "
			"status = 'received' RETURNING id) "
			"INSERT INTO report_actions (report_id, ref, action, "
			"actor_id, actor_phone, comment, refused, inbound_id) "
			"VALUES ($1::bigint, $2, $3, $4::bigint, $5, "
			"nullif($6, ''), CASE WHEN $7::text IS NOT NULL THEN "
			"$7::text WHEN $8::text IS NOT NULL AND NOT EXISTS "
			"(SELECT 1 FROM upd) THEN 'already_decided' END, "
			"$9::bigint) RETURNING refused IS NULL";
	char n1[DB_NUM_MAX], n4[DB_NUM_MAX], n9[DB_NUM_MAX];
	const char *status = NULL;
	const char *p[9];
	bool done = false;
	int r;

	db_error_clear(err);
	if (!a->refused && a->report_id) {
		if (!strcmp(a->action, "approve"))
			status = "approved";
		else if (!strcmp(a->action, "reject"))
			status = "rejected";
	}
	p[0] = a->report_id ? db_param_num(n1, a->report_id) : NULL;
	p[1] = a->ref;
	p[2] = a->action;
	p[3] = a->actor_id ? db_param_num(n4, a->actor_id) : NULL;
	p[4] = a->actor_phone;
	p[5] = a->comment ? a->comment : "";
	p[6] = a->refused;
	p[7] = status;
	p[8] = a->inbound_id ? db_param_num(n9, a->inbound_id) : NULL;
	r = db_query_one(db, sql, 9, p, bool_row, &done, err);
	if (r < 0)
		return r;
	if (ret_done)
		*ret_done = done;
	return 0;
}

int db_sup_request(struct db *db, int64_t report_id, int64_t person_id,
		int leave_days, const char *reason, struct db_error *err)
{
	static const char sql[] =
			"WITH f AS (UPDATE reports SET needs_approval = true "
			"WHERE id = $1::bigint RETURNING id, "
			"coalesce(sent_at, received_at) AS t) "
			"INSERT INTO leave_requests (report_id, person_id, "
			"first_day, days, reason) "
			"SELECT f.id, $2::bigint, (f.t AT TIME ZONE z.timezone)"
			"::date, $3::int, nullif($4, '') FROM f "
			"JOIN person_zone z ON z.person_id = $2::bigint "
			"WHERE $3::int > 0";
	char a[DB_NUM_MAX], b[DB_NUM_MAX], c[DB_NUM_MAX];
	const char *p[4] = {db_param_num(a, report_id),
			db_param_num(b, person_id), db_param_num(c, leave_days),
			reason ? reason : ""};
	PGresult *res = NULL;
	int r;

	db_error_clear(err);
	r = db_query(db, sql, 4, p, &res, err);
	PQclear(res);
	return r < 0 ? r : 0;
}

static int member_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_sup_member *o = elem;
	int r;

	if ((r = DB_GET_TEXT(res, i, 0, o->name, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, o->phone, err)) < 0 ||
			(r = db_get_bool(res, i, 2, &o->checked_in, err)) < 0 ||
			(r = db_get_bool(res, i, 3, &o->reported, err)) < 0 ||
			(r = db_get_bool(res, i, 4, &o->on_leave, err)) < 0)
		return r;
	return 0;
}

static const struct db_row_type member_type = {
		sizeof(struct db_sup_member), member_row, NULL, 0};

int db_sup_team(struct db *db, int64_t actor_id, bool all,
		struct db_sup_member **ret, size_t *ret_n, struct db_error *err)
{
	static const char sql[] = CHAIN_OF(
			"$1") "SELECT t.name, t.phone, t.checkins_today > 0, "
			      "NOT t.missing_report, t.on_leave FROM "
			      "(SELECT DISTINCT id FROM chain UNION SELECT id "
			      "FROM "
			      "people WHERE $2::boolean AND role = 'rep') c "
			      "CROSS JOIN LATERAL (SELECT * FROM rep_today r "
			      "WHERE "
			      "r.person_id = c.id) t ORDER BY t.name, "
			      "t.person_id";
	char a[DB_NUM_MAX];
	const char *p[2] = {db_param_num(a, actor_id), db_param_bool(all)};
	void *v = NULL;
	int r;

	r = db_list_rows(db, sql, 2, p, &member_type, &v, ret_n, err);
	if (r >= 0)
		*ret = v;
	return r < 0 ? r : 0;
}

static int person_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_sup_person *o = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &o->id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, o->name, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, o->phone, err)) < 0 ||
			(r = db_get_int(res, i, 3, &o->checkins_today, err)) <
					0 ||
			(r = db_get_int(res, i, 4, &o->reports_today, err)) <
					0 ||
			(r = DB_GET_TEXT(res, i, 5, o->outlet, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 6, o->checkin_time, err)) <
					0 ||
			(r = DB_GET_TEXT(res, i, 7, o->verdict, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 8, o->forms, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 9, o->latest_ref, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 10, o->latest_form, err)) <
					0 ||
			(r = DB_GET_TEXT(res, i, 11, o->latest_status, err)) <
					0 ||
			(r = db_get_bool(res, i, 12, &o->on_leave, err)) < 0 ||
			(r = db_get_int(res, i, 13, &o->pending, err)) < 0 ||
			(r = db_get_bool(res, i, 14, &o->in_chain, err)) < 0)
		return r;
	return 0;
}

int db_sup_person_find(struct db *db, const char *query, const char *phone,
		int64_t actor_id, bool all, struct db_sup_person *out,
		struct db_error *err)
{
	static const char sql[] = CHAIN_OF(
			"$3") "SELECT t.person_id, t.name, t.phone, "
			      "t.checkins_today, "
			      "t.reports_today, "
			      "coalesce(t.last_checkin_outlet_name, "
			      "t.last_checkin_outlet_code, ''), "
			      "coalesce(to_char(t.last_checkin_at AT TIME ZONE "
			      "t.timezone, 'HH24:MI'), ''), "
			      "coalesce(t.last_checkin_verdict, ''), "
			      "array_to_string(t.report_forms_today, ' '), "
			      "coalesce(h.ref, ''), coalesce(h.form_id, ''), "
			      "coalesce(h.status, ''), t.on_leave, "
			      "(SELECT count(*) FROM pending_approvals a "
			      "WHERE a.person_id = t.person_id)::int, "
			      "$4::boolean OR t.person_id = $3::bigint OR "
			      "t.person_id IN (SELECT id FROM chain) "
			      "FROM rep_today t LEFT JOIN LATERAL (SELECT "
			      "r.ref, "
			      "r.form_id, r.status FROM reports r WHERE "
			      "r.person_id "
			      "= "
			      "t.person_id AND r.form_id <> 'checkin' "
			      "AND r.status NOT IN ('withdrawn', 'replaced') "
			      "ORDER BY r.received_at DESC, r.id DESC LIMIT 1) "
			      "h "
			      "ON true WHERE t.phone = $1 OR t.name = $2 OR "
			      "(length($1) >= 7 AND right(t.phone, length($1)) "
			      "= $1) "
			      "ORDER BY (t.phone = $1) DESC, t.person_id LIMIT "
			      "1";
	char a[DB_NUM_MAX];
	const char *p[4] = {phone ? phone : "", query ? query : "",
			db_param_num(a, actor_id), db_param_bool(all)};

	db_error_clear(err);
	memset(out, 0, sizeof(*out));
	return db_query_one(db, sql, 4, p, person_row, out, err);
}
