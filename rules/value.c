/*
 * rules/value.c - typed values from normalized tokens (rules/value.h).
 *
 * Numbers are read in one pass into a mantissa and a power of ten
 * (struct num), with every multiplication and addition checked, so no
 * input can overflow; only the final conversion to units rounds.  Chinese
 * numerals follow the spoken grammar: digits before units (十 百 千) that
 * descend within a section, sections before 万 and 亿, 零 marking a gap,
 * and the colloquial tail ("一百二" = 120, "三千五" = 3500, "两万三" =
 * 23000): a single trailing digit right after a unit of 百 or more counts
 * in the next lower place.
 */
#include <errno.h>
#include <string.h>

#include "modem/ucs2.h"
#include "rules/rules_int.h"
#include "rules/value.h"

void rv_num_opts_default(struct rv_num_opts *opts)
{
	opts->fuzzy_digits = true;
	opts->cn_numerals = true;
	opts->cn_point = true;
}

static const uint64_t pow10_tab[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull,
		100000ull, 1000000ull, 10000000ull, 100000000ull, 1000000000ull,
		10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull,
		10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull};

/* ---- characters ------------------------------------------------------ */

#define CP_POINT 0x70b9 /* 点 */
#define CP_NEG 0x8d1f	/* 负 */

/* 零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖 -> 0..9, else -1. */
static int cn_digit(uint32_t cp)
{
	switch (cp) {
	case 0x96f6: /* 零 */
	case 0x3007: /* 〇 */
		return 0;
	case 0x4e00: /* 一 */
	case 0x58f9: /* 壹 */
		return 1;
	case 0x4e8c: /* 二 */
	case 0x8d30: /* 贰 */
	case 0x4e24: /* 两 */
		return 2;
	case 0x4e09: /* 三 */
	case 0x53c1: /* 叁 */
		return 3;
	case 0x56db: /* 四 */
	case 0x8086: /* 肆 */
		return 4;
	case 0x4e94: /* 五 */
	case 0x4f0d: /* 伍 */
		return 5;
	case 0x516d: /* 六 */
	case 0x9646: /* 陆 */
		return 6;
	case 0x4e03: /* 七 */
	case 0x67d2: /* 柒 */
		return 7;
	case 0x516b: /* 八 */
	case 0x634c: /* 捌 */
		return 8;
	case 0x4e5d: /* 九 */
	case 0x7396: /* 玖 */
		return 9;
	default:
		return -1;
	}
}

/* 十拾 百佰 千仟 万萬 亿億 -> the power of ten, else 0. */
static int cn_unit(uint32_t cp)
{
	switch (cp) {
	case 0x5341: /* 十 */
	case 0x62fe: /* 拾 */
		return 1;
	case 0x767e: /* 百 */
	case 0x4f70: /* 佰 */
		return 2;
	case 0x5343: /* 千 */
	case 0x4edf: /* 仟 */
		return 3;
	case 0x4e07: /* 万 */
	case 0x842c: /* 萬 */
		return 4;
	case 0x4ebf: /* 亿 */
	case 0x5104: /* 億 */
		return 8;
	default:
		return 0;
	}
}

/* o/O -> 0, l/L/I/i -> 1 (L: the normalized form of a typed l). */
static int fuzzy_digit(unsigned char c)
{
	switch (c) {
	case 'O':
	case 'o':
		return 0;
	case 'L':
	case 'l':
	case 'I':
	case 'i':
		return 1;
	default:
		return -1;
	}
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* One character at s[i]: its length (1..4) and code point, or -1. */
static inline int get(const char *s, size_t len, size_t i, uint32_t *cp)
{
	unsigned char c = (unsigned char) s[i];

	int n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* the 3-byte case (CJK) inline, the rest by the codec */
	if ((c & 0xf0) == 0xe0 && len - i >= 3 &&
			((unsigned char) s[i + 1] & 0xc0) == 0x80 &&
			((unsigned char) s[i + 2] & 0xc0) == 0x80) {
		uint32_t v = ((uint32_t) (c & 0x0f) << 12) |
			     ((uint32_t) ((unsigned char) s[i + 1] & 0x3f)
					     << 6) |
			     ((unsigned char) s[i + 2] & 0x3f);

		if (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))
			return -1;
		*cp = v;
		return 3;
	}
	n = utf8_decode_one(s + i, len - i, cp);
	return n < 0 ? -1 : n;
}

static bool mul_ok(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}

static bool add_ok(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}

/* ---- numbers ------------------------------------------------------- */

/* mant * 10^exp, sign apart. */
struct num {
	uint64_t mant;
	int exp;
	bool neg;
	bool inexact; /* nonzero fraction digits were dropped */
};

