// SPDX-License-Identifier: MIT
/* Final-result classification and retry tables. */
#include "modem/at_error.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

struct cvec {
	const char *line;
	unsigned flags;
	enum at_final fin;
	enum at_error_type type;
	int code;
};

/* Lines from TS 27.007 §5.7 / §9.2, TS 27.005 §3.2.5 and MODEM-QUIRKS. */
static const struct cvec cvecs[] = {
		{"OK", 0, AT_FINAL_OK, AT_ERR_NONE, -1},
		{"OK ", 0, AT_FINAL_OK, AT_ERR_NONE, -1},
		{"CONNECT", 0, AT_FINAL_CONNECT, AT_ERR_NONE, -1},
		{"CONNECT 115200", 0, AT_FINAL_CONNECT, AT_ERR_NONE, -1},
		{"ERROR", 0, AT_FINAL_ERROR, AT_ERR_ERROR, -1},
		{"NO CARRIER", 0, AT_FINAL_ERROR, AT_ERR_NO_CARRIER, -1},
		{"BUSY", 0, AT_FINAL_ERROR, AT_ERR_BUSY, -1},
		{"NO ANSWER", 0, AT_FINAL_ERROR, AT_ERR_NO_ANSWER, -1},
		{"NO DIALTONE", 0, AT_FINAL_ERROR, AT_ERR_NO_DIALTONE, -1},
		{"COMMAND NOT SUPPORT", 0, AT_FINAL_ERROR, AT_ERR_NOT_SUPPORTED,
				-1},
		{"MODEM ERROR: 3", 0, AT_FINAL_ERROR, AT_ERR_VENDOR, 3},
		{"NA", 0, AT_FINAL_ERROR, AT_ERR_VENDOR, -1},
		{"+CME ERROR: 14", 0, AT_FINAL_ERROR, AT_ERR_CME, 14},
		{"+CME ERROR:10", 0, AT_FINAL_ERROR, AT_ERR_CME, 10},
		{"+CME ERROR: SIM busy", 0, AT_FINAL_ERROR, AT_ERR_CME, 14},
		{"+CME ERROR: SIM not inserted", 0, AT_FINAL_ERROR, AT_ERR_CME,
				10},
		{"+CME ERROR: some vendor text", 0, AT_FINAL_ERROR, AT_ERR_CME,
				-1},
		/* Samsung: -1 = empty slot */
		{"+CME ERROR: -1", 0, AT_FINAL_ERROR, AT_ERR_CME, -1},
		{"+CME ERROR: 258", 0, AT_FINAL_ERROR, AT_ERR_CME, 258},
		{"+CMS ERROR: 500", 0, AT_FINAL_ERROR, AT_ERR_CMS, 500},
		{"+CMS ERROR: 332", 0, AT_FINAL_ERROR, AT_ERR_CMS, 332},
		{"+CMS ERROR: network timeout", 0, AT_FINAL_ERROR, AT_ERR_CMS,
				332},
		{"+CMS ERROR: 12x", 0, AT_FINAL_ERROR, AT_ERR_CMS, -1},
		{"+CMS ERROR:", 0, AT_FINAL_ERROR, AT_ERR_CMS, -1},
		/* never a substring (Kannel bug) */
		{"OKAY", 0, AT_FINAL_NONE, AT_ERR_NONE, 0},
		{"+CUSD: 0,\"ERROR\",15", 0, AT_FINAL_NONE, AT_ERR_NONE, 0},
		{"+CMGS: 12", 0, AT_FINAL_NONE, AT_ERR_NONE, 0},
		{"ERRORS", 0, AT_FINAL_NONE, AT_ERR_NONE, 0},
		{"RING", 0, AT_FINAL_NONE, AT_ERR_NONE, 0},
		/* V0 numeric codes only when asked */
		{"0", 0, AT_FINAL_NONE, AT_ERR_NONE, 0},
		{"0", AT_CLASSIFY_NUMERIC, AT_FINAL_OK, AT_ERR_NONE, -1},
		{"4", AT_CLASSIFY_NUMERIC, AT_FINAL_ERROR, AT_ERR_ERROR, -1},
		{"3", AT_CLASSIFY_NUMERIC, AT_FINAL_ERROR, AT_ERR_NO_CARRIER,
				-1},
		{"2", AT_CLASSIFY_NUMERIC, AT_FINAL_NONE, AT_ERR_NONE, 0},
		{"44", AT_CLASSIFY_NUMERIC, AT_FINAL_NONE, AT_ERR_NONE, 0},
};

