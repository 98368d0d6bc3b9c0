/*
 * db/store_sched.c - schedules: fire claims, catch-up start, the reps of
 * a fire with their day's facts, spot-check asks (db/store_sched.h).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store_sched.h"

int db_sched_since(struct db *db, const char *schedule_id, int64_t now,
		int64_t *ret_since, struct db_error *err)
{
	static const char ins[] =
			"INSERT INTO schedule_state (schedule_id, since) "
			"VALUES ($1, to_timestamp($2::float8)) "
			"ON CONFLICT (schedule_id) DO NOTHING";
	static const char sql[] =
			"SELECT extract(epoch FROM greatest(s.since, (SELECT "
			"max(fire_at) FROM schedule_fires f WHERE "
			"f.schedule_id = $1)))::bigint FROM schedule_state s "
			"WHERE s.schedule_id = $1";
	char b[DB_NUM_MAX];
	const char *p[2];
	int r;

	db_error_clear(err);
	if (!schedule_id || !*schedule_id)
		return db_invalid(err, "schedule id");
	p[0] = schedule_id;
	p[1] = db_param_num(b, now);
	r = db_exec(db, ins, 2, p, err);
	if (r < 0)
		return r;
	return db_query_id(db, sql, 1, p, ret_since, err);
}

int db_sched_claim(struct db *db, const char *schedule_id, int64_t fire_at,
		int64_t nominal_at, bool skipped, const char *claimed_by,
		const char *note, int64_t *ret_fire_id, bool *ret_claimed,
		struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO schedule_fires (schedule_id, fire_at, "
			"nominal_at, state, claimed_by, note) VALUES ($1, "
			"to_timestamp($2::float8), to_timestamp($3::float8), "
			"$4, $5, coalesce($6, '')) ON CONFLICT (schedule_id, "
			"fire_at) DO NOTHING RETURNING id";
	char b[2][DB_NUM_MAX];
	const char *p[6];
	int64_t id = 0;
	int r;

	db_error_clear(err);
	if (!schedule_id || !*schedule_id || !claimed_by)
		return db_invalid(err, "schedule claim");
	p[0] = schedule_id;
	p[1] = db_param_num(b[0], fire_at);
	p[2] = db_param_num(b[1], nominal_at);
	p[3] = skipped ? "skipped" : "done";
	p[4] = claimed_by;
	p[5] = note;
	r = db_query_id(db, sql, 6, p, &id, err);
	if (r == -ENOENT) {
		*ret_claimed = false;
		return 0;
	}
	if (r < 0)
		return r;
	*ret_claimed = true;
	if (ret_fire_id)
		*ret_fire_id = id;
	return 0;
}

int db_sched_fire_done(struct db *db, int64_t fire_id, int messages, int people,
		struct db_error *err)
{
	static const char sql[] = "UPDATE schedule_fires SET messages = $2, "
				  "people = $3 WHERE id = $1";
	char b[3][DB_NUM_MAX];
	const char *p[3];
	int r;

	db_error_clear(err);
	p[0] = db_param_num(b[0], fire_id);
	p[1] = db_param_num(b[1], messages < 0 ? 0 : messages);
	p[2] = db_param_num(b[2], people < 0 ? 0 : people);
	r = db_exec(db, sql, 3, p, err);
	return r < 0 ? r : 0;
}

/* ---- zones --------------------------------------------------------------- */

struct zone_row {
	char *zone;
};

static int zone_conv(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct zone_row *z = elem;

	return db_get_strdup(res, i, 0, &z->zone, err);
}

static const size_t zone_owned[] = {offsetof(struct zone_row, zone)};
static const struct db_row_type zone_type = {
		sizeof(struct zone_row), zone_conv, zone_owned, 1};

int db_sched_zones(struct db *db, const char *def, char ***ret_zones,
		size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
			"SELECT DISTINCT CASE WHEN z.territory_id IS NULL THEN "
			"$1 ELSE z.timezone END FROM people p JOIN person_zone "
			"z ON z.person_id = p.id WHERE p.role = 'rep' AND "
			"p.active ORDER BY 1";
	const char *p[1];
	void *v = NULL;
	int r;

	db_error_clear(err);
	p[0] = def ? def : "";
	r = db_query_rows(db, sql, 1, p, &zone_type, &v, ret_count, err);
	if (r < 0)
		return r;
	/* struct zone_row is one pointer: the array is a char *[] */
	*ret_zones = v;
	return 0;
}

void db_sched_zones_free(char **zones, size_t count)
{
	size_t i;

	for (i = 0; zones && i < count; i++)
		free(zones[i]);
	free(zones);
}

/* ---- the reps of a fire ------------------------------------------------- */