/* The ideographic full stop 。 (U+3002) at s[p]. */
static bool ideo_stop(const char *s, size_t len, size_t p)
{
	return p + 2 < len && (unsigned char) s[p] == 0xe3 &&
	       (unsigned char) s[p + 1] == 0x80 &&
	       (unsigned char) s[p + 2] == 0x82;
}

/*
 * An Arabic digit run at s[*i]: digits (fuzzy letters with @fuzzy),
 * thousands commas (1..3 digits, then groups of exactly 3), one decimal
 * point '.' or '。' followed by a digit.  Fraction digits beyond what
 * fits are dropped (they cannot change a value rounded to 6 places).
 * Sets *real when a true digit was seen, *dropped when a nonzero
 * fraction digit did not fit.
 */
static int arabic_run(const char *s, size_t len, size_t *i, bool fuzzy,
		uint64_t *ret_mant, int *ret_frac, int *ret_digits, bool *real,
		bool *dropped)
{
	uint64_t mant = 0;
	int frac = 0, digits = 0, group = 0;
	bool in_frac = false, commas = false, full = false;
	size_t p = *i;

	while (p < len) {
		unsigned char c = (unsigned char) s[p];
		int d;

		if (is_digit(c)) {
			d = c - '0';
			*real = true;
		} else if (fuzzy && (d = fuzzy_digit(c)) >= 0) {
			;
		} else if (c == ',' && !in_frac && digits > 0 &&
				(commas ? group == 3 : group <= 3) &&
				p + 1 < len &&
				is_digit((unsigned char) s[p + 1])) {
			commas = true;
			group = 0;
			p++;
			continue;
		} else if ((c == '.' || ideo_stop(s, len, p)) && !in_frac &&
				digits > 0) {
			size_t q = p + (c == '.' ? 1 : 3);

			if (q >= len || !(is_digit((unsigned char) s[q]) ||
							(fuzzy && fuzzy_digit((unsigned char) s[q]) >=
											0)))
				break;
			if (commas && group != 3)
				return -EINVAL;
			in_frac = true;
			p = q;
			continue;
		} else {
			break;
		}
		p++;
		if (in_frac) {
			uint64_t m;

			if (full || frac == 19 || !mul_ok(mant, 10, &m) ||
					!add_ok(m, (uint64_t) d, &m)) {
				full = true;
				*dropped = *dropped || d != 0;
				continue;
			}
			mant = m;
			frac++;
		} else {
			if (!mul_ok(mant, 10, &mant) ||
					!add_ok(mant, (uint64_t) d, &mant))
				return -ERANGE;
			digits++;
			group++;
		}
	}
	if (digits == 0)
		return -EINVAL;
	if (commas && !in_frac && group != 3)
		return -EINVAL;
	*i = p;
	*ret_mant = mant;
	*ret_frac = frac;
	*ret_digits = digits;
	return 0;
}

/* mant * 10^k, checked. */
static bool scale_up(uint64_t mant, int k, uint64_t *ret)
{
	if (k < 0 || k > 19)
		return mant == 0 ? (*ret = 0, true) : false;
	return mul_ok(mant, pow10_tab[k], ret);
}

/* State of the Chinese-numeral grammar. */
struct cn {
	uint64_t total;	  /* 万 and 亿 blocks */
	uint64_t section; /* below 万 */
	int last_unit;	  /* power of the last 十/百/千 in the section, 4
			     * (none) after a reset */
	int last_pow;	  /* power of the last unit of any kind */
	bool any_unit;	  /* a unit was seen */
	bool zero_gap;	  /* 零 since the last unit */
	bool seen_wan, seen_yi;
	/* the pending number */
	bool cur_set, cur_cn;
	uint64_t cur;
	int cur_frac, cur_digits;
};

/* The pending number times 10^k; must be whole. */
static int cur_times(const struct cn *c, int k, uint64_t *ret)
{
	if (c->cur_frac > k) {
		if (c->cur % pow10_tab[c->cur_frac - k] != 0)
			return -EINVAL;
		*ret = c->cur / pow10_tab[c->cur_frac - k];
		return 0;
	}
	return scale_up(c->cur, k - c->cur_frac, ret) ? 0 : -ERANGE;
}

/* 十 百 千 (k = 1..3). */
static int small_unit(struct cn *c, int k)
{
	uint64_t term;
	int rc;

	if (k >= c->last_unit)
		return -EINVAL; /* 十百, 百百: units descend */
	if (c->cur_set) {
		if (c->cur_cn && c->cur_digits > 1)
			return -EINVAL; /* 一二百 */
		rc = cur_times(c, k, &term);
		if (rc < 0)
			return rc;
	} else if (k == 1) {
		term = 10; /* 十, 十二, 一百十 */
	} else {
		return -EINVAL;
	}
	if (c->last_unit < 4 && term >= pow10_tab[c->last_unit])
		return -EINVAL; /* 3千12百 */
	if (!add_ok(c->section, term, &c->section))
		return -ERANGE;
	c->last_unit = c->last_pow = k;
	c->any_unit = true;
	c->zero_gap = false;
	c->cur_set = false;
	return 0;
}

