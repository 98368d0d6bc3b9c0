/*
 * Reassembly of concatenated SMS (TS 23.040 §9.2.3.24.1): any order,
 * duplicates, conflicts, expiry with gaps, and the pure assemble function.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/sms_concat.h"
#include "modem/sms_pdu.h"
#include "tests/unit/testutil.h"

static struct sms msg;

static void make_part(struct sms_part *p, const char *sender, uint16_t ref,
		uint8_t total, uint8_t seq, const char *text)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->sender, sizeof(p->sender), "%s", sender);
	p->ref = ref;
	p->total = total;
	p->seq = seq;
	p->charset = SMS_CHARSET_GSM7;
	snprintf(p->text, sizeof(p->text), "%s", text);
}

START_TEST(test_assemble_any_order)
{
	struct sms_part parts[3];
	struct sms_concat_result res;

	make_part(&parts[0], "+256700000001", 7, 3, 3, "C");
	make_part(&parts[1], "+256700000001", 7, 3, 1, "A");
	make_part(&parts[2], "+256700000001", 7, 3, 2, "B");
	parts[0].received = 50;
	parts[1].received = 40;
	parts[2].received = 60;
	ck_assert_int_eq(sms_concat_assemble(parts, 3, &res, NULL), 0);
	ck_assert_str_eq(res.text, "ABC");
	ck_assert_uint_eq(res.text_len, 3);
	ck_assert(res.complete);
	ck_assert_uint_eq(res.n_missing, 0);
	ck_assert_str_eq(res.sender, "+256700000001");
	ck_assert_uint_eq(res.ref, 7);
	ck_assert_uint_eq(res.total, 3);
	ck_assert_int_eq(res.first_received, 40);
	sms_concat_result_done(&res);
	ck_assert_ptr_null(res.text);
	sms_concat_result_done(&res); /* twice is fine */
}
END_TEST

START_TEST(test_assemble_gaps)
{
	struct sms_part parts[2];
	struct sms_concat_result res;

	make_part(&parts[0], "+1", 9, 4, 4, "D");
	make_part(&parts[1], "+1", 9, 4, 2, "B");
	ck_assert_int_eq(sms_concat_assemble(parts, 2, &res, NULL), 0);
	ck_assert(!res.complete);
	ck_assert_str_eq(res.text, SMS_CONCAT_GAP "B" SMS_CONCAT_GAP "D");
	ck_assert_uint_eq(res.n_missing, 2);
	ck_assert_uint_eq(res.missing[0], 1);
	ck_assert_uint_eq(res.missing[1], 3);
	sms_concat_result_done(&res);
}
END_TEST

START_TEST(test_assemble_errors)
{
	static struct sms_part parts[2];
	struct sms_concat_result res;
	const char *reason = NULL;

	ck_assert_int_eq(sms_concat_assemble(parts, 0, &res, &reason), -EINVAL);
	make_part(&parts[0], "+1", 9, 2, 1, "A");
	make_part(&parts[1], "+2", 9, 2, 2, "B"); /* other sender */
	ck_assert_int_eq(sms_concat_assemble(parts, 2, &res, &reason), -EINVAL);
	ck_assert_str_eq(reason, "parts of different messages");
	make_part(&parts[1], "+1", 9, 2, 1, "X"); /* conflicting dup */
	ck_assert_int_eq(sms_concat_assemble(parts, 2, &res, &reason), -EEXIST);
	ck_assert_str_eq(reason, "conflicting duplicate part");
	make_part(&parts[1], "+1", 9, 2, 1, "A"); /* identical dup: fine */
	ck_assert_int_eq(sms_concat_assemble(parts, 2, &res, &reason), 0);
	ck_assert_str_eq(res.text, "A" SMS_CONCAT_GAP);
	sms_concat_result_done(&res);
	make_part(&parts[0], "+1", 9, 2, 3, "A"); /* seq > total */
	ck_assert_int_eq(sms_concat_assemble(parts, 1, &res, &reason), -EINVAL);
}
END_TEST

