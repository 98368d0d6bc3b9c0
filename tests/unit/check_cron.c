/*
 * rules/cron: parse errors (field, token, reason), fire times in zones
 * with DST, holidays, quiet hours, catch-up, and a brute-force check of
 * the search against a minute-by-minute scan.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/cron.h"
#include "tests/unit/testutil.h"

static struct tz_zone *load(const char *file)
{
	char path[4096];
	const char *d = getenv("top_srcdir");
	struct tz_zone *z = NULL;
	const char *why = NULL;
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/sched/zoneinfo/%s",
			d ? d : ".", file);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n);
	ck_assert_uint_eq(fread(buf, 1, (size_t) n, f), (size_t) n);
	fclose(f);
	ck_assert_msg(tz_parse(buf, (size_t) n, file, &z, &why) == 0, "%s: %s",
			file, why);
	free(buf);
	return z;
}

struct ymdhm {
	int y, mo, d, h, mi;
};

static int64_t utc_of(const struct ymdhm *t, int off_min)
{
	struct tm tm = {0};

	tm.tm_year = t->y - 1900;
	tm.tm_mon = t->mo - 1;
	tm.tm_mday = t->d;
	tm.tm_hour = t->h;
	tm.tm_min = t->mi;
	return (int64_t) timegm(&tm) - (int64_t) off_min * 60;
}

/* ---- parse errors ------------------------------------------------------- */

static const struct {
	const char *expr;
	enum cron_field field;
	const char *token;
	size_t offset;
	const char *reason;
} bad[] = {
		{"", CRON_FIELD_NONE, "", 0, "empty expression"},
		{"* * * *", CRON_FIELD_NONE, "", 0,
				"fewer than 5 fields (minute hour day-of-month "
				"month day-of-week)"},
		{"* * * * * *", CRON_FIELD_NONE, "*", 10,
				"more than 5 fields (minute hour day-of-month "
				"month day-of-week)"},
		{"60 * * * *", CRON_FIELD_MINUTE, "60", 0,
				"value out of range 0-59"},
		{"0 24 * * *", CRON_FIELD_HOUR, "24", 2,
				"value out of range 0-23"},
		{"0 0 0 * *", CRON_FIELD_MDAY, "0", 4,
				"value out of range 1-31"},
		{"0 0 * 13 *", CRON_FIELD_MONTH, "13", 6,
				"value out of range 1-12"},
		{"0 0 * * 8", CRON_FIELD_WDAY, "8", 8,
				"value out of range 0-7"},
		{"0 0 * foo *", CRON_FIELD_MONTH, "foo", 6,
				"unknown month name (jan..dec)"},
		{"0 0 * * funday", CRON_FIELD_WDAY, "funday", 8,
				"unknown day name (sun..sat)"},
		{"0 mon * * *", CRON_FIELD_HOUR, "mon", 2,
				"names are allowed only in month and "
				"day-of-week"},
		{"5-1 * * * *", CRON_FIELD_MINUTE, "5-1", 0,
				"range start is after its end"},
		{"0 0 * * fri-mon", CRON_FIELD_WDAY, "fri-mon", 8,
				"range start is after its end"},
		{"*/0 * * * *", CRON_FIELD_MINUTE, "0", 2,
				"step out of range for this field"},
		{"0 */25 * * *", CRON_FIELD_HOUR, "25", 4,
				"step out of range for this field"},
		{"*/ * * * *", CRON_FIELD_MINUTE, "*/", 0,
				"step must be a number"},
		{"1,,2 * * * *", CRON_FIELD_MINUTE, "", 2, "empty list item"},
		{"1, * * * *", CRON_FIELD_MINUTE, "", 2, "empty list item"},
		{"*x * * * *", CRON_FIELD_MINUTE, "*x", 0,
				"unexpected text after '*'"},
		{"1-2-3 * * * *", CRON_FIELD_MINUTE, "1-2-3", 0,
				"unexpected text after value"},
		{"0 0 * * mon-", CRON_FIELD_WDAY, "", 12, "missing value"},
		{"0 0 31 4 *", CRON_FIELD_MDAY, "31", 4,
				"day never occurs in the selected months"},
		{"0 0 30,31 feb *", CRON_FIELD_MDAY, "30,31", 4,
				"day never occurs in the selected months"},
		{"@reboot", CRON_FIELD_NONE, "@reboot", 0,
				"unknown macro (@yearly, @monthly, @weekly, "
				"@daily, @hourly)"},
		{"@daily now", CRON_FIELD_NONE, "now", 7,
				"unexpected text after macro"},
		{"\xe6\x97\xa5\xe6\x8a\xa5 * * * *", CRON_FIELD_MINUTE,
				"\xe6\x97\xa5\xe6\x8a\xa5", 0,
				"not a number or name"},
		{"0 9 * * 1-5 #weekdays", CRON_FIELD_NONE, "#weekdays", 12,
				"more than 5 fields (minute hour day-of-month "
				"month day-of-week)"},
};

