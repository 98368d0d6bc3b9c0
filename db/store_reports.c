/*
 * Reports, content alerts and rule reload requests (migration 0002).
 * Every statement is parameterized and prepared once per connection
 * (db_query()).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store.h"
#include "db/store_reports.h"

/* ---- reports ---------------------------------------------------------- */

int db_report_next_ref(struct db *db, int64_t *ret_n, struct db_error *err)
{
	static const char sql[] = "SELECT nextval('report_ref_seq')";

	db_error_clear(err);
	return db_query_id(db, sql, 0, NULL, ret_n, err);
}

static int ref_row(const PGresult *res, int i, void *elem, struct db_error *err)
{
	return db_get_int64(res, i, 0, elem, err);
}

static const struct db_row_type ref_type = {sizeof(int64_t), ref_row, NULL, 0};

int db_report_next_refs(
		struct db *db, size_t count, int64_t *out, struct db_error *err)
{
	static const char sql[] =
			"SELECT n FROM (SELECT nextval('report_ref_seq') AS n "
			"FROM generate_series(1, $1::int)) s ORDER BY n";
	char b[DB_NUM_MAX];
	const char *p[1];
	void *v = NULL;
	size_t n = 0, i;
	int r;

	db_error_clear(err);
	if (!out || count < 1 || count > 64)
		return db_invalid(err, "reference count");
	p[0] = db_param_num(b, (int64_t) count);
	r = db_query_rows(db, sql, 1, p, &ref_type, &v, &n, err);
	if (r < 0)
		return r;
	for (i = 0; i < n && i < count; i++)
		out[i] = ((int64_t *) v)[i];
	db_rows_free(&ref_type, v, n);
	return (int) i;
}

int db_report_insert(struct db *db, const struct db_report_new *rep,
		int64_t *ret_id, struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO reports (ref, form_id, person_id, sender, "
			"inbound_id, fields, raw_text, period, late, "
			"rules_hash, rules_version, sent_at) VALUES ($1, $2, "
			"$3::bigint, $4, $5::bigint, coalesce($6::jsonb, "
			"'{}'), $7, $8, $9::boolean, $10, $11, "
			"to_timestamp($12::float8)) RETURNING id";
	static const char sql_replace[] =
			"UPDATE reports SET status = 'replaced', "
			"replaced_by = $2::bigint, status_at = now() "
			"WHERE id = $1::bigint AND status = 'received'";
	char sender[DB_PHONE_MAX], b[4][DB_NUM_MAX];
	const char *p[12];
	int64_t id = 0;
	int r;

	db_error_clear(err);
	if (!rep || !rep->ref || !*rep->ref || !rep->form_id ||
			!*rep->form_id || !rep->raw_text || !rep->rules_hash)
		return db_invalid(err, "report");
	if (!rep->sender || db_phone_normalize(rep->sender, sender) < 0)
		snprintf(sender, sizeof(sender), "%s",
				rep->sender ? rep->sender : "");
	p[0] = rep->ref;
	p[1] = rep->form_id;
	p[2] = rep->person_id ? db_param_num(b[0], rep->person_id) : NULL;
	p[3] = sender;
	p[4] = rep->inbound_id ? db_param_num(b[1], rep->inbound_id) : NULL;
	p[5] = db_param_str_opt(rep->fields_json);
	p[6] = rep->raw_text;
	p[7] = rep->period ? rep->period : "";
	p[8] = db_param_bool(rep->late);
	p[9] = rep->rules_hash;
	p[10] = db_param_str_opt(rep->rules_version);
	p[11] = db_param_time_opt(b[2], rep->sent_at);
	r = db_query_id(db, sql, 12, p, &id, err);
	if (r < 0 && db_has_sqlstate(err, "23505"))
		return -EEXIST;
	if (r < 0)
		return r;
	if (rep->replaces_id) {
		p[0] = db_param_num(b[0], rep->replaces_id);
		p[1] = db_param_num(b[3], id);
		r = db_exec(db, sql_replace, 2, p, err);
		if (r < 0)
			return r;
	}
	if (ret_id)
		*ret_id = id;
	return 0;
}

static int finish_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	int64_t *o = elem;
	int r;

	if ((r = db_get_int64_opt(res, i, 0, 0, &o[0], err)) < 0 ||
			(r = db_get_int64_opt(res, i, 1, 0, &o[1], err)) < 0 ||
			(r = db_get_int64(res, i, 2, &o[2], err)) < 0)
		return r;
	return 0;
}

