/* Inbound single messages: idempotent storage and handling state. */
#include <errno.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store.h"

int db_inbound_params(const struct db_inbound *m, const char **p,
		char b[4][DB_NUM_MAX], struct db_error *err)
{
	if (!m || !m->modem || !*m->modem)
		return db_invalid(err, "modem name");
	if (!m->pdu_hex || !*m->pdu_hex)
		return db_invalid(err, "raw PDU is required");
	p[0] = m->modem;
	p[1] = m->sim_imsi ? m->sim_imsi : "";
	p[2] = m->sender ? m->sender : "";
	p[3] = db_param_num_opt(b[0], m->sender_ton);
	p[4] = m->smsc;
	p[5] = db_param_time_opt(b[1], m->scts);
	p[6] = m->scts ? db_param_num(b[2], m->scts_tz_minutes) : NULL;
	p[7] = m->pdu_hex;
	p[8] = m->text;
	p[9] = db_param_num_opt(b[3], m->dcs);
	p[10] = m->encoding;
	p[11] = m->decode_error;
	return 0;
}

int db_inbound_store(struct db *db, const struct db_inbound *msg,
		int64_t *ret_id, bool *ret_new, struct db_error *err)
{
	static const char sql_insert[] =
			"INSERT INTO inbound_messages (kind, " DB_INBOUND_COLS
			") "
			"VALUES ('single', " DB_INBOUND_VALUES ") "
			"ON CONFLICT DO NOTHING RETURNING id";
	/* $1 sim_imsi, $2 sender, $3 scts, $4 pdu_hex */
	static const char sql_find[] =
			"SELECT id FROM inbound_messages WHERE kind = 'single' "
			"AND sim_imsi = $1 AND pdu_md5 = md5(upper($4)) AND ("
			"(scts IS NULL AND $3::float8 IS NULL) OR "
			"(sender = $2 AND scts = to_timestamp($3::float8)))";
	char b[4][DB_NUM_MAX];
	const char *p[12], *f[4];
	int r;

	db_error_clear(err);
	if (!ret_id)
		return db_invalid(err, "NULL ret_id");
	r = db_inbound_params(msg, p, b, err);
	if (r < 0)
		return r;
	f[0] = p[1];
	f[1] = p[2];
	f[2] = p[5];
	f[3] = p[7];
	return db_insert_or_find(db, sql_insert, 12, p, sql_find, 4, f, ret_id,
			ret_new, err);
}

int db_inbound_set_state(struct db *db, int64_t id, const char *state,
		const char *error, struct db_error *err)
{
	static const char sql[] = "UPDATE inbound_messages SET state = $2, "
				  "handle_error = $3, "
				  "handled_at = now() WHERE id = $1::bigint";
	char b[DB_NUM_MAX];
	const char *p[3];
	int r;

	db_error_clear(err);
	if (!state || (strcmp(state, "handled") && strcmp(state, "failed") &&
				      strcmp(state, "ignored") &&
				      strcmp(state, "duplicate")))
		return db_invalid(err, "inbound state");
	p[0] = db_param_num(b, id);
	p[1] = state;
	p[2] = error;
	r = db_exec(db, sql, 3, p, err);
	if (r == 0) {
		db_set_error(err, NULL, "no inbound message %lld",
				(long long) id);
		return -ENOENT;
	}
	return r < 0 ? r : 0;
}
