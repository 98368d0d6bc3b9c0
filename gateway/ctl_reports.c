/*
 * fieldgatectl reports: stored reports, newest first, with their typed
 * fields, reference, period, late flag and status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "db/store_reports.h"
#include "gateway/ctl.h"

#define DEFAULT_LIMIT 20
#define MAX_LIMIT 10000

void ctl_reports_usage(FILE *f)
{
	fprintf(f,
			"usage: fieldgatectl reports [--from NUMBER] [--form "
			"ID] [--since TIME]\n"
			"                            [--limit N] [--json]\n"
			"\n"
			"Stored reports, newest first (default %d): time, "
			"reference, form,\n"
			"sender, period, status (received, withdrawn, "
			"replaced), late flag and\n"
			"the typed fields as JSON. TIME as for inbox (2h, 1d, "
			"2026-06-01, ...).\n" CTL_CONN_HELP,
			DEFAULT_LIMIT);
}

static void print_table(const struct db_report *v, size_t n)
{
	char t[CTL_TIME_MAX];
	size_t i;

	printf("%-19s  %-8s %-10s %-16s %-10s %-9s %s\n", "received", "ref",
			"form", "from", "period", "status", "fields");
	for (i = 0; i < n; i++) {
		ctl_fmt_local(v[i].received_at, t);
		printf("%-19s  %-8s %-10s %-16s %-10s %-9s %s%s\n", t, v[i].ref,
				v[i].form_id, v[i].sender,
				v[i].period[0] ? v[i].period : "-", v[i].status,
				v[i].late ? "LATE " : "",
				v[i].fields_json ? v[i].fields_json : "{}");
	}
	if (!n)
		printf("(no reports)\n");
}

/* The fields column is JSON already: copied in as an object. */
static void print_json(const struct db_report *v, size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, stdout, false);
	json_begin_array(&j, NULL);
	for (i = 0; i < n; i++) {
		json_begin_object(&j, NULL);
		json_int(&j, "id", (long long) v[i].id);
		json_string(&j, "ref", v[i].ref);
		json_string(&j, "form", v[i].form_id);
		json_string(&j, "sender", v[i].sender);
		if (v[i].person_name[0])
			json_string(&j, "name", v[i].person_name);
		else
			json_null(&j, "name");
		json_string(&j, "period", v[i].period);
		json_bool(&j, "late", v[i].late);
		json_string(&j, "status", v[i].status);
		json_string(&j, "rules_hash", v[i].rules_hash);
		ctl_json_time(&j, "sent_at", v[i].sent_at);
		ctl_json_time(&j, "received_at", v[i].received_at);
		if (v[i].inbound_id)
			json_int(&j, "inbound_id", (long long) v[i].inbound_id);
		else
			json_null(&j, "inbound_id");
		json_string(&j, "raw_text", v[i].raw_text ? v[i].raw_text : "");
		/* jsonb text from PostgreSQL: valid JSON by construction */
		fprintf(j.f, ",\"fields\":%s",
				v[i].fields_json ? v[i].fields_json : "{}");
		json_end_object(&j);
	}
	json_end_array(&j);
	json_finish(&j);
}

int ctl_reports_run(int argc, char **argv)
{
	const char *prog = "fieldgatectl reports";
	struct db_report_filter f = {.limit = DEFAULT_LIMIT};
	struct db_report *v = NULL;
	struct ctl_session s;
	struct db_error err;
	int64_t now = (int64_t) time(NULL);
	unsigned long lim;
	size_t n = 0;
	bool json = false;
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		r = ctl_common_option(argc, argv, &i, &json, ctl_reports_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(a, "--from") && has_val) {
			char norm[DB_PHONE_MAX];

			f.number = argv[++i];
			if (db_phone_normalize(f.number, norm) < 0) {
				fprintf(stderr, "%s: invalid number '%s'\n",
						prog, f.number);
				return CTL_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--form") && has_val) {
			f.form_id = argv[++i];
		} else if (!strcmp(a, "--since") && has_val) {
			if (ctl_parse_time(argv[++i], now, &f.since) < 0) {
				fprintf(stderr,
						"%s: bad --since '%s' (e.g. "
						"2h, 1d, 2026-06-01)\n",
						prog, argv[i]);
				return CTL_EXIT_USAGE;
			}
			if (f.since <= 0)
				f.since = 1;
		} else if (!strcmp(a, "--limit") && has_val) {
			if (ctl_parse_uint(argv[++i], MAX_LIMIT, &lim) < 0 ||
					lim == 0) {
				fprintf(stderr,
						"%s: bad --limit '%s' "
						"(1..%d)\n",
						prog, argv[i], MAX_LIMIT);
				return CTL_EXIT_USAGE;
			}
			f.limit = lim;
		} else {
			return ctl_bad_option(prog, a);
		}
	}
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_reports_list(s.db, &f, &v, &n, &err);
	if (r < 0) {
		ctl_db_error(&s, "listing reports", r, &err);
		ctl_close(&s);
		return CTL_EXIT_FAIL;
	}
	if (json)
		print_json(v, n);
	else
		print_table(v, n);
	db_reports_free(v, n);
	ctl_close(&s);
	return CTL_EXIT_OK;
}
