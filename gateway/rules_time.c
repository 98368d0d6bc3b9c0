/*
 * gateway/rules_time.c - local times for the rules engine (see the
 * header for why TZ is set process-wide).
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/rules_time.h"

/* Switches the process to zone @tz unless it is in force already. */
static void use_zone(const char *tz)
{
	const char *now;

	if (!tz || !*tz)
		return;
	now = getenv("TZ");
	if (now && !strcmp(now, tz))
		return;
	setenv("TZ", tz, 1);
	tzset();
}

int gw_rules_time(int64_t unix_s, const char *tz, struct rules_time *out)
{
	struct tm tm;
	time_t t = (time_t) unix_s;

	memset(out, 0, sizeof(*out));
	if (unix_s == 0)
		return 0;
	use_zone(tz);
	if (!localtime_r(&t, &tm))
		return -EINVAL;
	out->unix = unix_s;
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->minute = tm.tm_min;
	out->second = tm.tm_sec;
	out->wday = tm.tm_wday;
	return 0;
}
