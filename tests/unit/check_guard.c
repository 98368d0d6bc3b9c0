/*
 * rules/guard: sender classification with real sender shapes, the loop
 * breaker and resend dedupe over message sequences, daily caps.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/guard.h"

static const char *const deny[] = {
		"95*", "+8617000000000", "1380000*", "12306"};
static const char *const allow[] = {"10086999", "+861069000*"};
static const struct guard_lists lists = {deny, 4, allow, 2};

static const struct {
	const char *sender;
	bool with_lists;
	enum guard_sender want;
} senders[] = {
		{"+8613812345678", false, GUARD_SENDER_NUMBER},
		{"13812345678", false, GUARD_SENDER_NUMBER},
		{"8613812345678", false, GUARD_SENDER_NUMBER},
		{"008613812345678", false, GUARD_SENDER_NUMBER},
		{"+14155550123", false, GUARD_SENDER_NUMBER},
		{"053188886666", false,
				GUARD_SENDER_NUMBER}, /* Jinan landline */
		{"1234567", false, GUARD_SENDER_NUMBER},
		{"10086", false, GUARD_SENDER_SERVICE},
		{"1008611", false, GUARD_SENDER_SERVICE},
		{"+8610086", false, GUARD_SENDER_SERVICE},
		{"10010", false, GUARD_SENDER_SERVICE},
		{"10000", false, GUARD_SENDER_SERVICE},
		{"10658888", false, GUARD_SENDER_ENTERPRISE},
		{"1069012345678901", false, GUARD_SENDER_ENTERPRISE},
		{"+86106900000000", false, GUARD_SENDER_ENTERPRISE},
		{"95588", false, GUARD_SENDER_SHORT_CODE},
		{"12306", false, GUARD_SENDER_SHORT_CODE},
		{"123456", false, GUARD_SENDER_SHORT_CODE},
		{"+1234", false, GUARD_SENDER_SHORT_CODE},
		{"CMCC", false, GUARD_SENDER_ALPHANUMERIC},
		{"Bank123", false, GUARD_SENDER_ALPHANUMERIC},
		{"\xe4\xb8\xad\xe5\x9b\xbd\xe7\xa7\xbb\xe5\x8a\xa8", false,
				GUARD_SENDER_ALPHANUMERIC}, /* 中国移动 */
		{"", false, GUARD_SENDER_EMPTY},
		{"+", false, GUARD_SENDER_EMPTY},
		{"12-34", false, GUARD_SENDER_EMPTY},
		{"1381234 5678", false, GUARD_SENDER_EMPTY},
		/* lists: deny beats shape, allow beats everything */
		{"95588", true, GUARD_SENDER_DENIED},
		{"+8617000000000", true, GUARD_SENDER_DENIED},
		{"17000000000", true, GUARD_SENDER_DENIED},
		{"13800001111", true, GUARD_SENDER_DENIED},
		{"+8613800001111", true, GUARD_SENDER_DENIED},
		{"13800011111", true, GUARD_SENDER_NUMBER},
		{"12306", true, GUARD_SENDER_DENIED},
		{"10086999", true, GUARD_SENDER_ALLOWED},
		{"10690001234", true, GUARD_SENDER_ALLOWED},
		{"+8610690001234", true, GUARD_SENDER_ALLOWED},
		{"10086", true, GUARD_SENDER_SERVICE},
		{"+14155550123", true, GUARD_SENDER_NUMBER},
};

START_TEST(test_classify)
{
	enum guard_sender c = guard_classify(senders[_i].sender,
			senders[_i].with_lists ? &lists : NULL);

	ck_assert_msg(c == senders[_i].want, "%s: %s, want %s",
			senders[_i].sender, guard_sender_name(c),
			guard_sender_name(senders[_i].want));
	ck_assert_int_eq(guard_may_reply(c),
			senders[_i].want == GUARD_SENDER_NUMBER ||
					senders[_i].want ==
							GUARD_SENDER_ALLOWED);
}
END_TEST

