/* Unit tests of fieldgatectl's time parsing and formatting (ctl_time.c). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/ctl.h"

/* 2026-11-27T12:00:00Z */
#define NOW 1795780800LL

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

START_TEST(relative)
{
	static const struct {
		const char *s;
		int64_t ago;
	} ok[] = {
			{"90s", 90},
			{"15m", 900},
			{"2h", 7200},
			{"1d", 86400},
			{"1w", 604800},
			{"0h", 0},
	};
	int64_t t;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_int_eq(ctl_parse_time(ok[i].s, NOW, &t), 0);
		ck_assert_int_eq(t, NOW - ok[i].ago);
	}
}
END_TEST

START_TEST(bad_input)
{
	static const char *const bad[] = {
			"",
			"h",
			"2",
			"2x",
			"-1h",
			"+1h",
			"2h30m",
			"1.5h",
			" 2h",
			"99999999999999999999d",
			"40000d",
			"2026-02-30",
			"2026-13-01",
			"2026-11-27T24:00",
			"2026-11-27T08",
			"2026-11-27 08:30:1",
			"2026-11-27T08:30+1",
			"2026-11-27T08:30Zjunk",
			"1969-12-31",
			"2026/11/27",
			"yesterday",
	};
	int64_t t = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ctl_parse_time(bad[i], NOW, &t) == -EINVAL,
				"accepted '%s'", bad[i]);
		ck_assert_int_eq(t, 42); /* untouched on error */
	}
	ck_assert_int_eq(ctl_parse_time(NULL, NOW, &t), -EINVAL);
}
END_TEST

START_TEST(iso_zoned)
{
	int64_t t;

	set_tz("Asia/Shanghai"); /* must not matter with a zone */
	ck_assert_int_eq(ctl_parse_time("2026-11-27T12:00:00Z", NOW, &t), 0);
	ck_assert_int_eq(t, NOW);
	ck_assert_int_eq(ctl_parse_time("2026-11-27 20:00+08:00", NOW, &t), 0);
	ck_assert_int_eq(t, NOW);
	ck_assert_int_eq(
			ctl_parse_time("2026-11-27T06:30:00-0530", NOW, &t), 0);
	ck_assert_int_eq(t, NOW);
	/* leap day */
	ck_assert_int_eq(ctl_parse_time("2028-02-29T00:00Z", NOW, &t), 0);
	ck_assert_int_eq(t, 1835395200LL);
}
END_TEST

START_TEST(iso_local)
{
	int64_t t;

	set_tz("UTC");
	ck_assert_int_eq(ctl_parse_time("2026-11-27", NOW, &t), 0);
	ck_assert_int_eq(t, NOW - 12 * 3600);
	set_tz("Asia/Shanghai"); /* UTC+8, no DST */
	ck_assert_int_eq(ctl_parse_time("2026-11-27 20:00", NOW, &t), 0);
	ck_assert_int_eq(t, NOW);
	ck_assert_int_eq(ctl_parse_time("2026-11-27T20:00:30", NOW, &t), 0);
	ck_assert_int_eq(t, NOW + 30);
}
END_TEST

START_TEST(formatting)
{
	char buf[CTL_TIME_MAX];
	char *mem = NULL;
	size_t len = 0;
	struct json j;
	FILE *f;

	ctl_fmt_utc(NOW, buf);
	ck_assert_str_eq(buf, "2026-11-27T12:00:00Z");
	ctl_fmt_utc(0, buf);
	ck_assert_str_eq(buf, "");
	set_tz("Asia/Shanghai");
	ctl_fmt_local(NOW, buf);
	ck_assert_str_eq(buf, "2026-11-27 20:00:00");
	ctl_fmt_local(0, buf);
	ck_assert_str_eq(buf, "-");
	ctl_fmt_age(-5, buf);
	ck_assert_str_eq(buf, "0s");
	ctl_fmt_age(119, buf);
	ck_assert_str_eq(buf, "119s");
	ctl_fmt_age(3600, buf);
	ck_assert_str_eq(buf, "60m");
	ctl_fmt_age(7200, buf);
	ck_assert_str_eq(buf, "2h");
	ctl_fmt_age(3 * 86400 + 5, buf);
	ck_assert_str_eq(buf, "3d");

	f = open_memstream(&mem, &len);
	ck_assert_ptr_nonnull(f);
	json_init(&j, f, false);
	json_begin_object(&j, NULL);
	ctl_json_time(&j, "a", NOW);
	ctl_json_time(&j, "b", 0);
	json_end_object(&j);
	fclose(f);
	ck_assert_str_eq(mem, "{\"a\":\"2026-11-27T12:00:00Z\",\"b\":null}");
	free(mem);
}
END_TEST

START_TEST(parse_uint)
{
	unsigned long v = 7;

	ck_assert_int_eq(ctl_parse_uint("0", 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(ctl_parse_uint("10", 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(ctl_parse_uint("11", 10, &v), -EINVAL);
	ck_assert_int_eq(ctl_parse_uint("-1", 10, &v), -EINVAL);
	ck_assert_int_eq(ctl_parse_uint(" 1", 10, &v), -EINVAL);
	ck_assert_int_eq(ctl_parse_uint("1a", 10, &v), -EINVAL);
	ck_assert_int_eq(ctl_parse_uint("", 10, &v), -EINVAL);
	ck_assert_int_eq(ctl_parse_uint("99999999999999999999999", -1UL, &v),
			-EINVAL);
	ck_assert_uint_eq(v, 10);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl_time");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, relative);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, iso_zoned);
	tcase_add_test(tc, iso_local);
	tcase_add_test(tc, formatting);
	tcase_add_test(tc, parse_uint);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
