/*
 * rules/tz.c - TZif reader and UTC <-> local conversion (see tz.h).
 *
 * A zone is a table of transitions (instant -> local time type) plus an
 * optional POSIX rule for the instants after the table.  Every lookup
 * answers "which period of constant offset holds t", and both directions
 * of conversion are built on that one question.
 */
#include "rules/tz.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* RFC 8536 §3.2: UT offsets should lie in -25:59:59 .. +25:59:59. */
#define TZ_MAX_OFF 93599
#define TZ_MIN_OFF (-89999)
/* Internal lookups accept this much slack around the public range. */
#define TZ_SLACK (4 * 86400LL)

struct tz_type {
	int32_t utoff;
	bool isdst;
	char abbr[TZ_ABBR_MAX];
};

/* One POSIX rule date: Jn, n or Mm.w.d, plus a time of day. */
struct tz_rdate {
	char kind; /* 'J', 'D' (zero-based day) or 'M' */
	int n;	   /* J: 1..365, D: 0..365 */
	int m, w, d;
	int32_t time; /* seconds after local midnight, may be < 0 */
};

struct tz_rule {
	bool present;
	bool has_dst;
	struct tz_type std, dst;
	struct tz_rdate start, end;
};

struct tz_zone {
	char name[TZ_NAME_MAX];
	size_t ntrans;
	int64_t *trans;
	uint8_t *tidx;
	size_t ntypes;
	struct tz_type *types;
	struct tz_rule rule;
};

/* ---- civil calendar --------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tz_days_in_month(int year, int mon)
{
	static const int dim[12] = {
			31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (mon < 1 || mon > 12)
		return 0;
	if (mon == 2 && is_leap(year))
		return 29;
	return dim[mon - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (March-based era
 * arithmetic: a 400-year era has 146097 days). */
int64_t tz_days_from_civil(int year, int mon, int mday)
{
	int64_t y = (int64_t) year - (mon <= 2);
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = mon > 2 ? mon - 3 : mon + 9;
	int64_t doy = (153 * mp + 2) / 5 + mday - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void tz_civil_from_days(
		int64_t days, int *ret_year, int *ret_mon, int *ret_mday)
{
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	*ret_year = (int) y;
	*ret_mon = (int) m;
	*ret_mday = (int) d;
}

int tz_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int) (((days % 7) + 7 + 4) % 7);
}

/* ---- POSIX TZ strings ------------------------------------------------- */

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A zone abbreviation: "CST" (3+ letters) or "<+06>" (quoted). */
static const char *posix_name(const char *p, char *out)
{
	size_t n = 0;

	if (*p == '<') {
		p++;
		while (*p && *p != '>') {
			if (!is_alpha(*p) && !is_digit(*p) && *p != '+' &&
					*p != '-')
				return NULL;
			if (n + 1 < TZ_ABBR_MAX)
				out[n++] = *p;
			p++;
		}
		if (*p != '>' || n < 3)
			return NULL;
		out[n] = '\0';
		return p + 1;
	}
	while (is_alpha(*p)) {
		if (n + 1 < TZ_ABBR_MAX)
			out[n++] = *p;
		p++;
	}
	if (n < 3)
		return NULL;
	out[n] = '\0';
	return p;
}

/* [+-]hh[:mm[:ss]] with hh <= max_h; *ret in seconds (sign applied). */
static const char *posix_hms(const char *p, int max_h, int32_t *ret)
{
	int sign = 1;
	long v[3] = {0, 0, 0};
	int i;

	if (*p == '+' || *p == '-') {
		if (*p == '-')
			sign = -1;
		p++;
	}
	for (i = 0; i < 3; i++) {
		int digits = 0;

		if (i > 0) {
			if (*p != ':')
				break;
			p++;
		}
		while (is_digit(*p) && digits < 3) {
			v[i] = v[i] * 10 + (*p - '0');
			p++;
			digits++;
		}
		if (digits == 0 || is_digit(*p))
			return NULL;
	}
	if (v[0] > max_h || v[1] > 59 || v[2] > 59)
		return NULL;
	*ret = (int32_t) (sign * (v[0] * 3600 + v[1] * 60 + v[2]));
	return p;
}

