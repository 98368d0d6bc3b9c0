/*
 * check_db: db/ against a real PostgreSQL. Run through tests/pg/with-pg.sh
 * (tests/pg/run-check-db.sh), which exports FIELDGATE_TEST_CONNINFO. Each
 * test works in a schema of its own (search_path), so tests never see each
 * other's rows and "migrate from empty" really starts empty.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_internal.h"
#include "db/migrate.h"
#include "db/migrate_internal.h"
#include "db/store.h"
#include "tests/unit/testutil.h"

static char conninfo[512]; /* the current test's schema */

static const char *base_conninfo(void)
{
	const char *c = getenv("FIELDGATE_TEST_CONNINFO");

	return c ? c : "";
}

/* A connection to a brand-new empty schema; migrated when asked. */
static struct db *fresh(bool migrate)
{
	static int counter;
	struct db_error err;
	struct db *admin, *db;
	char schema[64], sql[128];
	int r;

	snprintf(schema, sizeof(schema), "t_%d_%d", (int) getpid(), counter++);
	r = db_connect(base_conninfo(), "check_db", 5, 30000, &admin, &err);
	ck_assert_msg(r == 0, "connect: %s", err.message);
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	ck_assert_int_ge(db_exec(admin, sql, 0, NULL, &err), 0);
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
	ck_assert_int_ge(db_exec(admin, sql, 0, NULL, &err), 0);
	db_free(admin);
	snprintf(conninfo, sizeof(conninfo), "%s options='-csearch_path=%s'",
			base_conninfo(), schema);
	r = db_connect(conninfo, "check_db", 5, 30000, &db, &err);
	ck_assert_msg(r == 0, "connect: %s", err.message);
	if (migrate) {
		r = db_migrate(db, NULL, &err);
		ck_assert_msg(r >= 1, "migrate: %d %s", r, err.message);
	}
	return db;
}

/* Another connection to the current test's schema. */
static struct db *again(void)
{
	struct db_error err;
	struct db *db;
	int r = db_connect(conninfo, "check_db2", 5, 30000, &db, &err);

	ck_assert_msg(r == 0, "connect: %s", err.message);
	return db;
}

/* One integer from a query (test helper; sql has no parameters). */
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

/* One text value (copied into buf). */
static const char *text_of(
		struct db *db, const char *sql, char *buf, size_t size)
{
	struct db_error err;
	PGresult *res;
	int r = db_query(db, sql, 0, NULL, &res, &err);

	ck_assert_msg(r == 0, "%s: %s", sql, err.message);
	r = db_get_text(res, 0, 0, buf, size, &err);
	PQclear(res);
	ck_assert_msg(r == 0, "%s: %s", sql, err.message);
	return buf;
}

/* ---- migrations ------------------------------------------------------ */

START_TEST(test_migrate_from_empty)
{
	struct db_error err;
	struct db *db = fresh(false);
	int v = -1, r;

	r = db_schema_check(db, &v, &err);
	ck_assert_int_eq(r, -ESTALE);
	ck_assert_ptr_nonnull(strstr(err.message, "migrate"));
	ck_assert_int_eq(v, -1); /* ret_ untouched on failure */
	r = db_migrate(db, &v, &err);
	/* one per file; versions may have gaps (NNNN of other branches) */
	ck_assert_int_eq(r, (int) db_migrations_count);
	ck_assert_int_eq(v, db_schema_version_known());
	ck_assert_int_eq(db_schema_check(db, &v, &err), 0);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM people"), 0);
	db_free(db);
}
END_TEST

START_TEST(test_migrate_twice_noop)
{
	struct db_error err;
	struct db *db = fresh(true);
	int v = 0;

	ck_assert_int_eq(db_migrate(db, &v, &err), 0);
	ck_assert_int_eq(v, db_schema_version_known());
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM schema_migrations"),
			(int64_t) db_migrations_count);
	db_free(db);
}
END_TEST

START_TEST(test_schema_newer_refused)
{
	struct db_error err;
	struct db *db = fresh(true);

	ck_assert_int_eq(db_exec(db,
					 "INSERT INTO schema_migrations "
					 "(version, name) VALUES (9999, "
					 "'future')",
					 0, NULL, &err),
			1);
	ck_assert_int_eq(db_schema_check(db, NULL, &err), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err.message, "newer"));
	ck_assert_int_eq(db_migrate(db, NULL, &err), -EPROTO);
	db_free(db);
}
END_TEST

/* ---- connection ------------------------------------------------------ */

START_TEST(test_connect_errors)
{
	struct db_error err;
	struct db *db = NULL;
	int r;

	r = db_connect("host=/nonexistent-fieldgate port=1 dbname=x", "t", 2, 0,
			&db, &err);
	ck_assert_int_eq(r, -ENOTCONN);
	ck_assert_ptr_null(db);
	ck_assert_ptr_nonnull(strstr(err.message, "cannot connect"));
	ck_assert_str_eq(err.sqlstate, "08001");
	ck_assert(db_is_connection_error(&err));

	r = db_connect("nonsense_keyword=1", "t", 2, 0, &db, &err);
	ck_assert_int_eq(r, -ENOTCONN);
	ck_assert_str_ne(err.message, "");
	ck_assert_ptr_null(db);

	/* a statement the server rejects is NOT a connection error */
	db = fresh(false);
	r = db_exec(db, "SELEC 1", 0, NULL, &err);
	ck_assert_int_eq(r, -EIO);
	ck_assert_str_eq(err.sqlstate, "42601");
	ck_assert(!db_is_connection_error(&err));
	/* nor is a bad argument */
	ck_assert_int_eq(db_people_add(db, "x", "n", DB_ROLE_REP, NULL, NULL,
					 NULL, &err),
			-EINVAL);
	ck_assert(!db_is_connection_error(&err));
	/* the session is set up as documented */
	{
		char buf[64];

		ck_assert_str_eq(text_of(db, "SHOW TimeZone", buf, sizeof(buf)),
				"UTC");
		ck_assert_str_eq(text_of(db, "SHOW statement_timeout", buf,
						 sizeof(buf)),
				"30s");
	}
	/* a killed backend is a connection error, and reconnect works */
	{
		struct db *other = again();
		char sql[128];

		snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)",
				PQbackendPID(db_conn(db)));
		ck_assert_int_ge(db_exec(other, sql, 0, NULL, &err), 0);
		r = db_exec(db, "SELECT 1", 0, NULL, &err);
		ck_assert_int_eq(r, -ENOTCONN);
		ck_assert(db_is_connection_error(&err));
		ck_assert_int_eq(db_reconnect(db, &err), 0);
		ck_assert_int_eq(scalar(db, "SELECT 41 + 1"), 42);
		db_free(other);
	}
	/* statement_timeout gives -ETIMEDOUT */
	{
		struct db *slow;

		r = db_connect(conninfo, "t", 2, 100, &slow, &err);
		ck_assert_int_eq(r, 0);
		r = db_exec(slow, "SELECT pg_sleep(5)", 0, NULL, &err);
		ck_assert_int_eq(r, -ETIMEDOUT);
		db_free(slow);
	}
	db_free(db);
}
END_TEST

/* ---- people ---------------------------------------------------------- */

static const struct {
	const char *in;
	const char *out; /* NULL: rejected */
} phone_cases[] = {
		{"+86 138-0013-8000", "+8613800138000"},
		{"008613800138000", "+8613800138000"},
		{"(010) 1234.5678", "01012345678"},
		{"10086", "10086"},
		{"+", NULL},
		{"12", NULL},
		{"138001380a0", NULL},
		{"1+38", NULL},
		{"", NULL},
		{"123456789012345678901", NULL},
};

