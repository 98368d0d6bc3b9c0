/*
 * Bulk import and export of people, territories, outlets and cells
 * (db/store_places.h). An import stages the rows with COPY into a
 * temporary table (line numbers kept), checks them with a few set queries
 * and applies them with upserts, all in one transaction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store_places.h"

#define COPY_BUF 65536

struct kind_sql {
	const char *name;
	size_t ncols;
	const char *stage;  /* CREATE TEMP TABLE stage (line, ...) */
	const char *checks; /* SELECT line, reason ... (all problems) */
	/* SELECT rows, inserted, updated; NULL: apply[0] returns them */
	const char *counts;
	const char *const *apply; /* NULL-terminated */
	const char *export_sql;
};

/* ---- people ----------------------------------------------------------- */

static const char *const people_apply[] = {
		"INSERT INTO people (phone, name, role, territory) "
		"SELECT phone, name, role, nullif(split_part(coalesce(terr, "
		"''), ';', 1), '') FROM stage ON CONFLICT (phone) DO UPDATE "
		"SET "
		"name = EXCLUDED.name, role = EXCLUDED.role, territory = "
		"EXCLUDED.territory, active = true WHERE (people.name, "
		"people.role, people.territory, people.active) IS DISTINCT "
		"FROM "
		"(EXCLUDED.name, EXCLUDED.role, EXCLUDED.territory, true)",
		"UPDATE people p SET supervisor_id = sup.id FROM stage s LEFT "
		"JOIN people sup ON sup.phone = s.supervisor WHERE p.phone = "
		"s.phone AND p.supervisor_id IS DISTINCT FROM sup.id",
		"DELETE FROM people_territories pt USING people p, stage s "
		"WHERE pt.person_id = p.id AND p.phone = s.phone AND NOT "
		"pt.territory_id IN (SELECT t.id FROM territories t WHERE "
		"t.code "
		"= ANY (string_to_array(coalesce(s.terr, ''), ';')))",
		"INSERT INTO people_territories (person_id, territory_id, "
		"position) SELECT p.id, t.id, c.n FROM stage s JOIN people p "
		"ON "
		"p.phone = s.phone, unnest(string_to_array(s.terr, ';')) WITH "
		"ORDINALITY AS c(code, n) JOIN territories t ON t.code = "
		"c.code "
		"ON CONFLICT (person_id, territory_id) DO UPDATE SET position "
		"= "
		"EXCLUDED.position WHERE people_territories.position <> "
		"EXCLUDED.position",
		NULL,
};

#define PEOPLE_EXPORT_ROWS                                                     \
	"SELECT p.phone, p.name, p.role, coalesce(s.phone, '') AS "            \
	"supervisor, coalesce((SELECT string_agg(t.code, ';' ORDER BY "        \
	"pt.position, t.code) FROM people_territories pt JOIN territories t "  \
	"ON t.id = pt.territory_id WHERE pt.person_id = p.id), '') AS terr "   \
	"FROM people p LEFT JOIN people s ON s.id = p.supervisor_id"

