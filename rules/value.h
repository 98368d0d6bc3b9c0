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
 * Bounds (min/max) are the caller's job: these only read.
 */
#ifndef RULES_VALUE_H
#define RULES_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How tolerant number parsing is; each a rule-file option. */
struct rv_num_opts {
	bool fuzzy_digits; /* o/O -> 0, l/I -> 1 inside a number ("12o") */
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
 * this with scale 0 refusing a fraction (-EINVAL for "3.5").
 */
int rv_parse_decimal(const char *s, size_t len, const struct rv_num_opts *o,
		int scale, int64_t *ret_units);
int rv_parse_int(const char *s, size_t len, const struct rv_num_opts *o,
		int64_t *ret);

/*
 * The longest prefix of @s that is a number under @o; its length, 0
 * when @s does not start with one.  The tokenizer uses it to split glued
 * input: "日报120" after the keyword, "销量120回款3500" between tags.
 */
size_t rv_number_prefix(const char *s, size_t len, const struct rv_num_opts *o);

/*
 * A date.  @today is the reference date (the SCTS's local date):
 * 今天/今日/JT, 昨天/昨日/ZT, 前天, MMDD ("0531"), M月D日 / M月D号
 * ("5月31日"), M-D, M/D, M.D, YYYY-MM-DD, YYYYMMDD.  A date without a year
 * takes the year that puts it nearest to @today (a "1231" sent on
 * 2027-01-01 is 2026-12-31).  Invalid calendar dates are -ERANGE.
 */
int rv_parse_date(const char *s, size_t len, int today_y, int today_m,
		int today_d, int *ret_y, int *ret_m, int *ret_d);

/* HH:MM, H:MM, HHMM, H点, H点M分, H点半; 0..23, 0..59. */
int rv_parse_time(const char *s, size_t len, int *ret_h, int *ret_m);

/*
 * Yes/no: 是/有/对/Y/YES/1/T/TRUE -> true, 否/无/没有/不/N/NO/0/F/FALSE ->
 * false.
 */
int rv_parse_bool(const char *s, size_t len, bool *ret);

/*
 * A phone number: optional '+', 3..20 digits after removing '-' and
 * spaces; a leading "00" becomes '+'.  Writes the normalized number
 * into @out (NUL-terminated).
 */
int rv_parse_phone(const char *s, size_t len, char *out, size_t size);

/*
 * A cell: "L460-00-2A1F-3C4D" (MCC-MNC-LAC-CID), the leading L optional
 * when the token has four parts, LAC and CID in hex (when any of A-F
 * appears or an "0X" prefix) else decimal; "L2A1F-3C4D" or "2A1F-3C4D"
 * (LAC-CID alone) takes @home_mcc / @home_mnc.  Separators '-', '.',
 * '_', '/'.  MCC 3 digits, MNC 2 or 3, LAC 1..0xFFFF (TAC up to
 * 0xFFFFFF), CID up to 0xFFFFFFF (28-bit ECI).  A hex/decimal ambiguity
 * ("1234-5678") is read as decimal unless @hex_default.
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
 * digit ("JN0231").  The lookup is the gateway's.
 */
int rv_parse_outlet_code(const char *s, size_t len);

/*
 * A reference code as rules_ref_format() writes it: @prefix then exactly
 * @digits digits (fuzzy o/O/l/I accepted as digits); writes the
 * canonical form ("R1045") into @out.
 */
int rv_parse_ref(const char *s, size_t len, const char *prefix, int digits,
		char *out, size_t size);

#endif /* RULES_VALUE_H */
