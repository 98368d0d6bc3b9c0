/*
 * rules/parse.c - rules_parse(): normalized text -> keyword -> fields.
 *
 * The keyword is the LONGEST keyword or alias at the start of the
 * normalized text (so "日报120 3500 8" works); an ASCII keyword ending in
 * a letter must not be followed by another ASCII letter ("RB120" yes,
 * "RBX" no).  Failing that, one ASCII keyword of three or more letters
 * at edit distance 1 from the first word, when only one is.  Fields are
 * read positionally, by tag (glued or spaced: "销量120", "销量 120"), or
 * both (syntax auto: a tag names its field, an untagged value fills the
 * next unfilled field).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

struct parsed_full {
	struct rules_parsed p;
	struct r_arena arena;
	char inline_buf[1536];
};

static bool is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Does keyword/tag @kw (normalized) match at @s, followed properly? */
static bool kw_at(const char *kw, size_t kl, bool ends_letter, const char *s,
		size_t len)
{
	if (kl > len || memcmp(kw, s, kl))
		return false;
	if (ends_letter && kl < len && is_letter(s[kl]))
		return false;
	return true;
}

static int edit1(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;
	int edits = 0;

	if (al > bl + 1 || bl > al + 1)
		return 2;
	while (i < al && j < bl) {
		if (a[i] == b[j]) {
			i++;
			j++;
			continue;
		}
		if (++edits > 1)
			return 2;
		if (al > bl)
			i++;
		else if (bl > al)
			j++;
		else {
			i++;
			j++;
		}
	}
	edits += (int) (al - i + bl - j);
	return edits;
}

static const struct r_keyword *match_keyword(
		const struct rules *r, const char *s, size_t len, bool *fuzzy)
{
	const struct r_keyword *hit = NULL;
	size_t i, wl = 0;
	int n = 0;

	*fuzzy = false;
	/* only the keywords that start with this byte, longest first */
	for (i = r->kw_start[(unsigned char) s[0]];
			i < r->kw_start[(unsigned char) s[0] + 1]; i++) {
		const struct r_keyword *k = &r->keywords[r->kw_index[i]];

		if (kw_at(k->kw, k->len, k->ends_letter, s, len))
			return k;
	}
	/* edit distance 1 on the first ASCII word, when unique */
	while (wl < len && is_letter(s[wl]))
		wl++;
	if (wl < 2 || (wl < len && !is_digit(s[wl]) && s[wl] != ' '))
		return NULL;
	for (i = 0; i < r->n_keywords; i++) {
		const struct r_keyword *k = &r->keywords[i];

		if (!k->ascii || !k->ends_letter || k->len < 3)
			continue;
		if (edit1(k->kw, k->len, s, wl) == 1) {
			if (hit && (hit->kind != k->kind ||
						   hit->index != k->index))
				n++;
			else if (!hit)
				n++;
			hit = k;
		}
	}
	if (n != 1)
		return NULL;
	*fuzzy = true;
	/* remember how much of the text the fuzzy word took */
	return hit;
}

static size_t fuzzy_len(const char *s, size_t len)
{
	size_t wl = 0;

	while (wl < len && is_letter(s[wl]))
		wl++;
	return wl;
}

/* ---- fields ------------------------------------------------------------- */

struct pctx {
	const struct rules *r;
	const struct r_form *form;
	const struct rules_msg *msg;
	struct rules_parsed *p;
	struct r_arena *a;
	struct rules_value *vals;
	const struct rules_time *today;
	const char *norm; /* the case-folded normalized text */
	size_t norm_len;
	char *unfolded; /* the same without case folding, made on demand */
	bool failed;
};

/*
 * Text values keep the case the rep typed: normalization without case
 * folding gives the same bytes at the same offsets except for a-z, so
 * the token is copied from there.
 */
static const char *text_value(struct pctx *c, const char *tok, size_t len)
{
	if (!c->unfolded || tok < c->norm || tok + len > c->norm + c->norm_len)
		return r_strndup(c->a, tok, len);
	return r_strndup(c->a, c->unfolded + (tok - c->norm), len);
}

