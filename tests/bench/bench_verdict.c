/*
 * bench_verdict: the check-in verdict lookup as the daemon does it
 * (gw_checkin_judge(): one query and rules/geo.c) with a country's worth
 * of data loaded. Not a test: prints numbers. Run it through the harness:
 *   tests/pg/with-pg.sh build/tests/bench/bench_verdict [CELLS OUTLETS N]
 * (defaults 1000000 cells, 100000 outlets, 5000 lookups). It loads, with
 * the import API (COPY), 1 country / 30 provinces / 300 cities / 3000
 * districts, 3000 reps (one district each, some a whole city), the
 * outlets and the cells, then times N check-ins with a random outlet and
 * a random cell (by full key 2/5, LAC-CID alone 1/5, not in the table
 * 1/5) or none (1/5), and prints p50/p90/p99.
 *
 * Then the same check-ins as SMS texts through the rules handler's own
 * path (gateway/rules_facts.c, gateway/rules_checkin.c), one transaction
 * each: roster lookup, rules_parse() with the shipped rules
 * ($top_srcdir/docs/examples/rules.zh.conf, or FIELDGATE_BENCH_RULES),
 * the look-ups (reference and verdict), rules_decide(), the check-in row
 * and the outlet's question, commit; p50/p90/p99 of that too.  (The
 * inbound row, the report and the reply are issue 7's and measured by
 * bench_e2e.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "db/migrate.h"
#include "db/store.h"
#include "db/store_places.h"
#include "gateway/checkin.h"
#include "gateway/rules_facts.h"
#include "gateway/rules_time.h"
#include "rules/rules.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return (x > y) - (x < y);
}

static uint64_t rng = 88172645463325252ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t) (rng >> 16);
}

static double uniform(double lo, double hi)
{
	return lo + (hi - lo) * (next() % 1000000) / 1e6;
}

#define CHECK(expr)                                                            \
	do {                                                                   \
		if ((expr) < 0) {                                              \
			fprintf(stderr, "bench_verdict: %s: %s\n", #expr,      \
					err.message);                          \
			return 1;                                              \
		}                                                              \
	} while (0)

static void noop(void *user, int64_t line, const char *reason)
{
	(void) user;
	fprintf(stderr, "bench_verdict: line %lld: %s\n", (long long) line,
			reason);
}

/* Runs an import whose rows gen() makes; returns <0 on failure. */
typedef void (*gen_fn)(long i, char v[14][64], const char **p);

static int load(struct db *db, enum db_import_kind kind, long n, gen_fn gen,
		const char *what)
{
	struct db_import *im;
	struct db_import_counts c;
	struct db_error err;
	char v[14][64];
	const char *p[14];
	double t0 = now_us();
	long i;
	int r;

	CHECK(db_import_begin(db, kind, &im, &err));
	for (i = 0; i < n; i++) {
		gen(i, v, p);
		CHECK(db_import_row(im, i + 1, p, &err));
	}
	r = db_import_check(im, 5, noop, NULL, &err);
	CHECK(r);
	if (r > 0)
		return -1;
	CHECK(db_import_apply(im, &c, &err));
	CHECK(db_import_end(im, true, &err));
	printf("loaded %-12s %8ld rows in %6.2f s\n", what, n,
			(now_us() - t0) / 1e6);
	return 0;
}

/* territory i: 0 country, 1..30 provinces, 31..330 cities, then districts */
#define N_PROV 30
#define N_CITY 300
#define N_DIST 3000
#define N_TERR (1 + N_PROV + N_CITY + N_DIST)

static double terr_lat(long i)
{
	return 22 + (double) (i * 7919 % 1800) / 100.0;
}

static double terr_lon(long i)
{
	return 100 + (double) (i * 104729 % 2200) / 100.0;
}

static void gen_territory(long i, char v[14][64], const char **p)
{
	long parent = i == 0	    ? -1
		      : i <= N_PROV ? 0
		      : i <= N_PROV + N_CITY
				      ? 1 + (i - 1 - N_PROV) % N_PROV
				      : 1 + N_PROV +
							(i - 1 - N_PROV -
									N_CITY) %
									N_CITY;
	int k;

	snprintf(v[0], 64, "T%ld", i);
	snprintf(v[1], 64, "territory %ld", i);
	snprintf(v[2], 64, parent < 0 ? "" : "T%ld", parent);
	snprintf(v[3], 64, i == 0 ? "Asia/Shanghai" : "");
	snprintf(v[4], 64, "%.4f", terr_lat(i));
	snprintf(v[5], 64, "%.4f", terr_lon(i));
	snprintf(v[6], 64, "%d", i > N_PROV + N_CITY ? 8000 : 100000);
	snprintf(v[7], 64, "%ld;%ld", 1 + i * 19 % 65000, 1 + i * 23 % 65000);
	snprintf(v[8], 64, "%ld", 1 + i * 29 % 65000);
	snprintf(v[9], 64, "500");
	for (k = 0; k < 14; k++)
		p[k] = v[k];
}