START_TEST(test_parse_errors)
{
	struct cron_expr e;
	struct cron_error err;

	ck_assert_int_eq(cron_parse(bad[_i].expr, &e, &err), -EINVAL);
	ck_assert_msg(err.field == bad[_i].field, "'%s': field %s",
			bad[_i].expr, cron_field_name(err.field));
	ck_assert_str_eq(err.token, bad[_i].token);
	ck_assert_uint_eq(err.offset, bad[_i].offset);
	ck_assert_str_eq(err.reason, bad[_i].reason);
}
END_TEST

START_TEST(test_format_error)
{
	struct cron_expr e;
	struct cron_error err;
	char buf[128];
	int32_t days[] = {20400, 20362, 20400, 20363, 20362, 7};

	ck_assert_int_eq(cron_parse("0 24 * * *", &e, &err), -EINVAL);
	ck_assert_int_eq(cron_format_error(&err, buf, sizeof(buf)),
			(int) strlen("hour \"24\": value out of range 0-23"));
	ck_assert_str_eq(buf, "hour \"24\": value out of range 0-23");
	ck_assert_int_eq(cron_parse("* *", &e, &err), -EINVAL);
	cron_format_error(&err, buf, sizeof(buf));
	ck_assert_str_eq(buf, "fewer than 5 fields (minute hour day-of-month "
			      "month day-of-week)");
	ck_assert_uint_eq(cron_sort_days(days, 6), 4);
	ck_assert_int_eq(days[0], 7);
	ck_assert_int_eq(days[1], 20362);
	ck_assert_int_eq(days[2], 20363);
	ck_assert_int_eq(days[3], 20400);
	ck_assert_uint_eq(cron_sort_days(days, 0), 0);
}
END_TEST

/* The same schedule written differently parses to the same masks. */
static const struct {
	const char *a, *b;
} same[] = {
		{"0 10 * * 1-6", "0 10 * * MON-SAT"},
		{"0 18 * * 0", "0 18 * * 7"},
		{"0 18 * * sun", "0 18 * * 0"},
		{"0 0 * * sat-sun", "0 0 * * 6,0"},
		{"*/15 * * * *", "0,15,30,45 * * * *"},
		{"5/20 * * * *", "5,25,45 * * * *"},
		{"1-10/3 * * * *", "1,4,7,10 * * * *"},
		{"0 0 1 jan,Jul *", "0 0 1 1,7 *"},
		{"@daily", "0 0 * * *"},
		{"@midnight", "0 0 * * *"},
		{"@hourly", "0 * * * *"},
		{"@weekly", "0 0 * * 0"},
		{"@monthly", "0 0 1 * *"},
		{"@yearly", "0 0 1 1 *"},
		{"@annually", "0 0 1 1 *"},
		{"  0\t10  * * *  ", "0 10 * * *"},
		{"0 0 * * */2", "0 0 * * 0,2,4,6"},
		{"0 0 * * 1-7", "0 0 * * *"},
};

