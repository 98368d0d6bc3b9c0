/*
 * Outbound messages as a queue: enqueue, claim for a modem, expire, and
 * recover after a daemon crash. Their parts are in store_outparts.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store.h"

int db_outbound_enqueue(struct db *db, const struct db_outbound_new *msg,
		int64_t *ret_id, bool *ret_new, struct db_error *err)
{
	static const char sql_insert[] =
			"INSERT INTO outbound_messages (recipient, body, "
			"priority, "
			"kind, in_reply_to, requested_modem, not_before, "
			"expires_at) "
			"VALUES ($1, $2, $3::smallint, $4, $5::bigint, $6, "
			"coalesce(to_timestamp($7::float8), now()), "
			"to_timestamp($8::float8)) "
			"ON CONFLICT (in_reply_to, kind) DO NOTHING RETURNING "
			"id";
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
	return db_insert_or_find(db, sql_insert, 8, p, sql_find, 2, f, ret_id,
			ret_new, err);
}

static int msg_row(const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_outbound_msg *m = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &m->id, err)) < 0 ||
			(r = db_get_text(res, i, 1, m->recipient,
					 sizeof(m->recipient), err)) < 0 ||
			(r = db_get_strdup(res, i, 2, &m->text, err)) < 0 ||
			(r = db_get_int(res, i, 3, &m->priority, err)) < 0 ||
			(r = db_get_text(res, i, 4, m->kind, sizeof(m->kind),
					 err)) < 0 ||
			(r = db_get_int64_opt(res, i, 5, 0, &m->in_reply_to,
					 err)) < 0 ||
			(r = db_get_int(res, i, 6, &m->attempts, err)) < 0 ||
			(r = db_get_time_opt(res, i, 7, &m->created_at, err)) <
					0 ||
			(r = db_get_time_opt(res, i, 8, &m->expires_at, err)) <
					0)
		return r;
	return 0;
}

static const size_t msg_owned[] = {offsetof(struct db_outbound_msg, text)};
static const struct db_row_type msg_type = {
		sizeof(struct db_outbound_msg), msg_row, msg_owned, 1};

void db_outbound_msgs_free(struct db_outbound_msg *msgs, size_t count)
{
	db_rows_free(&msg_type, msgs, count);
}

int db_outbound_claim(struct db *db, const char *daemon_id, const char *modem,
		bool take_others, size_t max, struct db_outbound_msg **ret_msgs,
		size_t *ret_count, struct db_error *err)
{
	return db_outbound_claim_leased(db, daemon_id, modem, take_others, max,
			DB_LEASE_DEFAULT_S, ret_msgs, ret_count, err);
}

int db_outbound_claim_leased(struct db *db, const char *daemon_id,
		const char *modem, bool take_others, size_t max, int lease_s,
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
			" ORDER BY priority, (requested_modem IS NOT DISTINCT "
			"FROM $2) "
			"  DESC, created_at, id "
			" LIMIT $4::int FOR UPDATE SKIP LOCKED), "
			"u AS (UPDATE outbound_messages o SET state = "
			"'sending', "
			" claimed_by = $1, claimed_at = now(), modem = $2, "
			" lease_until = now() + make_interval(secs => "
			"$5::int), "
			" attempts = o.attempts + 1 FROM c WHERE o.id = c.id "
			" RETURNING o.*) "
			"SELECT id, recipient, body, priority, kind, "
			"in_reply_to, "
			"attempts, extract(epoch FROM created_at), "
			"extract(epoch FROM expires_at) FROM u "
			"ORDER BY priority, (requested_modem IS NOT DISTINCT "
			"FROM $2) "
			"DESC, created_at, id";
	char b[2][DB_NUM_MAX];
	const char *p[5];
	void *v;
	int r;

	db_error_clear(err);
	if (!daemon_id || !*daemon_id || !modem || !*modem || !max ||
			max > 1000 || lease_s < 1 || lease_s > DB_LEASE_MAX_S ||
			!ret_msgs || !ret_count)
		return db_invalid(err, "claim arguments");
	p[0] = daemon_id;
	p[1] = modem;
	p[2] = db_param_bool(take_others);
	p[3] = db_param_num(b[0], (int64_t) max);
	p[4] = db_param_num(b[1], lease_s);
	/* a bad row leaves them claimed: db_outbound_recover() re-queues */
	r = db_query_rows(db, sql, 5, p, &msg_type, &v, ret_count, err);
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
	(void) db_rollback(db, NULL);
	return r;
}

