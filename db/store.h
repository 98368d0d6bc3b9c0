/*
 * db/store.h: fieldgate's data, as plain C structs (docs/DATABASE.md has the
 * tables). Nothing here knows a PDU's layout or an AT command: gateway/
 * converts modem/ structs into these.
 *
 * Conventions for every function below:
 *   - returns 0 (or a count) on success, negative errno on failure, with
 *     err (may be NULL) filled; the errors of db.h apply (-ENOTCONN,
 *     -ETIMEDOUT, -EIO with err->sqlstate, -EPROTO, -ENOMEM, -EINVAL).
 *   - const char * arguments are borrowed for the call; NULL means SQL
 *     NULL where a field is optional.
 *   - ret_ arguments are written only on success. Arrays returned through
 *     ret_ are allocated here; the caller frees them with the matching
 *     *_free() function (which accepts NULL).
 *   - Times are Unix seconds (int64_t), 0 meaning "none/NULL".
 *   - Functions that do several statements run them in one transaction of
 *     their own, so do not call them inside db_begin()/db_commit() unless
 *     the comment says so.
 */
#ifndef DB_STORE_H
#define DB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

#define DB_PHONE_MAX 24 /* '+', 20 digits, NUL, slack */
#define DB_NAME_MAX 128
#define DB_SHORT_MAX 64 /* modem names, kinds, states, ids */

/*
 * Normalizes a phone number for storage and lookup: removes spaces, '-',
 * '.', '(' and ')', turns a leading "00" into '+', and requires what is
 * left to be an optional '+' and 3..20 digits. -EINVAL otherwise (out is
 * untouched). out must hold DB_PHONE_MAX bytes.
 */
int db_phone_normalize(const char *in, char out[DB_PHONE_MAX]) DB_MUSTCHECK;

/* ---- people ---------------------------------------------------------- */

enum db_role {
	DB_ROLE_REP,
	DB_ROLE_SUPERVISOR,
	DB_ROLE_ADMIN,
};

/* "rep", "supervisor", "admin"; NULL for a bad value. */
const char *db_role_name(enum db_role role);
/* Parses a role name; -EINVAL when unknown. */
int db_role_parse(const char *name, enum db_role *ret_role) DB_MUSTCHECK;

struct db_person {
	int64_t id;
	char phone[DB_PHONE_MAX];
	char name[DB_NAME_MAX];
	enum db_role role;
	int64_t supervisor_id;		     /* 0 when none */
	char supervisor_phone[DB_PHONE_MAX]; /* "" when none */
	char territory[DB_NAME_MAX];	     /* "" when none */
	bool active;
};

/*
 * Adds a person. phone and supervisor_phone are normalized here.
 * supervisor_phone and territory may be NULL. Errors: -EINVAL (bad phone,
 * empty name), -ENOENT (supervisor unknown), -EEXIST (phone already
 * registered). *ret_id (may be NULL) gets the new id.
 */
int db_people_add(struct db *db, const char *phone, const char *name,
		enum db_role role, const char *supervisor_phone,
		const char *territory, int64_t *ret_id,
		struct db_error *err) DB_MUSTCHECK;

/* Looks an ACTIVE person up by phone (normalized here). -ENOENT if none. */
int db_people_lookup(struct db *db, const char *phone,
		struct db_person *ret_person,
		struct db_error *err) DB_MUSTCHECK;

/* All people ordered by role, name. Caller frees *ret_people with free(). */
int db_people_list(struct db *db, struct db_person **ret_people,
		size_t *ret_count, struct db_error *err) DB_MUSTCHECK;

/* ---- inbound --------------------------------------------------------- */

