// SPDX-License-Identifier: MIT
/*
 * Framer tests. Every vector is fed whole, one byte at a time and in random
 * chunks (fixed seeds), and must give the same tokens each way.
 */
#include "modem/at_lexer.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sink {
	char out[4096];
	size_t len;
	const char *pdu_after; /* set the PDU hint after this line */
	struct at_lexer *lx;
};

static int on_tok(enum at_token tok, const char *text, size_t len, void *ud)
{
	struct sink *s = ud;
	static const char *const names[] = {"L", "P", "D", "Z", "O"};

	ck_assert_uint_eq(strlen(text), len);
	s->len += (size_t) snprintf(s->out + s->len, sizeof(s->out) - s->len,
			"%s[%s]", names[tok], text);
	if (s->pdu_after && tok == AT_TOK_LINE &&
			strncmp(text, s->pdu_after, strlen(s->pdu_after)) == 0)
		at_lexer_expect_pdu(s->lx, true);
	return 0;
}

struct vec {
	const char *name;
	const char *in;
	size_t in_len; /* 0: strlen */
	const char *pdu_after;
	size_t line_max;
	const char *want;
};

static const struct vec vecs[] = {
		{"crlf", "\r\nOK\r\n", 0, NULL, 0, "L[OK]"},
		{"lone lf", "OK\n", 0, NULL, 0, "L[OK]"},
		{"cr only", "OK\r", 0, NULL, 0, "L[OK]"},
		/* MM strips duplicate CRs: \r\r\n */
		{"cr cr lf", "\r\r\n+CSQ: 20,99\r\r\n\r\r\nOK\r\r\n", 0, NULL,
				0, "L[+CSQ: 20,99]L[OK]"},
		{"leading NULs", "\0\0\0\r\nOK\r\n", 9, NULL, 0, "L[OK]"},
		{"no leading crlf", "+CMTI: \"SM\",3\r\nOK\r\n", 0, NULL, 0,
				"L[+CMTI: \"SM\",3]L[OK]"},
		{"prompt no eol", "\r\n> ", 0, NULL, 0, "P[>]"},
		{"short prompt crlf", "\r\n>\r\n", 0, NULL, 0, "P[>]"},
		{"prompt then line", "\r\n> \r\n+CMGS: 4\r\n\r\nOK\r\n", 0,
				NULL, 0, "P[>]L[+CMGS: 4]L[OK]"},
		/* oFono gatsyntax ECHO: PDU echo ends with Ctrl-Z, no CRLF */
		{"pdu echo ctrl-z", "0011000B91\x1a\r\n+CMGS: 7\r\n", 0, NULL,
				0, "Z[0011000B91]L[+CMGS: 7]"},
		{"multi-line cusd",
				"\r\n+CUSD: 1,\"Menu\r\n1. Balance\r\n2. "
				"Data\","
				"15\r\nOK\r\n",
				0, NULL, 0,
				"L[+CUSD: 1,\"Menu\r\n1. Balance\r\n2. "
				"Data\",15]L[OK]"},
		/* unterminated quote must not swallow the OK (MODEM-QUIRKS CREG) */
		{"unterminated quote", "+CREG: 2,1,\"5E25\r\nOK\r\n", 0, NULL,
				0, "L[+CREG: 2,1,\"5E25]L[OK]"},
		{"pdu hint", "\r\n+CMT: ,23\r\n0791\r\n", 0, "+CMT:", 0,
				"L[+CMT: ,23]D[0791]"},
		/* extra CRLF between +CMGR: and the PDU */
		{"pdu hint extra crlf",
				"+CMGR: 0,,23\r\n\r\n\r\n07911>\r\nOK\r\n", 0,
				"+CMGR:", 0, "L[+CMGR: 0,,23]D[07911>]L[OK]"},
		{"overflow", "0123456789ABCDEF\r\nOK\r\n", 0, NULL, 8,
				"O[01234567]L[OK]"},
		{"overflow keeps sync", "AAAAAAAAAAAA\nBB\nCCCCCCCCCCCC\r\n", 0,
				NULL, 8, "O[AAAAAAAA]L[BB]O[CCCCCCCC]"},
		{"exact max", "12345678\r\n", 0, NULL, 8, "L[12345678]"},
		{"many in one",
				"RING\r\n\r\n+CLIP: "
				"\"123\",129\r\n^RSSI:12\r\n",
				0, NULL, 0,
				"L[RING]L[+CLIP: \"123\",129]L[^RSSI:12]"},
		{"echo then answer", "AT+CSQ\r\r\n+CSQ: 5,0\r\n\r\nOK\r\n", 0,
				NULL, 0, "L[AT+CSQ]L[+CSQ: 5,0]L[OK]"},
		{"gt inside line", "+X: a>b\r\n", 0, NULL, 0, "L[+X: a>b]"},
		{"empty", "\r\n\r\n\n\r", 0, NULL, 0, ""},
};

