/*
 * db/store_places.h: territories, outlets, cells, the territories people
 * cover, and check-ins (migration 0004_places.sql, docs/PLACES.md). The
 * conventions of db/store.h apply (errors, borrowed arguments, ret_
 * written on success only, Unix seconds).
 *
 * Three parts:
 *   - bulk import (all-or-nothing, one transaction) and export (streamed
 *     COPY) of the four CSV kinds;
 *   - the facts a check-in verdict needs, in one query (rules/geo.h
 *     decides; gateway/ copies these into struct geo_input);
 *   - storing a check-in, upgrading it when the outlet confirms, listing.
 */
#ifndef DB_STORE_PLACES_H
#define DB_STORE_PLACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "db/db.h"
#include "db/store.h"

#define DB_CODE_MAX 65	 /* territory codes: 64 bytes */
#define DB_OUTLET_MAX 17 /* outlet codes: 16 bytes */

/* ---- import and export ------------------------------------------------ */

enum db_import_kind {
	DB_IMPORT_PEOPLE,
	DB_IMPORT_TERRITORIES,
	DB_IMPORT_OUTLETS,
	DB_IMPORT_CELLS,
};

/* "people", "territories", "outlets", "cells"; NULL for a bad value. */
const char *db_import_kind_name(enum db_import_kind kind);
int db_import_kind_parse(const char *s, enum db_import_kind *ret);

/*
 * The values db_import_row() takes, per kind, in this order; each is text
 * already checked and canonical (the caller validates), "" or NULL meaning
 * SQL NULL:
 *   people       phone (normalized), name, role, supervisor phone
 *                (normalized), territory codes joined by ';'
 *   territories  code, name, parent code, time zone, centre lat, centre
 *                lon, radius_m, LACs (decimal, ';'), neighbour LACs,
 *                tolerance_m
 *   outlets      code, name, address, territory code, lat, lon, phone
 *   cells        radio, mcc, mnc, lac, cid, unit, lon, lat, range,
 *                samples, changeable (0/1), created, updated,
 *                averageSignal (OpenCellID's order)
 * Checks only the database can make (duplicates in the file, unknown
 * parent, territory or supervisor, cycles in the tree, unknown time
 * zones) are db_import_check()'s.
 */
size_t db_import_columns(enum db_import_kind kind);

struct db_import;

/*
 * Starts an import: BEGIN, a temporary staging table, COPY into it. On
 * success *ret owns the transaction until db_import_end().
 */
int db_import_begin(struct db *db, enum db_import_kind kind,
		struct db_import **ret, struct db_error *err) DB_MUSTCHECK;

/*
 * Streams one row (db_import_columns() values) with its line number in
 * the file. Buffered: errors of the COPY itself may show up only at
 * db_import_check(). -EINVAL for a value over 32 KiB or a row after the
 * check.
 */
