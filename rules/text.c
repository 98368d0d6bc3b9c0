/*
 * rules/text.c - normalization of feature-phone text, UTF-8 helpers and
 * SMS cost (the counting itself is the codec's: modem/sms_pdu.h).
 *
 * rt_normalize() is one pass over the input with a table lookup per ASCII
 * byte; non-ASCII characters are decoded once (modem/ucs2.h) and classified
 * by a few range tests.  The only look-ahead is at '.', ',', ':' and their
 * full-width / ideographic forms, to tell a decimal point, a thousands
 * separator or a time from a field separator; it reads a few characters
 * and, for thousands, validates a digit group run once.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "modem/sms_pdu.h"
#include "modem/ucs2.h"
#include "rules/text.h"

/* Classes of ASCII bytes. */
enum { C_OTHER, C_DIGIT, C_LOWER, C_SPACE, C_DOT, C_COMMA, C_COLON };

/*
 * Control characters count as spaces: they never mean anything in a
 * report and a NUL would end the C string early.
 */
static inline int ascii_class(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return C_DIGIT;
	if (c >= 'a' && c <= 'z')
		return C_LOWER;
	if (c <= ' ' || c == 127)
		return C_SPACE;
	if (c == '.')
		return C_DOT;
	if (c == ',')
		return C_COMMA;
	if (c == ':')
		return C_COLON;
	return C_OTHER;
}

void rt_norm_opts_default(struct rt_norm_opts *opts)
{
	static const char *const seps[] = {",", ";", ":", "，", "、", "；",
			"：", "。", "！", "？"};
	size_t i;

	memset(opts, 0, sizeof(*opts));
	opts->fold_case = true;
	opts->strip_zero_width = true;
	opts->fullwidth = true;
	opts->thousands = true;
	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
		opts->separators[i] = seps[i];
	opts->n_separators = i;
}

int rt_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	int n = utf8_decode_one(s, len, cp);

	return n < 0 ? -1 : n;
}

bool rt_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		int n;

		if ((unsigned char) s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode_one(s + i, len - i, &cp);
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
		n += ((unsigned char) s[i] & 0xc0) != 0x80;
	return n;
}

int rt_sms_segments(const char *s, size_t len, bool *gsm7)
{
	struct sms_segments seg;

	if (sms_segment_count(s, len, &seg) < 0)
		return -EINVAL;
	if (gsm7)
		*gsm7 = seg.charset == SMS_CHARSET_GSM7;
	return seg.parts > INT_MAX ? INT_MAX : (int) seg.parts;
}

int rt_sms_units(const char *s, size_t len, bool *gsm7)
{
	struct sms_segments seg;

	if (sms_segment_count(s, len, &seg) < 0)
		return -EINVAL;
	if (gsm7)
		*gsm7 = seg.charset == SMS_CHARSET_GSM7;
	return seg.units > INT_MAX ? INT_MAX : (int) seg.units;
}

/*
 * One UTF-8 character at s (len > 0, s[0] >= 0x80): the common 3-byte
 * case (all of CJK and the full-width forms) inline, the rest through the
 * codec's decoder.  Same result as utf8_decode_one().
 */
static inline int decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *) str;

	if ((s[0] & 0xf0) == 0xe0 && len >= 3 && (s[1] & 0xc0) == 0x80 &&
			(s[2] & 0xc0) == 0x80) {
		uint32_t c = ((uint32_t) (s[0] & 0x0f) << 12) |
			     ((uint32_t) (s[1] & 0x3f) << 6) | (s[2] & 0x3f);

		if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))
			return -1;
		*cp = c;
		return 3;
	}
	{
		int n = utf8_decode_one(str, len, cp);

		return n < 0 ? -1 : n;
	}
}

static bool is_zero_width(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff ||
	       cp == 0x00ad;
}

static bool is_unicode_space(uint32_t cp)
{
	return cp == 0x3000 || cp == 0x00a0 || (cp >= 0x2000 && cp <= 0x200a) ||
	       cp == 0x202f || cp == 0x205f || cp == 0x1680 || cp == 0x2028 ||
	       cp == 0x2029 || (cp >= 0x80 && cp <= 0x9f);
}

/* One call: the compiled options and the input. */
struct norm {
	const struct rt_norm *c;
	const char *in;
	size_t len;
};

static inline unsigned bloom_bit(uint32_t cp)
{
	return (cp ^ (cp >> 8)) & 255;
}

static bool ascii_sep(const struct norm *n, unsigned char c)
{
	return (n->c->sep_ascii[c >> 6] >> (c & 63)) & 1;
}

static bool cp_sep(const struct norm *n, uint32_t cp)
{
	size_t i;

	unsigned b = bloom_bit(cp);

	if (!((n->c->sep_bloom[b >> 6] >> (b & 63)) & 1))
		return false;
	for (i = 0; i < n->c->n_sep_cp; i++)
		if (n->c->sep_cp[i] == cp)
			return true;
	return false;
}

