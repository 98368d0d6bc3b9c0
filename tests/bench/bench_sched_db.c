/*
 * bench_sched_db: the schedules' fires as the daemon runs them
 * (gw_sched_fire(): the reps' query, the digests, the queue inserts, in
 * one transaction with the claim), against a throwaway PostgreSQL with N
 * reps (10 per supervisor: 70% checked in, 60% reported, 3% on leave,
 * 5% with a report awaiting approval).
 * Not a test: prints numbers.  Run through the harness:
 *   tests/pg/with-pg.sh build/tests/bench/bench_sched_db [N]
 * (default 30000).  Prints, for the shipped rules.zh.conf, the 10:00
 * check-in deadline (digests computed and queued, wall and this
 * process's CPU) and the whole day's five schedules (wall and CPU).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "db/migrate.h"
#include "db/store.h"
#include "db/store_sched.h"
#include "gateway/sched.h"
#include "gateway/zones.h"
#include "rules/rules.h"
#include "rules/sched.h"

#define CHECK(x)                                                               \
	do {                                                                   \
		if ((x) < 0) {                                                 \
			fprintf(stderr, "%s: %s\n", #x, err.message);          \
			return 1;                                              \
		}                                                              \
	} while (0)

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 2026-06-01 (a Monday) at @hh:@mm in Shanghai (UTC+8). */
static int64_t at_local(int hh, int mm)
{
	return 1780243200LL + (int64_t) (hh - 8) * 3600 + mm * 60;
}

static int fire(struct db *db, const struct rules *r, struct gw_zones *zc,
		const char *id, int64_t at, int *msgs, int *people)
{
	const struct rules_schedule *s = rules_schedule_find(r, id);
	static const char *const zones[] = {"Asia/Shanghai"};
	struct db_error err;
	int64_t fire_id = 0;
	bool claimed = false;
	int m;

	if (!s) {
		fprintf(stderr, "no schedule %s\n", id);
		return -1;
	}
	CHECK(db_begin(db, &err));
	CHECK(db_sched_claim(db, id, at, at, false, "bench", NULL, &fire_id,
			&claimed, &err));
	if (!claimed) {
		fprintf(stderr, "%s already claimed\n", id);
		return -1;
	}
	/* as the daemon: a per-territory schedule with the reps' zones */
	m = gw_sched_fire(db, r, s, zc, "Asia/Shanghai",
			s->per_territory ? zones : NULL,
			s->per_territory ? 1 : 0, at, fire_id, 0, people, &err);
	CHECK(m);
	CHECK(db_sched_fire_done(db, fire_id, m, *people, &err));
	CHECK(db_commit(db, &err));
	*msgs = m;
	return 0;
}

