/*
 * rules/load.c - rules_load(): read the file (and its @includes) for the
 * hash, walk it against the schema (rules/confwalk.h), compile forms,
 * commands and alerts into a struct rules, then hand it to the checks of
 * rules/load_check.c (keywords, templates, segments, examples).  Only
 * the loader files include libconfig.h.
 */
#include <config.h>

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/confwalk.h"
#include "rules/load.h"

/* ---- small helpers -------------------------------------------------------- */

static void *arena_alloc(void *arena, size_t size)
{
	return r_alloc(arena, size);
}

const char *l_check_ident(const char *v)
{
	size_t len = strlen(v);

	if (!len || len > 32 ||
			strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
					len ||
			(v[0] >= '0' && v[0] <= '9'))
		return "must be 1 to 32 lower-case ASCII letters, digits or "
		       "'_'";
	return NULL;
}

const char *l_check_nonempty(const char *v)
{
	return *v ? NULL : "must not be empty";
}

/* "30m", "1h", "28d", "90s", "45" (seconds) -> seconds; -1 bad. */
static long parse_duration(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || v < 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	if (!strcmp(end, "d"))
		return v * 86400;
	return -1;
}

static bool get_duration(struct cw_ctx *c, config_setting_t *s,
		const char *what, long *ret)
{
	long long n;
	const char *v;

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
			config_setting_type(s) == CONFIG_TYPE_INT64) {
		cw_get_int(c, s, what, &n);
		if (n < 0 || n > 100000000) {
			cw_error_at(c, s,
					"'%s' must be a duration such as "
					"\"30m\"",
					what);
			return false;
		}
		*ret = (long) n;
		return true;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cw_error_at(c, s,
				"'%s' must be a duration such as \"30m\", "
				"\"1h\" or \"28d\", not %s",
				what, cw_type_name(config_setting_type(s)));
		return false;
	}
	v = config_setting_get_string(s);
	*ret = parse_duration(v);
	if (*ret < 0) {
		cw_error_at(c, s,
				"'%s' must be a duration such as \"30m\", "
				"\"1h\" or \"28d\" (got \"%s\")",
				what, v);
		return false;
	}
	return true;
}

int l_want_list(struct lctx *l, config_setting_t *s, const char *what)
{
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		cw_error_at(&l->cw, s,
				"'%s' must be a list ( { ... }, ... ), not %s",
				what, cw_type_name(config_setting_type(s)));
		return -1;
	}
	return config_setting_length(s);
}

char *l_norm(struct lctx *l, const char *s)
{
	size_t len = strlen(s), cap = 3 * len + 1;
	char *out = r_alloc(&l->r->arena, cap);

	if (!out) {
		l->cw.oom = true;
		return NULL;
	}
	if (rt_normalize_with(s, len, &l->r->norm_c, out, cap) < 0)
		out[0] = '\0';
	return out;
}

unsigned l_role_bits(struct lctx *l, config_setting_t *s,
		const struct cw_strv *v, const char *what)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < v->n; i++) {
		int k = r_role_index(l->r, v->v[i]);

		if (k < 0)
			cw_error_at(&l->cw, s,
					"%s: unknown role \"%s\" (not in "
					"'roles')",
					what, v->v[i]);
		else
			bits |= 1u << k;
	}
	return bits;
}

long l_duration(struct lctx *l, config_setting_t *s, const char *what)
{
	long v;

	return get_duration(&l->cw, s, what, &v) ? v : -1;
}

/* Compiles the template at member @key of @g (if present). */
void l_tmpl(struct lctx *l, config_setting_t *g, const char *key,
		const struct r_form *form, struct r_tmpl *t, const char *what)
{
	config_setting_t *s = g ? config_setting_get_member(g, key) : NULL;
	char bad[64];
	int r;

	if (!s || config_setting_type(s) != CONFIG_TYPE_STRING)
		return;
	t->file = cw_file_of(s);
	t->line = (int) config_setting_source_line(s);
	r = r_tmpl_compile(&l->r->arena, form,
			r_strdup(&l->r->arena, config_setting_get_string(s)), t,
			bad, sizeof(bad));
	if (r == -ENOMEM)
		l->cw.oom = true;
	else if (r == -EBADMSG)
		cw_error_at(&l->cw, s, "%s.%s: \"{{\" without \"}}\" in \"%s\"",
				what, key, bad);
	else if (r < 0)
		cw_error_at(&l->cw, s,
				"%s.%s: unknown placeholder {{%s}} (known: "
				"the form's field names, label, raw, min, "
				"max, ref, date, time, week, format, codes, "
				"title, fields, rep.name, outlet.name, ...)",
				what, key, bad);
}

