/*
 * fieldgatectl report compliance|today|approvals: the dashboard views
 * (docs/VIEWS.md) as readable tables, JSON or CSV.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/store.h"
#include "db/store_views.h"
#include "gateway/ctl.h"

void ctl_report_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl report compliance|today|approvals\n"
		   "                           [--team SUPERVISOR] [--week W] "
		   "[--json|--csv]\n"
		   "\n"
		   "The dashboard views (docs/VIEWS.md) as tables:\n"
		   "  compliance  per rep for one ISO week (compliance_week): "
		   "due, on time,\n"
		   "              late, missing daily reports and check-ins\n"
		   "  today       each active rep today (rep_today): check-in, "
		   "reports, leave\n"
		   "  approvals   reports and leave awaiting 批/驳 "
		   "(pending_approvals)\n"
		   "--team: a supervisor's number or name; only their chain.\n"
		   "--week: 2026-W23 or any date of the week (default: this "
		   "week).\n" CTL_CONN_HELP);
}

/* Terminal columns of a UTF-8 string: CJK and full-width count two. */
static size_t width(const char *s)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t w = 0;

	while (*u) {
		unsigned cp = *u;
		int n = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4, k;

		if (n > 1)
			cp &= 0x3Fu >> (n - 1);
		for (k = 1; k < n && u[k]; k++)
			cp = (cp << 6) | (u[k] & 0x3Fu);
		u += k;
		w += (cp >= 0x1100 && (cp <= 0x115F || cp >= 0x2E80) &&
				     !(cp >= 0xD7A4 && cp <= 0xF8FF) &&
				     cp <= 0x3FFFD)
				     ? 2
				     : 1;
	}
	return w;
}

static const char *cell(const struct db_view_table *t, size_t i, size_t j)
{
	const char *c = t->cells[i * t->n_cols + j];

	if (!c)
		return "-";
	if (t->kinds[j] == DB_VIEW_BOOL)
		return !strcmp(c, "t") ? "yes" : "no";
	return c;
}

static void pad(const char *s, size_t w, bool right)
{
	size_t have = width(s), k;

	if (right)
		for (k = have; k < w; k++)
			putchar(' ');
	fputs(s, stdout);
	if (!right)
		for (k = have; k < w; k++)
			putchar(' ');
}

static void print_table(const struct db_view_table *t, const char *empty)
{
	size_t *w, i, j;

	w = calloc(t->n_cols ? t->n_cols : 1, sizeof(*w));
	if (!w)
		return;
	for (j = 0; j < t->n_cols; j++) {
		w[j] = width(t->cols[j]);
		for (i = 0; i < t->n_rows; i++)
			if (width(cell(t, i, j)) > w[j])
				w[j] = width(cell(t, i, j));
	}
	for (j = 0; j < t->n_cols; j++) {
		pad(t->cols[j], j + 1 < t->n_cols ? w[j] : 0,
				t->kinds[j] == DB_VIEW_NUMBER);
		fputs(j + 1 < t->n_cols ? "  " : "\n", stdout);
	}
	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++) {
			pad(cell(t, i, j), j + 1 < t->n_cols ? w[j] : 0,
					t->kinds[j] == DB_VIEW_NUMBER);
			fputs(j + 1 < t->n_cols ? "  " : "\n", stdout);
		}
	if (!t->n_rows)
		printf("(%s)\n", empty);
	free(w);
}

static void csv_field(const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void print_csv(const struct db_view_table *t)
{
	size_t i, j;

	for (j = 0; j < t->n_cols; j++) {
		csv_field(t->cols[j]);
		putchar(j + 1 < t->n_cols ? ',' : '\n');
	}
	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++) {
			const char *c = t->cells[i * t->n_cols + j];

			csv_field(!c ? ""
					: t->kinds[j] == DB_VIEW_BOOL
							? (!strcmp(c, "t") ? "t"
									     "r"
									     "u"
									     "e"
									   : "f"
									     "a"
									     "l"
									     "s"
									     "e")
							: c);
			putchar(j + 1 < t->n_cols ? ',' : '\n');
		}
}