static int rep_conv(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_sched_rep *o = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &o->id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, o->phone, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, o->name, err)) < 0 ||
			(r = db_get_int64_opt(res, i, 3, 0, &o->supervisor_id,
					 err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 4, o->supervisor_phone, err)) <
					0 ||
			(r = DB_GET_TEXT(res, i, 5, o->supervisor_name, err)) <
					0 ||
			(r = db_get_int(res, i, 6, &o->checkins, err)) < 0 ||
			(r = db_get_int(res, i, 7, &o->outside, err)) < 0 ||
			(r = db_get_int(res, i, 8, &o->reports, err)) < 0 ||
			(r = db_get_bool(res, i, 9, &o->reported, err)) < 0 ||
			(r = db_get_bool(res, i, 10, &o->on_leave, err)) < 0)
		return r;
	o->pending = 0;
	return 0;
}

static const struct db_row_type rep_type = {
		sizeof(struct db_sched_rep), rep_conv, NULL, 0};

/* Zone names and dates go into JSON: only these characters. */
static bool json_safe(const char *s)
{
	for (; s && *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"
			    "yz"
			    "0123456789/_+-*:.",
				    *s))
			return false;
	return s != NULL;
}

int db_sched_reps(struct db *db, const struct db_sched_day *days, size_t n_days,
		const char *def, const char *form,
		struct db_sched_rep **ret_reps, size_t *ret_count,
		struct db_error *err)
{
/* The reps' facts of the day, after "WITH z AS (...), r AS (...) ". */
#define REPS_Z                                                                 \
	"WITH z AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(zone "    \
	"text, s float8, e float8, d text)), "
#define REPS_FACTS                                                             \
	"SELECT r.id, r.phone, r.name, s.id, s.phone, s.name, "                \
	"(SELECT count(*) FROM checkins c WHERE c.person_id = "                \
	"r.id AND c.received_at >= to_timestamp(r.s) AND "                     \
	"c.received_at < to_timestamp(r.e))::int, "                            \
	"(SELECT count(*) FROM checkins c WHERE c.person_id = "                \
	"r.id AND c.received_at >= to_timestamp(r.s) AND "                     \
	"c.received_at < to_timestamp(r.e) AND c.verdict <> "                  \
	"'in_territory')::int, "                                               \
	"(SELECT count(*) FROM reports x WHERE x.person_id = "                 \
	"r.id AND x.status NOT IN ('withdrawn', 'replaced') "                  \
	"AND "                                                                 \
	"x.form_id NOT IN ('checkin', 'leave') AND "                           \
	"x.received_at >= to_timestamp(r.s) AND x.received_at "                \
	"< to_timestamp(r.e))::int, "                                          \
	"$3::text IS NOT NULL AND EXISTS (SELECT 1 FROM "                      \
	"reports "                                                             \
	"x WHERE x.person_id = r.id AND x.form_id = $3 AND "                   \
	"x.status NOT IN ('withdrawn', 'replaced') AND "                       \
	"(x.period = r.d OR "                                                  \
	"(x.received_at >= to_timestamp(r.s) AND x.received_at "               \
	"< to_timestamp(r.e)))), "                                             \
	"EXISTS (SELECT 1 FROM leave_requests m JOIN reports "                 \
	"mr ON mr.id = m.report_id AND mr.status = 'approved' "                \
	"WHERE m.person_id = r.id AND r.d::date BETWEEN "                      \
	"m.first_day AND m.last_day) "                                         \
	"FROM r LEFT JOIN people s ON s.id = r.supervisor_id "                 \
	"AND s.active ORDER BY s.id NULLS LAST, r.name, r.id"
	/* by zone (per-territory schedules) */
	static const char sql[] = REPS_Z
			"r AS (SELECT p.id, p.phone, p.name, p.supervisor_id, "
			"z.s, z.e, z.d FROM people p LEFT JOIN person_zone pz "
			"ON pz.person_id = p.id JOIN z ON z.zone = CASE WHEN "
			"pz.territory_id IS NULL THEN $2 ELSE pz.timezone END "
			"WHERE p.role = 'rep' AND p.active) " REPS_FACTS;
	/* everyone (one zone "*"): no person_zone */
	static const char sql_all[] = REPS_Z
			"r AS (SELECT p.id, p.phone, p.name, p.supervisor_id, "
			"z.s, z.e, z.d FROM people p CROSS JOIN z WHERE p.role "
			"= 'rep' AND p.active AND $2::text IS NOT "
			"NULL) " REPS_FACTS;
	char *json = NULL;
	bool all = true;
	size_t len = 0, cap, i;
	const char *p[3];
	void *v = NULL;
	int r;

	db_error_clear(err);
	if (!days || !n_days)
		return db_invalid(err, "schedule days");
	cap = 16 + n_days * 160;
	json = malloc(cap);
	if (!json)
		return db_oom(err);
	json[len++] = '[';
	for (i = 0; i < n_days; i++) {
		if (!json_safe(days[i].zone) || !json_safe(days[i].date) ||
				strlen(days[i].zone) > 64 ||
				strlen(days[i].date) > 16) {
			free(json);
			return db_invalid(err, "schedule zone");
		}
		len += (size_t) snprintf(json + len, cap - len,
				"%s{\"zone\":\"%s\",\"s\":%lld,\"e\":%lld,"
				"\"d\":\"%s\"}",
				i ? "," : "", days[i].zone,
				(long long) days[i].start,
				(long long) days[i].end, days[i].date);
	}
	json[len++] = ']';
	json[len] = '\0';
	p[0] = json;
	p[1] = def ? def : "";
	p[2] = form;
	for (i = 0; i < n_days; i++)
		all = all && !strcmp(days[i].zone, "*");
	r = db_query_rows(db, all ? sql_all : sql, 3, p, &rep_type, &v,
			ret_count, err);
	free(json);
	if (r < 0)
		return r;
	*ret_reps = v;
	return 0;
}

