/*
 * rules/load_alerts.c - commands, alerts (their conditions) and the
 * examples and tests: schema tables and their compilation.
 */
#include <config.h>

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/load.h"

/* ---- commands ------------------------------------------------------------------ */

struct cmd_spec {
	struct cw_strv keywords, roles;
	char *title;
	config_setting_t *window;
	bool needs_text, needs_ref;
	char *reply, *ask;
};
#define CO(f) offsetof(struct cmd_spec, f)

static const struct cw_field cmd_fields[] = {
		{"keywords", CW_STRINGS, CO(keywords), true, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"roles", CW_STRINGS, CO(roles), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"title", CW_STRING, CO(title), false, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"window", CW_CUSTOM, CO(window), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"needs_text", CW_BOOL, CO(needs_text), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"needs_ref", CW_BOOL, CO(needs_ref), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"reply", CW_STRING, CO(reply), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"ask", CW_STRING, CO(ask), false, 0, 0, NULL, NULL, NULL, NULL,
				NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

void l_compile_commands(struct lctx *l, config_setting_t *s)
{
	struct rules *r = l->r;
	int i, n;
	size_t k;

	for (k = 0; k < R_N_COMMANDS; k++) {
		r->commands[k].cmd = (enum rules_command) k;
		r->commands[k].id = rules_command_name((enum rules_command) k);
		r->commands[k].title = r->commands[k].id;
	}
	if (!s)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cw_error_at(&l->cw, s,
				"'commands' must be a group { help = { "
				"... }; ... }, not %s",
				cw_type_name(config_setting_type(s)));
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(s, (unsigned) i);
		const char *name = config_setting_name(g);
		struct r_command *c = NULL;
		struct cmd_spec sp;
		char what[64];

		snprintf(what, sizeof(what), "commands.%s", name);
		for (k = 1; k < R_N_COMMANDS; k++)
			if (!strcmp(name, rules_command_name(
							  (enum rules_command)
									  k)))
				c = &r->commands[k];
		if (!c) {
			static const char *const cmds[] = {"help", "undo",
					"approve", "reject", "note", "team",
					"lookup", "my", "confirm", NULL};
			const char *near = cw_nearest(name, cmds);

			if (near)
				cw_error_at(&l->cw, g,
						"unknown setting '%s' (did you "
						"mean '%s'?)",
						what, near);
			else
				cw_error_at(&l->cw, g,
						"unknown setting '%s' "
						"(commands "
						"are help, undo, approve, "
						"reject, "
						"note, team, lookup, my, "
						"confirm)",
						what);
			continue;
		}
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cw_error_at(&l->cw, g,
					"'%s' must be a group { ... }, "
					"not %s",
					what,
					cw_type_name(config_setting_type(g)));
			continue;
		}
		memset(&sp, 0, sizeof(sp));
		sp.needs_ref = c->cmd == RULES_CMD_APPROVE ||
			       c->cmd == RULES_CMD_REJECT ||
			       c->cmd == RULES_CMD_NOTE ||
			       c->cmd == RULES_CMD_CONFIRM;
		sp.needs_text = c->cmd == RULES_CMD_REJECT ||
				c->cmd == RULES_CMD_NOTE;
		cw_walk_group(&l->cw, g, what, cmd_fields, &sp, l);
		c->defined = true;
		c->file = cw_file_of(g);
		c->line = (int) config_setting_source_line(g);
		if (sp.title)
			c->title = sp.title;
		c->needs_ref = sp.needs_ref;
		c->needs_text = sp.needs_text;
		c->roles = sp.roles.v ? l_role_bits(l, g, &sp.roles, what)
				      : (1u << r->n_roles) - 1;
		c->keywords = r_zalloc(&r->arena,
				(sp.keywords.n + 1) * sizeof(char *));
		if (!c->keywords) {
			l->cw.oom = true;
			return;
		}
		c->keywords_raw = (const char **) sp.keywords.v;
		c->kw_lines = sp.keywords.lines;
		for (k = 0; k < sp.keywords.n; k++)
			c->keywords[k] = l_norm(l, sp.keywords.v[k]);
		c->n_keywords = sp.keywords.n;
		if (sp.window) {
			if (c->cmd != RULES_CMD_UNDO &&
					c->cmd != RULES_CMD_CONFIRM)
				cw_error_at(&l->cw, sp.window,
						"'%s.window' only applies to "
						"undo and confirm",
						what);
			char ww[80];

			snprintf(ww, sizeof(ww), "%s.window", what);
			c->window_s = (int) l_duration(l, sp.window, ww);
		} else if (c->cmd == RULES_CMD_UNDO) {
			c->window_s = 1800;
		} else if (c->cmd == RULES_CMD_CONFIRM) {
			c->window_s = 7200;
		}
		l_tmpl(l, g, "reply", NULL, &c->reply, what);
		if (sp.ask && c->cmd != RULES_CMD_CONFIRM)
			cw_error_at(&l->cw, g,
					"'%s.ask' only applies to confirm",
					what);
		l_tmpl(l, g, "ask", NULL, &c->ask, what);
		if (c->cmd == RULES_CMD_CONFIRM && !c->reply.src)
			cw_error_at(&l->cw, g,
					"'%s' needs 'reply', e.g. \"Confirmed "
					"{{ref}}\"",
					what);
		if (c->cmd == RULES_CMD_UNDO && !c->reply.src)
			cw_error_at(&l->cw, g,
					"'%s' needs 'reply', e.g. \"Withdrawn "
					"{{ref}}\"",
					what);
	}
}

