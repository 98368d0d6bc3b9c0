/*
 * rules/decide.c - rules_decide(): a parsed message and the facts the
 * gateway looked up become the reply, the action, the report (fields as
 * JSON text) and the alerts to raise.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

#define REPLY_MAX 1024

struct decision_full {
	struct rules_decision d;
	struct r_arena arena;
	char inline_buf[768];
};

/* ---- JSON ---------------------------------------------------------------- */

struct jbuf {
	char *s;
	size_t n, cap;
	bool oom;
	bool on_stack; /* s is the caller's buffer, not malloc'd */
};

static void jput(struct jbuf *j, const char *s, size_t len)
{
	if (j->oom)
		return;
	if (j->n + len + 1 > j->cap) {
		size_t cap = (j->cap ? j->cap : 256) * 2;
		char *p;

		while (cap < j->n + len + 1)
			cap *= 2;
		p = j->on_stack ? malloc(cap) : realloc(j->s, cap);
		if (!p) {
			j->oom = true;
			return;
		}
		if (j->on_stack)
			memcpy(p, j->s, j->n);
		j->on_stack = false;
		j->s = p;
		j->cap = cap;
	}
	memcpy(j->s + j->n, s, len);
	j->n += len;
	j->s[j->n] = '\0';
}

static void jstr(struct jbuf *j, const char *s)
{
	const char *p = s, *run = s;
	char esc[8];

	jput(j, "\"", 1);
	for (; *p; p++) {
		unsigned char c = (unsigned char) *p;

		if (c != '"' && c != '\\' && c >= 0x20 && c != 0x7F)
			continue;
		jput(j, run, (size_t) (p - run));
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char) c;
			jput(j, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jput(j, esc, 6);
		}
		run = p + 1;
	}
	jput(j, run, (size_t) (p - run));
	jput(j, "\"", 1);
}

/* @v as @w zero-padded digits (no printf: this runs per message). */
static void dig2(char *p, int v, int w)
{
	int i;

	if (v < 0)
		v = 0;
	for (i = w - 1; i >= 0; i--, v /= 10)
		p[i] = (char) ('0' + v % 10);
}

/* units / 10^scale with exactly @scale fraction digits, no printf. */
static void junits(struct jbuf *j, int64_t u, int scale)
{
	char buf[48];
	unsigned long long v = u < 0 ? 0ull - (unsigned long long) u
				     : (unsigned long long) u;
	int k = (int) sizeof(buf), digits = 0;

	do {
		buf[--k] = (char) ('0' + v % 10);
		v /= 10;
		if (++digits == scale)
			buf[--k] = '.';
	} while (v || digits <= scale);
	if (buf[k] == '.')
		buf[--k] = '0';
	if (u < 0)
		buf[--k] = '-';
	jput(j, buf + k, sizeof(buf) - (size_t) k);
}

static char *fields_json(struct r_arena *a, const struct rules_parsed *p,
		const struct r_field *fl)
{
	char stack[1024];
	struct jbuf j = {.s = stack, .cap = sizeof(stack), .on_stack = true};
	char buf[96];
	size_t i;
	bool first = true;
	char *out;

	jput(&j, "{", 1);
	for (i = 0; i < p->n_fields; i++) {
		const struct rules_value *v = &p->fields[i];

		if (!v->present)
			continue;
		if (!first)
			jput(&j, ",", 1);
		first = false;
		if (v->name == fl[i].name && fl[i].json_key)
			jput(&j, fl[i].json_key, fl[i].json_key_len);
		else {
			jstr(&j, v->name);
			jput(&j, ":", 1);
		}
		switch (v->type) {
		case RULES_INT:
			junits(&j, v->v.i, 0);
			break;
		case RULES_DECIMAL:
			junits(&j, v->v.dec.units, v->v.dec.scale);
			break;
		case RULES_BOOL:
			jput(&j, v->v.i ? "true" : "false", v->v.i ? 4 : 5);
			break;
		case RULES_DATE:
			buf[0] = '"';
			dig2(buf + 1, v->v.date.year, 4);
			buf[5] = '-';
			dig2(buf + 6, v->v.date.month, 2);
			buf[8] = '-';
			dig2(buf + 9, v->v.date.day, 2);
			buf[11] = '"';
			jput(&j, buf, 12);
			break;
		case RULES_TIME:
			buf[0] = '"';
			dig2(buf + 1, v->v.time.hour, 2);
			buf[3] = ':';
			dig2(buf + 4, v->v.time.minute, 2);
			buf[6] = '"';
			jput(&j, buf, 7);
			break;
		case RULES_CELL:
			snprintf(buf, sizeof(buf),
					"{\"mcc\":%d,\"mnc\":%d,\"lac\":%u,"
					"\"cid\":%u}",
					v->v.cell.mcc, v->v.cell.mnc,
					v->v.cell.lac, v->v.cell.cid);
			jput(&j, buf, strlen(buf));
			break;
		case RULES_ENUM:
		case RULES_TEXT:
		case RULES_PHONE:
		case RULES_OUTLET:
			jstr(&j, v->text ? v->text : "");
			break;
		}
	}
	jput(&j, "}", 1);
	out = j.oom ? NULL : r_strndup(a, j.s, j.n);
	if (!j.on_stack)
		free(j.s);
	return out;
}

