/*
 * Outbound messages as a queue: enqueue, claim for a modem, expire, and
 * recover after a daemon crash. Their parts are in store_outparts.c.
 */
#include <errno.h>
#include <stddef.h>

#include "db/db_internal.h"
#include "db/store.h"

int db_outbound_enqueue(struct db *db, const struct db_outbound_new *msg,
			int64_t *ret_id, bool *ret_new, struct db_error *err)
{
	static const char sql_insert[] =
		"INSERT INTO outbound_messages (recipient, body, priority, "
		"kind, in_reply_to, requested_modem, not_before, expires_at) "
		"VALUES ($1, $2, $3::smallint, $4, $5::bigint, $6, "
		"coalesce(to_timestamp($7::float8), now()), "
		"to_timestamp($8::float8)) "
		"ON CONFLICT (in_reply_to, kind) DO NOTHING RETURNING id";
	static const char sql_find[] =
		"SELECT id FROM outbound_messages "
		"WHERE in_reply_to = $1::bigint AND kind = $2";
	char to[DB_PHONE_MAX], b[4][DB_NUM_MAX];
	const char *p[8], *f[2];

	db_error_clear(err);
	if (!msg || !ret_id)
		return db_invalid(err, "NULL message");
	if (db_phone_normalize(msg->recipient, to) < 0)
		return db_invalid(err, "recipient number");
	if (!msg->text || msg->priority < 0 || msg->priority > 9 ||
	    msg->in_reply_to < 0)
		return db_invalid(err, "text or priority");
	p[0] = to;
	p[1] = msg->text;
	p[2] = db_param_num(b[0], msg->priority);
	p[3] = (msg->kind && *msg->kind) ? msg->kind : "manual";
	p[4] = msg->in_reply_to ? db_param_num(b[1], msg->in_reply_to) : NULL;
	p[5] = db_param_str_opt(msg->requested_modem);
	p[6] = db_param_time_opt(b[2], msg->not_before);
	p[7] = db_param_time_opt(b[3], msg->expires_at);
	f[0] = p[4];
	f[1] = p[3];
	return db_insert_or_find(db, sql_insert, 8, p, sql_find, 2, f,
				 ret_id, ret_new, err);
}

static int msg_row(const PGresult *res, int i, void *elem,
		   struct db_error *err)
{
	struct db_outbound_msg *m = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &m->id, err)) < 0 ||
	    (r = db_get_text(res, i, 1, m->recipient, sizeof(m->recipient),
			     err)) < 0 ||
	    (r = db_get_strdup(res, i, 2, &m->text, err)) < 0 ||
	    (r = db_get_int(res, i, 3, &m->priority, err)) < 0 ||
	    (r = db_get_text(res, i, 4, m->kind, sizeof(m->kind), err)) < 0 ||
	    (r = db_get_int64_opt(res, i, 5, 0, &m->in_reply_to, err)) < 0 ||
	    (r = db_get_int(res, i, 6, &m->attempts, err)) < 0 ||
	    (r = db_get_time_opt(res, i, 7, &m->created_at, err)) < 0 ||
	    (r = db_get_time_opt(res, i, 8, &m->expires_at, err)) < 0)
		return r;
	return 0;
}

static const size_t msg_owned[] = { offsetof(struct db_outbound_msg, text) };
static const struct db_row_type msg_type = {
	sizeof(struct db_outbound_msg), msg_row, msg_owned, 1
};

void db_outbound_msgs_free(struct db_outbound_msg *msgs, size_t count)
{
	db_rows_free(&msg_type, msgs, count);
}