/*
 * The next significant character at *pos (zero-width characters skipped
 * when they are stripped), as the ASCII byte normalization would see it,
 * or -1 (end, invalid or not ASCII after mapping).  *typed is set when it
 * was typed as ASCII (not a full-width form).  Advances *pos past it.
 */
static int peek(const struct norm *n, size_t *pos, bool *typed)
{
	while (*pos < n->len) {
		unsigned char b = (unsigned char) n->in[*pos];
		uint32_t cp;
		int k;

		if (b < 0x80) {
			(*pos)++;
			*typed = true;
			return b;
		}
		k = decode(n->in + *pos, n->len - *pos, &cp);
		if (k < 0)
			return -1;
		*pos += (size_t) k;
		if (n->c->zw && is_zero_width(cp))
			continue;
		*typed = false;
		if (n->c->fw && cp >= 0xff01 && cp <= 0xff5e)
			return (int) (cp - 0xfee0);
		return -1;
	}
	return -1;
}

static bool next_is_digit(const struct norm *n, size_t pos)
{
	bool typed;
	int c = peek(n, &pos, &typed);

	return c >= '0' && c <= '9';
}

/*
 * Just past a decimal-point candidate at @pos: do the digits that follow
 * end in another '.' / '。' followed by a digit ("120。3500。8")?  Then
 * none of them is a decimal point.
 */
static bool more_dots(const struct norm *n, size_t pos)
{
	bool digits = false;

	while (pos < n->len) {
		unsigned char b = (unsigned char) n->in[pos];
		uint32_t cp = b;
		int k = 1;

		if (b >= 0x80) {
			k = decode(n->in + pos, n->len - pos, &cp);
			if (k < 0)
				return false;
			if (n->c->zw && is_zero_width(cp)) {
				pos += (size_t) k;
				continue;
			}
			if (n->c->fw && cp >= 0xff01 && cp <= 0xff5e)
				cp -= 0xfee0;
		}
		pos += (size_t) k;
		if (cp >= '0' && cp <= '9') {
			digits = true;
			continue;
		}
		return digits && (cp == '.' || cp == 0x3002) &&
		       next_is_digit(n, pos);
	}
	return false;
}

/*
 * Just past an ASCII ',' (typed, not full-width) at @pos, after @group
 * digits:
 * is this the first comma of a well-formed thousands run "d{1,3}(,ddd)+"?
 * The run ends at anything but a digit or another typed ',' + digit.
 */
static bool thousands_run(const struct norm *n, size_t pos, unsigned group)
{
	bool typed;
	int c;

	if (group < 1 || group > 3)
		return false;
	for (;;) {
		unsigned digits = 0;

		/* pos is just past a ',' */
		for (;;) {
			c = peek(n, &pos, &typed);
			if (c < '0' || c > '9')
				break;
			if (++digits > 3)
				return false;
		}
		if (digits != 3)
			return false;
		/* c follows the group; pos is past it */
		if (c == ',' && typed && next_is_digit(n, pos))
			continue;
		return true;
	}
}

/* Output with room checks; a pending separator is written lazily. */
struct out {
	char *buf;
	size_t size, len;
	bool full;
};

static inline bool put(struct out *o, const char *s, size_t k)
{
	char *w;
	size_t i;

	if (o->len + k + 1 > o->size) {
		o->full = true;
		return false;
	}
	w = o->buf + o->len;
	for (i = 0; i < k; i++)
		w[i] = s[i];
	o->len += k;
	return true;
}

void rt_norm_compile(const struct rt_norm_opts *opts, struct rt_norm *n)
{
	struct rt_norm_opts def;
	size_t i;

	if (!opts) {
		rt_norm_opts_default(&def);
		opts = &def;
	}
	n->fold = opts->fold_case;
	n->zw = opts->strip_zero_width;
	n->fw = opts->fullwidth;
	n->thousands = opts->thousands;
	n->sep_ascii[0] = n->sep_ascii[1] = 0;
	n->n_sep_cp = 0;
	memset(n->sep_bloom, 0, sizeof(n->sep_bloom));
	for (i = 0; i < opts->n_separators && i < RT_MAX_SEPARATORS; i++) {
		const char *e = opts->separators[i];
		uint32_t cp;
		size_t l;

		if (!e || !*e)
			continue;
		if ((unsigned char) e[0] < 0x80) {
			cp = (unsigned char) e[0];
			n->sep_ascii[cp >> 6] |= (uint64_t) 1 << (cp & 63);
			continue;
		}
		for (l = 1; l < 4 && e[l]; l++)
			;
		if (decode(e, l, &cp) < 0)
			continue;
		n->sep_cp[n->n_sep_cp++] = cp;
		n->sep_bloom[bloom_bit(cp) >> 6] |= (uint64_t) 1
						    << (bloom_bit(cp) & 63);
	}
}

