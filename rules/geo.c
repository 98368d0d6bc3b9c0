/* The check-in verdict (rules/geo.h). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "rules/geo.h"

#define DEG (3.14159265358979323846 / 180.0)

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
	double a = sin(dlat / 2) * sin(dlat / 2) +
		   cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) *
				   sin(dlon / 2);

	if (a > 1)
		a = 1;
	return 2 * GEO_EARTH_RADIUS_M * atan2(sqrt(a), sqrt(1 - a));
}

double geo_circle_distance_m(double lat, double lon, double c_lat, double c_lon,
		double radius_m)
{
	double d = geo_distance_m(lat, lon, c_lat, c_lon) - radius_m;

	return d > 0 ? d : 0;
}

void geo_params_default(struct geo_params *p)
{
	p->contradict_m = 2000;
	p->range_cap_m = 3000;
}

static bool has_lac(const int64_t *v, size_t n, int64_t lac)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == lac)
			return true;
	return false;
}

static const struct geo_territory *find_territory(
		const struct geo_input *in, int64_t id)
{
	size_t i;

	for (i = 0; i < in->n_territories; i++)
		if (in->territories[i].id == id)
			return &in->territories[i];
	return NULL;
}

/*
 * The nearest circle to (lat, lon): its distance, or -1 when no territory
 * has a circle; *ret_t the territory.
 */
static double nearest_circle(const struct geo_input *in, double lat, double lon,
		double slack, const struct geo_territory **ret_t)
{
	double best = -1;
	size_t i;

	*ret_t = NULL;
	for (i = 0; i < in->n_territories; i++) {
		const struct geo_territory *t = &in->territories[i];
		double d;

		if (!t->has_circle)
			continue;
		d = geo_circle_distance_m(
				lat, lon, t->lat, t->lon, t->radius_m + slack);
		if (best < 0 || d < best) {
			best = d;
			*ret_t = t;
		}
	}
	return best;
}

static int64_t metres(double d)
{
	return d < 0 ? -1 : (int64_t) llround(d);
}

/* Is the cell inside the rep's territory?  Sets reason/territory. */
static bool cell_inside(const struct geo_input *in, double slack,
		struct geo_result *ret, double *ret_distance)
{
	const struct geo_cell *c = &in->cell;
	const struct geo_territory *t = NULL;
	size_t i;
	double d = -1;

	*ret_distance = -1;
	for (i = 0; i < in->n_territories; i++) {
		t = &in->territories[i];
		if (has_lac(t->lacs, t->n_lacs, c->lac)) {
			ret->reason = GEO_R_CELL_LAC;
			ret->territory_id = t->id;
			*ret_distance = 0;
			return true;
		}
	}
	if (c->found) {
		d = nearest_circle(in, c->lat, c->lon, slack, &t);
		*ret_distance = d;
		if (t)
			ret->territory_id = t->id;
		if (d == 0) {
			ret->reason = GEO_R_CELL_CIRCLE;
			return true;
		}
	}
	for (i = 0; i < in->n_territories; i++) {
		t = &in->territories[i];
		if (!has_lac(t->neighbour_lacs, t->n_neighbour_lacs, c->lac))
			continue;
		if (!c->found || !t->has_circle ||
				geo_circle_distance_m(c->lat, c->lon, t->lat,
						t->lon, t->radius_m + slack) <=
						t->tolerance_m) {
			ret->reason = GEO_R_CELL_NEIGHBOUR;
			ret->territory_id = t->id;
			*ret_distance = 0;
			return true;
		}
	}
	if (c->found && t && d >= 0) {
		/* on the border: the nearest circle's own tolerance */
		for (i = 0; i < in->n_territories; i++) {
			t = &in->territories[i];
			if (!t->has_circle)
				continue;
			if (geo_circle_distance_m(c->lat, c->lon, t->lat,
					    t->lon, t->radius_m + slack) <=
					t->tolerance_m) {
				ret->reason = GEO_R_CELL_BORDER;
				ret->territory_id = t->id;
				*ret_distance = 0;
				return true;
			}
		}
	}
	return false;
}

/* The verdict "in territory" by the outlet's own territory. */
static int outlet_inside(struct geo_result *ret, const struct geo_territory *ot)
{
	ret->verdict = GEO_IN_TERRITORY;
	ret->reason = GEO_R_OUTLET_IN;
	ret->territory_id = ot->id;
	ret->distance_m = 0;
	return 0;
}

int geo_verdict(const struct geo_input *in, const struct geo_params *params,
		struct geo_result *ret)
{
	struct geo_params dflt;
	const struct geo_outlet *o;
	const struct geo_cell *c;
	const struct geo_territory *ot, *t;
	double slack, dist;
	bool outlet_in;

	if (!in || !ret || (in->n_territories && !in->territories))
		return -EINVAL;
	if (!params) {
		geo_params_default(&dflt);
		params = &dflt;
	}
	o = &in->outlet;
	c = &in->cell;
	memset(ret, 0, sizeof(*ret));
	ret->distance_m = -1;
	ret->cell_outlet_m = -1;
	if (!o->found) {
		ret->verdict = GEO_UNKNOWN_OUTLET;
		ret->reason = GEO_R_OUTLET_UNKNOWN;
		if (c->given && c->found) {
			ret->has_pos = true;
			ret->lat = c->lat;
			ret->lon = c->lon;
		}
		return 0;
	}
	ot = find_territory(in, o->territory_id);
	outlet_in = ot != NULL;
	if (o->has_pos) {
		ret->has_pos = true;
		ret->lat = o->lat;
		ret->lon = o->lon;
	}
	if (!c->given) {
		ret->evidence = GEO_EV_OUTLET_CODE_ONLY;
		if (outlet_in)
			return outlet_inside(ret, ot);
		ret->verdict = GEO_OUTSIDE;
		ret->reason = GEO_R_OUTLET_OUT;
		if (o->has_pos) {
			dist = nearest_circle(in, o->lat, o->lon, 0, &t);
			ret->distance_m = metres(dist);
			if (t)
				ret->territory_id = t->id;
		}
		return 0;
	}

