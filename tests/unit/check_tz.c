/*
 * rules/tz: TZif parsing and conversions, checked against the C
 * library's own conversion with TZ set (in this test only: rules/ never
 * touches TZ) on the system's zoneinfo and on copies in
 * tests/data/sched/zoneinfo, plus tables of known DST transitions.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/tz.h"

static uint8_t *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n + 1);
	if (buf && fread(buf, 1, (size_t) n, f) != (size_t) n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*ret_len = (size_t) n;
	return buf;
}

static const char *data_path(const char *file)
{
	static char path[4096];
	char *d = realpath(getenv("top_srcdir") ? getenv("top_srcdir") : ".",
			NULL);

	/* absolute: the C library wants TZ=":/abs/path" */
	snprintf(path, sizeof(path), "%s/tests/data/sched/zoneinfo/%s",
			d ? d : ".", file);
	free(d);
	return path;
}

static struct tz_zone *load(const char *path)
{
	struct tz_zone *z = NULL;
	const char *why = NULL;
	size_t len = 0;
	uint8_t *buf = slurp(path, &len);
	int rc;

	ck_assert_msg(buf != NULL, "cannot read %s", path);
	rc = tz_parse(buf, len, path, &z, &why);
	ck_assert_msg(rc == 0, "%s: %s", path, why ? why : "?");
	free(buf);
	return z;
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {0};

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t) timegm(&tm);
}

/* ---- against the C library -------------------------------------------- */

/* (zoneinfo file, TZ value for the C library) */
static const struct {
	const char *path; /* absolute, or relative to the data dir */
	const char *tzenv;
} libc_cases[] = {
		{"/usr/share/zoneinfo/Asia/Shanghai", "Asia/Shanghai"},
		{"/usr/share/zoneinfo/Asia/Urumqi", "Asia/Urumqi"},
		{"/usr/share/zoneinfo/Europe/Berlin", "Europe/Berlin"},
		{"/usr/share/zoneinfo/America/New_York", "America/New_York"},
		{"Asia_Shanghai", NULL},
		{"Asia_Urumqi", NULL},
		{"Europe_Berlin", NULL},
		{"America_New_York", NULL},
		{"America_Nuuk", NULL},	    /* v3: negative rule times */
		{"Australia_Sydney", NULL}, /* southern hemisphere */
		{"America_Sao_Paulo", NULL},
};

static void compare_with_libc(const struct tz_zone *z, int64_t t)
{
	struct tz_local l;
	struct tm tm;
	time_t tt = (time_t) t;

	/* plain ifs: check writes to a pipe on every ck_assert */
	if (tz_to_local(z, t, &l) != 0 || !localtime_r(&tt, &tm))
		ck_abort_msg("t=%lld: conversion failed", (long long) t);
	if (!(l.civil.year == tm.tm_year + 1900 &&
			    l.civil.mon == tm.tm_mon + 1 &&
			    l.civil.mday == tm.tm_mday &&
			    l.civil.hour == tm.tm_hour &&
			    l.civil.min == tm.tm_min &&
			    l.civil.sec == tm.tm_sec && l.wday == tm.tm_wday &&
			    l.yday == tm.tm_yday && l.utoff == tm.tm_gmtoff &&
			    (int) l.isdst == (tm.tm_isdst > 0) &&
			    strcmp(l.abbr, tm.tm_zone) == 0))
		ck_abort_msg("%s t=%lld: ours %04d-%02d-%02d %02d:%02d:%02d "
			     "%+d "
			     "%d %s, libc %04d-%02d-%02d %02d:%02d:%02d %+ld "
			     "%d %s",
				tz_name(z), (long long) t, l.civil.year,
				l.civil.mon, l.civil.mday, l.civil.hour,
				l.civil.min, l.civil.sec, l.utoff, l.isdst,
				l.abbr, tm.tm_year + 1900, tm.tm_mon + 1,
				tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
				tm.tm_gmtoff, tm.tm_isdst, tm.tm_zone);
}