static void gen_person(long i, char v[14][64], const char **p)
{
	int k;

	snprintf(v[0], 64, "+86139%08ld", i);
	snprintf(v[1], 64, "rep %ld", i);
	snprintf(v[2], 64, "rep");
	v[3][0] = '\0';
	/* one district each; every tenth rep a whole city */
	if (i % 10 == 0)
		snprintf(v[4], 64, "T%ld", 1 + N_PROV + i % N_CITY);
	else
		snprintf(v[4], 64, "T%ld", 1 + N_PROV + N_CITY + i % N_DIST);
	for (k = 0; k < 14; k++)
		p[k] = v[k];
}

static void gen_outlet(long i, char v[14][64], const char **p)
{
	long t = 1 + N_PROV + N_CITY + i % N_DIST;
	int k;

	snprintf(v[0], 64, "OT%07ld", i);
	snprintf(v[1], 64, "outlet %ld", i);
	snprintf(v[2], 64, "street %ld", i);
	snprintf(v[3], 64, "T%ld", t);
	snprintf(v[4], 64, "%.6f", terr_lat(t) + uniform(-0.05, 0.05));
	snprintf(v[5], 64, "%.6f", terr_lon(t) + uniform(-0.05, 0.05));
	if (i % 5 == 0)
		snprintf(v[6], 64, "+86531%08ld", i);
	else
		v[6][0] = '\0';
	for (k = 0; k < 14; k++)
		p[k] = v[k];
}

static void gen_cell(long i, char v[14][64], const char **p)
{
	int k;

	snprintf(v[0], 64, i % 3 ? "LTE" : "GSM");
	snprintf(v[1], 64, "460");
	snprintf(v[2], 64, "%ld", i % 4 == 0 ? 1L : 0L);
	snprintf(v[3], 64, "%ld", 1 + i % 65000);
	snprintf(v[4], 64, "%ld", i / 65000 * 7 + i % 7);
	v[5][0] = '\0';
	snprintf(v[6], 64, "%.6f", uniform(100, 122));
	snprintf(v[7], 64, "%.6f", uniform(22, 40));
	snprintf(v[8], 64, "%u", 200 + next() % 3000);
	snprintf(v[9], 64, "%u", next() % 100);
	snprintf(v[10], 64, "1");
	snprintf(v[11], 64, "1500000000");
	snprintf(v[12], 64, "1600000000");
	snprintf(v[13], 64, "0");
	for (k = 0; k < 14; k++)
		p[k] = v[k];
}

/* The handler's path per check-in SMS (see the top). */
static int bench_handler(
		struct db *db, long outlets, long cells, int n, double *t)
{
	const char *path = getenv("FIELDGATE_BENCH_RULES");
	const char *top = getenv("top_srcdir");
	struct diag_list dl = {0};
	struct rules *rules = NULL;
	struct gw_ref_pool pool = {0};
	struct db_error err;
	char buf[512], text[96], phone[32];
	double sum = 0;
	int i, asked = 0, outside = 0;

	if (!path) {
		snprintf(buf, sizeof(buf), "%s/docs/examples/rules.zh.conf",
				top ? top : ".");
		path = buf;
	}
	if (rules_load(path, &rules, &dl) < 0) {
		fprintf(stderr, "bench_verdict: cannot load %s\n", path);
		diag_free(&dl);
		return -1;
	}
	diag_free(&dl);
	for (i = 0; i < n + 200; i++) {
		struct rules_parsed *parsed = NULL;
		struct rules_decision *d = NULL;
		struct rules_facts facts = {0};
		struct rules_msg m = {0};
		struct gw_lookups lk;
		struct db_person person;
		long o = (long) (next() % (uint32_t) outlets);
		long c = (long) (next() % (uint32_t) cells);
		int kind = (int) (next() % 5);
		bool q = false;
		double t0;

		memset(&lk, 0, sizeof(lk));
		if (kind == 4)
			snprintf(text, sizeof(text), "签到 OT%07ld", o);
		else
			snprintf(text, sizeof(text),
					"签到 OT%07ld L460-%02ld-%ld-%ld", o,
					c % 4 == 0 ? 1L : 0L, 1 + c % 65000,
					c / 65000 * 7 + c % 7 +
							(kind == 3 ? 50000000
								   : 0));
		snprintf(phone, sizeof(phone), "+86139%08ld", o % N_DIST);
		t0 = now_us();
		CHECK(db_begin(db, &err));
		CHECK(db_people_lookup(db, phone, &person, &err));
		m.text = text;
		m.len = strlen(text);
		gw_rules_sender(&person, phone, &m.sender);
		gw_rules_time((int64_t) time(NULL), rules_timezone(rules),
				&m.sent);
		m.received = m.sent;
		if (rules_parse(rules, &m, &parsed) < 0)
			return -1;
		CHECK(gw_rules_look_up(rules, db, parsed, &m, &pool, &lk,
				&facts, &err));
		if (rules_decide(rules, parsed, &m, &facts, &d) < 0)
			return -1;
		CHECK(gw_rules_checkin_store(
				rules, db, &lk.checkin, d, &m, 0, 0, &q, &err));
		CHECK(db_commit(db, &err));
		if (i >= 200) {
			t[i - 200] = now_us() - t0;
			sum += t[i - 200];
			asked += q;
			outside += facts.verdict &&
				   !strcmp(facts.verdict, "outside");
		}
		gw_rules_lookups_done(&lk);
		rules_decision_free(d);
		rules_parsed_free(parsed);
	}
	qsort(t, (size_t) n, sizeof(*t), cmp);
	printf("handler  n=%d  mean %.0f us  p50 %.0f  p90 %.0f  p99 %.0f  "
	       "max %.0f us  (%.0f/s; %d outside, %d outlets asked)\n",
			n, sum / n, t[n / 2], t[n * 9 / 10], t[n * 99 / 100],
			t[n - 1], n / (sum / 1e6), outside, asked);
	rules_free(rules);
	return 0;
}

