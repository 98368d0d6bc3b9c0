/*
 * rules/geo.c: distances against known values, and the check-in verdict
 * for each situation of issue 8 (one table row each). The geography is
 * Jinan's Lixia district as a 5 km circle with LAC 0x2A1F, a neighbour
 * LAC 0x2A20 and a 500 m border tolerance; Qingdao, 300 km east, is
 * another territory with LAC 0x3000.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "rules/geo.h"

/* metres per degree of latitude on the mean sphere: pi/180 * R */
#define M_PER_DEG (GEO_EARTH_RADIUS_M * 3.14159265358979323846 / 180.0)

START_TEST(test_distance)
{
	/* a quarter meridian, one degree, London-Paris, a point to itself */
	ck_assert_double_eq_tol(geo_distance_m(0, 0, 90, 0),
			GEO_EARTH_RADIUS_M * 3.14159265358979323846 / 2, 0.01);
	ck_assert_double_eq_tol(
			geo_distance_m(36, 117, 37, 117), M_PER_DEG, 0.01);
	/* 343.5 km for 51.5074,-0.1278 -> 48.8566,2.3522 (R = 6371 km
	 * gives 343.56 km; our R is 8.8 m larger) */
	ck_assert_double_eq_tol(
			geo_distance_m(51.5074, -0.1278, 48.8566, 2.3522) /
					1000,
			343.56, 0.2);
	ck_assert_double_eq_tol(
			geo_distance_m(36.6, 117.1, 36.6, 117.1), 0, 1e-9);
	/* antipodes: half the circumference, no NaN */
	ck_assert_double_eq_tol(geo_distance_m(10, 20, -10, -160),
			GEO_EARTH_RADIUS_M * 3.14159265358979323846, 1);
	/* circle edge */
	ck_assert_double_eq_tol(geo_circle_distance_m(36.1, 117, 36, 117, 5000),
			0.1 * M_PER_DEG - 5000, 0.01);
	ck_assert_double_eq_tol(
			geo_circle_distance_m(36.01, 117, 36, 117, 5000), 0,
			1e-9);
}
END_TEST

#define C_LAT 36.67
#define C_LON 117.08
/* latitude of a point @m metres north of the Lixia centre */
#define NORTH(m) (C_LAT + (m) / M_PER_DEG)

static const int64_t lixia_lacs[] = {0x2A1F};
static const int64_t lixia_nb[] = {0x2A20};
static const int64_t qd_lacs[] = {0x3000};

static const struct geo_territory lixia = {
		1, true, C_LAT, C_LON, 5000, lixia_lacs, 1, lixia_nb, 1, 500};
static const struct geo_territory qingdao = {
		2, true, 36.0671, 120.3826, 20000, qd_lacs, 1, NULL, 0, 0};
/* a territory known only by its outlets */
static const struct geo_territory bare = {
		3, false, 0, 0, 0, NULL, 0, NULL, 0, 0};

enum { REP_LIXIA, REP_BARE };

