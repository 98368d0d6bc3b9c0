/*
 * rules/csv.c: RFC 4180 records from real-looking inputs, rendered as
 * "line:[f1|f2]" and "line:ERROR" so each case is one table row. Every
 * case is read twice: in one chunk and one byte at a time (fields and
 * line breaks straddling the reader's refills).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/csv.h"
#include "tests/unit/testutil.h"

struct src {
	const char *p;
	size_t len, chunk;
};

static ssize_t src_read(void *user, char *buf, size_t size)
{
	struct src *s = user;
	size_t n = s->len < size ? s->len : size;

	if (s->chunk && n > s->chunk)
		n = s->chunk;
	memcpy(buf, s->p, n);
	s->p += n;
	s->len -= n;
	return (ssize_t) n;
}

static const char *code_name(int r)
{
	switch (r) {
	case -EILSEQ:
		return "EILSEQ";
	case -EBADMSG:
		return "EBADMSG";
	case -E2BIG:
		return "E2BIG";
	default:
		return "OTHER";
	}
}

/* Reads everything; out gets "2:[a|b] 3:EILSEQ ..." */
static void render(const char *in, size_t len, size_t chunk,
		const struct csv_opts *o, char *out, size_t size)
{
	struct src s = {in, len, chunk};
	struct csv_reader *r;
	struct csv_record rec;
	size_t used = 0, i;
	int rc, guard = 0;

	ck_assert_int_eq(csv_new(o, src_read, &s, &r), 0);
	out[0] = '\0';
	while ((rc = csv_next(r, &rec)) != 0 && guard++ < 100) {
		if (rc < 0) {
			used += (size_t) snprintf(out + used, size - used,
					"%s%lld:%s", used ? " " : "",
					(long long) csv_error_line(r),
					code_name(rc));
			ck_assert(csv_error(r)[0] != '\0');
			continue;
		}
		used += (size_t) snprintf(out + used, size - used, "%s%lld:[",
				used ? " " : "", (long long) rec.line);
		for (i = 0; i < rec.n; i++) {
			ck_assert_uint_eq(strlen(rec.fields[i]), rec.lens[i]);
			used += (size_t) snprintf(out + used, size - used,
					"%s%s", i ? "|" : "", rec.fields[i]);
		}
		used += (size_t) snprintf(out + used, size - used, "]");
	}
	ck_assert_int_lt(guard, 100);
	ck_assert_uint_eq(csv_bytes_read(r), len);
	csv_free(r);
}

static const struct {
	const char *in;
	const char *want;
	size_t len; /* 0: strlen(in) */
} cases[] = {
		/* plain, LF and CRLF, last line with or without an end */
		{"a,b\nc,d\n", "1:[a|b] 2:[c|d]", 0},
		{"a,b\r\nc,d\r\n", "1:[a|b] 2:[c|d]", 0},
		{"a,b\r\nc,d", "1:[a|b] 2:[c|d]", 0},
		{"a,b\rc,d\r", "1:[a|b] 2:[c|d]", 0},
		/* empty fields, blank lines skipped (line numbers kept) */
		{"a,,c\n\n,\n\r\nx\n", "1:[a||c] 3:[|] 5:[x]", 0},
		{"", "", 0},
		{"\n\n", "", 0},
		/* quotes: separators, doubled quotes, line breaks inside */
		{"\"a,b\",\"say \"\"hi\"\"\"\n", "1:[a,b|say \"hi\"]", 0},
		{"\"line1\nline2\",x\ny,z\n", "1:[line1\nline2|x] 3:[y|z]", 0},
		{"\"crlf\r\ninside\"\r\nn\r\n", "1:[crlf\r\ninside] 3:[n]", 0},
		{"\"\",\"\"\n", "1:[|]", 0},
		/* OpenCellID rows and a BOM before the header */
		{"\xEF\xBB\xBFradio,mcc,net\nLTE,460,0\n",
				"1:[radio|mcc|net] 2:[LTE|460|0]", 0},
		/* UTF-8: Chinese ok; bad bytes, overlong, surrogate, NUL */
		{"JN0231,华联超市\n", "1:[JN0231|华联超市]", 0},
		{"a,\xC3\n"
		 "b,ok\n",
				"1:EILSEQ 2:[b|ok]", 0},
		{"\xC0\xAF\nok\n", "1:EILSEQ 2:[ok]", 0},
		{"\xED\xA0\x80\nok\n", "1:EILSEQ 2:[ok]", 0},
		{"a\0b\nok\n", "1:EILSEQ 2:[ok]", 7},
		{"\xF4\x90\x80\x80\n", "1:EILSEQ", 0},
		/* stray quotes: reported, the next record still read */
		{"ab\"c,d\nok\n", "1:EBADMSG 2:[ok]", 0},
		{"\"ab\"c,d\nok\n", "1:EBADMSG 2:[ok]", 0},
		{"ok\n\"never closed,\nmore\n", "1:[ok] 2:EBADMSG", 0},
		/* spaces are data */
		{" a , b \n", "1:[ a | b ]", 0},
};

