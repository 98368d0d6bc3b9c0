/*
 * tests/unit/check_guard_conf.c - settings.guard and settings.health as
 * loaded (rules/guard_conf.h): the shipped files' values, defaults when
 * absent, and given values (durations, lists, money) as the gateway sees
 * them.  Bad values are golden files (tests/data/rules/bad/guard.conf).
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/guard_conf.h"
#include "rules/rules.h"
#include "tests/unit/testutil.h"

static struct rules *load(const char *path)
{
	struct diag_list d = {0};
	struct rules *r = NULL;
	size_t i;
	int rc = rules_load(path, &r, &d);

	for (i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.v[i].line_text);
	diag_free(&d);
	ck_assert_int_eq(rc, 0);
	return r;
}

START_TEST(test_shipped)
{
	static const char *const files[] = {SRCDIR
			"/docs/examples/rules.zh.conf",
			SRCDIR "/docs/examples/rules.en.conf"};
	struct rules *r = load(files[_i]);
	const struct rules_guard *g = rules_guard(r);
	const struct rules_health *h = rules_health(r);

	ck_assert_uint_eq(g->policy.max_identical, 3);
	ck_assert_uint_eq(g->policy.max_any, 20);
	ck_assert_int_eq(g->policy.loop_window, 3600);
	ck_assert_int_eq(g->policy.dedupe_window, 600);
	ck_assert_int_eq(g->policy.retell_after, 86400);
	ck_assert_uint_eq(g->policy.max_replies_day, 30);
	ck_assert_uint_eq(g->n_notify, 1);
	ck_assert_str_eq(g->notify[0], "role:admin");
	ck_assert_int_eq(g->batch_seconds, 60);
	ck_assert_int_eq(h->modem_down_s, 600);
	ck_assert_int_eq(h->queue_age_s, 1800);
	ck_assert_int_eq(h->storage_percent, 90);
	ck_assert_ptr_null(h->balance_code);
	ck_assert_int_eq(h->balance_below_cents, 1000);
	ck_assert_int_eq(h->balance_interval_s, 86400);
	rules_free(r);
}
END_TEST

static const char body[] = "roles = [\"rep\"];\n"
			   "forms = ( { id = \"d\"; title = \"D\"; keywords = "
			   "[\"D\"]; roles = [\"rep\"];\n"
			   "  fields = ( { name = \"n\"; label = \"n\"; type = "
			   "\"int\"; } );\n"
			   "  reply_ok = \"ok\"; examples = ( { text = \"D "
			   "1\"; } ); } );\n";

static struct rules *load_text(const char *settings)
{
	char path[] = "/tmp/check_guard_conf.XXXXXX";
	struct rules *r;
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n%s", settings, body);
	fclose(f);
	r = load(path);
	unlink(path);
	return r;
}

START_TEST(test_defaults)
{
	struct rules *r = load_text("");
	const struct rules_guard *g = rules_guard(r);
	struct rules_guard d;

	rules_guard_default(&d);
	ck_assert_uint_eq(g->policy.max_identical, d.policy.max_identical);
	ck_assert_uint_eq(g->policy.max_replies_day, 30);
	ck_assert_uint_eq(g->lists.n_deny, 0);
	ck_assert_int_eq(rules_health(r)->check_s, 60);
	ck_assert_str_eq(rules_health(r)->notify[0], "role:admin");
	rules_free(r);
}
END_TEST

START_TEST(test_values)
{
	struct rules *r = load_text(
			"settings = { guard = { deny = [\"95*\", \"12306\"]; "
			"allow = \"10086\"; max_identical = 2; max_any = 0; "
			"loop_window = \"30m\"; dedupe_window = 90; "
			"max_replies_day = 4; notify = [\"role:admin\", "
			"\"+8613900000009\"]; batch = \"0s\"; };\n"
			"health = { modem_down = \"2s\"; queue_age = \"1h\"; "
			"check = \"1s\"; balance_code = \"*100#\"; "
			"balance_pattern = \"余额为{amount}元\"; "
			"balance_below = 5.5; balance_interval = \"6h\"; "
			"storage_percent = 0; }; };");
	const struct rules_guard *g = rules_guard(r);
	const struct rules_health *h = rules_health(r);

	ck_assert_uint_eq(g->lists.n_deny, 2);
	ck_assert_str_eq(g->lists.deny[0], "95*");
	ck_assert_uint_eq(g->lists.n_allow, 1);
	ck_assert_int_eq(guard_classify("10086", &g->lists),
			GUARD_SENDER_ALLOWED);
	ck_assert_int_eq(guard_classify("95588", &g->lists),
			GUARD_SENDER_DENIED);
	ck_assert_int_eq(guard_classify("+8613800000000", &g->lists),
			GUARD_SENDER_NUMBER);
	ck_assert_uint_eq(g->policy.max_identical, 2);
	ck_assert_uint_eq(g->policy.max_any, 0);
	ck_assert_int_eq(g->policy.loop_window, 1800);
	ck_assert_int_eq(g->policy.dedupe_window, 90);
	ck_assert_uint_eq(g->policy.max_replies_day, 4);
	ck_assert_uint_eq(g->n_notify, 2);
	ck_assert_str_eq(g->notify[1], "+8613900000009");
	ck_assert_int_eq(g->batch_seconds, 0);
	ck_assert_int_eq(h->modem_down_s, 2);
	ck_assert_int_eq(h->queue_age_s, 3600);
	ck_assert_int_eq(h->check_s, 1);
	ck_assert_str_eq(h->balance_code, "*100#");
	ck_assert_str_eq(h->balance_pattern, "余额为{amount}元");
	ck_assert_int_eq(h->balance_below_cents, 550);
	ck_assert_int_eq(h->balance_interval_s, 6 * 3600);
	ck_assert_int_eq(h->storage_percent, 0);
	rules_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("guard_conf");
	TCase *tc = tcase_create("load");

	tcase_add_loop_test(tc, test_shipped, 0, 2);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
