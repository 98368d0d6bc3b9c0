/* fieldgate's queries. Every statement is parameterized ($n, text). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store.h"

/* Parameter helpers: numbers are formatted into caller stack buffers. */
static const char *num(char buf[DB_NUM_MAX], int64_t v)
{
	db_fmt_int64(buf, v);
	return buf;
}

/* v < 0 (or time 0) means SQL NULL */
static const char *num_opt(char buf[DB_NUM_MAX], int64_t v)
{
	return v < 0 ? NULL : num(buf, v);
}

static const char *time_opt(char buf[DB_NUM_MAX], int64_t t)
{
	return t == 0 ? NULL : num(buf, t);
}

static const char *empty_null(const char *s)
{
	return (s && *s) ? s : NULL;
}

static int invalid(struct db_error *err, const char *what)
{
	db_set_error(err, NULL, "invalid argument: %s", what);
	return -EINVAL;
}

static int oom(struct db_error *err)
{
	db_set_error(err, NULL, "out of memory");
	return -ENOMEM;
}

/* Unique violation etc. map to errno for the callers who care. */
static bool is_state(const struct db_error *err, const char *sqlstate)
{
	return err && !strcmp(err->sqlstate, sqlstate);
}

int db_phone_normalize(const char *in, char out[DB_PHONE_MAX])
{
	char buf[DB_PHONE_MAX];
	size_t n = 0, digits = 0;
	const char *p;

	if (!in || !out)
		return -EINVAL;
	for (p = in; *p; p++) {
		char c = *p;

		if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')')
			continue;
		if (c == '+' && n == 0) {
			buf[n++] = c;
			continue;
		}
		if (c < '0' || c > '9' || n >= DB_PHONE_MAX - 2)
			return -EINVAL;
		buf[n++] = c;
		digits++;
	}
	buf[n] = '\0';
	/* international prefix "00" written as '+' */
	if (buf[0] == '0' && buf[1] == '0' && digits > 2) {
		memmove(buf + 1, buf + 2, n - 1);
		buf[0] = '+';
		digits -= 2;
	}
	if (digits < 3 || digits > 20)
		return -EINVAL;
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}

/* ---- people ---------------------------------------------------------- */

static const char *const role_names[] = {
	[DB_ROLE_REP] = "rep",
	[DB_ROLE_SUPERVISOR] = "supervisor",
	[DB_ROLE_ADMIN] = "admin",
};

const char *db_role_name(enum db_role role)
{
	if ((unsigned)role >= sizeof(role_names) / sizeof(role_names[0]))
		return NULL;
	return role_names[role];
}

