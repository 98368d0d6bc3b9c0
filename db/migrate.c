/* Forward-only schema migrations, embedded at build time. */
#include <errno.h>
#include <stdio.h>

#include "db/db_internal.h"
#include "db/migrate.h"
#include "db/migrate_internal.h"

/* pg_advisory_lock key: "fgmi" in ASCII, any constant unique to us works */
#define MIGRATE_LOCK_KEY "1718054249"

static const char sql_bookkeeping[] =
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		" version integer PRIMARY KEY,"
		" name text NOT NULL,"
		" applied_at timestamptz NOT NULL DEFAULT now())";

static const char sql_current[] =
		"SELECT coalesce(max(version), 0) FROM schema_migrations";

/* The table may not exist yet: that is version 0, not an error. */
static const char sql_exists[] =
		"SELECT (to_regclass('schema_migrations') IS NOT NULL)::int";

static const char sql_record[] =
		"INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";

int db_schema_version_known(void)
{
	return db_migrations_count
			       ? db_migrations[db_migrations_count - 1].version
			       : 0;
}

static int current_version(
		struct db *db, const char *sql, int *ret, struct db_error *err)
{
	PGresult *res;
	int r = db_query(db, sql, 0, NULL, &res, err);

	if (r < 0)
		return r;
	r = db_get_int(res, 0, 0, ret, err);
	PQclear(res);
	return r;
}

int db_schema_check(struct db *db, int *ret_version, struct db_error *err)
{
	int have, want = db_schema_version_known();
	int r;

	if (!db)
		return -EINVAL;
	r = current_version(db, sql_exists, &have, err);
	if (r < 0)
		return r;
	if (have) {
		r = current_version(db, sql_current, &have, err);
		if (r < 0)
			return r;
	}
	if (have < want) {
		db_set_error(err, NULL,
				"database schema is version %d, this "
				"program needs %d: run `fieldgatectl db "
				"migrate`",
				have, want);
		r = -ESTALE;
	} else if (have > want) {
		db_set_error(err, NULL,
				"database schema is version %d, newer "
				"than this program knows (%d): upgrade "
				"fieldgate",
				have, want);
		r = -EPROTO;
	}
	if (r == 0 && ret_version)
		*ret_version = have;
	return r;
}

static int apply(struct db *db, const struct db_migration *m,
		struct db_error *err)
{
	char ver[DB_NUM_MAX];
	const char *p[2];
	PGresult *res;
	int r;

	r = db_begin(db, err);
	if (r < 0)
		return r;
	/* a file holds many statements: the simple query protocol runs them */
	res = PQexec(db_conn(db), m->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
			PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		db_set_error(err, st, "migration %s failed: %s", m->name,
				PQresultErrorMessage(res));
		PQclear(res);
		r = st ? -EIO : -ENOTCONN;
		goto out_rollback;
	}
	PQclear(res);
	db_fmt_int64(ver, m->version);
	p[0] = ver;
	p[1] = m->name;
	r = db_exec(db, sql_record, 2, p, err);
	if (r < 0)
		goto out_rollback;
	return db_commit(db, err);
out_rollback:
	(void) db_rollback(db, NULL);
	return r;
}

int db_migrate(struct db *db, int *ret_version, struct db_error *err)
{
	int have, applied = 0, r;
	size_t i;

	if (!db)
		return -EINVAL;
	db_error_clear(err);
	r = db_exec(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0,
			NULL, err);
	if (r < 0)
		return r;
	r = db_exec(db, sql_bookkeeping, 0, NULL, err);
	if (r < 0)
		goto out_unlock;
	r = current_version(db, sql_current, &have, err);
	if (r < 0)
		goto out_unlock;
	if (have > db_schema_version_known()) {
		db_set_error(err, NULL,
				"database schema is version %d, newer "
				"than this program knows (%d): not migrating",
				have, db_schema_version_known());
		r = -EPROTO;
		goto out_unlock;
	}
	for (i = 0; i < db_migrations_count; i++) {
		if (db_migrations[i].version <= have)
			continue;
		r = apply(db, &db_migrations[i], err);
		if (r < 0)
			goto out_unlock;
		have = db_migrations[i].version;
		applied++;
	}
	r = applied;
	if (ret_version)
		*ret_version = have;
out_unlock:
	/* a failed unlock means a lost session, which drops the lock too */
	if (db_exec(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", 0,
			    NULL, NULL) < 0 &&
			r >= 0)
		r = applied;
	return r;
}
