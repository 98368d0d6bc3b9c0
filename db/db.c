/* PostgreSQL connection handling (libpq). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"

#define DB_MAX_LISTEN 8

/*
 * Parameterized statements are prepared once per connection and then run
 * with PQexecPrepared: the server parses and plans each one once, not on
 * every message. Keyed by the SQL text (not its address: a few statements
 * are built in buffers). Bounded; past the bound, statements simply run
 * unprepared. Prepared statements belong to the session, so the cache is
 * emptied whenever the connection is replaced.
 */
#define DB_STMT_MAX 128

struct db_stmt {
	uint64_t hash;
	char *sql; /* owned copy */
};

struct db {
	PGconn *conn;
	int nstmts;
	struct db_stmt stmts[DB_STMT_MAX];
	char *conninfo;
	char *appname;
	int connect_timeout_s;
	int statement_timeout_ms;
	int nlisten;
	char *listen[DB_MAX_LISTEN]; /* channels to re-LISTEN on reconnect */
};

void db_error_clear(struct db_error *err)
{
	if (err) {
		err->sqlstate[0] = '\0';
		err->message[0] = '\0';
	}
}

void db_set_error(struct db_error *err, const char *sqlstate, const char *fmt,
		...)
{
	va_list ap;
	char *nl;

	if (!err)
		return;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s",
			sqlstate ? sqlstate : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	/* libpq messages end in "\n" and may have a DETAIL line: keep one */
	nl = strchr(err->message, '\n');
	if (nl)
		*nl = '\0';
	if (!err->message[0])
		snprintf(err->message, sizeof(err->message), "database error");
}

bool db_is_connection_error(const struct db_error *err)
{
	if (!err)
		return false;
	/* connection failures without a server SQLSTATE get one of ours
	 * from class 08 (see classify()), so "" means "not from the link" */
	return !strncmp(err->sqlstate, "08", 2) ||
	       !strcmp(err->sqlstate, "57P01") ||
	       !strcmp(err->sqlstate, "57P02") ||
	       !strcmp(err->sqlstate, "57P03");
}

PGconn *db_conn(struct db *db)
{
	return db ? db->conn : NULL;
}

bool db_is_connected(const struct db *db)
{
	return db && db->conn && PQstatus(db->conn) == CONNECTION_OK;
}

int db_socket(const struct db *db)
{
	return db_is_connected(db) ? PQsocket(db->conn) : -1;
}

/* Errors the server reports as SQLSTATE vs. a dead connection. */
static int classify(struct db *db, PGresult *res, struct db_error *err)
{
	const char *state =
			res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : NULL;

	if (!msg || !*msg)
		msg = PQerrorMessage(db->conn);
	db_set_error(err, state, "%s", msg);
	if (state && !strcmp(state, "57014")) /* query_canceled: timeout */
		return -ETIMEDOUT;
	if (PQstatus(db->conn) != CONNECTION_OK || !state ||
			!strncmp(state, "08", 2) ||
			!strncmp(state, "57P0", 4)) {
		if (err && !state) /* connection_failure */
			snprintf(err->sqlstate, sizeof(err->sqlstate), "08006");
		return -ENOTCONN;
	}
	return -EIO;
}

static uint64_t hash_sql(const char *sql)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *sql; sql++)
		h = (h ^ (unsigned char) *sql) * 1099511628211ULL;
	return h;
}

static void forget_statements(struct db *db)
{
	int i;

	for (i = 0; i < db->nstmts; i++)
		free(db->stmts[i].sql);
	db->nstmts = 0;
}

/*
 * Index of @sql's prepared statement on this connection, preparing it on
 * first use; -1 to run it unprepared (cache full, out of memory, or the
 * server refused to prepare it: then the unprepared run reports the real
 * error, e.g. inside an aborted transaction).
 */
