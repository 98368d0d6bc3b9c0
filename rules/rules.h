/*
 * rules/rules.h - the field-reporting brain: rule files in, decisions out.
 *
 * A pure library (no file descriptor of its own except the loader's
 * libconfig read, no clock, no libpq, no logging).  The gateway drives it
 * in two phases around its database work, all in one transaction:
 *
 *   rules_load()    file -> immutable struct rules (or every diagnostic)
 *   rules_parse()   text + sender + time -> struct rules_parsed: the form
 *                   or command matched, every field typed, or the precise
 *                   error; plus what the gateway must look up (needs).
 *   (gateway)       looks up what parsed->needs asks for: a reference code
 *                   to allocate, the outlet, a report already in the same
 *                   period, the sender's last report, history averages,
 *                   the reports named by reference ...
 *   rules_decide()  parsed + facts -> struct rules_decision: the reply, the
 *                   report to store, the status change, the alerts to
 *                   raise, all as data.
 *
 * Later issues extend this without reshaping it: new field types add an
 * enum rules_type value and a parser, new commands an enum rules_command
 * value with their arguments in struct rules_parsed, new lookups a need
 * bit and a member of struct rules_facts (zero-initialised = "not
 * looked up", so older callers keep working), schedules their own header.
 *
 * Times: rules/ reads no clock and knows no time-zone database.  The
 * caller passes broken-down LOCAL times (struct rules_time) in the rule
 * file's time zone (settings.timezone; later per territory).
 *
 * Ownership: every struct returned through ret_ is allocated here and
 * freed with its *_free() (NULL accepted); every const char * inside a
 * returned struct lives as long as that struct.  Arguments are borrowed
 * for the call.  A struct rules is immutable once loaded, so any number
 * of parses may share it; it must outlive every rules_parsed and
 * rules_decision made from it.
 */
#ifndef RULES_RULES_H
#define RULES_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/diag.h"
#include "rules/value.h"

/*
 * gcc and clang predefine `unix` to 1 under -std=gnu11 (the build's
 * dialect), which would break struct rules_time's member of that name.
 */
#undef unix

struct rules;

/* ---- loading ---------------------------------------------------------- */

/*
 * Loads @path (libconfig syntax, @include relative to its directory),
 * checks every key against the schema, references, types, keyword
 * collisions after normalization, renders every template with worst-case
 * values and counts its segments, and runs every example and test through
 * rules_parse()/rules_decide() with a mock roster.  Every problem goes to
 * @diags (file:line, sorted; warnings too).  Returns 0 and *ret_rules on
 * success (warnings allowed), -EINVAL when there was an error (nothing
 * returned), -ENOENT/-EACCES/-EIO when the file cannot be read, -ENOMEM.
 */
int rules_load(const char *path, struct rules **ret_rules,
		struct diag_list *diags);
void rules_free(struct rules *rules);

/* Lower-case hex SHA-256 of the bytes of the file and its includes. */
const char *rules_hash(const struct rules *rules);
/* The file's rules_version string, or "" when it has none. */
const char *rules_version(const struct rules *rules);
/* The time zone named in settings.timezone ("Asia/Shanghai"), or "". */
const char *rules_timezone(const struct rules *rules);
/* The path it was loaded from. */
const char *rules_path(const struct rules *rules);

/* ---- input ------------------------------------------------------------- */

/* A local wall-clock time (see the note on times above). */
struct rules_time {
	int64_t unix;	      /* the same instant, Unix seconds; 0 = unknown */
	int year, month, day; /* 2026, 1..12, 1..31 */
	int hour, minute, second;
	int wday; /* 0 = Sunday */
};

/* Who sent it, from the roster.  role NULL = not in the roster. */
struct rules_sender {
	const char *phone;     /* normalized, as the database stores it */
	const char *role;      /* "rep", "supervisor", "admin" or NULL */
	const char *name;      /* NULL when unknown */
	const char *territory; /* NULL when none */
	int64_t person_id;     /* 0 when unknown */
};

struct rules_msg {
	const char *text; /* as received; need not be valid UTF-8 */
	size_t len;
	struct rules_sender sender;
	struct rules_time sent;	    /* SCTS, local; unix 0 if unknown */
	struct rules_time received; /* processing time, local */
};