/* A received PDU as decoded by the caller. */
struct db_inbound {
	const char *modem;	  /* required */
	const char *sim_imsi;	  /* NULL or "" when not known */
	const char *sender;	  /* NULL or "" when undecodable */
	int sender_ton;		  /* -1 when unknown */
	const char *smsc;	  /* may be NULL */
	int64_t scts;		  /* TP-SCTS as Unix time; 0 when undecodable */
	int scts_tz_minutes;	  /* the SCTS zone offset */
	const char *pdu_hex;	  /* required: the raw PDU (any case) */
	const char *text;	  /* decoded UTF-8 or NULL */
	int dcs;		  /* -1 when unknown */
	const char *encoding;	  /* "gsm7", "ucs2", "8bit" or NULL */
	const char *decode_error; /* NULL when decoded fine */
};

/*
 * Stores a single (not concatenated) message idempotently on its natural
 * key (SIM, sender, SCTS, PDU hash; SIM and PDU hash when undecodable).
 * *ret_id gets the row's id whether it was inserted now or before;
 * *ret_new (may be NULL) says which. Safe inside a caller's transaction.
 */
int db_inbound_store(struct db *db, const struct db_inbound *msg,
		int64_t *ret_id, bool *ret_new,
		struct db_error *err) DB_MUSTCHECK;

/* One part of a concatenated message (TS 23.040 §9.2.3.24.1/.8). */
struct db_inbound_part {
	struct db_inbound msg; /* msg.scts and msg.sender required */
	int concat_ref;	       /* 0..255, or 0..65535 when concat_16bit */
	bool concat_16bit;
	int total; /* 1..255 */
	int seq;   /* 1..total */
};

/*
 * Stores a part idempotently (natural key includes ref, 16-bit flag,
 * total, seq, SCTS and PDU hash). *ret_id gets the part's id, *ret_new
 * (may be NULL) whether it is new. Safe inside a caller's transaction.
 */
int db_inbound_store_part(struct db *db, const struct db_inbound_part *part,
		int64_t *ret_id, bool *ret_new,
		struct db_error *err) DB_MUSTCHECK;

/* Identity of a group of unassembled parts. */
struct db_part_group {
	char modem[DB_SHORT_MAX];
	char sim_imsi[DB_SHORT_MAX];
	char sender[DB_PHONE_MAX];
	int concat_ref;
	bool concat_16bit;
	int total;
	int have; /* distinct seq numbers stored (listing only) */
	int64_t first_received_at;
};

/* A stored part, as loaded for assembly. */
struct db_part_row {
	int64_t id;
	int seq;
	int64_t scts;
	int scts_tz_minutes;
	int sender_ton;	    /* -1 unknown */
	int dcs;	    /* -1 unknown */
	char *text;	    /* NULL when not decoded */
	char *decode_error; /* NULL when fine */
	char *smsc;	    /* may be NULL */
};

/* Fills a group key from a part (for db_inbound_load_group()). */
void db_part_group_from_part(const struct db_inbound_part *part,
		struct db_part_group *ret_group);

/*
 * Loads the unassembled parts of a group, ordered by seq then arrival (so
 * conflicting duplicates of one seq come out adjacent; the caller keeps
 * the first and leaves the others, which then form a later, partial
 * group). Free with db_part_rows_free().
 */
