/* A check-in's verdict: database facts into rules/geo.h (checkin.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/checkin.h"

int gw_checkin_judge(struct db *db, int64_t person_id, const char *outlet_code,
		const struct rv_cell *cell, int home_mcc, int home_mnc,
		const struct geo_params *params, struct gw_checkin_verdict *ret,
		struct db_error *err)
{
	struct gw_checkin_verdict v;
	struct geo_territory *t = NULL;
	struct geo_input in;
	const struct db_checkin_facts *f = &v.facts;
	size_t i;
	int r;

	if (!ret)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	if (cell)
		geo_cell_key(cell, home_mcc, home_mnc, &v.key.mcc, &v.key.mnc,
				&v.key.lac, &v.key.cid);
	r = db_checkin_facts(db, person_id, outlet_code, cell ? &v.key : NULL,
			&v.facts, err);
	if (r < 0)
		return r;
	if (f->n_territories) {
		t = calloc(f->n_territories, sizeof(*t));
		if (!t) {
			db_checkin_facts_free(&v.facts);
			return -ENOMEM;
		}
	}
	for (i = 0; i < f->n_territories; i++) {
		const struct db_place_territory *d = &f->territories[i];

		t[i].id = d->id;
		t[i].has_circle = d->has_circle;
		t[i].lat = d->lat;
		t[i].lon = d->lon;
		t[i].radius_m = d->radius_m;
		t[i].lacs = d->lacs;
		t[i].n_lacs = d->n_lacs;
		t[i].neighbour_lacs = d->neighbour_lacs;
		t[i].n_neighbour_lacs = d->n_neighbour_lacs;
		t[i].tolerance_m = d->tolerance_m;
	}
	memset(&in, 0, sizeof(in));
	in.outlet.found = f->outlet_found;
	in.outlet.territory_id = f->outlet_territory_id;
	in.outlet.has_pos = f->outlet_has_pos;
	in.outlet.lat = f->outlet_lat;
	in.outlet.lon = f->outlet_lon;
	in.cell.given = f->cell_given;
	in.cell.found = f->cell_found;
	in.cell.lac = f->cell_lac;
	in.cell.lat = f->cell_lat;
	in.cell.lon = f->cell_lon;
	in.cell.range_m = f->cell_range_m;
	in.territories = t;
	in.n_territories = f->n_territories;
	r = geo_verdict(&in, params, &v.result);
	free(t);
	if (r < 0) {
		db_checkin_facts_free(&v.facts);
		return r;
	}
	*ret = v;
	return 0;
}

void gw_checkin_verdict_free(struct gw_checkin_verdict *v)
{
	if (v)
		db_checkin_facts_free(&v->facts);
}

void gw_checkin_fill(const struct gw_checkin_verdict *v, int64_t person_id,
		const char *outlet_code, int64_t message_id, const char *ref,
		int64_t scts, int64_t received_at, int confirm_window_s,
		struct db_checkin *out)
{
	const struct db_checkin_facts *f = &v->facts;

	memset(out, 0, sizeof(*out));
	out->person_id = person_id;
	out->message_id = message_id;
	out->ref = ref;
	out->scts = scts;
	out->received_at = received_at;
	out->outlet_code = outlet_code;
	out->outlet_id = f->outlet_found ? f->outlet_id : 0;
	out->has_cell = f->cell_given;
	out->cell.mcc = f->cell_found ? f->cell_mcc : v->key.mcc;
	out->cell.mnc = f->cell_found ? f->cell_mnc : v->key.mnc;
	out->cell.lac = f->cell_lac;
	out->cell.cid = f->cell_cid;
	out->cell_known = f->cell_found;
	out->has_pos = v->result.has_pos;
	out->lat = v->result.lat;
	out->lon = v->result.lon;
	out->territory_id = v->result.territory_id;
	out->verdict = geo_verdict_name(v->result.verdict);
	out->distance_m = v->result.distance_m;
	out->evidence = geo_evidence_name(v->result.evidence);
	if (f->outlet_found && f->outlet_phone[0] && confirm_window_s > 0)
		out->confirm_by = (received_at ? received_at : scts) +
				  confirm_window_s;
}