static const struct kind_sql people_sql = {
		"people",
		5,
		"CREATE TEMP TABLE stage (line bigint NOT NULL, phone text, "
		"name text, role text, supervisor text, terr text) ON COMMIT "
		"DROP",
		/* duplicates; supervisor unknown, not a supervisor, self;
		 * unknown territories */
		"SELECT line, 'duplicate phone ' || phone || ' (first on line "
		"' "
		"|| first || ')' FROM (SELECT line, phone, min(line) OVER "
		"(PARTITION BY phone) AS first FROM stage) d WHERE line > "
		"first "
		"UNION ALL SELECT s.line, 'supervisor ' || s.supervisor || ' "
		"is "
		"not registered (not in the file nor the database)' FROM stage "
		"s WHERE s.supervisor IS NOT NULL AND NOT EXISTS (SELECT 1 "
		"FROM "
		"stage x WHERE x.phone = s.supervisor) AND NOT EXISTS (SELECT "
		"1 "
		"FROM people p WHERE p.phone = s.supervisor) "
		"UNION ALL SELECT s.line, 'supervisor ' || s.supervisor || ' "
		"is "
		"a ' || coalesce(x.role, p.role) || ', not a supervisor' FROM "
		"stage s LEFT JOIN LATERAL (SELECT role FROM stage x WHERE "
		"x.phone = s.supervisor ORDER BY line LIMIT 1) x ON true LEFT "
		"JOIN people p ON p.phone = s.supervisor WHERE s.supervisor IS "
		"NOT NULL AND s.supervisor <> s.phone AND coalesce(x.role, "
		"p.role) <> 'supervisor' "
		"UNION ALL SELECT line, 'a person cannot supervise themselves' "
		"FROM stage WHERE supervisor = phone "
		"UNION ALL SELECT s.line, 'unknown territory ' || c.code FROM "
		"stage s, unnest(string_to_array(s.terr, ';')) AS c(code) "
		"WHERE "
		"NOT EXISTS (SELECT 1 FROM territories t WHERE t.code = "
		"c.code)",
		"SELECT count(*), count(*) FILTER (WHERE e.phone IS NULL), "
		"count(*) FILTER (WHERE e.phone IS NOT NULL AND (e.name, "
		"e.role, "
		"e.supervisor, e.terr) IS DISTINCT FROM (s.name, s.role, "
		"coalesce(s.supervisor, ''), coalesce(s.terr, ''))) FROM stage "
		"s "
		"LEFT JOIN (" PEOPLE_EXPORT_ROWS ") e ON e.phone = s.phone",
		people_apply,
		"SELECT phone, name, role, nullif(supervisor, ''), "
		"nullif(terr, "
		"'') AS territories "
		"FROM "
		"(" PEOPLE_EXPORT_ROWS ") e ORDER BY CASE role WHEN 'admin' "
		"THEN 0 WHEN 'supervisor' THEN 1 ELSE 2 END, phone",
};

/* ---- territories ------------------------------------------------------ */

static const char *const territories_apply[] = {
		"INSERT INTO territories (code, name, time_zone, centre_lat, "
		"centre_lon, radius_m, lacs, neighbour_lacs, tolerance_m) "
		"SELECT "
		"code, name, coalesce(tz, ''), lat, lon, radius, "
		"coalesce(string_to_array(lacs, ';')::int[], '{}'), "
		"coalesce(string_to_array(nb, ';')::int[], '{}'), "
		"coalesce(tol, 0) FROM stage ON CONFLICT (code) DO UPDATE SET "
		"name = EXCLUDED.name, time_zone = EXCLUDED.time_zone, "
		"centre_lat = EXCLUDED.centre_lat, centre_lon = "
		"EXCLUDED.centre_lon, radius_m = EXCLUDED.radius_m, lacs = "
		"EXCLUDED.lacs, neighbour_lacs = EXCLUDED.neighbour_lacs, "
		"tolerance_m = EXCLUDED.tolerance_m, updated_at = now() WHERE "
		"(territories.name, territories.time_zone, "
		"territories.centre_lat, territories.centre_lon, "
		"territories.radius_m, territories.lacs, "
		"territories.neighbour_lacs, territories.tolerance_m) IS "
		"DISTINCT FROM (EXCLUDED.name, EXCLUDED.time_zone, "
		"EXCLUDED.centre_lat, EXCLUDED.centre_lon, EXCLUDED.radius_m, "
		"EXCLUDED.lacs, EXCLUDED.neighbour_lacs, EXCLUDED.tolerance_m)",
		"UPDATE territories t SET parent_id = p.id, updated_at = now() "
		"FROM stage s LEFT JOIN territories p ON p.code = s.parent "
		"WHERE t.code = s.code AND t.parent_id IS DISTINCT FROM p.id",
		NULL,
};