static int prepared(struct db *db, const char *sql, int nparams)
{
	uint64_t h = hash_sql(sql);
	char name[16];
	PGresult *res;
	bool ok;
	int i;

	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i].hash == h && !strcmp(db->stmts[i].sql, sql))
			return i;
	if (db->nstmts == DB_STMT_MAX)
		return -1;
	i = db->nstmts;
	snprintf(name, sizeof(name), "fg%d", i);
	res = PQprepare(db->conn, name, sql, nparams, NULL);
	ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok)
		return -1;
	db->stmts[i].sql = strdup(sql);
	if (!db->stmts[i].sql) {
		/* Prepared but unknown to us: free the name on the server. */
		char dealloc[32];

		snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", name);
		PQclear(PQexec(db->conn, dealloc));
		return -1;
	}
	db->stmts[i].hash = h;
	db->nstmts++;
	return i;
}

int db_query(struct db *db, const char *sql, int nparams,
		const char *const *params, PGresult **ret_res,
		struct db_error *err)
{
	PGresult *res;
	ExecStatusType st;
	int r;

	if (!db || !sql || nparams < 0)
		return -EINVAL;
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		/* connection_does_not_exist */
		db_set_error(err, "08003", "not connected to the database");
		return -ENOTCONN;
	}
	r = nparams > 0 ? prepared(db, sql, nparams) : -1;
	if (r >= 0) {
		char name[16];

		snprintf(name, sizeof(name), "fg%d", r);
		res = PQexecPrepared(
				db->conn, name, nparams, params, NULL, NULL, 0);
	} else {
		res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL,
				NULL, 0);
	}
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		*ret_res = res;
		return 0;
	}
	r = classify(db, res, err);
	PQclear(res);
	return r;
}

int db_exec(struct db *db, const char *sql, int nparams,
		const char *const *params, struct db_error *err)
{
	PGresult *res;
	const char *n;
	int r = db_query(db, sql, nparams, params, &res, err);

	if (r < 0)
		return r;
	n = PQcmdTuples(res);
	r = 0;
	if (n && *n) {
		char *end;
		long v;

		errno = 0;
		v = strtol(n, &end, 10);
		if (errno || *end || v < 0 || v > INT_MAX) {
			db_set_error(err, NULL, "bad row count '%s'", n);
			r = -EPROTO;
		} else {
			r = (int) v;
		}
	}
	PQclear(res);
	return r;
}

static int simple(struct db *db, const char *sql, struct db_error *err)
{
	int r = db_exec(db, sql, 0, NULL, err);

	return r < 0 ? r : 0;
}

/* Libraries do not log: server NOTICEs are dropped, not printed. */
static void drop_notice(void *arg, const char *message)
{
	(void) arg;
	(void) message;
}

static int open_conn(struct db *db, struct db_error *err)
{
	const char *keys[4], *vals[4];
	char timeout[16], stmt[32];
	PGresult *res;
	int r, i;

	forget_statements(db); /* they belonged to the old session */
	snprintf(timeout, sizeof(timeout), "%d", db->connect_timeout_s);
	keys[0] = "dbname";
	vals[0] = db->conninfo; /* expanded: conninfo string or URI */
	keys[1] = db->connect_timeout_s > 0 ? "connect_timeout" : NULL;
	vals[1] = timeout;
	keys[2] = NULL;
	vals[2] = NULL;
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (!db->conn) {
		db_set_error(err, NULL, "out of memory");
		return -ENOMEM;
	}
	if (PQstatus(db->conn) != CONNECTION_OK) {
		/* sqlclient_unable_to_establish_sqlconnection */
		db_set_error(err, "08001", "cannot connect to the database: %s",
				PQerrorMessage(db->conn));
		PQfinish(db->conn);
		db->conn = NULL;
		return -ENOTCONN;
	}
	PQsetNoticeProcessor(db->conn, drop_notice, NULL);
	/* session settings; parameters keep them injection-free */
	{
		const char *p[2];

		snprintf(stmt, sizeof(stmt), "%d", db->statement_timeout_ms);
		p[0] = stmt;
		p[1] = db->appname;
		r = db_exec(db,
				"SELECT set_config('statement_timeout', $1, "
				"false), set_config('application_name', $2, "
				"false), set_config('TimeZone', 'UTC', false)",
				2, p, err);
		if (r < 0)
			goto out_close;
	}
	for (i = 0; i < db->nlisten; i++) {
		char *q = PQescapeIdentifier(
				db->conn, db->listen[i], strlen(db->listen[i]));
		char sql[128];

		if (!q) {
			r = -ENOMEM;
			goto out_close;
		}
		snprintf(sql, sizeof(sql), "LISTEN %s", q);
		PQfreemem(q);
		res = NULL;
		r = db_query(db, sql, 0, NULL, &res, err);
		PQclear(res);
		if (r < 0)
			goto out_close;
	}
	return 0;
out_close:
	PQfinish(db->conn);
	db->conn = NULL;
	return r;
}