int db_import_row(struct db_import *im, int64_t line, const char *const *values,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Ends the COPY and runs the checks. Every problem, ordered by line, up
 * to @limit of them, goes to cb(user, line, reason); returns the total
 * number of problems (0: the rows may be applied).
 */
typedef void (*db_import_problem_cb)(
		void *user, int64_t line, const char *reason);
int db_import_check(struct db_import *im, size_t limit, db_import_problem_cb cb,
		void *user, struct db_error *err) DB_MUSTCHECK;

struct db_import_counts {
	int64_t rows;	   /* staged */
	int64_t inserted;  /* new natural keys */
	int64_t updated;   /* existing keys whose values changed */
	int64_t unchanged; /* existing keys, same values */
};

/*
 * Writes the staged rows: inserts new natural keys, updates existing ones
 * (nothing is deleted). Only after a db_import_check() that found no
 * problem. Still inside the transaction: db_import_end() commits.
 */
int db_import_apply(struct db_import *im, struct db_import_counts *ret,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Commits (commit true, after db_import_apply()) or rolls back (dry runs,
 * problems, errors), then frees @im. Returns the commit's error; a
 * rollback cannot fail. NULL is a no-op.
 */
int db_import_end(struct db_import *im, bool commit, struct db_error *err);

/*
 * Exports every row of @kind as CSV with a header line (the import's
 * columns and order, RFC 4180 quoting), streamed through
 * write(user, data, len) (returns <0 to stop: that error is returned).
 * Re-importing the output changes nothing. Returns the row count.
 */
typedef int (*db_export_write_fn)(void *user, const char *data, size_t len);
int db_export(struct db *db, enum db_import_kind kind, db_export_write_fn write,
		void *user, struct db_error *err) DB_MUSTCHECK;

/* ---- what a verdict needs --------------------------------------------- */

/* A territory of the rep's (expanded) set. lacs are owned by the facts. */
struct db_place_territory {
	int64_t id;
	char code[DB_CODE_MAX];
	bool has_circle;
	double lat, lon, radius_m;
	int64_t *lacs;
	size_t n_lacs;
	int64_t *neighbour_lacs;
	size_t n_neighbour_lacs;
	double tolerance_m;
	char time_zone[DB_SHORT_MAX]; /* "" = inherited / the rule file's */
};

/* A cell to look up; mcc/mnc -1: by (lac, cid) alone. */
struct db_cell_key {
	int mcc, mnc;
	int64_t lac, cid;
};

struct db_checkin_facts {
	bool outlet_found;
	int64_t outlet_id;
	char outlet_code[DB_OUTLET_MAX];
	char outlet_name[DB_NAME_MAX];
	int64_t outlet_territory_id;
	char outlet_territory[DB_CODE_MAX];
	bool outlet_has_pos;
	double outlet_lat, outlet_lon;
	char outlet_phone[DB_PHONE_MAX]; /* "" when it has none */

	bool cell_given, cell_found;
	int cell_mcc, cell_mnc; /* as found (the key's when not found) */
	int64_t cell_lac, cell_cid;
	double cell_lat, cell_lon, cell_range_m;

	/*
	 * The territories the person covers, with all their descendants;
	 * when they cover none, the outlet's territory (and descendants).
	 * Owned: db_checkin_facts_free().
	 */
	struct db_place_territory *territories;
	size_t n_territories;
	bool person_has_territories;
};

/*
 * Fetches the outlet (with its territory), the cell (when @cell is not
 * NULL; by its full key, or by (lac, cid) alone preferring the most
 * sampled), and the person's territories: one query. @outlet_code as
 * typed (upper case). An unknown outlet or cell is not an error (found
 * false). *ret is zeroed first; free it with db_checkin_facts_free().
 */
int db_checkin_facts(struct db *db, int64_t person_id, const char *outlet_code,
		const struct db_cell_key *cell, struct db_checkin_facts *ret,
		struct db_error *err) DB_MUSTCHECK;
void db_checkin_facts_free(struct db_checkin_facts *facts);

/* ---- check-ins -------------------------------------------------------- */

struct db_checkin {
	int64_t person_id;	 /* required */
	int64_t message_id;	 /* the inbound message; 0 none */
	const char *ref;	 /* report reference ("R1043"); NULL none */
	int64_t scts;		 /* 0 unknown */
	int64_t received_at;	 /* 0: now() */
	const char *outlet_code; /* as typed; required */
	int64_t outlet_id;	 /* 0: unknown outlet */
	bool has_cell;
	struct db_cell_key cell;
	bool cell_known; /* the cell was in the cell table */
	bool has_pos;	 /* resolved position */
	double lat, lon;
	int64_t territory_id; /* matched or nearest; 0 none */
	const char *verdict;  /* geo_verdict_name() */
	int64_t distance_m;   /* -1: NULL */
	const char *evidence; /* geo_evidence_name() */
	int64_t confirm_by;   /* outlet confirmation window end; 0 none */
};

/*
 * Stores a check-in. A message already stored as a check-in (the same
 * message_id) is not stored twice: *ret_new false and its id. *ret_id and
 * *ret_new may be NULL.
 */
int db_checkin_insert(struct db *db, const struct db_checkin *c,
		int64_t *ret_id, bool *ret_new,
		struct db_error *err) DB_MUSTCHECK;

/*
 * The outlet confirms check-in @ref from @phone at time @at (message
 * @message_id, 0 none): evidence becomes outlet_confirmed. Errors:
 * -ENOENT no such check-in, -EPERM @phone is not the outlet's registered
 * phone, -ETIME the window (confirm_by) is over or the outlet has no
 * phone, -EALREADY already confirmed. *ret_id (may be NULL) the check-in.
 */
int db_checkin_confirm(struct db *db, const char *ref, const char *phone,
		int64_t at, int64_t message_id, int64_t *ret_id,
		struct db_error *err) DB_MUSTCHECK;

struct db_checkin_row {
	int64_t id;
	char phone[DB_PHONE_MAX];
	char name[DB_NAME_MAX];
	int64_t scts, received_at;
	char ref[DB_SHORT_MAX];
	char outlet_code[DB_SHORT_MAX]; /* as typed */
	char outlet_name[DB_NAME_MAX];	/* "" unknown outlet */
	char territory[DB_CODE_MAX];
	char verdict[DB_SHORT_MAX];
	int64_t distance_m; /* -1 NULL */
	char evidence[DB_SHORT_MAX];
	char cell[DB_SHORT_MAX]; /* "460-0-10783-15437" or "" */
	bool has_pos;
	double lat, lon;
	int64_t confirmed_at;
};

struct db_checkin_filter {
	const char *phone;   /* the person (normalized here); NULL all */
	int64_t since;	     /* 0: no bound */
	const char *verdict; /* NULL: any */
	size_t limit;	     /* 0: 50 */
};

/* Newest first; returns the count. Caller frees *ret_rows with free(). */
int db_checkins_list(struct db *db, const struct db_checkin_filter *f,
		struct db_checkin_row **ret_rows, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/* The codes of the territories a person covers, ';'-joined ("" none). */
int db_person_territories(struct db *db, int64_t person_id, char *buf,
		size_t size, struct db_error *err) DB_MUSTCHECK;

#endif /* DB_STORE_PLACES_H */