START_TEST(test_reasm_flow)
{
	struct sms_reasm *r = sms_reasm_new(60, 4);
	struct sms_part p;
	struct sms_concat_result res;
	const char *reason = NULL;

	ck_assert_ptr_nonnull(r);
	make_part(&p, "+1", 1, 3, 2, "B");
	ck_assert_int_eq(
			sms_reasm_add(r, &p, 0, &res, NULL), SMS_REASM_PENDING);
	ck_assert_int_eq(sms_reasm_add(r, &p, 1, &res, NULL),
			SMS_REASM_DUPLICATE);
	make_part(&p, "+1", 1, 3, 2, "other");
	ck_assert_int_eq(sms_reasm_add(r, &p, 1, &res, &reason), -EEXIST);
	ck_assert_str_eq(reason, "conflicting duplicate part");
	/* Same ref from another sender, and same ref with 16-bit flag, are
	 * other messages. */
	make_part(&p, "+2", 1, 3, 1, "x");
	ck_assert_int_eq(
			sms_reasm_add(r, &p, 2, &res, NULL), SMS_REASM_PENDING);
	make_part(&p, "+1", 1, 3, 1, "y");
	p.ref16 = true;
	ck_assert_int_eq(
			sms_reasm_add(r, &p, 2, &res, NULL), SMS_REASM_PENDING);
	ck_assert_uint_eq(sms_reasm_pending(r), 3);
	make_part(&p, "+1", 1, 3, 3, "C");
	ck_assert_int_eq(
			sms_reasm_add(r, &p, 3, &res, NULL), SMS_REASM_PENDING);
	make_part(&p, "+1", 1, 3, 1, "A");
	ck_assert_int_eq(sms_reasm_add(r, &p, 4, &res, NULL),
			SMS_REASM_COMPLETE);
	ck_assert_str_eq(res.text, "ABC");
	ck_assert(res.complete);
	sms_concat_result_done(&res);
	ck_assert_uint_eq(sms_reasm_pending(r), 2);
	/* A single SMS completes at once. */
	make_part(&p, "+3", 0, 1, 1, "single");
	ck_assert_int_eq(sms_reasm_add(r, &p, 5, &res, NULL),
			SMS_REASM_COMPLETE);
	ck_assert_str_eq(res.text, "single");
	sms_concat_result_done(&res);
	/* Expiry: nothing before the timeout, then both partials. */
	ck_assert_int_eq(sms_reasm_expire(r, 61, &res), 0);
	ck_assert_int_eq(sms_reasm_expire(r, 62, &res), 1);
	ck_assert(!res.complete);
	ck_assert_uint_eq(res.n_missing, 2);
	sms_concat_result_done(&res);
	ck_assert_int_eq(sms_reasm_expire(r, 62, &res), 1);
	sms_concat_result_done(&res);
	ck_assert_int_eq(sms_reasm_expire(r, 62, &res), 0);
	ck_assert_uint_eq(sms_reasm_pending(r), 0);
	sms_reasm_free(r);
	sms_reasm_free(NULL);
}
END_TEST

START_TEST(test_reasm_limits)
{
	struct sms_reasm *r = sms_reasm_new(60, 2);
	struct sms_part p;
	struct sms_concat_result res;

	make_part(&p, "+1", 1, 2, 1, "a");
	ck_assert_int_eq(sms_reasm_add(r, &p, 0, &res, NULL), 0);
	make_part(&p, "+1", 2, 2, 1, "a");
	ck_assert_int_eq(sms_reasm_add(r, &p, 0, &res, NULL), 0);
	make_part(&p, "+1", 3, 2, 1, "a");
	ck_assert_int_eq(sms_reasm_add(r, &p, 0, &res, NULL), -ENOSPC);
	make_part(&p, "+1", 3, 2, 0, "a");
	ck_assert_int_eq(sms_reasm_add(r, &p, 0, &res, NULL), -EINVAL);
	ck_assert_ptr_null(sms_reasm_new(0, 2));
	ck_assert_ptr_null(sms_reasm_new(1, 0));
	sms_reasm_free(r); /* frees the held parts (ASan checks) */
}
END_TEST