/* A built-in default template (the English texts). */
static void def_tmpl(struct lctx *l, struct r_tmpl *t, const char *src)
{
	char bad[64];

	if (t->src)
		return;
	if (r_tmpl_compile(&l->r->arena, NULL, src, t, bad, sizeof(bad)) < 0)
		l->cw.oom = true;
}

/* ---- settings ------------------------------------------------------------------ */

struct spec {
	int schema;
	char *version;
	char *timezone;
	bool fold_case, strip_zero_width, fullwidth, thousands;
	struct cw_strv separators;
	bool fuzzy_digits, cn_numerals, cn_point;
	int home_mcc, home_mnc;
	bool cell_hex;
	int max_segments;
	bool format_hint;
	char *ref_prefix;
	int ref_digits;
	char *test_time, *test_outlet;
	config_setting_t *texts, *errors, *lists, *forms, *commands, *alerts,
			*tests;
	struct cw_strv roles;
};

#define SO(f) offsetof(struct spec, f)

static const char *check_ref_prefix(const char *v)
{
	size_t len = strlen(v);

	if (!len || len > 3 || strspn(v, "ABCDEFGHJKMNPQRSTUVWXYZ") != len)
		return "must be 1 to 3 upper-case letters (no I, L or O: "
		       "they read as digits)";
	return NULL;
}