#define TERRITORY_EXPORT_ROWS                                                  \
	"SELECT t.code, t.name, coalesce(p.code, '') AS parent, t.time_zone "  \
	"AS tz, t.centre_lat AS lat, t.centre_lon AS lon, t.radius_m AS "      \
	"radius, array_to_string(t.lacs, ';') AS lacs, "                       \
	"array_to_string(t.neighbour_lacs, ';') AS nb, t.tolerance_m AS tol "  \
	"FROM territories t LEFT JOIN territories p ON p.id = t.parent_id"

static const struct kind_sql territories_sql = {
		"territories",
		10,
		"CREATE TEMP TABLE stage (line bigint NOT NULL, code text, "
		"name text, parent text, tz text, lat float8, lon float8, "
		"radius "
		"int, lacs text, nb text, tol int) ON COMMIT DROP",
		"SELECT line, 'duplicate code ' || code || ' (first on line ' "
		"|| first || ')' FROM (SELECT line, code, min(line) OVER "
		"(PARTITION BY code) AS first FROM stage) d WHERE line > first "
		"UNION ALL SELECT s.line, 'unknown parent ' || s.parent || ' "
		"(not in the file nor the database)' FROM stage s WHERE "
		"s.parent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stage x "
		"WHERE x.code = s.parent) AND NOT EXISTS (SELECT 1 FROM "
		"territories t WHERE t.code = s.parent) "
		"UNION ALL SELECT s.line, 'unknown time zone ' || s.tz FROM "
		"stage s WHERE s.tz IS NOT NULL AND s.tz NOT IN (SELECT name "
		"FROM pg_timezone_names) "
		/* the tree after the import: staged parents win */
		"UNION ALL SELECT line, 'cycle in the territory tree: ' || "
		"array_to_string(path, ' -> ') FROM (WITH RECURSIVE eff(code, "
		"parent) AS ((SELECT DISTINCT ON (code) code, parent FROM "
		"stage "
		"ORDER BY code, line) UNION ALL SELECT t.code, p.code FROM "
		"territories t LEFT JOIN territories p ON p.id = t.parent_id "
		"WHERE NOT EXISTS (SELECT 1 FROM stage s WHERE s.code = "
		"t.code)), walk(start, cur, path) AS (SELECT s.code, s.parent, "
		"ARRAY[s.code] FROM stage s WHERE s.parent IS NOT NULL UNION "
		"ALL SELECT w.start, e.parent, w.path || w.cur FROM walk w "
		"JOIN "
		"eff e ON e.code = w.cur WHERE e.parent IS NOT NULL AND w.cur "
		"<> "
		"w.start AND NOT w.cur = ANY (w.path)) SELECT DISTINCT "
		"s.line, w.path || w.start AS path FROM walk w JOIN stage s ON "
		"s.code = w.start WHERE w.cur = w.start) c",
		"SELECT count(*), count(*) FILTER (WHERE e.code IS NULL), "
		"count(*) FILTER (WHERE e.code IS NOT NULL AND (e.name, "
		"e.parent, e.tz, e.lat, e.lon, e.radius, e.lacs, e.nb, e.tol) "
		"IS DISTINCT FROM (s.name, coalesce(s.parent, ''), "
		"coalesce(s.tz, "
		"''), s.lat, s.lon, s.radius, coalesce(s.lacs, ''), "
		"coalesce(s.nb, ''), coalesce(s.tol, 0))) FROM stage s LEFT "
		"JOIN "
		"(" TERRITORY_EXPORT_ROWS ") e ON e.code = s.code",
		territories_apply,
		/* parents before children */
		"WITH RECURSIVE d(id, depth) AS (SELECT id, 0 FROM territories "
		"WHERE parent_id IS NULL UNION ALL SELECT t.id, d.depth + 1 "
		"FROM "
		"territories t JOIN d ON t.parent_id = d.id WHERE d.depth < "
		"64) "
		"SELECT e.code, "
		"e.name, nullif(e.parent, '') AS parent, nullif(e.tz, '') AS "
		"time_zone, e.lat, e.lon, e.radius "
		"AS radius_m, nullif(e.lacs, '') AS lacs, nullif(e.nb, '') AS "
		"neighbour_lacs, e.tol AS "
		"tolerance_m FROM "
		"(" TERRITORY_EXPORT_ROWS ") e JOIN territories t ON t.code = "
		"e.code JOIN d ON d.id = t.id ORDER BY d.depth, e.code",
};

