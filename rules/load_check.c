/*
 * rules/load_check.c - the checks after compilation: the keyword table
 * (collisions after normalization, with both file:lines), worst-case
 * segment counts of every reply, and every example and test run through
 * the real rules_parse()/rules_decide() with a mock roster and a fixed
 * time.
 */
#include <config.h>

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/load.h"

static int kw_cmp(const void *a, const void *b)
{
	const struct r_keyword *x = a, *y = b;

	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return strcmp(x->kw, y->kw);
}

static void add_kw(struct lctx *l, size_t *n, const char *kw, const char *raw,
		enum r_kw_kind kind, int index, const char *file, int line)
{
	struct r_keyword *k = &l->r->keywords[*n];
	size_t i;

	if (!kw)
		return;
	if (!*kw) {
		cw_diag(&l->cw, DIAG_ERROR, file, line,
				"keyword \"%s\" is nothing but separators",
				raw);
		return;
	}
	k->kw = kw;
	k->len = strlen(kw);
	k->ascii = true;
	for (i = 0; i < k->len; i++)
		if ((unsigned char) kw[i] >= 0x80)
			k->ascii = false;
	k->ends_letter = (kw[k->len - 1] >= 'A' && kw[k->len - 1] <= 'Z') ||
			 (kw[k->len - 1] >= 'a' && kw[k->len - 1] <= 'z');
	k->kind = kind;
	k->index = index;
	k->file = file;
	k->line = line;
	for (i = 0; i < *n; i++) {
		const struct r_keyword *o = &l->r->keywords[i];

		if (!strcmp(o->kw, kw)) {
			cw_diag(&l->cw, DIAG_ERROR, file, line,
					"keyword \"%s\" collides with keyword "
					"\"%s\" at %s:%d (both read as \"%s\")",
					raw, o->kw,
					o->file ? o->file : l->cw.path, o->line,
					kw);
			return;
		}
	}
	(*n)++;
}

static void build_keywords(struct lctx *l)
{
	struct rules *r = l->r;
	size_t total = 0, n = 0, i, k;

	for (i = 0; i < r->n_forms; i++)
		total += r->forms[i].n_keywords;
	for (i = 0; i < R_N_COMMANDS; i++)
		total += r->commands[i].n_keywords;
	r->keywords = r_zalloc(&r->arena, (total + 1) * sizeof(*r->keywords));
	if (!r->keywords) {
		l->cw.oom = true;
		return;
	}
	for (i = 0; i < r->n_forms; i++)
		for (k = 0; k < r->forms[i].n_keywords; k++)
			add_kw(l, &n, r->forms[i].keywords[k],
					r->forms[i].keywords_raw[k], KW_FORM,
					(int) i, r->forms[i].file,
					r->forms[i].kw_lines[k]);
	for (i = 0; i < R_N_COMMANDS; i++)
		for (k = 0; k < r->commands[i].n_keywords; k++)
			add_kw(l, &n, r->commands[i].keywords[k],
					r->commands[i].keywords_raw[k],
					KW_COMMAND, (int) i,
					r->commands[i].file,
					r->commands[i].kw_lines[k]);
	r->n_keywords = n;
	qsort(r->keywords, n, sizeof(*r->keywords), kw_cmp);
	/* the index by first byte keeps the longest-first order */
	r->kw_index = r_zalloc(&r->arena, (n + 1) * sizeof(*r->kw_index));
	if (!r->kw_index || n > 65535) {
		l->cw.oom = true;
		return;
	}
	{
		size_t b, o = 0;

		for (b = 0; b < 256; b++) {
			r->kw_start[b] = (uint16_t) o;
			for (i = 0; i < n; i++)
				if ((unsigned char) r->keywords[i].kw[0] == b)
					r->kw_index[o++] = (uint16_t) i;
		}
		r->kw_start[256] = (uint16_t) o;
	}
}

/* ---- segments --------------------------------------------------------------- */