static const char *posix_num(const char *p, int lo, int hi, int *ret)
{
	long v = 0;
	int digits = 0;

	while (is_digit(*p) && digits < 4) {
		v = v * 10 + (*p - '0');
		p++;
		digits++;
	}
	if (digits == 0 || is_digit(*p) || v < lo || v > hi)
		return NULL;
	*ret = (int) v;
	return p;
}

static const char *posix_rdate(const char *p, struct tz_rdate *r)
{
	memset(r, 0, sizeof(*r));
	if (*p == 'J') {
		r->kind = 'J';
		p = posix_num(p + 1, 1, 365, &r->n);
	} else if (*p == 'M') {
		r->kind = 'M';
		p = posix_num(p + 1, 1, 12, &r->m);
		if (!p || *p != '.')
			return NULL;
		p = posix_num(p + 1, 1, 5, &r->w);
		if (!p || *p != '.')
			return NULL;
		p = posix_num(p + 1, 0, 6, &r->d);
	} else {
		r->kind = 'D';
		p = posix_num(p, 0, 365, &r->n);
	}
	if (!p)
		return NULL;
	r->time = 7200;
	if (*p == '/')
		p = posix_hms(p + 1, 167, &r->time);
	return p;
}

static int posix_parse(const char *s, struct tz_rule *rule)
{
	const char *p = s;
	int32_t off;

	memset(rule, 0, sizeof(*rule));
	if (*p == '\0')
		return 0; /* empty footer: no rule */
	p = posix_name(p, rule->std.abbr);
	if (!p)
		return -EINVAL;
	p = posix_hms(p, 24, &off);
	if (!p)
		return -EINVAL;
	rule->std.utoff = -off; /* POSIX counts west of Greenwich */
	rule->present = true;
	if (*p == '\0')
		return 0;
	p = posix_name(p, rule->dst.abbr);
	if (!p)
		return -EINVAL;
	rule->has_dst = true;
	rule->dst.isdst = true;
	rule->dst.utoff = rule->std.utoff + 3600;
	if (*p && *p != ',') {
		p = posix_hms(p, 24, &off);
		if (!p)
			return -EINVAL;
		rule->dst.utoff = -off;
	}
	if (*p == '\0') {
		/* No rule given: the US rule, as the C library assumes. */
		rule->start = (struct tz_rdate){'M', 0, 3, 2, 0, 7200};
		rule->end = (struct tz_rdate){'M', 0, 11, 1, 0, 7200};
		return 0;
	}
	if (*p != ',')
		return -EINVAL;
	p = posix_rdate(p + 1, &rule->start);
	if (!p || *p != ',')
		return -EINVAL;
	p = posix_rdate(p + 1, &rule->end);
	if (!p || *p != '\0')
		return -EINVAL;
	return 0;
}

/* Local seconds (as if UTC) at which rule date @r happens in @year. */
static int64_t rdate_local(int year, const struct tz_rdate *r)
{
	int64_t day;

	if (r->kind == 'J') {
		day = tz_days_from_civil(year, 1, 1) + r->n - 1;
		if (is_leap(year) && r->n >= 60)
			day++;
	} else if (r->kind == 'D') {
		day = tz_days_from_civil(year, 1, 1) + r->n;
	} else {
		int64_t day1 = tz_days_from_civil(year, r->m, 1);
		int wd1 = tz_weekday(day1);

		day = day1 + (r->d - wd1 + 7) % 7 + (int64_t) (r->w - 1) * 7;
		if (day >= day1 + tz_days_in_month(year, r->m))
			day -= 7;
	}
	return day * 86400 + r->time;
}

struct rule_event {
	int64_t at;
	bool to_dst;
};