START_TEST(test_phone_normalize)
{
	char out[DB_PHONE_MAX] = "untouched";
	int r = db_phone_normalize(phone_cases[_i].in, out);

	if (phone_cases[_i].out) {
		ck_assert_int_eq(r, 0);
		ck_assert_str_eq(out, phone_cases[_i].out);
	} else {
		ck_assert_int_eq(r, -EINVAL);
		ck_assert_str_eq(out, "untouched");
	}
}
END_TEST

START_TEST(test_people)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_person p, *list;
	size_t n;
	int64_t sup, rep;

	ck_assert_int_eq(db_people_add(db, "+86 139 0000 0001", "王经理",
					 DB_ROLE_SUPERVISOR, NULL, "华东", &sup,
					 &err),
			0);
	ck_assert_int_eq(
			db_people_add(db, "+8613900000002", "李明", DB_ROLE_REP,
					"+8613900000001", "上海", &rep, &err),
			0);
	ck_assert_int_eq(db_people_add(db, "+8613900000002", "dup", DB_ROLE_REP,
					 NULL, NULL, NULL, &err),
			-EEXIST);
	ck_assert_int_eq(db_people_add(db, "+8613900000003", "x", DB_ROLE_REP,
					 "+8613999999999", NULL, NULL, &err),
			-ENOENT);
	ck_assert_int_eq(db_people_add(db, "abc", "x", DB_ROLE_REP, NULL, NULL,
					 NULL, &err),
			-EINVAL);
	ck_assert_int_eq(db_people_lookup(db, "008613900000002", &p, &err), 0);
	ck_assert_int_eq(p.id, rep);
	ck_assert_str_eq(p.name, "李明");
	ck_assert_int_eq(p.role, DB_ROLE_REP);
	ck_assert_int_eq(p.supervisor_id, sup);
	ck_assert_str_eq(p.supervisor_phone, "+8613900000001");
	ck_assert_str_eq(p.territory, "上海");
	ck_assert_int_eq(db_people_lookup(db, "+8613900000009", &p, &err),
			-ENOENT);
	ck_assert_int_eq(db_people_list(db, &list, &n, &err), 2);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(list[0].role, DB_ROLE_REP); /* by role text */
	ck_assert_int_eq(list[1].role, DB_ROLE_SUPERVISOR);
	free(list);
	db_free(db);
}
END_TEST

START_TEST(test_injection_verbatim)
{
	static const char evil[] =
			"Robert'); DROP TABLE people; -- \\' $1 \"x\" 日报";
	struct db_error err;
	struct db *db = fresh(true);
	struct db_person p;
	struct db_outbound_new o = {.recipient = "+8613900000005",
			.text = evil,
			.priority = 2};
	struct db_outbox_row *rows;
	size_t n;
	int64_t id;

	ck_assert_int_eq(db_people_add(db, "+8613900000005", evil, DB_ROLE_REP,
					 NULL, evil, NULL, &err),
			0);
	ck_assert_int_eq(db_people_lookup(db, "+8613900000005", &p, &err), 0);
	ck_assert_str_eq(p.name, evil);
	ck_assert_str_eq(p.territory, evil);
	ck_assert_int_eq(db_outbound_enqueue(db, &o, &id, NULL, &err), 0);
	ck_assert_int_eq(db_outbox_list(db, NULL, &rows, &n, &err), 1);
	ck_assert_str_eq(rows[0].text, evil);
	db_outbox_rows_free(rows, n);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM people"), 1);
	/* a number filter that is not a number is refused, not run */
	{
		struct db_list_filter f = {.number = "1' OR '1'='1"};

		ck_assert_int_eq(db_outbox_list(db, &f, &rows, &n, &err),
				-EINVAL);
	}
	db_free(db);
}
END_TEST

/* ---- inbound --------------------------------------------------------- */

static struct db_inbound sample_inbound(void)
{
	struct db_inbound m = {
			.modem = "m1",
			.sim_imsi = "460001234567890",
			.sender = "+8613900000002",
			.sender_ton = 1,
			.smsc = "+8613800210500",
			.scts = 1767225600,
			.scts_tz_minutes = 480,
			.pdu_hex = "0891683108200105F0040D91683109000000F20008",
			.text = "日报 120",
			.dcs = 8,
			.encoding = "ucs2",
	};
	return m;
}

START_TEST(test_inbound_idempotent)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_inbound m = sample_inbound();
	int64_t id1, id2, id3;
	bool is_new = false;

	ck_assert_int_eq(db_inbound_store(db, &m, &id1, &is_new, &err), 0);
	ck_assert(is_new);
	/* same PDU read again (lower case hex this time) */
	m.pdu_hex = "0891683108200105f0040d91683109000000f20008";
	ck_assert_int_eq(db_inbound_store(db, &m, &id2, &is_new, &err), 0);
	ck_assert(!is_new);
	ck_assert_int_eq(id1, id2);
	/* a different PDU is a different message */
	m.pdu_hex = "0891683108200105F0040D91683109000000F20009";
	ck_assert_int_eq(db_inbound_store(db, &m, &id3, &is_new, &err), 0);
	ck_assert(is_new);
	ck_assert_int_ne(id3, id1);
	ck_assert_int_eq(
			scalar(db, "SELECT count(*) FROM inbound_messages"), 2);

	/* an undecodable PDU: kept raw, marked, stored once */
	{
		struct db_inbound bad = {
				.modem = "m1",
				.sim_imsi = "460001234567890",
				.sender_ton = -1,
				.dcs = -1,
				.pdu_hex = "07FFFF",
				.decode_error = "TP-OA length 255 exceeds PDU",
		};
		int64_t b1, b2;

		ck_assert_int_eq(db_inbound_store(db, &bad, &b1, &is_new, &err),
				0);
		ck_assert(is_new);
		ck_assert_int_eq(db_inbound_store(db, &bad, &b2, &is_new, &err),
				0);
		ck_assert(!is_new);
		ck_assert_int_eq(b1, b2);
	}
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM inbound_messages "
				    "WHERE decode_error IS NOT NULL "
				    "AND pdu_hex = '07FFFF'"),
			1);
	ck_assert_int_eq(db_inbound_set_state(db, id1, "handled", NULL, &err),
			0);
	ck_assert_int_eq(
			db_inbound_set_state(db, 999999, "handled", NULL, &err),
			-ENOENT);
	db_free(db);
}
END_TEST

static struct db_inbound_part part_of(int seq, const char *pdu, int64_t scts)
{
	struct db_inbound_part p = {
			.msg = sample_inbound(),
			.concat_ref = 77,
			.concat_16bit = false,
			.total = 3,
			.seq = seq,
	};
	p.msg.pdu_hex = pdu;
	p.msg.scts = scts;
	p.msg.text = pdu; /* the test's "decoded text" */
	return p;
}