/* ---- phase 1: parse ------------------------------------------------------ */

enum rules_type {
	RULES_INT,
	RULES_DECIMAL,
	RULES_ENUM,
	RULES_TEXT,
	RULES_DATE,
	RULES_TIME,
	RULES_PHONE,
	RULES_BOOL,
	RULES_OUTLET, /* syntax here; the lookup is the gateway's */
	RULES_CELL,   /* L<mcc>-<mnc>-<lac>-<cid>, hex or decimal */
};

/* "int", "decimal", ... (as in the rule file). */
const char *rules_type_name(enum rules_type type);

/* A cell as rv_parse_cell() reads it (rules/value.h). */

struct rules_value {
	const char *name;  /* field name (ASCII, the JSON key) */
	const char *label; /* what reps see ("销量") */
	enum rules_type type;
	bool present;	 /* false: optional, absent, no default */
	bool defaulted;	 /* the default value was used */
	const char *raw; /* the token as typed (normalized), "" if absent */
	union {
		int64_t i; /* INT; BOOL 0/1 */
		struct {
			int64_t units; /* value = units / 10^scale */
			int scale;
		} dec;
		struct {
			int year, month, day;
		} date;
		struct {
			int hour, minute;
		} time;
		struct rv_cell cell;
	} v;
	/* ENUM canonical value, TEXT, PHONE normalized, OUTLET code */
	const char *text;
};

/* What a message turned out to be. */
enum rules_kind {
	RULES_KIND_NONE,    /* nothing matched (see error) */
	RULES_KIND_FORM,    /* a report form: parsed->form_id */
	RULES_KIND_COMMAND, /* a command: parsed->command */
};

/*
 * Commands.  Issue 7 implements HELP and UNDO; the others are parsed
 * here (keyword, references, text) and decided by the issues that own
 * them, so their keywords and permissions live in the rule file today.
 */
enum rules_command {
	RULES_CMD_NONE,
	RULES_CMD_HELP,	   /* 帮助 / ? / HELP */
	RULES_CMD_UNDO,	   /* 撤销: withdraw my last report */
	RULES_CMD_APPROVE, /* 批 <ref>... [comment]   (supervisors issue) */
	RULES_CMD_REJECT,  /* 驳 <ref>... <reason>    (supervisors issue) */
	RULES_CMD_NOTE,	   /* 注 <ref>... <text>      (supervisors issue) */
	RULES_CMD_TEAM,	   /* 团队 / WHO              (supervisors issue) */
	RULES_CMD_LOOKUP,  /* 查 <name|number>        (supervisors issue) */
	RULES_CMD_MY,	   /* 我的 / MY               (supervisors issue) */
	RULES_CMD_CONFIRM, /* 确认 <ref> from an outlet (check-ins issue) */
};
const char *rules_command_name(enum rules_command cmd);

/*
 * Why a message was refused.  Each has a stable name ("missing",
 * "type_int", ...) used in `expect = "error:NAME"` and as the key of
 * the form's errors { } templates.
 */
enum rules_error {
	RULES_E_NONE,
	RULES_E_UNKNOWN_SENDER, /* not in the roster */
	RULES_E_UNKNOWN_CODE,	/* no keyword matched */
	RULES_E_NOT_ALLOWED,	/* the sender's role may not use it */
	RULES_E_MISSING,	/* a required field is absent */
	RULES_E_TYPE_INT,	/* not a whole number */
	RULES_E_TYPE_DECIMAL,	/* not a number */
	RULES_E_TYPE_DATE,
	RULES_E_TYPE_TIME,
	RULES_E_TYPE_PHONE,
	RULES_E_TYPE_BOOL,
	RULES_E_TYPE_CELL,
	RULES_E_TYPE_OUTLET, /* not shaped like an outlet code */
	RULES_E_ENUM,	     /* not one of the listed values */
	RULES_E_RANGE,	     /* outside min..max */
	RULES_E_TOO_LONG,    /* text over max_chars */
	RULES_E_EXTRA,	     /* tokens left over */
	RULES_E_DUPLICATE,   /* the same tag twice */
	RULES_E_NEEDS_TEXT,  /* a command that requires text got none */
	RULES_E_NEEDS_REF,   /* a command that requires a reference */
	/* decided with facts (phase 2) */
	RULES_E_UNKNOWN_OUTLET,
	RULES_E_RESUBMIT, /* resubmit = "reject" and one exists */
	RULES_E_NOTHING_TO_UNDO,
	RULES_E_UNDO_EXPIRED, /* the last report is older than the window */
	/* added: a command whose issue is not implemented yet (approve,
	 * reject, note, team, lookup, my, confirm): settings.texts.
	 * not_available is the reply */
	RULES_E_NOT_AVAILABLE,
	/* (supervisors issue) decided with facts; replies composed from
	 * settings.texts words (no errors { } template) */
	RULES_E_NO_SUCH_REF,	 /* 批 / 驳 / 注: no report has that code */
	RULES_E_NOT_IN_CHAIN,	 /* the rep is outside the sender's chain */
	RULES_E_ALREADY_DECIDED, /* 批 / 驳 on a decided report */
	RULES_E_NO_SUCH_PERSON,	 /* 查: nobody by that name or number */
};
const char *rules_error_name(enum rules_error e);

