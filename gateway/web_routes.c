/*
 * gateway/web_routes.c: the dashboard's routes: login by SMS code,
 * sessions, the access check of every page, and the pages themselves
 * (built on the views through db/store_web.h, rendered by
 * gateway/web_page.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_web.h"
#include "gateway/log.h"
#include "gateway/web_auth.h"
#include "gateway/web_int.h"

#define COOKIE_SESSION "fg_session"
#define COOKIE_PRE "fg_pre"
#define COOKIE_LANG "fg_lang"
#define TODAY_PAGE 200
#define CSV_MAX "200000"

static void add_cookie(struct web_ctx *x, const char *name, const char *value,
		int max_age)
{
	if (x->ncookies >= WEB_MAX_COOKIES)
		return;
	snprintf(x->set_cookie[x->ncookies++], sizeof(x->set_cookie[0]),
			"%s=%s; Path=/; Max-Age=%d; HttpOnly; "
			"SameSite=Strict%s",
			name, value, max_age, x->tls ? "; Secure" : "");
}

static void redirect(struct web_ctx *x, const char *to)
{
	x->status = 303;
	snprintf(x->location, sizeof(x->location), "%s", to);
	web_raw(&x->out, "");
}

static void error_page(
		struct web_ctx *x, int status, const char *zh, const char *en)
{
	web_buf_free(&x->out);
	x->status = status;
	x->ctype = NULL;
	x->filename = NULL;
	web_render_error(&x->out, &x->view, status, zh, en);
}

static void db_failed(struct web_ctx *x, const struct db_error *err)
{
	log_warnx("web: database: %s", err->message);
	error_page(x, 503, "数据库暂时不可用。",
			"The database is unavailable.");
}

/* Runs a query with the viewer's three parameters then extra ones. */
static int run(struct web_ctx *x, enum db_web_query q, const char *p4,
		const char *p5, const char *p6, const char *p7,
		struct db_web_table *t)
{
	char id[24];
	const char *p[7];
	struct db_error err;
	int r;

	snprintf(id, sizeof(id), "%lld", (long long) x->viewer.id);
	p[0] = id;
	p[1] = x->viewer.admin ? "true" : "false";
	p[2] = x->viewer.tz;
	p[3] = p4;
	p[4] = p5;
	p[5] = p6;
	p[6] = p7;
	r = db_web_query(x->db, q, p, t, &err);
	if (r < 0 && db_is_connection_error(&err) &&
			db_reconnect(x->db, &err) == 0)
		r = db_web_query(x->db, q, p, t, &err);
	if (r < 0)
		db_failed(x, &err);
	return r;
}

static bool want_csv(const struct web_ctx *x)
{
	const char *f = web_form_get(&x->query, "format");

	return f && !strcmp(f, "csv");
}

static bool digits(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, "0123456789") == n;
}

/* Empty query values mean "not given". */
static const char *qget(const struct web_ctx *x, const char *key)
{
	const char *v = web_form_get(&x->query, key);

	return v && *v ? v : NULL;
}

/* The current request target again with format=csv. */
static void csv_href(const struct web_ctx *x, char *out, size_t size)
{
	struct web_buf b = {0};
	size_t i;

	web_raw(&b, x->path);
	web_raw(&b, "?format=csv");
	for (i = 0; i < x->query.n; i++) {
		if (!strcmp(x->query.v[i].key, "format") ||
				!strcmp(x->query.v[i].key, "page") ||
				!strcmp(x->query.v[i].key, "lang"))
			continue;
		web_raw(&b, "&");
		web_url(&b, x->query.v[i].key);
		web_raw(&b, "=");
		web_url(&b, x->query.v[i].val);
	}
	snprintf(out, size, "%s", b.oom || !b.p ? x->path : b.p);
	web_buf_free(&b);
}