static void count(struct lctx *l, const char *text, const char *file, int line,
		const char *what)
{
	bool gsm7 = false;
	int seg = rt_sms_segments(text, strlen(text), &gsm7);
	int units = rt_sms_units(text, strlen(text), &gsm7);

	if (seg > l->r->max_segments)
		cw_diag(&l->cw, DIAG_ERROR, file, line,
				"%s can take %d SMS (worst case %d %s "
				"characters), more than settings.reply."
				"max_segments = %d: \"%s\"",
				what, seg, units, gsm7 ? "GSM-7" : "UCS-2",
				l->r->max_segments, text);
	else if (seg > 1)
		cw_diag(&l->cw, DIAG_WARNING, file, line,
				"%s can take %d SMS (worst case %d %s "
				"characters): \"%s\"",
				what, seg, units, gsm7 ? "GSM-7" : "UCS-2",
				text);
}

/* Can error @e name field @f? */
static bool error_applies(enum rules_error e, const struct r_field *f)
{
	switch (e) {
	case RULES_E_MISSING:
		return f->required && !f->def;
	case RULES_E_TYPE_INT:
		return f->type == RULES_INT;
	case RULES_E_TYPE_DECIMAL:
		return f->type == RULES_DECIMAL;
	case RULES_E_TYPE_DATE:
		return f->type == RULES_DATE;
	case RULES_E_TYPE_TIME:
		return f->type == RULES_TIME;
	case RULES_E_TYPE_PHONE:
		return f->type == RULES_PHONE;
	case RULES_E_TYPE_BOOL:
		return f->type == RULES_BOOL;
	case RULES_E_TYPE_CELL:
		return f->type == RULES_CELL;
	case RULES_E_TYPE_OUTLET:
	case RULES_E_UNKNOWN_OUTLET:
		return f->type == RULES_OUTLET;
	case RULES_E_ENUM:
		return f->type == RULES_ENUM;
	case RULES_E_RANGE:
		return f->type == RULES_INT || f->type == RULES_DECIMAL ||
		       f->type == RULES_DATE;
	case RULES_E_TOO_LONG:
		return f->type == RULES_TEXT;
	case RULES_E_DUPLICATE:
		return f->n_tags > 0;
	default:
		return false;
	}
}

/* Errors that name no field (EXTRA, RESUBMIT). */
static bool field_less(enum rules_error e)
{
	return e == RULES_E_EXTRA || e == RULES_E_RESUBMIT;
}

/* Can a fuzzy match (edit distance 1) reach this form? */
static bool fuzzy_reachable(const struct r_form *f)
{
	size_t i, k;

	for (i = 0; i < f->n_keywords; i++) {
		const char *kw = f->keywords[i];
		size_t len = strlen(kw);
		bool letters = len >= 3;

		for (k = 0; k < len; k++)
			if (!((kw[k] >= 'A' && kw[k] <= 'Z') ||
					    (kw[k] >= 'a' && kw[k] <= 'z')))
				letters = false;
		if (letters)
			return true;
	}
	return false;
}

