/*
 * gateway/ctl_sched.c - `fieldgatectl schedules [--rules FILE] [--next N]
 * [--at TIME]`: the rule file's schedules and their next fires in time
 * order (holidays, quiet hours and DST applied as the daemon applies
 * them), and the schedule part of `rules test --at`.  Offline: the rule
 * file and the zoneinfo directory only.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/ctl.h"
#include "gateway/zones.h"
#include "rules/cron.h"
#include "rules/sched.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_RULES SYSCONFDIR "/fieldgate/rules.conf"
#define MAX_NEXT 1000

void ctl_schedules_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl schedules [--rules FILE] [--next N] "
		   "[--at ISO-TIME]\n"
		   "\n"
		   "Lists the next N fires (default 10) of the rule file's "
		   "schedules after\n"
		   "--at (default now), in time order, in each schedule's "
		   "time zone (\"territory\"\n"
		   "schedules in settings.timezone; the daemon also fires "
		   "them in every\n"
		   "territory's own zone), with holidays and quiet hours "
		   "applied. Offline.\n");
}

static const char *zone_of(
		const struct rules *r, const struct rules_schedule *s)
{
	const char *def = rules_timezone(r);

	if (*s->timezone && !s->per_territory)
		return s->timezone;
	return def && *def ? def : "UTC";
}

static void fmt(const struct tz_zone *z, int64_t t, char *buf, size_t size)
{
	static const char *const wd[] = {
			"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	struct tz_local l;

	if (!z || tz_to_local(z, t, &l) < 0) {
		snprintf(buf, size, "@%" PRId64, t);
		return;
	}
	snprintf(buf, size, "%s %04d-%02d-%02d %02d:%02d %s", wd[l.wday],
			l.civil.year, l.civil.mon, l.civil.mday, l.civil.hour,
			l.civil.min, l.abbr);
}

struct next_fire {
	int64_t at, nominal;
	size_t idx;
};

static int cmp_fire(const void *a, const void *b)
{
	const struct next_fire *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Prints the next @n fires after @after. */
static int print_next(const struct rules *r, struct gw_zones *zc, int64_t after,
		size_t n, FILE *out)
{
	const struct rules_schedule *v;
	size_t ns = rules_schedules(r, &v), i, k = 0, j;
	struct next_fire *all;
	struct cron_calendar cal;

	rules_sched_calendar(r, &cal);
	all = calloc(ns * n + 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0; i < ns; i++) {
		const struct tz_zone *z = gw_zone(zc, zone_of(r, &v[i]), NULL);
		int64_t t = after;

		if (!z) {
			fprintf(out, "%s: time zone \"%s\" not found\n",
					v[i].id, zone_of(r, &v[i]));
			continue;
		}
		for (j = 0; j < n; j++) {
			struct cron_fire f;

			if (cron_next(&v[i].cron, z, &cal, t, &f) < 0)
				break;
			all[k].at = f.at;
			all[k].nominal = f.nominal;
			all[k++].idx = i;
			t = f.at;
		}
	}
	qsort(all, k, sizeof(*all), cmp_fire);
	fprintf(out, "%-26s %-20s %-8s %-11s %s\n", "when", "schedule", "kind",
			"to", "cron / zone");
	for (j = 0; j < k && j < n; j++) {
		const struct rules_schedule *s = &v[all[j].idx];
		const struct tz_zone *z = gw_zone(zc, zone_of(r, s), NULL);
		char when[64], nom[96] = "";

		fmt(z, all[j].at, when, sizeof(when));
		if (all[j].nominal != all[j].at) {
			char b[64];

			fmt(z, all[j].nominal, b, sizeof(b));
			snprintf(nom, sizeof(nom), " (postponed from %s)", b);
		}
		fprintf(out, "%-26s %-20s %-8s %-11s %s / %s%s%s\n", when,
				s->id, rules_sched_kind_name(s->kind),
				s->to == RULES_SCHED_TO_REPS	 ? "role:rep"
				: s->to == RULES_SCHED_TO_ADMINS ? "admins"
								 : "supervisor",
				s->cron_text,
				s->per_territory ? "territory, shown in " : "",
				zone_of(r, s), nom);
	}
	if (!k)
		fprintf(out, "(no schedules)\n");
	free(all);
	return 0;
}