static void fail(struct pctx *c, enum rules_error e, const struct r_field *f,
		const char *tok, size_t len)
{
	if (c->failed)
		return;
	c->failed = true;
	c->p->error = e;
	c->p->error_field = f ? f->name : NULL;
	c->p->error_token = tok ? r_strndup(c->a, tok, len) : NULL;
}

static bool range_ok(const struct r_field *f, int64_t u)
{
	return (!f->has_min || u >= f->min) && (!f->has_max || u <= f->max);
}

/* Parses @tok into @v as field @f; false (and the error) on failure. */
static bool parse_value(struct pctx *c, const struct r_field *f,
		struct rules_value *v, const char *tok, size_t len)
{
	int r = 0;
	size_t i, k;
	bool b;
	char buf[64];

	v->raw = r_strndup(c->a, tok, len);
	switch (f->type) {
	case RULES_INT:
		r = rv_parse_int(tok, len, &f->num, &v->v.i);
		if (r == -EINVAL) {
			fail(c, RULES_E_TYPE_INT, f, tok, len);
			return false;
		}
		if (r < 0 || !range_ok(f, v->v.i)) {
			fail(c, RULES_E_RANGE, f, tok, len);
			return false;
		}
		break;
	case RULES_DECIMAL:
		r = rv_parse_decimal(
				tok, len, &f->num, f->scale, &v->v.dec.units);
		if (r == -EINVAL) {
			fail(c, RULES_E_TYPE_DECIMAL, f, tok, len);
			return false;
		}
		if (r < 0 || !range_ok(f, v->v.dec.units)) {
			fail(c, RULES_E_RANGE, f, tok, len);
			return false;
		}
		v->v.dec.scale = f->scale;
		break;
	case RULES_ENUM:
		for (i = 0; i < f->list->n_items; i++) {
			const struct r_item *it = &f->list->items[i];

			for (k = 0; k < it->n_alias; k++)
				if (strlen(it->alias[k]) == len &&
						!memcmp(it->alias[k], tok, len))
					break;
			if (k < it->n_alias)
				break;
		}
		if (i == f->list->n_items) {
			fail(c, RULES_E_ENUM, f, tok, len);
			return false;
		}
		v->text = f->list->items[i].v;
		break;
	case RULES_TEXT:
		if (f->max_chars && rt_utf8_chars(tok, len) >
						    (size_t) f->max_chars) {
			fail(c, RULES_E_TOO_LONG, f, tok, len);
			return false;
		}
		v->text = v->raw = text_value(c, tok, len);
		break;
	case RULES_DATE:
		r = rv_parse_date(tok, len, c->today->year, c->today->month,
				c->today->day, &v->v.date.year,
				&v->v.date.month, &v->v.date.day);
		if (r < 0) {
			/* 1332 or 2月30日: not a date either */
			fail(c, RULES_E_TYPE_DATE, f, tok, len);
			return false;
		}
		break;
	case RULES_TIME:
		if (rv_parse_time(tok, len, &v->v.time.hour,
				    &v->v.time.minute) < 0) {
			fail(c, RULES_E_TYPE_TIME, f, tok, len);
			return false;
		}
		break;
	case RULES_PHONE:
		if (rv_parse_phone(tok, len, buf, sizeof(buf)) < 0) {
			fail(c, RULES_E_TYPE_PHONE, f, tok, len);
			return false;
		}
		v->text = r_strdup(c->a, buf);
		break;
	case RULES_BOOL:
		if (rv_parse_bool(tok, len, &b) < 0) {
			fail(c, RULES_E_TYPE_BOOL, f, tok, len);
			return false;
		}
		v->v.i = b;
		break;
	case RULES_OUTLET:
		if (rv_parse_outlet_code(tok, len) < 0) {
			fail(c, RULES_E_TYPE_OUTLET, f, tok, len);
			return false;
		}
		v->text = v->raw;
		break;
	case RULES_CELL:
		if (rv_parse_cell(tok, len, c->r->home_mcc, c->r->home_mnc,
				    c->r->cell_hex_default, &v->v.cell) < 0) {
			fail(c, RULES_E_TYPE_CELL, f, tok, len);
			return false;
		}
		break;
	}
	v->present = true;
	return true;
}

