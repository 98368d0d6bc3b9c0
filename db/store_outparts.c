/*
 * Outbound parts: the PDUs of a claimed message, their state transitions,
 * and status reports (TS 23.040 §9.2.2.3) matched back to them.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store.h"

static const char *const part_state_names[] = {
		[DB_PART_QUEUED] = "queued",
		[DB_PART_SUBMITTING] = "submitting",
		[DB_PART_SUBMITTED] = "submitted",
		[DB_PART_DELIVERED] = "delivered",
		[DB_PART_FAILED] = "failed",
		[DB_PART_EXPIRED] = "expired",
		[DB_PART_UNKNOWN] = "unknown",
};

const char *db_part_state_name(enum db_part_state s)
{
	if ((unsigned) s >=
			sizeof(part_state_names) / sizeof(part_state_names[0]))
		return NULL;
	return part_state_names[s];
}

static int part_state_parse(const char *s, enum db_part_state *ret)
{
	size_t i;

	for (i = 0; i < sizeof(part_state_names) / sizeof(part_state_names[0]);
			i++) {
		if (!strcmp(s, part_state_names[i])) {
			*ret = (enum db_part_state) i;
			return 0;
		}
	}
	return -EPROTO;
}

int db_outbound_add_parts(struct db *db, int64_t message_id,
		const struct db_outbound_part_new *parts, size_t count,
		struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO outbound_parts (message_id, seq, "
			"recipient, "
			"pdu_hex, tpdu_len) SELECT id, $2::smallint, "
			"recipient, "
			"upper($3), $4::smallint FROM outbound_messages "
			"WHERE id = $1::bigint ON CONFLICT (message_id, seq) "
			"DO NOTHING";
	char b[3][DB_NUM_MAX];
	const char *p[4];
	size_t i;
	int r, added = 0;

	db_error_clear(err);
	if (!parts || !count || count > 255)
		return db_invalid(err, "parts");
	for (i = 0; i < count; i++)
		if (!parts[i].pdu_hex || parts[i].seq < 1 ||
				parts[i].tpdu_len < 1)
			return db_invalid(err, "part");
	r = db_begin(db, err);
	if (r < 0)
		return r;
	for (i = 0; i < count; i++) {
		p[0] = db_param_num(b[0], message_id);
		p[1] = db_param_num(b[1], parts[i].seq);
		p[2] = parts[i].pdu_hex;
		p[3] = db_param_num(b[2], parts[i].tpdu_len);
		r = db_exec(db, sql, 4, p, err);
		if (r < 0)
			goto out_rollback;
		added += r;
	}
	r = db_commit(db, err);
	if (r < 0)
		goto out_rollback;
	return added;
out_rollback:
	(void) db_rollback(db, NULL);
	return r;
}

static int part_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_outbound_part *v = elem;
	char state[16];
	int r;

	if ((r = db_get_int64(res, i, 0, &v->id, err)) < 0 ||
			(r = db_get_int64(res, i, 1, &v->message_id, err)) <
					0 ||
			(r = db_get_int(res, i, 2, &v->seq, err)) < 0 ||
			(r = db_get_strdup(res, i, 3, &v->pdu_hex, err)) < 0 ||
			(r = db_get_int(res, i, 4, &v->tpdu_len, err)) < 0 ||
			(r = db_get_text(res, i, 5, state, sizeof(state),
					 err)) < 0 ||
			(r = db_get_int(res, i, 6, &v->attempts, err)) < 0 ||
			(r = db_get_int_opt(res, i, 7, -1, &v->mr, err)) < 0 ||
			(r = db_get_time_opt(res, i, 8, &v->next_attempt_at,
					 err)) < 0)
		return r;
	if (part_state_parse(state, &v->state) < 0) {
		db_set_error(err, NULL, "column 'state': unknown '%s'", state);
		return -EPROTO;
	}
	return 0;
}

static const size_t part_owned[] = {offsetof(struct db_outbound_part, pdu_hex)};
static const struct db_row_type part_type = {
		sizeof(struct db_outbound_part), part_row, part_owned, 1};

void db_outbound_parts_free(struct db_outbound_part *parts, size_t count)
{
	db_rows_free(&part_type, parts, count);
}

int db_outbound_load_parts(struct db *db, int64_t message_id,
		struct db_outbound_part **ret_parts, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT id, message_id, seq, pdu_hex, tpdu_len, state, "
			"attempts, mr, extract(epoch FROM next_attempt_at) "
			"FROM outbound_parts WHERE message_id = $1::bigint "
			"ORDER BY seq";
	char b[DB_NUM_MAX];
	const char *p[1];
	void *v;
	int r;

	p[0] = db_param_num(b, message_id);
	r = db_list_rows(db, sql, 1, p, &part_type, ret_parts ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_parts = v;
	return r;
}

/* One guarded UPDATE; 0 rows means the part was not in the expected state. */
static int part_update(struct db *db, const char *sql, int nparams,
		const char *const *p, struct db_error *err)
{
	int r = db_exec(db, sql, nparams, p, err);

	if (r == 0) {
		db_set_error(err, NULL,
				"part %s is not in the state this "
				"transition leaves",
				p[0]);
		return -ESTALE;
	}
	return r < 0 ? r : 0;
}