static void check_segments(struct lctx *l)
{
	struct rules *r = l->r;
	struct r_render rc = {.rules = r, .worst = true};
	char buf[2048], codes[512], what[160];
	size_t i, e, o;

	for (i = 0; i < r->n_roles; i++) {
		r_codes(r, r->roles[i], codes, sizeof(codes));
		rc.codes = codes;
		r_render(&rc, &r->t_help, buf, 0, sizeof(buf));
		snprintf(what, sizeof(what), "the help reply for role %s",
				r->roles[i]);
		count(l, buf, r->t_help.file, r->t_help.line, what);
		r_render(&rc, &r->t_unknown_code, buf, 0, sizeof(buf));
		snprintf(what, sizeof(what),
				"the unknown-code reply for role %s",
				r->roles[i]);
		count(l, buf, r->t_unknown_code.file, r->t_unknown_code.line,
				what);
	}
	rc.codes = NULL;
	for (i = 0; i < r->n_forms; i++) {
		const struct r_form *f = &r->forms[i];

		rc.form = f;
		o = fuzzy_reachable(f) ? r_render(&rc, &r->t_assumed, buf, 0,
							 sizeof(buf))
				       : 0;
		r_render(&rc, &f->reply_ok, buf, o, sizeof(buf));
		snprintf(what, sizeof(what), "form '%s': reply_ok", f->id);
		count(l, buf, f->reply_ok.file, f->reply_ok.line, what);
		if (f->reply_late.src) {
			o = fuzzy_reachable(f)
					    ? r_render(&rc, &r->t_assumed, buf,
							      0, sizeof(buf))
					    : 0;
			r_render(&rc, &f->reply_late, buf, o, sizeof(buf));
			snprintf(what, sizeof(what), "form '%s': reply_late",
					f->id);
			count(l, buf, f->reply_late.file, f->reply_late.line,
					what);
		}
		r_render(&rc, &r->t_format, buf, 0, sizeof(buf));
		snprintf(what, sizeof(what), "form '%s': its format reply",
				f->id);
		count(l, buf, f->file, f->line, what);
		r_render(&rc, &r->t_not_allowed, buf, 0, sizeof(buf));
		snprintf(what, sizeof(what), "form '%s': the not-allowed reply",
				f->id);
		count(l, buf, r->t_not_allowed.file, r->t_not_allowed.line,
				what);
		for (e = RULES_E_MISSING; e <= RULES_E_RESUBMIT; e++) {
			const struct r_tmpl *t =
					f->errors[e].src ? &f->errors[e]
							 : &r->def_errors[e];
			size_t k;

			if (e == RULES_E_NEEDS_TEXT || e == RULES_E_NEEDS_REF)
				continue;
			snprintf(what, sizeof(what),
					"form '%s': the '%s' error reply",
					f->id,
					rules_error_name((enum rules_error) e));
			/* every field the error can name, or none */
			for (k = 0; k <= f->n_fields; k++) {
				if (k < f->n_fields &&
						!error_applies((enum rules_error)
										e,
								&f->fields[k]))
					continue;
				if (k == f->n_fields &&
						!field_less((enum rules_error) e))
					continue;
				rc.worst_error = (enum rules_error) e;
				rc.worst_field = k < f->n_fields ? &f->fields[k]
								 : NULL;
				o = r_render(&rc, t, buf, 0, sizeof(buf));
				if (r->format_hint && e != RULES_E_RESUBMIT)
					r_render(&rc, &r->t_format_hint, buf, o,
							sizeof(buf));
				count(l, buf, t->file ? t->file : f->file,
						t->line ? t->line : f->line,
						what);
			}
			rc.worst_field = NULL;
			rc.worst_error = RULES_E_NONE;
		}
	}
	for (i = 0; i < r->n_alerts; i++) {
		const struct r_alert *a = &r->alerts[i];

		rc.form = &r->forms[a->form];
		r_render(&rc, &a->tmpl, buf, 0, sizeof(buf));
		snprintf(what, sizeof(what), "alert '%s': its template", a->id);
		count(l, buf, a->tmpl.file, a->tmpl.line, what);
	}
	rc.form = NULL;
	for (i = 1; i < R_N_COMMANDS; i++) {
		const struct r_command *c = &r->commands[i];

		if (!c->defined)
			continue;
		rc.command = c;
		if (c->reply.src) {
			r_render(&rc, &c->reply, buf, 0, sizeof(buf));
			snprintf(what, sizeof(what), "command '%s': its reply",
					c->id);
			count(l, buf, c->reply.file, c->reply.line, what);
		}
		if (c->ask.src) {
			r_render(&rc, &c->ask, buf, 0, sizeof(buf));
			snprintf(what, sizeof(what),
					"command '%s': its question", c->id);
			count(l, buf, c->ask.file, c->ask.line, what);
		}
	}
}

/* ---- examples ---------------------------------------------------------------- */

static void outcome_str(const struct rules_parsed *p,
		const struct rules_decision *d, char *buf, size_t size)
{
	switch (d->outcome) {
	case RULES_OUT_OK:
		snprintf(buf, size, "ok:%s",
				p->kind == RULES_KIND_FORM
						? p->form_id
						: rules_command_name(
								  p->command));
		break;
	case RULES_OUT_ERROR:
		snprintf(buf, size, "error:%s", rules_error_name(d->error));
		break;
	default:
		snprintf(buf, size, "%s", rules_outcome_name(d->outcome));
	}
}