static void print_json(const struct db_view_table *t)
{
	struct json j;
	size_t i, k;

	json_init(&j, stdout, false);
	json_begin_array(&j, NULL);
	for (i = 0; i < t->n_rows; i++) {
		json_begin_object(&j, NULL);
		for (k = 0; k < t->n_cols; k++) {
			const char *c = t->cells[i * t->n_cols + k];

			if (!c)
				json_null(&j, t->cols[k]);
			else if (t->kinds[k] == DB_VIEW_BOOL)
				json_bool(&j, t->cols[k], !strcmp(c, "t"));
			else if (t->kinds[k] == DB_VIEW_NUMBER)
				json_int(&j, t->cols[k], strtoll(c, NULL, 10));
			else
				json_string(&j, t->cols[k], c);
		}
		json_end_object(&j);
	}
	json_end_array(&j);
	json_finish(&j);
}

static bool week_ok(const char *w)
{
	size_t n = strlen(w), i;

	if (n == 8 || n == 7) /* 2026-W23, 2026-W5 */
		return w[4] == '-' && w[5] == 'W' &&
		       strspn(w, "0123456789") == 4 &&
		       strspn(w + 6, "0123456789") == n - 6;
	if (n != 10 || w[4] != '-' || w[7] != '-')
		return false;
	for (i = 0; i < n; i++)
		if (i != 4 && i != 7 && (w[i] < '0' || w[i] > '9'))
			return false;
	return true;
}

int ctl_report_run(int argc, char **argv)
{
	const char *prog = "fieldgatectl report", *what = NULL;
	const char *team = NULL, *week = NULL;
	char norm[DB_PHONE_MAX];
	enum db_view_report which;
	struct db_view_table t;
	struct ctl_session s;
	struct db_error err;
	bool json = false, csv = false;
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		r = ctl_common_option(argc, argv, &i, &json, ctl_report_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(a, "--team") && has_val)
			team = argv[++i];
		else if (!strcmp(a, "--week") && has_val)
			week = argv[++i];
		else if (!strcmp(a, "--csv"))
			csv = true;
		else if (a[0] != '-' && !what)
			what = a;
		else
			return ctl_bad_option(prog, a);
	}
	if (!what) {
		ctl_report_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(what, "compliance"))
		which = DB_VIEW_COMPLIANCE;
	else if (!strcmp(what, "today"))
		which = DB_VIEW_TODAY;
	else if (!strcmp(what, "approvals"))
		which = DB_VIEW_APPROVALS;
	else {
		fprintf(stderr,
				"%s: unknown report '%s' (compliance, today, "
				"approvals)\n",
				prog, what);
		return CTL_EXIT_USAGE;
	}
	if (json && csv) {
		fprintf(stderr, "%s: --json or --csv, not both\n", prog);
		return CTL_EXIT_USAGE;
	}
	if (week && (which != DB_VIEW_COMPLIANCE || !week_ok(week))) {
		fprintf(stderr,
				which != DB_VIEW_COMPLIANCE
						? "%s: --week applies to "
						  "compliance only\n"
						: "%s: bad --week (2026-W23 or "
						  "2026-06-03)\n",
				prog);
		return CTL_EXIT_USAGE;
	}
	if (team && db_phone_normalize(team, norm) == 0)
		team = norm;
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_view_report(s.db, which, team, week, &t, &err);
	if (r == -ENOENT) {
		fprintf(stderr, "%s: no supervisor '%s'\n", prog, team);
		ctl_close(&s);
		return CTL_EXIT_FAIL;
	}
	if (r < 0) {
		ctl_db_error(&s, "reading the view", r, &err);
		ctl_close(&s);
		return CTL_EXIT_FAIL;
	}
	if (json)
		print_json(&t);
	else if (csv)
		print_csv(&t);
	else
		print_table(&t, which == DB_VIEW_APPROVALS ? "nothing pending"
							   : "no reps");
	db_view_table_free(&t);
	ctl_close(&s);
	return CTL_EXIT_OK;
}
