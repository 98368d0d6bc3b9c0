/*
 * db/db.h: a PostgreSQL connection for fieldgate (libpq underneath, never
 * visible here).
 *
 * Every function returning int returns 0 (or a count) on success and a
 * negative errno on failure; when a struct db_error is passed it is filled
 * with the SQLSTATE and server/libpq message. Errors:
 *   -EINVAL   bad argument
 *   -ENOMEM   out of memory
 *   -ENOTCONN no connection (never connected, or lost: call db_reconnect())
 *   -ETIMEDOUT statement_timeout or connect_timeout hit
 *   -EIO      the query failed (see err->sqlstate, e.g. "23505")
 *   -EPROTO   the server answered something we cannot parse
 * Nothing here logs, aborts or keeps global state. A struct db is used by
 * one thread at a time.
 */
#ifndef DB_DB_H
#define DB_DB_H

#include <stdbool.h>
#include <stddef.h>

#define DB_MUSTCHECK __attribute__((warn_unused_result))

struct db;

struct db_error {
	/*
	 * The server's SQLSTATE ("23505" unique_violation, ...). Failures of
	 * the link itself get one from class 08 even when libpq gave none
	 * ("08001" cannot connect, "08003" not connected, "08006" lost).
	 * "" for errors found on our side (-EINVAL, -EPROTO, -ENOMEM).
	 */
	char sqlstate[6];
	char message[256]; /* one line, never empty on failure */
};

/* Clears an error (sqlstate and message empty). NULL is a no-op. */
void db_error_clear(struct db_error *err);

/*
 * Connects with conninfo (libpq keyword/value string or URI; may be "" to
 * use the PG* environment). Adds connect_timeout=connect_timeout_s when >0,
 * then sets statement_timeout (ms, 0 = none), application_name and
 * TimeZone=UTC on the session. On success *ret_db owns the connection,
 * freed with db_free(). On failure returns -ENOTCONN (server unreachable,
 * bad conninfo, auth) or -ENOMEM, with err filled, and *ret_db untouched.
 */
int db_connect(const char *conninfo, const char *application_name,
		int connect_timeout_s, int statement_timeout_ms,
		struct db **ret_db, struct db_error *err) DB_MUSTCHECK;

/* Closes and frees. NULL is a no-op. */
void db_free(struct db *db);

/*
 * Drops the current connection and connects again with the same settings,
 * re-issuing every LISTEN made with db_listen(). Same errors as
 * db_connect(). The caller does the backoff.
 */
int db_reconnect(struct db *db, struct db_error *err) DB_MUSTCHECK;

/* True when the connection is up as far as libpq knows. */
bool db_is_connected(const struct db *db);

/*
 * True when err describes a lost/unusable connection (SQLSTATE class 08,
 * or 57P01..57P03 admin/crash shutdown), i.e. reconnect and retry, as
 * opposed to a statement the server rejected or a bad argument.
 */
bool db_is_connection_error(const struct db_error *err);

/* The socket to poll() for readability (notifications), or -1. */
int db_socket(const struct db *db);

/*
 * LISTEN on a channel (a plain identifier: [a-z_][a-z0-9_]*, else
 * -EINVAL). Remembered and re-issued by db_reconnect().
 */
int db_listen(struct db *db, const char *channel,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Reads pending input and consumes notifications without blocking. For each
 * one, cb(channel, payload, user_data) is called (strings borrowed for the
 * call). Returns how many were consumed (0 if none), or -ENOTCONN when the
 * connection broke (err filled).
 */
typedef void (*db_notify_cb)(
		const char *channel, const char *payload, void *user_data);
int db_consume_notifications(struct db *db, db_notify_cb cb, void *user_data,
		struct db_error *err) DB_MUSTCHECK;

/*
 * BEGIN / COMMIT / ROLLBACK. Rollback on a broken connection returns 0
 * (the server drops the transaction anyway); it is a cleanup call, so its
 * result may be ignored.
 */
int db_begin(struct db *db, struct db_error *err) DB_MUSTCHECK;
int db_commit(struct db *db, struct db_error *err) DB_MUSTCHECK;
int db_rollback(struct db *db, struct db_error *err);

/*
 * Runs one parameterized statement that returns no rows we need (nparams
 * text parameters, NULL entries are SQL NULL). Returns the number of rows
 * affected (>= 0). For tests and simple admin commands.
 */
int db_exec(struct db *db, const char *sql, int nparams,
		const char *const *params, struct db_error *err) DB_MUSTCHECK;

#endif /* DB_DB_H */