int r_run_example(const struct rules *r, const struct r_example *ex, char *got,
		size_t got_size, char *reply, size_t reply_size);

int r_run_example(const struct rules *r, const struct r_example *ex, char *got,
		size_t got_size, char *reply, size_t reply_size)
{
	struct rules_msg msg;
	struct rules_facts facts;
	struct rules_parsed *p = NULL;
	struct rules_decision *d = NULL;
	char ref[32];
	int ret;

	memset(&msg, 0, sizeof(msg));
	memset(&facts, 0, sizeof(facts));
	msg.text = ex->text;
	msg.len = strlen(ex->text);
	msg.sender.phone = "13800000000";
	msg.sender.role = ex->role;
	msg.sender.name = ex->role ? "张伟" : NULL;
	msg.sender.person_id = ex->role ? 1 : 0;
	msg.sent = ex->has_at ? ex->at : r->test_time;
	msg.received = msg.sent;
	if (rules_ref_format(r, 1045, ref, sizeof(ref)) < 0)
		ref[0] = '\0';
	facts.ref = ref;
	facts.prior_status = RULES_FACT_NOT_FOUND;
	facts.last_status = RULES_FACT_FOUND;
	facts.last.ref = ref;
	facts.last.received = msg.sent.unix - 60;
	facts.last.status = "received";
	ret = rules_parse(r, &msg, &p);
	if (ret < 0)
		return ret;
	facts.outlet_status = RULES_FACT_FOUND;
	facts.outlet.code = p->needs.outlet_code;
	facts.outlet.name = r->test_outlet;
	facts.outlet.territory = "济南";
	ret = rules_decide(r, p, &msg, &facts, &d);
	if (ret < 0) {
		rules_parsed_free(p);
		return ret;
	}
	outcome_str(p, d, got, got_size);
	snprintf(reply, reply_size, "%s", d->reply ? d->reply : "");
	rules_decision_free(d);
	rules_parsed_free(p);
	return 0;
}

static void run_one(
		struct lctx *l, const struct r_example *ex, const char *what)
{
	char got[96], reply[1024];

	if (r_run_example(l->r, ex, got, sizeof(got), reply, sizeof(reply)) <
			0) {
		l->cw.oom = true;
		return;
	}
	if (strcmp(got, ex->expect))
		cw_diag(&l->cw, DIAG_ERROR, ex->file, ex->line,
				"%s \"%s\" failed: expected %s, got %s "
				"(reply \"%s\")",
				what, ex->text, ex->expect, got, reply);
	else if (ex->reply && strcmp(reply, ex->reply))
		cw_diag(&l->cw, DIAG_ERROR, ex->file, ex->line,
				"%s \"%s\" failed: expected the reply \"%s\", "
				"got \"%s\"",
				what, ex->text, ex->reply, reply);
}

void l_check(struct lctx *l)
{
	struct rules *r = l->r;
	size_t i, k;

	if (l->cw.oom)
		return;
	build_keywords(l);
	for (i = 0; i < r->n_roles; i++) {
		char codes[512];

		r_codes(r, r->roles[i], codes, sizeof(codes));
		r->codes[i] = r_strdup(&r->arena, codes);
		if (!r->codes[i])
			l->cw.oom = true;
	}
	check_segments(l);
	for (i = 0; i < r->n_forms; i++)
		if (!r->forms[i].n_examples)
			cw_diag(&l->cw, DIAG_WARNING, r->forms[i].file,
					r->forms[i].line,
					"form '%s' has no examples: nothing "
					"shows it parses what reps send",
					r->forms[i].id);
	/* examples only run on a set that is otherwise sound */
	if (l->cw.diags->n_errors > l->errors_before || l->cw.oom)
		return;
	for (i = 0; i < r->n_forms; i++)
		for (k = 0; k < r->forms[i].n_examples; k++) {
			char what[96];

			snprintf(what, sizeof(what), "example of form '%s'",
					r->forms[i].id);
			run_one(l, &r->forms[i].examples[k], what);
		}
	for (i = 0; i < r->n_tests; i++)
		run_one(l, &r->tests[i], "test");
}
