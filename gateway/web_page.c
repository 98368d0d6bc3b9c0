/*
 * gateway/web_page.c: HTML, CSV and SVG rendering (gateway/web_page.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/web_page.h"

static const char style[] =
		"body{font-family:sans-serif;margin:0;color:#222}"
		"header{background:#234;color:#fff;padding:.5em 1em}"
		"header a{color:#fff;margin-right:1em}"
		"header a.on{font-weight:bold;text-decoration:underline}"
		"main{padding:1em}"
		"table{border-collapse:collapse;margin:.5em 0}"
		"th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
		"th{background:#eef}"
		"tr.missing td{background:#fdd}"
		".badge{padding:0 .3em;border-radius:3px;color:#fff}"
		".miss{background:#c00}.ok{background:#080}"
		".warn{background:#c80}.leave{background:#668}"
		"form.inline{display:inline}"
		".note{background:#ffd;padding:.5em;border:1px solid #cc8}";

struct nav_item {
	const char *id, *href, *zh, *en;
	bool admin;
};

static const struct nav_item nav_items[] = {
		{"today", "/today", "今日", "Today", false},
		{"compliance", "/compliance", "合规", "Compliance", false},
		{"approvals", "/approvals", "待审批", "Approvals", false},
		{"alerts", "/alerts", "警报", "Alerts", false},
		{"health", "/health", "网关状态", "Gateway health", true},
};

void web_page_begin(
		struct web_buf *b, const struct web_view *v, const char *title)
{
	size_t i;

	web_printf(b,
			"<!DOCTYPE html>\n<html lang=\"%s\"><head>"
			"<meta charset=\"utf-8\"><meta name=\"viewport\" "
			"content=\"width=device-width\"><title>",
			v->en ? "en" : "zh-CN");
	web_html(b, title);
	web_raw(b, " - fieldgate</title><style>");
	web_raw(b, style);
	web_raw(b, "</style></head><body><header>");
	if (v->viewer) {
		for (i = 0; i < sizeof(nav_items) / sizeof(nav_items[0]); i++) {
			const struct nav_item *n = &nav_items[i];
			if (n->admin && !v->viewer->admin)
				continue;
			web_printf(b, "<a href=\"%s\"%s>%s</a>", n->href,
					v->nav && !strcmp(v->nav, n->id)
							? " class=\"on\""
							: "",
					WEB_TR(v, n->zh, n->en));
		}
		web_raw(b, "<span class=\"who\">");
		web_html(b, v->viewer->name);
		web_raw(b, "</span> <form class=\"inline\" method=\"post\" "
			   "action=\"/logout\"><input type=\"hidden\" "
			   "name=\"csrf\" value=\"");
		web_html(b, v->viewer->csrf);
		web_printf(b, "\"><button>%s</button></form> ",
				WEB_TR(v, "退出", "Log out"));
	}
	web_printf(b, "<a href=\"?lang=%s\">%s</a></header><main><h1>",
			v->en ? "zh" : "en", v->en ? "中文" : "English");
	web_html(b, title);
	web_raw(b, "</h1>\n");
}

void web_page_end(struct web_buf *b)
{
	web_raw(b, "</main></body></html>\n");
}

static void cell_html(struct web_buf *b, const struct web_view *v,
		const struct db_web_table *t, size_t row,
		const struct web_col *c)
{
	const char *s = db_web_cell(t, row, c->src);

	switch (c->fmt) {
	case WEB_FMT_BOOL:
		if (s)
			web_raw(b, !strcmp(s, "t") ? WEB_TR(v, "是", "yes")
						   : WEB_TR(v, "否", "no"));
		break;
	case WEB_FMT_REPLINK:
		web_raw(b, "<a href=\"/rep?id=");
		web_url(b, s);
		web_raw(b, "\">");
		web_html(b, db_web_cell(t, row, c->link_col));
		web_raw(b, "</a>");
		break;
	case WEB_FMT_VERDICT:
		if (s) {
			const char *cls = !strcmp(s, "ok") || !strcmp(s, "in")
							  ? "ok"
							  : "warn";
			web_printf(b, "<span class=\"badge %s\">", cls);
			web_html(b, s);
			web_raw(b, "</span>");
		}
		break;
	case WEB_FMT_STATE: {
		const char *mc = db_web_cell(t, row, c->src + 1);
		const char *mr = db_web_cell(t, row, c->src + 2);
		if (s && !strcmp(s, "t")) {
			web_printf(b, "<span class=\"badge leave\">%s</span>",
					WEB_TR(v, "请假", "on leave"));
			break;
		}
		if (mc && !strcmp(mc, "t"))
			web_printf(b, "<span class=\"badge miss\">%s</span> ",
					WEB_TR(v, "缺签到", "no check-in"));
		if (mr && !strcmp(mr, "t"))
			web_printf(b, "<span class=\"badge miss\">%s</span>",
					WEB_TR(v, "缺报告", "no report"));
		if (!(mc && !strcmp(mc, "t")) && !(mr && !strcmp(mr, "t")))
			web_printf(b, "<span class=\"badge ok\">%s</span>",
					WEB_TR(v, "正常", "ok"));
		break;
	}
	case WEB_FMT_TEXT:
	default:
		web_html(b, s);
		break;
	}
}

static bool is_t(const char *s)
{
	return s && !strcmp(s, "t");
}

bool web_row_missing(const struct db_web_table *t, size_t row, size_t leave_col)
{
	return !is_t(db_web_cell(t, row, leave_col)) &&
	       (is_t(db_web_cell(t, row, leave_col + 1)) ||
			       is_t(db_web_cell(t, row, leave_col + 2)));
}

void web_render_table(struct web_buf *b, const struct web_view *v,
		const struct db_web_table *t, const struct web_col *cols,
		size_t ncols, size_t mark_col, const char *csv_href)
{
	size_t i, j;

	if (csv_href) {
		web_raw(b, "<p><a class=\"csv\" href=\"");
		web_html(b, csv_href);
		web_printf(b, "\">%s</a></p>\n",
				WEB_TR(v, "下载 CSV", "Download CSV"));
	}
	if (!t->nrows) {
		web_printf(b, "<p class=\"empty\">%s</p>\n",
				WEB_TR(v, "没有数据。", "Nothing to show."));
		return;
	}
	web_raw(b, "<table><thead><tr>");
	for (j = 0; j < ncols; j++) {
		web_raw(b, "<th>");
		web_html(b, WEB_TR(v, cols[j].zh, cols[j].en));
		web_raw(b, "</th>");
	}
	web_raw(b, "</tr></thead><tbody>\n");
	for (i = 0; i < t->nrows; i++) {
		bool m = mark_col != (size_t) -1 &&
			 web_row_missing(t, i, mark_col);
		web_raw(b, m ? "<tr class=\"missing\">" : "<tr>");
		for (j = 0; j < ncols; j++) {
			web_raw(b, "<td>");
			cell_html(b, v, t, i, &cols[j]);
			web_raw(b, "</td>");
		}
		web_raw(b, "</tr>\n");
	}
	web_raw(b, "</tbody></table>\n");
}

void web_render_csv(struct web_buf *b, const struct web_view *v,
		const struct db_web_table *t, const struct web_col *cols,
		size_t ncols)
{
	size_t i, j;

	web_raw(b, "\xef\xbb\xbf");
	for (j = 0; j < ncols; j++) {
		if (j)
			web_raw(b, ",");
		web_csv_field(b, WEB_TR(v, cols[j].zh, cols[j].en));
	}
	web_raw(b, "\r\n");
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < ncols; j++) {
			const struct web_col *c = &cols[j];
			const char *s = db_web_cell(t, i, c->src);
			if (j)
				web_raw(b, ",");
			if (c->fmt == WEB_FMT_BOOL && s)
				s = !strcmp(s, "t") ? "1" : "0";
			if (c->fmt == WEB_FMT_REPLINK)
				s = db_web_cell(t, i, c->link_col);
			web_csv_field(b, s);
		}
		web_raw(b, "\r\n");
	}
}

static long cell_num(const struct db_web_table *t, size_t row, size_t col)
{
	const char *s = db_web_cell(t, row, col);
	long n = s ? strtol(s, NULL, 10) : 0;

	return n < 0 ? 0 : n;
}

void web_render_chart(struct web_buf *b, const struct web_view *v,
		const struct db_web_table *t, size_t label_col,
		size_t on_time_col, size_t max_rows)
{
	static const char *const cls[3] = {"on_time", "late", "missing"};
	static const char *const colour[3] = {"#2a2", "#e90", "#d22"};
	const char *names_zh[3] = {"按时", "迟交", "缺失"};
	const char *names_en[3] = {"on time", "late", "missing"};
	size_t n = t->nrows < max_rows ? t->nrows : max_rows, i, k;
	long max = 1;
	const int label_w = 160, bar_w = 400, row_h = 22;

	for (i = 0; i < n; i++) {
		long sum = 0;
		for (k = 0; k < 3; k++)
			sum += cell_num(t, i, on_time_col + k);
		if (sum > max)
			max = sum;
	}
	web_printf(b,
			"<svg class=\"chart\" "
			"xmlns=\"http://www.w3.org/2000/svg\" "
			"width=\"%d\" height=\"%zu\" role=\"img\">",
			label_w + bar_w + 60, (n + 1) * (size_t) row_h + 10);
	for (k = 0; k < 3; k++)
		web_printf(b,
				"<rect x=\"%d\" y=\"2\" width=\"12\" "
				"height=\"12\" "
				"fill=\"%s\"/><text x=\"%d\" y=\"13\" "
				"font-size=\"12\">%s</text>",
				label_w + (int) k * 110, colour[k],
				label_w + (int) k * 110 + 16,
				WEB_TR(v, names_zh[k], names_en[k]));
	for (i = 0; i < n; i++) {
		size_t y = (i + 1) * (size_t) row_h;
		double x = label_w;
		const char *label = db_web_cell(t, i, label_col);

		web_printf(b,
				"<text x=\"%d\" y=\"%zu\" font-size=\"12\" "
				"text-anchor=\"end\">",
				label_w - 6, y + 15);
		web_html(b, label);
		web_raw(b, "</text>");
		for (k = 0; k < 3; k++) {
			long val = cell_num(t, i, on_time_col + k);
			double w = (double) val * bar_w / (double) max;
			web_printf(b,
					"<rect class=\"bar %s\" x=\"%.1f\" "
					"y=\"%zu\" width=\"%.1f\" "
					"height=\"18\" "
					"fill=\"%s\" data-label=\"",
					cls[k], x, y, w, colour[k]);
			web_html(b, label);
			web_printf(b, "\" data-value=\"%ld\"><title>", val);
			web_html(b, label);
			web_printf(b, ": %s %ld</title></rect>",
					WEB_TR(v, names_zh[k], names_en[k]),
					val);
			x += w;
		}
	}
	web_raw(b, "</svg>\n");
}

void web_render_counts(struct web_buf *b, const struct db_web_table *t,
		size_t label_col, size_t value_col, size_t max_rows)
{
	size_t n = t->nrows < max_rows ? t->nrows : max_rows, i;
	long max = 1;

	for (i = 0; i < n; i++)
		if (cell_num(t, i, value_col) > max)
			max = cell_num(t, i, value_col);
	web_printf(b,
			"<svg class=\"chart\" "
			"xmlns=\"http://www.w3.org/2000/svg\" "
			"width=\"%zu\" height=\"120\" role=\"img\">",
			n * 16 + 10);
	for (i = 0; i < n; i++) {
		long val = cell_num(t, i, value_col);
		double h = (double) val * 100.0 / (double) max;
		/* oldest on the left: rows come newest first */
		web_printf(b,
				"<rect class=\"bar\" x=\"%zu\" y=\"%.1f\" "
				"width=\"12\" height=\"%.1f\" fill=\"#47a\" "
				"data-value=\"%ld\"><title>",
				(n - 1 - i) * 16 + 4, 105.0 - h, h, val);
		web_html(b, db_web_cell(t, i, label_col));
		web_printf(b, ": %ld</title></rect>", val);
	}
	web_raw(b, "</svg>\n");
}