int main(int argc, char **argv)
{
	const char *ci = getenv("FIELDGATE_TEST_CONNINFO");
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 30000;
	static const char *const day[] = {"pending_approvals",
			"checkin_deadline", "report_reminder",
			"report_escalation", "daily_digest"};
	static const int hm[][2] = {
			{9, 0}, {10, 0}, {19, 0}, {20, 30}, {21, 0}};
	struct diag_list dl = {0};
	struct rules *r = NULL;
	struct gw_zones *zc;
	struct db_error err;
	struct db *db;
	char nb[32], sb[32];
	const char *p[2];
	double w0, c0, wall_day = 0, cpu_day = 0;
	int msgs = 0, people = 0, total = 0;
	size_t i;

	if (n < 10 || n > 1000000)
		return 2;
	if (rules_load(RULES_FILE, &r, &dl) < 0) {
		fprintf(stderr, "cannot load %s\n", RULES_FILE);
		return 1;
	}
	diag_free(&dl);
	zc = gw_zones_new();
	if (!zc)
		return 1;
	CHECK(db_connect(ci ? ci : "", "bench_sched_db", 5, 600000, &db, &err));
	CHECK(db_migrate(db, NULL, &err));
	snprintf(nb, sizeof(nb), "%ld", n);
	snprintf(sb, sizeof(sb), "%ld", (n + 9) / 10);
	p[0] = nb;
	p[1] = sb;
	CHECK(db_exec(db,
			"INSERT INTO people (phone, name, role) SELECT "
			"'+86137' || lpad(g::text, 8, '0'), '主管' || g, "
			"'supervisor' FROM generate_series(1, $1::int) g",
			1, p + 1, &err));
	CHECK(db_exec(db,
			"INSERT INTO people (phone, name, role, supervisor_id) "
			"SELECT '+86139' || lpad(g::text, 8, '0'), '业务员' || "
			"g, 'rep', (SELECT id FROM people WHERE phone = "
			"'+86137' || lpad((1 + (g - 1) / 10)::text, 8, '0')) "
			"FROM generate_series(1, $1::int) g",
			1, p, &err));
	CHECK(db_exec(db,
			"INSERT INTO checkins (person_id, outlet_code, "
			"verdict, evidence, received_at) SELECT id, 'JN0231', "
			"CASE WHEN id % 20 = 0 THEN 'outside' ELSE "
			"'in_territory' END, 'outlet_code_only', "
			"'2026-06-01 09:10+08' FROM people WHERE role = 'rep' "
			"AND id % 10 < 7",
			0, NULL, &err));
	CHECK(db_exec(db,
			"INSERT INTO reports (ref, form_id, person_id, sender, "
			"raw_text, period, rules_hash, received_at) SELECT "
			"'B' || id, 'daily', id, phone, '日报 1 2 3', "
			"'2026-06-01', 'bench', '2026-06-01 18:00+08' FROM "
			"people WHERE role = 'rep' AND id % 10 < 6",
			0, NULL, &err));
	CHECK(db_exec(db,
			"WITH r AS (INSERT INTO reports (ref, form_id, "
			"person_id, sender, raw_text, rules_hash, status, "
			"needs_approval, received_at) SELECT 'L' || id, "
			"'leave', id, phone, '请假 2', 'bench', 'approved', "
			"true, '2026-05-31 18:00+08' FROM people WHERE role = "
			"'rep' AND id % 33 = 0 RETURNING id, person_id) INSERT "
			"INTO leave_requests (report_id, person_id, first_day, "
			"days) SELECT id, person_id, '2026-06-01', 2 FROM r",
			0, NULL, &err));
	/* 1 report in 20 awaits its supervisor's decision */
	CHECK(db_exec(db,
			"INSERT INTO reports (ref, form_id, person_id, sender, "
			"raw_text, period, rules_hash, needs_approval, "
			"received_at) SELECT 'P' || id, 'daily', id, phone, "
			"'日报 1 2 3', '2026-05-31', 'bench', true, "
			"'2026-05-31 18:00+08' FROM people WHERE role = 'rep' "
			"AND id % 20 = 1",
			0, NULL, &err));
	CHECK(db_exec(db, "ANALYZE", 0, NULL, &err));

	printf("bench_sched_db: %ld reps, %ld supervisors (%s)\n", n,
			(n + 9) / 10, RULES_FILE);
	for (i = 0; i < sizeof(day) / sizeof(day[0]); i++) {
		double w, c;

		w0 = mono();
		c0 = cpu();
		if (fire(db, r, zc, day[i], at_local(hm[i][0], hm[i][1]), &msgs,
				    &people) < 0)
			return 1;
		w = mono() - w0;
		c = cpu() - c0;
		wall_day += w;
		cpu_day += c;
		total += msgs;
		printf("  %-18s %02d:%02d  %6d messages %6d people  wall "
		       "%8.3f s  cpu %7.3f s\n",
				day[i], hm[i][0], hm[i][1], msgs, people, w, c);
	}
	printf("  whole day: %d messages, wall %.3f s, daemon cpu %.3f s\n",
			total, wall_day, cpu_day);
	{
		/* the 10:00 query alone (without the queue inserts) */
		struct db_sched_day d = {"*", at_local(0, 0), at_local(24, 0),
				"2026-06-01"};
		struct db_sched_rep *reps = NULL;
		size_t nr = 0;

		w0 = mono();
		CHECK(db_sched_reps(db, &d, 1, "Asia/Shanghai", "daily", &reps,
				&nr, &err));
		printf("  the reps' query alone: %zu rows, wall %.3f s\n", nr,
				mono() - w0);
		free(reps);
	}
	db_free(db);
	gw_zones_free(zc);
	rules_free(r);
	return 0;
}
