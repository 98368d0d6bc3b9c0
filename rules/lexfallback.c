/*
 * rules/lexfallback.c - TEMPORARY minimal stand-ins for rules/text.h and
 * rules/value.h until the `lex` branch lands text.c and value.c; deleted
 * then.  Only what the engine needs, with the documented behaviour
 * simplified.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "modem/sms_pdu.h"
#include "rules/text.h"
#include "rules/value.h"

void rt_norm_opts_default(struct rt_norm_opts *o)
{
	static const char *const seps[] = {",", ";", ":", "，", "、", "；",
			"：", "。", "！", "？"};
	size_t i;

	memset(o, 0, sizeof(*o));
	o->fold_case = o->strip_zero_width = o->fullwidth = o->thousands = true;
	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
		o->separators[o->n_separators++] = seps[i];
}

int rt_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *) s;
	uint32_t c;
	int n, i;

	if (!len)
		return -1;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	} else if ((u[0] & 0xE0) == 0xC0) {
		n = 2;
		c = u[0] & 0x1F;
	} else if ((u[0] & 0xF0) == 0xE0) {
		n = 3;
		c = u[0] & 0x0F;
	} else if ((u[0] & 0xF8) == 0xF0) {
		n = 4;
		c = u[0] & 0x07;
	} else {
		return -1;
	}
	if ((size_t) n > len)
		return -1;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
			(n == 4 && c < 0x10000) || c > 0x10FFFF ||
			(c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*cp = c;
	return n;
}

bool rt_utf8_valid(const char *s, size_t len)
{
	uint32_t cp;
	size_t i = 0;

	while (i < len) {
		int n = rt_utf8_next(s + i, len - i, &cp);

		if (n < 0)
			return false;
		i += (size_t) n;
	}
	return true;
}

size_t rt_utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static bool is_sep(const struct rt_norm_opts *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < o->n_separators; i++)
		if (strlen(o->separators[i]) == n &&
				!memcmp(o->separators[i], s, n))
			return true;
	return false;
}

int rt_normalize(const char *in, size_t len, const struct rt_norm_opts *o,
		char *out, size_t size)
{
	size_t i = 0, w = 0;
	bool pending_sep = false;

	if (!size)
		return -ENOSPC;
	while (i < len) {
		uint32_t cp;
		int n = rt_utf8_next(in + i, len - i, &cp);
		char buf[4];
		size_t blen;
		bool sep;

		if (n < 0) {
			cp = 0xFFFD;
			n = 1;
		}
		if (o->strip_zero_width &&
				((cp >= 0x200B && cp <= 0x200D) ||
						cp == 0x2060 || cp == 0xFEFF ||
						cp == 0xAD)) {
			i += (size_t) n;
			continue;
		}
		if (o->fullwidth && cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0;
		sep = cp == ' ' || cp == 0x3000 || cp == '\t' || cp == '\r' ||
		      cp == '\n' || cp == 0xA0 ||
		      (cp >= 0x2000 && cp <= 0x200A);
		if (!sep && cp >= 0x80 && is_sep(o, in + i, (size_t) n))
			sep = true;
		if (!sep && cp < 0x80 && cp != '.' &&
				is_sep(o, (const char *) &(char){(char) cp}, 1))
			sep = true;
		/* '.' and '。' between digits stay a decimal point */
		if ((cp == '.' || cp == 0x3002) && w > 0 && out[w - 1] >= '0' &&
				out[w - 1] <= '9' && !pending_sep &&
				i + (size_t) n < len && in[i + n] >= '0' &&
				in[i + n] <= '9') {
			sep = false;
			cp = '.';
		} else if (cp == 0x3002) {
			sep = true;
		}
		if (sep) {
			pending_sep = w > 0;
			i += (size_t) n;
			continue;
		}
		if (o->fold_case && cp >= 'a' && cp <= 'z')
			cp -= 32;
		if (cp < 0x80) {
			buf[0] = (char) cp;
			blen = 1;
		} else if (cp < 0x800) {
			buf[0] = (char) (0xC0 | (cp >> 6));
			buf[1] = (char) (0x80 | (cp & 0x3F));
			blen = 2;
		} else if (cp < 0x10000) {
			buf[0] = (char) (0xE0 | (cp >> 12));
			buf[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
			buf[2] = (char) (0x80 | (cp & 0x3F));
			blen = 3;
		} else {
			buf[0] = (char) (0xF0 | (cp >> 18));
			buf[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
			buf[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
			buf[3] = (char) (0x80 | (cp & 0x3F));
			blen = 4;
		}
		if (w + blen + 2 > size)
			break;
		if (pending_sep)
			out[w++] = ' ';
		pending_sep = false;
		memcpy(out + w, buf, blen);
		w += blen;
		i += (size_t) n;
	}
	out[w] = '\0';
	return (int) w;
}

int rt_sms_segments(const char *s, size_t len, bool *gsm7)
{
	struct sms_segments seg;

	if (sms_segment_count(s, len, &seg) < 0)
		return -EINVAL;
	if (gsm7)
		*gsm7 = seg.charset == SMS_CHARSET_GSM7;
	return (int) seg.parts;
}

int rt_sms_units(const char *s, size_t len, bool *gsm7)
{
	struct sms_segments seg;

	if (sms_segment_count(s, len, &seg) < 0)
		return -EINVAL;
	if (gsm7)
		*gsm7 = seg.charset == SMS_CHARSET_GSM7;
	return (int) seg.units;
}

void rv_num_opts_default(struct rv_num_opts *o)
{
	o->fuzzy_digits = o->cn_numerals = o->cn_point = true;
}

static int digit_of(char c, const struct rv_num_opts *o)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (o && o->fuzzy_digits && c == 'O')
		return 0;
	if (o && o->fuzzy_digits && (c == 'L' || c == 'I'))
		return 1;
	return -1;
}