int db_report_finish(struct db *db, const struct db_report_new *rep,
		const struct db_outbound_new *reply, int64_t msg_id,
		const char *state, int64_t *ret_report_id, int64_t *ret_out_id,
		struct db_error *err)
{
	/* $1 NULL: no report; $14 NULL: no reply */
	static const char sql[] =
			"WITH rep AS (INSERT INTO reports (ref, form_id, "
			"person_id, sender, inbound_id, fields, raw_text, "
			"period, late, rules_hash, rules_version, sent_at) "
			"SELECT $1, $2, $3::bigint, $4, $5::bigint, "
			"coalesce($6::jsonb, '{}'), $7, $8, $9::boolean, $10, "
			"$11, to_timestamp($12::float8) WHERE $1::text IS NOT "
			"NULL RETURNING id), "
			"repl AS (UPDATE reports SET status = 'replaced', "
			"replaced_by = (SELECT id FROM rep), status_at = now() "
			"WHERE id = $13::bigint AND status = 'received' AND "
			"EXISTS (SELECT 1 FROM rep)), "
			"o AS (INSERT INTO outbound_messages (recipient, body, "
			"priority, kind, in_reply_to) SELECT $14, $15, "
			"$16::smallint, $17, $5::bigint WHERE $14::text IS NOT "
			"NULL ON CONFLICT (in_reply_to, kind) DO NOTHING "
			"RETURNING id), "
			"st AS (UPDATE inbound_messages SET state = $18, "
			"handle_error = NULL, handled_at = now() WHERE id = "
			"$5::bigint RETURNING id) "
			"SELECT (SELECT id FROM rep), (SELECT id FROM o), "
			"(SELECT count(*) FROM st)";
	char sender[DB_PHONE_MAX], to[DB_PHONE_MAX], b[6][DB_NUM_MAX];
	const char *p[18];
	int64_t out[3] = {0, 0, 0};
	int r;

	db_error_clear(err);
	if (msg_id <= 0 || !state ||
			(strcmp(state, "handled") && strcmp(state, "ignored")))
		return db_invalid(err, "message or state");
	memset(p, 0, sizeof(p));
	p[4] = db_param_num(b[0], msg_id);
	if (rep) {
		if (!rep->ref || !*rep->ref || !rep->form_id ||
				!*rep->form_id || !rep->raw_text ||
				!rep->rules_hash)
			return db_invalid(err, "report");
		if (!rep->sender || db_phone_normalize(rep->sender, sender) < 0)
			snprintf(sender, sizeof(sender), "%s",
					rep->sender ? rep->sender : "");
		p[0] = rep->ref;
		p[1] = rep->form_id;
		p[2] = rep->person_id ? db_param_num(b[1], rep->person_id)
				      : NULL;
		p[3] = sender;
		p[5] = db_param_str_opt(rep->fields_json);
		p[6] = rep->raw_text;
		p[7] = rep->period ? rep->period : "";
		p[8] = db_param_bool(rep->late);
		p[9] = rep->rules_hash;
		p[10] = db_param_str_opt(rep->rules_version);
		p[11] = db_param_time_opt(b[2], rep->sent_at);
		p[12] = rep->replaces_id ? db_param_num(b[3], rep->replaces_id)
					 : NULL;
	}
	if (reply) {
		if (reply->in_reply_to != msg_id || !reply->text ||
				reply->priority < 0 || reply->priority > 9 ||
				db_phone_normalize(reply->recipient, to) < 0)
			return db_invalid(err, "reply");
		p[13] = to;
		p[14] = reply->text;
		p[15] = db_param_num(b[4], reply->priority);
		p[16] = (reply->kind && *reply->kind) ? reply->kind : "ack";
	}
	p[17] = state;
	r = db_query_one(db, sql, 18, p, finish_row, out, err);
	if (r < 0 && db_has_sqlstate(err, "23505"))
		return -EEXIST;
	if (r < 0)
		return r;
	if (out[2] == 0) {
		db_set_error(err, NULL, "no inbound message %lld",
				(long long) msg_id);
		return -ENOENT;
	}
	if (ret_report_id)
		*ret_report_id = out[0];
	if (ret_out_id)
		*ret_out_id = out[1];
	return 0;
}

