/* People: reps, supervisors and admins, looked up by phone number. */
#include <errno.h>
#include <string.h>

#include "db/db_internal.h"
#include "db/store.h"

static const char *const role_names[] = {
		[DB_ROLE_REP] = "rep",
		[DB_ROLE_SUPERVISOR] = "supervisor",
		[DB_ROLE_ADMIN] = "admin",
};

const char *db_role_name(enum db_role role)
{
	if ((unsigned) role >= sizeof(role_names) / sizeof(role_names[0]))
		return NULL;
	return role_names[role];
}

int db_role_parse(const char *name, enum db_role *ret_role)
{
	size_t i;

	for (i = 0; name && i < sizeof(role_names) / sizeof(role_names[0]);
			i++) {
		if (!strcmp(name, role_names[i])) {
			*ret_role = (enum db_role) i;
			return 0;
		}
	}
	return -EINVAL;
}

int db_people_add(struct db *db, const char *phone, const char *name,
		enum db_role role, const char *supervisor_phone,
		const char *territory, int64_t *ret_id, struct db_error *err)
{
	/* no row when $4 names nobody: the supervisor is unknown */
	static const char sql[] =
			"WITH s AS (SELECT id FROM people WHERE phone = $4) "
			"INSERT INTO people (phone, name, role, supervisor_id, "
			"territory) SELECT $1, $2, $3, (SELECT id FROM s), $5 "
			"WHERE $4::text IS NULL OR EXISTS (SELECT 1 FROM s) "
			"RETURNING id";
	char p_phone[DB_PHONE_MAX], s_phone[DB_PHONE_MAX];
	const char *p[5];
	int r;

	db_error_clear(err);
	if (db_phone_normalize(phone, p_phone) < 0)
		return db_invalid(err, "phone number");
	if (!name || !*name)
		return db_invalid(err, "empty name");
	if (!db_role_name(role))
		return db_invalid(err, "role");
	if (supervisor_phone &&
			db_phone_normalize(supervisor_phone, s_phone) < 0)
		return db_invalid(err, "supervisor phone number");
	p[0] = p_phone;
	p[1] = name;
	p[2] = db_role_name(role);
	p[3] = supervisor_phone ? s_phone : NULL;
	p[4] = db_param_str_opt(territory);
	r = db_query_id(db, sql, 5, p, ret_id, err);
	if (r == -ENOENT)
		db_set_error(err, NULL, "supervisor %s is not registered",
				s_phone);
	else if (r < 0 && db_has_sqlstate(err, "23505"))
		return -EEXIST;
	return r;
}

#define PERSON_SELECT                                                          \
	"SELECT p.id, p.phone, p.name, p.role, p.supervisor_id, "              \
	"coalesce(s.phone, ''), coalesce(p.territory, ''), p.active "          \
	"FROM people p LEFT JOIN people s ON s.id = p.supervisor_id "

static int person_row(
		const PGresult *res, int i, void *elem, struct db_error *err)
{
	struct db_person *out = elem;
	char role[16];
	int r;

	if ((r = db_get_int64(res, i, 0, &out->id, err)) < 0 ||
			(r = db_get_text(res, i, 1, out->phone,
					 sizeof(out->phone), err)) < 0 ||
			(r = db_get_text(res, i, 2, out->name,
					 sizeof(out->name), err)) < 0 ||
			(r = db_get_text(res, i, 3, role, sizeof(role), err)) <
					0 ||
			(r = db_get_int64_opt(res, i, 4, 0, &out->supervisor_id,
					 err)) < 0 ||
			(r = db_get_text(res, i, 5, out->supervisor_phone,
					 sizeof(out->supervisor_phone), err)) <
					0 ||
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

static const struct db_row_type person_type = {
		sizeof(struct db_person), person_row, NULL, 0};

int db_people_lookup(struct db *db, const char *phone,
		struct db_person *ret_person, struct db_error *err)
{
	static const char sql[] =
			PERSON_SELECT "WHERE p.phone = $1 AND p.active";
	char norm[DB_PHONE_MAX];
	const char *p[1];
	struct db_person person;
	int r;

	db_error_clear(err);
	if (!ret_person || db_phone_normalize(phone, norm) < 0)
		return db_invalid(err, "phone number");
	p[0] = norm;
	r = db_query_one(db, sql, 1, p, person_row, &person, err);
	if (r == -ENOENT)
		db_set_error(err, NULL, "no active person with number %s",
				norm);
	if (r == 0)
		*ret_person = person;
	return r;
}

int db_people_list(struct db *db, struct db_person **ret_people,
		size_t *ret_count, struct db_error *err)
{
	static const char sql[] = PERSON_SELECT "ORDER BY p.role, p.name, p.id";
	void *v;
	int r;

	r = db_list_rows(db, sql, 0, NULL, &person_type, ret_people ? &v : NULL,
			ret_count, err);
	if (r >= 0)
		*ret_people = v;
	return r;
}