/*
 * The section's value with the pending number, for 万/亿 (@end false:
 * the colloquial tail only after a small unit of this section) or at
 * the end of the number (@end true: after any unit).  Whole numbers only.
 */
static int close_section(struct cn *c, bool end, uint64_t *ret)
{
	uint64_t v = 0;
	int pow = end ? c->last_pow : c->last_unit;
	bool tail = end ? c->any_unit : c->last_unit < 4;

	if (c->cur_set) {
		int rc;

		if (c->cur_cn && c->cur_digits > 1)
			return -EINVAL; /* 一百二三 */
		rc = cur_times(c, 0, &v);
		if (rc < 0)
			return rc;
		if (tail && c->cur_digits == 1 && !c->zero_gap && pow >= 2)
			v *= pow10_tab[pow - 1]; /* 一百二, 三千五, 两万三 */
		if (tail && v >= pow10_tab[pow])
			return -EINVAL; /* 十23, 1万25000 */
	}
	if (!add_ok(c->section, v, ret))
		return -ERANGE;
	return 0;
}

/* 万 (k = 4) and 亿 (k = 8). */
static int big_unit(struct cn *c, int k)
{
	uint64_t add; /* what this unit contributes, already scaled */
	int rc;

	if (!c->cur_set && c->section == 0) {
		/* 万 alone; 万亿 applies 亿 to the blocks so far */
		if (c->total == 0 || k != 8 || c->seen_yi)
			return -EINVAL;
	}
	if (c->cur_set && c->cur_frac) {
		/* 1.2万: the decimal must scale to a whole number */
		if (c->section != 0)
			return -EINVAL;
		rc = cur_times(c, k, &add);
	} else {
		rc = close_section(c, false, &add);
		if (rc == 0 && !scale_up(add, k, &add))
			rc = -ERANGE;
	}
	if (rc < 0)
		return rc;
	if (k == 8) {
		if (c->seen_yi)
			return -EINVAL;
		if (!scale_up(c->total, 8, &c->total) ||
				!add_ok(c->total, add, &c->total))
			return -ERANGE;
		c->seen_yi = true;
		c->seen_wan = false;
	} else {
		if (c->seen_wan)
			return -EINVAL;
		if (!add_ok(c->total, add, &c->total))
			return -ERANGE;
		c->seen_wan = true;
	}
	c->section = 0;
	c->last_unit = 4;
	c->last_pow = k;
	c->any_unit = true;
	c->zero_gap = false;
	c->cur_set = false;
	return 0;
}

/*
 * Digits after 点: Chinese or Arabic (fuzzy with @fuzzy), positional,
 * at least one; then at most one unit, which must end the token.
 * @ip is the whole part.
 */
static int after_point(const char *s, size_t len, size_t i,
		const struct rv_num_opts *o, uint64_t ip, bool units_ok,
		bool *real, struct num *ret)
{
	uint64_t mant = ip;
	int frac = 0, n_digits = 0, k;
	bool full = false;
	uint32_t cp;

	while (i < len) {
		int n = get(s, len, i, &cp), d;

		if (n < 0)
			return -EINVAL;
		if (cp < 0x80 && is_digit((unsigned char) cp)) {
			d = (int) cp - '0';
			*real = true;
		} else if (cp < 0x80 && o->fuzzy_digits &&
				(d = fuzzy_digit((unsigned char) cp)) >= 0) {
			;
		} else if (o->cn_numerals && (d = cn_digit(cp)) >= 0) {
			*real = true;
		} else {
			break;
		}
		i += (size_t) n;
		n_digits++;
		if (!full) {
			uint64_t m;

			if (frac < 19 && mul_ok(mant, 10, &m) &&
					add_ok(m, (uint64_t) d, &m)) {
				mant = m;
				frac++;
				continue;
			}
			full = true;
		}
		ret->inexact = ret->inexact || d != 0;
	}
	if (n_digits == 0)
		return -EINVAL; /* 三点 */
	ret->mant = mant;
	ret->exp = -frac;
	if (i == len)
		return 0;
	n_digits = get(s, len, i, &cp);
	if (n_digits < 0 || !o->cn_numerals || !(k = cn_unit(cp)) || !units_ok)
		return -EINVAL;
	i += (size_t) n_digits;
	if (i != len)
		return -EINVAL;
	ret->exp += k; /* 三点五万 */
	return 0;
}

static int parse_number(const char *s, size_t len, const struct rv_num_opts *o,
		struct num *ret)
{
	struct rv_num_opts def;
	struct cn c;
	size_t i = 0;
	bool real = false;
	uint32_t cp;
	int rc;