START_TEST(test_parts_assembly)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_inbound_part p3 = part_of(3, "0C", 1767225602);
	struct db_inbound_part p1 = part_of(1, "0A", 1767225600);
	struct db_inbound_part p2 = part_of(2, "0B", 1767225601);
	struct db_part_group g;
	struct db_part_row *rows;
	size_t n;
	int64_t ids[3], id, again_id, msg;
	bool is_new;

	/* out of order, and part 1 twice */
	ck_assert_int_eq(db_inbound_store_part(db, &p3, &ids[2], &is_new, &err),
			0);
	ck_assert(is_new);
	ck_assert_int_eq(db_inbound_store_part(db, &p1, &ids[0], &is_new, &err),
			0);
	ck_assert_int_eq(db_inbound_store_part(
					 db, &p1, &again_id, &is_new, &err),
			0);
	ck_assert(!is_new);
	ck_assert_int_eq(again_id, ids[0]);
	ck_assert_int_eq(db_inbound_store_part(db, &p2, &ids[1], &is_new, &err),
			0);
	db_part_group_from_part(&p2, &g);
	ck_assert_int_eq(db_inbound_load_group(db, &g, &rows, &n, &err), 3);
	ck_assert_int_eq(rows[0].seq, 1);
	ck_assert_int_eq(rows[1].seq, 2);
	ck_assert_int_eq(rows[2].seq, 3);
	ck_assert_str_eq(rows[0].text, "0A");
	ck_assert_int_eq(rows[0].scts, 1767225600);
	db_part_rows_free(rows, n);
	{
		struct db_assembled as = {
				.part_ids = ids,
				.n_parts = 3,
				.text = "0A0B0C",
				.dcs = 8,
				.encoding = "ucs2",
				.scts = 1767225600,
				.scts_tz_minutes = 480,
				.sender_ton = 1,
		};

		ck_assert_int_eq(db_inbound_assemble(db, &g, &as, &msg, &err),
				0);
		/* a second assembly of the same parts is refused */
		ck_assert_int_eq(db_inbound_assemble(db, &g, &as, &id, &err),
				-EALREADY);
	}
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM inbound_messages "
				    "WHERE kind = 'assembled' AND part_count = "
				    "3 "
				    "AND NOT partial AND body = '0A0B0C'"),
			1);
	ck_assert_int_eq(db_inbound_load_group(db, &g, &rows, &n, &err), 0);
	db_part_rows_free(rows, n);
	/* a part read again after assembly stays a no-op */
	ck_assert_int_eq(db_inbound_store_part(db, &p2, &id, &is_new, &err), 0);
	ck_assert(!is_new);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM inbound_parts"), 3);

	/* the reference reused later: a new group, incomplete -> partial */
	{
		struct db_inbound_part q1 = part_of(1, "1A", 1767229200);
		struct db_part_group *stale;
		int missing[] = {2, 3};
		int64_t qid;

		ck_assert_int_eq(db_inbound_store_part(
						 db, &q1, &qid, &is_new, &err),
				0);
		ck_assert(is_new);
		ck_assert_int_eq(db_inbound_stale_groups(
						 db, 3600, &stale, &n, &err),
				0);
		free(stale);
		ck_assert_int_eq(db_inbound_stale_groups(
						 db, 0, &stale, &n, &err),
				1);
		ck_assert_int_eq(stale[0].have, 1);
		ck_assert_int_eq(stale[0].total, 3);
		ck_assert_int_eq(stale[0].concat_ref, 77);
		ck_assert_str_eq(stale[0].modem, "m1");
		{
			struct db_assembled as = {
					.part_ids = &qid,
					.n_parts = 1,
					.text = "1A",
					.partial = true,
					.missing = missing,
					.n_missing = 2,
					.dcs = -1,
					.sender_ton = -1,
			};

			ck_assert_int_eq(db_inbound_assemble(db, &stale[0], &as,
							 &msg, &err),
					0);
		}
		free(stale);
	}
	ck_assert_int_eq(
			scalar(db, "SELECT count(*) FROM inbound_messages "
				   "WHERE partial AND missing_parts = '{2,3}'"),
			1);
	db_free(db);
}
END_TEST

/* ---- outbound -------------------------------------------------------- */

static int64_t enqueue(struct db *db, const char *to, const char *text,
		int prio, const char *kind)
{
	struct db_outbound_new o = {.recipient = to,
			.text = text,
			.priority = prio,
			.kind = kind};
	struct db_error err;
	int64_t id;
	int r = db_outbound_enqueue(db, &o, &id, NULL, &err);

	ck_assert_msg(r == 0, "enqueue: %s", err.message);
	return id;
}

START_TEST(test_ack_once)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_inbound m = sample_inbound();
	struct db_outbound_new o = {.recipient = "+8613900000002",
			.text = "已收到 #1",
			.priority = DB_PRIO_ACK,
			.kind = "ack"};
	int64_t in, a1, a2;
	bool is_new;

	ck_assert_int_eq(db_inbound_store(db, &m, &in, NULL, &err), 0);
	o.in_reply_to = in;
	ck_assert_int_eq(db_outbound_enqueue(db, &o, &a1, &is_new, &err), 0);
	ck_assert(is_new);
	/* the daemon crashed and handles the message again */
	ck_assert_int_eq(db_outbound_enqueue(db, &o, &a2, &is_new, &err), 0);
	ck_assert(!is_new);
	ck_assert_int_eq(a1, a2);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_messages"),
			1);
	db_free(db);
}
END_TEST

START_TEST(test_claim_priority)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_outbound_msg *m;
	size_t n;
	int64_t bulk, alert, ack, later, other;

	bulk = enqueue(db, "+8613900000001", "bulk", DB_PRIO_BULK, "bulk");
	alert = enqueue(db, "+8613900000002", "alert", DB_PRIO_ALERT, "alert");
	ack = enqueue(db, "+8613900000003", "ack", DB_PRIO_ACK, "ack");
	{
		struct db_outbound_new o = {.recipient = "+8613900000004",
				.text = "later",
				.priority = 0,
				.not_before = time(NULL) + 3600};
		ck_assert_int_eq(
				db_outbound_enqueue(db, &o, &later, NULL, &err),
				0);
	}
	{
		struct db_outbound_new o = {.recipient = "+8613900000005",
				.text = "via m2",
				.priority = 0,
				.requested_modem = "m2"};
		ck_assert_int_eq(
				db_outbound_enqueue(db, &o, &other, NULL, &err),
				0);
	}
	ck_assert_int_eq(db_outbound_claim(db, "d1", "m1", false, 10, &m, &n,
					 &err),
			3);
	ck_assert_int_eq(m[0].id, ack);
	ck_assert_int_eq(m[1].id, alert);
	ck_assert_int_eq(m[2].id, bulk);
	ck_assert_str_eq(m[0].text, "ack");
	ck_assert_int_eq(m[0].attempts, 1);
	db_outbound_msgs_free(m, n);
	/* nothing left for m1; m2's message goes when m1 may take others */
	ck_assert_int_eq(db_outbound_claim(db, "d1", "m1", false, 10, &m, &n,
					 &err),
			0);
	db_outbound_msgs_free(m, n);
	ck_assert_int_eq(db_outbound_claim(db, "d1", "m1", true, 10, &m, &n,
					 &err),
			1);
	ck_assert_int_eq(m[0].id, other);
	db_outbound_msgs_free(m, n);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_messages "
				    "WHERE state = 'queued'"),
			1); /* later */
	(void) later;
	db_free(db);
}
END_TEST

/* Claims until the queue is empty; returns how many it got. */
static int claim_all(struct db *db, const char *who)
{
	struct db_outbound_msg *m;
	struct db_error err;
	size_t n;
	int total = 0, r;

	do {
		r = db_outbound_claim(db, who, "m1", true, 3, &m, &n, &err);
		ck_assert_msg(r >= 0, "claim: %s", err.message);
		db_outbound_msgs_free(m, n);
		total += r;
	} while (r > 0);
	return total;
}

