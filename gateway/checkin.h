/*
 * gateway/checkin.h - a check-in's verdict from the database's facts:
 * db_checkin_facts() (db/store_places.h) fetches, geo_verdict()
 * (rules/geo.h) decides, this copies one into the other and the result
 * into the row db_checkin_insert() stores. The daemon's check-in handler
 * calls gw_checkin_judge() then gw_checkin_fill() inside its transaction.
 */
#ifndef FIELDGATE_GATEWAY_CHECKIN_H
#define FIELDGATE_GATEWAY_CHECKIN_H

#include <stdint.h>

#include "db/store_places.h"
#include "rules/geo.h"
#include "rules/value.h"

struct gw_checkin_verdict {
	struct db_checkin_facts facts; /* owned */
	struct db_cell_key key;	       /* the cell looked up */
	struct geo_result result;
};

/*
 * Judges a check-in of @person_id at @outlet_code (as typed, upper case)
 * with an optional @cell as rv_parse_cell() read it (NULL: none); a
 * LAC-CID-alone cell takes @home_mcc/@home_mnc (-1: look it up by LAC
 * and CID only). @params NULL: geo_params_default(). One query. On
 * success free *ret with gw_checkin_verdict_free(); the errors are
 * db_checkin_facts()'s.
 */
int gw_checkin_judge(struct db *db, int64_t person_id, const char *outlet_code,
		const struct rv_cell *cell, int home_mcc, int home_mnc,
		const struct geo_params *params, struct gw_checkin_verdict *ret,
		struct db_error *err);
void gw_checkin_verdict_free(struct gw_checkin_verdict *v);

/*
 * The row to store: *out borrows strings from @v and @outlet_code.
 * confirm_by is received_at + @confirm_window_s when the outlet has a
 * registered phone and the window is > 0 (0 otherwise).
 */
void gw_checkin_fill(const struct gw_checkin_verdict *v, int64_t person_id,
		const char *outlet_code, int64_t message_id, const char *ref,
		int64_t scts, int64_t received_at, int confirm_window_s,
		struct db_checkin *out);

#endif
