/* Outlets' phones (db/store_checkin.h). */
#include <config.h>

#include <errno.h>

#include "db/db_internal.h"
#include "db/store_checkin.h"

/* Two text columns of the only row of @sql($1) into @a / @b. */
static int two_texts(struct db *db, const char *sql, const char *param, char *a,
		size_t a_size, char *b, size_t b_size, struct db_error *err)
{
	const char *p[1] = {param};
	PGresult *res;
	int r;

	r = db_query(db, sql, 1, p, &res, err);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return -ENOENT;
	}
	r = db_get_text(res, 0, 0, a, a_size, err);
	if (r >= 0)
		r = db_get_text(res, 0, 1, b, b_size, err);
	PQclear(res);
	return r < 0 ? r : 0;
}

int db_outlet_by_phone(struct db *db, const char *phone,
		char code[DB_OUTLET_MAX], char name[DB_NAME_MAX],
		struct db_error *err)
{
	static const char sql[] = "SELECT code, name FROM outlets WHERE phone "
				  "= $1 ORDER BY code LIMIT 1";
	char norm[DB_PHONE_MAX];

	db_error_clear(err);
	if (!phone || db_phone_normalize(phone, norm) < 0)
		return db_invalid(err, "phone");
	return two_texts(db, sql, norm, code, DB_OUTLET_MAX, name, DB_NAME_MAX,
			err);
}
