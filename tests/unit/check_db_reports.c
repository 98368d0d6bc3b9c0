/*
 * check_db_reports: db/store_reports.h against a real PostgreSQL (reports,
 * alerts, rule reload requests; migration 0002). Run through
 * tests/pg/with-pg.sh (tests/pg/run-check-db-reports.sh). Each test works
 * in a schema of its own.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_internal.h"
#include "db/migrate.h"
#include "db/store.h"
#include "db/store_reports.h"
#include "tests/unit/testutil.h"

static char conninfo[512];

static const char *base_conninfo(void)
{
	const char *c = getenv("FIELDGATE_TEST_CONNINFO");

	return c ? c : "";
}

/* A connection to a brand-new migrated schema. */
static struct db *fresh(void)
{
	static int counter;
	struct db_error err;
	struct db *admin, *db;
	char schema[64], sql[128];
	int r;

	snprintf(schema, sizeof(schema), "r_%d_%d", (int) getpid(), counter++);
	r = db_connect(base_conninfo(), "check_db_reports", 5, 30000, &admin,
			&err);
	ck_assert_msg(r == 0, "connect: %s", err.message);
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
	ck_assert_int_ge(db_exec(admin, sql, 0, NULL, &err), 0);
	db_free(admin);
	snprintf(conninfo, sizeof(conninfo), "%s options='-csearch_path=%s'",
			base_conninfo(), schema);
	r = db_connect(conninfo, "check_db_reports", 5, 30000, &db, &err);
	ck_assert_msg(r == 0, "connect: %s", err.message);
	r = db_migrate(db, NULL, &err);
	ck_assert_msg(r >= 2, "migrate: %d %s", r, err.message);
	return db;
}

static struct db *again(void)
{
	struct db_error err;
	struct db *db;
	int r = db_connect(conninfo, "check_db_reports2", 5, 30000, &db, &err);

	ck_assert_msg(r == 0, "connect: %s", err.message);
	return db;
}

static long long scalar(struct db *db, const char *sql)
{
	struct db_error err;
	PGresult *res;
	int64_t v;
	int r = db_query(db, sql, 0, NULL, &res, &err);

	ck_assert_msg(r == 0, "%s: %s", sql, err.message);
	r = db_get_int64(res, 0, 0, &v, &err);
	PQclear(res);
	ck_assert_msg(r == 0, "%s: %s", sql, err.message);
	return (long long) v;
}

/* A rep with a supervisor; returns the rep's id. */
static int64_t roster(struct db *db, int64_t *ret_sup)
{
	struct db_error err;
	int64_t boss, sup, rep;

	ck_assert_int_eq(
			db_people_add(db, "+8613900000001", "Boss",
					DB_ROLE_ADMIN, NULL, NULL, &boss, &err),
			0);
	ck_assert_int_eq(db_people_add(db, "+8613900000002", "Sup",
					 DB_ROLE_SUPERVISOR, "+8613900000001",
					 NULL, &sup, &err),
			0);
	ck_assert_int_eq(db_people_add(db, "+8613900000003", "Rep", DB_ROLE_REP,
					 "+8613900000002", "JN", &rep, &err),
			0);
	if (ret_sup)
		*ret_sup = sup;
	return rep;
}

static int64_t add_report(struct db *db, int64_t person, const char *ref,
		const char *period, const char *fields, int64_t replaces)
{
	struct db_report_new n = {
			.ref = ref,
			.form_id = "daily",
			.person_id = person,
			.sender = "+86 139 0000 0003",
			.fields_json = fields,
			.raw_text = "日报120 3500 8",
			.period = period,
			.rules_hash = "abc123",
			.rules_version = "v1",
			.sent_at = 1780000000,
			.replaces_id = replaces,
	};
	struct db_error err;
	int64_t id = 0;
	int r = db_report_insert(db, &n, &id, &err);

	ck_assert_msg(r == 0, "insert %s: %d %s", ref, r, err.message);
	ck_assert_int_gt(id, 0);
	return id;
}

