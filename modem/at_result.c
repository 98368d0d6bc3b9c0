// SPDX-License-Identifier: MIT
/*
 * Field iterator. Syntax from TS 27.007 §4.1 (information text) and §5.7.2
 * (parameter ranges "(0-2),(0,1,3)"). Tolerant of blanks around fields,
 * which vendors add (Samsung "+CREG: 2,1,000B,2816, B, C2816").
 */
#include "modem/at_result.h"
#include "modem/at_result_private.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

size_t at_result_count(const struct at_result *res)
{
	return res ? res->n : 0;
}

const char *at_result_line(
		const struct at_result *res, size_t i, bool *ret_is_pdu)
{
	if (!res || i >= res->n)
		return NULL;
	if (ret_is_pdu)
		*ret_is_pdu = res->lines[i].is_pdu;
	return res->lines[i].text;
}

const char *at_result_final(const struct at_result *res)
{
	return res ? res->final : NULL;
}

const char *at_result_find(const struct at_result *res, const char *prefix)
{
	size_t n = strlen(prefix);

	for (size_t i = 0; res && i < res->n; i++)
		if (!res->lines[i].is_pdu &&
				strncmp(res->lines[i].text, prefix, n) == 0)
			return res->lines[i].text;
	return NULL;
}

static void skip_blanks(struct at_iter *it)
{
	while (it->p < it->end && (*it->p == ' ' || *it->p == '\t'))
		it->p++;
}

int at_iter_init(struct at_iter *it, const char *line, const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;

	if (!line || strncmp(line, prefix ? prefix : "", n) != 0)
		return -EINVAL;
	it->p = line + n;
	it->end = line + strlen(line);
	it->depth = 0;
	it->done = false;
	skip_blanks(it);
	if (it->p == it->end)
		it->done = true;
	return 0;
}

bool at_iter_at_end(const struct at_iter *it)
{
	return it->done;
}

bool at_iter_next_is_quoted(const struct at_iter *it)
{
	return !it->done && it->p < it->end && *it->p == '"';
}

/*
 * Find the end of the current field: the first ',' or ')' (at depth) or the
 * end, outside quotes. Returns the pointer; *ret_bad set when a quote is
 * unterminated.
 */
