/*
 * Parts of concatenated inbound messages (TS 23.040 §9.2.3.24.1/.8): stored
 * one by one, loaded by group, assembled into one message, or found stale.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store.h"

int db_inbound_store_part(struct db *db, const struct db_inbound_part *part,
		int64_t *ret_id, bool *ret_new, struct db_error *err)
{
	static const char sql_insert[] =
			"INSERT INTO inbound_parts (" DB_INBOUND_COLS
			", concat_ref, "
			"concat_16bit, part_total, part_seq) "
			"VALUES (" DB_INBOUND_VALUES
			", $13::int, $14::boolean, "
			"$15::smallint, $16::smallint) "
			"ON CONFLICT DO NOTHING RETURNING id";
	/* $1 sim, $2 sender, $3 scts, $4 pdu, $5 ref, $6 16bit, $7 total,
	 * $8 seq */
	static const char sql_find[] =
			"SELECT id FROM inbound_parts WHERE sim_imsi = $1 "
			"AND sender = $2 AND scts = to_timestamp($3::float8) "
			"AND pdu_md5 = md5(upper($4)) AND concat_ref = $5::int "
			"AND concat_16bit = $6::boolean "
			"AND part_total = $7::smallint AND part_seq = "
			"$8::smallint";
	char b[7][DB_NUM_MAX];
	const char *p[16], *f[8];
	int r;

	db_error_clear(err);
	if (!part || !ret_id)
		return db_invalid(err, "NULL part");
	if (!part->msg.sender || !*part->msg.sender || !part->msg.scts)
		return db_invalid(err, "a part needs its sender and SCTS");
	if (part->concat_ref < 0 ||
			part->concat_ref > (part->concat_16bit ? 65535 : 255) ||
			part->total < 1 || part->total > 255 || part->seq < 1 ||
			part->seq > part->total)
		return db_invalid(err, "concatenation header out of range");
	r = db_inbound_params(&part->msg, p, b, err);
	if (r < 0)
		return r;
	p[12] = db_param_num(b[4], part->concat_ref);
	p[13] = db_param_bool(part->concat_16bit);
	p[14] = db_param_num(b[5], part->total);
	p[15] = db_param_num(b[6], part->seq);
	f[0] = p[1];
	f[1] = p[2];
	f[2] = p[5];
	f[3] = p[7];
	f[4] = p[12];
	f[5] = p[13];
	f[6] = p[14];
	f[7] = p[15];
	return db_insert_or_find(db, sql_insert, 16, p, sql_find, 8, f, ret_id,
			ret_new, err);
}

void db_part_group_from_part(const struct db_inbound_part *part,
		struct db_part_group *ret_group)
{
	struct db_part_group g;

	memset(&g, 0, sizeof(g));
	snprintf(g.modem, sizeof(g.modem), "%s",
			part->msg.modem ? part->msg.modem : "");
	snprintf(g.sim_imsi, sizeof(g.sim_imsi), "%s",
			part->msg.sim_imsi ? part->msg.sim_imsi : "");
	snprintf(g.sender, sizeof(g.sender), "%s",
			part->msg.sender ? part->msg.sender : "");
	g.concat_ref = part->concat_ref;
	g.concat_16bit = part->concat_16bit;
	g.total = part->total;
	*ret_group = g;
}

static int part_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_part_row *row = elem;
	int r;

	if ((r = db_get_int64(res, i, 0, &row->id, err)) < 0 ||
			(r = db_get_int(res, i, 1, &row->seq, err)) < 0 ||
			(r = db_get_time_opt(res, i, 2, &row->scts, err)) < 0 ||
			(r = db_get_int_opt(res, i, 3, 0, &row->scts_tz_minutes,
					 err)) < 0 ||
			(r = db_get_int_opt(res, i, 4, -1, &row->sender_ton,
					 err)) < 0 ||
			(r = db_get_int_opt(res, i, 5, -1, &row->dcs, err)) <
					0 ||
			(r = db_get_strdup(res, i, 6, &row->text, err)) < 0 ||
			(r = db_get_strdup(res, i, 7, &row->decode_error,
					 err)) < 0 ||
			(r = db_get_strdup(res, i, 8, &row->smsc, err)) < 0)
		return r;
	return 0;
}

static const size_t part_owned[] = {
		offsetof(struct db_part_row, text),
		offsetof(struct db_part_row, decode_error),
		offsetof(struct db_part_row, smsc),
};
static const struct db_row_type part_type = {
		sizeof(struct db_part_row), part_row, part_owned, 3};

void db_part_rows_free(struct db_part_row *rows, size_t count)
{
	db_rows_free(&part_type, rows, count);
}

int db_inbound_load_group(struct db *db, const struct db_part_group *group,
		struct db_part_row **ret_rows, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] =
			"SELECT id, part_seq, extract(epoch FROM scts), "
			"scts_tz_minutes, sender_ton, dcs, body, decode_error, "
			"smsc "
			"FROM inbound_parts WHERE message_id IS NULL "
			"AND sim_imsi = $1 AND sender = $2 AND concat_ref = "
			"$3::int "
			"AND concat_16bit = $4::boolean AND part_total = "
			"$5::smallint "
			"ORDER BY part_seq, received_at, id";
	char b[2][DB_NUM_MAX];
	const char *p[5];
	void *v;
	int r;

	db_error_clear(err);
	if (!group || !ret_rows || !ret_count)
		return db_invalid(err, "NULL argument");
	p[0] = group->sim_imsi;
	p[1] = group->sender;
	p[2] = db_param_num(b[0], group->concat_ref);
	p[3] = db_param_bool(group->concat_16bit);
	p[4] = db_param_num(b[1], group->total);
	r = db_query_rows(db, sql, 5, p, &part_type, &v, ret_count, err);
	if (r >= 0)
		*ret_rows = v;
	return r;
}

