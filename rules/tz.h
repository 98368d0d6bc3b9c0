/*
 * rules/tz.h - time zones from TZif bytes (RFC 8536), without the C
 * library's global TZ.
 *
 * The gateway reads /usr/share/zoneinfo/NAME and hands the bytes to
 * tz_parse(); rules/ never opens a file, reads the clock or calls the C
 * library's local-time conversion.  A zone is immutable once parsed, so
 * one zone per territory can be shared by every schedule and request.
 *
 * Supported: TZif versions 1, 2, 3 and 4 (the 64-bit block is used when
 * present), and the POSIX TZ footer string (v2+) for instants after the
 * last transition of the table, including v3's extensions (hours up to
 * 167, negative rule times).  Not supported: zones with leap seconds (the
 * "right/" zones): tz_parse() refuses them with a reason.
 *
 * Instants are int64_t seconds since 1970-01-01 00:00:00 UTC (no leap
 * seconds).  Supported range: years 1..9999 (TZ_MIN_T..TZ_MAX_T).
 *
 * Local to UTC, the rule for DST changes (tz_local_to_utc):
 *   - a local time that does not exist (in the spring-forward gap, e.g.
 *     02:30 on a day the clocks go from 02:00 to 03:00) maps to the
 *     first instant after the gap, i.e. the transition itself (03:00
 *     local): a schedule at 02:30 fires at 03:00 that day;
 *   - a local time that exists twice (in the autumn overlap, e.g. 01:30
 *     when 02:00 goes back to 01:00) maps to the FIRST occurrence (the
 *     earlier instant, still on summer time): a schedule fires once.
 */
#ifndef RULES_TZ_H
#define RULES_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TZ_MIN_T (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define TZ_MAX_T 253402300799LL	  /* 9999-12-31T23:59:59Z */
#define TZ_ABBR_MAX 16		  /* abbreviation incl. NUL */
#define TZ_NAME_MAX 64

/* An immutable zone (opaque). */
struct tz_zone;

/* A civil (wall clock) time.  Fields as people write them. */
struct tz_civil {
	int year; /* 1..9999 */
	int mon;  /* 1..12 */
	int mday; /* 1..31 */
	int hour; /* 0..23 */
	int min;  /* 0..59 */
	int sec;  /* 0..59 */
};

/* What an instant is in a zone. */
struct tz_local {
	struct tz_civil civil;
	int wday;		/* 0 = Sunday .. 6 = Saturday */
	int yday;		/* 0..365 */
	int32_t utoff;		/* seconds east of UTC (Shanghai: 28800) */
	bool isdst;		/* summer time */
	char abbr[TZ_ABBR_MAX]; /* "CST", "CEST", "+06", ... */
};

/*
 * Parses TZif @data (@len bytes, any bytes: this is outside input).
 * @name (may be NULL) is copied, truncated to TZ_NAME_MAX - 1 bytes, for
 * diagnostics (tz_name()).  On success returns 0 and *ret_zone is a new
 * zone the caller owns (free with tz_free()).  On failure returns
 * -EINVAL (malformed, with a static reason in *ret_reason if not NULL),
 * -ENOTSUP (leap seconds) or -ENOMEM; *ret_zone is NULL.
 */
int tz_parse(const uint8_t *data, size_t len, const char *name,
		struct tz_zone **ret_zone, const char **ret_reason);

/*
 * A zone from a POSIX TZ string alone ("CST-8", "<+06>-6",
 * "EST5EDT,M3.2.0,M11.1.0", "UTC0").  Same return and ownership as
 * tz_parse().  Useful for tests and for a zone named in a rule file when
 * no zoneinfo is installed.
 */
int tz_from_posix(const char *tzstr, struct tz_zone **ret_zone,
		const char **ret_reason);

/* Frees a zone (NULL is fine). */
void tz_free(struct tz_zone *zone);

/* The name given to tz_parse() ("" if none; the string for posix). */
const char *tz_name(const struct tz_zone *zone);

/*
 * Instant @t (TZ_MIN_T..TZ_MAX_T) in @zone.  Returns 0, or -ERANGE.
 * Never allocates.
 */
int tz_to_local(const struct tz_zone *zone, int64_t t, struct tz_local *out);

/*
 * The instant of civil time @c in @zone, with the gap/overlap rule above.
 * Fields are normalized first (sec 60 -> next minute, mday 32 -> next
 * month...) as long as the result stays in range.  Returns 0, or -ERANGE.
 */
int tz_local_to_utc(const struct tz_zone *zone, const struct tz_civil *c,
		int64_t *ret_t);

/*
 * The period of constant offset that contains @t: [*ret_start, *ret_end)
 * (INT64_MIN / INT64_MAX when unbounded) with its offset.  Any output
 * pointer may be NULL.  Returns 0, or -ERANGE.
 */
int tz_period(const struct tz_zone *zone, int64_t t, int64_t *ret_start,
		int64_t *ret_end, int32_t *ret_utoff, bool *ret_isdst);

/*
 * The local day (or week) holding instant @t, as UTC instants
 * [*ret_start, *ret_end): local midnight to the next local midnight
 * (23 or 25 hours long on DST change days; a midnight inside a DST gap is
 * the end of the gap).  For "today" in SQL (reports, reply caps, missing
 * lists) and schedule periods.  @week_start: 0 = Sunday .. 6 = Saturday
 * (rule file settings.week_start "mon" = 1).  Return 0, -ERANGE or
 * -EINVAL (week_start out of range).
 */
int tz_day_bounds(const struct tz_zone *zone, int64_t t, int64_t *ret_start,
		int64_t *ret_end);
int tz_week_bounds(const struct tz_zone *zone, int64_t t, int week_start,
		int64_t *ret_start, int64_t *ret_end);

/* Civil-calendar helpers (proleptic Gregorian, UTC, no zone). */
int64_t tz_days_from_civil(int year, int mon, int mday);
void tz_civil_from_days(
		int64_t days, int *ret_year, int *ret_mon, int *ret_mday);
int tz_days_in_month(int year, int mon);
/* 0 = Sunday for day number @days (days since 1970-01-01, a Thursday). */
int tz_weekday(int64_t days);

#endif /* RULES_TZ_H */