static const char *field_end(const struct at_iter *it, bool *ret_bad)
{
	const char *q = it->p;
	bool inq = false;
	int depth = 0;

	*ret_bad = false;
	for (; q < it->end; q++) {
		if (*q == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (*q == '(')
			depth++;
		else if (*q == ')' && depth > 0)
			depth--;
		else if (depth == 0 && (*q == ',' || *q == ')'))
			break;
	}
	if (inq)
		*ret_bad = true;
	return q;
}

/* Move past the field ending at @q and its comma; update done. */
static void advance(struct at_iter *it, const char *q)
{
	it->p = q;
	if (it->p < it->end && *it->p == ',') {
		it->p++;
		skip_blanks(it);
		return;
	}
	/* End of line or a ')' closing the current list. */
	it->done = true;
}

/* Field [s, e) with blanks trimmed. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* Common prologue: locate the field; returns -ENOENT/-ENODATA/-EINVAL/0. */
static int get_field(struct at_iter *it, const char **ret_s, const char **ret_e,
		const char **ret_next)
{
	const char *s, *e;
	bool bad;

	if (it->done)
		return -ENOENT;
	e = field_end(it, &bad);
	s = it->p;
	*ret_next = e;
	if (bad) {
		/* Unterminated quote eats the rest of the line. */
		it->p = it->end;
		it->done = true;
		return -EINVAL;
	}
	trim(&s, &e);
	if (s == e) {
		advance(it, *ret_next);
		return -ENODATA;
	}
	*ret_s = s;
	*ret_e = e;
	return 0;
}

int at_iter_skip(struct at_iter *it)
{
	const char *s, *e, *next;
	int r = get_field(it, &s, &e, &next);

	if (r == 0)
		advance(it, next);
	return r == -ENODATA ? 0 : r;
}

int at_iter_next_number(struct at_iter *it, long *ret_val)
{
	const char *s, *e, *next;
	char tmp[24];
	char *end;
	long v;
	int r = get_field(it, &s, &e, &next);

	if (r)
		return r;
	advance(it, next);
	if ((size_t) (e - s) >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, (size_t) (e - s));
	tmp[e - s] = '\0';
	if (!isdigit((unsigned char) tmp[0]) &&
			!((tmp[0] == '-' || tmp[0] == '+') &&
					isdigit((unsigned char) tmp[1])))
		return -EINVAL;
	errno = 0;
	v = strtol(tmp, &end, 10);
	if (*end != '\0' || errno)
		return -EINVAL;
	*ret_val = v;
	return 0;
}

int at_iter_next_hexnum(struct at_iter *it, unsigned long *ret_val)
{
	const char *s, *e, *next;
	unsigned long v = 0;
	int r = get_field(it, &s, &e, &next);

	if (r)
		return r;
	advance(it, next);
	if (*s == '"') {
		if (e - s < 2 || e[-1] != '"')
			return -EINVAL;
		s++;
		e--;
		if (s == e)
			return -ENODATA;
	}
	if (e - s > 8)
		return -EINVAL;
	for (; s < e; s++) {
		if (!isxdigit((unsigned char) *s))
			return -EINVAL;
		v = v * 16 +
		    (unsigned long) (isdigit((unsigned char) *s)
						     ? *s - '0'
						     : (tolower((unsigned char) *s) -
								       'a' +
								       10));
	}
	*ret_val = v;
	return 0;
}

static int copy_out(const char *s, const char *e, char *buf, size_t size)
{
	size_t n = (size_t) (e - s);

	if (n + 1 > size)
		return -ENOSPC;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

int at_iter_next_string(struct at_iter *it, char *buf, size_t size)
{
	const char *s, *e, *next;
	int r;

	if (!it->done && it->p < it->end && *it->p != '"') {
		/* Quick reject without consuming a possibly useful field. */
		r = get_field(it, &s, &e, &next);
		if (r == 0) {
			advance(it, next);
			return -EINVAL;
		}
		return r;
	}
	r = get_field(it, &s, &e, &next);
	if (r)
		return r;
	if (e - s < 2 || *s != '"' || e[-1] != '"') {
		advance(it, next);
		return -EINVAL;
	}
	r = copy_out(s + 1, e - 1, buf, size);
	if (r == 0)
		advance(it, next);
	return r;
}

int at_iter_next_unquoted(struct at_iter *it, char *buf, size_t size)
{
	const char *s, *e, *next;
	int r = get_field(it, &s, &e, &next);

	if (r)
		return r;
	if (memchr(s, '"', (size_t) (e - s))) {
		advance(it, next);
		return -EINVAL;
	}
	r = copy_out(s, e, buf, size);
	if (r == 0)
		advance(it, next);
	return r;
}

int at_iter_next_text(struct at_iter *it, char *buf, size_t size)
{
	if (at_iter_next_is_quoted(it))
		return at_iter_next_string(it, buf, size);
	return at_iter_next_unquoted(it, buf, size);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char) tolower((unsigned char) c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int at_iter_next_hexstring(
		struct at_iter *it, uint8_t *buf, size_t size, size_t *ret_len)
{
	const char *s, *e, *next;
	size_t n;
	int r = get_field(it, &s, &e, &next);

	if (r)
		return r;
	if (*s == '"') {
		if (e - s < 2 || e[-1] != '"') {
			advance(it, next);
			return -EINVAL;
		}
		s++;
		e--;
	}
	n = (size_t) (e - s);
	if (n % 2) {
		advance(it, next);
		return -EINVAL;
	}
	if (n / 2 > size)
		return -ENOSPC;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			advance(it, next);
			return -EINVAL;
		}
		buf[i] = (uint8_t) (hi << 4 | lo);
	}
	advance(it, next);
	*ret_len = n / 2;
	return 0;
}

int at_iter_open_list(struct at_iter *it)
{
	if (it->done)
		return -ENOENT;
	if (it->p >= it->end || *it->p != '(')
		return -EINVAL;
	it->p++;
	it->depth++;
	skip_blanks(it);
	it->done = (it->p < it->end && *it->p == ')') || it->p >= it->end;
	return 0;
}

int at_iter_close_list(struct at_iter *it)
{
	bool inq = false;
	int depth = 0;

	if (it->depth == 0)
		return -EINVAL;
	for (; it->p < it->end; it->p++) {
		if (*it->p == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (*it->p == '(')
			depth++;
		else if (*it->p == ')' && depth-- == 0)
			break;
	}
	it->depth--;
	if (it->p >= it->end) {
		it->done = true;
		return -EINVAL; /* missing ')' */
	}
	it->p++; /* ')' */
	skip_blanks(it);
	it->done = false;
	if (it->p < it->end && *it->p == ',') {
		it->p++;
		skip_blanks(it);
	} else {
		it->done = true;
	}
	return 0;
}

int at_iter_next_range(struct at_iter *it, long *ret_lo, long *ret_hi)
{
	const char *s, *e, *next, *dash;
	char *end;
	long lo, hi;
	int r = get_field(it, &s, &e, &next);

	if (r)
		return r;
	advance(it, next);
	if (!isdigit((unsigned char) *s))
		return -EINVAL;
	lo = strtol(s, &end, 10);
	dash = end;
	if (dash == e) {
		hi = lo;
	} else {
		if (*dash != '-' || dash + 1 >= e ||
				!isdigit((unsigned char) dash[1]))
			return -EINVAL;
		hi = strtol(dash + 1, &end, 10);
		if (end != e || hi < lo)
			return -EINVAL;
	}
	if (lo < 0 || hi > INT_MAX)
		return -EINVAL;
	*ret_lo = lo;
	*ret_hi = hi;
	return 0;
}
