/*
 * The web dashboard's request parsing (gateway/web_req.c): request
 * targets with path tricks, form bodies and query strings with bad
 * escapes or bad UTF-8, Cookie headers.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "gateway/web_req.h"

START_TEST(test_target)
{
	static const struct {
		const char *in;
		int rc;
		const char *path, *query;
	} cases[] = {
			{"/today", 0, "/today", ""},
			{"/today?team=2&lang=en", 0, "/today",
					"team=2&lang=en"},
			{"/rep?id=1?x", 0, "/rep", "id=1?x"},
			{"/../etc/passwd", -EINVAL, NULL, NULL},
			{"/a/../b", -EINVAL, NULL, NULL},
			{"//evil.example", -EINVAL, NULL, NULL},
			{"/%2e%2e/x", -EINVAL, NULL, NULL},
			{"/a b", -EINVAL, NULL, NULL},
			{"today", -EINVAL, NULL, NULL},
			{"", -EINVAL, NULL, NULL},
			{"/\xe4\xb8\xad", -EINVAL, NULL, NULL},
			{"/x\\y", -EINVAL, NULL, NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[64];
		const char *q = NULL;
		int r = web_target_split(cases[i].in, path, sizeof(path), &q);
		ck_assert_msg(r == cases[i].rc, "case %zu: rc %d", i, r);
		if (r == 0) {
			ck_assert_str_eq(path, cases[i].path);
			ck_assert_str_eq(q, cases[i].query);
		}
	}
}
END_TEST

START_TEST(test_form)
{
	static const struct {
		const char *in;
		int rc;
		const char *key, *val; /* the first pair */
		size_t n;
	} cases[] = {
			{"phone=%2B8613800000002&csrf=ab", 0, "phone",
					"+8613800000002", 2},
			{"territory=%E6%B5%8E%E5%8D%97", 0, "territory", "济南",
					1},
			{"a=1+2", 0, "a", "1 2", 1},
			{"flag", 0, "flag", "", 1},
			{"&&a=&&", 0, "a", "", 1},
			{"", 0, NULL, NULL, 0},
			{"a=%", -EINVAL, NULL, NULL, 0},
			{"a=%4", -EINVAL, NULL, NULL, 0},
			{"a=%zz", -EINVAL, NULL, NULL, 0},
			{"a=%FF", -EINVAL, NULL, NULL, 0},
			{"a=%C0%AF", -EINVAL, NULL, NULL, 0},
			{"a=%ED%A0%80", -EINVAL, NULL, NULL, 0},
			{"a=%00", -EINVAL, NULL, NULL, 0},
			{"a=%0A", -EINVAL, NULL, NULL, 0},
			{"a=\xff", -EINVAL, NULL, NULL, 0},
			{"%E4=1", 0 - EINVAL, NULL, NULL, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct web_form f;
		int r = web_form_parse(cases[i].in, strlen(cases[i].in), &f);
		ck_assert_msg(r == cases[i].rc, "case %zu: rc %d", i, r);
		ck_assert_uint_eq(f.n, cases[i].n);
		if (cases[i].key)
			ck_assert_str_eq(web_form_get(&f, cases[i].key),
					cases[i].val);
		web_form_free(&f);
	}
}
END_TEST

START_TEST(test_form_limits)
{
	char body[4096] = "";
	struct web_form f;
	int i;

	for (i = 0; i < WEB_FORM_MAX_PAIRS + 1; i++)
		strcat(body, "k=v&");
	ck_assert_int_eq(web_form_parse(body, strlen(body), &f), -E2BIG);
	ck_assert_uint_eq(f.n, 0);
	/* not NUL-terminated input: only n bytes are read */
	ck_assert_int_eq(web_form_parse("a=1&b=2", 3, &f), 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_str_eq(web_form_get(&f, "a"), "1");
	ck_assert_ptr_null(web_form_get(&f, "b"));
	web_form_free(&f);
}
END_TEST

START_TEST(test_cookie)
{
	static const struct {
		const char *hdr, *name;
		int rc;
		const char *val;
	} cases[] = {
			{"fg_session=abc123", "fg_session", 0, "abc123"},
			{"a=1; fg_lang=en; b=2", "fg_lang", 0, "en"},
			{"a=1;fg_lang=en", "fg_lang", 0, "en"},
			{"fg_lang=en ", "fg_lang", 0, "en"},
			{"a=1", "fg_lang", -ENOENT, NULL},
			{"", "fg_lang", -ENOENT, NULL},
			{"fg_lang", "fg_lang", -EINVAL, NULL},
			{"fg_lang=e\"n", "fg_lang", -EINVAL, NULL},
			{"fg_lang=<x>", "fg_lang", -EINVAL, NULL},
			{"fg_lang=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
					"fg_lang", -EINVAL, NULL},
			{"xfg_lang=en", "fg_lang", -ENOENT, NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[16];
		int r = web_cookie_get(
				cases[i].hdr, cases[i].name, out, sizeof(out));
		ck_assert_msg(r == cases[i].rc, "case %zu: rc %d", i, r);
		if (r == 0)
			ck_assert_str_eq(out, cases[i].val);
	}
}
END_TEST

START_TEST(test_hex_utf8)
{
	ck_assert(web_hex_ok("0123456789abcdef", 16));
	ck_assert(!web_hex_ok("0123456789ABCDEF", 16));
	ck_assert(!web_hex_ok("0123", 16));
	ck_assert(web_text_ok("中文 ok", strlen("中文 ok")));
	ck_assert(!web_text_ok("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	ck_assert(!web_text_ok("\xe4\xb8", 2));		/* truncated */
	ck_assert(!web_text_ok("a\x7f", 2));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("web_req");
	TCase *tc = tcase_create("req");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_target);
	tcase_add_test(tc, test_form);
	tcase_add_test(tc, test_form_limits);
	tcase_add_test(tc, test_cookie);
	tcase_add_test(tc, test_hex_utf8);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
