/*
 * db/store_checkin.h: what the daemon's check-in handler asks of the
 * database beyond db/store_places.h (issue 8): who an outlet's phone is. The conventions of db/store.h
 * apply (errors, borrowed arguments, ret_ written on success only).
 */
#ifndef DB_STORE_CHECKIN_H
#define DB_STORE_CHECKIN_H

#include "db/db.h"
#include "db/store.h"
#include "db/store_places.h"

/*
 * The outlet whose registered phone is @phone (normalized here): its
 * code and name into @code / @name. -ENOENT when no outlet has it (the
 * lowest code wins when several share one phone).
 */
int db_outlet_by_phone(struct db *db, const char *phone,
		char code[DB_OUTLET_MAX], char name[DB_NAME_MAX],
		struct db_error *err) DB_MUSTCHECK;

#endif /* DB_STORE_CHECKIN_H */