/* ---- outlets ---------------------------------------------------------- */

static const char *const outlets_apply[] = {
		"INSERT INTO outlets (code, name, address, territory_id, lat, "
		"lon, phone) SELECT s.code, s.name, coalesce(s.address, ''), "
		"t.id, s.lat, s.lon, s.phone FROM stage s JOIN territories t "
		"ON "
		"t.code = s.territory ON CONFLICT (code) DO UPDATE SET name = "
		"EXCLUDED.name, address = EXCLUDED.address, territory_id = "
		"EXCLUDED.territory_id, lat = EXCLUDED.lat, lon = "
		"EXCLUDED.lon, "
		"phone = EXCLUDED.phone, updated_at = now() WHERE "
		"(outlets.name, outlets.address, outlets.territory_id, "
		"outlets.lat, outlets.lon, outlets.phone) IS DISTINCT FROM "
		"(EXCLUDED.name, EXCLUDED.address, EXCLUDED.territory_id, "
		"EXCLUDED.lat, EXCLUDED.lon, EXCLUDED.phone)",
		NULL,
};

#define OUTLET_EXPORT_ROWS                                                     \
	"SELECT o.code, o.name, o.address, t.code AS territory, o.lat, "       \
	"o.lon, coalesce(o.phone, '') AS phone FROM outlets o JOIN "           \
	"territories t ON t.id = o.territory_id"

static const struct kind_sql outlets_sql = {
		"outlets",
		7,
		"CREATE TEMP TABLE stage (line bigint NOT NULL, code text, "
		"name text, address text, territory text, lat float8, lon "
		"float8, phone text) ON COMMIT DROP",
		"SELECT line, 'duplicate code ' || code || ' (first on line ' "
		"|| first || ')' FROM (SELECT line, code, min(line) OVER "
		"(PARTITION BY code) AS first FROM stage) d WHERE line > first "
		"UNION ALL SELECT s.line, 'unknown territory ' || s.territory "
		"FROM stage s WHERE NOT EXISTS (SELECT 1 FROM territories t "
		"WHERE t.code = s.territory)",
		"SELECT count(*), count(*) FILTER (WHERE e.code IS NULL), "
		"count(*) FILTER (WHERE e.code IS NOT NULL AND (e.name, "
		"e.address, e.territory, e.lat, e.lon, e.phone) IS DISTINCT "
		"FROM (s.name, coalesce(s.address, ''), s.territory, s.lat, "
		"s.lon, coalesce(s.phone, ''))) FROM stage s LEFT JOIN "
		"(" OUTLET_EXPORT_ROWS ") e ON e.code = s.code",
		outlets_apply,
		"SELECT code, name, nullif(address, '') AS address, territory, "
		"lat, lon, nullif(phone, '') AS phone FROM "
		"(" OUTLET_EXPORT_ROWS ") e ORDER BY code",
};

/* ---- cells ------------------------------------------------------------ */

#define CELL_COLS                                                              \
	"radio, mcc, mnc, lac, cid, unit, lon, lat, range_m, samples, "        \
	"changeable, created, updated, average_signal"

