/*
 * db/store_sched.h - schedules (issue 9 part B, migration 0007): claims
 * of fires, where a schedule's catch-up starts, the reps a fire is about
 * (with the facts its `unless` tests), spot-check asks.
 *
 * Times are Unix seconds.  The claim and the messages a fire queues go in
 * ONE transaction of the caller's (db_begin()..db_commit()), so a fire
 * happens exactly once: a second daemon's INSERT of the same (schedule,
 * fire time) finds the row and does nothing; a crash rolls both back.
 */
#ifndef DB_STORE_SCHED_H
#define DB_STORE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "db/store.h"

/*
 * Where @schedule_id's catch-up starts: the latest of its first-seen
 * time (recorded as @now the first time it is asked) and its last fire.
 */
int db_sched_since(struct db *db, const char *schedule_id, int64_t now,
		int64_t *ret_since, struct db_error *err) DB_MUSTCHECK;

/*
 * Claims (schedule, @fire_at): *ret_claimed false when another daemon (or
 * an earlier run) has it.  @skipped records a fire missed and not caught
 * up.  *ret_fire_id is the new row's id.  Inside a transaction.
 */
int db_sched_claim(struct db *db, const char *schedule_id, int64_t fire_at,
		int64_t nominal_at, bool skipped, const char *claimed_by,
		const char *note, int64_t *ret_fire_id, bool *ret_claimed,
		struct db_error *err) DB_MUSTCHECK;
/* Records what the claimed fire sent. */
int db_sched_fire_done(struct db *db, int64_t fire_id, int messages, int people,
		struct db_error *err) DB_MUSTCHECK;

/* The time zones active reps live in ('' mapped to @def); caller frees
 * with db_sched_zones_free(). */
int db_sched_zones(struct db *db, const char *def, char ***ret_zones,
		size_t *ret_count, struct db_error *err) DB_MUSTCHECK;
void db_sched_zones_free(char **zones, size_t count);

/* A local day of one zone ("*": every rep, whatever their zone). */
struct db_sched_day {
	const char *zone;
	int64_t start, end; /* [start, end) */
	const char *date;   /* "2026-06-01": the day's report period */
};

struct db_sched_rep {
	int64_t id;
	char phone[DB_PHONE_MAX];
	char name[DB_NAME_MAX];
	int64_t supervisor_id; /* 0: none */
	char supervisor_phone[DB_PHONE_MAX];
	char supervisor_name[DB_NAME_MAX];
	int checkins;  /* check-ins that day */
	int outside;   /* ... not in_territory */
	int reports;   /* reports that day (any form) */
	bool reported; /* a report of the form asked for that day */
	bool on_leave; /* a mute covers the day */
	int pending;   /* items awaiting this rep's decision (supervisors) */
};

/*
 * Every active rep whose zone (person_zone; no territory: @def) is one of @days
 * (or all with zone "*"), with the facts of their day, ordered by
 * supervisor then name.  @form NULL: reported is false.  Caller frees
 * *ret_reps with free().
 */
int db_sched_reps(struct db *db, const struct db_sched_day *days, size_t n_days,
		const char *def, const char *form,
		struct db_sched_rep **ret_reps, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/* What awaits each supervisor's decision (0005's pending_approvals). */
struct db_sched_pending {
	int64_t supervisor_id;
	char phone[DB_PHONE_MAX];
	char ref[32];
};
int db_sched_pending(struct db *db, struct db_sched_pending **ret,
		size_t *ret_count, struct db_error *err) DB_MUSTCHECK;

/* Spot checks: one ask, answered within [now, now + @within_s]. */
int db_spot_ask(struct db *db, int64_t fire_id, const char *schedule_id,
		int64_t person_id, int64_t delay_s, int64_t within_s,
		struct db_error *err) DB_MUSTCHECK;
/* The earliest unresolved due time (database clock), or -ENOENT. */
int db_spot_next_due(struct db *db, int64_t *ret_due, int64_t *ret_now,
		struct db_error *err) DB_MUSTCHECK;
struct db_spot_result {
	char schedule_id[64];
	int64_t person_id;
	char name[DB_NAME_MAX];
	char supervisor_phone[DB_PHONE_MAX];
	int64_t supervisor_id;
	char outcome[16]; /* "ok", "missed", "outside" */
};
/*
 * Resolves the asks due now (FOR UPDATE SKIP LOCKED: one daemon each),
 * ordered by schedule and supervisor.  Inside a transaction.  Caller
 * frees *ret with free().
 */
int db_spot_resolve_due(struct db *db, struct db_spot_result **ret,
		size_t *ret_count, struct db_error *err) DB_MUSTCHECK;

#endif /* DB_STORE_SCHED_H */