static const struct cw_field normalize_fields[] = {
		{"fold_case", CW_BOOL, SO(fold_case), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"strip_zero_width", CW_BOOL, SO(strip_zero_width), false, 0, 0,
				NULL, NULL, NULL, NULL, NULL},
		{"fullwidth", CW_BOOL, SO(fullwidth), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"thousands", CW_BOOL, SO(thousands), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"separators", CW_STRINGS, SO(separators), false, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field numbers_fields[] = {
		{"fuzzy_digits", CW_BOOL, SO(fuzzy_digits), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{"cn_numerals", CW_BOOL, SO(cn_numerals), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{"cn_point", CW_BOOL, SO(cn_point), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field reply_fields[] = {
		{"max_segments", CW_INT, SO(max_segments), false, 1, 10, NULL,
				NULL, NULL, NULL, NULL},
		{"format_hint", CW_BOOL, SO(format_hint), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field ref_fields[] = {
		{"prefix", CW_STRING, SO(ref_prefix), false, 0, 0, NULL,
				check_ref_prefix, NULL, NULL, NULL},
		{"digits", CW_INT, SO(ref_digits), false, 3, 8, NULL, NULL,
				NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const char *const text_keys[] = {"help", "format", "unknown_code",
		"unknown_sender", "not_allowed", "refused", "not_available",
		"assumed", "format_hint", "unchecked", "yes", "no", NULL};

static void check_texts(struct cw_ctx *c, config_setting_t *s, const char *what,
		void *dst, void *user)
{
	int i, n;
	size_t k;

	(void) user;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cw_error_at(c, s, "'%s' must be a group { ... }, not %s", what,
				cw_type_name(config_setting_type(s)));
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
		const char *name = config_setting_name(e), *v;
		char w[96];

		for (k = 0; text_keys[k]; k++)
			if (!strcmp(text_keys[k], name))
				break;
		cw_join(w, sizeof(w), what, name);
		if (!text_keys[k]) {
			/* (supervisors issue) the words of their replies */
			size_t j;

			for (j = 0; r_sup_keys[j]; j++)
				if (!strcmp(r_sup_keys[j], name))
					break;
			if (r_sup_keys[j]) {
				cw_get_string(c, e, w, &v);
				continue;
			}
		}
		if (!text_keys[k] && cw_nearest(name, text_keys))
			cw_error_at(c, e,
					"unknown setting '%s' (did you mean "
					"'%s'?)",
					w, cw_nearest(name, text_keys));
		else if (!text_keys[k])
			cw_error_at(c, e, "unknown setting '%s'", w);
		else
			cw_get_string(c, e, w, &v);
	}
	*(config_setting_t **) dst = s;
}

void l_check_errors_group(struct cw_ctx *c, config_setting_t *s,
		const char *what, void *dst, void *user)
{
	int i, n;

	(void) user;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cw_error_at(c, s, "'%s' must be a group { ... }, not %s", what,
				cw_type_name(config_setting_type(s)));
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
		const char *name = config_setting_name(e), *v;
		char w[96];

		cw_join(w, sizeof(w), what, name);
		if (r_error_by_name(name) < 0)
			cw_error_at(c, e,
					"unknown setting '%s' (not an error "
					"name: missing, type_int, range, ...)",
					w);
		else
			cw_get_string(c, e, w, &v);
	}
	*(config_setting_t **) dst = s;
}

static const struct cw_field settings_fields[] = {
		{"timezone", CW_STRING, SO(timezone), false, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"normalize", CW_GROUP, 0, false, 0, 0, NULL, NULL,
				normalize_fields, NULL, NULL},
		{"numbers", CW_GROUP, 0, false, 0, 0, NULL, NULL,
				numbers_fields, NULL, NULL},
		{"home_mcc", CW_INT, SO(home_mcc), false, 1, 999, NULL, NULL,
				NULL, NULL, NULL},
		{"home_mnc", CW_INT, SO(home_mnc), false, 0, 999, NULL, NULL,
				NULL, NULL, NULL},
		{"cell_hex", CW_BOOL, SO(cell_hex), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"reply", CW_GROUP, 0, false, 0, 0, NULL, NULL, reply_fields,
				NULL, NULL},
		{"ref", CW_GROUP, 0, false, 0, 0, NULL, NULL, ref_fields, NULL,
				NULL},
		{"texts", CW_CUSTOM, SO(texts), false, 0, 0, NULL, NULL, NULL,
				NULL, check_texts},
		{"errors", CW_CUSTOM, SO(errors), false, 0, 0, NULL, NULL, NULL,
				NULL, l_check_errors_group},
		{"test_time", CW_STRING, SO(test_time), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"test_outlet", CW_STRING, SO(test_outlet), false, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field root_fields[] = {
		{"schema", CW_INT, SO(schema), false, 1, 1, NULL, NULL, NULL,
				NULL, NULL},
		{"rules_version", CW_STRING, SO(version), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{"settings", CW_GROUP, 0, false, 0, 0, NULL, NULL,
				settings_fields, NULL, NULL},
		{"roles", CW_STRINGS, SO(roles), true, 0, 0, NULL,
				l_check_ident, NULL, NULL, NULL},
		{"lists", CW_CUSTOM, SO(lists), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"forms", CW_CUSTOM, SO(forms), true, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"commands", CW_CUSTOM, SO(commands), false, 0, 0, NULL, NULL,
				NULL, NULL, cw_keep},
		{"alerts", CW_CUSTOM, SO(alerts), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"tests", CW_CUSTOM, SO(tests), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static void spec_defaults(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->schema = 1;
	s->fold_case = s->strip_zero_width = s->fullwidth = s->thousands = true;
	s->fuzzy_digits = s->cn_numerals = s->cn_point = true;
	s->home_mcc = 460;
	s->home_mnc = 0;
	s->cell_hex = false;
	s->max_segments = 1;
	s->format_hint = true;
	s->ref_digits = 4;
}

static void apply_settings(struct lctx *l, struct spec *s)
{
	struct rules *r = l->r;
	size_t i;

	r->version = s->version;
	r->timezone = s->timezone;
	rt_norm_opts_default(&r->norm);
	r->norm.fold_case = s->fold_case;
	r->norm.strip_zero_width = s->strip_zero_width;
	r->norm.fullwidth = s->fullwidth;
	r->norm.thousands = s->thousands;
	if (s->separators.v) {
		r->norm.n_separators = 0;
		for (i = 0; i < s->separators.n && i < RT_MAX_SEPARATORS; i++)
			r->norm.separators[r->norm.n_separators++] =
					s->separators.v[i];
		if (s->separators.n > RT_MAX_SEPARATORS)
			cw_diag(&l->cw, DIAG_ERROR, s->separators.file,
					s->separators.line,
					"'settings.normalize.separators' may "
					"list at most %d separators",
					RT_MAX_SEPARATORS);
	}
	r->norm_keep_case = r->norm;
	r->norm_keep_case.fold_case = false;
	rt_norm_compile(&r->norm, &r->norm_c);
	rt_norm_compile(&r->norm_keep_case, &r->norm_keep_case_c);
	r->num.fuzzy_digits = s->fuzzy_digits;
	r->num.cn_numerals = s->cn_numerals;
	r->num.cn_point = s->cn_point;
	r->home_mcc = s->home_mcc;
	r->home_mnc = s->home_mnc;
	r->cell_hex_default = s->cell_hex;
	r->max_segments = s->max_segments;
	r->format_hint = s->format_hint;
	r->ref_prefix = s->ref_prefix ? s->ref_prefix : "R";
	r->ref_digits = s->ref_digits;
	r->test_outlet = s->test_outlet ? s->test_outlet : "Test Outlet";
	r->test_time.year = 2026;
	r->test_time.month = 6;
	r->test_time.day = 1;
	r->test_time.hour = 10;
	r_time_fill(&r->test_time);
	if (s->test_time && r_time_parse(s->test_time, &r->test_time) < 0)
		cw_diag(&l->cw, DIAG_ERROR, NULL, 0,
				"'settings.test_time' must be "
				"\"YYYY-MM-DD HH:MM\" (got \"%s\")",
				s->test_time);
	for (i = 0; i < s->roles.n; i++) {
		if (r->n_roles >= R_MAX_ROLES) {
			cw_diag(&l->cw, DIAG_ERROR, s->roles.file,
					s->roles.line,
					"'roles' may list at most %d roles",
					R_MAX_ROLES);
			break;
		}
		if (r_role_index(r, s->roles.v[i]) >= 0)
			cw_diag(&l->cw, DIAG_ERROR, s->roles.file,
					s->roles.line,
					"role \"%s\" is listed twice",
					s->roles.v[i]);
		else
			r->roles[r->n_roles++] = s->roles.v[i];
	}
}

static void compile_texts(struct lctx *l, struct spec *s)
{
	struct rules *r = l->r;
	config_setting_t *t = s->texts, *e = s->errors;
	const char *v;
	size_t i;

	l_tmpl(l, t, "help", NULL, &r->t_help, "settings.texts");
	l_tmpl(l, t, "format", NULL, &r->t_format, "settings.texts");
	l_tmpl(l, t, "unknown_code", NULL, &r->t_unknown_code,
			"settings.texts");
	l_tmpl(l, t, "unknown_sender", NULL, &r->t_unknown_sender,
			"settings.texts");
	l_tmpl(l, t, "not_allowed", NULL, &r->t_not_allowed, "settings.texts");
	l_tmpl(l, t, "refused", NULL, &r->t_refused, "settings.texts");
	l_tmpl(l, t, "not_available", NULL, &r->t_not_available,
			"settings.texts");
	l_tmpl(l, t, "assumed", NULL, &r->t_assumed, "settings.texts");
	l_tmpl(l, t, "format_hint", NULL, &r->t_format_hint, "settings.texts");
	r->unchecked = t && config_setting_lookup_string(t, "unchecked", &v)
				       ? r_strdup(&r->arena, v)
				       : "(not checked)";
	r->yes_text = t && config_setting_lookup_string(t, "yes", &v)
				      ? r_strdup(&r->arena, v)
				      : "yes";
	r->no_text = t && config_setting_lookup_string(t, "no", &v)
				     ? r_strdup(&r->arena, v)
				     : "no";
	for (i = 0; i < R_SUP_N; i++)
		r->sup_text[i] = t && config_setting_lookup_string(
						      t, r_sup_keys[i], &v)
						 ? r_strdup(&r->arena, v)
						 : r_sup_defaults[i];
	def_tmpl(l, &r->t_help, "Codes: {{codes}}");
	def_tmpl(l, &r->t_format, "Format: {{format}}");
	def_tmpl(l, &r->t_unknown_code, "Unknown code. Codes: {{codes}}");
	def_tmpl(l, &r->t_not_allowed,
			"{{title}} is not available for your role.");
	def_tmpl(l, &r->t_refused, "Rules {{file}} refused: {{errors}}");
	def_tmpl(l, &r->t_not_available, "{{title}}: not available yet.");
	def_tmpl(l, &r->t_assumed, "(read as {{title}}) ");
	def_tmpl(l, &r->t_format_hint, " Format: {{format}}");
	for (i = 1; i <= RULES_E_NOT_AVAILABLE; i++)
		l_tmpl(l, e, rules_error_name(i), NULL, &r->def_errors[i],
				"settings.errors");
	def_tmpl(l, &r->def_errors[RULES_E_UNKNOWN_SENDER],
			"Your number is not registered.");
	def_tmpl(l, &r->def_errors[RULES_E_UNKNOWN_CODE], "Unknown code.");
	def_tmpl(l, &r->def_errors[RULES_E_NOT_ALLOWED], "Not allowed.");
	def_tmpl(l, &r->def_errors[RULES_E_MISSING], "{{label}} missing.");
	def_tmpl(l, &r->def_errors[RULES_E_TYPE_INT],
			"Bad {{label}}: {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_TYPE_DECIMAL],
			"Bad {{label}}: {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_TYPE_DATE],
			"Bad {{label}}: {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_TYPE_TIME],
			"Bad {{label}}: {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_TYPE_PHONE],
			"Bad {{label}}: {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_TYPE_BOOL],
			"{{label}}: Y/N, not {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_TYPE_CELL],
			"{{label}}: like L460-00-2A1F-3C4D.");
	def_tmpl(l, &r->def_errors[RULES_E_TYPE_OUTLET],
			"Bad {{label}}: {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_ENUM], "{{label}}: no {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_RANGE],
			"{{label}} {{min}}-{{max}}: {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_TOO_LONG],
			"{{label}}: at most {{max}} characters.");
	def_tmpl(l, &r->def_errors[RULES_E_EXTRA], "Too many values: {{raw}}.");
	def_tmpl(l, &r->def_errors[RULES_E_DUPLICATE],
			"{{label}} given twice.");
	def_tmpl(l, &r->def_errors[RULES_E_NEEDS_TEXT],
			"{{title}} needs a text.");
	def_tmpl(l, &r->def_errors[RULES_E_NEEDS_REF],
			"{{title}} needs a reference such as R1045.");
	def_tmpl(l, &r->def_errors[RULES_E_UNKNOWN_OUTLET],
			"Unknown outlet {{outlet.code}}.");
	def_tmpl(l, &r->def_errors[RULES_E_RESUBMIT],
			"{{title}} for this period was already received.");
	def_tmpl(l, &r->def_errors[RULES_E_NOTHING_TO_UNDO],
			"Nothing to undo.");
	def_tmpl(l, &r->def_errors[RULES_E_UNDO_EXPIRED],
			"{{ref}} is too old to undo.");
	def_tmpl(l, &r->def_errors[RULES_E_NOT_AVAILABLE],
			"{{title}}: not available yet.");
}

/* ---- the file -------------------------------------------------------------------- */

/* Hashes @path's bytes and, recursively, those of its @includes. */
static int hash_file(struct lctx *l, struct r_sha256 *h, const char *path,
		int depth, char **ret_buf, size_t *ret_len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL, *line;
	size_t len = 0, cap = 0;
	int r = 0;

	if (!fp)
		return -errno;
	for (;;) {
		size_t n;

		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = (cap + 4096) * 2);

			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		r = -EIO;
		goto out;
	}
	buf[len] = '\0';
	r_sha256_update(h, buf, len);
	for (line = buf; depth < 10 && line && *line;) {
		const char *p = line;
		char *nl = strchr(line, '\n');

		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "@include", 8)) {
			const char *q = strchr(p, '"'),
				   *e = q ? strchr(q + 1, '"') : NULL;

			if (q && e && (!nl || e < nl)) {
				char inc[1024];

				if (q[1] != '/' && l->cw.dir)
					snprintf(inc, sizeof(inc), "%s/%.*s",
							l->cw.dir,
							(int) (e - q - 1),
							q + 1);
				else
					snprintf(inc, sizeof(inc), "%.*s",
							(int) (e - q - 1),
							q + 1);
				/* a missing include is libconfig's to report */
				(void) hash_file(l, h, inc, depth + 1, NULL,
						NULL);
			}
		}
		line = nl ? nl + 1 : NULL;
	}
out:
	fclose(fp);
	if (r == 0 && ret_buf) {
		*ret_buf = buf;
		*ret_len = len;
	} else {
		free(buf);
	}
	return r;
}

int rules_load(const char *path, struct rules **ret_rules,
		struct diag_list *diags)
{
	struct lctx l;
	struct spec spec;
	struct r_sha256 h;
	unsigned char digest[32];
	config_t cf;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *mem = NULL;
	int r;

	if (!path || !ret_rules || !diags)
		return -EINVAL;
	memset(&l, 0, sizeof(l));
	l.r = calloc(1, sizeof(*l.r));
	if (!l.r)
		return -ENOMEM;
	l.cw.path = path;
	l.cw.diags = diags;
	l.cw.alloc = arena_alloc;
	l.cw.suggest = true;
	l.cw.arena = &l.r->arena;
	l.errors_before = diags->n_errors;
	{
		const char *slash = strrchr(path, '/');

		if (slash) {
			l.cw.dir = strndup(path,
					slash == path ? 1
						      : (size_t) (slash -
									path));
			if (!l.cw.dir) {
				free(l.r);
				return -ENOMEM;
			}
		}
	}
	config_init(&cf);
	if (l.cw.dir)
		config_set_include_dir(&cf, l.cw.dir);
	r_sha256_init(&h);
	r = hash_file(&l, &h, path, 0, &buf, &len);
	if (r < 0) {
		cw_diag(&l.cw, DIAG_ERROR, NULL, 0, "cannot read: %s",
				strerror(-r));
		if (r != -ENOENT && r != -EACCES && r != -ENOMEM)
			r = -EIO;
		goto fail;
	}
	r_sha256_final(&h, digest);
	for (i = 0; i < 32; i++)
		snprintf(l.r->hash + 2 * i, 3, "%02x", digest[i]);
	l.r->path = r_strdup(&l.r->arena, path);
	mem = fmemopen(buf, len ? len : 1, "r");
	if (!mem) {
		r = -ENOMEM;
		goto fail;
	}
	r = cw_read(&l.cw, &cf, mem);
	if (r < 0)
		goto fail;
	spec_defaults(&spec);
	cw_walk_group(&l.cw, config_root_setting(&cf), "", root_fields, &spec,
			&l);
	apply_settings(&l, &spec);
	compile_texts(&l, &spec);
	l_compile_lists(&l, spec.lists);
	l_compile_forms(&l, spec.forms);
	l_compile_commands(&l, spec.commands);
	l_compile_alerts(&l, spec.alerts);
	l_compile_tests(&l, spec.tests);
	l_check(&l);
	r = 0;
fail:
	if (mem)
		fclose(mem);
	free(buf);
	config_destroy(&cf);
	cw_ctx_done(&l.cw);
	diag_sort(diags);
	if (l.cw.oom || diags->oom)
		r = -ENOMEM;
	else if (r == 0 && diags->n_errors > l.errors_before)
		r = -EINVAL;
	if (r < 0) {
		rules_free(l.r);
		return r == -ENOENT || r == -EACCES || r == -EIO || r == -ENOMEM
				       ? r
				       : -EINVAL;
	}
	*ret_rules = l.r;
	return 0;
}
