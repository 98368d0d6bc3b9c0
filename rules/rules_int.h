/*
 * rules/rules_int.h - the compiled rule set shared by the loader, the
 * parser and the decider.  Internal to rules/: the public contract is
 * rules/rules.h.
 *
 * A struct rules owns one arena; every string and array below lives in
 * it and is freed with it.  Keywords, aliases, tags and enum aliases
 * are stored NORMALIZED (rt_normalize() with the file's options), so
 * matching is a byte comparison.
 */
#ifndef RULES_RULES_INT_H
#define RULES_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rules.h"
#include "rules/text.h"
#include "rules/value.h"

/* ---- arena ----------------------------------------------------------- */

struct r_chunk;
struct r_arena {
	struct r_chunk *head;
	char *inline_buf; /* optional first buffer (not freed) */
	size_t inline_size, inline_used;
};
void *r_alloc(struct r_arena *a, size_t size); /* 8-aligned, not zeroed */
void *r_zalloc(struct r_arena *a, size_t size);
char *r_strndup(struct r_arena *a, const char *s, size_t len);
char *r_strdup(struct r_arena *a, const char *s);
void r_arena_free(struct r_arena *a);

/* ---- templates ------------------------------------------------------- */

enum r_ph {
	PH_LITERAL,
	PH_FIELD, /* a field's value, by index */
	PH_LABEL, /* the error's field label */
	PH_RAW,	  /* the offending token */
	PH_MIN,
	PH_MAX,
	PH_MAX_CHARS,
	PH_REF,
	PH_DATE, /* report date M月D日 / M/D */
	PH_TIME, /* HH:MM of the message */
	PH_WEEK, /* ISO week number */
	PH_MONTH,
	PH_DAY,
	PH_PERIOD, /* "2026-06-01" */
	PH_FORMAT, /* "日报 销量 回款 拜访 [竞品]" */
	PH_CODES,  /* the codes the sender may use */
	PH_TITLE,  /* the form's or command's title */
	PH_KEYWORD,
	PH_FIELDS, /* "销量120 回款3500 拜访8" */
	PH_REP_NAME,
	PH_REP_PHONE,
	PH_REP_TERRITORY,
	PH_OUTLET_NAME,
	PH_OUTLET_CODE,
	PH_OUTLET_TERRITORY,
	PH_WINDOW, /* undo window in minutes */
	PH_ERRORS, /* the file's error lines (refused text) */
	PH_FILE,
	PH_COUNT,
};

struct r_piece {
	enum r_ph kind;
	const char *text; /* PH_LITERAL */
	size_t len;
	int field; /* PH_FIELD */
};

struct r_tmpl {
	const char *src; /* NULL = not set */
	struct r_piece *p;
	size_t n;
	const char *file;
	int line;
};

/* ---- lists, fields, forms, commands -------------------------------- */

struct r_item {
	const char *v;	    /* canonical value (JSON) */
	const char *say;    /* what the receipt shows (first alias) */
	const char **alias; /* normalized */
	size_t n_alias;
};

struct r_list {
	const char *name;
	struct r_item *items;
	size_t n_items;
	int line;
};

struct r_field {
	const char *name, *label;
	enum rules_type type;
	bool required;
	bool rest;	   /* rest_of_message */
	const char **tags; /* normalized */
	size_t *tag_lens;
	size_t n_tags;
	const char *json_key; /* "\"name\":", made at load */
	size_t json_key_len;
	int *tag_lines;
	int scale; /* decimal digits kept (int: 0) */
	bool has_min, has_max;
	int64_t min, max; /* in units at scale */
	int max_chars;
	const struct r_list *list; /* ENUM */
	const char *def;	   /* default, as text to parse; NULL none */
	const char *unit;	   /* shown after the value in {{fields}} */
	struct rv_num_opts num;
	const char *file;
	int line;
};

enum r_syntax { SYN_AUTO, SYN_POSITIONAL, SYN_TAGGED };
enum r_period { PER_DAY, PER_WEEK, PER_MONTH, PER_EVENT };
enum r_resubmit { RESUB_REPLACE, RESUB_KEEP_BOTH, RESUB_REJECT };

struct r_example {
	const char *role; /* "rep", ..., NULL = unknown sender */
	const char *text;
	const char *expect; /* "ok:daily", "error:missing", "help", ... */
	const char *reply;  /* exact reply expected, NULL = not checked */
	struct rules_time at;
	bool has_at;
	const char *file;
	int line;
};