START_TEST(test_parse_same)
{
	struct cron_expr a, b;
	struct cron_error err;

	ck_assert_msg(cron_parse(same[_i].a, &a, &err) == 0, "%s: %s",
			same[_i].a, err.reason);
	ck_assert_int_eq(cron_parse(same[_i].b, &b, &err), 0);
	ck_assert_uint_eq(a.minute, b.minute);
	ck_assert_uint_eq(a.hour, b.hour);
	ck_assert_uint_eq(a.mday, b.mday);
	ck_assert_uint_eq(a.month, b.month);
	ck_assert_uint_eq(a.wday, b.wday);
}
END_TEST

/* ---- next fire ---------------------------------------------------------- */

static const struct {
	const char *zone;
	int off_min; /* offset the times below are in (0: UTC) */
	const char *expr;
	struct ymdhm after;
	struct ymdhm want[3];
} nexts[] = {
		/* Shanghai, local times (+8) */
		{"Asia_Shanghai", 480, "0 10 * * 1-6", {2026, 12, 5, 10, 0},
				{{2026, 12, 7, 10, 0}, {2026, 12, 8, 10, 0},
						{2026, 12, 9, 10, 0}}},
		{"Asia_Shanghai", 480, "30 20 * * 1-6", {2026, 12, 2, 20, 30},
				{{2026, 12, 3, 20, 30}, {2026, 12, 4, 20, 30},
						{2026, 12, 5, 20, 30}}},
		{"Asia_Shanghai", 480, "*/15 9-10 * * *", {2026, 12, 2, 10, 50},
				{{2026, 12, 3, 9, 0}, {2026, 12, 3, 9, 15},
						{2026, 12, 3, 9, 30}}},
		{"Asia_Shanghai", 480, "0 0 1 jan,jul *", {2026, 1, 1, 0, 0},
				{{2026, 7, 1, 0, 0}, {2027, 1, 1, 0, 0},
						{2027, 7, 1, 0, 0}}},
		{"Asia_Shanghai", 480, "0 12 29 2 *", {2026, 3, 1, 0, 0},
				{{2028, 2, 29, 12, 0}, {2032, 2, 29, 12, 0},
						{2036, 2, 29, 12, 0}}},
		/* day-of-month OR day-of-week when both are restricted */
		{"Asia_Shanghai", 480, "0 9 13 * fri", {2026, 12, 1, 0, 0},
				{{2026, 12, 4, 9, 0}, {2026, 12, 11, 9, 0},
						{2026, 12, 13, 9, 0}}},
		/* ... AND when one starts with '*' */
		{"Asia_Shanghai", 480, "0 0 */2 * *", {2026, 12, 30, 0, 0},
				{{2026, 12, 31, 0, 0}, {2027, 1, 1, 0, 0},
						{2027, 1, 3, 0, 0}}},
		{"Asia_Shanghai", 480, "0 18 * * sun", {2026, 12, 2, 0, 0},
				{{2026, 12, 6, 18, 0}, {2026, 12, 13, 18, 0},
						{2026, 12, 20, 18, 0}}},
		{"Asia_Shanghai", 480, "@hourly", {2026, 12, 2, 10, 30},
				{{2026, 12, 2, 11, 0}, {2026, 12, 2, 12, 0},
						{2026, 12, 2, 13, 0}}},
		{"Asia_Shanghai", 480, "59 23 31 12 *", {2026, 12, 31, 23, 59},
				{{2027, 12, 31, 23, 59}, {2028, 12, 31, 23, 59},
						{2029, 12, 31, 23, 59}}},
		/* Urumqi: the same wall clock is two hours later in UTC */
		{"Asia_Urumqi", 360, "0 10 * * 1-6", {2026, 12, 5, 10, 0},
				{{2026, 12, 7, 10, 0}, {2026, 12, 8, 10, 0},
						{2026, 12, 9, 10, 0}}},
		/* New York, UTC times: 02:30 in the gap fires at 03:00 EDT */
		{"America_New_York", 0, "30 2 * * *", {2026, 3, 7, 8, 0},
				{{2026, 3, 8, 7, 0}, {2026, 3, 9, 6, 30},
						{2026, 3, 10, 6, 30}}},
		/* several gap minutes collapse into one fire */
		{"America_New_York", 0, "*/20 2 * * *", {2026, 3, 8, 5, 0},
				{{2026, 3, 8, 7, 0}, {2026, 3, 9, 6, 0},
						{2026, 3, 9, 6, 20}}},
		/* 01:30 exists twice: fires once, at the first (EDT) */
		{"America_New_York", 0, "30 1 * * *", {2026, 10, 31, 16, 0},
				{{2026, 11, 1, 5, 30}, {2026, 11, 2, 6, 30},
						{2026, 11, 3, 6, 30}}},
		/* hourly: the repeated hour does not fire again */
		{"America_New_York", 0, "0 * * * *", {2026, 11, 1, 4, 30},
				{{2026, 11, 1, 5, 0}, {2026, 11, 1, 7, 0},
						{2026, 11, 1, 8, 0}}},
		/* from inside the second pass of the overlap */
		{"America_New_York", 0, "*/30 * * * *", {2026, 11, 1, 6, 10},
				{{2026, 11, 1, 7, 0}, {2026, 11, 1, 7, 30},
						{2026, 11, 1, 8, 0}}},
		/* Berlin: 02:00 in the gap -> 03:00 CEST = 01:00Z */
		{"Europe_Berlin", 0, "0 2 * * *", {2026, 3, 28, 12, 0},
				{{2026, 3, 29, 1, 0}, {2026, 3, 30, 0, 0},
						{2026, 3, 31, 0, 0}}},
		/* after the table: the footer rule (2045: 26 March) */
		{"Europe_Berlin", 0, "30 2 * * *", {2045, 3, 25, 12, 0},
				{{2045, 3, 26, 1, 0}, {2045, 3, 27, 0, 30},
						{2045, 3, 28, 0, 30}}},
};