START_TEST(test_against_libc)
{
	const char *p = libc_cases[_i].path;
	char tzenv[4200];
	struct tz_zone *z;
	int64_t t, a, b;

	if (p[0] != '/')
		p = data_path(p);
	z = load(p);
	if (libc_cases[_i].tzenv)
		snprintf(tzenv, sizeof(tzenv), "%s", libc_cases[_i].tzenv);
	else
		snprintf(tzenv, sizeof(tzenv), ":%s", p);
	setenv("TZ", tzenv, 1);
	tzset();
	/* Every 7h13m7s from 1902 to 2100: all hours, all weekdays. */
	for (t = utc(1902, 1, 1, 0, 0, 0); t < utc(2100, 1, 1, 0, 0, 0);
			t += 7 * 3600 + 13 * 60 + 7)
		compare_with_libc(z, t);
	/* Each side of every transition 1950..2100 (table and rule). */
	for (t = utc(1950, 1, 1, 0, 0, 0); t < utc(2100, 1, 1, 0, 0, 0);
			t = b) {
		if (tz_period(z, t, &a, &b, NULL, NULL) != 0 || a > t || b <= t)
			ck_abort_msg("period of %lld", (long long) t);
		if (b == INT64_MAX)
			break;
		compare_with_libc(z, b - 1);
		compare_with_libc(z, b);
	}
	tz_free(z);
	unsetenv("TZ");
	tzset();
}
END_TEST

/* POSIX strings alone (the footer grammar), against the C library. */
static const char *const posix_cases[] = {
		"CST-8",
		"<+06>-6",
		"EST5EDT,M3.2.0,M11.1.0",
		"CET-1CEST,M3.5.0,M10.5.0/3",
		"<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
		"AEST-10AEDT,M10.1.0,M4.1.0/3",
		"NZST-12NZDT,M9.5.0,M4.1.0/3",
		"IST-5:30",
		"<+0545>-5:45",
		"XXX3YYY,J60/2,J300/2",
		"XXX3YYY,59/2,299/2",
		"UTC0",
};

START_TEST(test_posix_against_libc)
{
	struct tz_zone *z = NULL;
	const char *why = NULL;
	int64_t t;

	ck_assert_int_eq(tz_from_posix(posix_cases[_i], &z, &why), 0);
	setenv("TZ", posix_cases[_i], 1);
	tzset();
	for (t = utc(1990, 1, 1, 0, 0, 0); t < utc(2060, 1, 1, 0, 0, 0);
			t += 5 * 3600 + 17 * 60 + 3)
		compare_with_libc(z, t);
	tz_free(z);
	unsetenv("TZ");
	tzset();
}
END_TEST

/*
 * DST all year (RFC 8536 §3.3.1's example): the end of one year's DST
 * and the start of the next coincide.  (glibc 2.36 disagrees here, so
 * this is checked against the RFC instead.)
 */
START_TEST(test_dst_all_year)
{
	static const char *const rules[] = {
			"EST5EDT,0/0,J365/25", "<-03>3<-02>,0/0,J365/25"};
	static const int32_t off[] = {-14400, -7200};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct tz_zone *z = NULL;
		int64_t t;

		ck_assert_int_eq(tz_from_posix(rules[i], &z, NULL), 0);
		for (t = utc(1990, 1, 1, 0, 0, 0); t < utc(2060, 1, 1, 0, 0, 0);
				t += 3 * 3600 + 7) {
			struct tz_local l;

			if (tz_to_local(z, t, &l) != 0 || l.utoff != off[i] ||
					!l.isdst)
				ck_abort_msg("%s at %lld: %d", rules[i],
						(long long) t, l.utoff);
		}
		tz_free(z);
	}
}
END_TEST

/* ---- known transitions -------------------------------------------------- */

