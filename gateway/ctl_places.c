/*
 * fieldgatectl where REP / checkins: the check-ins and their verdicts
 * (docs/PLACES.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "db/store_places.h"
#include "gateway/ctl.h"

void ctl_where_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl where NUMBER [--limit N] [--json]\n"
		   "  the person, the territories they cover and their "
		   "latest check-ins\n"
		   "  with verdict, distance and evidence (default "
		   "10).\n" CTL_CONN_HELP);
}

void ctl_checkins_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl checkins [--since T] [--verdict V] "
		   "[--rep NUMBER]\n"
		   "                             [--limit N] [--json]\n"
		   "  check-ins, newest first (default 50). V: in_territory, "
		   "outside,\n"
		   "  unknown_outlet, unknown_cell. T: 2h, 1d, 2026-11-27, "
		   "2026-11-27 08:30, ...\n" CTL_CONN_HELP);
}

static void print_rows_json(struct json *j, const char *key,
		const struct db_checkin_row *v, size_t n)
{
	char pos[64];
	size_t i;

	json_begin_array(j, key);
	for (i = 0; i < n; i++) {
		json_begin_object(j, NULL);
		json_int(j, "id", v[i].id);
		json_string(j, "phone", v[i].phone);
		json_string(j, "name", v[i].name);
		ctl_json_time(j, "received_at", v[i].received_at);
		ctl_json_time(j, "scts", v[i].scts);
		ctl_json_text(j, "ref", v[i].ref);
		json_string(j, "outlet", v[i].outlet_code);
		ctl_json_text(j, "outlet_name", v[i].outlet_name);
		ctl_json_text(j, "territory", v[i].territory);
		json_string(j, "verdict", v[i].verdict);
		if (v[i].distance_m >= 0)
			json_int(j, "distance_m", v[i].distance_m);
		else
			json_null(j, "distance_m");
		json_string(j, "evidence", v[i].evidence);
		ctl_json_text(j, "cell", v[i].cell);
		if (v[i].has_pos) {
			snprintf(pos, sizeof(pos), "%.6f,%.6f", v[i].lat,
					v[i].lon);
			json_string(j, "position", pos);
		} else {
			json_null(j, "position");
		}
		ctl_json_time(j, "confirmed_at", v[i].confirmed_at);
		json_end_object(j);
	}
	json_end_array(j);
}

static void print_rows(const struct db_checkin_row *v, size_t n, bool who)
{
	char when[CTL_TIME_MAX], dist[24];
	size_t i;

	if (!n) {
		printf("no check-ins\n");
		return;
	}
	printf("%-6s %-19s %s%-10s %-14s %8s %-16s %-8s %s\n", "ID", "WHEN",
			who ? "PHONE            " : "", "OUTLET", "VERDICT",
			"DIST_M", "EVIDENCE", "REF", "OUTLET NAME / CELL");
	for (i = 0; i < n; i++) {
		ctl_fmt_local(v[i].received_at, when);
		if (v[i].distance_m >= 0)
			snprintf(dist, sizeof(dist), "%lld",
					(long long) v[i].distance_m);
		else
			snprintf(dist, sizeof(dist), "-");
		printf("%-6lld %-19s ", (long long) v[i].id, when);
		if (who)
			printf("%-16s ", v[i].phone);
		printf("%-10s %-14s %8s %-16s %-8s %s%s%s\n", v[i].outlet_code,
				v[i].verdict, dist, v[i].evidence,
				v[i].ref[0] ? v[i].ref : "-",
				v[i].outlet_name[0] ? v[i].outlet_name : "?",
				v[i].cell[0] ? "  cell " : "", v[i].cell);
	}
}

static int cmd_where(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl where";
	const char *number = NULL;
	struct db_checkin_filter f = {0};
	struct db_checkin_row *v = NULL;
	struct db_person who;
	struct ctl_session s;
	struct db_error err;
	char terr[512];
	unsigned long limit = 10;
	bool json = false;
	size_t n = 0;
	int i, r;

	for (i = 1; i < argc; i++) {
		r = ctl_common_option(argc, argv, &i, &json, ctl_where_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			if (ctl_parse_uint(argv[++i], 10000, &limit) < 0 ||
					!limit)
				return ctl_bad_option(prog, argv[i]);
		} else if (argv[i][0] == '-' || number) {
			return ctl_bad_option(prog, argv[i]);
		} else {
			number = argv[i];
		}
	}
	if (!number) {
		fprintf(stderr, "%s: need the rep's NUMBER\n", prog);
		return CTL_EXIT_USAGE;
	}
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_people_lookup(s.db, number, &who, &err);
	if (r == -ENOENT || r == -EINVAL) {
		fprintf(stderr, "%s: no active person with number %s\n", prog,
				number);
		goto out_fail;
	}
	if (r < 0 || (r = db_person_territories(s.db, who.id, terr,
				      sizeof(terr), &err)) < 0) {
		ctl_db_error(&s, "looking up the person", r, &err);
		goto out_fail;
	}
	f.phone = who.phone;
	f.limit = limit;
	r = db_checkins_list(s.db, &f, &v, &n, &err);
	if (r < 0) {
		ctl_db_error(&s, "listing check-ins", r, &err);
		goto out_fail;
	}
	ctl_close(&s);
	if (json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_string(&j, "phone", who.phone);
		json_string(&j, "name", who.name);
		json_string(&j, "role", db_role_name(who.role));
		json_string(&j, "territories", terr);
		print_rows_json(&j, "checkins", v, n);
		json_end_object(&j);
		json_finish(&j);
	} else {
		printf("%s %s (%s), territories: %s\n", who.name, who.phone,
				db_role_name(who.role),
				terr[0] ? terr : "none");
		print_rows(v, n, false);
	}
	free(v);
	return CTL_EXIT_OK;
out_fail:
	ctl_close(&s);
	return CTL_EXIT_FAIL;
}

static int cmd_checkins(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl checkins";
	static const char *const verdicts[] = {"in_territory", "outside",
			"unknown_outlet", "unknown_cell"};
	struct db_checkin_filter f = {0};
	struct db_checkin_row *v = NULL;
	struct ctl_session s;
	struct db_error err;
	unsigned long limit = 50;
	bool json = false;
	size_t n = 0, k;
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		r = ctl_common_option(
				argc, argv, &i, &json, ctl_checkins_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(a, "--since") && i + 1 < argc) {
			if (ctl_parse_time(argv[++i], (int64_t) time(NULL),
					    &f.since) < 0) {
				fprintf(stderr, "%s: bad time '%s'\n", prog,
						argv[i]);
				return CTL_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--verdict") && i + 1 < argc) {
			f.verdict = argv[++i];
			for (k = 0; k < 4; k++)
				if (!strcmp(f.verdict, verdicts[k]))
					break;
			if (k == 4) {
				fprintf(stderr,
						"%s: bad verdict '%s' "
						"(in_territory, outside, "
						"unknown_outlet, "
						"unknown_cell)\n",
						prog, f.verdict);
				return CTL_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--rep") && i + 1 < argc) {
			f.phone = argv[++i];
		} else if (!strcmp(a, "--limit") && i + 1 < argc) {
			if (ctl_parse_uint(argv[++i], 100000, &limit) < 0 ||
					!limit)
				return ctl_bad_option(prog, a);
		} else {
			return ctl_bad_option(prog, a);
		}
	}
	f.limit = limit;
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_checkins_list(s.db, &f, &v, &n, &err);
	if (r < 0) {
		ctl_db_error(&s, "listing check-ins", r, &err);
		ctl_close(&s);
		return CTL_EXIT_FAIL;
	}
	ctl_close(&s);
	if (json) {
		struct json j;

		json_init(&j, stdout, true);
		print_rows_json(&j, NULL, v, n);
		json_finish(&j);
	} else {
		print_rows(v, n, true);
	}
	free(v);
	return CTL_EXIT_OK;
}

int ctl_where_run(int argc, char **argv)
{
	return cmd_where(argc, argv);
}

int ctl_checkins_run(int argc, char **argv)
{
	return cmd_checkins(argc, argv);
}