/* The period holding @t under the rule, not starting before @lb. */
static void rule_period(const struct tz_rule *rule, int64_t t, int64_t lb,
		int64_t *ret_start, int64_t *ret_end,
		const struct tz_type **ret)
{
	struct rule_event ev[6];
	int year, mon, mday, i, j, n = 0;
	int64_t start = INT64_MIN, end = INT64_MAX;
	bool dst = false;

	if (!rule->has_dst) {
		*ret = &rule->std;
		*ret_start = lb;
		*ret_end = INT64_MAX;
		return;
	}
	tz_civil_from_days(floor_div(t + rule->std.utoff, 86400), &year, &mon,
			&mday);
	for (i = -1; i <= 1; i++) {
		ev[n].at = rdate_local(year + i, &rule->start) -
			   rule->std.utoff;
		ev[n++].to_dst = true;
		ev[n].at = rdate_local(year + i, &rule->end) - rule->dst.utoff;
		ev[n++].to_dst = false;
	}
	/* Insertion sort; at equal instants the end of DST comes first. */
	for (i = 1; i < n; i++) {
		struct rule_event k = ev[i];

		for (j = i - 1; j >= 0 &&
				(ev[j].at > k.at ||
						(ev[j].at == k.at &&
								ev[j].to_dst &&
								!k.to_dst));
				j--)
			ev[j + 1] = ev[j];
		ev[j + 1] = k;
	}
	/* Before the first event of year-1, the state the last one left. */
	dst = ev[n - 1].to_dst;
	for (i = 0; i < n; i++) {
		if (ev[i].at <= t) {
			dst = ev[i].to_dst;
			start = ev[i].at;
		} else {
			end = ev[i].at;
			break;
		}
	}
	if (start < lb)
		start = lb;
	*ret = dst ? &rule->dst : &rule->std;
	*ret_start = start;
	*ret_end = end;
}

/* ---- lookup ----------------------------------------------------------- */

static void find_period(const struct tz_zone *z, int64_t t, int64_t *ret_start,
		int64_t *ret_end, const struct tz_type **ret)
{
	size_t lo, hi;

	if (z->ntrans == 0) {
		if (z->rule.present) {
			rule_period(&z->rule, t, INT64_MIN, ret_start, ret_end,
					ret);
			return;
		}
		*ret = &z->types[0];
		*ret_start = INT64_MIN;
		*ret_end = INT64_MAX;
		return;
	}
	if (t < z->trans[0]) {
		*ret = &z->types[0];
		*ret_start = INT64_MIN;
		*ret_end = z->trans[0];
		return;
	}
	/* Last transition <= t. */
	lo = 0;
	hi = z->ntrans;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	if (lo == z->ntrans - 1 && z->rule.present) {
		rule_period(&z->rule, t, z->trans[lo], ret_start, ret_end, ret);
		return;
	}
	*ret = &z->types[z->tidx[lo]];
	*ret_start = z->trans[lo];
	*ret_end = lo + 1 < z->ntrans ? z->trans[lo + 1] : INT64_MAX;
}

int tz_period(const struct tz_zone *zone, int64_t t, int64_t *ret_start,
		int64_t *ret_end, int32_t *ret_utoff, bool *ret_isdst)
{
	const struct tz_type *ty;
	int64_t a, b;

	if (t < TZ_MIN_T - TZ_SLACK || t > TZ_MAX_T + TZ_SLACK)
		return -ERANGE;
	find_period(zone, t, &a, &b, &ty);
	if (ret_start)
		*ret_start = a;
	if (ret_end)
		*ret_end = b;
	if (ret_utoff)
		*ret_utoff = ty->utoff;
	if (ret_isdst)
		*ret_isdst = ty->isdst;
	return 0;
}