/* counts from the upsert itself: no second pass over a million rows */
static const char *const cells_apply[] = {
		"WITH u AS (INSERT INTO cells (" CELL_COLS ") SELECT " CELL_COLS
		" FROM stage ORDER BY lac, cid, mcc, mnc ON CONFLICT (lac, "
		"cid, "
		"mcc, mnc) DO UPDATE SET "
		"radio = EXCLUDED.radio, unit = EXCLUDED.unit, lon = "
		"EXCLUDED.lon, lat = EXCLUDED.lat, range_m = EXCLUDED.range_m, "
		"samples = EXCLUDED.samples, changeable = EXCLUDED.changeable, "
		"created = EXCLUDED.created, updated = EXCLUDED.updated, "
		"average_signal = EXCLUDED.average_signal WHERE (cells.radio, "
		"cells.unit, cells.lon, cells.lat, cells.range_m, "
		"cells.samples, cells.changeable, cells.created, "
		"cells.updated, "
		"cells.average_signal) IS DISTINCT FROM (EXCLUDED.radio, "
		"EXCLUDED.unit, EXCLUDED.lon, EXCLUDED.lat, EXCLUDED.range_m, "
		"EXCLUDED.samples, EXCLUDED.changeable, EXCLUDED.created, "
		"EXCLUDED.updated, EXCLUDED.average_signal) RETURNING (xmax = "
		"0) AS ins) SELECT (SELECT count(*) FROM stage), count(*) "
		"FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins) FROM u",
		NULL,
};

static const struct kind_sql cells_sql = {
		"cells",
		14,
		"CREATE TEMP TABLE stage (line bigint NOT NULL, radio text, "
		"mcc "
		"smallint, mnc integer, lac bigint, cid bigint, unit integer, "
		"lon float8, lat float8, range_m integer, samples integer, "
		"changeable boolean, created bigint, updated bigint, "
		"average_signal integer) ON COMMIT DROP",
		/* a hash aggregate, not a sort, over a million rows */
		"SELECT s.line, 'duplicate cell ' || s.mcc || '-' || s.mnc || "
		"'-' || s.lac || '-' || s.cid || ' (first on line ' || d.first "
		"|| ')' FROM stage s JOIN (SELECT mcc, mnc, lac, cid, "
		"min(line) "
		"AS first FROM stage GROUP BY mcc, mnc, lac, cid HAVING "
		"count(*) "
		"> 1) d USING (mcc, mnc, lac, cid) WHERE s.line > d.first",
		NULL, /* the first apply statement counts */
		cells_apply,
		"SELECT radio, mcc, mnc AS net, lac AS area, cid AS cell, "
		"unit, "
		"lon, lat, range_m AS range, samples, changeable::int AS "
		"changeable, created, updated, average_signal AS "
		"\"averageSignal\" FROM cells ORDER BY mcc, mnc, lac, cid",
};

static const struct kind_sql *const kinds[] = {
		[DB_IMPORT_PEOPLE] = &people_sql,
		[DB_IMPORT_TERRITORIES] = &territories_sql,
		[DB_IMPORT_OUTLETS] = &outlets_sql,
		[DB_IMPORT_CELLS] = &cells_sql,
};

static const struct kind_sql *kind_of(enum db_import_kind k)
{
	return (unsigned) k < sizeof(kinds) / sizeof(kinds[0]) ? kinds[k]
							       : NULL;
}

const char *db_import_kind_name(enum db_import_kind kind)
{
	const struct kind_sql *k = kind_of(kind);

	return k ? k->name : NULL;
}

int db_import_kind_parse(const char *s, enum db_import_kind *ret)
{
	size_t i;

	for (i = 0; s && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(s, kinds[i]->name)) {
			*ret = (enum db_import_kind) i;
			return 0;
		}
	}
	return -EINVAL;
}

size_t db_import_columns(enum db_import_kind kind)
{
	const struct kind_sql *k = kind_of(kind);

	return k ? k->ncols : 0;
}

struct db_import {
	struct db *db;
	const struct kind_sql *k;
	bool copying;
	char *buf;
	size_t len;
	int64_t rows; /* staged */
};