static const struct {
	const char *file;
	int y, mo, d, h, mi; /* UTC instant */
	int lh, lmi;	     /* local wall clock */
	int32_t utoff;
	bool isdst;
	const char *abbr;
} known[] = {
		/* New York 2026: 02:00 EST -> 03:00 EDT, 02:00 EDT -> 01:00 */
		{"America_New_York", 2026, 3, 8, 6, 59, 1, 59, -18000, false,
				"EST"},
		{"America_New_York", 2026, 3, 8, 7, 0, 3, 0, -14400, true,
				"EDT"},
		{"America_New_York", 2026, 11, 1, 5, 59, 1, 59, -14400, true,
				"EDT"},
		{"America_New_York", 2026, 11, 1, 6, 0, 1, 0, -18000, false,
				"EST"},
		/* After the table (2040): the footer rule. */
		{"America_New_York", 2040, 3, 11, 7, 0, 3, 0, -14400, true,
				"EDT"},
		/* Berlin 2026: 29 March 01:00 UTC, 25 October 01:00 UTC. */
		{"Europe_Berlin", 2026, 3, 29, 0, 59, 1, 59, 3600, false,
				"CET"},
		{"Europe_Berlin", 2026, 3, 29, 1, 0, 3, 0, 7200, true, "CEST"},
		{"Europe_Berlin", 2026, 10, 25, 1, 0, 2, 0, 3600, false, "CET"},
		/* Shanghai: CST all year now; summer time in 1988. */
		{"Asia_Shanghai", 2026, 7, 1, 2, 0, 10, 0, 28800, false, "CST"},
		{"Asia_Shanghai", 1988, 7, 1, 2, 0, 11, 0, 32400, true, "CDT"},
		/* Urumqi: +06 all year (the footer "<+06>-6"). */
		{"Asia_Urumqi", 2026, 1, 5, 4, 0, 10, 0, 21600, false, "+06"},
		{"Asia_Urumqi", 2090, 6, 5, 4, 0, 10, 0, 21600, false, "+06"},
};

START_TEST(test_known)
{
	struct tz_zone *z = load(data_path(known[_i].file));
	struct tz_local l;

	ck_assert_int_eq(tz_to_local(z,
					 utc(known[_i].y, known[_i].mo,
							 known[_i].d,
							 known[_i].h,
							 known[_i].mi, 0),
					 &l),
			0);
	ck_assert_int_eq(l.civil.hour, known[_i].lh);
	ck_assert_int_eq(l.civil.min, known[_i].lmi);
	ck_assert_int_eq(l.utoff, known[_i].utoff);
	ck_assert_int_eq(l.isdst, known[_i].isdst);
	ck_assert_str_eq(l.abbr, known[_i].abbr);
	tz_free(z);
}
END_TEST

/* ---- local -> UTC: gaps and overlaps ------------------------------------ */

static const struct {
	const char *file;
	struct tz_civil c;   /* local */
	int y, mo, d, h, mi; /* expected UTC */
} to_utc[] = {
		/* ordinary */
		{"Asia_Shanghai", {2026, 12, 2, 10, 0, 0}, 2026, 12, 2, 2, 0},
		{"Asia_Urumqi", {2026, 12, 2, 10, 0, 0}, 2026, 12, 2, 4, 0},
		/* New York gap: 02:30 does not exist -> 03:00 EDT (07:00Z) */
		{"America_New_York", {2026, 3, 8, 2, 30, 0}, 2026, 3, 8, 7, 0},
		{"America_New_York", {2026, 3, 8, 2, 0, 0}, 2026, 3, 8, 7, 0},
		{"America_New_York", {2026, 3, 8, 1, 59, 0}, 2026, 3, 8, 6, 59},
		{"America_New_York", {2026, 3, 8, 3, 0, 0}, 2026, 3, 8, 7, 0},
		/* overlap: 01:30 happens twice -> the first (EDT, 05:30Z) */
		{"America_New_York", {2026, 11, 1, 1, 30, 0}, 2026, 11, 1, 5,
				30},
		{"America_New_York", {2026, 11, 1, 2, 0, 0}, 2026, 11, 1, 7, 0},
		/* Berlin gap 02:30 -> 03:00 CEST (01:00Z); overlap 02:30 */
		{"Europe_Berlin", {2026, 3, 29, 2, 30, 0}, 2026, 3, 29, 1, 0},
		{"Europe_Berlin", {2026, 10, 25, 2, 30, 0}, 2026, 10, 25, 0,
				30},
		/* footer era */
		{"Europe_Berlin", {2051, 3, 26, 2, 30, 0}, 2051, 3, 26, 1, 0},
		/* normalization: 24:00 is the next midnight, Feb 30 -> Mar 2 */
		{"Asia_Shanghai", {2026, 12, 31, 24, 0, 0}, 2026, 12, 31, 16,
				0},
		{"Asia_Shanghai", {2026, 2, 30, 8, 0, 0}, 2026, 3, 2, 0, 0},
		{"Asia_Shanghai", {2026, 13, 1, 8, 0, 0}, 2027, 1, 1, 0, 0},
};