int tz_to_local(const struct tz_zone *zone, int64_t t, struct tz_local *out)
{
	const struct tz_type *ty;
	int64_t a, b, local, days, secs;

	if (t < TZ_MIN_T || t > TZ_MAX_T)
		return -ERANGE;
	find_period(zone, t, &a, &b, &ty);
	local = t + ty->utoff;
	days = floor_div(local, 86400);
	secs = local - days * 86400;
	tz_civil_from_days(days, &out->civil.year, &out->civil.mon,
			&out->civil.mday);
	out->civil.hour = (int) (secs / 3600);
	out->civil.min = (int) (secs / 60 % 60);
	out->civil.sec = (int) (secs % 60);
	out->wday = tz_weekday(days);
	out->yday = (int) (days - tz_days_from_civil(out->civil.year, 1, 1));
	out->utoff = ty->utoff;
	out->isdst = ty->isdst;
	memcpy(out->abbr, ty->abbr, sizeof(out->abbr));
	return 0;
}

int tz_local_to_utc(const struct tz_zone *zone, const struct tz_civil *c,
		int64_t *ret_t)
{
	const long lim = 1000000;
	int64_t y, m, local, cur, hi;

	if (c->year < -lim || c->year > lim || c->mon < -lim || c->mon > lim ||
			c->mday < -lim * 40 || c->mday > lim * 40 ||
			c->hour < -lim || c->hour > lim || c->min < -lim ||
			c->min > lim || c->sec < -lim || c->sec > lim)
		return -ERANGE;
	y = c->year + floor_div(c->mon - 1, 12);
	m = c->mon - 1 - floor_div(c->mon - 1, 12) * 12 + 1;
	if (y < -lim || y > lim)
		return -ERANGE;
	local = (tz_days_from_civil((int) y, (int) m, 1) + c->mday - 1) *
				86400 +
		(int64_t) c->hour * 3600 + (int64_t) c->min * 60 + c->sec;
	if (local < TZ_MIN_T || local > TZ_MAX_T)
		return -ERANGE;
	/*
	 * f(t) = t + utoff(t) is the local time of instant t.  The answer is
	 * the smallest t with f(t) >= local: the exact instant when local
	 * exists (the first one in an overlap), else the end of the gap.
	 * It lies within the largest offsets of local, so walk the periods
	 * of that window in order and stop at the first candidate.
	 */
	cur = local - TZ_MAX_OFF - 1;
	hi = local - TZ_MIN_OFF + 1;
	while (cur <= hi) {
		const struct tz_type *ty;
		int64_t a, b, cand;

		find_period(zone, cur, &a, &b, &ty);
		cand = local - ty->utoff;
		if (cand < cur)
			cand = cur;
		if (cand < b) {
			if (cand < TZ_MIN_T || cand > TZ_MAX_T)
				return -ERANGE;
			*ret_t = cand;
			return 0;
		}
		if (b == INT64_MAX)
			break;
		cur = b;
	}
	return -ERANGE; /* not reached with validated offsets */
}

static int day_start(const struct tz_zone *zone, int64_t day, int64_t *ret)
{
	struct tz_civil c = {0, 0, 0, 0, 0, 0};

	tz_civil_from_days(day, &c.year, &c.mon, &c.mday);
	return tz_local_to_utc(zone, &c, ret);
}

static int span(const struct tz_zone *zone, int64_t t, int back, int len,
		int64_t *ret_start, int64_t *ret_end)
{
	struct tz_local l;
	int64_t day;
	int rc;

	rc = tz_to_local(zone, t, &l);
	if (rc < 0)
		return rc;
	day = tz_days_from_civil(l.civil.year, l.civil.mon, l.civil.mday) -
	      back;
	rc = day_start(zone, day, ret_start);
	if (rc < 0)
		return rc;
	return day_start(zone, day + len, ret_end);
}

int tz_day_bounds(const struct tz_zone *zone, int64_t t, int64_t *ret_start,
		int64_t *ret_end)
{
	return span(zone, t, 0, 1, ret_start, ret_end);
}

int tz_week_bounds(const struct tz_zone *zone, int64_t t, int week_start,
		int64_t *ret_start, int64_t *ret_end)
{
	struct tz_local l;
	int rc;

	if (week_start < 0 || week_start > 6)
		return -EINVAL;
	rc = tz_to_local(zone, t, &l);
	if (rc < 0)
		return rc;
	return span(zone, t, (l.wday - week_start + 7) % 7, 7, ret_start,
			ret_end);
}