/* Runs a statement that returns nothing we need, without preparing it. */
static int plain(struct db *db, const char *sql, struct db_error *err)
{
	PGresult *res;
	int r = db_query(db, sql, 0, NULL, &res, err);

	if (r == 0)
		PQclear(res);
	return r;
}

/*
 * The staging table lives in the session's temp_buffers (8 MB by
 * default): a million cells would spill to disk. It can only be set
 * before the session first uses a temporary table; later it is kept.
 */
static int set_temp_buffers(struct db *db, struct db_error *err)
{
	return plain(db,
			"SELECT set_config('temp_buffers', '256MB', false) "
			"WHERE NOT EXISTS (SELECT 1 FROM pg_class WHERE "
			"relpersistence = 't' AND pg_table_is_visible(oid))",
			err);
}

int db_import_begin(struct db *db, enum db_import_kind kind,
		struct db_import **ret, struct db_error *err)
{
	const struct kind_sql *k = kind_of(kind);
	struct db_import *im;
	PGresult *res;
	int r;

	db_error_clear(err);
	if (!db || !k || !ret)
		return db_invalid(err, "import kind");
	im = calloc(1, sizeof(*im));
	if (!im || !(im->buf = malloc(COPY_BUF))) {
		free(im);
		return db_oom(err);
	}
	im->db = db;
	im->k = k;
	if ((r = db_begin(db, err)) < 0)
		goto fail_free;
	/* the checks hash a million keys: room for that in memory */
	if ((r = plain(db, "SET LOCAL work_mem = '256MB'", err)) < 0 ||
			(r = set_temp_buffers(db, err)) < 0 ||
			(r = plain(db, k->stage, err)) < 0)
		goto fail_rollback;
	res = PQexec(db_conn(db), "COPY stage FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		db_set_error(err, PQresultErrorField(res, PG_DIAG_SQLSTATE),
				"COPY: %s", PQerrorMessage(db_conn(db)));
		PQclear(res);
		r = -EIO;
		goto fail_rollback;
	}
	PQclear(res);
	im->copying = true;
	*ret = im;
	return 0;
fail_rollback:
	(void) db_rollback(db, NULL);
fail_free:
	free(im->buf);
	free(im);
	return r;
}

static int flush(struct db_import *im, struct db_error *err)
{
	if (im->len && PQputCopyData(db_conn(im->db), im->buf, (int) im->len) !=
					1) {
		db_set_error(err, "08006", "COPY: %s",
				PQerrorMessage(db_conn(im->db)));
		return -ENOTCONN;
	}
	im->len = 0;
	return 0;
}

/* Appends one value in COPY text format (escapes, \N for NULL). */
static int put_value(struct db_import *im, const char *v, bool last,
		struct db_error *err)
{
	size_t need = v ? 2 * strlen(v) + 3 : 4;
	int r;

	if (need > COPY_BUF)
		return db_invalid(err, "value too long");
	if (im->len + need > COPY_BUF && (r = flush(im, err)) < 0)
		return r;
	if (!v || !*v) {
		memcpy(im->buf + im->len, "\\N", 2);
		im->len += 2;
	} else {
		for (; *v; v++) {
			char c = *v, e = 0;

			switch (c) {
			case '\\':
				e = '\\';
				break;
			case '\t':
				e = 't';
				break;
			case '\n':
				e = 'n';
				break;
			case '\r':
				e = 'r';
				break;
			}
			if (e) {
				im->buf[im->len++] = '\\';
				im->buf[im->len++] = e;
			} else {
				im->buf[im->len++] = c;
			}
		}
	}
	im->buf[im->len++] = last ? '\n' : '\t';
	return 0;
}

int db_import_row(struct db_import *im, int64_t line, const char *const *values,
		struct db_error *err)
{
	char b[DB_NUM_MAX];
	size_t i;
	int r;

	if (!im || !im->copying || !values)
		return db_invalid(err, "import row");
	if ((r = put_value(im, db_param_num(b, line), false, err)) < 0)
		return r;
	for (i = 0; i < im->k->ncols; i++)
		if ((r = put_value(im, values[i], i + 1 == im->k->ncols, err)) <
				0)
			return r;
	im->rows++;
	return 0;
}

