/*
 * rules/geo.h - the check-in verdict: was the rep where they should be?
 * Pure: the caller (the gateway, from db/store_places.h) fills what the
 * database knows about the outlet, the cell and the rep's territories;
 * this decides.  No allocation: everything is borrowed for the call.
 *
 * A territory's area is (docs/PLACES.md):
 *   - its LAC list: a cell in one of those LACs is inside;
 *   - its circle (centre + radius), when it has one: a cell or outlet
 *     position within the circle is inside; the distance of a point
 *     outside is the great-circle distance to the circle's edge;
 *   - its neighbour LACs: a cell in one of those is inside when its
 *     position is within tolerance_m of the circle (or when neither the
 *     cell's position nor the circle is known), else outside;
 *   - a point outside the circle by at most tolerance_m is inside too
 *     ("on the border").
 * The rep's territory is the union of the territories they cover with all
 * their descendants (the database expands the tree).  A rep who covers
 * none is judged against the outlet's own territory.
 *
 * The verdict, in this order:
 *   1. the outlet code is unknown                      -> unknown_outlet
 *   2. a cell was given:
 *      a. not in the cell table and its LAC in no list -> unknown_cell
 *      b. its position is more than contradict_m (+ its range, capped)
 *         from the outlet's position                   -> outside
 *         (the cell is the stronger evidence: even when the outlet is in
 *         the territory)
 *      c. inside the territory (LAC, circle, border)   -> in_territory
 *      d. else                                         -> outside
 *      evidence: cell
 *   3. no cell: the outlet's territory is one of the rep's -> in_territory,
 *      else outside; evidence: outlet_code_only.
 * distance_m of "outside" is the distance from the evidence's position to
 * the nearest point of the territory (the nearest circle), or, when that
 * is 0 or unknown and the cell contradicts the outlet, from the cell to
 * the outlet; -1 when no position allows a distance.  Inside it is 0.
 */
#ifndef RULES_GEO_H
#define RULES_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/value.h"

/* Mean Earth radius (IUGG), metres. */
#define GEO_EARTH_RADIUS_M 6371008.8

/* Great-circle (haversine) distance in metres between two WGS84 points. */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* Distance from a point to a circle's edge: 0 inside, >0 outside. */
double geo_circle_distance_m(double lat, double lon, double c_lat, double c_lon,
		double radius_m);

struct geo_territory {
	int64_t id;
	bool has_circle;
	double lat, lon, radius_m;
	const int64_t *lacs;
	size_t n_lacs;
	const int64_t *neighbour_lacs;
	size_t n_neighbour_lacs;
	double tolerance_m;
};

struct geo_outlet {
	bool found;
	int64_t territory_id;
	bool has_pos;
	double lat, lon;
};

struct geo_cell {
	bool given;  /* the check-in named a cell */
	bool found;  /* it is in the cell table (then has a position) */
	int64_t lac; /* LAC or TAC as given */
	double lat, lon;
	double range_m; /* OpenCellID's estimate; 0 unknown */
};

struct geo_input {
	struct geo_outlet outlet;
	struct geo_cell cell;
	const struct geo_territory *territories; /* the rep's, expanded */
	size_t n_territories;
};

struct geo_params {
	double contradict_m; /* cell farther than this from the outlet */
	double range_cap_m;  /* at most this much of a cell's range counts */
};

/* contradict_m 2000, range_cap_m 3000. */
void geo_params_default(struct geo_params *p);

enum geo_verdict {
	GEO_IN_TERRITORY,
	GEO_OUTSIDE,
	GEO_UNKNOWN_OUTLET,
	GEO_UNKNOWN_CELL,
};

enum geo_evidence {
	GEO_EV_OUTLET_CODE_ONLY,
	GEO_EV_CELL,
	GEO_EV_OUTLET_CONFIRMED, /* set later, when the outlet confirms */
};

/* Why, for logs and `fieldgatectl where`. */
enum geo_reason {
	GEO_R_NONE,
	GEO_R_OUTLET_UNKNOWN,
	GEO_R_CELL_UNKNOWN,
	GEO_R_OUTLET_IN,      /* the outlet's territory is the rep's */
	GEO_R_OUTLET_OUT,     /* the outlet belongs elsewhere */
	GEO_R_CELL_LAC,	      /* the cell's LAC is a territory's */
	GEO_R_CELL_NEIGHBOUR, /* a neighbour LAC within tolerance */
	GEO_R_CELL_CIRCLE,    /* the cell is inside a circle */
	GEO_R_CELL_BORDER,    /* outside a circle by <= tolerance */
	GEO_R_CELL_FAR_FROM_OUTLET,
	GEO_R_CELL_OUT, /* the cell is in none of the rep's territories */
};

struct geo_result {
	enum geo_verdict verdict;
	enum geo_evidence evidence;
	enum geo_reason reason;
	int64_t distance_m;   /* see above; -1 unknown */
	int64_t territory_id; /* the territory matched or nearest; 0 */
	bool has_pos;	      /* the resolved position: cell, else outlet */
	double lat, lon;
	double cell_outlet_m; /* cell to outlet; -1 unknown */
};

/* Fills *ret.  -EINVAL for NULL arguments only. */
int geo_verdict(const struct geo_input *in, const struct geo_params *params,
		struct geo_result *ret);

/* "in_territory", "outside", "unknown_outlet", "unknown_cell". */
const char *geo_verdict_name(enum geo_verdict v);
/* "outlet_code_only", "cell", "outlet_confirmed". */
const char *geo_evidence_name(enum geo_evidence e);
/* A short English phrase ("cell far from the outlet"); "" for NONE. */
const char *geo_reason_name(enum geo_reason r);
/* Parses a name back; -EINVAL when unknown. */
int geo_verdict_parse(const char *s, enum geo_verdict *ret);

/*
 * The lookup key of a parsed cell (rules/value.h): (mcc, mnc, lac, cid).
 * A cell typed as LAC-CID alone (cell->home) takes @home_mcc/@home_mnc;
 * when those are < 0 too (no home network configured) *ret_mcc and
 * *ret_mnc are -1: look the cell up by (lac, cid) alone.
 */
void geo_cell_key(const struct rv_cell *cell, int home_mcc, int home_mnc,
		int *ret_mcc, int *ret_mnc, int64_t *ret_lac, int64_t *ret_cid);

#endif /* RULES_GEO_H */
