/*
 * gateway/rules_time.c - local times for the rules engine, through the
 * rule file's zone parsed by rules/tz.h (gateway/zones.h): the process's
 * TZ is left alone.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/rules_time.h"
#include "gateway/zones.h"
#include "rules/tz.h"

static void fill(struct rules_time *out, int64_t unix_s, int year, int mon,
		int mday, int hour, int min, int sec, int wday)
{
	out->unix = unix_s;
	out->year = year;
	out->month = mon;
	out->day = mday;
	out->hour = hour;
	out->minute = min;
	out->second = sec;
	out->wday = wday;
}

int gw_rules_time(int64_t unix_s, const char *tz, struct rules_time *out)
{
	memset(out, 0, sizeof(*out));
	if (unix_s == 0)
		return 0;
	if (tz && *tz) {
		/* a one-zone cache for this call: no state between calls */
		struct gw_zones *zc = gw_zones_new();
		const struct tz_zone *z = zc ? gw_zone(zc, tz, NULL) : NULL;
		struct tz_local l;
		int r = -EINVAL;

		if (z && tz_to_local(z, unix_s, &l) == 0) {
			fill(out, unix_s, l.civil.year, l.civil.mon,
					l.civil.mday, l.civil.hour, l.civil.min,
					l.civil.sec, l.wday);
			r = 0;
		}
		gw_zones_free(zc);
		if (r == 0)
			return 0;
		/* an unknown zone: the process's own, as before */
	}
	{
		struct tm tm;
		time_t t = (time_t) unix_s;

		if (!localtime_r(&t, &tm))
			return -EINVAL;
		fill(out, unix_s, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_wday);
	}
	return 0;
}