START_TEST(test_next)
{
	struct tz_zone *z = load(nexts[_i].zone);
	struct cron_expr e;
	struct cron_error err;
	struct cron_fire f;
	int64_t t = utc_of(&nexts[_i].after, nexts[_i].off_min);
	int k;

	ck_assert_int_eq(cron_parse(nexts[_i].expr, &e, &err), 0);
	for (k = 0; k < 3; k++) {
		int64_t want = utc_of(&nexts[_i].want[k], nexts[_i].off_min);

		ck_assert_int_eq(cron_next(&e, z, NULL, t, &f), 0);
		ck_assert_msg(f.at == want,
				"%s #%d: got %lld want %lld (%+lld min)",
				nexts[_i].expr, k, (long long) f.at,
				(long long) want,
				(long long) (f.at - want) / 60);
		ck_assert_int_eq(f.nominal, f.at);
		ck_assert(!f.postponed);
		t = f.at;
	}
	tz_free(z);
}
END_TEST

/* ---- holidays and quiet hours (Shanghai local times) ------------------- */

static const struct {
	const char *expr;
	int quiet_from, quiet_to;
	enum cron_quiet_policy policy;
	bool holidays; /* 2026-10-01..03 */
	struct ymdhm after;
	struct ymdhm want[3];
	struct ymdhm nominal0; /* nominal time of want[0] */
} cal_cases[] = {
		{"0 * * * *", 1290, 450, CRON_QUIET_POSTPONE, false,
				{2026, 12, 2, 20, 30},
				{{2026, 12, 2, 21, 0}, {2026, 12, 3, 7, 30},
						{2026, 12, 3, 8, 0}},
				{2026, 12, 2, 21, 0}},
		{"0 22 * * *", 1290, 450, CRON_QUIET_POSTPONE, false,
				{2026, 12, 2, 12, 0},
				{{2026, 12, 3, 7, 30}, {2026, 12, 4, 7, 30},
						{2026, 12, 5, 7, 30}},
				{2026, 12, 2, 22, 0}},
		{"0 * * * *", 1290, 450, CRON_QUIET_SKIP, false,
				{2026, 12, 2, 20, 30},
				{{2026, 12, 2, 21, 0}, {2026, 12, 3, 8, 0},
						{2026, 12, 3, 9, 0}},
				{2026, 12, 2, 21, 0}},
		{"30 12 * * *", 720, 780, CRON_QUIET_POSTPONE, false,
				{2026, 12, 2, 0, 0},
				{{2026, 12, 2, 13, 0}, {2026, 12, 3, 13, 0},
						{2026, 12, 4, 13, 0}},
				{2026, 12, 2, 12, 30}},
		{"0 10 * * *", 0, 0, CRON_QUIET_POSTPONE, true,
				{2026, 9, 30, 10, 0},
				{{2026, 10, 4, 10, 0}, {2026, 10, 5, 10, 0},
						{2026, 10, 6, 10, 0}},
				{2026, 10, 4, 10, 0}},
		/* postponed onto a holiday, or standing for one: skipped */
		{"0 23 * * *", 1290, 450, CRON_QUIET_POSTPONE, true,
				{2026, 9, 30, 12, 0},
				{{2026, 10, 5, 7, 30}, {2026, 10, 6, 7, 30},
						{2026, 10, 7, 7, 30}},
				{2026, 10, 4, 23, 0}},
		/* quiet from midnight: a midnight fire postponed same day */
		{"0 0 * * *", 0, 420, CRON_QUIET_POSTPONE, true,
				{2026, 9, 30, 12, 0},
				{{2026, 10, 4, 7, 0}, {2026, 10, 5, 7, 0},
						{2026, 10, 6, 7, 0}},
				{2026, 10, 4, 0, 0}},
};

