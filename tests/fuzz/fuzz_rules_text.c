/*
 * tests/fuzz/fuzz_rules_text.c - rt_normalize() and every rv_parse_*()
 * on arbitrary bytes.  The first byte picks normalization options; the
 * rest is the message.  Checked: the output is valid UTF-8 within the
 * documented bound, normalization is idempotent, a truncated output is a
 * prefix of the full one, and on every token of the normalized text the
 * value parsers return only their documented codes, with a number
 * prefix that parses.  The parsers also see the raw bytes (the contract
 * asks for normalized UTF-8; they must still never crash).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "rules/text.h"
#include "rules/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_IN 2048

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static bool std_rc(int rc)
{
	return rc == 0 || rc == -EINVAL || rc == -ERANGE;
}

static void values(const char *s, size_t len, const struct rv_num_opts *o,
		bool hex)
{
	int64_t v, w;
	int y, m, d, h, mi, rc, rc2;
	bool b;
	char out[32];
	struct rv_cell c;
	size_t pre;

	rc = rv_parse_int(s, len, o, &v);
	check(std_rc(rc));
	rc2 = rv_parse_decimal(s, len, o, 0, &w);
	check(std_rc(rc2));
	if (rc == 0)
		check(rc2 == 0 && v == w);
	check(std_rc(rv_parse_decimal(s, len, o, 6, &w)));
	pre = rv_number_prefix(s, len, o);
	check(pre <= len);
	if (pre > 0) {
		rc = rv_parse_decimal(s, pre, o, 0, &w);
		check(rc == 0 || rc == -ERANGE);
	}
	rc = rv_parse_date(s, len, 2026, 5, 31, &y, &m, &d);
	check(std_rc(rc));
	if (rc == 0)
		check(m >= 1 && m <= 12 && d >= 1 && d <= 31);
	rc = rv_parse_time(s, len, &h, &mi);
	check(std_rc(rc));
	if (rc == 0)
		check(h >= 0 && h <= 23 && mi >= 0 && mi <= 59);
	check(std_rc(rv_parse_bool(s, len, &b)));
	rc = rv_parse_phone(s, len, out, sizeof(out));
	check(std_rc(rc));
	if (rc == 0)
		check(strlen(out) >= 3 && strlen(out) <= 21);
	check(rv_parse_phone(s, len, out, 4) != 0 || strlen(out) <= 3);
	rc = rv_parse_cell(s, len, 460, 0, hex, &c);
	check(std_rc(rc));
	if (rc == 0)
		check(c.lac >= 1 && c.lac <= 0xffffff && c.cid <= 0xfffffff);
	check(rv_parse_outlet_code(s, len) == 0 ||
			rv_parse_outlet_code(s, len) == -EINVAL);
	rc = rv_parse_ref(s, len, "R", 4, out, sizeof(out));
	check(rc == 0 || rc == -EINVAL);
	if (rc == 0)
		check(strlen(out) == 5 && out[0] == 'R');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[3 * MAX_IN + 1], again[3 * MAX_IN + 1],
			cut[3 * MAX_IN + 1];
	struct rt_norm_opts no;
	struct rv_num_opts vo;
	const char *in = (const char *) data + 1;
	size_t len, i, start, small;
	int n, n2, nc;
	bool g7;

	if (size < 1 || size > MAX_IN + 1)
		return 0;
	len = size - 1;
	rt_norm_opts_default(&no);
	no.fold_case = data[0] & 1;
	no.strip_zero_width = data[0] & 2;
	no.fullwidth = data[0] & 4;
	no.thousands = data[0] & 8;
	if (data[0] & 16)
		no.separators[no.n_separators++] = ".";
	vo.fuzzy_digits = data[0] & 32;
	vo.cn_numerals = data[0] & 64;
	vo.cn_point = data[0] & 128;

	n = rt_normalize(in, len, &no, out, 3 * len + 1);
	check(n >= 0 && (size_t) n == strlen(out) && (size_t) n <= 3 * len);
	check(rt_utf8_valid(out, (size_t) n));
	check(n == 0 || (out[0] != ' ' && out[n - 1] != ' '));
	check(!strstr(out, "  "));
	n2 = rt_normalize(out, (size_t) n, &no, again, sizeof(again));
	check(n2 == n && memcmp(out, again, (size_t) n) == 0);
	small = (size_t) n / 2 + 1;
	nc = rt_normalize(in, len, &no, cut, small);
	check(nc == -ENOSPC || nc == n);
	check(strlen(cut) < small && memcmp(cut, out, strlen(cut)) == 0);
	check(rt_utf8_valid(cut, strlen(cut)));
	check(rt_sms_segments(out, (size_t) n, &g7) >= 1);
	check(rt_sms_units(out, (size_t) n, &g7) >= 0);
	check(rt_utf8_chars(out, (size_t) n) <= (size_t) n);
	if (rt_utf8_valid(in, len))
		check(rt_sms_segments(in, len, NULL) >= 1);
	else
		check(rt_sms_segments(in, len, NULL) == -EINVAL);

	/* Every token of the normalized text, then the raw bytes. */
	for (i = 0, start = 0; i <= (size_t) n; i++) {
		if (i < (size_t) n && out[i] != ' ')
			continue;
		values(out + start, i - start, &vo, data[0] & 1);
		start = i + 1;
	}
	values(in, len, &vo, data[0] & 2);
	return 0;
}