/* Long texts -> DELIVER parts -> decode -> shuffled reassembly. */
START_TEST(test_deliver_parts_shuffled)
{
	static struct sms_pdu_out out[SMS_MAX_PARTS];
	static char text[8192];
	struct tu_rng rng;
	int iter;

	tu_rng_seed(&rng, 1234);
	for (iter = 0; iter < 60; iter++) {
		struct sms_reasm *r = sms_reasm_new(600, 8);
		struct sms_deliver_opts o;
		struct sms_concat_result res;
		size_t len = 0, nch = 1 + tu_rng_below(&rng, 1200), i;
		int n, k, got = 0;
		unsigned order[SMS_MAX_PARTS];

		for (i = 0; i < nch; i++)
			tu_put_utf8(text, &len,
					iter % 2 ? 0x4e00 + tu_rng_below(&rng,
									    99)
						 : 'A' + tu_rng_below(&rng,
									 26));
		sms_deliver_opts_init(&o);
		o.from = "+256772000111";
		o.concat_16bit = iter % 3 == 0;
		o.concat_ref = (uint16_t) (300 + iter);
		n = sms_encode_deliver(text, len, &o, out, SMS_MAX_PARTS, NULL);
		ck_assert_int_ge(n, 1);
		for (k = 0; k < n; k++)
			order[k] = (unsigned) k;
		for (k = n - 1; k > 0; k--) {
			unsigned j = tu_rng_below(&rng, (uint32_t) k + 1), t;

			t = order[k];
			order[k] = order[j];
			order[j] = t;
		}
		for (k = 0; k < n; k++) {
			struct sms_part p;
			const char *hex = out[order[k]].hex;
			int rc;

			ck_assert_int_eq(sms_decode_hex(hex, strlen(hex), 0,
							 &msg, NULL),
					0);
			ck_assert_int_eq(sms_part_from_sms(&msg, k, &p), 0);
			rc = sms_reasm_add(r, &p, k, &res, NULL);
			/* Add each part twice: the copy is a duplicate. */
			if (rc == SMS_REASM_PENDING)
				ck_assert_int_eq(sms_reasm_add(r, &p, k, &res,
								 NULL),
						SMS_REASM_DUPLICATE);
			if (rc == SMS_REASM_COMPLETE) {
				ck_assert_int_eq(k, n - 1);
				ck_assert_uint_eq(res.text_len, len);
				ck_assert(memcmp(res.text, text, len) == 0);
				ck_assert_uint_eq(res.total, n);
				sms_concat_result_done(&res);
				got = 1;
			}
		}
		ck_assert_int_eq(got, 1);
		ck_assert_uint_eq(sms_reasm_pending(r), 0);
		sms_reasm_free(r);
	}
}
END_TEST

START_TEST(test_part_from_sms)
{
	struct sms_part p;
	/* 8-bit data with ports: text becomes hex. */
	const char *hex = "00440B916407281553F8000421107241050529090605040B8423"
			  "F00102";

	ck_assert_int_eq(sms_decode_hex(hex, strlen(hex), 0, &msg, NULL), 0);
	ck_assert_int_eq(sms_part_from_sms(&msg, 5, &p), 0);
	ck_assert_str_eq(p.text, "0102");
	ck_assert_str_eq(p.sender, "+46708251358");
	ck_assert_uint_eq(p.total, 1);
	ck_assert_uint_eq(p.seq, 1);
	ck_assert_int_eq(p.received, 5);
	msg.type = SMS_TYPE_STATUS_REPORT;
	ck_assert_int_eq(sms_part_from_sms(&msg, 5, &p), -EINVAL);
}
END_TEST

/*
 * A phone split an emoji's surrogate pair across two UCS-2 parts (issue 10
 * item 3): each part alone decodes with U+FFFD (text_error set, sender
 * and UDH intact); joined from their code units the pair comes out right,
 * in any order.
 */
