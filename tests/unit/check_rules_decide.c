/*
 * tests/unit/check_rules_decide.c - what rules_decide() does with the
 * facts the gateway looks up (replace / reject a resubmission, unknown
 * outlets, undo windows, history averages, no database at all), the
 * needs rules_parse() asks for, the alerts raised, and the fields JSON
 * (escaping included).  On the shipped files and
 * tests/data/rules/minimal.conf.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules/rules_int.h"
#include "tests/unit/testutil.h"

static struct rules *zh, *en, *mini;

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

static void msg_init(struct rules_msg *m, const char *text, const char *role,
		const char *at)
{
	memset(m, 0, sizeof(*m));
	m->text = text;
	m->len = strlen(text);
	m->sender.phone = "13800000001";
	m->sender.role = role;
	m->sender.name = role ? "张伟" : NULL;
	ck_assert_int_eq(r_time_parse(at ? at : "2026-06-01 10:00", &m->sent),
			0);
	m->received = m->sent;
}

static void run(struct run *x, const struct rules *r, const char *text,
		const char *role, const struct rules_facts *facts)
{
	msg_init(&x->msg, text, role, NULL);
	ck_assert_int_eq(rules_parse(r, &x->msg, &x->p), 0);
	ck_assert_int_eq(rules_decide(r, x->p, &x->msg, facts, &x->d), 0);
}

static void done(struct run *x)
{
	rules_decision_free(x->d);
	rules_parsed_free(x->p);
}

START_TEST(test_replace_prior)
{
	struct rules_facts f = {
			.ref = "R2001", .prior_status = RULES_FACT_FOUND};
	struct run x;

	f.prior.ref = "R2000";
	run(&x, zh, "日报 120 3500 8", "rep", &f);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_OK);
	ck_assert_int_eq(x.d->action, RULES_ACT_REPLACE);
	ck_assert_str_eq(x.d->report.ref, "R2001");
	ck_assert_str_eq(x.d->report.form_id, "daily");
	ck_assert_str_eq(x.d->report.period, "2026-06-01");
	ck_assert(!x.d->report.late);
	done(&x);
	f.prior_status = RULES_FACT_NOT_FOUND;
	run(&x, zh, "日报 120 3500 8", "rep", &f);
	ck_assert_int_eq(x.d->action, RULES_ACT_STORE);
	done(&x);
}
END_TEST

START_TEST(test_reject_resubmit)
{
	struct rules_facts f = {
			.ref = "R2001", .prior_status = RULES_FACT_FOUND};
	struct run x;

	run(&x, en, "WR 800 35", "rep", &f);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_ERROR);
	ck_assert_int_eq(x.d->error, RULES_E_RESUBMIT);
	ck_assert_int_eq(x.d->action, RULES_ACT_NONE);
	ck_assert_str_eq(
			x.d->reply, "Weekly already received for this period.");
	done(&x);
}
END_TEST

START_TEST(test_needs)
{
	struct run x;

	run(&x, zh, "日报 120 3500 8", "rep", NULL);
	ck_assert_uint_eq(x.p->needs.what,
			RULES_NEED_REF | RULES_NEED_PRIOR | RULES_NEED_HISTORY);
	ck_assert_uint_eq(x.p->needs.n_history, 1);
	ck_assert_str_eq(x.p->needs.history[0].form_id, "daily");
	ck_assert_str_eq(x.p->needs.history[0].field, "sales");
	ck_assert_int_eq(x.p->needs.history[0].window_days, 28);
	done(&x);
	/* keep_both: no prior needed; an outlet and a cell to look up */
	run(&x, zh, "签到 JN0231 L460-00-2A1F-3C4D", "rep", NULL);
	ck_assert_uint_eq(x.p->needs.what,
			RULES_NEED_REF | RULES_NEED_OUTLET | RULES_NEED_CELL);
	ck_assert_str_eq(x.p->needs.outlet_code, "JN0231");
	ck_assert_int_eq(x.p->needs.cell.mcc, 460);
	ck_assert_uint_eq(x.p->needs.cell.lac, 0x2A1F);
	done(&x);
	run(&x, zh, "撤销", "rep", NULL);
	ck_assert_uint_eq(x.p->needs.what, RULES_NEED_LAST);
	ck_assert_int_eq(x.p->kind, RULES_KIND_COMMAND);
	ck_assert_int_eq(x.p->command, RULES_CMD_UNDO);
	done(&x);
	run(&x, zh, "批 r1045 R1046 很好", "supervisor", NULL);
	ck_assert_uint_eq(x.p->needs.what, RULES_NEED_REPORTS);
	ck_assert_uint_eq(x.p->n_refs, 2);
	ck_assert_str_eq(x.p->refs[0], "R1045");
	ck_assert_str_eq(x.p->refs[1], "R1046");
	ck_assert_str_eq(x.p->command_text, "很好");
	done(&x);
	/* errors, help and formats need nothing */
	run(&x, zh, "日报 abc", "rep", NULL);
	ck_assert_uint_eq(x.p->needs.what, 0);
	done(&x);
	run(&x, zh, "日报", "rep", NULL);
	ck_assert(x.p->keyword_only);
	ck_assert_uint_eq(x.p->needs.what, 0);
	done(&x);
	run(&x, zh, "帮助", "rep", NULL);
	ck_assert_uint_eq(x.p->needs.what, 0);
	done(&x);
}
END_TEST

