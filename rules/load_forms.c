/*
 * rules/load_forms.c - lists and forms (fields, examples): schema tables
 * and their compilation.  Commands, alerts and tests: load_alerts.c.
 */
#include <config.h>

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/load.h"

/* ---- lists --------------------------------------------------------------- */

struct item_spec {
	char *v;
	struct cw_strv say;
};
#define IO(f) offsetof(struct item_spec, f)
static const struct cw_field item_fields[] = {
		{"v", CW_STRING, IO(v), true, 0, 0, NULL, l_check_nonempty,
				NULL, NULL, NULL},
		{"say", CW_STRINGS, IO(say), false, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

void l_compile_lists(struct lctx *l, config_setting_t *s)
{
	struct rules *r = l->r;
	int i, j, n;

	if (!s)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cw_error_at(&l->cw, s,
				"'lists' must be a group { name = ( ... "
				"); }, not %s",
				cw_type_name(config_setting_type(s)));
		return;
	}
	n = config_setting_length(s);
	r->lists = r_zalloc(&r->arena, (size_t) (n + 1) * sizeof(*r->lists));
	if (!r->lists) {
		l->cw.oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *ls = config_setting_get_elem(s, (unsigned) i);
		struct r_list *list = &r->lists[r->n_lists];
		char what[96];
		int m;

		snprintf(what, sizeof(what), "lists.%s",
				config_setting_name(ls));
		m = l_want_list(l, ls, what);
		if (m < 0)
			continue;
		r->n_lists++;
		list->name = r_strdup(&r->arena, config_setting_name(ls));
		list->line = (int) config_setting_source_line(ls);
		list->items = r_zalloc(&r->arena,
				(size_t) (m + 1) * sizeof(*list->items));
		if (!list->items) {
			l->cw.oom = true;
			return;
		}
		for (j = 0; j < m; j++) {
			config_setting_t *is = config_setting_get_elem(
					ls, (unsigned) j);
			struct item_spec sp = {0};
			struct r_item *it = &list->items[list->n_items];
			char w[128];
			size_t k;

			snprintf(w, sizeof(w), "%s[%d]", what, j);
			if (config_setting_type(is) != CONFIG_TYPE_GROUP) {
				cw_error_at(&l->cw, is,
						"'%s' must be a group { v = "
						"...; "
						"say = [...]; }, not %s",
						w,
						cw_type_name(config_setting_type(
								is)));
				continue;
			}
			cw_walk_group(&l->cw, is, w, item_fields, &sp, l);
			if (!sp.v)
				continue;
			list->n_items++;
			it->v = sp.v;
			it->say = sp.say.n ? sp.say.v[0] : sp.v;
			it->alias = r_zalloc(&r->arena,
					(sp.say.n + 1) * sizeof(char *));
			if (!it->alias) {
				l->cw.oom = true;
				return;
			}
			it->alias[it->n_alias++] = l_norm(l, sp.v);
			for (k = 0; k < sp.say.n; k++)
				it->alias[it->n_alias++] =
						l_norm(l, sp.say.v[k]);
		}
		/* one alias, one value */
		for (j = 0; j < (int) list->n_items; j++) {
			size_t a, b;
			int k;

			for (k = 0; k < j; k++)
				for (a = 0; a < list->items[j].n_alias; a++)
					for (b = 0; b < list->items[k].n_alias;
							b++)
						if (!strcmp(list->items[j].alias[a],
								    list->items[k].alias
										    [b]))
							cw_error_at(&l->cw, ls,
									"%s: "
									"\"%"
									"s\" "
									"stands"
									" for "
									"both "
									"\"%"
									"s\" "
									"and "
									"\"%"
									"s\"",
									what,
									list->items[j].alias
											[a],
									list->items[k].v,
									list->items[j].v);
		}
	}
}

static const struct r_list *find_list(const struct rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_lists; i++)
		if (!strcmp(r->lists[i].name, name))
			return &r->lists[i];
	return NULL;
}

/* ---- fields ------------------------------------------------------------- */

static const char *const type_choices[] = {"int", "decimal", "enum", "text",
		"date", "time", "phone", "bool", "outlet", "cell", NULL};

