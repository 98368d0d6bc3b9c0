/*
 * tests/unit/check_rules_checkin.c - check-ins in the engine (issue 8):
 * the verdict facts in receipts ({{note}}, {{distance}}, {{verdict}}),
 * the alert on the pseudo-field verdict, the question to an outlet's
 * phone, the confirm command's outcomes, the accessors, and the loader's
 * refusals of a bad verdict condition and a note that shows itself.  On
 * the shipped files.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "rules/rules_int.h"
#include "tests/unit/testutil.h"

static struct rules *zh, *en;

static struct rules *load(const char *rel)
{
	struct diag_list d = {0};
	struct rules *r = NULL;
	char path[4096];

	if (rules_load(tu_top_path(rel, path, sizeof(path)), &r, &d) < 0) {
		fprintf(stderr, "cannot load %s (%s)\n", path,
				d.n ? d.v[0].line_text : "?");
		exit(EXIT_FAILURE);
	}
	diag_free(&d);
	return r;
}

struct run {
	struct rules_msg msg;
	struct rules_parsed *p;
	struct rules_decision *d;
};

static void run(struct run *x, const struct rules *r, const char *text,
		const char *role, const struct rules_facts *facts)
{
	memset(&x->msg, 0, sizeof(x->msg));
	x->msg.text = text;
	x->msg.len = strlen(text);
	x->msg.sender.phone = "13800000001";
	x->msg.sender.role = role;
	x->msg.sender.name = "王芳";
	x->msg.sender.person_id = 3;
	ck_assert_int_eq(r_time_parse("2026-06-01 09:12", &x->msg.sent), 0);
	x->msg.received = x->msg.sent;
	ck_assert_int_eq(rules_parse(r, &x->msg, &x->p), 0);
	ck_assert_int_eq(rules_decide(r, x->p, &x->msg, facts, &x->d), 0);
}

static void done(struct run *x)
{
	rules_decision_free(x->d);
	rules_parsed_free(x->p);
}

static void checkin_facts(
		struct rules_facts *f, const char *verdict, int64_t distance_m)
{
	memset(f, 0, sizeof(*f));
	f->ref = "R1043";
	f->outlet_status = RULES_FACT_FOUND;
	f->outlet.code = "JN0231";
	f->outlet.name = "华联超市";
	f->outlet.territory = "JN";
	f->verdict_status = RULES_FACT_FOUND;
	f->verdict = verdict;
	f->evidence = "outlet_code_only";
	f->distance_m = distance_m;
}

/* Receipts and alerts by verdict (zh and en). */
static const struct {
	int en;
	const char *text, *verdict;
	int64_t distance_m;
	const char *reply;
	int alerts;
	const char *alert_text;
} receipts[] = {
		{0, "签到 JN0231", "in_territory", 0,
				"签到成功 华联超市 09:12 号R1043", 0, NULL},
		{0, "签到 JN0231", "outside", 3249,
				"签到成功 华联超市 09:12 号R1043(辖区外 3.2km)",
				1,
				"王芳签到华联超市(辖区外 3.2km) 09:12 R1043"},
		{0, "QD JN0231", "outside", 800,
				"签到成功 华联超市 09:12 号R1043(辖区外 800m)",
				1, "王芳签到华联超市(辖区外 800m) 09:12 R1043"},
		{0, "签到 JN0231", "outside", -1,
				"签到成功 华联超市 09:12 号R1043(辖区外 )", 1,
				NULL},
		{0, "签到 JN0231 L460-00-2A1F-3C4D", "unknown_cell", -1,
				"签到成功 华联超市 09:12 号R1043(基站未知)", 1,
				"王芳签到华联超市(基站未知) 09:12 R1043"},
		{0, "签到 JN0231 L460-00-2A1F-3C4D", "in_territory", 0,
				"签到成功 华联超市 09:12 号R1043", 0, NULL},
		{1, "CI JN0231", "outside", 268943,
				"Checked in 华联超市 09:12 ref R1043 (outside "
				"268.9km)",
				1, NULL},
		{1, "CI JN0231", "in_territory", 0,
				"Checked in 华联超市 09:12 ref R1043", 0, NULL},
};