/* ---- conditions ------------------------------------------------------------ */

static double num_of(const struct rules_value *v)
{
	if (v->type == RULES_DECIMAL) {
		double d = (double) v->v.dec.units;
		int i;

		for (i = 0; i < v->v.dec.scale; i++)
			d /= 10;
		return d;
	}
	return (double) v->v.i;
}

static bool is_numeric(const struct rules_value *v)
{
	return v->type == RULES_INT || v->type == RULES_DECIMAL ||
	       v->type == RULES_BOOL;
}

static const char *str_of(const struct rules_value *v)
{
	return v->text ? v->text : v->raw;
}

static bool eval(const struct r_cond *c, const struct rules_parsed *p,
		const struct rules_facts *facts)
{
	const struct rules_value *v =
			c->field >= 0 && (size_t) c->field < p->n_fields
					? &p->fields[c->field]
					: NULL;
	size_t i;

	switch (c->kind) {
	case COND_ALL:
		for (i = 0; i < c->n_sub; i++)
			if (!eval(&c->sub[i], p, facts))
				return false;
		return true;
	case COND_ANY:
		for (i = 0; i < c->n_sub; i++)
			if (eval(&c->sub[i], p, facts))
				return true;
		return false;
	case COND_NOT:
		return c->n_sub && !eval(&c->sub[0], p, facts);
	case COND_PRESENT:
		return v && v->present;
	default:
		break;
	}
	if (!v || !v->present)
		return false;
	switch (c->kind) {
	case COND_CMP: {
		int cmp;

		if (c->is_string || !is_numeric(v)) {
			cmp = strcmp(str_of(v), c->str ? c->str : "");
		} else {
			double x = num_of(v);

			cmp = x < c->num ? -1 : x > c->num ? 1 : 0;
		}
		switch (c->op) {
		case OP_EQ:
			return cmp == 0;
		case OP_NE:
			return cmp != 0;
		case OP_GT:
			return cmp > 0;
		case OP_GE:
			return cmp >= 0;
		case OP_LT:
			return cmp < 0;
		case OP_LE:
			return cmp <= 0;
		}
		return false;
	}
	case COND_IN:
		for (i = 0; i < c->n_words; i++)
			if (c->nums ? is_numeric(v) && num_of(v) == c->nums[i]
				    : !strcmp(str_of(v), c->words[i]))
				return true;
		return false;
	case COND_CONTAINS:
		for (i = 0; i < c->n_words; i++)
			if (strstr(str_of(v), c->words[i]))
				return true;
		return false;
	case COND_ABOVE_AVG: {
		const struct rules_history_fact *h;

		if (!facts || (size_t) c->history >= facts->n_history ||
				!facts->history)
			return false;
		h = &facts->history[c->history];
		return h->count >= c->min_history && h->average > 0 &&
		       num_of(v) >= c->factor * h->average;
	}
	default:
		return false;
	}
}

/* ---- the decision ------------------------------------------------------------ */

static const struct r_tmpl *error_tmpl(const struct rules *r,
		const struct r_form *form, enum rules_error e)
{
	if (form && form->errors[e].src)
		return &form->errors[e];
	return &r->def_errors[e];
}