START_TEST(test_calendar)
{
	struct tz_zone *z = load("Asia_Shanghai");
	struct cron_expr e;
	struct cron_error err;
	struct cron_calendar cal;
	struct cron_fire f;
	int32_t hol[3];
	int64_t t = utc_of(&cal_cases[_i].after, 480);
	int k;

	hol[0] = (int32_t) tz_days_from_civil(2026, 10, 1);
	hol[1] = hol[0] + 1;
	hol[2] = hol[0] + 2;
	cal.holidays = cal_cases[_i].holidays ? hol : NULL;
	cal.n_holidays = cal_cases[_i].holidays ? 3 : 0;
	cal.quiet_from = cal_cases[_i].quiet_from;
	cal.quiet_to = cal_cases[_i].quiet_to;
	cal.quiet = cal_cases[_i].policy;
	ck_assert_int_eq(cron_parse(cal_cases[_i].expr, &e, &err), 0);
	for (k = 0; k < 3; k++) {
		int64_t want = utc_of(&cal_cases[_i].want[k], 480);

		ck_assert_int_eq(cron_next(&e, z, &cal, t, &f), 0);
		ck_assert_msg(f.at == want, "%s #%d: off by %lld min",
				cal_cases[_i].expr, k,
				(long long) (f.at - want) / 60);
		if (k == 0) {
			ck_assert_int_eq(f.nominal,
					utc_of(&cal_cases[_i].nominal0, 480));
			ck_assert_int_eq(f.postponed, f.nominal != f.at);
		}
		ck_assert_int_le(f.nominal, f.at);
		t = f.at;
	}
	tz_free(z);
}
END_TEST

START_TEST(test_never)
{
	struct tz_zone *z = load("Asia_Shanghai");
	struct cron_expr e;
	struct cron_calendar cal = {NULL, 0, 0, 1439, CRON_QUIET_SKIP};
	struct cron_fire f;
	struct ymdhm t0 = {2026, 12, 2, 0, 0};

	/* every minute of the day but 23:59 is quiet; 23:59 is not cron */
	ck_assert_int_eq(cron_parse("0 * * * *", &e, NULL), 0);
	ck_assert_int_eq(cron_next(&e, z, &cal, utc_of(&t0, 480), &f), -ENOENT);
	ck_assert_int_eq(cron_next(&e, z, NULL, TZ_MAX_T - 30, &f), -ERANGE);
	tz_free(z);
}
END_TEST

