/*
 * db/store_views.c - the dashboard views as tables for `fieldgatectl
 * report` (see store_views.h).
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store_views.h"

/* $1 team (phone or name, NULL = all), $2 week (NULL = this week) */
#define TEAM_FILTER(col)                                                       \
	"($1::text IS NULL OR " col " IN (SELECT c.person_id FROM "            \
	"person_chain c WHERE c.ancestor_id = (SELECT id FROM people "         \
	"WHERE phone = $1 OR name = $1 ORDER BY phone = $1 DESC, id "          \
	"LIMIT 1)))"

static const char sql_compliance[] =
		"SELECT c.week_start AS week, c.name AS rep, "
		"coalesce(s.name, '') AS supervisor, "
		"coalesce(c.territory_code, '') AS territory, c.due, "
		"c.on_time, c.late, c.missing, "
		"round(100.0 * c.on_time / nullif(c.due, 0))::int AS "
		"on_time_pct "
		"FROM compliance_week c LEFT JOIN people s ON s.id = "
		"c.supervisor_id WHERE c.week_start = CASE WHEN $2::text IS "
		"NULL "
		"THEN date_trunc('week', now())::date WHEN $2 ~ "
		"'^[0-9]{4}-W[0-9]{1,2}$' THEN to_date($2, 'IYYY-\"W\"IW') "
		"ELSE date_trunc('week', $2::date)::date END "
		"AND " TEAM_FILTER("c.person_id") " "
						  "ORDER BY supervisor, "
						  "c.name, c.person_id";

static const char sql_today[] =
		"SELECT t.name AS rep, t.phone, "
		"coalesce(t.territory_code, '') AS territory, "
		"coalesce(to_char(t.last_checkin_at AT TIME ZONE t.timezone, "
		"'HH24:MI'), '') AS checkin, "
		"coalesce(t.last_checkin_outlet_name, "
		"t.last_checkin_outlet_code, "
		"'') AS outlet, coalesce(t.last_checkin_verdict, '') AS "
		"verdict, "
		"t.checkins_today AS checkins, t.reports_today AS reports, "
		"array_to_string(t.report_forms_today, ' ') AS forms, "
		"t.on_leave, t.missing_checkin, t.missing_report "
		"FROM rep_today t WHERE $2::text IS NULL AND " TEAM_FILTER(
				"t.person_id") " ORDER BY t.name, t.person_id";

static const char sql_approvals[] =
		"SELECT coalesce(s.name, '') AS supervisor, a.ref, a.kind, "
		"a.form_id AS form, a.rep_name AS rep, "
		"to_char(a.received_at, 'YYYY-MM-DD HH24:MI') AS received, "
		"(extract(epoch FROM a.age) / 60)::int AS age_min, "
		"coalesce(a.raw_text, '') AS text "
		"FROM pending_approvals a LEFT JOIN people s ON s.id = "
		"a.supervisor_id WHERE $2::text IS NULL AND " TEAM_FILTER(
				"a.person_id") " ORDER BY a.received_at, a.ref";

static enum db_view_kind kind_of(Oid t)
{
	switch (t) {
	case 16: /* bool */
		return DB_VIEW_BOOL;
	case 20: /* int8 */
	case 21: /* int2 */
	case 23: /* int4 */
		return DB_VIEW_NUMBER;
	default:
		return DB_VIEW_TEXT;
	}
}

void db_view_table_free(struct db_view_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; t->cols && i < t->n_cols; i++)
		free(t->cols[i]);
	for (i = 0; t->cells && i < t->n_cols * t->n_rows; i++)
		free(t->cells[i]);
	free(t->cols);
	free(t->kinds);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

static int team_known(struct db *db, const char *team, struct db_error *err)
{
	static const char sql[] = "SELECT id FROM people WHERE phone = $1 OR "
				  "name = $1 LIMIT 1";
	const char *p[1] = {team};

	return db_query_id(db, sql, 1, p, NULL, err);
}

int db_view_report(struct db *db, enum db_view_report which, const char *team,
		const char *week, struct db_view_table *out,
		struct db_error *err)
{
	const char *sql = which == DB_VIEW_COMPLIANCE ? sql_compliance
			  : which == DB_VIEW_TODAY    ? sql_today
						      : sql_approvals;
	const char *p[2] = {team, which == DB_VIEW_COMPLIANCE ? week : NULL};
	PGresult *res = NULL;
	size_t i, j, nr, nc;
	int r;

	db_error_clear(err);
	memset(out, 0, sizeof(*out));
	if (team) {
		r = team_known(db, team, err);
		if (r < 0)
			return r;
	}
	r = db_query(db, sql, 2, p, &res, err);
	if (r < 0)
		return r;
	nr = (size_t) PQntuples(res);
	nc = (size_t) PQnfields(res);
	/* freed by db_view_table_free() */
	out->cols = calloc(nc ? nc : 1, sizeof(*out->cols));
	out->kinds = calloc(nc ? nc : 1, sizeof(*out->kinds));
	out->cells = calloc((nr * nc) > 0 ? nr * nc : 1, sizeof(*out->cells));
	if (!out->cols || !out->kinds || !out->cells)
		goto oom;
	out->n_cols = nc;
	out->n_rows = nr;
	for (j = 0; j < nc; j++) {
		out->cols[j] = strdup(PQfname(res, (int) j));
		out->kinds[j] = kind_of(PQftype(res, (int) j));
		if (!out->cols[j])
			goto oom;
	}
	for (i = 0; i < nr; i++)
		for (j = 0; j < nc; j++) {
			if (PQgetisnull(res, (int) i, (int) j))
				continue;
			out->cells[i * nc + j] = strdup(
					PQgetvalue(res, (int) i, (int) j));
			if (!out->cells[i * nc + j])
				goto oom;
		}
	PQclear(res);
	return 0;
oom:
	PQclear(res);
	db_view_table_free(out);
	return db_oom(err);
}