START_TEST(test_claim_concurrent)
{
	enum { N = 300 };
	struct db_error err;
	struct db *db = fresh(true);
	int fds[2], mine, theirs = -1, status, i;
	pid_t pid;

	ck_assert_int_eq(db_begin(db, &err), 0);
	for (i = 0; i < N; i++)
		enqueue(db, "+8613900000001", "x", i % 3, "bulk");
	ck_assert_int_eq(db_commit(db, &err), 0);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct db *child = again();
		int got = claim_all(child, "child");

		db_free(child);
		if (write(fds[1], &got, sizeof(got)) != sizeof(got))
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	mine = claim_all(db, "parent");
	ck_assert_int_eq(read(fds[0], &theirs, sizeof(theirs)), sizeof(theirs));
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* every message handed out exactly once */
	ck_assert_int_eq(mine + theirs, N);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_messages "
				    "WHERE attempts = 1 AND state = 'sending'"),
			N);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_messages "
				    "WHERE claimed_by = 'parent'"),
			mine);
	db_free(db);
}
END_TEST

/* A message of two PDU parts; its first part alone is a one-part message. */
static const struct db_outbound_part_new parts2[] = {
		{1, "0041000D91683109000000F1000801", 20},
		{2, "0041010D91683109000000F1000802", 20},
};

static int64_t claim_one(struct db *db, int64_t expect,
		const struct db_outbound_part_new *parts, size_t n)
{
	struct db_outbound_msg *m;
	struct db_error err;
	size_t cnt;

	ck_assert_int_eq(db_outbound_claim(db, "d1", "m1", true, 1, &m, &cnt,
					 &err),
			1);
	ck_assert_int_eq(m[0].id, expect);
	db_outbound_msgs_free(m, cnt);
	ck_assert_int_eq(db_outbound_add_parts(db, expect, parts, n, &err),
			(int) n);
	/* idempotent */
	ck_assert_int_eq(db_outbound_add_parts(db, expect, parts, n, &err), 0);
	return expect;
}

static char *msg_state(struct db *db, int64_t id, char *buf, size_t size)
{
	char sql[128];

	snprintf(sql, sizeof(sql),
			"SELECT state FROM outbound_messages WHERE id = %lld",
			(long long) id);
	text_of(db, sql, buf, size);
	return buf;
}

START_TEST(test_part_states)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_outbound_part *p;
	char st[16];
	size_t n;
	int64_t id;

	id = claim_one(db,
			enqueue(db, "+8613900000001", "two parts", 2, "manual"),
			parts2, 2);
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 2);
	ck_assert_int_eq(p[0].state, DB_PART_QUEUED);
	ck_assert_str_eq(p[0].pdu_hex, "0041000D91683109000000F1000801");
	ck_assert_int_eq(p[0].mr, -1);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "sending");

	/* part 1: submitting -> submitted; not twice */
	ck_assert_int_eq(db_outbound_part_submitted(db, p[0].id, 7, &err),
			-ESTALE);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[0].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_submitted(db, p[0].id, 7, &err), 0);
	ck_assert_int_eq(db_outbound_part_submitted(db, p[0].id, 8, &err),
			-ESTALE);
	ck_assert_int_eq(db_outbound_part_submitted(db, p[1].id, 300, &err),
			-EINVAL);
	/* part 2: a temporary error, then it goes */
	ck_assert_int_eq(db_outbound_part_submitting(db, p[1].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_retry(db, p[1].id, 332,
					 "network timeout", 0, &err),
			0);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "sending");
	ck_assert_int_eq(db_outbound_part_submitting(db, p[1].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_submitted(db, p[1].id, 8, &err), 0);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "sent");
	ck_assert_int_eq(scalar(db, "SELECT max(attempts) FROM outbound_parts"),
			2);
	/* delivery reports for both parts (number in national format) */
	ck_assert_int_eq(db_outbound_match_report(db, "m1", 7, "13900000001", 0,
					 600, NULL, &err),
			0);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "sent");
	ck_assert_int_eq(db_outbound_match_report(db, "m1", 8, "+8613900000001",
					 0, 600, NULL, &err),
			0);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "delivered");
	db_outbound_parts_free(p, n);

	/* unknown: the modem went silent after the PDU */
	id = claim_one(db, enqueue(db, "+8613900000002", "u", 2, "manual"),
			parts2, 1);
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 1);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[0].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_unknown(db, p[0].id, "timeout", &err),
			0);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "unknown");
	db_outbound_parts_free(p, n);

	/* failed: permanent error */
	id = claim_one(db, enqueue(db, "+8613900000003", "f", 2, "manual"),
			parts2, 2);
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 2);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[0].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_failed(db, p[0].id, 28,
					 "unidentified subscriber", &err),
			0);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "failed");
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_messages "
				    "WHERE last_error = 'unidentified "
				    "subscriber'"),
			1);
	db_outbound_parts_free(p, n);

	/* a failure status report (TP-ST 0x41) fails the part */
	id = claim_one(db, enqueue(db, "+8613900000004", "r", 2, "manual"),
			parts2, 1);
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 1);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[0].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_submitted(db, p[0].id, 9, &err), 0);
	ck_assert_int_eq(db_outbound_match_report(db, "m1", 9, "+8613900000004",
					 0x41, 600, NULL, &err),
			0);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "failed");
	db_outbound_parts_free(p, n);
	db_free(db);
}
END_TEST

START_TEST(test_report_mr_wrap)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_outbound_part *p;
	size_t n;
	int64_t old_msg, new_msg, old_part, new_part, got = 0;

	/* an old part with TP-MR 5, and 256 submits later MR 5 again */
	old_msg = claim_one(db, enqueue(db, "+8613900000001", "old", 2, "m"),
			parts2, 1);
	ck_assert_int_eq(db_outbound_load_parts(db, old_msg, &p, &n, &err), 1);
	old_part = p[0].id;
	db_outbound_parts_free(p, n);
	ck_assert_int_eq(db_outbound_part_submitting(db, old_part, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_submitted(db, old_part, 5, &err), 0);
	ck_assert_int_eq(db_exec(db,
					 "UPDATE outbound_parts SET "
					 "submitted_at "
					 "= now() - interval '2 hours'",
					 0, NULL, &err),
			1);
	new_msg = claim_one(db, enqueue(db, "+8613900000001", "new", 2, "m"),
			parts2, 1);
	ck_assert_int_eq(db_outbound_load_parts(db, new_msg, &p, &n, &err), 1);
	new_part = p[0].id;
	db_outbound_parts_free(p, n);
	ck_assert_int_eq(db_outbound_part_submitting(db, new_part, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_submitted(db, new_part, 5, &err), 0);

	/* the newest part with that MR wins */
	ck_assert_int_eq(db_outbound_match_report(db, "m1", 5, "+8613900000001",
					 0, 86400, &got, &err),
			0);
	ck_assert_int_eq(got, new_part);
	/* another modem's MR 5 is not ours; a wrong recipient neither */
	ck_assert_int_eq(db_outbound_match_report(db, "m2", 5, "+8613900000001",
					 0, 86400, NULL, &err),
			-ENOENT);
	ck_assert_int_eq(db_outbound_match_report(db, "m1", 5, "+8613900000999",
					 0, 86400, NULL, &err),
			-ENOENT);
	/* outside the window the old part is not matched */
	ck_assert_int_eq(db_exec(db,
					 "UPDATE outbound_parts SET "
					 "submitted_at "
					 "= now() - interval '3 hours' WHERE "
					 "mr = 5 "
					 "AND state = 'delivered'",
					 0, NULL, &err),
			1);
	ck_assert_int_eq(db_outbound_match_report(db, "m1", 5, "+8613900000001",
					 0, 3600, NULL, &err),
			-ENOENT);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_parts "
				    "WHERE state = 'delivered'"),
			1);
	(void) old_msg;
	db_free(db);
}
END_TEST

