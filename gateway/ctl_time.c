/*
 * Times on fieldgatectl's command line and in its output. The database
 * session runs in UTC and hands us Unix seconds; people read local time.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/ctl.h"

int ctl_parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* "2h" and friends: now minus N units. */
static int parse_relative(const char *s, int64_t now, int64_t *ret_t)
{
	unsigned long n;
	char num[16];
	size_t len = strlen(s);
	int64_t unit;

	if (len < 2 || len >= sizeof(num))
		return -EINVAL;
	switch (s[len - 1]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -EINVAL;
	}
	memcpy(num, s, len - 1);
	num[len - 1] = '\0';
	/* 100 years is plenty and keeps the product far from overflow */
	if (ctl_parse_uint(num, 100UL * 366 * 86400, &n) < 0 ||
			(int64_t) n * unit > 100LL * 366 * 86400)
		return -EINVAL;
	*ret_t = now - (int64_t) n * unit;
	return 0;
}

/* Reads exactly n digits at *p into *v, advancing *p. */
static bool digits(const char **p, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char) (*p)[i]))
			return false;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (civil_from_days). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = {
			31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* ISO 8601 subset: YYYY-MM-DD[( |T)HH:MM[:SS]][Z|(+|-)HH[:]MM]. */
static int parse_iso(const char *s, int64_t *ret_t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, zh, zm, sign;
	bool has_zone = false;
	int64_t off = 0, t;
	const char *p = s;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) ||
			*p++ != '-' || !digits(&p, 2, &d))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -EINVAL;
	if (*p == ' ' || *p == 'T') {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return -EINVAL;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &sec))
				return -EINVAL;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -EINVAL;
		if (*p == 'Z') {
			p++;
			has_zone = true;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (!digits(&p, 2, &zh))
				return -EINVAL;
			if (*p == ':')
				p++;
			if (!digits(&p, 2, &zm) || zh > 14 || zm > 59)
				return -EINVAL;
			off = sign * (zh * 3600 + zm * 60);
			has_zone = true;
		}
	}
	if (*p)
		return -EINVAL;
	if (has_zone) {
		t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
		    sec - off;
	} else {
		struct tm tm = {0};
		time_t tt;

		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		tm.tm_isdst = -1; /* let the zone rules decide */
		tt = mktime(&tm);
		if (tt == (time_t) -1)
			return -EINVAL;
		t = (int64_t) tt;
	}
	*ret_t = t;
	return 0;
}

int ctl_parse_time(const char *s, int64_t now, int64_t *ret_t)
{
	if (!s || !*s || !ret_t)
		return -EINVAL;
	if (strlen(s) >= 4 && isdigit((unsigned char) s[0]) && s[4] == '-')
		return parse_iso(s, ret_t);
	return parse_relative(s, now, ret_t);
}

void ctl_fmt_local(int64_t t, char buf[CTL_TIME_MAX])
{
	time_t tt = (time_t) t;
	struct tm tm;

	if (t == 0 || !localtime_r(&tt, &tm) ||
			!strftime(buf, CTL_TIME_MAX, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, CTL_TIME_MAX, "-");
}

void ctl_fmt_utc(int64_t t, char buf[CTL_TIME_MAX])
{
	time_t tt = (time_t) t;
	struct tm tm;

	if (t == 0 || !gmtime_r(&tt, &tm) ||
			!strftime(buf, CTL_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
}

void ctl_fmt_age(int64_t s, char buf[CTL_TIME_MAX])
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, CTL_TIME_MAX, "%llds", (long long) s);
	else if (s < 2 * 3600)
		snprintf(buf, CTL_TIME_MAX, "%lldm", (long long) (s / 60));
	else if (s < 2 * 86400)
		snprintf(buf, CTL_TIME_MAX, "%lldh", (long long) (s / 3600));
	else
		snprintf(buf, CTL_TIME_MAX, "%lldd", (long long) (s / 86400));
}

void ctl_json_time(struct json *j, const char *key, int64_t t)
{
	char buf[CTL_TIME_MAX];

	if (t == 0) {
		json_null(j, key);
		return;
	}
	ctl_fmt_utc(t, buf);
	json_string(j, key, buf);
}

void ctl_json_text(struct json *j, const char *key, const char *s)
{
	if (s[0])
		json_string(j, key, s);
	else
		json_null(j, key);
}