static const struct {
	const char *name;
	int rep;
	struct geo_outlet outlet;
	struct geo_cell cell;
	enum geo_verdict verdict;
	enum geo_evidence evidence;
	enum geo_reason reason;
	double distance_m; /* -1 unknown; checked to 1 m */
} cases[] = {
		{"inside by outlet code", REP_LIXIA,
				{true, 1, true, NORTH(100), C_LON},
				{false, false, 0, 0, 0, 0}, GEO_IN_TERRITORY,
				GEO_EV_OUTLET_CODE_ONLY, GEO_R_OUTLET_IN, 0},
		{"inside by the cell's LAC", REP_LIXIA,
				{true, 1, true, NORTH(100), C_LON},
				{true, true, 0x2A1F, NORTH(300), C_LON, 500},
				GEO_IN_TERRITORY, GEO_EV_CELL, GEO_R_CELL_LAC,
				0},
		{"inside the circle, LAC not listed", REP_LIXIA,
				{true, 1, true, NORTH(100), C_LON},
				{true, true, 0x1111, NORTH(900), C_LON, 0},
				GEO_IN_TERRITORY, GEO_EV_CELL,
				GEO_R_CELL_CIRCLE, 0},
		{"outlet of another territory, no cell", REP_LIXIA,
				{true, 2, true, NORTH(15000), C_LON},
				{false, false, 0, 0, 0, 0}, GEO_OUTSIDE,
				GEO_EV_OUTLET_CODE_ONLY, GEO_R_OUTLET_OUT,
				10000},
		{"outlet of another territory, no position", REP_LIXIA,
				{true, 2, false, 0, 0},
				{false, false, 0, 0, 0, 0}, GEO_OUTSIDE,
				GEO_EV_OUTLET_CODE_ONLY, GEO_R_OUTLET_OUT, -1},
		{"cell outside with the distance", REP_LIXIA,
				{true, 1, true, NORTH(6500), C_LON},
				{true, true, 0x1111, NORTH(7000), C_LON, 0},
				GEO_OUTSIDE, GEO_EV_CELL, GEO_R_CELL_OUT, 2000},
		{"cell range counts (capped)", REP_LIXIA,
				{true, 1, true, NORTH(6500), C_LON},
				{true, true, 0x1111, NORTH(9000), C_LON, 900},
				GEO_OUTSIDE, GEO_EV_CELL, GEO_R_CELL_OUT, 3100},
		{"on the border within tolerance", REP_LIXIA,
				{true, 1, true, NORTH(4900), C_LON},
				{true, true, 0x1111, NORTH(5450), C_LON, 0},
				GEO_IN_TERRITORY, GEO_EV_CELL,
				GEO_R_CELL_BORDER, 0},
		{"just past the tolerance", REP_LIXIA,
				{true, 1, true, NORTH(4900), C_LON},
				{true, true, 0x1111, NORTH(5550), C_LON, 0},
				GEO_OUTSIDE, GEO_EV_CELL, GEO_R_CELL_OUT, 550},
		{"neighbouring LAC within tolerance", REP_LIXIA,
				{true, 1, true, NORTH(4900), C_LON},
				{true, true, 0x2A20, NORTH(5400), C_LON, 0},
				GEO_IN_TERRITORY, GEO_EV_CELL,
				GEO_R_CELL_NEIGHBOUR, 0},
		{"neighbouring LAC, cell not in the table", REP_LIXIA,
				{true, 1, true, NORTH(4900), C_LON},
				{true, false, 0x2A20, 0, 0, 0},
				GEO_IN_TERRITORY, GEO_EV_CELL,
				GEO_R_CELL_NEIGHBOUR, 0},
		{"neighbouring LAC too far", REP_LIXIA,
				{true, 1, true, NORTH(6500), C_LON},
				{true, true, 0x2A20, NORTH(7000), C_LON, 0},
				GEO_OUTSIDE, GEO_EV_CELL, GEO_R_CELL_OUT, 2000},
		{"own LAC, cell not in the table", REP_LIXIA,
				{true, 1, true, NORTH(100), C_LON},
				{true, false, 0x2A1F, 0, 0, 0},
				GEO_IN_TERRITORY, GEO_EV_CELL, GEO_R_CELL_LAC,
				0},
		{"unknown cell", REP_LIXIA, {true, 1, true, NORTH(100), C_LON},
				{true, false, 0x9999, 0, 0, 0},
				GEO_UNKNOWN_CELL, GEO_EV_OUTLET_CODE_ONLY,
				GEO_R_CELL_UNKNOWN, -1},
		{"unknown outlet", REP_LIXIA, {false, 0, false, 0, 0},
				{true, true, 0x2A1F, NORTH(100), C_LON, 0},
				GEO_UNKNOWN_OUTLET, GEO_EV_OUTLET_CODE_ONLY,
				GEO_R_OUTLET_UNKNOWN, -1},
		{"outlet inside, cell in Qingdao", REP_LIXIA,
				{true, 1, true, NORTH(100), C_LON},
				{true, true, 0x3000, 36.0671, 120.3826, 1000},
				GEO_OUTSIDE, GEO_EV_CELL,
				GEO_R_CELL_FAR_FROM_OUTLET, -2 /* ~300 km */},
		{"own LAC but far from the outlet", REP_LIXIA,
				{true, 1, true, NORTH(-4000), C_LON},
				{true, true, 0x2A1F, NORTH(4000), C_LON, 0},
				GEO_OUTSIDE, GEO_EV_CELL,
				GEO_R_CELL_FAR_FROM_OUTLET, 8000},
		{"bare territory, cell near the outlet", REP_BARE,
				{true, 3, true, 30.0, 114.0},
				{true, true, 0x1111, 30.001, 114.0, 0},
				GEO_IN_TERRITORY, GEO_EV_CELL, GEO_R_OUTLET_IN,
				0},
		{"bare territory, cell far from the outlet", REP_BARE,
				{true, 3, true, 30.0, 114.0},
				{true, true, 0x1111, 30.1, 114.0, 0},
				GEO_OUTSIDE, GEO_EV_CELL,
				GEO_R_CELL_FAR_FROM_OUTLET, 0.1 * M_PER_DEG},
};

