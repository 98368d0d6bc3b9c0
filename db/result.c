/*
 * Strict conversions of text-format results (no atoi: bad data is -EPROTO),
 * and the statement runners every store function is built on.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"

static int bad(const PGresult *res, int col, const char *what,
		struct db_error *err)
{
	const char *name = PQfname(res, col);

	db_set_error(err, NULL, "column '%s': %s", name ? name : "?", what);
	return -EPROTO;
}

static int cell(const PGresult *res, int row, int col, const char **ret,
		struct db_error *err)
{
	if (row < 0 || row >= PQntuples(res) || col < 0 ||
			col >= PQnfields(res)) {
		db_set_error(err, NULL, "no cell %d,%d in result", row, col);
		return -EPROTO;
	}
	*ret = PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
	return 0;
}

static int parse_int64(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -EPROTO;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -EPROTO;
	*ret = v;
	return 0;
}

/*
 * -EPROTO when the cell is NULL, for the strict getters; a cell out of
 * range is left to the *_opt getter to report.
 */
static int not_null(const PGresult *res, int row, int col, struct db_error *err)
{
	if (row < PQntuples(res) && col < PQnfields(res) &&
			PQgetisnull(res, row, col))
		return bad(res, col, "unexpected NULL", err);
	return 0;
}

int db_get_int64_opt(const PGresult *res, int row, int col, int64_t dflt,
		int64_t *ret, struct db_error *err)
{
	const char *s;
	int64_t v;
	int r = cell(res, row, col, &s, err);

	if (r < 0)
		return r;
	if (!s) {
		*ret = dflt;
		return 0;
	}
	if (parse_int64(s, &v) < 0)
		return bad(res, col, "not an integer", err);
	*ret = v;
	return 0;
}

int db_get_int64(const PGresult *res, int row, int col, int64_t *ret,
		struct db_error *err)
{
	int r = not_null(res, row, col, err);

	return r < 0 ? r : db_get_int64_opt(res, row, col, 0, ret, err);
}

int db_get_int_opt(const PGresult *res, int row, int col, int dflt, int *ret,
		struct db_error *err)
{
	int64_t v;
	int r = db_get_int64_opt(res, row, col, dflt, &v, err);

	if (r < 0)
		return r;
	if (v < INT_MIN || v > INT_MAX)
		return bad(res, col, "integer out of range", err);
	*ret = (int) v;
	return 0;
}

int db_get_int(const PGresult *res, int row, int col, int *ret,
		struct db_error *err)
{
	int r = not_null(res, row, col, err);

	return r < 0 ? r : db_get_int_opt(res, row, col, 0, ret, err);
}

int db_get_bool(const PGresult *res, int row, int col, bool *ret,
		struct db_error *err)
{
	const char *s;
	int r = cell(res, row, col, &s, err);

	if (r < 0)
		return r;
	if (s && !strcmp(s, "t"))
		*ret = true;
	else if (s && !strcmp(s, "f"))
		*ret = false;
	else
		return bad(res, col, "not a boolean", err);
	return 0;
}

int db_get_time_opt(const PGresult *res, int row, int col, int64_t *ret,
		struct db_error *err)
{
	const char *s;
	char *end;
	double v;
	int r = cell(res, row, col, &s, err);

	if (r < 0)
		return r;
	if (!s) {
		*ret = 0;
		return 0;
	}
	/* extract(epoch ...) gives "1700000000.123456"; whole seconds kept */
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || v < -1e15 || v > 1e15)
		return bad(res, col, "not a time (epoch seconds)", err);
	*ret = (int64_t) v;
	return 0;
}

int db_get_text(const PGresult *res, int row, int col, char *buf, size_t size,
		struct db_error *err)
{
	const char *s;
	size_t n;
	int r = cell(res, row, col, &s, err);

	if (r < 0)
		return r;
	if (!s)
		s = "";
	n = strlen(s);
	if (n >= size)
		return bad(res, col, "text too long", err);
	memcpy(buf, s, n + 1);
	return 0;
}

int db_get_strdup(const PGresult *res, int row, int col, char **ret,
		struct db_error *err)
{
	const char *s;
	char *copy = NULL;
	int r = cell(res, row, col, &s, err);

