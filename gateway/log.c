/*
 * gateway/log.c - stderr/syslog sink, levels, categories, redaction.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "gateway/log.h"

#define LOG_LINE_MAX 2048

/* The sink: this file's only state (GUIDE §4.4). */
static struct {
	bool foreground;
	bool stderr_tty;
	bool journal; /* stderr is journald: "<N>" prefixes */
	bool force_timestamps;
	bool personal_info;
	enum log_level level;
	unsigned categories;
} sink = {.foreground = true, .level = LOG_LEVEL_INFO};

static const char *const category_names[] = {
		"at",
		"sp",
		"db",
		"rules",
		"ctl",
		"sched",
		"loop",
};

void log_init(bool foreground, enum log_level level, unsigned categories,
		const char *ident)
{
	if (!sink.foreground)
		closelog();
	sink.foreground = foreground;
	sink.level = level;
	sink.categories = categories & LOG_CAT_ALL;
	sink.stderr_tty = isatty(STDERR_FILENO);
	/*
	 * systemd sets JOURNAL_STREAM when stderr is connected to the
	 * journal; it then parses a leading "<N>" as the line's priority
	 * (sd-daemon(3)), so warnings keep their priority in journalctl.
	 */
	sink.journal = getenv("JOURNAL_STREAM") != NULL;
	if (!foreground)
		openlog(ident ? ident : "fieldgated", LOG_PID | LOG_NDELAY,
				LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	sink.level = level;
}

void log_set_categories(unsigned categories)
{
	sink.categories = categories & LOG_CAT_ALL;
}

void log_set_timestamps(bool on)
{
	sink.force_timestamps = on;
}

void log_set_personal_info(bool on)
{
	sink.personal_info = on;
}

bool log_get_personal_info(void)
{
	return sink.personal_info;
}

bool log_debug_enabled(unsigned category)
{
	return sink.level >= LOG_LEVEL_DEBUG && (sink.categories & category);
}

const char *log_category_name(unsigned category)
{
	size_t i;

	for (i = 0; i < sizeof(category_names) / sizeof(category_names[0]); i++)
		if (category == 1u << i)
			return category_names[i];
	return NULL;
}

int log_parse_categories(const char *list, unsigned *ret_mask, char *bad_buf,
		size_t bad_size)
{
	unsigned mask = 0;
	const char *p = list;

	if (!list || !ret_mask)
		return -EINVAL;
	while (*p) {
		size_t len = strcspn(p, ",");
		size_t i;
		bool found = false;

		if (len == 3 && !strncmp(p, "all", 3)) {
			mask |= LOG_CAT_ALL;
			found = true;
		} else if (len == 4 && !strncmp(p, "none", 4)) {
			found = true;
		}
		for (i = 0; !found &&
				i < sizeof(category_names) / sizeof(category_names[0]);
				i++) {
			if (strlen(category_names[i]) == len &&
					!strncmp(p, category_names[i], len)) {
				mask |= 1u << i;
				found = true;
			}
		}
		if (!found) {
			if (bad_buf && bad_size)
				snprintf(bad_buf, bad_size, "%.*s", (int) len,
						p);
			return -EINVAL;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	*ret_mask = mask;
	return 0;
}

static const char *const level_names[] = {"warning", "info", "debug"};

int log_parse_level(const char *name, enum log_level *ret_level)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (name && !strcmp(name, level_names[i])) {
			*ret_level = (enum log_level) i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *log_level_name(enum log_level level)
{
	return (unsigned) level < 3 ? level_names[level] : "?";
}

/* "2026-11-27T11:45:02.123+00:00 " into buf; "" when it fails. */
static void timestamp(char *buf, size_t size)
{
	struct timeval tv;
	struct tm tm;
	char zone[8];
	size_t n;

	buf[0] = '\0';
	gettimeofday(&tv, NULL);
	if (!localtime_r(&tv.tv_sec, &tm))
		return;
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!n || !strftime(zone, sizeof(zone), "%z", &tm) || strlen(zone) != 5)
		return;
	/* ISO 8601 wants "+08:00", strftime gives "+0800". */
	snprintf(buf + n, size - n, ".%03ld%.3s:%s ",
			(long) (tv.tv_usec / 1000), zone, zone + 3);
}

/*
 * Formats and writes one line.  @prio is the syslog priority, @label the
 * level word, @errnum appended as ": strerror" when non-zero.
 */
static void __attribute__((format(printf, 4, 0)))
vlog(int prio, const char *label, int errnum, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX], ts[64] = "", line[LOG_LINE_MAX + 128];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		snprintf(msg, sizeof(msg), "(unformattable log message)");
	if (errnum) {
		size_t len = strlen(msg);

		snprintf(msg + len, sizeof(msg) - len, ": %s",
				strerror(errnum));
	}
	/* One event, one line: a stray newline must not forge a second. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (!sink.foreground) {
		syslog(prio, "%s: %s", label, msg);
		return;
	}
	if (sink.stderr_tty || sink.force_timestamps)
		timestamp(ts, sizeof(ts));
	if (sink.journal)
		n = snprintf(line, sizeof(line), "<%d>%s%s: %s\n", prio, ts,
				label, msg);
	else
		n = snprintf(line, sizeof(line), "%s%s: %s\n", ts, label, msg);
	if (n < 0)
		return;
	if ((size_t) n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* One write() per line, so concurrent writers never interleave. */
	if (write(STDERR_FILENO, line, (size_t) n) < 0)
		return;
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning", saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning", 0, fmt, ap);
	va_end(ap);
}

void log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "error", 0, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (sink.level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, "info", 0, fmt, ap);
	va_end(ap);
}