static void table_or_csv(struct web_ctx *x, const struct db_web_table *t,
		const struct web_col *cols, size_t ncols, size_t mark,
		const char *filename)
{
	char href[WEB_TARGET_MAX + 32];

	if (want_csv(x)) {
		web_buf_free(&x->out);
		x->ctype = "text/csv; charset=utf-8";
		x->filename = filename;
		web_render_csv(&x->out, &x->view, t, cols, ncols);
		return;
	}
	csv_href(x, href, sizeof(href));
	web_render_table(&x->out, &x->view, t, cols, ncols, mark, href);
}

/* ---- pages ------------------------------------------------------------ */

static const struct web_col today_cols[] = {
		{0, "姓名", "Name", WEB_FMT_REPLINK, 1},
		{2, "区域", "Territory", WEB_FMT_TEXT, 0},
		{4, "最后签到", "Last check-in", WEB_FMT_TEXT, 0},
		{5, "判定", "Verdict", WEB_FMT_VERDICT, 0},
		{6, "网点", "Place", WEB_FMT_TEXT, 0},
		{7, "签到次数", "Check-ins", WEB_FMT_TEXT, 0},
		{8, "报告数", "Reports", WEB_FMT_TEXT, 0},
		{9, "报告表单", "Forms", WEB_FMT_TEXT, 0},
		{10, "状态", "State", WEB_FMT_STATE, 0},
};
static const struct web_col today_csv_cols[] = {
		{0, "编号", "Id", WEB_FMT_TEXT, 0},
		{1, "姓名", "Name", WEB_FMT_TEXT, 0},
		{3, "区域代码", "Territory code", WEB_FMT_TEXT, 0},
		{4, "最后签到", "Last check-in", WEB_FMT_TEXT, 0},
		{5, "判定", "Verdict", WEB_FMT_TEXT, 0},
		{6, "网点", "Place", WEB_FMT_TEXT, 0},
		{7, "签到次数", "Check-ins", WEB_FMT_TEXT, 0},
		{8, "报告数", "Reports", WEB_FMT_TEXT, 0},
		{9, "报告表单", "Forms", WEB_FMT_TEXT, 0},
		{10, "请假", "On leave", WEB_FMT_BOOL, 0},
		{11, "缺签到", "Missing check-in", WEB_FMT_BOOL, 0},
		{12, "缺报告", "Missing report", WEB_FMT_BOOL, 0},
};
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static void page_today(struct web_ctx *x)
{
	struct db_web_table t = {0}, teams = {0}, terr = {0};
	const char *team = qget(x, "team"), *territory = qget(x, "territory");
	const char *page = qget(x, "page");
	char off[24], lim[24];
	long pg = 0;

	if ((team && !digits(team, 18)) || (page && !digits(page, 6)) ||
			(territory && strlen(territory) > 64)) {
		error_page(x, 400, "参数错误。", "Bad parameter.");
		return;
	}
	if (page)
		pg = strtol(page, NULL, 10);
	snprintf(lim, sizeof(lim), "%d", TODAY_PAGE);
	snprintf(off, sizeof(off), "%ld", pg * TODAY_PAGE);
	if (run(x, DB_WEB_TODAY, team, territory, want_csv(x) ? CSV_MAX : lim,
			    want_csv(x) ? "0" : off, &t) < 0)
		return;
	if (want_csv(x)) {
		table_or_csv(x, &t, today_csv_cols, NCOLS(today_csv_cols),
				(size_t) -1, "today.csv");
		goto out;
	}
	if (run(x, DB_WEB_TEAMS, NULL, NULL, NULL, NULL, &teams) < 0 ||
			run(x, DB_WEB_TERRITORIES, NULL, NULL, NULL, NULL,
					&terr) < 0)
		goto out;
	x->view.nav = "today";
	web_page_begin(&x->out, &x->view, WEB_TR(&x->view, "今日", "Today"));
	web_render_today_filters(
			&x->out, &x->view, &teams, &terr, team, territory);
	web_render_today_summary(&x->out, &x->view,
			t.nrows ? db_web_cell(&t, 0, 13) : "0",
			t.nrows ? db_web_cell(&t, 0, 14) : "0",
			t.nrows ? db_web_cell(&t, 0, 15) : "0");
	web_render_table(&x->out, &x->view, &t, today_cols, NCOLS(today_cols),
			10, NULL);
	{
		char href[WEB_TARGET_MAX + 32];
		long total = t.nrows ? strtol(db_web_cell(&t, 0, 13), NULL, 10)
				     : 0;
		csv_href(x, href, sizeof(href));
		web_raw(&x->out, "<p>");
		if (pg > 0)
			web_printf(&x->out, "<a href=\"?page=%ld\">&larr;</a> ",
					pg - 1);
		web_printf(&x->out, "%ld&ndash;%ld / %ld ",
				t.nrows ? pg * TODAY_PAGE + 1 : 0,
				pg * TODAY_PAGE + (long) t.nrows, total);
		if ((pg + 1) * TODAY_PAGE < total)
			web_printf(&x->out, "<a href=\"?page=%ld\">&rarr;</a>",
					pg + 1);
		web_raw(&x->out, " · <a class=\"csv\" href=\"");
		web_html(&x->out, href);
		web_printf(&x->out, "\">%s</a></p>",
				WEB_TR(&x->view, "下载 CSV", "Download CSV"));
	}
	web_page_end(&x->out);
out:
	db_web_table_free(&t);
	db_web_table_free(&teams);
	db_web_table_free(&terr);
}