/*
 * Segments of a reply, the cheap way when it is plain: ASCII is GSM-7
 * (the extension characters count two; '`' is not GSM at all), and a
 * character from U+3000 up (CJK) rules GSM-7 out, so a reply with one
 * is UCS-2 (astral characters count two).  Anything else, or more than
 * one segment, asks the codec (rules/text.h).
 */
static int segments(const char *s, size_t len, bool *gsm7)
{
	const unsigned char *u = (const unsigned char *) s;
	const uint64_t hi = 0x8080808080808080ull, ones = 0x0101010101010101ull;
	size_t i, cont = 0, astral = 0, ext = 0, chars;
	uint64_t high = 0;
	unsigned cjk = 0, bad = 0;

	/*
	 * Eight bytes at a time: continuation bytes (10xxxxxx) and the
	 * leads of astral characters (11110xxx), counted through the top
	 * bit of each byte.
	 */
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t w, t;

		memcpy(&w, u + i, 8);
		high |= w;
		t = w & ~(w << 1) & hi;
		cont += (size_t) (((t >> 7) * ones) >> 56);
		t = w & (w << 1) & (w << 2) & (w << 3) & hi;
		astral += (size_t) (((t >> 7) * ones) >> 56);
	}
	for (; i < len; i++) {
		high |= u[i];
		cont += (u[i] & 0xC0) == 0x80;
		astral += u[i] >= 0xF0;
	}
	high &= hi;
	chars = len - cont;
	/* a lead of U+3000..U+FFFF: not GSM 7-bit; usually the first one */
	for (i = 0; high && i < len && !cjk; i++)
		cjk = u[i] >= 0xE3 && u[i] < 0xF0;
	if (!high) {
		for (i = 0; i < len; i++) {
			switch (u[i]) {
			case '[':
			case ']':
			case '{':
			case '}':
			case '\\':
			case '^':
			case '~':
			case '|':
				ext++; /* the GSM-7 extension table: two septets */
				break;
			case '`':
			case 0x7F:
				bad = 1;
				break;
			default:
				bad |= u[i] < 0x20 && u[i] != '\n' &&
				       u[i] != '\r';
			}
		}
		if (!bad && len + ext <= 160) {
			*gsm7 = true;
			return 1;
		}
	} else if (cjk && chars + astral <= 70) {
		*gsm7 = false;
		return 1;
	}
	return rt_sms_segments(s, len, gsm7);
}

static int finish_reply(struct decision_full *df, const char *text)
{
	struct rules_decision *d = &df->d;
	size_t len = strlen(text);
	bool gsm7 = false;
	int seg;

	d->reply = r_strndup(&df->arena, text, len);
	if (!d->reply)
		return -ENOMEM;
	seg = segments(d->reply, len, &gsm7);
	d->reply_segments = seg < 0 ? 0 : seg;
	d->reply_gsm7 = gsm7;
	return 0;
}

static int raise_alerts(struct decision_full *df, const struct rules *r,
		const struct r_form *form, struct r_render *rc)
{
	struct rules_decision *d = &df->d;
	struct rules_alert *out;
	size_t i, n = 0;
	char buf[REPLY_MAX], key[256];

	for (i = 0; i < r->n_alerts; i++)
		if (&r->forms[r->alerts[i].form] == form)
			n++;
	if (!n)
		return 0;
	out = r_zalloc(&df->arena, n * sizeof(*out));
	if (!out)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < r->n_alerts; i++) {
		const struct r_alert *al = &r->alerts[i];
		size_t kl;

		if (&r->forms[al->form] != form ||
				!eval(&al->cond, rc->parsed, rc->facts))
			continue;
		r_render(rc, &al->tmpl, buf, 0, sizeof(buf));
		kl = strlen(al->id);
		if (kl > 64)
			kl = 64;
		memcpy(key, al->id, kl);
		key[kl++] = ':';
		key[kl] = '\0';
		if (al->dedupe.src)
			r_render(rc, &al->dedupe, key, kl, sizeof(key));
		else if (rc->ref)
			snprintf(key + kl, sizeof(key) - kl, "%s", rc->ref);
		out[n].id = al->id;
		out[n].notify = al->notify;
		out[n].n_notify = al->n_notify;
		out[n].text = r_strdup(&df->arena, buf);
		out[n].batch_seconds = al->batch_s;
		out[n].dedupe_key = r_strdup(&df->arena, key);
		if (!out[n].text || !out[n].dedupe_key)
			return -ENOMEM;
		n++;
	}
	d->alerts = out;
	d->n_alerts = n;
	return 0;
}