/* `rules test --at`: what the time means for the schedules. */
void ctl_sched_at(const struct rules *r, int64_t at, FILE *out)
{
	const struct rules_schedule *v;
	size_t ns = rules_schedules(r, &v), i;
	struct gw_zones *zc = gw_zones_new();
	const char *def = rules_timezone(r);
	const struct tz_zone *z;
	struct cron_calendar cal;
	struct tz_local l;
	char when[64];
	bool holiday = false, quiet = false;
	int64_t day;
	int m;

	if (!zc)
		return;
	z = gw_zone(zc, def && *def ? def : "UTC", NULL);
	if (!z || tz_to_local(z, at, &l) < 0) {
		gw_zones_free(zc);
		return;
	}
	rules_sched_calendar(r, &cal);
	day = tz_days_from_civil(l.civil.year, l.civil.mon, l.civil.mday);
	for (i = 0; i < cal.n_holidays; i++)
		holiday |= cal.holidays[i] == day;
	m = l.civil.hour * 60 + l.civil.min;
	if (cal.quiet_from != cal.quiet_to)
		quiet = cal.quiet_from < cal.quiet_to
					? m >= cal.quiet_from &&
							  m < cal.quiet_to
					: m >= cal.quiet_from ||
							  m < cal.quiet_to;
	fmt(z, at, when, sizeof(when));
	fprintf(out, "schedules:  %s%s%s\n", when, holiday ? ", holiday" : "",
			quiet ? ", quiet hours" : "");
	for (i = 0; i < ns; i++) {
		const struct tz_zone *sz = gw_zone(zc, zone_of(r, &v[i]), NULL);
		struct cron_fire f;
		char b[64];

		if (!sz || cron_next(&v[i].cron, sz, &cal, at - 60, &f) < 0)
			continue;
		if (f.at / 60 != at / 60)
			continue;
		fmt(sz, f.at, b, sizeof(b));
		fprintf(out, "fires:      %s (%s)\n", v[i].id, b);
	}
	gw_zones_free(zc);
}

int ctl_schedules_run(int argc, char **argv)
{
	const char *prog = "fieldgatectl schedules", *path = DEFAULT_RULES;
	struct diag_list dl = {0};
	struct rules *rules = NULL;
	struct gw_zones *zc;
	int64_t at = (int64_t) time(NULL);
	unsigned long n = 10;
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			ctl_schedules_usage(stdout);
			return CTL_EXIT_OK;
		} else if (!strcmp(a, "--rules") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(a, "--next") && i + 1 < argc) {
			char *end;

			n = strtoul(argv[++i], &end, 10);
			if (*end || !n || n > MAX_NEXT) {
				fprintf(stderr,
						"%s: --next wants 1..%d, not "
						"'%s'\n",
						prog, MAX_NEXT, argv[i]);
				return CTL_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--at") && i + 1 < argc) {
			if (ctl_parse_time(argv[++i], at, &at) < 0) {
				fprintf(stderr, "%s: bad --at '%s'\n", prog,
						argv[i]);
				return CTL_EXIT_USAGE;
			}
		} else {
			return ctl_bad_option(prog, a);
		}
	}
	r = rules_load(path, &rules, &dl);
	if (r < 0) {
		size_t k;

		for (k = 0; k < dl.n; k++)
			fprintf(stderr, "%s\n", dl.v[k].line_text);
		fprintf(stderr, "%s: %s: %s\n", prog, path,
				r == -EINVAL ? "refused" : strerror(-r));
		diag_free(&dl);
		return CTL_EXIT_FAIL;
	}
	diag_free(&dl);
	zc = gw_zones_new();
	r = zc ? print_next(rules, zc, at, n, stdout) : -ENOMEM;
	gw_zones_free(zc);
	rules_free(rules);
	if (r < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}