int db_outbound_expire(struct db *db, struct db_error *err)
{
	static const char sql_msgs[] =
			"UPDATE outbound_messages SET state = 'expired', "
			"finished_at = now() WHERE state IN ('queued', "
			"'sending') "
			"AND expires_at <= now()";
	static const char sql_parts[] =
			"UPDATE outbound_parts SET state = 'expired' "
			"WHERE state = 'queued' AND message_id IN "
			"(SELECT id FROM outbound_messages WHERE state = "
			"'expired')";

	db_error_clear(err);
	return exec_pair(db, sql_msgs, sql_parts, 0, NULL, false, err);
}

int db_outbound_requeue(struct db *db, int64_t message_id, int delay_s,
		struct db_error *err)
{
	static const char sql[] =
			"UPDATE outbound_messages SET state = 'queued', "
			"claimed_by = NULL, modem = NULL, "
			"not_before = now() + make_interval(secs => $2::int) "
			"WHERE id = $1::bigint AND state = 'sending'";
	char b[2][DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (delay_s < 0)
		return db_invalid(err, "delay");
	p[0] = db_param_num(b[0], message_id);
	p[1] = db_param_num(b[1], delay_s);
	return db_exec(db, sql, 2, p, err);
}

int db_outbound_refresh(struct db *db, int64_t message_id, struct db_error *err)
{
	static const char sql[] =
			"SELECT fieldgate_outbound_refresh($1::bigint)";
	char b[DB_NUM_MAX];
	const char *p[1];
	int r;

	db_error_clear(err);
	p[0] = db_param_num(b, message_id);
	r = db_exec(db, sql, 1, p, err);
	return r < 0 ? r : 0;
}

int db_outbound_requeue_unknown(struct db *db, const char *daemon_id,
		int max_attempts, struct db_error *err)
{
	static const char sql[] =
			"UPDATE outbound_messages m SET state = 'queued', "
			"claimed_by = NULL, modem = NULL, not_before = now(), "
			"finished_at = NULL "
			"WHERE m.claimed_by = $1 AND m.state = 'unknown' AND "
			"EXISTS "
			"(SELECT 1 FROM outbound_parts p WHERE p.message_id = "
			"m.id "
			" AND p.state = 'unknown' AND p.attempts < $2::int)";
	char b[DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (!daemon_id || !*daemon_id || max_attempts < 1)
		return db_invalid(err, "daemon id or max attempts");
	p[0] = daemon_id;
	p[1] = db_param_num(b, max_attempts);
	return db_exec(db, sql, 2, p, err);
}

static int due_row(const PGresult *res, int i, void *elem, struct db_error *err)
{
	return db_get_int64_opt(res, i, 0, -1, elem, err);
}

/* Reads the text of the first cell ("{1,2}") into a malloc'ed string. */
static int array_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	return db_get_strdup(res, i, 0, elem, err);
}

/*
 * Releases the messages whose ids sql_pick (parameters p[0..np-1]) picks
 * and locks, in one transaction: their parts in 'submitting' become
 * 'unknown' (sql_parts, on $1 = the ids array), each message gets the
 * state its parts give, and those still with queued parts (or none yet)
 * go back to the queue; with resend_unknown_max > 0 also those with a
 * part of unknown fate under that many attempts.  Returns the number of
 * messages re-queued, and the number picked in *ret_picked.
 */
static int release(struct db *db, const char *sql_pick, int np, const char **p,
		const char *sql_parts, int resend_unknown_max, int *ret_picked,
		struct db_error *err)
{
	/* fieldgate_outbound_refresh() gives 'sending' while parts are
	 * queued (or leaves a message without parts alone): those go back
	 * to the queue below, the others keep what their parts say */
	static const char sql_refresh[] =
			"SELECT fieldgate_outbound_refresh(id) "
			"FROM unnest($1::bigint[]) id";
	static const char sql_msgs[] =
			"UPDATE outbound_messages m SET state = 'queued', "
			"claimed_by = NULL, modem = NULL, finished_at = NULL, "
			"not_before = greatest(now(), (SELECT "
			"min(p.next_attempt_at) "
			" FROM outbound_parts p WHERE p.message_id = m.id "
			" AND p.state = 'queued')) "
			"WHERE m.id = ANY($1::bigint[]) AND (m.state = "
			"'sending' OR "
			"($2::int > 0 AND m.state = 'unknown' AND EXISTS "
			" (SELECT 1 FROM outbound_parts p WHERE p.message_id = "
			"m.id "
			"  AND p.state = 'unknown' AND p.attempts < $2::int)))";
	char b[DB_NUM_MAX], *ids = NULL;
	const char *q[2];
	int r, n;

