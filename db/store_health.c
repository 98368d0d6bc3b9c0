/*
 * Protections and gateway health (migration 0008); see db/store_health.h.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store.h"
#include "db/store_health.h"

static int recent_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_recent_msg *m = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &m->id, err)) < 0 ||
			(r = db_get_time_opt(res, i, 1, &m->at, err)) < 0 ||
			(r = db_get_strdup(res, i, 2, &m->body, err)) < 0)
		return r;
	return 0;
}

static const size_t recent_owned[] = {offsetof(struct db_recent_msg, body)};
static const struct db_row_type recent_type = {
		sizeof(struct db_recent_msg), recent_row, recent_owned, 1};

int db_guard_recent(struct db *db, const char *sender, int64_t id, int window_s,
		size_t limit, struct db_recent_msg **ret_rows,
		size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
			"SELECT m.id, extract(epoch FROM m.received_at), "
			"m.body "
			"FROM inbound_messages m, inbound_messages c "
			"WHERE c.id = $2::bigint AND m.sender = $1 "
			"AND m.id <= c.id AND m.received_at >= c.received_at - "
			"make_interval(secs => $3::int) "
			"ORDER BY m.id DESC LIMIT $4::int";
	char b[3][DB_NUM_MAX];
	const char *p[4];
	void *v;
	int r;

	db_error_clear(err);
	if (!sender || window_s < 0 || !limit || limit > 10000 || !ret_rows ||
			!ret_count)
		return db_invalid(err, "recent messages");
	p[0] = sender;
	p[1] = db_param_num(b[0], id);
	p[2] = db_param_num(b[1], window_s);
	p[3] = db_param_num(b[2], (int64_t) limit);
	r = db_query_rows(db, sql, 4, p, &recent_type, &v, ret_count, err);
	if (r >= 0) {
		*ret_rows = v;
		r = 0;
	}
	return r;
}

void db_recent_free(struct db_recent_msg *rows, size_t count)
{
	db_rows_free(&recent_type, rows, count);
}

int db_guard_replies_since(struct db *db, const char *recipient, int64_t since,
		int64_t *ret_count, struct db_error *err)
{
	static const char sql[] =
			"SELECT count(*) FROM outbound_messages WHERE "
			"recipient = $1 AND in_reply_to IS NOT NULL AND "
			"created_at >= to_timestamp($2::bigint)";
	char to[DB_PHONE_MAX], b[DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (!recipient || !ret_count)
		return db_invalid(err, "recipient");
	if (db_phone_normalize(recipient, to) < 0)
		snprintf(to, sizeof(to), "%s", recipient);
	p[0] = to;
	p[1] = db_param_num(b, since);
	return db_query_id(db, sql, 2, p, ret_count, err);
}

int db_guard_loop_get(struct db *db, const char *sender, int64_t *ret_told_at,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT extract(epoch FROM told_at)::bigint FROM "
			"guard_loops WHERE sender = $1";
	const char *p[1] = {sender};
	int r;

	db_error_clear(err);
	if (!sender || !ret_told_at)
		return db_invalid(err, "sender");
	r = db_query_id(db, sql, 1, p, ret_told_at, err);
	if (r == -ENOENT) {
		db_error_clear(err);
		*ret_told_at = 0;
		return 0;
	}
	return r;
}

int db_guard_loop_told(struct db *db, const char *sender, struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO guard_loops (sender) VALUES ($1) "
			"ON CONFLICT (sender) DO UPDATE SET told_at = now(), "
			"messages = 0";
	const char *p[1] = {sender};
	int r;

	db_error_clear(err);
	if (!sender)
		return db_invalid(err, "sender");
	r = db_exec(db, sql, 1, p, err);
	return r < 0 ? r : 0;
}

int db_health_raise(struct db *db, const char *key, const char *detail,
		bool *ret_new, int *ret_episode, struct db_error *err)
{
	/* RETURNING gives a row only when the row was inserted or revived */
	static const char sql[] =
			"INSERT INTO health_conditions (key, detail) "
			"VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET "
			"active = true, episode = health_conditions.episode + "
			"1, detail = EXCLUDED.detail, since = now(), "
			"cleared_at = NULL WHERE NOT health_conditions.active "
			"RETURNING episode";
	const char *p[2];
	int64_t ep = 0;
	int r;

	db_error_clear(err);
	if (!key || !*key)
		return db_invalid(err, "health key");
	p[0] = key;
	p[1] = detail;
	r = db_query_id(db, sql, 2, p, &ep, err);
	if (r == -ENOENT) {
		db_error_clear(err);
		if (ret_new)
			*ret_new = false;
		if (ret_episode)
			*ret_episode = 0;
		return 0;
	}
	if (r < 0)
		return r;
	if (ret_new)
		*ret_new = true;
	if (ret_episode)
		*ret_episode = (int) ep;
	return 0;
}

int db_health_clear(struct db *db, const char *key, bool *ret_cleared,
		struct db_error *err)
{
	static const char sql[] =
			"UPDATE health_conditions SET active = false, "
			"cleared_at = now() WHERE key = $1 AND active";
	const char *p[1] = {key};
	int r;

	db_error_clear(err);
	if (!key)
		return db_invalid(err, "health key");
	r = db_exec(db, sql, 1, p, err);
	if (r < 0)
		return r;
	if (ret_cleared)
		*ret_cleared = r > 0;
	return 0;
}

int db_sim_balance_set(struct db *db, const char *modem, int64_t cents,
		const char *reply, struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO sim_balances (modem, balance, reply) "
			"VALUES ($1, ($2::bigint / 100.0)::numeric(14, 2), $3)";
	char b[DB_NUM_MAX];
	const char *p[3];
	int r;

	db_error_clear(err);
	if (!modem || !*modem)
		return db_invalid(err, "modem");
	p[0] = modem;
	p[1] = db_param_num(b, cents);
	p[2] = reply;
	r = db_exec(db, sql, 3, p, err);
	return r < 0 ? r : 0;
}

int db_outbound_oldest_queued_age(
		struct db *db, int64_t *ret_age_s, struct db_error *err)
{
	static const char sql[] =
			"SELECT coalesce(extract(epoch FROM now() - "
			"min(greatest(created_at, not_before)))::bigint, 0) "
			"FROM outbound_messages WHERE state = 'queued' AND "
			"not_before <= now() AND (expires_at IS NULL OR "
			"expires_at > now())";

	db_error_clear(err);
	if (!ret_age_s)
		return db_invalid(err, "output");
	return db_query_id(db, sql, 0, NULL, ret_age_s, err);
}

struct storage {
	int used, total;
};

static int storage_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct storage *s = elem;
	int r;

	if ((r = db_get_int_opt(res, i, 0, -1, &s->used, err)) < 0 ||
			(r = db_get_int_opt(res, i, 1, -1, &s->total, err)) < 0)
		return r;
	return 0;
}

int db_modem_storage(struct db *db, const char *modem, int *ret_used,
		int *ret_total, struct db_error *err)
{
	static const char sql[] =
			"SELECT storage_used, storage_total FROM modem_status "
			"WHERE modem = $1 ORDER BY updated_at DESC LIMIT 1";
	const char *p[1] = {modem};
	struct storage s = {-1, -1};
	int r;

	db_error_clear(err);
	if (!modem || !ret_used || !ret_total)
		return db_invalid(err, "modem");
	r = db_query_one(db, sql, 1, p, storage_row, &s, err);
	if (r < 0)
		return r;
	if (s.used < 0 || s.total <= 0)
		return -ENOENT;
	*ret_used = s.used;
	*ret_total = s.total;
	return 0;
}
