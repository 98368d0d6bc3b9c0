/* A streaming RFC 4180 CSV reader (rules/csv.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/csv.h"

#define CSV_BUF 65536

struct csv_reader {
	struct csv_opts o;
	csv_read_fn read;
	void *user;
	char buf[CSV_BUF];
	size_t pos, len;
	bool eof, bom_checked, over;
	int read_error;
	uint64_t consumed;
	int64_t line; /* the line the next byte is on */

	/* the record being built: fields NUL-terminated one after another */
	char *data;
	size_t data_len, data_cap;
	size_t *offs; /* max_fields entries */
	size_t *lens;
	const char **ptrs;
	size_t n, cur_len;
	bool field_quoted;

	int bad; /* first error of the current record, 0 if none */
	char error[160];
	int64_t error_line;
};

void csv_opts_default(struct csv_opts *opts)
{
	opts->max_field = 4096;
	opts->max_fields = 64;
	opts->skip_blank = true;
}

int csv_new(const struct csv_opts *opts, csv_read_fn read, void *user,
		struct csv_reader **ret)
{
	struct csv_reader *r;

	if (!read || !ret)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (opts)
		r->o = *opts;
	else
		csv_opts_default(&r->o);
	if (!r->o.max_field)
		r->o.max_field = 4096;
	if (!r->o.max_fields)
		r->o.max_fields = 64;
	r->read = read;
	r->user = user;
	r->line = 1;
	r->data_cap = 1024;
	r->data = malloc(r->data_cap);
	r->offs = calloc(r->o.max_fields, sizeof(*r->offs));
	r->lens = calloc(r->o.max_fields, sizeof(*r->lens));
	r->ptrs = calloc(r->o.max_fields, sizeof(*r->ptrs));
	if (!r->data || !r->offs || !r->lens || !r->ptrs) {
		csv_free(r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

void csv_free(struct csv_reader *r)
{
	if (!r)
		return;
	free(r->data);
	free(r->offs);
	free(r->lens);
	free(r->ptrs);
	free(r);
}

const char *csv_error(const struct csv_reader *r)
{
	return r->error;
}

int64_t csv_error_line(const struct csv_reader *r)
{
	return r->error_line;
}

uint64_t csv_bytes_read(const struct csv_reader *r)
{
	return r->consumed;
}

static bool fill(struct csv_reader *r)
{
	ssize_t n;

	if (r->pos < r->len)
		return true;
	if (r->eof)
		return false;
	r->pos = 0;
	r->len = 0;
	/* the first refill gathers 3 bytes, to see a byte order mark */
	do {
		do
			n = r->read(r->user, r->buf + r->len,
					sizeof(r->buf) - r->len);
		while (n == -EINTR);
		if (n <= 0) {
			r->eof = true;
			if (n < 0)
				r->read_error = (int) n;
			break;
		}
		r->len += (size_t) n;
	} while (!r->bom_checked && r->len < 3);
	if (r->len == 0)
		return false;
	if (!r->bom_checked) {
		r->bom_checked = true;
		if (r->len >= 3 && !memcmp(r->buf, "\xEF\xBB\xBF", 3)) {
			r->pos = 3;
			r->consumed += 3;
		}
	}
	return r->pos < r->len || fill(r);
}

static int peek(struct csv_reader *r)
{
	return fill(r) ? (unsigned char) r->buf[r->pos] : -1;
}

static int get(struct csv_reader *r)
{
	int c = peek(r);

	if (c >= 0) {
		r->pos++;
		r->consumed++;
	}
	return c;
}

static void fail(struct csv_reader *r, int code, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

static void fail(struct csv_reader *r, int code, const char *fmt, ...)
{
	va_list ap;

	if (r->bad)
		return;
	r->bad = code;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

static int put(struct csv_reader *r, char c)
{
	if (r->bad == -E2BIG || r->n >= r->o.max_fields)
		return 0;
	if (r->cur_len >= r->o.max_field) {
		fail(r, -E2BIG, "field %zu longer than %zu bytes", r->n + 1,
				r->o.max_field);
		return 0;
	}
	if (r->data_len + 1 >= r->data_cap) {
		size_t cap = r->data_cap * 2;
		char *d = realloc(r->data, cap);

		if (!d)
			return -ENOMEM;
		r->data = d;
		r->data_cap = cap;
	}
	r->data[r->data_len++] = c;
	r->cur_len++;
	return 0;
}

/* Ends the current field; -ENOMEM only. */
static int end_field(struct csv_reader *r)
{
	if (r->n >= r->o.max_fields) {
		fail(r, -E2BIG, "more than %zu fields", r->o.max_fields);
		r->cur_len = 0;
		return 0;
	}
	if (r->data_len + 1 > r->data_cap) {
		char *d = realloc(r->data, r->data_cap * 2);

		if (!d)
			return -ENOMEM;
		r->data = d;
		r->data_cap *= 2;
	}
	r->data[r->data_len++] = '\0';
	r->offs[r->n] = r->data_len - r->cur_len - 1;
	r->lens[r->n] = r->cur_len;
	r->n++;
	r->cur_len = 0;
	return 0;
}

/* After '\r' outside quotes: a following '\n' belongs to it. */
static void end_line(struct csv_reader *r, int c)
{
	if (c == '\r' && peek(r) == '\n')
		(void) get(r);
	r->line++;
}

enum { ST_START, ST_UNQUOTED, ST_QUOTED, ST_QUOTE, ST_AFTER };

ssize_t csv_utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i];
		size_t n, k;
		uint32_t cp;

		if (c == 0)
			return (ssize_t) i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return (ssize_t) i;
		}
		if (i + n >= len)
			return (ssize_t) i;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return (ssize_t) i;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
				cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return (ssize_t) i;
		i += n + 1;
	}
	return -1;
}

static int finish(struct csv_reader *r, struct csv_record *rec, int64_t start,
		int64_t end)
{
	size_t i;

	r->error_line = start;
	if (r->bad)
		return r->bad;
	for (i = 0; i < r->n; i++) {
		ssize_t at;

		r->ptrs[i] = r->data + r->offs[i];
		at = csv_utf8_invalid_at(r->ptrs[i], r->lens[i]);
		if (at >= 0) {
			if (r->ptrs[i][at])
				fail(r, -EILSEQ,
						"field %zu: invalid UTF-8 at "
						"byte %zu",
						i + 1, (size_t) at + 1);
			else
				fail(r, -EILSEQ,
						"field %zu: NUL byte at byte "
						"%zu",
						i + 1, (size_t) at + 1);
			return r->bad;
		}
	}
	rec->fields = r->ptrs;
	rec->lens = r->lens;
	rec->n = r->n;
	rec->line = start;
	rec->end_line = end;
	return 1;
}

int csv_next(struct csv_reader *r, struct csv_record *rec)
{
	int st, c, e;
	int64_t start, quote_line = 0;

	if (!r || !rec)
		return -EINVAL;
	if (r->over)
		return r->read_error ? r->read_error : 0;
	r->n = 0;
	r->data_len = 0;
	r->cur_len = 0;
	r->bad = 0;
	r->error[0] = '\0';
	start = r->line;
	st = ST_START;
	for (;;) {
		c = get(r);
		if (c < 0) {
			if (r->read_error) {
				r->over = true;
				snprintf(r->error, sizeof(r->error),
						"read error");
				r->error_line = start;
				return r->read_error;
			}
			r->over = true;
			if (st == ST_QUOTED) {
				r->bad = 0;
				fail(r, -EBADMSG,
						"unterminated quote (opened on "
						"line %lld)",
						(long long) quote_line);
				r->error_line = start;
				return r->bad;
			}
			if (st == ST_START && r->n == 0)
				return 0; /* nothing after the last line end */
			if ((e = end_field(r)) < 0)
				return e;
			return finish(r, rec, start, r->line);
		}
		switch (st) {
		case ST_START:
		case ST_UNQUOTED:
			if (c == ',') {
				if ((e = end_field(r)) < 0)
					return e;
				st = ST_START;
			} else if (c == '\r' || c == '\n') {
				bool blank = st == ST_START && r->n == 0;
				int64_t end = r->line;

				end_line(r, c);
				if (blank && r->o.skip_blank) {
					start = r->line;
					break;
				}
				if ((e = end_field(r)) < 0)
					return e;
				return finish(r, rec, start, end);
			} else if (c == '"' && st == ST_START) {
				st = ST_QUOTED;
				quote_line = r->line;
			} else {
				if (c == '"')
					fail(r, -EBADMSG,
							"field %zu: quote "
							"inside an unquoted "
							"field",
							r->n + 1);
				if ((e = put(r, (char) c)) < 0)
					return e;
				st = ST_UNQUOTED;
			}
			break;
		case ST_QUOTED:
			if (c == '"') {
				st = ST_QUOTE;
			} else {
				if (c == '\n')
					r->line++;
				else if (c == '\r' && peek(r) != '\n')
					r->line++;
				if ((e = put(r, (char) c)) < 0)
					return e;
			}
			break;
		case ST_QUOTE:
			if (c == '"') {
				if ((e = put(r, '"')) < 0)
					return e;
				st = ST_QUOTED;
				break;
			}
			st = ST_AFTER;
			__attribute__((fallthrough));
		case ST_AFTER:
			if (c == ',') {
				if ((e = end_field(r)) < 0)
					return e;
				st = ST_START;
			} else if (c == '\r' || c == '\n') {
				int64_t end = r->line;

				end_line(r, c);
				if ((e = end_field(r)) < 0)
					return e;
				return finish(r, rec, start, end);
			} else {
				fail(r, -EBADMSG,
						"field %zu: text after the "
						"closing quote",
						r->n + 1);
				if ((e = put(r, (char) c)) < 0)
					return e;
			}
			break;
		}
	}
}

bool csv_is_header(const struct csv_record *rec, const char *first_name)
{
	const char *s;
	size_t len, n;

	if (!rec || rec->n == 0 || !first_name)
		return false;
	s = rec->fields[0];
	len = rec->lens[0];
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	n = strlen(first_name);
	if (len != n)
		return false;
	while (n--) {
		char a = s[n], b = first_name[n];

		if (a >= 'A' && a <= 'Z')
			a = (char) (a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char) (b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}
