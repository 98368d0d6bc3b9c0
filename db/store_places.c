/*
 * Check-ins: the facts a verdict needs (two queries), storing a check-in,
 * the outlet's confirmation, listings (db/store_places.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store_places.h"

static int get_double_opt(const PGresult *res, int row, int col, bool *has,
		double *ret, struct db_error *err)
{
	char *end;
	const char *s;

	*has = false;
	if (PQgetisnull(res, row, col))
		return 0;
	s = PQgetvalue(res, row, col);
	*ret = strtod(s, &end);
	if (end == s || *end) {
		db_set_error(err, NULL, "column %d: bad number '%s'", col, s);
		return -EPROTO;
	}
	*has = true;
	return 0;
}

/* "{1,2,3}" (an integer[] in text form) into a malloc'ed array. */
static int get_int_array(const PGresult *res, int row, int col, int64_t **ret,
		size_t *ret_n, struct db_error *err)
{
	const char *s = PQgetvalue(res, row, col);
	size_t n = 0, cap = 0;
	int64_t *v = NULL;
	char *end;

	*ret = NULL;
	*ret_n = 0;
	if (PQgetisnull(res, row, col))
		return 0;
	if (*s++ != '{')
		goto bad;
	while (*s && *s != '}') {
		long long x = strtoll(s, &end, 10);

		if (end == s)
			goto bad;
		if (n == cap) {
			int64_t *nv;

			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return db_oom(err);
			}
			v = nv;
		}
		v[n++] = x;
		s = end;
		if (*s == ',')
			s++;
	}
	if (*s != '}')
		goto bad;
	*ret = v;
	*ret_n = n;
	return 0;
bad:
	free(v);
	db_set_error(err, NULL, "column %d: bad integer array", col);
	return -EPROTO;
}

/*
 * Everything a verdict needs in one round trip: one row per territory of
 * the person's (expanded) set, each carrying the outlet (columns 0-7)
 * and the cell (8-13); one row with NULL territory columns when there is
 * none. $1 outlet code, $2 lac, $3 cid, $4 mcc (NULL: any network), $5
 * mnc, $6 look the cell up at all, $7 the person. Someone who covers no
 * territory is judged against the outlet's. OFFSET 0 keeps the tree walk
 * to index scans per row instead of hashing the whole territory table.
 */
static const char sql_facts[] =
		"WITH RECURSIVE oc AS (SELECT o.id, o.code, o.name, "
		"o.territory_id, t.code AS tcode, o.lat, o.lon, "
		"coalesce(o.phone, '') AS phone, c.found, c.mcc, c.mnc, "
		"c.lat AS clat, c.lon AS clon, c.range_m FROM (SELECT 1) x "
		"LEFT JOIN outlets o ON o.code = $1 "
		"LEFT JOIN territories t ON t.id = o.territory_id "
		"LEFT JOIN LATERAL (SELECT true AS found, mcc, mnc, lat, lon, "
		"range_m FROM cells WHERE $6::bool AND lac = $2::bigint AND "
		"cid = $3::bigint AND ($4::int IS NULL OR (mcc = $4::int AND "
		"mnc = $5::int)) ORDER BY samples DESC, mcc, mnc LIMIT 1) c ON "
		"true), "
		"mine AS (SELECT territory_id AS id FROM people_territories "
		"WHERE person_id = $7::bigint), "
		"base AS (SELECT id FROM mine UNION ALL SELECT territory_id "
		"FROM oc WHERE territory_id IS NOT NULL AND NOT EXISTS (SELECT "
		"1 FROM mine)), "
		"sub(id) AS (SELECT id FROM base UNION SELECT c.id FROM sub, "
		"LATERAL (SELECT id FROM territories WHERE parent_id = sub.id "
		"OFFSET 0) c) "
		"SELECT oc.*, t.id, t.code, t.centre_lat, t.centre_lon, "
		"t.radius_m, t.lacs, t.neighbour_lacs, t.tolerance_m, "
		"t.time_zone, EXISTS (SELECT 1 FROM mine) FROM oc LEFT JOIN "
		"LATERAL (SELECT t.* FROM sub, LATERAL (SELECT * FROM "
		"territories WHERE id = sub.id OFFSET 0) t) t ON true ORDER BY "
		"t.id";