int db_inbound_assemble(struct db *db, const struct db_part_group *group,
		const struct db_assembled *as, int64_t *ret_id,
		struct db_error *err)
{
	static const char sql_msg[] =
			"INSERT INTO inbound_messages (kind, modem, sim_imsi, "
			"sender, "
			"sender_ton, smsc, scts, scts_tz_minutes, body, dcs, "
			"encoding, "
			"decode_error, part_count, partial, missing_parts) "
			"VALUES ('assembled', $1, $2, $3, $4::smallint, $5, "
			"to_timestamp($6::float8), $7::smallint, $8, "
			"$9::smallint, $10, "
			"$11, $12::smallint, $13::boolean, $14::smallint[]) "
			"RETURNING id";
	static const char sql_link[] =
			"UPDATE inbound_parts SET message_id = $1::bigint "
			"WHERE id = ANY($2::bigint[]) AND message_id IS NULL";
	char b[6][DB_NUM_MAX];
	const char *p[14];
	char *ids = NULL, *missing = NULL;
	int64_t id;
	int r;

	db_error_clear(err);
	if (!group || !as || !ret_id || !as->part_ids || !as->n_parts ||
			(as->n_missing && !as->missing))
		return db_invalid(err, "assembled message");
	ids = db_array_literal(as->part_ids, NULL, as->n_parts);
	missing = as->partial ? db_array_literal(NULL, as->missing,
						as->n_missing)
			      : NULL;
	if (!ids || (as->partial && !missing)) {
		r = db_oom(err);
		goto out_free;
	}
	p[0] = group->modem;
	p[1] = group->sim_imsi;
	p[2] = group->sender;
	p[3] = db_param_num_opt(b[0], as->sender_ton);
	p[4] = as->smsc;
	p[5] = db_param_time_opt(b[1], as->scts);
	p[6] = as->scts ? db_param_num(b[2], as->scts_tz_minutes) : NULL;
	p[7] = as->text;
	p[8] = db_param_num_opt(b[3], as->dcs);
	p[9] = as->encoding;
	p[10] = as->decode_error;
	p[11] = db_param_num(b[4], group->total);
	p[12] = db_param_bool(as->partial);
	p[13] = missing;
	r = db_begin(db, err);
	if (r < 0)
		goto out_free;
	r = db_query_id(db, sql_msg, 14, p, &id, err);
	if (r < 0)
		goto out_rollback;
	p[0] = db_param_num(b[5], id);
	p[1] = ids;
	r = db_exec(db, sql_link, 2, p, err);
	if (r < 0)
		goto out_rollback;
	if ((size_t) r != as->n_parts) {
		db_set_error(err, NULL, "parts already assembled elsewhere");
		r = -EALREADY;
		goto out_rollback;
	}
	r = db_commit(db, err);
	if (r < 0)
		goto out_rollback;
	*ret_id = id;
	goto out_free;
out_rollback:
	(void) db_rollback(db, NULL);
out_free:
	free(ids);
	free(missing);
	return r;
}

static int group_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_part_group *g = elem;
	int r;

	if ((r = db_get_text(res, i, 0, g->modem, sizeof(g->modem), err)) < 0 ||
			(r = db_get_text(res, i, 1, g->sim_imsi,
					 sizeof(g->sim_imsi), err)) < 0 ||
			(r = db_get_text(res, i, 2, g->sender,
					 sizeof(g->sender), err)) < 0 ||
			(r = db_get_int(res, i, 3, &g->concat_ref, err)) < 0 ||
			(r = db_get_bool(res, i, 4, &g->concat_16bit, err)) <
					0 ||
			(r = db_get_int(res, i, 5, &g->total, err)) < 0 ||
			(r = db_get_int(res, i, 6, &g->have, err)) < 0 ||
			(r = db_get_time_opt(res, i, 7, &g->first_received_at,
					 err)) < 0)
		return r;
	return 0;
}

static const struct db_row_type group_type = {
		sizeof(struct db_part_group), group_row, NULL, 0};

int db_inbound_stale_groups(struct db *db, int older_than_s,
		struct db_part_group **ret_groups, size_t *ret_count,
		struct db_error *err)
{
	static const char sql[] = "SELECT min(modem), sim_imsi, sender, "
				  "concat_ref, concat_16bit, "
				  "part_total, count(DISTINCT part_seq), "
				  "extract(epoch FROM min(received_at)) "
				  "FROM inbound_parts WHERE message_id IS NULL "
				  "GROUP BY sim_imsi, sender, concat_ref, "
				  "concat_16bit, part_total "
				  "HAVING min(received_at) <= now() - "
				  "make_interval(secs => $1::int) "
				  "ORDER BY min(received_at) LIMIT 1000";
	char b[DB_NUM_MAX];
	const char *p[1];
	void *v;
	int r;

	db_error_clear(err);
	if (older_than_s < 0 || !ret_groups || !ret_count)
		return db_invalid(err, "timeout");
	p[0] = db_param_num(b, older_than_s);
	r = db_query_rows(db, sql, 1, p, &group_type, &v, ret_count, err);
	if (r >= 0)
		*ret_groups = v;
	return r;
}
