/*
 * rules/text.h - text as reps type it on feature phones, made regular.
 *
 * Pure functions over UTF-8 bytes: no allocation unless stated, no
 * locale, no clock.  The raw text is never changed; normalization writes
 * a new string.
 *
 * Normalization (rt_normalize), in order:
 *   - invalid UTF-8 bytes become U+FFFD (so the output is always valid);
 *   - zero-width characters (U+200B..U+200D, U+2060, U+FEFF, U+00AD)
 *     are removed;
 *   - full-width ASCII (U+FF01..U+FF5E) becomes ASCII, U+3000 and every
 *     other Unicode space (U+00A0, U+2000..U+200A, U+202F, U+205F, tab,
 *     CR, LF) becomes a separator;
 *   - separators: ASCII space, the configured ASCII characters (default
 *     ",;:") and the configured non-ASCII ones (default "，、；：。！？"),
 *     each become one ASCII space, and runs of them collapse into one;
 *     leading and trailing separators are dropped;
 *   - ASCII letters are upper-cased (case folding for keywords and tags;
 *     Chinese is untouched).
 * A '.' or '。' BETWEEN TWO DIGITS is kept as '.', not a separator, so
 * "3.5" and "3。5" survive as decimals, unless it is a separator and
 * the digits carry a second one ("120。3500。8" -> "120 3500 8": a
 * number has one point; an unconfigured '.' always stays: "2026.05.31"); a ':' or '：' between two digits
 * is kept as ':' so times survive ("9:30"; "销量:120" still splits).
 * Thousands (opts->thousands): an ASCII ',' typed between digits is
 * dropped when the whole digit-comma run is well formed, 1..3 digits then
 * groups of exactly three ("3,500", "1,234,567" -> "1234567"); any other
 * run keeps its commas as separators ("120,3500,8" and "120,350,8" ->
 * "120 350 8").  The full-width / Chinese comma "，" is always a
 * separator, never a thousands mark ("120，350" -> "120 350").
 * Control characters (U+0000..U+001F, U+007F, U+0080..U+009F) are
 * spaces.  "Between two digits" looks through zero-width characters.
 */
#ifndef RULES_TEXT_H
#define RULES_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_MAX_SEPARATORS 32

struct rt_norm_opts {
	bool fold_case;	       /* ASCII a-z -> A-Z (default true) */
	bool strip_zero_width; /* default true */
	bool fullwidth;	       /* U+FF01..U+FF5E -> ASCII (default true) */
	bool thousands;	       /* "3,500" -> "3500" (default true) */
	/* each entry one UTF-8 character; ASCII space is always one */
	const char *separators[RT_MAX_SEPARATORS];
	size_t n_separators;
};

/* The defaults described above. */
void rt_norm_opts_default(struct rt_norm_opts *opts);

/*
 * Normalizes @in (@len bytes, any bytes) into @out (@size bytes,
 * NUL-terminated).  The output is never longer than 3 * @len + 1 bytes
 * (U+FFFD for each bad byte).  Returns the output length, or -ENOSPC
 * when @out is too small (then @out holds a truncated, valid prefix).
 */
int rt_normalize(const char *in, size_t len, const struct rt_norm_opts *opts,
		char *out, size_t size);

/*
 * The same options compiled once (separator bitmaps), so a caller that
 * normalizes many messages with one set of options (the rules engine,
 * per loaded rule file) does not pay for reading them on every call.
 * Caller-allocated, no allocation, keeps no pointer into @opts (NULL:
 * the defaults).  Fields are private to rules/text.c.
 */
struct rt_norm {
	bool fold, zw, fw, thousands;
	uint64_t sep_ascii[2];
	uint64_t sep_bloom[4];
	uint32_t sep_cp[RT_MAX_SEPARATORS];
	size_t n_sep_cp;
};
void rt_norm_compile(const struct rt_norm_opts *opts, struct rt_norm *ret);

/* rt_normalize() with compiled options; same output and errors. */
int rt_normalize_with(const char *in, size_t len, const struct rt_norm *norm,
		char *out, size_t size);

/*
 * Decodes one UTF-8 character at @s (at most @len bytes) into *cp;
 * returns its length (1..4), or -1 for an invalid or truncated sequence
 * (overlong forms, surrogates and values above U+10FFFF are invalid).
 */
int rt_utf8_next(const char *s, size_t len, uint32_t *cp);

/* True when all @len bytes of @s are valid UTF-8. */
bool rt_utf8_valid(const char *s, size_t len);

/* Characters (code points) in valid UTF-8 @s. */
size_t rt_utf8_chars(const char *s, size_t len);

/*
 * SMS cost of @s (valid UTF-8): GSM 7-bit when every character is in the
 * default alphabet or its extension table, else UCS-2 (a character
 * outside the BMP counts two).  *gsm7 (may be NULL) tells which.
 * Returns the number of segments (1 for the empty string: 160 / 70 per
 * single segment, 153 / 67 per part when concatenated), or -EINVAL for
 * invalid UTF-8.  Uses the codec's counting (modem/sms_pdu.h).
 */
int rt_sms_segments(const char *s, size_t len, bool *gsm7);

/* Units (septets or UTF-16 code units) of @s in its cheapest alphabet. */
int rt_sms_units(const char *s, size_t len, bool *gsm7);

#endif /* RULES_TEXT_H */
