/*
 * The web dashboard's rendering (gateway/web_page.c, gateway/web_buf.c):
 * every value from the database is escaped in text and attributes (a rep
 * named <script> shows as text), CSV fields are quoted, the chart's bars
 * have the widths of their counts.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/web_buf.h"
#include "gateway/web_page.h"

static char *esc(const char *in)
{
	struct web_buf b = {0};

	web_html(&b, in);
	return web_buf_take(&b, NULL);
}

static char *csv(const char *in)
{
	struct web_buf b = {0};

	web_csv_field(&b, in);
	return web_buf_take(&b, NULL);
}

START_TEST(test_html_escape)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
			{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&"
						      "lt;/script&gt;"},
			{"\" onmouseover=\"x", "&quot; onmouseover=&quot;x"},
			{"' onclick='x", "&#39; onclick=&#39;x"},
			{"a&b", "a&amp;b"},
			{"&amp;", "&amp;amp;"},
			{"王一 <b>", "王一 &lt;b&gt;"},
			{"bad \xff utf8", "bad \xef\xbf\xbd utf8"},
			{"over\xc0\xaflong",
					"over\xef\xbf\xbd\xef\xbf\xbdlong"},
			{"ctl\x01\x1b[31m", "ctl[31m"},
			{"tab\tnl\n", "tab\tnl\n"},
			{"", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = esc(cases[i].in);
		ck_assert_msg(got && !strcmp(got, cases[i].want),
				"case %zu: got '%s' want '%s'", i, got,
				cases[i].want);
		free(got);
	}
}
END_TEST

START_TEST(test_csv_quote)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
			{"plain", "plain"},
			{"a,b", "\"a,b\""},
			{"say \"hi\"", "\"say \"\"hi\"\"\""},
			{"two\nlines", "\"two\nlines\""},
			{"cr\r", "\"cr\r\""},
			{"=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""},
			{"+1", "\"'+1\""},
			{"-2", "\"'-2\""},
			{"@sum", "\"'@sum\""},
			{"王一", "王一"},
			{"", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = csv(cases[i].in);
		ck_assert_msg(got && !strcmp(got, cases[i].want),
				"case %zu: got '%s' want '%s'", i, got,
				cases[i].want);
		free(got);
	}
}
END_TEST

/* A table of n rows x c columns from a flat list of cells. */
static struct db_web_table make_table(
		size_t nrows, size_t ncols, const char *const *cells)
{
	struct db_web_table t = {0};
	size_t i;

	t.nrows = nrows;
	t.ncols = ncols;
	t.names = calloc(ncols, sizeof(char *));
	t.cells = calloc(nrows * ncols, sizeof(char *));
	for (i = 0; i < ncols; i++)
		t.names[i] = strdup("c");
	for (i = 0; i < nrows * ncols; i++)
		t.cells[i] = cells[i] ? strdup(cells[i]) : NULL;
	return t;
}

/* rep_today-like rows: id, name, place, leave, missing ci, missing rep */
static const char *const today_cells[] = {
		"11", "<script>alert(1)</script>", "\"><img src=x>", "f", "f",
		"f",				   /* */
		"12", "王二", NULL, "f", "t", "t", /* */
		"13", "王三", NULL, "t", "t", "t", /* on leave: not missing */
};

static const struct web_col today_cols[] = {
		{0, "姓名", "Name", WEB_FMT_REPLINK, 1},
		{2, "网点", "Place", WEB_FMT_TEXT, 0},
		{3, "状态", "State", WEB_FMT_STATE, 0},
};

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

START_TEST(test_table_escapes_every_value)
{
	struct db_web_table t = make_table(3, 6, today_cells);
	struct db_web_viewer viewer = {.id = 1, .admin = true};
	struct web_view v = {.viewer = &viewer, .en = true};
	struct web_buf b = {0};
	char *html;

	strcpy(viewer.name, "<i>boss</i>");
	strcpy(viewer.csrf, "\"csrf\"");
	web_page_begin(&b, &v, "<title>");
	web_render_table(
			&b, &v, &t, today_cols, 3, 3, "/today?format=csv&x=\"");
	web_page_end(&b);
	html = web_buf_take(&b, NULL);
	ck_assert_ptr_nonnull(html);
	ck_assert_ptr_null(strstr(html, "<script>"));
	ck_assert_ptr_null(strstr(html, "<img"));
	ck_assert_ptr_null(strstr(html, "<i>boss"));
	ck_assert_ptr_nonnull(
			strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "&quot;&gt;&lt;img src=x&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;i&gt;boss&lt;/i&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "value=\"&quot;csrf&quot;\""));
	ck_assert_ptr_nonnull(strstr(html, "x=&quot;\""));
	ck_assert_ptr_nonnull(strstr(html, "&lt;title&gt; - fieldgate"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/rep?id=12\">王二</a>"));
	/* 王二 is missing (marked), 王三 on leave (not marked) */
	ck_assert_uint_eq(count(html, "<tr class=\"missing\">"), 1);
	ck_assert_ptr_nonnull(strstr(html,
			"<tr class=\"missing\"><td><a href=\"/rep?id=12\">"));
	ck_assert_uint_eq(count(html, "no check-in"), 1);
	ck_assert_uint_eq(count(html, "badge leave"), 1);
	free(html);
	db_web_table_free(&t);
}
END_TEST