static int end_copy(struct db_import *im, struct db_error *err)
{
	PGconn *c = db_conn(im->db);
	PGresult *res;
	int r = 0;

	if (!im->copying)
		return 0;
	im->copying = false;
	if ((r = flush(im, err)) < 0)
		return r;
	if (PQputCopyEnd(c, NULL) != 1) {
		db_set_error(err, "08006", "COPY: %s", PQerrorMessage(c));
		return -ENOTCONN;
	}
	while ((res = PQgetResult(c))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && r == 0) {
			db_set_error(err,
					PQresultErrorField(
							res, PG_DIAG_SQLSTATE),
					"COPY: %s", PQresultErrorMessage(res));
			r = -EIO;
		}
		PQclear(res);
	}
	return r;
}

int db_import_check(struct db_import *im, size_t limit, db_import_problem_cb cb,
		void *user, struct db_error *err)
{
	char sql[8192], b[DB_NUM_MAX];
	const char *p[1];
	PGresult *res;
	int64_t total = 0, line;
	int r, i;

	db_error_clear(err);
	if (!im)
		return db_invalid(err, "import");
	if ((r = end_copy(im, err)) < 0)
		return r;
	if ((r = plain(im->db, "ANALYZE stage", err)) < 0)
		return r;
	snprintf(sql, sizeof(sql),
			"SELECT line, reason, count(*) OVER () FROM (%s) "
			"AS problems(line, reason) ORDER BY line, reason "
			"LIMIT $1::bigint",
			im->k->checks);
	p[0] = db_param_num(b, limit ? (int64_t) limit : 1);
	r = db_query(im->db, sql, 1, p, &res, err);
	if (r < 0)
		return r;
	for (i = 0; i < PQntuples(res); i++) {
		if ((r = db_get_int64(res, i, 0, &line, err)) < 0 ||
				(r = db_get_int64(res, i, 2, &total, err)) < 0)
			goto out;
		if (cb && (size_t) i < limit)
			cb(user, line, PQgetvalue(res, i, 1));
	}
	r = total > INT32_MAX ? INT32_MAX : (int) total;
out:
	PQclear(res);
	return r;
}

static int counts_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_import_counts *c = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &c->rows, err)) < 0 ||
			(r = db_get_int64(res, i, 1, &c->inserted, err)) < 0 ||
			(r = db_get_int64(res, i, 2, &c->updated, err)) < 0)
		return r;
	c->unchanged = c->rows - c->inserted - c->updated;
	return 0;
}

/* Reads the single boolean a query returns. */
static int query_bool(
		struct db *db, const char *sql, bool *ret, struct db_error *err)
{
	PGresult *res;
	int r = db_query(db, sql, 0, NULL, &res, err);

	if (r < 0)
		return r;
	r = PQntuples(res) == 1 ? db_get_bool(res, 0, 0, ret, err) : -EPROTO;
	PQclear(res);
	return r;
}

/*
 * The first load of the cell table: with no row to conflict with (the
 * checks found no duplicate in the file), the key index is built once
 * after a plain insert instead of being updated a million times. Takes
 * the table's exclusive lock until the import commits, so only when the
 * table is empty. Returns 1 when done, 0 when the table is not empty.
 */
static int cells_first_load(struct db_import *im, struct db_import_counts *c,
		struct db_error *err)
{
	static const char *const bulk[] = {
			"ALTER TABLE cells DROP CONSTRAINT cells_pkey",
			"INSERT INTO cells (" CELL_COLS ") SELECT " CELL_COLS
			" FROM stage",
			"ALTER TABLE cells ADD CONSTRAINT cells_pkey PRIMARY "
			"KEY (lac, cid, mcc, mnc)",
			NULL,
	};
	static const char sql_empty[] =
			"SELECT NOT EXISTS (SELECT 1 FROM cells)";
	bool empty = false;
	size_t i;
	int r;