START_TEST(test_classify)
{
	const struct cvec *v = &cvecs[_i];
	struct at_error e = {.type = 99, .code = 99};
	enum at_final f = at_error_classify(v->line, v->flags, &e);

	ck_assert_msg(f == v->fin, "%s: fin %d want %d", v->line, f, v->fin);
	if (f == AT_FINAL_ERROR) {
		ck_assert_msg(e.type == v->type, "%s: type %d", v->line,
				e.type);
		ck_assert_msg(e.code == v->code, "%s: code %d want %d", v->line,
				e.code, v->code);
		ck_assert_ptr_eq(e.line, v->line);
		ck_assert(!e.payload_sent);
	}
	ck_assert_int_eq(at_error_classify(v->line, v->flags, NULL), v->fin);
}
END_TEST

struct rvec {
	enum at_error_type type;
	int code;
	enum at_retry want;
};

static const struct rvec rvecs[] = {
		{AT_ERR_CMS, 332, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 38, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 41, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 42, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 47, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 111, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 314, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 532, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 512, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 600, AT_RETRY_TRANSIENT},
		{AT_ERR_CMS, 21, AT_RETRY_PERMANENT},
		{AT_ERR_CMS, 27, AT_RETRY_PERMANENT},
		{AT_ERR_CMS, 28, AT_RETRY_PERMANENT},
		{AT_ERR_CMS, 29, AT_RETRY_PERMANENT},
		{AT_ERR_CMS, 304, AT_RETRY_PERMANENT},
		{AT_ERR_CMS, 305, AT_RETRY_PERMANENT},
		{AT_ERR_CMS, 330, AT_RETRY_PERMANENT},
		{AT_ERR_CMS, 500, AT_RETRY_PERMANENT},
		{AT_ERR_CMS, 322, AT_RETRY_UNKNOWN},
		{AT_ERR_CMS, -1, AT_RETRY_UNKNOWN},
		{AT_ERR_CME, 14, AT_RETRY_TRANSIENT},
		{AT_ERR_CME, 16, AT_RETRY_PERMANENT},
		{AT_ERR_CME, 10, AT_RETRY_PERMANENT},
		{AT_ERR_TIMEOUT, -1, AT_RETRY_TRANSIENT},
		{AT_ERR_IO, -1, AT_RETRY_TRANSIENT},
		{AT_ERR_NOT_SUPPORTED, -1, AT_RETRY_PERMANENT},
		{AT_ERR_ERROR, -1, AT_RETRY_UNKNOWN},
};

START_TEST(test_retry)
{
	const struct rvec *v = &rvecs[_i];
	struct at_error e = {.type = v->type, .code = v->code};

	ck_assert_msg(at_error_retry_class(&e) == v->want, "%d/%d: %d", v->type,
			v->code, at_error_retry_class(&e));
	ck_assert(at_error_is_transient(&e) == (v->want == AT_RETRY_TRANSIENT));
}
END_TEST

START_TEST(test_tables)
{
	struct at_error busy = {.type = AT_ERR_CME, .code = 14};
	struct at_error cms = {.type = AT_ERR_CMS, .code = 314};
	struct at_error other = {.type = AT_ERR_CMS, .code = 500};

	ck_assert_str_eq(at_cms_error_str(332), "network timeout");
	ck_assert_str_eq(at_cms_error_str(321), "invalid memory index");
	ck_assert_str_eq(at_cms_error_str(700), "manufacturer specific");
	ck_assert_str_eq(at_cms_error_str(7), "unknown CMS error");
	ck_assert_str_eq(at_cme_error_str(14), "SIM busy");
	ck_assert_str_eq(at_cme_error_str(999), "manufacturer specific");
	ck_assert_str_eq(at_error_type_str(AT_ERR_TIMEOUT), "timeout");
	ck_assert(at_error_is_sim_busy(&busy));
	ck_assert(at_error_is_sim_busy(&cms));
	ck_assert(!at_error_is_sim_busy(&other));
	ck_assert(!at_error_is_sim_busy(NULL));
	ck_assert(!at_error_is_transient(NULL));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("at_error");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_classify, 0,
			(int) (sizeof(cvecs) / sizeof(cvecs[0])));
	tcase_add_loop_test(tc, test_retry, 0,
			(int) (sizeof(rvecs) / sizeof(rvecs[0])));
	tcase_add_test(tc, test_tables);
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