START_TEST(test_ref_sequence)
{
	struct db *db = fresh();
	struct db_error err;
	int64_t a = 0, b = 0;

	ck_assert_int_eq(db_report_next_ref(db, &a, &err), 0);
	ck_assert_int_eq(db_report_next_ref(db, &b, &err), 0);
	ck_assert_int_eq(a, 1001);
	ck_assert_int_eq(b, a + 1);
	{
		int64_t v[8];
		int i;

		ck_assert_int_eq(db_report_next_refs(db, 8, v, &err), 8);
		for (i = 0; i < 8; i++)
			ck_assert_int_eq(v[i], b + 1 + i);
		ck_assert_int_eq(db_report_next_refs(db, 0, v, &err), -EINVAL);
		ck_assert_int_eq(db_report_next_ref(db, &a, &err), 0);
		ck_assert_int_eq(a, b + 9);
	}
	db_free(db);
}
END_TEST

START_TEST(test_report_insert_and_lookups)
{
	struct db *db = fresh();
	struct db_error err;
	struct db_report rep;
	int64_t person = roster(db, NULL), id1, id2;
	int r;

	id1 = add_report(db, person, "R1001", "2026-06-01",
			"{\"sales\":120,\"cash\":\"3500.00\"}", 0);
	ck_assert_int_eq(scalar(db, "SELECT (fields->>'sales')::int FROM "
				    "reports WHERE ref = 'R1001'"),
			120);
	/* the sender was normalized, the SCTS kept */
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM reports WHERE "
				    "sender = '+8613900000003' AND "
				    "extract(epoch FROM sent_at) = "
				    "1780000000"),
			1);
	/* a reference is unique */
	{
		struct db_report_new n = {.ref = "R1001",
				.form_id = "daily",
				.raw_text = "x",
				.rules_hash = "h"};

		r = db_report_insert(db, &n, NULL, &err);
		ck_assert_int_eq(r, -EEXIST);
	}
	ck_assert_int_eq(db_report_prior(db, person, "daily", "2026-06-01",
					 &rep, &err),
			0);
	ck_assert_int_eq(rep.id, id1);
	ck_assert_str_eq(rep.ref, "R1001");
	ck_assert_str_eq(rep.person_name, "Rep");
	ck_assert_str_eq(rep.status, "received");
	ck_assert_str_eq(rep.raw_text, "日报120 3500 8");
	ck_assert_ptr_nonnull(strstr(rep.fields_json, "\"sales\": 120"));
	db_report_done(&rep);
	ck_assert_int_eq(db_report_prior(db, person, "daily", "2026-06-02",
					 &rep, &err),
			-ENOENT);

	/* a resubmission replaces the first */
	id2 = add_report(db, person, "R1002", "2026-06-01", "{\"sales\":130}",
			id1);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM reports WHERE "
				    "ref = 'R1001' AND status = 'replaced'"),
			1);
	ck_assert_int_eq(scalar(db, "SELECT replaced_by FROM reports WHERE "
				    "ref = 'R1001'"),
			id2);
	ck_assert_int_eq(db_report_last(db, person, &rep, &err), 0);
	ck_assert_str_eq(rep.ref, "R1002");
	db_report_done(&rep);

	/* withdrawing: the last live one is gone, the lookup says so */
	ck_assert_int_eq(db_report_set_status(db, id2, "withdrawn", &err), 0);
	ck_assert_int_eq(db_report_last(db, person, &rep, &err), -ENOENT);
	ck_assert_int_eq(db_report_set_status(db, 999999, "withdrawn", &err),
			-ENOENT);
	ck_assert_int_eq(db_report_by_ref(db, "R1002", &rep, &err), 0);
	ck_assert_str_eq(rep.status, "withdrawn");
	db_report_done(&rep);
	/* the status check refuses states nobody defined */
	ck_assert_int_lt(db_report_set_status(db, id1, "approvedd", &err), 0);
	db_free(db);
}
END_TEST