/* ---- catch-up ----------------------------------------------------------- */

static const struct {
	const char *expr;
	struct ymdhm last, now;
	int64_t grace;
	bool fire;
	struct ymdhm due;
	unsigned long skipped;
	struct ymdhm first_skipped, last_skipped;
	struct ymdhm next;
} catchups[] = {
		/* down over a deadline, back within the grace: fire it */
		{"0 10 * * *", {2026, 12, 1, 10, 0}, {2026, 12, 2, 10, 30},
				3600, true, {2026, 12, 2, 10, 0}, 0, {0}, {0},
				{2026, 12, 3, 10, 0}},
		/* back after the grace: skipped */
		{"0 10 * * *", {2026, 12, 1, 10, 0}, {2026, 12, 2, 11, 30},
				3600, false, {0}, 1, {2026, 12, 2, 10, 0},
				{2026, 12, 2, 10, 0}, {2026, 12, 3, 10, 0}},
		/* down for days: only the latest fires */
		{"0 10 * * *", {2026, 11, 28, 10, 0}, {2026, 12, 2, 10, 10},
				3600, true, {2026, 12, 2, 10, 0}, 3,
				{2026, 11, 29, 10, 0}, {2026, 12, 1, 10, 0},
				{2026, 12, 3, 10, 0}},
		/* nothing due */
		{"0 10 * * *", {2026, 12, 2, 10, 0}, {2026, 12, 2, 10, 0}, 3600,
				false, {0}, 0, {0}, {0}, {2026, 12, 3, 10, 0}},
		/* exactly at the edge of the grace */
		{"30 20 * * 1-6", {2026, 12, 1, 20, 30}, {2026, 12, 2, 21, 0},
				1800, true, {2026, 12, 2, 20, 30}, 0, {0}, {0},
				{2026, 12, 3, 20, 30}},
		{"30 20 * * 1-6", {2026, 12, 1, 20, 30}, {2026, 12, 2, 21, 0},
				1799, false, {0}, 1, {2026, 12, 2, 20, 30},
				{2026, 12, 2, 20, 30}, {2026, 12, 3, 20, 30}},
};

START_TEST(test_catchup)
{
	struct tz_zone *z = load("Asia_Shanghai");
	struct cron_expr e;
	struct cron_catchup r;

	ck_assert_int_eq(cron_parse(catchups[_i].expr, &e, NULL), 0);
	ck_assert_int_eq(cron_catchup(&e, z, NULL,
					 utc_of(&catchups[_i].last, 480),
					 utc_of(&catchups[_i].now, 480),
					 catchups[_i].grace, &r),
			0);
	ck_assert_int_eq(r.fire, catchups[_i].fire);
	if (r.fire)
		ck_assert_int_eq(r.due.at, utc_of(&catchups[_i].due, 480));
	ck_assert_uint_eq(r.n_skipped, catchups[_i].skipped);
	ck_assert(!r.skipped_capped);
	if (r.n_skipped) {
		ck_assert_int_eq(r.first_skipped.at,
				utc_of(&catchups[_i].first_skipped, 480));
		ck_assert_int_eq(r.last_skipped.at,
				utc_of(&catchups[_i].last_skipped, 480));
	}
	ck_assert(r.has_next);
	ck_assert_int_eq(r.next.at, utc_of(&catchups[_i].next, 480));
	tz_free(z);
}
END_TEST

START_TEST(test_catchup_capped)
{
	struct tz_zone *z = load("Asia_Shanghai");
	struct cron_expr e;
	struct cron_catchup r;
	struct ymdhm last = {2026, 1, 1, 0, 0}, now = {2026, 12, 2, 10, 0};

	ck_assert_int_eq(cron_parse("* * * * *", &e, NULL), 0);
	ck_assert_int_eq(cron_catchup(&e, z, NULL, utc_of(&last, 480),
					 utc_of(&now, 480), 300, &r),
			0);
	ck_assert(r.fire);
	ck_assert_int_eq(r.due.at, utc_of(&now, 480));
	ck_assert(r.skipped_capped);
	ck_assert_uint_eq(r.n_skipped, CRON_CATCHUP_CAP);
	ck_assert_int_eq(r.first_skipped.at, utc_of(&last, 480) + 60);
	ck_assert_int_eq(r.last_skipped.at, utc_of(&now, 480) - 60);
	ck_assert_int_eq(r.next.at, utc_of(&now, 480) + 60);
	tz_free(z);
}
END_TEST

