/* Strict conversions of text-format results (no atoi: bad data is -EPROTO). */
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
	if (row < PQntuples(res) && col < PQnfields(res) &&
	    PQgetisnull(res, row, col))
		return bad(res, col, "unexpected NULL", err);
	return db_get_int64_opt(res, row, col, 0, ret, err);
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
	*ret = (int)v;
	return 0;
}

int db_get_int(const PGresult *res, int row, int col, int *ret,
	       struct db_error *err)
{
	if (row < PQntuples(res) && col < PQnfields(res) &&
	    PQgetisnull(res, row, col))
		return bad(res, col, "unexpected NULL", err);
	return db_get_int_opt(res, row, col, 0, ret, err);
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
	*ret = (int64_t)v;
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
		if (!copy) {
			db_set_error(err, NULL, "out of memory");
			return -ENOMEM;
		}
	}
	*ret = copy;
	return 0;
}

void db_fmt_int64(char buf[DB_NUM_MAX], int64_t v)
{
	snprintf(buf, DB_NUM_MAX, "%" PRId64, v);
}