#define REPORT_COLS                                                            \
	"r.id, r.ref, r.form_id, r.person_id, coalesce(p.name, ''), "          \
	"r.sender, r.inbound_id, r.period, r.late, r.status, r.rules_hash, "   \
	"extract(epoch FROM r.sent_at), extract(epoch FROM r.received_at), "   \
	"r.fields::text, r.raw_text "                                          \
	"FROM reports r LEFT JOIN people p ON p.id = r.person_id "

static int report_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_report *o = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &o->id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, o->ref, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, o->form_id, err)) < 0 ||
			(r = db_get_int64_opt(res, i, 3, 0, &o->person_id,
					 err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 4, o->person_name, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 5, o->sender, err)) < 0 ||
			(r = db_get_int64_opt(res, i, 6, 0, &o->inbound_id,
					 err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 7, o->period, err)) < 0 ||
			(r = db_get_bool(res, i, 8, &o->late, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 9, o->status, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 10, o->rules_hash, err)) < 0 ||
			(r = db_get_time_opt(res, i, 11, &o->sent_at, err)) <
					0 ||
			(r = db_get_time_opt(res, i, 12, &o->received_at,
					 err)) < 0 ||
			(r = db_get_strdup(res, i, 13, &o->fields_json, err)) <
					0 ||
			(r = db_get_strdup(res, i, 14, &o->raw_text, err)) < 0)
		return r;
	return 0;
}

static const size_t report_owned[] = {
		offsetof(struct db_report, fields_json),
		offsetof(struct db_report, raw_text),
};
static const struct db_row_type report_type = {
		sizeof(struct db_report), report_row, report_owned, 2};

void db_report_done(struct db_report *rep)
{
	if (!rep)
		return;
	free(rep->fields_json);
	free(rep->raw_text);
	rep->fields_json = NULL;
	rep->raw_text = NULL;
}

void db_reports_free(struct db_report *reps, size_t count)
{
	db_rows_free(&report_type, reps, count);
}

/* One report from sql, or -ENOENT; a failed row frees its strings. */
static int report_one(struct db *db, const char *sql, int n,
		const char *const *p, struct db_report *ret,
		struct db_error *err)
{
	struct db_report rep = {0};
	int r;

	if (!ret)
		return db_invalid(err, "NULL output");
	r = db_query_one(db, sql, n, p, report_row, &rep, err);
	if (r < 0) {
		db_report_done(&rep);
		return r;
	}
	*ret = rep;
	return 0;
}

int db_report_prior(struct db *db, int64_t person_id, const char *form_id,
		const char *period, struct db_report *ret, struct db_error *err)
{
	static const char sql[] = "SELECT " REPORT_COLS
				  "WHERE r.person_id = $1::bigint AND "
				  "r.form_id = $2 AND r.period = $3 AND "
				  "r.status = 'received' "
				  "ORDER BY r.id DESC LIMIT 1";
	char b[DB_NUM_MAX];
	const char *p[3];

	db_error_clear(err);
	if (!form_id || !period)
		return db_invalid(err, "form or period");
	p[0] = db_param_num(b, person_id);
	p[1] = form_id;
	p[2] = period;
	return report_one(db, sql, 3, p, ret, err);
}

int db_report_last(struct db *db, int64_t person_id, struct db_report *ret,
		struct db_error *err)
{
	static const char sql[] = "SELECT " REPORT_COLS
				  "WHERE r.person_id = $1::bigint AND "
				  "r.status = 'received' "
				  "ORDER BY r.id DESC LIMIT 1";
	char b[DB_NUM_MAX];
	const char *p[1];

	db_error_clear(err);
	p[0] = db_param_num(b, person_id);
	return report_one(db, sql, 1, p, ret, err);
}

int db_report_by_ref(struct db *db, const char *ref, struct db_report *ret,
		struct db_error *err)
{
	static const char sql[] = "SELECT " REPORT_COLS "WHERE r.ref = $1";
	const char *p[1];

	db_error_clear(err);
	if (!ref)
		return db_invalid(err, "reference");
	p[0] = ref;
	return report_one(db, sql, 1, p, ret, err);
}

int db_report_set_status(struct db *db, int64_t id, const char *status,
		struct db_error *err)
{
	static const char sql[] =
			"UPDATE reports SET status = $2, status_at = now() "
			"WHERE id = $1::bigint";
	char b[DB_NUM_MAX];
	const char *p[2];
	int r;

	db_error_clear(err);
	if (!status || !*status)
		return db_invalid(err, "status");
	p[0] = db_param_num(b, id);
	p[1] = status;
	r = db_exec(db, sql, 2, p, err);
	if (r == 0) {
		db_set_error(err, NULL, "no report %lld", (long long) id);
		return -ENOENT;
	}
	return r < 0 ? r : 0;
}