START_TEST(test_split_surrogate_pair)
{
	static const char *const hex[2] = {
			"00440B916407281553F8000821107241050529"
			"0A050003AB02010041D83D",
			"00440B916407281553F8000821107241050529"
			"0A050003AB0202DE000042",
	};
	struct sms m;
	struct sms_part p[2];
	struct sms_concat_result res;
	const char *why = NULL;
	int i;

	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(sms_decode_hex(hex[i], strlen(hex[i]), 0, &m,
						 &why),
				0);
		ck_assert_ptr_nonnull(m.text_error);
		ck_assert_str_eq(m.addr.number, "+46708251358");
		ck_assert(m.udh.has_concat);
		ck_assert_ptr_nonnull(strstr(m.text, "\xef\xbf\xbd"));
		/* Stored reversed: part 2 first. */
		ck_assert_int_eq(sms_part_from_sms(&m, 10 + i, &p[1 - i]), 0);
	}
	ck_assert_int_eq(sms_concat_assemble(p, 2, &res, &why), 0);
	ck_assert(res.complete);
	ck_assert_str_eq(res.text, "A\xf0\x9f\x98\x80"
				   "B");
	sms_concat_result_done(&res);
	/* Without code units (parts reloaded as text): texts joined. */
	p[0].units_len = p[1].units_len = 0;
	ck_assert_int_eq(sms_concat_assemble(p, 2, &res, &why), 0);
	ck_assert_str_eq(res.text, "A\xef\xbf\xbd\xef\xbf\xbd"
				   "B");
	sms_concat_result_done(&res);
}
END_TEST

/* A GSM-7 escape (0x1B) at the end of part 1, its 0x65 (€) in part 2. */
START_TEST(test_split_gsm7_escape)
{
	struct sms_part p[3];
	struct sms_concat_result res;
	const char *why = NULL;
	int i;

	memset(p, 0, sizeof(p));
	for (i = 0; i < 3; i++) {
		snprintf(p[i].sender, sizeof(p[i].sender), "+256700000001");
		p[i].ref = 7;
		p[i].total = 3;
		p[i].seq = (uint8_t) (i + 1);
		p[i].charset = SMS_CHARSET_GSM7;
	}
	p[0].units[0] = 'a';
	p[0].units[1] = 0x1b;
	p[0].units_len = 2;
	snprintf(p[0].text, sizeof(p[0].text), "a");
	p[1].units[0] = 0x65;
	p[1].units[1] = 'b';
	p[1].units_len = 2;
	snprintf(p[1].text, sizeof(p[1].text), "eb");
	p[2].units[0] = 'c';
	p[2].units_len = 1;
	snprintf(p[2].text, sizeof(p[2].text), "c");
	ck_assert_int_eq(sms_concat_assemble(p, 3, &res, &why), 0);
	ck_assert_str_eq(res.text, "a\xe2\x82\xac"
				   "bc");
	sms_concat_result_done(&res);
	/* Part 2 missing: each run decoded alone, the gap marked. */
	ck_assert_int_eq(sms_concat_assemble(p + 2, 1, &res, &why), 0);
	ck_assert(!res.complete);
	ck_assert_uint_eq(res.n_missing, 2);
	ck_assert_str_eq(res.text, SMS_CONCAT_GAP SMS_CONCAT_GAP "c");
	sms_concat_result_done(&res);
}
END_TEST

static Suite *concat_suite(void)
{
	Suite *s = suite_create("sms_concat");
	TCase *tc = tcase_create("assemble");

	tcase_add_test(tc, test_assemble_any_order);
	tcase_add_test(tc, test_assemble_gaps);
	tcase_add_test(tc, test_assemble_errors);
	tcase_add_test(tc, test_part_from_sms);
	tcase_add_test(tc, test_split_surrogate_pair);
	tcase_add_test(tc, test_split_gsm7_escape);
	suite_add_tcase(s, tc);
	tc = tcase_create("reassembler");
	tcase_add_test(tc, test_reasm_flow);
	tcase_add_test(tc, test_reasm_limits);
	tcase_add_test(tc, test_deliver_parts_shuffled);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(concat_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
