/*
 * rules/value.h - one token of normalized text (rules/text.h) into one
 * typed value.  Pure, table-tested (tests/unit/check_rules_value.c and
 * its data file), fuzzed.
 *
 * Every parser takes the token as bytes (@s, @len: valid UTF-8, already
 * normalized, so ASCII letters are upper case and full-width forms are
 * ASCII) and returns 0 with the value, or a negative code:
 *   -EINVAL  not of that type ("abc" for an int)
 *   -ERANGE  of that type but not representable (overflow, 13月)
 *   -ENOSPC  (phone, ref) the caller's @out is too small
 * Bounds (min/max) are the caller's job: these only read.  Any bytes are
 * safe (invalid UTF-8 is -EINVAL, never a crash); ASCII lower case is
 * accepted where a letter is expected.  No allocation, no locale.
 */
#ifndef RULES_VALUE_H
#define RULES_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How tolerant number parsing is; each a rule-file option. */
struct rv_num_opts {
	bool fuzzy_digits; /* o/O -> 0, l/L/I -> 1 inside a number ("12o";
			    * L is what normalization makes of a typed l);
			    * a number needs at least one true digit, so
			    * "OO" and "LOL" are never numbers */
	bool cn_numerals;  /* 一百二, 两千, 三千五, 十, 1.2万, 八 */
	bool cn_point;	   /* 点 as decimal point (三点五, 3点5) */
};

void rv_num_opts_default(struct rv_num_opts *opts); /* all true */

/*
 * A decimal number as units / 10^scale, rounded half away from zero to
 * @scale (0..6) digits.  Accepts an optional sign ('-', '+'), digits,
 * one decimal point ('.'; "。" was already turned into '.' between
 * digits by normalization; 点 with cn_point), 万 / 千 / 百 multipliers
 * after digits ("1.2万" = 12000) and Chinese numerals.  int parsing is
 * this with scale 0 refusing a fraction (-EINVAL for "3.5"; a fraction
 * of zeros is whole: "3.0" = 3, "1.2万" = 12000).
 *
 * Thousands commas are accepted when well formed ("3,500", "1,234.5"),
 * -EINVAL otherwise ("1,23").  Chinese numerals follow the spoken
 * grammar: 十 alone or first is 10 ("十二" = 12, "二十" = 20); units
 * descend within a section ("十百" is -EINVAL); 万 and 亿 close sections
 * ("一亿二千万"); 零 marks a gap ("一百零二" = 102); Chinese digits
 * without units read positionally ("二零二六" = 2026); 两 is 2; the
 * financial forms 壹贰叁..拾佰仟 and a leading 负 (minus) are accepted.
 * Colloquial tail: ONE digit right after a unit of 百 or more, with no 零
 * between, counts in the next lower place: "一百二" = 120, "三千五" =
 * 3500, "两万三" = 23000, "3千5" = 3500; several Arabic digits there are
 * added as they are but must stay below the unit ("1万2000" = 12000,
 * "1万25000" is -EINVAL).  A decimal times a unit must be whole
 * ("1.25万" = 12500; "1.2345千" is -EINVAL).  After 点 come positional
 * digits, then at most one final unit ("三点五万" = 35000).  Every step
 * is overflow-checked: -ERANGE, never undefined behaviour; fraction
 * digits beyond 19 significant digits are dropped before rounding.
 */
int rv_parse_decimal(const char *s, size_t len, const struct rv_num_opts *o,
		int scale, int64_t *ret_units);
int rv_parse_int(const char *s, size_t len, const struct rv_num_opts *o,
		int64_t *ret);

/*
 * The longest prefix of @s that is a number under @o; its length, 0
 * when @s does not start with one.  The tokenizer uses it to split glued
 * input: "日报120" after the keyword, "销量120回款3500" between tags
 * ("120回款3500" -> 3, "一百二回款" -> 9, "1.2万元" -> 6, "3.5." -> 3).
 * A prefix that overflows still counts (its parse gives -ERANGE), so
 * the field reports the range error.
 * Fuzzy letters: a maximal run of o O l L I i counts only when it
 * touches a digit (right before or right after it) AND is not followed
 * by another ASCII letter, so "12o" -> 3 and "l2" -> 2 but "12OK" -> 2
 * and "OK" -> 0.  Mind that "L460" (a cell) reads as 1460: do not call
 * this on fields that are not numbers.  Looks at most 256 bytes.
 */
