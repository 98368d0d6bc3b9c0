/*
 * check_rules_sched: the rule file's schedules as loaded (rules/sched.h):
 * the shipped files' five schedules with their kinds, recipients,
 * unless bits, spreads and graces; holidays and quiet hours as a
 * calendar; the template renderer (table-driven).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules/sched.h"
#include "rules/tz.h"

static const char *const shipped[] = {"rules.zh.conf", "rules.en.conf"};

START_TEST(test_shipped)
{
	char path[1024];
	struct diag_list d = {0};
	struct rules *r = NULL;
	const struct rules_schedule *v, *s;
	struct cron_calendar cal;
	size_t n;

	snprintf(path, sizeof(path), "%s/docs/examples/%s", SRCDIR,
			shipped[_i]);
	ck_assert_int_eq(rules_load(path, &r, &d), 0);
	n = rules_schedules(r, &v);
	ck_assert_uint_eq(n, 5);
	s = rules_schedule_find(r, "checkin_deadline");
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->kind, RULES_SCHED_MISSING);
	ck_assert_int_eq(s->to, RULES_SCHED_TO_SUPERVISORS);
	ck_assert(s->digest);
	ck_assert(s->per_territory);
	ck_assert_uint_eq(s->unless,
			RULES_UNLESS_CHECKED_IN | RULES_UNLESS_ON_LEAVE);
	ck_assert_int_eq(s->grace_s, 7200);
	/* 10:00 Monday to Saturday */
	ck_assert(s->cron.hour == 1u << 10 && s->cron.minute == 1);
	ck_assert_uint_eq(s->cron.wday, 0x7e);
	s = rules_schedule_find(r, "report_reminder");
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->to, RULES_SCHED_TO_REPS);
	ck_assert_str_eq(s->form, "daily");
	ck_assert_uint_eq(s->unless,
			RULES_UNLESS_REPORTED | RULES_UNLESS_ON_LEAVE);
	ck_assert_int_eq(s->spread_s, 300);
	s = rules_schedule_find(r, "pending_approvals");
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->kind, RULES_SCHED_PENDING);
	ck_assert(!s->per_territory);
	s = rules_schedule_find(r, "daily_digest");
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->kind, RULES_SCHED_DAILY);
	ck_assert_ptr_null(rules_schedule_find(r, "nope"));
	rules_sched_calendar(r, &cal);
	ck_assert_uint_eq(cal.n_holidays, 4);
	ck_assert_int_eq(cal.holidays[0], tz_days_from_civil(2026, 10, 1));
	ck_assert_int_eq(cal.quiet_from, 22 * 60);
	ck_assert_int_eq(cal.quiet_to, 7 * 60 + 30);
	ck_assert_int_eq(cal.quiet, CRON_QUIET_POSTPONE);
	rules_free(r);
	diag_free(&d);
}
END_TEST

static const struct {
	const char *tmpl, *want;
} renders[] = {
		{"未签到({{count}}人):{{names}}", "未签到(7人):{{names}}"},
		{"{{date}} {{time}} {{form}}", "6月1日 10:00 daily"},
		{"签到{{checkins}} 日报{{reports}} 未签到{{missing}} 区域外"
		 "{{outside}} 待批{{pending}}",
				"签到1 日报2 未签到3 区域外4 待批5"},
		{"{{refs}} {{unknown}} {{count",
				"{{refs}} {{unknown}} {{count"},
		{"请{{within}}分钟内", "请30分钟内"},
		{"", ""},
};

START_TEST(test_render)
{
	struct rules_sched_vars v = {"7", "6月1日", "10:00", "daily", "1", "2",
			"3", "4", "5", "30"};
	char buf[256];

	rules_sched_render(renders[_i].tmpl, &v, buf, sizeof(buf));
	ck_assert_str_eq(buf, renders[_i].want);
}
END_TEST

START_TEST(test_render_cut)
{
	struct rules_sched_vars v = {0};
	char buf[8];

	v.count = "123456789";
	ck_assert_uint_le(
			rules_sched_render("n={{count}}", &v, buf, sizeof(buf)),
			7);
	ck_assert_uint_eq(strlen(buf), 7);
	/* a placeholder without a value stays */
	ck_assert_uint_eq(rules_sched_render("{{date}}", &v, buf, sizeof(buf)),
			7);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_sched");
	TCase *tc = tcase_create("sched");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_shipped, 0,
			(int) (sizeof(shipped) / sizeof(shipped[0])));
	tcase_add_loop_test(tc, test_render, 0,
			(int) (sizeof(renders) / sizeof(renders[0])));
	tcase_add_test(tc, test_render_cut);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