START_TEST(test_outlet_facts)
{
	struct rules_facts f = {
			.ref = "R0001", .outlet_status = RULES_FACT_NOT_FOUND};
	struct run x;

	run(&x, zh, "签到 JN9999", "rep", &f);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_ERROR);
	ck_assert_int_eq(x.d->error, RULES_E_UNKNOWN_OUTLET);
	ck_assert_str_eq(x.d->reply,
			"门店号JN9999不存在。格式:签到 门店号 [位置]");
	done(&x);
	f.outlet_status = RULES_FACT_FOUND;
	f.outlet.name = "华联超市";
	run(&x, zh, "签到 JN0231", "rep", &f);
	ck_assert_str_eq(x.d->reply, "签到成功 华联超市 10:00 号R0001");
	done(&x);
}
END_TEST

START_TEST(test_no_database)
{
	struct run x;

	/* fieldgatectl rules test without a database: not checked */
	run(&x, zh, "签到 JN0231", "rep", NULL);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_OK);
	ck_assert_int_eq(x.d->action, RULES_ACT_STORE);
	ck_assert_str_eq(x.d->reply, "签到成功 (未核对) 10:00 号(未核对)");
	ck_assert_ptr_null(x.d->report.ref);
	done(&x);
	run(&x, zh, "撤销", "rep", NULL);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_OK);
	ck_assert_int_eq(x.d->action, RULES_ACT_WITHDRAW);
	ck_assert_str_eq(x.d->reply, "已撤销(未核对)");
	done(&x);
}
END_TEST

START_TEST(test_undo_window)
{
	struct rules_facts f = {.last_status = RULES_FACT_NOT_FOUND};
	struct run x;

	run(&x, zh, "撤销", "rep", &f);
	ck_assert_int_eq(x.d->error, RULES_E_NOTHING_TO_UNDO);
	ck_assert_str_eq(x.d->reply, "没有可撤销的报告。");
	done(&x);
	f.last_status = RULES_FACT_FOUND;
	f.last.ref = "R1044";
	msg_init(&x.msg, "撤销", "rep", NULL);
	f.last.received = x.msg.sent.unix - 31 * 60;
	run(&x, zh, "撤销", "rep", &f);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_ERROR);
	ck_assert_int_eq(x.d->error, RULES_E_UNDO_EXPIRED);
	ck_assert_str_eq(x.d->reply, "R1044已超过撤销时限。");
	done(&x);
	f.last.received = x.msg.sent.unix - 29 * 60;
	run(&x, zh, "撤销", "rep", &f);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_OK);
	ck_assert_int_eq(x.d->action, RULES_ACT_WITHDRAW);
	ck_assert_str_eq(x.d->reply, "已撤销R1044");
	done(&x);
}
END_TEST

static const struct rules_alert *find_alert(
		const struct rules_decision *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->n_alerts; i++)
		if (!strcmp(d->alerts[i].id, id))
			return &d->alerts[i];
	return NULL;
}