static int pend_conv(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_sched_pending *o = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &o->supervisor_id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, o->phone, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, o->ref, err)) < 0)
		return r;
	return 0;
}

static const struct db_row_type pend_type = {
		sizeof(struct db_sched_pending), pend_conv, NULL, 0};

int db_sched_pending(struct db *db, struct db_sched_pending **ret,
		size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
			"SELECT s.id, s.phone, v.ref FROM pending_approvals v "
			"JOIN people s ON s.id = v.supervisor_id AND s.active "
			"ORDER BY s.id, v.ref";
	void *v = NULL;
	int r;

	db_error_clear(err);
	r = db_query_rows(db, sql, 0, NULL, &pend_type, &v, ret_count, err);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

/* ---- spot checks -------------------------------------------------------- */

int db_spot_ask(struct db *db, int64_t fire_id, const char *schedule_id,
		int64_t person_id, int64_t delay_s, int64_t within_s,
		struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO spot_asks (fire_id, schedule_id, "
			"person_id, asked_at, due_at) VALUES ($1, $2, $3, "
			"now() + make_interval(secs => $4::int), now() + "
			"make_interval(secs => $4::int + $5::int)) "
			"ON CONFLICT (fire_id, person_id) DO NOTHING";
	char b[4][DB_NUM_MAX];
	const char *p[5];
	int r;

	db_error_clear(err);
	p[0] = db_param_num(b[0], fire_id);
	p[1] = schedule_id;
	p[2] = db_param_num(b[1], person_id);
	p[3] = db_param_num(b[2], delay_s);
	p[4] = db_param_num(b[3], within_s);
	r = db_exec(db, sql, 5, p, err);
	return r < 0 ? r : 0;
}

int db_spot_next_due(struct db *db, int64_t *ret_due, int64_t *ret_now,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT ceil(extract(epoch FROM min(due_at)) * 1000)"
			"::bigint - (extract(epoch FROM now()) * 1000)::bigint "
			"FROM spot_asks WHERE outcome IS NULL HAVING "
			"min(due_at) IS NOT NULL";
	int64_t ms = 0;
	int r;

	db_error_clear(err);
	r = db_query_id(db, sql, 0, NULL, &ms, err);
	if (r < 0)
		return r;
	*ret_due = ms; /* milliseconds from the database's now */
	if (ret_now)
		*ret_now = 0;
	return 0;
}

static int spot_conv(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_spot_result *o = elem;
	int r;

	if ((r = DB_GET_TEXT(res, i, 0, o->schedule_id, err)) < 0 ||
			(r = db_get_int64(res, i, 1, &o->person_id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, o->name, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 3, o->supervisor_phone, err)) <
					0 ||
			(r = db_get_int64_opt(res, i, 4, 0, &o->supervisor_id,
					 err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 5, o->outcome, err)) < 0)
		return r;
	return 0;
}

static const struct db_row_type spot_type = {
		sizeof(struct db_spot_result), spot_conv, NULL, 0};

int db_spot_resolve_due(struct db *db, struct db_spot_result **ret,
		size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
			"WITH d AS (SELECT id FROM spot_asks WHERE outcome IS "
			"NULL AND due_at <= now() ORDER BY due_at LIMIT 5000 "
			"FOR UPDATE SKIP LOCKED), u AS (UPDATE spot_asks a SET "
			"resolved_at = now(), outcome = CASE WHEN EXISTS "
			"(SELECT 1 FROM checkins c WHERE c.person_id = "
			"a.person_id AND c.received_at >= a.asked_at AND "
			"c.received_at <= a.due_at AND c.verdict = "
			"'in_territory') THEN 'ok' WHEN EXISTS (SELECT 1 FROM "
			"checkins c WHERE c.person_id = a.person_id AND "
			"c.received_at >= a.asked_at AND c.received_at <= "
			"a.due_at) THEN 'outside' ELSE 'missed' END FROM d "
			"WHERE a.id = d.id RETURNING a.schedule_id, "
			"a.person_id, a.outcome) "
			"SELECT u.schedule_id, u.person_id, p.name, "
			"coalesce(s.phone, ''), s.id, u.outcome FROM u JOIN "
			"people p ON p.id = u.person_id LEFT JOIN people s ON "
			"s.id = p.supervisor_id ORDER BY u.schedule_id, s.id, "
			"p.name";
	void *v = NULL;
	int r;

	db_error_clear(err);
	r = db_query_rows(db, sql, 0, NULL, &spot_type, &v, ret_count, err);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}