static const struct web_col history_cols[] = {
		{0, "时间", "Time", WEB_FMT_TEXT, 0},
		{1, "类型", "Kind", WEB_FMT_TEXT, 0},
		{2, "编号", "Ref", WEB_FMT_TEXT, 0},
		{3, "内容", "Summary", WEB_FMT_TEXT, 0},
		{4, "判定", "Verdict", WEB_FMT_VERDICT, 0},
		{5, "状态", "Status", WEB_FMT_TEXT, 0},
};

static void page_rep(struct web_ctx *x)
{
	struct db_web_table rep = {0}, h = {0};
	const char *id = qget(x, "id");

	if (!digits(id, 18)) {
		error_page(x, 400, "参数错误。", "Bad parameter.");
		return;
	}
	if (run(x, DB_WEB_REP, id, NULL, NULL, NULL, &rep) < 0)
		return;
	if (!rep.nrows) {
		error_page(x, 403, "无权查看此人员。",
				"You may not see this person.");
		goto out;
	}
	if (run(x, DB_WEB_REP_HISTORY, id, NULL, NULL, NULL, &h) < 0)
		goto out;
	if (!want_csv(x)) {
		x->view.nav = "today";
		web_page_begin(&x->out, &x->view, db_web_cell(&rep, 0, 1));
		web_raw(&x->out, "<p class=\"rep\">");
		web_html(&x->out, db_web_cell(&rep, 0, 2));
		web_raw(&x->out, " · ");
		web_html(&x->out, db_web_cell(&rep, 0, 3));
		if (db_web_cell(&rep, 0, 5) &&
				!strcmp(db_web_cell(&rep, 0, 5), "t"))
			web_printf(&x->out,
					" <span class=\"badge "
					"leave\">%s</span>",
					WEB_TR(&x->view, "请假", "on leave"));
		web_printf(&x->out, "</p><h2>%s</h2>",
				WEB_TR(&x->view, "记录", "History"));
	}
	table_or_csv(x, &h, history_cols, NCOLS(history_cols), (size_t) -1,
			"rep.csv");
	if (!want_csv(x))
		web_page_end(&x->out);
out:
	db_web_table_free(&rep);
	db_web_table_free(&h);
}

