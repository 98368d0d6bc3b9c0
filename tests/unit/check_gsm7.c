/*
 * GSM 7-bit alphabet, extension table and septet packing
 * (3GPP TS 23.038 §6.1.2.1, §6.2.1, §6.2.1.1), and the UTF-16 helpers.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modem/gsm7.h"
#include "modem/ucs2.h"
#include "tests/unit/testutil.h"

/* Extension table of TS 23.038 §6.2.1.1: character -> code after ESC. */
static const struct {
	const char *utf8;
	uint8_t code;
} ext_cases[] = {
		{"\x0c", 0x0a},
		{"^", 0x14},
		{"{", 0x28},
		{"}", 0x29},
		{"\\", 0x2f},
		{"[", 0x3c},
		{"~", 0x3d},
		{"]", 0x3e},
		{"|", 0x40},
		{"\xe2\x82\xac", 0x65},
};

START_TEST(test_ext_table)
{
	uint8_t sept[4];
	size_t n = 0;
	char back[8];
	const char *s = ext_cases[_i].utf8;

	ck_assert_int_eq(gsm7_from_utf8(s, strlen(s), sept, sizeof(sept), &n),
			0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(sept[0], GSM7_ESC);
	ck_assert_uint_eq(sept[1], ext_cases[_i].code);
	ck_assert_int_eq(gsm7_count_septets(s, strlen(s)), 2);
	ck_assert_int_eq(gsm7_to_utf8(sept, n, back, sizeof(back), NULL), 0);
	ck_assert_str_eq(back, s);
}
END_TEST

/* Default alphabet spot checks (TS 23.038 §6.2.1 table). */
static const struct {
	const char *utf8;
	uint8_t septet;
} default_cases[] = {
		{"@", 0x00},
		{"\xc2\xa3", 0x01},
		{"$", 0x02},
		{"\xc2\xa5", 0x03},
		{"\xc3\xa8", 0x04},
		{"\n", 0x0a},
		{"\xc3\x98", 0x0b},
		{"\r", 0x0d},
		{"\xce\x94", 0x10},
		{"_", 0x11},
		{"\xce\xa3", 0x18},
		{"\xc3\x89", 0x1f},
		{" ", 0x20},
		{"\xc2\xa4", 0x24},
		{"\xc2\xa1", 0x40},
		{"A", 0x41},
		{"\xc3\x84", 0x5b},
		{"\xc2\xa7", 0x5f},
		{"\xc2\xbf", 0x60},
		{"a", 0x61},
		{"\xc3\xbc", 0x7e},
		{"\xc3\xa0", 0x7f},
};

START_TEST(test_default_table)
{
	uint8_t sept[4];
	size_t n = 0;
	char back[8];
	const char *s = default_cases[_i].utf8;

	ck_assert_int_eq(gsm7_from_utf8(s, strlen(s), sept, sizeof(sept), &n),
			0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(sept[0], default_cases[_i].septet);
	ck_assert_int_eq(gsm7_to_utf8(sept, 1, back, sizeof(back), NULL), 0);
	ck_assert_str_eq(back, s);
}
END_TEST

START_TEST(test_not_encodable)
{
	/* Chinese, emoji, backquote, U+00A0 (display form of ESC). */
	static const char *const bad[] = {"\xe4\xbd\xa0", "\xf0\x9f\x98\x80",
			"`", "\xc2\xa0", "a\xff"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t sept[8];
		size_t n = 99;

		ck_assert(!gsm7_is_encodable(bad[i], strlen(bad[i])));
		ck_assert_int_eq(gsm7_count_septets(bad[i], strlen(bad[i])),
				-EINVAL);
		ck_assert_int_eq(gsm7_from_utf8(bad[i], strlen(bad[i]), sept,
						 sizeof(sept), &n),
				-EINVAL);
		ck_assert_uint_eq(n, 99);
	}
}
END_TEST

START_TEST(test_escape_decoding_edge)
{
	/* Lone trailing ESC -> space; ESC + unknown code -> default char. */
	const uint8_t lone[] = {'a', GSM7_ESC};
	const uint8_t unknown[] = {GSM7_ESC, 0x41};
	const uint8_t high[] = {0x80};
	char out[16];
	size_t len;

	ck_assert_int_eq(gsm7_to_utf8(lone, 2, out, sizeof(out), &len), 0);
	ck_assert_str_eq(out, "a ");
	ck_assert_int_eq(gsm7_to_utf8(unknown, 2, out, sizeof(out), &len), 0);
	ck_assert_str_eq(out, "A");
	ck_assert_int_eq(
			gsm7_to_utf8(high, 1, out, sizeof(out), &len), -EINVAL);
	/* Output too small: "@@" needs 3 bytes with the NUL. */
	ck_assert_int_eq(
			gsm7_to_utf8((const uint8_t *) "\0\0", 2, out, 2, &len),
			-EMSGSIZE);
}
END_TEST

/* "hellohello" packs to E8329BFD4697D9EC37 (the classic dreamfabric.com
 * example, see check_sms_pdu.c). */
START_TEST(test_pack_known)
{
	uint8_t out[16];
	char hex[40];
	int n;

	n = gsm7_pack((const uint8_t *) "hellohello", 10, 0, out, sizeof(out));
	ck_assert_int_eq(n, 9);
	tu_bin_to_hex(out, (size_t) n, hex);
	ck_assert_str_eq(hex, "E8329BFD4697D9EC37");
	/* Eight septets fill exactly seven octets. */
	n = gsm7_pack((const uint8_t *) "12345678", 8, 0, out, sizeof(out));
	ck_assert_int_eq(n, 7);
	ck_assert_int_eq(gsm7_pack((const uint8_t *) "12345678", 8, 0, out, 6),
			-EMSGSIZE);
	ck_assert_int_eq(gsm7_pack((const uint8_t *) "1", 1, 7, out, 6),
			-EINVAL);
}
END_TEST

/* Pack/unpack at every fill-bit offset and many lengths. */
START_TEST(test_pack_every_offset)
{
	unsigned fill = (unsigned) _i;
	struct tu_rng rng;
	size_t len;

	tu_rng_seed(&rng, 42 + fill);
	for (len = 0; len <= 160; len++) {
		uint8_t sept[160], back[160], packed[141];
		int n;
		size_t i;

		for (i = 0; i < len; i++)
			sept[i] = (uint8_t) tu_rng_below(&rng, 128);
		n = gsm7_pack(sept, len, fill, packed, sizeof(packed));
		ck_assert_int_eq(n, (int) ((fill + len * 7 + 7) / 8));
		/* Fill bits are zero. */
		if (len && fill)
			ck_assert_uint_eq(packed[0] & ((1u << fill) - 1), 0);
		ck_assert_int_eq(gsm7_unpack(packed, (size_t) n, fill, len,
						 back, sizeof(back)),
				0);
		ck_assert_mem_eq(sept, back, len);
		/* One septet too many must not read past the buffer. */
		if ((fill + (len + 1) * 7) > (size_t) n * 8)
			ck_assert_int_eq(gsm7_unpack(packed, (size_t) n, fill,
							 len + 1, back,
							 sizeof(back)),
					-EMSGSIZE);
	}
}
END_TEST

START_TEST(test_count_septets)
{
	ck_assert_int_eq(gsm7_count_septets("", 0), 0);
	ck_assert_int_eq(gsm7_count_septets("abc", 3), 3);
	ck_assert_int_eq(gsm7_count_septets("a\xe2\x82\xac{", 5), 5);
	ck_assert_int_eq(gsm7_count_septets("\xc3\xa9", 2), 1);
}
END_TEST

/* UTF-8 <-> UTF-16BE with surrogate pairs. */
START_TEST(test_ucs2)
{
	/* U+1F600 is D83D DE00 in UTF-16 (Unicode §3.9). */
	const char *emoji = "\xf0\x9f\x98\x80";
	uint8_t out[16];
	char back[16];
	char hex[40];
	int n;

	n = ucs2_from_utf8(emoji, 4, out, sizeof(out));
	ck_assert_int_eq(n, 4);
	tu_bin_to_hex(out, 4, hex);
	ck_assert_str_eq(hex, "D83DDE00");
	ck_assert_int_eq(ucs2_to_utf8(out, 4, back, sizeof(back)), 4);
	ck_assert_str_eq(back, emoji);
	ck_assert_int_eq(ucs2_count_units(emoji, 4), 2);
	/* "你好" = 4F60 597D */
	n = ucs2_from_utf8("\xe4\xbd\xa0\xe5\xa5\xbd", 6, out, sizeof(out));
	ck_assert_int_eq(n, 4);
	tu_bin_to_hex(out, 4, hex);
	ck_assert_str_eq(hex, "4F60597D");
	/* U+0000 is dropped: the text must stay a C string. */
	memcpy(out, "\0A\0\0\0B", 6);
	ck_assert_int_eq(ucs2_to_utf8(out, 6, back, sizeof(back)), 2);
	ck_assert_str_eq(back, "AB");
}
END_TEST

START_TEST(test_ucs2_invalid)
{
	static const struct {
		const char *hex;
	} bad[] = {
			{"D83D"},     /* lone high surrogate at the end */
			{"DE00"},     /* lone low surrogate */
			{"D83D0041"}, /* high surrogate then a BMP char */
			{"DE00D83D"}, /* reversed pair */
			{"004"
			 "1"
			 "00"}, /* odd length (3 octets) */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t in[8];
		char out[16];
		int n = tu_hex_to_bin(bad[i].hex, in, sizeof(in));

		ck_assert_int_ge(n, 0);
		ck_assert_int_eq(ucs2_to_utf8(in, (size_t) n, out, sizeof(out)),
				-EINVAL);
	}
}
END_TEST

START_TEST(test_utf8_invalid)
{
	static const char *const bad[] = {
			"\xc0\xaf",	    /* overlong '/' */
			"\xed\xa0\x80",	    /* encoded surrogate */
			"\xf4\x90\x80\x80", /* above U+10FFFF */
			"\xe4\xbd",	    /* truncated */
			"\x80",		    /* stray continuation */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t out[16];

		ck_assert_int_eq(ucs2_from_utf8(bad[i], strlen(bad[i]), out,
						 sizeof(out)),
				-EINVAL);
		ck_assert_int_eq(ucs2_count_units(bad[i], strlen(bad[i])),
				-EINVAL);
	}
}
END_TEST

/* Every character of both tables survives UTF-8 -> septets -> UTF-8. */
START_TEST(test_all_septets_round_trip)
{
	unsigned v;

	for (v = 0; v < 128; v++) {
		uint8_t s = (uint8_t) v, again[4];
		char utf8[8];
		size_t len, n;

		if (v == GSM7_ESC)
			continue;
		ck_assert_int_eq(gsm7_to_utf8(&s, 1, utf8, sizeof(utf8), &len),
				0);
		ck_assert_int_eq(gsm7_from_utf8(utf8, len, again, sizeof(again),
						 &n),
				0);
		ck_assert_uint_eq(n, 1);
		ck_assert_uint_eq(again[0], v);
	}
}
END_TEST

static Suite *gsm7_suite(void)
{
	Suite *s = suite_create("gsm7");
	TCase *tc = tcase_create("alphabet");

	tcase_add_loop_test(tc, test_ext_table, 0,
			sizeof(ext_cases) / sizeof(ext_cases[0]));
	tcase_add_loop_test(tc, test_default_table, 0,
			sizeof(default_cases) / sizeof(default_cases[0]));
	tcase_add_test(tc, test_not_encodable);
	tcase_add_test(tc, test_escape_decoding_edge);
	tcase_add_test(tc, test_count_septets);
	tcase_add_test(tc, test_all_septets_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("packing");
	tcase_add_test(tc, test_pack_known);
	tcase_add_loop_test(tc, test_pack_every_offset, 0, 7);
	suite_add_tcase(s, tc);

	tc = tcase_create("ucs2");
	tcase_add_test(tc, test_ucs2);
	tcase_add_test(tc, test_ucs2_invalid);
	tcase_add_test(tc, test_utf8_invalid);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gsm7_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
