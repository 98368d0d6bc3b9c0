/*
 * Listings for fieldgatectl (inbox, outbox, queue depths), and the daemon's
 * start-up list of unhandled inbound messages, which shares the inbox rows.
 */
#include <stddef.h>

#include "db/db_internal.h"
#include "db/store.h"

/*
 * Runs a listing whose sql takes $1 number, $2 since, $3 until, $4 limit,
 * filled from an optional filter, into rows of type t (see
 * db_query_rows(); the caller frees *ret_rows with the type's *_free()).
 */
static int list_filtered(struct db *db, const char *sql,
		const struct db_list_filter *f, const struct db_row_type *t,
		void **ret_rows, size_t *ret_count, struct db_error *err)
{
	char number[DB_PHONE_MAX], b[3][DB_NUM_MAX];
	const char *p[4];

	db_error_clear(err);
	if (!ret_rows || !ret_count)
		return db_invalid(err, "NULL output");
	p[0] = NULL;
	if (f && f->number) {
		if (db_phone_normalize(f->number, number) < 0)
			return db_invalid(err, "number filter");
		p[0] = number;
	}
	p[1] = f ? db_param_time_opt(b[0], f->since) : NULL;
	p[2] = f ? db_param_time_opt(b[1], f->until) : NULL;
	p[3] = db_param_num(b[2], (f && f->limit) ? (int64_t) f->limit : 50);
	return db_query_rows(db, sql, 4, p, t, ret_rows, ret_count, err);
}

#define INBOX_COLS                                                             \
	"id, extract(epoch FROM received_at), extract(epoch FROM scts), "      \
	"modem, sender, state, part_count, partial, body, decode_error, kind "

static int inbox_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_inbox_row *row = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &row->id, err)) < 0 ||
			(r = db_get_time_opt(res, i, 1, &row->received_at,
					 err)) < 0 ||
			(r = db_get_time_opt(res, i, 2, &row->scts, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 3, row->modem, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 4, row->sender, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 5, row->state, err)) < 0 ||
			(r = db_get_int(res, i, 6, &row->part_count, err)) <
					0 ||
			(r = db_get_bool(res, i, 7, &row->partial, err)) < 0 ||
			(r = db_get_strdup(res, i, 8, &row->text, err)) < 0 ||
			(r = db_get_strdup(res, i, 9, &row->decode_error,
					 err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 10, row->kind, err)) < 0)
		return r;
	return 0;
}

static const size_t inbox_owned[] = {
		offsetof(struct db_inbox_row, text),
		offsetof(struct db_inbox_row, decode_error),
};
static const struct db_row_type inbox_type = {
		sizeof(struct db_inbox_row), inbox_row, inbox_owned, 2};

void db_inbox_rows_free(struct db_inbox_row *rows, size_t count)
{
	db_rows_free(&inbox_type, rows, count);
}

static int inbox_query(struct db *db, const char *sql, int nparams,
		const char *const *p, struct db_inbox_row **ret_rows,
		size_t *ret_count, struct db_error *err)
{
	void *v;
	int r;

	r = db_query_rows(db, sql, nparams, p, &inbox_type, &v, ret_count, err);
	if (r >= 0)
		*ret_rows = v;
	return r;
}

int db_inbox_list(struct db *db, const struct db_list_filter *f,
		struct db_inbox_row **ret_rows, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] = "SELECT " INBOX_COLS "FROM inbound_messages "
				  "WHERE ($1::text IS NULL OR sender = $1) "
				  "AND ($2::float8 IS NULL OR received_at >= "
				  "to_timestamp($2)) "
				  "AND ($3::float8 IS NULL OR received_at < "
				  "to_timestamp($3)) "
				  "ORDER BY id DESC LIMIT $4::int";
	void *v;
	int r;

	r = list_filtered(db, sql, f, &inbox_type, ret_rows ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_rows = v;
	return r;
}

