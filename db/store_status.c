/* Modem status: one row per (modem, SIM), replaced by each daemon report. */
#include "db/db_internal.h"
#include "db/store.h"

int db_modem_status_upsert(struct db *db, const struct db_modem_status *st,
		struct db_error *err)
{
	static const char sql[] =
			"INSERT INTO modem_status (modem, imsi, iccid, "
			"daemon_host, "
			"device, registration, operator, access_tech, "
			"last_error, "
			"signal_dbm, lac, ci, storage_used, storage_total, "
			"last_rx_at, "
			"last_tx_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
			"$6, $7, "
			"$8, $9, $10::int, $11::bigint, $12::bigint, $13::int, "
			"$14::int, "
			"to_timestamp($15::float8), to_timestamp($16::float8), "
			"now()) "
			"ON CONFLICT (modem, imsi, iccid) DO UPDATE SET "
			"daemon_host = EXCLUDED.daemon_host, device = "
			"EXCLUDED.device, "
			"registration = EXCLUDED.registration, "
			"operator = EXCLUDED.operator, "
			"access_tech = EXCLUDED.access_tech, "
			"last_error = EXCLUDED.last_error, "
			"signal_dbm = EXCLUDED.signal_dbm, lac = EXCLUDED.lac, "
			"ci = EXCLUDED.ci, storage_used = "
			"EXCLUDED.storage_used, "
			"storage_total = EXCLUDED.storage_total, "
			"last_rx_at = EXCLUDED.last_rx_at, "
			"last_tx_at = EXCLUDED.last_tx_at, updated_at = now()";
	char b[7][DB_NUM_MAX];
	const char *p[16];
	int r;

	db_error_clear(err);
	if (!st || !st->modem[0])
		return db_invalid(err, "modem name");
	p[0] = st->modem;
	p[1] = st->imsi;
	p[2] = st->iccid;
	p[3] = db_param_str_opt(st->daemon_host);
	p[4] = db_param_str_opt(st->device);
	p[5] = db_param_str_opt(st->registration);
	p[6] = db_param_str_opt(st->operator_name);
	p[7] = db_param_str_opt(st->access_tech);
	p[8] = db_param_str_opt(st->last_error);
	p[9] = st->has_signal ? db_param_num(b[0], st->signal_dbm) : NULL;
	p[10] = db_param_num_opt(b[1], st->lac);
	p[11] = db_param_num_opt(b[2], st->ci);
	p[12] = db_param_num_opt(b[3], st->storage_used);
	p[13] = db_param_num_opt(b[4], st->storage_total);
	p[14] = db_param_time_opt(b[5], st->last_rx_at);
	p[15] = db_param_time_opt(b[6], st->last_tx_at);
	r = db_exec(db, sql, 16, p, err);
	return r < 0 ? r : 0;
}

static int status_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_modem_status *s = elem;
	int r, sig;

	if ((r = DB_GET_TEXT(res, i, 0, s->modem, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 1, s->imsi, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 2, s->iccid, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 3, s->daemon_host, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 4, s->device, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 5, s->registration, err)) <
					0 ||
			(r = DB_GET_TEXT(res, i, 6, s->operator_name, err)) <
					0 ||
			(r = DB_GET_TEXT(res, i, 7, s->access_tech, err)) < 0 ||
			(r = DB_GET_TEXT(res, i, 8, s->last_error, err)) < 0 ||
			(r = db_get_int_opt(res, i, 9, -32768, &sig, err)) <
					0 ||
			(r = db_get_int64_opt(res, i, 10, -1, &s->lac, err)) <
					0 ||
			(r = db_get_int64_opt(res, i, 11, -1, &s->ci, err)) <
					0 ||
			(r = db_get_int_opt(res, i, 12, -1, &s->storage_used,
					 err)) < 0 ||
			(r = db_get_int_opt(res, i, 13, -1, &s->storage_total,
					 err)) < 0 ||
			(r = db_get_time_opt(res, i, 14, &s->last_rx_at, err)) <
					0 ||
			(r = db_get_time_opt(res, i, 15, &s->last_tx_at, err)) <
					0 ||
			(r = db_get_time_opt(res, i, 16, &s->updated_at, err)) <
					0)
		return r;
	s->has_signal = !PQgetisnull(res, i, 9);
	s->signal_dbm = s->has_signal ? sig : 0;
	return 0;
}

static const struct db_row_type status_type = {
		sizeof(struct db_modem_status), status_row, NULL, 0};

int db_modem_status_list(struct db *db, struct db_modem_status **ret_rows,
		size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
			"SELECT modem, imsi, iccid, coalesce(daemon_host, ''), "
			"coalesce(device, ''), coalesce(registration, ''), "
			"coalesce(operator, ''), coalesce(access_tech, ''), "
			"coalesce(last_error, ''), signal_dbm, lac, ci, "
			"storage_used, "
			"storage_total, extract(epoch FROM last_rx_at), "
			"extract(epoch FROM last_tx_at), extract(epoch FROM "
			"updated_at) "
			"FROM modem_status ORDER BY modem, updated_at DESC";
	void *v;
	int r;

	r = db_list_rows(db, sql, 0, NULL, &status_type, ret_rows ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_rows = v;
	return r;
}