START_TEST(test_csv_table)
{
	struct db_web_table t = make_table(3, 6, today_cells);
	struct web_view v = {.en = false};
	struct web_col cols[] = {{1, "姓名", "Name", WEB_FMT_TEXT, 0},
			{2, "网点", "Place", WEB_FMT_TEXT, 0},
			{3, "请假", "Leave", WEB_FMT_BOOL, 0}};
	struct web_buf b = {0};
	char *out;

	web_render_csv(&b, &v, &t, cols, 3);
	out = web_buf_take(&b, NULL);
	ck_assert_str_eq(out, "\xef\xbb\xbf姓名,网点,请假\r\n"
			      "<script>alert(1)</script>,\"\"\"><img "
			      "src=x>\",0\r\n"
			      "王二,,0\r\n"
			      "王三,,1\r\n");
	free(out);
	db_web_table_free(&t);
}
END_TEST

START_TEST(test_chart_bars)
{
	static const char *const cells[] = {
			"11",
			"王一",
			"JN",
			"12",
			"12",
			"0",
			"0", /* */
			"12",
			"王二",
			"JN",
			"12",
			"7",
			"1",
			"4", /* */
			"13",
			"<b>",
			"QD",
			"6",
			"3",
			"0",
			"3",
	};
	struct db_web_table t = make_table(3, 7, cells);
	struct web_view v = {.en = true};
	struct web_buf b = {0};
	char *svg;

	web_render_chart(&b, &v, &t, 1, 4, 60);
	svg = web_buf_take(&b, NULL);
	ck_assert_uint_eq(count(svg, "<rect class=\"bar "), 9);
	/* max total is 12 over 400 px: 12 -> 400, 7 -> 233.3, 4 -> 133.3 */
	ck_assert_ptr_nonnull(strstr(svg, "class=\"bar on_time\" x=\"160.0\" "
					  "y=\"22\" width=\"400.0\""));
	ck_assert_ptr_nonnull(strstr(svg, "class=\"bar on_time\" x=\"160.0\" "
					  "y=\"44\" width=\"233.3\""));
	ck_assert_ptr_nonnull(strstr(svg, "class=\"bar missing\" x=\"426.7\" "
					  "y=\"44\" width=\"133.3\""));
	ck_assert_ptr_nonnull(
			strstr(svg, "data-label=\"王二\" data-value=\"4\""));
	ck_assert_ptr_null(strstr(svg, "<b>"));
	ck_assert_ptr_nonnull(strstr(svg, "data-label=\"&lt;b&gt;\""));
	free(svg);
	db_web_table_free(&t);
}
END_TEST

START_TEST(test_login_form_escapes)
{
	struct web_view v = {.en = false};
	struct web_buf b = {0};
	char *html;

	web_render_login(&b, &v, "ab\"cd", "+86<1>", "<note>");
	html = web_buf_take(&b, NULL);
	ck_assert_ptr_null(strstr(html, "<note>"));
	ck_assert_ptr_null(strstr(html, "<1>"));
	ck_assert_ptr_nonnull(strstr(html, "value=\"ab&quot;cd\""));
	ck_assert_ptr_nonnull(strstr(html, "action=\"/login/verify\""));
	ck_assert_ptr_nonnull(strstr(html, "短信验证码"));
	free(html);
}
END_TEST

START_TEST(test_dates)
{
	char out[11];

	ck_assert(web_date_is_monday("2026-11-30"));
	ck_assert(!web_date_is_monday("2026-12-01"));
	ck_assert(!web_date_is_monday("2026-02-30"));
	ck_assert(!web_date_is_monday("2026-1-05"));
	ck_assert(!web_date_is_monday("2026-01-05x"));
	ck_assert(!web_date_is_monday("'; DROP--"));
	ck_assert_int_eq(web_date_add("2026-12-28", 7, out), 0);
	ck_assert_str_eq(out, "2027-01-04");
	ck_assert_int_eq(web_date_add("2026-03-02", -7, out), 0);
	ck_assert_str_eq(out, "2026-02-23");
	ck_assert_int_eq(web_date_add("nope", 7, out), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("web_render");
	TCase *tc = tcase_create("render");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_html_escape);
	tcase_add_test(tc, test_csv_quote);
	tcase_add_test(tc, test_table_escapes_every_value);
	tcase_add_test(tc, test_csv_table);
	tcase_add_test(tc, test_chart_bars);
	tcase_add_test(tc, test_login_form_escapes);
	tcase_add_test(tc, test_dates);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