/* ---- TZif ------------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t left;
};

static bool rd_skip(struct rd *r, uint64_t n)
{
	if (n > r->left)
		return false;
	r->p += n;
	r->left -= (size_t) n;
	return true;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 |
	       (uint32_t) p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t) ((uint64_t) be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int read_hdr(struct rd *r, struct tzif_hdr *h, const char **why)
{
	const uint8_t *p = r->p;

	if (r->left < 44) {
		*why = "truncated header";
		return -EINVAL;
	}
	if (memcmp(p, "TZif", 4) != 0) {
		*why = "not a TZif file (bad magic)";
		return -EINVAL;
	}
	h->version = (char) p[4];
	if (h->version != 0 && (h->version < '2' || h->version > '4')) {
		*why = "unknown TZif version";
		return -EINVAL;
	}
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	rd_skip(r, 44);
	if (h->typecnt == 0 || h->typecnt > 256) {
		*why = "local time type count must be 1..256";
		return -EINVAL;
	}
	if (h->charcnt == 0) {
		*why = "no abbreviation characters";
		return -EINVAL;
	}
	if ((h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
			(h->isstdcnt != 0 && h->isstdcnt != h->typecnt)) {
		*why = "UT/standard indicator count differs from type count";
		return -EINVAL;
	}
	if (h->leapcnt != 0) {
		*why = "leap-second zones (right/...) are not supported";
		return -ENOTSUP;
	}
	return 0;
}

static uint64_t block_size(const struct tzif_hdr *h, unsigned tsize)
{
	return (uint64_t) h->timecnt * tsize + h->timecnt +
	       (uint64_t) h->typecnt * 6 + h->charcnt +
	       (uint64_t) h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

static int read_block(struct rd *r, const struct tzif_hdr *h, unsigned tsize,
		struct tz_zone *z, const char **why)
{
	const uint8_t *p = r->p, *ti, *tt, *ch;
	uint32_t i;

	if (block_size(h, tsize) > r->left) {
		*why = "truncated data block";
		return -EINVAL;
	}
	z->ntrans = h->timecnt;
	z->ntypes = h->typecnt;
	z->trans = calloc(h->timecnt ? h->timecnt : 1, sizeof(*z->trans));
	z->tidx = calloc(h->timecnt ? h->timecnt : 1, 1);
	z->types = calloc(h->typecnt, sizeof(*z->types));
	if (!z->trans || !z->tidx || !z->types)
		return -ENOMEM;
	for (i = 0; i < h->timecnt; i++) {
		z->trans[i] = tsize == 8 ? be64(p + (size_t) i * 8)
					 : (int32_t) be32(p + (size_t) i * 4);
		if (i > 0 && z->trans[i] <= z->trans[i - 1]) {
			*why = "transition times not ascending";
			return -EINVAL;
		}
	}
	ti = p + (size_t) h->timecnt * tsize;
	tt = ti + h->timecnt;
	ch = tt + (size_t) h->typecnt * 6;
	for (i = 0; i < h->timecnt; i++) {
		if (ti[i] >= h->typecnt) {
			*why = "transition type index out of range";
			return -EINVAL;
		}
		z->tidx[i] = ti[i];
	}
	for (i = 0; i < h->typecnt; i++) {
		const uint8_t *e = tt + (size_t) i * 6;
		int32_t off = (int32_t) be32(e);
		uint8_t idx = e[5];
		size_t k;

		if (off < TZ_MIN_OFF || off > TZ_MAX_OFF) {
			*why = "UT offset out of range";
			return -EINVAL;
		}
		if (e[4] > 1) {
			*why = "DST indicator must be 0 or 1";
			return -EINVAL;
		}
		if (idx >= h->charcnt) {
			*why = "abbreviation index out of range";
			return -EINVAL;
		}
		for (k = idx; k < h->charcnt && ch[k]; k++)
			;
		if (k == h->charcnt) {
			*why = "abbreviation not NUL-terminated";
			return -EINVAL;
		}
		z->types[i].utoff = off;
		z->types[i].isdst = e[4];
		k -= idx;
		if (k >= TZ_ABBR_MAX)
			k = TZ_ABBR_MAX - 1;
		memcpy(z->types[i].abbr, ch + idx, k);
	}
	rd_skip(r, block_size(h, tsize));
	return 0;
}

static struct tz_zone *zone_new(const char *name)
{
	struct tz_zone *z = calloc(1, sizeof(*z));

	if (z && name) {
		strncpy(z->name, name, TZ_NAME_MAX - 1);
		z->name[TZ_NAME_MAX - 1] = '\0';
	}
	return z;
}

void tz_free(struct tz_zone *zone)
{
	if (!zone)
		return;
	free(zone->trans);
	free(zone->tidx);
	free(zone->types);
	free(zone);
}

const char *tz_name(const struct tz_zone *zone)
{
	return zone->name;
}

static int read_footer(struct rd *r, struct tz_zone *z, const char **why)
{
	char buf[128];
	const uint8_t *nl;
	size_t n;

	if (r->left < 2 || r->p[0] != '\n') {
		*why = "missing TZ string footer";
		return -EINVAL;
	}
	nl = memchr(r->p + 1, '\n', r->left - 1);
	if (!nl) {
		*why = "unterminated TZ string footer";
		return -EINVAL;
	}
	n = (size_t) (nl - (r->p + 1));
	if (n >= sizeof(buf) || memchr(r->p + 1, '\0', n)) {
		*why = "bad TZ string footer";
		return -EINVAL;
	}
	memcpy(buf, r->p + 1, n);
	buf[n] = '\0';
	if (posix_parse(buf, &z->rule) < 0) {
		*why = "bad TZ string footer";
		return -EINVAL;
	}
	return 0;
}

int tz_parse(const uint8_t *data, size_t len, const char *name,
		struct tz_zone **ret_zone, const char **ret_reason)
{
	struct rd r = {data, len};
	struct tzif_hdr h;
	struct tz_zone *z = NULL;
	const char *why = "out of memory";
	int rc;

	*ret_zone = NULL;
	if (!data) {
		why = "no data";
		rc = -EINVAL;
		goto fail;
	}
	rc = read_hdr(&r, &h, &why);
	if (rc < 0)
		goto fail;
	rc = -ENOMEM;
	z = zone_new(name);
	if (!z)
		goto fail;
	if (h.version == 0) {
		rc = read_block(&r, &h, 4, z, &why);
		if (rc < 0)
			goto fail;
	} else {
		if (!rd_skip(&r, block_size(&h, 4))) {
			why = "truncated version 1 data block";
			rc = -EINVAL;
			goto fail;
		}
		rc = read_hdr(&r, &h, &why);
		if (rc < 0)
			goto fail;
		rc = read_block(&r, &h, 8, z, &why);
		if (rc < 0)
			goto fail;
		rc = read_footer(&r, z, &why);
		if (rc < 0)
			goto fail;
	}
	*ret_zone = z;
	return 0;
fail:
	tz_free(z);
	if (ret_reason)
		*ret_reason = why;
	return rc;
}

int tz_from_posix(const char *tzstr, struct tz_zone **ret_zone,
		const char **ret_reason)
{
	struct tz_zone *z;
	int rc;

	*ret_zone = NULL;
	if (!tzstr || !*tzstr) {
		if (ret_reason)
			*ret_reason = "empty TZ string";
		return -EINVAL;
	}
	z = zone_new(tzstr);
	if (!z)
		return -ENOMEM;
	z->types = calloc(1, sizeof(*z->types));
	if (!z->types) {
		tz_free(z);
		return -ENOMEM;
	}
	z->ntypes = 1;
	rc = posix_parse(tzstr, &z->rule);
	if (rc < 0) {
		tz_free(z);
		if (ret_reason)
			*ret_reason = "bad POSIX TZ string";
		return rc;
	}
	z->types[0] = z->rule.std;
	*ret_zone = z;
	return 0;
}