/* Lookups phase 2 needs, as bits of struct rules_needs.what. */
enum {
	RULES_NEED_REF = 1 << 0,     /* allocate a reference code */
	RULES_NEED_OUTLET = 1 << 1,  /* look up needs.outlet_code */
	RULES_NEED_PRIOR = 1 << 2,   /* a report of form_id in period */
	RULES_NEED_LAST = 1 << 3,    /* the sender's last live report */
	RULES_NEED_HISTORY = 1 << 4, /* averages in needs.history[] */
	RULES_NEED_REPORTS = 1 << 5, /* the reports named in refs[] */
	RULES_NEED_CELL = 1 << 6,    /* look up needs.cell */
	/* (supervisors issue) set by rules_parse() for these commands */
	RULES_NEED_TEAM = 1 << 7,   /* TEAM: facts->team[] of the sender */
	RULES_NEED_PERSON = 1 << 8, /* LOOKUP: facts->person (command_text) */
	RULES_NEED_SELF = 1 << 9,   /* MY: facts->person = the sender */
};

/* "the rep's average of field F of form X over the last N days" */
struct rules_history_need {
	const char *form_id;
	const char *field;
	int window_days;
};

struct rules_needs {
	unsigned what; /* RULES_NEED_* bits */
	const char *outlet_code;
	struct rv_cell cell;
	const struct rules_history_need *history;
	size_t n_history;
};

struct rules_parsed {
	enum rules_kind kind;
	enum rules_error error;	 /* RULES_E_NONE when it parsed */
	const char *error_field; /* field name of the error, or NULL */
	const char *error_token; /* the offending token, or NULL */

	const char *normalized; /* the text after normalization */
	const char *keyword;	/* the keyword or alias as matched */
	bool keyword_only;	/* nothing after it: reply the format */
	bool fuzzy_keyword;	/* matched at edit distance 1 */

	const char *form_id;	    /* KIND_FORM */
	enum rules_command command; /* KIND_COMMAND */

	const struct rules_value *fields; /* in the form's order */
	size_t n_fields;

	/* period of a report: "2026-06-01", "2026-W23", "2026-06", "" */
	const char *period;
	bool period_explicit; /* 昨天 / 0531 named it */
	bool late;	      /* the SCTS is past the deadline */

	/* commands: references (upper-cased, "R1045") and the text after */
	const char *const *refs;
	size_t n_refs;
	const char *command_text; /* "" when none */

	struct rules_needs needs;
};

/*
 * Phase 1.  Never fails on bad input: a message that does not parse
 * gives a result with ->error set.  Returns 0, or -ENOMEM.
 */
int rules_parse(const struct rules *rules, const struct rules_msg *msg,
		struct rules_parsed **ret_parsed);
void rules_parsed_free(struct rules_parsed *parsed);

/* ---- phase 2: facts and decision ---------------------------------------- */

/* Whether a lookup was done.  Zero-initialised = not looked up. */
enum rules_fact {
	RULES_FACT_UNCHECKED, /* no database (rules test): not checked */
	RULES_FACT_FOUND,
	RULES_FACT_NOT_FOUND,
};