void web_render_error(struct web_buf *b, const struct web_view *v, int status,
		const char *msg_zh, const char *msg_en)
{
	char title[16];

	snprintf(title, sizeof(title), "%d", status);
	web_page_begin(b, v, title);
	web_raw(b, "<p class=\"error\">");
	web_html(b, WEB_TR(v, msg_zh, msg_en));
	web_raw(b, "</p>");
	web_page_end(b);
}

void web_render_login(struct web_buf *b, const struct web_view *v,
		const char *csrf, const char *phone, const char *note)
{
	web_page_begin(b, v, WEB_TR(v, "登录", "Log in"));
	if (note) {
		web_raw(b, "<p class=\"note\">");
		web_html(b, note);
		web_raw(b, "</p>");
	}
	if (!phone) {
		web_raw(b, "<form method=\"post\" action=\"/login\">");
		web_printf(b,
				"<label>%s <input name=\"phone\" type=\"tel\" "
				"autocomplete=\"tel\" required></label>",
				WEB_TR(v, "手机号", "Phone number"));
	} else {
		web_raw(b, "<form method=\"post\" action=\"/login/verify\">"
			   "<input type=\"hidden\" name=\"phone\" value=\"");
		web_html(b, phone);
		web_printf(b,
				"\"><label>%s <input name=\"code\" "
				"inputmode=\"numeric\" pattern=\"[0-9]{6}\" "
				"autocomplete=\"one-time-code\" "
				"required></label>",
				WEB_TR(v, "短信验证码", "Code from the SMS"));
	}
	web_raw(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	web_html(b, csrf);
	web_printf(b, "\"> <button>%s</button></form>",
			phone ? WEB_TR(v, "登录", "Log in")
			      : WEB_TR(v, "发送验证码", "Send code"));
	web_page_end(b);
}

void web_render_today_summary(struct web_buf *b, const struct web_view *v,
		const char *reps, const char *missing, const char *leave)
{
	web_printf(b, "<p class=\"summary\">%s <b>", WEB_TR(v, "人员", "Reps"));
	web_html(b, reps);
	web_printf(b,
			"</b> · <span class=\"badge miss\">%s</span> <b "
			"id=\"n-missing\">",
			WEB_TR(v, "缺失", "missing"));
	web_html(b, missing);
	web_printf(b, "</b> · <span class=\"badge leave\">%s</span> <b>",
			WEB_TR(v, "请假", "on leave"));
	web_html(b, leave);
	web_raw(b, "</b></p>\n");
}

static void options(struct web_buf *b, const struct db_web_table *t,
		const char *cur)
{
	size_t i;

	for (i = 0; t && i < t->nrows; i++) {
		const char *id = db_web_cell(t, i, 0);
		web_raw(b, "<option value=\"");
		web_html(b, id);
		web_raw(b, cur && id && !strcmp(cur, id) ? "\" selected>"
							 : "\">");
		web_html(b, db_web_cell(t, i, 1));
		web_raw(b, "</option>");
	}
}

void web_render_today_filters(struct web_buf *b, const struct web_view *v,
		const struct db_web_table *teams,
		const struct db_web_table *territories, const char *team,
		const char *territory)
{
	web_printf(b,
			"<form method=\"get\" action=\"/today\"><label>%s "
			"<select name=\"team\"><option value=\"\">%s</option>",
			WEB_TR(v, "团队", "Team"), WEB_TR(v, "全部", "all"));
	options(b, teams, team);
	web_printf(b,
			"</select></label> <label>%s <select "
			"name=\"territory\"><option value=\"\">%s</option>",
			WEB_TR(v, "区域", "Territory"),
			WEB_TR(v, "全部", "all"));
	options(b, territories, territory);
	web_printf(b, "</select></label> <button>%s</button></form>\n",
			WEB_TR(v, "筛选", "Filter"));
}

void web_render_week_nav(struct web_buf *b, const struct web_view *v,
		const char *week, const char *prev, const char *next,
		const char *by)
{
	static const char *const bys[3][3] = {{"rep", "人员", "rep"},
			{"team", "团队", "team"},
			{"territory", "区域", "territory"}};
	size_t i;

	web_raw(b, "<p class=\"weeknav\"><a href=\"/compliance?week=");
	web_url(b, prev);
	web_raw(b, "&amp;by=");
	web_url(b, by);
	web_printf(b, "\">&larr; %s</a> <b>", WEB_TR(v, "上周", "previous"));
	web_html(b, week);
	web_raw(b, "</b> <a href=\"/compliance?week=");
	web_url(b, next);
	web_raw(b, "&amp;by=");
	web_url(b, by);
	web_printf(b, "\">%s &rarr;</a> · ", WEB_TR(v, "下周", "next"));
	for (i = 0; i < 3; i++) {
		web_raw(b, "<a href=\"/compliance?week=");
		web_url(b, week);
		web_printf(b, "&amp;by=%s\"%s>%s</a> ", bys[i][0],
				!strcmp(by, bys[i][0]) ? " class=\"on\"" : "",
				WEB_TR(v, bys[i][1], bys[i][2]));
	}
	web_raw(b, "</p>\n");
}

static bool parse_date(const char *s, struct tm *tm)
{
	int y, m, d;
	char tail;
	time_t t;

	if (!s || strlen(s) != 10 ||
			sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
			s[4] != '-' || s[7] != '-')
		return false;
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_hour = 12;
	t = timegm(tm);
	if (t == (time_t) -1 || !gmtime_r(&t, tm))
		return false;
	return tm->tm_mday == d && tm->tm_mon == m - 1;
}

int web_date_add(const char *date, int days, char out[11])
{
	struct tm tm;
	time_t t;

	if (!parse_date(date, &tm))
		return -1;
	t = timegm(&tm) + (time_t) days * 86400;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
		return -1;
	strftime(out, 11, "%Y-%m-%d", &tm);
	return 0;
}

bool web_date_is_monday(const char *date)
{
	struct tm tm;

	return parse_date(date, &tm) && tm.tm_wday == 1;
}