	if (!s)
		return -EINVAL;
	if (!o) {
		rv_num_opts_default(&def);
		o = &def;
	}
	/* Fast path: plain ASCII digits. */
	if (len > 0 && len <= 18) {
		uint64_t v = 0;

		for (i = 0; i < len && is_digit((unsigned char) s[i]); i++)
			v = v * 10 + (uint64_t) (s[i] - '0');
		if (i == len) {
			ret->mant = v;
			ret->exp = 0;
			ret->neg = false;
			ret->inexact = false;
			return 0;
		}
		i = 0;
	}
	memset(&c, 0, sizeof(c));
	c.last_unit = 4;
	ret->neg = false;
	ret->inexact = false;
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		ret->neg = s[0] == '-';
		i = 1;
	} else if (o->cn_numerals && len >= 3 && get(s, len, 0, &cp) == 3 &&
			cp == CP_NEG) {
		ret->neg = true;
		i = 3;
	}
	while (i < len) {
		unsigned char b = (unsigned char) s[i];
		int n, d, k;

		if (is_digit(b) || (o->fuzzy_digits && fuzzy_digit(b) >= 0)) {
			if (c.cur_set)
				return -EINVAL; /* 一2 */
			if (c.any_unit && !o->cn_numerals)
				return -EINVAL;
			rc = arabic_run(s, len, &i, o->fuzzy_digits, &c.cur,
					&c.cur_frac, &c.cur_digits, &real,
					&ret->inexact);
			if (rc < 0)
				return rc;
			c.cur_set = true;
			c.cur_cn = false;
			continue;
		}
		n = get(s, len, i, &cp);
		if (n < 0)
			return -EINVAL;
		if (cp == CP_POINT && o->cn_point) {
			uint64_t ip;
			bool units_ok;

			if (c.cur_set && c.cur_frac)
				return -EINVAL; /* 3.5点 */
			if (!c.cur_set && !c.any_unit)
				return -EINVAL; /* 点五 */
			rc = close_section(&c, true, &ip);
			if (rc < 0)
				return rc;
			if (!add_ok(ip, c.total, &ip))
				return -ERANGE;
			units_ok = !c.seen_wan && !c.seen_yi;
			rc = after_point(s, len, i + (size_t) n, o, ip,
					units_ok, &real, ret);
			if (rc < 0)
				return rc;
			return real ? 0 : -EINVAL;
		}
		if (!o->cn_numerals)
			return -EINVAL;
		if ((d = cn_digit(cp)) >= 0) {
			real = true;
			if (d == 0 && c.any_unit) {
				if (c.cur_set)
					return -EINVAL; /* 一千五零 */
				c.zero_gap = true;
			} else if (c.cur_set) {
				/* 二零二六: positional, no units allowed */
				if (!c.cur_cn || c.any_unit)
					return -EINVAL;
				if (!mul_ok(c.cur, 10, &c.cur) ||
						!add_ok(c.cur, (uint64_t) d,
								&c.cur))
					return -ERANGE;
				c.cur_digits++;
			} else {
				c.cur_set = true;
				c.cur_cn = true;
				c.cur = (uint64_t) d;
				c.cur_frac = 0;
				c.cur_digits = 1;
			}
			i += (size_t) n;
			continue;
		}
		if ((k = cn_unit(cp)) != 0) {
			real = real || c.cur_set || k == 1;
			rc = k < 4 ? small_unit(&c, k) : big_unit(&c, k);
			if (rc < 0)
				return rc;
			i += (size_t) n;
			continue;
		}
		return -EINVAL;
	}
	if (!real)
		return -EINVAL;
	if (!c.any_unit) {
		if (!c.cur_set)
			return -EINVAL;
		ret->mant = c.cur;
		ret->exp = -c.cur_frac;
		return 0;
	}
	if (c.cur_set && c.cur_frac) {
		/* 一百2.5: whole part plus a decimal */
		uint64_t w;

		if (c.cur / pow10_tab[c.cur_frac] >= pow10_tab[c.last_pow])
			return -EINVAL;
		if (!add_ok(c.total, c.section, &w) ||
				!scale_up(w, c.cur_frac, &w) ||
				!add_ok(w, c.cur, &w))
			return -ERANGE;
		ret->mant = w;
		ret->exp = -c.cur_frac;
		return 0;
	}
	rc = close_section(&c, true, &ret->mant);
	if (rc < 0)
		return rc;
	if (!add_ok(ret->mant, c.total, &ret->mant))
		return -ERANGE;
	ret->exp = 0;
	return 0;
}