struct rules_outlet {
	const char *code;
	const char *name;
	const char *territory;
};

struct rules_report_ref {
	const char *ref;
	const char *form_id;
	const char *period;
	const char *status; /* "received", "withdrawn", ... */
	int64_t received;   /* Unix seconds */
	int64_t person_id;
	/* (supervisors issue) NEED_REPORTS, zero = not looked up */
	const char *rep_name;	  /* the report's rep, NULL when unknown */
	const char *rep_phone;	  /* where the decision is sent */
	enum rules_fact in_chain; /* NOT_FOUND: outside the sender's chain */
	bool is_leave;		  /* a leave request (leave_requests row) */
};

/* (supervisors issue) one of the sender's reps today (NEED_TEAM) */
struct rules_team_member {
	const char *name;
	const char *phone;
	bool checked_in; /* a check-in today */
	bool reported;	 /* the daily report for today */
	bool on_leave;	 /* approved leave covers today */
};

/*
 * (supervisors issue) a rep's day (NEED_PERSON / NEED_SELF), from the
 * rep_today and rep_history views.  Strings "" when none.
 */
struct rules_person_status {
	const char *name;
	const char *phone;
	int checkins_today;
	const char *last_checkin_outlet;  /* name, else the code */
	const char *last_checkin_time;	  /* "09:05", local */
	const char *last_checkin_verdict; /* "in_territory", "outside", ... */
	int reports_today;
	const char *forms_today;   /* "daily weekly" */
	const char *latest_ref;	   /* the newest report: "R1045" */
	const char *latest_form;   /* its form id */
	const char *latest_status; /* "received", "approved", ... */
	bool on_leave;
	int pending; /* the rep's reports awaiting a decision */
};

struct rules_history_fact {
	double average; /* over the window */
	int count;	/* reports in the window */
};

struct rules_facts {
	const char *ref; /* allocated reference (NEED_REF), or NULL */

	enum rules_fact outlet_status; /* NEED_OUTLET */
	struct rules_outlet outlet;

	enum rules_fact prior_status; /* NEED_PRIOR */
	struct rules_report_ref prior;

	enum rules_fact last_status; /* NEED_LAST */
	struct rules_report_ref last;

	/* NEED_HISTORY: one per parsed->needs.history[], same order */
	const struct rules_history_fact *history;
	size_t n_history;

	/* NEED_REPORTS: one per parsed->refs[], same order */
	const enum rules_fact *reports_status;
	const struct rules_report_ref *reports;

	/* (supervisors issue) NEED_TEAM: the sender's reps (their chain) */
	enum rules_fact team_status;
	const struct rules_team_member *team;
	size_t n_team;

	/*
	 * NEED_PERSON / NEED_SELF: FOUND with person filled; NOT_FOUND;
	 * person_in_chain false when the rep found is outside the sender's
	 * chain (the reply refuses, the gateway logs it)
	 */
	enum rules_fact person_status;
	bool person_in_chain;
	struct rules_person_status person;

	const char *sender_name; /* signs decisions sent to reps */
};

/* What the gateway does with the report. */
enum rules_action {
	RULES_ACT_NONE,	    /* reply only (help, errors, formats) */
	RULES_ACT_STORE,    /* insert report (status "received") */
	RULES_ACT_REPLACE,  /* insert report, mark prior "replaced" */
	RULES_ACT_WITHDRAW, /* mark facts->last "withdrawn" */
};

enum rules_outcome {
	RULES_OUT_OK,	   /* a report or command was accepted */
	RULES_OUT_ERROR,   /* refused, with the reason in the reply */
	RULES_OUT_HELP,	   /* help list or a keyword's format */
	RULES_OUT_IGNORED, /* no reply at all (unknown sender by default) */
};
const char *rules_outcome_name(enum rules_outcome o); /* "ok", ... */

struct rules_report {
	const char *form_id;
	const char *ref;
	const char *period;
	bool late;
	/*
	 * {"sales":120,"cash":3500.00,...}: int and decimal as JSON numbers
	 * (a decimal with its scale's digits), bool true/false, date
	 * "2026-05-31", time "09:30", cell {"mcc":..,"mnc":..,"lac":..,
	 * "cid":..}, the rest strings; absent optional fields left out.
	 */
	const char *fields_json;
};

