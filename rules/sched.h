/*
 * rules/sched.h - the rule file's schedules (issue 9 part B): what the
 * loader compiled from the `schedules` list, settings.holidays and
 * settings.quiet_hours, for the daemon (gateway/sched.c) and fieldgatectl
 * (schedules, rules test --at).
 *
 * Every schedule has a cron time (rules/cron.h), a time zone (the
 * file's settings.timezone, a named zone, or "territory": each
 * territory's own zone), who receives it and an `unless` condition.
 * Kinds:
 *   missing   (default) the people the `unless` list does not excuse:
 *             with digest = true each supervisor gets ONE message listing
 *             their reps ({{count}} {{names}}); with digest = false each
 *             rep gets the template (a reminder), spread over `spread`.
 *   pending   supervisors with reports or leave awaiting their decision
 *             ({{count}} {{refs}}); none pending: nothing sent.
 *   daily     one digest per supervisor: {{checkins}} {{reports}}
 *             {{missing}} {{outside}} {{pending}} {{names}} (missing).
 *   spot      a spot check (查岗): `sample` random reps, each at a random
 *             time within `window` after the cron time, are asked to
 *             check in within `within`; those who do not (or whose
 *             check-in is outside) are listed to their supervisor with
 *             the `alert` template, like a missed check-in.
 *
 * Pure data; every string lives as long as the struct rules.
 */
#ifndef RULES_SCHED_H
#define RULES_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/cron.h"
#include "rules/rules.h"

enum rules_sched_kind {
	RULES_SCHED_MISSING,
	RULES_SCHED_PENDING,
	RULES_SCHED_DAILY,
	RULES_SCHED_SPOT,
};
/* "missing", "pending", "daily", "spot" */
const char *rules_sched_kind_name(enum rules_sched_kind k);

enum rules_sched_to {
	RULES_SCHED_TO_REPS,	    /* "role:rep" (each rep) */
	RULES_SCHED_TO_SUPERVISORS, /* "supervisor" (each rep's) */
	RULES_SCHED_TO_ADMINS,	    /* "admins" / "role:admin" */
};

/* `unless` bits: the person is excused when any holds. */
enum {
	RULES_UNLESS_CHECKED_IN = 1 << 0,  /* checked_in (today, local) */
	RULES_UNLESS_REPORTED = 1 << 1,	   /* reported:FORM for the period */
	RULES_UNLESS_ON_LEAVE = 1 << 2,	   /* on_leave (approved, today) */
	RULES_UNLESS_NO_PENDING = 1 << 3,  /* no_pending_approvals */
	RULES_UNLESS_CHECKED_OUT = 1 << 4, /* reserved */
};

struct rules_schedule {
	const char *id;
	enum rules_sched_kind kind;
	const char *cron_text; /* as written */
	struct cron_expr cron;
	const char *timezone; /* zone name; "" = settings.timezone */
	bool per_territory;   /* timezone = "territory" */
	enum rules_sched_to to;
	unsigned unless;   /* RULES_UNLESS_* */
	const char *form;  /* reported:FORM, or NULL */
	bool digest;	   /* one message per supervisor */
	const char *text;  /* the template (placeholders unrendered) */
	const char *alert; /* spot: the supervisor's template */
	int spread_s;	   /* reminders spread over this (0: at once) */
	int grace_s;	   /* a missed fire is caught up within this */
	int sample;	   /* spot: reps asked per fire */
	int window_s;	   /* spot: random ask time within this */
	int within_s;	   /* spot: minutes to answer */
	int max_segments;  /* digests are cut to this (…等N人) */
	const char *file;
	int line;
};

/* The schedules in file order; *ret borrowed from @rules. */
size_t rules_schedules(
		const struct rules *rules, const struct rules_schedule **ret);
/* The one with @id, or NULL. */
const struct rules_schedule *rules_schedule_find(
		const struct rules *rules, const char *id);

/*
 * settings.holidays (sorted local dates, days since 1970-01-01) and
 * settings.quiet_hours, as a calendar for cron_next() (borrowed from
 * @rules; no quiet hours: from == to).
 */
void rules_sched_calendar(const struct rules *rules, struct cron_calendar *out);

/*
 * Renders @tmpl: {{count}} {{date}} {{time}} {{form}} {{checkins}}
 * {{reports}} {{missing}} {{outside}} {{pending}} {{within}} from @vars
 * (NULL values leave the placeholder), the list placeholders ({{names}}
 * {{refs}}) untouched for dg_build().  Into @buf (NUL-terminated, cut at
 * @size); returns the length.
 */
struct rules_sched_vars {
	const char *count, *date, *time, *form, *checkins, *reports, *missing,
			*outside, *pending, *within;
};
size_t rules_sched_render(const char *tmpl, const struct rules_sched_vars *v,
		char *buf, size_t size);

#endif /* RULES_SCHED_H */