START_TEST(test_recover_and_expire)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_outbound_part *p;
	struct db_outbound_msg *m;
	char st[16];
	size_t n;
	int64_t id, exp;

	id = claim_one(db, enqueue(db, "+8613900000001", "crash", 2, "m"),
			parts2, 2);
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 2);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[0].id, "m1", &err),
			0);
	db_outbound_parts_free(p, n);
	/* the daemon dies here and restarts */
	ck_assert_int_eq(db_outbound_recover(db, "other", 0, &err), 0);
	ck_assert_int_eq(db_outbound_recover(db, "d1", 0, &err), 1);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "queued");
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 2);
	ck_assert_int_eq(p[0].state, DB_PART_UNKNOWN); /* not resent */
	ck_assert_int_eq(p[1].state, DB_PART_QUEUED);
	db_outbound_parts_free(p, n);
	ck_assert_int_eq(db_outbound_claim(db, "d2", "m1", false, 5, &m, &n,
					 &err),
			1);
	ck_assert_int_eq(m[0].attempts, 2);
	db_outbound_msgs_free(m, n);

	{
		struct db_outbound_new o = {.recipient = "+8613900000002",
				.text = "stale",
				.priority = 2,
				.expires_at = time(NULL) - 1};
		ck_assert_int_eq(db_outbound_enqueue(db, &o, &exp, NULL, &err),
				0);
	}
	ck_assert_int_eq(db_outbound_expire(db, &err), 1);
	ck_assert_str_eq(msg_state(db, exp, st, sizeof(st)), "expired");
	ck_assert_int_eq(db_outbound_expire(db, &err), 0);
	db_free(db);
}
END_TEST

/* Issue 10 §5: another daemon takes over a claim whose lease ran out. */
START_TEST(test_lease_takeover)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_outbound_part *p;
	char st[16];
	size_t n;
	int64_t id, ms = 0;
	int taken = -1;

	id = claim_one(db, enqueue(db, "+8613900000003", "lease", 2, "m"),
			parts2, 2);
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 2);
	ck_assert_int_eq(db_outbound_part_submitting_as(
					 db, p[0].id, "m1", "d1", &err),
			0);
	/* a live lease is not taken, and renewing it keeps it alive */
	ck_assert_int_eq(db_outbound_takeover(db, "d2", &taken, &err), 0);
	ck_assert_int_eq(taken, 0);
	ck_assert_int_eq(db_outbound_next_lease_end(db, "d2", &ms, &err), 1);
	ck_assert(ms > 0 && ms <= DB_LEASE_DEFAULT_S * 1000);
	ck_assert_int_eq(db_outbound_next_lease_end(db, "d1", &ms, &err), 0);
	ck_assert_int_eq(db_outbound_renew(db, "d1", 30, &err), 1);
	ck_assert_int_eq(db_outbound_renew(db, "d2", 30, &err), 0);
	/* d1 dies: its lease runs out */
	ck_assert_int_eq(scalar(db, "WITH u AS (UPDATE outbound_messages SET "
				    "lease_until = now() - interval '1 s' "
				    "RETURNING 1) SELECT count(*) FROM u"),
			1);
	ck_assert_int_eq(db_outbound_takeover(db, "d1", &taken, &err), 0);
	ck_assert_int_eq(db_outbound_takeover(db, "d2", &taken, &err), 1);
	ck_assert_int_eq(taken, 1);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "queued");
	db_outbound_parts_free(p, n);
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 2);
	ck_assert_int_eq(p[0].state, DB_PART_UNKNOWN); /* never resent */
	ck_assert_int_eq(p[1].state, DB_PART_QUEUED);
	/* the dead daemon's claim is gone: it may not hand over part 2 */
	ck_assert_int_eq(db_outbound_part_submitting_as(
					 db, p[1].id, "m1", "d1", &err),
			-ESTALE);
	db_outbound_parts_free(p, n);
	ck_assert_int_eq(db_outbound_takeover(db, "d2", &taken, &err), 0);
	ck_assert_int_eq(taken, 0);
	db_free(db);
}
END_TEST

/* One part, claimed by d1 on m1 and handed to the modem (submitting). */
static int64_t one_submitting(struct db *db, const char *to)
{
	struct db_outbound_part *p;
	struct db_error err;
	size_t n;
	int64_t id;

	id = claim_one(db, enqueue(db, to, "one", 2, "m"), parts2, 1);
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 1);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[0].id, "m1", &err),
			0);
	db_outbound_parts_free(p, n);
	return id;
}

START_TEST(test_recover_single_part)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_outbound_msg *m;
	char st[16];
	size_t n;
	int64_t never, resend;

	/* resend policy off: the part may have gone out, the message is
	 * 'unknown', not queued, and nothing is left claimed */
	never = one_submitting(db, "+8613900000001");
	ck_assert_int_eq(db_outbound_recover(db, "d1", 0, &err), 0);
	ck_assert_str_eq(msg_state(db, never, st, sizeof(st)), "unknown");
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_parts "
				    "WHERE state = 'unknown'"),
			1);
	ck_assert_int_eq(db_outbound_claim(
					 db, "d2", "m1", true, 5, &m, &n, &err),
			0);
	db_outbound_msgs_free(m, n);

	/* resend policy on: recovery alone queues the message again (its
	 * part stays 'unknown' until the claimer re-queues it with TP-RD) */
	resend = one_submitting(db, "+8613900000002");
	ck_assert_int_eq(db_outbound_recover(db, "d1", 3, &err), 2);
	ck_assert_str_eq(msg_state(db, resend, st, sizeof(st)), "queued");
	ck_assert_str_eq(msg_state(db, never, st, sizeof(st)), "queued");
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_messages "
				    "WHERE claimed_by IS NOT NULL"),
			0);
	ck_assert_int_eq(db_outbound_claim(
					 db, "d2", "m1", true, 5, &m, &n, &err),
			2);
	db_outbound_msgs_free(m, n);
	ck_assert_int_eq(db_outbound_requeue_unknown_parts(db, resend, 3, &err),
			1);
	/* the refreshed state of a message with a queued part: sending */
	ck_assert_str_eq(msg_state(db, resend, st, sizeof(st)), "sending");
	db_free(db);
}
END_TEST

