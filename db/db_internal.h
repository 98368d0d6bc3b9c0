/*
 * db/db_internal.h: shared by the db/ sources and the db unit test only. It may name
 * libpq types; public headers may not.
 */
#ifndef DB_DB_INTERNAL_H
#define DB_DB_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include <libpq-fe.h>

#include "db/db.h"

/* The live PGconn or NULL. Borrowed. */
PGconn *db_conn(struct db *db);

/*
 * Runs sql with text params. On success *ret_res owns the result (caller
 * PQclear()s) and 0 is returned; on failure the result is cleared, err
 * filled and -EIO/-ENOTCONN/-ETIMEDOUT/-ENOMEM returned.
 */
int db_query(struct db *db, const char *sql, int nparams,
	     const char *const *params, PGresult **ret_res,
	     struct db_error *err);

/* Fills err from a message (sqlstate may be NULL). */
void db_set_error(struct db_error *err, const char *sqlstate,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Strict conversions of a result cell (result.c). NULL cells: *_opt
 * variants give the default, the others fail. Bad text returns -EPROTO
 * and names the column in err.
 */
int db_get_int64(const PGresult *res, int row, int col, int64_t *ret,
		 struct db_error *err);
int db_get_int64_opt(const PGresult *res, int row, int col, int64_t dflt,
		     int64_t *ret, struct db_error *err);
int db_get_int(const PGresult *res, int row, int col, int *ret,
	       struct db_error *err);
int db_get_int_opt(const PGresult *res, int row, int col, int dflt, int *ret,
		   struct db_error *err);
int db_get_bool(const PGresult *res, int row, int col, bool *ret,
		struct db_error *err);
/* timestamptz as Unix seconds; the query must select extract(epoch ...). */
int db_get_time_opt(const PGresult *res, int row, int col, int64_t *ret,
		    struct db_error *err);
/* Copies a text cell into buf (truncation is -EPROTO); NULL gives "". */
int db_get_text(const PGresult *res, int row, int col, char *buf, size_t size,
		struct db_error *err);
/* strdup of a text cell (NULL cell gives NULL); -ENOMEM. Caller frees. */
int db_get_strdup(const PGresult *res, int row, int col, char **ret,
		  struct db_error *err);

/* Formats an int64 / Unix time into a parameter buffer. */
#define DB_NUM_MAX 24
void db_fmt_int64(char buf[DB_NUM_MAX], int64_t v);

#endif /* DB_DB_INTERNAL_H */
