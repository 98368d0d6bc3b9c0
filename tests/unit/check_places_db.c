/*
 * db/store_places.c + gateway/checkin.c against a real PostgreSQL (run by
 * tests/pg/run-check-places-db.sh): the import API, the facts a verdict
 * needs, the verdict end to end, storing a check-in, the outlet's
 * confirmation and the listing.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/migrate.h"
#include "db/store.h"
#include "db/store_places.h"
#include "gateway/checkin.h"
#include "tests/unit/testutil.h"

static char conninfo[512];
static char schema[32]; /* set in main(), before the tests fork */

static struct db *conn(void)
{
	struct db_error err;
	struct db *db;
	int r = db_connect(conninfo, "check_places_db", 5, 30000, &db, &err);

	ck_assert_msg(r == 0, "connect: %s", err.message);
	return db;
}

struct problems {
	int n;
	char first[256];
	int64_t first_line;
};

static void on_problem(void *user, int64_t line, const char *reason)
{
	struct problems *p = user;

	if (!p->n++) {
		p->first_line = line;
		snprintf(p->first, sizeof(p->first), "%s", reason);
	}
}

/* Imports rows of one kind; returns the problem count. */
static int load(struct db *db, enum db_import_kind kind,
		const char *const (*rows)[14], size_t n, bool commit,
		struct problems *pr)
{
	struct db_import *im;
	struct db_import_counts c;
	struct db_error err;
	size_t i;
	int r;