/* n as units of 10^-scale, rounded half away from zero. */
static int to_units(const struct num *n, int scale, int64_t *ret)
{
	int e = n->exp + scale;
	uint64_t q;

	if (e >= 0) {
		if (!scale_up(n->mant, e, &q))
			return -ERANGE;
	} else if (-e > 19) {
		q = 0;
	} else {
		uint64_t p = pow10_tab[-e], r;

		q = n->mant / p;
		r = n->mant % p;
		if (r >= p - r)
			q++;
	}
	if (n->neg) {
		if (q > (uint64_t) INT64_MAX + 1)
			return -ERANGE;
		*ret = q == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) q;
	} else {
		if (q > (uint64_t) INT64_MAX)
			return -ERANGE;
		*ret = (int64_t) q;
	}
	return 0;
}

int rv_parse_decimal(const char *s, size_t len, const struct rv_num_opts *o,
		int scale, int64_t *ret_units)
{
	struct num n;
	int rc;

	if (scale < 0 || scale > 6)
		return -EINVAL;
	rc = parse_number(s, len, o, &n);
	if (rc < 0)
		return rc;
	return to_units(&n, scale, ret_units);
}

int rv_parse_int(const char *s, size_t len, const struct rv_num_opts *o,
		int64_t *ret)
{
	struct num n;
	int rc;

	rc = parse_number(s, len, o, &n);
	if (rc < 0)
		return rc;
	/* "3.0" is 3; "3.5" is not an integer (fraction digits <= 19) */
	if (n.inexact || n.exp < -19 ||
			(n.exp < 0 && n.mant % pow10_tab[-n.exp] != 0))
		return -EINVAL;
	return to_units(&n, 0, ret);
}

/* ---- prefix -------------------------------------------------------- */

/* Longest number we try to split off (bytes); longer runs are cut. */
#define PREFIX_MAX 256
/* Shorter candidates tried when the longest does not parse. */
#define PREFIX_TRIES 16

static bool is_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
 * The end of the run of characters that can belong to a number.  Fuzzy
 * letters (a maximal run of o O l L I i) count only when the run touches
 * a digit (before or after it) and is not followed by another ASCII
 * letter: "12o" and "l2" are numbers, "12OK" stops before "OK".
 */
static size_t candidate(const char *s, size_t len, const struct rv_num_opts *o)
{
	size_t i = 0;
	uint32_t cp;

	if (len > PREFIX_MAX)
		len = PREFIX_MAX;
	if (len && (s[0] == '-' || s[0] == '+'))
		i = 1;
	while (i < len) {
		unsigned char b = (unsigned char) s[i];
		int n;

		if (is_digit(b) || b == '.' || b == ',') {
			i++;
			continue;
		}
		if (o->fuzzy_digits && fuzzy_digit(b) >= 0) {
			size_t j = i;
			bool before = i > 0 &&
				      is_digit((unsigned char) s[i - 1]);

			while (j < len &&
					fuzzy_digit((unsigned char) s[j]) >= 0)
				j++;
			if (j < len && is_letter((unsigned char) s[j]))
				break;
			if (!before && !(j < len && is_digit((unsigned char) s[j])))
				break;
			i = j;
			continue;
		}
		if (b < 0x80)
			break;
		n = get(s, len, i, &cp);
		if (n < 0)
			break;
		if ((o->cn_numerals &&
				    (cn_digit(cp) >= 0 || cn_unit(cp) ||
						    (i == 0 && cp == CP_NEG))) ||
				(o->cn_point && cp == CP_POINT) ||
				cp == 0x3002) {
			i += (size_t) n;
			continue;
		}
		break;
	}
	return i;
}

size_t rv_number_prefix(const char *s, size_t len, const struct rv_num_opts *o)
{
	struct rv_num_opts def;
	struct num n;
	size_t end;
	int tries;

	if (!s)
		return 0;
	if (!o) {
		rv_num_opts_default(&def);
		o = &def;
	}
	end = candidate(s, len, o);
	for (tries = 0; end > 0 && tries < PREFIX_TRIES; tries++) {
		int rc = parse_number(s, end, o, &n);

		if (rc == 0 || rc == -ERANGE)
			return end;
		/* one character back */
		do
			end--;
		while (end > 0 && ((unsigned char) s[end] & 0xc0) == 0x80);
	}
	return 0;
}

/* ---- dates and times ----------------------------------------------- */

static int days_in_month(int y, int m)
{
	static const unsigned char dim[12] = {
			31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

static bool date_ok(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

static unsigned char upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char) (c - 'a' + 'A') : c;
}

/* Exact match of @len bytes with @word, ASCII case folded. */
static bool word_eq(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!word[i])
			return false;
	if (word[len])
		return false;
	for (i = 0; i < len; i++) {
		if (upper((unsigned char) s[i]) != (unsigned char) word[i])
			return false;
	}
	return true;
}

static bool word_in(const char *s, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (word_eq(s, len, *words))
			return true;
	return false;
}