START_TEST(test_local_to_utc)
{
	struct tz_zone *z = load(data_path(to_utc[_i].file));
	int64_t t = 0;

	ck_assert_int_eq(tz_local_to_utc(z, &to_utc[_i].c, &t), 0);
	ck_assert_int_eq(t, utc(to_utc[_i].y, to_utc[_i].mo, to_utc[_i].d,
					    to_utc[_i].h, to_utc[_i].mi, 0));
	tz_free(z);
}
END_TEST

/* Round trip: local_to_utc(to_local(t)) == t, except in the second
 * pass of an overlap, where it is the first pass (t - the step). */
START_TEST(test_round_trip)
{
	static const char *const files[] = {"America_New_York", "Europe_Berlin",
			"Asia_Shanghai", "Australia_Sydney", "America_Nuuk"};
	size_t f;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct tz_zone *z = load(data_path(files[f]));
		int64_t t;

		for (t = utc(1970, 1, 1, 0, 0, 0); t < utc(2080, 1, 1, 0, 0, 0);
				t += 3 * 3571) {
			struct tz_local l, l2;
			int64_t back;

			if (tz_to_local(z, t, &l) != 0 ||
					tz_local_to_utc(z, &l.civil, &back) !=
							0 ||
					back > t ||
					tz_to_local(z, back, &l2) != 0 ||
					back + l2.utoff != t + l.utoff)
				ck_abort_msg("%s: round trip of %lld gave %lld",
						files[f], (long long) t,
						(long long) back);
			/* else an overlap: back is earlier, with a larger
			 * offset, and within the step */
			if (back != t &&
					(l2.utoff <= l.utoff ||
							t - back > l2.utoff - l.utoff))
				ck_abort_msg("%s: %lld -> %lld", files[f],
						(long long) t,
						(long long) back);
		}
		tz_free(z);
	}
}
END_TEST

/* Local days and weeks as UTC spans. */
static const struct {
	const char *file;
	struct ymdhm_s {
		int y, mo, d, h, mi;
	} t, start, end; /* UTC */
	int week_start;	 /* -1: day */
} spans[] = {
		/* Shanghai 2026-12-02 10:00 local: 2026-12-01 16:00Z.. */
		{"Asia_Shanghai", {2026, 12, 2, 2, 0}, {2026, 12, 1, 16, 0},
				{2026, 12, 2, 16, 0}, -1},
		/* just before local midnight still belongs to that day */
		{"Asia_Shanghai", {2026, 12, 2, 15, 59}, {2026, 12, 1, 16, 0},
				{2026, 12, 2, 16, 0}, -1},
		{"Asia_Shanghai", {2026, 12, 2, 16, 0}, {2026, 12, 2, 16, 0},
				{2026, 12, 3, 16, 0}, -1},
		/* New York spring-forward day is 23 hours, fall-back 25 */
		{"America_New_York", {2026, 3, 8, 12, 0}, {2026, 3, 8, 5, 0},
				{2026, 3, 9, 4, 0}, -1},
		{"America_New_York", {2026, 11, 1, 12, 0}, {2026, 11, 1, 4, 0},
				{2026, 11, 2, 5, 0}, -1},
		/* weeks from Monday: Wed 2026-12-02 -> Mon 11-30 .. Mon 12-07 */
		{"Asia_Shanghai", {2026, 12, 2, 2, 0}, {2026, 11, 29, 16, 0},
				{2026, 12, 6, 16, 0}, 1},
		/* a Sunday evening belongs to the week that began Monday */
		{"Asia_Shanghai", {2026, 12, 6, 12, 0}, {2026, 11, 29, 16, 0},
				{2026, 12, 6, 16, 0}, 1},
		/* weeks from Sunday */
		{"Asia_Shanghai", {2026, 12, 6, 12, 0}, {2026, 12, 5, 16, 0},
				{2026, 12, 12, 16, 0}, 0},
};

