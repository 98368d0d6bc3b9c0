/*
 * db/db_internal.h: shared by the db/ sources and the db unit test only. It may name
 * libpq types; public headers may not.
 */
#ifndef DB_DB_INTERNAL_H
#define DB_DB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
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
void db_set_error(struct db_error *err, const char *sqlstate, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

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
/* db_get_text() into a fixed-size array member (sizeof is taken here). */
#define DB_GET_TEXT(res, row, col, member, err)                                \
	db_get_text(res, row, col, member, sizeof(member), err)
/* strdup of a text cell (NULL cell gives NULL); -ENOMEM. Caller frees. */
int db_get_strdup(const PGresult *res, int row, int col, char **ret,
		struct db_error *err);

/* Formats an int64 / Unix time into a parameter buffer. */
#define DB_NUM_MAX 24
void db_fmt_int64(char buf[DB_NUM_MAX], int64_t v);

/*
 * "{1,2,3}": an integer array literal, from v64 if not NULL, else from v,
 * passed as ONE parameter ($n::bigint[]) so a statement stays
 * parameterized whatever n is. NULL when out of memory; caller frees.
 */
char *db_array_literal(const int64_t *v64, const int *v, size_t n);

/*
 * Parameter helpers: numbers are formatted into caller stack buffers, which
 * must outlive the statement; the returned pointer is buf (or NULL for SQL
 * NULL).
 */
static inline const char *db_param_num(char buf[DB_NUM_MAX], int64_t v)
{
	db_fmt_int64(buf, v);
	return buf;
}

/* v < 0 means SQL NULL (TON, DCS, TP-MR, ... use -1 for "unknown"). */
static inline const char *db_param_num_opt(char buf[DB_NUM_MAX], int64_t v)
{
	return v < 0 ? NULL : db_param_num(buf, v);
}

/* Unix time 0 means SQL NULL ("none"). */
static inline const char *db_param_time_opt(char buf[DB_NUM_MAX], int64_t t)
{
	return t == 0 ? NULL : db_param_num(buf, t);
}

/* NULL or "" means SQL NULL. */
static inline const char *db_param_str_opt(const char *s)
{
	return (s && *s) ? s : NULL;
}

static inline const char *db_param_bool(bool v)
{
	return v ? "true" : "false";
}

/* Fill err and return -EINVAL ("invalid argument: what") / -ENOMEM. */
int db_invalid(struct db_error *err, const char *what);
int db_oom(struct db_error *err);

/* Whether err carries this SQLSTATE (e.g. "23505" unique_violation). */
bool db_has_sqlstate(const struct db_error *err, const char *sqlstate);

/*
 * Statement runners built on db_query(), so that a store function reads as
 * SQL, parameters, call, convert. All fill err and return the errors of
 * db_query() plus those of the converter.
 */

/* Converts row i of res into elem (zeroed by the caller or runner). */
typedef int (*db_row_cb)(
		const PGresult *res, int i, void *elem, struct db_error *err);

/*
 * What a row of a listing becomes: a struct of size bytes filled by
 * convert, owning the malloc'ed strings at the offsets in owned (char *
 * members, NULL or freed by db_rows_free()).
 */
struct db_row_type {
	size_t size;
	db_row_cb convert;
	const size_t *owned;
	size_t n_owned;
};

/*
 * Frees count rows of type t (each converted or still zeroed) and the
 * array. rows may be NULL.
 */
void db_rows_free(const struct db_row_type *t, void *rows, size_t count);

/*
 * Runs sql and converts every row into a calloc'ed array of t->size
 * elements; when a row fails the array is freed with db_rows_free().
 * Returns the row count; *ret_rows (the caller frees it with the matching
 * *_free()) and *ret_count are set only on success.
 */
int db_query_rows(struct db *db, const char *sql, int nparams,
		const char *const *params, const struct db_row_type *t,
		void **ret_rows, size_t *ret_count, struct db_error *err);

/*
 * db_query_rows() as a store function's listing starts: clears err, and
 * fails with -EINVAL ("NULL output") when ret_rows or ret_count is NULL
 * (pass `ret_typed ? &v : NULL` for the caller's own output pointer).
 */
static inline int db_list_rows(struct db *db, const char *sql, int nparams,
		const char *const *params, const struct db_row_type *t,
		void **ret_rows, size_t *ret_count, struct db_error *err)
{
	db_error_clear(err);
	if (!ret_rows || !ret_count)
		return db_invalid(err, "NULL output");
	return db_query_rows(
			db, sql, nparams, params, t, ret_rows, ret_count, err);
}

/*
 * Runs sql and converts its first row into elem. -ENOENT (err says "no
 * row") when there is none: callers that know what was missing overwrite
 * the message.
 */
int db_query_one(struct db *db, const char *sql, int nparams,
		const char *const *params, db_row_cb row, void *elem,
		struct db_error *err);

/*
 * Runs sql and reads an int64 from the first column of its first row
 * (e.g. INSERT ... RETURNING id). -ENOENT when there is no row. *ret_id
 * (may be NULL) is written only on success.
 */
int db_query_id(struct db *db, const char *sql, int nparams,
		const char *const *params, int64_t *ret_id,
		struct db_error *err);

/*
 * Inserts, or finds the existing row on conflict: sql_insert must be
 * "INSERT ... ON CONFLICT DO NOTHING RETURNING id". A conflicting row
 * committed by another session after the insert's snapshot is not seen by
 * it; then sql_find (SELECT id ...) runs as its own statement. *ret_id
 * gets the id, *ret_new (may be NULL) whether the insert made it.
 */
int db_insert_or_find(struct db *db, const char *sql_insert, int nparams,
		const char *const *params, const char *sql_find, int nfind,
		const char *const *find, int64_t *ret_id, bool *ret_new,
		struct db_error *err);

/*
 * The columns inbound_messages and inbound_parts share, and their values
 * $1 modem .. $12 decode_error as filled by db_inbound_params()
 * (store_inbound.c), for single messages and parts (store_parts.c).
 */
#define DB_INBOUND_COLS                                                        \
	"modem, sim_imsi, sender, sender_ton, smsc, scts, scts_tz_minutes, "   \
	"pdu_hex, body, dcs, encoding, decode_error"
#define DB_INBOUND_VALUES                                                      \
	"$1, $2, $3, $4::smallint, $5, to_timestamp($6::float8), "             \
	"$7::smallint, upper($8), $9, $10::smallint, $11, $12"
struct db_inbound;
/* Fills p[0..11] (numbers in b); -EINVAL without modem or PDU. */
int db_inbound_params(const struct db_inbound *m, const char **p,
		char b[4][DB_NUM_MAX], struct db_error *err);

#endif /* DB_DB_INTERNAL_H */