int db_role_parse(const char *name, enum db_role *ret_role)
{
	size_t i;

	for (i = 0; name && i < sizeof(role_names) / sizeof(role_names[0]);
	     i++) {
		if (!strcmp(name, role_names[i])) {
			*ret_role = (enum db_role)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char sql_people_add[] =
	"WITH s AS (SELECT id FROM people WHERE phone = $4) "
	"INSERT INTO people (phone, name, role, supervisor_id, territory) "
	"SELECT $1, $2, $3, (SELECT id FROM s), $5 "
	"WHERE $4::text IS NULL OR EXISTS (SELECT 1 FROM s) "
	"RETURNING id";

int db_people_add(struct db *db, const char *phone, const char *name,
		  enum db_role role, const char *supervisor_phone,
		  const char *territory, int64_t *ret_id,
		  struct db_error *err)
{
	char p_phone[DB_PHONE_MAX], s_phone[DB_PHONE_MAX];
	const char *p[5];
	PGresult *res;
	int64_t id;
	int r;

	db_error_clear(err);
	if (db_phone_normalize(phone, p_phone) < 0)
		return invalid(err, "phone number");
	if (!name || !*name)
		return invalid(err, "empty name");
	if (!db_role_name(role))
		return invalid(err, "role");
	if (supervisor_phone && db_phone_normalize(supervisor_phone,
						   s_phone) < 0)
		return invalid(err, "supervisor phone number");
	p[0] = p_phone;
	p[1] = name;
	p[2] = db_role_name(role);
	p[3] = supervisor_phone ? s_phone : NULL;
	p[4] = empty_null(territory);
	r = db_query(db, sql_people_add, 5, p, &res, err);
	if (r < 0) {
		if (is_state(err, "23505"))
			return -EEXIST;
		return r;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		db_set_error(err, NULL, "supervisor %s is not registered",
			     s_phone);
		return -ENOENT;
	}
	r = db_get_int64(res, 0, 0, &id, err);
	PQclear(res);
	if (r == 0 && ret_id)
		*ret_id = id;
	return r;
}

#define PERSON_COLS \
	"p.id, p.phone, p.name, p.role, p.supervisor_id, " \
	"coalesce(s.phone, ''), coalesce(p.territory, ''), p.active "

static int person_row(const PGresult *res, int i, struct db_person *out,
		      struct db_error *err)
{
	char role[16];
	int r;

	if ((r = db_get_int64(res, i, 0, &out->id, err)) < 0 ||
	    (r = db_get_text(res, i, 1, out->phone, sizeof(out->phone),
			     err)) < 0 ||
	    (r = db_get_text(res, i, 2, out->name, sizeof(out->name),
			     err)) < 0 ||
	    (r = db_get_text(res, i, 3, role, sizeof(role), err)) < 0 ||
	    (r = db_get_int64_opt(res, i, 4, 0, &out->supervisor_id,
				  err)) < 0 ||
	    (r = db_get_text(res, i, 5, out->supervisor_phone,
			     sizeof(out->supervisor_phone), err)) < 0 ||
	    (r = db_get_text(res, i, 6, out->territory,
			     sizeof(out->territory), err)) < 0 ||
	    (r = db_get_bool(res, i, 7, &out->active, err)) < 0)
		return r;
	if (db_role_parse(role, &out->role) < 0) {
		db_set_error(err, NULL, "column 'role': unknown '%s'", role);
		return -EPROTO;
	}
	return 0;
}

int db_people_lookup(struct db *db, const char *phone,
		     struct db_person *ret_person, struct db_error *err)
{
	static const char sql[] =
		"SELECT " PERSON_COLS "FROM people p "
		"LEFT JOIN people s ON s.id = p.supervisor_id "
		"WHERE p.phone = $1 AND p.active";
	char norm[DB_PHONE_MAX];
	const char *p[1];
	struct db_person person;
	PGresult *res;
	int r;

	db_error_clear(err);
	if (!ret_person || db_phone_normalize(phone, norm) < 0)
		return invalid(err, "phone number");
	p[0] = norm;
	r = db_query(db, sql, 1, p, &res, err);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		db_set_error(err, NULL, "no active person with number %s",
			     norm);
		r = -ENOENT;
	} else {
		r = person_row(res, 0, &person, err);
	}
	PQclear(res);
	if (r == 0)
		*ret_person = person;
	return r;
}

int db_people_list(struct db *db, struct db_person **ret_people,
		   size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
		"SELECT " PERSON_COLS "FROM people p "
		"LEFT JOIN people s ON s.id = p.supervisor_id "
		"ORDER BY p.role, p.name, p.id";
	struct db_person *list = NULL;
	PGresult *res;
	int r, i, n;

	db_error_clear(err);
	if (!ret_people || !ret_count)
		return invalid(err, "NULL output");
	r = db_query(db, sql, 0, NULL, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	list = calloc(n ? (size_t)n : 1, sizeof(*list));
	if (!list) {
		r = oom(err);
		goto out_clear;
	}
	for (i = 0; i < n; i++) {
		r = person_row(res, i, &list[i], err);
		if (r < 0)
			goto out_free;
	}
	*ret_people = list;
	*ret_count = (size_t)n;
	PQclear(res);
	return n;
out_free:
	free(list);
out_clear:
	PQclear(res);
	return r;
}

/* ---- inbound --------------------------------------------------------- */

/*
 * Inserts, or finds the existing row on conflict. A conflicting row
 * committed by another session after this statement's snapshot is not seen
 * by the SELECT arm; then the lookup runs again as its own statement.
 */
static int insert_or_find(struct db *db, const char *sql_insert,
			  int nparams, const char *const *params,
			  const char *sql_find, int nfind,
			  const char *const *find, int64_t *ret_id,
			  bool *ret_new, struct db_error *err)
{
	PGresult *res;
	int64_t id;
	bool is_new = true;
	int r;

	r = db_query(db, sql_insert, nparams, params, &res, err);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		is_new = false;
		r = db_query(db, sql_find, nfind, find, &res, err);
		if (r < 0)
			return r;
		if (PQntuples(res) == 0) {
			PQclear(res);
			db_set_error(err, NULL, "row conflicted but cannot "
				     "be found");
			return -EPROTO;
		}
	}
	r = db_get_int64(res, 0, 0, &id, err);
	PQclear(res);
	if (r < 0)
		return r;
	*ret_id = id;
	if (ret_new)
		*ret_new = is_new;
	return 0;
}

/* $1 modem .. $12 decode_error, shared by messages and parts */
#define INBOUND_VALUES \
	"$1, $2, $3, $4::smallint, $5, to_timestamp($6::float8), " \
	"$7::smallint, upper($8), $9, $10::smallint, $11, $12"
#define INBOUND_COLS \
	"modem, sim_imsi, sender, sender_ton, smsc, scts, scts_tz_minutes, " \
	"pdu_hex, body, dcs, encoding, decode_error"

static const char sql_inbound_insert[] =
	"INSERT INTO inbound_messages (kind, " INBOUND_COLS ") "
	"VALUES ('single', " INBOUND_VALUES ") "
	"ON CONFLICT DO NOTHING RETURNING id";

/* $1 sim_imsi, $2 sender, $3 scts, $4 pdu_hex */
static const char sql_inbound_find[] =
	"SELECT id FROM inbound_messages WHERE kind = 'single' "
	"AND sim_imsi = $1 AND pdu_md5 = md5(upper($4)) AND ("
	"(scts IS NULL AND $3::float8 IS NULL) OR "
	"(sender = $2 AND scts = to_timestamp($3::float8)))";

static int inbound_params(const struct db_inbound *m, const char **p,
			  char b[4][DB_NUM_MAX], struct db_error *err)
{
	if (!m || !m->modem || !*m->modem)
		return invalid(err, "modem name");
	if (!m->pdu_hex || !*m->pdu_hex)
		return invalid(err, "raw PDU is required");
	p[0] = m->modem;
	p[1] = m->sim_imsi ? m->sim_imsi : "";
	p[2] = m->sender ? m->sender : "";
	p[3] = num_opt(b[0], m->sender_ton);
	p[4] = m->smsc;
	p[5] = time_opt(b[1], m->scts);
	p[6] = m->scts ? num(b[2], m->scts_tz_minutes) : NULL;
	p[7] = m->pdu_hex;
	p[8] = m->text;
	p[9] = num_opt(b[3], m->dcs);
	p[10] = m->encoding;
	p[11] = m->decode_error;
	return 0;
}

int db_inbound_store(struct db *db, const struct db_inbound *msg,
		     int64_t *ret_id, bool *ret_new, struct db_error *err)
{
	char b[4][DB_NUM_MAX];
	const char *p[12], *f[4];
	int r;

	db_error_clear(err);
	if (!ret_id)
		return invalid(err, "NULL ret_id");
	r = inbound_params(msg, p, b, err);
	if (r < 0)
		return r;
	f[0] = p[1];
	f[1] = p[2];
	f[2] = p[5];
	f[3] = p[7];
	return insert_or_find(db, sql_inbound_insert, 12, p, sql_inbound_find,
			      4, f, ret_id, ret_new, err);
}

static const char sql_part_insert[] =
	"INSERT INTO inbound_parts (" INBOUND_COLS ", concat_ref, "
	"concat_16bit, part_total, part_seq) "
	"VALUES (" INBOUND_VALUES ", $13::int, $14::boolean, $15::smallint, "
	"$16::smallint) ON CONFLICT DO NOTHING RETURNING id";

/* $1 sim, $2 sender, $3 scts, $4 pdu, $5 ref, $6 16bit, $7 total, $8 seq */
static const char sql_part_find[] =
	"SELECT id FROM inbound_parts WHERE sim_imsi = $1 AND sender = $2 "
	"AND scts = to_timestamp($3::float8) AND pdu_md5 = md5(upper($4)) "
	"AND concat_ref = $5::int AND concat_16bit = $6::boolean "
	"AND part_total = $7::smallint AND part_seq = $8::smallint";

int db_inbound_store_part(struct db *db, const struct db_inbound_part *part,
			  int64_t *ret_id, bool *ret_new,
			  struct db_error *err)
{
	char b[7][DB_NUM_MAX];
	const char *p[16], *f[8];
	int r;

	db_error_clear(err);
	if (!part || !ret_id)
		return invalid(err, "NULL part");
	if (!part->msg.sender || !*part->msg.sender || !part->msg.scts)
		return invalid(err, "a part needs its sender and SCTS");
	if (part->concat_ref < 0 ||
	    part->concat_ref > (part->concat_16bit ? 65535 : 255) ||
	    part->total < 1 || part->total > 255 || part->seq < 1 ||
	    part->seq > part->total)
		return invalid(err, "concatenation header out of range");
	r = inbound_params(&part->msg, p, b, err);
	if (r < 0)
		return r;
	p[12] = num(b[4], part->concat_ref);
	p[13] = part->concat_16bit ? "true" : "false";
	p[14] = num(b[5], part->total);
	p[15] = num(b[6], part->seq);
	f[0] = p[1];
	f[1] = p[2];
	f[2] = p[5];
	f[3] = p[7];
	f[4] = p[12];
	f[5] = p[13];
	f[6] = p[14];
	f[7] = p[15];
	return insert_or_find(db, sql_part_insert, 16, p, sql_part_find, 8, f,
			      ret_id, ret_new, err);
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

static void group_params(const struct db_part_group *g, const char **p,
			 char b[2][DB_NUM_MAX])
{
	p[0] = g->sim_imsi;
	p[1] = g->sender;
	p[2] = num(b[0], g->concat_ref);
	p[3] = g->concat_16bit ? "true" : "false";
	p[4] = num(b[1], g->total);
}

#define GROUP_WHERE \
	"message_id IS NULL AND sim_imsi = $1 AND sender = $2 " \
	"AND concat_ref = $3::int AND concat_16bit = $4::boolean " \
	"AND part_total = $5::smallint"

void db_part_rows_free(struct db_part_row *rows, size_t count)
{
	size_t i;

	if (!rows)
		return;
	for (i = 0; i < count; i++) {
		free(rows[i].text);
		free(rows[i].decode_error);
		free(rows[i].smsc);
	}
	free(rows);
}

int db_inbound_load_group(struct db *db, const struct db_part_group *group,
			  struct db_part_row **ret_rows, size_t *ret_count,
			  struct db_error *err)
{
	static const char sql[] =
		"SELECT id, part_seq, extract(epoch FROM scts), "
		"scts_tz_minutes, sender_ton, dcs, body, decode_error, smsc "
		"FROM inbound_parts WHERE " GROUP_WHERE
		" ORDER BY part_seq, received_at, id";
	char b[2][DB_NUM_MAX];
	const char *p[5];
	struct db_part_row *rows;
	PGresult *res;
	int r, i, n;

	db_error_clear(err);
	if (!group || !ret_rows || !ret_count)
		return invalid(err, "NULL argument");
	group_params(group, p, b);
	r = db_query(db, sql, 5, p, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	rows = calloc(n ? (size_t)n : 1, sizeof(*rows));
	if (!rows) {
		PQclear(res);
		return oom(err);
	}
	for (i = 0; i < n; i++) {
		struct db_part_row *row = &rows[i];

		if ((r = db_get_int64(res, i, 0, &row->id, err)) < 0 ||
		    (r = db_get_int(res, i, 1, &row->seq, err)) < 0 ||
		    (r = db_get_time_opt(res, i, 2, &row->scts, err)) < 0 ||
		    (r = db_get_int_opt(res, i, 3, 0, &row->scts_tz_minutes,
					err)) < 0 ||
		    (r = db_get_int_opt(res, i, 4, -1, &row->sender_ton,
					err)) < 0 ||
		    (r = db_get_int_opt(res, i, 5, -1, &row->dcs, err)) < 0 ||
		    (r = db_get_strdup(res, i, 6, &row->text, err)) < 0 ||
		    (r = db_get_strdup(res, i, 7, &row->decode_error,
				       err)) < 0 ||
		    (r = db_get_strdup(res, i, 8, &row->smsc, err)) < 0)
			goto out_free;
	}
	PQclear(res);
	*ret_rows = rows;
	*ret_count = (size_t)n;
	return n;
out_free:
	db_part_rows_free(rows, (size_t)n);
	PQclear(res);
	return r;
}

/* "{1,2,3}": a PostgreSQL array literal of integers. Caller frees. */
static char *int_array(const int64_t *v64, const int *v, size_t n)
{
	size_t size = 3 + n * (DB_NUM_MAX + 1), len = 1, i;
	char *s = malloc(size);

	if (!s)
		return NULL;
	s[0] = '{';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, size - len, "%s%lld",
					i ? "," : "",
					v64 ? (long long)v64[i] :
					      (long long)v[i]);
	snprintf(s + len, size - len, "}");
	return s;
}

int db_inbound_assemble(struct db *db, const struct db_part_group *group,
			const struct db_assembled *as, int64_t *ret_id,
			struct db_error *err)
{
	static const char sql_msg[] =
		"INSERT INTO inbound_messages (kind, modem, sim_imsi, sender, "
		"sender_ton, smsc, scts, scts_tz_minutes, body, dcs, encoding, "
		"decode_error, part_count, partial, missing_parts) "
		"VALUES ('assembled', $1, $2, $3, $4::smallint, $5, "
		"to_timestamp($6::float8), $7::smallint, $8, $9::smallint, $10, "
		"$11, $12::smallint, $13::boolean, $14::smallint[]) "
		"RETURNING id";
	static const char sql_link[] =
		"UPDATE inbound_parts SET message_id = $1::bigint "
		"WHERE id = ANY($2::bigint[]) AND message_id IS NULL";
	char b[6][DB_NUM_MAX];
	const char *p[14];
	char *ids = NULL, *missing = NULL;
	PGresult *res;
	int64_t id;
	int r;

	db_error_clear(err);
	if (!group || !as || !ret_id || !as->part_ids || !as->n_parts ||
	    (as->n_missing && !as->missing))
		return invalid(err, "assembled message");
	ids = int_array(as->part_ids, NULL, as->n_parts);
	missing = as->partial ? int_array(NULL, as->missing, as->n_missing) :
				NULL;
	if (!ids || (as->partial && !missing)) {
		r = oom(err);
		goto out_free;
	}
	p[0] = group->modem;
	p[1] = group->sim_imsi;
	p[2] = group->sender;
	p[3] = num_opt(b[0], as->sender_ton);
	p[4] = as->smsc;
	p[5] = time_opt(b[1], as->scts);
	p[6] = as->scts ? num(b[2], as->scts_tz_minutes) : NULL;
	p[7] = as->text;
	p[8] = num_opt(b[3], as->dcs);
	p[9] = as->encoding;
	p[10] = as->decode_error;
	p[11] = num(b[4], group->total);
	p[12] = as->partial ? "true" : "false";
	p[13] = missing;
	r = db_begin(db, err);
	if (r < 0)
		goto out_free;
	r = db_query(db, sql_msg, 14, p, &res, err);
	if (r < 0)
		goto out_rollback;
	r = db_get_int64(res, 0, 0, &id, err);
	PQclear(res);
	if (r < 0)
		goto out_rollback;
	p[0] = num(b[5], id);
	p[1] = ids;
	r = db_exec(db, sql_link, 2, p, err);
	if (r < 0)
		goto out_rollback;
	if ((size_t)r != as->n_parts) {
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
	(void)db_rollback(db, NULL);
out_free:
	free(ids);
	free(missing);
	return r;
}

int db_inbound_stale_groups(struct db *db, int older_than_s,
			    struct db_part_group **ret_groups,
			    size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
		"SELECT min(modem), sim_imsi, sender, concat_ref, concat_16bit, "
		"part_total, count(DISTINCT part_seq), "
		"extract(epoch FROM min(received_at)) "
		"FROM inbound_parts WHERE message_id IS NULL "
		"GROUP BY sim_imsi, sender, concat_ref, concat_16bit, part_total "
		"HAVING min(received_at) <= now() - make_interval(secs => $1::int) "
		"ORDER BY min(received_at) LIMIT 1000";
	char b[DB_NUM_MAX];
	const char *p[1];
	struct db_part_group *g;
	PGresult *res;
	int r, i, n;

	db_error_clear(err);
	if (older_than_s < 0 || !ret_groups || !ret_count)
		return invalid(err, "timeout");
	p[0] = num(b, older_than_s);
	r = db_query(db, sql, 1, p, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	g = calloc(n ? (size_t)n : 1, sizeof(*g));
	if (!g) {
		PQclear(res);
		return oom(err);
	}
	for (i = 0; i < n; i++) {
		if ((r = db_get_text(res, i, 0, g[i].modem,
				     sizeof(g[i].modem), err)) < 0 ||
		    (r = db_get_text(res, i, 1, g[i].sim_imsi,
				     sizeof(g[i].sim_imsi), err)) < 0 ||
		    (r = db_get_text(res, i, 2, g[i].sender,
				     sizeof(g[i].sender), err)) < 0 ||
		    (r = db_get_int(res, i, 3, &g[i].concat_ref, err)) < 0 ||
		    (r = db_get_bool(res, i, 4, &g[i].concat_16bit, err)) < 0 ||
		    (r = db_get_int(res, i, 5, &g[i].total, err)) < 0 ||
		    (r = db_get_int(res, i, 6, &g[i].have, err)) < 0 ||
		    (r = db_get_time_opt(res, i, 7, &g[i].first_received_at,
					 err)) < 0) {
			free(g);
			PQclear(res);
			return r;
		}
	}
	PQclear(res);
	*ret_groups = g;
	*ret_count = (size_t)n;
	return n;
}

int db_inbound_set_state(struct db *db, int64_t id, const char *state,
			 const char *error, struct db_error *err)
{
	static const char sql[] =
		"UPDATE inbound_messages SET state = $2, handle_error = $3, "
		"handled_at = now() WHERE id = $1::bigint";
	char b[DB_NUM_MAX];
	const char *p[3];
	int r;

	db_error_clear(err);
	if (!state || (strcmp(state, "handled") && strcmp(state, "failed") &&
		       strcmp(state, "ignored")))
		return invalid(err, "inbound state");
	p[0] = num(b, id);
	p[1] = state;
	p[2] = error;
	r = db_exec(db, sql, 3, p, err);
	if (r == 0) {
		db_set_error(err, NULL, "no inbound message %lld",
			     (long long)id);
		return -ENOENT;
	}
	return r < 0 ? r : 0;
}

/* ---- outbound -------------------------------------------------------- */

static const char sql_out_insert[] =
	"INSERT INTO outbound_messages (recipient, body, priority, kind, "
	"in_reply_to, requested_modem, not_before, expires_at) "
	"VALUES ($1, $2, $3::smallint, $4, $5::bigint, $6, "
	"coalesce(to_timestamp($7::float8), now()), to_timestamp($8::float8)) "
	"ON CONFLICT (in_reply_to, kind) DO NOTHING RETURNING id";

static const char sql_out_find[] =
	"SELECT id FROM outbound_messages WHERE in_reply_to = $1::bigint "
	"AND kind = $2";

int db_outbound_enqueue(struct db *db, const struct db_outbound_new *msg,
			int64_t *ret_id, bool *ret_new, struct db_error *err)
{
	char to[DB_PHONE_MAX], b[4][DB_NUM_MAX];
	const char *p[8], *f[2];

	db_error_clear(err);
	if (!msg || !ret_id)
		return invalid(err, "NULL message");
	if (db_phone_normalize(msg->recipient, to) < 0)
		return invalid(err, "recipient number");
	if (!msg->text || msg->priority < 0 || msg->priority > 9 ||
	    msg->in_reply_to < 0)
		return invalid(err, "text or priority");
	p[0] = to;
	p[1] = msg->text;
	p[2] = num(b[0], msg->priority);
	p[3] = (msg->kind && *msg->kind) ? msg->kind : "manual";
	p[4] = msg->in_reply_to ? num(b[1], msg->in_reply_to) : NULL;
	p[5] = empty_null(msg->requested_modem);
	p[6] = time_opt(b[2], msg->not_before);
	p[7] = time_opt(b[3], msg->expires_at);
	f[0] = p[4];
	f[1] = p[3];
	return insert_or_find(db, sql_out_insert, 8, p, sql_out_find, 2, f,
			      ret_id, ret_new, err);
}

void db_outbound_msgs_free(struct db_outbound_msg *msgs, size_t count)
{
	size_t i;

	if (!msgs)
		return;
	for (i = 0; i < count; i++)
		free(msgs[i].text);
	free(msgs);
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
	struct db_outbound_msg *m;
	PGresult *res;
	int r, i, n;

	db_error_clear(err);
	if (!daemon_id || !*daemon_id || !modem || !*modem || !max ||
	    max > 1000 || !ret_msgs || !ret_count)
		return invalid(err, "claim arguments");
	p[0] = daemon_id;
	p[1] = modem;
	p[2] = take_others ? "true" : "false";
	p[3] = num(b, (int64_t)max);
	r = db_query(db, sql, 4, p, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	m = calloc(n ? (size_t)n : 1, sizeof(*m));
	if (!m) {
		PQclear(res);
		return oom(err);
	}
	for (i = 0; i < n; i++) {
		if ((r = db_get_int64(res, i, 0, &m[i].id, err)) < 0 ||
		    (r = db_get_text(res, i, 1, m[i].recipient,
				     sizeof(m[i].recipient), err)) < 0 ||
		    (r = db_get_strdup(res, i, 2, &m[i].text, err)) < 0 ||
		    (r = db_get_int(res, i, 3, &m[i].priority, err)) < 0 ||
		    (r = db_get_text(res, i, 4, m[i].kind, sizeof(m[i].kind),
				     err)) < 0 ||
		    (r = db_get_int64_opt(res, i, 5, 0, &m[i].in_reply_to,
					  err)) < 0 ||
		    (r = db_get_int(res, i, 6, &m[i].attempts, err)) < 0 ||
		    (r = db_get_time_opt(res, i, 7, &m[i].created_at,
					 err)) < 0 ||
		    (r = db_get_time_opt(res, i, 8, &m[i].expires_at,
					 err)) < 0) {
			/*
			 * The rows are claimed already; a later
			 * db_outbound_recover() re-queues them.
			 */
			db_outbound_msgs_free(m, (size_t)n);
			PQclear(res);
			return r;
		}
	}
	PQclear(res);
	*ret_msgs = m;
	*ret_count = (size_t)n;
	return n;
}

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
	if ((unsigned)s >= sizeof(part_state_names) /
				   sizeof(part_state_names[0]))
		return NULL;
	return part_state_names[s];
}

static int part_state_parse(const char *s, enum db_part_state *ret)
{
	size_t i;

	for (i = 0; i < sizeof(part_state_names) / sizeof(part_state_names[0]);
	     i++) {
		if (!strcmp(s, part_state_names[i])) {
			*ret = (enum db_part_state)i;
			return 0;
		}
	}
	return -EPROTO;
}

int db_outbound_add_parts(struct db *db, int64_t message_id,
			  const struct db_outbound_part_new *parts,
			  size_t count, struct db_error *err)
{
	static const char sql[] =
		"INSERT INTO outbound_parts (message_id, seq, recipient, "
		"pdu_hex, tpdu_len) SELECT id, $2::smallint, recipient, "
		"upper($3), $4::smallint FROM outbound_messages "
		"WHERE id = $1::bigint ON CONFLICT (message_id, seq) DO NOTHING";
	char b[3][DB_NUM_MAX];
	const char *p[4];
	size_t i;
	int r, added = 0;

	db_error_clear(err);
	if (!parts || !count || count > 255)
		return invalid(err, "parts");
	for (i = 0; i < count; i++)
		if (!parts[i].pdu_hex || parts[i].seq < 1 ||
		    parts[i].tpdu_len < 1)
			return invalid(err, "part");
	r = db_begin(db, err);
	if (r < 0)
		return r;
	for (i = 0; i < count; i++) {
		p[0] = num(b[0], message_id);
		p[1] = num(b[1], parts[i].seq);
		p[2] = parts[i].pdu_hex;
		p[3] = num(b[2], parts[i].tpdu_len);
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
	(void)db_rollback(db, NULL);
	return r;
}

void db_outbound_parts_free(struct db_outbound_part *parts, size_t count)
{
	size_t i;

	if (!parts)
		return;
	for (i = 0; i < count; i++)
		free(parts[i].pdu_hex);
	free(parts);
}

int db_outbound_load_parts(struct db *db, int64_t message_id,
			   struct db_outbound_part **ret_parts,
			   size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
		"SELECT id, message_id, seq, pdu_hex, tpdu_len, state, "
		"attempts, mr, extract(epoch FROM next_attempt_at) "
		"FROM outbound_parts WHERE message_id = $1::bigint ORDER BY seq";
	char b[DB_NUM_MAX], state[16];
	const char *p[1];
	struct db_outbound_part *v;
	PGresult *res;
	int r, i, n;

	db_error_clear(err);
	if (!ret_parts || !ret_count)
		return invalid(err, "NULL output");
	p[0] = num(b, message_id);
	r = db_query(db, sql, 1, p, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	v = calloc(n ? (size_t)n : 1, sizeof(*v));
	if (!v) {
		PQclear(res);
		return oom(err);
	}
	for (i = 0; i < n; i++) {
		if ((r = db_get_int64(res, i, 0, &v[i].id, err)) < 0 ||
		    (r = db_get_int64(res, i, 1, &v[i].message_id, err)) < 0 ||
		    (r = db_get_int(res, i, 2, &v[i].seq, err)) < 0 ||
		    (r = db_get_strdup(res, i, 3, &v[i].pdu_hex, err)) < 0 ||
		    (r = db_get_int(res, i, 4, &v[i].tpdu_len, err)) < 0 ||
		    (r = db_get_text(res, i, 5, state, sizeof(state),
				     err)) < 0 ||
		    (r = db_get_int(res, i, 6, &v[i].attempts, err)) < 0 ||
		    (r = db_get_int_opt(res, i, 7, -1, &v[i].mr, err)) < 0 ||
		    (r = db_get_time_opt(res, i, 8, &v[i].next_attempt_at,
					 err)) < 0)
			goto out_free;
		if (part_state_parse(state, &v[i].state) < 0) {
			db_set_error(err, NULL, "column 'state': unknown '%s'",
				     state);
			r = -EPROTO;
			goto out_free;
		}
	}
	PQclear(res);
	*ret_parts = v;
	*ret_count = (size_t)n;
	return n;
out_free:
	db_outbound_parts_free(v, (size_t)n);
	PQclear(res);
	return r;
}

/* One guarded UPDATE; 0 rows means the part was not in the expected state. */
static int part_update(struct db *db, const char *sql, int nparams,
		       const char *const *p, struct db_error *err)
{
	int r = db_exec(db, sql, nparams, p, err);

	if (r == 0) {
		db_set_error(err, NULL, "part %s is not in the state this "
			     "transition leaves", p[0]);
		return -ESTALE;
	}
	return r < 0 ? r : 0;
}

int db_outbound_part_submitting(struct db *db, int64_t part_id,
				const char *modem, struct db_error *err)
{
	static const char sql[] =
		"UPDATE outbound_parts SET state = 'submitting', modem = $2, "
		"attempts = attempts + 1 WHERE id = $1::bigint "
		"AND state = 'queued'";
	char b[DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (!modem || !*modem)
		return invalid(err, "modem");
	p[0] = num(b, part_id);
	p[1] = modem;
	return part_update(db, sql, 2, p, err);
}

int db_outbound_part_submitted(struct db *db, int64_t part_id, int mr,
			       struct db_error *err)
{
	static const char sql[] =
		"UPDATE outbound_parts SET state = 'submitted', "
		"mr = $2::smallint, submitted_at = now() "
		"WHERE id = $1::bigint AND state = 'submitting'";
	char b[2][DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	if (mr < 0 || mr > 255)
		return invalid(err, "TP-MR out of range");
	p[0] = num(b[0], part_id);
	p[1] = num(b[1], mr);
	return part_update(db, sql, 2, p, err);
}

int db_outbound_part_retry(struct db *db, int64_t part_id, int cms,
			   const char *error, int delay_s,
			   struct db_error *err)
{
	static const char sql[] =
		"UPDATE outbound_parts SET state = 'queued', "
		"last_cms_error = $2::int, last_error = $3, "
		"next_attempt_at = now() + make_interval(secs => $4::int) "
		"WHERE id = $1::bigint AND state = 'submitting'";
	char b[3][DB_NUM_MAX];
	const char *p[4];

	db_error_clear(err);
	if (delay_s < 0)
		return invalid(err, "delay");
	p[0] = num(b[0], part_id);
	p[1] = num_opt(b[1], cms);
	p[2] = error;
	p[3] = num(b[2], delay_s);
	return part_update(db, sql, 4, p, err);
}

int db_outbound_part_failed(struct db *db, int64_t part_id, int cms,
			    const char *error, struct db_error *err)
{
	static const char sql[] =
		"WITH u AS (UPDATE outbound_parts SET state = 'failed', "
		"last_cms_error = $2::int, last_error = $3 "
		"WHERE id = $1::bigint AND state IN ('queued', 'submitting') "
		"RETURNING message_id) "
		"UPDATE outbound_messages SET last_error = $3 "
		"WHERE id = (SELECT message_id FROM u)";
	char b[2][DB_NUM_MAX];
	const char *p[3];

	db_error_clear(err);
	p[0] = num(b[0], part_id);
	p[1] = num_opt(b[1], cms);
	p[2] = error;
	return part_update(db, sql, 3, p, err);
}

int db_outbound_part_unknown(struct db *db, int64_t part_id,
			     const char *error, struct db_error *err)
{
	static const char sql[] =
		"UPDATE outbound_parts SET state = 'unknown', last_error = $2 "
		"WHERE id = $1::bigint AND state = 'submitting'";
	char b[DB_NUM_MAX];
	const char *p[2];

	db_error_clear(err);
	p[0] = num(b, part_id);
	p[1] = error;
	return part_update(db, sql, 2, p, err);
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
		" AND submitted_at > now() - make_interval(secs => $5::int) "
		" AND right(regexp_replace(recipient, '[^0-9]', '', 'g'), 9) = "
		"     right(regexp_replace($3, '[^0-9]', '', 'g'), 9) "
		" AND state IN ('submitted', 'delivered', 'failed') "
		" ORDER BY submitted_at DESC, id DESC LIMIT 1 FOR UPDATE) "
		"UPDATE outbound_parts o SET report_status = $4::smallint, "
		" state = CASE WHEN $4::int < 32 THEN 'delivered' "
		"  WHEN $4::int < 64 THEN o.state ELSE 'failed' END, "
		" delivered_at = CASE WHEN $4::int < 32 THEN now() "
		"  ELSE o.delivered_at END, "
		" last_error = CASE WHEN $4::int >= 64 "
		"  THEN 'status report TP-ST ' || $4 ELSE o.last_error END "
		"FROM p WHERE o.id = p.id RETURNING o.id";
	char b[3][DB_NUM_MAX];
	const char *p[5];
	PGresult *res;
	int64_t id;
	int r;

	db_error_clear(err);
	if (!modem || !recipient || mr < 0 || mr > 255 || st < 0 ||
	    st > 255 || window_s <= 0)
		return invalid(err, "status report");
	p[0] = modem;
	p[1] = num(b[0], mr);
	p[2] = recipient;
	p[3] = num(b[1], st);
	p[4] = num(b[2], window_s);
	r = db_query(db, sql, 5, p, &res, err);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		db_set_error(err, NULL, "no part sent by %s with TP-MR %d",
			     modem, mr);
		return -ENOENT;
	}
	r = db_get_int64(res, 0, 0, &id, err);
	PQclear(res);
	if (r == 0 && ret_part_id)
		*ret_part_id = id;
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
	int r, n;

	db_error_clear(err);
	r = db_begin(db, err);
	if (r < 0)
		return r;
	n = db_exec(db, sql_msgs, 0, NULL, err);
	if (n < 0) {
		r = n;
		goto out_rollback;
	}
	r = db_exec(db, sql_parts, 0, NULL, err);
	if (r < 0)
		goto out_rollback;
	r = db_commit(db, err);
	if (r < 0)
		goto out_rollback;
	return n;
out_rollback:
	(void)db_rollback(db, NULL);
	return r;
}

int db_outbound_recover(struct db *db, const char *daemon_id,
			struct db_error *err)
{
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
	int r, n;

	db_error_clear(err);
	if (!daemon_id || !*daemon_id)
		return invalid(err, "daemon id");
	p[0] = daemon_id;
	r = db_begin(db, err);
	if (r < 0)
		return r;
	r = db_exec(db, sql_parts, 1, p, err);
	if (r < 0)
		goto out_rollback;
	n = db_exec(db, sql_msgs, 1, p, err);
	if (n < 0) {
		r = n;
		goto out_rollback;
	}
	r = db_commit(db, err);
	if (r < 0)
		goto out_rollback;
	return n;
out_rollback:
	(void)db_rollback(db, NULL);
	return r;
}

/* ---- USSD ------------------------------------------------------------ */

int db_ussd_enqueue(struct db *db, const char *modem, const char *code,
		    int64_t *ret_id, struct db_error *err)
{
	static const char sql[] =
		"INSERT INTO ussd_requests (modem, code) VALUES ($1, $2) "
		"RETURNING id";
	const char *p[2];
	PGresult *res;
	int64_t id;
	int r;

	db_error_clear(err);
	if (!code || !*code)
		return invalid(err, "USSD code");
	p[0] = empty_null(modem);
	p[1] = code;
	r = db_query(db, sql, 2, p, &res, err);
	if (r < 0) {
		if (is_state(err, "23514"))	/* check_violation */
			return -EINVAL;
		return r;
	}
	r = db_get_int64(res, 0, 0, &id, err);
	PQclear(res);
	if (r == 0 && ret_id)
		*ret_id = id;
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

#define USSD_COLS \
	"id, coalesce(modem, ''), code, state, reply, reply_dcs, " \
	"session_status, error"

static int ussd_row(const PGresult *res, struct db_ussd *out,
		    struct db_error *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = db_get_int64(res, 0, 0, &out->id, err)) < 0 ||
	    (r = db_get_text(res, 0, 1, out->modem, sizeof(out->modem),
			     err)) < 0 ||
	    (r = db_get_text(res, 0, 2, out->code, sizeof(out->code),
			     err)) < 0 ||
	    (r = db_get_text(res, 0, 3, out->state, sizeof(out->state),
			     err)) < 0 ||
	    (r = db_get_strdup(res, 0, 4, &out->reply, err)) < 0 ||
	    (r = db_get_int_opt(res, 0, 5, -1, &out->reply_dcs, err)) < 0 ||
	    (r = db_get_int_opt(res, 0, 6, -1, &out->session_status,
				err)) < 0 ||
	    (r = db_get_strdup(res, 0, 7, &out->error, err)) < 0) {
		db_ussd_done(out);
		return r;
	}
	return 0;
}

int db_ussd_claim(struct db *db, const char *daemon_id, const char *modem,
		  struct db_ussd *ret_req, struct db_error *err)
{
	static const char sql[] =
		"WITH c AS (SELECT id FROM ussd_requests WHERE state = 'queued' "
		" AND (modem IS NULL OR modem = $2) ORDER BY created_at, id "
		" LIMIT 1 FOR UPDATE SKIP LOCKED) "
		"UPDATE ussd_requests u SET state = 'running', claimed_by = $1, "
		"ran_on_modem = $2, started_at = now() FROM c WHERE u.id = c.id "
		"RETURNING u.id, coalesce(u.modem, ''), u.code, u.state, "
		"u.reply, u.reply_dcs, u.session_status, u.error";
	const char *p[2];
	struct db_ussd req;
	PGresult *res;
	int r;

	db_error_clear(err);
	if (!daemon_id || !*daemon_id || !modem || !*modem || !ret_req)
		return invalid(err, "claim arguments");
	p[0] = daemon_id;
	p[1] = modem;
	r = db_query(db, sql, 2, p, &res, err);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		db_set_error(err, NULL, "no queued USSD request");
		return -ENOENT;
	}
	r = ussd_row(res, &req, err);
	PQclear(res);
	if (r == 0)
		*ret_req = req;
	return r;
}

int db_ussd_finish(struct db *db, int64_t id, const char *state,
		   const char *reply, int reply_dcs, int session_status,
		   const char *error, struct db_error *err)
{
	/* fieldgate_ussd_done carries the id for a waiting fieldgatectl */
	static const char sql[] =
		"WITH u AS (UPDATE ussd_requests SET state = $2, reply = $3, "
		"reply_dcs = $4::smallint, session_status = $5::smallint, "
		"error = $6, finished_at = now() "
		"WHERE id = $1::bigint AND state = 'running' RETURNING id) "
		"SELECT pg_notify('fieldgate_ussd_done', id::text) FROM u";
	char b[3][DB_NUM_MAX];
	const char *p[6];
	PGresult *res;
	int r, n;

	db_error_clear(err);
	if (!state || (strcmp(state, "done") && strcmp(state, "failed") &&
		       strcmp(state, "timeout")))
		return invalid(err, "USSD state");
	p[0] = num(b[0], id);
	p[1] = state;
	p[2] = reply;
	p[3] = num_opt(b[1], reply_dcs);
	p[4] = num_opt(b[2], session_status);
	p[5] = error;
	r = db_query(db, sql, 6, p, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	PQclear(res);
	if (n == 0) {
		db_set_error(err, NULL, "USSD request %lld is not running",
			     (long long)id);
		return -ESTALE;
	}
	return 0;
}

int db_ussd_get(struct db *db, int64_t id, struct db_ussd *ret_req,
		struct db_error *err)
{
	static const char sql[] =
		"SELECT " USSD_COLS " FROM ussd_requests WHERE id = $1::bigint";
	char b[DB_NUM_MAX];
	const char *p[1];
	struct db_ussd req;
	PGresult *res;
	int r;

	db_error_clear(err);
	if (!ret_req)
		return invalid(err, "NULL output");
	p[0] = num(b, id);
	r = db_query(db, sql, 1, p, &res, err);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		db_set_error(err, NULL, "no USSD request %lld", (long long)id);
		return -ENOENT;
	}
	r = ussd_row(res, &req, err);
	PQclear(res);
	if (r == 0)
		*ret_req = req;
	return r;
}

/* ---- modem status ---------------------------------------------------- */

int db_modem_status_upsert(struct db *db, const struct db_modem_status *st,
			   struct db_error *err)
{
	static const char sql[] =
		"INSERT INTO modem_status (modem, imsi, iccid, daemon_host, "
		"device, registration, operator, access_tech, last_error, "
		"signal_dbm, lac, ci, storage_used, storage_total, last_rx_at, "
		"last_tx_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
		"$8, $9, $10::int, $11::bigint, $12::bigint, $13::int, $14::int, "
		"to_timestamp($15::float8), to_timestamp($16::float8), now()) "
		"ON CONFLICT (modem, imsi, iccid) DO UPDATE SET "
		"daemon_host = EXCLUDED.daemon_host, device = EXCLUDED.device, "
		"registration = EXCLUDED.registration, "
		"operator = EXCLUDED.operator, "
		"access_tech = EXCLUDED.access_tech, "
		"last_error = EXCLUDED.last_error, "
		"signal_dbm = EXCLUDED.signal_dbm, lac = EXCLUDED.lac, "
		"ci = EXCLUDED.ci, storage_used = EXCLUDED.storage_used, "
		"storage_total = EXCLUDED.storage_total, "
		"last_rx_at = EXCLUDED.last_rx_at, "
		"last_tx_at = EXCLUDED.last_tx_at, updated_at = now()";
	char b[7][DB_NUM_MAX];
	const char *p[16];
	int r;

	db_error_clear(err);
	if (!st || !st->modem[0])
		return invalid(err, "modem name");
	p[0] = st->modem;
	p[1] = st->imsi;
	p[2] = st->iccid;
	p[3] = empty_null(st->daemon_host);
	p[4] = empty_null(st->device);
	p[5] = empty_null(st->registration);
	p[6] = empty_null(st->operator_name);
	p[7] = empty_null(st->access_tech);
	p[8] = empty_null(st->last_error);
	p[9] = st->has_signal ? num(b[0], st->signal_dbm) : NULL;
	p[10] = num_opt(b[1], st->lac);
	p[11] = num_opt(b[2], st->ci);
	p[12] = num_opt(b[3], st->storage_used);
	p[13] = num_opt(b[4], st->storage_total);
	p[14] = time_opt(b[5], st->last_rx_at);
	p[15] = time_opt(b[6], st->last_tx_at);
	r = db_exec(db, sql, 16, p, err);
	return r < 0 ? r : 0;
}

int db_modem_status_list(struct db *db, struct db_modem_status **ret_rows,
			 size_t *ret_count, struct db_error *err)
{
	static const char sql[] =
		"SELECT modem, imsi, iccid, coalesce(daemon_host, ''), "
		"coalesce(device, ''), coalesce(registration, ''), "
		"coalesce(operator, ''), coalesce(access_tech, ''), "
		"coalesce(last_error, ''), signal_dbm, lac, ci, storage_used, "
		"storage_total, extract(epoch FROM last_rx_at), "
		"extract(epoch FROM last_tx_at), extract(epoch FROM updated_at) "
		"FROM modem_status ORDER BY modem, updated_at DESC";
	struct db_modem_status *v;
	PGresult *res;
	int r, i, n;

	db_error_clear(err);
	if (!ret_rows || !ret_count)
		return invalid(err, "NULL output");
	r = db_query(db, sql, 0, NULL, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	v = calloc(n ? (size_t)n : 1, sizeof(*v));
	if (!v) {
		PQclear(res);
		return oom(err);
	}
	for (i = 0; i < n; i++) {
		struct db_modem_status *s = &v[i];
		int sig;

		if ((r = db_get_text(res, i, 0, s->modem, sizeof(s->modem),
				     err)) < 0 ||
		    (r = db_get_text(res, i, 1, s->imsi, sizeof(s->imsi),
				     err)) < 0 ||
		    (r = db_get_text(res, i, 2, s->iccid, sizeof(s->iccid),
				     err)) < 0 ||
		    (r = db_get_text(res, i, 3, s->daemon_host,
				     sizeof(s->daemon_host), err)) < 0 ||
		    (r = db_get_text(res, i, 4, s->device, sizeof(s->device),
				     err)) < 0 ||
		    (r = db_get_text(res, i, 5, s->registration,
				     sizeof(s->registration), err)) < 0 ||
		    (r = db_get_text(res, i, 6, s->operator_name,
				     sizeof(s->operator_name), err)) < 0 ||
		    (r = db_get_text(res, i, 7, s->access_tech,
				     sizeof(s->access_tech), err)) < 0 ||
		    (r = db_get_text(res, i, 8, s->last_error,
				     sizeof(s->last_error), err)) < 0 ||
		    (r = db_get_int_opt(res, i, 9, -32768, &sig, err)) < 0 ||
		    (r = db_get_int64_opt(res, i, 10, -1, &s->lac, err)) < 0 ||
		    (r = db_get_int64_opt(res, i, 11, -1, &s->ci, err)) < 0 ||
		    (r = db_get_int_opt(res, i, 12, -1, &s->storage_used,
					err)) < 0 ||
		    (r = db_get_int_opt(res, i, 13, -1, &s->storage_total,
					err)) < 0 ||
		    (r = db_get_time_opt(res, i, 14, &s->last_rx_at, err)) < 0 ||
		    (r = db_get_time_opt(res, i, 15, &s->last_tx_at, err)) < 0 ||
		    (r = db_get_time_opt(res, i, 16, &s->updated_at, err)) < 0) {
			free(v);
			PQclear(res);
			return r;
		}
		s->has_signal = !PQgetisnull(res, i, 9);
		s->signal_dbm = s->has_signal ? sig : 0;
	}
	PQclear(res);
	*ret_rows = v;
	*ret_count = (size_t)n;
	return n;
}

/* ---- listings -------------------------------------------------------- */

static int filter_params(const struct db_list_filter *f, const char **p,
			 char number[DB_PHONE_MAX], char b[3][DB_NUM_MAX],
			 struct db_error *err)
{
	p[0] = NULL;
	if (f && f->number) {
		if (db_phone_normalize(f->number, number) < 0)
			return invalid(err, "number filter");
		p[0] = number;
	}
	p[1] = f ? time_opt(b[0], f->since) : NULL;
	p[2] = f ? time_opt(b[1], f->until) : NULL;
	p[3] = num(b[2], (f && f->limit) ? (int64_t)f->limit : 50);
	return 0;
}

void db_inbox_rows_free(struct db_inbox_row *rows, size_t count)
{
	size_t i;

	if (!rows)
		return;
	for (i = 0; i < count; i++) {
		free(rows[i].text);
		free(rows[i].decode_error);
	}
	free(rows);
}

#define INBOX_COLS \
	"id, extract(epoch FROM received_at), extract(epoch FROM scts), " \
	"modem, sender, state, part_count, partial, body, decode_error, kind "

static int inbox_rows(PGresult *res, struct db_inbox_row **ret_rows,
		      size_t *ret_count, struct db_error *err)
{
	struct db_inbox_row *v;
	int r, i, n = PQntuples(res);

	v = calloc(n ? (size_t)n : 1, sizeof(*v));
	if (!v)
		return oom(err);
	for (i = 0; i < n; i++) {
		struct db_inbox_row *row = &v[i];

		if ((r = db_get_int64(res, i, 0, &row->id, err)) < 0 ||
		    (r = db_get_time_opt(res, i, 1, &row->received_at,
					 err)) < 0 ||
		    (r = db_get_time_opt(res, i, 2, &row->scts, err)) < 0 ||
		    (r = db_get_text(res, i, 3, row->modem,
				     sizeof(row->modem), err)) < 0 ||
		    (r = db_get_text(res, i, 4, row->sender,
				     sizeof(row->sender), err)) < 0 ||
		    (r = db_get_text(res, i, 5, row->state,
				     sizeof(row->state), err)) < 0 ||
		    (r = db_get_int(res, i, 6, &row->part_count, err)) < 0 ||
		    (r = db_get_bool(res, i, 7, &row->partial, err)) < 0 ||
		    (r = db_get_strdup(res, i, 8, &row->text, err)) < 0 ||
		    (r = db_get_strdup(res, i, 9, &row->decode_error,
				       err)) < 0 ||
		    (r = db_get_text(res, i, 10, row->kind, sizeof(row->kind),
				     err)) < 0) {
			db_inbox_rows_free(v, (size_t)n);
			return r;
		}
	}
	*ret_rows = v;
	*ret_count = (size_t)n;
	return n;
}

int db_inbox_list(struct db *db, const struct db_list_filter *f,
		  struct db_inbox_row **ret_rows, size_t *ret_count,
		  struct db_error *err)
{
	static const char sql[] =
		"SELECT " INBOX_COLS "FROM inbound_messages "
		"WHERE ($1::text IS NULL OR sender = $1) "
		"AND ($2::float8 IS NULL OR received_at >= to_timestamp($2)) "
		"AND ($3::float8 IS NULL OR received_at < to_timestamp($3)) "
		"ORDER BY id DESC LIMIT $4::int";
	char number[DB_PHONE_MAX], b[3][DB_NUM_MAX];
	const char *p[4];
	PGresult *res;
	int r;

	db_error_clear(err);
	if (!ret_rows || !ret_count)
		return invalid(err, "NULL output");
	r = filter_params(f, p, number, b, err);
	if (r < 0)
		return r;
	r = db_query(db, sql, 4, p, &res, err);
	if (r < 0)
		return r;
	r = inbox_rows(res, ret_rows, ret_count, err);
	PQclear(res);
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
	PGresult *res;
	int r;

	db_error_clear(err);
	if (!ret_rows || !ret_count || limit > 100000)
		return invalid(err, "limit or NULL output");
	p[0] = num(b, limit ? (int64_t)limit : 100);
	r = db_query(db, sql, 1, p, &res, err);
	if (r < 0)
		return r;
	r = inbox_rows(res, ret_rows, ret_count, err);
	PQclear(res);
	return r;
}

int db_rule_reload_record(struct db *db, const struct db_rule_reload *rr,
			  int64_t *ret_id, struct db_error *err)
{
	static const char sql[] =
		"INSERT INTO rule_reloads (daemon_host, path, version, sha256, "
		"ok, errors) VALUES ($1, $2, $3, $4, $5::boolean, $6) "
		"RETURNING id";
	const char *p[6];
	PGresult *res;
	int64_t id;
	int r;

	db_error_clear(err);
	if (!rr)
		return invalid(err, "NULL reload");
	p[0] = rr->daemon_host;
	p[1] = rr->path;
	p[2] = rr->version;
	p[3] = rr->sha256;
	p[4] = rr->ok ? "true" : "false";
	p[5] = rr->errors;
	r = db_query(db, sql, 6, p, &res, err);
	if (r < 0)
		return r;
	r = db_get_int64(res, 0, 0, &id, err);
	PQclear(res);
	if (r == 0 && ret_id)
		*ret_id = id;
	return r;
}

void db_outbox_rows_free(struct db_outbox_row *rows, size_t count)
{
	size_t i;

	if (!rows)
		return;
	for (i = 0; i < count; i++) {
		free(rows[i].text);
		free(rows[i].last_error);
	}
	free(rows);
}

int db_outbox_list(struct db *db, const struct db_list_filter *f,
		   struct db_outbox_row **ret_rows, size_t *ret_count,
		   struct db_error *err)
{
	static const char sql[] =
		"SELECT id, extract(epoch FROM created_at), recipient, kind, "
		"priority, state, attempts, parts, parts_delivered, "
		"coalesce(modem, ''), body, last_error FROM outbox "
		"WHERE ($1::text IS NULL OR recipient = $1) "
		"AND ($2::float8 IS NULL OR created_at >= to_timestamp($2)) "
		"AND ($3::float8 IS NULL OR created_at < to_timestamp($3)) "
		"ORDER BY id DESC LIMIT $4::int";
	char number[DB_PHONE_MAX], b[3][DB_NUM_MAX];
	const char *p[4];
	struct db_outbox_row *v;
	PGresult *res;
	int r, i, n;

	db_error_clear(err);
	if (!ret_rows || !ret_count)
		return invalid(err, "NULL output");
	r = filter_params(f, p, number, b, err);
	if (r < 0)
		return r;
	r = db_query(db, sql, 4, p, &res, err);
	if (r < 0)
		return r;
	n = PQntuples(res);
	v = calloc(n ? (size_t)n : 1, sizeof(*v));
	if (!v) {
		PQclear(res);
		return oom(err);
	}
	for (i = 0; i < n; i++) {
		struct db_outbox_row *row = &v[i];

		if ((r = db_get_int64(res, i, 0, &row->id, err)) < 0 ||
		    (r = db_get_time_opt(res, i, 1, &row->created_at,
					 err)) < 0 ||
		    (r = db_get_text(res, i, 2, row->recipient,
				     sizeof(row->recipient), err)) < 0 ||
		    (r = db_get_text(res, i, 3, row->kind, sizeof(row->kind),
				     err)) < 0 ||
		    (r = db_get_int(res, i, 4, &row->priority, err)) < 0 ||
		    (r = db_get_text(res, i, 5, row->state,
				     sizeof(row->state), err)) < 0 ||
		    (r = db_get_int(res, i, 6, &row->attempts, err)) < 0 ||
		    (r = db_get_int(res, i, 7, &row->parts, err)) < 0 ||
		    (r = db_get_int(res, i, 8, &row->parts_delivered,
				    err)) < 0 ||
		    (r = db_get_text(res, i, 9, row->modem,
				     sizeof(row->modem), err)) < 0 ||
		    (r = db_get_strdup(res, i, 10, &row->text, err)) < 0 ||
		    (r = db_get_strdup(res, i, 11, &row->last_error,
				       err)) < 0) {
			db_outbox_rows_free(v, (size_t)n);
			PQclear(res);
			return r;
		}
	}
	PQclear(res);
	*ret_rows = v;
	*ret_count = (size_t)n;
	return n;
}

int db_queue_depths(struct db *db, struct db_queue_depths *ret,
		    struct db_error *err)
{
	static const char sql[] =
		"SELECT "
		"(SELECT count(*) FROM outbound_messages WHERE state = 'queued'),"
		"(SELECT count(*) FROM outbound_messages WHERE state = 'sending'),"
		"(SELECT count(*) FROM outbound_messages WHERE state = 'unknown'),"
		"(SELECT count(*) FROM outbound_messages WHERE state = 'failed'),"
		"(SELECT count(*) FROM inbound_messages WHERE state = 'stored'),"
		"(SELECT count(*) FROM inbound_parts WHERE message_id IS NULL),"
		"(SELECT count(*) FROM ussd_requests WHERE state = 'queued')";
	struct db_queue_depths q;
	PGresult *res;
	int r;

	db_error_clear(err);
	if (!ret)
		return invalid(err, "NULL output");
	r = db_query(db, sql, 0, NULL, &res, err);
	if (r < 0)
		return r;
	if ((r = db_get_int64(res, 0, 0, &q.out_queued, err)) < 0 ||
	    (r = db_get_int64(res, 0, 1, &q.out_sending, err)) < 0 ||
	    (r = db_get_int64(res, 0, 2, &q.out_unknown, err)) < 0 ||
	    (r = db_get_int64(res, 0, 3, &q.out_failed, err)) < 0 ||
	    (r = db_get_int64(res, 0, 4, &q.in_unhandled, err)) < 0 ||
	    (r = db_get_int64(res, 0, 5, &q.parts_waiting, err)) < 0 ||
	    (r = db_get_int64(res, 0, 6, &q.ussd_queued, err)) < 0) {
		PQclear(res);
		return r;
	}
	PQclear(res);
	*ret = q;
	return 0;
}