START_TEST(test_alerts)
{
	struct rules_history_fact h = {.average = 100, .count = 10};
	struct rules_facts f = {.ref = "R1045",
			.prior_status = RULES_FACT_NOT_FOUND,
			.history = &h,
			.n_history = 1};
	const struct rules_alert *a;
	struct run x;

	run(&x, zh, "日报 600 3500 8 竞品 对手买一赠一", "rep", &f);
	ck_assert_uint_eq(x.d->n_alerts, 3);
	a = find_alert(x.d, "big_sale");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->text, "张伟日报销量600(≥500) R1045");
	ck_assert_uint_eq(a->n_notify, 1);
	ck_assert_str_eq(a->notify[0], "supervisor");
	ck_assert_int_eq(a->batch_seconds, 900);
	ck_assert_str_eq(a->dedupe_key, "big_sale:R1045");
	a = find_alert(x.d, "competitor_promo");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->text, "竞品动态 张伟:对手买一赠一 R1045");
	ck_assert_int_eq(a->batch_seconds, 3600);
	ck_assert_ptr_nonnull(find_alert(x.d, "sales_outlier"));
	done(&x);
	/* under 3x the average, or too little history: no outlier */
	run(&x, zh, "日报 299 3500 8", "rep", &f);
	ck_assert_uint_eq(x.d->n_alerts, 0);
	done(&x);
	h.count = 4;
	run(&x, zh, "日报 400 3500 8", "rep", &f);
	ck_assert_uint_eq(x.d->n_alerts, 0);
	done(&x);
	/* no history looked up: the condition cannot hold */
	run(&x, zh, "日报 450 3500 8", "rep", NULL);
	ck_assert_uint_eq(x.d->n_alerts, 0);
	done(&x);
	/* any(): brand in a set */
	run(&x, zh, "竞品 对手 新品上市", "rep", &f);
	a = find_alert(x.d, "promo_report");
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->n_notify, 2);
	ck_assert_str_eq(a->notify[1], "role:admin");
	done(&x);
	run(&x, zh, "竞品 小牌子 新品上市", "rep", &f);
	ck_assert_uint_eq(x.d->n_alerts, 0);
	done(&x);
	/* all() with not(present) */
	run(&x, en, "DR 1 2 1", "rep", &f);
	a = find_alert(x.d, "low_visits");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->notify[0], "supervisor:2");
	done(&x);
	run(&x, en, "DR 1 2 1 shop closed", "rep", &f);
	ck_assert_ptr_null(find_alert(x.d, "low_visits"));
	done(&x);
	/* errors raise nothing */
	run(&x, zh, "日报 900 abc 8", "rep", &f);
	ck_assert_uint_eq(x.d->n_alerts, 0);
	done(&x);
}
END_TEST

START_TEST(test_json_escaping)
{
	struct run x;

	run(&x, mini, "ST N say \"hi\\\" C5", "rep", NULL);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_OK);
	ck_assert_str_eq(x.d->report.fields_json,
			"{\"cases\":5,\"note\":\"say \\\"hi\\\\\\\"\"}");
	done(&x);
}
END_TEST

START_TEST(test_minimal_file)
{
	struct run x;

	/* a configured unknown-sender text is sent */
	run(&x, mini, "ST C5", NULL, NULL);
	ck_assert_int_eq(x.d->outcome, RULES_OUT_ERROR);
	ck_assert_int_eq(x.d->error, RULES_E_UNKNOWN_SENDER);
	ck_assert_str_eq(x.d->reply, "Number 13800000001 is not registered.");
	ck_assert(x.d->reply_gsm7);
	ck_assert_int_eq(x.d->reply_segments, 1);
	done(&x);
	/* tagged only: an untagged value is extra; no format hint */
	run(&x, mini, "ST 5", "rep", NULL);
	ck_assert_int_eq(x.d->error, RULES_E_EXTRA);
	ck_assert_str_eq(x.d->reply, "Too many values: 5.");
	done(&x);
	/* month period, defaults of the built-in texts */
	run(&x, mini, "ST C5 N low", "rep", NULL);
	ck_assert_str_eq(x.d->report.period, "2026-06");
	ck_assert_str_eq(x.d->reply,
			"Stock 2026-06: cases5 notelow (not checked)");
	done(&x);
	run(&x, mini, "ST C100", "rep", NULL);
	ck_assert_str_eq(x.d->reply, "cases 0-99: 100.");
	done(&x);
}
END_TEST