static int history_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct {
		double avg;
		int count;
	} *o = elem;
	const char *s = PQgetisnull(res, i, 0) ? NULL : PQgetvalue(res, i, 0);
	int r;

	if ((r = db_get_int(res, i, 1, &o->count, err)) < 0)
		return r;
	o->avg = s ? strtod(s, NULL) : 0.0;
	return 0;
}

int db_report_history(struct db *db, int64_t person_id, const char *form_id,
		const char *field, int window_days, int64_t before,
		double *ret_avg, int *ret_count, struct db_error *err)
{
	/* Only values that are JSON numbers or numeric strings count. */
	static const char sql[] =
			"SELECT avg((fields->>$3)::numeric)::float8, "
			"count(*)::int FROM reports "
			"WHERE person_id = $1::bigint AND form_id = $2 AND "
			"status = 'received' AND "
			"received_at >= to_timestamp($5::float8) - "
			"make_interval(days => $4::int) AND "
			"received_at < to_timestamp($5::float8) AND "
			"(fields->>$3) ~ '^-?[0-9]+(\\.[0-9]+)?$'";
	char b[3][DB_NUM_MAX];
	const char *p[5];
	struct {
		double avg;
		int count;
	} out = {0};
	int r;

	db_error_clear(err);
	if (!form_id || !field || window_days <= 0)
		return db_invalid(err, "history");
	p[0] = db_param_num(b[0], person_id);
	p[1] = form_id;
	p[2] = field;
	p[3] = db_param_num(b[1], window_days);
	p[4] = db_param_num(b[2], before);
	r = db_query_one(db, sql, 5, p, history_row, &out, err);
	if (r < 0)
		return r;
	if (ret_avg)
		*ret_avg = out.avg;
	if (ret_count)
		*ret_count = out.count;
	return 0;
}

struct prior_history {
	struct db_report prior;
	bool found;
	double avg;
	int count;
};

static int prior_history_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct prior_history *o = elem;
	const char *a = PQgetisnull(res, i, 15) ? NULL : PQgetvalue(res, i, 15);
	int r;

	o->found = !PQgetisnull(res, i, 0);
	if (o->found && (r = report_row(res, i, &o->prior, err)) < 0)
		return r;
	if ((r = db_get_int(res, i, 16, &o->count, err)) < 0)
		return r;
	o->avg = a ? strtod(a, NULL) : 0.0;
	return 0;
}

int db_report_prior_history(struct db *db, int64_t person_id,
		const char *form_id, const char *period, const char *h_form,
		const char *h_field, int h_days, int64_t before,
		struct db_report *ret_prior, bool *ret_found, double *ret_avg,
		int *ret_count, struct db_error *err)
{
	static const char sql[] =
			"SELECT pr.*, h.a, h.c FROM (SELECT 1) one "
			"LEFT JOIN LATERAL (SELECT " REPORT_COLS
			"WHERE r.person_id = $1::bigint AND r.form_id = $2 AND "
			"r.period = $3 AND r.status = 'received' "
			"ORDER BY r.id DESC LIMIT 1) pr ON true "
			"CROSS JOIN LATERAL (SELECT "
			"avg((fields->>$5)::numeric)::float8 AS a, "
			"count(*)::int AS c FROM reports "
			"WHERE person_id = $1::bigint AND form_id = $4 AND "
			"status = 'received' AND "
			"received_at >= to_timestamp($7::float8) - "
			"make_interval(days => $6::int) AND "
			"received_at < to_timestamp($7::float8) AND "
			"(fields->>$5) ~ '^-?[0-9]+(\\.[0-9]+)?$') h";
	char b[3][DB_NUM_MAX];
	const char *p[7];
	struct prior_history out;
	int r;

	db_error_clear(err);
	if (!form_id || !period || !h_form || !h_field || h_days <= 0 ||
			!ret_prior || !ret_found)
		return db_invalid(err, "prior or history");
	memset(&out, 0, sizeof(out));
	p[0] = db_param_num(b[0], person_id);
	p[1] = form_id;
	p[2] = period;
	p[3] = h_form;
	p[4] = h_field;
	p[5] = db_param_num(b[1], h_days);
	p[6] = db_param_num(b[2], before);
	r = db_query_one(db, sql, 7, p, prior_history_row, &out, err);
	if (r < 0) {
		db_report_done(&out.prior);
		return r;
	}
	*ret_found = out.found;
	*ret_prior = out.prior;
	if (ret_avg)
		*ret_avg = out.avg;
	if (ret_count)
		*ret_count = out.count;
	return 0;
}