	if (r < 0)
		return r;
	if (s) {
		copy = strdup(s);
		if (!copy)
			return db_oom(err);
	}
	*ret = copy;
	return 0;
}

void db_fmt_int64(char buf[DB_NUM_MAX], int64_t v)
{
	snprintf(buf, DB_NUM_MAX, "%" PRId64, v);
}

char *db_array_literal(const int64_t *v64, const int *v, size_t n)
{
	/* braces, NUL, and each number with its comma */
	size_t size = 3 + n * (DB_NUM_MAX + 1), len = 1, i;
	char *s = malloc(size);

	if (!s)
		return NULL;
	s[0] = '{';
	for (i = 0; i < n; i++)
		len += (size_t) snprintf(s + len, size - len, "%s%" PRId64,
				i ? "," : "", v64 ? v64[i] : (int64_t) v[i]);
	snprintf(s + len, size - len, "}");
	return s;
}

int db_invalid(struct db_error *err, const char *what)
{
	db_set_error(err, NULL, "invalid argument: %s", what);
	return -EINVAL;
}

int db_oom(struct db_error *err)
{
	db_set_error(err, NULL, "out of memory");
	return -ENOMEM;
}

bool db_has_sqlstate(const struct db_error *err, const char *sqlstate)
{
	return err && !strcmp(err->sqlstate, sqlstate);
}

void db_rows_free(const struct db_row_type *t, void *rows, size_t count)
{
	size_t i, k;

	if (!rows)
		return;
	for (i = 0; i < count; i++) {
		char *row = (char *) rows + i * t->size;

		for (k = 0; k < t->n_owned; k++) {
			char **owned = (char **) (void *) (row + t->owned[k]);

			free(*owned);
		}
	}
	free(rows);
}

int db_query_rows(struct db *db, const char *sql, int nparams,
		const char *const *params, const struct db_row_type *t,
		void **ret_rows, size_t *ret_count, struct db_error *err)
{
	PGresult *res;
	char *v;
	int r, i, n;

	r = db_query(db, sql, nparams, params, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	/* calloc: a failed row leaves the rest zeroed, safe to free */
	v = calloc(n ? (size_t) n : 1, t->size);
	if (!v) {
		r = db_oom(err);
		goto out_clear;
	}
	for (i = 0; i < n; i++) {
		r = t->convert(res, i, v + (size_t) i * t->size, err);
		if (r < 0) {
			db_rows_free(t, v, (size_t) n);
			goto out_clear;
		}
	}
	*ret_rows = v;
	*ret_count = (size_t) n;
	r = n;
out_clear:
	PQclear(res);
	return r;
}

int db_query_one(struct db *db, const char *sql, int nparams,
		const char *const *params, db_row_cb row, void *elem,
		struct db_error *err)
{
	PGresult *res;
	int r = db_query(db, sql, nparams, params, &res, err);

	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		db_set_error(err, NULL, "no row");
		r = -ENOENT;
	} else {
		r = row(res, 0, elem, err);
	}
	PQclear(res);
	return r;
}

static int id_row(const PGresult *res, int i, void *elem, struct db_error *err)
{
	return db_get_int64(res, i, 0, elem, err);
}

int db_query_id(struct db *db, const char *sql, int nparams,
		const char *const *params, int64_t *ret_id,
		struct db_error *err)
{
	int64_t id;
	int r = db_query_one(db, sql, nparams, params, id_row, &id, err);

	if (r == 0 && ret_id)
		*ret_id = id;
	return r;
}

int db_insert_or_find(struct db *db, const char *sql_insert, int nparams,
		const char *const *params, const char *sql_find, int nfind,
		const char *const *find, int64_t *ret_id, bool *ret_new,
		struct db_error *err)
{
	bool is_new = true;
	int r;

	r = db_query_id(db, sql_insert, nparams, params, ret_id, err);
	if (r == -ENOENT) {
		is_new = false;
		r = db_query_id(db, sql_find, nfind, find, ret_id, err);
		if (r == -ENOENT) {
			db_set_error(err, NULL,
					"row conflicted but cannot "
					"be found");
			return -EPROTO;
		}
	}
	if (r == 0 && ret_new)
		*ret_new = is_new;
	return r;
}
