/*
 * db/store_reports.h: reports, content alerts and rule reload requests
 * (migration 0002, issue 7). The conventions of db/store.h apply: 0 or a
 * count on success, negative errno with err filled; ret_ written only on
 * success; arrays returned are freed with the matching *_free().
 *
 * Unless a comment says otherwise each function is ONE statement, so the
 * rules handler runs a whole message (report, alerts, reply, state) inside
 * its own db_begin()/db_commit().
 */
#ifndef DB_STORE_REPORTS_H
#define DB_STORE_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "db/store.h"

#define DB_HASH_MAX 72 /* hex SHA-256 and NUL, slack */

/* ---- reports ---------------------------------------------------------- */

/* The next reference number (report_ref_seq); the rules format it. */
int db_report_next_ref(struct db *db, int64_t *ret_n,
		struct db_error *err) DB_MUSTCHECK;
/*
 * @count (1..64) reference numbers at once into @out, in increasing
 * order (a daemon keeps a few in hand: one round trip fewer per report;
 * numbers not used before a restart are skipped, never reused).
 * Returns how many were written.
 */
int db_report_next_refs(struct db *db, size_t count, int64_t *out,
		struct db_error *err) DB_MUSTCHECK;

struct db_report_new {
	const char *ref;	 /* "R1045", unique */
	const char *form_id;	 /* the rule file's form id */
	int64_t person_id;	 /* 0 = unknown */
	const char *sender;	 /* normalized here */
	int64_t inbound_id;	 /* 0 = none; at most one report per message */
	const char *fields_json; /* a JSON object; NULL = {} */
	const char *raw_text;	 /* as received */
	const char *period;	 /* "2026-06-01", "" */
	bool late;
	const char *rules_hash;	   /* rules_hash() of the file that parsed it */
	const char *rules_version; /* may be NULL */
	int64_t sent_at;	   /* SCTS, 0 unknown */
	int64_t replaces_id;	   /* 0, or a report marked 'replaced' by it */
};

/*
 * Inserts a report (status 'received'); with replaces_id also marks that
 * report 'replaced' (replaced_by = the new one): two statements, so call
 * it inside a transaction. -EEXIST when ref or inbound_id is taken.
 */
int db_report_insert(struct db *db, const struct db_report_new *rep,
		int64_t *ret_id, struct db_error *err) DB_MUSTCHECK;

/*
 * A handled message's writes in ONE statement (one round trip instead of
 * three): the report @rep (NULL: none; with replaces_id the prior one is
 * marked 'replaced'), the reply @reply (NULL: none; its in_reply_to must
 * be @msg_id, kind and priority as given; a reply already queued for the
 * message and kind is kept, *ret_out_id then 0) and the message's state
 * (@state "handled" or "ignored").  Call inside the message's
 * transaction.  *ret_report_id / *ret_out_id (may be NULL) get the new
 * ids, 0 for none.  -EEXIST when the report's ref or message is taken,
 * -ENOENT when there is no message @msg_id.
 */
int db_report_finish(struct db *db, const struct db_report_new *rep,
		const struct db_outbound_new *reply, int64_t msg_id,
		const char *state, int64_t *ret_report_id, int64_t *ret_out_id,
		struct db_error *err) DB_MUSTCHECK;

struct db_report {
	int64_t id;
	char ref[DB_SHORT_MAX];
	char form_id[DB_SHORT_MAX];
	int64_t person_id; /* 0 unknown */
	char person_name[DB_NAME_MAX];
	char sender[DB_PHONE_MAX];
	int64_t inbound_id; /* 0 none */
	char period[DB_SHORT_MAX];
	bool late;
	char status[DB_SHORT_MAX];
	char rules_hash[DB_HASH_MAX];
	int64_t sent_at; /* 0 unknown */
	int64_t received_at;
	char *fields_json; /* owned by the array or struct */
	char *raw_text;	   /* owned */
};

/* Frees a single report's strings (the struct itself is the caller's). */
void db_report_done(struct db_report *rep);
void db_reports_free(struct db_report *reps, size_t count);

/*
 * The person's live ('received') report of @form_id in @period: 0 and
 * *ret (free with db_report_done()), or -ENOENT.
 */
int db_report_prior(struct db *db, int64_t person_id, const char *form_id,
		const char *period, struct db_report *ret,
		struct db_error *err) DB_MUSTCHECK;
/* The person's newest live report, or -ENOENT. */
int db_report_last(struct db *db, int64_t person_id, struct db_report *ret,
		struct db_error *err) DB_MUSTCHECK;
