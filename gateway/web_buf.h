/*
 * gateway/web_buf.h: the web dashboard's output buffer and escaping.
 * Everything that goes into a page passes through one of the escapers:
 * web_html() for text and attribute values (it escapes & < > " ' so one
 * function is safe in both places), web_csv_field() for CSV cells,
 * web_url() for query-string values. Out of memory is sticky (->oom):
 * appends become no-ops and the caller answers 500.
 */
#ifndef GATEWAY_WEB_BUF_H
#define GATEWAY_WEB_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct web_buf {
	char *p; /* owned, NUL-terminated when len > 0 */
	size_t len, cap;
	bool oom;
};

/* Frees p and zeroes b. */
void web_buf_free(struct web_buf *b);
/* Gives p to the caller (free()) and zeroes b; NULL when oom. */
char *web_buf_take(struct web_buf *b, size_t *ret_len);

void web_raw(struct web_buf *b, const char *s); /* trusted markup only */
void web_rawn(struct web_buf *b, const char *s, size_t n);
void web_printf(struct web_buf *b, const char *fmt, ...)
		__attribute__((format(printf, 2, 3))); /* trusted markup only */

/*
 * Escaped text, safe in element content and in a quoted attribute.
 * Bytes that are not valid UTF-8 become U+FFFD; NUL and C0 controls other
 * than tab and newline are dropped. NULL appends nothing.
 */
void web_html(struct web_buf *b, const char *s);
/* One CSV field (RFC 4180): quoted when it holds , " CR LF or starts with
 * = + - @ (kept as text by spreadsheets: a ' is prefixed). NULL is "". */
void web_csv_field(struct web_buf *b, const char *s);
/* Percent-encodes everything but unreserved characters. */
void web_url(struct web_buf *b, const char *s);

#endif /* GATEWAY_WEB_BUF_H */
