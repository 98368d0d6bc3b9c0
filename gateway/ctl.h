/*
 * fieldgatectl subcommands. Each is one entry of the table in
 * fieldgatectl.c: add a function with this signature and a row there.
 * run() gets argv starting at the subcommand name and returns the exit
 * status: 0 success, 1 failure (one-line message on stderr), 2 usage error.
 *
 * Every command but `pdu` and `modems` talks to PostgreSQL and ONLY to it
 * (never to a daemon), so fieldgatectl works from any host that reaches
 * the database. The connection is chosen by ctl_open() (ctl_common.c).
 */
#ifndef FIELDGATE_GATEWAY_CTL_H
#define FIELDGATE_GATEWAY_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "db/db.h"
#include "gateway/json.h"

#define CTL_EXIT_OK 0
#define CTL_EXIT_FAIL 1
#define CTL_EXIT_USAGE 2

struct ctl_cmd {
	const char *name;
	const char *summary; /* one line for --help */
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f); /* detailed help */
};

/* ---- the commands ------------------------------------------------------ */

/* `fieldgatectl pdu ...` (gateway/ctl_pdu.c) */
int ctl_pdu_run(int argc, char **argv);
void ctl_pdu_usage(FILE *f);

/* `fieldgatectl db migrate|status` (gateway/ctl_db.c) */
int ctl_db_run(int argc, char **argv);
void ctl_db_usage(FILE *f);

/* `fieldgatectl send NUMBER TEXT` (gateway/ctl_send.c) */
int ctl_send_run(int argc, char **argv);
void ctl_send_usage(FILE *f);

/* `fieldgatectl status` (gateway/ctl_status.c) */
int ctl_status_run(int argc, char **argv);
void ctl_status_usage(FILE *f);

/* `fieldgatectl inbox` / `outbox` (gateway/ctl_list.c) */
int ctl_inbox_run(int argc, char **argv);
void ctl_inbox_usage(FILE *f);
int ctl_outbox_run(int argc, char **argv);
void ctl_outbox_usage(FILE *f);

/* `fieldgatectl ussd CODE` (gateway/ctl_ussd.c) */
int ctl_ussd_run(int argc, char **argv);
void ctl_ussd_usage(FILE *f);

/* `fieldgatectl people add|list` (gateway/ctl_people.c) */
int ctl_people_run(int argc, char **argv);
void ctl_people_usage(FILE *f);

/* `fieldgatectl modems` (gateway/ctl_modems.c) */
int ctl_modems_run(int argc, char **argv);
void ctl_modems_usage(FILE *f);

/* `fieldgatectl import|export KIND ...` (gateway/ctl_import.c) */
int ctl_import_run(int argc, char **argv);
int ctl_export_run(int argc, char **argv);
void ctl_import_usage(FILE *f);

/* `fieldgatectl where REP`, `checkins` (gateway/ctl_places.c) */
int ctl_where_run(int argc, char **argv);
void ctl_where_usage(FILE *f);
int ctl_checkins_run(int argc, char **argv);
void ctl_checkins_usage(FILE *f);

/* `fieldgatectl schedules`, and `rules test --at` (gateway/ctl_sched.c) */
struct rules;
int ctl_schedules_run(int argc, char **argv);
void ctl_schedules_usage(FILE *f);
void ctl_sched_at(const struct rules *rules, int64_t at, FILE *out);

/* `fieldgatectl rules check|test|reload` (gateway/ctl_rules.c) */
int ctl_rules_run(int argc, char **argv);
void ctl_rules_usage(FILE *f);

/* `fieldgatectl reports` (gateway/ctl_reports.c) */
int ctl_reports_run(int argc, char **argv);
void ctl_reports_usage(FILE *f);

/* `fieldgatectl report` (gateway/ctl_report.c): the dashboard views */
int ctl_report_run(int argc, char **argv);
void ctl_report_usage(FILE *f);

/* ---- shared by the commands (gateway/ctl_common.c) --------------------- */

/*
 * The connection options every database command accepts, before or after
 * the command name: --db CONNINFO, -f/--config FILE. Call at argv[*i];
 * returns 1 when it consumed an option (and its value, advancing *i),
 * 0 when argv[*i] is not one of them, -1 (message printed) when the value
 * is missing. The values are kept for ctl_open() (static storage of the
 * program; argv strings are borrowed).
 */
int ctl_conn_option(int argc, char **argv, int *i);

