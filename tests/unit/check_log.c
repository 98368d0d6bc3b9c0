/*
 * tests/unit/check_log.c - gateway/log.c: category parsing, redaction,
 * escaping, and the one-line-per-event format on stderr.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/log.h"

START_TEST(test_parse_categories)
{
	unsigned mask = 0;
	char bad[16] = "";

	ck_assert_int_eq(log_parse_categories("at,db", &mask, bad, sizeof(bad)),
			0);
	ck_assert_uint_eq(mask, LOG_CAT_AT | LOG_CAT_DB);
	ck_assert_int_eq(log_parse_categories("all", &mask, NULL, 0), 0);
	ck_assert_uint_eq(mask, LOG_CAT_ALL);
	ck_assert_int_eq(log_parse_categories("", &mask, NULL, 0), 0);
	ck_assert_uint_eq(mask, 0);
	ck_assert_int_eq(log_parse_categories(
					 "db,bogus", &mask, bad, sizeof(bad)),
			-EINVAL);
	ck_assert_str_eq(bad, "bogus");
	ck_assert_int_eq(log_parse_categories("a", &mask, bad, sizeof(bad)),
			-EINVAL);
	ck_assert_str_eq(bad, "a");
}
END_TEST

START_TEST(test_parse_level)
{
	enum log_level l;

	ck_assert_int_eq(log_parse_level("debug", &l), 0);
	ck_assert_int_eq(l, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(log_parse_level("warning", &l), 0);
	ck_assert_int_eq(l, LOG_LEVEL_WARNING);
	ck_assert_int_eq(log_parse_level("verbose", &l), -EINVAL);
	ck_assert_str_eq(log_level_name(LOG_LEVEL_INFO), "info");
}
END_TEST

static const struct {
	const char *in;
	const char *redacted;
	const char *shown;
} numbers[] = {
		{"+8613912345678", "+861********78", "+8613912345678"},
		{"13912345678", "139******78", "13912345678"},
		{"10086", "10086", "10086"}, /* short code */
		{"BANK", "BANK", "BANK"},    /* alphanumeric */
		{"+1234567", "+123**67", "+1234567"},
		{"", "", ""},
		{"+86\r139", "+86<CR>139", "+86<CR>139"},
};

START_TEST(test_redact_number)
{
	char buf[LOG_NUMBER_MAX];

	log_set_personal_info(false);
	ck_assert_str_eq(log_redact_number(numbers[_i].in, buf, sizeof(buf)),
			numbers[_i].redacted);
	log_set_personal_info(true);
	ck_assert_str_eq(log_redact_number(numbers[_i].in, buf, sizeof(buf)),
			numbers[_i].shown);
	log_set_personal_info(false);
}
END_TEST

START_TEST(test_redact_number_never_cut)
{
	char buf[10];

	log_set_personal_info(false);
	/* Too long for the buffer: no digit may leak through a cut. */
	ck_assert_str_eq(log_redact_number("+8613912345678", buf, sizeof(buf)),
			"[number]");
}
END_TEST

START_TEST(test_redact_text)
{
	char buf[LOG_TEXT_MAX];

	log_set_personal_info(false);
	ck_assert_str_eq(log_redact_text("拜访 3 家", buf, sizeof(buf)),
			"[12 bytes]");
	log_set_personal_info(true);
	ck_assert_str_eq(log_redact_text("a\nb", buf, sizeof(buf)), "a<LF>b");
	log_set_personal_info(false);
}
END_TEST

START_TEST(test_escape)
{
	char buf[32], small[10];

	ck_assert_str_eq(log_escape("AT+CMGS=23\r", 11, buf, sizeof(buf)),
			"AT+CMGS=23<CR>");
	ck_assert_str_eq(log_escape("\r\n> ", 4, buf, sizeof(buf)),
			"<CR><LF>> ");
	ck_assert_str_eq(log_escape("x\x1a\x01", 3, buf, sizeof(buf)),
			"x<SUB>\\x01");
	/* Cut with "..." and never inside a UTF-8 sequence. */
	ck_assert_str_eq(log_escape("abcdefghijk", 11, small, sizeof(small)),
			"abcdef...");
	ck_assert_str_eq(log_escape("abcd已收到", 13, small, sizeof(small)),
			"abcd...");
}
END_TEST

/* Runs fn with stderr redirected to a pipe and returns what it wrote. */
static void capture(void (*fn)(void), char *out, size_t size)
{
	int p[2], saved;
	ssize_t n;

	ck_assert_int_eq(pipe(p), 0);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(p[1], STDERR_FILENO), 0);
	fn();
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	close(p[1]);
	n = read(p[0], out, size - 1);
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	close(p[0]);
}

static void emit_lines(void)
{
	unsetenv("JOURNAL_STREAM");
	log_init(true, LOG_LEVEL_INFO, LOG_CAT_DB, "test");
	log_set_timestamps(false);
	log_info("modem=%s msg=%d stored", "usb0", 42);
	log_debug(LOG_CAT_DB, "not shown at level info");
	errno = ENOENT;
	log_warn("modem=usb0 cannot open \"%s\"", "/dev/ttyUSB9");
	log_warnx("two\nlines");
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug(LOG_CAT_DB, "query took %d ms", 3);
	log_debug(LOG_CAT_AT, "category off");
	log_set_level(LOG_LEVEL_WARNING);
	log_info("suppressed");
}