START_TEST(test_patterns)
{
	ck_assert(guard_classify(NULL, &lists) == GUARD_SENDER_EMPTY);
	ck_assert(guard_pattern_match("106*", "106"));
	ck_assert(guard_pattern_match("*", "13812345678"));
	ck_assert(!guard_pattern_match("106*", "10"));
	ck_assert(!guard_pattern_match("10086", "100861"));
	ck_assert(!guard_pattern_match("", "1"));
	ck_assert(!guard_pattern_match(NULL, "1"));
	ck_assert_uint_eq(guard_text_hash("", 0), 0xcbf29ce484222325ULL);
	ck_assert_uint_eq(guard_text_hash("a", 1), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_ne(guard_text_hash("RB 1 2 3", 8),
			guard_text_hash("RB 1 2 4", 8));
}
END_TEST

/* A sender's messages: (seconds after start, text) -> verdict. */
struct msg {
	int64_t at;
	const char *text;
	enum guard_verdict want;
};

#define R GUARD_REPLY
#define D GUARD_DUPLICATE
#define S GUARD_SUPPRESS
#define T GUARD_SUPPRESS_TELL_ADMINS

static const struct msg every_minute[] = {{0, "RB 120 3500 8", R},
		{60, "RB 120 3500 8", D}, {120, "RB 120 3500 8", D},
		{180, "RB 120 3500 8", T}, {240, "RB 120 3500 8", S},
		{300, "RB 121 3500 8", R}, {360, "RB 120 3500 8", S},
		{-1, NULL, R}};
static const struct msg every_15min[] = {{0, "QD JN0231", R},
		{900, "QD JN0231", R}, {1800, "QD JN0231", R},
		{2700, "QD JN0231", T}, {3600, "QD JN0231", S}, {-1, NULL, R}};
static const struct msg every_20min[] = {{0, "QD JN0231", R},
		{1200, "QD JN0231", R}, {2400, "QD JN0231", R},
		{3600, "QD JN0231", R}, {4800, "QD JN0231", R}, {-1, NULL, R}};
/* a resend after the dedupe window is a new report */
static const struct msg resend[] = {{0, "RB 1 2 3", R}, {599, "RB 1 2 3", D},
		{1199, "RB 1 2 3", R}, {-1, NULL, R}};

static const struct msg *const seqs[] = {
		every_minute, every_15min, every_20min, resend};

START_TEST(test_sequences)
{
	struct guard_policy p;
	struct guard_window w;
	const struct msg *m;
	const int64_t t0 = 1764640800; /* 2025-12-02 10:00 +08 */

	guard_policy_default(&p);
	memset(&w, 0, sizeof(w));
	for (m = seqs[_i]; m->text; m++) {
		enum guard_verdict v = guard_window_check(&p, &w, t0 + m->at,
				guard_text_hash(m->text, strlen(m->text)));

		ck_assert_msg(v == m->want, "seq %d at %lld: %s, want %s", _i,
				(long long) m->at, guard_verdict_name(v),
				guard_verdict_name(m->want));
	}
}
END_TEST

/* An auto-responder: different texts, one every 30 s. */
START_TEST(test_any_text_loop)
{
	struct guard_policy p;
	struct guard_window w;
	int i, told = 0, replied = 0;

	guard_policy_default(&p);
	memset(&w, 0, sizeof(w));
	for (i = 0; i < 200; i++) {
		char text[32];
		enum guard_verdict v;
		int n = snprintf(text, sizeof(text), "auto reply %d", i);

		v = guard_window_check(&p, &w, 1000000 + i * 30,
				guard_text_hash(text, (size_t) n));
		if (v == GUARD_SUPPRESS_TELL_ADMINS)
			told++;
		if (v == GUARD_REPLY)
			replied++;
		ck_assert(v != GUARD_DUPLICATE);
	}
	ck_assert_int_eq(replied, 20); /* the 21st in an hour is a loop */
	ck_assert_int_eq(told, 1);
}
END_TEST

/* A loop that goes on for days: admins are told again once a day. */
START_TEST(test_retell)
{
	struct guard_policy p;
	struct guard_window w;
	int64_t t;
	int told = 0;
	uint64_t h = guard_text_hash("STOP", 4);

	guard_policy_default(&p);
	memset(&w, 0, sizeof(w));
	for (t = 0; t < 3 * 86400; t += 120)
		if (guard_window_check(&p, &w, 5000000 + t, h) ==
				GUARD_SUPPRESS_TELL_ADMINS)
			told++;
	ck_assert_int_eq(told, 3);
}
END_TEST

START_TEST(test_repeat_stateless)
{
	struct guard_policy p;
	uint64_t h = guard_text_hash("x", 1), o = guard_text_hash("y", 1);
	struct guard_event ev[4] = {{100, h}, {200, h}, {300, o}, {400, h}};

	guard_policy_default(&p);
	/* three identical before, this is the fourth within the hour */
	ck_assert_int_eq(guard_repeat(&p, ev, 4, 500, h, 0),
			GUARD_SUPPRESS_TELL_ADMINS);
	ck_assert_int_eq(guard_repeat(&p, ev, 4, 500, h, 450), GUARD_SUPPRESS);
	ck_assert_int_eq(guard_repeat(&p, ev, 4, 500, o, 0), GUARD_DUPLICATE);
	ck_assert_int_eq(guard_repeat(&p, ev, 4, 500, guard_text_hash("z", 1),
					 0),
			GUARD_REPLY);
	/* an hour later only the last one is in the loop window */
	ck_assert_int_eq(guard_repeat(&p, ev, 4, 3900, h, 0), GUARD_REPLY);
	/* stamped in the future (clock skew): counts as now */
	ev[0].at = ev[1].at = ev[3].at = 10000;
	ck_assert_int_eq(guard_repeat(&p, ev, 4, 500, h, 0),
			GUARD_SUPPRESS_TELL_ADMINS);
	ck_assert_int_eq(guard_repeat(&p, NULL, 0, 500, h, 0), GUARD_REPLY);
}
END_TEST

static const struct {
	unsigned cap, used;
	enum guard_cap_verdict want;
} caps[] = {
		{0, 100000, GUARD_CAP_OK},
		{30, 0, GUARD_CAP_OK},
		{30, 29, GUARD_CAP_OK},
		{30, 30, GUARD_CAP_REACHED_TELL},
		{30, 31, GUARD_CAP_REACHED},
		{1, 1, GUARD_CAP_REACHED_TELL},
};

START_TEST(test_cap)
{
	ck_assert_int_eq(guard_cap(caps[_i].cap, caps[_i].used), caps[_i].want);
}
END_TEST

/* Operators' balance replies (USSD *100# / 查询余额), as they word them. */
static const struct {
	const char *pattern;
	const char *text;
	int rc;
	int64_t cents;
} balances[] = {
		{"余额为{amount}元",
				"尊敬的客户，您的账户余额为12.50元，感谢使用。",
				0, 1250},
		{NULL, "尊敬的客户，您的账户余额为12.50元，感谢使用。", 0,
				1250},
		{"余额为{amount}元", "您的账户余额为 8元", 0, 800},
		{"余额为{amount}元", "您的账户余额为１２．５０元", 0, 1250},
		{"余额：{amount}元", "当前余额：12.5元", 0, 1250},
		{"余额{amount}元", "当前余额：12.5元", -ENOENT, 0},
		{NULL, "当前余额：12.5元", 0, 1250},
		{NULL, "Your balance is 1,234.50 CNY", 0, 123450},
		{NULL, "您的账户余额为-3.20元，已欠费停机", 0, -320},
		{"余额为{amount}元", "话费余额为12.50元，流量余额为1.2GB", 0,
				1250},
		{"流量余额为{amount}GB", "话费余额为12.50元，流量余额为1.2GB",
				0, 120},
		{"{amount}元", "截至12月2日，余额12.50元", 0, 1250},
		{"余额为{amount}元", "余额查询失败，请稍后再试", -ENOENT, 0},
		{"余额为{amount}元", "余额为12.505元", -EINVAL, 0},
		{"余额为{amount}元", "余额为99999999999999999999元", -EINVAL,
				0},
		{"余额", "余额为12.50元", -EINVAL, 0},
		{NULL, "no numbers here", -ENOENT, 0},
		{NULL, "", -ENOENT, 0},
};

START_TEST(test_balance)
{
	int64_t v = -999;
	int rc = guard_balance_extract(balances[_i].pattern, balances[_i].text,
			strlen(balances[_i].text), &v);

	ck_assert_msg(rc == balances[_i].rc, "%s: rc %d", balances[_i].text,
			rc);
	if (rc == 0)
		ck_assert_int_eq(v, balances[_i].cents);
}
END_TEST

static Suite *guard_suite(void)
{
	Suite *s = suite_create("guard");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_classify, 0,
			sizeof(senders) / sizeof(senders[0]));
	tcase_add_test(tc, test_patterns);
	tcase_add_loop_test(
			tc, test_sequences, 0, sizeof(seqs) / sizeof(seqs[0]));
	tcase_add_test(tc, test_any_text_loop);
	tcase_add_test(tc, test_retell);
	tcase_add_test(tc, test_repeat_stateless);
	tcase_add_loop_test(tc, test_cap, 0, sizeof(caps) / sizeof(caps[0]));
	tcase_add_loop_test(tc, test_balance, 0,
			sizeof(balances) / sizeof(balances[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(guard_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
