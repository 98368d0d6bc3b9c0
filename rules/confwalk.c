/*
 * rules/confwalk.c - the schema walker (rules/confwalk.h), lifted out of
 * gateway/gwconfig.c so the daemon config and the rule files share it.
 */
#include <config.h>

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/confwalk.h"

void *cw_alloc(struct cw_ctx *c, size_t size)
{
	void *p;

	if (c->alloc) {
		p = c->alloc(c->arena, size);
		if (p)
			memset(p, 0, size);
	} else {
		p = calloc(1, size ? size : 1);
	}
	if (!p)
		c->oom = true;
	return p;
}

char *cw_strdup(struct cw_ctx *c, const char *s)
{
	size_t len = strlen(s);
	char *p = cw_alloc(c, len + 1);

	if (p)
		memcpy(p, s, len + 1);
	return p;
}

static void __attribute__((format(printf, 5, 0)))
vdiag(struct cw_ctx *c, enum diag_level level, const char *file, int line,
		const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!file)
		file = c->path;
	if (file && c->path && strcmp(file, c->path) && file[0] != '/' &&
			c->dir) {
		char full[1024];

		snprintf(full, sizeof(full), "%s/%s", c->dir, file);
		diag_add(c->diags, level, full, line, "%s", msg);
	} else {
		diag_add(c->diags, level, file, line, "%s", msg);
	}
}

void cw_diag(struct cw_ctx *c, enum diag_level level, const char *file,
		int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, level, file, line, fmt, ap);
	va_end(ap);
}

const char *cw_file_of(const config_setting_t *s)
{
	return config_setting_source_file(s);
}

void cw_error_at(struct cw_ctx *c, const config_setting_t *s, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, DIAG_ERROR, config_setting_source_file(s),
			(int) config_setting_source_line(s), fmt, ap);
	va_end(ap);
}

void cw_warn_at(struct cw_ctx *c, const config_setting_t *s, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, DIAG_WARNING, config_setting_source_file(s),
			(int) config_setting_source_line(s), fmt, ap);
	va_end(ap);
}

const char *cw_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number with a fraction";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "something else";
	}
}

/* Levenshtein distance, capped at 3 (names are short). */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[64], prev, tmp, best;

	if (la > 62 || lb > 62)
		return 3;
	for (j = 0; j <= lb; j++)
		row[j] = (int) j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int) i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = prev + cost;

			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			tmp = row[j];
			row[j] = v;
			prev = tmp;
			if (v < best)
				best = v;
		}
		if (best >= 3)
			return 3;
	}
	return row[lb] < 3 ? row[lb] : 3;
}

const char *cw_nearest(const char *name, const char *const *names)
{
	const char *hit = NULL;
	int best = 3;
	size_t i;

	if (strlen(name) < 3)
		return NULL;
	for (i = 0; names[i]; i++) {
		int d = distance(name, names[i]);

		if (d < best) {
			best = d;
			hit = names[i];
		}
	}
	return hit;
}

void cw_join(char *buf, size_t size, const char *prefix, const char *name)
{
	if (*prefix)
		snprintf(buf, size, "%s.%s", prefix, name);
	else
		snprintf(buf, size, "%s", name);
}

int cw_read(struct cw_ctx *c, config_t *cf, FILE *fp)
{
	const char *slash = c->path ? strrchr(c->path, '/') : NULL;

	/*
	 * "@include" names are relative to the including file's directory,
	 * not to wherever the program was started (libconfig copies it).
	 */
	if (slash && !c->dir) {
		c->dir = strndup(c->path,
				slash == c->path ? 1
						 : (size_t) (slash - c->path));
		if (!c->dir) {
			c->oom = true;
			return -ENOMEM;
		}
		config_set_include_dir(cf, c->dir);
	}
	if (!config_read(cf, fp)) {
		const char *file = config_error_file(cf);

		/* libconfig stops at the first syntax error. */
		cw_diag(c, DIAG_ERROR, file ? file : c->path,
				config_error_line(cf), "%s",
				config_error_text(cf));
		return -EINVAL;
	}
	return 0;
}

void cw_ctx_done(struct cw_ctx *c)
{
	free(c->dir);
	c->dir = NULL;
}

bool cw_get_string(struct cw_ctx *c, config_setting_t *s, const char *what,
		const char **ret)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cw_error_at(c, s, "'%s' must be a string, not %s", what,
				cw_type_name(config_setting_type(s)));
		return false;
	}
	*ret = config_setting_get_string(s);
	return true;
}