int db_connect(const char *conninfo, const char *application_name,
		int connect_timeout_s, int statement_timeout_ms,
		struct db **ret_db, struct db_error *err)
{
	struct db *db;
	int r;

	db_error_clear(err);
	if (!conninfo || !ret_db || connect_timeout_s < 0 ||
			statement_timeout_ms < 0) {
		db_set_error(err, NULL, "invalid argument");
		return -EINVAL;
	}
	db = calloc(1, sizeof(*db));
	if (!db)
		goto out_nomem;
	db->conninfo = strdup(conninfo);
	db->appname = strdup(application_name ? application_name : "fieldgate");
	if (!db->conninfo || !db->appname)
		goto out_nomem;
	db->connect_timeout_s = connect_timeout_s;
	db->statement_timeout_ms = statement_timeout_ms;
	r = open_conn(db, err);
	if (r < 0) {
		db_free(db);
		return r;
	}
	*ret_db = db;
	return 0;
out_nomem:
	db_free(db);
	db_set_error(err, NULL, "out of memory");
	return -ENOMEM;
}

void db_free(struct db *db)
{
	int i;

	if (!db)
		return;
	if (db->conn)
		PQfinish(db->conn);
	forget_statements(db);
	for (i = 0; i < db->nlisten; i++)
		free(db->listen[i]);
	free(db->conninfo);
	free(db->appname);
	free(db);
}

int db_reconnect(struct db *db, struct db_error *err)
{
	if (!db)
		return -EINVAL;
	db_error_clear(err);
	if (db->conn) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	return open_conn(db, err);
}

static bool valid_channel(const char *c)
{
	size_t i;

	if (!c || !((c[0] >= 'a' && c[0] <= 'z') || c[0] == '_'))
		return false;
	for (i = 0; c[i]; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') ||
				    (c[i] >= '0' && c[i] <= '9') ||
				    c[i] == '_') ||
				i >= 63)
			return false;
	return true;
}

int db_listen(struct db *db, const char *channel, struct db_error *err)
{
	char sql[96];
	char *copy;
	int i, r;

	if (!db || !valid_channel(channel)) {
		db_set_error(err, NULL, "invalid LISTEN channel");
		return -EINVAL;
	}
	for (i = 0; i < db->nlisten; i++)
		if (!strcmp(db->listen[i], channel))
			return 0;
	if (db->nlisten == DB_MAX_LISTEN) {
		db_set_error(err, NULL, "too many LISTEN channels");
		return -EINVAL;
	}
	/* channel is validated to [a-z0-9_]: safe as an identifier */
	snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	r = simple(db, sql, err);
	if (r < 0)
		return r;
	copy = strdup(channel);
	if (!copy) {
		db_set_error(err, NULL, "out of memory");
		return -ENOMEM;
	}
	db->listen[db->nlisten++] = copy;
	return 0;
}

int db_consume_notifications(struct db *db, db_notify_cb cb, void *user_data,
		struct db_error *err)
{
	PGnotify *n;
	int count = 0;

	if (!db)
		return -EINVAL;
	if (!db_is_connected(db) || !PQconsumeInput(db->conn)) {
		db_set_error(err, "08006", "database connection lost: %s",
				db->conn ? PQerrorMessage(db->conn) : "");
		return -ENOTCONN;
	}
	while ((n = PQnotifies(db->conn))) {
		if (cb)
			cb(n->relname, n->extra, user_data);
		PQfreemem(n);
		count++;
	}
	return count;
}

int db_begin(struct db *db, struct db_error *err)
{
	return simple(db, "BEGIN", err);
}

int db_commit(struct db *db, struct db_error *err)
{
	return simple(db, "COMMIT", err);
}

int db_rollback(struct db *db, struct db_error *err)
{
	int r;

	if (!db_is_connected(db))
		return 0;
	r = simple(db, "ROLLBACK", err);
	return r == -ENOTCONN ? 0 : r;
}