/* The report with reference @ref (any status), or -ENOENT. */
int db_report_by_ref(struct db *db, const char *ref, struct db_report *ret,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Sets a report's status ("withdrawn", ...). -ENOENT when no such report.
 */
int db_report_set_status(struct db *db, int64_t id, const char *status,
		struct db_error *err) DB_MUSTCHECK;

/*
 * The average of numeric field @field over the person's live reports of
 * @form_id received in the @window_days days before @before (Unix
 * seconds), and how many there were (0: *ret_avg = 0).
 */
int db_report_history(struct db *db, int64_t person_id, const char *form_id,
		const char *field, int window_days, int64_t before,
		double *ret_avg, int *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/*
 * db_report_prior() and db_report_history() in one round trip: the
 * person's live report of @form_id in @period (*ret_found; *ret_prior
 * then to be freed with db_report_done(), else zeroed) and the history
 * of @h_form / @h_field over @h_days days before @before.
 */
int db_report_prior_history(struct db *db, int64_t person_id,
		const char *form_id, const char *period, const char *h_form,
		const char *h_field, int h_days, int64_t before,
		struct db_report *ret_prior, bool *ret_found, double *ret_avg,
		int *ret_count, struct db_error *err) DB_MUSTCHECK;

struct db_report_filter {
	const char *number;  /* sender, NULL = all; normalized here */
	const char *form_id; /* NULL = all */
	int64_t since;	     /* 0 = no lower bound */
	size_t limit;	     /* 0 = 50 */
};

/* Newest first. */
int db_reports_list(struct db *db, const struct db_report_filter *f,
		struct db_report **ret_reports, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/* ---- people by role ---------------------------------------------------- */

/* Active people with @role, by name. Free with free(). */
int db_people_with_role(struct db *db, enum db_role role,
		struct db_person **ret_people, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/* ---- alerts ------------------------------------------------------------ */

struct db_alert_new {
	const char *alert_id;	/* the rule file's alert id */
	int64_t report_id;	/* 0 = none */
	const char *recipient;	/* normalized here */
	int64_t recipient_id;	/* 0 = not in the roster */
	const char *body;	/* one item of the batch */
	const char *dedupe_key; /* unique; the recipient is appended here */
	int batch_seconds;	/* 0 = due now */
};

/*
 * Queues an alert. Its batch: the recipient's earliest pending due time,
 * or now + batch_seconds, whichever comes first. A dedupe key seen
 * before is a no-op (*ret_new false, *ret_id 0).
 */
int db_alert_insert(struct db *db, const struct db_alert_new *a,
		int64_t *ret_id, bool *ret_new,
		struct db_error *err) DB_MUSTCHECK;

/* The earliest pending due time (Unix ms), 0 when nothing is pending. */
int db_alert_next_due(struct db *db, int64_t *ret_due_ms,
		struct db_error *err) DB_MUSTCHECK;

struct db_alert_item {
	int64_t id;
	char recipient[DB_PHONE_MAX];
	char *body; /* owned by the array */
};

/*
 * Claims (FOR UPDATE SKIP LOCKED) every pending alert of the recipients
 * whose batch is due, ordered by recipient then age, at most @limit rows.
 * Call inside a transaction; the locks hold until its end.
 */
int db_alerts_claim_due(struct db *db, size_t limit,
		struct db_alert_item **ret_items, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;
void db_alert_items_free(struct db_alert_item *items, size_t count);

/* Marks alerts sent in outbound message @outbound_id. */
int db_alerts_mark_sent(struct db *db, const int64_t *ids, size_t n,
		int64_t outbound_id, struct db_error *err) DB_MUSTCHECK;

/* ---- rule reloads ------------------------------------------------------- */

/* Asks every daemon to reload (NOTIFY fieldgate_rules). */
int db_rule_reload_request(struct db *db, const char *requested_by,
		int64_t *ret_id, struct db_error *err) DB_MUSTCHECK;
/* The newest request's id, 0 when none. */
int db_rule_reload_last_request(struct db *db, int64_t *ret_id,
		struct db_error *err) DB_MUSTCHECK;
/* db_rule_reload_record() answering request @request_id (0 = none). */
int db_rule_reload_record_for(struct db *db, const struct db_rule_reload *rr,
		int64_t request_id, int64_t *ret_id,
		struct db_error *err) DB_MUSTCHECK;

struct db_rule_reload_row {
	int64_t id;
	int64_t at;
	char daemon_host[DB_NAME_MAX];
	char sha256[DB_HASH_MAX];
	bool ok;
	char *errors; /* owned; NULL when ok */
};

/* The outcomes recorded for request @request_id, oldest first. */
int db_rule_reload_outcomes(struct db *db, int64_t request_id,
		struct db_rule_reload_row **ret_rows, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;
void db_rule_reload_rows_free(struct db_rule_reload_row *rows, size_t count);

#endif /* DB_STORE_REPORTS_H */