int db_outbound_part_submitting(struct db *db, int64_t part_id,
		const char *modem, struct db_error *err)
{
	static const char sql[] =
			"UPDATE outbound_parts SET state = 'submitting', modem "
			"= $2, "
			"attempts = attempts + 1 WHERE id = $1::bigint "
			"AND state = 'queued'";
	char b[DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (!modem || !*modem)
		return db_invalid(err, "modem");
	p[0] = db_param_num(b, part_id);
	p[1] = modem;
	return part_update(db, sql, 2, p, err);
}

int db_outbound_part_submitting_as(struct db *db, int64_t part_id,
		const char *modem, const char *daemon_id, struct db_error *err)
{
	/*
	 * Fenced by the claim: only while the message is still 'sending'
	 * under daemon_id.  FOR SHARE waits for a takeover in progress (it
	 * locks the message FOR UPDATE) and then sees its outcome, so a part
	 * is never marked submitting by a daemon that just lost the message.
	 */
	static const char sql[] =
			"WITH m AS (SELECT o.id FROM outbound_messages o "
			" JOIN outbound_parts q ON q.message_id = o.id "
			" WHERE q.id = $1::bigint AND o.state = 'sending' "
			" AND o.claimed_by = $3 FOR SHARE OF o) "
			"UPDATE outbound_parts SET state = 'submitting', modem "
			"= $2, attempts = attempts + 1 WHERE id = $1::bigint "
			"AND state = 'queued' AND message_id IN (SELECT id "
			"FROM m)";
	char b[DB_NUM_MAX];
	const char *p[3];

	db_error_clear(err);
	if (!daemon_id || !*daemon_id)
		return db_outbound_part_submitting(db, part_id, modem, err);
	if (!modem || !*modem)
		return db_invalid(err, "modem");
	p[0] = db_param_num(b, part_id);
	p[1] = modem;
	p[2] = daemon_id;
	return part_update(db, sql, 3, p, err);
}

int db_outbound_part_submitted(
		struct db *db, int64_t part_id, int mr, struct db_error *err)
{
	static const char sql[] =
			"UPDATE outbound_parts SET state = 'submitted', "
			"mr = $2::smallint, submitted_at = now() "
			"WHERE id = $1::bigint AND state = 'submitting'";
	char b[2][DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (mr < 0 || mr > 255)
		return db_invalid(err, "TP-MR out of range");
	p[0] = db_param_num(b[0], part_id);
	p[1] = db_param_num(b[1], mr);
	return part_update(db, sql, 2, p, err);
}

int db_outbound_part_retry(struct db *db, int64_t part_id, int cms,
		const char *error, int delay_s, struct db_error *err)
{
	static const char sql[] =
			"UPDATE outbound_parts SET state = 'queued', "
			"last_cms_error = $2::int, last_error = $3, "
			"next_attempt_at = now() + make_interval(secs => "
			"$4::int) "
			"WHERE id = $1::bigint AND state = 'submitting'";
	char b[3][DB_NUM_MAX];
	const char *p[4];

	db_error_clear(err);
	if (delay_s < 0)
		return db_invalid(err, "delay");
	p[0] = db_param_num(b[0], part_id);
	p[1] = db_param_num_opt(b[1], cms);
	p[2] = error;
	p[3] = db_param_num(b[2], delay_s);
	return part_update(db, sql, 4, p, err);
}

int db_outbound_part_failed(struct db *db, int64_t part_id, int cms,
		const char *error, struct db_error *err)
{
	static const char sql[] =
			"WITH u AS (UPDATE outbound_parts SET state = "
			"'failed', "
			"last_cms_error = $2::int, last_error = $3 "
			"WHERE id = $1::bigint AND state IN ('queued', "
			"'submitting') "
			"RETURNING message_id) "
			"UPDATE outbound_messages SET last_error = $3 "
			"WHERE id = (SELECT message_id FROM u)";
	char b[2][DB_NUM_MAX];
	const char *p[3];

	db_error_clear(err);
	p[0] = db_param_num(b[0], part_id);
	p[1] = db_param_num_opt(b[1], cms);
	p[2] = error;
	return part_update(db, sql, 3, p, err);
}

int db_outbound_part_unknown(struct db *db, int64_t part_id, const char *error,
		struct db_error *err)
{
	static const char sql[] =
			"UPDATE outbound_parts SET state = 'unknown', "
			"last_error = $2 "
			"WHERE id = $1::bigint AND state = 'submitting'";
	char b[DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	p[0] = db_param_num(b, part_id);
	p[1] = error;
	return part_update(db, sql, 2, p, err);
}

int db_outbound_requeue_unknown_parts(struct db *db, int64_t message_id,
		int max_attempts, struct db_error *err)
{
	static const char sql[] =
			"UPDATE outbound_parts SET state = 'queued' "
			"WHERE message_id = $1::bigint AND state = 'unknown' "
			"AND attempts < $2::int";
	char b[2][DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (max_attempts < 1)
		return db_invalid(err, "max attempts");
	p[0] = db_param_num(b[0], message_id);
	p[1] = db_param_num(b[1], max_attempts);
	return db_exec(db, sql, 2, p, err);
}

int db_outbound_match_report(struct db *db, const char *modem, int mr,
		const char *recipient, int st, int window_s,
		int64_t *ret_part_id, struct db_error *err)
{
	/* TS 23.040 §9.2.3.15 TP-ST: 0x00-0x1F done, 0x20-0x3F still
	 * trying, 0x40 and up permanent or given-up errors */
	static const char sql[] =
			"WITH p AS (SELECT id FROM outbound_parts "
			" WHERE modem = $1 AND mr = $2::smallint "
			" AND submitted_at > now() - make_interval(secs => "
			"$5::int) "
			" AND right(regexp_replace(recipient, '[^0-9]', '', "
			"'g'), 9) = "
			"     right(regexp_replace($3, '[^0-9]', '', 'g'), 9) "
			" AND state IN ('submitted', 'delivered', 'failed') "
			" ORDER BY submitted_at DESC, id DESC LIMIT 1 FOR "
			"UPDATE) "
			"UPDATE outbound_parts o SET report_status = "
			"$4::smallint, "
			" state = CASE WHEN $4::int < 32 THEN 'delivered' "
			"  WHEN $4::int < 64 THEN o.state ELSE 'failed' END, "
			" delivered_at = CASE WHEN $4::int < 32 THEN now() "
			"  ELSE o.delivered_at END, "
			" last_error = CASE WHEN $4::int >= 64 "
			"  THEN 'status report TP-ST ' || $4 ELSE o.last_error "
			"END "
			"FROM p WHERE o.id = p.id RETURNING o.id";
	char b[3][DB_NUM_MAX];
	const char *p[5];
	int r;

	db_error_clear(err);
	if (!modem || !recipient || mr < 0 || mr > 255 || st < 0 || st > 255 ||
			window_s <= 0)
		return db_invalid(err, "status report");
	p[0] = modem;
	p[1] = db_param_num(b[0], mr);
	p[2] = recipient;
	p[3] = db_param_num(b[1], st);
	p[4] = db_param_num(b[2], window_s);
	r = db_query_id(db, sql, 5, p, ret_part_id, err);
	if (r == -ENOENT)
		db_set_error(err, NULL, "no part sent by %s with TP-MR %d",
				modem, mr);
	return r;
}