/* ---- brute force -------------------------------------------------------- */

static const char *const pick[5][7] = {
		{"*", "0", "*/15", "5,35", "10-20/5", "59", "30"},
		{"*", "9", "8-18", "*/6", "0,12", "23", "10"},
		{"*", "1", "13", "*/2", "10-20", "31", "*"},
		{"*", "*", "*", "jan-jun", "2", "*/3", "dec"},
		{"*", "*", "mon-fri", "0", "7", "sat,sun", "5"},
};

/* The first matching minute after t, by scanning (fixed offset). */
static int64_t scan(const struct cron_expr *e, int64_t t, int off)
{
	int64_t m;

	for (m = (t / 60 + 1) * 60; m < t + 400LL * 86400; m += 60) {
		time_t lt = (time_t) (m + off);
		struct tm tm;
		struct tz_civil c;

		gmtime_r(&lt, &tm);
		c.year = tm.tm_year + 1900;
		c.mon = tm.tm_mon + 1;
		c.mday = tm.tm_mday;
		c.hour = tm.tm_hour;
		c.min = tm.tm_min;
		c.sec = 0;
		if (cron_matches(e, &c))
			return m;
	}
	return -1;
}

START_TEST(test_brute_force)
{
	struct tz_zone *z = NULL;
	struct tu_rng rng;
	int i, checked = 0;

	ck_assert_int_eq(tz_from_posix("CST-8", &z, NULL), 0);
	tu_rng_seed(&rng, 20261202);
	for (i = 0; i < 300; i++) {
		char expr[96];
		struct cron_expr e;
		struct cron_error err;
		struct cron_fire f;
		int64_t t = 1735689600 + (int64_t) tu_rng_below(&rng, 1u << 30);
		int64_t want;

		snprintf(expr, sizeof(expr), "%s %s %s %s %s",
				pick[0][tu_rng_below(&rng, 7)],
				pick[1][tu_rng_below(&rng, 7)],
				pick[2][tu_rng_below(&rng, 7)],
				pick[3][tu_rng_below(&rng, 7)],
				pick[4][tu_rng_below(&rng, 7)]);
		if (cron_parse(expr, &e, &err) < 0) {
			ck_assert_int_eq(err.field, CRON_FIELD_MDAY);
			continue;
		}
		want = scan(&e, t, 28800);
		if (want < 0)
			continue; /* rarer than 400 days */
		if (cron_next(&e, z, NULL, t, &f) != 0 || f.at != want)
			ck_abort_msg("%s after %lld: %lld != %lld", expr,
					(long long) t, (long long) f.at,
					(long long) want);
		checked++;
	}
	ck_assert_int_gt(checked, 200);
	tz_free(z);
}
END_TEST

static Suite *cron_suite(void)
{
	Suite *s = suite_create("cron");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(
			tc, test_parse_errors, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_loop_test(
			tc, test_parse_same, 0, sizeof(same) / sizeof(same[0]));
	tcase_add_loop_test(tc, test_next, 0, sizeof(nexts) / sizeof(nexts[0]));
	tcase_add_loop_test(tc, test_calendar, 0,
			sizeof(cal_cases) / sizeof(cal_cases[0]));
	tcase_add_test(tc, test_never);
	tcase_add_test(tc, test_format_error);
	tcase_add_loop_test(tc, test_catchup, 0,
			sizeof(catchups) / sizeof(catchups[0]));
	tcase_add_test(tc, test_catchup_capped);
	tcase_add_test(tc, test_brute_force);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cron_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
