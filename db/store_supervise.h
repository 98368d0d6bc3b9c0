/*
 * db/store_supervise.h - the supervisors' data (migration 0005): report
 * decisions and notes, leave requests, and the team / person lookups
 * the supervisor commands read from the dashboard views (rep_today,
 * person_chain, rep_history).  Inside the caller's transaction.
 *
 * Ownership: fixed-size structs filled in place; db_sup_team() allocates
 * its array (free() it).  Errors: a database -errno with @err.
 */
#ifndef DB_STORE_SUPERVISE_H
#define DB_STORE_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "db/store.h"

/* What a command needs to know about a referenced report. */
struct db_sup_report {
	char rep_name[DB_NAME_MAX];
	char rep_phone[DB_PHONE_MAX]; /* "" when the rep is unknown */
	bool in_chain;		      /* the rep is under @actor (depth > 0) */
	bool is_leave;
};

/* @report_id's rep and whether they are in @actor_id's chain (@all:
 * an admin, every report is theirs).  -ENOENT when no such report. */
int db_sup_report(struct db *db, int64_t report_id, int64_t actor_id, bool all,
		struct db_sup_report *out, struct db_error *err);

/* One 批 / 驳 / 注. */
struct db_sup_action {
	int64_t report_id; /* 0 when the reference is unknown */
	const char *ref;
	const char *action; /* "approve", "reject", "note" */
	int64_t actor_id;
	const char *actor_phone;
	const char *comment; /* may be "" */
	const char *refused; /* NULL, "not_found", "not_in_chain", ... */
	int64_t inbound_id;  /* 0 when none */
};

/*
 * Records @a in report_actions; for approve / reject not refused, also
 * sets the report's status, decided_by/_at and decision_comment, but
 * only while it is still 'received': *ret_done false means another
 * decision won (the row is then recorded as already_decided).
 */
int db_sup_act(struct db *db, const struct db_sup_action *a, bool *ret_done,
		struct db_error *err);

/*
 * A stored report of a needs_approval form: flags it, and with
 * @leave_days > 0 records the leave request (first day: the rep's local
 * date of the report).
 */
int db_sup_request(struct db *db, int64_t report_id, int64_t person_id,
		int leave_days, const char *reason, struct db_error *err);

/* A rep of a team today (rep_today). */
struct db_sup_member {
	char name[DB_NAME_MAX];
	char phone[DB_PHONE_MAX];
	bool checked_in, reported, on_leave;
};

/* Active reps in @actor_id's chain (every rep with @all), by name. */
int db_sup_team(struct db *db, int64_t actor_id, bool all,
		struct db_sup_member **ret, size_t *ret_n,
		struct db_error *err);

/* A rep's day (rep_today + their newest report). */
struct db_sup_person {
	int64_t id;
	char name[DB_NAME_MAX];
	char phone[DB_PHONE_MAX];
	int checkins_today, reports_today, pending;
	char outlet[DB_NAME_MAX];
	char checkin_time[8]; /* "09:05" local */
	char verdict[32];
	char forms[DB_NAME_MAX]; /* "daily weekly" */
	char latest_ref[32];
	char latest_form[64];
	char latest_status[32];
	bool on_leave;
	bool in_chain; /* under the actor (db_sup_person_find) */
};

/*
 * The active rep whose phone (@phone, normalized; may be NULL) or name
 * is @query; with @actor_id > 0 also whether they are in that chain.
 * -ENOENT when nobody.
 */
int db_sup_person_find(struct db *db, const char *query, const char *phone,
		int64_t actor_id, bool all, struct db_sup_person *out,
		struct db_error *err);

#endif /* DB_STORE_SUPERVISE_H */
