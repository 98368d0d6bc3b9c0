/*
 * db/store_health.h: protections and gateway health (migration 0008):
 * a sender's recent messages for loop and resend detection, the day's
 * replies to a sender, loop telling, health condition episodes, the SIM
 * balance, the outbound queue's age and the modems' SIM storage.
 */
#ifndef DB_STORE_HEALTH_H
#define DB_STORE_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/* One earlier (or the current) message of a sender. */
struct db_recent_msg {
	int64_t id;
	int64_t at; /* received_at, Unix seconds */
	char *body; /* NULL when undecoded; owned */
};

/*
 * The sender's messages with id <= @id received within @window_s seconds
 * before message @id (that one included), newest first, at most @limit.
 * Free with db_recent_free().  0 or -errno.
 */
int db_guard_recent(struct db *db, const char *sender, int64_t id, int window_s,
		size_t limit, struct db_recent_msg **ret_rows,
		size_t *ret_count, struct db_error *err) DB_MUSTCHECK;
void db_recent_free(struct db_recent_msg *rows, size_t count);

/* Replies (in_reply_to set) queued to @recipient since Unix @since. */
int db_guard_replies_since(struct db *db, const char *recipient, int64_t since,
		int64_t *ret_count, struct db_error *err) DB_MUSTCHECK;

/*
 * A loop of @sender: *ret_told_at is when admins were last told (0
 * never).  db_guard_loop_told() records a telling now (upsert).
 */
int db_guard_loop_get(struct db *db, const char *sender, int64_t *ret_told_at,
		struct db_error *err) DB_MUSTCHECK;
int db_guard_loop_told(struct db *db, const char *sender,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Health condition @key is active (@detail for people): *ret_new is true
 * only for the call that starts an episode (the row was absent or
 * cleared), whichever daemon makes it; *ret_episode is its number.
 */
int db_health_raise(struct db *db, const char *key, const char *detail,
		bool *ret_new, int *ret_episode,
		struct db_error *err) DB_MUSTCHECK;
/* @key recovered: *ret_cleared true when an episode just ended. */
int db_health_clear(struct db *db, const char *key, bool *ret_cleared,
		struct db_error *err) DB_MUSTCHECK;

/* Records @modem's balance (cents) read from USSD @reply (one row each). */
int db_sim_balance_set(struct db *db, const char *modem, int64_t cents,
		const char *reply, struct db_error *err) DB_MUSTCHECK;

/*
 * How long the oldest due queued outbound message has waited (since
 * created_at or its not_before), in seconds; 0 when none.
 */
int db_outbound_oldest_queued_age(struct db *db, int64_t *ret_age_s,
		struct db_error *err) DB_MUSTCHECK;

/*
 * @modem's SIM storage from modem_status (the newest row): -ENOENT when
 * unknown (no row or NULL counts).
 */
int db_modem_storage(struct db *db, const char *modem, int *ret_used,
		int *ret_total, struct db_error *err) DB_MUSTCHECK;

#endif /* DB_STORE_HEALTH_H */