int main(int argc, char **argv)
{
	const char *ci = getenv("FIELDGATE_TEST_CONNINFO");
	long cells = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	long outlets = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
	int n = argc > 3 ? (int) strtol(argv[3], NULL, 10) : 5000;
	struct db_error err;
	struct db *db;
	double *t, sum = 0;
	int64_t *reps;
	int counts[4] = {0}, i;
	char phone[32];

	if (n < 10 || n > 1000000)
		n = 5000;
	if (cells < 100 || outlets < 10)
		return 2;
	CHECK(db_connect(ci ? ci : "", "bench_verdict", 5, 600000, &db, &err));
	CHECK(db_migrate(db, NULL, &err));
	if (load(db, DB_IMPORT_TERRITORIES, N_TERR, gen_territory,
			    "territories") < 0 ||
			load(db, DB_IMPORT_PEOPLE, N_DIST, gen_person,
					"people") < 0 ||
			load(db, DB_IMPORT_OUTLETS, outlets, gen_outlet,
					"outlets") < 0 ||
			load(db, DB_IMPORT_CELLS, cells, gen_cell, "cells") < 0)
		return 1;
	CHECK(db_exec(db, "ANALYZE", 0, NULL, &err));
	reps = calloc(N_DIST, sizeof(*reps));
	t = calloc((size_t) n, sizeof(*t));
	if (!reps || !t)
		return 1;
	for (i = 0; i < N_DIST; i++) {
		struct db_person p;

		snprintf(phone, sizeof(phone), "+86139%08d", i);
		CHECK(db_people_lookup(db, phone, &p, &err));
		reps[i] = p.id;
	}
	for (i = 0; i < n + 200; i++) {
		struct gw_checkin_verdict v;
		struct rv_cell cell = {0};
		char code[16];
		long o = (long) (next() % (uint32_t) outlets);
		long c = (long) (next() % (uint32_t) cells);
		double t0;
		int kind = (int) (next() % 5);

		snprintf(code, sizeof(code), "OT%07ld", o);
		cell.mcc = 460;
		cell.mnc = c % 4 == 0 ? 1 : 0;
		cell.lac = (uint32_t) (1 + c % 65000);
		cell.cid = (uint32_t) (c / 65000 * 7 + c % 7);
		if (kind == 2)
			cell.home = true; /* LAC-CID alone, home 460-00 */
		if (kind == 3)
			cell.cid += 50000000; /* not in the table */
		t0 = now_us();
		CHECK(gw_checkin_judge(db, reps[o % N_DIST], code,
				kind == 4 ? NULL : &cell, 460,
				kind == 2 ? -1 : 0, NULL, &v, &err));
		if (i >= 200) { /* the first ones warm the caches */
			t[i - 200] = now_us() - t0;
			sum += t[i - 200];
			counts[v.result.verdict]++;
		}
		gw_checkin_verdict_free(&v);
	}
	qsort(t, (size_t) n, sizeof(*t), cmp);
	printf("verdict  n=%d  mean %.0f us  p50 %.0f  p90 %.0f  p99 %.0f  max "
	       "%.0f us  (%.0f/s)\n",
			n, sum / n, t[n / 2], t[n * 9 / 10], t[n * 99 / 100],
			t[n - 1], n / (sum / 1e6));
	printf("verdicts: in_territory %d, outside %d, unknown_outlet %d, "
	       "unknown_cell %d\n",
			counts[0], counts[1], counts[2], counts[3]);
	if (bench_handler(db, outlets, cells, n, t) < 0)
		return 1;
	free(t);
	free(reps);
	db_free(db);
	return 0;
}
