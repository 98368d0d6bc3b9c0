// SPDX-License-Identifier: MIT
/*
 * USSD codec tables. Sources: MODEM-QUIRKS.md "USSD" ([Q]), 3GPP TS 23.038
 * §5 and §6.1.2.3.1 ([38]), well-known packed "hello" = E8329BFD06.
 */
#include "modem/ussd.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *text;
	enum ussd_mode mode;
	int rc;
	const char *want;
	int dcs;
} enc[] = {
		{"*100#", USSD_MODE_PACKED, 10, "AA180C3602",
				15}, /* [Q] Huawei */
		{"*100#", USSD_MODE_PLAIN, 5, "*100#", 15},
		{"*100#", USSD_MODE_UCS2, 20, "002A0031003000300023", 72},
		{"hello", USSD_MODE_PACKED, 10, "E8329BFD06", 15},
		{"*1\"#", USSD_MODE_PLAIN, -EINVAL, NULL, 0},
		{"\xe4\xb8\xad", USSD_MODE_PLAIN, -EINVAL, NULL,
				0}, /* U+4E2D */
		{"\xe4\xb8\xad", USSD_MODE_PACKED, -EINVAL, NULL, 0},
		{"\xe4\xb8\xad", USSD_MODE_UCS2, 4, "4E2D", 72},
};

START_TEST(test_encode)
{
	char out[64];
	int dcs = -5;
	int rc = ussd_encode_request(
			enc[_i].text, enc[_i].mode, out, sizeof(out), &dcs);

	ck_assert_msg(rc == enc[_i].rc, "%s: rc %d", enc[_i].text, rc);
	if (rc < 0) {
		ck_assert_int_eq(dcs, -5);
		return;
	}
	ck_assert_str_eq(out, enc[_i].want);
	ck_assert_int_eq(dcs, enc[_i].dcs);
}
END_TEST

/* §6.1.2.3.1: 7 characters leave 7 spare bits → CR fill, and back. */
START_TEST(test_cr_padding)
{
	char hex[64], text[64];
	int dcs;
	int rc = ussd_encode_request(
			"1234567", USSD_MODE_PACKED, hex, sizeof(hex), &dcs);

	ck_assert_int_eq(rc, 14); /* 8 septets in 7 octets */
	/* top 7 bits of the last octet are the CR */
	ck_assert(strtol(hex + 12, NULL, 16) >> 1 == 0x0d);
	rc = ussd_decode(hex, 15, USSD_MODE_PACKED, text, sizeof(text), NULL);
	ck_assert_int_eq(rc, 7);
	ck_assert_str_eq(text, "1234567");
	ck_assert_int_eq(ussd_encode_request("123456", USSD_MODE_PACKED, hex,
					 sizeof(hex), &dcs),
			12);
}
END_TEST

static const struct {
	const char *str;
	int dcs;
	enum ussd_mode mode;
	int rc;
	const char *want;
} dec[] = {
		/* Huawei packed replies */
		{"AA180C3602", 15, USSD_MODE_PACKED, 5, "*100#"},
		{"E8329BFD06", 15, USSD_MODE_PACKED, 5, "hello"},
		{"E8329BFD06", -1, USSD_MODE_PACKED, 5,
				"hello"}, /* [Q] no dcs */
		/* plain text, any dcs [Q] */
		{"Kontostand: 5 EUR", -1, USSD_MODE_PLAIN, 17,
				"Kontostand: 5 EUR"},
		{"Balance 5", 15, USSD_MODE_PLAIN, 9, "Balance 5"},
		{"Menu\r\n1. Bal", 15, USSD_MODE_PLAIN, 12, "Menu\r\n1. Bal"},
		/* plain digits are not mistaken for UCS-2 */
		{"12345678", 15, USSD_MODE_PLAIN, 8, "12345678"},
		{"", 15, USSD_MODE_PLAIN, 0, ""}, /* [Q] empty */
		/* UCS-2, dcs 72 [Q] */
		{"004F004B", 72, USSD_MODE_PLAIN, 2, "OK"},
		{"04110430043B", 72, USSD_MODE_PLAIN, 6,
				"\xd0\x91\xd0\xb0\xd0\xbb"},
		/* Quectel M35: dcs 15 but UCS-2 content [Q] */
		{"04110430043B", 15, USSD_MODE_PLAIN, 6,
				"\xd0\x91\xd0\xb0\xd0\xbb"},
		/* Telit HE910: dcs 17, language "en" then UCS-2 then garbage [Q] */
		{"653700410042", 17, USSD_MODE_PLAIN, 2, "AB"},
		{"6537004100420000FFFFFFFF", 17, USSD_MODE_PLAIN, 2, "AB"},
		{"004100420000FFFF", 17, USSD_MODE_PLAIN, 2,
				"AB"}, /* no lang */
		/* 8-bit hex with dcs 0 (gammu#513) and dcs 68 */
		{"48656C6C6F", 0, USSD_MODE_PLAIN, 5, "Hello"},
		{"48C4", 68, USSD_MODE_PLAIN, 3, "H\xc3\x84"},
		/* configured UCS2 mode: hex with GSM dcs is UCS-2 */
		{"00480069", 15, USSD_MODE_UCS2, 2, "Hi"},
		/* compressed DCS (01 1x xxxx) is not supported */
		{"00", 0x60, USSD_MODE_PLAIN, -ENOTSUP, NULL},
		{"00", 0x90, USSD_MODE_PLAIN, -ENOTSUP, NULL},
		/* lone surrogate in UCS-2 */
		{"D800", 72, USSD_MODE_PLAIN, -EINVAL, NULL},
};

START_TEST(test_decode)
{
	char out[128];
	const char *why = NULL;
	int rc = ussd_decode(dec[_i].str, dec[_i].dcs, dec[_i].mode, out,
			sizeof(out), &why);

	ck_assert_msg(rc == dec[_i].rc, "%s/%d: rc %d", dec[_i].str,
			dec[_i].dcs, rc);
	if (rc >= 0)
		ck_assert_str_eq(out, dec[_i].want);
}
END_TEST

START_TEST(test_small_buffer)
{
	char out[4];
	int dcs;

	ck_assert_int_eq(ussd_decode("Balance 5", 15, USSD_MODE_PLAIN, out,
					 sizeof(out), NULL),
			-EMSGSIZE);
	ck_assert_int_eq(ussd_encode_request("*100#", USSD_MODE_PACKED, out,
					 sizeof(out), &dcs),
			-EMSGSIZE);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ussd");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_encode, 0,
			(int) (sizeof(enc) / sizeof(enc[0])));
	tcase_add_test(tc, test_cr_padding);
	tcase_add_loop_test(tc, test_decode, 0,
			(int) (sizeof(dec) / sizeof(dec[0])));
	tcase_add_test(tc, test_small_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