static void run(const struct vec *v, const char *mode, unsigned seed, char *out,
		size_t outsz)
{
	struct sink s = {.pdu_after = v->pdu_after};
	size_t n = v->in_len ? v->in_len : strlen(v->in);
	const uint8_t *in = (const uint8_t *) v->in;

	s.lx = at_lexer_new(v->line_max, on_tok, &s);
	ck_assert_ptr_nonnull(s.lx);
	if (strcmp(mode, "whole") == 0) {
		ck_assert_uint_eq(at_lexer_feed(s.lx, in, n), n);
	} else if (strcmp(mode, "bytes") == 0) {
		for (size_t i = 0; i < n; i++)
			ck_assert_uint_eq(at_lexer_feed(s.lx, in + i, 1), 1);
	} else {
		size_t i = 0;

		srand(seed);
		while (i < n) {
			size_t k = 1 + (size_t) rand() % 7;

			if (k > n - i)
				k = n - i;
			at_lexer_feed(s.lx, in + i, k);
			i += k;
		}
	}
	at_lexer_free(s.lx);
	snprintf(out, outsz, "%s", s.out);
}

START_TEST(test_vectors)
{
	const struct vec *v = &vecs[_i];
	char got[4096];

	run(v, "whole", 0, got, sizeof(got));
	ck_assert_msg(strcmp(got, v->want) == 0, "%s whole: got %s want %s",
			v->name, got, v->want);
	run(v, "bytes", 0, got, sizeof(got));
	ck_assert_msg(strcmp(got, v->want) == 0, "%s bytes: got %s want %s",
			v->name, got, v->want);
	for (unsigned seed = 1; seed <= 20; seed++) {
		run(v, "chunks", seed, got, sizeof(got));
		ck_assert_msg(strcmp(got, v->want) == 0,
				"%s chunks/%u: got %s want %s", v->name, seed,
				got, v->want);
	}
}
END_TEST

static int stop_cb(enum at_token tok, const char *text, size_t len, void *ud)
{
	int *count = ud;

	(void) tok;
	(void) text;
	(void) len;
	(*count)++;
	return 1;
}

START_TEST(test_stop)
{
	int count = 0;
	struct at_lexer *lx = at_lexer_new(0, stop_cb, &count);
	const char *in = "A\r\nB\r\n";

	/* Stops right after the first token: 2 bytes consumed ("A\r"). */
	ck_assert_uint_eq(at_lexer_feed(lx, (const uint8_t *) in, 6), 2);
	ck_assert_int_eq(count, 1);
	ck_assert_uint_eq(at_lexer_overflows(lx), 0);
	at_lexer_free(lx);
}
END_TEST

START_TEST(test_reset)
{
	struct sink s = {0};

	s.lx = at_lexer_new(0, on_tok, &s);
	at_lexer_feed(s.lx, (const uint8_t *) "PARTIAL", 7);
	at_lexer_expect_pdu(s.lx, true);
	at_lexer_reset(s.lx);
	at_lexer_feed(s.lx, (const uint8_t *) "OK\r\n", 4);
	ck_assert_str_eq(s.out, "L[OK]");
	at_lexer_free(s.lx);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("at_lexer");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_vectors, 0,
			(int) (sizeof(vecs) / sizeof(vecs[0])));
	tcase_add_test(tc, test_stop);
	tcase_add_test(tc, test_reset);
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
