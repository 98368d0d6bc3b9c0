/* USSD requests: queued by fieldgatectl, claimed and finished by a daemon. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store.h"

int db_ussd_enqueue(struct db *db, const char *modem, const char *code,
		int64_t *ret_id, struct db_error *err)
{
	static const char sql[] = "INSERT INTO ussd_requests (modem, code) "
				  "VALUES ($1, $2) "
				  "RETURNING id";
	const char *p[2];
	int r;

	db_error_clear(err);
	if (!code || !*code)
		return db_invalid(err, "USSD code");
	p[0] = db_param_str_opt(modem);
	p[1] = code;
	r = db_query_id(db, sql, 2, p, ret_id, err);
	if (r < 0 && db_has_sqlstate(err, "23514")) /* check_violation */
		return -EINVAL;
	return r;
}

void db_ussd_done(struct db_ussd *req)
{
	if (!req)
		return;
	free(req->reply);
	free(req->error);
	req->reply = NULL;
	req->error = NULL;
}

static int ussd_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_ussd *out = elem;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = db_get_int64(res, i, 0, &out->id, err)) < 0 ||
			(r = db_get_text(res, i, 1, out->modem,
					 sizeof(out->modem), err)) < 0 ||
			(r = db_get_text(res, i, 2, out->code,
					 sizeof(out->code), err)) < 0 ||
			(r = db_get_text(res, i, 3, out->state,
					 sizeof(out->state), err)) < 0 ||
			(r = db_get_strdup(res, i, 4, &out->reply, err)) < 0 ||
			(r = db_get_int_opt(res, i, 5, -1, &out->reply_dcs,
					 err)) < 0 ||
			(r = db_get_int_opt(res, i, 6, -1, &out->session_status,
					 err)) < 0 ||
			(r = db_get_strdup(res, i, 7, &out->error, err)) < 0) {
		db_ussd_done(out);
		return r;
	}
	return 0;
}

int db_ussd_claim(struct db *db, const char *daemon_id, const char *modem,
		struct db_ussd *ret_req, struct db_error *err)
{
	static const char sql[] =
			"WITH c AS (SELECT id FROM ussd_requests WHERE state = "
			"'queued' "
			" AND (modem IS NULL OR modem = $2) ORDER BY "
			"created_at, id "
			" LIMIT 1 FOR UPDATE SKIP LOCKED) "
			"UPDATE ussd_requests u SET state = 'running', "
			"claimed_by = $1, "
			"ran_on_modem = $2, started_at = now() FROM c WHERE "
			"u.id = c.id "
			"RETURNING u.id, coalesce(u.modem, ''), u.code, "
			"u.state, "
			"u.reply, u.reply_dcs, u.session_status, u.error";
	const char *p[2];
	struct db_ussd req;
	int r;

	db_error_clear(err);
	if (!daemon_id || !*daemon_id || !modem || !*modem || !ret_req)
		return db_invalid(err, "claim arguments");
	p[0] = daemon_id;
	p[1] = modem;
	r = db_query_one(db, sql, 2, p, ussd_row, &req, err);
	if (r == -ENOENT)
		db_set_error(err, NULL, "no queued USSD request");
	if (r == 0)
		*ret_req = req;
	return r;
}

int db_ussd_finish(struct db *db, int64_t id, const char *state,
		const char *reply, int reply_dcs, int session_status,
		const char *error, struct db_error *err)
{
	/* fieldgate_ussd_done carries the id for a waiting fieldgatectl */
	static const char sql[] = "WITH u AS (UPDATE ussd_requests SET state = "
				  "$2, reply = $3, "
				  "reply_dcs = $4::smallint, session_status = "
				  "$5::smallint, "
				  "error = $6, finished_at = now() "
				  "WHERE id = $1::bigint AND state = 'running' "
				  "RETURNING id) "
				  "SELECT pg_notify('fieldgate_ussd_done', "
				  "id::text) FROM u";
	char b[3][DB_NUM_MAX];
	const char *p[6];
	int r;

	db_error_clear(err);
	if (!state || (strcmp(state, "done") && strcmp(state, "failed") &&
				      strcmp(state, "timeout")))
		return db_invalid(err, "USSD state");
	p[0] = db_param_num(b[0], id);
	p[1] = state;
	p[2] = reply;
	p[3] = db_param_num_opt(b[1], reply_dcs);
	p[4] = db_param_num_opt(b[2], session_status);
	p[5] = error;
	/* a SELECT's command tag counts its rows: 0 when not running */
	r = db_exec(db, sql, 6, p, err);
	if (r == 0) {
		db_set_error(err, NULL, "USSD request %lld is not running",
				(long long) id);
		return -ESTALE;
	}
	return r < 0 ? r : 0;
}

int db_ussd_recover(struct db *db, const char *daemon_id, struct db_error *err)
{
	/* a SELECT's command tag counts its rows: one per request failed */
	static const char sql[] =
			"WITH u AS (UPDATE ussd_requests SET state = 'failed', "
			"error = 'interrupted: the daemon restarted or lost "
			"the "
			"database while it ran', finished_at = now() "
			"WHERE state = 'running' AND claimed_by = $1 RETURNING "
			"id) "
			"SELECT pg_notify('fieldgate_ussd_done', id::text) "
			"FROM u";
	const char *p[1];

	db_error_clear(err);
	if (!daemon_id || !*daemon_id)
		return db_invalid(err, "daemon id");
	p[0] = daemon_id;
	return db_exec(db, sql, 1, p, err);
}

int db_ussd_get(struct db *db, int64_t id, struct db_ussd *ret_req,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT id, coalesce(modem, ''), code, state, reply, "
			"reply_dcs, session_status, error FROM ussd_requests "
			"WHERE id = $1::bigint";
	char b[DB_NUM_MAX];
	const char *p[1];
	struct db_ussd req;
	int r;

	db_error_clear(err);
	if (!ret_req)
		return db_invalid(err, "NULL output");
	p[0] = db_param_num(b, id);
	r = db_query_one(db, sql, 1, p, ussd_row, &req, err);
	if (r == -ENOENT)
		db_set_error(err, NULL, "no USSD request %lld", (long long) id);
	if (r == 0)
		*ret_req = req;
	return r;
}
