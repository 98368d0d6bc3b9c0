/* fieldgatectl's extra queries (db/store_ctl.h). Every one parameterized. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store_ctl.h"

static int invalid(struct db_error *err, const char *what)
{
	db_set_error(err, NULL, "invalid argument: %s", what);
	return -EINVAL;
}

static int oom(struct db_error *err)
{
	db_set_error(err, NULL, "out of memory");
	return -ENOMEM;
}

int db_ctl_schema_version(struct db *db, int *ret_version,
			  struct db_error *err)
{
	/*
	 * to_regclass() is NULL when the table is missing, so a database
	 * never migrated is version 0 rather than an error; the max() runs
	 * only when the table exists (a second statement, since a missing
	 * table fails at parse time).
	 */
	static const char sql_exists[] =
		"SELECT to_regclass('schema_migrations') IS NOT NULL";
	static const char sql_max[] =
		"SELECT coalesce(max(version), 0) FROM schema_migrations";
	PGresult *res;
	bool exists;
	int r, v = 0;

	db_error_clear(err);
	if (!ret_version)
		return invalid(err, "NULL output");
	r = db_query(db, sql_exists, 0, NULL, &res, err);
	if (r < 0)
		return r;
	r = db_get_bool(res, 0, 0, &exists, err);
	PQclear(res);
	if (r < 0)
		return r;
	if (exists) {
		r = db_query(db, sql_max, 0, NULL, &res, err);
		if (r < 0)
			return r;
		r = db_get_int(res, 0, 0, &v, err);
		PQclear(res);
		if (r < 0)
			return r;
	}
	*ret_version = v;
	return 0;
}

void db_ctl_parts_free(struct db_ctl_part *parts, size_t count)
{
	size_t i;

	if (!parts)
		return;
	for (i = 0; i < count; i++)
		free(parts[i].last_error);
	free(parts);
}

/*
 * "{1,2,3}": a bigint[] literal passed as ONE parameter, so the statement
 * stays parameterized whatever the number of ids. Caller frees.
 */