/* A small whole number (month, day, hour, minute): 1..2 ASCII digits or
 * Chinese numerals ("十二", "三十一"); -EINVAL otherwise. */
static int small_int(const char *s, size_t len, int max_digits)
{
	static const struct rv_num_opts cn = {
			.fuzzy_digits = false, .cn_numerals = true};
	int64_t v;
	size_t i;

	if (len == 0)
		return -EINVAL;
	if (is_digit((unsigned char) s[0])) {
		int r = 0;

		if ((int) len > max_digits)
			return -EINVAL;
		for (i = 0; i < len; i++) {
			if (!is_digit((unsigned char) s[i]))
				return -EINVAL;
			r = r * 10 + (s[i] - '0');
		}
		return r;
	}
	if (rv_parse_int(s, len, &cn, &v) < 0 || v < 0 || v > 9999)
		return -EINVAL;
	return (int) v;
}

/* s[0..len) split at the first occurrence of UTF-8 @mark. */
static const char *find(const char *s, size_t len, const char *mark)
{
	size_t m = strlen(mark), i;

	for (i = 0; i + m <= len; i++)
		if (memcmp(s + i, mark, m) == 0)
			return s + i;
	return NULL;
}

static bool all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_digit((unsigned char) s[i]))
			return false;
	return len > 0;
}

