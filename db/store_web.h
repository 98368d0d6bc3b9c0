/*
 * db/store_web.h: the web dashboard's data access (gateway/fieldgate-web,
 * issue 11). Pages read ONLY the views of migration 0005 (person_chain,
 * rep_today, compliance_week*, pending_approvals, alerts_daily,
 * gateway_health, rep_history), through the fixed, parameterized queries
 * named by enum db_web_query. The only writes are the login codes and
 * sessions of migration 0009 and the one SMS per login code queued in
 * outbound_messages. Codes and tokens are stored as SHA-256 digests.
 *
 * Conventions of db/store.h: 0 on success, negative errno with err filled.
 */
#ifndef DB_STORE_WEB_H
#define DB_STORE_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/* A result as text: cells[row * ncols + col], NULL for SQL NULL. */
struct db_web_table {
	size_t nrows, ncols;
	char **names; /* ncols column names */
	char **cells;
};

/* Frees what a table owns and zeroes it. NULL is a no-op. */
void db_web_table_free(struct db_web_table *t);
/* The cell's text, NULL for SQL NULL or out of range. Borrowed. */
const char *db_web_cell(const struct db_web_table *t, size_t row, size_t col);

/*
 * Every query takes $1 viewer person id, $2 'true' when the viewer is an
 * admin (sees everything; else only rows of their person_chain), $3 the
 * viewer's IANA time zone (times come out formatted in it), then the
 * extra parameters listed.
 */
enum db_web_query {
	DB_WEB_TODAY,	    /* $4 team (supervisor id) or NULL, $5 territory
				code or NULL, $6 limit, $7 offset; the last three
				columns are the totals of the selection: reps,
			       missing, on leave */
	DB_WEB_TEAMS,	    /* (none): supervisor id, name */
	DB_WEB_TERRITORIES, /* (none): code, name */
	DB_WEB_REP,	    /* $4 rep id: one row when visible, else none */
	DB_WEB_REP_HISTORY, /* $4 rep id */
	DB_WEB_COMPL_REP,   /* $4 week start (date) */
	DB_WEB_COMPL_TEAM,  /* $4 week start */
	DB_WEB_COMPL_TERR,  /* $4 week start */
	DB_WEB_PENDING,	    /* (none) */
	DB_WEB_ALERTS,	    /* (none): last 30 days, per day */
	DB_WEB_HEALTH,	    /* (none); the caller checks admin */
	DB_WEB_THIS_WEEK,   /* (none): Monday of the viewer's week */
	DB_WEB_N_QUERIES,
};

/* How many parameters query q takes in all (>= 3), or -1. */
int db_web_query_nparams(enum db_web_query q);

/*
 * Runs query q with exactly db_web_query_nparams(q) parameters (NULL
 * entries are SQL NULL). *ret is filled on success; free it with
 * db_web_table_free().
 */
int db_web_query(struct db *db, enum db_web_query q, const char *const *params,
		struct db_web_table *ret, struct db_error *err) DB_MUSTCHECK;

/* ---- login ------------------------------------------------------------ */

struct db_web_code_req {
	const char *phone;    /* as typed; normalized here */
	const char *code;     /* the 6 digits (stored hashed) */
	const char *sms_text; /* the SMS; "%s" is NOT expanded: send as is */
	int ttl_s;	      /* the code's life (300) */
	int interval_s;	      /* at most one code per number this often */
};

/*
 * Issues a login code and queues its SMS, in one transaction. Only an
 * active supervisor or admin gets one. Returns 0, -ENOENT (no such
 * person: the caller answers as for success), -EAGAIN (a code was sent
 * less than interval_s ago), -ENOLCK (the number is locked).
 */
int db_web_code_issue(struct db *db, const struct db_web_code_req *req,
		struct db_error *err) DB_MUSTCHECK;

/*
 * Checks a code. On success the code is spent and *ret_person_id set.
 * A wrong or expired code counts one try; the max_tries-th wrong try
 * locks the number for lock_s seconds. Returns 0, -EACCES (wrong;
 * *ret_tries_left set), -ETIME (expired or used), -ENOLCK (locked),
 * -ENOENT (no code for this number).
 */
int db_web_code_check(struct db *db, const char *phone, const char *code,
		int max_tries, int lock_s, int64_t *ret_person_id,
		int *ret_tries_left, struct db_error *err) DB_MUSTCHECK;

/* ---- sessions --------------------------------------------------------- */

#define DB_WEB_TOKEN_MAX 72
#define DB_WEB_TEXT_MAX 256

struct db_web_viewer {
	int64_t id;
	char name[DB_WEB_TEXT_MAX];
	bool admin;
	char tz[DB_WEB_TEXT_MAX];    /* IANA name, never "" */
	char csrf[DB_WEB_TOKEN_MAX]; /* the session's CSRF token */
};

/* Stores a session (token hashed) that lives ttl_s seconds. */
int db_web_session_create(struct db *db, const char *token, const char *csrf,
		int64_t person_id, int ttl_s,
		struct db_error *err) DB_MUSTCHECK;

/*
 * The viewer of a live session (not expired, person still an active
 * supervisor or admin). -ENOENT otherwise.
 */
int db_web_session_get(struct db *db, const char *token,
		struct db_web_viewer *ret, struct db_error *err) DB_MUSTCHECK;

/* Ends a session (no error when there is none); also drops expired ones. */
int db_web_session_delete(struct db *db, const char *token,
		struct db_error *err) DB_MUSTCHECK;

#endif /* DB_STORE_WEB_H */