START_TEST(test_cases)
{
	char one[1024], bytes[1024];
	const char *in = cases[_i].in;
	size_t len = cases[_i].len ? cases[_i].len : strlen(in);
	render(in, len, 0, NULL, one, sizeof(one));
	ck_assert_msg(!strcmp(one, cases[_i].want),
			"case %d: got '%s' want '%s'", _i, one, cases[_i].want);
	render(in, len, 1, NULL, bytes, sizeof(bytes));
	ck_assert_str_eq(bytes, one);
}
END_TEST

START_TEST(test_limits)
{
	struct csv_opts o;
	char out[512];

	csv_opts_default(&o);
	o.max_field = 4;
	o.max_fields = 3;
	render("abcd,efgh\nabcde\nok\n", 19, 0, &o, out, sizeof(out));
	ck_assert_str_eq(out, "1:[abcd|efgh] 2:E2BIG 3:[ok]");
	render("a,b,c\na,b,c,d\nx\n", 16, 0, &o, out, sizeof(out));
	ck_assert_str_eq(out, "1:[a|b|c] 2:E2BIG 3:[x]");
	/* a quoted field over the limit spanning lines keeps numbering */
	render("\"abcdef\nghi\",x\nok\n", 18, 1, &o, out, sizeof(out));
	ck_assert_str_eq(out, "1:E2BIG 3:[ok]");
	o.skip_blank = false;
	render("a\n\nb\n", 5, 0, &o, out, sizeof(out));
	ck_assert_str_eq(out, "1:[a] 2:[] 3:[b]");
}
END_TEST

START_TEST(test_end_line_and_header)
{
	static const char in[] = "\"x\ny\nz\",w\n Radio ,mcc\n";
	struct src s = {in, sizeof(in) - 1, 0};
	struct csv_reader *r;
	struct csv_record rec;

	ck_assert_int_eq(csv_new(NULL, src_read, &s, &r), 0);
	ck_assert_int_eq(csv_next(r, &rec), 1);
	ck_assert_int_eq(rec.line, 1);
	ck_assert_int_eq(rec.end_line, 3);
	ck_assert(!csv_is_header(&rec, "radio"));
	ck_assert_int_eq(csv_next(r, &rec), 1);
	ck_assert_int_eq(rec.line, 4);
	ck_assert(csv_is_header(&rec, "radio"));
	ck_assert(!csv_is_header(&rec, "radios"));
	ck_assert_int_eq(csv_next(r, &rec), 0);
	ck_assert_int_eq(csv_next(r, &rec), 0);
	csv_free(r);
}
END_TEST

static const struct {
	const char *s;
	size_t len;
	long at;
} utf8_cases[] = {
		{"abc", 3, -1},
		{"\xE5\x8D\x8E", 3, -1},
		{"\xF0\x9F\x98\x80", 4, -1},
		{"a\xE5\x8D", 3, 1},
		{"\xE0\x80\x80", 3, 0},
		{"ok\xFF", 3, 2},
		{"\xC2\x80", 2, -1},
};

START_TEST(test_utf8)
{
	ck_assert_int_eq(csv_utf8_invalid_at(
					 utf8_cases[_i].s, utf8_cases[_i].len),
			utf8_cases[_i].at);
}
END_TEST

static int64_t rd_err_calls;

static ssize_t failing_read(void *user, char *buf, size_t size)
{
	(void) user;
	if (rd_err_calls++ == 0) {
		memcpy(buf, "a,b\nc", 5 < size ? 5 : size);
		return 5;
	}
	return -EIO;
}

START_TEST(test_read_error)
{
	struct csv_reader *r;
	struct csv_record rec;

	rd_err_calls = 0;
	ck_assert_int_eq(csv_new(NULL, failing_read, NULL, &r), 0);
	ck_assert_int_eq(csv_next(r, &rec), 1);
	ck_assert_int_eq(csv_next(r, &rec), -EIO);
	ck_assert_int_eq(csv_next(r, &rec), -EIO);
	csv_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("csv");

	tcase_add_loop_test(
			tc, test_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_end_line_and_header);
	tcase_add_loop_test(tc, test_utf8, 0,
			sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_test(tc, test_read_error);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
