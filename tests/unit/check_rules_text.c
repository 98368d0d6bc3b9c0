/*
 * tests/unit/check_rules_text.c - rules/text.c against the cases in
 * tests/data/rules/text.tsv (one row each; see that file's header for
 * the columns).  Every normalization row is also checked for valid UTF-8
 * output, the 3 * len + 1 bound and idempotence.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/text.h"
#include "tests/unit/rules_tsv.h"
#include "tests/unit/testutil.h"

static struct tsv_row *rows;
static int n_rows;

/* OPTS column: "-" or a '+' list of nofold nozw nofw nothousands
 * seps=CHARS (each UTF-8 character one separator) size=N. */
static void parse_opts(const char *s, struct rt_norm_opts *o, size_t *size,
		char *sepbuf)
{
	char tmp[256], *tok, *save = NULL;

	rt_norm_opts_default(o);
	if (strcmp(s, "-") == 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s", s);
	for (tok = strtok_r(tmp, "+", &save); tok;
			tok = strtok_r(NULL, "+", &save)) {
		if (strcmp(tok, "nofold") == 0) {
			o->fold_case = false;
		} else if (strcmp(tok, "nozw") == 0) {
			o->strip_zero_width = false;
		} else if (strcmp(tok, "nofw") == 0) {
			o->fullwidth = false;
		} else if (strcmp(tok, "nothousands") == 0) {
			o->thousands = false;
		} else if (strncmp(tok, "size=", 5) == 0) {
			*size = (size_t) atoi(tok + 5);
		} else if (strncmp(tok, "seps=", 5) == 0) {
			const char *p = tok + 5;
			char *w = sepbuf;

			o->n_separators = 0;
			while (*p) {
				uint32_t cp;
				int k = rt_utf8_next(p, strlen(p), &cp);

				ck_assert_int_gt(k, 0);
				memcpy(w, p, (size_t) k);
				w[k] = '\0';
				o->separators[o->n_separators++] = w;
				w += k + 1;
				p += k;
			}
		} else {
			ck_abort_msg("unknown option %s", tok);
		}
	}
}

static void check_norm(const struct tsv_row *r)
{
	struct rt_norm_opts o;
	char sepbuf[256];
	size_t size = 3 * r->len[2] + 1, rsize = size;
	char *out, *again;
	const char *want = r->f[3];
	int rc, rc2;

	parse_opts(r->f[1], &o, &rsize, sepbuf);
	out = malloc(size + 8);
	again = malloc(size + 8);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(again);
	rc = rt_normalize(r->f[2], r->len[2], &o, out, rsize);
	if (strncmp(want, "ENOSPC:", 7) == 0) {
		ck_assert_msg(rc == -ENOSPC, "%s:%d: rc %d, want -ENOSPC",
				tsv_path(), r->line, rc);
		want += 7;
		if (strcmp(want, "\"\"") == 0)
			want = "";
	} else {
		ck_assert_msg(rc >= 0, "%s:%d: rc %d", tsv_path(), r->line, rc);
		ck_assert_int_eq((size_t) rc, strlen(out));
	}
	ck_assert_msg(strcmp(out, want) == 0, "%s:%d: got \"%s\", want \"%s\"",
			tsv_path(), r->line, out, want);
	ck_assert(rt_utf8_valid(out, strlen(out)));
	ck_assert_uint_le(strlen(out), 3 * r->len[2]);
	/* compiled options: the same result */
	{
		struct rt_norm c;

		rt_norm_compile(&o, &c);
		rc2 = rt_normalize_with(r->f[2], r->len[2], &c, again, rsize);
		ck_assert_int_eq(rc2, rc);
		ck_assert_str_eq(again, out);
	}
	if (rc >= 0) {
		rc2 = rt_normalize(out, (size_t) rc, &o, again, size);
		ck_assert_msg(rc2 == rc && strcmp(again, out) == 0,
				"%s:%d: not idempotent: \"%s\" -> \"%s\"",
				tsv_path(), r->line, out, again);
	}
	free(out);
	free(again);
}

static void check_row(const struct tsv_row *r)
{
	const char *kind = r->f[0];
	const char *in = r->f[2];
	size_t len = r->len[2];
	const char *want = r->f[3];

	if (strcmp(kind, "norm") == 0) {
		check_norm(r);
	} else if (strcmp(kind, "valid") == 0) {
		ck_assert_msg(rt_utf8_valid(in, len) == (atoi(want) == 1),
				"%s:%d", tsv_path(), r->line);
	} else if (strcmp(kind, "chars") == 0) {
		ck_assert(rt_utf8_valid(in, len));
		ck_assert_msg(rt_utf8_chars(in, len) == (size_t) atoi(want),
				"%s:%d: %zu chars", tsv_path(), r->line,
				rt_utf8_chars(in, len));
	} else if (strcmp(kind, "next") == 0) {
		uint32_t cp = 0;
		int k = rt_utf8_next(in, len, &cp);
		char got[32];

		if (k < 0)
			snprintf(got, sizeof(got), "-1");
		else
			snprintf(got, sizeof(got), "%d:%04X", k, (unsigned) cp);
		ck_assert_msg(strcmp(got, want) == 0, "%s:%d: got %s want %s",
				tsv_path(), r->line, got, want);
	} else if (strcmp(kind, "seg") == 0) {
		bool g7 = false, g7u = false;
		int parts = rt_sms_segments(in, len, &g7);
		int units = rt_sms_units(in, len, &g7u);
		char got[64];

		if (parts < 0)
			snprintf(got, sizeof(got), "%s",
					parts == -EINVAL ? "EINVAL" : "?");
		else
			snprintf(got, sizeof(got), "%d,%s,%d", parts,
					g7 ? "gsm7" : "ucs2", units);
		if (parts >= 0)
			ck_assert(g7 == g7u);
		else
			ck_assert_int_eq(units, -EINVAL);
		ck_assert_msg(strcmp(got, want) == 0, "%s:%d: got %s want %s",
				tsv_path(), r->line, got, want);
	} else {
		ck_abort_msg("%s:%d: unknown kind %s", tsv_path(), r->line,
				kind);
	}
}

START_TEST(test_row)
{
	const struct tsv_row *r = &rows[_i];

	ck_assert_msg(r->n == 4, "%s:%d: %d fields, want 4", tsv_path(),
			r->line, r->n);
	check_row(r);
}
END_TEST

/* The defaults are the documented ones. */
START_TEST(test_defaults)
{
	struct rt_norm_opts o;
	char out[64];

	rt_norm_opts_default(&o);
	ck_assert(o.fold_case && o.strip_zero_width && o.fullwidth &&
			o.thousands);
	ck_assert_uint_eq(o.n_separators, 10);
	ck_assert_int_eq(rt_normalize("a，b", strlen("a，b"), NULL, out,
					 sizeof(out)),
			3);
	ck_assert_str_eq(out, "A B");
	/* Nothing fits: -ENOSPC and an empty string. */
	ck_assert_int_eq(rt_normalize("abc", 3, &o, out, 1), -ENOSPC);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(rt_normalize("abc", 3, &o, out, 0), -ENOSPC);
	ck_assert_int_eq(rt_normalize(NULL, 0, &o, out, sizeof(out)), 0);
}
END_TEST

/* A long run of bad bytes: exactly 3 bytes out per byte in. */
START_TEST(test_bound)
{
	char in[300], out[3 * sizeof(in) + 1];
	struct rt_norm_opts o;

	rt_norm_opts_default(&o);
	memset(in, 0xff, sizeof(in));
	ck_assert_int_eq(rt_normalize(in, sizeof(in), &o, out, sizeof(out)),
			3 * (int) sizeof(in));
	ck_assert_int_eq(rt_normalize(in, sizeof(in), &o, out, sizeof(out) - 1),
			-ENOSPC);
	ck_assert_uint_eq(strlen(out), 3 * sizeof(in) - 3);
	ck_assert(rt_utf8_valid(out, strlen(out)));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_text");
	TCase *tc = tcase_create("table");

	rows = tsv_load("tests/data/rules/text.tsv", &n_rows);
	if (n_rows < 60) {
		fprintf(stderr, "%s: only %d rows\n", tsv_path(), n_rows);
		return 1;
	}
	tcase_add_loop_test(tc, test_row, 0, n_rows);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_bound);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