static const struct web_col compl_rep_cols[] = {
		{0, "姓名", "Name", WEB_FMT_REPLINK, 1},
		{2, "区域", "Territory", WEB_FMT_TEXT, 0},
		{3, "应交", "Due", WEB_FMT_TEXT, 0},
		{4, "按时", "On time", WEB_FMT_TEXT, 0},
		{5, "迟交", "Late", WEB_FMT_TEXT, 0},
		{6, "缺失", "Missing", WEB_FMT_TEXT, 0},
};
static const struct web_col compl_group_cols[] = {
		{1, "名称", "Name", WEB_FMT_TEXT, 0},
		{2, "应交", "Due", WEB_FMT_TEXT, 0},
		{3, "按时", "On time", WEB_FMT_TEXT, 0},
		{4, "迟交", "Late", WEB_FMT_TEXT, 0},
		{5, "缺失", "Missing", WEB_FMT_TEXT, 0},
};

static void page_compliance(struct web_ctx *x)
{
	struct db_web_table t = {0}, wk = {0};
	const char *week = qget(x, "week"), *by = qget(x, "by");
	char prev[11], next[11], wbuf[11];
	enum db_web_query q;
	bool rep;

	if (!by)
		by = "rep";
	if (!strcmp(by, "rep"))
		q = DB_WEB_COMPL_REP;
	else if (!strcmp(by, "team"))
		q = DB_WEB_COMPL_TEAM;
	else if (!strcmp(by, "territory"))
		q = DB_WEB_COMPL_TERR;
	else {
		error_page(x, 400, "参数错误。", "Bad parameter.");
		return;
	}
	rep = q == DB_WEB_COMPL_REP;
	if (week && !web_date_is_monday(week)) {
		error_page(x, 400, "周必须是星期一的日期。",
				"The week must be a Monday (YYYY-MM-DD).");
		return;
	}
	if (!week) {
		if (run(x, DB_WEB_THIS_WEEK, NULL, NULL, NULL, NULL, &wk) < 0)
			return;
		snprintf(wbuf, sizeof(wbuf), "%s",
				wk.nrows && db_web_cell(&wk, 0, 0)
						? db_web_cell(&wk, 0, 0)
						: "1970-01-05");
		week = wbuf;
		db_web_table_free(&wk);
	}
	if (run(x, q, week, NULL, NULL, NULL, &t) < 0)
		return;
	if (!want_csv(x)) {
		if (web_date_add(week, -7, prev) < 0)
			strcpy(prev, week);
		if (web_date_add(week, 7, next) < 0)
			strcpy(next, week);
		x->view.nav = "compliance";
		web_page_begin(&x->out, &x->view,
				WEB_TR(&x->view, "每周合规",
						"Weekly compliance"));
		web_render_week_nav(&x->out, &x->view, week, prev, next, by);
		web_render_chart(&x->out, &x->view, &t, 1, rep ? 4 : 3, 60);
	}
	if (rep)
		table_or_csv(x, &t, compl_rep_cols, NCOLS(compl_rep_cols),
				(size_t) -1, "compliance.csv");
	else
		table_or_csv(x, &t, compl_group_cols, NCOLS(compl_group_cols),
				(size_t) -1, "compliance.csv");
	if (!want_csv(x))
		web_page_end(&x->out);
	db_web_table_free(&t);
}