/* The first territory column of sql_facts. */
#define T0 14

static int outlet_cell_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_checkin_facts *f = elem;
	bool has_lon;
	int64_t v;
	int r;

	if (!PQgetisnull(res, i, 0)) {
		f->outlet_found = true;
		if ((r = db_get_int64(res, i, 0, &f->outlet_id, err)) < 0 ||
				(r = DB_GET_TEXT(res, i, 1, f->outlet_code,
						 err)) < 0 ||
				(r = DB_GET_TEXT(res, i, 2, f->outlet_name,
						 err)) < 0 ||
				(r = db_get_int64(res, i, 3,
						 &f->outlet_territory_id,
						 err)) < 0 ||
				(r = DB_GET_TEXT(res, i, 4, f->outlet_territory,
						 err)) < 0 ||
				(r = get_double_opt(res, i, 5,
						 &f->outlet_has_pos,
						 &f->outlet_lat, err)) < 0 ||
				(r = get_double_opt(res, i, 6, &has_lon,
						 &f->outlet_lon, err)) < 0 ||
				(r = DB_GET_TEXT(res, i, 7, f->outlet_phone,
						 err)) < 0)
			return r;
	}
	if (!PQgetisnull(res, i, 8)) {
		bool has;

		f->cell_found = true;
		if ((r = db_get_int(res, i, 9, &f->cell_mcc, err)) < 0 ||
				(r = db_get_int(res, i, 10, &f->cell_mnc,
						 err)) < 0 ||
				(r = get_double_opt(res, i, 11, &has,
						 &f->cell_lat, err)) < 0 ||
				(r = get_double_opt(res, i, 12, &has,
						 &f->cell_lon, err)) < 0 ||
				(r = db_get_int64_opt(res, i, 13, 0, &v, err)) <
						0)
			return r;
		f->cell_range_m = (double) v;
	}
	return 0;
}

static int territory_row(const PGresult *res, int i,
		struct db_place_territory *t, bool *ret_has,
		struct db_error *err)
{
	bool has_lat, has_lon, has_radius;
	int64_t tol;
	int r;

	if ((r = db_get_int64(res, i, T0 + 0, &t->id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, T0 + 1, t->code, err)) < 0 ||
			(r = get_double_opt(res, i, T0 + 2, &has_lat, &t->lat,
					 err)) < 0 ||
			(r = get_double_opt(res, i, T0 + 3, &has_lon, &t->lon,
					 err)) < 0 ||
			(r = get_double_opt(res, i, T0 + 4, &has_radius,
					 &t->radius_m, err)) < 0 ||
			(r = get_int_array(res, i, T0 + 5, &t->lacs, &t->n_lacs,
					 err)) < 0 ||
			(r = get_int_array(res, i, T0 + 6, &t->neighbour_lacs,
					 &t->n_neighbour_lacs, err)) < 0 ||
			(r = db_get_int64(res, i, T0 + 7, &tol, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, T0 + 8, t->time_zone, err)) <
					0 ||
			(r = db_get_bool(res, i, T0 + 9, ret_has, err)) < 0)
		return r;
	t->has_circle = has_lat && has_lon && has_radius;
	t->tolerance_m = (double) tol;
	return 0;
}

void db_checkin_facts_free(struct db_checkin_facts *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n_territories; i++) {
		free(f->territories[i].lacs);
		free(f->territories[i].neighbour_lacs);
	}
	free(f->territories);
	f->territories = NULL;
	f->n_territories = 0;
}

int db_checkin_facts(struct db *db, int64_t person_id, const char *outlet_code,
		const struct db_cell_key *cell, struct db_checkin_facts *ret,
		struct db_error *err)
{
	char b[5][DB_NUM_MAX];
	const char *p[7];
	struct db_checkin_facts f;
	PGresult *res;
	int r, i, n;