START_TEST(test_verdict)
{
	struct geo_territory lixia_tree[2] = {lixia, qingdao};
	struct geo_input in = {cases[_i].outlet, cases[_i].cell, NULL, 0};
	struct geo_result r;

	if (cases[_i].rep == REP_LIXIA) {
		/* the rep covers Lixia only; Qingdao is listed elsewhere */
		in.territories = lixia_tree;
		in.n_territories = 1;
	} else {
		in.territories = &bare;
		in.n_territories = 1;
	}
	ck_assert_int_eq(geo_verdict(&in, NULL, &r), 0);
	ck_assert_msg(r.verdict == cases[_i].verdict, "%s: verdict %s",
			cases[_i].name, geo_verdict_name(r.verdict));
	ck_assert_msg(r.evidence == cases[_i].evidence, "%s: evidence %s",
			cases[_i].name, geo_evidence_name(r.evidence));
	ck_assert_msg(r.reason == cases[_i].reason, "%s: reason '%s'",
			cases[_i].name, geo_reason_name(r.reason));
	if (cases[_i].distance_m == -2)
		ck_assert_msg(r.distance_m > 250000 && r.distance_m < 350000,
				"%s: distance %lld", cases[_i].name,
				(long long) r.distance_m);
	else
		ck_assert_msg(llabs(r.distance_m -
					      llround(cases[_i].distance_m)) <=
						1,
				"%s: distance %lld, want %.0f", cases[_i].name,
				(long long) r.distance_m, cases[_i].distance_m);
	/* the resolved position: the cell's when known, else the outlet's */
	if (cases[_i].cell.given && cases[_i].cell.found &&
			r.verdict != GEO_UNKNOWN_CELL) {
		ck_assert(r.has_pos);
		ck_assert_double_eq(r.lat, cases[_i].cell.lat);
	} else if (cases[_i].outlet.found) {
		ck_assert(r.has_pos == cases[_i].outlet.has_pos);
	}
}
END_TEST

/* Cells as rv_parse_cell() gives them (rules/value.h) into lookup keys. */
static const struct {
	const char *typed;
	struct rv_cell cell;
	int home_mcc, home_mnc;
	int mcc, mnc;
	int64_t lac, cid;
} keys[] = {
		{"L460-00-2A1F-3C4D", {460, 0, false, 0x2A1F, 0x3C4D, false},
				460, 1, 460, 0, 10783, 15437},
		{"L460-00-10783-15437", {460, 0, false, 10783, 15437, false},
				460, 1, 460, 0, 0x2A1F, 0x3C4D},
		{"L460-011-1A2B-FFFFFFF",
				{460, 11, true, 0x1A2B, 0xFFFFFFF, false}, -1,
				-1, 460, 11, 6699, 268435455},
		{"2A1F-3C4D (home 460-00)", {0, 0, false, 0x2A1F, 0x3C4D, true},
				460, 0, 460, 0, 10783, 15437},
		{"2A1F-3C4D (no home network)",
				{0, 0, false, 0x2A1F, 0x3C4D, true}, -1, -1, -1,
				-1, 10783, 15437},
};