static const struct web_col pending_cols[] = {
		{0, "类型", "Kind", WEB_FMT_TEXT, 0},
		{1, "编号", "Ref", WEB_FMT_TEXT, 0},
		{2, "表单", "Form", WEB_FMT_TEXT, 0},
		{3, "人员", "Rep", WEB_FMT_REPLINK, 4},
		{5, "收到", "Received", WEB_FMT_TEXT, 0},
		{6, "等待", "Waiting", WEB_FMT_TEXT, 0},
		{7, "内容", "Text", WEB_FMT_TEXT, 0},
};
static const struct web_col alert_cols[] = {
		{0, "日期", "Day", WEB_FMT_TEXT, 0},
		{1, "警报数", "Alerts", WEB_FMT_TEXT, 0},
};
static const struct web_col health_cols[] = {
		{0, "调制解调器", "Modem", WEB_FMT_TEXT, 0},
		{1, "状态", "State", WEB_FMT_TEXT, 0},
		{2, "信号", "Signal", WEB_FMT_TEXT, 0},
		{3, "运营商", "Operator", WEB_FMT_TEXT, 0},
		{4, "已注册", "Registered", WEB_FMT_BOOL, 0},
		{5, "队列", "Queued", WEB_FMT_TEXT, 0},
		{6, "最早排队", "Oldest queued", WEB_FMT_TEXT, 0},
		{7, "SIM 余额", "SIM balance", WEB_FMT_TEXT, 0},
		{8, "余额时间", "Balance at", WEB_FMT_TEXT, 0},
		{9, "规则重载", "Last rule reload", WEB_FMT_TEXT, 0},
		{10, "重载成功", "Reload OK", WEB_FMT_BOOL, 0},
};

static void page_simple(struct web_ctx *x, enum db_web_query q, const char *nav,
		const char *zh, const char *en, const struct web_col *cols,
		size_t ncols, const char *file)
{
	struct db_web_table t = {0};

	if (run(x, q, NULL, NULL, NULL, NULL, &t) < 0)
		return;
	if (!want_csv(x)) {
		x->view.nav = nav;
		web_page_begin(&x->out, &x->view, WEB_TR(&x->view, zh, en));
		if (q == DB_WEB_ALERTS)
			web_render_counts(&x->out, &t, 0, 1, 31);
	}
	table_or_csv(x, &t, cols, ncols, (size_t) -1, file);
	if (!want_csv(x))
		web_page_end(&x->out);
	db_web_table_free(&t);
}

/* ---- login ------------------------------------------------------------ */

static bool csrf_pre_ok(struct web_ctx *x)
{
	char pre[80];
	const char *sent = web_form_get(&x->form, "csrf");

	return x->cookies &&
	       web_cookie_get(x->cookies, COOKIE_PRE, pre, sizeof(pre)) == 0 &&
	       web_hex_ok(pre, 32) && sent && !strcmp(sent, pre);
}

static void login_form(struct web_ctx *x, const char *phone, const char *note,
		int status)
{
	char pre[80];

	if (!x->cookies ||
			web_cookie_get(x->cookies, COOKIE_PRE, pre,
					sizeof(pre)) < 0 ||
			!web_hex_ok(pre, 32)) {
		if (web_random_hex(pre, 16) < 0) {
			error_page(x, 500, "内部错误。", "Internal error.");
			return;
		}
		add_cookie(x, COOKIE_PRE, pre, 3600);
	}
	x->status = status;
	web_render_login(&x->out, &x->view, pre, phone, note);
}

static bool phone_ok(const char *p)
{
	size_t n = p ? strlen(p) : 0;
	const char *d = n && p[0] == '+' ? p + 1 : p;

	return n >= 3 && n <= 21 && strspn(d, "0123456789") == strlen(d);
}