/*
 * The options every command takes, tried at argv[*i]: the connection options
 * (ctl_conn_option()), --json (sets *json) and --help (prints usage(stdout)).
 * Returns CTL_OPT_TAKEN when argv[*i] was one of them (go on with the next;
 * *i may have moved past a value), CTL_OPT_OTHER when it was not, or the exit
 * status the command should end with: CTL_EXIT_OK after --help,
 * CTL_EXIT_USAGE when a connection option misses its value.
 */
#define CTL_OPT_TAKEN (-1)
#define CTL_OPT_OTHER (-2)
int ctl_common_option(int argc, char **argv, int *i, bool *json,
		void (*usage)(FILE *f));

/*
 * Says on stderr that `arg` is an unknown option or misses its value.
 * Returns CTL_EXIT_USAGE, for `return ctl_bad_option(prog, a);`.
 */
int ctl_bad_option(const char *prog, const char *arg);

/* A subcommand, as in `fieldgatectl db migrate`. */
struct ctl_subcmd {
	const char *name;
	int (*run)(int argc, char **argv); /* gets argv from its name */
};

/*
 * Runs the one of subs[n] that argv[1] names and returns its exit status.
 * "--help" or "help" print usage(stdout): CTL_EXIT_OK. No subcommand, or
 * an unknown one (said on stderr after `prog`), print usage(stderr):
 * CTL_EXIT_USAGE.
 */
int ctl_run_subcmd(const char *prog, const struct ctl_subcmd *subs, size_t n,
		void (*usage)(FILE *f), int argc, char **argv);

/* Common text for the usage screens. */
#define CTL_CONN_HELP                                                          \
	"connection (first that applies): --db CONNINFO, -f CONFIG (the\n"     \
	"  daemon's config file, its database.conninfo), $FIELDGATE_DB,\n"     \
	"  else libpq's PG* environment (PGHOST, PGDATABASE, ...).\n"

struct gw_config;

/* An open database session of one command. */
struct ctl_session {
	struct db *db;
	struct gw_config *config; /* the -f file, or NULL */
	const char *prog;	  /* "fieldgatectl send", for messages */
};

/*
 * Connects (see ctl_conn_option() for the choice) and, when check_schema,
 * refuses a database whose schema is not the program's (older: "run
 * `fieldgatectl db migrate`", newer: "upgrade fieldgate"). Every failure
 * prints ONE line "PROG: ..." on stderr and returns -1; 0 on success, and
 * *ret is to be closed with ctl_close().
 */
int ctl_open(const char *prog, bool check_schema, struct ctl_session *ret);
void ctl_close(struct ctl_session *s);

/*
 * Prints "PROG: WHAT: <reason>" (one line) for a failed db call r; a lost
 * connection is said so.
 */
void ctl_db_error(const struct ctl_session *s, const char *what, int r,
		const struct db_error *err);

/*
 * Checks that a modem name is known: a modem_status row has it, or the -f
 * config declares it. Prints "unknown modem 'X' (known: a, b)" and returns
 * -1 otherwise; 0 when known.
 */
int ctl_check_modem(struct ctl_session *s, const char *name);

/* ---- time (gateway/ctl_time.c, no database) ---------------------------- */

/*
 * Parses a --since/--until value relative to now (Unix seconds):
 *   "90s", "15m", "2h", "1d", "1w"           now minus that much
 *   "2026-11-27", "2026-11-27 08:30",
 *   "2026-11-27T08:30:15"                     local time (TZ)
 *   any of the above with "Z" or "+08:00"/"-0530" after the time: that zone
 * Returns 0 and sets *ret_t, or -EINVAL (*ret_t untouched).
 */
int ctl_parse_time(const char *s, int64_t now, int64_t *ret_t);

#define CTL_TIME_MAX 32
/* "2026-11-27 08:30:15" in local time; "-" for 0. */
void ctl_fmt_local(int64_t t, char buf[CTL_TIME_MAX]);
/* "2026-11-27T08:30:15Z" (UTC, RFC 3339); "" for 0. */
void ctl_fmt_utc(int64_t t, char buf[CTL_TIME_MAX]);
/* A short age: "42s", "5m", "3h", "2d"; negative ages (clock skew) "0s". */
void ctl_fmt_age(int64_t seconds, char buf[CTL_TIME_MAX]);
/* JSON member: RFC 3339 UTC string, or null for 0. */
void ctl_json_time(struct json *j, const char *key, int64_t t);
/* JSON member: the string, or null when s is empty. */
void ctl_json_text(struct json *j, const char *key, const char *s);

/*
 * Parses a non-negative decimal integer <= max. Returns 0 and sets *ret,
 * or -EINVAL.
 */
int ctl_parse_uint(const char *s, unsigned long max, unsigned long *ret);

#endif