static int decide_form(struct decision_full *df, const struct rules *r,
		const struct r_form *form, struct r_render *rc, char *buf)
{
	struct rules_decision *d = &df->d;
	const struct rules_parsed *p = rc->parsed;
	const struct rules_facts *fa = rc->facts;
	const struct r_tmpl *t;
	size_t o = 0;

	if (p->keyword_only) {
		d->outcome = RULES_OUT_HELP;
		r_render(rc, &r->t_format, buf, 0, REPLY_MAX);
		return finish_reply(df, buf);
	}
	if (p->error == RULES_E_NONE && fa &&
			(p->needs.what & RULES_NEED_OUTLET) &&
			fa->outlet_status == RULES_FACT_NOT_FOUND)
		d->error = RULES_E_UNKNOWN_OUTLET;
	else if (p->error == RULES_E_NONE && fa &&
			form->resubmit == RESUB_REJECT &&
			fa->prior_status == RULES_FACT_FOUND)
		d->error = RULES_E_RESUBMIT;
	else
		d->error = p->error;
	if (d->error != RULES_E_NONE) {
		d->outcome = RULES_OUT_ERROR;
		o = r_render(rc, error_tmpl(r, form, d->error), buf, 0,
				REPLY_MAX);
		if (r->format_hint && d->error != RULES_E_RESUBMIT)
			r_render(rc, &r->t_format_hint, buf, o, REPLY_MAX);
		return finish_reply(df, buf);
	}
	d->outcome = RULES_OUT_OK;
	d->action = RULES_ACT_STORE;
	if (fa && form->resubmit == RESUB_REPLACE &&
			fa->prior_status == RULES_FACT_FOUND)
		d->action = RULES_ACT_REPLACE;
	if (p->fuzzy_keyword)
		o = r_render(rc, &r->t_assumed, buf, 0, REPLY_MAX);
	t = p->late && form->reply_late.src ? &form->reply_late
					    : &form->reply_ok;
	r_render(rc, t, buf, o, REPLY_MAX);
	d->report.form_id = form->id;
	d->report.ref = rc->ref;
	d->report.period = p->period;
	d->report.late = p->late;
	d->report.fields_json = fields_json(&df->arena, p, form->fields);
	if (!d->report.fields_json || finish_reply(df, buf) < 0 ||
			r_decide_request(r, form, rc, &df->arena, d) < 0)
		return -ENOMEM;
	return raise_alerts(df, r, form, rc);
}

static int decide_command(struct decision_full *df, const struct rules *r,
		const struct r_command *cmd, struct r_render *rc,
		const struct rules_msg *msg, char *buf)
{
	struct rules_decision *d = &df->d;
	const struct rules_parsed *p = rc->parsed;
	const struct rules_facts *fa = rc->facts;
	size_t o;
	int sv;

	if (cmd->cmd == RULES_CMD_HELP) {
		d->outcome = RULES_OUT_HELP;
		r_render(rc, &r->t_help, buf, 0, REPLY_MAX);
		return finish_reply(df, buf);
	}
	if (cmd->cmd == RULES_CMD_UNDO) {
		int64_t now = msg->sent.unix ? msg->sent.unix
					     : msg->received.unix;

		if (fa && fa->last_status == RULES_FACT_NOT_FOUND)
			d->error = RULES_E_NOTHING_TO_UNDO;
		else if (fa && fa->last_status == RULES_FACT_FOUND &&
				cmd->window_s > 0 &&
				now - fa->last.received > cmd->window_s)
			d->error = RULES_E_UNDO_EXPIRED;
		if (d->error) {
			d->outcome = RULES_OUT_ERROR;
			if (fa->last_status == RULES_FACT_FOUND)
				rc->ref = fa->last.ref;
			r_render(rc, error_tmpl(r, NULL, d->error), buf, 0,
					REPLY_MAX);
			return finish_reply(df, buf);
		}
		d->outcome = RULES_OUT_OK;
		d->action = RULES_ACT_WITHDRAW;
		rc->ref = fa && fa->last_status == RULES_FACT_FOUND
					  ? fa->last.ref
					  : NULL;
		r_render(rc, &cmd->reply, buf, 0, REPLY_MAX);
		return finish_reply(df, buf);
	}
	/* (supervisors issue) approve, reject, note, team, lookup, my */
	sv = r_decide_supervise(r, cmd, p, fa, &df->arena, d, buf, REPLY_MAX);
	if (sv < 0)
		return -ENOMEM;
	if (sv)
		return finish_reply(df, buf);
	d->outcome = RULES_OUT_ERROR;
	d->error = p->error ? p->error : RULES_E_NOT_AVAILABLE;
	if (d->error == RULES_E_NOT_AVAILABLE) {
		r_render(rc, cmd->reply.src ? &cmd->reply : &r->t_not_available,
				buf, 0, REPLY_MAX);
	} else {
		o = r_render(rc, error_tmpl(r, NULL, d->error), buf, 0,
				REPLY_MAX);
		(void) o;
	}
	return finish_reply(df, buf);
}