size_t rv_number_prefix(const char *s, size_t len, const struct rv_num_opts *o)
{
	size_t i = 0;
	bool digits = false;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len &&
			(digit_of(s[i], o) >= 0 ||
					(s[i] == '.' && digits && i + 1 < len &&
							digit_of(s[i + 1], o) >=
									0))) {
		if (digit_of(s[i], o) >= 0)
			digits = true;
		i++;
	}
	return digits ? i : 0;
}

int rv_parse_decimal(const char *s, size_t len, const struct rv_num_opts *o,
		int scale, int64_t *ret)
{
	int64_t v = 0;
	size_t i = 0;
	int frac = -1, neg = 0, extra = 0;
	bool any = false;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len; i++) {
		int d = digit_of(s[i], o);

		if (s[i] == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (d < 0)
			return -EINVAL;
		any = true;
		if (frac >= scale) {
			if (frac == scale)
				extra = d;
			frac++;
			continue;
		}
		if (v > (INT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + d;
		if (frac >= 0)
			frac++;
	}
	if (!any)
		return -EINVAL;
	for (frac = frac < 0	       ? 0
			: frac > scale ? scale
				       : frac;
			frac < scale; frac++) {
		if (v > INT64_MAX / 10)
			return -ERANGE;
		v *= 10;
	}
	if (extra >= 5)
		v++;
	*ret = neg ? -v : v;
	return 0;
}

int rv_parse_int(const char *s, size_t len, const struct rv_num_opts *o,
		int64_t *ret)
{
	if (memchr(s, '.', len))
		return -EINVAL;
	return rv_parse_decimal(s, len, o, 0, ret);
}

int rv_parse_date(const char *s, size_t len, int ty, int tm, int td, int *y,
		int *m, int *d)
{
	(void) s;
	(void) len;
	(void) ty;
	(void) tm;
	(void) td;
	(void) y;
	(void) m;
	(void) d;
	return -EINVAL;
}

int rv_parse_time(const char *s, size_t len, int *h, int *m)
{
	if (len == 5 && s[2] == ':' && sscanf(s, "%2d:%2d", h, m) == 2 &&
			*h < 24 && *m < 60)
		return 0;
	return -EINVAL;
}

int rv_parse_bool(const char *s, size_t len, bool *ret)
{
	if ((len == 1 && *s == 'Y') || (len == 3 && !memcmp(s, "是", 3))) {
		*ret = true;
		return 0;
	}
	if ((len == 1 && *s == 'N') || (len == 3 && !memcmp(s, "否", 3))) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

int rv_parse_phone(const char *s, size_t len, char *out, size_t size)
{
	if (len < 3 || len >= size || strspn(s, "0123456789") < len)
		return -EINVAL;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int rv_parse_cell(const char *s, size_t len, int home_mcc, int home_mnc,
		bool hex_default, struct rv_cell *ret)
{
	(void) s;
	(void) len;
	(void) home_mcc;
	(void) home_mnc;
	(void) hex_default;
	(void) ret;
	return -EINVAL;
}

int rv_parse_outlet_code(const char *s, size_t len)
{
	return len >= 2 && len <= 16 &&
					       strspn(s, "ABCDEFGHIJKLMNOPQRSTU"
							 "VWXYZ"
							 "0123456789-_") >= len
			       ? 0
			       : -EINVAL;
}

int rv_parse_ref(const char *s, size_t len, const char *prefix, int digits,
		char *out, size_t size)
{
	size_t pl = strlen(prefix), i;

	if (len != pl + (size_t) digits || memcmp(s, prefix, pl) || len >= size)
		return -EINVAL;
	for (i = pl; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}