START_TEST(test_spans)
{
	struct tz_zone *z = load(data_path(spans[_i].file));
	int64_t a = 0, b = 0;
	int64_t t = utc(spans[_i].t.y, spans[_i].t.mo, spans[_i].t.d,
			spans[_i].t.h, spans[_i].t.mi, 0);

	if (spans[_i].week_start < 0)
		ck_assert_int_eq(tz_day_bounds(z, t, &a, &b), 0);
	else
		ck_assert_int_eq(tz_week_bounds(z, t, spans[_i].week_start, &a,
						 &b),
				0);
	ck_assert_int_eq(
			a, utc(spans[_i].start.y, spans[_i].start.mo,
					   spans[_i].start.d, spans[_i].start.h,
					   spans[_i].start.mi, 0));
	ck_assert_int_eq(b,
			utc(spans[_i].end.y, spans[_i].end.mo, spans[_i].end.d,
					spans[_i].end.h, spans[_i].end.mi, 0));
	ck_assert_int_eq(tz_week_bounds(z, t, 7, &a, &b), -EINVAL);
	tz_free(z);
}
END_TEST

/* ---- malformed input ---------------------------------------------------- */

START_TEST(test_reject)
{
	size_t len = 0;
	uint8_t *good = slurp(data_path("Europe_Berlin"), &len);
	uint8_t *bad;
	struct tz_zone *z = (struct tz_zone *) 1;
	const char *why = NULL;
	size_t cut;

	ck_assert_ptr_nonnull(good);
	/* every truncation is refused, none crashes */
	for (cut = 0; cut < len; cut++) {
		ck_assert_int_eq(tz_parse(good, cut, "x", &z, &why), -EINVAL);
		ck_assert_ptr_null(z);
		ck_assert_ptr_nonnull(why);
	}
	bad = malloc(len);
	memcpy(bad, good, len);
	bad[0] = 'X';
	ck_assert_int_eq(tz_parse(bad, len, "x", &z, &why), -EINVAL);
	ck_assert_str_eq(why, "not a TZif file (bad magic)");
	memcpy(bad, good, len);
	bad[4] = '9';
	ck_assert_int_eq(tz_parse(bad, len, "x", &z, &why), -EINVAL);
	ck_assert_str_eq(why, "unknown TZif version");
	/* break the footer */
	memcpy(bad, good, len);
	bad[len - 5] = '?';
	ck_assert_int_eq(tz_parse(bad, len, "x", &z, &why), -EINVAL);
	ck_assert_str_eq(why, "bad TZ string footer");
	free(bad);
	free(good);

	good = slurp(data_path("right_UTC"), &len);
	ck_assert_ptr_nonnull(good);
	ck_assert_int_eq(tz_parse(good, len, "right/UTC", &z, &why), -ENOTSUP);
	ck_assert_ptr_null(z);
	free(good);

	ck_assert_int_eq(tz_from_posix("", &z, &why), -EINVAL);
	ck_assert_int_eq(tz_from_posix("C", &z, &why), -EINVAL);
	ck_assert_int_eq(tz_from_posix("CST", &z, &why), -EINVAL);
	ck_assert_int_eq(tz_from_posix("CST-8CDT,M3.2.0", &z, &why), -EINVAL);
	ck_assert_int_eq(tz_from_posix("CST-8CDT,M13.2.0,M1.1.0", &z, &why),
			-EINVAL);
	ck_assert_int_eq(tz_from_posix("CST-25", &z, &why), -EINVAL);
	ck_assert_int_eq(tz_from_posix("<+06-6", &z, &why), -EINVAL);
}
END_TEST

/* A version-1 file (the 32-bit block alone, no footer) gives the same
 * answers as the full file for 1970..2037. */