static void login_post(struct web_ctx *x)
{
	const char *phone = web_form_get(&x->form, "phone");
	struct db_web_code_req req = {0};
	struct db_error err;
	char code[7], sms[160], red[LOG_NUMBER_MAX];
	int r;

	if (!csrf_pre_ok(x)) {
		error_page(x, 403, "表单已过期，请重试。",
				"The form expired; please try again.");
		return;
	}
	if (!phone_ok(phone)) {
		login_form(x, NULL,
				WEB_TR(&x->view, "请输入手机号。",
						"Please enter a phone number."),
				400);
		return;
	}
	if (web_random_code(code) < 0) {
		error_page(x, 500, "内部错误。", "Internal error.");
		return;
	}
	snprintf(sms, sizeof(sms), "%s %s",
			x->view.en ? "fieldgate login code:"
				   : "fieldgate 登录验证码:",
			code);
	req.phone = phone;
	req.code = code;
	req.sms_text = sms;
	req.ttl_s = x->cfg->code_ttl_s;
	req.interval_s = x->cfg->code_interval_s;
	r = db_web_code_issue(x->db, &req, &err);
	log_redact_number(phone, red, sizeof(red));
	if (r == -ENOLCK) {
		log_info("web: login code refused for %s: locked", red);
		login_form(x, NULL,
				WEB_TR(&x->view, "此号码已被暂时锁定。",
						"This number is locked for a "
						"while."),
				429);
		return;
	}
	if (r == -EAGAIN) {
		login_form(x, phone,
				WEB_TR(&x->view, "验证码已发送，请稍后再试。",
						"A code was sent recently; "
						"please wait."),
				429);
		return;
	}
	if (r < 0 && r != -ENOENT) {
		db_failed(x, &err);
		return;
	}
	/* Unknown numbers see the same page: nothing tells who exists. */
	log_info("web: login code %s for %s", r == 0 ? "sent" : "not sent",
			red);
	login_form(x, phone,
			WEB_TR(&x->view,
					"如果此号码可以登录，验证码已通过短信发"
					"送。",
					"If this number may log in, a code is "
					"on "
					"its way by SMS."),
			200);
}

static void verify_post(struct web_ctx *x)
{
	const char *phone = web_form_get(&x->form, "phone");
	const char *code = web_form_get(&x->form, "code");
	char token[80], csrf[80], note[160], red[LOG_NUMBER_MAX];
	struct db_error err;
	int64_t who = 0;
	int left = 0, r;

	if (!csrf_pre_ok(x)) {
		error_page(x, 403, "表单已过期，请重试。",
				"The form expired; please try again.");
		return;
	}
	if (!phone_ok(phone)) {
		login_form(x, NULL, NULL, 400);
		return;
	}
	if (!digits(code, 6) || strlen(code) != 6)
		code = "x"; /* counts as a wrong try */
	r = db_web_code_check(x->db, phone, code, x->cfg->max_tries,
			x->cfg->lock_s, &who, &left, &err);
	log_redact_number(phone, red, sizeof(red));
	if (r == -ENOLCK) {
		log_info("web: login for %s: locked", red);
		login_form(x, NULL,
				WEB_TR(&x->view,
						"尝试次数过多，此号码已被暂时锁"
						"定。",
						"Too many tries: this number "
						"is "
						"locked for a while."),
				429);
		return;
	}
	if (r == -EACCES || r == -ETIME || r == -ENOENT) {
		log_info("web: login for %s: wrong code", red);
		snprintf(note, sizeof(note), "%s %d",
				WEB_TR(&x->view, "验证码错误。剩余次数:",
						"Wrong code. Tries left:"),
				left > 0 ? left : 0);
		login_form(x, phone, note, 401);
		return;
	}
	if (r < 0) {
		db_failed(x, &err);
		return;
	}
	if (web_random_hex(token, 32) < 0 || web_random_hex(csrf, 16) < 0) {
		error_page(x, 500, "内部错误。", "Internal error.");
		return;
	}
	r = db_web_session_create(
			x->db, token, csrf, who, x->cfg->session_ttl_s, &err);
	if (r < 0) {
		db_failed(x, &err);
		return;
	}
	log_info("web: person %lld logged in", (long long) who);
	add_cookie(x, COOKIE_SESSION, token, x->cfg->session_ttl_s);
	redirect(x, "/today");
}

/* ---- dispatch --------------------------------------------------------- */

static int load_viewer(struct web_ctx *x)
{
	char token[80];
	struct db_error err;
	int r;

	if (!x->cookies)
		return -ENOENT;
	r = web_cookie_get(x->cookies, COOKIE_SESSION, token, sizeof(token));
	if (r < 0)
		return r;
	if (!web_hex_ok(token, 64))
		return -ENOENT;
	r = db_web_session_get(x->db, token, &x->viewer, &err);
	if (r < 0 && r != -ENOENT) {
		if (db_is_connection_error(&err) &&
				db_reconnect(x->db, &err) == 0)
			r = db_web_session_get(x->db, token, &x->viewer, &err);
		if (r < 0 && r != -ENOENT) {
			db_failed(x, &err);
			return -EIO;
		}
	}
	if (r == 0)
		x->view.viewer = &x->viewer;
	return r;
}