int rt_normalize(const char *in, size_t len, const struct rt_norm_opts *opts,
		char *out, size_t size)
{
	struct rt_norm c;

	rt_norm_compile(opts, &c);
	return rt_normalize_with(in, len, &c, out, size);
}

int rt_normalize_with(const char *in, size_t len, const struct rt_norm *norm,
		char *out, size_t size)
{
	struct rt_norm def;
	struct norm n;
	struct out o = {.buf = out, .size = size, .len = 0, .full = false};
	bool pending = false; /* a separator is due before the next output */
	bool in_thousands = false;
	bool dot_chain = false, keep_chain = false; /* 120.3500.8 */
	bool in_frac = false;	/* digits after a decimal point: no thousands */
	unsigned digit_run = 0; /* digits just written (0 after a separator) */
	size_t i = 0;

	if (!in)
		len = 0;
	if (!out || size == 0)
		return -ENOSPC;
	if (!norm) {
		rt_norm_compile(NULL, &def);
		norm = &def;
	}
	n.c = norm;
	n.in = in;
	n.len = len;

	while (i < len) {
		unsigned char c = (unsigned char) in[i];
		bool typed = true;
		char enc[4];
		size_t k = 0;
		uint32_t cp;
		int cls;

		if (c >= 0x80) {
			int m = decode(in + i, len - i, &cp);

			if (m < 0) {
				/* One U+FFFD per bad byte. */
				i++;
				k = 3;
				memcpy(enc, "\xef\xbf\xbd", 3);
				goto emit;
			}
			i += (size_t) m;
			if (n.c->zw && is_zero_width(cp))
				continue;
			if (is_unicode_space(cp))
				goto sep;
			if (cp == 0x3002 && digit_run && !pending &&
					next_is_digit(&n, i)) {
				if (cp_sep(&n, cp) &&
						(dot_chain || more_dots(&n, i))) {
					keep_chain = true;
					goto sep;
				}
				enc[0] = '.';
				k = 1;
				goto emit;
			}
			if (cp_sep(&n, cp)) {
				/* "：" between digits stays a colon (a time) */
				if (cp == 0xff1a && n.c->fw && digit_run &&
						!pending &&
						next_is_digit(&n, i)) {
					c = ':';
					goto ascii;
				}
				goto sep;
			}
			if (n.c->fw && cp >= 0xff01 && cp <= 0xff5e) {
				c = (unsigned char) (cp - 0xfee0);
				typed = false;
				goto ascii;
			}
			k = (size_t) m;
			memcpy(enc, in + i - (size_t) m, k);
			goto emit;
		}
		i++;
	ascii:
		cls = ascii_class(c);
		switch (cls) {
		case C_DIGIT:
			break;
		case C_LOWER:
			if (n.c->fold)
				c = (unsigned char) (c - 'a' + 'A');
			break;
		case C_SPACE:
			goto sep;
		case C_DOT:
			if (digit_run && !pending && next_is_digit(&n, i)) {
				if (ascii_sep(&n, c) &&
						(dot_chain || more_dots(&n, i))) {
					keep_chain = true;
					goto sep;
				}
				break;
			}
			if (ascii_sep(&n, c))
				goto sep;
			break;
		case C_COLON:
			if (digit_run && !pending && next_is_digit(&n, i))
				break;
			if (ascii_sep(&n, c))
				goto sep;
			break;
		case C_COMMA:
			if (n.c->thousands && typed && digit_run && !pending &&
					!in_frac && next_is_digit(&n, i)) {
				if (!in_thousands)
					in_thousands = thousands_run(
							&n, i, digit_run);
				if (in_thousands)
					continue; /* dropped */
			}
			if (ascii_sep(&n, c))
				goto sep;
			break;
		default:
			if (ascii_sep(&n, c))
				goto sep;
			break;
		}
		enc[0] = (char) c;
		k = 1;
	emit:
		if (pending && o.len > 0) {
			/* the space and the character, or neither */
			if (o.len + 1 + k + 1 > o.size) {
				o.full = true;
				break;
			}
			o.buf[o.len++] = ' ';
		}
		pending = false;
		if (!put(&o, enc, k))
			break;
		if (k == 1 && enc[0] >= '0' && enc[0] <= '9') {
			digit_run++;
		} else {
			in_frac = k == 1 && enc[0] == '.' && digit_run;
			digit_run = 0;
			in_thousands = false;
			dot_chain = false;
		}
		continue;
	sep:
		in_frac = false;
		dot_chain = keep_chain;
		keep_chain = false;
		pending = true;
		digit_run = 0;
		in_thousands = false;
	}
	out[o.len] = '\0';
	if (o.full)
		return -ENOSPC;
	if (o.len > INT_MAX)
		return -ENOSPC;
	return (int) o.len;
}