int db_reports_list(struct db *db, const struct db_report_filter *f,
		struct db_report **ret_reports, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] = "SELECT " REPORT_COLS
				  "WHERE ($1::text IS NULL OR r.sender = $1) "
				  "AND ($2::text IS NULL OR r.form_id = $2) "
				  "AND ($3::float8 IS NULL OR r.received_at >= "
				  "to_timestamp($3)) "
				  "ORDER BY r.id DESC LIMIT $4::int";
	char number[DB_PHONE_MAX], b[2][DB_NUM_MAX];
	const char *p[4];
	void *v;
	int r;

	db_error_clear(err);
	p[0] = NULL;
	if (f && f->number) {
		if (db_phone_normalize(f->number, number) < 0)
			return db_invalid(err, "number filter");
		p[0] = number;
	}
	p[1] = f ? db_param_str_opt(f->form_id) : NULL;
	p[2] = f ? db_param_time_opt(b[0], f->since) : NULL;
	p[3] = db_param_num(b[1], (f && f->limit) ? (int64_t) f->limit : 50);
	r = db_list_rows(db, sql, 4, p, &report_type, ret_reports ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_reports = v;
	return r;
}

/* ---- people by role ---------------------------------------------------- */

static int role_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_person *o = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &o->id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, o->phone, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, o->name, err)) < 0)
		return r;
	o->active = true;
	return 0;
}

static const struct db_row_type role_type = {
		sizeof(struct db_person), role_row, NULL, 0};

int db_people_with_role(struct db *db, enum db_role role,
		struct db_person **ret_people, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] = "SELECT id, phone, name FROM people "
				  "WHERE role = $1 AND active "
				  "ORDER BY name, id";
	const char *p[1];
	void *v;
	int r;

	db_error_clear(err);
	p[0] = db_role_name(role);
	if (!p[0])
		return db_invalid(err, "role");
	r = db_list_rows(db, sql, 1, p, &role_type, ret_people ? &v : NULL,
			ret_count, err);
	if (r >= 0) {
		struct db_person *people = v;
		size_t i;

		for (i = 0; i < *ret_count; i++)
			people[i].role = role;
		*ret_people = people;
	}
	return r;
}

/* ---- alerts ------------------------------------------------------------ */

int db_alert_insert(struct db *db, const struct db_alert_new *a,
		int64_t *ret_id, bool *ret_new, struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO alerts (alert_id, report_id, recipient, "
			"recipient_id, body, dedupe_key, due_at) "
			"SELECT $1, $2::bigint, $3, $4::bigint, $5, "
			"$6 || ':' || $3, least(now() + make_interval(secs "
			"=> $7::int), (SELECT min(due_at) FROM alerts WHERE "
			"recipient = $3 AND state = 'pending')) "
			"ON CONFLICT (dedupe_key) DO NOTHING RETURNING id";
	char to[DB_PHONE_MAX], b[3][DB_NUM_MAX];
	const char *p[7];
	int64_t id = 0;
	int r;

	db_error_clear(err);
	if (!a || !a->alert_id || !a->body || !a->dedupe_key ||
			a->batch_seconds < 0)
		return db_invalid(err, "alert");
	if (!a->recipient || db_phone_normalize(a->recipient, to) < 0)
		return db_invalid(err, "alert recipient");
	p[0] = a->alert_id;
	p[1] = a->report_id ? db_param_num(b[0], a->report_id) : NULL;
	p[2] = to;
	p[3] = a->recipient_id ? db_param_num(b[1], a->recipient_id) : NULL;
	p[4] = a->body;
	p[5] = a->dedupe_key;
	p[6] = db_param_num(b[2], a->batch_seconds);
	r = db_query_id(db, sql, 7, p, &id, err);
	if (r == -ENOENT) {
		db_error_clear(err);
		if (ret_new)
			*ret_new = false;
		if (ret_id)
			*ret_id = 0;
		return 0;
	}
	if (r < 0)
		return r;
	if (ret_new)
		*ret_new = true;
	if (ret_id)
		*ret_id = id;
	return 0;
}

int db_alert_next_due(struct db *db, int64_t *ret_due_ms, struct db_error *err)
{
	static const char sql[] =
			"SELECT coalesce((extract(epoch FROM min(due_at)) * "
			"1000)::bigint, 0) FROM alerts WHERE state = 'pending'";

	db_error_clear(err);
	return db_query_id(db, sql, 0, NULL, ret_due_ms, err);
}

static int item_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_alert_item *o = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &o->id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, o->recipient, err)) < 0 ||
			(r = db_get_strdup(res, i, 2, &o->body, err)) < 0)
		return r;
	return 0;
}