size_t rv_number_prefix(const char *s, size_t len, const struct rv_num_opts *o);

/*
 * A date.  @today is the reference date (the SCTS's local date):
 * 今天/今日/JT, 昨天/昨日/ZT, 前天, MMDD ("0531"), M月D日 / M月D号 / M月D
 * ("5月31日", also in Chinese numerals: "五月三十一日"), YYYY年M月D日,
 * M-D, M/D, M.D, YYYY-MM-DD (also / or ., one kind per token), YYYYMMDD.
 * A date without a year takes the year that puts it nearest to @today
 * (a "1231" sent on 2027-01-01 is 2026-12-31).  Invalid calendar dates
 * are -ERANGE ("0532", "0229" when no nearby year is leap, "13月1日");
 * an invalid @today is -EINVAL.
 */
int rv_parse_date(const char *s, size_t len, int today_y, int today_m,
		int today_d, int *ret_y, int *ret_m, int *ret_d);

/*
 * HH:MM, H:MM (two minute digits), HHMM, H or HH alone (whole hour),
 * H点, H点M, H点M分, H点半, H点钟, H点整, H时, H时M分 (H and M in Arabic
 * or Chinese numerals: "九点半", "十点十五"), optionally after 上午/早上
 * or 下午/晚上 (1..11 become 13..23).  0..23, 0..59, else -ERANGE.
 */
int rv_parse_time(const char *s, size_t len, int *ret_h, int *ret_m);

/*
 * Yes/no: 是/有/对/是的/对的/Y/YES/1/T/TRUE -> true, 否/无/没有/没/不/
 * 不是/N/NO/0/F/FALSE -> false (ASCII in any case).
 */
int rv_parse_bool(const char *s, size_t len, bool *ret);

/*
 * A phone number: optional '+', 3..20 digits after removing '-' and
 * spaces; a leading "00" becomes '+'.  Writes the normalized number
 * into @out (NUL-terminated; 22 bytes always suffice).  Fewer than 3
 * digits or any other character: -EINVAL; more than 20 digits: -ERANGE;
 * @out too small: -ENOSPC.
 */
int rv_parse_phone(const char *s, size_t len, char *out, size_t size);

/*
 * A cell: "L460-00-2A1F-3C4D" (MCC-MNC-LAC-CID), the leading L optional
 * when the token has four parts, LAC and CID in hex (when any of A-F
 * appears or an "0X" prefix) else decimal; "L2A1F-3C4D" or "2A1F-3C4D"
 * (LAC-CID alone) takes @home_mcc / @home_mnc.  Separators '-', '.',
 * '_', '/'.  MCC 3 digits, MNC 2 or 3, LAC 1..0xFFFF (TAC up to
 * 0xFFFFFF), CID up to 0xFFFFFFF (28-bit ECI).  A hex/decimal ambiguity
 * ("1234-5678") is read as decimal unless @hex_default.  The radix is
 * decided for LAC and CID together.  LAC 0 and values beyond the limits
 * are -ERANGE, so is MCC 000.  The LAC-CID form with @home_mcc outside
 * 1..999 is -EINVAL (no home network configured); mnc_3digits is then
 * @home_mnc > 99.
 */
struct rv_cell {
	int mcc, mnc;
	bool mnc_3digits;
	uint32_t lac, cid;
	bool home;
};
int rv_parse_cell(const char *s, size_t len, int home_mcc, int home_mnc,
		bool hex_default, struct rv_cell *ret);

/*
 * An outlet code's syntax: 2..16 of A-Z 0-9 '-' '_' with at least one
 * digit ("JN0231").  The lookup is the gateway's.  0 or -EINVAL.
 */
int rv_parse_outlet_code(const char *s, size_t len);

/*
 * A reference code as rules_ref_format() writes it: @prefix then exactly
 * @digits digits (fuzzy o/O/l/L/I accepted as digits); writes the
 * canonical form ("R1045") into @out.  The prefix matches in any ASCII
 * case and is written as @prefix spells it; @digits must be 1..18.
 * -EINVAL when it does not match, -ENOSPC when @out is too small.
 */
int rv_parse_ref(const char *s, size_t len, const char *prefix, int digits,
		char *out, size_t size);

#endif /* RULES_VALUE_H */