	r = db_begin(db, err);
	if (r < 0)
		return r;
	r = db_query_one(db, sql_pick, np, p, array_row, &ids, err);
	if (r < 0)
		goto out_rollback;
	q[0] = ids;
	q[1] = db_param_num(b, resend_unknown_max);
	/* "{}" is empty, "{7}" one id, each further id adds a comma */
	n = strcmp(ids, "{}") ? 1 : 0;
	for (const char *c = ids; *c; c++)
		n += *c == ',';
	if ((r = db_exec(db, sql_parts, 1, q, err)) < 0 ||
			(r = db_exec(db, sql_refresh, 1, q, err)) < 0 ||
			(r = db_exec(db, sql_msgs, 2, q, err)) < 0)
		goto out_rollback;
	free(ids);
	ids = NULL;
	{
		int requeued = r;

		r = db_commit(db, err);
		if (r < 0)
			goto out_rollback;
		if (ret_picked)
			*ret_picked = n;
		return requeued;
	}
out_rollback:
	free(ids);
	(void) db_rollback(db, NULL);
	return r;
}

int db_outbound_recover(struct db *db, const char *daemon_id,
		int resend_unknown_max, struct db_error *err)
{
	/*
	 * The messages to recover are picked (and locked) BEFORE any part
	 * changes: the part trigger re-derives a message's state, so a
	 * message found by its state afterwards would be missed (a single
	 * part message becomes 'unknown' at once).
	 */
	static const char sql_pick[] =
			"SELECT coalesce(array_agg(id), '{}')::text FROM "
			"(SELECT id FROM outbound_messages WHERE claimed_by = "
			"$1 "
			" AND (state = 'sending' OR ($2::int > 0 AND state = "
			"'unknown'))"
			" ORDER BY id FOR UPDATE) s";
	static const char sql_parts[] =
			"UPDATE outbound_parts SET state = 'unknown', "
			"last_error = 'daemon restarted while submitting' "
			"WHERE state = 'submitting' AND message_id = "
			"ANY($1::bigint[])";
	char b[DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (!daemon_id || !*daemon_id || resend_unknown_max < 0)
		return db_invalid(err, "daemon id or resend attempts");
	p[0] = daemon_id;
	p[1] = db_param_num(b, resend_unknown_max);
	return release(db, sql_pick, 2, p, sql_parts, resend_unknown_max, NULL,
			err);
}

int db_outbound_renew(struct db *db, const char *daemon_id, int lease_s,
		struct db_error *err)
{
	static const char sql[] =
			"UPDATE outbound_messages SET lease_until = now() + "
			"make_interval(secs => $2::int) "
			"WHERE claimed_by = $1 AND state = 'sending'";
	char b[DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (!daemon_id || !*daemon_id || lease_s < 1 ||
			lease_s > DB_LEASE_MAX_S)
		return db_invalid(err, "daemon id or lease");
	p[0] = daemon_id;
	p[1] = db_param_num(b, lease_s);
	return db_exec(db, sql, 2, p, err);
}

int db_outbound_takeover(struct db *db, const char *daemon_id, int *ret_taken,
		struct db_error *err)
{
	/* SKIP LOCKED: a claim being renewed or taken by another daemon
	 * right now is left to it (seen again at the next check) */
	static const char sql_pick[] =
			"SELECT coalesce(array_agg(id), '{}')::text FROM "
			"(SELECT id FROM outbound_messages WHERE state = "
			"'sending' AND lease_until < now() "
			" AND claimed_by IS DISTINCT FROM $1 "
			" ORDER BY id FOR UPDATE SKIP LOCKED) s";
	static const char sql_parts[] =
			"UPDATE outbound_parts SET state = 'unknown', "
			"last_error = 'claim lease expired while submitting "
			"(daemon lost)' "
			"WHERE state = 'submitting' AND message_id = "
			"ANY($1::bigint[])";
	const char *p[1];

	db_error_clear(err);
	if (!daemon_id || !*daemon_id)
		return db_invalid(err, "daemon id");
	p[0] = daemon_id;
	return release(db, sql_pick, 1, p, sql_parts, 0, ret_taken, err);
}

int db_outbound_next_lease_end(struct db *db, const char *daemon_id,
		int64_t *ret_in_ms, struct db_error *err)
{
	static const char sql[] =
			"SELECT CASE WHEN min(lease_until) IS NOT NULL THEN "
			"greatest(1, ceil(extract(epoch FROM (min(lease_until) "
			"- clock_timestamp())) * 1000))::bigint END "
			"FROM outbound_messages WHERE state = 'sending' "
			"AND claimed_by IS DISTINCT FROM $1";
	const char *p[1];
	int64_t v = -1;
	int r;

	db_error_clear(err);
	if (!daemon_id || !*daemon_id || !ret_in_ms)
		return db_invalid(err, "daemon id or output");
	p[0] = daemon_id;
	r = db_query_one(db, sql, 1, p, due_row, &v, err);
	if (r < 0)
		return r;
	if (v < 0)
		return 0;
	*ret_in_ms = v;
	return 1;
}

int db_outbound_next_due(
		struct db *db, int64_t *ret_in_ms, struct db_error *err)
{
	/* ms from the database's own clock, rounded up: never early.
	 * Both halves start from the partial index on queued messages. */
	static const char sql[] =
			"SELECT CASE WHEN min(t) IS NOT NULL THEN greatest(1, "
			"ceil(extract(epoch FROM (min(t) - clock_timestamp())) "
			"* 1000))::bigint END FROM ("
			" SELECT min(not_before) AS t FROM outbound_messages "
			" WHERE state = 'queued' AND not_before > now() "
			" UNION ALL "
			" SELECT min(p.next_attempt_at) FROM outbound_messages "
			"m "
			" JOIN outbound_parts p ON p.message_id = m.id "
			" WHERE m.state = 'queued' AND p.state = 'queued' "
			" AND p.next_attempt_at > now()) s";
	int64_t v = -1;
	int r;

	db_error_clear(err);
	if (!ret_in_ms)
		return db_invalid(err, "NULL output");
	/* one row always (an aggregate); NULL when nothing waits */
	r = db_query_one(db, sql, 0, NULL, due_row, &v, err);
	if (r < 0)
		return r;
	if (v < 0)
		return 0;
	*ret_in_ms = v;
	return 1;
}

int db_outbound_modem_parts_since(struct db *db, const char *modem,
		int64_t since, int64_t *ret_count, struct db_error *err)
{
	/* parts keep no hand-over time of their own: a part that failed
	 * or went unknown counts from its message's (latest) claim */
	static const char sql[] =
			"SELECT count(*) FROM outbound_parts p "
			"JOIN outbound_messages m ON m.id = p.message_id "
			"WHERE p.modem = $1 AND p.attempts > 0 "
			"AND coalesce(p.submitted_at, m.claimed_at) >= "
			"to_timestamp($2::float8)";
	char b[DB_NUM_MAX];
	const char *p[2];
	int64_t n;
	int r;

	db_error_clear(err);
	if (!modem || !*modem || !ret_count)
		return db_invalid(err, "modem");
	p[0] = modem;
	p[1] = db_param_num(b, since);
	r = db_query_id(db, sql, 2, p, &n, err);
	if (r == 0)
		*ret_count = n;
	return r;
}

static int reply_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_reply_count *c = elem;
	int r;

	if ((r = DB_GET_TEXT(res, i, 0, c->recipient, err)) < 0 ||
			(r = db_get_int(res, i, 1, &c->count, err)) < 0 ||
			(r = db_get_time_opt(res, i, 2, &c->first_at, err)) < 0)
		return r;
	return 0;
}

static const struct db_row_type reply_type = {
		sizeof(struct db_reply_count), reply_row, NULL, 0};

int db_outbound_recent_replies(struct db *db, int window_s, size_t limit,
		struct db_reply_count **ret_rows, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT recipient, count(*), extract(epoch FROM "
			"min(created_at)) "
			"FROM outbound_messages WHERE in_reply_to IS NOT NULL "
			"AND created_at > now() - make_interval(secs => "
			"$1::int) "
			"GROUP BY recipient ORDER BY count(*) DESC, recipient "
			"LIMIT $2::int";
	char b[2][DB_NUM_MAX];
	const char *p[2];
	void *v;
	int r;

	db_error_clear(err);
	if (window_s <= 0 || limit > 100000 || !ret_rows || !ret_count)
		return db_invalid(err, "window or output");
	p[0] = db_param_num(b[0], window_s);
	p[1] = db_param_num(b[1], limit ? (int64_t) limit : 1000);
	r = db_query_rows(db, sql, 2, p, &reply_type, &v, ret_count, err);
	if (r >= 0)
		*ret_rows = v;
	return r;
}
