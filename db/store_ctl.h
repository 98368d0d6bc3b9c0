/*
 * db/store_ctl.h: the read-mostly queries only fieldgatectl needs (schema
 * version without judging it, per-part outbound detail, queue depths by
 * state, the modem names the database knows). Same conventions as
 * db/store.h: 0 or a count on success, negative errno with err (may be
 * NULL) filled on failure, ret_ arguments written only on success, arrays
 * allocated here and freed by the caller with the matching *_free().
 */
#ifndef DB_STORE_CTL_H
#define DB_STORE_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "db/store.h"

/*
 * The database's schema version: the highest schema_migrations.version,
 * 0 when the table does not exist or is empty (never migrated). Unlike
 * db_schema_check() it does not compare with the program's version, so
 * `fieldgatectl db status` can show both. Connection errors as in db.h.
 */
int db_ctl_schema_version(struct db *db, int *ret_version,
		struct db_error *err) DB_MUSTCHECK;

/* One outbound part with what happened to it (TS 23.040 §9.2.2.3 reports). */
struct db_ctl_part {
	int64_t message_id;
	int seq;
	char state[16];		  /* queued, submitting, ... */
	char modem[DB_SHORT_MAX]; /* "" when never handed to a modem */
	int mr;			  /* TP-MR, -1 none */
	int attempts;
	int last_cms_error;   /* +CMS ERROR code, -1 none */
	char *last_error;     /* NULL none; owned by the array */
	int64_t submitted_at; /* 0 none */
	int64_t delivered_at; /* 0 none */
	int report_status;    /* TP-ST of last report, -1 none */
};

/*
 * The parts of the n messages ids[] (n may be 0: no rows), ordered by
 * message id then seq. Free *ret_parts with db_ctl_parts_free(). -EINVAL
 * for NULL outputs.
 */
int db_ctl_outbox_parts(struct db *db, const int64_t *ids, size_t n,
		struct db_ctl_part **ret_parts, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;
void db_ctl_parts_free(struct db_ctl_part *parts, size_t count);

/* How many rows of one queue are in one state. */
struct db_ctl_depth {
	/* "outbound", "outbound_parts", "inbound", "inbound_parts", "ussd" */
	char queue[24];
	/* inbound_parts: "unassembled" or "assembled" */
	char state[16];
	int64_t count;
};

/*
 * Row counts grouped by state for every queue, only non-zero ones, in a
 * fixed queue order then by state. Free *ret_rows with free().
 */
int db_ctl_queue_depths(struct db *db, struct db_ctl_depth **ret_rows,
		size_t *ret_count, struct db_error *err) DB_MUSTCHECK;

/*
 * Distinct modem names the database has seen in modem_status, sorted.
 * *ret_names is one allocation (array of pointers followed by the
 * strings): free it with free().
 */
int db_ctl_modem_names(struct db *db, char ***ret_names, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/*
 * The server's clock (Unix seconds), so ages of rows written by daemons on
 * other hosts are measured against the clock that stamped them.
 */
int db_ctl_server_time(struct db *db, int64_t *ret_now,
		struct db_error *err) DB_MUSTCHECK;

#endif /* DB_STORE_CTL_H */