START_TEST(test_line_format)
{
	char out[1024];

	capture(emit_lines, out, sizeof(out));
	ck_assert_str_eq(out,
			"info: modem=usb0 msg=42 stored\n"
			"warning: modem=usb0 cannot open \"/dev/ttyUSB9\": "
			"No such file or directory\n"
			"warning: two lines\n"
			"debug(db): query took 3 ms\n");
}
END_TEST

static void emit_error(void)
{
	unsetenv("JOURNAL_STREAM");
	/* an error is written even at the quietest level */
	log_init(true, LOG_LEVEL_WARNING, 0, "test");
	log_errx("cannot start: configuration \"%s\" has errors", "x.conf");
	setenv("JOURNAL_STREAM", "8:1234", 1);
	log_init(true, LOG_LEVEL_WARNING, 0, "test");
	log_errx("fatal thing");
	unsetenv("JOURNAL_STREAM");
}

START_TEST(test_error_level)
{
	char out[256];

	capture(emit_error, out, sizeof(out));
	/* "<3>" is LOG_ERR */
	ck_assert_str_eq(out,
			"error: cannot start: configuration \"x.conf\" has "
			"errors\n<3>error: fatal thing\n");
}
END_TEST

/* A device retried for ever: lines logged at 0, 10, 30, 70 s ... */
START_TEST(test_repeat_backoff)
{
	static const struct {
		long long at_ms;
		const char *text;
		bool logged;
		unsigned suppressed;
		int next_s;
	} steps[] = {
			{0, "cannot open /dev/ttyUSB0", true, 0, 10},
			{1000, "cannot open /dev/ttyUSB0", false, 0, 0},
			{3000, "cannot open /dev/ttyUSB0", false, 0, 0},
			{9999, "cannot open /dev/ttyUSB0", false, 0, 0},
			{10000, "cannot open /dev/ttyUSB0", true, 3, 20},
			{29000, "cannot open /dev/ttyUSB0", false, 0, 0},
			{30000, "cannot open /dev/ttyUSB0", true, 1, 40},
			/* another reason is news: at once, the gap starts over */
			{31000, "no answer to AT", true, 0, 10},
			{32000, "no answer to AT", false, 0, 0},
			{41000, "no answer to AT", true, 1, 20},
	};
	struct log_repeat r = {0};
	size_t i;

	ck_assert(!log_repeat_active(&r));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		unsigned n = 99;
		int next = -1;
		bool got = log_repeat_allow(
				&r, steps[i].text, steps[i].at_ms, &n, &next);

		ck_assert_msg(got == steps[i].logged, "step %zu", i);
		if (got) {
			ck_assert_uint_eq(n, steps[i].suppressed);
			ck_assert_int_eq(next, steps[i].next_s);
		}
	}
	ck_assert(log_repeat_active(&r));
	/* the gap is capped */
	for (i = 0; i < 40; i++)
		(void) log_repeat_allow(&r, "no answer to AT",
				41000 + (long long) i * LOG_REPEAT_MAX_MS, NULL,
				NULL);
	ck_assert_int_eq(r.gap_ms, LOG_REPEAT_MAX_MS);
	/* cleared (the modem came up): the next failure is logged at once */
	log_repeat_reset(&r);
	ck_assert(!log_repeat_active(&r));
	ck_assert(log_repeat_allow(&r, "no answer to AT", 0, NULL, NULL));
}
END_TEST

static void emit_journal(void)
{
	setenv("JOURNAL_STREAM", "8:1234", 1);
	log_init(true, LOG_LEVEL_INFO, 0, "test");
	log_warnx("to the journal");
	unsetenv("JOURNAL_STREAM");
}

START_TEST(test_journal_prefix)
{
	char out[256];

	capture(emit_journal, out, sizeof(out));
	/* "<4>" is LOG_WARNING, which journald turns into the priority. */
	ck_assert_str_eq(out, "<4>warning: to the journal\n");
}
END_TEST

static void emit_timestamped(void)
{
	unsetenv("JOURNAL_STREAM");
	log_init(true, LOG_LEVEL_INFO, 0, "test");
	log_set_timestamps(true);
	log_info("hello");
}

START_TEST(test_timestamps)
{
	char out[256];

	capture(emit_timestamped, out, sizeof(out));
	/* 2026-11-27T11:45:02.123+00:00 info: hello */
	ck_assert_int_eq(strlen(out), 30 + strlen("info: hello\n"));
	ck_assert_int_eq(out[4], '-');
	ck_assert_int_eq(out[10], 'T');
	ck_assert_int_eq(out[19], '.');
	ck_assert(out[23] == '+' || out[23] == '-');
	ck_assert_int_eq(out[26], ':');
	ck_assert_str_eq(out + 30, "info: hello\n");
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_categories);
	tcase_add_test(tc, test_parse_level);
	tcase_add_loop_test(tc, test_redact_number, 0,
			sizeof(numbers) / sizeof(numbers[0]));
	tcase_add_test(tc, test_redact_number_never_cut);
	tcase_add_test(tc, test_redact_text);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_line_format);
	tcase_add_test(tc, test_journal_prefix);
	tcase_add_test(tc, test_timestamps);
	tcase_add_test(tc, test_error_level);
	tcase_add_test(tc, test_repeat_backoff);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(log_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
