/*
 * tests/unit/check_rules_sha256.c - rules/sha256.c against the test
 * vectors published with FIPS 180-4 (NIST's "SHA-256 examples": one
 * block, two blocks, a million 'a') and the empty string, fed whole and
 * in awkward pieces so block boundaries are crossed at every offset.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

static const struct {
	const char *in;
	const char *hex;
} vectors[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		     "7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff"
			"61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
				"248d6a61d20638b8e5c026930c3e6039a33ce45964ff21"
				"67f6ecedd419db06c1"},
		{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijk"
		 "lmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
				"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a"
				"51afac45037afee9d1"},
};

START_TEST(test_vector)
{
	char hex[65];

	r_sha256_hex(vectors[_i].in, strlen(vectors[_i].in), hex);
	ck_assert_str_eq(hex, vectors[_i].hex);
}
END_TEST

START_TEST(test_pieces)
{
	const char *in = vectors[3].in;
	size_t len = strlen(in), step;

	for (step = 1; step <= 70; step++) {
		struct r_sha256 s;
		unsigned char d[32];
		char hex[65];
		size_t i;

		r_sha256_init(&s);
		for (i = 0; i < len; i += step)
			r_sha256_update(&s, in + i,
					len - i < step ? len - i : step);
		r_sha256_final(&s, d);
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
		ck_assert_msg(!strcmp(hex, vectors[3].hex), "step %zu: %s",
				step, hex);
	}
}
END_TEST

START_TEST(test_million_a)
{
	char *a = malloc(1000000);
	char hex[65];

	ck_assert_ptr_nonnull(a);
	memset(a, 'a', 1000000);
	r_sha256_hex(a, 1000000, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a4972"
			      "00e046d39ccc7112cd0");
	free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_sha256");
	TCase *tc = tcase_create("fips180");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_vector, 0,
			sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tc, test_pieces);
	tcase_add_test(tc, test_million_a);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