/* The field whose tag starts at @s, its tag length in *tl; -1 none. */
static int tag_at(const struct r_form *f, const char *s, size_t len, size_t *tl)
{
	size_t i, k, best = 0;
	int hit = -1;
	unsigned char b0 = (unsigned char) s[0];

	if (!len || !(f->tag_first[b0 >> 5] & (1u << (b0 & 31))))
		return -1;
	for (i = 0; i < f->n_fields; i++)
		for (k = 0; k < f->fields[i].n_tags; k++) {
			const char *t = f->fields[i].tags[k];
			size_t l;

			if (t[0] != s[0])
				continue;
			l = f->fields[i].tag_lens[k];
			if (l > best && kw_at(t, l, is_letter(t[l - 1]), s,
							len)) {
				best = l;
				hit = (int) i;
			}
		}
	*tl = best;
	return hit;
}

/*
 * End of a value starting at @s: the next space or the next tag; a text
 * field named by its tag runs up to the next word that starts with a
 * tag ("N shop closed C5").
 */
static size_t value_end(const struct pctx *c, const struct r_field *f,
		const char *s, size_t len, bool tags, bool by_tag)
{
	size_t i, tl;

	if (f->rest)
		return len;
	if (by_tag && f->type == RULES_TEXT) {
		for (i = 1; i < len; i++)
			if (s[i - 1] == ' ' && tag_at(c->form, s + i, len - i,
							       &tl) >= 0)
				return i - 1;
		return len;
	}
	if ((f->type == RULES_INT || f->type == RULES_DECIMAL) && tags) {
		size_t n = rv_number_prefix(s, len, &f->num);

		if (n && (n == len || s[n] == ' ' ||
					 tag_at(c->form, s + n, len - n, &tl) >=
							 0))
			return n;
	}
	for (i = 0; i < len && s[i] != ' '; i++)
		if (tags && i > 0 && ((unsigned char) s[i] & 0xC0) != 0x80 &&
				tag_at(c->form, s + i, len - i, &tl) >= 0 &&
				!(is_letter(s[i]) && is_letter(s[i - 1])))
			return i;
	return i;
}

static void parse_fields(struct pctx *c, const char *s, size_t len)
{
	const struct r_form *form = c->form;
	bool tags = form->syntax != SYN_POSITIONAL;
	size_t pos = 0, i;

	while (pos < len && !c->failed) {
		const struct r_field *f;
		size_t tl = 0, end;
		int fi;

		while (pos < len && s[pos] == ' ')
			pos++;
		if (pos >= len)
			break;
		fi = tags ? tag_at(form, s + pos, len - pos, &tl) : -1;
		if (fi >= 0) {
			f = &form->fields[fi];
			if (c->vals[fi].present) {
				fail(c, RULES_E_DUPLICATE, f, s + pos, tl);
				break;
			}
			pos += tl;
			while (pos < len && s[pos] == ' ')
				pos++;
			if (pos >= len) {
				fail(c, RULES_E_MISSING, f, NULL, 0);
				break;
			}
		} else {
			if (form->syntax == SYN_TAGGED) {
				end = value_end(c, &form->fields[0], s + pos,
						len - pos, false, false);
				fail(c, RULES_E_EXTRA, NULL, s + pos, end);
				break;
			}
			for (i = 0; i < form->n_fields; i++)
				if (!c->vals[i].present)
					break;
			if (i == form->n_fields) {
				end = value_end(c, &form->fields[0], s + pos,
						len - pos, false, false);
				fail(c, RULES_E_EXTRA, NULL, s + pos, end);
				break;
			}
			fi = (int) i;
			f = &form->fields[fi];
		}
		end = value_end(c, f, s + pos, len - pos, tags, fi >= 0 && tl);
		if (!parse_value(c, f, &c->vals[fi], s + pos, end))
			break;
		pos += end;
	}
}

static void apply_defaults_and_required(struct pctx *c)
{
	size_t i;

	for (i = 0; i < c->form->n_fields && !c->failed; i++) {
		const struct r_field *f = &c->form->fields[i];
		struct rules_value *v = &c->vals[i];

		if (v->present)
			continue;
		if (f->def) {
			parse_value(c, f, v, f->def, strlen(f->def));
			v->defaulted = true;
			continue;
		}
		if (f->required)
			fail(c, RULES_E_MISSING, f, NULL, 0);
	}
}