START_TEST(test_recover_keeps_backoff)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_outbound_part *p;
	struct db_outbound_msg *m;
	char st[16];
	size_t n;
	int64_t id, due = 0;

	/* part 1 waits 30 s after a temporary error, part 2 was being
	 * submitted: the daemon lost the database before re-queueing */
	id = claim_one(db, enqueue(db, "+8613900000001", "two", 2, "m"), parts2,
			2);
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 2);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[0].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_retry(
					 db, p[0].id, 332, "busy", 30, &err),
			0);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[1].id, "m1", &err),
			0);
	db_outbound_parts_free(p, n);
	ck_assert_int_eq(db_outbound_recover(db, "d1", 0, &err), 1);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "queued");
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 2);
	ck_assert_int_eq(p[0].state, DB_PART_QUEUED);
	ck_assert_int_eq(p[1].state, DB_PART_UNKNOWN);
	db_outbound_parts_free(p, n);
	/* not claimable before the retry is due */
	ck_assert_int_eq(db_outbound_claim(
					 db, "d2", "m1", true, 5, &m, &n, &err),
			0);
	db_outbound_msgs_free(m, n);
	ck_assert_int_eq(db_outbound_next_due(db, &due, &err), 1);
	ck_assert_int_gt(due, 25000);
	ck_assert_int_le(due, 30000);
	db_free(db);
}
END_TEST

START_TEST(test_requeue_refresh)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_outbound_part *p;
	struct db_outbound_msg *m;
	char st[16];
	size_t n;
	int64_t id, sent, unk, due = 0;

	id = claim_one(db, enqueue(db, "+8613900000001", "later", 2, "m"),
			parts2, 1);
	ck_assert_int_eq(db_outbound_requeue(db, id, -1, &err), -EINVAL);
	ck_assert_int_eq(db_outbound_requeue(db, id, 60, &err), 1);
	ck_assert_str_eq(msg_state(db, id, st, sizeof(st)), "queued");
	ck_assert_int_eq(
			scalar(db, "SELECT count(*) FROM outbound_messages "
				   "WHERE claimed_by IS NULL AND modem IS NULL "
				   "AND not_before > now() + interval '50 s'"),
			1);
	/* only a 'sending' message is re-queued */
	ck_assert_int_eq(db_outbound_requeue(db, id, 0, &err), 0);
	ck_assert_int_eq(db_outbound_claim(
					 db, "d1", "m1", true, 5, &m, &n, &err),
			0);
	db_outbound_msgs_free(m, n);
	ck_assert_int_eq(db_outbound_next_due(db, &due, &err), 1);
	ck_assert_int_gt(due, 55000);
	ck_assert_int_le(due, 60000);
	ck_assert_int_eq(db_exec(db, "DELETE FROM outbound_messages", 0, NULL,
					 &err),
			1);

	/* a re-claimed message whose parts are all done: refresh says so */
	sent = claim_one(db, enqueue(db, "+8613900000002", "s", 2, "m"), parts2,
			1);
	ck_assert_int_eq(db_outbound_load_parts(db, sent, &p, &n, &err), 1);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[0].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_submitted(db, p[0].id, 7, &err), 0);
	db_outbound_parts_free(p, n);
	ck_assert_int_ge(db_exec(db,
					 "UPDATE outbound_messages SET state = "
					 "'sending'",
					 0, NULL, &err),
			1);
	ck_assert_int_eq(db_outbound_refresh(db, sent, &err), 0);
	ck_assert_str_eq(msg_state(db, sent, st, sizeof(st)), "sent");

	/* the resend policy for whole messages: this daemon's, attempts
	 * below the bound */
	unk = one_submitting(db, "+8613900000003");
	ck_assert_int_eq(db_outbound_load_parts(db, unk, &p, &n, &err), 1);
	ck_assert_int_eq(db_outbound_part_unknown(db, p[0].id, "timeout", &err),
			0);
	db_outbound_parts_free(p, n);
	ck_assert_str_eq(msg_state(db, unk, st, sizeof(st)), "unknown");
	ck_assert_int_eq(db_outbound_requeue_unknown(db, "d2", 3, &err), 0);
	ck_assert_int_eq(db_outbound_requeue_unknown(db, "d1", 1, &err), 0);
	ck_assert_int_eq(db_outbound_requeue_unknown(db, "d1", 0, &err),
			-EINVAL);
	ck_assert_int_eq(db_outbound_requeue_unknown(db, "d1", 3, &err), 1);
	ck_assert_str_eq(msg_state(db, unk, st, sizeof(st)), "queued");
	ck_assert_int_eq(
			db_outbound_requeue_unknown_parts(db, unk, 1, &err), 0);
	ck_assert_int_eq(
			db_outbound_requeue_unknown_parts(db, unk, 2, &err), 1);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM outbound_parts "
				    "WHERE state = 'queued'"),
			1);
	db_free(db);
}
END_TEST

START_TEST(test_next_due)
{
	struct db_error err;
	struct db *db = fresh(true);
	int64_t due = -7;

	ck_assert_int_eq(db_outbound_next_due(db, &due, &err), 0);
	ck_assert_int_eq(due, -7);
	/* due now: claimed, not reported as a future event */
	enqueue(db, "+8613900000001", "now", 2, "m");
	ck_assert_int_eq(db_outbound_next_due(db, &due, &err), 0);
	ck_assert_int_ge(db_exec(db,
					 "INSERT INTO outbound_messages "
					 "(recipient, body, not_before) VALUES "
					 "('+8613900000002', 'a', now() + "
					 "interval '5 s'), ('+8613900000003', "
					 "'b', "
					 "now() + interval '1 hour')",
					 0, NULL, &err),
			2);
	ck_assert_int_eq(db_outbound_next_due(db, &due, &err), 1);
	ck_assert_int_gt(due, 4000);
	ck_assert_int_le(due, 5000);
	/* a message no longer queued does not count */
	ck_assert_int_eq(db_exec(db,
					 "UPDATE outbound_messages SET state = "
					 "'cancelled' WHERE body = 'a'",
					 0, NULL, &err),
			1);
	ck_assert_int_eq(db_outbound_next_due(db, &due, &err), 1);
	ck_assert_int_gt(due, 3500 * 1000);
	db_free(db);
}
END_TEST

START_TEST(test_restart_counters)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_inbound in = sample_inbound();
	struct db_outbound_part *p;
	struct db_reply_count *rc;
	int64_t id, inb, cnt = -1, now = (int64_t) time(NULL);
	size_t n;

	/* daily cap: parts handed to m1 today, however they ended */
	id = claim_one(db, enqueue(db, "+8613900000001", "x", 2, "m"), parts2,
			2);
	ck_assert_int_eq(db_outbound_modem_parts_since(
					 db, "m1", now - 60, &cnt, &err),
			0);
	ck_assert_int_eq(cnt, 0); /* nothing handed over yet */
	ck_assert_int_eq(db_outbound_load_parts(db, id, &p, &n, &err), 2);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[0].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_submitted(db, p[0].id, 1, &err), 0);
	ck_assert_int_eq(db_outbound_part_submitting(db, p[1].id, "m1", &err),
			0);
	ck_assert_int_eq(db_outbound_part_failed(db, p[1].id, 500, "x", &err),
			0);
	db_outbound_parts_free(p, n);
	ck_assert_int_eq(db_outbound_modem_parts_since(
					 db, "m1", now - 60, &cnt, &err),
			0);
	ck_assert_int_eq(cnt, 2);
	ck_assert_int_eq(db_outbound_modem_parts_since(
					 db, "m2", now - 60, &cnt, &err),
			0);
	ck_assert_int_eq(cnt, 0);
	ck_assert_int_eq(db_outbound_modem_parts_since(
					 db, "m1", now + 3600, &cnt, &err),
			0);
	ck_assert_int_eq(cnt, 0);
	ck_assert_int_eq(db_outbound_modem_parts_since(
					 db, NULL, now, &cnt, &err),
			-EINVAL);

	/* reply limit: replies per recipient in the window */
	ck_assert_int_eq(db_inbound_store(db, &in, &inb, NULL, &err), 0);
	{
		struct db_outbound_new o = {.recipient = "+8613900000002",
				.text = "r",
				.priority = 0,
				.in_reply_to = inb};
		const char *kinds[] = {"ack", "rule", "again"};
		size_t i;

		for (i = 0; i < 3; i++) {
			o.kind = kinds[i];
			ck_assert_int_eq(db_outbound_enqueue(db, &o, &id, NULL,
							 &err),
					0);
		}
		o.recipient = "+8613900000003";
		o.kind = "ack";
		in.scts++;
		ck_assert_int_eq(
				db_inbound_store(db, &in, &inb, NULL, &err), 0);
		o.in_reply_to = inb;
		ck_assert_int_eq(db_outbound_enqueue(db, &o, &id, NULL, &err),
				0);
	}
	/* an old reply and a manual message do not count */
	ck_assert_int_eq(db_exec(db,
					 "UPDATE outbound_messages SET "
					 "created_at "
					 "= now() - interval '2 hours' WHERE "
					 "kind = "
					 "'again'",
					 0, NULL, &err),
			1);
	enqueue(db, "+8613900000003", "manual", 2, "manual");
	ck_assert_int_eq(db_outbound_recent_replies(db, 3600, 0, &rc, &n, &err),
			2);
	ck_assert_str_eq(rc[0].recipient, "+8613900000002");
	ck_assert_int_eq(rc[0].count, 2);
	ck_assert_int_le(rc[0].first_at, (int64_t) time(NULL));
	ck_assert_int_gt(rc[0].first_at, now - 60);
	ck_assert_str_eq(rc[1].recipient, "+8613900000003");
	ck_assert_int_eq(rc[1].count, 1);
	free(rc);
	ck_assert_int_eq(db_outbound_recent_replies(db, 3600, 1, &rc, &n, &err),
			1);
	free(rc);
	db_free(db);
}
END_TEST

