/*
 * gateway/web_buf.c: output buffer and escapers (gateway/web_buf.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/web_buf.h"
#include "gateway/web_req.h"

void web_buf_free(struct web_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

char *web_buf_take(struct web_buf *b, size_t *ret_len)
{
	char *p = b->oom ? NULL : b->p;

	if (b->oom)
		free(b->p);
	else if (!p)
		p = calloc(1, 1);
	if (ret_len)
		*ret_len = p ? b->len : 0;
	memset(b, 0, sizeof(*b));
	return p;
}

static bool grow(struct web_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void web_rawn(struct web_buf *b, const char *s, size_t n)
{
	if (!s || !grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void web_raw(struct web_buf *b, const char *s)
{
	if (s)
		web_rawn(b, s, strlen(s));
}

void web_printf(struct web_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t) n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

void web_html(struct web_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t n;

	if (!s)
		return;
	while (*p) {
		switch (*p) {
		case '&':
			web_raw(b, "&amp;");
			p++;
			continue;
		case '<':
			web_raw(b, "&lt;");
			p++;
			continue;
		case '>':
			web_raw(b, "&gt;");
			p++;
			continue;
		case '"':
			web_raw(b, "&quot;");
			p++;
			continue;
		case '\'':
			web_raw(b, "&#39;");
			p++;
			continue;
		default:
			break;
		}
		if (*p < 0x20 && *p != '\t' && *p != '\n') {
			p++;
			continue;
		}
		n = web_utf8_seq((const char *) p, strlen((const char *) p));
		if (!n) {
			web_raw(b, "\xef\xbf\xbd");
			p++;
			continue;
		}
		web_rawn(b, (const char *) p, n);
		p += n;
	}
}

void web_csv_field(struct web_buf *b, const char *s)
{
	bool quote;

	if (!s)
		return;
	quote = strpbrk(s, ",\"\r\n") != NULL || strchr("=+-@", s[0]);
	if (!s[0])
		quote = false;
	if (!quote) {
		web_raw(b, s);
		return;
	}
	web_raw(b, "\"");
	if (strchr("=+-@", s[0]))
		web_raw(b, "'");
	for (; *s; s++) {
		if (*s == '"')
			web_raw(b, "\"\"");
		else
			web_rawn(b, s, 1);
	}
	web_raw(b, "\"");
}

void web_url(struct web_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || strchr("-._~", c)) {
			web_rawn(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		web_rawn(b, e, 3);
	}
}
