/* SPDX-License-Identifier: MIT */
/*
 * Response lines of one AT command (borrowed by completion callbacks) and a
 * field iterator over one line (TS 27.007 §4.1/§5.7.2 syntax: comma-separated
 * numbers, "quoted strings", unquoted words, (lists) and ranges a-b).
 */
#ifndef FIELDGATE_MODEM_AT_RESULT_H
#define FIELDGATE_MODEM_AT_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct at_result;

/* Number of information lines (PDU lines included), final excluded. */
size_t at_result_count(const struct at_result *res);
/*
 * Line @i (0-based) or NULL when out of range; borrowed from @res.
 * @ret_is_pdu (may be NULL) tells whether it was the PDU line following a
 * +CMGR:/+CMGL: header.
 */
const char *at_result_line(
		const struct at_result *res, size_t i, bool *ret_is_pdu);
/* The final result line ("OK", "+CMS ERROR: 500"...) or NULL (timeout). */
const char *at_result_final(const struct at_result *res);
/* First line starting with @prefix, or NULL; borrowed. */
const char *at_result_find(const struct at_result *res, const char *prefix);

/*
 * Field iterator over one line. The line is borrowed and must outlive it.
 * All next_* functions return:
 *   0        field parsed, iterator moved past it and its comma;
 *   -ENOENT  no more fields (end of line or of the open list);
 *   -ENODATA the field is empty (",,"), iterator moved past it;
 *   -EINVAL  the field is malformed (iterator moved past it when a comma
 *            could be found);
 *   -ENOSPC  the output buffer is too small (iterator not moved).
 */
struct at_iter {
	const char *p;
	const char *end;
	int depth; /* open lists */
	bool done; /* no field left at this level */
};

/*
 * at_iter_init() - start iterating @line after @prefix (e.g. "+CREG:"),
 * skipping blanks. @prefix may be NULL or "" for a bare line.
 * Returns 0, or -EINVAL when @line does not start with @prefix.
 */
int at_iter_init(struct at_iter *it, const char *line, const char *prefix);
/* Decimal integer (optional sign); rejects trailing garbage. */
int at_iter_next_number(struct at_iter *it, long *ret_val);
/* Hexadecimal integer, quoted or not ("2AF5", 2AF5, "0B88E350"). */
int at_iter_next_hexnum(struct at_iter *it, unsigned long *ret_val);
/*
 * Quoted string, copied NUL-terminated into @buf (@size bytes). An unquoted
 * field is -EINVAL.
 */
int at_iter_next_string(struct at_iter *it, char *buf, size_t size);
/* Either quoted or unquoted text, trimmed of blanks, copied into @buf. */
int at_iter_next_text(struct at_iter *it, char *buf, size_t size);
/* Unquoted token (up to ',' or ')'), trimmed, copied into @buf. */
int at_iter_next_unquoted(struct at_iter *it, char *buf, size_t size);
/*
 * Hex string (quoted or not) decoded into @buf; *@ret_len bytes written.
 * Odd length or a non-hex digit: -EINVAL.
 */
int at_iter_next_hexstring(
		struct at_iter *it, uint8_t *buf, size_t size, size_t *ret_len);
/* Skip one field whatever it holds. */
int at_iter_skip(struct at_iter *it);
/* Enter a "(...)" list field. -EINVAL if the field is not a list. */
int at_iter_open_list(struct at_iter *it);
/* Leave the current list, skipping what is left of it. */
int at_iter_close_list(struct at_iter *it);
/* Inside a list: a value "n" or range "a-b" (ret_lo == ret_hi for n). */
int at_iter_next_range(struct at_iter *it, long *ret_lo, long *ret_hi);
/* True when no field is left at the current level. */
bool at_iter_at_end(const struct at_iter *it);
/* True when the next field starts with '"'. */
bool at_iter_next_is_quoted(const struct at_iter *it);

#endif