struct r_form {
	const char *id, *title;
	const char **keywords; /* normalized, [0] shown in formats */
	const char **keywords_raw;
	size_t n_keywords;
	int *kw_lines;
	unsigned roles; /* bit per rules->roles[] */
	enum r_syntax syntax;
	enum r_period period;
	int deadline_min;  /* minutes after local midnight, -1 none */
	int deadline_wday; /* week: 0 = Sunday .. 6; -1 = end of week */
	enum r_resubmit resubmit;
	struct r_field *fields;
	size_t n_fields;
	struct r_tmpl reply_ok, reply_late;
	/* (supervisors issue) a report that waits for 批 / 驳; leave: its
	 * "days" and "reason" fields make a leave request */
	bool needs_approval, leave;
	struct r_tmpl approval_request; /* to the rep's supervisor */
	struct r_tmpl errors[RULES_E_NOT_AVAILABLE + 1];
	const char *format; /* generated */
	struct r_example *examples;
	size_t n_examples;
	struct rules_history_need *history; /* from above_avg alerts */
	size_t n_history;
	bool needs_outlet;
	uint32_t tag_first[8]; /* bitmap of the first bytes of tags */
	const char *file;
	int line;
};

/* (supervisors issue) settings.texts words of supervisor replies, in
 * the order of r_sup_keys[] / r_sup_defaults[] (rules/decide_cmd.c) */
enum r_sup_text {
	SUP_APPROVED,
	SUP_REJECTED,
	SUP_NOTED,
	SUP_ALREADY,
	SUP_NOT_IN_CHAIN,
	SUP_NO_SUCH_REF,
	SUP_TEAM_ALL,
	SUP_MISSING,
	SUP_NO_CHECKIN,
	SUP_NO_REPORT,
	SUP_ON_LEAVE,
	SUP_NO_SUCH_PERSON,
	SUP_TODAY,
	SUP_CHECKINS,
	SUP_REPORTS,
	SUP_LATEST,
	SUP_PENDING,
	SUP_IN_TERRITORY,
	SUP_OUTSIDE,
	R_SUP_N
};
extern const char *const r_sup_keys[R_SUP_N + 1];
extern const char *const r_sup_defaults[R_SUP_N];

struct r_command {
	enum rules_command cmd;
	const char *id; /* "help", "undo", ... */
	const char *title;
	const char **keywords;
	const char **keywords_raw;
	size_t n_keywords;
	int *kw_lines;
	unsigned roles;
	int window_s; /* undo */
	bool needs_text, needs_ref;
	struct r_tmpl reply; /* ok reply (undo) or "not yet available" */
	const char *file;
	int line;
	bool defined;
};

/* ---- alerts ----------------------------------------------------------- */

enum r_cond_kind {
	COND_ALL,
	COND_ANY,
	COND_NOT,
	COND_CMP,
	COND_IN,
	COND_CONTAINS,
	COND_ABOVE_AVG,
	COND_PRESENT,
};
enum r_op { OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE };

struct r_cond {
	enum r_cond_kind kind;
	struct r_cond *sub; /* ALL / ANY / NOT */
	size_t n_sub;
	int field; /* index in the form */
	enum r_op op;
	bool is_string;
	double num;
	const char *str;
	const char **words; /* IN (strings) / CONTAINS (normalized) */
	double *nums;	    /* IN (numbers) */
	size_t n_words;
	double factor;
	int min_history;
	int history; /* index in the form's history[] */
	int line;
};

struct r_alert {
	const char *id;
	int form;	    /* index */
	struct r_cond cond; /* COND_ALL of nothing = always */
	const char **notify;
	size_t n_notify;
	struct r_tmpl tmpl;
	struct r_tmpl dedupe;
	int batch_s;
	int line;
};

/* ---- the set ----------------------------------------------------------- */

enum r_kw_kind { KW_FORM, KW_COMMAND };
struct r_keyword {
	const char *kw; /* normalized */
	size_t len;
	bool ascii;	  /* only ASCII bytes */
	bool ends_letter; /* last byte an ASCII letter */
	enum r_kw_kind kind;
	int index;
	const char *file;
	int line;
};

#define R_MAX_ROLES 16
#define R_N_COMMANDS (RULES_CMD_CONFIRM + 1)

struct rules {
	struct r_arena arena;
	const char *path, *version, *timezone;
	char hash[65];

