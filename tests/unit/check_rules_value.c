/*
 * tests/unit/check_rules_value.c - rules/value.c against the cases in
 * tests/data/rules/values.tsv (columns: kind, arguments, input,
 * expected; see that file's header).  Every number row is also checked
 * against rv_number_prefix(): a token that parses is its own prefix.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/value.h"
#include "tests/unit/rules_tsv.h"
#include "tests/unit/testutil.h"

static struct tsv_row *rows;
static int n_rows;

static const char *err_name(int rc)
{
	switch (rc) {
	case -EINVAL:
		return "EINVAL";
	case -ERANGE:
		return "ERANGE";
	case -ENOSPC:
		return "ENOSPC";
	default:
		return "?";
	}
}

/* ARGS for numbers: "-" or a '+' list of nofuzzy nocn nopoint sN. */
static void num_opts(const char *a, struct rv_num_opts *o, int *scale)
{
	char tmp[128], *tok, *save = NULL;

	rv_num_opts_default(o);
	*scale = 0;
	if (strcmp(a, "-") == 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s", a);
	for (tok = strtok_r(tmp, "+", &save); tok;
			tok = strtok_r(NULL, "+", &save)) {
		if (strcmp(tok, "nofuzzy") == 0)
			o->fuzzy_digits = false;
		else if (strcmp(tok, "nocn") == 0)
			o->cn_numerals = false;
		else if (strcmp(tok, "nopoint") == 0)
			o->cn_point = false;
		else if (tok[0] == 's')
			*scale = atoi(tok + 1);
		else
			ck_abort_msg("unknown option %s", tok);
	}
}

/* "name=N" in a '+' list, or @def. */
static int arg_int(const char *a, const char *name, int def)
{
	const char *p = strstr(a, name);

	return p ? atoi(p + strlen(name)) : def;
}

static void run(const struct tsv_row *r, char *got, size_t n)
{
	const char *kind = r->f[0], *a = r->f[1], *in = r->f[2];
	size_t len = r->len[2];
	struct rv_num_opts o;
	int scale, rc;

	if (strcmp(kind, "int") == 0 || strcmp(kind, "dec") == 0) {
		int64_t v = 0;
		size_t pre;

		num_opts(a, &o, &scale);
		if (kind[0] == 'i')
			rc = rv_parse_int(in, len, &o, &v);
		else
			rc = rv_parse_decimal(in, len, &o, scale, &v);
		if (rc < 0)
			snprintf(got, n, "%s", err_name(rc));
		else
			snprintf(got, n, "%" PRId64, v);
		if (scale < 0 || scale > 6)
			return;
		/* a whole token that is a number is its own longest prefix */
		pre = rv_number_prefix(in, len, &o);
		rc = rv_parse_decimal(in, len, &o, 0, &v);
		if (rc == 0 || rc == -ERANGE)
			ck_assert_msg(pre == len,
					"%s:%d: number_prefix %zu, want %zu",
					tsv_path(), r->line, pre, len);
		else
			ck_assert_msg(pre < len || len == 0,
					"%s:%d: number_prefix %zu of a "
					"non-number",
					tsv_path(), r->line, pre);
	} else if (strcmp(kind, "prefix") == 0) {
		num_opts(a, &o, &scale);
		snprintf(got, n, "%zu", rv_number_prefix(in, len, &o));
	} else if (strcmp(kind, "date") == 0) {
		int ty = 0, tm = 0, td = 0, y, m, d;

		ck_assert_int_eq(sscanf(a, "%d-%d-%d", &ty, &tm, &td), 3);
		rc = rv_parse_date(in, len, ty, tm, td, &y, &m, &d);
		if (rc < 0)
			snprintf(got, n, "%s", err_name(rc));
		else
			snprintf(got, n, "%04d-%02d-%02d", y, m, d);
	} else if (strcmp(kind, "time") == 0) {
		int h, m;

		rc = rv_parse_time(in, len, &h, &m);
		if (rc < 0)
			snprintf(got, n, "%s", err_name(rc));
		else
			snprintf(got, n, "%02d:%02d", h, m);
	} else if (strcmp(kind, "bool") == 0) {
		bool b;

		rc = rv_parse_bool(in, len, &b);
		if (rc < 0)
			snprintf(got, n, "%s", err_name(rc));
		else
			snprintf(got, n, "%s", b ? "true" : "false");
	} else if (strcmp(kind, "phone") == 0) {
		char out[64];

		rc = rv_parse_phone(in, len, out,
				(size_t) arg_int(a, "size=", sizeof(out)));
		snprintf(got, n, "%s", rc < 0 ? err_name(rc) : out);
	} else if (strcmp(kind, "cell") == 0) {
		struct rv_cell c;
		int mcc = 0, mnc = 0;

		if (strcmp(a, "-") != 0)
			ck_assert_int_eq(sscanf(a, "%d-%d", &mcc, &mnc), 2);
		rc = rv_parse_cell(in, len, mcc, mnc, strstr(a, "hex") != NULL,
				&c);
		if (rc < 0)
			snprintf(got, n, "%s", err_name(rc));
		else
			snprintf(got, n, "%03d-%0*d-%" PRIu32 "-%" PRIu32 "%s",
					c.mcc, c.mnc_3digits ? 3 : 2, c.mnc,
					c.lac, c.cid, c.home ? " home" : "");
	} else if (strcmp(kind, "outlet") == 0) {
		rc = rv_parse_outlet_code(in, len);
		snprintf(got, n, "%s", rc < 0 ? err_name(rc) : "OK");
	} else if (strcmp(kind, "ref") == 0) {
		/* ARGS: PREFIX:DIGITS[+size=N] */
		char prefix[32], out[64];
		const char *colon = strchr(a, ':');
		size_t pl;

		ck_assert_ptr_nonnull(colon);
		pl = (size_t) (colon - a);
		ck_assert_uint_lt(pl, sizeof(prefix));
		memcpy(prefix, a, pl);
		prefix[pl] = '\0';
		rc = rv_parse_ref(in, len, prefix, atoi(colon + 1), out,
				(size_t) arg_int(a, "size=", sizeof(out)));
		snprintf(got, n, "%s", rc < 0 ? err_name(rc) : out);
	} else {
		ck_abort_msg("%s:%d: unknown kind %s", tsv_path(), r->line,
				kind);
	}
}

START_TEST(test_row)
{
	const struct tsv_row *r = &rows[_i];
	char got[128];

	ck_assert_msg(r->n == 4, "%s:%d: %d fields, want 4", tsv_path(),
			r->line, r->n);
	run(r, got, sizeof(got));
	ck_assert_msg(strcmp(got, r->f[3]) == 0,
			"%s:%d: %s \"%s\": got %s, want %s", tsv_path(),
			r->line, r->f[0], r->f[2], got, r->f[3]);
}
END_TEST

/* Every int from -1000 to 1000 and a few large ones round-trip. */
START_TEST(test_roundtrip)
{
	struct rv_num_opts o;
	char buf[32];
	int64_t v, want;
	int i;

	rv_num_opts_default(&o);
	for (i = -1000; i <= 1000; i++) {
		snprintf(buf, sizeof(buf), "%d", i);
		ck_assert_int_eq(rv_parse_int(buf, strlen(buf), &o, &v), 0);
		ck_assert_int_eq(v, i);
	}
	for (want = 1; want < INT64_MAX / 7; want *= 7) {
		snprintf(buf, sizeof(buf), "%" PRId64, want);
		ck_assert_int_eq(rv_parse_int(buf, strlen(buf), &o, &v), 0);
		ck_assert_int_eq(v, want);
	}
	/* NULL options are the defaults */
	ck_assert_int_eq(rv_parse_int("一百二", strlen("一百二"), NULL, &v), 0);
	ck_assert_int_eq(v, 120);
	ck_assert_int_eq(rv_parse_decimal("3.5", 3, &o, 7, &v), -EINVAL);
	ck_assert_int_eq(rv_parse_decimal("3.5", 3, &o, -1, &v), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_value");
	TCase *tc = tcase_create("table");

	rows = tsv_load("tests/data/rules/values.tsv", &n_rows);
	if (n_rows < 100) {
		fprintf(stderr, "%s: only %d rows\n", tsv_path(), n_rows);
		return 1;
	}
	tcase_add_loop_test(tc, test_row, 0, n_rows);
	tcase_add_test(tc, test_roundtrip);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
