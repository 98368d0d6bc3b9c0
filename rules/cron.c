/*
 * rules/cron.c - cron expression parser and fire-time search (cron.h).
 *
 * The search walks wall-clock days and minutes in the zone and converts
 * each candidate with tz_local_to_utc(); DST is therefore handled in one
 * place (tz.c), and the candidates' instants never go backwards.
 */
#include "rules/cron.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Search horizon: Feb 29 on a Monday may be 28 years away. */
#define CRON_HORIZON_DAYS (30 * 366)

struct field_spec {
	const char *name;
	int lo, hi;
};

static const struct field_spec specs[5] = {
		{"minute", 0, 59},
		{"hour", 0, 23},
		{"day-of-month", 1, 31},
		{"month", 1, 12},
		{"day-of-week", 0, 7},
};

static const char *const month_names[12] = {"jan", "feb", "mar", "apr", "may",
		"jun", "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const wday_names[7] = {
		"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

int cron_format_error(const struct cron_error *err, char *buf, size_t size)
{
	int n;

	if (err->field == CRON_FIELD_NONE && !err->token[0])
		n = snprintf(buf, size, "%s", err->reason ? err->reason : "?");
	else
		n = snprintf(buf, size, "%s \"%s\": %s",
				cron_field_name(err->field), err->token,
				err->reason ? err->reason : "?");
	return n < 0 ? -EINVAL : n;
}

size_t cron_sort_days(int32_t *days, size_t n)
{
	size_t i, j, out = 0;

	for (i = 1; i < n; i++) {
		int32_t k = days[i];

		for (j = i; j > 0 && days[j - 1] > k; j--)
			days[j] = days[j - 1];
		days[j] = k;
	}
	for (i = 0; i < n; i++)
		if (out == 0 || days[out - 1] != days[i])
			days[out++] = days[i];
	return out;
}

const char *cron_field_name(enum cron_field field)
{
	if (field >= CRON_FIELD_MINUTE && field <= CRON_FIELD_WDAY)
		return specs[field].name;
	return "expression";
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

static int set_err(struct cron_error *err, enum cron_field f, const char *s,
		const char *tok, size_t toklen, const char *reason)
{
	if (err) {
		err->field = f;
		err->offset = tok ? (size_t) (tok - s) : 0;
		if (toklen >= sizeof(err->token))
			toklen = sizeof(err->token) - 1;
		if (tok)
			memcpy(err->token, tok, toklen);
		err->token[tok ? toklen : 0] = '\0';
		err->reason = reason;
	}
	return -EINVAL;
}

struct pctx {
	const char *s; /* whole expression, for offsets */
	struct cron_error *err;
	enum cron_field f;
};

/*
 * One value at *pp (number or, for month/day-of-week, a name).
 * @range_end: a name "sun" at the end of a range means 7.
 */
static int parse_value(struct pctx *c, const char **pp, const char *end,
		bool range_end, int *ret)
{
	const char *p = *pp, *tok = p;
	const struct field_spec *sp = &specs[c->f];
	long v = 0;

	if (p < end && *p >= '0' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9') {
			if (v < 100000)
				v = v * 10 + (*p - '0');
			p++;
		}
		if (v < sp->lo || v > sp->hi) {
			static const char *const why[5] = {
					"value out of range 0-59",
					"value out of range 0-23",
					"value out of range 1-31",
					"value out of range 1-12",
					"value out of range 0-7"};

			return set_err(c->err, c->f, c->s, tok,
					(size_t) (p - tok), why[c->f]);
		}
		*ret = (int) v;
		*pp = p;
		return 0;
	}
	if (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
		const char *const *names = NULL;
		int n = 0, i, base = 0;

		while (p < end && ((*p >= 'a' && *p <= 'z') ||
						  (*p >= 'A' && *p <= 'Z')))
			p++;
		if (c->f == CRON_FIELD_MONTH) {
			names = month_names;
			n = 12;
			base = 1;
		} else if (c->f == CRON_FIELD_WDAY) {
			names = wday_names;
			n = 7;
		} else {
			return set_err(c->err, c->f, c->s, tok,
					(size_t) (p - tok),
					"names are allowed only in month and "
					"day-of-week");
		}
		if (p - tok == 3) {
			for (i = 0; i < n; i++) {
				if (lower(tok[0]) == names[i][0] &&
						lower(tok[1]) == names[i][1] &&
						lower(tok[2]) == names[i][2]) {
					*ret = i + base;
					if (range_end &&
							c->f == CRON_FIELD_WDAY &&
							i == 0)
						*ret = 7;
					*pp = p;
					return 0;
				}
			}
		}
		return set_err(c->err, c->f, c->s, tok, (size_t) (p - tok),
				c->f == CRON_FIELD_MONTH ? "unknown month name "
							   "(jan..dec)"
							 : "unknown day name "
							   "(sun..sat)");
	}
	while (p < end && *p != ',' && *p != '-' && *p != '/')
		p++;
	if (p == tok)
		p = tok < end ? tok + 1 : tok;
	return set_err(c->err, c->f, c->s, tok, (size_t) (p - tok),
			tok == end || *tok == ',' || *tok == '-' || *tok == '/'
					? "missing value"
					: "not a number or name");
}

/* One comma-separated item [tok, end) into *mask. */
static int parse_item(struct pctx *c, const char *tok, const char *end,
		uint64_t *mask)
{
	const struct field_spec *sp = &specs[c->f];
	const char *p = tok;
	int a, b, step = 1, v, rc;
	bool star = false;

	if (p == end)
		return set_err(c->err, c->f, c->s, tok, 0, "empty list item");
	if (*p == '*') {
		star = true;
		a = sp->lo;
		b = c->f == CRON_FIELD_WDAY ? 6 : sp->hi;
		p++;
	} else {
		rc = parse_value(c, &p, end, false, &a);
		if (rc < 0)
			return rc;
		b = a;
		if (p < end && *p == '-') {
			p++;
			rc = parse_value(c, &p, end, true, &b);
			if (rc < 0)
				return rc;
			if (b < a)
				return set_err(c->err, c->f, c->s, tok,
						(size_t) (p - tok),
						"range start is after its end");
		}
	}
	if (p < end && *p == '/') {
		const char *st = ++p;
		long n = 0;

		while (p < end && *p >= '0' && *p <= '9') {
			if (n < 100000)
				n = n * 10 + (*p - '0');
			p++;
		}
		if (p == st || p != end)
			return set_err(c->err, c->f, c->s, tok,
					(size_t) (end - tok),
					"step must be a number");
		if (n < 1 || n > sp->hi - sp->lo + 1)
			return set_err(c->err, c->f, c->s, st,
					(size_t) (p - st),
					"step out of range for this field");
		step = (int) n;
		/* "5/10": from 5 to the end of the field. */
		if (!star && a == b)
			b = c->f == CRON_FIELD_WDAY ? 6 : sp->hi;
	}
	if (p != end)
		return set_err(c->err, c->f, c->s, tok, (size_t) (end - tok),
				star ? "unexpected text after '*'"
				     : "unexpected text after value");
	for (v = a; v <= b; v += step)
		*mask |= (uint64_t) 1
			 << (c->f == CRON_FIELD_WDAY && v == 7 ? 0 : v);
	return 0;
}

static int parse_field(struct pctx *c, const char *tok, const char *end,
		uint64_t *mask)
{
	const char *p = tok;
	int rc;

	*mask = 0;
	for (;;) {
		const char *q = p;

		while (q < end && *q != ',')
			q++;
		rc = parse_item(c, p, q, mask);
		if (rc < 0)
			return rc;
		if (q == end)
			return 0;
		p = q + 1;
	}
}

static const struct {
	const char *name;
	const char *expr;
} macros[] = {
		{"@yearly", "0 0 1 1 *"},
		{"@annually", "0 0 1 1 *"},
		{"@monthly", "0 0 1 * *"},
		{"@weekly", "0 0 * * 0"},
		{"@daily", "0 0 * * *"},
		{"@midnight", "0 0 * * *"},
		{"@hourly", "0 * * * *"},
};

/* Some day of the mask occurs in some month of the mask. */
static bool mday_feasible(const struct cron_expr *e)
{
	static const int maxd[13] = {
			0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int m, d;

	for (m = 1; m <= 12; m++) {
		if (!(e->month & (1u << m)))
			continue;
		for (d = 1; d <= maxd[m]; d++)
			if (e->mday & (1u << d))
				return true;
	}
	return false;
}

int cron_parse(const char *s, struct cron_expr *out, struct cron_error *err)
{
	struct pctx c = {s, err, CRON_FIELD_NONE};
	const char *p = s, *tok[6], *tend[6];
	uint64_t mask[5];
	int n = 0;
	size_t i;

	if (err)
		memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	while (is_space(*p))
		p++;
	if (*p == '@') {
		const char *q = p;

		while (*q && !is_space(*q))
			q++;
		for (i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
			const char *r = q;

			if (strlen(macros[i].name) != (size_t) (q - p) ||
					strncmp(p, macros[i].name,
							(size_t) (q - p)) != 0)
				continue;
			while (is_space(*r))
				r++;
			if (*r)
				return set_err(err, CRON_FIELD_NONE, s, r,
						strlen(r),
						"unexpected text after macro");
			return cron_parse(macros[i].expr, out, err);
		}
		return set_err(err, CRON_FIELD_NONE, s, p, (size_t) (q - p),
				"unknown macro (@yearly, @monthly, @weekly, "
				"@daily, @hourly)");
	}
	while (*p) {
		const char *q = p;

		while (*q && !is_space(*q))
			q++;
		if (n == 5)
			return set_err(err, CRON_FIELD_NONE, s, p,
					(size_t) (q - p),
					"more than 5 fields (minute hour "
					"day-of-month month day-of-week)");
		tok[n] = p;
		tend[n++] = q;
		p = q;
		while (is_space(*p))
			p++;
	}
	if (n < 5)
		return set_err(err, CRON_FIELD_NONE, s, NULL, 0,
				n == 0 ? "empty expression"
				       : "fewer than 5 fields (minute hour "
					 "day-of-month month day-of-week)");
	for (i = 0; i < 5; i++) {
		int rc;

		c.f = (enum cron_field) i;
		rc = parse_field(&c, tok[i], tend[i], &mask[i]);
		if (rc < 0)
			return rc;
	}
	out->minute = mask[0];
	out->hour = (uint32_t) mask[1];
	out->mday = (uint32_t) mask[2];
	out->month = (uint16_t) mask[3];
	out->wday = (uint8_t) mask[4];
	out->mday_star = *tok[2] == '*';
	out->wday_star = *tok[4] == '*';
	if (out->wday_star && !mday_feasible(out)) {
		memset(out, 0, sizeof(*out));
		return set_err(err, CRON_FIELD_MDAY, s, tok[2],
				(size_t) (tend[2] - tok[2]),
				"day never occurs in the selected months");
	}
	return 0;
}

static bool day_matches(const struct cron_expr *e, int mon, int mday, int wday)
{
	bool dm = e->mday & (1u << mday), dw = e->wday & (1u << wday);

	if (!(e->month & (1u << mon)))
		return false;
	if (e->mday_star || e->wday_star)
		return dm && dw;
	return dm || dw;
}

bool cron_matches(const struct cron_expr *e, const struct tz_civil *c)
{
	int64_t days;

	if (c->mon < 1 || c->mon > 12 || c->mday < 1 || c->mday > 31 ||
			c->hour < 0 || c->hour > 23 || c->min < 0 ||
			c->min > 59)
		return false;
	days = tz_days_from_civil(c->year, c->mon, c->mday);
	return day_matches(e, c->mon, c->mday, tz_weekday(days)) &&
	       (e->hour & (1u << c->hour)) &&
	       (e->minute & ((uint64_t) 1 << c->min));
}

/* Lowest set bit >= from in mask, or -1. */
static int next_bit(uint64_t mask, int from, int limit)
{
	uint64_t m;

	if (from >= limit)
		return -1;
	m = mask >> from;
	if (!m)
		return -1;
	from += __builtin_ctzll(m);
	return from < limit ? from : -1;
}

/* First cron minute whose instant is > after (calendar ignored). */
static int next_raw(const struct cron_expr *e, const struct tz_zone *zone,
		int64_t after, int64_t *ret)
{
	struct tz_local l;
	int64_t day, end;
	int h0, m0, rc;

	rc = tz_to_local(zone, after, &l);
	if (rc < 0)
		return rc;
	day = tz_days_from_civil(l.civil.year, l.civil.mon, l.civil.mday);
	h0 = l.civil.hour;
	m0 = l.civil.min + 1;
	if (m0 == 60) {
		m0 = 0;
		if (++h0 == 24) {
			h0 = 0;
			day++;
		}
	}
	end = day + CRON_HORIZON_DAYS;
	for (; day <= end; day++, h0 = 0, m0 = 0) {
		struct tz_civil c;
		int h;

		tz_civil_from_days(day, &c.year, &c.mon, &c.mday);
		if (c.year > 9999)
			return -ERANGE;
		if (!(e->month & (1u << c.mon))) {
			/* skip to the last day of this month */
			day += tz_days_in_month(c.year, c.mon) - c.mday;
			continue;
		}
		if (!day_matches(e, c.mon, c.mday, tz_weekday(day)))
			continue;
		for (h = next_bit(e->hour, h0, 24); h >= 0;
				h = next_bit(e->hour, h + 1, 24)) {
			int m;

			for (m = next_bit(e->minute, h == h0 ? m0 : 0, 60);
					m >= 0;
					m = next_bit(e->minute, m + 1, 60)) {
				int64_t t;

				c.hour = h;
				c.min = m;
				c.sec = 0;
				rc = tz_local_to_utc(zone, &c, &t);
				if (rc < 0)
					return rc;
				if (t > after) {
					*ret = t;
					return 0;
				}
			}
		}
	}
	return -ENOENT;
}

static bool is_holiday(const struct cron_calendar *cal, int64_t day)
{
	size_t lo = 0, hi;

	if (!cal || !cal->holidays)
		return false;
	hi = cal->n_holidays;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->holidays[mid] == day)
			return true;
		if (cal->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool in_quiet(const struct cron_calendar *cal, int mod)
{
	if (!cal || cal->quiet_from == cal->quiet_to)
		return false;
	if (cal->quiet_from < cal->quiet_to)
		return mod >= cal->quiet_from && mod < cal->quiet_to;
	return mod >= cal->quiet_from || mod < cal->quiet_to;
}

static int64_t local_day(const struct tz_local *l)
{
	return tz_days_from_civil(l->civil.year, l->civil.mon, l->civil.mday);
}

/* The instant of local midnight starting day @day. */
static int day_start(const struct tz_zone *zone, int64_t day, int64_t *ret)
{
	struct tz_civil c = {0, 0, 0, 0, 0, 0};

	tz_civil_from_days(day, &c.year, &c.mon, &c.mday);
	return tz_local_to_utc(zone, &c, ret);
}

int cron_next(const struct cron_expr *e, const struct tz_zone *zone,
		const struct cron_calendar *cal, int64_t after,
		struct cron_fire *ret)
{
	int64_t cur = after, limit;
	int rc;

	if (after > TZ_MAX_T)
		return -ERANGE;
	limit = after + (int64_t) CRON_HORIZON_DAYS * 86400;
	for (;;) {
		struct tz_local l;
		int64_t raw = 0, day;
		int mod;

		rc = next_raw(e, zone, cur, &raw);
		if (rc < 0)
			return rc;
		if (raw > limit)
			return -ENOENT;
		rc = tz_to_local(zone, raw, &l);
		if (rc < 0)
			return rc;
		day = local_day(&l);
		mod = l.civil.hour * 60 + l.civil.min;
		if (in_quiet(cal, mod)) {
			struct tz_civil c = {0, 0, 0, 0, 0, 0};
			int64_t eday = day, at;

			if (cal->quiet == CRON_QUIET_SKIP) {
				cur = raw;
				continue;
			}
			if (cal->quiet_from > cal->quiet_to &&
					mod >= cal->quiet_from)
				eday++;
			tz_civil_from_days(eday, &c.year, &c.mon, &c.mday);
			c.hour = cal->quiet_to / 60;
			c.min = cal->quiet_to % 60;
			rc = tz_local_to_utc(zone, &c, &at);
			if (rc < 0)
				return rc;
			if (at <= raw) /* quiet end swallowed by a DST gap */
				at = raw;
			/* A fire postponed onto a holiday, or standing for
			 * a holiday, is skipped; the others postponed to
			 * the same end of quiet stand for non-holidays. */
			if (is_holiday(cal, eday)) {
				cur = at;
				continue;
			}
			if (is_holiday(cal, day)) {
				cur = raw;
				continue;
			}
			ret->at = at;
			ret->nominal = raw;
			ret->postponed = at != raw;
			return 0;
		}
		if (is_holiday(cal, day)) {
			int64_t next_mid;

			rc = day_start(zone, day + 1, &next_mid);
			if (rc < 0)
				return rc;
			cur = next_mid - 1 > raw ? next_mid - 1 : raw;
			continue;
		}
		ret->at = raw;
		ret->nominal = raw;
		ret->postponed = false;
		return 0;
	}
}

static void skip_one(struct cron_catchup *r, const struct cron_fire *f)
{
	if (r->n_skipped >= CRON_CATCHUP_CAP) {
		r->skipped_capped = true;
		r->last_skipped = *f;
		return;
	}
	if (r->n_skipped == 0)
		r->first_skipped = *f;
	r->last_skipped = *f;
	r->n_skipped++;
}

int cron_catchup(const struct cron_expr *e, const struct tz_zone *zone,
		const struct cron_calendar *cal, int64_t last_fired,
		int64_t now, int64_t grace, struct cron_catchup *ret)
{
	struct cron_fire f, due;
	bool have_due = false;
	int64_t cur = last_fired;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (grace < 0)
		grace = 0;
	for (;;) {
		rc = cron_next(e, zone, cal, cur, &f);
		if (rc == -ENOENT)
			break;
		if (rc < 0)
			return rc;
		if (f.at > now) {
			ret->next = f;
			ret->has_next = true;
			break;
		}
		if (have_due)
			skip_one(ret, &due);
		due = f;
		have_due = true;
		cur = f.at;
		/* Past the cap, fires older than the grace are skipped
		 * uncounted: jump to the start of the grace period. */
		if (ret->n_skipped >= CRON_CATCHUP_CAP && cur < now - grace - 1)
			cur = now - grace - 1;
	}
	if (have_due) {
		if (now - due.at <= grace) {
			ret->fire = true;
			ret->due = due;
		} else {
			skip_one(ret, &due);
		}
	}
	return 0;
}
