/* db/migrate_internal.h: the embedded migrations (db/migrations.c). */
#ifndef DB_MIGRATE_INTERNAL_H
#define DB_MIGRATE_INTERNAL_H

#include <stddef.h>

struct db_migration {
	int version;	  /* NNNN of NNNN_name.sql */
	const char *name; /* "0001_init" */
	const char *sql;  /* the file's text */
};

/* Sorted by version (db.am lists the files in order). */
extern const struct db_migration db_migrations[];
extern const size_t db_migrations_count;

#endif /* DB_MIGRATE_INTERNAL_H */