START_TEST(test_cell_key)
{
	int mcc, mnc;
	int64_t lac, cid;

	geo_cell_key(&keys[_i].cell, keys[_i].home_mcc, keys[_i].home_mnc, &mcc,
			&mnc, &lac, &cid);
	ck_assert_msg(mcc == keys[_i].mcc && mnc == keys[_i].mnc &&
					lac == keys[_i].lac &&
					cid == keys[_i].cid,
			"%s: %d-%d-%lld-%lld", keys[_i].typed, mcc, mnc,
			(long long) lac, (long long) cid);
}
END_TEST

/* The same cell typed in hex and in decimal gets the same verdict. */
START_TEST(test_hex_decimal_same_verdict)
{
	struct geo_input in = {{true, 1, true, NORTH(100), C_LON},
			{true, false, 0, 0, 0, 0}, &lixia, 1};
	struct geo_result a, b;
	int mcc, mnc;
	int64_t cid;

	geo_cell_key(&keys[0].cell, 460, 0, &mcc, &mnc, &in.cell.lac, &cid);
	ck_assert_int_eq(geo_verdict(&in, NULL, &a), 0);
	geo_cell_key(&keys[1].cell, 460, 0, &mcc, &mnc, &in.cell.lac, &cid);
	ck_assert_int_eq(geo_verdict(&in, NULL, &b), 0);
	ck_assert_int_eq(a.verdict, GEO_IN_TERRITORY);
	ck_assert_int_eq(a.reason, GEO_R_CELL_LAC);
	ck_assert_int_eq(b.verdict, a.verdict);
	ck_assert_int_eq(b.reason, a.reason);
}
END_TEST

START_TEST(test_names_and_params)
{
	struct geo_params p;
	enum geo_verdict v;
	struct geo_input in = {{true, 1, true, NORTH(100), C_LON},
			{true, true, 0x2A1F, NORTH(2600), C_LON, 0}, &lixia, 1};
	struct geo_result r;

	ck_assert_str_eq(geo_verdict_name(GEO_UNKNOWN_CELL), "unknown_cell");
	ck_assert_str_eq(geo_evidence_name(GEO_EV_OUTLET_CONFIRMED),
			"outlet_confirmed");
	ck_assert_str_eq(geo_verdict_name((enum geo_verdict) 99), "");
	ck_assert_int_eq(geo_verdict_parse("outside", &v), 0);
	ck_assert_int_eq(v, GEO_OUTSIDE);
	ck_assert_int_eq(geo_verdict_parse("inside", &v), -EINVAL);
	ck_assert_int_eq(geo_verdict(NULL, NULL, &r), -EINVAL);
	/* 2.5 km from the outlet: contradicts at 2000 m, not at 3000 m */
	geo_params_default(&p);
	ck_assert_int_eq(geo_verdict(&in, &p, &r), 0);
	ck_assert_int_eq(r.reason, GEO_R_CELL_FAR_FROM_OUTLET);
	p.contradict_m = 3000;
	ck_assert_int_eq(geo_verdict(&in, &p, &r), 0);
	ck_assert_int_eq(r.verdict, GEO_IN_TERRITORY);
	ck_assert_double_eq_tol(r.cell_outlet_m, 2500, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("geo");
	TCase *tc = tcase_create("geo");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_distance);
	tcase_add_loop_test(
			tc, test_verdict, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_loop_test(
			tc, test_cell_key, 0, sizeof(keys) / sizeof(keys[0]));
	tcase_add_test(tc, test_hex_decimal_same_verdict);
	tcase_add_test(tc, test_names_and_params);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
