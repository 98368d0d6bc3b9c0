/*
 * tests/unit/check_rules_load.c - rules_load() and the loaded set.
 *
 * The shipped rule files load with no diagnostic at all.  Each
 * tests/data/rules/bad/NAME.conf is a broken rule file whose expected
 * diagnostics, every one of them and exactly, are in NAME.expected
 * (golden files, as tests/unit/check_config.c does for the daemon's
 * config).  Files are loaded by relative name after chdir, so messages
 * do not depend on where the tree is.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "rules/rules_int.h"
#include "tests/unit/testutil.h"

static const char *const shipped[] = {"rules.zh.conf", "rules.en.conf"};

START_TEST(test_shipped_clean)
{
	struct diag_list d = {0};
	struct rules *r = NULL;
	char hex[65], *bytes;
	size_t i, len;

	tu_chdir_top("docs/examples");
	ck_assert_int_eq(rules_load(shipped[_i], &r, &d), 0);
	for (i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.v[i].line_text);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_ptr_nonnull(r);
	/* the version is the SHA-256 of the file's bytes */
	bytes = tu_slurp(shipped[_i], &len);
	r_sha256_hex(bytes, len, hex);
	ck_assert_str_eq(rules_hash(r), hex);
	ck_assert_str_eq(rules_timezone(r), "Asia/Shanghai");
	ck_assert_str_eq(rules_path(r), shipped[_i]);
	ck_assert_ptr_nonnull(strstr(rules_version(r), "2026.06"));
	ck_assert_str_eq(rules_ref_prefix(r), "R");
	ck_assert_int_eq(rules_ref_digits(r), 4);
	free(bytes);
	rules_free(r);
	diag_free(&d);
}
END_TEST

static const char *const bad[] = {"syntax", "unknown-key", "wrong-type",
		"bad-bound", "collide", "placeholder", "too-long",
		"failing-example", "bad-test", "unknown-list", "unknown-role",
		"alerts", "missing", "include", "layout", "guard", "schedules"};

START_TEST(test_bad)
{
	struct diag_list d = {0};
	struct rules *r = NULL;
	char conf[128], exp[128], *want, *got = NULL;
	size_t i, len = 0;
	FILE *mem;

	tu_chdir_top("tests/data/rules/bad");
	snprintf(conf, sizeof(conf), "%s.conf", bad[_i]);
	snprintf(exp, sizeof(exp), "%s.expected", bad[_i]);
	ck_assert_int_eq(rules_load(conf, &r, &d), -EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_uint_gt(d.n_errors, 0);
	mem = open_memstream(&got, &len);
	ck_assert_ptr_nonnull(mem);
	for (i = 0; i < d.n; i++)
		fprintf(mem, "%s\n", d.v[i].line_text);
	fclose(mem);
	want = tu_slurp(exp, NULL);
	ck_assert_msg(!strcmp(got, want),
			"%s: diagnostics differ\n--- expected\n%s--- got\n%s",
			conf, want, got);
	free(want);
	free(got);
	diag_free(&d);
}
END_TEST

START_TEST(test_missing_file)
{
	struct diag_list d = {0};
	struct rules *r = NULL;

	ck_assert_int_eq(
			rules_load("/nonexistent/rules.conf", &r, &d), -ENOENT);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].line_text,
			"/nonexistent/rules.conf: cannot read: No such file or "
			"directory");
	diag_free(&d);
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

/* A rule file and its include, written to a temporary directory. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const char main_conf[] = "roles = [\"rep\"];\n"
				"@include \"forms.inc\"\n";
static const char forms_a[] =
		"forms = ( { id = \"daily\"; title = \"日报\"; keywords = "
		"[\"日报\"];\n roles = [\"rep\"]; fields = ( { name = "
		"\"sales\"; label = \"销量\"; type = \"int\"; } );\n "
		"reply_ok = \"ok {{sales}} {{ref}}\"; examples = [\"日报 1\"]; "
		"} );\n";

START_TEST(test_hash_covers_includes)
{
	char dir[] = "/tmp/check_rules_XXXXXX", path[256], inc[256];
	char h1[65], h2[65];
	struct diag_list d = {0};
	struct rules *r = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rules.conf", dir);
	snprintf(inc, sizeof(inc), "%s/forms.inc", dir);
	write_file(path, main_conf);
	write_file(inc, forms_a);
	ck_assert_int_eq(rules_load(path, &r, &d), 0);
	snprintf(h1, sizeof(h1), "%s", rules_hash(r));
	rules_free(r);
	/* only the include changes: the version must change */
	write_file(inc, "# edited\n");
	{
		FILE *f = fopen(inc, "a");

		ck_assert_ptr_nonnull(f);
		fputs(forms_a, f);
		fclose(f);
	}
	ck_assert_int_eq(rules_load(path, &r, &d), 0);
	snprintf(h2, sizeof(h2), "%s", rules_hash(r));
	ck_assert_str_ne(h1, h2);
	ck_assert_uint_eq(strlen(h1), 64);
	rules_free(r);
	diag_free(&d);
	unlink(inc);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_ref_and_refused)
{
	struct diag_list d = {0}, bad_d = {0};
	struct rules *r = NULL, *none = NULL;
	char buf[1024];

	tu_chdir_top("docs/examples");
	ck_assert_int_eq(rules_load("rules.zh.conf", &r, &d), 0);
	ck_assert_int_eq(rules_ref_format(r, 1045, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "R1045");
	ck_assert_int_eq(rules_ref_format(r, 7, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "R0007");
	ck_assert_int_eq(rules_ref_format(r, 12345, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "R2345");
	ck_assert_int_eq(rules_ref_format(r, 1, buf, 5), -ENOSPC);
	tu_chdir_top("tests/data/rules/bad");
	ck_assert_int_eq(rules_load("collide.conf", &none, &bad_d), -EINVAL);
	ck_assert_int_gt(rules_refused_text(r, &bad_d, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf,
			"规则加载失败 collide.conf:5 "
			"'forms[0].fields[0].tags': "
			"\"XL\" and \"xl\" read the same; collide.conf:7 "
			"keyword \"ｒｂ\" collides with keyword \"RB\" at "
			"collide.conf:4 (both read as \"RB\"); collide.conf:11 "
			"keyword \"日报\" collides with keyword \"日报\" at "
			"collide.conf:4 (both read as \"日报\")");
	/* the text is cut to the buffer, never mid-character */
	ck_assert_int_gt(rules_refused_text(r, &bad_d, buf, 40), 0);
	ck_assert(rt_utf8_valid(buf, strlen(buf)));
	rules_free(r);
	diag_free(&d);
	diag_free(&bad_d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_load");
	TCase *tc = tcase_create("load");

	tcase_add_loop_test(tc, test_shipped_clean, 0, 2);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_hash_covers_includes);
	tcase_add_test(tc, test_ref_and_refused);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