	ck_assert_int_eq(db_import_begin(db, kind, &im, &err), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(db_import_row(im, (int64_t) i + 1, rows[i],
						 &err),
				0);
	r = db_import_check(im, 10, on_problem, pr, &err);
	ck_assert_msg(r >= 0, "check: %s", err.message);
	if (r == 0) {
		ck_assert_int_eq(db_import_apply(im, &c, &err), 0);
		ck_assert_int_eq(c.rows, (int64_t) n);
	}
	ck_assert_int_eq(db_import_end(im, commit && r == 0, &err), 0);
	return r;
}

static const char *const territories[][14] = {
		{"SD", "山东", NULL, "Asia/Shanghai", NULL, NULL, NULL, NULL,
				NULL, NULL},
		{"JN", "济南", "SD", NULL, "36.6512", "117.1201", "30000",
				"10783;10784", NULL, "500"},
		{"JN-LX", "历下区", "JN", NULL, "36.67", "117.08", "5000",
				"10783", "10784", "300"},
		{"QD", "青岛", "SD", NULL, "36.0671", "120.3826", "20000",
				"12288", NULL, NULL},
};
static const char *const people[][14] = {
		{"+8613800000001", "李主管", "supervisor", NULL, "JN"},
		{"+8613800000002", "王销售", "rep", "+8613800000001", "JN-LX"},
		{"+8613800000004", "新人", "rep", "+8613800000001", NULL},
};
static const char *const outlets[][14] = {
		{"JN0231", "华联超市", "泉城路 1号", "JN-LX", "36.671",
				"117.081", "+8653100000001"},
		{"QD0001", "利群商厦", NULL, "QD", "36.07", "120.38", NULL},
};
static const char *const cells[][14] = {
		/* at the outlet, in JN-LX's LAC */
		{"LTE", "460", "0", "10783", "15437", NULL, "117.082", "36.672",
				"1000", "12", "1", "1500000000", "1600000000",
				"0"},
		/* the same LAC-CID on another network, fewer samples */
		{"LTE", "460", "11", "10783", "15437", NULL, "100", "30",
				"1000", "1", "1", NULL, NULL, NULL},
		/* Qingdao */
		{"GSM", "460", "0", "12288", "100", NULL, "120.38", "36.07",
				"2000", "3", "1", NULL, NULL, "-80"},
};

static int64_t person_id(struct db *db, const char *phone)
{
	struct db_person p;
	struct db_error err;

	ck_assert_int_eq(db_people_lookup(db, phone, &p, &err), 0);
	return p.id;
}

START_TEST(test_import_problems)
{
	static const char *const cyc[][14] = {
			{"A1", "a", "A2"},
			{"A2", "b", "A1"},
	};
	static const char *const dup[][14] = {
			{"JN0231", "x", NULL, "JN"},
			{"JN0231", "y", NULL, "JN"},
	};
	struct db *db = conn();
	struct problems pr = {0};

	ck_assert_int_eq(load(db, DB_IMPORT_TERRITORIES, cyc, 2, true, &pr), 2);
	ck_assert_int_eq(pr.first_line, 1);
	ck_assert_str_eq(pr.first,
			"cycle in the territory tree: A1 -> A2 -> A1");
	memset(&pr, 0, sizeof(pr));
	ck_assert_int_eq(load(db, DB_IMPORT_OUTLETS, dup, 2, true, &pr), 1);
	ck_assert_int_eq(pr.first_line, 2);
	ck_assert_str_eq(pr.first, "duplicate code JN0231 (first on line 1)");
	db_free(db);
}
END_TEST

START_TEST(test_facts)
{
	struct db *db = conn();
	struct db_checkin_facts f;
	struct db_cell_key full = {460, 0, 10783, 15437},
			   alone = {-1, -1, 10783, 15437},
			   none = {460, 0, 1, 2};
	struct db_error err;
	int64_t rep = person_id(db, "+8613800000002");
	int64_t boss = person_id(db, "+8613800000001");
	int64_t novice = person_id(db, "+8613800000004");
	size_t i;
	bool saw_lx = false;

	/* outlet and its territory, the rep's one territory */
	ck_assert_int_eq(
			db_checkin_facts(db, rep, "JN0231", NULL, &f, &err), 0);
	ck_assert(f.outlet_found);
	ck_assert_str_eq(f.outlet_name, "华联超市");
	ck_assert_str_eq(f.outlet_territory, "JN-LX");
	ck_assert_str_eq(f.outlet_phone, "+8653100000001");
	ck_assert(f.outlet_has_pos);
	ck_assert_double_eq_tol(f.outlet_lat, 36.671, 1e-9);
	ck_assert(!f.cell_given && !f.cell_found);
	ck_assert_uint_eq(f.n_territories, 1);
	ck_assert_str_eq(f.territories[0].code, "JN-LX");
	ck_assert(f.territories[0].has_circle);
	ck_assert_uint_eq(f.territories[0].n_lacs, 1);
	ck_assert_int_eq(f.territories[0].lacs[0], 10783);
	ck_assert_uint_eq(f.territories[0].n_neighbour_lacs, 1);
	ck_assert_int_eq(f.territories[0].neighbour_lacs[0], 10784);
	ck_assert_double_eq(f.territories[0].tolerance_m, 300);
	ck_assert(f.person_has_territories);
	db_checkin_facts_free(&f);

	/* the cell by its full key, then by LAC-CID alone (most samples) */
	ck_assert_int_eq(db_checkin_facts(db, rep, "JN0231", &full, &f, &err),
			0);
	ck_assert(f.cell_given && f.cell_found);
	ck_assert_double_eq_tol(f.cell_lat, 36.672, 1e-9);
	ck_assert_double_eq(f.cell_range_m, 1000);
	db_checkin_facts_free(&f);
	ck_assert_int_eq(db_checkin_facts(db, rep, "JN0231", &alone, &f, &err),
			0);
	ck_assert(f.cell_found);
	ck_assert_int_eq(f.cell_mnc, 0);
	db_checkin_facts_free(&f);
	ck_assert_int_eq(db_checkin_facts(db, rep, "JN0231", &none, &f, &err),
			0);
	ck_assert(f.cell_given && !f.cell_found);
	ck_assert_int_eq(f.cell_lac, 1);
	db_checkin_facts_free(&f);

	/* unknown outlet: not an error; the rep's territories still there */
	ck_assert_int_eq(
			db_checkin_facts(db, rep, "XX9999", NULL, &f, &err), 0);
	ck_assert(!f.outlet_found);
	ck_assert_uint_eq(f.n_territories, 1);
	db_checkin_facts_free(&f);

	/* a supervisor of JN covers its district too */
	ck_assert_int_eq(db_checkin_facts(db, boss, "JN0231", NULL, &f, &err),
			0);
	ck_assert_uint_eq(f.n_territories, 2);
	for (i = 0; i < f.n_territories; i++)
		if (!strcmp(f.territories[i].code, "JN-LX"))
			saw_lx = true;
	ck_assert(saw_lx);
	db_checkin_facts_free(&f);

	/* someone who covers none is judged against the outlet's territory */
	ck_assert_int_eq(db_checkin_facts(db, novice, "QD0001", NULL, &f, &err),
			0);
	ck_assert(!f.person_has_territories);
	ck_assert_uint_eq(f.n_territories, 1);
	ck_assert_str_eq(f.territories[0].code, "QD");
	db_checkin_facts_free(&f);
	db_free(db);
}
END_TEST

/* rv_parse_cell() results: "L460-00-2A1F-3C4D", "2A1F-3C4D", far away */
static const struct {
	const char *name;
	const char *outlet;
	bool has_cell;
	struct rv_cell cell;
	int home_mcc;
	const char *verdict, *evidence;
	const char *territory;
} judged[] = {
		{"inside, code only", "JN0231", false,
				{0, 0, false, 0, 0, false}, 460, "in_territory",
				"outlet_code_only", "JN-LX"},
		{"inside, cell", "JN0231", true,
				{460, 0, false, 0x2A1F, 0x3C4D, false}, 460,
				"in_territory", "cell", "JN-LX"},
		{"LAC-CID alone, home network", "JN0231", true,
				{0, 0, false, 0x2A1F, 0x3C4D, true}, 460,
				"in_territory", "cell", "JN-LX"},
		{"LAC-CID alone, no home network", "JN0231", true,
				{0, 0, false, 10783, 15437, true}, -1,
				"in_territory", "cell", "JN-LX"},
		{"outlet elsewhere", "QD0001", false,
				{0, 0, false, 0, 0, false}, 460, "outside",
				"outlet_code_only", "JN-LX"},
		{"outlet inside, cell in Qingdao", "JN0231", true,
				{460, 0, false, 12288, 100, false}, 460,
				"outside", "cell", "JN-LX"},
		{"unknown cell", "JN0231", true,
				{460, 0, false, 0x9999, 1, false}, 460,
				"unknown_cell", "outlet_code_only", ""},
		{"unknown outlet", "ZZ0000", false, {0, 0, false, 0, 0, false},
				460, "unknown_outlet", "outlet_code_only", ""},
};

START_TEST(test_judge_and_store)
{
	struct db *db = conn();
	struct gw_checkin_verdict v;
	struct db_checkin c;
	struct db_checkin_row *rows;
	struct db_checkin_filter flt = {0};
	struct db_error err;
	char ref[16];
	int64_t rep = person_id(db, "+8613800000002"), id, id2;
	size_t n;
	bool fresh;

	ck_assert_int_eq(
			gw_checkin_judge(db, rep, judged[_i].outlet,
					judged[_i].has_cell ? &judged[_i].cell
							    : NULL,
					judged[_i].home_mcc, 0, NULL, &v, &err),
			0);
	ck_assert_msg(!strcmp(geo_verdict_name(v.result.verdict),
				      judged[_i].verdict),
			"%s: %s (%s)", judged[_i].name,
			geo_verdict_name(v.result.verdict),
			geo_reason_name(v.result.reason));
	ck_assert_str_eq(geo_evidence_name(v.result.evidence),
			judged[_i].evidence);
	snprintf(ref, sizeof(ref), "T%d", _i);
	gw_checkin_fill(&v, rep, judged[_i].outlet, 0, ref, 1790000000,
			1790000005, 600, &c);
	ck_assert_int_eq(db_checkin_insert(db, &c, &id, &fresh, &err), 0);
	ck_assert(fresh);
	gw_checkin_verdict_free(&v);
	flt.phone = "+8613800000002";
	flt.limit = 100;
	ck_assert_int_ge(db_checkins_list(db, &flt, &rows, &n, &err), 0);
	ck_assert_uint_ge(n, 1);
	for (id2 = 0; id2 < (int64_t) n && rows[id2].id != id; id2++)
		;
	ck_assert_int_lt(id2, (int64_t) n);
	ck_assert_str_eq(rows[id2].verdict, judged[_i].verdict);
	ck_assert_str_eq(rows[id2].evidence, judged[_i].evidence);
	ck_assert_str_eq(rows[id2].ref, ref);
	ck_assert_str_eq(rows[id2].territory, judged[_i].territory);
	ck_assert_int_eq(rows[id2].received_at, 1790000005);
	if (!strcmp(judged[_i].verdict, "outside"))
		ck_assert_int_gt(rows[id2].distance_m, 1000);
	if (!strcmp(judged[_i].verdict, "in_territory"))
		ck_assert_int_eq(rows[id2].distance_m, 0);
	free(rows);
	db_free(db);
}
END_TEST

static int64_t insert_message(struct db *db, const char *sender, int k)
{
	struct db_inbound m = {0};
	struct db_error err;
	char pdu[16];
	int64_t id;
	bool fresh;

	snprintf(pdu, sizeof(pdu), "00%04X", k);
	m.modem = "m1";
	m.sender = sender;
	m.sender_ton = -1;
	m.scts = 1790000000 + k;
	m.pdu_hex = pdu;
	m.text = "QD JN0231";
	m.dcs = -1;
	ck_assert_int_eq(db_inbound_store(db, &m, &id, &fresh, &err), 0);
	return id;
}

START_TEST(test_confirm)
{
	struct db *db = conn();
	struct gw_checkin_verdict v;
	struct db_checkin c;
	struct db_checkin_row *rows;
	struct db_checkin_filter flt = {0};
	struct db_error err;
	int64_t rep = person_id(db, "+8613800000002"), id, again, cid;
	int64_t msg = insert_message(db, "+8613800000002", 1);
	int64_t reply = insert_message(db, "+8653100000001", 2);
	size_t n;
	bool fresh;

	ck_assert_int_eq(gw_checkin_judge(db, rep, "JN0231", NULL, 460, 0, NULL,
					 &v, &err),
			0);
	gw_checkin_fill(&v, rep, "JN0231", msg, "R1043", 1790000000, 1790000010,
			600, &c);
	ck_assert_int_eq(c.confirm_by, 1790000610);
	ck_assert_int_eq(db_checkin_insert(db, &c, &id, &fresh, &err), 0);
	ck_assert(fresh);
	/* the same message again: stored once */
	ck_assert_int_eq(db_checkin_insert(db, &c, &again, &fresh, &err), 0);
	ck_assert(!fresh);
	ck_assert_int_eq(again, id);
	gw_checkin_verdict_free(&v);

	ck_assert_int_eq(db_checkin_confirm(db, "R9999", "+8653100000001",
					 1790000100, 0, NULL, &err),
			-ENOENT);
	ck_assert_int_eq(db_checkin_confirm(db, "R1043", "+8613800000002",
					 1790000100, 0, NULL, &err),
			-EPERM);
	ck_assert_int_eq(db_checkin_confirm(db, "R1043", "+8653100000001",
					 1790000700, 0, NULL, &err),
			-ETIME);
	ck_assert_int_eq(db_checkin_confirm(db, "R1043", "+86 531 0000 0001",
					 1790000100, reply, &cid, &err),
			0);
	ck_assert_int_eq(cid, id);
	ck_assert_int_eq(db_checkin_confirm(db, "R1043", "+8653100000001",
					 1790000200, 0, NULL, &err),
			-EALREADY);
	flt.verdict = "in_territory";
	flt.since = 1790000000;
	ck_assert_int_ge(db_checkins_list(db, &flt, &rows, &n, &err), 0);
	ck_assert_uint_ge(n, 1);
	ck_assert_int_eq(rows[0].id, id);
	ck_assert_str_eq(rows[0].evidence, "outlet_confirmed");
	ck_assert_int_eq(rows[0].confirmed_at, 1790000100);
	free(rows);
	/* an outlet without a phone has no window */
	ck_assert_int_eq(gw_checkin_judge(db, rep, "QD0001", NULL, 460, 0, NULL,
					 &v, &err),
			0);
	gw_checkin_fill(&v, rep, "QD0001", 0, "R1044", 0, 1790000010, 600, &c);
	ck_assert_int_eq(c.confirm_by, 0);
	ck_assert_int_eq(db_checkin_insert(db, &c, &id, &fresh, &err), 0);
	ck_assert_int_eq(db_checkin_confirm(db, "R1044", "+8653100000001",
					 1790000100, 0, NULL, &err),
			-EPERM);
	gw_checkin_verdict_free(&v);
	db_free(db);
}
END_TEST

/* The first test: a schema of our own, migrated and loaded. */
START_TEST(test_setup)
{
	const char *base = getenv("FIELDGATE_TEST_CONNINFO");
	struct db_error err;
	struct db *db;
	struct problems pr = {0};
	char sql[96];

	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
	ck_assert_int_eq(db_connect(base, "check_places_db", 5, 30000, &db,
					 &err),
			0);
	ck_assert_int_ge(db_exec(db, sql, 0, NULL, &err), 0);
	db_free(db);
	db = conn();
	ck_assert_int_ge(db_migrate(db, NULL, &err), 1);
	ck_assert_int_eq(load(db, DB_IMPORT_TERRITORIES, territories, 4, true,
					 &pr),
			0);
	ck_assert_int_eq(load(db, DB_IMPORT_PEOPLE, people, 3, true, &pr), 0);
	ck_assert_int_eq(load(db, DB_IMPORT_OUTLETS, outlets, 2, true, &pr), 0);
	ck_assert_int_eq(load(db, DB_IMPORT_CELLS, cells, 3, true, &pr), 0);
	ck_assert_int_eq(pr.n, 0);
	db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("places_db");
	TCase *tc = tcase_create("places_db");

	if (!getenv("FIELDGATE_TEST_CONNINFO")) {
		fprintf(stderr, "check_places_db: run me through "
				"tests/pg/with-pg.sh\n");
		return 77;
	}
	snprintf(schema, sizeof(schema), "p_%d", (int) getpid());
	snprintf(conninfo, sizeof(conninfo), "%s options='-csearch_path=%s'",
			getenv("FIELDGATE_TEST_CONNINFO"), schema);
	tcase_add_test(tc, test_setup);
	tcase_add_test(tc, test_import_problems);
	tcase_add_test(tc, test_facts);
	tcase_add_loop_test(tc, test_judge_and_store, 0,
			sizeof(judged) / sizeof(judged[0]));
	tcase_add_test(tc, test_confirm);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