/* ---- periods ---------------------------------------------------------- */

/* "2026", "06": zero-padded decimal of @w digits, no printf. */
static char *dig(char *p, int v, int w)
{
	int i;

	for (i = w - 1; i >= 0; i--, v /= 10)
		p[i] = (char) ('0' + v % 10);
	return p + w;
}

static void set_period(
		struct pctx *c, const struct rules_time *t, int y, int m, int d)
{
	const struct r_form *f = c->form;
	struct rules_parsed *p = c->p;
	char buf[16], *q;
	int64_t days = r_days_from_civil(y, m, d), last = days, dl, sent;
	int wday = (int) ((days % 7 + 7 + 3) % 7); /* 0 = Monday */

	switch (f->period) {
	case PER_DAY:
		q = dig(buf, y, 4);
		*q++ = '-';
		q = dig(q, m, 2);
		*q++ = '-';
		*dig(q, d, 2) = '\0';
		break;
	case PER_WEEK: {
		int64_t thursday = days - wday + 3;
		int ty, tm, td;

		r_civil_from_days(thursday, &ty, &tm, &td);
		snprintf(buf, sizeof(buf), "%04d-W%02d", ty,
				(int) ((thursday - r_days_from_civil(
								   ty, 1, 1)) /
								7 +
						1));
		last = days - wday +
		       (f->deadline_wday < 0 ? 6 : (f->deadline_wday + 6) % 7);
		break;
	}
	case PER_MONTH:
		snprintf(buf, sizeof(buf), "%04d-%02d", y, m);
		last = r_days_from_civil(m == 12 ? y + 1 : y,
				       m == 12 ? 1 : m + 1, 1) -
		       1;
		break;
	case PER_EVENT:
		buf[0] = '\0';
		break;
	}
	p->period = r_strdup(c->a, buf);
	if (f->deadline_min >= 0 && f->period != PER_EVENT && t) {
		dl = last * 1440 + f->deadline_min;
		sent = r_days_from_civil(t->year, t->month, t->day) * 1440 +
		       t->hour * 60 + t->minute;
		p->late = sent > dl;
	}
}

/*
 * A leading period token ("昨天", "0531", "5月31日", "2026-05-31")
 * before the fields?  Only shapes that cannot be a value: words without
 * digits, 月, a full ISO date, or all digits when a value is still left
 * for every required field ("日报 0531 120 3500 8", not "日报 12.5").
 */
static size_t period_token(struct pctx *c, const char *s, size_t len, int *y,
		int *m, int *d)
{
	size_t tl = 0, n = 0, i, positional = 0, digits;

	if (c->form->period == PER_EVENT)
		return 0;
	while (tl < len && s[tl] != ' ')
		tl++;
	for (i = digits = 0; i < tl; i++)
		digits += is_digit(s[i]);
	/* cheap shape test first: most first values are plain numbers */
	if (!tl || (digits == tl && tl != 4 && tl != 8))
		return 0;
	if (rv_parse_date(s, tl, c->today->year, c->today->month, c->today->day,
			    y, m, d) < 0)
		return 0;
	for (i = 0; i < c->form->n_fields; i++)
		if (c->form->fields[i].type == RULES_DATE)
			return 0; /* the form has its own date field */
	if (!digits || memmem(s, tl, "月", 3) ||
			(tl == 10 && s[4] == '-' && s[7] == '-'))
		return tl;
	if (digits != tl)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == ' ')
			n++;
	for (i = 0; i < c->form->n_fields; i++)
		if (c->form->fields[i].required && !c->form->fields[i].rest)
			positional++;
	return n >= positional ? tl : 0;
}