	db_error_clear(err);
	if (!ret || !outlet_code || person_id <= 0)
		return db_invalid(err, "person or outlet code");
	memset(&f, 0, sizeof(f));
	p[0] = outlet_code;
	p[1] = db_param_num(b[0], cell ? cell->lac : 0);
	p[2] = db_param_num(b[1], cell ? cell->cid : 0);
	p[3] = cell && cell->mcc >= 0 ? db_param_num(b[2], cell->mcc) : NULL;
	p[4] = cell && cell->mcc >= 0 ? db_param_num(b[3], cell->mnc) : NULL;
	p[5] = db_param_bool(cell != NULL);
	p[6] = db_param_num(b[4], person_id);
	r = db_query(db, sql_facts, 7, p, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	if (n < 1 || (r = outlet_cell_row(res, 0, &f, err)) < 0) {
		if (n < 1) {
			db_set_error(err, NULL, "no row");
			r = -EPROTO;
		}
		PQclear(res);
		return r;
	}
	if (cell) {
		f.cell_given = true;
		f.cell_lac = cell->lac;
		f.cell_cid = cell->cid;
		if (!f.cell_found) {
			f.cell_mcc = cell->mcc;
			f.cell_mnc = cell->mnc;
		}
	}
	if (!PQgetisnull(res, 0, T0)) {
		f.territories = calloc((size_t) n, sizeof(*f.territories));
		if (!f.territories) {
			PQclear(res);
			return db_oom(err);
		}
		for (i = 0; i < n; i++) {
			r = territory_row(res, i, &f.territories[i],
					&f.person_has_territories, err);
			f.n_territories = (size_t) i + 1;
			if (r < 0) {
				PQclear(res);
				db_checkin_facts_free(&f);
				return r;
			}
		}
	} else if ((r = db_get_bool(res, 0, T0 + 9, &f.person_has_territories,
				    err)) < 0) {
		PQclear(res);
		return r;
	}
	PQclear(res);
	*ret = f;
	return 0;
}

int db_checkin_insert(struct db *db, const struct db_checkin *c,
		int64_t *ret_id, bool *ret_new, struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO checkins (person_id, message_id, ref, "
			"scts, received_at, outlet_code, outlet_id, cell_mcc, "
			"cell_mnc, cell_lac, cell_cid, cell_known, lat, lon, "
			"territory_id, verdict, distance_m, evidence, "
			"confirm_by) VALUES ($1::bigint, $2::bigint, $3, "
			"to_timestamp($4::float8), coalesce(to_timestamp("
			"$5::float8), now()), $6, $7::bigint, $8::int, "
			"$9::int, $10::bigint, $11::bigint, $12::bool, "
			"$13::float8, $14::float8, $15::bigint, $16, "
			"$17::int, $18, to_timestamp($19::float8)) "
			"ON CONFLICT (message_id) DO NOTHING RETURNING id";
	static const char sql_find[] =
			"SELECT id FROM checkins WHERE message_id = $1::bigint";
	char b[16][DB_NUM_MAX], lat[32], lon[32];
	const char *p[19], *f[1];

	db_error_clear(err);
	if (!c || c->person_id <= 0 || !c->outlet_code || !c->verdict ||
			!c->evidence)
		return db_invalid(err, "check-in");
	p[0] = db_param_num(b[0], c->person_id);
	p[1] = c->message_id > 0 ? db_param_num(b[1], c->message_id) : NULL;
	p[2] = db_param_str_opt(c->ref);
	p[3] = db_param_time_opt(b[2], c->scts);
	p[4] = db_param_time_opt(b[3], c->received_at);
	p[5] = c->outlet_code;
	p[6] = c->outlet_id > 0 ? db_param_num(b[4], c->outlet_id) : NULL;
	p[7] = c->has_cell && c->cell.mcc >= 0 ? db_param_num(b[5], c->cell.mcc)
					       : NULL;
	p[8] = c->has_cell && c->cell.mcc >= 0 ? db_param_num(b[6], c->cell.mnc)
					       : NULL;
	p[9] = c->has_cell ? db_param_num(b[7], c->cell.lac) : NULL;
	p[10] = c->has_cell ? db_param_num(b[8], c->cell.cid) : NULL;
	p[11] = db_param_bool(c->cell_known);
	snprintf(lat, sizeof(lat), "%.7f", c->lat);
	snprintf(lon, sizeof(lon), "%.7f", c->lon);
	p[12] = c->has_pos ? lat : NULL;
	p[13] = c->has_pos ? lon : NULL;
	p[14] = c->territory_id > 0 ? db_param_num(b[10], c->territory_id)
				    : NULL;
	p[15] = c->verdict;
	p[16] = db_param_num_opt(b[11], c->distance_m);
	p[17] = c->evidence;
	p[18] = db_param_time_opt(b[12], c->confirm_by);
	if (!p[1]) { /* no message: nothing to conflict on */
		int r = db_query_id(db, sql, 19, p, ret_id, err);

		if (r == 0 && ret_new)
			*ret_new = true;
		return r;
	}
	f[0] = p[1];
	return db_insert_or_find(
			db, sql, 19, p, sql_find, 1, f, ret_id, ret_new, err);
}

int db_checkin_confirm(struct db *db, const char *ref, const char *phone,
		int64_t at, int64_t message_id, int64_t *ret_id,
		struct db_error *err)
{
	static const char sql[] =
			"WITH c AS (SELECT c.id, coalesce(o.phone, '') AS "
			"phone, c.confirm_by, c.confirmed_at FROM checkins c "
			"LEFT JOIN outlets o ON o.id = c.outlet_id WHERE c.ref "
			"= $1), u AS (UPDATE checkins SET evidence = "
			"'outlet_confirmed', confirmed_at = "
			"to_timestamp($3::float8), confirmed_message_id = "
			"$4::bigint WHERE id = (SELECT id FROM c WHERE phone = "
			"$2 AND confirmed_at IS NULL AND confirm_by >= "
			"to_timestamp($3::float8)) RETURNING id) "
			"SELECT c.id, c.phone = $2, c.confirm_by IS NOT NULL "
			"AND c.confirm_by >= to_timestamp($3::float8), "
			"c.confirmed_at IS NOT NULL, (SELECT count(*) FROM u) "
			"FROM c";
	char norm[DB_PHONE_MAX], b[2][DB_NUM_MAX];
	const char *p[4];
	PGresult *res;
	bool phone_ok, in_window, already;
	int64_t id, n;
	int r;

	db_error_clear(err);
	if (!ref || !*ref || db_phone_normalize(phone, norm) < 0 || at <= 0)
		return db_invalid(err, "reference, phone or time");
	p[0] = ref;
	p[1] = norm;
	p[2] = db_param_num(b[0], at);
	p[3] = message_id > 0 ? db_param_num(b[1], message_id) : NULL;
	r = db_query(db, sql, 4, p, &res, err);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		db_set_error(err, NULL, "no check-in %s", ref);
		return -ENOENT;
	}
	if ((r = db_get_int64(res, 0, 0, &id, err)) < 0 ||
			(r = db_get_bool(res, 0, 1, &phone_ok, err)) < 0 ||
			(r = db_get_bool(res, 0, 2, &in_window, err)) < 0 ||
			(r = db_get_bool(res, 0, 3, &already, err)) < 0 ||
			(r = db_get_int64(res, 0, 4, &n, err)) < 0) {
		PQclear(res);
		return r;
	}
	PQclear(res);
	if (n == 1) {
		if (ret_id)
			*ret_id = id;
		return 0;
	}
	if (!phone_ok) {
		db_set_error(err, NULL, "%s is not the outlet's phone", norm);
		return -EPERM;
	}
	if (already) {
		db_set_error(err, NULL, "check-in %s is already confirmed",
				ref);
		return -EALREADY;
	}
	(void) in_window;
	db_set_error(err, NULL, "the confirmation window of %s is over", ref);
	return -ETIME;
}

static int checkin_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_checkin_row *c = elem;
	bool has_lon;
	int r;

