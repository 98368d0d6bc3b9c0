/*
 * db/migrate.h: schema versions. The SQL migrations (db/migrations/
 * NNNN_name.sql) are compiled into the program; the database records what
 * it has in the table schema_migrations (version, name, applied_at).
 */
#ifndef DB_MIGRATE_H
#define DB_MIGRATE_H

#include "db/db.h"

/* The newest schema version this program knows. */
int db_schema_version_known(void);

/*
 * Applies every migration newer than the database's version, in order,
 * each in its own transaction, while holding a session advisory lock so
 * two programs migrating at once do not interleave. Forward-only.
 * Returns the number of migrations applied (0 when up to date), or
 * -EPROTO when the database is NEWER than this program (nothing done),
 * -EIO (a migration failed: it is rolled back, err names it) or a
 * connection error (see db.h). *ret_version (may be NULL) gets the
 * version after migrating.
 */
int db_migrate(struct db *db, int *ret_version,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Checks the database's schema version against the program's without
 * changing anything. Returns 0 when equal; -ESTALE when the database is
 * older (or empty: run `fieldgatectl db migrate`); -EPROTO when it is
 * newer (unknown version: the daemon must refuse to run); a connection
 * error otherwise. err->message says which and both versions.
 * *ret_version (may be NULL) gets the database's version (0 = none).
 */
int db_schema_check(struct db *db, int *ret_version,
		struct db_error *err) DB_MUSTCHECK;

#endif /* DB_MIGRATE_H */