	struct rt_norm_opts norm;
	struct rt_norm_opts norm_keep_case;	 /* norm without fold_case */
	struct rt_norm norm_c, norm_keep_case_c; /* the two, compiled */
	struct rv_num_opts num;
	int home_mcc, home_mnc;
	bool cell_hex_default;
	int max_segments;
	bool format_hint;

	struct r_tmpl t_help, t_format, t_unknown_code, t_unknown_sender,
			t_not_allowed, t_refused, t_not_available, t_assumed,
			t_format_hint, t_late_mark;
	/* (supervisors issue) words of the supervisor replies: r_sup_keys */
	const char *sup_text[R_SUP_N];
	const char *unchecked; /* shown for a lookup not done */
	const char *yes_text, *no_text;
	struct rules_time test_time;
	const char *test_outlet; /* the mock outlet's name */
	struct r_tmpl def_errors[RULES_E_NOT_AVAILABLE + 1];

	const char *ref_prefix;
	int ref_digits;

	const char *roles[R_MAX_ROLES];
	size_t n_roles;
	/* the help list per role (r_codes()), made once at load */
	const char *codes[R_MAX_ROLES];

	struct r_list *lists;
	size_t n_lists;
	struct r_form *forms;
	size_t n_forms;
	struct r_command commands[R_N_COMMANDS];
	struct r_alert *alerts;
	size_t n_alerts;
	struct r_example *tests;
	size_t n_tests;

	struct r_keyword *keywords; /* longest first */
	size_t n_keywords;
	/* by first byte: kw_index[kw_start[b] .. kw_start[b + 1]) */
	uint16_t kw_start[257];
	uint16_t *kw_index;
};

/* rules/names.c */
int r_role_index(const struct rules *r, const char *role);
bool r_role_may(const struct rules *r, unsigned roles, const char *role);
int r_error_by_name(const char *name);

/* rules/template.c */
struct r_render {
	const struct rules *rules;
	const struct r_form *form;
	const struct r_command *command;
	const struct rules_parsed *parsed;
	const struct rules_msg *msg;
	const struct rules_facts *facts;
	const char *ref;
	const char *codes;
	const char *errors;		   /* refused text */
	bool worst;			   /* render worst-case values */
	const struct r_field *worst_field; /* worst: the error's field */
	enum rules_error worst_error;	   /* worst: the error rendered */
	const char *worst_role;
};
/* Appends the rendering of @t to @buf (@size); returns the new length. */
size_t r_render(const struct r_render *rc, const struct r_tmpl *t, char *buf,
		size_t len, size_t size);
/*
 * Compiles @src; returns 0, -EINVAL with @bad set to an unknown name,
 * -EBADMSG with @bad set to an unclosed "{{...", or -ENOMEM.
 */
int r_tmpl_compile(struct r_arena *a, const struct r_form *form,
		const char *src, struct r_tmpl *t, char *bad, size_t bad_size);
size_t r_codes(const struct rules *r, const char *role, char *buf, size_t size);
/* The precomputed r_codes() of @role ("" for an unknown role). */
const char *r_codes_of(const struct rules *r, const char *role);
size_t r_fmt_value(const struct rules *r, const struct rules_value *v,
		const struct r_field *f, char *buf, size_t size);
size_t r_worst_value(const struct rules *r, const struct r_field *f, char *buf,
		size_t size);
void r_time_fill(struct rules_time *t); /* wday and unix from the date */
int r_time_parse(const char *s, struct rules_time *t);
int64_t r_days_from_civil(int y, int m, int d);
void r_civil_from_days(int64_t z, int *y, int *m, int *d);

/* rules/sha256.c */
struct r_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
};
void r_sha256_init(struct r_sha256 *s);
void r_sha256_update(struct r_sha256 *s, const void *data, size_t len);
void r_sha256_final(struct r_sha256 *s, unsigned char out[32]);
void r_sha256_hex(const void *data, size_t len, char out[65]);

/* rules/decide_cmd.c (supervisors issue): 1 when @cmd was decided
 * into @d with the reply in @buf, 0 when not one of theirs, -ENOMEM */
int r_decide_supervise(const struct rules *r, const struct r_command *cmd,
		const struct rules_parsed *p, const struct rules_facts *fa,
		struct r_arena *a, struct rules_decision *d, char *buf,
		size_t size);
/* a stored report of a needs_approval form: flags, leave, notice */
int r_decide_request(const struct rules *r, const struct r_form *form,
		struct r_render *rc, struct r_arena *a,
		struct rules_decision *d);

#endif /* RULES_RULES_INT_H */
