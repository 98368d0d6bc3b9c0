/*
 * check_rules_time: Unix seconds to the rules engine's local time
 * (gateway/rules_time.c), table-driven, in real zones.
 */
#include <check.h>
#include <stdlib.h>
#include <time.h>

#include "gateway/rules_time.h"

static const struct {
	int64_t unix_s;
	const char *tz;
	int y, mo, d, h, mi, s, wday;
} cases[] = {
		/* 2026-06-01 00:30:00 UTC = 08:30 in Shanghai, a Monday */
		{1780273800, "Asia/Shanghai", 2026, 6, 1, 8, 30, 0, 1},
		{1780273800, "UTC", 2026, 6, 1, 0, 30, 0, 1},
		/* 15:59:59 UTC on 31 May is 23:59:59 the same day in +08 */
		{1780243199, "Asia/Shanghai", 2026, 5, 31, 23, 59, 59, 0},
		/* one second later it is 1 June there, still 31 May in UTC */
		{1780243200, "Asia/Shanghai", 2026, 6, 1, 0, 0, 0, 1},
		{1780243200, "UTC", 2026, 5, 31, 16, 0, 0, 0},
		/* Kathmandu is +05:45 */
		{1780273800, "Asia/Kathmandu", 2026, 6, 1, 6, 15, 0, 1},
		/* New Year across zones */
		{1798761600, "UTC", 2027, 1, 1, 0, 0, 0, 5},
		{1798761600, "America/New_York", 2026, 12, 31, 19, 0, 0, 4},
};

START_TEST(test_convert)
{
	struct rules_time t;

	ck_assert_int_eq(gw_rules_time(cases[_i].unix_s, cases[_i].tz, &t), 0);
	ck_assert_int_eq(t.unix, cases[_i].unix_s);
	ck_assert_int_eq(t.year, cases[_i].y);
	ck_assert_int_eq(t.month, cases[_i].mo);
	ck_assert_int_eq(t.day, cases[_i].d);
	ck_assert_int_eq(t.hour, cases[_i].h);
	ck_assert_int_eq(t.minute, cases[_i].mi);
	ck_assert_int_eq(t.second, cases[_i].s);
	ck_assert_int_eq(t.wday, cases[_i].wday);
}
END_TEST

START_TEST(test_unknown_time)
{
	struct rules_time t = {.year = 9, .hour = 9};

	ck_assert_int_eq(gw_rules_time(0, "Asia/Shanghai", &t), 0);
	ck_assert_int_eq(t.unix, 0);
	ck_assert_int_eq(t.year, 0);
	ck_assert_int_eq(t.hour, 0);
}
END_TEST

/*
 * The zone comes from the zone file (rules/tz.h): the process's TZ is
 * never changed, and an empty zone is the process's own.
 */
START_TEST(test_process_zone_untouched)
{
	struct rules_time t;
	const char *tz;

	setenv("TZ", "UTC", 1); /* the test's own process zone */
	tzset();
	ck_assert_int_eq(gw_rules_time(1780273800, "Asia/Shanghai", &t), 0);
	ck_assert_int_eq(t.hour, 8);
	tz = getenv("TZ");
	ck_assert_ptr_nonnull(tz);
	ck_assert_str_eq(tz, "UTC");
	ck_assert_int_eq(gw_rules_time(1780273800, "", &t), 0);
	ck_assert_int_eq(t.hour, 0);
	/* an unknown zone falls back to the process's */
	ck_assert_int_eq(gw_rules_time(1780273800, "No/Such_Zone", &t), 0);
	ck_assert_int_eq(t.hour, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_time");
	TCase *tc = tcase_create("convert");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_convert, 0,
			(int) (sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_unknown_time);
	tcase_add_test(tc, test_process_zone_untouched);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
