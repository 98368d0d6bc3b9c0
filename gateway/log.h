/*
 * gateway/log.h - the daemon's logging, in the manner of OpenSMTPD's log.c.
 *
 * Only gateway/ logs (libraries return errors; GUIDE §4.7).  Each event is
 * one line:
 *
 *	[2026-11-27T11:45:02.123+00:00 ]LEVEL: TEXT
 *
 * LEVEL is "fatal", "warning", "info" or "debug(CATEGORY)".  TEXT is
 * lowercase, without a trailing period, and by convention starts with the
 * object's fields: `modem=usb0 msg=1234 stored inbound message`.
 *
 * Sinks: stderr in the foreground (journald captures it; timestamps are
 * added only when stderr is a terminal or log_set_timestamps(true) asked
 * for them, and when JOURNAL_STREAM is set every line starts with the
 * "<N>" syslog priority prefix that journald understands), syslog
 * (facility daemon) otherwise.
 *
 * The sink is this module's only global state (GUIDE §4.4 allows it).
 */
#ifndef GATEWAY_LOG_H
#define GATEWAY_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* Levels, most severe first.  A message is written when <= the level set. */
enum log_level {
	LOG_LEVEL_WARNING = 0, /* warnings and errors only */
	LOG_LEVEL_INFO = 1,    /* the default */
	LOG_LEVEL_DEBUG = 2,   /* plus debug lines of enabled categories */
};

/* Debug categories (bit mask), switched on with -d/--debug or config. */
enum log_category {
	LOG_CAT_AT = 1 << 0,	/* AT trace: has PDUs, i.e. personal data */
	LOG_CAT_SP = 1 << 1,	/* libserialport's own trace */
	LOG_CAT_DB = 1 << 2,	/* PostgreSQL */
	LOG_CAT_RULES = 1 << 3, /* rule evaluation */
	LOG_CAT_CTL = 1 << 4,	/* requests from fieldgatectl */
	LOG_CAT_SCHED = 1 << 5, /* timers and periodic jobs */
	LOG_CAT_LOOP = 1 << 6,	/* event loop, signals, reload */
	LOG_CAT_ALL = (1 << 7) - 1,
};

/* Every category but "at", which carries message contents. */
#define LOG_CAT_DEFAULT (LOG_CAT_ALL & ~LOG_CAT_AT)

/* Buffer sizes that always fit a redacted number / escaped text. */
#define LOG_NUMBER_MAX 48
#define LOG_TEXT_MAX 256

/*
 * Chooses the sink: @foreground true writes to stderr, false opens syslog
 * as @ident (borrowed; must outlive the logging, e.g. a string literal).
 * Sets the level and the debug categories.  Timestamps default to "only
 * when stderr is a terminal".  May be called again to switch sinks.
 */
void log_init(bool foreground, enum log_level level, unsigned categories,
		const char *ident);

void log_set_level(enum log_level level);
void log_set_categories(unsigned categories);
/* Forces ISO 8601 timestamps on (or back to automatic with false). */
void log_set_timestamps(bool on);
/* true shows phone numbers and texts in logs (log.personal_info). */
void log_set_personal_info(bool on);
bool log_get_personal_info(void);
/* true when a debug line of @category would be written. */
bool log_debug_enabled(unsigned category);

/*
 * Parses a comma-separated list of category names ("at,db", "all",
 * "none", "" = none) into @ret_mask.  Returns 0 or -EINVAL; on -EINVAL
 * the first unknown name is copied into @bad_buf (@bad_size bytes) when
 * @bad_buf is not NULL.
 */
int log_parse_categories(const char *list, unsigned *ret_mask, char *bad_buf,
		size_t bad_size);

/* "warning"/"info"/"debug" <-> enum log_level; returns 0 or -EINVAL. */
int log_parse_level(const char *name, enum log_level *ret_level);
const char *log_level_name(enum log_level level);
/* Name of a single category bit, or NULL. */
const char *log_category_name(unsigned category);

/* Warning with ": strerror(errno)" appended (errno preserved). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warning without errno. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error the daemon stops on (then exits itself): level "error",
 * syslog LOG_ERR.  Written at every level. */
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Debug line of one category; costs one branch when disabled. */
void log_debug(unsigned category, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
/* Logs ": strerror(errno)" appended, then exit(1). */
void fatal(const char *fmt, ...)
		__attribute__((format(printf, 1, 2), noreturn));
/* Logs, then exit(1). */
void fatalx(const char *fmt, ...)
		__attribute__((format(printf, 1, 2), noreturn));

/*
 * Personal data helpers (ModemManager's "personal info" idea).  Both write
 * into the caller's @buf of @size bytes (at least 8) and return @buf, so
 * they can be used directly as printf arguments.
 *
 * log_redact_number: with personal info off, keeps a leading '+', the
 * first three and the last two digits and masks the rest
 * ("+8613912345678" -> "+861********78"); numbers of at most 6
 * characters (short codes) and alphanumeric senders are not personal and
 * are shown.  With personal info on, the number itself.  Control bytes
 * are escaped in both cases.
 *
 * log_redact_text: with personal info off, "[N bytes]"; on, the text with
 * control bytes escaped and cut (with "...") to fit.
 */
const char *log_redact_number(const char *number, char *buf, size_t size);
const char *log_redact_text(const char *text, char *buf, size_t size);

/*
 * Escapes @len bytes for a log line, as an AT trace wants them:
 * CR -> <CR>, LF -> <LF>, Ctrl-Z -> <SUB>, ESC -> <ESC>, other bytes below
 * 0x20 and 0x7f -> \xNN; everything else (UTF-8 included) as is.  Cuts with
 * "..." when @buf (@size >= 8) is too small.  Returns @buf.
 */
const char *log_escape(const char *data, size_t len, char *buf, size_t size);

/*
 * Backing off a repeated log line (a device that does not exist, retried
 * for ever): the caller keeps one struct log_repeat per source (zeroed =
 * nothing seen) and asks before logging.  A text differing from the last
 * one is logged at once; the same text again only after a gap that starts
 * at LOG_REPEAT_FIRST_MS and doubles up to LOG_REPEAT_MAX_MS, the lines
 * in between counted.  @now_ms is the caller's monotonic clock (this
 * function reads none).  Returns true when the line is to be logged now,
 * with *ret_suppressed (optional) = how many were not logged since the
 * last one, and *ret_next_s (optional) = seconds until the next one may be.
 * log_repeat_reset() when the condition cleared: the next one is logged.
 */
#define LOG_REPEAT_FIRST_MS 10000
#define LOG_REPEAT_MAX_MS 3600000
struct log_repeat {
	unsigned long hash; /* of the last text, 0 = none */
	long long next_ms;  /* the same text is logged again from here */
	long long gap_ms;
	unsigned suppressed;
};
bool log_repeat_allow(struct log_repeat *r, const char *text, long long now_ms,
		unsigned *ret_suppressed, int *ret_next_s);
void log_repeat_reset(struct log_repeat *r);
/* True while lines of a repeated condition are being suppressed. */
bool log_repeat_active(const struct log_repeat *r);

#endif /* GATEWAY_LOG_H */
