/*
 * bench_db: latency of the daemon's hot database paths against a real
 * PostgreSQL. Not a test: prints numbers. Run it through the harness:
 *   tests/pg/with-pg.sh build/tests/bench/bench_db [N]
 * It measures, N times each (default 2000), with autocommit:
 *   store   db_inbound_store() of a new message
 *   restore the same message again (the ON CONFLICT path)
 *   handle  one transaction: enqueue the ack + mark the inbound handled
 *   claim   db_outbound_claim() of one message
 *   submit  part submitting + submitted (two statements)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "db/migrate.h"
#include "db/store.h"

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

static void report(const char *name, double *v, int n)
{
	double sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += v[i];
	qsort(v, (size_t) n, sizeof(*v), cmp);
	printf("%-8s n=%d  mean %.0f us  p50 %.0f  p90 %.0f  p99 %.0f us  "
	       "(%.0f/s)\n",
			name, n, sum / n, v[n / 2], v[n * 9 / 10],
			v[n * 99 / 100], n / (sum / 1e6));
}

#define CHECK(expr)                                                            \
	do {                                                                   \
		if ((expr) < 0) {                                              \
			fprintf(stderr, "bench_db: %s: %s\n", #expr,           \
					err.message);                          \
			return 1;                                              \
		}                                                              \
	} while (0)

int main(int argc, char **argv)
{
	const char *ci = getenv("FIELDGATE_TEST_CONNINFO");
	int n = argc > 1 ? (int) strtol(argv[1], NULL, 10) : 2000;
	struct db_error err;
	struct db *db;
	double *t_store, *t_restore, *t_handle, *t_claim, *t_submit;
	int64_t *ids;
	int i;

	if (n < 10 || n > 1000000)
		n = 2000;
	CHECK(db_connect(ci ? ci : "", "bench_db", 5, 30000, &db, &err));
	CHECK(db_migrate(db, NULL, &err));
	t_store = calloc((size_t) n, sizeof(double));
	t_restore = calloc((size_t) n, sizeof(double));
	t_handle = calloc((size_t) n, sizeof(double));
	t_claim = calloc((size_t) n, sizeof(double));
	t_submit = calloc((size_t) n, sizeof(double));
	ids = calloc((size_t) n, sizeof(int64_t));
	if (!t_store || !t_restore || !t_handle || !t_claim || !t_submit ||
			!ids)
		return 1;
	for (i = 0; i < n; i++) {
		char pdu[64], sender[24];
		struct db_inbound m = {
				.modem = "m1",
				.sim_imsi = "460001234567890",
				.sender = sender,
				.sender_ton = 1,
				.scts = 1767225600 + i,
				.pdu_hex = pdu,
				.text = "日报 120",
				.dcs = 8,
		};
		struct db_outbound_new o = {
				.recipient = sender,
				.text = "已收到",
				.priority = 0,
				.kind = "ack",
		};
		int64_t id, ack;
		double t0;

		snprintf(pdu, sizeof(pdu), "0891683108200105F004%08X", i);
		snprintf(sender, sizeof(sender), "+86139%08d", i);
		t0 = now_us();
		CHECK(db_inbound_store(db, &m, &id, NULL, &err));
		t_store[i] = now_us() - t0;
		t0 = now_us();
		CHECK(db_inbound_store(db, &m, &ids[i], NULL, &err));
		t_restore[i] = now_us() - t0;
		o.in_reply_to = id;
		t0 = now_us();
		CHECK(db_begin(db, &err));
		CHECK(db_outbound_enqueue(db, &o, &ack, NULL, &err));
		CHECK(db_inbound_set_state(db, id, "handled", NULL, &err));
		CHECK(db_commit(db, &err));
		t_handle[i] = now_us() - t0;
	}
	for (i = 0; i < n; i++) {
		static const struct db_outbound_part_new part = {
				1, "0041000D91683109000000F1000801", 20};
		struct db_outbound_msg *msgs;
		struct db_outbound_part *parts;
		size_t cnt, np;
		double t0 = now_us();

		CHECK(db_outbound_claim(db, "bench", "m1", false, 1, &msgs,
				&cnt, &err));
		t_claim[i] = now_us() - t0;
		if (cnt != 1)
			return 1;
		CHECK(db_outbound_add_parts(db, msgs[0].id, &part, 1, &err));
		CHECK(db_outbound_load_parts(
				db, msgs[0].id, &parts, &np, &err));
		t0 = now_us();
		CHECK(db_outbound_part_submitting(db, parts[0].id, "m1", &err));
		CHECK(db_outbound_part_submitted(
				db, parts[0].id, i % 256, &err));
		t_submit[i] = now_us() - t0;
		db_outbound_parts_free(parts, np);
		db_outbound_msgs_free(msgs, cnt);
	}
	report("store", t_store, n);
	report("restore", t_restore, n);
	report("handle", t_handle, n);
	report("claim", t_claim, n);
	report("submit", t_submit, n);
	free(t_store);
	free(t_restore);
	free(t_handle);
	free(t_claim);
	free(t_submit);
	free(ids);
	db_free(db);
	return 0;
}