	if ((r = query_bool(im->db, sql_empty, &empty, err)) < 0 || !empty)
		return r;
	if ((r = plain(im->db, "LOCK TABLE cells IN ACCESS EXCLUSIVE MODE",
			     err)) < 0 ||
			(r = query_bool(im->db, sql_empty, &empty, err)) < 0 ||
			!empty)
		return r;
	for (i = 0; bulk[i]; i++)
		if ((r = plain(im->db, bulk[i], err)) < 0)
			return r;
	c->rows = c->inserted = im->rows;
	return 1;
}

int db_import_apply(struct db_import *im, struct db_import_counts *ret,
		struct db_error *err)
{
	struct db_import_counts c = {0};
	PGresult *res;
	size_t i;
	int r;

	db_error_clear(err);
	if (!im || im->copying)
		return db_invalid(err, "import not checked");
	if (im->k == &cells_sql) {
		r = cells_first_load(im, &c, err);
		if (r < 0)
			return r;
		if (r == 1)
			goto out;
	}
	r = db_query(im->db, im->k->counts ? im->k->counts : im->k->apply[0], 0,
			NULL, &res, err);
	if (r < 0)
		return r;
	r = PQntuples(res) == 1 ? counts_row(res, 0, &c, err) : -EPROTO;
	PQclear(res);
	if (r < 0)
		return r;
	for (i = im->k->counts ? 0 : 1; im->k->apply[i]; i++)
		if ((r = plain(im->db, im->k->apply[i], err)) < 0)
			return r;
out:
	if (ret)
		*ret = c;
	return 0;
}

int db_import_end(struct db_import *im, bool commit, struct db_error *err)
{
	int r = 0;

	if (!im)
		return 0;
	if (im->copying) {
		/* abandon the COPY; the rollback below discards it */
		(void) PQputCopyEnd(db_conn(im->db), "import abandoned");
		while (1) {
			PGresult *res = PQgetResult(db_conn(im->db));

			if (!res)
				break;
			PQclear(res);
		}
		im->copying = false;
		commit = false;
	}
	if (commit)
		r = db_commit(im->db, err);
	else
		(void) db_rollback(im->db, NULL);
	free(im->buf);
	free(im);
	return r;
}

int db_export(struct db *db, enum db_import_kind kind, db_export_write_fn write,
		void *user, struct db_error *err)
{
	const struct kind_sql *k = kind_of(kind);
	char sql[8192];
	PGconn *c;
	PGresult *res;
	char *data;
	int n, r = 0, rows = -1;

	db_error_clear(err);
	if (!db || !k || !write)
		return db_invalid(err, "export kind");
	if (!(c = db_conn(db))) {
		db_set_error(err, "08003", "not connected to the database");
		return -ENOTCONN;
	}
	snprintf(sql, sizeof(sql),
			"COPY (%s) TO STDOUT WITH (FORMAT csv, HEADER true)",
			k->export_sql);
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		db_set_error(err, PQresultErrorField(res, PG_DIAG_SQLSTATE),
				"export: %s", PQerrorMessage(c));
		PQclear(res);
		return PQstatus(c) == CONNECTION_OK ? -EIO : -ENOTCONN;
	}
	PQclear(res);
	while ((n = PQgetCopyData(c, &data, 0)) > 0) {
		if (r == 0 && (r = write(user, data, (size_t) n)) > 0)
			r = 0;
		rows++;
		PQfreemem(data);
	}
	while ((res = PQgetResult(c))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && r == 0) {
			db_set_error(err,
					PQresultErrorField(
							res, PG_DIAG_SQLSTATE),
					"export: %s",
					PQresultErrorMessage(res));
			r = -EIO;
		}
		PQclear(res);
	}
	if (r < 0)
		return r;
	return rows < 0 ? 0 : rows;
}
