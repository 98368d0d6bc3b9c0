/*
 * rules/confwalk.h - a table-driven schema walker over libconfig, shared
 * by the daemon's config (gateway/gwconfig.c) and the rule files
 * (rules/load*.c) so both report errors one way (rules/diag.h).
 *
 * A group's shape is a table of struct cw_field.  cw_walk_group() checks
 * every setting of the group against it: an unknown name, a wrong type,
 * an integer out of range, a string a check refuses, a missing required
 * setting are each one diagnostic "file:line: message", and the walk goes
 * on so that every mistake is reported in one run.
 *
 * Only the loaders include this header (it brings in libconfig.h);
 * tests/check-layering.sh enforces that for rules/.
 */
#ifndef RULES_CONFWALK_H
#define RULES_CONFWALK_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "rules/diag.h"

struct cw_ctx;

/*
 * Walker state for one load.  Zero it, set ->path and ->diags (borrowed),
 * optionally ->alloc; cw_read() fills ->dir.  cw_ctx_done() frees ->dir.
 */
struct cw_ctx {
	const char *path;	 /* the top file, as named by the caller */
	char *dir;		 /* its directory (owned), NULL if none */
	struct diag_list *diags; /* where every diagnostic goes */
	bool oom;
	/*
	 * Allocator for the strings and arrays the walker stores (a load's
	 * arena); NULL = malloc, and CW_STRING frees the value it replaces.
	 */
	void *(*alloc)(void *arena, size_t size);
	void *arena;
	/* an unknown name close to a known one gets "(did you mean ...?)" */
	bool suggest;
};

enum cw_type {
	CW_STRING,  /* char * (a copy) */
	CW_INT,	    /* int, within min..max or one of allowed[] */
	CW_BOOL,    /* bool */
	CW_ENUM,    /* a string from choices[], stored as its index (int) */
	CW_GROUP,   /* a nested group described by sub, same base */
	CW_NUMBER,  /* double: an integer or a number with a fraction */
	CW_STRINGS, /* struct cw_strv: an array of strings (or one string) */
	CW_CUSTOM,  /* custom() does everything */
};

/* A string check: NULL if fine, else the reason (a static string). */
typedef const char *(*cw_string_check)(const char *value);

/*
 * CW_CUSTOM: @s is the setting, @what its dotted name for messages,
 * @dst the field's place (base + offset), @user what cw_walk_group()
 * was given.
 */
typedef void (*cw_custom_fn)(struct cw_ctx *c, config_setting_t *s,
		const char *what, void *dst, void *user);

/* A CW_CUSTOM that keeps the setting: *(config_setting_t **) dst = s. */
void cw_keep(struct cw_ctx *c, config_setting_t *s, const char *what, void *dst,
		void *user);

struct cw_field {
	const char *name;
	enum cw_type type;
	size_t offset; /* into the struct being filled */
	bool required;
	long long min, max;	    /* CW_INT (CW_NUMBER when min < max) */
	const char *const *choices; /* CW_ENUM, NULL-terminated */
	cw_string_check check;	    /* CW_STRING, CW_STRINGS (each) */
	const struct cw_field *sub; /* CW_GROUP */
	const int *allowed;	    /* CW_INT: only these, 0-ended */
	cw_custom_fn custom;	    /* CW_CUSTOM */
};

/* CW_STRINGS storage.  The strings come from the ctx's allocator. */
struct cw_strv {
	char **v;
	size_t n;
	const char *file; /* where the array is (NULL = the top file) */
	int line;
	int *lines; /* each element's line */
};

/*
 * Reads @fp (named @c->path) into @cf, which the caller initialised:
 * @include names are relative to the file's directory.  A syntax error
 * is one diagnostic (libconfig stops at the first).  Returns 0, -EINVAL
 * (syntax), -ENOMEM.
 */
int cw_read(struct cw_ctx *c, config_t *cf, FILE *fp);

/* Frees what the ctx owns (->dir).  The diagnostics stay in ->diags. */
void cw_ctx_done(struct cw_ctx *c);

/*
 * One diagnostic.  @file NULL = the top file; a relative name from an
 * @include is prefixed with the top file's directory so it can be
 * opened; line 0 = the whole file.
 */
void cw_diag(struct cw_ctx *c, enum diag_level level, const char *file,
		int line, const char *fmt, ...)
		__attribute__((format(printf, 5, 6)));
/* An error at @s's file and line. */
void cw_error_at(struct cw_ctx *c, const config_setting_t *s, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));
void cw_warn_at(struct cw_ctx *c, const config_setting_t *s, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

/* "a group", "an integer", ... for messages. */
const char *cw_type_name(int config_type);

/*
 * The known name closest to @name among @names (NULL-terminated), when
 * it is at most two edits away (and @name is not shorter than 3), else
 * NULL.  For "did you mean" hints.
 */
const char *cw_nearest(const char *name, const char *const *names);

/* "prefix.name" (or "name" when @prefix is "") into @buf. */
void cw_join(char *buf, size_t size, const char *prefix, const char *name);

/*
 * Checks every setting of @group against @fields (NULL-name-terminated,
 * at most 64 entries) and fills @base.  @prefix names the group in
 * messages ("" for the top level).  @user goes to custom functions.
 */
void cw_walk_group(struct cw_ctx *c, config_setting_t *group,
		const char *prefix, const struct cw_field *fields, void *base,
		void *user);

/*
 * Typed getters for custom code, each reporting a wrong type itself
 * ("'@what' must be a string, not an integer") and returning false.
 */
bool cw_get_string(struct cw_ctx *c, config_setting_t *s, const char *what,
		const char **ret);
bool cw_get_int(struct cw_ctx *c, config_setting_t *s, const char *what,
		long long *ret);
bool cw_get_number(struct cw_ctx *c, config_setting_t *s, const char *what,
		double *ret);
bool cw_get_bool(struct cw_ctx *c, config_setting_t *s, const char *what,
		bool *ret);
bool cw_get_strv(struct cw_ctx *c, config_setting_t *s, const char *what,
		struct cw_strv *ret);

/* A copy of @s from the ctx's allocator (NULL and ->oom on failure). */
char *cw_strdup(struct cw_ctx *c, const char *s);
void *cw_alloc(struct cw_ctx *c, size_t size); /* zeroed */

/* The file a setting is in, as cw_diag() would print it (NULL = top). */
const char *cw_file_of(const config_setting_t *s);

#endif /* RULES_CONFWALK_H */