static int num_of(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* The year that puts M-D nearest to today. */
static int nearest(int ty, int tm, int td, int m, int d, int *ry)
{
	int64_t today = r_days_from_civil(ty, tm, td), best = 0;
	int y, found = 0;

	for (y = ty - 1; y <= ty + 1; y++) {
		int64_t dist;

		if (!date_ok(y, m, d))
			continue;
		dist = r_days_from_civil(y, m, d) - today;
		if (dist < 0)
			dist = -dist;
		if (!found || dist < best) {
			best = dist;
			*ry = y;
			found = 1;
		}
	}
	return found ? 0 : -ERANGE;
}

int rv_parse_date(const char *s, size_t len, int today_y, int today_m,
		int today_d, int *ret_y, int *ret_m, int *ret_d)
{
	static const char *const w_today[] = {"今天", "今日", "JT", NULL};
	static const char *const w_yday[] = {"昨天", "昨日", "ZT", NULL};
	static const char *const w_2days[] = {"前天", NULL};
	const char *mo, *sep = NULL;
	int y = 0, m, d, back = -1, parts = 1;
	bool has_year = false;
	size_t i;

	if (!s || len == 0 || !date_ok(today_y, today_m, today_d))
		return -EINVAL;
	/* Quick no: a date starts with a digit, J/Z, 今/昨/前 or a numeral. */
	if (!is_digit((unsigned char) s[0])) {
		uint32_t cp;
		unsigned char u = upper((unsigned char) s[0]);

		if (u < 0x80) {
			if (u != 'J' && u != 'Z')
				return -EINVAL;
		} else if (get(s, len, 0, &cp) < 0 ||
				!(cp == 0x4eca || cp == 0x6628 ||
						cp == 0x524d ||
						cn_digit(cp) >= 0 ||
						cn_unit(cp) == 1)) {
			return -EINVAL; /* 今 昨 前, 五月, 十二月 */
		}
	}
	if (is_digit((unsigned char) s[0]))
		;
	else if (word_in(s, len, w_today))
		back = 0;
	else if (word_in(s, len, w_yday))
		back = 1;
	else if (word_in(s, len, w_2days))
		back = 2;
	if (back >= 0) {
		r_civil_from_days(r_days_from_civil(today_y, today_m, today_d) -
						  back,
				ret_y, ret_m, ret_d);
		return 0;
	}
	mo = find(s, len, "月");
	if (mo) {
		/* [YYYY年]M月D[日|号] */
		const char *p = s, *yr = find(s, (size_t) (mo - s), "年");
		const char *ds = mo + strlen("月"), *end = s + len;

		if (yr) {
			if (yr - s != 4 || !all_digits(s, 4))
				return -EINVAL;
			y = num_of(s, 4);
			has_year = true;
			p = yr + strlen("年");
		}
		if (end - ds >= 3 &&
				(memcmp(end - 3, "日", 3) == 0 ||
						memcmp(end - 3, "号", 3) == 0))
			end -= 3;
		m = small_int(p, (size_t) (mo - p), 2);
		d = small_int(ds, (size_t) (end - ds), 2);
		if (m < 0 || d < 0)
			return -EINVAL;
		goto check;
	}
	if (all_digits(s, len)) {
		if (len == 4) {
			m = num_of(s, 2);
			d = num_of(s + 2, 2);
		} else if (len == 8) {
			y = num_of(s, 4);
			m = num_of(s + 4, 2);
			d = num_of(s + 6, 2);
			has_year = true;
		} else {
			return -EINVAL;
		}
		goto check;
	}
	/* M-D, M/D, M.D, YYYY-MM-DD (one kind of separator) */
	{
		size_t start = 0, n;
		int v[3];

		for (i = 0; i <= len; i++) {
			if (i < len && is_digit((unsigned char) s[i]))
				continue;
			if (i < len) {
				if (s[i] != '-' && s[i] != '/' && s[i] != '.')
					return -EINVAL;
				if (sep && *sep != s[i])
					return -EINVAL;
				sep = s + i;
			}
			n = i - start;
			if (n == 0 || parts > 3)
				return -EINVAL;
			if (n > ((parts == 1 && i < len && len > 6) ? 4u : 2u))
				return -EINVAL;
			v[parts - 1] = num_of(s + start, n);
			if (parts == 1 && n == 4)
				has_year = true;
			if (i < len)
				parts++;
			start = i + 1;
		}
		if (parts == 2 && !has_year) {
			m = v[0];
			d = v[1];
		} else if (parts == 3 && has_year) {
			y = v[0];
			m = v[1];
			d = v[2];
		} else {
			return -EINVAL;
		}
	}
check:
	if (has_year) {
		if (!date_ok(y, m, d))
			return -ERANGE;
	} else {
		if (m < 1 || m > 12 || d < 1 || d > 31)
			return -ERANGE;
		if (nearest(today_y, today_m, today_d, m, d, &y) < 0)
			return -ERANGE;
	}
	*ret_y = y;
	*ret_m = m;
	*ret_d = d;
	return 0;
}

int rv_parse_time(const char *s, size_t len, int *ret_h, int *ret_m)
{
	const char *p, *colon;
	int h, m = 0, pm = 0;
	size_t n;

	if (!s || len == 0)
		return -EINVAL;
	/* 上午/早上 (am), 下午/晚上 (pm) */
	if (len > 6 && (memcmp(s, "下午", 6) == 0 || memcmp(s, "晚上", 6) == 0))
		pm = 1;
	else if (len > 6 && (memcmp(s, "上午", 6) == 0 ||
					    memcmp(s, "早上", 6) == 0))
		pm = -1;
	if (pm) {
		s += 6;
		len -= 6;
	}
	colon = memchr(s, ':', len);
	if (!colon)
		colon = memchr(s, '.', len); /* 9.30 */
	if (colon) {
		n = (size_t) (colon - s);
		if (n < 1 || n > 2 || !all_digits(s, n) || len - n - 1 != 2 ||
				!all_digits(colon + 1, 2))
			return -EINVAL;
		h = num_of(s, n);
		m = num_of(colon + 1, 2);
	} else if (all_digits(s, len)) {
		if (len == 4) {
			h = num_of(s, 2);
			m = num_of(s + 2, 2);
		} else if (len <= 2) {
			h = num_of(s, len);
		} else {
			return -EINVAL;
		}
	} else {
		/* H点 H点M分 H点M H点半 H点钟 H点整 H时 H时M分 */
		const char *end = s + len;

		p = find(s, len, "点");
		if (!p)
			p = find(s, len, "时");
		if (!p)
			return -EINVAL;
		h = small_int(s, (size_t) (p - s), 2);
		if (h < 0)
			return -EINVAL;
		p += 3;
		if (end - p >= 3 && memcmp(end - 3, "分", 3) == 0)
			end -= 3;
		if (p == end) {
			m = 0;
		} else if ((end - p == 3 && (memcmp(p, "半", 3) == 0)) &&
				end == s + len) {
			m = 30;
		} else if (end - p == 3 && end == s + len &&
				(memcmp(p, "钟", 3) == 0 ||
						memcmp(p, "整", 3) == 0)) {
			m = 0;
		} else {
			m = small_int(p, (size_t) (end - p), 2);
			if (m < 0)
				return -EINVAL;
		}
	}
	if (h > 23 || m > 59)
		return -ERANGE;
	if (pm > 0 && h >= 1 && h <= 11)
		h += 12;
	else if (pm < 0 && h > 12)
		return -ERANGE;
	*ret_h = h;
	*ret_m = m;
	return 0;
}

/* ---- yes/no, phone, cell, outlet, reference ------------------------ */

int rv_parse_bool(const char *s, size_t len, bool *ret)
{
	static const char *const yes[] = {"是", "有", "对", "是的", "对的", "Y",
			"YES", "1", "T", "TRUE", NULL};
	static const char *const no[] = {"否", "无", "没有", "没", "不", "不是",
			"N", "NO", "0", "F", "FALSE", NULL};

	if (!s)
		return -EINVAL;
	if (word_in(s, len, yes)) {
		*ret = true;
		return 0;
	}
	if (word_in(s, len, no)) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

int rv_parse_phone(const char *s, size_t len, char *out, size_t size)
{
	char buf[24];
	size_t i = 0, n = 0, digits = 0;

	if (!s || len == 0)
		return -EINVAL;
	if (s[0] == '+') {
		buf[n++] = '+';
		i = 1;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		if (c == '-' || c == ' ')
			continue;
		if (!is_digit(c))
			return -EINVAL;
		if (digits == 0 && n == 0 && c == '0' && i + 1 < len &&
				s[i + 1] == '0') {
			buf[n++] = '+'; /* 00 -> + */
			i++;
			continue;
		}
		if (++digits > 20)
			return -ERANGE;
		buf[n++] = (char) c;
	}
	if (digits < 3)
		return -EINVAL;
	if (!out || n + 1 > size)
		return -ENOSPC;
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}

static bool is_hex_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static int hex_val(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One LAC or CID part in @hex or decimal; *ret up to 0xFFFFFFFF + 1. */
static int cell_part(const char *s, size_t len, bool hex, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'X' || s[1] == 'x'))
		i = 2;
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		int d = hex ? hex_val((unsigned char) s[i])
			    : (is_digit((unsigned char) s[i]) ? s[i] - '0'
							      : -1);

		if (d < 0)
			return -EINVAL;
		v = v * (hex ? 16 : 10) + (uint64_t) d;
		if (v > 0xffffffffull)
			v = 0x100000000ull; /* too big, keep reading */
	}
	*ret = v;
	return 0;
}