bool cw_get_int(struct cw_ctx *c, config_setting_t *s, const char *what,
		long long *ret)
{
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
			config_setting_type(s) != CONFIG_TYPE_INT64) {
		cw_error_at(c, s, "'%s' must be an integer, not %s", what,
				cw_type_name(config_setting_type(s)));
		return false;
	}
	*ret = config_setting_get_int64(s);
	return true;
}

bool cw_get_number(struct cw_ctx *c, config_setting_t *s, const char *what,
		double *ret)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*ret = (double) config_setting_get_int64(s);
		return true;
	case CONFIG_TYPE_FLOAT:
		*ret = config_setting_get_float(s);
		return true;
	default:
		cw_error_at(c, s, "'%s' must be a number, not %s", what,
				cw_type_name(config_setting_type(s)));
		return false;
	}
}

bool cw_get_bool(struct cw_ctx *c, config_setting_t *s, const char *what,
		bool *ret)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cw_error_at(c, s, "'%s' must be true or false, not %s", what,
				cw_type_name(config_setting_type(s)));
		return false;
	}
	*ret = config_setting_get_bool(s);
	return true;
}

bool cw_get_strv(struct cw_ctx *c, config_setting_t *s, const char *what,
		struct cw_strv *ret)
{
	int type = config_setting_type(s), i, n;

	memset(ret, 0, sizeof(*ret));
	ret->file = config_setting_source_file(s);
	ret->line = (int) config_setting_source_line(s);
	if (type == CONFIG_TYPE_STRING) {
		ret->v = cw_alloc(c, sizeof(char *));
		ret->lines = cw_alloc(c, sizeof(int));
		if (!ret->v || !ret->lines)
			return false;
		ret->v[0] = cw_strdup(c, config_setting_get_string(s));
		ret->lines[0] = ret->line;
		ret->n = 1;
		return ret->v[0] != NULL;
	}
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		cw_error_at(c, s,
				"'%s' must be an array of strings [\"...\"], "
				"not %s",
				what, cw_type_name(type));
		return false;
	}
	n = config_setting_length(s);
	ret->v = cw_alloc(c, (size_t) (n + 1) * sizeof(char *));
	ret->lines = cw_alloc(c, (size_t) (n + 1) * sizeof(int));
	if (!ret->v || !ret->lines)
		return false;
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned) i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cw_error_at(c, e, "'%s[%d]' must be a string, not %s",
					what, i,
					cw_type_name(config_setting_type(e)));
			return false;
		}
		ret->v[ret->n] = cw_strdup(c, config_setting_get_string(e));
		if (!ret->v[ret->n])
			return false;
		ret->lines[ret->n] = (int) config_setting_source_line(e);
		if (ret->lines[ret->n] <= 0)
			ret->lines[ret->n] = ret->line;
		ret->n++;
	}
	return true;
}

static void parse_string(struct cw_ctx *c, config_setting_t *s,
		const struct cw_field *f, const char *what, char **dst)
{
	const char *v, *why;
	char *copy;

	if (!cw_get_string(c, s, what, &v))
		return;
	if (f->check && (why = f->check(v))) {
		cw_error_at(c, s, "'%s' %s (got \"%s\")", what, why, v);
		return;
	}
	copy = cw_strdup(c, v);
	if (!copy)
		return;
	if (!c->alloc)
		free(*dst);
	*dst = copy;
}

static void parse_int(struct cw_ctx *c, config_setting_t *s,
		const struct cw_field *f, const char *what, int *dst)
{
	long long v;
	size_t i;

	if (!cw_get_int(c, s, what, &v))
		return;
	if (f->allowed) {
		for (i = 0; f->allowed[i]; i++)
			if (v == f->allowed[i])
				break;
		if (!f->allowed[i]) {
			char list[256] = "";
			size_t n = 0;

			for (i = 0; f->allowed[i] && n < sizeof(list); i++)
				n += (size_t) snprintf(list + n,
						sizeof(list) - n, "%s%d",
						i ? ", " : "", f->allowed[i]);
			cw_error_at(c, s, "'%s' must be one of %s (got %lld)",
					what, list, v);
			return;
		}
	} else if (v < f->min || v > f->max) {
		cw_error_at(c, s,
				"'%s' must be between %lld and %lld (got "
				"%lld)",
				what, f->min, f->max, v);
		return;
	}
	*dst = (int) v;
}