int rules_decide(const struct rules *r, const struct rules_parsed *p,
		const struct rules_msg *msg, const struct rules_facts *facts,
		struct rules_decision **ret_decision)
{
	struct decision_full *df;
	struct rules_decision *d;
	struct r_render rc = {
			.rules = r, .parsed = p, .msg = msg, .facts = facts};
	char buf[REPLY_MAX];
	const struct r_form *form = NULL;
	const struct r_command *cmd = NULL;
	size_t i;
	int ret = 0;

	df = malloc(sizeof(*df));
	if (!df)
		return -ENOMEM;
	memset(&df->d, 0, sizeof(df->d));
	memset(&df->arena, 0, sizeof(df->arena));
	df->arena.inline_buf = df->inline_buf;
	df->arena.inline_size = sizeof(df->inline_buf);
	d = &df->d;
	buf[0] = '\0';
	if (p->kind == RULES_KIND_FORM) {
		/* the parser hands out the form's own id: compare pointers */
		for (i = 0; i < r->n_forms; i++)
			if (r->forms[i].id == p->form_id)
				break;
		for (i = i < r->n_forms ? i : 0; i < r->n_forms; i++)
			if (!strcmp(r->forms[i].id, p->form_id))
				break;
		form = i < r->n_forms ? &r->forms[i] : NULL;
	} else if (p->kind == RULES_KIND_COMMAND) {
		cmd = &r->commands[p->command];
	}
	rc.form = form;
	rc.command = cmd;
	rc.ref = facts && facts->ref ? r_strdup(&df->arena, facts->ref) : NULL;
	rc.codes = r_codes_of(r, msg->sender.role);

	if (p->error == RULES_E_UNKNOWN_SENDER) {
		d->error = p->error;
		if (!r->t_unknown_sender.src) {
			d->outcome = RULES_OUT_IGNORED;
			goto out;
		}
		d->outcome = RULES_OUT_ERROR;
		r_render(&rc, &r->t_unknown_sender, buf, 0, REPLY_MAX);
		ret = finish_reply(df, buf);
	} else if (p->error == RULES_E_UNKNOWN_CODE) {
		d->outcome = RULES_OUT_ERROR;
		d->error = p->error;
		r_render(&rc, &r->t_unknown_code, buf, 0, REPLY_MAX);
		ret = finish_reply(df, buf);
	} else if (p->error == RULES_E_NOT_ALLOWED) {
		d->outcome = RULES_OUT_ERROR;
		d->error = p->error;
		r_render(&rc, &r->t_not_allowed, buf, 0, REPLY_MAX);
		ret = finish_reply(df, buf);
	} else if (form) {
		ret = decide_form(df, r, form, &rc, buf);
	} else if (cmd) {
		ret = decide_command(df, r, cmd, &rc, msg, buf);
	} else {
		d->outcome = RULES_OUT_IGNORED;
	}
out:
	if (ret < 0) {
		rules_decision_free(d);
		return ret;
	}
	*ret_decision = d;
	return 0;
}

void rules_decision_free(struct rules_decision *decision)
{
	struct decision_full *df = (struct decision_full *) decision;

	if (!decision)
		return;
	r_arena_free(&df->arena);
	free(df);
}