static const size_t item_owned[] = {offsetof(struct db_alert_item, body)};
static const struct db_row_type item_type = {
		sizeof(struct db_alert_item), item_row, item_owned, 1};

void db_alert_items_free(struct db_alert_item *items, size_t count)
{
	db_rows_free(&item_type, items, count);
}

int db_alerts_claim_due(struct db *db, size_t limit,
		struct db_alert_item **ret_items, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT id, recipient, body FROM alerts "
			"WHERE state = 'pending' AND recipient IN (SELECT "
			"recipient FROM alerts WHERE state = 'pending' AND "
			"due_at <= now()) ORDER BY recipient, created_at, id "
			"LIMIT $1::int FOR UPDATE SKIP LOCKED";
	char b[DB_NUM_MAX];
	const char *p[1];
	void *v;
	int r;

	p[0] = db_param_num(b, limit ? (int64_t) limit : 500);
	r = db_list_rows(db, sql, 1, p, &item_type, ret_items ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_items = v;
	return r;
}

int db_alerts_mark_sent(struct db *db, const int64_t *ids, size_t n,
		int64_t outbound_id, struct db_error *err)
{
	static const char sql[] =
			"UPDATE alerts SET state = 'sent', sent_at = now(), "
			"outbound_id = $2::bigint WHERE id = ANY($1::bigint[]) "
			"AND state = 'pending'";
	char b[DB_NUM_MAX], *arr;
	const char *p[2];
	int r;

	db_error_clear(err);
	if (!ids || !n)
		return db_invalid(err, "no alerts");
	arr = db_array_literal(ids, NULL, n);
	if (!arr)
		return db_oom(err);
	p[0] = arr;
	p[1] = db_param_num(b, outbound_id);
	r = db_exec(db, sql, 2, p, err);
	free(arr);
	return r;
}

/* ---- rule reloads ------------------------------------------------------- */

int db_rule_reload_request(struct db *db, const char *requested_by,
		int64_t *ret_id, struct db_error *err)
{
	static const char sql[] = "INSERT INTO rule_reload_requests "
				  "(requested_by) VALUES ($1) RETURNING id";
	const char *p[1];

	db_error_clear(err);
	p[0] = db_param_str_opt(requested_by);
	return db_query_id(db, sql, 1, p, ret_id, err);
}

int db_rule_reload_last_request(
		struct db *db, int64_t *ret_id, struct db_error *err)
{
	static const char sql[] =
			"SELECT coalesce(max(id), 0) FROM rule_reload_requests";

	db_error_clear(err);
	return db_query_id(db, sql, 0, NULL, ret_id, err);
}

static int reload_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_rule_reload_row *o = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &o->id, err)) < 0 ||
			(r = db_get_time_opt(res, i, 1, &o->at, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, o->daemon_host, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 3, o->sha256, err)) < 0 ||
			(r = db_get_bool(res, i, 4, &o->ok, err)) < 0 ||
			(r = db_get_strdup(res, i, 5, &o->errors, err)) < 0)
		return r;
	return 0;
}

static const size_t reload_owned[] = {
		offsetof(struct db_rule_reload_row, errors)};
static const struct db_row_type reload_type = {
		sizeof(struct db_rule_reload_row), reload_row, reload_owned, 1};

void db_rule_reload_rows_free(struct db_rule_reload_row *rows, size_t count)
{
	db_rows_free(&reload_type, rows, count);
}

int db_rule_reload_outcomes(struct db *db, int64_t request_id,
		struct db_rule_reload_row **ret_rows, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT id, extract(epoch FROM at), "
			"coalesce(daemon_host, ''), coalesce(sha256, ''), ok, "
			"errors FROM rule_reloads WHERE request_id = "
			"$1::bigint "
			"ORDER BY id";
	char b[DB_NUM_MAX];
	const char *p[1];
	void *v;
	int r;

	p[0] = db_param_num(b, request_id);
	r = db_list_rows(db, sql, 1, p, &reload_type, ret_rows ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_rows = v;
	return r;
}