void log_debug(unsigned category, const char *fmt, ...)
{
	char label[32];
	const char *name;
	va_list ap;

	if (!log_debug_enabled(category))
		return;
	name = log_category_name(category);
	snprintf(label, sizeof(label), "debug(%s)", name ? name : "?");
	va_start(ap, fmt);
	vlog(LOG_DEBUG, label, 0, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal", saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * Called when the output must be cut before the input byte @next: drops
 * a partial UTF-8 sequence at the end of buf[0..o), so a cut log line is
 * still valid UTF-8.
 */
static size_t utf8_cut(const char *buf, size_t o, unsigned char next)
{
	if ((next & 0xc0) != 0x80)
		return o;
	while (o > 0 && ((unsigned char) buf[o - 1] & 0xc0) == 0x80)
		o--;
	if (o > 0 && (unsigned char) buf[o - 1] >= 0xc0)
		o--;
	return o;
}

const char *log_escape(const char *data, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;

	if (size < 8) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char) data[i];
		char tmp[8];
		size_t tl;

		if (c == '\r')
			memcpy(tmp, "<CR>", tl = 4);
		else if (c == '\n')
			memcpy(tmp, "<LF>", tl = 4);
		else if (c == 0x1a)
			memcpy(tmp, "<SUB>", tl = 5);
		else if (c == 0x1b)
			memcpy(tmp, "<ESC>", tl = 5);
		else if (c < 0x20 || c == 0x7f)
			tl = (size_t) snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		else
			tmp[0] = (char) c, tl = 1;
		/* Keep room for "..." and the NUL. */
		if (o + tl > size - 4) {
			o = utf8_cut(buf, o, c);
			memcpy(buf + o, "...", 4);
			return buf;
		}
		memcpy(buf + o, tmp, tl);
		o += tl;
	}
	buf[o] = '\0';
	return buf;
}

const char *log_redact_number(const char *number, char *buf, size_t size)
{
	size_t len, i, digits = 0, seen = 0;
	bool alnum = false;

	if (!number)
		number = "";
	len = strlen(number);
	for (i = 0; i < len; i++) {
		if (number[i] >= '0' && number[i] <= '9')
			digits++;
		else if (!(i == 0 && number[i] == '+'))
			alnum = true;
	}
	if (sink.personal_info || len <= 6 || alnum)
		return log_escape(number, len, buf, size);
	if (size < len + 1) {
		/* Never cut a number: a cut one would show its digits. */
		snprintf(buf, size, "[number]");
		return buf;
	}
	for (i = 0; i < len; i++) {
		if (number[i] == '+') {
			buf[i] = '+';
			continue;
		}
		seen++;
		buf[i] = (seen <= 3 || seen > digits - 2) ? number[i] : '*';
	}
	buf[len] = '\0';
	return buf;
}

const char *log_redact_text(const char *text, char *buf, size_t size)
{
	if (!text)
		text = "";
	if (sink.personal_info)
		return log_escape(text, strlen(text), buf, size);
	snprintf(buf, size, "[%zu bytes]", strlen(text));
	return buf;
}

/* FNV-1a, never 0 (0 means "nothing seen"). */
static unsigned long text_hash(const char *text)
{
	unsigned long h = 2166136261UL;

	for (; text && *text; text++)
		h = (h ^ (unsigned char) *text) * 16777619UL;
	return h ? h : 1;
}

bool log_repeat_allow(struct log_repeat *r, const char *text, long long now_ms,
		unsigned *ret_suppressed, int *ret_next_s)
{
	unsigned long h = text_hash(text);

	if (h != r->hash) {
		r->hash = h;
		r->gap_ms = LOG_REPEAT_FIRST_MS;
		r->suppressed = 0;
	} else if (now_ms < r->next_ms) {
		r->suppressed++;
		return false;
	} else if (r->gap_ms < LOG_REPEAT_MAX_MS / 2) {
		r->gap_ms *= 2;
	} else {
		r->gap_ms = LOG_REPEAT_MAX_MS;
	}
	r->next_ms = now_ms + r->gap_ms;
	if (ret_suppressed)
		*ret_suppressed = r->suppressed;
	if (ret_next_s)
		*ret_next_s = (int) (r->gap_ms / 1000);
	r->suppressed = 0;
	return true;
}

void log_repeat_reset(struct log_repeat *r)
{
	r->hash = 0;
	r->next_ms = 0;
	r->gap_ms = 0;
	r->suppressed = 0;
}

bool log_repeat_active(const struct log_repeat *r)
{
	return r->hash != 0;
}