static char *id_array(const int64_t *ids, size_t n)
{
	char *s, *p;
	size_t i;

	/* braces, NUL, and each id with its comma */
	s = malloc(3 + n * (DB_NUM_MAX + 1));
	if (!s)
		return NULL;
	p = s;
	*p++ = '{';
	for (i = 0; i < n; i++) {
		char b[DB_NUM_MAX];
		size_t len;

		db_fmt_int64(b, ids[i]);
		len = strlen(b);
		if (i)
			*p++ = ',';
		memcpy(p, b, len);
		p += len;
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

int db_ctl_outbox_parts(struct db *db, const int64_t *ids, size_t n,
			struct db_ctl_part **ret_parts, size_t *ret_count,
			struct db_error *err)
{
	static const char sql[] =
		"SELECT message_id, seq, state, coalesce(modem, ''), mr, "
		"attempts, last_cms_error, last_error, "
		"extract(epoch FROM submitted_at), "
		"extract(epoch FROM delivered_at), report_status "
		"FROM outbound_parts WHERE message_id = ANY ($1::bigint[]) "
		"ORDER BY message_id, seq";
	struct db_ctl_part *v;
	const char *p[1];
	PGresult *res;
	char *arr;
	int r, i, cnt;

	db_error_clear(err);
	if (!ret_parts || !ret_count || (n && !ids))
		return invalid(err, "NULL argument");
	arr = id_array(ids, n);
	if (!arr)
		return oom(err);
	p[0] = arr;
	r = db_query(db, sql, 1, p, &res, err);
	free(arr);
	if (r < 0)
		return r;
	cnt = PQntuples(res);
	v = calloc(cnt ? (size_t)cnt : 1, sizeof(*v));
	if (!v) {
		PQclear(res);
		return oom(err);
	}
	for (i = 0; i < cnt; i++) {
		struct db_ctl_part *pt = &v[i];

		if ((r = db_get_int64(res, i, 0, &pt->message_id, err)) < 0 ||
		    (r = db_get_int(res, i, 1, &pt->seq, err)) < 0 ||
		    (r = db_get_text(res, i, 2, pt->state, sizeof(pt->state),
				     err)) < 0 ||
		    (r = db_get_text(res, i, 3, pt->modem, sizeof(pt->modem),
				     err)) < 0 ||
		    (r = db_get_int_opt(res, i, 4, -1, &pt->mr, err)) < 0 ||
		    (r = db_get_int(res, i, 5, &pt->attempts, err)) < 0 ||
		    (r = db_get_int_opt(res, i, 6, -1, &pt->last_cms_error,
					err)) < 0 ||
		    (r = db_get_strdup(res, i, 7, &pt->last_error, err)) < 0 ||
		    (r = db_get_time_opt(res, i, 8, &pt->submitted_at,
					 err)) < 0 ||
		    (r = db_get_time_opt(res, i, 9, &pt->delivered_at,
					 err)) < 0 ||
		    (r = db_get_int_opt(res, i, 10, -1, &pt->report_status,
					err)) < 0) {
			db_ctl_parts_free(v, (size_t)cnt);
			PQclear(res);
			return r;
		}
	}
	PQclear(res);
	*ret_parts = v;
	*ret_count = (size_t)cnt;
	return cnt;
}

int db_ctl_queue_depths(struct db *db, struct db_ctl_depth **ret_rows,
			size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
		"SELECT q, state, n FROM ("
		" SELECT 1 AS o, 'outbound' AS q, state, count(*) AS n "
		"  FROM outbound_messages GROUP BY state"
		" UNION ALL SELECT 2, 'outbound_parts', state, count(*) "
		"  FROM outbound_parts GROUP BY state"
		" UNION ALL SELECT 3, 'inbound', state, count(*) "
		"  FROM inbound_messages GROUP BY state"
		" UNION ALL SELECT 4, 'inbound_parts', CASE WHEN message_id "
		"  IS NULL THEN 'unassembled' ELSE 'assembled' END, count(*) "
		"  FROM inbound_parts GROUP BY 3"
		" UNION ALL SELECT 5, 'ussd', state, count(*) "
		"  FROM ussd_requests GROUP BY state"
		") d ORDER BY o, state";
	struct db_ctl_depth *v;
	PGresult *res;
	int r, i, n;

	db_error_clear(err);
	if (!ret_rows || !ret_count)
		return invalid(err, "NULL output");
	r = db_query(db, sql, 0, NULL, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	v = calloc(n ? (size_t)n : 1, sizeof(*v));
	if (!v) {
		PQclear(res);
		return oom(err);
	}
	for (i = 0; i < n; i++) {
		if ((r = db_get_text(res, i, 0, v[i].queue,
				     sizeof(v[i].queue), err)) < 0 ||
		    (r = db_get_text(res, i, 1, v[i].state,
				     sizeof(v[i].state), err)) < 0 ||
		    (r = db_get_int64(res, i, 2, &v[i].count, err)) < 0) {
			free(v);
			PQclear(res);
			return r;
		}
	}
	PQclear(res);
	*ret_rows = v;
	*ret_count = (size_t)n;
	return n;
}

int db_ctl_modem_names(struct db *db, char ***ret_names, size_t *ret_count,
		       struct db_error *err)
{
	static const char sql[] =
		"SELECT DISTINCT modem FROM modem_status ORDER BY modem";
	PGresult *res;
	size_t total = 0, off;
	char **names;
	int r, i, n;

	db_error_clear(err);
	if (!ret_names || !ret_count)
		return invalid(err, "NULL output");
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
	off = (n ? (size_t)n : 1) * sizeof(char *);
	names = malloc(off + total);
	if (!names) {
		PQclear(res);
		return oom(err);
	}
	for (i = 0; i < n; i++) {
		const char *s = PQgetvalue(res, i, 0);
		size_t len = strlen(s) + 1;

		names[i] = (char *)names + off;
		memcpy(names[i], s, len);
		off += len;
	}
	PQclear(res);
	*ret_names = names;
	*ret_count = (size_t)n;
	return n;
}

int db_ctl_server_time(struct db *db, int64_t *ret_now, struct db_error *err)
{
	PGresult *res;
	int64_t now;
	int r;

	db_error_clear(err);
	if (!ret_now)
		return invalid(err, "NULL output");
	r = db_query(db, "SELECT extract(epoch FROM now())", 0, NULL, &res,
		     err);
	if (r < 0)
		return r;
	r = db_get_time_opt(res, 0, 0, &now, err);
	PQclear(res);
	if (r < 0)
		return r;
	*ret_now = now;
	return 0;
}