START_TEST(test_history_and_listing)
{
	struct db *db = fresh();
	struct db_error err;
	struct db_report_filter f = {0};
	struct db_report *list = NULL;
	size_t n = 0;
	double avg = -1;
	int count = -1;
	int64_t person = roster(db, NULL);
	int64_t now = (int64_t) time(NULL);

	add_report(db, person, "R2001", "2026-06-01", "{\"sales\":100}", 0);
	add_report(db, person, "R2002", "2026-06-02", "{\"sales\":\"200\"}", 0);
	add_report(db, person, "R2003", "2026-06-03", "{\"sales\":\"x\"}", 0);
	ck_assert_int_eq(db_report_history(db, person, "daily", "sales", 28,
					 now + 10, &avg, &count, &err),
			0);
	ck_assert_int_eq(count, 2);
	ck_assert(avg > 149.9 && avg < 150.1);
	/* before the window: nothing */
	ck_assert_int_eq(db_report_history(db, person, "daily", "sales", 28,
					 now - 3600, &avg, &count, &err),
			0);
	ck_assert_int_eq(count, 0);

	/* prior and history in one trip: the same answers */
	{
		struct db_report prior;
		bool found = false;

		ck_assert_int_eq(db_report_prior_history(db, person, "daily",
						 "2026-06-02", "daily", "sales",
						 28, now + 10, &prior, &found,
						 &avg, &count, &err),
				0);
		ck_assert(found);
		ck_assert_str_eq(prior.ref, "R2002");
		ck_assert_int_eq(count, 2);
		ck_assert(avg > 149.9 && avg < 150.1);
		db_report_done(&prior);
		ck_assert_int_eq(db_report_prior_history(db, person, "daily",
						 "2026-07-01", "daily", "sales",
						 28, now - 3600, &prior, &found,
						 &avg, &count, &err),
				0);
		ck_assert(!found);
		ck_assert_int_eq(count, 0);
		ck_assert_int_eq(db_report_prior_history(db, person + 99,
						 "daily", "2026-06-02", "daily",
						 "sales", 28, now + 10, &prior,
						 &found, &avg, &count, &err),
				0);
		ck_assert(!found);
		ck_assert_int_eq(count, 0);
	}

	ck_assert_int_ge(db_reports_list(db, &f, &list, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(list[0].ref, "R2003"); /* newest first */
	db_reports_free(list, n);
	f.number = "+8613900000003";
	f.form_id = "weekly";
	ck_assert_int_ge(db_reports_list(db, &f, &list, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	db_reports_free(list, n);
	f.form_id = "daily";
	f.limit = 2;
	ck_assert_int_ge(db_reports_list(db, &f, &list, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	db_reports_free(list, n);
	f.number = "not a number";
	ck_assert_int_eq(db_reports_list(db, &f, &list, &n, &err), -EINVAL);
	db_free(db);
}
END_TEST

START_TEST(test_people_with_role)
{
	struct db *db = fresh();
	struct db_error err;
	struct db_person *p = NULL;
	size_t n = 0;

	roster(db, NULL);
	ck_assert_int_ge(db_people_with_role(db, DB_ROLE_ADMIN, &p, &n, &err),
			0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(p[0].phone, "+8613900000001");
	ck_assert_int_eq(p[0].role, DB_ROLE_ADMIN);
	free(p);
	db_free(db);
}
END_TEST

START_TEST(test_alert_batching_and_dedupe)
{
	struct db *db = fresh();
	struct db_error err;
	struct db_alert_item *items = NULL;
	struct db_alert_new a = {
			.alert_id = "big_sale",
			.recipient = "+86 139 0000 0002",
			.body = "Rep 销量 900",
			.dedupe_key = "big_sale:R1001",
			.batch_seconds = 300,
	};
	int64_t id = 0, due = 0, t0 = (int64_t) time(NULL) * 1000;
	bool is_new = false;
	size_t n = 99;

	ck_assert_int_eq(db_alert_next_due(db, &due, &err), 0);
	ck_assert_int_eq(due, 0);
	ck_assert_int_eq(db_alert_insert(db, &a, &id, &is_new, &err), 0);
	ck_assert(is_new);
	ck_assert_int_gt(id, 0);
	/* the same key again: nothing new */
	ck_assert_int_eq(db_alert_insert(db, &a, &id, &is_new, &err), 0);
	ck_assert(!is_new);
	/* a second alert with a longer window joins the first batch */
	a.dedupe_key = "big_sale:R1002";
	a.body = "Rep 销量 950";
	a.batch_seconds = 3600;
	ck_assert_int_eq(db_alert_insert(db, &a, &id, &is_new, &err), 0);
	ck_assert(is_new);
	ck_assert_int_eq(scalar(db, "SELECT count(DISTINCT due_at) FROM "
				    "alerts"),
			1);
	ck_assert_int_eq(db_alert_next_due(db, &due, &err), 0);
	ck_assert(due >= t0 + 299000 && due <= t0 + 302000);
	/* not due yet: nothing to claim */
	ck_assert_int_eq(db_begin(db, &err), 0);
	ck_assert_int_ge(db_alerts_claim_due(db, 100, &items, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	db_alert_items_free(items, n);
	ck_assert_int_eq(db_commit(db, &err), 0);
	db_free(db);
}
END_TEST

/* Two daemons claiming at once never get the same alert. */
START_TEST(test_alert_claim_concurrent)
{
	struct db *db = fresh(), *db2;
	struct db_error err;
	struct db_alert_item *items = NULL, *items2 = NULL;
	struct db_alert_new a = {
			.alert_id = "x",
			.recipient = "+8613900000002",
			.body = "one",
			.dedupe_key = "x:1",
			.batch_seconds = 0,
	};
	struct db_outbound_new out = {.recipient = "+8613900000002",
			.text = "one\ntwo",
			.priority = DB_PRIO_ALERT,
			.kind = "alert"};
	int64_t ids[2], out_id = 0;
	size_t n = 0, n2 = 9;
	bool is_new;

	ck_assert_int_eq(db_alert_insert(db, &a, NULL, NULL, &err), 0);
	a.dedupe_key = "x:2";
	a.body = "two";
	ck_assert_int_eq(db_alert_insert(db, &a, NULL, NULL, &err), 0);
	a.recipient = "+8613900000009";
	a.dedupe_key = "x:3";
	a.batch_seconds = 600; /* not due */
	ck_assert_int_eq(db_alert_insert(db, &a, NULL, NULL, &err), 0);

	db2 = again();
	ck_assert_int_eq(db_begin(db, &err), 0);
	ck_assert_int_ge(db_alerts_claim_due(db, 100, &items, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(items[0].body, "one");
	ck_assert_str_eq(items[1].body, "two");
	ck_assert_int_eq(db_begin(db2, &err), 0);
	ck_assert_int_ge(db_alerts_claim_due(db2, 100, &items2, &n2, &err), 0);
	ck_assert_uint_eq(n2, 0); /* locked by the first */
	db_alert_items_free(items2, n2);
	ck_assert_int_eq(db_commit(db2, &err), 0);

	ck_assert_int_eq(db_outbound_enqueue(db, &out, &out_id, &is_new, &err),
			0);
	ids[0] = items[0].id;
	ids[1] = items[1].id;
	ck_assert_int_eq(db_alerts_mark_sent(db, ids, 2, out_id, &err), 2);
	db_alert_items_free(items, n);
	ck_assert_int_eq(db_commit(db, &err), 0);

	/* after the commit the second daemon finds nothing due either */
	ck_assert_int_eq(db_begin(db2, &err), 0);
	ck_assert_int_ge(db_alerts_claim_due(db2, 100, &items2, &n2, &err), 0);
	ck_assert_uint_eq(n2, 0);
	db_alert_items_free(items2, n2);
	ck_assert_int_eq(db_commit(db2, &err), 0);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM alerts WHERE "
				    "state = 'sent' AND outbound_id IS NOT "
				    "NULL"),
			2);
	db_free(db2);
	db_free(db);
}
END_TEST

START_TEST(test_reload_requests)
{
	struct db *db = fresh(), *listener;
	struct db_error err;
	struct db_rule_reload rr = {.daemon_host = "h1",
			.path = "/etc/fieldgate/rules.conf",
			.sha256 = "ff",
			.ok = false,
			.errors = "rules.conf:3: unknown key"};
	struct db_rule_reload_row *rows = NULL;
	int64_t req = 0, last = 0;
	size_t n = 0;

	listener = again();
	ck_assert_int_eq(db_listen(listener, "fieldgate_rules", &err), 0);
	ck_assert_int_eq(db_rule_reload_last_request(db, &last, &err), 0);
	ck_assert_int_eq(last, 0);
	ck_assert_int_eq(db_rule_reload_request(db, "ctl@test", &req, &err), 0);
	ck_assert_int_gt(req, 0);
	ck_assert_int_eq(db_rule_reload_last_request(db, &last, &err), 0);
	ck_assert_int_eq(last, req);
	/* the NOTIFY reached the listener */
	{
		int tries, got = 0;

		for (tries = 0; tries < 50 && got <= 0; tries++) {
			got = db_consume_notifications(
					listener, NULL, NULL, &err);
			if (got <= 0)
				usleep(20000);
		}
		ck_assert_int_gt(got, 0);
	}
	ck_assert_int_eq(
			db_rule_reload_record_for(db, &rr, req, NULL, &err), 0);
	ck_assert_int_ge(db_rule_reload_outcomes(db, req, &rows, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(!rows[0].ok);
	ck_assert_str_eq(rows[0].daemon_host, "h1");
	ck_assert_str_eq(rows[0].errors, "rules.conf:3: unknown key");
	db_rule_reload_rows_free(rows, n);
	db_free(listener);
	db_free(db);
}
END_TEST

/* One inbound message row (the columns a handled message needs). */
static int64_t inbound(struct db *db, const char *body)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
			"INSERT INTO inbound_messages (modem, sender, pdu_hex, "
			"body) VALUES ('m', '+8613900000003', '%02X', '%s') "
			"RETURNING id",
			(unsigned) (unsigned char) body[0], body);
	return scalar(db, sql);
}

START_TEST(test_finish_one_statement)
{
	struct db *db = fresh();
	struct db_error err;
	int64_t person = roster(db, NULL), m1, m2, m3, rid = -1, oid = -1,
		rid2 = 0;
	struct db_report_new n = {
			.ref = "R3001",
			.form_id = "daily",
			.person_id = person,
			.sender = "+8613900000003",
			.fields_json = "{\"sales\":120}",
			.raw_text = "日报120 3500 8",
			.period = "2026-06-01",
			.rules_hash = "h1",
	};
	struct db_outbound_new out = {.recipient = "+8613900000003",
			.text = "日报已收 号R3001",
			.priority = DB_PRIO_ACK,
			.kind = "ack"};

	m1 = inbound(db, "a");
	m2 = inbound(db, "b");
	m3 = inbound(db, "c");
	n.inbound_id = m1;
	out.in_reply_to = m1;
	ck_assert_int_eq(db_report_finish(db, &n, &out, m1, "handled", &rid,
					 &oid, &err),
			0);
	ck_assert_int_gt(rid, 0);
	ck_assert_int_gt(oid, 0);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM inbound_messages "
				    "WHERE state = 'handled' AND handled_at IS "
				    "NOT NULL"),
			1);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_messages "
				    "WHERE kind = 'ack' AND priority = 0 AND "
				    "body = '日报已收 号R3001'"),
			1);
	/* again: the reply is not queued twice, the report is refused */
	ck_assert_int_eq(db_report_finish(db, NULL, &out, m1, "handled", NULL,
					 &oid, &err),
			0);
	ck_assert_int_eq(oid, 0);
	ck_assert_int_eq(db_report_finish(db, &n, NULL, m1, "handled", NULL,
					 NULL, &err),
			-EEXIST);
	/* a resubmission replaces it */
	n.ref = "R3002";
	n.inbound_id = m2;
	n.replaces_id = rid;
	ck_assert_int_eq(db_report_finish(db, &n, NULL, m2, "handled", &rid2,
					 NULL, &err),
			0);
	ck_assert_int_eq(scalar(db, "SELECT replaced_by FROM reports WHERE "
				    "ref = 'R3001' AND status = 'replaced'"),
			rid2);
	/* neither report nor reply: the state alone */
	ck_assert_int_eq(db_report_finish(db, NULL, NULL, m3, "ignored", &rid,
					 &oid, &err),
			0);
	ck_assert_int_eq(rid, 0);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM inbound_messages "
				    "WHERE state = 'ignored'"),
			1);
	ck_assert_int_eq(db_report_finish(db, NULL, NULL, 999999, "handled",
					 NULL, NULL, &err),
			-ENOENT);
	ck_assert_int_eq(db_report_finish(db, NULL, NULL, m3, "stored", NULL,
					 NULL, &err),
			-EINVAL);
	db_free(db);
}
END_TEST

static Suite *reports_suite(void)
{
	Suite *s = suite_create("db_reports");
	TCase *tc = tcase_create("reports");

	tcase_add_test(tc, test_ref_sequence);
	tcase_add_test(tc, test_report_insert_and_lookups);
	tcase_add_test(tc, test_history_and_listing);
	tcase_add_test(tc, test_people_with_role);
	tcase_add_test(tc, test_finish_one_statement);
	suite_add_tcase(s, tc);
	tc = tcase_create("alerts");
	tcase_add_test(tc, test_alert_batching_and_dedupe);
	tcase_add_test(tc, test_alert_claim_concurrent);
	suite_add_tcase(s, tc);
	tc = tcase_create("reloads");
	tcase_add_test(tc, test_reload_requests);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{

	if (!getenv("FIELDGATE_TEST_CONNINFO")) {
		fprintf(stderr, "check_db_reports: run me through "
				"tests/pg/with-pg.sh\n");
		return 77;
	}
	return tu_run_suite(reports_suite());
}