static void parse_enum(struct cw_ctx *c, config_setting_t *s,
		const struct cw_field *f, const char *what, int *dst)
{
	const char *v;
	char list[256] = "";
	size_t i, n = 0;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = config_setting_get_string(s);
		for (i = 0; f->choices[i]; i++) {
			if (!strcmp(v, f->choices[i])) {
				*dst = (int) i;
				return;
			}
		}
	}
	for (i = 0; f->choices[i] && n < sizeof(list); i++)
		n += (size_t) snprintf(list + n, sizeof(list) - n, "%s\"%s\"",
				i ? ", " : "", f->choices[i]);
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		cw_error_at(c, s, "'%s' must be one of %s (got \"%s\")", what,
				list, config_setting_get_string(s));
	else
		cw_error_at(c, s, "'%s' must be one of %s, not %s", what, list,
				cw_type_name(config_setting_type(s)));
}

static void parse_number(struct cw_ctx *c, config_setting_t *s,
		const struct cw_field *f, const char *what, double *dst)
{
	double v;

	if (!cw_get_number(c, s, what, &v))
		return;
	if (f->min < f->max && (v < (double) f->min || v > (double) f->max)) {
		cw_error_at(c, s, "'%s' must be between %lld and %lld (got %g)",
				what, f->min, f->max, v);
		return;
	}
	*dst = v;
}

static void parse_strv(struct cw_ctx *c, config_setting_t *s,
		const struct cw_field *f, const char *what, struct cw_strv *dst)
{
	struct cw_strv v;
	const char *why;
	size_t i;

	if (!cw_get_strv(c, s, what, &v))
		return;
	if (f->check)
		for (i = 0; i < v.n; i++)
			if ((why = f->check(v.v[i]))) {
				cw_error_at(c, s, "'%s' %s (got \"%s\")", what,
						why, v.v[i]);
				return;
			}
	*dst = v;
}

void cw_walk_group(struct cw_ctx *c, config_setting_t *group,
		const char *prefix, const struct cw_field *fields, void *base,
		void *user)
{
	unsigned long long seen = 0;
	char what[160];
	int i, count = config_setting_length(group);

	for (i = 0; i < count; i++) {
		config_setting_t *s =
				config_setting_get_elem(group, (unsigned) i);
		const char *name = config_setting_name(s);
		const struct cw_field *f;
		void *dst;
		size_t k;

		for (k = 0; fields[k].name; k++)
			if (name && !strcmp(name, fields[k].name))
				break;
		f = &fields[k];
		cw_join(what, sizeof(what), prefix, name ? name : "?");
		if (!f->name) {
			const char *near = NULL;

			if (c->suggest && name) {
				const char *names[65];
				size_t m;

				for (m = 0; m < 64 && fields[m].name; m++)
					names[m] = fields[m].name;
				names[m] = NULL;
				near = cw_nearest(name, names);
			}
			if (near)
				cw_error_at(c, s,
						"unknown setting '%s' (did you "
						"mean '%s'?)",
						what, near);
			else
				cw_error_at(c, s, "unknown setting '%s'", what);
			continue;
		}
		seen |= 1ull << k;
		dst = (char *) base + f->offset;
		switch (f->type) {
		case CW_STRING:
			parse_string(c, s, f, what, (char **) dst);
			break;
		case CW_INT:
			parse_int(c, s, f, what, (int *) dst);
			break;
		case CW_BOOL:
			cw_get_bool(c, s, what, (bool *) dst);
			break;
		case CW_ENUM:
			parse_enum(c, s, f, what, (int *) dst);
			break;
		case CW_NUMBER:
			parse_number(c, s, f, what, (double *) dst);
			break;
		case CW_STRINGS:
			parse_strv(c, s, f, what, (struct cw_strv *) dst);
			break;
		case CW_GROUP:
			if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
				cw_error_at(c, s,
						"'%s' must be a group { ... }, "
						"not %s",
						what,
						cw_type_name(config_setting_type(
								s)));
				break;
			}
			/* Nested groups fill the same struct. */
			cw_walk_group(c, s, what, f->sub, base, user);
			break;
		case CW_CUSTOM:
			f->custom(c, s, what, dst, user);
			break;
		}
	}
	for (i = 0; fields[i].name; i++) {
		if (!fields[i].required || (seen & (1ull << i)))
			continue;
		cw_join(what, sizeof(what), prefix, fields[i].name);
		if (*prefix)
			cw_error_at(c, group, "missing required setting '%s'",
					what);
		else
			cw_diag(c, DIAG_ERROR, NULL, 0,
					"missing required setting '%s'", what);
	}
}

void cw_keep(struct cw_ctx *c, config_setting_t *s, const char *what, void *dst,
		void *user)
{
	(void) c;
	(void) what;
	(void) user;
	*(config_setting_t **) dst = s;
}
