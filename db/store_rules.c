/* Rule reloads: an audit row for each attempt to load a rule file. */
#include "db/db_internal.h"
#include "db/store.h"
#include "db/store_reports.h"

/* $1..$6 of both INSERTs below. */
static void reload_params(const struct db_rule_reload *rr, const char *p[6])
{
	p[0] = rr->daemon_host;
	p[1] = rr->path;
	p[2] = rr->version;
	p[3] = rr->sha256;
	p[4] = db_param_bool(rr->ok);
	p[5] = rr->errors;
}

int db_rule_reload_record(struct db *db, const struct db_rule_reload *rr,
		int64_t *ret_id, struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO rule_reloads (daemon_host, path, version, "
			"sha256, "
			"ok, errors) VALUES ($1, $2, $3, $4, $5::boolean, $6) "
			"RETURNING id";
	const char *p[6];

	db_error_clear(err);
	if (!rr)
		return db_invalid(err, "NULL reload");
	reload_params(rr, p);
	return db_query_id(db, sql, 6, p, ret_id, err);
}

int db_rule_reload_record_for(struct db *db, const struct db_rule_reload *rr,
		int64_t request_id, int64_t *ret_id, struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO rule_reloads (daemon_host, path, version, "
			"sha256, ok, errors, request_id) VALUES ($1, $2, $3, "
			"$4, $5::boolean, $6, $7::bigint) RETURNING id";
	char b[DB_NUM_MAX];
	const char *p[7];

	db_error_clear(err);
	if (!rr)
		return db_invalid(err, "NULL reload");
	reload_params(rr, p);
	p[6] = request_id ? db_param_num(b, request_id) : NULL;
	return db_query_id(db, sql, 7, p, ret_id, err);
}