START_TEST(test_receipts)
{
	struct rules_facts f;
	struct run x;

	checkin_facts(&f, receipts[_i].verdict, receipts[_i].distance_m);
	run(&x, receipts[_i].en ? en : zh, receipts[_i].text, "rep", &f);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_OK);
	ck_assert_int_eq(x.d->action, RULES_ACT_STORE);
	ck_assert_str_eq(x.d->reply, receipts[_i].reply);
	ck_assert_int_eq(x.d->reply_segments, 1);
	ck_assert_int_eq((int) x.d->n_alerts, receipts[_i].alerts);
	if (receipts[_i].alerts) {
		ck_assert_str_eq(x.d->alerts[0].id, "checkin_outside");
		ck_assert_str_eq(x.d->alerts[0].notify[0], "supervisor");
		ck_assert_int_eq(x.d->alerts[0].batch_seconds, 900);
		ck_assert_str_eq(x.d->alerts[0].dedupe_key,
				"checkin_outside:R1043");
	}
	if (receipts[_i].alert_text)
		ck_assert_str_eq(x.d->alerts[0].text, receipts[_i].alert_text);
	ck_assert_ptr_null(x.d->outlet_ask);
	done(&x);
}
END_TEST

/* Not looked up: no note, no alert (the condition is false). */
START_TEST(test_unchecked)
{
	struct rules_facts f = {.ref = "R1043"};
	struct run x;

	run(&x, zh, "签到 JN0231", "rep", &f);
	ck_assert_str_eq(x.d->reply, "签到成功 (未核对) 09:12 号R1043");
	ck_assert_int_eq((int) x.d->n_alerts, 0);
	done(&x);
	run(&x, zh, "签到 JN0231", "rep", NULL);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_OK);
	ck_assert_int_eq((int) x.d->n_alerts, 0);
	done(&x);
}
END_TEST

START_TEST(test_unknown_outlet)
{
	struct rules_facts f;
	struct run x;

	checkin_facts(&f, "unknown_outlet", -1);
	f.outlet_status = RULES_FACT_NOT_FOUND;
	run(&x, zh, "签到 XX9999", "rep", &f);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_ERROR);
	ck_assert_int_eq(x.d->error, RULES_E_UNKNOWN_OUTLET);
	ck_assert_int_eq(x.d->action, RULES_ACT_NONE);
	ck_assert_str_eq(x.d->reply,
			"门店号XX9999不存在。格式:签到 门店号 [位置]");
	ck_assert_int_eq((int) x.d->n_alerts, 0);
	done(&x);
}
END_TEST

START_TEST(test_outlet_ask)
{
	struct rules_facts f;
	struct run x;

	checkin_facts(&f, "in_territory", 0);
	f.outlet_phone = "+8653100000001";
	run(&x, zh, "签到 JN0231", "rep", &f);
	ck_assert_str_eq(x.d->outlet_ask,
			"王芳在华联超市签到09:12,属实请回复:确认 R1043");
	done(&x);
	run(&x, en, "CI JN0231", "rep", &f);
	ck_assert_str_eq(x.d->outlet_ask,
			"王芳 checked in at 华联超市 09:12. If true reply: QR "
			"R1043");
	done(&x);
	/* a refused check-in asks nobody */
	f.outlet_status = RULES_FACT_NOT_FOUND;
	run(&x, zh, "签到 JN0231", "rep", &f);
	ck_assert_ptr_null(x.d->outlet_ask);
	done(&x);
}
END_TEST

static const struct {
	enum rules_confirm c;
	const char *role, *text;
	enum rules_outcome outcome;
	enum rules_error error;
	const char *reply;
} confirms[] = {
		{RULES_CONFIRM_OK, "outlet", "确认 R1043", RULES_OUT_OK,
				RULES_E_NONE, "已确认R1043,谢谢"},
		{RULES_CONFIRM_UNCHECKED, "outlet", "QR R1043", RULES_OUT_OK,
				RULES_E_NONE, "已确认R1043,谢谢"},
		{RULES_CONFIRM_NO_CHECKIN, "outlet", "确认 R9999",
				RULES_OUT_ERROR, RULES_E_NO_CHECKIN,
				"没有签到R9999。"},
		{RULES_CONFIRM_REFUSED, "outlet", "确认 R1043", RULES_OUT_ERROR,
				RULES_E_CONFIRM_REFUSED,
				"本号码不能确认R1043。"},
		{RULES_CONFIRM_EXPIRED, "outlet", "确认 R1043", RULES_OUT_ERROR,
				RULES_E_CONFIRM_EXPIRED,
				"R1043已超过确认时限。"},
		{RULES_CONFIRM_OK, "rep", "确认 R1043", RULES_OUT_ERROR,
				RULES_E_NOT_ALLOWED, "确认:您的角色无权使用。"},
		{RULES_CONFIRM_OK, "outlet", "确认", RULES_OUT_ERROR,
				RULES_E_NEEDS_REF, "确认需要编号如R1045。"},
};