static void parse_form(struct pctx *c, const char *s, size_t len)
{
	const struct r_form *form = c->form;
	struct rules_parsed *p = c->p;
	const struct rules_time *t = c->today;
	size_t i, pt;
	int y = t->year, m = t->month, d = t->day;

	c->vals = r_zalloc(c->a, (form->n_fields ? form->n_fields : 1) *
						 sizeof(*c->vals));
	if (!c->vals)
		return;
	for (i = 0; i < form->n_fields; i++) {
		c->vals[i].name = form->fields[i].name;
		c->vals[i].label = form->fields[i].label;
		c->vals[i].type = form->fields[i].type;
		c->vals[i].raw = "";
	}
	p->fields = c->vals;
	p->n_fields = form->n_fields;
	if (!len) {
		p->keyword_only = true;
		set_period(c, t, y, m, d);
		return;
	}
	pt = period_token(c, s, len, &y, &m, &d);
	if (pt) {
		p->period_explicit = true;
		s += pt;
		len -= pt;
	}
	parse_fields(c, s, len);
	apply_defaults_and_required(c);
	for (i = 0; i < form->n_fields && !p->period_explicit; i++)
		if (c->vals[i].present && c->vals[i].type == RULES_DATE &&
				!c->vals[i].defaulted) {
			p->period_explicit = true;
			y = c->vals[i].v.date.year;
			m = c->vals[i].v.date.month;
			d = c->vals[i].v.date.day;
		}
	set_period(c, t, y, m, d);
	if (c->failed)
		return;
	p->needs.what |= RULES_NEED_REF;
	if (form->resubmit != RESUB_KEEP_BOTH)
		p->needs.what |= RULES_NEED_PRIOR;
	if (form->n_history) {
		p->needs.what |= RULES_NEED_HISTORY;
		p->needs.history = form->history;
		p->needs.n_history = form->n_history;
	}
	for (i = 0; i < form->n_fields; i++) {
		if (!c->vals[i].present)
			continue;
		if (c->vals[i].type == RULES_OUTLET && !p->needs.outlet_code) {
			p->needs.what |= RULES_NEED_OUTLET;
			p->needs.outlet_code = c->vals[i].text;
		}
		if (c->vals[i].type == RULES_CELL &&
				!(p->needs.what & RULES_NEED_CELL)) {
			p->needs.what |= RULES_NEED_CELL;
			p->needs.cell = c->vals[i].v.cell;
		}
	}
}

static void parse_command(struct pctx *c, const struct r_command *cmd,
		const char *s, size_t len)
{
	struct rules_parsed *p = c->p;
	const char **refs;
	size_t pos = 0, n = 0, cap = 16;
	char buf[32];

	refs = r_alloc(c->a, cap * sizeof(*refs));
	if (!refs)
		return;
	while (pos < len) {
		size_t tl = 0;

		while (pos + tl < len && s[pos + tl] != ' ')
			tl++;
		if (n >= cap || rv_parse_ref(s + pos, tl, c->r->ref_prefix,
						c->r->ref_digits, buf,
						sizeof(buf)) < 0)
			break;
		refs[n++] = r_strdup(c->a, buf);
		pos += tl;
		while (pos < len && s[pos] == ' ')
			pos++;
	}
	p->refs = refs;
	p->n_refs = n;
	p->command_text = r_strndup(c->a, s + pos, len - pos);
	p->keyword_only = len == 0;
	if (cmd->cmd == RULES_CMD_UNDO) {
		p->needs.what |= RULES_NEED_LAST;
		return;
	}
	if (cmd->cmd == RULES_CMD_HELP)
		return;
	/* (supervisors issue) team, lookup and my need no reference */
	if (cmd->cmd == RULES_CMD_TEAM || cmd->cmd == RULES_CMD_MY) {
		p->needs.what |= cmd->cmd == RULES_CMD_TEAM ? RULES_NEED_TEAM
							    : RULES_NEED_SELF;
		return;
	}
	if (cmd->cmd == RULES_CMD_LOOKUP) {
		if (pos < len || n)
			p->needs.what |= RULES_NEED_PERSON;
		else
			fail(c, RULES_E_NEEDS_TEXT, NULL, NULL, 0);
		return;
	}
	if (cmd->needs_ref && !n)
		fail(c, RULES_E_NEEDS_REF, NULL, s, len);
	else if (cmd->needs_text && pos >= len)
		fail(c, RULES_E_NEEDS_TEXT, NULL, NULL, 0);
	else if (n)
		p->needs.what |= RULES_NEED_REPORTS;
}