struct field_spec {
	char *name, *label, *list, *unit;
	int type;
	bool required, rest;
	double min, max;
	int scale, max_chars;
	struct cw_strv tags;
	config_setting_t *def, *numbers;
	bool fuzzy_digits, cn_numerals, cn_point;
};
#define FO(f) offsetof(struct field_spec, f)

static const struct cw_field fnum_fields[] = {
		{"fuzzy_digits", CW_BOOL, FO(fuzzy_digits), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{"cn_numerals", CW_BOOL, FO(cn_numerals), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{"cn_point", CW_BOOL, FO(cn_point), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field field_fields[] = {
		{"name", CW_STRING, FO(name), true, 0, 0, NULL, l_check_ident,
				NULL, NULL, NULL},
		{"label", CW_STRING, FO(label), true, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"type", CW_ENUM, FO(type), true, 0, 0, type_choices, NULL,
				NULL, NULL, NULL},
		{"required", CW_BOOL, FO(required), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"default", CW_CUSTOM, FO(def), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"min", CW_NUMBER, FO(min), false, 0, 0, NULL, NULL, NULL, NULL,
				NULL},
		{"max", CW_NUMBER, FO(max), false, 0, 0, NULL, NULL, NULL, NULL,
				NULL},
		{"scale", CW_INT, FO(scale), false, 0, 6, NULL, NULL, NULL,
				NULL, NULL},
		{"max_chars", CW_INT, FO(max_chars), false, 1, 1000, NULL, NULL,
				NULL, NULL, NULL},
		{"rest_of_message", CW_BOOL, FO(rest), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"tags", CW_STRINGS, FO(tags), false, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"list", CW_STRING, FO(list), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"unit", CW_STRING, FO(unit), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"numbers", CW_GROUP, 0, false, 0, 0, NULL, NULL, fnum_fields,
				NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static int64_t to_units(double v, int scale)
{
	int i;

	for (i = 0; i < scale; i++)
		v *= 10;
	return (int64_t) (v >= 0 ? v + 0.5 : v - 0.5);
}

static bool compile_field(struct lctx *l, config_setting_t *g, const char *what,
		const struct rv_num_opts *form_num, struct r_field *f)
{
	struct rules *r = l->r;
	struct field_spec sp;
	size_t k;
	int errs = (int) l->cw.diags->n_errors;

	/* the slot of a field refused before may be reused */
	memset(f, 0, sizeof(*f));
	memset(&sp, 0, sizeof(sp));
	sp.required = true;
	sp.type = -1;
	sp.scale = -1;
	sp.fuzzy_digits = form_num->fuzzy_digits;
	sp.cn_numerals = form_num->cn_numerals;
	sp.cn_point = form_num->cn_point;
	cw_walk_group(&l->cw, g, what, field_fields, &sp, l);
	if (!sp.name || !sp.label || sp.type < 0)
		return false;
	f->name = sp.name;
	f->label = sp.label;
	f->type = (enum rules_type) sp.type;
	f->required = sp.required;
	f->rest = sp.rest;
	f->unit = sp.unit;
	f->file = cw_file_of(g);
	f->line = (int) config_setting_source_line(g);
	f->num.fuzzy_digits = sp.fuzzy_digits;
	f->num.cn_numerals = sp.cn_numerals;
	f->num.cn_point = sp.cn_point;
	f->scale = f->type == RULES_DECIMAL ? (sp.scale < 0 ? 2 : sp.scale) : 0;
	if (sp.scale >= 0 && f->type != RULES_DECIMAL)
		cw_error_at(&l->cw, config_setting_get_member(g, "scale"),
				"'%s.scale' only applies to decimal fields",
				what);
	f->has_min = config_setting_get_member(g, "min") != NULL;
	f->has_max = config_setting_get_member(g, "max") != NULL;
	if ((f->has_min || f->has_max) && f->type != RULES_INT &&
			f->type != RULES_DECIMAL)
		cw_error_at(&l->cw, g,
				"'%s': min and max only apply to int and "
				"decimal fields (text has max_chars)",
				what);
	if (f->type == RULES_INT &&
			((f->has_min && sp.min != (double) (int64_t) sp.min) ||
					(f->has_max && sp.max != (double) (int64_t) sp.max)))
		cw_error_at(&l->cw, g,
				"'%s': an int field's min and max must be "
				"whole numbers",
				what);
	f->min = to_units(sp.min, f->scale);
	f->max = to_units(sp.max, f->scale);
	if (f->has_min && f->has_max && f->min > f->max)
		cw_error_at(&l->cw, config_setting_get_member(g, "min"),
				"'%s': min (%g) is greater than max (%g): no "
				"value could pass",
				what, sp.min, sp.max);
	{
		char key[48];
		int kl = snprintf(key, sizeof(key), "\"%s\":", f->name);

		f->json_key = r_strdup(&r->arena, key);
		f->json_key_len = (size_t) kl;
	}
	f->max_chars = sp.max_chars;
	if (sp.max_chars && f->type != RULES_TEXT)
		cw_error_at(&l->cw, config_setting_get_member(g, "max_chars"),
				"'%s.max_chars' only applies to text fields",
				what);
	if (f->type == RULES_TEXT && !f->max_chars)
		f->max_chars = 50;
	if (f->rest && f->type != RULES_TEXT)
		cw_error_at(&l->cw,
				config_setting_get_member(g, "rest_of_message"),
				"'%s.rest_of_message' only applies to text "
				"fields",
				what);
	if (f->type == RULES_ENUM) {
		if (!sp.list)
			cw_error_at(&l->cw, g,
					"'%s': an enum field needs 'list', the "
					"name of one of 'lists'",
					what);
		else if (!(f->list = find_list(r, sp.list)))
			cw_error_at(&l->cw,
					config_setting_get_member(g, "list"),
					"'%s.list': unknown list \"%s\" (not "
					"in 'lists')",
					what, sp.list);
	} else if (sp.list) {
		cw_error_at(&l->cw, config_setting_get_member(g, "list"),
				"'%s.list' only applies to enum fields", what);
	}
	f->tags = r_zalloc(&r->arena, (sp.tags.n + 1) * sizeof(char *));
	f->tag_lines = sp.tags.lines;
	f->tag_lens = r_zalloc(&r->arena, (sp.tags.n + 1) * sizeof(size_t));
	if (!f->tags || !f->tag_lens) {
		l->cw.oom = true;
		return false;
	}
	for (k = 0; k < sp.tags.n; k++) {
		size_t j;

		f->tags[f->n_tags] = l_norm(l, sp.tags.v[k]);
		for (j = 0; j < f->n_tags && f->tags[f->n_tags]; j++)
			if (!strcmp(f->tags[j], f->tags[f->n_tags]))
				break;
		if (j < f->n_tags) {
			cw_error_at(&l->cw, g,
					"'%s.tags': \"%s\" and \"%s\" read the "
					"same",
					what, sp.tags.v[j], sp.tags.v[k]);
			continue;
		}
		f->tag_lens[f->n_tags] =
				f->tags[f->n_tags] ? strlen(f->tags[f->n_tags])
						   : 0;
		if (f->tags[f->n_tags] && !*f->tags[f->n_tags])
			cw_error_at(&l->cw, g,
					"'%s.tags': \"%s\" is nothing but "
					"separators",
					what, sp.tags.v[k]);
		else
			f->n_tags++;
	}
	if (sp.def) {
		char buf[64];
		const char *v = buf;

		switch (config_setting_type(sp.def)) {
		case CONFIG_TYPE_STRING:
			v = config_setting_get_string(sp.def);
			break;
		case CONFIG_TYPE_INT:
		case CONFIG_TYPE_INT64:
			snprintf(buf, sizeof(buf), "%lld",
					config_setting_get_int64(sp.def));
			break;
		case CONFIG_TYPE_FLOAT:
			snprintf(buf, sizeof(buf), "%.6f",
					config_setting_get_float(sp.def));
			break;
		case CONFIG_TYPE_BOOL:
			snprintf(buf, sizeof(buf), "%s",
					config_setting_get_bool(sp.def) ? "Y"
									: "N");
			break;
		default:
			cw_error_at(&l->cw, sp.def,
					"'%s.default' must be a value, not %s",
					what,
					cw_type_name(config_setting_type(
							sp.def)));
			v = NULL;
		}
		if (v)
			f->def = l_norm(l, v);
		if (f->required && v)
			cw_warn_at(&l->cw, sp.def,
					"'%s' is required and has a default: "
					"the default is never used",
					what);
	}
	return (int) l->cw.diags->n_errors == errs;
}

/* ---- forms ------------------------------------------------------------------ */

static const char *const syntax_choices[] = {
		"auto", "positional", "tagged", NULL};
static const char *const period_choices[] = {
		"day", "week", "month", "event", NULL};
static const char *const resubmit_choices[] = {
		"replace", "keep_both", "reject", NULL};

struct form_spec {
	char *id, *title, *deadline;
	struct cw_strv keywords, roles;
	int syntax, period, resubmit;
	config_setting_t *fields, *examples, *errors;
	char *reply_ok, *reply_late, *approval_request;
	bool needs_approval, leave;
	bool fuzzy_digits, cn_numerals, cn_point;
};
#define OO(f) offsetof(struct form_spec, f)

static const struct cw_field form_num_fields[] = {
		{"fuzzy_digits", CW_BOOL, OO(fuzzy_digits), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{"cn_numerals", CW_BOOL, OO(cn_numerals), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{"cn_point", CW_BOOL, OO(cn_point), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field form_fields[] = {
		{"id", CW_STRING, OO(id), true, 0, 0, NULL, l_check_ident, NULL,
				NULL, NULL},
		{"title", CW_STRING, OO(title), true, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"keywords", CW_STRINGS, OO(keywords), true, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"roles", CW_STRINGS, OO(roles), true, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"syntax", CW_ENUM, OO(syntax), false, 0, 0, syntax_choices,
				NULL, NULL, NULL, NULL},
		{"period", CW_ENUM, OO(period), false, 0, 0, period_choices,
				NULL, NULL, NULL, NULL},
		{"deadline", CW_STRING, OO(deadline), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"resubmit", CW_ENUM, OO(resubmit), false, 0, 0,
				resubmit_choices, NULL, NULL, NULL, NULL},
		{"fields", CW_CUSTOM, OO(fields), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"reply_ok", CW_STRING, OO(reply_ok), true, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"reply_late", CW_STRING, OO(reply_late), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{"needs_approval", CW_BOOL, OO(needs_approval), false, 0, 0,
				NULL, NULL, NULL, NULL, NULL},
		{"leave", CW_BOOL, OO(leave), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"approval_request", CW_STRING, OO(approval_request), false, 0,
				0, NULL, NULL, NULL, NULL, NULL},
		{"errors", CW_CUSTOM, OO(errors), false, 0, 0, NULL, NULL, NULL,
				NULL, l_check_errors_group},
		{"examples", CW_CUSTOM, OO(examples), false, 0, 0, NULL, NULL,
				NULL, NULL, cw_keep},
		{"numbers", CW_GROUP, 0, false, 0, 0, NULL, NULL,
				form_num_fields, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const char *const wdays[] = {
		"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static void parse_deadline(struct lctx *l, config_setting_t *g,
		const char *what, const char *v, struct r_form *form)
{
	int h, m, n = 0, k;
	config_setting_t *s = config_setting_get_member(g, "deadline");

	form->deadline_min = -1;
	form->deadline_wday = -1;
	if (!v)
		return;
	for (k = 0; wdays[k]; k++)
		if (!strncmp(v, wdays[k], 3) && v[3] == ' ') {
			form->deadline_wday = k;
			v += 4;
			break;
		}
	if (sscanf(v, "%2d:%2d%n", &h, &m, &n) != 2 || v[n] || h > 23 ||
			m > 59 || h < 0 || m < 0 ||
			(form->deadline_wday >= 0 &&
					form->period != PER_WEEK)) {
		cw_error_at(&l->cw, s,
				"'%s.deadline' must be \"HH:MM\" (or \"sun "
				"20:00\" for a weekly form)",
				what);
		return;
	}
	if (form->period == PER_EVENT)
		cw_error_at(&l->cw, s,
				"'%s.deadline': an event form has no period, "
				"so no deadline",
				what);
	form->deadline_min = h * 60 + m;
}

static void make_format(struct lctx *l, struct r_form *form)
{
	char buf[512];
	size_t o, i;

	o = (size_t) snprintf(buf, sizeof(buf), "%s", form->keywords_raw[0]);
	for (i = 0; i < form->n_fields && o < sizeof(buf); i++) {
		const struct r_field *f = &form->fields[i];

		o += (size_t) snprintf(buf + o, sizeof(buf) - o,
				f->required && !f->def ? " %s" : " [%s]",
				f->label);
	}
	form->format = r_strdup(&l->r->arena, buf);
}

static void compile_examples(struct lctx *l, config_setting_t *s,
		const char *what, struct r_form *form)
{
	struct rules *r = l->r;
	char def_expect[64], w[128];
	const char *def_role = NULL;
	int i, n;
	size_t k;

	snprintf(def_expect, sizeof(def_expect), "ok:%s", form->id);
	for (k = 0; k < r->n_roles; k++)
		if (form->roles & (1u << k)) {
			def_role = r->roles[k];
			break;
		}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
			config_setting_type(s) != CONFIG_TYPE_LIST) {
		cw_error_at(&l->cw, s,
				"'%s.examples' must be an array of texts or a "
				"list of groups, not %s",
				what, cw_type_name(config_setting_type(s)));
		return;
	}
	n = config_setting_length(s);
	form->examples = r_zalloc(
			&r->arena, (size_t) (n + 1) * sizeof(*form->examples));
	if (!form->examples) {
		l->cw.oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned) i);

		snprintf(w, sizeof(w), "%s.examples[%d]", what, i);
		l_example(l, e, w, def_role, r_strdup(&r->arena, def_expect),
				&form->examples[form->n_examples]);
		if (form->examples[form->n_examples].text)
			form->n_examples++;
	}
}

static void compile_form(struct lctx *l, config_setting_t *g, const char *what,
		struct r_form *form)
{
	struct rules *r = l->r;
	struct form_spec sp;
	size_t k;
	int i, n;

	memset(&sp, 0, sizeof(sp));
	sp.fuzzy_digits = r->num.fuzzy_digits;
	sp.cn_numerals = r->num.cn_numerals;
	sp.cn_point = r->num.cn_point;
	cw_walk_group(&l->cw, g, what, form_fields, &sp, l);
	form->id = sp.id ? sp.id : "?";
	form->title = sp.title ? sp.title : form->id;
	form->file = cw_file_of(g);
	form->line = (int) config_setting_source_line(g);
	form->syntax = (enum r_syntax) sp.syntax;
	form->period = (enum r_period) sp.period;
	form->resubmit = (enum r_resubmit) sp.resubmit;
	form->needs_approval = sp.needs_approval || sp.leave;
	form->leave = sp.leave;
	if (form->period == PER_EVENT) {
		/* every event report stands alone */
		if (config_setting_get_member(g, "resubmit") &&
				form->resubmit != RESUB_KEEP_BOTH)
			cw_error_at(&l->cw,
					config_setting_get_member(
							g, "resubmit"),
					"'%s.resubmit': an event form has no "
					"period to resubmit in; only "
					"\"keep_both\" applies",
					what);
		form->resubmit = RESUB_KEEP_BOTH;
	}
	form->roles = l_role_bits(l,
			config_setting_get_member(g, "roles")
					? config_setting_get_member(g, "roles")
					: g,
			&sp.roles, what);
	parse_deadline(l, g, what, sp.deadline, form);
	form->keywords = r_zalloc(
			&r->arena, (sp.keywords.n + 1) * sizeof(char *));
	form->keywords_raw = (const char **) sp.keywords.v;
	form->kw_lines = sp.keywords.lines;
	if (!form->keywords) {
		l->cw.oom = true;
		return;
	}
	for (k = 0; k < sp.keywords.n; k++)
		form->keywords[k] = l_norm(l, sp.keywords.v[k]);
	form->n_keywords = sp.keywords.n;
	if (!form->n_keywords) {
		static const char *none[] = {"?"};

		form->keywords_raw = none;
	}
	if (sp.fields) {
		struct rv_num_opts num = {.fuzzy_digits = sp.fuzzy_digits,
				.cn_numerals = sp.cn_numerals,
				.cn_point = sp.cn_point};
		char fw[128];

		n = config_setting_type(sp.fields) == CONFIG_TYPE_LIST
				    ? config_setting_length(sp.fields)
				    : -1;
		if (n < 0) {
			snprintf(fw, sizeof(fw), "%s.fields", what);
			l_want_list(l, sp.fields, fw);
			n = 0;
		}
		form->fields = r_zalloc(&r->arena,
				(size_t) (n + 1) * sizeof(*form->fields));
		if (!form->fields) {
			l->cw.oom = true;
			return;
		}
		for (i = 0; i < n; i++) {
			config_setting_t *fg = config_setting_get_elem(
					sp.fields, (unsigned) i);

			snprintf(fw, sizeof(fw), "%s.fields[%d]", what, i);
			if (config_setting_type(fg) != CONFIG_TYPE_GROUP) {
				cw_error_at(&l->cw, fg,
						"'%s' must be a group { name = "
						"...; ... }, not %s",
						fw,
						cw_type_name(config_setting_type(
								fg)));
				continue;
			}
			if (compile_field(l, fg, fw, &num,
					    &form->fields[form->n_fields]))
				form->n_fields++;
		}
	}
	/* cross-field checks */
	for (k = 0; k < form->n_fields; k++) {
		const struct r_field *f = &form->fields[k];
		size_t j, a, b;

		if (f->rest && k + 1 != form->n_fields)
			cw_diag(&l->cw, DIAG_ERROR, f->file, f->line,
					"%s: field '%s' takes the rest of the "
					"message, so it must be the last field",
					what, f->name);
		if (f->type == RULES_OUTLET)
			form->needs_outlet = true;
		for (a = 0; a < f->n_tags; a++) {
			unsigned char b0 = (unsigned char) f->tags[a][0];

			form->tag_first[b0 >> 5] |= 1u << (b0 & 31);
		}
		for (j = 0; j < k; j++) {
			const struct r_field *o = &form->fields[j];

			if (!strcmp(o->name, f->name))
				cw_diag(&l->cw, DIAG_ERROR, f->file, f->line,
						"%s: two fields named '%s' "
						"(the other at line %d)",
						what, f->name, o->line);
			for (a = 0; a < f->n_tags; a++)
				for (b = 0; b < o->n_tags; b++)
					if (!strcmp(f->tags[a], o->tags[b]))
						cw_diag(&l->cw, DIAG_ERROR,
								f->file,
								f->line,
								"%s: tag "
								"\"%s\" "
								"of field '%s' "
								"is "
								"also a tag of "
								"'%s' (line "
								"%d)",
								what,
								f->tags[a],
								f->name,
								o->name,
								o->line);
		}
		if (form->syntax == SYN_TAGGED && !f->n_tags)
			cw_diag(&l->cw, DIAG_ERROR, f->file, f->line,
					"%s: syntax is \"tagged\" but field "
					"'%s' has no tags",
					what, f->name);
	}
	if (form->n_keywords)
		make_format(l, form);
	else
		form->format = form->title;
	l_tmpl(l, g, "reply_ok", form, &form->reply_ok, what);
	l_tmpl(l, g, "reply_late", form, &form->reply_late, what);
	l_tmpl(l, g, "approval_request", form, &form->approval_request, what);
	if (sp.errors)
		for (k = 1; k <= RULES_E_NOT_AVAILABLE; k++) {
			char ew[128];

			snprintf(ew, sizeof(ew), "%s.errors", what);
			l_tmpl(l, sp.errors,
					rules_error_name((enum rules_error) k),
					form, &form->errors[k], ew);
		}
	if (sp.examples)
		compile_examples(l, sp.examples, what, form);
}

void l_compile_forms(struct lctx *l, config_setting_t *s)
{
	struct rules *r = l->r;
	int i, n;
	size_t k;

	if (!s)
		return;
	n = l_want_list(l, s, "forms");
	if (n < 0)
		return;
	if (n == 0)
		cw_error_at(&l->cw, s, "'forms' must define at least one form");
	r->forms = r_zalloc(&r->arena, (size_t) (n + 1) * sizeof(*r->forms));
	if (!r->forms) {
		l->cw.oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(s, (unsigned) i);
		char what[64];

		snprintf(what, sizeof(what), "forms[%d]", i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cw_error_at(&l->cw, g,
					"'%s' must be a group { id = ...; ... "
					"}, "
					"not %s",
					what,
					cw_type_name(config_setting_type(g)));
			continue;
		}
		compile_form(l, g, what, &r->forms[r->n_forms]);
		for (k = 0; k < r->n_forms &&
				strcmp(r->forms[r->n_forms].id, "?");
				k++)
			if (!strcmp(r->forms[k].id, r->forms[r->n_forms].id))
				cw_error_at(&l->cw, g,
						"two forms with id \"%s\" (the "
						"other at line %d)",
						r->forms[k].id,
						r->forms[k].line);
		r->n_forms++;
	}
}