int db_outbound_claim(struct db *db, const char *daemon_id,
		      const char *modem, bool take_others, size_t max,
		      struct db_outbound_msg **ret_msgs, size_t *ret_count,
		      struct db_error *err)
{
	/*
	 * SKIP LOCKED: a row another claimer holds is skipped, and a row it
	 * claimed and committed is re-checked (no longer 'queued') before we
	 * lock it, so no message is handed out twice.
	 */
	static const char sql[] =
		"WITH c AS (SELECT id FROM outbound_messages "
		" WHERE state = 'queued' AND not_before <= now() "
		" AND (expires_at IS NULL OR expires_at > now()) "
		" AND (requested_modem IS NULL OR requested_modem = $2 "
		"      OR $3::boolean) "
		" ORDER BY priority, (requested_modem IS NOT DISTINCT FROM $2) "
		"  DESC, created_at, id "
		" LIMIT $4::int FOR UPDATE SKIP LOCKED), "
		"u AS (UPDATE outbound_messages o SET state = 'sending', "
		" claimed_by = $1, claimed_at = now(), modem = $2, "
		" attempts = o.attempts + 1 FROM c WHERE o.id = c.id "
		" RETURNING o.*) "
		"SELECT id, recipient, body, priority, kind, in_reply_to, "
		"attempts, extract(epoch FROM created_at), "
		"extract(epoch FROM expires_at) FROM u "
		"ORDER BY priority, (requested_modem IS NOT DISTINCT FROM $2) "
		"DESC, created_at, id";
	char b[DB_NUM_MAX];
	const char *p[4];
	void *v;
	int r;

	db_error_clear(err);
	if (!daemon_id || !*daemon_id || !modem || !*modem || !max ||
	    max > 1000 || !ret_msgs || !ret_count)
		return db_invalid(err, "claim arguments");
	p[0] = daemon_id;
	p[1] = modem;
	p[2] = db_param_bool(take_others);
	p[3] = db_param_num(b, (int64_t)max);
	/* a bad row leaves them claimed: db_outbound_recover() re-queues */
	r = db_query_rows(db, sql, 4, p, &msg_type, &v, ret_count, err);
	if (r >= 0)
		*ret_msgs = v;
	return r;
}

/*
 * Runs two statements in one transaction of their own and returns the row
 * count of the one named by count_second (false: the first).
 */
static int exec_pair(struct db *db, const char *sql1, const char *sql2,
		     int nparams, const char *const *p, bool count_second,
		     struct db_error *err)
{
	int r, n1, n2;

	r = db_begin(db, err);
	if (r < 0)
		return r;
	n1 = r = db_exec(db, sql1, nparams, p, err);
	if (r < 0)
		goto out_rollback;
	n2 = r = db_exec(db, sql2, nparams, p, err);
	if (r < 0)
		goto out_rollback;
	r = db_commit(db, err);
	if (r < 0)
		goto out_rollback;
	return count_second ? n2 : n1;
out_rollback:
	(void)db_rollback(db, NULL);
	return r;
}

int db_outbound_expire(struct db *db, struct db_error *err)
{
	static const char sql_msgs[] =
		"UPDATE outbound_messages SET state = 'expired', "
		"finished_at = now() WHERE state IN ('queued', 'sending') "
		"AND expires_at <= now()";
	static const char sql_parts[] =
		"UPDATE outbound_parts SET state = 'expired' "
		"WHERE state = 'queued' AND message_id IN "
		"(SELECT id FROM outbound_messages WHERE state = 'expired')";

	db_error_clear(err);
	return exec_pair(db, sql_msgs, sql_parts, 0, NULL, false, err);
}

int db_outbound_recover(struct db *db, const char *daemon_id,
			struct db_error *err)
{
	/* parts first: they find their messages by claimed_by */
	static const char sql_parts[] =
		"UPDATE outbound_parts SET state = 'unknown', "
		"last_error = 'daemon restarted while submitting' "
		"WHERE state = 'submitting' AND message_id IN "
		"(SELECT id FROM outbound_messages WHERE claimed_by = $1)";
	static const char sql_msgs[] =
		"UPDATE outbound_messages SET state = 'queued', "
		"claimed_by = NULL, modem = NULL "
		"WHERE claimed_by = $1 AND state = 'sending'";
	const char *p[1];

	db_error_clear(err);
	if (!daemon_id || !*daemon_id)
		return db_invalid(err, "daemon id");
	p[0] = daemon_id;
	return exec_pair(db, sql_parts, sql_msgs, 1, p, true, err);
}