int db_inbound_load_group(struct db *db, const struct db_part_group *group,
		struct db_part_row **ret_rows, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;
void db_part_rows_free(struct db_part_row *rows, size_t count);

/* What the caller assembled from a group. */
struct db_assembled {
	const int64_t *part_ids; /* the parts used, n_parts of them */
	size_t n_parts;
	const char *text;	  /* concatenated text, may be NULL */
	const char *decode_error; /* e.g. a part did not decode */
	bool partial;		  /* true after a timeout */
	const int *missing;	  /* missing seq numbers when partial */
	size_t n_missing;
	int dcs;	      /* -1 unknown */
	const char *encoding; /* may be NULL */
	int64_t scts;	      /* from the first part */
	int scts_tz_minutes;
	int sender_ton;
	const char *smsc;
};

/*
 * In one transaction: inserts the assembled message (kind 'assembled',
 * part_count = group total) and links the parts to it. If any of the
 * parts was linked meanwhile (another daemon assembled it), rolls back
 * and returns -EALREADY. *ret_id gets the new message id.
 */
int db_inbound_assemble(struct db *db, const struct db_part_group *group,
		const struct db_assembled *as, int64_t *ret_id,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Lists groups with unassembled parts whose first part arrived more than
 * older_than_s seconds ago (to be stored as partial). Free with free().
 */
int db_inbound_stale_groups(struct db *db, int older_than_s,
		struct db_part_group **ret_groups, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Sets an inbound message's state: "handled", "failed" (with error) or
 * "ignored". -ENOENT when no such message. Safe in a transaction.
 */
int db_inbound_set_state(struct db *db, int64_t id, const char *state,
		const char *error, struct db_error *err) DB_MUSTCHECK;

/*
 * Messages still in state 'stored' (committed but not handled: the daemon
 * died in between), oldest first, up to limit (0 = 100), for handling
 * again at start-up. Uses struct db_inbox_row (below); free with
 * db_inbox_rows_free().
 */
struct db_inbox_row;
int db_inbound_unhandled(struct db *db, size_t limit,
		struct db_inbox_row **ret_rows, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/* ---- outbound -------------------------------------------------------- */

/* Priorities: lower goes first. */
#define DB_PRIO_ACK 0
#define DB_PRIO_ALERT 1
#define DB_PRIO_NORMAL 2
#define DB_PRIO_BULK 3

/*
 * Messages are queued as TEXT only (any program can INSERT one row);
 * the daemon that claims a message encodes it and adds its parts
 * (db_outbound_add_parts()). A re-claimed message keeps its parts.
 */
struct db_outbound_new {
	const char *recipient;	     /* normalized here */
	const char *text;	     /* UTF-8 */
	int priority;		     /* DB_PRIO_* */
	const char *kind;	     /* "ack", "alert", "manual", ... */
	int64_t in_reply_to;	     /* inbound id or 0 */
	const char *requested_modem; /* NULL = any */
	int64_t not_before;	     /* 0 = now */
	int64_t expires_at;	     /* 0 = never */
};

/*
 * Queues a message. With in_reply_to set, (in_reply_to, kind) is unique:
 * a second enqueue is a no-op and returns the first one's id with
 * *ret_new = false. The insert trigger NOTIFYs fieldgate_outbound at
 * commit. Safe inside a caller's transaction (do it in the same one that
 * marks the inbound message handled).
 */
int db_outbound_enqueue(struct db *db, const struct db_outbound_new *msg,
		int64_t *ret_id, bool *ret_new,
		struct db_error *err) DB_MUSTCHECK;

struct db_outbound_msg {
	int64_t id;
	char recipient[DB_PHONE_MAX];
	char *text; /* owned by the array */
	int priority;
	char kind[DB_SHORT_MAX];
	int64_t in_reply_to; /* 0 when none */
	int attempts;	     /* claims so far, this one included */
	int64_t created_at;
	int64_t expires_at; /* 0 = never */
};

/*
 * Claims up to max queued messages for sending through modem, in one
 * statement (FOR UPDATE SKIP LOCKED, so concurrent claimers never get the
 * same row): due (not_before <= now, not expired), ordered by priority,
 * then those requested for this modem, then age. Messages requested for
 * another modem are skipped unless take_others (that modem is down).
 * Claimed messages move to 'sending' with claimed_by = daemon_id.
 * Returns the count; free *ret_msgs with db_outbound_msgs_free().
 */
int db_outbound_claim(struct db *db, const char *daemon_id, const char *modem,
		bool take_others, size_t max, struct db_outbound_msg **ret_msgs,
		size_t *ret_count, struct db_error *err) DB_MUSTCHECK;
void db_outbound_msgs_free(struct db_outbound_msg *msgs, size_t count);
/*
 * Claim leases (several daemons on one database): a claim lasts lease_s
 * seconds from the claim or the last renewal; db_outbound_claim() gives
 * DB_LEASE_DEFAULT_S.  lease_s is 1..DB_LEASE_MAX_S.
 */
#define DB_LEASE_DEFAULT_S 60
#define DB_LEASE_MAX_S 86400
int db_outbound_claim_leased(struct db *db, const char *daemon_id,
		const char *modem, bool take_others, size_t max, int lease_s,
		struct db_outbound_msg **ret_msgs, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;
/* Extends every 'sending' claim of daemon_id to now + lease_s; returns
 * how many. */
int db_outbound_renew(struct db *db, const char *daemon_id, int lease_s,
		struct db_error *err) DB_MUSTCHECK;
/*
 * Takes over the 'sending' messages of OTHER daemons whose lease ran out
 * (their daemon is gone), like db_outbound_recover() does for its own at
 * a restart: a part in 'submitting' becomes 'unknown' (never resent
 * blindly), parts in 'unknown' stay so, and a message with queued parts
 * goes back to the queue for any daemon (its NOTIFY wakes them).  Claims
 * locked by another transaction are skipped (seen at the next call).
 * Returns the number re-queued; *ret_taken (optional) gets the number of
 * expired claims released.
 */
int db_outbound_takeover(struct db *db, const char *daemon_id, int *ret_taken,
		struct db_error *err) DB_MUSTCHECK;
/*
 * When the earliest lease of another daemon's claim ends: 1 with
 * *ret_in_ms (>= 1, database clock), or 0 when no other daemon holds a
 * claim.
 */
int db_outbound_next_lease_end(struct db *db, const char *daemon_id,
		int64_t *ret_in_ms, struct db_error *err) DB_MUSTCHECK;

/* Part states, as stored. */
enum db_part_state {
	DB_PART_QUEUED,
	DB_PART_SUBMITTING,
	DB_PART_SUBMITTED,
	DB_PART_DELIVERED,
	DB_PART_FAILED,
	DB_PART_EXPIRED,
	DB_PART_UNKNOWN,
};
const char *db_part_state_name(enum db_part_state s);

struct db_outbound_part_new {
	int seq;	     /* 1..n */
	const char *pdu_hex; /* SMS-SUBMIT, uppercase or not */
	int tpdu_len;	     /* for AT+CMGS=<n> */
};

/*
 * Adds a claimed message's parts (idempotent on (message, seq)).
 * Returns the number of parts inserted now.
 */
int db_outbound_add_parts(struct db *db, int64_t message_id,
		const struct db_outbound_part_new *parts, size_t count,
		struct db_error *err) DB_MUSTCHECK;

struct db_outbound_part {
	int64_t id;
	int64_t message_id;
	int seq;
	char *pdu_hex; /* owned by the array */
	int tpdu_len;
	enum db_part_state state;
	int attempts;
	int mr; /* -1 when none */
	int64_t next_attempt_at;
};

/* A message's parts by seq. Free with db_outbound_parts_free(). */
int db_outbound_load_parts(struct db *db, int64_t message_id,
		struct db_outbound_part **ret_parts, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;
void db_outbound_parts_free(struct db_outbound_part *parts, size_t count);

/*
 * Part transitions. Each checks the state it leaves (e.g. submitted only
 * from submitting) and returns -ESTALE when the part is not in it (or does
 * not exist), then recomputes the message's state from its parts.
 *   submitting: queued -> submitting on modem (attempts + 1), BEFORE the
 *               PDU goes out: a crash from here on means "unknown".
 *   submitted:  submitting -> submitted with TP-MR (0..255).
 *   retry:      submitting -> queued, next attempt in delay_s (temporary
 *               +CMS error; cms -1 when none).
 *   failed:     submitting|queued -> failed (permanent error).
 *   unknown:    submitting -> unknown (modem failed after the PDU went out).
 */
int db_outbound_part_submitting(struct db *db, int64_t part_id,
		const char *modem, struct db_error *err) DB_MUSTCHECK;
/* submitting, fenced: only while the part's message is still claimed
 * ('sending') by daemon_id, else -ESTALE (taken over); NULL daemon_id is
 * db_outbound_part_submitting(). */
int db_outbound_part_submitting_as(struct db *db, int64_t part_id,
		const char *modem, const char *daemon_id,
		struct db_error *err) DB_MUSTCHECK;
int db_outbound_part_submitted(struct db *db, int64_t part_id, int mr,
		struct db_error *err) DB_MUSTCHECK;
int db_outbound_part_retry(struct db *db, int64_t part_id, int cms,
		const char *error, int delay_s,
		struct db_error *err) DB_MUSTCHECK;
int db_outbound_part_failed(struct db *db, int64_t part_id, int cms,
		const char *error, struct db_error *err) DB_MUSTCHECK;
int db_outbound_part_unknown(struct db *db, int64_t part_id, const char *error,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Matches a status report (TS 23.040 §9.2.2.3) to the part it reports:
 * same modem and TP-MR, recipient equal on the last 9 digits (reports
 * often give the number in another format), submitted within window_s
 * seconds, the newest such part (TP-MR wraps at 255). TP-ST (st) < 0x20
 * marks it delivered, 0x20..0x3F keeps it submitted (SC still trying),
 * >= 0x40 marks it failed. -ENOENT when no part matches. *ret_part_id
 * (may be NULL) gets the part.
 */
int db_outbound_match_report(struct db *db, const char *modem, int mr,
		const char *recipient, int st, int window_s,
		int64_t *ret_part_id, struct db_error *err) DB_MUSTCHECK;

/*
 * Expires messages past expires_at that are queued or sending: their
 * queued parts become expired. Returns the number of messages expired.
 */
int db_outbound_expire(struct db *db, struct db_error *err) DB_MUSTCHECK;

/*
 * Puts a claimed ('sending') message back in the queue, due in delay_s
 * seconds (>= 0), with claimed_by and modem cleared, so any daemon's modem
 * may take it (after a temporary error, or when its modem stopped being
 * READY). Returns 1 when re-queued, 0 when the message was not 'sending'
 * (its parts had already decided its state). -EINVAL for a negative delay.
 */
int db_outbound_requeue(struct db *db, int64_t message_id, int delay_s,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Derives a message's state from its parts again (as the part trigger
 * does), e.g. after a claim found no part left to send. A message
 * re-queued while parts are still queued stays 'queued'; one without
 * parts, or 'cancelled', is left alone. Returns 0.
 */
int db_outbound_refresh(struct db *db, int64_t message_id,
		struct db_error *err) DB_MUSTCHECK;

/*
 * The resend policy "with-reject-duplicates" for one claimed message: its
 * parts of unknown fate with fewer than max_attempts attempts go back to
 * 'queued', to be resent (the caller sets TP-RD). Returns how many.
 * -EINVAL when max_attempts < 1.
 */
int db_outbound_requeue_unknown_parts(struct db *db, int64_t message_id,
		int max_attempts, struct db_error *err) DB_MUSTCHECK;

/*
 * The same policy for whole messages: daemon_id's messages in state
 * 'unknown' that have a part of unknown fate with fewer than max_attempts
 * attempts are queued again (claimable by anyone, due now). Returns the
 * number of messages re-queued. -EINVAL for an empty daemon_id or
 * max_attempts < 1.
 */
int db_outbound_requeue_unknown(struct db *db, const char *daemon_id,
		int max_attempts, struct db_error *err) DB_MUSTCHECK;

/*
 * Recovers what daemon_id left unfinished (at start-up, after losing the
 * database, and at stop), in one transaction, for its 'sending' messages:
 *   - parts left 'submitting' become 'unknown' (the PDU may have gone
 *     out): never resent blindly;
 *   - parts never handed to a modem stay 'queued', and their message goes
 *     back to 'queued' (claimed_by and modem cleared), due at the
 *     earliest retry time of its queued parts (now when none is later);
 *     so does a message whose parts were not stored yet;
 *   - every other message gets the state its parts give (unknown, sent,
 *     delivered, failed, expired).
 * With resend_unknown_max > 0 (the resend policy "with-reject-duplicates",
 * max_attempts) a message of daemon_id that is, or just became, 'unknown'
 * and has a part of unknown fate with fewer attempts is queued again too,
 * for db_outbound_requeue_unknown_parts() at its claim; 0 never resends.
 * Returns the number of messages re-queued.
 */
int db_outbound_recover(struct db *db, const char *daemon_id,
		int resend_unknown_max, struct db_error *err) DB_MUSTCHECK;

/*
 * When queued work next falls due: the earliest not_before of a queued
 * message, or next_attempt_at of a queued part of a queued message, that
 * lies in the future. Returns 1 with *ret_in_ms = milliseconds from now
 * (>= 1, measured by the database's clock, so the caller's clock may
 * differ), or 0 when nothing is waiting for a future time (*ret_in_ms
 * untouched). Work due now is claimed, not reported here.
 */
int db_outbound_next_due(struct db *db, int64_t *ret_in_ms,
		struct db_error *err) DB_MUSTCHECK;

/*
 * How many parts modem has handed over since Unix time since (for the
 * daily cap after a restart): parts sent through it (attempts > 0) whose
 * submission, or failing that their message's claim, is at or after
 * since. A part counts once however many attempts it took. *ret_count
 * gets the count. -EINVAL without a modem.
 */
int db_outbound_modem_parts_since(struct db *db, const char *modem,
		int64_t since, int64_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/* Automatic replies to one number within a window. */
struct db_reply_count {
	char recipient[DB_PHONE_MAX];
	int count;
	int64_t first_at; /* the oldest of them */
};

/*
 * Replies (messages with in_reply_to set) queued in the last window_s
 * seconds, per recipient, the most replied-to first, at most limit rows
 * (0 = 1000): what a per-sender reply limit had counted before a restart.
 * Free *ret_rows with free().
 */
int db_outbound_recent_replies(struct db *db, int window_s, size_t limit,
		struct db_reply_count **ret_rows, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;

/* ---- USSD ------------------------------------------------------------ */

/* Queues a USSD code (modem NULL = any). NOTIFY fieldgate_ussd on commit. */
int db_ussd_enqueue(struct db *db, const char *modem, const char *code,
		int64_t *ret_id, struct db_error *err) DB_MUSTCHECK;

struct db_ussd {
	int64_t id;
	char modem[DB_SHORT_MAX]; /* requested modem, "" = any */
	char code[161];
	char state[16];	    /* queued running done failed timeout */
	char *reply;	    /* NULL until done */
	int reply_dcs;	    /* -1 unknown */
	int session_status; /* +CUSD <m>, -1 unknown */
	char *error;	    /* NULL unless failed/timeout */
};

/*
 * Claims the oldest queued request runnable on modem (requested for it or
 * for any), SKIP LOCKED; it becomes 'running'. -ENOENT when none.
 * Free the strings with db_ussd_done().
 */
int db_ussd_claim(struct db *db, const char *daemon_id, const char *modem,
		struct db_ussd *ret_req, struct db_error *err) DB_MUSTCHECK;

/*
 * Finishes a running request: state "done", "failed" or "timeout".
 * reply/error may be NULL. -ESTALE when it is not running.
 */
int db_ussd_finish(struct db *db, int64_t id, const char *state,
		const char *reply, int reply_dcs, int session_status,
		const char *error, struct db_error *err) DB_MUSTCHECK;

/*
 * Fails the requests daemon_id left 'running' (it crashed, or lost the
 * database while one ran), with an "interrupted" error, NOTIFYing
 * fieldgate_ussd_done for each so nobody waits forever. Call only while
 * none of daemon_id's requests is in flight. Returns how many.
 */
int db_ussd_recover(struct db *db, const char *daemon_id,
		struct db_error *err) DB_MUSTCHECK;

/* Reads a request (for fieldgatectl ussd). -ENOENT. Free with db_ussd_done. */
int db_ussd_get(struct db *db, int64_t id, struct db_ussd *ret_req,
		struct db_error *err) DB_MUSTCHECK;
/* Frees the strings inside a struct db_ussd (not the struct). */
void db_ussd_done(struct db_ussd *req);

/* ---- modem status ---------------------------------------------------- */

struct db_modem_status {
	char modem[DB_SHORT_MAX];
	char imsi[DB_SHORT_MAX];  /* "" unknown */
	char iccid[DB_SHORT_MAX]; /* "" unknown */
	char daemon_host[DB_SHORT_MAX];
	char device[DB_NAME_MAX];
	char registration[DB_SHORT_MAX];
	char operator_name[DB_SHORT_MAX];
	char access_tech[DB_SHORT_MAX];
	char last_error[DB_NAME_MAX];
	bool has_signal;
	int signal_dbm;
	int64_t lac;	    /* -1 unknown */
	int64_t ci;	    /* -1 unknown */
	int storage_used;   /* -1 unknown */
	int storage_total;  /* -1 unknown */
	int64_t last_rx_at; /* 0 none */
	int64_t last_tx_at; /* 0 none */
	int64_t updated_at; /* set by the database */
};

/* Inserts or replaces the row for (modem, imsi, iccid). */
int db_modem_status_upsert(struct db *db, const struct db_modem_status *st,
		struct db_error *err) DB_MUSTCHECK;

/* All rows by modem, newest first. Free with free(). */
int db_modem_status_list(struct db *db, struct db_modem_status **ret_rows,
		size_t *ret_count, struct db_error *err) DB_MUSTCHECK;

/* ---- rule reloads ---------------------------------------------------- */

struct db_rule_reload {
	const char *daemon_host; /* may be NULL */
	const char *path;	 /* rule file, may be NULL */
	const char *version;	 /* rules_version, may be NULL */
	const char *sha256;	 /* content hash, may be NULL */
	bool ok;
	const char *errors; /* diagnostics text, NULL when ok */
};

/* Records a rule load attempt. *ret_id (may be NULL) gets its id. */
int db_rule_reload_record(struct db *db, const struct db_rule_reload *rr,
		int64_t *ret_id, struct db_error *err) DB_MUSTCHECK;

/* ---- listings for fieldgatectl --------------------------------------- */

struct db_list_filter {
	const char *number; /* NULL = all; normalized here */
	int64_t since;	    /* 0 = no lower bound */
	int64_t until;	    /* 0 = no upper bound */
	size_t limit;	    /* 0 = 50 */
};

struct db_inbox_row {
	int64_t id;
	char kind[16]; /* "single" or "assembled" */
	int64_t received_at;
	int64_t scts;
	char modem[DB_SHORT_MAX];
	char sender[DB_PHONE_MAX];
	char state[16];
	int part_count;
	bool partial;
	char *text;	    /* NULL when undecoded */
	char *decode_error; /* NULL when fine */
};

/* Newest first. Free with db_inbox_rows_free(). */
int db_inbox_list(struct db *db, const struct db_list_filter *f,
		struct db_inbox_row **ret_rows, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;
void db_inbox_rows_free(struct db_inbox_row *rows, size_t count);

struct db_outbox_row {
	int64_t id;
	int64_t created_at;
	char recipient[DB_PHONE_MAX];
	char kind[DB_SHORT_MAX];
	int priority;
	char state[16];
	int attempts;
	int parts;
	int parts_delivered;
	char modem[DB_SHORT_MAX];
	char *text;
	char *last_error; /* NULL when none */
};

/* Newest first. Free with db_outbox_rows_free(). */
int db_outbox_list(struct db *db, const struct db_list_filter *f,
		struct db_outbox_row **ret_rows, size_t *ret_count,
		struct db_error *err) DB_MUSTCHECK;
void db_outbox_rows_free(struct db_outbox_row *rows, size_t count);

struct db_queue_depths {
	int64_t out_queued;
	int64_t out_sending;
	int64_t out_unknown;
	int64_t out_failed;
	int64_t in_unhandled;  /* inbound state 'stored' */
	int64_t parts_waiting; /* unassembled inbound parts */
	int64_t ussd_queued;
};

int db_queue_depths(struct db *db, struct db_queue_depths *ret,
		struct db_error *err) DB_MUSTCHECK;

#endif /* DB_STORE_H */
