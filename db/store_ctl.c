/* fieldgatectl's extra queries (db/store_ctl.h). Every one parameterized. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store_ctl.h"

static int bool_cell(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	return db_get_bool(res, i, 0, elem, err);
}

static int int_cell(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	return db_get_int(res, i, 0, elem, err);
}

static int time_cell(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	return db_get_time_opt(res, i, 0, elem, err);
}

int db_ctl_schema_version(struct db *db, int *ret_version, struct db_error *err)
{
	/*
	 * to_regclass() is NULL when the table is missing, so a database
	 * never migrated is version 0 rather than an error; the max() runs
	 * only when the table exists (a second statement, since a missing
	 * table fails at parse time).
	 */
	static const char sql_exists[] =
			"SELECT to_regclass('schema_migrations') IS NOT NULL";
	static const char sql_max[] = "SELECT coalesce(max(version), 0) FROM "
				      "schema_migrations";
	bool exists;
	int r, v = 0;

	db_error_clear(err);
	if (!ret_version)
		return db_invalid(err, "NULL output");
	r = db_query_one(db, sql_exists, 0, NULL, bool_cell, &exists, err);
	if (r < 0)
		return r;
	if (exists) {
		r = db_query_one(db, sql_max, 0, NULL, int_cell, &v, err);
		if (r < 0)
			return r;
	}
	*ret_version = v;
	return 0;
}

static int ctl_part_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_ctl_part *pt = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &pt->message_id, err)) < 0 ||
			(r = db_get_int(res, i, 1, &pt->seq, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, pt->state, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 3, pt->modem, err)) < 0 ||
			(r = db_get_int_opt(res, i, 4, -1, &pt->mr, err)) < 0 ||
			(r = db_get_int(res, i, 5, &pt->attempts, err)) < 0 ||
			(r = db_get_int_opt(res, i, 6, -1, &pt->last_cms_error,
					 err)) < 0 ||
			(r = db_get_strdup(res, i, 7, &pt->last_error, err)) <
					0 ||
			(r = db_get_time_opt(res, i, 8, &pt->submitted_at,
					 err)) < 0 ||
			(r = db_get_time_opt(res, i, 9, &pt->delivered_at,
					 err)) < 0 ||
			(r = db_get_int_opt(res, i, 10, -1, &pt->report_status,
					 err)) < 0)
		return r;
	return 0;
}

static const size_t ctl_part_owned[] = {
		offsetof(struct db_ctl_part, last_error)};
static const struct db_row_type ctl_part_type = {
		sizeof(struct db_ctl_part), ctl_part_row, ctl_part_owned, 1};

void db_ctl_parts_free(struct db_ctl_part *parts, size_t count)
{
	db_rows_free(&ctl_part_type, parts, count);
}

int db_ctl_outbox_parts(struct db *db, const int64_t *ids, size_t n,
		struct db_ctl_part **ret_parts, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT message_id, seq, state, coalesce(modem, ''), "
			"mr, "
			"attempts, last_cms_error, last_error, "
			"extract(epoch FROM submitted_at), "
			"extract(epoch FROM delivered_at), report_status "
			"FROM outbound_parts WHERE message_id = ANY "
			"($1::bigint[]) "
			"ORDER BY message_id, seq";
	const char *p[1];
	char *arr;
	void *v;
	int r;

	db_error_clear(err);
	if (!ret_parts || !ret_count || (n && !ids))
		return db_invalid(err, "NULL argument");
	arr = db_array_literal(ids, NULL, n);
	if (!arr)
		return db_oom(err);
	p[0] = arr;
	r = db_query_rows(db, sql, 1, p, &ctl_part_type, &v, ret_count, err);
	free(arr);
	if (r >= 0)
		*ret_parts = v;
	return r;
}

static int depth_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_ctl_depth *d = elem;
	int r;

	if ((r = DB_GET_TEXT(res, i, 0, d->queue, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, d->state, err)) < 0 ||
			(r = db_get_int64(res, i, 2, &d->count, err)) < 0)
		return r;
	return 0;
}

static const struct db_row_type depth_type = {
		sizeof(struct db_ctl_depth), depth_row, NULL, 0};

int db_ctl_queue_depths(struct db *db, struct db_ctl_depth **ret_rows,
		size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
			"SELECT q, state, n FROM ("
			" SELECT 1 AS o, 'outbound' AS q, state, count(*) AS n "
			"  FROM outbound_messages GROUP BY state"
			" UNION ALL SELECT 2, 'outbound_parts', state, "
			"count(*) "
			"  FROM outbound_parts GROUP BY state"
			" UNION ALL SELECT 3, 'inbound', state, count(*) "
			"  FROM inbound_messages GROUP BY state"
			" UNION ALL SELECT 4, 'inbound_parts', CASE WHEN "
			"message_id "
			"  IS NULL THEN 'unassembled' ELSE 'assembled' END, "
			"count(*) "
			"  FROM inbound_parts GROUP BY 3"
			" UNION ALL SELECT 5, 'ussd', state, count(*) "
			"  FROM ussd_requests GROUP BY state"
			") d ORDER BY o, state";
	void *v;
	int r;

	r = db_list_rows(db, sql, 0, NULL, &depth_type, ret_rows ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_rows = v;
	return r;
}

int db_ctl_modem_names(struct db *db, char ***ret_names, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] = "SELECT DISTINCT modem FROM modem_status "
				  "ORDER BY modem";
	PGresult *res;
	size_t total = 0, off;
	char **names;
	int r, i, n;

	db_error_clear(err);
	if (!ret_names || !ret_count)
		return db_invalid(err, "NULL output");
	r = db_query(db, sql, 0, NULL, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	if (n < 0 || n > 100000) {
		PQclear(res);
		db_set_error(err, NULL, "unexpected row count %d", n);
		return -EPROTO;
	}
	for (i = 0; i < n; i++)
		total += strlen(PQgetvalue(res, i, 0)) + 1;
	off = (n ? (size_t) n : 1) * sizeof(char *);
	names = malloc(off + total);
	if (!names) {
		PQclear(res);
		return db_oom(err);
	}
	for (i = 0; i < n; i++) {
		const char *s = PQgetvalue(res, i, 0);
		size_t len = strlen(s) + 1;

		names[i] = (char *) names + off;
		memcpy(names[i], s, len);
		off += len;
	}
	PQclear(res);
	*ret_names = names;
	*ret_count = (size_t) n;
	return n;
}

int db_ctl_server_time(struct db *db, int64_t *ret_now, struct db_error *err)
{
	int64_t now;
	int r;

	db_error_clear(err);
	if (!ret_now)
		return db_invalid(err, "NULL output");
	r = db_query_one(db, "SELECT extract(epoch FROM now())", 0, NULL,
			time_cell, &now, err);
	if (r == 0)
		*ret_now = now;
	return r;
}
