/*
 * rules/cron.h - 5-field cron expressions and when they fire, in a zone,
 * with holidays, quiet hours and catch-up after downtime.
 *
 * Syntax (Vixie cron): "minute hour day-of-month month day-of-week",
 * fields separated by spaces or tabs.  Each field is a comma list of
 * items; an item is '*', a value, a range "a-b", optionally with a step
 * "/n" ("*\/15", "1-30/2"; "5/10" means "5-max/10").  Months accept
 * jan..dec, days of the week sun..sat (case-insensitive, also in ranges:
 * "mon-fri"); day-of-week 0 and 7 are both Sunday.  Macros: @yearly
 * (@annually), @monthly, @weekly, @daily (@midnight), @hourly.  When both
 * day-of-month and day-of-week are restricted (neither starts with '*'),
 * a day matches if EITHER matches, as in Vixie cron; otherwise both must.
 * A day-of-month that never occurs in the chosen months ("0 0 31 4 *",
 * "30 2") is a parse error, so cron_next() always finds a time.
 *
 * Time: fire times are wall-clock minutes in a zone (rules/tz.h); the
 * gap/overlap rule of tz.h applies (a 02:30 that does not exist fires at
 * 03:00; an ambiguous 01:30 fires once, at the first).  A wall-clock
 * minute that occurs twice fires only in its first occurrence, so an
 * hourly schedule does not fire twice in the autumn repeated hour.
 *
 * Pure: no clock (the caller passes "now"), no allocation.
 */
#ifndef RULES_CRON_H
#define RULES_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/tz.h"

struct cron_expr {
	uint64_t minute; /* bit n: minute n (0..59) */
	uint32_t hour;	 /* bit n: hour n (0..23) */
	uint32_t mday;	 /* bit n: day n (1..31) */
	uint16_t month;	 /* bit n: month n (1..12) */
	uint8_t wday;	 /* bit n: weekday n (0 = Sunday .. 6) */
	bool mday_star;	 /* field started with '*' */
	bool wday_star;
};

enum cron_field {
	CRON_FIELD_NONE = -1, /* the expression as a whole */
	CRON_FIELD_MINUTE = 0,
	CRON_FIELD_HOUR,
	CRON_FIELD_MDAY,
	CRON_FIELD_MONTH,
	CRON_FIELD_WDAY,
};

/* Why cron_parse() refused: where (for file:line diagnostics) and why. */
struct cron_error {
	enum cron_field field;
	size_t offset;	    /* byte offset of the token in the string */
	char token[32];	    /* the offending token (truncated), "" if none */
	const char *reason; /* static English text */
};

/*
 * Parses @s (NUL-terminated; any bytes).  Returns 0 and fills *out, or
 * -EINVAL and fills *err (if not NULL) with the field, the token and the
 * reason, e.g. {CRON_FIELD_HOUR, 2, "25", "value out of range 0-23"}.
 */
int cron_parse(const char *s, struct cron_expr *out, struct cron_error *err);

/* "minute", "hour", "day-of-month", "month", "day-of-week", "expression". */
const char *cron_field_name(enum cron_field field);

/*
 * The error as one line for a diagnostic: 'hour "24": value out of range
 * 0-23' (or the reason alone for the whole expression).  snprintf
 * semantics: returns the length it needed.
 */
int cron_format_error(const struct cron_error *err, char *buf, size_t size);

/*
 * Sorts @days[0..n) ascending and drops duplicates, in place (holiday
 * lists from a rule file); returns the new count.  Insertion sort: meant
 * for the tens of dates a rule file holds.
 */
size_t cron_sort_days(int32_t *days, size_t n);

/* True when the wall-clock date/time (minute resolution) matches. */
bool cron_matches(const struct cron_expr *e, const struct tz_civil *c);

enum cron_quiet_policy {
	CRON_QUIET_POSTPONE = 0, /* fire at the end of the quiet period */
	CRON_QUIET_SKIP,	 /* drop fires inside the quiet period */
};

/*
 * A schedule's calendar: holidays and quiet hours, in the zone's local
 * time.  A fire (nominal or postponed) that falls on a holiday is
 * skipped.  Quiet hours are [quiet_from, quiet_to) in minutes after
 * local midnight and may wrap midnight (21:30 -> 07:30 is 1290 -> 450);
 * quiet_from == quiet_to means none.  Several fires postponed to the
 * same end of quiet collapse into one.
 */
struct cron_calendar {
	const int32_t *holidays; /* local dates as days since 1970-01-01
				  * (tz_days_from_civil), sorted ascending;
				  * caller-owned */
	size_t n_holidays;
	int quiet_from; /* 0..1439 */
	int quiet_to;	/* 0..1439 */
	enum cron_quiet_policy quiet;
};

/* One fire. */
struct cron_fire {
	int64_t at;	 /* when to fire (UTC) */
	int64_t nominal; /* the cron time it stands for (== at unless
			  * postponed) */
	bool postponed;	 /* moved to the end of quiet hours */
};

/*
 * The first fire strictly after @after (UTC seconds), for @e in @zone
 * with calendar @cal (NULL: none).  Pass as @after the `at` of the last
 * fire (not its nominal time), so postponed fires collapse.  Returns 0,
 * -ERANGE (past year 9999), or -ENOENT (every candidate in the next 30
 * years is a holiday or in quiet hours with CRON_QUIET_SKIP).
 */
int cron_next(const struct cron_expr *e, const struct tz_zone *zone,
		const struct cron_calendar *cal, int64_t after,
		struct cron_fire *ret);

/*
 * Catch-up after downtime: given the `at` of the last fire (@last_fired)
 * and @now, which fires fell in (last_fired, now]?  The most recent of
 * them fires if it is at most @grace seconds old; all the others are
 * skipped (the daemon logs them).  Pure function of its arguments.
 */
struct cron_catchup {
	bool fire;		 /* fire `due` now */
	struct cron_fire due;	 /* valid when fire */
	unsigned long n_skipped; /* missed fires not fired (capped) */
	bool skipped_capped;	 /* n_skipped reached CRON_CATCHUP_CAP */
	struct cron_fire first_skipped, last_skipped; /* when n_skipped */
	struct cron_fire next; /* the first fire after now */
	bool has_next;
};

#define CRON_CATCHUP_CAP 100000UL

/* Returns 0, or -ERANGE / -ENOENT as cron_next(). */
int cron_catchup(const struct cron_expr *e, const struct tz_zone *zone,
		const struct cron_calendar *cal, int64_t last_fired,
		int64_t now, int64_t grace, struct cron_catchup *ret);

#endif /* RULES_CRON_H */
