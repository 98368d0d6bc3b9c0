/*
 * rules/load_sched.c - the rule file's `schedules` list, settings.holidays
 * and settings.quiet_hours (rules/sched.h), with file:line diagnostics.
 */
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cron.h"
#include "rules/load.h"
#include "rules/sched.h"
#include "rules/text.h"
#include "rules/tz.h"

struct sched_spec {
	char *id, *kind, *cron, *timezone, *to, *text, *alert, *form;
	struct cw_strv unless;
	bool digest;
	int sample, max_segments;
	config_setting_t *spread, *grace, *window, *within;
};
#define HO(f) offsetof(struct sched_spec, f)

static const struct cw_field sched_fields[] = {
		{"id", CW_STRING, HO(id), true, 0, 0, NULL, l_check_ident, NULL,
				NULL, NULL},
		{"kind", CW_STRING, HO(kind), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"cron", CW_STRING, HO(cron), true, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"timezone", CW_STRING, HO(timezone), false, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"to", CW_STRING, HO(to), true, 0, 0, NULL, NULL, NULL, NULL,
				NULL},
		{"unless", CW_STRINGS, HO(unless), false, 0, 0, NULL, NULL,
				NULL, NULL, NULL},
		{"digest", CW_BOOL, HO(digest), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"template", CW_STRING, HO(text), true, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"alert", CW_STRING, HO(alert), false, 0, 0, NULL,
				l_check_nonempty, NULL, NULL, NULL},
		{"spread", CW_CUSTOM, HO(spread), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"grace", CW_CUSTOM, HO(grace), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"sample", CW_INT, HO(sample), false, 1, 100000, NULL, NULL,
				NULL, NULL, NULL},
		{"window", CW_CUSTOM, HO(window), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"within", CW_CUSTOM, HO(within), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"max_segments", CW_INT, HO(max_segments), false, 1, 10, NULL,
				NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

const char *rules_sched_kind_name(enum rules_sched_kind k)
{
	switch (k) {
	case RULES_SCHED_MISSING:
		return "missing";
	case RULES_SCHED_PENDING:
		return "pending";
	case RULES_SCHED_DAILY:
		return "daily";
	case RULES_SCHED_SPOT:
		return "spot";
	}
	return "?";
}

/* "HH:MM" -> minutes after midnight, or -1. */
static int parse_hhmm(const char *s)
{
	int h, m;
	char end;

	if (!s || sscanf(s, "%2d:%2d%c", &h, &m, &end) != 2 || h < 0 ||
			h > 23 || m < 0 || m > 59 || strlen(s) != 5)
		return -1;
	return h * 60 + m;
}

static void compile_calendar(
		struct lctx *l, config_setting_t *hol, config_setting_t *quiet)
{
	struct rules *r = l->r;
	int i, n;

	r->quiet_from = r->quiet_to = 0;
	if (hol) {
		struct cw_strv v;

		memset(&v, 0, sizeof(v));
		if (cw_get_strv(&l->cw, hol, "settings.holidays", &v) && v.n) {
			r->holidays = r_zalloc(
					&r->arena, v.n * sizeof(*r->holidays));
			if (!r->holidays) {
				l->cw.oom = true;
				return;
			}
			for (i = 0; i < (int) v.n; i++) {
				int y, m, d;
				char end;

				if (sscanf(v.v[i], "%4d-%2d-%2d%c", &y, &m, &d,
						    &end) != 3 ||
						m < 1 || m > 12 || d < 1 ||
						d > tz_days_in_month(y, m)) {
					cw_diag(&l->cw, DIAG_ERROR, v.file,
							v.lines ? v.lines[i]
								: v.line,
							"'settings.holidays': "
							"\"%s\" is not a date "
							"YYYY-MM-DD",
							v.v[i]);
					continue;
				}
				r->holidays[r->n_holidays++] =
						(int32_t) tz_days_from_civil(
								y, m, d);
			}
			r->n_holidays = cron_sort_days(
					r->holidays, r->n_holidays);
		}
	}
	if (!quiet)
		return;
	if (config_setting_type(quiet) != CONFIG_TYPE_GROUP) {
		cw_error_at(&l->cw, quiet,
				"'settings.quiet_hours' must be a group { from "
				"= \"21:30\"; to = \"07:30\"; }");
		return;
	}
	n = config_setting_length(quiet);
	for (i = 0; i < n; i++) {
		config_setting_t *e =
				config_setting_get_elem(quiet, (unsigned) i);
		const char *name = config_setting_name(e), *v = NULL;
		char w[64];

		snprintf(w, sizeof(w), "settings.quiet_hours.%s", name);
		if (strcmp(name, "from") && strcmp(name, "to") &&
				strcmp(name, "policy")) {
			cw_error_at(&l->cw, e,
					"unknown setting '%s' (from, to, "
					"policy)",
					w);
			continue;
		}
		if (!cw_get_string(&l->cw, e, w, &v) || !v)
			continue;
		if (!strcmp(name, "policy")) {
			if (!strcmp(v, "postpone"))
				r->quiet_policy = CRON_QUIET_POSTPONE;
			else if (!strcmp(v, "skip"))
				r->quiet_policy = CRON_QUIET_SKIP;
			else
				cw_error_at(&l->cw, e,
						"'%s' must be \"postpone\" or "
						"\"skip\" (got \"%s\")",
						w, v);
			continue;
		}
		if (parse_hhmm(v) < 0) {
			cw_error_at(&l->cw, e,
					"'%s' must be a time \"HH:MM\" (got "
					"\"%s\")",
					w, v);
			continue;
		}
		if (!strcmp(name, "from"))
			r->quiet_from = parse_hhmm(v);
		else
			r->quiet_to = parse_hhmm(v);
	}
}

/* The template with worst-case values must fit @max segments. */
static void check_fits(struct lctx *l, config_setting_t *g, const char *what,
		const char *key, const char *tmpl, int max)
{
	static const struct rules_sched_vars worst = {"99999", "12月31日",
			"23:59", "WWWWWWWW", "99999", "99999", "99999", "99999",
			"99999", "999"};
	char buf[2048], out[2048];
	const char *p;
	size_t o = 0;
	bool gsm7;
	int seg;

	rules_sched_render(tmpl, &worst, buf, sizeof(buf));
	/* the list as a cut digest shows it at least: one name and "more" */
	for (p = buf; *p && o + 64 < sizeof(out);) {
		if (!strncmp(p, "{{names}}", 9) || !strncmp(p, "{{refs}}", 8)) {
			const char *fill = p[2] == 'n' ? "欧阳某某…等99999人"
						       : "R99999…等99999人";

			o += (size_t) snprintf(
					out + o, sizeof(out) - o, "%s", fill);
			p += p[2] == 'n' ? 9 : 8;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	seg = rt_sms_segments(out, o, &gsm7);
	if (seg > max)
		cw_error_at(&l->cw, config_setting_get_member(g, key),
				"'%s.%s' takes %d SMS segments in the worst "
				"case, more than max_segments = %d: \"%s\"",
				what, key, seg, max, out);
}

static int duration(struct lctx *l, config_setting_t *s, const char *what,
		const char *key, int def)
{
	char w[96];
	long v;

	if (!s)
		return def;
	snprintf(w, sizeof(w), "%s.%s", what, key);
	v = l_duration(l, s, w);
	return v < 0 ? def : (int) v;
}

static void compile_one(struct lctx *l, config_setting_t *g, const char *what,
		struct rules_schedule *s)
{
	struct rules *r = l->r;
	struct sched_spec sp;
	struct cron_error ce;
	size_t k;

	memset(&sp, 0, sizeof(sp));
	sp.max_segments = 1;
	cw_walk_group(&l->cw, g, what, sched_fields, &sp, l);
	if (!sp.id || !sp.cron || !sp.to || !sp.text)
		return;
	s->id = sp.id;
	s->file = cw_file_of(g);
	s->line = (int) config_setting_source_line(g);
	s->cron_text = sp.cron;
	if (cron_parse(sp.cron, &s->cron, &ce) < 0) {
		char msg[256];

		cron_format_error(&ce, msg, sizeof(msg));
		cw_error_at(&l->cw, config_setting_get_member(g, "cron"),
				"schedule %s: %s", sp.id, msg);
	}
	s->kind = RULES_SCHED_MISSING;
	if (sp.kind) {
		if (!strcmp(sp.kind, "missing"))
			s->kind = RULES_SCHED_MISSING;
		else if (!strcmp(sp.kind, "pending"))
			s->kind = RULES_SCHED_PENDING;
		else if (!strcmp(sp.kind, "daily"))
			s->kind = RULES_SCHED_DAILY;
		else if (!strcmp(sp.kind, "spot"))
			s->kind = RULES_SCHED_SPOT;
		else
			cw_error_at(&l->cw,
					config_setting_get_member(g, "kind"),
					"'%s.kind' must be \"missing\", "
					"\"pending\", \"daily\" or \"spot\" "
					"(got \"%s\")",
					what, sp.kind);
	}
	s->timezone = sp.timezone ? sp.timezone : "";
	s->per_territory = sp.timezone && !strcmp(sp.timezone, "territory");
	if (!strcmp(sp.to, "role:rep") || !strcmp(sp.to, "reps"))
		s->to = RULES_SCHED_TO_REPS;
	else if (!strcmp(sp.to, "supervisor") || !strcmp(sp.to, "supervisors"))
		s->to = RULES_SCHED_TO_SUPERVISORS;
	else if (!strcmp(sp.to, "admins") || !strcmp(sp.to, "role:admin"))
		s->to = RULES_SCHED_TO_ADMINS;
	else
		cw_error_at(&l->cw, config_setting_get_member(g, "to"),
				"'%s.to' must be \"role:rep\", \"supervisor\" "
				"or \"admins\" (got \"%s\")",
				what, sp.to);
	for (k = 0; k < sp.unless.n; k++) {
		const char *u = sp.unless.v[k];

		if (!strcmp(u, "checked_in"))
			s->unless |= RULES_UNLESS_CHECKED_IN;
		else if (!strcmp(u, "on_leave"))
			s->unless |= RULES_UNLESS_ON_LEAVE;
		else if (!strcmp(u, "no_pending_approvals"))
			s->unless |= RULES_UNLESS_NO_PENDING;
		else if (!strncmp(u, "reported:", 9)) {
			size_t f;

			s->unless |= RULES_UNLESS_REPORTED;
			s->form = u + 9;
			for (f = 0; f < r->n_forms; f++)
				if (!strcmp(r->forms[f].id, s->form))
					break;
			if (f == r->n_forms)
				cw_diag(&l->cw, DIAG_ERROR, sp.unless.file,
						sp.unless.lines ? sp.unless.lines[k]
								: sp.unless.line,
						"'%s.unless': unknown form "
						"\"%s\"",
						what, s->form);
		} else {
			cw_diag(&l->cw, DIAG_ERROR, sp.unless.file,
					sp.unless.lines ? sp.unless.lines[k]
							: sp.unless.line,
					"'%s.unless': \"%s\" is not "
					"checked_in, "
					"reported:FORM, on_leave or "
					"no_pending_approvals",
					what, u);
		}
	}
	s->digest = sp.digest;
	s->text = sp.text;
	s->alert = sp.alert;
	s->spread_s = duration(l, sp.spread, what, "spread", 0);
	s->grace_s = duration(l, sp.grace, what, "grace", 3600);
	s->window_s = duration(l, sp.window, what, "window", 0);
	s->within_s = duration(l, sp.within, what, "within", 1800);
	s->sample = sp.sample ? sp.sample : 3;
	s->max_segments = sp.max_segments;
	if (s->kind == RULES_SCHED_SPOT && !s->alert)
		cw_error_at(&l->cw, g,
				"'%s': a spot check needs 'alert' (the "
				"supervisor's template)",
				what);
	if (s->kind != RULES_SCHED_SPOT && (sp.alert || sp.window || sp.within))
		cw_error_at(&l->cw, g,
				"'%s': 'alert', 'window' and 'within' are for "
				"kind = \"spot\"",
				what);
	if (s->digest && s->to == RULES_SCHED_TO_REPS)
		cw_error_at(&l->cw, config_setting_get_member(g, "digest"),
				"'%s.digest': a digest goes to supervisors or "
				"admins, not to reps",
				what);
	check_fits(l, g, what, "template", s->text, s->max_segments);
	if (s->alert)
		check_fits(l, g, what, "alert", s->alert, s->max_segments);
	for (k = 0; k < r->n_schedules; k++)
		if (!strcmp(r->schedules[k].id, s->id))
			cw_error_at(&l->cw, g,
					"two schedules with id \"%s\" (the "
					"other at line %d)",
					s->id, r->schedules[k].line);
	r->n_schedules++;
}

void l_compile_schedules(struct lctx *l, config_setting_t *list,
		config_setting_t *holidays, config_setting_t *quiet)
{
	struct rules *r = l->r;
	int i, n;

	compile_calendar(l, holidays, quiet);
	if (!list)
		return;
	n = l_want_list(l, list, "schedules");
	if (n <= 0)
		return;
	r->schedules = r_zalloc(&r->arena, (size_t) n * sizeof(*r->schedules));
	if (!r->schedules) {
		l->cw.oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *g =
				config_setting_get_elem(list, (unsigned) i);
		char what[64];

		snprintf(what, sizeof(what), "schedules[%d]", i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cw_error_at(&l->cw, g,
					"'%s' must be a group { ... }, not %s",
					what,
					cw_type_name(config_setting_type(g)));
			continue;
		}
		memset(&r->schedules[r->n_schedules], 0,
				sizeof(r->schedules[0]));
		compile_one(l, g, what, &r->schedules[r->n_schedules]);
	}
}

/* ---- accessors (rules/sched.h) ---------------------------------------- */

size_t rules_schedules(
		const struct rules *rules, const struct rules_schedule **ret)
{
	*ret = rules ? rules->schedules : NULL;
	return rules ? rules->n_schedules : 0;
}

const struct rules_schedule *rules_schedule_find(
		const struct rules *rules, const char *id)
{
	size_t i;

	for (i = 0; rules && id && i < rules->n_schedules; i++)
		if (!strcmp(rules->schedules[i].id, id))
			return &rules->schedules[i];
	return NULL;
}

void rules_sched_calendar(const struct rules *rules, struct cron_calendar *out)
{
	memset(out, 0, sizeof(*out));
	if (!rules)
		return;
	out->holidays = rules->holidays;
	out->n_holidays = rules->n_holidays;
	out->quiet_from = rules->quiet_from;
	out->quiet_to = rules->quiet_to;
	out->quiet = (enum cron_quiet_policy) rules->quiet_policy;
}

size_t rules_sched_render(const char *tmpl, const struct rules_sched_vars *v,
		char *buf, size_t size)
{
	static const char *const names[] = {"count", "date", "time", "form",
			"checkins", "reports", "missing", "outside", "pending",
			"within", NULL};
	const char *vals[10];
	const char *p = tmpl;
	size_t o = 0;

	if (!size)
		return 0;
	vals[0] = v->count;
	vals[1] = v->date;
	vals[2] = v->time;
	vals[3] = v->form;
	vals[4] = v->checkins;
	vals[5] = v->reports;
	vals[6] = v->missing;
	vals[7] = v->outside;
	vals[8] = v->pending;
	vals[9] = v->within;
	while (*p && o + 1 < size) {
		if (p[0] == '{' && p[1] == '{') {
			size_t i;
			bool done = false;

			for (i = 0; names[i]; i++) {
				size_t nl = strlen(names[i]);

				if (!strncmp(p + 2, names[i], nl) &&
						!strncmp(p + 2 + nl, "}}", 2) &&
						vals[i]) {
					size_t vl = strlen(vals[i]);

					if (o + vl + 1 > size)
						vl = size - o - 1;
					memcpy(buf + o, vals[i], vl);
					o += vl;
					p += nl + 4;
					done = true;
					break;
				}
			}
			if (done)
				continue;
		}
		buf[o++] = *p++;
	}
	buf[o] = '\0';
	return o;
}
