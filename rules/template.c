/*
 * rules/template.c - {{name}} templates: compiled once at load (unknown
 * names are load errors), rendered per message or with worst-case values
 * when the loader counts segments.  Plain substitution, nothing runs.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rules/rules_int.h"

/*
 * The worst character a rep can type: outside the BMP, so it costs two
 * UCS-2 units (and forces UCS-2 for the whole reply).
 */
#define WORST_CHAR "\xF0\x9F\x98\x80" /* U+1F600 */

/* Worst-case lengths of what the database supplies (characters). */
#define WORST_NAME 6
#define WORST_OUTLET 12

static const struct {
	const char *name;
	enum r_ph kind;
} names[] = {
		{"label", PH_LABEL},
		{"raw", PH_RAW},
		{"min", PH_MIN},
		{"max", PH_MAX},
		{"max_chars", PH_MAX_CHARS},
		{"ref", PH_REF},
		{"date", PH_DATE},
		{"time", PH_TIME},
		{"week", PH_WEEK},
		{"month", PH_MONTH},
		{"day", PH_DAY},
		{"period", PH_PERIOD},
		{"format", PH_FORMAT},
		{"codes", PH_CODES},
		{"title", PH_TITLE},
		{"keyword", PH_KEYWORD},
		{"fields", PH_FIELDS},
		{"rep.name", PH_REP_NAME},
		{"rep.phone", PH_REP_PHONE},
		{"rep.territory", PH_REP_TERRITORY},
		{"outlet.name", PH_OUTLET_NAME},
		{"outlet.code", PH_OUTLET_CODE},
		{"outlet.territory", PH_OUTLET_TERRITORY},
		{"window", PH_WINDOW},
		{"errors", PH_ERRORS},
		{"file", PH_FILE},
		{"count", PH_COUNT},
		{"verdict", PH_VERDICT},
		{"distance", PH_DISTANCE},
		{"note", PH_NOTE},
};

int r_tmpl_compile(struct r_arena *a, const struct r_form *form,
		const char *src, struct r_tmpl *t, char *bad, size_t bad_size)
{
	struct r_piece pieces[128];
	size_t n = 0, i;
	const char *p = src;

	t->src = src;
	while (*p) {
		const char *open = strstr(p, "{{"), *close;
		size_t nl;

		if (!open)
			open = p + strlen(p);
		if (open > p) {
			if (n >= 128)
				goto too_many;
			pieces[n].kind = PH_LITERAL;
			pieces[n].text = p;
			pieces[n].len = (size_t) (open - p);
			pieces[n++].field = -1;
		}
		if (!*open)
			break;
		close = strstr(open + 2, "}}");
		if (!close) {
			snprintf(bad, bad_size, "%s", open);
			return -EBADMSG;
		}
		nl = (size_t) (close - open - 2);
		if (n >= 128)
			goto too_many;
		pieces[n].text = NULL;
		pieces[n].len = 0;
		pieces[n].field = -1;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == nl &&
					!memcmp(names[i].name, open + 2, nl))
				break;
		if (i < sizeof(names) / sizeof(names[0])) {
			pieces[n].kind = names[i].kind;
		} else {
			size_t k;

			for (k = 0; form && k < form->n_fields; k++)
				if (strlen(form->fields[k].name) == nl &&
						!memcmp(form->fields[k].name,
								open + 2, nl))
					break;
			if (!form || k == form->n_fields) {
				snprintf(bad, bad_size, "%.*s", (int) nl,
						open + 2);
				return -EINVAL;
			}
			pieces[n].kind = PH_FIELD;
			pieces[n].field = (int) k;
		}
		n++;
		p = close + 2;
	}
	t->p = r_alloc(a, (n ? n : 1) * sizeof(*t->p));
	if (!t->p)
		return -ENOMEM;
	memcpy(t->p, pieces, n * sizeof(*t->p));
	t->n = n;
	return 0;
too_many:
	snprintf(bad, bad_size, "(more than 128 pieces)");
	return -EINVAL;
}

/* Copies @s into @d (@n bytes), cut to fit; returns the length. */
static int scpy(char *d, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len >= n)
		len = n - 1;
	memcpy(d, s, len);
	d[len] = '\0';
	return (int) len;
}