/* ---- alerts ------------------------------------------------------------------------ */

static const char *const op_names[] = {"==", "!=", ">", ">=", "<", "<=", "in",
		"contains_any", "above_avg", "present", NULL};

struct cond_spec {
	char *field;
	int op;
	config_setting_t *value, *all, *any, *not_;
	double factor;
	config_setting_t *window;
	int min_history;
};
#define DO(f) offsetof(struct cond_spec, f)

static const struct cw_field cond_fields[] = {
		{"field", CW_STRING, DO(field), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"op", CW_ENUM, DO(op), false, 0, 0, op_names, NULL, NULL, NULL,
				NULL},
		{"value", CW_CUSTOM, DO(value), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"all", CW_CUSTOM, DO(all), false, 0, 0, NULL, NULL, NULL, NULL,
				cw_keep},
		{"any", CW_CUSTOM, DO(any), false, 0, 0, NULL, NULL, NULL, NULL,
				cw_keep},
		{"not", CW_CUSTOM, DO(not_), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"factor", CW_NUMBER, DO(factor), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"window", CW_CUSTOM, DO(window), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"min_history", CW_INT, DO(min_history), false, 0, 1000, NULL,
				NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static void compile_cond(struct lctx *l, config_setting_t *s, const char *what,
		struct r_form *form, struct r_cond *c);

static void compile_conds(struct lctx *l, config_setting_t *s, const char *what,
		struct r_form *form, struct r_cond *c, enum r_cond_kind kind)
{
	int i, n;
	char w[160];

	c->kind = kind;
	if (config_setting_type(s) == CONFIG_TYPE_GROUP && kind == COND_NOT) {
		c->sub = r_zalloc(&l->r->arena, sizeof(*c->sub));
		if (!c->sub) {
			l->cw.oom = true;
			return;
		}
		c->n_sub = 1;
		snprintf(w, sizeof(w), "%s.not", what);
		compile_cond(l, s, w, form, c->sub);
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		cw_error_at(&l->cw, s,
				"'%s' must be a list of conditions ( { field = "
				"...; op = ...; value = ...; }, ... ), not %s",
				what, cw_type_name(config_setting_type(s)));
		return;
	}
	n = config_setting_length(s);
	c->sub = r_zalloc(&l->r->arena, (size_t) (n + 1) * sizeof(*c->sub));
	if (!c->sub) {
		l->cw.oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(w, sizeof(w), "%s[%d]", what, i);
		compile_cond(l, config_setting_get_elem(s, (unsigned) i), w,
				form, &c->sub[c->n_sub++]);
	}
}

static int field_index(const struct r_form *form, const char *name)
{
	size_t i;

	for (i = 0; form && i < form->n_fields; i++)
		if (!strcmp(form->fields[i].name, name))
			return (int) i;
	return -1;
}

static const char *const verdict_names[] = {"in_territory", "outside",
		"unknown_outlet", "unknown_cell", NULL};

static bool is_verdict(const char *s)
{
	size_t i;

	for (i = 0; verdict_names[i]; i++)
		if (!strcmp(s, verdict_names[i]))
			return true;
	return false;
}

/*
 * The pseudo-field "verdict" of a check-in form (rules_form_is_checkin):
 * == / != / in over the verdict names of rules/geo.h.
 */
static void compile_verdict_cond(struct lctx *l, config_setting_t *s,
		const char *what, const struct cond_spec *sp, struct r_cond *c)
{
	struct cw_strv v;
	size_t i;

	c->field = R_FIELD_VERDICT;
	if (!sp->value || (sp->op != 0 && sp->op != 1 && sp->op != 6)) {
		cw_error_at(&l->cw, s,
				"'%s': the verdict is compared with ==, != or "
				"in and a value (in_territory, outside, "
				"unknown_outlet, unknown_cell)",
				what);
		return;
	}
	if (sp->op == 6) {
		c->kind = COND_IN;
		if (!cw_get_strv(&l->cw, sp->value, what, &v))
			return;
		c->words = (const char **) v.v;
		c->n_words = v.n;
	} else {
		c->kind = COND_CMP;
		c->op = (enum r_op) sp->op;
		c->is_string = true;
		if (config_setting_type(sp->value) != CONFIG_TYPE_STRING) {
			cw_error_at(&l->cw, sp->value,
					"'%s.value' must be a verdict name",
					what);
			return;
		}
		c->str = r_strdup(&l->r->arena,
				config_setting_get_string(sp->value));
		v.v = (char **) &c->str;
		v.n = 1;
	}
	for (i = 0; i < v.n; i++)
		if (v.v[i] && !is_verdict(v.v[i]))
			cw_error_at(&l->cw, sp->value,
					"'%s.value': \"%s\" is not a verdict "
					"(in_territory, outside, "
					"unknown_outlet, unknown_cell)",
					what, v.v[i]);
}

static void compile_cond(struct lctx *l, config_setting_t *s, const char *what,
		struct r_form *form, struct r_cond *c)
{
	struct rules *r = l->r;
	struct cond_spec sp;
	const struct r_field *f;
	int kinds;

	c->field = -1;
	c->line = (int) config_setting_source_line(s);
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cw_error_at(&l->cw, s,
				"'%s' must be a condition { field = ...; op = "
				"...; value = ...; }, not %s",
				what, cw_type_name(config_setting_type(s)));
		return;
	}
	memset(&sp, 0, sizeof(sp));
	sp.op = -1;
	sp.factor = 0;
	cw_walk_group(&l->cw, s, what, cond_fields, &sp, l);
	kinds = !!sp.all + !!sp.any + !!sp.not_ + !!sp.field;
	if (kinds != 1) {
		cw_error_at(&l->cw, s,
				"'%s' must have exactly one of field (with "
				"op), all, any, not",
				what);
		return;
	}
	if (sp.all || sp.any || sp.not_) {
		char w[160];

		snprintf(w, sizeof(w), "%s.%s", what,
				sp.all	 ? "all"
				: sp.any ? "any"
					 : "not");
		compile_conds(l,
				sp.all	 ? sp.all
				: sp.any ? sp.any
					 : sp.not_,
				w, form, c,
				sp.all	 ? COND_ALL
				: sp.any ? COND_ANY
					 : COND_NOT);
		return;
	}
	c->field = field_index(form, sp.field);
	if (c->field < 0 && !strcmp(sp.field, "verdict") && form &&
			rules_form_is_checkin(r, form->id)) {
		compile_verdict_cond(l, s, what, &sp, c);
		return;
	}
	if (c->field < 0) {
		cw_error_at(&l->cw, s, "'%s': form \"%s\" has no field \"%s\"",
				what, form ? form->id : "?", sp.field);
		return;
	}
	f = &form->fields[c->field];
	if (sp.op < 0) {
		cw_error_at(&l->cw, s,
				"'%s' needs 'op' (==, !=, >, >=, <, <=, "
				"in, contains_any, above_avg, present)",
				what);
		return;
	}
	if (sp.op <= 5) {
		c->kind = COND_CMP;
		c->op = (enum r_op) sp.op;
		if (!sp.value) {
			cw_error_at(&l->cw, s, "'%s' needs 'value'", what);
			return;
		}
		if (config_setting_type(sp.value) == CONFIG_TYPE_STRING) {
			c->is_string = true;
			c->str = r_strdup(&r->arena,
					config_setting_get_string(sp.value));
			if (f->type == RULES_INT || f->type == RULES_DECIMAL)
				cw_error_at(&l->cw, sp.value,
						"'%s.value': field \"%s\" is a "
						"number, compare it with a "
						"number",
						what, f->name);
		} else {
			cw_get_number(&l->cw, sp.value, what, &c->num);
			if (f->type != RULES_INT && f->type != RULES_DECIMAL &&
					f->type != RULES_BOOL)
				cw_error_at(&l->cw, sp.value,
						"'%s.value': field \"%s\" is "
						"%s, "
						"not a number",
						what, f->name,
						rules_type_name(f->type));
		}
	} else if (sp.op == 6 || sp.op == 7) {
		struct cw_strv v;
		size_t i;
		int n;

		c->kind = sp.op == 6 ? COND_IN : COND_CONTAINS;
		if (!sp.value) {
			cw_error_at(&l->cw, s, "'%s' needs 'value' = [ ... ]",
					what);
			return;
		}
		n = config_setting_length(sp.value);
		if (n > 0 && sp.op == 6 &&
				config_setting_type(config_setting_get_elem(
						sp.value, 0)) !=
						CONFIG_TYPE_STRING) {
			c->nums = r_zalloc(
					&r->arena, (size_t) n * sizeof(double));
			if (!c->nums) {
				l->cw.oom = true;
				return;
			}
			for (i = 0; i < (size_t) n; i++)
				cw_get_number(&l->cw,
						config_setting_get_elem(
								sp.value,
								(unsigned) i),
						what, &c->nums[i]);
			c->n_words = (size_t) n;
			return;
		}
		if (!cw_get_strv(&l->cw, sp.value, what, &v))
			return;
		c->words = (const char **) v.v;
		c->n_words = v.n;
		if (sp.op == 7) {
			if (f->type != RULES_TEXT)
				cw_error_at(&l->cw, s,
						"'%s': contains_any needs a "
						"text field, \"%s\" is %s",
						what, f->name,
						rules_type_name(f->type));
			for (i = 0; i < v.n; i++)
				c->words[i] = l_norm(l, v.v[i]);
		}
	} else if (sp.op == 8) {
		long w = sp.window ? l_duration(l, sp.window, what)
				   : 28 * 86400;
		struct rules_history_need *h;

		c->kind = COND_ABOVE_AVG;
		c->factor = sp.factor > 0 ? sp.factor : 3.0;
		c->min_history = sp.min_history;
		if (f->type != RULES_INT && f->type != RULES_DECIMAL)
			cw_error_at(&l->cw, s,
					"'%s': above_avg needs a number field, "
					"\"%s\" is %s",
					what, f->name,
					rules_type_name(f->type));
		if (w < 86400 || w % 86400)
			cw_error_at(&l->cw, s,
					"'%s.window' must be whole days such "
					"as "
					"\"28d\"",
					what);
		h = r_alloc(&r->arena,
				(form->n_history + 1) * sizeof(*form->history));
		if (!h) {
			l->cw.oom = true;
			return;
		}
		if (form->n_history)
			memcpy(h, form->history, form->n_history * sizeof(*h));
		h[form->n_history].form_id = form->id;
		h[form->n_history].field = f->name;
		h[form->n_history].window_days = (int) (w / 86400);
		c->history = (int) form->n_history;
		form->history = h;
		form->n_history++;
	} else {
		c->kind = COND_PRESENT;
	}
}

struct alert_spec {
	char *id, *on, *tmpl, *dedupe;
	config_setting_t *when, *batch;
	struct cw_strv notify;
};
#define AO(f) offsetof(struct alert_spec, f)

static const char *check_notify(const char *v)
{
	if (!strcmp(v, "supervisor") || !strncmp(v, "supervisor:", 11) ||
			!strncmp(v, "role:", 5) ||
			(strspn(v, "+0123456789") == strlen(v) &&
					strlen(v) >= 3))
		return NULL;
	return "must be \"supervisor\", \"supervisor:N\", \"role:NAME\" or a "
	       "phone number";
}

static const struct cw_field alert_fields[] = {
		{"id", CW_STRING, AO(id), true, 0, 0, NULL, l_check_ident, NULL,
				NULL, NULL},
		{"on", CW_STRING, AO(on), true, 0, 0, NULL, NULL, NULL, NULL,
				NULL},
		{"when", CW_CUSTOM, AO(when), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"notify", CW_STRINGS, AO(notify), true, 0, 0, NULL,
				check_notify, NULL, NULL, NULL},
		{"template", CW_STRING, AO(tmpl), true, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"batch", CW_CUSTOM, AO(batch), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"dedupe", CW_STRING, AO(dedupe), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

void l_compile_alerts(struct lctx *l, config_setting_t *s)
{
	struct rules *r = l->r;
	int i, n;
	size_t k;

	if (!s)
		return;
	n = l_want_list(l, s, "alerts");
	if (n < 0)
		return;
	r->alerts = r_zalloc(&r->arena, (size_t) (n + 1) * sizeof(*r->alerts));
	if (!r->alerts) {
		l->cw.oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(s, (unsigned) i);
		struct r_alert *a = &r->alerts[r->n_alerts];
		struct alert_spec sp;
		struct r_form *form = NULL;
		char what[64];

		snprintf(what, sizeof(what), "alerts[%d]", i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cw_error_at(&l->cw, g,
					"'%s' must be a group { ... }, "
					"not %s",
					what,
					cw_type_name(config_setting_type(g)));
			continue;
		}
		memset(&sp, 0, sizeof(sp));
		cw_walk_group(&l->cw, g, what, alert_fields, &sp, l);
		if (!sp.id || !sp.on)
			continue;
		for (k = 0; k < r->n_forms; k++)
			if (!strcmp(r->forms[k].id, sp.on))
				form = &r->forms[k];
		if (!form) {
			cw_error_at(&l->cw, config_setting_get_member(g, "on"),
					"'%s.on': unknown form \"%s\"", what,
					sp.on);
			continue;
		}
		a->id = sp.id;
		a->form = (int) (form - r->forms);
		a->line = (int) config_setting_source_line(g);
		a->notify = (const char **) sp.notify.v;
		a->n_notify = sp.notify.n;
		a->cond.kind = COND_ALL;
		a->cond.field = -1;
		if (sp.when) {
			char w[80];

			snprintf(w, sizeof(w), "%s.when", what);
			if (config_setting_type(sp.when) == CONFIG_TYPE_GROUP) {
				a->cond.sub = r_zalloc(&r->arena,
						sizeof(*a->cond.sub));
				if (!a->cond.sub) {
					l->cw.oom = true;
					return;
				}
				a->cond.n_sub = 1;
				compile_cond(l, sp.when, w, form, a->cond.sub);
			} else {
				compile_conds(l, sp.when, w, form, &a->cond,
						COND_ALL);
			}
		}
		if (sp.batch) {
			char bw[80];

			snprintf(bw, sizeof(bw), "%s.batch", what);
			a->batch_s = (int) l_duration(l, sp.batch, bw);
		}
		l_tmpl(l, g, "template", form, &a->tmpl, what);
		l_tmpl(l, g, "dedupe", form, &a->dedupe, what);
		for (k = 0; k < r->n_alerts; k++)
			if (!strcmp(r->alerts[k].id, a->id))
				cw_error_at(&l->cw, g,
						"two alerts with id \"%s\" "
						"(the "
						"other at line %d)",
						a->id, r->alerts[k].line);
		r->n_alerts++;
	}
}

/* ---- examples and tests ---------------------------------------------------------- */

struct ex_spec {
	char *sender, *text, *expect, *reply, *at;
};
#define EO(f) offsetof(struct ex_spec, f)

static const struct cw_field ex_fields[] = {
		{"sender", CW_STRING, EO(sender), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"text", CW_STRING, EO(text), true, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"expect", CW_STRING, EO(expect), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"reply", CW_STRING, EO(reply), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"at", CW_STRING, EO(at), false, 0, 0, NULL, NULL, NULL, NULL,
				NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static bool expect_ok(const char *e)
{
	return !strcmp(e, "help") || !strcmp(e, "ignored") ||
	       (!strncmp(e, "ok:", 3) && e[3]) ||
	       (!strncmp(e, "error:", 6) && r_error_by_name(e + 6) > 0);
}

void l_example(struct lctx *l, config_setting_t *s, const char *what,
		const char *def_role, const char *def_expect,
		struct r_example *ex)
{
	struct ex_spec sp = {0};

	memset(ex, 0, sizeof(*ex)); /* a refused entry's slot is reused */
	ex->file = cw_file_of(s);
	ex->line = (int) config_setting_source_line(s);
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		ex->text = r_strdup(&l->r->arena, config_setting_get_string(s));
		ex->role = def_role;
		ex->expect = def_expect;
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cw_error_at(&l->cw, s,
				"'%s' must be a text or a group { text = ...; "
				"expect = ...; }, not %s",
				what, cw_type_name(config_setting_type(s)));
		return;
	}
	cw_walk_group(&l->cw, s, what, ex_fields, &sp, l);
	if (!sp.text)
		return;
	ex->text = sp.text;
	ex->reply = sp.reply;
	ex->expect = sp.expect ? sp.expect : def_expect;
	ex->role = def_role;
	if (sp.sender) {
		const char *role = !strncmp(sp.sender, "role:", 5)
						   ? sp.sender + 5
						   : sp.sender;

		if (!strcmp(role, "unknown"))
			ex->role = NULL;
		else if (r_role_index(l->r, role) < 0)
			cw_error_at(&l->cw, s,
					"'%s.sender': unknown role \"%s\" (not "
					"in 'roles', or \"unknown\")",
					what, role);
		else
			ex->role = l->r->roles[r_role_index(l->r, role)];
	}
	if (!ex->expect) {
		cw_error_at(&l->cw, s, "'%s' needs 'expect'", what);
		ex->text = NULL;
		return;
	}
	if (!expect_ok(ex->expect)) {
		cw_error_at(&l->cw, s,
				"'%s.expect' must be \"ok:FORM\", "
				"\"error:NAME\", \"help\" or \"ignored\" (got "
				"\"%s\")",
				what, ex->expect);
		ex->text = NULL;
	}
	if (sp.at) {
		if (r_time_parse(sp.at, &ex->at) < 0)
			cw_error_at(&l->cw, s,
					"'%s.at' must be \"YYYY-MM-DD HH:MM\" "
					"(got \"%s\")",
					what, sp.at);
		else
			ex->has_at = true;
	}
}

void l_compile_tests(struct lctx *l, config_setting_t *s)
{
	struct rules *r = l->r;
	int i, n;

	if (!s)
		return;
	n = l_want_list(l, s, "tests");
	if (n < 0)
		return;
	r->tests = r_zalloc(&r->arena, (size_t) (n + 1) * sizeof(*r->tests));
	if (!r->tests) {
		l->cw.oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		char what[64];

		snprintf(what, sizeof(what), "tests[%d]", i);
		l_example(l, config_setting_get_elem(s, (unsigned) i), what,
				r->n_roles ? r->roles[0] : NULL, NULL,
				&r->tests[r->n_tests]);
		if (r->tests[r->n_tests].text)
			r->n_tests++;
	}
}
