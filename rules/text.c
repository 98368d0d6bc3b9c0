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

/* The per-call view of the options. */
struct norm {
	const char *in;
	size_t len;
	bool fold, zw, fw, thousands;
	uint64_t sep_ascii[2]; /* bitmap of ASCII separators */
	uint32_t sep_cp[RT_MAX_SEPARATORS];
	size_t n_sep_cp;
};

static bool ascii_sep(const struct norm *n, unsigned char c)
{
	return (n->sep_ascii[c >> 6] >> (c & 63)) & 1;
}

static bool cp_sep(const struct norm *n, uint32_t cp)
{
	size_t i;

	for (i = 0; i < n->n_sep_cp; i++)
		if (n->sep_cp[i] == cp)
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
		k = utf8_decode_one(n->in + *pos, n->len - *pos, &cp);
		if (k < 0)
			return -1;
		*pos += (size_t) k;
		if (n->zw && is_zero_width(cp))
			continue;
		*typed = false;
		if (n->fw && cp >= 0xff01 && cp <= 0xff5e)
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

static bool put(struct out *o, const char *s, size_t k)
{
	if (o->full || o->len + k + 1 > o->size) {
		o->full = true;
		return false;
	}
	memcpy(o->buf + o->len, s, k);
	o->len += k;
	return true;
}

static void setup(struct norm *n, const struct rt_norm_opts *opts)
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
	for (i = 0; i < opts->n_separators && i < RT_MAX_SEPARATORS; i++) {
		const char *e = opts->separators[i];
		uint32_t cp;

		if (!e || !*e)
			continue;
		if (utf8_decode_one(e, strlen(e), &cp) < 0)
			continue;
		if (cp < 0x80)
			n->sep_ascii[cp >> 6] |= (uint64_t) 1 << (cp & 63);
		else
			n->sep_cp[n->n_sep_cp++] = cp;
	}
}

int rt_normalize(const char *in, size_t len, const struct rt_norm_opts *opts,
		char *out, size_t size)
{
	struct norm n;
	struct out o = {.buf = out, .size = size, .len = 0, .full = false};
	bool pending = false; /* a separator is due before the next output */
	bool in_thousands = false;
	unsigned digit_run = 0; /* digits just written (0 after a separator) */
	size_t i = 0;

	if (!in)
		len = 0;
	if (!out || size == 0)
		return -ENOSPC;
	setup(&n, opts);
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
			int m = utf8_decode_one(in + i, len - i, &cp);

			if (m < 0) {
				/* One U+FFFD per bad byte. */
				i++;
				k = 3;
				memcpy(enc, "\xef\xbf\xbd", 3);
				goto emit;
			}
			i += (size_t) m;
			if (n.zw && is_zero_width(cp))
				continue;
			if (is_unicode_space(cp))
				goto sep;
			if (cp == 0x3002 && digit_run && !pending &&
					next_is_digit(&n, i)) {
				enc[0] = '.';
				k = 1;
				goto emit;
			}
			if (cp_sep(&n, cp)) {
				/* "：" between digits stays a colon (a time) */
				if (cp == 0xff1a && n.fw && digit_run &&
						!pending &&
						next_is_digit(&n, i)) {
					c = ':';
					goto ascii;
				}
				goto sep;
			}
			if (n.fw && cp >= 0xff01 && cp <= 0xff5e) {
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
			if (n.fold)
				c = (unsigned char) (c - 'a' + 'A');
			break;
		case C_SPACE:
			goto sep;
		case C_DOT:
		case C_COLON:
			if (digit_run && !pending && next_is_digit(&n, i))
				break;
			if (ascii_sep(&n, c))
				goto sep;
			break;
		case C_COMMA:
			if (n.thousands && typed && digit_run && !pending &&
					next_is_digit(&n, i)) {
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
			digit_run = 0;
			in_thousands = false;
		}
		continue;
	sep:
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