/* ---- NOTIFY ---------------------------------------------------------- */

struct seen {
	int outbound;
	int ussd;
};

static void on_notify(const char *channel, const char *payload, void *data)
{
	struct seen *s = data;

	(void) payload;
	if (!strcmp(channel, "fieldgate_outbound"))
		s->outbound++;
	else if (!strcmp(channel, "fieldgate_ussd"))
		s->ussd++;
}

/* Waits (bounded, on the socket) until a notification arrives. */
static void wait_notify(struct db *db, struct seen *s, int *counter)
{
	struct db_error err;
	int tries;

	for (tries = 0; tries < 50 && *counter == 0; tries++) {
		struct pollfd pfd = {.fd = db_socket(db), .events = POLLIN};

		ck_assert_int_ge(pfd.fd, 0);
		ck_assert_int_ge(poll(&pfd, 1, 100), 0);
		ck_assert_int_ge(db_consume_notifications(
						 db, on_notify, s, &err),
				0);
	}
}

START_TEST(test_notify)
{
	struct db_error err;
	struct db *listener = fresh(true);
	struct db *writer = again();
	struct seen s = {0, 0};
	int64_t id;

	ck_assert_int_eq(db_listen(listener, "fieldgate_outbound", &err), 0);
	ck_assert_int_eq(db_listen(listener, "fieldgate_ussd", &err), 0);
	ck_assert_int_eq(db_listen(listener, "bad channel;", &err), -EINVAL);
	ck_assert_int_eq(
			db_consume_notifications(listener, on_notify, &s, &err),
			0);
	/* a plain INSERT from another program, no NOTIFY of its own */
	ck_assert_int_eq(db_exec(writer,
					 "INSERT INTO outbound_messages "
					 "(recipient, body) VALUES "
					 "('+8613900000001', "
					 "'hi')",
					 0, NULL, &err),
			1);
	wait_notify(listener, &s, &s.outbound);
	ck_assert_int_eq(s.outbound, 1);
	ck_assert_int_eq(db_ussd_enqueue(writer, NULL, "*100#", &id, &err), 0);
	wait_notify(listener, &s, &s.ussd);
	ck_assert_int_eq(s.ussd, 1);
	/* LISTEN survives a reconnect */
	ck_assert_int_eq(db_reconnect(listener, &err), 0);
	enqueue(writer, "+8613900000001", "again", 2, "m");
	s.outbound = 0;
	wait_notify(listener, &s, &s.outbound);
	ck_assert_int_eq(s.outbound, 1);
	db_free(writer);
	db_free(listener);
}
END_TEST

/* ---- USSD, status, listings ------------------------------------------ */

START_TEST(test_ussd)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_ussd u;
	int64_t any, for_m2;

	ck_assert_int_eq(db_ussd_enqueue(db, NULL, "*100#", &any, &err), 0);
	ck_assert_int_eq(db_ussd_enqueue(db, "m2", "*101#", &for_m2, &err), 0);
	ck_assert_int_eq(db_ussd_enqueue(db, NULL, "1; DROP", NULL, &err),
			-EINVAL);
	ck_assert_int_eq(db_ussd_claim(db, "d1", "m1", &u, &err), 0);
	ck_assert_int_eq(u.id, any);
	ck_assert_str_eq(u.code, "*100#");
	ck_assert_str_eq(u.state, "running");
	db_ussd_done(&u);
	ck_assert_int_eq(db_ussd_claim(db, "d1", "m1", &u, &err), -ENOENT);
	ck_assert_int_eq(db_ussd_finish(db, any, "done", "余额 12.50 元", 72, 0,
					 NULL, &err),
			0);
	ck_assert_int_eq(
			db_ussd_finish(db, any, "done", "x", 15, 0, NULL, &err),
			-ESTALE);
	ck_assert_int_eq(db_ussd_get(db, any, &u, &err), 0);
	ck_assert_str_eq(u.state, "done");
	ck_assert_str_eq(u.reply, "余额 12.50 元");
	ck_assert_int_eq(u.reply_dcs, 72);
	ck_assert_int_eq(u.session_status, 0);
	db_ussd_done(&u);
	ck_assert_int_eq(db_ussd_claim(db, "d1", "m2", &u, &err), 0);
	ck_assert_int_eq(u.id, for_m2);
	db_ussd_done(&u);
	/* d1 restarts while *101# runs: failed, not left running */
	ck_assert_int_eq(db_ussd_recover(db, "d2", &err), 0);
	ck_assert_int_eq(db_ussd_recover(db, "", &err), -EINVAL);
	ck_assert_int_eq(db_ussd_recover(db, "d1", &err), 1);
	ck_assert_int_eq(db_ussd_get(db, for_m2, &u, &err), 0);
	ck_assert_str_eq(u.state, "failed");
	ck_assert_ptr_nonnull(u.error);
	ck_assert(strstr(u.error, "interrupted") != NULL);
	db_ussd_done(&u);
	ck_assert_int_eq(db_ussd_recover(db, "d1", &err), 0);
	db_free(db);
}
END_TEST

