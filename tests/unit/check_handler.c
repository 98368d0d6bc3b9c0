/*
 * tests/unit/check_handler.c - gateway/handler.c: who never gets an
 * automatic reply (SPEC §5 "no reply storms": alphanumeric senders and
 * operator short codes), and the default handler's ops table.
 */
#include <config.h>

#include <check.h>

#include "gateway/handler.h"

START_TEST(test_no_reply)
{
	/* Ordinary mobile numbers get replies. */
	ck_assert(!gw_handler_no_reply("+8613912345678", 1, 6));
	ck_assert(!gw_handler_no_reply("13912345678", 0, 6));
	/* Alphanumeric: by TON, and by content when TON is unknown. */
	ck_assert(gw_handler_no_reply("MTN", 5, 6));
	ck_assert(gw_handler_no_reply("13912345678", 5, 6));
	ck_assert(gw_handler_no_reply("China Mobile", -1, 6));
	/* Short codes up to the configured length. */
	ck_assert(gw_handler_no_reply("10086", 0, 6));
	ck_assert(gw_handler_no_reply("+10086", 1, 6));
	ck_assert(gw_handler_no_reply("106575", 0, 6));
	ck_assert(!gw_handler_no_reply("1065752", 0, 6));
	ck_assert(!gw_handler_no_reply("10086", 0, 0));
	/* Nothing usable. */
	ck_assert(gw_handler_no_reply("", 0, 6));
	ck_assert(gw_handler_no_reply(NULL, 0, 6));
	ck_assert(gw_handler_no_reply("+", 1, 0));
	ck_assert(gw_handler_no_reply("139-1234", 0, 0));
}
END_TEST

START_TEST(test_default_ops)
{
	void *st = gw_default_handler_new();

	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(gw_default_handler.name, "default");
	ck_assert(gw_default_handler.handle != NULL);
	gw_default_handler.free(st);
	gw_default_handler.free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("handler");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_no_reply);
	tcase_add_test(tc, test_default_ops);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