START_TEST(test_version1)
{
	size_t len = 0, v1len;
	uint8_t *buf = slurp(data_path("America_New_York"), &len);
	struct tz_zone *z1 = NULL, *z2 = NULL;
	const char *why = NULL;
	uint32_t cnt[6];
	int i;
	int64_t t;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(buf[4], '2');
	for (i = 0; i < 6; i++)
		cnt[i] = (uint32_t) buf[20 + 4 * i] << 24 |
			 (uint32_t) buf[21 + 4 * i] << 16 |
			 (uint32_t) buf[22 + 4 * i] << 8 | buf[23 + 4 * i];
	/* isut isstd leap time type char */
	v1len = 44 + cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] +
		cnt[0];
	ck_assert_uint_lt(v1len, len);
	buf[4] = 0;
	ck_assert_int_eq(tz_parse(buf, v1len, "v1", &z1, &why), 0);
	buf[4] = '2';
	ck_assert_int_eq(tz_parse(buf, len, "v2", &z2, &why), 0);
	for (t = utc(1970, 1, 1, 0, 0, 0); t < utc(2037, 1, 1, 0, 0, 0);
			t += 86400 * 3 + 3600) {
		struct tz_local a, b;

		if (tz_to_local(z1, t, &a) != 0 ||
				tz_to_local(z2, t, &b) != 0 ||
				a.utoff != b.utoff ||
				a.civil.hour != b.civil.hour)
			ck_abort_msg("v1/v2 differ at %lld", (long long) t);
	}
	tz_free(z1);
	tz_free(z2);
	free(buf);
}
END_TEST

START_TEST(test_range_and_calendar)
{
	struct tz_zone *z = NULL;
	struct tz_local l;
	int64_t t;
	int y, m, d;
	int64_t day;

	ck_assert_int_eq(tz_from_posix("UTC0", &z, NULL), 0);
	ck_assert_int_eq(tz_to_local(z, TZ_MAX_T + 1, &l), -ERANGE);
	ck_assert_int_eq(tz_to_local(z, TZ_MIN_T - 1, &l), -ERANGE);
	ck_assert_int_eq(tz_to_local(z, TZ_MAX_T, &l), 0);
	ck_assert_int_eq(l.civil.year, 9999);
	ck_assert_int_eq(l.civil.sec, 59);
	ck_assert_int_eq(tz_to_local(z, TZ_MIN_T, &l), 0);
	ck_assert_int_eq(l.civil.year, 1);
	ck_assert_int_eq(tz_local_to_utc(z,
					 &(struct tz_civil){
							 10000, 1, 1, 0, 0, 0},
					 &t),
			-ERANGE);
	ck_assert_int_eq(tz_local_to_utc(z,
					 &(struct tz_civil){2000000000, 1, 1, 0,
							 0, 0},
					 &t),
			-ERANGE);
	/* calendar against timegm over 1600..2400 */
	for (day = tz_days_from_civil(1600, 1, 1);
			day < tz_days_from_civil(2400, 1, 1); day += 13) {
		tz_civil_from_days(day, &y, &m, &d);
		if (tz_days_from_civil(y, m, d) != day ||
				utc(y, m, d, 0, 0, 0) != day * 86400 ||
				d > tz_days_in_month(y, m))
			ck_abort_msg("calendar day %lld", (long long) day);
	}
	ck_assert_int_eq(tz_days_in_month(2024, 2), 29);
	ck_assert_int_eq(tz_days_in_month(2100, 2), 28);
	ck_assert_int_eq(tz_days_in_month(2000, 2), 29);
	ck_assert_int_eq(tz_weekday(tz_days_from_civil(2026, 12, 2)), 3);
	tz_free(z);
}
END_TEST

static Suite *tz_suite(void)
{
	Suite *s = suite_create("tz");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_against_libc, 0,
			sizeof(libc_cases) / sizeof(libc_cases[0]));
	tcase_add_loop_test(tc, test_posix_against_libc, 0,
			sizeof(posix_cases) / sizeof(posix_cases[0]));
	tcase_add_test(tc, test_dst_all_year);
	tcase_add_loop_test(
			tc, test_known, 0, sizeof(known) / sizeof(known[0]));
	tcase_add_loop_test(tc, test_local_to_utc, 0,
			sizeof(to_utc) / sizeof(to_utc[0]));
	tcase_add_test(tc, test_round_trip);
	tcase_add_loop_test(
			tc, test_spans, 0, sizeof(spans) / sizeof(spans[0]));
	tcase_add_test(tc, test_reject);
	tcase_add_test(tc, test_version1);
	tcase_add_test(tc, test_range_and_calendar);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tz_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