int db_inbound_unhandled(struct db *db, size_t limit,
		struct db_inbox_row **ret_rows, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT " INBOX_COLS "FROM inbound_messages "
			"WHERE state = 'stored' ORDER BY id LIMIT $1::int";
	char b[DB_NUM_MAX];
	const char *p[1];

	db_error_clear(err);
	if (!ret_rows || !ret_count || limit > 100000)
		return db_invalid(err, "limit or NULL output");
	p[0] = db_param_num(b, limit ? (int64_t) limit : 100);
	return inbox_query(db, sql, 1, p, ret_rows, ret_count, err);
}

static int outbox_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_outbox_row *row = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &row->id, err)) < 0 ||
			(r = db_get_time_opt(res, i, 1, &row->created_at,
					 err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, row->recipient, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 3, row->kind, err)) < 0 ||
			(r = db_get_int(res, i, 4, &row->priority, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 5, row->state, err)) < 0 ||
			(r = db_get_int(res, i, 6, &row->attempts, err)) < 0 ||
			(r = db_get_int(res, i, 7, &row->parts, err)) < 0 ||
			(r = db_get_int(res, i, 8, &row->parts_delivered,
					 err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 9, row->modem, err)) < 0 ||
			(r = db_get_strdup(res, i, 10, &row->text, err)) < 0 ||
			(r = db_get_strdup(res, i, 11, &row->last_error, err)) <
					0)
		return r;
	return 0;
}

static const size_t outbox_owned[] = {
		offsetof(struct db_outbox_row, text),
		offsetof(struct db_outbox_row, last_error),
};
static const struct db_row_type outbox_type = {
		sizeof(struct db_outbox_row), outbox_row, outbox_owned, 2};

void db_outbox_rows_free(struct db_outbox_row *rows, size_t count)
{
	db_rows_free(&outbox_type, rows, count);
}

int db_outbox_list(struct db *db, const struct db_list_filter *f,
		struct db_outbox_row **ret_rows, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT id, extract(epoch FROM created_at), recipient, "
			"kind, "
			"priority, state, attempts, parts, parts_delivered, "
			"coalesce(modem, ''), body, last_error FROM outbox "
			"WHERE ($1::text IS NULL OR recipient = $1) "
			"AND ($2::float8 IS NULL OR created_at >= "
			"to_timestamp($2)) "
			"AND ($3::float8 IS NULL OR created_at < "
			"to_timestamp($3)) "
			"ORDER BY id DESC LIMIT $4::int";
	void *v;
	int r;

	r = list_filtered(db, sql, f, &outbox_type, ret_rows ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_rows = v;
	return r;
}

static int depths_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_queue_depths *q = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &q->out_queued, err)) < 0 ||
			(r = db_get_int64(res, i, 1, &q->out_sending, err)) <
					0 ||
			(r = db_get_int64(res, i, 2, &q->out_unknown, err)) <
					0 ||
			(r = db_get_int64(res, i, 3, &q->out_failed, err)) <
					0 ||
			(r = db_get_int64(res, i, 4, &q->in_unhandled, err)) <
					0 ||
			(r = db_get_int64(res, i, 5, &q->parts_waiting, err)) <
					0 ||
			(r = db_get_int64(res, i, 6, &q->ussd_queued, err)) < 0)
		return r;
	return 0;
}

int db_queue_depths(struct db *db, struct db_queue_depths *ret,
		struct db_error *err)
{
	static const char sql[] = "SELECT "
				  "(SELECT count(*) FROM outbound_messages "
				  "WHERE state = 'queued'),"
				  "(SELECT count(*) FROM outbound_messages "
				  "WHERE state = 'sending'),"
				  "(SELECT count(*) FROM outbound_messages "
				  "WHERE state = 'unknown'),"
				  "(SELECT count(*) FROM outbound_messages "
				  "WHERE state = 'failed'),"
				  "(SELECT count(*) FROM inbound_messages "
				  "WHERE state = 'stored'),"
				  "(SELECT count(*) FROM inbound_parts WHERE "
				  "message_id IS NULL),"
				  "(SELECT count(*) FROM ussd_requests WHERE "
				  "state = 'queued')";
	struct db_queue_depths q;
	int r;

	db_error_clear(err);
	if (!ret)
		return db_invalid(err, "NULL output");
	r = db_query_one(db, sql, 0, NULL, depths_row, &q, err);
	if (r == 0)
		*ret = q;
	return r;
}