START_TEST(test_values)
{
	struct run x;

	run(&x, zh, "周报 800 35", "rep", NULL);
	ck_assert_uint_eq(x.p->n_fields, 4);
	ck_assert_str_eq(x.p->fields[0].name, "sales_wk");
	ck_assert_str_eq(x.p->fields[0].label, "周销量");
	ck_assert_int_eq(x.p->fields[0].type, RULES_INT);
	ck_assert_int_eq(x.p->fields[0].v.i, 800);
	ck_assert_str_eq(x.p->fields[0].raw, "800");
	ck_assert(x.p->fields[2].present && x.p->fields[2].defaulted);
	ck_assert(!x.p->fields[3].present);
	ck_assert_str_eq(x.p->period, "2026-W23");
	done(&x);
	run(&x, zh, "日报 120 3,500.5 8", "rep", NULL);
	ck_assert_int_eq(x.p->fields[1].v.dec.units, 350050);
	ck_assert_int_eq(x.p->fields[1].v.dec.scale, 2);
	ck_assert_str_eq(x.p->normalized, "日报 120 3500.5 8");
	ck_assert_str_eq(x.p->keyword, "日报");
	done(&x);
	run(&x, en, "DAYLY 1 2 3", "rep", NULL);
	ck_assert(x.p->fuzzy_keyword);
	ck_assert_str_eq(x.p->keyword, "DAYLY");
	done(&x);
	run(&x, zh, "日报 昨天 1 2 3", "rep", NULL);
	ck_assert(x.p->period_explicit);
	ck_assert(x.p->late);
	ck_assert_str_eq(x.p->period, "2026-05-31");
	done(&x);
	run(&x, zh, "日报 1 2 99", "rep", NULL);
	ck_assert_int_eq(x.p->error, RULES_E_RANGE);
	ck_assert_str_eq(x.p->error_field, "visits");
	ck_assert_str_eq(x.p->error_token, "99");
	done(&x);
}
END_TEST

START_TEST(test_value_text)
{
	static const char *const want[] = {"JN0231", "是", "涨", "05-30"};
	struct run x;
	char buf[64];
	size_t i;

	run(&x, zh, "陈列 JN0231 是 涨 0530", "rep", NULL);
	ck_assert_uint_eq(x.p->n_fields, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(rules_value_text(zh, &x.p->fields[i], buf,
						 sizeof(buf)),
				(int) strlen(want[i]));
		ck_assert_str_eq(buf, want[i]);
	}
	done(&x);
	run(&x, zh, "日报 120 3500.5 8", "rep", NULL);
	rules_value_text(zh, &x.p->fields[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "3500.5");
	ck_assert_int_eq(
			rules_value_text(zh, &x.p->fields[3], buf, sizeof(buf)),
			0);
	ck_assert_str_eq(buf, "");
	done(&x);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(rules_type_name(RULES_CELL), "cell");
	ck_assert_str_eq(rules_type_name(RULES_INT), "int");
	ck_assert_str_eq(rules_command_name(RULES_CMD_CONFIRM), "confirm");
	ck_assert_str_eq(rules_error_name(RULES_E_TYPE_INT), "type_int");
	ck_assert_str_eq(rules_error_name(RULES_E_NOT_AVAILABLE),
			"not_available");
	ck_assert_str_eq(rules_outcome_name(RULES_OUT_IGNORED), "ignored");
	ck_assert_str_eq(rules_type_name((enum rules_type) 99), "?");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_decide");
	TCase *tc = tcase_create("decide");
	int failed;

	zh = load("docs/examples/rules.zh.conf");
	en = load("docs/examples/rules.en.conf");
	mini = load("tests/data/rules/minimal.conf");
	tcase_add_test(tc, test_replace_prior);
	tcase_add_test(tc, test_reject_resubmit);
	tcase_add_test(tc, test_needs);
	tcase_add_test(tc, test_outlet_facts);
	tcase_add_test(tc, test_no_database);
	tcase_add_test(tc, test_undo_window);
	tcase_add_test(tc, test_alerts);
	tcase_add_test(tc, test_json_escaping);
	tcase_add_test(tc, test_minimal_file);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_value_text);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	failed = tu_run_suite(s);
	rules_free(zh);
	rules_free(en);
	rules_free(mini);
	return failed;
}