	ret->evidence = GEO_EV_CELL;
	slack = c->range_m > 0 ? fmin(c->range_m, params->range_cap_m) : 0;
	if (c->found) {
		ret->has_pos = true;
		ret->lat = c->lat;
		ret->lon = c->lon;
		if (o->has_pos) {
			ret->cell_outlet_m = geo_distance_m(
					c->lat, c->lon, o->lat, o->lon);
			if (ret->cell_outlet_m - slack > params->contradict_m) {
				ret->verdict = GEO_OUTSIDE;
				ret->reason = GEO_R_CELL_FAR_FROM_OUTLET;
				dist = nearest_circle(
						in, c->lat, c->lon, slack, &t);
				if (t)
					ret->territory_id = t->id;
				if (dist <= 0)
					dist = ret->cell_outlet_m - slack;
				ret->distance_m = metres(dist);
				return 0;
			}
		}
	}
	if (cell_inside(in, slack, ret, &dist)) {
		ret->verdict = GEO_IN_TERRITORY;
		ret->distance_m = 0;
		return 0;
	}
	if (!c->found) {
		/* no position and a LAC none of the lists names */
		ret->verdict = GEO_UNKNOWN_CELL;
		ret->reason = GEO_R_CELL_UNKNOWN;
		ret->evidence = GEO_EV_OUTLET_CODE_ONLY;
		ret->territory_id = 0;
		if (o->has_pos) {
			ret->has_pos = true;
			ret->lat = o->lat;
			ret->lon = o->lon;
		}
		return 0;
	}
	/*
	 * A territory without geography (no LAC, no circle) is known only
	 * by its outlets: a cell near an outlet of it is inside.
	 */
	if (outlet_in && !ot->has_circle && !ot->n_lacs &&
			ret->cell_outlet_m >= 0)
		return outlet_inside(ret, ot);
	ret->verdict = GEO_OUTSIDE;
	ret->reason = GEO_R_CELL_OUT;
	ret->distance_m = metres(dist);
	return 0;
}

static const char *const verdict_names[] = {
		[GEO_IN_TERRITORY] = "in_territory",
		[GEO_OUTSIDE] = "outside",
		[GEO_UNKNOWN_OUTLET] = "unknown_outlet",
		[GEO_UNKNOWN_CELL] = "unknown_cell",
};

static const char *const evidence_names[] = {
		[GEO_EV_OUTLET_CODE_ONLY] = "outlet_code_only",
		[GEO_EV_CELL] = "cell",
		[GEO_EV_OUTLET_CONFIRMED] = "outlet_confirmed",
};

static const char *const reason_names[] = {
		[GEO_R_NONE] = "",
		[GEO_R_OUTLET_UNKNOWN] = "unknown outlet code",
		[GEO_R_CELL_UNKNOWN] = "cell not in the cell table",
		[GEO_R_OUTLET_IN] = "outlet in the rep's territory",
		[GEO_R_OUTLET_OUT] = "outlet in another territory",
		[GEO_R_CELL_LAC] = "cell's LAC is the territory's",
		[GEO_R_CELL_NEIGHBOUR] = "cell in a neighbouring LAC",
		[GEO_R_CELL_CIRCLE] = "cell inside the territory",
		[GEO_R_CELL_BORDER] = "cell on the border, within tolerance",
		[GEO_R_CELL_FAR_FROM_OUTLET] = "cell far from the outlet",
		[GEO_R_CELL_OUT] = "cell outside the territory",
};

#define NAME(tab, i)                                                           \
	((unsigned) (i) < sizeof(tab) / sizeof(tab[0]) ? tab[i] : "")

const char *geo_verdict_name(enum geo_verdict v)
{
	return NAME(verdict_names, v);
}

const char *geo_evidence_name(enum geo_evidence e)
{
	return NAME(evidence_names, e);
}

const char *geo_reason_name(enum geo_reason r)
{
	return NAME(reason_names, r);
}

int geo_verdict_parse(const char *s, enum geo_verdict *ret)
{
	size_t i;

	for (i = 0; s && i < sizeof(verdict_names) / sizeof(verdict_names[0]);
			i++) {
		if (!strcmp(s, verdict_names[i])) {
			*ret = (enum geo_verdict) i;
			return 0;
		}
	}
	return -EINVAL;
}

void geo_cell_key(const struct rv_cell *cell, int home_mcc, int home_mnc,
		int *ret_mcc, int *ret_mnc, int64_t *ret_lac, int64_t *ret_cid)
{
	int mcc = cell->mcc, mnc = cell->mnc;

	if (cell->home || mcc <= 0) {
		mcc = home_mcc;
		mnc = home_mnc;
	}
	if (mcc < 0 || mnc < 0)
		mcc = mnc = -1;
	*ret_mcc = mcc;
	*ret_mnc = mnc;
	*ret_lac = cell->lac;
	*ret_cid = cell->cid;
}