START_TEST(test_status_and_listings)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_modem_status st, *rows;
	struct db_inbox_row *in;
	struct db_queue_depths q;
	struct db_inbound m = sample_inbound();
	struct db_list_filter f = {.number = "+8613900000002"};
	size_t n;
	int64_t id;

	memset(&st, 0, sizeof(st));
	snprintf(st.modem, sizeof(st.modem), "m1");
	snprintf(st.imsi, sizeof(st.imsi), "460001234567890");
	snprintf(st.registration, sizeof(st.registration), "home");
	st.has_signal = true;
	st.signal_dbm = -71;
	st.lac = 0x1A2B;
	st.ci = 0x0BCDEF1;
	st.storage_used = 3;
	st.storage_total = 50;
	st.last_rx_at = 1767225600;
	ck_assert_int_eq(db_modem_status_upsert(db, &st, &err), 0);
	st.signal_dbm = -85;
	ck_assert_int_eq(db_modem_status_upsert(db, &st, &err), 0);
	ck_assert_int_eq(db_modem_status_list(db, &rows, &n, &err), 1);
	ck_assert_int_eq(rows[0].signal_dbm, -85);
	ck_assert_int_eq(rows[0].lac, 0x1A2B);
	ck_assert_int_eq(rows[0].storage_total, 50);
	ck_assert_int_eq(rows[0].last_rx_at, 1767225600);
	ck_assert_int_eq(rows[0].last_tx_at, 0);
	ck_assert_str_eq(rows[0].registration, "home");
	free(rows);

	ck_assert_int_eq(db_inbound_store(db, &m, &id, NULL, &err), 0);
	m.sender = "+8613900000009";
	m.pdu_hex = "00";
	ck_assert_int_eq(db_inbound_store(db, &m, &id, NULL, &err), 0);
	ck_assert_int_eq(db_inbox_list(db, &f, &in, &n, &err), 1);
	ck_assert_str_eq(in[0].sender, "+8613900000002");
	ck_assert_str_eq(in[0].text, "日报 120");
	ck_assert_int_eq(in[0].scts, 1767225600);
	db_inbox_rows_free(in, n);
	f.number = NULL;
	f.since = time(NULL) + 3600;
	ck_assert_int_eq(db_inbox_list(db, &f, &in, &n, &err), 0);
	db_inbox_rows_free(in, n);
	ck_assert_int_eq(db_inbox_list(db, NULL, &in, &n, &err), 2);
	ck_assert_str_eq(in[0].kind, "single");
	db_inbox_rows_free(in, n);
	/* both unhandled; handle the first, one remains */
	ck_assert_int_eq(db_inbound_unhandled(db, 0, &in, &n, &err), 2);
	ck_assert_int_eq(db_inbound_set_state(
					 db, in[0].id, "handled", NULL, &err),
			0);
	db_inbox_rows_free(in, n);
	ck_assert_int_eq(db_inbound_unhandled(db, 0, &in, &n, &err), 1);
	ck_assert_str_eq(in[0].sender, "+8613900000009");
	db_inbox_rows_free(in, n);
	{
		struct db_rule_reload rr = {.path = "rules.cfg",
				.version = "2025-06-01.3",
				.ok = false,
				.errors = "rules.cfg:3: bad"};
		int64_t rid = 0;

		ck_assert_int_eq(db_rule_reload_record(db, &rr, &rid, &err), 0);
		ck_assert_int_gt(rid, 0);
		ck_assert_int_eq(scalar(db, "SELECT count(*) FROM rule_reloads "
					    "WHERE NOT ok AND errors LIKE "
					    "'rules.cfg:3:%'"),
				1);
	}

	enqueue(db, "+8613900000001", "a", 2, "m");
	ck_assert_int_eq(db_ussd_enqueue(db, NULL, "*100#", NULL, &err), 0);
	ck_assert_int_eq(db_queue_depths(db, &q, &err), 0);
	ck_assert_int_eq(q.out_queued, 1);
	ck_assert_int_eq(q.in_unhandled, 1);
	ck_assert_int_eq(q.ussd_queued, 1);
	ck_assert_int_eq(q.out_sending, 0);
	db_free(db);
}
END_TEST

/* Number of our prepared statements on this session (not itself prepared). */
static int prepared_count(struct db *db)
{
	struct db_error err;
	int r = db_exec(db,
			"SELECT name FROM pg_prepared_statements "
			"WHERE name ~ '^fg[0-9]+$'",
			0, NULL, &err);

	ck_assert_msg(r >= 0, "pg_prepared_statements: %s", err.message);
	return r;
}

START_TEST(test_prepared_statements)
{
	struct db_error err;
	struct db *db = fresh(true);
	struct db_person p;
	const char *one[1] = {"7"};
	int n, i;

	ck_assert_int_eq(db_people_add(db, "+8613900000011", "周", DB_ROLE_REP,
					 NULL, NULL, NULL, &err),
			0);
	n = prepared_count(db);
	ck_assert_int_gt(n, 0);
	/* The same statements again: served from the cache, none added. */
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(db_people_lookup(db, "+8613900000011", &p,
						 &err),
				0);
	ck_assert_str_eq(p.name, "周");
	i = prepared_count(db);
	ck_assert_int_eq(db_people_lookup(db, "+8613900000011", &p, &err), 0);
	ck_assert_int_eq(prepared_count(db), i);
	ck_assert_int_ge(i, n);
	/* A new session has none; the cache must not claim otherwise. */
	ck_assert_int_eq(db_reconnect(db, &err), 0);
	n = prepared_count(db); /* the session set-up statement only */
	ck_assert_int_lt(n, i);
	ck_assert_int_eq(db_exec(db, "SELECT $1::int", 1, one, &err), 1);
	ck_assert_int_eq(prepared_count(db), n + 1);
	ck_assert_int_eq(db_people_lookup(db, "+8613900000011", &p, &err), 0);
	db_free(db);
}
END_TEST

static Suite *db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc;

	tc = tcase_create("migrate");
	tcase_add_test(tc, test_migrate_from_empty);
	tcase_add_test(tc, test_migrate_twice_noop);
	tcase_add_test(tc, test_schema_newer_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("connection");
	tcase_add_test(tc, test_connect_errors);
	tcase_add_test(tc, test_notify);
	tcase_add_test(tc, test_prepared_statements);
	suite_add_tcase(s, tc);

	tc = tcase_create("people");
	tcase_add_loop_test(tc, test_phone_normalize, 0,
			sizeof(phone_cases) / sizeof(phone_cases[0]));
	tcase_add_test(tc, test_people);
	tcase_add_test(tc, test_injection_verbatim);
	suite_add_tcase(s, tc);

	tc = tcase_create("inbound");
	tcase_add_test(tc, test_inbound_idempotent);
	tcase_add_test(tc, test_parts_assembly);
	suite_add_tcase(s, tc);

	tc = tcase_create("outbound");
	tcase_add_test(tc, test_ack_once);
	tcase_add_test(tc, test_claim_priority);
	tcase_add_test(tc, test_claim_concurrent);
	tcase_add_test(tc, test_part_states);
	tcase_add_test(tc, test_report_mr_wrap);
	tcase_add_test(tc, test_recover_and_expire);
	tcase_add_test(tc, test_lease_takeover);
	tcase_add_test(tc, test_recover_single_part);
	tcase_add_test(tc, test_recover_keeps_backoff);
	tcase_add_test(tc, test_requeue_refresh);
	tcase_add_test(tc, test_next_due);
	tcase_add_test(tc, test_restart_counters);
	suite_add_tcase(s, tc);

	tc = tcase_create("ussd_status");
	tcase_add_test(tc, test_ussd);
	tcase_add_test(tc, test_status_and_listings);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{

	if (!getenv("FIELDGATE_TEST_CONNINFO")) {
		fprintf(stderr, "check_db: run me through tests/pg/with-pg.sh "
				"(FIELDGATE_TEST_CONNINFO not set)\n");
		return 77;
	}
	return tu_run_suite(db_suite());
}