static void logout(struct web_ctx *x)
{
	const char *sent = web_form_get(&x->form, "csrf");
	char token[80];
	struct db_error err;

	if (!sent || strcmp(sent, x->viewer.csrf)) {
		error_page(x, 403, "表单已过期。", "The form expired.");
		return;
	}
	if (web_cookie_get(x->cookies, COOKIE_SESSION, token, sizeof(token)) ==
					0 &&
			db_web_session_delete(x->db, token, &err) < 0)
		log_warnx("web: logout: %s", err.message);
	add_cookie(x, COOKIE_SESSION, "", 0);
	redirect(x, "/login");
}

static void set_lang(struct web_ctx *x)
{
	const char *q = web_form_get(&x->query, "lang");
	char c[8];

	if (q && (!strcmp(q, "en") || !strcmp(q, "zh"))) {
		x->view.en = !strcmp(q, "en");
		add_cookie(x, COOKIE_LANG, q, 86400 * 365);
		return;
	}
	x->view.en = x->cookies &&
		     web_cookie_get(x->cookies, COOKIE_LANG, c, sizeof(c)) ==
				     0 &&
		     !strcmp(c, "en");
}

void web_route(struct web_ctx *x)
{
	const char *p = x->path;
	int r;

	/* a malformed Cookie header is the client's fault */
	if (x->cookies) {
		char tmp[8];
		if (web_cookie_get(x->cookies, "-", tmp, sizeof(tmp)) ==
				-EINVAL) {
			x->status = 400;
			web_raw(&x->out, "bad cookie header\n");
			x->ctype = "text/plain; charset=utf-8";
			return;
		}
	}
	set_lang(x);
	if (!strcmp(p, "/login")) {
		if (x->post)
			login_post(x);
		else
			login_form(x, NULL, NULL, 200);
		return;
	}
	if (!strcmp(p, "/login/verify")) {
		if (x->post)
			verify_post(x);
		else
			redirect(x, "/login");
		return;
	}
	r = load_viewer(x);
	if (r == -EIO)
		return;
	if (r < 0) {
		if (x->post)
			error_page(x, 401, "请先登录。", "Please log in.");
		else
			redirect(x, "/login");
		return;
	}
	if (x->post) {
		if (!strcmp(p, "/logout"))
			logout(x);
		else
			error_page(x, 404, "没有此页面。", "No such page.");
		return;
	}
	if (!strcmp(p, "/"))
		redirect(x, "/today");
	else if (!strcmp(p, "/today"))
		page_today(x);
	else if (!strcmp(p, "/rep"))
		page_rep(x);
	else if (!strcmp(p, "/compliance"))
		page_compliance(x);
	else if (!strcmp(p, "/approvals"))
		page_simple(x, DB_WEB_PENDING, "approvals", "待审批",
				"Pending approvals", pending_cols,
				NCOLS(pending_cols), "approvals.csv");
	else if (!strcmp(p, "/alerts"))
		page_simple(x, DB_WEB_ALERTS, "alerts", "警报（近 30 天）",
				"Alerts (last 30 days)", alert_cols,
				NCOLS(alert_cols), "alerts.csv");
	else if (!strcmp(p, "/health")) {
		if (!x->viewer.admin)
			error_page(x, 403, "仅限管理员。", "Admins only.");
		else
			page_simple(x, DB_WEB_HEALTH, "health", "网关状态",
					"Gateway health", health_cols,
					NCOLS(health_cols), "health.csv");
	} else
		error_page(x, 404, "没有此页面。", "No such page.");
}