int rv_parse_cell(const char *s, size_t len, int home_mcc, int home_mnc,
		bool hex_default, struct rv_cell *ret)
{
	const char *part[4];
	size_t plen[4], i, start;
	int n = 0;
	bool hex = hex_default;
	uint64_t lac, cid;
	struct rv_cell c;
	int k;

	if (!s || !ret || len == 0)
		return -EINVAL;
	if (s[0] == 'L' || s[0] == 'l') {
		s++;
		len--;
	}
	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '-' && s[i] != '.' && s[i] != '_' &&
				s[i] != '/')
			continue;
		if (n == 4 || i == start)
			return -EINVAL;
		part[n] = s + start;
		plen[n] = i - start;
		n++;
		start = i + 1;
	}
	if (n != 4 && n != 2)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	if (n == 4) {
		if (plen[0] != 3 || !all_digits(part[0], 3) ||
				(plen[1] != 2 && plen[1] != 3) ||
				!all_digits(part[1], plen[1]))
			return -EINVAL;
		c.mcc = num_of(part[0], 3);
		c.mnc = num_of(part[1], plen[1]);
		c.mnc_3digits = plen[1] == 3;
		if (c.mcc == 0)
			return -ERANGE;
	} else {
		if (home_mcc <= 0 || home_mcc > 999 || home_mnc < 0 ||
				home_mnc > 999)
			return -EINVAL;
		c.mcc = home_mcc;
		c.mnc = home_mnc;
		c.mnc_3digits = home_mnc > 99;
		c.home = true;
	}
	for (k = n - 2; k < n; k++) {
		size_t j;

		if (plen[k] > 2 && part[k][0] == '0' &&
				(part[k][1] == 'X' || part[k][1] == 'x'))
			hex = true;
		for (j = 0; j < plen[k]; j++)
			if (is_hex_letter((unsigned char) part[k][j]))
				hex = true;
	}
	if (cell_part(part[n - 2], plen[n - 2], hex, &lac) < 0 ||
			cell_part(part[n - 1], plen[n - 1], hex, &cid) < 0)
		return -EINVAL;
	if (lac < 1 || lac > 0xffffff || cid > 0xfffffff)
		return -ERANGE;
	c.lac = (uint32_t) lac;
	c.cid = (uint32_t) cid;
	*ret = c;
	return 0;
}

int rv_parse_outlet_code(const char *s, size_t len)
{
	bool digit = false;
	size_t i;

	if (!s || len < 2 || len > 16)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		if (is_digit(c))
			digit = true;
		else if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
			return -EINVAL;
	}
	return digit ? 0 : -EINVAL;
}

int rv_parse_ref(const char *s, size_t len, const char *prefix, int digits,
		char *out, size_t size)
{
	size_t pl = prefix ? strlen(prefix) : 0, i;

	if (!s || digits <= 0 || digits > 18 || len != pl + (size_t) digits)
		return -EINVAL;
	for (i = 0; i < pl; i++)
		if (upper((unsigned char) s[i]) !=
				upper((unsigned char) prefix[i]))
			return -EINVAL;
	for (i = pl; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		if (!is_digit(c) && fuzzy_digit(c) < 0)
			return -EINVAL;
	}
	if (!out || len + 1 > size)
		return -ENOSPC;
	memcpy(out, prefix, pl);
	for (i = pl; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		out[i] = is_digit(c) ? (char) c : (char) ('0' + fuzzy_digit(c));
	}
	out[len] = '\0';
	return 0;
}