	if ((r = db_get_int64(res, i, 0, &c->id, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, c->phone, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, c->name, err)) < 0 ||
			(r = db_get_time_opt(res, i, 3, &c->scts, err)) < 0 ||
			(r = db_get_time_opt(res, i, 4, &c->received_at, err)) <
					0 ||
			(r = DB_GET_TEXT(res, i, 5, c->ref, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 6, c->outlet_code, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 7, c->outlet_name, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 8, c->territory, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 9, c->verdict, err)) < 0 ||
			(r = db_get_int64_opt(res, i, 10, -1, &c->distance_m,
					 err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 11, c->evidence, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 12, c->cell, err)) < 0 ||
			(r = get_double_opt(res, i, 13, &c->has_pos, &c->lat,
					 err)) < 0 ||
			(r = get_double_opt(res, i, 14, &has_lon, &c->lon,
					 err)) < 0 ||
			(r = db_get_time_opt(res, i, 15, &c->confirmed_at,
					 err)) < 0)
		return r;
	return 0;
}

static const struct db_row_type checkin_type = {
		sizeof(struct db_checkin_row), checkin_row, NULL, 0};

int db_checkins_list(struct db *db, const struct db_checkin_filter *f,
		struct db_checkin_row **ret_rows, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT c.id, p.phone, p.name, extract(epoch FROM "
			"c.scts), extract(epoch FROM c.received_at), "
			"coalesce(c.ref, ''), c.outlet_code, coalesce(o.name, "
			"''), coalesce(t.code, ''), c.verdict, c.distance_m, "
			"c.evidence, CASE WHEN c.cell_lac IS NULL THEN '' ELSE "
			"concat_ws('-', c.cell_mcc, c.cell_mnc, c.cell_lac, "
			"c.cell_cid) END, c.lat, c.lon, extract(epoch FROM "
			"c.confirmed_at) FROM checkins c JOIN people p ON p.id "
			"= c.person_id LEFT JOIN outlets o ON o.id = "
			"c.outlet_id LEFT JOIN territories t ON t.id = "
			"c.territory_id WHERE ($1::text IS NULL OR p.phone = "
			"$1) AND ($2::float8 IS NULL OR c.received_at >= "
			"to_timestamp($2::float8)) AND ($3::text IS NULL OR "
			"c.verdict = $3) ORDER BY c.received_at DESC, c.id "
			"DESC LIMIT $4::int";
	char norm[DB_PHONE_MAX], b[2][DB_NUM_MAX];
	const char *p[4];
	void *v;
	int r;

	db_error_clear(err);
	p[0] = NULL;
	if (f && f->phone) {
		if (db_phone_normalize(f->phone, norm) < 0)
			return db_invalid(err, "phone filter");
		p[0] = norm;
	}
	p[1] = f ? db_param_time_opt(b[0], f->since) : NULL;
	p[2] = f ? db_param_str_opt(f->verdict) : NULL;
	p[3] = db_param_num(b[1], (f && f->limit) ? (int64_t) f->limit : 50);
	r = db_list_rows(db, sql, 4, p, &checkin_type, ret_rows ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_rows = v;
	return r;
}

int db_person_territories(struct db *db, int64_t person_id, char *buf,
		size_t size, struct db_error *err)
{
	static const char sql[] =
			"SELECT coalesce(string_agg(t.code, ';' ORDER BY "
			"pt.position, t.code), '') FROM people_territories pt "
			"JOIN territories t ON t.id = pt.territory_id WHERE "
			"pt.person_id = $1::bigint";
	char b[DB_NUM_MAX];
	const char *p[1];
	PGresult *res;
	int r;

	db_error_clear(err);
	if (!buf || !size)
		return db_invalid(err, "buffer");
	p[0] = db_param_num(b, person_id);
	r = db_query(db, sql, 1, p, &res, err);
	if (r < 0)
		return r;
	r = db_get_text(res, 0, 0, buf, size, err);
	PQclear(res);
	return r;
}