/* Writes @v in decimal; returns the length. */
static int itoa_(char *d, size_t n, long long v)
{
	char tmp[24];
	unsigned long long u = v < 0 ? 0ull - (unsigned long long) v
				     : (unsigned long long) v;
	int k = 0, len = 0;

	do
		tmp[k++] = (char) ('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		tmp[k++] = '-';
	while (k && (size_t) len + 1 < n)
		d[len++] = tmp[--k];
	d[len] = '\0';
	return len;
}

/* Appends @len bytes, never cutting a UTF-8 character. */
static size_t put(char *buf, size_t o, size_t size, const char *s, size_t len)
{
	if (o + len + 1 > size) {
		len = size - 1 - o;
		while (len && ((unsigned char) s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(buf + o, s, len);
	o += len;
	buf[o] = '\0';
	return o;
}

static size_t puts_(char *buf, size_t o, size_t size, const char *s)
{
	return put(buf, o, size, s, strlen(s));
}

static size_t repeat(char *buf, size_t o, size_t size, const char *s, int n)
{
	while (n-- > 0)
		o = puts_(buf, o, size, s);
	return o;
}

static size_t fmt_units(int64_t u, int scale, char *buf, size_t size)
{
	int64_t div = 1, ip, fp;
	int i, digits = scale;
	bool neg = u < 0;

	for (i = 0; i < scale; i++)
		div *= 10;
	if (neg)
		u = -u;
	ip = u / div;
	fp = u % div;
	/* trailing zeros of the fraction are not shown: 3500, 3.5 */
	while (digits > 0 && fp % 10 == 0) {
		fp /= 10;
		digits--;
	}
	if (digits)
		return (size_t) snprintf(buf, size, "%s%lld.%0*lld",
				neg ? "-" : "", (long long) ip, digits,
				(long long) fp);
	return (size_t) itoa_(
			buf, size, neg ? -(long long) ip : (long long) ip);
}

size_t r_fmt_value(const struct rules *r, const struct rules_value *v,
		const struct r_field *f, char *buf, size_t size)
{
	size_t i;
	int n = 0;

	buf[0] = '\0';
	if (!v->present)
		return 0;
	switch (v->type) {
	case RULES_INT:
		n = itoa_(buf, size, (long long) v->v.i);
		break;
	case RULES_DECIMAL:
		n = (int) fmt_units(v->v.dec.units, v->v.dec.scale, buf, size);
		break;
	case RULES_ENUM:
		for (i = 0; f && f->list && i < f->list->n_items; i++)
			if (!strcmp(f->list->items[i].v, v->text))
				return (size_t) scpy(buf, size,
						f->list->items[i].say);
		n = scpy(buf, size, v->text);
		break;
	case RULES_DATE:
		n = snprintf(buf, size, "%02d-%02d", v->v.date.month,
				v->v.date.day);
		break;
	case RULES_TIME:
		n = snprintf(buf, size, "%02d:%02d", v->v.time.hour,
				v->v.time.minute);
		break;
	case RULES_BOOL:
		n = scpy(buf, size, v->v.i ? r->yes_text : r->no_text);
		break;
	case RULES_CELL:
		n = snprintf(buf, size, "%03d-%0*d-%X-%X", v->v.cell.mcc,
				v->v.cell.mnc_3digits ? 3 : 2, v->v.cell.mnc,
				v->v.cell.lac, v->v.cell.cid);
		break;
	case RULES_TEXT:
	case RULES_PHONE:
	case RULES_OUTLET:
		n = scpy(buf, size, v->text ? v->text : "");
		break;
	}
	if (n < 0)
		return 0;
	return (size_t) n < size ? (size_t) n : size - 1;
}

size_t r_worst_value(const struct rules *r, const struct r_field *f, char *buf,
		size_t size)
{
	char a[32], b[32];
	size_t o = 0, i, best = 0;

	buf[0] = '\0';
	switch (f->type) {
	case RULES_INT:
	case RULES_DECIMAL:
		if (!f->has_min && !f->has_max)
			return (size_t) snprintf(
					buf, size, "%s", "-9999999999");
		fmt_units(f->has_min ? f->min : 0, f->scale, a, sizeof(a));
		fmt_units(f->has_max ? f->max : 999999999, f->scale, b,
				sizeof(b));
		/* a fraction may be typed up to scale digits */
		o = (size_t) snprintf(
				buf, size, "%s", strlen(a) > strlen(b) ? a : b);
		if (f->scale && !strchr(buf, '.'))
			o += (size_t) snprintf(buf + o, size - o, ".%0*d",
					f->scale, 0);
		return o;
	case RULES_ENUM:
		for (i = 0; f->list && i < f->list->n_items; i++)
			if (strlen(f->list->items[i].say) >= best) {
				best = strlen(f->list->items[i].say);
				o = (size_t) scpy(buf, size,
						f->list->items[i].say);
			}
		return o;
	case RULES_TEXT:
		return repeat(buf, 0, size, WORST_CHAR, f->max_chars);
	case RULES_DATE:
		return puts_(buf, 0, size, "12-31");
	case RULES_TIME:
		return puts_(buf, 0, size, "23:59");
	case RULES_PHONE:
		return puts_(buf, 0, size, "+861380000000000");
	case RULES_BOOL:
		return puts_(buf, 0, size,
				strlen(r->yes_text) > strlen(r->no_text)
						? r->yes_text
						: r->no_text);
	case RULES_OUTLET:
		return puts_(buf, 0, size, "WWWWWWWWWWWWWWWW");
	case RULES_CELL:
		return puts_(buf, 0, size, "460-000-FFFFFF-FFFFFFF");
	}
	return 0;
}

static const struct r_field *err_field(const struct r_render *rc)
{
	size_t i;
	const char *name = rc->parsed ? rc->parsed->error_field : NULL;

	if (!rc->form)
		return NULL;
	if (rc->worst && rc->worst_field)
		return rc->worst_field;
	if (rc->worst) {
		/* the field with the longest label */
		const struct r_field *best = NULL;

		for (i = 0; i < rc->form->n_fields; i++)
			if (!best || strlen(rc->form->fields[i].label) >
							strlen(best->label))
				best = &rc->form->fields[i];
		return best;
	}
	for (i = 0; name && i < rc->form->n_fields; i++)
		if (!strcmp(rc->form->fields[i].name, name))
			return &rc->form->fields[i];
	return NULL;
}

static const struct rules_time *msg_time(const struct r_render *rc)
{
	if (!rc->msg)
		return NULL;
	return rc->msg->sent.unix ? &rc->msg->sent : &rc->msg->received;
}

static int iso_week(int y, int m, int d)
{
	int64_t days = r_days_from_civil(y, m, d);
	int wday = (int) ((days % 7 + 7 + 3) % 7); /* 0 = Monday */
	int64_t thursday = days - wday + 3;
	int ty, tm, td;

	r_civil_from_days(thursday, &ty, &tm, &td);
	return (int) ((thursday - r_days_from_civil(ty, 1, 1)) / 7 + 1);
}

static size_t fields_echo(
		const struct r_render *rc, char *buf, size_t o, size_t size)
{
	char v[256];
	size_t i;
	bool first = true;

	if (!rc->form)
		return o;
	for (i = 0; i < rc->form->n_fields; i++) {
		const struct r_field *f = &rc->form->fields[i];

		if (rc->worst)
			r_worst_value(rc->rules, f, v, sizeof(v));
		else if (rc->parsed && i < rc->parsed->n_fields &&
				rc->parsed->fields[i].present)
			r_fmt_value(rc->rules, &rc->parsed->fields[i], f, v,
					sizeof(v));
		else
			continue;
		if (!first)
			o = puts_(buf, o, size, " ");
		first = false;
		o = puts_(buf, o, size, f->label);
		o = puts_(buf, o, size, v);
		if (f->unit)
			o = puts_(buf, o, size, f->unit);
	}
	return o;
}

static size_t outlet_part(const struct r_render *rc, int which, char *buf,
		size_t o, size_t size)
{
	const struct rules_facts *fa = rc->facts;
	const char *code = rc->parsed ? rc->parsed->needs.outlet_code : NULL;

	if (rc->worst)
		return which == 1 ? repeat(buf, o, size, "W", 16)
				  : repeat(buf, o, size, "中", WORST_OUTLET);
	if (which == 1)
		return puts_(buf, o, size, code ? code : "-");
	if (!fa || fa->outlet_status == RULES_FACT_UNCHECKED)
		return puts_(buf, o, size, rc->rules->unchecked);
	if (fa->outlet_status == RULES_FACT_NOT_FOUND)
		return puts_(buf, o, size, code ? code : "-");
	if (which == 0)
		return puts_(buf, o, size,
				fa->outlet.name ? fa->outlet.name : "-");
	return puts_(buf, o, size,
			fa->outlet.territory ? fa->outlet.territory : "-");
}

/* "3.2km" (one decimal from 1 km up), "800m"; "" unknown or inside. */
static void distance_text(const struct r_render *rc, char *tmp, size_t size)
{
	const struct rules_facts *fa = rc->facts;
	int64_t m = rc->worst ? 20037509 : fa ? fa->distance_m : -1;

	tmp[0] = '\0';
	if (m <= 0 || (!rc->worst && (!fa->verdict || strcmp(fa->verdict,
								      "outsid"
								      "e"))))
		return;
	if (m < 1000)
		snprintf(tmp, size, "%dm", (int) m);
	else
		snprintf(tmp, size, "%d.%dkm", (int) (m / 1000),
				(int) (m % 1000 / 100));
}

/*
 * {{note}}: settings.texts.outside when the verdict is outside,
 * texts.unknown_cell when the cell is unknown, else nothing.  Worst
 * case: the longer of the two.  The notes may not contain {{note}}
 * (the loader refuses it, and a note inside a note shows nothing).
 */
static size_t note(const struct r_render *rc, char *buf, size_t o, size_t size)
{
	const struct rules *r = rc->rules;
	const struct rules_facts *fa = rc->facts;
	const struct r_tmpl *t = NULL;
	struct r_render inner = *rc;

	if (rc->in_note)
		return o; /* refused at load; never recurse */
	inner.in_note = true;
	if (rc->worst) {
		char a[512], b[512];
		size_t la = r_render(&inner, &r->t_outside, a, 0, sizeof(a));
		size_t lb = r_render(
				&inner, &r->t_unknown_cell, b, 0, sizeof(b));

		return puts_(buf, o, size, la >= lb ? a : b);
	}
	if (!fa || !fa->verdict)
		return o;
	if (!strcmp(fa->verdict, "outside"))
		t = &r->t_outside;
	else if (!strcmp(fa->verdict, "unknown_cell"))
		t = &r->t_unknown_cell;
	if (!t || !t->src)
		return o;
	return r_render(&inner, t, buf, o, size);
}

static size_t period_date(const struct r_render *rc, int *y, int *m, int *d)
{
	const struct rules_time *t = msg_time(rc);
	const char *p = rc->parsed ? rc->parsed->period : NULL;

	if (p && strlen(p) == 10 && sscanf(p, "%d-%d-%d", y, m, d) == 3)
		return 1;
	if (t) {
		*y = t->year;
		*m = t->month;
		*d = t->day;
		return 1;
	}
	*y = 2026;
	*m = 12;
	*d = 31;
	return 0;
}

size_t r_render(const struct r_render *rc, const struct r_tmpl *t, char *buf,
		size_t o, size_t size)
{
	char tmp[512];
	size_t i;

	if (!size)
		return 0;
	buf[o < size ? o : size - 1] = '\0';
	if (!t->src)
		return o;
	for (i = 0; i < t->n; i++) {
		const struct r_piece *p = &t->p[i];
		const struct r_field *ef;
		const struct rules_time *mt = msg_time(rc);
		int y, m, d;

		tmp[0] = '\0';
		switch (p->kind) {
		case PH_LITERAL:
			o = put(buf, o, size, p->text, p->len);
			continue;
		case PH_FIELD: {
			const struct r_field *f = &rc->form->fields[p->field];

			if (rc->worst)
				r_worst_value(rc->rules, f, tmp, sizeof(tmp));
			else if (rc->parsed &&
					(size_t) p->field <
							rc->parsed->n_fields &&
					rc->parsed->fields[p->field].present)
				r_fmt_value(rc->rules,
						&rc->parsed->fields[p->field],
						f, tmp, sizeof(tmp));
			else
				snprintf(tmp, sizeof(tmp), "-");
			break;
		}
		case PH_LABEL:
			ef = err_field(rc);
			scpy(tmp, sizeof(tmp), ef ? ef->label : "");
			break;
		case PH_RAW: {
			/* a number out of range is digits or numerals: 12 of
			 * them; anything else at most 8 characters, then "…" */
			enum rules_error e = rc->worst	  ? rc->worst_error
					     : rc->parsed ? rc->parsed->error
							  : RULES_E_NONE;
			size_t limit = e == RULES_E_RANGE ? 12 : 8;

			if (rc->worst) {
				repeat(tmp, 0, sizeof(tmp),
						e == RULES_E_RANGE ? "中"
								   : WORST_CHAR,
						(int) limit);
				puts_(tmp, strlen(tmp), sizeof(tmp), "…");
			} else if (rc->parsed && rc->parsed->error_token) {
				const char *s = rc->parsed->error_token;
				size_t len = strlen(s), k = 0, chars = 0;

				while (k < len && chars < limit) {
					k++;
					while (k < len &&
							((unsigned char) s[k] &
									0xC0) ==
									0x80)
						k++;
					chars++;
				}
				put(tmp, 0, sizeof(tmp), s, k);
				if (k < len)
					puts_(tmp, k, sizeof(tmp), "…");
			}
			break;
		}
		case PH_MIN:
		case PH_MAX:
			ef = err_field(rc);
			if (ef && ef->type == RULES_TEXT)
				snprintf(tmp, sizeof(tmp), "%d",
						p->kind == PH_MAX
								? ef->max_chars
								: 0);
			else if (ef && (p->kind == PH_MIN ? ef->has_min
							  : ef->has_max))
				fmt_units(p->kind == PH_MIN ? ef->min : ef->max,
						ef->scale, tmp, sizeof(tmp));
			else
				snprintf(tmp, sizeof(tmp), "-");
			break;
		case PH_MAX_CHARS:
			ef = err_field(rc);
			snprintf(tmp, sizeof(tmp), "%d",
					ef ? ef->max_chars : 0);
			break;
		case PH_REF:
			if (rc->worst)
				snprintf(tmp, sizeof(tmp), "%s%0*d",
						rc->rules->ref_prefix,
						rc->rules->ref_digits, 0);
			else
				scpy(tmp, sizeof(tmp),
						rc->ref ? rc->ref
							: rc->rules->unchecked);
			break;
		case PH_DATE:
			period_date(rc, &y, &m, &d);
			snprintf(tmp, sizeof(tmp), "%02d-%02d", m, d);
			break;
		case PH_MONTH:
			period_date(rc, &y, &m, &d);
			snprintf(tmp, sizeof(tmp), "%d", rc->worst ? 12 : m);
			break;
		case PH_DAY:
			period_date(rc, &y, &m, &d);
			snprintf(tmp, sizeof(tmp), "%d", rc->worst ? 31 : d);
			break;
		case PH_WEEK:
			period_date(rc, &y, &m, &d);
			snprintf(tmp, sizeof(tmp), "%d",
					rc->worst ? 53 : iso_week(y, m, d));
			break;
		case PH_TIME:
			if (mt && !rc->worst)
				snprintf(tmp, sizeof(tmp), "%02d:%02d",
						mt->hour, mt->minute);
			else
				snprintf(tmp, sizeof(tmp), "23:59");
			break;
		case PH_PERIOD:
			scpy(tmp, sizeof(tmp),
					rc->worst ? "2026-W53"
					: rc->parsed && rc->parsed->period
							? rc->parsed->period
							: "");
			break;
		case PH_FORMAT:
			scpy(tmp, sizeof(tmp),
					rc->form ? rc->form->format
					: rc->command && rc->command->n_keywords
							? rc->command->keywords_raw
									  [0]
							: "");
			break;
		case PH_CODES:
			if (rc->codes)
				scpy(tmp, sizeof(tmp), rc->codes);
			break;
		case PH_TITLE:
			scpy(tmp, sizeof(tmp),
					rc->form      ? rc->form->title
					: rc->command ? rc->command->title
						      : "");
			break;
		case PH_KEYWORD:
			scpy(tmp, sizeof(tmp),
					rc->parsed && rc->parsed->keyword
							? rc->parsed->keyword
					: rc->form ? rc->form->keywords_raw[0]
						   : "");
			break;
		case PH_FIELDS:
			o = fields_echo(rc, buf, o, size);
			continue;
		case PH_REP_NAME:
			if (rc->worst)
				repeat(tmp, 0, sizeof(tmp), "中", WORST_NAME);
			else if (rc->msg)
				scpy(tmp, sizeof(tmp),
						rc->msg->sender.name
								? rc->msg->sender.name
						: rc->msg->sender.phone
								? rc->msg->sender.phone
								: "-");
			break;
		case PH_REP_PHONE:
			scpy(tmp, sizeof(tmp),
					rc->worst ? "+8613800000000"
					: rc->msg && rc->msg->sender.phone
							? rc->msg->sender.phone
							: "-");
			break;
		case PH_REP_TERRITORY:
			if (rc->worst)
				repeat(tmp, 0, sizeof(tmp), "中", WORST_NAME);
			else
				scpy(tmp, sizeof(tmp),
						rc->msg && rc->msg->sender.territory
								? rc->msg->sender.territory
								: "-");
			break;
		case PH_OUTLET_NAME:
			o = outlet_part(rc, 0, buf, o, size);
			continue;
		case PH_OUTLET_CODE:
			o = outlet_part(rc, 1, buf, o, size);
			continue;
		case PH_OUTLET_TERRITORY:
			o = outlet_part(rc, 2, buf, o, size);
			continue;
		case PH_WINDOW:
			snprintf(tmp, sizeof(tmp), "%d",
					rc->rules->commands[RULES_CMD_UNDO]
									.window_s /
							60);
			break;
		case PH_ERRORS:
			scpy(tmp, sizeof(tmp), rc->errors ? rc->errors : "");
			break;
		case PH_FILE: {
			const char *b = strrchr(rc->rules->path, '/');

			scpy(tmp, sizeof(tmp), b ? b + 1 : rc->rules->path);
			break;
		}
		case PH_COUNT:
			scpy(tmp, sizeof(tmp), "1");
			break;
		case PH_VERDICT:
			scpy(tmp, sizeof(tmp),
					rc->worst ? "unknown_outlet"
					: rc->facts && rc->facts->verdict
							? rc->facts->verdict
							: rc->rules->unchecked);
			break;
		case PH_DISTANCE:
			distance_text(rc, tmp, sizeof(tmp));
			break;
		case PH_NOTE:
			o = note(rc, buf, o, size);
			continue;
		}
		o = puts_(buf, o, size, tmp);
	}
	return o;
}

size_t r_codes(const struct rules *r, const char *role, char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < r->n_forms; i++)
		if (r_role_may(r, r->forms[i].roles, role)) {
			if (o)
				o = puts_(buf, o, size, " ");
			o = puts_(buf, o, size, r->forms[i].keywords_raw[0]);
		}
	for (i = 1; i < R_N_COMMANDS; i++) {
		const struct r_command *c = &r->commands[i];

		if (c->defined && c->n_keywords &&
				r_role_may(r, c->roles, role)) {
			if (o)
				o = puts_(buf, o, size, " ");
			o = puts_(buf, o, size, c->keywords_raw[0]);
		}
	}
	return o;
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t r_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void r_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = (int) (yoe + era * 400 + (*m <= 2));
}

void r_time_fill(struct rules_time *t)
{
	int64_t days = r_days_from_civil(t->year, t->month, t->day);

	t->wday = (int) ((days % 7 + 7 + 4) % 7); /* 1970-01-01: Thu */
	t->unix = days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;
}

/* "2026-06-01 10:00" or "2026-06-01T10:00[:SS]" */
int r_time_parse(const char *s, struct rules_time *t)
{
	int n = 0;

	memset(t, 0, sizeof(*t));
	if (sscanf(s, "%4d-%2d-%2d%*1[ T]%2d:%2d%n", &t->year, &t->month,
			    &t->day, &t->hour, &t->minute, &n) != 5)
		return -EINVAL;
	if (s[n] == ':' && sscanf(s + n, ":%2d", &t->second) != 1)
		return -EINVAL;
	if (t->month < 1 || t->month > 12 || t->day < 1 || t->day > 31 ||
			t->hour > 23 || t->minute > 59 || t->second > 59)
		return -EINVAL;
	r_time_fill(t);
	return 0;
}

const char *r_codes_of(const struct rules *r, const char *role)
{
	int i = r_role_index(r, role);

	return i >= 0 && r->codes[i] ? r->codes[i] : "";
}