int rules_parse(const struct rules *r, const struct rules_msg *msg,
		struct rules_parsed **ret_parsed)
{
	struct parsed_full *pf;
	struct rules_parsed *p;
	struct pctx c = {.r = r, .msg = msg};
	const struct r_keyword *k;
	char *norm;
	size_t cap, klen, msg_len;
	int nl;

	pf = malloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	memset(&pf->p, 0, sizeof(pf->p));
	memset(&pf->arena, 0, sizeof(pf->arena));
	pf->arena.inline_buf = pf->inline_buf;
	pf->arena.inline_size = sizeof(pf->inline_buf);
	p = &pf->p;
	c.p = p;
	c.a = &pf->arena;
	c.today = msg->sent.unix ? &msg->sent : &msg->received;
	p->command_text = "";
	p->period = "";
	if (!msg->text)
		msg_len = 0;
	else
		msg_len = msg->len;
	cap = 3 * msg_len + 1;
	norm = r_alloc(c.a, cap);
	if (!norm)
		goto oom;
	if (r->norm.fold_case) {
		/*
		 * Normalize keeping the case (text values are stored as
		 * typed), then fold a copy for matching: the same bytes at
		 * the same offsets but for a-z.
		 */
		char *unf = r_alloc(c.a, cap);
		int i;

		if (!unf)
			goto oom;
		nl = rt_normalize_with(msg->text ? msg->text : "", msg_len,
				&r->norm_keep_case_c, unf, cap);
		if (nl < 0)
			nl = (int) strlen(unf);
		for (i = 0; i <= nl; i++)
			norm[i] = unf[i] >= 'a' && unf[i] <= 'z'
						  ? (char) (unf[i] - 'a' + 'A')
						  : unf[i];
		c.unfolded = unf;
	} else {
		nl = rt_normalize_with(msg->text ? msg->text : "", msg_len,
				&r->norm_c, norm, cap);
		if (nl < 0)
			nl = (int) strlen(norm);
	}
	p->normalized = norm;
	c.norm = norm;
	c.norm_len = (size_t) nl;
	if (!msg->sender.role)
		fail(&c, RULES_E_UNKNOWN_SENDER, NULL, NULL, 0);
	k = nl ? match_keyword(r, norm, (size_t) nl, &p->fuzzy_keyword) : NULL;
	if (!k) {
		fail(&c, RULES_E_UNKNOWN_CODE, NULL, norm, (size_t) nl);
		goto done;
	}
	klen = p->fuzzy_keyword ? fuzzy_len(norm, (size_t) nl) : k->len;
	p->keyword = r_strndup(c.a, norm, klen);
	klen += klen < (size_t) nl && norm[klen] == ' ';
	if (k->kind == KW_FORM) {
		c.form = &r->forms[k->index];
		p->kind = RULES_KIND_FORM;
		p->form_id = c.form->id;
		if (!c.failed &&
				!r_role_may(r, c.form->roles, msg->sender.role))
			fail(&c, RULES_E_NOT_ALLOWED, NULL, NULL, 0);
		if (!c.failed)
			parse_form(&c, norm + klen, (size_t) nl - klen);
	} else {
		const struct r_command *cmd = &r->commands[k->index];

		p->kind = RULES_KIND_COMMAND;
		p->command = cmd->cmd;
		if (!c.failed && !r_role_may(r, cmd->roles, msg->sender.role))
			fail(&c, RULES_E_NOT_ALLOWED, NULL, NULL, 0);
		if (!c.failed)
			parse_command(&c, cmd, norm + klen, (size_t) nl - klen);
	}
done:
	if (c.failed)
		p->needs.what = 0;
	*ret_parsed = p;
	return 0;
oom:
	r_arena_free(&pf->arena);
	free(pf);
	return -ENOMEM;
}

void rules_parsed_free(struct rules_parsed *parsed)
{
	struct parsed_full *pf = (struct parsed_full *) parsed;

	if (!parsed)
		return;
	r_arena_free(&pf->arena);
	free(pf);
}