START_TEST(test_confirm)
{
	struct rules_facts f = {.confirm = confirms[_i].c};
	struct run x;

	run(&x, zh, confirms[_i].text, confirms[_i].role, &f);
	ck_assert_int_eq(x.p->kind, RULES_KIND_COMMAND);
	ck_assert_int_eq(x.p->command, RULES_CMD_CONFIRM);
	ck_assert_int_eq(x.d->outcome, confirms[_i].outcome);
	ck_assert_int_eq(x.d->error, confirms[_i].error);
	ck_assert_int_eq(x.d->action, RULES_ACT_NONE);
	ck_assert_str_eq(x.d->reply, confirms[_i].reply);
	done(&x);
}
END_TEST

START_TEST(test_accessors)
{
	ck_assert_int_eq(rules_home_mcc(zh), 460);
	ck_assert_int_eq(rules_home_mnc(zh), 0);
	ck_assert_int_eq(rules_confirm_window(zh), 7200);
	ck_assert(rules_form_is_checkin(zh, "checkin"));
	ck_assert(!rules_form_is_checkin(zh, "display")); /* outlet, no cell */
	ck_assert(!rules_form_is_checkin(zh, "daily"));
	ck_assert(!rules_form_is_checkin(zh, "nope"));
	ck_assert(!rules_form_is_checkin(zh, NULL));
	ck_assert_str_eq(rules_error_name(RULES_E_CONFIRM_REFUSED),
			"confirm_refused");
	ck_assert_str_eq(rules_error_name(RULES_E_NOT_AVAILABLE),
			"not_available");
}
END_TEST

/* The loader: bad verdict conditions and a note showing itself. */
static const struct {
	const char *extra, *alert_when, *want;
} bad[] = {
		{"",
				"{ field = \"verdict\"; op = \"in\"; value = "
				"[\"outsid\"]; }",
				"\"outsid\" is not a verdict"},
		{"",
				"{ field = \"verdict\"; op = \">\"; value = "
				"\"outside\"; }",
				"the verdict is compared with ==, != or in"},
		{"texts = { outside = \"x{{note}}\"; };",
				"{ field = \"verdict\"; op = \"==\"; value = "
				"\"outside\"; }",
				"settings.texts.outside may not contain "
				"{{note}}"},
};

START_TEST(test_load_errors)
{
	char path[] = "/tmp/check_rules_checkin.XXXXXX";
	struct diag_list d = {0};
	struct rules *r = NULL;
	FILE *fp;
	int fd = mkstemp(path);
	size_t i;
	bool found = false;

	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp,
			"roles = [\"rep\"];\nsettings = { %s };\nforms = ( { "
			"id "
			"= \"ci\"; title = \"CI\"; roles = [\"rep\"]; keywords "
			"= [\"CI\"]; period = \"event\"; "
			"fields = ( { name = \"outlet\"; label = \"O\"; type = "
			"\"outlet\"; }, "
			"{ name = \"cell\"; label = \"C\"; type = \"cell\"; "
			"required = false; "
			"} ); reply_ok = \"ok {{ref}}{{note}}\"; } );\nalerts "
			"= "
			"( { id = \"out\"; on = \"ci\"; when = %s; notify = "
			"[\"supervisor\"]; template = \"{{note}}\"; } );\n",
			bad[_i].extra, bad[_i].alert_when);
	fclose(fp);
	ck_assert_int_eq(rules_load(path, &r, &d), -EINVAL);
	for (i = 0; i < d.n; i++)
		found |= strstr(d.v[i].line_text, bad[_i].want) != NULL;
	if (!found)
		ck_abort_msg("no \"%s\" in %s", bad[_i].want,
				d.n ? d.v[0].line_text : "(nothing)");
	diag_free(&d);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_checkin");
	TCase *tc = tcase_create("checkin");
	int failed;

	zh = load("docs/examples/rules.zh.conf");
	en = load("docs/examples/rules.en.conf");
	tcase_add_loop_test(tc, test_receipts, 0,
			(int) (sizeof(receipts) / sizeof(receipts[0])));
	tcase_add_test(tc, test_unchecked);
	tcase_add_test(tc, test_unknown_outlet);
	tcase_add_test(tc, test_outlet_ask);
	tcase_add_loop_test(tc, test_confirm, 0,
			(int) (sizeof(confirms) / sizeof(confirms[0])));
	tcase_add_test(tc, test_accessors);
	tcase_add_loop_test(tc, test_load_errors, 0,
			(int) (sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	failed = tu_run_suite(s);
	rules_free(zh);
	rules_free(en);
	return failed;
}