struct rules_alert {
	const char *id; /* the alert's id in the rule file */
	/*
	 * Recipient specs, resolved by the gateway: "supervisor" (the
	 * sender's), "supervisor:2" (two levels up), "role:admin", or a
	 * phone number.
	 */
	const char *const *notify;
	size_t n_notify;
	const char *text;	/* rendered template, one item of a batch */
	int batch_seconds;	/* 0: send at once */
	const char *dedupe_key; /* alert id + report ref (+ recipient) */
};

/*
 * (supervisors issue) what 批 / 驳 / 注 do to each reference, in the
 * order of parsed->refs[].  refused != NULL: nothing changes, the
 * attempt is recorded ("not_found", "not_in_chain", "already_decided").
 */
enum rules_ref_op {
	RULES_REF_APPROVE, /* status -> "approved" */
	RULES_REF_REJECT,  /* status -> "rejected" */
	RULES_REF_NOTE,	   /* a note row, no status change */
};
struct rules_ref_decision {
	size_t index; /* into parsed->refs[] and facts->reports[] */
	const char *ref;
	enum rules_ref_op op;
	const char *comment; /* "" when none */
	const char *refused; /* NULL: done */
};

/*
 * (supervisors issue) an SMS to someone other than the sender: the
 * rep told of a decision (phone set), or the sender's supervisor asked
 * to approve (to_supervisor, phone NULL: the gateway resolves it).
 */
struct rules_notice {
	const char *phone;
	bool to_supervisor;
	const char *text;
};

struct rules_decision {
	enum rules_outcome outcome;
	enum rules_error error; /* final reason when OUT_ERROR */
	enum rules_action action;
	const char *reply; /* NULL: no reply */
	int reply_segments;
	bool reply_gsm7;	    /* the reply fits GSM 7-bit */
	struct rules_report report; /* ACT_STORE / ACT_REPLACE */
	const struct rules_alert *alerts;
	size_t n_alerts;
	/* (supervisors issue) */
	const struct rules_ref_decision *ref_decisions;
	size_t n_ref_decisions;
	const struct rules_notice *notices;
	size_t n_notices;
	bool needs_approval;	  /* the stored report waits for 批 / 驳 */
	int leave_days;		  /* > 0: the report is a leave request */
	const char *leave_reason; /* "" when none */
	bool refused_access;	  /* a chain refusal: the gateway logs it */
};

/*
 * Phase 2.  @facts may be NULL (nothing looked up).  Returns 0, or
 * -ENOMEM.
 */
int rules_decide(const struct rules *rules, const struct rules_parsed *parsed,
		const struct rules_msg *msg, const struct rules_facts *facts,
		struct rules_decision **ret_decision);
void rules_decision_free(struct rules_decision *decision);

/* ---- helpers for the gateway and fieldgatectl --------------------------- */

/* settings.ref: the reference prefix ("R") and digits (4). */
const char *rules_ref_prefix(const struct rules *rules);
int rules_ref_digits(const struct rules *rules);

/*
 * Formats sequence number @n as a reference ("R1045") into @buf.
 * Returns the length, or -ENOSPC.
 */
int rules_ref_format(
		const struct rules *rules, int64_t n, char *buf, size_t size);

/*
 * (added) The value of @v (a field of a rules_parsed made from @rules)
 * as replies show it: "3500", "3500.5", "涨" (an enum's first alias),
 * "05-31", "09:30", "是" (settings.texts.yes), "460-00-2A1F-3C4D"; ""
 * when absent.  For fieldgatectl rules test.  Writes a NUL-terminated
 * string of at most @size bytes into @buf; returns its length.
 */
int rules_value_text(const struct rules *rules, const struct rules_value *v,
		char *buf, size_t size);

/*
 * The "rule file refused" text sent to admins (settings.texts.refused,
 * with {{errors}} the errors of @d as "file:line message; ..."): written
 * into @buf, cut to @size bytes at a character boundary; returns the
 * length written.
 */
int rules_refused_text(const struct rules *rules, const struct diag_list *d,
		char *buf, size_t size);

#endif /* RULES_RULES_H */
